//! Blocks and inlines → HTML. One `match` over node kinds sends each to its
//! own function, so a new node kind does not compile until it is rendered.

use crate::config::RawHtml;
use crate::model::{
    Align, Block, BlockKind, Chapter, Citation, CrossRef, Figure, Heading, Image, Inline,
    LinkTarget, ListItem, Math, RefKind, Reference, Table, plain_text,
};
use crate::render::escape::{html_attr, html_text, push_html_text, url_attr};
use crate::render::labels::Labels;

/// What the HTML body renderer needs to know beyond the model.
pub struct BodyContext<'a> {
    /// The chapter being rendered (links to its own anchors stay on the page).
    pub chapter_id: &'a str,
    /// Raw HTML policy.
    pub raw_html: RawHtml,
    /// Words in the chapter's language.
    pub labels: &'a Labels,
    /// Prefix from the page to the site root ("" for the flat site, "../" for EPUB subfolders).
    pub root: &'a str,
    /// The page holding the reference list that citations link to: "" for
    /// the chapter's own list, the book's list page otherwise.
    pub references: &'a str,
    /// Markup for the EPUB rather than the site: links to other chapters go
    /// to `<id>.xhtml` beside this one, note references carry
    /// `epub:type="noteref"`, headings have no `#` anchor link and images
    /// no lazy loading.
    pub epub: bool,
}

/// Renders blocks of one chapter.
pub struct BodyWriter<'a> {
    ctx: &'a BodyContext<'a>,
    out: String,
    /// How many times each footnote was referenced so far, for unique ids.
    footnote_refs: Vec<u32>,
}

impl<'a> BodyWriter<'a> {
    /// A writer for one chapter page.
    pub fn new(ctx: &'a BodyContext<'a>) -> Self {
        BodyWriter {
            ctx,
            out: String::new(),
            footnote_refs: Vec::new(),
        }
    }

    /// Renders blocks and returns the HTML written so far, emptying the buffer.
    pub fn blocks(&mut self, blocks: &[Block]) -> String {
        for block in blocks {
            self.block(block, false);
        }
        std::mem::take(&mut self.out)
    }

    /// Renders inlines and returns their HTML, emptying the buffer.
    pub fn inline_html(&mut self, inlines: &[Inline]) -> String {
        self.inlines(inlines);
        std::mem::take(&mut self.out)
    }

    fn block(&mut self, block: &Block, tight: bool) {
        let start = self.out.len();
        let has_raw_inline = match &block.kind {
            BlockKind::Paragraph(inl) => contains_html(inl),
            _ => false,
        };
        match &block.kind {
            BlockKind::Paragraph(inlines) => self.paragraph(inlines, tight),
            BlockKind::Heading(h) => self.heading(h),
            BlockKind::BlockQuote(blocks) => {
                self.wrapped("<blockquote>\n", blocks, "</blockquote>\n")
            }
            BlockKind::Alert { kind, blocks } => {
                let open = format!(
                    "<div class=\"alert alert-{}\" role=\"note\">\n",
                    html_attr(kind)
                );
                self.wrapped(&open, blocks, "</div>\n");
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
        // Sanitize mode: clean the whole block, so that inline tags that open
        // and close in separate fragments are judged together.
        if has_raw_inline && self.ctx.raw_html == RawHtml::Sanitize {
            let cleaned = sanitize(&self.out[start..]);
            self.out.truncate(start);
            self.out.push_str(&cleaned);
            self.out.push('\n');
        }
    }

    fn wrapped(&mut self, open: &str, blocks: &[Block], close: &str) {
        self.out.push_str(open);
        for b in blocks {
            self.block(b, false);
        }
        self.out.push_str(close);
    }

    fn paragraph(&mut self, inlines: &[Inline], tight: bool) {
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
        let id = html_attr(&h.id);
        self.out.push_str(&format!("<h{level} id=\"{id}\">"));
        if let Some(n) = &h.number {
            self.out.push_str(&format!(
                "<span class=\"section-number\">{}</span> ",
                html_text(n)
            ));
        }
        self.inlines(&h.content);
        if !self.ctx.epub {
            self.out.push_str(&format!(
                " <a class=\"heading-anchor\" href=\"#{id}\" aria-hidden=\"true\" tabindex=\"-1\">#</a>"
            ));
        }
        self.out.push_str(&format!("</h{level}>\n"));
    }

    fn list(&mut self, start: Option<u64>, tight: bool, items: &[ListItem]) {
        let is_task = items.iter().any(|i| i.task.is_some());
        let class = if is_task { " class=\"task-list\"" } else { "" };
        match start {
            Some(1) => self.out.push_str(&format!("<ol{class}>\n")),
            Some(n) => self.out.push_str(&format!("<ol start=\"{n}\"{class}>\n")),
            None => self.out.push_str(&format!("<ul{class}>\n")),
        }
        for item in items {
            match item.task {
                Some(checked) => {
                    let mark = if checked { " checked=\"checked\"" } else { "" };
                    self.out.push_str(&format!(
                        "<li class=\"task-list-item\"><input type=\"checkbox\" disabled=\"disabled\"{mark} /> "
                    ));
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
        match lang {
            Some(l) => self
                .out
                .push_str(&format!("<pre><code class=\"language-{}\">", html_attr(l))),
            None => self.out.push_str("<pre><code>"),
        }
        push_html_text(&mut self.out, code);
        self.out.push_str("</code></pre>\n");
    }

    fn raw_block(&mut self, format: &str, content: &str) {
        if format != "html" {
            return; // for another output
        }
        match self.ctx.raw_html {
            RawHtml::Allow => self.out.push_str(content),
            RawHtml::Sanitize => self.out.push_str(&sanitize(content)),
            // The raw pass drops these under `escape`; show them as text if one remains.
            RawHtml::Escape => self.escaped_html_block(content),
        }
        self.out.push('\n');
    }

    fn html_block(&mut self, html: &str) {
        match self.ctx.raw_html {
            RawHtml::Allow => self.out.push_str(html),
            RawHtml::Sanitize => self.out.push_str(&sanitize(html)),
            RawHtml::Escape => self.escaped_html_block(html),
        }
        self.out.push('\n');
    }

    fn escaped_html_block(&mut self, html: &str) {
        self.out.push_str("<pre class=\"raw-html-escaped\">");
        push_html_text(&mut self.out, html);
        self.out.push_str("</pre>");
    }

    fn display_math(&mut self, math: &Math) {
        self.out.push_str("<div class=\"math math-display\">");
        self.math(math);
        self.out.push_str("</div>\n");
    }

    /// A formula's MathML (made by the math pass, checked there), or its
    /// source as code when it could not be converted.
    fn math(&mut self, math: &Math) {
        match &math.mathml {
            Some(mathml) => self.out.push_str(mathml),
            None => {
                self.out.push_str("<code class=\"math-error\">");
                push_html_text(&mut self.out, &math.tex);
                self.out.push_str("</code>");
            }
        }
    }

    fn figure(&mut self, fig: &Figure) {
        match &fig.label {
            Some(l) => self.out.push_str(&format!(
                "<figure class=\"figure\" id=\"{}\">\n",
                html_attr(l)
            )),
            None => self.out.push_str("<figure class=\"figure\">\n"),
        }
        self.image(&fig.image);
        self.out.push_str("\n<figcaption>");
        if let Some(n) = &fig.number {
            self.out.push_str(&format!(
                "<span class=\"figure-number\">{} {}</span> ",
                html_text(self.ctx.labels.figure),
                html_text(n)
            ));
        }
        self.inlines(&fig.image.alt);
        self.out.push_str("</figcaption>\n</figure>\n");
    }

    fn table(&mut self, table: &Table) {
        let captioned = !table.caption.is_empty();
        if captioned {
            match &table.label {
                Some(l) => self.out.push_str(&format!(
                    "<figure class=\"table\" id=\"{}\">\n",
                    html_attr(l)
                )),
                None => self.out.push_str("<figure class=\"table\">\n"),
            }
            self.out.push_str("<figcaption>");
            if let Some(n) = &table.number {
                self.out.push_str(&format!(
                    "<span class=\"figure-number\">{} {}</span> ",
                    html_text(self.ctx.labels.table),
                    html_text(n)
                ));
            }
            self.inlines(&table.caption);
            self.out.push_str("</figcaption>\n");
        }
        self.out.push_str("<div class=\"table-wrap\"><table>\n");
        let style = |i: usize| match table.aligns.get(i) {
            Some(Align::Left) => " style=\"text-align:left\"",
            Some(Align::Center) => " style=\"text-align:center\"",
            Some(Align::Right) => " style=\"text-align:right\"",
            _ => "",
        };
        if !table.header.is_empty() {
            self.out.push_str("<thead><tr>");
            for (i, cell) in table.header.iter().enumerate() {
                self.out.push_str(&format!("<th{}>", style(i)));
                self.inlines(cell);
                self.out.push_str("</th>");
            }
            self.out.push_str("</tr></thead>\n");
        }
        self.out.push_str("<tbody>\n");
        for row in &table.rows {
            self.out.push_str("<tr>");
            for (i, cell) in row.iter().enumerate() {
                self.out.push_str(&format!("<td{}>", style(i)));
                self.inlines(cell);
                self.out.push_str("</td>");
            }
            self.out.push_str("</tr>\n");
        }
        self.out.push_str("</tbody>\n</table></div>\n");
        if captioned {
            self.out.push_str("</figure>\n");
        }
    }

    fn inlines(&mut self, inlines: &[Inline]) {
        for inline in inlines {
            self.inline(inline);
        }
    }

    fn inline(&mut self, inline: &Inline) {
        match inline {
            Inline::Text(t) => push_html_text(&mut self.out, t),
            Inline::Code(c) => {
                self.out.push_str("<code>");
                push_html_text(&mut self.out, c);
                self.out.push_str("</code>");
            }
            Inline::Emph(c) => self.tagged("em", c),
            Inline::Strong(c) => self.tagged("strong", c),
            Inline::Strike(c) => self.tagged("del", c),
            Inline::Sup(c) => self.tagged("sup", c),
            Inline::Sub(c) => self.tagged("sub", c),
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
                // Sanitize: kept here, cleaned with its whole block.
                RawHtml::Allow | RawHtml::Sanitize => self.out.push_str(html),
                RawHtml::Escape => {
                    self.out.push_str("<code class=\"raw-html-escaped\">");
                    push_html_text(&mut self.out, html);
                    self.out.push_str("</code>");
                }
            },
            Inline::SoftBreak => self.out.push('\n'),
            Inline::LineBreak => self.out.push_str("<br />\n"),
        }
    }

    fn tagged(&mut self, tag: &str, content: &[Inline]) {
        self.out.push_str(&format!("<{tag}>"));
        self.inlines(content);
        self.out.push_str(&format!("</{tag}>"));
    }

    /// The href of a chapter of the book, or of an anchor in it.
    fn chapter_href(&self, chapter: &str, anchor: Option<&str>) -> String {
        let page = if chapter == self.ctx.chapter_id {
            String::new()
        } else if self.ctx.epub {
            format!("{chapter}.xhtml")
        } else {
            format!("{}{chapter}.html", self.ctx.root)
        };
        let href = match anchor {
            Some(a) => format!("{page}#{a}"),
            None if page.is_empty() => "#".to_string(),
            None => page,
        };
        html_attr(&href)
    }

    /// A citation as the style formats it, linked to its entry in the
    /// reference list when it cites one work (a link cannot hold the links
    /// some styles print).
    fn citation(&mut self, c: &Citation) {
        if c.rendered.is_empty() {
            // An unknown key (reported): the source, visibly.
            let keys: Vec<String> = c.items.iter().map(|i| format!("@{}", i.key)).collect();
            self.out
                .push_str("<span class=\"citation citation-unknown\">");
            push_html_text(&mut self.out, &keys.join("; "));
            self.out.push_str("</span>");
            return;
        }
        let has_link = c.rendered.iter().any(|i| matches!(i, Inline::Link { .. }));
        match c.items.as_slice() {
            [one] if !has_link => {
                let href = html_attr(&format!(
                    "{}#{}",
                    self.ctx.references,
                    reference_id(&one.key)
                ));
                self.out.push_str(&format!(
                    "<a class=\"citation\" href=\"{href}\" role=\"doc-biblioref\">"
                ));
                self.inlines(&c.rendered);
                self.out.push_str("</a>");
            }
            _ => {
                self.out.push_str("<span class=\"citation\">");
                self.inlines(&c.rendered);
                self.out.push_str("</span>");
            }
        }
    }

    /// "figure 2.3", linked to the figure.
    fn cross_ref(&mut self, r: &CrossRef) {
        let text = cross_ref_text(r, self.ctx.labels);
        match &r.target {
            Some((chapter, anchor)) => {
                let href = self.chapter_href(chapter, Some(anchor));
                self.out
                    .push_str(&format!("<a class=\"xref\" href=\"{href}\">"));
                push_html_text(&mut self.out, &text);
                self.out.push_str("</a>");
            }
            None => {
                self.out.push_str("<span class=\"xref xref-unknown\">");
                push_html_text(&mut self.out, &text);
                self.out.push_str("</span>");
            }
        }
    }

    fn link(&mut self, url: &str, title: &str, target: &LinkTarget, content: &[Inline]) {
        let href = match target {
            LinkTarget::Chapter { chapter, anchor } => {
                Some(self.chapter_href(chapter, anchor.as_deref()))
            }
            LinkTarget::Asset(path) => Some(html_attr(&format!("{}{path}", self.ctx.root))),
            LinkTarget::External => url_attr(url),
        };
        let Some(href) = href else {
            // A link that could run code keeps its text and loses its target.
            self.tagged("span", content);
            return;
        };
        self.out.push_str(&format!("<a href=\"{href}\""));
        if !title.is_empty() {
            self.out
                .push_str(&format!(" title=\"{}\"", html_attr(title)));
        }
        self.out.push('>');
        self.inlines(content);
        self.out.push_str("</a>");
    }

    fn image(&mut self, img: &Image) {
        let src = match &img.asset {
            Some(path) => Some(html_attr(&format!("{}{path}", self.ctx.root))),
            None if img.url.starts_with("data:image/") => url_attr(&img.url),
            None => None,
        };
        let alt = html_attr(&plain_text(&img.alt));
        match src {
            Some(src) => {
                self.out
                    .push_str(&format!("<img src=\"{src}\" alt=\"{alt}\""));
                if !self.ctx.epub {
                    self.out.push_str(" loading=\"lazy\"");
                }
                if !img.title.is_empty() {
                    self.out
                        .push_str(&format!(" title=\"{}\"", html_attr(&img.title)));
                }
                self.out.push_str(" />");
            }
            None => self
                .out
                .push_str(&format!("<span class=\"missing-image\">[{alt}]</span>")),
        }
    }

    fn footnote_ref(&mut self, n: u32) {
        let i = n as usize;
        if self.footnote_refs.len() < i {
            self.footnote_refs.resize(i, 0);
        }
        self.footnote_refs[i - 1] += 1;
        let count = self.footnote_refs[i - 1];
        let id = if count == 1 {
            format!("fnref-{n}")
        } else {
            format!("fnref-{n}-{count}")
        };
        let epub_type = if self.ctx.epub {
            " epub:type=\"noteref\""
        } else {
            ""
        };
        self.out.push_str(&format!(
            "<sup class=\"footnote-ref\"><a href=\"#fn-{n}\" id=\"{id}\"{epub_type} role=\"doc-noteref\">{n}</a></sup>"
        ));
    }
}

fn contains_html(inlines: &[Inline]) -> bool {
    inlines.iter().any(|i| match i {
        Inline::Html(_) => true,
        Inline::Emph(c)
        | Inline::Strong(c)
        | Inline::Strike(c)
        | Inline::Sup(c)
        | Inline::Sub(c) => contains_html(c),
        Inline::Link { content, .. } => contains_html(content),
        _ => false,
    })
}

/// Cleans HTML with ammonia: no script, no event handler, no dangerous URL,
/// while keeping the ids and classes our own markup uses.
pub fn sanitize(html: &str) -> String {
    let mut builder = ammonia::Builder::default();
    builder
        .add_generic_attributes(["id", "class", "role", "lang", "aria-hidden"])
        .add_tags(["figure", "figcaption", "input"])
        .add_tag_attributes("input", ["type", "disabled", "checked"])
        .add_tag_attributes("td", ["style"])
        .add_tag_attributes("th", ["style"]);
    // Our formulas' MathML, when a paragraph is cleaned with its raw HTML.
    super::math::allow_mathml(&mut builder);
    builder.clean(html).to_string()
}

/// The id of a reference list entry.
pub fn reference_id(key: &str) -> String {
    format!("ref-{}", crate::model::slug(key, "entry"))
}

/// What a cross-reference prints: the word of the chapter's language and
/// the number (`figure\u{a0}2.3`), or a section's title when it has no number.
pub fn cross_ref_text(r: &CrossRef, labels: &Labels) -> String {
    let word = match r.kind {
        RefKind::Figure => labels.figure,
        RefKind::Table => labels.table,
        RefKind::Section => labels.section,
    };
    let mut word = word.to_lowercase();
    if r.capital
        && let Some(first) = word.chars().next()
    {
        word = first.to_uppercase().chain(word.chars().skip(1)).collect();
    }
    match (&r.number, r.target.is_some()) {
        (Some(n), _) => format!("{word}\u{a0}{n}"),
        (None, true) => format!("{word} «\u{a0}{}\u{a0}»", r.title),
        (None, false) => format!("@{}", r.label),
    }
}

/// A reference list: a heading and the entries.
pub fn references_html(references: &[Reference], ctx: &BodyContext<'_>, heading: &str) -> String {
    let mut out = String::from(
        "<section class=\"references\" role=\"doc-bibliography\">\n<h2 class=\"references-heading\">",
    );
    push_html_text(&mut out, heading);
    out.push_str("</h2>\n");
    out.push_str(&reference_list_html(references, ctx));
    out.push_str("</section>\n");
    out
}

/// The entries of a reference list, each with the id citations link to.
pub fn reference_list_html(references: &[Reference], ctx: &BodyContext<'_>) -> String {
    let mut w = BodyWriter::new(ctx);
    w.out.push_str("<ul class=\"references-list\">\n");
    for r in references {
        w.out.push_str(&format!(
            "<li id=\"{}\" role=\"doc-biblioentry\">",
            html_attr(&reference_id(&r.key))
        ));
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

/// Renders a chapter's body, abstract and footnotes.
pub struct ChapterHtml {
    /// The abstract, if any.
    pub abstract_html: Option<String>,
    /// The body.
    pub body_html: String,
    /// Footnotes: number and HTML.
    pub footnotes: Vec<(u32, String)>,
    /// The chapter's reference list, when it cites works and each chapter has its own.
    pub references_html: Option<String>,
}

/// Renders one chapter.
pub fn render_chapter(chapter: &Chapter, ctx: &BodyContext<'_>) -> ChapterHtml {
    let mut w = BodyWriter::new(ctx);
    let abstract_html = (!chapter.abstract_.is_empty()).then(|| w.blocks(&chapter.abstract_));
    let body_html = w.blocks(&chapter.blocks);
    let footnotes = chapter
        .footnotes
        .iter()
        .map(|f| (f.number, w.blocks(&f.blocks)))
        .collect();
    let references_html = (!chapter.references.is_empty())
        .then(|| references_html(&chapter.references, ctx, ctx.labels.references));
    ChapterHtml {
        abstract_html,
        body_html,
        footnotes,
        references_html,
    }
}
