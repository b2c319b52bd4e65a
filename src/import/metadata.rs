//! Pandoc's and Quarto's YAML metadata (a file's front matter, or
//! `_quarto.yml`'s `book:`), read into what ouvrage has a place for:
//! title, subtitle, authors (a name, a list of names, or `name:` maps with
//! an `affiliation`), `lang`, `abstract`, `keywords`, `date` (its year),
//! `bibliography` and `csl`. Other keys are listed for the report.

use super::book::NewPerson;
use crate::config::value::{Node, Value};

use super::{lookup, strings_of, text_of};

/// The metadata import carries over.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    /// `title`.
    pub title: Option<String>,
    /// `subtitle`.
    pub subtitle: Option<String>,
    /// `author` / `authors`: names, affiliations, emails, ORCID iDs.
    pub authors: Vec<NewPerson>,
    /// `lang`.
    pub lang: Option<String>,
    /// `abstract`.
    pub abstract_: Option<String>,
    /// `keywords`.
    pub keywords: Vec<String>,
    /// The year of `date`.
    pub year: Option<i64>,
    /// `bibliography`: files, relative to the file that names them, with
    /// the bytes each is written at.
    pub bibliography: Vec<(String, std::ops::Range<usize>)>,
    /// `csl`, and where.
    pub csl: Option<(String, std::ops::Range<usize>)>,
    /// Keys with no place in ouvrage, with their byte offset.
    pub other: Vec<(String, usize)>,
}

/// The keys [`read`] takes.
const KNOWN: &[&str] = &[
    "title",
    "subtitle",
    "author",
    "authors",
    "lang",
    "abstract",
    "keywords",
    "date",
    "bibliography",
    "csl",
];

/// Reads the metadata of a mapping; `skip` lists keys the caller reads
/// itself (not reported as left over).
pub fn read(node: &Node, skip: &[&str]) -> Meta {
    let mut meta = Meta::default();
    let get = |key: &str| lookup(node, &[key]);
    meta.title = get("title").and_then(text_of);
    meta.subtitle = get("subtitle").and_then(text_of);
    for key in ["author", "authors"] {
        if let Some(n) = get(key) {
            meta.authors.extend(authors(n));
        }
    }
    meta.lang = get("lang").and_then(text_of);
    meta.abstract_ = get("abstract")
        .and_then(text_of)
        .map(|a| a.trim().to_string());
    meta.keywords = get("keywords")
        .map(|n| match &n.value {
            Value::Str(s) => s
                .split(',')
                .map(|k| k.trim().to_string())
                .filter(|k| !k.is_empty())
                .collect(),
            _ => strings_of(n),
        })
        .unwrap_or_default();
    meta.year = get("date").and_then(text_of).and_then(|d| year(&d));
    meta.bibliography = get("bibliography")
        .map(|n| match &n.value {
            Value::Array(items) => items
                .iter()
                .filter_map(|i| text_of(i).map(|t| (t, i.span.clone())))
                .collect(),
            _ => text_of(n)
                .map(|t| (t, n.span.clone()))
                .into_iter()
                .collect(),
        })
        .unwrap_or_default();
    meta.csl = get("csl").and_then(|n| text_of(n).map(|t| (t, n.span.clone())));
    if let Value::Table(entries) = &node.value {
        for (k, _) in entries {
            if !KNOWN.contains(&k.name.as_str()) && !skip.contains(&k.name.as_str()) {
                meta.other.push((k.name.clone(), k.span.start));
            }
        }
    }
    meta
}

/// Authors written as a name, a list of names, or maps with `name` (a
/// string, or Quarto's `{given, family}`), `affiliation(s)`, `email` and
/// `orcid`.
fn authors(node: &Node) -> Vec<NewPerson> {
    let one = |n: &Node| -> Option<NewPerson> {
        match &n.value {
            Value::Table(_) => {
                let name = lookup(n, &["name"]).and_then(|name| {
                    text_of(name).or_else(|| {
                        let given = lookup(name, &["given"]).and_then(text_of);
                        let family = lookup(name, &["family"]).and_then(text_of);
                        let parts: Vec<String> = given.into_iter().chain(family).collect();
                        (!parts.is_empty()).then(|| parts.join(" "))
                    })
                })?;
                let affiliation = ["affiliation", "affiliations"]
                    .iter()
                    .filter_map(|k| lookup(n, &[k]))
                    .find_map(|a| match &a.value {
                        Value::Array(items) => items.first().and_then(|i| {
                            text_of(i).or_else(|| lookup(i, &["name"]).and_then(text_of))
                        }),
                        Value::Table(_) => lookup(a, &["name"]).and_then(text_of),
                        _ => text_of(a),
                    });
                Some(NewPerson {
                    affiliation,
                    email: lookup(n, &["email"]).and_then(text_of),
                    orcid: lookup(n, &["orcid"]).and_then(text_of),
                    ..NewPerson::named(&name)
                })
            }
            _ => text_of(n).map(|name| NewPerson::named(&name)),
        }
    };
    match &node.value {
        Value::Array(items) => items.iter().filter_map(one).collect::<Vec<_>>(),
        _ => one(node).into_iter().collect(),
    }
    .into_iter()
    .filter(|p| !p.name.is_empty())
    .collect()
}

/// The year of a date written any way that holds four digits in a row
/// (`2024-05-01`, `May 2024`).
fn year(date: &str) -> Option<i64> {
    let bytes = date.as_bytes();
    (0..bytes.len().saturating_sub(3)).find_map(|i| {
        let run = &date[i..i + 4];
        let alone = (i == 0 || !bytes[i - 1].is_ascii_digit())
            && bytes.get(i + 4).is_none_or(|b| !b.is_ascii_digit());
        (alone && run.bytes().all(|b| b.is_ascii_digit()))
            .then(|| run.parse().ok())
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::value::parse_yaml;

    #[test]
    fn pandoc_and_quarto_authors_and_keys() {
        let yaml = "title: A\nauthor:\n  - name: Ada Lovelace\n    affiliation: Analytical\n    email: ada@example.org\n  - Charles Babbage\n  - name: {given: Mary, family: Somerville}\n    affiliations:\n      - name: Oxford\nkeywords: a, b\ndate: 12 May 1843\ntoc: true\n";
        let node = parse_yaml(yaml, 0).unwrap();
        let meta = read(&node, &[]);
        let got: Vec<(&str, Option<&str>, Option<&str>)> = meta
            .authors
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.affiliation.as_deref(),
                    p.email.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("Ada Lovelace", Some("Analytical"), Some("ada@example.org")),
                ("Charles Babbage", None, None),
                ("Mary Somerville", Some("Oxford"), None),
            ]
        );
        assert_eq!(meta.keywords, ["a", "b"]);
        assert_eq!(meta.year, Some(1843));
        assert_eq!(meta.other.len(), 1);
        assert_eq!(meta.other[0].0, "toc");
    }
}
