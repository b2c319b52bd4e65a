//! Who recorded an event: the committed `.mailmap` checked against the
//! contributors. A pure function over its text and each contributor's
//! emails; git (in `crate::git::PeopleMap`) applies what is left.
//!
//! A `.mailmap` line may give a person another name, or gather their
//! addresses under one; it may not make one contributor's email resolve to
//! another contributor, since that would let an author record events in a
//! reviewer's name (or the reverse). Such a line is a conflict: `check`
//! reports it as an error at its line, and `status` ignores it and warns.

use std::collections::HashMap;

/// One mapping line of a `.mailmap`, as git reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailmapLine {
    /// Line number, from 1.
    pub line: usize,
    /// Byte offset of the line in the text.
    pub offset: usize,
    /// The line as written.
    pub text: String,
    /// The proper email (the first `<…>` when there are two), lowercase.
    pub proper_email: Option<String>,
    /// The commit email it maps from (the last `<…>`), lowercase.
    pub commit_email: String,
}

/// Reads the mapping lines of `.mailmap` text: `Proper Name <commit@x>`,
/// `<proper@x> <commit@x>`, `Proper Name <proper@x> [Commit Name] <commit@x>`;
/// comments (`#`) and lines without an email are skipped, as git skips them.
pub fn mailmap_lines(text: &str) -> Vec<MailmapLine> {
    let mut out = Vec::new();
    let mut offset = 0;
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        let at = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        if line.trim_start().starts_with('#') {
            continue;
        }
        let mut emails = Vec::new();
        let mut rest = line;
        while let Some(open) = rest.find('<') {
            let Some(close) = rest[open..].find('>') else {
                break;
            };
            emails.push(rest[open + 1..open + close].trim().to_lowercase());
            rest = &rest[open + close + 1..];
        }
        let (proper_email, commit_email) = match emails.len() {
            0 => continue,
            1 => (None, emails[0].clone()),
            _ => (Some(emails[0].clone()), emails[1].clone()),
        };
        out.push(MailmapLine {
            line: i + 1,
            offset: at,
            text: line.to_string(),
            proper_email,
            commit_email,
        });
    }
    out
}

/// A `.mailmap` line that makes one contributor's email another's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailmapConflict {
    /// The line.
    pub line: MailmapLine,
    /// The contributor whose email it maps.
    pub from: String,
    /// The contributor it maps them to.
    pub to: String,
}

impl MailmapConflict {
    /// What is wrong, in a sentence.
    pub fn message(&self) -> String {
        format!(
            "this .mailmap line makes {}'s email <{}> resolve to {} <{}>: events {} records would count as {}'s",
            self.from,
            self.line.commit_email,
            self.to,
            self.line.proper_email.as_deref().unwrap_or(""),
            self.from,
            self.to
        )
    }
}

/// The conflicting lines of `text`, given each contributor's emails.
pub fn mailmap_conflicts(text: &str, emails: &HashMap<&str, &str>) -> Vec<MailmapConflict> {
    mailmap_lines(text)
        .into_iter()
        .filter_map(|line| {
            let from = *emails.get(line.commit_email.as_str())?;
            let to = *emails.get(line.proper_email.as_deref()?)?;
            (from != to).then(|| MailmapConflict {
                from: from.to_string(),
                to: to.to_string(),
                line,
            })
        })
        .collect()
}

/// `text` without the conflicting lines (blanked, so that the others keep
/// their numbers): what git's mailmap is built from.
pub fn without_conflicts(text: &str, conflicts: &[MailmapConflict]) -> String {
    text.split_inclusive('\n')
        .enumerate()
        .map(|(i, line)| {
            if conflicts.iter().any(|c| c.line.line == i + 1) {
                "\n"
            } else {
                line
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_mapping_a_contributor_to_another_is_a_conflict() {
        let text = "# people\nAna Autrice <ana@example.org> <ana@old.example>\n\
                    Bo <bo@example.org> <ana@example.org>\n\
                    <bo@example.org> Bo B. <bo@home.example>\nBo Name <bo@example.org>\n";
        let emails: HashMap<&str, &str> = [
            ("ana@example.org", "ana"),
            ("ana@old.example", "ana"),
            ("bo@example.org", "bo"),
        ]
        .into_iter()
        .collect();
        let conflicts = mailmap_conflicts(text, &emails);
        assert_eq!(conflicts.len(), 1, "{conflicts:?}");
        assert_eq!(conflicts[0].line.line, 3);
        assert_eq!(
            (conflicts[0].from.as_str(), conflicts[0].to.as_str()),
            ("ana", "bo")
        );
        assert_eq!(&text[conflicts[0].line.offset..][..3], "Bo ");
        let kept = without_conflicts(text, &conflicts);
        assert_eq!(kept.lines().count(), text.lines().count());
        assert!(!kept.contains("Bo <bo@example.org> <ana@example.org>"));
        assert!(kept.contains("<bo@home.example>"));
    }
}
