//! Pandoc's citation syntax and pandoc-crossref's references, found in runs
//! of text (CommonMark has neither).
//!
//! - `[@key]`, `[@key, p. 12]`, `[see @a; @b]`, `[-@key]`: a bracketed citation;
//! - `@key`, `@key [p. 12]`: a citation in the running text;
//! - `@fig:id`, `@tbl:id`, `@sec:id` (`@Fig:…` for a capital): a cross-reference,
//!   also inside brackets.
//!
//! An `@` preceded by a letter or digit (an email address) is text, and so is
//! `\@`: the lowerer marks escaped characters so that they are never syntax.

use std::ops::Range;

use crate::diag::{Diagnostic, Sink, Span};
use crate::model::{Citation, CiteItem, CiteMode, CrossRef, Inline, RefKind};

/// Consecutive text of one paragraph (comrak splits it at brackets and
/// escapes), with where each piece came from.
#[derive(Default)]
pub(super) struct Run {
    text: String,
    /// Byte offsets of characters written with a backslash.
    escaped: Vec<usize>,
    segments: Vec<Segment>,
}

struct Segment {
    /// Offset of the piece in the run.
    at: usize,
    /// Its span in the source.
    span: Span,
    /// Whether the source holds exactly the piece's text (no entity or
    /// escape), so that offsets inside it map one to one.
    exact: bool,
}

impl Run {
    /// Appends a piece of text written at `span`.
    pub(super) fn push(&mut self, text: &str, span: Span, escaped: bool) {
        let at = self.text.len();
        if escaped {
            self.escaped.extend((0..text.len()).map(|i| at + i));
        }
        let exact = !escaped && span.range.len() == text.len();
        self.segments.push(Segment { at, span, exact });
        self.text.push_str(text);
    }

    /// True when nothing was pushed since the last [`Run::take`].
    pub(super) fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The source span of a byte range of the run.
    fn span(&self, range: Range<usize>) -> Span {
        let seg = |offset: usize| {
            self.segments
                .iter()
                .rev()
                .find(|s| s.at <= offset)
                .or(self.segments.first())
        };
        let (Some(first), Some(last)) = (seg(range.start), seg(range.end.saturating_sub(1))) else {
            unreachable!("a run with text has a segment")
        };
        let start = if first.exact {
            first.span.range.start + (range.start - first.at)
        } else {
            first.span.range.start
        };
        let end = if last.exact {
            last.span.range.start + (range.end - last.at)
        } else {
            last.span.range.end
        };
        Span::new(first.span.file, start..end.max(start))
    }

    fn is_escaped(&self, offset: usize) -> bool {
        self.escaped.binary_search(&offset).is_ok()
    }

    /// Splits the run into text, citations and cross-references, and
    /// empties it.
    pub(super) fn take(&mut self, sink: &mut Sink) -> Vec<Inline> {
        let out = Scanner { run: self, sink }.scan();
        *self = Run::default();
        out
    }

    /// The run as plain text (inside links, where nothing is a citation).
    pub(super) fn take_text(&mut self) -> String {
        let text = std::mem::take(&mut self.text);
        *self = Run::default();
        text
    }
}

struct Scanner<'r, 's> {
    run: &'r Run,
    sink: &'s mut Sink,
}

/// A key and the byte just after it.
struct Key {
    key: String,
    end: usize,
}

impl Scanner<'_, '_> {
    fn scan(&mut self) -> Vec<Inline> {
        let s = self.run.text.as_str();
        let mut out = Vec::new();
        let mut text_start = 0;
        let mut i = 0;
        while i < s.len() {
            let c = s[i..].chars().next().unwrap_or(' ');
            let found = if self.run.is_escaped(i) {
                None
            } else if c == '[' {
                self.bracketed(i)
            } else if c == '@' && self.can_start_key(i) {
                self.in_text(i)
            } else {
                None
            };
            match found {
                Some((inlines, end)) => {
                    if text_start < i {
                        out.push(Inline::Text(s[text_start..i].to_string()));
                    }
                    out.extend(inlines);
                    i = end;
                    text_start = end;
                }
                None => i += c.len_utf8(),
            }
        }
        if text_start < s.len() {
            out.push(Inline::Text(s[text_start..].to_string()));
        }
        out
    }

    /// An `@` starts a key unless a letter or digit comes right before it.
    fn can_start_key(&self, at: usize) -> bool {
        let before = self.run.text[..at].chars().next_back();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '@')
    }

    /// The key after the `@` at `at`: `{anything but braces}`, or a letter,
    /// digit or `_` followed by those and internal punctuation.
    fn key(&self, at: usize) -> Option<Key> {
        let s = &self.run.text;
        let rest = &s[at + 1..];
        if let Some(braced) = rest.strip_prefix('{') {
            let close = braced.find('}')?;
            let key = &braced[..close];
            if key.is_empty() || key.contains('{') {
                return None;
            }
            return Some(Key {
                key: key.to_string(),
                end: at + 1 + 1 + close + 1,
            });
        }
        let first = rest.chars().next()?;
        if !(first.is_alphanumeric() || first == '_') {
            return None;
        }
        let word = |c: char| c.is_alphanumeric() || c == '_';
        let punct = |c: char| ":.#$%&-+?<>~/".contains(c);
        let mut end = 0;
        let mut chars = rest.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if word(c) {
                end = i + c.len_utf8();
            } else if punct(c) && chars.peek().is_some_and(|&(_, n)| word(n) || punct(n)) {
                // Internal punctuation: kept only if a word character follows
                // (checked when that character is reached).
                continue;
            } else {
                break;
            }
        }
        Some(Key {
            key: rest[..end].to_string(),
            end: at + 1 + end,
        })
    }

    /// `@key` or `@key [locator]` in the running text, or `@fig:id`.
    fn in_text(&mut self, at: usize) -> Option<(Vec<Inline>, usize)> {
        let Key { key, end } = self.key(at)?;
        if let Some(r) = self.cross_ref(&key, at..end) {
            return Some((vec![r], end));
        }
        let s = &self.run.text;
        let mut item = CiteItem {
            key,
            prefix: String::new(),
            locator: String::new(),
            suppress_author: false,
        };
        let mut stop = end;
        // `@key [p. 12]`: a bracket right after, without a key, is the locator.
        let after = &s[end..];
        let gap = after.len() - after.trim_start_matches(' ').len();
        if after[gap..].starts_with('[')
            && gap <= 1
            && let Some(close) = self.closing_bracket(end + gap)
        {
            let inner = &s[end + gap + 1..close];
            if !inner.contains('@') {
                item.locator = inner.trim().to_string();
                stop = close + 1;
            }
        }
        let citation = Citation {
            items: vec![item],
            mode: CiteMode::InText,
            span: self.run.span(at..stop),
            rendered: Vec::new(),
            known: false,
            written: s[at..stop].to_string(),
        };
        Some((vec![Inline::Cite(Box::new(citation))], stop))
    }

    /// The `]` closing the `[` at `open`, with no bracket in between.
    fn closing_bracket(&self, open: usize) -> Option<usize> {
        let s = &self.run.text;
        for (i, c) in s[open + 1..].char_indices() {
            let i = open + 1 + i;
            if self.run.is_escaped(i) {
                continue;
            }
            match c {
                ']' => return Some(i),
                '[' => return None,
                _ => {}
            }
        }
        None
    }

    /// `[…]` holding one or more `@key` items separated by `;`.
    fn bracketed(&mut self, open: usize) -> Option<(Vec<Inline>, usize)> {
        let close = self.closing_bracket(open)?;
        let mut items = Vec::new();
        let mut refs = Vec::new();
        let mut item_start = open + 1;
        let s = self.run.text.clone();
        let mut bounds = Vec::new();
        for (i, c) in s[open + 1..close].char_indices() {
            let i = open + 1 + i;
            if c == ';' && !self.run.is_escaped(i) {
                bounds.push(item_start..i);
                item_start = i + 1;
            }
        }
        bounds.push(item_start..close);
        for range in bounds {
            let piece = &s[range.clone()];
            // The item's key: the first `@` that starts one.
            let at = piece.char_indices().find_map(|(j, c)| {
                let j = range.start + j;
                (c == '@' && !self.run.is_escaped(j) && {
                    let before = s[range.start..j].chars().next_back();
                    before.is_none_or(|b| b.is_whitespace() || b == '-')
                })
                .then_some(j)
            })?;
            let Key { key, end } = self.key(at)?;
            if end > range.end {
                return None;
            }
            let mut prefix = s[range.start..at].to_string();
            let suppress_author = prefix.ends_with('-');
            if suppress_author {
                prefix.pop();
            }
            let suffix = s[end..range.end].trim();
            let locator = suffix.strip_prefix(',').unwrap_or(suffix).trim();
            if let Some(r) = self.cross_ref(&key, at..end) {
                refs.push((
                    r,
                    range.clone(),
                    prefix.trim().is_empty() && suffix.is_empty(),
                ));
                continue;
            }
            items.push(CiteItem {
                key,
                prefix: prefix.trim().to_string(),
                locator: locator.to_string(),
                suppress_author,
            });
        }
        let span = self.run.span(open..close + 1);
        if !refs.is_empty() {
            if !items.is_empty() || refs.iter().any(|(_, _, bare)| !bare) {
                self.sink.push(
                    Diagnostic::error(
                        span,
                        "cross-references in brackets take no citation, prefix or locator",
                    )
                    .hint("write the cross-reference outside the brackets: `voir la @fig:carte`"),
                );
            }
            let mut out = Vec::new();
            for (i, (r, _, _)) in refs.into_iter().enumerate() {
                if i > 0 {
                    out.push(Inline::Text(", ".into()));
                }
                out.push(r);
            }
            return Some((out, close + 1));
        }
        let citation = Citation {
            items,
            mode: CiteMode::Parenthetical,
            span,
            rendered: Vec::new(),
            known: false,
            written: s[open..close + 1].to_string(),
        };
        Some((vec![Inline::Cite(Box::new(citation))], close + 1))
    }

    /// A cross-reference when `key` has the prefix of one.
    fn cross_ref(&self, key: &str, range: Range<usize>) -> Option<Inline> {
        let (prefix, _) = key.split_once(':')?;
        let kind = match prefix.to_ascii_lowercase().as_str() {
            "fig" => RefKind::Figure,
            "tbl" => RefKind::Table,
            "sec" => RefKind::Section,
            _ => return None,
        };
        let capital = prefix.starts_with(|c: char| c.is_ascii_uppercase());
        let mut label = key.to_string();
        label.replace_range(..prefix.len(), &prefix.to_ascii_lowercase());
        Some(Inline::Ref(Box::new(CrossRef {
            kind,
            text: format!("@{label}"),
            label,
            capital,
            span: self.run.span(range),
            target: None,
            number: None,
            title: String::new(),
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Sources;

    fn scan(text: &str) -> Vec<Inline> {
        let mut sources = Sources::default();
        let file = sources.add("t.md", text.to_string());
        let mut run = Run::default();
        run.push(text, Span::new(file, 0..text.len()), false);
        run.take(&mut Sink::default())
    }

    fn cite(inline: &Inline) -> &Citation {
        match inline {
            Inline::Cite(c) => c,
            other => panic!("not a citation: {other:?}"),
        }
    }

    #[test]
    fn bracketed_citations_with_locators_prefixes_and_several_keys() {
        let out = scan("Voir [@ostrom1990, p. 90] et [see @a; -@b, chap. 2].");
        assert_eq!(out.len(), 5, "{out:?}");
        let first = cite(&out[1]);
        assert_eq!(first.mode, CiteMode::Parenthetical);
        assert_eq!(first.items[0].key, "ostrom1990");
        assert_eq!(first.items[0].locator, "p. 90");
        assert_eq!(first.span.range, 5..25);
        let second = cite(&out[3]);
        assert_eq!(second.items.len(), 2);
        assert_eq!(second.items[0].prefix, "see");
        assert!(second.items[1].suppress_author);
        assert_eq!(second.items[1].locator, "chap. 2");
        assert_eq!(out[4], Inline::Text(".".into()));
    }

    #[test]
    fn in_text_citations_stop_before_trailing_punctuation() {
        let out = scan("Selon @ostrom1990, puis @dardot2014 [p. 12]. Fin.");
        assert_eq!(cite(&out[1]).items[0].key, "ostrom1990");
        assert_eq!(cite(&out[1]).mode, CiteMode::InText);
        assert_eq!(out[2], Inline::Text(", puis ".into()));
        assert_eq!(cite(&out[3]).items[0].locator, "p. 12");
        assert_eq!(out[4], Inline::Text(". Fin.".into()));
    }

    #[test]
    fn emails_escapes_and_plain_brackets_are_text() {
        assert_eq!(
            scan("écrire à contact@coop.org [sic] ou [@]"),
            vec![Inline::Text(
                "écrire à contact@coop.org [sic] ou [@]".into()
            )]
        );
        let mut sources = Sources::default();
        let file = sources.add("t.md", "\\@nom".to_string());
        let mut run = Run::default();
        run.push("@", Span::new(file, 0..2), true);
        run.push("nom", Span::new(file, 2..5), false);
        assert_eq!(
            run.take(&mut Sink::default()),
            vec![Inline::Text("@nom".into())]
        );
    }

    #[test]
    fn cross_references_with_their_kind_and_capital() {
        let out = scan("La @fig:carte. @Tbl:budget et [@sec:intro]");
        let kinds: Vec<(RefKind, String, bool)> = out
            .iter()
            .filter_map(|i| match i {
                Inline::Ref(r) => Some((r.kind, r.label.clone(), r.capital)),
                _ => None,
            })
            .collect();
        assert_eq!(
            kinds,
            vec![
                (RefKind::Figure, "fig:carte".into(), false),
                (RefKind::Table, "tbl:budget".into(), true),
                (RefKind::Section, "sec:intro".into(), false),
            ]
        );
        assert_eq!(out[2], Inline::Text(". ".into()));
    }

    #[test]
    fn braced_keys_and_keys_with_internal_punctuation() {
        let out = scan("@{Smith 2000}, @doe:2001.x.");
        assert_eq!(cite(&out[0]).items[0].key, "Smith 2000");
        assert_eq!(cite(&out[2]).items[0].key, "doe:2001.x");
    }
}
