//! Word's lists: whether a numbered paragraph is a bullet or a numbered
//! item, and where its numbering starts.
//!
//! Input: `word/numbering.xml` and the styles (for `w:numStyleLink`).
//! Output: [`Numbering::level`], the [`Level`] of a `w:numId` at an
//! `w:ilvl`, with the instance's overrides (`w:lvlOverride`) applied.

use std::collections::HashMap;

use roxmltree::Node;

use super::package::LocalName;
use super::styles::{Styles, attr, child, val};

/// What one level of a list is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level {
    /// Numbered (decimal, letters, roman…) rather than bulleted.
    pub ordered: bool,
    /// `w:numFmt="none"`: no mark at all, so not a list item.
    pub none: bool,
    /// The first number.
    pub start: u32,
}

impl Default for Level {
    fn default() -> Self {
        Level {
            ordered: false,
            none: false,
            start: 1,
        }
    }
}

fn read_level(lvl: Node) -> Level {
    let format = child(lvl, "numFmt").and_then(val).unwrap_or("bullet");
    Level {
        ordered: !matches!(format, "bullet" | "none"),
        none: format == "none",
        start: child(lvl, "start")
            .and_then(val)
            .and_then(|v| v.parse().ok())
            .unwrap_or(1),
    }
}

fn read_levels(parent: Node) -> HashMap<u8, Level> {
    parent
        .children()
        .filter(|n| n.has_tag_name_local("lvl"))
        .filter_map(|lvl| Some((attr(lvl, "ilvl")?.parse::<u8>().ok()?, read_level(lvl))))
        .collect()
}

#[derive(Debug, Clone, Default)]
struct Abstract {
    levels: HashMap<u8, Level>,
    style_link: Option<String>,
}

#[derive(Debug, Clone, Default)]
struct Num {
    abstract_id: String,
    levels: HashMap<u8, Level>,
    starts: HashMap<u8, u32>,
}

/// The lists of a document.
#[derive(Debug, Clone, Default)]
pub struct Numbering {
    nums: HashMap<String, Num>,
    abstracts: HashMap<String, Abstract>,
}

impl Numbering {
    /// Reads `numbering.xml` (a document without one has no lists).
    pub fn read(doc: Option<&roxmltree::Document>) -> Numbering {
        let mut out = Numbering::default();
        let Some(doc) = doc else { return out };
        for node in doc.root_element().children().filter(Node::is_element) {
            match node.tag_name().name() {
                "abstractNum" => {
                    let Some(id) = attr(node, "abstractNumId") else {
                        continue;
                    };
                    out.abstracts.insert(
                        id.to_string(),
                        Abstract {
                            levels: read_levels(node),
                            style_link: child(node, "numStyleLink")
                                .and_then(val)
                                .map(str::to_string),
                        },
                    );
                }
                "num" => {
                    let Some(id) = attr(node, "numId") else {
                        continue;
                    };
                    let mut num = Num {
                        abstract_id: child(node, "abstractNumId")
                            .and_then(val)
                            .unwrap_or("")
                            .to_string(),
                        ..Num::default()
                    };
                    for o in node
                        .children()
                        .filter(|n| n.has_tag_name_local("lvlOverride"))
                    {
                        let Some(ilvl) = attr(o, "ilvl").and_then(|v| v.parse::<u8>().ok()) else {
                            continue;
                        };
                        if let Some(start) = child(o, "startOverride")
                            .and_then(val)
                            .and_then(|v| v.parse().ok())
                        {
                            num.starts.insert(ilvl, start);
                        }
                        if let Some(lvl) = child(o, "lvl") {
                            num.levels.insert(ilvl, read_level(lvl));
                        }
                    }
                    out.nums.insert(id.to_string(), num);
                }
                _ => {}
            }
        }
        out
    }

    /// The level `ilvl` of the list `num_id`; `None` when the id is `0`
    /// (numbering removed) or unknown.
    pub fn level(&self, styles: &Styles, num_id: &str, ilvl: u8) -> Option<Level> {
        let mut num_id = num_id.to_string();
        // A numbering style link is followed a few times at most.
        for _ in 0..4 {
            let num = self.nums.get(&num_id)?;
            let start = num.starts.get(&ilvl).copied();
            if let Some(level) = num.levels.get(&ilvl) {
                return Some(Level {
                    start: start.unwrap_or(level.start),
                    ..*level
                });
            }
            let abs = self.abstracts.get(&num.abstract_id)?;
            if let Some(level) = abs.levels.get(&ilvl) {
                return Some(Level {
                    start: start.unwrap_or(level.start),
                    ..*level
                });
            }
            match abs
                .style_link
                .as_deref()
                .and_then(|s| styles.numbering_style_num(s))
            {
                Some(linked) if linked.num_id != num_id => num_id = linked.num_id,
                _ => return Some(Level::default()),
            }
        }
        Some(Level::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bullets_numbers_overrides_and_none() {
        let text = r#"<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
            <w:abstractNum w:abstractNumId="0">
              <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/></w:lvl>
              <w:lvl w:ilvl="1"><w:start w:val="3"/><w:numFmt w:val="lowerLetter"/></w:lvl>
              <w:lvl w:ilvl="2"><w:numFmt w:val="none"/></w:lvl>
            </w:abstractNum>
            <w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
            <w:num w:numId="2"><w:abstractNumId w:val="0"/>
              <w:lvlOverride w:ilvl="1"><w:startOverride w:val="7"/></w:lvlOverride>
              <w:lvlOverride w:ilvl="0"><w:lvl w:ilvl="0"><w:numFmt w:val="decimal"/></w:lvl></w:lvlOverride>
            </w:num>
        </w:numbering>"#;
        let doc = roxmltree::Document::parse(text).unwrap();
        let n = Numbering::read(Some(&doc));
        let s = Styles::default();
        assert!(!n.level(&s, "1", 0).unwrap().ordered);
        let l = n.level(&s, "1", 1).unwrap();
        assert!(l.ordered && l.start == 3);
        assert!(n.level(&s, "1", 2).unwrap().none);
        assert_eq!(n.level(&s, "2", 1).unwrap().start, 7);
        assert!(n.level(&s, "2", 0).unwrap().ordered);
        assert_eq!(n.level(&s, "0", 0), None);
        assert_eq!(n.level(&s, "9", 0), None);
    }
}
