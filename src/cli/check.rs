//! `ouvrage check`: every validation, nothing written.

use clap::Args;

use super::{Context, DiagnosticFormat, Outcome, load_checked};

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Text)]
    pub format: DiagnosticFormat,
}

/// Runs `check`.
pub fn run(ctx: &Context, args: CheckArgs) -> Outcome {
    let book = match load_checked(ctx, args.format) {
        Ok((_, book)) => book,
        Err(outcome) => return outcome,
    };
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
