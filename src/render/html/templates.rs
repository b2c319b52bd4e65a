//! The MiniJinja environment of the site's templates and the EPUB's: the
//! markup templates of one output in the registry ([`crate::templates`]),
//! each replaced by the book's own file of the same name in `templates/`.

use minijinja::Environment;

use crate::diag::{Diagnostic, Span};
use crate::model::Book;
use crate::render::escape;
use crate::templates::{self, Kind, Output};

/// The compiled page templates of one build.
pub struct Templates<'b> {
    env: Environment<'b>,
}

/// The auto-escape mode of XML templates.
const XML_ESCAPE: minijinja::AutoEscape =
    minijinja::AutoEscape::Custom(std::borrow::Cow::Borrowed("xml"));

impl<'b> Templates<'b> {
    /// Compiles the site's page templates, the book's own first. Syntax
    /// errors in the book's templates are diagnostics at their line.
    pub fn new(book: &'b Book) -> Result<Self, Vec<Diagnostic>> {
        Self::for_output(book, Output::Site)
    }

    /// Compiles the markup templates of `output` in the registry, each
    /// replaced by the book's file of the same name when there is one.
    pub fn for_output(book: &'b Book, output: Output) -> Result<Self, Vec<Diagnostic>> {
        let mut env = Environment::new();
        // Escaping follows the registry's kind of the template being
        // rendered (an `{% include %}` of another name gets its own).
        env.set_auto_escape_callback(|name| match templates::find(name).map(|t| t.kind) {
            Some(Kind::Xml) => XML_ESCAPE,
            Some(Kind::Html) => minijinja::AutoEscape::Html,
            _ => minijinja::AutoEscape::None,
        });
        env.set_formatter(|out, state, value| {
            let xml = *state.auto_escape() == XML_ESCAPE;
            if !xml && *state.auto_escape() != minijinja::AutoEscape::Html {
                return minijinja::escape_formatter(out, state, value);
            }
            if value.is_safe() || value.is_none() || value.is_undefined() {
                return minijinja::escape_formatter(out, state, value);
            }
            // MiniJinja's HTML escaping also writes `/` as a reference;
            // HTML and XML need only their own few.
            let text = value.to_string();
            let escaped = if xml {
                let mut escaped = String::with_capacity(text.len());
                escape::push_xml_attr(&mut escaped, &text);
                escaped
            } else {
                escape::html_attr(&text)
            };
            out.write_str(&escaped)?;
            Ok(())
        });
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        let mut errors = Vec::new();
        for template in templates::for_output(output).filter(|t| t.is_markup()) {
            if let Err(e) = env.add_template(template.name, template.text(book)) {
                errors.push(template_error(book, &e));
            }
        }
        if errors.is_empty() {
            Ok(Templates { env })
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

    /// A static file (stylesheet, script) of the registry: the book's own
    /// or the built-in one; empty for a name the registry does not hold.
    pub fn static_file<'a>(&self, book: &'a Book, name: &str) -> &'a str {
        templates::find(name).map_or("", |t| t.text(book))
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
