//! `ouvrage diff` on a scripted history (README "`ouvrage diff`"): the
//! text compared word by word, not the Markdown, since a reviewer's
//! approval or a revision; and the same diff on the draft site's chapter
//! page for whoever makes the draft, when their approval went stale.

mod common;

use std::path::{Path, PathBuf};

use common::*;

fn as_user(root: &Path, who: &str) {
    let repo = git2::Repository::open(root).unwrap();
    let mut config = repo.config().unwrap();
    config.set_str("user.name", who).unwrap();
    config
        .set_str("user.email", &format!("{who}@example.org"))
        .unwrap();
}

fn run(root: &Path, who: &str, args: &[&str]) -> (bool, String, String) {
    as_user(root, who);
    let out = ouvrage(root, args);
    let (stdout, stderr) = text(&out);
    (out.status.success(), stdout, stderr)
}

/// bo approves `premier`; ana then changes two words, writes an emphasis
/// another way and re-wraps a line, and commits.
fn history() -> (tempfile::TempDir, PathBuf) {
    let (tmp, root) = fixture("features");
    let repo = git2::Repository::init(&root).unwrap();
    std::fs::write(root.join(".gitignore"), "_book/\n").unwrap();
    commit_all(&repo, "ed", "ed@example.org", "initial manuscript");
    let (approved, _, err) = run(&root, "bo", &["review", "premier", "--approve"]);
    assert!(approved, "{err}");
    let chapter = root.join("chapters/01-premier.md");
    edit(
        &chapter,
        "Un paragraphe avec une note",
        "Un long paragraphe\navec une belle note",
    );
    edit(
        &chapter,
        "abstract: \"Un résumé avec de l'*emphase*.\"",
        "abstract: \"Un résumé avec de l'_emphase_.\"",
    );
    edit(
        &chapter,
        "Un <script>alert(\"x\")</script> dans le texte",
        "Un <script>alert(\"x\")</script> dans ce texte",
    );
    commit_all(&repo, "ana", "ana@example.org", "premier: second draft");
    (tmp, root)
}

const CHANGED: &str = "Un {+long+} paragraphe avec une {+belle+} note";

#[test]
fn the_words_of_the_text_changed_since_an_approval_or_a_revision() {
    let (_tmp, root) = history();
    // bo's own approval, by default.
    let (ok, out, err) = run(&root, "bo", &["diff", "premier"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("premier: 2 paragraphs changed since bo's approval (revision "),
        "{out}"
    );
    assert!(out.contains(CHANGED), "{out}");
    assert!(out.contains("dans [-le-]{+ce+} texte"), "{out}");
    // The Markdown's own changes are no change of the text; no colour
    // when stdout is no terminal.
    assert!(!out.contains("\u{1b}["), "{out}");
    assert!(!out.contains("emphase"), "{out}");
    // Another's approval, and a revision: the same.
    let (ok, by_ed, _) = run(&root, "ed", &["diff", "premier", "--reviewer", "bo"]);
    assert!(ok);
    assert!(by_ed.contains(CHANGED), "{by_ed}");
    let (ok, since_rev, _) = run(&root, "ed", &["diff", "premier", "--since", "HEAD~1"]);
    assert!(ok);
    assert!(
        since_rev.contains("since `HEAD~1`") && since_rev.contains(CHANGED),
        "{since_rev}"
    );
    let (ok, same, _) = run(&root, "ed", &["diff", "premier", "--since", "HEAD"]);
    assert!(ok);
    assert!(same.contains("premier: the text is as at `HEAD`"), "{same}");

    // No approval, no such revision, no such chapter, no such reviewer.
    let (ok, _, err) = run(&root, "ed", &["diff", "premier"]);
    assert!(!ok);
    assert!(
        err.contains("ed has no approval of `premier` that counts"),
        "{err}"
    );
    let (ok, _, err) = run(&root, "ed", &["diff", "premier", "--since", "nowhere"]);
    assert!(!ok);
    assert!(err.contains("`nowhere` names no commit"), "{err}");
    let (ok, _, err) = run(&root, "ed", &["diff", "premiere"]);
    assert!(!ok);
    assert!(err.contains("no chapter has the id `premiere`"), "{err}");
    let (ok, _, err) = run(&root, "ed", &["diff", "premier", "--reviewer", "zoe"]);
    assert!(!ok);
    assert!(err.contains("no contributor has the id `zoe`"), "{err}");
}

#[test]
fn the_draft_site_shows_the_diff_to_whoever_approved_an_older_revision() {
    let (_tmp, root) = history();
    let (ok, _, err) = run(&root, "bo", &["build", "--draft", "--html"]);
    assert!(ok, "{err}");
    let file = root.join("_book/draft/html/premier.html");
    let html = page(&file);
    assert_eq!(texts(&html, ".since-approval ins"), ["long", "belle", "ce"]);
    assert_eq!(texts(&html, ".since-approval del"), ["le"]);
    let heading = texts(&html, ".since-approval h2");
    assert!(
        heading[0].starts_with("Modifié depuis votre approbation de la révision"),
        "{heading:?}"
    );
    // The text is text: no markup of the chapter gets into the diff.
    let raw = std::fs::read_to_string(&file).unwrap();
    let section = &raw[raw.find("since-approval").unwrap()..raw.find("chapter-body").unwrap()];
    assert!(!section.contains("<script"), "{section}");
    // Other chapters, ana's draft (she approved nothing) and a release: none.
    assert!(
        !std::fs::read_to_string(root.join("_book/draft/html/second.html"))
            .unwrap()
            .contains("since-approval")
    );
    let (ok, _, _) = run(&root, "ana", &["build", "--draft", "--html"]);
    assert!(ok);
    assert!(
        !std::fs::read_to_string(&file)
            .unwrap()
            .contains("since-approval")
    );
    let (ok, _, _) = run(&root, "bo", &["build", "--html"]);
    assert!(ok);
    assert!(
        !std::fs::read_to_string(root.join("_book/html/premier.html"))
            .unwrap()
            .contains("since-approval")
    );
}
