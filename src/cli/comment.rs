//! `ouvrage comment`, `comments` and `suggestion apply`: comments anchored
//! on a chapter's text, recorded as review events (README "Comments and
//! suggested edits"). Recording goes through `review`'s commit path: an
//! empty commit on the current branch, the index and worktree untouched.

use clap::{Args, Subcommand, ValueEnum};

use super::review::{Me, commit_event, git_diagnostic, go_on_or_stop, load_with_repo};
use super::{Context, Outcome, fail};
use crate::diag::Diagnostic;
use crate::git::Repo;
use crate::model::{Book, Chapter};
use crate::review::anchor::{self, Found, Located};
use crate::review::comments::{CommentKind, CommentRecord, comment_message, parse_comment};
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

fn no_chapter(book: &Book, id: &str) -> Diagnostic {
    Diagnostic::error_in(None, format!("no chapter has the id `{id}`"))
        .suggest(id, book.chapters.iter().map(|c| c.id.as_str()))
        .hint("`ouvrage status` lists the chapters")
}

/// One line of text as a terminal may show it: control characters
/// (escape sequences among them) written as `\u{…}`.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                format!("\\u{{{:x}}}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A quote shortened to one line for a message.
fn excerpt(text: &str) -> String {
    let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = one.chars().take(60).collect();
    if one.chars().count() > 60 {
        out.push('…');
    }
    printable(&out)
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
    if let Err(e) = repo.head() {
        return fail(ctx, git_diagnostic(&e));
    }
    let Some(chapter) = book.chapter(&chapter_id) else {
        return fail(ctx, no_chapter(&book, &chapter_id));
    };
    let path = chapter.rel_path();
    let Some((revision, text)) = repo
        .blob_at_head(&path)
        .and_then(|r| repo.blob_text(&r).map(|t| (r, t)))
    else {
        return fail(
            ctx,
            Diagnostic::error_in(Some(chapter.path.clone()), "this chapter is not committed")
                .hint("commit it first: a comment is bound to a committed revision"),
        );
    };
    if body.trim().is_empty() {
        return fail(ctx, Diagnostic::error_in(None, "the comment is empty"));
    }
    let span = match pick_occurrence(&repo, chapter, &text, &quote, args.line) {
        Ok(span) => span,
        Err(d) => return fail(ctx, d),
    };
    let anchor = anchor::anchor_at(&text, span);
    let line = anchor.line;
    let record = CommentRecord {
        chapter: chapter_id.clone(),
        kind: CommentKind::Comment,
        revision: revision.clone(),
        thread: None,
        anchor: Some(anchor),
        suggestion: args.suggest,
        body: body.replace("\r\n", "\n").trim().to_string(),
    };
    let me = match Me::find(ctx, &book, &repo) {
        Ok(me) => me,
        Err(outcome) => return outcome,
    };
    let problem = match me.contributor {
        None => Some(me.not_a_contributor()),
        Some(c) => super::review::signing_problem(&book, &repo, c).err(),
    };
    record_it(ctx, &book, &repo, &me, problem, args.force, &record, |id| {
        format!(
            "recorded comment {} on {chapter_id}, line {line}, revision {}",
            &id[..10],
            &revision[..10]
        )
    })
}

/// The occurrence of `quote` in the committed `text` a new comment is on,
/// or why there is none or several.
fn pick_occurrence(
    repo: &Repo,
    chapter: &Chapter,
    text: &str,
    quote: &str,
    line: Option<usize>,
) -> Result<anchor::Span, Diagnostic> {
    let all = anchor::occurrences(text, quote);
    let lines = |s: &anchor::Span| {
        (
            anchor::line_of(text, s.start),
            anchor::line_of(text, s.end - 1),
        )
    };
    let found: Vec<anchor::Span> = match line {
        Some(n) => all
            .iter()
            .copied()
            .filter(|s| {
                let (a, b) = lines(s);
                a <= n && n <= b
            })
            .collect(),
        None => all.clone(),
    };
    let here = Some(chapter.path.clone());
    match found.as_slice() {
        [one] => Ok(*one),
        [] if !all.is_empty() => {
            let mut d = Diagnostic::error_in(
                here,
                format!("“{}” is on no line {}", excerpt(quote), line.unwrap_or(0)),
            );
            for s in &all {
                d = d.hint(format!("it is on line {}", lines(s).0));
            }
            Err(d)
        }
        [] => {
            let mut d = Diagnostic::error_in(
                here,
                format!(
                    "“{}” is not in the committed text of `{}`",
                    excerpt(quote),
                    chapter.id
                ),
            );
            let max = (quote.chars().count() / 2).max(1);
            if let Some((span, _)) = anchor::nearest(text, quote, max, line.unwrap_or(1)) {
                d = d.hint(format!(
                    "the closest text is on line {}: “{}”",
                    anchor::line_of(text, span.start),
                    excerpt(&text[span.start..span.end])
                ));
            }
            if repo.has_uncommitted_changes(&chapter.rel_path()) {
                d = d
                    .hint("comments are made on the committed revision: commit your changes first");
            }
            Err(d.hint("quote the chapter's source as written (white space may differ)"))
        }
        several => {
            let mut d = Diagnostic::error_in(
                here,
                format!(
                    "“{}” occurs {} times in `{}`",
                    excerpt(quote),
                    several.len(),
                    chapter.id
                ),
            );
            for s in several {
                let (a, _) = lines(s);
                let source_line = text.lines().nth(a - 1).unwrap_or("");
                d = d.hint(format!("line {a}: {}", excerpt(source_line)));
            }
            Err(d.hint("`--line N` picks the one on line N (or quote more text)"))
        }
    }
}

/// Records `record` after checking it reads back, and prints `done(id)`.
#[allow(clippy::too_many_arguments)]
fn record_it(
    ctx: &Context,
    book: &Book,
    repo: &Repo,
    me: &Me<'_>,
    problem: Option<Diagnostic>,
    force: bool,
    record: &CommentRecord,
    done: impl Fn(&str) -> String,
) -> Outcome {
    let message = comment_message(record);
    if parse_comment(&message).as_ref() != Some(record) {
        return fail(
            ctx,
            Diagnostic::error_in(None, "this message would make the comment unreadable").hint(
                "a message must not name review events (`review(…): …` lines or `Ouvrage-` trailers)",
            ),
        );
    }
    if let Err(outcome) = go_on_or_stop(ctx, book, problem, force) {
        return outcome;
    }
    match commit_event(ctx, repo, me, &message, force) {
        Ok((id, how)) => {
            ctx.info(format!("{}{how}", done(&id)));
            Outcome::Success
        }
        Err(outcome) => outcome,
    }
}

/// The book's threads, read from history as `status` reads them.
fn all_threads(ctx: &Context, book: &Book, repo: &Repo) -> Result<Vec<Thread>, Outcome> {
    let report = crate::status::compute_status(book, repo, Default::default())
        .map_err(|e| fail(ctx, git_diagnostic(&e)))?;
    Ok(report
        .chapters
        .into_iter()
        .flat_map(|c| c.comments)
        .collect())
}

/// The thread whose id starts with `prefix`, or why none is.
fn find_thread(threads: Vec<Thread>, prefix: &str) -> Result<Thread, Diagnostic> {
    let p = prefix.trim().to_ascii_lowercase();
    let mut found: Vec<Thread> = threads
        .into_iter()
        .filter(|t| !p.is_empty() && t.id.starts_with(&p))
        .collect();
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(Diagnostic::error_in(
            None,
            format!("no comment has an id starting with `{}`", printable(prefix)),
        )
        .hint("`ouvrage comments` lists them with their ids")),
        _ => {
            let mut d = Diagnostic::error_in(
                None,
                format!("{} comments have an id starting with `{p}`", found.len()),
            );
            for t in &found {
                d = d.hint(format!(
                    "{} by {}: “{}”",
                    &t.id[..12],
                    t.author,
                    excerpt(&t.anchor.exact)
                ));
            }
            Err(d.hint("give more of the id"))
        }
    }
}

/// Runs `comment reply|resolve|reopen`.
fn on_thread(ctx: &Context, kind: CommentKind, args: ThreadArgs) -> Outcome {
    let (book, repo) = match load_with_repo(ctx) {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    if let Err(e) = repo.head() {
        return fail(ctx, git_diagnostic(&e));
    }
    let threads = match all_threads(ctx, &book, &repo) {
        Ok(t) => t,
        Err(outcome) => return outcome,
    };
    let thread = match find_thread(threads, &args.id) {
        Ok(t) => t,
        Err(d) => return fail(ctx, d),
    };
    let body = args.message.unwrap_or_default();
    if kind == CommentKind::Reply && body.trim().is_empty() {
        return super::usage(ctx, Diagnostic::error_in(None, "a reply needs -m MESSAGE"));
    }
    match (kind, thread.open) {
        (CommentKind::Resolve, false) => {
            return fail(
                ctx,
                Diagnostic::error_in(None, "this comment is already resolved"),
            );
        }
        (CommentKind::Reopen, true) => {
            return fail(ctx, Diagnostic::error_in(None, "this comment is open"));
        }
        _ => {}
    }
    let chapter_id = thread.chapter.clone();
    let Some(chapter) = book.chapter(&chapter_id) else {
        return fail(ctx, no_chapter(&book, &chapter_id));
    };
    let revision = repo
        .blob_at_head(&chapter.rel_path())
        .unwrap_or_else(|| thread.revision.clone());
    let me = match Me::find(ctx, &book, &repo) {
        Ok(me) => me,
        Err(outcome) => return outcome,
    };
    let problem = match me.contributor {
        None => Some(me.not_a_contributor()),
        Some(c) => {
            let id = &c.id.value;
            let decides = &thread.author == id
                || chapter.config.authors.iter().any(|a| &a.value == id)
                || crate::status::editor_ids(&book).contains(id);
            if kind != CommentKind::Reply && !decides {
                Some(Diagnostic::error_in(
                    None,
                    format!(
                        "{id} may not {} this comment: only its author, the chapter's authors or an editor may",
                        kind.name()
                    ),
                ))
            } else {
                super::review::signing_problem(&book, &repo, c).err()
            }
        }
    };
    let record = CommentRecord {
        chapter: chapter_id.clone(),
        kind,
        revision,
        thread: Some(thread.id.clone()),
        anchor: None,
        suggestion: None,
        body: body.replace("\r\n", "\n").trim().to_string(),
    };
    record_it(ctx, &book, &repo, &me, problem, args.force, &record, |id| {
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

/// The comments as one JSON object (schemas/comments.schema.json).
fn comments_json(shown: &[(Thread, Located, String)]) -> serde_json::Value {
    let items: Vec<serde_json::Value> = shown
        .iter()
        .map(|(t, l, text)| {
            let now = l.span.map(|s| {
                serde_json::json!({
                    "line": anchor::line_of(text, s.start),
                    "end_line": anchor::line_of(text, s.end.saturating_sub(1).max(s.start)),
                    "text": &text[s.start..s.end],
                })
            });
            serde_json::json!({
                "id": t.id,
                "chapter": t.chapter,
                "author": t.author,
                "date": date(t.time),
                "revision": t.revision,
                "open": t.open,
                "unverified": t.unverified,
                "body": t.body,
                "quote": {
                    "exact": t.anchor.exact,
                    "prefix": t.anchor.prefix,
                    "suffix": t.anchor.suffix,
                    "line": t.anchor.line,
                    "end_line": t.anchor.end_line,
                },
                "anchored": l.found,
                "now": now,
                "suggestion": t.suggestion.as_ref().map(|s| serde_json::json!({
                    "text": s,
                    "applies": l.unchanged(),
                })),
                "events": t.events.iter().map(|e| serde_json::json!({
                    "id": e.commit,
                    "kind": e.kind,
                    "author": e.author,
                    "date": date(e.time),
                    "body": e.body,
                    "unverified": e.unverified,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::json!({ "comments": items })
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
