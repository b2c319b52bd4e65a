//! `watch`'s rebuilds keep what the last passes made of the chapters whose
//! text did not change (`passes::memo`): the model they give is the model a
//! cold load gives, diagnostics included, through edits of a chapter, of
//! its citations, of the bibliography and of the settings.

mod common;

use std::path::Path;

use common::{edit, sample_book};
use ouvrage::diag::Sink;
use ouvrage::model::Book;
use ouvrage::pipeline::{ParseCache, load_model, load_model_cached};

/// What the renderers read of the chapters, and what was said of them.
fn shown(book: &Book, sink: Sink) -> (String, Vec<String>) {
    let diagnostics = sink
        .into_sorted()
        .into_iter()
        .map(|d| format!("{:?} {:?} {}", d.severity, d.span, d.message))
        .collect();
    (format!("{:?}", book.chapters), diagnostics)
}

fn cold(root: &Path) -> (String, Vec<String>) {
    let mut sink = Sink::default();
    let book = load_model(root, &mut sink);
    shown(&book, sink)
}

fn kept(root: &Path, cache: &mut ParseCache) -> (String, Vec<String>) {
    let mut sink = Sink::default();
    let book = load_model_cached(root, &mut sink, cache);
    let seen = shown(&book, sink);
    // As `watch` does while it waits for the next save.
    cache.refill();
    seen
}

#[test]
fn a_rebuild_from_kept_passes_is_the_cold_model() {
    let (_dir, root) = sample_book();
    let mut cache = ParseCache::default();
    assert_eq!(kept(&root, &mut cache), cold(&root), "the first build");
    assert_eq!(kept(&root, &mut cache), cold(&root), "nothing changed");
    assert!(cache.finished_again().is_empty());

    // A paragraph of one chapter, then a citation added to it.
    let chapter = root.join("chapters/03-centres-de-sante.md");
    edit(
        &chapter,
        "générale sur les communs [@bollier2014]",
        "générale sur les \"communs\" [@bollier2014]",
    );
    let edited = kept(&root, &mut cache);
    let at = edited
        .0
        .find("générale sur les ")
        .expect("the edit is read");
    let after: String = edited.0[at..].chars().take(40).collect();
    assert!(after.contains('«'), "typography ran on the edit: {after}");
    assert_eq!(edited, cold(&root), "a paragraph");
    assert_eq!(
        cache.finished_again(),
        ["centres-de-sante"],
        "only the edited chapter went through the passes"
    );
    edit(
        &chapter,
        "[@bollier2014]",
        "[@bollier2014; @ostrom1990, p. 12]",
    );
    assert_eq!(kept(&root, &mut cache), cold(&root), "a citation");

    // A formula with a fault, then mended: its warning comes and goes.
    edit(
        &chapter,
        "grille de lecture",
        "grille $\\frac{1}{$ de lecture",
    );
    let broken = kept(&root, &mut cache);
    assert_eq!(broken, cold(&root), "a broken formula");
    assert!(
        broken.1.len() > cold_of_sample().1.len(),
        "the formula's fault is reported: {:#?}",
        broken.1
    );
    // Another chapter changes: the broken one's fault is still reported.
    edit(
        root.join("chapters/02-fablabs.md"),
        "de la connaissance [@hess2007]",
        "de la connaissance partagée [@hess2007]",
    );
    assert_eq!(kept(&root, &mut cache), cold(&root), "the fault kept");
    edit(
        &chapter,
        "grille $\\frac{1}{$ de lecture",
        "grille de lecture",
    );
    assert_eq!(kept(&root, &mut cache), cold(&root), "the formula mended");

    // The bibliography: every citation of the work is formatted again.
    edit(
        root.join("references.bib"),
        "{Governing the Commons:",
        "{Governing the Commons Again:",
    );
    let bib = kept(&root, &mut cache);
    assert!(bib.0.contains("Governing the Commons Again"));
    assert_eq!(bib, cold(&root), "the bibliography");
    assert_eq!(
        cache.finished_again().len(),
        9,
        "every chapter went through the passes"
    );

    // The settings: the citation style.
    edit(
        root.join("book.toml"),
        "style = \"chicago-author-date\"",
        "style = \"apa\"",
    );
    assert_eq!(kept(&root, &mut cache), cold(&root), "the style");
}

fn cold_of_sample() -> (String, Vec<String>) {
    let (_dir, root) = sample_book();
    cold(&root)
}

/// The scopes in `.git/ouvrage/citations.json`.
fn stored_scopes(root: &Path) -> usize {
    let bytes = std::fs::read(root.join(".git/ouvrage/citations.json")).unwrap();
    let file: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    file["scopes"].as_object().unwrap().len()
}

#[test]
fn a_rebuild_of_one_chapter_keeps_the_others_formatted_citations_for_the_next_command() {
    let (_dir, root) = sample_book();
    git2::Repository::init(&root).unwrap();
    // Scopes are remembered by the process: a bibliography of this test's
    // own has them formatted, and so written, here.
    let bib = root.join("references.bib");
    let mut text = std::fs::read_to_string(&bib).unwrap();
    text.push_str("\n@misc{store-test, title = {Only in this test}}\n");
    std::fs::write(&bib, text).unwrap();
    let mut cache = ParseCache::default();
    let _ = load_model_cached(&root, &mut Sink::default(), &mut cache);
    let all = stored_scopes(&root);
    assert!(all >= 5, "one scope per citing chapter: {all}");
    // A new citation in one chapter: its scope is formatted and written.
    edit(
        root.join("chapters/03-centres-de-sante.md"),
        "[@bollier2014]",
        "[@bollier2014; @ostrom1990, p. 12]",
    );
    let _ = load_model_cached(&root, &mut Sink::default(), &mut cache);
    assert_eq!(cache.finished_again(), ["centres-de-sante"]);
    assert!(
        stored_scopes(&root) > all,
        "the other chapters' scopes stay in the store beside the new one"
    );
}
