//! `ouvrage submit`, `review` and `finalize`: review events recorded as
//! empty commits on the current branch (SPEC §6).

use clap::{ArgGroup, Args};

use super::{Context, Outcome, fail, load_lenient};
use crate::diag::Diagnostic;
use crate::git::{GitError, Repo};
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
#[command(group(ArgGroup::new("verdict").required(true).args(["approve", "request_changes", "comment"])))]
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

/// A git problem as a diagnostic with what to do.
pub fn git_diagnostic(e: &GitError) -> Diagnostic {
    let d = Diagnostic::error_in(None, e.to_string());
    match e {
        GitError::NotARepository(_) => {
            d.hint("run `git init` in the book, commit the chapters, then try again")
        }
        GitError::DetachedHead => {
            d.hint("check out the branch the review belongs to: `git switch main`")
        }
        GitError::NoCommits => d.hint("commit the chapters first"),
        GitError::NoIdentity => {
            d.hint("set them: `git config user.name \"…\"` and `git config user.email \"…\"`")
        }
        GitError::Other(_) => d,
    }
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
    let me = match repo.identity() {
        Ok(me) => me,
        Err(e) => return fail(ctx, git_diagnostic(&e)),
    };
    let contributor = book
        .contributors
        .list
        .iter()
        .find(|c| c.emails.contains(&me.email));
    let problem = match contributor {
        None => Some(
            Diagnostic::error_in(
                None,
                format!("your git email {} is no contributor's", me.email),
            )
            .hint(
                "add it to your entry's `emails` in contributors.toml (or to the book's .mailmap)",
            ),
        ),
        Some(c) => {
            let id = &c.id.value;
            let has = |list: &[crate::diag::Spanned<String>]| list.iter().any(|x| &x.value == id);
            match kind {
                EventKind::Submitted if !has(&chapter.config.authors) => {
                    Some(Diagnostic::error_in(
                        Some(chapter.path.clone()),
                        format!("{id} is not an author of `{chapter_id}`"),
                    ))
                }
                EventKind::Approved | EventKind::ChangesRequested | EventKind::Commented
                    if !has(&chapter.config.reviewers) =>
                {
                    Some(
                        Diagnostic::error_in(
                            Some(chapter.path.clone()),
                            format!("{id} is not an assigned reviewer of `{chapter_id}`"),
                        )
                        .hint("reviewers are listed in the chapter's front matter (`reviewers:`)"),
                    )
                }
                EventKind::Final if !crate::status::editor_ids(&book).contains(id) => Some(
                    Diagnostic::error_in(None, format!("{id} is not an editor of the book")),
                ),
                EventKind::Final => {
                    let state = crate::status::compute_status(&book, &repo, Default::default())
                        .ok()
                        .and_then(|r| {
                            r.chapters
                                .into_iter()
                                .find(|c| c.id == chapter_id)
                                .map(|c| c.state)
                        });
                    (state != Some(State::Approved) && state != Some(State::Final)).then(|| {
                        Diagnostic::error_in(
                            Some(chapter.path.clone()),
                            format!(
                                "`{chapter_id}` is {}, not approved",
                                state.map(State::name).unwrap_or("unknown")
                            ),
                        )
                        .hint("only an approved revision can be made final")
                    })
                }
                _ => None,
            }
        }
    };
    if let Some(problem) = problem {
        if !force {
            return fail(
                ctx,
                problem.hint("`--force` records it anyway, as an unverified event"),
            );
        }
        ctx.info(format!(
            "warning: {} (recorded anyway: it will count for nothing)",
            problem.message
        ));
    }
    let message = event_message(chapter_id, kind, &revision, note);
    match repo.record_event(&message) {
        Ok(id) => {
            ctx.info(format!(
                "recorded review({chapter_id}): {} on revision {} as commit {}",
                kind.name(),
                &revision[..10],
                &id[..10]
            ));
            Outcome::Success
        }
        Err(e) => fail(ctx, git_diagnostic(&e)),
    }
}
