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

/// The batching of a burst, decided from the instants its events came at
/// and nothing else (no clock is read here, so that it can be tested with
/// made-up instants): a batch closes once no event came for `quiet` after
/// the last one (a trailing quiet window), or `longest` after its first
/// event, however busy the burst still is (the ceiling).
#[derive(Debug)]
pub struct Debounce<T> {
    quiet: Duration,
    longest: Duration,
    items: Vec<T>,
    /// The first and the last event's instants of the open batch.
    span: Option<(Instant, Instant)>,
}

impl<T> Debounce<T> {
    /// An empty batch with this quiet window and ceiling.
    pub fn new(quiet: Duration, longest: Duration) -> Self {
        Debounce {
            quiet,
            longest,
            items: Vec::new(),
            span: None,
        }
    }

    /// When the open batch closes if no other event comes; `None` while no
    /// batch is open.
    pub fn deadline(&self) -> Option<Instant> {
        let (first, last) = self.span?;
        Some((last + self.quiet).min(first + self.longest))
    }

    /// Whether the open batch is closed at `now` (an event at that very
    /// instant would start the next batch).
    pub fn is_due(&self, now: Instant) -> bool {
        self.deadline().is_some_and(|deadline| now >= deadline)
    }

    /// Adds an event that came at `at` to the open batch, or opens one.
    /// The caller takes a batch that is due (`take_due`) before adding the
    /// next event to it.
    pub fn push(&mut self, item: T, at: Instant) {
        self.span = Some(match self.span {
            None => (at, at),
            Some((first, last)) => (first, last.max(at)),
        });
        self.items.push(item);
    }

    /// The batch, if it is due at `now`; the next event opens another one.
    pub fn take_due(&mut self, now: Instant) -> Option<Vec<T>> {
        if !self.is_due(now) {
            return None;
        }
        self.span = None;
        Some(std::mem::take(&mut self.items))
    }
}

/// Waits for the next burst of changes and returns its paths, sorted and
/// without repeats (none when the watcher is gone). The batch is
/// `Debounce`'s, with `QUIET` and `LONGEST`; an event received while
/// waiting for the batch's deadline belongs to it.
pub fn next_burst(rx: &Receiver<PathBuf>) -> Option<Vec<PathBuf>> {
    let mut batch = Debounce::new(QUIET, LONGEST);
    batch.push(rx.recv().ok()?, Instant::now());
    let mut paths = loop {
        let now = Instant::now();
        if let Some(paths) = batch.take_due(now) {
            break paths;
        }
        let deadline = batch.deadline().expect("a batch is open");
        match rx.recv_timeout(deadline.saturating_duration_since(now)) {
            Ok(path) => batch.push(path, Instant::now()),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break batch.items,
        }
    };
    paths.sort();
    paths.dedup();
    Some(paths)
}

#[cfg(test)]
mod tests {
    use super::{Debounce, LONGEST, QUIET, Relevance, next_burst};
    use std::path::{Path, PathBuf};
    use std::time::{Duration, Instant};

    /// Splits a timeline of events (milliseconds after a fixed origin) into
    /// batches as `next_burst` does: before each event the batch due at
    /// its instant is taken; at the end, whatever is open.
    fn batches(times: &[u64]) -> Vec<Vec<u64>> {
        let origin = Instant::now();
        let at = |ms: u64| origin + Duration::from_millis(ms);
        let mut debounce = Debounce::new(QUIET, LONGEST);
        let mut out = Vec::new();
        for &ms in times {
            out.extend(debounce.take_due(at(ms)));
            debounce.push(ms, at(ms));
        }
        out.extend(debounce.take_due(at(u64::MAX / 4)));
        out
    }

    #[test]
    fn the_window_and_the_ceiling_are_ten_ms_and_one_second() {
        assert_eq!(QUIET, Duration::from_millis(10));
        assert_eq!(LONGEST, Duration::from_millis(1000));
    }

    #[test]
    fn a_burst_closer_than_the_quiet_window_is_one_batch() {
        let saves: Vec<u64> = (0..40).map(|i| i * 5).collect();
        assert_eq!(batches(&saves), vec![saves.clone()]);
        // Events at the same instant, and a 9 ms gap, still one batch.
        assert_eq!(batches(&[0, 0, 0, 9, 18]), vec![vec![0, 0, 0, 9, 18]]);
    }

    #[test]
    fn an_event_after_a_quiet_window_starts_a_new_batch() {
        assert_eq!(batches(&[0, 3, 20]), vec![vec![0, 3], vec![20]]);
        // The window is measured from the last event, not the first.
        assert_eq!(batches(&[0, 8, 16, 30]), vec![vec![0, 8, 16], vec![30]]);
        // At exactly the end of the window, the batch is closed.
        assert_eq!(batches(&[0, 10]), vec![vec![0], vec![10]]);
        assert_eq!(
            batches(&[0, 100, 101, 500]),
            vec![vec![0], vec![100, 101], vec![500]]
        );
        assert_eq!(batches(&[7]), vec![vec![7]]);
        assert!(batches(&[]).is_empty());
    }

    #[test]
    fn the_ceiling_cuts_a_never_ending_burst() {
        // An event every 5 ms for 3 s: never 10 ms of quiet.
        let events: Vec<u64> = (0..600).map(|i| i * 5).collect();
        let got = batches(&events);
        assert_eq!(
            got.len(),
            3,
            "{:?}",
            got.iter().map(Vec::len).collect::<Vec<_>>()
        );
        for (n, batch) in got.iter().enumerate() {
            let start = n as u64 * 1000;
            assert_eq!(batch.first(), Some(&start));
            assert_eq!(batch.last(), Some(&(start + 995)));
            assert_eq!(batch.len(), 200);
        }
        assert_eq!(got.concat(), events, "every event in exactly one batch");
    }

    #[test]
    fn the_deadline_is_the_window_after_the_last_event_within_the_ceiling() {
        let origin = Instant::now();
        let at = |ms: u64| origin + Duration::from_millis(ms);
        let mut debounce = Debounce::new(QUIET, LONGEST);
        assert_eq!(debounce.deadline(), None);
        assert!(!debounce.is_due(at(5000)), "nothing open, nothing due");
        assert_eq!(debounce.take_due(at(5000)), None);

        debounce.push("a", at(0));
        assert_eq!(debounce.deadline(), Some(at(10)));
        debounce.push("b", at(6));
        assert_eq!(debounce.deadline(), Some(at(16)));
        // An event stamped earlier than the last one does not shorten it.
        debounce.push("c", at(2));
        assert_eq!(debounce.deadline(), Some(at(16)));
        assert!(!debounce.is_due(at(15)));
        assert_eq!(debounce.take_due(at(15)), None, "not yet: kept open");
        assert!(debounce.is_due(at(16)));
        assert_eq!(debounce.take_due(at(16)), Some(vec!["a", "b", "c"]));
        assert_eq!(debounce.deadline(), None, "taken: nothing open");

        // Near the ceiling, the ceiling is the deadline.
        debounce.push("d", at(100));
        debounce.push("e", at(1095));
        assert_eq!(debounce.deadline(), Some(at(1100)));
        assert_eq!(debounce.take_due(at(1100)), Some(vec!["d", "e"]));
    }

    #[test]
    fn next_burst_delivers_every_path_sorted_and_once_then_ends() {
        let (tx, rx) = std::sync::mpsc::channel();
        for name in ["c", "a", "c", "b", "a"] {
            tx.send(PathBuf::from(name)).unwrap();
        }
        drop(tx);
        // All are queued before the first receive, so they normally make
        // one burst; a thread paused for longer than the window may split
        // them, which changes nothing below.
        let mut seen = Vec::new();
        while let Some(burst) = next_burst(&rx) {
            assert!(!burst.is_empty());
            assert!(burst.windows(2).all(|w| w[0] < w[1]), "{burst:?}");
            seen.extend(burst);
        }
        seen.sort();
        seen.dedup();
        assert_eq!(seen, ["a", "b", "c"].map(PathBuf::from));
    }

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
