//! Review status from git history: the report of `ouvrage status` (README "Review in git"),
//! built by walking the history reachable from HEAD once and feeding the
//! pure state machine of `review`.

mod checks;
mod credits;
mod format;

pub use checks::review_checks;
pub use credits::{CreditReport, CreditsReport, ShareReport, compute_credits, render_credits};
pub use format::{render_markdown, render_table};

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use crate::date::rfc3339;
use crate::git::{Commit, GitError, PeopleMap, Repo};
use crate::load::markdown_words;
use crate::model::Book;
use crate::review::comments::{CommentKind, parse_comment};
use crate::review::identity::{MailmapConflict, mailmap_conflicts, without_conflicts};
use crate::review::threads::{CommentEvent, CommentFacts};
use crate::review::{
    self, ChangeRef, ChapterFacts, Event, EventKind, Signing, State, Who, parse_trailers,
};
use crate::signing::{Certificates, Verdict};

pub use crate::review::report::*;

/// Options of the report.
#[derive(Debug, Clone, Copy, Default)]
pub struct StatusOptions {
    /// Also report chapter changes on other branches.
    pub all_branches: bool,
}

/// Contributor ids by each of their emails (commit authors are matched by email).
pub fn ids_by_email(book: &Book) -> HashMap<&str, &str> {
    book.contributors
        .list
        .iter()
        .flat_map(|c| {
            c.emails
                .iter()
                .map(move |e| (e.as_str(), c.id.value.as_str()))
        })
        .collect()
}

/// Contributor ids of the editors: the book's editors and everyone with the editor role.
pub fn editor_ids(book: &Book) -> Vec<String> {
    let mut ids: Vec<String> = book
        .config
        .book
        .editors
        .iter()
        .map(|e| e.value.clone())
        .collect();
    for c in &book.contributors.list {
        if c.roles.contains(&crate::config::Role::Editor) && !ids.contains(&c.id.value) {
            ids.push(c.id.value.clone());
        }
    }
    ids
}

/// What decides who recorded an event, read from HEAD's committed tree:
/// the `.mailmap` (its lines that map one contributor to another left
/// out), and the OpenPGP certificates of `keys/`.
pub struct Identities {
    /// The mailmap in force.
    pub people: PeopleMap,
    /// The committed `.mailmap`'s path from the book root, when there is one.
    pub mailmap_path: Option<String>,
    /// Its text.
    pub mailmap_text: String,
    /// Its lines left out.
    pub conflicts: Vec<MailmapConflict>,
    /// The certificates of `keys/`.
    pub certificates: Certificates,
    /// The files of `keys/` that hold none, and why.
    pub key_problems: Vec<(String, String)>,
}

/// Reads [`Identities`] from HEAD's committed tree.
pub fn identities(book: &Book, repo: &Repo) -> Identities {
    let emails = ids_by_email(book);
    let (people, mailmap_path, mailmap_text, conflicts) = match repo.committed_mailmap() {
        Some(file) => {
            let conflicts = mailmap_conflicts(&file.text, &emails);
            let kept = without_conflicts(&file.text, &conflicts);
            (
                PeopleMap::from_text(&kept),
                Some(file.path),
                file.text,
                conflicts,
            )
        }
        None => (PeopleMap::none(), None, String::new(), Vec::new()),
    };
    let (certificates, key_problems) = Certificates::read(&repo.committed_files(KEYS_DIR));
    Identities {
        people,
        mailmap_path,
        mailmap_text,
        conflicts,
        certificates,
        key_problems,
    }
}

/// The book's folder of OpenPGP certificates (`keys/*.asc`), read from HEAD.
pub const KEYS_DIR: &str = "keys";

/// `history` with every author through `people` (borrowed as it is when
/// there is no mailmap).
pub fn resolved<'h>(history: &'h [Commit], people: &PeopleMap) -> Cow<'h, [Commit]> {
    if people.is_empty() {
        return Cow::Borrowed(history);
    }
    let mut memo: HashMap<crate::git::Person, crate::git::Person> = HashMap::new();
    let mut out: Option<Vec<Commit>> = None;
    for (i, commit) in history.iter().enumerate() {
        let person = memo
            .entry(commit.author.clone())
            .or_insert_with_key(|p| people.resolve(p))
            .clone();
        if person != commit.author {
            let list = out.get_or_insert_with(|| history[..i].to_vec());
            list.push(Commit {
                author: person,
                ..commit.clone()
            });
        } else if let Some(list) = &mut out {
            list.push(commit.clone());
        }
    }
    match out {
        Some(list) => Cow::Owned(list),
        None => Cow::Borrowed(history),
    }
}

/// Builds the status report of the book in `repo`; in a repository with no
/// commit yet, every chapter is a draft.
pub fn compute_status(
    book: &Book,
    repo: &Repo,
    options: StatusOptions,
) -> Result<StatusReport, GitError> {
    let head = match repo.head_commit() {
        Ok(head) => head,
        Err(GitError::NoCommits) => String::new(),
        Err(e) => return Err(e),
    };
    let history = repo.history(crate::load::CHAPTERS_DIR, None, false)?;
    status_from_history(book, repo, options, head, &history, &chapter_words(book))
}

/// The words of each chapter of `book`, counted on every core: on a long
/// book the count is a tenth of `status` when made in line, so `status`
/// makes it while the history is read.
pub fn chapter_words(book: &Book) -> Vec<usize> {
    use rayon::prelude::*;
    book.chapters
        .par_iter()
        .map(|c| markdown_words(&book.sources.get(c.file).text))
        .collect()
}

/// A hash of everything [`status_from_history`] reads from the book but
/// the chapters' text: the settings, the contributors, and each chapter's
/// id, file, title and front matter. While it and HEAD stay the same, a
/// report only needs its words counted again ([`recount_words`]).
pub fn inputs_key(book: &Book) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = crate::fingerprint::hasher();
    format!("{:?}{:?}", book.config, book.contributors).hash(&mut h);
    for chapter in &book.chapters {
        (&chapter.id, chapter.rel_path(), &chapter.title).hash(&mut h);
        format!("{:?}", chapter.config).hash(&mut h);
    }
    h.finish()
}

/// Counts again the words of the chapters `ids` from `book` (those parsed
/// again: the others' words, counted as written, cannot have changed).
pub fn recount_words(report: &mut StatusReport, book: &Book, ids: &[String]) {
    for (row, chapter) in report.chapters.iter_mut().zip(&book.chapters) {
        if row.id == chapter.id && ids.contains(&chapter.id) {
            row.words = markdown_words(&book.sources.get(chapter.file).text);
        }
    }
}

/// [`compute_status`] from a history already read (`watch` keeps it while
/// HEAD does not move) and the chapters' [`chapter_words`]. One pass per
/// part of the report: each chapter's changes, then its review events,
/// then its state; the branches not merged when asked; then the people.
pub fn status_from_history(
    book: &Book,
    repo: &Repo,
    options: StatusOptions,
    head: String,
    history: &[crate::git::Commit],
    words: &[usize],
) -> Result<StatusReport, GitError> {
    let ids = identities(book, repo);
    let history = &*resolved(history, &ids.people);
    let by_email = ids_by_email(book);
    let who = |email: &str| -> String {
        by_email
            .get(email)
            .map(|s| s.to_string())
            .unwrap_or_else(|| email.to_string())
    };
    let changes = chapter_changes(book, history, &who);
    let (events, comments, mut warnings) =
        review_events(book, history, &by_email, &who, &ids.certificates);
    let mut chapters = chapter_reports(book, repo, &events, &comments, &changes, words);
    if options.all_branches {
        add_unmerged(book, repo, &mut chapters, &ids.people, &who)?;
    }
    let complete_history = !repo.is_shallow();
    if !complete_history {
        warnings.insert(
            0,
            HistoryWarning::general(
                "shallow-history",
                "this clone is shallow: its history stops short, so review events recorded \
                 before its boundary are missing and the states may be wrong; run \
                 `git fetch --unshallow` (in CI, check out with fetch-depth: 0)"
                    .into(),
            ),
        );
    }
    for conflict in &ids.conflicts {
        warnings.push(HistoryWarning {
            file: ids.mailmap_path.clone(),
            line: Some(conflict.line.line),
            ..HistoryWarning::general(
                "mailmap-conflict",
                format!(
                    "{}:{}: {}; the line is ignored (`ouvrage check` reports it)",
                    ids.mailmap_path.as_deref().unwrap_or(".mailmap"),
                    conflict.line.line,
                    conflict.message()
                ),
            )
        });
    }
    let activity = activity_by_email(history);
    let review = &book.config.review;
    Ok(StatusReport {
        book: book.config.book.title.clone(),
        head,
        required_approvals: review.required_approvals,
        signatures: if review.signatures_required {
            "required"
        } else {
            "when-listed"
        },
        change_requests: if review.blocking_change_requests {
            "blocking"
        } else {
            "advisory"
        },
        complete_history,
        contributors: contributor_reports(book, &chapters, &activity),
        chapters,
        unknown_authors: unknown_authors(&activity, &by_email),
        warnings,
    })
}

/// The commits that changed each chapter (by index in the book), oldest
/// first, following renames backwards: walking from the newest commit, a
/// chapter's older path is learnt from the rename that gave it its
/// current one.
fn chapter_changes(
    book: &Book,
    history: &[crate::git::Commit],
    who: &dyn Fn(&str) -> String,
) -> Vec<Vec<ChangeRef>> {
    let mut path_to_chapter: HashMap<String, usize> = (0..book.chapters.len())
        .map(|i| (book.chapters[i].rel_path(), i))
        .collect();
    let mut changes: Vec<Vec<ChangeRef>> = vec![Vec::new(); book.chapters.len()];
    for (seq, commit) in history.iter().enumerate().rev() {
        for change in &commit.changes {
            let Some(new_path) = &change.new_path else {
                continue;
            };
            let Some(&i) = path_to_chapter.get(new_path) else {
                continue;
            };
            if changes[i].last().is_none_or(|c| c.commit != commit.id) {
                changes[i].push(ChangeRef {
                    commit: commit.id.clone(),
                    author: who(&commit.author.email),
                    time: commit.time,
                    seq,
                });
            }
            if let Some(old) = &change.old_path
                && old != new_path
            {
                path_to_chapter.insert(old.clone(), i);
            }
        }
    }
    for list in &mut changes {
        list.reverse();
    }
    changes
}

/// The review events and the comment events of each chapter (by index in
/// the book), oldest first, each with what its signature proves, read in
/// the one pass over the history; and the warnings for commits that
/// name events they do not record (a squash merge, an amended event),
/// until those events are recorded again after them.
fn review_events(
    book: &Book,
    history: &[crate::git::Commit],
    by_email: &HashMap<&str, &str>,
    who: &dyn Fn(&str) -> String,
    certificates: &Certificates,
) -> (Vec<Vec<Event>>, Vec<Vec<CommentEvent>>, Vec<HistoryWarning>) {
    // An event's actor: the contributor whose emails hold its author's.
    let actor_of = |commit: &crate::git::Commit| {
        by_email
            .get(commit.author.email.as_str())
            .map(|s| s.to_string())
    };
    let committer_of = |commit: &crate::git::Commit| Who {
        name: commit.committer.name.clone(),
        email: commit.committer.email.clone(),
    };
    let chapter_index: HashMap<&str, usize> = book
        .chapters
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let mut events: Vec<Vec<Event>> = vec![Vec::new(); book.chapters.len()];
    let mut comments: Vec<Vec<CommentEvent>> = vec![Vec::new(); book.chapters.len()];
    let mut lost: Vec<(usize, HistoryWarning)> = Vec::new();
    let mut lost_comments: Vec<HistoryWarning> = Vec::new();
    for (seq, commit) in history.iter().enumerate() {
        // A comment event, like a review event, changes no file.
        if commit.empty
            && let Some(record) = parse_comment(&commit.message)
        {
            if let Some(&i) = chapter_index.get(record.chapter.as_str()) {
                let actor = actor_of(commit);
                comments[i].push(CommentEvent {
                    commit: commit.id.clone(),
                    name: commit.author.name.clone(),
                    email: commit.author.email.clone(),
                    signing: signing_of(book, commit, actor.as_deref(), certificates),
                    actor,
                    committer: committer_of(commit),
                    time: commit.time,
                    seq,
                    record,
                });
            }
            continue;
        }
        // Comment events swallowed by a squash merge or an amend: their
        // trailers are in a message that records none.
        if !commit.merge
            && let Some(w) = lost_comments_warning(commit, who)
        {
            lost_comments.push(w);
        }
        let own = parse_trailers(&commit.message);
        // A review event changes no file (README "Review in git"); its message is the
        // shape `ouvrage` writes, trailers in the last paragraph.
        let Some(trailers) = own.filter(|_| commit.empty) else {
            if !commit.merge {
                lost.extend(lost_events_warning(commit, who).map(|w| (seq, w)));
            }
            continue;
        };
        let Some(&i) = chapter_index.get(trailers.chapter.as_str()) else {
            continue; // an event about a chapter that no longer exists
        };
        let actor = actor_of(commit);
        events[i].push(Event {
            commit: commit.id.clone(),
            email: commit.author.email.clone(),
            signing: signing_of(book, commit, actor.as_deref(), certificates),
            actor,
            committer: committer_of(commit),
            time: commit.time,
            seq,
            kind: trailers.kind,
            revision: trailers.revision,
        });
    }
    // A warning lasts until every event it names is recorded again after it.
    let recorded_after = |seq: usize, chapter: &str, kind: EventKind| {
        chapter_index
            .get(chapter)
            .is_some_and(|&i| events[i].iter().any(|e| e.seq > seq && e.kind == kind))
    };
    let mut warnings: Vec<HistoryWarning> = lost
        .into_iter()
        .filter_map(|(seq, mut warning)| {
            let named = warning.events.take().unwrap_or_default();
            let left: Vec<SwallowedEvent> = named
                .into_iter()
                .filter(|e| !recorded_after(seq, &e.chapter, e.event))
                .collect();
            if left.is_empty() {
                return None;
            }
            warning.message = lost_events_message(&warning, &left);
            warning.events = Some(left);
            Some(warning)
        })
        .collect();
    warnings.extend(lost_comments);
    warnings.extend(dangling_threads(&comments, who));
    (events, comments, warnings)
}

/// What an event commit's signature proves about `actor`: verified by one
/// of their `signing-keys`, or why not.
fn signing_of(
    book: &Book,
    commit: &Commit,
    actor: Option<&str>,
    certificates: &Certificates,
) -> Signing {
    let Some(signed) = &commit.signature else {
        return Signing::Unsigned;
    };
    let Some(contributor) = actor.and_then(|a| book.contributors.get(a)) else {
        return Signing::NotVerified {
            why: "signed, but the author is no contributor".into(),
        };
    };
    let keys: Vec<crate::signing::SigningKey> = contributor
        .signing_keys
        .iter()
        .map(|k| k.value.clone())
        .collect();
    if keys.is_empty() {
        return Signing::NotVerified {
            why: format!("signed, but {} lists no signing keys", contributor.id.value),
        };
    }
    match crate::signing::verify(&signed.signature, &signed.payload, &keys, certificates) {
        Verdict::Verified(key) => Signing::Verified { key },
        Verdict::Rejected(why) => Signing::NotVerified {
            why: why.replace(
                "their signing keys",
                &format!("{}'s signing keys", contributor.id.value),
            ),
        },
    }
}

/// Each chapter's row: its state from the review state machine, over its
/// events and changes, and what the report shows of them.
fn chapter_reports(
    book: &Book,
    repo: &Repo,
    events: &[Vec<Event>],
    comments: &[Vec<CommentEvent>],
    changes: &[Vec<ChangeRef>],
    words: &[usize],
) -> Vec<ChapterReport> {
    let editors = editor_ids(book);
    let with_role = |role: crate::config::Role| -> Vec<String> {
        book.contributors
            .list
            .iter()
            .filter(|c| c.roles.contains(&role))
            .map(|c| c.id.value.clone())
            .collect()
    };
    let reviewer_role = with_role(crate::config::Role::Reviewer);
    let keyed: Vec<String> = book
        .contributors
        .list
        .iter()
        .filter(|c| !c.signing_keys.is_empty())
        .map(|c| c.id.value.clone())
        .collect();
    let commit_ref = |c: &ChangeRef| CommitRef {
        commit: c.commit.clone(),
        author: c.author.clone(),
        date: rfc3339(c.time),
        time: c.time,
    };
    let paths: Vec<String> = book.chapters.iter().map(|c| c.rel_path()).collect();
    let revisions = repo.blobs_at_head(&paths);
    let mut chapters = Vec::new();
    let rows = book
        .chapters
        .iter()
        .zip(paths)
        .zip(revisions)
        .zip(words.iter().copied());
    for (i, (((chapter, path), revision), words)) in rows.enumerate() {
        let authors: Vec<String> = chapter
            .config
            .authors
            .iter()
            .map(|a| a.value.clone())
            .collect();
        let reviewers: Vec<String> = chapter
            .config
            .reviewers
            .iter()
            .map(|a| a.value.clone())
            .collect();
        let facts = ChapterFacts {
            revision: revision.as_deref(),
            authors: &authors,
            reviewers: &reviewers,
            editors: &editors,
            reviewer_role: &reviewer_role,
            keyed: &keyed,
            signatures_required: book.config.review.signatures_required,
            blocking_change_requests: book.config.review.blocking_change_requests,
            required_approvals: book.config.review.required_approvals,
        };
        let outcome = review::evaluate(&facts, &events[i], &changes[i]);
        let threads = review::threads::threads(
            &CommentFacts {
                authors: &authors,
                editors: &editors,
                keyed: &keyed,
                signatures_required: book.config.review.signatures_required,
            },
            &comments[i],
        );
        chapters.push(ChapterReport {
            id: chapter.id.clone(),
            path,
            title: chapter.title.clone(),
            state: outcome.state,
            revision,
            words,
            authors,
            reviewers,
            reviews: outcome
                .reviews
                .iter()
                .map(|r| ReviewReport {
                    reviewer: r.reviewer.clone(),
                    verdict: r.verdict,
                    revision: r.revision.clone(),
                    current: r.current,
                    commit: r.commit.clone(),
                    date: rfc3339(r.time),
                    signed: SignatureReport::new(&r.signing, &r.committer),
                })
                .collect(),
            events: outcome
                .counted
                .iter()
                .map(|e| EventReport {
                    event: e.kind,
                    actor: e.actor.clone().unwrap_or_default(),
                    revision: e.revision.clone(),
                    commit: e.commit.clone(),
                    date: rfc3339(e.time),
                    signed: SignatureReport::new(&e.signing, &e.committer),
                })
                .collect(),
            blocked_by: outcome.blocked_by.clone(),
            changed_since_approval: outcome
                .changed_since_approval
                .iter()
                .map(commit_ref)
                .collect(),
            last_change: changes[i].last().map(commit_ref),
            unverified: outcome
                .unverified
                .iter()
                .map(|u| UnverifiedReport {
                    commit: u.commit.clone(),
                    email: u.email.clone(),
                    event: u.event,
                    why: u.why.clone(),
                    signed: SignatureReport::new(&u.signing, &u.committer),
                })
                .collect(),
            unmerged: Vec::new(),
            open_comments: threads.iter().filter(|t| t.counts_open()).count(),
            comments: threads,
        });
    }
    chapters
}

/// What one email authored in the history.
struct Activity<'h> {
    /// Commits.
    commits: usize,
    /// Time of the latest.
    last: i64,
    /// The name of the first, as recorded.
    name: &'h str,
}

/// Each commit author's activity, by email.
fn activity_by_email(history: &[crate::git::Commit]) -> HashMap<&str, Activity<'_>> {
    let mut activity: HashMap<&str, Activity<'_>> = HashMap::new();
    for commit in history {
        let entry = activity
            .entry(commit.author.email.as_str())
            .or_insert(Activity {
                commits: 0,
                last: i64::MIN,
                name: commit.author.name.as_str(),
            });
        entry.commits += 1;
        entry.last = entry.last.max(commit.time);
    }
    activity
}

/// Each contributor's row, in contributors.toml's order: commits under any
/// of their emails, chapters written, reviews done and to do.
fn contributor_reports(
    book: &Book,
    chapters: &[ChapterReport],
    activity: &HashMap<&str, Activity<'_>>,
) -> Vec<ContributorReport> {
    book.contributors
        .list
        .iter()
        .map(|c| {
            let id = &c.id.value;
            let (commits, last) = c
                .emails
                .iter()
                .filter_map(|e| activity.get(e.as_str()))
                .fold((0, None::<i64>), |(n, last), a| {
                    (n + a.commits, Some(last.map_or(a.last, |l| l.max(a.last))))
                });
            let (reviewed, to_review) = reviews_of(id, chapters);
            ContributorReport {
                id: id.clone(),
                name: c.name.clone(),
                authored: chapters
                    .iter()
                    .filter(|ch| ch.authors.contains(id))
                    .map(|ch| AuthoredReport {
                        chapter: ch.id.clone(),
                        state: ch.state,
                    })
                    .collect(),
                to_review,
                reviewed,
                commits,
                last_activity: last.map(rfc3339),
                open_comments: chapters
                    .iter()
                    .flat_map(|ch| &ch.comments)
                    .filter(|t| t.counts_open() && &t.author == id)
                    .count(),
            }
        })
        .collect()
}

/// A contributor's latest review of each chapter, and the chapters
/// assigned to them whose current revision they have not approved (or
/// whose approval their later request for changes withdrew).
fn reviews_of(id: &String, chapters: &[ChapterReport]) -> (Vec<ReviewedReport>, Vec<String>) {
    let mut reviewed = Vec::new();
    let mut to_review = Vec::new();
    for ch in chapters {
        let mine: Vec<&ReviewReport> = ch.reviews.iter().filter(|r| &r.reviewer == id).collect();
        if let Some(latest) = mine.last() {
            reviewed.push(ReviewedReport {
                chapter: ch.id.clone(),
                verdict: latest.verdict,
                current: latest.current,
            });
        }
        // Their standing verdict: the latest that is no comment (a
        // withdrawal leaves none).
        let approved_current = mine
            .iter()
            .rfind(|r| r.verdict != EventKind::Commented)
            .is_some_and(|r| r.verdict == EventKind::Approved && r.current);
        if ch.reviewers.contains(id) && !approved_current && !matches!(ch.state, State::Final) {
            to_review.push(ch.id.clone());
        }
    }
    (reviewed, to_review)
}

/// Commit authors who are no contributor, most commits first.
fn unknown_authors(
    activity: &HashMap<&str, Activity<'_>>,
    by_email: &HashMap<&str, &str>,
) -> Vec<UnknownAuthor> {
    let mut unknown: Vec<UnknownAuthor> = activity
        .iter()
        .filter(|(email, _)| !by_email.contains_key(*email))
        .map(|(email, a)| UnknownAuthor {
            email: email.to_string(),
            name: a.name.to_string(),
            commits: a.commits,
        })
        .collect();
    unknown.sort_by(|a, b| b.commits.cmp(&a.commits).then(a.email.cmp(&b.email)));
    unknown
}

/// The warning for a commit that names review events in its message but
/// records none: an event commit amended with changes (its own title and
/// trailers, but files changed), or a squash merge that swallowed them
/// (whether it changes files or, squashing a branch of events alone, none).
fn lost_events_warning(
    commit: &crate::git::Commit,
    who: &dyn Fn(&str) -> String,
) -> Option<HistoryWarning> {
    let events = crate::review::events_in_message(&commit.message);
    if events.is_empty() {
        return None;
    }
    let amended = !commit.empty && parse_trailers(&commit.message).is_some();
    Some(HistoryWarning {
        kind: if amended {
            "amended-review-event"
        } else {
            "squashed-review-events"
        },
        commit: Some(commit.id.clone()),
        author: Some(who(&commit.author.email)),
        date: Some(rfc3339(commit.time)),
        events: Some(
            events
                .into_iter()
                .map(|(chapter, event)| SwallowedEvent { chapter, event })
                .collect(),
        ),
        file: None,
        line: None,
        message: String::new(),
    })
}

/// The warning for a commit whose message holds comment event trailers
/// that it does not record: a squash merge of comment commits (each one's
/// `Ouvrage-Comment:` line kept in the message), or a comment event amended
/// with changes. Those comments, replies, resolves and reopens are lost.
fn lost_comments_warning(
    commit: &crate::git::Commit,
    who: &dyn Fn(&str) -> String,
) -> Option<HistoryWarning> {
    if !commit.message.contains("Ouvrage-Comment") {
        return None; // the common case, cheaply
    }
    let named = commit
        .message
        .lines()
        .filter(|l| l.trim_start().starts_with("Ouvrage-Comment:"))
        .count();
    let recorded = commit.empty && parse_comment(&commit.message).is_some();
    if named == 0 || recorded {
        return None;
    }
    let short = &commit.id[..commit.id.len().min(10)];
    Some(HistoryWarning {
        kind: "lost-comment-events",
        commit: Some(commit.id.clone()),
        author: Some(who(&commit.author.email)),
        date: Some(rfc3339(commit.time)),
        events: None,
        file: None,
        line: None,
        message: format!(
            "commit {short} names {named} comment event{} in its message but records none (a squash merge or an amend swallowed them): they are not shown; merge comment commits without squashing, or record them again",
            if named == 1 { "" } else { "s" }
        ),
    })
}

/// The warnings for replies, resolves and reopens whose comment is not in
/// the history: a rebase rewrote the comment's commit (its answers still
/// name the old id) or it was dropped. They count for nothing: a comment
/// they resolved shows open again (rewritten), or not at all (dropped).
fn dangling_threads(
    comments: &[Vec<CommentEvent>],
    who: &dyn Fn(&str) -> String,
) -> Vec<HistoryWarning> {
    let opened: HashSet<&str> = comments
        .iter()
        .flatten()
        .filter(|e| e.record.kind == CommentKind::Comment)
        .map(|e| e.commit.as_str())
        .collect();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut out = Vec::new();
    for e in comments.iter().flatten() {
        let Some(thread) = e.record.thread.as_deref() else {
            continue;
        };
        if opened.contains(thread) || !seen.insert(thread) {
            continue;
        }
        let answers = comments
            .iter()
            .flatten()
            .filter(|x| x.record.thread.as_deref() == Some(thread))
            .count();
        out.push(HistoryWarning {
            kind: "dangling-comment-thread",
            commit: Some(e.commit.clone()),
            author: Some(who(&e.email)),
            date: Some(rfc3339(e.time)),
            events: None,
            file: None,
            line: None,
            message: format!(
                "{answers} {} comment {} of `{}`, whose commit is not in the history (a rebase rewrote it, or it was dropped): they count for nothing, and a comment they resolved shows open again; undo the rebase (`git reflog`), or merge instead of rebasing comment commits",
                if answers == 1 { "event answers" } else { "events answer" },
                &thread[..thread.len().min(10)],
                e.record.chapter
            ),
        });
    }
    out
}

/// The sentence of a [`lost_events_warning`], naming the events still lost.
fn lost_events_message(warning: &HistoryWarning, left: &[SwallowedEvent]) -> String {
    let id = warning.commit.as_deref().unwrap_or("");
    let short = &id[..id.len().min(10)];
    let named: Vec<String> = left
        .iter()
        .map(|e| format!("{} {}", e.chapter, e.event.name()))
        .collect();
    if warning.kind == "amended-review-event" {
        format!(
            "commit {short} is a review event ({}) that also changes files (amended?): an \
             event must change no file, so it counts for nothing; record it again \
             (`ouvrage submit`, `ouvrage review`)",
            named.join(", ")
        )
    } else {
        format!(
            "commit {short} records no review event but names {} in its message ({}): a \
             squash merge swallowed them and they count for nothing; record them again \
             (`ouvrage submit`, `ouvrage review`), and merge review branches with a merge \
             commit or a rebase",
            if left.len() == 1 {
                "1 review event".to_string()
            } else {
                format!("{} review events", left.len())
            },
            named.join(", ")
        )
    }
}

/// Chapter changes on other local and remote-tracking branches that HEAD
/// does not contain.
fn add_unmerged(
    book: &Book,
    repo: &Repo,
    chapters: &mut [ChapterReport],
    people: &PeopleMap,
    who: &dyn Fn(&str) -> String,
) -> Result<(), GitError> {
    let by_path: HashMap<String, usize> = (0..book.chapters.len())
        .map(|i| (book.chapters[i].rel_path(), i))
        .collect();
    for (branch, tip) in repo.other_branches()? {
        let history = repo.history(crate::load::CHAPTERS_DIR, Some(tip), true)?;
        for commit in resolved(&history, people).iter() {
            for change in &commit.changes {
                let path = change.new_path.as_ref().or(change.old_path.as_ref());
                let Some(&i) = path.and_then(|p| by_path.get(p)) else {
                    continue;
                };
                let report = UnmergedReport {
                    branch: branch.clone(),
                    commit: commit.id.clone(),
                    author: who(&commit.author.email),
                    date: rfc3339(commit.time),
                };
                if !chapters[i].unmerged.contains(&report) {
                    chapters[i].unmerged.push(report);
                }
            }
        }
    }
    Ok(())
}

/// The report of a book outside git: every chapter a draft, its revision
/// the blob id its file would have.
pub fn offline_report(book: &Book) -> StatusReport {
    StatusReport {
        book: book.config.book.title.clone(),
        head: String::new(),
        required_approvals: book.config.review.required_approvals,
        signatures: if book.config.review.signatures_required {
            "required"
        } else {
            "when-listed"
        },
        change_requests: if book.config.review.blocking_change_requests {
            "blocking"
        } else {
            "advisory"
        },
        complete_history: true,
        chapters: book
            .chapters
            .iter()
            .enumerate()
            .map(|(i, ch)| ChapterReport {
                id: ch.id.clone(),
                path: book.chapters[i].rel_path(),
                title: ch.title.clone(),
                state: State::Draft,
                revision: Some(crate::git::blob_id(
                    book.sources.get(ch.file).text.as_bytes(),
                )),
                words: markdown_words(&book.sources.get(ch.file).text),
                authors: ch.config.authors.iter().map(|a| a.value.clone()).collect(),
                reviewers: ch
                    .config
                    .reviewers
                    .iter()
                    .map(|a| a.value.clone())
                    .collect(),
                reviews: Vec::new(),
                events: Vec::new(),
                blocked_by: Vec::new(),
                changed_since_approval: Vec::new(),
                last_change: None,
                unverified: Vec::new(),
                unmerged: Vec::new(),
                open_comments: 0,
                comments: Vec::new(),
            })
            .collect(),
        contributors: Vec::new(),
        unknown_authors: Vec::new(),
        warnings: Vec::new(),
    }
}
