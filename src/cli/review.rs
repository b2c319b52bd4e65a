//! `ouvrage submit`, `review` and `finalize`: review events recorded as
//! empty commits on the current branch (README "Review in git").

use clap::{ArgGroup, Args};

use super::{Context, Outcome, fail, load_lenient};
pub use crate::commenting::{Me, git_diagnostic, signing_problem};
use crate::diag::Diagnostic;
use crate::git::Repo;
use crate::review::{EventKind, State, event_message};

/// Arguments of `submit`.
#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// The chapter id.
    pub chapter: String,
    /// A message for the reviewers.
    #[arg(short, long)]
    pub message: Option<String>,
    /// Record the event even if you are not one of the chapter's authors
    /// (it will be listed as unverified).
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `review`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("verdict").required(true).args(["approve", "request_changes", "comment", "withdraw"])))]
pub struct ReviewArgs {
    /// The chapter id.
    pub chapter: String,
    /// Approve the current revision.
    #[arg(long)]
    pub approve: bool,
    /// Ask the authors for changes.
    #[arg(long)]
    pub request_changes: bool,
    /// Comment without a verdict.
    #[arg(long)]
    pub comment: bool,
    /// Withdraw your last verdict (your approval or your change request).
    #[arg(long)]
    pub withdraw: bool,
    /// The review's message.
    #[arg(short, long)]
    pub message: Option<String>,
    /// Record the event even if you are not an assigned reviewer (it will be
    /// listed as unverified).
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `finalize`.
#[derive(Debug, Args)]
pub struct FinalizeArgs {
    /// The chapter id.
    pub chapter: String,
    /// A message.
    #[arg(short, long)]
    pub message: Option<String>,
    /// Record the event even if you are no editor or the chapter is not approved.
    #[arg(long)]
    pub force: bool,
}

/// Runs `submit`.
pub fn submit(ctx: &Context, args: SubmitArgs) -> Outcome {
    record(
        ctx,
        &args.chapter,
        EventKind::Submitted,
        args.message.as_deref(),
        args.force,
    )
}

/// Runs `review`.
pub fn review(ctx: &Context, args: ReviewArgs) -> Outcome {
    let kind = if args.approve {
        EventKind::Approved
    } else if args.request_changes {
        EventKind::ChangesRequested
    } else if args.withdraw {
        EventKind::Withdrawn
    } else {
        EventKind::Commented
    };
    record(
        ctx,
        &args.chapter,
        kind,
        args.message.as_deref(),
        args.force,
    )
}

/// Runs `finalize`.
pub fn finalize(ctx: &Context, args: FinalizeArgs) -> Outcome {
    record(
        ctx,
        &args.chapter,
        EventKind::Final,
        args.message.as_deref(),
        args.force,
    )
}

/// The book (leniently: a broken link does not stop a review) and its repository.
pub fn load_with_repo(ctx: &Context) -> Result<(crate::model::Book, Repo), Outcome> {
    let (root, book) = load_lenient(ctx)?;
    let repo = Repo::open(&root).map_err(|e| fail(ctx, git_diagnostic(&e)))?;
    Ok((book, repo))
}

fn record(
    ctx: &Context,
    chapter_id: &str,
    kind: EventKind,
    note: Option<&str>,
    force: bool,
) -> Outcome {
    let (book, repo) = match load_with_repo(ctx) {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    if let Err(e) = repo.head() {
        return fail(ctx, git_diagnostic(&e));
    }
    let Some(chapter) = book.chapter(chapter_id) else {
        return fail(
            ctx,
            Diagnostic::error_in(None, format!("no chapter has the id `{chapter_id}`"))
                .suggest(chapter_id, book.chapters.iter().map(|c| c.id.as_str()))
                .hint("`ouvrage status` lists the chapters"),
        );
    };
    let path = chapter.rel_path();
    let Some(revision) = repo.blob_at_head(&path) else {
        return fail(
            ctx,
            Diagnostic::error_in(Some(chapter.path.clone()), "this chapter is not committed")
                .hint("commit it first: a review is bound to a committed revision"),
        );
    };
    if repo.has_uncommitted_changes(&path) {
        return fail(
            ctx,
            Diagnostic::error_in(Some(chapter.path.clone()), "this chapter has uncommitted changes")
                .hint("commit or stash them first: the event names the committed revision, not your working copy"),
        );
    }
    let me = match find_me(ctx, &book, &repo) {
        Ok(me) => me,
        Err(outcome) => return outcome,
    };
    let problem = match me.contributor {
        None => Some(me.not_a_contributor()),
        Some(c) => role_problem(&book, &repo, chapter, c, kind)
            .or_else(|| signing_problem(&book, &repo, c).err()),
    };
    if let Err(outcome) = go_on_or_stop(ctx, &book, problem, force) {
        return outcome;
    }
    let message = event_message(chapter_id, kind, &revision, note);
    if crate::review::parse_trailers(&message).is_none() {
        return fail(
            ctx,
            Diagnostic::error_in(None, "this message would make the event unreadable")
                .hint("a message must not name other review events (`review(…): …` lines)"),
        );
    }
    match commit_event(ctx, &repo, &me, &message, force) {
        Ok((id, how)) => {
            ctx.info(format!(
                "recorded review({chapter_id}): {} on revision {} as commit {}{how}",
                kind.name(),
                &revision[..10],
                &id[..10]
            ));
            Outcome::Success
        }
        Err(outcome) => outcome,
    }
}

/// Who runs the command, or the command's failure.
pub fn find_me<'b>(
    ctx: &Context,
    book: &'b crate::model::Book,
    repo: &Repo,
) -> Result<Me<'b>, Outcome> {
    Me::find(book, repo).map_err(|d| fail(ctx, d))
}

/// Stops on `problem` unless `force`, which records the event anyway with a warning.
pub fn go_on_or_stop(
    ctx: &Context,
    book: &crate::model::Book,
    problem: Option<Diagnostic>,
    force: bool,
) -> Result<(), Outcome> {
    let Some(problem) = problem else {
        return Ok(());
    };
    if !force {
        // The problem may point into contributors.toml: print it with the book's sources.
        ctx.print_diagnostics(
            &book.sources,
            &[problem.hint("`--force` records it anyway, as an unverified event")],
            super::DiagnosticFormat::Text,
        );
        return Err(Outcome::BookErrors);
    }
    ctx.info(format!(
        "warning: {} (recorded anyway: it will count for nothing)",
        problem.message
    ));
    Ok(())
}

/// Commits `message` as an event on the current branch (see
/// [`crate::commenting::commit_event`]), or the command's failure.
pub fn commit_event(
    ctx: &Context,
    repo: &Repo,
    me: &Me<'_>,
    message: &str,
    force: bool,
) -> Result<(String, String), Outcome> {
    crate::commenting::commit_event(repo, me, message, force).map_err(|d| fail(ctx, d))
}

/// Why `c` may not record `kind` on `chapter`: not an author (submit); not
/// an assigned reviewer, without the reviewer role, or an author of the
/// chapter (reviews); no verdict to withdraw; no editor, or the chapter not
/// approved (finalize).
fn role_problem(
    book: &crate::model::Book,
    repo: &Repo,
    chapter: &crate::model::Chapter,
    c: &crate::config::Contributor,
    kind: EventKind,
) -> Option<Diagnostic> {
    let id = &c.id.value;
    let chapter_id = &chapter.id;
    let has = |list: &[crate::diag::Spanned<String>]| list.iter().any(|x| &x.value == id);
    let here = Some(chapter.path.clone());
    let report = || {
        crate::status::compute_status(book, repo, Default::default())
            .ok()
            .and_then(|r| r.chapters.into_iter().find(|c| &c.id == chapter_id))
    };
    match kind {
        EventKind::Submitted if !has(&chapter.config.authors) => Some(Diagnostic::error_in(
            here,
            format!("{id} is not an author of `{chapter_id}`"),
        )),
        EventKind::Submitted => None,
        EventKind::Final if !crate::status::editor_ids(book).contains(id) => Some(
            Diagnostic::error_in(None, format!("{id} is not an editor of the book")),
        ),
        EventKind::Final => {
            let state = report().map(|c| c.state);
            (state != Some(State::Approved) && state != Some(State::Final)).then(|| {
                Diagnostic::error_in(
                    here,
                    format!(
                        "`{chapter_id}` is {}, not approved",
                        state.map(State::name).unwrap_or("unknown")
                    ),
                )
                .hint("only an approved revision can be made final")
            })
        }
        _ if !has(&chapter.config.reviewers) => Some(
            Diagnostic::error_in(
                here,
                format!("{id} is not an assigned reviewer of `{chapter_id}`"),
            )
            .hint("reviewers are listed in the chapter's front matter (`reviewers:`)"),
        ),
        _ if has(&chapter.config.authors) => Some(
            Diagnostic::error_in(
                here,
                format!(
                    "{id} is an author of `{chapter_id}`: an author cannot review their own chapter"
                ),
            )
            .hint("take them out of the chapter's `reviewers:`"),
        ),
        _ if !c.roles.contains(&crate::config::Role::Reviewer) => Some(
            Diagnostic::error(c.id.span.clone(), format!("{id} has not the reviewer role")).hint(
                format!("add \"reviewer\" to `roles` in [{id}] of contributors.toml"),
            ),
        ),
        EventKind::Withdrawn => {
            let standing = report().and_then(|r| {
                r.reviews
                    .into_iter()
                    .rfind(|x| &x.reviewer == id && x.verdict != EventKind::Commented)
            });
            match standing {
                Some(r)
                    if matches!(r.verdict, EventKind::Approved | EventKind::ChangesRequested) =>
                {
                    None
                }
                _ => Some(
                    Diagnostic::error_in(
                        here,
                        format!(
                            "{id} has no approval or change request on `{chapter_id}` to withdraw"
                        ),
                    )
                    .hint("`ouvrage status` shows the reviews that count"),
                ),
            }
        }
        _ => None,
    }
}
