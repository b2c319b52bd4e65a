//! Titles and abstracts in several languages (`title: {fr: …, en: …}`):
//! every output shows them in the book's order of languages.

mod common;

use std::path::Path;

use common::*;

/// A French book (order fr, it, en) with an Italian chapter whose title and
/// abstract are given in Italian, English and French, written in that
/// (other) order.
fn book() -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, book) = fixture("minimal");
    std::fs::write(
        book.join("book.toml"),
        "[book]\ntitle = \"Minimal\"\nlanguage = \"fr\"\nlanguages = [\"fr\", \"it\", \"en\"]\n",
    )
    .unwrap();
    std::fs::write(
        book.join("chapters/seul.md"),
        "---\nlang: it\ntitle:\n  it: La scuola\n  en: The *school*\n  fr: L'école\nabstract:\n  it: Sommario in italiano.\n  en: \"An English abstract: <b>bold</b>.\"\n  fr: \"Un résumé en français : court.\"\n---\n\nTesto.\n",
    )
    .unwrap();
    (tmp, book)
}

/// Where each of `needles` is in `hay`, in order.
fn in_order(hay: &str, needles: &[&str]) {
    let at: Vec<usize> = needles
        .iter()
        .map(|n| hay.find(n).unwrap_or_else(|| panic!("{n} not in {hay}")))
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{needles:?} at {at:?}");
}

#[test]
fn titles_and_abstracts_by_language_in_every_output() {
    let (_tmp, book) = book();
    ok(&book, &["build", "--html", "--epub", "--pdf", "--docx"]);
    // The site: the chapter's own title is the heading; the others follow
    // in the book's order, each marked with its language; the abstracts,
    // French first, each headed in its language.
    let html = page(&book.join("_book/html/seul.html"));
    assert_eq!(texts(&html, "h1.chapter-title"), ["La scuola"]);
    assert_eq!(
        texts(&html, ".chapter-title-translated"),
        ["L’école", "The school"]
    );
    assert_eq!(
        attrs(&html, ".chapter-title-translated", "lang"),
        ["fr", "en"]
    );
    assert_eq!(
        texts(&html, ".abstract-heading"),
        ["Résumé", "Sommario", "Abstract"]
    );
    assert_eq!(attrs(&html, "section.abstract[lang]", "lang"), ["fr", "en"]);
    let abstracts = texts(&html, "section.abstract");
    // Each in its own typography: the French colon gets its no-break space.
    assert!(
        abstracts[0].contains("français\u{a0}: court"),
        "{abstracts:?}"
    );
    assert!(
        abstracts[2].contains("abstract: <b>bold</b>."),
        "{abstracts:?}"
    );
    // The EPUB's chapter.
    let epub = epub_in(&book.join("_book"));
    let xhtml = epub_entry(&epub, "EPUB/text/seul.xhtml");
    in_order(
        &xhtml,
        &[
            "lang=\"fr\" xml:lang=\"fr\">L’école",
            "lang=\"en\" xml:lang=\"en\">The <em>school</em>",
            ">Résumé<",
            ">Sommario<",
            ">Abstract<",
        ],
    );
    assert!(
        xhtml.contains("&lt;b&gt;") && !xhtml.contains("<b>"),
        "{xhtml}"
    );
    // The PDF.
    let text = compiled_text(&book, &Default::default());
    in_order(
        &text,
        &[
            "La scuola",
            "L’école",
            "The school",
            "Un résumé en français",
            "Sommario in italiano",
            "An English abstract",
            "Testo",
        ],
    );
    // The DOCX.
    let docx = std::fs::read_dir(book.join("_book"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "docx"))
        .unwrap();
    let document = docx_document(&docx);
    in_order(
        &document,
        &[
            "La scuola",
            "L’école",
            "The school",
            "Résumé\nUn résumé",
            "Sommario\nSommario in italiano",
            "Abstract\nAn English abstract",
        ],
    );
}

fn docx_document(path: &Path) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    // The text of its runs, paragraphs on lines.
    let doc = roxmltree::Document::parse(&text).unwrap();
    let w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
    doc.descendants()
        .filter(|n| n.has_tag_name((w, "p")))
        .map(|p| {
            p.descendants()
                .filter(|n| n.has_tag_name((w, "t")))
                .filter_map(|t| t.text())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_map_by_language_with_a_bad_tag_is_an_error_at_its_key() {
    let (_tmp, book) = book();
    std::fs::write(
        book.join("chapters/seul.md"),
        "---\ntitle:\n  fr: Seul\n  pas une langue: x\nabstract: {}\n---\n\nTexte.\n",
    )
    .unwrap();
    let out = ouvrage(&book, &["check"]);
    let (stdout, stderr) = text(&out);
    let all = format!("{stdout}{stderr}");
    assert!(!out.status.success());
    assert!(
        all.contains("`pas une langue` is not a BCP 47 language tag"),
        "{all}"
    );
    assert!(all.contains("seul.md:4:3"), "{all}");
    assert!(all.contains("`abstract` is an empty map"), "{all}");
}
