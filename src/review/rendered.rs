//! Finding text selected in a rendered page in the chapter's source
//! (README "Comments and suggested edits", in `watch`): a reviewer selects
//! words in the site, whose text differs from the Markdown by its markup
//! (`*`, `_`, backticks), the typography pass (curly quotes, dashes, no-break
//! spaces) and white space. Pure.
//!
//! Input: the chapter's source text and the selection with a little
//! rendered text before and after it. Output: the byte range of the source
//! the selection covers, found by comparing letters and digits alone
//! (lowercased), the context telling several occurrences apart; or why none
//! or several fit. A selection across generated text (a section number, a
//! note's call) or a link whose address the source writes is not found.

use super::anchor::Span;

/// How far a piece of markup is looked for (bytes, on one line).
const MARKUP_SPAN: usize = 400;

/// Where the Markdown piece of markup that starts at byte `i` ends, if one
/// does: text the page never shows as such. A note's call `[^label]`, a
/// link's or image's address `](…)`, an attribute block `{#id .class}`, an
/// HTML tag `<span lang="en">`.
fn markup_end(text: &str, i: usize) -> Option<usize> {
    let rest = &text[i..];
    let (open, close) = if rest.starts_with("[^") {
        ("[^", ']')
    } else if rest.starts_with("](") {
        ("](", ')')
    } else if rest.starts_with("{#") || rest.starts_with("{.") {
        ("{", '}')
    } else if rest.starts_with('<')
        && rest[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!')
    {
        ("<", '>')
    } else {
        return None;
    };
    // Cut at a character's start: the text is the author's, in any script.
    let window = &rest[..rest.floor_char_boundary(MARKUP_SPAN)];
    let end = window[open.len()..].find([close, '\n'])?;
    let at = open.len() + end;
    (window[at..].starts_with(close)).then(|| i + at + close.len_utf8())
}

/// The letters and digits of `text`, lowercased, each with the byte range
/// of the source character it comes from; with `source`, those of its
/// markup ([`markup_end`]) left out.
fn project_as(text: &str, source: bool) -> (Vec<char>, Vec<Span>) {
    let mut chars = Vec::with_capacity(text.len());
    let mut at = Vec::with_capacity(text.len());
    let mut skip_to = 0;
    for (i, c) in text.char_indices() {
        if i < skip_to {
            continue;
        }
        if source && let Some(end) = markup_end(text, i) {
            // A link's text stays: only `](…)` is skipped, `[` is no letter.
            skip_to = end;
            continue;
        }
        if c.is_alphanumeric() {
            for l in c.to_lowercase() {
                chars.push(l);
                at.push(Span {
                    start: i,
                    end: i + c.len_utf8(),
                });
            }
        }
    }
    (chars, at)
}

/// The letters and digits of rendered text.
fn project(text: &str) -> (Vec<char>, Vec<Span>) {
    project_as(text, false)
}

/// Why a selection is not found in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Miss {
    /// It holds no letter or digit.
    Blank,
    /// Its letters are nowhere in the source.
    Nowhere,
    /// Its letters are in several places that its context does not tell apart.
    Ambiguous(Vec<Span>),
}

/// The byte range of `text` that the rendered `exact` covers, told apart
/// from its other occurrences by `prefix` (rendered text just before) and
/// `suffix` (just after): from the first letter or digit of the selection
/// to its last. The page leaves out what it adds (a note's call, a
/// section's number); the source's markup is left out here.
pub fn find(text: &str, exact: &str, prefix: &str, suffix: &str) -> Result<Span, Miss> {
    let (q, _) = project(exact);
    if q.is_empty() {
        return Err(Miss::Blank);
    }
    let (t, at) = project_as(text, true);
    if t.len() < q.len() {
        return Err(Miss::Nowhere);
    }
    let starts: Vec<usize> = (0..=t.len() - q.len())
        .filter(|&i| t[i] == q[0] && t[i..i + q.len()] == q[..])
        .collect();
    let span = |i: usize| {
        balanced(
            text,
            Span {
                start: at[i].start,
                end: at[i + q.len() - 1].end,
            },
        )
    };
    match starts.as_slice() {
        [] => return Err(Miss::Nowhere),
        [one] => return Ok(span(*one)),
        _ => {}
    }
    let (p, _) = project(prefix);
    let (s, _) = project(suffix);
    let score = |i: usize| {
        let before = t[..i]
            .iter()
            .rev()
            .zip(p.iter().rev())
            .take_while(|(a, b)| a == b)
            .count();
        let after = t[i + q.len()..]
            .iter()
            .zip(s.iter())
            .take_while(|(a, b)| a == b)
            .count();
        before + after
    };
    let best = starts.iter().map(|&i| score(i)).max().unwrap_or(0);
    let top: Vec<usize> = starts
        .iter()
        .copied()
        .filter(|&i| score(i) == best)
        .collect();
    match top.as_slice() {
        [one] => Ok(span(*one)),
        _ => Err(Miss::Ambiguous(top.into_iter().map(span).collect())),
    }
}

/// Inline markup that opens and closes with the same characters.
const MARKS: [char; 4] = ['*', '_', '~', '`'];

/// `span` widened over the markup just outside it that a mark inside it
/// opens or closes (`` `code `` takes its closing backtick): a suggested
/// replacement then leaves no mark alone.
fn balanced(text: &str, span: Span) -> Span {
    let mut s = span;
    for mark in MARKS {
        if text[s.start..s.end].matches(mark).count() % 2 == 0 {
            continue;
        }
        let after = text[s.end..].chars().take_while(|c| *c == mark).count();
        let before = text[..s.start]
            .chars()
            .rev()
            .take_while(|c| *c == mark)
            .count();
        // Marks are ASCII: one byte each.
        if after > 0 {
            s.end += after;
        } else {
            s.start -= before;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "---\ntitle: T\n---\n\nL'*économie* des -- fablabs\nest ouverte.\n\nUne autre économie des fablabs, plus loin.\n";

    fn found(exact: &str, prefix: &str, suffix: &str) -> Result<&'static str, Miss> {
        find(TEXT, exact, prefix, suffix).map(|s| &TEXT[s.start..s.end])
    }

    /// Markup that starts more than MARKUP_SPAN bytes before the end of
    /// the text, with a multi-byte character across that limit: the
    /// window is cut at a character, never inside one (it panicked).
    #[test]
    fn markup_far_from_the_end_is_cut_at_a_character() {
        for pad in 390..=400 {
            let text = format!(
                "Un [lien]({}é long) puis la phrase choisie.\n{}",
                "a".repeat(pad),
                "b".repeat(500)
            );
            let at = text.find("](").unwrap();
            // The window ends before the `)`: no markup found, no panic.
            let _ = markup_end(&text, at);
            assert!(find(&text, "la phrase choisie", "", "").is_ok(), "{pad}");
        }
    }

    #[test]
    fn rendered_text_is_found_in_its_markdown() {
        // Curly apostrophe, emphasis, a dash and a line break rendered.
        assert_eq!(
            found("L’économie des – fablabs est", "", ""),
            Ok("L'*économie* des -- fablabs\nest")
        );
        assert_eq!(found("OUVERTE", "", ""), Ok("ouverte"));
        // A mark opened inside the selection is closed in it.
        assert_eq!(found("L’économie", "", ""), Ok("L'*économie*"));
        assert_eq!(found("économie des", "L’", ""), Ok("*économie* des"));
    }

    #[test]
    fn context_tells_occurrences_apart() {
        assert_eq!(
            found("économie des fablabs", "Une autre ", ""),
            Ok("économie des fablabs")
        );
        let first = find(TEXT, "économie des fablabs", "L’", " est ouverte").unwrap();
        assert_eq!(&TEXT[first.start..first.end], "*économie* des -- fablabs");
        assert!(matches!(
            found("économie des fablabs", "", ""),
            Err(Miss::Ambiguous(spans)) if spans.len() == 2
        ));
    }

    #[test]
    fn markup_the_page_does_not_show_is_skipped() {
        let text = "Un paragraphe avec une note[^une] et un [lien vers 2](https://example.org/a2){.x} <span lang=\"en\">here</span>.\n";
        let span = find(text, "une note et un lien vers 2 here", "", "").unwrap();
        assert_eq!(
            &text[span.start..span.end],
            "une note[^une] et un [lien vers 2](https://example.org/a2){.x} <span lang=\"en\">here"
        );
        // An address's letters are not the text's.
        assert_eq!(find(text, "example", "", ""), Err(Miss::Nowhere));
    }

    #[test]
    fn what_is_not_there_is_said() {
        assert_eq!(found("coopérative", "", ""), Err(Miss::Nowhere));
        assert_eq!(found(" – ", "", ""), Err(Miss::Blank));
    }
}
