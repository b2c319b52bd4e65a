//! `ouvrage import mdbook|pandoc|quarto`: a book written for another tool
//! made into a new ouvrage book (see [`crate::import`]). The target is
//! checked first (a folder that is not empty is refused before anything is
//! read), every diagnostic of the source is printed together, and the book
//! is written whole or not at all. `ouvrage import docx`: a Word document
//! made a chapter of the current book ([`crate::import::docx`]), written
//! whole or not at all too.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::{Context, DiagnosticFormat, Outcome, fail, usage};
use crate::diag::Diagnostic;
use crate::import::docx::{Changes, Request, import_docx};
use crate::import::{Imported, Run, check_target, write_book};
use crate::source::Sources;

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
    /// A Word or LibreOffice document (.docx), made a new chapter of this book.
    #[command(
        after_help = "Examples:\n  ouvrage import docx fablabs.docx --id fablabs --author lequin\n  ouvrage import docx relu.docx --id relu --author lequin --title \"Relu\" --accept-changes"
    )]
    Docx {
        /// The DOCX file.
        #[arg(value_name = "FILE.docx")]
        file: PathBuf,
        /// The new chapter's id: lowercase ASCII letters, digits and `-`.
        #[arg(long)]
        id: String,
        /// Contributor id of an author (repeat for several).
        #[arg(long = "author", required = true)]
        authors: Vec<String>,
        /// The chapter's title (default: the document's Title paragraph, or its title property).
        #[arg(long)]
        title: Option<String>,
        /// Take the text with every tracked change accepted (comments are listed).
        #[arg(long, conflicts_with = "reject_changes")]
        accept_changes: bool,
        /// Take the text as it was before the tracked changes (comments are listed).
        #[arg(long)]
        reject_changes: bool,
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
        Dialect::Docx {
            file,
            id,
            authors,
            title,
            accept_changes,
            reject_changes,
        } => {
            let changes = if *accept_changes {
                Changes::Accept
            } else if *reject_changes {
                Changes::Reject
            } else {
                Changes::Refuse
            };
            let request = Request {
                file: ctx.cwd.join(file),
                id: id.clone(),
                authors: authors.clone(),
                title: title.clone(),
                changes,
            };
            return run_docx(ctx, &request, file);
        }
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
        Dialect::Docx { .. } => unreachable!("handled above"),
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

/// `import docx`: the chapter written into the current book, or every
/// error and nothing written. `shown` is the file as the user named it.
fn run_docx(ctx: &Context, request: &Request, shown: &Path) -> Outcome {
    let root = match ctx.root() {
        Ok(root) => root,
        Err(d) => return fail(ctx, d),
    };
    let rename = |mut d: Diagnostic| {
        if d.path.as_deref() == Some(request.file.as_path()) {
            d.path = Some(shown.to_path_buf());
        }
        d
    };
    match import_docx(&root, request) {
        Err(errors) => {
            let errors: Vec<Diagnostic> = errors.into_iter().map(rename).collect();
            ctx.print_diagnostics(&Sources::default(), &errors, DiagnosticFormat::Text);
            eprintln!("nothing was written: fix the errors above and import again");
            Outcome::BookErrors
        }
        Ok(done) => {
            let warnings: Vec<Diagnostic> = done.warnings.into_iter().map(rename).collect();
            ctx.print_diagnostics(&Sources::default(), &warnings, DiagnosticFormat::Text);
            let c = done.counts;
            ctx.info(format!(
                "imported {} as {}: {} heading(s), {} paragraph(s), {} table(s), {} note(s), {} picture(s), {} citation(s)",
                shown.display(),
                done.chapter.display(),
                c.headings,
                c.paragraphs,
                c.tables,
                c.notes,
                c.images,
                c.citations
            ));
            if let Some(dir) = done.images.first().and_then(|p| p.parent()) {
                ctx.info(format!("pictures in {}/", dir.display()));
            }
            if done.listed {
                ctx.info(format!(
                    "added `{}` to book.chapters in book.toml",
                    request.id
                ));
            }
            if !done.notes.is_empty() {
                let mut text = String::from("notes:");
                for n in &done.notes {
                    text.push_str("\n  - ");
                    text.push_str(n);
                }
                ctx.info(text);
            }
            if !warnings.is_empty() {
                ctx.info(format!(
                    "{} warning(s) above: what the chapter could not carry over, at its paragraph in {}",
                    warnings.len(),
                    shown.display()
                ));
            }
            ctx.info("next: ouvrage check");
            Outcome::Success
        }
    }
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
