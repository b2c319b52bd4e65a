//! Finding a comment's quote in a chapter's text (README "Comments and
//! suggested edits"): when a comment is made, and again after every edit.
//!
//! Input: a chapter's source text and a quote or an [`Anchor`]. Output: the
//! byte range the quote covers now, and how it was found: the exact quote
//! (white space runs match any white space, so a quote survives a line
//! re-wrapped), the exact quote among several told apart by its context,
//! the nearest text within a small edit distance, or nowhere (orphaned).

use super::comments::{Anchor, CONTEXT_CHARS};

/// A byte range of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// How a comment's quote was found in the current text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Found {
    /// The quote, once.
    Exact,
    /// The quote, several times: the one whose context matches best.
    Context,
    /// Text within a small edit distance of the quote (it was edited).
    Fuzzy,
    /// Nowhere: the comment keeps its original text and revision.
    Orphaned,
}

/// Where a comment sits in the current text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Located {
    /// How it was found.
    pub found: Found,
    /// Where (none when orphaned).
    pub span: Option<Span>,
}

impl Located {
    /// Whether the quoted text is still there unchanged, so a suggested
    /// replacement can be applied.
    pub fn unchanged(&self) -> bool {
        matches!(self.found, Found::Exact | Found::Context)
    }
}

/// The text with white space runs made one space: its characters, and the
/// byte offset in the original of each.
struct Folded {
    chars: Vec<char>,
    at: Vec<usize>,
    len: usize,
}

fn fold(text: &str) -> Folded {
    let mut chars = Vec::with_capacity(text.len());
    let mut at = Vec::with_capacity(text.len());
    let mut space = false;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if !space {
                chars.push(' ');
                at.push(i);
            }
            space = true;
        } else {
            chars.push(c);
            at.push(i);
            space = false;
        }
    }
    Folded {
        chars,
        at,
        len: text.len(),
    }
}

impl Folded {
    /// The original byte range of folded characters `from..to`.
    fn span(&self, text: &str, from: usize, to: usize) -> Span {
        let start = self.at[from];
        let last = self.at[to - 1];
        let end = last + text[last..].chars().next().map_or(0, char::len_utf8);
        Span {
            start,
            end: end.min(self.len),
        }
    }
}

fn folded_quote(quote: &str) -> Vec<char> {
    fold(quote.trim()).chars
}

/// The 1-based line of byte `offset` (any byte, a character's first or not).
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The byte offsets where each line after the first starts, to find many
/// lines in one text by binary search.
fn line_starts(text: &str) -> Vec<usize> {
    text.bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'\n')
        .map(|(i, _)| i + 1)
        .collect()
}

fn line_in(starts: &[usize], offset: usize) -> usize {
    starts.partition_point(|&s| s <= offset) + 1
}

/// Every place `quote` occurs in `text` (white space runs matching any
/// white space), in order; none for a blank quote.
pub fn occurrences(text: &str, quote: &str) -> Vec<Span> {
    let q = folded_quote(quote);
    if q.is_empty() {
        return Vec::new();
    }
    let t = fold(text);
    let mut out = Vec::new();
    if t.chars.len() < q.len() {
        return out;
    }
    for i in 0..=t.chars.len() - q.len() {
        if t.chars[i] == q[0] && t.chars[i..i + q.len()] == q[..] {
            out.push(t.span(text, i, i + q.len()));
        }
    }
    out
}

/// The anchor of `span` in `text`: the quote as written, its context, its lines.
pub fn anchor_at(text: &str, span: Span) -> Anchor {
    let before = &text[..span.start];
    let prefix_start = before
        .char_indices()
        .rev()
        .nth(CONTEXT_CHARS - 1)
        .map_or(0, |(i, _)| i);
    let after = &text[span.end..];
    let suffix_end = after
        .char_indices()
        .nth(CONTEXT_CHARS)
        .map_or(after.len(), |(i, _)| i);
    Anchor {
        exact: text[span.start..span.end].to_string(),
        prefix: before[prefix_start..].to_string(),
        suffix: after[..suffix_end].to_string(),
        line: line_of(text, span.start),
        end_line: line_of(text, span.end.saturating_sub(1).max(span.start)),
    }
}

/// How many characters of context agree around `span`: the end of
/// `prefix` against the text before, the start of `suffix` after it.
fn context_score(text: &str, span: Span, anchor: &Anchor) -> usize {
    // Only the text near the quote matters (white space folded, the
    // context may take a few more characters than it holds).
    let near = CONTEXT_CHARS * 4;
    let from = text[..span.start]
        .char_indices()
        .rev()
        .nth(near)
        .map_or(0, |(i, _)| i);
    let to = text[span.end..]
        .char_indices()
        .nth(near)
        .map_or(text.len(), |(i, _)| span.end + i);
    let before: Vec<char> = fold(&text[from..span.start]).chars;
    let prefix: Vec<char> = fold(&anchor.prefix).chars;
    let agree_before = before
        .iter()
        .rev()
        .zip(prefix.iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let after: Vec<char> = fold(&text[span.end..to]).chars;
    let suffix: Vec<char> = fold(&anchor.suffix).chars;
    let agree_after = after
        .iter()
        .zip(suffix.iter())
        .take_while(|(a, b)| a == b)
        .count();
    agree_before + agree_after
}

/// The substring of `text` nearest `quote` in edit distance, if within
/// `max` edits: its span and distance (ties go to the one nearest
/// `near_line`). Sellers' algorithm: an edit distance whose start in the
/// text is free, one pass over the text.
pub fn nearest(text: &str, quote: &str, max: usize, near_line: usize) -> Option<(Span, usize)> {
    let q = folded_quote(quote);
    let t = fold(text);
    let m = q.len();
    if m == 0 || t.chars.is_empty() {
        return None;
    }
    // Column j: distance and start of the best alignment of q[..i] ending
    // before text char j.
    let mut dist: Vec<usize> = (0..=m).collect();
    let mut start: Vec<usize> = vec![0; m + 1];
    let mut best: Option<(usize, usize, usize)> = None; // (distance, from, to)
    let mut next_dist = vec![0usize; m + 1];
    let mut next_start = vec![0usize; m + 1];
    let starts = line_starts(text);
    let distance_to_line = |f: usize| line_in(&starts, t.at[f]).abs_diff(near_line);
    for j in 1..=t.chars.len() {
        next_dist[0] = 0;
        next_start[0] = j;
        for i in 1..=m {
            let cost = usize::from(q[i - 1] != t.chars[j - 1]);
            let (mut d, mut s) = (dist[i - 1] + cost, start[i - 1]);
            if dist[i] + 1 < d {
                (d, s) = (dist[i] + 1, start[i]);
            }
            if next_dist[i - 1] + 1 < d {
                (d, s) = (next_dist[i - 1] + 1, next_start[i - 1]);
            }
            next_dist[i] = d;
            next_start[i] = s;
        }
        std::mem::swap(&mut dist, &mut next_dist);
        std::mem::swap(&mut start, &mut next_start);
        let (d, from) = (dist[m], start[m]);
        if d <= max && from < j {
            // Fewest edits, then nearest the original line, then the
            // length nearest the quote's.
            let better = match best {
                None => true,
                Some((bd, bfrom, bto)) => {
                    let key = |d: usize, f: usize, t: usize| {
                        (d, distance_to_line(f), (t - f).abs_diff(m))
                    };
                    key(d, from, j) < key(bd, bfrom, bto)
                }
            };
            if better {
                best = Some((d, from, j));
            }
        }
    }
    let (d, from, to) = best?;
    // Trim folded spaces at the edges of the match.
    let (mut from, mut to) = (from, to);
    while from < to && t.chars[from] == ' ' {
        from += 1;
    }
    while to > from && t.chars[to - 1] == ' ' {
        to -= 1;
    }
    (from < to).then(|| (t.span(text, from, to), d))
}

/// The edits a quote may have undergone and still be found: a fifth of
/// its length, at least one.
pub fn fuzz_allowed(quote: &str) -> usize {
    (folded_quote(quote).len() / 5).max(1)
}

/// Finds `anchor` in `text`: exact, then by context among several, then
/// within [`fuzz_allowed`] edits; orphaned otherwise.
pub fn locate(text: &str, anchor: &Anchor) -> Located {
    let found = occurrences(text, &anchor.exact);
    match found.len() {
        1 => {
            return Located {
                found: Found::Exact,
                span: Some(found[0]),
            };
        }
        0 => {}
        _ => {
            let best = found
                .iter()
                .copied()
                .max_by_key(|s| {
                    (
                        context_score(text, *s, anchor),
                        std::cmp::Reverse(line_of(text, s.start).abs_diff(anchor.line)),
                    )
                })
                .expect("several");
            return Located {
                found: Found::Context,
                span: Some(best),
            };
        }
    }
    match nearest(
        text,
        &anchor.exact,
        fuzz_allowed(&anchor.exact),
        anchor.line,
    ) {
        Some((span, _)) => Located {
            found: Found::Fuzzy,
            span: Some(span),
        },
        None => Located {
            found: Found::Orphaned,
            span: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# Titre\n\nLes fablabs sont des ateliers ouverts.\nIls prêtent des machines.\n\nUn autre paragraphe parle des ateliers ouverts aussi.\n";

    fn anchor(text: &str, quote: &str, nth: usize) -> Anchor {
        anchor_at(text, occurrences(text, quote)[nth])
    }

    fn at(text: &str, l: Located) -> &str {
        let s = l.span.expect("found");
        &text[s.start..s.end]
    }

    #[test]
    fn a_quote_is_found_across_line_breaks() {
        let spans = occurrences(TEXT, "ouverts. Ils prêtent");
        assert_eq!(spans.len(), 1);
        assert_eq!(&TEXT[spans[0].start..spans[0].end], "ouverts.\nIls prêtent");
        let a = anchor_at(TEXT, spans[0]);
        assert_eq!((a.line, a.end_line), (3, 4));
        assert!(a.prefix.ends_with("des ateliers "), "{:?}", a.prefix);
        assert_eq!(a.prefix.chars().count(), CONTEXT_CHARS);
        assert!(a.suffix.starts_with(" des machines."));
        assert_eq!(occurrences(TEXT, "ateliers ouverts").len(), 2);
        assert!(occurrences(TEXT, "  ").is_empty());
    }

    #[test]
    fn insertions_before_keep_the_anchor() {
        let a = anchor(TEXT, "prêtent des machines", 0);
        let edited = TEXT.replace(
            "# Titre\n",
            "# Titre\n\nUne introduction.\n\nEt une autre.\n",
        );
        let l = locate(&edited, &a);
        assert_eq!(l.found, Found::Exact);
        assert_eq!(at(&edited, l), "prêtent des machines");
        assert_eq!(line_of(&edited, l.span.unwrap().start), 8);
    }

    #[test]
    fn deletions_and_moves_keep_the_anchor() {
        let a = anchor(TEXT, "prêtent des machines", 0);
        let deleted = TEXT.replace("# Titre\n\n", "");
        assert_eq!(at(&deleted, locate(&deleted, &a)), "prêtent des machines");
        // The paragraph moved after the other one.
        let moved = "# Titre\n\nUn autre paragraphe parle des ateliers ouverts aussi.\n\nLes fablabs sont des ateliers ouverts.\nIls prêtent des machines.\n";
        let l = locate(moved, &a);
        assert_eq!(
            (l.found, at(moved, l)),
            (Found::Exact, "prêtent des machines")
        );
    }

    #[test]
    fn context_tells_repeated_quotes_apart_even_after_a_move() {
        let second = anchor(TEXT, "ateliers ouverts", 1);
        let l = locate(TEXT, &second);
        assert_eq!(l.found, Found::Context);
        assert_eq!(line_of(TEXT, l.span.unwrap().start), 6);
        let moved = "# Titre\n\nUn autre paragraphe parle des ateliers ouverts aussi.\n\nLes fablabs sont des ateliers ouverts.\nIls prêtent des machines.\n";
        let l = locate(moved, &second);
        assert_eq!(
            (l.found, line_of(moved, l.span.unwrap().start)),
            (Found::Context, 3)
        );
        let first = anchor(TEXT, "ateliers ouverts", 0);
        assert_eq!(line_of(moved, locate(moved, &first).span.unwrap().start), 5);
    }

    #[test]
    fn small_edits_inside_the_quote_are_found_but_change_it() {
        let a = anchor(TEXT, "Ils prêtent des machines", 0);
        let edited = TEXT.replace("prêtent des machines", "prêtent les machines");
        let l = locate(&edited, &a);
        assert_eq!(l.found, Found::Fuzzy);
        assert!(!l.unchanged());
        assert_eq!(at(&edited, l), "Ils prêtent les machines");
    }

    #[test]
    fn quotes_ending_in_a_wide_character_have_lines() {
        let text = "Première ligne\nUn café noir,\nun thé.\n";
        let a = anchor(text, "café noir, un thé", 0);
        assert_eq!((a.line, a.end_line), (2, 3));
        assert_eq!(a.exact, "café noir,\nun thé");
        assert_eq!(line_of(text, text.len()), 4);
        let edited = text.replace("thé", "the");
        let l = locate(&edited, &a);
        assert_eq!(
            (l.found, at(&edited, l)),
            (Found::Fuzzy, "café noir,\nun the")
        );
    }

    #[test]
    fn a_deleted_quote_is_orphaned() {
        let a = anchor(TEXT, "Ils prêtent des machines.", 0);
        let gone = TEXT.replace("Ils prêtent des machines.\n", "");
        let l = locate(&gone, &a);
        assert_eq!(
            l,
            Located {
                found: Found::Orphaned,
                span: None
            }
        );
        // Rewritten beyond a fifth of its length: orphaned too.
        let rewritten = TEXT.replace("Ils prêtent des machines.", "Elles louent leurs outils.");
        assert_eq!(locate(&rewritten, &a).found, Found::Orphaned);
    }
}
