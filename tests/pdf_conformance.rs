//! Conformance of the PDF against the reference tools (poppler's pdftotext,
//! pdfinfo, pdffonts, and qpdf). Marked `#[ignore]`: `.ci/run` installs the
//! tools and runs these with `--include-ignored`. A missing tool is a
//! failure with a clear message, never a silent skip.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

/// Runs `name ARGS PDF [-]`: with `to_stdout`, a `-` after the file sends
/// pdftotext's output to stdout.
fn tool(name: &str, args: &[&str], pdf: &Path) -> String {
    let to_stdout = name == "pdftotext";
    let mut cmd = Command::new(name);
    cmd.args(args).arg(pdf);
    if to_stdout {
        cmd.arg("-");
    }
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("`{name}` is needed by this conformance test and could not run ({e}): apt-get install poppler-utils qpdf")
    });
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{name} failed on {}:\n{stdout}\n{}",
        pdf.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn build_pdf(book: &Path, extra: &[&str]) -> PathBuf {
    let mut args = vec!["build", "--pdf"];
    args.extend_from_slice(extra);
    ok(book, &args);
    walk(&book.join("_book"))
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "pdf"))
        .expect("a PDF")
}

#[test]
#[ignore = "needs poppler-utils and qpdf; run by .ci/run"]
fn sample_pdf_passes_the_reference_tools() {
    let (_tmp, book) = sample_book();
    let pdf = build_pdf(&book, &[]);

    let fonts = tool("pdffonts", &[], &pdf);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{fonts}");
    for row in &rows {
        // Columns: name type encoding emb sub uni object ID
        let cols: Vec<&str> = row.split_whitespace().collect();
        let emb = cols[cols.len() - 5];
        assert_eq!(emb, "yes", "font not embedded: {row}");
    }

    tool("qpdf", &["--check"], &pdf);

    let info = tool("pdfinfo", &[], &pdf);
    assert!(
        info.contains("Title:           Les communs de services de proximité"),
        "{info}"
    );
    assert!(info.contains("Julie Lequin"), "{info}");
    assert!(
        info.contains("Page size:       419.528 x 595.276 pts"),
        "{info}"
    );

    let text = tool("pdftotext", &["-enc", "UTF-8"], &pdf);
    for words in [
        "Texte provisoire",
        "Testo provvisorio",
        "Contributeurs et contributrices",
    ] {
        assert!(text.contains(words), "pdftotext lacks {words}");
    }
}

#[test]
#[ignore = "needs poppler-utils; run by .ci/run"]
fn hostile_text_appears_literally_in_pdftotext() {
    let (_tmp, book) = fixture("hostile");
    let pdf = build_pdf(&book, &[]);
    let raw = tool("pdftotext", &["-enc", "UTF-8", "-raw"], &pdf);
    // French typography gives guillemets, apostrophes and no-break spaces:
    // map them back and drop whitespace, the point is that nothing ran.
    let plain = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c {
                '«' | '»' | '“' | '”' => '"',
                '’' | '‘' => '\'',
                c => c,
            })
            .collect()
    };
    let text = plain(&raw);
    for literal in [
        "#read(\"/etc/passwd\")",
        "#import \"/book.toml\": * fin.",
        "#set page(fill: red)",
        "]]][[",
        "// pas un commentaire /* ni celui-ci */",
        "@sec:nulle <etiquette> \\ antislash = égal - tiret + plus ~ tilde.",
        "שלום",
        "مرحبا",
        "#code(\"inline\")",
        "#panic(\"code block, not raw typst\")",
    ] {
        assert!(
            text.contains(&plain(literal)),
            "pdftotext lacks {literal:?}:\n{raw}"
        );
    }
}

#[test]
#[ignore = "needs poppler-utils and qpdf; run by .ci/run"]
fn pdf_a_2b_passes_qpdf_and_declares_itself() {
    let (_tmp, book) = fixture("features");
    let toml =
        std::fs::read_to_string(book.join("book.toml")).unwrap() + "\n[pdf]\nstandard = \"a-2b\"\n";
    std::fs::write(book.join("book.toml"), toml).unwrap();
    let pdf = build_pdf(&book, &[]);
    tool("qpdf", &["--check"], &pdf);
    let meta = tool("pdfinfo", &["-meta"], &pdf);
    assert!(meta.contains("<pdfaid:part>2</pdfaid:part>"), "{meta}");
}

#[test]
#[ignore = "needs poppler-utils; run by .ci/run"]
fn offprints_have_the_right_pages_and_name_the_book() {
    let (_tmp, book) = fixture("print");
    ok(&book, &["build", "--offprints"]);
    let whole = tool(
        "pdftotext",
        &["-enc", "UTF-8", "-layout"],
        &book.join("_book/livre-a-imprimer.pdf"),
    );
    for id in ["un", "deux"] {
        let pdf = book.join(format!("_book/offprints/{id}.pdf"));
        let info = tool("pdfinfo", &[], &pdf);
        assert!(info.contains("Pages:"), "{info}");
        let text = tool("pdftotext", &["-enc", "UTF-8", "-f", "1", "-l", "1"], &pdf);
        let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        assert!(
            first.starts_with("Tiré à part de Livre à imprimer"),
            "{id}: {first:?}"
        );
    }
    assert!(
        !whole.contains("Tiré à part"),
        "the book itself has no offprint line"
    );
    tool("qpdf", &["--check"], &book.join("_book/offprints/un.pdf"));
}

/// Debian's fonts-symbola: an outline font with emoji.
const SYMBOLA: &str = "/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf";

#[test]
#[ignore = "needs poppler-utils and fonts-symbola; run by .ci/run"]
fn a_font_in_the_book_carries_the_emoji() {
    let (_tmp, book) = fixture("hostile");
    assert!(
        Path::new(SYMBOLA).is_file(),
        "{SYMBOLA} is needed by this conformance test: apt-get install fonts-symbola"
    );
    // Typst's embedded fonts have no emoji: a book that needs them brings a
    // font (this one instead of the fixture's own subset of Noto's).
    let _ = std::fs::remove_dir_all(book.join("fonts"));
    std::fs::create_dir_all(book.join("fonts")).unwrap();
    std::fs::copy(SYMBOLA, book.join("fonts/Symbola.ttf")).unwrap();
    let pdf = build_pdf(&book, &[]);
    let text = tool("pdftotext", &["-enc", "UTF-8"], &pdf);
    assert!(text.contains("emoji 🌍 hébreu"), "{text}");
    let fonts = tool("pdffonts", &[], &pdf);
    assert!(fonts.contains("Symbola"), "{fonts}");
}

#[test]
#[ignore = "needs poppler-utils; run by .ci/run"]
fn french_typography_reaches_pdftotext() {
    let (_tmp, book) = fixture("minimal");
    std::fs::write(
        book.join("chapters/seul.md"),
        "---\ntitle: Seul\nlang: fr\n---\n\nPourquoi ? Parce que ! Il a dit \"oui\" : l'accord.\n",
    )
    .unwrap();
    let pdf = build_pdf(&book, &[]);
    let text = tool("pdftotext", &["-enc", "UTF-8", "-raw"], &pdf);
    // pdftotext prints the narrow no-break spaces as nothing (the glyph
    // run has no gap wide enough for a space): a typed space before `?`
    // would show; the exact characters are checked on the compiled text in
    // tests/site.rs.
    for expected in ["Pourquoi?", "Parce que!", "«oui»", "l’accord"] {
        assert!(
            text.contains(expected),
            "pdftotext lacks {expected:?}:\n{text}"
        );
    }
}

#[test]
#[ignore = "needs poppler-utils, qpdf and Debian's Noto fonts; run by .ci/run"]
fn a_multilingual_book_draws_every_script_with_debian_noto_fonts() {
    let noto = Path::new("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc");
    assert!(
        noto.is_file(),
        "this conformance test needs Debian's Noto fonts: apt-get install fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji"
    );
    let (_tmp, book) = fixture("scripts");
    let toml = std::fs::read_to_string(book.join("book.toml")).unwrap()
        + "system-fonts = true\nfallback-fonts = [\"Noto Sans Devanagari\", \"Noto Sans CJK SC\", \"Noto Color Emoji\"]\nstandard = \"a-2b\"\n";
    std::fs::write(book.join("book.toml"), toml).unwrap();
    let out = ok(&book, &["check", "--print"]);
    assert!(out.contains("glyphs: 0 undrawn"), "{out}");
    ok(&book, &["build", "--offprints"]);
    let pdf = book.join("_book/ecritures-du-monde.pdf");
    let fonts = tool("pdffonts", &[], &pdf);
    for family in ["NotoSansCJK", "NotoSansDevanagari"] {
        assert!(fonts.contains(family), "{fonts}");
    }
    let text = tool("pdftotext", &["-enc", "UTF-8"], &pdf);
    for word in ["漢字", "नमस्ते", "😀"] {
        assert!(text.contains(word), "pdftotext lacks {word}:\n{text}");
    }
    // The title's backticks are gone from the text and the outline.
    assert!(text.contains("Greetings in many scripts"), "{text}");
    assert!(!text.contains('`'));
    tool("qpdf", &["--check"], &pdf);
    let offprint = book.join("_book/offprints/langues.pdf");
    tool("qpdf", &["--check"], &offprint);
    let info = tool("pdfinfo", &[], &offprint);
    assert!(
        info.contains("Title:           Greetings in many scripts"),
        "{info}"
    );
}

#[test]
#[ignore = "needs poppler-utils; run by .ci/run"]
fn the_index_gives_the_pages_pdftotext_finds_each_term_on() {
    let (_tmp, book) = fixture("index");
    let pdf = build_pdf(&book, &[]);
    let info = tool("pdfinfo", &[], &pdf);
    let count: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("a page count");
    let pages: Vec<String> = (1..=count)
        .map(|p| {
            let n = p.to_string();
            tool("pdftotext", &["-enc", "UTF-8", "-f", &n, "-l", &n], &pdf)
        })
        .collect();
    let index_at = pages
        .iter()
        .position(|p| p.lines().any(|l| l == "Index"))
        .expect("an Index page");
    let index = pages[index_at].replace('\n', " ");
    // The pages pdftotext finds each term on, before the index, merged
    // into ranges as the index prints them.
    for (term, word) in [
        ("écoles", "écoles"),
        ("coopérative", "Une coopérative"),
        ("zèbre", "zèbre"),
    ] {
        let mut runs: Vec<(usize, usize)> = Vec::new();
        for (i, text) in pages[..index_at].iter().enumerate() {
            if !text.contains(word) {
                continue;
            }
            let p = i + 1;
            match runs.last_mut() {
                Some((_, end)) if *end + 1 == p => *end = p,
                _ => runs.push((p, p)),
            }
        }
        assert!(!runs.is_empty(), "{word}");
        let numbers: Vec<String> = runs
            .iter()
            .map(|&(a, b)| {
                if a == b {
                    a.to_string()
                } else {
                    format!("{a}–{b}")
                }
            })
            .collect();
        let line = format!("{term}, {}", numbers.join(", "));
        assert!(index.contains(&line), "{line:?} not in {index}");
    }
    assert!(index.contains("<script>alert(1)</script>"), "{index}");
    assert!(index.contains("#sys.exit()"), "{index}");
}
