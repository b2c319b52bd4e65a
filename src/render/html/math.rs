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

/// HTML elements math-core writes, only inside `<mtext>`.
const TEXT_STYLES: &[&str] = &["b", "i", "em", "code", "span", "s", "u"];

/// Checks that `mathml` is one well-formed `<math>` element (tags balanced,
/// attribute values quoted, `&` only in entities) made of allowed elements
/// (the HTML text styles only inside `<mtext>`), with no attribute that
/// loads or runs anything (`on…`, `href`, `src`, `url(`…). math-core 0.7
/// writes the name of `\operatorname{…}` unescaped: this is where such
/// markup stops.
pub fn check_mathml(mathml: &str) -> Result<(), String> {
    let refuse = |what: String| Err(format!("the MathML converter wrote {what}"));
    let mut open: Vec<&str> = Vec::new();
    let mut rest = mathml;
    let mut first = true;
    loop {
        let text_end = rest.find('<').unwrap_or(rest.len());
        check_entities(&rest[..text_end]).or_else(&refuse)?;
        if !rest[..text_end].is_empty() && open.is_empty() {
            return refuse("text outside <math>".into());
        }
        rest = &rest[text_end..];
        if rest.is_empty() {
            break;
        }
        let close = rest
            .find('>')
            .ok_or("the MathML converter wrote an unclosed tag")?;
        let tag = &rest[1..close];
        rest = &rest[close + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            if open.pop() != Some(name) {
                return refuse(format!("a misplaced </{name}>"));
            }
            continue;
        }
        let (tag, empty) = match tag.strip_suffix('/') {
            Some(tag) => (tag, true),
            None => (tag, false),
        };
        let name_end = tag.find(char::is_whitespace).unwrap_or(tag.len());
        let (name, attributes) = tag.split_at(name_end);
        let parent = open.last().copied();
        let allowed = if first {
            name == "math"
        } else if TEXT_STYLES.contains(&name) {
            parent.is_some_and(|p| p == "mtext" || TEXT_STYLES.contains(&p))
        } else {
            ELEMENTS.contains(&name) && name != "math" && parent.is_some()
        };
        if !allowed {
            return refuse(format!("a <{name}> element here"));
        }
        first = false;
        check_attributes(attributes).or_else(&refuse)?;
        if !empty {
            open.push(name);
        }
        if open.is_empty() && !rest.is_empty() {
            return refuse("more than one <math> element".into());
        }
    }
    if !open.is_empty() || first {
        return refuse("an unclosed <math> element".into());
    }
    Ok(())
}

/// `key="value"` pairs, none of which loads or runs anything.
fn check_attributes(mut attributes: &str) -> Result<(), String> {
    loop {
        attributes = attributes.trim_start();
        if attributes.is_empty() {
            return Ok(());
        }
        let eq = attributes.find('=').ok_or("an attribute without a value")?;
        let key = attributes[..eq].to_ascii_lowercase();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':')
        {
            return Err(format!("an attribute named `{key}`"));
        }
        let value = attributes[eq + 1..]
            .strip_prefix('"')
            .ok_or("an unquoted attribute")?;
        let end = value.find('"').ok_or("an unclosed attribute")?;
        let (value, after) = (&value[..end], &value[end + 1..]);
        if value.contains('<') {
            return Err("a `<` in an attribute".into());
        }
        check_entities(value)?;
        let lower = value.to_ascii_lowercase();
        if key.starts_with("on")
            || key.contains("href")
            || key == "src"
            || lower.contains("url(")
            || lower.contains("javascript:")
            || lower.contains("expression(")
        {
            return Err(format!("a `{key}` attribute"));
        }
        if !after.is_empty() && !after.starts_with(char::is_whitespace) {
            return Err("attributes run together".into());
        }
        attributes = after;
    }
}

/// Every `&` starts an entity: `&lt;`, `&#39;`, `&#x2212;`…
fn check_entities(text: &str) -> Result<(), String> {
    for (at, _) in text.match_indices('&') {
        let entity = &text[at + 1..];
        let end = entity.find(';').ok_or("a bare `&`")?;
        let name = &entity[..end];
        let valid = matches!(name, "lt" | "gt" | "amp" | "quot" | "apos")
            || name
                .strip_prefix("#x")
                .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
            || name
                .strip_prefix('#')
                .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
        if !valid {
            return Err(format!("an unknown entity `&{name};`"));
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
        // math-core 0.7 leaves the name of `\operatorname` unescaped.
        for tex in [
            "\\operatorname{<b>}",
            "\\operatorname{a<b}",
            "\\operatorname{a\\&b}",
        ] {
            assert!(MathMl::default().convert(tex, false).is_err(), "{tex}");
        }
        for bad in [
            "<math><mo><b></mo></math>",
            "<math><mo>a&b</mo></math>",
            "<math><mi>x</mi></math><script>alert(1)</script>",
            "<math><mi>x</mi>",
            "<math><b>x</b></math>",
            "<math><mi title=x>x</mi></math>",
            "<math><a href=\"javascript:alert(1)\">x</a></math>",
            "<math><mi onclick=\"alert(1)\">x</mi></math>",
            "<math><script>alert(1)</script></math>",
            "<math><mrow style=\"background:url(http://x)\"></mrow></math>",
        ] {
            assert!(check_mathml(bad).is_err(), "{bad}");
        }
        for good in [
            "<math xmlns=\"http://www.w3.org/1998/Math/MathML\"><mi>x</mi><mo>&lt;</mo><mspace width=\"1em\"/></math>",
            "<math><mtext><b>gras &amp; &#39;</b></mtext></math>",
        ] {
            assert_eq!(check_mathml(good), Ok(()), "{good}");
        }
    }
}
