//! Files and folders replaced, never half-written: the bottom of every
//! stage that writes (renderers, `watch`, the caches of the history and of
//! formatted citations, `init` and `new`).
//!
//! Input: the bytes of a file, or a finished folder or file in a staging
//! place beside its target. Output: the target replaced in one rename, so
//! that a reader (or a failed run) sees the old version or the new one.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::diag::Diagnostic;

/// An I/O failure as a diagnostic about `path`.
fn cannot(path: &Path, action: &str, e: std::io::Error) -> Diagnostic {
    Diagnostic::error_in(Some(path.to_path_buf()), format!("cannot {action}: {e}"))
}

/// Writes a file atomically: a staging file beside it, then a rename.
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), Diagnostic> {
    stage(path, contents)?.commit()
}

/// The staging files written and not yet renamed over their target, so
/// that an interrupted process can remove them ([`abandon_staged`]).
static STAGED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn staged() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    STAGED.lock().unwrap_or_else(|e| e.into_inner())
}

/// A file written beside its target under a hidden name, waiting to
/// replace it in one rename ([`Staged::commit`]); dropped uncommitted, it
/// is removed.
#[derive(Debug)]
pub struct Staged {
    staging: PathBuf,
    target: PathBuf,
}

/// Writes `contents` into a staging file beside `path`. The file is
/// created as any new file (`0666` less the umask, as `build` writes its
/// outputs), not with a temporary file's private mode, since it becomes
/// the output; when `path` exists, it takes that file's mode, so that
/// replacing a file never changes who may read it.
pub fn stage(path: &Path, contents: &[u8]) -> Result<Staged, Diagnostic> {
    use std::io::Write;
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let dir = path.parent().unwrap_or(Path::new("."));
    let io = |e: std::io::Error| cannot(path, "write", e);
    std::fs::create_dir_all(dir).map_err(io)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let staging = dir.join(format!(
        ".{name}.{}-{}.partial",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::Relaxed)
    ));
    // Registered before it exists: an interruption from here on removes it.
    staged().push(staging.clone());
    let staged_file = Staged {
        staging,
        target: path.to_path_buf(),
    };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&staged_file.staging)
        .map_err(io)?;
    file.write_all(contents).map_err(io)?;
    if let Ok(existing) = std::fs::metadata(path)
        && existing.is_file()
    {
        keep_mode(&file, &existing).map_err(io)?;
    }
    Ok(staged_file)
}

/// Gives `file` the permission bits of `existing`.
#[cfg(unix)]
fn keep_mode(file: &std::fs::File, existing: &std::fs::Metadata) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = existing.permissions().mode() & 0o7777;
    file.set_permissions(std::fs::Permissions::from_mode(mode))
}

/// Elsewhere the read-only flag is the only permission, and a read-only
/// staging file could not be renamed over its target.
#[cfg(not(unix))]
fn keep_mode(_: &std::fs::File, _: &std::fs::Metadata) -> std::io::Result<()> {
    Ok(())
}

impl Staged {
    /// The staging file's path.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// Renames the staging file over its target. The registry stays locked
    /// meanwhile, so that an interruption either sees the file staged (and
    /// removes it) or committed.
    pub fn commit(self) -> Result<(), Diagnostic> {
        let mut registry = staged();
        let result = std::fs::rename(&self.staging, &self.target)
            .map_err(|e| cannot(&self.target, "write", e));
        registry.retain(|p| p != &self.staging);
        drop(registry);
        if result.is_err() {
            let _ = std::fs::remove_file(&self.staging);
        }
        std::mem::forget(self);
        result
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.staging);
        staged().retain(|p| p != &self.staging);
    }
}

/// For a process about to exit on an interruption (Ctrl-C in `watch`):
/// removes every staging file not yet committed, and keeps the registry
/// locked for as long as the returned guard lives, so that no other
/// thread commits one meanwhile. Every output is then the previous one or
/// the new one, whole, and no staging file is left.
pub fn abandon_staged() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    let mut registry = staged();
    for path in registry.drain(..) {
        let _ = std::fs::remove_file(path);
    }
    registry
}

/// A fresh folder beside an output, to render it into before
/// [`replace`]: made as any new folder (`0777` less the umask), not with a
/// temporary folder's private mode, since it becomes the output (a web
/// server running as another user must be able to read `_book/html`).
/// Removed with what it holds when dropped.
#[derive(Debug)]
pub struct StagingDir {
    path: PathBuf,
}

impl StagingDir {
    /// Makes `.{name}.new-…` in `dir`.
    pub fn new_in(dir: &Path, name: &str) -> Result<StagingDir, Diagnostic> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNT: AtomicU64 = AtomicU64::new(0);
        let path = dir.join(format!(
            ".{name}.new-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir(&path).map_err(|e| cannot(&path, "create a staging folder", e))?;
        Ok(StagingDir { path })
    }

    /// The folder's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for StagingDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
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

    #[cfg(unix)]
    #[test]
    fn a_file_gets_the_mode_of_any_new_file_not_a_private_one() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let plain = tmp.path().join("plain.txt");
        std::fs::write(&plain, "x").unwrap();
        let atomic = tmp.path().join("atomic.txt");
        write_atomically(&atomic, b"x").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        // Under the usual umask (022) both are 0644; a temporary file's
        // private 0600 would differ.
        assert_eq!(mode(&atomic), mode(&plain));
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
        for kept in [0o640, 0o600, 0o755, 0o664] {
            let path = tmp.path().join(format!("f{kept:o}"));
            std::fs::write(&path, "old").unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(kept)).unwrap();
            write_atomically(&path, b"new").unwrap();
            assert_eq!(mode(&path), kept, "{}", path.display());
            assert_eq!(std::fs::read(&path).unwrap(), b"new");
        }
    }

    #[test]
    fn a_staged_file_is_removed_when_dropped_and_renamed_when_committed() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("book.pdf");
        std::fs::write(&target, "old").unwrap();
        let staged = stage(&target, b"new").unwrap();
        let staging = staged.path().to_path_buf();
        assert!(staging.is_file());
        assert!(
            staging
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with('.')
        );
        drop(staged);
        assert!(!staging.exists());
        assert_eq!(std::fs::read(&target).unwrap(), b"old");

        // Removed under its owner (as `abandon_staged` does, tested with
        // Ctrl-C in tests/watch.rs: here it would take other tests' files):
        // the commit finds nothing to rename, and the old file stays.
        let staged = stage(&target, b"new").unwrap();
        std::fs::remove_file(staged.path()).unwrap();
        assert!(staged.commit().is_err());
        assert_eq!(std::fs::read(&target).unwrap(), b"old");

        stage(&target, b"new").unwrap().commit().unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        let names: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "nothing left beside it");
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
