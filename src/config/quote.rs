//! Writing values into the files the readers of this module read: one
//! double-quoted string that is both a TOML basic string and a YAML
//! double-quoted scalar, for `init`, `new` and `import`.

/// `text` escaped for the inside of a double-quoted string: `"` and `\`,
/// line breaks and tabs by their letters, any other control character as
/// `\uXXXX` (the escapes TOML and YAML share).
pub fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// `text` as a double-quoted string, read back as the same text by TOML and
/// by YAML (so a title stays a string, whatever it holds).
pub fn double_quoted(text: &str) -> String {
    format!("\"{}\"", escaped(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::value::{Node, Value, parse_toml, parse_yaml};

    fn first_string(node: &Node) -> Option<String> {
        match &node.value {
            Value::Table(entries) => match &entries.first()?.1.value {
                Value::Str(s) => Some(s.clone()),
                _ => None,
            },
            _ => None,
        }
    }

    /// What is written reads back as written, with the project's own TOML
    /// and YAML readers.
    #[test]
    fn both_formats_read_back_the_text() {
        for text in [
            "L'expérience : « x »",
            "a \"b\" \\ c",
            "l1\nl2\tt",
            "ctl \u{7} \u{85} end",
            "yes",
            "3",
        ] {
            let (toml, errors) = parse_toml(&format!("k = {}\n", double_quoted(text)), 0);
            assert!(errors.is_empty(), "TOML: {text:?}");
            assert_eq!(first_string(&toml).as_deref(), Some(text), "TOML: {text:?}");
            let yaml = parse_yaml(&format!("k: {}\n", double_quoted(text)), 0).unwrap();
            assert_eq!(first_string(&yaml).as_deref(), Some(text), "YAML: {text:?}");
        }
    }
}
