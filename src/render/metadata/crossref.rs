//! The Crossref deposit: `doi_batch` of schema 5.3.1, an edited book
//! (`book_metadata`: editors, title, date, ISBNs, publisher, DOI and
//! address) and one `content_item` per chapter (authors with their ORCID,
//! title, pages from the PDF, DOI and the address of its page on the site).

use std::collections::HashMap;

use super::{Agent, Xml, agents, missing, split_name};
use crate::diag::Diagnostic;
use crate::model::Book;

/// The deposit's namespace and schema.
const NAMESPACE: &str = "http://www.crossref.org/schema/5.3.1";
const SCHEMA: &str = "https://www.crossref.org/schemas/crossref5.3.1.xsd";
const FEED: &str = "The Crossref deposit";

/// A DOI's prefix: `10.` and the registrant's code, before the `/`.
fn prefix(doi: &str) -> &str {
    doi.split_once('/').map_or(doi, |(p, _)| p)
}

/// The deposit, or an error for each field it needs and the book lacks.
pub(super) fn deposit(
    book: &Book,
    pages: &HashMap<String, (usize, usize)>,
) -> Result<String, Vec<Diagnostic>> {
    let cfg = &book.config;
    let mut errors = Vec::new();
    let publisher = cfg.book.publisher.as_deref();
    if publisher.is_none() {
        errors.push(missing(
            book,
            "[book] publisher",
            FEED,
            "add `publisher = \"…\"` under [book]: Crossref names the publisher of every book",
        ));
    }
    let doi = cfg.book.doi.as_deref();
    if doi.is_none() {
        errors.push(missing(
            book,
            "[book] doi",
            FEED,
            "add the book's DOI under [book], `doi = \"10.xxxx/…\"`: its prefix is the one every chapter's DOI must share",
        ));
    }
    let base = cfg.html.base_url.as_deref();
    if base.is_none() {
        errors.push(missing(
            book,
            "[html] base-url",
            FEED,
            "add `base-url = \"https://…/\"` under [html]: each DOI resolves to the book's or the chapter's page there",
        ));
    }
    let depositor = cfg.metadata.depositor.as_deref();
    if depositor.is_none() {
        errors.push(missing(
            book,
            "[metadata] depositor",
            FEED,
            "add `depositor = \"…\"` under [metadata]: the name Crossref knows the depositor by",
        ));
    }
    let email = cfg.metadata.depositor_email.as_deref();
    if email.is_none() {
        errors.push(missing(
            book,
            "[metadata] depositor-email",
            FEED,
            "add `depositor-email = \"…\"` under [metadata]: where Crossref reports on the deposit",
        ));
    }
    if cfg.book.year.is_none() && book.date.is_none() {
        errors.push(missing(
            book,
            "[book] year",
            FEED,
            "add `year = 2026` under [book]: Crossref dates every publication",
        ));
    }
    for ch in &book.chapters {
        match (&ch.config.doi, doi) {
            (None, _) => errors.push(
                Diagnostic::error_in(
                    Some(book.root.join(&ch.path)),
                    format!("{FEED} needs a DOI for the chapter `{}`", ch.id),
                )
                .hint("add `doi: 10.xxxx/…` to its front matter (with the prefix of the book's DOI)"),
            ),
            (Some(own), Some(book_doi)) if prefix(&own.value) != prefix(book_doi) => errors.push(
                Diagnostic::error(
                    own.span.clone(),
                    format!(
                        "the chapter's DOI has the prefix `{}`, the book's `{}`: one deposit registers DOIs of one prefix",
                        prefix(&own.value),
                        prefix(book_doi)
                    ),
                )
                .hint("give the chapter a DOI under the book's prefix"),
            ),
            _ => {}
        }
    }
    let (Some(publisher), Some(doi), Some(base), Some(depositor), Some(email), true) =
        (publisher, doi, base, depositor, email, errors.is_empty())
    else {
        return Err(errors);
    };

    let date = book.date;
    let year = cfg
        .book
        .year
        .map(|y| y.to_string())
        .or_else(|| date.map(|d| d.year.to_string()))
        .unwrap_or_default();
    // A reproducible timestamp: the document date (Crossref keeps the
    // deposit with the highest one).
    let timestamp = date
        .map(|d| {
            format!(
                "{:04}{:02}{:02}{:02}{:02}{:02}",
                d.year, d.month, d.day, d.hour, d.minute, d.second
            )
        })
        .unwrap_or_else(|| format!("{year:0>4}0101000000"));
    let language = book.lang.primary().to_string();

    let mut x = Xml::new();
    x.open(
        "doi_batch",
        &[
            ("xmlns", NAMESPACE),
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
            ("version", "5.3.1"),
            ("xsi:schemaLocation", &format!("{NAMESPACE} {SCHEMA}")),
        ],
    );
    x.open("head", &[]);
    x.leaf("doi_batch_id", &[], &format!("{}-{timestamp}", book.id()));
    x.leaf("timestamp", &[], &timestamp);
    x.open("depositor", &[]);
    x.leaf("depositor_name", &[], depositor);
    x.leaf("email_address", &[], email);
    x.close("depositor");
    x.leaf("registrant", &[], publisher);
    x.close("head");
    x.open("body", &[]);
    x.open("book", &[("book_type", "edited_book")]);
    x.open("book_metadata", &[("language", &language)]);
    contributors(&mut x, &agents(book, &book.editors), "editor");
    x.open("titles", &[]);
    x.leaf("title", &[], &cfg.book.title);
    if let Some(subtitle) = &cfg.book.subtitle {
        x.leaf("subtitle", &[], subtitle);
    }
    x.close("titles");
    publication_date(&mut x, &year);
    let isbns = [
        (cfg.book.isbn.as_deref(), "print"),
        (cfg.metadata.isbn_pdf.as_deref(), "electronic"),
        (cfg.metadata.isbn_epub.as_deref(), "electronic"),
    ];
    let mut any_isbn = false;
    for (isbn, media) in isbns {
        if let Some(isbn) = isbn {
            x.leaf(
                "isbn",
                &[("media_type", media)],
                &crate::config::isbn13(isbn).unwrap_or_default(),
            );
            any_isbn = true;
        }
    }
    if !any_isbn {
        // An edited book without an ISBN: Crossref's reason for such a
        // volume.
        x.empty("noisbn", &[("reason", "archive_volume")]);
    }
    x.open("publisher", &[]);
    x.leaf("publisher_name", &[], publisher);
    x.close("publisher");
    doi_data(&mut x, doi, base);
    x.close("book_metadata");
    for ch in &book.chapters {
        let Some(own) = &ch.config.doi else { continue };
        x.open(
            "content_item",
            &[
                ("component_type", "chapter"),
                ("language", ch.lang.primary()),
            ],
        );
        contributors(&mut x, &agents(book, &ch.authors), "author");
        x.open("titles", &[]);
        x.leaf("title", &[], &ch.title);
        x.close("titles");
        publication_date(&mut x, &year);
        if let Some((first, last)) = pages.get(&ch.id) {
            x.open("pages", &[]);
            x.leaf("first_page", &[], &first.to_string());
            x.leaf("last_page", &[], &last.to_string());
            x.close("pages");
        }
        doi_data(&mut x, &own.value, &format!("{base}{}.html", ch.id));
        x.close("content_item");
    }
    x.close("book");
    x.close("body");
    x.close("doi_batch");
    Ok(x.out)
}

/// An ISBN as Crossref's pattern takes it: its digits (and `X`).
fn contributors(x: &mut Xml, people: &[Agent], role: &str) {
    if people.is_empty() {
        return;
    }
    x.open("contributors", &[]);
    for (i, person) in people.iter().enumerate() {
        let sequence = if i == 0 { "first" } else { "additional" };
        x.open(
            "person_name",
            &[("sequence", sequence), ("contributor_role", role)],
        );
        let (given, family) = split_name(&person.name);
        if let Some(given) = given {
            x.leaf("given_name", &[], &given);
        }
        x.leaf("surname", &[], &family);
        if let Some(orcid) = &person.orcid {
            x.leaf("ORCID", &[], &format!("https://orcid.org/{orcid}"));
        }
        x.close("person_name");
    }
    x.close("contributors");
}

fn publication_date(x: &mut Xml, year: &str) {
    if year.is_empty() {
        return;
    }
    x.open("publication_date", &[("media_type", "online")]);
    x.leaf("year", &[], year);
    x.close("publication_date");
}

fn doi_data(x: &mut Xml, doi: &str, resource: &str) {
    x.open("doi_data", &[]);
    x.leaf("doi", &[], doi);
    x.leaf("resource", &[], resource);
    x.close("doi_data");
}
