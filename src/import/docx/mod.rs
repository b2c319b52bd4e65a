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
//! `reader.rs` (the walk over the XML into [`content`], with
//! `pictures.rs` and `tables.rs`), `fields.rs`
//! (hyperlink, caption and citation fields; Zotero and Mendeley citations
//! matched to the book's bibliography), `markdown.rs` (the Markdown).
//! [`convert`] is the whole conversion from bytes, without the book;
//! [`docx_to_markdown`] its simplest form; `into_book.rs` is the command,
//! [`import_docx`]: the checks against the book, then the files written
//! together.

pub mod content;
mod fields;
mod into_book;
mod markdown;
mod numbering;
mod package;
mod pictures;
mod reader;
mod styles;
mod tables;

use std::collections::HashMap;

pub use fields::Work;
pub use into_book::{Done, Request, import_docx};
pub use reader::Changes;

use content::{Block, ParaKind, Piece};
use package::{LocalName, Package, parse_xml, rel, resolve};
use reader::{NoteKind, Part, Reader, count_changes};

use crate::diag::Diagnostic;

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
