//! Which files concern the book, watched with notify, and the changes
//! gathered into one batch per burst of saves.
//!
//! Only what the book reads is watched: its root (book.toml,
//! contributors.toml, the bibliography, .mailmap), the chapters, the
//! templates, the fonts, the folders of its images and of the files it
//! names that do not exist yet, and git's HEAD and refs (a checkout, a pull
//! or a review commit). The output folder is never watched, nor git's
//! objects; a path the loader skips ([`crate::load::ignores`]: editors'
//! swap, backup and temporary files) is no change. A watched folder that is
//! deleted and made again (`rm -rf chapters; git checkout -- chapters`) is
//! watched again before the next rebuild reads it ([`Watch::rearm`]).

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
/// While git holds its index lock (a checkout, a pull, a stash, a merge
/// writes the working tree), the burst waits for it to be released, up to
/// this long after its first change.
pub const GIT_LONGEST: Duration = Duration::from_secs(10);

/// What the watcher reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A path that concerns the book changed.
    Path(PathBuf),
    /// git took (`true`) or released (`false`) its index lock.
    Git(bool),
}

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

    /// Whether `path` is git's index lock, and then whether it is held.
    pub fn git_lock(&self, path: &Path) -> Option<bool> {
        let git = self.git_dir.as_ref()?;
        (path == git.join("index.lock")).then(|| path.exists())
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
        let Ok(rel) = path.strip_prefix(&self.root) else {
            return false;
        };
        if crate::load::ignores(rel) {
            return false;
        }
        if path.parent() == Some(self.root.as_path()) {
            return self.root_files.contains(&name)
                || self.root_files.iter().any(|f| {
                    // A file the book reads in a subfolder: its folder's events.
                    Path::new(f)
                        .components()
                        .next()
                        .is_some_and(|c| c.as_os_str() == name.as_str())
                });
        }
        true
    }
}

/// The notify watcher, what it should watch and what it watches.
pub struct Watch {
    watcher: notify::RecommendedWatcher,
    /// The folders asked for (watched while they exist).
    wanted: Vec<(PathBuf, RecursiveMode)>,
    /// The folders watched, with the identity they had then.
    armed: Vec<(PathBuf, RecursiveMode, Identity)>,
    relevance: std::sync::Arc<std::sync::RwLock<Relevance>>,
    /// Paths removed since the last [`Watch::rearm`], as notify reported
    /// them.
    removed: std::sync::Arc<std::sync::Mutex<HashSet<PathBuf>>>,
}

/// A folder's device, inode and creation time: a folder deleted and made
/// again is another one (even when the system gives it the freed inode
/// number again), and notify's watch went with the first.
type Identity = (u64, u64, Option<std::time::SystemTime>);

fn identity(path: &Path) -> Option<Identity> {
    let meta = std::fs::metadata(path).ok().filter(|m| m.is_dir())?;
    let created = meta.created().ok();
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino(), created))
    }
    #[cfg(not(unix))]
    {
        Some((0, 0, created))
    }
}

impl Watch {
    /// Starts watching; changes go to `tx`.
    pub fn start(relevance: Relevance, tx: Sender<Change>) -> notify::Result<Watch> {
        let relevance = std::sync::Arc::new(std::sync::RwLock::new(relevance));
        let shared = relevance.clone();
        let removed: std::sync::Arc<std::sync::Mutex<HashSet<PathBuf>>> = Default::default();
        let removals = removed.clone();
        let watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            let Ok(event) = res else { return };
            if matches!(event.kind, notify::EventKind::Access(_)) {
                return;
            }
            if matches!(
                event.kind,
                notify::EventKind::Remove(_)
                    | notify::EventKind::Modify(notify::event::ModifyKind::Name(_))
            ) {
                let mut removed = removals.lock().unwrap_or_else(|e| e.into_inner());
                removed.extend(event.paths.iter().cloned());
            }
            let relevance = shared.read().unwrap_or_else(|e| e.into_inner());
            for path in event.paths {
                if let Some(held) = relevance.git_lock(&path) {
                    let _ = tx.send(Change::Git(held));
                } else if relevance.concerns(&path) {
                    let _ = tx.send(Change::Path(path));
                }
            }
        })?;
        Ok(Watch {
            watcher,
            wanted: Vec::new(),
            armed: Vec::new(),
            relevance,
            removed,
        })
    }

    /// Watches `folders` (recursively, once each exists), the root and
    /// git's refs; `root_files` are the root's files the book reads besides
    /// the fixed ones (the bibliography), and the first folder of each
    /// watched folder counts as one, so that its creation is heard.
    pub fn update(&mut self, folders: &[PathBuf], root_files: &[String]) {
        let (root, git_dir) = {
            let mut relevance = self.relevance.write().unwrap_or_else(|e| e.into_inner());
            let mut extra = root_files.to_vec();
            extra.extend(folders.iter().filter_map(|f| {
                let first = f.strip_prefix(&relevance.root).ok()?.components().next()?;
                Some(first.as_os_str().to_string_lossy().into_owned())
            }));
            let fresh = Relevance::new(
                &relevance.root,
                &relevance.out,
                relevance.git_dir.clone(),
                &extra,
            );
            *relevance = fresh;
            (relevance.root.clone(), relevance.git_dir.clone())
        };
        let mut wanted: Vec<(PathBuf, RecursiveMode)> = vec![(root, RecursiveMode::NonRecursive)];
        for folder in folders {
            wanted.push((folder.clone(), RecursiveMode::Recursive));
        }
        if let Some(git) = git_dir {
            wanted.push((git.clone(), RecursiveMode::NonRecursive));
            wanted.push((git.join("refs"), RecursiveMode::Recursive));
        }
        self.wanted = wanted;
        self.rearm();
    }

    /// Brings the watches in line with the folders as they are now: a
    /// wanted folder that appeared is watched, one deleted is dropped, one
    /// deleted and made again is watched again. Called before each rebuild
    /// reads the files, so that a change made after the rebuild started is
    /// heard, and one made before is read.
    pub fn rearm(&mut self) {
        let removed = std::mem::take(&mut *self.removed.lock().unwrap_or_else(|e| e.into_inner()));
        let mut armed = Vec::new();
        for (path, mode) in &self.wanted {
            let now = identity(path);
            let before = self
                .armed
                .iter()
                .position(|(p, m, _)| p == path && m == mode);
            // Removed or moved away, itself or a folder above it.
            let lost = removed.iter().any(|r| path.starts_with(r));
            if let Some(i) = before {
                let (_, _, was) = self.armed.swap_remove(i);
                if Some(was) == now && !lost {
                    armed.push((path.clone(), *mode, was));
                    continue;
                }
                let _ = self.watcher.unwatch(path);
            }
            if let Some(id) = now
                && self.watcher.watch(path, *mode).is_ok()
            {
                armed.push((path.clone(), *mode, id));
            }
        }
        for (path, _, _) in self.armed.drain(..) {
            let _ = self.watcher.unwatch(&path);
        }
        self.armed = armed;
    }

    /// The folders watched now.
    pub fn armed(&self) -> Vec<PathBuf> {
        self.armed.iter().map(|(p, _, _)| p.clone()).collect()
    }
}

/// The batching of a burst, decided from the instants its events came at
/// and nothing else (no clock is read here, so that it can be tested with
/// made-up instants): a batch closes once no event came for `quiet` after
/// the last one (a trailing quiet window), or `longest` after its first
/// event, however busy the burst still is (the ceiling). While it is held
/// ([`Debounce::hold`]: git writes the working tree), a batch stays open
/// until released and quiet, up to a longer ceiling.
#[derive(Debug)]
pub struct Debounce<T> {
    quiet: Duration,
    longest: Duration,
    held_longest: Duration,
    items: Vec<T>,
    /// The first and the last event's instants of the open batch.
    span: Option<(Instant, Instant)>,
    /// Held now.
    held: bool,
    /// Held at some point of the open batch.
    was_held: bool,
}

impl<T> Debounce<T> {
    /// An empty batch with this quiet window and ceiling, and `GIT_LONGEST`
    /// as the ceiling of a held batch.
    pub fn new(quiet: Duration, longest: Duration) -> Self {
        Debounce {
            quiet,
            longest,
            held_longest: GIT_LONGEST,
            items: Vec::new(),
            span: None,
            held: false,
            was_held: false,
        }
    }

    /// When the open batch closes if no other event comes; `None` while no
    /// batch is open.
    pub fn deadline(&self) -> Option<Instant> {
        let (first, last) = self.span?;
        if self.held {
            return Some(first + self.held_longest);
        }
        let ceiling = if self.was_held {
            self.held_longest
        } else {
            self.longest
        };
        Some((last + self.quiet).min(first + ceiling))
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
        self.was_held |= self.held;
        self.items.push(item);
    }

    /// Holds the batch open (`true`) or releases it at `at`: released, it
    /// closes after a quiet window from then, as after an event.
    pub fn hold(&mut self, held: bool, at: Instant) {
        self.held = held;
        if let Some((first, last)) = self.span {
            self.was_held = true;
            if !held {
                self.span = Some((first, last.max(at)));
            }
        }
    }

    /// The batch, if it is due at `now`; the next event opens another one.
    pub fn take_due(&mut self, now: Instant) -> Option<Vec<T>> {
        if !self.is_due(now) {
            return None;
        }
        self.span = None;
        self.was_held = false;
        Some(std::mem::take(&mut self.items))
    }
}

/// Waits for the next burst of changes and returns its paths, sorted and
/// without repeats (none when the watcher is gone). The batch is
/// `Debounce`'s, with `QUIET` and `LONGEST`, held while git holds its
/// index lock; an event received while waiting for the batch's deadline
/// belongs to it.
pub fn next_burst(rx: &Receiver<Change>) -> Option<Vec<PathBuf>> {
    let mut batch = Debounce::new(QUIET, LONGEST);
    let receive = |batch: &mut Debounce<PathBuf>, change: Change| match change {
        Change::Path(path) => batch.push(path, Instant::now()),
        Change::Git(held) => batch.hold(held, Instant::now()),
    };
    while batch.deadline().is_none() {
        receive(&mut batch, rx.recv().ok()?);
    }
    let mut paths = loop {
        let now = Instant::now();
        if let Some(paths) = batch.take_due(now) {
            break paths;
        }
        let deadline = batch.deadline().expect("a batch is open");
        match rx.recv_timeout(deadline.saturating_duration_since(now)) {
            Ok(change) => receive(&mut batch, change),
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
    use super::{Change, Debounce, GIT_LONGEST, LONGEST, QUIET, Relevance, next_burst};
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
            tx.send(Change::Path(PathBuf::from(name))).unwrap();
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
    fn a_batch_held_by_git_waits_for_the_release_and_a_quiet_window() {
        let origin = Instant::now();
        let at = |ms: u64| origin + Duration::from_millis(ms);
        let mut debounce = Debounce::new(QUIET, LONGEST);
        // git takes its lock, then writes files for 3 s, with gaps longer
        // than the quiet window and past the ordinary ceiling.
        debounce.hold(true, at(0));
        assert_eq!(debounce.deadline(), None, "a lock alone opens nothing");
        debounce.push("a.md", at(5));
        assert_eq!(debounce.deadline(), Some(at(5) + GIT_LONGEST));
        debounce.push("b.md", at(600));
        assert!(!debounce.is_due(at(1500)), "held past the ordinary ceiling");
        debounce.push("c.md", at(2990));
        debounce.hold(false, at(3000));
        // Released: a quiet window from the release, for HEAD that follows.
        assert_eq!(debounce.deadline(), Some(at(3010)));
        debounce.push("HEAD", at(3004));
        assert_eq!(debounce.deadline(), Some(at(3014)));
        assert_eq!(
            debounce.take_due(at(3014)),
            Some(vec!["a.md", "b.md", "c.md", "HEAD"])
        );
        // The next batch is an ordinary one again.
        debounce.push("d.md", at(5000));
        assert_eq!(debounce.deadline(), Some(at(5010)));
        let _ = debounce.take_due(at(5010));

        // A lock never released (git died): the longer ceiling closes it.
        debounce.hold(true, at(6000));
        debounce.push("e.md", at(6001));
        assert!(!debounce.is_due(at(6000) + GIT_LONGEST));
        assert!(debounce.is_due(at(6001) + GIT_LONGEST));
    }

    #[test]
    fn next_burst_waits_while_git_holds_its_lock() {
        let (tx, rx) = std::sync::mpsc::channel();
        let writer = std::thread::spawn(move || {
            tx.send(Change::Git(true)).unwrap();
            for name in ["a", "b", "c"] {
                tx.send(Change::Path(PathBuf::from(name))).unwrap();
                // Far longer than the quiet window: without the lock, three
                // bursts.
                std::thread::sleep(QUIET * 5);
            }
            tx.send(Change::Git(false)).unwrap();
            tx
        });
        let burst = next_burst(&rx).unwrap();
        assert_eq!(burst, ["a", "b", "c"].map(PathBuf::from));
        drop(writer.join().unwrap());
        assert_eq!(next_burst(&rx), None);
    }

    /// Waits for a change to `path` on `rx`.
    fn heard(rx: &std::sync::mpsc::Receiver<Change>, path: &Path) -> bool {
        let deadline = Instant::now() + Duration::from_secs(30);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match rx.recv_timeout(left) {
                Ok(Change::Path(p)) if p == path => return true,
                Ok(_) => {}
                Err(_) => return false,
            }
        }
        false
    }

    #[test]
    fn a_folder_deleted_and_made_again_is_watched_again() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let chapters = root.join("chapters");
        std::fs::create_dir(&chapters).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let relevance = Relevance::new(&root, &root.join("_book"), None, &[]);
        let mut watch = super::Watch::start(relevance, tx).unwrap();
        watch.update(std::slice::from_ref(&chapters), &[]);
        assert!(watch.armed().contains(&chapters));
        std::fs::write(chapters.join("a.md"), "a").unwrap();
        assert!(heard(&rx, &chapters.join("a.md")));

        std::fs::remove_dir_all(&chapters).unwrap();
        std::fs::create_dir(&chapters).unwrap();
        // What the main loop does before each rebuild.
        watch.rearm();
        std::fs::write(chapters.join("b.md"), "b").unwrap();
        assert!(
            heard(&rx, &chapters.join("b.md")),
            "a change in the new folder is heard"
        );

        // A wanted folder that does not exist is watched once it does.
        let figures = root.join("figures");
        watch.update(&[chapters.clone(), figures.clone()], &[]);
        assert!(!watch.armed().contains(&figures));
        std::fs::create_dir(&figures).unwrap();
        assert!(heard(&rx, &figures), "its creation is heard at the root");
        watch.rearm();
        std::fs::write(figures.join("plan.svg"), "<svg/>").unwrap();
        assert!(heard(&rx, &figures.join("plan.svg")));
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
            "/b/chapters/.01-a.md.swo",
            "/b/chapters/01-a.md~",
            "/b/chapters/#01-a.md#",
            "/b/chapters/.#01-a.md",
            "/b/chapters/01-a.md.orig",
            "/b/chapters/.goutputstream-4XZ9N2",
            "/b/chapters/4913",
            "/b/chapters/_drafts/x.md",
            "/b/templates/README.md",
            "/b/templates/book.typ~",
            "/b/book.toml~",
            "/elsewhere/book.toml",
        ] {
            assert!(!r.concerns(Path::new(no)), "{no}");
        }
    }
}
