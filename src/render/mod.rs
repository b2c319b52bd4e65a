//! Renderers read the model and write one output each. Outputs are built in
//! a staging folder beside their target and swapped in at the end (by
//! `crate::atomic`), so a failed build leaves the previous output as it was.

pub mod docx;
pub mod epub;
pub mod escape;
pub mod html;
pub mod metadata;
pub mod plan;
pub mod typst;

use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;
use crate::model::Book;

/// Each chapter's first and last page in the PDF, by chapter id, set by
/// the PDF's renderer for those that run after it in the same build (the
/// site's "how to cite this chapter" prints them); under the empty id (no
/// chapter's), the book's first and last page (the feeds' page count).
pub type ChapterPages =
    std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, (usize, usize)>>>;

/// Where each page of the PDF begins, by chapter id: (index of the
/// chapter's top-level block, the page's printed number), set by the PDF's
/// renderer for the EPUB's page list and the site's page markers.
pub type PageBreaks =
    std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, Vec<(usize, String)>>>>;

/// A renderer's warnings when it finishes, its errors when it cannot.
pub type RenderResult = Result<Vec<Diagnostic>, Vec<Diagnostic>>;

/// One output format.
pub trait Renderer {
    /// The name of the output under `_book/` (a folder or a file).
    fn output_name(&self, book: &Book) -> String;
    /// Writes the output into `staging`, a fresh folder.
    fn render(&self, book: &Book, staging: &Path) -> RenderResult;
}

/// An I/O failure as a diagnostic about `path`.
pub fn io_error(path: &Path, action: &str, e: std::io::Error) -> Vec<Diagnostic> {
    vec![Diagnostic::error_in(
        Some(path.to_path_buf()),
        format!("cannot {action}: {e}"),
    )]
}

/// Runs `renderer` into a staging folder inside `out_dir`, then moves the
/// result to `out_dir/<output name>`, replacing the previous one only once the
/// new one is complete.
pub fn render_atomically(
    renderer: &dyn Renderer,
    book: &Book,
    out_dir: &Path,
) -> Result<(PathBuf, Vec<Diagnostic>), Vec<Diagnostic>> {
    std::fs::create_dir_all(out_dir)
        .map_err(|e| io_error(out_dir, "create the output folder", e))?;
    let name = renderer.output_name(book);
    let target = out_dir.join(&name);
    let staging = crate::atomic::StagingDir::new_in(out_dir, &name).map_err(|e| vec![e])?;
    let warnings = renderer.render(book, staging.path())?;
    crate::atomic::hold(&name);
    // A single-file output is written as the only file of the staging folder.
    let single = staging.path().join(&name);
    let produced = if single.is_file() {
        single
    } else {
        staging.path().to_path_buf()
    };
    crate::atomic::replace(&produced, &target).map_err(|e| vec![e])?;
    Ok((target, warnings))
}
