//! The last passes' work on each chapter, kept between `watch`'s rebuilds.
//!
//! Stage: in place of the chapter-local passes (citations, raw, math,
//! typography) when `watch` rebuilds. Those passes read nothing of a
//! chapter but its text as the passes before them left it (its block
//! lists, id and language) and the book's settings and bibliography; they
//! write only the text, the title and the reference list. So a chapter
//! whose text reaches them unchanged (the same hash) in a book whose
//! settings and bibliography are unchanged gets what they made the last
//! time, with their diagnostics, and only the other chapters go through
//! them. On a long book a paragraph's save then costs the passes of one
//! chapter, not of all of them.
//!
//! What is kept is taken by the next rebuild as a copy made while `watch`
//! waited ([`TailMemo::refill`]), and what it replaces is freed on another
//! thread: neither copying nor freeing a book's worth of text stands
//! between a save and its page.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use super::{Prepare, tail};
use crate::diag::{Diagnostic, Sink};
use crate::load::CONTRIBUTORS_FILE;
use crate::model::{Block, Book, Chapter, Footnote, Reference, Translation};

/// What the last passes made of each chapter, by chapter id.
#[derive(Default)]
pub struct TailMemo {
    /// The hash of what those passes read from the book (settings,
    /// bibliography files, language, the kind of build).
    context: u64,
    entries: HashMap<String, Entry>,
    /// The chapters the last run put through the passes (ids).
    pub ran: Vec<String>,
}

struct Entry {
    /// The hash of the chapter as the passes got it.
    input: u64,
    finished: Finished,
    /// A copy of `finished` for the next rebuild to take.
    spare: Option<Finished>,
    /// The passes' diagnostics about this chapter.
    diagnostics: Vec<Diagnostic>,
}

/// The fields of a chapter the last passes write.
#[derive(Clone)]
struct Finished {
    title: String,
    title_markup: Vec<Block>,
    abstract_: Vec<Block>,
    blocks: Vec<Block>,
    footnotes: Vec<Footnote>,
    translations: Vec<Translation>,
    references: Vec<Reference>,
    cites: bool,
}

impl Finished {
    fn of(chapter: &Chapter) -> Finished {
        Finished {
            title: chapter.title.clone(),
            title_markup: chapter.title_markup.clone(),
            abstract_: chapter.abstract_.clone(),
            blocks: chapter.blocks.clone(),
            footnotes: chapter.footnotes.clone(),
            translations: chapter.translations.clone(),
            references: chapter.references.clone(),
            cites: chapter.cites,
        }
    }

    /// Puts these fields into `chapter`; returns those they replace.
    fn put_into(self, chapter: &mut Chapter) -> Finished {
        Finished {
            title: std::mem::replace(&mut chapter.title, self.title),
            title_markup: std::mem::replace(&mut chapter.title_markup, self.title_markup),
            abstract_: std::mem::replace(&mut chapter.abstract_, self.abstract_),
            blocks: std::mem::replace(&mut chapter.blocks, self.blocks),
            footnotes: std::mem::replace(&mut chapter.footnotes, self.footnotes),
            translations: std::mem::replace(&mut chapter.translations, self.translations),
            references: std::mem::replace(&mut chapter.references, self.references),
            cites: std::mem::replace(&mut chapter.cites, self.cites),
        }
    }
}

/// The hash of a chapter as the last passes read it.
fn input_hash(chapter: &Chapter) -> u64 {
    crate::fingerprint::fingerprint(&(
        &chapter.id,
        &chapter.lang,
        &chapter.title_markup,
        &chapter.abstract_,
        &chapter.blocks,
        &chapter.footnotes,
        &chapter.translations,
    ))
}

/// The hash of what the last passes read from the book besides its
/// chapters; `None` when they read the other chapters too (one reference
/// list for the whole book), so that nothing can be kept.
fn context_hash(book: &Book, prepare: Prepare) -> Option<u64> {
    let bibliography = &book.config.bibliography;
    if !bibliography.per_chapter {
        return None;
    }
    let mut h = std::collections::hash_map::DefaultHasher::new();
    format!("{:?}{:?}", book.config, prepare).hash(&mut h);
    (&book.root, &book.lang).hash(&mut h);
    // The bibliography and a style of the book, as they are now.
    let style = bibliography.style.iter().map(|s| &s.value);
    for file in bibliography.files.iter().map(|f| &f.value).chain(style) {
        std::fs::read(book.root.join(file)).ok().hash(&mut h);
    }
    Some(h.finish())
}

impl TailMemo {
    /// Runs the last passes on the chapters of `book` that need them, and
    /// gives the others what those passes made of them before.
    pub fn run(&mut self, book: &mut Book, sink: &mut Sink, prepare: Prepare) {
        let Some(context) = context_hash(book, prepare) else {
            self.entries.clear();
            self.ran = book.chapters.iter().map(|c| c.id.clone()).collect();
            tail(book, sink, prepare);
            return;
        };
        if context != self.context {
            self.entries.clear();
            self.context = context;
        }
        let inputs: Vec<u64> = {
            use rayon::prelude::*;
            book.chapters.par_iter().map(input_hash).collect()
        };
        let all = std::mem::take(&mut book.chapters);
        let mut kept: Vec<(usize, Chapter)> = Vec::new();
        let mut again: Vec<(usize, u64)> = Vec::new();
        for (i, (chapter, input)) in all.into_iter().zip(&inputs).enumerate() {
            let hit = self
                .entries
                .get(&chapter.id)
                .is_some_and(|e| e.input == *input);
            if hit {
                kept.push((i, chapter));
            } else {
                again.push((i, *input));
                book.chapters.push(chapter);
            }
        }

        // The chapters that changed, through the passes.
        let mut own = Sink::default();
        tail(book, &mut own, prepare);
        let bios = book.sources.find(std::path::Path::new(CONTRIBUTORS_FILE));
        let mut by_file: HashMap<crate::source::FileId, Vec<Diagnostic>> = HashMap::new();
        let mut attributed = true;
        for d in own.into_sorted() {
            match d.span.as_ref().map(|s| s.file) {
                Some(file) if book.chapters.iter().any(|c| c.file == file) => {
                    by_file.entry(file).or_default().push(d.clone());
                }
                // The contributors' bios go through the passes every time.
                Some(file) if Some(file) == bios => {}
                // Anything else may come from any chapter.
                _ => attributed = false,
            }
            sink.push(d);
        }
        let changed = std::mem::take(&mut book.chapters);
        self.ran = changed.iter().map(|c| c.id.clone()).collect();
        let seen: std::collections::HashSet<&str> = changed
            .iter()
            .map(|c| c.id.as_str())
            .chain(kept.iter().map(|(_, c)| c.id.as_str()))
            .collect();
        self.entries.retain(|id, _| seen.contains(id.as_str()));
        for (chapter, (_, input)) in changed.iter().zip(&again) {
            if attributed {
                self.entries.insert(
                    chapter.id.clone(),
                    Entry {
                        input: *input,
                        finished: Finished::of(chapter),
                        spare: None,
                        diagnostics: by_file.remove(&chapter.file).unwrap_or_default(),
                    },
                );
            } else {
                // A diagnostic that names no chapter may come from any:
                // nothing made this time is kept.
                self.entries.remove(&chapter.id);
            }
        }

        // The others, as the passes left them the last time.
        let mut replaced = Vec::with_capacity(kept.len());
        for (_, chapter) in &mut kept {
            let entry = self
                .entries
                .get_mut(&chapter.id)
                .expect("a hit has its entry");
            let finished = entry.spare.take().unwrap_or_else(|| entry.finished.clone());
            replaced.push(finished.put_into(chapter));
            for d in &entry.diagnostics {
                sink.push(d.clone());
            }
        }
        // Freeing a book's worth of text is not the next page's business.
        std::thread::spawn(move || drop(replaced));

        let mut chapters: Vec<(usize, Chapter)> = again
            .iter()
            .map(|(i, _)| *i)
            .zip(changed)
            .chain(kept)
            .collect();
        chapters.sort_by_key(|(i, _)| *i);
        book.chapters = chapters.into_iter().map(|(_, c)| c).collect();
    }

    /// Makes the copies the next rebuild takes (on every core), while no
    /// save is waiting.
    pub fn refill(&mut self) {
        use rayon::prelude::*;
        self.entries.par_iter_mut().for_each(|(_, entry)| {
            if entry.spare.is_none() {
                entry.spare = Some(entry.finished.clone());
            }
        });
    }
}
