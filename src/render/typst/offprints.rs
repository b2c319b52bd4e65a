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

use typst::foundations::{Label, NativeElement, Selector, StyleChain, Value};
use typst::introspection::{Introspector, MetadataElem};
use typst::model::HeadingElem;
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

/// A bookmark of an offprint: a heading on its pages.
#[derive(Debug, Clone, PartialEq)]
pub struct Bookmark {
    /// Its depth, 1 for the chapter's title.
    pub level: usize,
    /// Its text, numbers first, as the book's bookmarks read.
    pub title: String,
    /// Its page in the book (1-based).
    pub page: usize,
    /// Its distance from the top of the page, in points.
    pub top: f64,
}

/// The headings on `pages` that the book's bookmarks list. Typst writes no
/// bookmarks for a page range (typst-pdf 0.15 keeps only the headings
/// outside it, whose pages are not written), so the offprints add their own.
pub fn bookmarks(document: &PagedDocument, pages: RangeInclusive<usize>) -> Vec<Bookmark> {
    let introspector = document.introspector();
    introspector
        .query(&HeadingElem::ELEM.select())
        .iter()
        .filter_map(|content| {
            let heading = content.to_packed::<HeadingElem>()?;
            let styles = StyleChain::default();
            let bookmarked = heading
                .bookmarked
                .get(styles)
                .unwrap_or_else(|| heading.outlined.get(styles));
            if !bookmarked {
                return None;
            }
            let position = introspector.position(content.location()?)?;
            let page = position.page.get();
            if !pages.contains(&page) {
                return None;
            }
            let text = heading.body.plain_text();
            let title = match heading.numbers.as_ref() {
                Some(n) if !n.is_empty() => format!("{n} {text}"),
                _ => text.to_string(),
            };
            Some(Bookmark {
                level: heading.resolve_level(styles).get(),
                title: title.trim().to_string(),
                page,
                top: position.point.y.to_pt(),
            })
        })
        .collect()
}

/// Adds `bookmarks` as the document outline of `pdf`, the offprint whose
/// first page is the book's page `first`.
pub fn add_outline(pdf: Vec<u8>, bookmarks: &[Bookmark], first: usize) -> Result<Vec<u8>, String> {
    use lopdf::{Dictionary, Object, ObjectId, StringFormat};
    if bookmarks.is_empty() {
        return Ok(pdf);
    }
    let mut doc = lopdf::Document::load_mem(&pdf).map_err(|e| e.to_string())?;
    let pages = doc.get_pages();
    let root_id = doc.new_object_id();
    let ids: Vec<ObjectId> = bookmarks.iter().map(|_| doc.new_object_id()).collect();
    // Each bookmark's parent: the nearest earlier one of a lower level.
    let mut parent: Vec<Option<usize>> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    for (i, b) in bookmarks.iter().enumerate() {
        while stack.last().is_some_and(|&j| bookmarks[j].level >= b.level) {
            stack.pop();
        }
        parent.push(stack.last().copied());
        stack.push(i);
    }
    let children = |p: Option<usize>| -> Vec<usize> {
        (0..bookmarks.len()).filter(|&i| parent[i] == p).collect()
    };
    let text = |s: &str| {
        let mut bytes = vec![0xFE, 0xFF];
        for unit in s.encode_utf16() {
            bytes.extend_from_slice(&unit.to_be_bytes());
        }
        Object::String(bytes, StringFormat::Hexadecimal)
    };
    let descendants = |i: usize| -> i64 {
        let mut n = 0;
        let mut todo = vec![i];
        while let Some(k) = todo.pop() {
            for c in (0..bookmarks.len()).filter(|&c| parent[c] == Some(k)) {
                n += 1;
                todo.push(c);
            }
        }
        n
    };
    for (i, b) in bookmarks.iter().enumerate() {
        let Some(&page_id) = pages.get(&((b.page + 1 - first) as u32)) else {
            return Err(format!("page {} is not in the offprint", b.page));
        };
        let height = doc
            .get_dictionary(page_id)
            .ok()
            .and_then(|p| p.get(b"MediaBox").ok())
            .and_then(|m| m.as_array().ok())
            .and_then(|m| m.get(3))
            .and_then(|h| h.as_float().ok())
            .unwrap_or(595.0) as f64;
        let mut dict = Dictionary::new();
        dict.set("Title", text(&b.title));
        dict.set(
            "Parent",
            Object::Reference(parent[i].map_or(root_id, |p| ids[p])),
        );
        let siblings = children(parent[i]);
        let at = siblings.iter().position(|&s| s == i).unwrap_or(0);
        if at > 0 {
            dict.set("Prev", Object::Reference(ids[siblings[at - 1]]));
        }
        if let Some(&next) = siblings.get(at + 1) {
            dict.set("Next", Object::Reference(ids[next]));
        }
        let kids = children(Some(i));
        if let (Some(&f), Some(&l)) = (kids.first(), kids.last()) {
            dict.set("First", Object::Reference(ids[f]));
            dict.set("Last", Object::Reference(ids[l]));
            dict.set("Count", Object::Integer(descendants(i)));
        }
        let y = (height - (b.top - 10.0).max(0.0)).max(0.0);
        dict.set(
            "Dest",
            Object::Array(vec![
                Object::Reference(page_id),
                Object::Name(b"XYZ".to_vec()),
                Object::Real(0.0),
                Object::Real(y as f32),
                Object::Null,
            ]),
        );
        doc.objects.insert(ids[i], Object::Dictionary(dict));
    }
    let top = children(None);
    let mut root = Dictionary::new();
    root.set("Type", Object::Name(b"Outlines".to_vec()));
    if let (Some(&f), Some(&l)) = (top.first(), top.last()) {
        root.set("First", Object::Reference(ids[f]));
        root.set("Last", Object::Reference(ids[l]));
    }
    root.set("Count", Object::Integer(bookmarks.len() as i64));
    doc.objects.insert(root_id, Object::Dictionary(root));
    let catalog = doc.catalog_mut().map_err(|e| e.to_string())?;
    catalog.set("Outlines", Object::Reference(root_id));
    catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
    let mut out = Vec::new();
    doc.save_to(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
}
