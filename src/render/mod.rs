//! Renderers read the model and write one output each. Outputs are built in
//! a staging folder beside their target and swapped in at the end, so a
//! failed build leaves the previous output as it was.

pub mod epub;
pub mod escape;
pub mod html;
pub mod plan;
pub mod typst;

use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;
use crate::model::Book;

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

/// Writes a file atomically: a temporary file beside it, then a rename.
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), Diagnostic> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let io = |e: std::io::Error| {
        Diagnostic::error_in(Some(path.to_path_buf()), format!("cannot write: {e}"))
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    tmp.write_all(contents).map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
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
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{name}.new-"))
        .tempdir_in(out_dir)
        .map_err(|e| io_error(out_dir, "create a staging folder", e))?;
    let warnings = renderer.render(book, staging.path())?;
    // A single-file output is written as the only file of the staging folder.
    let single = staging.path().join(&name);
    let produced = if single.is_file() {
        single
    } else {
        staging.path().to_path_buf()
    };
    replace(&produced, &target)?;
    Ok((target, warnings))
}

/// Moves `new` to `target`, replacing what was there. The old output is
/// renamed aside first and removed only after the new one is in place.
pub fn replace(new: &Path, target: &Path) -> Result<(), Vec<Diagnostic>> {
    let parent = target.parent().unwrap_or(Path::new("."));
    if new.is_file() {
        // rename(2) over an existing file is atomic.
        return std::fs::rename(new, target).map_err(|e| io_error(target, "write", e));
    }
    if !target.exists() {
        return std::fs::rename(new, target).map_err(|e| io_error(target, "write", e));
    }
    let aside = parent.join(format!(
        ".{}.old-{}",
        target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&aside);
    std::fs::rename(target, &aside)
        .map_err(|e| io_error(target, "move the previous output aside", e))?;
    if let Err(e) = std::fs::rename(new, target) {
        let _ = std::fs::rename(&aside, target);
        return Err(io_error(target, "write", e));
    }
    let _ = std::fs::remove_dir_all(&aside);
    Ok(())
}
