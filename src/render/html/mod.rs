//! The static site: an index with the table of contents, one page per
//! chapter, a contributors page, the images, and an offline search index.
//!
//! Pages come from MiniJinja templates fed with typed, serialisable contexts
//! ([`context`]); the built-in templates are embedded in the binary and a file
//! of the same name in the book's `templates/` replaces one.

pub mod body;
pub mod context;
pub mod search;
mod templates;

use std::path::Path;

use crate::config::RawHtml;
use crate::diag::Diagnostic;
use crate::model::Book;
use crate::render::{RenderResult, Renderer, io_error};

pub use templates::Templates;

/// Options of the HTML renderer.
#[derive(Debug, Clone)]
pub struct HtmlOptions {
    /// Raw HTML policy (from book.toml).
    pub raw_html: RawHtml,
    /// File name of the book's PDF, relative to the site, when one is built.
    pub pdf: Option<String>,
    /// File name of the book's EPUB, relative to the site, when one is built.
    pub epub: Option<String>,
    /// Draft builds: the review status, shown as a badge on each chapter
    /// and as the `status.html` dashboard.
    pub review: Option<crate::status::StatusReport>,
}

impl HtmlOptions {
    /// Options from the book's configuration.
    pub fn from_book(book: &Book) -> Self {
        HtmlOptions {
            raw_html: book.config.html.raw_html,
            pdf: None,
            epub: None,
            review: None,
        }
    }
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
        let templates = Templates::new(book)?;
        let pages = context::site_pages(book, &self.options);
        let mut errors = Vec::new();
        for page in &pages {
            match templates.render(book, page.template, &page.context) {
                Ok(html) => write(&staging.join(&page.file), html.as_bytes())
                    .unwrap_or_else(|e| errors.extend(e)),
                Err(e) => errors.push(e),
            }
        }
        for name in ["style.css", "search.js"] {
            let text = templates.static_file(book, name);
            write(&staging.join(name), text.as_bytes()).unwrap_or_else(|e| errors.extend(e));
        }
        if book.config.html.search {
            let index = search::build_index(book);
            let json = serde_json::to_string(&index)
                .map_err(|e| vec![Diagnostic::error_in(None, e.to_string())])?;
            write(&staging.join("search-index.json"), json.as_bytes())
                .unwrap_or_else(|e| errors.extend(e));
            // For pages opened from file://, where fetch() is refused.
            let js = format!("window.OUVRAGE_SEARCH_INDEX = {json};\n");
            write(&staging.join("search-index.js"), js.as_bytes())
                .unwrap_or_else(|e| errors.extend(e));
        }
        for asset in &book.assets {
            let to = staging.join(&asset.path);
            let from = book.root.join(&asset.path);
            if let Some(parent) = to.parent()
                && let Err(e) = std::fs::create_dir_all(parent)
            {
                errors.extend(io_error(parent, "create a folder", e));
                continue;
            }
            if let Err(e) = std::fs::copy(&from, &to) {
                errors.extend(io_error(Path::new(&asset.path), "copy the file", e));
            }
        }
        if errors.is_empty() {
            Ok(Vec::new())
        } else {
            Err(errors)
        }
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), Vec<Diagnostic>> {
    std::fs::write(path, bytes).map_err(|e| io_error(path, "write", e))
}
