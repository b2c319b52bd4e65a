//! Raw HTML written in a chapter, cleaned by the book's `[html] raw-html`
//! policy before the site or the EPUB shows it.
//!
//! Stage: inside the body writer ([`super::body`]), on each raw HTML block
//! and on the whole markup of each container holding raw inline HTML (a
//! paragraph, a heading, a table cell, a caption…). Input: HTML as written
//! (with our own inline markup around it); output: HTML that runs no code.
//!
//! - `sanitize`: ammonia's allow-list (plus the ids, classes and formulas
//!   our own markup needs): no script, no event handler, no style, no
//!   dangerous URL, no element ammonia does not know;
//! - `allow`: every element and attribute as written (forms, SVG, styles,
//!   custom attributes), but what runs code or embeds another document:
//!   script, frame, plugin and metadata elements, SVG animations (which can
//!   set a link to a script), `on…` attributes, and any attribute whose
//!   value is or holds a `javascript:`, `vbscript:` or `data:` URL other
//!   than an image. The result is parsed again and must hold none of them
//!   (a markup that a parser reads differently the second time falls back
//!   to the sanitizer).
//!
//! html5ever (through scraper) parses as a browser does, so that what is
//! judged is what a browser would run.

use scraper::{Html, Node};

use crate::config::RawHtml;
use crate::render::escape::safe_url;

/// `html` cleaned by `policy` (`escape` shows raw HTML as text: it never
/// comes here, and is returned as it is).
pub fn clean(policy: RawHtml, html: &str) -> String {
    match policy {
        RawHtml::Sanitize => sanitize(html),
        RawHtml::Allow => without_active_content(html),
        RawHtml::Escape => html.to_string(),
    }
}

/// Cleans HTML with ammonia: no script, no event handler, no dangerous URL,
/// while keeping the ids, classes and attributes our own inline markup
/// uses (a container's inlines are cleaned with the raw HTML among them).
pub fn sanitize(html: &str) -> String {
    let mut builder = ammonia::Builder::default();
    builder
        .add_generic_attributes(["id", "class", "role", "lang", "aria-hidden"])
        .add_tags(["figure", "figcaption"])
        .add_tag_attributes("img", ["loading"])
        // The EPUB's footnote calls (`noteref`), written before cleaning.
        .add_tag_attributes("a", ["epub:type"]);
    // Our formulas' MathML, when a container is cleaned with its raw HTML.
    super::math::allow_mathml(&mut builder);
    builder.clean(html).to_string()
}

/// Elements that run code, embed another document or a plugin, or change
/// how the page itself is read (left out with everything inside them).
const ACTIVE_ELEMENTS: &[&str] = &[
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "portal",
    "fencedframe",
    "base",
    "meta",
    "link",
    "noscript",
    "noembed",
    "noframes",
    // SVG animations can set an attribute (a link's `href`) to a script.
    "animate",
    "animatemotion",
    "animatetransform",
    "animatecolor",
    "set",
    "handler",
    "listener",
];

/// Attributes whose value is a URL (also checked by [`safe_url`], which
/// refuses `file:` and unknown schemes too).
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "background",
    "cite",
    "codebase",
    "longdesc",
    "lowsrc",
    "dynsrc",
    "usemap",
    "ping",
    "manifest",
    "icon",
    "profile",
    "xlink:href",
];

/// Raw HTML as written, but what runs code (see the module's doc).
pub fn without_active_content(html: &str) -> String {
    let filtered = filter(html);
    // Serialising and parsing again is not always the identity (the
    // "mutation" of markup between namespaces): what a browser reads from
    // the result must run nothing either.
    if has_active_content(&filtered) {
        return sanitize(html);
    }
    filtered
}

/// Parses `html`, removes active content, and writes it again.
fn filter(html: &str) -> String {
    let mut doc = Html::parse_fragment(html);
    let ids: Vec<ego_tree::NodeId> = doc.tree.nodes().map(|n| n.id()).collect();
    let mut doomed = Vec::new();
    for id in ids {
        let Some(mut node) = doc.tree.get_mut(id) else {
            continue;
        };
        let Node::Element(element) = node.value() else {
            continue;
        };
        if is_active_element(&element.name.local) {
            doomed.push(id);
            continue;
        }
        element.attrs.retain(|(name, value)| {
            !is_active_attribute(&attribute_name(name.prefix.as_deref(), &name.local), value)
        });
    }
    for id in doomed {
        if let Some(mut node) = doc.tree.get_mut(id) {
            node.detach();
        }
    }
    doc.root_element().inner_html()
}

/// Whether parsed `html` holds an active element or attribute.
pub fn has_active_content(html: &str) -> bool {
    let doc = Html::parse_fragment(html);
    doc.tree.nodes().any(|node| match node.value() {
        Node::Element(element) => {
            is_active_element(&element.name.local)
                || element.attrs.iter().any(|(name, value)| {
                    is_active_attribute(&attribute_name(name.prefix.as_deref(), &name.local), value)
                })
        }
        _ => false,
    })
}

fn is_active_element(local: &str) -> bool {
    let name = local.to_ascii_lowercase();
    ACTIVE_ELEMENTS.contains(&name.as_str())
}

/// An attribute's name as written (`xlink:href` for the XLink namespace).
fn attribute_name(prefix: Option<&str>, local: &str) -> String {
    let local = local.to_ascii_lowercase();
    match prefix {
        Some(prefix) => format!("{}:{local}", prefix.to_ascii_lowercase()),
        None => local,
    }
}

/// `on…` handlers, and URLs (or any value holding one) that run code.
fn is_active_attribute(name: &str, value: &str) -> bool {
    if name.starts_with("on") || name == "srcdoc" || name == "http-equiv" {
        return true;
    }
    if holds_script_url(value) {
        return true;
    }
    URL_ATTRIBUTES.contains(&name) && safe_url(value).is_none()
}

/// Whether a value is, or holds, a URL that runs code or opens a document
/// made of the value itself: `javascript:`, `vbscript:`, `data:` but an
/// image's. Browsers ignore ASCII whitespace and control characters inside
/// a scheme, so they are left out before looking.
pub fn holds_script_url(value: &str) -> bool {
    let squeezed: String = value
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .flat_map(char::to_lowercase)
        .collect();
    ["javascript:", "vbscript:", "livescript:", "mocha:"]
        .iter()
        .any(|scheme| squeezed.contains(scheme))
        || squeezed.match_indices("data:").any(|(at, _)| {
            let rest = &squeezed[at + "data:".len()..];
            !["image/png", "image/jpeg", "image/gif", "image/webp"]
                .iter()
                .any(|kind| rest.starts_with(kind))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_keeps_markup_and_drops_what_runs_code() {
        let html = "<span class=\"x\" style=\"color: red\" data-n=\"1\">a</span>\
            <svg viewBox=\"0 0 1 1\" onload=\"alert(1)\"><circle r=\"1\"/>\
            <a href=\"javascript:alert(2)\"><text>t</text></a>\
            <animate attributeName=\"href\" to=\"javascript:alert(3)\"/></svg>\
            <script>alert(4)</script><iframe src=\"https://e.org\"></iframe>\
            <a href=\" JaVa&#x09;script:alert(5)\">b</a><a href=\"https://e.org\">c</a>\
            <form action=\"vbscript:x\"><button formaction=\"data:text/html,x\">d</button></form>\
            <img src=\"data:image/png;base64,AA\" title=\"ok\">";
        let out = without_active_content(html);
        for kept in [
            "<span class=\"x\" data-n=\"1\" style=\"color: red\">a</span>",
            "<circle r=\"1\">",
            "<a href=\"https://e.org\">c</a>",
            "<img src=\"data:image/png;base64,AA\" title=\"ok\">",
            "<button>d</button>",
        ] {
            assert!(out.contains(kept), "{kept} lost: {out}");
        }
        for gone in [
            "alert",
            "onload",
            "script",
            "iframe",
            "animate",
            "vbscript",
            "text/html",
        ] {
            assert!(!out.contains(gone), "{gone} kept: {out}");
        }
        assert!(!has_active_content(&out));
        assert!(has_active_content(html));
    }

    #[test]
    fn a_value_holding_a_script_url_is_active_wherever_it_is() {
        assert!(holds_script_url("x 1x, JAVASCRIPT:alert(1) 2x"));
        assert!(holds_script_url("java\nscript:x"));
        assert!(holds_script_url("data:text/html,<b>"));
        assert!(holds_script_url("data:image/svg+xml,<svg onload=x>"));
        assert!(!holds_script_url("data:image/png;base64,AA"));
        assert!(!holds_script_url("https://example.org/javascript-tips"));
    }

    #[test]
    fn markup_that_mutates_when_parsed_again_is_sanitized() {
        // A classic mutation: what is text under MathML's `style` becomes
        // an element once written and read again.
        let html = "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>";
        let out = without_active_content(html);
        assert!(!has_active_content(&out), "{out}");
        assert!(!out.contains("onerror"), "{out}");
    }
}
