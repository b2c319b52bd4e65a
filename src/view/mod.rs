//! The one description of the book that every renderer reads.
//!
//! Input: the finished [`Book`] (after the passes). Output: plain,
//! serialisable values the site's and the EPUB's templates receive and the
//! PDF's metadata is written from: the book's metadata, the table of
//! contents (parts, chapters, numbers, authors), the people, each
//! chapter's notes, the pages' descriptions (`<meta name="description">`),
//! and the names of the anchors every output shares. A new
//! output is a renderer over this view, never a new description of the
//! book.

pub mod comments;

use serde::Serialize;

pub mod index;
pub mod languages;

pub use index::{IndexEntry, IndexView};

use crate::config::Role;
use crate::lang::Lang;
use crate::model::{Block, BlockKind, Book, Chapter, Person, PersonRef, blocks_text, plain_text};

/// A person as the outputs name them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonView {
    /// Contributor id (the anchor on the contributors page).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Affiliation.
    pub affiliation: Option<String>,
}

impl PersonView {
    /// The person a resolved reference names; an unknown id (an error the
    /// people pass reported) is shown as itself.
    pub fn of(book: &Book, r: &PersonRef) -> PersonView {
        match book.person(r) {
            Some(p) => PersonView::from(p),
            None => PersonView {
                id: r.id.clone(),
                name: r.id.clone(),
                affiliation: None,
            },
        }
    }

    /// Each of `refs`, in order.
    pub fn all(book: &Book, refs: &[PersonRef]) -> Vec<PersonView> {
        refs.iter().map(|r| PersonView::of(book, r)).collect()
    }
}

impl From<&Person> for PersonView {
    fn from(p: &Person) -> Self {
        PersonView {
            id: p.id.clone(),
            name: p.name.clone(),
            affiliation: p.affiliation.clone(),
        }
    }
}

/// A chapter in the table of contents.
#[derive(Debug, Clone, Serialize)]
pub struct TocChapter {
    /// Chapter id.
    pub id: String,
    /// Its address in the output (`<id>.html` in the site,
    /// `text/<id>.xhtml` in the EPUB).
    pub url: String,
    /// Title.
    pub title: String,
    /// Number, for numbered chapters.
    pub number: Option<String>,
    /// Authors.
    pub authors: Vec<PersonView>,
}

/// A group of the table of contents: a part, or a run of chapters outside
/// any part.
#[derive(Debug, Clone, Serialize)]
pub struct TocGroup {
    /// Part title; none for chapters outside parts.
    pub part: Option<String>,
    /// Its chapters.
    pub chapters: Vec<TocChapter>,
}

/// The book as every page of every output sees it.
#[derive(Debug, Clone, Serialize)]
pub struct BookView {
    /// Title.
    pub title: String,
    /// Subtitle.
    pub subtitle: Option<String>,
    /// Language.
    pub language: Lang,
    /// Publisher.
    pub publisher: Option<String>,
    /// Year from book.toml.
    pub year: Option<i64>,
    /// ISBN as written.
    pub isbn: Option<String>,
    /// The book's DOI, and its address (`https://doi.org/…`).
    pub doi: Option<String>,
    /// The DOI's address.
    pub doi_url: Option<String>,
    /// Licence.
    pub license: Option<String>,
    /// Editors.
    pub editors: Vec<PersonView>,
    /// The table of contents.
    pub toc: Vec<TocGroup>,
    /// A sentence or two about the book, for the title page's description.
    pub description: String,
    /// The lists after the contents (`[book] lists`).
    pub lists: Vec<ListOf>,
    /// The back-of-book indexes (none when no term is marked).
    pub indexes: Vec<IndexView>,
}

/// A list of figures or of tables, printed after the contents.
#[derive(Debug, Clone, Serialize)]
pub struct ListOf {
    /// `figures` or `tables`.
    pub kind: String,
    /// Its heading, in the book's language.
    pub title: String,
    /// Its entries, in reading order.
    pub entries: Vec<ListEntry>,
}

/// A figure or table in its list: what its caption shows.
#[derive(Debug, Clone, Serialize)]
pub struct ListEntry {
    /// The chapter it is in.
    pub chapter: String,
    /// Its anchor in the chapter (its label).
    pub anchor: String,
    /// Its address in the output.
    pub url: String,
    /// "Figure 2.1", as its caption numbers it (the chapter's language).
    pub number: String,
    /// Its caption, plain text.
    pub caption: String,
}

impl BookView {
    /// The view of `book`, each chapter addressed by `url` (its id → the
    /// output's address of its page).
    pub fn new(book: &Book, url: &dyn Fn(&str) -> String) -> Self {
        let cfg = &book.config.book;
        BookView {
            title: cfg.title.clone(),
            subtitle: cfg.subtitle.clone(),
            language: book.lang.clone(),
            publisher: cfg.publisher.clone(),
            year: cfg.year,
            isbn: cfg.isbn.clone(),
            doi: cfg.doi.clone(),
            doi_url: cfg.doi.as_deref().map(doi_url),
            license: cfg.license.clone(),
            editors: PersonView::all(book, &book.editors),
            toc: toc(book, url),
            description: book_description(book),
            lists: lists(book, url),
            indexes: index::indexes(book, url),
        }
    }
}

/// The longest description a page gets, in characters: about what search
/// engines show under a result.
pub const DESCRIPTION_LENGTH: usize = 160;

/// `text` as one line of at most [`DESCRIPTION_LENGTH`] characters: runs
/// of white space folded (no-break spaces kept, as typography put them),
/// cut at a space with "…" when it is longer.
pub fn description_text(text: &str) -> String {
    let breaks = |c: char| c.is_whitespace() && !matches!(c, '\u{a0}' | '\u{202f}' | '\u{2007}');
    let folded = text
        .split(breaks)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if folded.chars().count() <= DESCRIPTION_LENGTH {
        return folded;
    }
    // Room for the ellipsis; a word cut in two is left out.
    let mut head: String = folded.chars().take(DESCRIPTION_LENGTH - 1).collect();
    let next = folded[head.len()..].chars().next();
    if next != Some(' ')
        && let Some(space) = head.rfind(' ')
    {
        head.truncate(space);
    }
    head.push('…');
    head
}

/// A chapter's description: its abstract when it has one, otherwise its
/// first paragraph (the first of the text itself that has words, else the
/// first in a quote, an alert or a list), otherwise its title; as the
/// outputs print it (citations and cross-references formatted, typography
/// applied), on one line, cut to [`DESCRIPTION_LENGTH`] characters.
pub fn description(chapter: &Chapter) -> String {
    let from_abstract = blocks_text(&chapter.abstract_);
    let text = if from_abstract.trim().is_empty() {
        first_paragraph(&chapter.blocks, false)
            .or_else(|| first_paragraph(&chapter.blocks, true))
            .unwrap_or_else(|| chapter.title.clone())
    } else {
        from_abstract
    };
    description_text(&text)
}

/// The text of the first paragraph with words among `blocks`, looking into
/// quotes, alerts and lists when `nested`.
fn first_paragraph(blocks: &[Block], nested: bool) -> Option<String> {
    blocks.iter().find_map(|block| match &block.kind {
        BlockKind::Paragraph(inlines) => {
            Some(plain_text(inlines)).filter(|t| t.chars().any(char::is_alphanumeric))
        }
        BlockKind::BlockQuote(inner) | BlockKind::Alert { blocks: inner, .. } if nested => {
            first_paragraph(inner, true)
        }
        BlockKind::List { items, .. } if nested => {
            items.iter().find_map(|i| first_paragraph(&i.blocks, true))
        }
        _ => None,
    })
}

/// The book's description: its title and subtitle, then its editors (or,
/// without editors, its authors), cut to [`DESCRIPTION_LENGTH`] characters.
pub fn book_description(book: &Book) -> String {
    let cfg = &book.config.book;
    let labels = book.lang.labels();
    let mut text = cfg.title.clone();
    if let Some(subtitle) = &cfg.subtitle {
        text.push_str(labels.colon);
        text.push_str(subtitle);
    }
    let names = |people: Vec<PersonView>| {
        people
            .into_iter()
            .map(|p| p.name)
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !book.editors.is_empty() {
        text.push_str(&format!(
            ". {} {}.",
            labels.editors,
            names(PersonView::all(book, &book.editors))
        ));
    } else {
        let people = authors(book);
        if !people.is_empty() {
            text.push_str(&format!(
                ". {}{}{}.",
                labels.authors,
                labels.colon,
                names(people)
            ));
        }
    }
    description_text(&text)
}

/// The table of contents, each chapter addressed by `url`.
pub fn toc(book: &Book, url: &dyn Fn(&str) -> String) -> Vec<TocGroup> {
    book.parts
        .iter()
        .map(|part| TocGroup {
            part: part.title.clone(),
            chapters: part
                .chapters
                .iter()
                .map(|&i| {
                    let ch = &book.chapters[i];
                    TocChapter {
                        id: ch.id.clone(),
                        url: url(&ch.id),
                        title: ch.title.clone(),
                        number: chapter_number(ch),
                        authors: PersonView::all(book, &ch.authors),
                    }
                })
                .collect(),
        })
        .collect()
}

/// A chapter's number as printed, for numbered chapters.
pub fn chapter_number(ch: &Chapter) -> Option<String> {
    ch.number.map(|n| n.to_string())
}

/// Everyone who signs a chapter, each once, in reading order (unknown ids
/// included, as themselves).
pub fn authors(book: &Book) -> Vec<PersonView> {
    let mut out: Vec<PersonView> = Vec::new();
    for r in book.chapters.iter().flat_map(|c| &c.authors) {
        if !out.iter().any(|p| p.id == r.id) {
            out.push(PersonView::of(book, r));
        }
    }
    out
}

/// The chapters' keywords, each once, in reading order.
pub fn keywords(book: &Book) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for k in book.chapters.iter().flat_map(|c| &c.config.keywords) {
        if !out.contains(&k.as_str()) {
            out.push(k);
        }
    }
    out
}

/// A person of contributors.toml with what the book's end matter shows.
#[derive(Debug, Clone)]
pub struct Contributor<'b> {
    /// The person (bio as model blocks, for each renderer to write).
    pub person: &'b Person,
    /// The chapters they sign, as indices into [`Book::chapters`].
    pub chapters: Vec<usize>,
}

impl Contributor<'_> {
    /// Their roles, as contributors.toml writes them.
    pub fn role_names(&self) -> Vec<&'static str> {
        self.person.roles.iter().map(|r| Role::name(*r)).collect()
    }
}

/// Every person of contributors.toml, in file order, with their chapters.
pub fn contributors(book: &Book) -> Vec<Contributor<'_>> {
    book.people
        .iter()
        .enumerate()
        .map(|(i, person)| Contributor {
            person,
            chapters: book
                .chapters
                .iter()
                .enumerate()
                .filter(|(_, ch)| ch.authors.iter().any(|a| a.person == Some(i)))
                .map(|(j, _)| j)
                .collect(),
        })
        .collect()
}

/// One note of a chapter, with the anchors the outputs give it.
#[derive(Debug, Clone)]
pub struct Note<'b> {
    /// Its number in the chapter.
    pub number: u32,
    /// The note's element id.
    pub id: String,
    /// The id of its first reference in the text, which the note links back to.
    pub backref: String,
    /// Its content.
    pub blocks: &'b [Block],
}

/// A chapter's notes in order.
pub fn notes(chapter: &Chapter) -> Vec<Note<'_>> {
    chapter
        .footnotes
        .iter()
        .map(|f| Note {
            number: f.number,
            id: footnote_id(f.number),
            backref: footnote_ref_id(f.number, 1),
            blocks: &f.blocks,
        })
        .collect()
}

/// The element id of note `n`.
pub fn footnote_id(n: u32) -> String {
    format!("fn-{n}")
}

/// The element id of the `occurrence`-th (1-based) reference to note `n`.
pub fn footnote_ref_id(n: u32, occurrence: u32) -> String {
    if occurrence <= 1 {
        format!("fnref-{n}")
    } else {
        format!("fnref-{n}-{occurrence}")
    }
}

/// The element id of a reference list's entry, which citations link to.
pub fn reference_id(key: &str) -> String {
    format!("ref-{}", crate::model::slug(key, "entry"))
}

/// The id of the element holding a chapter's reference list.
pub const REFERENCES_ID: &str = "references";

/// The line that heads an offprint (the PDF's first line, the DOCX's page
/// header): which book it is from.
pub fn provenance(book: &Book) -> String {
    let cfg = &book.config.book;
    let labels = book.lang.labels();
    let mut line = format!("{} {}", labels.offprint, cfg.title);
    let editors: Vec<String> = PersonView::all(book, &book.editors)
        .into_iter()
        .map(|p| p.name)
        .collect();
    if !editors.is_empty() {
        let mut direction = labels.editors.to_string();
        if let Some(first) = direction.get(..1) {
            direction = first.to_lowercase() + &direction[1..];
        }
        line.push_str(&format!(", {direction} {}", editors.join(", ")));
    }
    if let Some(p) = &cfg.publisher {
        line.push_str(&format!(", {p}"));
    }
    if let Some(y) = cfg.year {
        line.push_str(&format!(", {y}"));
    }
    line
}

/// The address a DOI resolves at, as every output links it (the DOI
/// percent-encoded where a URL's path needs it).
pub fn doi_url(doi: &str) -> String {
    format!("https://doi.org/{}", crate::url::encode_path(doi))
}

/// The lists `[book] lists` asks for, each figure or captioned table
/// addressed by `url` (its chapter's address) and its anchor.
pub fn lists(book: &Book, url: &dyn Fn(&str) -> String) -> Vec<ListOf> {
    let labels = book.lang.labels();
    book.config
        .book
        .lists
        .iter()
        .map(|kind| {
            let figures = kind == "figures";
            let mut entries = Vec::new();
            for chapter in &book.chapters {
                let words = chapter.lang.labels();
                crate::model::walk_blocks(&chapter.blocks, &mut |block: &Block| {
                    let (word, label, number, caption) = match &block.kind {
                        BlockKind::Figure(f) if figures => {
                            (words.figure, &f.label, &f.number, plain_text(&f.image.alt))
                        }
                        BlockKind::Table(t) if !figures => {
                            (words.table, &t.label, &t.number, plain_text(&t.caption))
                        }
                        _ => return,
                    };
                    let (Some(anchor), Some(number)) = (label, number) else {
                        return;
                    };
                    entries.push(ListEntry {
                        chapter: chapter.id.clone(),
                        anchor: anchor.clone(),
                        url: format!("{}#{anchor}", url(&chapter.id)),
                        number: format!("{word} {number}"),
                        caption,
                    });
                });
            }
            ListOf {
                kind: kind.clone(),
                title: if figures {
                    labels.list_of_figures
                } else {
                    labels.list_of_tables
                }
                .to_string(),
                entries,
            }
        })
        .collect()
}

/// What an EPUB reading system and an accessibility checker are told about
/// the book (EPUB Accessibility 1.1, schema.org's properties), from what
/// its text holds.
#[derive(Debug, Clone, Serialize)]
pub struct Accessibility {
    /// `schema:accessMode`: textual, and visual when it has images.
    pub modes: Vec<&'static str>,
    /// `schema:accessModeSufficient`: "textual" when every image has a
    /// text alternative, else "textual,visual".
    pub sufficient: Vec<&'static str>,
    /// `schema:accessibilityFeature`s.
    pub features: Vec<&'static str>,
    /// `schema:accessibilityHazard`s: none (no flashing, motion or sound).
    pub hazards: Vec<&'static str>,
    /// `schema:accessibilitySummary`.
    pub summary: String,
    /// `dcterms:conformsTo`, when every image has a text alternative (the
    /// pages are the site's markup, which passes WCAG 2.1 AA checks).
    pub conforms_to: Option<&'static str>,
}

/// Each image of the chapters (abstracts, bodies, notes, nested inlines
/// included) that has no text alternative: the span of the block it
/// stands in, and its URL. Every output that cares (the tagged PDF, the EPUB) reports
/// these, each with its own severity.
pub fn images_without_alt(book: &Book) -> Vec<(crate::diag::Span, String)> {
    let mut out = Vec::new();
    for chapter in &book.chapters {
        for blocks in chapter.text_lists() {
            crate::model::walk_blocks(blocks, &mut |block: &Block| {
                let mut bare: Vec<String> = Vec::new();
                let mut look = |image: &crate::model::Image| {
                    if image.alt_text().trim().is_empty() {
                        bare.push(image.url.clone());
                    }
                };
                if let BlockKind::Figure(f) = &block.kind {
                    look(&f.image);
                }
                crate::model::block_inlines(block, &mut |inlines| {
                    crate::model::walk_inlines(inlines, &mut |inline| {
                        if let crate::model::Inline::Image(i) = inline {
                            look(i);
                        }
                    })
                });
                out.extend(bare.into_iter().map(|url| (block.span.clone(), url)));
            });
        }
    }
    out
}

/// One diagnostic per image without a text alternative, at its block:
/// an error with `required` as its hint when an output's declared
/// standard requires one (the PDF's, the EPUB's conformance), else a
/// warning. Both outputs word it alike, so that `build` says it once.
pub fn missing_alt(book: &Book, required: Option<&str>) -> Vec<crate::diag::Diagnostic> {
    use crate::diag::Diagnostic;
    images_without_alt(book)
        .into_iter()
        .map(|(span, url)| {
            let message = format!("the image `{url}` has no alt text");
            match required {
                Some(hint) => Diagnostic::error(span, message).hint(hint),
                None => Diagnostic::warning(span, message).hint(
                    "screen readers say nothing of it: write what it shows, `![a map of the sites](…)`, or `{alt=\"…\"}` after a figure",
                ),
            }
        })
        .collect()
}

/// The book's [`Accessibility`].
pub fn accessibility(book: &Book) -> Accessibility {
    let (mut images, mut described, mut math) = (0usize, 0usize, false);
    let mut image = |image: &crate::model::Image| {
        images += 1;
        if !image.alt_text().trim().is_empty() {
            described += 1;
        }
    };
    // Every block of every chapter (abstract, body, notes) and every
    // inline in it: an image in a table cell or a note counts too.
    for chapter in &book.chapters {
        for blocks in chapter.text_lists() {
            crate::model::walk_blocks(blocks, &mut |block: &Block| {
                match &block.kind {
                    BlockKind::Figure(f) => image(&f.image),
                    BlockKind::Math(m) => math |= m.mathml.is_some(),
                    _ => {}
                }
                crate::model::block_inlines(block, &mut |inlines| {
                    crate::model::walk_inlines(inlines, &mut |inline| match inline {
                        crate::model::Inline::Image(i) => image(i),
                        crate::model::Inline::Math(m) => math |= m.mathml.is_some(),
                        _ => {}
                    })
                });
            });
        }
    }
    let all_described = described == images;
    let mut features = vec!["structuralNavigation", "tableOfContents", "readingOrder"];
    if images > 0 && all_described {
        features.push("alternativeText");
    }
    if math {
        features.push("MathML");
    }
    let mut summary = String::from(
        "Headings, a table of contents and landmarks structure the text; the reading order is the book's.",
    );
    if images > 0 {
        summary.push_str(if all_described {
            " Every image has a text alternative."
        } else {
            " Some images have no text alternative."
        });
    }
    if math {
        summary.push_str(" Formulas are MathML.");
    }
    Accessibility {
        modes: if images > 0 {
            vec!["textual", "visual"]
        } else {
            vec!["textual"]
        },
        sufficient: if all_described {
            vec!["textual"]
        } else {
            vec!["textual,visual"]
        },
        features,
        hazards: vec!["none"],
        summary,
        conforms_to: all_described.then_some("EPUB Accessibility 1.1 - WCAG 2.1 Level AA"),
    }
}

/// Dublin Core for the title page (`DC.*` meta tags, as library and
/// repository harvesters read them): the book's title, editors, publisher,
/// year, language, identifiers and licence.
pub fn index_meta(book: &Book) -> Vec<(&'static str, String)> {
    let cfg = &book.config.book;
    let mut meta = vec![("DC.title", cfg.title.clone())];
    for editor in PersonView::all(book, &book.editors) {
        meta.push(("DC.contributor", editor.name));
    }
    for author in authors(book) {
        meta.push(("DC.creator", author.name));
    }
    if let Some(p) = &cfg.publisher {
        meta.push(("DC.publisher", p.clone()));
    }
    if let Some(y) = cfg.year {
        meta.push(("DC.date", y.to_string()));
    }
    meta.push(("DC.language", book.lang.tag().to_string()));
    meta.push(("DC.type", "Text".to_string()));
    if let Some(isbn) = &cfg.isbn {
        meta.push(("DC.identifier", format!("urn:isbn:{isbn}")));
    }
    if let Some(doi) = &cfg.doi {
        meta.push(("DC.identifier", doi_url(doi)));
    }
    if let Some(license) = &cfg.license {
        meta.push(("DC.rights", license.clone()));
    }
    meta
}

/// Google Scholar's `citation_*` tags for a chapter's page: its title and
/// authors, the book it is in, the publisher, the year, the language, the
/// chapter's DOI, and its pages in the PDF when they are known.
pub fn chapter_meta(
    book: &Book,
    chapter: &Chapter,
    pages: Option<(usize, usize)>,
) -> Vec<(&'static str, String)> {
    let cfg = &book.config.book;
    let mut meta = vec![("citation_title", chapter.title.clone())];
    for author in PersonView::all(book, &chapter.authors) {
        meta.push(("citation_author", author.name));
    }
    meta.push(("citation_inbook_title", cfg.title.clone()));
    for editor in PersonView::all(book, &book.editors) {
        meta.push(("citation_editor", editor.name));
    }
    if let Some(p) = &cfg.publisher {
        meta.push(("citation_publisher", p.clone()));
    }
    if let Some(y) = cfg.year {
        meta.push(("citation_publication_date", y.to_string()));
    }
    meta.push(("citation_language", chapter.lang.tag().to_string()));
    if let Some(isbn) = &cfg.isbn {
        meta.push(("citation_isbn", isbn.clone()));
    }
    if let Some(doi) = &chapter.config.doi {
        meta.push(("citation_doi", doi.value.clone()));
    }
    if let Some((first, last)) = pages {
        meta.push(("citation_firstpage", first.to_string()));
        meta.push(("citation_lastpage", last.to_string()));
    }
    meta
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_named_once() {
        assert_eq!(footnote_id(3), "fn-3");
        assert_eq!(footnote_ref_id(3, 1), "fnref-3");
        assert_eq!(footnote_ref_id(3, 2), "fnref-3-2");
        assert_eq!(reference_id("Ostrom 1990"), "ref-ostrom-1990");
    }

    #[test]
    fn descriptions_are_one_line_cut_at_a_space() {
        assert_eq!(description_text("  Un   texte\ncourt. "), "Un texte court.");
        let long = "mot ".repeat(100);
        let cut = description_text(&long);
        assert_eq!(cut.chars().count(), DESCRIPTION_LENGTH, "{cut}");
        assert!(cut.ends_with("mot…"), "{cut}");
        let word = "x".repeat(500);
        assert_eq!(description_text(&word).chars().count(), DESCRIPTION_LENGTH);
        assert_eq!(description_text(""), "");
        assert_eq!(description_text("Quoi\u{202f}?\n"), "Quoi\u{202f}?");
    }

    #[test]
    fn the_sample_book_is_one_view() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut sink = crate::diag::Sink::default();
        let book = crate::pipeline::load_model(root, &mut sink);
        assert!(!sink.has_errors(), "{:?}", sink.diagnostics());
        let view = BookView::new(&book, &|id| format!("{id}.html"));
        let listed: usize = view.toc.iter().map(|g| g.chapters.len()).sum();
        assert_eq!(listed, book.chapters.len());
        let first = &view.toc[0].chapters[0];
        assert_eq!(first.url, format!("{}.html", first.id));
        // Every chapter's author is a person of contributors.toml.
        for ch in &book.chapters {
            for a in &ch.authors {
                assert!(book.person(a).is_some(), "{} of {}", a.id, ch.id);
            }
        }
        let people = contributors(&book);
        assert_eq!(people.len(), book.people.len());
        let signed: usize = people.iter().map(|c| c.chapters.len()).sum();
        let authorships: usize = book.chapters.iter().map(|c| c.authors.len()).sum();
        assert_eq!(signed, authorships);
    }
}
