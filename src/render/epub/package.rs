//! The package document's data: identifier, creators and contributors with
//! their MARC relator roles, dates, subjects, manifest and spine.

use serde::Serialize;

use crate::date::DocDate;
use crate::model::Book;
use crate::view::{self, PersonView};

/// A person of the metadata.
#[derive(Debug, Clone, Serialize)]
pub struct Agent {
    /// Element id (`person-<contributor id>`), which the role refines.
    pub id: String,
    /// Display name.
    pub name: String,
    /// MARC relator codes: `edt` (editor), `aut` (author).
    pub roles: Vec<&'static str>,
}

/// One item of the manifest.
#[derive(Debug, Clone, Serialize)]
pub struct ManifestItem {
    /// Item id.
    pub id: String,
    /// URL from the package document (percent-encoded).
    pub href: String,
    /// Its path in the content folder, as in the zip.
    pub path: String,
    /// Media type.
    pub media_type: &'static str,
    /// Space-separated properties (`nav`, `cover-image`, `mathml`…), if any.
    pub properties: Option<String>,
}

impl ManifestItem {
    /// An item for the file at `path` in the content folder.
    pub fn new(id: &str, path: &str, media_type: &'static str, properties: &[&str]) -> Self {
        ManifestItem {
            id: id.to_string(),
            href: crate::url::encode_path(path),
            path: path.to_string(),
            media_type,
            properties: (!properties.is_empty()).then(|| properties.join(" ")),
        }
    }
}

/// What the package template receives beyond the book.
#[derive(Debug, Clone, Serialize)]
pub struct Package {
    /// `urn:isbn:…` or `urn:uuid:…`.
    pub identifier: String,
    /// Whether the identifier is the ISBN.
    pub isbn: bool,
    /// `dc:creator`s: the editors, or the authors of a book without editors.
    pub creators: Vec<Agent>,
    /// `dc:contributor`s: the chapters' authors who are not creators.
    pub contributors: Vec<Agent>,
    /// `dc:date`: the year of book.toml, else the document date's day.
    pub date: Option<String>,
    /// `dcterms:modified`: the document date, `CCYY-MM-DDThh:mm:ssZ`.
    pub modified: String,
    /// `dc:subject`s: the chapters' keywords, each once.
    pub subjects: Vec<String>,
    /// The manifest.
    pub manifest: Vec<ManifestItem>,
    /// The spine: manifest ids in reading order.
    pub spine: Vec<String>,
    /// The manifest id of the cover image.
    pub cover_image: String,
    /// Its accessibility, as EPUB Accessibility 1.1 declares it.
    pub accessibility: view::Accessibility,
    /// `dc:source` of the page list's numbers (the print edition), when
    /// the EPUB has one.
    pub page_source: Option<String>,
}

impl Package {
    /// The package of `book` with this manifest and spine.
    pub fn new(book: &Book, manifest: Vec<ManifestItem>, spine: Vec<String>) -> Self {
        let cfg = &book.config.book;
        let date = book.date;
        let (creators, contributors) = people(book);
        let subjects = view::keywords(book)
            .into_iter()
            .map(str::to_string)
            .collect();
        let isbn = cfg.isbn.as_deref().map(isbn_urn);
        Package {
            isbn: isbn.is_some(),
            identifier: isbn.unwrap_or_else(|| uuid_urn(&cfg.title)),
            creators,
            contributors,
            date: match (cfg.year, date) {
                (Some(y), _) => Some(format!("{y:04}")),
                (None, Some(d)) => Some(format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)),
                (None, None) => None,
            },
            modified: date.unwrap_or(DocDate::from_unix(0)).rfc3339(),
            subjects,
            manifest,
            spine,
            cover_image: "cover-image".into(),
            accessibility: view::accessibility(book),
            page_source: None,
        }
    }
}

/// `urn:isbn:` and the ISBN's digits (and check character).
pub fn isbn_urn(isbn: &str) -> String {
    let digits: String = isbn
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == 'X' || *c == 'x')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    format!("urn:isbn:{digits}")
}

/// A name-based (v5) UUID from the title: the same book always gets the
/// same identifier, and no clock or random number is involved.
pub fn uuid_urn(title: &str) -> String {
    let name = format!("ouvrage:book:{title}");
    let id = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, name.as_bytes());
    format!("urn:uuid:{id}")
}

/// Creators and contributors. In an edited volume the editors create the
/// book and the chapters' authors contribute to it; an editor who also
/// wrote a chapter is one creator with both roles. Without editors, the
/// authors are the creators.
fn people(book: &Book) -> (Vec<Agent>, Vec<Agent>) {
    let authors = view::authors(book);
    let editors = PersonView::all(book, &book.editors);
    let agent = |p: &PersonView, roles: Vec<&'static str>| Agent {
        id: format!("person-{}", p.id),
        name: p.name.clone(),
        roles,
    };
    if editors.is_empty() {
        return (
            authors.iter().map(|a| agent(a, vec!["aut"])).collect(),
            Vec::new(),
        );
    }
    let creators = editors
        .iter()
        .map(|e| {
            let mut roles = vec!["edt"];
            if authors.iter().any(|a| a.id == e.id) {
                roles.push("aut");
            }
            agent(e, roles)
        })
        .collect();
    let contributors = authors
        .iter()
        .filter(|a| !editors.iter().any(|e| e.id == a.id))
        .map(|a| agent(a, vec!["aut"]))
        .collect();
    (creators, contributors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        assert_eq!(isbn_urn("978-2-1234-5680-3"), "urn:isbn:9782123456803");
        assert_eq!(isbn_urn("2-7654-1005-x"), "urn:isbn:276541005X");
        let a = uuid_urn("Les communs");
        assert_eq!(a, uuid_urn("Les communs"));
        assert_ne!(a, uuid_urn("Les communs 2"));
        assert!(a.starts_with("urn:uuid:") && a.len() == 45, "{a}");
        // A version-5 UUID.
        assert_eq!(&a[23..24], "5");
    }
}
