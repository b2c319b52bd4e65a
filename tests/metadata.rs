//! `build --metadata`: the Crossref deposit and the ONIX record of
//! `_book/metadata/`, checked by content with roxmltree (the schemas'
//! required elements, the pages the PDF gives), their errors naming the
//! book.toml key, and (ignored: it needs xmllint) both valid against the
//! published schemas committed under `tests/schemas/`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

/// The features fixture with what the feeds need: a DOI for the book and
/// each chapter, the site's address, a depositor, ISBNs, an ORCID, and
/// hostile text in a title.
fn book() -> (tempfile::TempDir, PathBuf) {
    let (tmp, book) = fixture("features");
    edit(
        book.join("book.toml"),
        "license = \"CC BY-SA 4.0\"",
        "license = \"CC BY-SA 4.0\"\ndoi = \"10.5281/zenodo.1234\"\nisbn = \"978-0-306-40615-7\"",
    );
    edit(
        book.join("book.toml"),
        "[html]\nsearch = true",
        "[html]\nsearch = true\nbase-url = \"https://livre.example.org/\"\n\n[metadata]\ndepositor = \"Éditions <d'essai> & Cie\"\ndepositor-email = \"doi@example.org\"\nisbn-epub = \"978-1-4028-9462-6\"\nsubjects = [\"communs\", \"économie sociale\"]",
    );
    let dois = [
        ("00-avant-propos.md", "title: Avant-propos", "yaml"),
        ("01-premier.md", "title: \"Le premier chapitre\"", "yaml"),
        ("02-second.md", "title = \"Le second chapitre\"", "toml"),
        (
            "03-scuola.md",
            "title: \"La scuola come bene comune\"",
            "yaml",
        ),
    ];
    for (i, (file, title, kind)) in dois.iter().enumerate() {
        let doi = if *kind == "toml" {
            format!("{title}\ndoi = \"10.5281/zenodo.1234.{i}\"")
        } else {
            format!("{title}\ndoi: \"10.5281/zenodo.1234.{i}\"")
        };
        edit(book.join("chapters").join(file), title, &doi);
    }
    edit(
        book.join("contributors.toml"),
        "affiliation = \"Université d'essai\"",
        "affiliation = \"Université d'essai\"\norcid = \"0000-0002-1825-0097\"",
    );
    (tmp, book)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The text of every element named `name` (any namespace), in order.
fn all(doc: &roxmltree::Document, name: &str) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.tag_name().name() == name)
        .map(|n| n.text().unwrap_or("").to_string())
        .collect()
}

#[test]
fn the_deposit_and_the_record_carry_the_book_its_chapters_and_their_pages() {
    let (_tmp, book) = book();
    let out = ok(&book, &["build", "--metadata"]);
    assert!(out.contains("metadata"), "{out}");
    let dir = book.join("_book/metadata");
    assert!(
        book.join("_book/livre-d-essai.pdf").is_file(),
        "the PDF the pages come from"
    );

    // The pages each chapter has in that PDF.
    let mut sink = ouvrage::diag::Sink::default();
    let model = ouvrage::pipeline::load_model(&book, &mut sink);
    let mut session =
        ouvrage::render::typst::Session::for_book(&model, &Default::default()).unwrap();
    let compiled = session.compile(&model, &Default::default()).unwrap();
    let ranges = ouvrage::render::typst::offprints::chapter_pages(&compiled.document);
    let page_count = compiled.document.pages().len();

    let crossref = read(&dir.join("crossref.xml"));
    let doc = roxmltree::Document::parse(&crossref).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "doi_batch");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.crossref.org/schema/5.3.1")
    );
    // Every element the schema requires of a deposit and of an edited book.
    for required in [
        "doi_batch_id",
        "timestamp",
        "depositor_name",
        "email_address",
        "registrant",
        "book_metadata",
        "titles",
        "publication_date",
        "publisher_name",
        "doi_data",
    ] {
        assert!(!all(&doc, required).is_empty(), "no {required}");
    }
    let book_node = doc
        .descendants()
        .find(|n| n.tag_name().name() == "book")
        .unwrap();
    assert_eq!(book_node.attribute("book_type"), Some("edited_book"));
    assert_eq!(all(&doc, "depositor_name"), ["Éditions <d'essai> & Cie"]);
    assert!(crossref.contains("Éditions &lt;d'essai&gt; &amp; Cie"));
    // The book's DOI first, then one content item per chapter, in order.
    assert_eq!(
        all(&doc, "doi"),
        [
            "10.5281/zenodo.1234",
            "10.5281/zenodo.1234.0",
            "10.5281/zenodo.1234.1",
            "10.5281/zenodo.1234.2",
            "10.5281/zenodo.1234.3",
        ]
    );
    assert_eq!(
        all(&doc, "resource"),
        [
            "https://livre.example.org/",
            "https://livre.example.org/avant-propos.html",
            "https://livre.example.org/premier.html",
            "https://livre.example.org/second.html",
            "https://livre.example.org/scuola.html",
        ]
    );
    let items: Vec<_> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "content_item")
        .collect();
    assert_eq!(items.len(), 4);
    for (item, id) in items
        .iter()
        .zip(["avant-propos", "premier", "second", "scuola"])
    {
        let range = &ranges.iter().find(|(c, _)| c == id).unwrap().1;
        let first = item
            .descendants()
            .find(|n| n.tag_name().name() == "first_page")
            .unwrap();
        let last = item
            .descendants()
            .find(|n| n.tag_name().name() == "last_page")
            .unwrap();
        assert_eq!(
            first.text(),
            Some(range.start().to_string().as_str()),
            "{id}"
        );
        assert_eq!(last.text(), Some(range.end().to_string().as_str()), "{id}");
        assert_eq!(item.attribute("component_type"), Some("chapter"));
    }
    assert_eq!(items[3].attribute("language"), Some("it"));
    // Editors of the book, authors of the chapters, with the ORCID.
    let roles: Vec<&str> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "person_name")
        .map(|n| n.attribute("contributor_role").unwrap())
        .collect();
    assert_eq!(roles[0], "editor");
    assert!(roles[1..].iter().all(|r| *r == "author"));
    assert!(all(&doc, "ORCID").contains(&"https://orcid.org/0000-0002-1825-0097".to_string()));
    assert_eq!(all(&doc, "surname")[0], "Éditrice");
    assert_eq!(all(&doc, "isbn"), ["9780306406157", "9781402894626"]);

    let onix = read(&dir.join("onix.xml"));
    let doc = roxmltree::Document::parse(&onix).unwrap();
    assert_eq!(
        doc.root_element().tag_name().namespace(),
        Some("http://ns.editeur.org/onix/3.0/reference")
    );
    // One product per edition with an ISBN: print and EPUB.
    let products: Vec<_> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "Product")
        .collect();
    assert_eq!(products.len(), 2);
    assert_eq!(all(&doc, "ProductForm"), ["BC", "EB"]);
    assert_eq!(all(&doc, "ProductFormDetail"), ["E101"]);
    let ids = all(&doc, "IDValue");
    for id in [
        "9780306406157",
        "9781402894626",
        "10.5281/zenodo.1234",
        "0000-0002-1825-0097",
    ] {
        assert!(ids.contains(&id.to_string()), "{ids:?}");
    }
    assert_eq!(all(&doc, "TitleText"), ["Livre d'essai", "Livre d'essai"]);
    assert_eq!(all(&doc, "LanguageCode"), ["fre", "fre"]);
    assert_eq!(
        all(&doc, "ExtentValue"),
        [page_count.to_string(), page_count.to_string()]
    );
    assert_eq!(all(&doc, "EpubLicenseName"), ["CC BY-SA 4.0"]);
    assert_eq!(
        all(&doc, "SubjectHeadingText")[0],
        "communs; économie sociale"
    );
    let roles = all(&doc, "ContributorRole");
    assert_eq!(roles.iter().filter(|r| *r == "B01").count(), 2, "{roles:?}");
    assert_eq!(roles.iter().filter(|r| *r == "A01").count(), 4, "{roles:?}");
    for required in [
        "Header",
        "Sender",
        "SentDateTime",
        "RecordReference",
        "NotificationType",
        "ProductIdentifier",
        "PublishingDetail",
        "PublisherName",
    ] {
        assert!(!all(&doc, required).is_empty(), "no {required}");
    }
}

#[test]
fn a_missing_field_is_an_error_naming_its_key() {
    let (_tmp, book) = fixture("features");
    edit(
        book.join("book.toml"),
        "publisher = \"Éditions d'essai\"\n",
        "",
    );
    let out = ouvrage(&book, &["build", "--metadata"]);
    assert!(!out.status.success());
    let (stdout, stderr) = text(&out);
    let all = format!("{stdout}{stderr}");
    for key in [
        "needs `[book] publisher` in book.toml",
        "needs `[book] doi` in book.toml",
        "needs `[html] base-url` in book.toml",
        "needs `[metadata] depositor` in book.toml",
        "needs `[metadata] depositor-email` in book.toml",
        "needs a DOI for the chapter `premier`",
    ] {
        assert!(all.contains(key), "{key} not in {all}");
    }
    assert!(!book.join("_book/metadata").exists());
}

fn xmllint(schema: &Path, file: &Path) {
    let out = Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(schema)
        .arg(file)
        .output()
        .unwrap_or_else(|e| {
            panic!("`xmllint` is needed by this test and could not run ({e}): apt-get install libxml2-utils")
        });
    assert!(
        out.status.success(),
        "{} is not valid against {}:\n{}",
        file.display(),
        schema.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[ignore = "needs xmllint (libxml2-utils); run by .ci/run"]
fn the_feeds_are_valid_against_the_published_schemas() {
    let (_tmp, book) = book();
    ok(&book, &["build", "--metadata"]);
    let dir = book.join("_book/metadata");
    let schemas = repo_root().join("tests/schemas");
    xmllint(
        &schemas.join("crossref/crossref5.3.1.xsd"),
        &dir.join("crossref.xml"),
    );
    xmllint(
        &schemas.join("onix/ONIX_BookProduct_3.0_reference.xsd"),
        &dir.join("onix.xml"),
    );
    // A book without ISBNs: `noisbn`, and one product named by its DOI.
    edit(book.join("book.toml"), "isbn = \"978-0-306-40615-7\"\n", "");
    edit(
        book.join("book.toml"),
        "isbn-epub = \"978-1-4028-9462-6\"\n",
        "",
    );
    ok(&book, &["build", "--metadata"]);
    assert!(read(&dir.join("crossref.xml")).contains("<noisbn reason=\"archive_volume\"/>"));
    xmllint(
        &schemas.join("crossref/crossref5.3.1.xsd"),
        &dir.join("crossref.xml"),
    );
    xmllint(
        &schemas.join("onix/ONIX_BookProduct_3.0_reference.xsd"),
        &dir.join("onix.xml"),
    );
}
