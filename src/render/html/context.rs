//! The typed contexts the site's templates receive (documented in the
//! README: a user's template may use every field here).

use serde::Serialize;

use super::HtmlOptions;
use super::body::{BodyContext, render_chapter};
use crate::bibliography::cite_this;
use crate::config::Role;
use crate::model::Book;
use crate::parse::parse_snippet;
use crate::render::labels::Labels;

/// A person, as templates show them.
#[derive(Debug, Clone, Serialize)]
pub struct PersonRef {
    /// Contributor id (anchor on the contributors page).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Affiliation.
    pub affiliation: Option<String>,
}

/// A chapter in the table of contents.
#[derive(Debug, Clone, Serialize)]
pub struct TocChapter {
    /// Chapter id.
    pub id: String,
    /// Page file name.
    pub url: String,
    /// Title.
    pub title: String,
    /// Number, for numbered chapters.
    pub number: Option<String>,
    /// Authors.
    pub authors: Vec<PersonRef>,
}

/// A group of the table of contents.
#[derive(Debug, Clone, Serialize)]
pub struct TocGroup {
    /// Part title, or none for chapters outside parts.
    pub part: Option<String>,
    /// Its chapters.
    pub chapters: Vec<TocChapter>,
}

/// The book, as every page sees it.
#[derive(Debug, Clone, Serialize)]
pub struct BookContext {
    /// Title.
    pub title: String,
    /// Subtitle.
    pub subtitle: Option<String>,
    /// Language.
    pub language: String,
    /// Publisher.
    pub publisher: Option<String>,
    /// Year.
    pub year: Option<i64>,
    /// ISBN.
    pub isbn: Option<String>,
    /// Licence.
    pub license: Option<String>,
    /// Editors.
    pub editors: Vec<PersonRef>,
    /// Link to the PDF.
    pub pdf: Option<String>,
    /// Link to the EPUB.
    pub epub: Option<String>,
    /// Whether the search box is shown.
    pub search: bool,
    /// Table of contents.
    pub toc: Vec<TocGroup>,
    /// How to cite the book.
    pub cite: CiteContext,
    /// The page of the book's reference list (`per-chapter = false`).
    pub references_page: Option<String>,
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
    pub lang: String,
    /// `<title>`.
    pub title: String,
    /// This page's file name.
    pub url: String,
    /// index, chapter or contributors.
    pub kind: &'static str,
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
    /// Title.
    pub title: String,
    /// Number.
    pub number: Option<String>,
    /// Language.
    pub lang: String,
    /// Authors with affiliations.
    pub authors: Vec<PersonRef>,
    /// Abstract.
    pub abstract_html: Option<String>,
    /// Keywords.
    pub keywords: Vec<String>,
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
    pub book: std::sync::Arc<BookContext>,
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
    pub status: Option<crate::status::StatusReport>,
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

/// The URL of a chapter page.
pub fn chapter_url(id: &str) -> String {
    format!("{id}.html")
}

fn person(book: &Book, id: &str) -> PersonRef {
    match book.contributors.get(id) {
        Some(c) => PersonRef {
            id: id.to_string(),
            name: c.name.clone(),
            affiliation: c.affiliation.clone(),
        },
        None => PersonRef {
            id: id.to_string(),
            name: id.to_string(),
            affiliation: None,
        },
    }
}

fn cite_context(cite: &cite_this::CiteThis, url: &str, ctx: &BodyContext<'_>) -> CiteContext {
    let mut html = super::body::BodyWriter::new(ctx);
    CiteContext {
        html: html.inline_html(&cite.formatted.content),
        bibtex_url: url.to_string(),
        bibtex: cite.bibtex.clone(),
    }
}

/// Builds the context of every page of the site.
pub fn site_pages(book: &Book, options: &HtmlOptions) -> Vec<Page> {
    pages(book, options, None)
}

/// The pages of the chapters `ids` alone, exactly as [`site_pages`] makes
/// them (for `watch`, which shows the edited chapter before the rest).
pub fn chapter_pages(book: &Book, options: &HtmlOptions, ids: &[String]) -> Vec<Page> {
    pages(book, options, Some(ids))
}

fn pages(book: &Book, options: &HtmlOptions, only: Option<&[String]>) -> Vec<Page> {
    let authors_of = |i: usize| -> Vec<PersonRef> {
        book.chapters[i]
            .config
            .authors
            .iter()
            .map(|a| person(book, &a.value))
            .collect()
    };
    let toc = book
        .parts
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
                        url: chapter_url(&ch.id),
                        title: ch.title.clone(),
                        number: ch.number.map(|n| n.to_string()),
                        authors: authors_of(i),
                    }
                })
                .collect(),
        })
        .collect();
    let cfg = &book.config.book;
    let style = cite_this::style(book);
    let book_labels = Labels::for_lang(&cfg.language);
    let book_body = BodyContext {
        chapter_id: "",
        raw_html: options.raw_html,
        labels: book_labels,
        root: "",
        references: "",
        epub: false,
    };
    let book_cite = cite_this::book(book, &style, options.year);
    let references_page = (!book.references.is_empty()).then(|| "references.html".to_string());
    let references_href = references_page.as_deref().unwrap_or("");
    let book_ctx = BookContext {
        title: cfg.title.clone(),
        subtitle: cfg.subtitle.clone(),
        language: cfg.language.clone(),
        publisher: cfg.publisher.clone(),
        year: cfg.year,
        isbn: cfg.isbn.clone(),
        license: cfg.license.clone(),
        editors: cfg.editors.iter().map(|e| person(book, &e.value)).collect(),
        pdf: options.pdf.clone(),
        epub: options.epub.clone(),
        search: book.config.html.search,
        toc,
        cite: cite_context(&book_cite, &format!("cite/{}.bib", book.id()), &book_body),
        references_page: references_page.clone(),
    };
    let book_ctx = std::sync::Arc::new(book_ctx);
    let page_data = |page: PageContext, labels: &'static Labels| PageData {
        book: book_ctx.clone(),
        labels,
        page,
        generator: GENERATOR,
        chapter: None,
        contributors: None,
        status: None,
    };

    let mut pages = Vec::new();
    if only.is_none() {
        pages.push(Page {
            template: "index.html",
            file: "index.html".into(),
            context: page_data(
                PageContext {
                    lang: cfg.language.clone(),
                    title: cfg.title.clone(),
                    url: "index.html".into(),
                    kind: "index",
                },
                book_labels,
            ),
        });
    }

    // Chapter pages are independent: rendered on every core.
    use rayon::prelude::*;
    let chapter_page = |(i, ch): (usize, &crate::model::Chapter)| {
        let labels = Labels::for_lang(&ch.lang);
        let body_ctx = BodyContext {
            chapter_id: &ch.id,
            raw_html: options.raw_html,
            labels,
            root: "",
            references: references_href,
            epub: false,
        };
        let html = render_chapter(ch, &body_ctx);
        let cite = cite_this::chapter(book, ch, &style, options.year);
        let nav = |j: usize| NavLink {
            url: chapter_url(&book.chapters[j].id),
            title: book.chapters[j].title.clone(),
        };
        let chapter = ChapterContext {
            id: ch.id.clone(),
            title: ch.title.clone(),
            number: ch.number.map(|n| n.to_string()),
            lang: ch.lang.clone(),
            authors: authors_of(i),
            abstract_html: html.abstract_html,
            keywords: ch.config.keywords.clone(),
            body_html: html.body_html,
            footnotes: html
                .footnotes
                .into_iter()
                .map(|(n, html)| FootnoteContext {
                    number: n,
                    id: format!("fn-{n}"),
                    backref: format!("fnref-{n}"),
                    html,
                })
                .collect(),
            references_html: html.references_html,
            cite: Some(cite_context(
                &cite,
                &format!("cite/{}.bib", ch.id),
                &body_ctx,
            )),
            prev: i.checked_sub(1).map(nav),
            next: (i + 1 < book.chapters.len()).then(|| nav(i + 1)),
            state: None,
            revision: None,
        };
        let mut chapter = chapter;
        if let Some(report) = &options.review
            && let Some(r) = report.chapters.iter().find(|r| r.id == ch.id)
        {
            chapter.state = Some(r.state.name().to_string());
            chapter.revision = r
                .revision
                .as_ref()
                .map(|rev| rev[..7.min(rev.len())].to_string());
        }
        let mut data = page_data(
            PageContext {
                lang: ch.lang.clone(),
                title: format!("{} · {}", ch.title, cfg.title),
                url: chapter_url(&ch.id),
                kind: "chapter",
            },
            labels,
        );
        data.chapter = Some(chapter);
        Page {
            template: "chapter.html",
            file: chapter_url(&ch.id),
            context: data,
        }
    };
    if let Some(ids) = only {
        pages.par_extend(
            book.chapters
                .par_iter()
                .enumerate()
                .filter(|(_, ch)| ids.contains(&ch.id))
                .map(chapter_page),
        );
        return pages;
    }
    pages.par_extend(book.chapters.par_iter().enumerate().map(chapter_page));

    if let Some(page) = &references_page {
        let mut data = page_data(
            PageContext {
                lang: cfg.language.clone(),
                title: format!("{} · {}", book_labels.references, cfg.title),
                url: page.clone(),
                kind: "references",
            },
            book_labels,
        );
        data.chapter = Some(ChapterContext {
            id: "references".into(),
            title: book_labels.references.into(),
            number: None,
            lang: cfg.language.clone(),
            authors: Vec::new(),
            abstract_html: None,
            keywords: Vec::new(),
            body_html: super::body::references_html(&book.references, &book_body, ""),
            footnotes: Vec::new(),
            references_html: None,
            cite: None,
            prev: None,
            next: None,
            state: None,
            revision: None,
        });
        pages.push(Page {
            template: "chapter.html",
            file: page.clone(),
            context: data,
        });
    }

    let contributors = book
        .contributors
        .list
        .iter()
        .map(|c| {
            let bio_html = c.bio.as_ref().map(|bio| {
                let mut sink = crate::diag::Sink::default();
                let parsed = parse_snippet(bio, c.id.span.file, c.id.span.range.clone(), &mut sink);
                let ctx = BodyContext {
                    chapter_id: "",
                    raw_html: options.raw_html,
                    labels: book_labels,
                    root: "",
                    references: "",
                    epub: false,
                };
                super::body::BodyWriter::new(&ctx).blocks(&parsed.blocks)
            });
            ContributorContext {
                id: c.id.value.clone(),
                name: c.name.clone(),
                affiliation: c.affiliation.clone(),
                roles: c.roles.clone(),
                orcid: c.orcid.clone(),
                bio_html,
                chapters: book
                    .chapters
                    .iter()
                    .filter(|ch| ch.config.authors.iter().any(|a| a.value == c.id.value))
                    .map(|ch| ChapterLink {
                        url: chapter_url(&ch.id),
                        title: ch.title.clone(),
                        number: ch.number.map(|n| n.to_string()),
                    })
                    .collect(),
            }
        })
        .collect();
    let mut data = page_data(
        PageContext {
            lang: cfg.language.clone(),
            title: format!("{} · {}", book_labels.contributors, cfg.title),
            url: "contributors.html".into(),
            kind: "contributors",
        },
        book_labels,
    );
    data.contributors = Some(contributors);
    pages.push(Page {
        template: "contributors.html",
        file: "contributors.html".into(),
        context: data,
    });
    if let Some(report) = &options.review {
        let mut data = page_data(
            PageContext {
                lang: cfg.language.clone(),
                title: format!("{} · {}", book_labels.review_status, cfg.title),
                url: "status.html".into(),
                kind: "status",
            },
            book_labels,
        );
        data.status = Some(report.clone());
        pages.push(Page {
            template: "status.html",
            file: "status.html".into(),
            context: data,
        });
    }
    pages
}
