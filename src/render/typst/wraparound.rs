//! The wraparound cover of `build --cover`, `_book/<book-id>-cover.pdf`:
//! back cover, spine and front cover on one sheet, with bleed on every
//! side, for a print-on-demand or offset printer. Not the EPUB's cover
//! (`cover`), which is the title page alone.
//!
//! Input: the book, the page count and trimmed page size of its built PDF
//! (left by the PDF's renderer of the same build), and `[cover]`. The
//! spine is as wide as the book's leaves are thick:
//!
//! `spine = ceil(pages / 2) × leaf thickness`
//!
//! (a leaf is two pages; an odd last page still takes a leaf). The sheet is
//! `bleed + width + spine + width + bleed` wide and `bleed + height +
//! bleed` high. The template's `wraparound(meta, cover)` lays it out (the
//! built-in one when a book's own template has none); the ISBN's EAN-13
//! (`ean13`) is given as bars, drawn as rectangles. Output: the PDF.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use typst_layout::PagedDocument;

use super::cover::BUILTIN_PATH;
use super::date::to_typst;
use super::emit::{META_PATH, TEMPLATE_PATH, emit_loose_blocks};
use super::{PdfOptions, SharedSession, diagnostics, ean13, with_session};
use crate::diag::{Diagnostic, Sink};
use crate::model::Book;
use crate::render::escape::typst_string;
use crate::render::{RenderResult, Renderer, io_error};

/// The cover's bleed when `[pdf] bleed` gives none: a cover is always cut.
pub const DEFAULT_BLEED_MM: f64 = 3.0;

/// Below this width the spine carries no text: printers cannot place it
/// on so narrow a spine without it running onto the covers.
pub const MIN_SPINE_TEXT_MM: f64 = 5.0;

/// What the PDF's renderer leaves for the cover: its page count and its
/// trimmed page size in millimetres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrintedBook {
    /// Pages of the book's PDF.
    pub pages: usize,
    /// The trimmed page, width and height, in millimetres.
    pub trim_mm: (f64, f64),
}

impl PrintedBook {
    /// The page count and first page's trimmed size of a compiled book.
    pub fn of(document: &PagedDocument) -> PrintedBook {
        let trim_mm = document
            .pages()
            .first()
            .map(|p| (p.frame.width().to_mm(), p.frame.height().to_mm()))
            .unwrap_or_default();
        PrintedBook {
            pages: document.pages().len(),
            trim_mm,
        }
    }
}

/// Shared between the PDF's renderer, which sets it, and the cover's.
pub type Printed = Arc<Mutex<Option<PrintedBook>>>;

/// The sheet of a wraparound cover, in millimetres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CoverSize {
    /// The trimmed page, width and height.
    pub trim: (f64, f64),
    /// The spine's width.
    pub spine: f64,
    /// The bleed on every side.
    pub bleed: f64,
}

impl CoverSize {
    /// The cover of a book of `pages` pages of `trim` size, printed on
    /// leaves `leaf_mm` thick, with `bleed_mm` on every side.
    pub fn new(trim: (f64, f64), pages: usize, leaf_mm: f64, bleed_mm: f64) -> CoverSize {
        CoverSize {
            trim,
            spine: pages.div_ceil(2) as f64 * leaf_mm,
            bleed: bleed_mm,
        }
    }

    /// The trimmed cover: back, spine, front.
    pub fn trimmed(&self) -> (f64, f64) {
        (2.0 * self.trim.0 + self.spine, self.trim.1)
    }

    /// The whole sheet, bleed included.
    pub fn sheet(&self) -> (f64, f64) {
        let (w, h) = self.trimmed();
        (w + 2.0 * self.bleed, h + 2.0 * self.bleed)
    }

    /// The cover of `book` once its PDF has `printed`'s pages and size: an
    /// error at book.toml when `[cover]` says nothing of the paper.
    pub fn of(book: &Book, printed: PrintedBook) -> Result<CoverSize, Diagnostic> {
        let Some(leaf) = &book.config.cover.leaf_mm else {
            return Err(Diagnostic::error_in(
                Some(PathBuf::from("book.toml")),
                "the cover's spine needs the paper's thickness",
            )
            .hint(format!(
                "add `[cover]` with `paper-thickness = \"0.1mm\"` (one leaf, from the printer) or `paper = \"offset-80\"` ({})",
                crate::config::print::PAPERS
                    .iter()
                    .map(|(n, _, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        };
        let bleed = match book.config.pdf.print.bleed_mm {
            b if b > 0.0 => b,
            _ => DEFAULT_BLEED_MM,
        };
        Ok(CoverSize::new(
            printed.trim_mm,
            printed.pages,
            leaf.value,
            bleed,
        ))
    }
}

/// Renders `_book/<book-id>-cover.pdf`.
pub struct WraparoundRenderer {
    /// The book's PDF options (fonts).
    pub options: PdfOptions,
    /// The Typst session shared with the book's PDF.
    pub session: SharedSession,
    /// The book's PDF as its renderer left it (compiled here when empty).
    pub printed: Printed,
}

impl WraparoundRenderer {
    /// The cover's file name.
    pub fn file_name(book: &Book) -> String {
        format!("{}-cover.pdf", book.id())
    }
}

impl Renderer for WraparoundRenderer {
    fn output_name(&self, book: &Book) -> String {
        Self::file_name(book)
    }

    fn render(&self, book: &Book, staging: &Path) -> RenderResult {
        let known = *self.printed.lock().unwrap_or_else(|e| e.into_inner());
        let printed = match known {
            Some(p) => p,
            None => with_session(&self.session, book, &self.options, |s| {
                Ok(PrintedBook::of(&s.compile(book, &self.options)?.document))
            })?,
        };
        let size = CoverSize::of(book, printed).map_err(|e| vec![e])?;
        let (bytes, warnings) = cover_pdf(&self.session, book, &self.options, &size)?;
        let path = staging.join(Self::file_name(book));
        std::fs::write(&path, bytes).map_err(|e| io_error(&path, "write", e))?;
        Ok(warnings)
    }
}

/// The generated main file of the cover.
fn cover_main(cover: &str) -> String {
    format!(
        "// Generated by ouvrage: the wraparound cover.\n\
         #import {} as tpl\n\
         #import {} as builtin\n\
         #import {}: meta\n\
         #let wraparound = if \"wraparound\" in dictionary(tpl) {{ tpl.wraparound }} else {{ builtin.wraparound }}\n\
         #wraparound(meta, {cover})\n",
        typst_string(TEMPLATE_PATH),
        typst_string(BUILTIN_PATH),
        typst_string(META_PATH),
    )
}

/// The `cover` dictionary the template receives: `width`, `height` (the
/// trimmed page), `spine`, `bleed`, `back` (content or none), `image` (a
/// path from the book's root, or none), `barcode` (none, or `digits` and
/// `bars`, each `(start, width, guard)` in modules), `spine-text` (whether
/// the spine is wide enough for text).
fn cover_dict(book: &Book, size: &CoverSize, sink: &mut Sink) -> String {
    let back = match &book.config.cover.back {
        Some(back) => {
            let positions = crate::parse::Positions::Fixed(back.span.clone());
            let parsed =
                crate::parse::parse_markdown(&back.value, &positions, &book.config.markdown, sink);
            format!("[{}]", emit_loose_blocks(book, &parsed.blocks))
        }
        None => "none".into(),
    };
    let image = match &book.config.cover.image {
        Some(image) => typst_string(&format!("/{}", image.value.trim_start_matches('/'))),
        None => "none".into(),
    };
    let barcode = book
        .config
        .book
        .isbn
        .as_deref()
        .and_then(crate::config::isbn13)
        .and_then(|ean| ean13::modules(&ean).map(|m| (ean, m)))
        .map(|(ean, m)| {
            let bars: Vec<String> = ean13::bars(&m)
                .iter()
                .map(|b| format!("({}, {}, {})", b.start, b.width, b.guard))
                .collect();
            format!(
                "(digits: {}, bars: ({},))",
                typst_string(&ean),
                bars.join(", ")
            )
        })
        .unwrap_or_else(|| "none".into());
    format!(
        "(width: {}mm, height: {}mm, spine: {}mm, bleed: {}mm, back: {back}, image: {image}, barcode: {barcode}, spine-text: {})",
        size.trim.0,
        size.trim.1,
        size.spine,
        size.bleed,
        size.spine >= MIN_SPINE_TEXT_MM
    )
}

/// Typesets and writes the cover in the shared session: its PDF bytes and
/// the warnings (the back text's, a spine too narrow for text).
pub fn cover_pdf(
    session: &SharedSession,
    book: &Book,
    options: &PdfOptions,
    size: &CoverSize,
) -> Result<(Vec<u8>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut sink = Sink::default();
    if let Some(image) = &book.config.cover.image
        && !book
            .root
            .join(image.value.trim_start_matches('/'))
            .is_file()
    {
        return Err(vec![
            Diagnostic::error(
                image.span.clone(),
                format!("the cover image `{}` does not exist", image.value),
            )
            .hint("give a path from the book's root, e.g. `image = \"cover/front.jpg\"`"),
        ]);
    }
    let cover = cover_dict(book, size, &mut sink);
    if sink.has_errors() {
        return Err(sink.into_sorted());
    }
    let mut warnings = sink.into_sorted();
    if size.spine < MIN_SPINE_TEXT_MM {
        let message = format!(
            "the spine is {:.1} mm wide: too narrow for its title, it is left blank",
            size.spine
        );
        // At the paper that makes it so, when book.toml names one.
        let warning = match &book.config.cover.leaf_mm {
            Some(leaf) => Diagnostic::warning(leaf.span.clone(), message),
            None => Diagnostic::warning_in(Some(PathBuf::from("book.toml")), message),
        };
        warnings.push(warning.hint(format!(
            "printers set text on spines of {MIN_SPINE_TEXT_MM} mm or more"
        )));
    }
    let date = book.date;
    let bytes = with_session(session, book, options, |session| {
        let (document, emitted) =
            super::cover::typeset_alone(session, book, cover_main(&cover), "the cover")?;
        let world = &session.world;
        let map = |errors: &[typst::diag::SourceDiagnostic]| {
            errors
                .iter()
                .map(|e| diagnostics::map(world, book, &emitted, e))
                .collect::<Vec<_>>()
        };
        let pdf_options = typst_pdf::PdfOptions {
            ident: typst::foundations::Smart::Custom(format!("{}-cover", book.id())),
            creator: typst::foundations::Smart::Custom(Some(format!(
                "ouvrage {}",
                env!("CARGO_PKG_VERSION")
            ))),
            // A printer's sheet, not a document to read.
            tagged: false,
            timestamp: date.and_then(to_typst).map(typst_pdf::Timestamp::new_utc),
            ..Default::default()
        };
        let pdf = typst_pdf::pdf(&document, &pdf_options).map_err(|e| map(&e))?;
        super::trim::add_bleed_box(pdf, size.bleed).map_err(|e| {
            vec![Diagnostic::error_in(
                None,
                format!("the cover's BleedBox could not be written: {e}"),
            )]
        })
    })?;
    Ok((bytes, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: (f64, f64), b: (f64, f64)) -> bool {
        (a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9
    }

    #[test]
    fn a_37_page_a5_book_on_paper_of_a_tenth_of_a_millimetre() {
        // 37 pages are 19 leaves: 19 × 0.1 = 1.9 mm of spine; the sheet is
        // 3 + 148 + 1.9 + 148 + 3 = 303.9 mm by 3 + 210 + 3 = 216 mm.
        let size = CoverSize::new((148.0, 210.0), 37, 0.1, 3.0);
        assert!((size.spine - 1.9).abs() < 1e-9);
        assert!(close(size.trimmed(), (297.9, 210.0)));
        assert!(close(size.sheet(), (303.9, 216.0)));
    }

    #[test]
    fn a_512_page_a5_book_on_paper_of_a_tenth_of_a_millimetre() {
        // 512 pages are 256 leaves: 25.6 mm of spine; the sheet is
        // 3 + 148 + 25.6 + 148 + 3 = 327.6 mm by 216 mm.
        let size = CoverSize::new((148.0, 210.0), 512, 0.1, 3.0);
        assert!((size.spine - 25.6).abs() < 1e-9);
        assert!(close(size.sheet(), (327.6, 216.0)));
    }
}
