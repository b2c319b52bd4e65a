//! The static site: an index with the table of contents, one page per
//! chapter, a contributors page, the images, and an offline search index.
//!
//! Pages come from MiniJinja templates fed with typed, serialisable contexts
//! ([`context`]); the templates are those of the registry
//! ([`crate::templates`]): built into the binary, and replaced by a file of
//! the same name in the book's `templates/`.

pub mod body;
pub mod context;
pub mod math;
pub mod raw;
pub mod search;
mod templates;

use std::path::Path;

use crate::diag::Diagnostic;
use crate::model::Book;
use crate::render::{RenderResult, Renderer, io_error};

pub use templates::Templates;

/// Options of the HTML renderer: how the site links to the other outputs
/// of the build (everything else is the book's).
#[derive(Debug, Clone, Default)]
pub struct HtmlOptions {
    /// File name of the book's PDF, relative to the site, when one is built.
    pub pdf: Option<String>,
    /// File name of the book's EPUB, relative to the site, when one is built.
    pub epub: Option<String>,
    /// The chapters' pages in the PDF this build typeset before the site
    /// (empty when it typesets none).
    pub pages: crate::render::ChapterPages,
    /// Where each page of the PDF begins, for the page markers of
    /// `[html] page-markers = true` (empty otherwise).
    pub page_breaks: crate::render::PageBreaks,
}

/// Renders the site.
pub struct HtmlRenderer {
    /// Its options.
    pub options: HtmlOptions,
}

impl Renderer for HtmlRenderer {
    fn output_name(&self, _book: &Book) -> String {
        "html".to_string()
    }

    fn render(&self, book: &Book, staging: &Path) -> RenderResult {
        let site = self.site(book)?;
        let mut errors = Vec::new();
        for (name, bytes) in &site.files {
            write(&staging.join(name), bytes).unwrap_or_else(|e| errors.extend(e));
        }
        for asset in &site.assets {
            let to = staging.join(asset);
            if let Some(parent) = to.parent()
                && let Err(e) = std::fs::create_dir_all(parent)
            {
                errors.extend(io_error(parent, "create a folder", e));
                continue;
            }
            if let Err(e) = std::fs::copy(book.root.join(asset), &to) {
                errors.extend(io_error(Path::new(asset), "copy the file", e));
            }
        }
        if errors.is_empty() {
            Ok(Vec::new())
        } else {
            Err(errors)
        }
    }
}

/// The site in memory: generated files and the book files it copies.
pub struct Site {
    /// Generated files (pages, stylesheet, scripts, search index) by their
    /// path in the site.
    pub files: Vec<(String, Vec<u8>)>,
    /// Book files copied as they are (images), by their path relative to
    /// the book root, which is also their path in the site.
    pub assets: Vec<String>,
}

/// Each page rendered with its template, and the errors.
fn render_pages(
    templates: &Templates,
    book: &Book,
    pages: &[context::Page],
) -> (Vec<(String, Vec<u8>)>, Vec<Diagnostic>) {
    use rayon::prelude::*;
    let rendered: Vec<_> = pages
        .par_iter()
        .map(|page| templates.render(book, page.template, &page.context))
        .collect();
    let (mut files, mut errors) = (Vec::new(), Vec::new());
    for (page, result) in pages.iter().zip(rendered) {
        match result {
            Ok(html) => files.push((page.file.clone(), html.into_bytes())),
            Err(e) => errors.push(e),
        }
    }
    (files, errors)
}

impl HtmlRenderer {
    /// The pages of the chapters `ids` alone, as [`HtmlRenderer::site`]
    /// renders them: `watch` writes the edited chapter's page before the
    /// rest of the site.
    pub fn chapter_pages(
        &self,
        book: &Book,
        ids: &[String],
    ) -> Result<Vec<(String, Vec<u8>)>, Vec<Diagnostic>> {
        let templates = Templates::new(book)?;
        let pages = context::chapter_pages(book, &self.options, ids);
        let (files, errors) = render_pages(&templates, book, &pages);
        if errors.is_empty() {
            Ok(files)
        } else {
            Err(errors)
        }
    }

    /// Renders every page of the site in memory, so that `watch` can write
    /// only what changed.
    pub fn site(&self, book: &Book) -> Result<Site, Vec<Diagnostic>> {
        let templates = Templates::new(book)?;
        let pages = context::site_pages(book, &self.options);
        let (mut files, errors) = render_pages(&templates, book, &pages);
        for page in &pages {
            let cites = page.context.chapter.as_ref().and_then(|c| c.cite.as_ref());
            for cite in cites
                .into_iter()
                .chain((page.template == "index.html").then_some(&page.context.book.cite))
            {
                files.push((cite.bibtex_url.clone(), cite.bibtex.clone().into_bytes()));
            }
        }
        let statics = crate::templates::for_output(crate::templates::Output::Site)
            .filter(|t| t.kind == crate::templates::Kind::Static);
        for template in statics {
            let text = template.text(book);
            files.push((template.name.to_string(), text.as_bytes().to_vec()));
        }
        if book.config.html.search {
            let index = search::build_index(book);
            let json = serde_json::to_string(&index)
                .map_err(|e| vec![Diagnostic::error_in(None, e.to_string())])?;
            // For pages opened from file://, where fetch() is refused.
            let js = format!("window.OUVRAGE_SEARCH_INDEX = {json};\n");
            files.push(("search-index.json".to_string(), json.into_bytes()));
            files.push(("search-index.js".to_string(), js.into_bytes()));
        }
        if let Some(base) = &book.config.html.base_url {
            files.push((
                "sitemap.xml".to_string(),
                sitemap(base, &pages).into_bytes(),
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Site {
            files,
            assets: book.assets.iter().map(|a| a.path.clone()).collect(),
        })
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), Vec<Diagnostic>> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io_error(dir, "create a folder", e))?;
    }
    std::fs::write(path, bytes).map_err(|e| io_error(path, "write", e))
}

/// `sitemap.xml` (sitemaps.org 0.9): the address of every page, for a site
/// published at `base` (`[html] base-url`). No dates: a build is
/// reproducible, and the document date is the book's, not the page's.
fn sitemap(base: &str, pages: &[context::Page]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for page in pages.iter().filter(|p| p.template != "status.html") {
        out.push_str("  <url><loc>");
        crate::render::escape::push_xml_text(&mut out, &format!("{base}{}", page.file));
        out.push_str("</loc></url>\n");
    }
    out.push_str("</urlset>\n");
    out
}
