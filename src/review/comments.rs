//! Comments anchored on a chapter's text, as review events (README
//! "Comments and suggested edits"): the message a comment, reply, resolve
//! or reopen commit carries, written and read back.
//!
//! Input: a commit message. Output: the [`CommentRecord`] it records, when
//! it is the exact shape `ouvrage` writes. The body is the message's
//! paragraphs between the title and the trailers; the anchor and the
//! suggestion are trailers whose values are percent-encoded (`%`, control
//! characters and white space at either end), so that a quote holding
//! newlines, colons or a blank line stays one trailer line git keeps intact.

use super::trailers::trailers;

/// What a comment event does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CommentKind {
    /// Opens a thread anchored on a quote.
    Comment,
    /// Answers a thread.
    Reply,
    /// Closes a thread.
    Resolve,
    /// Opens a closed thread again.
    Reopen,
}

impl CommentKind {
    /// The name used in the title, the trailer and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            CommentKind::Comment => "comment",
            CommentKind::Reply => "reply",
            CommentKind::Resolve => "resolve",
            CommentKind::Reopen => "reopen",
        }
    }

    /// Parses a trailer value.
    pub fn parse(name: &str) -> Option<CommentKind> {
        Some(match name.trim() {
            "comment" => CommentKind::Comment,
            "reply" => CommentKind::Reply,
            "resolve" => CommentKind::Resolve,
            "reopen" => CommentKind::Reopen,
            _ => return None,
        })
    }
}

/// Where a comment sits: the W3C Web Annotation TextQuoteSelector (the
/// exact quote with a little text before and after it) and the source lines
/// the quote covered in the revision it was made on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Anchor {
    /// The quoted text, as written in the chapter's source.
    pub exact: String,
    /// Text just before it (up to [`CONTEXT_CHARS`] characters).
    pub prefix: String,
    /// Text just after it.
    pub suffix: String,
    /// First line of the quote (1-based, in the chapter's file).
    pub line: usize,
    /// Last line of the quote.
    pub end_line: usize,
}

/// How much context an anchor keeps on each side.
pub const CONTEXT_CHARS: usize = 32;

/// What one comment event commit says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentRecord {
    /// The chapter id.
    pub chapter: String,
    /// Comment, reply, resolve or reopen.
    pub kind: CommentKind,
    /// The chapter's blob id when it was recorded.
    pub revision: String,
    /// The comment a reply, resolve or reopen belongs to (its commit id).
    pub thread: Option<String>,
    /// The anchor of a comment.
    pub anchor: Option<Anchor>,
    /// A replacement suggested for the quote.
    pub suggestion: Option<String>,
    /// The Markdown body (may be empty for resolve and reopen).
    pub body: String,
}

/// Percent-encodes what a trailer value cannot hold: `%`, control
/// characters (newlines among them), and white space at either end (git
/// trims values).
pub fn encode(value: &str) -> String {
    let lead = value.len() - value.trim_start().len();
    let trail = value.trim_end().len();
    let mut out = String::with_capacity(value.len());
    for (i, c) in value.char_indices() {
        let edge = i < lead || i >= trail;
        if c == '%' || (c as u32) < 0x20 || c == '\u{7f}' || (edge && c.is_whitespace()) {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Reverses [`encode`]; a `%` not followed by two hex digits stays as it is.
pub fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The message of a comment event commit.
pub fn comment_message(record: &CommentRecord) -> String {
    let kind = record.kind.name();
    let chapter = &record.chapter;
    let mut message = format!("review({chapter}): {kind}\n\n");
    let body = record.body.trim();
    if !body.is_empty() {
        message.push_str(body);
        message.push_str("\n\n");
    }
    message.push_str(&format!(
        "Ouvrage-Chapter: {chapter}\nOuvrage-Comment: {kind}\nOuvrage-Revision: {}\n",
        record.revision
    ));
    if let Some(thread) = &record.thread {
        message.push_str(&format!("Ouvrage-Thread: {thread}\n"));
    }
    if let Some(a) = &record.anchor {
        message.push_str(&format!("Ouvrage-Quote: {}\n", encode(&a.exact)));
        if !a.prefix.is_empty() {
            message.push_str(&format!("Ouvrage-Prefix: {}\n", encode(&a.prefix)));
        }
        if !a.suffix.is_empty() {
            message.push_str(&format!("Ouvrage-Suffix: {}\n", encode(&a.suffix)));
        }
        message.push_str(&format!("Ouvrage-Lines: {}-{}\n", a.line, a.end_line));
    }
    if let Some(s) = &record.suggestion {
        message.push_str(&format!("Ouvrage-Suggestion: {}\n", encode(s)));
    }
    message
}

fn is_object_id(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The comment event `message` records, if it is one: the exact shape
/// [`comment_message`] writes (its title, each trailer once, object ids
/// in hexadecimal, a quote for a comment, a thread for the others, a body
/// for comments and replies), naming no review event besides.
pub fn parse_comment(message: &str) -> Option<CommentRecord> {
    if !message.contains("Ouvrage-Comment") {
        return None; // the common case, cheaply
    }
    let keys = [
        "ouvrage-chapter",
        "ouvrage-comment",
        "ouvrage-revision",
        "ouvrage-thread",
        "ouvrage-quote",
        "ouvrage-prefix",
        "ouvrage-suffix",
        "ouvrage-lines",
        "ouvrage-suggestion",
    ];
    let mut values: [Option<String>; 9] = Default::default();
    for t in trailers(message) {
        let key = t.key.to_ascii_lowercase();
        let Some(slot) = keys.iter().position(|k| *k == key) else {
            continue;
        };
        if values[slot].replace(t.value).is_some() {
            return None; // said twice
        }
    }
    let [
        chapter,
        kind,
        revision,
        thread,
        quote,
        prefix,
        suffix,
        lines,
        suggestion,
    ] = values;
    let (chapter, kind) = (chapter?, CommentKind::parse(&kind?)?);
    let revision = revision?.to_ascii_lowercase();
    if chapter.is_empty() || !is_object_id(&revision) {
        return None;
    }
    let title = message.lines().next().unwrap_or("").trim_end();
    if title != format!("review({chapter}): {}", kind.name()) {
        return None;
    }
    if !super::events_in_message(message).is_empty() {
        return None;
    }
    let thread = thread.map(|t| t.to_ascii_lowercase());
    let anchor = match (kind, quote, thread.as_deref()) {
        (CommentKind::Comment, Some(quote), None) => {
            let (line, end_line) = lines.as_deref().and_then(|l| {
                let (a, b) = l.split_once('-')?;
                Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
            })?;
            let exact = decode(&quote);
            if exact.is_empty() {
                return None;
            }
            Some(Anchor {
                exact,
                prefix: prefix.as_deref().map(decode).unwrap_or_default(),
                suffix: suffix.as_deref().map(decode).unwrap_or_default(),
                line,
                end_line,
            })
        }
        (CommentKind::Comment, _, _) => return None,
        (_, None, Some(t)) if is_object_id(t) => None,
        _ => return None,
    };
    let body = body_of(message);
    if matches!(kind, CommentKind::Comment | CommentKind::Reply) && body.is_empty() {
        return None;
    }
    Some(CommentRecord {
        chapter,
        kind,
        revision,
        thread,
        anchor,
        suggestion: if kind == CommentKind::Comment {
            suggestion.as_deref().map(decode)
        } else {
            None
        },
        body,
    })
}

/// The paragraphs between the title and the trailer block.
fn body_of(message: &str) -> String {
    let message = message.replace("\r\n", "\n");
    let trimmed = message.trim_end();
    let Some((_, rest)) = trimmed.split_once("\n\n") else {
        return String::new();
    };
    match rest.rfind("\n\n") {
        Some(at) => rest[..at].trim().to_string(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> CommentRecord {
        CommentRecord {
            chapter: "premier".into(),
            kind: CommentKind::Comment,
            revision: "ab".repeat(20),
            thread: None,
            anchor: Some(Anchor {
                exact: "a claim:\n\nwith 100% of\tthis ".into(),
                prefix: " before: ".into(),
                suffix: "".into(),
                line: 3,
                end_line: 5,
            }),
            suggestion: Some("Key: value\n\nreview(premier): approved".into()),
            body: "This needs a source.\n\nOuvrage-Chapter: other\n\n* review(second): final-ish"
                .into(),
        }
    }

    #[test]
    fn encoding_round_trips_and_keeps_one_line() {
        for s in [
            "plain",
            " lead and trail ",
            "a\nb\r\nc",
            "100%",
            "é%zz%4",
            "\t",
        ] {
            let e = encode(s);
            assert!(!e.contains('\n') && e.trim() == e, "{e:?}");
            assert_eq!(decode(&e), s);
        }
    }

    #[test]
    fn a_comment_reads_back_whatever_it_quotes() {
        let record = sample();
        let message = comment_message(&record);
        assert_eq!(parse_comment(&message), Some(record.clone()));
        // The review state machine sees no event in it.
        assert_eq!(super::super::parse_trailers(&message), None);
        // Said twice, another title, no quote, indented: no comment.
        assert_eq!(
            parse_comment(&(message.clone() + "Ouvrage-Lines: 1-1\n")),
            None
        );
        assert_eq!(
            parse_comment(&message.replacen("review(premier): comment", "Relecture", 1)),
            None
        );
        let indented: String = message
            .lines()
            .map(|l| format!("{}{l}\n", if l.starts_with("Ouvrage") { "  " } else { "" }))
            .collect();
        assert_eq!(parse_comment(&indented), None);
        let reply = CommentRecord {
            kind: CommentKind::Reply,
            thread: Some("cd".repeat(20)),
            anchor: None,
            suggestion: None,
            body: "Done.".into(),
            ..record
        };
        assert_eq!(parse_comment(&comment_message(&reply)), Some(reply.clone()));
        let resolve = CommentRecord {
            kind: CommentKind::Resolve,
            body: String::new(),
            ..reply
        };
        assert_eq!(
            parse_comment(&comment_message(&resolve)),
            Some(resolve.clone())
        );
        // A reply with no thread is none.
        let orphan_reply = comment_message(&resolve).replace("Ouvrage-Thread", "Ouvrage-Other");
        assert_eq!(parse_comment(&orphan_reply), None);
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    /// Text with what breaks trailers: newlines, blank lines, colons,
    /// `%`, tabs, spaces at the ends, `Key: value` lines, accents.
    fn awkward() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop_oneof![
                Just("\n".to_string()),
                Just("\n\n".to_string()),
                Just(": ".to_string()),
                Just("%".to_string()),
                Just("%0A".to_string()),
                Just("\t".to_string()),
                Just(" ".to_string()),
                Just("Ouvrage-Quote: x".to_string()),
                Just("Signed-off-by: A <a@x>".to_string()),
                "[a-zé]{1,6}",
            ],
            1..12,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Whatever the quote, context, suggestion and body hold, the
        /// comment reads back as written (the body trimmed), and no review
        /// event is read in it.
        #[test]
        fn any_comment_reads_back(
            exact in awkward(),
            prefix in awkward(),
            suffix in awkward(),
            suggestion in prop::option::of(awkward()),
            body in "[A-Za-z][a-z ]{0,10}",
            tail in awkward(),
        ) {
            prop_assume!(!exact.is_empty());
            let record = CommentRecord {
                chapter: "premier".into(),
                kind: CommentKind::Comment,
                revision: "ab".repeat(20),
                thread: None,
                anchor: Some(Anchor { exact, prefix, suffix, line: 2, end_line: 9 }),
                suggestion,
                body: format!("{body}{tail}").trim().to_string(),
            };
            let message = comment_message(&record);
            prop_assert_eq!(parse_comment(&message), Some(record), "{:?}", message);
            prop_assert_eq!(super::super::parse_trailers(&message), None);
        }
    }
}
