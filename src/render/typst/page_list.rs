//! Where each printed page begins in the text: the EPUB's page list and the
//! site's page markers cite the PDF's page numbers. Input: the laid-out
//! document, the generated sources and their maps to the Markdown; output:
//! for each page whose text starts in a chapter's body, the page's number
//! and the top-level block of the chapter in which its first line stands
//! (the block the page begins in: the marker goes before that block).
//!
//! The first text of each page (in layout order: the running head maps to
//! the chapter's title, not to its body, and is passed over) is mapped back
//! through the source map, as the undrawn characters are (`glyphs`).

use std::collections::HashMap;

use typst::WorldExt;
use typst::layout::{Frame, FrameItem};
use typst::text::TextItem;
use typst_layout::PagedDocument;

use super::emit::Emitted;
use super::world::BookWorld;
use crate::model::Book;

/// For each chapter id, the pages that begin in it: (index of the top-level
/// block of the chapter's body, the page's printed number), in page order.
pub type PageStarts = HashMap<String, Vec<(usize, String)>>;

fn walk(frame: &Frame, f: &mut dyn FnMut(&TextItem) -> bool) -> bool {
    for (_, item) in frame.items() {
        let stop = match item {
            FrameItem::Group(group) => walk(&group.frame, f),
            FrameItem::Text(text) => f(text),
            _ => false,
        };
        if stop {
            return true;
        }
    }
    false
}

/// The chapter id and top-level block index that `text`'s first glyph
/// comes from, when it is a chapter's body.
fn block_of(
    world: &BookWorld,
    book: &Book,
    emitted: &Emitted,
    text: &TextItem,
) -> Option<(String, usize)> {
    let (span, offset) = text.glyphs.first()?.span;
    let path = BookWorld::path_of(span.id()?);
    let generated = emitted.chapters.iter().find(|c| c.path == path)?;
    let range = world.range(span)?;
    let (_, md, _) = generated.map.entry_at(range.start + offset as usize)?;
    let chapter = book.chapter(&generated.id)?;
    let at = md.range.start;
    let index = chapter.blocks.iter().position(|b| {
        b.span.file == md.file
            && b.span.range.start <= at
            && at < b.span.range.end.max(b.span.range.start + 1)
    })?;
    Some((chapter.id.clone(), index))
}

/// Where each page of `document` begins in the chapters' text.
pub fn page_starts(
    world: &BookWorld,
    book: &Book,
    emitted: &Emitted,
    document: &PagedDocument,
) -> PageStarts {
    let mut out = PageStarts::new();
    for page in document.pages() {
        let mut found = None;
        walk(&page.frame, &mut |text| {
            found = block_of(world, book, emitted, text);
            found.is_some()
        });
        if let Some((chapter, block)) = found {
            out.entry(chapter)
                .or_default()
                .push((block, page.number.to_string()));
        }
    }
    out
}
