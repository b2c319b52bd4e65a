//! Issue 22, point 2: deep nesting. Markdown (and raw HTML, a BibTeX file,
//! a CSL style) nested deeper than the documented limit is an error at the
//! place where the limit is crossed, never a stack overflow; a book nested
//! to the limit builds every output, or the PDF reports where Typst stops.

mod common;

use std::path::Path;

use common::*;
use ouvrage::diag::{Severity, Sink};
use ouvrage::model::MAX_NESTING;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The lines of diagnostics that say what and where (the source lines
/// quoted are thousands of characters long).
fn short(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|l| l.starts_with("error") || l.starts_with("warning") || l.contains("┌─"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn chapter(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\n---\n\n{body}")
}

/// A book of the shapes the issue found: 5,000 nested block quotes, 3,000
/// nested list items, 10,000 nested emphasis markers, and raw HTML 20,000
/// elements deep.
#[test]
fn nesting_beyond_the_limit_is_an_error_at_its_place_and_never_aborts() {
    let (_tmp, book) = fixture("minimal");
    write(
        &book.join("book.toml"),
        "[book]\ntitle = \"Minimal\"\n\n[html]\nraw-html = \"allow\"\n",
    );
    let chapters = book.join("chapters");
    std::fs::remove_file(chapters.join("seul.md")).unwrap();
    write(
        &chapters.join("1-quotes.md"),
        &chapter("Quotes", &format!("{} x\n", ">".repeat(5000))),
    );
    let list: String = (0..3000)
        .map(|i| format!("{}- x\n", "  ".repeat(i)))
        .collect();
    write(&chapters.join("2-list.md"), &chapter("List", &list));
    write(
        &chapters.join("3-emph.md"),
        &chapter(
            "Emph",
            &format!("{}x{}\n", "*a ".repeat(10_000), " a*".repeat(10_000)),
        ),
    );
    write(
        &chapters.join("4-html.md"),
        &chapter(
            "Html",
            &format!(
                "Texte.\n\n{}x{}\n\nUn {}mot{}.\n",
                "<div>".repeat(20_000),
                "</div>".repeat(20_000),
                "<span>".repeat(20_000),
                "</span>".repeat(20_000)
            ),
        ),
    );
    for args in [&["check"][..], &["build"][..]] {
        let out = ouvrage(&book, args);
        let (_, full) = text(&out);
        let stderr = short(&full);
        // Exit 1 (the book has errors), not a signal.
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        let limit = format!("error: this is nested more than {MAX_NESTING} levels deep");
        let html = |depth: usize| {
            format!("error: this raw HTML nests its elements {depth} deep, more than {MAX_NESTING}")
        };
        let expected = [
            (
                limit.clone(),
                format!("chapters/1-quotes.md:5:{}", MAX_NESTING + 1),
            ),
            (
                limit.clone(),
                format!(
                    "chapters/2-list.md:{}:{}",
                    5 + MAX_NESTING,
                    2 * MAX_NESTING + 1
                ),
            ),
            (
                limit.clone(),
                format!("chapters/3-emph.md:5:{}", 3 * MAX_NESTING + 1),
            ),
            // An HTML block, and a paragraph's inline fragments together.
            (html(20_000), "chapters/4-html.md:7:1".to_string()),
            (html(20_000), "chapters/4-html.md:9:1".to_string()),
        ];
        let lines: Vec<&str> = stderr.lines().collect();
        let found: Vec<(String, String)> = lines
            .windows(2)
            .filter(|w| w[0].starts_with("error"))
            .map(|w| {
                let place = w[1].split("┌─ ").nth(1).unwrap_or("").to_string();
                (w[0].to_string(), place)
            })
            .collect();
        assert_eq!(found, expected, "{args:?}: {stderr}");
        assert!(full.ends_with("5 errors, 0 warnings\n"), "{stderr}");
    }
    assert!(!book.join("_book").join("html").exists());
}

/// The bibliography's readers recurse too: a BibTeX field of 50,000 nested
/// commands and a CSL style of 50,000 nested groups are errors where the
/// limit is crossed.
#[test]
fn a_bibliography_or_a_style_nested_beyond_the_limit_is_an_error_at_its_place() {
    let (_tmp, book) = fixture("minimal");
    write(
        &book.join("chapters/seul.md"),
        &chapter("Seul", "Voir [@a].\n"),
    );
    write(
        &book.join("book.toml"),
        "[book]\ntitle = \"Minimal\"\n\n[bibliography]\nfiles = [\"refs.bib\"]\nstyle = \"style.csl\"\n",
    );
    write(
        &book.join("refs.bib"),
        &format!(
            "@book{{a,\n  title = {{{}x{}}},\n  year = {{2000}},\n}}\n",
            "\\emph{".repeat(50_000),
            "}".repeat(50_000)
        ),
    );
    write(
        &book.join("style.csl"),
        &format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<style xmlns=\"http://purl.org/net/xbiblio/csl\" class=\"in-text\" version=\"1.0\">\n<info><title>X</title><id>x</id><updated>2020-01-01T00:00:00+00:00</updated></info>\n<citation><layout>{}<text variable=\"title\"/>{}</layout></citation>\n<bibliography><layout><text variable=\"title\"/></layout></bibliography>\n</style>\n",
            "<group>".repeat(50_000),
            "</group>".repeat(50_000)
        ),
    );
    let out = ouvrage(&book, &["build"]);
    let (_, stderr) = text(&out);
    let stderr = short(&stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    // `@book{` opens the first brace, `  title = {` the second, and each
    // `\emph{` one more: the 99th opens the 101st.
    let bib_col = "  title = {".len() + (MAX_NESTING - 1) * "\\emph{".len();
    assert!(
        stderr.contains(&format!("refs.bib:2:{bib_col}")),
        "{stderr}"
    );
    assert!(
        stderr.contains("this bibliography nests braces more than 100 deep"),
        "{stderr}"
    );
    // `<style>`, `<citation>`, `<layout>`, then groups: the 98th group.
    let csl_col = "<citation><layout>".len() + (MAX_NESTING - 3) * "<group>".len() + 1;
    assert!(
        stderr.contains(&format!("style.csl:4:{csl_col}")),
        "{stderr}"
    );
    assert!(
        stderr.contains("this CSL style nests its elements more than 100 deep"),
        "{stderr}"
    );
}

/// The shapes of nesting a chapter may hold, each exactly at the limit.
fn at_the_limit() -> Vec<(&'static str, String)> {
    let n = MAX_NESTING;
    vec![
        ("quotes", format!("{} x\n", ">".repeat(n))),
        (
            "list",
            (0..n).map(|i| format!("{}- x\n", "  ".repeat(i))).collect(),
        ),
        (
            "tasks",
            (0..n)
                .map(|i| format!("{}- [ ] x\n", "  ".repeat(i)))
                .collect(),
        ),
        (
            "alerts",
            (0..n)
                .map(|i| format!("{}> [!NOTE]\n", "> ".repeat(i)))
                .collect::<String>()
                + &format!("{}x\n", "> ".repeat(n)),
        ),
        ("emph", format!("{}x{}\n", "*a ".repeat(n), " a*".repeat(n))),
        (
            "strong",
            format!("{}x{}\n", "**a ".repeat(n), " a**".repeat(n)),
        ),
        (
            "strike",
            format!("{}x{}\n", "~~a ".repeat(n), " a~~".repeat(n)),
        ),
        (
            "links",
            format!(
                "{}[x](https://example.org){}\n",
                "*a ".repeat(n - 1),
                " a*".repeat(n - 1)
            ),
        ),
        (
            "notes",
            "x[^1]\n\n".to_string()
                + &(0..n)
                    .map(|i| format!("{}[^{}]: y[^{}]\n\n", "    ".repeat(i), i + 1, i + 2))
                    .collect::<String>(),
        ),
        (
            "mixed",
            format!(
                "{}| *a* | b |\n{}|---|---|\n{}| {}c{} | d |\n",
                "> ".repeat(n / 2),
                "> ".repeat(n / 2),
                "> ".repeat(n / 2),
                "*a ".repeat(n / 2),
                " a*".repeat(n / 2)
            ),
        ),
        (
            "html",
            format!(
                "{}x{}\n\nUn {}mot{}.\n",
                "<div>".repeat(n),
                "</div>".repeat(n),
                "<span>".repeat(n),
                "</span>".repeat(n)
            ),
        ),
    ]
}

/// A book nested to the limit, in every shape, builds the site, the EPUB
/// and the DOCX in-process on a thread with Rust's default stack (2 MiB,
/// an eighth of what the binary gives its threads); the PDF compiles or
/// reports, at the chapter's line, where Typst itself stops nesting.
#[test]
fn a_book_nested_to_the_limit_builds_on_a_default_stack() {
    let (_tmp, book) = fixture("minimal");
    write(
        &book.join("book.toml"),
        "[book]\ntitle = \"Minimal\"\n\n[html]\nraw-html = \"allow\"\n",
    );
    std::fs::remove_file(book.join("chapters/seul.md")).unwrap();
    for (i, (name, body)) in at_the_limit().into_iter().enumerate() {
        write(
            &book.join(format!("chapters/{i:02}-{name}.md")),
            &chapter(name, &body),
        );
    }
    let root = book.clone();
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let mut sink = Sink::default();
            let model = ouvrage::pipeline::load_model(&root, &mut sink);
            assert!(!sink.has_errors(), "{:?}", sink.diagnostics());
            let site = ouvrage::render::html::HtmlRenderer {
                options: Default::default(),
            }
            .site(&model)
            .unwrap_or_else(|e| panic!("{e:?}"));
            assert!(site.files.iter().any(|(name, _)| name == "mixed.html"));
            let epub = ouvrage::render::epub::EpubRenderer {
                options: Default::default(),
                session: Default::default(),
            };
            epub.files(&model).unwrap_or_else(|e| panic!("{e:?}"));
            ouvrage::render::docx::document(&model, None, &ouvrage::render::docx::styles_xml(&model).unwrap()).unwrap_or_else(|e| panic!("{e:?}"));
            let mut session =
                ouvrage::render::typst::Session::for_book(&model, &Default::default()).unwrap();
            if let Err(errors) = session.compile(&model, &Default::default()) {
                for e in errors {
                    let at = e.location(&model.sources);
                    assert!(
                        e.severity == Severity::Error
                            && at.as_ref().is_some_and(|l| l.file.starts_with("chapters") && l.line.is_some()),
                        "a Typst error without its place: {e:?}"
                    );
                    assert!(e.hints[0].contains("flatten the structure here"), "{e:?}");
                }
            }
        })
        .unwrap()
        .join()
        .unwrap();
}
