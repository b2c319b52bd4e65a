//! Citations and reference lists formatted by hayagriva, turned into the
//! model's own inlines (text, emphasis, links), which every renderer knows.
//!
//! Formatting goes through a plain intermediate form, [`FormattedScope`]:
//! hayagriva's output without the places it stands for, which can be kept
//! between runs (see `store`) and turned into inlines for any build.

use hayagriva::citationberg::taxonomy::Locator;
use hayagriva::citationberg::{FontStyle, FontWeight, LocaleCode, VerticalAlign};
use hayagriva::{
    BibliographyDriver, BibliographyItem, BibliographyRequest, CitationItem, CitationRequest,
    CitePurpose, ElemChild, ElemChildren, Formatted, LocatorPayload, SpecificLocator,
};
use serde::{Deserialize, Serialize};

use super::{Bibliography, LOCALES, locale};
use crate::diag::Span;
use crate::lang::Lang;
use crate::model::{Citation, CiteMode, Inline, LinkTarget, Reference};

/// The citations of one reference list (a chapter's, or the book's), in
/// reading order: numeric styles number them, author-date styles
/// disambiguate them, within the scope.
pub struct CitationScope<'b> {
    bibliography: &'b Bibliography,
    lang: Lang,
    citations: Vec<Citation>,
}

/// What a scope gives back.
#[derive(Clone)]
pub struct ScopeResult {
    /// Each citation as the style prints it, in the order they were added.
    pub citations: Vec<Vec<Inline>>,
    /// The reference list.
    pub references: Vec<Reference>,
}

/// A scope as hayagriva formatted it: what it depends on is only what is
/// cited, how, in which language and with which bibliography and style
/// ([`CitationScope::key`]), never where.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FormattedScope {
    citations: Vec<Vec<Piece>>,
    /// For each citation, where each of its items starts among its pieces
    /// (by the item's place in the citation; `None` for an item the style
    /// merged into another or hid), so that prefixes go inside the
    /// citation and each item links to its entry.
    #[serde(default)]
    starts: Vec<Vec<Option<usize>>>,
    references: Vec<FormattedReference>,
}

/// One entry of a formatted reference list.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct FormattedReference {
    key: String,
    label: Vec<Piece>,
    content: Vec<Piece>,
}

/// A run of text with its CSL formatting, or a link.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Piece {
    text: String,
    #[serde(default, skip_serializing_if = "is_false")]
    italic: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    bold: bool,
    /// 1 superscript, -1 subscript.
    #[serde(default, skip_serializing_if = "is_zero")]
    shift: i8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !b
}

fn is_zero(n: &i8) -> bool {
    *n == 0
}

impl<'b> CitationScope<'b> {
    /// A scope whose list is in the language `lang`.
    pub fn new(bibliography: &'b Bibliography, lang: &Lang) -> Self {
        CitationScope {
            bibliography,
            lang: lang.clone(),
            citations: Vec::new(),
        }
    }

    /// The citations added so far.
    pub fn citations(&self) -> &[Citation] {
        &self.citations
    }

    /// Adds a citation (its keys must exist).
    pub fn cite(&mut self, citation: &Citation) {
        self.citations.push(citation.clone());
    }

    /// A hash of everything the formatted scope depends on, the same from
    /// one run or machine to the next (SipHash with fixed keys; should a
    /// Rust release hash some type differently, the next build only misses
    /// the store once): the bibliography and style, the language, what each
    /// citation cites and how (not where), and the version of hayagriva.
    pub fn key(&self) -> u128 {
        use std::hash::Hash;
        let mut h = siphasher::sip128::SipHasher13::new();
        (
            FORMAT_VERSION,
            HAYAGRIVA,
            self.bibliography.key,
            self.lang.tag(),
        )
            .hash(&mut h);
        for c in &self.citations {
            c.mode.hash(&mut h);
            for item in &c.items {
                (&item.key, &item.locator, item.suppress_author).hash(&mut h);
            }
        }
        siphasher::sip128::Hasher128::finish128(&h).as_u128()
    }

    /// Formats every citation and the reference list with hayagriva.
    pub fn format(&self) -> FormattedScope {
        let style = &self.bibliography.style;
        let locale: LocaleCode = locale(&self.lang);
        let mut driver = BibliographyDriver::new();
        for citation in &self.citations {
            let items = citation
                .items
                .iter()
                .filter_map(|item| {
                    let entry = self.bibliography.get(&item.key)?;
                    let locator = (!item.locator.is_empty()).then(|| {
                        SpecificLocator(Locator::Custom, LocatorPayload::Str(&item.locator))
                    });
                    let purpose = if item.suppress_author {
                        Some(CitePurpose::Year)
                    } else if citation.mode == CiteMode::InText {
                        Some(CitePurpose::Prose)
                    } else {
                        None
                    };
                    Some(CitationItem::new(entry, locator, None, false, purpose))
                })
                .collect();
            driver.citation(CitationRequest::new(
                items,
                style,
                Some(locale.clone()),
                &LOCALES,
                None,
            ));
        }
        let rendered = driver.finish(BibliographyRequest {
            style,
            locale: Some(locale),
            locale_files: &LOCALES,
        });
        let (citations, starts) = rendered
            .citations
            .iter()
            .zip(&self.citations)
            .map(|(r, c)| citation_pieces(&r.citation, c.items.len()))
            .unzip();
        FormattedScope {
            citations,
            starts,
            references: rendered
                .bibliography
                .map(|b| b.items.into_iter().map(FormattedReference::from).collect())
                .unwrap_or_default(),
        }
    }

    /// The formatted scope as the model's inlines, linked from where each
    /// citation and entry stands.
    pub fn resolve(&self, formatted: &FormattedScope) -> ScopeResult {
        let citations = formatted
            .citations
            .iter()
            .zip(&self.citations)
            .enumerate()
            .map(|(i, (pieces, citation))| {
                let starts = formatted.starts.get(i).map(Vec::as_slice).unwrap_or(&[]);
                resolve_citation(pieces, starts, citation)
            })
            .collect();
        let references = formatted
            .references
            .iter()
            .map(|item| {
                let span = self
                    .bibliography
                    .spans
                    .get(&item.key)
                    .cloned()
                    .unwrap_or_else(|| self.citations[0].span.clone());
                item.resolve(&span)
            })
            .collect();
        ScopeResult {
            citations,
            references,
        }
    }
}

/// Raised when [`FormattedScope`] or the requests given to hayagriva change,
/// so that scopes kept by an earlier version are formatted again.
const FORMAT_VERSION: u32 = 2;

/// A rendered citation's pieces, and where each of its `items` starts: the
/// style puts its own delimiters (`(`, `; `, `)`) between the items'
/// elements, which hayagriva marks with the item's place.
fn citation_pieces(children: &ElemChildren, items: usize) -> (Vec<Piece>, Vec<Option<usize>>) {
    let mut out = Vec::new();
    let mut starts = vec![None; items];
    for child in &children.0 {
        if let ElemChild::Elem(e) = child
            && let Some(hayagriva::ElemMeta::Entry(i)) = e.meta
            && let Some(start) = starts.get_mut(i)
        {
            *start = Some(out.len());
        }
        out.extend(pieces_of(child));
    }
    (out, starts)
}

/// A citation as the model's inlines: the style's text, each item's prefix
/// (`voir`) at the start of that item, inside the style's parentheses as
/// Pandoc and author-date styles print it, and each item linked to its
/// entry in the reference list (unless the style already links inside it).
fn resolve_citation(
    pieces: &[Piece],
    starts: &[Option<usize>],
    citation: &Citation,
) -> Vec<Inline> {
    let mut out = Vec::new();
    let year_only = citation.year_only();
    if year_only {
        out.push(Inline::Text("(".into()));
    }
    // Items whose start is unknown (a style that merged them) get their
    // prefix before the whole citation, as before.
    let placed = |i: usize| starts.get(i).copied().flatten();
    let unplaced: Vec<&str> = citation
        .items
        .iter()
        .enumerate()
        .filter(|(i, item)| !item.prefix.is_empty() && placed(*i).is_none())
        .map(|(_, item)| item.prefix.as_str())
        .collect();
    if !unplaced.is_empty() {
        out.push(Inline::Text(format!("{} ", unplaced.join(" "))));
    }
    // The pieces, cut at each item's start.
    let mut bounds: Vec<(usize, usize)> = (0..citation.items.len())
        .filter_map(|i| placed(i).map(|s| (s, i)))
        .collect();
    bounds.sort();
    let mut at = 0;
    for (k, &(start, item)) in bounds.iter().enumerate() {
        push_pieces(&pieces[at..start], &citation.span, &mut out);
        // An item runs to the next item's start, or to the end of its
        // element: the style's closing delimiter after the last one is not
        // part of it (it is what follows the last piece of an Elem, which
        // `citation_pieces` flattened; a lone trailing `)` or `]` stays out).
        let end = match bounds.get(k + 1) {
            Some(&(next, _)) => delimiter_start(pieces, start, next),
            None => trailing_start(pieces, start),
        };
        let entry = &citation.items[item];
        let mut content = Vec::new();
        if !entry.prefix.is_empty() {
            content.push(Inline::Text(format!("{} ", entry.prefix)));
        }
        let mut body = Vec::new();
        push_pieces(&pieces[start..end], &citation.span, &mut body);
        let styled_link = body.iter().any(|i| matches!(i, Inline::Link { .. }));
        if styled_link {
            content.extend(body);
            out.extend(merge_text(content));
        } else {
            let prefix = content;
            out.extend(prefix);
            out.push(Inline::Link {
                url: String::new(),
                title: String::new(),
                target: LinkTarget::Reference(entry.key.clone()),
                content: merge_text(body),
                span: citation.span.clone(),
            });
        }
        at = end;
    }
    push_pieces(&pieces[at..], &citation.span, &mut out);
    if year_only {
        out.push(Inline::Text(")".into()));
    }
    merge_text(out)
}

/// Where the delimiter between two items starts: the last piece before
/// `next` that is the style's punctuation alone (`; `), else `next`.
fn delimiter_start(pieces: &[Piece], start: usize, next: usize) -> usize {
    match next.checked_sub(1) {
        Some(d) if d > start && is_punctuation(&pieces[d]) => d,
        _ => next,
    }
}

/// Where the style's closing delimiter (`)`, `]`) after the last item
/// starts, else the end.
fn trailing_start(pieces: &[Piece], start: usize) -> usize {
    match pieces.len().checked_sub(1) {
        Some(d) if d > start && is_punctuation(&pieces[d]) => d,
        _ => pieces.len(),
    }
}

/// A piece of punctuation and spaces only, unlinked: a style's delimiter.
fn is_punctuation(piece: &Piece) -> bool {
    piece.url.is_none()
        && !piece.text.is_empty()
        && piece
            .text
            .chars()
            .all(|c| c.is_whitespace() || (c.is_ascii_punctuation() && c != '.'))
}

/// The version of hayagriva formatting (its styles and locales are archived
/// in it).
const HAYAGRIVA: &str = "0.10.1";

impl From<BibliographyItem> for FormattedReference {
    fn from(item: BibliographyItem) -> Self {
        FormattedReference {
            label: item.first_field.iter().flat_map(pieces_of).collect(),
            content: pieces(&item.content),
            key: item.key,
        }
    }
}

impl FormattedReference {
    /// The entry as the model's reference; `span` stands for the links
    /// inside it (the entry's place in the bibliography file).
    fn resolve(&self, span: &Span) -> Reference {
        let mut label = Vec::new();
        push_pieces(&self.label, span, &mut label);
        let mut content = Vec::new();
        push_pieces(&self.content, span, &mut content);
        Reference {
            key: self.key.clone(),
            label: merge_text(label),
            content: merge_text(content),
        }
    }
}

/// A formatted entry as the model's reference; `span` stands for the
/// links inside it.
pub(super) fn reference(item: BibliographyItem, span: &Span) -> Reference {
    FormattedReference::from(item).resolve(span)
}

fn pieces(children: &ElemChildren) -> Vec<Piece> {
    children.0.iter().flat_map(pieces_of).collect()
}

fn pieces_of(child: &ElemChild) -> Vec<Piece> {
    match child {
        ElemChild::Text(f) => vec![piece(f, None)],
        ElemChild::Elem(e) => pieces(&e.children),
        // Typst markup from a style: text here, never code.
        ElemChild::Markup(m) => vec![Piece {
            text: m.clone(),
            italic: false,
            bold: false,
            shift: 0,
            url: None,
        }],
        ElemChild::Link { text, url } => vec![piece(text, Some(url.clone()))],
        // Only given for transparent locators, which are not used here.
        ElemChild::Transparent { .. } => Vec::new(),
    }
}

fn piece(f: &Formatted, url: Option<String>) -> Piece {
    let fmt = &f.formatting;
    Piece {
        text: f.text.clone(),
        italic: fmt.font_style == FontStyle::Italic,
        bold: matches!(fmt.font_weight, FontWeight::Bold),
        shift: match fmt.vertical_align {
            VerticalAlign::Sup => 1,
            VerticalAlign::Sub => -1,
            _ => 0,
        },
        url,
    }
}

fn push_pieces(pieces: &[Piece], span: &Span, out: &mut Vec<Inline>) {
    for p in pieces {
        let mut inline = Inline::Text(p.text.clone());
        if p.italic {
            inline = Inline::Emph(vec![inline]);
        }
        if p.bold {
            inline = Inline::Strong(vec![inline]);
        }
        match p.shift {
            1 => inline = Inline::Sup(vec![inline]),
            -1 => inline = Inline::Sub(vec![inline]),
            _ => {}
        }
        out.push(match &p.url {
            Some(url) => Inline::Link {
                url: url.clone(),
                title: String::new(),
                target: LinkTarget::External,
                content: vec![inline],
                span: span.clone(),
            },
            None => inline,
        });
    }
}

/// Joins adjacent text nodes.
fn merge_text(inlines: Vec<Inline>) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::with_capacity(inlines.len());
    for inline in inlines {
        if let (Some(Inline::Text(prev)), Inline::Text(next)) = (out.last_mut(), &inline) {
            prev.push_str(next);
            continue;
        }
        out.push(inline);
    }
    out
}

#[cfg(test)]
mod tests {
    /// Formatted scopes kept by one version of hayagriva must not be taken
    /// for another's: the key names the version, which must be the one built.
    #[test]
    fn the_key_names_the_hayagriva_that_is_built() {
        let lock = include_str!("../../Cargo.lock");
        let at = lock
            .find("name = \"hayagriva\"\nversion = \"")
            .expect("hayagriva in Cargo.lock");
        let version = lock[at..].lines().nth(1).unwrap();
        assert_eq!(version, format!("version = \"{}\"", super::HAYAGRIVA));
    }
}
