//! HTML fragments → well-formed XHTML for the EPUB.
//!
//! The site's body renderer writes the chapter's HTML; what reaches the EPUB
//! is that HTML parsed by html5ever (through scraper), as a browser would,
//! and written again as XML: void elements closed, every text and attribute
//! escaped for XML, characters XML forbids dropped, SVG and MathML in their
//! namespaces. Raw HTML (under `raw-html = "allow"`, once
//! [`crate::render::html::raw`] has left out what runs code) and ammonia's output
//! (under `"sanitize"`, which writes HTML's `<br>` and `&nbsp;`) come out
//! well-formed the same way.
//!
//! On the way, references are checked against what the EPUB holds: an image
//! is kept only if it is one of the book's files in a type EPUB readers show
//! (its URL rewritten in the EPUB's own percent-encoded form), else it
//! becomes its alt text; a relative link is kept only if it leads to one of
//! the EPUB's documents. The resources used and the manifest properties the
//! document needs (`mathml`, `svg`, `scripted`) are recorded.

use std::collections::BTreeSet;

use ego_tree::NodeRef;

use crate::render::escape::{push_xml_attr, push_xml_text};
use scraper::{Html, Node};

const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";
const SVG_NS: &str = "http://www.w3.org/2000/svg";
const MATHML_NS: &str = "http://www.w3.org/1998/Math/MathML";
const XLINK_NS: &str = "http://www.w3.org/1999/xlink";
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// HTML's void elements: written `<br />`, never with content.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// The elements of HTML a document body may hold in an EPUB 3.2 (HTML5);
/// any other element in the HTML namespace (a custom or misspelt one, from
/// raw HTML) is left out and its content kept.
const HTML_ELEMENTS: &[&str] = &[
    "a",
    "abbr",
    "address",
    "area",
    "article",
    "aside",
    "audio",
    "b",
    "bdi",
    "bdo",
    "blockquote",
    "br",
    "button",
    "canvas",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "datalist",
    "dd",
    "del",
    "details",
    "dfn",
    "dialog",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "i",
    "iframe",
    "img",
    "input",
    "ins",
    "kbd",
    "label",
    "legend",
    "li",
    "main",
    "map",
    "mark",
    "meter",
    "nav",
    "object",
    "ol",
    "optgroup",
    "option",
    "output",
    "p",
    "param",
    "picture",
    "pre",
    "progress",
    "q",
    "rp",
    "rt",
    "ruby",
    "s",
    "samp",
    "script",
    "section",
    "select",
    "small",
    "source",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "track",
    "u",
    "ul",
    "var",
    "video",
    "wbr",
];

/// Elements left out with their content: document metadata that has no
/// place in a body, and templates.
const DROPPED: &[&str] = &["base", "head", "link", "meta", "style", "template", "title"];

/// Where a fragment goes and what it may refer to.
pub struct XhtmlContext<'a> {
    /// The folder of the document inside the EPUB's content folder, with a
    /// trailing `/` (`text/`), or `""`.
    pub base: &'a str,
    /// Files that may be embedded as images, by path in the content folder.
    pub images: &'a BTreeSet<String>,
    /// Documents that links may lead to, by path in the content folder.
    pub documents: &'a BTreeSet<String>,
}

/// What the fragments of one document use.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Found {
    /// Images used, by path in the content folder.
    pub images: BTreeSet<String>,
    /// Local images the EPUB does not hold, by path from the book root
    /// (or as written, when they lead out of it).
    pub missing_images: BTreeSet<String>,
    /// Local links that lead to no document of the EPUB, likewise.
    pub dropped_links: BTreeSet<String>,
    /// MathML is present.
    pub mathml: bool,
    /// Inline SVG is present.
    pub svg: bool,
    /// A script is present.
    pub scripted: bool,
}

impl Found {
    /// Adds what another fragment of the same document uses.
    pub fn merge(&mut self, other: &Found) {
        self.images.extend(other.images.iter().cloned());
        self.missing_images
            .extend(other.missing_images.iter().cloned());
        self.dropped_links
            .extend(other.dropped_links.iter().cloned());
        self.mathml |= other.mathml;
        self.svg |= other.svg;
        self.scripted |= other.scripted;
    }

    /// The manifest properties of a document holding these fragments.
    pub fn properties(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.mathml {
            out.push("mathml");
        }
        if self.scripted {
            out.push("scripted");
        }
        if self.svg {
            out.push("svg");
        }
        out
    }
}

/// Converts an HTML fragment (body content) to XHTML.
pub fn to_xhtml(html: &str, ctx: &XhtmlContext<'_>, found: &mut Found) -> String {
    let doc = Html::parse_fragment(html);
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    let mut writer = Writer {
        ctx,
        found,
        out: &mut out,
    };
    // parse_fragment puts the fragment under an <html> element.
    for child in doc.root_element().children() {
        writer.node(child, XHTML_NS);
    }
    out
}

struct Writer<'a, 'c> {
    ctx: &'a XhtmlContext<'c>,
    found: &'a mut Found,
    out: &'a mut String,
}

impl Writer<'_, '_> {
    fn node(&mut self, node: NodeRef<'_, Node>, parent_ns: &str) {
        match node.value() {
            Node::Text(text) => push_xml_text(self.out, text),
            Node::Element(element) => self.element(node, element, parent_ns),
            // Comments, doctypes and processing instructions are left out.
            _ => {}
        }
    }

    fn element(
        &mut self,
        node: NodeRef<'_, Node>,
        element: &scraper::node::Element,
        parent_ns: &str,
    ) {
        let ns: &str = &element.name.ns;
        let name: &str = &element.name.local;
        let html = ns == XHTML_NS;
        match ns {
            MATHML_NS => self.found.mathml = true,
            SVG_NS => self.found.svg = true,
            _ => {}
        }
        if html && DROPPED.contains(&name) {
            return;
        }
        if !is_xml_name(name) || (html && !HTML_ELEMENTS.contains(&name)) {
            // A name no XML can hold, or no element of HTML: its content stays.
            self.children(node, parent_ns);
            return;
        }
        if html && name == "script" {
            self.found.scripted = true;
        }
        let mut attrs: Vec<(String, String)> = Vec::new();
        let mut xlink = false;
        for (qual, value) in &element.attrs {
            let local: &str = &qual.local;
            let attr_ns: &str = &qual.ns;
            let written = match attr_ns {
                "" if local == "xmlns" || local.starts_with("xmlns:") => continue,
                // In HTML elements, `xml:lang` and `epub:type` are plain
                // names with a colon; the document declares both prefixes.
                "" if local.starts_with("xml:") || local.starts_with("epub:") => {
                    if !is_xml_name(&local[local.find(':').unwrap_or(0) + 1..]) {
                        continue;
                    }
                    local.to_string()
                }
                "" if is_xml_name(local) => local.to_string(),
                XLINK_NS if is_xml_name(local) => format!("xlink:{local}"),
                XML_NS if is_xml_name(local) => format!("xml:{local}"),
                _ => continue,
            };
            let value = match self.reference(ns, name, &written, value) {
                Reference::Keep => value.to_string(),
                Reference::Rewrite(v) => v,
                Reference::Drop => continue,
                Reference::Unembeddable => {
                    // An image the EPUB cannot hold: its alt text instead.
                    let alt = element.attr("alt").unwrap_or("");
                    self.out.push_str("<span class=\"missing-image\">");
                    push_xml_text(self.out, alt);
                    self.out.push_str("</span>");
                    return;
                }
            };
            xlink |= written.starts_with("xlink:");
            attrs.push((written, value));
        }

        self.out.push('<');
        self.out.push_str(name);
        if ns != parent_ns {
            self.out.push_str(" xmlns=\"");
            push_xml_attr(self.out, ns);
            self.out.push('"');
        }
        if xlink {
            self.out.push_str(" xmlns:xlink=\"");
            self.out.push_str(XLINK_NS);
            self.out.push('"');
        }
        for (k, v) in &attrs {
            self.out.push(' ');
            self.out.push_str(k);
            self.out.push_str("=\"");
            push_xml_attr(self.out, v);
            self.out.push('"');
        }
        if html && VOID.contains(&name) {
            self.out.push_str(" />");
            return;
        }
        if !html && node.children().next().is_none() {
            self.out.push_str("/>");
            return;
        }
        self.out.push('>');
        self.children(node, ns);
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    fn children(&mut self, node: NodeRef<'_, Node>, ns: &str) {
        for child in node.children() {
            self.node(child, ns);
        }
    }

    /// What to do with an attribute that may refer to a file.
    fn reference(&mut self, ns: &str, element: &str, attr: &str, value: &str) -> Reference {
        let embeds = match (ns, attr) {
            (XHTML_NS, "src") | (XHTML_NS, "poster") | (XHTML_NS, "data") => true,
            (XHTML_NS, "srcset") => return Reference::Drop,
            (SVG_NS, "href") | (SVG_NS, "xlink:href") => element == "image",
            _ => false,
        };
        let links = matches!(attr, "href" | "xlink:href") && !embeds;
        if !embeds && !links {
            return Reference::Keep;
        }
        let value = value.trim();
        if crate::url::has_scheme(value) {
            if embeds {
                // Data URLs of images are kept; remote resources are not
                // allowed for images in an EPUB.
                return if value.to_ascii_lowercase().starts_with("data:image/") {
                    Reference::Keep
                } else if element == "img" {
                    self.found.missing_images.insert(value.to_string());
                    Reference::Unembeddable
                } else {
                    Reference::Drop
                };
            }
            return Reference::Keep;
        }
        let (path, fragment) = match value.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (value, None),
        };
        let path = path.split('?').next().unwrap_or("");
        if path.is_empty() {
            return if links {
                Reference::Keep
            } else {
                Reference::Drop
            };
        }
        let decoded = crate::url::decode(path).unwrap_or_else(|| path.to_string());
        let holds = |p: &String| {
            if embeds {
                self.ctx.images.contains(p)
            } else {
                self.ctx.documents.contains(p)
            }
        };
        // Relative to the document, or, as raw HTML written for the flat
        // site would mean it, to the book root.
        let resolved = resolve(self.ctx.base, &decoded)
            .filter(holds)
            .or_else(|| resolve("", &decoded).filter(holds));
        let known = resolved.is_some();
        if !known {
            let shown = resolve(self.ctx.base, &decoded).unwrap_or_else(|| value.to_string());
            if embeds {
                self.found.missing_images.insert(shown);
            } else {
                self.found.dropped_links.insert(shown);
            }
            return if embeds && element == "img" {
                Reference::Unembeddable
            } else {
                Reference::Drop
            };
        }
        let resolved = resolved.unwrap_or_default();
        if embeds {
            self.found.images.insert(resolved.clone());
        }
        let mut url = relative(self.ctx.base, &resolved);
        if let Some(f) = fragment {
            url.push('#');
            url.push_str(f);
        }
        Reference::Rewrite(url)
    }
}

enum Reference {
    Keep,
    Rewrite(String),
    Drop,
    Unembeddable,
}

/// True for an XML name without a colon (an NCName), checked conservatively.
fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_alphanumeric() || matches!(c, '-' | '.' | '_' | '\u{b7}'))
}

/// `path` relative to the folder `base` (`text/`), as a path in the content
/// folder; `None` if it climbs out of it.
fn resolve(base: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    if path.starts_with('/') {
        return None;
    }
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// The URL of `target` (a path in the content folder) from a document in
/// the folder `base`, percent-encoded.
pub fn relative(base: &str, target: &str) -> String {
    let base: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    let parts: Vec<&str> = target.split('/').collect();
    let (file, dirs) = parts.split_last().unwrap_or((&"", &[]));
    let common = base.iter().zip(dirs).take_while(|(a, b)| a == b).count();
    let mut url = "../".repeat(base.len() - common);
    for dir in &dirs[common..] {
        url.push_str(&crate::url::encode_path(dir));
        url.push('/');
    }
    url.push_str(&crate::url::encode_path(file));
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(html: &str) -> (String, Found) {
        let images: BTreeSet<String> = ["chapters/images/a b.png".to_string()].into();
        let documents: BTreeSet<String> = ["text/deux.xhtml".to_string()].into();
        let ctx = XhtmlContext {
            base: "text/",
            images: &images,
            documents: &documents,
        };
        let mut found = Found::default();
        let out = to_xhtml(html, &ctx, &mut found);
        (out, found)
    }

    #[test]
    fn void_elements_and_entities_become_xml() {
        let (out, _) = convert("<p>a<br>b&nbsp;c<hr><input type=checkbox disabled checked></p>");
        assert_eq!(
            out,
            "<p>a<br />b\u{a0}c</p><hr /><input checked=\"\" disabled=\"\" type=\"checkbox\" /><p></p>"
        );
    }

    #[test]
    fn hostile_markup_is_escaped_or_dropped() {
        let (out, _) =
            convert("<p a\"b=1 xmlns=\"x\" foo:bar=2 title='&lt;x&gt; \"q\"'>\u{1}t</p><!-- c -->");
        assert_eq!(out, "<p title=\"&lt;x&gt; &quot;q&quot;\">t</p>");
        let (out, found) = convert("<script>if (a < b && c) {}</script>");
        assert_eq!(out, "<script>if (a &lt; b &amp;&amp; c) {}</script>");
        assert!(found.scripted);
    }

    #[test]
    fn unknown_elements_keep_their_content() {
        let (out, _) = convert("<p>a <lbl>b</lbl> <my-tag x=1>c</my-tag><style>p{}</style></p>");
        assert_eq!(out, "<p>a b c</p>");
    }

    #[test]
    fn foreign_content_gets_its_namespace() {
        let (out, found) = convert(
            "<math><mi>x</mi></math><svg viewBox=\"0 0 1 1\"><image xlink:href=\"https://e.org/a.png\"/><path d=\"M0\"/></svg>",
        );
        assert_eq!(
            out,
            "<math xmlns=\"http://www.w3.org/1998/Math/MathML\"><mi>x</mi></math>\
             <svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\"><image/><path d=\"M0\"/></svg>"
        );
        assert!(found.mathml && found.svg);
        assert_eq!(found.properties(), ["mathml", "svg"]);
    }

    #[test]
    fn references_are_checked_and_encoded() {
        let (out, found) = convert(
            "<img src=\"../chapters/images/a%20b.png\" alt=\"A\"><img src=\"https://e.org/x.png\" alt=\"far\">\
             <img src=\"../chapters/none.png\" alt=\"none\"><a href=\"deux.xhtml#x\">2</a><a href=\"../book.toml\">t</a>\
             <a href=\"https://e.org/\">e</a><a href=\"#n\">n</a><img src=\"chapters/images/a b.png\" alt=\"site\">",
        );
        assert_eq!(
            out,
            "<img alt=\"A\" src=\"../chapters/images/a%20b.png\" /><span class=\"missing-image\">far</span>\
             <span class=\"missing-image\">none</span><a href=\"deux.xhtml#x\">2</a><a>t</a>\
             <a href=\"https://e.org/\">e</a><a href=\"#n\">n</a>\
             <img alt=\"site\" src=\"../chapters/images/a%20b.png\" />"
        );
        assert_eq!(found.images.len(), 1);
        assert!(found.missing_images.contains("chapters/none.png"));
        assert!(found.dropped_links.contains("book.toml"));
    }

    #[test]
    fn paths() {
        assert_eq!(resolve("text/", "../a/b.png").as_deref(), Some("a/b.png"));
        assert_eq!(resolve("text/", "../../etc/passwd"), None);
        assert_eq!(relative("text/", "a/é b.png"), "../a/%C3%A9%20b.png");
        assert_eq!(relative("text/", "text/b.xhtml"), "b.xhtml");
        assert_eq!(relative("", "text/b.xhtml"), "text/b.xhtml");
    }
}
