//! Diagnostics are data: every stage pushes [`Diagnostic`]s into a [`Sink`],
//! and the command line prints them all at the end of a run.
//!
//! A diagnostic points into a [`Sources`] file by a byte [`Span`]; printing
//! turns that into `file:line:col`, quotes the source line and puts a caret
//! under the fault (codespan-reporting).

use std::ops::Range;
use std::path::PathBuf;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::term::{self, termcolor::WriteColor};
use serde::Serialize;

use crate::source::{FileId, Sources};

/// How serious a diagnostic is: errors make the run fail with exit code 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The book cannot be built as it is.
    Error,
    /// Something is dropped or probably wrong, but the book builds.
    Warning,
    /// Nothing is wrong, and there is a better way to write it (a link to
    /// `x.html` that reaches the chapter `x.md`).
    Note,
}

/// A byte range in one source file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Span {
    /// The file.
    pub file: FileId,
    /// Byte range in the file's text.
    pub range: Range<usize>,
}

impl Span {
    /// A span over `range` in `file`.
    pub fn new(file: FileId, range: Range<usize>) -> Self {
        Span { file, range }
    }
}

/// A value together with the place in a source file it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Pairs a value with its span.
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// One problem found in the book.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, in one sentence.
    pub message: String,
    /// Where, when it is in a file that could be read.
    pub span: Option<Span>,
    /// The file concerned, when there is no span (a missing or unreadable file).
    pub path: Option<PathBuf>,
    /// What to do about it; "did you mean" suggestions go here.
    pub hints: Vec<String>,
}

impl Diagnostic {
    /// An error at a span.
    pub fn error(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span: Some(span),
            path: None,
            hints: Vec::new(),
        }
    }

    /// A warning at a span.
    pub fn warning(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(span, message)
        }
    }

    /// A note at a span: the book builds as it is, and this is how to write
    /// it better.
    pub fn note(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Note,
            ..Diagnostic::error(span, message)
        }
    }

    /// An error about a whole file (or no file at all), with no position in it.
    pub fn error_in(path: Option<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span: None,
            path,
            hints: Vec::new(),
        }
    }

    /// A warning about a whole file, with no position in it.
    pub fn warning_in(path: Option<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error_in(path, message)
        }
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// Adds "did you mean `x`?" when a close candidate exists.
    pub fn suggest<'a>(self, wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Self {
        match closest(wrong, candidates) {
            Some(best) => self.hint(format!("did you mean `{best}`?")),
            None => self,
        }
    }

    /// `file:line:col` of the diagnostic, or the file alone, or nothing.
    pub fn location(&self, sources: &Sources) -> Option<Location> {
        if let Some(span) = &self.span {
            let file = sources.get(span.file);
            let (line, column) = file.line_col(span.range.start);
            return Some(Location {
                file: file.path.clone(),
                line: Some(line),
                column: Some(column),
            });
        }
        self.path.as_ref().map(|path| Location {
            file: path.clone(),
            line: None,
            column: None,
        })
    }
}

/// Where a diagnostic points, for machine-readable output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// Path relative to the book root.
    pub file: PathBuf,
    /// 1-based line.
    pub line: Option<usize>,
    /// 1-based column, in characters.
    pub column: Option<usize>,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let (Some(line), Some(col)) = (self.line, self.column) {
            write!(f, ":{line}:{col}")?;
        }
        Ok(())
    }
}

/// Where the stages of a run put their diagnostics.
#[derive(Debug, Default, Clone)]
pub struct Sink {
    diagnostics: Vec<Diagnostic>,
}

impl Sink {
    /// Records a diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Records many.
    pub fn extend(&mut self, diagnostics: impl IntoIterator<Item = Diagnostic>) {
        self.diagnostics.extend(diagnostics);
    }

    /// True when at least one error was recorded.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    /// The diagnostics recorded so far.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Takes the diagnostics out, in the order they were recorded.
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }

    /// Takes the diagnostics out, in a stable order: by file, then position.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.diagnostics.sort_by_key(|d| {
            (
                d.span.as_ref().map(|s| (s.file, s.range.start)),
                d.path.clone(),
            )
        });
        self.diagnostics
    }
}

/// Text as a terminal may show it: control characters (escape sequences
/// among them, which could recolour or move the cursor) written as
/// `\u{…}`; line breaks kept when `lines`.
pub fn printable(text: &str, lines: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && !(lines && c == '\n') {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// The candidate closest to `wrong`, if it is close enough to be a likely typo.
pub fn closest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wrong_lower = wrong.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&wrong_lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Prints diagnostics for a person: `file:line:col`, the source line, a caret.
pub fn emit_text<W: WriteColor>(
    out: &mut W,
    sources: &Sources,
    diagnostics: &[Diagnostic],
) -> std::io::Result<()> {
    let config = term::Config::default();
    for diagnostic in diagnostics {
        let mut cs = match diagnostic.severity {
            Severity::Error => CsDiagnostic::error(),
            Severity::Warning => CsDiagnostic::warning(),
            Severity::Note => CsDiagnostic::note(),
        };
        let mut message = diagnostic.message.clone();
        if diagnostic.span.is_none()
            && let Some(path) = &diagnostic.path
        {
            message = format!("{}: {message}", path.display());
        }
        cs = cs.with_message(message);
        if let Some(span) = &diagnostic.span {
            cs = cs.with_labels(vec![Label::primary(span.file, span.range.clone())]);
        }
        cs = cs.with_notes(
            diagnostic
                .hints
                .iter()
                .map(|h| format!("help: {h}"))
                .collect(),
        );
        term::emit_to_write_style(out, &config, sources, &cs).map_err(std::io::Error::other)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_finds_typos_and_ignores_strangers() {
        let keys = ["title", "subtitle", "language", "editors"];
        assert_eq!(closest("titel", keys), Some("title"));
        assert_eq!(closest("langage", keys), Some("language"));
        assert_eq!(closest("zzz", keys), None);
    }

    #[test]
    fn text_output_has_location_line_and_caret() {
        let mut sources = Sources::default();
        let id = sources.add("book.toml", "[book]\ntitel = \"x\"\n".to_string());
        let d = Diagnostic::error(Span::new(id, 7..12), "unknown key `titel`")
            .suggest("titel", ["title"]);
        let mut out = codespan_reporting::term::termcolor::NoColor::new(Vec::new());
        emit_text(&mut out, &sources, &[d]).unwrap();
        let text = String::from_utf8(out.into_inner()).unwrap();
        assert!(text.contains("book.toml:2:1"), "{text}");
        assert!(text.contains("titel = \"x\""), "{text}");
        assert!(text.contains("^^^^^"), "{text}");
        assert!(text.contains("did you mean `title`?"), "{text}");
    }
}
