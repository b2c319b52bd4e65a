//! The typed contexts the site's templates receive (documented in the
//! README: a user's template may use every field here). The book, its
//! contents and its people come from [`crate::view`]; this module adds what
//! only the site has (links to the other outputs, the search box, "how to
//! cite") and makes one context per page kind.

use std::sync::Arc;

use serde::Serialize;

use super::HtmlOptions;
use super::body::{BodyContext, BodyWriter, Markup, references_html, render_chapter};
use crate::bibliography::cite_this;
use crate::config::Role;
use crate::lang::{Labels, Lang};
use crate::model::{Book, Chapter};
use crate::view::{self, BookView, PersonView};

/// The book, as every page sees it: the view, and the site's own links.
#[derive(Debug, Clone, Serialize)]
pub struct BookContext {
    /// Metadata, editors and the table of contents.
    #[serde(flatten)]
    pub view: BookView,
    /// Link to the PDF.
    pub pdf: Option<String>,
    /// Link to the EPUB.
    pub epub: Option<String>,
    /// Whether the search box is shown.
    pub search: bool,
    /// How to cite the book.
    pub cite: CiteContext,
    /// The page of the book's reference list (`per-chapter = false`).
    pub references_page: Option<String>,
    /// `[html] base-url`, ending in `/`: where the site is published (each
    /// page's canonical address is this and its `page.url`).
    pub base_url: Option<String>,
}

/// A reference to the book or a chapter, to copy or download.
#[derive(Debug, Clone, Serialize)]
pub struct CiteContext {
    /// As the book's citation style prints it.
    pub html: String,
    /// The BibTeX file's URL.
    pub bibtex_url: String,
    /// The BibTeX entry.
    pub bibtex: String,
}

/// The page being rendered.
#[derive(Debug, Clone, Serialize)]
pub struct PageContext {
    /// `lang` of the page.
    pub lang: Lang,
    /// `<title>`.
    pub title: String,
    /// This page's file name.
    pub url: String,
    /// index, chapter, references, contributors or status.
    pub kind: &'static str,
    /// `<meta name="description">`: the book's on the title page, a
    /// chapter's abstract or first paragraph on its page (see
    /// [`crate::view::description`]).
    pub description: String,
    /// `<meta name content>` pairs for indexers: Dublin Core on the title
    /// page, Google Scholar's `citation_*` on a chapter's
    /// ([`crate::view::index_meta`], [`crate::view::chapter_meta`]).
    pub meta: Vec<(&'static str, String)>,
}

/// A neighbour chapter.
#[derive(Debug, Clone, Serialize)]
pub struct NavLink {
    /// Page file name.
    pub url: String,
    /// Title.
    pub title: String,
}

/// One footnote.
#[derive(Debug, Clone, Serialize)]
pub struct FootnoteContext {
    /// Its number.
    pub number: u32,
    /// Its element id.
    pub id: String,
    /// The id of its first reference in the text.
    pub backref: String,
    /// Its content.
    pub html: String,
}

/// A chapter page's own data.
#[derive(Debug, Clone, Serialize)]
pub struct ChapterContext {
    /// Chapter id.
    pub id: String,
    /// Title, plain text.
    pub title: String,
    /// Title as markup (inline code, emphasis, math).
    pub title_html: String,
    /// Number.
    pub number: Option<String>,
    /// Language.
    pub lang: Lang,
    /// Authors with affiliations.
    pub authors: Vec<PersonView>,
    /// Abstract (in the chapter's language).
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
    /// The body.
    pub body_html: String,
    /// Notes.
    pub footnotes: Vec<FootnoteContext>,
    /// The chapter's reference list, when it has its own.
    pub references_html: Option<String>,
    /// How to cite the chapter (none on the book's reference list page).
    pub cite: Option<CiteContext>,
    /// Previous chapter.
    pub prev: Option<NavLink>,
    /// Next chapter.
    pub next: Option<NavLink>,
    /// Draft builds: the review state.
    pub state: Option<String>,
    /// Draft builds: the chapter file's short revision.
    pub revision: Option<String>,
    /// Draft builds: its open comments ([`view::comments::draft_comments`]).
    pub comments: Vec<view::comments::DraftComment>,
    /// Draft builds: what changed since the approval of whoever made the
    /// draft, when it went stale.
    pub since_approval: Option<crate::model::SinceApproval>,
}

/// A chapter link on the contributors page.
#[derive(Debug, Clone, Serialize)]
pub struct ChapterLink {
    /// Page file name.
    pub url: String,
    /// Title.
    pub title: String,
    /// Number.
    pub number: Option<String>,
}

/// A contributor on the contributors page.
#[derive(Debug, Clone, Serialize)]
pub struct ContributorContext {
    /// Id (the anchor).
    pub id: String,
    /// Name.
    pub name: String,
    /// Affiliation.
    pub affiliation: Option<String>,
    /// Roles.
    pub roles: Vec<Role>,
    /// ORCID iD.
    pub orcid: Option<String>,
    /// Biography, rendered.
    pub bio_html: Option<String>,
    /// Chapters they wrote.
    pub chapters: Vec<ChapterLink>,
}

/// Everything a page template receives.
#[derive(Debug, Clone, Serialize)]
pub struct PageData {
    /// The book, shared by every page.
    pub book: Arc<BookContext>,
    /// Words in the page's language.
    pub labels: &'static Labels,
    /// The page.
    pub page: PageContext,
    /// "ouvrage x.y.z".
    pub generator: &'static str,
    /// On chapter pages.
    pub chapter: Option<ChapterContext>,
    /// On the contributors page.
    pub contributors: Option<Vec<ContributorContext>>,
    /// On the review dashboard (draft builds).
    pub status: Option<Arc<crate::review::report::StatusReport>>,
}

/// One page to write.
pub struct Page {
    /// Template name.
    pub template: &'static str,
    /// Output file name.
    pub file: String,
    /// Its context.
    pub context: PageData,
}

const GENERATOR: &str = concat!("ouvrage ", env!("CARGO_PKG_VERSION"));

/// The page of the book's one reference list (`per-chapter = false`).
const REFERENCES_PAGE: &str = "references.html";

/// The page of the back-of-book index.
pub const BOOK_INDEX_PAGE: &str = "book-index.html";

/// The URL of a chapter page.
pub fn chapter_url(id: &str) -> String {
    format!("{id}.html")
}

/// Builds the context of every page of the site.
pub fn site_pages(book: &Book, options: &HtmlOptions) -> Vec<Page> {
    let site = Site::new(book, options);
    let mut pages = vec![site.index_page()];
    pages.extend(site.chapter_pages(None));
    pages.extend(site.references_page());
    pages.push(site.contributors_page());
    pages.extend(site.index_of_terms_page());
    pages.extend(site.status_page());
    pages
}

/// The pages of the chapters `ids` alone, exactly as [`site_pages`] makes
/// them (for `watch`, which shows the edited chapter before the rest).
pub fn chapter_pages(book: &Book, options: &HtmlOptions, ids: &[String]) -> Vec<Page> {
    Site::new(book, options).chapter_pages(Some(ids))
}

/// What every page of one site shares.
struct Site<'b> {
    book: &'b Book,
    /// The chapters' pages in the PDF typeset before the site, if any.
    pages: crate::render::ChapterPages,
    /// Where the PDF's pages begin, for the page markers.
    page_breaks: crate::render::PageBreaks,
    context: Arc<BookContext>,
    style: cite_this::CiteStyle,
    labels: &'static Labels,
}

impl<'b> Site<'b> {
    fn new(book: &'b Book, options: &'b HtmlOptions) -> Self {
        let style = cite_this::style(book);
        let labels = book.lang.labels();
        let references_page = (!book.references.is_empty()).then(|| REFERENCES_PAGE.to_string());
        let book_cite = cite_this::book(book, &style);
        let cite = cite_context(
            &book_cite,
            &format!("cite/{}.bib", book.id()),
            &body_context(book, "", labels, ""),
        );
        let context = BookContext {
            view: BookView::new(book, &chapter_url),
            pdf: options.pdf.clone(),
            epub: options.epub.clone(),
            search: book.config.html.search,
            cite,
            references_page,
            base_url: book.config.html.base_url.clone(),
        };
        Site {
            book,
            pages: options.pages.clone(),
            page_breaks: options.page_breaks.clone(),
            context: Arc::new(context),
            style,
            labels,
        }
    }

    /// A page of the book's language, titled `title · book`. Its
    /// description is the book's on the title page; `about` (what the page
    /// lists) and the title otherwise.
    fn page(
        &self,
        template: &'static str,
        file: &str,
        kind: &'static str,
        title: &str,
        about: &str,
    ) -> Page {
        let cfg = &self.book.config.book;
        let (title, description) = if kind == "index" {
            (cfg.title.clone(), self.context.view.description.clone())
        } else {
            let title = format!("{title} · {}", cfg.title);
            let description = if about.is_empty() {
                title.clone()
            } else {
                format!("{title}{}{about}", self.labels.colon)
            };
            (title, view::description_text(&description))
        };
        Page {
            template,
            file: file.to_string(),
            context: self.data(
                PageContext {
                    lang: self.book.lang.clone(),
                    title,
                    url: file.to_string(),
                    kind,
                    description,
                    meta: if kind == "index" {
                        view::index_meta(self.book)
                    } else {
                        Vec::new()
                    },
                },
                self.labels,
            ),
        }
    }

    fn data(&self, page: PageContext, labels: &'static Labels) -> PageData {
        PageData {
            book: self.context.clone(),
            labels,
            page,
            generator: GENERATOR,
            chapter: None,
            contributors: None,
            status: None,
        }
    }

    fn index_page(&self) -> Page {
        self.page("index.html", "index.html", "index", "", "")
    }

    /// Every chapter page, or those of `only`; on every core, since they
    /// are independent.
    fn chapter_pages(&self, only: Option<&[String]>) -> Vec<Page> {
        use rayon::prelude::*;
        self.book
            .chapters
            .par_iter()
            .enumerate()
            .filter(|(_, ch)| only.is_none_or(|ids| ids.contains(&ch.id)))
            .map(|(i, ch)| self.chapter_page(i, ch))
            .collect()
    }

    fn chapter_page(&self, i: usize, ch: &Chapter) -> Page {
        let book = self.book;
        let labels = ch.lang.labels();
        let references = self.context.references_page.as_deref().unwrap_or_default();
        let mut body = body_context(book, &ch.id, labels, references);
        body.page_breaks = self
            .page_breaks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&ch.id)
            .cloned()
            .unwrap_or_default();
        let html = render_chapter(ch, &body);
        let (abstracts, other_titles, _) =
            crate::render::html::body::language_versions(book, ch, &body);
        let pages = self
            .pages
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&ch.id)
            .copied();
        let cite = cite_this::chapter(book, ch, &self.style, pages);
        let nav = |j: usize| NavLink {
            url: chapter_url(&book.chapters[j].id),
            title: book.chapters[j].title.clone(),
        };
        let chapter = ChapterContext {
            id: ch.id.clone(),
            title: ch.title.clone(),
            title_html: html.title_html,
            number: view::chapter_number(ch),
            lang: ch.lang.clone(),
            authors: PersonView::all(book, &ch.authors),
            abstract_html: html.abstract_html,
            abstracts,
            other_titles,
            keywords: ch.config.keywords.clone(),
            doi: ch.config.doi.as_ref().map(|d| d.value.clone()),
            doi_url: ch.config.doi.as_ref().map(|d| view::doi_url(&d.value)),
            body_html: html.body_html,
            footnotes: view::notes(ch)
                .into_iter()
                .zip(html.footnotes)
                .map(|(note, (_, html))| FootnoteContext {
                    number: note.number,
                    id: note.id,
                    backref: note.backref,
                    html,
                })
                .collect(),
            references_html: html.references_html,
            cite: Some(cite_context(&cite, &format!("cite/{}.bib", ch.id), &body)),
            prev: i.checked_sub(1).map(nav),
            next: (i + 1 < book.chapters.len()).then(|| nav(i + 1)),
            state: ch.review.as_ref().map(|r| r.state.name().to_string()),
            revision: ch.review.as_ref().map(|r| r.short_revision().to_string()),
            comments: view::comments::draft_comments(book, ch),
            since_approval: ch.review.as_ref().and_then(|r| r.since_approval.clone()),
        };
        let mut data = self.data(
            PageContext {
                lang: ch.lang.clone(),
                title: format!("{} · {}", ch.title, book.config.book.title),
                url: chapter_url(&ch.id),
                kind: "chapter",
                description: view::description(ch),
                meta: view::chapter_meta(book, ch, pages),
            },
            labels,
        );
        data.chapter = Some(chapter);
        Page {
            template: "chapter.html",
            file: chapter_url(&ch.id),
            context: data,
        }
    }

    /// The book's one reference list, when it has one.
    fn references_page(&self) -> Option<Page> {
        let file = self.context.references_page.as_deref()?;
        let book = self.book;
        let labels = self.labels;
        let mut page = self.page("chapter.html", file, "references", labels.references, "");
        let body = body_context(book, "", labels, "");
        page.context.chapter = Some(ChapterContext {
            id: "references".into(),
            title: labels.references.into(),
            title_html: crate::render::escape::html_text(labels.references),
            number: None,
            lang: book.lang.clone(),
            authors: Vec::new(),
            abstract_html: None,
            abstracts: Vec::new(),
            other_titles: Vec::new(),
            keywords: Vec::new(),
            doi: None,
            doi_url: None,
            body_html: references_html(&book.references, &body, ""),
            footnotes: Vec::new(),
            references_html: None,
            cite: None,
            prev: None,
            next: None,
            state: None,
            revision: None,
            comments: Vec::new(),
            since_approval: None,
        });
        Some(page)
    }

    fn contributors_page(&self) -> Page {
        let book = self.book;
        let body = body_context(book, "", self.labels, "");
        let contributors = contributor_contexts(book, &body, &chapter_url);
        let names: Vec<&str> = book.people.iter().map(|p| p.name.as_str()).collect();
        let mut page = self.page(
            "contributors.html",
            "contributors.html",
            "contributors",
            self.labels.contributors,
            &names.join(", "),
        );
        page.context.contributors = Some(contributors);
        page
    }

    /// The back-of-book index, when terms are marked: `book-index.html`
    /// (`index.html` is the title page).
    fn index_of_terms_page(&self) -> Option<Page> {
        let first = self.context.view.indexes.first()?;
        Some(self.page(
            "book-index.html",
            BOOK_INDEX_PAGE,
            "book-index",
            &first.title,
            "",
        ))
    }

    /// The review dashboard of a draft build.
    fn status_page(&self) -> Option<Page> {
        let report = self.book.review.as_ref()?;
        let mut page = self.page(
            "status.html",
            "status.html",
            "status",
            self.labels.review_status,
            "",
        );
        page.context.status = Some(report.clone());
        Some(page)
    }
}

/// Every person of contributors.toml as the contributors' pages show them
/// (the site's and the EPUB's): bios written by the body writer of `body`,
/// chapters addressed by `url`.
pub fn contributor_contexts(
    book: &Book,
    body: &BodyContext<'_>,
    url: &dyn Fn(&str) -> String,
) -> Vec<ContributorContext> {
    view::contributors(book)
        .into_iter()
        .map(|c| {
            let p = c.person;
            ContributorContext {
                id: p.id.clone(),
                name: p.name.clone(),
                affiliation: p.affiliation.clone(),
                roles: p.roles.clone(),
                orcid: p.orcid.clone(),
                bio_html: (!p.bio.is_empty()).then(|| BodyWriter::new(body).blocks(&p.bio)),
                chapters: c
                    .chapters
                    .iter()
                    .map(|&j| {
                        let ch = &book.chapters[j];
                        ChapterLink {
                            url: url(&ch.id),
                            title: ch.title.clone(),
                            number: view::chapter_number(ch),
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The body writer's context for a page of the site.
fn body_context<'a>(
    book: &Book,
    chapter_id: &'a str,
    labels: &'a Labels,
    references: &'a str,
) -> BodyContext<'a> {
    BodyContext {
        chapter_id,
        raw_html: book.config.html.raw_html,
        labels,
        references,
        markup: Markup::Html,
        page_breaks: Vec::new(),
    }
}

fn cite_context(cite: &cite_this::CiteThis, url: &str, ctx: &BodyContext<'_>) -> CiteContext {
    CiteContext {
        html: BodyWriter::new(ctx).inline_html(&cite.formatted.content),
        bibtex_url: url.to_string(),
        bibtex: cite.bibtex.clone(),
    }
}
