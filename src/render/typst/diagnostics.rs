//! Typst's diagnostics, reported where the user can act on them: at the
//! Markdown line that produced the generated code, at the line of the book's
//! own `templates/book.typ`, or, for the built-in template and the generated
//! structure files, as an error of ouvrage itself (never at a line of
//! generated code the user has not seen).

use typst::WorldExt;
use typst::diag::{Severity as TypstSeverity, SourceDiagnostic, Tracepoint};

use super::emit::{Emitted, GENERATED_DIR, TEMPLATE_PATH};
use super::world::BookWorld;
use crate::diag::{Diagnostic, Severity, Span};
use crate::model::Book;

/// Where a Typst span points, in the book's terms.
fn locate(
    world: &BookWorld,
    book: &Book,
    emitted: &Emitted,
    span: impl Into<typst::syntax::DiagSpan>,
) -> Option<Located> {
    let span = span.into();
    let id = span.id()?;
    let path = BookWorld::path_of(id);
    let range = world.range(span)?;
    if let Some(chapter) = emitted.chapters.iter().find(|c| c.path == path) {
        return chapter.map.lookup(range).map(Located::Markdown);
    }
    if !path.starts_with(&format!("{GENERATED_DIR}/")) {
        // A file of the book read by the compiler: an image, a bibliography.
        return Some(Located::File(path.trim_start_matches('/').into()));
    }
    if path == TEMPLATE_PATH {
        return Some(match book.templates.get(crate::templates::BOOK_TYP.name) {
            Some(&file) => Located::Markdown(Span::new(file, range)),
            None => Located::Builtin(path, range),
        });
    }
    Some(Located::Builtin(path, range))
}

/// The line (from 1; 0 if unknown) of byte `at` in a Typst source.
pub fn line_of(world: &dyn typst::World, id: typst::syntax::FileId, at: usize) -> usize {
    world
        .source(id)
        .ok()
        .and_then(|source| source.lines().byte_to_line(at))
        .map_or(0, |l| l + 1)
}

/// The Markdown (or book template) span behind a Typst span, if any.
pub fn locate_span(
    world: &BookWorld,
    book: &Book,
    emitted: &Emitted,
    span: impl Into<typst::syntax::DiagSpan>,
) -> Option<Span> {
    match locate(world, book, emitted, span)? {
        Located::Markdown(span) => Some(span),
        Located::Builtin(..) | Located::File(_) => None,
    }
}

enum Located {
    /// A place in a file of the book (a chapter or the book's template).
    Markdown(Span),
    /// A file of the book that is not text (an image), by path.
    File(std::path::PathBuf),
    /// A place in code the user did not write.
    Builtin(String, std::ops::Range<usize>),
}

/// The functions ouvrage's generated sources call in the book's template,
/// which a `templates/book.typ` must define (`cover` is optional).
pub const TEMPLATE_FUNCTIONS: &[&str] = &[
    "book",
    "part",
    "chapter",
    "section-number",
    "caption-number",
    "task",
    "alert",
    "rule",
    "references",
];

/// A function the book's own template lacks, from Typst's message about
/// the generated code that calls it.
fn missing_function(book: &Book, d: &SourceDiagnostic) -> Option<Diagnostic> {
    let name = d
        .message
        .strip_prefix("module `template` does not contain `")?
        .strip_suffix('`')?;
    let file = *book.templates.get(crate::templates::BOOK_TYP.name)?;
    Some(
        Diagnostic::error(
            Span::new(file, 0..0),
            format!("templates/book.typ does not define `{name}`, which ouvrage calls"),
        )
        .hint(format!(
            "the template must define {}; `cover` is optional",
            TEMPLATE_FUNCTIONS
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .hint("`ouvrage init --templates` writes the built-in one (move yours aside first) to compare"),
    )
}

/// Translates Typst's diagnostics, each fault once (a template error is
/// raised for every chapter that calls the function).
pub fn map_all(
    world: &BookWorld,
    book: &Book,
    emitted: &Emitted,
    diagnostics: &[SourceDiagnostic],
) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = Vec::new();
    for d in diagnostics {
        let mapped = map(world, book, emitted, d);
        if !out
            .iter()
            .any(|o| o.message == mapped.message && o.span == mapped.span)
        {
            out.push(mapped);
        }
    }
    out
}

/// Translates one Typst diagnostic.
pub fn map(world: &BookWorld, book: &Book, emitted: &Emitted, d: &SourceDiagnostic) -> Diagnostic {
    if let Some(missing) = missing_function(book, d) {
        return missing;
    }
    let severity = match d.severity {
        TypstSeverity::Error => Severity::Error,
        TypstSeverity::Warning => Severity::Warning,
    };
    let hints: Vec<String> = d.hints.iter().map(|h| h.v.to_string()).collect();
    // The error's own place, else the innermost call from the book's text
    // (an error inside the template raised for a chapter's content).
    let mut place = locate(world, book, emitted, d.span);
    if !matches!(place, Some(Located::Markdown(_))) {
        for trace in d.trace.iter() {
            if let Some(found @ Located::Markdown(_)) = locate(world, book, emitted, trace.span) {
                place = Some(found);
                break;
            }
        }
    }
    let mut diagnostic = match place {
        Some(Located::Markdown(span)) => Diagnostic {
            severity,
            message: format!("typst: {}", d.message),
            span: Some(span),
            path: None,
            hints,
        },
        Some(Located::Builtin(path, range)) => {
            let line = d.span.id().map_or(0, |id| line_of(world, id, range.start));
            Diagnostic {
                severity,
                message: format!("typst: {} (in ouvrage's {path}, line {line})", d.message),
                span: None,
                path: None,
                hints,
            }
            .hint("this comes from ouvrage's built-in Typst, not from your text: please report it")
        }
        Some(Located::File(path)) => Diagnostic {
            severity,
            message: format!("typst: {}", d.message),
            span: None,
            path: Some(path),
            hints,
        },
        None => Diagnostic {
            severity,
            message: format!("typst: {}", d.message),
            span: None,
            path: None,
            hints,
        },
    };
    if d.message.contains("maximum show rule depth exceeded")
        || d.message.contains("maximum parsing depth exceeded")
    {
        // Typst's own hints ("maybe a show rule matches its own output")
        // point at the template; the cause is the chapter's nesting.
        diagnostic.hints = vec![
            "the PDF cannot nest block quotes, alerts, lists and emphasis this deep: Typst stops at 64 nested show rules, and with the built-in template a block quote takes four, a list level two, an emphasis one; flatten the structure here".to_string(),
        ];
        return diagnostic;
    }
    for trace in d.trace.iter() {
        if let Tracepoint::Call(Some(name)) = &trace.v {
            diagnostic.hints.push(format!("in a call to `{name}`"));
            break;
        }
    }
    diagnostic
}
