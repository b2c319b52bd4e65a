//! The document date: `SOURCE_DATE_EPOCH`, else the last commit's time, else
//! the newest modification time of the book's files. Never the clock, so
//! that the same input gives a byte-identical PDF.

use std::path::Path;

pub use crate::date::DocDate;

/// A date as Typst's datetime.
pub fn to_typst(date: DocDate) -> Option<typst::foundations::Datetime> {
    typst::foundations::Datetime::from_ymd_hms(
        date.year,
        date.month,
        date.day,
        date.hour,
        date.minute,
        date.second,
    )
}

/// The document date of the book at `root`, whose files are `files`.
pub fn document_date(
    root: &Path,
    files: impl IntoIterator<Item = std::path::PathBuf>,
) -> Option<DocDate> {
    if let Some(secs) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
    {
        return Some(DocDate::from_unix(secs));
    }
    if let Some(secs) = crate::git::head_commit_time(root) {
        return Some(DocDate::from_unix(secs));
    }
    files
        .into_iter()
        .filter_map(|f| std::fs::metadata(root.join(f)).ok()?.modified().ok())
        .filter_map(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64)
        .max()
        .map(DocDate::from_unix)
}

/// The document date of `book`: [`document_date`] over its chapters and
/// book.toml.
pub fn book_date(book: &crate::model::Book) -> Option<DocDate> {
    let files = book
        .chapters
        .iter()
        .map(|c| c.path.clone())
        .chain([std::path::PathBuf::from(crate::load::BOOK_FILE)]);
    document_date(&book.root, files)
}
