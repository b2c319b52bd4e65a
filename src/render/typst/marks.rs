//! What the template's layout reports about the book's text: each code line
//! broken because it is longer than the measure (`<ouvrage-code-wrap>`)
//! and each table scaled to fit the text block (`<ouvrage-table-fit>`),
//! read back from the compiled document and placed at their Markdown lines
//! through the labels the emitter gives code blocks and tables.
//!
//! Input: the laid-out document and the emitted sources. Output: plain
//! findings; `check --print` lists them, and a book with
//! `code-overflow = "error"` is refused on its wrapped lines.

use std::collections::HashMap;

use typst::foundations::{Dict, Label, Selector, Value};
use typst::introspection::{Introspector, MetadataElem};
use typst::utils::PicoStr;
use typst_layout::PagedDocument;

use super::emit::{Emitted, block_label};
use crate::config::CodeOverflow;
use crate::diag::{Diagnostic, Span};
use crate::model::Book;

/// A code line broken at the edge of the text block.
#[derive(Debug, Clone, PartialEq)]
pub struct WrappedLine {
    /// The Markdown line, when the code block is a chapter's.
    pub span: Option<Span>,
    /// The page it is on.
    pub page: usize,
    /// Its length in columns, and how many fit.
    pub columns: usize,
    /// Columns that fit on a line.
    pub fit: usize,
}

/// A table scaled down to fit the text block.
#[derive(Debug, Clone, PartialEq)]
pub struct ScaledTable {
    /// The Markdown table, when it is a chapter's.
    pub span: Option<Span>,
    /// The page it is on.
    pub page: usize,
    /// The scale it is printed at (below 1).
    pub scale: f64,
}

/// The code lines the layout broke, in page order.
pub fn wrapped_lines(book: &Book, emitted: &Emitted, document: &PagedDocument) -> Vec<WrappedLine> {
    let blocks = labelled_blocks(emitted);
    marks(document, "ouvrage-code-wrap")
        .into_iter()
        .map(|(page, dict)| {
            let block = text(&dict, "code").and_then(|l| blocks.get(&l));
            let line = int(&dict, "line").unwrap_or(1).max(1) as usize;
            WrappedLine {
                span: block.map(|span| code_line(book, span, line)),
                page,
                columns: int(&dict, "columns").unwrap_or(0) as usize,
                fit: int(&dict, "fit").unwrap_or(0) as usize,
            }
        })
        .collect()
}

/// The tables the layout scaled, in page order.
pub fn scaled_tables(emitted: &Emitted, document: &PagedDocument) -> Vec<ScaledTable> {
    let blocks = labelled_blocks(emitted);
    marks(document, "ouvrage-table-fit")
        .into_iter()
        .map(|(page, dict)| ScaledTable {
            span: text(&dict, "table").and_then(|l| blocks.get(&l).cloned()),
            page,
            scale: match dict.get("scale") {
                Ok(Value::Float(f)) => *f,
                _ => 1.0,
            },
        })
        .collect()
}

/// The diagnostics a build gives for its layout: each scaled table is a
/// warning at its line; with `code-overflow = "error"` each wrapped code
/// line is an error (otherwise they are listed by `check --print` only).
pub fn layout_diagnostics(
    book: &Book,
    emitted: &Emitted,
    document: &PagedDocument,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for table in scaled_tables(emitted, document) {
        out.push(
            at(
                Diagnostic::warning_in(
                    None,
                    format!(
                        "this table is wider than the text block: it is printed at {:.0} % of its size (page {})",
                        table.scale * 100.0,
                        table.page
                    ),
                ),
                table.span,
            )
            .hint("give its cells shorter words or fewer columns, or split it"),
        );
    }
    if book.config.pdf.code_overflow == CodeOverflow::Error {
        for line in wrapped_lines(book, emitted, document) {
            out.push(
                at(
                    Diagnostic::error_in(None, wrapped_message(&line)),
                    line.span,
                )
                .hint(
                    "shorten the line, or set `code-overflow = \"wrap\"` or \"shrink\" under [pdf] in book.toml",
                ),
            );
        }
    }
    out
}

/// What `check --print` says of a wrapped line.
pub fn wrapped_message(line: &WrappedLine) -> String {
    format!(
        "this code line is {} characters long and {} fit on a line of the PDF: it wraps (page {})",
        line.columns, line.fit, line.page
    )
}

fn at(mut d: Diagnostic, span: Option<Span>) -> Diagnostic {
    if span.is_some() {
        d.path = None;
        d.span = span;
    }
    d
}

/// Each labelled code block and table of the chapters, by label.
fn labelled_blocks(emitted: &Emitted) -> HashMap<String, Span> {
    let mut out = HashMap::new();
    for chapter in &emitted.chapters {
        for (i, span) in chapter.marked_blocks.iter().enumerate() {
            out.insert(block_label(&chapter.id, i), span.clone());
        }
    }
    out
}

/// The Markdown line of line `n` (1-based) of the code block at `span`.
fn code_line(book: &Book, span: &Span, n: usize) -> Span {
    let file = book.sources.get(span.file);
    let first = file.line_index(span.range.start);
    let opening = file.line_range(first).map(|r| &file.text[r]).unwrap_or("");
    // A fenced block's code starts on the line after its fence.
    let fenced = {
        let t = opening.trim_start_matches([' ', '>', '-', '*']);
        t.starts_with("```") || t.starts_with("~~~")
    };
    let line = first + usize::from(fenced) + n - 1;
    match file.line_range(line) {
        Some(range) if range.end <= span.range.end.max(range.end) => Span::new(span.file, range),
        _ => span.clone(),
    }
}

/// The metadata labelled `label`, each with its page, in page order.
fn marks(document: &PagedDocument, label: &str) -> Vec<(usize, Dict)> {
    let introspector = document.introspector();
    let Some(label) = Label::new(PicoStr::intern(label)) else {
        return Vec::new();
    };
    let mut out: Vec<(usize, Dict)> = introspector
        .query(&Selector::Label(label))
        .iter()
        .filter_map(|content| {
            let page = introspector.page(content.location()?)?.get();
            let meta = content.to_packed::<MetadataElem>()?;
            match &meta.value {
                Value::Dict(dict) => Some((page, dict.clone())),
                _ => None,
            }
        })
        .collect();
    out.sort_by_key(|m| m.0);
    out
}

fn text(dict: &Dict, key: &str) -> Option<String> {
    match dict.get(key) {
        Ok(Value::Str(s)) => Some(s.to_string()),
        Ok(Value::Label(l)) => Some(l.resolve().to_string()),
        _ => None,
    }
}

fn int(dict: &Dict, key: &str) -> Option<i64> {
    match dict.get(key) {
        Ok(Value::Int(i)) => Some(*i),
        _ => None,
    }
}
