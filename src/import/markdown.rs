//! Where a foreign chapter's Markdown holds what import rewrites: link and
//! image destinations (inline, reference definitions, raw HTML's `href`
//! and `src`), the fenced code blocks' info strings and lines, the first
//! `# Title` heading, and the text outside code.
//!
//! Input: a chapter's text (includes already resolved). Output: byte ranges
//! into that text, which the dialects turn into [`Edit`]s. comrak finds the
//! code and the links, so that nothing inside a code block or a code span
//! is ever taken for syntax; the destinations themselves are read from the
//! source text, since comrak keeps no position for them and none at all
//! for reference definitions.

use std::ops::Range;

use comrak::nodes::{AstNode, NodeValue};
use comrak::{Arena, Options, parse_document};

/// A replacement of a byte range of a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    /// The bytes replaced.
    pub range: Range<usize>,
    /// What replaces them.
    pub with: String,
}

/// Applies edits that do not overlap (overlapping ones after the first are
/// skipped, so that a text is never garbled).
pub fn apply(text: &str, mut edits: Vec<Edit>) -> String {
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for e in edits {
        if e.range.start < at
            || e.range.end > text.len()
            || !text.is_char_boundary(e.range.start)
            || !text.is_char_boundary(e.range.end)
        {
            continue;
        }
        out.push_str(&text[at..e.range.start]);
        out.push_str(&e.with);
        at = e.range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// A link or image destination written in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Destination {
    /// Where the destination is written (without `<…>` or quotes).
    pub range: Range<usize>,
    /// The destination as written.
    pub url: String,
}

/// A fenced code block.
#[derive(Debug, Clone, PartialEq)]
pub struct Fence {
    /// The info string's bytes on the opening line (empty range when none).
    pub info_range: Range<usize>,
    /// The info string.
    pub info: String,
    /// The bytes of the code lines, between the fences.
    pub body: Range<usize>,
}

/// The chapter's first block when it is a level-1 heading.
#[derive(Debug, Clone, PartialEq)]
pub struct TitleHeading {
    /// The heading's lines, with the line break after them.
    pub lines: Range<usize>,
    /// Its text as written (inline Markdown), without `#` marks or `{#id}`.
    pub text: String,
    /// Pandoc's and Quarto's `{.unnumbered}` (or `{-}`) is on it.
    pub unnumbered: bool,
    /// Its `{#id}`, if written.
    pub id: Option<String>,
    /// Its level (1 for `#`).
    pub level: usize,
}

/// What [`scan`] finds in a text.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    /// Code blocks and code spans: never rewritten as prose.
    pub code: Vec<Range<usize>>,
    /// Link and image destinations.
    pub destinations: Vec<Destination>,
    /// Fenced code blocks.
    pub fences: Vec<Fence>,
    /// The first block, when it is a heading (of any level: mdBook's
    /// sub-chapters often open with `## Title`).
    pub title: Option<TitleHeading>,
    /// The other ATX headings: the offset of their `#` run and its length.
    pub headings: Vec<(usize, usize)>,
    /// Raw HTML, blocks and inline.
    pub html: Vec<Range<usize>>,
}

/// Byte offsets of line starts, to turn comrak's 1-based line and byte
/// column into offsets.
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Self {
        Lines(
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect(),
        )
    }

    fn offset(&self, text: &str, line: usize, column: usize) -> usize {
        let start = line
            .checked_sub(1)
            .and_then(|l| self.0.get(l))
            .copied()
            .unwrap_or(text.len());
        (start + column.saturating_sub(1)).min(text.len())
    }

    /// The byte range of a node, end exclusive.
    fn range(&self, text: &str, node: &AstNode<'_>) -> Range<usize> {
        let pos = node.data().sourcepos;
        let start = self.offset(text, pos.start.line, pos.start.column);
        let end = (self.offset(text, pos.end.line, pos.end.column) + 1).min(text.len());
        start..end.max(start)
    }

    /// The range of whole lines `first..=last` (1-based), with the final
    /// line break.
    fn whole_lines(&self, text: &str, first: usize, last: usize) -> Range<usize> {
        let start = self.offset(text, first, 1);
        let end = self.0.get(last).copied().unwrap_or(text.len());
        start..end.max(start)
    }
}

fn options() -> Options<'static> {
    let mut options = Options::default();
    let ext = &mut options.extension;
    ext.strikethrough = true;
    ext.table = true;
    ext.tasklist = true;
    ext.footnotes = true;
    ext.header_attributes = true;
    // No math: mdBook, Pandoc and Quarto chapters are read for their links
    // and code only, and a `$` there is never a reason to move a range.
    options
}

/// Scans a chapter's text.
pub fn scan(text: &str) -> Scan {
    let arena = Arena::new();
    let root = parse_document(&arena, text, &options());
    let lines = Lines::new(text);
    let mut scan = Scan::default();
    if let Some(first) = root.first_child()
        && let NodeValue::Heading(h) = &first.data().value
    {
        let pos = first.data().sourcepos;
        let range = lines.range(text, first);
        let (title, unnumbered, id) = heading_text(text.get(range).unwrap_or(""), h.setext);
        scan.title = Some(TitleHeading {
            lines: lines.whole_lines(text, pos.start.line, pos.end.line),
            text: title,
            unnumbered,
            id,
            level: h.level as usize,
        });
    }
    for node in root.descendants() {
        let data = node.data();
        match &data.value {
            NodeValue::CodeBlock(block) => {
                let range = lines.range(text, node);
                scan.code.push(range.clone());
                if block.fenced {
                    let pos = data.sourcepos;
                    let opening = lines.whole_lines(text, pos.start.line, pos.start.line);
                    let line = text.get(opening.clone()).unwrap_or("");
                    let fence_end = line
                        .find(|c: char| c != ' ' && c != '`' && c != '~')
                        .unwrap_or(line.len());
                    let info_text = line[fence_end..].trim_end();
                    let info_range =
                        opening.start + fence_end..opening.start + fence_end + info_text.len();
                    let body_start = opening.end;
                    let last = if block.closed && pos.end.line > pos.start.line {
                        pos.end.line - 1
                    } else {
                        pos.end.line
                    };
                    let body = if last > pos.start.line {
                        lines.whole_lines(text, pos.start.line + 1, last)
                    } else {
                        body_start..body_start
                    };
                    scan.fences.push(Fence {
                        info_range,
                        info: info_text.to_string(),
                        body,
                    });
                }
            }
            NodeValue::Code(_) => scan.code.push(lines.range(text, node)),
            NodeValue::Heading(h)
                if !h.setext && !root.first_child().is_some_and(|f| f.same_node(node)) =>
            {
                let at = lines.range(text, node).start;
                if text.as_bytes().get(at) == Some(&b'#') {
                    scan.headings.push((at, h.level as usize));
                }
            }
            NodeValue::Link(link) | NodeValue::Image(link) => {
                let range = lines.range(text, node);
                if let Some(dest) = inline_destination(text, range)
                    && same_url(&dest.url, &link.url)
                {
                    scan.destinations.push(dest);
                }
            }
            NodeValue::HtmlBlock(_) | NodeValue::HtmlInline(_) => {
                let range = lines.range(text, node);
                scan.html.push(range.clone());
                html_destinations(text, range, &mut scan.destinations);
            }
            _ => {}
        }
    }
    reference_definitions(text, &scan.code.clone(), &mut scan.destinations);
    scan.destinations.sort_by_key(|d| d.range.start);
    scan.destinations.dedup_by_key(|d| d.range.start);
    scan
}

/// The text of a heading's source: `# Title #` → `Title`, a setext
/// heading's lines joined; a trailing `{#id}` is left out (the title moves
/// into front matter, which has no place for it), and whether its
/// attributes hold `.unnumbered` or `-`, and its `{#id}`.
fn heading_text(source: &str, setext: bool) -> (String, bool, Option<String>) {
    let text = if setext {
        let mut lines: Vec<&str> = source.lines().collect();
        lines.pop();
        lines.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ")
    } else {
        let line = source.trim().trim_start_matches('#').trim();
        let without_closing = line.trim_end_matches('#');
        if without_closing.len() < line.len()
            && (without_closing.is_empty() || without_closing.ends_with([' ', '\t']))
        {
            without_closing.trim().to_string()
        } else {
            line.to_string()
        }
    };
    match text.rfind('{') {
        Some(at)
            if text.ends_with('}') && text[at + 1..].trim_start().starts_with(['#', '.', '-']) =>
        {
            let attrs = &text[at + 1..text.len() - 1];
            let unnumbered = attrs
                .split_whitespace()
                .any(|a| a == ".unnumbered" || a == "-");
            let id = attrs
                .split_whitespace()
                .find_map(|a| a.strip_prefix('#'))
                .map(str::to_string);
            (text[..at].trim_end().to_string(), unnumbered, id)
        }
        _ => (text, false, None),
    }
}

/// Whether a destination read from the text is the one comrak parsed (so
/// that a position comrak reports differently is never rewritten).
fn same_url(written: &str, parsed: &str) -> bool {
    let norm = |s: &str| crate::url::decode(&s.replace('\\', "")).unwrap_or_else(|| s.to_string());
    norm(written) == norm(parsed)
}

/// The destination of an inline link or image `[text](dest "title")` whose
/// source is `range`; `None` for a reference link.
fn inline_destination(text: &str, range: Range<usize>) -> Option<Destination> {
    let source = text.get(range.clone())?;
    let open = if source.starts_with("![") {
        1
    } else if source.starts_with('[') {
        0
    } else {
        return None;
    };
    let bytes = source.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    let mut close = None;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'`' => {
                // A code span: skip to the same run of backticks.
                let run = bytes[i..].iter().take_while(|&&b| b == b'`').count();
                let fence = &source[i..i + run];
                match source[i + run..].find(fence) {
                    Some(end) => i += run + end + run - 1,
                    None => i += run - 1,
                }
            }
            b'[' => depth += 1,
            b']' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(i);
                    break;
                }
            }
            _ => {}
        }
        i += 1;
    }
    let close = close?;
    let rest = &source[close + 1..];
    let rest = rest.strip_prefix('(')?;
    let lead = rest.len() - rest.trim_start().len();
    let start = close + 2 + lead;
    let after = &source[start..];
    let (from, to) = if let Some(inner) = after.strip_prefix('<') {
        let end = inner.find('>')?;
        (start + 1, start + 1 + end)
    } else {
        let mut parens = 0i32;
        let mut end = after.len();
        let b = after.as_bytes();
        let mut j = 0;
        while j < b.len() {
            match b[j] {
                b'\\' => j += 1,
                b'(' => parens += 1,
                b')' if parens == 0 => {
                    end = j;
                    break;
                }
                b')' => parens -= 1,
                c if c.is_ascii_whitespace() => {
                    end = j;
                    break;
                }
                _ => {}
            }
            j += 1;
        }
        (start, start + end.min(after.len()))
    };
    let url = source.get(from..to)?.to_string();
    Some(Destination {
        range: range.start + from..range.start + to,
        url,
    })
}

/// `href` and `src` attribute values in raw HTML at `range`.
fn html_destinations(text: &str, range: Range<usize>, out: &mut Vec<Destination>) {
    let Some(html) = text.get(range.clone()) else {
        return;
    };
    let lower = html.to_ascii_lowercase();
    for name in ["href", "src"] {
        let mut from = 0;
        while let Some(found) = lower[from..].find(name) {
            let at = from + found;
            from = at + name.len();
            let before_ok = at > 0 && lower.as_bytes()[at - 1].is_ascii_whitespace();
            if !before_ok {
                continue;
            }
            let rest = &html[at + name.len()..];
            let trimmed = rest.trim_start();
            let Some(value) = trimmed.strip_prefix('=') else {
                continue;
            };
            let value_trimmed = value.trim_start();
            let offset = at + name.len() + (rest.len() - value_trimmed.len());
            let (start, len) = match value_trimmed.chars().next() {
                Some(q @ ('"' | '\'')) => match value_trimmed[1..].find(q) {
                    Some(end) => (offset + 1, end),
                    None => continue,
                },
                Some(_) => (
                    offset,
                    value_trimmed
                        .find(|c: char| c.is_whitespace() || c == '>')
                        .unwrap_or(value_trimmed.len()),
                ),
                None => continue,
            };
            out.push(Destination {
                range: range.start + start..range.start + start + len,
                url: html[start..start + len].to_string(),
            });
        }
    }
}

/// Reference definitions `[label]: dest` outside code (footnote
/// definitions `[^x]:` are not links).
fn reference_definitions(text: &str, code: &[Range<usize>], out: &mut Vec<Destination>) {
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let here = start;
        start += line.len();
        let content = line.trim_start_matches([' ', '\t', '>']);
        let indent = line.len() - content.len();
        if !content.starts_with('[') || content.starts_with("[^") {
            continue;
        }
        if code.iter().any(|r| r.contains(&(here + indent))) {
            continue;
        }
        let Some(close) = content.find("]:") else {
            continue;
        };
        if content[1..close].contains(['[', ']']) {
            continue;
        }
        let after = &content[close + 2..];
        let dest = after.trim_start();
        let lead = after.len() - dest.len();
        let at = here + indent + close + 2 + lead;
        let (from, len) = if let Some(inner) = dest.strip_prefix('<') {
            match inner.find('>') {
                Some(end) => (at + 1, end),
                None => continue,
            }
        } else {
            (at, dest.find(char::is_whitespace).unwrap_or(dest.len()))
        };
        if len == 0 {
            continue;
        }
        out.push(Destination {
            range: from..from + len,
            url: text[from..from + len].to_string(),
        });
    }
}

/// Whether an `@` at byte `at` of `text` would start a citation or a
/// cross-reference in ouvrage (as `src/parse/cite.rs` reads them: no
/// letter, digit, `_` or `@` before it, a letter, digit, `_` or `{` after
/// it), outside a web address written out (`https://host/@user`).
fn starts_citation(text: &str, at: usize) -> bool {
    let before = text[..at].chars().next_back();
    if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '@' || c == '\\') {
        return false;
    }
    let after = text[at + 1..].chars().next();
    if !after.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '{') {
        return false;
    }
    let token_start = text[..at]
        .rfind(|c: char| c.is_whitespace() || c == '(' || c == '<')
        .map(|i| i + 1)
        .unwrap_or(0);
    let token = &text[token_start..at];
    !(token.contains("://") || token.starts_with("www."))
}

/// Edits that write `\@` for every `@` of the prose that ouvrage would
/// read as a citation (mdBook prints `@` as written): not in code, raw HTML
/// or link destinations.
pub fn escape_citations(text: &str, scan: &Scan) -> Vec<Edit> {
    let mut edits = Vec::new();
    for run in prose_runs(text, scan) {
        for (i, _) in text[run.clone()].match_indices('@') {
            let at = run.start + i;
            let inside = |r: &Range<usize>| r.contains(&at);
            if scan.html.iter().any(inside) || scan.destinations.iter().any(|d| inside(&d.range)) {
                continue;
            }
            if starts_citation(text, at) {
                edits.push(Edit {
                    range: at..at,
                    with: "\\".into(),
                });
            }
        }
    }
    edits
}

/// `@` escaped as [`escape_citations`] does, in a title (inline Markdown:
/// code spans between backticks are left alone).
pub fn escape_citations_in_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut in_code = false;
    for (i, c) in line.char_indices() {
        if c == '`' {
            in_code = !in_code;
        }
        if c == '@' && !in_code && starts_citation(line, i) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Edits that run `f` over the text outside code: each maximal run of
/// prose is passed with its start offset.
pub fn prose_runs(text: &str, scan: &Scan) -> Vec<Range<usize>> {
    let mut code = scan.code.clone();
    code.sort_by_key(|r| r.start);
    let mut runs = Vec::new();
    let mut at = 0;
    for r in code {
        if r.start > at {
            runs.push(at..r.start);
        }
        at = at.max(r.end);
    }
    if at < text.len() {
        runs.push(at..text.len());
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(text: &str) -> Vec<String> {
        scan(text)
            .destinations
            .iter()
            .map(|d| {
                assert_eq!(&text[d.range.clone()], d.url);
                d.url.clone()
            })
            .collect()
    }

    #[test]
    fn finds_inline_reference_and_html_destinations_but_not_code() {
        let text = "# Title `x`\n\nSee [a](ch01.html#x), ![i](img/a.png \"t\") and [b][r].\n\n\
                    `[no](code.html)` <a href=\"raw.html\">r</a>\n\n```md\n[no](fence.html)\n[r2]: fence.html\n```\n\n\
                    [r]: ch02.html#y\n[^1]: a note\n\n[`x]`](<with space.md>)\n";
        assert_eq!(
            urls(text),
            [
                "ch01.html#x",
                "img/a.png",
                "raw.html",
                "ch02.html#y",
                "with space.md"
            ]
        );
        let s = scan(text);
        assert_eq!(s.title.as_ref().unwrap().text, "Title `x`");
        assert_eq!(&text[s.title.unwrap().lines], "# Title `x`\n");
        assert_eq!(s.fences.len(), 1);
        assert_eq!(s.fences[0].info, "md");
        assert_eq!(
            &text[s.fences[0].body.clone()],
            "[no](fence.html)\n[r2]: fence.html\n"
        );
    }

    #[test]
    fn title_heading_forms() {
        let text = |s, setext| heading_text(s, setext).0;
        assert_eq!(text("# A title #", false), "A title");
        assert_eq!(text("# C# #", false), "C#");
        assert_eq!(text("# Intro {#intro}", false), "Intro");
        assert_eq!(text("A\ntitle\n===", true), "A title");
        assert_eq!(
            heading_text("# Preface {.unnumbered}", false),
            ("Preface".to_string(), true, None)
        );
        assert_eq!(heading_text("# A {#a .x}", false).2.as_deref(), Some("a"));
        assert!(scan("Text\n\n# Late\n").title.is_none());
        let s = scan("## Section\n\n### Sub\n\n> #### Quoted\n\n```\n# code\n```\n");
        assert_eq!(s.title.unwrap().level, 2);
        assert_eq!(s.headings, [(12, 3), (23, 4)]);
    }

    proptest::proptest! {
        /// Whatever a chapter holds, scanning it never panics and every
        /// range it gives is whole characters of the text.
        #[test]
        fn any_text_is_scanned_without_panic(text in "(\\PC|\n|\t|[\\[\\]()#*<>!`{}:=\"'-]){0,300}") {
            let s = scan(&text);
            for d in &s.destinations {
                proptest::prop_assert_eq!(text.get(d.range.clone()), Some(d.url.as_str()));
            }
            for f in &s.fences {
                proptest::prop_assert!(text.get(f.body.clone()).is_some());
                proptest::prop_assert!(text.get(f.info_range.clone()).is_some());
            }
            if let Some(t) = &s.title {
                proptest::prop_assert!(text.get(t.lines.clone()).is_some());
            }
        }
    }

    #[test]
    fn text_beyond_ascii_keeps_its_characters_whole() {
        for text in [
            "# Un été\n\nTexte\n",
            "# 日本\n",
            "    indented é\n",
            "[é](x.md) `é` <b>é</b>\n\n| a | é |\n|---|---|\n| é | [ü](y.html) |\n",
            "\t# tab\n\n- \t[a](é.md)\n",
        ] {
            let s = scan(text);
            for d in &s.destinations {
                assert_eq!(text.get(d.range.clone()), Some(d.url.as_str()), "{text}");
            }
        }
        assert_eq!(scan("# Un été\n").title.unwrap().text, "Un été");
        assert_eq!(scan("# 日本\n").title.unwrap().text, "日本");
        let edits = vec![Edit {
            range: 1..2,
            with: "x".into(),
        }];
        assert_eq!(apply("é", edits), "é");
    }

    #[test]
    fn at_signs_that_would_cite_are_escaped_in_prose_only() {
        let text = "Ask @rustbot or [@team](https://x.org/@team), mail a@b.org, see https://x.org/@me\nand `@code` <a href=\"/@x\">@html</a> \\@done @{braced}\n\n```\n@fence\n```\n";
        let s = scan(text);
        let out = apply(text, escape_citations(text, &s));
        assert_eq!(
            out,
            "Ask \\@rustbot or [\\@team](https://x.org/@team), mail a@b.org, see https://x.org/@me\nand `@code` <a href=\"/@x\">\\@html</a> \\@done \\@{braced}\n\n```\n@fence\n```\n"
        );
        assert_eq!(
            escape_citations_in_line("On @home and `@x`"),
            "On \\@home and `@x`"
        );
    }

    #[test]
    fn edits_apply_back_to_front_and_skip_overlaps() {
        let edits = vec![
            Edit {
                range: 4..5,
                with: "X".into(),
            },
            Edit {
                range: 0..1,
                with: "ab".into(),
            },
            Edit {
                range: 4..6,
                with: "no".into(),
            },
        ];
        assert_eq!(apply("0123456", edits), "ab123X56");
    }
}
