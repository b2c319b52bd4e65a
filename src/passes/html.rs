//! Raw HTML written in a chapter, made model nodes where it means something
//! every output can show, whatever `[html] raw-html` says.
//!
//! Stage: part of each chapter's parse ([`convert_chapter`]), and the
//! second pass for the bios (before ids and numbering, so that an image it
//! makes a figure is numbered). Input: the model's raw HTML nodes
//! ([`BlockKind::Html`], [`Inline::Html`]) in chapters (title, abstract,
//! body, notes) and bios. Output:
//!
//! - comments (`<!-- … -->`) are dropped: authors leave notes in them that
//!   must never print, in any output, under any policy;
//! - `<img src alt>` whose `src` is a file of the book becomes an image (a
//!   numbered figure when it stands alone, its alt text the caption), which
//!   the links pass then checks like a Markdown image;
//! - `<a id="…">` or `<a name="…">` without `href` becomes an
//!   [`Inline::Anchor`] that links can point to (its `</a>` goes with it);
//! - `<br>` becomes a line break;
//! - anything else stays raw HTML, for each output's policy; under
//!   `escape` (the default) it is printed as text, so it is a warning at its
//!   line rather than silent literal text;
//! - raw HTML whose elements nest deeper than [`MAX_NESTING`] (a block, or
//!   the fragments of one paragraph, heading, cell or caption together) is
//!   an error and is left out, as Markdown nested that deep is: the
//!   renderers that read it again (the EPUB's XML writer) recurse.
//!
//! html5ever (through scraper, as the EPUB's XHTML writer uses it) reads the
//! tags, so that attributes are decoded as a browser decodes them.

use scraper::{Html, Node};

use crate::config::RawHtml;
use crate::config::read::is_length;
use crate::diag::{Diagnostic, Sink, Span};
use crate::model::{
    Block, BlockKind, Book, Chapter, Figure, Image, Inline, MAX_NESTING, block_inlines_mut,
    walk_inlines_mut,
};

/// Converts the raw HTML of one chapter (title, abstract, body, notes),
/// whose file's text is `text`. `escape`: raw HTML is printed as text
/// (`raw-html = "escape"`), so each piece left is warned about.
///
/// It reads nothing but the chapter and that setting, so it is part of the
/// chapter's parse (`pipeline`): `watch` keeps it with the parse and a
/// save converts only the chapter saved.
pub fn convert_chapter(chapter: &mut Chapter, text: &str, escape: bool, sink: &mut Sink) {
    // Raw HTML is only ever read from a `<` of the chapter's file (its
    // front matter's title and abstract included): most chapters have
    // none, and rebuilding their every list would be all the work.
    if text.contains('<') {
        let mut pass = Pass { sink, escape };
        for blocks in chapter.block_lists_mut() {
            pass.blocks(blocks);
        }
    }
}

/// Converts the raw HTML of the bios, warned about under `escape`; for a
/// book parsed for its `outline` only, that of the chapters too (a whole
/// parse converts each chapter's own), and nothing is warned about (the
/// faults are `check`'s).
pub fn convert_html(book: &mut Book, sink: &mut Sink, outline: bool) {
    let escape = !outline && book.config.html.raw_html == RawHtml::Escape;
    if outline {
        for chapter in &mut book.chapters {
            let text = &book.sources.get(chapter.file).text;
            convert_chapter(chapter, text, escape, sink);
        }
    }
    let mut pass = Pass { sink, escape };
    for person in &mut book.people {
        pass.blocks(&mut person.bio);
    }
}

struct Pass<'s> {
    sink: &'s mut Sink,
    /// Whether raw HTML left is printed as text, and so warned about.
    escape: bool,
}

impl Pass<'_> {
    fn blocks(&mut self, blocks: &mut Vec<Block>) {
        let old = std::mem::take(blocks);
        for mut block in old {
            match block.kind {
                BlockKind::Html(html) => self.html_block(html, block.span, blocks),
                _ => {
                    self.block(&mut block);
                    blocks.push(block);
                }
            }
        }
    }

    /// An HTML block: its comments dropped, made images and anchors when
    /// that is all it holds, else kept for the policy.
    fn html_block(&mut self, html: String, span: Span, out: &mut Vec<Block>) {
        let html = strip_comments(&html);
        if html.trim().is_empty() {
            return;
        }
        if let Some(depth) = too_deep(&html) {
            self.too_deep(&span, depth);
            return;
        }
        if let Some(items) = lone_elements(&html) {
            let mut anchors = Vec::new();
            for item in items {
                match item {
                    Item::Anchor(id) => anchors.push(Inline::Anchor(id)),
                    Item::Image(image) => {
                        if !anchors.is_empty() {
                            out.push(Block {
                                kind: BlockKind::Paragraph(std::mem::take(&mut anchors)),
                                span: span.clone(),
                            });
                        }
                        out.push(Block {
                            kind: BlockKind::Figure(Figure {
                                image,
                                label: None,
                                number: None,
                            }),
                            span: span.clone(),
                        });
                    }
                }
            }
            if !anchors.is_empty() {
                out.push(Block {
                    kind: BlockKind::Paragraph(anchors),
                    span,
                });
            }
            return;
        }
        self.warn_escaped(&span);
        out.push(Block {
            kind: BlockKind::Html(html),
            span,
        });
    }

    fn block(&mut self, block: &mut Block) {
        let span = block.span.clone();
        let mut raw_left = false;
        match &mut block.kind {
            BlockKind::Paragraph(inlines) => {
                raw_left = self.inlines(inlines);
                // An image alone in its paragraph is a figure, as in
                // Markdown (whose lone images the lowering already made
                // figures: one left here came from HTML).
                let meaningful: Vec<&Inline> = inlines.iter().filter(|i| !is_blank(i)).collect();
                if let [Inline::Image(image)] = meaningful.as_slice() {
                    block.kind = BlockKind::Figure(Figure {
                        image: image.clone(),
                        label: None,
                        number: None,
                    });
                }
            }
            BlockKind::Heading(h) => raw_left = self.inlines(&mut h.content),
            BlockKind::BlockQuote(blocks) | BlockKind::Alert { blocks, .. } => self.blocks(blocks),
            BlockKind::List { items, .. } => {
                for item in items {
                    self.blocks(&mut item.blocks);
                }
            }
            BlockKind::Figure(f) => raw_left = self.inlines(&mut f.image.alt),
            BlockKind::Table(t) => {
                raw_left = self.inlines(&mut t.caption);
                for cell in t.header.iter_mut().chain(t.rows.iter_mut().flatten()) {
                    raw_left |= self.inlines(cell);
                }
            }
            BlockKind::CodeBlock { .. }
            | BlockKind::Raw { .. }
            | BlockKind::Html(_)
            | BlockKind::Math(_)
            | BlockKind::Rule => {}
        }
        if raw_left {
            let mut fragments = String::new();
            block_inlines_mut(block, &mut |inlines| {
                walk_inlines_mut(inlines, &mut |inline| {
                    if let Inline::Html(html) = inline {
                        fragments.push_str(html);
                    }
                })
            });
            if let Some(depth) = too_deep(&fragments) {
                self.too_deep(&span, depth);
                block_inlines_mut(block, &mut |inlines| {
                    walk_inlines_mut(inlines, &mut |inline| {
                        if matches!(inline, Inline::Html(_)) {
                            *inline = Inline::Text(String::new());
                        }
                    })
                });
                return;
            }
            self.warn_escaped(&span);
        }
    }

    fn too_deep(&mut self, span: &Span, depth: usize) {
        self.sink.push(
            Diagnostic::error(
                span.clone(),
                format!("this raw HTML nests its elements {depth} deep, more than {MAX_NESTING}"),
            )
            .hint(format!(
                "ouvrage reads at most {MAX_NESTING} elements of HTML inside one another; flatten the markup here (it is left out)"
            )),
        );
    }

    /// Converts the raw HTML of a run of inlines; returns whether any is
    /// left for the policy.
    fn inlines(&mut self, inlines: &mut Vec<Inline>) -> bool {
        let old = std::mem::take(inlines);
        let mut raw_left = false;
        // For each `<a …>` opened in this run: whether it became an anchor
        // (its `</a>` then goes too).
        let mut open_links: Vec<bool> = Vec::new();
        for mut inline in old {
            match &mut inline {
                Inline::Html(html) => {
                    let had_comment = html.contains("<!--");
                    let stripped = strip_comments(html);
                    if stripped.trim().is_empty() {
                        if !had_comment {
                            inlines.push(inline);
                        }
                        continue;
                    }
                    if is_closing_a(&stripped) {
                        if let Some(true) = open_links.pop() {
                            continue;
                        }
                    } else if let Some(tag) = single_tag(&stripped) {
                        match tag {
                            Item::Anchor(id) => {
                                if !stripped.trim_end().ends_with("/>") {
                                    open_links.push(true);
                                }
                                inlines.push(Inline::Anchor(id));
                                continue;
                            }
                            Item::Image(image) => {
                                inlines.push(Inline::Image(image));
                                continue;
                            }
                        }
                    } else if is_line_break(&stripped) {
                        inlines.push(Inline::LineBreak);
                        continue;
                    } else if is_opening_a(&stripped) {
                        open_links.push(false);
                    }
                    raw_left = true;
                    inlines.push(Inline::Html(stripped));
                    continue;
                }
                Inline::Emph(c)
                | Inline::Strong(c)
                | Inline::Strike(c)
                | Inline::Sup(c)
                | Inline::Sub(c)
                | Inline::SmallCaps(c) => raw_left |= self.inlines(c),
                Inline::Link { content, .. } => raw_left |= self.inlines(content),
                Inline::IndexTerm(m) => raw_left |= self.inlines(&mut m.content),
                Inline::Image(image) => raw_left |= self.inlines(&mut image.alt),
                _ => {}
            }
            inlines.push(inline);
        }
        raw_left
    }

    fn warn_escaped(&mut self, span: &Span) {
        if !self.escape {
            return;
        }
        self.sink.push(
            Diagnostic::warning(
                span.clone(),
                "this raw HTML is printed as text (`raw-html = \"escape\"`)",
            )
            .hint("write it in Markdown, remove it, or set `raw-html = \"sanitize\"` under [html] in book.toml to let the site and the EPUB show it"),
        );
    }
}

/// How deep the elements of `html` nest when a browser reads it
/// (html5ever), when that is more than [`MAX_NESTING`]. Counted with a
/// stack of our own: the markup may nest thousands deep.
fn too_deep(html: &str) -> Option<usize> {
    let doc = Html::parse_fragment(html);
    let mut deepest = 0;
    // The fragment's own `<html>` element is depth 0.
    let mut stack = vec![(doc.root_element().id(), 0usize)];
    while let Some((id, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        let Some(node) = doc.tree.get(id) else {
            continue;
        };
        for child in node.children() {
            if child.value().is_element() {
                stack.push((child.id(), depth + 1));
            }
        }
    }
    (deepest > MAX_NESTING).then_some(deepest)
}

/// What an element of raw HTML becomes.
enum Item {
    Image(Image),
    Anchor(String),
}

/// `html` without its comments. An unclosed comment runs to the end, as
/// in a browser.
pub fn strip_comments(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        let body = &rest[start + 4..];
        // `<!-->` and `<!--->` are (empty) comments too.
        let end = if body.starts_with('>') {
            Some(1)
        } else if body.starts_with("->") {
            Some(2)
        } else {
            body.find("-->").map(|e| e + 3)
        };
        match end {
            Some(end) => rest = &body[end..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// The images and anchors of an HTML block that holds nothing else (but
/// wrappers such as `<p>`, `<div>`, `<center>`, `<figure>` and blank text);
/// `None` when it holds anything else, or nothing of the kind.
fn lone_elements(html: &str) -> Option<Vec<Item>> {
    let doc = Html::parse_fragment(html);
    let mut items = Vec::new();
    for child in doc.root_element().children() {
        collect(child, &mut items)?;
    }
    (!items.is_empty()).then_some(items)
}

fn collect(node: ego_tree::NodeRef<'_, Node>, items: &mut Vec<Item>) -> Option<()> {
    match node.value() {
        Node::Text(text) => text.trim().is_empty().then_some(()),
        Node::Comment(_) => Some(()),
        Node::Element(element) => {
            let name: &str = &element.name.local;
            match name {
                "img" => {
                    items.push(Item::Image(image_of(element)?));
                    Some(())
                }
                "a" => {
                    items.push(Item::Anchor(anchor_of(element)?));
                    for child in node.children() {
                        collect(child, items)?;
                    }
                    Some(())
                }
                "figcaption" => {
                    // The caption of the figure's image.
                    let text: String = node
                        .descendants()
                        .filter_map(|n| n.value().as_text().map(|t| t.to_string()))
                        .collect();
                    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                    match items.last_mut() {
                        Some(Item::Image(image)) if !text.is_empty() => {
                            image.alt = vec![Inline::Text(text)];
                            Some(())
                        }
                        _ => None,
                    }
                }
                "p" | "div" | "center" | "figure" | "span" | "picture" | "br" => {
                    for child in node.children() {
                        collect(child, items)?;
                    }
                    Some(())
                }
                _ => None,
            }
        }
        _ => Some(()),
    }
}

/// One tag of inline HTML (`<img …>`, `<a id=…>`) as an item.
fn single_tag(html: &str) -> Option<Item> {
    let trimmed = html.trim();
    if !trimmed.starts_with('<') || trimmed[1..].contains('<') {
        return None;
    }
    let doc = Html::parse_fragment(trimmed);
    let mut elements = doc
        .root_element()
        .descendants()
        .filter_map(|n| n.value().as_element().cloned());
    let element = elements.find(|e| &*e.name.local != "html")?;
    match &*element.name.local {
        "img" => image_of(&element).map(Item::Image),
        "a" => anchor_of(&element).map(Item::Anchor),
        _ => None,
    }
}

fn tag_name(html: &str) -> Option<(bool, String)> {
    let t = html.trim();
    let inner = t.strip_prefix('<')?.strip_suffix('>')?;
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, inner),
    };
    let name: String = inner
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    Some((closing, name.to_ascii_lowercase()))
}

fn is_closing_a(html: &str) -> bool {
    tag_name(html) == Some((true, "a".into()))
}

fn is_opening_a(html: &str) -> bool {
    tag_name(html) == Some((false, "a".into()))
}

fn is_line_break(html: &str) -> bool {
    tag_name(html) == Some((false, "br".into()))
}

/// `<a id>` or `<a name>` with no `href`: an anchor.
fn anchor_of(element: &scraper::node::Element) -> Option<String> {
    if element.attr("href").is_some() {
        return None;
    }
    element
        .attr("id")
        .or_else(|| element.attr("name"))
        .map(str::trim)
        .filter(|id| !id.is_empty() && !id.chars().any(char::is_whitespace))
        .map(str::to_string)
}

/// `<img src alt>` whose `src` is a path in the book (remote images stay
/// raw HTML: the outputs load nothing from another host).
fn image_of(element: &scraper::node::Element) -> Option<Image> {
    let src = element.attr("src")?.trim();
    if src.is_empty() || crate::url::is_external(src) {
        return None;
    }
    let alt = element.attr("alt").unwrap_or("").trim();
    let size = |key: &str| -> Option<String> {
        let from_style = element.attr("style").and_then(|style| {
            style.split(';').find_map(|decl| {
                let (k, v) = decl.split_once(':')?;
                (k.trim().eq_ignore_ascii_case(key)).then(|| v.trim().to_string())
            })
        });
        let value = from_style.or_else(|| element.attr(key).map(|v| v.trim().to_string()))?;
        // `width="300"` is in CSS pixels.
        let value = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
            format!("{value}px")
        } else {
            value
        };
        is_length(&value).then_some(value)
    };
    Some(Image {
        url: src.to_string(),
        asset: None,
        title: element.attr("title").unwrap_or("").to_string(),
        alt: if alt.is_empty() {
            Vec::new()
        } else {
            vec![Inline::Text(alt.to_string())]
        },
        width: size("width"),
        height: size("height"),
        description: None,
    })
}

fn is_blank(inline: &Inline) -> bool {
    match inline {
        Inline::Text(t) => t.trim().is_empty(),
        Inline::SoftBreak | Inline::LineBreak => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_go_whole() {
        assert_eq!(strip_comments("a<!-- x -->b<!---->c<!-->d"), "abcd");
        assert_eq!(strip_comments("a<!-- never closed"), "a");
        assert_eq!(strip_comments("<p>x</p>"), "<p>x</p>");
    }

    #[test]
    fn images_and_anchors_alone() {
        let items = lone_elements(
            "<p align=\"center\">\n<img src=\"img/a.svg\" alt=\"A &amp; B\" style=\"width: 50%\" />\n</p>",
        )
        .unwrap();
        let [Item::Image(image)] = items.as_slice() else {
            panic!()
        };
        assert_eq!(image.url, "img/a.svg");
        assert_eq!(image.alt, vec![Inline::Text("A & B".into())]);
        assert_eq!(image.width.as_deref(), Some("50%"));
        assert!(lone_elements("<img src=\"https://x.org/a.png\">").is_none());
        assert!(lone_elements("<p>text <img src=\"a.png\"></p>").is_none());
        assert!(lone_elements("<table><tr><td>x</td></tr></table>").is_none());
        let items = lone_elements("<a id=\"old-name\"></a>").unwrap();
        assert!(matches!(items.as_slice(), [Item::Anchor(id)] if id == "old-name"));
        assert!(single_tag("<a href=\"x\">").is_none());
        assert!(matches!(single_tag("<a name=\"n\">"), Some(Item::Anchor(id)) if id == "n"));
        assert!(matches!(
            single_tag("<img src=\"a.png\" width=\"300\">"),
            Some(Item::Image(Image { width: Some(w), .. })) if w == "300px"
        ));
    }
}
