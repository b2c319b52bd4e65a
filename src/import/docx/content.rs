//! The document as the reader leaves it and the writer takes it: blocks
//! (paragraphs with what their style made them, tables) holding pieces of
//! inline content with their formatting. Nothing here knows XML or
//! Markdown syntax.

/// The formatting of a piece of text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fmt {
    /// Bold.
    pub bold: bool,
    /// Italic.
    pub italic: bool,
    /// Struck through.
    pub strike: bool,
    /// Small capitals.
    pub small_caps: bool,
    /// Superscript.
    pub sup: bool,
    /// Subscript.
    pub sub: bool,
    /// The address the text links to.
    pub link: Option<String>,
}

/// A piece of inline content.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    /// Text, as characters (never Markdown).
    Text(String, Fmt),
    /// A line break inside the paragraph.
    Break,
    /// A reference to the note of this number.
    Note(u32),
    /// An image of the chapter: its path from the chapter file, its
    /// description, and the address it links to.
    Image {
        /// `images/<id>/<name>`.
        src: String,
        /// Word's alternative text.
        alt: String,
        /// A link around the image.
        link: Option<String>,
    },
    /// Markdown written by the reader itself (a citation `[@key]`).
    Markdown(String),
    /// The number a `SEQ` field printed (a caption's "Figure 2"), kept as
    /// text unless it opens a caption.
    Seq(String, Fmt),
}

impl Piece {
    /// The piece's text, for messages and comparisons.
    pub fn plain(&self) -> &str {
        match self {
            Piece::Text(t, _) | Piece::Seq(t, _) | Piece::Markdown(t) => t,
            Piece::Break => " ",
            Piece::Image { alt, .. } => alt,
            Piece::Note(_) => "",
        }
    }
}

/// The plain text of pieces.
pub fn plain(pieces: &[Piece]) -> String {
    pieces.iter().map(Piece::plain).collect()
}

/// What a paragraph is.
#[derive(Debug, Clone, PartialEq)]
pub enum ParaKind {
    /// A body paragraph.
    Body,
    /// The document's title.
    Title,
    /// A heading, level 1–9 as Word counts them.
    Heading(u8),
    /// A caption.
    Caption,
    /// A paragraph of a block quote.
    Quote,
    /// A list item.
    Item {
        /// Numbered rather than bulleted.
        ordered: bool,
        /// Its number, when numbered.
        number: u32,
        /// Word's list instance, so that two lists in a row stay two.
        list: String,
        /// Its nesting level (Word's `w:ilvl`, from 0).
        level: u8,
    },
}

/// A block of the document.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A paragraph.
    Para {
        /// What it is.
        kind: ParaKind,
        /// Its content.
        pieces: Vec<Piece>,
    },
    /// A table: rows of cells, each cell's pieces (its paragraphs joined).
    Table {
        /// The rows, the first being the header.
        rows: Vec<Vec<Vec<Piece>>>,
    },
}
