//! Files and folders replaced, never half-written: the bottom of every
//! stage that writes (renderers, `watch`, the caches of the history and of
//! formatted citations, `init` and `new`).
//!
//! Input: the bytes of a file, or a finished folder or file in a staging
//! place beside its target. Output: the target replaced in one rename, so
//! that a reader (or a failed run) sees the old version or the new one.

use std::path::Path;

use crate::diag::Diagnostic;

/// An I/O failure as a diagnostic about `path`.
fn cannot(path: &Path, action: &str, e: std::io::Error) -> Diagnostic {
    Diagnostic::error_in(Some(path.to_path_buf()), format!("cannot {action}: {e}"))
}

/// Writes a file atomically: a temporary file beside it, then a rename.
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), Diagnostic> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let io = |e: std::io::Error| cannot(path, "write", e);
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    tmp.write_all(contents).map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// Moves `new` to `target`, replacing what was there. The old output is
/// renamed aside first and removed only after the new one is in place.
pub fn replace(new: &Path, target: &Path) -> Result<(), Diagnostic> {
    let parent = target.parent().unwrap_or(Path::new("."));
    if new.is_file() {
        // rename(2) over an existing file is atomic.
        return std::fs::rename(new, target).map_err(|e| cannot(target, "write", e));
    }
    if !target.exists() {
        return std::fs::rename(new, target).map_err(|e| cannot(target, "write", e));
    }
    let aside = parent.join(format!(
        ".{}.old-{}",
        target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&aside);
    std::fs::rename(target, &aside)
        .map_err(|e| cannot(target, "move the previous output aside", e))?;
    if let Err(e) = std::fs::rename(new, target) {
        let _ = std::fs::rename(&aside, target);
        return Err(cannot(target, "write", e));
    }
    let _ = std::fs::remove_dir_all(&aside);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_written_with_its_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("a/b/c.txt");
        write_atomically(&path, b"one").unwrap();
        write_atomically(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        // Nothing left beside it.
        assert_eq!(
            std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1
        );
    }

    #[test]
    fn a_folder_replaces_the_previous_one_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("html");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("old.html"), "old").unwrap();
        let new = tmp.path().join(".html.new");
        std::fs::create_dir(&new).unwrap();
        std::fs::write(new.join("index.html"), "new").unwrap();
        replace(&new, &target).unwrap();
        assert!(!target.join("old.html").exists());
        assert_eq!(
            std::fs::read_to_string(target.join("index.html")).unwrap(),
            "new"
        );
        let names: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no staging or old folder left");
    }
}
