//! The PDF and its typeset preview, made in one long-lived worker beside
//! the site, so that the site never waits for them.
//!
//! The builder hands each finished model to [`Typesetter::submit`] and goes
//! on; the worker thread keeps one Typst session (the World and Typst's
//! memoised work) from one typeset to the next. Jobs wait in a slot of one
//! ([`super::latest::Latest`]): a newer save replaces a job not started,
//! and a job that a newer save has superseded is dropped between its
//! stages, neither announced nor written. Typst lays out on a pool of
//! threads of its own, so that the site's parallel work never queues
//! behind a typeset.
//!
//! A typeset: when one chapter changed, that chapter typeset alone and
//! shown in place of its old pages; the whole book, from an empty cache when
//! it is laid out again as a whole (a new title, contributors or template:
//! [`crate::render::typst::Changes::is_whole_book`]); its pages to the
//! preview; Typst's cache evicted by size ([`super::memory`]); the PDF,
//! staged then renamed over the one before (the file of an earlier title
//! removed). A panic is caught and reported, and the worker
//! starts again with a fresh session.
//!
//! Input: [`Job`]s. Output: the preview's pages and events in [`Live`],
//! `out/<book-id>.pdf`, and one [`Report`] per job for the terminal.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use typst_layout::PagedDocument;

use super::latest::Latest;
use super::live::{Event, Live, Problem, Typeset};
use super::memory::{self, Budget, Eviction};
use crate::diag::{Diagnostic, Severity};
use crate::model::Book;
use crate::render::typst::offprints::chapter_pages;
use crate::render::typst::{Compiled, PdfOptions, PdfRenderer, Session, export};

/// One model to typeset: the save it comes from, and the book.
#[derive(Clone)]
pub struct Job {
    /// The save (build number).
    pub generation: u64,
    /// The finished model, as the site was built from it.
    pub book: Arc<Book>,
}

/// A point in a typeset, for a test to hold the worker at ([`Hook`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// A job was taken, nothing done yet.
    Started,
    /// The whole book was compiled (the cache not yet evicted).
    Compiled,
    /// The PDF is written to its staging file, not yet renamed over the
    /// previous one.
    Staged,
    /// The job is over (done, dropped or failed).
    Finished,
}

impl Stage {
    /// Its name, in the test hooks' file names.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Started => "started",
            Stage::Compiled => "compiled",
            Stage::Staged => "staged",
            Stage::Finished => "finished",
        }
    }
}

/// Called by the worker at each [`Stage`] of a job, with the job's save:
/// tests hold the worker there (a barrier) or make it panic.
pub type Hook = Arc<dyn Fn(Stage, u64) + Send + Sync>;

/// What one job did, for the terminal.
#[derive(Default)]
pub struct Report {
    /// The save.
    pub generation: u64,
    /// Dropped: a newer save came before it was done.
    pub superseded: bool,
    /// Compiled from an empty cache.
    pub cold: bool,
    /// The edited chapter typeset alone: pages shown, time.
    pub quick: Option<(Vec<usize>, Duration)>,
    /// Pages changed, page count, time of the whole book's compile.
    pub pdf: Option<(Vec<usize>, usize, Duration)>,
    /// Time to write the PDF.
    pub export: Option<Duration>,
    /// Errors and warnings of the typeset.
    pub diagnostics: Vec<Diagnostic>,
    /// The book typeset (its sources, for the diagnostics).
    pub book: Option<Arc<Book>>,
    /// Resident memory after the eviction, and the eviction.
    pub memory: Option<(Option<u64>, Eviction)>,
    /// A panic caught, and the worker started again.
    pub panic: Option<String>,
}

/// The worker: its job slot and its thread.
pub struct Typesetter {
    latest: Arc<Latest<Job>>,
    live: Arc<Live>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// The typesetter's status before the last job was submitted, for
    /// [`Typesetter::withdraw`].
    before: std::sync::Mutex<Option<(u64, Typeset)>>,
}

impl Typesetter {
    /// Starts the worker, writing the PDF into `out` (with its lines
    /// numbered when `line_numbers`); each job's report goes to `report`.
    pub fn start(
        out: PathBuf,
        live: Arc<Live>,
        line_numbers: bool,
        hook: Option<Hook>,
        report: Box<dyn Fn(Report) + Send>,
    ) -> std::io::Result<Typesetter> {
        let latest: Arc<Latest<Job>> = Arc::default();
        live.change_status(|s| s.typeset = Typeset::Waiting);
        let thread = {
            let latest = latest.clone();
            let live = live.clone();
            std::thread::Builder::new()
                .name("ouvrage-typesetter".into())
                .stack_size(crate::pipeline::STACK_SIZE)
                .spawn(move || run(&latest, &live, &out, line_numbers, hook, &*report))?
        };
        Ok(Typesetter {
            latest,
            live,
            thread: Some(thread),
            before: std::sync::Mutex::new(None),
        })
    }

    /// Hands the newest finished model to the worker: it replaces a job
    /// that did not start, and supersedes one in progress. The preview
    /// says "typesetting" from now on.
    pub fn submit(&self, job: Job) {
        let generation = job.generation;
        let mut before = self.before.lock().unwrap_or_else(|e| e.into_inner());
        self.live.change_status(|s| {
            *before = Some((generation, s.typeset));
            s.typeset = Typeset::Running(generation);
        });
        self.latest.submit(generation, job);
    }

    /// Takes back the job of save `generation` (its site could not be
    /// built after all): never typeset if it did not start, dropped
    /// between stages if it did, and the status as it was before it.
    pub fn withdraw(&self, generation: u64) {
        self.latest.withdraw(generation);
        let before = self.before.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((submitted, status)) = *before
            && submitted == generation
        {
            self.live.change_status(|s| {
                if s.typeset == Typeset::Running(generation) {
                    s.typeset = status;
                }
            });
        }
    }
}

impl Drop for Typesetter {
    fn drop(&mut self) {
        self.latest.close();
        // The job in progress ends first; tests drop the worker between
        // their builds.
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The worker's loop: a fresh [`Worker`] at the start and after a panic.
fn run(
    latest: &Latest<Job>,
    live: &Live,
    out: &std::path::Path,
    line_numbers: bool,
    hook: Option<Hook>,
    report: &dyn Fn(Report),
) {
    yield_to_site();
    let options = PdfOptions {
        no_line_numbers: !line_numbers,
        ..PdfOptions::default()
    };
    let hook = hook.unwrap_or_else(|| Arc::new(|_, _| {}));
    let mut budget = Budget::default();
    let mut worker = Worker::new(out, live, latest, &options, hook.clone());
    while let Some((generation, job)) = latest.take() {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            worker.typeset(&job, &mut budget)
        }));
        match outcome {
            Ok(done) => report(done),
            Err(panic) => {
                let why = panic_message(&*panic);
                // Nothing of the session is trusted after a panic: a new
                // World, an empty cache.
                worker = Worker::new(out, live, latest, &options, hook.clone());
                memory::evict(Eviction::Clear, None);
                let message = format!(
                    "internal error while typesetting ({why}); this is a bug in ouvrage, please report it. The typesetter started again and the site goes on."
                );
                live.change_status(|s| {
                    s.pdf_problems = vec![internal_problem(&message)];
                    s.typesets.restarts += 1;
                    if s.typeset == Typeset::Running(generation) {
                        s.typeset = Typeset::Failed(generation);
                    }
                });
                report(Report {
                    generation,
                    panic: Some(message),
                    ..Report::default()
                });
            }
        }
        hook(Stage::Finished, generation);
    }
}

/// Lowers the calling thread's scheduling priority to the lowest (nice
/// 19), so that a save's site page, built on the builder's thread while a
/// typeset runs, gets the cores first: the typesetter works at full speed
/// when the builder idles. (At nice 10 the mdBook's page at autosave pace
/// took 67 ms instead of 46: bench/README.md.)
fn yield_to_site() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority on the calling thread's id (Linux schedules
    // threads by their own nice value); a failure leaves the priority as it was.
    unsafe {
        let tid = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 19);
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown".into())
}

/// A problem with no place in a file.
pub fn internal_problem(message: &str) -> Problem {
    Problem {
        severity: "error".into(),
        location: String::new(),
        message: message.to_string(),
        source_line: None,
        hints: Vec::new(),
    }
}

/// The state the worker keeps from one job to the next.
struct Worker<'a> {
    out: &'a std::path::Path,
    live: &'a Live,
    latest: &'a Latest<Job>,
    hook: Hook,
    /// The PDF's options (line numbers or not).
    options: &'a PdfOptions,
    session: Option<Session>,
    /// Typst's threads, apart from the site's.
    pool: Option<rayon::ThreadPool>,
    /// The PDF's name as last written.
    written: Option<String>,
}

impl<'a> Worker<'a> {
    fn new(
        out: &'a std::path::Path,
        live: &'a Live,
        latest: &'a Latest<Job>,
        options: &'a PdfOptions,
        hook: Hook,
    ) -> Self {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .stack_size(crate::pipeline::STACK_SIZE)
            .thread_name(|i| format!("ouvrage-typst-{i}"))
            .start_handler(|_| yield_to_site())
            .build()
            .ok();
        let written = live.with(|s| s.pdf_name.clone());
        Worker {
            out,
            live,
            latest,
            hook,
            options,
            session: None,
            pool,
            written,
        }
    }

    /// Runs `f` on Typst's own threads.
    fn on_pool<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        match &self.pool {
            Some(pool) => pool.install(f),
            None => f(),
        }
    }

    fn typeset(&mut self, job: &Job, budget: &mut Budget) -> Report {
        let generation = job.generation;
        let book = &job.book;
        let mut report = Report {
            generation,
            book: Some(job.book.clone()),
            ..Report::default()
        };
        (self.hook)(Stage::Started, generation);
        if self.dropped(generation, &mut report) {
            return report;
        }
        let options = self.options;
        let t = Instant::now();
        let prepared = match Session::prepare(book, options) {
            Ok(prepared) => prepared,
            Err(errors) => {
                self.failed(errors, &mut report);
                return report;
            }
        };
        if self.session.is_none() {
            match Session::for_book(book, &options.fonts) {
                Ok(session) => self.session = Some(session),
                Err(errors) => {
                    self.failed(errors, &mut report);
                    return report;
                }
            }
        }
        let changes = self.session.as_ref().expect("just made").changes(&prepared);
        if changes.is_whole_book() {
            // Every page is laid out again: what the cache holds would be
            // checked and found stale, and held beside the new work.
            memory::clear_before_compile();
            report.cold = true;
            self.live.with(|s| s.typesets.cold += 1);
        } else if let [id] = changes.chapters.as_slice() {
            self.quick_preview(book, &prepared, id, &mut report, t);
        }
        if self.dropped(generation, &mut report) {
            self.evict(budget, &mut report);
            return report;
        }

        let session = self.session.as_mut().expect("made above");
        let compiled = match &self.pool {
            Some(pool) => pool.install(|| session.compile_prepared(book, &prepared, None)),
            None => session.compile_prepared(book, &prepared, None),
        };
        let took = t.elapsed();
        (self.hook)(Stage::Compiled, generation);
        if self.dropped(generation, &mut report) {
            drop(compiled);
            self.evict(budget, &mut report);
            return report;
        }
        let compiled = match compiled {
            Ok(compiled) => compiled,
            Err(errors) => {
                self.failed(errors, &mut report);
                self.evict(budget, &mut report);
                return report;
            }
        };
        report.diagnostics.extend(compiled.warnings.iter().cloned());
        let (hashes, changed) = self.live.set_document(compiled.document.clone());
        report.pdf = Some((changed.clone(), hashes.len(), took));
        if !changed.is_empty() {
            self.live.send(Event::Preview {
                generation,
                pages: hashes,
                changed,
            });
        }
        // Typst's cache is trimmed once the preview is out (freeing a
        // book's worth of memoised work takes a second or more on a large
        // book, which the preview need not wait for) and before the PDF is
        // exported, so that the export's memory never adds to the cache's.
        self.evict(budget, &mut report);
        let t = Instant::now();
        self.write(book, &compiled, &mut report);
        report.export = Some(t.elapsed());
        report
    }

    /// Whether the job was superseded (then counted and reported dropped).
    fn dropped(&self, generation: u64, report: &mut Report) -> bool {
        if !self.latest.superseded(generation) {
            return false;
        }
        report.superseded = true;
        self.live.with(|s| s.typesets.superseded += 1);
        true
    }

    /// Evicts Typst's cache by size, once per job.
    fn evict(&self, budget: &mut Budget, report: &mut Report) {
        if report.memory.is_none() {
            let eviction = memory::after_compile(budget, self.pool.as_ref());
            report.memory = Some((memory::resident(), eviction));
        }
    }

    /// A typeset that failed: its errors, and the PDF and preview as they were.
    fn failed(&self, errors: Vec<Diagnostic>, report: &mut Report) {
        let generation = report.generation;
        let problems = match &report.book {
            Some(book) => errors
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .map(|d| Problem::from_diagnostic(d, &book.sources))
                .collect(),
            None => Vec::new(),
        };
        self.live.change_status(|s| {
            s.pdf_problems = problems;
            if s.typeset == Typeset::Running(generation) {
                s.typeset = Typeset::Failed(generation);
            }
        });
        report.diagnostics.extend(errors);
    }

    /// When one chapter changed: typesets it alone (a fraction of the
    /// book's time) and shows its pages in place of its old ones at once;
    /// the whole book follows. A failure here is left to the whole book's
    /// compile to report.
    fn quick_preview(
        &mut self,
        book: &Book,
        prepared: &crate::render::typst::Prepared,
        id: &str,
        report: &mut Report,
        started: Instant,
    ) {
        let (Some(index), Some(previous)) = (
            book.chapter_index(id),
            self.live.with(|s| s.document.clone()),
        ) else {
            return;
        };
        let Some((_, old)) = chapter_pages(&previous).into_iter().find(|(c, _)| c == id) else {
            return;
        };
        let first = *old.start();
        let session = self.session.as_mut().expect("made by the caller");
        let alone = Some((index, first));
        let alone = match &self.pool {
            Some(pool) => pool.install(|| session.compile_prepared(book, prepared, alone)),
            None => session.compile_prepared(book, prepared, alone),
        };
        let Ok(alone) = alone else {
            return;
        };
        let Some((_, new)) = chapter_pages(&alone.document)
            .into_iter()
            .find(|(c, _)| c == id)
        else {
            return;
        };
        if self.latest.superseded(report.generation) {
            return;
        }
        let pages = &previous.pages()[..first - 1];
        let pages = pages
            .iter()
            .chain(&alone.document.pages()[*new.start() - 1..*new.end()])
            .chain(&previous.pages()[*old.end()..])
            .cloned()
            .collect();
        let info = typst::model::Document::info(&*previous).clone();
        let composite = PagedDocument::new(pages, info);
        let (hashes, changed) = self.live.set_document(composite);
        report.quick = Some((changed.clone(), started.elapsed()));
        if !changed.is_empty() {
            self.live.send(Event::Preview {
                generation: report.generation,
                pages: hashes,
                changed,
            });
        }
    }

    /// Writes the PDF: staged, then renamed over the previous one, unless
    /// a newer save came meanwhile; the file of an earlier title goes.
    fn write(&mut self, book: &Book, compiled: &Compiled, report: &mut Report) {
        let generation = report.generation;
        let Some(world) = self.session.as_ref().map(Session::world) else {
            // (Never: the session compiled what is being written.)
            let lost = Diagnostic::error_in(
                None,
                "the PDF cannot be written: the typesetter lost its session",
            );
            return self.failed(vec![lost], report);
        };
        let bytes = match self.on_pool(|| export(world, book, compiled, None)) {
            Ok(bytes) => bytes,
            Err(errors) => return self.failed(errors, report),
        };
        if self.dropped(generation, report) {
            return;
        }
        let name = PdfRenderer::file_name(book);
        let staged = match crate::atomic::stage(&self.out.join(&name), &bytes) {
            Ok(staged) => staged,
            Err(e) => return self.failed(vec![e], report),
        };
        (self.hook)(Stage::Staged, generation);
        if self.dropped(generation, report) {
            return;
        }
        if let Err(e) = staged.commit() {
            return self.failed(vec![e], report);
        }
        if let Some(old) = self.written.replace(name.clone())
            && old != name
        {
            let _ = std::fs::remove_file(self.out.join(old));
        }
        self.live.change_status(|s| {
            s.pdf_name = Some(name);
            s.pdf_problems.clear();
            s.typesets.done += 1;
            if s.typeset == Typeset::Running(generation) {
                s.typeset = Typeset::Done(generation);
            }
        });
    }
}

/// The variable that names the folder of [`hook_from_env`].
pub const HOLD_VARIABLE: &str = "OUVRAGE_WATCH_HOLD";

/// The hook a test gives the `watch` process (never set otherwise): with
/// `OUVRAGE_WATCH_HOLD` naming a folder, the typesetter stops at each
/// [`Stage`] whose file `hold-<stage>` is in that folder, writes
/// `held-<stage>-<save>` there, and goes on once `hold-<stage>` is gone.
/// The test reads the outputs meanwhile (a barrier), or interrupts the
/// process.
pub fn hook_from_env() -> Option<Hook> {
    let dir = PathBuf::from(std::env::var_os(HOLD_VARIABLE)?);
    Some(Arc::new(move |stage: Stage, generation: u64| {
        let hold = dir.join(format!("hold-{}", stage.name()));
        if !hold.exists() {
            return;
        }
        let _ = std::fs::write(dir.join(format!("held-{}-{generation}", stage.name())), "");
        while hold.exists() {
            std::thread::sleep(Duration::from_millis(5));
        }
    }))
}
