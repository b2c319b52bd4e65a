//! A spanned value tree shared by TOML and YAML inputs.
//!
//! book.toml, contributors.toml and the chapters' front matter are first read
//! into [`Node`]s that remember the byte range each key and value came from.
//! Validation then walks the tree and reports *every* unknown key and wrong
//! type at its own line, which serde's derive (stopping at the first error)
//! cannot do.

use std::ops::Range;

/// A value with the byte range it was written at.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Byte range in the file (not in the front matter alone).
    pub span: Range<usize>,
}

/// A key of a table, with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// The key as written.
    pub name: String,
    /// Byte range in the file.
    pub span: Range<usize>,
}

/// The values that TOML and YAML have in common.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// YAML `null` or `~`, or an empty value.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer that fits in 64 bits.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string.
    Str(String),
    /// A TOML date or time, kept as written.
    Datetime(String),
    /// An array or sequence.
    Array(Vec<Node>),
    /// A table or mapping, in the order written.
    Table(Vec<(Key, Node)>),
}

impl Value {
    /// How a person names this kind of value in an error message.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "nothing",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Datetime(_) => "a date",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }
}

/// A syntax error in a TOML or YAML input.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    /// What the parser said.
    pub message: String,
    /// Where, in bytes of the file.
    pub span: Range<usize>,
}

/// Parses TOML `text`, which starts at byte `offset` of its file.
///
/// Recovers from errors so that several syntax errors are reported at once.
pub fn parse_toml(text: &str, offset: usize) -> (Node, Vec<SyntaxError>) {
    let (table, errors) = toml::de::DeTable::parse_recoverable(text);
    let errors = errors
        .into_iter()
        .map(|e| SyntaxError {
            message: e.message().trim().to_string(),
            span: e
                .span()
                .map(|r| r.start + offset..r.end + offset)
                .unwrap_or(offset..offset),
        })
        .collect();
    let span = table.span();
    let node = Node {
        value: toml_table(table.get_ref(), offset),
        span: span.start + offset..span.end + offset,
    };
    (node, errors)
}

fn toml_table(table: &toml::de::DeTable<'_>, offset: usize) -> Value {
    Value::Table(
        table
            .iter()
            .map(|(k, v)| {
                let ks = k.span();
                let key = Key {
                    name: k.get_ref().to_string(),
                    span: ks.start + offset..ks.end + offset,
                };
                (key, toml_node(v, offset))
            })
            .collect(),
    )
}

fn toml_node(value: &toml::Spanned<toml::de::DeValue<'_>>, offset: usize) -> Node {
    use toml::de::DeValue;
    let span = value.span();
    let value = match value.get_ref() {
        DeValue::String(s) => Value::Str(s.to_string()),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Value::Int(n),
            Err(_) => Value::Float(f64::NAN),
        },
        DeValue::Float(f) => Value::Float(f.as_str().parse().unwrap_or(f64::NAN)),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::Datetime(d.to_string()),
        DeValue::Array(items) => Value::Array(items.iter().map(|v| toml_node(v, offset)).collect()),
        DeValue::Table(t) => toml_table(t, offset),
    };
    Node {
        value,
        span: span.start + offset..span.end + offset,
    }
}

/// Parses YAML `text` (one document), which starts at byte `offset` of its file.
///
/// Anchors and aliases are refused: front matter has no use for them, and
/// refusing them rules out alias bombs.
pub fn parse_yaml(text: &str, offset: usize) -> Result<Node, SyntaxError> {
    use saphyr_parser::{Event, Parser};
    // saphyr counts positions in characters; turn them into bytes.
    let char_to_byte: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    let byte = |chars: usize| offset + char_to_byte.get(chars).copied().unwrap_or(text.len());

    enum Frame {
        Seq(Vec<Node>, usize),
        Map(Vec<(Key, Node)>, Option<Key>, usize),
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Node> = None;

    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| SyntaxError {
            message: e.info().to_string(),
            span: byte(e.marker().index())..byte(e.marker().index()),
        })?;
        let start = byte(span.start.index());
        let end = byte(span.end.index());
        let finished = match event {
            Event::Alias(_) => {
                return Err(SyntaxError {
                    message: "YAML aliases are not supported in front matter".into(),
                    span: start..end,
                });
            }
            Event::Scalar(value, style, anchor, _tag) => {
                if anchor != 0 {
                    return Err(SyntaxError {
                        message: "YAML anchors are not supported in front matter".into(),
                        span: start..end,
                    });
                }
                let plain = matches!(style, saphyr_parser::ScalarStyle::Plain);
                Some(Node {
                    value: yaml_scalar(&value, plain),
                    span: start..end.max(start + value.len().min(1)),
                })
            }
            Event::SequenceStart(..) => {
                stack.push(Frame::Seq(Vec::new(), start));
                None
            }
            Event::MappingStart(..) => {
                stack.push(Frame::Map(Vec::new(), None, start));
                None
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq(items, s)) => Some(Node {
                    value: Value::Array(items),
                    span: s..end.max(s),
                }),
                _ => None,
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map(entries, _, s)) => Some(Node {
                    value: Value::Table(entries),
                    span: s..end.max(s),
                }),
                _ => None,
            },
            _ => None,
        };
        let Some(node) = finished else { continue };
        match stack.last_mut() {
            Some(Frame::Seq(items, _)) => items.push(node),
            Some(Frame::Map(entries, pending, _)) => match pending.take() {
                Some(key) => entries.push((key, node)),
                None => {
                    let name = match &node.value {
                        Value::Str(s) => s.clone(),
                        Value::Int(i) => i.to_string(),
                        Value::Bool(b) => b.to_string(),
                        Value::Null => String::new(),
                        other => {
                            return Err(SyntaxError {
                                message: format!("a key must be a string, not {}", other.kind()),
                                span: node.span,
                            });
                        }
                    };
                    *pending = Some(Key {
                        name,
                        span: node.span,
                    });
                }
            },
            None => root = Some(node),
        }
    }
    Ok(root.unwrap_or(Node {
        value: Value::Table(Vec::new()),
        span: offset..offset,
    }))
}

/// Resolves a YAML scalar with the YAML 1.2 core schema; quoted scalars are strings.
fn yaml_scalar(text: &str, plain: bool) -> Value {
    if !plain {
        return Value::Str(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Ok(n) = text.parse::<i64>() {
        return Value::Int(n);
    }
    let looks_numeric = text
        .trim_start_matches(['-', '+'])
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit() || c == '.');
    if looks_numeric && let Ok(f) = text.parse::<f64>() {
        return Value::Float(f);
    }
    Value::Str(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(node: &Node) -> &[(Key, Node)] {
        match &node.value {
            Value::Table(t) => t,
            other => panic!("not a table: {other:?}"),
        }
    }

    #[test]
    fn toml_keeps_key_and_value_spans() {
        let text = "[book]\ntitle = \"Un livre\"\nyear = 2024\n";
        let (root, errors) = parse_toml(text, 0);
        assert!(errors.is_empty());
        let book = &table(&root)[0];
        assert_eq!(book.0.name, "book");
        let (key, value) = &table(&book.1)[0];
        assert_eq!(&text[key.span.clone()], "title");
        assert_eq!(value.value, Value::Str("Un livre".into()));
        assert_eq!(&text[value.span.clone()], "\"Un livre\"");
        assert_eq!(table(&book.1)[1].1.value, Value::Int(2024));
    }

    #[test]
    fn toml_reports_several_syntax_errors() {
        let (_, errors) = parse_toml("a = \nb = [1,\n", 0);
        assert!(!errors.is_empty());
    }

    #[test]
    fn yaml_spans_are_bytes_in_the_file() {
        let fm = "title: « Été »\nauthors: [lequin, alix]\nnumbered: false\nn: 3\n";
        let root = parse_yaml(fm, 4).unwrap();
        let t = table(&root);
        assert_eq!(t[0].0.name, "title");
        assert_eq!(t[0].1.value, Value::Str("« Été »".into()));
        let file = format!("---\n{fm}");
        assert_eq!(&file[t[1].0.span.clone()], "authors");
        match &t[1].1.value {
            Value::Array(items) => {
                assert_eq!(&file[items[1].span.clone()], "alix");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(t[2].1.value, Value::Bool(false));
        assert_eq!(t[3].1.value, Value::Int(3));
    }

    #[test]
    fn yaml_quoted_scalars_stay_strings_and_aliases_are_refused() {
        let root = parse_yaml("id: \"true\"\n", 0).unwrap();
        assert_eq!(table(&root)[0].1.value, Value::Str("true".into()));
        assert!(parse_yaml("a: &x [1]\nb: *x\n", 0).is_err());
        assert!(parse_yaml("a: [1\n", 0).is_err());
    }
}
