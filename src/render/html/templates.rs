//! The site's templates (and the EPUB's, through [`Templates::with_builtin`]):
//! built-in copies embedded in the binary, replaced by name by the book's own
//! files in `templates/`.

use minijinja::Environment;

use crate::diag::{Diagnostic, Span};
use crate::model::Book;
use crate::render::escape;

const BUILTIN: &[(&str, &str)] = &[
    ("layout.html", include_str!("templates/layout.html")),
    ("index.html", include_str!("templates/index.html")),
    ("chapter.html", include_str!("templates/chapter.html")),
    (
        "contributors.html",
        include_str!("templates/contributors.html"),
    ),
    ("status.html", include_str!("templates/status.html")),
    ("style.css", include_str!("templates/style.css")),
    ("search.js", include_str!("templates/search.js")),
];

/// The compiled page templates of one build.
pub struct Templates<'b> {
    env: Environment<'b>,
    builtin: &'static [(&'static str, &'static str)],
}

/// Whether a template is markup, compiled and escaped; the others
/// (stylesheet, script) are copied as they are.
fn is_markup(name: &str) -> bool {
    name.ends_with(".html") || is_xml(name)
}

/// Whether a template writes XML (the EPUB's documents), escaped by
/// [`escape::push_xml_attr`] rather than MiniJinja's HTML escaping, which
/// also writes `/` and `'` as references.
fn is_xml(name: &str) -> bool {
    [".xhtml", ".opf", ".xml"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

/// The auto-escape mode of XML templates.
const XML_ESCAPE: minijinja::AutoEscape =
    minijinja::AutoEscape::Custom(std::borrow::Cow::Borrowed("xml"));

impl<'b> Templates<'b> {
    /// Compiles the site's page templates, the book's own first. Syntax
    /// errors in the book's templates are diagnostics at their line.
    pub fn new(book: &'b Book) -> Result<Self, Vec<Diagnostic>> {
        Self::with_builtin(book, BUILTIN)
    }

    /// Compiles the markup templates among `builtin` (name, text), each
    /// replaced by the book's file of the same name when there is one.
    pub fn with_builtin(
        book: &'b Book,
        builtin: &'static [(&'static str, &'static str)],
    ) -> Result<Self, Vec<Diagnostic>> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|name| {
            if is_xml(name) {
                XML_ESCAPE
            } else if is_markup(name) {
                minijinja::AutoEscape::Html
            } else {
                minijinja::AutoEscape::None
            }
        });
        env.set_formatter(|out, state, value| {
            if *state.auto_escape() != XML_ESCAPE {
                return minijinja::escape_formatter(out, state, value);
            }
            let text = value.to_string();
            if value.is_safe() {
                out.write_str(&text)?;
            } else {
                let mut escaped = String::with_capacity(text.len());
                escape::push_xml_attr(&mut escaped, &text);
                out.write_str(&escaped)?;
            }
            Ok(())
        });
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        let mut errors = Vec::new();
        for (name, text) in builtin.iter().filter(|(n, _)| is_markup(n)) {
            let source: &'b str = match book.templates.get(*name) {
                Some(file) => &book.sources.get(*file).text,
                None => text,
            };
            if let Err(e) = env.add_template(name, source) {
                errors.push(template_error(book, &e));
            }
        }
        if errors.is_empty() {
            Ok(Templates { env, builtin })
        } else {
            Err(errors)
        }
    }

    /// Renders the page template `name` with `context`.
    pub fn render<S: serde::Serialize>(
        &self,
        book: &Book,
        name: &str,
        context: &S,
    ) -> Result<String, Diagnostic> {
        let template = self
            .env
            .get_template(name)
            .map_err(|e| template_error(book, &e))?;
        template
            .render(minijinja::value::Serde(context))
            .map_err(|e| template_error(book, &e))
    }

    /// A static file (stylesheet, script): the book's own or the built-in one.
    pub fn static_file<'a>(&self, book: &'a Book, name: &str) -> &'a str {
        match book.templates.get(name) {
            Some(file) => &book.sources.get(*file).text,
            None => self
                .builtin
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, t)| *t)
                .unwrap_or(""),
        }
    }
}

/// A MiniJinja error as a diagnostic: at its line in the book's template, or
/// about the built-in one (a bug of ours, reported as such).
fn template_error(book: &Book, e: &minijinja::Error) -> Diagnostic {
    let mut message = e.to_string();
    if let Some(detail) = e.detail() {
        message = format!("{}: {detail}", e.kind());
    }
    let name = e.name().unwrap_or("");
    match book.templates.get(name) {
        Some(&file) => {
            let source = book.sources.get(file);
            let range = e
                .range()
                .or_else(|| {
                    e.line()
                        .and_then(|l| source.line_range(l.saturating_sub(1)))
                })
                .unwrap_or(0..0);
            Diagnostic::error(Span::new(file, range), format!("template error: {message}"))
                .hint("fix the template, or delete it to use the built-in one")
        }
        None => Diagnostic::error_in(None, format!("built-in template {name}: {message}"))
            .hint("this is a bug in ouvrage: please report it"),
    }
}
