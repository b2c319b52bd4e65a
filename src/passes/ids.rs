//! Heading ids and labels.
//!
//! Explicit ids (`{#id}`) are kept and must be unique in their chapter;
//! other headings get the id GitHub, Forgejo, GitLab and mdBook give them
//! (comrak's anchorizer: lowercase, letters of every script and accents
//! kept, punctuation dropped, each space a dash), made unique with `-1`,
//! `-2`, so that a link copied from a forge's rendering of the chapter
//! works here.
//! Figure and table labels must be unique in the whole book, since a
//! cross-reference may point into another chapter.

use std::collections::{HashMap, HashSet};

use crate::diag::{Diagnostic, Sink, Span};
use crate::model::{Block, BlockKind, Chapter, plain_text, walk_blocks_mut};

/// A heading's id as GitHub makes it from the heading's text (before
/// duplicates are numbered); `section` when nothing is left of it.
pub fn github_id(text: &str) -> String {
    let id = comrak::Anchorizer::new().anchorize(text);
    if id.chars().any(|c| c != '-') {
        id
    } else {
        "section".to_string()
    }
}

/// Gives a chapter's headings their ids, checks the ids written in its
/// text, and returns the figure and table labels written there, in reading
/// order, with where (their uniqueness in the book is [`check_labels`]'s).
pub fn chapter_ids(chapter: &mut Chapter, sink: &mut Sink) -> Vec<(String, Span)> {
    let mut labels = Vec::new();
    let mut explicit: HashMap<String, Span> = HashMap::new();
    walk_blocks_mut(&mut chapter.blocks, &mut |b: &mut Block| {
        if let BlockKind::Heading(h) = &b.kind
            && h.explicit_id
        {
            if explicit.contains_key(&h.id) {
                sink.push(
                    Diagnostic::error(
                        b.span.clone(),
                        format!("the id `{}` is given to two headings", h.id),
                    )
                    .hint("each {#id} must be unique in its chapter"),
                );
            } else {
                explicit.insert(h.id.clone(), b.span.clone());
            }
        }
    });
    let mut used: HashSet<String> = explicit.keys().cloned().collect();
    walk_blocks_mut(
        &mut chapter.blocks,
        &mut |b: &mut Block| match &mut b.kind {
            BlockKind::Heading(h) if !h.explicit_id => {
                let base = github_id(&plain_text(&h.content));
                let mut id = base.clone();
                let mut n = 1;
                while used.contains(&id) {
                    id = format!("{base}-{n}");
                    n += 1;
                }
                used.insert(id.clone());
                h.id = id;
            }
            BlockKind::Figure(f) => {
                if let Some(label) = &f.label {
                    labels.push((label.clone(), b.span.clone()));
                }
            }
            BlockKind::Table(t) => {
                if let Some(label) = &t.label {
                    labels.push((label.clone(), b.span.clone()));
                }
            }
            _ => {}
        },
    );
    for (id, span) in &explicit {
        if id.starts_with("fig:") || id.starts_with("tbl:") {
            sink.push(Diagnostic::warning(
                span.clone(),
                format!("the heading id `{id}` has a figure or table prefix"),
            ));
        }
    }
    labels
}

/// Checks that each figure and table label is written once in the book:
/// `chapters` gives each chapter's id and its labels ([`chapter_ids`]), in
/// reading order; a label written again is an error where it is.
pub fn check_labels<'a>(
    chapters: impl IntoIterator<Item = (&'a str, &'a [(String, Span)])>,
    sink: &mut Sink,
) {
    let mut first: HashMap<&str, &str> = HashMap::new();
    for (chapter, labels) in chapters {
        for (label, span) in labels {
            if let Some(other) = first.get(label.as_str()) {
                sink.push(
                    Diagnostic::error(
                        span.clone(),
                        format!("the label `{label}` is already used in chapter `{other}`"),
                    )
                    .hint("labels of figures and tables must be unique in the whole book"),
                );
            } else {
                first.insert(label, chapter);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::github_id;

    /// The ids GitHub gives these headings (as its rendering of a README
    /// shows them), French and Italian accents included.
    #[test]
    fn ids_are_githubs() {
        for (heading, id) in [
            (
                "Concatenating with + or format!",
                "concatenating-with--or-format",
            ),
            ("Shared Access to Mutex<T>", "shared-access-to-mutext"),
            (
                "Les communs de services de proximité",
                "les-communs-de-services-de-proximité",
            ),
            ("L'expérience : « Fablabs » !", "lexpérience---fablabs--"),
            (
                "Perché la scuola è un bene comune",
                "perché-la-scuola-è-un-bene-comune",
            ),
            ("snake_case and 2.0", "snake_case-and-20"),
            ("Ça, c'est ÉTÉ", "ça-cest-été"),
            ("???", "section"),
        ] {
            assert_eq!(github_id(heading), id, "{heading}");
        }
    }
}
