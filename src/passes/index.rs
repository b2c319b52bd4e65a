//! The index pass: each term marked for the back-of-book index gets its
//! anchor, and its key and cross-references are checked.
//!
//! Stage: after `ids` (the anchors must not take a heading's id). Input:
//! the chapters' [`IndexMark`]s; output: each mark's [`IndexMark::id`]
//! (`index-1`, `index-2`… in reading order in its chapter), and an error at
//! the line of a mark whose key (or a level of it) is empty, or whose
//! `see`/`seealso` names no entry of the book's indexes. The index itself
//! is built once, by the view (`view::index`). A mark in a chapter's title
//! is left unanchored, and out of the index: a title is repeated in the
//! contents and the running heads, so its page would be theirs.

use std::collections::HashSet;

use crate::diag::{Diagnostic, Sink, Span};
use crate::model::{Block, BlockKind, Chapter, IndexMark, Inline, split_levels, walk_blocks};

/// The index entries a chapter's marks make, and their `see`/`seealso`
/// references, which [`check_see`] checks against the whole book's.
#[derive(Debug, Clone, Default)]
pub struct Marks {
    /// Every entry, and every level above one (a `see` may name a heading
    /// whose pages are all in sub-entries).
    entries: Vec<Vec<String>>,
    /// Where each reference is, its attribute and the entry it names.
    refs: Vec<(Span, &'static str, String)>,
}

/// Anchors each index term of a chapter (after its headings have their
/// ids) and checks its key; `text` is the chapter file's.
pub fn anchor_marks(chapter: &mut Chapter, text: &str, sink: &mut Sink) -> Marks {
    let mut marks = Marks::default();
    if !may_mark_terms(text) {
        return marks;
    }
    let mut taken: HashSet<String> = HashSet::new();
    walk_blocks(&chapter.blocks, &mut |b: &Block| {
        if let BlockKind::Heading(h) = &b.kind {
            taken.insert(h.id.clone());
        }
    });
    let mut n = 0;
    chapter.walk_inlines_mut(&mut |inline: &mut Inline| {
        let Inline::IndexTerm(mark) = inline else {
            return;
        };
        n += 1;
        let mut id = format!("index-{n}");
        while taken.contains(&id) {
            n += 1;
            id = format!("index-{n}");
        }
        mark.id = id;
        if mark.levels().iter().any(String::is_empty) {
            sink.push(empty_key(mark));
        }
    });
    // The entries and references of the marks the index shows: those of
    // the chapter's text (`view::index` reads the same lists), not of its
    // title or translations.
    chapter.walk_text_inlines(&mut |inline: &Inline| {
        let Inline::IndexTerm(mark) = inline else {
            return;
        };
        let levels = mark.levels();
        if levels.iter().any(String::is_empty) {
            return;
        }
        for depth in 1..=levels.len() {
            marks.entries.push(levels[..depth].to_vec());
        }
        for (attr, target) in [("see", &mark.see), ("seealso", &mark.see_also)] {
            if let Some(target) = target {
                marks.refs.push((mark.span.clone(), attr, target.clone()));
            }
        }
    });
    marks
}

/// Checks that each `see` and `seealso` names an entry of the book's index
/// (`chapters` gives each chapter's [`Marks`], in reading order).
pub fn check_see<'a>(chapters: impl IntoIterator<Item = &'a Marks> + Clone, sink: &mut Sink) {
    let entries: HashSet<&[String]> = chapters
        .clone()
        .into_iter()
        .flat_map(|m| m.entries.iter().map(Vec::as_slice))
        .collect();
    for (span, attr, target) in chapters.into_iter().flat_map(|m| &m.refs) {
        if entries.contains(split_levels(target).as_slice()) {
            continue;
        }
        sink.push(
            Diagnostic::error(
                span.clone(),
                format!("`{attr}=\"{target}\"` points to no entry of the index"),
            )
            .hint(format!(
                "mark a term with this key somewhere in the book (`[…]{{.index key=\"{target}\"}}`), or correct `{attr}` to name an existing entry, its levels separated by commas"
            )),
        );
    }
}

/// Whether a chapter file's text may hold an index mark: `{.index}` is
/// written out, or spelt with a character reference (`&#101;`, which the
/// Markdown reader decodes). Most books mark no term, and walking every
/// chapter for none was a tenth of `watch`'s passes at each save.
fn may_mark_terms(text: &str) -> bool {
    text.contains("index") || text.contains('&')
}

fn empty_key(mark: &IndexMark) -> Diagnostic {
    let what = match &mark.key {
        Some(key) if !key.trim().is_empty() => {
            format!("the index key `{key}` has an empty level")
        }
        Some(_) => "this index term's `key` is empty".to_string(),
        None => "this index term has no text, so no key".to_string(),
    };
    Diagnostic::error(mark.span.clone(), what).hint(
        "write the term inside the brackets or give `key=\"…\"`, its levels separated by single commas (`key=\"communs, gestion des\"`)",
    )
}

#[cfg(test)]
mod tests {
    use crate::model::{Book, Inline};

    fn marks(book: &Book) -> Vec<(String, String)> {
        let mut found = Vec::new();
        for chapter in &book.chapters {
            chapter.walk_text_inlines(&mut |inline: &Inline| {
                if let Inline::IndexTerm(mark) = inline {
                    found.push((chapter.id.clone(), mark.id.clone()));
                }
            });
        }
        found
    }

    /// A chapter whose text cannot hold a mark is not walked, yet a mark
    /// spelt with a character reference is anchored as any other.
    #[test]
    fn marks_are_anchored_however_they_are_spelt() {
        let (_dir, root) = crate::testbook::book(
            "Index",
            &[
                ("a.md", b"# A\n\nUn [terme]{.index} ici.\n"),
                ("b.md", b"# B\n\nUn [autre]{.ind&#101;x} l\xc3\xa0.\n"),
                ("c.md", b"# C\n\nAucun.\n"),
            ],
        );
        let book = crate::pipeline::load_model(&root, &mut crate::diag::Sink::default());
        assert_eq!(
            marks(&book),
            [
                ("a".to_string(), "index-1".to_string()),
                ("b".to_string(), "index-1".to_string())
            ]
        );
    }
}
