//! Loading: find the book root, read book.toml, contributors.toml and every
//! chapter file, split and validate front matter, and work out chapter ids,
//! reading order and parts.
//!
//! Input: a folder. Output: [`Loaded`], the validated configuration and the
//! chapters' sources, ready for `parse`. Every fault is a diagnostic; the
//! stage never stops at the first one.

mod front_matter;
mod order;

pub use front_matter::{
    FrontMatter, FrontMatterFormat, body_start, markdown_words, split_front_matter,
};
pub use order::{Order, order_chapters};

use std::path::{Path, PathBuf};

use crate::config::book::read_book_config;
use crate::config::chapter::read_chapter_config;
use crate::config::contributors::read_contributors;
use crate::config::value::{parse_toml, parse_yaml};
use crate::config::{BookConfig, ChapterConfig, Contributors};
use crate::diag::{Diagnostic, Sink, Span, Spanned};
use crate::source::{FileId, SourceFile, Sources};

/// The name of the file that marks a book root.
pub const BOOK_FILE: &str = "book.toml";
/// The contributors file.
pub const CONTRIBUTORS_FILE: &str = "contributors.toml";
/// The folder of chapters.
pub const CHAPTERS_DIR: &str = "chapters";

/// Whether the loader skips a file or folder of this name wherever it is
/// in the book: hidden names (`.x.md.swp`, `.goutputstream-…`, Emacs's
/// `.#x.md` lock), `_` drafts, and what editors and merge tools leave
/// beside a file (`x.md~`, Emacs's `#x.md#`, `x.md.orig`, `x.md.rej`,
/// `.bak`, `.swp`/`.swo`/`.swx`, `.tmp`, Kate's `.kate-swp`, JetBrains'
/// `___jb_tmp___`, vim's `4913` probe). The one rule of what is not the
/// book: the loader applies it to chapters and templates, and `watch` to
/// every change it hears of, so that a file the loader would skip never
/// triggers a rebuild.
pub fn is_ignored(name: &str) -> bool {
    const SUFFIXES: [&str; 11] = [
        "~",
        "#",
        ".orig",
        ".rej",
        ".bak",
        ".swp",
        ".swo",
        ".swx",
        ".tmp",
        ".kate-swp",
        "___",
    ];
    name.is_empty()
        || name.starts_with(['.', '_', '#'])
        || name == "4913"
        || SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// Whether the loader never reads the file at `rel` (relative to the book
/// root): a path with an ignored name at any level ([`is_ignored`]), and in
/// `templates/` a subfolder's file or a name no template takes as its own
/// ([`crate::templates::is_ignored`]: README files, copies).
pub fn ignores(rel: &Path) -> bool {
    let names: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if names.iter().any(|n| is_ignored(n)) {
        return true;
    }
    match names.as_slice() {
        [dir, name] if dir == crate::templates::DIR => crate::templates::is_ignored(name),
        [dir, _, _, ..] if dir == crate::templates::DIR => true,
        _ => false,
    }
}
/// The book root: `explicit` if given (it must hold a book.toml), else the
/// nearest folder from `start` upwards that holds one.
pub fn find_root(start: &Path, explicit: Option<&Path>) -> Result<PathBuf, Diagnostic> {
    if let Some(dir) = explicit {
        let dir = if dir.is_absolute() {
            dir.to_path_buf()
        } else {
            start.join(dir)
        };
        if dir.join(BOOK_FILE).is_file() {
            return Ok(dir);
        }
        return Err(Diagnostic::error_in(
            Some(dir.join(BOOK_FILE)),
            "no book.toml in the folder given by --book",
        )
        .hint("give the folder that holds book.toml, or create a book with `ouvrage init DIR`"));
    }
    let mut dir = Some(start);
    while let Some(d) = dir {
        if d.join(BOOK_FILE).is_file() {
            return Ok(d.to_path_buf());
        }
        dir = d.parent();
    }
    Err(Diagnostic::error_in(
        None,
        format!("no book.toml in {} or any folder above it", start.display()),
    )
    .hint("run ouvrage inside a book, pass --book DIR, or create one with `ouvrage init DIR`"))
}

/// A chapter file read and its front matter validated, not yet parsed.
#[derive(Debug, Clone)]
pub struct LoadedChapter {
    /// The chapter id.
    pub id: String,
    /// Where the id comes from: the front matter `id`, or the file's first line.
    pub id_span: Span,
    /// The chapter file in [`Sources`].
    pub file: FileId,
    /// Path relative to the book root.
    pub path: PathBuf,
    /// Front matter.
    pub config: ChapterConfig,
    /// The file's text with the front matter blanked out, so that comrak's
    /// byte offsets and lines are the file's own.
    pub body: String,
    /// The front matter could not be read (its error is reported): what it
    /// would have given, such as the title, is not missing too.
    pub front_matter_broken: bool,
}

/// Everything read from disk.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The book root.
    pub root: PathBuf,
    /// Every file read.
    pub sources: Sources,
    /// book.toml, when its title could be read.
    pub config: Option<BookConfig>,
    /// contributors.toml (empty when the file is missing).
    pub contributors: Contributors,
    /// Chapters in path order.
    pub chapters: Vec<LoadedChapter>,
    /// The book's own templates (`templates/<name>`), by file name.
    pub templates: std::collections::BTreeMap<String, FileId>,
}

/// Reads a file of the book into `sources`. A non-UTF-8 file is an error at
/// its first bad byte; its text is kept (lossily) so that the line can be quoted.
pub fn read_source(
    root: &Path,
    rel: &Path,
    sources: &mut Sources,
    sink: &mut Sink,
) -> Option<FileId> {
    let read = read_file(root, rel, sink)?;
    Some(register(read, sources, sink))
}

/// A file read, not yet registered: its text (its lines indexed) and, when
/// it is not valid UTF-8, where the first bad byte is (the text is then
/// decoded lossily).
struct ReadFile {
    file: SourceFile,
    bad_byte: Option<usize>,
}

/// Reads `rel`; a file that cannot be read is an error in `sink`.
fn read_file(root: &Path, rel: &Path, sink: &mut Sink) -> Option<ReadFile> {
    let bytes = match std::fs::read(root.join(rel)) {
        Ok(bytes) => bytes,
        Err(e) => {
            sink.push(
                Diagnostic::error_in(
                    Some(rel.to_path_buf()),
                    format!("cannot read the file: {e}"),
                )
                .hint("check that the file exists and that you may read it"),
            );
            return None;
        }
    };
    let (text, bad_byte) = match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            (String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(at))
        }
    };
    Some(ReadFile {
        file: SourceFile::new(rel.to_path_buf(), text),
        bad_byte,
    })
}

/// Registers a file read, with the error of a file that is not UTF-8.
fn register(read: ReadFile, sources: &mut Sources, sink: &mut Sink) -> FileId {
    let id = sources.add_file(read.file);
    if let Some(at) = read.bad_byte {
        sink.push(
            Diagnostic::error(Span::new(id, at..at + 1), "this file is not valid UTF-8")
                .hint("save the file as UTF-8 in your editor (other encodings are not read)"),
        );
    }
    id
}

/// Reads a TOML file of the book into a spanned tree; syntax errors go to `sink`.
fn read_toml_file(
    root: &Path,
    name: &str,
    sources: &mut Sources,
    sink: &mut Sink,
) -> Option<(FileId, crate::config::value::Node)> {
    let file = read_source(root, Path::new(name), sources, sink)?;
    let (tree, errors) = parse_toml(&sources.get(file).text, 0);
    for e in errors {
        sink.push(Diagnostic::error(Span::new(file, e.span), e.message));
    }
    Some((file, tree))
}

/// Loads a book from its root. Returns what could be read; faults go to `sink`.
pub fn load_book(root: &Path, sink: &mut Sink) -> Loaded {
    load_book_with(root, sink, &Overrides::new())
}

/// Chapter files read from memory instead of the disk, by path relative to
/// the root: a text, or `None` to leave the file out of the book. `watch`
/// keeps a chapter with errors at its last good text this way, so that
/// the other chapters go on updating.
pub type Overrides = std::collections::BTreeMap<PathBuf, Option<String>>;

/// [`load_book`], with the chapter files of `overrides` taken from it.
pub fn load_book_with(root: &Path, sink: &mut Sink, overrides: &Overrides) -> Loaded {
    let mut sources = Sources::default();
    let config = read_toml_file(root, BOOK_FILE, &mut sources, sink)
        .and_then(|(file, tree)| read_book_config(file, &tree, sink));
    let contributors = if root.join(CONTRIBUTORS_FILE).exists() {
        read_toml_file(root, CONTRIBUTORS_FILE, &mut sources, sink)
            .map(|(file, tree)| read_contributors(file, &tree, sink))
            .unwrap_or_default()
    } else {
        Contributors::default()
    };

    let chapters = load_chapters(
        root,
        chapter_paths(root, sink),
        overrides,
        &mut sources,
        sink,
    );
    if let Some(config) = &config {
        read_bibliography_files(root, &config.bibliography, &mut sources, sink);
    }
    let templates = read_templates(root, &mut sources, sink);
    Loaded {
        root: root.to_path_buf(),
        sources,
        config,
        contributors,
        chapters,
        templates,
    }
}

/// Reads the book's own templates: each file of `templates/` named as a
/// template of the registry ([`crate::templates`]). Any other file is a
/// warning, since a misspelt name would otherwise leave the built-in
/// template in use without a word; folders and the files of
/// [`crate::templates::is_ignored`] (README files, hidden files, copies)
/// are left alone, since books keep them there on purpose (this
/// repository keeps `templates/ci/` and a README).
fn read_templates(
    root: &Path,
    sources: &mut Sources,
    sink: &mut Sink,
) -> std::collections::BTreeMap<String, FileId> {
    use crate::templates;
    let mut found = std::collections::BTreeMap::new();
    let dir = root.join(templates::DIR);
    if !dir.is_dir() {
        return found;
    }
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) => {
            sink.push(Diagnostic::error_in(
                Some(PathBuf::from(templates::DIR)),
                format!("cannot read the folder: {e}"),
            ));
            return found;
        }
    };
    // Names are compared as listed, not by asking for each template's
    // path, so that `Chapter.html` is the same mistake on every system
    // (a case-insensitive file system would otherwise take it).
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|entry| !entry.path().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let rel = Path::new(templates::DIR).join(&name);
        if let Some(template) = templates::find(&name) {
            if let Some(file) = read_source(root, &rel, sources, sink) {
                found.insert(template.name.to_string(), file);
            }
        } else if !is_ignored(&name) && !templates::is_ignored(&name) {
            sink.push(unknown_template(&name, rel));
        }
    }
    found
}

/// The warning about a file of `templates/` that replaces no template.
fn unknown_template(name: &str, rel: PathBuf) -> Diagnostic {
    use crate::templates;
    let warning = Diagnostic::warning_in(
        Some(rel),
        "no template has this name, so the file is not used",
    );
    match crate::diag::closest(name, templates::names()) {
        Some(best) => warning.hint(format!("did you mean `{best}`?")),
        None => warning.hint(format!(
            "the templates are {}; `ouvrage init --templates` writes them all",
            templates::names().collect::<Vec<_>>().join(", ")
        )),
    }
}

/// Reads the bibliography files and a `.csl` style file named in book.toml
/// into `sources`, where the citations pass finds them by path. A file
/// outside the book or missing is an error at its name in book.toml.
fn read_bibliography_files(
    root: &Path,
    config: &crate::config::book::BibliographyConfig,
    sources: &mut Sources,
    sink: &mut Sink,
) {
    let style = config.style.iter().filter(|s| s.value.ends_with(".csl"));
    for name in config.files.iter().chain(style) {
        let rel = Path::new(&name.value);
        let inside = rel
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
        if !inside {
            sink.push(
                Diagnostic::error(name.span.clone(), "this file is outside the book")
                    .hint("put the file in the book's folder and give its path from there"),
            );
        } else if !root.join(rel).is_file() {
            sink.push(
                Diagnostic::error(
                    name.span.clone(),
                    format!("no file {} in the book", name.value),
                )
                .hint("check the file name, or remove it from book.toml"),
            );
        } else if sources.find(rel).is_none() {
            read_source(root, rel, sources, sink);
        }
    }
}

/// Markdown files under `chapters/`, relative to the root, in path order.
/// Files and folders of the names [`is_ignored`] gives (hidden, drafts,
/// editors' temporary files) are skipped.
pub fn chapter_paths(root: &Path, sink: &mut Sink) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let dir = root.join(CHAPTERS_DIR);
    if !dir.is_dir() {
        sink.push(
            Diagnostic::error_in(
                Some(PathBuf::from(CHAPTERS_DIR)),
                "the book has no chapters folder",
            )
            .hint("create chapters/ and add a chapter with `ouvrage new ID --title T --author C`"),
        );
        return found;
    }
    let mut stack = vec![dir];
    while let Some(dir) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) => {
                let rel = dir.strip_prefix(root).unwrap_or(&dir).to_path_buf();
                sink.push(Diagnostic::error_in(
                    Some(rel),
                    format!("cannot read the folder: {e}"),
                ));
                continue;
            }
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if is_ignored(&name) {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                found.push(path.strip_prefix(root).unwrap_or(&path).to_path_buf());
            }
        }
    }
    found.sort();
    found
}

/// The number prefix of the next chapter file (`NN-id.md`): one more than
/// the highest a chapter file's name starts with, else 1. `new` and
/// `import docx` name their files with it.
pub fn next_chapter_number(loaded: &Loaded) -> u32 {
    loaded
        .chapters
        .iter()
        .filter_map(|c| {
            let name = c.path.file_name()?.to_string_lossy().into_owned();
            let digits: String = name.chars().take_while(|c| c.is_ascii_digit()).collect();
            digits.parse::<u32>().ok()
        })
        .max()
        .map(|n| n.saturating_add(1))
        .unwrap_or(1)
}

/// The id a chapter file gets from its name: the stem without a leading
/// number prefix (`03-fablabs.md` → `fablabs`).
pub fn id_from_path(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let trimmed = stem.trim_start_matches(|c: char| c.is_ascii_digit());
    let trimmed = if trimmed.len() < stem.len() {
        trimmed.trim_start_matches(['-', '_', '.', ' '])
    } else {
        trimmed
    };
    if trimmed.is_empty() {
        stem
    } else {
        trimmed.to_string()
    }
}

/// The chapter files `paths` read and their front matter read, on every
/// core: on a long book, reading each file (its UTF-8 checked, its lines
/// indexed) and its front matter is the largest part of what stands
/// between a save in `watch` and its page. Files are registered, and
/// diagnostics given, in the order of `paths`.
fn load_chapters(
    root: &Path,
    paths: Vec<PathBuf>,
    overrides: &Overrides,
    sources: &mut Sources,
    sink: &mut Sink,
) -> Vec<LoadedChapter> {
    use rayon::prelude::*;
    let read: Vec<(PathBuf, Option<ReadFile>, Sink)> = paths
        .into_par_iter()
        .map(|rel| {
            let mut own = Sink::default();
            let read = match overrides.get(&rel) {
                Some(Some(text)) => Some(ReadFile {
                    file: SourceFile::new(rel.clone(), text.clone()),
                    bad_byte: None,
                }),
                Some(None) => None,
                None => read_file(root, &rel, &mut own),
            };
            (rel, read, own)
        })
        .collect();
    let registered: Vec<(Option<FileId>, PathBuf, Sink)> = read
        .into_iter()
        .map(|(rel, read, mut own)| {
            let file = read.map(|read| register(read, sources, &mut own));
            (file, rel, own)
        })
        .collect();
    let sources = &*sources;
    let loaded: Vec<(Option<LoadedChapter>, Sink)> = registered
        .into_par_iter()
        .map(|(file, rel, mut own)| {
            let chapter = file.map(|file| load_chapter(file, rel, sources, &mut own));
            (chapter, own)
        })
        .collect();
    loaded
        .into_iter()
        .filter_map(|(chapter, own)| {
            sink.extend(own.into_diagnostics());
            chapter
        })
        .collect()
}

fn load_chapter(file: FileId, path: PathBuf, sources: &Sources, sink: &mut Sink) -> LoadedChapter {
    let text = &sources.get(file).text;
    let mut body = text.clone();
    let mut config = ChapterConfig {
        numbered: true,
        ..Default::default()
    };
    let mut front_matter_broken = false;
    match split_front_matter(text) {
        Ok(Some(fm)) => {
            let content = &text[fm.content.clone()];
            let tree = match fm.format {
                FrontMatterFormat::Yaml => {
                    parse_yaml(content, fm.content.start).map_err(|e| vec![e])
                }
                FrontMatterFormat::Toml => {
                    let (tree, errors) = parse_toml(content, fm.content.start);
                    if errors.is_empty() {
                        Ok(tree)
                    } else {
                        Err(errors)
                    }
                }
            };
            match tree {
                Ok(tree) => config = read_chapter_config(file, &tree, sink),
                Err(errors) => {
                    front_matter_broken = true;
                    for e in errors {
                        sink.push(match fm.format {
                            FrontMatterFormat::Yaml => yaml_fault(file, text, fm.content.clone(), &e),
                            FrontMatterFormat::Toml => Diagnostic::error(Span::new(file, e.span), format!("front matter: {}", e.message))
                                .hint("front matter is YAML between `---` lines or TOML between `+++` lines"),
                        });
                    }
                }
            }
            // Blank the front matter byte for byte, keeping every newline, so
            // that comrak's offsets and lines are the file's own.
            body = blank_preserving(&text[..fm.end]) + &text[fm.end..];
        }
        Ok(None) => {}
        Err(e) => sink.push(
            Diagnostic::error(Span::new(file, e.span), e.message)
                .hint("close the front matter with a line holding only `---` (or `+++` for TOML)"),
        ),
    }
    let (id, id_span) = match &config.id {
        Some(Spanned { value, span }) => (value.clone(), span.clone()),
        None => {
            let id = id_from_path(&path);
            let first_line = sources.get(file).line_range(0).unwrap_or(0..0);
            if !crate::config::read::is_valid_id(&id) {
                sink.push(
                    Diagnostic::error(
                        Span::new(file, first_line.clone()),
                        format!("the file name gives the chapter id `{id}`, which is not valid"),
                    )
                    .hint("rename the file with lowercase ASCII letters, digits and `-`, or set `id:` in its front matter"),
                );
            }
            (id, Span::new(file, first_line))
        }
    };
    LoadedChapter {
        id,
        id_span,
        file,
        path,
        config,
        body,
        front_matter_broken,
    }
}

/// A YAML front matter that does not parse, said in its writer's terms at
/// the place to fix: a tab in the indentation, a quote left open; else the
/// parser's own words. The parser's text stays as a hint.
fn yaml_fault(
    file: FileId,
    text: &str,
    content: std::ops::Range<usize>,
    e: &crate::config::value::SyntaxError,
) -> Diagnostic {
    let front = &text[content.clone()];
    let parser = format!("the YAML parser says: {}", e.message);
    // A tab where YAML wants spaces.
    let mut at = content.start;
    for line in front.split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        if let Some(tab) = line[..indent].find('\t') {
            let start = at + tab;
            return Diagnostic::error(
                Span::new(file, start..start + 1),
                "this line of the front matter is indented with a tab",
            )
            .hint(format!(
                "indent YAML with spaces, never tabs; a top-level key such as `{}` starts the line",
                line.trim()
            ))
            .hint(parser);
        }
        at += line.len();
    }
    // A value whose quote is not closed on its line.
    let mut at = content.start;
    for line in front.split_inclusive('\n') {
        if let Some((key, value)) = line.split_once(':') {
            let value_start = at + key.len() + 1;
            let trimmed = value.trim();
            for quote in ['"', '\''] {
                if trimmed.starts_with(quote) && (trimmed.len() < 2 || !trimmed.ends_with(quote)) {
                    let offset = value.find(quote).unwrap_or(0);
                    let start = value_start + offset;
                    return Diagnostic::error(
                        Span::new(file, start..start + 1),
                        format!("the quote that opens the value of `{}` is not closed on its line", key.trim()),
                    )
                    .hint(format!(
                        "end the value with {quote} on the same line; a {quote} inside it is written \\{quote}"
                    ))
                    .hint(parser);
                }
            }
        }
        at += line.len();
    }
    Diagnostic::error(
        Span::new(file, e.span.clone()),
        format!("the front matter is not valid YAML: {}", e.message),
    )
    .hint("front matter is YAML between `---` lines (`key: value`, lists as `[a, b]`) or TOML between `+++` lines")
}

/// Replaces every byte but newlines with a space, byte for byte.
fn blank_preserving(text: &str) -> String {
    text.bytes()
        .map(|b| if b == b'\n' { '\n' } else { ' ' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The chapter files are read on every core, yet they are numbered and
    /// their faults reported in the chapters' order, as one reader would.
    #[test]
    fn chapters_read_in_parallel_keep_their_order() {
        let (_dir, root) = crate::testbook::book("Ordre", &[]);
        let root = root.as_path();
        let mut expected = Vec::new();
        for i in 0..40 {
            let rel = format!("chapters/{i:02}-c.md");
            let text: Vec<u8> = match i % 3 {
                // A front matter never closed.
                0 => b"---\ntitle: x\n".to_vec(),
                // Not UTF-8.
                1 => b"# Titre\n\nCaf\xe9\n".to_vec(),
                _ => format!("# Chapitre {i}\n").into_bytes(),
            };
            if i % 3 != 2 {
                expected.push(rel.clone());
            }
            std::fs::write(root.join(&rel), text).unwrap();
        }
        let mut sink = Sink::default();
        let loaded = load_book_with(root, &mut sink, &Overrides::new());
        let paths: Vec<String> = loaded
            .chapters
            .iter()
            .map(|c| slash(&loaded.sources.get(c.file).path))
            .collect();
        let mut sorted = paths.clone();
        sorted.sort();
        assert_eq!(paths, sorted, "files numbered in the chapters' order");
        let faulty: Vec<String> = sink
            .diagnostics()
            .iter()
            .filter_map(|d| d.span.as_ref())
            .map(|span| slash(&loaded.sources.get(span.file).path))
            .collect();
        assert_eq!(faulty, expected);
    }

    #[test]
    fn ids_from_file_names() {
        assert_eq!(id_from_path(Path::new("chapters/03-fablabs.md")), "fablabs");
        assert_eq!(
            id_from_path(Path::new("chapters/part/10_intro.md")),
            "intro"
        );
        assert_eq!(id_from_path(Path::new("chapters/fablabs.md")), "fablabs");
        assert_eq!(id_from_path(Path::new("chapters/2024.md")), "2024");
    }

    #[test]
    fn editors_files_are_ignored_and_chapters_are_not() {
        for name in [
            ".x.md.swp",
            ".x.md.swo",
            ".x.md.swx",
            "#x.md#",
            ".#x.md",
            "x.md~",
            "x.md.orig",
            "x.md.rej",
            "x.md.bak",
            "x.md.tmp",
            "x.md.kate-swp",
            "x.md___jb_tmp___",
            "x.md___jb_old___",
            ".goutputstream-0V7ZE3",
            "4913",
            "_brouillon.md",
            "_drafts",
            ".git",
        ] {
            assert!(is_ignored(name), "{name}");
        }
        for name in [
            "01-x.md",
            "x.md",
            "images",
            "figure.png",
            "4914",
            "notes#1.md",
        ] {
            assert!(!is_ignored(name), "{name}");
        }
        assert!(ignores(Path::new("chapters/.x.md.swp")));
        assert!(ignores(Path::new("chapters/_drafts/a.md")));
        assert!(ignores(Path::new("chapters/images/#a.png#")));
        assert!(!ignores(Path::new("chapters/images/a.png")));
        assert!(!ignores(Path::new("chapters/01-a.md")));
        assert!(ignores(Path::new("templates/README.md")));
        assert!(ignores(Path::new("templates/book.typ.orig")));
        assert!(ignores(Path::new("templates/ci/github.yml")));
        assert!(!ignores(Path::new("templates/book.typ")));
        assert!(!ignores(Path::new("templates/chapter.html")));
    }

    #[test]
    fn the_loader_skips_what_is_ignored_and_reads_overrides() {
        let (_tmp, root) = crate::testbook::book("T", &[]);
        let root = root.as_path();
        std::fs::create_dir_all(root.join("chapters/_drafts")).unwrap();
        for name in [
            "01-a.md",
            "02-b.md",
            "#01-a.md#",
            "01-a.md~",
            "_drafts/c.md",
            ".01-a.md.swp",
        ] {
            std::fs::write(
                root.join("chapters").join(name),
                "---\ntitle: X\n---\n\nTexte.\n",
            )
            .unwrap();
        }
        let mut sink = Sink::default();
        let loaded = load_book(root, &mut sink);
        let paths: Vec<_> = loaded.chapters.iter().map(|c| slash(&c.path)).collect();
        assert_eq!(paths, ["chapters/01-a.md", "chapters/02-b.md"]);

        let mut overrides = Overrides::new();
        overrides.insert(
            PathBuf::from("chapters/01-a.md"),
            Some("---\ntitle: Gardé\n---\n".into()),
        );
        overrides.insert(PathBuf::from("chapters/02-b.md"), None);
        let loaded = load_book_with(root, &mut sink, &overrides);
        assert_eq!(loaded.chapters.len(), 1);
        assert_eq!(
            loaded.sources.get(loaded.chapters[0].file).text,
            "---\ntitle: Gardé\n---\n"
        );
    }

    fn slash(p: &Path) -> String {
        crate::model::slash_path(p)
    }

    #[test]
    fn blanking_keeps_offsets() {
        let text = "---\ntitle: « É »\n---\nbody";
        let blank = blank_preserving(&text[..text.find("body").unwrap()]);
        assert_eq!(blank.len(), text.find("body").unwrap());
        assert_eq!(blank.matches('\n').count(), 3);
    }
}
