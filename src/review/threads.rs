//! Comment threads from comment events (README "Comments and suggested
//! edits"): who may do what, and whether each thread is open. Pure, like
//! the review state machine beside it.
//!
//! Input: a chapter's comment events, oldest first, and who is who.
//! Output: its threads, each with its replies, resolves and reopens, and
//! why an event counts for nothing when it does not.

use super::comments::{Anchor, CommentKind, CommentRecord};
use super::{Signing, Who, signing_refusal};

/// A comment event as read from history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentEvent {
    /// The commit that records it: a comment's id.
    pub commit: String,
    /// Author name as recorded.
    pub name: String,
    /// Author email (after the committed .mailmap).
    pub email: String,
    /// The contributor that email belongs to, if any.
    pub actor: Option<String>,
    /// The commit's committer.
    pub committer: Who,
    /// What its signature proves.
    pub signing: Signing,
    /// Commit time.
    pub time: i64,
    /// Position in the history, oldest first.
    pub seq: usize,
    /// What it says.
    pub record: CommentRecord,
}

/// Who decides on a chapter's comments.
#[derive(Debug, Clone, Copy)]
pub struct CommentFacts<'a> {
    /// The chapter's author ids (they may resolve any of its comments).
    pub authors: &'a [String],
    /// Editor ids (likewise).
    pub editors: &'a [String],
    /// Contributor ids that list signing keys.
    pub keyed: &'a [String],
    /// `[review] signatures = "required"`.
    pub signatures_required: bool,
}

/// A reply, resolve or reopen in a thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadEvent {
    /// Its commit.
    pub commit: String,
    /// Reply, resolve or reopen.
    pub kind: CommentKind,
    /// Contributor id of its author, or the raw email.
    pub author: String,
    /// Its Markdown body.
    pub body: String,
    /// Commit time.
    pub time: i64,
    /// Why it counts for nothing, when it does not.
    pub unverified: Option<String>,
}

/// A comment and what followed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    /// The comment's commit id.
    pub id: String,
    /// The chapter id.
    pub chapter: String,
    /// Contributor id of its author, or the raw email.
    pub author: String,
    /// Its author as the commit records them (for `Co-authored-by`).
    pub author_name: String,
    /// Its author's email.
    pub author_email: String,
    /// The chapter revision it was made on.
    pub revision: String,
    /// Where it was made.
    pub anchor: Anchor,
    /// The suggested replacement, if any.
    pub suggestion: Option<String>,
    /// Its Markdown body.
    pub body: String,
    /// Commit time.
    pub time: i64,
    /// Whether it is open (not resolved, or reopened since).
    pub open: bool,
    /// Replies, resolves and reopens, oldest first.
    pub events: Vec<ThreadEvent>,
    /// Why the comment counts for nothing, when it does not.
    pub unverified: Option<String>,
}

impl Thread {
    /// Whether it is open and counts (its author verified).
    pub fn counts_open(&self) -> bool {
        self.open && self.unverified.is_none()
    }
}

/// The chapter's threads, oldest first. Events naming no comment of the
/// chapter are left out (their thread is another chapter's, or unknown).
pub fn threads(facts: &CommentFacts<'_>, events: &[CommentEvent]) -> Vec<Thread> {
    let mut out: Vec<Thread> = Vec::new();
    for event in events {
        let record = &event.record;
        let author = event.actor.clone().unwrap_or_else(|| event.email.clone());
        let mut why = match &event.actor {
            None => Some("the author's email is no contributor's".to_string()),
            Some(actor) => signing_refusal(
                facts.signatures_required,
                facts.keyed,
                actor,
                &event.signing,
            ),
        };
        match (record.kind, &record.anchor, &record.thread) {
            (CommentKind::Comment, Some(anchor), _) => out.push(Thread {
                id: event.commit.clone(),
                chapter: record.chapter.clone(),
                author,
                author_name: event.name.clone(),
                author_email: event.email.clone(),
                revision: record.revision.clone(),
                anchor: anchor.clone(),
                suggestion: record.suggestion.clone(),
                body: record.body.clone(),
                time: event.time,
                open: true,
                events: Vec::new(),
                unverified: why,
            }),
            (kind, _, Some(id)) => {
                let Some(thread) = out.iter_mut().find(|t| &t.id == id) else {
                    continue;
                };
                let may_decide = |actor: &String| {
                    thread.unverified.is_none() && &thread.author == actor
                        || facts.authors.contains(actor)
                        || facts.editors.contains(actor)
                };
                if why.is_none()
                    && matches!(kind, CommentKind::Resolve | CommentKind::Reopen)
                    && !event.actor.as_ref().is_some_and(may_decide)
                {
                    why = Some(format!(
                        "only the comment's author, the chapter's authors or an editor may {} it",
                        kind.name()
                    ));
                }
                if why.is_none() {
                    match kind {
                        CommentKind::Resolve => thread.open = false,
                        CommentKind::Reopen => thread.open = true,
                        _ => {}
                    }
                }
                thread.events.push(ThreadEvent {
                    commit: event.commit.clone(),
                    kind,
                    author,
                    body: record.body.clone(),
                    time: event.time,
                    unverified: why,
                });
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(n: usize, actor: &str, kind: CommentKind, thread: Option<usize>) -> CommentEvent {
        CommentEvent {
            commit: format!("c{n}"),
            name: actor.into(),
            email: format!("{actor}@x.org"),
            actor: (!actor.starts_with('?')).then(|| actor.to_string()),
            committer: Who::default(),
            signing: Signing::Unsigned,
            time: n as i64,
            seq: n,
            record: CommentRecord {
                chapter: "ch".into(),
                kind,
                revision: "r1".into(),
                thread: thread.map(|t| format!("c{t}")),
                anchor: (kind == CommentKind::Comment).then(|| Anchor {
                    exact: "q".into(),
                    prefix: String::new(),
                    suffix: String::new(),
                    line: 1,
                    end_line: 1,
                }),
                suggestion: None,
                body: format!("body {n}"),
            },
        }
    }

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn resolve_and_reopen_by_those_who_may() {
        use CommentKind::*;
        let (authors, editors, keyed) = (ids(&["ana"]), ids(&["ed"]), ids(&["cy"]));
        let facts = CommentFacts {
            authors: &authors,
            editors: &editors,
            keyed: &keyed,
            signatures_required: false,
        };
        let events = [
            ev(1, "bo", Comment, None),
            ev(2, "ana", Reply, Some(1)),
            ev(3, "dan", Resolve, Some(1)),
            ev(4, "ana", Resolve, Some(1)),
            ev(5, "?mallory", Comment, None),
            ev(6, "bo", Comment, None),
            ev(7, "ana", Resolve, Some(6)),
            ev(8, "bo", Reopen, Some(6)),
            ev(9, "cy", Comment, None),
            ev(10, "bo", Reply, Some(99)),
        ];
        let t = threads(&facts, &events);
        assert_eq!(t.len(), 4);
        assert!(!t[0].open, "ana resolved it");
        assert_eq!(t[0].events.len(), 3);
        assert_eq!(
            t[0].events[1].unverified.as_deref(),
            Some("only the comment's author, the chapter's authors or an editor may resolve it")
        );
        assert!(
            t[1].open && !t[1].counts_open(),
            "a stranger's comment counts for nothing"
        );
        assert!(t[2].counts_open(), "its author reopened it");
        assert_eq!(
            t[3].unverified.as_deref(),
            Some("unsigned, and cy lists signing keys")
        );
        let open: Vec<&str> = t
            .iter()
            .filter(|t| t.counts_open())
            .map(|t| t.id.as_str())
            .collect();
        assert_eq!(open, ["c6"]);
    }
}
