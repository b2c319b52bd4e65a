//! Lowering comrak's AST into the owned model.

use std::collections::HashMap;

use comrak::nodes::{AstNode, ListType, NodeValue, TableAlignment};

use super::Parsed;
use super::cite::Run;
use super::spans::{Item, SpanAttrs, bracketed_spans};
use crate::config::read::is_length;
use crate::diag::{Diagnostic, Sink, Span};
use crate::model::{
    Align, Block, BlockKind, Figure, Footnote, Heading, Image, IndexMark, Inline, LinkTarget,
    ListItem, Math, Table,
};
use crate::source::{FileId, SourceFile};

/// How comrak's line/column positions become spans.
pub enum Positions<'a> {
    /// Positions are in this file (the chapter body keeps the file's offsets).
    File {
        /// Its id.
        file: FileId,
        /// Its text and line index.
        source: &'a SourceFile,
    },
    /// Everything maps to one span (Markdown held in a config value).
    Fixed(Span),
}

impl Positions<'_> {
    /// The span of a node of comrak's AST.
    pub(super) fn span(&self, node: &AstNode<'_>) -> Span {
        match self {
            Positions::Fixed(span) => span.clone(),
            Positions::File { file, source } => {
                let pos = node.data().sourcepos;
                let start = source.line_start(pos.start.line) + pos.start.column.saturating_sub(1);
                let end = source.line_start(pos.end.line) + pos.end.column;
                let len = source.text.len();
                let start = start.min(len);
                Span::new(*file, start..end.clamp(start, len))
            }
        }
    }
}

struct Lowerer<'p, 's> {
    positions: &'p Positions<'p>,
    sink: &'s mut Sink,
    footnote_numbers: HashMap<String, u32>,
    footnote_defs: HashMap<String, (Vec<Block>, Span)>,
    /// How many links enclose the inlines being lowered.
    link_depth: usize,
}

pub(super) fn lower_document<'a>(
    root: &'a AstNode<'a>,
    positions: &Positions,
    sink: &mut Sink,
) -> Parsed {
    let mut l = Lowerer::new(positions, sink);
    let blocks = l.blocks(root);
    let mut footnotes: Vec<Footnote> = Vec::new();
    for (label, number) in &l.footnote_numbers {
        if let Some((blocks, span)) = l.footnote_defs.remove(label) {
            footnotes.push(Footnote {
                label: label.clone(),
                number: *number,
                blocks,
                span,
            });
        }
    }
    footnotes.sort_by_key(|f| f.number);
    Parsed { blocks, footnotes }
}

/// The first block of the document alone (its footnotes left out), for
/// a parse that only looks for a chapter's title.
pub(super) fn lower_first_block<'a>(
    root: &'a AstNode<'a>,
    positions: &Positions,
    sink: &mut Sink,
) -> Parsed {
    let mut l = Lowerer::new(positions, sink);
    let blocks = root.children().find_map(|child| l.block(child));
    Parsed {
        blocks: blocks.into_iter().collect(),
        footnotes: Vec::new(),
    }
}

impl<'p, 's> Lowerer<'p, 's> {
    fn new(positions: &'p Positions<'p>, sink: &'s mut Sink) -> Self {
        Lowerer {
            positions,
            sink,
            footnote_numbers: HashMap::new(),
            footnote_defs: HashMap::new(),
            link_depth: 0,
        }
    }

    fn blocks<'a>(&mut self, parent: &'a AstNode<'a>) -> Vec<Block> {
        let mut out = Vec::new();
        for child in parent.children() {
            if let Some(block) = self.block(child) {
                out.push(block);
            }
        }
        attach_table_captions(&mut out);
        out
    }

    fn block<'a>(&mut self, node: &'a AstNode<'a>) -> Option<Block> {
        let span = self.positions.span(node);
        let value = node.data().value.clone();
        let kind = match value {
            NodeValue::Paragraph => return Some(self.paragraph(node, span)),
            NodeValue::Heading(h) => {
                let mut content = self.inlines(node);
                let mut id = node.data().attrs.as_ref().and_then(|a| a.id.clone());
                if id.is_none() {
                    id = take_trailing_attribute_id(&mut content);
                }
                trim_inlines(&mut content);
                BlockKind::Heading(Heading {
                    depth: h.level - 1,
                    explicit_id: id.is_some(),
                    id: id.unwrap_or_default(),
                    number: None,
                    content,
                })
            }
            NodeValue::BlockQuote | NodeValue::MultilineBlockQuote(_) => {
                BlockKind::BlockQuote(self.blocks(node))
            }
            NodeValue::Alert(alert) => BlockKind::Alert {
                kind: format!("{:?}", alert.alert_type).to_lowercase(),
                title: alert.title.clone().unwrap_or_default(),
                blocks: self.blocks(node),
            },
            NodeValue::List(list) => {
                let mut items = Vec::new();
                for item in node.children() {
                    let task = match &item.data().value {
                        NodeValue::TaskItem(t) => Some(t.symbol.is_some()),
                        _ => None,
                    };
                    items.push(ListItem {
                        task,
                        blocks: self.blocks(item),
                    });
                }
                BlockKind::List {
                    start: (list.list_type == ListType::Ordered).then_some(list.start as u64),
                    tight: list.tight,
                    items,
                }
            }
            NodeValue::CodeBlock(code) => {
                let info = code.info.trim();
                if let Some(format) = info.strip_prefix("{=").and_then(|r| r.strip_suffix('}')) {
                    BlockKind::Raw {
                        format: format.trim().to_lowercase(),
                        content: code.literal.clone(),
                    }
                } else {
                    let lang = info
                        .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
                        .next()
                        .filter(|l| !l.is_empty())
                        .map(|l| l.trim_start_matches('.').to_string());
                    BlockKind::CodeBlock {
                        lang,
                        code: code.literal.clone(),
                    }
                }
            }
            NodeValue::HtmlBlock(html) => BlockKind::Html(html.literal.clone()),
            NodeValue::ThematicBreak => BlockKind::Rule,
            NodeValue::Table(table) => self.table(node, &table.alignments),
            NodeValue::FootnoteDefinition(def) => {
                let blocks = self.blocks(node);
                self.footnote_defs.insert(def.name.clone(), (blocks, span));
                return None;
            }
            NodeValue::FrontMatter(_) => return None,
            // Containers of other extensions we do not enable: keep their content.
            _ => BlockKind::BlockQuote(self.blocks(node)),
        };
        Some(Block { kind, span })
    }

    fn paragraph<'a>(&mut self, node: &'a AstNode<'a>, span: Span) -> Block {
        let mut inlines = self.inlines(node);
        // A display formula alone in its paragraph (with an optional
        // `{alt="…"}` after it) is a block.
        let meaningful: Vec<&AstNode<'a>> =
            node.children().filter(|c| !is_blank_inline(c)).collect();
        let (only, alt) = match meaningful.as_slice() {
            [only] => (Some(*only), None),
            [only, text] => match &text.data().value {
                NodeValue::Text(t) => match formula_alt(t) {
                    Some((alt, rest)) if rest.trim().is_empty() => (Some(*only), Some(alt)),
                    _ => (None, None),
                },
                _ => (None, None),
            },
            _ => (None, None),
        };
        if let Some(only) = only
            && let NodeValue::Math(m) = &only.data().value
            && m.display_math
        {
            let mut math = Math::new(m.literal.trim(), self.positions.span(only));
            math.alt = alt;
            return Block {
                kind: BlockKind::Math(math),
                span,
            };
        }
        // An image alone in its paragraph (with an optional `{#fig:…}`) is a figure.
        let trailing_id = take_trailing_attribute_id(&mut inlines);
        let rest: Vec<&Inline> = inlines.iter().filter(|i| !is_blank(i)).collect();
        if let [Inline::Image(image)] = rest.as_slice() {
            let image_node = meaningful
                .iter()
                .find(|c| matches!(c.data().value, NodeValue::Image(_)));
            let label = image_node
                .and_then(|n| n.data().attrs.as_ref().and_then(|a| a.id.clone()))
                .or(trailing_id);
            return Block {
                kind: BlockKind::Figure(Figure {
                    image: image.clone(),
                    label,
                    number: None,
                }),
                span,
            };
        }
        if let Some(id) = trailing_id {
            // Not a figure: the attribute was text after all (e.g. a `Table:` caption).
            inlines.push(Inline::Text(format!(" {{#{id}}}")));
        }
        Block {
            kind: BlockKind::Paragraph(inlines),
            span,
        }
    }

    fn table<'a>(&mut self, node: &'a AstNode<'a>, aligns: &[TableAlignment]) -> BlockKind {
        let mut header = Vec::new();
        let mut rows = Vec::new();
        for row in node.children() {
            let is_header = matches!(row.data().value, NodeValue::TableRow(true));
            let cells: Vec<Vec<Inline>> = row.children().map(|cell| self.inlines(cell)).collect();
            if is_header {
                header = cells;
            } else {
                rows.push(cells);
            }
        }
        BlockKind::Table(Table {
            aligns: aligns
                .iter()
                .map(|a| match a {
                    TableAlignment::Left => Align::Left,
                    TableAlignment::Center => Align::Center,
                    TableAlignment::Right => Align::Right,
                    TableAlignment::None => Align::None,
                })
                .collect(),
            header,
            rows,
            caption: Vec::new(),
            label: None,
            number: None,
        })
    }

    fn inlines<'a>(&mut self, parent: &'a AstNode<'a>) -> Vec<Inline> {
        let mut after_math = false;
        let items = parent
            .children()
            .map(|child| match &child.data().value {
                // `{alt="…"}` right after a formula is its text
                // alternative (taken by `formula_alts`), not text.
                NodeValue::Text(t) if std::mem::take(&mut after_math) => {
                    let skip = formula_alt(t).map_or(0, |(_, rest)| t.len() - rest.len());
                    Item::Text(child, skip..t.len())
                }
                NodeValue::Math(_) => {
                    after_math = true;
                    Item::Node(child)
                }
                _ => {
                    after_math = false;
                    match &child.data().value {
                        NodeValue::Text(t) => Item::Text(child, 0..t.len()),
                        _ => Item::Node(child),
                    }
                }
            })
            .collect();
        let mut unread = Vec::new();
        let items = bracketed_spans(items, &mut unread);
        for (node, offset) in unread {
            let NodeValue::Text(t) = &node.data().value else {
                continue;
            };
            let whole = self.positions.span(node);
            let span = if whole.range.len() == t.len() {
                Span::new(
                    whole.file,
                    whole.range.start + offset..whole.range.start + offset + 1,
                )
            } else {
                whole
            };
            self.sink.push(
                Diagnostic::warning(span, "these span attributes cannot be read, so the span stays text")
                    .hint("write them as {.index}, {.index key=\"…\" see=\"…\" seealso=\"…\" .name} or {.smallcaps}, with plain text in quotes (no emphasis, math or code inside)"),
            );
        }
        let mut inlines = self.lower_items(&items);
        formula_alts(parent, &mut inlines);
        inlines
    }

    fn lower_items<'a>(&mut self, items: &[Item<'a>]) -> Vec<Inline> {
        let mut out: Vec<Inline> = Vec::new();
        // Text is gathered into runs (comrak splits it at brackets and
        // escapes) before citations are looked for in it.
        let mut run = Run::default();
        for item in items {
            let child = match item {
                Item::Text(node, range) => {
                    if let NodeValue::Text(t) = &node.data().value {
                        let whole = self.positions.span(node);
                        // A part of a text node maps one to one when the
                        // source holds exactly its text.
                        let span = if whole.range.len() == t.len() {
                            Span::new(
                                whole.file,
                                whole.range.start + range.start..whole.range.start + range.end,
                            )
                        } else {
                            whole
                        };
                        run.push(&t[range.clone()], span, false);
                    }
                    continue;
                }
                Item::Span(attrs, inner) => {
                    self.flush(&mut run, &mut out);
                    let inline = self.span(attrs, inner);
                    out.push(inline);
                    continue;
                }
                Item::Node(child) => *child,
            };
            if let NodeValue::Escaped = &child.data().value {
                let text: String = child
                    .children()
                    .filter_map(|c| match &c.data().value {
                        NodeValue::Text(t) => Some(t.to_string()),
                        _ => None,
                    })
                    .collect();
                run.push(&text, self.positions.span(child), true);
                continue;
            }
            self.flush(&mut run, &mut out);
            let inline = self.inline(child);
            push_merged(&mut out, inline);
        }
        self.flush(&mut run, &mut out);
        out
    }

    /// A bracketed span: small capitals, an index term, or both (the
    /// index term around the small capitals).
    fn span<'a>(&mut self, attrs: &SpanAttrs<'a>, inner: &[Item<'a>]) -> Inline {
        let mut content = self.lower_items(inner);
        if attrs.small_caps {
            content = vec![Inline::SmallCaps(content)];
        }
        if !attrs.index {
            return content.pop().expect("small capitals");
        }
        let place = |at: Option<(&AstNode<'_>, usize)>| {
            let (node, offset) = at?;
            let NodeValue::Text(t) = &node.data().value else {
                return None;
            };
            let whole = self.positions.span(node);
            (whole.range.len() == t.len()).then(|| (whole.file, whole.range.start + offset))
        };
        let span = match (place(attrs.open), place(attrs.end)) {
            (Some((file, start)), Some((same, end))) if file == same && start < end => {
                Span::new(file, start..end)
            }
            (Some((file, start)), _) => Span::new(file, start..start + 1),
            _ => attrs
                .open
                .map(|(node, _)| self.positions.span(node))
                .unwrap_or_else(|| Span::new(FileId::default(), 0..0)),
        };
        Inline::IndexTerm(Box::new(IndexMark {
            content,
            key: attrs.key.clone(),
            see: attrs.see.clone(),
            see_also: attrs.see_also.clone(),
            name: attrs.name,
            span,
            id: String::new(),
        }))
    }

    /// Moves a run of text into `out`, with its citations and
    /// cross-references (none inside a link: they are links themselves).
    fn flush(&mut self, run: &mut Run, out: &mut Vec<Inline>) {
        if run.is_empty() {
            return;
        }
        if self.link_depth > 0 {
            push_merged(out, Inline::Text(run.take_text()));
        } else {
            for inline in run.take(self.sink) {
                push_merged(out, inline);
            }
        }
    }

    fn inline<'a>(&mut self, node: &'a AstNode<'a>) -> Inline {
        let value = node.data().value.clone();
        match value {
            NodeValue::Text(t) => Inline::Text(t.to_string()),
            NodeValue::Code(c) => Inline::Code(c.literal.clone()),
            NodeValue::Emph => Inline::Emph(self.inlines(node)),
            NodeValue::Strong => Inline::Strong(self.inlines(node)),
            NodeValue::Strikethrough => Inline::Strike(self.inlines(node)),
            NodeValue::Superscript => Inline::Sup(self.inlines(node)),
            NodeValue::Subscript => Inline::Sub(self.inlines(node)),
            NodeValue::SoftBreak => Inline::SoftBreak,
            NodeValue::LineBreak => Inline::LineBreak,
            NodeValue::HtmlInline(h) => Inline::Html(h.clone()),
            NodeValue::Math(m) => {
                Inline::Math(Math::new(m.literal.trim(), self.positions.span(node)))
            }
            NodeValue::Link(link) => {
                self.link_depth += 1;
                let content = self.inlines(node);
                self.link_depth -= 1;
                Inline::Link {
                    url: link.url.clone(),
                    title: link.title.clone(),
                    target: LinkTarget::External,
                    content,
                    span: self.positions.span(node),
                }
            }
            NodeValue::Image(link) => {
                let size = |key: &str, sink: &mut Sink| -> Option<String> {
                    let data = node.data();
                    let value = data
                        .attrs
                        .as_ref()?
                        .pairs
                        .iter()
                        .find(|(k, _)| k == key)?
                        .1
                        .clone();
                    if is_length(&value) {
                        Some(value)
                    } else {
                        sink.push(
                            Diagnostic::warning(
                                self.positions.span(node),
                                format!("`{key}={value}` is not an image size; it is ignored"),
                            )
                            .hint("write a number and a unit: 50%, 8cm, 300px"),
                        );
                        None
                    }
                };
                let width = size("width", self.sink);
                let height = size("height", self.sink);
                let description = node.data().attrs.as_ref().and_then(|a| {
                    a.pairs
                        .iter()
                        .find(|(k, _)| k == "alt")
                        .map(|(_, v)| v.trim().to_string())
                });
                Inline::Image(Image {
                    url: link.url.clone(),
                    asset: None,
                    title: link.title.clone(),
                    alt: self.inlines(node),
                    width,
                    height,
                    description,
                })
            }
            NodeValue::FootnoteReference(r) => {
                let next = self.footnote_numbers.len() as u32 + 1;
                let number = *self.footnote_numbers.entry(r.name.clone()).or_insert(next);
                Inline::FootnoteRef(number)
            }
            NodeValue::Raw(r) => Inline::Text(r.clone()),
            _ => {
                let span = self.positions.span(node);
                let inner = self.inlines(node);
                if inner.is_empty() {
                    self.sink.push(Diagnostic::warning(
                        span,
                        "this Markdown construct is not supported and is left out",
                    ));
                }
                Inline::Emph(inner)
            }
        }
    }
}

/// `{alt="…"}` at the start of `text` (spaces before it allowed): the alt
/// text and what follows it.
fn formula_alt(text: &str) -> Option<(String, &str)> {
    let rest = text.trim_start().strip_prefix("{alt=\"")?;
    let end = rest.find("\"}")?;
    Some((rest[..end].trim().to_string(), &rest[end + 2..]))
}

/// Gives each formula of `parent` the `{alt="…"}` written right after it
/// (`inlines` holds the formulas in the same order as the children).
fn formula_alts<'a>(parent: &'a AstNode<'a>, inlines: &mut [Inline]) {
    let children: Vec<&AstNode<'a>> = parent.children().collect();
    let mut alts = children.iter().enumerate().filter_map(|(i, child)| {
        if !matches!(child.data().value, NodeValue::Math(_)) {
            return None;
        }
        let next = children.get(i + 1)?;
        match &next.data().value {
            NodeValue::Text(t) => formula_alt(t).map(|(alt, _)| alt),
            _ => None,
        }
        .map(Some)
        .or(Some(None))
    });
    for inline in inlines.iter_mut() {
        if let Inline::Math(m) = inline {
            m.alt = alts.next().flatten();
        }
    }
}

fn is_blank_inline(node: &AstNode<'_>) -> bool {
    match &node.data().value {
        NodeValue::Text(t) => t.trim().is_empty(),
        NodeValue::SoftBreak | NodeValue::LineBreak => true,
        _ => false,
    }
}

fn is_blank(inline: &Inline) -> bool {
    match inline {
        Inline::Text(t) => t.trim().is_empty(),
        Inline::SoftBreak | Inline::LineBreak => true,
        _ => false,
    }
}

/// Removes a trailing `{#id}` from the last text inline and returns the id.
/// comrak reads attributes on headings and images; this catches the places it
/// does not (a `Table:` line, a `{#fig:…}` separated by a space).
pub fn take_trailing_attribute_id(inlines: &mut Vec<Inline>) -> Option<String> {
    let Some(Inline::Text(text)) = inlines.last_mut() else {
        return None;
    };
    let trimmed = text.trim_end();
    let open = trimmed.rfind("{#")?;
    if !trimmed.ends_with('}') {
        return None;
    }
    let id = &trimmed[open + 2..trimmed.len() - 1];
    if id.is_empty()
        || id
            .chars()
            .any(|c| c.is_whitespace() || c == '{' || c == '}')
    {
        return None;
    }
    let id = id.to_string();
    text.truncate(open);
    let kept = text.trim_end().len();
    text.truncate(kept);
    if text.is_empty() {
        inlines.pop();
    }
    Some(id)
}

fn trim_inlines(inlines: &mut Vec<Inline>) {
    if let Some(Inline::Text(t)) = inlines.last_mut() {
        let kept = t.trim_end().len();
        t.truncate(kept);
    }
    while inlines.last().is_some_and(is_blank) {
        inlines.pop();
    }
}

/// Moves a `Table: caption {#tbl:id}` paragraph right before or after a table
/// into that table.
fn attach_table_captions(blocks: &mut Vec<Block>) {
    let mut i = 0;
    while i < blocks.len() {
        let is_caption = matches!(&blocks[i].kind, BlockKind::Paragraph(inl)
            if matches!(inl.first(), Some(Inline::Text(t)) if t.starts_with("Table:")));
        if !is_caption {
            i += 1;
            continue;
        }
        let free_table = |b: &Block| matches!(&b.kind, BlockKind::Table(t) if t.caption.is_empty());
        let target = if i + 1 < blocks.len() && free_table(&blocks[i + 1]) {
            Some(i + 1)
        } else if i > 0 && free_table(&blocks[i - 1]) {
            Some(i - 1)
        } else {
            None
        };
        let Some(target) = target else {
            i += 1;
            continue;
        };
        let caption_block = blocks.remove(i);
        let BlockKind::Paragraph(mut inlines) = caption_block.kind else {
            unreachable!("checked above")
        };
        if let Some(Inline::Text(t)) = inlines.first_mut() {
            *t = t["Table:".len()..].trim_start().to_string();
        }
        let label = take_trailing_attribute_id(&mut inlines);
        trim_inlines(&mut inlines);
        let target = if target > i { target - 1 } else { target };
        if let BlockKind::Table(table) = &mut blocks[target].kind {
            table.caption = inlines;
            table.label = label;
        }
        let start = blocks[target]
            .span
            .range
            .start
            .min(caption_block.span.range.start);
        let end = blocks[target]
            .span
            .range
            .end
            .max(caption_block.span.range.end);
        blocks[target].span.range = start..end;
        i = target + 1;
    }
}

/// Appends `inline`, merging adjacent text so that later passes see whole words.
fn push_merged(out: &mut Vec<Inline>, inline: Inline) {
    if let (Some(Inline::Text(prev)), Inline::Text(next)) = (out.last_mut(), &inline) {
        prev.push_str(next);
        return;
    }
    out.push(inline);
}

#[cfg(test)]
mod tests {
    use super::super::parse_markdown;
    use super::*;
    use crate::model::plain_text;
    use crate::source::Sources;

    fn parse(text: &str) -> (Vec<Block>, Vec<crate::model::Footnote>, Sources) {
        let mut sources = Sources::default();
        let file = sources.add("c.md", text.to_string());
        let mut sink = Sink::default();
        let positions = Positions::File {
            file,
            source: sources.get(file),
        };
        let parsed = parse_markdown(
            text,
            &positions,
            &crate::config::MarkdownConfig::default(),
            &mut sink,
        );
        assert!(sink.diagnostics().is_empty(), "{:?}", sink.diagnostics());
        (parsed.blocks, parsed.footnotes, sources.clone())
    }

    #[test]
    fn heading_attributes_give_ids() {
        let (blocks, _, _) = parse("## Méthode {#sec:methode}\n\n### Plain\n");
        let BlockKind::Heading(h) = &blocks[0].kind else {
            panic!()
        };
        assert_eq!(h.id, "sec:methode");
        assert!(h.explicit_id);
        assert_eq!(plain_text(&h.content), "Méthode");
        let BlockKind::Heading(h) = &blocks[1].kind else {
            panic!()
        };
        assert_eq!((h.depth, h.explicit_id), (2, false));
    }

    #[test]
    fn lone_image_is_a_labelled_figure() {
        let (blocks, _, _) = parse("Texte.\n\n![Une *carte*](images/carte.svg){#fig:carte}\n");
        let BlockKind::Figure(f) = &blocks[1].kind else {
            panic!("{:?}", blocks[1])
        };
        assert_eq!(f.label.as_deref(), Some("fig:carte"));
        assert_eq!(plain_text(&f.image.alt), "Une carte");
        assert_eq!(f.image.url, "images/carte.svg");
    }

    #[test]
    fn table_captions_before_and_after() {
        let md = "Table: Budget {#tbl:budget}\n\n| a | b |\n|--:|:-:|\n| 1 | 2 |\n\n| c |\n|---|\n| 3 |\n\nTable: Second\n";
        let (blocks, _, _) = parse(md);
        assert_eq!(blocks.len(), 2, "{blocks:?}");
        let BlockKind::Table(t) = &blocks[0].kind else {
            panic!()
        };
        assert_eq!(t.label.as_deref(), Some("tbl:budget"));
        assert_eq!(plain_text(&t.caption), "Budget");
        assert_eq!(t.aligns, [Align::Right, Align::Center]);
        let BlockKind::Table(t) = &blocks[1].kind else {
            panic!()
        };
        assert_eq!(plain_text(&t.caption), "Second");
        assert_eq!(t.label, None);
    }

    #[test]
    fn small_caps_spans_subscripts_and_what_stays_text() {
        let md = "Selon [Ostrom]{.smallcaps}, [la *tragédie* des [communs]]{.smallcaps} et H~2~O; \\[pas]{.smallcaps}, [lien](x.md){.smallcaps}, [@ostrom1990] et ~~barré~~.\n";
        let (blocks, _, _) = parse(md);
        let BlockKind::Paragraph(inl) = &blocks[0].kind else {
            panic!()
        };
        let caps: Vec<String> = inl
            .iter()
            .filter_map(|i| match i {
                Inline::SmallCaps(c) => Some(plain_text(c)),
                _ => None,
            })
            .collect();
        assert_eq!(caps, ["Ostrom", "la tragédie des [communs]"]);
        assert!(
            inl.iter()
                .any(|i| matches!(i, Inline::Sub(c) if plain_text(c) == "2"))
        );
        assert!(
            inl.iter()
                .any(|i| matches!(i, Inline::Strike(c) if plain_text(c) == "barré"))
        );
        assert!(inl.iter().any(|i| matches!(i, Inline::Cite(_))));
        let text = plain_text(inl);
        assert!(text.contains("[pas]{.smallcaps}"), "{text}");
        // The span's text keeps its place in the source.
        let Some(Inline::SmallCaps(first)) = inl.iter().find(|i| matches!(i, Inline::SmallCaps(_)))
        else {
            panic!()
        };
        assert_eq!(first, &vec![Inline::Text("Ostrom".into())]);
    }

    #[test]
    fn footnotes_are_numbered_by_first_reference() {
        let (blocks, notes, _) = parse("B[^b] A[^a] B again[^b]\n\n[^a]: Note A.\n[^b]: Note B.\n");
        let BlockKind::Paragraph(inl) = &blocks[0].kind else {
            panic!()
        };
        assert!(matches!(inl[1], Inline::FootnoteRef(1)));
        assert_eq!(notes.len(), 2);
        assert_eq!(notes[0].label, "b");
        assert_eq!(notes[1].number, 2);
    }

    #[test]
    fn raw_blocks_tasks_math_and_spans() {
        let md = "```{=typst}\n#pagebreak()\n```\n\n- [x] fait\n- [ ] à faire\n\n$$\\frac{a}{b}$$\n\nVoir [là](02-b.md#x).\n";
        let (blocks, _, sources) = parse(md);
        assert!(matches!(&blocks[0].kind, BlockKind::Raw { format, .. } if format == "typst"));
        let BlockKind::List { items, .. } = &blocks[1].kind else {
            panic!()
        };
        assert_eq!(items[0].task, Some(true));
        assert_eq!(items[1].task, Some(false));
        let BlockKind::Math(math) = &blocks[2].kind else {
            panic!("{:?}", blocks[2])
        };
        assert_eq!(math.tex, "\\frac{a}{b}");
        let file = sources.get(math.span.file);
        assert_eq!(&file.text[math.span.range.clone()], "$$\\frac{a}{b}$$");
        let BlockKind::Paragraph(inl) = &blocks[3].kind else {
            panic!()
        };
        let Inline::Link { span, .. } = &inl[1] else {
            panic!("{inl:?}")
        };
        let file = sources.get(span.file);
        assert_eq!(file.line_col(span.range.start), (10, 6));
    }
}
