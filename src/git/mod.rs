//! The only user of git2 (libgit2). It returns plain values: commits with
//! their author and committer as recorded, time, message, signature and the
//! chapter files they changed; blobs and files of HEAD's committed tree
//! (`.mailmap`, `keys/`); the current branch; whether the history is cut
//! short (shallow) or has objects missing (partial clone). Writing is
//! limited to one thing: a review event, an empty commit on the current
//! branch, signed as git would sign it, made without reading or touching
//! the index or the working tree.

mod blame;
mod cache;
mod sign;

pub use blame::LineOwners;
pub use cache::finish_writes;
pub use sign::{SigningFormat, SigningSetup, sign};

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Why a git operation could not be done, in the user's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitError {
    /// The book is not inside a git repository.
    NotARepository(PathBuf),
    /// HEAD points at a commit, not a branch: the local branches, those
    /// whose tip is HEAD's commit first.
    DetachedHead(Vec<String>),
    /// The repository has no commit yet.
    NoCommits,
    /// git's configuration has no user.name or user.email.
    NoIdentity,
    /// An object the history needs is not in the repository: a partial
    /// clone (`--filter`) that libgit2 cannot complete on demand.
    MissingObject {
        /// The object's id.
        id: String,
        /// The promisor remote of a partial clone, if it is one.
        remote: Option<String>,
    },
    /// Anything else libgit2 reported.
    Other(String),
}

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GitError::NotARepository(p) => write!(f, "{} is not in a git repository", p.display()),
            GitError::DetachedHead(_) => write!(
                f,
                "HEAD is detached: review events are recorded on a branch"
            ),
            GitError::NoCommits => write!(f, "the repository has no commit yet"),
            GitError::NoIdentity => write!(
                f,
                "git does not know who you are (user.name and user.email)"
            ),
            GitError::MissingObject {
                id,
                remote: Some(_),
            } => write!(
                f,
                "object {id} is missing: this is a partial clone (made with --filter), \
                 and libgit2 cannot fetch objects on demand"
            ),
            GitError::MissingObject { id, remote: None } => {
                write!(f, "object {id} is missing from the repository")
            }
            GitError::Other(m) => write!(f, "git: {m}"),
        }
    }
}

impl From<git2::Error> for GitError {
    fn from(e: git2::Error) -> Self {
        GitError::Other(e.message().to_string())
    }
}

/// A person as a commit records them (see [`PeopleMap`] for the book's
/// .mailmap).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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
    /// Blob before.
    pub old_blob: Option<git2::Oid>,
    /// Blob after.
    pub new_blob: Option<git2::Oid>,
}

/// A commit's signature and what it signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The `gpgsig` header: an armored SSH or OpenPGP signature.
    pub signature: String,
    /// The commit object without that header: what was signed.
    pub payload: Vec<u8>,
}

/// A commit reachable from HEAD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// Full id.
    pub id: String,
    /// Author, as recorded (email lowercase); [`PeopleMap::resolve`]
    /// applies the book's .mailmap.
    pub author: Person,
    /// Committer, as recorded (email lowercase).
    pub committer: Person,
    /// Its signature, read for the commits whose message has an
    /// `Ouvrage-Event` or an `Ouvrage-Comment` (the only ones whose
    /// signature matters).
    pub signature: Option<Signed>,
    /// Whether it has several parents.
    pub merge: bool,
    /// Author time, seconds since the Unix epoch.
    pub time: i64,
    /// Full message.
    pub message: String,
    /// Files changed under the chapters folder (against the first parent;
    /// none for merges, whose changes are those of the merged commits).
    pub changes: Vec<Change>,
    /// Whether this commit changes any file at all (review events do not).
    pub empty: bool,
    /// Its first parent, if any.
    pub first_parent: Option<git2::Oid>,
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
}

/// What signs a commit buffer: the armored signature, or why not.
pub type Signer<'a> = dyn Fn(&[u8]) -> Result<String, String> + 'a;

/// A file of HEAD's committed tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommittedFile {
    /// Its path relative to the book root (`../.mailmap` when it is the
    /// repository's and the book is in a subfolder).
    pub path: String,
    /// Its text.
    pub text: String,
}

/// The book's .mailmap, applied to recorded people.
pub struct PeopleMap {
    mailmap: Option<git2::Mailmap>,
}

impl PeopleMap {
    /// A map from .mailmap text (git's format; lines it cannot read are
    /// ignored, as git ignores them).
    pub fn from_text(text: &str) -> PeopleMap {
        PeopleMap {
            mailmap: git2::Mailmap::from_buffer(text).ok(),
        }
    }

    /// No mapping at all.
    pub fn none() -> PeopleMap {
        PeopleMap { mailmap: None }
    }

    /// Whether the map maps nobody (no committed .mailmap).
    pub fn is_empty(&self) -> bool {
        self.mailmap.is_none()
    }

    /// `person` after the map, email lowercase.
    pub fn resolve(&self, person: &Person) -> Person {
        let Some(mailmap) = &self.mailmap else {
            return person.clone();
        };
        match git2::Signature::new(&person.name, &person.email, &git2::Time::new(0, 0))
            .and_then(|sig| mailmap.resolve_signature(&sig))
        {
            Ok(sig) => Person {
                name: String::from_utf8_lossy(sig.name_bytes()).into_owned(),
                email: String::from_utf8_lossy(sig.email_bytes()).to_lowercase(),
            },
            Err(_) => person.clone(),
        }
    }
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
        Ok(Repo { repo, prefix })
    }

    /// The text of a file of HEAD's committed tree, by its path from the
    /// repository's root; `None` when HEAD is unborn or has no such blob.
    fn committed_text(&self, path: &str) -> Option<String> {
        let tree = self.repo.head().ok()?.peel_to_tree().ok()?;
        let entry = tree.get_path(Path::new(path)).ok()?;
        let blob = self.repo.find_blob(entry.id()).ok()?;
        Some(String::from_utf8_lossy(blob.content()).into_owned())
    }

    /// The book's `.mailmap` as committed in HEAD (the book root's, else the
    /// repository's). Never the working tree's, nor `mailmap.file` of git's
    /// configuration: what decides who recorded an event must be the same
    /// in every clone at the same HEAD, and reviewed like the rest.
    pub fn committed_mailmap(&self) -> Option<CommittedFile> {
        let own = format!("{}.mailmap", self.prefix);
        if let Some(text) = self.committed_text(&own) {
            return Some(CommittedFile {
                path: ".mailmap".into(),
                text,
            });
        }
        if self.prefix.is_empty() {
            return None;
        }
        let depth = self.prefix.matches('/').count();
        self.committed_text(".mailmap").map(|text| CommittedFile {
            path: format!("{}.mailmap", "../".repeat(depth)),
            text,
        })
    }

    /// The files under a folder of the book in HEAD's committed tree
    /// (`keys`), with their paths from the book root; empty when none.
    pub fn committed_files(&self, dir: &str) -> Vec<(String, Vec<u8>)> {
        let Some(tree) = self
            .repo
            .head()
            .ok()
            .and_then(|h| h.peel_to_tree().ok())
            .and_then(|t| {
                let e = t
                    .get_path(Path::new(&format!("{}{dir}", self.prefix)))
                    .ok()?;
                self.repo.find_tree(e.id()).ok()
            })
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let _ = tree.walk(git2::TreeWalkMode::PreOrder, |base, entry| {
            if entry.kind() == Some(git2::ObjectType::Blob)
                && let Ok(blob) = self.repo.find_blob(entry.id())
            {
                let name = String::from_utf8_lossy(entry.name_bytes());
                out.push((format!("{dir}/{base}{name}"), blob.content().to_vec()));
            }
            git2::TreeWalkResult::Ok
        });
        out
    }

    /// Whether the clone is shallow: its history stops at a boundary
    /// (`git clone --depth`), so older events are not in it.
    pub fn is_shallow(&self) -> bool {
        self.repo.is_shallow()
    }

    /// The promisor remote of a partial clone (`git clone --filter`), whose
    /// objects may be missing.
    pub fn promisor_remote(&self) -> Option<String> {
        let config = self.repo.config().ok()?;
        let mut entries = config.entries(Some(r"remote\..*\.promisor")).ok()?;
        while let Some(Ok(entry)) = entries.next() {
            if entry.value().is_ok_and(|v| v == "true")
                && let Ok(name) = entry.name()
            {
                return name
                    .strip_prefix("remote.")
                    .and_then(|n| n.strip_suffix(".promisor"))
                    .map(str::to_string);
            }
        }
        config.get_string("extensions.partialclone").ok()
    }

    /// `e`, named as a missing object when libgit2 said an object was not
    /// found (with the partial clone's remote, for the fix).
    pub fn explain(&self, e: GitError) -> GitError {
        let GitError::Other(message) = &e else {
            return e;
        };
        let id = message
            .find("no match for id (")
            .map(|at| &message[at + 17..])
            .and_then(|rest| rest.split(')').next())
            .filter(|id| id.len() >= 7 && id.bytes().all(|b| b.is_ascii_hexdigit()));
        match id {
            Some(id) => GitError::MissingObject {
                id: id.to_string(),
                remote: self.promisor_remote(),
            },
            None => e,
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
            let at = head.target();
            return Err(GitError::DetachedHead(self.branches_by_tip(at)));
        }
        let commit = head.peel_to_commit()?;
        Ok(Head {
            branch: head.shorthand().unwrap_or("HEAD").to_string(),
            commit: commit.id().to_string(),
        })
    }

    /// The local branches' names, those whose tip is `at` first (a detached
    /// HEAD is usually a branch's tip checked out by its commit).
    fn branches_by_tip(&self, at: Option<git2::Oid>) -> Vec<String> {
        let Ok(branches) = self.repo.branches(Some(git2::BranchType::Local)) else {
            return Vec::new();
        };
        let mut named: Vec<(bool, String)> = branches
            .filter_map(Result::ok)
            .filter_map(|(b, _)| {
                let name = b.name().ok()??.to_string();
                Some((b.get().target() != at, name))
            })
            .collect();
        named.sort();
        named.into_iter().map(|(_, name)| name).collect()
    }

    /// The commit id of HEAD, detached or not.
    pub fn head_commit(&self) -> Result<String, GitError> {
        match self.repo.head() {
            Ok(h) => Ok(h.peel_to_commit()?.id().to_string()),
            Err(e) if e.code() == git2::ErrorCode::UnbornBranch => Err(GitError::NoCommits),
            Err(e) => Err(e.into()),
        }
    }

    /// Who the user is, from git's configuration, as a commit would record
    /// them ([`PeopleMap::resolve`] applies the book's .mailmap).
    pub fn identity(&self) -> Result<Person, GitError> {
        let sig = self.repo.signature().map_err(|_| GitError::NoIdentity)?;
        Ok(Person {
            name: String::from_utf8_lossy(sig.name_bytes()).into_owned(),
            email: String::from_utf8_lossy(sig.email_bytes()).to_lowercase(),
        })
    }

    /// The blob id of a book file (path relative to the book root) in HEAD.
    pub fn blob_at_head(&self, path: &str) -> Option<String> {
        self.blobs_at_head(&[path]).pop().flatten()
    }

    /// [`Repo::blob_at_head`] of each of `paths`, HEAD's tree read once.
    pub fn blobs_at_head(&self, paths: &[impl AsRef<str>]) -> Vec<Option<String>> {
        let tree = self.repo.head().ok().and_then(|h| h.peel_to_tree().ok());
        paths
            .iter()
            .map(|path| {
                let entry = tree
                    .as_ref()?
                    .get_path(Path::new(&format!("{}{}", self.prefix, path.as_ref())))
                    .ok()?;
                (entry.kind() == Some(git2::ObjectType::Blob)).then(|| entry.id().to_string())
            })
            .collect()
    }

    /// The blob id of a book file in the commit `rev` names (any revision
    /// git understands: `HEAD~2`, a tag, a commit id), none when the file
    /// is not in it; an error when `rev` names no commit.
    pub fn blob_at(&self, rev: &str, path: &str) -> Result<Option<String>, GitError> {
        let commit = self
            .repo
            .revparse_single(rev)
            .and_then(|o| o.peel_to_commit())
            .map_err(|_| GitError::Other(format!("`{rev}` names no commit")))?;
        let tree = commit.tree()?;
        Ok(tree
            .get_path(Path::new(&format!("{}{path}", self.prefix)))
            .ok()
            .filter(|e| e.kind() == Some(git2::ObjectType::Blob))
            .map(|e| e.id().to_string()))
    }

    /// The text of blob `id` (hexadecimal), if the repository has it and it is UTF-8.
    pub fn blob_text(&self, id: &str) -> Option<String> {
        let blob = self.repo.find_blob(git2::Oid::from_str(id).ok()?).ok()?;
        String::from_utf8(blob.content().to_vec()).ok()
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
    /// HEAD's tree, by the user (author and committer). With `signer`, the
    /// commit buffer is given to it and the armored signature it returns is
    /// stored in the `gpgsig` header, as `git commit -S` does. The index and
    /// the working tree are neither read nor written. Returns the new
    /// commit's id and, when signed, what was signed.
    pub fn record_event(
        &self,
        message: &str,
        signer: Option<&Signer<'_>>,
    ) -> Result<(String, Option<Signed>), GitError> {
        let head = self.head()?;
        let parent = self.repo.find_commit(git2::Oid::from_str(&head.commit)?)?;
        let sig = self.repo.signature().map_err(|_| GitError::NoIdentity)?;
        let tree = parent.tree()?;
        let Some(signer) = signer else {
            // Updating "HEAD" moves the branch it points to, as `git commit` does.
            let id = self
                .repo
                .commit(Some("HEAD"), &sig, &sig, message, &tree, &[&parent])?;
            return Ok((id.to_string(), None));
        };
        let buffer = self
            .repo
            .commit_create_buffer(&sig, &sig, message, &tree, &[&parent])?;
        let payload = buffer.to_vec();
        let signature = signer(&payload).map_err(GitError::Other)?;
        let text = std::str::from_utf8(&payload)
            .map_err(|_| GitError::Other("the commit is not UTF-8".into()))?;
        let id = self.repo.commit_signed(text, &signature, Some("gpgsig"))?;
        // commit_signed moves no reference: move the branch, only if it is
        // still where it was read (another event may have landed meanwhile).
        let branch = self.repo.head()?;
        let name = branch
            .name()
            .map_err(|_| GitError::Other("the branch's name is not UTF-8".into()))?
            .to_string();
        let title = message.lines().next().unwrap_or("");
        self.repo
            .reference_matching(&name, id, true, parent.id(), &format!("commit: {title}"))?;
        Ok((id.to_string(), Some(Signed { signature, payload })))
    }

    /// Every commit reachable from `tip` (HEAD when none), oldest first, with
    /// the changes each made under `dir` (a folder of the book, e.g. `chapters`).
    /// With `hide_head`, only the commits HEAD does not have.
    ///
    /// The commits are walked once (from the cache kept in git's folder
    /// where it has them), the trees of those not cached are compared with
    /// their first parent's (on several threads for a long history), the
    /// cache is updated, and authors go through .mailmap last.
    pub fn history(
        &self,
        dir: &str,
        tip: Option<git2::Oid>,
        hide_head: bool,
    ) -> Result<Vec<Commit>, GitError> {
        self.history_inner(dir, tip, hide_head)
            .map_err(|e| self.explain(e))
    }

    fn history_inner(
        &self,
        dir: &str,
        tip: Option<git2::Oid>,
        hide_head: bool,
    ) -> Result<Vec<Commit>, GitError> {
        let Some(tip) = self.tip_or_head(tip)? else {
            return Ok(Vec::new());
        };
        let only = if hide_head {
            Some(self.not_in_head(tip)?)
        } else {
            None
        };
        let dir_path = format!("{}{}", self.prefix, dir.trim_end_matches('/'));
        let mut cache =
            cache::HistoryCache::load(self.repo.path(), &dir_path, &self.reachability_key());
        let uncached = UncachedReads::start();
        let mut nodes = self.walk_once(tip, only.as_ref(), &cache)?;
        let tree_of: HashMap<git2::Oid, git2::Oid> = nodes.iter().map(|n| (n.id, n.tree)).collect();
        let (jobs, to_compute) = self.comparisons_to_make(&nodes, &tree_of);
        let changes = self.changes_on_threads(&jobs, &dir_path)?;
        drop(uncached);
        record_changes(&mut nodes, &mut cache, &to_compute, changes, &jobs);
        if only.is_none() {
            cache.keep_only(&tree_of.keys().copied().collect());
        }
        cache.save();
        Ok(commits_of(nodes))
    }

    /// What decides which commits are reachable and what their parents are,
    /// besides the commits themselves: the shallow boundary
    /// (`.git/shallow`), grafts (`.git/info/grafts`) and replace refs. The
    /// history cache is kept only while it stays the same, so that
    /// `git fetch --unshallow` (or a new graft) gives the full state at once.
    fn reachability_key(&self) -> String {
        let common = self.repo.commondir().to_path_buf();
        let mut key = Vec::new();
        for file in ["shallow", "info/grafts"] {
            key.extend_from_slice(file.as_bytes());
            key.push(0);
            key.extend(std::fs::read(common.join(file)).unwrap_or_default());
            key.push(0);
        }
        if let Ok(refs) = self.repo.references_glob("refs/replace/*") {
            let mut pairs: Vec<String> = refs
                .flatten()
                .map(|r| {
                    format!(
                        "{} {}",
                        String::from_utf8_lossy(r.name_bytes()),
                        r.target().map(|t| t.to_string()).unwrap_or_default()
                    )
                })
                .collect();
            pairs.sort();
            key.extend(pairs.join("\n").into_bytes());
        }
        blob_id(&key)
    }

    /// `tip`, or HEAD's commit; `None` when HEAD is unborn (no commit yet).
    fn tip_or_head(&self, tip: Option<git2::Oid>) -> Result<Option<git2::Oid>, GitError> {
        if tip.is_some() {
            return Ok(tip);
        }
        match self.repo.head() {
            Ok(head) => Ok(Some(head.peel_to_commit()?.id())),
            Err(e)
                if e.code() == git2::ErrorCode::UnbornBranch
                    || e.code() == git2::ErrorCode::NotFound =>
            {
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The commits `tip` has that HEAD has not: libgit2's walk knows how to
    /// stop early; only the set is kept.
    fn not_in_head(&self, tip: git2::Oid) -> Result<HashSet<git2::Oid>, GitError> {
        let mut walk = self.repo.revwalk()?;
        walk.push(tip)?;
        let _ = walk.hide_head();
        Ok(walk.collect::<Result<HashSet<_>, _>>()?)
    }

    /// The tree comparisons the walk's nodes still need (those the cache
    /// did not have), and the index of the node each is for.
    fn comparisons_to_make(
        &self,
        nodes: &[WalkNode],
        tree_of: &HashMap<git2::Oid, git2::Oid>,
    ) -> (Vec<Job>, Vec<usize>) {
        let mut jobs = Vec::new();
        let mut to_compute = Vec::new();
        for (i, node) in nodes.iter().enumerate() {
            if node.changes.is_some() {
                continue;
            }
            let parent_tree = match node.parents.first() {
                Some(pid) => match tree_of.get(pid) {
                    Some(t) => Some(*t),
                    // Outside the walk: hidden, or cut off by a shallow clone.
                    None => self.repo.find_commit(*pid).ok().map(|c| c.tree_id()),
                },
                None => None,
            };
            jobs.push(Job {
                tree: node.tree,
                parent_tree,
                merge: node.parents.len() > 1,
            });
            to_compute.push(i);
        }
        (jobs, to_compute)
    }

    /// [`Repo::changes_of`] every job, shared among the cores when there
    /// are many: comparing trees is most of the work and each commit's
    /// comparison stands alone, so each thread takes a run of jobs with its
    /// own handle on the repository (a libgit2 repository is not to be
    /// shared).
    fn changes_on_threads(
        &self,
        jobs: &[Job],
        dir_path: &str,
    ) -> Result<Vec<Vec<Change>>, GitError> {
        let threads = std::thread::available_parallelism()
            .map(|n| n.get().min(4))
            .unwrap_or(1);
        if threads < 2 || jobs.len() < 512 {
            return self.changes_of(jobs, dir_path);
        }
        let chunk = jobs.len().div_ceil(threads);
        let git_dir = self.repo.path().to_path_buf();
        let prefix = &self.prefix;
        let results: Vec<Result<Vec<Vec<Change>>, GitError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = jobs
                .chunks(chunk)
                .map(|part| {
                    let git_dir = &git_dir;
                    let prefix = prefix.clone();
                    scope.spawn(move || {
                        let twin = Repo {
                            repo: git2::Repository::open(git_dir)?,
                            prefix,
                        };
                        twin.changes_of(part, dir_path)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(GitError::Other("reading the history failed".into()))
                    })
                })
                .collect()
        });
        let mut all = Vec::with_capacity(jobs.len());
        for part in results {
            all.extend(part?);
        }
        Ok(all)
    }

    /// The changes under `dir_path` of each job, in order (none for merges,
    /// whose changes are those of the merged commits).
    fn changes_of(&self, jobs: &[Job], dir_path: &str) -> Result<Vec<Vec<Change>>, GitError> {
        // The folder's tree id in each root tree met: review events and
        // merges that changed nothing share their parent's tree.
        let mut subs: HashMap<git2::Oid, Option<git2::Oid>> = HashMap::new();
        let mut sub_of = |tree_id: git2::Oid| -> Result<Option<git2::Oid>, GitError> {
            if let Some(sub) = subs.get(&tree_id) {
                return Ok(*sub);
            }
            let tree = self.repo.find_tree(tree_id)?;
            let sub = tree.get_path(Path::new(dir_path)).ok().map(|e| e.id());
            subs.insert(tree_id, sub);
            Ok(sub)
        };
        let mut last_tree = None;
        let mut out = Vec::with_capacity(jobs.len());
        for job in jobs {
            if job.merge || job.parent_tree == Some(job.tree) {
                out.push(Vec::new());
                continue;
            }
            let sub = sub_of(job.tree)?;
            let old_sub = match job.parent_tree {
                Some(t) => sub_of(t)?,
                None => None,
            };
            out.push(self.changes_under(
                &mut last_tree,
                old_sub,
                sub,
                dir_path,
                job.tree,
                job.parent_tree,
            )?);
        }
        Ok(out)
    }

    /// The commits reachable from `tip` (within `only` when given), each
    /// read once, parents before children and older before newer among
    /// those ready: the order of `git log --topo-order --reverse`, near
    /// enough for a review history. libgit2's sorted revwalk parses every
    /// commit and `find_commit` would parse it again.
    fn walk_once(
        &self,
        tip: git2::Oid,
        only: Option<&HashSet<git2::Oid>>,
        cache: &cache::HistoryCache,
    ) -> Result<Vec<WalkNode>, GitError> {
        let mut nodes: Vec<WalkNode> = Vec::new();
        let mut index: HashMap<git2::Oid, usize> = HashMap::new();
        let mut stack = vec![tip];
        while let Some(id) = stack.pop() {
            if index.contains_key(&id) || only.is_some_and(|set| !set.contains(&id)) {
                continue;
            }
            let node = match cache.get(&id).and_then(|entry| WalkNode::cached(id, entry)) {
                Some(node) => node,
                None => {
                    let commit = match self.repo.find_commit(id) {
                        Ok(commit) => commit,
                        // A shallow clone (CI's usual fetch) ends here.
                        Err(e) if e.code() == git2::ErrorCode::NotFound && id != tip => continue,
                        Err(e) => return Err(e.into()),
                    };
                    let author = commit.author();
                    let committer = commit.committer();
                    let message = String::from_utf8_lossy(commit.message_bytes()).into_owned();
                    // Only an event's signature matters; reading it costs a
                    // second parse of the commit.
                    let signature = if (message.contains("Ouvrage-Event")
                        || message.contains("Ouvrage-Comment"))
                        && commit.header_field_bytes("gpgsig").is_ok()
                    {
                        self.repo
                            .extract_signature(&id, Some("gpgsig"))
                            .ok()
                            .map(|(sig, data)| Signed {
                                signature: String::from_utf8_lossy(&sig).into_owned(),
                                payload: data.to_vec(),
                            })
                    } else {
                        None
                    };
                    WalkNode {
                        id,
                        parents: commit.parent_ids().collect(),
                        tree: commit.tree_id(),
                        name: String::from_utf8_lossy(author.name_bytes()).into_owned(),
                        email: String::from_utf8_lossy(author.email_bytes()).into_owned(),
                        committer_name: String::from_utf8_lossy(committer.name_bytes())
                            .into_owned(),
                        committer_email: String::from_utf8_lossy(committer.email_bytes())
                            .into_owned(),
                        signature,
                        time: author.when().seconds(),
                        commit_time: commit.time().seconds(),
                        message,
                        changes: None,
                        empty: false,
                    }
                }
            };
            stack.extend(node.parents.iter().rev());
            index.insert(id, nodes.len());
            nodes.push(node);
        }
        // Kahn's algorithm over the parent links inside the set.
        let mut waiting = vec![0usize; nodes.len()];
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
        for (i, node) in nodes.iter().enumerate() {
            for parent in &node.parents {
                if let Some(&p) = index.get(parent) {
                    waiting[i] += 1;
                    children[p].push(i);
                }
            }
        }
        let mut ready: std::collections::BinaryHeap<std::cmp::Reverse<(i64, usize)>> = nodes
            .iter()
            .enumerate()
            .filter(|(i, _)| waiting[*i] == 0)
            .map(|(i, n)| std::cmp::Reverse((n.commit_time, i)))
            .collect();
        let mut order = Vec::with_capacity(nodes.len());
        while let Some(std::cmp::Reverse((_, i))) = ready.pop() {
            order.push(i);
            for &child in &children[i] {
                waiting[child] -= 1;
                if waiting[child] == 0 {
                    ready.push(std::cmp::Reverse((nodes[child].commit_time, child)));
                }
            }
        }
        let mut slots: Vec<Option<WalkNode>> = nodes.into_iter().map(Some).collect();
        Ok(order.into_iter().filter_map(|i| slots[i].take()).collect())
    }

    /// Changes between two trees under `dir`, renames detected. The folder's
    /// tree ids are compared first, so most commits cost one lookup.
    fn changes_under<'r>(
        &'r self,
        last: &mut Option<git2::Tree<'r>>,
        old_sub: Option<git2::Oid>,
        new_sub: Option<git2::Oid>,
        dir: &str,
        new: git2::Oid,
        old: Option<git2::Oid>,
    ) -> Result<Vec<Change>, GitError> {
        if old_sub == new_sub {
            return Ok(Vec::new());
        }
        // Walk the two folders' trees side by side ourselves: libgit2's diff
        // snapshots the configuration and matches pathspecs on every call,
        // which cost more than the comparison itself on a long history.
        // The parent's folder is usually the one the previous commit read.
        // A tree that cannot be read is an error (a partial clone's missing
        // object), never an empty folder.
        let old_tree = match (old_sub, last.take()) {
            (Some(id), Some(tree)) if tree.id() == id => Some(tree),
            (id, _) => id.map(|id| self.repo.find_tree(id)).transpose()?,
        };
        let new_tree = new_sub.map(|id| self.repo.find_tree(id)).transpose()?;
        let mut found = Found::default();
        let base = format!("{}/", dir.strip_prefix(&self.prefix).unwrap_or(dir));
        self.compare_trees(old_tree.as_ref(), new_tree.as_ref(), &base, &mut found)?;
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
                        old_blob: Some(oid),
                        new_blob: Some(oid),
                    });
                }
                None => added.push((path, oid)),
            }
        }
        if !added.is_empty() && !found.deleted.is_empty() {
            // Perhaps a move with edits: let libgit2 judge the similarity.
            let old = old.map(|id| self.repo.find_tree(id)).transpose()?;
            let new = self.repo.find_tree(new)?;
            return self.diff_with_renames(old.as_ref(), &new, dir);
        }
        changes.extend(added.into_iter().map(|(p, oid)| Change {
            old_path: None,
            new_path: Some(p),
            old_blob: None,
            new_blob: Some(oid),
        }));
        changes.extend(found.deleted.into_iter().map(|(p, oid)| Change {
            old_path: Some(p),
            new_path: None,
            old_blob: Some(oid),
            new_blob: None,
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
    ) -> Result<(), GitError> {
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
                    self.one_side(o.as_ref(), base, &mut found.deleted)?;
                    i += 1;
                }
                std::cmp::Ordering::Greater => {
                    self.one_side(n.as_ref(), base, &mut found.added)?;
                    j += 1;
                }
                std::cmp::Ordering::Equal => {
                    let (o, n) = (o.expect("both"), n.expect("both"));
                    if o.id() != n.id() {
                        let path = format!("{base}{}", String::from_utf8_lossy(o.name_bytes()));
                        let tree = |e: &git2::TreeEntry<'_>| {
                            (e.kind() == Some(git2::ObjectType::Tree))
                                .then(|| self.repo.find_tree(e.id()))
                                .transpose()
                        };
                        let (ot, nt) = (tree(&o)?, tree(&n)?);
                        if ot.is_some() || nt.is_some() {
                            self.compare_trees(
                                ot.as_ref(),
                                nt.as_ref(),
                                &format!("{path}/"),
                                found,
                            )?;
                        }
                        match (ot.is_none(), nt.is_none()) {
                            (true, true) => found.modified.push(Change {
                                old_path: Some(path.clone()),
                                new_path: Some(path),
                                old_blob: Some(o.id()),
                                new_blob: Some(n.id()),
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
        Ok(())
    }

    /// Every blob under an entry that exists on one side only.
    fn one_side(
        &self,
        entry: Option<&git2::TreeEntry<'_>>,
        base: &str,
        into: &mut Vec<(String, git2::Oid)>,
    ) -> Result<(), GitError> {
        let Some(entry) = entry else { return Ok(()) };
        let path = format!("{base}{}", String::from_utf8_lossy(entry.name_bytes()));
        if entry.kind() == Some(git2::ObjectType::Tree) {
            let tree = self.repo.find_tree(entry.id())?;
            for child in tree.iter() {
                self.one_side(Some(&child), &format!("{path}/"), into)?;
            }
        } else {
            into.push((path, entry.id()));
        }
        Ok(())
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
        let blob = |f: git2::DiffFile<'_>| (!f.id().is_zero()).then(|| f.id());
        Ok(diff
            .deltas()
            .map(|d| match d.status() {
                git2::Delta::Added => Change {
                    old_path: None,
                    new_path: strip(d.new_file().path()),
                    old_blob: None,
                    new_blob: blob(d.new_file()),
                },
                git2::Delta::Deleted => Change {
                    old_path: strip(d.old_file().path()),
                    new_path: None,
                    old_blob: blob(d.old_file()),
                    new_blob: None,
                },
                _ => Change {
                    old_path: strip(d.old_file().path()),
                    new_path: strip(d.new_file().path()),
                    old_blob: blob(d.old_file()),
                    new_blob: blob(d.new_file()),
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
}

/// libgit2's object cache switched off while it lives. The cache keeps
/// every commit and tree read, for the whole process; the history walk reads
/// each once, so there it only costs (a tenth of a cold `status` on 10,000
/// commits went into filling it). The switch is process-wide: another
/// thread's reads meanwhile go uncached, which costs them only time.
struct UncachedReads;

impl UncachedReads {
    fn start() -> UncachedReads {
        git2::opts::enable_caching(false);
        UncachedReads
    }
}

impl Drop for UncachedReads {
    fn drop(&mut self) {
        git2::opts::enable_caching(true);
    }
}

/// The walk's nodes as commits.
fn commits_of(nodes: Vec<WalkNode>) -> Vec<Commit> {
    nodes
        .into_iter()
        .map(|node| Commit {
            id: oid_hex(node.id),
            author: Person {
                email: node.email.to_lowercase(),
                name: node.name,
            },
            committer: Person {
                email: node.committer_email.to_lowercase(),
                name: node.committer_name,
            },
            signature: node.signature,
            merge: node.parents.len() > 1,
            time: node.time,
            message: node.message,
            changes: node.changes.unwrap_or_default(),
            empty: node.empty,
            first_parent: node.parents.first().copied(),
        })
        .collect()
}

/// One commit's comparison to do: its tree against its first parent's.
struct Job {
    tree: git2::Oid,
    parent_tree: Option<git2::Oid>,
    merge: bool,
}

/// Stores the changes computed for the nodes `to_compute` (in the order of
/// `jobs`) in the nodes and in the cache, with whether each commit changes
/// nothing at all (a review event: its tree is its parent's).
fn record_changes(
    nodes: &mut [WalkNode],
    cache: &mut cache::HistoryCache,
    to_compute: &[usize],
    changes: Vec<Vec<Change>>,
    jobs: &[Job],
) {
    for ((&i, changes), job) in to_compute.iter().zip(changes).zip(jobs) {
        let node = &mut nodes[i];
        node.empty = !job.merge && job.parent_tree == Some(job.tree);
        let entry = (|| {
            Some(cache::Entry {
                parents: node.parents.iter().map(cache::id).collect::<Option<_>>()?,
                tree: cache::id(&node.tree)?,
                name: node.name.clone(),
                email: node.email.clone(),
                committer_name: node.committer_name.clone(),
                committer_email: node.committer_email.clone(),
                signature: node
                    .signature
                    .as_ref()
                    .map(|s| (s.signature.clone(), s.payload.clone())),
                time: node.time,
                commit_time: node.commit_time,
                message: node.message.clone(),
                changes: changes
                    .iter()
                    .map(cache::CachedChange::from_change)
                    .collect::<Option<_>>()?,
                empty: node.empty,
            })
        })();
        if let Some(entry) = entry {
            cache.insert(node.id, entry);
        }
        node.changes = Some(changes);
    }
}

/// A commit as the walk read it (or found it in the cache).
struct WalkNode {
    id: git2::Oid,
    parents: Vec<git2::Oid>,
    tree: git2::Oid,
    /// Author as recorded, before .mailmap.
    name: String,
    email: String,
    committer_name: String,
    committer_email: String,
    signature: Option<Signed>,
    time: i64,
    commit_time: i64,
    message: String,
    /// Known when cached.
    changes: Option<Vec<Change>>,
    empty: bool,
}

impl WalkNode {
    fn cached(id: git2::Oid, entry: &cache::Entry) -> Option<WalkNode> {
        let (parents, tree) = entry.ids()?;
        Some(WalkNode {
            id,
            parents,
            tree,
            name: entry.name.clone(),
            email: entry.email.clone(),
            committer_name: entry.committer_name.clone(),
            committer_email: entry.committer_email.clone(),
            signature: entry.signature.as_ref().map(|(signature, payload)| Signed {
                signature: signature.clone(),
                payload: payload.clone(),
            }),
            time: entry.time,
            commit_time: entry.commit_time,
            message: entry.message.clone(),
            changes: Some(
                entry
                    .changes
                    .iter()
                    .map(cache::CachedChange::to_change)
                    .collect::<Option<_>>()?,
            ),
            empty: entry.empty,
        })
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
    let is_tree = |e: &git2::TreeEntry<'_>| e.kind() == Some(git2::ObjectType::Tree);
    name_order(a.name_bytes(), is_tree(a), b.name_bytes(), is_tree(b))
}

/// [`git_order`] of two entries by their names and whether each is a tree.
/// The names are compared as slices (memcmp) up to the shorter one's end,
/// the `/` of a tree counting only when one name begins the other: a long
/// history's walk compares every entry of the chapters folder at each
/// commit, and comparing byte by byte through chained iterators was a
/// twentieth of a cold `status`.
fn name_order(x: &[u8], x_tree: bool, y: &[u8], y_tree: bool) -> std::cmp::Ordering {
    let tail = |tree: bool| -> &'static [u8] { if tree { b"/" } else { b"" } };
    let common = x.len().min(y.len());
    match x[..common].cmp(&y[..common]) {
        std::cmp::Ordering::Equal => x[common..]
            .iter()
            .chain(tail(x_tree))
            .cmp(y[common..].iter().chain(tail(y_tree))),
        unequal => unequal,
    }
}

fn oid_hex(oid: git2::Oid) -> String {
    oid.to_string()
}

/// Git's own folder (`.git`) of the repository holding `dir`, if any.
pub fn git_dir(dir: &Path) -> Option<PathBuf> {
    let repo = git2::Repository::discover(dir).ok()?;
    repo.path().canonicalize().ok()
}

/// The working folder of the repository holding `dir`, if any (forges
/// name files by their path from there).
pub fn work_dir(dir: &Path) -> Option<PathBuf> {
    let repo = git2::Repository::discover(dir).ok()?;
    repo.workdir()?.canonicalize().ok()
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

    proptest::proptest! {
        /// Entries are ordered as git orders them: by name, a tree's name
        /// followed by `/` (so `a.md` < `a/` < `a0`).
        #[test]
        fn entries_are_in_gits_order(
            x in "[a./0_-]{0,6}", x_tree: bool, y in "[a./0_-]{0,6}", y_tree: bool,
        ) {
            let with_tail = |name: &str, tree: bool| {
                let mut bytes = name.as_bytes().to_vec();
                if tree {
                    bytes.push(b'/');
                }
                bytes
            };
            proptest::prop_assert_eq!(
                super::name_order(x.as_bytes(), x_tree, y.as_bytes(), y_tree),
                with_tail(&x, x_tree).cmp(&with_tail(&y, y_tree))
            );
        }
    }
}
