//! The command, `ouvrage import docx`: the request checked against the
//! book (the id, the authors, the file), the document converted with the
//! book's bibliography, and the chapter, its pictures and book.toml
//! staged, then renamed together; on any error nothing is written.

use std::path::{Path, PathBuf};

use super::{Changes, Counts, Options, Work, convert, package};
use crate::atomic::{Staged, stage};
use crate::diag::{Diagnostic, Sink};
use crate::load::CHAPTERS_DIR;

/// What `ouvrage import docx` was asked.
#[derive(Debug, Clone)]
pub struct Request {
    /// The DOCX file.
    pub file: PathBuf,
    /// The new chapter's id.
    pub id: String,
    /// Its authors (contributor ids).
    pub authors: Vec<String>,
    /// Its title, instead of the document's.
    pub title: Option<String>,
    /// What to do with tracked changes and comments.
    pub changes: Changes,
}

/// What an import wrote.
#[derive(Debug, Clone)]
pub struct Done {
    /// The chapter file, from the book's root.
    pub chapter: PathBuf,
    /// The pictures written, from the book's root.
    pub images: Vec<PathBuf>,
    /// Whether the id was appended to `book.chapters`.
    pub listed: bool,
    /// Warnings (each at its paragraph of the document).
    pub warnings: Vec<Diagnostic>,
    /// Report notes.
    pub notes: Vec<String>,
    /// What the chapter holds.
    pub counts: Counts,
}

/// The extensions of word processors' other formats, which get a hint to
/// save the document as DOCX when they do not read as one.
const OTHER_FORMATS: &[&str] = &[
    "doc", "dot", "odt", "ott", "fodt", "rtf", "wpd", "pages", "wps",
];

/// The works of the book's bibliography (empty when it has none); a
/// bibliography that cannot be read is a note, since `check` reports it.
fn book_works(root: &Path, notes: &mut Vec<String>) -> Vec<Work> {
    let mut scratch = Sink::default();
    let book = crate::pipeline::load_outline(root, &mut scratch);
    if book.config.bibliography.files.is_empty() {
        return Vec::new();
    }
    let mut sink = Sink::default();
    let Some(bib) = crate::bibliography::load(&book, &mut sink) else {
        return Vec::new();
    };
    if sink.has_errors() {
        notes.push("the book's bibliography has errors (`ouvrage check` lists them): citations of its faulty entries stay text".to_string());
    }
    bib.library
        .iter()
        .map(|entry| Work {
            key: entry.key().to_string(),
            doi: entry.doi().map(str::to_string),
            title: entry.title().map(|t| t.to_string()),
        })
        .collect()
}

fn error_about(path: &Path, mut d: Diagnostic) -> Diagnostic {
    if d.path.is_none() && d.span.is_none() {
        d.path = Some(path.to_path_buf());
    }
    d
}

/// Imports a DOCX file as a new chapter of the book at `root`: every
/// check first (the id, the authors, the file), then the chapter, its
/// pictures and book.toml staged and renamed into place together. On any
/// error nothing is written.
pub fn import_docx(root: &Path, request: &Request) -> Result<Done, Vec<Diagnostic>> {
    let file = &request.file;
    let fail = |d: Diagnostic| vec![error_about(file, d)];
    if !crate::config::read::is_valid_id(&request.id) {
        return Err(vec![
            Diagnostic::error_in(None, format!("`{}` is not a valid chapter id", request.id))
                .hint("use lowercase ASCII letters, digits and `-`, e.g. fablabs"),
        ]);
    }
    let mut sink = Sink::default();
    let loaded = crate::load::load_book(root, &mut sink);
    let mut errors = Vec::new();
    if let Some(existing) = loaded.chapters.iter().find(|c| c.id == request.id) {
        errors.push(
            Diagnostic::error_in(
                Some(existing.path.clone()),
                format!("a chapter with the id `{}` already exists", request.id),
            )
            .hint("choose another id with --id"),
        );
    }
    for author in &request.authors {
        if loaded.contributors.get(author).is_none() {
            let known = loaded.contributors.known();
            errors.push(
                Diagnostic::error_in(None, format!("unknown contributor `{author}`"))
                    .suggest(author, loaded.contributors.ids())
                    .hint(known)
                    .hint("add them to contributors.toml first"),
            );
        }
    }
    let other_format = file
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .filter(|e| OTHER_FORMATS.contains(&e.as_str()));
    let bytes = match std::fs::metadata(file) {
        Ok(meta) if meta.is_dir() => Err(Diagnostic::error_in(
            None,
            "this is a folder, not a DOCX file",
        )),
        Ok(meta) if meta.len() > package::MAX_FILE_BYTES => Err(Diagnostic::error_in(
            None,
            format!(
                "this file is larger than {} MiB: no chapter is this large; it is refused",
                package::MAX_FILE_BYTES / (1024 * 1024)
            ),
        )),
        Ok(_) => {
            std::fs::read(file).map_err(|e| Diagnostic::error_in(None, format!("cannot read: {e}")))
        }
        Err(e) => Err(Diagnostic::error_in(None, format!("cannot read: {e}"))
            .hint("check the file's name and that you may read it")),
    };
    let bytes = match bytes {
        Ok(b) => b,
        Err(d) => {
            errors.push(error_about(file, d));
            return Err(errors);
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut notes = Vec::new();
    let works = book_works(root, &mut notes);
    let options = Options {
        changes: request.changes,
        image_dir: format!("images/{}", request.id),
        works,
    };
    let converted = match convert(bytes, &options) {
        Ok(c) => c,
        Err(mut d) => {
            if let Some(ext) = other_format
                && !d.hints.iter().any(|h| h.contains("save it as"))
            {
                d = d.hint(format!(
                    "a `.{ext}` file is not a DOCX: open it in Word or LibreOffice and save it as a Word document (.docx), then import that file"
                ));
            }
            return Err(fail(d));
        }
    };
    let Some(title) = request.title.clone().or(converted.title.clone()) else {
        return Err(fail(
            Diagnostic::error_in(None, "the document has no title: no Title paragraph, no lone Heading 1 opening it, and no title in its properties")
                .hint("give one with --title \"…\""),
        ));
    };
    if request.title.is_some() && converted.title.is_some() {
        notes.push(format!(
            "the document's own title (“{}”) was replaced by --title",
            converted.title.as_deref().unwrap_or("")
        ));
    }
    notes.extend(converted.notes.iter().cloned());

    let number = crate::load::next_chapter_number(&loaded);
    let chapter = Path::new(CHAPTERS_DIR).join(format!("{number:02}-{}.md", request.id));
    let image_dir = Path::new(CHAPTERS_DIR).join("images").join(&request.id);
    let text = crate::import::book::chapter_text(&crate::import::book::NewChapter {
        path: chapter.clone(),
        id: request.id.clone(),
        title: Some(title),
        authors: request.authors.clone(),
        numbered: true,
        body: converted.markdown.clone(),
        ..Default::default()
    });
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    for (name, bytes) in &converted.images {
        files.push((image_dir.join(name), bytes.clone()));
    }
    files.push((chapter.clone(), text.into_bytes()));
    // Never written over: a file already there is an error.
    let clashes: Vec<Diagnostic> = files
        .iter()
        .filter(|(rel, _)| root.join(rel).exists())
        .map(|(rel, _)| {
            Diagnostic::error_in(
                Some(rel.clone()),
                "this file exists already: import never writes over a file",
            )
            .hint("move it away, or choose another id with --id")
        })
        .collect();
    if !clashes.is_empty() {
        return Err(clashes);
    }
    let book_toml = root.join(crate::load::BOOK_FILE);
    let listed = match std::fs::read_to_string(&book_toml) {
        Ok(text) => match crate::config::edit::chapter_appended(&text, &request.id) {
            Ok(Some(new)) => {
                files.push((PathBuf::from(crate::load::BOOK_FILE), new.into_bytes()));
                true
            }
            Ok(None) => false,
            Err(e) => {
                return Err(vec![Diagnostic::error_in(
                    Some(PathBuf::from(crate::load::BOOK_FILE)),
                    format!("cannot parse: {e}"),
                )]);
            }
        },
        Err(e) => {
            return Err(vec![Diagnostic::error_in(
                Some(PathBuf::from(crate::load::BOOK_FILE)),
                format!("cannot read: {e}"),
            )]);
        }
    };
    write_all(root, &files)?;
    Ok(Done {
        chapter,
        images: converted
            .images
            .iter()
            .map(|(name, _)| image_dir.join(name))
            .collect(),
        listed,
        warnings: converted
            .warnings
            .into_iter()
            .map(|d| error_about(file, d))
            .collect(),
        notes,
        counts: converted.counts,
    })
}

/// Writes files under `root` all or none: each staged beside its target,
/// then all renamed; a failure removes the staged ones, the ones already
/// renamed, and the folders made for them.
fn write_all(root: &Path, files: &[(PathBuf, Vec<u8>)]) -> Result<(), Vec<Diagnostic>> {
    // The folders that do not exist yet, removed again on failure.
    let mut made: Vec<PathBuf> = Vec::new();
    for (rel, _) in files {
        let mut dir = root.join(rel);
        while dir.pop() && dir.starts_with(root) && dir != root {
            if !dir.exists() && !made.contains(&dir) {
                made.push(dir.clone());
            }
        }
    }
    made.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    let undo_folders = |made: &[PathBuf]| {
        for dir in made {
            let _ = std::fs::remove_dir(dir);
        }
    };
    let mut staged: Vec<(Staged, PathBuf)> = Vec::new();
    for (rel, bytes) in files {
        match stage(&root.join(rel), bytes) {
            Ok(s) => staged.push((s, rel.clone())),
            Err(d) => {
                drop(staged);
                undo_folders(&made);
                return Err(vec![d]);
            }
        }
    }
    let mut committed: Vec<PathBuf> = Vec::new();
    let mut rest = staged.into_iter();
    while let Some((s, rel)) = rest.next() {
        if let Err(d) = s.commit() {
            // What is not yet renamed is removed when dropped; what is,
            // is removed here (book.toml comes last, so it is never one).
            drop(rest);
            for rel in committed {
                let _ = std::fs::remove_file(root.join(rel));
            }
            undo_folders(&made);
            return Err(vec![d]);
        }
        committed.push(rel);
    }
    Ok(())
}
