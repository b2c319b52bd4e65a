//! LaTeX math → MathML, for the site and the EPUB.
//!
//! The conversion is math-core's: MathML Core, which browsers and EPUB
//! readers lay out natively (no script, no font from elsewhere). Its output
//! is well-formed XML with text escaped, the `<math>` element in the MathML
//! namespace and the LaTeX kept in `<annotation encoding="application/x-tex">`
//! for accessibility. Before it is used, the markup is checked once more:
//! only MathML elements (and the few HTML text styles math-core puts inside
//! `<mtext>`), and no attribute that could load or run anything.

use math_core::{LatexToMathML, MathCoreConfig, MathDisplay};

/// A converter, made once per run.
pub struct MathMl {
    converter: LatexToMathML,
}

/// Why a formula has no MathML.
#[derive(Debug, Clone, PartialEq)]
pub struct MathMlError {
    /// What went wrong, in a few words.
    pub message: String,
    /// The byte range in the LaTeX it concerns, when known.
    pub range: Option<std::ops::Range<usize>>,
}

impl Default for MathMl {
    fn default() -> Self {
        let config = MathCoreConfig {
            xml_namespace: true,
            annotation: true,
            ..Default::default()
        };
        MathMl {
            converter: LatexToMathML::new(config).expect("no custom macros to parse"),
        }
    }
}

impl MathMl {
    /// Converts LaTeX math into a `<math>` element (`display="block"` for
    /// display math).
    pub fn convert(&self, tex: &str, display: bool) -> Result<String, MathMlError> {
        let mode = if display {
            MathDisplay::Block
        } else {
            MathDisplay::Inline
        };
        let result = crate::passes::math::without_panic_message(|| {
            self.converter.convert_with_local_state(tex, mode)
        })
        .ok_or_else(|| MathMlError {
            message: "the LaTeX → MathML converter failed on it".into(),
            range: None,
        })?;
        let mathml = result
            .map_err(|e| MathMlError {
                message: e.error_message(),
                range: Some(e.0.clone()),
            })?
            .mathml;
        check_mathml(&mathml).map_err(|message| MathMlError {
            message,
            range: None,
        })?;
        Ok(mathml)
    }
}

/// Elements allowed in our MathML: MathML Core's, and the HTML text styles
/// math-core writes inside `<mtext>` (`\textbf`, `\texttt`…).
const ELEMENTS: &[&str] = &[
    "math",
    "semantics",
    "annotation",
    "mrow",
    "mi",
    "mn",
    "mo",
    "ms",
    "mtext",
    "mspace",
    "msup",
    "msub",
    "msubsup",
    "munder",
    "mover",
    "munderover",
    "mmultiscripts",
    "mprescripts",
    "none",
    "mfrac",
    "msqrt",
    "mroot",
    "mtable",
    "mtr",
    "mtd",
    "mstyle",
    "mpadded",
    "mphantom",
    "menclose",
    "merror",
    "b",
    "i",
    "em",
    "code",
    "span",
    "s",
    "u",
];

/// MathML attributes kept by the sanitizer (no `style`: a book's raw HTML
/// goes through the same cleaning).
const ATTRIBUTES: &[&str] = &[
    "xmlns",
    "display",
    "encoding",
    "mathvariant",
    "stretchy",
    "symmetric",
    "fence",
    "separator",
    "largeop",
    "movablelimits",
    "accent",
    "accentunder",
    "lspace",
    "rspace",
    "minsize",
    "maxsize",
    "form",
    "linethickness",
    "displaystyle",
    "scriptlevel",
    "width",
    "height",
    "depth",
    "voffset",
    "notation",
    "columnspan",
    "rowspan",
];

/// Lets the HTML sanitizer keep MathML (`raw-html = "sanitize"` cleans a
/// whole paragraph when it holds raw HTML, formulas included).
pub fn allow_mathml(builder: &mut ammonia::Builder) {
    let math_elements = ELEMENTS
        .iter()
        .copied()
        .filter(|e| e.starts_with('m') || matches!(*e, "semantics" | "annotation" | "none"));
    builder.add_tags(math_elements.clone());
    for element in math_elements {
        builder.add_tag_attributes(element, ATTRIBUTES.iter().copied());
    }
}

/// Checks that `mathml` holds only allowed elements and no attribute that
/// loads or runs anything (`on…`, `href`, `src`, `url(`…).
pub fn check_mathml(mathml: &str) -> Result<(), String> {
    let refuse = |what: &str| Err(format!("the MathML converter wrote {what}"));
    let mut rest = mathml;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let close = rest
            .find('>')
            .ok_or("the MathML converter wrote an unclosed tag")?;
        let tag = &rest[..close];
        rest = &rest[close + 1..];
        let tag = tag.strip_prefix('/').unwrap_or(tag);
        let tag = tag.strip_suffix('/').unwrap_or(tag);
        let name_end = tag.find(|c: char| c.is_whitespace()).unwrap_or(tag.len());
        let (name, attributes) = tag.split_at(name_end);
        if !ELEMENTS.contains(&name) {
            return refuse(&format!("a <{name}> element"));
        }
        let mut attributes = attributes.trim();
        while !attributes.is_empty() {
            let eq = attributes.find('=').unwrap_or(attributes.len());
            let key = attributes[..eq].trim().to_ascii_lowercase();
            let value_start = attributes[eq..].find('"').map(|q| eq + q + 1);
            let (value, after) = match value_start {
                Some(start) => match attributes[start..].find('"') {
                    Some(end) => (&attributes[start..start + end], start + end + 1),
                    None => return refuse("an unquoted attribute"),
                },
                None => ("", attributes.len()),
            };
            let lower = value.to_ascii_lowercase();
            if key.starts_with("on")
                || key.contains("href")
                || key == "src"
                || lower.contains("url(")
                || lower.contains("javascript:")
                || lower.contains("expression(")
            {
                return refuse(&format!("a `{key}` attribute"));
            }
            attributes = attributes[after..].trim_start();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn superscripts_fractions_and_sums() {
        let m = MathMl::default();
        let html = m.convert("a^2+b^2=c^2", false).unwrap();
        assert!(html.starts_with("<math xmlns=\"http://www.w3.org/1998/Math/MathML\""));
        assert!(html.contains("<msup>"), "{html}");
        assert!(!html.contains("display=\"block\""));
        let html = m.convert("\\frac{1}{n}\\sum_{i=1}^n x_i", true).unwrap();
        assert!(html.contains("display=\"block\""));
        assert!(
            html.contains("<mfrac>") && html.contains("<munderover>"),
            "{html}"
        );
        assert!(html.contains("<annotation encoding=\"application/x-tex\">"));
    }

    #[test]
    fn errors_have_a_range() {
        let err = MathMl::default().convert("\\frac{a", false).unwrap_err();
        assert_eq!(err.range, Some(7..7));
        let err = MathMl::default()
            .convert("x + \\nosuch{y}", false)
            .unwrap_err();
        assert_eq!(err.range, Some(4..11), "{err:?}");
    }

    #[test]
    fn markup_in_the_source_stays_text() {
        let html = MathMl::default()
            .convert("\\text{</annotation><script>alert(1)</script>} < x", false)
            .unwrap();
        assert!(!html.contains("<script"), "{html}");
        assert!(check_mathml(&html).is_ok());
    }

    #[test]
    fn the_sanitizer_keeps_formulas() {
        let mathml = MathMl::default()
            .convert("a^2 + \\frac{1}{n}", false)
            .unwrap();
        let html = format!("<p>Avant <b onclick=\"x()\">gras</b> {mathml}</p>");
        let clean = crate::render::html::body::sanitize(&html);
        assert!(!clean.contains("onclick"), "{clean}");
        for kept in [
            "<math",
            "<msup>",
            "<mfrac>",
            "<annotation encoding=\"application/x-tex\">",
        ] {
            assert!(clean.contains(kept), "{kept} lost: {clean}");
        }
    }

    #[test]
    fn dangerous_markup_is_refused() {
        for bad in [
            "<math><a href=\"javascript:alert(1)\">x</a></math>",
            "<math><mi onclick=\"alert(1)\">x</mi></math>",
            "<math><script>alert(1)</script></math>",
            "<math><mrow style=\"background:url(http://x)\"></mrow></math>",
        ] {
            assert!(check_mathml(bad).is_err(), "{bad}");
        }
    }
}
