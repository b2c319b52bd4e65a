//! URLs, in one place: whether a URL leaves the book, and percent-encoding
//! of paths both ways (RFC 3986, with the `percent-encoding` crate).
//!
//! A bottom module, below every stage that reads or writes a URL: the
//! links pass (which file of the book a link names), the EPUB (each
//! reference checked against what the archive holds, rewritten in its own
//! encoded form) and the preview server (which file a request names).
//! Input: URLs and paths as text; output: text, or a refusal.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// True when `url` starts with a scheme (`https:`, `mailto:`, `data:`):
/// a letter, then letters, digits, `+`, `-` or `.`, then `:` (RFC 3986
/// §3.1). `images/a:b.png` and `#sec:x` have none.
pub fn has_scheme(url: &str) -> bool {
    match url.split_once(':') {
        Some((scheme, _)) => {
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// True when `url` points outside the book: it has a scheme, or it is
/// protocol-relative (`//host/…`, which a browser completes with the
/// page's own scheme).
pub fn is_external(url: &str) -> bool {
    url.starts_with("//") || has_scheme(url)
}

/// What [`encode_path`] escapes: everything but RFC 3986's unreserved
/// characters and `/`.
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// Percent-encodes a path for a URL, keeping `/` and RFC 3986's unreserved
/// characters (`é b.png` → `%C3%A9%20b.png`).
pub fn encode_path(path: &str) -> String {
    utf8_percent_encode(path, PATH).to_string()
}

/// Decodes the `%XX` escapes of a URL's path. A `%` that starts no escape
/// stays as written (`100%.png`), as browsers read it. `None` when the
/// bytes decoded are not UTF-8, which no file name of a book is.
pub fn decode(text: &str) -> Option<String> {
    percent_decode_str(text)
        .decode_utf8()
        .ok()
        .map(|decoded| decoded.into_owned())
}

/// [`decode`], refusing also a `%` that starts no escape (`%zz`, `%2`):
/// the preview server takes a malformed request for no file at all rather
/// than guess.
pub fn decode_strict(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let malformed = bytes.iter().enumerate().any(|(at, b)| {
        *b == b'%'
            && !bytes
                .get(at + 1..at + 3)
                .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit))
    });
    if malformed { None } else { decode(text) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn schemes() {
        assert!(has_scheme("https://example.org"));
        assert!(has_scheme("mailto:a@b"));
        assert!(has_scheme("JavaScript:alert(1)"));
        assert!(has_scheme("data:image/png;base64,x"));
        assert!(has_scheme("x-my.app+1:y"));
        assert!(!has_scheme("02-fablabs.md#x"));
        assert!(!has_scheme("images/a:b.png"));
        assert!(!has_scheme("#sec:x"));
        assert!(!has_scheme(":x"));
        assert!(!has_scheme("1a:x"));
        assert!(!has_scheme("//evil.example"));
        assert!(is_external("//evil.example"));
        assert!(is_external("https://example.org"));
        assert!(!is_external("/etc/passwd"));
        assert!(!is_external("chapters/a.md"));
    }

    #[test]
    fn paths_are_encoded() {
        assert_eq!(encode_path("a/é b.png"), "a/%C3%A9%20b.png");
        assert_eq!(encode_path("A-z_0.9~/x"), "A-z_0.9~/x");
        assert_eq!(encode_path("a%b#c?d"), "a%25b%23c%3Fd");
    }

    #[test]
    fn malformed_escapes_stay_as_written() {
        assert_eq!(decode("a%20b.png").as_deref(), Some("a b.png"));
        assert_eq!(decode("%C3%A9%2").as_deref(), Some("é%2"));
        assert_eq!(decode("100%.png").as_deref(), Some("100%.png"));
        assert_eq!(decode("%zz%").as_deref(), Some("%zz%"));
        assert_eq!(decode("%c3%a9").as_deref(), Some("é"));
        // Not UTF-8 once decoded.
        assert_eq!(decode("%FF.png"), None);
        assert_eq!(decode("%C3"), None);
    }

    #[test]
    fn the_strict_decoder_refuses_what_it_cannot_read() {
        assert_eq!(
            decode_strict("/html/ind%65x.html").as_deref(),
            Some("/html/index.html")
        );
        assert_eq!(
            decode_strict("/html/%2e%2e/x").as_deref(),
            Some("/html/../x")
        );
        for bad in ["/html/%zz", "/a%", "/a%2", "/a%+1", "/a%-1", "/%FF", "/%C3"] {
            assert_eq!(decode_strict(bad), None, "{bad}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

        /// Any path comes back from its encoding, which holds only
        /// unreserved characters, `/` and escapes.
        #[test]
        fn encoding_round_trips(path in "\\PC*") {
            let encoded = encode_path(&path);
            prop_assert!(
                encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~/%".contains(&b)),
                "{}", encoded
            );
            prop_assert_eq!(decode(&encoded), Some(path.clone()));
            prop_assert_eq!(decode_strict(&encoded), Some(path));
        }

        /// The strict decoder reads what the other reads, or nothing; a
        /// decoded path is never longer than its source.
        #[test]
        fn strict_decoding_agrees(text in "[a-z%0-9A-F/é]{0,24}") {
            if let Some(decoded) = decode(&text) {
                prop_assert!(decoded.len() <= text.len());
            }
            if let Some(strict) = decode_strict(&text) {
                prop_assert_eq!(Some(strict), decode(&text));
            }
        }
    }
}
