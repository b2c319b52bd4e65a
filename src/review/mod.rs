//! The review model of README "Review in git" as a pure function over plain values: events
//! read from commit trailers, the chapter's current revision, who is who.
//! No git here: the state machine is tested without a repository.

pub mod anchor;
pub mod comments;
pub mod identity;
pub mod rendered;
pub mod report;
pub mod threads;
pub mod trailers;

pub use trailers::{Trailers, parse_trailers};

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
    /// A reviewer withdraws their last verdict (approval or change request).
    Withdrawn,
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
            EventKind::Withdrawn => "withdrawn",
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
            "withdrawn" => EventKind::Withdrawn,
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

/// What a review event's signature proves about its actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signing {
    /// The commit carries no signature.
    Unsigned,
    /// A valid signature by one of the actor's `signing-keys`.
    Verified {
        /// The key, as reports show it (an SSH key's SHA256 fingerprint, an
        /// OpenPGP fingerprint).
        key: String,
    },
    /// A signature that proves nothing about the actor, and why.
    NotVerified {
        /// Why, in words.
        why: String,
    },
}

impl Signing {
    /// `unsigned`, `verified` or `unverified`, as the JSON says it.
    pub fn name(&self) -> &'static str {
        match self {
            Signing::Unsigned => "unsigned",
            Signing::Verified { .. } => "verified",
            Signing::NotVerified { .. } => "unverified",
        }
    }

    /// The verifying key, when verified.
    pub fn key(&self) -> Option<&str> {
        match self {
            Signing::Verified { key } => Some(key),
            _ => None,
        }
    }
}

/// A name and an email, as a commit records its committer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Who {
    /// Name as recorded.
    pub name: String,
    /// Email, lowercase.
    pub email: String,
}

/// A review event as read from history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The commit that records it.
    pub commit: String,
    /// Author email of that commit (after the committed .mailmap).
    pub email: String,
    /// The contributor that email belongs to, if any.
    pub actor: Option<String>,
    /// The commit's committer, as recorded.
    pub committer: Who,
    /// What the commit's signature proves (checked against the actor's keys).
    pub signing: Signing,
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
    /// Contributor ids that hold the `reviewer` role in contributors.toml.
    pub reviewer_role: &'a [String],
    /// Contributor ids that list `signing-keys`: their events count only
    /// when signed by one of them.
    pub keyed: &'a [String],
    /// `[review] signatures = "required"`: every event must be signed.
    pub signatures_required: bool,
    /// `[review] change-requests = "blocking"` (the default): a change
    /// request on the current revision holds back the approval.
    pub blocking_change_requests: bool,
    /// Distinct approvals needed.
    pub required_approvals: u32,
}

/// One review, verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// Reviewer id.
    pub reviewer: String,
    /// approved, changes-requested, commented or withdrawn.
    pub verdict: EventKind,
    /// Revision reviewed.
    pub revision: String,
    /// Whether it is the current revision.
    pub current: bool,
    /// The event's commit.
    pub commit: String,
    /// Its committer.
    pub committer: Who,
    /// Its signature.
    pub signing: Signing,
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
    /// Its committer.
    pub committer: Who,
    /// Its signature.
    pub signing: Signing,
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
    /// Every event that counts, oldest first (submissions, reviews, finals).
    pub counted: Vec<Event>,
    /// Verified reviews, oldest first.
    pub reviews: Vec<Review>,
    /// Verified final events of the current revision.
    pub finalized_by: Option<String>,
    /// Reviewers whose change request on the current revision is open: with
    /// blocking change requests, no approval counts until each approves or
    /// withdraws it.
    pub blocked_by: Vec<String>,
    /// Commits that changed the chapter since its last approval (when that
    /// approval is not of the current revision).
    pub changed_since_approval: Vec<ChangeRef>,
    /// Events that do not count.
    pub unverified: Vec<Unverified>,
}

/// Why `event` counts for nothing, if it does not: who may record it
/// (README "Review in git"), the role in contributors.toml, and the signature when the
/// actor lists keys or the book requires signatures.
fn refusal(facts: &ChapterFacts<'_>, event: &Event) -> Option<String> {
    let Some(actor) = &event.actor else {
        return Some("the author's email is no contributor's".into());
    };
    let is = |list: &[String]| list.contains(actor);
    if let Some(why) = signing_refusal(
        facts.signatures_required,
        facts.keyed,
        actor,
        &event.signing,
    ) {
        return Some(why);
    }
    match event.kind {
        EventKind::Submitted if !is(facts.authors) => Some("not an author of this chapter".into()),
        EventKind::Final if !is(facts.editors) => Some("not an editor of the book".into()),
        EventKind::Submitted | EventKind::Final => None,
        _ if !is(facts.reviewers) => Some("not a reviewer of this chapter".into()),
        _ if is(facts.authors) => Some("an author cannot review their own chapter".into()),
        _ if !is(facts.reviewer_role) => {
            Some("has not the reviewer role in contributors.toml".into())
        }
        _ => None,
    }
}

/// Why an event by `actor` signed as `signing` counts for nothing, if it
/// does not: when signatures are required or the actor lists keys (is in
/// `keyed`), only a signature verified by one of their keys counts.
pub fn signing_refusal(
    required: bool,
    keyed: &[String],
    actor: &str,
    signing: &Signing,
) -> Option<String> {
    let listed = keyed.iter().any(|k| k == actor);
    if !required && !listed {
        return None;
    }
    match signing {
        Signing::Verified { .. } => None,
        Signing::Unsigned if listed => Some(format!("unsigned, and {actor} lists signing keys")),
        Signing::Unsigned => Some("unsigned, and signatures are required".into()),
        Signing::NotVerified { why } if listed => Some(why.clone()),
        Signing::NotVerified { .. } => Some(format!(
            "signatures are required and {actor} lists no signing keys"
        )),
    }
}

/// Computes a chapter's state from its events (oldest first) and the
/// commits that changed it (oldest first).
pub fn evaluate(facts: &ChapterFacts<'_>, events: &[Event], changes: &[ChangeRef]) -> Outcome {
    let current = facts.revision.unwrap_or("");
    let mut counted = Vec::new();
    let mut reviews = Vec::new();
    let mut unverified = Vec::new();
    let mut submitted_at: Option<usize> = None;
    let mut finals: Vec<&Event> = Vec::new();
    for event in events {
        if let Some(why) = refusal(facts, event) {
            unverified.push(Unverified {
                commit: event.commit.clone(),
                email: event.email.clone(),
                committer: event.committer.clone(),
                signing: event.signing.clone(),
                event: event.kind,
                why,
                time: event.time,
            });
            continue;
        }
        counted.push(event.clone());
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
                committer: event.committer.clone(),
                signing: event.signing.clone(),
                time: event.time,
                seq: event.seq,
            }),
        }
    }

    // Each reviewer's standing verdict: their latest approval or change
    // request, unless they withdrew it since (a comment is no verdict).
    let mut latest: Vec<&Review> = Vec::new();
    for review in reviews.iter().filter(|r| r.verdict != EventKind::Commented) {
        latest.retain(|r| r.reviewer != review.reviewer);
        if review.verdict != EventKind::Withdrawn {
            latest.push(review);
        }
    }
    let approvals = latest
        .iter()
        .filter(|r| r.verdict == EventKind::Approved && r.current)
        .count() as u32;
    let blocked_by: Vec<String> = latest
        .iter()
        .filter(|r| r.verdict == EventKind::ChangesRequested && r.current)
        .map(|r| r.reviewer.clone())
        .collect();
    let open_change_request = latest.iter().any(|r| {
        r.verdict == EventKind::ChangesRequested && submitted_at.is_none_or(|s| s < r.seq)
    });
    let blocked = facts.blocking_change_requests && !blocked_by.is_empty();
    let approved =
        facts.revision.is_some() && approvals >= facts.required_approvals.max(1) && !blocked;
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
        counted,
        reviews,
        finalized_by: if state == State::Final {
            finalized_by
        } else {
            None
        },
        blocked_by: if facts.blocking_change_requests {
            blocked_by
        } else {
            Vec::new()
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
            committer: Who::default(),
            signing: Signing::Unsigned,
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
        reviewer_role: Vec<String>,
        keyed: Vec<String>,
        required: bool,
        blocking: bool,
    }

    impl Case {
        fn new() -> Self {
            Case {
                authors: ids(&["ana"]),
                reviewers: ids(&["bo", "cy"]),
                editors: ids(&["ed"]),
                reviewer_role: ids(&["bo", "cy", "ana"]),
                keyed: Vec::new(),
                required: false,
                blocking: true,
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
                reviewer_role: &self.reviewer_role,
                keyed: &self.keyed,
                signatures_required: self.required,
                blocking_change_requests: self.blocking,
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
    fn authors_and_roleless_reviewers_count_for_nothing() {
        let mut c = Case::new();
        c.reviewers = ids(&["bo", "ana", "cy"]);
        c.reviewer_role = ids(&["bo", "ana"]);
        let events = [
            ev(1, "ana", Submitted, "r1"),
            ev(2, "ana", Approved, "r1"),
            ev(3, "ana", Commented, "r1"),
            ev(4, "cy", Approved, "r1"),
        ];
        let out = c.run("r1", 1, &events, &[]);
        assert_eq!(out.state, State::InReview);
        let whys: Vec<&str> = out.unverified.iter().map(|u| u.why.as_str()).collect();
        assert_eq!(
            whys,
            [
                "an author cannot review their own chapter",
                "an author cannot review their own chapter",
                "has not the reviewer role in contributors.toml"
            ]
        );
        assert_eq!(out.counted.len(), 1, "the submission alone counts");
    }

    #[test]
    fn an_open_change_request_blocks_the_approval_until_withdrawn_or_approved() {
        let c = Case::new();
        let base = [
            ev(1, "ana", Submitted, "r1"),
            ev(2, "bo", ChangesRequested, "r1"),
            ev(3, "cy", Approved, "r1"),
        ];
        let out = c.run("r1", 1, &base, &[]);
        assert_eq!(out.state, State::ChangesRequested);
        assert_eq!(out.blocked_by, ["bo"]);
        // Resubmitted unchanged: still blocked, waiting in review.
        let mut resubmitted = base.to_vec();
        resubmitted.push(ev(4, "ana", Submitted, "r1"));
        assert_eq!(c.run("r1", 1, &resubmitted, &[]).state, State::InReview);
        // Bo withdraws, or approves: approved.
        for kind in [Withdrawn, Approved] {
            let mut events = base.to_vec();
            events.push(ev(4, "bo", kind, "r1"));
            let out = c.run("r1", 1, &events, &[]);
            assert_eq!(out.state, State::Approved, "{kind:?}");
            assert!(out.blocked_by.is_empty());
        }
        // A change request on an older revision blocks nothing.
        let mut edited = base.to_vec();
        edited.push(ev(4, "ana", Submitted, "r2"));
        edited.push(ev(5, "cy", Approved, "r2"));
        assert_eq!(c.run("r2", 1, &edited, &[]).state, State::Approved);
        // Advisory change requests: today's rule, the approval wins.
        let mut advisory = Case::new();
        advisory.blocking = false;
        let out = advisory.run("r1", 1, &base, &[]);
        assert_eq!(out.state, State::Approved);
        assert!(out.blocked_by.is_empty());
    }

    #[test]
    fn a_withdrawn_approval_no_longer_counts() {
        let c = Case::new();
        let events = [
            ev(1, "ana", Submitted, "r1"),
            ev(2, "bo", Approved, "r1"),
            ev(3, "bo", Withdrawn, "r1"),
        ];
        let out = c.run("r1", 1, &events, &[]);
        assert_eq!(out.state, State::InReview);
        assert_eq!(out.reviews.len(), 2);
        assert_eq!(out.reviews[1].verdict, Withdrawn);
    }

    #[test]
    fn keys_make_signatures_count() {
        let mut c = Case::new();
        c.keyed = ids(&["bo"]);
        let signed = |n, actor: &str, kind, key: Option<&str>| Event {
            signing: match key {
                Some(k) => Signing::Verified { key: k.into() },
                None => Signing::NotVerified {
                    why: "signed by a key that is not bo's".into(),
                },
            },
            ..ev(n, actor, kind, "r1")
        };
        let events = [
            ev(1, "ana", Submitted, "r1"),
            ev(2, "bo", Approved, "r1"),
            signed(3, "bo", Approved, None),
        ];
        let out = c.run("r1", 1, &events, &[]);
        assert_eq!(out.state, State::InReview);
        let whys: Vec<&str> = out.unverified.iter().map(|u| u.why.as_str()).collect();
        assert_eq!(
            whys,
            [
                "unsigned, and bo lists signing keys",
                "signed by a key that is not bo's"
            ]
        );
        let mut good = events.to_vec();
        good.push(signed(4, "bo", Approved, Some("SHA256:k")));
        let out = c.run("r1", 1, &good, &[]);
        assert_eq!(out.state, State::Approved);
        assert_eq!(out.reviews[0].signing.key(), Some("SHA256:k"));
        // Required: ana's unsigned submission counts no more.
        c.required = true;
        let out = c.run("r1", 1, &good, &[]);
        assert!(out.counted.iter().all(|e| e.kind != Submitted));
        assert_eq!(
            out.unverified[0].why,
            "unsigned, and signatures are required"
        );
    }

    #[test]
    fn trailers_round_trip() {
        let message = event_message(
            "fablabs",
            ChangesRequested,
            "abc1230000abc1230000abc1230000abc1230000",
            Some("Voir la section 2."),
        );
        assert!(
            message.starts_with("review(fablabs): changes-requested\n\nVoir la section 2.\n\n")
        );
        let t = parse_trailers(&message).unwrap();
        assert_eq!(
            (t.chapter.as_str(), t.kind, t.revision.as_str()),
            (
                "fablabs",
                ChangesRequested,
                "abc1230000abc1230000abc1230000abc1230000"
            )
        );
        assert_eq!(parse_trailers("fix typo\n\nOuvrage-Chapter: x\n"), None);
    }
}
