//! Property test: arbitrary Markdown, full of Typst's special characters,
//! always gives Typst that compiles, and its text survives into the
//! compiled document.

use std::cell::RefCell;

use ouvrage::diag::Sink;
use ouvrage::model::{Block, BlockKind, Inline, plain_text};
use ouvrage::render::typst::{PdfOptions, Session};
use proptest::prelude::*;

/// Pieces that Typst (or Markdown) would read as syntax if not escaped.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zé]{1,6}".prop_map(|s| s),
        1 => Just(" ".to_string()),
        1 => Just("\n".to_string()),
        2 => prop::sample::select(vec![
            "#", "$", "*", "_", "<", ">", "@", "[", "]", "\\", "/", "`", "//", "/*", "*/", "=", "-", "+", "~",
            "'", "\"", ":", ".", "1.", "#set page(fill: red)", "#read(\"/etc/passwd\")", "#import", "<lbl>",
            "@sec:x", "$x$", "`a`", "**b**", "_c_", "{", "}", "(", ")", ";", "&", "%", "^", "|", "http://a.b/c",
            "--", "---", "...", "-?", "\\u{41}", "#{", "#(", "#\"", "= ", "- ", "+ ", "/ term: ",
        ])
        .prop_map(str::to_string),
    ]
}

fn markdown() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 1..40).prop_map(|pieces| pieces.concat())
}

/// The text of inlines, in runs between formulas (a formula is typeset as
/// math, so its LaTeX is not in the PDF's text).
fn text_runs(inlines: &[Inline], out: &mut Vec<String>) {
    let mut run = String::new();
    push_runs(inlines, &mut run, out);
    out.push(run);
}

fn push_runs(inlines: &[Inline], run: &mut String, out: &mut Vec<String>) {
    for inline in inlines {
        match inline {
            Inline::Math(_) => out.push(std::mem::take(run)),
            Inline::Emph(c)
            | Inline::Strong(c)
            | Inline::Strike(c)
            | Inline::Sup(c)
            | Inline::Sub(c)
            | Inline::Link { content: c, .. } => push_runs(c, run, out),
            other => run.push_str(&plain_text(std::slice::from_ref(other))),
        }
    }
}

fn paragraph_texts(blocks: &[Block], out: &mut Vec<String>) {
    for block in blocks {
        match &block.kind {
            BlockKind::Paragraph(inlines) => text_runs(inlines, out),
            BlockKind::Heading(h) => text_runs(&h.content, out),
            BlockKind::BlockQuote(b) | BlockKind::Alert { blocks: b, .. } => {
                paragraph_texts(b, out)
            }
            BlockKind::List { items, .. } => {
                for item in items {
                    paragraph_texts(&item.blocks, out);
                }
            }
            _ => {}
        }
    }
}

/// Whitespace, hyphens and the soft hyphens of line breaks removed.
fn squeeze(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '\u{2010}' | '\u{ad}'))
        .collect()
}

struct Bench {
    _tmp: tempfile::TempDir,
    root: std::path::PathBuf,
    session: Session,
}

thread_local! {
    static BENCH: RefCell<Option<Bench>> = const { RefCell::new(None) };
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_markdown_compiles_and_keeps_its_text(md in markdown()) {
        BENCH.with(|bench| {
            let mut bench = bench.borrow_mut();
            let bench = bench.get_or_insert_with(|| {
                let tmp = tempfile::tempdir().unwrap();
                let root = tmp.path().to_path_buf();
                std::fs::write(root.join("book.toml"), "[book]\ntitle = \"P\"\nlanguage = \"fr\"\n[html]\nraw-html = \"sanitize\"\n").unwrap();
                std::fs::create_dir(root.join("chapters")).unwrap();
                let session = Session::new(&root, &Default::default()).unwrap();
                Bench { _tmp: tmp, root, session }
            });
            std::fs::write(bench.root.join("chapters/c.md"), format!("---\ntitle: T\nnumbered: false\n---\n\n{md}\n")).unwrap();
            let mut sink = Sink::default();
            let book = ouvrage::pipeline::load_model(&bench.root, &mut sink);
            // Markdown that the book rejects (a link to a missing file…) is not this test's concern.
            prop_assume!(!sink.has_errors());
            let compiled = bench.session.compile(&book, &PdfOptions::default());
            let compiled = match compiled {
                Ok(c) => c,
                Err(e) => return Err(TestCaseError::fail(format!("{md:?} did not compile: {e:?}"))),
            };
            let text = squeeze(&ouvrage::render::typst::text::page_texts(&compiled.document).join(""));
            let mut expected = Vec::new();
            paragraph_texts(&book.chapters[0].blocks, &mut expected);
            for paragraph in expected {
                let p = squeeze(&paragraph);
                prop_assert!(text.contains(&p), "{md:?}: {p:?} is not in the PDF text {text:?}");
            }
            Ok(())
        })?;
    }
}

/// Pieces of LaTeX math, and of Typst syntax that must stay text.
fn latex_piece() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "x",
        "a",
        "1",
        " ",
        "\\frac{",
        "}",
        "{",
        "^",
        "_",
        "\\sum",
        "\\text{",
        "\\sqrt[",
        "]",
        "[",
        "\\left(",
        "\\right)",
        "\\begin{pmatrix}",
        "\\end{pmatrix}",
        "\\begin{cases}",
        "\\end{cases}",
        "&",
        "\\\\",
        "#",
        "\"",
        "//",
        "/*",
        "*/",
        "\\#",
        "#read(\"/etc/passwd\")",
        "\\iftypst ",
        "\\fi",
        "\\alpha",
        "\\mathbb{R}",
        "\\operatorname{",
        "'",
        ",",
        ";",
        ":",
        "(",
        ")",
        "<",
        ">",
        "@",
        "=",
        "\\langle",
        "\\cap",
        "\\hat{",
        "\\overline{",
        "\\emph{",
        "\\label{",
        "%",
        "\\$",
        "\\quad",
        "\\mathbf{",
        "\\dfrac{",
        "\\binom{",
        "\\int_",
        "\\lim_{",
        "\\to",
        "\\infty",
        "\\,",
        "\\{",
        "\\}",
        "\\begin{aligned}",
        "\\end{aligned}",
        "\\verb|",
        "|",
        "\\def\\x{",
        "\\x",
        "\\newcommand",
    ])
    .prop_map(str::to_string)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, failure_persistence: None, ..ProptestConfig::default() })]

    /// Whatever the formula, the PDF compiles (a formula either converter
    /// rejects is an error for `build`, but the renderers print its source),
    /// and no file is read.
    #[test]
    fn arbitrary_formulas_compile_and_read_no_file(pieces in prop::collection::vec(latex_piece(), 1..14)) {
        let formula = pieces.concat();
        BENCH.with(|bench| {
            let mut bench = bench.borrow_mut();
            let bench = bench.get_or_insert_with(|| {
                let tmp = tempfile::tempdir().unwrap();
                let root = tmp.path().to_path_buf();
                std::fs::write(root.join("book.toml"), "[book]\ntitle = \"P\"\nlanguage = \"fr\"\n").unwrap();
                std::fs::create_dir(root.join("chapters")).unwrap();
                let session = Session::new(&root, &Default::default()).unwrap();
                Bench { _tmp: tmp, root, session }
            });
            std::fs::write(
                bench.root.join("chapters/c.md"),
                format!("---\ntitle: T\nnumbered: false\n---\n\nAvant ${formula}$ après.\n\n$${formula}$$\n"),
            ).unwrap();
            let mut sink = Sink::default();
            let book = ouvrage::pipeline::load_model(&bench.root, &mut sink);
            let compiled = match bench.session.compile(&book, &PdfOptions::default()) {
                Ok(c) => c,
                Err(e) => return Err(TestCaseError::fail(format!("{formula:?} did not compile: {e:?}"))),
            };
            let text = ouvrage::render::typst::text::page_texts(&compiled.document).join(" ");
            prop_assert!(!text.contains("root:x:0"), "{formula:?}: {text}");
            Ok(())
        })?;
    }
}

/// Well-formed LaTeX math, with text full of Typst syntax: it must convert,
/// compile and print.
fn well_formed() -> impl Strategy<Value = String> {
    let text = prop::collection::vec(
        prop::sample::select(vec![
            "a", "mot", " ", "\\#read", "\\$", "\\%", "\\&", "\\_", "\\{", "\\}", "*", "@lbl",
            "<lbl>", "=", "/", "//", "/*", "\"", "'", "[", "]", "(", ")", "-", "+", ":", ";", ",",
            "é", "« »",
        ]),
        1..6,
    )
    .prop_map(|p| p.concat());
    let leaf = prop_oneof![
        prop::sample::select(vec![
            "x",
            "y_i",
            "1",
            "\\alpha",
            "\\beta",
            "\\infty",
            "\\mathbb{R}",
            "\\langle x \\rangle",
            "\\cap",
            "n"
        ])
        .prop_map(str::to_string),
        text.clone().prop_map(|t| format!("\\text{{{t}}}")),
        // Letters only: math-core 0.7 does not escape an operator's name
        // (markup there is refused, see math::mathml).
        text.prop_map(|t| format!(
            "\\operatorname{{{}}}",
            t.replace(|c: char| !c.is_alphabetic(), "")
        )),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("\\frac{{{a}}}{{{b}}}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{{{a}}}^{{{b}}}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} + {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("\\sum_{{{a}}}^{{{b}}}")),
            inner.clone().prop_map(|a| format!("\\sqrt{{{a}}}")),
            inner.clone().prop_map(|a| format!("\\hat{{{a}}}")),
            inner.clone().prop_map(|a| format!("\\left( {a} \\right)")),
            (inner.clone(), inner.clone(), inner.clone(), inner).prop_map(|(a, b, c, d)| format!(
                "\\begin{{pmatrix}} {a} & {b} \\\\ {c} & {d} \\end{{pmatrix}}"
            )),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn well_formed_formulas_convert_and_compile(formula in well_formed()) {
        BENCH.with(|bench| {
            let mut bench = bench.borrow_mut();
            let bench = bench.get_or_insert_with(|| {
                let tmp = tempfile::tempdir().unwrap();
                let root = tmp.path().to_path_buf();
                std::fs::write(root.join("book.toml"), "[book]\ntitle = \"P\"\nlanguage = \"fr\"\n").unwrap();
                std::fs::create_dir(root.join("chapters")).unwrap();
                let session = Session::new(&root, &Default::default()).unwrap();
                Bench { _tmp: tmp, root, session }
            });
            std::fs::write(
                bench.root.join("chapters/c.md"),
                format!("---\ntitle: T\nnumbered: false\n---\n\nAvant ${formula}$ après.\n\n$${formula}$$\n"),
            ).unwrap();
            let mut sink = Sink::default();
            let book = ouvrage::pipeline::load_model(&bench.root, &mut sink);
            prop_assert!(!sink.has_errors(), "{formula:?}: {:?}", sink.diagnostics());
            let compiled = match bench.session.compile(&book, &PdfOptions::default()) {
                Ok(c) => c,
                Err(e) => return Err(TestCaseError::fail(format!("{formula:?} did not compile: {e:?}"))),
            };
            let text = squeeze(&ouvrage::render::typst::text::page_texts(&compiled.document).join(""));
            prop_assert!(text.contains("Avant") && text.contains("après."), "{formula:?}: {text}");
            Ok(())
        })?;
    }
}
