//! The EPUB 3: `_book/<book-id>.epub`, from the same model as the site and
//! the PDF.
//!
//! Input: the [`Book`]. Output: one file, a zip written by [`archive`]:
//!
//! ```text
//! mimetype                   first, stored: application/epub+zip
//! META-INF/container.xml     → EPUB/package.opf
//! EPUB/package.opf           metadata, manifest, spine   (epub-package.opf)
//! EPUB/nav.xhtml             contents and landmarks      (epub-nav.xhtml)
//! EPUB/cover.xhtml           the cover page              (epub-cover.xhtml)
//! EPUB/cover.svg             the title page, typeset by Typst
//! EPUB/style.css             the stylesheet              (epub-style.css)
//! EPUB/text/<id>.xhtml       one per chapter             (epub-chapter.xhtml)
//! EPUB/<book path>           the images, under their path in the book
//! ```
//!
//! The book, its contents and its people come from [`crate::view`], as for
//! the site. The chapters' markup is written by the site's body writer in
//! its XHTML mode ([`crate::render::html::body::Markup::Xhtml`]): links
//! lead to the EPUB's documents and images are those it holds, checked on
//! the model's link targets and assets; only raw HTML written in a chapter
//! is parsed, by [`xhtml`], to be made XML. The pages come from MiniJinja
//! templates, built in and replaced by the book's `templates/` files of the
//! names in parentheses. The cover
//! is the template's `cover(meta)` typeset in the book's Typst session
//! ([`crate::render::typst::cover`]). Dates come from the document date
//! (`SOURCE_DATE_EPOCH`, the last commit, the files), never the clock, and
//! the zip's entries are in a fixed order with fixed times, so that the
//! same book gives the same bytes.

pub mod archive;
pub mod package;
pub mod xhtml;

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;

use self::package::{ManifestItem, Package};
use self::xhtml::{Found, XhtmlContext};
use crate::diag::{Diagnostic, Severity};
use crate::lang::Labels;
use crate::model::{Book, Chapter};
use crate::render::html::Templates;
use crate::render::html::body::{BodyContext, Markup, reference_list_html, render_chapter};
use crate::render::typst::SharedSession;
use crate::render::typst::world::FontOptions;
use crate::render::{RenderResult, Renderer, io_error};
use crate::view::{self, BookView, PersonView};

/// The folder of the publication's files inside the zip.
pub const CONTENT_DIR: &str = "EPUB";
/// The package document, in the content folder.
pub const PACKAGE_FILE: &str = "package.opf";
/// The navigation document, in the content folder.
pub const NAV_FILE: &str = "nav.xhtml";
/// The cover page, in the content folder.
pub const COVER_PAGE: &str = "cover.xhtml";
/// The contributors' page, in the content folder (beside the chapters'
/// folder, so that no chapter id can take its name).
pub const CONTRIBUTORS_PAGE: &str = "contributors.xhtml";
/// The index document, in the content folder, when terms are marked.
pub const INDEX_PAGE: &str = "book-index.xhtml";
/// The cover image, in the content folder.
pub const COVER_IMAGE: &str = "cover.svg";
/// The stylesheet, in the content folder.
pub const STYLESHEET: &str = "style.css";
/// The folder of the chapters, in the content folder.
pub const TEXT_DIR: &str = "text/";

const GENERATOR: &str = concat!("ouvrage ", env!("CARGO_PKG_VERSION"));

/// A chapter's document, in the content folder.
pub fn chapter_file(id: &str) -> String {
    format!("{TEXT_DIR}{id}.xhtml")
}

/// The media type of an image EPUB readers show, by its file name.
pub fn image_media_type(path: &str) -> Option<&'static str> {
    let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        _ => return None,
    })
}

/// Options of the EPUB renderer.
#[derive(Debug, Clone, Default)]
pub struct EpubOptions {
    /// Fonts for the cover, beyond Typst's embedded ones (as for the PDF).
    pub fonts: FontOptions,
    /// Where the PDF's pages begin, when the same build typeset it: the
    /// page list and the page-break marks (none otherwise).
    pub page_breaks: crate::render::PageBreaks,
}

/// Renders `_book/<book-id>.epub`.
pub struct EpubRenderer {
    /// Its options.
    pub options: EpubOptions,
    /// The Typst session that typesets the cover (shared with the PDF).
    pub session: SharedSession,
}

impl EpubRenderer {
    /// The file name of the book's EPUB.
    pub fn file_name(book: &Book) -> String {
        format!("{}.epub", book.id())
    }

    /// The EPUB's bytes and the warnings met on the way.
    pub fn epub(&self, book: &Book) -> Result<(Vec<u8>, Vec<Diagnostic>), Vec<Diagnostic>> {
        let files = self.files(book)?;
        let bytes = archive::write(&files.files, book.date).map_err(|e| {
            vec![Diagnostic::error_in(
                Some(book.root.join(Self::file_name(book))),
                format!("cannot write the EPUB: {e}"),
            )]
        })?;
        Ok((bytes, files.warnings))
    }

    /// Every file of the publication (paths in the zip, in their order), but
    /// the `mimetype` that [`archive::write`] puts first.
    pub fn files(&self, book: &Book) -> Result<Publication, Vec<Diagnostic>> {
        let templates = Templates::for_output(book, crate::templates::Output::Epub)?;
        let mut epub = Epub::new(book, &templates)?;
        epub.page_breaks = self
            .options
            .page_breaks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let mut chapters = epub.chapters();
        chapters.extend(epub.contributors());
        chapters.extend(epub.index_page());
        let images = epub.images();
        let nav = epub.nav();
        let cover = epub.cover();
        let cover_svg =
            crate::render::typst::cover::cover_svg(&self.session, book, &self.options.fonts);
        let package = epub.package();
        let (nav, cover, package, cover_svg) = match (nav, cover, package, cover_svg) {
            (Ok(n), Ok(c), Ok(p), Ok(s)) if epub.errors.is_empty() => (n, c, p, s),
            (n, c, p, s) => {
                let mut errors = epub.errors;
                errors.extend(n.err());
                errors.extend(c.err());
                errors.extend(p.err());
                errors.extend(s.err().into_iter().flatten());
                return Err(errors);
            }
        };
        check_xml(book, "cover.svg", COVER_IMAGE, &cover_svg).map_err(|e| vec![e])?;
        let stylesheet = templates.static_file(book, "epub-style.css");

        let content = |name: &str| format!("{CONTENT_DIR}/{name}");
        let mut files = vec![
            (
                "META-INF/container.xml".to_string(),
                container_xml().into_bytes(),
            ),
            (content(PACKAGE_FILE), package.into_bytes()),
            (content(NAV_FILE), nav.into_bytes()),
            (content(COVER_PAGE), cover.into_bytes()),
            (content(COVER_IMAGE), cover_svg.into_bytes()),
            (content(STYLESHEET), stylesheet.as_bytes().to_vec()),
        ];
        for (name, bytes) in chapters.into_iter().chain(images) {
            files.push((content(&name), bytes));
        }
        Ok(Publication {
            files,
            warnings: epub.warnings,
        })
    }
}

/// One EPUB being made: what its documents share and what they add to the
/// manifest and the spine.
struct Epub<'b> {
    book: &'b Book,
    templates: &'b Templates<'b>,
    view: BookView,
    /// Images the documents may embed, by their path in the book (which is
    /// their path in the content folder).
    images: BTreeSet<String>,
    /// The documents links may lead to.
    documents: BTreeSet<String>,
    /// The images the chapters use.
    used_images: BTreeSet<String>,
    /// Where the PDF's pages begin, by chapter id.
    page_breaks: std::collections::HashMap<String, Vec<(usize, String)>>,
    manifest: Vec<ManifestItem>,
    spine: Vec<String>,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

impl<'b> Epub<'b> {
    fn new(book: &'b Book, templates: &'b Templates<'b>) -> Result<Self, Vec<Diagnostic>> {
        let images: BTreeSet<String> = book
            .assets
            .iter()
            .map(|a| a.path.clone())
            .filter(|p| image_media_type(p).is_some())
            .collect();
        let reserved = [
            PACKAGE_FILE,
            NAV_FILE,
            COVER_PAGE,
            COVER_IMAGE,
            STYLESHEET,
            CONTRIBUTORS_PAGE,
            INDEX_PAGE,
        ];
        if let Some(clash) = images
            .iter()
            .find(|p| reserved.contains(&p.as_str()) || p.starts_with(TEXT_DIR))
        {
            return Err(vec![
                Diagnostic::error_in(
                    Some(book.root.join(clash)),
                    format!("this image's path is one the EPUB needs for its own `{clash}`"),
                )
                .hint("move or rename the image"),
            ]);
        }
        let mut documents: BTreeSet<String> =
            book.chapters.iter().map(|c| chapter_file(&c.id)).collect();
        documents.extend([NAV_FILE.to_string(), COVER_PAGE.to_string()]);
        if !book.people.is_empty() {
            documents.insert(CONTRIBUTORS_PAGE.to_string());
        }
        let view = BookView::new(book, &chapter_file);
        if !view.indexes.is_empty() {
            documents.insert(INDEX_PAGE.to_string());
        }
        Ok(Epub {
            book,
            templates,
            view,
            images,
            documents,
            used_images: BTreeSet::new(),
            page_breaks: Default::default(),
            manifest: vec![
                ManifestItem::new("nav", NAV_FILE, "application/xhtml+xml", &["nav"]),
                ManifestItem::new("cover", COVER_PAGE, "application/xhtml+xml", &[]),
                ManifestItem::new(
                    "cover-image",
                    COVER_IMAGE,
                    "image/svg+xml",
                    &["cover-image"],
                ),
                ManifestItem::new("style", STYLESHEET, "text/css", &[]),
            ],
            spine: vec!["cover".to_string(), "nav".to_string()],
            errors: Vec::new(),
            warnings: Vec::new(),
        })
    }

    /// The data of a document of the book's language.
    fn data(&self, title: &str, stylesheet: &str) -> EpubData<'_> {
        EpubData {
            book: &self.view,
            labels: self.book.lang.labels(),
            page: Page {
                lang: self.book.lang.tag().to_string(),
                title: title.to_string(),
                stylesheet: stylesheet.to_string(),
                description: self.view.description.clone(),
            },
            generator: GENERATOR,
            chapter: None,
            contributors: None,
            contributors_page: self
                .documents
                .contains(CONTRIBUTORS_PAGE)
                .then(|| CONTRIBUTORS_PAGE.to_string()),
            index_page: (!self.view.indexes.is_empty()).then(|| INDEX_PAGE.to_string()),
            landmarks: None,
            page_list: None,
            cover: None,
            package: None,
        }
    }

    /// The index document, after the contributors' page: the view's
    /// indexes, each mark linked. None when no term is marked.
    fn index_page(&mut self) -> Option<(String, Vec<u8>)> {
        let title = self.view.indexes.first()?.title.clone();
        let data = self.data(&title, STYLESHEET);
        match render(
            self.book,
            self.templates,
            "epub-index.xhtml",
            &data,
            INDEX_PAGE,
        ) {
            Ok(text) => {
                self.manifest.push(ManifestItem::new(
                    "book-index",
                    INDEX_PAGE,
                    "application/xhtml+xml",
                    &[],
                ));
                self.spine.push("book-index".to_string());
                Some((INDEX_PAGE.to_string(), text.into_bytes()))
            }
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }

    /// The contributors' page, after the chapters: everyone of
    /// contributors.toml with their bio and chapters, as in the site and
    /// the PDF. None for a book without contributors.
    fn contributors(&mut self) -> Option<(String, Vec<u8>)> {
        if !self.documents.contains(CONTRIBUTORS_PAGE) {
            return None;
        }
        let book = self.book;
        let labels = book.lang.labels();
        let links = XhtmlContext {
            base: "",
            images: &self.images,
            documents: &self.documents,
        };
        let body = BodyContext {
            chapter_id: "",
            raw_html: book.config.html.raw_html,
            labels,
            references: "",
            markup: Markup::Xhtml(&links),
            page_breaks: Vec::new(),
        };
        let people = crate::render::html::context::contributor_contexts(book, &body, &chapter_file);
        let mut found = Found::default();
        for person in &book.people {
            let mut w = crate::render::html::body::BodyWriter::new(&body);
            w.blocks(&person.bio);
            found.merge(w.found());
        }
        let mut data = self.data(labels.contributors, STYLESHEET);
        data.contributors = Some(people);
        let file = CONTRIBUTORS_PAGE;
        match render(book, self.templates, "epub-contributors.xhtml", &data, file) {
            Ok(text) => {
                self.used_images.extend(found.images.iter().cloned());
                self.manifest.push(ManifestItem::new(
                    "contributors",
                    file,
                    "application/xhtml+xml",
                    &found.properties(),
                ));
                self.spine.push("contributors".to_string());
                Some((file.to_string(), text.into_bytes()))
            }
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }

    /// Every chapter's document, in reading order.
    fn chapters(&mut self) -> Vec<(String, Vec<u8>)> {
        let mut files = Vec::new();
        for ch in &self.book.chapters {
            if let Some(file) = self.chapter(ch) {
                files.push(file);
            }
        }
        files
    }

    fn chapter(&mut self, ch: &Chapter) -> Option<(String, Vec<u8>)> {
        let book = self.book;
        let file = chapter_file(&ch.id);
        let labels = ch.lang.labels();
        // With one reference list for the book, it closes the last chapter.
        let last = book.chapters.last().map(|c| c.id.as_str()).unwrap_or("");
        let list_page = if book.references.is_empty() || ch.id == last {
            String::new()
        } else {
            format!("{last}.xhtml")
        };
        let links = XhtmlContext {
            base: TEXT_DIR,
            images: &self.images,
            documents: &self.documents,
        };
        let body = BodyContext {
            chapter_id: &ch.id,
            raw_html: book.config.html.raw_html,
            labels,
            references: &list_page,
            markup: Markup::Xhtml(&links),
            page_breaks: self.page_breaks.get(&ch.id).cloned().unwrap_or_default(),
        };
        let html = render_chapter(ch, &body);
        let (abstracts, other_titles, translated) =
            crate::render::html::body::language_versions(book, ch, &body);
        let mut chapter = ChapterData {
            id: ch.id.clone(),
            file: file.clone(),
            title: ch.title.clone(),
            title_html: html.title_html,
            number: view::chapter_number(ch),
            lang: ch.lang.tag().to_string(),
            authors: PersonView::all(book, &ch.authors),
            abstract_html: html.abstract_html,
            abstracts,
            other_titles,
            keywords: ch.config.keywords.clone(),
            doi: ch.config.doi.as_ref().map(|d| d.value.clone()),
            doi_url: ch.config.doi.as_ref().map(|d| view::doi_url(&d.value)),
            body_html: html.body_html,
            footnotes: html
                .footnotes
                .iter()
                .map(|(n, xhtml)| Footnote::new(*n, xhtml, labels))
                .collect(),
            back: Vec::new(),
        };
        let list = if !ch.references.is_empty() {
            Some((&ch.references, labels.references))
        } else if ch.id == last && !book.references.is_empty() {
            Some((&book.references, book.lang.labels().references))
        } else {
            None
        };
        if let Some((references, title)) = list {
            let xhtml = reference_list_html(references, &body);
            chapter.back.push(BackSection::bibliography(title, xhtml));
        }
        let mut found = html.found;
        found.merge(&translated);
        warn_about(&found, ch, &mut self.warnings);
        self.used_images.extend(found.images.iter().cloned());
        let mut data = self.data(&ch.title, &xhtml::relative(TEXT_DIR, STYLESHEET));
        data.labels = labels;
        data.page.lang = ch.lang.tag().to_string();
        data.page.description = view::description(ch);
        data.chapter = Some(chapter);
        match render(book, self.templates, "epub-chapter.xhtml", &data, &file) {
            Ok(text) => {
                let id = format!("ch-{}", ch.id);
                self.manifest.push(ManifestItem::new(
                    &id,
                    &file,
                    "application/xhtml+xml",
                    &found.properties(),
                ));
                self.spine.push(id);
                Some((file, text.into_bytes()))
            }
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }

    /// The images the chapters use, under their path in the book.
    fn images(&mut self) -> Vec<(String, Vec<u8>)> {
        let mut files = Vec::new();
        for (i, path) in self.used_images.iter().enumerate() {
            match std::fs::read(self.book.root.join(path)) {
                Ok(bytes) => {
                    let media_type = image_media_type(path).unwrap_or("application/octet-stream");
                    self.manifest.push(ManifestItem::new(
                        &format!("img-{}", i + 1),
                        path,
                        media_type,
                        &[],
                    ));
                    files.push((path.clone(), bytes));
                }
                Err(e) => {
                    self.errors
                        .extend(io_error(&self.book.root.join(path), "read the image", e))
                }
            }
        }
        files
    }

    /// The navigation document: the contents and the landmarks.
    fn nav(&self) -> Result<String, Diagnostic> {
        let labels = self.book.lang.labels();
        let mut landmarks = vec![
            Landmark {
                epub_type: "cover",
                href: COVER_PAGE.to_string(),
                title: labels.cover.to_string(),
            },
            Landmark {
                epub_type: "toc",
                href: format!("{NAV_FILE}#toc"),
                title: labels.contents.to_string(),
            },
        ];
        if let Some(first) = self.book.chapters.first() {
            landmarks.push(Landmark {
                epub_type: "bodymatter",
                href: chapter_file(&first.id),
                title: labels.start.to_string(),
            });
        }
        let mut data = self.data(labels.contents, STYLESHEET);
        data.landmarks = Some(landmarks);
        // The page list: each printed page, in page order, at the mark
        // before the block it begins in.
        let pages: Vec<Landmark> = self
            .book
            .chapters
            .iter()
            .flat_map(|ch| {
                self.page_breaks
                    .get(&ch.id)
                    .into_iter()
                    .flatten()
                    .map(move |(_, page)| Landmark {
                        epub_type: "pagebreak",
                        href: format!("{}#page-{page}", chapter_file(&ch.id)),
                        title: page.clone(),
                    })
            })
            .collect();
        data.page_list = (!pages.is_empty()).then_some(pages);
        render(self.book, self.templates, "epub-nav.xhtml", &data, NAV_FILE)
    }

    /// The cover page, showing the cover image.
    fn cover(&self) -> Result<String, Diagnostic> {
        let cfg = &self.book.config.book;
        let mut data = self.data(&cfg.title, STYLESHEET);
        data.cover = Some(CoverData {
            src: COVER_IMAGE.to_string(),
            alt: match &cfg.subtitle {
                Some(s) => format!("{}. {s}", cfg.title),
                None => cfg.title.clone(),
            },
        });
        render(
            self.book,
            self.templates,
            "epub-cover.xhtml",
            &data,
            COVER_PAGE,
        )
    }

    /// The package document: metadata, manifest and spine.
    fn package(&self) -> Result<String, Diagnostic> {
        let mut data = self.data(&self.book.config.book.title, STYLESHEET);
        let mut package = Package::new(self.book, self.manifest.clone(), self.spine.clone());
        if self.page_breaks.values().any(|pages| !pages.is_empty()) {
            package.accessibility.features.push("pageNavigation");
            package.accessibility.features.push("pageBreakMarkers");
            // The page numbers are the PDF's: its edition is their source.
            package.page_source = Some(if package.isbn {
                package.identifier.clone()
            } else {
                format!("{} (PDF)", self.book.config.book.title)
            });
        }
        data.package = Some(package);
        render(
            self.book,
            self.templates,
            "epub-package.opf",
            &data,
            PACKAGE_FILE,
        )
    }
}

/// The files of a publication and the warnings met while making them.
#[derive(Debug, Default)]
pub struct Publication {
    /// Paths in the zip and contents, in the zip's order.
    pub files: Vec<(String, Vec<u8>)>,
    /// Warnings (images left out, links dropped).
    pub warnings: Vec<Diagnostic>,
}

impl Renderer for EpubRenderer {
    fn output_name(&self, book: &Book) -> String {
        Self::file_name(book)
    }

    fn render(&self, book: &Book, staging: &Path) -> RenderResult {
        let alt = missing_alt(book);
        if alt.iter().any(|d| d.severity == Severity::Error) {
            return Err(alt);
        }
        let (bytes, mut warnings) = self.epub(book)?;
        warnings.extend(alt);
        let path = staging.join(Self::file_name(book));
        std::fs::write(&path, bytes).map_err(|e| io_error(&path, "write", e))?;
        Ok(warnings)
    }
}

/// One diagnostic per image without a text alternative: an error when
/// book.toml declares the EPUB's accessibility conformance (`[epub]
/// conformance = true`), a warning otherwise (the package then claims
/// conformance only when every image has one).
fn missing_alt(book: &Book) -> Vec<Diagnostic> {
    let required = book.config.epub.conformance.then_some(
        "`[epub] conformance = true` promises every image a text alternative: write what it shows, `![a map of the sites](…)`, or `{alt=\"…\"}` after a figure",
    );
    crate::view::missing_alt(book, required)
}

/// `META-INF/container.xml`: where the package document is.
fn container_xml() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">\n\
         \x20 <rootfiles>\n\
         \x20   <rootfile full-path=\"{CONTENT_DIR}/{PACKAGE_FILE}\" media-type=\"application/oebps-package+xml\"/>\n\
         \x20 </rootfiles>\n\
         </container>\n"
    )
}

/// Renders a template and checks that the result is well-formed XML.
fn render(
    book: &Book,
    templates: &Templates<'_>,
    name: &str,
    data: &EpubData<'_>,
    file: &str,
) -> Result<String, Diagnostic> {
    let text = templates.render(book, name, data)?;
    check_xml(book, name, file, &text)?;
    Ok(text)
}

/// An error unless `text` is well-formed XML: a book's template that writes
/// broken markup is told so; for the built-in ones it is our bug.
fn check_xml(book: &Book, template: &str, file: &str, text: &str) -> Result<(), Diagnostic> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let Err(e) = roxmltree::Document::parse_with_options(text, options) else {
        return Ok(());
    };
    let message = format!("the EPUB's {file} is not well-formed XML: {e}");
    Err(match book.templates.get(template) {
        Some(&id) => Diagnostic::error_in(Some(book.sources.get(id).path.clone()), message)
            .hint("EPUB documents are XML: close every element (`<br />`) and escape `&` and `<`"),
        None => {
            Diagnostic::error_in(None, message).hint("this is a bug in ouvrage: please report it")
        }
    })
}

/// Warnings about what a chapter's documents refer to and the EPUB leaves out.
fn warn_about(found: &Found, ch: &Chapter, out: &mut Vec<Diagnostic>) {
    let warn = |message: String| Diagnostic {
        severity: Severity::Warning,
        ..Diagnostic::error_in(Some(ch.path.clone()), message)
    };
    for image in &found.missing_images {
        out.push(
            warn(format!(
                "the image `{image}` is left out of the EPUB, its alt text shown instead"
            ))
            .hint("EPUB readers show PNG, JPEG, GIF, SVG and WebP images from the book"),
        );
    }
    for link in &found.dropped_links {
        out.push(
            warn(format!(
                "the link to `{link}` keeps only its text in the EPUB"
            ))
            .hint("an EPUB links to its chapters and to the web, not to other files"),
        );
    }
    for image in found
        .images
        .iter()
        .filter(|p| p.to_ascii_lowercase().ends_with(".webp"))
    {
        out.push(warn(format!(
            "`{image}` is a WebP image: a core type of EPUB 3.3, but reading systems made for EPUB 3.2 (and epubcheck 4) may not show it"
        )).hint("convert it to PNG or JPEG for older readers"));
    }
}

/// The document being rendered.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    /// Its language (`lang` and `xml:lang`).
    pub lang: String,
    /// `<title>`.
    pub title: String,
    /// The stylesheet's URL from the document.
    pub stylesheet: String,
    /// `<meta name="description">`: the chapter's abstract or first
    /// paragraph in a chapter's document, the book's elsewhere (see
    /// [`crate::view::description`]).
    pub description: String,
}

/// A landmark of the navigation document.
#[derive(Debug, Clone, Serialize)]
pub struct Landmark {
    /// `cover`, `toc`, `bodymatter`.
    pub epub_type: &'static str,
    /// Its target, from the content folder.
    pub href: String,
    /// Its title.
    pub title: String,
}

/// The cover page's image.
#[derive(Debug, Clone, Serialize)]
pub struct CoverData {
    /// Its URL.
    pub src: String,
    /// Its alternative text: the title.
    pub alt: String,
}

/// One footnote of a chapter.
#[derive(Debug, Clone, Serialize)]
pub struct Footnote {
    /// Its number.
    pub number: u32,
    /// Its element id (`fn-N`, where the text's references point).
    pub id: String,
    /// Its content, the number (a link back to the text) first.
    pub html: String,
}

impl Footnote {
    fn new(number: u32, xhtml: &str, labels: &Labels) -> Self {
        let back = format!(
            "<a class=\"footnote-back\" href=\"#fnref-{number}\" role=\"doc-backlink\" title=\"{}\">{number}.</a> ",
            crate::render::escape::html_attr(labels.back_to_text)
        );
        // The number opens the note's first paragraph.
        let html = match xhtml.strip_prefix("<p>") {
            Some(rest) => format!("<p>{back}{rest}"),
            None => format!("<p>{back}</p>{xhtml}"),
        };
        Footnote {
            number,
            id: format!("fn-{number}"),
            html,
        }
    }
}

/// A section after a chapter's notes (its reference list, later).
#[derive(Debug, Clone, Serialize)]
pub struct BackSection {
    /// Element id.
    pub id: String,
    /// Class.
    pub class: String,
    /// `epub:type` (e.g. `bibliography`).
    pub epub_type: String,
    /// ARIA role (e.g. `doc-bibliography`).
    pub role: String,
    /// Its heading.
    pub title: String,
    /// Its content, XHTML.
    pub html: String,
}

impl BackSection {
    /// A chapter's reference list.
    pub fn bibliography(title: &str, xhtml: String) -> Self {
        BackSection {
            id: "references".into(),
            class: "references".into(),
            epub_type: "bibliography".into(),
            role: "doc-bibliography".into(),
            title: title.into(),
            html: xhtml,
        }
    }
}

/// A chapter document's own data.
#[derive(Debug, Clone, Serialize)]
pub struct ChapterData {
    /// Chapter id.
    pub id: String,
    /// Its document, from the content folder.
    pub file: String,
    /// Title, plain text.
    pub title: String,
    /// Title as XHTML (inline code, emphasis, math).
    pub title_html: String,
    /// Number.
    pub number: Option<String>,
    /// Language.
    pub lang: String,
    /// Authors with affiliations.
    pub authors: Vec<PersonView>,
    /// Abstract, XHTML (in the chapter's language).
    pub abstract_html: Option<String>,
    /// Every abstract, the chapter's and its translations', in the book's
    /// order of languages (what the built-in template prints).
    pub abstracts: Vec<crate::render::html::body::AbstractHtml>,
    /// The title in other languages, in the book's order of languages.
    pub other_titles: Vec<crate::render::html::body::TitleHtml>,
    /// Keywords.
    pub keywords: Vec<String>,
    /// The chapter's DOI.
    pub doi: Option<String>,
    /// The DOI's address.
    pub doi_url: Option<String>,
    /// The body, XHTML.
    pub body_html: String,
    /// Footnotes.
    pub footnotes: Vec<Footnote>,
    /// Sections after the notes.
    pub back: Vec<BackSection>,
}

/// Everything an EPUB template receives.
#[derive(Debug, Clone, Serialize)]
pub struct EpubData<'a> {
    /// The book: metadata, editors and the table of contents, each chapter
    /// addressed by its document from the content folder (`text/<id>.xhtml`).
    pub book: &'a BookView,
    /// Words in the document's language.
    pub labels: &'static Labels,
    /// The document.
    pub page: Page,
    /// "ouvrage x.y.z".
    pub generator: &'static str,
    /// In chapter documents.
    pub chapter: Option<ChapterData>,
    /// In the contributors' page: every person, as the site shows them
    /// (chapters addressed from the content folder).
    pub contributors: Option<Vec<crate::render::html::context::ContributorContext>>,
    /// The contributors' page, from the content folder, when the book has
    /// one (the navigation links to it after the chapters).
    pub contributors_page: Option<String>,
    /// The index document, from the content folder, when terms are marked.
    pub index_page: Option<String>,
    /// In the navigation document.
    pub landmarks: Option<Vec<Landmark>>,
    /// In the navigation document: the printed pages (`title`: the page
    /// number), when the PDF was typeset in the same build.
    pub page_list: Option<Vec<Landmark>>,
    /// In the cover page.
    pub cover: Option<CoverData>,
    /// In the package document.
    pub package: Option<Package>,
}
