//! `ouvrage import`: a book written for mdBook, Pandoc or Quarto made into
//! an ouvrage book; a Word document made a chapter of an existing book
//! (`docx/`, which writes into that book rather than a new one).
//!
//! Input: the source's folder or files. Output: a [`NewBook`] in memory
//! (book.toml, contributors.toml, chapters with front matter, files to
//! copy) and a [`Report`] of what could not be carried over, or the
//! diagnostics that stop the import, every one of a run at its
//! `file:line:col`. [`book::write_book`] then writes the book into a
//! staging folder beside its target and renames it into place.
//!
//! One file per dialect (`mdbook.rs`, `pandoc.rs`, `quarto.rs`); shared:
//! `markdown.rs` (where a chapter's links, code and title are), `links.rs`
//! (where each file goes and what each link becomes), `include.rs`
//! (mdBook's includes), `metadata.rs` (Pandoc's and Quarto's YAML
//! metadata), `book.rs` (the new book and its writing), `report.rs`.

pub mod book;
pub mod docx;
mod include;
mod links;
mod markdown;
mod mdbook;
mod metadata;
mod pandoc;
mod quarto;
pub mod report;

use std::path::{Path, PathBuf};

pub use book::{NewBook, check_target, write_book};
pub use mdbook::import_mdbook;
pub use pandoc::import_pandoc;
pub use quarto::import_quarto;
pub use report::Report;

use crate::config::value::{Node, Value};
use crate::diag::{Diagnostic, Sink};
use crate::source::Sources;

/// The outcome of reading a source: the book and its report, or nothing
/// when the sink holds errors.
pub struct Imported {
    /// The new book.
    pub book: NewBook,
    /// What to tell the user.
    pub report: Report,
}

/// The files read and the diagnostics of one import run.
#[derive(Default)]
pub struct Run {
    /// Every file a diagnostic may point into, by the path the user knows.
    pub sources: Sources,
    /// The diagnostics.
    pub sink: Sink,
}

impl Run {
    /// Reads a text file and registers it under `shown`; a diagnostic when
    /// it cannot be read.
    pub fn read(&mut self, path: &Path, shown: PathBuf) -> Option<crate::source::FileId> {
        match std::fs::read(path) {
            Ok(bytes) => Some(
                self.sources
                    .add(shown, String::from_utf8_lossy(&bytes).into_owned()),
            ),
            Err(e) => {
                self.sink.push(Diagnostic::error_in(
                    Some(shown),
                    format!("cannot read: {e}"),
                ));
                None
            }
        }
    }
}

/// The node at a path of keys in a table tree.
pub(crate) fn lookup<'n>(node: &'n Node, keys: &[&str]) -> Option<&'n Node> {
    let mut node = node;
    for key in keys {
        let Value::Table(entries) = &node.value else {
            return None;
        };
        node = entries
            .iter()
            .find(|(k, _)| k.name == *key)
            .map(|(_, v)| v)?;
    }
    Some(node)
}

/// A string value (a number or a boolean written as text too).
pub(crate) fn text_of(node: &Node) -> Option<String> {
    match &node.value {
        Value::Str(s) | Value::Datetime(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(f.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A list of strings: a string alone is a list of one.
pub(crate) fn strings_of(node: &Node) -> Vec<String> {
    match &node.value {
        Value::Array(items) => items.iter().filter_map(text_of).collect(),
        _ => text_of(node).into_iter().collect(),
    }
}

/// The anchor a heading's text gets on a forge and in mdBook (GitHub's
/// rule, which comrak implements), from its Markdown source.
fn title_anchor(title: &str) -> String {
    let plain: String = title.chars().filter(|c| !matches!(c, '`' | '*')).collect();
    comrak::Anchorizer::new().anchorize(&plain)
}

/// Records the anchors of the `#` headings that will move into front
/// matter (`texts`: each chapter's text, by index): the new book has no
/// such anchor, so a link to one becomes a link to the chapter.
fn note_title_anchors(layout: &mut links::Layout, book: &NewBook, texts: &[&str]) {
    for (i, text) in texts.iter().enumerate() {
        if book.chapters[i].title.is_some() {
            continue;
        }
        if let Some(t) = markdown::scan(text).title {
            let mut anchors = vec![title_anchor(&t.text)];
            anchors.extend(t.id);
            layout.title_anchors.insert(i, anchors);
        }
    }
}

/// The fonts the new book's PDF needs for characters Typst's embedded
/// fonts do not draw (CJK, emoji, Indic scripts…): those the system has
/// become `[pdf] fallback-fonts` with `system-fonts = true`, the others a
/// report line saying what to install. Without this, `check` would refuse
/// each such character.
fn settle_fonts(book: &mut NewBook, report: &mut Report) {
    let texts = book.chapters.iter().flat_map(|c| {
        [
            c.body.as_str(),
            c.title.as_deref().unwrap_or(""),
            c.abstract_.as_deref().unwrap_or(""),
        ]
    });
    let texts: Vec<&str> = texts.chain([book.title.as_str()]).collect();
    let (needed, others) = crate::render::typst::glyphs::fonts_needed(texts);
    let (found, missing): (Vec<_>, Vec<_>) = needed.into_iter().partition(|n| n.on_system);
    if !found.is_empty() {
        report.note(format!(
            "the chapters hold characters Typst's own fonts do not draw ({}): the PDF takes them from the system's fonts ({}), so it may differ on another machine; copy the fonts' files into fonts/ to make it the same everywhere",
            found.iter().map(|n| n.sample.as_str()).collect::<Vec<_>>().join(" "),
            found.iter().map(|n| n.family).collect::<Vec<_>>().join(", ")
        ));
        book.fallback_fonts = found.iter().map(|n| n.family.to_string()).collect();
    }
    if !missing.is_empty() {
        let mut packages: Vec<&str> = missing.iter().map(|n| n.package).collect();
        packages.dedup();
        report.not_carried(format!(
            "characters no font of this system draws ({}): the PDF needs {} (Debian: apt-get install {}), then add them to `fallback-fonts` under [pdf] with `system-fonts = true`",
            missing.iter().map(|n| n.sample.as_str()).collect::<Vec<_>>().join(" "),
            missing.iter().map(|n| n.family).collect::<Vec<_>>().join(", "),
            packages.join(" ")
        ));
    }
    if !others.is_empty() {
        let sample: String = others.iter().take(8).collect();
        report.not_carried(format!(
            "characters Typst's own fonts do not draw ({sample}): the PDF needs a font that has them, in fonts/ and `fallback-fonts`"
        ));
    }
}

/// What a dialect wants done to a chapter's text besides its links.
#[derive(Debug, Clone, Copy, Default)]
struct Finish {
    /// mdBook: lines hidden in Rust code blocks (`# `) left out.
    hide_rust_lines: bool,
    /// mdBook: `@` that ouvrage would read as a citation written `\@`,
    /// since mdBook prints it as it is.
    escape_citations: bool,
}

/// Finishes chapter `index` from its resolved `text`: the first `#`
/// heading moves into the title (unless `title` is set already), fenced
/// code's info strings are made plain (`rust,ignore` → `rust`, `{r}` →
/// `r`), and links are rewritten by `layout`.
#[allow(clippy::too_many_arguments)]
fn finish_chapter(
    layout: &links::Layout,
    book: &mut NewBook,
    index: usize,
    source: &Path,
    text: &str,
    original: &str,
    finish: Finish,
    report: &mut Report,
) {
    let scan = markdown::scan(text);
    let mut edits = layout.rewrite(book, index, source, &scan, original, report);
    if let Some(heading) = &scan.title
        && book.chapters[index].title.is_none()
    {
        book.chapters[index].title = Some(if finish.escape_citations {
            markdown::escape_citations_in_line(&heading.text)
        } else {
            heading.text.clone()
        });
        edits.push(markdown::Edit {
            range: heading.lines.clone(),
            with: String::new(),
        });
        // A chapter that opens with `## Title` has its sections one level
        // down: they move up, so that they start at `##` as ouvrage's do.
        let shift = heading.level.saturating_sub(1);
        if shift > 0 {
            for &(at, level) in &scan.headings {
                let new = level.saturating_sub(shift).max(2);
                if new != level {
                    edits.push(markdown::Edit {
                        range: at..at + level,
                        with: "#".repeat(new),
                    });
                }
            }
        }
    }
    for fence in &scan.fences {
        let info = fence.info.trim();
        let first = info
            .trim_start_matches('{')
            .trim_end_matches('}')
            .split([',', ' ', '\t'])
            .next()
            .unwrap_or("")
            .trim_start_matches('.');
        let raw = info.starts_with("{=");
        if !raw && !info.is_empty() && first != info {
            edits.push(markdown::Edit {
                range: fence.info_range.clone(),
                with: first.to_string(),
            });
        }
        if finish.hide_rust_lines && first == "rust" {
            let code = &text[fence.body.clone()];
            let shown = include::without_hidden_lines(code);
            if shown != code {
                edits.push(markdown::Edit {
                    range: fence.body.clone(),
                    with: shown,
                });
            }
        }
    }
    if finish.escape_citations {
        edits.extend(markdown::escape_citations(text, &scan));
    }
    book.chapters[index].body = markdown::apply(text, edits);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_anchors_are_githubs() {
        assert_eq!(title_anchor("Using `Box<T>` here"), "using-boxt-here");
        assert_eq!(title_anchor("Hello, World!"), "hello-world");
    }
}
