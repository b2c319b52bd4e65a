//! Block and inline nodes of a chapter.

use crate::diag::Span;

/// A block-level node with the span it came from.
#[derive(Debug, Clone, PartialEq, Hash)]
pub struct Block {
    /// What it is.
    pub kind: BlockKind,
    /// Where it was written.
    pub span: Span,
}

/// Horizontal alignment of a table column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Align {
    /// Not specified.
    None,
    /// Left.
    Left,
    /// Centre.
    Center,
    /// Right.
    Right,
}

/// One item of a list.
#[derive(Debug, Clone, PartialEq, Hash)]
pub struct ListItem {
    /// `Some(checked)` for a task list item.
    pub task: Option<bool>,
    /// Its content.
    pub blocks: Vec<Block>,
}

/// A section heading.
#[derive(Debug, Clone, PartialEq, Hash)]
pub struct Heading {
    /// Depth below the chapter title: 1 for `##`, 2 for `###`…
    pub depth: u8,
    /// Its anchor id (explicit `{#id}` or generated), set by the ids pass.
    pub id: String,
    /// Whether the id was written by the author.
    pub explicit_id: bool,
    /// Its number such as `2.1`, set by the numbering pass (none in unnumbered chapters).
    pub number: Option<String>,
    /// Its text.
    pub content: Vec<Inline>,
}

/// An image, inline or as a figure.
#[derive(Debug, Clone, PartialEq, Hash)]
pub struct Image {
    /// The URL as written.
    pub url: String,
    /// Resolved path relative to the book root, when it is a local file.
    pub asset: Option<String>,
    /// Title attribute.
    pub title: String,
    /// Alt text, as inlines (it is the caption of a figure).
    pub alt: Vec<Inline>,
    /// Width from `{width=50%}`: a number with `%`, `cm`, `mm`, `in`, `pt`, `em` or `px`.
    pub width: Option<String>,
    /// Height, likewise.
    pub height: Option<String>,
    /// `{alt="…"}`: the text alternative, when it should differ from the
    /// caption (else the alt text is the caption, [`Image::alt`]).
    pub description: Option<String>,
}

impl Image {
    /// The text alternative every output gives the image: `{alt="…"}`,
    /// else its alt text (a figure's caption).
    pub fn alt_text(&self) -> String {
        match &self.description {
            Some(d) => d.clone(),
            None => plain_text(&self.alt),
        }
    }
}

/// A numbered figure: an image alone in its paragraph.
#[derive(Debug, Clone, PartialEq, Hash)]
pub struct Figure {
    /// The image.
    pub image: Image,
    /// `fig:…` label, when given.
    pub label: Option<String>,
    /// Number such as `2.1`, set by the numbering pass.
    pub number: Option<String>,
}

/// A table.
#[derive(Debug, Clone, PartialEq, Hash)]
pub struct Table {
    /// Column alignments.
    pub aligns: Vec<Align>,
    /// Header row cells.
    pub header: Vec<Vec<Inline>>,
    /// Body rows.
    pub rows: Vec<Vec<Vec<Inline>>>,
    /// Caption from a `Table:` line.
    pub caption: Vec<Inline>,
    /// `tbl:…` label.
    pub label: Option<String>,
    /// Number such as `2.1`, set by the numbering pass, for captioned tables.
    pub number: Option<String>,
}

/// A formula, `$…$` or `$$…$$`: its LaTeX source and the conversions the
/// math pass stores for the renderers, which only read them.
#[derive(Debug, Clone, PartialEq, Hash)]
pub struct Math {
    /// The LaTeX, as written between the dollars (trimmed).
    pub tex: String,
    /// Where it was written, dollars included.
    pub span: Span,
    /// A Typst equation, `$…$` (inline) or `$ … $` (display), checked to
    /// run no code; `None` before the math pass or when conversion failed.
    pub typst: Option<String>,
    /// MathML, a `<math>` element in the MathML namespace; `None` before the
    /// math pass or when conversion failed.
    pub mathml: Option<String>,
    /// `{alt="…"}` written right after the formula: its text alternative,
    /// when the LaTeX source would not do (see [`Math::alt_text`]).
    pub alt: Option<String>,
}

impl Math {
    /// A formula not converted yet.
    pub fn new(tex: impl Into<String>, span: Span) -> Self {
        Math {
            tex: tex.into(),
            span,
            typst: None,
            mathml: None,
            alt: None,
        }
    }

    /// The text alternative every output gives the formula: `{alt="…"}`,
    /// else its LaTeX source.
    pub fn alt_text(&self) -> &str {
        self.alt.as_deref().unwrap_or(&self.tex)
    }
}

/// Block-level content.
#[derive(Debug, Clone, PartialEq, Hash)]
pub enum BlockKind {
    /// A paragraph.
    Paragraph(Vec<Inline>),
    /// A section heading.
    Heading(Heading),
    /// A block quote.
    BlockQuote(Vec<Block>),
    /// A GitHub alert (`> [!NOTE]`): kind and content.
    Alert {
        /// note, tip, important, warning, caution.
        kind: String,
        /// What it is headed with: the title written after the marker
        /// (`> [!NOTE] Méthode`), else the word of the chapter's language
        /// for its kind, set by the typography pass.
        title: String,
        /// Its content.
        blocks: Vec<Block>,
    },
    /// A list.
    List {
        /// `Some(start)` for an ordered list.
        start: Option<u64>,
        /// Tight lists have no paragraph spacing.
        tight: bool,
        /// Items.
        items: Vec<ListItem>,
    },
    /// A code block.
    CodeBlock {
        /// Language, the first word of the info string.
        lang: Option<String>,
        /// The code.
        code: String,
    },
    /// A raw block for one output (```` ```{=typst} ````, ```` ```{=html} ````).
    Raw {
        /// The output format it is meant for.
        format: String,
        /// Its content, passed through where allowed.
        content: String,
    },
    /// An HTML block written in the Markdown.
    Html(String),
    /// Display math.
    Math(Math),
    /// A numbered figure.
    Figure(Figure),
    /// A table.
    Table(Table),
    /// A thematic break.
    Rule,
}

/// Where a link goes, once resolved by the links pass.
#[derive(Debug, Clone, PartialEq, Hash)]
pub enum LinkTarget {
    /// Not resolved yet, or an external URL.
    External,
    /// An anchor or a whole chapter of this book.
    Chapter {
        /// Target chapter id.
        chapter: String,
        /// Anchor in it.
        anchor: Option<String>,
    },
    /// A file of the book that is not a chapter (copied as an asset).
    Asset(String),
    /// The entry of a reference list, by its bibliography key: a cited
    /// work, linked from its citation (set by the citations pass).
    Reference(String),
}

/// Inline content.
#[derive(Debug, Clone, PartialEq, Hash)]
pub enum Inline {
    /// Text.
    Text(String),
    /// Inline code.
    Code(String),
    /// Emphasis.
    Emph(Vec<Inline>),
    /// Strong emphasis.
    Strong(Vec<Inline>),
    /// Strikethrough.
    Strike(Vec<Inline>),
    /// Superscript.
    Sup(Vec<Inline>),
    /// Subscript.
    Sub(Vec<Inline>),
    /// Small capitals: Pandoc's span `[text]{.smallcaps}`.
    SmallCaps(Vec<Inline>),
    /// A term of the back-of-book index, `[text]{.index}`: its text stays
    /// in the running text, and the index points to where it is.
    IndexTerm(Box<IndexMark>),
    /// A link.
    Link {
        /// The URL as written.
        url: String,
        /// Title attribute.
        title: String,
        /// Resolved target.
        target: LinkTarget,
        /// Link text.
        content: Vec<Inline>,
        /// Where it was written.
        span: crate::diag::Span,
    },
    /// An inline image.
    Image(Image),
    /// A footnote reference, by number.
    FootnoteRef(u32),
    /// Inline math.
    Math(Math),
    /// Inline HTML as written.
    Html(String),
    /// An anchor that links can point to, from raw HTML's `<a id="…">`
    /// (the html pass): an element id in the site and the EPUB, a label
    /// in the PDF.
    Anchor(String),
    /// A citation of works of the bibliography (`[@key, p. 12]`, `@key`).
    Cite(Box<Citation>),
    /// A cross-reference to a figure, table or section (`@fig:carte`).
    Ref(Box<CrossRef>),
    /// A soft line break.
    SoftBreak,
    /// A hard line break.
    LineBreak,
}

/// A term marked for the index: `[coopérative]{.index}`,
/// `[…]{.index key="communs, gestion des"}`, `{.index see="…"}`,
/// `{.index seealso="…"}`, `[Elinor Ostrom]{.index .name}`.
#[derive(Debug, Clone, PartialEq, Hash)]
pub struct IndexMark {
    /// The text as the chapter shows it.
    pub content: Vec<Inline>,
    /// `key="…"` as written, else `None` (the entry is then the text).
    pub key: Option<String>,
    /// `see="…"`: this occurrence is a cross-reference, no page.
    pub see: Option<String>,
    /// `seealso="…"`: a cross-reference printed after the pages.
    pub see_also: Option<String>,
    /// `.name`: a person, for the index of names (`[index] names = true`).
    pub name: bool,
    /// Where it was written (its opening bracket to its attributes).
    pub span: Span,
    /// Its anchor in the chapter, set by the index pass (`index-3`).
    pub id: String,
}

impl IndexMark {
    /// The entry it files under, as levels: the key (or the text) split
    /// at its commas, each level trimmed (`communs, gestion des` →
    /// `["communs", "gestion des"]`).
    pub fn levels(&self) -> Vec<String> {
        let key = match &self.key {
            Some(k) => k.clone(),
            None => plain_text(&self.content),
        };
        split_levels(&key)
    }
}

/// An index key's levels: split at commas, trimmed, runs of white space
/// folded; an empty level is kept empty (the index pass reports it).
pub fn split_levels(key: &str) -> Vec<String> {
    key.split(',')
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// How a citation reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CiteMode {
    /// In brackets: `[@key]` gives "(Ostrom 1990)".
    Parenthetical,
    /// In the running text: `@key` gives "Ostrom (1990)".
    InText,
}

/// One work cited in a citation.
#[derive(Debug, Clone, PartialEq, Hash)]
pub struct CiteItem {
    /// The bibliography key.
    pub key: String,
    /// Text written before the key inside the brackets (`see`).
    pub prefix: String,
    /// The locator written after the key, without its comma (`p. 12`).
    pub locator: String,
    /// `-@key`: the year alone, the author being named in the text.
    pub suppress_author: bool,
}

/// A citation: one or more works, as written in the chapter.
#[derive(Debug, Clone, PartialEq, Hash)]
pub struct Citation {
    /// The works, in the order written.
    pub items: Vec<CiteItem>,
    /// Bracketed or in the text.
    pub mode: CiteMode,
    /// Where it was written.
    pub span: Span,
    /// The citation as the book's style formats it, set by the citations
    /// pass (empty until then, or when a key is unknown).
    pub rendered: Vec<Inline>,
    /// Whether every key is in the bibliography, set by the citations
    /// pass; a citation that is not is printed as written (its error
    /// stops a build, but a model with errors is still drawn in previews).
    pub known: bool,
    /// The text it was read from (escapes and entities resolved): what a
    /// book without a bibliography prints instead (see the citations pass).
    pub written: String,
}

impl Citation {
    /// The citation as written, keys only (`@a; @b`): what is printed for a
    /// citation that could not be formatted.
    pub fn source(&self) -> String {
        let keys: Vec<String> = self.items.iter().map(|i| format!("@{}", i.key)).collect();
        keys.join("; ")
    }

    /// The items' prefixes (`see`), joined; printed before the citation in
    /// every output, since Typst's citations have no prefix of their own.
    pub fn prefix(&self) -> Option<String> {
        let prefixes: Vec<&str> = self
            .items
            .iter()
            .map(|i| i.prefix.as_str())
            .filter(|p| !p.is_empty())
            .collect();
        (!prefixes.is_empty()).then(|| prefixes.join(" "))
    }

    /// `[-@key]`: the year alone, which reads "(2015)" as in Pandoc (the
    /// year form has no brackets of its own, so every output adds them).
    pub fn year_only(&self) -> bool {
        self.mode == CiteMode::Parenthetical && self.items.iter().all(|i| i.suppress_author)
    }
}

/// What a cross-reference points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefKind {
    /// `@fig:…`.
    Figure,
    /// `@tbl:…`.
    Table,
    /// `@sec:…`.
    Section,
}

/// A cross-reference, resolved by the cross-references pass.
#[derive(Debug, Clone, PartialEq, Hash)]
pub struct CrossRef {
    /// Figure, table or section.
    pub kind: RefKind,
    /// The label as written, with its prefix (`fig:carte`).
    pub label: String,
    /// `@Fig:…`: the word starts with a capital (at the start of a sentence).
    pub capital: bool,
    /// Where it was written.
    pub span: Span,
    /// The chapter id and anchor it points to, once resolved.
    pub target: Option<(String, String)>,
    /// The number of what it points to (`2.3`), once resolved.
    pub number: Option<String>,
    /// The title of a section without number, printed instead of one.
    pub title: String,
    /// What every output prints (`figure 2.3`), set by the cross-references
    /// pass; until then the label as written.
    pub text: String,
}

/// Plain text of inlines, for titles, alt text and the search index.
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    push_plain(inlines, &mut out);
    out
}

/// Plain text of blocks, paragraphs separated by a space.
pub fn blocks_text(blocks: &[Block]) -> String {
    blocks_text_as(blocks)
}

/// The words of a line of Markdown as every command counts them: the
/// tokens between spaces that hold a letter or a digit, once the markup that
/// no reader sees is left out (HTML tags, a link's or image's address, an
/// `{#id .class}` attribute). `##`, `-`, `|` and punctuation alone are no
/// word; a citation `[@ostrom1990]` is one.
pub fn line_words(line: &str) -> usize {
    // One pass over the characters: a word is counted at its first letter
    // or digit, and a space ends it.
    // (Non-breaking spaces, which French puts before `;:!?`, are spaces.)
    let words = |text: &str| {
        let (mut count, mut counted) = (0, false);
        for c in text.chars() {
            if c.is_whitespace() {
                counted = false;
            } else if c.is_alphanumeric() && !counted {
                count += 1;
                counted = true;
            }
        }
        count
    };
    // The text between two pieces of markup is counted as it stands: the
    // markup ends a word as a space would. No copy of the line is made, as
    // `status` counts every line of the book.
    let (mut total, mut visible, mut from) = (0, 0, 0);
    let markup = |from: usize| {
        line.as_bytes()[from..]
            .iter()
            .position(|b| matches!(b, b'<' | b']' | b'{'))
            .map(|found| from + found)
    };
    while let Some(at) = markup(from) {
        match markup_len(&line[at..]) {
            Some(len) => {
                total += words(&line[visible..at]);
                visible = at + len;
                from = visible;
            }
            None => from = at + 1,
        }
    }
    total + words(&line[visible..])
}

/// The length of the markup no reader sees at the start of `rest`, if any:
/// an HTML tag, a link's or image's `](address)`, an `{#id .class}`
/// attribute (each up to its closing character).
fn markup_len(rest: &str) -> Option<usize> {
    let after = &rest[1..];
    let close = match rest.as_bytes()[0] {
        b'<' if after
            .chars()
            .next()
            .is_some_and(|n| n.is_ascii_alphabetic() || n == '/' || n == '!') =>
        {
            '>'
        }
        b']' if after.starts_with('(') => ')',
        b'{' if after.starts_with(['#', '.']) => '}',
        _ => return None,
    };
    rest.find(close).map(|end| end + 1)
}

fn push_plain(inlines: &[Inline], out: &mut String) {
    for inline in inlines {
        match inline {
            Inline::Text(t) | Inline::Code(t) => out.push_str(t),
            Inline::Math(m) => out.push_str(&m.tex),
            Inline::Emph(c)
            | Inline::Strong(c)
            | Inline::Strike(c)
            | Inline::Sup(c)
            | Inline::Sub(c)
            | Inline::SmallCaps(c) => push_plain(c, out),
            Inline::IndexTerm(m) => push_plain(&m.content, out),
            Inline::Link { content, .. } => push_plain(content, out),
            Inline::Image(img) => push_plain(&img.alt, out),
            Inline::SoftBreak | Inline::LineBreak => out.push(' '),
            Inline::Cite(c) if !c.rendered.is_empty() => push_plain(&c.rendered, out),
            Inline::Cite(c) => out.push_str(&c.source()),
            Inline::Ref(r) => match &r.number {
                Some(n) => out.push_str(n),
                None if !r.title.is_empty() => out.push_str(&r.title),
                _ => {
                    out.push('@');
                    out.push_str(&r.label);
                }
            },
            Inline::FootnoteRef(_) | Inline::Html(_) | Inline::Anchor(_) => {}
        }
    }
}

fn blocks_text_as(blocks: &[Block]) -> String {
    let text = |inlines: &[Inline]| {
        let mut out = String::new();
        push_plain(inlines, &mut out);
        out
    };
    let mut out = String::new();
    for block in blocks {
        let piece = match &block.kind {
            BlockKind::Paragraph(i) => text(i),
            BlockKind::Heading(h) => text(&h.content),
            BlockKind::BlockQuote(b) | BlockKind::Alert { blocks: b, .. } => blocks_text_as(b),
            BlockKind::List { items, .. } => items
                .iter()
                .map(|i| blocks_text_as(&i.blocks))
                .collect::<Vec<_>>()
                .join(" "),
            BlockKind::CodeBlock { code, .. } => code.clone(),
            BlockKind::Math(m) => m.tex.clone(),
            BlockKind::Figure(f) => text(&f.image.alt),
            BlockKind::Table(t) => {
                let mut s = text(&t.caption);
                for cell in t.header.iter().chain(t.rows.iter().flatten()) {
                    s.push(' ');
                    s.push_str(&text(cell));
                }
                s
            }
            BlockKind::Raw { .. } | BlockKind::Html(_) | BlockKind::Rule => String::new(),
        };
        if !piece.is_empty() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&piece);
        }
    }
    out
}

/// Calls `f` on every block, nested ones included (quotes, alerts, list
/// items), in reading order.
pub fn walk_blocks(blocks: &[Block], f: &mut dyn FnMut(&Block)) {
    for block in blocks {
        f(block);
        match &block.kind {
            BlockKind::BlockQuote(b) | BlockKind::Alert { blocks: b, .. } => walk_blocks(b, f),
            BlockKind::List { items, .. } => {
                for item in items {
                    walk_blocks(&item.blocks, f);
                }
            }
            _ => {}
        }
    }
}

/// Calls `f` on every block, depth first, including those nested in quotes, lists and footnotes' callers.
pub fn walk_blocks_mut(blocks: &mut [Block], f: &mut dyn FnMut(&mut Block)) {
    for block in blocks {
        f(block);
        match &mut block.kind {
            BlockKind::BlockQuote(b) | BlockKind::Alert { blocks: b, .. } => walk_blocks_mut(b, f),
            BlockKind::List { items, .. } => {
                for item in items {
                    walk_blocks_mut(&mut item.blocks, f);
                }
            }
            _ => {}
        }
    }
}

/// Calls `f` on every inline sequence of a block (paragraphs, headings, captions, cells).
pub fn block_inlines_mut(block: &mut Block, f: &mut dyn FnMut(&mut Vec<Inline>)) {
    match &mut block.kind {
        BlockKind::Paragraph(i) => f(i),
        BlockKind::Heading(h) => f(&mut h.content),
        BlockKind::Figure(fig) => f(&mut fig.image.alt),
        BlockKind::Table(t) => {
            f(&mut t.caption);
            for cell in t.header.iter_mut().chain(t.rows.iter_mut().flatten()) {
                f(cell);
            }
        }
        _ => {}
    }
}

/// Calls `f` on every inline sequence of a block, reading ([`block_inlines_mut`]).
pub fn block_inlines(block: &Block, f: &mut dyn FnMut(&[Inline])) {
    match &block.kind {
        BlockKind::Paragraph(i) => f(i),
        BlockKind::Heading(h) => f(&h.content),
        BlockKind::Figure(fig) => f(&fig.image.alt),
        BlockKind::Table(t) => {
            f(&t.caption);
            for cell in t.header.iter().chain(t.rows.iter().flatten()) {
                f(cell);
            }
        }
        _ => {}
    }
}

/// Calls `f` on every inline, depth first, reading ([`walk_inlines_mut`]).
pub fn walk_inlines(inlines: &[Inline], f: &mut dyn FnMut(&Inline)) {
    for inline in inlines {
        f(inline);
        match inline {
            Inline::Emph(c)
            | Inline::Strong(c)
            | Inline::Strike(c)
            | Inline::Sup(c)
            | Inline::Sub(c)
            | Inline::SmallCaps(c)
            | Inline::Link { content: c, .. } => walk_inlines(c, f),
            Inline::IndexTerm(m) => walk_inlines(&m.content, f),
            Inline::Image(img) => walk_inlines(&img.alt, f),
            _ => {}
        }
    }
}

/// Calls `f` on every inline, depth first.
pub fn walk_inlines_mut(inlines: &mut [Inline], f: &mut dyn FnMut(&mut Inline)) {
    for inline in inlines {
        f(inline);
        match inline {
            Inline::Emph(c)
            | Inline::Strong(c)
            | Inline::Strike(c)
            | Inline::Sup(c)
            | Inline::Sub(c)
            | Inline::SmallCaps(c)
            | Inline::Link { content: c, .. } => walk_inlines_mut(c, f),
            Inline::IndexTerm(m) => walk_inlines_mut(&mut m.content, f),
            Inline::Image(img) => walk_inlines_mut(&mut img.alt, f),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::line_words;
    use proptest::prelude::*;

    /// The count as first written: the line copied with each piece of
    /// markup replaced by a space, then split.
    fn words_of_copy(line: &str) -> usize {
        let mut out = String::new();
        let mut rest = line;
        while let Some(c) = rest.chars().next() {
            let markup = matches!(c, '<' | ']' | '{').then(|| super::markup_len(rest));
            match markup.flatten() {
                Some(len) => {
                    out.push(' ');
                    rest = &rest[len..];
                }
                None => {
                    out.push(c);
                    rest = &rest[c.len_utf8()..];
                }
            }
        }
        out.split_whitespace()
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .count()
    }

    #[test]
    fn markup_ends_a_word_and_is_no_word() {
        assert_eq!(line_words("a<b>c"), 2);
        assert_eq!(line_words("[lien](https://exemple.org/un/deux) et"), 2);
        assert_eq!(line_words("## Titre {#titre .classe}"), 1);
        assert_eq!(line_words("3 < 4 et {x}"), 4);
        assert_eq!(line_words("<non fermé"), 2);
        assert_eq!(line_words("« Élan » — [@ostrom1990]"), 2);
    }

    proptest! {
        /// Any line, markup or not, well formed or not, counts as the copy did.
        #[test]
        fn counts_as_the_copy_did(line in "([a-zé0-9 \\u{a0}\\u{202f}\\u{b}\\t]{0,6}|[<>\\[\\](){}#./!«»]){0,24}") {
            prop_assert_eq!(line_words(&line), words_of_copy(&line));
        }
    }
}
