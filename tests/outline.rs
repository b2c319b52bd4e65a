//! The outline that `status`, `review` and `contributors` load (front
//! matter and the first block only) agrees with the whole parse on what
//! they read: ids, titles, authors, language and the diagnostics of titles.

use std::fs;

use ouvrage::diag::{Severity, Sink};
use ouvrage::pipeline::{load_model, load_outline};

/// Chapters whose titles come from every place a title can come from.
const CHAPTERS: &[(&str, &str)] = &[
    (
        "front",
        "---\ntitle: \"Le *titre* du front\"\nauthors: [ana]\nlang: it\n---\n\n# Pas le titre\n\nTexte.\n",
    ),
    (
        "atx",
        "# Un titre `code` et **gras**\n\nTexte [lien](#x).\n",
    ),
    ("setext", "Un titre souligné\n=================\n\nTexte.\n"),
    (
        "reflink",
        "# Le [titre lié][ref]\n\nTexte.\n\n[ref]: https://example.org\n",
    ),
    (
        "defs-first",
        "[ref]: https://example.org\n\n# Après les définitions\n\nTexte.\n",
    ),
    ("untitled", "Un paragraphe d'abord.\n\n# Trop tard\n"),
    ("comment-first", "<!-- note -->\n\n# Après un commentaire\n"),
];

fn book() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("book");
    fs::create_dir_all(root.join("chapters")).unwrap();
    let ids: Vec<String> = CHAPTERS.iter().map(|(id, _)| format!("\"{id}\"")).collect();
    fs::write(
        root.join("book.toml"),
        format!(
            "[book]\ntitle = \"Essai\"\nlanguage = \"fr\"\nchapters = [{}]\n",
            ids.join(", ")
        ),
    )
    .unwrap();
    fs::write(
        root.join("contributors.toml"),
        "[[contributor]]\nid = \"ana\"\nname = \"Ana\"\n",
    )
    .unwrap();
    for (i, (id, text)) in CHAPTERS.iter().enumerate() {
        fs::write(root.join(format!("chapters/{i:02}-{id}.md")), text).unwrap();
    }
    (dir, root)
}

fn errors(sink: Sink) -> Vec<String> {
    sink.into_sorted()
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.message)
        .collect()
}

#[test]
fn the_outline_reads_the_titles_and_people_the_whole_parse_reads() {
    let (_dir, root) = book();
    let mut whole_sink = Sink::default();
    let whole = load_model(&root, &mut whole_sink);
    let mut outline_sink = Sink::default();
    let outline = load_outline(&root, &mut outline_sink);
    assert_eq!(whole.chapters.len(), CHAPTERS.len());
    for (w, o) in whole.chapters.iter().zip(&outline.chapters) {
        assert_eq!(w.id, o.id);
        assert_eq!(w.title, o.title, "title of {}", w.id);
        assert_eq!(w.lang.tag(), o.lang.tag(), "language of {}", w.id);
        let people = |c: &ouvrage::model::Chapter| -> Vec<String> {
            c.authors.iter().map(|a| format!("{a:?}")).collect()
        };
        assert_eq!(people(w), people(o), "authors of {}", w.id);
    }
    let title = |id: &str| outline.chapter(id).unwrap().title.clone();
    assert_eq!(title("front"), "Le titre du front");
    assert_eq!(title("atx"), "Un titre code et gras");
    assert_eq!(title("setext"), "Un titre souligné");
    assert_eq!(title("reflink"), "Le titre lié");
    assert_eq!(title("defs-first"), "Après les définitions");
    // The same faults about titles, and no body read for nothing.
    let (whole_errors, outline_errors) = (errors(whole_sink), errors(outline_sink));
    assert!(
        outline_errors
            .iter()
            .filter(|m| m.contains("no title"))
            .count()
            == 2,
        "{outline_errors:?}"
    );
    assert_eq!(
        whole_errors
            .iter()
            .filter(|m| m.contains("no title"))
            .count(),
        2,
        "{whole_errors:?}"
    );
    assert!(outline.chapter("atx").unwrap().blocks.is_empty());
    assert!(!whole.chapter("atx").unwrap().blocks.is_empty());
}
