//! Open comments in the draft outputs (README "Comments and suggested
//! edits"): numbered notes at the end of the chapter in the draft PDF, a
//! list under the chapter in the draft site, each with the text it is on
//! and its body as text; a release build prints none, and a resolved
//! comment leaves the drafts.

mod common;

use std::path::{Path, PathBuf};

use common::*;

const HOSTILE: &str = "<script>alert(1)</script> \"><img src=x onerror=alert(2)> #panic(\"typst\") ] [ $x$ Une source ?";

/// The features book in git, with bo's comment on "Une citation." of the
/// second chapter.
fn book() -> (tempfile::TempDir, PathBuf) {
    let (tmp, root) = fixture("features");
    let repo = git2::Repository::init(&root).unwrap();
    std::fs::write(root.join(".gitignore"), "_book/\n").unwrap();
    commit_all(&repo, "ed", "ed@example.org", "initial manuscript");
    as_user(&root, "bo");
    ok(
        &root,
        &[
            "comment",
            "second",
            "--on",
            "Une citation.",
            "-m",
            HOSTILE,
            "--suggest",
            "Une autre citation.",
        ],
    );
    (tmp, root)
}

fn as_user(root: &Path, who: &str) {
    let repo = git2::Repository::open(root).unwrap();
    let mut config = repo.config().unwrap();
    config.set_str("user.name", who).unwrap();
    config
        .set_str("user.email", &format!("{who}@example.org"))
        .unwrap();
}

/// The text of the book's typeset pages, as a draft when `draft`.
fn typeset_text(root: &Path, draft: bool) -> String {
    let mut sink = ouvrage::diag::Sink::default();
    let mut model = ouvrage::pipeline::load_model(root, &mut sink);
    if draft {
        let repo = ouvrage::git::Repo::open(root).unwrap();
        let report = ouvrage::status::compute_status(&model, &repo, Default::default()).unwrap();
        ouvrage::pipeline::attach_review(&mut model, report);
    }
    let mut session =
        ouvrage::render::typst::Session::for_book(&model, &Default::default()).unwrap();
    let compiled = session
        .compile(&model, &Default::default())
        .unwrap_or_else(|e| panic!("{e:?}"));
    ouvrage::render::typst::text::page_texts(&compiled.document).join(" ")
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_draft_pdf_and_site_show_open_comments_and_a_release_none() {
    let (_tmp, root) = book();

    // The PDF: a numbered note with the line, the author, the text it is
    // on, then the body, as text; none in a release.
    let draft = one_line(&typeset_text(&root, true));
    let note = "[1] l. 15 · Bo Auteur “Une citation.” — <script>alert(1)</script> \"><img src=x onerror=alert(2)> #panic(\"typst\") ] [ $x$ Une source ?";
    assert!(draft.contains(note), "{draft}");
    assert!(draft.contains("Commentaires ouverts"));
    assert!(draft.contains("propose “Une autre citation.”"));
    let release = one_line(&typeset_text(&root, false));
    assert!(!release.contains("Une source ?"));
    assert!(!release.contains("Commentaires ouverts"));

    // The site: a list under the chapter, every field text.
    ok(&root, &["build", "--draft", "--html"]);
    let file = root.join("_book/draft/html/second.html");
    let html = page(&file);
    assert_eq!(
        texts(&html, ".draft-comments .draft-comment-body"),
        [HOSTILE]
    );
    assert_eq!(
        texts(&html, ".draft-comments .draft-comment-quote"),
        ["Une citation."]
    );
    assert_eq!(
        texts(&html, ".draft-comments .draft-comment-meta"),
        ["l. 15 · Bo Auteur"]
    );
    let raw = std::fs::read_to_string(&file).unwrap();
    assert!(!raw.contains("<img src=x") && !raw.contains("<script>alert"));
    assert!(raw.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // Other chapters have none; the release site none at all.
    let premier = std::fs::read_to_string(root.join("_book/draft/html/premier.html")).unwrap();
    assert!(!premier.contains("draft-comments"));
    ok(&root, &["build", "--html"]);
    let released = std::fs::read_to_string(root.join("_book/html/second.html")).unwrap();
    assert!(!released.contains("draft-comments") && !released.contains("Une source ?"));

    // Resolved, it leaves the drafts.
    let listed = ouvrage(&root, &["comments", "--format", "json"]);
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let id = listed["comments"][0]["id"].as_str().unwrap().to_string();
    ok(&root, &["comment", "resolve", &id[..10]]);
    ok(&root, &["build", "--draft", "--html"]);
    let after = std::fs::read_to_string(&file).unwrap();
    assert!(!after.contains("draft-comments"), "resolved");
    assert!(!one_line(&typeset_text(&root, true)).contains("Une source ?"));
}

#[test]
#[ignore = "needs poppler-utils (pdftotext); run by .ci/run"]
fn pdftotext_reads_the_comment_by_its_quote_in_the_draft_pdf_only() {
    let (_tmp, root) = book();
    let pdftotext = |pdf: &Path| {
        let out = std::process::Command::new("pdftotext")
            .args(["-enc", "UTF-8"])
            .arg(pdf)
            .arg("-")
            .output()
            .unwrap_or_else(|e| {
                panic!("pdftotext is needed by this test and could not run ({e}): apt-get install poppler-utils")
            });
        assert!(out.status.success());
        one_line(&String::from_utf8_lossy(&out.stdout))
    };
    let pdf_in = |dir: &Path| {
        walk(dir)
            .into_iter()
            .find(|p| p.extension().is_some_and(|e| e == "pdf"))
            .expect("a PDF")
    };
    ok(&root, &["build", "--draft", "--pdf"]);
    let draft_pdf = pdf_in(&root.join("_book/draft"));
    let draft = pdftotext(&draft_pdf);
    let quote = draft
        .find("“Une citation.”")
        .expect("the quote in the note");
    let body = draft[quote..]
        .find("<script>alert(1)</script> \"><img src=x onerror=alert(2)> #panic(\"typst\")")
        .expect("the body after its quote");
    assert!(body < 40, "the body is near its quote: {}", &draft[quote..]);
    ok(&root, &["build", "--pdf"]);
    let release = pdftotext(&root.join("_book").join(draft_pdf.file_name().unwrap()));
    assert!(!release.contains("Une source ?"), "{release}");
    assert!(!release.contains("Commentaires ouverts"));
}
