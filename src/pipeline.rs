//! The stages in order: load → parse → passes, giving the [`Book`] model
//! that every renderer reads.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::config::MarkdownConfig;
use crate::diag::{Diagnostic, Sink};
use crate::lang::Lang;
use crate::load::{Loaded, order_chapters};
use crate::model::{Book, Chapter, Part};
use crate::parse::{Extent, parse_chapter, parse_people};
use crate::passes::{self, ChapterMemo, Prepare};

/// The stack size of the threads that run the pipeline: a command's own
/// thread (see `main.rs`), rayon's threads (the chapters are parsed, passed
/// over and rendered there) and `watch`'s typesetter. Every stage walks the
/// model recursively, and [`crate::model::MAX_NESTING`] bounds how deep: a
/// book nested to the limit builds every output with half a megabyte of
/// stack in a debug build (measured with `ulimit -s 512`). This gives a
/// wide margin whatever the system's default (`ulimit -s` sets the main
/// thread's, Rust's is 2 MiB for the others); it is address space, of which
/// only the pages used are ever backed by memory.
pub const STACK_SIZE: usize = 16 << 20;

/// Gives rayon's global pool threads of [`STACK_SIZE`]. Called once by the
/// binary before any parallel work (a later call changes nothing).
pub fn configure_threads() {
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(STACK_SIZE)
        .build_global();
}

/// Loads, parses and checks the book at `root`. Every fault goes to `sink`;
/// the model is returned even when there are errors (with default settings
/// if book.toml is unusable), so that every stage reports what it finds in
/// one run. Render only when the sink holds no error.
pub fn load_model(root: &Path, sink: &mut Sink) -> Book {
    load(root, sink, None, Prepare::Render)
}

/// [`load_model`] for commands that render neither the site nor the EPUB
/// (`check`, `status`, a PDF-only build): every check runs, but citations
/// are not formatted.
pub fn load_model_unformatted(root: &Path, sink: &mut Sink) -> Book {
    load(root, sink, None, Prepare::Check)
}

/// [`load_model`] for commands that report on the chapters and their
/// history (`status`, `review`, `contributors`): the chapters, their people
/// and words, without the passes that prepare rendering.
pub fn load_outline(root: &Path, sink: &mut Sink) -> Book {
    load(root, sink, None, Prepare::Outline)
}

/// Chapters parsed by an earlier run (in `watch`), reused while their file,
/// its place among the sources, the book's language and its `[markdown]`
/// settings are unchanged.
#[derive(Default)]
pub struct ParseCache {
    entries: HashMap<PathBuf, CachedParse>,
    /// What the passes made of each chapter.
    passes: ChapterMemo,
    /// Each chapter's stamp in the last model, in reading order.
    stamps: Vec<u64>,
    /// The stamp of the next parse.
    next_stamp: u64,
    /// The chapters the last run parsed again (ids).
    pub parsed: Vec<String>,
}

/// What a parse depends on: the file's id, a hash of its text, the
/// chapter's id, the book's language, how its Markdown is read and whether
/// raw HTML is printed as text (`raw-html = "escape"`, which the parse's
/// raw-HTML conversion warns about).
type ParseKey = (
    crate::source::FileId,
    u64,
    String,
    Lang,
    MarkdownConfig,
    bool,
);

struct CachedParse {
    key: ParseKey,
    /// Tells this parse from every other the cache made.
    stamp: u64,
    chapter: Chapter,
    /// A copy of `chapter` made while `watch` waited for the next save
    /// ([`ParseCache::refill`]), which the next model takes instead of
    /// copying the chapter then: on a long book the copies cost a quarter
    /// of the time from a save to its page.
    spare: Option<Chapter>,
    diagnostics: Vec<Diagnostic>,
}

impl ParseCache {
    /// The chapters the last run put through the passes (ids): those
    /// parsed again or numbered anew, or all after a change of what they
    /// read of the others (their files, anchors, labels), of the settings
    /// or of the bibliography.
    pub fn finished_again(&self) -> &[String] {
        &self.passes.ran
    }

    /// Makes the copies of the parsed chapters that the next model will
    /// take (on every core), so that the next save does not wait for them.
    pub fn refill(&mut self) {
        use rayon::prelude::*;
        self.passes.refill();
        self.entries.par_iter_mut().for_each(|(_, entry)| {
            if entry.spare.is_none() {
                entry.spare = Some(entry.chapter.clone());
            }
        });
    }
}

/// [`load_model`], parsing only the chapters `cache` does not hold as they are.
pub fn load_model_cached(root: &Path, sink: &mut Sink, cache: &mut ParseCache) -> Book {
    load(root, sink, Some(cache), Prepare::Render)
}

/// [`load_model_cached`] with some chapter files read from memory or left
/// out ([`crate::load::Overrides`]): `watch` builds the book with a broken
/// chapter at its last good text.
pub fn load_model_overridden(
    root: &Path,
    sink: &mut Sink,
    cache: &mut ParseCache,
    overrides: &crate::load::Overrides,
) -> Book {
    let mut book = parse_book_with(root, sink, Some(&mut *cache), overrides, Extent::Whole);
    book.date = book_date(&book);
    passes::run_all_memo(
        &mut book,
        sink,
        Prepare::Render,
        &mut cache.passes,
        &cache.stamps,
    );
    book
}

fn text_hash(text: &str) -> u64 {
    crate::fingerprint::fingerprint(&text)
}

/// The book as loaded and parsed (each chapter's raw HTML converted, as
/// part of its parse), before the passes (for benchmarks of the passes alone).
pub fn load_parsed(root: &Path, sink: &mut Sink) -> Book {
    parse_book(root, sink, None, Extent::Whole)
}

fn load(
    root: &Path,
    sink: &mut Sink,
    mut cache: Option<&mut ParseCache>,
    prepare: Prepare,
) -> Book {
    let extent = match prepare {
        Prepare::Outline => Extent::Outline,
        _ => Extent::Whole,
    };
    let mut book = parse_book(root, sink, cache.as_deref_mut(), extent);
    if prepare != Prepare::Outline {
        book.date = book_date(&book);
    }
    match cache {
        Some(cache) => {
            passes::run_all_memo(&mut book, sink, prepare, &mut cache.passes, &cache.stamps)
        }
        None => passes::run_all(&mut book, sink, prepare),
    }
    book
}

/// Loads the book's files and parses its chapters (those `cache` holds as
/// they are reused) and its people.
fn parse_book(
    root: &Path,
    sink: &mut Sink,
    cache: Option<&mut ParseCache>,
    extent: Extent,
) -> Book {
    parse_book_with(root, sink, cache, &crate::load::Overrides::new(), extent)
}

fn parse_book_with(
    root: &Path,
    sink: &mut Sink,
    cache: Option<&mut ParseCache>,
    overrides: &crate::load::Overrides,
    extent: Extent,
) -> Book {
    let loaded = crate::load::load_book_with(root, sink, overrides);
    let config = loaded.config.clone().unwrap_or_default();
    let order = order_chapters(&loaded.chapters, &config, sink);
    let lang = Lang::parse(&config.book.language);
    let markdown = config.markdown;
    let escape = config.html.raw_html == crate::config::RawHtml::Escape;
    let chapters = parse_chapters(
        &loaded,
        &order.sequence,
        (&lang, &markdown, escape, extent),
        sink,
        cache,
    );
    let parts = order
        .groups
        .into_iter()
        .map(|(title, chapters)| Part { title, chapters })
        .collect();
    let people = parse_people(&loaded.contributors, &markdown, sink);
    Book {
        root: root.to_path_buf(),
        config,
        contributors: loaded.contributors,
        sources: loaded.sources,
        chapters,
        parts,
        assets: Vec::new(),
        missing: Vec::new(),
        templates: loaded.templates,
        references: Vec::new(),
        lang,
        people,
        editors: Vec::new(),
        date: None,
        review: None,
    }
}

/// The chapters `sequence` (indices into the loaded chapters, in reading
/// order) parsed: those `cache` holds as they are reused, the others parsed
/// on every core. Each chapter's diagnostics go to `sink` in reading order,
/// cached ones included.
fn parse_chapters(
    loaded: &Loaded,
    sequence: &[usize],
    (lang, markdown, escape, extent): (&Lang, &MarkdownConfig, bool, Extent),
    sink: &mut Sink,
    mut cache: Option<&mut ParseCache>,
) -> Vec<Chapter> {
    use rayon::prelude::*;
    // A cache holds whole parses only.
    if extent != Extent::Whole {
        cache = None;
    }
    // Hashing the text is only worth it when there is a cache to look in.
    let cached = cache.is_some();
    let hash = |text: &str| if cached { text_hash(text) } else { 0 };
    // Each chapter's text hashed on every core.
    let keys: Vec<ParseKey> = sequence
        .par_iter()
        .map(|&i| {
            let chapter = &loaded.chapters[i];
            (
                chapter.file,
                hash(&loaded.sources.get(chapter.file).text),
                chapter.id.clone(),
                lang.clone(),
                *markdown,
                escape,
            )
        })
        .collect();
    let mut entries: Vec<Option<CachedParse>> = sequence
        .iter()
        .zip(&keys)
        .map(|(&i, key)| {
            let cache = cache.as_deref_mut()?;
            cache
                .entries
                .remove(&loaded.chapters[i].path)
                .filter(|entry| &entry.key == key)
        })
        .collect();
    let missing: Vec<usize> = (0..entries.len())
        .filter(|&pos| entries[pos].is_none())
        .collect();
    let fresh: Vec<(usize, CachedParse)> = missing
        .into_par_iter()
        .map(|pos| {
            let chapter = &loaded.chapters[sequence[pos]];
            let key = keys[pos].clone();
            let mut own = Sink::default();
            let text = &loaded.sources.get(chapter.file).text;
            let mut parsed =
                parse_chapter(chapter, &loaded.sources, &key.3, &key.4, extent, &mut own);
            // An outline's raw HTML is converted by the pass, unwarned.
            if extent == Extent::Whole {
                crate::passes::html::convert_chapter(&mut parsed, text, escape, &mut own);
            }
            let entry = CachedParse {
                key,
                stamp: 0,
                chapter: parsed,
                spare: None,
                diagnostics: own.diagnostics().to_vec(),
            };
            (pos, entry)
        })
        .collect();
    let mut parsed_ids = Vec::new();
    let mut next_stamp = cache.as_deref().map_or(0, |c| c.next_stamp);
    for (pos, mut entry) in fresh {
        parsed_ids.push(entry.chapter.id.clone());
        entry.stamp = next_stamp;
        next_stamp += 1;
        entries[pos] = Some(entry);
    }
    let mut stamps = Vec::with_capacity(entries.len());
    let mut kept = HashMap::new();
    let chapters = sequence
        .iter()
        .zip(entries)
        .map(|(&i, entry)| {
            let entry = entry.expect("every chapter is parsed or cached");
            sink.extend(entry.diagnostics.iter().cloned());
            stamps.push(entry.stamp);
            match cache {
                // The model gets a copy; the cache keeps the parse.
                Some(_) => {
                    let mut entry = entry;
                    let chapter = entry.spare.take().unwrap_or_else(|| entry.chapter.clone());
                    kept.insert(loaded.chapters[i].path.clone(), entry);
                    chapter
                }
                None => entry.chapter,
            }
        })
        .collect();
    if let Some(cache) = cache {
        // Chapters gone from the book are forgotten.
        cache.entries = kept;
        cache.parsed = parsed_ids;
        cache.stamps = stamps;
        cache.next_stamp = next_stamp;
    }
    chapters
}

/// Makes `book` a draft: the review state of `report` (from the history, or
/// [`crate::status::offline_report`] outside git) becomes part of the model,
/// each chapter with its state and the revision of the text shown, for every
/// output to print.
pub fn attach_review(book: &mut Book, report: crate::review::report::StatusReport) {
    attach_review_with(book, report, &mut Revisions::default());
}

/// Each chapter file's text and its git blob id, as last computed: libgit2
/// hashes with collision-detecting SHA-1, some 25 ms for a 400,000-word
/// book, which `watch` would otherwise pay on every save for chapters
/// whose text did not change. The text is kept whole and compared, so
/// that an id is never reused for another text.
#[derive(Default)]
pub struct Revisions {
    by_path: HashMap<PathBuf, (String, String)>,
}

impl Revisions {
    /// The blob id of `text`, the chapter file at `path`.
    fn blob_id(&self, path: &Path, text: &str) -> Option<String> {
        self.by_path
            .get(path)
            .filter(|(known, _)| known == text)
            .map(|(_, id)| id.clone())
    }
}

/// [`attach_review`], with the blob ids of unchanged chapter files taken
/// from `revisions` (and the new ones kept there).
pub fn attach_review_with(
    book: &mut Book,
    report: crate::review::report::StatusReport,
    revisions: &mut Revisions,
) {
    use rayon::prelude::*;
    let sources = &book.sources;
    let known = &*revisions;
    // The changed chapters' blob ids on every core.
    let computed: Vec<Option<(PathBuf, String, String)>> = book
        .chapters
        .par_iter_mut()
        .map(|chapter| {
            let state = report
                .chapters
                .iter()
                .find(|c| c.id == chapter.id)
                .map(|c| c.state)
                .unwrap_or(crate::review::State::Draft);
            let text = &sources.get(chapter.file).text;
            let (revision, new) = match known.blob_id(&chapter.path, text) {
                Some(id) => (id, None),
                None => {
                    let id = crate::git::blob_id(text.as_bytes());
                    (id.clone(), Some((chapter.path.clone(), text.clone(), id)))
                }
            };
            chapter.review = Some(crate::model::ChapterReview {
                state,
                revision,
                since_approval: None,
            });
            new
        })
        .collect();
    let paths: HashSet<&PathBuf> = book.chapters.iter().map(|c| &c.path).collect();
    revisions.by_path.retain(|path, _| paths.contains(path));
    for (path, text, id) in computed.into_iter().flatten() {
        revisions.by_path.insert(path, (text, id));
    }
    book.review = Some(std::sync::Arc::new(report));
}

/// The document date of a book: from its chapter files and book.toml.
pub fn book_date(book: &Book) -> Option<crate::date::DocDate> {
    crate::date::document_date(
        &book.root,
        book.chapters
            .iter()
            .map(|c| c.path.clone())
            .chain([std::path::PathBuf::from(crate::load::BOOK_FILE)]),
    )
}

#[cfg(test)]
mod tests {
    /// `status` and `contributors` count the same words: those of the
    /// chapter file's body, line by line.
    #[test]
    fn status_and_contributors_count_the_same_words() {
        let text = "---\ntitle: Un titre de plusieurs mots\n---\n\n## Section\n\n- Un *mot* [@ostrom1990, p. 3].\n\n| a | b |\n|---|---|\n";
        let by_line: usize = text.lines().skip(3).map(crate::model::line_words).sum();
        assert_eq!(crate::load::markdown_words(text), by_line);
        // `##`, `-`, `|`, `|---|---|` and the front matter are no words.
        assert_eq!(crate::load::markdown_words(text), 8);
        // Tags, addresses and attributes are markup, not words.
        assert_eq!(
            crate::model::line_words(
                "Un <span lang=\"en\">mot</span> [lien](https://a.b/c d) ![x](i.png) {#sec:a .b}"
            ),
            4
        );
    }

    /// The copies `watch` makes while it waits are the chapters as parsed:
    /// a model made from them is the model made without them, and one
    /// chapter edited is parsed again while the others are taken.
    #[test]
    fn models_from_spare_copies_are_the_models_parsed() {
        use super::{Book, ParseCache, Path, Sink, load_model_cached};
        let (_dir, root) = crate::testbook::book(
            "Deux",
            &[
                ("autre.md", b"# Autre\n\nVoir [seul](seul.md).\n"),
                ("seul.md", b"---\ntitle: Seul\n---\n\nUn chapitre.\n"),
            ],
        );
        let seul = root.join("chapters/seul.md");
        let shown = |book: &Book| format!("{:?}", book.chapters);
        let fresh = |root: &Path| {
            let mut sink = Sink::default();
            shown(&super::load_model(root, &mut sink))
        };
        let mut cache = ParseCache::default();
        let mut sink = Sink::default();
        let first = load_model_cached(&root, &mut sink, &mut cache);
        assert_eq!(shown(&first), fresh(&root));
        cache.refill();
        assert!(cache.entries.values().all(|e| e.spare.is_some()));
        let again = load_model_cached(&root, &mut Sink::default(), &mut cache);
        assert!(cache.parsed.is_empty(), "nothing parsed again");
        assert!(
            cache.entries.values().all(|e| e.spare.is_none()),
            "the spares were taken"
        );
        assert_eq!(shown(&again), fresh(&root));
        cache.refill();
        std::fs::write(&seul, "---\ntitle: Seul\n---\n\nUn chapitre changé.\n").unwrap();
        let edited = load_model_cached(&root, &mut Sink::default(), &mut cache);
        assert_eq!(cache.parsed, vec!["seul".to_string()]);
        assert!(shown(&edited).contains("changé"));
        assert_eq!(shown(&edited), fresh(&root));
    }

    /// A chapter's raw HTML is converted with its parse, and kept with it:
    /// a save of another chapter converts nothing again yet reports the
    /// kept chapter's warnings, and a change of `raw-html` parses every
    /// chapter again (its warnings depend on it).
    #[test]
    fn raw_html_is_converted_with_the_parse_and_kept_with_it() {
        use super::{ParseCache, Sink, load_model_cached};
        let (_dir, root) = crate::testbook::book(
            "Deux",
            &[
                (
                    "html.md",
                    "# Html\n\nUn <span class=\"x\">mot</span>.<!-- remarque-cachée -->\n"
                        .as_bytes(),
                ),
                ("autre.md", b"# Autre\n\nRien.\n"),
            ],
        );
        let autre = root.join("chapters/autre.md");
        let escaped = |sink: &Sink| {
            sink.diagnostics()
                .iter()
                .filter(|d| d.message.contains("printed as text"))
                .count()
        };
        let mut cache = ParseCache::default();
        let mut sink = Sink::default();
        let first = load_model_cached(&root, &mut sink, &mut cache);
        assert_eq!(escaped(&sink), 1, "{:?}", sink.diagnostics());
        let shown = format!("{:?}", first.chapters);
        assert!(
            !shown.contains("remarque-cachée"),
            "the comment is dropped: {shown}"
        );

        std::fs::write(&autre, "# Autre\n\nRien de neuf.\n").unwrap();
        let mut sink = Sink::default();
        let again = load_model_cached(&root, &mut sink, &mut cache);
        assert_eq!(cache.parsed, vec!["autre".to_string()]);
        assert_eq!(
            escaped(&sink),
            1,
            "the kept chapter's warnings are reported"
        );
        let html = |book: &super::Book| {
            let chapter = book.chapters.iter().find(|c| c.id == "html");
            format!("{chapter:?}")
        };
        assert_eq!(html(&again), html(&first));

        std::fs::write(
            root.join("book.toml"),
            "[book]\ntitle = \"Deux\"\n\n[html]\nraw-html = \"sanitize\"\n",
        )
        .unwrap();
        let mut sink = Sink::default();
        load_model_cached(&root, &mut sink, &mut cache);
        assert_eq!(escaped(&sink), 0, "{:?}", sink.diagnostics());
        assert_eq!(cache.parsed.len(), 2, "every chapter parsed again");
    }
}
