//! The DOCX's fixed parts: the built-in styles (named as Pandoc names
//! them, so that a reference document made for Pandoc styles ours too),
//! the list numbering, the settings and the package's bookkeeping.

use crate::render::escape::push_xml_attr;

use super::body::ListInstance;

/// The WordprocessingML namespaces every part declares.
pub const NAMESPACES: &str = concat!(
    "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" ",
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" ",
    "xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\" ",
    "xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" ",
    "xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\""
);

/// The XML declaration.
pub const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

fn paragraph_style(id: &str, name: &str, based_on: Option<&str>, ppr: &str, rpr: &str) -> String {
    let mut s = format!(
        "<w:style w:type=\"paragraph\" w:customStyle=\"1\" w:styleId=\"{id}\"><w:name w:val=\"{name}\"/>"
    );
    if let Some(b) = based_on {
        s.push_str(&format!("<w:basedOn w:val=\"{b}\"/>"));
    }
    s.push_str("<w:qFormat/>");
    if !ppr.is_empty() {
        s.push_str(&format!("<w:pPr>{ppr}</w:pPr>"));
    }
    if !rpr.is_empty() {
        s.push_str(&format!("<w:rPr>{rpr}</w:rPr>"));
    }
    s.push_str("</w:style>");
    s
}

fn character_style(id: &str, name: &str, rpr: &str) -> String {
    format!(
        "<w:style w:type=\"character\" w:customStyle=\"1\" w:styleId=\"{id}\"><w:name w:val=\"{name}\"/><w:rPr>{rpr}</w:rPr></w:style>"
    )
}

/// `styles.xml`: body text in `font` (the book's first PDF font when
/// Word is likely to have it, else a serif every system has) and the
/// book's language as the default, so that Word checks the spelling in it.
pub fn styles(lang: &str, font: &str) -> String {
    let mut fonts = String::new();
    push_xml_attr(&mut fonts, font);
    let mut lang_attr = String::new();
    push_xml_attr(&mut lang_attr, lang);
    let mono = "w:rFonts w:ascii=\"Courier New\" w:hAnsi=\"Courier New\" w:cs=\"Courier New\"";
    let mut out = String::from(DECLARATION);
    out.push_str(&format!("<w:styles {NAMESPACES}>"));
    out.push_str(&format!(
        "<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii=\"{fonts}\" w:hAnsi=\"{fonts}\" w:eastAsia=\"{fonts}\" w:cs=\"{fonts}\"/><w:sz w:val=\"22\"/><w:szCs w:val=\"22\"/><w:lang w:val=\"{lang_attr}\" w:eastAsia=\"{lang_attr}\" w:bidi=\"{lang_attr}\"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after=\"120\" w:line=\"276\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault></w:docDefaults>"
    ));
    out.push_str("<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style>");
    out.push_str("<w:style w:type=\"character\" w:default=\"1\" w:styleId=\"DefaultParagraphFont\"><w:name w:val=\"Default Paragraph Font\"/><w:uiPriority w:val=\"1\"/><w:semiHidden/></w:style>");
    out.push_str(&paragraph_style(
        "BodyText",
        "Body Text",
        Some("Normal"),
        "<w:spacing w:before=\"0\" w:after=\"120\"/><w:jc w:val=\"both\"/>",
        "",
    ));
    out.push_str(&paragraph_style(
        "FirstParagraph",
        "First Paragraph",
        Some("BodyText"),
        "",
        "",
    ));
    out.push_str(&paragraph_style(
        "Compact",
        "Compact",
        Some("BodyText"),
        "<w:spacing w:before=\"36\" w:after=\"36\"/><w:jc w:val=\"left\"/>",
        "",
    ));
    out.push_str(&paragraph_style(
        "Title",
        "Title",
        Some("Normal"),
        "<w:keepNext/><w:spacing w:before=\"2400\" w:after=\"240\"/><w:jc w:val=\"center\"/>",
        "<w:b/><w:sz w:val=\"48\"/><w:szCs w:val=\"48\"/>",
    ));
    out.push_str(&paragraph_style(
        "Subtitle",
        "Subtitle",
        Some("Title"),
        "<w:spacing w:before=\"120\" w:after=\"480\"/>",
        "<w:b w:val=\"0\"/><w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/>",
    ));
    out.push_str(&paragraph_style(
        "Author",
        "Author",
        Some("Normal"),
        "<w:keepNext/><w:spacing w:after=\"360\"/>",
        "<w:i/><w:iCs/>",
    ));
    out.push_str(&paragraph_style(
        "Identifier",
        "Identifier",
        Some("Normal"),
        "<w:spacing w:after=\"240\"/>",
        "<w:sz w:val=\"20\"/><w:szCs w:val=\"20\"/>",
    ));
    out.push_str(&paragraph_style(
        "AbstractTitle",
        "Abstract Title",
        Some("Normal"),
        "<w:keepNext/><w:spacing w:before=\"240\" w:after=\"60\"/>",
        "<w:b/><w:sz w:val=\"20\"/>",
    ));
    out.push_str(&paragraph_style(
        "Abstract",
        "Abstract",
        Some("Normal"),
        "<w:ind w:left=\"567\" w:right=\"567\"/>",
        "<w:sz w:val=\"20\"/><w:szCs w:val=\"20\"/>",
    ));
    for (level, size, before) in [
        (1, 36, 0),
        (2, 28, 360),
        (3, 24, 240),
        (4, 22, 240),
        (5, 22, 200),
        (6, 22, 200),
    ] {
        let page_break = if level == 1 {
            "<w:pageBreakBefore/>"
        } else {
            ""
        };
        let italic = if level >= 4 { "<w:i/><w:iCs/>" } else { "" };
        out.push_str(&format!(
            "<w:style w:type=\"paragraph\" w:styleId=\"Heading{level}\"><w:name w:val=\"heading {level}\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"FirstParagraph\"/><w:uiPriority w:val=\"9\"/><w:qFormat/><w:pPr><w:keepNext/><w:keepLines/>{page_break}<w:spacing w:before=\"{before}\" w:after=\"120\"/><w:outlineLvl w:val=\"{}\"/></w:pPr><w:rPr><w:b/><w:bCs/>{italic}<w:sz w:val=\"{size}\"/><w:szCs w:val=\"{size}\"/></w:rPr></w:style>",
            level - 1
        ));
    }
    out.push_str(&paragraph_style(
        "Part",
        "Part",
        Some("Normal"),
        "<w:keepNext/><w:pageBreakBefore/><w:spacing w:before=\"2400\" w:after=\"480\"/><w:jc w:val=\"center\"/><w:outlineLvl w:val=\"0\"/>",
        "<w:b/><w:caps/><w:sz w:val=\"36\"/><w:szCs w:val=\"36\"/>",
    ));
    out.push_str(&paragraph_style(
        "BlockText",
        "Block Text",
        Some("BodyText"),
        "<w:ind w:left=\"567\" w:right=\"567\"/><w:jc w:val=\"left\"/>",
        "<w:sz w:val=\"20\"/><w:szCs w:val=\"20\"/>",
    ));
    out.push_str(&paragraph_style(
        "SourceCode",
        "Source Code",
        Some("Normal"),
        "<w:wordWrap w:val=\"off\"/><w:spacing w:before=\"120\" w:after=\"120\" w:line=\"240\" w:lineRule=\"auto\"/>",
        &format!("<{mono}/><w:sz w:val=\"18\"/><w:szCs w:val=\"18\"/>"),
    ));
    out.push_str(&paragraph_style(
        "DisplayMath",
        "Display Math",
        Some("Normal"),
        "<w:jc w:val=\"center\"/>",
        "",
    ));
    out.push_str(&paragraph_style(
        "CaptionedFigure",
        "Captioned Figure",
        Some("Normal"),
        "<w:keepNext/><w:spacing w:before=\"120\" w:after=\"60\"/><w:jc w:val=\"center\"/>",
        "",
    ));
    out.push_str(&paragraph_style(
        "Caption",
        "caption",
        Some("Normal"),
        "<w:spacing w:before=\"60\" w:after=\"240\"/>",
        "<w:sz w:val=\"20\"/><w:szCs w:val=\"20\"/>",
    ));
    out.push_str(&paragraph_style(
        "ImageCaption",
        "Image Caption",
        Some("Caption"),
        "<w:jc w:val=\"center\"/>",
        "",
    ));
    out.push_str(&paragraph_style(
        "TableCaption",
        "Table Caption",
        Some("Caption"),
        "<w:keepNext/><w:spacing w:before=\"240\" w:after=\"60\"/>",
        "",
    ));
    out.push_str(&paragraph_style(
        "Header",
        "header",
        Some("Normal"),
        "<w:jc w:val=\"center\"/>",
        "<w:i/><w:iCs/><w:sz w:val=\"18\"/><w:szCs w:val=\"18\"/>",
    ));
    out.push_str(&paragraph_style(
        "Bibliography",
        "Bibliography",
        Some("Normal"),
        "<w:spacing w:after=\"60\"/><w:ind w:left=\"360\" w:hanging=\"360\"/>",
        "",
    ));
    out.push_str(&paragraph_style(
        "FootnoteText",
        "footnote text",
        Some("Normal"),
        "<w:spacing w:after=\"40\" w:line=\"240\" w:lineRule=\"auto\"/><w:jc w:val=\"both\"/>",
        "<w:sz w:val=\"18\"/><w:szCs w:val=\"18\"/>",
    ));
    out.push_str(&character_style(
        "FootnoteReference",
        "footnote reference",
        "<w:vertAlign w:val=\"superscript\"/>",
    ));
    out.push_str(&character_style("SectionNumber", "Section Number", ""));
    out.push_str(&character_style(
        "Hyperlink",
        "Hyperlink",
        "<w:color w:val=\"1F4E8C\"/>",
    ));
    out.push_str(&character_style(
        "VerbatimChar",
        "Verbatim Char",
        &format!("<{mono}/><w:sz w:val=\"20\"/>"),
    ));
    out.push_str("<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/><w:semiHidden/><w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/><w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>");
    out.push_str("<w:style w:type=\"table\" w:customStyle=\"1\" w:styleId=\"Table\"><w:name w:val=\"Table\"/><w:basedOn w:val=\"TableNormal\"/><w:tblPr><w:tblBorders><w:top w:val=\"single\" w:sz=\"8\" w:space=\"0\" w:color=\"auto\"/><w:bottom w:val=\"single\" w:sz=\"8\" w:space=\"0\" w:color=\"auto\"/><w:insideH w:val=\"single\" w:sz=\"2\" w:space=\"0\" w:color=\"auto\"/></w:tblBorders></w:tblPr><w:tblStylePr w:type=\"firstRow\"><w:rPr><w:b/><w:bCs/></w:rPr><w:tcPr><w:tcBorders><w:bottom w:val=\"single\" w:sz=\"6\" w:space=\"0\" w:color=\"auto\"/></w:tcBorders></w:tcPr></w:tblStylePr></w:style>");
    out.push_str("</w:styles>");
    out
}

/// `numbering.xml`: a bullet list and a decimal list definition, nine
/// levels each, and one instance per list of the book (so that each
/// ordered list starts at its own number).
pub fn numbering(lists: &[ListInstance]) -> String {
    let mut out = String::from(DECLARATION);
    out.push_str(&format!("<w:numbering {NAMESPACES}>"));
    let bullets = ["•", "◦", "▪"];
    for (abstract_id, ordered) in [(0, false), (1, true)] {
        out.push_str(&format!(
            "<w:abstractNum w:abstractNumId=\"{abstract_id}\"><w:multiLevelType w:val=\"multilevel\"/>"
        ));
        for level in 0..9u32 {
            let indent = 720 * (level + 1);
            let (fmt, text) = if ordered {
                ("decimal".to_string(), format!("%{}.", level + 1))
            } else {
                (
                    "bullet".to_string(),
                    bullets[level as usize % 3].to_string(),
                )
            };
            out.push_str(&format!(
                "<w:lvl w:ilvl=\"{level}\"><w:start w:val=\"1\"/><w:numFmt w:val=\"{fmt}\"/><w:lvlText w:val=\"{text}\"/><w:lvlJc w:val=\"left\"/><w:pPr><w:ind w:left=\"{indent}\" w:hanging=\"360\"/></w:pPr></w:lvl>"
            ));
        }
        out.push_str("</w:abstractNum>");
    }
    for (i, list) in lists.iter().enumerate() {
        let abstract_id = usize::from(list.ordered);
        out.push_str(&format!(
            "<w:num w:numId=\"{}\"><w:abstractNumId w:val=\"{abstract_id}\"/>",
            i + 1
        ));
        if list.ordered {
            out.push_str(&format!(
                "<w:lvlOverride w:ilvl=\"{}\"><w:startOverride w:val=\"{}\"/></w:lvlOverride>",
                list.level.min(8),
                list.start
            ));
        }
        out.push_str("</w:num>");
    }
    out.push_str("</w:numbering>");
    out
}

/// `settings.xml`: the footnote separators, and no spelling marks left
/// from the machine that wrote the file.
pub fn settings() -> String {
    format!(
        "{DECLARATION}<w:settings {NAMESPACES}><w:defaultTabStop w:val=\"720\"/><w:characterSpacingControl w:val=\"doNotCompress\"/><w:footnotePr><w:footnote w:id=\"-1\"/><w:footnote w:id=\"0\"/></w:footnotePr><w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat></w:settings>"
    )
}

/// `footnotes.xml` around the notes' `<w:footnote>` elements.
pub fn footnotes(notes: &str) -> String {
    format!(
        "{DECLARATION}<w:footnotes {NAMESPACES}><w:footnote w:type=\"separator\" w:id=\"-1\"><w:p><w:pPr><w:spacing w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote><w:footnote w:type=\"continuationSeparator\" w:id=\"0\"><w:p><w:pPr><w:spacing w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>{notes}</w:footnotes>"
    )
}
