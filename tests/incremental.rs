//! `watch`'s rebuilds keep what the passes made of the chapters whose text
//! did not change (`passes::memo`): the model they give is the model a
//! cold load gives, diagnostics included, through edits of a chapter, of
//! its citations, of the bibliography and of the settings, and through
//! edits of what a chapter reads of the others (their headings, labels,
//! numbers and index entries) and of the files its links name.

mod common;

use std::path::Path;

use common::{edit, sample_book};
use ouvrage::diag::Sink;
use ouvrage::model::Book;
use ouvrage::pipeline::{ParseCache, load_model, load_model_cached};

/// What the renderers read of the chapters and of the files they name,
/// and what was said of them.
fn shown(book: &Book, sink: Sink) -> (String, Vec<String>) {
    let diagnostics = sink
        .into_sorted()
        .into_iter()
        .map(|d| format!("{:?} {:?} {} {:?}", d.severity, d.span, d.message, d.hints))
        .collect();
    let files = format!("{:?} {:?}", book.assets, book.missing);
    (format!("{:?}\n{files}", book.chapters), diagnostics)
}

/// Equal models, or a panic showing where they first differ (a whole
/// book's model is too long to print).
#[track_caller]
fn same(kept: &(String, Vec<String>), cold: &(String, Vec<String>), what: &str) {
    assert_eq!(kept.1, cold.1, "diagnostics differ: {what}");
    if kept.0 != cold.0 {
        let at = kept
            .0
            .char_indices()
            .zip(cold.0.chars())
            .find(|((_, a), b)| a != b)
            .map_or(kept.0.len().min(cold.0.len()), |((i, _), _)| i);
        let around = |s: &str| {
            s[s.floor_char_boundary(at.saturating_sub(120))
                ..s.ceil_char_boundary((at + 120).min(s.len()))]
                .to_string()
        };
        panic!(
            "models differ ({what}):\nkept: …{}…\ncold: …{}…",
            around(&kept.0),
            around(&cold.0)
        );
    }
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
    same(&kept(&root, &mut cache), &cold(&root), "the first build");
    same(&kept(&root, &mut cache), &cold(&root), "nothing changed");
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
    same(&edited, &cold(&root), "a paragraph");
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
    same(&kept(&root, &mut cache), &cold(&root), "a citation");

    // A formula with a fault, then mended: its warning comes and goes.
    edit(
        &chapter,
        "grille de lecture",
        "grille $\\frac{1}{$ de lecture",
    );
    let broken = kept(&root, &mut cache);
    same(&broken, &cold(&root), "a broken formula");
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
    same(&kept(&root, &mut cache), &cold(&root), "the fault kept");
    edit(
        &chapter,
        "grille $\\frac{1}{$ de lecture",
        "grille de lecture",
    );
    same(&kept(&root, &mut cache), &cold(&root), "the formula mended");

    // The bibliography: every citation of the work is formatted again.
    edit(
        root.join("references.bib"),
        "{Governing the Commons:",
        "{Governing the Commons Again:",
    );
    let bib = kept(&root, &mut cache);
    assert!(bib.0.contains("Governing the Commons Again"));
    same(&bib, &cold(&root), "the bibliography");
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
    same(&kept(&root, &mut cache), &cold(&root), "the style");
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

#[test]
fn translated_titles_and_index_marks_are_kept_as_the_passes_made_them() {
    let (_dir, root) = common::fixture("index");
    // A title and an abstract in three languages, each typeset in its own.
    edit(
        root.join("chapters/01-premier.md"),
        "title: Premier chapitre\n",
        "title:\n  fr: Premier chapitre\n  en: The \"first\" chapter\n  it: Il \"primo\" capitolo\nabstract:\n  fr: \"Un résumé : court.\"\n  en: \"An abstract: short.\"\n",
    );
    let mut cache = ParseCache::default();
    same(&kept(&root, &mut cache), &cold(&root), "the first build");
    edit(
        root.join("chapters/02-second.md"),
        "Une note sur l'",
        "Une \"note\" sur l'",
    );
    assert_eq!(
        kept(&root, &mut cache),
        cold(&root),
        "another chapter edited"
    );
    assert_eq!(cache.finished_again(), ["second"]);
}

/// A chapter of [`a_book_of_three`], as the edits leave it.
#[derive(Debug, Clone, Copy, Default)]
struct Drawn {
    absent: bool,
    unnumbered: bool,
    /// `## Méthode` or `## Méthodes`.
    plural: bool,
    paragraph: u8,
    /// No link, a link to the next chapter's `#méthode`, or to its former
    /// id `#methode`.
    link: u8,
    /// `@fig:carte`.
    cross_ref: bool,
    /// A figure labelled `fig:carte`, of `images/carte.png`.
    figure: bool,
    /// `[coopérative]{.index}`.
    mark: bool,
    /// A mark whose `see` names `coopérative`.
    see: bool,
}

impl Drawn {
    fn flip(&mut self, field: usize) {
        match field {
            0 => self.absent ^= true,
            1 => self.unnumbered ^= true,
            2 => self.plural ^= true,
            3 => self.paragraph = (self.paragraph + 1) % 3,
            4 => self.link = (self.link + 1) % 3,
            5 => self.cross_ref ^= true,
            6 => self.figure ^= true,
            7 => self.mark ^= true,
            _ => self.see ^= true,
        }
    }

    fn text(&self, k: usize) -> String {
        let mut text = String::new();
        if self.unnumbered {
            text.push_str("---\nnumbered: false\n---\n\n");
        }
        text.push_str(&format!("# Chapitre {k}\n\n"));
        let s = if self.plural { "s" } else { "" };
        text.push_str(&format!(
            "## Méthode{s}\n\nUn paragraphe {}.\n\n",
            self.paragraph
        ));
        let next = chapter_file((k + 1) % 3);
        match self.link {
            1 => text.push_str(&format!("Voir [la suite]({next}#méthode).\n\n")),
            2 => text.push_str(&format!("Voir [la suite]({next}#methode).\n\n")),
            _ => {}
        }
        for (written, paragraph) in [
            (self.cross_ref, "Comme le montre @fig:carte."),
            (self.figure, "![Carte](images/carte.png){#fig:carte}"),
            (self.mark, "Une [coopérative]{.index} ici."),
            (self.see, "Les [communs]{.index see=\"coopérative\"}."),
        ] {
            if written {
                text.push_str(paragraph);
                text.push_str("\n\n");
            }
        }
        text
    }
}

fn chapter_file(k: usize) -> String {
    format!("0{k}-c{k}.md")
}

/// Writes the book's files as `drawn` (three chapters) and `image` (whether
/// `chapters/images/carte.png` exists) say; the first chapter is always there.
fn draw(root: &Path, drawn: &[Drawn; 3], image: bool) {
    for (k, chapter) in drawn.iter().enumerate() {
        let path = root.join("chapters").join(chapter_file(k));
        if chapter.absent && k > 0 {
            let _ = std::fs::remove_file(&path);
        } else {
            std::fs::write(&path, chapter.text(k)).unwrap();
        }
    }
    let png = root.join("chapters/images/carte.png");
    if image {
        std::fs::write(&png, b"png").unwrap();
    } else {
        let _ = std::fs::remove_file(&png);
    }
}

fn a_book_of_three() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    std::fs::create_dir_all(root.join("chapters/images")).unwrap();
    std::fs::write(root.join("book.toml"), "[book]\ntitle = \"Trois\"\n").unwrap();
    (dir, root)
}

/// What one chapter reads of the others, and the files it names: each
/// edit's kept model is the cold one, and a paragraph's edit puts only its
/// chapter through the passes.
#[test]
fn what_a_chapter_reads_of_the_others_is_followed() {
    let (_dir, root) = a_book_of_three();
    let mut drawn = [Drawn::default(); 3];
    drawn[0].link = 1;
    drawn[0].cross_ref = true;
    drawn[1].figure = true;
    drawn[2].see = true;
    drawn[1].mark = true;
    draw(&root, &drawn, true);
    let mut cache = ParseCache::default();
    same(&kept(&root, &mut cache), &cold(&root), "the first build");
    let clean = cold(&root).1.len();

    let mut step = |drawn: &[Drawn; 3], image: bool, what: &str| {
        draw(&root, drawn, image);
        let kept = kept(&root, &mut cache);
        same(&kept, &cold(&root), what);
        (kept.1.len(), cache.finished_again().to_vec())
    };
    drawn[1].paragraph = 1;
    let (said, ran) = step(&drawn, true, "a paragraph");
    assert_eq!((said, ran), (clean, vec!["c1".to_string()]));
    // The heading a link of the first chapter names: its link breaks.
    drawn[1].plural = true;
    let (said, ran) = step(&drawn, true, "a heading renamed");
    assert!(said > clean, "the broken link is reported");
    assert_eq!(ran.len(), 3, "every chapter read the heading's id");
    drawn[1].plural = false;
    assert_eq!(step(&drawn, true, "the heading back").0, clean);
    // The image goes and comes back, no chapter edited.
    let (said, ran) = step(&drawn, false, "the image removed");
    assert!(said > clean, "the missing image is reported");
    assert_eq!(ran, ["c1"], "only the chapter that shows it");
    assert_eq!(step(&drawn, true, "the image back").0, clean);
    // The figure's chapter leaves the numbering: its number, and the
    // cross-reference's text, change.
    drawn[1].unnumbered = true;
    step(&drawn, true, "a chapter unnumbered");
    drawn[1].unnumbered = false;
    // The index entry a `see` names goes.
    drawn[1].mark = false;
    let (said, _) = step(&drawn, true, "an index entry removed");
    assert!(said > clean, "the `see` is reported");
    drawn[1].mark = true;
    // A chapter goes, then comes back.
    drawn[1].absent = true;
    step(&drawn, true, "a chapter removed");
    drawn[1].absent = false;
    assert_eq!(step(&drawn, true, "the chapter back").0, clean);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    /// Any sequence of edits to the chapters and to the image: each kept
    /// model is the cold one.
    #[test]
    fn kept_models_are_cold_models_through_any_edits(
        edits in proptest::collection::vec((0usize..3, 0usize..10), 1..10)
    ) {
        let (_dir, root) = a_book_of_three();
        let mut drawn = [Drawn::default(); 3];
        let mut image = true;
        draw(&root, &drawn, image);
        let mut cache = ParseCache::default();
        same(&kept(&root, &mut cache), &cold(&root), "the first build");
        for (n, (k, field)) in edits.into_iter().enumerate() {
            if field == 9 {
                image ^= true;
            } else {
                drawn[k].flip(field);
            }
            draw(&root, &drawn, image);
            same(&kept(&root, &mut cache), &cold(&root), &format!("edit {n}: {drawn:?}, image {image}"));
        }
    }
}
