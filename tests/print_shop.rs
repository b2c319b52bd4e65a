//! What a print shop asks for (issue 20): bleed and crop marks on the
//! book's pages, with their TrimBox and BleedBox; the wraparound cover of
//! `build --cover`, its spine from the book's page count, its EAN-13; the
//! settings checked at their book.toml line; `check --print` reporting the
//! sizes. The ignored tests read the same boxes with `qpdf --json` and the
//! barcode with `zbarimg` (`.ci/run` installs both).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use ouvrage::render::typst::trim::{PageBoxes, page_boxes};

const A5: (f64, f64) = (148.0, 210.0);

/// The minimal fixture with `toml` appended to its book.toml.
fn book_with(toml: &str) -> (tempfile::TempDir, PathBuf) {
    let (tmp, book) = fixture("minimal");
    let config = std::fs::read_to_string(book.join("book.toml")).unwrap() + toml;
    std::fs::write(book.join("book.toml"), config).unwrap();
    (tmp, book)
}

fn boxes(pdf: &Path) -> Vec<PageBoxes> {
    let doc = lopdf::Document::load(pdf).unwrap();
    page_boxes(&doc)
}

fn size(b: [f64; 4]) -> (f64, f64) {
    PageBoxes::size_mm(b)
}

#[track_caller]
fn assert_mm(got: (f64, f64), want: (f64, f64), what: &str) {
    // Typst writes f32 points: a hundredth of a millimetre is far finer
    // than any cut.
    assert!(
        (got.0 - want.0).abs() < 0.01 && (got.1 - want.1).abs() < 0.01,
        "{what}: {got:?} mm, expected {want:?}"
    );
}

/// The stroke operators of a page's content.
fn strokes(pdf: &Path, page: u32) -> usize {
    let doc = lopdf::Document::load(pdf).unwrap();
    let id = doc.get_pages()[&page];
    let content = lopdf::content::Content::decode(&doc.get_page_content(id)).unwrap();
    content
        .operations
        .iter()
        .filter(|op| op.operator == "S")
        .count()
}

#[test]
fn bleed_grows_every_page_and_sets_its_trim_and_bleed_boxes() {
    let (_tmp, book) = book_with("\n[pdf]\nbleed = \"3mm\"\n");
    ok(&book, &["build", "--pdf"]);
    let pdf = book.join("_book/minimal.pdf");
    let pages = boxes(&pdf);
    assert!(!pages.is_empty());
    for (i, b) in pages.iter().enumerate() {
        assert_mm(size(b.trim), A5, &format!("page {} trim", i + 1));
        assert_mm(size(b.media), (154.0, 216.0), "media: A5 and 3 mm around");
        assert_mm(size(b.bleed), (154.0, 216.0), "bleed box");
        // The trim is centred: 3 mm of bleed on each side.
        assert!((b.trim[0] - b.media[0] - 3.0 * 72.0 / 25.4).abs() < 0.05);
    }
    let plain_strokes = strokes(&pdf, 1);

    // Crop marks: the sheet grows by the marks' reach (3 mm from the trim,
    // 5 mm long), the bleed box stays 3 mm around the trim, and eight
    // marks are stroked on every page.
    edit(
        book.join("book.toml"),
        "bleed = \"3mm\"\n",
        "bleed = \"3mm\"\ncrop-marks = true\n",
    );
    ok(&book, &["build", "--pdf"]);
    let pages = boxes(&pdf);
    for b in &pages {
        assert_mm(size(b.trim), A5, "trim");
        assert_mm(size(b.media), (164.0, 226.0), "media with crop marks");
        assert_mm(size(b.bleed), (154.0, 216.0), "bleed box with crop marks");
    }
    assert_eq!(strokes(&pdf, 1), plain_strokes + 8);

    // Without bleed, Typst writes no TrimBox: the page is the trim.
    let (_tmp, plain) = book_with("");
    ok(&plain, &["build", "--pdf"]);
    for b in boxes(&plain.join("_book/minimal.pdf")) {
        assert_eq!(b.trim, b.media);
        assert_mm(size(b.media), A5, "no bleed");
    }
}

#[test]
fn a_template_that_ignores_the_bleed_is_a_warning() {
    let (_tmp, book) = book_with("\n[pdf]\nbleed = \"3mm\"\n");
    let builtin = std::fs::read_to_string(repo_root().join("src/render/typst/book.typ")).unwrap();
    let old = builtin.replace("    bleed: meta.at(\"page-bleed\", default: 0mm),\n", "");
    assert_ne!(old, builtin);
    std::fs::create_dir_all(book.join("templates")).unwrap();
    std::fs::write(book.join("templates/book.typ"), old).unwrap();
    let out = ok(&book, &["build", "--pdf"]);
    assert!(
        out.contains("book.toml asks for bleed or crop marks, and the template's pages have none"),
        "{out}"
    );
    for b in boxes(&book.join("_book/minimal.pdf")) {
        assert_mm(size(b.media), A5, "no bleed reached the pages");
    }
}

#[test]
fn print_shop_settings_are_checked_at_their_book_toml_line() {
    let (_tmp, book) = book_with(
        "\n[pdf]\nbleed = \"3em\"\ncrop-marks = \"yes\"\n\n[cover]\npaper = \"ofset-80\"\nback = 3\n",
    );
    let out = ouvrage(&book, &["check"]);
    let (stdout, stderr) = text(&out);
    let all = stdout + &stderr;
    assert!(!out.status.success(), "{all}");
    assert!(
        all.contains("book.toml:5:9") && all.contains("`bleed = \"3em\"` is not a printed length"),
        "{all}"
    );
    assert!(all.contains("book.toml:6:14"), "crop-marks: {all}");
    assert!(
        all.contains("book.toml:9:9") && all.contains("offset-80"),
        "the closest paper: {all}"
    );
    assert!(all.contains("book.toml:10:8"), "back: {all}");

    let (_tmp, book) = book_with(
        "\n[pdf]\nbleed = \"3cm\"\n\n[cover]\npaper = \"offset-80\"\npaper-thickness = \"0.1mm\"\n",
    );
    let all = {
        let out = ouvrage(&book, &["check"]);
        assert!(!out.status.success());
        let (o, e) = text(&out);
        o + &e
    };
    assert!(
        all.contains("book.toml:5:9") && all.contains("a bleed of 30.0 mm"),
        "{all}"
    );
    assert!(
        all.contains("book.toml:9:19") && all.contains("both give the spine's paper"),
        "{all}"
    );
}

#[test]
fn the_cover_is_back_spine_and_front_with_the_spine_of_the_page_count() {
    let (_tmp, book) = book_with(
        "\n[pdf]\nbleed = \"4mm\"\n\n[cover]\npaper-thickness = \"0.1mm\"\nback = \"Un *livre* de test.\"\n",
    );
    edit(
        book.join("book.toml"),
        "title = \"Minimal\"\n",
        "title = \"Minimal\"\nisbn = \"978-0-306-40615-7\"\n",
    );
    ok(&book, &["build", "--cover"]);
    assert!(
        !book.join("_book/html").exists(),
        "--cover builds the PDF and the cover only"
    );
    let pages = lopdf::Document::load(book.join("_book/minimal.pdf"))
        .unwrap()
        .get_pages()
        .len();
    let spine = pages.div_ceil(2) as f64 * 0.1;
    let cover = boxes(&book.join("_book/minimal-cover.pdf"));
    assert_eq!(cover.len(), 1, "one sheet");
    let b = cover[0];
    assert_mm(size(b.trim), (2.0 * 148.0 + spine, 210.0), "trimmed cover");
    assert_mm(
        size(b.media),
        (2.0 * 148.0 + spine + 8.0, 218.0),
        "the sheet: the book's bleed on every side",
    );
    assert_eq!(b.bleed, b.media);

    // check --print reports the same sizes.
    let out = ok(&book, &["check", "--print"]);
    let (w, h) = (2.0 * 148.0 + spine + 8.0, 218.0);
    assert!(
        out.contains(&format!(
            "cover (build --cover): {w:.1} × {h:.1} mm with 4.0 mm of bleed; spine {spine:.1} mm for {pages} pages"
        )),
        "{out}"
    );
    assert!(
        out.contains("trim: 148.0 × 210.0 mm; bleed: 4.0 mm; sheet: 156.0 × 218.0 mm"),
        "{out}"
    );
    let json = ouvrage(&book, &["check", "--print", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&text(&json).0).unwrap();
    let shop = &doc["preflight"]["print_shop"];
    assert_eq!(shop["bleed_mm"], 4.0);
    assert!((shop["cover"]["spine_mm"].as_f64().unwrap() - spine).abs() < 1e-9);

    // A named paper: bulky 80 g/m², 0.13 mm a leaf.
    edit(
        book.join("book.toml"),
        "paper-thickness = \"0.1mm\"",
        "paper = \"bulky-80\"",
    );
    ok(&book, &["build", "--cover"]);
    let b = boxes(&book.join("_book/minimal-cover.pdf"))[0];
    assert_mm(
        size(b.trim),
        (2.0 * 148.0 + pages.div_ceil(2) as f64 * 0.13, 210.0),
        "bulky paper",
    );
}

#[test]
fn a_cover_without_its_paper_or_with_a_missing_image_is_an_error() {
    let (_tmp, book) = book_with("");
    let out = ouvrage(&book, &["build", "--cover"]);
    let (stdout, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(
        (stdout.clone() + &stderr).contains("the cover's spine needs the paper's thickness"),
        "{stdout}{stderr}"
    );
    assert!(
        !book.join("_book/minimal-cover.pdf").exists(),
        "no cover written"
    );

    let (_tmp, book) = book_with("\n[cover]\npaper = \"offset-80\"\nimage = \"front.png\"\n");
    let out = ouvrage(&book, &["build", "--cover"]);
    let (stdout, stderr) = text(&out);
    let all = stdout + &stderr;
    assert!(!out.status.success());
    assert!(
        all.contains("book.toml:6:9") && all.contains("`front.png` does not exist"),
        "{all}"
    );

    // An image named from the root with a leading `/` is the file there
    // (it was reported missing while Typst would have found it); the
    // spine of a one-chapter book is too thin for text: a warning at the
    // paper's line.
    let (_tmp, book) = book_with("\n[cover]\npaper = \"offset-80\"\nimage = \"/front.png\"\n");
    std::fs::copy(
        common::repo_root().join("tests/fixtures/import/quarto/plot.png"),
        book.join("front.png"),
    )
    .unwrap();
    let out = ouvrage(&book, &["build", "--cover"]);
    let (stdout, stderr) = text(&out);
    let all = stdout + &stderr;
    assert!(out.status.success(), "{all}");
    assert!(all.contains("too narrow for its title"), "{all}");
    assert!(all.contains("book.toml:5:9"), "{all}");
}

// ─── Reference tools ────────────────────────────────────────────────────────

fn run(name: &str, args: &[&str], package: &str) -> String {
    let out = Command::new(name).args(args).output().unwrap_or_else(|e| {
        panic!(
            "`{name}` is needed by this conformance test and could not run ({e}): apt-get install {package}"
        )
    });
    assert!(
        out.status.success(),
        "{name} {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every page's (MediaBox, TrimBox, BleedBox) as qpdf reads them.
fn qpdf_boxes(pdf: &Path) -> Vec<[Vec<f64>; 3]> {
    let json = run(
        "qpdf",
        &["--json=2", "--json-key=qpdf", pdf.to_str().unwrap()],
        "qpdf",
    );
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let rect = |v: &serde_json::Value| -> Vec<f64> {
        v.as_array()
            .map(|a| a.iter().filter_map(|n| n.as_f64()).collect())
            .unwrap_or_default()
    };
    doc["qpdf"][1]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|o| o["value"].as_object())
        .filter(|d| d.get("/Type").and_then(|t| t.as_str()) == Some("/Page"))
        .map(|d| {
            [
                rect(&d["/MediaBox"]),
                rect(&d["/TrimBox"]),
                rect(&d["/BleedBox"]),
            ]
        })
        .collect()
}

#[test]
#[ignore = "needs qpdf; run by .ci/run"]
fn qpdf_reads_the_trim_and_bleed_boxes() {
    let (_tmp, book) = book_with("\n[pdf]\nbleed = \"3mm\"\ncrop-marks = true\n");
    ok(&book, &["build", "--pdf"]);
    let pdf = book.join("_book/minimal.pdf");
    run("qpdf", &["--check", pdf.to_str().unwrap()], "qpdf");
    let pages = qpdf_boxes(&pdf);
    assert!(!pages.is_empty());
    let mm = |b: &[f64]| ((b[2] - b[0]) * 25.4 / 72.0, (b[3] - b[1]) * 25.4 / 72.0);
    for [media, trim, bleed] in &pages {
        assert_eq!(
            (media.len(), trim.len(), bleed.len()),
            (4, 4, 4),
            "{pages:?}"
        );
        assert_mm(mm(media), (164.0, 226.0), "qpdf MediaBox");
        assert_mm(mm(trim), A5, "qpdf TrimBox");
        assert_mm(mm(bleed), (154.0, 216.0), "qpdf BleedBox");
    }
}

#[test]
#[ignore = "needs poppler-utils (pdftoppm), zbar-tools (zbarimg) and qpdf; run by .ci/run"]
fn the_cover_barcode_reads_as_the_isbn() {
    let (_tmp, book) = book_with("\n[cover]\npaper-thickness = \"0.1mm\"\n");
    edit(
        book.join("book.toml"),
        "title = \"Minimal\"\n",
        "title = \"Minimal\"\nisbn = \"0-306-40615-2\"\n",
    );
    ok(&book, &["build", "--cover"]);
    let cover = book.join("_book/minimal-cover.pdf");
    run("qpdf", &["--check", cover.to_str().unwrap()], "qpdf");
    let png = book.join("cover");
    run(
        "pdftoppm",
        &[
            "-r",
            "300",
            "-png",
            "-singlefile",
            cover.to_str().unwrap(),
            png.to_str().unwrap(),
        ],
        "poppler-utils",
    );
    let read = run(
        "zbarimg",
        &["--raw", "-q", png.with_extension("png").to_str().unwrap()],
        "zbar-tools",
    );
    // The ISBN-10 is printed as its EAN-13, with the 978 prefix and the
    // check digit computed again.
    assert_eq!(read.trim(), "9780306406157");
}
