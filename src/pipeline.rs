//! The stages in order: load → parse → passes, giving the [`Book`] model
//! that every renderer reads.

use std::path::Path;

use crate::diag::Sink;
use crate::load::{load_book, order_chapters};
use crate::model::{Book, Part};
use crate::parse::parse_chapter;
use crate::passes;

/// Loads, parses and checks the book at `root`. Every fault goes to `sink`;
/// the model is returned even when there are errors (with default settings
/// if book.toml is unusable), so that every stage reports what it finds in
/// one run. Render only when the sink holds no error.
pub fn load_model(root: &Path, sink: &mut Sink) -> Book {
    let loaded = load_book(root, sink);
    let config = loaded.config.clone().unwrap_or_default();
    let order = order_chapters(&loaded.chapters, &config, sink);

    let chapters = order
        .sequence
        .iter()
        .map(|&i| {
            parse_chapter(
                &loaded.chapters[i],
                &loaded.sources,
                &config.book.language,
                sink,
            )
        })
        .collect();
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
    };
    passes::run_all(&mut book, sink);
    book
}
