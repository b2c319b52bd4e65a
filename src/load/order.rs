//! Reading order and parts: `book.chapters` when given, else path order;
//! `[[part]]` tables group consecutive chapters.

use std::collections::HashMap;

use super::LoadedChapter;
use crate::config::BookConfig;
use crate::diag::{Diagnostic, Sink};

/// Reading order of the chapters and their grouping into parts.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    /// Indices into the loaded chapters, in reading order.
    pub sequence: Vec<usize>,
    /// Groups of consecutive positions in `sequence`, each with its part title
    /// (`None` for chapters outside any part).
    pub groups: Vec<(Option<String>, Vec<usize>)>,
}

/// Works out the reading order. Duplicate ids, unknown ids and parts whose
/// chapters are not consecutive are diagnostics.
pub fn order_chapters(chapters: &[LoadedChapter], config: &BookConfig, sink: &mut Sink) -> Order {
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    for (i, ch) in chapters.iter().enumerate() {
        if let Some(&first) = by_id.get(ch.id.as_str()) {
            sink.push(
                Diagnostic::error(
                    ch.id_span.clone(),
                    format!(
                        "chapter id `{}` is already used by {}",
                        ch.id,
                        chapters[first].path.display()
                    ),
                )
                .hint("give one of the chapters another id with `id:` in its front matter"),
            );
        } else {
            by_id.insert(&ch.id, i);
        }
    }
    let known: Vec<&str> = by_id.keys().copied().collect();
    let unknown = |id: &crate::diag::Spanned<String>, sink: &mut Sink, what: &str| {
        sink.push(
            Diagnostic::error(id.span.clone(), format!("no chapter has the id `{}` ({what})", id.value))
                .suggest(&id.value, known.iter().copied())
                .hint("a chapter's id is its file name without the number prefix, or its front matter `id`"),
        );
    };

    // Which part each chapter belongs to.
    let mut part_of: HashMap<usize, usize> = HashMap::new();
    let mut part_members: Vec<Vec<usize>> = Vec::new();
    for (p, part) in config.parts.iter().enumerate() {
        let mut members = Vec::new();
        for id in &part.chapters {
            match by_id.get(id.value.as_str()) {
                None => unknown(id, sink, "in a [[part]]"),
                Some(&i) => match part_of.entry(i) {
                    std::collections::hash_map::Entry::Occupied(_) => sink.push(Diagnostic::error(
                        id.span.clone(),
                        format!("chapter `{}` is already in another part", id.value),
                    )),
                    std::collections::hash_map::Entry::Vacant(slot) => {
                        slot.insert(p);
                        members.push(i);
                    }
                },
            }
        }
        part_members.push(members);
    }

    let mut sequence: Vec<usize> = Vec::new();
    let mut placed = vec![false; chapters.len()];
    match &config.book.chapters {
        Some(list) => {
            for id in list {
                match by_id.get(id.value.as_str()) {
                    None => unknown(id, sink, "in book.chapters"),
                    Some(&i) if placed[i] => sink.push(Diagnostic::error(
                        id.span.clone(),
                        format!("chapter `{}` is listed twice in book.chapters", id.value),
                    )),
                    Some(&i) => {
                        placed[i] = true;
                        sequence.push(i);
                    }
                }
            }
            for (i, ch) in chapters.iter().enumerate() {
                if !placed[i] && by_id.get(ch.id.as_str()) == Some(&i) {
                    sink.push(
                        Diagnostic::warning(
                            ch.id_span.clone(),
                            format!("chapter `{}` is not listed in book.chapters: it is placed at the end", ch.id),
                        )
                        .hint(format!("add \"{}\" to `chapters` in book.toml", ch.id)),
                    );
                    placed[i] = true;
                    sequence.push(i);
                }
            }
            // Parts must be runs of consecutive chapters.
            for (p, part) in config.parts.iter().enumerate() {
                let mut positions: Vec<usize> = part_members[p]
                    .iter()
                    .filter_map(|i| sequence.iter().position(|s| s == i))
                    .collect();
                positions.sort();
                if positions.windows(2).any(|w| w[1] != w[0] + 1)
                    && let Some(first) = part.chapters.first()
                {
                    sink.push(
                        Diagnostic::error(
                            first.span.clone(),
                            format!(
                                "the chapters of part « {} » are not consecutive in book.chapters",
                                part.title
                            ),
                        )
                        .hint("list a part's chapters one after the other in book.chapters"),
                    );
                }
            }
        }
        None => {
            for (i, ch) in chapters.iter().enumerate() {
                if placed[i] || by_id.get(ch.id.as_str()) != Some(&i) {
                    continue;
                }
                match part_of.get(&i) {
                    Some(&p) => {
                        for &m in &part_members[p] {
                            placed[m] = true;
                            sequence.push(m);
                        }
                    }
                    None => {
                        placed[i] = true;
                        sequence.push(i);
                    }
                }
            }
        }
    }

    let mut groups: Vec<(Option<String>, Vec<usize>)> = Vec::new();
    let mut current: Option<Option<usize>> = None;
    for (pos, i) in sequence.iter().enumerate() {
        let part = part_of.get(i).copied();
        if current != Some(part) {
            groups.push((part.map(|p| config.parts[p].title.clone()), Vec::new()));
            current = Some(part);
        }
        if let Some(group) = groups.last_mut() {
            group.1.push(pos);
        }
    }
    Order { sequence, groups }
}
