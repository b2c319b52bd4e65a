//! Numbers: numbered chapters count from 1; sections, figures and captioned
//! tables are numbered within their chapter (`2.1`, `2.1.3`).
//!
//! A section's number has one part per heading it sits under, so a heading
//! that skips a level (`##` then `####`) is numbered as the next level
//! (`2.1` then `2.1.1`), never with a `0` for the level that is not there;
//! and it is a warning at the heading, since the outline a reader or a
//! screen reader sees then differs from the one the sizes suggest.

use crate::diag::{Diagnostic, Sink};
use crate::model::{Block, BlockKind, Chapter, walk_blocks_mut};

/// Numbers the chapters that are numbered, from 1 in reading order.
pub fn number_chapters(chapters: &mut [Chapter]) {
    let mut chapter_number = 0;
    for chapter in chapters {
        chapter.number = if chapter.config.numbered {
            chapter_number += 1;
            Some(chapter_number)
        } else {
            None
        };
    }
}

/// Numbers a chapter's sections, figures and tables (after
/// [`number_chapters`]: their numbers begin with the chapter's), and warns
/// about headings that skip a level.
pub fn number_within(chapter: &mut Chapter, sink: &mut Sink) {
    let prefix = chapter.number.map(|n| format!("{n}.")).unwrap_or_default();
    let mut outline = Outline::default();
    let (mut figures, mut tables) = (0, 0);
    let numbered = chapter.number.is_some();
    walk_blocks_mut(
        &mut chapter.blocks,
        &mut |b: &mut Block| match &mut b.kind {
            BlockKind::Heading(h) => {
                let (parts, skipped_from) = outline.enter(h.depth.max(1));
                if let Some(above) = skipped_from {
                    let marks = |depth: u8| "#".repeat(depth as usize + 1);
                    sink.push(
                        Diagnostic::warning(
                            b.span.clone(),
                            format!(
                                "this heading skips a level: `{}` after `{}`",
                                marks(h.depth),
                                marks(above)
                            ),
                        )
                        .hint(format!(
                            "write `{}` here (the chapter's title is `#`, its sections `##`): it is numbered as that level",
                            marks(above + 1)
                        )),
                    );
                }
                h.number = numbered.then(|| {
                    let parts: Vec<String> = parts.iter().map(|n| n.to_string()).collect();
                    format!("{prefix}{}", parts.join("."))
                });
            }
            // A figure or captioned table without a label gets one made
            // from its number, so that every output can link to it
            // (the lists of figures and tables do).
            BlockKind::Figure(f) => {
                figures += 1;
                let number = format!("{prefix}{figures}");
                f.label
                    .get_or_insert_with(|| format!("figure-{}", number.replace('.', "-")));
                f.number = Some(number);
            }
            BlockKind::Table(t) if !t.caption.is_empty() => {
                tables += 1;
                let number = format!("{prefix}{tables}");
                t.label
                    .get_or_insert_with(|| format!("table-{}", number.replace('.', "-")));
                t.number = Some(number);
            }
            _ => {}
        },
    );
}

/// The headings a chapter's text is under at some point: for each, its depth
/// as written and its count among its siblings.
#[derive(Default)]
struct Outline {
    open: Vec<(u8, u32)>,
}

impl Outline {
    /// A heading of `depth` (1 for `##`): its number's parts, and the depth
    /// of the heading before it (0 for the chapter's title) when it goes
    /// more than one level below that one.
    fn enter(&mut self, depth: u8) -> (Vec<u32>, Option<u8>) {
        let previous = self.open.last().map_or(0, |(d, _)| *d);
        // It sits under the open headings of a smaller depth; one of the
        // same or a greater depth at its level was its previous sibling,
        // whatever depth that one was written at.
        let level = self.open.iter().take_while(|(d, _)| *d < depth).count();
        let count = self.open.get(level).map_or(1, |(_, n)| n + 1);
        self.open.truncate(level);
        self.open.push((depth, count));
        let skipped = (depth > previous + 1).then_some(previous);
        (self.open.iter().map(|(_, n)| *n).collect(), skipped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The numbers and skips of headings of these depths, in order.
    fn numbers(depths: &[u8]) -> Vec<(String, Option<u8>)> {
        let mut outline = Outline::default();
        depths
            .iter()
            .map(|&d| {
                let (parts, skipped) = outline.enter(d);
                let parts: Vec<String> = parts.iter().map(|n| n.to_string()).collect();
                (parts.join("."), skipped)
            })
            .collect()
    }

    #[test]
    fn levels_in_order_are_numbered_as_before() {
        let got = numbers(&[1, 2, 2, 3, 1, 2]);
        let want = ["1", "1.1", "1.2", "1.2.1", "2", "2.1"];
        assert_eq!(
            got.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
            want
        );
        assert!(got.iter().all(|(_, s)| s.is_none()), "{got:?}");
    }

    #[test]
    fn a_skipped_level_never_prints_a_zero() {
        // `##`, `####`, `###`, `##`, `####`: the `####` is numbered as the
        // level below `##`, and the `###` after it is its next sibling.
        let got = numbers(&[1, 3, 2, 1, 3]);
        let want = ["1", "1.1", "1.2", "2", "2.1"];
        assert_eq!(
            got.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
            want
        );
        assert_eq!(
            got.iter().map(|(_, s)| *s).collect::<Vec<_>>(),
            [None, Some(1), None, None, Some(1)]
        );
        // A chapter whose first heading is `####`: one level below the
        // title, and a skip from it.
        let got = numbers(&[3, 3, 1]);
        let want = ["1", "2", "3"];
        assert_eq!(
            got.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
            want
        );
        // Warned once, where the level is skipped.
        assert_eq!(
            got.iter().map(|(_, s)| *s).collect::<Vec<_>>(),
            [Some(0), None, None]
        );
        assert!(got.iter().all(|(n, _)| !n.split('.').any(|p| p == "0")));
    }
}
