//! Citations and reference lists formatted by hayagriva, turned into the
//! model's own inlines (text, emphasis, links), which every renderer knows.

use hayagriva::citationberg::taxonomy::Locator;
use hayagriva::citationberg::{FontStyle, FontWeight, LocaleCode, VerticalAlign};
use hayagriva::{
    BibliographyDriver, BibliographyItem, BibliographyRequest, CitationItem, CitationRequest,
    CitePurpose, ElemChild, ElemChildren, Formatted, LocatorPayload, SpecificLocator,
};

use super::{Bibliography, LOCALES, locale};
use crate::diag::Span;
use crate::model::{Citation, CiteMode, Inline, LinkTarget, Reference};

/// The citations of one reference list (a chapter's, or the book's), in
/// reading order: numeric styles number them, author-date styles
/// disambiguate them, within the scope.
pub struct CitationScope<'b> {
    bibliography: &'b Bibliography,
    locale: LocaleCode,
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

impl<'b> CitationScope<'b> {
    /// A scope whose list is in the language `lang` (a BCP 47 tag).
    pub fn new(bibliography: &'b Bibliography, lang: &str) -> Self {
        CitationScope {
            bibliography,
            locale: locale(lang),
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

    /// Formats every citation and the reference list.
    pub fn finish(self) -> ScopeResult {
        let style = &self.bibliography.style;
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
                Some(self.locale.clone()),
                &LOCALES,
                None,
            ));
        }
        let rendered = driver.finish(BibliographyRequest {
            style,
            locale: Some(self.locale.clone()),
            locale_files: &LOCALES,
        });
        let citations = rendered
            .citations
            .iter()
            .zip(&self.citations)
            .map(|(r, citation)| {
                let mut out = Vec::new();
                if let Some(prefix) = citation.prefix() {
                    out.push(Inline::Text(format!("{prefix} ")));
                }
                let year_only = citation.year_only();
                if year_only {
                    out.push(Inline::Text("(".into()));
                }
                push_children(&r.citation, &citation.span, &mut out);
                if year_only {
                    out.push(Inline::Text(")".into()));
                }
                merge_text(out)
            })
            .collect();
        let references = rendered
            .bibliography
            .map(|b| {
                b.items
                    .into_iter()
                    .map(|item| {
                        let span = self
                            .bibliography
                            .spans
                            .get(&item.key)
                            .cloned()
                            .unwrap_or_else(|| self.citations[0].span.clone());
                        reference(item, &span)
                    })
                    .collect()
            })
            .unwrap_or_default();
        ScopeResult {
            citations,
            references,
        }
    }
}

/// A formatted entry as the model's reference; `span` stands for the
/// links inside it (the entry's place in the bibliography file).
pub(super) fn reference(item: BibliographyItem, span: &Span) -> Reference {
    let mut label = Vec::new();
    if let Some(first) = &item.first_field {
        push_child(first, span, &mut label);
    }
    let mut content = Vec::new();
    push_children(&item.content, span, &mut content);
    Reference {
        key: item.key,
        label: merge_text(label),
        content: merge_text(content),
    }
}

fn push_children(children: &ElemChildren, span: &Span, out: &mut Vec<Inline>) {
    for child in &children.0 {
        push_child(child, span, out);
    }
}

fn push_child(child: &ElemChild, span: &Span, out: &mut Vec<Inline>) {
    match child {
        ElemChild::Text(f) => out.push(formatted(f)),
        ElemChild::Elem(e) => push_children(&e.children, span, out),
        // Typst markup from a style: text here, never code.
        ElemChild::Markup(m) => out.push(Inline::Text(m.clone())),
        ElemChild::Link { text, url } => out.push(Inline::Link {
            url: url.clone(),
            title: String::new(),
            target: LinkTarget::External,
            content: vec![formatted(text)],
            span: span.clone(),
        }),
        // Only given for transparent locators, which are not used here.
        ElemChild::Transparent { .. } => {}
    }
}

/// Text with its CSL formatting as emphasis, strong, superscript or subscript.
fn formatted(f: &Formatted) -> Inline {
    let mut inline = Inline::Text(f.text.clone());
    let fmt = &f.formatting;
    if fmt.font_style == FontStyle::Italic {
        inline = Inline::Emph(vec![inline]);
    }
    if matches!(fmt.font_weight, FontWeight::Bold) {
        inline = Inline::Strong(vec![inline]);
    }
    match fmt.vertical_align {
        VerticalAlign::Sup => inline = Inline::Sup(vec![inline]),
        VerticalAlign::Sub => inline = Inline::Sub(vec![inline]),
        _ => {}
    }
    inline
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
