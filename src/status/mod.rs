//! Review status from git history: the report of `ouvrage status` (SPEC §6),
//! built by walking the history reachable from HEAD once and feeding the
//! pure state machine of `review`.

mod credits;
mod format;

pub use credits::{CreditReport, CreditsReport, ShareReport, compute_credits, render_credits};
pub use format::{render_markdown, render_table};

use std::collections::HashMap;

use crate::date::rfc3339;
use crate::git::{GitError, Repo};
use crate::model::{Book, word_count};
use crate::review::{self, ChangeRef, ChapterFacts, Event, EventKind, State, parse_trailers};

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

/// Builds the status report of the book in `repo`.
pub fn compute_status(
    book: &Book,
    repo: &Repo,
    options: StatusOptions,
) -> Result<StatusReport, GitError> {
    let head = repo.head_commit()?;
    let history = repo.history(crate::load::CHAPTERS_DIR, None, false)?;
    status_from_history(book, repo, options, head, &history)
}

/// A hash of everything [`status_from_history`] reads from the book but
/// the chapters' text: the settings, the contributors, and each chapter's
/// id, file, title and front matter. While it and HEAD stay the same, a
/// report only needs its words counted again ([`recount_words`]).
pub fn inputs_key(book: &Book) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
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
            row.words = word_count(&chapter.blocks);
        }
    }
}

/// [`compute_status`] from a history already read (`watch` keeps it while
/// HEAD does not move). One pass per part of the report: each chapter's
/// changes, then its review events, then its state; the branches not
/// merged when asked; then the people.
pub fn status_from_history(
    book: &Book,
    repo: &Repo,
    options: StatusOptions,
    head: String,
    history: &[crate::git::Commit],
) -> Result<StatusReport, GitError> {
    let by_email = ids_by_email(book);
    let who = |email: &str| -> String {
        by_email
            .get(email)
            .map(|s| s.to_string())
            .unwrap_or_else(|| email.to_string())
    };
    let changes = chapter_changes(book, history, &who);
    let (events, warnings) = review_events(book, history, &by_email, &who);
    let mut chapters = chapter_reports(book, repo, &events, &changes);
    if options.all_branches {
        add_unmerged(book, repo, &mut chapters, &who)?;
    }
    let activity = activity_by_email(history);
    Ok(StatusReport {
        book: book.config.book.title.clone(),
        head,
        required_approvals: book.config.review.required_approvals,
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

/// The review events of each chapter (by index in the book), oldest first,
/// and the warnings for squash merges that swallowed some.
fn review_events(
    book: &Book,
    history: &[crate::git::Commit],
    by_email: &HashMap<&str, &str>,
    who: &dyn Fn(&str) -> String,
) -> (Vec<Vec<Event>>, Vec<HistoryWarning>) {
    let chapter_index: HashMap<&str, usize> = book
        .chapters
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let mut events: Vec<Vec<Event>> = vec![Vec::new(); book.chapters.len()];
    let mut warnings = Vec::new();
    for (seq, commit) in history.iter().enumerate() {
        // A review event changes no file (SPEC §6). A commit that changes
        // chapters and names events in its message is a squash merge that
        // swallowed them: it is no event, and the report says so.
        if !commit.empty {
            if !commit.changes.is_empty() {
                warnings.extend(squash_warning(commit, who));
            }
            continue;
        }
        let Some(trailers) = parse_trailers(&commit.message) else {
            continue;
        };
        let Some(&i) = chapter_index.get(trailers.chapter.as_str()) else {
            continue; // an event about a chapter that no longer exists
        };
        events[i].push(Event {
            commit: commit.id.clone(),
            email: commit.author.email.clone(),
            actor: by_email
                .get(commit.author.email.as_str())
                .map(|s| s.to_string()),
            time: commit.time,
            seq,
            kind: trailers.kind,
            revision: trailers.revision,
        });
    }
    (events, warnings)
}

/// Each chapter's row: its state from the review state machine, over its
/// events and changes, and what the report shows of them.
fn chapter_reports(
    book: &Book,
    repo: &Repo,
    events: &[Vec<Event>],
    changes: &[Vec<ChangeRef>],
) -> Vec<ChapterReport> {
    let editors = editor_ids(book);
    let commit_ref = |c: &ChangeRef| CommitRef {
        commit: c.commit.clone(),
        author: c.author.clone(),
        date: rfc3339(c.time),
        time: c.time,
    };
    let mut chapters = Vec::new();
    for (i, chapter) in book.chapters.iter().enumerate() {
        let path = book.chapters[i].rel_path();
        let revision = repo.blob_at_head(&path);
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
            required_approvals: book.config.review.required_approvals,
        };
        let outcome = review::evaluate(&facts, &events[i], &changes[i]);
        chapters.push(ChapterReport {
            id: chapter.id.clone(),
            path,
            title: chapter.title.clone(),
            state: outcome.state,
            revision,
            words: word_count(&chapter.blocks),
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
                })
                .collect(),
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
                })
                .collect(),
            unmerged: Vec::new(),
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
        let approved_current = mine
            .iter()
            .any(|r| r.verdict == EventKind::Approved && r.current)
            && mine
                .last()
                .is_some_and(|r| r.verdict != EventKind::ChangesRequested);
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

/// The warning for a commit that changes chapters and names review events
/// in its message, if it names any.
fn squash_warning(
    commit: &crate::git::Commit,
    who: &dyn Fn(&str) -> String,
) -> Option<HistoryWarning> {
    let events = crate::review::events_in_message(&commit.message);
    if events.is_empty() {
        return None;
    }
    let short = &commit.id[..commit.id.len().min(10)];
    let named: Vec<String> = events
        .iter()
        .map(|(chapter, kind)| format!("{chapter} {}", kind.name()))
        .collect();
    Some(HistoryWarning {
        kind: "squashed-review-events",
        commit: commit.id.clone(),
        author: who(&commit.author.email),
        date: rfc3339(commit.time),
        message: format!(
            "commit {short} changes chapters and names {} review event(s) in its message ({}): \
             a squash merge swallowed them and they count for nothing; record them again \
             (`ouvrage submit`, `ouvrage review`), and merge review branches with a merge \
             commit or a rebase",
            events.len(),
            named.join(", ")
        ),
        events: events
            .into_iter()
            .map(|(chapter, event)| SwallowedEvent { chapter, event })
            .collect(),
    })
}

/// Chapter changes on other local and remote-tracking branches that HEAD
/// does not contain.
fn add_unmerged(
    book: &Book,
    repo: &Repo,
    chapters: &mut [ChapterReport],
    who: &dyn Fn(&str) -> String,
) -> Result<(), GitError> {
    let by_path: HashMap<String, usize> = (0..book.chapters.len())
        .map(|i| (book.chapters[i].rel_path(), i))
        .collect();
    for (branch, tip) in repo.other_branches()? {
        for commit in repo.history(crate::load::CHAPTERS_DIR, Some(tip), true)? {
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
                words: word_count(&ch.blocks),
                authors: ch.config.authors.iter().map(|a| a.value.clone()).collect(),
                reviewers: ch
                    .config
                    .reviewers
                    .iter()
                    .map(|a| a.value.clone())
                    .collect(),
                reviews: Vec::new(),
                changed_since_approval: Vec::new(),
                last_change: None,
                unverified: Vec::new(),
                unmerged: Vec::new(),
            })
            .collect(),
        contributors: Vec::new(),
        unknown_authors: Vec::new(),
        warnings: Vec::new(),
    }
}
