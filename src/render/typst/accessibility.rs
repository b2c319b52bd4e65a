//! What the tagged PDF and PDF/UA-1 ask of the book before Typst writes it:
//! every image has a text alternative. Input: the finished model and
//! `[pdf] standard`; output: one diagnostic per image without one, at its
//! Markdown block (an error under PDF/UA-1 and the PDF/A "a" levels, which
//! require it; a warning otherwise, since the PDF is tagged anyway).
//! Formulas need nothing here: the emitter gives each its LaTeX as alt text.

use crate::diag::Diagnostic;
use crate::model::{Block, BlockKind, Book, Inline};

/// The standards that require a text alternative for every image.
const REQUIRING_ALT: &[&str] = &["ua-1", "a-1a", "a-2a", "a-3a"];

/// The accessibility level book.toml declares, e.g. "PDF/UA-1", if any.
pub fn declared_level(book: &Book) -> Option<String> {
    let standard = book.config.pdf.standard.as_deref()?;
    if standard == "ua-1" {
        Some("PDF/UA-1".into())
    } else if standard.starts_with("a-") && standard.ends_with('a') {
        Some(format!("PDF/A-{} (accessible)", &standard[2..]))
    } else {
        None
    }
}

/// Whether the declared standard requires every image's alt text.
pub fn requires_alt(book: &Book) -> bool {
    book.config
        .pdf
        .standard
        .as_deref()
        .is_some_and(|s| REQUIRING_ALT.contains(&s))
}

/// One diagnostic per image without a text alternative, in reading order.
pub fn missing_alt(book: &Book) -> Vec<Diagnostic> {
    let required = requires_alt(book).then_some(
        "the PDF's standard requires it: write what the image shows, `![a map of the sites](…)`, or `{alt=\"…\"}` after a figure whose caption says something else",
    );
    crate::view::missing_alt(book, required)
}

/// What `check --print` says of the PDF's accessibility: the level
/// declared, the document's and the chapters' languages, the formulas
/// given their LaTeX as alt text, the images without one.
pub fn summary(book: &Book) -> String {
    let mut formulas = 0usize;
    let mut other_langs: Vec<String> = Vec::new();
    for chapter in &book.chapters {
        if chapter.lang.tag() != book.lang.tag()
            && !other_langs.iter().any(|l| l == chapter.lang.tag())
        {
            other_langs.push(chapter.lang.tag().to_string());
        }
        for blocks in chapter.text_lists() {
            crate::model::walk_blocks(blocks, &mut |block: &Block| {
                if matches!(&block.kind, BlockKind::Math(m) if m.typst.is_some()) {
                    formulas += 1;
                }
                crate::model::block_inlines(block, &mut |inlines| {
                    crate::model::walk_inlines(inlines, &mut |inline| {
                        if matches!(inline, Inline::Math(m) if m.typst.is_some()) {
                            formulas += 1;
                        }
                    })
                });
            });
        }
    }
    let bare = missing_alt(book).len();
    format!(
        "accessibility: {}; tagged; language {}{}; {formulas} formula(s) with their LaTeX as alt text; {bare} image(s) without alt text; offprints untagged",
        declared_level(book)
            .map(|l| format!("{l} declared"))
            .unwrap_or_else(|| "no PDF/UA level declared".into()),
        book.lang.tag(),
        if other_langs.is_empty() {
            String::new()
        } else {
            format!(" (chapters also in {})", other_langs.join(", "))
        },
    )
}
