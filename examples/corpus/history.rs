//! A long, deterministic git history of review work over a generated book
//! (README "Review in git"), written with libgit2 (`git2`):
//!
//! - the first commit adds the whole book (by the first editor);
//! - about 85 % are edits by one of a chapter's authors (one paragraph of one
//!   chapter, sometimes of two chapters by the same author);
//! - about 14 % are review events as `ouvrage` writes them
//!   ([`ouvrage::review::event_message`]: empty commits whose
//!   `Ouvrage-Revision` is the chapter's blob in the parent commit), each by
//!   the right person: `submitted` by an author, `approved`,
//!   `changes-requested` and `commented` by an assigned reviewer, `final` by
//!   the editor;
//! - about 1 % are review events by emails that belong to no contributor
//!   (`unverified`, `unknown_authors`);
//! - the chapters the book marks late are never submitted (they stay drafts);
//! - a few chapters are renamed (keeping their id through `id:` in the
//!   front matter) and one chapter is deleted, at fixed positions.
//!
//! Dates start at 2025-01-01T00:00:00+01:00 and grow by 5 to 15 minutes a
//! commit; author and committer are the same signature. Objects go to an
//! in-memory object database, trees are written with `TreeBuilder`, and
//! everything is stored at the end as one pack; the working tree is checked
//! out once, at the end.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;

use git2::{Commit, Oid, Repository, RepositoryInitOptions, Signature, Time, TreeBuilder};
use ouvrage::review::{EventKind, event_message};

use super::rng::Rng;

/// Errors of the generators.
pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// What the history needs to know of a book, and how it changes it.
pub trait Manuscript {
    /// Name and email of contributor `person`.
    fn signature(&self, person: usize) -> (&str, &str);
    /// The contributor who finalizes chapters.
    fn editor(&self) -> usize;
    /// Number of chapters at the start.
    fn chapter_count(&self) -> usize;
    /// The chapter's id.
    fn id(&self, c: usize) -> &str;
    /// Its file name under `chapters/`.
    fn file(&self, c: usize) -> &str;
    /// Its authors.
    fn authors(&self, c: usize) -> &[usize];
    /// Its two assigned reviewers.
    fn reviewers(&self, c: usize) -> [usize; 2];
    /// A chapter never submitted for review.
    fn late(&self, c: usize) -> bool;
    /// Its file's text now.
    fn text(&self, c: usize) -> String;
    /// Rewrites one paragraph; returns its number, or None if it has none.
    fn edit(&mut self, c: usize, rng: &mut Rng) -> Option<usize>;
    /// Renames its file (the id stays); returns the new file name.
    fn rename(&mut self, c: usize) -> String;
    /// The chapter the history may delete (None: any).
    fn deletable(&self) -> Option<usize>;
    /// Every file but the chapters' Markdown, by path from the root, for the
    /// chapters still in the book.
    fn other_files(&self, alive: &[bool]) -> Vec<(String, Vec<u8>)>;
}

/// What the history holds.
#[derive(Default)]
pub struct Stats {
    pub commits: usize,
    pub edits: usize,
    pub two_chapter_edits: usize,
    pub renames: usize,
    pub deletions: usize,
    pub events: BTreeMap<&'static str, usize>,
    pub unknown: usize,
    pub head: Option<Oid>,
    /// Which chapters are still in the book at HEAD.
    pub alive: Vec<bool>,
    pub pack_bytes: usize,
}

impl Stats {
    /// Prints the summary lines.
    pub fn print(&self) {
        let events: usize = self.events.values().sum();
        println!(
            "  {} commits on main: {} edits ({} touching two chapters), {} renames, {} deletion, 1 initial commit",
            self.commits, self.edits, self.two_chapter_edits, self.renames, self.deletions
        );
        let detail = EVENTS
            .iter()
            .map(|e| {
                format!(
                    "{} {}",
                    self.events.get(e.name()).copied().unwrap_or(0),
                    e.name()
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        println!(
            "  {events} review events ({detail}), of which {} by unknown emails",
            self.unknown
        );
        println!(
            "  pack {:.1} MiB",
            self.pack_bytes as f64 / (1024.0 * 1024.0)
        );
    }
}

const EVENTS: &[EventKind] = &[
    EventKind::Submitted,
    EventKind::Approved,
    EventKind::ChangesRequested,
    EventKind::Commented,
    EventKind::Final,
];

const EDIT_MESSAGES: &[&str] = &[
    "reprise du paragraphe",
    "relecture du paragraphe",
    "précisions dans le paragraphe",
    "réécriture du paragraphe",
    "corrections dans le paragraphe",
];

const REVIEW_NOTES: &[&str] = &[
    "La section 2 mériterait une source.",
    "Relu attentivement, merci.",
    "Quelques coquilles signalées en marge.",
    "La conclusion est à resserrer.",
    "Bon pour moi.",
];

const STRANGERS: &[(&str, &str)] = &[
    ("Visiteur de passage", "visiteur@example.net"),
    ("Relecteur anonyme", "anonyme@example.com"),
    ("Claude Inconnu", "claude.inconnu@example.net"),
];

#[derive(Default)]
struct Review {
    /// Revision of the last `submitted` event.
    submitted: Option<Oid>,
    /// A reviewer requested changes since the last submission.
    needs_resubmit: bool,
    /// Revision that has at least one approval.
    approved: Option<Oid>,
    /// Revision named by the last `final` event.
    finalized: Option<Oid>,
}

/// Structural commits placed at fixed positions of the history.
enum Special {
    Rename(usize),
    Delete(usize),
}

struct Writer<'r> {
    repo: &'r Repository,
    chapters_tree: TreeBuilder<'r>,
    root_tree: TreeBuilder<'r>,
    root: Oid,
    parent: Option<Commit<'r>>,
    time: i64,
    rng: Rng,
}

const EPOCH: i64 = 1_735_686_000; // 2025-01-01T00:00:00+01:00
const OFFSET_MINUTES: i32 = 60;
const FILE: i32 = 0o100644;
const DIR: i32 = 0o040000;

impl<'r> Writer<'r> {
    fn commit(&mut self, name: &str, email: &str, message: &str) -> Result<()> {
        self.time += 300 + self.rng.below(601) as i64;
        let sig = Signature::new(name, email, &Time::new(self.time, OFFSET_MINUTES))?;
        let tree = self.repo.find_tree(self.root)?;
        let parents: Vec<&Commit> = self.parent.iter().collect();
        let id = self
            .repo
            .commit(None, &sig, &sig, message, &tree, &parents)?;
        self.parent = Some(self.repo.find_commit(id)?);
        Ok(())
    }

    /// Writes the `chapters` tree and the root tree after a change of files.
    fn write_trees(&mut self) -> Result<()> {
        let chapters = self.chapters_tree.write()?;
        self.root_tree.insert("chapters", chapters, DIR)?;
        self.root = self.root_tree.write()?;
        Ok(())
    }

    fn store(&mut self, file: &str, text: &str) -> Result<Oid> {
        let blob = self.repo.blob(text.as_bytes())?;
        self.chapters_tree.insert(file, blob, FILE)?;
        Ok(blob)
    }

    /// Inserts files (paths relative to the builder's folder) into
    /// `into`, writing subfolders as trees.
    fn insert_files(
        repo: &Repository,
        files: &[(String, Oid)],
        into: &mut TreeBuilder,
    ) -> Result<()> {
        let mut dirs: BTreeMap<&str, Vec<(String, Oid)>> = BTreeMap::new();
        for (path, oid) in files {
            match path.split_once('/') {
                None => {
                    into.insert(path, *oid, FILE)?;
                }
                Some((dir, rest)) => dirs.entry(dir).or_default().push((rest.to_string(), *oid)),
            }
        }
        for (dir, sub) in dirs {
            let mut builder = repo.treebuilder(None)?;
            Self::insert_files(repo, &sub, &mut builder)?;
            into.insert(dir, builder.write()?, DIR)?;
        }
        Ok(())
    }

    /// Stores the book's other files: root files and folders in the root
    /// tree, `chapters/…` in the chapters tree.
    fn store_other_files(&mut self, files: Vec<(String, Vec<u8>)>) -> Result<()> {
        let mut root = Vec::new();
        let mut chapters = Vec::new();
        for (path, bytes) in files {
            let oid = self.repo.blob(&bytes)?;
            match path.strip_prefix("chapters/") {
                Some(rest) => chapters.push((rest.to_string(), oid)),
                None => root.push((path, oid)),
            }
        }
        Self::insert_files(self.repo, &root, &mut self.root_tree)?;
        Self::insert_files(self.repo, &chapters, &mut self.chapters_tree)?;
        Ok(())
    }
}

/// Creates the repository at `dir` (missing or empty) with `commits` commits
/// on `main` over `book`, and checks it out.
pub fn write_history<M: Manuscript>(
    dir: &Path,
    book: &mut M,
    commits: usize,
    seed: u64,
) -> Result<Stats> {
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        return Err(format!("{} exists and is not empty", dir.display()).into());
    }
    let repo = Repository::init_opts(
        dir,
        RepositoryInitOptions::new()
            .initial_head("main")
            .mkdir(true),
    )?;
    let odb = repo.odb()?;
    // Every object goes to memory first; one pack is written at the end.
    let mempack = odb.add_new_mempack_backend(1000)?;

    let mut stats = generate(&repo, book, commits, seed)?;
    let head = stats.head.ok_or("no commit written")?;

    let mut pack = git2::Buf::new();
    mempack.dump(&repo, &mut pack)?;
    let mut writer = odb.packwriter()?;
    writer.write_all(&pack)?;
    writer.commit()?;
    drop(writer);
    stats.pack_bytes = pack.len();
    drop(pack);
    mempack.reset()?;
    odb.refresh()?;

    repo.reference("refs/heads/main", head, true, "gen-corpus")?;
    repo.set_head("refs/heads/main")?;
    repo.checkout_head(Some(git2::build::CheckoutBuilder::new().force()))?;
    Ok(stats)
}

fn generate<M: Manuscript>(
    repo: &Repository,
    book: &mut M,
    commits: usize,
    seed: u64,
) -> Result<Stats> {
    let mut rng = Rng(seed ^ 0x6869_7374_6f72_7921);
    let editor = book.editor();
    let count = book.chapter_count();
    let mut alive = vec![true; count];
    let mut blobs = vec![Oid::ZERO_SHA1; count];
    let mut reviews: Vec<Review> = (0..count).map(|_| Review::default()).collect();

    // Renames and the deletion, at fixed positions in the history.
    let mut specials: BTreeMap<usize, Special> = BTreeMap::new();
    if commits >= 20 && count >= 2 {
        let renames = (count / 25).clamp(1, 8).min(count - 1);
        let deleted = book.deletable().unwrap_or_else(|| rng.below(count));
        let mut chosen: Vec<usize> = Vec::new();
        while chosen.len() < renames {
            let c = rng.below(count);
            if c != deleted && !chosen.contains(&c) {
                chosen.push(c);
            }
        }
        chosen.push(deleted);
        let lo = commits / 10;
        let hi = commits * 9 / 10;
        for (k, &c) in chosen.iter().enumerate() {
            let mut at = rng.range(lo.max(1), hi.max(lo + 1));
            while specials.contains_key(&at) {
                at += 1;
            }
            let special = if k == renames {
                Special::Delete(c)
            } else {
                Special::Rename(c)
            };
            specials.insert(at, special);
        }
    }

    let mut w = Writer {
        repo,
        chapters_tree: repo.treebuilder(None)?,
        root_tree: repo.treebuilder(None)?,
        root: Oid::ZERO_SHA1,
        parent: None,
        time: EPOCH,
        rng: rng.fork(),
    };
    let mut stats = Stats::default();

    // Commit 1: the whole book.
    w.store_other_files(book.other_files(&alive))?;
    for (c, blob) in blobs.iter_mut().enumerate() {
        *blob = w.store(book.file(c), &book.text(c))?;
    }
    w.write_trees()?;
    {
        let (name, email) = book.signature(editor);
        w.commit(
            name,
            email,
            "Plan de l'ouvrage et premiers jets des chapitres\n",
        )?;
    }
    stats.commits += 1;

    let mut rng = rng.fork();
    for n in 1..commits {
        if let Some(special) = specials.remove(&n) {
            match special {
                Special::Rename(c) => {
                    let old = book.file(c).to_string();
                    let new = book.rename(c);
                    w.chapters_tree.remove(&old)?;
                    blobs[c] = w.store(&new, &book.text(c))?;
                    w.write_trees()?;
                    let message = format!("{} : renommé en {new}\n", book.id(c));
                    let (name, email) = book.signature(book.authors(c)[0]);
                    w.commit(name, email, &message)?;
                    stats.renames += 1;
                }
                Special::Delete(c) => {
                    alive[c] = false;
                    w.chapters_tree.remove(book.file(c))?;
                    // book.toml may name the chapter (in a part).
                    w.store_other_files(book.other_files(&alive))?;
                    w.write_trees()?;
                    let message = format!("{} : chapitre retiré de l'ouvrage\n", book.id(c));
                    let (name, email) = book.signature(editor);
                    w.commit(name, email, &message)?;
                    stats.deletions += 1;
                }
            }
            stats.commits += 1;
            continue;
        }

        let live: Vec<usize> = (0..count).filter(|&c| alive[c]).collect();
        let roll = rng.below(100);
        if roll < 85 {
            // An edit. Final chapters are hardly touched again, approved
            // ones and those under review less often than drafts.
            let settled = |c: usize| {
                let r = &reviews[c];
                if r.finalized == Some(blobs[c]) {
                    97
                } else if r.approved == Some(blobs[c]) {
                    85
                } else if r.submitted == Some(blobs[c]) && !r.needs_resubmit {
                    60
                } else {
                    0
                }
            };
            let mut c = *rng.pick(&live);
            for _ in 0..4 {
                if !rng.chance(settled(c)) {
                    break;
                }
                c = *rng.pick(&live);
            }
            let author = *rng.pick(book.authors(c));
            let mut touched = vec![c];
            if rng.chance(10) {
                let mine: Vec<usize> = live
                    .iter()
                    .copied()
                    .filter(|&o| o != c && book.authors(o).contains(&author))
                    .collect();
                if !mine.is_empty() {
                    touched.push(*rng.pick(&mine));
                }
            }
            let mut parts = Vec::new();
            for &t in &touched {
                if let Some(p) = book.edit(t, &mut rng) {
                    blobs[t] = w.store(book.file(t), &book.text(t))?;
                    parts.push((book.id(t).to_string(), p));
                }
            }
            if parts.is_empty() {
                // Nothing to edit in that chapter: a commit all the same, so
                // that the count holds (a touch to the file's last line).
                continue_with_event(&mut w, book, &mut stats, editor)?;
                stats.commits += 1;
                continue;
            }
            if parts.len() == 2 {
                stats.two_chapter_edits += 1;
            }
            w.write_trees()?;
            let message = match parts.as_slice() {
                [(id, p)] => format!("{id} : {} {p}\n", rng.pick(EDIT_MESSAGES)),
                _ => format!(
                    "{} : relecture croisée\n\n{}\n",
                    parts
                        .iter()
                        .map(|(id, _)| id.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    parts
                        .iter()
                        .map(|(id, p)| format!("- {id} : paragraphe {p}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                ),
            };
            let (name, email) = book.signature(author);
            w.commit(name, email, &message)?;
            stats.edits += 1;
        } else {
            // A review event on a chapter of the current tree.
            let open: Vec<usize> = live.iter().copied().filter(|&c| !book.late(c)).collect();
            let c = if roll == 99 || open.is_empty() {
                *rng.pick(&live)
            } else {
                *rng.pick(&open)
            };
            let current = blobs[c];
            let (event, person) = if roll == 99 {
                stats.unknown += 1;
                (*rng.pick(EVENTS), None)
            } else {
                let r = &mut reviews[c];
                let (event, who) = if r.submitted.is_none()
                    || r.needs_resubmit
                    || (r.submitted != Some(current) && rng.chance(40))
                {
                    r.submitted = Some(current);
                    r.needs_resubmit = false;
                    (EventKind::Submitted, *rng.pick(book.authors(c)))
                } else if r.approved == Some(current)
                    && r.finalized != Some(current)
                    && rng.chance(50)
                {
                    r.finalized = Some(current);
                    (EventKind::Final, editor)
                } else {
                    let reviewer = *rng.pick(&book.reviewers(c));
                    let v = rng.below(100);
                    if v < 55 {
                        r.approved = Some(current);
                        (EventKind::Approved, reviewer)
                    } else if v < 75 {
                        r.needs_resubmit = true;
                        (EventKind::ChangesRequested, reviewer)
                    } else {
                        (EventKind::Commented, reviewer)
                    }
                };
                (event, Some(who))
            };
            let (name, email) = match person {
                Some(p) => book.signature(p),
                None => *rng.pick(STRANGERS),
            };
            let note = rng.chance(30).then(|| *rng.pick(REVIEW_NOTES));
            let message = event_message(book.id(c), event, &current.to_string(), note);
            w.commit(name, email, &message)?;
            *stats.events.entry(event.name()).or_default() += 1;
        }
        stats.commits += 1;
    }

    stats.head = w.parent.as_ref().map(|c| c.id());
    stats.alive = alive;
    Ok(stats)
}

/// A comment by the editor on the first chapter, for an edit that found no
/// paragraph to rewrite.
fn continue_with_event<M: Manuscript>(
    w: &mut Writer,
    book: &M,
    stats: &mut Stats,
    editor: usize,
) -> Result<()> {
    let c = 0;
    let revision = w
        .repo
        .find_tree(w.root)?
        .get_path(Path::new("chapters").join(book.file(c)).as_path())
        .map(|e| e.id().to_string())
        .unwrap_or_default();
    let message = event_message(book.id(c), EventKind::Commented, &revision, Some("Relu."));
    let (name, email) = book.signature(editor);
    w.commit(name, email, &message)?;
    *stats.events.entry("commented").or_default() += 1;
    Ok(())
}
