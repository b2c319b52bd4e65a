//! Citations: every key is in the bibliography, and each citation and
//! reference list is formatted in the book's style for the site and the
//! EPUB (the PDF has Typst format its own, with the same engine and style).
//!
//! In a book without a bibliography (no `[bibliography] files`), nothing
//! can be cited: what the parser read as a citation (`@word`, `[@word]`,
//! an address such as `<foo\+@bar.example.com>` that is no autolink) is the
//! text it was written as, with a warning saying how to cite or silence it.
//! Cross-references (`@fig:…`) are not citations and stay as they are.

use crate::bibliography::{self, CitationScope, ScopeStore};
use crate::diag::{Diagnostic, Sink};
use crate::model::{Book, Citation, Inline, block_inlines_mut, walk_blocks_mut, walk_inlines_mut};

/// Checks the keys and, when `format`, formats the citations of every
/// chapter, with one reference list per chapter or, with `per-chapter =
/// false`, one for the book.
pub fn cite(book: &mut Book, sink: &mut Sink, format: bool) {
    if book.config.bibliography.files.is_empty() {
        citations_as_text(book, sink);
        return;
    }
    let mut any = false;
    for chapter in &mut book.chapters {
        chapter.walk_inlines_mut(&mut |inline| any |= matches!(inline, Inline::Cite(_)));
    }
    if !any {
        return;
    }
    // The files' own faults are reported by `load`.
    let Some(bib) = bibliography::load(book, sink) else {
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

/// A book without a bibliography: every citation becomes the text it was
/// written as (in titles, abstracts, bodies, notes and bios), each with a
/// warning at its place.
fn citations_as_text(book: &mut Book, sink: &mut Sink) {
    let mut on_inline = |inline: &mut Inline| {
        let Inline::Cite(c) = inline else {
            return;
        };
        let keys: Vec<String> = c.items.iter().map(|i| format!("`{}`", i.key)).collect();
        sink.push(
            Diagnostic::warning(
                c.span.clone(),
                format!(
                    "`{}` is printed as written: this book has no bibliography to cite from",
                    c.written
                ),
            )
            .hint(format!(
                "to cite a work, list a bibliography file under [bibliography] in book.toml (`files = [\"references.bib\"]`) holding the entry {}; to print an @ without this warning, write `\\@`",
                keys.join(", ")
            )),
        );
        *inline = Inline::Text(std::mem::take(&mut c.written));
    };
    let mut on_inlines = |inlines: &mut Vec<Inline>| walk_inlines_mut(inlines, &mut on_inline);
    let mut on_block = |block: &mut crate::model::Block| block_inlines_mut(block, &mut on_inlines);
    let bios = book.people.iter_mut().map(|p| &mut p.bio);
    let chapters = book.chapters.iter_mut().flat_map(|c| c.block_lists_mut());
    for blocks in chapters.chain(bios) {
        walk_blocks_mut(blocks, &mut on_block);
    }
}
