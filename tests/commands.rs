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
    // The sample text is French, with French typography.
    let first = page(&book.join("_book/html/first-chapter.html"));
    assert_eq!(texts(&first, "h1"), ["Un premier chapitre"]);
    let body = texts(&first, "main").join(" ");
    assert!(body.contains("Les sections commencent à"), "{body}");
    assert!(body.contains("s’écrit ainsi"), "{body}");
    assert!(!body.contains("Sections start"), "{body}");
}

#[test]
fn init_writes_sample_text_in_the_languages_it_has_and_says_so_otherwise() {
    let tmp = tempfile::tempdir().unwrap();
    ok(tmp.path(), &["init", "it", "--language", "it"]);
    let intro = std::fs::read_to_string(tmp.path().join("it/chapters/00-introduction.md")).unwrap();
    assert!(intro.contains("Questo libro"), "{intro}");
    let out = ok(tmp.path(), &["init", "de", "--language", "de"]);
    assert!(
        out.contains("the example chapters are in English") && out.contains("en, fr, it"),
        "{out}"
    );
    ok(&tmp.path().join("de"), &["build", "--html"]);
    // A folder that already holds some of the files: they are kept, listed,
    // and the book may not build.
    let old = tmp.path().join("old");
    std::fs::create_dir_all(old.join("chapters")).unwrap();
    std::fs::write(old.join("contributors.toml"), "[moi]\nname = \"Moi\"\n").unwrap();
    let run = ouvrage(tmp.path(), &["init", "old"]);
    assert!(run.status.success());
    let said = text_of(&run);
    assert!(
        said.contains("kept 1 file(s) already in the folder, not overwritten: contributors.toml")
            && said.contains("may not build"),
        "{said}"
    );
    assert_eq!(
        std::fs::read_to_string(old.join("contributors.toml")).unwrap(),
        "[moi]\nname = \"Moi\"\n"
    );
    assert_eq!(ouvrage(&old, &["check"]).status.code(), Some(1));
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
    // No section repeating the title: the text starts empty.
    assert!(text.ends_with("---\n\n") && !text.contains("##"), "{text}");
    let toml = std::fs::read_to_string(book.join("book.toml")).unwrap();
    assert!(toml.contains("\"first-chapter\", \"fablabs\"]"), "{toml}");
    assert!(toml.starts_with("# The book's settings"), "comments kept");
    let out = ok(&book, &["check"]);
    // The one warning: the sample's chapters have reviewers, the new one none.
    assert!(out.contains("0 errors, 1 warning"), "{out}");
    assert!(
        out.contains("this chapter has no reviewer") && out.contains("chapters/02-fablabs.md:2:"),
        "{out}"
    );
    ok(&book, &["build", "--html"]);
    let page = page(&book.join("_book/html/fablabs.html"));
    // The title as written, with the typography of the book's language (English).
    assert_eq!(texts(&page, "h1"), ["L’expérience: “fablabs”"]);

    // An unknown author, a taken id and a bad id are refused.
    let out = ouvrage(&book, &["new", "x", "--title", "X", "--author", "autor"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text_of(&out).contains("did you mean `author`?"));
    assert!(
        text_of(&out).contains("the contributors are: author, editor"),
        "{}",
        text_of(&out)
    );
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

/// The tests' own edits of fixture books (tests/common): a pattern that
/// is not in the file exactly as often as expected stops the test, naming
/// the file and the pattern, and leaves the file as it was.
#[test]
fn a_fixture_edit_whose_pattern_does_not_match_fails_the_test() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("book.toml");
    let start = "[book]\ntitle = \"A\"\n\n[html]\nsearch = true\n# search = true\n";
    std::fs::write(&file, start).unwrap();
    let read = || std::fs::read_to_string(&file).unwrap();
    let panic_text = |f: &dyn Fn()| -> String {
        let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
            .expect_err("the edit must fail");
        err.downcast_ref::<String>()
            .cloned()
            .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    };

    let missing = panic_text(&|| edit(&file, "title = \"B\"", "title = \"C\""));
    assert!(missing.contains(&file.display().to_string()), "{missing}");
    assert!(
        missing.contains("`title = \"B\"` occurs 0 times"),
        "{missing}"
    );
    let twice = panic_text(&|| edit(&file, "search = true", "search = false"));
    assert!(twice.contains("occurs 2 times, not 1"), "{twice}");
    let counted = panic_text(&|| edit_n(&file, "search = true", "x", 3));
    assert!(counted.contains("occurs 2 times, not 3"), "{counted}");
    let none = panic_text(&|| {
        edit_all(&file, "absent", "x");
    });
    assert!(none.contains("`absent` does not occur"), "{none}");
    assert_eq!(read(), start, "a refused edit writes nothing");

    edit(&file, "title = \"A\"", "title = \"B\"");
    assert_eq!(read(), start.replace("\"A\"", "\"B\""));
    edit_n(&file, "search = true", "search = false", 2);
    assert_eq!(read().matches("search = false").count(), 2);
    assert_eq!(edit_all(&file, "search", "find"), 2);
    assert!(!read().contains("search"));
}

/// Runs `ouvrage` under `umask 022`, as a shell of most systems does.
#[cfg(unix)]
fn under_umask_022(dir: &std::path::Path, args: &[&str]) {
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("umask 022; exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_ouvrage"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{args:?}: {stdout}{stderr}");
}

/// Files are readable by others as any file the user makes: `init`, `new`
/// and `build` under umask 022 write 0644, and `new` keeps the mode of the
/// `book.toml` it edits (0640 stays 0640).
#[cfg(unix)]
#[test]
fn files_get_the_umasks_mode_and_edited_files_keep_theirs() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| {
        std::fs::metadata(p)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
            .permissions()
            .mode()
            & 0o7777
    };
    let tmp = tempfile::tempdir().unwrap();
    under_umask_022(tmp.path(), &["init", "b", "--templates"]);
    let book = tmp.path().join("b");
    let mut files = Vec::new();
    let mut stack = vec![book.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    assert!(files.len() >= 5, "{files:?}");
    for file in &files {
        assert_eq!(mode(file), 0o644, "init: {}", file.display());
    }

    under_umask_022(
        &book,
        &["new", "suite", "--title", "Suite", "--author", "author"],
    );
    assert_eq!(mode(&book.join("chapters/02-suite.md")), 0o644);
    assert_eq!(mode(&book.join("book.toml")), 0o644);

    std::fs::set_permissions(
        book.join("book.toml"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    under_umask_022(
        &book,
        &["new", "fin", "--title", "Fin", "--author", "author"],
    );
    assert_eq!(
        mode(&book.join("book.toml")),
        0o640,
        "new kept book.toml's mode"
    );
    assert!(
        std::fs::read_to_string(book.join("book.toml"))
            .unwrap()
            .contains("\"fin\"")
    );

    under_umask_022(&book, &["build", "--html", "--epub"]);
    for file in ["_book/html/index.html", "_book/html/suite.html"] {
        assert_eq!(mode(&book.join(file)), 0o644, "{file}");
    }
    // The site's folders too: a web server running as another user enters them.
    for dir in ["_book", "_book/html"] {
        assert_eq!(mode(&book.join(dir)), 0o755, "{dir}");
    }
    let epub = std::fs::read_dir(book.join("_book"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "epub"))
        .expect("an EPUB");
    assert_eq!(mode(&epub), 0o644);
}

/// `build --draft` writes into `_book/draft/`: the print outputs a `build`
/// made stay as they were, byte for byte.
#[test]
fn a_draft_never_replaces_the_print_outputs() {
    let (_tmp, book) = fixture("minimal");
    ok(&book, &["build", "--html", "--pdf"]);
    let print_pdf = book.join("_book/minimal.pdf");
    let pdf = std::fs::read(&print_pdf).unwrap();
    let index = std::fs::read(book.join("_book/html/index.html")).unwrap();
    let out = ok(&book, &["build", "--html", "--pdf", "--draft"]);
    assert!(out.contains("_book/draft/"), "{out}");
    assert_eq!(std::fs::read(&print_pdf).unwrap(), pdf, "the print PDF");
    assert_eq!(
        std::fs::read(book.join("_book/html/index.html")).unwrap(),
        index
    );
    assert!(!book.join("_book/html/status.html").exists());
    assert!(book.join("_book/draft/html/status.html").is_file());
    assert!(book.join("_book/draft/minimal.pdf").is_file());
    // A print build after the draft leaves the draft alone in turn.
    ok(&book, &["build", "--html"]);
    assert!(book.join("_book/draft/html/status.html").is_file());
}
