//! LaTeX math → MathML, for the site and the EPUB.
//!
//! Input: a formula's LaTeX; output: one `<math>` element, which the site
//! and the EPUB copy as it is. The conversion is math-core's: MathML Core,
//! which browsers and EPUB readers lay out natively (no script, no font
//! from elsewhere). Its output is meant to be well-formed XML with text
//! escaped, the `<math>` element in the MathML namespace and the LaTeX kept
//! in `<annotation encoding="application/x-tex">`. Reading systems and
//! screen readers that do not lay out MathML read the `alttext` attribute
//! instead, which gets the LaTeX too (its white space folded). Before
//! it is used, the markup is read back with roxmltree and checked
//! ([`check_mathml`]): well-formed, only MathML elements (and the few HTML
//! text styles math-core puts inside `<mtext>`), and only attributes that
//! neither load nor run anything. math-core 0.7 writes the name of
//! `\operatorname{…}` unescaped: this is where markup there stops.

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
        let result =
            super::without_panic_message(|| self.converter.convert_with_local_state(tex, mode))
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
        let mathml = with_alttext(&mathml, tex);
        check_mathml(&mathml).map_err(|message| MathMlError {
            message,
            range: None,
        })?;
        Ok(mathml)
    }
}

/// `mathml` with an `alttext` attribute holding `tex` last on its `<math>`
/// start tag, escaped for XML and HTML alike, runs of white space folded to
/// one space and characters XML forbids dropped. Markup that does not start
/// with `<math` is returned as it is (the check refuses it).
fn with_alttext(mathml: &str, tex: &str) -> String {
    // math-core escapes `>` in attribute values: the first one ends the tag.
    let Some(end) = mathml.find('>').filter(|_| mathml.starts_with("<math")) else {
        return mathml.to_string();
    };
    let end = if mathml[..end].ends_with('/') {
        end - 1
    } else {
        end
    };
    let alt = attribute_text(tex);
    format!("{} alttext=\"{alt}\"{}", &mathml[..end], &mathml[end..])
}

/// `mathml` (made by [`MathMl::convert`] from `tex`) with `alt` in place of
/// `tex` as its `alttext`: a formula's `{alt="…"}`.
pub fn replace_alttext(mathml: &str, tex: &str, alt: &str) -> String {
    mathml.replacen(
        &format!(" alttext=\"{}\"", attribute_text(tex)),
        &format!(" alttext=\"{}\"", attribute_text(alt)),
        1,
    )
}

/// Text for an attribute value, escaped for XML and HTML alike.
fn attribute_text(tex: &str) -> String {
    let mut alt = String::with_capacity(tex.len() + 16);
    for word in tex.split_whitespace() {
        if !alt.is_empty() {
            alt.push(' ');
        }
        for c in word.chars() {
            match c {
                '&' => alt.push_str("&amp;"),
                '<' => alt.push_str("&lt;"),
                '>' => alt.push_str("&gt;"),
                '"' => alt.push_str("&quot;"),
                // XML 1.0's characters: no C0 control but tab and line
                // breaks (white space here), no U+FFFE or U+FFFF.
                c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
                c => alt.push(c),
            }
        }
    }
    alt
}

/// The MathML namespace, the only one a formula may declare.
pub const MATHML_NS: &str = "http://www.w3.org/1998/Math/MathML";

/// MathML elements allowed in our MathML (MathML Core's), which the HTML
/// sanitizer also keeps.
pub const ELEMENTS: &[&str] = &[
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
];

/// HTML text styles math-core writes inside `<mtext>` (`\textbf`,
/// `\texttt`…), allowed there only: elsewhere in `<math>` an HTML parser
/// would end the formula at them.
pub const TEXT_STYLES: &[&str] = &["b", "i", "em", "code", "span", "s", "u"];

/// MathML attributes kept by the sanitizer (no `style`: a book's raw HTML
/// goes through the same cleaning).
pub const ATTRIBUTES: &[&str] = &[
    "xmlns",
    "alttext",
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

/// Attributes math-core writes besides [`ATTRIBUTES`]: the presentation
/// of matrices, strikes and equation numbers. They stay in formulas the
/// converter wrote (the sanitizer drops them from a book's raw HTML).
const PRESENTATION: &[&str] = &["style", "class", "id"];

/// Checks that `mathml` is one well-formed `<math>` element (read by
/// roxmltree: tags balanced, attribute values quoted, `&` only in known
/// entities, no DTD) made of allowed elements (the HTML text styles only
/// inside `<mtext>`), in no namespace but MathML's, with allowed attributes
/// only and none whose value loads or runs anything (`url(`,
/// `javascript:`…).
pub fn check_mathml(mathml: &str) -> Result<(), String> {
    let refuse = |what: String| Err(format!("the MathML converter wrote {what}"));
    // math-core writes no comment, CDATA section, declaration or processing
    // instruction; and an HTML parser does not read them as XML does (inside
    // `<mtext>`, `<![CDATA[x>` is a bogus comment that ends at the first
    // `>`, and what follows would be markup).
    if mathml.contains("<!") || mathml.contains("<?") {
        return refuse("a comment, a CDATA section or a declaration".into());
    }
    let document = match roxmltree::Document::parse(mathml) {
        Ok(document) => document,
        Err(e) => return refuse(format!("markup that is not well-formed ({e})")),
    };
    let root = document.root_element();
    // Nothing before or after the element, not even white space.
    if root.range() != (0..mathml.len()) {
        return refuse("text outside <math>".into());
    }
    for node in root.descendants() {
        if node.is_element() {
            check_element(node, root).or_else(&refuse)?;
        } else if !node.is_text() {
            return refuse("something other than elements and text".into());
        }
    }
    Ok(())
}

/// One element: its name, its namespaces and its attributes.
fn check_element(
    node: roxmltree::Node<'_, '_>,
    root: roxmltree::Node<'_, '_>,
) -> Result<(), String> {
    let name = node.tag_name().name();
    let parent = node.parent_element().map(|p| p.tag_name().name());
    let allowed = if node == root {
        name == "math"
    } else if TEXT_STYLES.contains(&name) {
        parent.is_some_and(|p| p == "mtext" || TEXT_STYLES.contains(&p))
    } else {
        ELEMENTS.contains(&name) && name != "math"
    };
    if !allowed {
        return Err(format!("a <{name}> element here"));
    }
    // The default namespace, MathML's, and no other (nor a prefix).
    if node
        .tag_name()
        .namespace()
        .is_some_and(|ns| ns != MATHML_NS)
        || node
            .namespaces()
            .any(|ns| ns.name().is_some() || ns.uri() != MATHML_NS)
    {
        return Err(format!("a namespace other than MathML's on <{name}>"));
    }
    for attribute in node.attributes() {
        let key = attribute.name();
        if attribute.namespace().is_some()
            || !(ATTRIBUTES.contains(&key) || PRESENTATION.contains(&key))
        {
            return Err(format!("a `{key}` attribute"));
        }
        // Decoded, as a browser reads it: `u&#114;l(` is `url(`.
        let value = attribute.value().to_ascii_lowercase();
        if ["url(", "javascript:", "expression("]
            .iter()
            .any(|bad| value.contains(bad))
        {
            return Err(format!("a `{key}` attribute that loads or runs something"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
    fn every_formula_carries_its_latex_as_alttext() {
        let m = MathMl::default();
        let html = m.convert("a < b \\&\n  \\text{\"c\"}", true).unwrap();
        let doc = roxmltree::Document::parse(&html).unwrap();
        assert_eq!(
            doc.root_element().attribute("alttext"),
            Some("a < b \\& \\text{\"c\"}"),
            "{html}"
        );
        assert!(
            html.contains(" alttext=\"a &lt; b \\&amp; \\text{&quot;c&quot;}\">"),
            "{html}"
        );
        // A character XML forbids is dropped from the attribute.
        assert_eq!(
            with_alttext("<math><mi>x</mi></math>", "x\u{1}\u{ffff}y"),
            "<math alttext=\"xy\"><mi>x</mi></math>"
        );
        assert_eq!(with_alttext("<math/>", "x"), "<math alttext=\"x\"/>");
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
            // Read as a browser reads it: `&#114;` is `r`.
            "<math><mrow style=\"background:u&#114;l(http://x)\"></mrow></math>",
            "<math><mi title=\"x\">x</mi></math>",
            "<math><mi ONCLICK=\"alert(1)\">x</mi></math>",
            "<math><mi xml:lang=\"fr\">x</mi></math>",
            "<math><mi xmlns=\"http://www.w3.org/1999/xhtml\">x</mi></math>",
            "<math xmlns:h=\"http://www.w3.org/1999/xhtml\"><h:mi>x</h:mi></math>",
            // An HTML parser reads this CDATA section inside `<mtext>` as a
            // bogus comment that ends at the first `>`: a script would follow.
            "<math><mtext><![CDATA[x><script>alert(1)</script>]]></mtext></math>",
            "<math><!-- x --><mi>x</mi></math>",
            "<?xml version=\"1.0\"?><math/>",
            "<!DOCTYPE math [<!ENTITY x \"y\">]><math>&x;</math>",
            "<math><mi>&nbsp;</mi></math>",
            " <math/>",
            "<math/>\n",
            "<math><math/></math>",
            "<math><mrow><b>x</b></mrow></math>",
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

    /// Text full of markup, names of attributes and entities.
    fn hostile_text() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop::sample::select(vec![
                "x",
                "1",
                " ",
                "<",
                ">",
                "\\&",
                "\\#",
                "\"",
                "'",
                "=",
                "<b>",
                "</mtext>",
                "<script>",
                "<mi onclick=\"alert(1)\">",
                " onload=",
                "javascript:",
                "url(",
                "<![CDATA[",
                "]]>",
                "<!--",
                "\\&amp;",
                "\\&lt;",
                "é",
            ]),
            1..6,
        )
        .prop_map(|pieces| pieces.concat())
    }

    /// LaTeX math, mostly well-formed so that it converts, with that text
    /// wherever the source holds text, a name or an address.
    fn latex() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            prop::sample::select(vec!["x", "1", "\\alpha", "<", ">", "=", "\\&"])
                .prop_map(str::to_string),
            hostile_text(),
            (
                prop::sample::select(vec![
                    "\\text",
                    "\\textbf",
                    "\\texttt",
                    "\\mathrm",
                    "\\operatorname",
                    "\\textit",
                    "\\mathbf",
                ]),
                hostile_text()
            )
                .prop_map(|(command, text)| format!("{command}{{{text}}}")),
            hostile_text().prop_map(|color| format!("\\color{{{color}}}{{x}}")),
            hostile_text().prop_map(|size| format!("\\hspace{{{size}}}")),
        ];
        leaf.prop_recursive(3, 16, 3, |inner| {
            prop_oneof![
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} {b}")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("\\frac{{{a}}}{{{b}}}")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{{{a}}}^{{{b}}}")),
                inner.clone().prop_map(|a| format!("\\cancel{{{a}}}")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!(
                    "\\begin{{pmatrix}} {a} & {b} \\end{{pmatrix}}"
                )),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!(
                    "\\begin{{array}}{{c|c}} {a} & {b} \\\\ \\hline x & y \\end{{array}}"
                )),
                (inner, hostile_text(), hostile_text()).prop_map(|(a, label, tag)| format!(
                    "\\begin{{align}} {a} &= x \\label{{{label}}} \\\\ x &= y \\tag{{{tag}}} \\end{{align}}"
                )),
            ]
        })
    }

    /// Every tag name written in `mathml`, in order, closing tags included.
    fn tag_names(mathml: &str) -> Vec<&str> {
        mathml
            .match_indices('<')
            .map(|(at, _)| {
                let rest = mathml[at + 1..].trim_start_matches('/');
                let end = rest
                    .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
                    .unwrap_or(rest.len());
                &rest[..end]
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2048, failure_persistence: None, ..ProptestConfig::default() })]

        /// Whatever the LaTeX, the MathML that comes out has only allowed
        /// elements (`math` first and only there) and no `on…` attribute.
        #[test]
        fn no_latex_yields_markup_outside_the_allow_list(
            tex in latex(),
            display in any::<bool>(),
        ) {
            let Ok(mathml) = MathMl::default().convert(&tex, display) else {
                return Ok(());
            };
            // Read as text, independently of the checker's parser: every
            // `<` of well-escaped markup opens a tag.
            let names = tag_names(&mathml);
            prop_assert_eq!(names.first().copied(), Some("math"), "{:?} → {}", tex, mathml);
            for name in &names {
                prop_assert!(
                    ELEMENTS.contains(name) || TEXT_STYLES.contains(name),
                    "{:?} → {}: <{}>", tex, mathml, name
                );
            }
            prop_assert_eq!(names.iter().filter(|n| **n == "math").count(), 2, "{:?} → {}", tex, mathml);
            let document = roxmltree::Document::parse(&mathml).expect("well-formed");
            for node in document.descendants() {
                for attribute in node.attributes() {
                    prop_assert!(
                        !attribute.name().to_ascii_lowercase().starts_with("on"),
                        "{:?} → {}", tex, mathml
                    );
                }
            }
        }
    }
}
