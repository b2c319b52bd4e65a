//! Files and folders replaced, never half-written: the bottom of every
//! stage that writes (renderers, `watch`, the caches of the history and of
//! formatted citations, `init` and `new`).
//!
//! Input: the bytes of a file, or a finished folder or file in a staging
//! place beside its target. Output: the target replaced in one rename, so
//! that a reader (or a failed run) sees the old version or the new one.
//!
//! Every staging name is hidden and holds the id of the process that made
//! it: `.NAME.PID-N.partial` (a file), `.NAME.new-PID-N` (a folder),
//! `.NAME.old-PID` (a previous output moved aside). A process killed
//! before it could remove them (`kill -9`, a power cut, Ctrl-C in `build`
//! or `import`) leaves them behind; [`remove_stale`] removes those whose
//! process is gone, or that are older than the running process.

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
    std::sync::LazyLock::force(&STARTED);
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

/// The test hook of `build` and `import` (never set otherwise): with
/// `OUVRAGE_BUILD_HOLD` naming a folder, `build` stops once each output is
/// written into its staging folder, before it replaces the previous one,
/// and `import` once the new book is in its staging folder, before the
/// rename, for as long as `hold-<output name>` (`hold-import`) is in that
/// folder, having written `held-<output name>` there. A test kills the
/// process meanwhile, then checks what the next run leaves.
pub const HOLD_VARIABLE: &str = "OUVRAGE_BUILD_HOLD";

/// Stops at `what` while the test hook says so (see [`HOLD_VARIABLE`]).
pub fn hold(what: &str) {
    let Some(dir) = std::env::var_os(HOLD_VARIABLE).map(PathBuf::from) else {
        return;
    };
    let hold = dir.join(format!("hold-{what}"));
    if !hold.exists() {
        return;
    }
    let _ = std::fs::write(dir.join(format!("held-{what}")), "");
    while hold.exists() {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
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
        std::sync::LazyLock::force(&STARTED);
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

/// When this process started using staging names (before any of its own
/// was made): a name with this process's id that is older was left by an
/// earlier process that had the same id.
static STARTED: std::sync::LazyLock<std::time::SystemTime> =
    std::sync::LazyLock::new(std::time::SystemTime::now);

/// What a staging name says: the process that made it, and whether it is
/// a previous output moved aside (with that output's name).
struct StagingName<'n> {
    pid: u32,
    aside_of: Option<&'n str>,
}

/// Reads a name this module makes (see the module's doc), or `None`.
fn staging_name(name: &str) -> Option<StagingName<'_>> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let hidden = name.strip_prefix('.')?;
    // `.NAME.PID-N.partial`
    if let Some(rest) = hidden.strip_suffix(".partial") {
        let (rest, count) = rest.rsplit_once('-')?;
        let (stem, pid) = rest.rsplit_once('.')?;
        return (digits(count) && digits(pid) && !stem.is_empty()).then(|| StagingName {
            pid: pid.parse().unwrap_or(0),
            aside_of: None,
        });
    }
    // `.NAME.new-PID-N`
    if let Some((rest, count)) = hidden.rsplit_once('-')
        && let Some((stem, pid)) = rest.rsplit_once(".new-")
        && digits(count)
        && digits(pid)
        && !stem.is_empty()
    {
        return Some(StagingName {
            pid: pid.parse().unwrap_or(0),
            aside_of: None,
        });
    }
    // `.NAME.old-PID`
    let (stem, pid) = hidden.rsplit_once(".old-")?;
    (digits(pid) && !stem.is_empty()).then(|| StagingName {
        pid: pid.parse().unwrap_or(0),
        aside_of: Some(stem),
    })
}

/// Whether process `pid` runs (or may: where this cannot be asked, and for
/// an id that names no single process, the answer is yes, so that nothing
/// is removed).
fn alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(id) = libc::pid_t::try_from(pid) else {
            return true;
        };
        if id <= 0 {
            return true;
        }
        // Signal 0 checks that the process exists and sends nothing.
        // SAFETY: kill(2) with signal 0 has no effect on any process.
        let found = unsafe { libc::kill(id, 0) } == 0;
        found || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Whether the entry at `path` named `name` was left by a process that is
/// gone, or by an earlier process with this one's id.
fn is_stale(path: &Path, name: &StagingName<'_>) -> bool {
    if name.pid == std::process::id() {
        // With a margin for file systems that keep times to the second or
        // two: never one of this process's own.
        let margin = std::time::Duration::from_secs(3);
        let modified = std::fs::symlink_metadata(path).and_then(|m| m.modified());
        return modified.is_ok_and(|m| m + margin < *STARTED);
    }
    !alive(name.pid)
}

/// Removes from `dir` (and, with `deep`, from its subfolders) the staging
/// files and folders that a killed process of ours left. A previous output
/// moved aside whose output is missing (the process was killed between the
/// two renames of [`replace`]) is put back instead. Entries of a process
/// that still runs (another `build`, a `watch`) are left alone, and so is
/// anything this module did not name. Returns how many were cleaned.
pub fn remove_stale(dir: &Path, deep: bool) -> usize {
    std::sync::LazyLock::force(&STARTED);
    let mut cleaned = 0;
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            match staging_name(&name) {
                Some(staging) if is_stale(&path, &staging) => {
                    if let Some(output) = staging.aside_of {
                        let target = folder.join(output);
                        if !target.exists() && std::fs::rename(&path, &target).is_ok() {
                            cleaned += 1;
                            continue;
                        }
                    }
                    let removed = if is_dir {
                        std::fs::remove_dir_all(&path)
                    } else {
                        std::fs::remove_file(&path)
                    };
                    cleaned += usize::from(removed.is_ok());
                }
                Some(_) => {}
                None if deep && is_dir => folders.push(path),
                None => {}
            }
        }
    }
    cleaned
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
    fn staging_names_say_their_process() {
        let pid = |n: &str| staging_name(n).map(|s| (s.pid, s.aside_of.map(str::to_string)));
        assert_eq!(pid(".book.pdf.new-4242-0"), Some((4242, None)));
        assert_eq!(pid(".a.new-b.html.17-3.partial"), Some((17, None)));
        assert_eq!(pid(".html.old-99"), Some((99, Some("html".into()))));
        for other in [
            "book.pdf.new-1-2",
            ".notes",
            ".x.new-1",
            ".x.new-a-1",
            ".x.1-a.partial",
            ".x.old-",
            ".new-1-2",
            ".gitignore",
        ] {
            assert!(staging_name(other).is_none(), "{other}");
        }
    }

    /// The id of a process that has exited.
    #[cfg(unix)]
    fn dead_pid() -> u32 {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert!(!alive(pid));
        pid
    }

    #[cfg(unix)]
    #[test]
    fn stale_staging_entries_go_and_a_moved_aside_output_comes_back() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path();
        let dead = dead_pid();
        let w = |rel: &str| {
            let path = out.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        };
        // A killed build's: the PDF's staging folder, a site moved aside
        // before the new one took its place (the site is missing), an
        // EPUB moved aside after (the EPUB is there).
        w(&format!(".book.pdf.new-{dead}-0/book.pdf"));
        w(&format!(".html.old-{dead}/index.html"));
        w(&format!(".book.epub.old-{dead}"));
        w("book.epub");
        // A killed watch's staging file deep in the site.
        w(&format!("draft/html/.a.html.{dead}-7.partial"));
        // Another process that runs (init, pid 1), this process's own new
        // one, and what is not ours: kept.
        w(".book.pdf.new-1-0/book.pdf");
        let own = stage(&out.join("mine.txt"), b"x").unwrap();
        w("draft/.notes");
        w("draft/book.new-12-3");
        assert_eq!(remove_stale(out, true), 4);
        let mut left: Vec<String> = Vec::new();
        let mut folders = vec![out.to_path_buf()];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(folder).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path.clone());
                }
                left.push(path.strip_prefix(out).unwrap().display().to_string());
            }
        }
        left.sort();
        let own_name = own
            .path()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let mut expected = vec![
            ".book.pdf.new-1-0".to_string(),
            ".book.pdf.new-1-0/book.pdf".to_string(),
            "book.epub".to_string(),
            "draft".to_string(),
            "draft/.notes".to_string(),
            "draft/book.new-12-3".to_string(),
            "draft/html".to_string(),
            "html".to_string(),
            "html/index.html".to_string(),
            own_name,
        ];
        expected.sort();
        assert_eq!(left, expected);
        // Shallow: the subfolders are not looked at.
        w(&format!("sub/.a.{dead}-1.partial"));
        assert_eq!(remove_stale(out, false), 0);
        assert_eq!(remove_stale(out, true), 1);
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
