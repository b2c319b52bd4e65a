//! Citations: every key is in the bibliography, and each citation and
//! reference list is formatted in the book's style for the site and the
//! EPUB (the PDF has Typst format its own, with the same engine and style).

use crate::bibliography::{self, CitationScope};
use crate::diag::{Diagnostic, Sink};
use crate::model::{Book, Citation, Inline};

/// Checks the keys and, when `format`, formats the citations of every
/// chapter, with one reference list per chapter or, with `per-chapter =
/// false`, one for the book.
pub fn cite(book: &mut Book, sink: &mut Sink, format: bool) {
    let mut any = false;
    for chapter in &mut book.chapters {
        chapter.walk_inlines_mut(&mut |inline| any |= matches!(inline, Inline::Cite(_)));
    }
    if !any {
        return;
    }
    let Some(bib) = bibliography::load(book, sink) else {
        if book.config.bibliography.files.is_empty() {
            for chapter in &mut book.chapters {
                chapter.walk_inlines_mut(&mut |inline| {
                    if let Inline::Cite(c) = inline {
                        sink.push(
                            Diagnostic::error(c.span.clone(), "this citation has no bibliography to cite from")
                                .hint("add `[bibliography] files = [\"references.bib\"]` to book.toml, or write `\\@` for a plain @"),
                        );
                    }
                });
            }
        }
        return;
    };
    // Unknown keys: an error each, at the citation.
    for chapter in &mut book.chapters {
        chapter.walk_inlines_mut(&mut |inline| {
            if let Inline::Cite(c) = inline {
                for item in &c.items {
                    if bib.get(&item.key).is_none() {
                        sink.push(
                            Diagnostic::error(
                                c.span.clone(),
                                format!("no entry `{}` in the bibliography", item.key),
                            )
                            .suggest(&item.key, bib.keys())
                            .hint("add the work to the bibliography file, or write `\\@` for a plain @"),
                        );
                    }
                }
            }
        });
    }
    let known = |c: &Citation| c.items.iter().all(|i| bib.get(&i.key).is_some());
    for chapter in &mut book.chapters {
        let mut cites = false;
        chapter.walk_inlines_mut(&mut |inline| {
            cites |= matches!(inline, Inline::Cite(c) if known(c));
        });
        chapter.cites = cites;
    }
    if !format {
        return;
    }
    if book.config.bibliography.per_chapter {
        // Each chapter is its own scope: formatted on every core, and
        // remembered for the next rebuild of `watch` while its citations,
        // language and bibliography stay the same.
        use rayon::prelude::*;
        book.chapters.par_iter_mut().for_each(|chapter| {
            let mut scope = CitationScope::new(&bib, &chapter.lang);
            chapter.walk_inlines_mut(&mut |inline| {
                if let Inline::Cite(c) = inline
                    && known(c)
                {
                    scope.cite(c);
                }
            });
            let result = remembered(&bib, &chapter.lang, scope);
            let mut rendered = result.citations.into_iter();
            chapter.walk_inlines_mut(&mut |inline| {
                if let Inline::Cite(c) = inline
                    && known(c)
                {
                    c.rendered = rendered.next().unwrap_or_default();
                }
            });
            chapter.references = result.references;
        });
    } else {
        let mut scope = CitationScope::new(&bib, &book.config.book.language);
        for chapter in &mut book.chapters {
            chapter.walk_inlines_mut(&mut |inline| {
                if let Inline::Cite(c) = inline
                    && known(c)
                {
                    scope.cite(c);
                }
            });
        }
        let result = scope.finish();
        let mut rendered = result.citations.into_iter();
        for chapter in &mut book.chapters {
            chapter.walk_inlines_mut(&mut |inline| {
                if let Inline::Cite(c) = inline
                    && known(c)
                {
                    c.rendered = rendered.next().unwrap_or_default();
                }
            });
        }
        book.references = result.references;
    }
}

/// Formatted scopes of earlier runs, by what they depend on.
static SCOPES: std::sync::LazyLock<
    std::sync::Mutex<std::collections::HashMap<u64, crate::bibliography::ScopeResult>>,
> = std::sync::LazyLock::new(Default::default);

/// `scope` formatted, or as formatted by an earlier run.
fn remembered(
    bib: &crate::bibliography::Bibliography,
    lang: &str,
    scope: CitationScope<'_>,
) -> crate::bibliography::ScopeResult {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (bib.key, lang).hash(&mut h);
    // What is cited and how; not where (spans do not change the text).
    for c in scope.citations() {
        format!("{:?}{:?}", c.items, c.mode).hash(&mut h);
    }
    let key = h.finish();
    let memo = || SCOPES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(found) = memo().get(&key) {
        return found.clone();
    }
    let result = scope.finish();
    let mut memo = memo();
    if memo.len() > 10_000 {
        memo.clear();
    }
    memo.insert(key, result.clone());
    result
}
