//! Passes over the model, in a fixed order. Each is a function that
//! completes or checks the model and pushes diagnostics into the sink.
//!
//! 1. `people`: authors, reviewers and editors are known contributors;
//!    authors and editors resolved to the book's people.
//! 2. `html`: raw HTML's comments dropped, its `<img>` and `<a id>` made
//!    images (figures) and anchors, the rest warned about under `escape`
//!    (in the bios; each chapter's as part of its parse, which `watch` keeps).
//! 3. `ids`: heading ids (explicit or generated) and unique labels.
//! 4. `numbering`: chapter, section, figure and table numbers.
//!    Then `index`: index terms anchored, their keys and `see` checked.
//! 5. `links`: links between chapters and to anchors, images and other files.
//! 6. `crossrefs`: `@fig:…`, `@tbl:…`, `@sec:…` find what they point to.
//! 7. `citations`: keys exist; citations and reference lists formatted.
//! 8. `raw`: raw blocks reach only the outputs book.toml allows.
//! 9. `math`: each formula converted once, to Typst and to MathML.
//! 10. `typography`: quotes, apostrophes and no-break spaces by language.

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

use crate::diag::Sink;
use crate::model::Book;
pub use memo::TailMemo;

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

/// [`run_all`], the last passes ([`tail`]) taking from `memo` what they
/// made of the chapters that reach them unchanged (`watch`'s rebuilds).
pub fn run_all_memo(book: &mut Book, sink: &mut Sink, prepare: Prepare, memo: &mut TailMemo) {
    run(book, sink, prepare, Some(memo));
}

fn run(book: &mut Book, sink: &mut Sink, prepare: Prepare, memo: Option<&mut TailMemo>) {
    people::resolve_people(book, sink);
    html::convert_html(book, sink, prepare == Prepare::Outline);
    ids::assign_ids(book, sink);
    numbering::number(book, sink);
    index::check_index(book, sink);
    if prepare == Prepare::Outline {
        return;
    }
    links::resolve_links(book, sink);
    crossrefs::resolve(book, sink);
    match memo {
        Some(memo) => memo.run(book, sink, prepare),
        None => tail(book, sink, prepare),
    }
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
