//! Every contributor id named in book.toml or a chapter's front matter is a
//! contributor of contributors.toml.

use crate::diag::{Diagnostic, Sink};
use crate::model::Book;

/// Checks editors, authors and reviewers.
pub fn check_people(book: &Book, sink: &mut Sink) {
    let people = &book.contributors;
    for editor in &book.config.book.editors {
        people.check_id(editor, "[book] editors", sink);
    }
    for chapter in &book.chapters {
        for author in &chapter.config.authors {
            people.check_id(author, "authors", sink);
        }
        for reviewer in &chapter.config.reviewers {
            if people.check_id(reviewer, "reviewers", sink)
                && chapter
                    .config
                    .authors
                    .iter()
                    .any(|a| a.value == reviewer.value)
            {
                sink.push(
                    Diagnostic::warning(
                        reviewer.span.clone(),
                        format!("`{}` is both an author and a reviewer of this chapter", reviewer.value),
                    )
                    .hint("a reviewer's approval of their own chapter will not count; assign someone else"),
                );
            }
        }
    }
}
