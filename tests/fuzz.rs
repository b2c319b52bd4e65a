//! A bounded fuzz run (issue 22): 2,000 chapters made of the CommonMark
//! specification's constructs, built in-process under a fixed seed, so that
//! every run of CI tries the same cases.
//!
//! Each case joins a few pieces: examples of the spec (those without a
//! link or image, whose targets are files no book has) and the constructs
//! a book adds (links and images that resolve, footnotes, math, tables
//! with captions, alerts, raw blocks, citations and cross-references),
//! each alone or inside block quotes, list items and alerts, under a raw
//! HTML policy drawn with them. Nothing may panic or abort (a stack
//! overflow aborts the whole test process); every diagnostic names its
//! file; and when the book has no error, every output is valid: each page
//! of the site parses (html5ever) with the chapter's title and body, the
//! EPUB passes the structural checks of `tests/epub.rs` (well-formed
//! documents, manifest, spine, links and anchors), the DOCX's document is
//! well-formed XML, and the PDF compiles, or reports errors at their
//! Markdown line. Typesetting is what costs in a debug build: the PDF is
//! compiled for one case in 25 of those rendered (about 75), with one
//! Typst session kept between cases.

mod common;

use std::collections::BTreeMap;
use std::io::Read;

use common::commonmark::{examples, spec, without_links};
use common::epub::{structure_problems, xml};
use ouvrage::diag::{Severity, Sink};
use ouvrage::render::epub::{EpubOptions, EpubRenderer};
use ouvrage::render::html::{HtmlOptions, HtmlRenderer};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestRunner};

/// What a book adds to CommonMark, written as its chapters would.
const CONSTRUCTS: &[&str] = &[
    "[un lien](https://example.org/a?b=1#c)",
    "![Une figure](images/a.svg)",
    "![Une figure](images/a.svg){#fig:carte}\n\nVoir @fig:carte.",
    "Une note[^n].\n\n[^n]: Le texte de la note, *avec* `du code`.",
    "Une formule $a^2 + \\frac{1}{n}$ et $$\\sum_{i=1}^n x_i$$",
    "$$\n\\begin{aligned} a &= b \\\\ c &= d \\end{aligned}\n$$",
    "| a | b |\n|:--|--:|\n| `c` | *d* |\n\nTable: Une légende {#tbl:t}\n\nComme @tbl:t.",
    "> [!WARNING] Attention\n> Un avertissement.",
    "```{=html}\n<div class=\"x\">brut</div>\n```",
    "```{=typst}\n#emph[brut]\n```",
    "## Une section {#sec:s}\n\nVoir @sec:s.",
    "Une citation @ostrom1990 et [voir @a, p. 3].",
    "« Guillemets » et l'apostrophe : fin ; oui ! non ?",
    "- [ ] à faire\n- [x] fait",
    "H~2~O et x^2^ et ~~barré~~",
    "<!-- un commentaire -->\n\nAprès le commentaire.",
    "<a id=\"ancre\"></a>Une ancre, et [un lien vers elle](#ancre).",
    "Un `code` et ```du `code` imbriqué```.",
    "Texte avec \\@échappé et contact@example.org.",
];

/// A container a piece may stand in.
#[derive(Debug, Clone, Copy)]
enum Wrapper {
    Quote,
    Item,
    Ordered,
    Alert,
}

fn wrap(text: &str, wrapper: Wrapper) -> String {
    let (first, rest, head) = match wrapper {
        Wrapper::Quote => ("> ", "> ", ""),
        Wrapper::Item => ("- ", "  ", ""),
        Wrapper::Ordered => ("1. ", "   ", ""),
        Wrapper::Alert => ("> ", "> ", "> [!NOTE]\n"),
    };
    let mut out = head.to_string();
    for (i, line) in text.lines().enumerate() {
        out.push_str(if i == 0 { first } else { rest });
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// One case: the chapter's body and the raw HTML policy.
#[derive(Debug, Clone)]
struct Case {
    body: String,
    policy: &'static str,
}

fn case(examples: Vec<String>) -> impl Strategy<Value = Case> {
    let piece = prop_oneof![
        4 => prop::sample::select(examples),
        1 => prop::sample::select(CONSTRUCTS).prop_map(str::to_string),
    ];
    let wrapped = (
        piece,
        prop::collection::vec(
            prop::sample::select(
                &[
                    Wrapper::Quote,
                    Wrapper::Item,
                    Wrapper::Ordered,
                    Wrapper::Alert,
                ][..],
            ),
            0..3,
        ),
        prop::sample::select(&["\n", "\n\n"][..]),
    )
        .prop_map(|(text, wrappers, separator)| {
            let mut text = text;
            for w in wrappers {
                text = wrap(&text, w);
            }
            text + separator
        });
    (
        prop::collection::vec(wrapped, 1..6),
        prop::sample::select(&["escape", "sanitize", "allow"][..]),
    )
        .prop_map(|(pieces, policy)| Case {
            body: pieces.concat(),
            policy,
        })
}

/// The book the cases are written into, and what is kept between them.
struct Bench {
    _tmp: tempfile::TempDir,
    root: std::path::PathBuf,
    epub: EpubRenderer,
    session: Option<ouvrage::render::typst::Session>,
    count: usize,
    /// Cases whose book had errors (stopped before rendering, as `build`).
    refused: usize,
    /// Cases whose every output was made and checked.
    rendered: usize,
    /// Of those, the ones typeset, and those whose PDF reported errors.
    typeset: usize,
    typeset_errors: usize,
}

impl Bench {
    fn new() -> Self {
        let (tmp, root) = common::scratch_book_with_image();
        Bench {
            _tmp: tmp,
            root,
            epub: EpubRenderer {
                options: EpubOptions::default(),
                session: Default::default(),
            },
            session: None,
            count: 0,
            refused: 0,
            rendered: 0,
            typeset: 0,
            typeset_errors: 0,
        }
    }
}

/// Typeset one case in 25.
const PDF_EVERY: usize = 25;

fn check(case: &Case, bench: &mut Bench) -> Result<(), TestCaseError> {
    bench.count += 1;
    let w = |rel: &str, text: &str| std::fs::write(bench.root.join(rel), text).unwrap();
    w(
        "book.toml",
        &format!(
            "[book]\ntitle = \"Fuzz\"\nlanguage = \"fr\"\n\n[pdf]\nraw-typst = true\n\n[html]\nraw-html = \"{}\"\n",
            case.policy
        ),
    );
    w(
        "chapters/a.md",
        &format!("---\ntitle: Chapitre\n---\n\n{}", case.body),
    );
    let mut sink = Sink::default();
    let book = ouvrage::pipeline::load_model(&bench.root, &mut sink);
    // Every diagnostic names its file (and, for the chapter's, its place).
    for d in sink.diagnostics() {
        prop_assert!(
            d.location(&book.sources).is_some() || d.path.is_some(),
            "a diagnostic without its place: {d:?}"
        );
    }
    if sink.has_errors() {
        // `build` stops here, with the errors at their places.
        bench.refused += 1;
        return Ok(());
    }

    // The site: every page parses, the chapter's with its title and body.
    let site = HtmlRenderer {
        options: HtmlOptions::default(),
    }
    .site(&book)
    .map_err(|e| TestCaseError::fail(format!("the site failed: {e:?}")))?;
    let mut chapter_page = None;
    for (name, bytes) in &site.files {
        if name.ends_with(".html") {
            let text =
                std::str::from_utf8(bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let page = scraper::Html::parse_document(text);
            if name == "a.html" {
                chapter_page = Some(page);
            }
        }
    }
    let page = chapter_page.ok_or_else(|| TestCaseError::fail("no chapter page"))?;
    let select = |s: &str| scraper::Selector::parse(s).unwrap();
    prop_assert_eq!(page.select(&select("h1.chapter-title")).count(), 1);
    prop_assert_eq!(page.select(&select(".chapter-body")).count(), 1);

    // The EPUB: its structure, as tests/epub.rs checks it.
    let publication = bench
        .epub
        .files(&book)
        .map_err(|e| TestCaseError::fail(format!("the EPUB failed: {e:?}")))?;
    let files: BTreeMap<String, Vec<u8>> = publication.files.into_iter().collect();
    let problems = structure_problems(&files);
    prop_assert!(problems.is_empty(), "the EPUB: {problems:#?}");

    // The DOCX: a zip whose document is well-formed XML.
    let (docx, _) = ouvrage::render::docx::document(
        &book,
        None,
        &ouvrage::render::docx::styles_xml(&book).unwrap(),
    )
    .map_err(|e| TestCaseError::fail(format!("the DOCX failed: {e:?}")))?;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx))
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let mut document = String::new();
    zip.by_name("word/document.xml")
        .map_err(|e| TestCaseError::fail(e.to_string()))?
        .read_to_string(&mut document)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    xml(&document);

    // The PDF, one case in PDF_EVERY: it compiles, or says where not.
    bench.rendered += 1;
    if bench.rendered % PDF_EVERY == 1 {
        bench.typeset += 1;
        let session = match &mut bench.session {
            Some(session) => session,
            None => bench.session.insert(
                ouvrage::render::typst::Session::for_book(&book, &Default::default())
                    .map_err(|e| TestCaseError::fail(format!("{e:?}")))?,
            ),
        };
        if let Err(errors) = session.compile(&book, &Default::default()) {
            bench.typeset_errors += 1;
            for e in errors {
                let at = e.location(&book.sources);
                prop_assert!(
                    e.severity != Severity::Error
                        || at
                            .as_ref()
                            .is_some_and(|l| l.file.starts_with("chapters") && l.line.is_some()),
                    "a PDF error without its Markdown place: {e:?}"
                );
            }
        }
    }
    Ok(())
}

#[test]
fn two_thousand_chapters_of_commonmark_build_or_say_where_not() {
    let all = examples(&spec());
    let examples: Vec<String> = without_links(&all)
        .into_iter()
        .map(|e| e.markdown.clone())
        .collect();
    let bench = std::cell::RefCell::new(Bench::new());
    let config = Config {
        cases: 2000,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(22),
        // A failure is reported with its case at once: shrinking 2,000
        // builds' worth of input would take long.
        max_shrink_iters: 64,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&case(examples), |case| {
        check(&case, &mut bench.borrow_mut())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let bench = bench.into_inner();
    eprintln!(
        "{} cases: {} rendered and checked ({} typeset, {} of them refused by Typst at their line), {} refused with errors",
        bench.count, bench.rendered, bench.typeset, bench.typeset_errors, bench.refused
    );
    // Most cases reach every output, or the run would test little.
    assert_eq!(bench.count, 2000);
    assert!(
        bench.rendered >= 1600,
        "only {} cases rendered",
        bench.rendered
    );
    assert!(bench.typeset >= 60, "only {} typeset", bench.typeset);
}
