//! `ouvrage status`: each chapter's review state from git history.

use clap::{Args, ValueEnum};

use super::review::git_diagnostic;
use super::{Context, Outcome, fail, load_lenient};
use crate::git::{GitError, Repo};
use crate::status::{
    StatusOptions, chapter_words, render_markdown, render_table, status_from_history,
};

/// How the report is grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum By {
    /// One row per chapter.
    #[default]
    Chapter,
    /// One row per contributor.
    Contributor,
}

/// Output format of `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum StatusFormat {
    /// A table for the terminal.
    #[default]
    Table,
    /// One JSON object (schema in schemas/status.schema.json).
    Json,
    /// Markdown, e.g. for a CI job summary.
    Markdown,
}

/// Arguments of `status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Only these chapters.
    pub chapters: Vec<String>,
    /// Group by chapter or by contributor.
    #[arg(long, value_enum, default_value_t = By::Chapter)]
    pub by: By,
    /// Output format.
    #[arg(long, value_enum, default_value_t = StatusFormat::Table)]
    pub format: StatusFormat,
    /// Also report chapter changes on other local and remote-tracking branches.
    #[arg(long)]
    pub all_branches: bool,
}

/// Runs `status`.
pub fn run(ctx: &Context, args: StatusArgs) -> Outcome {
    // The history walk and the chapters' parse need nothing of each other:
    // they run side by side.
    let (loaded, walked) = std::thread::scope(|s| {
        // The words are counted on this side too, while the history is
        // read: on a long book the count took as long as the rest of the report.
        let load = s.spawn(|| {
            load_lenient(ctx).map(|(_, book)| {
                let words = chapter_words(&book);
                (book, words)
            })
        });
        let walked = ctx.root().ok().map(|root| {
            Repo::open(&root).and_then(|repo| {
                // No commit yet: every chapter is a draft.
                let head = match repo.head_commit() {
                    Ok(head) => head,
                    Err(GitError::NoCommits) => String::new(),
                    Err(e) => return Err(e),
                };
                let history = repo.history(crate::load::CHAPTERS_DIR, None, false)?;
                Ok((repo, head, history))
            })
        });
        let loaded = load.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        (loaded, walked)
    });
    let (book, words) = match loaded {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    let walked = walked.unwrap_or_else(|| Err(GitError::NotARepository(book.root.clone())));
    let (repo, head, history) = match walked {
        Ok(walked) => walked,
        Err(e) => return fail(ctx, git_diagnostic(&e)),
    };
    let options = StatusOptions {
        all_branches: args.all_branches,
    };
    let mut report = match status_from_history(&book, &repo, options, head, &history, &words) {
        Ok(report) => report,
        Err(e) => return fail(ctx, git_diagnostic(&e)),
    };
    // Freeing libgit2's object cache costs a tenth of the run on a long
    // history, and the process ends right after: leave it to the OS.
    std::mem::forget(repo);
    for wanted in &args.chapters {
        if !report.chapters.iter().any(|c| &c.id == wanted) {
            return fail(
                ctx,
                crate::diag::Diagnostic::error_in(
                    None,
                    format!("no chapter has the id `{wanted}`"),
                )
                .suggest(wanted, report.chapters.iter().map(|c| c.id.as_str())),
            );
        }
    }
    if !args.chapters.is_empty() {
        report.chapters.retain(|c| args.chapters.contains(&c.id));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let text = match args.format {
        StatusFormat::Json => serde_json::to_string_pretty(&report).unwrap_or_default() + "\n",
        StatusFormat::Markdown => render_markdown(&report),
        StatusFormat::Table => {
            render_table(&report, args.by == By::Contributor, ctx.color_stdout(), now)
        }
    };
    print!("{text}");
    // As for the repository: the process ends, the OS frees faster.
    std::mem::forget((book, history, report));
    Outcome::Success
}
