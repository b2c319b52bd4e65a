//! A chapter's front matter (README "File formats in short"), YAML or TOML, as the author wrote it.

use super::read::{Reader, is_valid_id};
use super::value::Node;
use crate::diag::{Diagnostic, Sink, Spanned};
use crate::lang::is_language_tag;
use crate::source::FileId;

/// The front matter of one chapter.
#[derive(Debug, Clone, Default)]
pub struct ChapterConfig {
    /// Explicit chapter id.
    pub id: Option<Spanned<String>>,
    /// Chapter title (when `title` is a map by language, the version in
    /// the chapter's language, chosen when the chapter is parsed).
    pub title: Option<Spanned<String>>,
    /// `title: {fr: …, en: …}`: each version, its language tag first, in
    /// the order written (empty when `title` is one string).
    pub titles: Vec<(Spanned<String>, Spanned<String>)>,
    /// Contributor ids of the authors.
    pub authors: Vec<Spanned<String>>,
    /// Contributor ids of the assigned reviewers.
    pub reviewers: Vec<Spanned<String>>,
    /// Language, overriding the book's.
    pub lang: Option<Spanned<String>>,
    /// Abstract, in Markdown, with the span of its value (for a map by
    /// language, as `title`).
    pub abstract_: Option<Spanned<String>>,
    /// `abstract: {fr: …, en: …}`, as [`ChapterConfig::titles`].
    pub abstracts: Vec<(Spanned<String>, Spanned<String>)>,
    /// Keywords.
    pub keywords: Vec<String>,
    /// False for a foreword or an introduction.
    pub numbered: bool,
    /// The chapter's DOI (`10.1234/abcd`), checked for syntax; the
    /// offprint's metadata carries it.
    pub doi: Option<Spanned<String>>,
}

/// Every key this file accepts (the README lists them; a test compares).
pub const KEYS: &[&str] = &[
    "id",
    "title",
    "authors",
    "reviewers",
    "lang",
    "abstract",
    "keywords",
    "numbered",
    "doi",
];

/// Whether `doi` has a DOI's syntax: `10.`, a registrant code of digits
/// (and dots), `/`, and a suffix without spaces.
pub fn is_doi(doi: &str) -> bool {
    let Some(rest) = doi.strip_prefix("10.") else {
        return false;
    };
    let Some((registrant, suffix)) = rest.split_once('/') else {
        return false;
    };
    !registrant.is_empty()
        && registrant.chars().all(|c| c.is_ascii_digit() || c == '.')
        && registrant
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
        && !suffix.is_empty()
        && !suffix.chars().any(char::is_whitespace)
}

/// A value that is one string, or a map by language (`{fr: …, en: …}`):
/// the string, or each version with its language tag (checked), in the
/// order written.
#[allow(clippy::type_complexity)]
fn localized(
    r: &mut Reader<'_>,
    entries: &super::read::Entries,
    key: &str,
) -> (
    Option<Spanned<String>>,
    Vec<(Spanned<String>, Spanned<String>)>,
) {
    let Some(node) = Reader::get(entries, key) else {
        return (None, Vec::new());
    };
    let super::value::Value::Table(map) = &node.value else {
        return (r.string(entries, key), Vec::new());
    };
    let mut versions = Vec::new();
    for (lang, _) in map {
        let span = r.span(&lang.span);
        if !is_language_tag(&lang.name) {
            r.sink.push(
                Diagnostic::error(
                    span,
                    format!("`{}` is not a BCP 47 language tag", lang.name),
                )
                .hint(format!(
                    "a map `{key}` gives one version per language: `{key}: {{fr: \"…\", en: \"…\"}}`"
                )),
            );
            continue;
        }
        if versions
            .iter()
            .any(|(l, _): &(Spanned<String>, Spanned<String>)| l.value == lang.name)
        {
            r.sink.push(Diagnostic::error(
                span,
                format!("`{key}` gives the language `{}` twice", lang.name),
            ));
            continue;
        }
        let Some(text) = r.string(map, &lang.name) else {
            continue;
        };
        versions.push((Spanned::new(lang.name.clone(), span), text));
    }
    if versions.is_empty() && map.is_empty() {
        r.sink.push(
            Diagnostic::error(r.span(&node.span), format!("`{key}` is an empty map"))
                .hint(format!("write `{key}` as a string, or as a map by language: `{key}: {{fr: \"…\", en: \"…\"}}`")),
        );
    }
    (None, versions)
}

/// Validates a front matter tree; every fault goes to `sink`.
pub fn read_chapter_config(file: FileId, root: &Node, sink: &mut Sink) -> ChapterConfig {
    let mut r = Reader { file, sink };
    let Some(entries) = r.table("front matter", root) else {
        return ChapterConfig {
            numbered: true,
            ..Default::default()
        };
    };
    r.check_keys(entries, KEYS, "the front matter");
    let id = r.string(entries, "id");
    if let Some(id) = &id
        && !is_valid_id(&id.value)
    {
        r.sink.push(
            Diagnostic::error(
                id.span.clone(),
                format!("`{}` is not a valid chapter id", id.value),
            )
            .hint("ids are lowercase ASCII letters, digits and `-`"),
        );
    }
    let lang = r.string(entries, "lang");
    if let Some(lang) = &lang
        && !is_language_tag(&lang.value)
    {
        r.sink.push(
            Diagnostic::error(
                lang.span.clone(),
                format!("`{}` is not a BCP 47 language tag", lang.value),
            )
            .hint("write a tag such as fr, it or en"),
        );
    }
    let doi = r.string(entries, "doi");
    if let Some(doi) = &doi
        && !is_doi(&doi.value)
    {
        r.sink.push(
            Diagnostic::error(
                doi.span.clone(),
                format!("`{}` is not a DOI", doi.value),
            )
            .hint("write the DOI alone, as `10.` then the registrant's digits, `/` and the suffix: doi: 10.5281/zenodo.1234"),
        );
    }
    let (title, titles) = localized(&mut r, entries, "title");
    let (abstract_, abstracts) = localized(&mut r, entries, "abstract");
    ChapterConfig {
        doi,
        id,
        title,
        titles,
        abstracts,
        authors: r.strings(entries, "authors").unwrap_or_default(),
        reviewers: r.strings(entries, "reviewers").unwrap_or_default(),
        lang,
        abstract_,
        keywords: r
            .strings(entries, "keywords")
            .unwrap_or_default()
            .into_iter()
            .map(|k| k.value)
            .collect(),
        numbered: r.boolean(entries, "numbered").unwrap_or(true),
    }
}
