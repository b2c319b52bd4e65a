//! What the history walk learnt about each commit, kept between runs.
//!
//! A commit never changes (its id is the hash of its content), so what it
//! changed under the chapters folder, its parents, tree, author and message
//! can be remembered. `status` then reads only the commits made since the
//! last run, as git's own commit-graph spares `git log` the parsing. The
//! file lives in git's folder (`.git/ouvrage/`), never in the working tree;
//! a file that cannot be read is ignored and rewritten, and the mailmap and
//! contributors are applied after reading, so they may change freely.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Change;

/// Raised when the format changes, so that older files are ignored.
const VERSION: u32 = 3;

/// An object id as its 20 bytes (SHA-1; a repository with longer ids is
/// walked without the cache).
pub(super) type Id = [u8; 20];

/// The bytes of `oid`, when it is a SHA-1.
pub(super) fn id(oid: &git2::Oid) -> Option<Id> {
    oid.as_bytes().try_into().ok()
}

fn oid(id: &Id) -> Option<git2::Oid> {
    git2::Oid::from_bytes(id).ok()
}

/// One commit as cached.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Entry {
    pub parents: Vec<Id>,
    pub tree: Id,
    /// Author name and email as recorded (before .mailmap).
    pub name: String,
    pub email: String,
    /// Committer name and email as recorded.
    pub committer_name: String,
    pub committer_email: String,
    /// An event's signature and the payload it signs.
    pub signature: Option<(String, Vec<u8>)>,
    pub time: i64,
    pub commit_time: i64,
    pub message: String,
    pub changes: Vec<CachedChange>,
    /// Whether its tree is its only parent's (a review event).
    pub empty: bool,
}

impl Entry {
    /// The parents' and tree's ids.
    pub fn ids(&self) -> Option<(Vec<git2::Oid>, git2::Oid)> {
        let parents = self.parents.iter().map(oid).collect::<Option<_>>()?;
        Some((parents, oid(&self.tree)?))
    }
}

/// A [`Change`] as cached.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct CachedChange {
    old_path: Option<String>,
    new_path: Option<String>,
    old_blob: Option<Id>,
    new_blob: Option<Id>,
}

impl CachedChange {
    pub fn from_change(change: &Change) -> Option<CachedChange> {
        let blob = |b: &Option<git2::Oid>| match b {
            Some(b) => id(b).map(Some),
            None => Some(None),
        };
        Some(CachedChange {
            old_path: change.old_path.clone(),
            new_path: change.new_path.clone(),
            old_blob: blob(&change.old_blob)?,
            new_blob: blob(&change.new_blob)?,
        })
    }

    pub fn to_change(&self) -> Option<Change> {
        let blob = |b: &Option<Id>| match b {
            Some(b) => oid(b).map(Some),
            None => Some(None),
        };
        Some(Change {
            old_path: self.old_path.clone(),
            new_path: self.new_path.clone(),
            old_blob: blob(&self.old_blob)?,
            new_blob: blob(&self.new_blob)?,
        })
    }
}

/// The file: postcard (compact binary serde), read in a few milliseconds
/// where JSON of 10,000 commits took forty.
#[derive(Serialize, Deserialize)]
struct File {
    version: u32,
    /// The folder (from the repository's root) whose changes are recorded.
    dir: String,
    /// What decided reachability when the file was written (the shallow
    /// boundary, grafts, replace refs): entries of another are not used.
    reachability: String,
    commits: Vec<(Id, Entry)>,
}

/// The cache files being written ([`HistoryCache::save`]).
static WRITING: std::sync::Mutex<Vec<std::thread::JoinHandle<()>>> =
    std::sync::Mutex::new(Vec::new());

/// Waits for the history caches being written, so that the process does
/// not end in the middle of one (which would only cost the next run its
/// speed: the file is replaced atomically).
pub fn finish_writes() {
    let pending = std::mem::take(&mut *WRITING.lock().unwrap_or_else(|e| e.into_inner()));
    for writing in pending {
        let _ = writing.join();
    }
}

/// The cache of one folder's history.
pub(super) struct HistoryCache {
    path: PathBuf,
    dir: String,
    reachability: String,
    entries: HashMap<git2::Oid, Entry>,
    changed: bool,
}

impl HistoryCache {
    /// Reads the cache of `dir`'s history from git's folder; empty when
    /// there is none, it cannot be read, or it was written under another
    /// `reachability` key (a shallow clone since deepened, a new graft or
    /// replace ref: the parents it recorded may be wrong).
    pub fn load(git_dir: &Path, dir: &str, reachability: &str) -> HistoryCache {
        let name: String = dir
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let path = git_dir.join("ouvrage").join(format!("history-{name}.bin"));
        let entries = std::fs::read(&path)
            .ok()
            .and_then(|bytes| postcard::from_bytes::<File>(&bytes).ok())
            .filter(|file| {
                file.version == VERSION && file.dir == dir && file.reachability == reachability
            })
            .map(|file| {
                file.commits
                    .into_iter()
                    .filter_map(|(id, entry)| Some((oid(&id)?, entry)))
                    .collect()
            })
            .unwrap_or_default();
        HistoryCache {
            path,
            dir: dir.to_string(),
            reachability: reachability.to_string(),
            entries,
            changed: false,
        }
    }

    pub fn get(&self, id: &git2::Oid) -> Option<&Entry> {
        self.entries.get(id)
    }

    pub fn insert(&mut self, id: git2::Oid, entry: Entry) {
        self.entries.insert(id, entry);
        self.changed = true;
    }

    /// Forgets the commits no longer reachable (rebased or reset away).
    pub fn keep_only(&mut self, reachable: &std::collections::HashSet<git2::Oid>) {
        let before = self.entries.len();
        self.entries.retain(|id, _| reachable.contains(id));
        self.changed |= self.entries.len() != before;
    }

    /// Writes the cache if it learnt something, atomically, on a thread of
    /// its own: 10,000 commits take a few milliseconds to write, and what
    /// comes next (the report) needs none of it. [`finish_writes`] waits
    /// for it; a failure only costs the next run its speed.
    pub fn save(self) {
        if !self.changed {
            return;
        }
        let writing = std::thread::Builder::new()
            .name("history cache".into())
            .spawn(move || self.write());
        let mut pending = WRITING.lock().unwrap_or_else(|e| e.into_inner());
        pending.retain(|w| !w.is_finished());
        pending.extend(writing.ok());
    }

    fn write(self) {
        let file = File {
            version: VERSION,
            dir: self.dir,
            reachability: self.reachability,
            commits: self
                .entries
                .into_iter()
                .filter_map(|(oid, entry)| Some((id(&oid)?, entry)))
                .collect(),
        };
        if let Ok(bytes) = postcard::to_allocvec(&file) {
            // What a killed run left beside the cache goes first.
            if let Some(dir) = self.path.parent() {
                crate::atomic::remove_stale(dir, false);
            }
            let _ = crate::atomic::write_atomically(&self.path, &bytes);
        }
    }
}
