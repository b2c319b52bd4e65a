//! The DOCX: `_book/<book-id>.docx` for copy-editors and presses that work
//! in Word, and with `--offprints` one per chapter beside its PDF offprint.
//!
//! Input: the finished [`Book`] and its [`crate::view`]. Output: one
//! WordprocessingML package, a zip written in a fixed order with fixed
//! times (`epub::archive::zip_of`):
//!
//! ```text
//! [Content_Types].xml            the parts' types
//! _rels/.rels                    → word/document.xml, docProps/core.xml
//! docProps/core.xml              title, authors, language, the document date
//! docProps/app.xml               the application that wrote it
//! word/document.xml              title page, parts, chapters   (body.rs)
//! word/styles.xml                built-in (styles.rs), or templates/reference.docx's
//! word/numbering.xml             lists
//! word/footnotes.xml             the notes, as Word footnotes
//! word/settings.xml              footnote separators
//! word/_rels/*.rels              hyperlinks, images
//! word/media/imageN.ext          the images, once each
//! ```
//!
//! Each chapter opens with its title (style `Heading 1`, with its number),
//! its authors (`Author`) and its abstract; its runs carry its language
//! when it differs from the book's, so that Word checks the spelling in
//! the right one. Citations print as the site prints them (the model's
//! formatted text), linked to their entry in the chapter's reference list.
//! Style names are Pandoc's, so that a `reference.docx` made for Pandoc
//! dresses this file too. The same book gives the same bytes: no clock,
//! only the document date.

pub mod body;
pub mod styles;

use std::path::Path;

use self::body::{Collected, Relationship, Writer};
use self::styles::{DECLARATION, NAMESPACES};
use crate::diag::Diagnostic;
use crate::model::{Book, Chapter};
use crate::render::escape::push_xml_text;
use crate::render::{RenderResult, Renderer, io_error};
use crate::view::PersonView;

/// The reference document whose styles replace the built-in ones.
pub const REFERENCE_DOCX: &str = "templates/reference.docx";

/// The largest `styles.xml` read from a reference document.
const STYLES_LIMIT: u64 = 8 << 20;

/// Renders `_book/<book-id>.docx`.
pub struct DocxRenderer;

impl DocxRenderer {
    /// The file name of the book's DOCX.
    pub fn file_name(book: &Book) -> String {
        format!("{}.docx", book.id())
    }
}

impl Renderer for DocxRenderer {
    fn output_name(&self, book: &Book) -> String {
        Self::file_name(book)
    }

    fn render(&self, book: &Book, staging: &Path) -> RenderResult {
        let (bytes, warnings) = document(book, None, &styles_xml(book)?)?;
        let path = staging.join(Self::file_name(book));
        std::fs::write(&path, bytes).map_err(|e| io_error(&path, "write", e))?;
        Ok(warnings)
    }
}

/// The book's `word/styles.xml`: `templates/reference.docx`'s, else the
/// built-in one. Read once per build, shared by the book and its offprints.
pub fn styles_xml(book: &Book) -> Result<String, Vec<Diagnostic>> {
    match read_reference_styles(book) {
        Some(styles) => styles,
        None => Ok(styles::styles(book.lang.tag(), &body_font(book))),
    }
}

/// The DOCX of the whole book (`chapter: None`) or of one chapter (an
/// offprint, which names the book it comes from) dressed in `styles` (see
/// [`styles_xml`]), and its warnings.
pub fn document(
    book: &Book,
    chapter: Option<&Chapter>,
    styles: &str,
) -> Result<(Vec<u8>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut collected = Collected::default();
    let only = chapter.map(|c| c.id.clone());
    let present = move |id: &str| only.as_deref().is_none_or(|o| o == id);
    let mut body = String::new();
    match chapter {
        None => {
            body.push_str(&title_page(book, &present, &mut collected));
            for part in &book.parts {
                if let Some(title) = &part.title {
                    let mut w = Writer::new(book, None, &present, &mut collected);
                    w.styled_text("Part", title);
                    body.push_str(&w.out);
                }
                for &i in &part.chapters {
                    body.push_str(&chapter_xml(
                        book,
                        &book.chapters[i],
                        &present,
                        &mut collected,
                    ));
                }
            }
            if !book.config.bibliography.per_chapter && !book.references.is_empty() {
                let mut w = Writer::new(book, None, &present, &mut collected);
                let name = w.collected.bookmark("references", None);
                w.heading(
                    1,
                    &name,
                    None,
                    &[crate::model::Inline::Text(
                        book.lang.labels().references.to_string(),
                    )],
                );
                w.references(&book.references);
                body.push_str(&w.out);
            }
        }
        Some(ch) => body.push_str(&chapter_xml(book, ch, &present, &mut collected)),
    }
    // An offprint names its book in the page header, out of the text.
    let header = chapter.map(|_| {
        let mut w = Writer::new(book, None, &present, &mut collected);
        w.styled_text("Header", &crate::view::provenance(book));
        format!("{DECLARATION}<w:hdr {NAMESPACES}>{}</w:hdr>", w.out)
    });
    let header_reference = if header.is_some() {
        "<w:headerReference w:type=\"default\" r:id=\"rId5\"/>"
    } else {
        ""
    };
    let document = format!(
        "{DECLARATION}<w:document {NAMESPACES}><w:body>{body}<w:sectPr>{header_reference}<w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"1417\" w:right=\"1417\" w:bottom=\"1417\" w:left=\"1417\" w:header=\"708\" w:footer=\"708\" w:gutter=\"0\"/></w:sectPr></w:body></w:document>"
    );
    let mut files: Vec<(String, Vec<u8>)> = vec![
        (
            "[Content_Types].xml".into(),
            content_types(&collected.media, header.is_some()).into_bytes(),
        ),
        ("_rels/.rels".into(), package_rels().into_bytes()),
        ("docProps/core.xml".into(), core(book, chapter).into_bytes()),
        ("docProps/app.xml".into(), app().into_bytes()),
        ("word/document.xml".into(), document.into_bytes()),
        ("word/styles.xml".into(), styles.as_bytes().to_vec()),
        (
            "word/numbering.xml".into(),
            styles::numbering(&collected.lists).into_bytes(),
        ),
        (
            "word/footnotes.xml".into(),
            styles::footnotes(&collected.footnotes).into_bytes(),
        ),
        ("word/settings.xml".into(), styles::settings().into_bytes()),
        (
            "word/_rels/document.xml.rels".into(),
            document_rels(&collected.document_rels, header.is_some()).into_bytes(),
        ),
        (
            "word/_rels/footnotes.xml.rels".into(),
            rels(&collected.footnote_rels, "").into_bytes(),
        ),
    ];
    if let Some(header) = header {
        files.push(("word/header1.xml".into(), header.into_bytes()));
    }
    files.append(&mut collected.media);
    let bytes = crate::render::epub::archive::zip_of(None, &files, book.date).map_err(|e| {
        vec![Diagnostic::error_in(
            None,
            format!("cannot write the DOCX: {e}"),
        )]
    })?;
    Ok((bytes, collected.warnings))
}

/// The body font: the book's first PDF font, which Word may lack: it then
/// uses its own (the styles carry the name, as Pandoc does).
fn body_font(book: &Book) -> String {
    book.config
        .pdf
        .font
        .first()
        .cloned()
        .unwrap_or_else(|| "Times New Roman".to_string())
}

/// `templates/reference.docx`'s `word/styles.xml`, when the book has one.
fn read_reference_styles(book: &Book) -> Option<Result<String, Vec<Diagnostic>>> {
    let path = book.root.join(REFERENCE_DOCX);
    if !path.is_file() {
        return None;
    }
    let fail = |why: String| {
        vec![Diagnostic::error_in(
            Some(REFERENCE_DOCX.into()),
            format!("cannot read its styles: {why}"),
        )
        .hint("save it again from Word or LibreOffice as a .docx, or remove it to use the built-in styles")]
    };
    Some((|| {
        let file = std::fs::File::open(&path).map_err(|e| fail(e.to_string()))?;
        let mut zip = zip::ZipArchive::new(file).map_err(|e| fail(e.to_string()))?;
        let entry = zip
            .by_name("word/styles.xml")
            .map_err(|_| fail("it has no word/styles.xml".into()))?;
        let mut text = String::new();
        use std::io::Read;
        entry
            .take(STYLES_LIMIT)
            .read_to_string(&mut text)
            .map_err(|e| fail(e.to_string()))?;
        roxmltree::Document::parse(&text).map_err(|e| fail(e.to_string()))?;
        Ok(text)
    })())
}

fn title_page(book: &Book, present: &dyn Fn(&str) -> bool, collected: &mut Collected) -> String {
    let cfg = &book.config.book;
    let mut w = Writer::new(book, None, present, collected);
    w.styled_text("Title", &cfg.title);
    if let Some(subtitle) = &cfg.subtitle {
        w.styled_text("Subtitle", subtitle);
    }
    let editors = PersonView::all(book, &book.editors);
    if !editors.is_empty() {
        let names: Vec<&str> = editors.iter().map(|p| p.name.as_str()).collect();
        w.styled_text(
            "Author",
            &format!("{} {}", book.lang.labels().editors, names.join(", ")),
        );
    }
    if let Some(doi) = &cfg.doi {
        doi_paragraph(&mut w, doi);
    }
    w.out
}

/// "DOI: https://doi.org/…", the address a link, in the `Identifier`
/// style: on the title page (the book's) and under a chapter's authors.
fn doi_paragraph(w: &mut Writer<'_>, doi: &str) {
    let url = crate::view::doi_url(doi);
    let link = crate::model::Inline::Link {
        url: url.clone(),
        title: String::new(),
        target: crate::model::LinkTarget::External,
        content: vec![crate::model::Inline::Text(url)],
        span: crate::diag::Span::new(crate::source::FileId::default(), 0..0),
    };
    w.styled_inlines(
        "Identifier",
        None,
        &[crate::model::Inline::Text("DOI: ".to_string()), link],
    );
}

fn chapter_xml(
    book: &Book,
    ch: &Chapter,
    present: &dyn Fn(&str) -> bool,
    collected: &mut Collected,
) -> String {
    let labels = ch.lang.labels();
    let mut w = Writer::new(book, Some(ch), present, collected);
    let name = w.collected.bookmark(&ch.id, None);
    let number = crate::view::chapter_number(ch);
    w.heading(1, &name, number.as_deref(), ch.title_inlines());
    for version in crate::view::languages::other_titles(book, ch) {
        w.styled_inlines("Subtitle", None, version.inlines);
    }
    let authors = PersonView::all(book, &ch.authors);
    if !authors.is_empty() {
        let names: Vec<&str> = authors.iter().map(|p| p.name.as_str()).collect();
        w.styled_text("Author", &names.join(", "));
    }
    if let Some(doi) = &ch.config.doi {
        doi_paragraph(&mut w, &doi.value);
    }
    // Every abstract, in the book's order of languages, each headed in its
    // own language.
    for version in crate::view::languages::abstracts(book, ch) {
        w.styled_text("AbstractTitle", version.label);
        for block in version.blocks {
            if let crate::model::BlockKind::Paragraph(inlines) = &block.kind {
                w.styled_inlines("Abstract", None, inlines);
            }
        }
    }
    w.blocks(&ch.blocks);
    if book.config.bibliography.per_chapter && !ch.references.is_empty() {
        let name = w.collected.bookmark(&ch.id, Some("references"));
        w.heading(
            2,
            &name,
            None,
            &[crate::model::Inline::Text(labels.references.to_string())],
        );
        w.references(&ch.references);
    }
    w.out
}

fn content_types(media: &[(String, Vec<u8>)], header: bool) -> String {
    let mut defaults: Vec<(&str, &str)> = vec![
        (
            "rels",
            "application/vnd.openxmlformats-package.relationships+xml",
        ),
        ("xml", "application/xml"),
    ];
    for (name, _) in media {
        let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
        let mime = match ext {
            "png" => "image/png",
            "jpg" | "jpeg" => "image/jpeg",
            "gif" => "image/gif",
            "webp" => "image/webp",
            _ => continue,
        };
        if !defaults.iter().any(|(e, _)| *e == ext) {
            defaults.push((ext, mime));
        }
    }
    let mut out = String::from(DECLARATION);
    out.push_str("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">");
    for (ext, mime) in defaults {
        out.push_str(&format!(
            "<Default Extension=\"{ext}\" ContentType=\"{mime}\"/>"
        ));
    }
    let wml = "application/vnd.openxmlformats-officedocument.wordprocessingml";
    for (part, kind) in [
        ("/word/document.xml", format!("{wml}.document.main+xml")),
        ("/word/styles.xml", format!("{wml}.styles+xml")),
        ("/word/numbering.xml", format!("{wml}.numbering+xml")),
        ("/word/footnotes.xml", format!("{wml}.footnotes+xml")),
        ("/word/settings.xml", format!("{wml}.settings+xml")),
        (
            "/docProps/core.xml",
            "application/vnd.openxmlformats-package.core-properties+xml".to_string(),
        ),
        (
            "/docProps/app.xml",
            "application/vnd.openxmlformats-officedocument.extended-properties+xml".to_string(),
        ),
    ] {
        out.push_str(&format!(
            "<Override PartName=\"{part}\" ContentType=\"{kind}\"/>"
        ));
    }
    if header {
        out.push_str(&format!(
            "<Override PartName=\"/word/header1.xml\" ContentType=\"{wml}.header+xml\"/>"
        ));
    }
    out.push_str("</Types>");
    out
}

fn package_rels() -> String {
    format!(
        "{DECLARATION}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/><Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/><Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/></Relationships>"
    )
}

fn document_rels(own: &[Relationship], header: bool) -> String {
    let base = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let mut fixed = format!(
        "<Relationship Id=\"rId1\" Type=\"{base}/styles\" Target=\"styles.xml\"/><Relationship Id=\"rId2\" Type=\"{base}/numbering\" Target=\"numbering.xml\"/><Relationship Id=\"rId3\" Type=\"{base}/footnotes\" Target=\"footnotes.xml\"/><Relationship Id=\"rId4\" Type=\"{base}/settings\" Target=\"settings.xml\"/>"
    );
    if header {
        fixed.push_str(&format!(
            "<Relationship Id=\"rId5\" Type=\"{base}/header\" Target=\"header1.xml\"/>"
        ));
    }
    rels(own, &fixed)
}

fn rels(own: &[Relationship], fixed: &str) -> String {
    let mut out = String::from(DECLARATION);
    out.push_str(
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    );
    out.push_str(fixed);
    for r in own {
        out.push_str(&format!(
            "<Relationship Id=\"{}\" Type=\"{}\" Target=\"",
            r.id, r.kind
        ));
        crate::render::escape::push_xml_attr(&mut out, &r.target);
        out.push('"');
        if r.external {
            out.push_str(" TargetMode=\"External\"");
        }
        out.push_str("/>");
    }
    out.push_str("</Relationships>");
    out
}

fn core(book: &Book, chapter: Option<&Chapter>) -> String {
    let (title, people) = match chapter {
        Some(ch) => (ch.title.clone(), PersonView::all(book, &ch.authors)),
        None => (
            book.config.book.title.clone(),
            PersonView::all(book, &book.editors),
        ),
    };
    let mut out = String::from(DECLARATION);
    out.push_str("<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>");
    push_xml_text(&mut out, &title);
    out.push_str("</dc:title>");
    if !people.is_empty() {
        out.push_str("<dc:creator>");
        let names: Vec<&str> = people.iter().map(|p| p.name.as_str()).collect();
        push_xml_text(&mut out, &names.join("; "));
        out.push_str("</dc:creator>");
    }
    out.push_str("<dc:language>");
    push_xml_text(&mut out, chapter.map_or(book.lang.tag(), |c| c.lang.tag()));
    out.push_str("</dc:language>");
    if let Some(date) = book.date {
        let stamp = date.rfc3339();
        out.push_str(&format!(
            "<dcterms:created xsi:type=\"dcterms:W3CDTF\">{stamp}</dcterms:created><dcterms:modified xsi:type=\"dcterms:W3CDTF\">{stamp}</dcterms:modified>"
        ));
    }
    out.push_str("</cp:coreProperties>");
    out
}

fn app() -> String {
    format!(
        "{DECLARATION}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\"><Application>ouvrage {}</Application></Properties>",
        env!("CARGO_PKG_VERSION")
    )
}
