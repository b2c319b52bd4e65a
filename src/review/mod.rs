//! The review model of SPEC §6 as a pure function over plain values: events
//! read from commit trailers, the chapter's current revision, who is who.
//! No git here: the state machine is tested without a repository.

pub mod report;

use serde::Serialize;

/// What a review event says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    /// An author: this revision is ready for review.
    Submitted,
    /// A reviewer approves this revision.
    Approved,
    /// A reviewer asks for changes.
    ChangesRequested,
    /// A reviewer comments.
    Commented,
    /// An editor: this approved revision is final.
    Final,
}

impl EventKind {
    /// The name used in trailers and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Submitted => "submitted",
            EventKind::Approved => "approved",
            EventKind::ChangesRequested => "changes-requested",
            EventKind::Commented => "commented",
            EventKind::Final => "final",
        }
    }

    /// Parses a trailer value.
    pub fn parse(name: &str) -> Option<EventKind> {
        Some(match name.trim() {
            "submitted" => EventKind::Submitted,
            "approved" => EventKind::Approved,
            "changes-requested" => EventKind::ChangesRequested,
            "commented" => EventKind::Commented,
            "final" => EventKind::Final,
            _ => return None,
        })
    }
}

/// The state of a chapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// Never submitted.
    Draft,
    /// Submitted, waiting for approvals.
    InReview,
    /// A reviewer asked for changes and the author has not resubmitted.
    ChangesRequested,
    /// Enough assigned reviewers approved the current revision.
    Approved,
    /// Approved, and an editor finalized the current revision.
    Final,
}

impl State {
    /// The state's name.
    pub fn name(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::InReview => "in-review",
            State::ChangesRequested => "changes-requested",
            State::Approved => "approved",
            State::Final => "final",
        }
    }
}

/// The trailers of a review event commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trailers {
    /// `Ouvrage-Chapter`.
    pub chapter: String,
    /// `Ouvrage-Event`.
    pub kind: EventKind,
    /// `Ouvrage-Revision`: the chapter's blob id.
    pub revision: String,
}

/// Reads the `Ouvrage-*` trailers of a commit message, if it is a review event.
pub fn parse_trailers(message: &str) -> Option<Trailers> {
    let (mut chapter, mut kind, mut revision) = (None, None, None);
    for line in message.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim() {
            "Ouvrage-Chapter" => chapter = Some(value.to_string()),
            "Ouvrage-Event" => kind = EventKind::parse(value),
            "Ouvrage-Revision" => revision = Some(value.to_lowercase()),
            _ => {}
        }
    }
    Some(Trailers {
        chapter: chapter?,
        kind: kind?,
        revision: revision?,
    })
}

/// The review events named in the message of a commit that is no review
/// event, as a squash merge leaves them: their titles (`review(ch): event`,
/// bulleted with `*` or `-` as forges list squashed commits, or indented as
/// `git merge --squash` does) or, in a message without titles, their
/// `Ouvrage-Chapter`/`Ouvrage-Event` trailer pairs. In message order.
pub fn events_in_message(message: &str) -> Vec<(String, EventKind)> {
    let mut titles = Vec::new();
    let mut trailers = Vec::new();
    let mut chapter: Option<&str> = None;
    for line in message.lines() {
        let line = line.trim().trim_start_matches(['*', '-']).trim_start();
        if let Some(rest) = line.strip_prefix("review(")
            && let Some((id, tail)) = rest.split_once("):")
            // A forge may append the request's number: `approved (#12)`.
            && let Some(kind) = tail.split_whitespace().next().and_then(EventKind::parse)
            && !id.is_empty()
        {
            titles.push((id.to_string(), kind));
            continue;
        }
        match line.split_once(':') {
            Some((key, value)) if key.trim() == "Ouvrage-Chapter" => chapter = Some(value.trim()),
            Some((key, value)) if key.trim() == "Ouvrage-Event" => {
                if let (Some(id), Some(kind)) = (chapter.take(), EventKind::parse(value)) {
                    trailers.push((id.to_string(), kind));
                }
            }
            _ => {}
        }
    }
    if titles.is_empty() { trailers } else { titles }
}

/// The message of a review event commit.
pub fn event_message(chapter: &str, kind: EventKind, revision: &str, note: Option<&str>) -> String {
    let mut message = format!("review({chapter}): {}\n\n", kind.name());
    if let Some(note) = note.map(str::trim).filter(|n| !n.is_empty()) {
        message.push_str(note);
        message.push_str("\n\n");
    }
    message.push_str(&format!(
        "Ouvrage-Chapter: {chapter}\nOuvrage-Event: {}\nOuvrage-Revision: {revision}\n",
        kind.name()
    ));
    message
}

/// A review event as read from history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The commit that records it.
    pub commit: String,
    /// Author email of that commit.
    pub email: String,
    /// The contributor that email belongs to, if any.
    pub actor: Option<String>,
    /// Commit time.
    pub time: i64,
    /// Position of its commit in the history, oldest first (times can tie).
    pub seq: usize,
    /// What it says.
    pub kind: EventKind,
    /// The chapter revision it is about.
    pub revision: String,
}

/// A commit that changed the chapter's file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeRef {
    /// Commit id.
    pub commit: String,
    /// Contributor id of its author, or the raw email.
    pub author: String,
    /// Commit time.
    #[serde(skip)]
    pub time: i64,
    /// Position of the commit in the history, oldest first.
    #[serde(skip)]
    pub seq: usize,
}

/// What the state machine needs to know about a chapter and its people.
#[derive(Debug, Clone)]
pub struct ChapterFacts<'a> {
    /// The chapter file's blob id in HEAD (none if not committed).
    pub revision: Option<&'a str>,
    /// Contributor ids of its authors.
    pub authors: &'a [String],
    /// Contributor ids of its assigned reviewers.
    pub reviewers: &'a [String],
    /// Contributor ids of the editors.
    pub editors: &'a [String],
    /// Distinct approvals needed.
    pub required_approvals: u32,
}

/// One review, verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// Reviewer id.
    pub reviewer: String,
    /// approved, changes-requested or commented.
    pub verdict: EventKind,
    /// Revision reviewed.
    pub revision: String,
    /// Whether it is the current revision.
    pub current: bool,
    /// The event's commit.
    pub commit: String,
    /// Its time.
    pub time: i64,
    /// Position of its commit in the history.
    pub seq: usize,
}

/// An event that counts for nothing, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unverified {
    /// The event's commit.
    pub commit: String,
    /// Its author email.
    pub email: String,
    /// What it claimed.
    pub event: EventKind,
    /// Why it does not count.
    pub why: String,
    /// Its time.
    pub time: i64,
}

/// The outcome for one chapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Its state.
    pub state: State,
    /// Verified reviews, oldest first.
    pub reviews: Vec<Review>,
    /// Verified final events of the current revision.
    pub finalized_by: Option<String>,
    /// Commits that changed the chapter since its last approval (when that
    /// approval is not of the current revision).
    pub changed_since_approval: Vec<ChangeRef>,
    /// Events that do not count.
    pub unverified: Vec<Unverified>,
}

/// Computes a chapter's state from its events (oldest first) and the
/// commits that changed it (oldest first).
pub fn evaluate(facts: &ChapterFacts<'_>, events: &[Event], changes: &[ChangeRef]) -> Outcome {
    let current = facts.revision.unwrap_or("");
    let mut reviews = Vec::new();
    let mut unverified = Vec::new();
    let mut submitted_at: Option<usize> = None;
    let mut finals: Vec<&Event> = Vec::new();
    let is =
        |list: &[String], actor: &Option<String>| actor.as_ref().is_some_and(|a| list.contains(a));
    for event in events {
        let refusal = match (&event.actor, event.kind) {
            (None, _) => Some("the author's email is no contributor's".to_string()),
            (actor, EventKind::Submitted) if !is(facts.authors, actor) => {
                Some("not an author of this chapter".into())
            }
            (actor, EventKind::Final) if !is(facts.editors, actor) => {
                Some("not an editor of the book".into())
            }
            (actor, EventKind::Approved | EventKind::ChangesRequested | EventKind::Commented)
                if !is(facts.reviewers, actor) =>
            {
                Some("not a reviewer of this chapter".into())
            }
            (actor, EventKind::Approved | EventKind::ChangesRequested)
                if is(facts.authors, actor) =>
            {
                Some("an author cannot review their own chapter".into())
            }
            _ => None,
        };
        if let Some(why) = refusal {
            unverified.push(Unverified {
                commit: event.commit.clone(),
                email: event.email.clone(),
                event: event.kind,
                why,
                time: event.time,
            });
            continue;
        }
        let actor = event.actor.clone().unwrap_or_default();
        match event.kind {
            EventKind::Submitted => submitted_at = Some(event.seq),
            EventKind::Final => finals.push(event),
            verdict => reviews.push(Review {
                reviewer: actor,
                verdict,
                revision: event.revision.clone(),
                current: event.revision == current,
                commit: event.commit.clone(),
                time: event.time,
                seq: event.seq,
            }),
        }
    }

    // Each reviewer's latest verdict (a comment is no verdict).
    let mut latest: Vec<&Review> = Vec::new();
    for review in reviews.iter().filter(|r| r.verdict != EventKind::Commented) {
        latest.retain(|r| r.reviewer != review.reviewer);
        latest.push(review);
    }
    let approvals = latest
        .iter()
        .filter(|r| r.verdict == EventKind::Approved && r.current)
        .count() as u32;
    let open_change_request = latest.iter().any(|r| {
        r.verdict == EventKind::ChangesRequested && submitted_at.is_none_or(|s| s < r.seq)
    });
    let approved = facts.revision.is_some() && approvals >= facts.required_approvals.max(1);
    let finalized_by = finals
        .iter()
        .rev()
        .find(|f| f.revision == current)
        .and_then(|f| f.actor.clone());
    let state = if approved && finalized_by.is_some() {
        State::Final
    } else if approved {
        State::Approved
    } else if open_change_request {
        State::ChangesRequested
    } else if submitted_at.is_some() {
        State::InReview
    } else {
        State::Draft
    };

    // Changes since the last approval, when it approved an older revision.
    let last_approval = reviews
        .iter()
        .rev()
        .find(|r| r.verdict == EventKind::Approved);
    let changed_since_approval = match last_approval {
        Some(a) if !a.current => changes.iter().filter(|c| c.seq > a.seq).cloned().collect(),
        _ => Vec::new(),
    };
    Outcome {
        state,
        reviews,
        finalized_by: if state == State::Final {
            finalized_by
        } else {
            None
        },
        changed_since_approval,
        unverified,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn ev(n: i64, actor: &str, kind: EventKind, revision: &str) -> Event {
        Event {
            commit: format!("c{n}"),
            email: format!("{actor}@x.org"),
            actor: (!actor.starts_with('?')).then(|| actor.to_string()),
            time: n,
            seq: n as usize,
            kind,
            revision: revision.to_string(),
        }
    }

    struct Case {
        authors: Vec<String>,
        reviewers: Vec<String>,
        editors: Vec<String>,
    }

    impl Case {
        fn new() -> Self {
            Case {
                authors: ids(&["ana"]),
                reviewers: ids(&["bo", "cy"]),
                editors: ids(&["ed"]),
            }
        }
        fn run(
            &self,
            revision: &str,
            required: u32,
            events: &[Event],
            changes: &[ChangeRef],
        ) -> Outcome {
            let facts = ChapterFacts {
                revision: Some(revision),
                authors: &self.authors,
                reviewers: &self.reviewers,
                editors: &self.editors,
                required_approvals: required,
            };
            evaluate(&facts, events, changes)
        }
    }

    use EventKind::*;

    #[test]
    fn every_state_of_the_table() {
        let c = Case::new();
        assert_eq!(c.run("r1", 1, &[], &[]).state, State::Draft);
        let sub = ev(1, "ana", Submitted, "r1");
        assert_eq!(
            c.run("r1", 1, std::slice::from_ref(&sub), &[]).state,
            State::InReview
        );
        let req = ev(2, "bo", ChangesRequested, "r1");
        assert_eq!(
            c.run("r1", 1, &[sub.clone(), req.clone()], &[]).state,
            State::ChangesRequested
        );
        let resub = ev(3, "ana", Submitted, "r2");
        assert_eq!(
            c.run("r2", 1, &[sub.clone(), req.clone(), resub.clone()], &[])
                .state,
            State::InReview
        );
        let ok = ev(4, "cy", Approved, "r2");
        let events = [sub.clone(), req.clone(), resub.clone(), ok.clone()];
        assert_eq!(c.run("r2", 1, &events, &[]).state, State::Approved);
        assert_eq!(
            c.run("r2", 2, &events, &[]).state,
            State::InReview,
            "two approvals required"
        );
        let fin = ev(5, "ed", Final, "r2");
        let mut with_final = events.to_vec();
        with_final.push(fin);
        let out = c.run("r2", 1, &with_final, &[]);
        assert_eq!(out.state, State::Final);
        assert_eq!(out.finalized_by.as_deref(), Some("ed"));
        // A later edit makes the approval stale and the final void.
        assert_eq!(c.run("r3", 1, &with_final, &[]).state, State::InReview);
    }

    #[test]
    fn stale_approvals_list_the_changes_since() {
        let c = Case::new();
        let events = [ev(1, "ana", Submitted, "r1"), ev(2, "bo", Approved, "r1")];
        let changes = [
            ChangeRef {
                commit: "e0".into(),
                author: "ana".into(),
                time: 0,
                seq: 0,
            },
            ChangeRef {
                commit: "e3".into(),
                author: "ana".into(),
                time: 3,
                seq: 3,
            },
        ];
        let out = c.run("r2", 1, &events, &changes);
        assert_eq!(out.state, State::InReview);
        assert!(!out.reviews[0].current);
        assert_eq!(out.changed_since_approval.len(), 1);
        assert_eq!(out.changed_since_approval[0].commit, "e3");
    }

    #[test]
    fn forged_and_misplaced_events_count_for_nothing() {
        let c = Case::new();
        let events = [
            ev(1, "ana", Submitted, "r1"),
            ev(2, "?stranger", Approved, "r1"),
            ev(3, "ana", Approved, "r1"),
            ev(4, "bo", Submitted, "r1"),
            ev(5, "bo", Final, "r1"),
        ];
        let out = c.run("r1", 1, &events, &[]);
        assert_eq!(out.state, State::InReview);
        let whys: Vec<&str> = out.unverified.iter().map(|u| u.why.as_str()).collect();
        assert_eq!(
            whys,
            [
                "the author's email is no contributor's",
                "not a reviewer of this chapter",
                "not an author of this chapter",
                "not an editor of the book"
            ]
        );
    }

    #[test]
    fn a_reviewers_latest_verdict_counts() {
        let c = Case::new();
        let events = [
            ev(1, "ana", Submitted, "r1"),
            ev(2, "bo", Approved, "r1"),
            ev(3, "bo", ChangesRequested, "r1"),
        ];
        assert_eq!(c.run("r1", 1, &events, &[]).state, State::ChangesRequested);
        let events = [
            ev(1, "ana", Submitted, "r1"),
            ev(2, "bo", Approved, "r1"),
            ev(3, "bo", Commented, "r1"),
        ];
        assert_eq!(c.run("r1", 1, &events, &[]).state, State::Approved);
    }

    #[test]
    fn squash_messages_name_the_events_they_swallowed() {
        use EventKind::*;
        // `git merge --squash`: each commit's message, indented.
        let git = "Squashed commit of the following:\n\ncommit 1f3c\nAuthor: Bo <bo@example.org>\n\n    review(fablabs): approved\n\n    Ouvrage-Chapter: fablabs\n    Ouvrage-Event: approved\n    Ouvrage-Revision: 1f3c\n\ncommit 2e4d\n\n    fablabs: section 2\n";
        assert_eq!(events_in_message(git), [("fablabs".to_string(), Approved)]);
        // A forge's list of the squashed commits' titles.
        let forge = "Fablabs, second draft (#12)\n\n* fablabs: section 2\n* review(fablabs): submitted\n* review(fablabs): changes-requested (#12)\n- review(scuola): final\n";
        assert_eq!(
            events_in_message(forge),
            [
                ("fablabs".to_string(), Submitted),
                ("fablabs".to_string(), ChangesRequested),
                ("scuola".to_string(), Final)
            ]
        );
        // Trailers alone, once each.
        let bare = "Fablabs\n\nOuvrage-Chapter: fablabs\nOuvrage-Event: approved\nOuvrage-Revision: 1\nOuvrage-Chapter: scuola\nOuvrage-Event: commented\n";
        assert_eq!(
            events_in_message(bare),
            [
                ("fablabs".to_string(), Approved),
                ("scuola".to_string(), Commented)
            ]
        );
        assert!(
            events_in_message("review(fablabs): something else\n\nA review of the plan.")
                .is_empty()
        );
        assert!(events_in_message("Edit the introduction").is_empty());
    }

    #[test]
    fn trailers_round_trip() {
        let message = event_message(
            "fablabs",
            ChangesRequested,
            "abc123",
            Some("Voir la section 2."),
        );
        assert!(
            message.starts_with("review(fablabs): changes-requested\n\nVoir la section 2.\n\n")
        );
        let t = parse_trailers(&message).unwrap();
        assert_eq!(
            (t.chapter.as_str(), t.kind, t.revision.as_str()),
            ("fablabs", ChangesRequested, "abc123")
        );
        assert_eq!(parse_trailers("fix typo\n\nOuvrage-Chapter: x\n"), None);
    }
}
