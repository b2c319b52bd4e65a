//! Snapshots of what ouvrage prints and emits, so that a change shows up as
//! a diff: the site's chapter markup, the generated Typst of the fixture
//! books and of the sample book, `status --format json` (and the table) of
//! a scripted review history, and the text diagnostics of broken books.
//! Accept a change with `INSTA_UPDATE=always cargo test --test snapshots`
//! once it is meant (or `cargo insta review`), and commit the `.snap` files.
//!
//! Nothing in a snapshot depends on the machine or the run: the document
//! date is `SOURCE_DATE_EPOCH`, the git history is written with fixed
//! signatures and times, its ids are replaced by names, and the temporary
//! folder's path by `[BOOK]`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;
use git2::{Oid, Repository, Signature, Time};

/// 2024-05-01T10:00:00Z.
const EPOCH: &str = "1714557600";

/// Runs `ouvrage ARGS` in `dir` with a fixed document date, colours off.
fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ouvrage"))
        .args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .unwrap()
}

/// `text` with every spelling of `dir`'s path (as given, canonical, with
/// `/` separators) replaced by `[BOOK]`.
fn normalise(text: &str, dir: &Path) -> String {
    let mut spellings = vec![dir.display().to_string()];
    if let Ok(real) = dir.canonicalize() {
        spellings.push(real.display().to_string());
    }
    for s in spellings.clone() {
        spellings.push(s.replace('\\', "/"));
    }
    // Longest first, so that a spelling containing another goes whole.
    spellings.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let mut text = text.to_string();
    for s in spellings {
        text = text.replace(&s, "[BOOK]");
    }
    text
}

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

// ---------------------------------------------------------------------
// The generated Typst.

/// Builds the PDF of `book` with `--emit-typst`, then snapshots the list of
/// files emitted and each generated source, as `<name>_typst_<file>`. The
/// template and the math prelude are copies of files of this repository
/// (or of the book), checked equal to them instead.
fn emitted_typst(name: &str, book: &Path) {
    let out = run(book, &["build", "--pdf", "--emit-typst", "typ"]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let emitted = book.join("typ");
    let files: Vec<String> = walk(&emitted)
        .iter()
        .map(|p| {
            p.strip_prefix(&emitted)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    insta::assert_snapshot!(format!("{name}_typst_files"), files.join("\n"));

    let template = match std::fs::read_to_string(book.join("templates/book.typ")) {
        Ok(own) => own,
        Err(_) => include_str!("../src/render/typst/book.typ").to_string(),
    };
    let mut generated = 0;
    for rel in files.iter().filter(|f| f.ends_with(".typ")) {
        let source = std::fs::read_to_string(emitted.join(rel)).unwrap();
        match rel.as_str() {
            "__ouvrage/template.typ" => {
                assert!(source == template, "{rel} is not the book's template")
            }
            "__ouvrage/math.typ" => assert!(
                source == include_str!("../src/render/typst/math.typ"),
                "{rel} is not the built-in math prelude"
            ),
            _ => {
                let snapshot = rel
                    .trim_start_matches("__ouvrage/")
                    .trim_end_matches(".typ")
                    .replace('/', "_");
                insta::assert_snapshot!(
                    format!("{name}_typst_{snapshot}"),
                    normalise(&source, book)
                );
                generated += 1;
            }
        }
    }
    assert!(files.iter().any(|f| f == "__ouvrage/main.typ"), "{files:?}");
    assert!(generated >= 3, "{files:?}");
}

#[test]
fn typst_of_the_features_fixture() {
    let (_tmp, book) = fixture("features");
    emitted_typst("features", &book);
}

#[test]
fn typst_of_the_hostile_fixture() {
    let (_tmp, book) = fixture("hostile");
    emitted_typst("hostile", &book);
}

#[test]
fn typst_of_the_sample_book() {
    let (_tmp, book) = sample_book();
    emitted_typst("sample", &book);
}

// ---------------------------------------------------------------------
// The review status of a scripted history.

/// A git history written with fixed signatures and times (one hour apart),
/// so that every id in it is the same at every run; each commit and each
/// chapter revision gets a readable name for the snapshots.
struct History {
    root: PathBuf,
    repo: Repository,
    clock: i64,
    names: BTreeMap<String, String>,
    revisions: BTreeMap<String, usize>,
}

/// Who writes the history: the fixture's contributors, a stranger and a
/// forger.
fn person(who: &str) -> (&'static str, &'static str) {
    match who {
        "ana" => ("Ana Autrice", "ana@example.org"),
        "bo" => ("Bo Auteur", "bo@example.org"),
        "ed" => ("Edith Éditrice", "ed@example.org"),
        "zoe" => ("Zoé Passante", "zoe@ailleurs.example"),
        "mallory" => ("Mallory", "mallory@evil.example"),
        other => panic!("nobody called {other}"),
    }
}

impl History {
    fn new(root: &Path) -> History {
        History {
            root: root.to_path_buf(),
            repo: Repository::init(root).unwrap(),
            clock: 1_714_557_600,
            names: BTreeMap::new(),
            revisions: BTreeMap::new(),
        }
    }

    fn signature(&mut self, who: &str) -> Signature<'static> {
        self.clock += 3600;
        let (name, email) = person(who);
        Signature::new(name, email, &Time::new(self.clock, 120)).unwrap()
    }

    /// Commits `tree` on HEAD as `who`, naming the commit `name` and every
    /// chapter revision it holds that has no name yet.
    fn write(&mut self, who: &str, message: &str, tree: Oid, name: &str) -> Oid {
        let sig = self.signature(who);
        let repo = &self.repo;
        let tree = repo.find_tree(tree).unwrap();
        let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        let id = repo
            .commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
            .unwrap();
        self.names
            .insert(id.to_string(), format!("<commit {name}>"));
        let chapters = tree.get_path(Path::new("chapters")).unwrap();
        let chapters = repo.find_tree(chapters.id()).unwrap();
        for entry in chapters.iter() {
            let file = entry.name().unwrap().to_string();
            let blob = entry.id().to_string();
            if !file.ends_with(".md") || self.names.contains_key(&blob) {
                continue;
            }
            let n = self.revisions.entry(file.clone()).or_insert(0);
            *n += 1;
            self.names.insert(blob, format!("<revision {n} of {file}>"));
        }
        id
    }

    /// Stages the working tree and commits it.
    fn commit(&mut self, who: &str, message: &str, name: &str) -> Oid {
        let mut index = self.repo.index().unwrap();
        index
            .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
            .unwrap();
        index.update_all(["*"], None).unwrap();
        index.write().unwrap();
        let tree = index.write_tree().unwrap();
        self.write(who, message, tree, name)
    }

    /// A review event as README "Review in git" writes it: an empty commit naming the
    /// chapter, the event and the chapter file's blob id in HEAD.
    fn event(&mut self, who: &str, chapter: &str, file: &str, event: &str) -> Oid {
        let (tree, revision) = {
            let head = self.repo.head().unwrap().peel_to_commit().unwrap();
            let tree = head.tree().unwrap();
            let path = Path::new("chapters").join(file);
            (tree.id(), tree.get_path(&path).unwrap().id())
        };
        let message = format!(
            "review({chapter}): {event}\n\nOuvrage-Chapter: {chapter}\nOuvrage-Event: {event}\nOuvrage-Revision: {revision}\n"
        );
        self.write(who, &message, tree, &format!("{event} {chapter} by {who}"))
    }

    /// `text` with every id of this history, whole or abbreviated (7 hex
    /// digits or more, one digit at least), replaced by its name; fails on
    /// an id it does not know.
    fn named(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find(|c: char| c.is_ascii_hexdigit()) {
            let (before, from) = rest.split_at(start);
            out.push_str(before);
            let len = from
                .find(|c: char| !c.is_ascii_alphanumeric())
                .unwrap_or(from.len());
            let (word, after) = from.split_at(len);
            let glued = out.ends_with(|c: char| c.is_ascii_alphanumeric());
            let id_like = !glued
                && word.len() >= 7
                && word.bytes().all(|b| b.is_ascii_hexdigit())
                && word.bytes().any(|b| b.is_ascii_digit());
            if id_like {
                let names: Vec<&String> = self
                    .names
                    .iter()
                    .filter(|(id, _)| id.starts_with(word))
                    .map(|(_, name)| name)
                    .collect();
                assert!(names.len() == 1, "an id not of this history: {word}");
                out.push_str(names[0]);
            } else {
                out.push_str(word);
            }
            rest = after;
        }
        out.push_str(rest);
        normalise(&out, &self.root)
    }
}

/// `text` with the ages a table prints ("2 years ago") made timeless: they
/// are counted from the moment the test runs.
fn ageless(text: &str) -> String {
    let mut text = text.to_string();
    for unit in ["minute", "hour", "day", "month", "year"] {
        for unit in [format!(" {unit}s ago"), format!(" {unit} ago")] {
            while let Some(at) = text.find(&unit) {
                let start = text[..at]
                    .trim_end_matches(|c: char| c.is_ascii_digit())
                    .len();
                assert!(start < at, "no number before `{unit}`: {text}");
                text.replace_range(start..at + unit.len(), "[some time] ago");
            }
        }
    }
    text
}

/// The features fixture with a history of every state: `avant-propos`
/// drafted (and touched by someone who is no contributor), `premier`
/// submitted, approved and final, `second` approved and then changed (the
/// approval is stale), `scuola` with changes requested and a forged
/// approval.
fn scripted_history() -> (tempfile::TempDir, History) {
    let (tmp, root) = fixture("features");
    std::fs::write(root.join(".gitignore"), "_book/\n").unwrap();
    edit(
        root.join("chapters/03-scuola.md"),
        "authors: [bo]\n",
        "authors: [bo]\nreviewers: [ana]\n",
    );
    // Ed reviews `second`: a reviewer's role besides the editor's.
    edit(
        root.join("contributors.toml"),
        "roles = [\"editor\"]",
        "roles = [\"editor\", \"reviewer\"]",
    );
    let mut h = History::new(&root);
    h.commit("ed", "Le manuscrit", "manuscript");

    h.event("ana", "premier", "01-premier.md", "submitted");
    h.event("bo", "premier", "01-premier.md", "approved");
    h.event("ed", "premier", "01-premier.md", "final");

    h.event("bo", "second", "02-second.md", "submitted");
    h.event("ed", "second", "02-second.md", "approved");
    let second = root.join("chapters/02-second.md");
    let text = std::fs::read_to_string(&second).unwrap();
    std::fs::write(&second, text + "\nUne phrase ajoutée après la relecture.\n").unwrap();
    h.commit("ana", "second : une phrase", "edit second by ana");

    h.event("bo", "scuola", "03-scuola.md", "submitted");
    h.event("ana", "scuola", "03-scuola.md", "changes-requested");
    h.event("mallory", "scuola", "03-scuola.md", "approved");
    h.event("bo", "avant-propos", "00-avant-propos.md", "approved");

    let foreword = root.join("chapters/00-avant-propos.md");
    let text = std::fs::read_to_string(&foreword).unwrap();
    std::fs::write(&foreword, text + "\nUne coquille corrigée.\n").unwrap();
    h.commit("zoe", "avant-propos : coquille", "edit avant-propos by zoe");
    (tmp, h)
}

#[test]
fn status_of_a_scripted_review_history() {
    let (_tmp, h) = scripted_history();
    let out = run(&h.root, &["status", "--format", "json"]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let status: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    // What the history was written to show, before the snapshot shows all.
    let state = |id: &str| {
        status["chapters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| c["state"].as_str().unwrap().to_string())
    };
    assert_eq!(state("avant-propos").as_deref(), Some("draft"));
    assert_eq!(state("premier").as_deref(), Some("final"));
    assert_eq!(state("second").as_deref(), Some("in-review"));
    assert_eq!(state("scuola").as_deref(), Some("changes-requested"));
    // The output as printed (its key order included).
    insta::assert_snapshot!("status_json", h.named(&stdout));

    let out = run(&h.root, &["status"]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    insta::assert_snapshot!("status_table", ageless(&h.named(&stdout)));
}

// ---------------------------------------------------------------------
// Diagnostics as a person reads them.

/// `ouvrage check --color never` in `dir`: exit code, stdout, stderr.
fn check_text(dir: &Path) -> String {
    let out = run(dir, &["--color", "never", "check"]);
    let (stdout, stderr) = text(&out);
    assert!(!stderr.contains('\u{1b}'), "no escape code: {stderr}");
    normalise(
        &format!(
            "exit: {:?}\n--- stdout\n{stdout}--- stderr\n{stderr}",
            out.status.code()
        ),
        dir,
    )
}

#[test]
fn diagnostics_of_the_broken_fixture() {
    let (_tmp, book) = fixture("broken");
    insta::assert_snapshot!("check_broken", check_text(&book));
}

#[test]
fn diagnostics_of_many_kinds_of_fault() {
    let (_tmp, book) = broken_features();
    insta::assert_snapshot!("check_many_faults", check_text(&book));
}

#[test]
fn diagnostics_of_citations_math_and_raw_blocks() {
    // Errors in a chapter's text, and a warning: an unknown citation key
    // and label, a formula that cannot be converted, a raw Typst block the
    // book does not allow.
    let (_tmp, book) = fixture("minimal");
    std::fs::write(
        book.join("book.toml"),
        "[book]\ntitle = \"Minimal\"\nlanguage = \"fr\"\n\n[bibliography]\nfiles = [\"refs.bib\"]\n",
    )
    .unwrap();
    std::fs::write(
        book.join("refs.bib"),
        "@book{ostrom1990,\n  author = {Ostrom, Elinor},\n  title = {Governing the Commons},\n  publisher = {Cambridge University Press},\n  year = {1990},\n}\n",
    )
    .unwrap();
    std::fs::write(
        book.join("chapters/seul.md"),
        "---\ntitle: Seul\n---\n\nUn texte [@ostrom1999, p. 3] et la @fig:absente.\n\nUne formule $\\frac{1}{$ ouverte.\n\n```{=typst}\n#set text(red)\n```\n",
    )
    .unwrap();
    insta::assert_snapshot!("check_text_faults", check_text(&book));
}

#[test]
fn diagnostics_without_a_book() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vide");
    std::fs::create_dir(&dir).unwrap();
    let text = check_text(&dir);
    assert!(!text.contains(&tmp.path().display().to_string()), "{text}");
    insta::assert_snapshot!("check_no_book", text);
}
