//! Every contributor id named in book.toml or a chapter's front matter is a
//! contributor of contributors.toml; editors and authors are resolved to
//! the book's people, so that no renderer looks a contributor up.

use crate::config::Role;
use crate::diag::{Diagnostic, Sink, Spanned};
use crate::model::{Book, PersonRef};

/// Resolves the editors and each chapter's authors to the book's people.
pub fn resolve_people(book: &mut Book, sink: &mut Sink) {
    check_people(book, sink);
    let resolve = |ids: &[Spanned<String>], people: &[crate::model::Person]| -> Vec<PersonRef> {
        ids.iter()
            .map(|id| PersonRef {
                id: id.value.clone(),
                person: people.iter().position(|p| p.id == id.value),
            })
            .collect()
    };
    book.editors = resolve(&book.config.book.editors, &book.people);
    for chapter in &mut book.chapters {
        chapter.authors = resolve(&chapter.config.authors, &book.people);
    }
}

/// Checks editors, authors and reviewers.
fn check_people(book: &Book, sink: &mut Sink) {
    let people = &book.contributors;
    if missing_file(book, sink) {
        return;
    }
    for editor in &book.config.book.editors {
        people.check_id(editor, "[book] editors", sink);
    }
    // A book that assigns no reviewer at all is not reviewed in git: it is
    // not told so once per chapter.
    let assigns_reviewers = book.chapters.iter().any(|c| !c.config.reviewers.is_empty());
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
            if let Some(person) = people.get(&reviewer.value)
                && !person.roles.contains(&Role::Reviewer)
            {
                // (counted below among the reviewers who cannot approve)
                sink.push(
                    Diagnostic::warning(
                        reviewer.span.clone(),
                        format!("`{}` reviews this chapter but has not the reviewer role", reviewer.value),
                    )
                    .hint(format!(
                        "`ouvrage review` refuses them and their approvals count for nothing: add \"reviewer\" to the roles of [{}] in contributors.toml",
                        reviewer.value
                    )),
                );
            }
        }
        if assigns_reviewers {
            too_few_reviewers(book, chapter, sink);
        }
    }
}

/// A chapter that can never be approved: fewer assigned reviewers who may
/// approve (the reviewer role, not an author) than `[review]
/// required-approvals`.
fn too_few_reviewers(book: &Book, chapter: &crate::model::Chapter, sink: &mut Sink) {
    let required = book.config.review.required_approvals.max(1) as usize;
    let config = &chapter.config;
    let able = config
        .reviewers
        .iter()
        .filter(|r| !config.authors.iter().any(|a| a.value == r.value))
        .filter(|r| {
            book.contributors
                .get(&r.value)
                .is_some_and(|p| p.roles.contains(&Role::Reviewer))
        })
        .count();
    if able >= required {
        return;
    }
    let message = if config.reviewers.is_empty() {
        format!("this chapter has no reviewer, and it needs {required} approval(s)")
    } else {
        format!(
            "this chapter has {able} reviewer(s) who may approve it, and it needs {required} approval(s)"
        )
    };
    let hint = "list them in the front matter, `reviewers: [id, …]` (contributors with the reviewer role, other than its authors), or lower `required-approvals` under [review] in book.toml";
    let at = config
        .reviewers
        .last()
        .or(config.title.as_ref())
        .map(|s| s.span.clone());
    sink.push(match at {
        Some(span) => Diagnostic::warning(span, message).hint(hint),
        None => Diagnostic::warning_in(Some(chapter.path.clone()), message).hint(hint),
    });
}

/// Without contributors.toml, the one fault is the missing file: every id
/// the book names would otherwise be an "unknown contributor" of its own.
/// True when the file is missing and the book names someone.
fn missing_file(book: &Book, sink: &mut Sink) -> bool {
    let file = std::path::Path::new(crate::load::CONTRIBUTORS_FILE);
    if book.sources.find(file).is_some() || book.root.join(file).exists() {
        return false;
    }
    let named = book.config.book.editors.iter().chain(
        book.chapters
            .iter()
            .flat_map(|c| c.config.authors.iter().chain(&c.config.reviewers)),
    );
    let mut ids: Vec<&str> = Vec::new();
    let mut first = None;
    for id in named {
        first.get_or_insert(id.span.clone());
        if !ids.contains(&id.value.as_str()) {
            ids.push(&id.value);
        }
    }
    let Some(span) = first else {
        return false;
    };
    sink.push(
        Diagnostic::error(
            span,
            format!(
                "contributors.toml is missing, and the book names {}: {}",
                if ids.len() == 1 { "a contributor" } else { "contributors" },
                ids.join(", ")
            ),
        )
        .hint("create contributors.toml beside book.toml, with a table per person: [id] name = \"…\" emails = [\"…\"]"),
    );
    true
}
