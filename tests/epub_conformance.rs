//! Conformance of the EPUB against the reference checker, W3C's EPUBCheck
//! (Debian's `epubcheck`). Marked `#[ignore]`: `.ci/run` installs it and
//! runs these with the other conformance tests. A missing checker is a
//! failure with a clear message, never a silent skip. Any fatal error, error
//! or warning fails the test.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

/// How to run EPUBCheck: `epubcheck` from the PATH, or, when that file is
/// the jar itself (Debian installs the jar as /usr/bin/epubcheck and relies
/// on binfmt_misc, which containers often lack), `java -jar` on it.
fn epubcheck() -> Command {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("epubcheck"))
            .find(|p| p.is_file())
    });
    let Some(path) = found else {
        panic!(
            "`epubcheck` is needed by this conformance test and is not installed: apt-get install epubcheck"
        );
    };
    let is_jar = std::fs::read(&path).is_ok_and(|bytes| bytes.starts_with(b"PK"));
    if is_jar {
        let mut cmd = Command::new("java");
        cmd.arg("-jar").arg(path);
        cmd
    } else {
        Command::new(path)
    }
}

/// Runs EPUBCheck on `epub` and fails on anything above an informational
/// message, listing each with its location.
fn check(epub: &Path) {
    let out = epubcheck()
        .arg(epub)
        .args(["--json", "-"])
        .output()
        .unwrap_or_else(|e| panic!("epubcheck could not run ({e}): apt-get install epubcheck"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    // The JSON report follows a line or two of text.
    let json = stdout
        .find("\n{")
        .map(|i| &stdout[i + 1..])
        .or_else(|| stdout.starts_with('{').then_some(stdout.as_str()))
        .unwrap_or_else(|| panic!("no JSON report from epubcheck:\n{stdout}\n{stderr}"));
    let report: serde_json::Value = serde_json::from_str(json)
        .unwrap_or_else(|e| panic!("epubcheck's report is not JSON ({e}):\n{stdout}\n{stderr}"));
    let problems: Vec<String> = report["messages"]
        .as_array()
        .expect("a messages array")
        .iter()
        .filter(|m| matches!(m["severity"].as_str(), Some("FATAL" | "ERROR" | "WARNING")))
        .map(|m| {
            let at: Vec<String> = m["locations"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|l| format!("{}:{}:{}", l["path"], l["line"], l["column"]))
                .collect();
            format!(
                "{} {} {} at {}",
                m["severity"].as_str().unwrap_or(""),
                m["ID"].as_str().unwrap_or(""),
                m["message"].as_str().unwrap_or(""),
                at.join(", ")
            )
        })
        .collect();
    assert!(
        problems.is_empty() && out.status.success(),
        "epubcheck on {}: {} problem(s), exit {:?}\n{}\n{stderr}",
        epub.display(),
        problems.len(),
        out.status.code(),
        problems.join("\n")
    );
    let checker = &report["checker"];
    for key in ["nFatal", "nError", "nWarning"] {
        assert_eq!(checker[key], 0, "{key} in {checker}");
    }
}

/// Builds the EPUB of the book at `book` into `out` and returns its path.
fn build_epub(book: &Path, out: &Path) -> PathBuf {
    ok(
        book,
        &[
            "build",
            "--epub",
            "--out",
            out.to_str().expect("a UTF-8 path"),
        ],
    );
    walk(out)
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "epub"))
        .expect("an EPUB")
}

#[test]
#[ignore = "needs epubcheck; run by .ci/run"]
fn sample_epub_passes_epubcheck() {
    // The book at the repository root, built into a temporary folder.
    let out = tempfile::tempdir().unwrap();
    let epub = build_epub(&repo_root(), out.path());
    check(&epub);
}

#[test]
#[ignore = "needs epubcheck; run by .ci/run"]
fn features_epub_with_raw_html_passes_epubcheck() {
    // Every feature, with raw HTML let through: well-formed and valid.
    let (_tmp, book) = fixture("features");
    edit(
        book.join("book.toml"),
        "search = true",
        "search = true\nraw-html = \"allow\"",
    );
    let epub = build_epub(&book, &book.join("out"));
    check(&epub);
}

#[test]
#[ignore = "needs epubcheck; run by .ci/run"]
fn sample_epub_with_its_page_list_passes_epubcheck() {
    // Built with the PDF: the page list, the page-break marks and their
    // dc:source (issue 20).
    let out = tempfile::tempdir().unwrap();
    ok(
        &repo_root(),
        &[
            "build",
            "--pdf",
            "--epub",
            "--out",
            out.path().to_str().expect("a UTF-8 path"),
        ],
    );
    let epub = epub_in(out.path());
    assert!(epub_entry(&epub, "EPUB/nav.xhtml").contains("epub:type=\"page-list\""));
    check(&epub);
}

#[test]
#[ignore = "needs epubcheck; run by .ci/run"]
fn index_and_translations_pass_epubcheck() {
    // The back-of-book index document, and a chapter whose title and
    // abstract are given in several languages.
    let (_tmp, book) = fixture("index");
    std::fs::write(
        book.join("chapters/04-langues.md"),
        "---\ntitle: {fr: Langues, en: Languages}\nabstract: {fr: Un résumé., en: An abstract.}\n---\n\nTexte.\n",
    )
    .unwrap();
    let epub = build_epub(&book, &book.join("out"));
    check(&epub);
}
