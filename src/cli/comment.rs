//! `ouvrage comment`, `comments` and `suggestion apply`: comments anchored
//! on a chapter's text, recorded as review events (README "Comments and
//! suggested edits"). Recording goes through `review`'s commit path: an
//! empty commit on the current branch, the index and worktree untouched.

use clap::{Args, Subcommand, ValueEnum};

use super::review::{commit_event, go_on_or_stop, load_with_repo};
use super::{Context, Outcome, fail};
use crate::commenting::{Prepared, Target, excerpt, no_chapter, printable};
use crate::diag::Diagnostic;
use crate::git::Repo;
use crate::model::Book;
use crate::review::anchor::{self, Found, Located};
use crate::review::comments::CommentKind;
use crate::review::threads::Thread;

/// Arguments of `comment`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct CommentArgs {
    /// Reply to, resolve or reopen a comment instead.
    #[command(subcommand)]
    pub action: Option<ThreadAction>,
    /// The chapter id.
    #[arg(required = true)]
    pub chapter: Option<String>,
    /// The text commented on, quoted from the chapter's committed source
    /// (white space matches any white space).
    #[arg(long, value_name = "TEXT", required = true)]
    pub on: Option<String>,
    /// The comment (Markdown).
    #[arg(short, long, required = true)]
    pub message: Option<String>,
    /// A replacement for the quoted text.
    #[arg(long, value_name = "TEXT")]
    pub suggest: Option<String>,
    /// Which occurrence of the quote: the one on this line.
    #[arg(long, value_name = "N")]
    pub line: Option<usize>,
    /// Record it even if you are no contributor (it will count for nothing).
    #[arg(long)]
    pub force: bool,
}

/// What to do with an existing comment.
#[derive(Debug, Subcommand)]
pub enum ThreadAction {
    /// Answer a comment.
    Reply(ThreadArgs),
    /// Close a comment (its author, the chapter's authors or an editor).
    Resolve(ThreadArgs),
    /// Open a closed comment again.
    Reopen(ThreadArgs),
}

/// Arguments of `comment reply|resolve|reopen`.
#[derive(Debug, Args)]
pub struct ThreadArgs {
    /// The comment's id: its commit id, or a prefix of it that no other comment shares.
    pub id: String,
    /// The message (Markdown; required for a reply).
    #[arg(short, long)]
    pub message: Option<String>,
    /// Record it even if you may not (it will count for nothing).
    #[arg(long)]
    pub force: bool,
}

/// Output format of `comments`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum CommentsFormat {
    /// For people.
    #[default]
    Text,
    /// One JSON object (schema in schemas/comments.schema.json).
    Json,
}

/// Arguments of `comments`.
#[derive(Debug, Args)]
pub struct CommentsArgs {
    /// Only this chapter's comments.
    pub chapter: Option<String>,
    /// Only the open ones.
    #[arg(long)]
    pub open: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CommentsFormat::Text)]
    pub format: CommentsFormat,
}

/// Arguments of `suggestion`.
#[derive(Debug, Args)]
pub struct SuggestionArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: SuggestionAction,
}

/// What to do with a suggestion.
#[derive(Debug, Subcommand)]
pub enum SuggestionAction {
    /// Apply a comment's suggested edit to the chapter's file, for you to commit.
    Apply {
        /// The comment's id (or a unique prefix).
        id: String,
    },
}

/// Runs `comment`.
pub fn comment(ctx: &Context, args: CommentArgs) -> Outcome {
    if let Some(action) = args.action {
        let (kind, a) = match action {
            ThreadAction::Reply(a) => (CommentKind::Reply, a),
            ThreadAction::Resolve(a) => (CommentKind::Resolve, a),
            ThreadAction::Reopen(a) => (CommentKind::Reopen, a),
        };
        return on_thread(ctx, kind, a);
    }
    let (Some(chapter_id), Some(quote), Some(body)) = (args.chapter, args.on, args.message) else {
        return super::usage(
            ctx,
            Diagnostic::error_in(None, "a comment needs a chapter, --on and -m"),
        );
    };
    let (book, repo) = match load_with_repo(ctx) {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    let target = Target::Quote {
        text: quote,
        line: args.line,
    };
    let prepared = match crate::commenting::prepare_comment(
        &book,
        &repo,
        &chapter_id,
        &target,
        &body,
        args.suggest,
    ) {
        Ok(p) => p,
        Err(d) => return fail(ctx, d),
    };
    let anchor = prepared
        .record
        .anchor
        .as_ref()
        .expect("a comment has an anchor");
    let (line, revision) = (anchor.line, prepared.record.revision.clone());
    record_it(ctx, &book, &repo, prepared, args.force, |id| {
        format!(
            "recorded comment {} on {chapter_id}, line {line}, revision {}",
            &id[..10],
            &revision[..10]
        )
    })
}

/// Records a prepared event after checking it reads back, and prints `done(id)`.
fn record_it(
    ctx: &Context,
    book: &Book,
    repo: &Repo,
    prepared: Prepared<'_>,
    force: bool,
    done: impl Fn(&str) -> String,
) -> Outcome {
    let message = match crate::commenting::message_of(&prepared) {
        Ok(m) => m,
        Err(d) => return fail(ctx, d),
    };
    if let Err(outcome) = go_on_or_stop(ctx, book, prepared.problem.clone(), force) {
        return outcome;
    }
    match commit_event(ctx, repo, &prepared.me, &message, force) {
        Ok((id, how)) => {
            ctx.info(format!("{}{how}", done(&id)));
            Outcome::Success
        }
        Err(outcome) => outcome,
    }
}

/// The book's threads, read from history as `status` reads them.
fn all_threads(ctx: &Context, book: &Book, repo: &Repo) -> Result<Vec<Thread>, Outcome> {
    crate::commenting::all_threads(book, repo).map_err(|d| fail(ctx, d))
}

fn find_thread(threads: Vec<Thread>, prefix: &str) -> Result<Thread, Diagnostic> {
    crate::commenting::find_thread(threads, prefix)
}

/// Runs `comment reply|resolve|reopen`.
fn on_thread(ctx: &Context, kind: CommentKind, args: ThreadArgs) -> Outcome {
    let (book, repo) = match load_with_repo(ctx) {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    let body = args.message.unwrap_or_default();
    if kind == CommentKind::Reply && body.trim().is_empty() {
        return super::usage(ctx, Diagnostic::error_in(None, "a reply needs -m MESSAGE"));
    }
    let (prepared, thread) =
        match crate::commenting::prepare_thread_event(&book, &repo, kind, &args.id, &body) {
            Ok(p) => p,
            Err(d) => return fail(ctx, d),
        };
    let chapter_id = thread.chapter.clone();
    record_it(ctx, &book, &repo, prepared, args.force, |id| {
        format!(
            "recorded {} to comment {} on {chapter_id} as commit {}",
            kind.name(),
            &thread.id[..10],
            &id[..10]
        )
    })
}

/// Where each thread sits now, against the chapter's current text.
fn located(book: &Book, thread: &Thread) -> (Located, String) {
    let text = book
        .chapter(&thread.chapter)
        .map(|c| book.sources.get(c.file).text.clone())
        .unwrap_or_default();
    (anchor::locate(&text, &thread.anchor), text)
}

/// Runs `comments`.
pub fn list(ctx: &Context, args: CommentsArgs) -> Outcome {
    let (book, repo) = match load_with_repo(ctx) {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    if let Some(id) = &args.chapter
        && book.chapter(id).is_none()
    {
        return fail(ctx, no_chapter(&book, id));
    }
    let threads = match all_threads(ctx, &book, &repo) {
        Ok(t) => t,
        Err(outcome) => return outcome,
    };
    let shown: Vec<(Thread, Located, String)> = threads
        .into_iter()
        .filter(|t| args.chapter.as_ref().is_none_or(|c| &t.chapter == c))
        .filter(|t| !args.open || t.open)
        .map(|t| {
            let (l, text) = located(&book, &t);
            (t, l, text)
        })
        .collect();
    match args.format {
        CommentsFormat::Json => {
            let doc = comments_json(&shown);
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        CommentsFormat::Text => print!("{}", comments_text(&shown)),
    }
    Outcome::Success
}

fn date(time: i64) -> String {
    crate::date::rfc3339(time)
}

fn comments_json(shown: &[(Thread, Located, String)]) -> serde_json::Value {
    crate::commenting::comments_json(shown)
}

/// Indents a Markdown body under a thread, escaped for the terminal.
fn indented(body: &str, by: &str) -> String {
    body.lines()
        .map(|l| format!("{by}{}\n", printable(l)))
        .collect()
}

/// The comments for people.
fn comments_text(shown: &[(Thread, Located, String)]) -> String {
    if shown.is_empty() {
        return "no comments\n".to_string();
    }
    let mut out = String::new();
    for (t, l, text) in shown {
        let state = if t.open { "open" } else { "resolved" };
        let place = match l.span {
            Some(s) => format!("{}:{}", t.chapter, anchor::line_of(text, s.start)),
            None => format!("{} (orphaned)", t.chapter),
        };
        out.push_str(&format!(
            "{place}  {}  {}  {state}  {}\n",
            &t.id[..10],
            printable(&t.author),
            &date(t.time)[..10]
        ));
        out.push_str(&format!("  on “{}”\n", excerpt(&t.anchor.exact)));
        match l.found {
            Found::Fuzzy => out.push_str(&format!(
                "  the quoted text changed; it now reads “{}”\n",
                excerpt(&text[l.span.expect("found").start..l.span.expect("found").end])
            )),
            Found::Orphaned => out.push_str(&format!(
                "  orphaned: the quote is no longer in the chapter (made on revision {}, line {})\n",
                &t.revision[..10],
                t.anchor.line
            )),
            _ => {}
        }
        if let Some(why) = &t.unverified {
            out.push_str(&format!("  unverified: {}\n", printable(why)));
        }
        out.push_str(&indented(&t.body, "  | "));
        if let Some(s) = &t.suggestion {
            let applies = if l.unchanged() {
                format!("`ouvrage suggestion apply {}` applies it", &t.id[..10])
            } else {
                "it can no longer be applied: the quoted text changed".to_string()
            };
            out.push_str(&format!("  suggests “{}”: {applies}\n", excerpt(s)));
        }
        for e in &t.events {
            let verb = match e.kind {
                CommentKind::Reply => "replied",
                CommentKind::Resolve => "resolved",
                CommentKind::Reopen => "reopened",
                CommentKind::Comment => "commented",
            };
            let not = e
                .unverified
                .as_ref()
                .map(|w| format!(" (unverified: {})", printable(w)))
                .unwrap_or_default();
            out.push_str(&format!("  ↳ {} {verb}{not}\n", printable(&e.author)));
            out.push_str(&indented(&e.body, "    | "));
        }
        out.push('\n');
    }
    out
}

/// Runs `suggestion apply`.
pub fn suggestion(ctx: &Context, args: SuggestionArgs) -> Outcome {
    let SuggestionAction::Apply { id } = args.action;
    let (book, repo) = match load_with_repo(ctx) {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    let threads = match all_threads(ctx, &book, &repo) {
        Ok(t) => t,
        Err(outcome) => return outcome,
    };
    let thread = match find_thread(threads, &id) {
        Ok(t) => t,
        Err(d) => return fail(ctx, d),
    };
    let Some(replacement) = &thread.suggestion else {
        return fail(
            ctx,
            Diagnostic::error_in(
                None,
                format!("comment {} suggests no edit", &thread.id[..10]),
            ),
        );
    };
    if !thread.open {
        return fail(
            ctx,
            Diagnostic::error_in(None, format!("comment {} is resolved", &thread.id[..10])).hint(
                format!(
                    "`ouvrage comment reopen {}` first, if it still applies",
                    &thread.id[..10]
                ),
            ),
        );
    }
    let Some(chapter) = book.chapter(&thread.chapter) else {
        return fail(ctx, no_chapter(&book, &thread.chapter));
    };
    // The file as it is now, worktree edits included.
    let text = match std::fs::read_to_string(&chapter.path) {
        Ok(t) => t,
        Err(e) => {
            return fail(
                ctx,
                Diagnostic::error_in(Some(chapter.path.clone()), format!("cannot read it: {e}")),
            );
        }
    };
    let at = anchor::locate(&text, &thread.anchor);
    let Some(span) = at.span.filter(|_| at.unchanged()) else {
        let d = Diagnostic::error_in(
            Some(chapter.path.clone()),
            format!(
                "the suggestion of comment {} can no longer be applied: the quoted text changed",
                &thread.id[..10]
            ),
        )
        .hint(format!(
            "it was made on “{}”",
            excerpt(&thread.anchor.exact)
        ));
        let d = match at.span {
            Some(s) => d.hint(format!(
                "line {} now reads “{}”",
                anchor::line_of(&text, s.start),
                excerpt(&text[s.start..s.end])
            )),
            None => d.hint("that text is no longer in the chapter"),
        };
        return fail(ctx, d);
    };
    let mut edited = String::with_capacity(text.len() + replacement.len());
    edited.push_str(&text[..span.start]);
    edited.push_str(replacement);
    edited.push_str(&text[span.end..]);
    if let Err(d) = crate::atomic::write_atomically(&chapter.path, edited.as_bytes()) {
        return fail(ctx, d);
    }
    let name = book
        .contributors
        .list
        .iter()
        .find(|c| c.id.value == thread.author)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| thread.author_name.clone());
    ctx.info(format!(
        "applied the suggestion of comment {} to {} (line {}); review and commit it with this trailer:",
        &thread.id[..10],
        chapter.rel_path(),
        anchor::line_of(&text, span.start)
    ));
    println!(
        "Co-authored-by: {} <{}>",
        printable(&name),
        thread.author_email
    );
    Outcome::Success
}
