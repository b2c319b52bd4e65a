//! Snapshots of the HTML body the renderer produces for the fixture chapter
//! that uses every construct. A change to the markup shows up here as a diff;
//! accept it with `INSTA_UPDATE=always cargo test --test snapshots` once it is
//! meant.

mod common;

use common::*;

#[test]
fn chapter_body_markup() {
    let (_tmp, book) = fixture("features");
    ok(&book, &["build", "--html"]);
    let html = std::fs::read_to_string(book.join("_book/html/premier.html")).unwrap();
    let start = html
        .find("<div class=\"chapter-body\">")
        .expect("chapter body");
    let end = html[start..].find("</article>").expect("article end") + start;
    insta::assert_snapshot!(html[start..end].trim());
}
