//! Blocks and inlines → HTML for the site, or XHTML for the EPUB. One
//! `match` over node kinds sends each to its own function, so a new node
//! kind does not compile until it is rendered.
//!
//! The same writer serves both outputs; [`Markup`] says which. In XHTML
//! every element is closed, text and attributes are escaped for XML (and
//! characters XML forbids dropped), links lead to the EPUB's documents and
//! images are those the EPUB holds. Raw HTML written in a chapter is the one
//! thing an HTML parser still reads, to make it XML
//! ([`crate::render::epub::xhtml::to_xhtml`]).

use super::raw::clean;
use crate::config::RawHtml;
use crate::lang::Labels;
use crate::model::{
    Align, Block, BlockKind, Chapter, Citation, CrossRef, Figure, Heading, Image, Inline,
    LinkTarget, ListItem, Math, Reference, Table, plain_text,
};
use crate::render::epub::xhtml::{Found, XhtmlContext, relative, to_xhtml};
use crate::render::escape::{html_attr, push_html_text, push_xml_attr, push_xml_text, safe_url};
use crate::view::{footnote_id, footnote_ref_id, reference_id};

/// Which markup the writer produces.
#[derive(Clone, Copy)]
pub enum Markup<'a> {
    /// The site's HTML.
    Html,
    /// The EPUB's XHTML, for a document in `ctx.base`, with what it may
    /// embed and link to.
    Xhtml(&'a XhtmlContext<'a>),
}

/// What the body writer needs to know beyond the model.
pub struct BodyContext<'a> {
    /// The chapter being rendered (links to its own anchors stay on the page).
    pub chapter_id: &'a str,
    /// Raw HTML policy.
    pub raw_html: RawHtml,
    /// Words in the chapter's language.
    pub labels: &'a Labels,
    /// The page holding the reference list that citations link to: "" for
    /// the chapter's own list, the book's list page otherwise.
    pub references: &'a str,
    /// HTML for the site, XHTML for the EPUB.
    pub markup: Markup<'a>,
    /// Where the PDF's pages begin in this chapter: (index of the top-level
    /// block, printed page number); a marker goes before each such block.
    pub page_breaks: Vec<(usize, String)>,
}

impl BodyContext<'_> {
    fn xhtml(&self) -> bool {
        matches!(self.markup, Markup::Xhtml(_))
    }
}

/// Renders blocks of one chapter.
pub struct BodyWriter<'a> {
    ctx: &'a BodyContext<'a>,
    out: String,
    /// How many times each footnote was referenced so far, for unique ids.
    footnote_refs: Vec<u32>,
    /// In XHTML: what the markup embeds, links to and needs (the EPUB's
    /// manifest properties and warnings).
    found: Found,
}

impl<'a> BodyWriter<'a> {
    /// A writer for one chapter page.
    pub fn new(ctx: &'a BodyContext<'a>) -> Self {
        BodyWriter {
            ctx,
            out: String::new(),
            footnote_refs: Vec::new(),
            found: Found::default(),
        }
    }

    /// What the markup written so far embeds, links to and needs.
    pub fn found(&self) -> &Found {
        &self.found
    }

    /// Renders blocks and returns the markup written so far, emptying the buffer.
    pub fn blocks(&mut self, blocks: &[Block]) -> String {
        for block in blocks {
            self.block(block, false);
        }
        std::mem::take(&mut self.out)
    }

    /// Renders inlines and returns their markup, emptying the buffer.
    pub fn inline_html(&mut self, inlines: &[Inline]) -> String {
        self.inlines(inlines);
        std::mem::take(&mut self.out)
    }

    /// Appends text, escaped for the markup.
    fn text(&mut self, text: &str) {
        if self.ctx.xhtml() {
            push_xml_text(&mut self.out, text);
        } else {
            push_html_text(&mut self.out, text);
        }
    }

    /// Appends ` name="value"` pairs, escaped for the markup. XHTML writes
    /// them sorted by name, as the EPUB's documents always have.
    fn attributes(&mut self, attrs: &[(&str, &str)]) {
        let mut sorted;
        let attrs = if self.ctx.xhtml() {
            sorted = attrs.to_vec();
            sorted.sort_by_key(|(name, _)| *name);
            &sorted[..]
        } else {
            attrs
        };
        for (name, value) in attrs {
            self.out.push(' ');
            self.out.push_str(name);
            self.out.push_str("=\"");
            if self.ctx.xhtml() {
                push_xml_attr(&mut self.out, value);
            } else {
                self.out.push_str(&html_attr(value));
            }
            self.out.push('"');
        }
    }

    /// `<tag attrs>`.
    fn open(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        self.out.push('<');
        self.out.push_str(tag);
        self.attributes(attrs);
        self.out.push('>');
    }

    /// `<tag attrs />`, a void element.
    fn void(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        self.out.push('<');
        self.out.push_str(tag);
        self.attributes(attrs);
        self.out.push_str(" />");
    }

    fn block(&mut self, block: &Block, tight: bool) {
        match &block.kind {
            BlockKind::Paragraph(inlines) => self.paragraph(inlines, tight),
            BlockKind::Heading(h) => self.heading(h),
            BlockKind::BlockQuote(blocks) => {
                self.open("blockquote", &[]);
                self.out.push('\n');
                self.blocks_in(blocks);
                self.out.push_str("</blockquote>\n");
            }
            BlockKind::Alert {
                kind,
                title,
                blocks,
            } => {
                let class = format!("alert alert-{kind}");
                self.open("div", &[("class", &class), ("role", "note")]);
                self.out.push_str("\n<p class=\"alert-title\">");
                self.text(title);
                self.out.push_str("</p>\n");
                self.blocks_in(blocks);
                self.out.push_str("</div>\n");
            }
            BlockKind::List {
                start,
                tight,
                items,
            } => self.list(*start, *tight, items),
            BlockKind::CodeBlock { lang, code } => self.code_block(lang.as_deref(), code),
            BlockKind::Raw { format, content } => self.raw_block(format, content),
            BlockKind::Html(html) => self.html_block(html),
            BlockKind::Math(math) => self.display_math(math),
            BlockKind::Figure(fig) => self.figure(fig),
            BlockKind::Table(table) => self.table(table),
            BlockKind::Rule => self.out.push_str("<hr />\n"),
        }
    }

    fn blocks_in(&mut self, blocks: &[Block]) {
        for b in blocks {
            self.block(b, false);
        }
    }

    fn paragraph(&mut self, inlines: &[Inline], tight: bool) {
        // Anchors alone (`<a id="…"></a>` on its own line) make no paragraph.
        let tight = tight || inlines.iter().all(|i| matches!(i, Inline::Anchor(_)));
        if !tight {
            self.out.push_str("<p>");
        }
        self.inlines(inlines);
        if !tight {
            self.out.push_str("</p>");
        }
        self.out.push('\n');
    }

    fn heading(&mut self, h: &Heading) {
        let level = (h.depth as usize + 1).clamp(2, 6);
        let tag = format!("h{level}");
        self.open(&tag, &[("id", &h.id)]);
        if let Some(n) = &h.number {
            self.open("span", &[("class", "section-number")]);
            self.text(n);
            self.out.push_str("</span> ");
        }
        self.inlines(&h.content);
        if !self.ctx.xhtml() {
            // The site's anchor to copy; readers of an EPUB have no use for it.
            self.out.push(' ');
            let href = format!("#{}", h.id);
            self.open(
                "a",
                &[
                    ("class", "heading-anchor"),
                    ("href", &href),
                    ("aria-hidden", "true"),
                    ("tabindex", "-1"),
                ],
            );
            self.out.push_str("#</a>");
        }
        self.out.push_str(&format!("</{tag}>\n"));
    }

    fn list(&mut self, start: Option<u64>, tight: bool, items: &[ListItem]) {
        let is_task = items.iter().any(|i| i.task.is_some());
        let mut attrs: Vec<(&str, &str)> = Vec::new();
        let start_text = start.map(|n| n.to_string());
        if let Some(n) = start_text.as_deref().filter(|n| *n != "1") {
            attrs.push(("start", n));
        }
        if is_task {
            attrs.push(("class", "task-list"));
        }
        self.open(if start.is_some() { "ol" } else { "ul" }, &attrs);
        self.out.push('\n');
        for item in items {
            match item.task {
                Some(checked) => {
                    self.open("li", &[("class", "task-list-item")]);
                    // A form control needs a name; the item's text follows it.
                    let labels = self.ctx.labels;
                    let name = if checked {
                        labels.task_done
                    } else {
                        labels.task_open
                    };
                    let mut attrs = vec![
                        ("type", "checkbox"),
                        ("disabled", "disabled"),
                        ("aria-label", name),
                    ];
                    if checked {
                        attrs.push(("checked", "checked"));
                    }
                    self.void("input", &attrs);
                    self.out.push(' ');
                }
                None => self.out.push_str("<li>"),
            }
            for b in &item.blocks {
                self.block(b, tight);
            }
            self.out.push_str("</li>\n");
        }
        self.out.push_str(if start.is_some() {
            "</ol>\n"
        } else {
            "</ul>\n"
        });
    }

    fn code_block(&mut self, lang: Option<&str>, code: &str) {
        let name = match lang {
            Some(l) => format!("{} ({l})", self.ctx.labels.code),
            None => self.ctx.labels.code.to_string(),
        };
        self.scroll_box("pre", &[], &name);
        match lang {
            Some(l) => self.open("code", &[("class", &format!("language-{l}"))]),
            None => self.out.push_str("<code>"),
        }
        self.text(code);
        self.out.push_str("</code></pre>\n");
    }

    fn raw_block(&mut self, format: &str, content: &str) {
        if format != "html" {
            return; // for another output
        }
        self.raw_html_block(content);
    }

    fn html_block(&mut self, html: &str) {
        self.raw_html_block(html);
    }

    /// HTML written in the chapter, by the book's policy: as it is, cleaned,
    /// or shown as text; made XML for the EPUB.
    fn raw_html_block(&mut self, html: &str) {
        let html = match self.ctx.raw_html {
            RawHtml::Allow | RawHtml::Sanitize => clean(self.ctx.raw_html, html),
            // The raw pass drops raw blocks under `escape`; an HTML block
            // shows as text.
            RawHtml::Escape => {
                self.open("pre", &[("class", "raw-html-escaped")]);
                self.text(html);
                self.out.push_str("</pre>\n");
                return;
            }
        };
        match self.ctx.markup {
            Markup::Html => self.out.push_str(&html),
            Markup::Xhtml(ctx) => {
                let xhtml = to_xhtml(&html, ctx, &mut self.found);
                self.out.push_str(&xhtml);
            }
        }
        self.out.push('\n');
    }

    /// Opens an element that scrolls sideways in the site when its content
    /// is wider than the page (a code block, a display formula, a table):
    /// keyboard users reach it with Tab and scroll it with the arrows, and
    /// it is named for them. The EPUB's style wraps or shrinks these instead
    /// (reading systems page, they do not scroll), so its markup is plain.
    fn scroll_box(&mut self, tag: &str, attrs: &[(&str, &str)], name: &str) {
        let mut attrs = attrs.to_vec();
        if !self.ctx.xhtml() {
            attrs.extend([("tabindex", "0"), ("role", "group"), ("aria-label", name)]);
        }
        self.open(tag, &attrs);
    }

    fn display_math(&mut self, math: &Math) {
        let name = self.ctx.labels.formula;
        self.scroll_box("div", &[("class", "math math-display")], name);
        self.math(math);
        self.out.push_str("</div>\n");
    }

    /// A formula's MathML (made by the math pass, checked there to be
    /// well-formed XML in the MathML namespace), or its source as code when
    /// it could not be converted.
    fn math(&mut self, math: &Math) {
        match &math.mathml {
            Some(mathml) => {
                self.found.mathml = true;
                self.out.push_str(mathml);
            }
            None => {
                self.out.push_str("<code class=\"math-error\">");
                self.text(&math.tex);
                self.out.push_str("</code>");
            }
        }
    }

    fn figure(&mut self, fig: &Figure) {
        match &fig.label {
            Some(l) => self.open("figure", &[("class", "figure"), ("id", l)]),
            None => self.open("figure", &[("class", "figure")]),
        }
        self.out.push('\n');
        self.image(&fig.image);
        self.out.push_str("\n<figcaption>");
        if let Some(n) = &fig.number {
            self.caption_number(self.ctx.labels.figure, n);
        }
        self.inlines(&fig.image.alt);
        self.out.push_str("</figcaption>\n</figure>\n");
    }

    fn caption_number(&mut self, word: &str, number: &str) {
        self.open("span", &[("class", "figure-number")]);
        self.text(&format!("{word} {number}"));
        self.out.push_str("</span> ");
    }

    fn table(&mut self, table: &Table) {
        let captioned = !table.caption.is_empty();
        if captioned {
            match &table.label {
                Some(l) => self.open("figure", &[("class", "table"), ("id", l)]),
                None => self.open("figure", &[("class", "table")]),
            }
            self.out.push_str("\n<figcaption>");
            if let Some(n) = &table.number {
                self.caption_number(self.ctx.labels.table, n);
            }
            self.inlines(&table.caption);
            self.out.push_str("</figcaption>\n");
        }
        let name = match &table.number {
            Some(n) => format!("{} {n}", self.ctx.labels.table),
            None => self.ctx.labels.table.to_string(),
        };
        let name = match plain_text(&table.caption) {
            caption if caption.is_empty() => name,
            caption if table.number.is_some() => format!("{name} {caption}"),
            caption => caption,
        };
        self.scroll_box("div", &[("class", "table-wrap")], &name);
        self.out.push_str("<table>\n");
        let style = |i: usize| match table.aligns.get(i) {
            Some(Align::Left) => Some("text-align:left"),
            Some(Align::Center) => Some("text-align:center"),
            Some(Align::Right) => Some("text-align:right"),
            _ => None,
        };
        let row = |w: &mut Self, tag: &str, cells: &[Vec<Inline>]| {
            for (i, cell) in cells.iter().enumerate() {
                match style(i) {
                    Some(s) => w.open(tag, &[("style", s)]),
                    None => w.open(tag, &[]),
                }
                w.inlines(cell);
                w.out.push_str(&format!("</{tag}>"));
            }
        };
        if !table.header.is_empty() {
            self.out.push_str("<thead><tr>");
            row(self, "th", &table.header);
            self.out.push_str("</tr></thead>\n");
        }
        self.out.push_str("<tbody>\n");
        for cells in &table.rows {
            self.out.push_str("<tr>");
            row(self, "td", cells);
            self.out.push_str("</tr>\n");
        }
        self.out.push_str("</tbody>\n</table></div>\n");
        if captioned {
            self.out.push_str("</figure>\n");
        }
    }

    /// Writes the inlines of one container: a paragraph, a heading, a
    /// table cell, a caption, a title. Every container's inlines come
    /// through here (and only nested inlines, inside emphasis or a link,
    /// through [`BodyWriter::inline_run`]), so that raw inline HTML is
    /// cleaned wherever it stands: under `sanitize` the container's whole
    /// markup goes through the sanitizer, so that tags opened and closed in
    /// separate fragments are judged together and none can leave the
    /// container; in the EPUB it is then made XML.
    fn inlines(&mut self, inlines: &[Inline]) {
        if self.ctx.raw_html == RawHtml::Escape || !contains_html(inlines) {
            self.inline_run(inlines);
            return;
        }
        let start = self.out.len();
        self.inline_run(inlines);
        let written = self.out.split_off(start);
        let mut cleaned = clean(self.ctx.raw_html, &written);
        if let Markup::Xhtml(ctx) = self.ctx.markup {
            cleaned = to_xhtml(&cleaned, ctx, &mut self.found);
        }
        self.out.push_str(&cleaned);
    }

    /// Writes inlines nested in another inline (emphasis, a link, a
    /// citation's text): cleaned with their container (see
    /// [`BodyWriter::inlines`]).
    fn inline_run(&mut self, inlines: &[Inline]) {
        for inline in inlines {
            self.inline(inline);
        }
    }

    fn inline(&mut self, inline: &Inline) {
        match inline {
            Inline::Text(t) => self.text(t),
            Inline::Code(c) => {
                self.out.push_str("<code>");
                self.text(c);
                self.out.push_str("</code>");
            }
            Inline::Emph(c) => self.tagged("em", c),
            Inline::Strong(c) => self.tagged("strong", c),
            Inline::Strike(c) => self.tagged("del", c),
            Inline::Sup(c) => self.tagged("sup", c),
            Inline::Sub(c) => self.tagged("sub", c),
            Inline::SmallCaps(c) => {
                self.out.push_str("<span class=\"smallcaps\">");
                self.inlines(c);
                self.out.push_str("</span>");
            }
            Inline::Link {
                url,
                title,
                target,
                content,
                ..
            } => self.link(url, title, target, content),
            Inline::Image(img) => self.image(img),
            Inline::FootnoteRef(n) => self.footnote_ref(*n),
            Inline::Cite(c) => self.citation(c),
            Inline::Ref(r) => self.cross_ref(r),
            Inline::Math(math) => self.math(math),
            Inline::Html(html) => match self.ctx.raw_html {
                // Kept here, cleaned and made XML with its whole block.
                RawHtml::Allow | RawHtml::Sanitize => self.out.push_str(html),
                RawHtml::Escape => {
                    self.out.push_str("<code class=\"raw-html-escaped\">");
                    self.text(html);
                    self.out.push_str("</code>");
                }
            },
            Inline::Anchor(id) => {
                self.open("a", &[("id", id)]);
                self.out.push_str("</a>");
            }
            // The index links to the term's own place (a span, not an
            // empty anchor, so that a reader's highlight shows the term).
            // (A mark the index pass did not anchor, in a title, is text.)
            Inline::IndexTerm(m) if m.id.is_empty() => self.inlines(&m.content),
            Inline::IndexTerm(m) => {
                self.open("span", &[("id", &m.id), ("class", "index-term")]);
                self.inlines(&m.content);
                self.out.push_str("</span>");
            }
            Inline::SoftBreak => self.out.push('\n'),
            Inline::LineBreak => self.out.push_str("<br />\n"),
        }
    }

    fn tagged(&mut self, tag: &str, content: &[Inline]) {
        self.out.push_str(&format!("<{tag}>"));
        self.inline_run(content);
        self.out.push_str(&format!("</{tag}>"));
    }

    /// The address of a chapter of the book, or of an anchor in it: its page
    /// in the site, its document beside this one in the EPUB.
    fn chapter_href(&self, chapter: &str, anchor: Option<&str>) -> String {
        let page = if chapter == self.ctx.chapter_id {
            String::new()
        } else {
            match self.ctx.markup {
                Markup::Html => format!("{chapter}.html"),
                Markup::Xhtml(ctx) => {
                    let document = crate::render::epub::chapter_file(chapter);
                    relative(ctx.base, &document)
                }
            }
        };
        match anchor {
            Some(a) => format!("{page}#{a}"),
            None if page.is_empty() => "#".to_string(),
            None => page,
        }
    }

    /// The address of the page holding the reference list, with an entry's
    /// anchor.
    fn reference_href(&self, key: &str) -> String {
        let page = match self.ctx.markup {
            Markup::Xhtml(ctx) if !self.ctx.references.is_empty() => {
                relative(ctx.base, &format!("{}{}", ctx.base, self.ctx.references))
            }
            _ => self.ctx.references.to_string(),
        };
        format!("{page}#{}", reference_id(key))
    }

    /// A citation as the style formats it, linked to its entry in the
    /// reference list when it cites one work (a link cannot hold the links
    /// some styles print).
    fn citation(&mut self, c: &Citation) {
        if c.rendered.is_empty() {
            // An unknown key (reported): the source, visibly.
            self.out
                .push_str("<span class=\"citation citation-unknown\">");
            self.text(&c.source());
            self.out.push_str("</span>");
            return;
        }
        // Each item links to its entry inside the citation (the citations
        // pass made those links); a citation formatted without them (kept
        // from before) links as a whole when it cites one work.
        let has_link = c.rendered.iter().any(|i| matches!(i, Inline::Link { .. }));
        match c.items.as_slice() {
            [one] if !has_link => {
                let href = self.reference_href(&one.key);
                self.open(
                    "a",
                    &[
                        ("class", "citation"),
                        ("href", &href),
                        ("role", "doc-biblioref"),
                    ],
                );
                self.inline_run(&c.rendered);
                self.out.push_str("</a>");
            }
            _ => {
                self.out.push_str("<span class=\"citation\">");
                self.inline_run(&c.rendered);
                self.out.push_str("</span>");
            }
        }
    }

    /// "figure 2.3", linked to the figure: the text the cross-references
    /// pass gave it.
    fn cross_ref(&mut self, r: &CrossRef) {
        match &r.target {
            Some((chapter, anchor)) => {
                let href = self.chapter_href(chapter, Some(anchor));
                self.open("a", &[("class", "xref"), ("href", &href)]);
                self.text(&r.text);
                self.out.push_str("</a>");
            }
            None => {
                self.out.push_str("<span class=\"xref xref-unknown\">");
                self.text(&r.text);
                self.out.push_str("</span>");
            }
        }
    }

    fn link(&mut self, url: &str, title: &str, target: &LinkTarget, content: &[Inline]) {
        let href = match target {
            LinkTarget::Chapter { chapter, anchor } => {
                Some(self.chapter_href(chapter, anchor.as_deref()))
            }
            LinkTarget::Asset(path) => match self.ctx.markup {
                Markup::Html => Some(path.clone()),
                Markup::Xhtml(_) => {
                    // A file of the book is no document of the EPUB: the
                    // link keeps its text.
                    self.found.dropped_links.insert(path.clone());
                    let mut attrs = Vec::new();
                    if !title.is_empty() {
                        attrs.push(("title", title));
                    }
                    self.open("a", &attrs);
                    self.inline_run(content);
                    self.out.push_str("</a>");
                    return;
                }
            },
            LinkTarget::Reference(key) => Some(self.reference_href(key)),
            LinkTarget::External => safe_url(url),
        };
        let Some(href) = href else {
            // A link that could run code keeps its text and loses its target.
            self.tagged("span", content);
            return;
        };
        let mut attrs = vec![("href", href.as_str())];
        if !title.is_empty() {
            attrs.push(("title", title));
        }
        if matches!(target, LinkTarget::Reference(_)) {
            attrs.push(("role", "doc-biblioref"));
        }
        self.open("a", &attrs);
        self.inline_run(content);
        self.out.push_str("</a>");
    }

    fn image(&mut self, img: &Image) {
        let alt = img.alt_text();
        let src = match (&img.asset, self.ctx.markup) {
            (Some(path), Markup::Html) => Some(path.clone()),
            (Some(path), Markup::Xhtml(ctx)) => {
                if !ctx.images.contains(path) {
                    // A type EPUB readers do not show: its alt text instead.
                    self.found.missing_images.insert(path.clone());
                    self.out.push_str("<span class=\"missing-image\">");
                    self.text(&alt);
                    self.out.push_str("</span>");
                    return;
                }
                self.found.images.insert(path.clone());
                Some(relative(ctx.base, path))
            }
            (None, _) if img.url.starts_with("data:image/") => safe_url(&img.url),
            (None, _) => None,
        };
        let Some(src) = src else {
            self.out.push_str("<span class=\"missing-image\">[");
            self.text(&alt);
            self.out.push_str("]</span>");
            return;
        };
        let mut attrs = vec![("src", src.as_str()), ("alt", alt.as_str())];
        if !self.ctx.xhtml() {
            attrs.push(("loading", "lazy"));
        }
        if !img.title.is_empty() {
            attrs.push(("title", &img.title));
        }
        self.void("img", &attrs);
    }

    fn footnote_ref(&mut self, n: u32) {
        let i = n as usize;
        if self.footnote_refs.len() < i {
            self.footnote_refs.resize(i, 0);
        }
        self.footnote_refs[i - 1] += 1;
        let id = footnote_ref_id(n, self.footnote_refs[i - 1]);
        let href = format!("#{}", footnote_id(n));
        self.out.push_str("<sup class=\"footnote-ref\">");
        let mut attrs = vec![("href", href.as_str()), ("id", id.as_str())];
        if self.ctx.xhtml() {
            attrs.push(("epub:type", "noteref"));
        }
        attrs.push(("role", "doc-noteref"));
        self.open("a", &attrs);
        self.out.push_str(&format!("{n}</a></sup>"));
    }
}

fn contains_html(inlines: &[Inline]) -> bool {
    inlines.iter().any(|i| match i {
        Inline::Html(_) => true,
        Inline::Emph(c)
        | Inline::Strong(c)
        | Inline::Strike(c)
        | Inline::Sup(c)
        | Inline::Sub(c)
        | Inline::SmallCaps(c) => contains_html(c),
        Inline::Link { content, .. } => contains_html(content),
        Inline::IndexTerm(m) => contains_html(&m.content),
        Inline::Cite(c) => contains_html(&c.rendered),
        _ => false,
    })
}

/// A reference list: a heading and the entries.
pub fn references_html(references: &[Reference], ctx: &BodyContext<'_>, heading: &str) -> String {
    let mut w = BodyWriter::new(ctx);
    w.out.push_str(
        "<section class=\"references\" role=\"doc-bibliography\">\n<h2 class=\"references-heading\">",
    );
    w.text(heading);
    w.out.push_str("</h2>\n");
    w.out.push_str(&reference_list_html(references, ctx));
    w.out.push_str("</section>\n");
    w.out
}

/// The entries of a reference list, each with the id citations link to.
pub fn reference_list_html(references: &[Reference], ctx: &BodyContext<'_>) -> String {
    let mut w = BodyWriter::new(ctx);
    w.out.push_str("<ul class=\"references-list\">\n");
    for r in references {
        // An entry is a list item: DPUB-ARIA 1.1 deprecated the
        // `doc-biblioentry` role. The EPUB keeps the structural semantics
        // of the EPUB vocabulary, which are not deprecated.
        let id = reference_id(&r.key);
        let mut attrs = vec![("id", id.as_str())];
        if ctx.xhtml() {
            attrs.push(("epub:type", "biblioentry"));
        }
        w.open("li", &attrs);
        if !r.label.is_empty() {
            w.out.push_str("<span class=\"reference-label\">");
            w.inlines(&r.label);
            w.out.push_str("</span> ");
        }
        w.inlines(&r.content);
        w.out.push_str("</li>\n");
    }
    w.out.push_str("</ul>\n");
    w.out
}

/// A chapter's abstract in one language, as markup.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AbstractHtml {
    /// Its language, when it is not the chapter's (the section's `lang`).
    pub lang: Option<String>,
    /// What heads it, in its language ("Résumé", "Abstract").
    pub label: &'static str,
    /// The markup.
    pub html: String,
}

/// A chapter's title in another language, as markup.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TitleHtml {
    /// Its language.
    pub lang: String,
    /// The markup (inline).
    pub html: String,
}

/// A chapter's abstracts and its titles in other languages, in the book's
/// order of languages (the view's [`crate::view::languages`]), as markup,
/// with what the translations' markup embeds and needs (the chapter's own
/// abstract is [`render_chapter`]'s, whose `found` counts it).
pub fn language_versions(
    book: &crate::model::Book,
    chapter: &Chapter,
    ctx: &BodyContext<'_>,
) -> (Vec<AbstractHtml>, Vec<TitleHtml>, Found) {
    let mut own = BodyWriter::new(ctx);
    let mut w = BodyWriter::new(ctx);
    let abstracts = crate::view::languages::abstracts(book, chapter)
        .into_iter()
        .map(|v| AbstractHtml {
            lang: (!v.own).then(|| v.lang.tag().to_string()),
            label: v.label,
            html: if v.own {
                own.blocks(v.blocks)
            } else {
                w.blocks(v.blocks)
            },
        })
        .collect();
    let titles = crate::view::languages::other_titles(book, chapter)
        .into_iter()
        .map(|v| TitleHtml {
            lang: v.lang.tag().to_string(),
            html: w.inline_html(v.inlines),
        })
        .collect();
    let found = w.found().clone();
    (abstracts, titles, found)
}

/// A chapter's markup: title, body, abstract, notes and reference list.
pub struct ChapterHtml {
    /// The title as Markdown made markup (inline code, emphasis, math),
    /// for the chapter's heading; `<title>` and navigation take the plain
    /// [`Chapter::title`].
    pub title_html: String,
    /// The abstract, if any.
    pub abstract_html: Option<String>,
    /// The body.
    pub body_html: String,
    /// Footnotes: number and markup.
    pub footnotes: Vec<(u32, String)>,
    /// The chapter's reference list, when it cites works and each chapter has its own.
    pub references_html: Option<String>,
    /// What the chapter's markup embeds, links to and needs (XHTML).
    pub found: Found,
}

/// The mark of where printed page `page` begins: in the EPUB, an empty
/// `pagebreak` (the page list leads to it, readers announce it); in the
/// site, the page number, small in the margin (see the stylesheet).
fn page_break(ctx: &BodyContext<'_>, page: &str) -> String {
    let mut label = String::new();
    push_xml_text(&mut label, page);
    if ctx.xhtml() {
        format!(
            "<span epub:type=\"pagebreak\" role=\"doc-pagebreak\" id=\"page-{label}\" aria-label=\"{label}\"></span>\n"
        )
    } else {
        format!(
            "<span class=\"page-break\" role=\"doc-pagebreak\" id=\"page-{label}\" aria-label=\"{} {label}\">{label}</span>\n",
            ctx.labels.page
        )
    }
}

/// Renders one chapter.
pub fn render_chapter(chapter: &Chapter, ctx: &BodyContext<'_>) -> ChapterHtml {
    let mut w = BodyWriter::new(ctx);
    // Tight: the title's inlines, without a paragraph around them (raw HTML
    // in it is still cleaned and made XML with its block).
    for block in &chapter.title_markup {
        w.block(block, true);
    }
    let title_html = std::mem::take(&mut w.out).trim_end().to_string();
    let abstract_html = (!chapter.abstract_.is_empty()).then(|| w.blocks(&chapter.abstract_));
    let body_html = if ctx.page_breaks.is_empty() {
        w.blocks(&chapter.blocks)
    } else {
        let mut out = String::new();
        for (i, block) in chapter.blocks.iter().enumerate() {
            for (_, page) in ctx.page_breaks.iter().filter(|(b, _)| *b == i) {
                out.push_str(&page_break(ctx, page));
            }
            out.push_str(&w.blocks(std::slice::from_ref(block)));
        }
        out
    };
    let footnotes = crate::view::notes(chapter)
        .into_iter()
        .map(|note| (note.number, w.blocks(note.blocks)))
        .collect();
    let references_html = (!chapter.references.is_empty())
        .then(|| references_html(&chapter.references, ctx, ctx.labels.references));
    ChapterHtml {
        title_html,
        abstract_html,
        body_html,
        footnotes,
        references_html,
        found: w.found,
    }
}
