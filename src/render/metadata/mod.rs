//! `build --metadata`: the publishing feeds of `_book/metadata/`, a
//! Crossref deposit (`crossref.xml`, schema 5.3.1: an edited book with a
//! content item per chapter) and an ONIX 3.0 product record (`onix.xml`).
//!
//! Stage: a renderer, after the PDF of the same run (the chapters' pages
//! and the page count come from it). Input: the finished [`Book`], its
//! [`BookView`](crate::view::BookView) and the PDF's pages. Output: the two
//! files, or an error naming the book.toml key (or the chapter's front
//! matter key) each feed needs and the book lacks, every one of them.

mod crossref;
mod onix;

use std::path::Path;

use crate::diag::Diagnostic;
use crate::model::{Book, PersonRef};
use crate::render::escape::{push_xml_attr, push_xml_text};
use crate::render::{ChapterPages, RenderResult, Renderer, io_error};

/// The folder of the feeds in the output folder.
pub const METADATA_DIR: &str = "metadata";

/// Renders `_book/metadata/`.
pub struct MetadataRenderer {
    /// The pages the PDF of the same run found (chapter id → first and
    /// last page; the book's under the empty id).
    pub pages: ChapterPages,
}

impl Renderer for MetadataRenderer {
    fn output_name(&self, _book: &Book) -> String {
        METADATA_DIR.to_string()
    }

    fn render(&self, book: &Book, staging: &Path) -> RenderResult {
        let pages = self.pages.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let crossref = crossref::deposit(book, &pages);
        let onix = onix::record(book, &pages);
        let (crossref, onix) = match (crossref, onix) {
            (Ok(c), Ok(o)) => (c, o),
            (c, o) => {
                let mut errors = c.err().unwrap_or_default();
                errors.extend(o.err().unwrap_or_default());
                return Err(errors);
            }
        };
        for (name, text) in [("crossref.xml", crossref), ("onix.xml", onix)] {
            let path = staging.join(name);
            std::fs::write(&path, text).map_err(|e| io_error(&path, "write", e))?;
        }
        Ok(Vec::new())
    }
}

/// An error about a key of book.toml that a feed needs.
fn missing(book: &Book, key: &str, feed: &str, hint: &str) -> Diagnostic {
    Diagnostic::error_in(
        Some(book.root.join("book.toml")),
        format!("{feed} needs `{key}` in book.toml, and it is not given"),
    )
    .hint(hint.to_string())
}

/// A person's name split as the feeds want it: the given names and the
/// family name (the last word; a name of one word is a family name alone).
/// contributors.toml has one `name`, so particles (`de`, `van`) go with
/// the given names.
fn split_name(name: &str) -> (Option<String>, String) {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    match name.rsplit_once(' ') {
        Some((given, family)) => (Some(given.to_string()), family.to_string()),
        None => (None, name),
    }
}

/// A person of the book as the feeds name them: name and ORCID.
struct Agent {
    name: String,
    orcid: Option<String>,
}

fn agents(book: &Book, refs: &[PersonRef]) -> Vec<Agent> {
    refs.iter()
        .map(|r| match book.person(r) {
            Some(p) => Agent {
                name: p.name.clone(),
                orcid: p.orcid.clone(),
            },
            None => Agent {
                name: r.id.clone(),
                orcid: None,
            },
        })
        .collect()
}

/// A small writer of indented XML, every text and attribute escaped.
struct Xml {
    out: String,
    depth: usize,
}

impl Xml {
    fn new() -> Self {
        Xml {
            out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
            depth: 0,
        }
    }

    fn start(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        self.indent();
        self.out.push('<');
        self.out.push_str(tag);
        for (name, value) in attrs {
            self.out.push(' ');
            self.out.push_str(name);
            self.out.push_str("=\"");
            push_xml_attr(&mut self.out, value);
            self.out.push('"');
        }
    }

    fn open(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        self.start(tag, attrs);
        self.out.push_str(">\n");
        self.depth += 1;
    }

    fn close(&mut self, tag: &str) {
        self.depth -= 1;
        self.indent();
        self.out.push_str(&format!("</{tag}>\n"));
    }

    fn leaf(&mut self, tag: &str, attrs: &[(&str, &str)], text: &str) {
        self.start(tag, attrs);
        self.out.push('>');
        push_xml_text(&mut self.out, text);
        self.out.push_str(&format!("</{tag}>\n"));
    }

    fn empty(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        self.start(tag, attrs);
        self.out.push_str("/>\n");
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::split_name;

    #[test]
    fn names_split_at_their_last_word() {
        assert_eq!(
            split_name("Julie  Lequin"),
            (Some("Julie".into()), "Lequin".into())
        );
        assert_eq!(
            split_name("Maria de la Cruz"),
            (Some("Maria de la".into()), "Cruz".into())
        );
        assert_eq!(split_name("Coordination"), (None, "Coordination".into()));
    }
}
