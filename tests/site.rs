//! The HTML site, checked by its content.

mod common;

use common::*;

#[test]
fn sample_book_builds_and_every_link_resolves() {
    let (_tmp, book) = sample_book();
    ok(&book, &["build", "--html"]);
    let site = book.join("_book/html");
    let index = page(&site.join("index.html"));
    let toc_titles = texts(&index, ".toc a[href$='.html']");
    let chapters = walk(&book.join("chapters"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .count();
    assert!(chapters >= 9, "the sample has {chapters} chapters");
    for id in [
        "introduction",
        "transition-nourriciere",
        "fablabs",
        "centres-de-sante",
        "definition",
        "mouvement-associatif",
        "services-publics",
        "service-public-sans-capture",
        "ecoles-italie",
    ] {
        let file = site.join(format!("{id}.html"));
        assert!(file.is_file(), "no page for {id}");
        let chapter = page(&file);
        assert_eq!(texts(&chapter, "h1").len(), 1, "{id} has one title");
        assert!(
            attrs(&index, "a", "href")
                .iter()
                .any(|h| h == &format!("{id}.html")),
            "index links to {id}"
        );
    }
    assert!(toc_titles.len() >= 9, "{toc_titles:?}");
    // Authors appear in the table of contents.
    let index_text = texts(&index, "main").join(" ");
    for name in [
        "Julie Lequin",
        "Matei Gheorghiu",
        "Dominique Acker",
        "Benjamin Coriat",
        "Nicole Alix",
        "Jean-Claude Boual",
        "Thomas Perroud",
        "Daniela Ciaffi",
        "Emanuela Saporito",
        "Ianira Vasallo",
    ] {
        assert!(index_text.contains(name), "{name} missing from the index");
    }
    let italian = page(&site.join("ecoles-italie.html"));
    assert_eq!(attrs(&italian, "html", "lang"), ["it"]);
    let checked = check_site_links(&site);
    assert!(checked > 50, "only {checked} links checked");
}

#[test]
fn features_reach_the_site() {
    let (_tmp, book) = fixture("features");
    ok(&book, &["build", "--html"]);
    let site = book.join("_book/html");
    check_site_links(&site);

    let index = page(&site.join("index.html"));
    let toc = texts(&index, "main").join(" ");
    assert!(
        toc.contains("Première partie") && toc.contains("Altrove"),
        "parts in the toc: {toc}"
    );
    assert!(toc.contains("Ana Autrice"), "authors in the toc");

    let first = page(&site.join("premier.html"));
    assert_eq!(attrs(&first, "html", "lang"), ["fr"]);
    // Footnotes with back-links; the note referenced twice keeps unique ids.
    assert_eq!(
        attrs(&first, "sup.footnote-ref a", "href"),
        ["#fn-1", "#fn-2", "#fn-1"]
    );
    let ref_ids = attrs(&first, "sup.footnote-ref a", "id");
    assert_eq!(ref_ids.len(), 3);
    assert_eq!(
        ref_ids
            .iter()
            .collect::<std::collections::HashSet<_>>()
            .len(),
        3,
        "{ref_ids:?}"
    );
    assert!(texts(&first, "#fn-1").join("").contains("Première note."));
    assert!(attrs(&first, "#fn-1 a", "href").contains(&"#fnref-1".to_string()));
    // Figure and table with numbers and captions.
    let fig = texts(&first, "figure#fig\\:schema figcaption").join("");
    assert!(
        fig.contains("Figure 1.1") && fig.contains("Schéma des acteurs"),
        "{fig}"
    );
    assert_eq!(
        attrs(&first, "figure#fig\\:schema img", "src"),
        ["chapters/images/schema.svg"]
    );
    assert!(site.join("chapters/images/schema.svg").is_file());
    let table = texts(&first, "figure#tbl\\:budget figcaption").join("");
    assert!(
        table.contains("Tableau 1.1") && table.contains("Budget du projet"),
        "{table}"
    );
    assert_eq!(
        attrs(&first, "td", "style"),
        ["text-align:left", "text-align:right"]
    );
    // Sections are numbered; the abstract, the authors and the affiliation are shown.
    assert!(texts(&first, "h2#sec\\:methode").join("").contains("1.1"));
    let main = texts(&first, "main").join(" ");
    assert!(main.contains("Un résumé avec de"), "abstract");
    assert!(main.contains("Université d'essai"), "affiliation");
    // Cross-chapter link to a page and an anchor.
    assert!(attrs(&first, "a", "href").contains(&"second.html#resultats".to_string()));
    // Previous/next.
    assert_eq!(attrs(&first, "a[rel=prev]", "href"), ["avant-propos.html"]);
    assert_eq!(attrs(&first, "a[rel=next]", "href"), ["second.html"]);

    let italian = page(&site.join("scuola.html"));
    assert_eq!(attrs(&italian, "html", "lang"), ["it"]);

    let people = page(&site.join("contributors.html"));
    assert!(attrs(&people, "[id]", "id").contains(&"ana".to_string()));
    assert_eq!(
        texts(&people, "#ed em"),
        ["livre d’essai"],
        "bio rendered from Markdown, with the book's typography"
    );
}

#[test]
fn no_script_from_a_chapter_reaches_the_site() {
    for policy in ["escape", "sanitize"] {
        let (_tmp, book) = fixture("features");
        edit(
            book.join("book.toml"),
            "[html]\n",
            &format!("[html]\nraw-html = \"{policy}\"\n"),
        );
        ok(&book, &["build", "--html"]);
        let html = std::fs::read_to_string(book.join("_book/html/premier.html")).unwrap();
        let parsed = page(&book.join("_book/html/premier.html"));
        // The only script of the page is the site's own search.
        assert_eq!(attrs(&parsed, "script", "src"), ["search.js"], "{policy}");
        assert_eq!(
            texts(&parsed, "script").join("").trim(),
            "",
            "{policy}: inline script"
        );
        let urls: Vec<String> = attrs(&parsed, "[href]", "href")
            .into_iter()
            .chain(attrs(&parsed, "[src]", "src"))
            .collect();
        assert!(
            !urls.iter().any(|u| u.to_lowercase().contains("javascript")),
            "{policy}: javascript: link emitted: {urls:?}"
        );
        assert!(
            attrs(&parsed, "[onclick]", "onclick").is_empty(),
            "{policy}: event handler emitted"
        );
        if policy == "escape" {
            assert!(
                html.contains("&lt;script&gt;"),
                "escaped script shown as text"
            );
        } else {
            assert!(
                texts(&parsed, "main").join("").contains("bloc HTML"),
                "sanitized block keeps its text"
            );
        }
    }
}

/// Issue 22, point 1: raw HTML in a GFM table cell (and a heading) went
/// round the sanitizer, which cleaned paragraphs only. Every container is
/// cleaned now, under `sanitize` as under `allow` (which lets markup
/// through, but never what runs code).
#[test]
fn raw_html_in_a_table_cell_or_a_heading_runs_nothing_under_any_policy() {
    for policy in ["sanitize", "allow"] {
        let (_tmp, book) = fixture("minimal");
        std::fs::write(
            book.join("book.toml"),
            format!("[book]\ntitle = \"Minimal\"\n\n[html]\nraw-html = \"{policy}\"\n"),
        )
        .unwrap();
        std::fs::write(
            book.join("chapters/seul.md"),
            "---\ntitle: Seul\n---\n\n\
             | <script>alert(1)</script> | <img src=\"https://x.invalid/a.png\" onerror=alert(2)> |\n\
             |---|---|\n\
             | <b>gras</b> | <a href=\"javascript:alert(3)\">lien</a> |\n\n\
             ## Titre <img src=\"https://x.invalid/b.png\" onerror=alert(4)>\n",
        )
        .unwrap();
        ok(&book, &["build", "--html", "--epub"]);
        let site = page(&book.join("_book/html/seul.html"));
        let epub = scraper::Html::parse_document(&epub_entry(
            &epub_in(&book.join("_book")),
            "EPUB/text/seul.xhtml",
        ));
        for (output, doc) in [("site", &site), ("EPUB", &epub)] {
            let scripts = texts(doc, "main script, .chapter-body script").join("");
            assert_eq!(scripts, "", "{policy}: {output}: script kept");
            assert!(
                attrs(doc, "[onerror]", "onerror").is_empty(),
                "{policy}: {output}: onerror kept"
            );
            assert!(
                !attrs(doc, "a[href]", "href")
                    .iter()
                    .any(|h| h.starts_with("javascript")),
                "{policy}: {output}: javascript: kept"
            );
            // What is not active stays: the bold text, the link's text.
            assert_eq!(texts(doc, "td b"), ["gras"], "{policy}: {output}");
            assert!(
                texts(doc, "td").join(" ").contains("lien"),
                "{policy}: {output}"
            );
        }
        // And the site's images (the EPUB embeds no remote image).
        assert_eq!(
            attrs(&site, "th img, h2 img", "src"),
            ["https://x.invalid/a.png", "https://x.invalid/b.png"],
            "{policy}"
        );
    }
}

#[test]
fn search_index_lists_sections() {
    let (_tmp, book) = fixture("features");
    ok(&book, &["build", "--html"]);
    let json = std::fs::read_to_string(book.join("_book/html/search-index.json")).unwrap();
    let index: serde_json::Value = serde_json::from_str(&json).unwrap();
    let docs = index["docs"].as_array().unwrap();
    let methode = docs
        .iter()
        .find(|d| d["url"] == "premier.html#sec:methode")
        .expect("a doc for the Méthode section");
    assert_eq!(methode["chapter"], "Le premier chapitre");
    assert_eq!(methode["section"], "Méthode");
    assert!(
        methode["text"]
            .as_str()
            .unwrap()
            .contains("Budget du projet")
    );
    assert!(book.join("_book/html/search-index.js").is_file());
    assert!(book.join("_book/html/search.js").is_file());
}

#[test]
fn a_failed_build_leaves_the_previous_site() {
    let (_tmp, book) = fixture("features");
    ok(&book, &["build", "--html"]);
    let before = std::fs::read_to_string(book.join("_book/html/premier.html")).unwrap();
    // Break the book: an unknown contributor.
    edit(
        book.join("chapters/01-premier.md"),
        "authors: [ana]",
        "authors: [anna]",
    );
    let out = ouvrage(&book, &["build", "--html"]);
    assert_eq!(out.status.code(), Some(1));
    let after = std::fs::read_to_string(book.join("_book/html/premier.html")).unwrap();
    assert_eq!(before, after);
    // No staging folder is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(book.join("_book"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(leftovers, ["html"]);
}

#[test]
fn a_broken_user_template_is_an_error_at_its_line_and_keeps_the_site() {
    let (_tmp, book) = fixture("features");
    ok(&book, &["build", "--html"]);
    std::fs::create_dir_all(book.join("templates")).unwrap();
    std::fs::write(
        book.join("templates/index.html"),
        "<p>ok</p>\n{% for x in %}\n",
    )
    .unwrap();
    let out = ouvrage(&book, &["build", "--html"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("templates/index.html:2:"), "{stderr}");
    assert!(book.join("_book/html/premier.html").is_file());
    // A valid override replaces the built-in template.
    std::fs::write(
        book.join("templates/index.html"),
        "{% extends \"layout.html\" %}{% block content %}<p id=\"mine\">{{ book.title }}</p>{% endblock %}",
    )
    .unwrap();
    ok(&book, &["build", "--html"]);
    let index = page(&book.join("_book/html/index.html"));
    assert_eq!(texts(&index, "#mine"), ["Livre d'essai"]);
}

#[test]
fn typography_follows_each_chapters_language_in_the_site_and_the_pdf() {
    let (_tmp, book) = fixture("minimal");
    std::fs::write(
        book.join("chapters/seul.md"),
        "---\ntitle: Seul\nlang: fr\n---\n\nVoici la question : pourquoi ? Parce que ! \
         Il a dit \"oui\" ; l'accord vaut 12 % du budget. Le code `a : \"b\" ?` reste.\n",
    )
    .unwrap();
    std::fs::write(
        book.join("chapters/02-italiano.md"),
        "---\ntitle: Italiano\nlang: it\n---\n\nLa \"scuola\" dell'arte.\n",
    )
    .unwrap();
    ok(&book, &["build", "--html"]);
    let fr = std::fs::read_to_string(book.join("_book/html/seul.html")).unwrap();
    for expected in [
        "question\u{a0}: pourquoi\u{202f}? Parce que\u{202f}!",
        "«\u{202f}oui\u{202f}»\u{202f}; l’accord vaut 12\u{a0}% du budget",
        "<code>a : \"b\" ?</code>",
    ] {
        assert!(fr.contains(expected), "missing {expected:?} in\n{fr}");
    }
    let it = std::fs::read_to_string(book.join("_book/html/italiano.html")).unwrap();
    assert!(it.contains("La «scuola» dell’arte."), "{it}");

    let pdf = compiled_text(&book, &Default::default());
    assert!(pdf.contains("pourquoi\u{202f}?"), "{pdf}");
    assert!(pdf.contains("«\u{202f}oui\u{202f}»"), "{pdf}");
    assert!(pdf.contains("La «scuola» dell’arte"), "{pdf}");
    assert!(pdf.contains("a : \"b\" ?"), "code stays as written: {pdf}");
}

/// `[html] base-url`: every page names its canonical address and the site
/// has a sitemap; a base that is no site's address is an error at its line.
#[test]
fn a_base_url_gives_canonical_links_and_a_sitemap() {
    let (_tmp, book) = fixture("features");
    edit(
        book.join("book.toml"),
        "[html]\n",
        "[html]\nbase-url = \"https://livre.example.org/essai\"\n",
    );
    ok(&book, &["build", "--html"]);
    let site = book.join("_book/html");
    let premier = page(&site.join("premier.html"));
    assert_eq!(
        attrs(&premier, "link[rel=canonical]", "href"),
        ["https://livre.example.org/essai/premier.html"]
    );
    let sitemap = std::fs::read_to_string(site.join("sitemap.xml")).unwrap();
    let doc = roxmltree::Document::parse(&sitemap).unwrap();
    let locs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text())
        .collect();
    for name in ["index.html", "premier.html", "contributors.html"] {
        assert!(
            locs.contains(&format!("https://livre.example.org/essai/{name}").as_str()),
            "{locs:?}"
        );
    }
    // Without a base, neither.
    edit(
        book.join("book.toml"),
        "base-url = \"https://livre.example.org/essai\"\n",
        "base-url = \"livre.example.org\"\n",
    );
    let out = ouvrage(&book, &["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).1.contains("is not the address of a site"));
    edit(
        book.join("book.toml"),
        "base-url = \"livre.example.org\"\n",
        "",
    );
    ok(&book, &["build", "--html"]);
    assert!(!site.join("sitemap.xml").exists());
    assert!(
        attrs(
            &page(&site.join("premier.html")),
            "link[rel=canonical]",
            "href"
        )
        .is_empty()
    );
}

/// What screen readers and search engines read: every page's description,
/// the search box as a combobox, named task checkboxes, focusable and
/// named boxes for what scrolls, reference entries without the deprecated
/// role. The conformance test (`site_conformance.rs`) runs the reference
/// tools; this one pins the markup with Rust alone.
#[test]
fn pages_name_what_assistive_technology_reads() {
    let (_tmp, book) = fixture("features");
    ok(&book, &["build", "--html"]);
    let site = book.join("_book/html");
    for file in [
        "index.html",
        "premier.html",
        "second.html",
        "contributors.html",
    ] {
        let html = page(&site.join(file));
        let descriptions = attrs(&html, "meta[name=description]", "content");
        assert_eq!(descriptions.len(), 1, "{file}: {descriptions:?}");
        assert!(!descriptions[0].trim().is_empty(), "{file}");
        // The search box: a combobox on a text input (ARIA in HTML gives
        // `type=search` the searchbox role only), controlling a listbox.
        assert_eq!(attrs(&html, "#search-input", "type"), ["text"], "{file}");
        assert_eq!(attrs(&html, "#search-input", "role"), ["combobox"]);
        assert_eq!(
            attrs(&html, "#search-input", "aria-controls"),
            ["search-results"]
        );
        assert_eq!(attrs(&html, "#search-input", "aria-expanded"), ["false"]);
        assert_eq!(attrs(&html, "#search-results", "role"), ["listbox"]);
    }
    let description =
        |file: &str| attrs(&page(&site.join(file)), "meta[name=description]", "content");
    // The abstract, as printed (typography applied); else the first
    // paragraph of the text, not the task list before it.
    assert_eq!(
        description("premier.html"),
        ["Un résumé avec de l’emphase."]
    );
    assert_eq!(description("second.html"), ["Du barré et du code."]);
    assert_eq!(
        description("index.html"),
        ["Livre d'essai\u{a0}: Toutes les fonctions. Sous la direction de Edith Éditrice."]
    );

    let second = page(&site.join("second.html"));
    assert_eq!(
        attrs(&second, "input[type=checkbox]", "aria-label"),
        ["Tâche faite", "Tâche à faire"]
    );
    // A code block scrolls sideways: the keyboard reaches it, and it is named.
    assert_eq!(attrs(&second, "pre", "tabindex"), ["0"]);
    assert_eq!(attrs(&second, "pre", "role"), ["group"]);
    assert_eq!(attrs(&second, "pre", "aria-label"), ["Code (rust)"]);
    let first = page(&site.join("premier.html"));
    assert_eq!(attrs(&first, ".table-wrap", "tabindex"), ["0"]);
    assert_eq!(
        attrs(&first, ".table-wrap", "aria-label"),
        ["Tableau 1.1 Budget du projet"]
    );

    // Reference entries: list items, without DPUB-ARIA 1.1's deprecated role.
    let (_tmp, sample) = sample_book();
    ok(&sample, &["build", "--html"]);
    let site = sample.join("_book/html");
    let mut entries = 0;
    for file in walk(&site) {
        let name = file.to_string_lossy();
        if !name.ends_with(".html") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(!text.contains("doc-biblioentry"), "{name}");
        entries += page(&file)
            .select(&scraper::Selector::parse(".references-list > li[id^=ref-]").unwrap())
            .count();
    }
    assert!(entries > 10, "{entries} reference entries");
}

/// A cross-reference to a section without a number prints its title in the
/// quotation marks of the chapter's language, in the site and the PDF.
#[test]
fn a_section_reference_without_number_is_quoted_in_the_chapters_language() {
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path();
    std::fs::create_dir(book.join("chapters")).unwrap();
    std::fs::write(
        book.join("book.toml"),
        "[book]\ntitle = \"Quotes\"\nlanguage = \"en\"\n",
    )
    .unwrap();
    std::fs::write(
        book.join("chapters/01-preface.md"),
        "---\ntitle: Preface\nnumbered: false\n---\n\n## How to read {#sec:read}\n\nText.\n",
    )
    .unwrap();
    for (file, lang) in [("02-en.md", "en"), ("03-it.md", "it"), ("04-fr.md", "fr")] {
        std::fs::write(
            book.join("chapters").join(file),
            format!("---\ntitle: T {lang}\nlang: {lang}\n---\n\nSee @sec:read.\n"),
        )
        .unwrap();
    }
    ok(book, &["build", "--html"]);
    for (page_name, expected) in [
        ("en.html", "section “How to read”"),
        ("it.html", "sezione «How to read»"),
        ("fr.html", "section «\u{202f}How to read\u{202f}»"),
    ] {
        let html = page(&book.join("_book/html").join(page_name));
        let text = texts(&html, "main p").join(" ");
        assert!(text.contains(expected), "{page_name}: {text}");
    }
    let model = ouvrage::pipeline::load_model(book, &mut ouvrage::diag::Sink::default());
    let typst = model_text(&model, &Default::default());
    assert!(typst.contains("“How to read”"), "{typst}");
    assert!(typst.contains("«How to read»"), "{typst}");
}

/// Every `href` and `src` of the built site, read raw (no character
/// reference decoded, as a link checker or a script reads it), names a file
/// that exists: no `cite&#x2f;book.bib`.
#[test]
fn raw_attributes_name_files_that_exist() {
    let (_tmp, book) = sample_book();
    ok(&book, &["build", "--html"]);
    let site = book.join("_book/html");
    let mut checked = 0;
    let mut problems = Vec::new();
    for file in walk(&site) {
        if file.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for attr in [" href=\"", " src=\""] {
            for (at, _) in text.match_indices(attr) {
                let value = &text[at + attr.len()..];
                let value = &value[..value.find('"').unwrap()];
                if value.contains("://")
                    || value.starts_with('#')
                    || value.starts_with("mailto:")
                    || value.starts_with("data:")
                    || value.is_empty()
                {
                    continue;
                }
                let path = value.split('#').next().unwrap();
                let decoded = percent_encoding::percent_decode_str(path)
                    .decode_utf8()
                    .unwrap()
                    .into_owned();
                checked += 1;
                if !file.parent().unwrap().join(&decoded).exists() {
                    problems.push(format!("{}: {value}", file.display()));
                }
            }
        }
    }
    assert!(checked > 50, "{checked}");
    assert!(problems.is_empty(), "{problems:#?}");
}
