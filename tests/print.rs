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

// ─── Issue 28: what a printer would reject ─────────────────────────────────

/// A minimal book whose one chapter is `markdown`, with `toml` added to
/// its book.toml, and the print fixture's images.
fn book_with(markdown: &str, toml: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, book) = fixture("minimal");
    std::fs::write(book.join("chapters/seul.md"), markdown).unwrap();
    let images = repo_root().join("tests/fixtures/print/chapters/images");
    copy_dir(&images, &book.join("chapters/images"));
    let config = std::fs::read_to_string(book.join("book.toml")).unwrap() + "\n" + toml;
    std::fs::write(book.join("book.toml"), config).unwrap();
    (tmp, book)
}

fn pdf_text(book: &std::path::Path) -> String {
    compiled_text(book, &PdfOptions::default())
}

#[test]
fn undrawn_characters_are_errors_at_their_lines_until_fallback_fonts_draw_them() {
    let (_tmp, book) = fixture("scripts");
    // Without fonts: the emoji and the CJK word are errors at their
    // columns, naming the characters and their blocks; the Devanagari word
    // is drawn (Typst's embedded New Computer Modern Math covers the block).
    let out = ouvrage(&book, &["check", "--print"]);
    let (stdout, stderr) = text_of(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("chapters/01-langues.md:6:10"), "{stderr}");
    assert!(stderr.contains("`😀` (U+1F600, Emoticons)"), "{stderr}");
    assert!(stderr.contains("chapters/01-langues.md:8:21"), "{stderr}");
    assert!(
        stderr.contains("`漢字` (U+6F22 U+5B57, CJK Unified Ideographs)"),
        "{stderr}"
    );
    assert!(!stderr.contains("01-langues.md:10:"), "{stderr}");
    assert!(stderr.contains("Noto Sans CJK SC"), "{stderr}");
    assert!(
        (stdout.clone() + &stderr).contains("glyphs: 2 undrawn"),
        "{stdout}{stderr}"
    );
    // The build refuses it too, PDF/A or not.
    let out = ouvrage(&book, &["build", "--pdf"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!book.join("_book").join("ecritures-du-monde.pdf").exists());

    // A fallback font that is nowhere is an error at its book.toml line.
    let toml = std::fs::read_to_string(book.join("book.toml")).unwrap();
    std::fs::write(
        book.join("book.toml"),
        toml.clone() + "fallback-fonts = [\"Noto Sans CJK SK\"]\n",
    )
    .unwrap();
    let out = ouvrage(&book, &["check", "--print"]);
    let (_, stderr) = text_of(&out);
    assert!(stderr.contains("book.toml:8:19"), "{stderr}");
    assert!(
        stderr.contains("no font of the family `Noto Sans CJK SK`"),
        "{stderr}"
    );

    // With the fonts in fonts/ and named: every character is drawn.
    let fonts = book.join("fonts");
    std::fs::create_dir_all(&fonts).unwrap();
    for f in std::fs::read_dir(book.join("fallback")).unwrap() {
        let f = f.unwrap().path();
        if f.extension().is_some_and(|e| e == "ttf" || e == "otf") {
            std::fs::copy(&f, fonts.join(f.file_name().unwrap())).unwrap();
        }
    }
    std::fs::write(
        book.join("book.toml"),
        toml + "fallback-fonts = [\"Noto Sans Devanagari\", \"Noto Sans CJK SC\", \"Noto Color Emoji\"]\n",
    )
    .unwrap();
    let out = ok(&book, &["check", "--print"]);
    assert!(out.contains("glyphs: 0 undrawn"), "{out}");
    assert!(out.contains("0 errors"), "{out}");
    ok(&book, &["build", "--pdf"]);
    let text = pdf_text(&book);
    for word in ["😀", "漢字", "नमस्ते"] {
        assert!(text.contains(word), "{word} in {text}");
    }
}

#[test]
fn comments_images_and_anchors_of_raw_html_under_every_policy() {
    let md = "---\ntitle: Brut\n---\n\n<!-- note: never print this -->\n\nAvant <!-- inline secret --> après, et <a id=\"ancien\"></a>une ancre.\n\n<p align=\"center\">\n<img src=\"images/schema.svg\" alt=\"Un schéma en HTML\" width=\"200\">\n</p>\n\nVoir [l'ancre](#ancien).\n\n<kbd>Ctrl</kbd> reste du HTML.\n";
    for policy in ["escape", "sanitize", "allow"] {
        let (_tmp, book) = book_with(md, &format!("[html]\nraw-html = \"{policy}\"\n"));
        let out = ok(&book, &["build", "--html", "--pdf", "--epub"]);
        // Under escape, the HTML left is a warning at its line.
        assert_eq!(
            out.contains("chapters/seul.md:15:1") && out.contains("printed as text"),
            policy == "escape",
            "{policy}: {out}"
        );
        let html = std::fs::read_to_string(book.join("_book/html/seul.html")).unwrap();
        let mut epub = String::new();
        let file = std::fs::File::open(book.join("_book/minimal.epub")).unwrap();
        let mut zip = zip::ZipArchive::new(file).unwrap();
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).unwrap();
            if entry.name().unwrap().ends_with(".xhtml") {
                std::io::Read::read_to_string(&mut entry, &mut epub).unwrap();
            }
        }
        let pdf = pdf_text(&book);
        for (name, output) in [("site", &html), ("epub", &epub), ("pdf", &pdf)] {
            assert!(!output.contains("never print"), "{policy} {name}");
            assert!(!output.contains("inline secret"), "{policy} {name}");
            assert!(!output.contains("<!--"), "{policy} {name}");
        }
        // The <img> is a numbered figure in every output.
        let site = page(&book.join("_book/html/seul.html"));
        assert_eq!(
            attrs(&site, "figure img", "src"),
            ["chapters/images/schema.svg"],
            "{policy}"
        );
        assert!(epub.contains("<figure"), "{policy}");
        assert!(pdf.contains("Un schéma en HTML"), "{policy}: {pdf}");
        // The anchor is one: the link to it resolves.
        assert!(ids(&site).contains("ancien"), "{policy}");
        assert!(html.contains("href=\"#ancien\""), "{policy}");
    }
}

#[test]
fn a_long_code_line_wraps_with_a_mark_and_every_character_once() {
    // 200 columns, no piece of which repeats: x000x001…x039.
    let line: String = (0..40).map(|i| format!("x{i:03}y")).collect();
    let line = format!("    {line}");
    let md = format!("---\ntitle: Code\n---\n\n```text\nshort\n{line}\n```\n");
    let (_tmp, book) = book_with(&md, "");
    let text = pdf_text(&book);
    assert!(text.contains('↪'), "{text}");
    // The code's text, marks and indentation taken out, is the line once.
    let start = text.find("short").unwrap() + "short".len();
    let code: String = text[start..]
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(line.trim().len())
        .collect();
    assert_eq!(code, line.trim());
    assert_eq!(text.matches(&line.trim()[..40]).count(), 1);
    // check --print lists it at its line; "error" refuses it.
    let out = ok(&book, &["check", "--print"]);
    assert!(out.contains("chapters/seul.md:7:1"), "{out}");
    assert!(out.contains("204 characters long"), "{out}");
    assert!(out.contains("code: 1 line(s) wrap"), "{out}");
    edit(
        book.join("book.toml"),
        "\n\n",
        "\n[pdf]\ncode-overflow = \"error\"\n",
    );
    let out = ouvrage(&book, &["build", "--pdf"]);
    let (_, stderr) = text_of(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("chapters/seul.md:7:1"), "{stderr}");
}

#[test]
fn a_title_with_backticks_prints_as_code_and_as_plain_text() {
    let md = "---\ntitle: \"Using `Box<T>` for *recursion*\"\n---\n\nText.\n";
    let (_tmp, book) = book_with(md, "");
    ok(&book, &["build", "--html", "--pdf", "--epub"]);
    let text = pdf_text(&book);
    assert!(text.contains("Box<T>"), "{text}");
    assert!(!text.contains('`'), "{text}");
    // Bookmarks.
    let doc = lopdf::Document::load(book.join("_book/minimal.pdf")).unwrap();
    let mut titles = Vec::new();
    for object in doc.objects.values() {
        if let Ok(dict) = object.as_dict()
            && let Ok(lopdf::Object::String(bytes, _)) = dict.get(b"Title")
            && dict.has(b"Parent")
        {
            titles.push(
                lopdf::decode_text_string(&lopdf::Object::String(
                    bytes.clone(),
                    lopdf::StringFormat::Literal,
                ))
                .unwrap_or_default(),
            );
        }
    }
    assert!(
        titles
            .iter()
            .any(|t| t.contains("Using Box<T> for recursion")),
        "{titles:?}"
    );
    assert!(titles.iter().all(|t| !t.contains('`') && !t.contains('*')));
    // The site: <title> plain, the heading as code and emphasis.
    let site = page(&book.join("_book/html/seul.html"));
    let title = texts(&site, "title");
    assert!(
        title[0].starts_with("Using Box<T> for recursion ·"),
        "{title:?}"
    );
    assert_eq!(texts(&site, "h1.chapter-title code"), ["Box<T>"]);
    assert_eq!(texts(&site, "h1.chapter-title em"), ["recursion"]);
    // The EPUB's navigation: plain.
    let file = std::fs::File::open(book.join("_book/minimal.epub")).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut nav = String::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        if entry.name().unwrap().ends_with("nav.xhtml") {
            std::io::Read::read_to_string(&mut entry, &mut nav).unwrap();
        }
    }
    assert!(nav.contains("Using Box&lt;T&gt; for recursion"), "{nav}");
    assert!(!nav.contains('`'));
}

#[test]
fn a_grey_build_has_no_colour_operator_of_its_own() {
    let md = "---\ntitle: Gris\n---\n\nUn [lien](https://example.org) et du code :\n\n```rust\nfn main() { let s = \"chaîne\"; } // commentaire\n```\n";
    let (_tmp, book) = book_with(md, "[pdf]\ncolour = \"grey\"\n");
    ok(&book, &["build", "--pdf", "--draft"]);
    let doc = lopdf::Document::load(book.join("_book/draft/minimal.pdf")).unwrap();
    assert!(ouvrage::render::typst::colour::colour_pages(&doc).is_empty());
    // The same book in colour has some (draft links, highlighting): the
    // check can fail.
    edit(
        book.join("book.toml"),
        "colour = \"grey\"",
        "colour = \"colour\"",
    );
    ok(&book, &["build", "--pdf", "--draft"]);
    let doc = lopdf::Document::load(book.join("_book/draft/minimal.pdf")).unwrap();
    assert!(!ouvrage::render::typst::colour::colour_pages(&doc).is_empty());
}

#[test]
fn offprints_carry_their_chapter_title_authors_doi_and_bookmarks() {
    let (_tmp, book) = fixture("print");
    edit(
        book.join("chapters/01-un.md"),
        "authors: [ed]\n",
        "authors: [ed]\ndoi: 10.5281/zenodo.28\n",
    );
    ok(&book, &["build", "--offprints"]);
    let doc = lopdf::Document::load(book.join("_book/offprints/un.pdf")).unwrap();
    let info_id = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
    let info = doc.get_dictionary(info_id).unwrap();
    let field = |key: &[u8]| lopdf::decode_text_string(info.get(key).unwrap()).unwrap_or_default();
    assert_eq!(field(b"Title"), "Premier chapitre");
    assert_eq!(field(b"Author"), "Edith Éditrice");
    assert!(
        field(b"Subject").contains("DOI: 10.5281/zenodo.28"),
        "{}",
        field(b"Subject")
    );
    assert!(field(b"Subject").contains("Livre à imprimer"));
    let outlines = doc
        .catalog()
        .unwrap()
        .get(b"Outlines")
        .unwrap()
        .as_reference()
        .unwrap();
    assert!(
        doc.get_dictionary(outlines)
            .unwrap()
            .get(b"Count")
            .unwrap()
            .as_i64()
            .unwrap()
            >= 2
    );
    // A malformed DOI is an error at its line.
    edit(
        book.join("chapters/01-un.md"),
        "doi: 10.5281/zenodo.28",
        "doi: zenodo 28",
    );
    let out = ouvrage(&book, &["check"]);
    let (_, stderr) = text_of(&out);
    assert!(stderr.contains("chapters/01-un.md:4:6"), "{stderr}");
}

/// Builds the PDF of a book whose one chapter is `markdown`, and says
/// whether the build warned that its table (at line 7) is scaled to fit.
fn scaled_table_warning(book: &std::path::Path, markdown: &str) -> bool {
    std::fs::write(book.join("chapters/seul.md"), markdown).unwrap();
    let out = ouvrage(book, &["build", "--pdf"]);
    let (stdout, stderr) = text_of(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    let warned = stderr.contains("wider than the text block");
    assert!(
        !warned || stderr.contains("chapters/seul.md:7:1"),
        "{stderr}"
    );
    warned
}

/// A chapter of one three-column table, each cell `cell`, on line 7.
fn three_cells(cell: &str) -> String {
    format!(
        "---\ntitle: Tableau\n---\n\nAvant.\n\n| a | b | c |\n|---|---|---|\n| {cell} | {cell} | {cell} |\n\nTable: Large {{#tbl:large}}\n"
    )
}

#[test]
fn a_table_wider_than_the_text_block_is_scaled_with_a_warning_at_its_line() {
    // Three columns of long unbreakable words: wider than an A5 measure.
    let word = "a".repeat(40);
    let (_tmp, book) = book_with("", "");
    assert!(scaled_table_warning(&book, &three_cells(&word)));
    // Every cell is printed whole, none cut off into its neighbour.
    let text = pdf_text(&book);
    assert_eq!(text.matches(&word).count(), 3, "{text}");
    // A table that fits gives no warning.
    assert!(!scaled_table_warning(&book, &three_cells("a")));
}

#[test]
fn a_table_of_code_is_measured_as_code_broken_at_its_separators() {
    // The table's widths are measured from the pieces a cell cannot break:
    // in code, the runs between `::`, `/`, `.`, `_` and `-`, set in the
    // monospace font. Three cells of 34 `i`: narrow as text, too wide for
    // an A5 measure as code.
    let is = "i".repeat(34);
    let (_tmp, book) = book_with("", "");
    assert!(
        scaled_table_warning(&book, &three_cells(&format!("`{is}`"))),
        "code measured as text"
    );
    // The same characters as words fit.
    assert!(!scaled_table_warning(&book, &three_cells(&is)));
    // As code again, with a separator every few characters: each piece is
    // short, the cells break there, and the table fits.
    let pieced = ["iiiii"; 6].join("::");
    assert!(!scaled_table_warning(
        &book,
        &three_cells(&format!("`{pieced}`"))
    ));
}

#[test]
fn a_table_that_fits_on_a_page_stays_whole_and_a_longer_one_breaks_with_its_header() {
    let rows = |prefix: &str, n: usize| {
        (1..=n)
            .map(|i| format!("| {prefix}{i:02} | valeur {i} |\n"))
            .collect::<String>()
    };
    let filler = "Un paragraphe qui remplit la page avant le tableau. ".repeat(26);
    let md = format!(
        "---\ntitle: Tableaux\n---\n\n{filler}\n\n| Court | Nombre |\n|---|---|\n{}\nTable: Court {{#tbl:court}}\n\n\
         Entre les deux.\n\n| Long | Nombre |\n|---|---|\n{}\nTable: Long {{#tbl:long}}\n",
        rows("c", 22),
        rows("L", 90)
    );
    let (_tmp, book) = book_with(&md, "");
    let mut sink = ouvrage::diag::Sink::default();
    let model = ouvrage::pipeline::load_model(&book, &mut sink);
    assert!(!sink.has_errors(), "{:?}", sink.diagnostics());
    let mut session = Session::for_book(&model, &Default::default()).unwrap();
    let compiled = session.compile(&model, &PdfOptions::default()).unwrap();
    let pages = text::page_texts(&compiled.document);
    let on = |cell: &str| -> Vec<usize> {
        pages
            .iter()
            .enumerate()
            .filter(|(_, t)| t.split_whitespace().any(|w| w == cell))
            .map(|(i, _)| i)
            .collect()
    };
    // The short table does not fit under the paragraph: it moves to the
    // next page whole, the paragraph's page keeping none of its rows.
    let filler_page = on("remplit")[0];
    let short = on("c01");
    assert_eq!(short, on("c22"), "{pages:#?}");
    assert!(short[0] > filler_page, "{pages:#?}");
    // The long one runs over pages, its header row on each.
    let (first, last) = (on("L01")[0], on("L90")[0]);
    assert!(last > first, "{pages:#?}");
    for (i, page) in pages.iter().enumerate().take(last + 1).skip(first) {
        assert!(page.contains("Long"), "page {}: {page}", i + 1);
    }
}

#[test]
fn preflight_refuses_text_that_runs_off_the_foot_of_a_page() {
    // A chapter's opening (title, authors, abstract) is one block that
    // cannot break: with an abstract longer than a page it runs off the
    // page's foot, where the printer cuts it.
    let abstract_ = "Un résumé beaucoup trop long pour une page. ".repeat(120);
    let md = format!("---\ntitle: Ouverture\nabstract: \"{abstract_}\"\n---\n\nLe texte.\n");
    let (_tmp, book) = book_with(&md, "");
    let out = ouvrage(&book, &["check", "--print"]);
    let (stdout, stderr) = text_of(&out);
    let all = format!("{stdout}{stderr}");
    assert!(!out.status.success(), "{all}");
    assert!(all.contains("text runs off page"), "{all}");
    assert!(all.contains("chapters/seul.md:3:"), "{all}");
    assert_eq!(all.matches("text runs off page").count(), 1, "{all}");
    // A build writes the PDF and warns, at the same line.
    let out = ouvrage(&book, &["build", "--pdf"]);
    let (_, stderr) = text_of(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning: text runs off page") && stderr.contains("chapters/seul.md:3:"),
        "{stderr}"
    );
    // A short abstract fits.
    let md = "---\ntitle: Ouverture\nabstract: \"Un résumé.\"\n---\n\nLe texte.\n";
    std::fs::write(book.join("chapters/seul.md"), md).unwrap();
    let out = ouvrage(&book, &["check", "--print"]);
    let (stdout, stderr) = text_of(&out);
    assert!(
        !format!("{stdout}{stderr}").contains("runs off"),
        "{stdout}{stderr}"
    );
}

/// The vertical positions of the text runs of the first page whose text
/// is a piece of `of`, in the compiled document.
fn baselines_of(document: &typst_layout::PagedDocument, of: &str) -> Vec<i64> {
    fn walk(frame: &typst::layout::Frame, origin: f64, of: &str, out: &mut Vec<i64>) {
        for (pos, item) in frame.items() {
            match item {
                typst::layout::FrameItem::Group(g) => {
                    walk(&g.frame, origin + pos.y.to_pt(), of, out)
                }
                typst::layout::FrameItem::Text(t)
                    if t.text.len() > 4 && of.contains(t.text.as_str()) =>
                {
                    out.push((origin + pos.y.to_pt()).round() as i64)
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    for page in document.pages() {
        walk(&page.frame, 0.0, of, &mut out);
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn long_inline_code_breaks_after_its_separators_in_the_pdf_only() {
    // Longer than a line of the A5 measure, with no space to break at.
    let path: String = (0..30)
        .map(|i| format!("seg{i:02}"))
        .collect::<Vec<_>>()
        .join("::");
    let md = format!("---\ntitle: Code\n---\n\nUn chemin `{path}` dans une phrase.\n");
    let (_tmp, book) = book_with(&md, "");
    ok(&book, &["build", "--pdf", "--html"]);
    let mut sink = ouvrage::diag::Sink::default();
    let model = ouvrage::pipeline::load_model(&book, &mut sink);
    let mut session =
        ouvrage::render::typst::Session::for_book(&model, &Default::default()).unwrap();
    let compiled = session.compile(&model, &PdfOptions::default()).unwrap();
    // The code spans several lines instead of running into the margin…
    let lines = baselines_of(&compiled.document, &path);
    assert!(lines.len() >= 2, "one line: {lines:?}");
    // …with its text whole, once.
    let text: String = pdf_text(&book).split_whitespace().collect();
    assert_eq!(text.matches(path.as_str()).count(), 1, "{text}");
    // The site keeps one code element, as written.
    let html = std::fs::read_to_string(book.join("_book/html/seul.html")).unwrap();
    assert_eq!(html.matches(&format!("<code>{path}</code>")).count(), 1);
}
