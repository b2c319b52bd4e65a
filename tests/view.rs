//! The model is finished before any renderer runs, and every output reads
//! one view of it (issue 15): a language tag means the same everywhere,
//! contributors' bios go through the passes like chapters (and their faults
//! are reported at their line), and the outputs agree on what they share.

mod common;

use std::path::Path;

use common::*;

/// Every file of a built `_book`, by its path, the EPUB unzipped.
fn outputs(book: &Path) -> Vec<(String, Vec<u8>)> {
    let out = book.join("_book");
    let mut files = Vec::new();
    for path in walk(&out) {
        let name = path.strip_prefix(&out).unwrap().display().to_string();
        let bytes = std::fs::read(&path).unwrap();
        if name.ends_with(".epub") {
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
            for i in 0..zip.len() {
                let mut entry = zip.by_index(i).unwrap();
                let mut content = Vec::new();
                std::io::Read::read_to_end(&mut entry, &mut content).unwrap();
                files.push((format!("{name}!{}", entry.name().unwrap()), content));
            }
        } else {
            files.push((name, bytes));
        }
    }
    files.sort();
    files
}

fn build(book: &Path) {
    let out = ouvrage_env(book, &["build"], &[("SOURCE_DATE_EPOCH", "1700000000")]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
}

fn ouvrage_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ouvrage"));
    cmd.args(["--color", "never"]).args(args).current_dir(dir);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// `language = "FR"` is French, as `fr` is: the same typography, words and
/// citation language in every output (it gave French words and English
/// citations, without French typography).
#[test]
fn a_language_tag_means_the_same_in_any_case() {
    let (_a, lower) = sample_book();
    let (_b, upper) = sample_book();
    let toml = std::fs::read_to_string(upper.join("book.toml")).unwrap();
    assert!(
        toml.contains("language = \"fr\""),
        "the sample book is French"
    );
    std::fs::write(
        upper.join("book.toml"),
        toml.replace("language = \"fr\"", "language = \"FR\""),
    )
    .unwrap();
    build(&lower);
    build(&upper);
    let (a, b) = (outputs(&lower), outputs(&upper));
    assert_eq!(a.len(), b.len());
    let names: Vec<&str> = a.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.iter().any(|n| n.ends_with(".pdf")), "{names:?}");
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "{name} differs between `fr` and `FR`");
    }
}

/// A bio is Markdown completed like a chapter's text: links resolved,
/// typography, math; and its faults are errors at its contributors.toml
/// line, in `check` as in `build`.
#[test]
fn bios_go_through_the_passes_and_report_their_faults() {
    let (_tmp, book) = fixture("features");
    let people = book.join("contributors.toml");
    let text = std::fs::read_to_string(&people).unwrap();
    let bio = "bio = \"Coordonne le *livre d'essai*.\"";
    assert!(text.contains(bio));
    std::fs::write(
        &people,
        text.replace(
            bio,
            "bio = \"Voir [le premier](chapters/01-premier.md#sec:methode) : $x^2$.\"",
        ),
    )
    .unwrap();
    ok(&book, &["build"]);
    let site = book.join("_book/html");
    let contributors = page(&site.join("contributors.html"));
    assert_eq!(
        attrs(&contributors, "#ed .contributor-bio a", "href"),
        ["premier.html#sec:methode"],
        "the bio's link leads to the chapter's page"
    );
    let html = std::fs::read_to_string(site.join("contributors.html")).unwrap();
    assert!(
        html.contains("<math"),
        "the bio's formula is MathML: {html}"
    );
    assert!(
        html.contains("premier</a>\u{a0}: "),
        "French typography in the bio: {html}"
    );
    // The PDF's contributors list prints the same bio, typeset.
    let typ = tempfile::tempdir().unwrap();
    let dir = typ.path().display().to_string();
    ok(&book, &["build", "--pdf", "--emit-typst", &dir]);
    let meta = std::fs::read_to_string(typ.path().join("__ouvrage/meta.typ")).unwrap();
    assert!(meta.contains("#link(<premier:sec:methode>)"), "{meta}");
    assert!(meta.contains("$x ^(2 )$"), "{meta}");

    // Faults in a bio: a broken link and a formula that cannot be converted.
    let broken = text.replace(
        bio,
        "bio = \"Voir [rien](chapters/nulle-part.md) et $\\\\frac{1$.\"",
    );
    std::fs::write(&people, &broken).unwrap();
    let line = broken
        .lines()
        .position(|l| l.starts_with("bio = \"Voir [rien]"))
        .unwrap()
        + 1;
    for command in ["check", "build"] {
        let out = ouvrage(&book, &[command, "--format", "json"]);
        assert_eq!(out.status.code(), Some(1), "{command}");
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let at_bio: Vec<&serde_json::Value> = doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["file"] == "contributors.toml" && d["line"] == line)
            .collect();
        let messages: Vec<&str> = at_bio
            .iter()
            .map(|d| d["message"].as_str().unwrap())
            .collect();
        assert!(
            messages.iter().any(|m| m.contains("nulle-part.md")),
            "{command}: {doc}"
        );
        assert!(
            messages.iter().any(|m| m.contains("formula")),
            "{command}: {doc}"
        );
    }
}

/// The draft's review state is one typed field: the site's badge and the
/// PDF's footer show the same state and the revision of the text shown.
#[test]
fn a_draft_shows_one_state_and_revision_everywhere() {
    let (_tmp, book) = fixture("minimal");
    ok(&book, &["build", "--html", "--draft"]);
    let revision =
        &ouvrage::git::blob_id(&std::fs::read(book.join("chapters/seul.md")).unwrap())[..7];
    let chapter = page(&book.join("_book/draft/html/seul.html"));
    assert_eq!(texts(&chapter, ".state-badge .state-revision"), [revision]);
    let mut model = ouvrage::pipeline::load_model(&book, &mut ouvrage::diag::Sink::default());
    assert!(!model.is_draft());
    let report = ouvrage::status::offline_report(&model);
    ouvrage::pipeline::attach_review(&mut model, report);
    let review = model.chapters[0].review.as_ref().unwrap();
    assert_eq!(review.short_revision(), revision);
    let pdf = model_text(&model, &Default::default());
    assert!(pdf.contains(revision) && pdf.contains("draft"), "{pdf}");
}

/// GitHub's alerts are headed with the word of the chapter's language, or
/// the title written after the marker, in every output; part titles get
/// the book's typography (issue 29).
#[test]
fn alerts_and_part_titles_speak_the_book_language_everywhere() {
    let (_tmp, book) = fixture("features");
    std::fs::write(
        book.join("chapters/02-second.md"),
        "---\ntitle: Le second chapitre\nauthors: [bo]\n---\n\n## Résultats {#resultats}\n\n> [!TIP]\n> Relire le chapitre.\n\n> [!WARNING] Données provisoires\n> Chiffres de 2024.\n",
    )
    .unwrap();
    edit(
        book.join("book.toml"),
        "title = \"Première partie\"",
        "title = \"Regards d'ailleurs\"",
    );
    build(&book);
    let second = page(&book.join("_book/html/second.html"));
    assert_eq!(
        texts(&second, ".alert-title"),
        ["Conseil", "Données provisoires"]
    );
    let index = page(&book.join("_book/html/index.html"));
    let contents = texts(&index, "main").join(" ");
    assert!(contents.contains("Regards d’ailleurs"), "{contents}");
    assert!(!contents.contains("Regards d'ailleurs"), "{contents}");
    // The EPUB's chapter and navigation.
    let files = outputs(&book);
    let file = |suffix: &str| {
        let (_, bytes) = files.iter().find(|(n, _)| n.ends_with(suffix)).unwrap();
        String::from_utf8(bytes.clone()).unwrap()
    };
    let chapter = file("text/second.xhtml");
    assert!(
        chapter.contains("<p class=\"alert-title\">Conseil</p>"),
        "{chapter}"
    );
    assert!(file("EPUB/nav.xhtml").contains("Regards d’ailleurs"));
    // The PDF.
    let pdf = compiled_text(&book, &Default::default());
    let pdf = pdf.to_lowercase();
    assert!(
        pdf.contains("conseil") && pdf.contains("données provisoires"),
        "{pdf}"
    );
    assert!(pdf.contains("regards d’ailleurs"), "{pdf}");
}

/// `{alt="…"}` gives an image a text alternative apart from its caption
/// (issue 20): the site's and the EPUB's `alt`, the PDF's image `alt`, the
/// DOCX's description; without it the caption is the alternative.
#[test]
fn an_image_description_apart_from_its_caption_reaches_every_output() {
    let (_tmp, book) = fixture("minimal");
    std::fs::create_dir_all(book.join("chapters/images")).unwrap();
    std::fs::copy(
        repo_root().join("tests/fixtures/import/quarto/plot.png"),
        book.join("chapters/images/plot.png"),
    )
    .unwrap();
    std::fs::write(
        book.join("chapters/seul.md"),
        "---\ntitle: Seul\n---\n\n![Carte des lieux](images/plot.png){alt=\"Six points sur une carte de la ville\"}\n\n![Sans description](images/plot.png)\n",
    )
    .unwrap();
    let typst = book.join("typ");
    ok(
        &book,
        &[
            "build",
            "--html",
            "--epub",
            "--docx",
            "--pdf",
            "--emit-typst",
            typst.to_str().unwrap(),
        ],
    );
    let described = "Six points sur une carte de la ville";
    let site = page(&book.join("_book/html/seul.html"));
    assert_eq!(
        attrs(&site, "figure img", "alt"),
        [described, "Sans description"]
    );
    assert!(
        texts(&site, "figcaption")
            .join(" ")
            .contains("Carte des lieux")
    );
    let epub = walk(&book.join("_book"))
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "epub"))
        .unwrap();
    assert!(epub_entry(&epub, "EPUB/text/seul.xhtml").contains(&format!("alt=\"{described}\"")));
    let source = std::fs::read_to_string(typst.join("__ouvrage/chapters/seul.typ")).unwrap();
    assert!(
        source.contains(&format!("alt: \"{described}\"")),
        "{source}"
    );
    let docx = walk(&book.join("_book"))
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "docx"))
        .unwrap();
    let mut zip = zip::ZipArchive::new(std::fs::File::open(docx).unwrap()).unwrap();
    let mut document = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("word/document.xml").unwrap(),
        &mut document,
    )
    .unwrap();
    assert!(
        document.contains(&format!("descr=\"{described}\"")),
        "{document}"
    );
}
