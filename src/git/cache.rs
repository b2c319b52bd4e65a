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
const VERSION: u32 = 1;

/// One commit as cached.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Entry {
    pub parents: Vec<String>,
    pub tree: String,
    /// Author name and email as recorded (before .mailmap).
    pub name: String,
    pub email: String,
    pub time: i64,
    pub commit_time: i64,
    pub message: String,
    pub changes: Vec<CachedChange>,
    /// Whether its tree is its only parent's (a review event).
    pub empty: bool,
}

/// A [`Change`] as cached.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct CachedChange {
    old_path: Option<String>,
    new_path: Option<String>,
    old_blob: Option<String>,
    new_blob: Option<String>,
}

impl CachedChange {
    pub fn from_change(change: &Change) -> CachedChange {
        CachedChange {
            old_path: change.old_path.clone(),
            new_path: change.new_path.clone(),
            old_blob: change.old_blob.map(|o| o.to_string()),
            new_blob: change.new_blob.map(|o| o.to_string()),
        }
    }

    pub fn to_change(&self) -> Option<Change> {
        let oid = |s: &Option<String>| -> Option<Option<git2::Oid>> {
            match s {
                Some(s) => git2::Oid::from_str(s).ok().map(Some),
                None => Some(None),
            }
        };
        Some(Change {
            old_path: self.old_path.clone(),
            new_path: self.new_path.clone(),
            old_blob: oid(&self.old_blob)?,
            new_blob: oid(&self.new_blob)?,
        })
    }
}

#[derive(Serialize, Deserialize)]
struct File {
    version: u32,
    /// The folder (from the repository's root) whose changes are recorded.
    dir: String,
    commits: HashMap<String, Entry>,
}

/// The cache of one folder's history.
pub(super) struct HistoryCache {
    path: PathBuf,
    dir: String,
    entries: HashMap<git2::Oid, Entry>,
    changed: bool,
}

impl HistoryCache {
    /// Reads the cache of `dir`'s history from git's folder; empty when
    /// there is none or it cannot be read.
    pub fn load(git_dir: &Path, dir: &str) -> HistoryCache {
        let name: String = dir
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let path = git_dir.join("ouvrage").join(format!("history-{name}.json"));
        let entries = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<File>(&bytes).ok())
            .filter(|file| file.version == VERSION && file.dir == dir)
            .map(|file| {
                file.commits
                    .into_iter()
                    .filter_map(|(id, entry)| Some((git2::Oid::from_str(&id).ok()?, entry)))
                    .collect()
            })
            .unwrap_or_default();
        HistoryCache {
            path,
            dir: dir.to_string(),
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

    /// Writes the cache if it learnt something, atomically; a failure only
    /// costs the next run its speed.
    pub fn save(self) {
        if !self.changed {
            return;
        }
        let Some(folder) = self.path.parent() else {
            return;
        };
        let file = File {
            version: VERSION,
            dir: self.dir,
            commits: self
                .entries
                .into_iter()
                .map(|(id, entry)| (id.to_string(), entry))
                .collect(),
        };
        let write = || -> std::io::Result<()> {
            std::fs::create_dir_all(folder)?;
            let mut tmp = tempfile::NamedTempFile::new_in(folder)?;
            let mut out = std::io::BufWriter::new(tmp.as_file_mut());
            serde_json::to_writer(&mut out, &file)?;
            std::io::Write::flush(&mut out)?;
            drop(out);
            tmp.persist(&self.path).map_err(|e| e.error)?;
            Ok(())
        };
        let _ = write();
    }
}
