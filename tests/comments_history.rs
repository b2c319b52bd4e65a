//! Comment events a history rewrite loses (README "Comments and suggested
//! edits"): a squash merge that keeps their messages in one commit, and a
//! rebase that rewrites a comment's commit while its replies still name the
//! old one. `status` warns of both instead of dropping them in silence.

mod common;

use std::path::Path;

use common::*;

fn as_user(root: &Path, who: &str) {
    let repo = git2::Repository::open(root).unwrap();
    let mut config = repo.config().unwrap();
    config.set_str("user.name", who).unwrap();
    config
        .set_str("user.email", &format!("{who}@example.org"))
        .unwrap();
}

fn book() -> (tempfile::TempDir, std::path::PathBuf, git2::Repository) {
    let (tmp, root) = fixture("features");
    let repo = git2::Repository::init(&root).unwrap();
    std::fs::write(root.join(".gitignore"), "_book/\n").unwrap();
    commit_all(&repo, "ed", "ed@example.org", "initial manuscript");
    (tmp, root, repo)
}

fn head(repo: &git2::Repository) -> git2::Commit<'_> {
    repo.head().unwrap().peel_to_commit().unwrap()
}

/// Commits `message` on `parent` with its tree, moving no branch, as a
/// rewrite of history does.
fn commit_on(repo: &git2::Repository, parent: &git2::Commit<'_>, message: &str) -> git2::Oid {
    let sig = git2::Signature::now("bo", "bo@example.org").unwrap();
    let tree = parent.tree().unwrap();
    repo.commit(None, &sig, &sig, message, &tree, &[parent])
        .unwrap()
}

fn reset_head(repo: &git2::Repository, to: git2::Oid) {
    let name = repo.head().unwrap().name().unwrap().to_string();
    repo.reference(&name, to, true, "rewrite").unwrap();
}

fn warnings(root: &Path) -> Vec<serde_json::Value> {
    let out = ouvrage(root, &["status", "--format", "json"]);
    assert!(out.status.success());
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // The new kinds are in the published schema.
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("schemas/status.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&status)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    status["warnings"].as_array().unwrap().clone()
}

#[test]
fn a_squash_merge_of_comment_commits_is_warned_of() {
    let (_tmp, root, repo) = book();
    let base = head(&repo).id();
    as_user(&root, "bo");
    ok(
        &root,
        &[
            "comment",
            "premier",
            "--on",
            "Un paragraphe avec une note",
            "-m",
            "Une source ?",
        ],
    );
    ok(
        &root,
        &[
            "comment",
            "second",
            "--on",
            "Une citation.",
            "-m",
            "De qui ?",
        ],
    );
    let second = head(&repo);
    let first = second.parent(0).unwrap();
    assert!(warnings(&root).is_empty());
    // A forge's squash merge: one commit, the messages as a list.
    let indent = |m: &str| m.lines().map(|l| format!("    {l}\n")).collect::<String>();
    let message = format!(
        "Relecture de bo (#7)\n\n* {}\n* {}",
        indent(first.message().unwrap()).trim_start(),
        indent(second.message().unwrap()).trim_start()
    );
    let base_commit = repo.find_commit(base).unwrap();
    let squash = commit_on(&repo, &base_commit, &message);
    reset_head(&repo, squash);
    let w = warnings(&root);
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0]["kind"], "lost-comment-events");
    assert_eq!(w[0]["commit"], squash.to_string());
    let text = w[0]["message"].as_str().unwrap();
    assert!(
        text.contains("names 2 comment events in its message but records none"),
        "{text}"
    );
    let listed = ok(&root, &["status"]);
    assert!(listed.contains("names 2 comment events"), "{listed}");
}

#[test]
fn a_rebase_that_rewrites_a_comment_under_its_replies_is_warned_of() {
    let (_tmp, root, repo) = book();
    let base = head(&repo);
    as_user(&root, "bo");
    ok(
        &root,
        &[
            "comment",
            "premier",
            "--on",
            "Un paragraphe avec une note",
            "-m",
            "Une source ?",
        ],
    );
    let comment = head(&repo);
    ok(
        &root,
        &["comment", "resolve", &comment.id().to_string()[..10]],
    );
    let resolve = head(&repo);
    assert!(warnings(&root).is_empty());
    // Rebased onto another commit: both rewritten, the resolve still
    // naming the comment's old id.
    let other = commit_on(&repo, &base, "another change");
    let other = repo.find_commit(other).unwrap();
    let comment2 = commit_on(&repo, &other, comment.message().unwrap());
    let comment2 = repo.find_commit(comment2).unwrap();
    let resolve2 = commit_on(&repo, &comment2, resolve.message().unwrap());
    reset_head(&repo, resolve2);
    let w = warnings(&root);
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0]["kind"], "dangling-comment-thread");
    assert_eq!(w[0]["commit"], resolve2.to_string());
    let text = w[0]["message"].as_str().unwrap();
    assert!(
        text.contains(&format!(
            "1 event answers comment {}",
            &comment.id().to_string()[..10]
        )),
        "{text}"
    );
    // The rewritten comment shows open again, as the warning says.
    let out = ouvrage(&root, &["comments", "--format", "json"]);
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed["comments"][0]["id"], comment2.id().to_string());
    assert_eq!(listed["comments"][0]["open"], true);
}
