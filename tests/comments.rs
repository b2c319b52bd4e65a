//! Comments anchored on the text, as review events in throwaway git
//! repositories: recorded without touching the index or the worktree,
//! found again after edits, orphaned, suggestions applied or refused,
//! two clones merged without conflict, hostile bodies escaped, and the
//! counts of `status` and the gate of `check --require-approved`.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use git2::{Repository, Signature};

struct Book {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    repo: Repository,
}

fn email(who: &str) -> String {
    format!("{who}@example.org")
}

const PREMIER: &str = "chapters/01-premier.md";
const QUOTE: &str = "Un paragraphe avec une note";

impl Book {
    fn new() -> Book {
        let (tmp, root) = fixture("features");
        let repo = Repository::init(&root).unwrap();
        std::fs::write(root.join(".gitignore"), "_book/\n").unwrap();
        common::commit_all(&repo, "ed", &email("ed"), "initial manuscript");
        Book {
            _tmp: tmp,
            root,
            repo,
        }
    }

    fn open(root: &Path, tmp: tempfile::TempDir) -> Book {
        Book {
            _tmp: tmp,
            root: root.to_path_buf(),
            repo: Repository::open(root).unwrap(),
        }
    }

    fn as_user(&self, who: &str) {
        let mut config = self.repo.config().unwrap();
        config.set_str("user.name", who).unwrap();
        config.set_str("user.email", &email(who)).unwrap();
    }

    fn run(&self, who: &str, args: &[&str]) -> std::process::Output {
        self.as_user(who);
        ouvrage(&self.root, args)
    }

    fn ok(&self, who: &str, args: &[&str]) -> String {
        self.as_user(who);
        ok(&self.root, args)
    }

    fn fails(&self, who: &str, args: &[&str]) -> String {
        let out = self.run(who, args);
        let (stdout, stderr) = text(&out);
        assert!(
            !out.status.success(),
            "{args:?} succeeded: {stdout}{stderr}"
        );
        stdout + &stderr
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.run("ed", args);
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{stderr}");
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
    }

    fn comments(&self) -> Vec<serde_json::Value> {
        self.json(&["comments", "--format", "json"])["comments"]
            .as_array()
            .unwrap()
            .clone()
    }

    fn head(&self) -> git2::Commit<'_> {
        self.repo.head().unwrap().peel_to_commit().unwrap()
    }

    fn commit_all(&self, who: &str, message: &str) -> String {
        common::commit_all(&self.repo, who, &email(who), message)
    }

    fn replace(&self, from: &str, to: &str) {
        edit(self.root.join(PREMIER), from, to);
    }

    /// Comments as `who` and returns the new comment's id.
    fn comment(&self, who: &str, args: &[&str]) -> String {
        let mut all = vec!["comment", "premier"];
        all.extend_from_slice(args);
        self.ok(who, &all);
        self.head().id().to_string()
    }
}

fn validator(name: &str) -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("schemas").join(name)).unwrap(),
    )
    .unwrap();
    jsonschema::validator_for(&schema).expect("a valid schema")
}

fn assert_valid(validator: &jsonschema::Validator, doc: &serde_json::Value) {
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn a_comment_is_an_event_commit_that_touches_nothing_else() {
    let b = Book::new();
    // The user's staged and unstaged work, left as it is.
    std::fs::write(b.root.join("notes.txt"), "brouillon").unwrap();
    edit(b.root.join("chapters/02-second.md"), "title =", "title  =");
    let before = b.head();
    let index_before = std::fs::read(b.root.join(".git/index")).unwrap();
    let id = b.comment(
        "bo",
        &[
            "--on",
            QUOTE,
            "-m",
            "Une *source* ?",
            "--suggest",
            "Un paragraphe\navec: deux notes",
        ],
    );
    let head = b.head();
    assert_eq!(head.parent_id(0).unwrap(), before.id());
    assert_eq!(
        head.tree_id(),
        before.tree_id(),
        "a comment changes no file"
    );
    assert_eq!(head.author().email().ok(), Some("bo@example.org"));
    assert_eq!(
        std::fs::read(b.root.join(".git/index")).unwrap(),
        index_before
    );
    assert_eq!(
        std::fs::read_to_string(b.root.join("notes.txt")).unwrap(),
        "brouillon"
    );
    let message = head.message().unwrap();
    assert!(
        message.starts_with("review(premier): comment\n\nUne *source* ?\n\n"),
        "{message}"
    );
    assert!(
        message.contains("\nOuvrage-Quote: Un paragraphe avec une note\n"),
        "{message}"
    );
    assert!(
        message.contains("\nOuvrage-Suggestion: Un paragraphe%0Aavec: deux notes\n"),
        "{message}"
    );
    let revision = b
        .head()
        .tree()
        .unwrap()
        .get_path(Path::new(PREMIER))
        .unwrap()
        .id()
        .to_string();
    assert!(message.contains(&format!("Ouvrage-Revision: {revision}\n")));
    // Listed, found where it was made, its suggestion applicable.
    let list = b.comments();
    assert_eq!(list.len(), 1);
    let c = &list[0];
    assert_eq!(c["id"], id.as_str());
    assert_eq!(c["author"], "bo");
    assert_eq!(c["open"], true);
    assert_eq!(c["anchored"], "exact");
    assert_eq!(c["quote"]["line"], 11);
    assert_eq!(c["now"]["line"], 11);
    assert_eq!(c["suggestion"]["text"], "Un paragraphe\navec: deux notes");
    assert_eq!(c["suggestion"]["applies"], true);
    assert_valid(
        &validator("comments.schema.json"),
        &b.json(&["comments", "--format", "json"]),
    );
    // The status counts it, per chapter and per person, and its JSON follows the schema.
    let status = b.json(&["status", "--format", "json"]);
    assert_valid(&validator("status.schema.json"), &status);
    let premier = status["chapters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "premier")
        .unwrap();
    assert_eq!(premier["open_comments"], 1);
    let bo = status["contributors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "bo")
        .unwrap();
    assert_eq!(bo["open_comments"], 1);
    let table = b.ok("ed", &["status"]);
    assert!(table.contains("1 open comment"), "{table}");
    let by_person = b.ok("ed", &["status", "--by", "contributor"]);
    assert!(
        by_person.contains("bo: wrote 1 open comment"),
        "{by_person}"
    );
    let markdown = b.ok("ed", &["status", "--format", "markdown"]);
    assert!(markdown.contains("1 open comment"), "{markdown}");
}

#[test]
fn an_ambiguous_or_missing_quote_is_an_error_with_its_lines() {
    let b = Book::new();
    b.replace(
        "### Sous-section",
        "### Sous-section\n\nUne note encore, une note.",
    );
    b.commit_all("ana", "premier: notes");
    let err = b.fails(
        "bo",
        &["comment", "premier", "--on", "une note", "-m", "Laquelle ?"],
    );
    assert!(err.contains("occurs 2 times"), "{err}");
    assert!(
        err.contains("line 11: Un paragraphe avec une note")
            && err.contains("line 23: Une note encore, une note."),
        "{err}"
    );
    assert!(err.contains("--line N"), "{err}");
    let before = b.head().id();
    let err = b.fails(
        "bo",
        &[
            "comment", "premier", "--on", "une note", "--line", "3", "-m", "x",
        ],
    );
    assert!(
        err.contains("it is on line 11") && err.contains("it is on line 23"),
        "{err}"
    );
    assert_eq!(b.head().id(), before, "nothing recorded");
    b.comment(
        "bo",
        &["--on", "une note", "--line", "23", "-m", "Celle-ci"],
    );
    assert_eq!(b.comments()[0]["quote"]["line"], 23);
    // Not found: the closest text as a hint.
    let err = b.fails(
        "bo",
        &[
            "comment",
            "premier",
            "--on",
            "Un paragrafe avec une notte",
            "-m",
            "x",
        ],
    );
    assert!(err.contains("is not in the committed text"), "{err}");
    assert!(
        err.contains("the closest text is on line 11: “Un paragraphe avec une note”"),
        "{err}"
    );
    // A body naming a review event would be swallowed by the review model: refused.
    let err = b.fails(
        "bo",
        &[
            "comment",
            "premier",
            "--on",
            QUOTE,
            "-m",
            "x\nreview(premier): approved",
        ],
    );
    assert!(err.contains("unreadable"), "{err}");
}

#[test]
fn replies_resolve_and_reopen_name_the_comment_by_a_prefix() {
    let b = Book::new();
    let id = b.comment("bo", &["--on", QUOTE, "-m", "Une source ?"]);
    b.ok("ana", &["comment", "reply", &id[..8], "-m", "Ajoutée."]);
    // Ed is an editor; a stranger may not resolve.
    std::fs::write(
        b.root.join("contributors.toml"),
        std::fs::read_to_string(b.root.join("contributors.toml")).unwrap()
            + "\n[cy]\nname = \"Cy\"\nemails = [\"cy@example.org\"]\nroles = [\"reviewer\"]\n",
    )
    .unwrap();
    b.commit_all("ed", "cy joins");
    let err = b.fails("cy", &["comment", "resolve", &id[..8]]);
    assert!(err.contains("cy may not resolve this comment"), "{err}");
    b.ok("ana", &["comment", "resolve", &id[..8], "-m", "Fait."]);
    assert_eq!(b.comments()[0]["open"], false);
    let err = b.fails("ana", &["comment", "resolve", &id[..8]]);
    assert!(err.contains("already resolved"), "{err}");
    let open = b.json(&["comments", "--open", "--format", "json"]);
    assert!(open["comments"].as_array().unwrap().is_empty());
    b.ok("bo", &["comment", "reopen", &id, "-m", "Pas tout à fait."]);
    let c = &b.comments()[0];
    assert_eq!(c["open"], true);
    let kinds: Vec<&str> = c["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["reply", "resolve", "reopen"]);
    // A forced resolve by cy is recorded, and counts for nothing.
    b.ok("cy", &["comment", "resolve", &id[..8], "--force"]);
    assert_valid(
        &validator("comments.schema.json"),
        &b.json(&["comments", "--format", "json"]),
    );
    let c = &b.comments()[0];
    assert_eq!(c["open"], true);
    assert!(
        c["events"][3]["unverified"]
            .as_str()
            .unwrap()
            .contains("only the comment's author")
    );
    // An unknown prefix.
    assert!(
        b.fails("bo", &["comment", "reply", "zzzz", "-m", "x"])
            .contains("no comment has an id starting with `zzzz`")
    );
    // A comment from an unknown email (a forged event) is listed, unverified, and not counted.
    let head = b.head();
    let sig = Signature::now("Mallory", "mallory@evil.example").unwrap();
    let first = b
        .repo
        .find_commit(git2::Oid::from_str(&id).unwrap())
        .unwrap();
    let forged_message = first.message().unwrap().replace("Une source ?", "Forgé");
    b.repo
        .commit(
            Some("HEAD"),
            &sig,
            &sig,
            &forged_message,
            &head.tree().unwrap(),
            &[&head],
        )
        .unwrap();
    let list = b.comments();
    assert_eq!(list.len(), 2);
    assert_eq!(
        list[1]["unverified"],
        "the author's email is no contributor's"
    );
    let status = b.json(&["status", "--format", "json"]);
    let premier = status["chapters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "premier")
        .unwrap();
    assert_eq!(premier["open_comments"], 1);
}

#[test]
fn comments_follow_edits_and_orphans_are_kept() {
    let b = Book::new();
    let first = b.comment(
        "bo",
        &[
            "--on",
            "puis la première encore",
            "-m",
            "Répétition",
            "--suggest",
            "puis encore la première",
        ],
    );
    let second = b.comment(
        "bo",
        &[
            "--on",
            QUOTE,
            "-m",
            "Laquelle ?",
            "--suggest",
            "Un paragraphe avec sa note",
        ],
    );
    // Lines inserted before: found lower down.
    b.replace(
        "## Méthode {#sec:methode}",
        "## Méthode {#sec:methode}\n\nUn ajout.\n\nUn autre.",
    );
    b.commit_all("ana", "premier: ajouts");
    for c in b.comments() {
        assert_eq!(
            (c["anchored"].as_str(), c["now"]["line"].as_u64()),
            (Some("exact"), Some(15))
        );
        assert_eq!(c["quote"]["line"], 11, "the original line is kept");
    }
    // Applied: the worktree file changes, nothing is committed, the reviewer is credited.
    let head = b.head().id();
    let out = b.ok("ana", &["suggestion", "apply", &second[..10]]);
    assert!(
        out.contains("Co-authored-by: Bo Auteur <bo@example.org>"),
        "{out}"
    );
    assert_eq!(b.head().id(), head, "apply never commits");
    let text = std::fs::read_to_string(b.root.join(PREMIER)).unwrap();
    assert!(text.contains("Un paragraphe avec sa note[^une]"), "{text}");
    b.commit_all(
        "ana",
        "premier: la suggestion de bo\n\nCo-authored-by: Bo Auteur <bo@example.org>",
    );
    // The other quote edited a little: found by edit distance, its suggestion no longer applies.
    b.replace("puis la première encore", "puis la premiere encore");
    b.commit_all("ana", "premier: accent");
    let c = &b.comments()[0];
    assert_eq!(c["anchored"], "fuzzy");
    assert_eq!(c["now"]["text"], "puis la premiere encore");
    assert_eq!(c["suggestion"]["applies"], false);
    let listed = b.ok("ed", &["comments"]);
    assert!(
        listed.contains("it can no longer be applied: the quoted text changed"),
        "{listed}"
    );
    let err = b.fails("ana", &["suggestion", "apply", &first[..10]]);
    assert!(err.contains("can no longer be applied"), "{err}");
    // The sentence deleted: orphaned, still listed with its text and revision.
    b.replace(
        "Un paragraphe avec sa note[^une] et une seconde[^deux], puis la premiere encore[^une].",
        "Réécrit.",
    );
    b.commit_all("ana", "premier: réécrit");
    let c = &b.comments()[0];
    assert_eq!(c["anchored"], "orphaned");
    assert!(c["now"].is_null());
    assert_eq!(c["quote"]["exact"], "puis la première encore");
    assert_valid(
        &validator("comments.schema.json"),
        &b.json(&["comments", "--format", "json"]),
    );
    let listed = b.ok("ed", &["comments", "premier"]);
    assert!(
        listed.contains("orphaned: the quote is no longer in the chapter"),
        "{listed}"
    );
    assert!(listed.contains("“puis la première encore”"), "{listed}");
}

#[test]
fn two_clones_comment_and_merge_without_conflict() {
    let b = Book::new();
    let tmp_a = tempfile::tempdir().unwrap();
    let tmp_c = tempfile::tempdir().unwrap();
    let a = Repository::clone(b.root.to_str().unwrap(), tmp_a.path().join("a")).unwrap();
    let _ = Repository::clone(b.root.to_str().unwrap(), tmp_c.path().join("c")).unwrap();
    let a = Book::open(a.workdir().unwrap(), tmp_a);
    let c = Book::open(&tmp_c.path().join("c"), tmp_c);
    let one = a.comment("bo", &["--on", QUOTE, "-m", "De bo"]);
    let two = c.comment("ana", &["--on", "Seconde note", "-m", "D'ana"]);
    let three = c.comment("ed", &["--on", QUOTE, "-m", "D'ed, au même endroit"]);
    // Fetch c's branch into a and merge it as `git merge` would.
    let mut remote = a.repo.remote_anonymous(c.root.to_str().unwrap()).unwrap();
    let branch = c.repo.head().unwrap().shorthand().unwrap().to_string();
    remote
        .fetch(
            &[&format!("refs/heads/{branch}:refs/remotes/c/{branch}")],
            None,
            None,
        )
        .unwrap();
    let theirs = a
        .repo
        .find_reference(&format!("refs/remotes/c/{branch}"))
        .unwrap()
        .peel_to_commit()
        .unwrap();
    let ours = a.head();
    let index = a.repo.merge_commits(&ours, &theirs, None).unwrap();
    assert!(!index.has_conflicts(), "comment commits never conflict");
    let mut index = index;
    let tree = a
        .repo
        .find_tree(index.write_tree_to(&a.repo).unwrap())
        .unwrap();
    assert_eq!(tree.id(), ours.tree_id(), "nothing changed in any file");
    let sig = Signature::now("ed", "ed@example.org").unwrap();
    a.repo
        .commit(
            Some("HEAD"),
            &sig,
            &sig,
            "Merge c",
            &tree,
            &[&ours, &theirs],
        )
        .unwrap();
    let ids: Vec<String> = a
        .comments()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    for id in [&one, &two, &three] {
        assert!(ids.contains(id), "{id} missing from {ids:?}");
    }
    assert_eq!(ids.len(), 3);
}

#[test]
fn hostile_bodies_are_escaped_in_every_output() {
    let b = Book::new();
    let body = "\u{1b}[31mrouge\u{1b}[0m <script>alert(\"x\")</script> \"}],\n\nOuvrage-Chapter: second\n\n  Ouvrage-Comment: resolve";
    let padded = format!("{body}\r\n ");
    let id = b.comment(
        "bo",
        &["--on", QUOTE, "-m", &padded, "--suggest", "\u{7}\"\\"],
    );
    let c = &b.comments()[0];
    assert_eq!(c["body"], body.trim());
    assert_eq!(c["suggestion"]["text"], "\u{7}\"\\");
    assert_eq!(c["id"], id.as_str());
    let listed = b.ok("ed", &["comments"]);
    assert!(
        !listed.contains('\u{1b}') && !listed.contains('\u{7}'),
        "{listed:?}"
    );
    assert!(listed.contains("\\u{1b}[31mrouge"), "{listed}");
    let status = b.json(&["status", "--format", "json"]);
    assert_valid(&validator("status.schema.json"), &status);
}

#[test]
fn require_approved_fails_while_comments_are_open_unless_allowed() {
    let b = Book::new();
    // Every chapter approved, as in tests/review.rs's gate.
    edit(
        b.root.join("contributors.toml"),
        "roles = [\"editor\"]",
        "roles = [\"editor\", \"reviewer\"]",
    );
    b.commit_all("ed", "ed reviews too");
    let reviews = [
        ("ana", "avant-propos"),
        ("bo", "premier"),
        ("ed", "second"),
        ("ana", "scuola"),
    ];
    for (reviewer, id) in reviews {
        let file = walk(&b.root.join("chapters"))
            .into_iter()
            .find(|p| p.to_string_lossy().contains(&id[..4]))
            .unwrap();
        if !std::fs::read_to_string(&file)
            .unwrap()
            .contains("reviewers")
        {
            edit(
                &file,
                "authors:",
                &format!("reviewers: [{reviewer}]\nauthors:"),
            );
            b.commit_all("ed", "reviewers");
        }
    }
    for (reviewer, id) in reviews {
        b.ok(reviewer, &["review", id, "--approve"]);
    }
    b.ok("ed", &["check", "--require-approved"]);
    let id = b.comment("bo", &["--on", QUOTE, "-m", "Une source ?"]);
    let err = b.fails("ed", &["check", "--require-approved"]);
    assert!(err.contains("`premier` has 1 open comment"), "{err}");
    edit(
        b.root.join("book.toml"),
        "[book]",
        "[review]\nopen-comments = \"allow\"\n\n[book]",
    );
    b.ok("ed", &["check", "--require-approved"]);
    edit(
        b.root.join("book.toml"),
        "open-comments = \"allow\"",
        "open-comments = \"block\"",
    );
    // Resolved: the gate opens again.
    b.ok("ana", &["comment", "resolve", &id]);
    b.ok("ed", &["check", "--require-approved"]);
    edit(
        b.root.join("book.toml"),
        "open-comments = \"block\"",
        "open-comments = \"alow\"",
    );
    let err = b.fails("ed", &["check"]);
    assert!(err.contains("book.toml:2:17"), "{err}");
}
