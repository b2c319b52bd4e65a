//! The print PDF, typeset in-process by the Typst compiler.
//!
//! `emit` turns the model into Typst sources; `world` serves them, the
//! book's files and fonts to the compiler; `diagnostics` maps Typst's errors
//! back to the Markdown line that caused them; `typst-pdf` writes the file;
//! `passes` runs the layout passes one at a time, to say why a book needs
//! more than two.

pub mod accessibility;
pub mod colour;
pub mod cover;
pub mod date;
pub mod diagnostics;
pub mod ean13;
pub mod emit;
pub mod glyphs;
pub mod marks;
pub mod math;
pub mod offpage;
pub mod offprints;
pub mod page_list;
pub mod passes;
pub mod preflight;
pub mod sourcemap;
pub mod text;
pub mod trim;
pub mod world;
pub mod wraparound;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use typst::foundations::Smart;
use typst_layout::PagedDocument;

use self::emit::{EmitOptions, Emitted, TEMPLATE_PATH, emit_book};
use self::world::{BookWorld, FontOptions};
use crate::diag::Diagnostic;
use crate::model::Book;
use crate::render::{RenderResult, Renderer, io_error};

/// Options of the PDF renderer. A draft (line numbers, review state and
/// revision in the footers) is a book with its review state attached
/// ([`Book::is_draft`]); the document date is the book's.
#[derive(Debug, Clone, Default)]
pub struct PdfOptions {
    /// Where to write the generated Typst for debugging (`--emit-typst`).
    pub emit_dir: Option<PathBuf>,
    /// Fonts beyond the embedded ones.
    pub fonts: FontOptions,
    /// A draft without line numbers: `watch`'s, unless asked for them
    /// (Typst's line numbering doubles the memory and adds a third to the
    /// time of a whole-book typeset).
    pub no_line_numbers: bool,
}

/// A compiled book: the document and the sources it came from.
pub struct Compiled {
    /// The laid-out pages.
    pub document: PagedDocument,
    /// The generated sources.
    pub emitted: Emitted,
    /// Typst's warnings, mapped to the Markdown.
    pub warnings: Vec<Diagnostic>,
    /// Characters no font draws, as errors at their Markdown lines (see
    /// `glyphs`): [`Session::compile`] refuses a document that has any.
    pub undrawn: Vec<Diagnostic>,
    /// Code lines wider than the measure, as errors, when book.toml says
    /// `code-overflow = "error"`: refused like undrawn characters.
    pub overflow: Vec<Diagnostic>,
    /// The document date.
    pub date: Option<date::DocDate>,
}

/// A Typst session: the World, kept between compiles so that Typst's
/// memoisation reuses the work of chapters that did not change.
pub struct Session {
    world: BookWorld,
    /// A hash of each generated source of the last whole-book compile.
    last: Option<Fingerprint>,
}

/// The generated sources of a compile, before it runs: what changed since
/// the last one can be told first ([`Session::changes`]).
pub struct Prepared {
    emitted: Emitted,
    /// Virtual path and text of every source but the chapters' and main.
    shared: Vec<(String, String)>,
    date: Option<date::DocDate>,
    offprint: bool,
}

/// A hash of each generated source of a whole-book compile.
#[derive(Debug, Clone, PartialEq)]
struct Fingerprint {
    /// `meta.typ`, the template, the math prelude, `main.typ`, the date.
    shared: u64,
    /// Each chapter's source, by chapter id.
    chapters: std::collections::HashMap<String, u64>,
}

impl Prepared {
    fn fingerprint(&self) -> Fingerprint {
        // `toc.typ` is left out: it repeats what the chapters' sources say
        // (titles, numbers, authors), so a change there is theirs, not one
        // that lays out every page again.
        let shared =
            crate::fingerprint::fingerprint(&(&self.shared, &self.emitted.main, self.date_key()));
        let chapters = self
            .emitted
            .chapters
            .iter()
            .map(|c| (c.id.clone(), crate::fingerprint::fingerprint(&c.text)))
            .collect();
        Fingerprint { shared, chapters }
    }

    fn date_key(&self) -> Option<String> {
        self.date.map(|d| format!("{d:?}"))
    }
}

/// What a compile would change against the last whole-book compile of the
/// session: whether a source every chapter depends on changed (the book's
/// metadata, the template, the math prelude, the list of chapters or the
/// date: every page is laid out again), and which chapters' sources did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// No whole-book compile yet in this session.
    pub first: bool,
    /// A source every chapter depends on changed.
    pub shared: bool,
    /// The chapters whose source changed (ids, in reading order).
    pub chapters: Vec<String>,
    /// The number of chapters.
    pub of: usize,
}

impl Changes {
    /// Whether a compile would lay out the whole book again, or most of it,
    /// so that Typst's memoised work from earlier compiles would be checked
    /// and found stale almost everywhere: such a compile is faster from an
    /// empty cache, and takes no more memory than a first one.
    pub fn is_whole_book(&self) -> bool {
        self.first || self.shared || self.chapters.len() * 2 > self.of
    }
}

impl Session {
    /// A session for `book`: Typst's embedded fonts, the book's `fonts/`
    /// folder, and the system's when book.toml or `fonts` asks for them.
    pub fn for_book(book: &Book, fonts: &FontOptions) -> Result<Self, Vec<Diagnostic>> {
        let mut fonts = fonts.clone();
        fonts.dirs.push(book.root.join("fonts"));
        fonts.system |= book.config.pdf.system_fonts;
        Session::new(&book.root, &fonts)
    }

    /// The World, for the preflight's look at compiled images.
    pub fn world(&self) -> &BookWorld {
        &self.world
    }

    /// A session for the book at `root`.
    pub fn new(root: &Path, fonts: &FontOptions) -> Result<Self, Vec<Diagnostic>> {
        let world = BookWorld::new(root, fonts)
            .map_err(|e| io_error(root, "open the book for Typst", e))?;
        Ok(Session { world, last: None })
    }

    /// Emits and compiles the book. Errors are diagnostics at the Markdown
    /// (or template) line that caused them; a character no font draws is
    /// one.
    pub fn compile(
        &mut self,
        book: &Book,
        options: &PdfOptions,
    ) -> Result<Compiled, Vec<Diagnostic>> {
        self.compile_variant(book, options, None)
    }

    /// [`Session::compile`], keeping a document whose characters some font
    /// does not draw (listed in [`Compiled::undrawn`]): the preflight counts
    /// them and goes on checking.
    pub fn compile_unchecked(
        &mut self,
        book: &Book,
        options: &PdfOptions,
    ) -> Result<Compiled, Vec<Diagnostic>> {
        let prepared = Self::prepare_variant(book, options, None)?;
        self.compile_any(book, &prepared, None)
    }

    /// Compiles the book with `offprint` as the line that heads each
    /// chapter's opening page (see `offprints`), or as the book itself.
    pub fn compile_variant(
        &mut self,
        book: &Book,
        options: &PdfOptions,
        offprint: Option<String>,
    ) -> Result<Compiled, Vec<Diagnostic>> {
        let prepared = Self::prepare_variant(book, options, offprint)?;
        self.compile_prepared(book, &prepared, None)
    }

    /// Typesets the chapter `index` alone, its first page numbered
    /// `first_page` as in the book, with the book's template and the same
    /// generated sources (so that the next compile of the whole book
    /// reuses this work): `watch` shows it before the whole book is ready.
    pub fn compile_alone(
        &mut self,
        book: &Book,
        options: &PdfOptions,
        index: usize,
        first_page: usize,
    ) -> Result<Compiled, Vec<Diagnostic>> {
        let options = PdfOptions {
            emit_dir: None,
            ..options.clone()
        };
        let prepared = Self::prepare(book, &options)?;
        self.compile_prepared(book, &prepared, Some((index, first_page)))
    }

    /// Emits the book's sources for a compile (writing them to
    /// `--emit-typst`'s folder when asked).
    pub fn prepare(book: &Book, options: &PdfOptions) -> Result<Prepared, Vec<Diagnostic>> {
        Self::prepare_variant(book, options, None)
    }

    fn prepare_variant(
        book: &Book,
        options: &PdfOptions,
        offprint: Option<String>,
    ) -> Result<Prepared, Vec<Diagnostic>> {
        let for_book = EmitOptions::for_book(book);
        let emit_options = EmitOptions {
            offprint,
            line_numbers: for_book.line_numbers && !options.no_line_numbers,
            ..for_book
        };
        let emitted = emit_book(book, &emit_options);
        let template = crate::templates::BOOK_TYP.text(book).to_string();
        let shared = vec![
            (emit::META_PATH.to_string(), emitted.meta.clone()),
            (TEMPLATE_PATH.to_string(), template),
            (math::MATH_PATH.to_string(), math::MATH_PRELUDE.to_string()),
        ];
        let prepared = Prepared {
            emitted,
            shared,
            date: book.date,
            offprint: emit_options.offprint.is_some(),
        };
        if let Some(dir) = options.emit_dir.as_ref().filter(|_| !prepared.offprint) {
            write_emitted(dir, book, &prepared.generated(None))?;
        }
        Ok(prepared)
    }

    /// What compiling `prepared` would change against the last whole-book
    /// compile of this session.
    pub fn changes(&self, prepared: &Prepared) -> Changes {
        let next = prepared.fingerprint();
        let of = prepared.emitted.chapters.len();
        let Some(last) = &self.last else {
            return Changes {
                first: true,
                of,
                ..Changes::default()
            };
        };
        Changes {
            first: false,
            shared: last.shared != next.shared,
            chapters: prepared
                .emitted
                .chapters
                .iter()
                .filter(|c| last.chapters.get(&c.id) != next.chapters.get(&c.id))
                .map(|c| c.id.clone())
                .collect(),
            of,
        }
    }

    /// Compiles prepared sources: the whole book, or the chapter `alone`
    /// (its index and first page number). A character no font draws, or a
    /// code line over the measure when book.toml refuses them, is an error.
    pub fn compile_prepared(
        &mut self,
        book: &Book,
        prepared: &Prepared,
        alone: Option<(usize, usize)>,
    ) -> Result<Compiled, Vec<Diagnostic>> {
        drawn(self.compile_any(book, prepared, alone))
    }

    fn compile_any(
        &mut self,
        book: &Book,
        prepared: &Prepared,
        alone: Option<(usize, usize)>,
    ) -> Result<Compiled, Vec<Diagnostic>> {
        let date = prepared.date;
        self.check_fallback_fonts(book)?;
        self.world.update(
            prepared.generated(alone.map(|a| (book, a))),
            date.and_then(date::to_typst),
        );
        if alone.is_none() && !prepared.offprint {
            self.last = Some(prepared.fingerprint());
        }
        let emitted = &prepared.emitted;

        // A panic inside Typst is a bug of the compiler, not of the book;
        // it must not take the process (or `watch`) down with it.
        let world = &self.world;
        let result = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            typst::compile::<PagedDocument>(world)
        })) {
            Ok(result) => result,
            Err(panic) => {
                let why = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown".into());
                return Err(vec![
                    Diagnostic::error_in(
                        None,
                        format!("the Typst compiler failed while typesetting the book: {why}"),
                    )
                    .hint("this is a bug in Typst, not in the book; `ouvrage build --emit-typst DIR` writes the sources to report it, and rewording the paragraph that was changed last usually avoids it"),
                ]);
            }
        };
        let mut warnings = diagnostics::map_all(&self.world, book, emitted, &result.warnings);
        match result.output {
            Ok(document) => {
                let (overflow, layout): (Vec<_>, Vec<_>) =
                    marks::layout_diagnostics(book, emitted, &document)
                        .into_iter()
                        .partition(|d| d.severity == crate::diag::Severity::Error);
                warnings.extend(layout);
                warnings.extend(offpage::warnings(&self.world, book, emitted, &document));
                Ok(Compiled {
                    undrawn: glyphs::undrawn(&self.world, book, emitted, &document),
                    overflow,
                    document,
                    emitted: emitted.clone(),
                    warnings,
                    date,
                })
            }
            Err(errors) => {
                let mut all = diagnostics::map_all(&self.world, book, emitted, &errors);
                all.append(&mut warnings);
                Err(all)
            }
        }
    }
}

impl Prepared {
    /// Every generated source by virtual path: the book's `main.typ`, or
    /// one that typesets the chapter `alone` (index, first page).
    fn generated(&self, alone: Option<(&Book, (usize, usize))>) -> Vec<(String, String)> {
        let main = match alone {
            Some((book, (index, first_page))) => emit::emit_alone_main(book, index, first_page),
            None => self.emitted.main.clone(),
        };
        let mut generated = vec![
            (emit::MAIN_PATH.to_string(), main),
            (emit::TOC_PATH.to_string(), self.emitted.toc.clone()),
        ];
        generated.extend(self.shared.iter().cloned());
        generated.extend(
            self.emitted
                .chapters
                .iter()
                .map(|c| (c.path.clone(), c.text.clone())),
        );
        generated
    }
}

impl Session {
    /// Every family of `[pdf] fallback-fonts` is one the World has (in the
    /// book's `fonts/`, or the system's with `system-fonts = true`): an
    /// unknown one is an error at its line, with the closest family.
    fn check_fallback_fonts(&self, book: &Book) -> Result<(), Vec<Diagnostic>> {
        use typst::World;
        let fonts = self.world.book();
        let mut errors = Vec::new();
        for family in &book.config.pdf.fallback_fonts {
            if fonts.contains_family(&family.value.to_lowercase()) {
                continue;
            }
            let known: Vec<&str> = fonts.families().map(|(name, _)| name).collect();
            errors.push(
                Diagnostic::error(
                    family.span.clone(),
                    format!("no font of the family `{}` is available", family.value),
                )
                .suggest(&family.value, known.iter().copied())
                .hint(if book.config.pdf.system_fonts {
                    "put the font's files in the book's fonts/ folder, or install it on the system"
                } else {
                    "put the font's files in the book's fonts/ folder, or set `system-fonts = true` under [pdf] to use the system's"
                }),
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// A compiled book whose every character some font draws; otherwise the
/// undrawn characters, as errors, with Typst's warnings.
fn drawn(result: Result<Compiled, Vec<Diagnostic>>) -> Result<Compiled, Vec<Diagnostic>> {
    let mut compiled = result?;
    if compiled.undrawn.is_empty() && compiled.overflow.is_empty() {
        return Ok(compiled);
    }
    let mut all = std::mem::take(&mut compiled.undrawn);
    all.append(&mut compiled.overflow);
    all.append(&mut compiled.warnings);
    Err(all)
}

/// Writes the generated sources and the book's assets into `dir`, so that
/// `typst compile --root DIR DIR/__ouvrage/main.typ` typesets the same book.
fn write_emitted(
    dir: &Path,
    book: &Book,
    generated: &[(String, String)],
) -> Result<(), Vec<Diagnostic>> {
    for (vpath, text) in generated {
        let path = dir.join(vpath.trim_start_matches('/'));
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io_error(parent, "create a folder", e))?;
        }
        // Each file replaced whole: a `typst compile` or `watch` reading
        // the folder meanwhile never sees half a source.
        crate::atomic::write_atomically(&path, text.as_bytes()).map_err(|d| vec![d])?;
    }
    // The images, the bibliography files and a `.csl` style: everything
    // the sources read from the book, so that `typst compile --root DIR`
    // finds it.
    let bibliography = &book.config.bibliography;
    let read = book
        .assets
        .iter()
        .map(|a| a.path.as_str())
        .chain(bibliography.files.iter().map(|f| f.value.as_str()))
        .chain(
            bibliography
                .style
                .iter()
                .map(|s| s.value.as_str())
                .filter(|s| s.ends_with(".csl")),
        );
    for path in read {
        let to = dir.join(path);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io_error(parent, "create a folder", e))?;
        }
        let from = book.root.join(path);
        let bytes = std::fs::read(&from).map_err(|e| io_error(&from, "read", e))?;
        crate::atomic::write_atomically(&to, &bytes).map_err(|d| vec![d])?;
    }
    Ok(())
}

/// A PDF standard by its book.toml name (see `config::book::PDF_STANDARDS`).
pub fn parse_standard(name: &str) -> Option<typst_pdf::PdfStandard> {
    use typst_pdf::PdfStandard as S;
    Some(match name {
        "1.4" => S::V_1_4,
        "1.5" => S::V_1_5,
        "1.6" => S::V_1_6,
        "1.7" => S::V_1_7,
        "2.0" => S::V_2_0,
        "a-1b" => S::A_1b,
        "a-1a" => S::A_1a,
        "a-2b" => S::A_2b,
        "a-2u" => S::A_2u,
        "a-2a" => S::A_2a,
        "a-3b" => S::A_3b,
        "a-3u" => S::A_3u,
        "a-3a" => S::A_3a,
        "a-4" => S::A_4,
        "a-4f" => S::A_4f,
        "a-4e" => S::A_4e,
        "ua-1" => S::Ua_1,
        _ => return None,
    })
}

/// Writes a compiled document as PDF bytes, all pages or a range. An
/// export error (a PDF standard's rule broken) is at the Markdown line of
/// the element it names, as compile errors are (`world`: the session's).
pub fn export(
    world: &BookWorld,
    book: &Book,
    compiled: &Compiled,
    pages: Option<std::ops::RangeInclusive<usize>>,
) -> Result<Vec<u8>, Vec<Diagnostic>> {
    export_document(world, book, compiled, &compiled.document, pages)
}

/// Writes `document` (the compiled one, or a copy with other metadata) as
/// PDF bytes, all pages or a range.
fn export_document(
    world: &BookWorld,
    book: &Book,
    compiled: &Compiled,
    document: &PagedDocument,
    pages: Option<std::ops::RangeInclusive<usize>>,
) -> Result<Vec<u8>, Vec<Diagnostic>> {
    let date = compiled.date;
    let whole = pages.is_none();
    let standard = book.config.pdf.standard.as_deref();
    // Typst cannot tag a page range: an offprint cannot meet a standard
    // that requires tags (PDF/UA-1, PDF/A's "a" levels), and takes the
    // level below, PDF/A's "b", or none for UA (the build says so).
    let standard = match standard {
        Some(s) if !whole => untagged_standard(s),
        other => other.map(str::to_string),
    };
    let standards: Vec<typst_pdf::PdfStandard> = standard
        .as_deref()
        .and_then(parse_standard)
        .into_iter()
        .collect();
    let standards = typst_pdf::PdfStandards::new(&standards).map_err(|e| {
        vec![Diagnostic::error_in(
            Some(PathBuf::from("book.toml")),
            format!("[pdf] standard: {}", e.message()),
        )]
    })?;
    let page_ranges = pages.map(|r| {
        let (start, end) = r.into_inner();
        typst::layout::PageRanges::new(vec![
            std::num::NonZeroUsize::new(start)..=std::num::NonZeroUsize::new(end),
        ])
    });
    let options = |page_ranges: Option<typst::layout::PageRanges>| typst_pdf::PdfOptions {
        ident: Smart::Custom(book.id()),
        creator: Smart::Custom(Some(format!("ouvrage {}", env!("CARGO_PKG_VERSION")))),
        timestamp: date
            .and_then(date::to_typst)
            .map(typst_pdf::Timestamp::new_utc),
        // Typst cannot tag a page range: offprints are untagged.
        tagged: page_ranges.is_none(),
        page_ranges,
        standards: standards.clone(),
        pretty: false,
    };
    let pdf = typst_pdf::pdf(document, &options(page_ranges)).map_err(|errors| {
        let mapped = diagnostics::map_all(world, book, &compiled.emitted, &errors);
        let unplaced = |d: &Diagnostic| d.span.is_none() && d.path.is_none();
        // Typst names no place for some faults (a font's licence, a PDF
        // limit): the chapter is found by exporting its pages alone.
        let chapters = if whole && mapped.iter().any(unplaced) {
            offprints::chapter_pages(document)
        } else {
            Vec::new()
        };
        mapped
            .into_iter()
            .map(|mut d| {
                let message = d
                    .message
                    .strip_prefix("typst: ")
                    .unwrap_or(&d.message)
                    .to_string();
                d.message = format!("PDF export: {message}");
                if !unplaced(&d) || !whole {
                    return d;
                }
                match chapter_raising(document, &chapters, &message, |range| {
                    options(Some(range))
                }) {
                    Some((id, pages)) => {
                        if let Some(chapter) = book.chapters.iter().find(|c| c.id == id) {
                            d.path = Some(chapter.path.clone());
                        }
                        let pages = match pages.into_inner() {
                            (first, last) if first == last => format!("page {first}"),
                            (first, last) => format!("pages {first}–{last}"),
                        };
                        d.message =
                            format!("PDF export: {message} (in chapter `{id}`, {pages})");
                        d.hint(
                            "Typst gave no line for this, only the pages: look in this chapter for what the message names",
                        )
                    }
                    None => d.hint(
                        "Typst gave no place for this, and no chapter's pages alone raise it: look at the book's own pages (title, contents) and its metadata",
                    ),
                }
            })
            .collect::<Vec<_>>()
    })?;
    let print = &book.config.pdf.print;
    if print.margin_mm() <= 0.0 {
        return Ok(pdf);
    }
    trim::add_bleed_box(pdf, print.bleed_mm).map_err(|e| {
        vec![Diagnostic::error_in(
            Some(PathBuf::from("book.toml")),
            format!("[pdf] bleed: the PDF's BleedBox could not be written: {e}"),
        )]
    })
}

/// The standard an untagged file (an offprint) can meet in place of
/// `standard`: PDF/A's "a" levels become "b", PDF/UA-1 none.
pub fn untagged_standard(standard: &str) -> Option<String> {
    match standard {
        "ua-1" => None,
        s if s.starts_with("a-") && s.ends_with('a') => Some(format!("{}b", &s[..s.len() - 1])),
        s => Some(s.to_string()),
    }
}

/// The first chapter whose pages, exported alone, raise the export error
/// `message` again (`options`: the export's, for a page range).
fn chapter_raising(
    document: &PagedDocument,
    chapters: &[(String, std::ops::RangeInclusive<usize>)],
    message: &str,
    options: impl Fn(typst::layout::PageRanges) -> typst_pdf::PdfOptions,
) -> Option<(String, std::ops::RangeInclusive<usize>)> {
    chapters.iter().find_map(|(id, pages)| {
        let range = typst::layout::PageRanges::new(vec![
            std::num::NonZeroUsize::new(*pages.start())..=std::num::NonZeroUsize::new(*pages.end()),
        ]);
        let raised = typst_pdf::pdf(document, &options(range))
            .err()?
            .iter()
            .any(|e| e.message.as_str() == message);
        raised.then(|| (id.clone(), pages.clone()))
    })
}

/// Renders `_book/<book-id>.pdf`.
pub struct PdfRenderer {
    /// Its options.
    pub options: PdfOptions,
    /// The Typst session, created at the first render and kept (shared with
    /// the offprints, which reuse its memoised work).
    pub session: SharedSession,
    /// Where it leaves each chapter's pages for the renderers after it,
    /// when one reads them (finding them reads every page's text).
    pub pages: Option<crate::render::ChapterPages>,
    /// Where it leaves its page count and trimmed size for the
    /// wraparound cover, when the build makes one.
    pub printed: Option<wraparound::Printed>,
    /// Where it leaves where each page begins in the text, for the EPUB's
    /// page list and the site's page markers, when the build makes them.
    pub breaks: Option<crate::render::PageBreaks>,
}

/// A Typst session shared by the renderers of one build (or of a watch).
pub type SharedSession = Arc<Mutex<Option<Session>>>;

/// Runs `f` with the shared session, creating it at first use.
fn with_session<T>(
    shared: &SharedSession,
    book: &Book,
    options: &PdfOptions,
    f: impl FnOnce(&mut Session) -> Result<T, Vec<Diagnostic>>,
) -> Result<T, Vec<Diagnostic>> {
    let mut guard = shared.lock().unwrap_or_else(|e| e.into_inner());
    if guard.is_none() {
        *guard = Some(Session::for_book(book, &options.fonts)?);
    }
    f(guard.as_mut().expect("just set"))
}

impl PdfRenderer {
    /// A renderer with these options.
    pub fn new(options: PdfOptions, session: SharedSession) -> Self {
        PdfRenderer {
            options,
            session,
            pages: None,
            printed: None,
            breaks: None,
        }
    }

    /// The file name of the book's PDF.
    pub fn file_name(book: &Book) -> String {
        format!("{}.pdf", book.id())
    }
}

impl Renderer for PdfRenderer {
    fn output_name(&self, book: &Book) -> String {
        Self::file_name(book)
    }

    fn render(&self, book: &Book, staging: &Path) -> RenderResult {
        // Images without alt text: errors under a standard that requires
        // it, found on the model before Typst raises the same at export.
        let alt = accessibility::missing_alt(book);
        let (compiled, bytes) = with_session(&self.session, book, &self.options, |s| {
            let compiled = s.compile(book, &self.options)?;
            if alt
                .iter()
                .any(|d| d.severity == crate::diag::Severity::Error)
            {
                let mut all = alt.clone();
                all.extend(compiled.warnings.iter().cloned());
                return Err(all);
            }
            let bytes = export(s.world(), book, &compiled, None)?;
            if let Some(breaks) = &self.breaks {
                *breaks.lock().unwrap_or_else(|e| e.into_inner()) =
                    page_list::page_starts(s.world(), book, &compiled.emitted, &compiled.document);
            }
            Ok((compiled, bytes))
        })?;
        let path = staging.join(Self::file_name(book));
        std::fs::write(&path, bytes).map_err(|e| io_error(&path, "write", e))?;
        if let Some(printed) = &self.printed {
            *printed.lock().unwrap_or_else(|e| e.into_inner()) =
                Some(wraparound::PrintedBook::of(&compiled.document));
        }
        if let Some(pages) = &self.pages {
            let mut pages = pages.lock().unwrap_or_else(|e| e.into_inner());
            pages.clear();
            for (id, range) in offprints::chapter_pages(&compiled.document) {
                pages.insert(id, range.into_inner());
            }
            pages.insert(String::new(), (1, compiled.document.pages().len()));
        }
        let mut warnings = alt;
        warnings.extend(compiled.warnings);
        // A book's own template written before `[pdf] bleed` existed never
        // gives it to `page(bleed:)`: the pages would go to the printer
        // without the bleed book.toml asks for.
        let unbled = compiled.document.pages().iter().all(|p| p.bleed.is_zero());
        if book.config.pdf.print.margin_mm() > 0.0 && unbled {
            warnings.push(
                Diagnostic::warning_in(
                    Some(PathBuf::from("templates/book.typ")),
                    "book.toml asks for bleed or crop marks, and the template's pages have none",
                )
                .hint("give `meta.page-bleed` to `page(bleed:)` and `_crop-marks(meta)` to `page(background:)`, as the built-in template does (`ouvrage init --templates` writes it)"),
            );
        }
        Ok(warnings)
    }
}

/// Renders `_book/offprints/<chapter-id>.pdf`: each chapter cut from the
/// book, with the book's page numbers and a first line naming the book.
pub struct OffprintsRenderer {
    /// The book's PDF options.
    pub options: PdfOptions,
    /// The session shared with the book's PDF.
    pub session: SharedSession,
}

/// One chapter's offprint: its pages of the compiled book, with the
/// chapter's title, authors, keywords and DOI in the PDF's metadata, and
/// its headings as bookmarks.
pub fn offprint(
    world: &BookWorld,
    book: &Book,
    compiled: &Compiled,
    chapter: &crate::model::Chapter,
    pages: std::ops::RangeInclusive<usize>,
) -> Result<Vec<u8>, Vec<Diagnostic>> {
    let mut document = compiled.document.clone();
    let info = document.info_mut();
    info.title = Some(chapter.title.as_str().into());
    info.author = crate::view::PersonView::all(book, &chapter.authors)
        .into_iter()
        .map(|p| p.name.into())
        .collect();
    info.keywords = chapter
        .config
        .keywords
        .iter()
        .map(|k| k.as_str().into())
        .collect();
    let mut description = provenance(book);
    description.push_str(&format!(", {}–{}", pages.start(), pages.end()));
    if let Some(doi) = &chapter.config.doi {
        description.push_str(&format!(". DOI: {}", doi.value));
        info.keywords.push(format!("doi:{}", doi.value).into());
    }
    info.description = Some(description.into());
    let bytes = export_document(world, book, compiled, &document, Some(pages.clone()))?;
    let entries = offprints::bookmarks(&compiled.document, pages.clone());
    offprints::add_outline(bytes, &entries, *pages.start()).map_err(|e| {
        vec![Diagnostic::error_in(
            Some(chapter.path.clone()),
            format!("the offprint's bookmarks could not be written: {e}"),
        )]
    })
}

pub use crate::view::provenance;

impl Renderer for OffprintsRenderer {
    fn output_name(&self, _book: &Book) -> String {
        "offprints".to_string()
    }

    fn render(&self, book: &Book, staging: &Path) -> RenderResult {
        let mut warnings = with_session(&self.session, book, &self.options, |s| {
            let compiled = s.compile_variant(book, &self.options, Some(provenance(book)))?;
            self.cut(s.world(), book, &compiled, staging)
        })?;
        if let Some(level) = accessibility::declared_level(book) {
            let below = book
                .config
                .pdf
                .standard
                .as_deref()
                .and_then(untagged_standard)
                .map(|s| format!("they are {s}"))
                .unwrap_or_else(|| "they declare no standard".into());
            warnings.push(
                Diagnostic::warning_in(
                    Some(PathBuf::from("book.toml")),
                    format!("the offprints are untagged, so not {level}: {below}"),
                )
                .hint("Typst 0.15 cannot tag part of a document; the book's PDF is tagged and conforms"),
            );
        }
        Ok(warnings)
    }
}

impl OffprintsRenderer {
    /// Cuts each chapter's offprint from the compiled book into `staging`.
    fn cut(
        &self,
        world: &BookWorld,
        book: &Book,
        compiled: &Compiled,
        staging: &Path,
    ) -> RenderResult {
        let ranges = offprints::chapter_pages(&compiled.document);
        let mut errors = Vec::new();
        for chapter in &book.chapters {
            let Some((_, pages)) = ranges.iter().find(|(id, _)| *id == chapter.id) else {
                errors.push(Diagnostic::error_in(
                    Some(chapter.path.clone()),
                    "the template left no mark for this chapter: its offprint cannot be cut",
                ).hint("a book's own templates/book.typ must keep the <ouvrage-mark> metadata of the built-in one"));
                continue;
            };
            let bytes = offprint(world, book, compiled, chapter, pages.clone())?;
            let path = staging.join(format!("{}.pdf", chapter.id));
            if let Err(e) = std::fs::write(&path, bytes) {
                errors.extend(io_error(&path, "write", e));
            }
        }
        if errors.is_empty() {
            Ok(Vec::new())
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The contents' plan (`meta.toc` and the back matter the template
    /// adds to it), which the contents print before the first layout pass
    /// has placed any mark, lists what the marks then list: the same parts
    /// (with their labels), chapters (numbers, authors, languages) and back
    /// matter, in the same order. Were it to differ, the contents would
    /// change height after the first pass and every page after them would
    /// be laid out again.
    #[test]
    fn the_contents_plan_is_what_the_marks_then_list() {
        let sample = Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
        let index = sample.join("tests/fixtures/index");
        let (_dir, one_list) = crate::testbook::book(
            "Une liste",
            &[
                ("01-a.md", b"# A\n\nUn renvoi [@ostrom1990].\n"),
                ("02-b.md", b"---\nnumbered: false\n---\n\n# B\n\nRien.\n"),
            ],
        );
        std::fs::write(
            one_list.join("book.toml"),
            "[book]\ntitle = \"Une liste\"\n\n[bibliography]\nfiles = [\"refs.bib\"]\nper-chapter = false\n",
        )
        .unwrap();
        std::fs::write(
            one_list.join("refs.bib"),
            "@book{ostrom1990, author = {Ostrom, Elinor}, title = {Governing the Commons}, year = {1990}, publisher = {CUP}}\n",
        )
        .unwrap();
        let check = r#"
#context {
  let key(e) = (e.kind, e.title, e.at("label", default: none), e.at("number", default: none),
    e.at("authors", default: ()).map(a => a.name), e.at("lang", default: none))
  let marks = query(<ouvrage-mark>).filter(m => m.value.kind in ("part", "chapter", "back"))
  let plan = tpl._toc-plan(meta, toc)
  assert(plan.len() >= 3, message: "a plan of " + str(plan.len()) + " entries")
  assert.eq(marks.map(m => key(m.value)), plan.map(key))
}
"#;
        let mut kinds = Vec::new();
        for root in [&sample, &index, &one_list] {
            let mut sink = crate::diag::Sink::default();
            let book = crate::pipeline::load_model(root, &mut sink);
            assert!(!sink.has_errors(), "{root:?}: {:?}", sink.diagnostics());
            let mut session = Session::for_book(&book, &FontOptions::default()).unwrap();
            let mut prepared = Session::prepare(&book, &PdfOptions::default()).unwrap();
            assert!(prepared.emitted.toc.contains("#let toc = ("));
            prepared.emitted.main.push_str(check);
            if let Err(errors) = session.compile_prepared(&book, &prepared, None) {
                panic!("{root:?}: {errors:#?}");
            }
            kinds.push(prepared.emitted.toc.matches("(kind: \"").count());
        }
        // Parts and chapters; chapters; chapters and the book's one list.
        assert!(kinds.iter().all(|&n| n >= 2), "{kinds:?}");
    }

    /// A chapter's new title changes the contents' plan in `main.typ`, but
    /// it is that chapter's change (its source says the same), not one that
    /// has `watch` lay out every page again from an empty cache.
    #[test]
    fn a_new_chapter_title_is_that_chapters_change() {
        let (_dir, root) = crate::testbook::book(
            "Deux",
            &[
                ("01-a.md", b"# Premier\n\nUn mot.\n"),
                ("02-b.md", b"# Second\n\nDeux mots.\n"),
            ],
        );
        let load = || {
            let mut sink = crate::diag::Sink::default();
            crate::pipeline::load_model(&root, &mut sink)
        };
        let book = load();
        let mut session = Session::for_book(&book, &FontOptions::default()).unwrap();
        let prepared = Session::prepare(&book, &PdfOptions::default()).unwrap();
        session.compile_prepared(&book, &prepared, None).unwrap();
        std::fs::write(
            root.join("chapters/02-b.md"),
            "# Second, autrement\n\nDeux mots.\n",
        )
        .unwrap();
        let book = load();
        let prepared = Session::prepare(&book, &PdfOptions::default()).unwrap();
        assert!(prepared.emitted.toc.contains("autrement"));
        let changes = session.changes(&prepared);
        assert!(!changes.shared, "{changes:?}");
        assert_eq!(changes.chapters, ["b"]);
        assert!(!changes.is_whole_book());
    }
}
