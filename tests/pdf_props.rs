//! Property test: arbitrary Markdown, full of Typst's special characters,
//! always gives Typst that compiles, and its text survives into the
//! compiled document.

use std::cell::RefCell;

use ouvrage::diag::Sink;
use ouvrage::model::{Block, BlockKind, plain_text};
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

fn paragraph_texts(blocks: &[Block], out: &mut Vec<String>) {
    for block in blocks {
        match &block.kind {
            BlockKind::Paragraph(inlines) => out.push(plain_text(inlines)),
            BlockKind::Heading(h) => out.push(plain_text(&h.content)),
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
