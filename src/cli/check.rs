//! `ouvrage check`: every validation, nothing written.

use clap::Args;

use super::{Context, DiagnosticFormat, Outcome, fail};
use crate::diag::Sink;
use crate::pipeline::load_model;

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Text)]
    pub format: DiagnosticFormat,
}

/// Runs `check`.
pub fn run(ctx: &Context, args: CheckArgs) -> Outcome {
    let root = match ctx.root() {
        Ok(root) => root,
        Err(d) => return fail(ctx, d),
    };
    let mut sink = Sink::default();
    let book = load_model(&root, &mut sink);
    let failed = sink.has_errors();
    ctx.print_diagnostics(&book.sources, &sink.into_sorted(), args.format);
    if failed {
        return Outcome::BookErrors;
    }
    if args.format == DiagnosticFormat::Text {
        ctx.info(format!(
            "{}: {} chapters, {} contributors, no errors",
            book.config.book.title,
            book.chapters.len(),
            book.contributors.list.len()
        ));
    }
    Outcome::Success
}
