//! MathML in the site's HTML sanitizer. Formulas reach the site already
//! converted (the math pass stores MathML in each `Math`, see `crate::math`);
//! what is the site's own is that `raw-html = "sanitize"` cleans a whole
//! paragraph when it holds raw HTML, formulas included, and must keep them.

use crate::math::mathml::{ATTRIBUTES, ELEMENTS};

/// Lets the HTML sanitizer keep MathML: the elements and attributes of
/// [`crate::math::mathml`]'s allow-list.
pub fn allow_mathml(builder: &mut ammonia::Builder) {
    builder.add_tags(ELEMENTS.iter().copied());
    for element in ELEMENTS {
        builder.add_tag_attributes(element, ATTRIBUTES.iter().copied());
    }
}

#[cfg(test)]
mod tests {
    use crate::math::MathMl;

    #[test]
    fn the_sanitizer_keeps_formulas() {
        let mathml = MathMl::default()
            .convert("a^2 + \\frac{1}{n}", false)
            .unwrap();
        let html = format!("<p>Avant <b onclick=\"x()\">gras</b> {mathml}</p>");
        let clean = crate::render::html::raw::sanitize(&html);
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
}
