//! `ouvrage import`: the fixture books of tests/fixtures/import/ (an
//! mdBook, Pandoc files, a Quarto book, written for these tests) become
//! ouvrage books that `check` and `build` (PDF, site, EPUB) with no error,
//! with their order, parts, titles, includes, links, images and people
//! carried over; broken sources are diagnostics at their `file:line:col`
//! and leave nothing written; an existing folder is never written into.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// The import fixtures copied into a temporary folder (`…/import`, which
/// holds `mdbook/`, `pandoc/` and `quarto/`).
fn sources() -> (tempfile::TempDir, PathBuf) {
    fixture("import")
}

fn read(path: impl AsRef<Path>) -> String {
    let path = path.as_ref();
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs `import`, which must succeed; returns its stdout.
fn import(dir: &Path, args: &[&str]) -> String {
    let out = ouvrage(dir, args);
    let (stdout, stderr) = text(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "import {args:?}:\n{stdout}\n{stderr}"
    );
    stdout
}

/// Runs `import`, which must fail with exit 1; returns its stderr.
fn import_fails(dir: &Path, args: &[&str]) -> String {
    let out = ouvrage(dir, args);
    let (stdout, stderr) = text(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "import {args:?}:\n{stdout}\n{stderr}"
    );
    stderr
}

/// `check` passes with no error, then `build` writes the PDF, the EPUB and
/// the site with no error.
fn check_and_build(book: &Path) {
    let out = ok(book, &["check"]);
    assert!(out.contains("no errors"), "{out}");
    let out = ouvrage(book, &["build"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
    let files: Vec<String> = std::fs::read_dir(book.join("_book"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(files.iter().any(|f| f.ends_with(".pdf")), "{files:?}");
    assert!(files.iter().any(|f| f.ends_with(".epub")), "{files:?}");
    assert!(book.join("_book/html/index.html").is_file());
    check_site_links(&book.join("_book/html"));
}

/// The front matter of a chapter file (between its `---` lines).
fn front_matter(chapter: &str) -> &str {
    let rest = chapter.strip_prefix("---\n").expect("front matter");
    &rest[..rest.find("\n---\n").expect("front matter end") + 1]
}

#[test]
fn an_mdbook_imports_and_builds_in_every_format() {
    let (_tmp, dir) = sources();
    let stdout = import(
        &dir,
        &[
            "import",
            "mdbook",
            "mdbook",
            "--into",
            "guide",
            "--site-url",
            "https://example.org/guide/",
        ],
    );
    // The report: what ouvrage has no place for, and the draft chapter.
    for line in [
        "imported 5 chapter(s), 2 part(s) and 1 other file(s) from mdbook into guide",
        "not carried over:",
        "mdbook/book.toml:9: the preprocessor `custom-listing`",
        "mdbook/book.toml:13: [output.html] additional-css",
        "mdbook/book.toml:14: [output.html] git-repository-url",
        "mdbook/book.toml:16: the output backend `linkcheck`",
        "mdbook/book.toml:6: [book] description",
        "mdbook/src/SUMMARY.md:9: the draft chapter « A planned chapter » (no file yet) is left out",
    ] {
        assert!(stdout.contains(line), "missing `{line}` in:\n{stdout}");
    }
    assert!(!stdout.contains("links that leave the book"), "{stdout}");
    let book = dir.join("guide");

    // SUMMARY.md's order (prefix, nested chapters flattened, suffix), its
    // parts, the title, the language, and `$` as text.
    let toml = read(book.join("book.toml"));
    assert!(
        toml.contains("title = \"A Field Guide to Small Things\"\nlanguage = \"en\"\n"),
        "{toml}"
    );
    assert!(
        toml.contains("chapters = [\n  \"preface\",\n  \"index\",\n  \"counting\",\n  \"anchors\",\n  \"glossary\",\n]"),
        "{toml}"
    );
    assert!(
        toml.contains(
            "[[part]]\ntitle = \"Getting started\"\nchapters = [\"index\", \"counting\"]"
        ),
        "{toml}"
    );
    assert!(
        toml.contains("[[part]]\ntitle = \"Going further\"\nchapters = [\"anchors\"]"),
        "{toml}"
    );
    assert!(
        toml.contains("[markdown]") && toml.contains("math = \"none\""),
        "{toml}"
    );
    assert_eq!(
        read(book.join("contributors.toml")),
        "[quill]\nname = \"Ada Quill\"\nroles = [\"author\"]\n\n[brun]\nname = \"Émile Brun\"\nroles = [\"author\"]\n"
    );

    // Titles moved into front matter; prefix and suffix chapters unnumbered.
    let preface = read(book.join("chapters/preface.md"));
    assert_eq!(
        front_matter(&preface),
        "title: \"Preface\"\nauthors: [quill, brun]\nnumbered: false\n"
    );
    assert!(!preface.contains("# Preface"), "{preface}");
    let glossary = read(book.join("chapters/glossary.md"));
    // No `#` heading: SUMMARY.md's title.
    assert!(
        front_matter(&glossary).starts_with("title: \"Glossary\"\n"),
        "{glossary}"
    );
    assert!(
        front_matter(&glossary).contains("numbered: false"),
        "{glossary}"
    );
    let counting = read(book.join("chapters/basics/counting.md"));
    assert_eq!(
        front_matter(&counting),
        "title: \"Counting things\"\nauthors: [quill, brun]\n"
    );

    // Includes: an anchor, a line range, the hidden lines of
    // rustdoc_include left out, a Markdown file with its text.
    assert!(!counting.contains("{{#"), "{counting}");
    assert!(!counting.contains("ANCHOR"), "{counting}");
    assert!(!counting.contains("fn main"), "{counting}");
    assert!(
        counting.contains("```rust\nlet mut count = 0;\ncount += 1;\n```\n\nThe whole program"),
        "{counting}"
    );
    assert!(
        counting.contains("```rust\nlet mut count = 0;\ncount += 1;\nprintln!(\"{count}\");\n```"),
        "{counting}"
    );
    assert!(
        counting.contains("```text\nlet mut count = 0;\ncount += 1;\n```"),
        "{counting}"
    );
    // The chapter opened with `## Counting things`: its title; its `###`
    // sections start at `##`, as ouvrage's do.
    assert!(counting.contains("\n## Ranges\n"), "{counting}");
    assert!(!counting.contains("# Counting things"), "{counting}");
    let basics = read(book.join("chapters/basics/index.md"));
    assert!(
        basics.contains("Welcome to the basics, a paragraph kept in a file"),
        "{basics}"
    );

    // Links: `.html` chapters to `.md`, a reference definition too, a link
    // to a chapter's title to the chapter, one that leaves the book made
    // absolute from --site-url.
    assert!(
        preface.contains("[counting chapter](basics/counting.md#ranges)"),
        "{preface}"
    );
    assert!(
        preface.contains("[old name](anchors.md#old-name)"),
        "{preface}"
    );
    assert!(basics.contains("[glossary]: ../glossary.md"), "{basics}");
    assert!(
        counting.contains("[the preface](../preface.md)"),
        "{counting}"
    );
    assert!(
        counting.contains("[the standard library](https://example.org/std/index.html)"),
        "{counting}"
    );
    let anchors = read(book.join("chapters/anchors.md"));
    assert!(anchors.contains("<a id=\"old-name\"></a>"), "{anchors}");
    assert!(
        anchors.contains("[the basics](basics/index.md)"),
        "{anchors}"
    );

    // The image, copied at its relative place.
    assert_eq!(
        std::fs::read(book.join("chapters/img/diagram.png")).unwrap(),
        std::fs::read(dir.join("mdbook/src/img/diagram.png")).unwrap()
    );
    // Files SUMMARY.md does not list are not chapters of the new book.
    assert!(!book.join("chapters/snippets").exists());
    assert!(!book.join("chapters/SUMMARY.md").exists());

    check_and_build(&book);
    let page = page(&book.join("_book/html/preface.html"));
    let text = texts(&page, "main").join(" ");
    assert!(
        text.contains("A ticket costs $5 and a map costs $10"),
        "{text}"
    );
    // `@` is no citation in an mdBook: written `\@` in the new book.
    assert!(preface.contains("Corrections go to \\@quill,"), "{preface}");
    assert!(text.contains("Corrections go to @quill,"), "{text}");
    let anchors_page = page_of(&book, "anchors");
    assert!(anchors_page.contains("id=\"old-name\""), "{anchors_page}");
}

fn page_of(book: &Path, id: &str) -> String {
    read(book.join(format!("_book/html/{id}.html")))
}

#[test]
fn links_that_leave_an_mdbook_are_reported_without_a_site_url() {
    let (_tmp, dir) = sources();
    std::fs::write(
        dir.join("mdbook/src/glossary.md"),
        "See [the welcome](snippets/welcome.md) and [a lost page](lost.html).\n",
    )
    .unwrap();
    let stdout = import(&dir, &["import", "mdbook", "mdbook", "--into", "guide"]);
    // Links to what is not a chapter of the new book are left, and said.
    assert!(
        stdout.contains("mdbook/src/glossary.md:1: `snippets/welcome.md` is a page that is not a chapter of the book"),
        "{stdout}"
    );
    assert!(
        stdout.contains("mdbook/src/glossary.md:1: `lost.html` names no file of the book"),
        "{stdout}"
    );
    assert!(
        stdout.contains("links that leave the book, left as written"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  - mdbook/src/basics/counting.md:23: ../../std/index.html\n"),
        "{stdout}"
    );
    let counting = read(dir.join("guide/chapters/basics/counting.md"));
    assert!(counting.contains("(../../std/index.html)"), "{counting}");
}

#[test]
fn an_mdbook_with_mathjax_keeps_dollars_as_math_and_its_theme_is_reported() {
    let (_tmp, dir) = sources();
    edit(
        dir.join("mdbook/book.toml"),
        "[output.html]\n",
        "[output.html]\nmathjax-support = true\n",
    );
    std::fs::create_dir(dir.join("mdbook/theme")).unwrap();
    std::fs::write(dir.join("mdbook/theme/head.hbs"), "<meta name=\"x\">\n").unwrap();
    let stdout = import(&dir, &["import", "mdbook", "mdbook", "--into", "guide"]);
    assert!(
        stdout.contains("  - mdbook/theme: the mdBook theme"),
        "{stdout}"
    );
    assert!(!stdout.contains("mathjax-support"), "{stdout}");
    let toml = read(dir.join("guide/book.toml"));
    assert!(
        !toml.contains("[markdown]") && !toml.contains("math ="),
        "{toml}"
    );
}

#[test]
fn pandoc_csl_and_bibliography_files_are_copied_and_set() {
    let (_tmp, dir) = sources();
    std::fs::write(dir.join("pandoc/style.csl"), "<style/>\n").unwrap();
    edit(
        dir.join("pandoc/intro.md"),
        "bibliography: refs.bib\n",
        "bibliography: refs.bib\ncsl: style.csl\n",
    );
    import(
        &dir,
        &["import", "pandoc", "pandoc/intro.md", "--into", "tides"],
    );
    let toml = read(dir.join("tides/book.toml"));
    assert!(
        toml.contains("[bibliography]\nfiles = [\"refs.bib\"]\nstyle = \"style.csl\"\n"),
        "{toml}"
    );
    assert_eq!(read(dir.join("tides/style.csl")), "<style/>\n");
    // A file the metadata names that does not exist is an error.
    edit(
        dir.join("pandoc/intro.md"),
        "csl: style.csl",
        "csl: gone.csl",
    );
    let stderr = import_fails(
        &dir,
        &["import", "pandoc", "pandoc/intro.md", "--into", "other"],
    );
    assert_error_at(
        &stderr,
        "the file `gone.csl` that the metadata names does not exist",
        "pandoc/intro.md:14:6",
    );
    assert!(!dir.join("other").exists());
}

#[test]
fn pandoc_files_import_with_their_metadata_and_bibliography() {
    let (_tmp, dir) = sources();
    let stdout = import(
        &dir,
        &[
            "import",
            "pandoc",
            "pandoc/intro.md",
            "pandoc/methods.md",
            "--into",
            "tides",
        ],
    );
    assert!(
        stdout.contains("pandoc/intro.md:14: `toc` (ouvrage has no such metadata)"),
        "{stdout}"
    );
    let book = dir.join("tides");
    let toml = read(book.join("book.toml"));
    // The metadata's title is the document's (the file opens with its
    // own `#` title); its language, year and bibliography are the book's.
    for line in [
        "title = \"Tides and Harbours\"\n",
        "language = \"en-GB\"\n",
        "year = 2024\n",
        "chapters = [\n  \"intro\",\n  \"methods\",\n]",
        "[bibliography]\nfiles = [\"refs.bib\"]\n",
    ] {
        assert!(toml.contains(line), "missing `{line}` in:\n{toml}");
    }
    assert_eq!(
        read(book.join("refs.bib")),
        read(dir.join("pandoc/refs.bib"))
    );
    assert_eq!(
        read(book.join("contributors.toml")),
        "[quill]\nname = \"Ada Quill\"\naffiliation = \"Institute of Small Things\"\nroles = [\"author\"]\n\n[brun]\nname = \"Émile Brun\"\nroles = [\"author\"]\n"
    );
    let intro = read(book.join("chapters/intro.md"));
    assert_eq!(
        front_matter(&intro),
        "title: \"Motivation\"\nauthors: [quill, brun]\nabstract: \"Why harbours keep a *tide table*.\"\nkeywords: [\"tides\", \"harbours\"]\n"
    );
    assert!(intro.contains("[@quill2020, p. 12]"), "{intro}");
    let methods = read(book.join("chapters/methods.md"));
    assert_eq!(
        front_matter(&methods),
        "title: \"Méthodes\"\nauthors: [brun]\nlang: \"fr\"\nkeywords: [\"méthode\"]\n"
    );
    // `#motivation` was the title's anchor: the link goes to the chapter.
    assert!(methods.contains("[motivation](intro.md)"), "{methods}");
    assert!(book.join("chapters/figures/tide.png").is_file());

    check_and_build(&book);
    let intro_page = page(&book.join("_book/html/intro.html"));
    let text = texts(&intro_page, "main").join(" ");
    assert!(text.contains("Tables of the Tide"), "{text}");
    assert!(attrs(&page(&book.join("_book/html/methods.html")), "html", "lang") == ["fr"]);
}

#[test]
fn characters_typsts_fonts_lack_get_a_fallback_font_or_a_report_line() {
    let (_tmp, dir) = sources();
    std::fs::write(
        dir.join("hello.md"),
        "---\ntitle: Greetings\n---\n\nIn Japanese, こんにちは.\n",
    )
    .unwrap();
    let stdout = import(&dir, &["import", "pandoc", "hello.md", "--into", "hello"]);
    let toml = read(dir.join("hello/book.toml"));
    // This machine has Noto Sans CJK SC, and the PDF takes it from there,
    // or it has not, and the report says what to install.
    let fallback = toml.contains("system-fonts = true\nfallback-fonts = [\"Noto Sans CJK SC\"]\n");
    let reported = stdout.contains("apt-get install fonts-noto-cjk");
    assert!(fallback != reported, "{toml}\n{stdout}");
    if fallback {
        assert!(stdout.contains("(こんにちは)"), "{stdout}");
        check_and_build(&dir.join("hello"));
    }
}

#[test]
fn a_single_pandoc_file_gives_the_book_its_title() {
    let (_tmp, dir) = sources();
    std::fs::write(
        dir.join("note.md"),
        "---\ntitle: \"A Short Note\"\nauthor: Ada Quill\n---\n\nJust one paragraph.\n",
    )
    .unwrap();
    import(&dir, &["import", "pandoc", "note.md", "--into", "note"]);
    let book = dir.join("note");
    assert!(read(book.join("book.toml")).contains("title = \"A Short Note\"\n"));
    assert!(read(book.join("chapters/note.md")).starts_with("---\ntitle: \"A Short Note\"\n"));
    check_and_build(&book);
}

#[test]
fn a_quarto_book_imports_with_its_parts_callouts_and_references() {
    let (_tmp, dir) = sources();
    let stdout = import(&dir, &["import", "quarto", "quarto", "--into", "birds"]);
    assert!(
        stdout.contains("quarto/_quarto.yml:25: `format`"),
        "{stdout}"
    );
    assert!(stdout.contains("executable cells"), "{stdout}");
    let book = dir.join("birds");
    let toml = read(book.join("book.toml"));
    for line in [
        "title = \"Counting Birds\"\n",
        "language = \"en\"\n",
        "year = 2025\n",
        "chapters = [\n  \"index\",\n  \"basics\",\n  \"extras\",\n  \"more\",\n]",
        "[[part]]\ntitle = \"Foundations\"\nchapters = [\"basics\"]",
        // A part given as a file: its title, and the file opens the part.
        "[[part]]\ntitle = \"Further counts\"\nchapters = [\"extras\", \"more\"]",
        "files = [\"references.bib\"]",
    ] {
        assert!(toml.contains(line), "missing `{line}` in:\n{toml}");
    }
    assert_eq!(
        read(book.join("contributors.toml")),
        "[park]\nname = \"Lin Park\"\nemails = [\"lin.park@example.org\"]\naffiliation = \"Coastal Observatory\"\norcid = \"0000-0002-1825-0097\"\nroles = [\"author\"]\n"
    );
    let index = read(book.join("chapters/index.md"));
    assert_eq!(
        front_matter(&index),
        "title: \"Preface\"\nauthors: [park]\nnumbered: false\n"
    );
    assert!(index.contains("[the basics](basics.md)"), "{index}");
    let basics = read(book.join("chapters/basics.md"));
    assert!(
        basics.contains("> [!NOTE] Before you start\n> Bring binoculars, as @park2021 advises.\n"),
        "{basics}"
    );
    assert!(
        basics.contains("{#fig:plot}") && basics.contains("@fig:plot"),
        "{basics}"
    );
    assert!(basics.contains("(more.md#sec:detail)"), "{basics}");
    assert!(basics.contains("```r\n"), "{basics}");
    let extras = read(book.join("chapters/extras.md"));
    assert!(
        front_matter(&extras).contains("numbered: false"),
        "{extras}"
    );
    let more = read(book.join("chapters/more.md"));
    assert!(
        more.contains("## Detail {#sec:detail}") && more.contains("@sec:detail"),
        "{more}"
    );
    // Quarto's include shortcode, resolved.
    assert!(
        more.contains("\nCounts are written down at once, in pencil.\n") && !more.contains("{{<"),
        "{more}"
    );
    assert!(!book.join("chapters/_notes.md").exists());

    check_and_build(&book);
    let basics_page = page_of(&book, "basics");
    assert!(basics_page.contains("Birds at Dawn"), "{basics_page}");
}

/// The error lines of a run: `file:line:col` locations as printed.
fn assert_error_at(stderr: &str, message: &str, location: &str) {
    let at = stderr
        .find(message)
        .unwrap_or_else(|| panic!("no `{message}` in:\n{stderr}"));
    let after = &stderr[at..];
    let next = after
        .find("┌─ ")
        .map(|i| &after[i + "┌─ ".len()..])
        .unwrap_or("");
    assert!(
        next.starts_with(location),
        "`{message}` is not at {location}:\n{stderr}"
    );
}

#[test]
fn a_malformed_summary_is_reported_at_its_lines_and_nothing_is_written() {
    let (_tmp, dir) = sources();
    std::fs::write(
        dir.join("mdbook/src/SUMMARY.md"),
        "# Summary\n\n- [Preface](preface.md)\n- Plain words\n  - [Open(glossary.md)\n- [Gone](gone.md)\n",
    )
    .unwrap();
    let stderr = import_fails(&dir, &["import", "mdbook", "mdbook", "--into", "guide"]);
    assert_error_at(
        &stderr,
        "expected a link to a chapter",
        "mdbook/src/SUMMARY.md:4:3",
    );
    assert_error_at(
        &stderr,
        "this `[` is never closed",
        "mdbook/src/SUMMARY.md:5:5",
    );
    assert_error_at(
        &stderr,
        "`gone.md` does not exist",
        "mdbook/src/SUMMARY.md:6:3",
    );
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert!(!dir.join("guide").exists());
    assert_eq!(
        walk(&dir)
            .iter()
            .filter(|p| p.to_string_lossy().contains(".guide"))
            .count(),
        0
    );
}

#[test]
fn includes_that_cannot_be_read_are_errors_at_the_chapter_line() {
    let (_tmp, dir) = sources();
    std::fs::write(dir.join("outside.txt"), "secret\n").unwrap();
    std::fs::write(
        dir.join("mdbook/src/glossary.md"),
        "Words.\n\n{{#include missing.rs}}\n\n```\n{{#include ../../outside.txt}}\n```\n",
    )
    .unwrap();
    let stderr = import_fails(&dir, &["import", "mdbook", "mdbook", "--into", "guide"]);
    assert_error_at(
        &stderr,
        "cannot read `missing.rs`",
        "mdbook/src/glossary.md:3:1",
    );
    assert_error_at(
        &stderr,
        "`../../outside.txt` is outside the book's folder",
        "mdbook/src/glossary.md:6:1",
    );
    assert!(stderr.contains("2 errors"), "{stderr}");
    assert!(!dir.join("guide").exists());
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_out_of_the_source_is_never_followed() {
    let (_tmp, dir) = sources();
    std::fs::write(dir.join("secret.png"), "not the book's").unwrap();
    std::fs::remove_file(dir.join("mdbook/src/img/diagram.png")).unwrap();
    std::os::unix::fs::symlink(
        dir.join("secret.png"),
        dir.join("mdbook/src/img/diagram.png"),
    )
    .unwrap();
    std::os::unix::fs::symlink(dir.join("secret.png"), dir.join("mdbook/src/secret.md")).unwrap();
    edit(
        dir.join("mdbook/src/SUMMARY.md"),
        "[Glossary](glossary.md)",
        "[Glossary](glossary.md)\n[Secret](secret.md)",
    );
    let stderr = import_fails(&dir, &["import", "mdbook", "mdbook", "--into", "guide"]);
    assert_error_at(
        &stderr,
        "`secret.md` is a symbolic link to a file outside the mdBook's folder",
        "mdbook/src/SUMMARY.md:18:1",
    );
    edit(
        dir.join("mdbook/src/SUMMARY.md"),
        "\n[Secret](secret.md)",
        "",
    );
    let stdout = import(&dir, &["import", "mdbook", "mdbook", "--into", "guide"]);
    assert!(
        stdout.contains("`../img/diagram.png` leads out of the folder through a symbolic link"),
        "{stdout}"
    );
    assert!(!dir.join("guide/chapters/img/diagram.png").exists());
}

#[test]
fn a_malformed_mdbook_toml_is_reported_at_its_line() {
    let (_tmp, dir) = sources();
    edit(
        dir.join("mdbook/book.toml"),
        "language = \"en\"",
        "language = \"en",
    );
    let stderr = import_fails(&dir, &["import", "mdbook", "mdbook", "--into", "guide"]);
    assert_error_at(&stderr, "error: book.toml: ", "mdbook/book.toml:5:15");
    assert!(!dir.join("guide").exists());
}

#[test]
fn a_malformed_quarto_yml_is_reported_at_its_line() {
    let (_tmp, dir) = sources();
    edit(
        dir.join("quarto/_quarto.yml"),
        "  title: \"Counting Birds\"",
        "  title: \"Counting Birds",
    );
    let stderr = import_fails(&dir, &["import", "quarto", "quarto", "--into", "birds"]);
    // At the quote left open.
    assert_error_at(&stderr, "error: _quarto.yml: ", "quarto/_quarto.yml:6:10");
    assert!(!dir.join("birds").exists());

    // A chapter listed that does not exist, at its line and column.
    let (_tmp, dir) = sources();
    edit(
        dir.join("quarto/_quarto.yml"),
        "        - basics.qmd",
        "        - basic.qmd",
    );
    let stderr = import_fails(&dir, &["import", "quarto", "quarto", "--into", "birds"]);
    assert_error_at(
        &stderr,
        "`basic.qmd` does not exist",
        "quarto/_quarto.yml:17:11",
    );
    assert!(!dir.join("birds").exists());
}

#[test]
fn a_quarto_include_of_a_missing_file_is_an_error_at_its_place() {
    let (_tmp, dir) = sources();
    edit(dir.join("quarto/more.qmd"), "_notes.qmd", "_gone.qmd");
    let stderr = import_fails(&dir, &["import", "quarto", "quarto", "--into", "birds"]);
    assert_error_at(
        &stderr,
        "cannot include `_gone.qmd`: no such file in the project",
        "quarto/more.qmd:7:1",
    );
    assert!(!dir.join("birds").exists());
}

#[test]
fn import_never_writes_into_a_folder_that_holds_something() {
    let (_tmp, dir) = sources();
    std::fs::create_dir(dir.join("taken")).unwrap();
    std::fs::write(dir.join("taken/notes.txt"), "mine\n").unwrap();
    let stderr = import_fails(&dir, &["import", "mdbook", "mdbook", "--into", "taken"]);
    assert!(stderr.contains("this folder is not empty"), "{stderr}");
    let left: Vec<PathBuf> = walk(&dir.join("taken"));
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(read(dir.join("taken/notes.txt")), "mine\n");
    // No staging folder is left beside it either.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");

    // An empty folder made for the book receives it.
    std::fs::create_dir(dir.join("empty")).unwrap();
    import(&dir, &["import", "quarto", "quarto", "--into", "empty"]);
    assert!(dir.join("empty/book.toml").is_file());
}
