//! init, new, check and build as a person uses them.

mod common;

use common::*;

#[test]
fn init_makes_a_book_that_builds() {
    let tmp = tempfile::tempdir().unwrap();
    ok(
        tmp.path(),
        &[
            "init",
            "livre",
            "--title",
            "Un \"livre\"",
            "--language",
            "fr",
        ],
    );
    let book = tmp.path().join("livre");
    assert!(book.join(".gitignore").is_file());
    ok(&book, &["check"]);
    ok(&book, &["build"]);
    let index = page(&book.join("_book/html/index.html"));
    assert_eq!(texts(&index, "title"), ["Un \"livre\""]);
    assert_eq!(attrs(&index, "html", "lang"), ["fr"]);
    check_site_links(&book.join("_book/html"));
    // A second init refuses to overwrite.
    assert_eq!(
        ouvrage(tmp.path(), &["init", "livre"]).status.code(),
        Some(1)
    );
}

#[test]
fn new_adds_a_chapter_and_lists_it() {
    let tmp = tempfile::tempdir().unwrap();
    ok(tmp.path(), &["init", "b"]);
    let book = tmp.path().join("b");
    ok(
        &book,
        &[
            "new",
            "fablabs",
            "--title",
            "L'expérience: \"fablabs\"",
            "--author",
            "author",
        ],
    );
    let text = std::fs::read_to_string(book.join("chapters/02-fablabs.md")).unwrap();
    assert!(
        text.starts_with("---\ntitle: \"L'expérience: \\\"fablabs\\\"\"\n"),
        "{text}"
    );
    let toml = std::fs::read_to_string(book.join("book.toml")).unwrap();
    assert!(toml.contains("\"first-chapter\", \"fablabs\"]"), "{toml}");
    assert!(toml.starts_with("# The book's settings"), "comments kept");
    let out = ok(&book, &["check"]);
    assert!(!out.contains("warning"), "{out}");
    ok(&book, &["build", "--html"]);
    let page = page(&book.join("_book/html/fablabs.html"));
    // The title as written, with the typography of the book's language (English).
    assert_eq!(texts(&page, "h1"), ["L’expérience: “fablabs”"]);

    // An unknown author, a taken id and a bad id are refused.
    let out = ouvrage(&book, &["new", "x", "--title", "X", "--author", "autor"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text_of(&out).contains("did you mean `author`?"));
    assert_eq!(
        ouvrage(
            &book,
            &["new", "fablabs", "--title", "X", "--author", "author"]
        )
        .status
        .code(),
        Some(1)
    );
    assert_eq!(
        ouvrage(
            &book,
            &["new", "Bad_Id", "--title", "X", "--author", "author"]
        )
        .status
        .code(),
        Some(1)
    );
}

fn text_of(out: &std::process::Output) -> String {
    let (a, b) = text(out);
    a + &b
}

#[test]
fn the_book_is_found_from_a_subfolder_or_given() {
    let (tmp, book) = fixture("minimal");
    ok(&book.join("chapters"), &["check"]);
    ok(tmp.path(), &["--book", "minimal", "check"]);
    ok(tmp.path(), &["build", "--book", "minimal", "--out", "site"]);
    assert!(tmp.path().join("site/html/index.html").is_file());
    assert!(!book.join("_book").exists());
}

#[test]
fn every_command_help_has_an_example() {
    let tmp = tempfile::tempdir().unwrap();
    for cmd in ["init", "new", "build", "check"] {
        let out = ok(tmp.path(), &[cmd, "--help"]);
        assert!(
            out.contains("Example") && out.contains(&format!("ouvrage {cmd}")),
            "{cmd}: {out}"
        );
    }
}

#[test]
fn quiet_hides_warnings_and_progress() {
    let (_tmp, book) = fixture("minimal");
    std::fs::write(
        book.join("chapters/raw.md"),
        "---\ntitle: R\n---\n\n```{=latex}\n\\x\n```\n",
    )
    .unwrap();
    let out = ok(&book, &["build"]);
    assert!(
        out.contains("raw `latex` block is dropped") && out.contains("wrote"),
        "{out}"
    );
    let out = ok(&book, &["-q", "build"]);
    assert_eq!(out, "");
}
