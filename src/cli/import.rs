//! `ouvrage import mdbook|pandoc|quarto`: a book written for another tool
//! made into a new ouvrage book (see [`crate::import`]). The target is
//! checked first (a folder that is not empty is refused before anything is
//! read), every diagnostic of the source is printed together, and the book
//! is written whole or not at all.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::{Context, DiagnosticFormat, Outcome, fail, usage};
use crate::diag::Diagnostic;
use crate::import::{Imported, Run, check_target, write_book};

/// Arguments of `import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The tool the book was written for.
    #[command(subcommand)]
    pub dialect: Dialect,
}

/// The tools `import` reads books of.
#[derive(Debug, Subcommand)]
pub enum Dialect {
    /// An mdBook: its folder (book.toml, src/SUMMARY.md).
    #[command(
        after_help = "Example:\n  ouvrage import mdbook book --into trpl --site-url https://doc.rust-lang.org/book/"
    )]
    Mdbook {
        /// The mdBook's folder.
        dir: PathBuf,
        /// The new book's folder (default: DIR-ouvrage); it must not exist or be empty.
        #[arg(long, value_name = "NEW")]
        into: Option<PathBuf>,
        /// Where the mdBook's site is published: links that leave the book
        /// (`../std/index.html`) become absolute from there.
        #[arg(long, value_name = "URL")]
        site_url: Option<String>,
    },
    /// Pandoc Markdown files, each a chapter, in the order given.
    #[command(after_help = "Example:\n  ouvrage import pandoc intro.md methods.md --into livre")]
    Pandoc {
        /// The Markdown files.
        #[arg(required = true, value_name = "FILE.md")]
        files: Vec<PathBuf>,
        /// The new book's folder (default: the first file's name, -ouvrage).
        #[arg(long, value_name = "NEW")]
        into: Option<PathBuf>,
        /// The book's title (default: a single file's `title`).
        #[arg(long)]
        title: Option<String>,
    },
    /// A Quarto book project: its folder (_quarto.yml with `book:`).
    #[command(after_help = "Example:\n  ouvrage import quarto my-quarto-book --into livre")]
    Quarto {
        /// The project's folder.
        dir: PathBuf,
        /// The new book's folder (default: DIR-ouvrage).
        #[arg(long, value_name = "NEW")]
        into: Option<PathBuf>,
    },
}

/// `NAME-ouvrage` in the current folder, from a source's path.
fn default_target(ctx: &Context, source: &Path) -> PathBuf {
    let name = source
        .canonicalize()
        .ok()
        .and_then(|p| p.file_stem().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "imported".into());
    ctx.cwd.join(format!("{name}-ouvrage"))
}

/// Runs `import`.
pub fn run(ctx: &Context, args: ImportArgs) -> Outcome {
    let (source, into) = match &args.dialect {
        Dialect::Mdbook { dir, into, .. } | Dialect::Quarto { dir, into } => {
            (dir.clone(), into.clone())
        }
        Dialect::Pandoc { files, into, .. } => (files[0].clone(), into.clone()),
    };
    let target = into.unwrap_or_else(|| default_target(ctx, &source));
    // Refused before anything is read: nothing is ever written over.
    if let Err(d) = check_target(&target) {
        return fail(ctx, d);
    }
    let mut run = Run::default();
    let imported = match args.dialect {
        Dialect::Mdbook { dir, site_url, .. } => {
            let site = match site_url.map(|u| site_address(&u)).transpose() {
                Ok(site) => site,
                Err(d) => return usage(ctx, d),
            };
            crate::import::import_mdbook(&dir, site, &mut run)
        }
        Dialect::Pandoc { files, title, .. } => {
            let fallback = target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "Imported book".into());
            crate::import::import_pandoc(&files, title, &fallback, &mut run)
        }
        Dialect::Quarto { dir, .. } => crate::import::import_quarto(&dir, &mut run),
    };
    let diagnostics = run.sink.clone().into_sorted();
    ctx.print_diagnostics(&run.sources, &diagnostics, DiagnosticFormat::Text);
    let Some(Imported { book, report }) = imported.filter(|_| !run.sink.has_errors()) else {
        eprintln!("nothing was written: fix the errors above and import again");
        return Outcome::BookErrors;
    };
    if let Err(d) = write_book(&book, &target) {
        return fail(ctx, d);
    }
    ctx.info(format!(
        "imported {} chapter(s), {} part(s) and {} other file(s) from {} into {}",
        book.chapters.len(),
        book.parts.len(),
        book.copies.len(),
        source.display(),
        target.display()
    ));
    let text = report.render();
    if !text.is_empty() {
        ctx.info(text.trim_end());
    }
    ctx.info(format!(
        "next: cd {} && ouvrage check && ouvrage build",
        target.display()
    ));
    Outcome::Success
}

/// The site's address as a base for links: an absolute http(s) URL, made
/// a folder (`…/book` → `…/book/`) so that relative links resolve under it.
fn site_address(text: &str) -> Result<url::Url, Diagnostic> {
    let mut url = url::Url::parse(text).map_err(|e| {
        Diagnostic::error_in(None, format!("--site-url `{text}` is not a URL: {e}"))
            .hint("give the address where the mdBook is published, such as https://doc.rust-lang.org/book/")
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Diagnostic::error_in(
            None,
            format!("--site-url `{text}` is not an http or https address"),
        ));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}
