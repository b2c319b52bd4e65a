//! Which files concern the book, watched with notify, and the changes
//! gathered into one batch per burst of saves.
//!
//! Only what the book reads is watched: its root (book.toml,
//! contributors.toml, the bibliography, .mailmap), the chapters, the
//! templates, the fonts, the folders of its images, and git's HEAD and refs
//! (a checkout, a pull or a review commit). The output folder is never
//! watched, nor git's objects.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher as _};

/// A burst ends after this long without a relevant change. An editor's save
/// (a write, or a temporary file renamed over the chapter) comes as events
/// less than a millisecond apart; a longer burst (a checkout) that outlasts
/// it only costs a second rebuild.
pub const QUIET: Duration = Duration::from_millis(10);
/// A burst never holds a rebuild back longer than this.
pub const LONGEST: Duration = Duration::from_millis(1000);

/// What decides whether a changed path concerns the book.
#[derive(Debug, Clone)]
pub struct Relevance {
    root: PathBuf,
    out: PathBuf,
    git_dir: Option<PathBuf>,
    root_files: HashSet<String>,
}

impl Relevance {
    /// For the book at `root` building into `out`, with git's folder if any,
    /// and the names of the root files the book reads besides the fixed ones.
    pub fn new(root: &Path, out: &Path, git_dir: Option<PathBuf>, extra: &[String]) -> Self {
        let mut root_files: HashSet<String> = [
            crate::load::BOOK_FILE,
            crate::load::CONTRIBUTORS_FILE,
            ".mailmap",
            crate::load::CHAPTERS_DIR,
            crate::templates::DIR,
            "fonts",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        root_files.extend(extra.iter().cloned());
        Relevance {
            root: root.to_path_buf(),
            out: out.to_path_buf(),
            git_dir,
            root_files,
        }
    }

    /// Whether a change to `path` calls for a rebuild.
    pub fn concerns(&self, path: &Path) -> bool {
        if path.starts_with(&self.out) {
            return false;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(git) = &self.git_dir
            && let Ok(rel) = path.strip_prefix(git)
        {
            // Lock files come and go around every ref update; the rename
            // that ends it is the change.
            return !name.ends_with(".lock")
                && (rel == Path::new("HEAD")
                    || rel == Path::new("packed-refs")
                    || rel.starts_with("refs"));
        }
        if path.parent() == Some(self.root.as_path()) {
            return self.root_files.contains(&name)
                || self.root_files.iter().any(|f| {
                    // A bibliography in a subfolder: its folder's events.
                    Path::new(f)
                        .components()
                        .next()
                        .is_some_and(|c| c.as_os_str() == name.as_str())
                });
        }
        // Editors' swap and backup files.
        !(name.ends_with('~')
            || name.ends_with(".swp")
            || name.ends_with(".swx")
            || name.starts_with(".#")
            || name == "4913")
    }
}

/// The notify watcher and what it watches.
pub struct Watch {
    watcher: notify::RecommendedWatcher,
    watched: Vec<(PathBuf, RecursiveMode)>,
    relevance: std::sync::Arc<std::sync::RwLock<Relevance>>,
}

impl Watch {
    /// Starts watching; relevant paths go to `tx`.
    pub fn start(relevance: Relevance, tx: Sender<PathBuf>) -> notify::Result<Watch> {
        let relevance = std::sync::Arc::new(std::sync::RwLock::new(relevance));
        let shared = relevance.clone();
        let watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            let Ok(event) = res else { return };
            if matches!(event.kind, notify::EventKind::Access(_)) {
                return;
            }
            let relevance = shared.read().unwrap_or_else(|e| e.into_inner());
            for path in event.paths {
                if relevance.concerns(&path) {
                    let _ = tx.send(path);
                }
            }
        })?;
        Ok(Watch {
            watcher,
            watched: Vec::new(),
            relevance,
        })
    }

    /// Watches exactly `folders` (recursively), the root and git's refs.
    pub fn update(&mut self, folders: &[PathBuf], root_files: &[String]) {
        let (root, git_dir) = {
            let mut relevance = self.relevance.write().unwrap_or_else(|e| e.into_inner());
            let fresh = Relevance::new(
                &relevance.root,
                &relevance.out,
                relevance.git_dir.clone(),
                root_files,
            );
            *relevance = fresh;
            (relevance.root.clone(), relevance.git_dir.clone())
        };
        let mut wanted: Vec<(PathBuf, RecursiveMode)> = vec![(root, RecursiveMode::NonRecursive)];
        for folder in folders.iter().filter(|f| f.is_dir()) {
            wanted.push((folder.clone(), RecursiveMode::Recursive));
        }
        if let Some(git) = git_dir {
            wanted.push((git.clone(), RecursiveMode::NonRecursive));
            wanted.push((git.join("refs"), RecursiveMode::Recursive));
        }
        for (path, _) in self.watched.iter().filter(|w| !wanted.contains(w)) {
            let _ = self.watcher.unwatch(path);
        }
        let mut now = Vec::new();
        for entry in wanted {
            if self.watched.contains(&entry) || self.watcher.watch(&entry.0, entry.1).is_ok() {
                now.push(entry);
            }
        }
        self.watched = now;
    }
}

/// Waits for the next burst of changes and returns its paths (none when
/// the watcher is gone).
pub fn next_burst(rx: &Receiver<PathBuf>) -> Option<Vec<PathBuf>> {
    let first = rx.recv().ok()?;
    let started = Instant::now();
    let mut paths = vec![first];
    while started.elapsed() < LONGEST {
        match rx.recv_timeout(QUIET) {
            Ok(path) => paths.push(path),
            Err(RecvTimeoutError::Timeout) => break,
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    paths.sort();
    paths.dedup();
    Some(paths)
}

#[cfg(test)]
mod tests {
    use super::Relevance;
    use std::path::{Path, PathBuf};

    #[test]
    fn what_concerns_the_book() {
        let r = Relevance::new(
            Path::new("/b"),
            Path::new("/b/_book"),
            Some(PathBuf::from("/b/.git")),
            &["references.bib".to_string()],
        );
        for yes in [
            "/b/book.toml",
            "/b/references.bib",
            "/b/chapters/01-a.md",
            "/b/chapters/images/x.png",
            "/b/.git/HEAD",
            "/b/.git/refs/heads/main",
            "/b/templates",
        ] {
            assert!(r.concerns(Path::new(yes)), "{yes}");
        }
        for no in [
            "/b/_book/html/index.html",
            "/b/README.md",
            "/b/Cargo.lock",
            "/b/.git/objects/ab/cdef",
            "/b/.git/refs/heads/main.lock",
            "/b/.git/ouvrage/history-chapters.bin",
            "/b/.git/ouvrage/citations.json",
            "/b/.git/index",
            "/b/chapters/.01-a.md.swp",
            "/b/chapters/01-a.md~",
        ] {
            assert!(!r.concerns(Path::new(no)), "{no}");
        }
    }
}
