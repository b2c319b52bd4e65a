//! A chapter's titles and abstracts in several languages, in the book's
//! order of languages, for every output.
//!
//! Input: a chapter of the finished [`Book`] (its own title and abstract,
//! and its [`Translation`](crate::model::Translation)s). Output: the
//! versions in the order of `[book] languages` (by default the book's
//! language first, then the others as written): the abstracts, each with
//! its language and the word that heads it there ("Résumé", "Abstract"),
//! and the titles in other languages than the chapter's, which the
//! outputs print under its title.

use crate::lang::Lang;
use crate::model::{Block, BlockKind, Book, Chapter, Inline};

/// One version of a chapter's abstract.
#[derive(Debug, Clone, Copy)]
pub struct AbstractVersion<'c> {
    /// Its language.
    pub lang: &'c Lang,
    /// Whether it is the chapter's own language (no `lang` to mark).
    pub own: bool,
    /// What heads it, in its language.
    pub label: &'static str,
    /// Its blocks.
    pub blocks: &'c [Block],
}

/// A title in another language than the chapter's.
#[derive(Debug, Clone, Copy)]
pub struct TitleVersion<'c> {
    /// Its language.
    pub lang: &'c Lang,
    /// Its inlines.
    pub inlines: &'c [Inline],
}

/// Where `lang` stands in the book's order of languages: its place in
/// `[book] languages` (same tag, else same primary language), else the
/// book's language first; any other after them all.
fn rank(book: &Book, lang: &Lang) -> usize {
    let order: Vec<Lang> = if book.config.book.languages.is_empty() {
        vec![book.lang.clone()]
    } else {
        book.config
            .book
            .languages
            .iter()
            .map(|t| Lang::parse(t))
            .collect()
    };
    order
        .iter()
        .position(|l| l == lang)
        .or_else(|| order.iter().position(|l| l.primary() == lang.primary()))
        .unwrap_or(order.len())
}

/// The chapter's abstracts, its own and its translations', in the book's
/// order of languages (a stable sort: versions of equal rank keep the
/// order written, the chapter's own first).
pub fn abstracts<'c>(book: &Book, chapter: &'c Chapter) -> Vec<AbstractVersion<'c>> {
    let mut out = Vec::new();
    if !chapter.abstract_.is_empty() {
        out.push(AbstractVersion {
            lang: &chapter.lang,
            own: true,
            label: chapter.lang.labels().abstract_,
            blocks: &chapter.abstract_,
        });
    }
    for t in chapter
        .translations
        .iter()
        .filter(|t| !t.abstract_.is_empty())
    {
        out.push(AbstractVersion {
            lang: &t.lang,
            own: false,
            label: t.lang.labels().abstract_,
            blocks: &t.abstract_,
        });
    }
    out.sort_by_key(|v| rank(book, v.lang));
    out
}

/// The chapter's titles in other languages, in the book's order of
/// languages.
pub fn other_titles<'c>(book: &Book, chapter: &'c Chapter) -> Vec<TitleVersion<'c>> {
    let mut out: Vec<TitleVersion<'c>> = chapter
        .translations
        .iter()
        .filter_map(|t| match t.title.first().map(|b| &b.kind) {
            Some(BlockKind::Paragraph(inlines)) => Some(TitleVersion {
                lang: &t.lang,
                inlines,
            }),
            _ => None,
        })
        .collect();
    out.sort_by_key(|v| rank(book, v.lang));
    out
}
