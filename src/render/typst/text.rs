//! The text of a compiled document, page by page: for tests and for the
//! printer's preflight, without a PDF text extractor.

use typst::layout::{Frame, FrameItem};
use typst_layout::PagedDocument;

/// The text of each page, in the order Typst laid it out; runs are
/// separated by a space.
pub fn page_texts(document: &PagedDocument) -> Vec<String> {
    document
        .pages()
        .iter()
        .map(|page| {
            let mut out = String::new();
            push_frame(&page.frame, &mut out);
            out
        })
        .collect()
}

fn push_frame(frame: &Frame, out: &mut String) {
    for (_, item) in frame.items() {
        match item {
            FrameItem::Group(group) => push_frame(&group.frame, out),
            FrameItem::Text(text) => {
                if !out.is_empty() && !out.ends_with(' ') {
                    out.push(' ');
                }
                out.push_str(&text.text);
            }
            _ => {}
        }
    }
}
