//! The open comments of a draft chapter, as every draft output prints them
//! (README "Comments and suggested edits"): the PDF's numbered notes at the
//! end of the chapter, the draft site's list under it. Written once here,
//! from the review state a draft model carries.
//!
//! Input: a draft book and one of its chapters. Output: its open comments
//! that count, in the order of the text (orphans last), each numbered, with
//! the text it is on now and the source line, its author's name, its body
//! and suggestion as text.

use serde::Serialize;

use crate::model::{Book, Chapter};
use crate::review::anchor::{self, Found};

/// One open comment, as a draft prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DraftComment {
    /// 1-based, in the chapter.
    pub number: usize,
    /// The comment's id (its commit).
    pub id: String,
    /// Its author's name (the contributor's, or as the commit records it).
    pub author: String,
    /// The text it is on: as it reads now, or as it was when orphaned.
    pub quote: String,
    /// The line of the chapter's file the quote starts on now, none when
    /// orphaned.
    pub line: Option<usize>,
    /// Whether the quoted text is no longer in the chapter.
    pub orphaned: bool,
    /// Its body (Markdown, printed as text).
    pub body: String,
    /// The replacement it suggests.
    pub suggestion: Option<String>,
}

/// `chapter`'s open comments that count, when `book` is a draft (none
/// otherwise: a release build prints none).
pub fn draft_comments(book: &Book, chapter: &Chapter) -> Vec<DraftComment> {
    let Some(report) = &book.review else {
        return Vec::new();
    };
    let text = &book.sources.get(chapter.file).text;
    let mut found: Vec<(Option<usize>, DraftComment)> = report
        .chapters
        .iter()
        .filter(|c| c.id == chapter.id)
        .flat_map(|c| c.comments.iter())
        .filter(|t| t.counts_open())
        .map(|t| {
            let at = anchor::locate(text, &t.anchor);
            let span = at.span.filter(|_| at.found != Found::Orphaned);
            let author = book
                .contributors
                .list
                .iter()
                .find(|c| c.id.value == t.author)
                .map(|c| c.name.clone())
                .unwrap_or_else(|| t.author_name.clone());
            let comment = DraftComment {
                number: 0,
                id: t.id.clone(),
                author,
                quote: match span {
                    Some(s) => text[s.start..s.end].to_string(),
                    None => t.anchor.exact.clone(),
                },
                line: span.map(|s| anchor::line_of(text, s.start)),
                orphaned: span.is_none(),
                body: t.body.clone(),
                suggestion: t.suggestion.clone(),
            };
            (span.map(|s| s.start), comment)
        })
        .collect();
    // In the order of the text; orphans last, oldest first (stable).
    found.sort_by_key(|(at, _)| at.unwrap_or(usize::MAX));
    found
        .into_iter()
        .enumerate()
        .map(|(i, (_, mut c))| {
            c.number = i + 1;
            c
        })
        .collect()
}
