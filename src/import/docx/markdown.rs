//! The chapter's Markdown, written from the document's blocks: headings,
//! paragraphs, block quotes, nested lists, GFM tables with their `Table:`
//! caption, figures captioned by the caption paragraph next to them, and
//! the notes at the end as Markdown footnotes.
//!
//! Input: [`Block`]s and the notes' blocks. Output: Markdown text that the
//! book's parser reads back as the same characters: every character of the
//! document that Markdown would take for syntax (`*`, `_`, `[`, `<`, `$`,
//! `@`, `#`, `~`, `^`, a `-` or `1.` opening a line…) is escaped, and
//! formatting markers never open or close next to a space, where Markdown
//! would not read them.

use super::content::{Block, Fmt, ParaKind, Piece, plain};

/// The formatting markers, in the order they nest (outermost first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Mark {
    Link,
    Strong,
    Emph,
    Strike,
    Caps,
    Sup,
    Sub,
}

impl Mark {
    fn open(self) -> &'static str {
        match self {
            Mark::Link | Mark::Caps => "[",
            Mark::Strong => "**",
            Mark::Emph => "*",
            Mark::Strike => "~~",
            Mark::Sup => "^",
            Mark::Sub => "~",
        }
    }
}

type Marker = (Mark, Option<String>);

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open(Marker),
    Close(Marker),
    Text(String),
    Raw(String),
    Break,
}

/// Where inline content is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Place {
    /// In a table cell: `|` is escaped.
    pub table: bool,
    /// On one line (a heading, a cell, a caption): breaks become spaces.
    pub one_line: bool,
}

fn markers(fmt: &Fmt) -> Vec<Marker> {
    let mut out = Vec::new();
    if let Some(url) = &fmt.link {
        out.push((Mark::Link, Some(url.clone())));
    }
    if fmt.bold {
        out.push((Mark::Strong, None));
    }
    if fmt.italic {
        out.push((Mark::Emph, None));
    }
    if fmt.strike {
        out.push((Mark::Strike, None));
    }
    if fmt.small_caps {
        out.push((Mark::Caps, None));
    }
    // `^…^` is not read inside brackets (a link's text, a span).
    let bracketed = fmt.link.is_some() || fmt.small_caps;
    if fmt.sup && !bracketed {
        out.push((Mark::Sup, None));
    } else if fmt.sub && !fmt.sup {
        out.push((Mark::Sub, None));
    }
    out
}

/// Whitespace that Markdown's emphasis rules count as such (no-break
/// spaces included): it must stay outside the markers.
fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// Leading and trailing ASCII spaces and breaks of a paragraph dropped
/// (no-break spaces are text and stay).
pub fn trim(pieces: &[Piece]) -> Vec<Piece> {
    let blank = |p: &Piece| match p {
        Piece::Break => true,
        Piece::Text(t, _) => t.chars().all(|c| c == ' ' || c == '\t'),
        _ => false,
    };
    let start = pieces
        .iter()
        .position(|p| !blank(p))
        .unwrap_or(pieces.len());
    let end = pieces
        .iter()
        .rposition(|p| !blank(p))
        .map_or(start, |i| i + 1);
    let mut out: Vec<Piece> = pieces[start..end.max(start)].to_vec();
    if let Some(Piece::Text(t, _)) = out.first_mut() {
        *t = t.trim_start_matches([' ', '\t']).to_string();
    }
    if let Some(Piece::Text(t, _)) = out.last_mut() {
        *t = t.trim_end_matches([' ', '\t']).to_string();
    }
    out
}

fn tokens(pieces: &[Piece]) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut stack: Vec<Marker> = Vec::new();
    for piece in pieces {
        let (want, tok) = match piece {
            Piece::Text(t, f) | Piece::Seq(t, f) => (markers(f), Tok::Text(t.clone())),
            Piece::Break => (stack.clone(), Tok::Break),
            Piece::Note(n) => (Vec::new(), Tok::Raw(format!("[^{n}]"))),
            Piece::Markdown(m) => (Vec::new(), Tok::Raw(m.clone())),
            Piece::Image { src, alt, link } => {
                let want = link.iter().map(|u| (Mark::Link, Some(u.clone()))).collect();
                let alt = inline(
                    &[Piece::Text(alt.clone(), Fmt::default())],
                    Place {
                        table: false,
                        one_line: true,
                    },
                );
                (want, Tok::Raw(format!("![{alt}]({})", destination(src))))
            }
        };
        let keep = stack.iter().zip(&want).take_while(|(a, b)| a == b).count();
        while stack.len() > keep {
            toks.push(Tok::Close(stack.pop().expect("longer than keep")));
        }
        for m in &want[keep..] {
            toks.push(Tok::Open(m.clone()));
            stack.push(m.clone());
        }
        toks.push(tok);
    }
    while let Some(m) = stack.pop() {
        toks.push(Tok::Close(m));
    }
    normalise(toks)
}

/// Moves spaces and breaks out of formatting markers and drops empty
/// pairs, so that every marker is read as one. Two linear passes (a
/// paragraph of a hostile document may hold a million runs): forwards,
/// what opens a marker's content moves before its opening markers;
/// backwards, what ends it moves after its closing markers.
fn normalise(toks: Vec<Tok>) -> Vec<Tok> {
    let forwards = shift_out(toks, Side::Leading);
    let mut backwards = shift_out(forwards.into_iter().rev().collect(), Side::Trailing);
    backwards.reverse();
    backwards
}

/// Which end of a marker's content [`shift_out`] clears.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    /// Tokens in reading order: spaces after opening markers.
    Leading,
    /// Tokens in reverse order: spaces before closing markers.
    Trailing,
}

fn shift_out(toks: Vec<Tok>, side: Side) -> Vec<Tok> {
    // In this pass's order, the marker a space must not follow, and the
    // one that ends a pair begun by it.
    let is_opening = |t: &Tok| match (t, side) {
        (Tok::Open(m), Side::Leading) | (Tok::Close(m), Side::Trailing) => m.0 != Mark::Link,
        _ => false,
    };
    let mut out: Vec<Tok> = Vec::with_capacity(toks.len());
    for tok in toks {
        // Where the run of opening markers at the end of `out` starts.
        let run = out.len() - out.iter().rev().take_while(|t| is_opening(t)).count();
        match tok {
            Tok::Text(t) if t.is_empty() => {}
            Tok::Text(t) if run < out.len() => {
                let rest = match side {
                    Side::Leading => t.trim_start_matches(is_space),
                    Side::Trailing => t.trim_end_matches(is_space),
                };
                if rest.len() < t.len() {
                    let space = match side {
                        Side::Leading => t[..t.len() - rest.len()].to_string(),
                        Side::Trailing => t[rest.len()..].to_string(),
                    };
                    let rest = rest.to_string();
                    out.insert(run, Tok::Text(space));
                    if !rest.is_empty() {
                        out.push(Tok::Text(rest));
                    }
                } else {
                    out.push(Tok::Text(t));
                }
            }
            Tok::Break if run < out.len() => out.insert(run, Tok::Break),
            // An opening marker right after its closing one (one run cut
            // in two), or a closing one right after its opening one (an
            // empty pair): both go. In reverse order the same holds.
            Tok::Open(m) => {
                if matches!(out.last(), Some(Tok::Close(n)) if *n == m) {
                    out.pop();
                } else {
                    out.push(Tok::Open(m));
                }
            }
            Tok::Close(m) => {
                if matches!(out.last(), Some(Tok::Open(n)) if *n == m) {
                    out.pop();
                } else {
                    out.push(Tok::Close(m));
                }
            }
            tok => out.push(tok),
        }
    }
    out
}

/// A link's or an image's destination: spaces, parentheses, angle
/// brackets and backslashes percent-encoded, so that it is one token.
pub fn destination(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '\\' => out.push_str("%5C"),
            c if c.is_control() || c.is_whitespace() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Characters escaped wherever they are.
fn always_escaped(c: char) -> bool {
    matches!(
        c,
        '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '&' | '$' | '@' | '^' | '~' | '{' | '#'
    )
}

/// Text made Markdown that reads back as the same characters.
fn escape(text: &str, line_start: bool, place: Place, out: &mut String) {
    if line_start {
        let first = text.chars().next();
        if first.is_some_and(|c| matches!(c, '>' | '-' | '+' | '=')) {
            out.push('\\');
        }
        // `1.` or `1)` opening a line would start a list.
        let digits = text.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 && matches!(text[digits..].chars().next(), Some('.' | ')')) {
            out.push_str(&text[..digits]);
            out.push('\\');
            out.push_str(&text[digits..digits + 1]);
            escape(&text[digits + 1..], false, place, out);
            return;
        }
    }
    for c in text.chars() {
        if always_escaped(c) || (place.table && c == '|') {
            out.push('\\');
        }
        out.push(c);
    }
}

/// Text outside links: web addresses become autolinks (`<https://…>`),
/// which keep their characters unescaped, the rest is escaped.
fn escape_with_urls(text: &str, line_start: bool, place: Place, out: &mut String) {
    let mut rest = text;
    let mut at_start = line_start;
    while let Some(found) = find_url(rest) {
        let (before, url, after) = (&rest[..found.0], &rest[found.0..found.1], &rest[found.1..]);
        if !before.is_empty() {
            escape(before, at_start, place, out);
        }
        out.push('<');
        out.push_str(url);
        out.push('>');
        at_start = false;
        rest = after;
    }
    if !rest.is_empty() {
        escape(rest, at_start, place, out);
    }
}

/// The next `http://` or `https://` address in text, as a byte range,
/// without the punctuation that ends a sentence after it.
fn find_url(text: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(rel) = text[from..].find("http") {
        let start = from + rel;
        let tail = &text[start..];
        let scheme = if tail.starts_with("https://") {
            8
        } else if tail.starts_with("http://") {
            7
        } else {
            from = start + 4;
            continue;
        };
        let boundary = text[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let len = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`' | '«' | '»'))
            .unwrap_or(tail.len());
        let mut end = len;
        while end > scheme
            && tail[..end].chars().next_back().is_some_and(|c| {
                matches!(
                    c,
                    '.' | ',' | ';' | ':' | '!' | '?' | ')' | '\'' | '’' | ']'
                )
            })
        {
            end -= tail[..end].chars().next_back().map_or(1, char::len_utf8);
        }
        if boundary && end > scheme + 1 && !tail[..end].contains(['\\', '{', '}']) {
            return Some((start, start + end));
        }
        from = start + scheme;
    }
    None
}

/// Inline content as Markdown.
pub fn inline(pieces: &[Piece], place: Place) -> String {
    let pieces = trim(pieces);
    let mut out = String::new();
    let mut line_start = true;
    let mut in_link = false;
    for tok in tokens(&pieces) {
        // A `!` of the text right before a bracket would make it an image.
        let bracket = match &tok {
            Tok::Open((m, _)) => matches!(m, Mark::Link | Mark::Caps),
            Tok::Raw(r) => r.starts_with('['),
            _ => false,
        };
        if bracket && out.ends_with('!') && !out.ends_with("\\!") {
            out.pop();
            out.push_str("\\!");
        }
        match tok {
            Tok::Open((m, _)) => {
                if m == Mark::Link {
                    in_link = true;
                }
                out.push_str(m.open());
                line_start = false;
            }
            Tok::Close((m, url)) => match m {
                Mark::Link => {
                    in_link = false;
                    out.push_str("](");
                    out.push_str(&destination(url.as_deref().unwrap_or("")));
                    out.push(')');
                }
                Mark::Caps => out.push_str("]{.smallcaps}"),
                m => out.push_str(m.open()),
            },
            Tok::Text(t) => {
                let t = if line_start {
                    t.trim_start_matches([' ', '\t'])
                } else {
                    &t
                };
                if t.is_empty() {
                    continue;
                }
                if in_link {
                    escape(t, line_start, place, &mut out);
                } else {
                    escape_with_urls(t, line_start, place, &mut out);
                }
                line_start = false;
            }
            Tok::Raw(r) => {
                out.push_str(&r);
                line_start = false;
            }
            Tok::Break => {
                if place.one_line {
                    out.push(' ');
                } else {
                    // Spaces before the break would make it a different one.
                    let kept = out.trim_end_matches(' ').len();
                    out.truncate(kept);
                    out.push_str("\\\n");
                    line_start = true;
                }
            }
        }
    }
    out
}

/// A block ready to be written.
#[derive(Debug, Clone)]
enum Out {
    Heading(usize, Vec<Piece>),
    Para(Vec<Piece>),
    Quote(Vec<Vec<Piece>>),
    List(Vec<(ParaKind, Vec<Piece>)>),
    Table {
        rows: Vec<Vec<Vec<Piece>>>,
        caption: Option<Vec<Piece>>,
    },
    Figure {
        image: Piece,
        caption: Option<Vec<Piece>>,
    },
}

/// The image of a paragraph that holds one image and nothing but spaces.
fn lone_image(pieces: &[Piece]) -> Option<&Piece> {
    let mut image = None;
    for p in pieces {
        match p {
            Piece::Image { .. } if image.is_none() => image = Some(p),
            Piece::Text(t, _) if t.trim().is_empty() => {}
            Piece::Break => {}
            _ => return None,
        }
    }
    image
}

/// Words that open a caption before its number, in the languages of the
/// book's users ("Figure 2: …", "Tableau 1 – …", "Abbildung 3. …").
const CAPTION_LABELS: &[&str] = &[
    "figure",
    "fig.",
    "fig",
    "table",
    "tab.",
    "tableau",
    "tabelle",
    "tabella",
    "tabla",
    "figura",
    "abbildung",
    "abb.",
    "illustration",
    "image",
    "graphique",
    "grafico",
    "graph",
    "chart",
    "carte",
    "map",
    "photo",
    "dessin",
    "drawing",
    "texte",
];

/// A caption without its label and number: the text after a `SEQ`
/// field's number (Word's and LibreOffice's captions), or after a label
/// word and a number typed by hand, and the separator that follows.
pub fn caption_text(pieces: &[Piece]) -> Vec<Piece> {
    let pieces = trim(pieces);
    let strip_separator = |mut rest: Vec<Piece>| {
        if let Some(Piece::Text(t, _)) = rest.first_mut() {
            *t = t
                .trim_start_matches(|c: char| {
                    c.is_whitespace() || matches!(c, ':' | '.' | '–' | '—' | '-' | ')' | '|')
                })
                .to_string();
        }
        trim(&rest)
    };
    if let Some(seq) = pieces.iter().position(|p| matches!(p, Piece::Seq(..))) {
        return strip_separator(pieces[seq + 1..].to_vec());
    }
    let Some(Piece::Text(first, fmt)) = pieces.first() else {
        return pieces;
    };
    let lower = first.to_lowercase();
    for label in CAPTION_LABELS {
        let Some(after) = lower.strip_prefix(label) else {
            continue;
        };
        let after = after.trim_start_matches(is_space);
        let number = after
            .chars()
            .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | '-'))
            .count();
        if number == 0 || !after.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        // Lowercasing keeps the byte lengths of these ASCII labels.
        let cut = first.len() - after.len() + number;
        if !first.is_char_boundary(cut) {
            continue;
        }
        let mut rest = vec![Piece::Text(first[cut..].to_string(), fmt.clone())];
        rest.extend_from_slice(&pieces[1..]);
        return strip_separator(rest);
    }
    pieces
}

/// The blocks in the shape they are written: figures found, captions
/// given to the figure before them or the table next to them, quote
/// paragraphs and list items grouped.
fn arrange(blocks: &[Block], shift: i32) -> Vec<Out> {
    let is_figure = |b: Option<&Block>| matches!(b, Some(Block::Para { kind, pieces }) if *kind != ParaKind::Caption && lone_image(pieces).is_some());
    let mut out: Vec<Out> = Vec::new();
    let mut pending: Option<Vec<Piece>> = None;
    for (i, block) in blocks.iter().enumerate() {
        let next = blocks.get(i + 1);
        match block {
            Block::Table { rows } => {
                let caption = pending.take();
                out.push(Out::Table {
                    rows: rows.clone(),
                    caption,
                });
            }
            Block::Para { kind, pieces } => {
                if *kind == ParaKind::Caption {
                    if let Some(image) = lone_image(pieces)
                        .or_else(|| pieces.iter().find(|p| matches!(p, Piece::Image { .. })))
                    {
                        // An image in its own caption's paragraph (a
                        // LibreOffice frame): a figure with that caption.
                        let text: Vec<Piece> = pieces
                            .iter()
                            .filter(|p| !matches!(p, Piece::Image { .. }))
                            .cloned()
                            .collect();
                        let caption = caption_text(&text);
                        out.push(Out::Figure {
                            image: image.clone(),
                            caption: (!plain(&caption).trim().is_empty()).then_some(caption),
                        });
                        continue;
                    }
                    let text = caption_text(pieces);
                    if let Some(Out::Figure {
                        caption: c @ None, ..
                    }) = out.last_mut()
                    {
                        *c = Some(text);
                    } else if matches!(next, Some(Block::Table { .. })) {
                        pending = Some(text);
                    } else if let Some(Out::Table {
                        caption: c @ None, ..
                    }) = out.last_mut()
                    {
                        *c = Some(text);
                    } else if is_figure(next) {
                        pending = Some(text);
                    } else {
                        out.push(Out::Para(pieces.clone()));
                    }
                    continue;
                }
                if let Some(image) = lone_image(pieces) {
                    let caption = pending.take();
                    out.push(Out::Figure {
                        image: image.clone(),
                        caption,
                    });
                    continue;
                }
                if let Some(p) = pending.take() {
                    // Promised to a neighbour that did not take it.
                    out.push(Out::Para(p));
                }
                match kind {
                    ParaKind::Heading(level) => {
                        let level = (i32::from(*level) + shift).clamp(2, 6) as usize;
                        out.push(Out::Heading(level, pieces.clone()));
                    }
                    ParaKind::Quote => match out.last_mut() {
                        Some(Out::Quote(paras)) => paras.push(pieces.clone()),
                        _ => out.push(Out::Quote(vec![pieces.clone()])),
                    },
                    ParaKind::Item { .. } => match out.last_mut() {
                        Some(Out::List(items)) => items.push((kind.clone(), pieces.clone())),
                        _ => out.push(Out::List(vec![(kind.clone(), pieces.clone())])),
                    },
                    _ => out.push(Out::Para(pieces.clone())),
                }
            }
        }
    }
    if let Some(p) = pending.take() {
        out.push(Out::Para(p));
    }
    out
}

/// Lines after the first prefixed by `indent`.
fn indent_rest(text: &str, indent: &str) -> String {
    let mut out = String::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            if !line.is_empty() {
                out.push_str(indent);
            }
        }
        out.push_str(line);
    }
    out
}

fn write_list(items: &[(ParaKind, Vec<Piece>)], out: &mut String) {
    // Word's levels of the open items, and the column each one's text
    // starts at (where its nested items must start).
    let mut open: Vec<(u8, usize)> = Vec::new();
    let mut last_list: Option<String> = None;
    let mut flip = false;
    for (kind, pieces) in items {
        let ParaKind::Item {
            ordered,
            number,
            list,
            level,
        } = kind
        else {
            continue;
        };
        while open.last().is_some_and(|(l, _)| l >= level) {
            open.pop();
        }
        let indent = open.last().map_or(0, |(_, col)| *col);
        if open.is_empty() {
            // Two lists in a row would be one in Markdown: the second
            // takes the other marker.
            if last_list.as_ref().is_some_and(|l| l != list) {
                flip = !flip;
            }
            last_list = Some(list.clone());
        }
        let marker = match (ordered, flip && open.is_empty()) {
            (true, false) => format!("{number}."),
            (true, true) => format!("{number})"),
            (false, false) => "-".to_string(),
            (false, true) => "*".to_string(),
        };
        let col = indent + marker.chars().count() + 1;
        let text = inline(pieces, Place::default());
        out.push_str(&" ".repeat(indent));
        out.push_str(&marker);
        out.push(' ');
        out.push_str(&indent_rest(&text, &" ".repeat(col)));
        out.push('\n');
        open.push((*level, col));
    }
}

fn write_table(rows: &[Vec<Vec<Piece>>], caption: Option<&[Piece]>, out: &mut String) {
    let cell = Place {
        table: true,
        one_line: true,
    };
    if let Some(caption) = caption {
        out.push_str("Table: ");
        out.push_str(&inline(
            caption,
            Place {
                table: false,
                one_line: true,
            },
        ));
        out.push_str("\n\n");
    }
    let width = rows.iter().map(Vec::len).max().unwrap_or(0).max(1);
    let line = |cells: Vec<String>| {
        let mut s = String::from("|");
        for c in cells {
            s.push(' ');
            s.push_str(&c);
            s.push_str(" |");
        }
        s.push('\n');
        s
    };
    for (i, row) in rows.iter().enumerate() {
        let mut cells: Vec<String> = row.iter().map(|c| inline(c, cell)).collect();
        cells.resize(width, String::new());
        out.push_str(&line(cells));
        if i == 0 {
            out.push_str(&line(vec!["---".to_string(); width]));
        }
    }
}

/// Blocks as Markdown, each followed by a blank line. `shift` is added to
/// Word's heading levels (1 when Heading 1 is a section, `##`; 0 when it
/// was the title).
pub fn blocks(blocks: &[Block], shift: i32) -> String {
    let mut out = String::new();
    for block in arrange(blocks, shift) {
        let start = out.len();
        match block {
            Out::Heading(level, pieces) => {
                let text = inline(
                    &pieces,
                    Place {
                        table: false,
                        one_line: true,
                    },
                );
                if text.is_empty() {
                    continue;
                }
                out.push_str(&"#".repeat(level));
                out.push(' ');
                out.push_str(&text);
                out.push('\n');
            }
            Out::Para(pieces) => {
                let text = inline(&pieces, Place::default());
                if text.trim().is_empty() {
                    continue;
                }
                out.push_str(&text);
                out.push('\n');
            }
            Out::Quote(paras) => {
                let texts: Vec<String> = paras
                    .iter()
                    .map(|p| inline(p, Place::default()))
                    .filter(|t| !t.trim().is_empty())
                    .collect();
                for (i, t) in texts.iter().enumerate() {
                    if i > 0 {
                        out.push_str(">\n");
                    }
                    for line in t.split('\n') {
                        out.push_str("> ");
                        out.push_str(line);
                        out.push('\n');
                    }
                }
            }
            Out::List(items) => write_list(&items, &mut out),
            Out::Table { rows, caption } => write_table(&rows, caption.as_deref(), &mut out),
            Out::Figure { image, caption } => {
                let image = match (image, caption) {
                    (Piece::Image { src, link, .. }, Some(caption)) => {
                        let alt = inline(
                            &caption,
                            Place {
                                table: false,
                                one_line: true,
                            },
                        );
                        let md = format!("![{alt}]({})", destination(&src));
                        match link {
                            Some(url) => format!("[{md}]({})", destination(&url)),
                            None => md,
                        }
                    }
                    (image, None) => inline(&[image], Place::default()),
                    (_, Some(_)) => continue,
                };
                out.push_str(&image);
                out.push('\n');
            }
        }
        if out.len() > start {
            out.push('\n');
        }
    }
    out
}

/// The notes, `[^n]: …`, each note's later blocks indented under it.
pub fn notes(notes: &[(u32, Vec<Block>)]) -> String {
    let mut out = String::new();
    for (n, content) in notes {
        let text = blocks(content, 1);
        let text = text.trim_end();
        out.push_str(&format!("[^{n}]: "));
        out.push_str(&indent_rest(text, "    "));
        out.push_str("\n\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Piece {
        Piece::Text(s.into(), Fmt::default())
    }
    fn f(s: &str, fmt: Fmt) -> Piece {
        Piece::Text(s.into(), fmt)
    }
    fn it() -> Fmt {
        Fmt {
            italic: true,
            ..Fmt::default()
        }
    }
    fn bold() -> Fmt {
        Fmt {
            bold: true,
            ..Fmt::default()
        }
    }

    #[test]
    fn markdown_characters_are_escaped() {
        let md = inline(
            &[t("a *b* _c_ [d] <e> $5 @x #1 ~y~ 2^3 `z` \\ & {#id}")],
            Place::default(),
        );
        assert_eq!(
            md,
            "a \\*b\\* \\_c\\_ \\[d\\] \\<e> \\$5 \\@x \\#1 \\~y\\~ 2\\^3 \\`z\\` \\\\ \\& \\{\\#id}"
        );
        assert_eq!(
            inline(&[t("- not a list")], Place::default()),
            "\\- not a list"
        );
        assert_eq!(
            inline(&[t("1. not a list")], Place::default()),
            "1\\. not a list"
        );
        assert_eq!(inline(&[t("2012) was")], Place::default()), "2012\\) was");
        assert_eq!(inline(&[t("> no")], Place::default()), "\\> no");
        assert_eq!(
            inline(&[t("là !"), Piece::Note(2)], Place::default()),
            "là \\![^2]"
        );
        assert_eq!(
            inline(
                &[t("a | b")],
                Place {
                    table: true,
                    one_line: true
                }
            ),
            "a \\| b"
        );
    }

    #[test]
    fn lines_after_a_break_are_escaped_too() {
        let md = inline(
            &[
                t("one"),
                Piece::Break,
                t("# two"),
                Piece::Break,
                t("3. three"),
            ],
            Place::default(),
        );
        assert_eq!(md, "one\\\n\\# two\\\n3\\. three");
    }

    #[test]
    fn markers_hold_no_outer_space_and_runs_merge() {
        let md = inline(
            &[
                t("a "),
                f("b ", it()),
                f("c", it()),
                t(" d "),
                f(" e", bold()),
                t("."),
            ],
            Place::default(),
        );
        assert_eq!(md, "a *b c* d  **e**.");
        let nbsp = inline(&[f("mot\u{a0}", it()), t(":")], Place::default());
        assert_eq!(nbsp, "*mot*\u{a0}:");
    }

    #[test]
    fn nested_formatting_links_sup_sub_and_small_caps() {
        let link = Fmt {
            link: Some("https://example.org/a b".into()),
            ..Fmt::default()
        };
        let md = inline(
            &[
                f(
                    "x",
                    Fmt {
                        sup: true,
                        ..Fmt::default()
                    },
                ),
                t(" H"),
                f(
                    "2",
                    Fmt {
                        sub: true,
                        ..Fmt::default()
                    },
                ),
                t("O "),
                f(
                    "Ostrom",
                    Fmt {
                        small_caps: true,
                        ..Fmt::default()
                    },
                ),
                t(" "),
                f("site", link.clone()),
                f(
                    " web",
                    Fmt {
                        italic: true,
                        ..link
                    },
                ),
            ],
            Place::default(),
        );
        assert_eq!(
            md,
            "^x^ H~2~O [Ostrom]{.smallcaps} [site *web*](https://example.org/a%20b)"
        );
    }

    #[test]
    fn a_paragraph_of_many_runs_is_written_in_one_pass() {
        // A hostile document's paragraph: 60,000 runs, italic every other
        // one, each with a space at both ends (which move out of the
        // markers). Written in linear time, every word in its place.
        let pieces: Vec<Piece> = (0..60_000)
            .map(|i| {
                let fmt = if i % 2 == 0 { it() } else { Fmt::default() };
                f(&format!(" w{i} "), fmt)
            })
            .collect();
        let md = inline(&pieces, Place::default());
        assert!(md.starts_with("*w0*  w1  *w2*"), "{}", &md[..40]);
        assert_eq!(md.matches('*').count(), 60_000);
    }

    #[test]
    fn addresses_in_text_become_autolinks() {
        let md = inline(
            &[t("voir https://ex.org/a_b*c. Et http://x.fr/@moi")],
            Place::default(),
        );
        assert_eq!(md, "voir <https://ex.org/a_b*c>. Et <http://x.fr/@moi>");
    }

    #[test]
    fn captions_lose_their_label_and_number() {
        let c = caption_text(&[t("Figure 2: Une carte")]);
        assert_eq!(plain(&c), "Une carte");
        let c = caption_text(&[
            t("Tableau "),
            Piece::Seq("3".into(), Fmt::default()),
            t(" – Budget"),
        ]);
        assert_eq!(plain(&c), "Budget");
        let c = caption_text(&[t("Figure de style")]);
        assert_eq!(plain(&c), "Figure de style");
    }

    #[test]
    fn lists_nest_and_two_lists_stay_two() {
        let item = |ordered, number, list: &str, level| Block::Para {
            kind: ParaKind::Item {
                ordered,
                number,
                list: list.into(),
                level,
            },
            pieces: vec![t("x")],
        };
        let md = blocks(
            &[
                item(true, 1, "1", 0),
                item(false, 1, "1", 1),
                item(false, 1, "1", 1),
                item(true, 2, "1", 0),
                item(true, 1, "2", 0),
            ],
            1,
        );
        assert_eq!(md, "1. x\n   - x\n   - x\n2. x\n1) x\n\n");
    }

    #[test]
    fn tables_captions_figures_quotes_and_notes() {
        let md = blocks(
            &[
                Block::Para {
                    kind: ParaKind::Caption,
                    pieces: vec![t("Table 1: Budget")],
                },
                Block::Table {
                    rows: vec![vec![vec![t("a")], vec![t("b|c")]], vec![vec![t("1")]]],
                },
                Block::Para {
                    kind: ParaKind::Body,
                    pieces: vec![Piece::Image {
                        src: "images/x/image1.png".into(),
                        alt: "alt".into(),
                        link: None,
                    }],
                },
                Block::Para {
                    kind: ParaKind::Caption,
                    pieces: vec![t("Figure 1. Une *carte*")],
                },
                Block::Para {
                    kind: ParaKind::Quote,
                    pieces: vec![t("q1")],
                },
                Block::Para {
                    kind: ParaKind::Quote,
                    pieces: vec![t("q2"), Piece::Note(1)],
                },
                Block::Para {
                    kind: ParaKind::Heading(1),
                    pieces: vec![t("Titre")],
                },
            ],
            1,
        );
        assert_eq!(
            md,
            "Table: Budget\n\n| a | b\\|c |\n| --- | --- |\n| 1 |  |\n\n![Une \\*carte\\*](images/x/image1.png)\n\n> q1\n>\n> q2[^1]\n\n## Titre\n\n"
        );
        let n = notes(&[(
            1,
            vec![
                Block::Para {
                    kind: ParaKind::Body,
                    pieces: vec![t("one")],
                },
                Block::Para {
                    kind: ParaKind::Body,
                    pieces: vec![t("two")],
                },
            ],
        )]);
        assert_eq!(n, "[^1]: one\n\n    two\n\n");
    }
}
