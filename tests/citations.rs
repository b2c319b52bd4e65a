//! Citations, reference lists and cross-references: the same in the PDF and
//! the site, errors at the Markdown line.

mod common;

use std::path::Path;

use common::*;

fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn chapter_pages(site: &Path) -> Vec<std::path::PathBuf> {
    let mut pages: Vec<_> = std::fs::read_dir(site)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "html")
                && !["index.html", "contributors.html", "status.html"]
                    .contains(&p.file_name().unwrap().to_str().unwrap())
        })
        .collect();
    pages.sort();
    pages
}

/// A chapter document of an EPUB, parsed as HTML.
fn epub_chapter(epub: &Path, id: &str) -> scraper::Html {
    scraper::Html::parse_document(&epub_entry(epub, &format!("EPUB/text/{id}.xhtml")))
}

#[test]
fn the_sample_books_pdf_site_and_epub_print_the_same_references_and_numbers() {
    let (_tmp, book) = sample_book();
    ok(&book, &["build", "--html", "--epub"]);
    let epub = std::fs::read_dir(book.join("_book"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "epub"))
        .expect("an EPUB");
    let pdf = squeeze(&compiled_text(&book, &Default::default()));
    let site = book.join("_book/html");
    let (mut lists, mut entries, mut citations, mut xrefs) = (0, 0, 0, 0);
    for path in chapter_pages(&site) {
        let html = page(&path);
        let items = texts(&html, ".references li");
        if !items.is_empty() {
            lists += 1;
        }
        let id = path.file_stem().unwrap().to_str().unwrap();
        let in_epub = epub_chapter(&epub, id);
        assert_eq!(
            texts(&in_epub, ".references li"),
            items,
            "{id}: the EPUB's reference list differs from the site's"
        );
        assert_eq!(
            texts(&in_epub, ".citation"),
            texts(&html, ".chapter-body .citation"),
            "{id}: the EPUB's citations differ"
        );
        assert_eq!(
            texts(&in_epub, ".xref"),
            texts(&html, ".chapter-body .xref"),
            "{id}: the EPUB's cross-references differ"
        );
        for entry in items {
            entries += 1;
            assert!(
                pdf.contains(&squeeze(&entry)),
                "{}: the PDF lacks the reference {entry:?}",
                path.display()
            );
        }
        for cite in texts(&html, ".chapter-body .citation") {
            citations += 1;
            assert!(
                pdf.contains(&squeeze(&cite)),
                "{}: the PDF lacks the citation {cite:?}",
                path.display()
            );
        }
        for xref in texts(&html, ".chapter-body .xref") {
            xrefs += 1;
            assert!(
                pdf.contains(&squeeze(&xref)),
                "{}: the PDF lacks the cross-reference {xref:?}",
                path.display()
            );
        }
        // Figure and table numbers as the captions print them.
        for number in texts(&html, ".figure-number, .table-number") {
            assert!(
                pdf.contains(&squeeze(&number)),
                "{}: the PDF lacks the caption number {number:?}",
                path.display()
            );
        }
    }
    assert!(lists >= 5, "only {lists} chapters have a reference list");
    assert!(
        entries >= 8 && citations >= 8 && xrefs >= 8,
        "{entries} {citations} {xrefs}"
    );
    // Every chapter page links its citations to entries on the page.
    assert!(check_site_links(&site) > 0);
    // A citation in the running text and one with a locator.
    let intro = page(&site.join("introduction.html"));
    assert!(texts(&intro, ".citation").contains(&"Ostrom (1990)".to_string()));
    let food = page(&site.join("transition-nourriciere.html"));
    assert!(texts(&food, ".citation").contains(&"(Ostrom 1990, p. 90)".to_string()));
    // `[-@key]`: the year alone.
    let definition = page(&site.join("definition.html"));
    assert!(texts(&definition, ".citation").contains(&"(2015)".to_string()));
}

#[test]
fn how_to_cite_each_chapter_and_the_book_with_bibtex_to_download() {
    let (_tmp, book) = fixture("features");
    ok(&book, &["build", "--html"]);
    let site = book.join("_book/html");
    let chapter = page(&site.join("premier.html"));
    let cite = texts(&chapter, ".cite-this-reference").join(" ");
    for part in [
        "Autrice, Ana",
        "2026",
        "Le premier chapitre",
        "Livre d'essai",
        "Edith Éditrice",
        "Éditions d'essai",
    ] {
        assert!(cite.contains(part), "{part:?} missing from {cite:?}");
    }
    let url = attrs(&chapter, ".cite-this-download a", "href")[0].clone();
    let bib = std::fs::read_to_string(site.join(&url)).unwrap();
    let library = hayagriva::io::from_biblatex_str(&bib).expect("valid BibTeX");
    let entry = library.iter().next().unwrap();
    assert_eq!(entry.title().unwrap().value.to_str(), "Le premier chapitre");
    assert!(bib.contains("editor = {Éditrice, Edith}"), "{bib}");
    assert!(bib.contains("@incollection{"), "{bib}");
    let index = page(&site.join("index.html"));
    let url = attrs(&index, ".cite-this-download a", "href")[0].clone();
    let bib = std::fs::read_to_string(site.join(&url)).unwrap();
    assert!(bib.starts_with("@book{"), "{bib}");
    hayagriva::io::from_biblatex_str(&bib).expect("valid BibTeX");
}

/// A small book with a bibliography, one chapter written by the test.
fn cited_book(chapter: &str, book_toml_extra: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, book) = fixture("minimal");
    std::fs::write(
        book.join("book.toml"),
        format!(
            "[book]\ntitle = \"Minimal\"\nlanguage = \"fr\"\n\n[bibliography]\nfiles = [\"refs.bib\"]\n{book_toml_extra}"
        ),
    )
    .unwrap();
    std::fs::write(
        book.join("refs.bib"),
        "@book{ostrom1990,\n  author = {Ostrom, Elinor},\n  title = {Governing the Commons},\n  publisher = {Cambridge University Press},\n  year = {1990},\n}\n\n@book{hess2007,\n  editor = {Hess, Charlotte and Ostrom, Elinor},\n  title = {Understanding Knowledge as a Commons},\n  publisher = {MIT Press},\n  year = {2007},\n}\n",
    )
    .unwrap();
    std::fs::write(book.join("chapters/seul.md"), chapter).unwrap();
    (tmp, book)
}

#[test]
fn an_unknown_key_and_an_unknown_label_are_errors_at_their_lines() {
    let (_tmp, book) = cited_book(
        "---\ntitle: Seul\n---\n\nUn texte [@ostrom1999, p. 3].\n\nEt la @fig:absente.\n",
        "",
    );
    let out = ouvrage(&book, &["check"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("chapters/seul.md:5:10"), "{stderr}");
    assert!(stderr.contains("no entry `ostrom1999`"), "{stderr}");
    assert!(stderr.contains("ostrom1990"), "a suggestion: {stderr}");
    assert!(stderr.contains("chapters/seul.md:7:7"), "{stderr}");
    assert!(stderr.contains("no figure `fig:absente`"), "{stderr}");
    // build refuses too, and writes nothing.
    let out = ouvrage(&book, &["build", "--html"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!book.join("_book/html").exists());
}

#[test]
fn a_malformed_entry_and_an_unknown_style_are_errors_where_they_are_written() {
    let (_tmp, book) = cited_book(
        "---\ntitle: Seul\n---\n\nUn texte [@ostrom1990].\n",
        "style = \"chicago-autor-date\"\n",
    );
    let bib = std::fs::read_to_string(book.join("refs.bib")).unwrap();
    std::fs::write(
        book.join("refs.bib"),
        format!("{bib}\n@book{{broken,\n  title = {{Unclosed,\n"),
    )
    .unwrap();
    let out = ouvrage(&book, &["check"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("refs.bib:15:1"),
        "the entry left open: {stderr}"
    );
    assert!(stderr.contains("malformed bibliography entry"), "{stderr}");
    assert!(stderr.contains("book.toml:7:9"), "{stderr}");
    assert!(
        stderr.contains("chicago-author-date"),
        "a suggestion: {stderr}"
    );
}

#[test]
fn escaped_at_signs_and_emails_stay_text() {
    let (_tmp, book) = cited_book(
        "---\ntitle: Seul\n---\n\nÉcrire à contact@example.org ou à \\@coop sur Mastodon.\n",
        "",
    );
    ok(&book, &["build", "--html"]);
    let html = page(&book.join("_book/html/seul.html"));
    let body = texts(&html, ".chapter-body p").join(" ");
    assert!(body.contains("@coop sur Mastodon"), "{body}");
    assert!(body.contains("contact@example.org"), "{body}");
    assert!(texts(&html, ".citation").is_empty());
}

/// Issue 22, point 4: in a book without a bibliography, `@word` is text
/// (with a warning saying how to cite or silence it) in every output, the
/// CommonMark example `<foo\+@bar.example.com>` included; a
/// cross-reference keeps its meaning, and `\@` stays silent.
#[test]
fn a_plain_at_in_a_book_without_bibliography_is_text_with_a_warning() {
    let (_tmp, book) = fixture("minimal");
    std::fs::write(
        book.join("chapters/seul.md"),
        "---\ntitle: Seul\n---\n\nSee @coopdescommuns on the network.\n\n<foo\\+@bar.example.com>\n\n\
         Un [voir @ostrom1990, p. 3] et \\@silence.\n\n## Méthode {#sec:methode}\n\nComme en @sec:methode.\n",
    )
    .unwrap();
    let out = ouvrage(&book, &["build"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    // One warning per would-be citation, at its place, with both ways out.
    assert!(
        stderr.contains("`@coopdescommuns` is printed as written: this book has no bibliography"),
        "{stderr}"
    );
    assert!(stderr.contains("chapters/seul.md:5:5"), "{stderr}");
    assert!(
        stderr.contains("`@bar.example.com` is printed as written"),
        "{stderr}"
    );
    assert!(stderr.contains("chapters/seul.md:7:"), "{stderr}");
    assert!(
        stderr.contains("`[voir @ostrom1990, p. 3]` is printed as written"),
        "{stderr}"
    );
    assert!(
        stderr.contains("list a bibliography file under [bibliography]"),
        "{stderr}"
    );
    assert!(stderr.contains("write `\\@`"), "{stderr}");
    assert!(
        !stderr.contains("`@silence`"),
        "`\\@` warns about nothing: {stderr}"
    );
    assert!(stderr.contains("0 errors, 3 warnings"), "{stderr}");

    // The text as written, in the site, the EPUB and the PDF.
    let html = page(&book.join("_book/html/seul.html"));
    let body = texts(&html, ".chapter-body").join(" ");
    for written in [
        "See @coopdescommuns on the network.",
        "<foo+@bar.example.com>",
        "[voir @ostrom1990, p. 3]",
        "@silence",
    ] {
        assert!(body.contains(written), "{written} not in the site: {body}");
    }
    // The cross-reference is one still.
    assert_eq!(attrs(&html, "a.xref", "href"), ["#sec:methode"]);
    assert!(texts(&html, ".citation").is_empty());
    let epub = epub_chapter(&epub_in(&book.join("_book")), "seul");
    let epub_body = texts(&epub, ".chapter-body").join(" ");
    assert!(
        epub_body.contains("See @coopdescommuns on the network."),
        "{epub_body}"
    );
    let pdf = squeeze(&compiled_text(&book, &Default::default()));
    assert!(pdf.contains("See@coopdescommunsonthenetwork."), "{pdf}");
    assert!(pdf.contains("[voir@ostrom1990,p.3]"), "{pdf}");
}

#[test]
fn one_reference_list_for_the_book_when_asked() {
    let (_tmp, book) = cited_book(
        "---\ntitle: Seul\n---\n\nSelon @ostrom1990 et [@hess2007].\n",
        "per-chapter = false\n",
    );
    std::fs::write(
        book.join("chapters/autre.md"),
        "---\ntitle: Autre\n---\n\nAussi [@ostrom1990, p. 12].\n",
    )
    .unwrap();
    ok(&book, &["build", "--html"]);
    let site = book.join("_book/html");
    let list = page(&site.join("references.html"));
    assert_eq!(
        attrs(&list, ".references li", "id"),
        ["ref-hess2007", "ref-ostrom1990"]
    );
    let chapter = page(&site.join("seul.html"));
    assert!(texts(&chapter, ".references").is_empty());
    assert!(
        attrs(&chapter, ".citation a", "href")
            .contains(&"references.html#ref-ostrom1990".to_string())
    );
    check_site_links(&site);
    // The PDF: one list, at the end, holding both works once.
    let pdf = compiled_text(&book, &Default::default());
    assert_eq!(pdf.matches("Governing the Commons").count(), 1, "{pdf}");
    let list_at = pdf.rfind("Références").expect("a list heading");
    assert!(
        list_at > pdf.find("Aussi").unwrap(),
        "the list comes after the chapters"
    );
}

#[test]
fn cross_references_print_the_chapters_words_and_link_to_their_target() {
    let (_tmp, book) = cited_book(
        "---\ntitle: Seul\nlang: it\n---\n\n## Metodo {#sec:metodo}\n\nVedi la @fig:mappa e la @tbl:bilancio; @Sec:metodo.\n\n![Una mappa](images/mappa.svg){#fig:mappa}\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nTable: Il bilancio {#tbl:bilancio}\n",
        "",
    );
    std::fs::create_dir_all(book.join("chapters/images")).unwrap();
    std::fs::write(
        book.join("chapters/images/mappa.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\"/></svg>",
    )
    .unwrap();
    ok(&book, &["build", "--html"]);
    let html = page(&book.join("_book/html/seul.html"));
    assert_eq!(
        texts(&html, ".xref"),
        ["figura\u{a0}1.1", "tabella\u{a0}1.1", "Sezione\u{a0}1.1"]
    );
    assert_eq!(
        attrs(&html, ".xref", "href"),
        ["#fig:mappa", "#tbl:bilancio", "#sec:metodo"]
    );
    let pdf = compiled_text(&book, &Default::default());
    for xref in ["figura\u{a0}1.1", "tabella\u{a0}1.1", "Sezione\u{a0}1.1"] {
        assert!(squeeze(&pdf).contains(&squeeze(xref)), "{xref} in {pdf}");
    }
}

/// A minimal independent CSL style of the book's own: `<Author|Year>` in
/// the text, `TITLE. Author` in the list.
const OWN_STYLE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info>
    <title>Test style of the book</title>
    <id>http://example.org/styles/book-test</id>
    <updated>2026-01-01T00:00:00+00:00</updated>
  </info>
  <citation>
    <layout prefix="&lt;" suffix="&gt;" delimiter="; ">
      <names variable="author"><name form="short"/></names>
      <date variable="issued" prefix="|"><date-part name="year"/></date>
    </layout>
  </citation>
  <bibliography>
    <layout>
      <text variable="title" text-case="uppercase" suffix=". "/>
      <names variable="author"><name/></names>
    </layout>
  </bibliography>
</style>
"#;

#[test]
fn a_csl_file_of_the_book_is_the_style_of_every_output() {
    let (_tmp, book) = cited_book(
        "---\ntitle: Seul\n---\n\nUn texte [@ostrom1990].\n",
        "style = \"styles/propre.csl\"\n",
    );
    std::fs::create_dir_all(book.join("styles")).unwrap();
    std::fs::write(book.join("styles/propre.csl"), OWN_STYLE).unwrap();
    ok(&book, &["build", "--html"]);
    let html = page(&book.join("_book/html/seul.html"));
    assert_eq!(texts(&html, ".citation"), ["<Ostrom|1990>"]);
    let entry = texts(&html, ".references li").join("");
    assert!(entry.starts_with("GOVERNING THE COMMONS. "), "{entry}");
    let pdf = squeeze(&compiled_text(&book, &Default::default()));
    assert!(pdf.contains(&squeeze("<Ostrom|1990>")), "{pdf}");
    // The emitted sources come with what they read from the book.
    ok(&book, &["build", "--pdf", "--emit-typst", "typ"]);
    assert!(book.join("typ/refs.bib").is_file());
    assert!(book.join("typ/styles/propre.csl").is_file());
    assert!(pdf.contains(&squeeze(&entry)), "{pdf}");
    // A style file outside the book is refused at its name in book.toml.
    edit(book.join("book.toml"), "styles/propre.csl", "../propre.csl");
    let out = ouvrage(&book, &["check"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("book.toml:7:9"), "{stderr}");
    assert!(stderr.contains("outside the book"), "{stderr}");
}

/// With `[pdf] citations = "typst"`, `build --pdf` and `check` load the
/// book without formatting citations (the site's work); the PDF must still
/// cite and list the works, through Typst's own engine.
#[test]
fn with_citations_typst_a_pdf_only_build_cites_through_typst_without_formatting() {
    let (_tmp, book) = sample_book();
    edit(
        book.join("book.toml"),
        "[pdf]\n",
        "[pdf]\ncitations = \"typst\"\n",
    );
    let emitted = book.join("_typst");
    ok(
        &book,
        &["build", "--pdf", "--emit-typst", emitted.to_str().unwrap()],
    );
    let sources: String = walk(&emitted)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "typ"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert!(sources.contains("#cite(") && sources.contains("bibliography("));
    let mut sink = ouvrage::diag::Sink::default();
    let model = ouvrage::pipeline::load_model_unformatted(&book, &mut sink);
    assert!(!sink.has_errors(), "{:?}", sink.diagnostics());
    assert!(model.chapters.iter().all(|c| c.references.is_empty()));
    let mut session =
        ouvrage::render::typst::Session::for_book(&model, &Default::default()).unwrap();
    let compiled = session.compile(&model, &Default::default()).unwrap();
    let pdf = ouvrage::render::typst::text::page_texts(&compiled.document).join(" ");
    assert!(pdf.contains("Ostrom (1990)"), "{pdf}");
    assert!(!pdf.contains("@ostrom1990"), "a key printed as text: {pdf}");
    assert!(
        squeeze(&pdf).contains(&squeeze("Governing the Commons")),
        "{pdf}"
    );
    ok(&book, &["build", "--pdf"]);
}

#[test]
fn formatted_citations_are_kept_in_git_between_builds_and_formatted_again_when_they_change() {
    let (_tmp, book) = cited_book(
        "---\ntitle: Seul\n---\n\nUn texte [@ostrom1990, p. 12].\n",
        "",
    );
    let repo = git2::Repository::init(&book).unwrap();
    commit_all(&repo, "Ada", "ada@example.org", "Premier jet");
    let cited = |book: &Path| {
        let html = page(&book.join("_book/html/seul.html"));
        (
            texts(&html, ".citation").join(" "),
            texts(&html, ".references li").join(" "),
        )
    };
    ok(&book, &["build", "--html"]);
    let store = book.join(".git/ouvrage/citations.json");
    let kept =
        std::fs::read_to_string(&store).expect("the formatted scope is kept in git's folder");
    assert!(kept.contains("Ostrom"), "{kept}");
    let (citation, list) = cited(&book);
    assert!(
        citation.contains("Ostrom") && citation.contains("12"),
        "{citation}"
    );

    // The next build prints what the store holds instead of formatting.
    edit_all(&store, "Ostrom", "Ostrum");
    ok(&book, &["build", "--html"]);
    let (citation, again) = cited(&book);
    assert!(
        citation.contains("Ostrum"),
        "read from the store: {citation}"
    );
    assert!(again.contains("Ostrum"), "{again}");
    assert_ne!(list, again);

    // A citation that changes is formatted again; the scope it replaces
    // leaves the store.
    std::fs::write(
        book.join("chapters/seul.md"),
        "---\ntitle: Seul\n---\n\nUn texte [@ostrom1990, p. 13].\n",
    )
    .unwrap();
    ok(&book, &["build", "--html"]);
    let (citation, list) = cited(&book);
    assert!(
        citation.contains("Ostrom") && citation.contains("13"),
        "{citation}"
    );
    assert!(
        list.contains("Ostrom") && !list.contains("Ostrum"),
        "{list}"
    );
    let kept = std::fs::read_to_string(&store).unwrap();
    assert!(!kept.contains("Ostrum"), "{kept}");

    // A store that cannot be read is ignored and written anew.
    std::fs::write(&store, "{ pas du JSON").unwrap();
    ok(&book, &["build", "--html"]);
    assert!(cited(&book).0.contains("Ostrom"));
    let kept = std::fs::read_to_string(&store).unwrap();
    assert!(
        serde_json::from_str::<serde_json::Value>(&kept).is_ok(),
        "{kept}"
    );

    // Nothing of it in the working tree.
    let stray: Vec<_> = walk(&book)
        .into_iter()
        .filter(|p| !p.starts_with(book.join(".git")) && !p.starts_with(book.join("_book")))
        .filter(|p| p.to_string_lossy().contains("citations"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
}

#[test]
fn a_model_with_an_unknown_key_is_still_drawn_with_the_citation_as_written() {
    // A build stops at the error; a preview still draws the model, and a
    // `#cite` of a missing label would make Typst refuse the whole book.
    for (chapter, with_bibliography) in [
        (
            "---\ntitle: Seul\n---\n\nUn texte [@inconnu1999] et [@ostrom1990].\n",
            true,
        ),
        (
            "---\ntitle: Seul\n---\n\nUn prix de $ @_$ ou de $ @x$.\n",
            false,
        ),
    ] {
        let (_tmp, book) = cited_book(chapter, "");
        if !with_bibliography {
            std::fs::write(
                book.join("book.toml"),
                "[book]\ntitle = \"Minimal\"\nlanguage = \"fr\"\n",
            )
            .unwrap();
        }
        let mut sink = ouvrage::diag::Sink::default();
        let model = ouvrage::pipeline::load_model(&book, &mut sink);
        // Without a bibliography, `@_` and `@x` are text, with a warning
        // (issue 22): the model has them as text.
        assert_eq!(
            sink.has_errors(),
            with_bibliography,
            "an error for the unknown key, a warning without bibliography: {:?}",
            sink.diagnostics()
        );
        let mut session =
            ouvrage::render::typst::Session::for_book(&model, &Default::default()).unwrap();
        let compiled = session
            .compile(&model, &Default::default())
            .unwrap_or_else(|e| panic!("{chapter}: {e:?}"));
        let text = ouvrage::render::typst::text::page_texts(&compiled.document).join(" ");
        if with_bibliography {
            assert!(text.contains("@inconnu1999"), "{text}");
            assert!(text.contains("Ostrom"), "the known one is cited: {text}");
        } else {
            assert!(text.contains("@_") && text.contains("@x"), "{text}");
        }
    }
}

#[test]
fn by_default_the_pdf_prints_the_sites_citations_linked_to_their_entries() {
    let (_tmp, book) = sample_book();
    let toml = std::fs::read_to_string(book.join("book.toml")).unwrap();
    // The default (issue 21): Typst is given no citation to resolve.
    let emitted = book.join("_typst");
    ok(
        &book,
        &["build", "--pdf", "--emit-typst", emitted.to_str().unwrap()],
    );
    let (mut sources, mut links) = (0, 0);
    for path in walk(&emitted)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "typ"))
    {
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("#cite("), "{}", path.display());
        assert!(!text.contains("bibliography("), "{}", path.display());
        // Each work cited links to its entry, which carries the label.
        for link in text.match_indices("#link(<ref:") {
            let label = &text[link.0 + "#link(<".len()..];
            let label = &label[..label.find('>').unwrap()];
            assert!(
                text.contains(&format!("] <{label}>")),
                "{}: no entry labelled {label}",
                path.display()
            );
            links += 1;
        }
        sources += 1;
    }
    assert!(sources > 5);
    assert!(links >= 8, "{links} citations linked to their entries");
    // The PDF holds those links as links within the document.
    let pdf_file = walk(&book.join("_book"))
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "pdf"))
        .unwrap();
    let doc = lopdf::Document::load(&pdf_file).unwrap();
    let internal = doc
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| d.get(b"Subtype").and_then(|s| s.as_name()).ok() == Some(b"Link".as_slice()))
        .filter(|d| {
            d.get(b"Dest").is_ok()
                || d.get(b"A").and_then(|a| a.as_dict()).is_ok_and(|a| {
                    a.get(b"S").and_then(|s| s.as_name()).ok() == Some(b"GoTo".as_slice())
                })
        })
        .count();
    assert!(
        internal >= links,
        "{internal} internal links in the PDF, {links} citations"
    );
    // The PDF prints what the site prints: every entry and citation.
    ok(&book, &["build", "--html"]);
    let pdf = squeeze(&compiled_text(&book, &Default::default()));
    let (mut entries, mut citations) = (0, 0);
    for path in chapter_pages(&book.join("_book/html")) {
        let html = page(&path);
        for entry in texts(&html, ".references li") {
            entries += 1;
            assert!(pdf.contains(&squeeze(&entry)), "the PDF lacks {entry:?}");
        }
        for cite in texts(&html, ".chapter-body .citation") {
            citations += 1;
            assert!(pdf.contains(&squeeze(&cite)), "the PDF lacks {cite:?}");
        }
    }
    assert!(entries >= 8 && citations >= 8, "{entries} {citations}");
    // A PDF-only build formats them too (it would print keys otherwise).
    let mut sink = ouvrage::diag::Sink::default();
    let model = ouvrage::pipeline::load_model_unformatted(&book, &mut sink);
    assert!(!sink.has_errors());
    assert!(model.chapters.iter().any(|c| !c.references.is_empty()));
    // An unknown value is an error at its line, with the closest one.
    edit(
        book.join("book.toml"),
        "[pdf]\n",
        "[pdf]\ncitations = \"txt\"\n",
    );
    let out = ouvrage(&book, &["check"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let line = toml.lines().position(|l| l == "[pdf]").unwrap() + 2;
    assert!(stderr.contains(&format!("book.toml:{line}:")), "{stderr}");
    assert!(
        stderr.contains("`text`") || stderr.contains("\"text\""),
        "{stderr}"
    );
}

/// A citation's prefixes go inside its parentheses, each before its own
/// work, as Pandoc and author-date styles print them; each work links to
/// its entry (issue 29).
#[test]
fn prefixes_stand_inside_the_parentheses_and_each_work_links_to_its_entry() {
    let (_tmp, book) = cited_book(
        "---\ntitle: Seul\n---\n\nUn texte [voir @ostrom1990; cf. @hess2007, p. 12] et [voir -@ostrom1990].\n",
        "[pdf]\ncitations = \"text\"\n",
    );
    ok(&book, &["build", "--html", "--pdf"]);
    let html = page(&book.join("_book/html/seul.html"));
    let citations = texts(&html, ".citation");
    assert_eq!(citations.len(), 2, "{citations:?}");
    let first = squeeze(&citations[0]);
    // (`squeeze` takes the spaces out.)
    assert!(first.starts_with("(voirOstrom1990;cf.C.Hess"), "{first}");
    assert!(first.ends_with("p.12)"), "{first}");
    assert_eq!(squeeze(&citations[1]), "(voir1990)");
    let links = attrs(&html, ".citation a", "href");
    assert_eq!(
        links,
        ["#ref-ostrom1990", "#ref-hess2007", "#ref-ostrom1990"],
        "each work links to its entry"
    );
    assert_eq!(
        attrs(&html, ".citation a", "role"),
        ["doc-biblioref", "doc-biblioref", "doc-biblioref"]
    );
    // The PDF prints the same text.
    let pdf = squeeze(&compiled_text(&book, &Default::default()));
    assert!(pdf.contains(&first), "{first} not in {pdf}");
    assert!(!pdf.contains("voir(Ostrom"), "{pdf}");
}

/// "How to cite this book" is the book as an edited volume in the book's
/// style: the title in italics, the publisher without a stray comma, and
/// the published address; a chapter gives its DOI (issue 29).
#[test]
fn how_to_cite_the_book_is_an_edited_volume_with_its_address() {
    let (_tmp, book) = fixture("features");
    edit(
        book.join("book.toml"),
        "[html]\n",
        "[html]\nbase-url = \"https://livre.example.org/\"\n",
    );
    edit(
        book.join("chapters/01-premier.md"),
        "reviewers: [bo]",
        "reviewers: [bo]\ndoi: 10.5555/essai.1",
    );
    ok(&book, &["build", "--html"]);
    let site = book.join("_book/html");
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    let html = page(&site.join("index.html"));
    let cite = texts(&html, ".cite-this-reference").join(" ");
    assert!(
        index.contains("<em>Livre d’essai") || index.contains("<em>Livre d'essai"),
        "the title in italics: {cite}"
    );
    assert!(!cite.contains(",."), "{cite}");
    assert!(cite.contains("https://livre.example.org/"), "{cite}");
    // The editor named as the editor of the volume, with the short term of
    // the French CSL locale ("dir.", for "sous la direction de").
    assert!(cite.starts_with("Éditrice, Edith, dir. "), "{cite}");
    assert_eq!(cite.matches("Edith").count(), 1, "named once: {cite}");
    let url = attrs(&html, ".cite-this-download a", "href")[0].clone();
    let bib = std::fs::read_to_string(site.join(&url)).unwrap();
    assert!(bib.contains("url = {https://livre.example.org/}"), "{bib}");
    let chapter = page(&site.join("premier.html"));
    let cite = texts(&chapter, ".cite-this-reference").join(" ");
    assert!(cite.contains("10.5555/essai.1"), "{cite}");
    let url = attrs(&chapter, ".cite-this-download a", "href")[0].clone();
    let bib = std::fs::read_to_string(site.join(&url)).unwrap();
    assert!(bib.contains("doi = {10.5555/essai.1}"), "{bib}");
}

/// Several editors: the plural term after the last, in the book's language.
#[test]
fn how_to_cite_names_several_editors_with_the_plural_term() {
    let (_tmp, book) = fixture("features");
    edit(
        book.join("book.toml"),
        "editors = [\"ed\"]",
        "editors = [\"ed\", \"ana\"]",
    );
    edit(
        book.join("book.toml"),
        "language = \"fr\"",
        "language = \"en\"",
    );
    ok(&book, &["build", "--html"]);
    let html = page(&book.join("_book/html/index.html"));
    let cite = texts(&html, ".cite-this-reference").join(" ");
    assert!(
        cite.starts_with("Éditrice, Edith, and Ana Autrice, eds. "),
        "{cite}"
    );
}

/// `doi` in book.toml (the book) and in front matter (a chapter): checked
/// for syntax, printed on the imprint page (the site's index, the PDF's
/// imprint) and under the chapter's title in every output, and in "how to
/// cite" and the BibTeX of each (issue 19).
#[test]
fn dois_of_the_book_and_its_chapters_are_printed_and_cited() {
    let (_tmp, book) = fixture("features");
    edit(
        book.join("book.toml"),
        "year = 2026\n",
        "year = 2026\ndoi = \"10.5281/zenodo.1234\"\n",
    );
    edit(
        book.join("chapters/01-premier.md"),
        "---\ntitle:",
        "---\ndoi: 10.5281/zenodo.5678\ntitle:",
    );
    ok(&book, &["build", "--html", "--epub"]);
    let site = book.join("_book/html");
    let (book_url, chapter_url) = (
        "https://doi.org/10.5281/zenodo.1234",
        "https://doi.org/10.5281/zenodo.5678",
    );
    let chapter = page(&site.join("premier.html"));
    assert_eq!(attrs(&chapter, ".chapter-doi a", "href"), [chapter_url]);
    assert!(attrs(&page(&site.join("second.html")), ".chapter-doi a", "href").is_empty());
    let index = page(&site.join("index.html"));
    assert!(attrs(&index, ".book-meta a", "href").contains(&book_url.to_string()));
    let epub = walk(&book.join("_book"))
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "epub"))
        .unwrap();
    let xhtml = epub_entry(&epub, "EPUB/text/premier.xhtml");
    assert!(
        xhtml.contains(&format!("<a href=\"{chapter_url}\">")),
        "{xhtml}"
    );
    let pdf = compiled_text(&book, &Default::default());
    assert!(pdf.contains(book_url) && pdf.contains(chapter_url), "{pdf}");
    // How to cite: the chapter with its own DOI, the book with the book's.
    assert!(
        texts(&chapter, ".cite-this-reference")
            .join(" ")
            .contains("10.5281/zenodo.5678")
    );
    let url = attrs(&chapter, ".cite-this-download a", "href")[0].clone();
    let bib = std::fs::read_to_string(site.join(&url)).unwrap();
    assert!(
        bib.contains("doi = {10.5281/zenodo.5678}") && !bib.contains("zenodo.1234"),
        "{bib}"
    );
    let url = attrs(&index, ".cite-this-download a", "href")[0].clone();
    let bib = std::fs::read_to_string(site.join(&url)).unwrap();
    assert!(bib.contains("doi = {10.5281/zenodo.1234}"), "{bib}");
    // A book DOI that is none is an error at its line.
    edit(
        book.join("book.toml"),
        "\"10.5281/zenodo.1234\"",
        "\"zenodo 1234\"",
    );
    let out = ouvrage(&book, &["check"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("`zenodo 1234` is not a DOI"), "{stderr}");
    let line = std::fs::read_to_string(book.join("book.toml"))
        .unwrap()
        .lines()
        .position(|l| l.starts_with("doi"))
        .unwrap()
        + 1;
    assert!(stderr.contains(&format!("book.toml:{line}:")), "{stderr}");
}

/// Indexers' metadata (issue 19): Dublin Core on the title page, Google
/// Scholar's `citation_*` tags on each chapter's page, all from the view,
/// and hostile text escaped in their attributes.
#[test]
fn the_site_carries_dublin_core_and_scholar_tags() {
    let (_tmp, book) = fixture("features");
    edit(
        book.join("book.toml"),
        "year = 2026\n",
        "year = 2026\ndoi = \"10.5281/zenodo.1234\"\n",
    );
    edit(
        book.join("chapters/01-premier.md"),
        "title: \"Le premier chapitre\"",
        "title: \"Le premier \\\"chapitre\\\" & co\"\ndoi: 10.5281/zenodo.5678",
    );
    ok(&book, &["build", "--html"]);
    let site = book.join("_book/html");
    let meta = |page: &scraper::Html, name: &str| {
        attrs(page, &format!("meta[name=\"{name}\"]"), "content")
    };
    let index = page(&site.join("index.html"));
    assert_eq!(meta(&index, "DC.title"), ["Livre d'essai"]);
    assert_eq!(meta(&index, "DC.publisher"), ["Éditions d'essai"]);
    assert_eq!(meta(&index, "DC.date"), ["2026"]);
    assert_eq!(meta(&index, "DC.language"), ["fr"]);
    assert!(
        meta(&index, "DC.identifier").contains(&"https://doi.org/10.5281/zenodo.1234".to_string())
    );
    assert!(meta(&index, "citation_title").is_empty());
    let chapter = page(&site.join("premier.html"));
    assert_eq!(
        meta(&chapter, "citation_title"),
        ["Le premier «\u{202f}chapitre\u{202f}» & co"]
    );
    assert_eq!(meta(&chapter, "citation_inbook_title"), ["Livre d'essai"]);
    assert_eq!(meta(&chapter, "citation_doi"), ["10.5281/zenodo.5678"]);
    assert!(!meta(&chapter, "citation_author").is_empty());
    assert!(meta(&index, "DC.title").len() == 1 && meta(&chapter, "DC.title").is_empty());
    let raw = std::fs::read_to_string(site.join("premier.html")).unwrap();
    assert!(
        raw.contains("content=\"Le premier «\u{202f}chapitre\u{202f}» &amp; co\""),
        "the title escaped in the attribute"
    );
}

/// `[book] lists = ["figures", "tables"]` (issue 19): the lists after the
/// contents in the site, the EPUB's navigation (loi, lot) and the PDF, each
/// entry with the number and caption its caption shows, linked to it; in
/// the PDF with its page.
#[test]
fn lists_of_figures_and_tables_follow_the_contents_in_every_output() {
    let (_tmp, book) = fixture("features");
    edit(
        book.join("book.toml"),
        "year = 2026\n",
        "year = 2026\nlists = [\"figures\", \"tables\"]\n",
    );
    ok(&book, &["build", "--html", "--epub"]);
    let site = book.join("_book/html");
    let index = page(&site.join("index.html"));
    let figures = texts(&index, ".list-of-figures li");
    let tables = texts(&index, ".list-of-tables li");
    assert_eq!(figures.len(), 1, "{figures:?}");
    assert!(figures[0].starts_with("Figure 1.1"), "{figures:?}");
    assert!(figures[0].contains("Schéma des acteurs"), "{figures:?}");
    assert_eq!(tables.len(), 1, "{tables:?}");
    assert!(tables[0].starts_with("Tableau 1.1"), "{tables:?}");
    assert_eq!(
        texts(&index, ".list-of h2"),
        ["Liste des figures", "Liste des tableaux"]
    );
    // Every link of the site leads to an anchor that exists.
    assert!(check_site_links(&site) > 0);
    let link = attrs(&index, ".list-of-figures a", "href")[0].clone();
    let (file, anchor) = link.split_once('#').unwrap();
    assert!(!attrs(&page(&site.join(file)), &format!("[id=\"{anchor}\"]"), "id").is_empty());
    let epub = walk(&book.join("_book"))
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "epub"))
        .unwrap();
    let nav = epub_entry(&epub, "EPUB/nav.xhtml");
    assert!(
        nav.contains("epub:type=\"loi\"") && nav.contains("epub:type=\"lot\""),
        "{nav}"
    );
    let stem = file.trim_end_matches(".html");
    assert!(
        nav.contains(&format!("text/{stem}.xhtml#{anchor}")),
        "{nav}"
    );
    // The PDF: the entry's page is the page its figure is on.
    let model = ouvrage::pipeline::load_model(&book, &mut ouvrage::diag::Sink::default());
    let mut session =
        ouvrage::render::typst::Session::for_book(&model, &Default::default()).unwrap();
    let compiled = session.compile(&model, &Default::default()).unwrap();
    let pages = ouvrage::render::typst::text::page_texts(&compiled.document);
    let list = pages
        .iter()
        .find(|p| p.contains("Liste des figures"))
        .expect("the PDF's list of figures");
    assert!(list.contains("Liste des tableaux"), "{list}");
    let entry = &list[list.find("Figure 1.1").expect("its entry")..];
    let page: usize = entry
        .split_whitespace()
        .find(|w| w.chars().all(|c| c.is_ascii_digit()))
        .and_then(|n| n.parse().ok())
        .expect("a page number");
    assert!(
        pages[page - 1].contains("Schéma des acteurs")
            && !pages[page - 1].contains("Liste des figures"),
        "page {page}: {}",
        pages[page - 1]
    );
    // An unknown list is an error at its line.
    edit(book.join("book.toml"), "\"tables\"]", "\"tableaux\"]");
    let out = ouvrage(&book, &["check"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no list of `tableaux`"), "{stderr}");
}

/// A build that typesets the PDF before the site gives each chapter's
/// "how to cite" and BibTeX its first and last page in that PDF; a site
/// built alone has none to give (issue 19).
#[test]
fn how_to_cite_a_chapter_gives_its_pages_in_the_pdf() {
    let (_tmp, book) = fixture("features");
    // APA prints a chapter's pages (hayagriva's Chicago author-date, the
    // default, prints none for a chapter: the BibTeX still has them).
    let toml = std::fs::read_to_string(book.join("book.toml")).unwrap();
    std::fs::write(
        book.join("book.toml"),
        format!("{toml}\n[bibliography]\nstyle = \"apa\"\n"),
    )
    .unwrap();
    ok(&book, &["build", "--pdf", "--html"]);
    let model = ouvrage::pipeline::load_model(&book, &mut ouvrage::diag::Sink::default());
    let mut session =
        ouvrage::render::typst::Session::for_book(&model, &Default::default()).unwrap();
    let compiled = session.compile(&model, &Default::default()).unwrap();
    let ranges = ouvrage::render::typst::offprints::chapter_pages(&compiled.document);
    let (_, pages) = ranges.iter().find(|(id, _)| id == "premier").unwrap();
    let (first, last) = (*pages.start(), *pages.end());
    let site = book.join("_book/html");
    let chapter = page(&site.join("premier.html"));
    let cite = texts(&chapter, ".cite-this-reference").join(" ");
    let printed = if first == last {
        format!("p. {first}")
    } else {
        format!("pp. {first}–{last}")
    };
    assert!(cite.contains(&printed), "{printed} not in {cite}");
    let url = attrs(&chapter, ".cite-this-download a", "href")[0].clone();
    let bib = std::fs::read_to_string(site.join(&url)).unwrap();
    assert!(
        bib.contains(&format!("pages = {{{first}--{last}}}")),
        "{bib}"
    );
    let meta = |name: &str| attrs(&chapter, &format!("meta[name=\"{name}\"]"), "content");
    assert_eq!(meta("citation_firstpage"), [first.to_string()]);
    assert_eq!(meta("citation_lastpage"), [last.to_string()]);
    // The site alone: no pages to give.
    ok(&book, &["build", "--html"]);
    let bib = std::fs::read_to_string(site.join(&url)).unwrap();
    assert!(!bib.contains("pages ="), "{bib}");
}
