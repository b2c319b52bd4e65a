//! Pandoc's bracketed spans, `[text]{.smallcaps}` and `[text]{.index …}`,
//! found among a node's inline children before they are lowered.
//!
//! Stage: lowering (comrak has no bracketed spans: it leaves their
//! brackets and attributes as text). Input: the inline items of one
//! parent node; output: the same items with each span gathered into
//! [`Item::Span`], its attributes read. A `[` or `]` escaped with a
//! backslash is an escape node, never text, so it opens or closes
//! nothing; links and footnote references are nodes of their own. A span
//! whose attributes ouvrage does not know (`{.unknown}`, `{#id}`) stays
//! text, as it was before spans were read.

use comrak::nodes::{AstNode, NodeValue};

/// Inline content on its way to the model: a node, a part of a text node
/// (a byte range of its text), or a bracketed span.
#[derive(Clone)]
pub(super) enum Item<'a> {
    Node(&'a AstNode<'a>),
    Text(&'a AstNode<'a>, std::ops::Range<usize>),
    Span(Box<SpanAttrs<'a>>, Vec<Item<'a>>),
}

/// What a bracketed span's attributes ask for, and where it was written.
#[derive(Clone, Default)]
pub(super) struct SpanAttrs<'a> {
    /// `.smallcaps`.
    pub small_caps: bool,
    /// `.index`.
    pub index: bool,
    /// `.name` (with `.index`).
    pub name: bool,
    /// `key="…"`.
    pub key: Option<String>,
    /// `see="…"`.
    pub see: Option<String>,
    /// `seealso="…"`.
    pub see_also: Option<String>,
    /// The text node holding the `[` and its byte offset in that node's
    /// text, and likewise the place right after the closing `}`.
    pub open: Option<(&'a AstNode<'a>, usize)>,
    /// See [`SpanAttrs::open`].
    pub end: Option<(&'a AstNode<'a>, usize)>,
}

/// Reads an attribute block's inside (`.index key="a, b"`); `None` when it
/// holds anything ouvrage does not read on a span.
fn read_attrs<'a>(inside: &str) -> Option<SpanAttrs<'a>> {
    let mut attrs = SpanAttrs::default();
    let mut rest = inside.trim();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(char::is_whitespace).unwrap_or(after.len());
            match &after[..end] {
                "smallcaps" => attrs.small_caps = true,
                "index" => attrs.index = true,
                "name" => attrs.name = true,
                _ => return None,
            }
            rest = after[end..].trim_start();
            continue;
        }
        let eq = rest.find('=')?;
        let name = &rest[..eq];
        let value_start = &rest[eq + 1..];
        let (value, after) = match value_start.chars().next()? {
            q @ ('"' | '\'') => {
                let close = value_start[1..].find(q)?;
                (&value_start[1..1 + close], &value_start[close + 2..])
            }
            _ => {
                let end = value_start
                    .find(char::is_whitespace)
                    .unwrap_or(value_start.len());
                (&value_start[..end], &value_start[end..])
            }
        };
        let slot = match name {
            "key" => &mut attrs.key,
            "see" => &mut attrs.see,
            "seealso" => &mut attrs.see_also,
            _ => return None,
        };
        *slot = Some(value.to_string());
        if !after.is_empty() && !after.starts_with(char::is_whitespace) {
            return None;
        }
        rest = after.trim_start();
    }
    // `.name`, `key`, `see` and `seealso` belong to an index term.
    let index_only =
        attrs.name || attrs.key.is_some() || attrs.see.is_some() || attrs.see_also.is_some();
    let known = if attrs.index {
        true
    } else {
        attrs.small_caps && !index_only
    };
    if !known {
        return None;
    }
    Some(attrs)
}

/// The text an item adds to an attribute block: a text item's, an inline
/// HTML node's (`key="<b>"` is read by comrak as a tag) or an escaped
/// character's; `None` for any other node (emphasis, a link…), which
/// cannot be inside attributes.
fn attr_text(item: &Item<'_>) -> Option<String> {
    match item {
        Item::Text(node, range) => match &node.data().value {
            NodeValue::Text(t) => Some(t[range.clone()].to_string()),
            _ => None,
        },
        Item::Node(node) => match &node.data().value {
            NodeValue::HtmlInline(h) => Some(h.clone()),
            NodeValue::Escaped => Some(
                node.children()
                    .filter_map(|c| match &c.data().value {
                        NodeValue::Text(t) => Some(t.to_string()),
                        _ => None,
                    })
                    .collect(),
            ),
            _ => None,
        },
        Item::Span(..) => None,
    }
}

fn text_of(item: &Item<'_>) -> Option<String> {
    match item {
        Item::Text(node, range) => match &node.data().value {
            NodeValue::Text(t) => Some(t[range.clone()].to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// The attributes right after a `]` at `(item, at)`: what they ask for and
/// where they end (the item and the offset in its text after the `}`, which
/// must be in a text item).
fn attributes_after<'a>(
    items: &[Item<'a>],
    item: usize,
    at: usize,
) -> Option<(SpanAttrs<'a>, usize, usize)> {
    let first = text_of(&items[item])?;
    if !first[at + 1..].starts_with('{') {
        return None;
    }
    let mut gathered = String::new();
    let mut quote: Option<char> = None;
    for (j, later) in items.iter().enumerate().skip(item) {
        let text = attr_text(later)?;
        let from = if j == item { at + 2 } else { 0 };
        for (k, c) in text[from..].char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (None, '"' | '\'') => quote = Some(c),
                (None, '}') => {
                    // The end must be in text (to slice the rest from it).
                    text_of(later)?;
                    return read_attrs(&gathered).map(|a| (a, j, from + k + 1));
                }
                (None, '{') => return None,
                _ => {}
            }
            gathered.push(c);
        }
    }
    None
}

/// A place among items: an item, and a byte offset in its text (for a
/// node: 0 before it, 1 after).
type Place = (usize, usize);

/// The items between two places, text items cut there.
fn cut<'a>(items: &[Item<'a>], from: Place, to: Place) -> Vec<Item<'a>> {
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate().take(to.0 + 1).skip(from.0) {
        let start = if i == from.0 { from.1 } else { 0 };
        let end = (i == to.0).then_some(to.1);
        match item {
            Item::Text(node, range) => {
                let s = range.start + start;
                let e = end.map_or(range.end, |e| range.start + e);
                if s < e {
                    out.push(Item::Text(node, s..e));
                }
            }
            _ => {
                if end == Some(0) || start > 0 {
                    continue;
                }
                out.push(item.clone());
            }
        }
    }
    out
}

/// A `]{.index…` or `]{.smallcaps…` whose attributes could not be read
/// (markup inside them, an unknown attribute, an unclosed quote): the text
/// node and the offset of its `{`, for a warning.
pub(super) type Unread<'a> = (&'a AstNode<'a>, usize);

/// The first bracketed span: its `[` and `]` places, its attributes and
/// the place after them; a span-like text whose attributes cannot be read
/// goes to `unread`.
fn find_span<'a>(
    items: &[Item<'a>],
    unread: &mut Vec<Unread<'a>>,
) -> Option<(Place, Place, SpanAttrs<'a>, Place)> {
    for (open_item, item) in items.iter().enumerate() {
        let Some(text) = text_of(item) else { continue };
        for (open_at, _) in text.match_indices('[') {
            let mut depth = 0usize;
            for (j, later) in items.iter().enumerate().skip(open_item) {
                let Some(t) = text_of(later) else { continue };
                let from = if j == open_item { open_at } else { 0 };
                let mut closed = None;
                for (k, c) in t[from..].char_indices() {
                    match c {
                        '[' => depth += 1,
                        ']' => {
                            depth -= 1;
                            if depth == 0 {
                                closed = Some(from + k);
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                if let Some(close_at) = closed {
                    if let Some((attrs, end_item, end_at)) = attributes_after(items, j, close_at) {
                        return Some((
                            (open_item, open_at),
                            (j, close_at),
                            attrs,
                            (end_item, end_at),
                        ));
                    }
                    let after = &t[close_at + 1..];
                    if (after.starts_with("{.index") || after.starts_with("{.smallcaps"))
                        && let Item::Text(node, range) = later
                        && !unread.iter().any(|(n, o)| {
                            std::ptr::eq(*n, *node) && *o == range.start + close_at + 1
                        })
                    {
                        unread.push((*node, range.start + close_at + 1));
                    }
                    break;
                }
            }
        }
    }
    None
}

/// `items` with each bracketed span gathered into [`Item::Span`]; spans
/// whose attributes cannot be read stay text, and go to `unread`.
pub(super) fn bracketed_spans<'a>(
    items: Vec<Item<'a>>,
    unread: &mut Vec<Unread<'a>>,
) -> Vec<Item<'a>> {
    let Some((open, close, mut attrs, end)) = find_span(&items, unread) else {
        return items;
    };
    let node_at = |place: Place| match &items[place.0] {
        Item::Text(node, range) => Some((*node, range.start + place.1)),
        _ => None,
    };
    attrs.open = node_at(open);
    attrs.end = node_at(end);
    let mut out = cut(&items, (0, 0), open);
    let inside = cut(&items, (open.0, open.1 + 1), close);
    let rest = cut(&items, end, (items.len(), 0));
    out.push(Item::Span(Box::new(attrs), bracketed_spans(inside, unread)));
    out.extend(bracketed_spans(rest, unread));
    out
}

#[cfg(test)]
mod tests {
    use super::read_attrs;

    #[test]
    fn attributes_ouvrage_reads_on_a_span() {
        let a = read_attrs(r#".index key="communs, gestion des" .name"#).unwrap();
        assert!(a.index && a.name && !a.small_caps);
        assert_eq!(a.key.as_deref(), Some("communs, gestion des"));
        let a = read_attrs(r#".index see='biens "communs"' seealso=x"#).unwrap();
        assert_eq!(a.see.as_deref(), Some(r#"biens "communs""#));
        assert_eq!(a.see_also.as_deref(), Some("x"));
        assert!(read_attrs(".smallcaps").unwrap().small_caps);
        // What stays text: unknown classes and keys, an index key without
        // `.index`, an unclosed quote.
        for other in [
            ".unknown",
            "#id",
            ".smallcaps key=x",
            ".name",
            ".index lang=fr",
            ".index key=\"x",
            "",
        ] {
            assert!(read_attrs(other).is_none(), "{other}");
        }
    }
}
