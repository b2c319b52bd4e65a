//! What a print shop asks of book.toml: `[pdf] bleed` and `crop-marks`,
//! and the `[cover]` table of the wraparound cover (`build --cover`).
//! Input: the `[pdf]` and `[cover]` entries; output: [`PrintConfig`] and
//! [`CoverConfig`], with every fault at its book.toml line.

use super::read::{Entries, Reader};
use crate::diag::{Diagnostic, Spanned};

/// The largest bleed accepted: printers ask for 3 to 5 mm, and a bleed
/// this wide is a unit written wrong ("3cm" for "3mm").
pub const MAX_BLEED_MM: f64 = 20.0;

/// How far outside the trim the crop marks start when the bleed is
/// narrower (they must never print on the bleed's artwork).
pub const CROP_OFFSET_MM: f64 = 3.0;

/// How long each crop mark is.
pub const CROP_LENGTH_MM: f64 = 5.0;

/// `[pdf] bleed` and `crop-marks`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PrintConfig {
    /// The bleed on every side, in millimetres (0: none).
    pub bleed_mm: f64,
    /// Whether crop marks are drawn outside the trim.
    pub crop_marks: bool,
}

impl PrintConfig {
    /// How far the crop marks start from the trim: at the bleed's edge, and
    /// at least [`CROP_OFFSET_MM`] away.
    pub fn crop_offset_mm(&self) -> f64 {
        self.bleed_mm.max(CROP_OFFSET_MM)
    }

    /// How much the page grows on every side beyond the trim: the bleed,
    /// or the crop marks' reach when they are drawn. Typst's `page(bleed:)`
    /// is this much, so that the TrimBox is the trimmed page.
    pub fn margin_mm(&self) -> f64 {
        if self.crop_marks {
            self.crop_offset_mm() + CROP_LENGTH_MM
        } else {
            self.bleed_mm
        }
    }
}

/// A named paper and its caliper (the thickness of one leaf, two pages),
/// for the spine: typical values of book papers; the printer's own figure,
/// given as `paper-thickness`, is always better.
pub const PAPERS: &[(&str, f64, &str)] = &[
    ("offset-70", 0.090, "uncoated offset, 70 g/m²"),
    ("offset-80", 0.100, "uncoated offset, 80 g/m²"),
    ("offset-90", 0.112, "uncoated offset, 90 g/m²"),
    ("bulky-80", 0.130, "bulky (high-volume) book paper, 80 g/m²"),
    ("coated-115", 0.095, "coated (silk or gloss), 115 g/m²"),
];

/// `[cover]`: the wraparound cover of `build --cover`.
#[derive(Debug, Clone, Default)]
pub struct CoverConfig {
    /// The thickness of one leaf, in millimetres, from `paper-thickness` or
    /// a named `paper`.
    pub leaf_mm: Option<Spanned<f64>>,
    /// The back cover's text, Markdown.
    pub back: Option<Spanned<String>>,
    /// The front cover's image, relative to the book's root.
    pub image: Option<Spanned<String>>,
}

/// The keys of `[cover]`.
pub const COVER_KEYS: &[&str] = &["paper-thickness", "paper", "back", "image"];

/// A length in an absolute unit (mm, cm, in, pt) in millimetres.
pub fn absolute_mm(length: &str) -> Option<f64> {
    let end = length
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(length.len());
    let (number, unit) = length.split_at(end);
    let n: f64 = number.parse().ok()?;
    let per = match unit {
        "mm" => 1.0,
        "cm" => 10.0,
        "in" => 25.4,
        "pt" => 25.4 / 72.0,
        _ => return None,
    };
    Some(n * per)
}

/// A length key that must be absolute: its value in millimetres, or an
/// error at its line.
fn absolute(r: &mut Reader<'_>, table: &Entries, key: &str) -> Option<Spanned<f64>> {
    let length = r.length(table, key, "mm")?;
    match absolute_mm(&length.value) {
        Some(mm) => Some(Spanned::new(mm, length.span)),
        None => {
            r.sink.push(
                Diagnostic::error(
                    length.span.clone(),
                    format!("`{key} = \"{}\"` is not a printed length", length.value),
                )
                .hint("use mm, cm, in or pt: the print shop measures paper, not the text"),
            );
            None
        }
    }
}

/// `[pdf] bleed` and `crop-marks`.
pub fn read_print(r: &mut Reader<'_>, pdf: &Entries) -> PrintConfig {
    let bleed = absolute(r, pdf, "bleed").and_then(|b| {
        if b.value > MAX_BLEED_MM {
            r.sink.push(
                Diagnostic::error(
                    b.span.clone(),
                    format!(
                        "a bleed of {:.1} mm is wider than any print shop asks",
                        b.value
                    ),
                )
                .hint(format!(
                    "printers ask for 3 to 5 mm (`bleed = \"3mm\"`); at most {MAX_BLEED_MM} mm is accepted"
                )),
            );
            None
        } else {
            Some(b.value)
        }
    });
    PrintConfig {
        bleed_mm: bleed.unwrap_or(0.0),
        crop_marks: r.boolean(pdf, "crop-marks").unwrap_or(false),
    }
}

/// `[cover]`: the leaf's thickness (given, or a named paper, never both),
/// the back text and the front image.
pub fn read_cover(r: &mut Reader<'_>, cover: &Entries) -> CoverConfig {
    let thickness = absolute(r, cover, "paper-thickness");
    if let Some(t) = &thickness
        && t.value > 1.0
    {
        r.sink.push(
            Diagnostic::error(
                t.span.clone(),
                format!("a leaf {:.2} mm thick is board, not paper", t.value),
            )
            .hint("give the thickness of one leaf (two pages), e.g. `paper-thickness = \"0.1mm\"`"),
        );
    }
    let paper = r.string(cover, "paper");
    let named = paper.as_ref().and_then(|p| {
        let found = PAPERS.iter().find(|(name, _, _)| *name == p.value);
        if found.is_none() {
            let names: Vec<&str> = PAPERS.iter().map(|(n, _, _)| *n).collect();
            r.sink.push(
                Diagnostic::error(
                    p.span.clone(),
                    format!("`{}` is not a paper ouvrage knows", p.value),
                )
                .suggest(&p.value, names.iter().copied())
                .hint(format!(
                    "use one of {}, or give the printer's figure as `paper-thickness = \"0.1mm\"`",
                    names.join(", ")
                )),
            );
        }
        found.map(|(_, mm, _)| Spanned::new(*mm, p.span.clone()))
    });
    if let (Some(t), Some(p)) = (&thickness, &paper) {
        r.sink.push(
            Diagnostic::error(
                t.span.clone(),
                format!(
                    "`paper-thickness` and `paper = \"{}\"` both give the spine's paper",
                    p.value
                ),
            )
            .hint("keep one of them"),
        );
    }
    CoverConfig {
        leaf_mm: thickness.filter(|t| t.value <= 1.0).or(named),
        back: r.string(cover, "back"),
        image: r.string(cover, "image"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_lengths_in_millimetres() {
        assert_eq!(absolute_mm("3mm"), Some(3.0));
        assert_eq!(absolute_mm("0.5cm"), Some(5.0));
        assert_eq!(absolute_mm("1in"), Some(25.4));
        assert!((absolute_mm("72pt").unwrap() - 25.4).abs() < 1e-9);
        for relative in ["3em", "50%", "3", "3px"] {
            assert_eq!(absolute_mm(relative), None, "{relative}");
        }
    }

    #[test]
    fn crop_marks_reach_past_the_bleed() {
        let bleed = PrintConfig {
            bleed_mm: 3.0,
            crop_marks: false,
        };
        assert_eq!(bleed.margin_mm(), 3.0);
        let marks = PrintConfig {
            crop_marks: true,
            ..bleed
        };
        assert_eq!(marks.margin_mm(), 8.0);
        let wide = PrintConfig {
            bleed_mm: 5.0,
            crop_marks: true,
        };
        assert_eq!(wide.crop_offset_mm(), 5.0);
        assert_eq!(wide.margin_mm(), 10.0);
    }
}
