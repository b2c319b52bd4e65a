//! The ONIX 3.0 product record (reference tags): one `Product` per edition
//! that has an ISBN (print `[book] isbn`, PDF `[metadata] isbn-pdf`, EPUB
//! `[metadata] isbn-epub`; a book without any is one digital product
//! identified by its DOI), each with the title, the contributors and their
//! roles (editors B01, chapter authors A01, with ORCIDs), the language, the
//! page count of the PDF, the subjects when given, the licence of the
//! digital editions, the publisher and the year.

use std::collections::HashMap;

use super::{Agent, Xml, agents, missing, split_name};
use crate::diag::Diagnostic;
use crate::model::Book;

const NAMESPACE: &str = "http://ns.editeur.org/onix/3.0/reference";
const FEED: &str = "The ONIX record";

/// ISO 639-2/B codes (ONIX code list 74) of the languages books are most
/// often written in, by their ISO 639-1 code.
const LANGUAGES: &[(&str, &str)] = &[
    ("ar", "ara"),
    ("br", "bre"),
    ("ca", "cat"),
    ("cs", "cze"),
    ("da", "dan"),
    ("de", "ger"),
    ("el", "gre"),
    ("en", "eng"),
    ("es", "spa"),
    ("eu", "baq"),
    ("fi", "fin"),
    ("fr", "fre"),
    ("gl", "glg"),
    ("he", "heb"),
    ("hi", "hin"),
    ("hu", "hun"),
    ("it", "ita"),
    ("ja", "jpn"),
    ("ko", "kor"),
    ("la", "lat"),
    ("nb", "nob"),
    ("nl", "dut"),
    ("no", "nor"),
    ("oc", "oci"),
    ("pl", "pol"),
    ("pt", "por"),
    ("ro", "rum"),
    ("ru", "rus"),
    ("sv", "swe"),
    ("tr", "tur"),
    ("uk", "ukr"),
    ("zh", "chi"),
];

/// One edition: its ISBN and ONIX's product form and form detail.
struct Edition<'a> {
    isbn: Option<&'a str>,
    form: &'static str,
    detail: Option<&'static str>,
    digital: bool,
}

/// The record, or an error for each field it needs and the book lacks.
pub(super) fn record(
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
            "add `publisher = \"…\"` under [book]: ONIX names the sender and the publisher",
        ));
    }
    let language = LANGUAGES
        .iter()
        .find(|(two, _)| *two == book.lang.primary())
        .map(|(_, three)| *three);
    if language.is_none() {
        let known = LANGUAGES
            .iter()
            .map(|(two, _)| *two)
            .collect::<Vec<_>>()
            .join(", ");
        errors.push(Diagnostic::error_in(
            Some(book.root.join("book.toml")),
            format!(
                "{FEED} needs the ISO 639-2 code of `[book] language` (`{}`), which ouvrage does not know",
                book.lang.tag()
            ),
        ).hint(format!("ONIX writes languages as ISO 639-2 codes; ouvrage knows those of {known}")));
    }
    let editions: Vec<Edition> = [
        Edition {
            isbn: cfg.book.isbn.as_deref(),
            form: "BC",
            detail: None,
            digital: false,
        },
        Edition {
            isbn: cfg.metadata.isbn_pdf.as_deref(),
            form: "EB",
            detail: Some("E107"),
            digital: true,
        },
        Edition {
            isbn: cfg.metadata.isbn_epub.as_deref(),
            form: "EB",
            detail: Some("E101"),
            digital: true,
        },
    ]
    .into_iter()
    .filter(|e| e.isbn.is_some())
    .collect();
    let editions = if editions.is_empty() {
        if cfg.book.doi.is_none() {
            errors.push(missing(
                book,
                "[book] isbn",
                FEED,
                "give an ISBN (`[book] isbn` for print, `[metadata] isbn-pdf`, `isbn-epub`) or `[book] doi`: each ONIX product needs an identifier",
            ));
        }
        vec![Edition {
            isbn: None,
            form: "EB",
            detail: None,
            digital: true,
        }]
    } else {
        editions
    };
    let (Some(publisher), Some(language), true) = (publisher, language, errors.is_empty()) else {
        return Err(errors);
    };
    let sent = book
        .date
        .map(|d| format!("{:04}{:02}{:02}", d.year, d.month, d.day))
        .or_else(|| cfg.book.year.map(|y| format!("{y:04}0101")))
        .unwrap_or_else(|| "19700101".to_string());
    let year = cfg
        .book
        .year
        .map(|y| y.to_string())
        .or_else(|| book.date.map(|d| d.year.to_string()));
    let editors = agents(book, &book.editors);
    let mut authors: Vec<Agent> = Vec::new();
    for r in book.chapters.iter().flat_map(|c| &c.authors) {
        let person = agents(book, std::slice::from_ref(r)).remove(0);
        if !authors.iter().any(|a| a.name == person.name)
            && !editors.iter().any(|e| e.name == person.name)
        {
            authors.push(person);
        }
    }

    let mut x = Xml::new();
    x.open("ONIXMessage", &[("xmlns", NAMESPACE), ("release", "3.0")]);
    x.open("Header", &[]);
    x.open("Sender", &[]);
    x.leaf("SenderName", &[], publisher);
    x.close("Sender");
    x.leaf("SentDateTime", &[], &sent);
    x.close("Header");
    for (n, edition) in editions.iter().enumerate() {
        x.open("Product", &[]);
        x.leaf("RecordReference", &[], &format!("{}-{}", book.id(), n + 1));
        x.leaf("NotificationType", &[], "03");
        // Type 15 is an ISBN-13: an ISBN-10 is given as its 978 form.
        if let Some(isbn) = edition.isbn.and_then(crate::config::isbn13) {
            identifier(&mut x, "15", &isbn);
        }
        if let Some(doi) = &cfg.book.doi {
            identifier(&mut x, "06", doi);
        }
        x.open("DescriptiveDetail", &[]);
        x.leaf("ProductComposition", &[], "00");
        x.leaf("ProductForm", &[], edition.form);
        if let Some(detail) = edition.detail {
            x.leaf("ProductFormDetail", &[], detail);
        }
        if edition.digital
            && let Some(license) = &cfg.book.license
        {
            x.open("EpubLicense", &[]);
            x.leaf("EpubLicenseName", &[], license);
            x.close("EpubLicense");
        }
        x.open("TitleDetail", &[]);
        x.leaf("TitleType", &[], "01");
        x.open("TitleElement", &[]);
        x.leaf("TitleElementLevel", &[], "01");
        x.leaf("TitleText", &[], &cfg.book.title);
        if let Some(subtitle) = &cfg.book.subtitle {
            x.leaf("Subtitle", &[], subtitle);
        }
        x.close("TitleElement");
        x.close("TitleDetail");
        let people = editors
            .iter()
            .map(|e| (e, "B01"))
            .chain(authors.iter().map(|a| (a, "A01")));
        for (i, (person, role)) in people.enumerate() {
            contributor(&mut x, i + 1, person, role);
        }
        x.open("Language", &[]);
        x.leaf("LanguageRole", &[], "01");
        x.leaf("LanguageCode", &[], language);
        x.close("Language");
        if let Some((_, last)) = pages.get("") {
            x.open("Extent", &[]);
            x.leaf("ExtentType", &[], "00");
            x.leaf("ExtentValue", &[], &last.to_string());
            x.leaf("ExtentUnit", &[], "03");
            x.close("Extent");
        }
        if !cfg.metadata.subjects.is_empty() {
            x.open("Subject", &[]);
            // Code list 27: 20, keywords.
            x.leaf("SubjectSchemeIdentifier", &[], "20");
            x.leaf("SubjectHeadingText", &[], &cfg.metadata.subjects.join("; "));
            x.close("Subject");
        }
        x.close("DescriptiveDetail");
        x.open("PublishingDetail", &[]);
        x.open("Publisher", &[]);
        x.leaf("PublishingRole", &[], "01");
        x.leaf("PublisherName", &[], publisher);
        x.close("Publisher");
        if let Some(year) = &year {
            x.open("PublishingDate", &[]);
            x.leaf("PublishingDateRole", &[], "01");
            x.leaf("Date", &[("dateformat", "05")], year);
            x.close("PublishingDate");
        }
        x.close("PublishingDetail");
        x.close("Product");
    }
    x.close("ONIXMessage");
    Ok(x.out)
}

fn identifier(x: &mut Xml, kind: &str, value: &str) {
    x.open("ProductIdentifier", &[]);
    x.leaf("ProductIDType", &[], kind);
    x.leaf("IDValue", &[], value);
    x.close("ProductIdentifier");
}

fn contributor(x: &mut Xml, sequence: usize, person: &Agent, role: &str) {
    x.open("Contributor", &[]);
    x.leaf("SequenceNumber", &[], &sequence.to_string());
    x.leaf("ContributorRole", &[], role);
    if let Some(orcid) = &person.orcid {
        x.open("NameIdentifier", &[]);
        // Code list 44: 21, ORCID.
        x.leaf("NameIDType", &[], "21");
        x.leaf("IDValue", &[], orcid);
        x.close("NameIdentifier");
    }
    x.leaf("PersonName", &[], &person.name);
    let (given, family) = split_name(&person.name);
    if let Some(given) = given {
        x.leaf("NamesBeforeKey", &[], &given);
    }
    x.leaf("KeyNames", &[], &family);
    x.close("Contributor");
}
