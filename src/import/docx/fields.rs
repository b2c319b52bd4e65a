//! Word's fields: what an instruction (`HYPERLINK "…"`, `SEQ Figure`,
//! `ADDIN ZOTERO_ITEM CSL_CITATION {…}`, `TOC \o "1-3"`…) asks for, and
//! citations of Zotero and Mendeley made Pandoc citations of the book's
//! bibliography.
//!
//! Input: a field's instruction text, and the works of the book's
//! bibliography. Output: a [`FieldKind`]; for a citation, `[@key, p. 12]`
//! when every cited item is found in the bibliography by its DOI or its
//! title, else what was not found.

use std::collections::HashMap;

use serde_json::Value;

/// A work of the book's bibliography, as citations are matched to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Work {
    /// Its key in the bibliography.
    pub key: String,
    /// Its DOI, when it has one.
    pub doi: Option<String>,
    /// Its title.
    pub title: Option<String>,
}

/// The works of the bibliography, indexed by DOI and by title.
#[derive(Debug, Clone, Default)]
pub struct Works {
    by_doi: HashMap<String, String>,
    by_title: HashMap<String, String>,
    /// By the title before its subtitle (`Governing the Commons` of
    /// `Governing the Commons: The Evolution…`), when one work alone has
    /// it.
    by_main_title: HashMap<String, Option<String>>,
}

/// A DOI as compared: lowercase, without `https://doi.org/` or `doi:`.
fn doi_key(doi: &str) -> String {
    let d = doi.trim().to_lowercase();
    let d = [
        "https://doi.org/",
        "http://doi.org/",
        "https://dx.doi.org/",
        "http://dx.doi.org/",
        "doi:",
    ]
    .iter()
    .find_map(|p| d.strip_prefix(p))
    .map(str::to_string)
    .unwrap_or(d);
    d.trim().to_string()
}

/// A title as compared: its letters and digits, lowercase, accents
/// dropped, words separated by one space (so that `{O}strom's {\em
/// Governing}` and `Ostrom’s Governing` compare equal).
fn title_key(title: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::new();
    let mut space = false;
    for c in title.nfkd() {
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.extend(c.to_lowercase());
        } else if c.is_whitespace() || matches!(c, '-' | '–' | '—' | '/' | ':') {
            space = true;
        }
    }
    out
}

/// A title's key without its subtitle (what follows the first colon).
fn main_title(title: &str) -> String {
    title_key(title.split(':').next().unwrap_or(title))
}

impl Works {
    /// Indexes works (a DOI or a title shared by two works finds the
    /// first).
    pub fn new(works: &[Work]) -> Works {
        let mut index = Works::default();
        for w in works {
            if let Some(d) = w.doi.as_deref().map(doi_key).filter(|d| !d.is_empty()) {
                index.by_doi.entry(d).or_insert_with(|| w.key.clone());
            }
            if let Some(t) = w.title.as_deref().map(title_key).filter(|t| !t.is_empty()) {
                index.by_title.entry(t).or_insert_with(|| w.key.clone());
            }
            if let Some(t) = w.title.as_deref().map(main_title).filter(|t| !t.is_empty()) {
                index
                    .by_main_title
                    .entry(t)
                    .and_modify(|k| {
                        if k.as_deref() != Some(w.key.as_str()) {
                            *k = None;
                        }
                    })
                    .or_insert_with(|| Some(w.key.clone()));
            }
        }
        index
    }

    /// Whether there is no work at all.
    pub fn is_empty(&self) -> bool {
        self.by_doi.is_empty() && self.by_title.is_empty()
    }

    /// The key of the work with this DOI, else this title, else this
    /// title without its subtitle when one work alone has it.
    pub fn find(&self, doi: Option<&str>, title: Option<&str>) -> Option<&str> {
        doi.map(doi_key)
            .and_then(|d| self.by_doi.get(&d))
            .or_else(|| title.map(title_key).and_then(|t| self.by_title.get(&t)))
            .or_else(|| {
                title
                    .map(main_title)
                    .and_then(|t| self.by_main_title.get(&t))
                    .and_then(Option::as_ref)
            })
            .map(String::as_str)
    }
}

/// What a field is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    /// A link: its address, or `None` for a place in the document.
    Hyperlink(Option<String>),
    /// A Zotero or Mendeley citation: its CSL JSON.
    Citation(String),
    /// A citation by another tool (EndNote), kept as its text.
    OtherCitation(&'static str),
    /// A bibliography made by a reference manager: the book makes its own.
    Bibliography,
    /// A table of contents, an index, a table of authorities: the book
    /// makes its own.
    Generated(&'static str),
    /// An index or contents entry (no text of its own).
    Entry,
    /// A caption's number.
    Seq,
    /// A cross-reference (`REF`, `PAGEREF`, `NOTEREF`): its text stays.
    CrossRef,
    /// No instruction.
    Empty,
    /// Any other field, by its name: its text stays.
    Other(String),
}

/// The words of an instruction, quoted strings as one word.
fn words(instr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = instr.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut word = String::new();
        if c == '"' || c == '“' || c == '”' {
            chars.next();
            for c in chars.by_ref() {
                if c == '"' || c == '”' || c == '“' {
                    break;
                }
                word.push(c);
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                word.push(c);
                chars.next();
            }
        }
        out.push(word);
    }
    out
}

/// What the field of this instruction is.
pub fn classify(instr: &str) -> FieldKind {
    let trimmed = instr.trim();
    let upper = trimmed.to_uppercase();
    let words = words(trimmed);
    let Some(name) = words.first().map(|w| w.to_uppercase()) else {
        return FieldKind::Empty;
    };
    match name.as_str() {
        "HYPERLINK" => {
            let mut url: Option<String> = None;
            let mut anchor = None;
            let mut iter = words.iter().skip(1);
            while let Some(w) = iter.next() {
                match w.as_str() {
                    // A place in the target (or, alone, in this document).
                    "\\l" => anchor = iter.next().cloned(),
                    "\\o" | "\\t" => {
                        iter.next();
                    }
                    s if s.starts_with('\\') => {}
                    s if url.is_none() => url = Some(s.to_string()),
                    _ => {}
                }
            }
            let url = url.filter(|u| !u.is_empty()).map(|u| match anchor {
                Some(a) if !a.is_empty() => format!("{u}#{a}"),
                _ => u,
            });
            FieldKind::Hyperlink(url)
        }
        "ADDIN" => {
            if upper.contains("CSL_BIBLIOGRAPHY")
                || upper.contains("ZOTERO_BIBL")
                || upper.contains("MENDELEY BIBLIOGRAPHY")
                || upper.contains("EN.REFLIST")
            {
                return FieldKind::Bibliography;
            }
            let json_from = upper
                .find("CSL_CITATION")
                .map(|at| at + "CSL_CITATION".len())
                .or_else(|| upper.find("ZOTERO_ITEM").map(|at| at + "ZOTERO_ITEM".len()));
            if let Some(from) = json_from
                && let Some(brace) = trimmed.get(from..).and_then(|s| s.find('{'))
            {
                return FieldKind::Citation(trimmed[from + brace..].to_string());
            }
            if upper.contains("EN.CITE") {
                return FieldKind::OtherCitation("EndNote");
            }
            if upper.contains("CITAVI") {
                return FieldKind::OtherCitation("Citavi");
            }
            FieldKind::Other(format!(
                "ADDIN {}",
                words.get(1).map(String::as_str).unwrap_or("")
            ))
        }
        "TOC" => FieldKind::Generated("table of contents"),
        "INDEX" => FieldKind::Generated("index"),
        "TOA" => FieldKind::Generated("table of authorities"),
        "BIBLIOGRAPHY" => FieldKind::Bibliography,
        "XE" | "TC" | "TA" | "RD" => FieldKind::Entry,
        "SEQ" => FieldKind::Seq,
        "REF" | "PAGEREF" | "NOTEREF" | "STYLEREF" => FieldKind::CrossRef,
        "CITATION" => FieldKind::OtherCitation("Word's own references"),
        _ => FieldKind::Other(name),
    }
}

/// How a citation field turned out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cited {
    /// Every item found: the Pandoc citation.
    Markdown(String),
    /// Items not found in the bibliography, described by their title (or
    /// what the field printed).
    Unmatched(Vec<String>),
    /// The field's data could not be read.
    Unreadable,
}

/// CSL's locator labels, as the book prints them.
fn label_abbreviation(label: &str) -> &str {
    match label {
        "page" => "p.",
        "book" => "bk.",
        "chapter" => "chap.",
        "column" => "col.",
        "figure" => "fig.",
        "folio" => "fol.",
        "issue" => "no.",
        "line" => "l.",
        "note" => "n.",
        "opus" => "op.",
        "paragraph" => "para.",
        "part" => "pt.",
        "section" => "sec.",
        "sub verbo" => "s.v.",
        "verse" => "v.",
        "volume" => "vol.",
        other => other,
    }
}

/// Text put inside a citation's brackets: the characters that would end
/// or split it left out.
fn citation_text(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ';' | '@' | '\\'))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    cleaned.trim().to_string()
}

/// `@key`, or `@{key}` when the key holds characters a bare key cannot.
fn cite_key(key: &str) -> String {
    let bare = key
        .chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || c == '_')
        && key
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || ":.#$%&-+?<>~/".contains(c));
    if bare {
        format!("@{key}")
    } else {
        format!("@{{{}}}", key.replace(['{', '}'], ""))
    }
}

fn string_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A Zotero or Mendeley citation (CSL JSON: `citationItems`, each with its
/// `itemData`, `locator`, `label`, `prefix`, `suffix`,
/// `suppress-author`) as a Pandoc citation of the book's works.
pub fn citation(json: &str, works: &Works) -> Cited {
    let Some(Ok(value)) = serde_json::Deserializer::from_str(json)
        .into_iter::<Value>()
        .next()
    else {
        return Cited::Unreadable;
    };
    let Some(items) = value.get("citationItems").and_then(Value::as_array) else {
        return Cited::Unreadable;
    };
    if items.is_empty() {
        return Cited::Unreadable;
    }
    let mut parts = Vec::new();
    let mut unmatched = Vec::new();
    for item in items {
        let data = item.get("itemData").unwrap_or(&Value::Null);
        let doi = data.get("DOI").and_then(Value::as_str);
        let title = data.get("title").and_then(Value::as_str);
        let Some(key) = works.find(doi, title) else {
            unmatched.push(match (title, doi) {
                (Some(t), _) => format!("“{t}”"),
                (None, Some(d)) => format!("doi:{d}"),
                (None, None) => "an item without a title or a DOI".to_string(),
            });
            continue;
        };
        let mut part = String::new();
        if let Some(prefix) = item.get("prefix").and_then(string_of) {
            let prefix = citation_text(&prefix);
            if !prefix.is_empty() {
                part.push_str(&prefix);
                part.push(' ');
            }
        }
        let suppress = item.get("suppress-author").is_some_and(|v| {
            v.as_bool() == Some(true) || v.as_i64() == Some(1) || v.as_str() == Some("true")
        });
        if suppress {
            part.push('-');
        }
        part.push_str(&cite_key(key));
        let mut after = Vec::new();
        if let Some(locator) = item.get("locator").and_then(string_of) {
            let locator = citation_text(&locator);
            if !locator.is_empty() {
                let label = item.get("label").and_then(Value::as_str).unwrap_or("page");
                after.push(format!("{} {locator}", label_abbreviation(label)));
            }
        }
        if let Some(suffix) = item.get("suffix").and_then(string_of) {
            let suffix = citation_text(&suffix);
            let suffix = suffix.trim_start_matches(',').trim();
            if !suffix.is_empty() {
                after.push(suffix.to_string());
            }
        }
        if !after.is_empty() {
            part.push_str(", ");
            part.push_str(&after.join(" "));
        }
        parts.push(part);
    }
    if !unmatched.is_empty() {
        return Cited::Unmatched(unmatched);
    }
    Cited::Markdown(format!("[{}]", parts.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn works() -> Works {
        Works::new(&[
            Work {
                key: "ostrom1990".into(),
                doi: Some("10.1017/CBO9780511807763".into()),
                title: Some(
                    "Governing the Commons: The Evolution of Institutions for Collective Action"
                        .into(),
                ),
            },
            Work {
                key: "coriat2015".into(),
                doi: None,
                title: Some("Le retour des {communs}".into()),
            },
            Work {
                key: "intro-a".into(),
                doi: None,
                title: Some("Introduction: A".into()),
            },
            Work {
                key: "intro-b".into(),
                doi: None,
                title: Some("Introduction: B".into()),
            },
        ])
    }

    #[test]
    fn titles_match_without_their_subtitle_when_one_work_has_it() {
        let w = works();
        assert_eq!(
            w.find(None, Some("Governing the commons")),
            Some("ostrom1990")
        );
        assert_eq!(
            w.find(None, Some("Governing the Commons: other words")),
            Some("ostrom1990")
        );
        assert_eq!(w.find(None, Some("Introduction")), None);
        assert_eq!(w.find(None, Some("Introduction: B")), Some("intro-b"));
        assert_eq!(
            w.find(Some("10.1017/cbo9780511807763"), None),
            Some("ostrom1990")
        );
    }

    #[test]
    fn instructions_are_classified() {
        assert_eq!(
            classify(" HYPERLINK \"https://example.org/a\" \\o \"tip\" "),
            FieldKind::Hyperlink(Some("https://example.org/a".into()))
        );
        assert_eq!(
            classify("HYPERLINK \\l \"_Toc1\""),
            FieldKind::Hyperlink(None)
        );
        assert_eq!(
            classify("HYPERLINK \"https://x.org/p\" \\l \"sec\""),
            FieldKind::Hyperlink(Some("https://x.org/p#sec".into()))
        );
        assert_eq!(classify("SEQ Figure \\* ARABIC"), FieldKind::Seq);
        assert_eq!(
            classify("TOC \\o \"1-3\" \\h"),
            FieldKind::Generated("table of contents")
        );
        assert_eq!(
            classify("ADDIN ZOTERO_BIBL {\"x\":1} CSL_BIBLIOGRAPHY"),
            FieldKind::Bibliography
        );
        assert_eq!(
            classify("ADDIN Mendeley Bibliography CSL_BIBLIOGRAPHY "),
            FieldKind::Bibliography
        );
        assert_eq!(
            classify("ADDIN ZOTERO_ITEM CSL_CITATION {\"a\":1} RND1"),
            FieldKind::Citation("{\"a\":1} RND1".into())
        );
        assert_eq!(
            classify("ADDIN Mendeley Citation{6f1c-…} CSL_CITATION {\"b\":2}"),
            FieldKind::Citation("{\"b\":2}".into())
        );
        assert_eq!(
            classify("ADDIN CSL_CITATION {\"c\":3}"),
            FieldKind::Citation("{\"c\":3}".into())
        );
        assert_eq!(
            classify("ADDIN EN.CITE <EndNote>"),
            FieldKind::OtherCitation("EndNote")
        );
        assert_eq!(classify("PAGE"), FieldKind::Other("PAGE".into()));
        assert_eq!(classify("  "), FieldKind::Empty);
    }

    #[test]
    fn zotero_items_found_by_doi_or_title() {
        let json = r#"{"citationID":"x","properties":{"formattedCitation":"(Ostrom 1990, 12; Coriat 2015)"},
            "citationItems":[
              {"id":1,"itemData":{"type":"book","title":"Governing the commons","DOI":"https://doi.org/10.1017/cbo9780511807763"},"locator":"12","label":"page"},
              {"id":2,"itemData":{"type":"book","title":"Le retour des communs"},"prefix":"voir","suppress-author":true}
            ],"schema":"https://github.com/citation-style-language/schema/raw/master/csl-citation.json"} RND4"#;
        assert_eq!(
            citation(json, &works()),
            Cited::Markdown("[@ostrom1990, p. 12; voir -@coriat2015]".into())
        );
    }

    #[test]
    fn unknown_items_and_broken_data_are_reported() {
        let json =
            r#"{"citationItems":[{"itemData":{"title":"Inconnu"}},{"itemData":{"DOI":"10.1/x"}}]}"#;
        assert_eq!(
            citation(json, &works()),
            Cited::Unmatched(vec!["“Inconnu”".into(), "doi:10.1/x".into()])
        );
        assert_eq!(citation("{not json", &works()), Cited::Unreadable);
        assert_eq!(
            citation("{\"citationItems\":[]}", &works()),
            Cited::Unreadable
        );
    }

    #[test]
    fn odd_keys_are_braced() {
        assert_eq!(cite_key("smith2020"), "@smith2020");
        assert_eq!(cite_key("Smith:2020a"), "@Smith:2020a");
        assert_eq!(cite_key("clé bizarre"), "@{clé bizarre}");
        assert_eq!(cite_key("x."), "@{x.}");
    }
}
