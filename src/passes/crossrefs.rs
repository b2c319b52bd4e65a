//! Cross-references (`@fig:carte`, `@tbl:budget`, `@sec:methode`): each
//! points to a numbered figure, captioned table or heading of the book, in
//! its own chapter first, else in another. Each gets its printed text here
//! (the word of the chapter's language and the number the numbering pass
//! gave, or an unnumbered section's title), so that every output prints
//! the same.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::diag::{Diagnostic, Sink};
use crate::lang::Lang;
use crate::model::{BlockKind, Book, CrossRef, Inline, RefKind, plain_text, walk_blocks_mut};

/// Something a cross-reference can point to.
#[derive(Debug, Clone)]
struct Target {
    chapter: String,
    anchor: String,
    number: Option<String>,
    title: String,
}

/// Resolves every cross-reference, or reports it at its line.
pub fn resolve(book: &mut Book, sink: &mut Sink) {
    // Label (with its kind prefix) → targets, in book order; each
    // chapter's found on every core.
    let found: Vec<Vec<(String, Target)>> = book
        .chapters
        .par_iter_mut()
        .map(|chapter| {
            let mut found = Vec::new();
            let id = chapter.id.clone();
            walk_blocks_mut(&mut chapter.blocks, &mut |b| {
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
                        chapter: id.clone(),
                        anchor,
                        number,
                        title,
                    },
                ));
            });
            found
        })
        .collect();
    let mut targets: HashMap<String, Vec<Target>> = HashMap::new();
    for (label, target) in found.into_iter().flatten() {
        targets.entry(label).or_default().push(target);
    }
    let own: Vec<Sink> = book
        .chapters
        .par_iter_mut()
        .map(|chapter| {
            let mut sink = Sink::default();
            let id = chapter.id.clone();
            let lang = chapter.lang.clone();
            chapter.walk_inlines_mut(&mut |inline| {
                let Inline::Ref(r) = inline else {
                    return;
                };
                let found = targets.get(&r.label).and_then(|list| {
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
                    None if targets.get(&r.label).is_some_and(|l| l.len() > 1) => {
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
                                targets
                                    .keys()
                                    .filter(|k| k.starts_with(prefix))
                                    .map(String::as_str),
                            )
                            .hint(format!("a cross-reference points to a {what}")),
                        );
                    }
                }
            });
            sink
        })
        .collect();
    // The diagnostics in reading order.
    for own in own {
        sink.extend(own.into_diagnostics());
    }
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
