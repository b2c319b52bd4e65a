//! Issue 22, point 4: every example of the CommonMark specification that
//! has no link or image builds into every output with exit 0, each example
//! a chapter of its own (the spec, version 0.31.2, is in
//! `tests/fixtures/commonmark/`, with its licence and origin). Links and
//! images are left out because the spec's point to files that do not exist
//! (`/url`, `foo.jpg`), which a book reports as errors on purpose.

mod common;

use std::path::Path;

use common::commonmark::{Example, examples, spec, without_links};
use common::*;

#[test]
fn the_spec_is_read_whole() {
    let all = examples(&spec());
    assert_eq!(all.len(), 655, "the spec 0.31.2 has 655 examples");
    let first = &all[0];
    assert_eq!(first.section, "Tabs");
    assert_eq!(first.markdown, "\tfoo\tbaz\t\tbim\n");
    assert_eq!(first.html, "<pre><code>foo\tbaz\t\tbim\n</code></pre>\n");
    let last = &all[654];
    assert_eq!(last.markdown, "Multiple     spaces\n");
}

/// A book with one chapter per example (its number in the file's name, so
/// that a diagnostic names the example).
fn spec_book(dir: &Path, examples: &[&Example], raw_html: &str) {
    std::fs::create_dir_all(dir.join("chapters")).unwrap();
    // The scripts Typst's own fonts lack (examples of character
    // references and of Unicode punctuation), as a book names them: in
    // `fonts/`, subsets of Noto (see the fixture's README).
    copy_dir(
        &repo_root().join("tests/fixtures/commonmark/fonts"),
        &dir.join("fonts"),
    );
    std::fs::write(
        dir.join("book.toml"),
        format!("[book]\ntitle = \"CommonMark\"\nlanguage = \"en\"\n\n[pdf]\nrecto-chapters = false\n\
         fallback-fonts = [\"Noto Sans Kannada\", \"Noto Sans Malayalam\", \"Noto Sans Wancho\"]\n\n\
         [html]\nraw-html = \"{raw_html}\"\n"),
    )
    .unwrap();
    for example in examples {
        std::fs::write(
            dir.join(format!("chapters/{:03}.md", example.number)),
            format!(
                "---\ntitle: \"Example {} ({})\"\nid: example-{}\nnumbered: false\n---\n\n{}",
                example.number, example.section, example.number, example.markdown
            ),
        )
        .unwrap();
    }
}

#[test]
fn every_example_without_a_link_or_image_builds_into_every_output() {
    let all = examples(&spec());
    let chosen = without_links(&all);
    // Most of the spec: every section's block and inline constructs.
    assert_eq!(chosen.len(), 509);
    // Under every raw-HTML policy: the spec's raw HTML examples are shown
    // as text, cleaned, or kept.
    for policy in ["escape", "sanitize", "allow"] {
        let tmp = tempfile::tempdir().unwrap();
        let book = tmp.path().join("spec");
        spec_book(&book, &chosen, policy);
        let out = ouvrage(&book, &["build", "--html", "--pdf", "--epub", "--docx"]);
        let (stdout, stderr) = text(&out);
        let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error")).collect();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{policy}: {} errors: {errors:#?}\n{stdout}",
            errors.len()
        );
        for output in [
            "html/index.html",
            "commonmark.pdf",
            "commonmark.epub",
            "commonmark.docx",
        ] {
            assert!(
                book.join("_book").join(output).is_file(),
                "{policy}: {output}"
            );
        }
        // Each example is a page of the site.
        for example in &chosen {
            let page = book.join(format!("_book/html/example-{}.html", example.number));
            assert!(page.is_file(), "{policy}: {}", page.display());
        }
    }
}
