//! Review events in throwaway git repositories: every state of README "Review in git",
//! stale and forged approvals, branches, renames, deletions, and the user's
//! index and working tree left untouched.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use git2::{Repository, Signature};

/// A fixture book in a fresh git repository, everything committed by `ed`.
struct Book {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    repo: Repository,
}

fn email(who: &str) -> String {
    format!("{who}@example.org")
}

impl Book {
    fn new() -> Book {
        let (tmp, root) = fixture("features");
        let repo = Repository::init(&root).unwrap();
        let book = Book {
            _tmp: tmp,
            root,
            repo,
        };
        std::fs::write(book.root.join(".gitignore"), "_book/\n").unwrap();
        book.commit_all("ed", "initial manuscript");
        book
    }

    /// Stages everything and commits as `who` (the test's own git use).
    fn commit_all(&self, who: &str, message: &str) -> String {
        common::commit_all(&self.repo, who, &email(who), message)
    }

    /// An empty commit with `message`, as `git commit --allow-empty` would make it.
    fn empty_commit(&self, who_email: &str, message: &str) {
        let head = self.repo.head().unwrap().peel_to_commit().unwrap();
        let sig = Signature::now("Someone", who_email).unwrap();
        self.repo
            .commit(
                Some("HEAD"),
                &sig,
                &sig,
                message,
                &head.tree().unwrap(),
                &[&head],
            )
            .unwrap();
    }

    /// Gives `ed` (the editor) the reviewer role too, committed.
    fn ed_reviews(&self) {
        edit(
            self.root.join("contributors.toml"),
            "roles = [\"editor\"]",
            "roles = [\"editor\", \"reviewer\"]",
        );
        self.commit_all("ed", "ed reviews too");
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

    fn status(&self) -> serde_json::Value {
        let out = self.run("ed", &["status", "--format", "json"]);
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{stderr}");
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
    }

    fn chapter(&self, id: &str) -> serde_json::Value {
        let status = self.status();
        status["chapters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .cloned()
            .unwrap_or(serde_json::Value::Null)
    }

    fn state(&self, id: &str) -> String {
        self.chapter(id)["state"]
            .as_str()
            .unwrap_or("missing")
            .to_string()
    }

    fn edit(&self, rel: &str, append: &str) {
        let path = self.root.join(rel);
        let text = std::fs::read_to_string(&path).unwrap() + append;
        std::fs::write(path, text).unwrap();
    }

    fn head(&self) -> String {
        self.repo
            .head()
            .unwrap()
            .peel_to_commit()
            .unwrap()
            .id()
            .to_string()
    }
}

const PREMIER: &str = "chapters/01-premier.md";

#[test]
fn every_state_in_order() {
    let b = Book::new();
    assert_eq!(b.state("premier"), "draft");
    b.ok("ana", &["submit", "premier", "-m", "Prêt"]);
    assert_eq!(b.state("premier"), "in-review");
    b.ok(
        "bo",
        &[
            "review",
            "premier",
            "--request-changes",
            "-m",
            "La section 2",
        ],
    );
    assert_eq!(b.state("premier"), "changes-requested");
    b.edit(PREMIER, "\nUn ajout.\n");
    b.commit_all("ana", "premier: section 2");
    assert_eq!(
        b.state("premier"),
        "changes-requested",
        "not resubmitted yet"
    );
    b.ok("ana", &["submit", "premier"]);
    assert_eq!(b.state("premier"), "in-review");
    b.ok("bo", &["review", "premier", "--comment", "-m", "Merci"]);
    assert_eq!(b.state("premier"), "in-review");
    b.ok("bo", &["review", "premier", "--approve"]);
    assert_eq!(b.state("premier"), "approved");
    b.ok("ed", &["finalize", "premier"]);
    let ch = b.chapter("premier");
    assert_eq!(ch["state"], "final");
    let verdicts: Vec<&str> = ch["reviews"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["changes-requested", "commented", "approved"]);
    assert_eq!(ch["reviews"][2]["current"], true);
    assert_eq!(ch["reviews"][0]["current"], false);
    // The event commit's message carries the trailers.
    let head = b.repo.head().unwrap().peel_to_commit().unwrap();
    let message = head.message().unwrap();
    assert!(message.starts_with("review(premier): final"), "{message}");
    assert!(
        message.contains(&format!(
            "Ouvrage-Revision: {}",
            ch["revision"].as_str().unwrap()
        )),
        "{message}"
    );
    assert_eq!(
        head.tree_id(),
        head.parent(0).unwrap().tree_id(),
        "an event changes no file"
    );
}

#[test]
fn two_approvals_when_required() {
    let b = Book::new();
    let toml = std::fs::read_to_string(b.root.join("book.toml")).unwrap()
        + "\n[review]\nrequired-approvals = 2\n";
    std::fs::write(b.root.join("book.toml"), toml).unwrap();
    edit(
        b.root.join(PREMIER),
        "reviewers: [bo]",
        "reviewers: [bo, ed]",
    );
    b.commit_all("ed", "two reviewers");
    b.ed_reviews();
    b.ok("ana", &["submit", "premier"]);
    b.ok("bo", &["review", "premier", "--approve"]);
    assert_eq!(b.state("premier"), "in-review");
    b.ok("ed", &["review", "premier", "--approve"]);
    assert_eq!(b.state("premier"), "approved");
}

#[test]
fn a_later_edit_makes_the_approval_stale_and_is_listed() {
    let b = Book::new();
    b.ok("ana", &["submit", "premier"]);
    b.ok("bo", &["review", "premier", "--approve"]);
    b.edit(PREMIER, "\nUne phrase de plus.\n");
    let edit = b.commit_all("ana", "premier: une phrase");
    let ch = b.chapter("premier");
    assert_eq!(ch["state"], "in-review");
    assert_eq!(ch["reviews"][0]["current"], false);
    let since = ch["changed_since_approval"].as_array().unwrap();
    assert_eq!(since.len(), 1, "{since:?}");
    assert_eq!(since[0]["commit"], edit.as_str());
    assert_eq!(since[0]["author"], "ana");
    assert_eq!(ch["last_change"]["commit"], edit.as_str());
    let table = b.ok("ed", &["status"]);
    assert!(table.contains("bo stale"), "{table}");
    assert!(
        table.contains("changed since its approval by ana"),
        "{table}"
    );
}

#[test]
fn forged_events_are_unverified() {
    let b = Book::new();
    b.ok("ana", &["submit", "premier"]);
    let revision = b.chapter("premier")["revision"]
        .as_str()
        .unwrap()
        .to_string();
    let forged = format!(
        "review(premier): approved\n\nOuvrage-Chapter: premier\nOuvrage-Event: approved\nOuvrage-Revision: {revision}\n"
    );
    // By the chapter's own author, with plain git.
    b.empty_commit(&email("ana"), &forged);
    // By someone who is no contributor.
    b.empty_commit("mallory@evil.example", &forged);
    let ch = b.chapter("premier");
    assert_eq!(ch["state"], "in-review");
    let unverified = ch["unverified"].as_array().unwrap();
    assert_eq!(unverified.len(), 2, "{unverified:?}");
    assert_eq!(unverified[0]["email"], "ana@example.org");
    assert_eq!(unverified[0]["why"], "not a reviewer of this chapter");
    assert_eq!(unverified[1]["email"], "mallory@evil.example");
    let status = b.status();
    let unknown = status["unknown_authors"].as_array().unwrap();
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0]["email"], "mallory@evil.example");
    assert_eq!(unknown[0]["commits"], 1);
}

fn index_and_worktree(b: &Book) -> (Vec<u8>, String, String) {
    let index_bytes = std::fs::read(b.root.join(".git/index")).unwrap();
    let mut unstaged = String::new();
    let mut staged = String::new();
    let diff = b.repo.diff_index_to_workdir(None, None).unwrap();
    diff.print(git2::DiffFormat::Patch, |_, _, l| {
        unstaged.push_str(&String::from_utf8_lossy(l.content()));
        true
    })
    .unwrap();
    let head_tree = b.repo.head().unwrap().peel_to_tree().unwrap();
    let diff = b
        .repo
        .diff_tree_to_index(Some(&head_tree), None, None)
        .unwrap();
    diff.print(git2::DiffFormat::Patch, |_, _, l| {
        staged.push_str(&String::from_utf8_lossy(l.content()));
        true
    })
    .unwrap();
    (index_bytes, unstaged, staged)
}

#[test]
fn reviews_leave_the_index_and_the_working_tree_alone() {
    let b = Book::new();
    b.ok("ana", &["submit", "premier"]);
    // Staged work on one chapter, unstaged on another file.
    b.edit("chapters/02-second.md", "\nEn cours, indexé.\n");
    let mut index = b.repo.index().unwrap();
    index.add_path(Path::new("chapters/02-second.md")).unwrap();
    index.write().unwrap();
    b.edit("chapters/02-second.md", "\nEn cours, non indexé.\n");
    b.edit("book.toml", "\n# une note locale\n");
    let before = index_and_worktree(&b);
    assert!(!before.1.is_empty() && !before.2.is_empty());
    let head_before = b.head();
    b.ok("bo", &["review", "premier", "--approve"]);
    assert_ne!(b.head(), head_before, "the event was committed");
    let after = index_and_worktree(&b);
    assert_eq!(before.1, after.1, "git diff changed");
    assert_eq!(before.2, after.2, "git diff --cached changed");
    assert_eq!(before.0, after.0, ".git/index was rewritten");
    assert_eq!(b.state("premier"), "approved");
}

#[test]
fn an_approval_on_a_branch_counts_once_merged() {
    let b = Book::new();
    b.ok("ana", &["submit", "premier"]);
    let main = b.repo.head().unwrap().shorthand().unwrap().to_string();
    let head = b.repo.head().unwrap().peel_to_commit().unwrap();
    b.repo.branch("relecture", &head, false).unwrap();
    b.repo.set_head("refs/heads/relecture").unwrap();
    b.ok("bo", &["review", "premier", "--approve"]);
    let branch_tip = b.repo.head().unwrap().peel_to_commit().unwrap();
    b.repo.set_head(&format!("refs/heads/{main}")).unwrap();
    // Meanwhile on main, someone else commits (so the merge is a real merge).
    b.edit("chapters/03-scuola.md", "\nAggiunta.\n");
    b.commit_all("bo", "scuola");
    assert_eq!(
        b.state("premier"),
        "in-review",
        "the approval is not merged yet"
    );
    // Merge the branch with a merge commit.
    let main_tip = b.repo.head().unwrap().peel_to_commit().unwrap();
    let mut merged = b.repo.merge_commits(&main_tip, &branch_tip, None).unwrap();
    let tree = b
        .repo
        .find_tree(merged.write_tree_to(&b.repo).unwrap())
        .unwrap();
    let sig = Signature::now("ed", &email("ed")).unwrap();
    b.repo
        .commit(
            Some("HEAD"),
            &sig,
            &sig,
            "Merge relecture",
            &tree,
            &[&main_tip, &branch_tip],
        )
        .unwrap();
    assert_eq!(b.state("premier"), "approved");
}

#[test]
fn unmerged_changes_on_other_branches_are_reported() {
    let b = Book::new();
    let main = b.repo.head().unwrap().shorthand().unwrap().to_string();
    let head = b.repo.head().unwrap().peel_to_commit().unwrap();
    b.repo.branch("proposition", &head, false).unwrap();
    b.repo.set_head("refs/heads/proposition").unwrap();
    b.edit(PREMIER, "\nUne proposition.\n");
    let commit = b.commit_all("ana", "premier: proposition");
    b.repo.set_head(&format!("refs/heads/{main}")).unwrap();
    b.repo
        .checkout_head(Some(git2::build::CheckoutBuilder::new().force()))
        .unwrap();
    let plain = b.chapter("premier");
    assert!(plain.get("unmerged").is_none());
    let (out, _) = text(&b.run("ed", &["status", "--all-branches", "--format", "json"]));
    let status: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ch = status["chapters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "premier")
        .unwrap()
        .clone();
    let unmerged = ch["unmerged"].as_array().unwrap();
    assert_eq!(unmerged.len(), 1);
    assert_eq!(unmerged[0]["branch"], "proposition");
    assert_eq!(unmerged[0]["commit"], commit.as_str());
    assert_eq!(unmerged[0]["author"], "ana");
}

#[test]
fn a_renamed_chapter_keeps_its_approval_and_history() {
    let b = Book::new();
    b.edit(PREMIER, "\nAvant le déplacement.\n");
    b.commit_all("ana", "premier: avant");
    b.ok("ana", &["submit", "premier"]);
    b.ok("bo", &["review", "premier", "--approve"]);
    std::fs::create_dir_all(b.root.join("chapters/partie")).unwrap();
    std::fs::rename(
        b.root.join(PREMIER),
        b.root.join("chapters/partie/01-premier.md"),
    )
    .unwrap();
    std::fs::rename(
        b.root.join("chapters/images"),
        b.root.join("chapters/partie/images"),
    )
    .unwrap();
    let moved = b.commit_all("ed", "ranger les chapitres");
    let ch = b.chapter("premier");
    assert_eq!(ch["path"], "chapters/partie/01-premier.md");
    assert_eq!(
        ch["state"], "approved",
        "a move keeps the blob, so the approval stays current"
    );
    assert_eq!(ch["last_change"]["commit"], moved.as_str());
    // Commits from before the move are still the chapter's.
    let contributors = b.status()["contributors"].clone();
    let ana = contributors
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "ana")
        .unwrap()
        .clone();
    assert!(ana["commits"].as_u64().unwrap() >= 2);

    // An edit made before a move, to a stale approval, is still listed after it.
    b.ed_reviews();
    b.ok("bo", &["submit", "second"]);
    b.ok("ed", &["review", "second", "--approve"]);
    b.edit("chapters/02-second.md", "\nAvant le déplacement.\n");
    let edit = b.commit_all("bo", "second: avant");
    std::fs::rename(
        b.root.join("chapters/02-second.md"),
        b.root.join("chapters/partie/02-second.md"),
    )
    .unwrap();
    let moved = b.commit_all("ed", "ranger le second");
    let ch = b.chapter("second");
    assert_eq!(ch["path"], "chapters/partie/02-second.md");
    let since: Vec<&str> = ch["changed_since_approval"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["commit"].as_str().unwrap())
        .collect();
    assert_eq!(since, [edit.as_str(), moved.as_str()]);
}

#[test]
fn a_deleted_chapter_disappears_from_the_status() {
    let b = Book::new();
    b.ok("bo", &["submit", "second"]);
    std::fs::remove_file(b.root.join("chapters/02-second.md")).unwrap();
    let toml = b.root.join("book.toml");
    edit(
        &toml,
        "\"premier\", \"second\", \"scuola\"",
        "\"premier\", \"scuola\"",
    );
    edit(
        &toml,
        "chapters = [\"premier\", \"second\"]",
        "chapters = [\"premier\"]",
    );
    b.commit_all("ed", "retirer le second chapitre");
    let status = b.status();
    let ids: Vec<&str> = status["chapters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["avant-propos", "premier", "scuola"]);
}

#[test]
fn refusals_are_clear() {
    let b = Book::new();
    let msg = |out: std::process::Output| {
        let (o, e) = text(&out);
        (out.status.code(), o + &e)
    };
    let (code, out) = msg(b.run("ana", &["submit", "premeir"]));
    assert_eq!(code, Some(1));
    assert!(out.contains("did you mean `premier`?"), "{out}");

    b.edit(PREMIER, "\nPas encore commité.\n");
    let (code, out) = msg(b.run("ana", &["submit", "premier"]));
    assert_eq!(code, Some(1));
    assert!(out.contains("uncommitted changes"), "{out}");
    b.commit_all("ana", "premier");

    let (code, out) = msg(b.run("bo", &["submit", "premier"]));
    assert_eq!(code, Some(1));
    assert!(out.contains("bo is not an author of `premier`"), "{out}");

    let (code, out) = msg(b.run("ana", &["review", "premier", "--approve"]));
    assert_eq!(code, Some(1));
    assert!(out.contains("not an assigned reviewer"), "{out}");

    let (code, out) = msg(b.run("ed", &["finalize", "premier"]));
    assert_eq!(code, Some(1));
    assert!(out.contains("not approved"), "{out}");

    // An identity that is no contributor: refused, then recorded with --force as unverified.
    let mut config = b.repo.config().unwrap();
    config.set_str("user.email", "visitor@example.net").unwrap();
    let (code, out) = msg(ouvrage(&b.root, &["review", "premier", "--approve"]));
    assert_eq!(code, Some(1));
    assert!(
        out.contains("visitor@example.net is no contributor") && out.contains("contributors.toml"),
        "{out}"
    );
    let (code, _) = msg(ouvrage(
        &b.root,
        &["review", "premier", "--approve", "--force"],
    ));
    assert_eq!(code, Some(0));
    assert_eq!(
        b.chapter("premier")["unverified"].as_array().unwrap().len(),
        1
    );

    // A verdict flag is required.
    assert_eq!(b.run("bo", &["review", "premier"]).status.code(), Some(2));

    // Detached HEAD: the hint names the branch this commit is the tip of,
    // whatever it is called (it said `main` in a `master` repository).
    b.repo
        .branch(
            "autre",
            &b.repo
                .head()
                .unwrap()
                .peel_to_commit()
                .unwrap()
                .parent(0)
                .unwrap(),
            false,
        )
        .unwrap();
    let branch = b.repo.head().unwrap().shorthand().unwrap().to_string();
    let head = b.repo.head().unwrap().peel_to_commit().unwrap().id();
    b.repo.set_head_detached(head).unwrap();
    let (code, out) = msg(b.run("ana", &["submit", "premier"]));
    assert_eq!(code, Some(1));
    assert!(out.contains("detached"), "{out}");
    assert!(out.contains(&format!("`git switch {branch}`")), "{out}");
    assert!(out.contains("the other branches: autre"), "{out}");

    // Not a repository.
    let (_tmp, plain) = fixture("features");
    let (code, out) = msg(ouvrage(&plain, &["submit", "premier"]));
    assert_eq!(code, Some(1));
    assert!(
        out.contains("not in a git repository") && out.contains("git init"),
        "{out}"
    );
}

#[test]
fn an_uncommitted_chapter_cannot_be_submitted() {
    let b = Book::new();
    std::fs::write(
        b.root.join("chapters/04-nouveau.md"),
        "---\ntitle: Nouveau\nauthors: [ana]\n---\n\nTexte.\n",
    )
    .unwrap();
    let out = b.run("ana", &["submit", "nouveau"]);
    let (o, e) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!((o + &e).contains("not committed"));
}

#[test]
fn the_gate_before_print() {
    let b = Book::new();
    let out = b.run("ed", &["check", "--require-approved"]);
    let (o, e) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{o}{e}");
    assert!(
        e.contains("chapters/01-premier.md") && e.contains("is draft"),
        "{e}"
    );
    // Every chapter gets a reviewer, then that reviewer's approval.
    b.ed_reviews();
    let reviews = [
        ("ana", "avant-propos"),
        ("bo", "premier"),
        ("ed", "second"),
        ("ana", "scuola"),
    ];
    for (reviewer, id) in reviews {
        let chapter_file = walk(&b.root.join("chapters"))
            .into_iter()
            .find(|p| p.to_string_lossy().contains(&id[..4]))
            .unwrap();
        let text = std::fs::read_to_string(&chapter_file).unwrap();
        if !text.contains("reviewers") {
            edit(
                &chapter_file,
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
}

#[test]
fn draft_outputs_show_the_review_state() {
    let b = Book::new();
    b.ok("ana", &["submit", "premier"]);
    b.ok("bo", &["review", "premier", "--approve"]);
    b.edit("chapters/02-second.md", "\nModifié.\n");
    b.commit_all("bo", "second");
    b.ok("ed", &["build", "--draft"]);
    let site = b.root.join("_book/draft/html");
    let dashboard = page(&site.join("status.html"));
    assert_eq!(
        texts(&dashboard, "#status-premier .state-badge"),
        ["approved"]
    );
    assert_eq!(texts(&dashboard, "#status-second .state-badge"), ["draft"]);
    assert!(
        texts(&dashboard, "#status-premier")
            .join(" ")
            .contains("bo: approved")
    );
    let chapter = page(&site.join("premier.html"));
    let revision = b.chapter("premier")["revision"].as_str().unwrap()[..7].to_string();
    assert_eq!(
        texts(&chapter, ".state-badge .state-revision"),
        std::slice::from_ref(&revision)
    );
    assert!(
        texts(&chapter, ".state-badge")
            .join("")
            .starts_with("approved")
    );
    check_site_links(&site);
    // The PDF's draft footer carries the state computed from git and the revision.
    let mut sink = ouvrage::diag::Sink::default();
    let mut model = ouvrage::pipeline::load_model(&b.root, &mut sink);
    let report = ouvrage::status::compute_status(
        &model,
        &ouvrage::git::Repo::open(&b.root).unwrap(),
        Default::default(),
    )
    .unwrap();
    ouvrage::pipeline::attach_review(&mut model, report);
    let text = model_text(&model, &Default::default());
    assert!(
        text.contains("approved") && text.contains(&revision),
        "{text}"
    );
    // A final build has no dashboard and no badge.
    b.ok("ed", &["build", "--html"]);
    let print = b.root.join("_book/html");
    assert!(!print.join("status.html").exists());
    assert!(texts(&page(&print.join("premier.html")), ".state-badge").is_empty());
    // And the draft beside it is still there.
    assert!(site.join("status.html").is_file());
}

#[test]
fn status_json_follows_the_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("schemas/status.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let b = Book::new();
    b.ok("ana", &["submit", "premier"]);
    b.ok("bo", &["review", "premier", "--approve", "-m", "Bien"]);
    b.edit(PREMIER, "\nEncore.\n");
    b.commit_all("ana", "premier");
    b.empty_commit("mallory@evil.example", "review(second): approved\n\nOuvrage-Chapter: second\nOuvrage-Event: approved\nOuvrage-Revision: 0000000000000000000000000000000000000000\n");
    std::fs::write(
        b.root.join("chapters/04-neuf.md"),
        "---\ntitle: Neuf\n---\n\nPas encore commité.\n",
    )
    .unwrap();
    let (out, _) = text(&b.run("ed", &["status", "--format", "json", "--all-branches"]));
    let status: serde_json::Value = serde_json::from_str(&out).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&status)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The schema rejects what it should.
    let mut broken = status.clone();
    broken["chapters"][0]["state"] = "lost".into();
    assert!(!validator.is_valid(&broken));
    let mut broken = status;
    broken["chapters"][0]["extra"] = 1.into();
    assert!(!validator.is_valid(&broken));
}

#[test]
fn a_chapter_moved_and_edited_in_one_commit_keeps_its_history() {
    let b = Book::new();
    b.ok("ana", &["submit", "premier"]);
    b.ok("bo", &["review", "premier", "--approve"]);
    b.edit(PREMIER, "\nUne phrase avant le déplacement.\n");
    let before = b.commit_all("ana", "premier: avant");
    std::fs::create_dir_all(b.root.join("chapters/partie")).unwrap();
    let text = std::fs::read_to_string(b.root.join(PREMIER)).unwrap() + "\nEt une pendant.\n";
    std::fs::remove_file(b.root.join(PREMIER)).unwrap();
    std::fs::write(b.root.join("chapters/partie/01-premier.md"), text).unwrap();
    std::fs::rename(
        b.root.join("chapters/images"),
        b.root.join("chapters/partie/images"),
    )
    .unwrap();
    let moved = b.commit_all("ana", "premier: déplacé et retouché");
    let ch = b.chapter("premier");
    assert_eq!(ch["path"], "chapters/partie/01-premier.md");
    let since: Vec<&str> = ch["changed_since_approval"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["commit"].as_str().unwrap())
        .collect();
    assert_eq!(since, [before.as_str(), moved.as_str()]);
}

/// Non-blank body lines of a chapter in HEAD by author email, from libgit2's
/// own blame: the oracle `ouvrage contributors` must agree with.
fn blame_oracle(b: &Book, rel: &str) -> std::collections::BTreeMap<String, usize> {
    let blame = b.repo.blame_file(Path::new(rel), None).unwrap();
    let text = std::fs::read_to_string(b.root.join(rel)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let fence = lines[0];
    let body_start = 1 + lines[1..].iter().position(|l| *l == fence).unwrap() + 1;
    let mut out = std::collections::BTreeMap::new();
    for (i, line) in lines.iter().enumerate().skip(body_start) {
        if line.trim().is_empty() {
            continue;
        }
        let hunk = blame.get_line(i + 1).unwrap();
        let email = hunk.final_signature().unwrap().email().unwrap().to_string();
        *out.entry(email).or_insert(0) += 1;
    }
    out
}

#[test]
fn contributors_counts_the_lines_still_theirs() {
    let b = Book::new();
    // Ana rewrites a line of the first version and adds two.
    let path = b.root.join(PREMIER);
    edit(
        &path,
        "## Méthode {#sec:methode}",
        "## Méthode revue {#sec:methode}",
    );
    b.edit(PREMIER, "\nLigne d'Ana, une.\n\nLigne d'Ana, deux.\n");
    b.commit_all("ana", "premier: méthode");
    b.ok("ana", &["submit", "premier"]);
    // Bo writes on a branch while Ana goes on on main: both change the same
    // file, so the merge makes a version no single commit made.
    let main = b.repo.head().unwrap().shorthand().unwrap().to_string();
    let head = b.repo.head().unwrap().peel_to_commit().unwrap();
    b.repo.branch("bo", &head, false).unwrap();
    b.repo.set_head("refs/heads/bo").unwrap();
    b.repo
        .checkout_head(Some(git2::build::CheckoutBuilder::new().force()))
        .unwrap();
    b.edit(PREMIER, "\nLigne de Bo sur sa branche.\n");
    b.commit_all("bo", "premier: ajout de Bo");
    let branch_tip = b.repo.head().unwrap().peel_to_commit().unwrap();
    b.repo.set_head(&format!("refs/heads/{main}")).unwrap();
    b.repo
        .checkout_head(Some(git2::build::CheckoutBuilder::new().force()))
        .unwrap();
    edit(
        &path,
        "## Méthode revue",
        "Un ajout d'Ana en tête.\n\n## Méthode revue",
    );
    b.commit_all("ana", "premier: en tête");
    let main_tip = b.repo.head().unwrap().peel_to_commit().unwrap();
    let mut merged = b.repo.merge_commits(&main_tip, &branch_tip, None).unwrap();
    assert!(!merged.has_conflicts());
    let tree = b
        .repo
        .find_tree(merged.write_tree_to(&b.repo).unwrap())
        .unwrap();
    let sig = Signature::now("ed", &email("ed")).unwrap();
    b.repo
        .commit(
            Some("HEAD"),
            &sig,
            &sig,
            "Merge bo",
            &tree,
            &[&main_tip, &branch_tip],
        )
        .unwrap();
    b.repo
        .checkout_head(Some(git2::build::CheckoutBuilder::new().force()))
        .unwrap();
    // After the merge, someone who is no contributor edits the second chapter.
    b.edit("chapters/02-second.md", "\nUne ligne venue d'ailleurs.\n");
    b.commit_all("zed", "second");

    let (out, err) = text(&b.run("ed", &["contributors", "--format", "json"]));
    let report: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    let people = report["contributors"].as_array().unwrap();
    let by_email = |email: &str| {
        people
            .iter()
            .find(|p| p["emails"].as_array().unwrap().iter().any(|e| e == email))
            .unwrap_or_else(|| panic!("{email} missing from {report:#}"))
    };
    // Every chapter's lines agree with libgit2's blame.
    for (chapter, rel) in [
        ("premier", PREMIER),
        ("second", "chapters/02-second.md"),
        ("scuola", "chapters/03-scuola.md"),
    ] {
        for (email, lines) in blame_oracle(&b, rel) {
            let person = by_email(&email);
            let share = person["by_chapter"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["chapter"] == chapter)
                .unwrap_or_else(|| panic!("{email} has no lines in {chapter}: {person:#}"));
            assert_eq!(share["lines"], lines, "{email} in {chapter}");
        }
    }
    let ana = by_email("ana@example.org");
    assert_eq!(ana["id"], "ana");
    assert_eq!(ana["commits"], 2, "{ana:#}");
    assert_eq!(ana["review_events"], 1);
    let premier_ana = &ana["by_chapter"].as_array().unwrap()[0];
    assert_eq!(premier_ana["chapter"], "premier");
    assert_eq!(
        premier_ana["lines"], 4,
        "the rewritten heading, two lines, the head line"
    );
    let bo = by_email("bo@example.org");
    assert_eq!(
        bo["by_chapter"][0]["lines"], 1,
        "Bo's line survives the merge"
    );
    assert_eq!(bo["by_chapter"][0]["words"], 6);
    let zed = by_email("zed@example.org");
    assert!(zed.get("id").is_none(), "a stranger has no id");
    assert_eq!(zed["lines"], 1);
    let sum: u64 = people.iter().map(|p| p["lines"].as_u64().unwrap()).sum();
    assert_eq!(report["total_lines"], sum);

    let table = b.ok("ed", &["contributors"]);
    assert!(table.contains("Ana Autrice (ana)"), "{table}");
    assert!(table.contains("not in contributors.toml"), "{table}");
}

#[test]
fn the_history_cache_changes_nothing_but_speed() {
    let b = Book::new();
    b.ok("ana", &["submit", "premier"]);
    b.ok("bo", &["review", "premier", "--approve"]);
    let cold = b.status();
    let cache = b.root.join(".git/ouvrage/history-chapters.bin");
    assert!(cache.is_file(), "the walk is remembered in git's folder");
    assert_eq!(b.status(), cold, "a warm run reports the same");
    // New commits are read and added; the old ones come from the cache.
    b.edit(PREMIER, "\nUne retouche.\n");
    let edit = b.commit_all("ana", "premier: retouche");
    let warm = b.chapter("premier");
    assert_eq!(warm["changed_since_approval"][0]["commit"], edit.as_str());
    assert_eq!(warm["reviews"][0]["current"], false);
    // A damaged cache is ignored and rewritten.
    std::fs::write(&cache, "{ pas du json").unwrap();
    let repaired = b.status();
    assert_eq!(repaired["chapters"], b.status()["chapters"]);
    assert_eq!(
        repaired["chapters"][1]["changed_since_approval"][0]["commit"],
        edit.as_str()
    );
    let rewritten = std::fs::read(&cache).unwrap();
    assert!(!rewritten.starts_with(b"{ pas"), "rewritten");
    assert!(rewritten.len() > 100, "{} bytes", rewritten.len());
}

/// A review branch off `main`: premier edited by ana, submitted by ana and
/// approved by bo; meanwhile `main` gets `main_edit` (a chapter and a line).
/// Returns the branch's commits, oldest first, and main's name; HEAD is
/// left on main.
fn review_branch(b: &Book, main_edit: (&str, &str)) -> (Vec<git2::Oid>, String) {
    let main = b.repo.head().unwrap().shorthand().unwrap().to_string();
    let base = b.repo.head().unwrap().peel_to_commit().unwrap();
    b.repo.branch("relecture", &base, false).unwrap();
    b.repo.set_head("refs/heads/relecture").unwrap();
    b.edit(PREMIER, "\nUne section relue.\n");
    b.commit_all("ana", "premier: une section");
    b.ok("ana", &["submit", "premier"]);
    b.ok("bo", &["review", "premier", "--approve"]);
    let mut walk = b.repo.revwalk().unwrap();
    walk.push_head().unwrap();
    walk.hide(base.id()).unwrap();
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)
        .unwrap();
    let commits: Vec<git2::Oid> = walk.map(Result::unwrap).collect();
    assert_eq!(commits.len(), 3);
    b.repo.set_head(&format!("refs/heads/{main}")).unwrap();
    b.repo
        .checkout_head(Some(git2::build::CheckoutBuilder::new().force()))
        .unwrap();
    b.edit(main_edit.0, main_edit.1);
    b.commit_all("ed", "meanwhile on main");
    (commits, main)
}

/// Moves HEAD's branch to `tip` and the working tree with it.
fn move_head_to(b: &Book, main: &str, tip: git2::Oid, why: &str) {
    b.repo
        .reference(&format!("refs/heads/{main}"), tip, true, why)
        .unwrap();
    b.repo
        .checkout_head(Some(git2::build::CheckoutBuilder::new().force()))
        .unwrap();
}

/// Replays `commits` on HEAD as a forge's "rebase and merge" does: each
/// keeps its author, message and changes; a review event stays an empty
/// commit (as `git rebase` keeps commits that start empty). Returns the new tip.
fn rebase_onto_head(b: &Book, commits: &[git2::Oid]) -> git2::Oid {
    let mut onto = b.repo.head().unwrap().peel_to_commit().unwrap();
    let committer = Signature::now("Forge", "forge@example.org").unwrap();
    for id in commits {
        let commit = b.repo.find_commit(*id).unwrap();
        let was_empty = commit.parent(0).unwrap().tree_id() == commit.tree_id();
        let tree = if was_empty {
            onto.tree().unwrap()
        } else {
            let mut index = b.repo.cherrypick_commit(&commit, &onto, 0, None).unwrap();
            assert!(!index.has_conflicts());
            b.repo
                .find_tree(index.write_tree_to(&b.repo).unwrap())
                .unwrap()
        };
        let new = b
            .repo
            .commit(
                None,
                &commit.author(),
                &committer,
                commit.message().unwrap(),
                &tree,
                &[&onto],
            )
            .unwrap();
        onto = b.repo.find_commit(new).unwrap();
    }
    onto.id()
}

#[test]
fn a_rebase_keeps_the_review_events_and_their_approval() {
    let b = Book::new();
    let (commits, main) = review_branch(&b, ("chapters/03-scuola.md", "\nAggiunta.\n"));
    let tip = rebase_onto_head(&b, &commits);
    move_head_to(&b, &main, tip, "rebase and merge");
    // New commits, same authors, and the revision approved is the blob the
    // chapter has after the rebase: the approval is current.
    let premier = b.chapter("premier");
    assert_eq!(premier["state"], "approved", "{premier:#}");
    let review = &premier["reviews"].as_array().unwrap()[0];
    assert_eq!(review["current"], true);
    assert_ne!(review["commit"], commits[2].to_string().as_str());
    assert_eq!(b.status()["warnings"], serde_json::json!([]));
}

#[test]
fn a_rebase_over_a_change_to_the_same_chapter_makes_the_approval_stale() {
    let b = Book::new();
    // Main changes premier too (another part of the file): after the
    // rebase the chapter's bytes are not those reviewed.
    let (commits, main) = review_branch(&b, (PREMIER, ""));
    edit(
        b.root.join(PREMIER),
        "---\n\n## Méthode",
        "---\n\nEn tête.\n\n## Méthode",
    );
    b.commit_all("ed", "premier: en tête");
    let tip = rebase_onto_head(&b, &commits);
    move_head_to(&b, &main, tip, "rebase and merge");
    let premier = b.chapter("premier");
    assert_eq!(premier["state"], "in-review", "{premier:#}");
    assert_eq!(premier["reviews"][0]["current"], false);
}

#[test]
fn a_squash_merge_swallows_the_review_events_and_status_says_so() {
    let b = Book::new();
    let (commits, main) = review_branch(&b, ("chapters/03-scuola.md", "\nAggiunta.\n"));
    // `git merge --squash` then `git commit`: one commit with the branch's
    // changes, whose message quotes the squashed commits, indented.
    let mut message = String::from("Squashed commit of the following:\n");
    for id in commits.iter().rev() {
        let c = b.repo.find_commit(*id).unwrap();
        message.push_str(&format!("\ncommit {id}\nAuthor: {}\n\n", c.author()));
        for line in c.message().unwrap().lines() {
            message.push_str(&format!("    {line}\n").replace("    \n", "\n"));
        }
    }
    let onto = b.repo.head().unwrap().peel_to_commit().unwrap();
    let branch_tip = b.repo.find_commit(*commits.last().unwrap()).unwrap();
    let mut merged = b.repo.merge_commits(&onto, &branch_tip, None).unwrap();
    let tree = b
        .repo
        .find_tree(merged.write_tree_to(&b.repo).unwrap())
        .unwrap();
    let sig = Signature::now("ed", &email("ed")).unwrap();
    let squash = b
        .repo
        .commit(None, &sig, &sig, &message, &tree, &[&onto])
        .unwrap();
    move_head_to(&b, &main, squash, "squash merge");

    let status = b.status();
    // The trailers quoted in the message make no event: premier was never
    // submitted as far as the history of main knows.
    let premier = status["chapters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "premier")
        .unwrap();
    assert_eq!(premier["state"], "draft", "{premier:#}");
    assert_eq!(premier["unverified"], serde_json::json!([]));
    let warnings = status["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert_eq!(warnings[0]["kind"], "squashed-review-events");
    assert_eq!(warnings[0]["commit"], squash.to_string().as_str());
    assert_eq!(warnings[0]["author"], "ed");
    assert_eq!(
        warnings[0]["events"],
        serde_json::json!([
            {"chapter": "premier", "event": "approved"},
            {"chapter": "premier", "event": "submitted"}
        ])
    );
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("schemas/status.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&status));

    // The table and the Markdown say it too, naming the commit.
    let short = &squash.to_string()[..10];
    let table = b.ok("ed", &["status"]);
    assert!(
        table.contains(&format!(
            "warning: commit {short} records no review event but names 2 review events"
        )),
        "{table}"
    );
    let markdown = b.ok("ed", &["status", "--format", "markdown"]);
    assert!(
        markdown.contains(&format!("> **Warning**: commit {short}")),
        "{markdown}"
    );

    // A forge's squash message lists the titles; the warning follows, and
    // recording the events again brings the chapter back.
    b.edit(PREMIER, "\nEncore.\n");
    b.commit_all(
        "ed",
        "Premier, relu (#3)\n\n* premier: encore\n* review(premier): submitted\n* review(premier): approved (#3)\n",
    );
    assert_eq!(b.status()["warnings"].as_array().unwrap().len(), 2);
    b.ok("ana", &["submit", "premier"]);
    // Half recorded again: each warning names only what is still lost.
    let warnings = b.status()["warnings"].clone();
    assert_eq!(warnings.as_array().unwrap().len(), 2, "{warnings:#}");
    assert_eq!(
        warnings[0]["events"],
        serde_json::json!([{"chapter": "premier", "event": "approved"}])
    );
    b.ok("bo", &["review", "premier", "--approve"]);
    assert_eq!(b.state("premier"), "approved");
    // Recorded again after them: the warnings are gone.
    assert_eq!(b.status()["warnings"], serde_json::json!([]));
}

/// A chapter without enough reviewers who may approve it can never pass
/// the gate: `check` says so at its front matter, and the gate says what to
/// do instead of waiting for approvals from nobody.
#[test]
fn a_chapter_without_reviewers_is_told_to_get_some() {
    let b = Book::new();
    let out = b.run("ed", &["check"]);
    let (_, e) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{e}");
    // The foreword names no reviewer; `second`'s only one (ed) lacks the role.
    assert!(
        e.contains("this chapter has no reviewer, and it needs 1 approval(s)")
            && e.contains("chapters/00-avant-propos.md:2:"),
        "{e}"
    );
    assert!(
        e.contains("this chapter has 0 reviewer(s) who may approve it, and it needs 1 approval(s)"),
        "{e}"
    );
    b.ok("ed", &["submit", "avant-propos"]);
    let out = b.run("ed", &["check", "--require-approved"]);
    let (_, e) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{e}");
    assert!(
        e.contains("`avant-propos` is in-review: it waits for 1 approval(s), and it has no reviewer to give them"),
        "{e}"
    );
    assert!(e.contains("assign reviewers in its front matter"), "{e}");
    // With reviewers who may approve, the warning goes.
    b.ed_reviews();
    edit(
        b.root.join("chapters/00-avant-propos.md"),
        "authors: [ed]",
        "authors: [ed]\nreviewers: [ana]",
    );
    let (_, e) = text(&b.run("ed", &["check"]));
    // (`scuola` still has none.)
    assert_eq!(e.matches("this chapter has no reviewer").count(), 1, "{e}");
    assert!(!e.contains("00-avant-propos.md:2:"), "{e}");
    assert!(!e.contains("who may approve it"), "{e}");
}
