//! What changed in a chapter's text between two revisions (README
//! "`ouvrage diff`"): the text a reader reads, not the Markdown: each
//! revision is parsed and its blocks taken as plain text, the paragraphs
//! compared, then the words of those that changed (the `similar` crate's
//! Myers diff).
//!
//! Input: two chapter sources (front matter and all) and the book's
//! Markdown settings. Output: the paragraphs that changed as pieces of
//! text ([`DiffPiece`]), printed for a terminal here, shown by the draft
//! site through the model ([`crate::model::SinceApproval`]).

use std::collections::HashMap;

use similar::{Algorithm, ChangeTag, DiffOp, TextDiff};

use crate::config::MarkdownConfig;
use crate::git::Repo;
use crate::model::{Book, DiffPiece, SinceApproval, blocks_text};

/// The plain text of each top-level block of a chapter source, its front
/// matter left out: what the outputs print, without the markup.
pub fn plain_paragraphs(source: &str, markdown: &MarkdownConfig) -> Vec<String> {
    let body = &source[crate::load::body_start(source)..];
    let mut sources = crate::source::Sources::default();
    let file = sources.add("revision.md", body.to_string());
    let positions = crate::parse::Positions::Fixed(crate::diag::Span::new(file, 0..0));
    // A revision that no longer parses cleanly is still compared: its
    // problems are the build's to report, not the diff's.
    let mut sink = crate::diag::Sink::default();
    let parsed = crate::parse::parse_markdown(body, &positions, markdown, &mut sink);
    parsed
        .blocks
        .iter()
        .map(|b| {
            blocks_text(std::slice::from_ref(b))
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|t| !t.is_empty())
        .collect()
}

/// The paragraphs that differ between `old` and `new`, in order: a
/// paragraph edited as its words removed and added, a paragraph added or
/// removed whole as one piece.
pub fn word_diff(old: &[String], new: &[String]) -> Vec<Vec<DiffPiece>> {
    let ops = similar::capture_diff_slices(Algorithm::Myers, old, new);
    let mut out = Vec::new();
    for op in ops {
        match op {
            DiffOp::Equal { .. } => {}
            DiffOp::Delete {
                old_index, old_len, ..
            } => out.extend(
                old[old_index..old_index + old_len]
                    .iter()
                    .map(|p| vec![DiffPiece::Removed(p.clone())]),
            ),
            DiffOp::Insert {
                new_index, new_len, ..
            } => out.extend(
                new[new_index..new_index + new_len]
                    .iter()
                    .map(|p| vec![DiffPiece::Added(p.clone())]),
            ),
            // Paragraphs edited: compared word by word in pairs, in order;
            // those left over were removed or added whole.
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                let paired = old_len.min(new_len);
                for k in 0..paired {
                    out.push(words(&old[old_index + k], &new[new_index + k]));
                }
                out.extend(
                    old[old_index + paired..old_index + old_len]
                        .iter()
                        .map(|p| vec![DiffPiece::Removed(p.clone())]),
                );
                out.extend(
                    new[new_index + paired..new_index + new_len]
                        .iter()
                        .map(|p| vec![DiffPiece::Added(p.clone())]),
                );
            }
        }
    }
    out
}

/// The words of `old` and `new` as pieces: the changed words between two
/// unchanged ones as one removal then one addition ("a [-b c-]{+d e+} f",
/// not "a [-b-]{+d+} [-c-]{+e+} f").
fn words(old: &str, new: &str) -> Vec<DiffPiece> {
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .diff_words(old, new);
    let changes: Vec<(ChangeTag, &str)> = diff
        .iter_all_changes()
        .map(|c| (c.tag(), c.value()))
        .collect();
    let mut out: Vec<DiffPiece> = Vec::new();
    let (mut removed, mut added) = (String::new(), String::new());
    let (mut removed_gap, mut added_gap) = (false, false);
    // White space at the end of a change goes after it: "a {+b+} c", not
    // "a {+b +}c".
    let flush = |out: &mut Vec<DiffPiece>, removed: &mut String, added: &mut String| {
        let mut space = String::new();
        for (text, make) in [
            (removed, DiffPiece::Removed as fn(String) -> DiffPiece),
            (added, DiffPiece::Added as fn(String) -> DiffPiece),
        ] {
            let kept = text.trim_end().len();
            if kept < text.len() && space.is_empty() {
                space = text[kept..].to_string();
            }
            text.truncate(kept);
            if !text.is_empty() {
                out.push(make(std::mem::take(text)));
            }
        }
        if !space.is_empty() {
            out.push(DiffPiece::Same(space));
        }
    };
    for (i, (tag, text)) in changes.iter().enumerate() {
        match tag {
            ChangeTag::Delete => {
                if removed_gap && !removed.is_empty() {
                    removed.push(' ');
                }
                removed_gap = false;
                removed.push_str(text);
            }
            ChangeTag::Insert => {
                if added_gap && !added.is_empty() {
                    added.push(' ');
                }
                added_gap = false;
                added.push_str(text);
            }
            ChangeTag::Equal => {
                let in_change = !removed.is_empty() || !added.is_empty();
                let change_follows = changes
                    .get(i + 1)
                    .is_some_and(|(t, _)| *t != ChangeTag::Equal);
                if in_change && change_follows && text.trim().is_empty() {
                    removed_gap = true;
                    added_gap = true;
                    continue;
                }
                flush(&mut out, &mut removed, &mut added);
                let text = match out.last() {
                    // The space a change gave back, and this one: one.
                    Some(DiffPiece::Same(s)) if s.ends_with(' ') => text.trim_start(),
                    _ => text,
                };
                match out.last_mut() {
                    Some(DiffPiece::Same(s)) => s.push_str(text),
                    _ => out.push(DiffPiece::Same(text.to_string())),
                }
            }
        }
    }
    flush(&mut out, &mut removed, &mut added);
    out
}

/// The revision (a blob id) of `reviewer`'s latest approval of
/// `chapter` that counts, in a review report.
pub fn approved_revision(
    report: &crate::review::report::StatusReport,
    chapter: &str,
    reviewer: &str,
) -> Option<String> {
    report
        .chapters
        .iter()
        .find(|c| c.id == chapter)?
        .reviews
        .iter()
        .rfind(|r| r.reviewer == reviewer && r.verdict == crate::review::EventKind::Approved)
        .map(|r| r.revision.clone())
}

/// Each chapter of a draft `book` whose text changed since the approval of
/// the person making the draft (git's identity in `repo`, a contributor)
/// gets the diff since, for the draft site to show. Nothing outside git,
/// for someone who is no contributor, or on a chapter they did not approve.
pub fn attach_since_approval(book: &mut Book, repo: &Repo) {
    let me = drafting_contributor(book, repo);
    attach_since_approval_as(book, repo, me.as_deref(), &mut Diffs::default());
}

/// The contributor id of git's identity in `repo` (through the book's
/// mailmap), if it is one of the book's contributors.
pub fn drafting_contributor(book: &Book, repo: &Repo) -> Option<String> {
    let person = repo.identity().ok()?;
    let person = crate::status::identities(book, repo)
        .people
        .resolve(&person);
    book.contributors
        .list
        .iter()
        .find(|c| c.emails.contains(&person.email))
        .map(|c| c.id.value.clone())
}

/// Diffs already made, by the two revisions (blob ids) they compare: a
/// long-lived process (`watch`) makes each once, not on every save.
#[derive(Default)]
pub struct Diffs {
    by_revisions: HashMap<(String, String), std::sync::Arc<[Vec<DiffPiece>]>>,
    /// How the Markdown was read when they were made.
    markdown: Option<MarkdownConfig>,
}

/// [`attach_since_approval`] for the contributor `me` (see
/// [`drafting_contributor`]), with the diffs of `diffs` reused and the
/// new ones kept there (only the last build's are kept).
pub fn attach_since_approval_as(book: &mut Book, repo: &Repo, me: Option<&str>, diffs: &mut Diffs) {
    let (Some(report), Some(me)) = (book.review.clone(), me) else {
        return;
    };
    let markdown = book.config.markdown;
    if diffs.markdown != Some(markdown) {
        diffs.by_revisions.clear();
        diffs.markdown = Some(markdown);
    }
    let mut used = HashMap::new();
    for i in 0..book.chapters.len() {
        let chapter = &book.chapters[i];
        let Some(current) = chapter.review.as_ref().map(|r| r.revision.clone()) else {
            continue;
        };
        let Some(approved) = approved_revision(&report, &chapter.id, me) else {
            continue;
        };
        if approved == current {
            continue;
        }
        let key = (approved.clone(), current);
        let paragraphs = match diffs.by_revisions.remove(&key) {
            Some(paragraphs) => paragraphs,
            None => {
                let Some(old) = repo.blob_text(&approved) else {
                    continue;
                };
                let new = &book.sources.get(chapter.file).text;
                word_diff(
                    &plain_paragraphs(&old, &markdown),
                    &plain_paragraphs(new, &markdown),
                )
                .into()
            }
        };
        used.insert(key, paragraphs.clone());
        if paragraphs.is_empty() {
            continue;
        }
        if let Some(review) = book.chapters[i].review.as_mut() {
            review.since_approval = Some(SinceApproval {
                reviewer: me.to_string(),
                revision: approved,
                paragraphs,
            });
        }
    }
    diffs.by_revisions = used;
}

/// The diff for a terminal: with `colour`, removed words red and struck
/// through, added words green; otherwise `[-removed-]` and `{+added+}`.
/// Paragraphs are separated by a blank line; control characters of the
/// text are shown as `\u{…}`.
pub fn terminal(paragraphs: &[Vec<DiffPiece>], colour: bool) -> String {
    let mut out = String::new();
    for (i, paragraph) in paragraphs.iter().enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        }
        for piece in paragraph {
            match (piece, colour) {
                (DiffPiece::Same(t), _) => out.push_str(&printable(t)),
                (DiffPiece::Removed(t), true) => {
                    out.push_str(&format!("\x1b[31;9m{}\x1b[0m", printable(t)))
                }
                (DiffPiece::Added(t), true) => {
                    out.push_str(&format!("\x1b[32;4m{}\x1b[0m", printable(t)))
                }
                (DiffPiece::Removed(t), false) => out.push_str(&format!("[-{}-]", printable(t))),
                (DiffPiece::Added(t), false) => out.push_str(&format!("{{+{}+}}", printable(t))),
            }
        }
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// A piece of the diff as the terminal shows it, on its line.
fn printable(text: &str) -> String {
    crate::diag::printable(text, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paragraphs(text: &str) -> Vec<String> {
        plain_paragraphs(text, &MarkdownConfig::default())
    }

    #[test]
    fn the_text_is_compared_not_the_markup() {
        let old = paragraphs(
            "---\ntitle: T\n---\n\nLes *fablabs* sont des ateliers.\n\nUn second paragraphe.\n\nUn troisième.\n",
        );
        let new = paragraphs(
            "---\ntitle: T2\n---\n\nLes _fablabs_ sont des\nateliers ouverts et libres.\n\nUn troisième.\n\nUn quatrième.\n",
        );
        assert_eq!(old[0], "Les fablabs sont des ateliers.");
        let diff = word_diff(&old, &new);
        // The emphasis written otherwise and the re-wrapped line are no change.
        assert_eq!(
            terminal(&diff, false),
            "Les fablabs sont des [-ateliers.-]{+ateliers ouverts et libres.+}\n\n[-Un second paragraphe.-]\n\n{+Un quatrième.+}\n"
        );
        assert!(terminal(&diff, true).contains("\x1b[31;9mateliers.\x1b[0m"));
        assert!(word_diff(&old, &old).is_empty());
        let inserted = word_diff(
            &["Un paragraphe court.".into()],
            &["Un long paragraphe court.".into()],
        );
        assert_eq!(
            terminal(&inserted, false),
            "Un {+long+} paragraphe court.\n"
        );
    }

    #[test]
    fn control_characters_do_not_reach_the_terminal() {
        let diff = vec![vec![DiffPiece::Added("a\u{1b}[2Jb".into())]];
        assert_eq!(terminal(&diff, false), "{+a\\u{1b}[2Jb+}\n");
    }
}
