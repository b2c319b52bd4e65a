//! `ouvrage build`: the outputs, each replaced atomically.

use std::path::PathBuf;

use clap::Args;

use super::{Context, DiagnosticFormat, Outcome, load_checked};
use crate::render::html::{HtmlOptions, HtmlRenderer};
use crate::render::{Renderer, render_atomically};

/// Arguments of `build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Build the HTML site (_book/html).
    #[arg(long)]
    pub html: bool,
    /// Output folder (default: _book in the book root).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Text)]
    pub format: DiagnosticFormat,
}

/// Runs `build`.
pub fn run(ctx: &Context, args: BuildArgs) -> Outcome {
    let started = std::time::Instant::now();
    let (root, book) = match load_checked(ctx, args.format) {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    let out_dir = match args.out {
        Some(dir) if dir.is_absolute() => dir,
        Some(dir) => ctx.cwd.join(dir),
        None => root.join("_book"),
    };
    // With no format flag, every format that exists is built (the site, for now).
    let all = !args.html;
    let mut renderers: Vec<Box<dyn Renderer>> = Vec::new();
    if all || args.html {
        renderers.push(Box::new(HtmlRenderer {
            options: HtmlOptions::from_book(&book),
        }));
    }
    for renderer in renderers {
        let t = std::time::Instant::now();
        match render_atomically(renderer.as_ref(), &book, &out_dir) {
            Ok(path) => ctx.info(format!(
                "wrote {} ({} ms)",
                path.strip_prefix(&ctx.cwd).unwrap_or(&path).display(),
                t.elapsed().as_millis()
            )),
            Err(diagnostics) => {
                ctx.print_diagnostics(&book.sources, &diagnostics, args.format);
                return Outcome::BookErrors;
            }
        }
    }
    if ctx.verbose > 0 {
        ctx.info(format!("built in {} ms", started.elapsed().as_millis()));
    }
    Outcome::Success
}
