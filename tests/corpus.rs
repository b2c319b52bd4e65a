//! The benchmark corpus generator (`examples/gen-corpus.rs`, code in
//! `examples/corpus/`) makes books that ouvrage accepts: a small corpus with
//! a history passes `ouvrage check` without an error, `status` reads its
//! review events, its mdBook twin lists every chapter, and the same seed
//! gives the same bytes and commits.

#[path = "../examples/corpus/mod.rs"]
mod corpus;

use std::path::Path;
use std::process::Command;

use corpus::book::{Book, Options};

fn options(seed: u64) -> Options {
    Options {
        chapters: 4,
        words: 4000,
        contributors: 30,
        seed,
        extra_chapter: true,
    }
}

/// Generates the corpus with a history of `commits` into `dir`, and its
/// mdBook beside it, as the example does; returns HEAD.
fn generate(dir: &Path, seed: u64, commits: usize) -> (Book, String) {
    let mut book = Book::generate(&options(seed));
    let stats = corpus::history::write_history(dir, &mut book, commits, seed).unwrap();
    corpus::mdbook::write(&book, &stats.alive, &corpus::mdbook::sibling(dir)).unwrap();
    (book, stats.head.unwrap().to_string())
}

fn ouvrage(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ouvrage"))
        .arg("--book")
        .arg(dir)
        .args(args)
        .output()
        .unwrap()
}

fn chapter_files(dir: &Path) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(dir.join("chapters"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".md"))
        .collect();
    files.sort();
    files
}

#[test]
fn generated_corpus_passes_check_and_its_mdbook_lists_every_chapter() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("corpus");
    let (book, _) = generate(&dir, 7, 40);

    // Everything the corpus promises is there.
    let s = &book.stats;
    assert!(s.figures > 0 && s.tables > 0 && s.footnotes > 0, "{s:?}");
    assert!(
        s.citations > 0 && s.crossrefs > 0 && s.formulas > 0,
        "{s:?}"
    );
    assert!(book.chapters.iter().any(|c| c.lang.tag() == "it"));
    assert!(dir.join("references.bib").exists());
    assert!(
        std::fs::read_dir(dir.join("chapters/images"))
            .unwrap()
            .count()
            > 0
    );

    let out = ouvrage(&dir, &["check", "--format", "json"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "ouvrage check failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["errors"], 0, "{stdout}");

    // The history's review events are read by status, and the chapter
    // deleted in the history is gone (HEAD has the chapters asked for).
    let files = chapter_files(&dir);
    assert_eq!(files.len(), 4, "{files:?}");
    let out = ouvrage(&dir, &["status", "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["chapters"].as_array().unwrap().len(), 4, "{status}");

    // The mdBook: one SUMMARY.md entry per chapter, each file there with
    // the chapter's title as its heading and no front matter.
    let mdbook = corpus::mdbook::sibling(&dir);
    let summary = std::fs::read_to_string(mdbook.join("src/SUMMARY.md")).unwrap();
    for file in &files {
        assert!(
            summary.contains(&format!("]({file})")),
            "{file} missing from SUMMARY.md:\n{summary}"
        );
        let text = std::fs::read_to_string(mdbook.join("src").join(file)).unwrap();
        assert!(text.starts_with("# "), "{file}");
        assert!(
            !text.contains("\nauthors: ["),
            "{file} keeps its front matter"
        );
    }
    assert_eq!(
        summary.matches(".md)").count(),
        files.len(),
        "SUMMARY.md lists a chapter that is not in the book:\n{summary}"
    );
    assert!(mdbook.join("book.toml").exists());
    for (path, _) in &book.images {
        assert!(mdbook.join("src").join(path).exists(), "{path}");
    }
}

#[test]
fn same_seed_same_corpus() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, a) = generate(&tmp.path().join("a"), 3, 25);
    let (_, b) = generate(&tmp.path().join("b"), 3, 25);
    assert_eq!(a, b, "the same seed gave different commits");
    let read = |d: &str| {
        chapter_files(&tmp.path().join(d))
            .iter()
            .map(|f| std::fs::read(tmp.path().join(d).join("chapters").join(f)).unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(read("a"), read("b"));
    let (_, c) = generate(&tmp.path().join("c"), 4, 25);
    assert_ne!(a, c, "another seed gave the same commits");
}
