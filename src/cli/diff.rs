//! `ouvrage diff`: what changed in a chapter's text since an approval or a
//! revision, word by word, in the terminal (README "`ouvrage diff`").

use clap::Args;

use super::review::{find_me, git_diagnostic, load_with_repo};
use super::{Context, Outcome, fail};
use crate::commenting::no_chapter;
use crate::diag::Diagnostic;

/// Arguments of `diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The chapter id.
    pub chapter: String,
    /// Compare with `approval` (the latest approval of the chapter by you,
    /// or by --reviewer) or with a git revision (`HEAD~3`, a tag, a commit).
    #[arg(long, value_name = "approval|REV", default_value = "approval")]
    pub since: String,
    /// Whose approval `--since approval` means (a contributor id; default: you).
    #[arg(long, value_name = "ID")]
    pub reviewer: Option<String>,
}

/// Runs `diff`.
pub fn run(ctx: &Context, args: DiffArgs) -> Outcome {
    let (book, repo) = match load_with_repo(ctx) {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    let Some(chapter) = book.chapter(&args.chapter) else {
        return fail(ctx, no_chapter(&book, &args.chapter));
    };
    let path = chapter.rel_path();
    let (old_revision, what) = if args.since == "approval" {
        let reviewer = match &args.reviewer {
            Some(id) => {
                if !book.contributors.list.iter().any(|c| &c.id.value == id) {
                    return fail(
                        ctx,
                        Diagnostic::error_in(None, format!("no contributor has the id `{id}`"))
                            .suggest(
                                id,
                                book.contributors.list.iter().map(|c| c.id.value.as_str()),
                            ),
                    );
                }
                id.clone()
            }
            None => {
                let me = match find_me(ctx, &book, &repo) {
                    Ok(me) => me,
                    Err(outcome) => return outcome,
                };
                match me.contributor {
                    Some(c) => c.id.value.clone(),
                    None => {
                        return fail(
                            ctx,
                            me.not_a_contributor()
                                .hint("or name the reviewer: `--reviewer ID`"),
                        );
                    }
                }
            }
        };
        let report = match crate::status::compute_status(&book, &repo, Default::default()) {
            Ok(r) => r,
            Err(e) => return fail(ctx, git_diagnostic(&e)),
        };
        match crate::textdiff::approved_revision(&report, &chapter.id, &reviewer) {
            Some(revision) => (revision, format!("{reviewer}'s approval")),
            None => {
                return fail(
                    ctx,
                    Diagnostic::error_in(
                        Some(chapter.path.clone()),
                        format!("{reviewer} has no approval of `{}` that counts", chapter.id),
                    )
                    .hint("`ouvrage status` lists the reviews; `--since REV` compares with a git revision"),
                );
            }
        }
    } else {
        match repo.blob_at(&args.since, &path) {
            Ok(Some(blob)) => (blob, format!("`{}`", args.since)),
            Ok(None) => {
                return fail(
                    ctx,
                    Diagnostic::error_in(
                        Some(chapter.path.clone()),
                        format!("the chapter's file is not in `{}`", args.since),
                    ),
                );
            }
            Err(e) => {
                return fail(
                    ctx,
                    git_diagnostic(&e).hint("give `approval` or a revision git knows"),
                );
            }
        }
    };
    let Some(old) = repo.blob_text(&old_revision) else {
        return fail(
            ctx,
            Diagnostic::error_in(
                None,
                format!(
                    "revision {} of the chapter is not in this repository (or not UTF-8)",
                    &old_revision[..10.min(old_revision.len())]
                ),
            )
            .hint("fetch it: `git fetch`"),
        );
    };
    let markdown = book.config.markdown;
    let new = &book.sources.get(chapter.file).text;
    let paragraphs = crate::textdiff::word_diff(
        &crate::textdiff::plain_paragraphs(&old, &markdown),
        &crate::textdiff::plain_paragraphs(new, &markdown),
    );
    let short = &old_revision[..7.min(old_revision.len())];
    if paragraphs.is_empty() {
        ctx.info(format!(
            "{}: the text is as at {what} (revision {short})",
            chapter.id
        ));
        return Outcome::Success;
    }
    ctx.info(format!(
        "{}: {} paragraph{} changed since {what} (revision {short})\n",
        chapter.id,
        paragraphs.len(),
        if paragraphs.len() == 1 { "" } else { "s" }
    ));
    print!(
        "{}",
        crate::textdiff::terminal(&paragraphs, ctx.color_stdout())
    );
    Outcome::Success
}
