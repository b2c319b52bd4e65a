//! `ouvrage contributors`: who wrote what.

use clap::{Args, ValueEnum};

use super::review::{git_diagnostic, load_with_repo};
use super::{Context, Outcome, fail};
use crate::status::{compute_credits, render_credits};

/// Output format of `contributors`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum CreditsFormat {
    /// A table for the terminal.
    #[default]
    Table,
    /// One JSON object.
    Json,
}

/// Arguments of `contributors`.
#[derive(Debug, Args)]
pub struct ContributorsArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = CreditsFormat::Table)]
    pub format: CreditsFormat,
}

/// Runs `contributors`.
pub fn run(ctx: &Context, args: ContributorsArgs) -> Outcome {
    let (book, repo) = match load_with_repo(ctx) {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    let report = match compute_credits(&book, &repo) {
        Ok(report) => report,
        Err(e) => return fail(ctx, git_diagnostic(&e)),
    };
    // Freeing libgit2's object cache costs a tenth of the run on a long
    // history, and the process ends right after: leave it to the OS.
    std::mem::forget(repo);
    match args.format {
        CreditsFormat::Json => {
            println!(
                "{}",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            )
        }
        CreditsFormat::Table => print!("{}", render_credits(&report)),
    }
    Outcome::Success
}
