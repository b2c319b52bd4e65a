//! The back-of-book index, built once for every output.
//!
//! Input: the finished [`Book`] (the index pass has anchored every term
//! and checked keys and cross-references). Output: one [`IndexView`] for
//! the index of subjects and, with `[index] names = true`, one for the
//! index of names (terms marked `.name`): entries and sub-entries sorted
//! by the collation of the book's language (ICU4X's collator, with the
//! data compiled in: `é` files with `e`, `œ` with `oe`, case after
//! letters), each with the places it is marked (chapter, anchor, address)
//! and its cross-references. The PDF prints the pages of the places, the
//! site and the EPUB link to them.

use std::cmp::Ordering;

use icu_collator::options::CollatorOptions;
use icu_collator::{CollatorBorrowed, CollatorPreferences};
use serde::Serialize;

use crate::model::{Book, IndexMark, Inline, plain_text, split_levels};

/// One index: its heading and entries, sorted.
#[derive(Debug, Clone, Serialize)]
pub struct IndexView {
    /// `subjects` or `names`.
    pub kind: &'static str,
    /// Its heading, in the book's language ("Index", "Index des noms").
    pub title: String,
    /// Its entries.
    pub entries: Vec<IndexEntry>,
}

/// An entry of an index, or a sub-entry under one.
#[derive(Debug, Clone, Serialize)]
pub struct IndexEntry {
    /// The term as printed (this level of the key).
    pub term: String,
    /// Its anchor on the index page, for cross-references (`entry-3`).
    pub anchor: String,
    /// Where it is marked, chapter by chapter, in reading order.
    pub places: Vec<IndexPlace>,
    /// `see`: the entries it sends to, instead of pages.
    pub see: Vec<IndexRef>,
    /// `seealso`: the entries it sends to as well.
    pub see_also: Vec<IndexRef>,
    /// Its sub-entries (`key="communs, gestion des"`), sorted.
    pub subentries: Vec<IndexEntry>,
}

/// The marks of an entry in one chapter.
#[derive(Debug, Clone, Serialize)]
pub struct IndexPlace {
    /// The chapter's id.
    pub chapter: String,
    /// How the index names the chapter: its title.
    pub title: String,
    /// Each mark, in reading order.
    pub marks: Vec<IndexMarkView>,
}

/// One marked occurrence of a term.
#[derive(Debug, Clone, Serialize)]
pub struct IndexMarkView {
    /// Its anchor in the chapter (`index-2`).
    pub anchor: String,
    /// Its address in the output (`chapter.html#index-2`).
    pub url: String,
}

/// A cross-reference to another entry.
#[derive(Debug, Clone, Serialize)]
pub struct IndexRef {
    /// The entry's key as written, levels joined by commas.
    pub text: String,
    /// The entry's anchor on the index page.
    pub anchor: String,
}

/// An entry while the index is gathered: the marks are unsorted.
#[derive(Default)]
struct Node {
    term: String,
    places: Vec<IndexPlace>,
    see: Vec<String>,
    see_also: Vec<String>,
    children: Vec<Node>,
}

impl Node {
    fn child(&mut self, term: &str) -> &mut Node {
        let at = match self.children.iter().position(|c| c.term == term) {
            Some(at) => at,
            None => {
                self.children.push(Node {
                    term: term.to_string(),
                    ..Node::default()
                });
                self.children.len() - 1
            }
        };
        &mut self.children[at]
    }
}

/// The book's indexes, each mark addressed by `url` (its chapter's id →
/// the output's address of its page): none when no term is marked.
pub fn indexes(book: &Book, url: &dyn Fn(&str) -> String) -> Vec<IndexView> {
    let names_apart = book.config.index.names;
    let mut subjects = Node::default();
    let mut names = Node::default();
    for chapter in &book.chapters {
        // (Cloned: the walker lends each inline for the call only.)
        let mut marks: Vec<IndexMark> = Vec::new();
        chapter.walk_text_inlines(&mut |i: &Inline| {
            if let Inline::IndexTerm(m) = i {
                marks.push((**m).clone());
            }
        });
        for mark in marks {
            let levels = mark.levels();
            if mark.id.is_empty() || levels.iter().any(String::is_empty) {
                continue; // reported by the index pass
            }
            let root = if mark.name && names_apart {
                &mut names
            } else {
                &mut subjects
            };
            let mut node = root;
            for level in &levels {
                node = node.child(level);
            }
            if let Some(see) = &mark.see {
                if !node.see.contains(see) {
                    node.see.push(see.clone());
                }
                continue;
            }
            if let Some(also) = &mark.see_also
                && !node.see_also.contains(also)
            {
                node.see_also.push(also.clone());
            }
            let view = IndexMarkView {
                anchor: mark.id.clone(),
                url: format!("{}#{}", url(&chapter.id), mark.id),
            };
            match node.places.last_mut() {
                Some(place) if place.chapter == chapter.id => place.marks.push(view),
                _ => node.places.push(IndexPlace {
                    chapter: chapter.id.clone(),
                    title: plain_text(chapter.title_inlines()),
                    marks: vec![view],
                }),
            }
        }
    }
    let collator = collator(book.lang.tag());
    let compare = |a: &str, b: &str| match &collator {
        Some(c) => c.compare(a, b).then_with(|| a.cmp(b)),
        None => a.cmp(b),
    };
    let labels = book.lang.labels();
    let mut counter = 0;
    let mut out = Vec::new();
    let mut anchors: Vec<(Vec<String>, String)> = Vec::new();
    for (kind, title, root) in [
        ("subjects", labels.index, subjects),
        ("names", labels.index_of_names, names),
    ] {
        if root.children.is_empty() {
            continue;
        }
        let entries = finish(root.children, &compare, &mut counter, &[], &mut anchors);
        out.push(IndexView {
            kind,
            title: title.to_string(),
            entries,
        });
    }
    for index in &mut out {
        resolve_refs(&mut index.entries, &anchors);
    }
    out
}

/// The collator of the book's language; `None` for a tag ICU cannot read
/// (sorting then falls back to code points, never fails).
fn collator(tag: &str) -> Option<CollatorBorrowed<'static>> {
    let locale: icu_locale_core::Locale = tag.parse().ok()?;
    CollatorBorrowed::try_new(
        CollatorPreferences::from(&locale),
        CollatorOptions::default(),
    )
    .ok()
}

/// Sorted entries with their anchors; cross-references still hold keys
/// (in `text`), resolved once every anchor is known.
fn finish(
    mut nodes: Vec<Node>,
    compare: &dyn Fn(&str, &str) -> Ordering,
    counter: &mut usize,
    path: &[String],
    anchors: &mut Vec<(Vec<String>, String)>,
) -> Vec<IndexEntry> {
    nodes.sort_by(|a, b| compare(&a.term, &b.term));
    nodes
        .into_iter()
        .map(|node| {
            *counter += 1;
            let anchor = format!("entry-{counter}");
            let mut here = path.to_vec();
            here.push(node.term.clone());
            anchors.push((here.clone(), anchor.clone()));
            let refs = |keys: Vec<String>| {
                keys.into_iter()
                    .map(|text| IndexRef {
                        text,
                        anchor: String::new(),
                    })
                    .collect()
            };
            IndexEntry {
                term: node.term,
                anchor,
                places: node.places,
                see: refs(node.see),
                see_also: refs(node.see_also),
                subentries: finish(node.children, compare, counter, &here, anchors),
            }
        })
        .collect()
}

fn resolve_refs(entries: &mut [IndexEntry], anchors: &[(Vec<String>, String)]) {
    for entry in entries {
        for r in entry.see.iter_mut().chain(entry.see_also.iter_mut()) {
            let key = split_levels(&r.text);
            if let Some((_, anchor)) = anchors.iter().find(|(path, _)| *path == key) {
                r.anchor = anchor.clone();
            }
            r.text = key.join(", ");
        }
        resolve_refs(&mut entry.subentries, anchors);
    }
}

#[cfg(test)]
mod tests {
    use super::collator;

    #[test]
    fn french_collation_files_accents_and_ligatures_with_their_letters() {
        let c = collator("fr").unwrap();
        let mut words = vec![
            "zèbre",
            "œuvre",
            "été",
            "Eté",
            "etre",
            "ouvrage",
            "coopérative",
            "cooperer",
        ];
        words.sort_by(|a, b| c.compare(a, b));
        assert_eq!(
            words,
            [
                "coopérative",
                "cooperer",
                "Eté",
                "été",
                "etre",
                "œuvre",
                "ouvrage",
                "zèbre"
            ]
        );
    }
}
