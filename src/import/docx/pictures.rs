//! Pictures and the drawings around them: a picture of the document made
//! a file of the chapter's image folder (PNG, JPEG, GIF, SVG, WebP, known
//! by their bytes; other formats warned about), a text box holding a
//! picture and its caption (LibreOffice's captioned figure) made that
//! figure, and every other drawing (text boxes, SmartArt, charts, shapes,
//! old VML shapes) a warning at its paragraph.

use std::collections::{HashMap, HashSet};

use roxmltree::Node;

use super::content::{Block, ParaKind, Piece};
use super::package::{LocalName, Package, resolve};
use super::reader::{Part, R, Reader, first_words, text_of};
use super::styles::attr;
use crate::diag::Diagnostic;

/// The images found, each written once under the chapter's image folder.
#[derive(Debug, Default)]
pub struct Images {
    /// `images/<id>`: the folder, from the chapter file.
    pub dir: String,
    by_part: HashMap<String, Result<String, &'static str>>,
    names: HashSet<String>,
    /// File name → bytes, in the order first shown.
    pub files: Vec<(String, Vec<u8>)>,
}

/// An image's format by its first bytes: the extension for the formats
/// the book shows, or the name of one it does not.
fn image_format(bytes: &[u8]) -> Result<&'static str, &'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok("png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok("jpg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Ok("gif")
    } else if bytes.len() > 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Ok("webp")
    } else if bytes.len() > 44 && &bytes[40..44] == b" EMF" {
        Err("EMF")
    } else if bytes.starts_with(&[0xD7, 0xCD, 0xC6, 0x9A]) {
        Err("WMF")
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        Err("TIFF")
    } else if bytes.starts_with(b"BM") {
        Err("BMP")
    } else {
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_lowercase();
        if head.contains("<svg") {
            Ok("svg")
        } else {
            Err("unknown")
        }
    }
}

impl Images {
    /// No image yet, to be written under `dir` (`images/<id>`).
    pub fn new(dir: String) -> Images {
        Images {
            dir,
            ..Images::default()
        }
    }

    /// The path (from the chapter) of the image in the part `name`,
    /// written once; or the format that the book cannot show.
    fn add(
        &mut self,
        package: &mut Package,
        name: &str,
    ) -> Result<Result<String, &'static str>, Diagnostic> {
        if let Some(known) = self.by_part.get(name) {
            return Ok(known.clone());
        }
        let bytes = package.read(name)?;
        let found = match image_format(&bytes) {
            Ok(ext) => {
                let base = name.rsplit('/').next().unwrap_or("image");
                let stem = base.rsplit_once('.').map_or(base, |(s, _)| s);
                let mut clean: String = stem
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                            c.to_ascii_lowercase()
                        } else {
                            '-'
                        }
                    })
                    .collect();
                if clean.is_empty() || clean.starts_with(['-', '_']) {
                    clean.insert_str(0, "image");
                }
                let mut file = format!("{clean}.{ext}");
                let mut n = 2;
                while !self.names.insert(file.clone()) {
                    file = format!("{clean}-{n}.{ext}");
                    n += 1;
                }
                self.files.push((file.clone(), bytes));
                Ok(format!("{}/{file}", self.dir))
            }
            Err(kind) => Err(kind),
        };
        self.by_part.insert(name.to_string(), found.clone());
        Ok(found)
    }
}

impl<'r> Reader<'r> {
    /// The relationship id in an attribute of the relationships
    /// namespace (`r:embed`, `r:id`, `r:link`).
    fn rel_attr<'a>(node: Node<'a, '_>, local: &str) -> Option<&'a str> {
        node.attributes()
            .find(|a| {
                a.name() == local && a.namespace().is_some_and(|n| n.contains("relationships"))
            })
            .map(|a| a.value())
    }

    pub(super) fn drawing(&mut self, part: &Part, d: Node<'r, 'r>, depth: usize) -> R {
        let doc_pr = d.descendants().find(|n| n.has_tag_name_local("docPr"));
        let alt = doc_pr
            .and_then(|p| attr(p, "descr").or_else(|| attr(p, "title")))
            .unwrap_or("")
            .to_string();
        let Some(data) = d
            .descendants()
            .find(|n| n.has_tag_name_local("graphicData"))
        else {
            return Ok(());
        };
        let uri = attr(data, "uri").unwrap_or("");
        if uri.ends_with("/picture") {
            let blip = data.descendants().find(|n| n.has_tag_name_local("blip"));
            let embed = blip.and_then(|b| Self::rel_attr(b, "embed"));
            let linked = blip.and_then(|b| Self::rel_attr(b, "link"));
            return self.image(part, embed.or(linked), alt);
        }
        if let Some(content) = data
            .descendants()
            .find(|n| n.has_tag_name_local("txbxContent"))
        {
            return self.text_box(part, content, depth);
        }
        let what = if uri.contains("diagram") {
            "a SmartArt diagram"
        } else if uri.contains("chart") {
            "a chart"
        } else if uri.contains("wordprocessingGroup") {
            "a group of shapes"
        } else if uri.contains("wordprocessingCanvas") {
            "a drawing canvas"
        } else if uri.contains("ink") {
            "ink (a hand drawing)"
        } else {
            "a shape"
        };
        self.warn(format!(
            "{what} is not carried over: export it as a picture (PNG or SVG) and put the picture in its place"
        ));
        Ok(())
    }

    pub(super) fn pict(&mut self, part: &Part, p: Node<'r, 'r>, depth: usize) -> R {
        if let Some(content) = p
            .descendants()
            .find(|n| n.has_tag_name_local("txbxContent"))
        {
            return self.text_box(part, content, depth);
        }
        if let Some(data) = p.descendants().find(|n| n.has_tag_name_local("imagedata")) {
            let alt = p
                .descendants()
                .find(|n| n.has_tag_name_local("shape"))
                .and_then(|s| attr(s, "alt"))
                .unwrap_or("")
                .to_string();
            return self.image(part, Self::rel_attr(data, "id"), alt);
        }
        self.warn("a drawing (an old Word shape) is not carried over: export it as a picture and put the picture in its place");
        Ok(())
    }

    /// A text box. One that holds a picture and its caption (how
    /// LibreOffice writes a captioned figure) becomes that figure, after
    /// the paragraph; any other is left out, with a warning.
    fn text_box(&mut self, part: &Part, content: Node<'r, 'r>, depth: usize) -> R {
        let words = first_words(&text_of(content));
        let saved_pieces = std::mem::take(&mut self.pieces);
        let saved_fields = std::mem::take(&mut self.fields);
        let saved_link = self.link.take();
        let saved_place = self.place.clone();
        let saved_paragraphs = self.paragraphs;
        let saved_warnings = self.warnings.len();
        let saved_images = self.images.files.len();
        let mut inner = Vec::new();
        let read = self.blocks(part, content, &mut inner, depth + 1);
        self.pieces = saved_pieces;
        self.fields = saved_fields;
        self.link = saved_link;
        self.place = saved_place;
        self.paragraphs = saved_paragraphs;
        read?;
        let figure = !inner.is_empty()
            && inner.iter().all(|b| match b {
                Block::Para { kind, pieces } => {
                    *kind == ParaKind::Caption
                        || pieces.iter().all(|p| match p {
                            Piece::Image { .. } => true,
                            Piece::Text(t, _) => t.trim().is_empty(),
                            _ => false,
                        })
                }
                Block::Table { .. } => false,
            })
            && inner.iter().any(|b| {
                matches!(b, Block::Para { pieces, .. } if pieces.iter().any(|p| matches!(p, Piece::Image { .. })))
            });
        if figure {
            self.floating.extend(inner);
            return Ok(());
        }
        // What was read inside is dropped, with what it said.
        self.warnings.truncate(saved_warnings);
        self.images.files.truncate(saved_images);
        self.images.by_part.retain(|_, v| match v {
            Ok(path) => self
                .images
                .files
                .iter()
                .any(|(f, _)| path.ends_with(&format!("/{f}"))),
            Err(_) => true,
        });
        self.images.names = self.images.files.iter().map(|(f, _)| f.clone()).collect();
        self.warn(if words.is_empty() {
            "a text box is not carried over: move its text into the body of the document".to_string()
        } else {
            format!("a text box (“{words}”) is not carried over: move its text into the body of the document")
        });
        Ok(())
    }

    fn image(&mut self, part: &Part, rid: Option<&str>, alt: String) -> R {
        let Some(found) = rid.and_then(|id| part.rels.get(id)) else {
            self.warn("a picture whose data the document does not hold is left out");
            return Ok(());
        };
        if found.external {
            self.warn(format!(
                "a picture linked to a file outside the document ({}) is not carried over: insert the picture itself",
                found.target
            ));
            return Ok(());
        }
        let name = resolve(&part.name, &found.target);
        if !self.package.has(&name) {
            self.warn("a picture whose data the document does not hold is left out");
            return Ok(());
        }
        match self.images.add(self.package, &name)? {
            Ok(src) => {
                let link = self.link.clone();
                self.push(Piece::Image { src, alt, link });
            }
            Err(kind) => {
                self.warn(format!(
                    "a picture in a format the book cannot show ({kind}) is not carried over: save it as PNG, JPEG or SVG and insert that"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_their_bytes() {
        assert_eq!(image_format(b"\x89PNG\r\n\x1a\nxxxx"), Ok("png"));
        assert_eq!(image_format(&[0xFF, 0xD8, 0xFF, 0xE0]), Ok("jpg"));
        assert_eq!(
            image_format(b"<?xml version='1.0'?><svg xmlns='x'/>"),
            Ok("svg")
        );
        assert_eq!(image_format(&[0xD7, 0xCD, 0xC6, 0x9A, 0]), Err("WMF"));
        assert_eq!(image_format(b"II*\0abc"), Err("TIFF"));
    }
}
