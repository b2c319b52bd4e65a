//! The stages in order: load → parse → passes, giving the [`Book`] model
//! that every renderer reads.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Sink};
use crate::load::{load_book, order_chapters};
use crate::model::{Book, Chapter, Part};
use crate::parse::parse_chapter;
use crate::passes;

/// Loads, parses and checks the book at `root`. Every fault goes to `sink`;
/// the model is returned even when there are errors (with default settings
/// if book.toml is unusable), so that every stage reports what it finds in
/// one run. Render only when the sink holds no error.
pub fn load_model(root: &Path, sink: &mut Sink) -> Book {
    load_model_cached(root, sink, &mut ParseCache::default())
}

/// Chapters parsed by an earlier run (in `watch`), reused while their file,
/// its place among the sources and the book's language are unchanged.
#[derive(Default)]
pub struct ParseCache {
    entries: HashMap<PathBuf, CachedParse>,
    /// The chapters the last run parsed again (ids).
    pub parsed: Vec<String>,
}

struct CachedParse {
    key: (crate::source::FileId, String, String, String),
    chapter: Chapter,
    diagnostics: Vec<Diagnostic>,
}

/// [`load_model`], parsing only the chapters `cache` does not hold as they are.
pub fn load_model_cached(root: &Path, sink: &mut Sink, cache: &mut ParseCache) -> Book {
    let loaded = load_book(root, sink);
    let config = loaded.config.clone().unwrap_or_default();
    let order = order_chapters(&loaded.chapters, &config, sink);

    cache.parsed.clear();
    let mut kept = HashMap::new();
    let chapters = order
        .sequence
        .iter()
        .map(|&i| {
            let chapter = &loaded.chapters[i];
            let key = (
                chapter.file,
                loaded.sources.get(chapter.file).text.clone(),
                chapter.id.clone(),
                config.book.language.clone(),
            );
            let entry = match cache.entries.remove(&chapter.path) {
                Some(entry) if entry.key == key => entry,
                _ => {
                    let mut own = Sink::default();
                    let parsed = parse_chapter(chapter, &loaded.sources, &key.3, &mut own);
                    cache.parsed.push(chapter.id.clone());
                    CachedParse {
                        key,
                        chapter: parsed,
                        diagnostics: own.diagnostics().to_vec(),
                    }
                }
            };
            sink.extend(entry.diagnostics.iter().cloned());
            let parsed = entry.chapter.clone();
            kept.insert(chapter.path.clone(), entry);
            parsed
        })
        .collect();
    // Chapters gone from the book are forgotten.
    cache.entries = kept;
    let parts = order
        .groups
        .into_iter()
        .map(|(title, chapters)| Part { title, chapters })
        .collect();
    let mut book = Book {
        root: root.to_path_buf(),
        config,
        contributors: loaded.contributors,
        sources: loaded.sources,
        chapters,
        parts,
        assets: Vec::new(),
        templates: loaded.templates,
        references: Vec::new(),
    };
    passes::run_all(&mut book, sink);
    book
}
