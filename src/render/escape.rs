//! Escaping, in one place. Every piece of chapter text that reaches an output
//! goes through one of these functions: "no input runs code or injects a
//! script" is kept here.

/// Escapes text for an HTML text node.
pub fn html_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_html_text(&mut out, text);
    out
}

/// Appends `text` escaped for an HTML text node.
pub fn push_html_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
}

/// Escapes text for an HTML attribute value, quoted either way, or for
/// HTML text: `&`, `<`, `>`, `"` and `'`, nothing else (MiniJinja's own
/// escaping also writes `/` as `&#x2f;`, which is valid but trips link
/// checkers and scripts reading the raw attribute).
pub fn html_attr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const SAFE_SCHEMES: &[&str] = &["http", "https", "mailto", "tel", "ftp", "ftps"];

/// The URL to put in an `href` or `src`, or `None` if it could run code or
/// load something dangerous (`javascript:`, `vbscript:`, `data:` other than
/// images, `file:`). Browsers ignore tabs and newlines inside a scheme and
/// leading control characters and spaces, so the check does too.
pub fn safe_url(url: &str) -> Option<String> {
    let cleaned: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let scheme_end = cleaned.find([':', '/', '?', '#']);
    if let Some(end) = scheme_end
        && cleaned[end..].starts_with(':')
    {
        let scheme = cleaned[..end].to_ascii_lowercase();
        if SAFE_SCHEMES.contains(&scheme.as_str()) {
            return Some(url.trim().to_string());
        }
        let lower = cleaned.to_ascii_lowercase();
        let safe_image = [
            "data:image/png",
            "data:image/jpeg",
            "data:image/gif",
            "data:image/webp",
        ]
        .iter()
        .any(|p| lower.starts_with(p));
        return safe_image.then(|| cleaned.clone());
    }
    Some(url.trim().to_string())
}

/// A safe URL escaped for an attribute, or `None`.
pub fn url_attr(url: &str) -> Option<String> {
    safe_url(url).map(|u| html_attr(&u))
}

/// Escapes text for Typst markup: every ASCII punctuation character gets a
/// backslash, so that no `#`, `$`, `*`, `_`, `<`, `@`, `[`, `//`, `=`, `-`…
/// can start code, math, markup, a label, a reference or a comment, and no
/// URL is auto-linked. Line breaks become spaces (breaks are our own markup).
pub fn typst_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    push_typst_markup(&mut out, text);
    out
}

/// Appends `text` escaped for Typst markup.
pub fn push_typst_markup(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            // Other control characters are invisible and some break Typst's
            // lexer; drop them.
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
}

/// A Typst string literal, quotes included.
pub fn typst_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Typst label name made of the characters labels allow (letters, digits,
/// `_`, `-`, `:`, `.`); anything else is written as `_xx` hex bytes.
pub fn typst_label(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b':' | b'.' => out.push(b as char),
            _ => out.push_str(&format!("_{b:02x}")),
        }
    }
    out
}

/// True for characters XML 1.0 allows (and HTML does not frown upon).
pub fn is_xml_char(c: char) -> bool {
    match c {
        '\t' | '\n' | '\r' => true,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => false,
        '\u{fffe}' | '\u{ffff}' => false,
        _ => true,
    }
}

/// Appends `text` escaped for an XML text node.
pub fn push_xml_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
}

/// Appends `text` escaped for a double-quoted XML attribute (line breaks
/// and tabs as references, since XML would turn them into spaces).
pub fn push_xml_attr(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_cannot_open_tags() {
        assert_eq!(html_text("<script>&"), "&lt;script&gt;&amp;");
        assert_eq!(html_attr("\" onload='x'"), "&quot; onload=&#39;x&#39;");
    }

    #[test]
    fn xml_escapes() {
        let mut out = String::new();
        push_xml_text(&mut out, "a<b>&c\u{1}\u{ffff}\"'");
        assert_eq!(out, "a&lt;b&gt;&amp;c\"'");
        out.clear();
        push_xml_attr(&mut out, "\"x\"\n\t<'");
        assert_eq!(out, "&quot;x&quot;&#10;&#9;&lt;'");
    }

    #[test]
    fn typst_escapes() {
        assert_eq!(
            typst_markup("#read(\"/x\") // c"),
            "\\#read\\(\\\"\\/x\\\"\\) \\/\\/ c"
        );
        assert_eq!(typst_markup("été\nà"), "été à");
        assert_eq!(typst_string("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
        assert_eq!(typst_label("sec:méthode x"), "sec:m_c3_a9thode_20x");
    }

    #[test]
    fn dangerous_urls_are_refused() {
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "\u{1}javascript:alert(1)",
            "vbscript:msgbox",
            "data:text/html,<script>",
            "file:///etc/passwd",
        ] {
            assert_eq!(safe_url(bad), None, "{bad:?}");
        }
        for good in [
            "https://example.org/a?b#c",
            "mailto:a@b.org",
            "02-b.html#x",
            "#fn-1",
            "img/a:b.png",
            "data:image/png;base64,AA",
        ] {
            assert!(safe_url(good).is_some(), "{good:?}");
        }
    }
}
