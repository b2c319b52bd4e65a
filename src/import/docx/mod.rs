//! `ouvrage import docx`: a Word or LibreOffice document made a chapter
//! of the book, with its pictures.
//!
//! Input: the DOCX file's bytes, and the book it goes into (its
//! contributors, chapters, book.toml and bibliography). Output:
//! `chapters/NN-ID.md` with its front matter, the pictures under
//! `chapters/images/ID/`, the chapter's id appended to `book.chapters`
//! when book.toml lists the chapters, and warnings for what could not be
//! carried over, each at its paragraph. Every file is staged first and
//! renamed into place only when all are written: on any error nothing is
//! written.
//!
//! The pieces: `package.rs` (the zip, what a file that is no DOCX is, the
//! limits), `styles.rs` and `numbering.rs` (what styles and lists mean),
//! `reader.rs` (the walk over the XML into [`content`]), `fields.rs`
//! (hyperlink, caption and citation fields; Zotero and Mendeley citations
//! matched to the book's bibliography), `markdown.rs` (the Markdown).
//! [`convert`] is the whole conversion from bytes, without the book;
//! [`docx_to_markdown`] its simplest form.

pub mod content;
mod fields;
mod markdown;
mod numbering;
mod package;
mod reader;
mod styles;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use fields::Work;
pub use reader::Changes;

use content::{Block, ParaKind, Piece};
use package::{LocalName, Package, parse_xml, rel, resolve};
use reader::{NoteKind, Part, Reader, count_changes};

use crate::atomic::{Staged, stage};
use crate::diag::{Diagnostic, Sink};
use crate::load::CHAPTERS_DIR;

/// How to convert a document.
#[derive(Debug, Clone)]
pub struct Options {
    /// What to do with tracked changes and comments.
    pub changes: Changes,
    /// The pictures' folder as the chapter refers to it (`images/<id>`).
    pub image_dir: String,
    /// The works of the book's bibliography, for citations.
    pub works: Vec<Work>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            changes: Changes::Refuse,
            image_dir: "images/chapter".to_string(),
            works: Vec::new(),
        }
    }
}

/// What a document holds, for the summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Paragraphs of text (list items and quotes included).
    pub paragraphs: usize,
    /// Headings.
    pub headings: usize,
    /// Footnotes and endnotes.
    pub notes: usize,
    /// Tables.
    pub tables: usize,
    /// Pictures.
    pub images: usize,
    /// Citations made `[@key]`.
    pub citations: usize,
}

/// A converted document.
#[derive(Debug, Clone)]
pub struct Converted {
    /// The title, inline Markdown: the Title paragraph, else a Heading 1
    /// that opens the document and is its only one, else the document's
    /// properties' title.
    pub title: Option<String>,
    /// The chapter's text: its blocks, then its notes as footnotes.
    pub markdown: String,
    /// The pictures: file name (in `image_dir`) and bytes.
    pub images: Vec<(String, Vec<u8>)>,
    /// What could not be carried over, each at its paragraph.
    pub warnings: Vec<Diagnostic>,
    /// What was left out as a whole (a table of contents).
    pub notes: Vec<String>,
    /// What it holds.
    pub counts: Counts,
}

/// The `dc:title` of the core properties.
fn core_title(package: &mut Package) -> Result<Option<String>, Diagnostic> {
    let rels = package.relationships("")?;
    let name = rels
        .values()
        .find(|r| r.kind.ends_with(rel::CORE) && !r.external)
        .map(|r| resolve("", &r.target))
        .unwrap_or_else(|| "docProps/core.xml".to_string());
    let Some(text) = package.text(&name)? else {
        return Ok(None);
    };
    let doc = parse_xml(&name, &text)?;
    Ok(doc
        .descendants()
        .find(|n| n.has_tag_name_local("title"))
        .and_then(|n| n.text())
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|t| !t.is_empty()))
}

/// The part of the main document's relationship of this type.
fn related(main: &str, rels: &package::Relationships, kind: &str) -> Option<String> {
    let mut found: Vec<&package::Relationship> = rels
        .values()
        .filter(|r| r.kind.ends_with(kind) && !r.external)
        .collect();
    found.sort_by(|a, b| a.target.cmp(&b.target));
    found.first().map(|r| resolve(main, &r.target))
}

/// A part's text, if the document has it.
fn part_text(package: &mut Package, name: Option<&str>) -> Result<Option<String>, Diagnostic> {
    match name {
        Some(n) => package.text(n),
        None => Ok(None),
    }
}

/// DOCX bytes made a chapter's Markdown (see [`Converted`]). Errors (a
/// file that is no DOCX, a damaged one, tracked changes when
/// `options.changes` refuses them) carry no path: the caller names the
/// file.
pub fn convert(bytes: Vec<u8>, options: &Options) -> Result<Converted, Diagnostic> {
    let mut package = Package::open(bytes)?;
    let main = package.main.clone();
    let title_from_properties = core_title(&mut package)?;
    let rels = package.relationships(&main)?;
    let styles_name = related(&main, &rels, rel::STYLES);
    let numbering_name = related(&main, &rels, rel::NUMBERING);
    let footnotes_name = related(&main, &rels, rel::FOOTNOTES);
    let endnotes_name = related(&main, &rels, rel::ENDNOTES);
    let comments_name = related(&main, &rels, rel::COMMENTS);

    let document_text = package
        .text(&main)?
        .ok_or_else(|| Diagnostic::error_in(None, "the document part is missing"))?;
    let styles_text = part_text(&mut package, styles_name.as_deref())?;
    let numbering_text = part_text(&mut package, numbering_name.as_deref())?;
    let footnotes_text = part_text(&mut package, footnotes_name.as_deref())?;
    let endnotes_text = part_text(&mut package, endnotes_name.as_deref())?;
    let comments_text = part_text(&mut package, comments_name.as_deref())?;
    let footnote_rels = match &footnotes_name {
        Some(n) => package.relationships(n)?,
        None => package::Relationships::new(),
    };
    let endnote_rels = match &endnotes_name {
        Some(n) => package.relationships(n)?,
        None => package::Relationships::new(),
    };

    let document = parse_xml(&main, &document_text)?;
    fn parse<'t>(
        name: &Option<String>,
        text: &'t Option<String>,
    ) -> Result<Option<roxmltree::Document<'t>>, Diagnostic> {
        match (name, text) {
            (Some(n), Some(t)) => parse_xml(n, t).map(Some),
            _ => Ok(None),
        }
    }
    let styles_doc = parse(&styles_name, &styles_text)?;
    let numbering_doc = parse(&numbering_name, &numbering_text)?;
    let footnotes_doc = parse(&footnotes_name, &footnotes_text)?;
    let endnotes_doc = parse(&endnotes_name, &endnotes_text)?;
    let comments_doc = parse(&comments_name, &comments_text)?;

    let comments: Vec<(String, String, String)> = comments_doc
        .as_ref()
        .map(|doc| {
            doc.root_element()
                .children()
                .filter(|n| n.has_tag_name_local("comment"))
                .map(|c| {
                    (
                        styles::attr(c, "id").unwrap_or("").to_string(),
                        styles::attr(c, "author").unwrap_or("").to_string(),
                        reader::text_of(c),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let changes = count_changes(&document)
        + footnotes_doc.as_ref().map_or(0, count_changes)
        + endnotes_doc.as_ref().map_or(0, count_changes);
    let comment_marks = document
        .descendants()
        .filter(|n| {
            n.has_tag_name_local("commentRangeStart") || n.has_tag_name_local("commentReference")
        })
        .count();
    let comment_count = if comments.is_empty() && comment_marks > 0 {
        1
    } else {
        comments.len()
    };
    if options.changes == Changes::Refuse && (changes > 0 || comment_count > 0) {
        let mut what = Vec::new();
        if changes > 0 {
            what.push(format!(
                "{changes} tracked change{}",
                if changes == 1 { "" } else { "s" }
            ));
        }
        if comment_count > 0 {
            what.push(format!(
                "{comment_count} comment{}",
                if comment_count == 1 { "" } else { "s" }
            ));
        }
        return Err(Diagnostic::error_in(
            None,
            format!(
                "this document holds {}: a chapter is a final text",
                what.join(" and ")
            ),
        )
        .hint("import again with --accept-changes (the text with every change accepted) or --reject-changes (the text as it was before the changes); comments are then listed as warnings")
        .hint("or accept or reject the changes in Word or LibreOffice (Review), delete the comments, save and import again"));
    }

    let styles = styles::Styles::read(styles_doc.as_ref());
    let numbering = numbering::Numbering::read(numbering_doc.as_ref());
    let works = fields::Works::new(&options.works);
    let mut reader = Reader::new(
        &mut package,
        &styles,
        &numbering,
        &works,
        options.changes,
        options.image_dir.clone(),
    );
    for (kind, doc) in [
        (NoteKind::Footnote, &footnotes_doc),
        (NoteKind::Endnote, &endnotes_doc),
    ] {
        let Some(doc) = doc else { continue };
        for note in doc
            .root_element()
            .children()
            .filter(|n| n.has_tag_name_local("footnote") || n.has_tag_name_local("endnote"))
        {
            // Separators are Word's own, never the author's notes.
            if styles::attr(note, "type").is_some_and(|t| t != "normal") {
                continue;
            }
            if let Some(id) = styles::attr(note, "id") {
                reader.note_nodes.insert((kind, id.to_string()), note);
            }
        }
    }
    reader.comments = comments;
    let body = document
        .root_element()
        .children()
        .find(|n| n.has_tag_name_local("body"))
        .ok_or_else(|| {
            Diagnostic::error_in(None, "this DOCX file is damaged: its document has no body")
                .hint("open it in Word or LibreOffice, save it again and import that file")
        })?;
    let mut blocks = Vec::new();
    let part = Part {
        name: main.clone(),
        rels: &rels,
    };
    reader.blocks(&part, body, &mut blocks, 0)?;
    let mut note_parts = HashMap::new();
    if let Some(name) = &footnotes_name {
        note_parts.insert(
            NoteKind::Footnote,
            Part {
                name: name.clone(),
                rels: &footnote_rels,
            },
        );
    }
    if let Some(name) = &endnotes_name {
        note_parts.insert(
            NoteKind::Endnote,
            Part {
                name: name.clone(),
                rels: &endnote_rels,
            },
        );
    }
    let mut notes = reader.read_notes(&note_parts)?;
    reader.report_comments();
    if reader
        .note_order
        .iter()
        .any(|(k, _, _)| *k == NoteKind::Endnote)
    {
        reader.notes.insert(
            "endnotes became footnotes, numbered with the footnotes in the order of the text"
                .to_string(),
        );
    }

    // Notes with no text: their reference goes too.
    let empty: Vec<u32> = notes
        .iter()
        .filter(|(_, b)| b.is_empty())
        .map(|(n, _)| *n)
        .collect();
    if !empty.is_empty() {
        notes.retain(|(n, _)| !empty.contains(n));
        drop_notes(&mut blocks, &empty);
        reader.warnings.push(Diagnostic::warning_in(
            None,
            format!("{} empty note(s) left out", empty.len()),
        ));
    }

    // The title: the Title paragraph, else a lone Heading 1 opening the
    // document (its sections then being Heading 2), else the properties'.
    let mut shift = 1;
    let mut title = None;
    if let Some(at) = blocks.iter().position(|b| {
        matches!(
            b,
            Block::Para {
                kind: ParaKind::Title,
                ..
            }
        )
    }) {
        if let Block::Para { pieces, .. } = blocks.remove(at) {
            title = Some(title_of(&pieces, &mut notes, &mut reader.warnings));
        }
    } else {
        let headings: Vec<(usize, u8)> = blocks
            .iter()
            .enumerate()
            .filter_map(|(i, b)| match b {
                Block::Para {
                    kind: ParaKind::Heading(l),
                    ..
                } => Some((i, *l)),
                _ => None,
            })
            .collect();
        let ones: Vec<usize> = headings
            .iter()
            .filter(|(_, l)| *l == 1)
            .map(|(i, _)| *i)
            .collect();
        if ones == [0] {
            if let Block::Para { pieces, .. } = blocks.remove(ones[0]) {
                title = Some(title_of(&pieces, &mut notes, &mut reader.warnings));
            }
            shift = 0;
        }
    }
    let title = title.filter(|t| !t.trim().is_empty()).or_else(|| {
        title_from_properties.map(|t| one_line(&[Piece::Text(t, content::Fmt::default())]))
    });

    let counts = Counts {
        paragraphs: blocks
            .iter()
            .filter(
                |b| matches!(b, Block::Para { kind, .. } if !matches!(kind, ParaKind::Heading(_))),
            )
            .count(),
        headings: blocks
            .iter()
            .filter(|b| {
                matches!(
                    b,
                    Block::Para {
                        kind: ParaKind::Heading(_),
                        ..
                    }
                )
            })
            .count(),
        notes: notes.len(),
        tables: blocks
            .iter()
            .filter(|b| matches!(b, Block::Table { .. }))
            .count(),
        images: reader.images.files.len(),
        citations: reader.citations,
    };
    let mut text = markdown::blocks(&blocks, shift);
    let notes_text = markdown::notes(&notes);
    if !notes_text.is_empty() {
        text.push_str(&notes_text);
    }
    let text = format!("{}\n", text.trim_end());
    Ok(Converted {
        title,
        markdown: if text.trim().is_empty() {
            String::new()
        } else {
            text
        },
        images: std::mem::take(&mut reader.images.files),
        warnings: std::mem::take(&mut reader.warnings),
        notes: reader.notes.iter().cloned().collect(),
        counts,
    })
}

/// A title paragraph as the front matter's title: on one line, without
/// its note references; a note on the title has nowhere to go in front
/// matter, so it is left out, with a warning.
fn title_of(
    pieces: &[Piece],
    notes: &mut Vec<(u32, Vec<Block>)>,
    warnings: &mut Vec<Diagnostic>,
) -> String {
    let on_title: Vec<u32> = pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Note(n) => Some(*n),
            _ => None,
        })
        .collect();
    if !on_title.is_empty() {
        notes.retain(|(n, _)| !on_title.contains(n));
        warnings.push(Diagnostic::warning_in(
            None,
            "the note on the title is left out: front matter has no place for it; move its text into the chapter",
        ));
    }
    let kept: Vec<Piece> = pieces
        .iter()
        .filter(|p| !matches!(p, Piece::Note(_)))
        .cloned()
        .collect();
    one_line(&kept)
}

/// Inline content on one line, as Markdown.
fn one_line(pieces: &[Piece]) -> String {
    markdown::inline(
        pieces,
        markdown::Place {
            table: false,
            one_line: true,
        },
    )
}

fn drop_notes(blocks: &mut [Block], gone: &[u32]) {
    let keep = |p: &Piece| !matches!(p, Piece::Note(n) if gone.contains(n));
    for b in blocks {
        match b {
            Block::Para { pieces, .. } => pieces.retain(keep),
            Block::Table { rows } => {
                for cell in rows.iter_mut().flatten() {
                    cell.retain(keep);
                }
            }
        }
    }
}

/// DOCX bytes as a chapter's Markdown, with the default [`Options`]
/// (tracked changes refused, pictures referred to under
/// `images/chapter/`, no bibliography): the text after the front matter,
/// its notes at the end. The title is the first line, `# Title`, when the
/// document has one. The error is the message of the first fault.
pub fn docx_to_markdown(bytes: &[u8]) -> Result<String, String> {
    let converted = convert(bytes.to_vec(), &Options::default()).map_err(|d| d.message)?;
    Ok(match converted.title {
        Some(title) => format!("# {title}\n\n{}", converted.markdown),
        None => converted.markdown,
    })
}

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
            let ids: Vec<&str> = loaded.contributors.ids().collect();
            let known = if ids.is_empty() {
                "contributors.toml declares nobody yet".to_string()
            } else {
                format!("the contributors are: {}", ids.join(", "))
            };
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
    let text = super::book::chapter_text(&super::book::NewChapter {
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
