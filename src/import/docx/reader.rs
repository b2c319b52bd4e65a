//! The walk over WordprocessingML: paragraphs, runs, hyperlinks, fields,
//! tables (`tables.rs`), drawings (`pictures.rs`), notes and comments made
//! into [`Block`]s of [`Piece`]s, with a warning for each thing the
//! chapter cannot hold.
//!
//! Input: the parsed parts of the document (`document.xml`, the notes,
//! the comments), its styles and lists, the package (for images), and
//! what to do with tracked changes. Output: the body's blocks, each note's
//! blocks in the order the text refers to them, the images, the warnings
//! (each at its paragraph: its number among the document's paragraphs
//! that hold something, and its first words) and report notes.
//!
//! Every descent into the XML counts its depth: a document nested deeper
//! than [`MAX_DEPTH`] is refused, so that a hostile file cannot exhaust
//! the stack.

use std::collections::{BTreeSet, HashMap};

use roxmltree::Node;

use super::content::{Block, Fmt, ParaKind, Piece, plain};
use super::fields::{Cited, FieldKind, Works, citation, classify};
use super::numbering::Numbering;
use super::package::{LocalName, Package, Relationships, rel};
use super::pictures::Images;
use super::styles::{Kind, NumRef, RunProps, Styles, attr, child, val};
use crate::diag::Diagnostic;

/// How deep the walk may go into nested elements (tables in tables,
/// content controls, text boxes…). Real documents stay under 30.
pub const MAX_DEPTH: usize = 96;

/// What to do with tracked changes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Changes {
    /// Refuse a document that has any (the default).
    #[default]
    Refuse,
    /// Read the text as it is with every change accepted.
    Accept,
    /// Read the text as it was before the changes.
    Reject,
}

/// Which notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NoteKind {
    /// `footnotes.xml`.
    Footnote,
    /// `endnotes.xml`.
    Endnote,
}

/// A part being read: its name (targets resolve from it) and its
/// relationships.
pub struct Part<'p> {
    /// `word/document.xml`, `word/footnotes.xml`…
    pub name: String,
    /// Its relationships.
    pub rels: &'p Relationships,
}

/// Where a warning points.
#[derive(Debug, Clone, Default)]
pub(super) enum Where {
    #[default]
    Document,
    Paragraph(usize, String),
    Note(NoteKind, u32, String),
}

impl Where {
    fn describe(&self) -> String {
        match self {
            Where::Document => "the document".to_string(),
            Where::Paragraph(n, words) if words.is_empty() => format!("paragraph {n}"),
            Where::Paragraph(n, words) => format!("paragraph {n} (“{words}”)"),
            Where::Note(kind, n, words) => {
                let what = match kind {
                    NoteKind::Footnote => "footnote",
                    NoteKind::Endnote => "endnote",
                };
                if words.is_empty() {
                    format!("{what} {n}")
                } else {
                    format!("{what} {n} (“{words}”)")
                }
            }
        }
    }
}

/// The first words of a text, for a message (about 60 characters).
pub fn first_words(text: &str) -> String {
    let mut out = String::new();
    let mut cut = false;
    for (i, word) in text.split_whitespace().enumerate() {
        if i >= 10 || out.chars().count() + word.chars().count() > 60 {
            cut = true;
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.is_empty() {
        // One long word.
        out = text.trim().chars().take(60).collect();
        cut = text.trim().chars().count() > 60;
    }
    if cut {
        out.push('…');
    }
    out
}

/// The text of an element's `w:t` descendants, for messages: not the
/// text of text boxes inside it, of alternative content (written twice),
/// or of equations.
pub fn text_of(node: Node) -> String {
    let mut out = String::new();
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if !n.is_element() {
            continue;
        }
        let wordprocessing = n
            .tag_name()
            .namespace()
            .is_some_and(|ns| ns.contains("wordprocessingml"));
        match n.tag_name().name() {
            "t" if wordprocessing => out.push_str(n.text().unwrap_or("")),
            "tab" if wordprocessing => out.push(' '),
            "txbxContent" | "Fallback" | "oMath" | "oMathPara" if n != node => {}
            _ => {
                let children: Vec<Node> = n.children().collect();
                stack.extend(children.into_iter().rev());
            }
        }
    }
    out
}

/// A field opened by `w:fldChar begin` (or a `w:fldSimple`), until its end.
#[derive(Debug, Default)]
pub(super) struct OpenField {
    instr: String,
    result: Vec<Piece>,
    in_result: bool,
    kind: Option<FieldKind>,
}

impl OpenField {
    /// Fields whose text the book makes itself: their result is dropped.
    fn suppressing(&self) -> bool {
        matches!(
            self.kind,
            Some(FieldKind::Generated(_) | FieldKind::Bibliography)
        )
    }
}

/// A comment's place and the words it is about.
#[derive(Debug, Clone, Default)]
pub(super) struct CommentRange {
    place: String,
    words: String,
}

/// The walk.
pub struct Reader<'r> {
    pub(super) package: &'r mut Package,
    pub(super) styles: &'r Styles,
    pub(super) numbering: &'r Numbering,
    pub(super) works: &'r Works,
    pub(super) changes: Changes,
    pub(super) images: Images,
    /// The notes, by kind and id.
    pub(super) note_nodes: HashMap<(NoteKind, String), Node<'r, 'r>>,
    /// The comments' authors and text, by id.
    pub(super) comments: Vec<(String, String, String)>,
    /// Warnings (at their paragraph).
    pub warnings: Vec<Diagnostic>,
    /// Report notes (what was left out as a whole).
    pub notes: BTreeSet<String>,
    /// The notes referred to, in order, with their numbers.
    pub note_order: Vec<(NoteKind, String, u32)>,
    /// Counts for the summary.
    pub citations: usize,
    pub(super) pieces: Vec<Piece>,
    pub(super) fields: Vec<OpenField>,
    pub(super) link: Option<String>,
    pub(super) place: Where,
    pub(super) paragraphs: usize,
    /// Each list's current number at each level.
    pub(super) counters: HashMap<String, [Option<u32>; 9]>,
    /// The notes' numbers, by kind and id.
    pub(super) note_numbers: HashMap<(NoteKind, String), u32>,
    /// The text since the oldest comment range still open (comments are
    /// told with the words they are about).
    pub(super) comment_text: String,
    pub(super) floating: Vec<Block>,
    /// Open comment ranges: their place and where their words start in
    /// `comment_text`.
    pub(super) open_comments: HashMap<String, (String, usize)>,
    pub(super) closed_comments: HashMap<String, CommentRange>,
    pub(super) comment_places: HashMap<String, String>,
}

/// What the walk's steps return: an error stops it (a document nested
/// too deep, a damaged picture).
pub(super) type R<T = ()> = Result<T, Diagnostic>;

pub(super) fn too_deep() -> Diagnostic {
    Diagnostic::error_in(
        None,
        format!("this document nests its content more than {MAX_DEPTH} levels deep: it is refused"),
    )
    .hint("no document written by Word or LibreOffice does this; open and save it again in one of them")
}

impl<'r> Reader<'r> {
    /// A reader over a package, its styles, lists and notes.
    pub fn new(
        package: &'r mut Package,
        styles: &'r Styles,
        numbering: &'r Numbering,
        works: &'r Works,
        changes: Changes,
        image_dir: String,
    ) -> Self {
        Reader {
            package,
            styles,
            numbering,
            works,
            changes,
            images: Images::new(image_dir),
            note_nodes: HashMap::new(),
            comments: Vec::new(),
            warnings: Vec::new(),
            notes: BTreeSet::new(),
            note_order: Vec::new(),
            citations: 0,
            pieces: Vec::new(),
            fields: Vec::new(),
            link: None,
            place: Where::Document,
            paragraphs: 0,
            counters: HashMap::new(),
            note_numbers: HashMap::new(),
            comment_text: String::new(),
            floating: Vec::new(),
            open_comments: HashMap::new(),
            closed_comments: HashMap::new(),
            comment_places: HashMap::new(),
        }
    }

    pub(super) fn warn(&mut self, message: impl AsRef<str>) {
        let d = Diagnostic::warning_in(
            None,
            format!("{}: {}", self.place.describe(), message.as_ref()),
        );
        self.warnings.push(d);
    }

    pub(super) fn reject(&self) -> bool {
        self.changes == Changes::Reject
    }

    /// The block-level content of `container` (the body, a note, a cell
    /// or a content control) appended to `out`.
    pub fn blocks(
        &mut self,
        part: &Part,
        container: Node<'r, 'r>,
        out: &mut Vec<Block>,
        depth: usize,
    ) -> R {
        if depth > MAX_DEPTH {
            return Err(too_deep());
        }
        for c in container.children().filter(Node::is_element) {
            match c.tag_name().name() {
                "p" => {
                    if let Some(block) = self.paragraph(part, c, depth + 1)? {
                        out.push(block);
                    }
                    out.append(&mut self.floating);
                }
                "tbl" => {
                    let table = self.table(part, c, depth + 1)?;
                    // A table whose rows were all deleted is no table.
                    if !matches!(&table, Block::Table { rows } if rows.is_empty()) {
                        out.push(table);
                    }
                    out.append(&mut self.floating);
                }
                "sdt" => {
                    if let Some(gallery) = c
                        .descendants()
                        .find(|n| n.has_tag_name_local("docPartGallery"))
                        .and_then(val)
                        && (gallery.contains("Table of Contents")
                            || gallery.contains("Bibliograph"))
                    {
                        self.notes.insert(if gallery.contains("Bibliograph") {
                            "the document's bibliography is left out: the book prints each chapter's reference list".to_string()
                        } else {
                            "the document's table of contents is left out: the book makes its own".to_string()
                        });
                        continue;
                    }
                    if let Some(content) = child(c, "sdtContent") {
                        self.blocks(part, content, out, depth + 1)?;
                    }
                }
                "customXml" => self.blocks(part, c, out, depth + 1)?,
                "AlternateContent" => {
                    if let Some(choice) = child(c, "Choice") {
                        self.blocks(part, choice, out, depth + 1)?;
                    }
                }
                "altChunk" => {
                    self.place = Where::Document;
                    self.warn("a document embedded in this one (altChunk) is not carried over: paste its text into the document");
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The paragraph properties that count: the former ones of a
    /// tracked change when changes are rejected.
    fn ppr(&self, p: Node<'r, 'r>) -> Option<Node<'r, 'r>> {
        let ppr = child(p, "pPr")?;
        if self.reject()
            && let Some(old) = child(ppr, "pPrChange").and_then(|c| child(c, "pPr"))
        {
            return Some(old);
        }
        Some(ppr)
    }

    /// Whether a paragraph holds anything (it then has a number).
    fn has_content(p: Node) -> bool {
        p.descendants().any(|n| {
            n.is_element()
                && match n.tag_name().name() {
                    "t" | "delText" => n.text().is_some_and(|t| !t.trim().is_empty()),
                    "drawing" | "pict" | "object" | "footnoteReference" | "endnoteReference"
                    | "oMath" | "sym" => true,
                    _ => false,
                }
        })
    }

    /// One paragraph as a block (`None` when it holds nothing).
    pub fn paragraph(&mut self, part: &Part, p: Node<'r, 'r>, depth: usize) -> R<Option<Block>> {
        if depth > MAX_DEPTH {
            return Err(too_deep());
        }
        let ppr = self.ppr(p);
        let style = ppr
            .and_then(|p| child(p, "pStyle"))
            .and_then(val)
            .or(self.styles.default_paragraph())
            .map(str::to_string);
        // Pandoc's (and ouvrage's) `Author` paragraphs name the chapter's
        // authors, which front matter holds (`--author`).
        if style.as_deref() == Some("Author") {
            return Ok(None);
        }
        let mut kind = style
            .as_deref()
            .map(|s| self.styles.kind(s))
            .unwrap_or(Kind::Body);
        if kind == Kind::Body
            && let Some(level) = ppr
                .and_then(|p| child(p, "outlineLvl"))
                .and_then(val)
                .and_then(|v| v.parse::<u8>().ok())
                .filter(|l| *l < 9)
        {
            kind = Kind::Heading(level + 1);
        }
        let num = ppr
            .and_then(|p| child(p, "numPr"))
            .and_then(NumRef::read)
            .or_else(|| style.as_deref().and_then(|s| self.styles.num(s)));
        if !matches!(self.place, Where::Note(..)) && Self::has_content(p) {
            self.paragraphs += 1;
            self.place = Where::Paragraph(self.paragraphs, first_words(&text_of(p)));
        }
        let outer = std::mem::take(&mut self.pieces);
        self.inlines(part, p, depth + 1)?;
        // A field that goes on past the paragraph (a link over two
        // paragraphs) leaves its text here; one the book makes itself (a
        // table of contents) leaves nothing.
        for f in &mut self.fields {
            if f.in_result && !f.suppressing() {
                self.pieces.append(&mut f.result);
            }
        }
        let pieces = std::mem::replace(&mut self.pieces, outer);
        let empty = pieces.iter().all(|p| match p {
            Piece::Text(t, _) => t.trim().is_empty(),
            Piece::Break => true,
            _ => false,
        });
        if empty {
            return Ok(None);
        }
        let kind = match kind {
            Kind::Title => ParaKind::Title,
            Kind::Heading(l) => ParaKind::Heading(l),
            Kind::Caption => ParaKind::Caption,
            Kind::Quote => ParaKind::Quote,
            Kind::Body | Kind::Subtitle => match num {
                Some(num) if num.num_id != "0" => {
                    let ilvl = num.ilvl.unwrap_or(0).min(8);
                    match self.numbering.level(self.styles, &num.num_id, ilvl) {
                        Some(level) if !level.none => {
                            let levels =
                                self.counters.entry(num.num_id.clone()).or_insert([None; 9]);
                            let at = usize::from(ilvl);
                            let number = levels[at].map_or(level.start, |n| n.saturating_add(1));
                            levels[at] = Some(number);
                            // A lower level's numbering starts again
                            // under each item above it.
                            for lower in &mut levels[at + 1..] {
                                *lower = None;
                            }
                            ParaKind::Item {
                                ordered: level.ordered,
                                number,
                                list: num.num_id.clone(),
                                level: ilvl,
                            }
                        }
                        _ => ParaKind::Body,
                    }
                }
                _ => ParaKind::Body,
            },
        };
        Ok(Some(Block::Para { kind, pieces }))
    }

    /// A piece of content at the current place: into the open field's
    /// result, else the paragraph.
    pub(super) fn push(&mut self, piece: Piece) {
        if !self.open_comments.is_empty() {
            self.comment_text.push_str(piece.plain());
        }
        if let Some(f) = self.fields.last_mut() {
            if f.in_result && !f.suppressing() {
                f.result.push(piece);
            }
            return;
        }
        self.pieces.push(piece);
    }

    fn text(&mut self, text: &str, fmt: &Fmt) {
        let clean: String = text
            .chars()
            .filter_map(|c| match c {
                '\t' | '\n' | '\r' | '\u{2028}' | '\u{2029}' => Some(' '),
                c if c.is_control() => None,
                c => Some(c),
            })
            .collect();
        if clean.is_empty() {
            return;
        }
        let fmt = Fmt {
            link: self.link.clone(),
            ..fmt.clone()
        };
        self.push(Piece::Text(clean, fmt));
    }

    /// The paragraph-level children of `parent` (runs, links, fields…).
    fn inlines(&mut self, part: &Part, parent: Node<'r, 'r>, depth: usize) -> R {
        if depth > MAX_DEPTH {
            return Err(too_deep());
        }
        for c in parent.children().filter(Node::is_element) {
            match c.tag_name().name() {
                "r" => self.run(part, c, depth + 1)?,
                "hyperlink" => {
                    let url = c
                        .attributes()
                        .find(|a| {
                            a.name() == "id"
                                && a.namespace().is_some_and(|n| n.contains("relationships"))
                        })
                        .and_then(|a| part.rels.get(a.value()))
                        .filter(|r| r.external || r.kind.ends_with(rel::HYPERLINK))
                        .map(|r| r.target.clone());
                    let url = url.and_then(|u| self.web_link(&u));
                    let saved = self.link.clone();
                    if url.is_some() {
                        self.link = url;
                    }
                    let done = self.inlines(part, c, depth + 1);
                    self.link = saved;
                    done?;
                }
                "fldSimple" => {
                    if self.fields.len() >= MAX_DEPTH {
                        return Err(too_deep());
                    }
                    let instr = attr(c, "instr").unwrap_or("").to_string();
                    let kind = classify(&instr);
                    self.fields.push(OpenField {
                        instr,
                        in_result: true,
                        kind: Some(kind),
                        ..OpenField::default()
                    });
                    self.inlines(part, c, depth + 1)?;
                    if let Some(f) = self.fields.pop() {
                        self.finish_field(f);
                    }
                }
                "ins" | "moveTo" if !self.reject() => self.inlines(part, c, depth + 1)?,
                "del" | "moveFrom" if self.reject() => self.inlines(part, c, depth + 1)?,
                "smartTag" | "customXml" | "dir" | "bdo" => self.inlines(part, c, depth + 1)?,
                "sdt" => {
                    if let Some(content) = child(c, "sdtContent") {
                        self.inlines(part, content, depth + 1)?;
                    }
                }
                "oMath" | "oMathPara" => {
                    self.warn("an equation (Word's equation editor) is not carried over: write it in LaTeX between dollars, `$…$`");
                }
                "commentRangeStart" => {
                    let id = attr(c, "id").unwrap_or("").to_string();
                    let start = self.comment_text.len();
                    self.open_comments
                        .insert(id, (self.place.describe(), start));
                }
                "commentRangeEnd" => {
                    let id = attr(c, "id").unwrap_or("");
                    if let Some((place, start)) = self.open_comments.remove(id) {
                        let words: String = self.comment_text[start..].chars().take(200).collect();
                        self.closed_comments
                            .insert(id.to_string(), CommentRange { place, words });
                        if self.open_comments.is_empty() {
                            self.comment_text.clear();
                        }
                    }
                }
                "subDoc" => {
                    self.warn("a subdocument is not carried over: open it and import it as a chapter of its own");
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The run formatting of a run: its character style, then its own.
    fn fmt(&self, r: Node) -> Fmt {
        let mut rpr = child(r, "rPr");
        if self.reject()
            && let Some(old) = rpr
                .and_then(|p| child(p, "rPrChange"))
                .and_then(|c| child(c, "rPr"))
        {
            rpr = Some(old);
        }
        let mut props = RunProps::default();
        if let Some(rpr) = rpr {
            if let Some(style) = child(rpr, "rStyle").and_then(val) {
                props = self.styles.run(style);
            }
            props = props.then(RunProps::read(rpr));
        }
        Fmt {
            bold: props.bold == Some(true),
            italic: props.italic == Some(true),
            strike: props.strike == Some(true),
            small_caps: props.small_caps == Some(true),
            sup: props.vert == Some(1),
            sub: props.vert == Some(-1),
            link: None,
        }
    }

    fn run(&mut self, part: &Part, r: Node<'r, 'r>, depth: usize) -> R {
        // A heading's number in Pandoc's (and ouvrage's) `SectionNumber`
        // style: the book numbers its sections itself.
        if child(r, "rPr")
            .and_then(|p| child(p, "rStyle"))
            .and_then(val)
            == Some("SectionNumber")
        {
            return Ok(());
        }
        let fmt = self.fmt(r);
        self.run_content(part, r, &fmt, depth)
    }

    /// The content of a run (or of an alternate content's choice inside
    /// one).
    fn run_content(&mut self, part: &Part, r: Node<'r, 'r>, fmt: &Fmt, depth: usize) -> R {
        if depth > MAX_DEPTH {
            return Err(too_deep());
        }
        for c in r.children().filter(Node::is_element) {
            match c.tag_name().name() {
                "t" | "delText" => self.text(c.text().unwrap_or(""), fmt),
                "instrText" | "delInstrText" => {
                    if let Some(f) = self.fields.last_mut()
                        && !f.in_result
                    {
                        f.instr.push_str(c.text().unwrap_or(""));
                    }
                }
                "fldChar" => match attr(c, "fldCharType") {
                    Some("begin") => {
                        if self.fields.len() >= MAX_DEPTH {
                            return Err(too_deep());
                        }
                        self.fields.push(OpenField::default());
                    }
                    Some("separate") => {
                        if let Some(f) = self.fields.last_mut() {
                            f.in_result = true;
                            f.kind = Some(classify(&f.instr));
                        }
                    }
                    Some("end") => {
                        if let Some(f) = self.fields.pop() {
                            self.finish_field(f);
                        }
                    }
                    _ => {}
                },
                "tab" | "ptab" => self.text(" ", fmt),
                // Page and column breaks are the layout's.
                "br" if !matches!(attr(c, "type"), Some("page" | "column")) => {
                    self.push(Piece::Break)
                }
                "cr" => self.push(Piece::Break),
                "noBreakHyphen" => self.text("\u{2011}", fmt),
                "softHyphen" => self.text("\u{ad}", fmt),
                "sym" => {
                    let code = attr(c, "char").and_then(|h| u32::from_str_radix(h, 16).ok());
                    match code.and_then(char::from_u32) {
                        Some(ch)
                            if !(0xF000..=0xF0FF).contains(&(ch as u32)) && !ch.is_control() =>
                        {
                            self.text(&ch.to_string(), fmt)
                        }
                        _ => {
                            let font = attr(c, "font").unwrap_or("a symbol font");
                            self.warn(format!("a symbol of the font {font} (code {}) is not carried over: type the character itself", attr(c, "char").unwrap_or("?")));
                        }
                    }
                }
                "footnoteReference" => self.note_ref(NoteKind::Footnote, attr(c, "id")),
                "endnoteReference" => self.note_ref(NoteKind::Endnote, attr(c, "id")),
                "commentReference" => {
                    if let Some(id) = attr(c, "id") {
                        self.comment_places
                            .entry(id.to_string())
                            .or_insert_with(|| self.place.describe());
                    }
                }
                "drawing" => self.drawing(part, c, depth + 1)?,
                "pict" => self.pict(part, c, depth + 1)?,
                "object" => {
                    self.warn("an embedded object (OLE: a spreadsheet, an equation of the old editor…) is not carried over: paste it as a picture or as text");
                }
                "AlternateContent" => {
                    if let Some(choice) = child(c, "Choice") {
                        self.run_content(part, choice, fmt, depth + 1)?;
                    }
                }
                "ruby" => {
                    if let Some(base) = child(c, "rubyBase") {
                        for r in base.children().filter(|n| n.has_tag_name_local("r")) {
                            self.run(part, r, depth + 1)?;
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn note_ref(&mut self, kind: NoteKind, id: Option<&str>) {
        let Some(id) = id else { return };
        if !self.note_nodes.contains_key(&(kind, id.to_string())) {
            self.warn("a note whose text the document does not hold is left out");
            return;
        }
        let next = self.note_order.len() as u32 + 1;
        let number = *self
            .note_numbers
            .entry((kind, id.to_string()))
            .or_insert(next);
        if number == next {
            self.note_order.push((kind, id.to_string(), number));
        }
        self.push(Piece::Note(number));
    }

    /// A link's address if it is one the book can link to (a web or
    /// mail address); a link to a file of the author's computer or next
    /// to the document stays text, with a warning.
    fn web_link(&mut self, url: &str) -> Option<String> {
        let url = url.trim();
        let scheme = url
            .split_once(':')
            .map(|(s, _)| s.to_ascii_lowercase())
            .filter(|s| crate::url::has_scheme(url) && s.len() > 1);
        match scheme.as_deref() {
            Some("http" | "https" | "mailto" | "ftp" | "tel") => Some(url.to_string()),
            _ => {
                self.warn(format!(
                    "a link to “{url}” (a file, not a web address) stays as its text"
                ));
                None
            }
        }
    }

    /// What a field ends as, in the text around it.
    fn finish_field(&mut self, f: OpenField) {
        // Inside a table of contents (its page references, its links):
        // nothing, and nothing to say.
        if self.fields.iter().any(OpenField::suppressing) {
            return;
        }
        let kind = match f.kind.clone().unwrap_or_else(|| classify(&f.instr)) {
            FieldKind::Hyperlink(Some(url)) => FieldKind::Hyperlink(self.web_link(&url)),
            kind => kind,
        };
        let shown = plain(&f.result).trim().to_string();
        match kind {
            FieldKind::Hyperlink(Some(url)) => {
                for piece in f.result {
                    let piece = match piece {
                        Piece::Text(t, fmt) if fmt.link.is_none() => Piece::Text(
                            t,
                            Fmt {
                                link: Some(url.clone()),
                                ..fmt
                            },
                        ),
                        Piece::Image {
                            src,
                            alt,
                            link: None,
                        } => Piece::Image {
                            src,
                            alt,
                            link: Some(url.clone()),
                        },
                        p => p,
                    };
                    self.push(piece);
                }
            }
            FieldKind::Hyperlink(None) | FieldKind::Empty => {
                for p in f.result {
                    self.push(p);
                }
            }
            FieldKind::Seq => {
                let fmt = f
                    .result
                    .iter()
                    .find_map(|p| match p {
                        Piece::Text(_, fmt) => Some(fmt.clone()),
                        _ => None,
                    })
                    .unwrap_or_default();
                self.push(Piece::Seq(shown, fmt));
            }
            FieldKind::Citation(json) => match citation(&json, self.works) {
                Cited::Markdown(md) => {
                    self.citations += 1;
                    self.push(Piece::Markdown(md));
                }
                Cited::Unmatched(items) => {
                    let why = if self.works.is_empty() {
                        "the book has no bibliography to find its works in".to_string()
                    } else {
                        format!(
                            "{} {} not in the book's bibliography (matched by DOI or title)",
                            items.join(", "),
                            if items.len() == 1 { "is" } else { "are" }
                        )
                    };
                    self.warn(format!("the citation “{shown}” stays text: {why}"));
                    for p in f.result {
                        self.push(p);
                    }
                }
                Cited::Unreadable => {
                    self.warn(format!(
                        "the citation “{shown}” stays text: its reference manager's data cannot be read"
                    ));
                    for p in f.result {
                        self.push(p);
                    }
                }
            },
            FieldKind::OtherCitation(tool) => {
                self.warn(format!(
                    "the {tool} citation “{shown}” stays text: only Zotero's and Mendeley's citations are read"
                ));
                for p in f.result {
                    self.push(p);
                }
            }
            FieldKind::Bibliography => {
                self.notes.insert("the bibliography a reference manager wrote into the document is left out: the book prints each chapter's reference list".to_string());
            }
            FieldKind::Generated(what) => {
                self.notes.insert(format!(
                    "the document's {what} is left out: the book makes its own"
                ));
            }
            FieldKind::Entry => {
                self.notes
                    .insert("index and contents entries (XE, TC fields) are left out".to_string());
            }
            FieldKind::CrossRef => {
                if !shown.is_empty() {
                    self.warn(format!(
                        "a cross-reference stays as the text it shows (“{shown}”): write `@fig:…`, `@tbl:…` or `@sec:…` to make it live"
                    ));
                }
                for p in f.result {
                    self.push(p);
                }
            }
            FieldKind::Other(name) => {
                self.warn(format!(
                    "a {name} field stays as the text it shows (“{shown}”)"
                ));
                for p in f.result {
                    self.push(p);
                }
            }
        }
    }

    /// Each note's blocks, in the order the text refers to them.
    pub fn read_notes(&mut self, parts: &HashMap<NoteKind, Part>) -> R<Vec<(u32, Vec<Block>)>> {
        let mut out = Vec::new();
        let order = self.note_order.clone();
        for (kind, id, n) in order {
            let Some(node) = self.note_nodes.get(&(kind, id.clone())).copied() else {
                continue;
            };
            let Some(part) = parts.get(&kind) else {
                continue;
            };
            self.place = Where::Note(kind, n, first_words(&text_of(node)));
            self.fields.clear();
            let mut blocks = Vec::new();
            self.blocks(part, node, &mut blocks, 1)?;
            out.push((n, blocks));
        }
        Ok(out)
    }

    /// Each comment as a warning at its place, with the words it is about.
    pub fn report_comments(&mut self) {
        for (id, author, text) in std::mem::take(&mut self.comments) {
            let range = self.closed_comments.remove(&id);
            let place = range
                .as_ref()
                .map(|r| r.place.clone())
                .or_else(|| self.comment_places.get(&id).cloned())
                .unwrap_or_else(|| "the document".to_string());
            let on = range
                .map(|r| first_words(&r.words))
                .filter(|w| !w.is_empty())
                .map(|w| format!(" on “{w}”"))
                .unwrap_or_default();
            let by = if author.is_empty() {
                String::new()
            } else {
                format!(" by {author}")
            };
            self.warnings.push(Diagnostic::warning_in(
                None,
                format!("{place}: comment{by}{on}: “{}”", first_words(&text)),
            ));
        }
    }
}

/// The tracked changes of a part (insertions, deletions, moves,
/// formatting changes), counted.
pub fn count_changes(doc: &roxmltree::Document) -> usize {
    doc.descendants()
        .filter(|n| {
            n.is_element()
                && n.tag_name().namespace().is_some_and(|ns| {
                    ns.contains("wordprocessingml") || ns.contains("purl.oclc.org")
                })
                && matches!(
                    n.tag_name().name(),
                    "ins"
                        | "del"
                        | "moveFrom"
                        | "moveTo"
                        | "rPrChange"
                        | "pPrChange"
                        | "sectPrChange"
                        | "tblPrChange"
                        | "trPrChange"
                        | "tcPrChange"
                        | "tblGridChange"
                        | "numberingChange"
                        | "cellIns"
                        | "cellDel"
                        | "cellMerge"
                )
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_words_are_short() {
        assert_eq!(first_words("  Un  deux trois "), "Un deux trois");
        let long = "mot ".repeat(40);
        assert!(first_words(&long).ends_with('…'));
        assert!(first_words(&"x".repeat(200)).chars().count() <= 61);
    }
}
