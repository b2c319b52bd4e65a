//! Offprints (*tirés-à-part*): each chapter cut from the compiled book, so
//! that it keeps the book's page numbers.
//!
//! The book is compiled a second time with `meta.offprint` set, which only
//! adds a line in the head of each chapter's opening page (the pagination is
//! unchanged; Typst's memoisation makes this second compile cheap). The
//! template's marks (`metadata` labelled `<ouvrage-mark>`) give each
//! chapter's first page; a chapter runs to the page before the next mark,
//! without the blank versos left to open the next one on a recto.

use std::ops::RangeInclusive;

use typst::foundations::{Label, Selector, Value};
use typst::introspection::{Introspector, MetadataElem};
use typst::utils::PicoStr;
use typst_layout::PagedDocument;

/// The pages (1-based, inclusive) of each chapter, by chapter id, in order.
pub fn chapter_pages(document: &PagedDocument) -> Vec<(String, RangeInclusive<usize>)> {
    let introspector = document.introspector();
    let Some(label) = Label::new(PicoStr::intern("ouvrage-mark")) else {
        return Vec::new();
    };
    let mut marks: Vec<(usize, String, Option<String>)> = introspector
        .query(&Selector::Label(label))
        .iter()
        .filter_map(|content| {
            let page = introspector.page(content.location()?)?.get();
            let meta = content.to_packed::<MetadataElem>()?;
            let Value::Dict(dict) = &meta.value else {
                return None;
            };
            let kind = match dict.get("kind").ok()? {
                Value::Str(s) => s.to_string(),
                _ => return None,
            };
            let id = match dict.get("id") {
                Ok(Value::Str(s)) => Some(s.to_string()),
                _ => None,
            };
            Some((page, kind, id))
        })
        .collect();
    marks.sort_by_key(|m| m.0);
    let texts = super::text::page_texts(document);
    let last_page = document.pages().len();
    let mut out = Vec::new();
    for (i, (page, kind, id)) in marks.iter().enumerate() {
        let (Some(id), "chapter") = (id, kind.as_str()) else {
            continue;
        };
        let next = marks[i + 1..]
            .iter()
            .map(|m| m.0)
            .find(|p| p > page)
            .map(|p| p - 1)
            .unwrap_or(last_page);
        let mut end = next.max(*page);
        // Drop the blank versos left before the next opening.
        while end > *page && texts.get(end - 1).is_some_and(|t| t.trim().is_empty()) {
            end -= 1;
        }
        out.push((id.clone(), *page..=end));
    }
    out
}
