//! One rebuild of the site after a change: the model again (reparsing only
//! the chapters whose file changed; a chapter with errors kept at its last
//! good text, so that the others go on updating), the review state, and
//! the site's pages written only where their bytes changed, the edited
//! chapter's first. The PDF is not made here: the finished model goes to
//! the typesetter ([`super::typesetter`]), and the site never waits for it.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::diag::{Diagnostic, Severity, Sink};
use crate::model::Book;
use crate::pipeline::{
    ParseCache, Revisions, attach_review_with, book_date, load_model_cached, load_model_overridden,
};
use crate::render::html::{HtmlOptions, HtmlRenderer};
use crate::render::plan::Plan;
use crate::source::Sources;

use super::live::{Event, Held, Live, Problem};
use super::typesetter::{Job, Typesetter};

/// What one rebuild did, for the terminal and the watcher.
#[derive(Default)]
pub struct Report {
    /// The save (build number).
    pub generation: u64,
    /// Chapters parsed again.
    pub reparsed: Vec<String>,
    /// Time to load, parse and check the book.
    pub model: Duration,
    /// Time to attach the review state (history, comments, diffs).
    pub review: Duration,
    /// From the start of the rebuild to the edited chapter's page
    /// written and announced, when it was announced before the rest.
    pub page: Option<Duration>,
    /// Site pages rewritten, and the time the site took.
    pub html: Option<(Vec<String>, Duration)>,
    /// Diagnostics of the build, and the sources they point into.
    pub diagnostics: Vec<Diagnostic>,
    /// The sources of the book as loaded.
    pub sources: Sources,
    /// What the site holds back from this save.
    pub held: Held,
    /// The folders the book reads, for the watcher.
    pub watch: Vec<PathBuf>,
    /// Bibliography and other root files the book reads.
    pub root_files: Vec<String>,
    /// The finished model, when it went to the typesetter (the site was
    /// built from it).
    pub typeset: Option<Arc<Book>>,
}

/// The model of one save, with what it holds back.
struct Model {
    book: Book,
    diagnostics: Vec<Diagnostic>,
    held: Held,
    reparsed: Vec<String>,
    /// The folders the files as they are read (a broken chapter's
    /// included, though the model keeps its last good text).
    watch: Vec<PathBuf>,
    /// The files as they are, which the diagnostics point into (the model
    /// has a broken chapter's last good text under the same file id).
    sources: Sources,
}

/// The state kept from one rebuild to the next.
pub struct Builder {
    root: PathBuf,
    out: PathBuf,
    pdf: bool,
    parses: ParseCache,
    /// Each chapter file's text as last built without errors.
    last_good: HashMap<PathBuf, String>,
    /// Hash of each site file as last written.
    written: HashMap<String, u64>,
    /// Each copied asset's modification time and length as last copied.
    copied: HashMap<String, (Option<SystemTime>, u64)>,
    /// The history reachable from HEAD, and HEAD's commit id.
    history: Option<(String, Vec<crate::git::Commit>)>,
    /// The last review report, with the HEAD and the book's inputs
    /// ([`crate::status::inputs_key`]) it was computed from.
    reviewed: Option<(String, u64, crate::status::StatusReport)>,
    /// The document date, and the HEAD it was read at (empty outside git).
    date: Option<(String, crate::date::DocDate)>,
    /// The chapter files' blob ids, as last computed.
    revisions: Revisions,
    /// The contributor making the draft, with the HEAD, the book's inputs
    /// and the git identity it was found from.
    me: Option<((String, u64, crate::git::Person), Option<String>)>,
    /// The diffs since approval, as last made.
    diffs: crate::textdiff::Diffs,
}

impl Builder {
    /// A builder of the book at `root` into `out/html`; `pdf` when the
    /// typesetter makes `out/<id>.pdf` (the site links to it).
    pub fn new(root: &Path, out: &Path, pdf: bool) -> Builder {
        Builder {
            root: root.to_path_buf(),
            out: out.to_path_buf(),
            pdf,
            parses: ParseCache::default(),
            last_good: HashMap::new(),
            written: HashMap::new(),
            copied: HashMap::new(),
            history: None,
            reviewed: None,
            date: None,
            revisions: Revisions::default(),
            me: None,
            diffs: Default::default(),
        }
    }

    /// Prepares what the next rebuild takes from the parse cache (copies
    /// of the chapters parsed), while no save is waiting.
    pub fn prepare_next(&mut self) {
        self.parses.refill();
    }

    /// Forgets the parses (after a panic, they are not trusted).
    pub fn reset(&mut self) {
        self.parses = ParseCache::default();
    }

    /// Rebuilds the site from the files as they are and tells the browsers;
    /// the finished model goes to `typesetter` as soon as the edited
    /// chapter's page is out, before the rest of the site (and is taken
    /// back if the site then fails).
    pub fn rebuild(&mut self, live: &Live, typesetter: Option<&Typesetter>) -> Report {
        let generation = live.with(|s| {
            s.generation += 1;
            s.generation
        });
        let mut report = Report {
            generation,
            ..Report::default()
        };
        let started = Instant::now();
        let Model {
            mut book,
            diagnostics,
            held,
            reparsed,
            watch,
            sources,
        } = self.model();
        report.reparsed = reparsed;
        report.model = started.elapsed();
        report.watch = watch;
        // The bibliography files and a `.csl` style of the book.
        let bibliography = &book.config.bibliography;
        report.root_files = bibliography
            .files
            .iter()
            .chain(
                bibliography
                    .style
                    .iter()
                    .filter(|s| s.value.ends_with(".csl")),
            )
            .map(|f| f.value.clone())
            .collect();
        report.diagnostics = diagnostics;
        report.held = held.clone();
        if held == Held::Everything {
            self.finish(live, &report, &sources);
            report.sources = sources;
            return report;
        }

        // Always a draft; the document date moves with HEAD, not with each
        // save, and is known before the first site is written ("how to
        // cite" prints its year).
        let t = Instant::now();
        let review = self.review(&book);
        book.date = self.document_date(&book, &review.head);
        attach_review_with(&mut book, review, &mut self.revisions);
        if let Ok(repo) = crate::git::Repo::open(&book.root) {
            let me = self.drafting_contributor(&book, &repo);
            crate::textdiff::attach_since_approval_as(
                &mut book,
                &repo,
                me.as_deref(),
                &mut self.diffs,
            );
        }
        publish_comments(live, &book);
        report.review = t.elapsed();

        let t = Instant::now();
        let mut options = Plan::watch(self.pdf).html_options(&book, &self.out);
        // Links only to what this process makes and serves: an EPUB or a
        // PDF an earlier `build` left would be stale.
        options.epub = None;
        if !self.pdf {
            options.pdf = None;
        }
        // The edited chapters' pages first, exactly as the whole site makes
        // them: the browser showing one reloads before the rest is rendered.
        let mut announced: HashSet<String> = HashSet::new();
        if !self.written.is_empty() && !report.reparsed.is_empty() {
            let renderer = HtmlRenderer {
                options: options.clone(),
            };
            let ids: Vec<String> = report
                .reparsed
                .iter()
                .filter(|id| book.chapter(id).is_some())
                .cloned()
                .collect();
            if let Ok(files) = renderer.chapter_pages(&book, &ids) {
                let dir = self.out.join("html");
                let pages: Vec<String> = files
                    .iter()
                    .filter(|(name, bytes)| self.write_page(&dir, name, bytes) == Ok(true))
                    .map(|(name, _)| name.clone())
                    .collect();
                if !pages.is_empty() {
                    announced.extend(pages.iter().cloned());
                    live.send(Event::Reload {
                        generation,
                        pages,
                        all: false,
                    });
                    report.page = Some(started.elapsed());
                }
            }
        }
        // The typesetter starts now, beside the rest of the site: a
        // whole-book typeset begins by emptying Typst's cache, which takes
        // as long as the site.
        let model_failed = unbuilt(&report);
        let book = Arc::new(book);
        let typesetter = typesetter.filter(|_| self.pdf && !model_failed);
        if let Some(typesetter) = typesetter {
            typesetter.submit(Job {
                generation,
                book: book.clone(),
            });
        }
        let site = self.write_site(&book, options);
        let (pages, all) = match site {
            Ok(changed) => changed,
            Err(mut errors) => {
                report.diagnostics.append(&mut errors);
                (Vec::new(), false)
            }
        };
        // A page is announced once per save.
        let pages: Vec<String> = pages
            .into_iter()
            .filter(|p| !announced.contains(p))
            .collect();
        let mut written: Vec<String> = announced.iter().cloned().collect();
        written.sort();
        written.extend(pages.iter().cloned());
        report.html = Some((written, t.elapsed()));
        if !pages.is_empty() || all {
            live.send(Event::Reload {
                generation,
                pages,
                all,
            });
        }
        let site_failed = unbuilt(&report);
        if site_failed {
            report.held = Held::Everything;
        }
        match typesetter {
            Some(typesetter) if site_failed => typesetter.withdraw(generation),
            Some(_) => report.typeset = Some(book),
            // Freeing a long book's model takes a while: not before the next save.
            None => {
                std::thread::spawn(move || drop(book));
            }
        }
        self.finish(live, &report, &sources);
        report.sources = sources;
        report
    }

    /// The model of the files as they are. With errors all in chapter
    /// files, the book is built again with each of those chapters at its
    /// last good text (or without it, if it never had one): when that
    /// build has no error, the site and the PDF come from it.
    fn model(&mut self) -> Model {
        let mut sink = Sink::default();
        let book = load_model_cached(&self.root, &mut sink, &mut self.parses);
        let reparsed = self.parses.parsed.clone();
        let mut watch = watched_folders(&book);
        if !sink.has_errors() {
            self.remember(&book, &BTreeSet::new());
            return Model {
                sources: book.sources.clone(),
                book,
                diagnostics: sink.into_sorted(),
                held: Held::Nothing,
                reparsed,
                watch,
            };
        }
        let diagnostics = sink.into_sorted();
        let everything = |book: Book, watch| Model {
            sources: book.sources.clone(),
            book,
            diagnostics: diagnostics.clone(),
            held: Held::Everything,
            reparsed: reparsed.clone(),
            watch,
        };
        let Some(broken) = broken_chapters(&diagnostics, &book.sources) else {
            return everything(book, watch);
        };
        // A chapter never built has no last good text: it stands as an empty
        // chapter under its file's id, so that the book's list of chapters
        // and parts still holds.
        let overrides: crate::load::Overrides = broken
            .iter()
            .map(|path| {
                let text = self.last_good.get(path).cloned();
                (path.clone(), text.or_else(|| Some(placeholder(path))))
            })
            .collect();
        let mut again = Sink::default();
        let kept = load_model_overridden(&self.root, &mut again, &mut self.parses, &overrides);
        if again.has_errors() {
            return everything(book, watch);
        }
        self.remember(&kept, &broken);
        watch.extend(watched_folders(&kept));
        watch.sort();
        watch.dedup();
        let (kept_paths, left_out) = broken
            .iter()
            .map(|path| {
                let good = self.last_good.contains_key(path);
                (crate::model::slash_path(path), good)
            })
            .partition::<Vec<_>, _>(|(_, good)| *good);
        Model {
            sources: book.sources,
            book: kept,
            diagnostics,
            held: Held::Chapters {
                kept: kept_paths.into_iter().map(|(p, _)| p).collect(),
                left_out: left_out.into_iter().map(|(p, _)| p).collect(),
            },
            reparsed,
            watch,
        }
    }

    /// Keeps the text of every chapter of `book` but the `broken` ones as
    /// its last good text; chapters gone from the book are forgotten.
    fn remember(&mut self, book: &Book, broken: &BTreeSet<PathBuf>) {
        let mut good = HashMap::new();
        for chapter in &book.chapters {
            let text = if broken.contains(&chapter.path) {
                self.last_good.remove(&chapter.path)
            } else {
                Some(book.sources.get(chapter.file).text.clone())
            };
            if let Some(text) = text {
                good.insert(chapter.path.clone(), text);
            }
        }
        self.last_good = good;
    }

    /// Tells the browsers what the site now shows: its save, its problems
    /// and what it holds back (in place, without a reload).
    fn finish(&self, live: &Live, report: &Report, sources: &Sources) {
        let problems: Vec<Problem> = report
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| Problem::from_diagnostic(d, sources))
            .collect();
        live.change_status(|s| {
            s.site_problems = problems;
            s.held = report.held.clone();
            if report.held != Held::Everything {
                s.site = report.generation;
            }
            s.builds += 1;
        });
    }

    /// The review state, as a draft build shows it. The history is read
    /// again only when HEAD moved.
    fn review(&mut self, book: &Book) -> crate::status::StatusReport {
        let inputs = crate::status::inputs_key(book);
        let computed = crate::git::Repo::open(&book.root).and_then(|repo| {
            let head = repo.head_commit()?;
            // A save that changes neither HEAD nor what the report reads
            // but the text: only the words change.
            if let Some((at, key, report)) = &mut self.reviewed
                && *at == head
                && *key == inputs
            {
                crate::status::recount_words(report, book, &self.parses.parsed);
                return Ok(report.clone());
            }
            let history = match self.history.take() {
                Some((at, history)) if at == head => history,
                _ => repo.history(crate::load::CHAPTERS_DIR, None, false)?,
            };
            let report = crate::status::status_from_history(
                book,
                &repo,
                Default::default(),
                head.clone(),
                &history,
                &crate::status::chapter_words(book),
            );
            self.history = Some((head.clone(), history));
            if let Ok(report) = &report {
                self.reviewed = Some((head, inputs, report.clone()));
            }
            report
        });
        computed.unwrap_or_else(|_| crate::status::offline_report(book))
    }

    /// The contributor making the draft (git's identity through the
    /// mailmap), found again only when HEAD, the book's inputs or the
    /// identity changed: reading the mailmap and the contributors' keys
    /// is not for every save.
    fn drafting_contributor(&mut self, book: &Book, repo: &crate::git::Repo) -> Option<String> {
        let (Some((head, inputs, _)), Ok(identity)) = (&self.reviewed, repo.identity()) else {
            return crate::textdiff::drafting_contributor(book, repo);
        };
        let key = (head.clone(), *inputs, identity);
        if let Some((known, me)) = &self.me
            && *known == key
        {
            return me.clone();
        }
        let me = crate::textdiff::drafting_contributor(book, repo);
        self.me = Some((key, me.clone()));
        me
    }

    /// The document date, kept while HEAD does not move (a save does not
    /// change the imprint).
    fn document_date(&mut self, book: &Book, head: &str) -> Option<crate::date::DocDate> {
        let date = match self.date.take() {
            Some((at, date)) if at == head => Some(date),
            _ => book_date(book),
        };
        if let Some(date) = date {
            self.date = Some((head.to_string(), date));
        }
        date
    }

    /// Writes the site's files that changed; returns their names, and
    /// whether every page should reload (a stylesheet, script or image changed).
    /// Writes a file of the site unless it is as last written; whether it
    /// was written.
    fn write_page(&mut self, dir: &Path, name: &str, bytes: &[u8]) -> Result<bool, Diagnostic> {
        let hash = crate::fingerprint::fingerprint(&bytes);
        if self.written.get(name) == Some(&hash) {
            return Ok(false);
        }
        crate::atomic::write_atomically(&dir.join(name), bytes)?;
        self.written.insert(name.to_string(), hash);
        Ok(true)
    }

    fn write_site(
        &mut self,
        book: &Book,
        options: HtmlOptions,
    ) -> Result<(Vec<String>, bool), Vec<Diagnostic>> {
        let site = HtmlRenderer { options }.site(book)?;
        let dir = self.out.join("html");
        let first = self.written.is_empty();
        let mut pages = Vec::new();
        let mut all = false;
        let mut present = HashSet::new();
        let mut errors = Vec::new();
        for (name, bytes) in &site.files {
            present.insert(name.clone());
            match self.write_page(&dir, name, bytes) {
                Ok(false) => {}
                Ok(true) if name.ends_with(".html") => pages.push(name.clone()),
                // The stylesheet or a script: every page shows it.
                Ok(true) => all |= !name.starts_with("search-index."),
                Err(e) => errors.push(e),
            }
        }
        for asset in &site.assets {
            present.insert(asset.clone());
            let from = book.root.join(asset);
            let stamp = std::fs::metadata(&from)
                .map(|m| (m.modified().ok(), m.len()))
                .unwrap_or((None, 0));
            let to = dir.join(asset);
            if self.copied.get(asset) == Some(&stamp) && to.is_file() {
                continue;
            }
            let copy = std::fs::read(&from)
                .map_err(|e| Diagnostic::error_in(Some(PathBuf::from(asset)), e.to_string()))
                .and_then(|bytes| crate::atomic::write_atomically(&to, &bytes));
            match copy {
                Ok(()) => {
                    self.copied.insert(asset.clone(), stamp);
                    all = true;
                }
                Err(e) => errors.push(e),
            }
        }
        // Pages of chapters gone from the book go too; at the first build,
        // whatever an earlier build left that this one does not make.
        let stale: Vec<String> = if first {
            files_under(&dir)
                .into_iter()
                .filter(|name| !present.contains(name))
                .collect()
        } else {
            self.written
                .keys()
                .chain(self.copied.keys())
                .filter(|name| !present.contains(*name))
                .cloned()
                .collect()
        };
        for name in stale {
            let _ = std::fs::remove_file(dir.join(&name));
            self.written.remove(&name);
            self.copied.remove(&name);
            all = true;
        }
        if errors.is_empty() {
            Ok((pages, all && !first))
        } else {
            Err(errors)
        }
    }
}

/// Whether a save's report has errors that hold the whole book back (an
/// error in the model or the site, no chapter held at its last good text).
fn unbuilt(report: &Report) -> bool {
    report
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error)
        && report.held == Held::Nothing
}

/// The stand-in of a chapter with errors that was never built: no text,
/// its file's id as its title.
fn placeholder(path: &Path) -> String {
    let id = crate::load::id_from_path(path);
    let title = serde_json::to_string(&id).unwrap_or_default();
    format!("---\ntitle: {title}\n---\n")
}

/// The chapter files the errors are in, when every error is in one (an
/// error elsewhere, in book.toml say, holds the whole build).
fn broken_chapters(diagnostics: &[Diagnostic], sources: &Sources) -> Option<BTreeSet<PathBuf>> {
    let mut broken = BTreeSet::new();
    for d in diagnostics.iter().filter(|d| d.severity == Severity::Error) {
        let path = match (&d.span, &d.path) {
            (Some(span), _) => sources.get(span.file).path.clone(),
            (None, Some(path)) => path.clone(),
            (None, None) => return None,
        };
        let in_chapters = path.starts_with(crate::load::CHAPTERS_DIR)
            && path.extension().is_some_and(|e| e == "md");
        if !in_chapters {
            return None;
        }
        broken.insert(path);
    }
    Some(broken)
}

/// The folders whose changes concern the book: chapters, templates, fonts,
/// every folder holding one of its images, and every folder that would
/// hold a file it names that does not exist (watched once it exists).
fn watched_folders(book: &Book) -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = [crate::load::CHAPTERS_DIR, crate::templates::DIR, "fonts"]
        .iter()
        .map(|d| book.root.join(d))
        .collect();
    let read = book.assets.iter().map(|a| a.path.as_str());
    for path in read.chain(book.missing.iter().map(String::as_str)) {
        if let Some(parent) = book.root.join(path).parent()
            && parent != book.root
        {
            folders.push(parent.to_path_buf());
        }
    }
    folders.sort();
    folders.dedup();
    folders
}

/// Files under `dir`, as `/`-separated paths relative to it.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(dir) {
                out.push(crate::model::slash_path(rel));
            }
        }
    }
    out
}

/// Hands each chapter's comments to the review panels, and tells the
/// browsers which chapters' changed.
fn publish_comments(live: &Live, book: &Book) {
    let now = crate::commenting::chapters_json(book);
    let changed: Vec<String> = live.with(|s| {
        let changed = now
            .iter()
            .filter(|(id, v)| s.comments.get(*id) != Some(*v))
            .map(|(id, _)| id.clone())
            .collect();
        s.comments = now;
        changed
    });
    if !changed.is_empty() {
        live.send(Event::Comments { chapters: changed });
    }
}
