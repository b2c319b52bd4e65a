//! Citations: every key is in the bibliography, and each citation and
//! reference list is formatted in the book's style for the site and the
//! EPUB (the PDF has Typst format its own, with the same engine and style).

use crate::bibliography::{self, CitationScope, ScopeStore};
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
                    if bib.get(&item.key).is_none() && !bib.unreadable.contains(&item.key) {
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
            if let Inline::Cite(c) = inline {
                c.known = known(c);
                cites |= c.known;
            }
        });
        chapter.cites = cites;
    }
    if !format {
        return;
    }
    let store = ScopeStore::open(&book.root);
    if book.config.bibliography.per_chapter {
        // Each chapter is its own scope, formatted on every core unless the
        // store has it from an earlier run.
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
            let result = scope.resolve(&store.format(&scope));
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
        let mut scope = CitationScope::new(&bib, &book.lang);
        for chapter in &mut book.chapters {
            chapter.walk_inlines_mut(&mut |inline| {
                if let Inline::Cite(c) = inline
                    && known(c)
                {
                    scope.cite(c);
                }
            });
        }
        let result = scope.resolve(&store.format(&scope));
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
    store.save();
}
