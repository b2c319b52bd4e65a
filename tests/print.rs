//! Offprints cut from the book, and the printer's preflight.

mod common;

use common::*;
use ouvrage::diag::Sink;
use ouvrage::render::typst::{PdfOptions, Session, offprints, provenance, text};

#[test]
fn offprints_keep_the_book_pages_and_name_the_book() {
    let (_tmp, book) = fixture("print");
    ok(&book, &["build", "--offprints"]);
    let mut sink = Sink::default();
    let model = ouvrage::pipeline::load_model(&book, &mut sink);
    let mut session = Session::for_book(&model, &Default::default()).unwrap();
    let plain = session.compile(&model, &PdfOptions::default()).unwrap();
    let ranges = offprints::chapter_pages(&plain.document);
    assert_eq!(
        ranges.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        ["un", "deux"]
    );
    let variant = session
        .compile_variant(&model, &PdfOptions::default(), Some(provenance(&model)))
        .unwrap();
    // The offprint line does not move a single page.
    assert_eq!(offprints::chapter_pages(&variant.document), ranges);
    let book_pages = text::page_texts(&plain.document);
    let offprint_pages = text::page_texts(&variant.document);
    for (id, pages) in &ranges {
        let pdf = book.join(format!("_book/offprints/{id}.pdf"));
        let doc = lopdf::Document::load(&pdf).unwrap();
        assert_eq!(doc.get_pages().len(), pages.clone().count(), "{id}");
        let first = &offprint_pages[pages.start() - 1];
        assert!(
            first.starts_with("Tiré à part de Livre à imprimer"),
            "{id}: {first}"
        );
        assert!(first.contains("Éditions d'essai, 2026"), "{first}");
        // Its folio is the book's page number.
        assert!(
            first.trim_end().ends_with(&pages.start().to_string()),
            "{id}: {first}"
        );
        assert!(!book_pages[pages.start() - 1].contains("Tiré à part"));
    }
    assert!(book.join("_book/livre-a-imprimer.pdf").is_file());
}

#[test]
fn preflight_reports_soft_images_pages_and_standard() {
    let (_tmp, book) = fixture("print");
    let out = ok(&book, &["check", "--print"]);
    assert!(out.contains("chapters/01-un.md:10:1"), "{out}");
    assert!(out.contains("dpi"), "{out}");
    assert!(out.contains("PDF/A: PDF/A-2B"), "{out}");
    assert!(
        out.contains("1 warning"),
        "only the pixel, not the SVG: {out}"
    );
    assert!(!book.join("_book").exists(), "check writes nothing");

    let out = ouvrage(&book, &["check", "--print", "--format", "json"]);
    let (stdout, _) = text_of(&out);
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["warnings"], 1);
    let report = &doc["preflight"];
    let pages = report["pages"].as_u64().unwrap();
    assert_eq!(
        report["blank_pages_for_signature_of_16"].as_u64().unwrap(),
        (16 - pages % 16) % 16
    );
    assert!(
        report["fonts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["embedded"] == true)
    );
    assert_eq!(report["raster_images"], 1);

    // Without a standard, the preflight warns about it.
    edit(book.join("book.toml"), "standard = \"a-2b\"\n", "");
    let out = ok(&book, &["check", "--print"]);
    assert!(out.contains("no PDF/A level is declared"), "{out}");
}

fn text_of(out: &std::process::Output) -> (String, String) {
    text(out)
}
