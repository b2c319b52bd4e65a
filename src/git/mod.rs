//! The only user of git2 (libgit2). It returns plain values: commits with
//! their author, time, message and the chapter files they changed; blobs;
//! the current branch. Writing is limited to one thing: a review event, an
//! empty commit on the current branch, made without reading or touching the
//! index or the working tree.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Why a git operation could not be done, in the user's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitError {
    /// The book is not inside a git repository.
    NotARepository(PathBuf),
    /// HEAD points at a commit, not a branch.
    DetachedHead,
    /// The repository has no commit yet.
    NoCommits,
    /// git's configuration has no user.name or user.email.
    NoIdentity,
    /// Anything else libgit2 reported.
    Other(String),
}

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GitError::NotARepository(p) => write!(f, "{} is not in a git repository", p.display()),
            GitError::DetachedHead => write!(
                f,
                "HEAD is detached: review events are recorded on a branch"
            ),
            GitError::NoCommits => write!(f, "the repository has no commit yet"),
            GitError::NoIdentity => write!(
                f,
                "git does not know who you are (user.name and user.email)"
            ),
            GitError::Other(m) => write!(f, "git: {m}"),
        }
    }
}

impl From<git2::Error> for GitError {
    fn from(e: git2::Error) -> Self {
        GitError::Other(e.message().to_string())
    }
}

/// A person as git records them (after the book's .mailmap).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Name.
    pub name: String,
    /// Email, lowercase.
    pub email: String,
}

/// One change to a file under the chapters folder, paths relative to the book root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Path before (none when added).
    pub old_path: Option<String>,
    /// Path after (none when deleted).
    pub new_path: Option<String>,
}

/// A commit reachable from HEAD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// Full id.
    pub id: String,
    /// Author, after .mailmap.
    pub author: Person,
    /// Author time, seconds since the Unix epoch.
    pub time: i64,
    /// Full message.
    pub message: String,
    /// Files changed under the chapters folder (against the first parent;
    /// none for merges, whose changes are those of the merged commits).
    pub changes: Vec<Change>,
    /// Whether this commit changes any file at all (review events do not).
    pub empty: bool,
}

/// The current branch and commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// Branch name (e.g. `main`).
    pub branch: String,
    /// Commit id.
    pub commit: String,
}

/// A repository that holds a book.
pub struct Repo {
    repo: git2::Repository,
    /// The book root relative to the repository's working directory, with a
    /// trailing `/` (empty when the book is the repository).
    prefix: String,
    mailmap: Option<git2::Mailmap>,
}

impl Repo {
    /// Opens the repository holding `book_root`.
    pub fn open(book_root: &Path) -> Result<Repo, GitError> {
        // libgit2 re-hashes every object it reads; git itself does not, and
        // on a 10,000-commit history that was a quarter of `status`'s time.
        git2::opts::strict_hash_verification(false);
        let repo = git2::Repository::discover(book_root)
            .map_err(|_| GitError::NotARepository(book_root.to_path_buf()))?;
        let workdir = repo
            .workdir()
            .ok_or_else(|| GitError::Other("the repository is bare".into()))?
            .canonicalize()
            .map_err(|e| GitError::Other(e.to_string()))?;
        let root = book_root
            .canonicalize()
            .map_err(|e| GitError::Other(e.to_string()))?;
        let prefix = root
            .strip_prefix(&workdir)
            .map(|p| {
                let s = p.to_string_lossy().replace('\\', "/");
                if s.is_empty() { s } else { format!("{s}/") }
            })
            .unwrap_or_default();
        let mailmap = std::fs::read_to_string(root.join(".mailmap"))
            .ok()
            .and_then(|text| git2::Mailmap::from_buffer(&text).ok())
            .or_else(|| repo.mailmap().ok());
        Ok(Repo {
            repo,
            prefix,
            mailmap,
        })
    }

    fn person(&self, sig: &git2::Signature<'_>) -> Person {
        let resolved = self
            .mailmap
            .as_ref()
            .and_then(|m| m.resolve_signature(sig).ok());
        let sig = resolved.as_ref().unwrap_or(sig);
        Person {
            name: String::from_utf8_lossy(sig.name_bytes()).into_owned(),
            email: String::from_utf8_lossy(sig.email_bytes()).to_lowercase(),
        }
    }

    /// The current branch and its commit.
    pub fn head(&self) -> Result<Head, GitError> {
        let head = match self.repo.head() {
            Ok(h) => h,
            Err(e) if e.code() == git2::ErrorCode::UnbornBranch => return Err(GitError::NoCommits),
            Err(e) => return Err(e.into()),
        };
        if !head.is_branch() {
            return Err(GitError::DetachedHead);
        }
        let commit = head.peel_to_commit()?;
        Ok(Head {
            branch: head.shorthand().unwrap_or("HEAD").to_string(),
            commit: commit.id().to_string(),
        })
    }

    /// The commit id of HEAD, detached or not.
    pub fn head_commit(&self) -> Result<String, GitError> {
        match self.repo.head() {
            Ok(h) => Ok(h.peel_to_commit()?.id().to_string()),
            Err(e) if e.code() == git2::ErrorCode::UnbornBranch => Err(GitError::NoCommits),
            Err(e) => Err(e.into()),
        }
    }

    /// Who the user is, from git's configuration (after .mailmap).
    pub fn identity(&self) -> Result<Person, GitError> {
        let sig = self.repo.signature().map_err(|_| GitError::NoIdentity)?;
        Ok(self.person(&sig))
    }

    /// The blob id of a book file (path relative to the book root) in HEAD.
    pub fn blob_at_head(&self, path: &str) -> Option<String> {
        let tree = self.repo.head().ok()?.peel_to_tree().ok()?;
        let entry = tree
            .get_path(Path::new(&format!("{}{path}", self.prefix)))
            .ok()?;
        (entry.kind() == Some(git2::ObjectType::Blob)).then(|| entry.id().to_string())
    }

    /// Whether a book file differs in the index or the working tree from HEAD.
    pub fn has_uncommitted_changes(&self, path: &str) -> bool {
        let full = format!("{}{path}", self.prefix);
        let mut options = git2::StatusOptions::new();
        options
            .pathspec(&full)
            .include_untracked(true)
            .disable_pathspec_match(true);
        match self.repo.statuses(Some(&mut options)) {
            Ok(statuses) => statuses.iter().any(|s| s.status() != git2::Status::CURRENT),
            Err(_) => true,
        }
    }

    /// Records a review event: a commit on the current branch whose tree is
    /// HEAD's tree, signed by the user. The index and the working tree are
    /// neither read nor written. Returns the new commit's id.
    pub fn record_event(&self, message: &str) -> Result<String, GitError> {
        let head = self.head()?;
        let parent = self.repo.find_commit(git2::Oid::from_str(&head.commit)?)?;
        let sig = self.repo.signature().map_err(|_| GitError::NoIdentity)?;
        let tree = parent.tree()?;
        // Updating "HEAD" moves the branch it points to, as `git commit` does.
        let id = self
            .repo
            .commit(Some("HEAD"), &sig, &sig, message, &tree, &[&parent])?;
        Ok(id.to_string())
    }

    /// Every commit reachable from `tip` (HEAD when none), oldest first, with
    /// the changes each made under `dir` (a folder of the book, e.g. `chapters`).
    pub fn history(
        &self,
        dir: &str,
        tip: Option<git2::Oid>,
        hide_head: bool,
    ) -> Result<Vec<Commit>, GitError> {
        let mut walk = self.repo.revwalk()?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME | git2::Sort::REVERSE)?;
        match tip {
            Some(oid) => walk.push(oid)?,
            None => match walk.push_head() {
                Ok(()) => {}
                Err(e)
                    if e.code() == git2::ErrorCode::UnbornBranch
                        || e.code() == git2::ErrorCode::NotFound =>
                {
                    return Ok(Vec::new());
                }
                Err(e) => return Err(e.into()),
            },
        }
        if hide_head {
            let _ = walk.hide_head();
        }
        let dir_path = format!("{}{}", self.prefix, dir.trim_end_matches('/'));
        // Each commit's tree id and folder tree id, so that a child reads
        // neither again (parents come first in this walk).
        let mut seen: HashMap<git2::Oid, (git2::Oid, Option<git2::Oid>)> = HashMap::new();
        let mut last_tree = None;
        let sub_of =
            |tree: &git2::Tree<'_>| tree.get_path(Path::new(&dir_path)).ok().map(|e| e.id());
        let mut out = Vec::new();
        for oid in walk {
            let commit = self.repo.find_commit(oid?)?;
            let tree = commit.tree()?;
            let sub = sub_of(&tree);
            seen.insert(commit.id(), (tree.id(), sub));
            let (changes, empty) = if commit.parent_count() > 1 {
                (Vec::new(), false)
            } else {
                let parent = match commit.parent_id(0) {
                    Ok(pid) => match seen.get(&pid) {
                        Some(known) => Some(*known),
                        None => {
                            let ptree = self.repo.find_commit(pid)?.tree()?;
                            Some((ptree.id(), sub_of(&ptree)))
                        }
                    },
                    Err(_) => None,
                };
                let empty = parent.is_some_and(|(t, _)| t == tree.id());
                let old_sub = parent.and_then(|(_, s)| s);
                (
                    self.changes_under(
                        &mut last_tree,
                        old_sub,
                        sub,
                        &dir_path,
                        &tree,
                        parent.map(|(t, _)| t),
                    )?,
                    empty,
                )
            };
            out.push(Commit {
                id: oid_hex(commit.id()),
                author: self.person(&commit.author()),
                time: commit.author().when().seconds(),
                message: String::from_utf8_lossy(commit.message_bytes()).into_owned(),
                changes,
                empty,
            });
        }
        Ok(out)
    }

    /// Changes between two trees under `dir`, renames detected. The folder's
    /// tree ids are compared first, so most commits cost one lookup.
    fn changes_under<'r>(
        &'r self,
        last: &mut Option<git2::Tree<'r>>,
        old_sub: Option<git2::Oid>,
        new_sub: Option<git2::Oid>,
        dir: &str,
        new: &git2::Tree<'_>,
        old: Option<git2::Oid>,
    ) -> Result<Vec<Change>, GitError> {
        if old_sub == new_sub {
            return Ok(Vec::new());
        }
        // Walk the two folders' trees side by side ourselves: libgit2's diff
        // snapshots the configuration and matches pathspecs on every call,
        // which cost more than the comparison itself on a long history.
        // The parent's folder is usually the one the previous commit read.
        let old_tree = match (old_sub, last.take()) {
            (Some(id), Some(tree)) if tree.id() == id => Some(tree),
            (id, _) => id.and_then(|id| self.repo.find_tree(id).ok()),
        };
        let new_tree = new_sub.and_then(|id| self.repo.find_tree(id).ok());
        let mut found = Found::default();
        let base = format!("{}/", dir.strip_prefix(&self.prefix).unwrap_or(dir));
        self.compare_trees(old_tree.as_ref(), new_tree.as_ref(), &base, &mut found);
        *last = new_tree;
        // A file that disappeared and one that appeared with the same blob is a move.
        let mut changes = found.modified;
        let mut added = Vec::new();
        for (path, oid) in found.added {
            match found.deleted.iter().position(|(_, o)| *o == oid) {
                Some(i) => {
                    let (old_path, _) = found.deleted.remove(i);
                    changes.push(Change {
                        old_path: Some(old_path),
                        new_path: Some(path),
                    });
                }
                None => added.push(path),
            }
        }
        if !added.is_empty() && !found.deleted.is_empty() {
            // Perhaps a move with edits: let libgit2 judge the similarity.
            let old = old.map(|id| self.repo.find_tree(id)).transpose()?;
            return self.diff_with_renames(old.as_ref(), new, dir);
        }
        changes.extend(added.into_iter().map(|p| Change {
            old_path: None,
            new_path: Some(p),
        }));
        changes.extend(found.deleted.into_iter().map(|(p, _)| Change {
            old_path: Some(p),
            new_path: None,
        }));
        Ok(changes)
    }

    /// Merges two trees' entries (both sorted in git's order), allocating
    /// only for entries that differ.
    fn compare_trees(
        &self,
        old: Option<&git2::Tree<'_>>,
        new: Option<&git2::Tree<'_>>,
        base: &str,
        found: &mut Found,
    ) {
        let (old_len, new_len) = (old.map_or(0, |t| t.len()), new.map_or(0, |t| t.len()));
        let (mut i, mut j) = (0, 0);
        while i < old_len || j < new_len {
            let o = old.and_then(|t| t.get(i)).filter(|_| i < old_len);
            let n = new.and_then(|t| t.get(j)).filter(|_| j < new_len);
            let order = match (&o, &n) {
                (Some(o), Some(n)) => git_order(o, n),
                (Some(_), None) => std::cmp::Ordering::Less,
                _ => std::cmp::Ordering::Greater,
            };
            match order {
                std::cmp::Ordering::Less => {
                    self.one_side(o.as_ref(), base, &mut found.deleted);
                    i += 1;
                }
                std::cmp::Ordering::Greater => {
                    self.one_side(n.as_ref(), base, &mut found.added);
                    j += 1;
                }
                std::cmp::Ordering::Equal => {
                    let (o, n) = (o.expect("both"), n.expect("both"));
                    if o.id() != n.id() {
                        let path = format!("{base}{}", String::from_utf8_lossy(o.name_bytes()));
                        let tree = |e: &git2::TreeEntry<'_>| {
                            (e.kind() == Some(git2::ObjectType::Tree))
                                .then(|| self.repo.find_tree(e.id()).ok())
                                .flatten()
                        };
                        let (ot, nt) = (tree(&o), tree(&n));
                        if ot.is_some() || nt.is_some() {
                            self.compare_trees(
                                ot.as_ref(),
                                nt.as_ref(),
                                &format!("{path}/"),
                                found,
                            );
                        }
                        match (ot.is_none(), nt.is_none()) {
                            (true, true) => found.modified.push(Change {
                                old_path: Some(path.clone()),
                                new_path: Some(path),
                            }),
                            (true, false) => found.deleted.push((path, o.id())),
                            (false, true) => found.added.push((path, n.id())),
                            (false, false) => {}
                        }
                    }
                    i += 1;
                    j += 1;
                }
            }
        }
    }

    /// Every blob under an entry that exists on one side only.
    fn one_side(
        &self,
        entry: Option<&git2::TreeEntry<'_>>,
        base: &str,
        into: &mut Vec<(String, git2::Oid)>,
    ) {
        let Some(entry) = entry else { return };
        let path = format!("{base}{}", String::from_utf8_lossy(entry.name_bytes()));
        if entry.kind() == Some(git2::ObjectType::Tree) {
            if let Ok(tree) = self.repo.find_tree(entry.id()) {
                for child in tree.iter() {
                    self.one_side(Some(&child), &format!("{path}/"), into);
                }
            }
        } else {
            into.push((path, entry.id()));
        }
    }

    /// The changes under `dir` by libgit2's diff, with similar files paired as renames.
    fn diff_with_renames(
        &self,
        old: Option<&git2::Tree<'_>>,
        new: &git2::Tree<'_>,
        dir: &str,
    ) -> Result<Vec<Change>, GitError> {
        let mut options = git2::DiffOptions::new();
        options.pathspec(format!("{dir}/"));
        let mut diff = self
            .repo
            .diff_tree_to_tree(old, Some(new), Some(&mut options))?;
        let has_add = diff.deltas().any(|d| d.status() == git2::Delta::Added);
        let has_delete = diff.deltas().any(|d| d.status() == git2::Delta::Deleted);
        if has_add && has_delete {
            let mut find = git2::DiffFindOptions::new();
            find.renames(true);
            diff.find_similar(Some(&mut find))?;
        }
        let strip = |p: Option<&Path>| {
            p.map(|p| p.to_string_lossy().replace('\\', "/")).map(|p| {
                p.strip_prefix(&self.prefix)
                    .map(str::to_string)
                    .unwrap_or(p)
            })
        };
        Ok(diff
            .deltas()
            .map(|d| match d.status() {
                git2::Delta::Added => Change {
                    old_path: None,
                    new_path: strip(d.new_file().path()),
                },
                git2::Delta::Deleted => Change {
                    old_path: strip(d.old_file().path()),
                    new_path: None,
                },
                _ => Change {
                    old_path: strip(d.old_file().path()),
                    new_path: strip(d.new_file().path()),
                },
            })
            .collect())
    }

    /// Local and remote-tracking branches other than the current one, with their tips.
    pub fn other_branches(&self) -> Result<Vec<(String, git2::Oid)>, GitError> {
        let current = self
            .repo
            .head()
            .ok()
            .and_then(|h| h.shorthand().ok().map(str::to_string));
        let mut out = Vec::new();
        for branch in self.repo.branches(None)? {
            let (branch, _) = branch?;
            let name = branch.name()?.unwrap_or("").to_string();
            if Some(&name) == current.as_ref() || name.ends_with("/HEAD") {
                continue;
            }
            if let Some(oid) = branch.get().target() {
                out.push((name, oid));
            }
        }
        out.sort();
        Ok(out)
    }

    /// Lines of a book file in HEAD, by the email of who last changed them (libgit2 blame).
    pub fn blame_lines(&self, path: &str) -> HashMap<String, usize> {
        let mut out = HashMap::new();
        let Ok(blame) = self
            .repo
            .blame_file(Path::new(&format!("{}{path}", self.prefix)), None)
        else {
            return out;
        };
        for hunk in blame.iter() {
            if let Some(sig) = hunk.final_signature() {
                let who = self.person(&sig);
                *out.entry(who.email).or_insert(0) += hunk.lines_in_hunk();
            }
        }
        out
    }
}

/// What a tree comparison found.
#[derive(Default)]
struct Found {
    modified: Vec<Change>,
    added: Vec<(String, git2::Oid)>,
    deleted: Vec<(String, git2::Oid)>,
}

/// Git's order of tree entries: by name, a tree's name followed by `/`.
fn git_order(a: &git2::TreeEntry<'_>, b: &git2::TreeEntry<'_>) -> std::cmp::Ordering {
    let tail = |e: &git2::TreeEntry<'_>| -> &'static [u8] {
        if e.kind() == Some(git2::ObjectType::Tree) {
            b"/"
        } else {
            b""
        }
    };
    a.name_bytes()
        .iter()
        .chain(tail(a))
        .cmp(b.name_bytes().iter().chain(tail(b)))
}

fn oid_hex(oid: git2::Oid) -> String {
    oid.to_string()
}

/// The commit time (seconds since the Unix epoch) of HEAD in the repository
/// that holds `dir`, if there is one.
pub fn head_commit_time(dir: &Path) -> Option<i64> {
    let repo = git2::Repository::discover(dir).ok()?;
    let commit = repo.head().ok()?.peel_to_commit().ok()?;
    Some(commit.time().seconds())
}

/// Git's blob id of `bytes` (what `git hash-object` prints), without a repository.
pub fn blob_id(bytes: &[u8]) -> String {
    git2::Oid::hash_object(git2::ObjectType::Blob, bytes)
        .map(|oid| oid.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn blob_ids_match_git() {
        // `printf 'hello\n' | git hash-object --stdin`
        assert_eq!(
            super::blob_id(b"hello\n"),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
    }
}
