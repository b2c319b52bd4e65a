//! The review report's data (`status --format json`, SPEC §6): plain,
//! serialisable values, computed from the history by `status` and read by
//! the outputs of a draft build (the site's dashboard and badges, the PDF's
//! footers) through the model.

use serde::Serialize;

use super::{EventKind, State};

/// A commit as reports show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CommitRef {
    /// Commit id.
    pub commit: String,
    /// Contributor id, or the raw email.
    pub author: String,
    /// RFC 3339 date.
    pub date: String,
    /// Seconds since the epoch, for sorting and relative dates.
    #[serde(skip)]
    pub time: i64,
}

/// A verified review.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ReviewReport {
    /// Reviewer id.
    pub reviewer: String,
    /// approved, changes-requested, commented.
    pub verdict: EventKind,
    /// Revision reviewed.
    pub revision: String,
    /// Whether it is the current revision.
    pub current: bool,
    /// Event commit.
    pub commit: String,
    /// RFC 3339 date.
    pub date: String,
}

/// An event that counts for nothing.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UnverifiedReport {
    /// Event commit.
    pub commit: String,
    /// Its author email.
    pub email: String,
    /// What it claimed.
    pub event: EventKind,
    /// Why it does not count.
    pub why: String,
}

/// A change to the chapter on another branch (`--all-branches`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UnmergedReport {
    /// Branch name.
    pub branch: String,
    /// Commit id.
    pub commit: String,
    /// Contributor id or email.
    pub author: String,
    /// RFC 3339 date.
    pub date: String,
}

/// One chapter's status.
#[derive(Debug, Clone, Serialize)]
pub struct ChapterReport {
    /// Chapter id.
    pub id: String,
    /// Path relative to the book root.
    pub path: String,
    /// Title.
    pub title: String,
    /// State.
    pub state: State,
    /// Blob id of the file in HEAD, null if not committed.
    pub revision: Option<String>,
    /// Word count.
    pub words: usize,
    /// Author ids.
    pub authors: Vec<String>,
    /// Assigned reviewer ids.
    pub reviewers: Vec<String>,
    /// Verified reviews, oldest first.
    pub reviews: Vec<ReviewReport>,
    /// Commits since the last approval of an older revision.
    pub changed_since_approval: Vec<CommitRef>,
    /// The last commit that changed the chapter.
    pub last_change: Option<CommitRef>,
    /// Events that count for nothing.
    pub unverified: Vec<UnverifiedReport>,
    /// Changes on other branches not in HEAD (with `--all-branches`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unmerged: Vec<UnmergedReport>,
}

/// A chapter and its state, in a contributor's report.
#[derive(Debug, Clone, Serialize)]
pub struct AuthoredReport {
    /// Chapter id.
    pub chapter: String,
    /// Its state.
    pub state: State,
}

/// A contributor's latest review of a chapter.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewedReport {
    /// Chapter id.
    pub chapter: String,
    /// Latest verdict.
    pub verdict: EventKind,
    /// Whether it is of the current revision.
    pub current: bool,
}

/// One contributor's activity.
#[derive(Debug, Clone, Serialize)]
pub struct ContributorReport {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Chapters they wrote.
    pub authored: Vec<AuthoredReport>,
    /// Chapters assigned to them whose current revision they have not approved.
    pub to_review: Vec<String>,
    /// Their latest review of each chapter.
    pub reviewed: Vec<ReviewedReport>,
    /// Commits they authored.
    pub commits: usize,
    /// Date of their latest commit.
    pub last_activity: Option<String>,
}

/// A commit author who is no contributor.
#[derive(Debug, Clone, Serialize)]
pub struct UnknownAuthor {
    /// Email.
    pub email: String,
    /// Name as recorded.
    pub name: String,
    /// Number of commits.
    pub commits: usize,
}

/// One review event named in a commit that swallowed it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SwallowedEvent {
    /// Chapter id, as the message names it.
    pub chapter: String,
    /// The event.
    pub event: EventKind,
}

/// Something in the history that the states cannot account for.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct HistoryWarning {
    /// `squashed-review-events`: a commit that changes chapters names review
    /// events in its message (a squash merge swallowed them), so they count
    /// for nothing.
    pub kind: &'static str,
    /// The commit.
    pub commit: String,
    /// Contributor id or email of its author.
    pub author: String,
    /// RFC 3339 date.
    pub date: String,
    /// The events its message names.
    pub events: Vec<SwallowedEvent>,
    /// What happened and what to do, in a sentence.
    pub message: String,
}

/// The whole report (`status --format json`).
#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    /// Book title.
    pub book: String,
    /// HEAD's commit id.
    pub head: String,
    /// `[review] required-approvals`.
    pub required_approvals: u32,
    /// Chapters in reading order.
    pub chapters: Vec<ChapterReport>,
    /// Contributors in file order.
    pub contributors: Vec<ContributorReport>,
    /// Commit authors who are no contributor.
    pub unknown_authors: Vec<UnknownAuthor>,
    /// Review events lost in the history (squash merges).
    pub warnings: Vec<HistoryWarning>,
}
