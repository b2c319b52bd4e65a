//! The printer's preflight (`ouvrage check --print`): what a print shop
//! checks before it accepts a PDF. Fonts embedded, the PDF/A level declared,
//! each raster image's effective resolution at its printed size, the page
//! count and the blank pages a 16-page signature would need.

use typst::layout::{Frame, FrameItem};
use typst::visualize::ImageKind;

use super::Compiled;
use super::diagnostics::locate_span;
use super::world::BookWorld;
use crate::diag::{Diagnostic, Severity};
use crate::model::Book;

/// Below this, an image prints soft.
pub const MIN_DPI: f64 = 300.0;
/// Pages per printed signature.
pub const SIGNATURE: usize = 16;

/// A page that holds colour in a grey build.
#[derive(Debug, Clone)]
pub struct ColourPage {
    /// The page (1-based).
    pub page: usize,
    /// What holds colour on it.
    pub reasons: Vec<String>,
    /// The images on it, at their Markdown lines when known.
    pub images: Vec<Option<crate::diag::Span>>,
}

/// One font of the PDF.
#[derive(Debug, Clone, PartialEq)]
pub struct FontReport {
    /// Its PostScript name.
    pub name: String,
    /// Whether its program is in the file.
    pub embedded: bool,
}

/// What the preflight found.
#[derive(Debug, Clone)]
pub struct Preflight {
    /// Number of pages.
    pub pages: usize,
    /// Page size of the first page, in millimetres.
    pub page_mm: (f64, f64),
    /// Blank pages to add for a whole number of signatures.
    pub blank_for_signature: usize,
    /// Fonts.
    pub fonts: Vec<FontReport>,
    /// The PDF/A part and conformance declared, e.g. "PDF/A-2B".
    pub pdfa: Option<String>,
    /// Raster images checked.
    pub raster_images: usize,
    /// Places whose characters no font draws (each an error).
    pub undrawn: usize,
    /// Code lines that wrap (each a warning at its line, or an error with
    /// `code-overflow = "error"`).
    pub wrapped_lines: usize,
    /// Tables scaled down to fit (each a warning).
    pub scaled_tables: usize,
    /// Pages that hold colour (RGB, CMYK or spot) in a grey build, with
    /// the images that bring it.
    pub colour_pages: Vec<ColourPage>,
    /// Problems: errors (a font not embedded) and warnings (a soft image).
    pub diagnostics: Vec<Diagnostic>,
}

/// Checks a compiled book and the PDF written from it (or the errors of
/// its export).
pub fn preflight(
    world: &BookWorld,
    book: &Book,
    compiled: &Compiled,
    pdf: Result<Vec<u8>, Vec<Diagnostic>>,
) -> Preflight {
    let mut diagnostics = compiled.undrawn.clone();
    diagnostics.extend(compiled.overflow.iter().cloned());
    diagnostics.extend(
        compiled
            .warnings
            .iter()
            .filter(|w| w.message.starts_with("this table is wider"))
            .cloned(),
    );
    let wrapped = super::marks::wrapped_lines(book, &compiled.emitted, &compiled.document);
    if compiled.overflow.is_empty() {
        for line in &wrapped {
            let mut d = Diagnostic::warning_in(None, super::marks::wrapped_message(line))
                .hint("a continuation mark (↪) shows the break; shorten the line to avoid it");
            if line.span.is_some() {
                d.span = line.span.clone();
            }
            diagnostics.push(d);
        }
    }
    let grey = book.config.pdf.colour == crate::config::PdfColour::Grey;
    let mut colour_pages = Vec::new();
    let (fonts, pdfa) = match pdf.map(|pdf| lopdf::Document::load_mem(&pdf)) {
        Ok(Ok(doc)) => {
            if grey {
                colour_pages = colour_of(&doc, world, book, compiled);
            }
            (fonts_of(&doc), pdfa_of(&doc))
        }
        Ok(Err(e)) => {
            diagnostics.push(Diagnostic::error_in(
                None,
                format!("the PDF cannot be read back: {e}"),
            ));
            (Vec::new(), None)
        }
        Err(errors) => {
            // A PDF/A export refuses undrawn glyphs too, without saying
            // where: those are reported above at their lines.
            if compiled.undrawn.is_empty() {
                diagnostics.extend(errors);
            }
            (Vec::new(), None)
        }
    };
    for font in fonts.iter().filter(|f| !f.embedded) {
        diagnostics.push(
            Diagnostic::error_in(None, format!("the font {} is not embedded", font.name)).hint(
                "a printer needs every font in the file; use a font whose licence allows embedding",
            ),
        );
    }
    if pdfa.is_none() && book.config.pdf.standard.is_none() {
        diagnostics.push(Diagnostic {
            severity: Severity::Warning,
            message: "no PDF/A level is declared".into(),
            span: None,
            path: Some("book.toml".into()),
            hints: vec![
                "printers and archives often ask for PDF/A: set `standard = \"a-2b\"` under [pdf]"
                    .into(),
            ],
        });
    }
    for page in &colour_pages {
        let message = format!(
            "page {} holds colour in a grey build ({})",
            page.page,
            page.reasons.join(", ")
        );
        let spans: Vec<_> = page.images.iter().flatten().collect();
        if spans.is_empty() {
            diagnostics.push(Diagnostic::warning_in(None, message.clone()).hint(
                "a one-colour print job needs every image in grey: convert the images of this page",
            ));
        }
        for span in spans {
            diagnostics.push(Diagnostic::warning((*span).clone(), message.clone()).hint(
                "a one-colour print job needs every image in grey: convert this image's file",
            ));
        }
    }
    // A warning of every build, an error for the printer.
    diagnostics.extend(
        compiled
            .warnings
            .iter()
            .filter(|w| w.message.starts_with(super::offpage::MESSAGE))
            .map(|w| Diagnostic {
                severity: Severity::Error,
                ..w.clone()
            }),
    );
    let mut raster_images = 0;
    for page in compiled.document.pages() {
        check_images(
            &page.frame,
            world,
            book,
            compiled,
            &mut raster_images,
            &mut diagnostics,
        );
    }
    let pages = compiled.document.pages().len();
    let page_mm = compiled
        .document
        .pages()
        .first()
        .map(|p| (p.frame.width().to_mm(), p.frame.height().to_mm()))
        .unwrap_or_default();
    Preflight {
        pages,
        page_mm,
        blank_for_signature: (SIGNATURE - pages % SIGNATURE) % SIGNATURE,
        fonts,
        pdfa,
        raster_images,
        undrawn: compiled.undrawn.len(),
        wrapped_lines: wrapped.len(),
        scaled_tables: super::marks::scaled_tables(&compiled.emitted, &compiled.document).len(),
        colour_pages,
        diagnostics,
    }
}

fn check_images(
    frame: &Frame,
    world: &BookWorld,
    book: &Book,
    compiled: &Compiled,
    count: &mut usize,
    out: &mut Vec<Diagnostic>,
) {
    for (_, item) in frame.items() {
        match item {
            FrameItem::Group(group) => {
                check_images(&group.frame, world, book, compiled, count, out)
            }
            FrameItem::Image(image, size, span) => {
                if !matches!(image.kind(), ImageKind::Raster(_)) {
                    continue; // vector images have no resolution
                }
                *count += 1;
                let (w_in, h_in) = (size.x.to_inches(), size.y.to_inches());
                if w_in <= 0.0 || h_in <= 0.0 {
                    continue;
                }
                let dpi = (image.width() / w_in).min(image.height() / h_in);
                if dpi < MIN_DPI {
                    let message = format!(
                        "this image prints at {:.0} dpi at its size on the page ({:.0} × {:.0} mm): below {MIN_DPI:.0} dpi it will look soft",
                        dpi,
                        size.x.to_mm(),
                        size.y.to_mm()
                    );
                    let hint = format!(
                        "use a file of at least {:.0} × {:.0} pixels, or print it smaller",
                        (w_in * MIN_DPI).ceil(),
                        (h_in * MIN_DPI).ceil()
                    );
                    let mut d = Diagnostic {
                        severity: Severity::Warning,
                        message,
                        span: None,
                        path: None,
                        hints: vec![hint],
                    };
                    d.span = locate_span(world, book, &compiled.emitted, *span);
                    out.push(d);
                }
            }
            _ => {}
        }
    }
}

/// The pages of a grey build that still hold colour, with their images.
fn colour_of(
    doc: &lopdf::Document,
    world: &BookWorld,
    book: &Book,
    compiled: &Compiled,
) -> Vec<ColourPage> {
    fn images(frame: &Frame, out: &mut Vec<typst::syntax::Span>) {
        for (_, item) in frame.items() {
            match item {
                FrameItem::Group(group) => images(&group.frame, out),
                FrameItem::Image(_, _, span) => out.push(*span),
                _ => {}
            }
        }
    }
    super::colour::colour_pages(doc)
        .into_iter()
        .map(|(page, reasons)| {
            let mut spans = Vec::new();
            if let Some(p) = compiled.document.pages().get(page - 1) {
                images(&p.frame, &mut spans);
            }
            ColourPage {
                page,
                reasons,
                images: spans
                    .into_iter()
                    .map(|s| locate_span(world, book, &compiled.emitted, s))
                    .collect(),
            }
        })
        .collect()
}

fn fonts_of(doc: &lopdf::Document) -> Vec<FontReport> {
    // A Type 3 font (colour emoji, drawn by the PDF's own procedures) has
    // no font program: it is embedded by nature.
    let type3: std::collections::HashSet<lopdf::ObjectId> = doc
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| d.get(b"Subtype").and_then(|t| t.as_name()).ok() == Some(&b"Type3"[..]))
        .filter_map(|d| d.get(b"FontDescriptor").and_then(|r| r.as_reference()).ok())
        .collect();
    let mut fonts = Vec::new();
    for (id, object) in &doc.objects {
        let Ok(dict) = object.as_dict() else { continue };
        if dict.get(b"Type").and_then(|t| t.as_name()).ok() != Some(&b"FontDescriptor"[..]) {
            continue;
        }
        let name = dict
            .get(b"FontName")
            .and_then(|n| n.as_name())
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .unwrap_or_default();
        let embedded = type3.contains(id)
            || dict.has(b"FontFile")
            || dict.has(b"FontFile2")
            || dict.has(b"FontFile3");
        fonts.push(FontReport { name, embedded });
    }
    fonts.sort_by(|a, b| a.name.cmp(&b.name));
    fonts
}

fn pdfa_of(doc: &lopdf::Document) -> Option<String> {
    let catalog = doc.catalog().ok()?;
    let id = catalog.get(b"Metadata").ok()?.as_reference().ok()?;
    let stream = doc.get_object(id).ok()?.as_stream().ok()?;
    let xmp = String::from_utf8_lossy(&stream.content);
    let between = |open: &str, close: &str| -> Option<String> {
        let start = xmp.find(open)? + open.len();
        let end = xmp[start..].find(close)? + start;
        Some(xmp[start..end].trim().to_string())
    };
    let part = between("<pdfaid:part>", "</pdfaid:part>")?;
    let conformance = between("<pdfaid:conformance>", "</pdfaid:conformance>").unwrap_or_default();
    Some(format!("PDF/A-{part}{conformance}"))
}
