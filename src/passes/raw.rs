//! Raw blocks: ```` ```{=html} ```` reaches the site only when `[html]
//! raw-html` is not `escape`; ```` ```{=typst} ```` reaches the PDF only with
//! `[pdf] raw-typst = true`. Others are dropped, with a warning at their line.

use crate::config::RawHtml;
use crate::diag::{Diagnostic, Sink};
use crate::model::{Block, BlockKind, Book};

/// Drops the raw blocks that no output may take.
pub fn filter_raw(book: &mut Book, sink: &mut Sink) {
    let html_allowed = book.config.html.raw_html != RawHtml::Escape;
    let typst_allowed = book.config.pdf.raw_typst;
    let bios = book.people.iter_mut().map(|p| &mut p.bio);
    let chapters = book.chapters.iter_mut().flat_map(|c| c.block_lists_mut());
    for blocks in chapters.chain(bios) {
        retain_blocks(blocks, &mut |block| {
            let BlockKind::Raw { format, .. } = &block.kind else {
                return true;
            };
            let (allowed, hint) = match format.as_str() {
                "html" => (
                    html_allowed,
                    "set `raw-html = \"sanitize\"` or \"allow\" under [html] in book.toml",
                ),
                "typst" => (
                    typst_allowed,
                    "set `raw-typst = true` under [pdf] in book.toml",
                ),
                _ => (false, "raw blocks exist for html and typst only"),
            };
            if !allowed {
                sink.push(
                    Diagnostic::warning(
                        block.span.clone(),
                        format!("this raw `{format}` block is dropped"),
                    )
                    .hint(hint),
                );
            }
            allowed
        });
    }
}

fn retain_blocks(blocks: &mut Vec<Block>, keep: &mut dyn FnMut(&Block) -> bool) {
    blocks.retain(|b| keep(b));
    for block in blocks {
        match &mut block.kind {
            BlockKind::BlockQuote(inner) | BlockKind::Alert { blocks: inner, .. } => {
                retain_blocks(inner, keep)
            }
            BlockKind::List { items, .. } => {
                for item in items {
                    retain_blocks(&mut item.blocks, keep);
                }
            }
            _ => {}
        }
    }
}
