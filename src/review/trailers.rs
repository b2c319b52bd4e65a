//! Commit message trailers as git reads them (`git interpret-trailers`,
//! `git log --format=%(trailers)`), and the review event a message records.
//!
//! Input: a commit message. Output: its trailer block (`Key: value` pairs)
//! and, when the message is the exact shape `ouvrage` writes, the event.
//! Only the last paragraph can be trailers, never the title; a trailer line
//! starts with a token of letters, digits and `-` (spaces may follow it)
//! and a `:`; a line starting with white space continues the trailer above.
//! A last paragraph is a trailer block when every line is a trailer (or a
//! continuation), or when a quarter of them are and one is a line git
//! itself generates (`Signed-off-by: `, `(cherry picked from commit `).
//! So trailers quoted by `git merge --squash` (indented) or written in the
//! middle of a message are text, as they are for git.

use super::EventKind;

/// Lines git recognises as its own trailers whatever the configuration.
const GIT_GENERATED: &[&str] = &["Signed-off-by: ", "(cherry picked from commit "];

/// One trailer: its token as written and its value (continuation lines
/// joined with a space).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trailer {
    /// The key, e.g. `Ouvrage-Event`.
    pub key: String,
    /// The value, trimmed.
    pub value: String,
}

/// The position of the `:` that ends a trailer's token, as git's
/// `find_separator` finds it: letters, digits and `-`, then perhaps white
/// space, then the separator; `None` when the line is no trailer.
fn separator(line: &str) -> Option<usize> {
    let mut spaces = false;
    for (i, c) in line.char_indices() {
        if c == ':' {
            return (i >= 1).then_some(i);
        }
        if !spaces && (c.is_ascii_alphanumeric() || c == '-') {
            continue;
        }
        if i != 0 && (c == ' ' || c == '\t') {
            spaces = true;
            continue;
        }
        return None;
    }
    None
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

fn starts_with_space(line: &str) -> bool {
    line.starts_with([' ', '\t'])
}

/// The lines of the trailer block of `message`, if it has one: git's
/// `find_trailer_block_start`, walking the last paragraph upwards.
fn trailer_block(message: &str) -> Option<Vec<&str>> {
    let lines: Vec<&str> = message.lines().collect();
    // The first paragraph is the title and cannot be trailers.
    let end_of_title = lines.iter().position(|l| is_blank(l))?;
    let (mut trailer_lines, mut non_trailer_lines, mut continuations) = (0usize, 0usize, 0usize);
    let mut recognized = false;
    let mut only_spaces = true;
    let mut end = lines.len();
    for i in (end_of_title..lines.len()).rev() {
        let line = lines[i];
        if is_blank(line) {
            if only_spaces {
                end = i;
                continue;
            }
            non_trailer_lines += continuations;
            let accepted = (recognized && trailer_lines * 3 >= non_trailer_lines)
                || (trailer_lines > 0 && non_trailer_lines == 0);
            return accepted.then(|| lines[i + 1..end].to_vec());
        }
        only_spaces = false;
        if GIT_GENERATED.iter().any(|p| line.starts_with(p)) {
            trailer_lines += 1;
            continuations = 0;
            recognized = true;
            continue;
        }
        if separator(line).is_some() && !starts_with_space(line) {
            trailer_lines += 1;
            continuations = 0;
        } else if starts_with_space(line) {
            continuations += 1;
        } else {
            non_trailer_lines += 1 + continuations;
            continuations = 0;
        }
    }
    None
}

/// The trailers of `message`, in order, as git reads them; empty when its
/// last paragraph is no trailer block.
pub fn trailers(message: &str) -> Vec<Trailer> {
    let Some(block) = trailer_block(message) else {
        return Vec::new();
    };
    let mut out: Vec<Trailer> = Vec::new();
    let mut continues = false;
    for line in block {
        if starts_with_space(line) {
            if continues && let Some(last) = out.last_mut() {
                last.value = format!("{} {}", last.value, line.trim()).trim().to_string();
            }
            continue;
        }
        match separator(line) {
            Some(at) => {
                out.push(Trailer {
                    key: line[..at].trim().to_string(),
                    value: line[at + 1..].trim().to_string(),
                });
                continues = true;
            }
            None => continues = false,
        }
    }
    out
}

/// The `Ouvrage-*` trailers of a review event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trailers {
    /// `Ouvrage-Chapter`.
    pub chapter: String,
    /// `Ouvrage-Event`.
    pub kind: EventKind,
    /// `Ouvrage-Revision`: the chapter's blob id.
    pub revision: String,
}

/// The review event `message` records, if it is one: its trailer block
/// holds `Ouvrage-Chapter`, `Ouvrage-Event` and `Ouvrage-Revision` once
/// each (the revision a hexadecimal object id), its title is the event's
/// own `review(chapter): event`, and it names no other event (a squash
/// message that happens to end with one event's trailers records none).
pub fn parse_trailers(message: &str) -> Option<Trailers> {
    let (mut chapter, mut kind, mut revision) = (None, None, None);
    for t in trailers(message) {
        let slot = match t.key.to_ascii_lowercase().as_str() {
            "ouvrage-chapter" => &mut chapter,
            "ouvrage-event" => &mut kind,
            "ouvrage-revision" => &mut revision,
            _ => continue,
        };
        if slot.replace(t.value).is_some() {
            return None; // said twice: no event
        }
    }
    let (chapter, kind, revision) = (chapter?, EventKind::parse(&kind?)?, revision?);
    let revision = revision.to_ascii_lowercase();
    let hex = revision.bytes().all(|b| b.is_ascii_hexdigit());
    if chapter.is_empty() || !hex || !(revision.len() == 40 || revision.len() == 64) {
        return None;
    }
    let title = message.lines().next().unwrap_or("").trim_end();
    if title != format!("review({chapter}): {}", kind.name()) {
        return None;
    }
    if super::events_in_message(message) != [(chapter.clone(), kind)] {
        return None;
    }
    Some(Trailers {
        chapter,
        kind,
        revision,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(message: &str) -> Vec<(String, String)> {
        trailers(message)
            .into_iter()
            .map(|t| (t.key, t.value))
            .collect()
    }

    #[test]
    fn the_last_paragraph_only() {
        let m = "Title\n\nKey: early\n\nBody text.\n\nA: 1\nB-c : two\n  continued\n";
        assert_eq!(
            keys(m),
            [
                ("A".to_string(), "1".to_string()),
                ("B-c".to_string(), "two continued".to_string())
            ]
        );
        // A title alone is never trailers.
        assert!(keys("Key: value\n").is_empty());
        // Indented lines are no trailers (what `git merge --squash` quotes).
        assert!(keys("Squashed\n\n    Ouvrage-Event: approved\n").is_empty());
        // A paragraph mixing text and trailers is no block…
        assert!(keys("T\n\nSome text\nKey: v\n").is_empty());
        // …unless git generated one of them and a quarter are trailers.
        assert_eq!(
            keys("T\n\nSome text\nSigned-off-by: A <a@x>\n").len(),
            1,
            "git's own trailer makes the block"
        );
        // Trailing blank lines are ignored.
        assert_eq!(keys("T\n\nK: v\n\n\n").len(), 1);
        // `http://x` is no token (the `/` after the colon is fine, but a
        // space inside a token is not).
        assert!(keys("T\n\nnot a: trailer\n").is_empty());
    }

    #[test]
    fn an_event_is_the_exact_shape_ouvrage_writes() {
        let rev = "1f3c".repeat(10);
        let good = super::super::event_message("fablabs", EventKind::Approved, &rev, Some("Bien."));
        let t = parse_trailers(&good).expect("an event");
        assert_eq!(t.chapter, "fablabs");
        // Another title, a quoted block, a second event named, a bad id.
        let other_title = good.replacen("review(fablabs): approved", "Relecture (#3)", 1);
        assert_eq!(parse_trailers(&other_title), None);
        let indented: String = good
            .lines()
            .map(|l| {
                if l.starts_with("Ouvrage") {
                    format!("    {l}\n")
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        assert_eq!(parse_trailers(&indented), None);
        let two = good.replacen("Bien.", "Bien.\n\n* review(fablabs): submitted", 1);
        assert_eq!(parse_trailers(&two), None);
        let short = good.replace(&rev, "1f3c");
        assert_eq!(parse_trailers(&short), None);
        let twice = good.clone() + "Ouvrage-Event: final\n";
        assert_eq!(parse_trailers(&twice), None);
    }
}

/// Messages made of paragraphs of text, trailers, indented trailers
/// (as `git merge --squash` quotes them) and quoted ones (`> `).
#[cfg(test)]
pub mod strategies {
    use proptest::prelude::*;

    fn token() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("Ouvrage-Chapter".to_string()),
            Just("Ouvrage-Event".to_string()),
            Just("Ouvrage-Revision".to_string()),
            Just("Signed-off-by".to_string()),
            "[A-Z][a-z]{0,6}(-[a-z]{1,5})?",
        ]
    }

    fn line() -> impl Strategy<Value = String> {
        let value = "[a-z0-9 ]{0,12}";
        prop_oneof![
            3 => (token(), value).prop_map(|(k, v)| format!("{k}: {v}").trim_end().to_string()),
            1 => (token(), value).prop_map(|(k, v)| format!("    {k}: {v}").trim_end().to_string()),
            1 => (token(), value).prop_map(|(k, v)| format!("> {k}: {v}").trim_end().to_string()),
            1 => (token(), value).prop_map(|(k, v)| format!("{k} : {v}").trim_end().to_string()),
            1 => "  [a-z]{1,8}( [a-z]{1,8})?",
            2 => "[A-Za-z][a-z]{0,8}( [a-z]{1,8}){0,4}[.]?",
            1 => Just("(cherry picked from commit 1f3c)".to_string()),
        ]
    }

    /// A commit message: a title, then paragraphs of such lines.
    pub fn message() -> impl Strategy<Value = String> {
        (
            "[A-Za-z][a-z]{0,10}( [a-z]{1,6}){0,3}",
            prop::collection::vec(prop::collection::vec(line(), 1..5), 0..4),
        )
            .prop_map(|(title, paragraphs)| {
                let mut m = title;
                m.push('\n');
                for p in paragraphs {
                    m.push('\n');
                    for l in p {
                        m.push_str(&l);
                        m.push('\n');
                    }
                }
                m
            })
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// No trailer comes from an indented or quoted line, from the
        /// title, or from any paragraph but the last.
        #[test]
        fn trailers_come_from_the_last_paragraph(message in strategies::message()) {
            let found = trailers(&message);
            let paragraphs: Vec<&str> = message.trim_end().split("\n\n").collect();
            let last = if paragraphs.len() > 1 { *paragraphs.last().unwrap() } else { "" };
            for t in &found {
                let written = last.lines().any(|l| {
                    !l.starts_with([' ', '\t', '>'])
                        && l.split_once(':').is_some_and(|(k, _)| k.trim() == t.key)
                });
                prop_assert!(written, "{:?} is not an unindented line of the last paragraph of {:?}", t, message);
            }
        }

        /// An event `ouvrage` writes, whatever the note, is read back; the
        /// same trailers indented, quoted, or followed by another
        /// paragraph are text, and the message records no event.
        #[test]
        fn events_survive_notes_and_quoting_kills_them(
            note in "[A-Za-z][a-z ]{0,20}(\n[A-Za-z][a-z :]{0,20}){0,3}",
            how in 0..3u8,
            after in "[A-Z][a-z ]{1,20}",
        ) {
            let rev = "ab".repeat(20);
            let message = super::super::event_message("premier", EventKind::Approved, &rev, Some(&note));
            let t = parse_trailers(&message);
            prop_assert!(t.is_some(), "{:?}", message);
            let moved: String = match how {
                0 => message.lines().map(|l| if l.starts_with("Ouvrage-") { format!("    {l}\n") } else { format!("{l}\n") }).collect(),
                1 => message.lines().map(|l| if l.starts_with("Ouvrage-") { format!("> {l}\n") } else { format!("{l}\n") }).collect(),
                _ => format!("{message}\n{after}\n"),
            };
            prop_assert_eq!(parse_trailers(&moved), None, "{:?}", moved);
        }
    }
}
