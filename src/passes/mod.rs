//! Passes over the model, in a fixed order. Each completes or checks the
//! model and pushes diagnostics into the sink.
//!
//! 1. `people`: authors, reviewers and editors are known contributors;
//!    authors and editors resolved to the book's people.
//! 2. `html`: raw HTML's comments dropped, its `<img>` and `<a id>` made
//!    images (figures) and anchors, the rest warned about under `escape`
//!    (in the bios; each chapter's as part of its parse, which `watch` keeps).
//! 3. `numbering`: the chapters' numbers.
//! 4. Each chapter's own passes, on every core: `ids` (heading ids,
//!    explicit or generated), `numbering` within it (sections, figures,
//!    tables), `index` (terms anchored, keys checked). Each chapter then
//!    offers the others what they may point to in it ([`Offered`]: labels,
//!    anchors, former ids, cross-reference targets, index entries).
//! 5. The checks across chapters, on what they offer: labels unique in
//!    the book, each index `see` naming an entry.
//! 6. Each chapter's links (`links`: to chapters, anchors, images, other
//!    files) and cross-references (`crossrefs`: `@fig:…`, `@tbl:…`,
//!    `@sec:…`), resolved against what every chapter offers.
//! 7. `citations`: keys exist; citations and reference lists formatted.
//! 8. `raw`: raw blocks reach only the outputs book.toml allows.
//! 9. `math`: each formula converted once, to Typst and to MathML.
//! 10. `typography`: quotes, apostrophes and no-break spaces by language.
//!
//! So a chapter's passes read nothing of the others but what they offer,
//! and `watch` keeps what they made of each chapter ([`memo`]).

pub mod citations;
pub mod crossrefs;
pub mod html;
pub mod ids;
pub mod index;
pub mod links;
pub mod math;
pub mod memo;
pub mod numbering;
pub mod people;
pub mod raw;
pub mod typography;

use std::sync::Arc;

use rayon::prelude::*;

use crate::diag::{Sink, Span};
use crate::model::{Book, Chapter};
pub use memo::ChapterMemo;

/// What the passes prepare beyond checking the book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prepare {
    /// Everything the site and the EPUB print (formatted citations and
    /// reference lists).
    Render,
    /// Only what checks and reports need: citation keys are checked, not
    /// formatted (formatting runs the whole CSL style, about a millisecond
    /// per citation; the PDF has Typst format its own, unless `[pdf]
    /// citations = "text"`).
    Check,
    /// Only the chapters, their ids, people and words: what `status`,
    /// `review` and `contributors` read. Cross-references, citations, math
    /// and typography are left alone (their faults are `check`'s to report).
    Outline,
}

/// Runs every pass in order.
pub fn run_all(book: &mut Book, sink: &mut Sink, prepare: Prepare) {
    run(book, sink, prepare, None);
}

/// [`run_all`], taking from `memo` what the passes made of the chapters
/// that reach them unchanged (`watch`'s rebuilds): `stamps` tells each
/// chapter's parse (in reading order), the same stamp for the same parse.
pub fn run_all_memo(
    book: &mut Book,
    sink: &mut Sink,
    prepare: Prepare,
    memo: &mut ChapterMemo,
    stamps: &[u64],
) {
    run(book, sink, prepare, Some((memo, stamps)));
}

fn run(
    book: &mut Book,
    sink: &mut Sink,
    prepare: Prepare,
    memo: Option<(&mut ChapterMemo, &[u64])>,
) {
    people::resolve_people(book, sink);
    html::convert_html(book, sink, prepare == Prepare::Outline);
    numbering::number_chapters(&mut book.chapters);
    match memo {
        Some((memo, stamps)) if prepare != Prepare::Outline => {
            memo.run(book, sink, prepare, stamps)
        }
        _ => whole_book(book, sink, prepare),
    }
}

/// The passes from ids on, over every chapter.
fn whole_book(book: &mut Book, sink: &mut Sink, prepare: Prepare) {
    let everyone = vec![true; book.chapters.len()];
    let mut sinks = vec![Sink::default(); book.chapters.len()];
    let offered: Vec<Arc<Offered>> =
        own_passes(book, &everyone, prepare != Prepare::Outline, &mut sinks)
            .into_iter()
            .map(|o| Arc::new(o.expect("every chapter offers")))
            .collect();
    check_offered(book, &offered, sink);
    for own in &mut sinks {
        sink.extend(std::mem::take(own).into_diagnostics());
    }
    if prepare == Prepare::Outline {
        return;
    }
    let directory = directory(book, &offered);
    let labels = crossrefs::Labels::new(offered.iter().map(|o| o.targets.as_slice()));
    let mut files: Vec<links::Files> = resolve(book, &everyone, &directory, &labels, &mut sinks)
        .into_iter()
        .flatten()
        .collect();
    for own in sinks {
        sink.extend(own.into_diagnostics());
    }
    files.push(links::resolve_bios(&mut book.people, &directory, sink));
    (book.assets, book.missing) = links::gather(&files);
    tail(book, sink, prepare);
}

/// What a chapter offers the rest of the book once its own passes are
/// done: the book-wide checks and the other chapters' links and
/// cross-references read it.
#[derive(Debug, Default)]
pub struct Offered {
    /// Its figure and table labels, as written, with where.
    labels: Vec<(String, Span)>,
    /// Its index entries and `see` references.
    marks: index::Marks,
    /// What a link into it may name.
    links: links::LinkTargets,
    /// What a cross-reference may point to in it.
    targets: Vec<(String, crossrefs::Target)>,
}

/// The passes over each chapter's own text, on the chapters `which` names
/// (on every core): heading ids, the numbers within it, its index marks.
/// Each chapter's diagnostics go to its sink of `sinks`; it gives what it
/// offers the others (its links' and cross-references' targets only with
/// `targets`: an outline resolves neither, and a chapter whose offer is
/// kept needs no new one).
fn own_passes(
    book: &mut Book,
    which: &[bool],
    targets: bool,
    sinks: &mut [Sink],
) -> Vec<Option<Offered>> {
    let sources = &book.sources;
    book.chapters
        .par_iter_mut()
        .zip(which)
        .zip(sinks)
        .map(|((chapter, &run), sink)| {
            run.then(|| {
                let labels = ids::chapter_ids(chapter, sink);
                numbering::number_within(chapter, sink);
                let text = &sources.get(chapter.file).text;
                let marks = index::anchor_marks(chapter, text, sink);
                if !targets {
                    return Offered {
                        labels,
                        marks,
                        ..Offered::default()
                    };
                }
                Offered {
                    labels,
                    marks,
                    links: links::link_targets(&mut chapter.blocks),
                    targets: crossrefs::chapter_targets(chapter),
                }
            })
        })
        .collect()
}

/// The checks across chapters of what they offer: each label written
/// once in the book, each `see` naming an entry of the index.
fn check_offered(book: &Book, offered: &[Arc<Offered>], sink: &mut Sink) {
    let labels = book.chapters.iter().zip(offered);
    ids::check_labels(
        labels.map(|(c, o)| (c.id.as_str(), o.labels.as_slice())),
        sink,
    );
    index::check_see(offered.iter().map(|o| &o.marks), sink);
}

/// The book as links see it, from what each chapter offers.
fn directory<'a>(book: &Book, offered: &'a [Arc<Offered>]) -> links::Directory<'a> {
    let chapters = book.chapters.iter().zip(offered);
    links::Directory::new(
        &book.root,
        chapters.map(|(c, o)| (c.path.as_path(), c.id.as_str(), &o.links)),
    )
}

/// The links and cross-references of the chapters `which` names, resolved
/// (on every core) against the whole book's; each chapter's diagnostics go
/// to its sink of `sinks`, and the files it reads are given back.
fn resolve(
    book: &mut Book,
    which: &[bool],
    directory: &links::Directory,
    labels: &crossrefs::Labels,
    sinks: &mut [Sink],
) -> Vec<Option<links::Files>> {
    book.chapters
        .par_iter_mut()
        .zip(which)
        .zip(sinks)
        .map(|((chapter, &run), sink)| {
            run.then(|| resolve_chapter(chapter, directory, labels, sink))
        })
        .collect()
}

fn resolve_chapter(
    chapter: &mut Chapter,
    directory: &links::Directory,
    labels: &crossrefs::Labels,
    sink: &mut Sink,
) -> links::Files {
    let files = links::resolve_chapter(chapter, directory, sink);
    crossrefs::resolve_chapter(chapter, labels, sink);
    files
}

/// The passes that read nothing of a chapter but its own text (and the
/// book's settings and bibliography): citations, raw, math, typography.
fn tail(book: &mut Book, sink: &mut Sink, prepare: Prepare) {
    // A PDF that prints ouvrage's text for its citations needs them
    // formatted even when nothing else is rendered.
    let text_in_pdf = book.config.pdf.citations == crate::config::PdfCitations::Text;
    citations::cite(book, sink, prepare == Prepare::Render || text_in_pdf);
    raw::filter_raw(book, sink);
    math::convert_math(book, sink);
    typography::apply(book);
}
