//! Parsing: Markdown → the document model.
//!
//! comrak's arena AST never leaves this module: each chapter is parsed and
//! lowered at once into owned [`Block`]s and [`Inline`]s carrying spans into
//! the chapter file. Pandoc's conventions that CommonMark lacks are applied
//! here: lone images become figures, `Table:` paragraphs become captions,
//! `{#id}` attributes label headings and figures.

mod cite;
mod lower;
mod nesting;
mod spans;

use comrak::{Arena, Options, parse_document};

use crate::config::{Contributors, MarkdownConfig, MathSyntax};
use crate::diag::{Diagnostic, Sink, Span};
use crate::lang::Lang;
use crate::load::LoadedChapter;
use crate::model::{Block, BlockKind, Chapter, Footnote, Inline, Person, plain_text};
use crate::source::Sources;

pub use lower::Positions;

/// The one place where comrak's options are set, from book.toml's
/// `[markdown]`.
pub fn comrak_options(markdown: &MarkdownConfig) -> Options<'static> {
    let mut options = Options::default();
    let ext = &mut options.extension;
    ext.strikethrough = true;
    ext.table = true;
    ext.autolink = true;
    ext.tasklist = true;
    ext.footnotes = true;
    ext.superscript = true;
    // Pandoc's `H~2~O`; strikethrough stays `~~…~~`.
    ext.subscript = true;
    ext.alerts = true;
    ext.math_dollars = markdown.math == MathSyntax::Dollars;
    ext.header_attributes = true;
    ext.link_attributes = true;
    // `\@` must stay text: the lowerer needs to know which characters were escaped.
    options.parse.escaped_char_spans = true;
    options
}

/// Parsed Markdown: blocks and footnotes.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// The blocks.
    pub blocks: Vec<Block>,
    /// Footnotes, numbered in order of first reference.
    pub footnotes: Vec<Footnote>,
}

/// Parses Markdown `text` as `[markdown]` says; `positions` turns comrak's
/// positions into spans.
pub fn parse_markdown(
    text: &str,
    positions: &Positions,
    markdown: &MarkdownConfig,
    sink: &mut Sink,
) -> Parsed {
    let arena = Arena::new();
    let options = comrak_options(markdown);
    let root = parse_document(&arena, text, &options);
    // Before anything walks the AST recursively.
    nesting::prune_too_deep(root, positions, sink);
    lower::lower_document(root, positions, sink)
}

/// How much of a chapter's body a parse lowers into the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extent {
    /// Every block: what rendering and `check` need.
    Whole,
    /// Only the first block, where a chapter without a front-matter title
    /// has it: what `status`, `review` and `contributors` read (the title,
    /// the front matter and the words counted from the text), at a fraction
    /// of the cost on a long book. The Markdown is still parsed whole, so
    /// the title is the one a whole parse finds (a reference link defined
    /// further down included).
    Outline,
}

/// Parses one chapter into the model. Title, language and abstract come from
/// front matter; a chapter with no `title` takes its first `#` heading.
pub fn parse_chapter(
    loaded: &LoadedChapter,
    sources: &Sources,
    book_lang: &Lang,
    markdown: &MarkdownConfig,
    extent: Extent,
    sink: &mut Sink,
) -> Chapter {
    let file = sources.get(loaded.file);
    let positions = Positions::File {
        file: loaded.file,
        source: file,
    };
    let mut parsed = match extent {
        Extent::Whole => parse_markdown(&loaded.body, &positions, markdown, sink),
        Extent::Outline if loaded.config.title.is_some() => Parsed::default(),
        Extent::Outline => {
            let arena = Arena::new();
            let root = parse_document(&arena, &loaded.body, &comrak_options(markdown));
            nesting::prune_too_deep(root, &positions, sink);
            lower::lower_first_block(root, &positions, sink)
        }
    };

    let lang = loaded
        .config
        .lang
        .as_ref()
        .map(|l| Lang::parse(&l.value))
        .unwrap_or_else(|| book_lang.clone());
    let mut config = loaded.config.clone();
    // A title or abstract given by language: the chapter's language's
    // version is its own, the others its translations.
    let main_title = main_version(&config.titles, &lang);
    let main_abstract = main_version(&config.abstracts, &lang);
    if let Some(i) = main_title {
        config.title = Some(config.titles[i].1.clone());
    }
    if let Some(i) = main_abstract {
        config.abstract_ = Some(config.abstracts[i].1.clone());
    }
    let mut translations: Vec<crate::model::Translation> = Vec::new();
    let mut translation = |tag: &str| -> usize {
        let tlang = Lang::parse(tag);
        match translations.iter().position(|t| t.lang == tlang) {
            Some(at) => at,
            None => {
                translations.push(crate::model::Translation {
                    lang: tlang,
                    title: Vec::new(),
                    abstract_: Vec::new(),
                });
                translations.len() - 1
            }
        }
    };
    let mut other_titles = Vec::new();
    for (i, (tag, text)) in config.titles.iter().enumerate() {
        if Some(i) != main_title {
            other_titles.push((translation(&tag.value), text));
        }
    }
    let mut other_abstracts = Vec::new();
    for (i, (tag, text)) in config.abstracts.iter().enumerate() {
        if Some(i) != main_abstract {
            other_abstracts.push((translation(&tag.value), text));
        }
    }
    for (at, text) in other_titles {
        let inlines = parse_title(&text.value, &text.span, markdown, sink);
        translations[at].title = vec![Block {
            kind: BlockKind::Paragraph(inlines),
            span: text.span.clone(),
        }];
    }
    for (at, text) in other_abstracts {
        let positions = Positions::Fixed(text.span.clone());
        translations[at].abstract_ = parse_markdown(&text.value, &positions, markdown, sink).blocks;
    }

    let (title_inlines, title_span) = match &config.title {
        Some(t) => (
            parse_title(&t.value, &t.span, markdown, sink),
            t.span.clone(),
        ),
        None => match parsed.blocks.first() {
            Some(Block {
                kind: BlockKind::Heading(h),
                span,
            }) if h.depth == 0 => {
                let title = (h.content.clone(), span.clone());
                parsed.blocks.remove(0);
                title
            }
            _ => {
                let first_line = file.line_range(0).unwrap_or(0..0);
                let span = Span::new(loaded.file, first_line);
                // A front matter that could not be read may well hold the
                // title: its own error says what to fix.
                if !loaded.front_matter_broken {
                    sink.push(
                        Diagnostic::error(span.clone(), "this chapter has no title").hint(
                            "add `title: \"…\"` to its front matter, or start it with a `# Title` line",
                        ),
                    );
                }
                (vec![Inline::Text(loaded.id.clone())], span)
            }
        },
    };
    let title = plain_text(&title_inlines);
    // Body headings start at `##`; a stray `#` is taken as a section too.
    crate::model::walk_blocks_mut(&mut parsed.blocks, &mut |b| {
        if let BlockKind::Heading(h) = &mut b.kind {
            h.depth = h.depth.max(1);
        }
    });

    let abstract_ = match &config.abstract_ {
        Some(a) => {
            let positions = Positions::Fixed(a.span.clone());
            parse_markdown(&a.value, &positions, markdown, sink).blocks
        }
        None => Vec::new(),
    };

    Chapter {
        id: loaded.id.clone(),
        file: loaded.file,
        path: loaded.path.clone(),
        config,
        title,
        title_markup: vec![Block {
            kind: BlockKind::Paragraph(title_inlines),
            span: title_span,
        }],
        lang,
        authors: Vec::new(),
        number: None,
        abstract_,
        translations,
        blocks: parsed.blocks,
        footnotes: parsed.footnotes,
        references: Vec::new(),
        cites: false,
        review: None,
    }
}

/// Which of the versions of a map by language is the chapter's own: the
/// one in its language (same tag, else same primary language), else the
/// first written; `None` when there is no map.
fn main_version(
    versions: &[(crate::diag::Spanned<String>, crate::diag::Spanned<String>)],
    lang: &Lang,
) -> Option<usize> {
    if versions.is_empty() {
        return None;
    }
    let tags: Vec<Lang> = versions
        .iter()
        .map(|(t, _)| Lang::parse(&t.value))
        .collect();
    tags.iter()
        .position(|t| t == lang)
        .or_else(|| tags.iter().position(|t| t.primary() == lang.primary()))
        .or(Some(0))
}

/// A title written in front matter, as inline Markdown (`` Using `Box<T>` ``
/// gives inline code). Text that Markdown would read as a block (`1. Intro`
/// is a list, `# x` a heading) stays the text it is.
fn parse_title(text: &str, span: &Span, markdown: &MarkdownConfig, sink: &mut Sink) -> Vec<Inline> {
    let positions = Positions::Fixed(span.clone());
    let parsed = parse_markdown(text, &positions, markdown, sink);
    match parsed.blocks.as_slice() {
        [
            Block {
                kind: BlockKind::Paragraph(inlines),
                ..
            },
        ] => inlines.clone(),
        _ => vec![Inline::Text(text.to_string())],
    }
}

/// The people of contributors.toml, each bio parsed from its Markdown.
/// A bio's faults are reported at its value in contributors.toml (its
/// text is a TOML string, whose lines are not the file's).
pub fn parse_people(
    contributors: &Contributors,
    markdown: &MarkdownConfig,
    sink: &mut Sink,
) -> Vec<Person> {
    contributors
        .list
        .iter()
        .map(|c| Person {
            id: c.id.value.clone(),
            name: c.name.clone(),
            affiliation: c.affiliation.clone(),
            roles: c.roles.clone(),
            orcid: c.orcid.clone(),
            bio: match &c.bio {
                Some(bio) => {
                    let positions = Positions::Fixed(bio.span.clone());
                    parse_markdown(&bio.value, &positions, markdown, sink).blocks
                }
                None => Vec::new(),
            },
        })
        .collect()
}
