//! `book.toml`: what the editors wrote about the book (README "File formats in short").

use super::read::{Entries, Reader};
use super::value::{Node, Value};
use crate::diag::{Diagnostic, Sink, Spanned};
use crate::lang::is_language_tag;
use crate::source::FileId;

/// The contents of book.toml.
#[derive(Debug, Clone)]
pub struct BookConfig {
    /// `[book]` table.
    pub book: BookSection,
    /// `[[part]]` tables, in order.
    pub parts: Vec<PartConfig>,
    /// `[bibliography]`.
    pub bibliography: BibliographyConfig,
    /// `[pdf]`.
    pub pdf: PdfConfig,
    /// `[html]`.
    pub html: HtmlConfig,
    /// `[review]`.
    pub review: ReviewConfig,
    /// `[markdown]`.
    pub markdown: MarkdownConfig,
    /// `[cover]`: the wraparound cover of `build --cover`.
    pub cover: super::print::CoverConfig,
    /// `[index]`.
    pub index: IndexConfig,
    /// `[metadata]`.
    pub metadata: MetadataConfig,
    /// `[epub]`.
    pub epub: EpubConfig,
}

/// `[epub]`: what the EPUB promises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EpubConfig {
    /// `conformance`: the book declares the EPUB meets EPUB Accessibility
    /// 1.1 at WCAG 2.1 AA, so an image without a text alternative is an
    /// error (without it, a warning, and the package claims conformance
    /// only when every image has one).
    pub conformance: bool,
}

/// `[metadata]`: what the publishing feeds of `build --metadata` need
/// beyond the book's own keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetadataConfig {
    /// `depositor`: who deposits the DOIs with Crossref.
    pub depositor: Option<String>,
    /// `depositor-email`: where Crossref reports the deposit.
    pub depositor_email: Option<String>,
    /// `isbn-pdf`: the PDF edition's ISBN (checked).
    pub isbn_pdf: Option<String>,
    /// `isbn-epub`: the EPUB edition's ISBN (checked).
    pub isbn_epub: Option<String>,
    /// `subjects`: keywords for the ONIX record.
    pub subjects: Vec<String>,
}

/// `[index]`: the back-of-book index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IndexConfig {
    /// `names`: terms marked `.name` go to a second index, of names.
    pub names: bool,
}

/// The `[book]` table.
#[derive(Debug, Clone)]
pub struct BookSection {
    /// The only required key.
    pub title: String,
    /// Optional subtitle.
    pub subtitle: Option<String>,
    /// BCP 47 tag; the default language of every chapter.
    pub language: String,
    /// `languages`: the order in which every output shows a chapter's
    /// titles and abstracts in several languages (tags, checked); empty
    /// means the book's language first, then the others as written.
    pub languages: Vec<String>,
    /// Contributor ids of the editors.
    pub editors: Vec<Spanned<String>>,
    /// Publisher's name.
    pub publisher: Option<String>,
    /// Year of publication.
    pub year: Option<i64>,
    /// ISBN, checksum validated.
    pub isbn: Option<String>,
    /// The book's DOI (`10.…/…`), checked for syntax.
    pub doi: Option<String>,
    /// `lists`: the lists printed after the contents, in order: "figures",
    /// "tables".
    pub lists: Vec<String>,
    /// Licence, e.g. "CC BY-SA 4.0".
    pub license: Option<String>,
    /// Chapter ids in reading order, when given.
    pub chapters: Option<Vec<Spanned<String>>>,
}

/// One `[[part]]`.
#[derive(Debug, Clone)]
pub struct PartConfig {
    /// The part's title.
    pub title: String,
    /// Chapter ids in the part.
    pub chapters: Vec<Spanned<String>>,
}

/// `[bibliography]`.
#[derive(Debug, Clone, Default)]
pub struct BibliographyConfig {
    /// Bibliography files, relative to the book root.
    pub files: Vec<Spanned<String>>,
    /// CSL style name or path to a `.csl` file of the book.
    pub style: Option<Spanned<String>>,
    /// A reference list per chapter (default) or one for the book.
    pub per_chapter: bool,
}

/// `[pdf]`.
#[derive(Debug, Clone)]
pub struct PdfConfig {
    /// Typst paper name.
    pub paper: Option<String>,
    /// Page width, when no paper is named.
    pub width: Option<String>,
    /// Page height, when no paper is named.
    pub height: Option<String>,
    /// Font families, in order of preference.
    pub font: Vec<String>,
    /// Body font size, e.g. "10pt".
    pub font_size: Option<String>,
    /// Every chapter opens on an odd page.
    pub recto_chapters: bool,
    /// PDF/A conformance, e.g. "a-2b".
    pub standard: Option<String>,
    /// Whether ```{=typst} blocks reach the PDF.
    pub raw_typst: bool,
    /// Whether the system's fonts are offered to Typst (off by default, so
    /// that the PDF is the same on every machine).
    pub system_fonts: bool,
    /// How the PDF's citations and reference lists are made.
    pub citations: PdfCitations,
    /// Font families searched, in order, for the characters the main fonts
    /// lack (CJK, Devanagari, emoji…): in the book's `fonts/`, and the
    /// system's with `system-fonts = true`.
    pub fallback_fonts: Vec<Spanned<String>>,
    /// What a code line longer than the measure does.
    pub code_overflow: CodeOverflow,
    /// Whether ouvrage's own elements print in colour or in grey.
    pub colour: PdfColour,
    /// `bleed` and `crop-marks`: what the print shop trims.
    pub print: super::print::PrintConfig,
}

/// `[pdf] code-overflow`: a code line longer than the measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CodeOverflow {
    /// Broken with a continuation mark and a hanging indent (the default).
    #[default]
    Wrap,
    /// The whole block set small enough for its longest line to fit.
    Shrink,
    /// An error at the line that does not fit.
    Error,
}

impl CodeOverflow {
    /// The name book.toml and the template use.
    pub fn name(self) -> &'static str {
        match self {
            CodeOverflow::Wrap => "wrap",
            CodeOverflow::Shrink => "shrink",
            CodeOverflow::Error => "error",
        }
    }
}

/// `[pdf] colour`: what colours ouvrage's own elements print in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PdfColour {
    /// Colour where the design has it (draft links, syntax highlighting).
    #[default]
    Colour,
    /// Everything grey, for a one-colour print job.
    Grey,
}

/// `[pdf] citations`: who formats the PDF's citations and reference lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PdfCitations {
    /// Typst, with `cite` and `bibliography`: the same hayagriva inside
    /// Typst, kept for a template that styles Typst's own bibliography.
    Typst,
    /// The text ouvrage formats for the site and the EPUB (the same
    /// hayagriva, style and locale), each citation linked to its entry: the
    /// default, since every output then prints the same text and Typst has
    /// no citation to resolve (a large book compiles several times faster).
    #[default]
    Text,
}

/// The PDF standards Typst can enforce, by the names book.toml uses.
pub const PDF_STANDARDS: &[&str] = &[
    "1.4", "1.5", "1.6", "1.7", "2.0", "a-1b", "a-1a", "a-2b", "a-2u", "a-2a", "a-3b", "a-3u",
    "a-3a", "a-4", "a-4f", "a-4e", "ua-1",
];

/// What happens to raw HTML written in a chapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawHtml {
    /// Shown as text (the default).
    Escape,
    /// Cleaned by an HTML sanitizer: no script, no event handler.
    Sanitize,
    /// Passed through as written, but for what runs code (scripts, event
    /// handlers, frames, plugins, `javascript:` URLs): see
    /// `crate::render::html::raw`.
    Allow,
}

/// `[html]`.
#[derive(Debug, Clone)]
pub struct HtmlConfig {
    /// Whether the site has an offline search.
    pub search: bool,
    /// Canonical base URL of the published site.
    pub base_url: Option<String>,
    /// Raw HTML policy.
    pub raw_html: RawHtml,
    /// Whether the site marks where each page of the PDF begins (off by
    /// default; the EPUB always has its page list).
    pub page_markers: bool,
}

/// `[markdown]`: how the chapters' Markdown is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct MarkdownConfig {
    /// What `$` means.
    pub math: MathSyntax,
}

/// `[markdown] math`: whether dollars delimit formulas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MathSyntax {
    /// `$…$` and `$$…$$` are LaTeX math (the default), `\$` a dollar sign.
    #[default]
    Dollars,
    /// No math: `$` is printed as written, as mdBook and GitHub print it
    /// when math is off (a book imported from mdBook without math).
    None,
}

/// `[review]`.
#[derive(Debug, Clone)]
pub struct ReviewConfig {
    /// Distinct reviewers' approvals of the current revision.
    pub required_approvals: u32,
    /// `signatures = "required"`: every review event must be signed by one
    /// of its actor's `signing-keys`; `"when-listed"` (the default): only
    /// the events of contributors who list keys.
    pub signatures_required: bool,
    /// `change-requests = "blocking"` (the default): an open change request
    /// on the current revision holds back the approval until its reviewer
    /// approves or withdraws it; `"advisory"`: enough approvals win.
    pub blocking_change_requests: bool,
    /// `open-comments = "block"` (the default): `check --require-approved`
    /// fails while a chapter has open comments; `"allow"`: they do not hold
    /// back the print run.
    pub open_comments_block: bool,
}

impl Default for ReviewConfig {
    fn default() -> Self {
        ReviewConfig {
            required_approvals: 1,
            signatures_required: false,
            blocking_change_requests: true,
            open_comments_block: true,
        }
    }
}

const TOP_KEYS: &[&str] = &[
    "book",
    "part",
    "bibliography",
    "pdf",
    "html",
    "review",
    "markdown",
    "cover",
    "index",
    "metadata",
    "epub",
];

/// Every key of book.toml, table by table (`[[part]]` as `part`): what the
/// reader accepts, and what the README's reference must list (a test
/// compares them).
pub const KEYS: &[(&str, &[&str])] = &[
    ("book", BOOK_KEYS),
    ("part", PART_KEYS),
    ("bibliography", BIBLIOGRAPHY_KEYS),
    ("pdf", PDF_KEYS),
    ("html", HTML_KEYS),
    ("review", REVIEW_KEYS),
    ("markdown", MARKDOWN_KEYS),
    ("cover", super::print::COVER_KEYS),
    ("index", INDEX_KEYS),
    ("metadata", METADATA_KEYS),
    ("epub", EPUB_KEYS),
];

const BOOK_KEYS: &[&str] = &[
    "title",
    "subtitle",
    "language",
    "languages",
    "editors",
    "publisher",
    "year",
    "isbn",
    "doi",
    "license",
    "lists",
    "chapters",
];
const PART_KEYS: &[&str] = &["title", "chapters"];
/// The lists `[book] lists` may ask for.
const LISTS: &[&str] = &["figures", "tables"];
const BIBLIOGRAPHY_KEYS: &[&str] = &["files", "style", "per-chapter"];
const PDF_KEYS: &[&str] = &[
    "paper",
    "width",
    "height",
    "font",
    "font-size",
    "recto-chapters",
    "standard",
    "raw-typst",
    "system-fonts",
    "citations",
    "fallback-fonts",
    "code-overflow",
    "colour",
    "bleed",
    "crop-marks",
];
const HTML_KEYS: &[&str] = &["search", "base-url", "raw-html", "page-markers"];
const REVIEW_KEYS: &[&str] = &[
    "required-approvals",
    "signatures",
    "change-requests",
    "open-comments",
];
const MARKDOWN_KEYS: &[&str] = &["math"];
const INDEX_KEYS: &[&str] = &["names"];
const EPUB_KEYS: &[&str] = &["conformance"];
const METADATA_KEYS: &[&str] = &[
    "depositor",
    "depositor-email",
    "isbn-pdf",
    "isbn-epub",
    "subjects",
];

/// Validates book.toml's tree; every fault goes to `sink`. Each table is
/// read by its own function, and every one is read even when another has
/// faults (a missing title or `[book]` is an error, and the rest of the
/// book is still checked with what was given), so that one run reports
/// them all. `None` only when the file is no TOML table at all.
pub fn read_book_config(file: FileId, root: &Node, sink: &mut Sink) -> Option<BookConfig> {
    let mut r = Reader { file, sink };
    let top = r.table("book.toml", root)?;
    r.check_keys(top, TOP_KEYS, "book.toml");
    let section = read_book_section(&mut r, top).unwrap_or_else(|| BookConfig::default().book);
    let parts = read_parts(&mut r, top);
    let bibliography = read_bibliography(&mut r, top);
    let pdf = read_pdf(&mut r, top);
    let html = read_html(&mut r, top);
    let review = read_review(&mut r, top);
    let markdown = read_markdown(&mut r, top);
    let cover_table = section_table(&mut r, top, "cover", super::print::COVER_KEYS);
    let cover = super::print::read_cover(&mut r, cover_table);
    let index = section_table(&mut r, top, "index", INDEX_KEYS);
    let index = IndexConfig {
        names: r.boolean(index, "names").unwrap_or(false),
    };
    let metadata = read_metadata(&mut r, top);
    let epub = section_table(&mut r, top, "epub", EPUB_KEYS);
    let epub = EpubConfig {
        conformance: r.boolean(epub, "conformance").unwrap_or(false),
    };
    Some(BookConfig {
        book: section,
        parts,
        bibliography,
        pdf,
        html,
        review,
        markdown,
        cover,
        index,
        metadata,
        epub,
    })
}

/// `[book]`: the title (the one required key), the language, the ISBN
/// checked. `None` when the table is missing altogether.
fn read_book_section(r: &mut Reader<'_>, top: &Entries) -> Option<BookSection> {
    let empty: &Entries = &[];
    let book = match Reader::get(top, "book") {
        Some(node) => r.table("book", node).unwrap_or(empty),
        None => {
            r.sink.push(
                Diagnostic::error(r.span(&(0..0)), "book.toml has no [book] table")
                    .hint("add `[book]` with at least `title = \"…\"`"),
            );
            return None;
        }
    };
    let book_span = Reader::get(top, "book")
        .map(|n| n.span.clone())
        .unwrap_or(0..0);
    r.check_keys(book, BOOK_KEYS, "[book]");
    let title = r.string(book, "title");
    if title.is_none() && Reader::get(book, "title").is_none() {
        let span = r.span(&(book_span.start..book_span.start));
        r.sink.push(
            Diagnostic::error(span, "[book] has no `title`")
                .hint("add `title = \"…\"` under [book]: it is the one required key"),
        );
    }
    let language = r.string(book, "language");
    if let Some(lang) = &language
        && !is_language_tag(lang)
    {
        r.sink.push(
            Diagnostic::error(
                lang.span.clone(),
                format!("`{}` is not a BCP 47 language tag", lang.value),
            )
            .hint("write a tag such as \"fr\", \"it\", \"en-GB\""),
        );
    }
    let languages = r.strings(book, "languages").unwrap_or_default();
    for tag in &languages {
        if !is_language_tag(&tag.value) {
            r.sink.push(
                Diagnostic::error(
                    tag.span.clone(),
                    format!("`{}` is not a BCP 47 language tag", tag.value),
                )
                .hint("languages = [\"fr\", \"en\"]: the order of a chapter's titles and abstracts in several languages"),
            );
        }
    }
    let isbn = r.string(book, "isbn");
    if let Some(isbn) = &isbn
        && !isbn_is_valid(isbn)
    {
        r.sink.push(
            Diagnostic::error(
                isbn.span.clone(),
                format!(
                    "`{}` is not a valid ISBN: its check digit is wrong",
                    isbn.value
                ),
            )
            .hint("copy the ISBN from the agency's record, or remove the key"),
        );
    }
    let doi = r.string(book, "doi");
    if let Some(doi) = &doi
        && !super::chapter::is_doi(&doi.value)
    {
        r.sink.push(
            Diagnostic::error(doi.span.clone(), format!("`{}` is not a DOI", doi.value))
                .hint("write the DOI alone, as `10.` then the registrant's digits, `/` and the suffix: doi = \"10.5281/zenodo.1234\""),
        );
    }
    let lists = r.strings(book, "lists").unwrap_or_default();
    for list in &lists {
        if !LISTS.contains(&list.value.as_str()) {
            r.sink.push(
                Diagnostic::error(list.span.clone(), format!("no list of `{}`", list.value))
                    .suggest(&list.value, LISTS.iter().copied())
                    .hint(
                        "lists = [\"figures\", \"tables\"]: the lists printed after the contents",
                    ),
            );
        }
    }
    Some(BookSection {
        title: title.map(|t| t.value).unwrap_or_default(),
        doi: doi.map(|s| s.value),
        lists: lists
            .into_iter()
            .map(|l| l.value)
            .filter(|l| LISTS.contains(&l.as_str()))
            .collect(),
        subtitle: r.string(book, "subtitle").map(|s| s.value),
        language: language.map(|l| l.value).unwrap_or_else(|| "en".into()),
        languages: languages
            .into_iter()
            .map(|l| l.value)
            .filter(|l| is_language_tag(l))
            .collect(),
        editors: r.strings(book, "editors").unwrap_or_default(),
        publisher: r.string(book, "publisher").map(|s| s.value),
        year: read_year(r, book),
        isbn: isbn.map(|s| s.value),
        license: r.string(book, "license").map(|s| s.value),
        chapters: r.strings(book, "chapters"),
    })
}

/// Every `[[part]]`, each with a title.
fn read_parts(r: &mut Reader<'_>, top: &Entries) -> Vec<PartConfig> {
    let mut parts = Vec::new();
    for node in r.tables(top, "part") {
        let Value::Table(entries) = &node.value else {
            continue;
        };
        r.check_keys(entries, PART_KEYS, "[[part]]");
        let title = r.string(entries, "title");
        if title.is_none() {
            r.error(&node.span, "a [[part]] needs a `title`");
        }
        parts.push(PartConfig {
            title: title.map(|t| t.value).unwrap_or_default(),
            chapters: r.strings(entries, "chapters").unwrap_or_default(),
        });
    }
    parts
}

/// `[bibliography]`: files, style, one list per chapter or for the book.
fn read_bibliography(r: &mut Reader<'_>, top: &Entries) -> BibliographyConfig {
    let bibliography = section_table(r, top, "bibliography", BIBLIOGRAPHY_KEYS);
    BibliographyConfig {
        files: r.strings(bibliography, "files").unwrap_or_default(),
        style: r.string(bibliography, "style"),
        per_chapter: r.boolean(bibliography, "per-chapter").unwrap_or(true),
    }
}

/// The page is a paper name or a width and a height, never part of both:
/// one length alone, or a paper with lengths, would be silently ignored.
fn check_page_size(
    r: &mut Reader<'_>,
    pdf: &Entries,
    paper: Option<&Spanned<String>>,
    width: Option<&Spanned<String>>,
    height: Option<&Spanned<String>>,
) {
    // Where the key is written, even when its value was refused.
    let at = |r: &mut Reader<'_>, key: &str| Reader::get(pdf, key).map(|n| r.span(&n.span));
    if let Some(paper) = paper {
        for key in ["width", "height"] {
            if let Some(span) = at(r, key) {
                r.sink.push(
                    Diagnostic::error(
                        span,
                        format!(
                            "`{key}` and `paper = \"{}\"` both set the page",
                            paper.value
                        ),
                    )
                    .hint("keep `paper`, or remove it and give both `width` and `height`"),
                );
            }
        }
        return;
    }
    match (width, height) {
        (Some(w), None) if at(r, "height").is_none() => r.sink.push(
            Diagnostic::error(
                w.span.clone(),
                "`width` without `height`: the page needs both",
            )
            .hint("add `height = \"210mm\"` (say), or use a `paper` name instead"),
        ),
        (None, Some(h)) if at(r, "width").is_none() => r.sink.push(
            Diagnostic::error(
                h.span.clone(),
                "`height` without `width`: the page needs both",
            )
            .hint("add `width = \"148mm\"` (say), or use a `paper` name instead"),
        ),
        _ => {}
    }
}

/// `[book] year`: a year of four digits (it is printed in the imprint and
/// is the EPUB's `dc:date`).
fn read_year(r: &mut Reader<'_>, book: &Entries) -> Option<i64> {
    let year = r.integer(book, "year")?;
    if !(1000..=9999).contains(&year.value) {
        r.sink.push(
            Diagnostic::error(
                year.span.clone(),
                format!("`{}` is not a year of four digits", year.value),
            )
            .hint("write the year of publication, e.g. `year = 2026`"),
        );
        return None;
    }
    Some(year.value)
}

/// `[pdf]`: the paper (a Typst name) or the page's lengths, the fonts, the
/// standard (one Typst can enforce), who formats the citations.
fn read_pdf(r: &mut Reader<'_>, top: &Entries) -> PdfConfig {
    let pdf = section_table(r, top, "pdf", PDF_KEYS);
    let paper = r.string(pdf, "paper");
    if let Some(p) = &paper
        && p.value.parse::<typst::layout::Paper>().is_err()
    {
        r.sink.push(
            Diagnostic::error(
                p.span.clone(),
                format!("`{}` is not a paper size Typst knows", p.value),
            )
            .suggest(
                &p.value,
                [
                    "a4",
                    "a5",
                    "a6",
                    "b5",
                    "us-letter",
                    "us-trade",
                    "us-digest",
                    "iso-b5",
                ],
            )
            .hint("use a Typst paper name (a5, b5, us-trade…) or give width and height instead"),
        );
    }
    let standard = r.string(pdf, "standard");
    if let Some(st) = &standard
        && !PDF_STANDARDS.contains(&st.value.as_str())
    {
        r.sink.push(
            Diagnostic::error(
                st.span.clone(),
                format!("unknown PDF standard `{}`", st.value),
            )
            .suggest(&st.value, PDF_STANDARDS.iter().copied())
            .hint(format!("the standards are: {}", PDF_STANDARDS.join(", "))),
        );
    }
    let width = r.length(pdf, "width", "mm");
    let height = r.length(pdf, "height", "mm");
    let font_size = r.length(pdf, "font-size", "pt");
    check_page_size(r, pdf, paper.as_ref(), width.as_ref(), height.as_ref());
    PdfConfig {
        paper: paper.map(|s| s.value),
        width: width.map(|s| s.value),
        height: height.map(|s| s.value),
        font: r
            .strings(pdf, "font")
            .unwrap_or_default()
            .into_iter()
            .map(|s| s.value)
            .collect(),
        font_size: font_size.map(|s| s.value),
        recto_chapters: r.boolean(pdf, "recto-chapters").unwrap_or(true),
        standard: standard.map(|s| s.value),
        raw_typst: r.boolean(pdf, "raw-typst").unwrap_or(false),
        system_fonts: r.boolean(pdf, "system-fonts").unwrap_or(false),
        citations: read_pdf_citations(r, pdf),
        fallback_fonts: r.strings(pdf, "fallback-fonts").unwrap_or_default(),
        code_overflow: read_choice(
            r,
            pdf,
            "code-overflow",
            &[
                ("wrap", CodeOverflow::Wrap),
                ("shrink", CodeOverflow::Shrink),
                ("error", CodeOverflow::Error),
            ],
        ),
        colour: read_choice(
            r,
            pdf,
            "colour",
            &[
                ("colour", PdfColour::Colour),
                ("color", PdfColour::Colour),
                ("grey", PdfColour::Grey),
                ("gray", PdfColour::Grey),
            ],
        ),
        print: super::print::read_print(r, pdf),
    }
}

/// A key whose value is one of `choices` (the first is the default).
fn read_choice<T: Copy>(
    r: &mut Reader<'_>,
    table: &Entries,
    key: &str,
    choices: &[(&str, T)],
) -> T {
    let default = choices[0].1;
    let Some(s) = r.string(table, key) else {
        return default;
    };
    if let Some((_, value)) = choices.iter().find(|(name, _)| *name == s.value) {
        return *value;
    }
    let names: Vec<&str> = choices.iter().map(|(name, _)| *name).collect();
    r.sink.push(
        Diagnostic::error(
            s.span.clone(),
            format!("`{}` is not a value of `{key}`", s.value),
        )
        .suggest(&s.value, names.iter().copied())
        .hint(format!("use one of: {}", names.join(", "))),
    );
    default
}

/// `[pdf] citations`: "text" (the default) or "typst".
fn read_pdf_citations(r: &mut Reader<'_>, pdf: &Entries) -> PdfCitations {
    let Some(s) = r.string(pdf, "citations") else {
        return PdfCitations::Text;
    };
    match s.value.as_str() {
        "typst" => PdfCitations::Typst,
        "text" => PdfCitations::Text,
        other => {
            let options = ["typst", "text"];
            r.sink.push(
                Diagnostic::error(
                    s.span.clone(),
                    format!("unknown way to make the PDF's citations `{other}`"),
                )
                .suggest(other, options)
                .hint("use \"text\" (the text of the site and the EPUB, the default) or \"typst\" (Typst's cite and bibliography)"),
            );
            PdfCitations::Text
        }
    }
}

/// `[metadata]`: the depositor, the editions' ISBNs (checked), subjects.
fn read_metadata(r: &mut Reader<'_>, top: &Entries) -> MetadataConfig {
    let table = section_table(r, top, "metadata", METADATA_KEYS);
    let isbn = |r: &mut Reader<'_>, key: &str| {
        let isbn = r.string(table, key)?;
        if !isbn_is_valid(&isbn.value) {
            r.sink.push(
                Diagnostic::error(
                    isbn.span.clone(),
                    format!(
                        "`{}` is not a valid ISBN: its check digit is wrong",
                        isbn.value
                    ),
                )
                .hint("copy the ISBN from the agency's record, or remove the key"),
            );
            return None;
        }
        Some(isbn.value)
    };
    let isbn_pdf = isbn(r, "isbn-pdf");
    let isbn_epub = isbn(r, "isbn-epub");
    MetadataConfig {
        depositor: r.string(table, "depositor").map(|s| s.value),
        depositor_email: r.string(table, "depositor-email").map(|s| s.value),
        isbn_pdf,
        isbn_epub,
        subjects: r
            .strings(table, "subjects")
            .unwrap_or_default()
            .into_iter()
            .map(|s| s.value)
            .collect(),
    }
}

/// `[html]`: search, the published site's address, the raw HTML policy.
fn read_html(r: &mut Reader<'_>, top: &Entries) -> HtmlConfig {
    let html = section_table(r, top, "html", HTML_KEYS);
    let raw_html = match r.string(html, "raw-html") {
        None => RawHtml::Escape,
        Some(s) => match s.value.as_str() {
            "escape" => RawHtml::Escape,
            "sanitize" => RawHtml::Sanitize,
            "allow" => RawHtml::Allow,
            other => {
                let options = ["escape", "sanitize", "allow"];
                r.sink.push(
                    Diagnostic::error(s.span.clone(), format!("unknown raw-html policy `{other}`"))
                        .suggest(other, options)
                        .hint("use \"escape\", \"sanitize\" or \"allow\""),
                );
                RawHtml::Escape
            }
        },
    };
    HtmlConfig {
        search: r.boolean(html, "search").unwrap_or(true),
        base_url: read_base_url(r, html),
        raw_html,
        page_markers: r.boolean(html, "page-markers").unwrap_or(false),
    }
}

/// `[html] base-url`: where the site is published, an absolute `http(s)`
/// address, kept with a final `/` so that page names append to it.
fn read_base_url(r: &mut Reader<'_>, html: &Entries) -> Option<String> {
    let url = r.string(html, "base-url").filter(|s| !s.value.is_empty())?;
    let lower = url.value.to_ascii_lowercase();
    let host = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or("");
    if host.is_empty()
        || host.starts_with('/')
        || url.value.contains(['"', '<', '>', ' ', '#', '?'])
    {
        r.sink.push(
            Diagnostic::error(
                url.span.clone(),
                format!("`{}` is not the address of a site", url.value),
            )
            .hint("write the published site's address, e.g. \"https://livre.example.org/\""),
        );
        return None;
    }
    let mut base = url.value;
    if !base.ends_with('/') {
        base.push('/');
    }
    Some(base)
}

/// `[review]`: how many approvals a chapter needs, 1 to 100.
fn read_review(r: &mut Reader<'_>, top: &Entries) -> ReviewConfig {
    let review = section_table(r, top, "review", REVIEW_KEYS);
    let required_approvals = match r.integer(review, "required-approvals") {
        Some(n) if n.value >= 1 && n.value <= 100 => n.value as u32,
        Some(n) => {
            r.sink.push(Diagnostic::error(
                n.span.clone(),
                "`required-approvals` must be between 1 and 100",
            ));
            1
        }
        None => 1,
    };
    ReviewConfig {
        required_approvals,
        signatures_required: one_of(r, review, "signatures", ["when-listed", "required"])
            .is_some_and(|v| v == "required"),
        blocking_change_requests: one_of(r, review, "change-requests", ["blocking", "advisory"])
            .is_none_or(|v| v == "blocking"),
        open_comments_block: one_of(r, review, "open-comments", ["block", "allow"])
            .is_none_or(|v| v == "block"),
    }
}

/// A string key that must be one of `options`; `None` when absent or wrong
/// (the fault is reported with the closest option).
fn one_of<const N: usize>(
    r: &mut Reader<'_>,
    table: &Entries,
    key: &str,
    options: [&'static str; N],
) -> Option<&'static str> {
    let value = r.string(table, key)?;
    if let Some(found) = options.iter().find(|o| **o == value.value) {
        return Some(found);
    }
    let quoted: Vec<String> = options.iter().map(|o| format!("\"{o}\"")).collect();
    r.sink.push(
        Diagnostic::error(
            value.span.clone(),
            format!("unknown value `{}` for `{key}`", value.value),
        )
        .suggest(&value.value, options)
        .hint(format!("`{key}` is {}", quoted.join(" or "))),
    );
    None
}

/// `[markdown]`: `math = "dollars"` (the default) or `"none"`.
fn read_markdown(r: &mut Reader<'_>, top: &Entries) -> MarkdownConfig {
    let markdown = section_table(r, top, "markdown", MARKDOWN_KEYS);
    let math = match r.string(markdown, "math") {
        None => MathSyntax::Dollars,
        Some(s) => match s.value.as_str() {
            "dollars" => MathSyntax::Dollars,
            "none" => MathSyntax::None,
            other => {
                r.sink.push(
                    Diagnostic::error(s.span.clone(), format!("unknown math syntax `{other}`"))
                        .suggest(other, ["dollars", "none"])
                        .hint("use \"dollars\" ($…$ and $$…$$ are LaTeX math) or \"none\" ($ is printed as written)"),
                );
                MathSyntax::Dollars
            }
        },
    };
    MarkdownConfig { math }
}

fn section_table<'n>(
    r: &mut Reader<'_>,
    top: &'n Entries,
    name: &str,
    known: &[&str],
) -> &'n Entries {
    let Some(node) = Reader::get(top, name) else {
        return &[];
    };
    match r.table(name, node) {
        Some(entries) => {
            r.check_keys(entries, known, &format!("[{name}]"));
            entries
        }
        None => &[],
    }
}

/// Validates an ISBN-10 or ISBN-13 check digit; hyphens and spaces are ignored.
pub fn isbn_is_valid(isbn: &str) -> bool {
    let chars: Vec<char> = isbn.chars().filter(|c| *c != '-' && *c != ' ').collect();
    match chars.len() {
        13 => {
            let Some(digits) = chars
                .iter()
                .map(|c| c.to_digit(10))
                .collect::<Option<Vec<_>>>()
            else {
                return false;
            };
            let sum: u32 = digits
                .iter()
                .enumerate()
                .map(|(i, d)| if i % 2 == 0 { *d } else { d * 3 })
                .sum();
            sum.is_multiple_of(10)
        }
        10 => {
            let mut sum = 0;
            for (i, c) in chars.iter().enumerate() {
                let value = match (i, c) {
                    (9, 'X' | 'x') => 10,
                    _ => match c.to_digit(10) {
                        Some(d) => d,
                        None => return false,
                    },
                };
                sum += value * (10 - i as u32);
            }
            sum.is_multiple_of(11)
        }
        _ => false,
    }
}

/// The 13 digits of a valid ISBN, the form feeds and barcodes take: an
/// ISBN-13 without its hyphens, an ISBN-10 as its `978` EAN with the check
/// digit computed again. `None` unless [`isbn_is_valid`].
pub fn isbn13(isbn: &str) -> Option<String> {
    if !isbn_is_valid(isbn) {
        return None;
    }
    let digits: String = isbn.chars().filter(|c| *c != '-' && *c != ' ').collect();
    if digits.len() == 13 {
        return Some(digits);
    }
    let twelve = format!("978{}", &digits[..9]);
    let sum: u32 = twelve
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    Some(format!("{twelve}{}", (10 - sum % 10) % 10))
}

impl Default for BookConfig {
    /// The settings of a book.toml that gives a title and nothing else.
    fn default() -> Self {
        BookConfig {
            book: BookSection {
                title: String::new(),
                subtitle: None,
                language: "en".into(),
                languages: Vec::new(),
                editors: Vec::new(),
                publisher: None,
                year: None,
                isbn: None,
                doi: None,
                lists: Vec::new(),
                license: None,
                chapters: None,
            },
            parts: Vec::new(),
            bibliography: BibliographyConfig {
                per_chapter: true,
                ..Default::default()
            },
            pdf: PdfConfig {
                paper: None,
                width: None,
                height: None,
                font: Vec::new(),
                font_size: None,
                recto_chapters: true,
                standard: None,
                raw_typst: false,
                system_fonts: false,
                citations: PdfCitations::Text,
                fallback_fonts: Vec::new(),
                code_overflow: CodeOverflow::Wrap,
                colour: PdfColour::Colour,
                print: Default::default(),
            },
            html: HtmlConfig {
                search: true,
                base_url: None,
                raw_html: RawHtml::Escape,
                page_markers: false,
            },
            review: ReviewConfig::default(),
            markdown: MarkdownConfig::default(),
            cover: Default::default(),
            index: IndexConfig::default(),
            metadata: MetadataConfig::default(),
            epub: EpubConfig::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::value::parse_toml;
    use crate::source::Sources;

    fn read(text: &str) -> (Option<BookConfig>, Vec<Diagnostic>, Sources) {
        let mut sources = Sources::default();
        let file = sources.add("book.toml", text.into());
        let (root, _) = parse_toml(text, 0);
        let mut sink = Sink::default();
        let config = read_book_config(file, &root, &mut sink);
        (config, sink.into_sorted(), sources)
    }

    #[test]
    fn a_full_book_toml_reads() {
        let (config, diags, _) = read(
            "[book]\ntitle = \"T\"\nlanguage = \"fr\"\nisbn = \"978-2-07-036822-8\"\n\
             [[part]]\ntitle = \"P\"\nchapters = [\"a\"]\n[pdf]\npaper = \"a5\"\n\
             [html]\nraw-html = \"sanitize\"\n[review]\nrequired-approvals = 2\n",
        );
        assert!(diags.is_empty(), "{diags:?}");
        let config = config.unwrap();
        assert_eq!(config.book.title, "T");
        assert_eq!(config.parts[0].chapters[0].value, "a");
        assert_eq!(config.html.raw_html, RawHtml::Sanitize);
        assert_eq!(config.review.required_approvals, 2);
        assert!(!config.review.signatures_required);
        assert!(config.review.blocking_change_requests);
        assert!(config.pdf.recto_chapters);
        assert_eq!(config.markdown.math, MathSyntax::Dollars);
    }

    #[test]
    fn markdown_math_is_dollars_or_none() {
        let (config, diags, _) = read("[book]\ntitle = \"T\"\n[markdown]\nmath = \"none\"\n");
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(config.unwrap().markdown.math, MathSyntax::None);
        let (_, diags, sources) = read("[book]\ntitle = \"T\"\n[markdown]\nmath = \"dolars\"\n");
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(
            diags[0].location(&sources).unwrap().to_string(),
            "book.toml:4:8"
        );
        assert!(
            diags[0].hints.iter().any(|h| h.contains("`dollars`")),
            "{diags:?}"
        );
    }

    #[test]
    fn review_policies_read_and_misspellings_are_refused() {
        let (config, diags, _) = read(
            "[book]\ntitle = \"T\"\n[review]\nsignatures = \"required\"\nchange-requests = \"advisory\"\n",
        );
        assert!(diags.is_empty(), "{diags:?}");
        let review = config.unwrap().review;
        assert!(review.signatures_required && !review.blocking_change_requests);
        assert!(review.open_comments_block);
        let (allowed, _, _) = read("[book]\ntitle = \"T\"\n[review]\nopen-comments = \"allow\"\n");
        assert!(!allowed.unwrap().review.open_comments_block);
        let (_, diags, sources) =
            read("[book]\ntitle = \"T\"\n[review]\nopen-comments = \"alow\"\n");
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(
            diags[0].location(&sources).unwrap().to_string(),
            "book.toml:4:17"
        );
        let (_, diags, sources) =
            read("[book]\ntitle = \"T\"\n[review]\nsignatures = \"requried\"\n");
        assert_eq!(diags.len(), 1);
        assert_eq!(
            diags[0].location(&sources).unwrap().to_string(),
            "book.toml:4:14"
        );
        assert!(
            diags[0].hints.iter().any(|h| h.contains("`required`")),
            "{diags:?}"
        );
    }

    #[test]
    fn faults_point_at_their_lines() {
        let (config, diags, sources) =
            read("[book]\ntitel = \"T\"\nyear = \"2024\"\n[htm]\nsearch = true\n");
        // The rest of the book is still checked, with no title.
        assert_eq!(config.expect("a config").book.title, "");
        let where_: Vec<String> = diags
            .iter()
            .map(|d| d.location(&sources).unwrap().to_string())
            .collect();
        assert_eq!(
            where_,
            [
                "book.toml:1:1",
                "book.toml:2:1",
                "book.toml:3:8",
                "book.toml:4:2"
            ]
        );
        assert!(diags[1].hints.iter().any(|h| h.contains("`title`")));
        assert!(diags[3].hints.iter().any(|h| h.contains("`html`")));
    }

    #[test]
    fn isbn_checksums() {
        assert!(isbn_is_valid("978-2-07-036822-8"));
        assert!(!isbn_is_valid("978-2-07-036822-9"));
        assert!(isbn_is_valid("0-306-40615-2"));
        assert!(!isbn_is_valid("0-306-40615-3"));
        assert_eq!(
            isbn13("978-0-306-40615-7").as_deref(),
            Some("9780306406157")
        );
        assert_eq!(isbn13("0-306-40615-2").as_deref(), Some("9780306406157"));
        // A lowercase check character and a non-ASCII value.
        assert_eq!(isbn13("0-8044-2957-x").as_deref(), Some("9780804429573"));
        assert_eq!(isbn13("12345678é"), None);
        assert_eq!(isbn13("0-306-40615-3"), None);
    }
}
