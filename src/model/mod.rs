//! The one owned document model: `Book → Part → Chapter → Block → Inline`.
//!
//! Built once by `parse`, completed by the passes (ids, numbers, resolved
//! links and images), then read by every renderer. It holds no output
//! concern: no HTML, no Typst.

mod math;
mod nodes;

pub use nodes::*;

use std::path::PathBuf;

use crate::config::{BookConfig, ChapterConfig, Contributors};
use crate::diag::Span;
use crate::source::{FileId, Sources};

/// A whole book, ready to render.
#[derive(Debug, Clone)]
pub struct Book {
    /// The book root.
    pub root: PathBuf,
    /// book.toml.
    pub config: BookConfig,
    /// contributors.toml.
    pub contributors: Contributors,
    /// Every source file read.
    pub sources: Sources,
    /// Chapters in reading order.
    pub chapters: Vec<Chapter>,
    /// Groups of consecutive chapters: parts, and runs of chapters outside any part.
    pub parts: Vec<Part>,
    /// Files the outputs need beside the text (images), relative to the root.
    pub assets: Vec<Asset>,
    /// The book's own templates, by name, replacing the built-in ones.
    pub templates: std::collections::BTreeMap<String, FileId>,
    /// The book's one reference list, when `[bibliography] per-chapter =
    /// false` (otherwise each chapter has its own), set by the citations pass.
    pub references: Vec<Reference>,
}

impl Book {
    /// Whether any chapter cites a work of the bibliography.
    pub fn cites(&self) -> bool {
        self.chapters.iter().any(|c| c.cites)
    }

    /// The chapter with this id.
    pub fn chapter(&self, id: &str) -> Option<&Chapter> {
        self.chapters.iter().find(|c| c.id == id)
    }

    /// The index of the chapter with this id.
    pub fn chapter_index(&self, id: &str) -> Option<usize> {
        self.chapters.iter().position(|c| c.id == id)
    }

    /// A short file-name-safe id for the book's outputs (`<book-id>.pdf`).
    pub fn id(&self) -> String {
        slug(&self.config.book.title, "book")
    }
}

/// A group of consecutive chapters in reading order.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// The part's title; `None` for chapters outside any part.
    pub title: Option<String>,
    /// Indices into [`Book::chapters`].
    pub chapters: Vec<usize>,
}

/// An image or other file that the outputs copy or embed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Asset {
    /// Path relative to the book root, with `/` separators.
    pub path: String,
}

/// One chapter.
#[derive(Debug, Clone)]
pub struct Chapter {
    /// The chapter id (file stem without number prefix, or front matter `id`).
    pub id: String,
    /// The chapter file.
    pub file: FileId,
    /// Path relative to the book root.
    pub path: PathBuf,
    /// Front matter.
    pub config: ChapterConfig,
    /// Title as plain text.
    pub title: String,
    /// BCP 47 language (the chapter's, else the book's).
    pub lang: String,
    /// Number among the numbered chapters, set by the numbering pass.
    pub number: Option<u32>,
    /// The abstract, parsed from front matter Markdown.
    pub abstract_: Vec<Block>,
    /// The body.
    pub blocks: Vec<Block>,
    /// Footnotes in the order of their first reference.
    pub footnotes: Vec<Footnote>,
    /// The works it cites, as its reference list prints them, set by the
    /// citations pass when it formats (empty when the book has one list for
    /// all chapters).
    pub references: Vec<Reference>,
    /// Whether it cites a work of the bibliography, set by the citations
    /// pass whether or not it formats (the PDF's reference lists follow it).
    pub cites: bool,
}

/// One entry of a reference list, formatted in the book's citation style.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    /// The bibliography key.
    pub key: String,
    /// The label some styles print before the entry (`[1]`); empty for most.
    pub label: Vec<Inline>,
    /// The entry.
    pub content: Vec<Inline>,
}

/// A footnote's content.
#[derive(Debug, Clone, PartialEq)]
pub struct Footnote {
    /// The label written in the Markdown (`[^label]`).
    pub label: String,
    /// 1-based number in the chapter.
    pub number: u32,
    /// Its blocks.
    pub blocks: Vec<Block>,
    /// Where it is defined.
    pub span: Span,
}

/// A relative path with `/` separators, as git and the outputs name files.
pub fn slash_path(path: &std::path::Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

impl Chapter {
    /// Calls `f` on every inline of the chapter, depth first, in reading
    /// order: the abstract, the body, then the notes.
    pub fn walk_inlines_mut(&mut self, f: &mut dyn FnMut(&mut Inline)) {
        let mut on_inlines = |inlines: &mut Vec<Inline>| walk_inlines_mut(inlines, f);
        let mut on_block = |block: &mut Block| block_inlines_mut(block, &mut on_inlines);
        walk_blocks_mut(&mut self.abstract_, &mut on_block);
        walk_blocks_mut(&mut self.blocks, &mut on_block);
        for note in &mut self.footnotes {
            walk_blocks_mut(&mut note.blocks, &mut on_block);
        }
    }

    /// The chapter file's path relative to the book root, with `/`.
    pub fn rel_path(&self) -> String {
        slash_path(&self.path)
    }
}

/// GitHub-style slug: lowercase letters and digits, other runs become `-`.
/// Accents are folded (`é` → `e`) so that ids stay ASCII.
pub fn slug(text: &str, fallback: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::new();
    let mut dash = false;
    for c in text.nfd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        } else {
            dash = true;
        }
    }
    let out: String = out
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    if out.is_empty() {
        fallback.to_string()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn slugs_are_ascii_and_stable() {
        assert_eq!(
            slug("Les communs de services de proximité", "x"),
            "les-communs-de-services-de-proximite"
        );
        assert_eq!(
            slug("L'expérience : « Fablabs » !", "x"),
            "l-experience-fablabs"
        );
        assert_eq!(slug("???", "section"), "section");
    }
}
