//! Text set outside its page: what a block that cannot break and is taller
//! than the page (a chapter's opening with a long abstract, say) leaves
//! below the page's foot, where the printer cuts it. A warning of every
//! PDF build, at the Markdown line; `check --print` makes it an error.

use rayon::prelude::*;
use typst::layout::{Abs, Frame, FrameItem, Point, Size, Transform};
use typst_layout::PagedDocument;

use super::diagnostics::locate_span;
use super::emit::Emitted;
use super::world::BookWorld;
use crate::diag::Diagnostic;
use crate::model::Book;

/// How each warning begins, for `check --print` to find them.
pub const MESSAGE: &str = "text runs off page";

/// One warning per page that holds text outside it, at the first such
/// text's Markdown line.
pub fn warnings(
    world: &BookWorld,
    book: &Book,
    emitted: &Emitted,
    document: &PagedDocument,
) -> Vec<Diagnostic> {
    // Every page's text is walked at every typeset (`watch`'s too): on
    // every core.
    let found: Vec<_> = document
        .pages()
        .par_iter()
        .enumerate()
        .filter_map(|(i, page)| {
            first_outside(&page.frame, Transform::identity(), page.frame.size())
                .map(|found| (i + 1, found))
        })
        .collect();
    found
        .into_iter()
        .map(|(page, (edge, span))| {
            let mut d = Diagnostic::warning_in(
                None,
                format!("{MESSAGE} {page}, {edge}: it would not be printed"),
            )
            .hint("a block that cannot break (a chapter's opening, say) is taller than the page: shorten it");
            d.span = locate_span(world, book, emitted, span);
            d
        })
        .collect()
}

/// The first text of a frame (drawn with `ts` on a page of `size`) whose
/// baseline starts below the page or above it, or that lies wholly beyond
/// a side: which edge, and the text's span.
fn first_outside(
    frame: &Frame,
    ts: Transform,
    size: Size,
) -> Option<(&'static str, typst::syntax::Span)> {
    for (pos, item) in frame.items() {
        let here = ts.pre_concat(Transform::translate(pos.x, pos.y));
        match item {
            FrameItem::Group(group) => {
                let found = first_outside(&group.frame, here.pre_concat(group.transform), size);
                if found.is_some() {
                    return found;
                }
            }
            FrameItem::Text(text) => {
                let start = Point::zero().transform(here);
                // The run's width (a sum over its glyphs) only for a run
                // that starts beyond a side, which almost none does: a run
                // starting on the page is not wholly beyond it.
                let wholly_beyond = |start: Point| {
                    let end = Point::with_x(text.width()).transform(here);
                    start.x.max(end.x) < Abs::zero() || start.x.min(end.x) > size.x
                };
                let edge = if start.y > size.y {
                    "below its foot"
                } else if start.y < Abs::zero() {
                    "above its head"
                } else if (start.x < Abs::zero() || start.x > size.x) && wholly_beyond(start) {
                    "beyond its side"
                } else {
                    continue;
                };
                if let Some(glyph) = text.glyphs.first() {
                    return Some((edge, glyph.span.0));
                }
            }
            _ => {}
        }
    }
    None
}
