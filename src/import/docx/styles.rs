//! What a DOCX style means for the chapter: a heading of some level, the
//! title, a caption, a block quote, a list, or a body paragraph; and the
//! run formatting a character style gives.
//!
//! Input: `word/styles.xml`. Output: [`Styles`], asked by style id. A
//! style is known by its id, its name and, for headings, its outline level
//! (`w:outlineLvl`), each looked up along its `w:basedOn` chain, so that
//! Word's French `Titre1`, a LibreOffice `Titolo 1`, Word's German
//! `berschrift1` (Word drops the `Ü` from ids) and a style of the author's
//! own based on Heading 2 all become what they look like.

use std::collections::HashMap;

use roxmltree::Node;

use super::package::LocalName;

/// How long a `w:basedOn` chain may be (Word's are a handful; a loop is
/// cut there).
const MAX_CHAIN: usize = 24;

/// What a paragraph style makes of a paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A body paragraph.
    Body,
    /// The document's title.
    Title,
    /// The document's subtitle.
    Subtitle,
    /// A heading, level 1–9 as Word counts them.
    Heading(u8),
    /// A caption of a figure or a table.
    Caption,
    /// A block quote.
    Quote,
}

/// Run formatting: each property set, cleared, or left to what is below.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunProps {
    /// `w:b`.
    pub bold: Option<bool>,
    /// `w:i`.
    pub italic: Option<bool>,
    /// `w:strike` or `w:dstrike`.
    pub strike: Option<bool>,
    /// `w:smallCaps`.
    pub small_caps: Option<bool>,
    /// `w:vertAlign`: `Some(1)` superscript, `Some(-1)` subscript,
    /// `Some(0)` baseline.
    pub vert: Option<i8>,
}

impl RunProps {
    /// `over` laid on `self`: what `over` sets wins.
    pub fn then(self, over: RunProps) -> RunProps {
        RunProps {
            bold: over.bold.or(self.bold),
            italic: over.italic.or(self.italic),
            strike: over.strike.or(self.strike),
            small_caps: over.small_caps.or(self.small_caps),
            vert: over.vert.or(self.vert),
        }
    }

    /// Reads a `w:rPr` element.
    pub fn read(rpr: Node) -> RunProps {
        let mut props = RunProps::default();
        for c in rpr.children().filter(Node::is_element) {
            match c.tag_name().name() {
                "b" => props.bold = Some(on(c)),
                "i" => props.italic = Some(on(c)),
                "strike" | "dstrike" => props.strike = Some(on(c) || props.strike == Some(true)),
                "smallCaps" => props.small_caps = Some(on(c)),
                "vertAlign" => {
                    props.vert = match val(c) {
                        Some("superscript") => Some(1),
                        Some("subscript") => Some(-1),
                        Some(_) => Some(0),
                        None => None,
                    }
                }
                _ => {}
            }
        }
        props
    }
}

/// The `w:val` attribute of an element, whatever its namespace prefix.
pub fn val<'a>(node: Node<'a, '_>) -> Option<&'a str> {
    attr(node, "val")
}

/// An attribute by its local name.
pub fn attr<'a>(node: Node<'a, '_>, local: &str) -> Option<&'a str> {
    node.attributes()
        .find(|a| a.name() == local)
        .map(|a| a.value())
}

/// An on/off property (`<w:b/>`, `<w:b w:val="0"/>`…).
pub fn on(node: Node) -> bool {
    !matches!(val(node), Some("0" | "false" | "off" | "none"))
}

/// The first child element with this local name.
pub fn child<'a, 'i>(node: Node<'a, 'i>, local: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| c.has_tag_name_local(local))
}

/// A list reference: `w:numId` and `w:ilvl` of a `w:numPr`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumRef {
    /// The numbering instance (`0` removes numbering).
    pub num_id: String,
    /// The level, from 0.
    pub ilvl: Option<u8>,
}

impl NumRef {
    /// Reads a `w:numPr`.
    pub fn read(num_pr: Node) -> Option<NumRef> {
        let num_id = child(num_pr, "numId").and_then(val)?.to_string();
        let ilvl = child(num_pr, "ilvl")
            .and_then(val)
            .and_then(|v| v.parse::<u8>().ok());
        Some(NumRef { num_id, ilvl })
    }
}

#[derive(Debug, Clone, Default)]
struct Style {
    name: String,
    based_on: Option<String>,
    outline: Option<u8>,
    num: Option<NumRef>,
    run: RunProps,
}

/// The styles of a document.
#[derive(Debug, Clone, Default)]
pub struct Styles {
    paragraph: HashMap<String, Style>,
    character: HashMap<String, Style>,
    numbering: HashMap<String, Style>,
    default_paragraph: Option<String>,
}

impl Styles {
    /// Reads `styles.xml` (a document without one has no styles).
    pub fn read(doc: Option<&roxmltree::Document>) -> Styles {
        let mut styles = Styles::default();
        let Some(doc) = doc else { return styles };
        for node in doc
            .root_element()
            .children()
            .filter(|n| n.has_tag_name_local("style"))
        {
            let Some(id) = attr(node, "styleId") else {
                continue;
            };
            let ppr = child(node, "pPr");
            let style = Style {
                name: child(node, "name").and_then(val).unwrap_or(id).to_string(),
                based_on: child(node, "basedOn").and_then(val).map(str::to_string),
                outline: ppr
                    .and_then(|p| child(p, "outlineLvl"))
                    .and_then(val)
                    .and_then(|v| v.parse::<u8>().ok()),
                num: ppr.and_then(|p| child(p, "numPr")).and_then(NumRef::read),
                run: child(node, "rPr").map(RunProps::read).unwrap_or_default(),
            };
            match attr(node, "type").unwrap_or("paragraph") {
                "paragraph" => {
                    if attr(node, "default").is_some_and(|d| d == "1" || d == "true") {
                        styles.default_paragraph = Some(id.to_string());
                    }
                    styles.paragraph.insert(id.to_string(), style);
                }
                "character" => {
                    styles.character.insert(id.to_string(), style);
                }
                "numbering" => {
                    styles.numbering.insert(id.to_string(), style);
                }
                _ => {}
            }
        }
        styles
    }

    /// The style a paragraph without `w:pStyle` has.
    pub fn default_paragraph(&self) -> Option<&str> {
        self.default_paragraph.as_deref()
    }

    /// The chain of a paragraph style: itself, then what it is based on.
    fn chain<'s>(map: &'s HashMap<String, Style>, id: &str) -> Vec<(&'s str, &'s Style)> {
        let mut out = Vec::new();
        let mut next = Some(id);
        while let Some(id) = next {
            if out.len() >= MAX_CHAIN || out.iter().any(|(seen, _)| *seen == id) {
                break;
            }
            let Some((key, style)) = map.get_key_value(id) else {
                break;
            };
            out.push((key.as_str(), style));
            next = style.based_on.as_deref();
        }
        out
    }

    /// What the paragraph style `id` makes of a paragraph. An unknown id
    /// (a style the file names but does not define) is judged by the id
    /// alone.
    pub fn kind(&self, id: &str) -> Kind {
        let chain = Self::chain(&self.paragraph, id);
        if chain.is_empty() {
            return kind_by_name(id).unwrap_or(Kind::Body);
        }
        for (id, style) in chain {
            if let Some(kind) = kind_by_name(&style.name).or_else(|| kind_by_name(id)) {
                return kind;
            }
            // Level 9 is Word's "body text" level.
            if let Some(level) = style.outline.filter(|l| *l < 9) {
                return Kind::Heading(level + 1);
            }
        }
        Kind::Body
    }

    /// The list a paragraph style puts its paragraphs in (List Bullet,
    /// List Number…).
    pub fn num(&self, id: &str) -> Option<NumRef> {
        Self::chain(&self.paragraph, id)
            .into_iter()
            .find_map(|(_, s)| s.num.clone())
    }

    /// The list a numbering style stands for (`w:numStyleLink`).
    pub fn numbering_style_num(&self, id: &str) -> Option<NumRef> {
        Self::chain(&self.numbering, id)
            .into_iter()
            .find_map(|(_, s)| s.num.clone())
    }

    /// The run formatting of a character style, along its chain.
    pub fn run(&self, id: &str) -> RunProps {
        Self::chain(&self.character, id)
            .into_iter()
            .rev()
            .fold(RunProps::default(), |acc, (_, s)| acc.then(s.run))
    }
}

/// A style's name or id reduced for comparison: lowercase, without
/// spaces, `-` and `_`.
fn squash(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_' | '\u{a0}'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The words of Word's, LibreOffice's and Google Docs' heading styles in
/// the languages of their users (followed by the level), as names and as
/// Word's ASCII-only ids.
const HEADING_WORDS: &[&str] = &[
    "heading",
    "titre",
    "titolo",
    "überschrift",
    "uberschrift",
    "berschrift",
    "título",
    "titulo",
    "ttulo",
    "kop",
    "rubrik",
    "otsikko",
    "overskrift",
    "nagłówek",
    "nagwek",
    "nadpis",
    "címsor",
    "cmsor",
    "заголовок",
    "başlık",
    "balk",
];

const TITLE_WORDS: &[&str] = &[
    "title", "titre", "titel", "titolo", "título", "titulo", "ttulo", "tytuł", "tytu", "název",
    "nzev",
];

const SUBTITLE_WORDS: &[&str] = &[
    "subtitle",
    "soustitre",
    "untertitel",
    "sottotitolo",
    "subtítulo",
    "subtitulo",
    "subttulo",
    "ondertitel",
    "podtytuł",
];

const CAPTION_WORDS: &[&str] = &[
    "caption",
    "légende",
    "legende",
    "lgende",
    "beschriftung",
    "didascalia",
    "descripción",
    "descripcin",
    "epígrafe",
    "bijschrift",
    "onderschrift",
    "podpis",
    // LibreOffice's caption styles of figures, tables and drawings, which
    // its DOCX export writes without their `basedOn` Caption.
    "figure",
    "table",
    "illustration",
    "drawing",
];

const QUOTE_WORDS: &[&str] = &[
    "quote",
    "intensequote",
    "quotations",
    "quotation",
    "blockquote",
    "blocktext",
    "citation",
    "citationintense",
    "citations",
    "zitat",
    "intensiveszitat",
    "citazione",
    "citazioneintensa",
    "cita",
    "citadestacada",
    "citaat",
    "duidelijkcitaat",
    "cytat",
];

/// What a style's name (or id) says it is, if it says.
fn kind_by_name(name: &str) -> Option<Kind> {
    let s = squash(name);
    let digits = s.len() - s.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits > 0 {
        let (word, number) = s.split_at(s.len() - digits);
        if HEADING_WORDS.contains(&word)
            && let Ok(level) = number.parse::<u8>()
            && (1..=9).contains(&level)
        {
            return Some(Kind::Heading(level));
        }
        return None;
    }
    if TITLE_WORDS.contains(&s.as_str()) {
        Some(Kind::Title)
    } else if SUBTITLE_WORDS.contains(&s.as_str()) {
        Some(Kind::Subtitle)
    } else if CAPTION_WORDS.contains(&s.as_str()) {
        Some(Kind::Caption)
    } else if QUOTE_WORDS.contains(&s.as_str()) {
        Some(Kind::Quote)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn styles(xml: &str) -> Styles {
        let text = format!(
            "<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">{xml}</w:styles>"
        );
        let doc = roxmltree::Document::parse(&text).unwrap();
        Styles::read(Some(&doc))
    }

    #[test]
    fn headings_by_name_id_outline_level_and_chain() {
        let s = styles(
            r#"<w:style w:type="paragraph" w:styleId="Titre1"><w:name w:val="heading 1"/></w:style>
               <w:style w:type="paragraph" w:styleId="berschrift2"><w:name w:val="Überschrift 2"/></w:style>
               <w:style w:type="paragraph" w:styleId="Titolo3"><w:name w:val="Titolo 3"/></w:style>
               <w:style w:type="paragraph" w:styleId="Ttulo4"><w:name w:val="Título 4"/></w:style>
               <w:style w:type="paragraph" w:styleId="Perso"><w:name w:val="Mon intertitre"/><w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>
               <w:style w:type="paragraph" w:styleId="Derive"><w:name w:val="Dérivé"/><w:basedOn w:val="Titolo3"/></w:style>
               <w:style w:type="paragraph" w:styleId="Corps"><w:name w:val="Corps"/><w:pPr><w:outlineLvl w:val="9"/></w:pPr></w:style>
               <w:style w:type="paragraph" w:styleId="A"><w:name w:val="A"/><w:basedOn w:val="B"/></w:style>
               <w:style w:type="paragraph" w:styleId="B"><w:name w:val="B"/><w:basedOn w:val="A"/></w:style>"#,
        );
        assert_eq!(s.kind("Titre1"), Kind::Heading(1));
        assert_eq!(s.kind("berschrift2"), Kind::Heading(2));
        assert_eq!(s.kind("Titolo3"), Kind::Heading(3));
        assert_eq!(s.kind("Ttulo4"), Kind::Heading(4));
        assert_eq!(s.kind("Perso"), Kind::Heading(2));
        assert_eq!(s.kind("Derive"), Kind::Heading(3));
        assert_eq!(s.kind("Corps"), Kind::Body);
        // A loop in basedOn ends.
        assert_eq!(s.kind("A"), Kind::Body);
        // A style the document does not define is judged by its id.
        assert_eq!(s.kind("Heading5"), Kind::Heading(5));
        assert_eq!(s.kind("Foobar"), Kind::Body);
    }

    #[test]
    fn title_caption_and_quote_in_several_languages() {
        let s = styles(
            r#"<w:style w:type="paragraph" w:styleId="Titre"><w:name w:val="Title"/></w:style>
               <w:style w:type="paragraph" w:styleId="Lgende"><w:name w:val="caption"/></w:style>
               <w:style w:type="paragraph" w:styleId="Figure"><w:name w:val="Figure"/><w:basedOn w:val="Lgende"/></w:style>
               <w:style w:type="paragraph" w:styleId="Zitat"><w:name w:val="Zitat"/></w:style>
               <w:style w:type="paragraph" w:styleId="Quotations"><w:name w:val="Quotations"/></w:style>
               <w:style w:type="paragraph" w:styleId="Citation"><w:name w:val="Citation"/></w:style>"#,
        );
        assert_eq!(s.kind("Titre"), Kind::Title);
        assert_eq!(s.kind("Lgende"), Kind::Caption);
        assert_eq!(s.kind("Figure"), Kind::Caption);
        assert_eq!(s.kind("Zitat"), Kind::Quote);
        assert_eq!(s.kind("Quotations"), Kind::Quote);
        assert_eq!(s.kind("Citation"), Kind::Quote);
        assert_eq!(s.kind("Légende"), Kind::Caption);
    }

    #[test]
    fn character_styles_stack_along_their_chain() {
        let s = styles(
            r#"<w:style w:type="character" w:styleId="Base"><w:name w:val="Base"/><w:rPr><w:i/><w:b/></w:rPr></w:style>
               <w:style w:type="character" w:styleId="Top"><w:name w:val="Top"/><w:basedOn w:val="Base"/><w:rPr><w:b w:val="0"/><w:smallCaps/></w:rPr></w:style>"#,
        );
        let run = s.run("Top");
        assert_eq!(run.italic, Some(true));
        assert_eq!(run.bold, Some(false));
        assert_eq!(run.small_caps, Some(true));
    }
}
