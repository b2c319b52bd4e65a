//! `check` runs every validation `build` runs, writing nothing: when check
//! passes, build passes, on every fixture book and on the faults that used
//! to pass check and fail build (an image the PDF cannot place, a broken
//! book template or site template) (issue 29).

mod common;

use std::path::Path;

use common::*;

fn code(book: &Path, args: &[&str]) -> Option<i32> {
    ouvrage(book, args).status.code()
}

/// check passes exactly when build passes, and check writes nothing.
fn assert_agree(book: &Path, what: &str) -> Option<i32> {
    let checked = code(book, &["check"]);
    assert!(!book.join("_book").exists(), "{what}: check wrote _book");
    let built = code(book, &["build"]);
    assert_eq!(
        checked == Some(0),
        built == Some(0),
        "{what}: check exits {checked:?}, build {built:?}"
    );
    let _ = std::fs::remove_dir_all(book.join("_book"));
    checked
}

#[test]
fn check_and_build_agree_on_every_fixture() {
    let fixtures = repo_root().join("tests/fixtures");
    let mut seen = 0;
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let (_tmp, book) = fixture(&name);
        assert_agree(&book, &name);
        seen += 1;
    }
    assert!(seen >= 5, "{seen} fixtures");
    let (_tmp, sample) = sample_book();
    assert_eq!(assert_agree(&sample, "the sample book"), Some(0));
}

#[test]
fn faults_only_a_build_met_are_checked() {
    // An image in a format the PDF cannot place (a BMP).
    let (_tmp, book) = fixture("minimal");
    let bmp = [
        0x42, 0x4d, 0x3a, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0, 0x28, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0,
        0, 1, 0, 0x18, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0x13, 0x0b, 0, 0, 0x13, 0x0b, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0xff, 0, 0, 0,
    ];
    std::fs::write(book.join("chapters/image.bmp"), bmp).unwrap();
    std::fs::write(
        book.join("chapters/seul.md"),
        "---\ntitle: Seul\n---\n\n![Une image](image.bmp)\n",
    )
    .unwrap();
    assert_eq!(assert_agree(&book, "a BMP image"), Some(1));
    let out = ouvrage(&book, &["check"]);
    assert!(
        text(&out).1.contains("chapters/seul.md:5"),
        "{}",
        text(&out).1
    );

    // A book template that does not compile.
    let (_tmp, book) = fixture("minimal");
    std::fs::create_dir_all(book.join("templates")).unwrap();
    std::fs::write(
        book.join("templates/book.typ"),
        "#let book(meta, body) = {\n",
    )
    .unwrap();
    assert_eq!(assert_agree(&book, "a broken book.typ"), Some(1));
    let out = ouvrage(&book, &["check"]);
    assert!(
        text(&out).1.contains("templates/book.typ"),
        "{}",
        text(&out).1
    );

    // A site template that renders wrong.
    let (_tmp, book) = fixture("minimal");
    std::fs::create_dir_all(book.join("templates")).unwrap();
    std::fs::write(
        book.join("templates/chapter.html"),
        "{% extends \"layout.html\" %}{% block content %}{{ chapter.title | nosuchfilter }}{% endblock %}",
    )
    .unwrap();
    assert_eq!(assert_agree(&book, "a broken chapter.html"), Some(1));
    let out = ouvrage(&book, &["check"]);
    assert!(
        text(&out).1.contains("templates/chapter.html"),
        "{}",
        text(&out).1
    );
}
