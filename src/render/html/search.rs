//! The offline search index: one document per section of each chapter.

use serde::Serialize;

use super::context::chapter_url;
use crate::model::{Block, BlockKind, Book, blocks_text, plain_text};

/// One searchable section.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SearchDoc {
    /// Chapter title.
    pub chapter: String,
    /// Section title ("" for the chapter's opening).
    pub section: String,
    /// Page and anchor.
    pub url: String,
    /// Plain text of the section.
    pub text: String,
}

/// The index written to `search-index.json`.
#[derive(Debug, Clone, Serialize)]
pub struct SearchIndex {
    /// Every section of every chapter.
    pub docs: Vec<SearchDoc>,
}

/// Builds the index, splitting each chapter at its headings.
pub fn build_index(book: &Book) -> SearchIndex {
    let mut docs = Vec::new();
    for ch in &book.chapters {
        let page = chapter_url(&ch.id);
        let mut section = String::new();
        let mut url = page.clone();
        let mut pending: Vec<Block> = ch.abstract_.clone();
        let flush =
            |section: &str, url: &str, blocks: &mut Vec<Block>, docs: &mut Vec<SearchDoc>| {
                let text = blocks_text(blocks);
                if !text.is_empty() || !section.is_empty() {
                    docs.push(SearchDoc {
                        chapter: ch.title.clone(),
                        section: section.to_string(),
                        url: url.to_string(),
                        text,
                    });
                }
                blocks.clear();
            };
        for block in &ch.blocks {
            if let BlockKind::Heading(h) = &block.kind {
                flush(&section, &url, &mut pending, &mut docs);
                section = plain_text(&h.content);
                url = format!("{page}#{}", h.id);
            } else {
                pending.push(block.clone());
            }
        }
        flush(&section, &url, &mut pending, &mut docs);
    }
    SearchIndex { docs }
}
