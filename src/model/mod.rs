//! The one owned document model: `Book → Part → Chapter → Block → Inline`.
//!
//! Built once by `parse`, completed by the passes (ids, numbers, resolved
//! links and images), then read by every renderer. It holds no output
//! concern: no HTML, no Typst.

mod math;
mod nodes;

pub use nodes::*;

use std::path::PathBuf;

use crate::config::{BookConfig, ChapterConfig, Contributors, Role};
use crate::date::DocDate;
use crate::diag::Span;
use crate::lang::Lang;
use crate::source::{FileId, Sources};

/// How deep the model nests, at most: block quotes, alerts, list items,
/// footnotes, emphasis, strong emphasis, strikethrough, superscripts,
/// subscripts, links and images inside one another, counted together
/// (`parse` refuses Markdown nested deeper), and the elements of a piece
/// of raw HTML (the `html` pass refuses deeper markup). Every stage walks
/// the model recursively: this bounds how much stack they need.
pub const MAX_NESTING: usize = 100;

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
    /// Files the text links to or shows that do not exist (relative to the
    /// root, `/`-separated), each an error of the links pass: `watch`
    /// waits for them to appear.
    pub missing: Vec<String>,
    /// The book's own templates, by name, replacing the built-in ones.
    pub templates: std::collections::BTreeMap<String, FileId>,
    /// The book's one reference list, when `[bibliography] per-chapter =
    /// false` (otherwise each chapter has its own), set by the citations pass.
    pub references: Vec<Reference>,
    /// The book's language, parsed once from book.toml.
    pub lang: Lang,
    /// The people of contributors.toml in file order, their bios parsed and
    /// completed by the passes like a chapter's text.
    pub people: Vec<Person>,
    /// The editors of book.toml, resolved by the people pass.
    pub editors: Vec<PersonRef>,
    /// The document date (`SOURCE_DATE_EPOCH`, else the last commit's time,
    /// else the newest file's), computed once per build: every output
    /// prints the same one.
    pub date: Option<DocDate>,
    /// Draft builds: the review state of every chapter, from the history.
    /// `None` in final builds.
    pub review: Option<std::sync::Arc<crate::review::report::StatusReport>>,
}

/// A person of contributors.toml, as the outputs show them.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    /// The contributor id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Affiliation.
    pub affiliation: Option<String>,
    /// Roles.
    pub roles: Vec<Role>,
    /// ORCID iD.
    pub orcid: Option<String>,
    /// The biography, parsed from its Markdown; empty when there is none.
    pub bio: Vec<Block>,
}

/// A contributor named by book.toml or a chapter's front matter, resolved
/// by the people pass.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonRef {
    /// The id as written.
    pub id: String,
    /// Index into [`Book::people`]; `None` for an unknown id (an error the
    /// pass reported; a preview still shows the id).
    pub person: Option<usize>,
}

impl Book {
    /// The parts in reading order, each titled one with its number among
    /// the titled parts, from 1 (the number the PDF prints: "Première
    /// partie"); `None` for the chapters outside any part.
    pub fn numbered_parts(&self) -> impl Iterator<Item = (Option<usize>, &Part)> {
        let mut titled = 0;
        self.parts.iter().map(move |part| {
            let number = part.title.as_ref().map(|_| {
                titled += 1;
                titled
            });
            (number, part)
        })
    }

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

    /// The person a reference resolves to.
    pub fn person(&self, r: &PersonRef) -> Option<&Person> {
        r.person.and_then(|i| self.people.get(i))
    }

    /// Whether this is a draft build: the review state is shown.
    pub fn is_draft(&self) -> bool {
        self.review.is_some()
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
    /// Title as plain text, without markup characters: what bookmarks,
    /// metadata, the site's `<title>` and the EPUB's navigation print.
    /// Set from [`Chapter::title_markup`] (again by the typography pass).
    pub title: String,
    /// The title as Markdown: one paragraph holding its inlines (inline
    /// code, emphasis, math), which the contents, the running heads and the
    /// chapter's opening print as such. Completed by the passes like the
    /// text (it is the first of [`Chapter::block_lists_mut`]).
    pub title_markup: Vec<Block>,
    /// Its language (the chapter's, else the book's).
    pub lang: Lang,
    /// Its authors, resolved by the people pass.
    pub authors: Vec<PersonRef>,
    /// Number among the numbered chapters, set by the numbering pass.
    pub number: Option<u32>,
    /// The abstract, parsed from front matter Markdown (of a map by
    /// language, the version in the chapter's language, else the first).
    pub abstract_: Vec<Block>,
    /// The title and abstract in other languages (`title: {fr: …, en: …}`),
    /// in the order written; the view orders them for the outputs.
    pub translations: Vec<Translation>,
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
    /// Draft builds: its review state and the revision shown.
    pub review: Option<ChapterReview>,
}

/// A chapter's title and abstract in another language than its own.
#[derive(Debug, Clone, PartialEq, Hash)]
pub struct Translation {
    /// The language.
    pub lang: Lang,
    /// The title in it: one paragraph of inlines, or empty.
    pub title: Vec<Block>,
    /// The abstract in it, or empty.
    pub abstract_: Vec<Block>,
}

/// A chapter's review state, as a draft build shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChapterReview {
    /// Its state in the history.
    pub state: crate::review::State,
    /// The blob id of the text the outputs show (the working file's, which
    /// is the revision in HEAD when the chapter is committed).
    pub revision: String,
    /// What changed in the text since the approval of the person making
    /// the draft, when their approval is of an older revision.
    pub since_approval: Option<SinceApproval>,
}

/// A word-level diff of a chapter's text since a reviewer's approval.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SinceApproval {
    /// The reviewer's contributor id.
    pub reviewer: String,
    /// The revision they approved (a blob id).
    pub revision: String,
    /// The paragraphs that changed, each as pieces of text (shared with
    /// `watch`'s kept diffs, which every save puts into the model again).
    pub paragraphs: std::sync::Arc<[Vec<DiffPiece>]>,
}

/// A piece of a word-level diff.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "text", rename_all = "lowercase")]
pub enum DiffPiece {
    /// In both texts.
    Same(String),
    /// In the old text only.
    Removed(String),
    /// In the new text only.
    Added(String),
}

impl ChapterReview {
    /// The revision as drafts print it: its first seven characters, as git
    /// abbreviates.
    pub fn short_revision(&self) -> &str {
        &self.revision[..7.min(self.revision.len())]
    }
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
#[derive(Debug, Clone, PartialEq, Hash)]
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
        for t in &mut self.translations {
            walk_blocks_mut(&mut t.abstract_, &mut on_block);
        }
        walk_blocks_mut(&mut self.blocks, &mut on_block);
        for note in &mut self.footnotes {
            walk_blocks_mut(&mut note.blocks, &mut on_block);
        }
    }

    /// Every list of blocks the chapter holds: the title, the abstract, the
    /// body, each note, then the titles and abstracts in other languages.
    pub fn block_lists_mut(&mut self) -> Vec<&mut Vec<Block>> {
        self.block_lists_with_lang_mut()
            .into_iter()
            .map(|(_, blocks)| blocks)
            .collect()
    }

    /// [`Chapter::block_lists_mut`], each with the language it is in.
    pub fn block_lists_with_lang_mut(&mut self) -> Vec<(Lang, &mut Vec<Block>)> {
        let lang = self.lang.clone();
        let mut lists = vec![
            (lang.clone(), &mut self.title_markup),
            (lang.clone(), &mut self.abstract_),
            (lang.clone(), &mut self.blocks),
        ];
        lists.extend(
            self.footnotes
                .iter_mut()
                .map(|f| (lang.clone(), &mut f.blocks)),
        );
        for t in &mut self.translations {
            lists.push((t.lang.clone(), &mut t.title));
            lists.push((t.lang.clone(), &mut t.abstract_));
        }
        lists
    }

    /// The block lists a reader reads as the chapter's text, in order: the
    /// abstract, the body, the notes (not the title, which the contents
    /// and running heads repeat, nor the translations).
    pub fn text_lists(&self) -> impl Iterator<Item = &Vec<Block>> {
        std::iter::once(&self.abstract_)
            .chain(std::iter::once(&self.blocks))
            .chain(self.footnotes.iter().map(|n| &n.blocks))
    }

    /// Every inline of [`Chapter::text_lists`], nested ones included, in
    /// reading order.
    pub fn walk_text_inlines(&self, f: &mut dyn FnMut(&Inline)) {
        let mut on_inlines = |inlines: &[Inline]| walk_inlines(inlines, &mut *f);
        let mut on_block = |b: &Block| block_inlines(b, &mut on_inlines);
        for blocks in self.text_lists() {
            walk_blocks(blocks, &mut on_block);
        }
    }

    /// The title's inlines (see [`Chapter::title_markup`]).
    pub fn title_inlines(&self) -> &[Inline] {
        match self.title_markup.first().map(|b| &b.kind) {
            Some(BlockKind::Paragraph(inlines)) => inlines,
            _ => &[],
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
