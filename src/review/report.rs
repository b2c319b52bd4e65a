//! The review report's data (`status --format json`, README "Review in git"): plain,
//! serialisable values, computed from the history by `status` and read by
//! the outputs of a draft build (the site's dashboard and badges, the PDF's
//! footers) through the model.

use serde::Serialize;

use super::{EventKind, Signing, State, Who};

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

/// What an event's signature proves, as reports show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SignatureReport {
    /// `verified` (by one of the actor's `signing-keys`), `unsigned`, or
    /// `unverified` (signed, but the signature proves nothing about the actor).
    pub signature: &'static str,
    /// The key that verified it: an SSH key's `SHA256:` fingerprint, or an
    /// OpenPGP fingerprint.
    pub signer_key: Option<String>,
    /// Why a signature present proves nothing, when it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature_problem: Option<String>,
    /// The commit's committer (who wrote the commit object; a rebase or a
    /// forge's merge makes it differ from the author).
    pub committer: Who,
}

impl SignatureReport {
    /// The report of `signing` on a commit by `committer`.
    pub fn new(signing: &Signing, committer: &Who) -> SignatureReport {
        SignatureReport {
            signature: signing.name(),
            signer_key: signing.key().map(str::to_string),
            signature_problem: match signing {
                Signing::NotVerified { why } => Some(why.clone()),
                _ => None,
            },
            committer: committer.clone(),
        }
    }
}

/// A verified review.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ReviewReport {
    /// Reviewer id.
    pub reviewer: String,
    /// approved, changes-requested, commented, withdrawn.
    pub verdict: EventKind,
    /// Revision reviewed.
    pub revision: String,
    /// Whether it is the current revision.
    pub current: bool,
    /// Event commit.
    pub commit: String,
    /// RFC 3339 date.
    pub date: String,
    /// Its signature and committer.
    #[serde(flatten)]
    pub signed: SignatureReport,
}

/// An event that counts, whatever its kind (submissions and finals too).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct EventReport {
    /// What it says.
    pub event: EventKind,
    /// Contributor id of its actor.
    pub actor: String,
    /// The revision it names.
    pub revision: String,
    /// Event commit.
    pub commit: String,
    /// RFC 3339 date.
    pub date: String,
    /// Its signature and committer.
    #[serde(flatten)]
    pub signed: SignatureReport,
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
    /// Its signature and committer.
    #[serde(flatten)]
    pub signed: SignatureReport,
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
    /// Every event that counts, oldest first.
    pub events: Vec<EventReport>,
    /// Reviewers whose open change request on the current revision holds
    /// back the approval (`[review] change-requests = "blocking"`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blocked_by: Vec<String>,
    /// Commits since the last approval of an older revision.
    pub changed_since_approval: Vec<CommitRef>,
    /// The last commit that changed the chapter.
    pub last_change: Option<CommitRef>,
    /// Events that count for nothing.
    pub unverified: Vec<UnverifiedReport>,
    /// Changes on other branches not in HEAD (with `--all-branches`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unmerged: Vec<UnmergedReport>,
    /// Open comments on the chapter whose authors are verified.
    pub open_comments: usize,
    /// The chapter's comment threads, oldest first (`ouvrage comments`
    /// prints them; the status JSON counts them only).
    #[serde(skip)]
    pub comments: Vec<super::threads::Thread>,
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
    /// Open comments they wrote (on any chapter).
    pub open_comments: usize,
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
    /// `squashed-review-events`: a commit that records no event names review
    /// events in its message (a squash merge swallowed them), so they count
    /// for nothing, until they are recorded again after it.
    /// `amended-review-event`: a review event commit that also changes
    /// files (amended with changes), so it counts for nothing.
    /// `shallow-history`: the clone is shallow, the history cut short.
    /// `mailmap-conflict`: a line of the committed `.mailmap` maps one
    /// contributor's email to another contributor; it is ignored.
    /// `lost-comment-events`: a commit whose message holds comment events
    /// it does not record (a squash merge of comment commits, or an amend):
    /// they are lost.
    /// `dangling-comment-thread`: replies, resolves or reopens of a comment
    /// whose commit is not in the history (a rebase rewrote it): they count
    /// for nothing.
    pub kind: &'static str,
    /// The commit (the history warnings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Contributor id or email of its author.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// RFC 3339 date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The events its message names and that were not recorded again since.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<SwallowedEvent>>,
    /// The file and line it is about (`mailmap-conflict`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Line number, from 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// What happened and what to do, in a sentence.
    pub message: String,
}

impl HistoryWarning {
    /// A warning about the whole history, with no commit.
    pub fn general(kind: &'static str, message: String) -> HistoryWarning {
        HistoryWarning {
            kind,
            commit: None,
            author: None,
            date: None,
            events: None,
            file: None,
            line: None,
            message,
        }
    }
}

/// The whole report (`status --format json`).
#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    /// Book title.
    pub book: String,
    /// HEAD's commit id (null in a repository with no commit yet).
    #[serde(serialize_with = "empty_as_null")]
    pub head: String,
    /// `[review] required-approvals`.
    pub required_approvals: u32,
    /// `[review] signatures`: `when-listed` or `required`.
    pub signatures: &'static str,
    /// `[review] change-requests`: `blocking` or `advisory`.
    pub change_requests: &'static str,
    /// Whether the history is complete: false in a shallow clone, whose
    /// states may miss events before its boundary.
    pub complete_history: bool,
    /// Chapters in reading order.
    pub chapters: Vec<ChapterReport>,
    /// Contributors in file order.
    pub contributors: Vec<ContributorReport>,
    /// Commit authors who are no contributor.
    pub unknown_authors: Vec<UnknownAuthor>,
    /// Review events lost in the history (squash merges).
    pub warnings: Vec<HistoryWarning>,
}

fn empty_as_null<S: serde::Serializer>(value: &str, s: S) -> Result<S::Ok, S::Error> {
    if value.is_empty() {
        s.serialize_none()
    } else {
        s.serialize_str(value)
    }
}
