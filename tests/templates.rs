//! The template registry as a book meets it: a misspelt file in
//! `templates/` is a warning with the closest name, README files and
//! folders are left alone, `init --templates` writes every built-in
//! template without overwriting a file, and a book whose templates are
//! those copies builds to the same bytes as with the built-in ones.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;
use ouvrage::templates;

/// `SOURCE_DATE_EPOCH` for the builds compared (2024-05-01 10:00 UTC).
const EPOCH: &str = "1714557600";

/// Runs `ouvrage` with a fixed document date and asserts success, with no
/// word about the templates.
fn build_at_epoch(book: &Path, args: &[&str]) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ouvrage"))
        .args(args)
        .current_dir(book)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(
        out.status.success(),
        "ouvrage {args:?}:\n{stdout}\n{stderr}"
    );
    assert!(!stderr.contains("templates/"), "{stderr}");
}

/// Every file under `dir`, by path relative to it, with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walk(dir)
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            (rel, std::fs::read(&p).unwrap())
        })
        .collect()
}

#[test]
fn a_misspelt_template_is_a_warning_with_the_closest_name() {
    let (_tmp, book) = fixture("features");
    let dir = book.join("templates");
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["chapitre.html", "style.cs", "book.tpy", "notes.txt"] {
        std::fs::write(dir.join(name), "x").unwrap();
    }
    // A warning, not an error: check succeeds and says the same in each run.
    let out = ouvrage(&book, &["check"]);
    let (_, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    for (file, closest) in [
        ("chapitre.html", "chapter.html"),
        ("style.cs", "style.css"),
        ("book.tpy", "book.typ"),
    ] {
        let expected = format!(
            "warning: templates/{file}: no template has this name, so the file is not used\n \
             = help: did you mean `{closest}`?\n"
        );
        assert!(stderr.contains(&expected), "{expected}\nin:\n{stderr}");
    }
    // Nothing close: the list of every name instead.
    let names: Vec<&str> = templates::names().collect();
    let expected = format!(
        "warning: templates/notes.txt: no template has this name, so the file is not used\n \
         = help: the templates are {}; `ouvrage init --templates` writes them all\n",
        names.join(", ")
    );
    assert!(stderr.contains(&expected), "{expected}\nin:\n{stderr}");
    // (and the fixture's two raw HTML fragments, printed as text, its
    // editor `ed` assigned as a reviewer without the reviewer role, and the
    // three chapters without a reviewer who may approve them)
    assert!(stderr.contains("0 errors, 10 warnings"), "{stderr}");

    // build shows them too, and builds.
    let out = ouvrage(&book, &["build", "--html"]);
    let (_, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning: templates/chapitre.html: no template has this name"),
        "{stderr}"
    );

    // In machine formats the file is the diagnostic's location.
    let out = ouvrage(&book, &["check", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["file"] == "templates/chapitre.html")
        .unwrap_or_else(|| panic!("{json}"));
    assert_eq!(found["severity"], "warning");
    assert_eq!(found["line"], serde_json::Value::Null);
    assert_eq!(found["hints"][0], "did you mean `chapter.html`?");
}

#[test]
fn valid_names_readme_files_and_subfolders_do_not_warn() {
    // The sample book's templates/ holds a README.md and the ci/ folder.
    let (_tmp, book) = sample_book();
    assert!(book.join("templates/README.md").is_file());
    assert!(book.join("templates/ci").is_dir());
    let dir = book.join("templates");
    std::fs::write(dir.join("style.css"), "/* mine */\n").unwrap();
    for name in [".DS_Store", "_index.html", "chapter.html.orig", "book.typ~"] {
        std::fs::write(dir.join(name), "x").unwrap();
    }
    std::fs::create_dir_all(dir.join("old")).unwrap();
    std::fs::write(dir.join("old/chapitre.html"), "x").unwrap();
    let out = ouvrage(&book, &["check"]);
    let (_, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    // The valid name is the book's own template.
    ok(&book, &["build", "--html"]);
    assert_eq!(
        std::fs::read_to_string(book.join("_book/html/style.css")).unwrap(),
        "/* mine */\n"
    );
}

#[test]
fn init_templates_writes_every_registry_entry_and_keeps_existing_files() {
    let (_tmp, book) = fixture("features");
    let dir = book.join("templates");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("chapter.html"), "mine").unwrap();
    let out = ok(&book, &["init", "--templates"]);
    assert!(
        out.contains("kept 1 file(s) already there, not overwritten: chapter.html"),
        "{out}"
    );
    assert!(
        out.contains("wrote 15 template(s) into templates/"),
        "{out}"
    );
    for template in templates::ALL {
        let text = std::fs::read_to_string(dir.join(template.name)).unwrap();
        if template.name == "chapter.html" {
            assert_eq!(text, "mine");
        } else {
            assert_eq!(text, template.builtin, "{}", template.name);
        }
    }
    // Nothing else: the book's own files are as they were.
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        templates::ALL.len()
    );
    // Again: every file is kept, none written.
    let out = ok(&book, &["init", "--templates"]);
    assert!(
        out.contains(&format!(
            "kept {} file(s) already there, not overwritten: {}",
            templates::ALL.len(),
            templates::names().collect::<Vec<_>>().join(", ")
        )),
        "{out}"
    );
    assert!(!out.contains("wrote"), "{out}");
    assert_eq!(
        std::fs::read_to_string(dir.join("chapter.html")).unwrap(),
        "mine"
    );

    // In a new folder: the book, then its templates, which load as the
    // book's own (and without a warning).
    let tmp = tempfile::tempdir().unwrap();
    ok(tmp.path(), &["init", "neuf", "--templates"]);
    let neuf = tmp.path().join("neuf");
    let mut sink = ouvrage::diag::Sink::default();
    let model = ouvrage::pipeline::load_model(&neuf, &mut sink);
    assert!(sink.diagnostics().is_empty(), "{:?}", sink.diagnostics());
    assert_eq!(
        model
            .templates
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        {
            let mut names: Vec<&str> = templates::names().collect();
            names.sort();
            names
        }
    );
}

/// Builds every format (and a draft site, for `status.html`), copies the
/// built-in templates into the book, builds again and compares every byte.
fn builds_identically_with_copied_templates(book: &Path, extra: &[&str]) {
    let mut args = vec!["build"];
    args.extend(extra);
    let draft = ["build", "--draft", "--html", "--out", "_draft"];
    build_at_epoch(book, &args);
    build_at_epoch(book, &draft);
    let before = (tree(&book.join("_book")), tree(&book.join("_draft")));
    assert!(before.0.keys().any(|k| k.ends_with(".pdf")));
    assert!(before.0.keys().any(|k| k.ends_with(".epub")));
    assert!(before.1.contains_key("html/status.html"));

    let out = ok(book, &["init", "--templates"]);
    assert!(!out.contains("kept"), "{out}");
    build_at_epoch(book, &args);
    build_at_epoch(book, &draft);
    let after = (tree(&book.join("_book")), tree(&book.join("_draft")));
    for (before, after) in [(&before.0, &after.0), (&before.1, &after.1)] {
        assert_eq!(
            before.keys().collect::<Vec<_>>(),
            after.keys().collect::<Vec<_>>()
        );
        for (name, bytes) in before {
            assert!(
                bytes == &after[name],
                "{name} differs once the templates are the book's"
            );
        }
    }
}

#[test]
fn a_fixture_book_builds_identically_with_copied_templates() {
    let (_tmp, book) = fixture("features");
    builds_identically_with_copied_templates(&book, &["--html", "--pdf", "--epub", "--offprints"]);
}

#[test]
fn the_sample_book_builds_identically_with_copied_templates() {
    let (_tmp, book) = sample_book();
    builds_identically_with_copied_templates(&book, &[]);
}

#[test]
fn the_templates_readme_lists_every_template_of_the_registry() {
    let readme = std::fs::read_to_string(repo_root().join("templates/README.md")).unwrap();
    for template in templates::ALL {
        let row = format!(
            "| `{}` | {} | {} | {} |",
            template.name,
            template.output.name(),
            template.kind.name(),
            template.about
        );
        assert!(readme.contains(&row), "templates/README.md lacks {row}");
    }
    let rows = readme.lines().filter(|l| l.starts_with("| `")).count();
    assert_eq!(rows, templates::ALL.len(), "one row per template");
}
