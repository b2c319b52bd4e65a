//! The back-of-book index (tests/fixtures/index): the PDF's pages read
//! from the compiled document (page by page, Rust only), the site's and
//! the EPUB's links followed to their anchors, hostile keys kept as text,
//! and the errors at their line. `pdf_conformance.rs` reads the same book
//! with pdftotext.

mod common;

use common::*;

fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Pages as an index prints them: consecutive pages merged (12–14).
fn merged(pages: &[usize]) -> String {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for &p in pages {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == p => *end = p,
            Some((_, end)) if *end == p => {}
            _ => runs.push((p, p)),
        }
    }
    runs.iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}–{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[test]
fn the_pdf_index_gives_the_pages_each_term_is_on_sorted_by_french_collation() {
    let (_tmp, book) = fixture("index");
    let mut sink = ouvrage::diag::Sink::default();
    let model = ouvrage::pipeline::load_model(&book, &mut sink);
    assert!(!sink.has_errors(), "{:?}", sink.diagnostics());
    let mut session =
        ouvrage::render::typst::Session::for_book(&model, &Default::default()).unwrap();
    let compiled = session
        .compile(&model, &Default::default())
        .unwrap_or_else(|e| panic!("{e:?}"));
    let pages = ouvrage::render::typst::text::page_texts(&compiled.document);
    let index_at = pages
        .iter()
        .rposition(|p| p.trim_start().starts_with("Index ") && !p.contains("Index des noms"))
        .expect("an Index page");
    let names_at = pages
        .iter()
        .rposition(|p| p.contains("Index des noms"))
        .expect("an index of names");
    assert!(names_at > index_at);
    let index = squeeze(&pages[index_at]);
    let names = squeeze(&pages[names_at]);
    // The pages (numbered from the first, as the folios are) where the
    // chapters show each marked term.
    let on_pages = |word: &str| -> Vec<usize> {
        pages[..index_at]
            .iter()
            .enumerate()
            .filter(|(_, text)| text.contains(word))
            .map(|(i, _)| i + 1)
            .collect()
    };
    for (term, word) in [
        ("écoles", "écoles"),
        ("coopérative", "Une coopérative"),
        ("économie sociale", "économie sociale"),
        ("zèbre", "zèbre"),
    ] {
        let pages = on_pages(word);
        assert!(!pages.is_empty(), "{word}");
        let expected = format!("{},{}", squeeze(term), merged(&pages));
        assert!(index.contains(&expected), "{expected} not in {index}");
    }
    // The fixture spreads "écoles" over consecutive pages: one range.
    assert!(merged(&on_pages("écoles")).contains('–'));
    let ostrom = on_pages("Ostrom");
    assert_eq!(ostrom.len(), 2, "{ostrom:?}");
    assert!(
        names.contains(&format!("ElinorOstrom,{}", merged(&ostrom))),
        "{names}"
    );
    assert!(!index.contains("ElinorOstrom"), "{index}");
    // French collation: accents and ligatures file with their letters.
    let order = [
        "communs,",
        "gestiondes,",
        "coop.voircoopérative",
        "coopérative,",
        "écoles,",
        "économiesociale,",
        "œuvre,",
        "ouvrage,",
        "zèbre,",
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|t| {
            index
                .find(t)
                .unwrap_or_else(|| panic!("{t} not in {index}"))
        })
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{order:?} at {at:?}");
    assert!(index.contains("voiraussiéconomiesociale"), "{index}");
    // Hostile keys are printed as written, never run.
    for key in [r#"#sys.exit()"q"\]"#, "<script>alert(1)</script>", "a]b"] {
        assert!(index.contains(key), "{key} not in {index}");
    }
}

#[test]
fn the_site_and_the_epub_link_every_entry_to_its_marks() {
    let (_tmp, book) = fixture("index");
    ok(&book, &["build", "--html", "--epub"]);
    let site = book.join("_book/html");
    check_site_links(&site);
    let html = page(&site.join("book-index.html"));
    let links = attrs(&html, ".book-index-subjects a[href]", "href");
    assert!(
        links.contains(&"premier.html#index-1".to_string()),
        "{links:?}"
    );
    // Each mark of "écoles" is linked: the chapter's first, then the others.
    let ecoles = texts(&html, "#index-subjects li");
    assert!(
        ecoles
            .iter()
            .any(|t| t.starts_with("écoles, Premier chapitre 2 3")),
        "{ecoles:?}"
    );
    for link in &links {
        let Some((file, anchor)) = link.split_once('#') else {
            continue;
        };
        if file.is_empty() {
            assert!(ids(&html).contains(anchor), "{link}");
            continue;
        }
        let target = page(&site.join(file));
        assert!(
            !texts(&target, &format!("span.index-term#{anchor}")).is_empty(),
            "{link} is no index term"
        );
    }
    let raw = std::fs::read_to_string(site.join("book-index.html")).unwrap();
    assert!(
        raw.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{raw}"
    );
    assert!(!raw.contains("<script>alert"));
    let home = page(&site.join("index.html"));
    assert!(attrs(&home, "a[href]", "href").contains(&"book-index.html#index-names".to_string()));

    // The EPUB: the index document, in the spine and the navigation, its
    // links resolved in the chapters' documents.
    let epub = epub_in(&book.join("_book"));
    let doc = epub_entry(&epub, "EPUB/book-index.xhtml");
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let xml = roxmltree::Document::parse_with_options(&doc, options).expect("well-formed XHTML");
    let mut checked = 0;
    for a in xml.descendants().filter(|n| n.has_tag_name("a")) {
        let href = a.attribute("href").unwrap();
        let (file, anchor) = href.split_once('#').unwrap();
        if file.is_empty() {
            continue;
        }
        let chapter = epub_entry(&epub, &format!("EPUB/{file}"));
        assert!(
            chapter.contains(&format!("id=\"{anchor}\"")),
            "{href} has no anchor"
        );
        checked += 1;
    }
    assert!(checked >= 10, "{checked}");
    assert!(doc.contains("&lt;script&gt;"), "{doc}");
    let nav = epub_entry(&epub, "EPUB/nav.xhtml");
    assert!(nav.contains("book-index.xhtml#index-subjects"), "{nav}");
    let opf = epub_entry(&epub, "EPUB/package.opf");
    assert!(opf.contains("<itemref idref=\"book-index\""), "{opf}");
}

#[test]
fn an_empty_key_and_a_see_to_nowhere_are_errors_at_their_line() {
    let (_tmp, book) = fixture("index");
    std::fs::write(
        book.join("chapters/04-fautes.md"),
        "---\ntitle: Fautes\n---\n\nUn [terme]{.index key=\"communs, \"} et\nun [renvoi]{.index see=\"nulle part\"}.\n",
    )
    .unwrap();
    let out = ouvrage(&book, &["check"]);
    assert!(!out.status.success());
    let (stdout, stderr) = text(&out);
    let all = format!("{stdout}{stderr}");
    assert!(
        all.contains("the index key `communs, ` has an empty level"),
        "{all}"
    );
    assert!(all.contains("04-fautes.md:5:4"), "{all}");
    assert!(
        all.contains("`see=\"nulle part\"` points to no entry of the index"),
        "{all}"
    );
    assert!(all.contains("04-fautes.md:6:4"), "{all}");
}

/// The index shows the marks of a chapter's text, not of its translated
/// title or abstract: a `see` to a term marked only there points nowhere,
/// and is an error as such (it passed, and the index linked to nothing).
#[test]
fn a_see_to_a_term_marked_only_in_a_translation_is_an_error() {
    let (_tmp, book) = fixture("index");
    std::fs::write(
        book.join("chapters/04-fautes.md"),
        "---\ntitle: Fautes\nabstract:\n  fr: Un résumé.\n  en: \"An [elsewhere]{.index} abstract.\"\n---\n\nUn [renvoi]{.index see=\"elsewhere\"}.\n",
    )
    .unwrap();
    let out = ouvrage(&book, &["check"]);
    let (stdout, stderr) = text(&out);
    let all = format!("{stdout}{stderr}");
    assert!(!out.status.success(), "{all}");
    assert!(
        all.contains("`see=\"elsewhere\"` points to no entry of the index"),
        "{all}"
    );
    assert!(all.contains("04-fautes.md:8:4"), "{all}");
}

#[test]
fn each_page_number_of_the_pdf_index_is_a_link() {
    let (_tmp, book) = fixture("index");
    ok(&book, &["build", "--pdf"]);
    let doc = lopdf::Document::load(book.join("_book/livre-indexe.pdf")).unwrap();
    let pages: Vec<_> = doc.get_pages().into_values().collect();
    // The two indexes are the last pages (each on a recto, after a blank).
    let links: usize = pages[pages.len() - 4..]
        .iter()
        .map(|&page| {
            let dict = doc.get_dictionary(page).unwrap();
            let Ok(annots) = dict.get(b"Annots") else {
                return 0;
            };
            let annots = match annots {
                lopdf::Object::Reference(r) => doc.get_object(*r).unwrap().as_array().unwrap(),
                other => other.as_array().unwrap(),
            };
            annots
                .iter()
                .filter(|a| {
                    let d = match a {
                        lopdf::Object::Reference(r) => doc.get_dictionary(*r).unwrap(),
                        other => other.as_dict().unwrap(),
                    };
                    d.get(b"Subtype").and_then(|s| s.as_name()).ok() == Some(&b"Link"[..])
                })
                .count()
        })
        .sum();
    // Page numbers in the fixture's indexes: 3 hostile keys, communs,
    // gestion des, coopérative and Coopérative, écoles' range (its two
    // ends), économie sociale, œuvre, ouvrage, zèbre (13); Ostrom's two.
    assert_eq!(links, 15);
}

#[test]
fn a_mark_in_a_title_is_text_and_no_entry() {
    let (_tmp, book) = fixture("index");
    edit(
        book.join("chapters/03-troisieme.md"),
        "title: Troisième chapitre",
        "title: \"Le [titre]{.index} du troisième\"",
    );
    ok(&book, &["build", "--html"]);
    let site = book.join("_book/html");
    check_site_links(&site);
    let chapter = std::fs::read_to_string(site.join("troisieme.html")).unwrap();
    assert!(chapter.contains("Le titre du troisième"), "{chapter}");
    assert!(!chapter.contains("id=\"\""));
    let index = page(&site.join("book-index.html"));
    assert!(!texts(&index, ".index-term").iter().any(|t| t == "titre"));
}

#[test]
fn span_attributes_that_cannot_be_read_are_a_warning_at_their_brace() {
    let (_tmp, book) = fixture("index");
    std::fs::write(
        book.join("chapters/04-avertis.md"),
        "---\ntitle: Avertis\n---\n\nUn [terme]{.index key=\"*x*\"} et\nun [autre]{.index lang=fr}.\n",
    )
    .unwrap();
    let out = ouvrage(&book, &["check"]);
    let (stdout, stderr) = text(&out);
    let all = format!("{stdout}{stderr}");
    assert!(out.status.success(), "{all}");
    assert_eq!(
        all.matches("these span attributes cannot be read").count(),
        2,
        "{all}"
    );
    assert!(all.contains("04-avertis.md:5:11"), "{all}");
    assert!(all.contains("04-avertis.md:6:11"), "{all}");
}
