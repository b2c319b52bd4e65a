//! The DOCX (`build --docx`), checked by its content with Rust crates only
//! (zip and roxmltree): styles, footnotes, tables, figures, links to
//! bookmarks, languages, reproducibility and the reference document. The
//! reference readers (LibreOffice, pandoc) run in the ignored tests at the
//! end, which `.ci/run` runs where they are installed.

mod common;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use common::*;

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

/// Every entry of a DOCX, by name.
fn entries(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        out.insert(entry.name().unwrap().to_string(), bytes);
    }
    out
}

fn text_of(entries: &BTreeMap<String, Vec<u8>>, name: &str) -> String {
    String::from_utf8(
        entries
            .get(name)
            .unwrap_or_else(|| panic!("no {name}"))
            .clone(),
    )
    .unwrap()
}

/// The paragraphs of a part: (style, text).
fn paragraphs(xml: &str) -> Vec<(String, String)> {
    let doc = roxmltree::Document::parse(xml).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name((W, "p")))
        .map(|p| {
            let style = p
                .descendants()
                .find(|n| n.has_tag_name((W, "pStyle")))
                .and_then(|s| s.attribute((W, "val")))
                .unwrap_or("")
                .to_string();
            let text: String = p
                .descendants()
                .filter(|n| n.has_tag_name((W, "t")))
                .filter_map(|t| t.text())
                .collect();
            (style, text)
        })
        .collect()
}

fn count(xml: &str, tag: &str) -> usize {
    let doc = roxmltree::Document::parse(xml).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name((W, tag)))
        .count()
}

fn built_docx(book: &Path) -> PathBuf {
    let docx: Vec<PathBuf> = std::fs::read_dir(book.join("_book"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "docx"))
        .collect();
    assert_eq!(docx.len(), 1, "{docx:?}");
    docx[0].clone()
}

/// The sample book as a DOCX: Word styles for the title, the chapters
/// (one `Heading1` each, with its number), the authors and the sections;
/// a Word footnote for every note; citations as the site prints them,
/// linked to reference-list entries that carry the bookmarks.
#[test]
fn the_sample_book_is_a_styled_docx() {
    let (_tmp, book) = sample_book();
    ok(&book, &["build", "--docx"]);
    assert!(
        !book.join("_book/html").exists(),
        "only the DOCX was asked for"
    );
    let files = entries(&built_docx(&book));
    for part in [
        "[Content_Types].xml",
        "_rels/.rels",
        "word/document.xml",
        "word/styles.xml",
        "word/numbering.xml",
        "word/footnotes.xml",
        "word/settings.xml",
        "word/_rels/document.xml.rels",
        "docProps/core.xml",
    ] {
        let text = text_of(&files, part);
        roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{part}: {e}"));
    }
    let document = text_of(&files, "word/document.xml");
    let paras = paragraphs(&document);
    let model = ouvrage::pipeline::load_model(&book, &mut ouvrage::diag::Sink::default());
    let titles: Vec<&str> = paras
        .iter()
        .filter(|(s, _)| s == "Heading1")
        .map(|(_, t)| t.as_str())
        .collect();
    assert_eq!(titles.len(), model.chapters.len(), "{titles:?}");
    for ch in &model.chapters {
        assert!(
            titles.iter().any(|t| t.ends_with(&ch.title)),
            "{} not among {titles:?}",
            ch.title
        );
    }
    assert_eq!(
        paras[0],
        ("Title".to_string(), model.config.book.title.clone())
    );
    // Authors under the chapter titles, by name.
    let first_author = ouvrage::view::PersonView::of(&model, &model.chapters[1].authors[0]).name;
    assert!(
        paras
            .iter()
            .any(|(s, t)| s == "Author" && t.contains(&first_author)),
        "{first_author}"
    );
    // Every note of the model is a Word footnote (the two separators aside).
    let notes: usize = model.chapters.iter().map(|c| c.footnotes.len()).sum();
    assert!(notes > 0);
    let footnotes = text_of(&files, "word/footnotes.xml");
    assert_eq!(count(&footnotes, "footnote"), notes + 2);
    assert_eq!(count(&document, "footnoteReference"), notes);
    // Citations print the site's text and link to an entry that exists.
    let doc = roxmltree::Document::parse(&document).unwrap();
    let bookmarks: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name((W, "bookmarkStart")))
        .filter_map(|n| n.attribute((W, "name")))
        .collect();
    let anchors: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name((W, "hyperlink")))
        .filter_map(|n| n.attribute((W, "anchor")))
        .collect();
    assert!(!anchors.is_empty());
    for a in &anchors {
        assert!(
            bookmarks.contains(a),
            "a link to {a}, which no bookmark names"
        );
    }
    for b in &bookmarks {
        assert!(
            b.len() <= 40 && b.chars().next().unwrap().is_ascii_alphabetic(),
            "{b}"
        );
    }
    assert!(paras.iter().filter(|(s, _)| s == "Bibliography").count() > 0);
    // The Italian chapter's runs carry its language; the book's is the default.
    let styles = text_of(&files, "word/styles.xml");
    assert!(styles.contains("<w:lang w:val=\"fr\""), "{styles}");
    assert!(document.contains("<w:lang w:val=\"it\"/>"));
}

/// Parts, tables with their header row and aligned cells, a figure whose
/// SVG is drawn as a PNG, and a figure with a PNG embedded as it is.
#[test]
fn tables_figures_and_parts() {
    let (_tmp, book) = fixture("features");
    let png = repo_root().join("tests/fixtures/import/quarto/plot.png");
    std::fs::copy(&png, book.join("chapters/images/plot.png")).unwrap();
    let second = book.join("chapters/02-second.md");
    let text = std::fs::read_to_string(&second).unwrap();
    std::fs::write(
        &second,
        format!(
            "{text}\n![Un graphique](images/plot.png){{#fig:graphique}}\n\nVoir @fig:graphique.\n"
        ),
    )
    .unwrap();
    ok(&book, &["build", "--docx"]);
    let files = entries(&built_docx(&book));
    let document = text_of(&files, "word/document.xml");
    let paras = paragraphs(&document);
    assert!(
        paras
            .iter()
            .any(|(s, t)| s == "Part" && t == "Première partie"),
        "{paras:?}"
    );
    assert_eq!(count(&document, "tbl"), 1);
    assert_eq!(count(&document, "tblHeader"), 1);
    assert!(
        document.contains("<w:jc w:val=\"right\"/>"),
        "the right-aligned column"
    );
    assert!(
        paras
            .iter()
            .any(|(s, t)| s == "TableCaption" && t.starts_with("Tableau 1")),
        "{paras:?}"
    );
    assert!(
        paras
            .iter()
            .any(|(s, t)| s == "ImageCaption" && t.contains("Un graphique")),
        "{paras:?}"
    );
    // The PNG as it is; the SVG drawn as a PNG (Word and LibreOffice show
    // that), each embedded once and named by a relationship.
    let media: Vec<&String> = files
        .keys()
        .filter(|k| k.starts_with("word/media/"))
        .collect();
    assert_eq!(media.len(), 2, "{media:?}");
    let original = std::fs::read(&png).unwrap();
    assert!(media.iter().any(|m| files[*m] == original));
    let drawn = media.iter().find(|m| files[**m] != original).unwrap();
    assert!(files[*drawn].starts_with(b"\x89PNG"), "{drawn}");
    let rels = text_of(&files, "word/_rels/document.xml.rels");
    for m in &media {
        assert!(rels.contains(&m["word/".len()..]), "{rels}");
    }
    assert_eq!(count(&document, "drawing"), 2);
    assert!(text_of(&files, "[Content_Types].xml").contains("image/png"));
}

/// The same book gives the same bytes; a reference document's styles
/// replace the built-in ones; `--offprints` with `--docx` writes one DOCX
/// per chapter and no PDF.
#[test]
fn reproducible_reference_styles_and_offprints() {
    let (_tmp, book) = fixture("features");
    let env = [("SOURCE_DATE_EPOCH", "1700000000")];
    let first = {
        ok_env(&book, &["build", "--docx"], &env);
        std::fs::read(built_docx(&book)).unwrap()
    };
    std::fs::remove_dir_all(book.join("_book")).unwrap();
    ok_env(&book, &["build", "--docx"], &env);
    assert_eq!(first, std::fs::read(built_docx(&book)).unwrap());
    let core = text_of(&entries(&built_docx(&book)), "docProps/core.xml");
    assert!(core.contains("2023-11-14T22:13:20Z"), "{core}");

    // A reference document: its styles.xml is the file's.
    let reference = book.join("templates/reference.docx");
    std::fs::create_dir_all(reference.parent().unwrap()).unwrap();
    let styles = "<?xml version=\"1.0\"?><w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:style w:type=\"paragraph\" w:styleId=\"BodyText\"><w:name w:val=\"Body Text\"/><w:rPr><w:rFonts w:ascii=\"Marque Maison\"/></w:rPr></w:style></w:styles>";
    {
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&reference).unwrap());
        zip.start_file("word/styles.xml", zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut zip, styles.as_bytes()).unwrap();
        zip.finish().unwrap();
    }
    ok(&book, &["build", "--docx", "--offprints"]);
    assert_eq!(
        text_of(&entries(&built_docx(&book)), "word/styles.xml"),
        styles
    );
    let offprints: Vec<String> = std::fs::read_dir(book.join("_book/offprints"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut offprints = offprints;
    offprints.sort();
    assert_eq!(
        offprints,
        [
            "avant-propos.docx",
            "premier.docx",
            "scuola.docx",
            "second.docx"
        ]
    );
    let premier = entries(&book.join("_book/offprints/premier.docx"));
    let paras = paragraphs(&text_of(&premier, "word/document.xml"));
    assert_eq!(paras.iter().filter(|(s, _)| s == "Heading1").count(), 1);
    assert!(!book.join("_book/livre-d-essai.pdf").exists());

    // A reference document that is no zip is an error naming it.
    std::fs::write(&reference, "pas un zip").unwrap();
    let out = ouvrage(&book, &["build", "--docx"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("templates/reference.docx"), "{stderr}");
}

/// Text from a chapter stays text: markup characters are escaped, and no
/// raw block reaches the document.
#[test]
fn chapter_text_is_escaped() {
    let (_tmp, book) = fixture("minimal");
    std::fs::write(
        book.join("chapters/seul.md"),
        "---\ntitle: Seul & <unique>\n---\n\nDu texte </w:t></w:r><w:r><w:t>injecté & \"cité\".\n\n```{=openxml}\n<w:p><w:r><w:t>brut</w:t></w:r></w:p>\n```\n",
    )
    .unwrap();
    ok(&book, &["build", "--docx"]);
    let files = entries(&built_docx(&book));
    let document = text_of(&files, "word/document.xml");
    let paras = paragraphs(&document);
    assert!(
        paras
            .iter()
            .any(|(_, t)| t.contains("</w:t></w:r><w:r><w:t>injecté & “cité”")),
        "{paras:?}"
    );
    assert!(
        paras
            .iter()
            .any(|(s, t)| s == "Heading1" && t.contains("Seul & <unique>"))
    );
    assert!(!paras.iter().any(|(_, t)| t == "brut"));
}

/// LibreOffice opens the DOCX and converts it to PDF without an error.
#[test]
#[ignore = "needs LibreOffice (soffice); .ci/run installs it"]
fn libreoffice_opens_the_docx() {
    let soffice = which("soffice").expect(
        "soffice is missing: apt-get install libreoffice-writer-nogui (or libreoffice-writer)",
    );
    let (_tmp, book) = sample_book();
    ok(&book, &["build", "--docx"]);
    let docx = built_docx(&book);
    let out_dir = book.join("converted");
    let profile = book.join("lo-profile");
    let status = std::process::Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&out_dir)
        .arg(&docx)
        .output()
        .unwrap();
    let pdf = out_dir.join(docx.with_extension("pdf").file_name().unwrap());
    assert!(
        status.status.success() && pdf.is_file(),
        "soffice failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    assert!(std::fs::metadata(&pdf).unwrap().len() > 10_000);
}

/// pandoc reads the DOCX back with as many footnotes and headings as the
/// book has.
#[test]
#[ignore = "needs pandoc; .ci/run installs it"]
fn pandoc_reads_the_docx_back() {
    let pandoc = which("pandoc").expect("pandoc is missing: apt-get install pandoc");
    let (_tmp, book) = sample_book();
    ok(&book, &["build", "--docx"]);
    let out = std::process::Command::new(pandoc)
        .args(["-f", "docx", "-t", "json"])
        .arg(built_docx(&book))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = String::from_utf8(out.stdout).unwrap();
    let model = ouvrage::pipeline::load_model(&book, &mut ouvrage::diag::Sink::default());
    let notes: usize = model.chapters.iter().map(|c| c.footnotes.len()).sum();
    assert_eq!(json.matches("\"t\":\"Note\"").count(), notes);
    let headings = json.matches("\"t\":\"Header\"").count();
    let sections: usize = model
        .chapters
        .iter()
        .map(|c| {
            c.blocks
                .iter()
                .filter(|b| matches!(b.kind, ouvrage::model::BlockKind::Heading(_)))
                .count()
                + 1
                + usize::from(!c.references.is_empty())
        })
        .sum();
    assert_eq!(headings, sections);
}

fn which(tool: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(tool))
            .find(|p| p.is_file())
    })
}

/// Runs `ouvrage ARGS` in `dir` with these environment variables, and
/// asserts success.
fn ok_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ouvrage"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(
        out.status.success(),
        "ouvrage {args:?} failed:\n{stdout}\n{stderr}"
    );
    stdout + &stderr
}

/// Markdown → `build --docx` → `import docx` gives back the same text,
/// headings, footnotes, table and figure (the chapter's offprint: one
/// chapter, its title as the document's).
#[test]
fn a_chapter_comes_back_from_its_docx() {
    let (_tmp, book) = fixture("minimal");
    std::fs::create_dir_all(book.join("chapters/images")).unwrap();
    std::fs::copy(
        repo_root().join("tests/fixtures/import/quarto/plot.png"),
        book.join("chapters/images/plot.png"),
    )
    .unwrap();
    let chapter = "---\ntitle: Aller et retour\n---\n\n\
        Un premier paragraphe avec de l'*italique*, du **gras** et une note[^a].\n\n\
        ## Une section\n\n\
        Un second paragraphe, avec un [lien](https://example.org/).\n\n\
        - un élément\n- un autre élément\n\n\
        | Poste | Montant |\n|:------|--------:|\n| Local | 120 |\n\n\
        Table: Le budget\n\n\
        ![Le graphique](images/plot.png)\n\n\
        ### Une sous-section\n\n\
        Dernier paragraphe.\n\n\
        [^a]: Le texte de la note.\n";
    std::fs::write(book.join("chapters/seul.md"), chapter).unwrap();
    ok(&book, &["build", "--docx", "--offprints"]);
    let bytes = std::fs::read(book.join("_book/offprints/seul.docx")).unwrap();
    let back = ouvrage::import::docx::docx_to_markdown(&bytes).unwrap();
    for expected in [
        "| Poste | Montant |",
        "*italique*",
        "**gras**",
        "## Une section",
        "### Une sous-section",
        "[lien](https://example.org/)",
        "- un élément",
        "- un autre élément",
        "| Local | 120 |",
        "Le budget",
        "Le graphique",
        "[^1]: Le texte de la note.",
        "Dernier paragraphe.",
    ] {
        assert!(back.contains(expected), "{expected:?} is not in:\n{back}");
    }
    // The title once (the document's, not a heading of the text), the
    // section numbers left to the book, the book named in the page header.
    assert!(back.starts_with("# Aller et retour\n"), "{back}");
    assert_eq!(back.matches("Aller et retour").count(), 1, "{back}");
    assert!(!back.contains("1.1"), "{back}");
    let header = text_of(
        &entries(&book.join("_book/offprints/seul.docx")),
        "word/header1.xml",
    );
    assert!(header.contains("Minimal"), "{header}");
    assert_eq!(back.matches("[^1]").count(), 2, "{back}");
    assert!(back.contains("![Le graphique]("), "{back}");
}

/// An image the DOCX cannot draw (here a PNG that is no PNG) stands as its
/// description, with a warning at the Markdown line of its figure.
#[test]
fn an_image_the_docx_cannot_draw_is_a_warning_at_its_line() {
    let (_tmp, book) = fixture("minimal");
    std::fs::create_dir_all(book.join("chapters/images")).unwrap();
    std::fs::write(book.join("chapters/images/casse.png"), "pas une image").unwrap();
    std::fs::write(
        book.join("chapters/seul.md"),
        "---\ntitle: Seul\n---\n\n![Une image cassée](images/casse.png)\n",
    )
    .unwrap();
    let out = ok(&book, &["build", "--docx"]);
    assert!(out.contains("chapters/seul.md:5:"), "{out}");
    assert!(
        out.contains("the DOCX cannot show `chapters/images/casse.png`"),
        "{out}"
    );
    let files = entries(&built_docx(&book));
    assert!(!files.keys().any(|k| k.starts_with("word/media/")));
    assert!(text_of(&files, "word/document.xml").contains("[Une image cassée]"));
}

/// The book's DOI on the title page and a chapter's under its authors,
/// each the DOI's address, linked.
#[test]
fn dois_are_on_the_title_page_and_under_the_chapter_title() {
    let (_tmp, book) = fixture("minimal");
    std::fs::write(
        book.join("book.toml"),
        "[book]\ntitle = \"Minimal\"\ndoi = \"10.5281/zenodo.1234\"\n",
    )
    .unwrap();
    std::fs::write(
        book.join("chapters/seul.md"),
        "---\ntitle: Seul\ndoi: \"10.5281/zenodo.5678<&>\"\n---\n\nUn chapitre.\n",
    )
    .unwrap();
    ok(&book, &["build", "--docx"]);
    let files = entries(&built_docx(&book));
    let document = text_of(&files, "word/document.xml");
    let paras = paragraphs(&document);
    let ids: Vec<&(String, String)> = paras.iter().filter(|(s, _)| s == "Identifier").collect();
    assert_eq!(
        ids.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>(),
        [
            "DOI: https://doi.org/10.5281/zenodo.1234",
            "DOI: https://doi.org/10.5281/zenodo.5678%3C%26%3E",
        ],
        "{paras:?}"
    );
    // The title page's comes before the chapter's heading.
    let title_at = paras.iter().position(|(s, _)| s == "Identifier").unwrap();
    let heading_at = paras.iter().position(|(s, _)| s == "Heading1").unwrap();
    assert!(title_at < heading_at);
    let rels = text_of(&files, "word/_rels/document.xml.rels");
    assert!(
        rels.contains("Target=\"https://doi.org/10.5281/zenodo.1234\""),
        "{rels}"
    );
    let styles = text_of(&files, "word/styles.xml");
    assert!(styles.contains("w:styleId=\"Identifier\""));
}
