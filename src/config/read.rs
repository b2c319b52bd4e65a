//! Typed reading of a [`Node`] tree, with one diagnostic per fault.
//!
//! Each getter returns `None` (and records an error) when a value has the
//! wrong type, so that validation goes on and every fault of a file is
//! reported in one run.

use super::value::{Key, Node, Value};
use crate::diag::{Diagnostic, Sink, Span, Spanned};
use crate::source::FileId;

/// Reads typed values out of one file's tree, pushing diagnostics to a sink.
pub struct Reader<'s> {
    /// The file being read.
    pub file: FileId,
    /// Where faults go.
    pub sink: &'s mut Sink,
}

/// A table's entries.
pub type Entries = [(Key, Node)];

impl Reader<'_> {
    /// The span of a node in this file.
    pub fn span(&self, range: &std::ops::Range<usize>) -> Span {
        Span::new(self.file, range.clone())
    }

    /// Records an error at `range`.
    pub fn error(&mut self, range: &std::ops::Range<usize>, message: impl Into<String>) {
        let span = self.span(range);
        self.sink.push(Diagnostic::error(span, message));
    }

    fn wrong_type(&mut self, key: &str, node: &Node, expected: &str) {
        let span = self.span(&node.span);
        self.sink.push(
            Diagnostic::error(
                span,
                format!("`{key}` must be {expected}, not {}", node.value.kind()),
            )
            .hint(format!("write `{key}` as {expected}")),
        );
    }

    /// The entries of a table node, or an error if it is something else.
    pub fn table<'n>(&mut self, name: &str, node: &'n Node) -> Option<&'n Entries> {
        match &node.value {
            Value::Table(entries) => Some(entries),
            _ => {
                self.wrong_type(name, node, "a table");
                None
            }
        }
    }

    /// Reports every key of `entries` not in `known`, with the closest known key,
    /// and every key written twice.
    pub fn check_keys(&mut self, entries: &Entries, known: &[&str], section: &str) {
        for (i, (key, _)) in entries.iter().enumerate() {
            if !known.contains(&key.name.as_str()) {
                let span = self.span(&key.span);
                self.sink.push(
                    Diagnostic::error(span, format!("unknown key `{}` in {section}", key.name))
                        .suggest(&key.name, known.iter().copied())
                        .hint(format!("the keys of {section} are: {}", known.join(", "))),
                );
            } else if entries[..i].iter().any(|(k, _)| k.name == key.name) {
                let span = self.span(&key.span);
                self.sink.push(Diagnostic::error(
                    span,
                    format!("`{}` is given twice in {section}", key.name),
                ));
            }
        }
    }

    /// The node under `key`, if present.
    pub fn get<'n>(entries: &'n Entries, key: &str) -> Option<&'n Node> {
        entries.iter().find(|(k, _)| k.name == key).map(|(_, v)| v)
    }

    /// A string value.
    pub fn string(&mut self, entries: &Entries, key: &str) -> Option<Spanned<String>> {
        let node = Self::get(entries, key)?;
        match &node.value {
            Value::Str(s) => Some(Spanned::new(s.clone(), self.span(&node.span))),
            Value::Null => None,
            _ => {
                self.wrong_type(key, node, "a string");
                None
            }
        }
    }

    /// A boolean value.
    pub fn boolean(&mut self, entries: &Entries, key: &str) -> Option<bool> {
        let node = Self::get(entries, key)?;
        match &node.value {
            Value::Bool(b) => Some(*b),
            _ => {
                self.wrong_type(key, node, "`true` or `false`");
                None
            }
        }
    }

    /// A non-negative integer value.
    pub fn integer(&mut self, entries: &Entries, key: &str) -> Option<Spanned<i64>> {
        let node = Self::get(entries, key)?;
        match &node.value {
            Value::Int(n) if *n >= 0 => Some(Spanned::new(*n, self.span(&node.span))),
            Value::Int(n) => {
                let span = self.span(&node.span);
                self.sink.push(
                    Diagnostic::error(span, format!("`{key}` cannot be negative ({n})"))
                        .hint(format!("write `{key}` as a number of zero or more")),
                );
                None
            }
            _ => {
                self.wrong_type(key, node, "a whole number");
                None
            }
        }
    }

    /// A length with its unit (`"148mm"`, `"10pt"`). A bare number is
    /// refused with the same number and `unit` suggested, since TOML reads
    /// `10` as a number, not as a length.
    pub fn length(&mut self, entries: &Entries, key: &str, unit: &str) -> Option<Spanned<String>> {
        let node = Self::get(entries, key)?;
        let number = match &node.value {
            Value::Int(n) => Some(n.to_string()),
            Value::Float(f) => Some(f.to_string()),
            _ => None,
        };
        if let Some(number) = number {
            let span = self.span(&node.span);
            self.sink.push(
                Diagnostic::error(
                    span,
                    format!("`{key}` must be a length with its unit, not a bare number"),
                )
                .hint(format!("write `{key} = \"{number}{unit}\"`")),
            );
            return None;
        }
        let value = self.string(entries, key)?;
        if !is_length(&value.value) {
            self.sink.push(
                Diagnostic::error(
                    value.span.clone(),
                    format!("`{}` is not a length", value.value),
                )
                .hint(format!(
                    "write a number and a unit, e.g. \"148mm\" or \"10{unit}\""
                )),
            );
            return None;
        }
        Some(value)
    }

    /// A list of strings; a single string is taken as a list of one.
    pub fn strings(&mut self, entries: &Entries, key: &str) -> Option<Vec<Spanned<String>>> {
        let node = Self::get(entries, key)?;
        match &node.value {
            Value::Str(s) => Some(vec![Spanned::new(s.clone(), self.span(&node.span))]),
            Value::Null => Some(Vec::new()),
            Value::Array(items) => {
                let mut out = Vec::new();
                for item in items {
                    match &item.value {
                        Value::Str(s) => out.push(Spanned::new(s.clone(), self.span(&item.span))),
                        _ => self.wrong_type(key, item, "a list of strings"),
                    }
                }
                Some(out)
            }
            _ => {
                self.wrong_type(key, node, "a list of strings");
                None
            }
        }
    }

    /// A list of tables (TOML `[[part]]`).
    pub fn tables<'n>(&mut self, entries: &'n Entries, key: &str) -> Vec<&'n Node> {
        let Some(node) = Self::get(entries, key) else {
            return Vec::new();
        };
        match &node.value {
            Value::Array(items) => items
                .iter()
                .filter(|item| {
                    let ok = matches!(item.value, Value::Table(_));
                    if !ok {
                        self.wrong_type(key, item, "a table");
                    }
                    ok
                })
                .collect(),
            _ => {
                self.wrong_type(key, node, "an array of tables ([[part]])");
                Vec::new()
            }
        }
    }
}

/// True for a valid contributor or chapter id: lowercase ASCII letters, digits and `-`.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// True for a length the outputs understand, in book.toml (`[pdf] width`,
/// `height`, `font-size`) as in an image's `{width=…}`: a number and a unit
/// of `%`, `cm`, `mm`, `in`, `pt`, `em` or `px` (a bare number is pixels).
pub fn is_length(size: &str) -> bool {
    let number_end = size
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(size.len());
    let (number, unit) = size.split_at(number_end);
    number.parse::<f64>().is_ok_and(|n| n > 0.0)
        && matches!(unit, "" | "%" | "cm" | "mm" | "in" | "pt" | "em" | "px")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::value::parse_toml;
    use crate::source::Sources;

    #[test]
    fn every_fault_of_a_table_is_reported() {
        let mut sources = Sources::default();
        let text = "titel = 1\nyear = \"x\"\nsearch = 3\n";
        let file = sources.add("book.toml", text.into());
        let (root, _) = parse_toml(text, 0);
        let mut sink = Sink::default();
        let mut r = Reader {
            file,
            sink: &mut sink,
        };
        let Value::Table(entries) = &root.value else {
            panic!()
        };
        r.check_keys(entries, &["title", "year", "search"], "[book]");
        assert_eq!(r.integer(entries, "year"), None);
        assert_eq!(r.boolean(entries, "search"), None);
        let messages: Vec<_> = sink.diagnostics().iter().map(|d| &d.message).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(sink.diagnostics()[0].hints[0].contains("`title`"));
    }

    #[test]
    fn ids() {
        assert!(is_valid_id("fablabs-2"));
        assert!(!is_valid_id("Fablabs"));
        assert!(!is_valid_id("é"));
        assert!(!is_valid_id(""));
    }

    #[test]
    fn lengths() {
        for good in ["148mm", "10pt", "50%", "1.5em", "300", "2in"] {
            assert!(is_length(good), "{good}");
        }
        for bad in ["", "0mm", "mm", "10 pt", "-3cm", "1e3px", "12pc", "1..2cm"] {
            assert!(!is_length(bad), "{bad}");
        }
    }
}
