//! Pandoc Markdown files made into an ouvrage book, each file a chapter in
//! the order given. Each file's YAML metadata block gives the chapter's
//! title, authors (contributors of the book), language, abstract and
//! keywords; the book takes its title from `--title`, else from a
//! single-file document's `title`, its year from `date`, and its
//! bibliography and CSL style from `bibliography:` and `csl:` (the files
//! are copied). Pandoc's `{#id}`, `[@cite]` and `@fig:` syntax is already
//! ouvrage's. Shared with Quarto: [`ChapterFile`], read by [`read_file`].
//!
//! Input: the files. Output: [`Imported`], or diagnostics (a file that
//! cannot be read, a metadata block that does not parse, a bibliography
//! file that does not exist).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::book::{NewBook, NewChapter};
use super::links::{Layout, normalize};
use super::metadata::{self, Meta};
use super::report::Report;
use super::{Finish, Imported, Run, finish_chapter, note_title_anchors};
use crate::config::value::parse_yaml;
use crate::diag::{Diagnostic, Span};
use crate::source::FileId;

/// A chapter's source file, read.
pub(super) struct ChapterFile {
    /// Its absolute path.
    pub source: PathBuf,
    /// Registered in the run's sources.
    pub file: FileId,
    /// Its metadata block.
    pub meta: Meta,
    /// The text after the metadata block.
    pub body: String,
}

/// Reads a chapter file and its YAML metadata block; a block that does
/// not parse is an error at its line.
pub(super) fn read_file(run: &mut Run, source: &Path, shown: PathBuf) -> Option<ChapterFile> {
    let file = run.read(source, shown.clone())?;
    let text = run.sources.get(file).text.clone();
    let (meta, body) = match crate::load::split_front_matter(&text) {
        Ok(Some(fm)) if fm.format == crate::load::FrontMatterFormat::Yaml => {
            match parse_yaml(&text[fm.content.clone()], fm.content.start) {
                Ok(node) => (metadata::read(&node, &[]), text[fm.end..].to_string()),
                Err(e) => {
                    run.sink.push(
                        Diagnostic::error(
                            Span::new(file, e.span),
                            format!("metadata block: {}", e.message),
                        )
                        .hint(
                            "the metadata block is YAML between `---` and `---` (or `...`) lines",
                        ),
                    );
                    return None;
                }
            }
        }
        Ok(_) => (Meta::default(), text.clone()),
        Err(e) => {
            run.sink
                .push(Diagnostic::error(Span::new(file, e.span), e.message));
            return None;
        }
    };
    let shown = run.sources.get(file).path.display().to_string();
    let mut meta = meta;
    // Line numbers for the keys left over, while the text is at hand.
    meta.other = meta
        .other
        .into_iter()
        .map(|(k, at)| {
            let (line, _) = run.sources.get(file).line_col(at);
            (format!("{shown}:{line}: `{k}`"), at)
        })
        .collect();
    Some(ChapterFile {
        source: source.to_path_buf(),
        file,
        meta,
        body,
    })
}

/// Adds the chapter of `f` at its place; its title from the metadata
/// unless its text opens with a `#` heading (which [`finish_chapter`]
/// takes). Returns its index.
pub(super) fn add_chapter(
    book: &mut NewBook,
    layout: &mut Layout,
    f: &ChapterFile,
    numbered: bool,
) -> Option<usize> {
    let place = layout.place(&f.source)?.with_extension("md");
    let authors: Vec<String> = f
        .meta
        .authors
        .iter()
        .map(|p| book.person(p.clone()))
        .collect();
    let opens_with_heading = super::markdown::scan(&f.body)
        .title
        .is_some_and(|t| t.level == 1);
    let index = book.chapters.len();
    layout.chapters.insert(f.source.clone(), index);
    book.chapters.push(NewChapter {
        path: place,
        title: if opens_with_heading {
            None
        } else {
            f.meta.title.clone()
        },
        authors,
        lang: f.meta.lang.clone(),
        abstract_: f.meta.abstract_.clone(),
        keywords: f.meta.keywords.clone(),
        numbered,
        ..Default::default()
    });
    Some(index)
}

/// What a chapter file's own metadata brings to the book besides the
/// chapter: its bibliography and style (relative to the file), and a report
/// line for each key ouvrage has no place for.
pub(super) fn file_metadata(
    run: &mut Run,
    book: &mut NewBook,
    layout: &Layout,
    report: &mut Report,
    f: &ChapterFile,
) {
    for (line, _) in &f.meta.other {
        report.not_carried(format!("{line} (ouvrage has no such metadata)"));
    }
    let dir = f.source.parent().unwrap_or(Path::new("")).to_path_buf();
    bibliography(run, book, layout, &dir, &f.meta, f.file);
}

/// Copies bibliography files and a CSL style named in metadata (relative
/// to `dir`) to the new book's root and sets them in book.toml.
pub(super) fn bibliography(
    run: &mut Run,
    book: &mut NewBook,
    layout: &Layout,
    dir: &Path,
    meta: &Meta,
    named_in: FileId,
) {
    let copy = |(name, at): &(String, std::ops::Range<usize>),
                book: &mut NewBook,
                run: &mut Run|
     -> Option<String> {
        let source = normalize(&dir.join(name));
        if !source.starts_with(&layout.root) || !super::links::file_inside(&layout.root, &source) {
            run.sink.push(
                Diagnostic::error(
                    Span::new(named_in, at.clone()),
                    format!("the file `{name}` that the metadata names does not exist here"),
                )
                .hint("a path in the metadata is relative to the file that holds it, inside the folder imported"),
            );
            return None;
        }
        let file_name = source.file_name()?.to_string_lossy().into_owned();
        let mut dest = file_name.clone();
        let mut n = 2;
        while book
            .copies
            .get(Path::new(&dest))
            .is_some_and(|s| *s != source)
        {
            dest = format!("{n}-{file_name}");
            n += 1;
        }
        book.copies.insert(PathBuf::from(&dest), source);
        Some(dest)
    };
    for b in &meta.bibliography {
        if let Some(dest) = copy(b, book, run)
            && !book.bibliography.contains(&dest)
        {
            book.bibliography.push(dest);
        }
    }
    if let Some(csl) = &meta.csl
        && book.style.is_none()
    {
        book.style = copy(csl, book, run);
    }
}

/// Sets the book's language from the first metadata that has a valid one,
/// and drops a chapter's `lang` when it is the book's.
pub(super) fn settle_languages(book: &mut NewBook, report: &mut Report) {
    if book.language.is_none() {
        book.language = book.chapters.iter().find_map(|c| c.lang.clone());
    }
    if let Some(l) = &book.language
        && !crate::lang::is_language_tag(l)
    {
        report.not_carried(format!("lang: \"{l}\", which is not a BCP 47 tag"));
        book.language = None;
    }
    let book_lang = book.language.clone();
    for c in &mut book.chapters {
        if c.lang == book_lang
            || c.lang
                .as_deref()
                .is_some_and(|l| !crate::lang::is_language_tag(l))
        {
            c.lang = None;
        }
    }
}

/// The folder holding every one of `paths`.
fn common_folder(paths: &[PathBuf]) -> PathBuf {
    let mut base = paths
        .first()
        .and_then(|p| p.parent())
        .map(Path::to_path_buf)
        .unwrap_or_default();
    for p in paths {
        while !p.starts_with(&base) {
            if !base.pop() {
                break;
            }
        }
    }
    base
}

/// Imports Pandoc Markdown `files`. `title`: the book's title if given;
/// `fallback`: the title when no metadata gives one.
pub fn import_pandoc(
    files: &[PathBuf],
    title: Option<String>,
    fallback: &str,
    run: &mut Run,
) -> Option<Imported> {
    let mut report = Report::default();
    let mut sources = Vec::new();
    for f in files {
        match f.canonicalize() {
            Ok(p) if p.is_file() => sources.push((p, f.clone())),
            _ => run
                .sink
                .push(Diagnostic::error_in(Some(f.clone()), "no such file")),
        }
    }
    if sources.is_empty() || run.sink.has_errors() {
        return None;
    }
    let absolute: Vec<PathBuf> = sources.iter().map(|(p, _)| p.clone()).collect();
    let base = common_folder(&absolute);
    let mut layout = Layout {
        root: base.clone(),
        chapters_base: base.clone(),
        chapters: HashMap::new(),
        title_anchors: HashMap::new(),
        site_url: None,
        html_pages: false,
        chapter_exts: &["md", "markdown"],
        shown_root: files[0]
            .parent()
            .map(Path::to_path_buf)
            .filter(|_| {
                sources
                    .iter()
                    .all(|(p, _)| p.parent() == Some(base.as_path()))
            })
            .unwrap_or_else(|| base.clone()),
    };
    let mut book = NewBook::default();
    let mut read = Vec::new();
    for (source, shown) in &sources {
        if layout.chapters.contains_key(source) {
            report.note(format!(
                "{}: given twice; the book has it once",
                shown.display()
            ));
            continue;
        }
        let Some(f) = read_file(run, source, shown.clone()) else {
            continue;
        };
        if add_chapter(&mut book, &mut layout, &f, true).is_none() {
            continue;
        }
        read.push(f);
    }
    if run.sink.has_errors() {
        return None;
    }
    book.assign_ids();
    for f in &read {
        file_metadata(run, &mut book, &layout, &mut report, f);
        book.year = book.year.or(f.meta.year);
        if read.len() == 1 {
            book.subtitle = f.meta.subtitle.clone();
        }
    }
    book.title = match title {
        Some(t) => t,
        None => {
            let from_meta = if read.len() == 1 {
                read[0].meta.title.clone()
            } else {
                // A file that opens with its own `#` title: its metadata
                // title is the whole document's, as Pandoc merges them.
                read.iter()
                    .zip(&book.chapters)
                    .find(|(f, c)| c.title.is_none() && f.meta.title.is_some())
                    .and_then(|(f, _)| f.meta.title.clone())
            };
            from_meta.unwrap_or_else(|| {
                report.note(format!("the book's title is « {fallback} »: change it in book.toml, or import again with --title"));
                fallback.to_string()
            })
        }
    };
    settle_languages(&mut book, &mut report);
    let texts: Vec<&str> = read.iter().map(|f| f.body.as_str()).collect();
    note_title_anchors(&mut layout, &book, &texts);
    for (i, f) in read.iter().enumerate() {
        let original = run.sources.get(f.file).text.clone();
        finish_chapter(
            &layout,
            &mut book,
            i,
            &f.source,
            &f.body,
            &original,
            Finish::default(),
            &mut report,
        );
        if book.chapters[i].title.is_none() {
            let stem = f
                .source
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            report.note(format!(
                "{}: no title in its metadata or a `#` heading; its title is « {stem} »",
                run.sources.get(f.file).path.display()
            ));
            book.chapters[i].title = Some(stem);
        }
    }
    if run.sink.has_errors() {
        return None;
    }
    super::settle_fonts(&mut book, &mut report);
    Some(Imported { book, report })
}
