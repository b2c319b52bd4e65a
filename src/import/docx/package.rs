//! The DOCX package: what kind of file the bytes are, and its parts read
//! from the zip under limits.
//!
//! Input: the file's bytes. Output: a [`Package`] that hands out the XML
//! parts of the document (found through the package's relationships, as
//! Word finds them) and the bytes of its images; or an error that says
//! what the file is when it is no DOCX (a Word 97–2003 `.doc`, a
//! password-protected document, an OpenDocument text, an RTF file, a
//! spreadsheet…) and what to do. Every read is capped (entries, bytes per
//! part, bytes in all, XML nodes), so that a zip bomb or a hostile part is
//! an error, never memory exhausted or a panic.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use crate::diag::Diagnostic;

/// The largest file read at all.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;
/// The most entries a package may hold (Word's own hold a few dozen).
pub const MAX_ENTRIES: usize = 10_000;
/// The largest part once decompressed (an XML part or an image).
pub const MAX_PART_BYTES: u64 = 64 * 1024 * 1024;
/// The most bytes decompressed from one package, all parts together.
pub const MAX_TOTAL_BYTES: u64 = 512 * 1024 * 1024;
/// The most XML nodes in one part (a 300-page thesis has about a million).
pub const MAX_XML_NODES: u32 = 8_000_000;

/// The relationship types the reader follows (the end of the type URI,
/// the same in transitional and strict OOXML).
pub mod rel {
    /// The main document (`_rels/.rels`).
    pub const OFFICE_DOCUMENT: &str = "/officeDocument";
    /// The core properties (title).
    pub const CORE: &str = "/core-properties";
    /// Styles.
    pub const STYLES: &str = "/styles";
    /// Numbering (lists).
    pub const NUMBERING: &str = "/numbering";
    /// Footnotes.
    pub const FOOTNOTES: &str = "/footnotes";
    /// Endnotes.
    pub const ENDNOTES: &str = "/endnotes";
    /// Comments.
    pub const COMMENTS: &str = "/comments";
    /// A hyperlink.
    pub const HYPERLINK: &str = "/hyperlink";
}

/// One relationship of a part: its type, its target, and whether the
/// target is outside the package (a web address, a linked file).
#[derive(Debug, Clone)]
pub struct Relationship {
    /// The type URI.
    pub kind: String,
    /// The target as written.
    pub target: String,
    /// `TargetMode="External"`.
    pub external: bool,
}

/// The relationships of one part, by id.
pub type Relationships = HashMap<String, Relationship>;

/// An opened DOCX package.
pub struct Package {
    zip: zip::ZipArchive<Cursor<Vec<u8>>>,
    /// Entry names by their lowercase form: OPC part names are
    /// case-insensitive.
    names: HashMap<String, String>,
    /// Bytes decompressed so far.
    total: u64,
    /// The main document part's name (`word/document.xml`).
    pub main: String,
}

/// An error about the file as a whole (its path is set by the caller).
fn error(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error_in(None, message)
}

const SAVE_AS_DOCX: &str =
    "open it in Word or LibreOffice and save it as a Word document (.docx), then import that file";

/// The magic number of an OLE compound file (Word 97–2003, and the
/// envelope of a password-protected OOXML document).
const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Says what a file that is not a zip is, from its first bytes.
fn not_a_zip(bytes: &[u8]) -> Diagnostic {
    if bytes.starts_with(&OLE_MAGIC) {
        // An encrypted OOXML document is an OLE file whose directory names
        // the stream `EncryptedPackage` (UTF-16LE, as every OLE name).
        let name: Vec<u8> = "EncryptedPackage"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        if bytes.windows(name.len()).any(|w| w == name.as_slice()) {
            return error("this document is protected by a password (it is encrypted)")
                .hint("open it in Word or LibreOffice, remove the password (File › Info › Protect Document › Encrypt with Password, clear it), save it as .docx and import that file");
        }
        return error(
            "this is a Word 97–2003 document (.doc) or another older Office file, not a DOCX",
        )
        .hint(SAVE_AS_DOCX);
    }
    if bytes.starts_with(b"{\\rtf") {
        return error("this is an RTF file, not a DOCX").hint(SAVE_AS_DOCX);
    }
    if bytes.is_empty() {
        return error("this file is empty")
            .hint("export the document from Word or LibreOffice again");
    }
    error("this file is not a DOCX document (it is not even a zip archive)").hint(
        "check that you gave the right file; a DOCX is what Word and LibreOffice write as `.docx`",
    )
}

impl Package {
    /// Opens the package: a zip with a main document part that is a
    /// WordprocessingML document. Any other file is an error saying what
    /// it is.
    pub fn open(bytes: Vec<u8>) -> Result<Package, Diagnostic> {
        if !bytes.starts_with(b"PK") {
            return Err(not_a_zip(&bytes));
        }
        let zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
            error(format!(
                "this DOCX file is damaged: its zip archive cannot be read ({e})"
            ))
            .hint("it may be truncated or only partly downloaded: copy or export it again")
        })?;
        if zip.len() > MAX_ENTRIES {
            return Err(error(format!(
                "this file holds {} entries, more than a document ever has ({MAX_ENTRIES} at most): it is refused",
                zip.len()
            )));
        }
        let mut names = HashMap::new();
        for name in zip.file_names() {
            let Ok(name) = name else { continue };
            names.insert(name.to_lowercase(), name.to_string());
        }
        let mut package = Package {
            zip,
            names,
            total: 0,
            main: String::new(),
        };
        package.main = package.find_main()?;
        Ok(package)
    }

    /// The main document part, from the package relationships (or Word's
    /// usual name when they are missing); an OpenDocument file, a
    /// spreadsheet or a presentation is named as such.
    fn find_main(&mut self) -> Result<String, Diagnostic> {
        if self.has("mimetype") {
            let mime = self.read("mimetype").unwrap_or_default();
            let mime = String::from_utf8_lossy(&mime);
            if mime.starts_with("application/vnd.oasis.opendocument") {
                return Err(error(format!(
                    "this is an OpenDocument file ({}), not a DOCX",
                    mime.trim()
                ))
                .hint("open it in LibreOffice and save it as Word 2007–365 (.docx), then import that file"));
            }
        }
        let rels = self.relationships("")?;
        let main = rels
            .values()
            .find(|r| r.kind.ends_with(rel::OFFICE_DOCUMENT) && !r.external)
            .map(|r| resolve("", &r.target))
            .unwrap_or_else(|| "word/document.xml".to_string());
        if self.has(&main) && main.starts_with("word/") {
            return Ok(main);
        }
        let kind = if self.has("xl/workbook.xml") {
            Some("a spreadsheet (XLSX)")
        } else if self.has("ppt/presentation.xml") {
            Some("a presentation (PPTX)")
        } else if self.has("meta-inf/container.xml") {
            Some("an EPUB")
        } else {
            None
        };
        Err(match kind {
            Some(kind) => error(format!("this is {kind}, not a Word document")),
            None => error("this zip archive holds no Word document (no word/document.xml)")
                .hint("check that you gave the right file; a DOCX is what Word and LibreOffice write as `.docx`"),
        })
    }

    /// Whether the package has a part of this name.
    pub fn has(&self, name: &str) -> bool {
        self.names.contains_key(&name.to_lowercase())
    }

    /// The bytes of a part, decompressed under the limits.
    pub fn read(&mut self, name: &str) -> Result<Vec<u8>, Diagnostic> {
        let Some(real) = self.names.get(&name.to_lowercase()).cloned() else {
            return Err(error(format!("the document has no part `{name}`")));
        };
        let damaged = |e: &dyn std::fmt::Display| {
            error(format!(
                "this DOCX file is damaged: its part `{real}` cannot be read ({e})"
            ))
            .hint("it may be truncated or only partly downloaded: copy or export it again")
        };
        let file = self.zip.by_name(&real).map_err(|e| {
            if matches!(e, zip::result::ZipError::UnsupportedArchive(m) if m.contains("Password")) {
                error("this document's zip archive is encrypted").hint(SAVE_AS_DOCX)
            } else {
                damaged(&e)
            }
        })?;
        let budget = MAX_PART_BYTES.min(MAX_TOTAL_BYTES.saturating_sub(self.total));
        let mut bytes = Vec::new();
        file.take(budget + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| damaged(&e))?;
        if bytes.len() as u64 > budget {
            return Err(error(format!(
                "the part `{real}` decompresses to more than {} MiB: the file is refused (a document this size is not plausible; it may be a zip bomb)",
                budget / (1024 * 1024)
            )));
        }
        self.total += bytes.len() as u64;
        Ok(bytes)
    }

    /// A part's text, when it exists: UTF-8 (or UTF-16 with its byte order
    /// mark, which the XML standard allows).
    pub fn text(&mut self, name: &str) -> Result<Option<String>, Diagnostic> {
        if !self.has(name) {
            return Ok(None);
        }
        let bytes = self.read(name)?;
        decode(&bytes).map(Some).ok_or_else(|| {
            error(format!(
                "the part `{name}` is not UTF-8 or UTF-16 text: the file is damaged"
            ))
        })
    }

    /// The relationships of the part `name` (`""` for the package's own).
    pub fn relationships(&mut self, name: &str) -> Result<Relationships, Diagnostic> {
        let rels_name = rels_path(name);
        let Some(text) = self.text(&rels_name)? else {
            return Ok(Relationships::new());
        };
        let doc = parse_xml(&rels_name, &text)?;
        let mut out = Relationships::new();
        for node in doc
            .descendants()
            .filter(|n| n.has_tag_name_local("Relationship"))
        {
            let (Some(id), Some(target)) = (node.attribute("Id"), node.attribute("Target")) else {
                continue;
            };
            out.insert(
                id.to_string(),
                Relationship {
                    kind: node.attribute("Type").unwrap_or("").to_string(),
                    target: target.to_string(),
                    external: node
                        .attribute("TargetMode")
                        .is_some_and(|m| m.eq_ignore_ascii_case("External")),
                },
            );
        }
        Ok(out)
    }
}

/// The text of a part's bytes.
fn decode(bytes: &[u8]) -> Option<String> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8(rest.to_vec()).ok();
    }
    let utf16 = |rest: &[u8], le: bool| {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16(&units).ok()
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, false);
    }
    String::from_utf8(bytes.to_vec()).ok()
}

/// `word/document.xml` → `word/_rels/document.xml.rels`; `""` →
/// `_rels/.rels`.
fn rels_path(name: &str) -> String {
    match name.rsplit_once('/') {
        Some((dir, file)) => format!("{dir}/_rels/{file}.rels"),
        None if name.is_empty() => "_rels/.rels".to_string(),
        None => format!("_rels/{name}.rels"),
    }
}

/// A relationship's target as a part name, from the part `from` that
/// holds it: relative to that part's folder, or absolute (`/word/x`);
/// `..` segments resolved, never above the package's root.
pub fn resolve(from: &str, target: &str) -> String {
    let target = target.split(['#', '?']).next().unwrap_or("");
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        let dir = from.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        dir.split('/').filter(|s| !s.is_empty()).collect()
    };
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    // Part names are written percent-encoded in relationships.
    crate::url::decode(&joined).unwrap_or(joined)
}

/// Parses an XML part, without DTDs (so no entity is ever expanded) and
/// under a node limit.
pub fn parse_xml<'a>(name: &str, text: &'a str) -> Result<roxmltree::Document<'a>, Diagnostic> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_XML_NODES,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(text, options).map_err(|e| {
        error(format!(
            "this DOCX file is damaged: its part `{name}` is not well-formed XML ({e})"
        ))
        .hint("open it in Word or LibreOffice (which may repair it), save it again and import that file")
    })
}

/// Element names compared by their local part, whatever the namespace:
/// transitional and strict OOXML differ only in their namespaces.
pub trait LocalName {
    /// Whether this is an element with this local name.
    fn has_tag_name_local(&self, local: &str) -> bool;
}

impl LocalName for roxmltree::Node<'_, '_> {
    fn has_tag_name_local(&self, local: &str) -> bool {
        self.is_element() && self.tag_name().name() == local
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_resolve_from_their_part() {
        assert_eq!(
            resolve("word/document.xml", "media/image1.png"),
            "word/media/image1.png"
        );
        assert_eq!(
            resolve("word/document.xml", "/word/media/a.png"),
            "word/media/a.png"
        );
        assert_eq!(resolve("word/document.xml", "../../../x.png"), "x.png");
        assert_eq!(resolve("", "word/document.xml"), "word/document.xml");
        assert_eq!(
            resolve("word/document.xml", "media/image%201.png"),
            "word/media/image 1.png"
        );
        assert_eq!(
            rels_path("word/document.xml"),
            "word/_rels/document.xml.rels"
        );
        assert_eq!(rels_path(""), "_rels/.rels");
    }

    #[test]
    fn files_that_are_no_zip_are_named() {
        let doc = {
            let mut b = OLE_MAGIC.to_vec();
            b.extend([0u8; 600]);
            b
        };
        assert!(not_a_zip(&doc).message.contains("Word 97–2003"));
        let mut enc = doc.clone();
        enc.extend(
            "EncryptedPackage"
                .encode_utf16()
                .flat_map(|u| u.to_le_bytes()),
        );
        assert!(not_a_zip(&enc).message.contains("password"));
        assert!(not_a_zip(b"{\\rtf1 x}").message.contains("RTF"));
        assert!(not_a_zip(b"").message.contains("empty"));
        assert!(not_a_zip(b"hello").message.contains("not a DOCX"));
    }

    #[test]
    fn dtds_are_refused() {
        let xml = "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>";
        assert!(parse_xml("x.xml", xml).is_err());
    }

    #[test]
    fn text_parts_may_be_utf16() {
        let s: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("<a/>".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(decode(&s).as_deref(), Some("<a/>"));
        assert_eq!(decode(&[0xEF, 0xBB, 0xBF, b'x']).as_deref(), Some("x"));
        assert_eq!(decode(&[0xC3]), None);
    }
}
