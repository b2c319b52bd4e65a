//! The build plan: which outputs a run makes, in which order, and how they
//! link to each other. `build` and `watch` both ask it, so that the site of
//! either links to the same outputs.

use std::path::Path;

use super::docx::DocxRenderer;
use super::epub::{EpubOptions, EpubRenderer};
use super::html::{HtmlOptions, HtmlRenderer};
use super::metadata::MetadataRenderer;
use super::typst::wraparound::{Printed, WraparoundRenderer};
use super::typst::{OffprintsRenderer, PdfOptions, PdfRenderer, SharedSession};
use super::{RenderResult, Renderer};
use crate::model::Book;

/// Which outputs one run makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// The site, `html/`.
    pub html: bool,
    /// The book's PDF.
    pub pdf: bool,
    /// Each chapter on its own: cut from the PDF, and as a DOCX when the
    /// plan makes one.
    pub offprints: bool,
    /// The EPUB.
    pub epub: bool,
    /// The DOCX (only when asked: it is not among "every output").
    pub docx: bool,
    /// The wraparound cover, `<book-id>-cover.pdf` (only when asked; it
    /// needs the PDF's page count, so the PDF is made too).
    pub cover: bool,
    /// The publishing feeds, `metadata/` (only when asked; they take the
    /// chapters' pages from the PDF, which the plan then makes too).
    pub metadata: bool,
}

impl Plan {
    /// The outputs of `build`: those named, or the site, the PDF and the
    /// EPUB when none is. Offprints are cut from the paged outputs named
    /// (the PDF when none is).
    pub fn build(html: bool, pdf: bool, epub: bool, docx: bool, offprints: bool) -> Plan {
        let all = !(html || pdf || epub || docx || offprints);
        Plan {
            html: all || html,
            pdf: all || pdf || (offprints && !docx),
            offprints,
            epub: all || epub,
            docx,
            cover: false,
            metadata: false,
        }
    }

    /// This plan with the publishing feeds when `metadata`: alone, they
    /// are made with the PDF (their pages come from it), and named with
    /// other outputs, with those and the PDF.
    pub fn with_metadata(self, metadata: bool) -> Plan {
        if !metadata {
            return self;
        }
        Plan {
            metadata: true,
            pdf: true,
            ..self
        }
    }

    /// The outputs of `watch`: the site, and the PDF unless `--no-pdf`.
    pub fn watch(pdf: bool) -> Plan {
        Plan {
            html: true,
            pdf,
            offprints: false,
            epub: false,
            docx: false,
            cover: false,
            metadata: false,
        }
    }

    /// Whether the site, the EPUB or the DOCX print formatted citations
    /// (the PDF formats its own unless `[pdf] citations = "text"`).
    pub fn formats_citations(&self) -> bool {
        self.html || self.epub || self.docx
    }

    /// How the site links to the other outputs in `out_dir`: to those this
    /// run makes, and to those an earlier run left there.
    pub fn html_options(&self, book: &Book, out_dir: &Path) -> HtmlOptions {
        let link = |made: bool, name: String| {
            (made || out_dir.join(&name).is_file()).then(|| format!("../{name}"))
        };
        HtmlOptions {
            pdf: link(self.pdf, PdfRenderer::file_name(book)),
            epub: link(self.epub, EpubRenderer::file_name(book)),
            pages: Default::default(),
            page_breaks: Default::default(),
        }
    }

    /// The renderers of the plan, in the order they run: the PDF and the
    /// EPUB first, so that the site links to what exists. The PDF, the
    /// offprints and the EPUB's cover share one Typst session.
    pub fn renderers(
        &self,
        book: &Book,
        out_dir: &Path,
        pdf_options: PdfOptions,
    ) -> Vec<Box<dyn Renderer>> {
        let session = SharedSession::default();
        let pages = crate::render::ChapterPages::default();
        let printed = Printed::default();
        let breaks = crate::render::PageBreaks::default();
        let markers = self.html && book.config.html.page_markers;
        let mut renderers: Vec<Box<dyn Renderer>> = Vec::new();
        if self.pdf {
            let mut pdf = PdfRenderer::new(pdf_options.clone(), session.clone());
            // Only the site and the feeds print them.
            pdf.pages = (self.html || self.metadata).then(|| pages.clone());
            pdf.printed = self.cover.then(|| printed.clone());
            pdf.breaks = (self.epub || markers).then(|| breaks.clone());
            renderers.push(Box::new(pdf));
        }
        if self.cover {
            renderers.push(Box::new(WraparoundRenderer {
                options: pdf_options.clone(),
                session: session.clone(),
                printed,
            }));
        }
        if self.offprints {
            renderers.push(Box::new(Offprints {
                pdf: self.pdf.then(|| OffprintsRenderer {
                    options: pdf_options.clone(),
                    session: session.clone(),
                }),
                docx: self.docx,
            }));
        }
        if self.docx {
            renderers.push(Box::new(DocxRenderer));
        }
        if self.epub {
            renderers.push(Box::new(EpubRenderer {
                options: EpubOptions {
                    fonts: pdf_options.fonts,
                    page_breaks: breaks.clone(),
                },
                session,
            }));
        }
        if self.metadata {
            renderers.push(Box::new(MetadataRenderer {
                pages: pages.clone(),
            }));
        }
        if self.html {
            let mut options = self.html_options(book, out_dir);
            options.pages = pages;
            if markers {
                options.page_breaks = breaks;
            }
            renderers.push(Box::new(HtmlRenderer { options }));
        }
        renderers
    }
}

/// `offprints/`: each chapter's PDF cut from the book, and its DOCX, as
/// the plan makes them (one folder, replaced at once).
struct Offprints {
    pdf: Option<OffprintsRenderer>,
    docx: bool,
}

impl Renderer for Offprints {
    fn output_name(&self, _book: &Book) -> String {
        "offprints".to_string()
    }

    fn render(&self, book: &Book, staging: &Path) -> RenderResult {
        let mut warnings = match &self.pdf {
            Some(pdf) => pdf.render(book, staging)?,
            None => Vec::new(),
        };
        if self.docx {
            let styles = super::docx::styles_xml(book)?;
            let mut errors = Vec::new();
            for chapter in &book.chapters {
                match super::docx::document(book, Some(chapter), &styles) {
                    Ok((bytes, w)) => {
                        warnings.extend(w);
                        let path = staging.join(format!("{}.docx", chapter.id));
                        if let Err(e) = std::fs::write(&path, bytes) {
                            errors.extend(super::io_error(&path, "write", e));
                        }
                    }
                    Err(e) => errors.extend(e),
                }
            }
            if !errors.is_empty() {
                return Err(errors);
            }
        }
        Ok(warnings)
    }
}

/// Runs every renderer of `plan` on `book` in a throwaway folder: every
/// validation a build makes (templates compiled and rendered, the PDF
/// typeset and exported, every image decoded where it is placed), nothing
/// written where the book is. The warnings, or every error.
pub fn dry_run(
    plan: &Plan,
    book: &Book,
) -> Result<Vec<crate::diag::Diagnostic>, Vec<crate::diag::Diagnostic>> {
    let scratch = tempfile::tempdir().map_err(|e| {
        vec![crate::diag::Diagnostic::error_in(
            None,
            format!("cannot make a folder to check the outputs in: {e}"),
        )]
    })?;
    let (mut warnings, mut errors) = (Vec::new(), Vec::new());
    for renderer in plan.renderers(book, scratch.path(), PdfOptions::default()) {
        let staging = scratch.path().join(renderer.output_name(book));
        if let Err(e) = std::fs::create_dir_all(&staging) {
            errors.push(crate::diag::Diagnostic::error_in(
                Some(staging.clone()),
                format!("cannot make a folder to check the outputs in: {e}"),
            ));
            continue;
        }
        match renderer.render(book, &staging) {
            Ok(w) => warnings.extend(w),
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(warnings)
    } else {
        errors.extend(warnings);
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_format_named_is_every_format() {
        let all = Plan::build(false, false, false, false, false);
        assert!(all.html && all.pdf && all.epub && !all.offprints && !all.docx);
        let offprints = Plan::build(false, false, false, false, true);
        assert!(offprints.pdf && offprints.offprints && !offprints.html);
        let docx_offprints = Plan::build(false, false, false, true, true);
        assert!(docx_offprints.docx && docx_offprints.offprints && !docx_offprints.pdf);
        assert!(!Plan::build(false, true, false, false, false).formats_citations());
        assert!(Plan::build(false, false, false, true, false).formats_citations());
        let watch = Plan::watch(false);
        assert!(watch.html && !watch.pdf && !watch.epub);
    }
}
