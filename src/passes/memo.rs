//! What the passes made of each chapter, kept between `watch`'s rebuilds.
//!
//! Stage: in place of the passes from ids on when `watch` rebuilds. A
//! chapter's passes read its own parse, its number, what the other
//! chapters offer its links and cross-references (their files, anchors and
//! labels: a [`Directory`](super::links::Directory) and their targets), the
//! files its links name, and the book's settings and bibliography. So a
//! chapter of the same parse (the parse cache's stamp) and number, in a
//! book whose chapters offer the same and whose settings and bibliography
//! are the same, whose named files are found as they were, gets what the
//! passes made of it the last time, with its diagnostics; only the others
//! go through them. The checks across chapters (labels written once, `see`
//! naming an entry) run every time, on what each chapter offers, which is
//! kept with it. On a long book a paragraph's save then costs the passes of
//! one chapter, not of all of them.
//!
//! What is kept is taken by the next rebuild as a copy made while `watch`
//! waited ([`ChapterMemo::refill`]), and what it replaces is freed on
//! another thread: neither copying nor freeing a book's worth of text
//! stands between a save and its page.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use super::{Offered, Prepare, check_offered, crossrefs, directory, links, own_passes, tail};
use crate::diag::{Diagnostic, Sink};
use crate::load::CONTRIBUTORS_FILE;
use crate::model::{Block, Book, Chapter, Footnote, Reference, Translation};

/// What the passes made of each chapter, by chapter file.
#[derive(Default)]
pub struct ChapterMemo {
    /// The hash of what the passes read from the book besides its chapters
    /// (settings, bibliography files, language, the kind of build).
    settings: u64,
    /// The hash of what the last run resolved links and cross-references
    /// against: what every chapter offered.
    offered: u64,
    entries: HashMap<PathBuf, Entry>,
    /// The chapters the last run put through the passes (ids).
    pub ran: Vec<String>,
}

struct Entry {
    /// The parse it was made from, and the chapter's number then.
    stamp: u64,
    number: Option<u32>,
    /// What the chapter offered the others.
    offered: Arc<Offered>,
    /// The files its text reads.
    files: links::Files,
    finished: Finished,
    /// A copy of `finished` for the next rebuild to take.
    spare: Option<Finished>,
    /// The passes' diagnostics about this chapter.
    diagnostics: Vec<Diagnostic>,
}

/// The fields of a chapter the passes write (besides its number, which
/// is the same in a kept chapter).
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

/// The hash of what the passes read from the book besides its chapters;
/// `None` when the citations read the other chapters too (one reference
/// list for the whole book), so that nothing can be kept.
fn context_hash(book: &Book, prepare: Prepare) -> Option<u64> {
    let bibliography = &book.config.bibliography;
    if !bibliography.per_chapter {
        return None;
    }
    // The bibliography and a style of the book as this load read them
    // (the citations pass formats from these texts, not from the disk,
    // which may have changed since).
    let style = bibliography.style.iter().map(|s| &s.value);
    let texts: Vec<Option<&str>> = (bibliography.files.iter().map(|f| &f.value))
        .chain(style)
        .map(|name| {
            let file = book.sources.find(std::path::Path::new(name))?;
            Some(book.sources.get(file).text.as_str())
        })
        .collect();
    let settings = format!("{:?}{:?}", book.config, prepare);
    Some(crate::fingerprint::fingerprint(&(
        settings, &book.root, &book.lang, texts,
    )))
}

impl ChapterMemo {
    /// Runs the passes from ids on (after [`super::numbering::number_chapters`])
    /// on the chapters of `book` that need them, and gives the others what
    /// those passes made of them before. `stamps` tells each chapter's
    /// parse, in reading order.
    pub fn run(&mut self, book: &mut Book, sink: &mut Sink, prepare: Prepare, stamps: &[u64]) {
        let count = book.chapters.len();
        let Some(settings) = context_hash(book, prepare).filter(|_| stamps.len() == count) else {
            self.entries.clear();
            self.ran = book.chapters.iter().map(|c| c.id.clone()).collect();
            super::whole_book(book, sink, prepare);
            return;
        };
        if settings != self.settings {
            self.entries.clear();
            self.settings = settings;
        }
        // The same parse at the same number may be kept.
        let mut keep: Vec<bool> = book
            .chapters
            .iter()
            .zip(stamps)
            .map(|(c, stamp)| {
                self.entries
                    .get(&c.path)
                    .is_some_and(|e| e.stamp == *stamp && e.number == c.number)
            })
            .collect();
        let mut sinks = vec![Sink::default(); count];
        let fresh: Vec<bool> = keep.iter().map(|k| !k).collect();
        let made = own_passes(book, &fresh, true, &mut sinks);
        let offered: Vec<Arc<Offered>> = made
            .into_iter()
            .zip(&book.chapters)
            .map(|(made, c)| match made {
                Some(offered) => Arc::new(offered),
                None => self.entries[&c.path].offered.clone(),
            })
            .collect();
        check_offered(book, &offered, sink);
        let directory = directory(book, &offered);
        let labels = crossrefs::Labels::new(offered.iter().map(|o| o.targets.as_slice()));
        let against = {
            let targets: Vec<_> = offered.iter().map(|o| &o.targets).collect();
            crate::fingerprint::fingerprint(&(&directory, targets))
        };
        if against != self.offered {
            keep.fill(false);
            self.offered = against;
        }
        // A file named may have come or gone (looked for on every core).
        {
            use rayon::prelude::*;
            let entries = &self.entries;
            keep.par_iter_mut()
                .zip(&book.chapters)
                .filter(|(keep, _)| **keep)
                .for_each(|(keep, chapter)| {
                    let files = &entries[&chapter.path].files;
                    *keep = files.still_found(&directory, &chapter.path);
                });
        }
        // The chapters kept until now that may not be: their own passes,
        // without an offer (theirs is the one kept: the same parse at the
        // same number).
        let late: Vec<bool> = keep.iter().zip(&fresh).map(|(k, f)| !k && !f).collect();
        own_passes(book, &late, false, &mut sinks);
        let again: Vec<bool> = keep.iter().map(|k| !k).collect();
        let found = super::resolve(book, &again, &directory, &labels, &mut sinks);
        let bios = links::resolve_bios(&mut book.people, &directory, sink);
        {
            let kept = book
                .chapters
                .iter()
                .zip(&keep)
                .filter(|(_, k)| **k)
                .map(|(c, _)| &self.entries[&c.path].files);
            let gathered = links::gather(found.iter().flatten().chain(kept).chain([&bios]));
            (book.assets, book.missing) = gathered;
        }
        drop((directory, labels));
        // What the chapters not kept made, in reading order.
        let made: Vec<(u64, Arc<Offered>, links::Files, Vec<Diagnostic>)> = keep
            .iter()
            .zip(stamps)
            .zip(offered)
            .zip(found)
            .zip(sinks)
            .filter(|((((keep, _), _), _), _)| !**keep)
            .map(|((((_, stamp), offered), files), own)| {
                (
                    *stamp,
                    offered,
                    files.unwrap_or_default(),
                    own.into_diagnostics(),
                )
            })
            .collect();

        // Their diagnostics so far, before the last passes' (as `whole_book`
        // gives them).
        for (_, _, _, diagnostics) in &made {
            sink.extend(diagnostics.iter().cloned());
        }

        // The chapters not kept, through the last passes.
        let all = std::mem::take(&mut book.chapters);
        let mut kept: Vec<(usize, Chapter)> = Vec::new();
        let mut changed_at: Vec<usize> = Vec::new();
        for (i, (chapter, keep)) in all.into_iter().zip(&keep).enumerate() {
            if *keep {
                kept.push((i, chapter));
            } else {
                changed_at.push(i);
                book.chapters.push(chapter);
            }
        }
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
        let seen: std::collections::HashSet<&PathBuf> = changed
            .iter()
            .map(|c| &c.path)
            .chain(kept.iter().map(|(_, c)| &c.path))
            .collect();
        self.entries.retain(|path, _| seen.contains(path));
        for (chapter, (stamp, offered, files, mut diagnostics)) in changed.iter().zip(made) {
            if attributed {
                diagnostics.extend(by_file.remove(&chapter.file).unwrap_or_default());
                self.entries.insert(
                    chapter.path.clone(),
                    Entry {
                        stamp,
                        number: chapter.number,
                        offered,
                        files,
                        finished: Finished::of(chapter),
                        spare: None,
                        diagnostics,
                    },
                );
            } else {
                // A diagnostic that names no chapter may come from any:
                // nothing made this time is kept.
                self.entries.remove(&chapter.path);
            }
        }

        // The others, as the passes left them the last time.
        let mut replaced = Vec::with_capacity(kept.len());
        for (_, chapter) in &mut kept {
            let entry = self
                .entries
                .get_mut(&chapter.path)
                .expect("a kept chapter has its entry");
            let finished = entry.spare.take().unwrap_or_else(|| entry.finished.clone());
            replaced.push(finished.put_into(chapter));
            for d in &entry.diagnostics {
                sink.push(d.clone());
            }
        }
        // Freeing a book's worth of text is not the next page's business.
        std::thread::spawn(move || drop(replaced));

        let mut chapters: Vec<(usize, Chapter)> =
            changed_at.into_iter().zip(changed).chain(kept).collect();
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
