//! Criterion benches of each stage on a generated corpus (issue 7): load and
//! parse, the passes, the HTML site in memory (`HtmlRenderer::site`) and the
//! Typst sources (`emit_book`). The corpus comes from the same generator as
//! `examples/gen-corpus.rs`, written into a temporary folder; its size is
//! `OUVRAGE_BENCH_CHAPTERS` chapters and `OUVRAGE_BENCH_WORDS` words (default
//! 20 and 80,000: a fifth of the corpus of `bench/compare.sh`, so that a run
//! stays short on two cores).
//!
//! ```text
//! cargo bench --bench stages
//! OUVRAGE_BENCH_CHAPTERS=100 OUVRAGE_BENCH_WORDS=400000 cargo bench --bench stages
//! ```
//!
//! CI compiles it (`cargo bench --no-run`); it is never a timed test.

#[path = "../examples/corpus/mod.rs"]
mod corpus;

use std::hint::black_box;
use std::path::Path;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

use ouvrage::diag::Sink;
use ouvrage::model::Book;
use ouvrage::passes;
use ouvrage::pipeline::{load_model, load_parsed};
use ouvrage::render::html::{HtmlOptions, HtmlRenderer};
use ouvrage::render::typst::emit::{EmitOptions, emit_book};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The model as the pipeline builds it before the passes (load, order,
/// parse).
fn parsed(root: &Path) -> Book {
    load_parsed(root, &mut Sink::default())
}

fn stages(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let root = tmp.path().join("corpus");
    std::fs::create_dir_all(&root).expect("the corpus folder");
    let book = corpus::book::Book::generate(&corpus::book::Options {
        chapters: env_usize("OUVRAGE_BENCH_CHAPTERS", 20),
        words: env_usize("OUVRAGE_BENCH_WORDS", 80_000),
        contributors: 30,
        seed: 1,
        extra_chapter: false,
    });
    book.write(&root).expect("the corpus written");

    let mut sink = Sink::default();
    let model = load_model(&root, &mut sink);
    assert!(
        !sink.has_errors(),
        "the generated corpus has errors: {:?}",
        sink.diagnostics()
    );
    let before_passes = parsed(&root);

    let mut group = c.benchmark_group("stages");
    group.sample_size(10);
    group.bench_function("load+parse", |b| b.iter(|| black_box(parsed(&root))));
    group.bench_function("passes", |b| {
        b.iter_batched(
            || before_passes.clone(),
            |mut book| {
                let mut sink = Sink::default();
                passes::run_all(&mut book, &mut sink, passes::Prepare::Render);
                book
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("load+parse+passes", |b| {
        b.iter(|| black_box(load_model(&root, &mut Sink::default())))
    });
    let html = HtmlRenderer {
        options: HtmlOptions::default(),
    };
    group.bench_function("html site", |b| {
        b.iter(|| black_box(html.site(&model).expect("the site")))
    });
    group.bench_function("typst emit", |b| {
        b.iter(|| black_box(emit_book(&model, &EmitOptions::default())))
    });
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
