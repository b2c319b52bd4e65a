//! Formatted citation scopes, kept between builds.
//!
//! hayagriva takes about a millisecond per citation with a style such as
//! Chicago, so a book of 5,000 citations would spend seconds formatting
//! text that has not changed since the last build. A scope (a chapter's
//! citations and reference list) is formatted again only when what it
//! depends on changes ([`CitationScope::key`]): its citations, its
//! language, the bibliography or the style. Scopes are remembered in the
//! process (for `watch`'s rebuilds) and in git's folder
//! (`.git/ouvrage/citations.json`, never in the working tree) for the next
//! command; a book outside git only has the first. A file that cannot be
//! read is ignored and rewritten.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

use super::format::{CitationScope, FormattedScope};

/// Raised when the file's layout changes, so that older files are ignored.
const VERSION: u32 = 1;

/// Scopes formatted or read by this process, by key, the files read, and
/// the keys last written to each.
#[derive(Default)]
struct Memo {
    read: HashSet<PathBuf>,
    scopes: HashMap<u128, Arc<FormattedScope>>,
    written: HashMap<PathBuf, HashSet<u128>>,
}

static MEMO: LazyLock<Mutex<Memo>> = LazyLock::new(Default::default);

fn memo() -> MutexGuard<'static, Memo> {
    MEMO.lock().unwrap_or_else(|e| e.into_inner())
}

/// The file as written.
#[derive(Serialize, Deserialize)]
struct File {
    version: u32,
    /// By key, in hexadecimal.
    scopes: HashMap<String, Arc<FormattedScope>>,
}

/// The formatted scopes one run of the citations pass uses.
pub struct ScopeStore {
    path: Option<PathBuf>,
    used: Mutex<HashMap<u128, Arc<FormattedScope>>>,
    formatted: std::sync::atomic::AtomicBool,
}

impl ScopeStore {
    /// The store of the book at `root`: its file is read the first time
    /// this process opens it.
    pub fn open(root: &Path) -> ScopeStore {
        let path = crate::git::git_dir(root).map(|git| git.join("ouvrage").join("citations.json"));
        if let Some(path) = &path {
            let mut memo = memo();
            if memo.read.insert(path.clone())
                && let Some(file) = std::fs::read(path)
                    .ok()
                    .and_then(|bytes| serde_json::from_slice::<File>(&bytes).ok())
                    .filter(|file| file.version == VERSION)
            {
                for (key, scope) in file.scopes {
                    if let Ok(key) = u128::from_str_radix(&key, 16) {
                        memo.scopes.entry(key).or_insert(scope);
                    }
                }
            }
        }
        ScopeStore {
            path,
            used: Mutex::default(),
            formatted: Default::default(),
        }
    }

    /// `scope` formatted, by this run, an earlier one or hayagriva now.
    /// Safe to call from several threads.
    pub fn format(&self, scope: &CitationScope<'_>) -> Arc<FormattedScope> {
        let key = scope.key();
        let found = memo().scopes.get(&key).cloned();
        let formatted = found.unwrap_or_else(|| {
            let formatted = Arc::new(scope.format());
            self.formatted
                .store(true, std::sync::atomic::Ordering::Relaxed);
            let mut memo = memo();
            if memo.scopes.len() > 10_000 {
                memo.scopes.clear();
            }
            memo.scopes.insert(key, formatted.clone());
            formatted
        });
        self.used
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, formatted.clone());
        formatted
    }

    /// Writes the scopes this run used, atomically, when it had to format
    /// any; those no longer used are dropped. A failure only costs the next
    /// run its speed.
    ///
    /// In a process that ran the pass before (`watch`), the scopes it last
    /// wrote are kept too: its later runs see only the chapters whose text
    /// changed (see [`crate::passes::memo`]), and the next command must
    /// find the others'. What such a session wrote and stopped using is
    /// dropped by the next command that formats.
    pub fn save(self) {
        let (Some(path), true) = (self.path, self.formatted.into_inner()) else {
            return;
        };
        let mut used = self.used.into_inner().unwrap_or_else(|e| e.into_inner());
        {
            let mut memo = memo();
            let earlier: Vec<(u128, Arc<FormattedScope>)> = memo
                .written
                .get(&path)
                .into_iter()
                .flatten()
                .filter_map(|key| Some((*key, memo.scopes.get(key)?.clone())))
                .collect();
            used.extend(earlier);
            memo.written
                .insert(path.clone(), used.keys().copied().collect());
        }
        let file = File {
            version: VERSION,
            scopes: used
                .into_iter()
                .map(|(key, scope)| (format!("{key:032x}"), scope))
                .collect(),
        };
        if let Ok(bytes) = serde_json::to_vec(&file) {
            // What a killed run left beside the store goes first.
            if let Some(dir) = path.parent() {
                crate::atomic::remove_stale(dir, false);
            }
            let _ = crate::atomic::write_atomically(&path, &bytes);
        }
    }
}
