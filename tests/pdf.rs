//! The PDF, checked by its content with Rust crates only (lopdf for the file,
//! the compiled document for the text), so that `cargo test` needs nothing
//! but the Rust toolchain. `pdf_conformance.rs` runs the reference tools.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use lopdf::{Document, Object};
use ouvrage::render::typst::PdfOptions;

/// The PDF written by a build of `book`.
fn built_pdf(book: &Path) -> PathBuf {
    let pdfs: Vec<PathBuf> = walk(&book.join("_book"))
        .into_iter()
        .filter(|p| {
            p.extension().is_some_and(|e| e == "pdf") && !p.to_string_lossy().contains("offprints")
        })
        .collect();
    assert_eq!(pdfs.len(), 1, "{pdfs:?}");
    pdfs[0].clone()
}

fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn info_string(doc: &Document, key: &[u8]) -> String {
    let info = doc
        .trailer
        .get(b"Info")
        .and_then(|o| o.as_reference())
        .unwrap();
    let dict = doc.get_dictionary(info).unwrap();
    let bytes = dict.get(key).and_then(Object::as_str).unwrap().to_vec();
    // PDF text strings are UTF-16BE with a BOM, or PDFDocEncoding.
    if bytes.starts_with(&[0xfe, 0xff]) {
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        bytes.iter().map(|&b| b as char).collect()
    }
}

#[test]
fn sample_pdf_has_its_metadata_paper_and_embedded_fonts() {
    let (_tmp, book) = sample_book();
    ok(&book, &["build", "--pdf"]);
    let pdf = built_pdf(&book);
    assert_eq!(
        pdf.file_name().unwrap(),
        "les-communs-de-services-de-proximite.pdf"
    );
    let doc = Document::load(&pdf).unwrap();
    assert_eq!(
        info_string(&doc, b"Title"),
        "Les communs de services de proximité"
    );
    let author = info_string(&doc, b"Author");
    for name in ["Julie Lequin", "Benjamin Coriat", "Ianira Vasallo"] {
        assert!(author.contains(name), "{author}");
    }
    let pages = doc.get_pages();
    assert!(pages.len() >= 20, "{} pages", pages.len());
    // A5 is 148 × 210 mm.
    for (_, page) in pages.iter().take(3) {
        let media = doc
            .get_dictionary(*page)
            .unwrap()
            .get(b"MediaBox")
            .unwrap()
            .as_array()
            .unwrap();
        let n = |o: &Object| o.as_float().unwrap_or_else(|_| o.as_i64().unwrap() as f32);
        let (w, h) = (n(&media[2]) - n(&media[0]), n(&media[3]) - n(&media[1]));
        assert!(
            (w - 419.53).abs() < 0.5 && (h - 595.28).abs() < 0.5,
            "{w} × {h}"
        );
    }
    // Every font is embedded.
    let mut fonts = 0;
    for (_, object) in doc.objects.iter() {
        if let Ok(dict) = object.as_dict()
            && dict.get(b"Type").and_then(Object::as_name).ok() == Some(&b"FontDescriptor"[..])
        {
            fonts += 1;
            assert!(
                dict.has(b"FontFile") || dict.has(b"FontFile2") || dict.has(b"FontFile3"),
                "font not embedded: {dict:?}"
            );
        }
    }
    assert!(fonts >= 3, "{fonts} font descriptors");
}

#[test]
fn sample_text_reaches_the_pdf() {
    let (_tmp, book) = sample_book();
    let text = compiled_text(&book, &PdfOptions::default());
    for words in [
        "Les communs de services de proximité",
        "Texte provisoire",
        "Testo provvisorio",
        "Julie Lequin",
        "Contributeurs et contributrices",
    ] {
        assert!(squeeze(&text).contains(&squeeze(words)), "missing {words}");
    }
}

#[test]
fn two_builds_are_byte_identical() {
    let (_tmp, book) = fixture("features");
    let build = |out: &str| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_ouvrage"))
            .args(["build", "--pdf", "--out", out])
            .current_dir(&book)
            .env("SOURCE_DATE_EPOCH", "1714557600")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        std::fs::read(book.join(out).join("livre-d-essai.pdf")).unwrap()
    };
    let first = build("a");
    let second = build("b");
    assert!(first == second, "the two PDFs differ");
    let doc = Document::load_mem(&first).unwrap();
    let date = doc
        .get_dictionary(doc.trailer.get(b"Info").unwrap().as_reference().unwrap())
        .unwrap()
        .get(b"CreationDate")
        .and_then(Object::as_str)
        .unwrap()
        .to_vec();
    assert!(
        String::from_utf8_lossy(&date).starts_with("D:20240501100000"),
        "{:?}",
        String::from_utf8_lossy(&date)
    );
}

#[test]
fn pdf_a_2b_is_declared() {
    let (_tmp, book) = fixture("features");
    let toml =
        std::fs::read_to_string(book.join("book.toml")).unwrap() + "\n[pdf]\nstandard = \"a-2b\"\n";
    std::fs::write(book.join("book.toml"), toml).unwrap();
    ok(&book, &["build", "--pdf"]);
    let bytes = std::fs::read(built_pdf(&book)).unwrap();
    let doc = Document::load_mem(&bytes).unwrap();
    let catalog = doc.catalog().unwrap();
    let metadata = doc
        .get_object(catalog.get(b"Metadata").unwrap().as_reference().unwrap())
        .unwrap();
    let stream = metadata.as_stream().unwrap();
    let xmp = String::from_utf8_lossy(&stream.content).into_owned();
    assert!(xmp.contains("<pdfaid:part>2</pdfaid:part>"), "{xmp}");
    assert!(
        xmp.contains("<pdfaid:conformance>B</pdfaid:conformance>"),
        "{xmp}"
    );
}

#[test]
fn hostile_text_is_printed_literally() {
    let (_tmp, book) = fixture("hostile");
    ok(&book, &["build", "--pdf"]);
    // French typography turns the straight quotes into guillemets and
    // apostrophes (and adds no-break spaces, which `squeeze` drops): undo
    // that, the point here is that nothing was run.
    let text: String = squeeze(&compiled_text(&book, &PdfOptions::default()))
        .chars()
        .map(|c| match c {
            '«' | '»' | '“' | '”' => '"',
            '’' | '‘' => '\'',
            c => c,
        })
        .collect();
    for literal in [
        "#read(\"/etc/passwd\")",
        "#import \"/book.toml\": * fin.",
        "#set page(fill: red)",
        "#[ contenu ] et ]]][[ déséquilibré",
        "// pas un commentaire /* ni celui-ci */",
        "@sec:nulle <etiquette> \\ antislash = égal - tiret + plus ~ tilde",
        "שלום",
        "مرحبا",
        "zéro\u{200b}largeur",
        "#code(\"inline\")",
        "https://example.org/x?y=1",
        "#panic(\"code block, not raw typst\")",
        "Titre #set text(red) ][",
        "Résumé #eval(\"1+1\") @ref <lbl>",
        "Une bio avec #read(\"/etc/passwd\") et #import.",
        "Edith #set page(fill: red)",
    ] {
        assert!(text.contains(&squeeze(literal)), "missing {literal:?}");
    }
}

#[test]
fn a_raw_typst_error_is_reported_at_the_markdown_line() {
    let (_tmp, book) = fixture("minimal");
    std::fs::write(
        book.join("book.toml"),
        "[book]\ntitle = \"Minimal\"\n[pdf]\nraw-typst = true\n",
    )
    .unwrap();
    std::fs::write(
        book.join("chapters/seul.md"),
        "---\ntitle: Seul\n---\n\nUn paragraphe.\n\n```{=typst}\n#let x = 1\n#nope(x)\n```\n",
    )
    .unwrap();
    let out = ouvrage(&book, &["build", "--pdf"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("chapters/seul.md:9:2"), "{stderr}");
    assert!(stderr.contains("unknown variable: nope"), "{stderr}");
    // Without raw-typst the block is dropped with a warning, and the build succeeds.
    std::fs::write(book.join("book.toml"), "[book]\ntitle = \"Minimal\"\n").unwrap();
    let out = ok(&book, &["build", "--pdf"]);
    assert!(
        out.contains("chapters/seul.md:7:1") && out.contains("raw `typst` block is dropped"),
        "{out}"
    );
}

#[test]
fn a_template_error_is_reported_in_the_template() {
    let (_tmp, book) = fixture("minimal");
    std::fs::create_dir_all(book.join("templates")).unwrap();
    let builtin = std::fs::read_to_string(repo_root().join("src/render/typst/book.typ")).unwrap();
    std::fs::write(
        book.join("templates/book.typ"),
        format!("{builtin}\n#let broken = (1 +)\n"),
    )
    .unwrap();
    let out = ouvrage(&book, &["build", "--pdf"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let line = builtin.lines().count() + 2;
    assert!(
        stderr.contains(&format!("templates/book.typ:{line}:")),
        "{stderr}"
    );
}

#[test]
fn draft_builds_show_state_and_revision() {
    let (_tmp, book) = fixture("minimal");
    ok(&book, &["build", "--pdf", "--draft"]);
    // The draft `build --draft` makes outside git: every chapter a draft.
    let mut model = ouvrage::pipeline::load_model(&book, &mut ouvrage::diag::Sink::default());
    let report = ouvrage::status::offline_report(&model);
    ouvrage::pipeline::attach_review(&mut model, report);
    let text = model_text(&model, &PdfOptions::default());
    let revision =
        &ouvrage::git::blob_id(&std::fs::read(book.join("chapters/seul.md")).unwrap())[..7];
    assert!(text.contains(revision), "no revision {revision} in {text}");
    assert!(text.contains("draft"), "no state in {text}");
}

/// A draft numbers its lines for reviewers; `watch`'s draft does not
/// unless asked (`no_line_numbers`), and the print PDF never does.
#[test]
fn drafts_number_their_lines_unless_told_not_to() {
    let (_tmp, book) = fixture("minimal");
    let paragraphs: String = (1..=8)
        .map(|i| format!("Le paragraphe {i} du chapitre.\n\n"))
        .collect();
    std::fs::write(
        book.join("chapters/seul.md"),
        format!("---\ntitle: Seul\n---\n\n{paragraphs}"),
    )
    .unwrap();
    let mut model = ouvrage::pipeline::load_model(&book, &mut ouvrage::diag::Sink::default());
    let print = model_text(&model, &PdfOptions::default());
    let report = ouvrage::status::offline_report(&model);
    ouvrage::pipeline::attach_review(&mut model, report);
    let draft = model_text(&model, &PdfOptions::default());
    let plain = model_text(
        &model,
        &PdfOptions {
            no_line_numbers: true,
            ..PdfOptions::default()
        },
    );
    let numbers = " 1 2 3 4 5 6 7 8";
    assert!(
        draft.contains(numbers),
        "no line numbers in the draft: {draft}"
    );
    assert!(!plain.contains(numbers), "{plain}");
    assert!(plain.contains("draft"), "still a draft: {plain}");
    assert!(!print.contains(numbers), "{print}");
}

#[test]
fn files_outside_the_book_are_refused_to_typst() {
    let (tmp, book) = fixture("minimal");
    std::fs::write(tmp.path().join("secret.txt"), "SECRET").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(tmp.path().join("secret.txt"), book.join("link.txt")).unwrap();
    std::fs::write(
        book.join("book.toml"),
        "[book]\ntitle = \"Minimal\"\n[pdf]\nraw-typst = true\n",
    )
    .unwrap();
    for (i, path) in ["/../secret.txt", "/link.txt", "/etc/passwd"]
        .iter()
        .enumerate()
    {
        std::fs::write(
            book.join("chapters/seul.md"),
            format!("---\ntitle: Seul\n---\n\n```{{=typst}}\n#read(\"{path}\")\n```\n"),
        )
        .unwrap();
        let out = ouvrage(&book, &["build", "--pdf"]);
        let (_, stderr) = text(&out);
        if cfg!(unix) || i != 1 {
            assert_eq!(out.status.code(), Some(1), "{path}: {stderr}");
            assert!(stderr.contains("chapters/seul.md:6:"), "{path}: {stderr}");
        }
    }
}

#[test]
fn local_typst_packages_are_found_where_typst_finds_them() {
    let (tmp, book) = fixture("minimal");
    let data = tmp.path().join("data");
    let pkg = data.join("typst/packages/local/salut/0.1.0");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(
        pkg.join("typst.toml"),
        "[package]\nname = \"salut\"\nversion = \"0.1.0\"\nentrypoint = \"lib.typ\"\nauthors = [\"x\"]\nlicense = \"MIT\"\ndescription = \"x\"\n",
    )
    .unwrap();
    std::fs::write(
        pkg.join("lib.typ"),
        "#let salut = [Salut du paquet local]\n",
    )
    .unwrap();
    std::fs::write(
        book.join("book.toml"),
        "[book]\ntitle = \"Minimal\"\n[pdf]\nraw-typst = true\n",
    )
    .unwrap();
    std::fs::write(
        book.join("chapters/seul.md"),
        "---\ntitle: Seul\n---\n\n```{=typst}\n#import \"@local/salut:0.1.0\": salut\n#salut\n```\n",
    )
    .unwrap();
    let run = |extra_env: Option<&Path>| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ouvrage"));
        cmd.args(["build", "--pdf", "--emit-typst", "typ"])
            .current_dir(&book)
            .env("NO_COLOR", "1");
        cmd.env(
            "XDG_DATA_HOME",
            extra_env.unwrap_or(Path::new("/nonexistent")),
        );
        cmd.env("XDG_CACHE_HOME", "/nonexistent");
        cmd.output().unwrap()
    };
    let out = run(Some(&data));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The generated sources are written for debugging.
    for f in [
        "__ouvrage/main.typ",
        "__ouvrage/meta.typ",
        "__ouvrage/template.typ",
        "__ouvrage/chapters/seul.typ",
    ] {
        assert!(book.join("typ").join(f).is_file(), "{f}");
    }
    // Without the package, the error names it, at the chapter's line.
    let out = run(None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("chapters/seul.md:6:") && stderr.contains("@local/salut:0.1.0"),
        "{stderr}"
    );
}

/// Found by the property test: Typst 0.15.1 panics in its line breaker on
/// this paragraph. The panic must become a diagnostic (exit 1), never a
/// crash (exit 101); once Typst is fixed the book simply builds.
#[test]
fn a_panic_inside_typst_is_a_diagnostic() {
    let (_tmp, book) = fixture("minimal");
    std::fs::write(
        book.join("chapters/seul.md"),
        "---\ntitle: Seul\n---\n\naéaaaé#read(\"/etc/passwd\")--éaaaééaaéaé éééméaaaaaaaé'éaééaaaéaémééaaaaéééhttp://a.b/céa--\n",
    )
    .unwrap();
    let out = ouvrage(&book, &["build", "--pdf"]);
    let (_, stderr) = text(&out);
    match out.status.code() {
        Some(0) => {}
        Some(1) => assert!(
            stderr.contains("error: the Typst compiler failed while typesetting the book"),
            "{stderr}"
        ),
        other => panic!("exit {other:?}: {stderr}"),
    }
}

/// A book's template without a function ouvrage calls is one error at
/// templates/book.typ naming the function and listing those it must define,
/// not Typst's "module does not contain" once per chapter (issue 29).
#[test]
fn a_template_missing_a_function_is_one_error_at_the_template() {
    let (_tmp, book) = fixture("features");
    std::fs::create_dir_all(book.join("templates")).unwrap();
    std::fs::write(
        book.join("templates/book.typ"),
        "#let book(meta, body) = body\n#let part(meta, title) = title\n",
    )
    .unwrap();
    let out = ouvrage(&book, &["build", "--pdf"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("error: templates/book.typ does not define `chapter`, which ouvrage calls"),
        "{stderr}"
    );
    assert!(stderr.contains("templates/book.typ:1:1"), "{stderr}");
    assert!(
        stderr.contains("`section-number`, `caption-number`"),
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("does not define").count(),
        1,
        "once: {stderr}"
    );
    assert!(!stderr.contains("module `template`"), "{stderr}");
}

/// An error of the PDF export (here PDF/A-1b refusing a transparent image)
/// is at the Markdown line of what it names, in `build` and in `check`.
#[test]
fn an_export_error_is_at_its_markdown_line() {
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path();
    std::fs::create_dir(book.join("chapters")).unwrap();
    // A PNG with an alpha channel (colour type 6).
    let png = repo_root().join("tests/fixtures/import/quarto/plot.png");
    assert_eq!(std::fs::read(&png).unwrap()[25], 6, "an RGBA PNG");
    std::fs::copy(&png, book.join("chapters/plot.png")).unwrap();
    std::fs::write(
        book.join("book.toml"),
        "[book]\ntitle = \"PDF/A\"\n\n[pdf]\nstandard = \"a-1b\"\n",
    )
    .unwrap();
    std::fs::write(
        book.join("chapters/un.md"),
        "---\ntitle: Un\n---\n\nTexte.\n\nUne image ![](plot.png) dans la ligne.\n",
    )
    .unwrap();
    for command in [&["build", "--pdf"][..], &["check"]] {
        let out = ouvrage(book, command);
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(1), "{command:?}: {stderr}");
        assert!(
            stderr.contains("PDF export: PDF/A-1b error: the image contains transparency"),
            "{stderr}"
        );
        assert!(
            stderr.contains("chapters/un.md:7:"),
            "{command:?}: {stderr}"
        );
    }
}

/// `font` with its embedding permissions set to "restricted licence" (OS/2
/// `fsType` = 2), which PDF/A refuses and Typst reports with no place.
fn restricted_font(font: &[u8]) -> Vec<u8> {
    let mut bytes = font.to_vec();
    let tables = u16::from_be_bytes([bytes[4], bytes[5]]) as usize;
    let record = (0..tables)
        .map(|i| 12 + 16 * i)
        .find(|&r| &bytes[r..r + 4] == b"OS/2")
        .expect("an OS/2 table");
    let offset = u32::from_be_bytes(bytes[record + 8..record + 12].try_into().unwrap()) as usize;
    bytes[offset + 8..offset + 10].copy_from_slice(&2u16.to_be_bytes());
    bytes
}

/// An export error Typst gives no place for (a font whose licence PDF/A
/// refuses) names the chapter whose pages raise it, and its pages.
#[test]
fn an_export_error_without_place_names_its_chapter() {
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path();
    std::fs::create_dir_all(book.join("chapters")).unwrap();
    std::fs::create_dir_all(book.join("fonts")).unwrap();
    let font =
        std::fs::read(repo_root().join("tests/fixtures/scripts/fallback/NotoSansCJKsc-subset.otf"))
            .unwrap();
    std::fs::write(book.join("fonts/cjk.otf"), restricted_font(&font)).unwrap();
    std::fs::write(
        book.join("book.toml"),
        "[book]\ntitle = \"Licences\"\n\n\
         [pdf]\nstandard = \"a-2b\"\nfallback-fonts = [\"Noto Sans CJK SC\"]\n",
    )
    .unwrap();
    std::fs::write(
        book.join("chapters/01-un.md"),
        "---\ntitle: Un\n---\n\nTexte latin.\n",
    )
    .unwrap();
    std::fs::write(
        book.join("chapters/02-deux.md"),
        "---\ntitle: Deux\n---\n\nLe mot 漢字 dans la ligne.\n",
    )
    .unwrap();
    std::fs::write(
        book.join("chapters/03-trois.md"),
        "---\ntitle: Trois\n---\n\nFin.\n",
    )
    .unwrap();
    let out = ouvrage(book, &["build", "--pdf"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.contains("is too restrictive"))
        .unwrap_or_else(|| panic!("the licence error: {stderr}"));
    assert!(line.contains("chapters/02-deux.md"), "{stderr}");
    assert!(line.contains("in chapter `deux`, page"), "{stderr}");
    assert!(!stderr.contains("chapters/01-un.md"), "{stderr}");
}
