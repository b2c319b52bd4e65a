//! The PDF's layout passes: Typst lays a book out again until what it read
//! of the pass before stops changing, and every pass more is most of a
//! whole layout again. A book must need two: the first places everything
//! where the last prints it, the second fills in what only a placed book
//! knows (page numbers, running heads).

mod common;

use common::*;
use ouvrage::render::typst::passes::{emitted_world, labelled_positions, layout_passes};

/// Pseudo-text with long words that hyphenate, `n` sentences.
fn sentences(seed: usize, n: usize) -> String {
    const WORDS: [&str; 12] = [
        "la gouvernance",
        "des communs",
        "territoriaux",
        "institutionnalise",
        "une coopération",
        "intercommunale",
        "durablement",
        "administrée",
        "par les habitants",
        "responsabilisés",
        "dans la transparence",
        "démocratique",
    ];
    (0..n)
        .map(|i| {
            let k = seed * 7 + i * 5;
            let mut s = String::from("Ici ");
            for j in 0..9 {
                s.push_str(WORDS[(k + j * 3) % WORDS.len()]);
                s.push(' ');
            }
            s.trim_end().to_string() + "."
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A book with what moved pages or running heads between the first two
/// passes: a part, running heads over titles with italics and code, a
/// dozen notes in a chapter, citations whose text hyphenates at the end of
/// a justified line, tables.
fn book() -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, book) = fixture("print");
    std::fs::write(
        book.join("book.toml"),
        "[book]\ntitle = \"Livre en deux passes\"\nlanguage = \"fr\"\neditors = [\"ed\"]\n\n\
         [[part]]\ntitle = \"Première partie\"\nchapters = [\"un\", \"deux\"]\n\n\
         [bibliography]\nfiles = [\"references.bib\"]\n\n[pdf]\npaper = \"a5\"\n",
    )
    .unwrap();
    std::fs::write(
        book.join("references.bib"),
        "@book{intercommunalite2019,\n  author = {Administrationnelle, Institutionnaliste and Responsabilisateur, Constitutionnel},\n  title = {Les communs},\n  publisher = {Éditions},\n  year = {2019},\n}\n",
    )
    .unwrap();
    let chapter = |id: &str, title: &str, notes: usize| {
        let mut md = format!("---\nid: {id}\ntitle: \"{title}\"\nauthors: [ed]\n---\n\n");
        for s in 0..8 {
            md.push_str(&format!("## Section {s} {{#sec:{id}-{s}}}\n\n"));
            for p in 0..4 {
                let k = s * 4 + p;
                md.push_str(&sentences(k, 3));
                if k < notes {
                    md.push_str(&format!("[^n{k}]"));
                }
                md.push_str(&format!(
                    " {} [@intercommunalite2019] {}\n\n",
                    sentences(k + 1, 1),
                    sentences(k + 2, 1)
                ));
            }
        }
        // Tables, with and without an id, whose height the first pass
        // measures and the second reads back.
        md.push_str(&format!(
            "| Commune | Part |\n|---|---|\n| Lyon | 12 % |\n| Grenoble | 8 % |\n\nTable: Parts {{#tbl:{id}}}\n\n\
             Entre les tableaux.\n\n\
             | Ville | Nombre |\n|---|---|\n| Lille | 3 |\n\nTable: Sans identifiant\n\nAprès.\n\n"
        ));
        for k in 0..notes {
            md.push_str(&format!("[^n{k}]: {}\n\n", sentences(k, 1 + k % 3)));
        }
        md
    };
    for f in std::fs::read_dir(book.join("chapters")).unwrap() {
        let path = f.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            std::fs::remove_file(path).unwrap();
        }
    }
    std::fs::write(
        book.join("chapters/01-un.md"),
        chapter(
            "un",
            "Les communs *en italique* et `en code` dans le titre courant",
            14,
        ),
    )
    .unwrap();
    std::fs::write(
        book.join("chapters/02-deux.md"),
        chapter("deux", "Second chapitre", 3),
    )
    .unwrap();
    (tmp, book)
}

#[test]
fn a_book_is_laid_out_in_two_passes_the_first_placing_all_where_the_last_prints_it() {
    let (tmp, book) = book();
    let emitted = tmp.path().join("emitted");
    ok(
        &book,
        &["build", "--pdf", "--emit-typst", emitted.to_str().unwrap()],
    );
    let world = emitted_world(&emitted).unwrap();
    let passes = layout_passes(&world, 5).unwrap();
    let why: Vec<&String> = passes.iter().flat_map(|p| &p.unstable).collect();
    assert!(
        passes.len() == 2 && passes[1].stable,
        "{} passes; changed between passes: {why:#?}",
        passes.len()
    );
    // The book is long enough to have running heads and notes on many
    // pages, and the first pass put every labelled element (headings,
    // notes, reference list entries) where the last one prints it.
    let first = labelled_positions(&passes[0].document);
    let last = labelled_positions(&passes[1].document);
    assert!(
        passes[1].document.pages().len() >= 12,
        "{}",
        passes[1].document.pages().len()
    );
    assert!(first.len() > 40, "{first:?}");
    let moved: Vec<_> = first.iter().zip(&last).filter(|(a, b)| a != b).collect();
    assert!(moved.is_empty(), "moved on the second pass: {moved:#?}");
    assert_eq!(first.len(), last.len());
    // Every table's height was measured on the first pass only: each left
    // the mark the second reads back, ids or none.
    let tall_marks = last
        .iter()
        .filter(|(label, ..)| label.starts_with("ouvrage-tall:"))
        .count();
    assert_eq!(tall_marks, 4, "{last:#?}");
    // And it printed the text the last one prints, on every page after the
    // contents (whose page numbers only the second pass knows), between
    // the running head and the folio (which read where chapters fell).
    let body = |document: &typst_layout::PagedDocument| -> Vec<String> {
        document
            .pages()
            .iter()
            .map(|page| {
                let height = page.frame.height().to_pt();
                let mut out = String::new();
                body_text(&page.frame, 0.0, (0.12 * height, 0.9 * height), &mut out);
                out
            })
            .collect()
    };
    let (first, last) = (body(&passes[0].document), body(&passes[1].document));
    let contents = last
        .iter()
        .position(|t| t.contains("Table des matières"))
        .expect("a contents page");
    assert!(last.len() > contents + 10, "{last:#?}");
    for (i, (a, b)) in first.iter().zip(&last).enumerate().skip(contents + 1) {
        assert_eq!(a, b, "page {}", i + 1);
    }
}

/// The text of a frame between two heights, in the order it is drawn.
fn body_text(frame: &typst::layout::Frame, y0: f64, (top, bottom): (f64, f64), out: &mut String) {
    for (pos, item) in frame.items() {
        let y = y0 + pos.y.to_pt();
        match item {
            typst::layout::FrameItem::Group(g) => body_text(&g.frame, y, (top, bottom), out),
            typst::layout::FrameItem::Text(t) if y > top && y < bottom => {
                out.push_str(t.text.as_str());
                out.push(' ');
            }
            _ => {}
        }
    }
}
