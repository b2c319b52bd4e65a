//! "How to cite": the book, and each chapter as a chapter of an edited
//! book, formatted in the book's style and written as BibTeX to download.

use hayagriva::Entry;
use hayagriva::citationberg::IndependentStyle;
use hayagriva::types::{Date, EntryType, FormatString, Person, Publisher};
use hayagriva::{BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest};

use super::{LOCALES, locale};
use crate::diag::{Sink, Span};
use crate::lang::Lang;
use crate::model::{Book, Chapter, Inline, PersonRef, Reference};
use crate::view::PersonView;

/// A reference to the book or one chapter.
#[derive(Debug, Clone)]
pub struct CiteThis {
    /// As the reference list of the book's style prints it.
    pub formatted: Reference,
    /// As a BibTeX entry.
    pub bibtex: String,
}

/// The book's citation style, with a hash that stands for it in the memo.
pub struct CiteStyle {
    csl: std::sync::Arc<IndependentStyle>,
    key: u64,
}

/// The book's citation style (the default when none or a broken one is named).
pub fn style(book: &Book) -> CiteStyle {
    // Read once per process and style (`super::load_style_keyed`), keyed
    // by what it was read from; a style that cannot be read gives the
    // default, always the same for the same inputs.
    let (key, csl) = super::load_style_keyed(book, &mut Sink::default());
    CiteStyle {
        key,
        csl: csl.unwrap_or_else(super::default_style),
    }
}

/// References formatted before, by style, entry and language: formatting
/// runs the whole CSL style (about a millisecond), and `watch` formats the
/// same hundred chapters at every save.
static FORMATTED: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<u64, Reference>>> =
    std::sync::LazyLock::new(Default::default);

/// A person's name as BibTeX and CSL want it: `Family, Given` for a name
/// of two or three words, the whole name (a group, a collective) otherwise.
fn family_given(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    let personal = (2..=3).contains(&words.len())
        && words
            .iter()
            .all(|w| w.chars().all(|c| c.is_alphabetic() || "-'’.".contains(c)));
    match (personal, words.split_last()) {
        (true, Some((family, given))) => format!("{family}, {}", given.join(" ")),
        _ => name.to_string(),
    }
}

fn names(book: &Book, people: &[PersonRef]) -> Vec<String> {
    people
        .iter()
        .map(|r| family_given(&PersonView::of(book, r).name))
        .collect()
}

/// People as Hayagriva's structured names, so that a collective's name is
/// never split into given and family names.
fn persons(book: &Book, people: &[PersonRef]) -> Vec<Person> {
    names(book, people)
        .into_iter()
        .map(|n| {
            let (name, given_name) = match n.split_once(", ") {
                Some((family, given)) => (family.to_string(), Some(given.to_string())),
                None => (n, None),
            };
            Person {
                name,
                given_name,
                prefix: None,
                suffix: None,
                comma_suffix: false,
                alias: None,
            }
        })
        .collect()
}

/// The editors of the book as the names an edited volume is cited by,
/// the last followed by the style's short "editor" term in the book's
/// language ("Lequin, Julie, éd."; "…, and Marc Dupont, éds."). Given to
/// hayagriva as editors alone, they stand in for the missing authors
/// without that term (hayagriva does not print the label of a substituted
/// name), which every style prints for an edited book.
fn edited_by(book: &Book) -> Vec<Person> {
    let mut people = persons(book, &book.editors);
    let term = editor_term(&book.lang, people.len() > 1);
    if let (Some(last), Some(term)) = (people.last_mut(), term) {
        last.suffix = Some(term);
        last.comma_suffix = true;
    }
    people
}

/// The short "editor" term of the CSL locale of `lang` (its region's, else
/// its language's), singular or plural.
fn editor_term(lang: &Lang, plural: bool) -> Option<String> {
    use hayagriva::citationberg::TermForm;
    use hayagriva::citationberg::taxonomy::{NameVariable, Term};
    let code = locale(lang);
    let primary = lang.primary();
    let found = LOCALES
        .iter()
        .find(|l| l.lang.as_ref() == Some(&code))
        .or_else(|| {
            LOCALES.iter().find(|l| {
                l.lang
                    .as_ref()
                    .is_some_and(|c| c.0.split('-').next() == Some(primary))
            })
        })?;
    let term = found.term(Term::NameVariable(NameVariable::Editor), TermForm::Short)?;
    if plural {
        term.multiple()
    } else {
        term.single()
    }
    .map(str::to_string)
}

/// The book as an edited volume, in Hayagriva's data model (built
/// directly: going through its YAML reader cost milliseconds per chapter).
fn book_entry(book: &Book, key: &str) -> Entry {
    let cfg = &book.config.book;
    let mut entry = Entry::new(key, EntryType::Book);
    let title = match &cfg.subtitle {
        Some(sub) if book.lang.is_french() => format!("{} : {sub}", cfg.title),
        Some(sub) => format!("{}: {sub}", cfg.title),
        None => cfg.title.clone(),
    };
    entry.set_title(FormatString::from(title));
    // A chapter's parent names them as its editors ("édité par …").
    entry.set_editors(persons(book, &book.editors));
    if let Some(p) = &cfg.publisher {
        entry.set_publisher(Publisher::new(Some(FormatString::from(p.clone())), None));
    }
    if let Some(y) = year(book) {
        entry.set_date(Date::from_year(y));
    }
    if let Some(isbn) = &cfg.isbn {
        entry.set_isbn(isbn.clone());
    }
    if let Ok(lang) = book.lang.tag().parse() {
        entry.set_language(lang);
    }
    if let Some(url) = site_url(book, "index.html") {
        entry.set_url(url);
    }
    entry
}

/// The published address of a page of the site (`[html] base-url`), for
/// the URL of "how to cite".
fn site_url(book: &Book, page: &str) -> Option<hayagriva::types::QualifiedUrl> {
    let base = book.config.html.base_url.as_deref()?;
    let page = if page == "index.html" { "" } else { page };
    let url = url::Url::parse(&format!("{base}{page}")).ok()?;
    Some(hayagriva::types::QualifiedUrl::new(url, None))
}

/// The year the book is cited with: book.toml's, else the document date's
/// (as in the PDF's imprint).
fn year(book: &Book) -> Option<i32> {
    book.config
        .book
        .year
        .map(|y| y as i32)
        .or(book.date.map(|d| d.year))
}

fn format(book: &Book, style: &CiteStyle, entry: &Entry, lang: &Lang) -> Reference {
    let key = crate::fingerprint::fingerprint(&(style.key, entry, lang));
    let memo = || FORMATTED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(found) = memo().get(&key) {
        return found.clone();
    }
    let formatted = format_uncached(book, &style.csl, entry, lang);
    let mut memo = memo();
    // A long `watch` session formats new titles now and then; the memo
    // stays small.
    if memo.len() > 10_000 {
        memo.clear();
    }
    memo.insert(key, formatted.clone());
    formatted
}

fn format_uncached(book: &Book, style: &IndependentStyle, entry: &Entry, lang: &Lang) -> Reference {
    let mut driver = BibliographyDriver::new();
    driver.citation(CitationRequest::new(
        vec![CitationItem::new(entry, None, None, true, None)],
        style,
        Some(locale(lang)),
        &LOCALES,
        None,
    ));
    let rendered = driver.finish(BibliographyRequest {
        style,
        locale: Some(locale(lang)),
        locale_files: &LOCALES,
    });
    let span = Span::new(Default::default(), 0..0);
    rendered
        .bibliography
        .and_then(|b| b.items.into_iter().next())
        .map(|item| super::format::reference(item, &span))
        .unwrap_or_else(|| Reference {
            key: entry.key().to_string(),
            label: Vec::new(),
            content: vec![Inline::Text(book.config.book.title.clone())],
        })
}

/// The book as an edited volume.
pub fn book(book: &Book, style: &CiteStyle) -> CiteThis {
    let key = book.id();
    let mut entry = book_entry(book, &key);
    // The book's own DOI, not its chapters' parent's (a chapter without a
    // DOI of its own prints none).
    if let Some(doi) = &book.config.book.doi {
        entry.set_doi(doi.clone());
    }
    // Named once, as the volume's authors with the editor term.
    entry.set_editors(Vec::new());
    entry.set_authors(edited_by(book));
    let formatted = format(book, style, &entry, &book.lang);
    let cfg = &book.config.book;
    let mut fields = vec![
        ("editor", names(book, &book.editors).join(" and ")),
        ("title", cfg.title.clone()),
    ];
    if let Some(s) = &cfg.subtitle {
        fields.push(("subtitle", s.clone()));
    }
    push_imprint(book, &mut fields);
    if let Some(doi) = &book.config.book.doi {
        fields.push(("doi", doi.clone()));
    }
    if let Some(url) = site_url(book, "index.html") {
        fields.push(("url", url.value.to_string()));
    }
    CiteThis {
        formatted,
        bibtex: bibtex("book", &key, &fields),
    }
}

/// A chapter as a chapter of the edited volume, with its first and last
/// page in the PDF when one was typeset before (`pages`).
pub fn chapter(
    book: &Book,
    chapter: &Chapter,
    style: &CiteStyle,
    pages: Option<(usize, usize)>,
) -> CiteThis {
    let key = format!("{}-{}", book.id(), chapter.id);
    let mut entry = Entry::new(&key, EntryType::Chapter);
    entry.set_title(FormatString::from(chapter.title.clone()));
    entry.set_authors(persons(book, &chapter.authors));
    if let Ok(lang) = chapter.lang.tag().parse() {
        entry.set_language(lang);
    }
    entry.set_parents(vec![book_entry(book, &book.id())]);
    if let Some(range) = pages.and_then(|(first, last)| format!("{first}-{last}").parse().ok()) {
        entry.set_page_range(hayagriva::types::MaybeTyped::Typed(range));
    }
    if let Some(doi) = &chapter.config.doi {
        entry.set_doi(doi.value.clone());
    } else if let Some(url) = site_url(book, &format!("{}.html", chapter.id)) {
        entry.set_url(url);
    }
    let formatted = format(book, style, &entry, &chapter.lang);
    let cfg = &book.config.book;
    let mut fields = vec![
        ("author", names(book, &chapter.authors).join(" and ")),
        ("title", chapter.title.clone()),
        ("booktitle", cfg.title.clone()),
    ];
    if let Some(s) = &cfg.subtitle {
        fields.push(("booksubtitle", s.clone()));
    }
    fields.push(("editor", names(book, &book.editors).join(" and ")));
    push_imprint(book, &mut fields);
    if let Some((first, last)) = pages {
        fields.push(("pages", format!("{first}--{last}")));
    }
    if let Some(doi) = &chapter.config.doi {
        fields.push(("doi", doi.value.clone()));
    } else if let Some(url) = site_url(book, &format!("{}.html", chapter.id)) {
        fields.push(("url", url.value.to_string()));
    }
    fields.push(("langid", chapter.lang.biblatex_langid().to_string()));
    CiteThis {
        formatted,
        bibtex: bibtex("incollection", &key, &fields),
    }
}

fn push_imprint(book: &Book, fields: &mut Vec<(&'static str, String)>) {
    let cfg = &book.config.book;
    if let Some(p) = &cfg.publisher {
        fields.push(("publisher", p.clone()));
    }
    if let Some(y) = year(book) {
        fields.push(("year", y.to_string()));
    }
    if let Some(isbn) = &cfg.isbn {
        fields.push(("isbn", isbn.clone()));
    }
}

/// One BibTeX entry. Values are braced; TeX's special characters escaped,
/// and a collective name (no comma) braced again so that BibTeX keeps it whole.
fn bibtex(kind: &str, key: &str, fields: &[(&str, String)]) -> String {
    let mut out = format!("@{kind}{{{key},\n");
    for (name, value) in fields {
        if value.is_empty() {
            continue;
        }
        let escaped = if matches!(*name, "author" | "editor") {
            value
                .split(" and ")
                .map(|n| {
                    if n.contains(',') {
                        tex_escape(n)
                    } else {
                        format!("{{{}}}", tex_escape(n))
                    }
                })
                .collect::<Vec<_>>()
                .join(" and ")
        } else {
            tex_escape(value)
        };
        out.push_str(&format!("  {name} = {{{escaped}}},\n"));
    }
    out.push_str("}\n");
    out
}

fn tex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '{' | '}' | '%' | '&' | '$' | '#' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '\\' => out.push_str("\\textbackslash{}"),
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_escapes() {
        assert_eq!(family_given("Julie Lequin"), "Lequin, Julie");
        assert_eq!(
            family_given("Coordination éditoriale du groupe « Communs »"),
            "Coordination éditoriale du groupe « Communs »"
        );
        assert_eq!(tex_escape("50 % & {x}"), "50 \\% \\& \\{x\\}");
        let b = bibtex(
            "book",
            "k",
            &[("editor", "Lequin, Julie and Groupe de travail".into())],
        );
        assert_eq!(
            b,
            "@book{k,\n  editor = {Lequin, Julie and {Groupe de travail}},\n}\n"
        );
    }
}
