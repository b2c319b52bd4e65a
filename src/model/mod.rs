//! The one owned document model: `Book → Part → Chapter → Block → Inline`.
//!
//! Built once by `parse`, completed by the passes (ids, numbers, resolved
//! links and images), then read by every renderer. It holds no output
//! concern: no HTML, no Typst.

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
}

impl Book {
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
