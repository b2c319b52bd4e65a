//! mdBook's `{{#include}}` family, resolved into the chapter's text:
//! `{{#include file}}`, `file:anchor` (the lines between `ANCHOR: name`
//! and `ANCHOR_END: name`), `file:10:20` (lines 10 to 20, `file:10`,
//! `file::20`, `file:10:` likewise), `{{#rustdoc_include …}}` (the part
//! shown: what mdBook hides stays out), `{{#playground file}}` (a Rust
//! code block); `{{#title …}}` is dropped. An included Markdown file has
//! its own includes resolved, relative to it.
//!
//! Input: a chapter's text, registered in [`Sources`]. Output: the text
//! with every directive replaced; a missing file, a file outside the
//! source folder or an include loop is an error at the directive's
//! `file:line:col`, an anchor that no line names a warning there (mdBook
//! includes nothing then).

use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Sink, Span};
use crate::source::{FileId, Sources};

/// How deep includes may nest (mdBook stops at 10 as well).
const MAX_DEPTH: usize = 10;

/// What the includes of one chapter need to know.
pub struct Includes<'a> {
    /// The folder no include may leave (canonical).
    pub root: &'a Path,
    /// How the user named it, for the files registered in sources.
    pub shown_root: &'a Path,
    /// Where files read are registered.
    pub sources: &'a mut Sources,
    /// Where faults go.
    pub sink: &'a mut Sink,
    /// Directives seen that have no equivalent (`{{#title}}`): name and place.
    pub dropped: Vec<String>,
}

/// One directive found in a text.
struct Directive {
    range: std::ops::Range<usize>,
    kind: String,
    args: String,
}

/// The directives of `text`, skipping escaped ones (`\{{#include x}}`,
/// whose backslash is removed by [`resolve`]).
fn directives(text: &str) -> Vec<Directive> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find("{{#") {
        let start = from + at;
        from = start + 3;
        let Some(len) = text[start..].find("}}") else {
            break;
        };
        let inner = &text[start + 3..start + len];
        if inner.contains('\n') {
            continue;
        }
        let (kind, args) = inner.split_once(char::is_whitespace).unwrap_or((inner, ""));
        if !matches!(
            kind,
            "include" | "rustdoc_include" | "playground" | "playpen" | "title"
        ) {
            continue;
        }
        found.push(Directive {
            range: start..start + len + 2,
            kind: kind.to_string(),
            args: args.trim().to_string(),
        });
        from = start + len + 2;
    }
    found
}

/// A part of a file to include.
#[derive(Debug, PartialEq)]
enum Selection {
    All,
    Lines(Option<usize>, Option<usize>),
    Anchor(String),
}

fn selection(spec: &str) -> Selection {
    if spec.is_empty() {
        return Selection::All;
    }
    let number = |s: &str| s.parse::<usize>().ok();
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    match spec.split_once(':') {
        None if digits(spec) => {
            let n = number(spec);
            Selection::Lines(n, n)
        }
        Some((a, b)) if digits(a) && digits(b) => Selection::Lines(number(a), number(b)),
        _ => Selection::Anchor(spec.to_string()),
    }
}

/// Whether `line` holds an anchor marker (`ANCHOR: x`, `ANCHOR_END: x`);
/// with `name`, for that anchor only.
fn marker<'l>(line: &'l str, keyword: &str) -> Option<&'l str> {
    let at = line.find(keyword)?;
    let rest = line[at + keyword.len()..].trim_start();
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// The lines of `text` that `selection` picks; `None` for an anchor no
/// line names.
fn select(text: &str, selection: &Selection) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let is_marker = |l: &str| marker(l, "ANCHOR:").is_some() || marker(l, "ANCHOR_END:").is_some();
    let picked: Vec<&str> = match selection {
        Selection::All => lines,
        Selection::Lines(from, to) => {
            let from = from.unwrap_or(1).max(1) - 1;
            let to = to.unwrap_or(lines.len()).min(lines.len());
            lines.get(from..to.max(from)).unwrap_or(&[]).to_vec()
        }
        Selection::Anchor(name) => {
            let start = lines
                .iter()
                .position(|l| marker(l, "ANCHOR:") == Some(name.as_str()))?;
            let end = lines[start + 1..]
                .iter()
                .position(|l| marker(l, "ANCHOR_END:") == Some(name.as_str()))
                .map(|e| start + 1 + e)
                .unwrap_or(lines.len());
            lines[start + 1..end]
                .iter()
                .copied()
                .filter(|l| !is_marker(l))
                .collect()
        }
    };
    let mut out = picked.join("\n");
    if !out.is_empty() && text.ends_with('\n') {
        out.push('\n');
    }
    Some(out)
}

impl Includes<'_> {
    /// The text of registered file `file` (at `path`) with its directives
    /// resolved.
    pub fn resolve(&mut self, file: FileId, path: &Path) -> String {
        let mut stack = vec![path.to_path_buf()];
        self.resolve_in(file, path, &mut stack)
    }

    fn resolve_in(&mut self, file: FileId, path: &Path, stack: &mut Vec<PathBuf>) -> String {
        let text = self.sources.get(file).text.clone();
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for d in directives(&text) {
            let escaped = text[..d.range.start].ends_with('\\');
            if escaped {
                out.push_str(&text[at..d.range.start - 1]);
                out.push_str(&text[d.range.clone()]);
                at = d.range.end;
                continue;
            }
            out.push_str(&text[at..d.range.start]);
            at = d.range.end;
            let span = Span::new(file, d.range.clone());
            if d.kind == "title" {
                let (line, _) = self.sources.get(file).line_col(d.range.start);
                self.dropped.push(format!(
                    "{}:{line}: `{{{{#title {}}}}}` (the page title is the chapter's title)",
                    self.sources.get(file).path.display(),
                    d.args
                ));
                continue;
            }
            let (target, attrs) = d
                .args
                .split_once(char::is_whitespace)
                .unwrap_or((&d.args, ""));
            let (file_part, spec) = match target.split_once(':') {
                Some((f, s)) => (f, s),
                None => (target, ""),
            };
            let dir = path.parent().unwrap_or(Path::new(""));
            let included = super::links::normalize(&dir.join(file_part));
            let inside = included.starts_with(self.root)
                && included
                    .canonicalize()
                    .map(|c| c.starts_with(self.root))
                    .unwrap_or(true);
            if !inside {
                self.sink.push(
                    Diagnostic::error(span, format!("`{file_part}` is outside the book's folder"))
                        .hint("import reads only files inside the folder it imports: copy the file into it"),
                );
                continue;
            }
            if stack.contains(&included) || stack.len() > MAX_DEPTH {
                self.sink.push(Diagnostic::error(
                    span,
                    format!("`{file_part}` includes itself, through the files it includes"),
                ));
                continue;
            }
            let contents = match std::fs::read(&included) {
                Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                Err(e) => {
                    self.sink.push(
                        Diagnostic::error(span, format!("cannot read `{file_part}`: {e}")).hint(
                            "an include names a file relative to the chapter that includes it",
                        ),
                    );
                    continue;
                }
            };
            let rel = included.strip_prefix(self.root).unwrap_or(&included);
            let id = self
                .sources
                .find(&self.shown_root.join(rel))
                .unwrap_or_else(|| self.sources.add(self.shown_root.join(rel), contents));
            // An included Markdown file has its own includes resolved.
            stack.push(included.clone());
            let contents = if included.extension().is_some_and(|e| e == "md") {
                self.resolve_in(id, &included, stack)
            } else {
                self.sources.get(id).text.clone()
            };
            stack.pop();
            let selection = selection(spec);
            let Some(mut body) = select(&contents, &selection) else {
                let Selection::Anchor(name) = &selection else {
                    unreachable!("only an anchor can be missing")
                };
                self.sink.push(
                    Diagnostic::warning(
                        span,
                        format!("no `ANCHOR: {name}` line in `{file_part}`: nothing is included"),
                    )
                    .hint("mdBook includes nothing here either; check the anchor's name"),
                );
                continue;
            };
            if d.kind == "rustdoc_include" {
                body = without_hidden_lines(&body);
            }
            if d.kind == "playground" || d.kind == "playpen" {
                if !body.ends_with('\n') {
                    body.push('\n');
                }
                let attrs = attrs
                    .split_whitespace()
                    .filter(|a| *a != "editable")
                    .collect::<Vec<_>>()
                    .join(",");
                let info = if attrs.is_empty() {
                    "rust".to_string()
                } else {
                    format!("rust,{attrs}")
                };
                body = format!("```{info}\n{body}```\n");
            }
            // The text after the directive goes on its own line when the
            // file ends with one, as mdBook leaves it.
            if body.ends_with('\n') && text[at..].starts_with('\n') {
                body.pop();
            }
            out.push_str(&body);
        }
        out.push_str(&text[at..]);
        out
    }
}

/// Rust code as mdBook shows it: lines hidden with `# ` (or a lone `#`)
/// left out, `##` written for a line that starts with `#`.
pub fn without_hidden_lines(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    for line in code.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let content = trimmed.trim_end_matches(['\n', '\r']);
        if content == "#" || trimmed.starts_with("# ") {
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("##") {
            out.push_str(&line[..line.len() - trimmed.len()]);
            out.push('#');
            out.push_str(rest);
        } else {
            out.push_str(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selections_follow_mdbook() {
        assert_eq!(selection(""), Selection::All);
        assert_eq!(selection("2"), Selection::Lines(Some(2), Some(2)));
        assert_eq!(selection("2:4"), Selection::Lines(Some(2), Some(4)));
        assert_eq!(selection(":4"), Selection::Lines(None, Some(4)));
        assert_eq!(selection("3:"), Selection::Lines(Some(3), None));
        assert_eq!(selection("here"), Selection::Anchor("here".into()));
        let text = "a\n// ANCHOR: x\nb\n// ANCHOR: y\nc\n// ANCHOR_END: y\n// ANCHOR_END: x\nd\n";
        assert_eq!(
            select(text, &Selection::Anchor("x".into())).unwrap(),
            "b\nc\n"
        );
        assert_eq!(select(text, &Selection::Anchor("y".into())).unwrap(), "c\n");
        assert_eq!(
            select(text, &Selection::Lines(Some(1), Some(1))).unwrap(),
            "a\n"
        );
        assert_eq!(
            select(text, &Selection::Lines(Some(8), None)).unwrap(),
            "d\n"
        );
        assert!(select(text, &Selection::Anchor("z".into())).is_none());
    }

    #[test]
    fn hidden_rust_lines() {
        assert_eq!(
            without_hidden_lines("# fn main() {\nlet x = 1;\n    # }\n#\n##[derive]\n#[test]\n"),
            "let x = 1;\n#[derive]\n#[test]\n"
        );
    }

    #[test]
    fn escaped_and_unknown_directives_stay() {
        let d = directives("\\{{#include a.rs}} {{#other x}} {{#include b.rs:2}}");
        assert_eq!(d.len(), 2);
        assert_eq!(d[1].args, "b.rs:2");
    }
}
