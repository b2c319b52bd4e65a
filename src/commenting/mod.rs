//! Recording review and comment events in git: the one path that
//! `ouvrage submit|review|finalize`, `ouvrage comment` and the review panel
//! of `ouvrage watch` share (README "Review in git", "Comments and suggested
//! edits").
//!
//! Input: the book, its repository, and what the user asks (a quote or a
//! selection of the rendered page, a thread to answer). Output: the event
//! prepared (the record, who records it, what would make it count for
//! nothing), then committed on the current branch, signed when git is set
//! up to sign, the index and the worktree untouched; or a diagnostic saying
//! why not. Nothing here prints: the command line and the server say it
//! their own way.

use crate::diag::Diagnostic;
use crate::git::{GitError, Repo};
use crate::model::{Book, Chapter};
use crate::review::anchor::{self, Located};
use crate::review::comments::{CommentKind, CommentRecord, comment_message, parse_comment};
use crate::review::threads::Thread;

/// A git problem as a diagnostic with what to do.
pub fn git_diagnostic(e: &GitError) -> Diagnostic {
    let d = Diagnostic::error_in(None, e.to_string());
    match e {
        GitError::NotARepository(_) => {
            d.hint("run `git init` in the book, commit the chapters, then try again")
        }
        GitError::DetachedHead(branches) => match branches.as_slice() {
            [] => d.hint("create a branch for the review: `git switch -c NAME`"),
            [first, rest @ ..] => {
                let d = d.hint(format!(
                    "check out the branch the review belongs to: `git switch {first}`"
                ));
                if rest.is_empty() {
                    d
                } else {
                    d.hint(format!("the other branches: {}", rest.join(", ")))
                }
            }
        },
        GitError::NoCommits => d.hint("commit the chapters first"),
        GitError::NoIdentity => {
            d.hint("set them: `git config user.name \"…\"` and `git config user.email \"…\"`")
        }
        GitError::MissingObject {
            remote: Some(remote),
            ..
        } => d.hint(format!(
            "fetch every object: `git config --unset remote.{remote}.partialclonefilter && git fetch --refetch {remote}` (or clone again without --filter)"
        )),
        GitError::MissingObject { remote: None, .. } => d.hint(
            "the repository is incomplete or damaged: `git fsck` tells more; fetch again or clone again",
        ),
        GitError::Other(_) => d,
    }
}

/// Who records an event: their git identity through the book's committed
/// .mailmap (as `status` decides it), and the contributor it is.
pub struct Me<'b> {
    /// The identity, resolved.
    pub person: crate::git::Person,
    /// The contributor whose email it is.
    pub contributor: Option<&'b crate::config::Contributor>,
    /// The mailmap and certificates in force.
    pub identities: crate::status::Identities,
}

impl<'b> Me<'b> {
    /// Reads who the user is.
    pub fn find(book: &'b Book, repo: &Repo) -> Result<Self, Diagnostic> {
        let person = repo.identity().map_err(|e| git_diagnostic(&e))?;
        let identities = crate::status::identities(book, repo);
        let person = identities.people.resolve(&person);
        let contributor = book
            .contributors
            .list
            .iter()
            .find(|c| c.emails.contains(&person.email));
        Ok(Me {
            person,
            contributor,
            identities,
        })
    }

    /// The problem of a user who is no contributor.
    pub fn not_a_contributor(&self) -> Diagnostic {
        Diagnostic::error_in(
            None,
            format!("your git email {} is no contributor's", self.person.email),
        )
        .hint(
            "add it to your entry's `emails` in contributors.toml (or map it in the book's committed .mailmap)",
        )
    }
}

/// Commits `message` as an event on the current branch, signed when git is
/// set up to sign (the signature checked against the user's keys, as
/// `status` will check it). Returns the commit id and how it was signed,
/// in words (`, signed with KEY`). The branch moves only if it is still
/// where it was read: an event that lands meanwhile makes this one fail,
/// never lost.
pub fn commit_event(
    repo: &Repo,
    me: &Me<'_>,
    message: &str,
    force: bool,
) -> Result<(String, String), Diagnostic> {
    let identities = &me.identities;
    let setup = repo.signing_setup().map_err(|e| git_diagnostic(&e))?;
    let keys: Vec<crate::signing::SigningKey> = me
        .contributor
        .map(|c| c.signing_keys.iter().map(|k| k.value.clone()).collect())
        .unwrap_or_default();
    let signed_by = std::cell::RefCell::new(None);
    let signer = |payload: &[u8]| -> Result<String, String> {
        let setup = setup.as_ref().expect("only called with a setup");
        let signature = crate::git::sign(setup, payload)?;
        // Never trust the signing program: the signature is checked here,
        // as `status` will check it.
        if !keys.is_empty() {
            match crate::signing::verify(&signature, payload, &keys, &identities.certificates) {
                crate::signing::Verdict::Verified(key) => *signed_by.borrow_mut() = Some(key),
                crate::signing::Verdict::Rejected(why) if !force => {
                    return Err(format!(
                        "the signature made with user.signingkey would not count: {}",
                        why.replace("their signing keys", "your signing-keys")
                    ));
                }
                crate::signing::Verdict::Rejected(_) => {}
            }
        }
        Ok(signature)
    };
    let signer: Option<&crate::git::Signer<'_>> =
        if setup.is_some() { Some(&signer) } else { None };
    match repo.record_event(message, signer) {
        Ok((id, signed)) => {
            let how = match (signed, signed_by.into_inner()) {
                (Some(_), Some(key)) => format!(", signed with {key}"),
                (Some(_), None) => ", signed".to_string(),
                (None, _) => String::new(),
            };
            Ok((id, how))
        }
        Err(GitError::Other(why)) if setup.is_some() => Err(Diagnostic::error_in(
            None,
            format!("the event could not be signed: {why}"),
        )
        .hint(
            "check `git config user.signingkey` and `gpg.format`, and your key's `signing-keys` entry",
        )),
        Err(e) => Err(git_diagnostic(&e)),
    }
}

/// Whether `c`'s event would be signed as it must be: when they list keys
/// or the book requires signatures, git must have a `user.signingkey`.
pub fn signing_problem(
    book: &Book,
    repo: &Repo,
    c: &crate::config::Contributor,
) -> Result<(), Diagnostic> {
    let needed = book.config.review.signatures_required || !c.signing_keys.is_empty();
    if !needed {
        return Ok(());
    }
    if c.signing_keys.is_empty() {
        return Err(Diagnostic::error(
            c.id.span.clone(),
            format!(
                "signatures are required ([review] signatures), but {} lists no signing-keys",
                c.id.value
            ),
        )
        .hint("add your public key to `signing-keys` in contributors.toml"));
    }
    match repo.signing_setup() {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(Diagnostic::error_in(
            None,
            format!(
                "{} lists signing-keys, but git has no user.signingkey: the event would be unsigned and count for nothing",
                c.id.value
            ),
        )
        .hint("`git config user.signingkey ~/.ssh/id_ed25519` and `git config gpg.format ssh` (or your OpenPGP key)")),
        Err(e) => Err(git_diagnostic(&e)),
    }
}

/// No chapter has the id: which ones are near.
pub fn no_chapter(book: &Book, id: &str) -> Diagnostic {
    Diagnostic::error_in(None, format!("no chapter has the id `{}`", printable(id)))
        .suggest(id, book.chapters.iter().map(|c| c.id.as_str()))
        .hint("`ouvrage status` lists the chapters")
}

/// Text of a comment as a terminal may show it, its lines kept.
pub fn printable(text: &str) -> String {
    crate::diag::printable(text, true)
}

/// A quote shortened to one line for a message.
pub fn excerpt(text: &str) -> String {
    let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = one.chars().take(60).collect();
    if one.chars().count() > 60 {
        out.push('…');
    }
    printable(&out)
}

/// What a new comment is on.
#[derive(Debug, Clone)]
pub enum Target {
    /// A quote of the chapter's committed source (`ouvrage comment --on`),
    /// and which line, when it occurs several times.
    Quote {
        /// The quoted source text (white space matches any white space).
        text: String,
        /// `--line N`.
        line: Option<usize>,
    },
    /// Text selected in the rendered page (`watch`), with the rendered text
    /// just before and after it ([`crate::review::rendered`]).
    Selection {
        /// The selected text.
        exact: String,
        /// Rendered text before it.
        prefix: String,
        /// Rendered text after it.
        suffix: String,
    },
}

/// An event ready to be committed.
pub struct Prepared<'b> {
    /// What it records.
    pub record: CommentRecord,
    /// Who records it.
    pub me: Me<'b>,
    /// What would make it count for nothing (`--force` records it anyway).
    pub problem: Option<Diagnostic>,
}

/// Prepares a comment on `chapter_id`'s committed text.
pub fn prepare_comment<'b>(
    book: &'b Book,
    repo: &Repo,
    chapter_id: &str,
    target: &Target,
    body: &str,
    suggestion: Option<String>,
) -> Result<Prepared<'b>, Diagnostic> {
    repo.head().map_err(|e| git_diagnostic(&e))?;
    let chapter = book
        .chapter(chapter_id)
        .ok_or_else(|| no_chapter(book, chapter_id))?;
    let path = chapter.rel_path();
    let Some((revision, text)) = repo
        .blob_at_head(&path)
        .and_then(|r| repo.blob_text(&r).map(|t| (r, t)))
    else {
        return Err(Diagnostic::error_in(
            Some(chapter.path.clone()),
            "this chapter is not committed",
        )
        .hint("commit it first: a comment is bound to a committed revision"));
    };
    if body.trim().is_empty() {
        return Err(Diagnostic::error_in(None, "the comment is empty"));
    }
    let span = match target {
        Target::Quote { text: quote, line } => pick_occurrence(repo, chapter, &text, quote, *line)?,
        Target::Selection {
            exact,
            prefix,
            suffix,
        } => pick_selection(repo, chapter, &text, exact, prefix, suffix)?,
    };
    let record = CommentRecord {
        chapter: chapter_id.to_string(),
        kind: CommentKind::Comment,
        revision,
        thread: None,
        anchor: Some(anchor::anchor_at(&text, span)),
        suggestion,
        body: body.replace("\r\n", "\n").trim().to_string(),
    };
    let me = Me::find(book, repo)?;
    let problem = match me.contributor {
        None => Some(me.not_a_contributor()),
        Some(c) => signing_problem(book, repo, c).err(),
    };
    Ok(Prepared {
        record,
        me,
        problem,
    })
}

/// The source `text` a selection of the rendered page covers, or why none
/// or several places do.
fn pick_selection(
    repo: &Repo,
    chapter: &Chapter,
    text: &str,
    exact: &str,
    prefix: &str,
    suffix: &str,
) -> Result<anchor::Span, Diagnostic> {
    use crate::review::rendered::{Miss, find};
    let here = Some(chapter.path.clone());
    match find(text, exact, prefix, suffix) {
        Ok(span) => Ok(span),
        Err(Miss::Blank) => Err(Diagnostic::error_in(
            here,
            "the selection holds no letter or digit",
        )),
        Err(Miss::Nowhere) => {
            let d = Diagnostic::error_in(
                here,
                format!(
                    "“{}” is not in the committed text of `{}`",
                    excerpt(exact),
                    chapter.id
                ),
            );
            let d = if repo.has_uncommitted_changes(&chapter.rel_path()) {
                d.hint("the page shows uncommitted changes: comments are made on the committed revision, commit first")
            } else {
                d
            };
            Err(d.hint(
                "select text of one paragraph, without a section number, a note's call or a link's end",
            ))
        }
        Err(Miss::Ambiguous(spans)) => {
            let lines: Vec<String> = spans
                .iter()
                .map(|s| anchor::line_of(text, s.start).to_string())
                .collect();
            Err(Diagnostic::error_in(
                here,
                format!(
                    "“{}” occurs {} times in `{}` (lines {})",
                    excerpt(exact),
                    spans.len(),
                    chapter.id,
                    lines.join(", ")
                ),
            )
            .hint("select more text"))
        }
    }
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

/// The book's threads, read from history as `status` reads them.
pub fn all_threads(book: &Book, repo: &Repo) -> Result<Vec<Thread>, Diagnostic> {
    let report = crate::status::compute_status(book, repo, Default::default())
        .map_err(|e| git_diagnostic(&e))?;
    Ok(report
        .chapters
        .into_iter()
        .flat_map(|c| c.comments)
        .collect())
}

/// The thread whose id starts with `prefix`, or why none is.
pub fn find_thread(threads: Vec<Thread>, prefix: &str) -> Result<Thread, Diagnostic> {
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

/// Prepares a reply, resolve or reopen of the comment whose id starts
/// with `id`; returns the thread too.
pub fn prepare_thread_event<'b>(
    book: &'b Book,
    repo: &Repo,
    kind: CommentKind,
    id: &str,
    body: &str,
) -> Result<(Prepared<'b>, Thread), Diagnostic> {
    repo.head().map_err(|e| git_diagnostic(&e))?;
    let thread = find_thread(all_threads(book, repo)?, id)?;
    if kind == CommentKind::Reply && body.trim().is_empty() {
        return Err(Diagnostic::error_in(None, "a reply needs a message"));
    }
    match (kind, thread.open) {
        (CommentKind::Resolve, false) => {
            return Err(Diagnostic::error_in(
                None,
                "this comment is already resolved",
            ));
        }
        (CommentKind::Reopen, true) => {
            return Err(Diagnostic::error_in(None, "this comment is open"));
        }
        (CommentKind::Comment, _) => {
            return Err(Diagnostic::error_in(
                None,
                "a comment is not made on a thread",
            ));
        }
        _ => {}
    }
    let chapter = book
        .chapter(&thread.chapter)
        .ok_or_else(|| no_chapter(book, &thread.chapter))?;
    let revision = repo
        .blob_at_head(&chapter.rel_path())
        .unwrap_or_else(|| thread.revision.clone());
    let me = Me::find(book, repo)?;
    let problem = match me.contributor {
        None => Some(me.not_a_contributor()),
        Some(c) => {
            let cid = &c.id.value;
            let decides = &thread.author == cid
                || chapter.config.authors.iter().any(|a| &a.value == cid)
                || crate::status::editor_ids(book).contains(cid);
            if kind != CommentKind::Reply && !decides {
                Some(Diagnostic::error_in(
                    None,
                    format!(
                        "{cid} may not {} this comment: only its author, the chapter's authors or an editor may",
                        kind.name()
                    ),
                ))
            } else {
                signing_problem(book, repo, c).err()
            }
        }
    };
    let record = CommentRecord {
        chapter: thread.chapter.clone(),
        kind,
        revision,
        thread: Some(thread.id.clone()),
        anchor: None,
        suggestion: None,
        body: body.replace("\r\n", "\n").trim().to_string(),
    };
    Ok((
        Prepared {
            record,
            me,
            problem,
        },
        thread,
    ))
}

/// The commit message of `prepared`, checked to read back as written (a
/// body naming review events would make it unreadable).
pub fn message_of(prepared: &Prepared<'_>) -> Result<String, Diagnostic> {
    let message = comment_message(&prepared.record);
    if parse_comment(&message).as_ref() != Some(&prepared.record) {
        return Err(
            Diagnostic::error_in(None, "this message would make the comment unreadable").hint(
                "a message must not name review events (`review(…): …` lines or `Ouvrage-` trailers)",
            ),
        );
    }
    Ok(message)
}

/// Commits a prepared event; its commit id and how it was signed.
pub fn record(
    repo: &Repo,
    prepared: &Prepared<'_>,
    force: bool,
) -> Result<(String, String), Diagnostic> {
    let message = message_of(prepared)?;
    commit_event(repo, &prepared.me, &message, force)
}

fn date(time: i64) -> String {
    crate::date::rfc3339(time)
}

/// The comments as one JSON object (schemas/comments.schema.json).
pub fn comments_json(shown: &[(Thread, Located, impl AsRef<str>)]) -> serde_json::Value {
    let items: Vec<serde_json::Value> = shown
        .iter()
        .map(|(t, l, text)| {
            let text = text.as_ref();
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

/// Each chapter's comments as [`comments_json`] writes them, located in
/// the text the model holds, from the review state of a draft model (none
/// outside a draft): what `watch`'s review panel lists.
pub fn chapters_json(book: &Book) -> std::collections::BTreeMap<String, serde_json::Value> {
    let mut out = std::collections::BTreeMap::new();
    let Some(report) = &book.review else {
        return out;
    };
    for chapter in &book.chapters {
        let text = &book.sources.get(chapter.file).text;
        // The chapter's text is lent to each thread, not copied for it.
        let shown: Vec<(Thread, Located, &str)> = report
            .chapters
            .iter()
            .filter(|c| c.id == chapter.id)
            .flat_map(|c| c.comments.iter())
            .map(|t| (t.clone(), anchor::locate(text, &t.anchor), text.as_str()))
            .collect();
        out.insert(chapter.id.clone(), comments_json(&shown));
    }
    out
}
