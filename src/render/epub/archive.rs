//! The EPUB's zip (OCF): `mimetype` first, stored (uncompressed) and with
//! no extra field, so that a reader can recognise the file by its first
//! bytes; every other file deflated. Entries are written in the order given,
//! each stamped with the document date (not the clock), Unix permissions
//! 0644 and no extra field: the same files give the same bytes.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::date::DocDate;

/// The content of `mimetype`.
pub const MIMETYPE: &str = "application/epub+zip";

/// The zip of `files` (path in the zip, bytes), `mimetype` first.
pub fn write(
    files: &[(String, Vec<u8>)],
    date: Option<DocDate>,
) -> zip::result::ZipResult<Vec<u8>> {
    zip_of(Some(("mimetype", MIMETYPE.as_bytes())), files, date)
}

/// The zip of `files` in their order, after `stored` (written uncompressed)
/// when given: every entry stamped with `date` (the DOCX's zip too).
pub fn zip_of(
    stored: Option<(&str, &[u8])>,
    files: &[(String, Vec<u8>)],
    date: Option<DocDate>,
) -> zip::result::ZipResult<Vec<u8>> {
    let stamp = date
        .and_then(|d| {
            // DOS times span 1980 to 2107.
            let year = d.year.clamp(1980, 2107) as u16;
            DateTime::from_date_and_time(year, d.month, d.day, d.hour, d.minute, d.second).ok()
        })
        .unwrap_or_default();
    let stored_options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .last_modified_time(stamp)
        .system(zip::System::Unix)
        .unix_permissions(0o644);
    let deflated = stored_options
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(9));
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    if let Some((name, bytes)) = stored {
        zip.start_file(name, stored_options)?;
        zip.write_all(bytes)?;
    }
    for (name, bytes) in files {
        zip.start_file(name.as_str(), deflated)?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}
