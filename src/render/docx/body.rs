//! WordprocessingML for the model's blocks and inlines: paragraphs with
//! the styles of [`super::styles`], runs, lists numbered through
//! `numbering.xml`, tables, figures drawn from the book's images, footnotes
//! as Word footnotes, links as hyperlinks (external ones by relationship,
//! those inside the document to bookmarks).
//!
//! Text from a chapter is always text: every string is escaped for XML,
//! raw blocks for other outputs are left out, and raw HTML is printed as
//! text only when `[html] raw-html = "escape"`, as in the PDF.

use std::collections::HashMap;

use crate::config::RawHtml;
use crate::diag::Diagnostic;
use crate::lang::Labels;
use crate::model::{
    Align, Block, BlockKind, Book, Chapter, Figure, Footnote, Image, Inline, LinkTarget, Reference,
    Table,
};
use crate::render::escape::{push_xml_attr, push_xml_text, safe_url};

/// The part being written: relationships are per part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// `word/document.xml`.
    Document,
    /// `word/footnotes.xml`.
    Footnotes,
}

/// One relationship of a part: a hyperlink or an image.
#[derive(Debug, Clone)]
pub struct Relationship {
    /// `rIdN`.
    pub id: String,
    /// Its type URI.
    pub kind: &'static str,
    /// The target (a URL, or `media/imageN.ext`).
    pub target: String,
    /// Whether the target is outside the package.
    pub external: bool,
}

/// The relationship type of a hyperlink.
pub const HYPERLINK: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink";
/// The relationship type of an image.
pub const IMAGE: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image";

/// A list instance of `numbering.xml`: bullets or decimal numbers, and
/// where it starts.
#[derive(Debug, Clone, Copy)]
pub struct ListInstance {
    /// Decimal numbers (else bullets).
    pub ordered: bool,
    /// The level it starts at (its nesting depth).
    pub level: usize,
    /// The first number.
    pub start: u64,
}

/// Run formatting, inherited by nested inlines.
#[derive(Debug, Clone, Default)]
struct Format {
    bold: bool,
    italic: bool,
    strike: bool,
    small_caps: bool,
    vertical: Option<&'static str>,
    style: Option<&'static str>,
}

impl Format {
    /// This format with `change` made.
    fn with(&self, change: impl FnOnce(&mut Format)) -> Format {
        let mut format = self.clone();
        change(&mut format);
        format
    }
}

/// What the whole document gathers while its parts are written.
#[derive(Default)]
pub struct Collected {
    /// The document's relationships (hyperlinks, images).
    pub document_rels: Vec<Relationship>,
    /// The footnotes part's relationships.
    pub footnote_rels: Vec<Relationship>,
    /// The footnotes, `<w:footnote>` elements, ids from 1.
    pub footnotes: String,
    /// Footnotes written so far.
    pub footnote_count: u32,
    /// Images, as `word/media/…` path and bytes.
    pub media: Vec<(String, Vec<u8>)>,
    /// Media already embedded, by book path → its media name.
    media_names: HashMap<String, String>,
    /// List instances, numIds from 1.
    pub lists: Vec<ListInstance>,
    /// Bookmark names given, by anchor key (`chapter#anchor`).
    bookmarks: HashMap<String, String>,
    /// Bookmark ids used.
    bookmark_count: u32,
    /// Drawing ids used.
    drawing_count: u32,
    /// Warnings (an image Word cannot show, say).
    pub warnings: Vec<Diagnostic>,
    /// The fonts SVG text is drawn in, made at the first SVG.
    svg_fonts: Option<std::sync::Arc<resvg::usvg::fontdb::Database>>,
}

impl Collected {
    /// The bookmark name of an anchor, made once: Word wants at most 40
    /// characters, a letter first, and letters, digits and `_` only.
    pub fn bookmark(&mut self, chapter: &str, anchor: Option<&str>) -> String {
        let key = format!("{chapter}#{}", anchor.unwrap_or(""));
        if let Some(name) = self.bookmarks.get(&key) {
            return name.clone();
        }
        let n = self.bookmarks.len() + 1;
        let readable: String = format!("{chapter}_{}", anchor.unwrap_or(""))
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .take(30)
            .collect();
        let name = format!("b{n}_{readable}");
        self.bookmarks.insert(key, name.clone());
        name
    }

    fn relationship(&mut self, part: Part, kind: &'static str, target: String) -> String {
        let rels = match part {
            Part::Document => &mut self.document_rels,
            Part::Footnotes => &mut self.footnote_rels,
        };
        if let Some(r) = rels.iter().find(|r| r.kind == kind && r.target == target) {
            return r.id.clone();
        }
        // rId1… are the fixed parts' (styles, numbering…) in the document.
        let id = format!("rId{}", rels.len() + 100);
        rels.push(Relationship {
            id: id.clone(),
            kind,
            external: kind == HYPERLINK,
            target,
        });
        id
    }
}

/// Writes one chapter's (or the book's front matter's) body XML.
pub struct Writer<'a> {
    /// The book.
    pub book: &'a Book,
    /// The chapter being written, for its footnotes and anchors.
    chapter: Option<&'a Chapter>,
    /// The chapters this document holds: links to others keep their text.
    pub present: &'a dyn Fn(&str) -> bool,
    /// Language of the chapter when it differs from the book's.
    lang: Option<String>,
    /// The words of the chapter's language.
    labels: &'static Labels,
    /// The part being written.
    part: Part,
    /// The output.
    pub out: String,
    /// What the document gathers.
    pub collected: &'a mut Collected,
    /// Footnotes of this chapter already written: their Word number.
    notes_done: HashMap<u32, u32>,
    /// The next body paragraph follows a heading (Pandoc's `FirstParagraph`).
    after_heading: bool,
    /// The block being written: where a warning about it points.
    span: Option<crate::diag::Span>,
}

/// How a paragraph sits in its container.
#[derive(Clone, Copy, Default)]
struct Context {
    /// Paragraph style instead of the body text's.
    style: Option<&'static str>,
    /// Left indent in twentieths of a point (list continuation, quotes).
    indent: u32,
    /// The list depth (for nested lists).
    depth: usize,
    /// Numbering of the next paragraph: (numId, level).
    number: Option<(usize, usize)>,
}

impl<'a> Writer<'a> {
    /// A writer for `chapter` (or the book's own pages when `None`).
    pub fn new(
        book: &'a Book,
        chapter: Option<&'a Chapter>,
        present: &'a dyn Fn(&str) -> bool,
        collected: &'a mut Collected,
    ) -> Self {
        let lang = chapter
            .filter(|c| c.lang.tag() != book.lang.tag())
            .map(|c| c.lang.tag().to_string());
        let labels = chapter.map_or(book.lang.labels(), |c| c.lang.labels());
        Writer {
            book,
            chapter,
            present,
            lang,
            labels,
            part: Part::Document,
            out: String::new(),
            collected,
            notes_done: HashMap::new(),
            after_heading: false,
            span: None,
        }
    }

    /// A paragraph of plain text in `style`.
    pub fn styled_text(&mut self, style: &str, text: &str) {
        self.out.push_str("<w:p>");
        self.paragraph_properties(Some(style), 0, None);
        self.run(text, &Format::default());
        self.out.push_str("</w:p>");
    }

    /// A paragraph of inlines in `style`, opening with a bookmark when given.
    pub fn styled_inlines(&mut self, style: &str, bookmark: Option<&str>, inlines: &[Inline]) {
        self.out.push_str("<w:p>");
        self.paragraph_properties(Some(style), 0, None);
        let mark = bookmark.map(|b| self.bookmark_start(b));
        self.inlines(inlines, &Format::default());
        if let Some(id) = mark {
            self.bookmark_end(id);
        }
        self.out.push_str("</w:p>");
    }

    /// A heading of `level` (1: a chapter) with a bookmark and a number.
    pub fn heading(
        &mut self,
        level: usize,
        bookmark: &str,
        number: Option<&str>,
        inlines: &[Inline],
    ) {
        self.out.push_str("<w:p>");
        self.paragraph_properties(Some(&format!("Heading{}", level.clamp(1, 6))), 0, None);
        let id = self.bookmark_start(bookmark);
        // The number in its own style, as Pandoc writes it: a reader (our
        // import among them) tells it from the title.
        if let Some(n) = number {
            self.run(
                &format!("{n} "),
                &Format::default().with(|f| f.style = Some("SectionNumber")),
            );
        }
        self.inlines(inlines, &Format::default());
        self.bookmark_end(id);
        self.out.push_str("</w:p>");
        self.after_heading = true;
    }

    /// The body's blocks.
    pub fn blocks(&mut self, blocks: &[Block]) {
        self.blocks_in(blocks, Context::default());
    }

    /// A reference list: one `Bibliography` paragraph per entry, each with
    /// the bookmark citations link to.
    pub fn references(&mut self, references: &[Reference]) {
        for r in references {
            let name = self.collected.bookmark("ref", Some(&r.key));
            self.out.push_str("<w:p>");
            self.paragraph_properties(Some("Bibliography"), 0, None);
            let id = self.bookmark_start(&name);
            if !r.label.is_empty() {
                self.inlines(&r.label, &Format::default());
                self.run(" ", &Format::default());
            }
            self.inlines(&r.content, &Format::default());
            self.bookmark_end(id);
            self.out.push_str("</w:p>");
        }
    }

    fn blocks_in(&mut self, blocks: &[Block], ctx: Context) {
        for block in blocks {
            self.block(block, ctx);
        }
    }

    fn block(&mut self, block: &Block, ctx: Context) {
        self.span = Some(block.span.clone());
        match &block.kind {
            BlockKind::Paragraph(inlines) => self.paragraph(inlines, ctx),
            BlockKind::Heading(h) => {
                let anchor = self
                    .chapter
                    .map(|c| self.collected.bookmark(&c.id, Some(&h.id)))
                    .unwrap_or_default();
                self.heading(
                    h.depth as usize + 1,
                    &anchor,
                    h.number.as_deref(),
                    &h.content,
                );
            }
            BlockKind::BlockQuote(blocks) => self.blocks_in(
                blocks,
                Context {
                    style: Some("BlockText"),
                    indent: ctx.indent + 567,
                    number: None,
                    ..ctx
                },
            ),
            BlockKind::Alert { title, blocks, .. } => {
                let inner = Context {
                    style: Some("BlockText"),
                    indent: ctx.indent + 567,
                    number: None,
                    ..ctx
                };
                self.out.push_str("<w:p>");
                self.paragraph_properties(inner.style, inner.indent, None);
                self.run(title, &Format::default().with(|f| f.bold = true));
                self.out.push_str("</w:p>");
                self.blocks_in(blocks, inner);
            }
            BlockKind::List {
                start,
                tight,
                items,
            } => {
                self.collected.lists.push(ListInstance {
                    ordered: start.is_some(),
                    level: ctx.depth,
                    start: start.unwrap_or(1),
                });
                let num = self.collected.lists.len();
                let indent = 720 * (ctx.depth as u32 + 1);
                for item in items {
                    let mut first = true;
                    for b in &item.blocks {
                        let inner = Context {
                            style: Some(if *tight { "Compact" } else { "BodyText" }),
                            indent: ctx.indent.max(indent),
                            depth: ctx.depth + 1,
                            number: first.then_some((num, ctx.depth)),
                        };
                        let inner = match (&b.kind, item.task) {
                            (BlockKind::List { .. }, _) => Context {
                                number: None,
                                ..inner
                            },
                            _ => inner,
                        };
                        if first
                            && let (Some(done), BlockKind::Paragraph(inlines)) =
                                (item.task, &b.kind)
                        {
                            let mut with_box =
                                vec![Inline::Text(if done { "☒ " } else { "☐ " }.to_string())];
                            with_box.extend(inlines.iter().cloned());
                            self.paragraph(&with_box, inner);
                        } else {
                            self.block(b, inner);
                        }
                        first = false;
                    }
                }
            }
            BlockKind::CodeBlock { code, .. } => {
                self.out.push_str("<w:p>");
                self.paragraph_properties(Some("SourceCode"), ctx.indent, None);
                let format = Format {
                    style: Some("VerbatimChar"),
                    ..Format::default()
                };
                for (i, line) in code.trim_end_matches('\n').split('\n').enumerate() {
                    if i > 0 {
                        self.out.push_str("<w:r><w:br/></w:r>");
                    }
                    self.run(line, &format);
                }
                self.out.push_str("</w:p>");
            }
            // Raw blocks are for another output.
            BlockKind::Raw { .. } => {}
            BlockKind::Html(html) => {
                if self.book.config.html.raw_html == RawHtml::Escape {
                    self.out.push_str("<w:p>");
                    self.paragraph_properties(Some("SourceCode"), ctx.indent, None);
                    self.run(html.trim_end(), &Format::default());
                    self.out.push_str("</w:p>");
                }
            }
            BlockKind::Math(math) => {
                self.out.push_str("<w:p>");
                self.paragraph_properties(Some("DisplayMath"), ctx.indent, None);
                self.run(
                    &math.tex,
                    &Format::default().with(|f| f.style = Some("VerbatimChar")),
                );
                self.out.push_str("</w:p>");
            }
            BlockKind::Figure(fig) => self.figure(fig, ctx),
            BlockKind::Table(table) => self.table(table, ctx),
            BlockKind::Rule => {
                self.out.push_str(
                    "<w:p><w:pPr><w:pStyle w:val=\"BodyText\"/><w:pBdr><w:bottom w:val=\"single\" w:sz=\"6\" w:space=\"1\" w:color=\"auto\"/></w:pBdr></w:pPr></w:p>",
                );
            }
        }
    }

    fn paragraph(&mut self, inlines: &[Inline], ctx: Context) {
        let style = ctx.style.unwrap_or(if self.after_heading {
            "FirstParagraph"
        } else {
            "BodyText"
        });
        self.after_heading = false;
        self.out.push_str("<w:p>");
        self.paragraph_properties(Some(style), ctx.indent, ctx.number);
        self.inlines(inlines, &Format::default());
        self.out.push_str("</w:p>");
    }

    fn paragraph_properties(
        &mut self,
        style: Option<&str>,
        indent: u32,
        number: Option<(usize, usize)>,
    ) {
        self.out.push_str("<w:pPr>");
        if let Some(style) = style {
            self.out.push_str(&format!("<w:pStyle w:val=\"{style}\"/>"));
        }
        if let Some((num, level)) = number {
            self.out.push_str(&format!(
                "<w:numPr><w:ilvl w:val=\"{level}\"/><w:numId w:val=\"{num}\"/></w:numPr>"
            ));
        }
        if indent > 0 {
            self.out.push_str(&format!("<w:ind w:left=\"{indent}\""));
            if number.is_some() {
                self.out.push_str(" w:hanging=\"360\"");
            }
            self.out.push_str("/>");
        }
        self.out.push_str("</w:pPr>");
    }

    fn bookmark_start(&mut self, name: &str) -> u32 {
        self.collected.bookmark_count += 1;
        let id = self.collected.bookmark_count;
        self.out
            .push_str(&format!("<w:bookmarkStart w:id=\"{id}\" w:name=\""));
        push_xml_attr(&mut self.out, name);
        self.out.push_str("\"/>");
        id
    }

    fn bookmark_end(&mut self, id: u32) {
        self.out
            .push_str(&format!("<w:bookmarkEnd w:id=\"{id}\"/>"));
    }

    fn inlines(&mut self, inlines: &[Inline], format: &Format) {
        for inline in inlines {
            self.inline(inline, format);
        }
    }

    fn inline(&mut self, inline: &Inline, format: &Format) {
        match inline {
            Inline::Text(t) => self.run(t, format),
            Inline::Code(c) => self.run(c, &format.with(|f| f.style = Some("VerbatimChar"))),
            Inline::Emph(c) => self.inlines(c, &format.with(|f| f.italic = !format.italic)),
            Inline::Strong(c) => self.inlines(c, &format.with(|f| f.bold = true)),
            Inline::Strike(c) => self.inlines(c, &format.with(|f| f.strike = true)),
            Inline::SmallCaps(c) => self.inlines(c, &format.with(|f| f.small_caps = true)),
            // The DOCX has no index (Word builds its own from XE fields).
            Inline::IndexTerm(m) => self.inlines(&m.content, format),
            Inline::Sup(c) => self.inlines(c, &format.with(|f| f.vertical = Some("superscript"))),
            Inline::Sub(c) => self.inlines(c, &format.with(|f| f.vertical = Some("subscript"))),
            Inline::Link {
                url,
                target,
                content,
                ..
            } => match target {
                LinkTarget::Chapter { chapter, anchor } if (self.present)(chapter) => {
                    let name = self.collected.bookmark(chapter, anchor.as_deref());
                    self.internal_link(&name, content, format);
                }
                LinkTarget::Reference(key) => {
                    let name = self.collected.bookmark("ref", Some(key));
                    self.internal_link(&name, content, format);
                }
                LinkTarget::External => match safe_url(url) {
                    Some(url) => {
                        let id = self.collected.relationship(self.part, HYPERLINK, url);
                        self.out.push_str(&format!("<w:hyperlink r:id=\"{id}\">"));
                        self.inlines(content, &format.with(|f| f.style = Some("Hyperlink")));
                        self.out.push_str("</w:hyperlink>");
                    }
                    None => self.inlines(content, format),
                },
                // A chapter outside this document, or a file of the book.
                _ => self.inlines(content, format),
            },
            Inline::Image(image) => {
                self.image(image, None);
            }
            Inline::FootnoteRef(n) => self.footnote(*n),
            Inline::Cite(c) => {
                if c.rendered.is_empty() {
                    self.run(&c.source(), format);
                } else {
                    self.inlines(&c.rendered, format);
                }
            }
            Inline::Ref(r) => match &r.target {
                Some((chapter, anchor)) if (self.present)(chapter) => {
                    let name = self.collected.bookmark(chapter, Some(anchor));
                    self.internal_link(&name, &[Inline::Text(r.text.clone())], format);
                }
                _ => self.run(&r.text, format),
            },
            Inline::Math(math) => {
                self.run(&math.tex, &format.with(|f| f.style = Some("VerbatimChar")))
            }
            Inline::Html(html) => {
                if self.book.config.html.raw_html == RawHtml::Escape {
                    self.run(html, format);
                }
            }
            Inline::Anchor(id) => {
                if let Some(chapter) = self.chapter {
                    let name = self.collected.bookmark(&chapter.id, Some(id));
                    let mark = self.bookmark_start(&name);
                    self.bookmark_end(mark);
                }
            }
            Inline::SoftBreak => self.run(" ", format),
            Inline::LineBreak => self.out.push_str("<w:r><w:br/></w:r>"),
        }
    }

    fn internal_link(&mut self, bookmark: &str, content: &[Inline], format: &Format) {
        self.out.push_str("<w:hyperlink w:anchor=\"");
        push_xml_attr(&mut self.out, bookmark);
        self.out.push_str("\">");
        self.inlines(content, &format.with(|f| f.style = Some("Hyperlink")));
        self.out.push_str("</w:hyperlink>");
    }

    /// A run of text: tabs kept as Word tabs, other control characters
    /// left out.
    fn run(&mut self, text: &str, format: &Format) {
        if text.is_empty() {
            return;
        }
        self.out.push_str("<w:r>");
        self.run_properties(format);
        for (i, piece) in text.split('\t').enumerate() {
            if i > 0 {
                self.out.push_str("<w:tab/>");
            }
            if !piece.is_empty() {
                self.out.push_str("<w:t xml:space=\"preserve\">");
                push_xml_text(&mut self.out, &piece.replace(['\n', '\r'], " "));
                self.out.push_str("</w:t>");
            }
        }
        self.out.push_str("</w:r>");
    }

    fn run_properties(&mut self, format: &Format) {
        let mut props = String::new();
        if let Some(style) = format.style {
            props.push_str(&format!("<w:rStyle w:val=\"{style}\"/>"));
        }
        if format.bold {
            props.push_str("<w:b/><w:bCs/>");
        }
        if format.italic {
            props.push_str("<w:i/><w:iCs/>");
        }
        // The schema's order: smallCaps before strike.
        if format.small_caps {
            props.push_str("<w:smallCaps/>");
        }
        if format.strike {
            props.push_str("<w:strike/>");
        }
        if let Some(v) = format.vertical {
            props.push_str(&format!("<w:vertAlign w:val=\"{v}\"/>"));
        }
        if let Some(lang) = &self.lang {
            props.push_str("<w:lang w:val=\"");
            push_xml_attr(&mut props, lang);
            props.push_str("\"/>");
        }
        if !props.is_empty() {
            self.out.push_str("<w:rPr>");
            self.out.push_str(&props);
            self.out.push_str("</w:rPr>");
        }
    }

    /// A footnote: written once into the footnotes part, its reference
    /// here; a second reference to the same note prints its number.
    fn footnote(&mut self, n: u32) {
        if let Some(&word_number) = self.notes_done.get(&n) {
            self.run(
                &word_number.to_string(),
                &Format::default().with(|f| f.style = Some("FootnoteReference")),
            );
            return;
        }
        let Some(note) = self
            .chapter
            .and_then(|c| c.footnotes.iter().find(|f| f.number == n))
        else {
            return;
        };
        self.collected.footnote_count += 1;
        let id = self.collected.footnote_count;
        self.notes_done.insert(n, id);
        self.out.push_str(&format!(
            "<w:r><w:rPr><w:rStyle w:val=\"FootnoteReference\"/></w:rPr><w:footnoteReference w:id=\"{id}\"/></w:r>"
        ));
        let body = self.footnote_body(note);
        self.collected
            .footnotes
            .push_str(&format!("<w:footnote w:id=\"{id}\">{body}</w:footnote>"));
    }

    fn footnote_body(&mut self, note: &Footnote) -> String {
        let outer = std::mem::take(&mut self.out);
        let part = std::mem::replace(&mut self.part, Part::Footnotes);
        let after_heading = std::mem::replace(&mut self.after_heading, false);
        let ctx = Context {
            style: Some("FootnoteText"),
            ..Context::default()
        };
        for (i, block) in note.blocks.iter().enumerate() {
            if i == 0
                && let BlockKind::Paragraph(inlines) = &block.kind
            {
                self.out.push_str("<w:p>");
                self.paragraph_properties(Some("FootnoteText"), 0, None);
                self.out.push_str(
                    "<w:r><w:rPr><w:rStyle w:val=\"FootnoteReference\"/></w:rPr><w:footnoteRef/></w:r><w:r><w:t xml:space=\"preserve\"> </w:t></w:r>",
                );
                self.inlines(inlines, &Format::default());
                self.out.push_str("</w:p>");
            } else {
                self.block(block, ctx);
            }
        }
        if note.blocks.is_empty() {
            self.out.push_str("<w:p><w:pPr><w:pStyle w:val=\"FootnoteText\"/></w:pPr><w:r><w:rPr><w:rStyle w:val=\"FootnoteReference\"/></w:rPr><w:footnoteRef/></w:r></w:p>");
        }
        self.part = part;
        self.after_heading = after_heading;
        std::mem::replace(&mut self.out, outer)
    }

    fn figure(&mut self, fig: &Figure, ctx: Context) {
        self.out.push_str("<w:p>");
        self.paragraph_properties(Some("CaptionedFigure"), ctx.indent, None);
        let bookmark = match (&fig.label, self.chapter) {
            (Some(label), Some(chapter)) => {
                let name = self.collected.bookmark(&chapter.id, Some(label));
                Some(self.bookmark_start(&name))
            }
            _ => None,
        };
        self.image(&fig.image, Some(&fig.image.alt_text()));
        if let Some(id) = bookmark {
            self.bookmark_end(id);
        }
        self.out.push_str("</w:p>");
        self.caption(
            "ImageCaption",
            self.labels.figure,
            fig.number.as_deref(),
            &fig.image.alt,
        );
    }

    fn caption(&mut self, style: &str, word: &str, number: Option<&str>, text: &[Inline]) {
        if number.is_none() && text.is_empty() {
            return;
        }
        self.out.push_str("<w:p>");
        self.paragraph_properties(Some(style), 0, None);
        if let Some(n) = number {
            self.run(
                &format!("{word} {n}"),
                &Format::default().with(|f| f.bold = true),
            );
            if !text.is_empty() {
                self.run(" ", &Format::default());
            }
        }
        self.inlines(text, &Format::default());
        self.out.push_str("</w:p>");
    }

    fn table(&mut self, table: &Table, ctx: Context) {
        if !table.caption.is_empty() {
            let bookmark = match (&table.label, self.chapter) {
                (Some(label), Some(chapter)) => {
                    Some(self.collected.bookmark(&chapter.id, Some(label)))
                }
                _ => None,
            };
            self.out.push_str("<w:p>");
            self.paragraph_properties(Some("TableCaption"), ctx.indent, None);
            let id = bookmark.map(|b| self.bookmark_start(&b));
            if let Some(n) = &table.number {
                self.run(
                    &format!("{} {n}", self.labels.table),
                    &Format::default().with(|f| f.bold = true),
                );
                self.run(" ", &Format::default());
            }
            self.inlines(&table.caption, &Format::default());
            if let Some(id) = id {
                self.bookmark_end(id);
            }
            self.out.push_str("</w:p>");
        }
        let columns = table
            .header
            .len()
            .max(table.rows.iter().map(Vec::len).max().unwrap_or(0))
            .max(1);
        // The text width of an A4 page with Word's margins, in twips.
        let width = 9000 / columns as u32;
        self.out.push_str(
            "<w:tbl><w:tblPr><w:tblStyle w:val=\"Table\"/><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:tblLook w:val=\"0020\" w:firstRow=\"1\" w:lastRow=\"0\" w:firstColumn=\"0\" w:lastColumn=\"0\" w:noHBand=\"0\" w:noVBand=\"0\"/></w:tblPr><w:tblGrid>",
        );
        for _ in 0..columns {
            self.out.push_str(&format!("<w:gridCol w:w=\"{width}\"/>"));
        }
        self.out.push_str("</w:tblGrid>");
        if !table.header.is_empty() {
            self.row(&table.header, &table.aligns, true, columns, width);
        }
        for row in &table.rows {
            self.row(row, &table.aligns, false, columns, width);
        }
        self.out.push_str("</w:tbl>");
    }

    fn row(
        &mut self,
        cells: &[Vec<Inline>],
        aligns: &[Align],
        header: bool,
        columns: usize,
        width: u32,
    ) {
        self.out.push_str("<w:tr>");
        if header {
            self.out.push_str("<w:trPr><w:tblHeader/></w:trPr>");
        }
        for i in 0..columns {
            self.out.push_str(&format!(
                "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/></w:tcPr><w:p><w:pPr><w:pStyle w:val=\"Compact\"/>"
            ));
            let jc = match aligns.get(i) {
                Some(Align::Center) => Some("center"),
                Some(Align::Right) => Some("right"),
                Some(Align::Left) => Some("left"),
                _ => None,
            };
            if let Some(jc) = jc {
                self.out.push_str(&format!("<w:jc w:val=\"{jc}\"/>"));
            }
            self.out.push_str("</w:pPr>");
            // The header row's bold is the table style's (`firstRow`).
            if let Some(cell) = cells.get(i) {
                self.inlines(cell, &Format::default());
            }
            self.out.push_str("</w:p></w:tc>");
        }
        self.out.push_str("</w:tr>");
    }

    /// Draws an image of the book, embedded once; an image Word cannot
    /// show (SVG, say, or a remote one) is its description in brackets and
    /// a warning.
    fn image(&mut self, image: &Image, description: Option<&str>) {
        let description = description
            .map(str::to_string)
            .unwrap_or_else(|| image.alt_text());
        let Some(asset) = &image.asset else {
            self.run(&format!("[{description}]"), &Format::default());
            return;
        };
        let Some((media, width, height)) = self.embed(asset, image) else {
            self.run(&format!("[{description}]"), &Format::default());
            return;
        };
        let rel = self
            .collected
            .relationship(self.part, IMAGE, format!("media/{media}"));
        self.collected.drawing_count += 1;
        let n = self.collected.drawing_count;
        let mut descr = String::new();
        push_xml_attr(&mut descr, &description);
        self.out.push_str(&format!(
            "<w:r><w:drawing><wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\"><wp:extent cx=\"{width}\" cy=\"{height}\"/><wp:docPr id=\"{n}\" name=\"Image {n}\" descr=\"{descr}\"/><wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect=\"1\"/></wp:cNvGraphicFramePr><a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><pic:pic><pic:nvPicPr><pic:cNvPr id=\"{n}\" name=\"{media}\" descr=\"{descr}\"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed=\"{rel}\"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"{width}\" cy=\"{height}\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
        ));
    }

    /// The image's media name and its size in EMU (at most the text width).
    fn embed(&mut self, asset: &str, image: &Image) -> Option<(String, u64, u64)> {
        use typst::foundations::Bytes;
        use typst::visualize::{ExchangeFormat, RasterFormat, RasterImage};
        let ext = asset.rsplit_once('.')?.1.to_ascii_lowercase();
        if ext == "svg" {
            return self.embed_svg(asset, image);
        }
        let format = match ext.as_str() {
            "png" => ExchangeFormat::Png,
            "jpg" | "jpeg" => ExchangeFormat::Jpg,
            "gif" => ExchangeFormat::Gif,
            "webp" => ExchangeFormat::Webp,
            _ => {
                self.cannot_draw(asset, "only PNG, JPEG, GIF, WebP and SVG");
                return None;
            }
        };
        let bytes = self.read_asset(asset)?;
        let decoded = match RasterImage::new(
            Bytes::new(bytes.clone()),
            RasterFormat::Exchange(format),
            Default::default(),
        ) {
            Ok(decoded) => decoded,
            Err(e) => {
                self.cannot_draw(asset, e.as_ref());
                return None;
            }
        };
        let name = self.media_name(asset, &ext, || bytes);
        // EMU: 914,400 per inch; pixels at the image's resolution, else 96 dpi.
        let dpi = decoded.dpi().unwrap_or(96.0).max(1.0);
        let emu = |px: u32| (px as f64 / dpi * 914_400.0) as u64;
        let (w, h) = fit(image, emu(decoded.width()), emu(decoded.height()));
        Some((name, w, h))
    }

    /// The bytes of the book's `asset`, or a warning.
    fn read_asset(&mut self, asset: &str) -> Option<Vec<u8>> {
        match std::fs::read(self.book.root.join(asset)) {
            Ok(bytes) => Some(bytes),
            Err(e) => {
                self.cannot_draw(asset, &e.to_string());
                None
            }
        }
    }

    /// A warning that `asset` stands as its description: at the block it is
    /// in (else the image file).
    fn cannot_draw(&mut self, asset: &str, why: &str) {
        let message =
            format!("the DOCX cannot show `{asset}` ({why}): its description stands in its place");
        let warning = match &self.span {
            Some(span) => Diagnostic::warning(span.clone(), message),
            None => Diagnostic::warning_in(Some(std::path::PathBuf::from(asset)), message),
        };
        self.collected
            .warnings
            .push(warning.hint("give a PNG beside it for the DOCX, or accept the description"));
    }

    /// The media name of the book's `asset`, its bytes (made by `bytes`)
    /// embedded at its first use.
    fn media_name(&mut self, asset: &str, ext: &str, bytes: impl FnOnce() -> Vec<u8>) -> String {
        if let Some(name) = self.collected.media_names.get(asset) {
            return name.clone();
        }
        let name = format!("image{}.{ext}", self.collected.media.len() + 1);
        self.collected
            .media
            .push((format!("word/media/{name}"), bytes()));
        self.collected
            .media_names
            .insert(asset.to_string(), name.clone());
        name
    }

    /// An SVG drawn as a PNG at twice its size (Word wants a bitmap beside
    /// any SVG, and LibreOffice reads only the bitmap): its text in Typst's
    /// embedded fonts and the book's `fonts/`, so that the same book gives
    /// the same bytes; images it links to are not read (only `data:` ones).
    fn embed_svg(&mut self, asset: &str, image: &Image) -> Option<(String, u64, u64)> {
        use resvg::{tiny_skia, usvg};
        let bytes = self.read_asset(asset)?;
        let mut options = usvg::Options {
            image_href_resolver: usvg::ImageHrefResolver {
                resolve_data: usvg::ImageHrefResolver::default_data_resolver(),
                resolve_string: Box::new(|_, _| None),
            },
            ..usvg::Options::default()
        };
        let body = svg_body_font(self.book);
        options.fontdb = self
            .collected
            .svg_fonts
            .get_or_insert_with(|| svg_fonts(self.book))
            .clone();
        options.font_family = body;
        let tree = match usvg::Tree::from_data(&bytes, &options) {
            Ok(tree) => tree,
            Err(e) => {
                self.cannot_draw(asset, &e.to_string());
                return None;
            }
        };
        let size = tree.size();
        // Twice the size, within 4,000 pixels a side.
        let scale = (2.0f32).min(4000.0 / size.width().max(size.height()).max(1.0));
        let (pw, ph) = (
            (size.width() * scale).ceil().max(1.0) as u32,
            (size.height() * scale).ceil().max(1.0) as u32,
        );
        let Some(mut pixmap) = tiny_skia::Pixmap::new(pw, ph) else {
            self.cannot_draw(asset, "it has no size");
            return None;
        };
        pixmap.fill(tiny_skia::Color::WHITE);
        resvg::render(
            &tree,
            tiny_skia::Transform::from_scale(scale, scale),
            &mut pixmap.as_mut(),
        );
        let png = match pixmap.encode_png() {
            Ok(png) => png,
            Err(e) => {
                self.cannot_draw(asset, &e.to_string());
                return None;
            }
        };
        // CSS pixels: 96 a inch.
        let emu = |px: f32| (px as f64 / 96.0 * 914_400.0) as u64;
        let (w, h) = fit(image, emu(size.width()), emu(size.height()));
        let name = self.media_name(asset, "png", || png);
        Some((name, w, h))
    }
}

/// An image's size in EMU (`w` × `h` as drawn): its `{width=N%}` of the
/// text width, else at most the text width (6 inches).
fn fit(image: &Image, w: u64, h: u64) -> (u64, u64) {
    let max = 6 * 914_400;
    let scale = match image.width.as_deref().and_then(|w| w.strip_suffix('%')) {
        Some(p) => p
            .parse::<f64>()
            .ok()
            .map(|p| p / 100.0 * max as f64 / w.max(1) as f64),
        None => (w > max).then(|| max as f64 / w as f64),
    };
    match scale.filter(|s| s.is_finite() && *s > 0.0) {
        Some(s) => (
            ((w as f64 * s) as u64).max(1),
            ((h as f64 * s) as u64).max(1),
        ),
        None => (w.max(1), h.max(1)),
    }
}

/// The family an SVG's generic families are drawn in: the book's font, as
/// Typst draws them in the PDF (it resolves no generic family and falls
/// back to the text's).
fn svg_body_font(book: &Book) -> String {
    book.config
        .pdf
        .font
        .first()
        .cloned()
        .unwrap_or_else(|| "Libertinus Serif".to_string())
}

/// The fonts SVG text is drawn in: Typst's embedded ones (parsed once per
/// process) and the book's `fonts/`, generic families in the book's font.
fn svg_fonts(book: &Book) -> std::sync::Arc<resvg::usvg::fontdb::Database> {
    use resvg::usvg::fontdb::Database;
    use std::sync::{Arc, OnceLock};
    static EMBEDDED: OnceLock<Arc<Database>> = OnceLock::new();
    let mut fonts = EMBEDDED
        .get_or_init(|| {
            let mut db = Database::new();
            for font in typst_assets::fonts() {
                db.load_font_data(font.to_vec());
            }
            Arc::new(db)
        })
        .clone();
    let db = Arc::make_mut(&mut fonts);
    let dir = book.root.join("fonts");
    if dir.is_dir() {
        db.load_fonts_dir(dir);
    }
    let body = svg_body_font(book);
    db.set_serif_family(body.clone());
    db.set_sans_serif_family(body.clone());
    db.set_cursive_family(body.clone());
    db.set_fantasy_family(body);
    db.set_monospace_family("DejaVu Sans Mono");
    fonts
}
