//! Configuration as the user wrote it: book.toml, contributors.toml and the
//! chapters' front matter, read into spanned trees and validated with one
//! diagnostic per fault.

pub mod book;
pub mod chapter;
pub mod contributors;
pub mod edit;
pub mod print;
pub mod quote;
pub mod read;
pub mod value;

pub use book::{
    BookConfig, CodeOverflow, IndexConfig, MarkdownConfig, MathSyntax, MetadataConfig,
    PdfCitations, PdfColour, RawHtml, isbn13,
};
pub use chapter::ChapterConfig;
pub use contributors::{Contributor, Contributors, Role};
