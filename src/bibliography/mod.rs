//! The book's bibliography and citation style, read with hayagriva, the
//! library Typst itself formats citations with (same version, same CSL
//! styles and locales), so that the site and the EPUB print what the PDF
//! prints.

pub mod cite_this;
mod format;
mod store;

use std::path::Path;
use std::sync::{Arc, LazyLock};

use hayagriva::citationberg::{self, IndependentStyle, LocaleCode};
use hayagriva::{Entry, Library};

use crate::diag::{Diagnostic, Sink, Span};
use crate::model::{Book, MAX_NESTING};
use crate::source::FileId;

pub use format::{CitationScope, FormattedScope, ScopeResult};
pub use store::ScopeStore;

/// The style used when book.toml names none: author-date, the usual choice
/// of the social sciences.
pub const DEFAULT_STYLE: &str = "chicago-author-date";

/// CSL locales shipped with hayagriva (as Typst uses them).
pub static LOCALES: LazyLock<Vec<citationberg::Locale>> =
    LazyLock::new(hayagriva::archive::locales);

/// The works of the book's bibliography files and the citation style.
pub struct Bibliography {
    /// Every entry, by key.
    pub library: Library,
    /// Where each key is defined (file and byte range of its name).
    pub spans: std::collections::HashMap<String, Span>,
    /// The CSL style.
    pub style: Arc<IndependentStyle>,
    /// A hash of everything formatting depends on (the files' text, the
    /// style's name or file), for memos of formatted citations.
    pub key: u64,
    /// The keys written in files that could not be read (their error is
    /// reported): a citation of one of them is no second fault.
    pub unreadable: std::collections::HashSet<String>,
}

impl Bibliography {
    /// The entry with this key.
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.library.get(key)
    }

    /// Every key, for suggestions.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.library.keys()
    }
}

/// The CSL locale of a BCP 47 tag (`fr`, `en-GB`), as Typst forms it from
/// the text's language and region.
pub fn locale(lang: &crate::lang::Lang) -> LocaleCode {
    LocaleCode(lang.csl_locale())
}

/// The last bibliography read by this process, by a hash of what it was
/// read from, with its diagnostics: `watch` reads the same files at every
/// rebuild, and hayagriva takes a while over a few hundred entries.
static LAST: std::sync::Mutex<Option<Read>> = std::sync::Mutex::new(None);

/// A bibliography as read, with the hash of its inputs and its diagnostics.
type Read = (u64, Option<Arc<Bibliography>>, Vec<Diagnostic>);

/// Reads the bibliography files and the style named in book.toml (the
/// loader put the files into the book's sources). `None` when the book has
/// no bibliography file; every malformed entry and an unknown style are
/// diagnostics.
pub fn load(book: &Book, sink: &mut Sink) -> Option<Arc<Bibliography>> {
    let config = &book.config.bibliography;
    if config.files.is_empty() {
        return None;
    }
    // The settings with their places in book.toml (an unknown style is
    // reported there), the files and a `.csl` style, with the ids their
    // diagnostics and links point to.
    let key = {
        let style_file = config.style.iter().filter(|s| s.value.ends_with(".csl"));
        let files: Vec<_> = (config.files.iter().chain(style_file))
            .filter_map(|name| book.sources.find(Path::new(&name.value)))
            .map(|id| (id, &book.sources.get(id).text))
            .collect();
        crate::fingerprint::fingerprint(&(format!("{config:?}"), files))
    };
    let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((at, bib, diagnostics)) = last.as_ref()
        && *at == key
    {
        sink.extend(diagnostics.iter().cloned());
        return bib.clone();
    }
    let mut own = Sink::default();
    let bib = read(book, &mut own).map(Arc::new);
    let diagnostics = own.diagnostics().to_vec();
    sink.extend(diagnostics.iter().cloned());
    *last = Some((key, bib.clone(), diagnostics));
    bib
}

fn read(book: &Book, sink: &mut Sink) -> Option<Bibliography> {
    let config = &book.config.bibliography;
    if config.files.is_empty() {
        return None;
    }
    let mut library = Library::new();
    let mut spans = std::collections::HashMap::new();
    let mut unreadable = std::collections::HashSet::new();
    // Stable from one run to the next: scopes are kept on disk by it.
    let mut key = siphasher::sip::SipHasher13::new();
    {
        use std::hash::Hash;
        config.style.as_ref().map(|s| &s.value).hash(&mut key);
        let style_file = config.style.iter().filter(|s| s.value.ends_with(".csl"));
        for name in config.files.iter().chain(style_file) {
            if let Some(file) = book.sources.find(Path::new(&name.value)) {
                book.sources.get(file).text.hash(&mut key);
            }
        }
    }
    for name in &config.files {
        let Some(file) = book.sources.find(Path::new(&name.value)) else {
            continue; // The loader reported it.
        };
        let text = &book.sources.get(file).text;
        let Some(read) = read_file(file, &name.value, text, sink) else {
            unreadable.extend(keys_written_in(text));
            continue;
        };
        for entry in read.iter() {
            let span = key_span(file, text, entry.key());
            if let Some(first) = spans.get(entry.key()) {
                let first: &Span = first;
                sink.push(
                    Diagnostic::error(span, format!("the key `{}` is defined twice", entry.key()))
                        .hint(format!(
                            "rename one of the two entries (the other is in {})",
                            book.sources.get(first.file).path.display()
                        )),
                );
                continue;
            }
            spans.insert(entry.key().to_string(), span);
            library.push(entry);
        }
    }
    // A style that cannot be read is reported; the keys are still checked,
    // with the default style, so that one run reports both.
    let style = load_style(book, sink).unwrap_or_else(default_style);
    Some(Bibliography {
        library,
        spans,
        style,
        key: std::hash::Hasher::finish(&key),
        unreadable,
    })
}

/// The entry keys of a BibTeX file that did not parse (`@book{key,`) or of
/// a Hayagriva file (`key:` at the start of a line), read leniently.
fn keys_written_in(text: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix('@')
            && let Some((_, after)) = rest.split_once('{')
            && let Some(key) = after.split(',').next()
        {
            keys.push(key.trim().to_string());
        } else if !line.starts_with([' ', '\t', '#'])
            && let Some((key, _)) = line.split_once(':')
            && !key.is_empty()
            && !key.contains(' ')
        {
            keys.push(key.to_string());
        }
    }
    keys
}

/// Parses one file, BibTeX/BibLaTeX or Hayagriva YAML by its extension.
fn read_file(file: FileId, name: &str, text: &str, sink: &mut Sink) -> Option<Library> {
    let yaml = name.ends_with(".yml") || name.ends_with(".yaml");
    // The BibTeX reader recurses into nested commands (`\emph{\emph{…}}`):
    // thousands of them would overflow the stack.
    if !yaml && let Some(at) = braces_too_deep(text) {
        sink.push(
            Diagnostic::error(
                Span::new(file, at..at + 1),
                format!("this bibliography nests braces more than {MAX_NESTING} deep"),
            )
            .hint("no entry needs that many: close the braces opened before this one"),
        );
        return None;
    }
    if yaml {
        return match hayagriva::io::from_yaml_str(text) {
            Ok(library) => Some(library),
            Err(e) => {
                let at = e.location().map(|l| l.index().min(text.len())).unwrap_or(0);
                sink.push(
                    Diagnostic::error(
                        Span::new(file, at..at),
                        format!("this Hayagriva YAML bibliography cannot be read: {e}"),
                    )
                    .hint("see https://github.com/typst/hayagriva/blob/main/docs/file-format.md"),
                );
                None
            }
        };
    }
    match hayagriva::io::from_biblatex_str(text) {
        Ok(library) => Some(library),
        Err(errors) => {
            for e in errors {
                let (range, message) = match &e {
                    hayagriva::io::BibLaTeXError::Parse(p) => (p.span.clone(), p.kind.to_string()),
                    hayagriva::io::BibLaTeXError::Type(t) => (t.span.clone(), t.kind.to_string()),
                };
                let end = range.end.min(text.len());
                let mut start = range.start.min(end);
                // An entry left open is found at the end of the file: show
                // where that entry starts.
                if let hayagriva::io::BibLaTeXError::Parse(_) = &e
                    && let Some(entry) = text[..start].rfind("\n@").map(|i| i + 1)
                {
                    start = entry;
                }
                sink.push(
                    Diagnostic::error(
                        Span::new(file, start..end),
                        format!("malformed bibliography entry: {message}"),
                    )
                    .hint("fix the entry (BibTeX: `@type{key, field = {value}, …}`)"),
                );
            }
            None
        }
    }
}

/// The span of the name of the entry `key` in a bibliography file: after
/// `@type{` in BibTeX, at the start of a line in YAML.
fn key_span(file: FileId, text: &str, key: &str) -> Span {
    let found = text.match_indices(key).find(|&(at, _)| {
        let before = text[..at].trim_end_matches([' ', '\t']);
        let after = &text[at + key.len()..];
        (before.ends_with('{') && after.trim_start().starts_with(','))
            || ((before.is_empty() || before.ends_with('\n')) && after.starts_with(':'))
    });
    match found {
        Some((at, _)) => Span::new(file, at..at + key.len()),
        None => Span::new(file, 0..0),
    }
}

/// Styles read by this process, by a hash of what they were read from,
/// with their diagnostics: `watch` needs the book's style at every save
/// (the citations, "how to cite"), and reading one from hayagriva's
/// archive took a fifth of a save's site rebuild. A few are kept: a book
/// changes its style rarely.
static STYLES: std::sync::Mutex<Vec<StyleRead>> = std::sync::Mutex::new(Vec::new());
const STYLES_KEPT: usize = 4;

/// A style as read, with the hash of its inputs and its diagnostics.
type StyleRead = (u64, Option<Arc<IndependentStyle>>, Vec<Diagnostic>);

/// The default style (Chicago author-date), read once.
pub(crate) fn default_style() -> Arc<IndependentStyle> {
    static DEFAULT: LazyLock<Arc<IndependentStyle>> = LazyLock::new(|| {
        Arc::new(archived(DEFAULT_STYLE).expect("the default style is in hayagriva's archive"))
    });
    DEFAULT.clone()
}

/// The style book.toml names (`None` when it names none that can be read:
/// an unknown name, a broken `.csl` file, both reported).
pub(crate) fn load_style(book: &Book, sink: &mut Sink) -> Option<Arc<IndependentStyle>> {
    load_style_keyed(book, sink).1
}

/// [`load_style`], with a hash of what the style was read from (its name
/// and place in book.toml, a `.csl` file's text): the same inputs always
/// give the same style, so the hash identifies it without hashing the
/// parsed style, as "how to cite" would at every call.
pub(crate) fn load_style_keyed(
    book: &Book,
    sink: &mut Sink,
) -> (u64, Option<Arc<IndependentStyle>>) {
    let config = &book.config.bibliography;
    // The name with its place in book.toml (its diagnostics point there),
    // and a `.csl` file's id and text.
    let key = {
        let file = config
            .style
            .iter()
            .filter(|s| s.value.ends_with(".csl"))
            .find_map(|s| book.sources.find(Path::new(&s.value)))
            .map(|id| (id, &book.sources.get(id).text));
        crate::fingerprint::fingerprint(&(format!("{:?}", config.style), file))
    };
    let mut styles = STYLES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, style, diagnostics)) = styles.iter().find(|(at, _, _)| *at == key) {
        sink.extend(diagnostics.iter().cloned());
        return (key, style.clone());
    }
    let mut own = Sink::default();
    let style = read_style(book, &mut own);
    let diagnostics = own.into_diagnostics();
    sink.extend(diagnostics.iter().cloned());
    if styles.len() >= STYLES_KEPT {
        styles.remove(0);
    }
    styles.push((key, style.clone(), diagnostics));
    (key, style)
}

/// The style named in book.toml: a name Typst knows, or a `.csl` file;
/// the default (read once) when none is named.
fn read_style(book: &Book, sink: &mut Sink) -> Option<Arc<IndependentStyle>> {
    let config = &book.config.bibliography;
    let Some(name) = &config.style else {
        return Some(default_style());
    };
    if name.value.ends_with(".csl") {
        let file = book.sources.find(Path::new(&name.value))?;
        let text = &book.sources.get(file).text;
        // The CSL reader recurses into nested elements.
        if let Some(at) = elements_too_deep(text) {
            sink.push(
                Diagnostic::error(
                    Span::new(file, at..at + 1),
                    format!("this CSL style nests its elements more than {MAX_NESTING} deep"),
                )
                .hint(
                    "no style needs that many: check the groups and choices opened before this one",
                ),
            );
            return None;
        }
        return match citationberg::Style::from_xml(text) {
            Ok(citationberg::Style::Independent(style)) => Some(Arc::new(style)),
            Ok(citationberg::Style::Dependent(_)) => {
                sink.push(
                    Diagnostic::error(
                        name.span.clone(),
                        "this CSL file is a dependent style, which only points to another",
                    )
                    .hint("use the independent style it names (its `parent` link) instead"),
                );
                None
            }
            Err(e) => {
                sink.push(
                    Diagnostic::error(
                        Span::new(file, 0..0),
                        format!("this CSL file cannot be read: {e}"),
                    )
                    .hint("check it with a CSL validator, or name a style Typst knows"),
                );
                None
            }
        };
    }
    match archived(&name.value) {
        Some(style) => Some(Arc::new(style)),
        None => {
            let names = hayagriva::archive::ArchivedStyle::all()
                .iter()
                .flat_map(|s| s.names().iter().copied());
            sink.push(
                Diagnostic::error(
                    name.span.clone(),
                    format!("no citation style is called `{}`", name.value),
                )
                .suggest(&name.value, names)
                .hint("name a style Typst knows (e.g. chicago-author-date, apa, ieee) or a .csl file of the book"),
            );
            None
        }
    }
}

/// Where braces (`{`, not `\{`) first nest deeper than [`MAX_NESTING`].
fn braces_too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut escaped = false;
    for (at, b) in text.bytes().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(at);
                }
            }
            b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Where the elements of an XML text first nest deeper than
/// [`MAX_NESTING`]: start tags less end tags, comments, CDATA sections,
/// declarations and quoted attribute values skipped.
fn elements_too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        let at = text.len() - rest.len() + open;
        let tag = &rest[open + 1..];
        if tag.starts_with("!--") {
            rest = skip_to(tag, "-->");
        } else if tag.starts_with("![CDATA[") {
            rest = skip_to(tag, "]]>");
        } else if tag.starts_with('?') {
            rest = skip_to(tag, "?>");
        } else if tag.starts_with('!') {
            rest = skip_to(tag, ">");
        } else if let Some(closing) = tag.strip_prefix('/') {
            depth = depth.saturating_sub(1);
            rest = skip_to(closing, ">");
        } else {
            // To the `>` that ends the tag, outside quoted values.
            let mut quote = None;
            let mut end = tag.len();
            for (i, c) in tag.char_indices() {
                match (quote, c) {
                    (Some(q), c) if c == q => quote = None,
                    (Some(_), _) => {}
                    (None, '"' | '\'') => quote = Some(c),
                    (None, '>') => {
                        end = i;
                        break;
                    }
                    _ => {}
                }
            }
            if !tag[..end].ends_with('/') {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(at);
                }
            }
            rest = tag.get(end + 1..).unwrap_or("");
        }
    }
    None
}

/// What follows the first `end` in `rest` (nothing when there is none).
fn skip_to<'t>(rest: &'t str, end: &str) -> &'t str {
    rest.find(end).map_or("", |i| &rest[i + end.len()..])
}

fn archived(name: &str) -> Option<IndependentStyle> {
    match hayagriva::archive::ArchivedStyle::by_name(name)?.get() {
        citationberg::Style::Independent(style) => Some(style),
        citationberg::Style::Dependent(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_deeper_than_the_limit_is_found_where_it_starts() {
        let deep = format!(
            "@book{{a, title = {{{}x{}}}}}",
            "\\emph{".repeat(200),
            "}".repeat(200)
        );
        let at = braces_too_deep(&deep).unwrap();
        assert_eq!(deep[..at].matches('{').count(), MAX_NESTING);
        assert_eq!(braces_too_deep("@book{a, title = {\\{ {Ab} \\}}}"), None);
        let xml = format!(
            "<?xml version=\"1.0\"?><!-- <a><a> --><style a=\"<x>\">{}<text/>{}</style>",
            "<group>".repeat(200),
            "</group>".repeat(200)
        );
        let at = elements_too_deep(&xml).unwrap();
        assert_eq!(xml[..at].matches("<group>").count(), MAX_NESTING - 1);
        let shallow = "<style><![CDATA[<a><a>]]><group a='>'><text/></group></style>";
        assert_eq!(elements_too_deep(shallow), None);
    }
}
