//! Characters no font draws: after layout, each glyph Typst could not find
//! in any font is the font's `.notdef` (glyph 0), which prints as an empty
//! box. Each run of them is an error at the Markdown `file:line:col` that
//! wrote it, naming the characters and their Unicode blocks, in every build
//! (Typst itself refuses them only in PDF/A builds, at export, without
//! saying where in the Markdown).
//!
//! Input: the laid-out document, the generated sources and their maps.
//! Output: one diagnostic per distinct run of undrawn characters and place
//! (a title repeated in the contents and the running heads is one).

use std::collections::BTreeSet;

use typst::WorldExt;
use typst::layout::{Frame, FrameItem};
use typst::text::TextItem;
use typst_layout::PagedDocument;

use super::emit::{Emitted, META_PATH};
use super::world::BookWorld;
use crate::diag::{Diagnostic, Span};
use crate::model::Book;

/// A place in a Markdown file: file, byte range.
type Place = Option<(crate::source::FileId, usize, usize)>;

/// A run of characters that no font draws, where it was written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Undrawn {
    /// Where in the Markdown, when the text came from a chapter.
    span: Place,
    /// The characters, as written.
    text: String,
    /// Where the text came from when it is not a chapter's.
    origin: Origin,
    /// The first page it is on.
    page: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Origin {
    Chapter,
    /// book.toml or contributors.toml, through `meta.typ`.
    Metadata,
    /// The template or nowhere known.
    Other,
}

/// Every run of undrawn characters of `document`, as errors.
pub fn undrawn(
    world: &BookWorld,
    book: &Book,
    emitted: &Emitted,
    document: &PagedDocument,
) -> Vec<Diagnostic> {
    let mut found: BTreeSet<Undrawn> = BTreeSet::new();
    let mut seen: BTreeSet<(Place, String, Origin)> = BTreeSet::new();
    for (i, page) in document.pages().iter().enumerate() {
        walk(&page.frame, &mut |text| {
            for run in runs(text) {
                let item = locate(world, book, emitted, text, &run, i + 1);
                if seen.insert((item.span, item.text.clone(), item.origin)) {
                    found.insert(item);
                }
            }
        });
    }
    let mut out: Vec<Diagnostic> = found.into_iter().map(|u| diagnostic(book, &u)).collect();
    out.sort_by_key(|d| d.span.as_ref().map(|s| (s.file, s.range.start)));
    out
}

/// Calls `f` on every text item of `frame`, nested groups included.
fn walk(frame: &Frame, f: &mut dyn FnMut(&TextItem)) {
    for (_, item) in frame.items() {
        match item {
            FrameItem::Group(group) => walk(&group.frame, f),
            FrameItem::Text(text) => f(text),
            _ => {}
        }
    }
}

/// The runs of consecutive `.notdef` glyphs of a text item, as glyph index
/// ranges, leaving out characters that are never drawn anyway (format
/// characters such as zero-width spaces and joiners).
fn runs(text: &TextItem) -> Vec<std::ops::Range<usize>> {
    let mut out: Vec<std::ops::Range<usize>> = Vec::new();
    for (i, glyph) in text.glyphs.iter().enumerate() {
        if glyph.id != 0 {
            continue;
        }
        let chars = text.text.get(glyph.range()).unwrap_or("");
        if chars.chars().all(|c| c.is_whitespace() || is_invisible(c)) {
            continue;
        }
        match out.last_mut() {
            Some(last) if last.end == i => last.end = i + 1,
            _ => out.push(i..i + 1),
        }
    }
    out
}

/// Characters no font needs to draw.
fn is_invisible(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFF8 | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A
        | 0xE0000..=0xE0FFF)
        || c.is_control()
}

/// Where the run `glyphs` of `text` was written.
fn locate(
    world: &BookWorld,
    book: &Book,
    emitted: &Emitted,
    text: &TextItem,
    glyphs: &std::ops::Range<usize>,
    page: usize,
) -> Undrawn {
    let first = &text.glyphs[glyphs.start];
    let last = &text.glyphs[glyphs.end - 1];
    let chars = text
        .text
        .get(first.range().start..last.range().end)
        .unwrap_or("")
        .to_string();
    let chars: String = chars.chars().filter(|c| !is_invisible(*c)).collect();
    let mut undrawn = Undrawn {
        span: None,
        text: chars.clone(),
        origin: Origin::Other,
        page,
    };
    let (span, offset) = first.span;
    let Some(id) = span.id() else {
        return undrawn;
    };
    let path = BookWorld::path_of(id);
    if path == META_PATH {
        undrawn.origin = Origin::Metadata;
        return undrawn;
    }
    let Some(chapter) = emitted.chapters.iter().find(|c| c.path == path) else {
        return undrawn;
    };
    let Some(range) = world.range(span) else {
        return undrawn;
    };
    let generated = range.start + offset as usize;
    let Some((start, md, exact)) = chapter.map.entry_at(generated) else {
        return undrawn;
    };
    undrawn.origin = Origin::Chapter;
    let source = &book.sources.get(md.file).text;
    let c = chars.chars().next().unwrap_or(' ');
    let at = if exact {
        md.range.start + (generated - start)
    } else {
        // The mark is a whole block: find the same occurrence of the
        // character in its Markdown as in its generated text.
        let nth = chapter
            .text
            .get(start..generated)
            .map(|g| g.matches(c).count())
            .unwrap_or(0);
        let written = source.get(md.range.clone()).unwrap_or("");
        let mut positions = written.match_indices(c).map(|(i, _)| md.range.start + i);
        let all: Vec<usize> = positions.by_ref().collect();
        all.get(nth)
            .or(all.first())
            .copied()
            .unwrap_or(md.range.start)
    };
    let end = at
        + source
            .get(at..)
            .and_then(|s| s.chars().next())
            .map_or(1, char::len_utf8);
    undrawn.span = Some((md.file, at.min(source.len()), end.min(source.len())));
    undrawn
}

fn diagnostic(_book: &Book, u: &Undrawn) -> Diagnostic {
    let mut blocks: Vec<&'static str> = Vec::new();
    for c in u.text.chars() {
        let name = block_name(c);
        if !blocks.contains(&name) {
            blocks.push(name);
        }
    }
    let codes: Vec<String> = u
        .text
        .chars()
        .take(4)
        .map(|c| format!("U+{:04X}", c as u32))
        .collect();
    let codes = if u.text.chars().count() > 4 {
        format!("{} …", codes.join(" "))
    } else {
        codes.join(" ")
    };
    let r#where = match u.origin {
        Origin::Chapter => String::new(),
        Origin::Metadata => " (in book.toml or contributors.toml)".to_string(),
        Origin::Other => format!(" (on page {})", u.page),
    };
    let message = format!(
        "no font of the PDF draws `{}` ({codes}, {}){where}: it would print as {}",
        u.text,
        blocks.join(", "),
        if u.text.chars().count() > 1 {
            "empty boxes"
        } else {
            "an empty box"
        },
        r#where = r#where,
    );
    let suggestions: Vec<String> = blocks
        .iter()
        .filter_map(|b| suggested_font(b))
        .map(|(family, package)| format!("\"{family}\" (Debian's {package})"))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let fonts = if suggestions.is_empty() {
        format!("a font that covers {}", blocks.join(" and "))
    } else {
        suggestions.join(", ")
    };
    let mut d = match u.span {
        Some((file, start, end)) => Diagnostic::error(Span::new(file, start..end), message),
        None => Diagnostic::error_in(None, message),
    };
    d = d.hint(format!(
        "put {fonts} in the book's fonts/ folder and name it in `fallback-fonts` under [pdf] in book.toml, or set `system-fonts = true` there to use the system's fonts"
    ));
    d
}

/// The Unicode block of `c`, by name.
pub fn block_name(c: char) -> &'static str {
    unicode_blocks::find_unicode_block(c)
        .map(|b| b.name())
        .unwrap_or("no Unicode block")
}

/// A free font a text needs for characters that none of Typst's embedded
/// fonts draws: what [`undrawn`] would report after layout, known from the
/// text alone (`ouvrage import` asks before it writes book.toml).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeededFont {
    /// The family, as `fallback-fonts` names it.
    pub family: &'static str,
    /// The Debian package that has it.
    pub package: &'static str,
    /// The first few characters that need it.
    pub sample: String,
    /// Whether the system's fonts have this family.
    pub on_system: bool,
}

/// The free fonts `texts` need beyond Typst's embedded ones, in the order
/// first needed, and the characters no known free font is suggested for.
/// The system's fonts are scanned only when some font is needed.
pub fn fonts_needed<'a>(texts: impl IntoIterator<Item = &'a str>) -> (Vec<NeededFont>, Vec<char>) {
    // Not the math fonts: New Computer Modern Math draws a few letters of
    // other scripts (Devanagari), which Typst's fallback finds for a letter
    // alone but not for a mark that follows other text (`'े`).
    let embedded: Vec<typst::text::Coverage> = typst_kit::fonts::embedded()
        .filter(|(_, info)| !info.family.contains("Math"))
        .map(|(_, info)| info.coverage)
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut needed: Vec<NeededFont> = Vec::new();
    let mut others = Vec::new();
    for text in texts {
        for c in text.chars() {
            if c.is_ascii()
                || c.is_whitespace()
                || c.is_control()
                || is_invisible(c)
                || !seen.insert(c)
            {
                continue;
            }
            if embedded.iter().any(|cov| cov.contains(c as u32)) {
                continue;
            }
            match suggested_font(block_name(c)) {
                Some((family, package)) => match needed.iter_mut().find(|n| n.family == family) {
                    Some(n) if n.sample.chars().count() < 8 => n.sample.push(c),
                    Some(_) => {}
                    None => needed.push(NeededFont {
                        family,
                        package,
                        sample: c.to_string(),
                        on_system: false,
                    }),
                },
                None => others.push(c),
            }
        }
    }
    if !needed.is_empty() {
        let system: std::collections::HashSet<String> = typst_kit::fonts::system()
            .map(|(_, info)| info.family.to_lowercase())
            .collect();
        for n in &mut needed {
            n.on_system = system.contains(&n.family.to_lowercase());
        }
    }
    (needed, others)
}

/// A free font that covers a block, with the Debian package that has it.
fn suggested_font(block: &str) -> Option<(&'static str, &'static str)> {
    let cjk = [
        "CJK",
        "Hiragana",
        "Katakana",
        "Hangul",
        "Bopomofo",
        "Kanbun",
        "Halfwidth and Fullwidth Forms",
    ];
    if cjk.iter().any(|k| block.contains(k)) {
        return Some(("Noto Sans CJK SC", "fonts-noto-cjk"));
    }
    let emoji = [
        "Emoticons",
        "Pictographs",
        "Transport and Map Symbols",
        "Supplemental Symbols",
        "Symbols and Pictographs",
        "Dingbats",
        "Miscellaneous Symbols",
        "Playing Cards",
        "Mahjong",
        "Domino",
    ];
    if emoji.iter().any(|k| block.contains(k)) {
        return Some(("Noto Color Emoji", "fonts-noto-color-emoji"));
    }
    let script = match block {
        "Devanagari" | "Devanagari Extended" | "Devanagari Extended-A" => "Noto Sans Devanagari",
        "Bengali" => "Noto Sans Bengali",
        "Thai" => "Noto Sans Thai",
        "Arabic"
        | "Arabic Supplement"
        | "Arabic Extended-A"
        | "Arabic Presentation Forms-A"
        | "Arabic Presentation Forms-B" => "Noto Sans Arabic",
        "Hebrew" => "Noto Sans Hebrew",
        "Tamil" => "Noto Sans Tamil",
        "Telugu" => "Noto Sans Telugu",
        "Gujarati" => "Noto Sans Gujarati",
        "Gurmukhi" => "Noto Sans Gurmukhi",
        "Kannada" => "Noto Sans Kannada",
        "Malayalam" => "Noto Sans Malayalam",
        "Georgian" => "Noto Sans Georgian",
        "Armenian" => "Noto Sans Armenian",
        "Ethiopic" => "Noto Sans Ethiopic",
        "Khmer" => "Noto Sans Khmer",
        "Lao" => "Noto Sans Lao",
        "Myanmar" => "Noto Sans Myanmar",
        "Sinhala" => "Noto Sans Sinhala",
        "Tibetan" => "Noto Serif Tibetan",
        _ => return None,
    };
    Some((script, "fonts-noto-core"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_and_suggestions() {
        assert_eq!(block_name('न'), "Devanagari");
        assert_eq!(block_name('😀'), "Emoticons");
        assert_eq!(block_name('字'), "CJK Unified Ideographs");
        assert_eq!(
            suggested_font(block_name('字')).map(|s| s.0),
            Some("Noto Sans CJK SC")
        );
        assert_eq!(
            suggested_font(block_name('🌍')).map(|s| s.0),
            Some("Noto Color Emoji")
        );
        assert!(is_invisible('\u{200B}') && is_invisible('\u{FE0F}'));
        let (needed, others) = fonts_needed(["Plain é ü ß — “quotes” Ωμέγα", "日本 😻 字"]);
        let families: Vec<&str> = needed.iter().map(|n| n.family).collect();
        assert_eq!(families, ["Noto Sans CJK SC", "Noto Color Emoji"]);
        assert_eq!(needed[0].sample, "日本字");
        let (needed, _) = fonts_needed(["['न', '्']"]);
        assert_eq!(needed[0].family, "Noto Sans Devanagari");
        assert!(others.is_empty(), "{others:?}");
        assert_eq!(
            fonts_needed(["Only Latin, ça va"]),
            (Vec::new(), Vec::new())
        );
        assert!(!is_invisible('न'));
    }
}
