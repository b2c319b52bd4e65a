//! Cross-references (`@fig:carte`, `@tbl:budget`, `@sec:methode`): each
//! points to a numbered figure, captioned table or heading of the book, in
//! its own chapter first, else in another. Each gets its printed text here
//! (the word of the chapter's language and the number the numbering pass
//! gave, or an unnumbered section's title), so that every output prints
//! the same.

use std::collections::BTreeMap;

use crate::diag::{Diagnostic, Sink};
use crate::lang::Lang;
use crate::model::{BlockKind, Chapter, CrossRef, Inline, RefKind, plain_text, walk_blocks};

/// Something a cross-reference can point to.
#[derive(Debug, Clone, Hash, PartialEq)]
pub struct Target {
    chapter: String,
    anchor: String,
    number: Option<String>,
    title: String,
}

/// What a chapter offers cross-references, in reading order: each label
/// (with its kind prefix) and what it points to. After numbering.
pub fn chapter_targets(chapter: &Chapter) -> Vec<(String, Target)> {
    let mut found = Vec::new();
    walk_blocks(&chapter.blocks, &mut |b| {
        let (label, number, title, anchor) = match &b.kind {
            BlockKind::Heading(h) => {
                // `{#sec:x}` is `@sec:x`; `{#x}` is `@sec:x` too.
                let label = if h.id.starts_with("sec:") {
                    h.id.clone()
                } else {
                    format!("sec:{}", h.id)
                };
                (
                    label,
                    h.number.clone(),
                    plain_text(&h.content),
                    h.id.clone(),
                )
            }
            BlockKind::Figure(f) => match &f.label {
                Some(l) => (l.clone(), f.number.clone(), String::new(), l.clone()),
                None => return,
            },
            BlockKind::Table(t) => match &t.label {
                Some(l) if !t.caption.is_empty() => {
                    (l.clone(), t.number.clone(), String::new(), l.clone())
                }
                _ => return,
            },
            _ => return,
        };
        found.push((
            label,
            Target {
                chapter: chapter.id.clone(),
                anchor,
                number,
                title,
            },
        ));
    });
    found
}

/// Every label of the book, with the targets of each in reading order.
pub struct Labels<'a>(BTreeMap<&'a str, Vec<&'a Target>>);

impl<'a> Labels<'a> {
    /// The labels of chapters that offer `chapters` ([`chapter_targets`]),
    /// in reading order.
    pub fn new(chapters: impl IntoIterator<Item = &'a [(String, Target)]>) -> Labels<'a> {
        let mut labels: BTreeMap<&str, Vec<&Target>> = BTreeMap::new();
        for (label, target) in chapters.into_iter().flatten() {
            labels.entry(label).or_default().push(target);
        }
        Labels(labels)
    }
}

/// Resolves every cross-reference of a chapter, or reports it at its line.
pub fn resolve_chapter(chapter: &mut Chapter, labels: &Labels, sink: &mut Sink) {
    let targets = &labels.0;
    let id = chapter.id.clone();
    let lang = chapter.lang.clone();
    chapter.walk_inlines_mut(&mut |inline| {
        let Inline::Ref(r) = inline else {
            return;
        };
        let found = targets.get(r.label.as_str()).and_then(|list| {
            list.iter()
                .find(|t| t.chapter == id)
                .or_else(|| (list.len() == 1).then(|| &list[0]))
        });
        match found {
            Some(t) => {
                r.target = Some((t.chapter.clone(), t.anchor.clone()));
                r.number = t.number.clone();
                r.title = t.title.clone();
                r.text = printed_text(r, &lang);
            }
            None if targets.get(r.label.as_str()).is_some_and(|l| l.len() > 1) => {
                r.text = printed_text(r, &lang);
                sink.push(
                    Diagnostic::error(
                        r.span.clone(),
                        format!("`@{}` is a label of several other chapters", r.label),
                    )
                    .hint("give the label a name that is unique in the book"),
                )
            }
            None => {
                r.text = printed_text(r, &lang);
                let prefix = match r.kind {
                    RefKind::Figure => "fig:",
                    RefKind::Table => "tbl:",
                    RefKind::Section => "sec:",
                };
                let what = match r.kind {
                    RefKind::Figure => "figure labelled `{#LABEL}`",
                    RefKind::Table => "captioned table labelled `{#LABEL}`",
                    RefKind::Section => "heading with the id `{#ID}`",
                };
                sink.push(
                    Diagnostic::error(
                        r.span.clone(),
                        format!("no {} `{}` in the book", kind_name(r.kind), r.label),
                    )
                    .suggest(
                        &r.label,
                        targets.keys().copied().filter(|k| k.starts_with(prefix)),
                    )
                    .hint(format!("a cross-reference points to a {what}")),
                );
            }
        }
    });
}

fn kind_name(kind: RefKind) -> &'static str {
    match kind {
        RefKind::Figure => "figure",
        RefKind::Table => "table",
        RefKind::Section => "section",
    }
}

/// What a cross-reference prints: the word of the chapter's language and
/// the number (`figure\u{a0}2.3`), a section's title when it has no number,
/// or the label as written when it points nowhere.
fn printed_text(r: &CrossRef, lang: &Lang) -> String {
    let labels = lang.labels();
    let word = match r.kind {
        RefKind::Figure => labels.figure,
        RefKind::Table => labels.table,
        RefKind::Section => labels.section,
    };
    let mut word = word.to_lowercase();
    if r.capital
        && let Some(first) = word.chars().next()
    {
        word = first.to_uppercase().chain(word.chars().skip(1)).collect();
    }
    match (&r.number, r.target.is_some()) {
        (Some(n), _) => format!("{word}\u{a0}{n}"),
        (None, true) => format!("{word} {}", super::typography::quoted(&r.title, lang)),
        (None, false) => format!("@{}", r.label),
    }
}
