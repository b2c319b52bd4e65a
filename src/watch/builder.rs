//! One rebuild after a change: the model again (reparsing only the chapters
//! whose file changed), the site's pages written only where their bytes
//! changed, and the PDF recompiled with the same Typst session, whose
//! memoisation reuses everything the change did not touch.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use crate::diag::{Diagnostic, Sink};
use crate::model::Book;
use crate::pipeline::{ParseCache, attach_review, book_date, load_model_cached};
use crate::render::html::{HtmlOptions, HtmlRenderer};
use crate::render::plan::Plan;
use crate::render::typst::offprints::chapter_pages;
use crate::render::typst::{PdfOptions, PdfRenderer, Session, export};
use crate::source::Sources;
use typst_layout::PagedDocument;

use super::live::{Event, Live, Problem};

/// What one rebuild did, for the terminal.
#[derive(Default)]
pub struct Report {
    /// Chapters parsed again.
    pub reparsed: Vec<String>,
    /// Time to load, parse and check the book.
    pub model: Duration,
    /// Site pages rewritten, and the time the site took.
    pub html: Option<(Vec<String>, Duration)>,
    /// Typeset pages that changed, the page count, and the time to typeset.
    pub pdf: Option<(Vec<usize>, usize, Duration)>,
    /// The edited chapter typeset alone and shown first: its pages that
    /// changed, and the time from the start of typesetting.
    pub quick: Option<(Vec<usize>, Duration)>,
    /// Time to write the PDF file.
    pub export: Option<Duration>,
    /// Diagnostics of the build, and the sources they point into.
    pub diagnostics: Vec<Diagnostic>,
    /// The sources of the book as loaded.
    pub sources: Sources,
    /// The folders the book reads, for the watcher.
    pub watch: Vec<PathBuf>,
    /// Bibliography and other root files the book reads.
    pub root_files: Vec<String>,
}

/// The state kept from one rebuild to the next.
pub struct Builder {
    root: PathBuf,
    out: PathBuf,
    pdf: bool,
    parses: ParseCache,
    /// Hash of each site file as last written.
    written: HashMap<String, u64>,
    /// Each copied asset's modification time and length as last copied.
    copied: HashMap<String, (Option<SystemTime>, u64)>,
    session: Option<Session>,
    /// The history reachable from HEAD, and HEAD's commit id.
    history: Option<(String, Vec<crate::git::Commit>)>,
    /// The last review report, with the HEAD and the book's inputs
    /// ([`crate::status::inputs_key`]) it was computed from.
    reviewed: Option<(String, u64, crate::status::StatusReport)>,
    /// The document date, and the HEAD it was read at (empty outside git).
    date: Option<(String, crate::date::DocDate)>,
}

impl Builder {
    /// A builder of the book at `root` into `out` (`out/html`, `out/<id>.pdf`).
    pub fn new(root: &Path, out: &Path, pdf: bool) -> Builder {
        Builder {
            root: root.to_path_buf(),
            out: out.to_path_buf(),
            pdf,
            parses: ParseCache::default(),
            written: HashMap::new(),
            copied: HashMap::new(),
            session: None,
            history: None,
            reviewed: None,
            date: None,
        }
    }

    /// Forgets the Typst session (after a panic, its state is not trusted).
    pub fn reset(&mut self) {
        self.session = None;
        self.parses = ParseCache::default();
    }

    /// Rebuilds what changed and tells the browsers.
    pub fn rebuild(&mut self, live: &Live, on_typeset: &dyn Fn(bool)) -> Report {
        let generation = live.with(|s| {
            s.generation += 1;
            s.generation
        });
        let mut report = Report::default();
        let started = Instant::now();
        let mut sink = Sink::default();
        let mut book = load_model_cached(&self.root, &mut sink, &mut self.parses);
        report.reparsed = self.parses.parsed.clone();
        report.model = started.elapsed();
        report.watch = watched_folders(&book);
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
        let failed = sink.has_errors();
        report.diagnostics = sink.into_sorted();
        if failed {
            announce(
                live,
                generation,
                Vec::new(),
                false,
                &report.diagnostics,
                &book.sources,
            );
            report.sources = book.sources;
            return report;
        }

        // Always a draft; the document date moves with HEAD, not with each
        // save, and is known before the first site is written ("how to
        // cite" prints its year).
        let review = self.review(&book);
        book.date = self.document_date(&book, &review.head);
        attach_review(&mut book, review);

        let t = Instant::now();
        let options = Plan::watch(self.pdf).html_options(&book, &self.out);
        // The edited chapters' pages first, exactly as the whole site makes
        // them: the browser showing one reloads before the rest is rendered.
        if !self.written.is_empty() && !report.reparsed.is_empty() {
            let renderer = HtmlRenderer {
                options: options.clone(),
            };
            if let Ok(files) = renderer.chapter_pages(&book, &report.reparsed) {
                let dir = self.out.join("html");
                let pages = files
                    .iter()
                    .filter(|(name, bytes)| self.write_page(&dir, name, bytes) == Ok(true))
                    .map(|(name, _)| name.clone())
                    .collect();
                announce(
                    live,
                    generation,
                    pages,
                    false,
                    &report.diagnostics,
                    &book.sources,
                );
            }
        }
        let (pages, all) = match self.write_site(&book, options) {
            Ok(changed) => changed,
            Err(mut errors) => {
                report.diagnostics.append(&mut errors);
                (Vec::new(), false)
            }
        };
        report.html = Some((pages.clone(), t.elapsed()));
        announce(
            live,
            generation,
            pages,
            all,
            &report.diagnostics,
            &book.sources,
        );

        if self.pdf {
            self.typeset(&book, live, generation, on_typeset, &mut report);
            announce(
                live,
                generation,
                Vec::new(),
                false,
                &report.diagnostics,
                &book.sources,
            );
        }
        report.sources = book.sources;
        report
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
            );
            self.history = Some((head.clone(), history));
            if let Ok(report) = &report {
                self.reviewed = Some((head, inputs, report.clone()));
            }
            report
        });
        computed.unwrap_or_else(|_| crate::status::offline_report(book))
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

    /// Compiles the book in the kept session, shows the pages that changed
    /// in the preview, then writes the PDF.
    fn typeset(
        &mut self,
        book: &Book,
        live: &Live,
        generation: u64,
        on_typeset: &dyn Fn(bool),
        report: &mut Report,
    ) {
        let t = Instant::now();
        on_typeset(true);
        let options = PdfOptions::default();
        self.quick_preview(book, &options, live, generation, report, t);
        let compiled = match &mut self.session {
            Some(session) => session.compile(book, &options),
            None => Session::for_book(book, &options.fonts).and_then(|mut session| {
                let compiled = session.compile(book, &options);
                self.session = Some(session);
                compiled
            }),
        };
        on_typeset(false);
        // Typst's caches grow with each compile: keep what recent compiles
        // used, drop the rest.
        typst::comemo::evict(10);
        let compiled = match compiled {
            Ok(compiled) => compiled,
            Err(mut errors) => {
                report.diagnostics.append(&mut errors);
                return;
            }
        };
        report.diagnostics.extend(compiled.warnings.iter().cloned());
        let (hashes, changed) = live.set_document(compiled.document.clone());
        report.pdf = Some((changed.clone(), hashes.len(), t.elapsed()));
        if !changed.is_empty() {
            live.send(Event::Preview {
                generation,
                pages: hashes,
                changed,
            });
        }
        // The file comes after the preview: the editor sees the pages while
        // it is written.
        let t = Instant::now();
        match export(book, &compiled, None) {
            Ok(bytes) => {
                let path = self.out.join(PdfRenderer::file_name(book));
                match crate::atomic::write_atomically(&path, &bytes) {
                    Ok(()) => live.with(|s| s.pdf_name = Some(PdfRenderer::file_name(book))),
                    Err(e) => report.diagnostics.push(e),
                }
            }
            Err(mut errors) => report.diagnostics.append(&mut errors),
        }
        report.export = Some(t.elapsed());
    }

    /// When one chapter changed and the book was typeset before: typesets
    /// that chapter alone (a fraction of the book's time) and shows its
    /// pages in place of its old ones at once; the whole book follows.
    /// Any failure here is left to the whole book's compile to report.
    fn quick_preview(
        &mut self,
        book: &Book,
        options: &PdfOptions,
        live: &Live,
        generation: u64,
        report: &mut Report,
        started: Instant,
    ) {
        let [id] = report.reparsed.as_slice() else {
            return;
        };
        let (Some(index), Some(session), Some(previous)) = (
            book.chapter_index(id),
            self.session.as_mut(),
            live.with(|s| s.document.clone()),
        ) else {
            return;
        };
        let Some((_, old)) = chapter_pages(&previous).into_iter().find(|(c, _)| c == id) else {
            return;
        };
        let Ok(alone) = session.compile_alone(book, options, index, *old.start()) else {
            return;
        };
        let Some((_, new)) = chapter_pages(&alone.document)
            .into_iter()
            .find(|(c, _)| c == id)
        else {
            return;
        };
        let pages = &previous.pages()[..*old.start() - 1];
        let pages = pages
            .iter()
            .chain(&alone.document.pages()[*new.start() - 1..*new.end()])
            .chain(&previous.pages()[*old.end()..])
            .cloned()
            .collect();
        let info = typst::model::Document::info(&*previous).clone();
        let composite = PagedDocument::new(pages, info);
        let (hashes, changed) = live.set_document(composite);
        report.quick = Some((changed.clone(), started.elapsed()));
        if !changed.is_empty() {
            live.send(Event::Preview {
                generation,
                pages: hashes,
                changed,
            });
        }
    }

    /// Writes the site's files that changed; returns their names, and
    /// whether every page should reload (a stylesheet, script or image changed).
    /// Writes a file of the site unless it is as last written; whether it
    /// was written.
    fn write_page(&mut self, dir: &Path, name: &str, bytes: &[u8]) -> Result<bool, Diagnostic> {
        let hash = hash_bytes(bytes);
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

/// Stores the build's errors for the server and tells the browsers: the
/// rewritten `pages`, or every page when `all` or when the errors changed
/// (the overlay comes with every page). Nothing is sent when nothing changed.
fn announce(
    live: &Live,
    generation: u64,
    pages: Vec<String>,
    all: bool,
    diagnostics: &[Diagnostic],
    sources: &Sources,
) {
    let problems: Vec<Problem> = diagnostics
        .iter()
        .filter(|d| d.severity == crate::diag::Severity::Error)
        .map(|d| Problem::from_diagnostic(d, sources))
        .collect();
    let problems_changed = live.with(|s| {
        let changed = s.problems != problems;
        s.problems = problems;
        changed
    });
    if !pages.is_empty() || all || problems_changed {
        live.send(Event::Reload {
            generation,
            pages,
            all: all || problems_changed,
        });
    }
}

/// The folders whose changes concern the book: chapters, templates, fonts,
/// and every folder holding one of its images.
fn watched_folders(book: &Book) -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = [crate::load::CHAPTERS_DIR, crate::templates::DIR, "fonts"]
        .iter()
        .map(|d| book.root.join(d))
        .collect();
    for asset in &book.assets {
        if let Some(parent) = book.root.join(&asset.path).parent()
            && parent != book.root
        {
            folders.push(parent.to_path_buf());
        }
    }
    folders.sort();
    folders.dedup();
    folders
}

fn hash_bytes(bytes: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut hasher);
    hasher.finish()
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
