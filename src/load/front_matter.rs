//! Splitting a chapter file into front matter and body.

use std::ops::Range;

use crate::config::value::SyntaxError;

/// The language of a front matter block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrontMatterFormat {
    /// Between `---` lines.
    Yaml,
    /// Between `+++` lines.
    Toml,
}

/// Where the front matter is in a chapter file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatter {
    /// YAML or TOML.
    pub format: FrontMatterFormat,
    /// Byte range of the content between the delimiter lines.
    pub content: Range<usize>,
    /// Byte offset just after the closing delimiter line.
    pub end: usize,
}

/// Finds the front matter at the very start of `text`, if any. An opening
/// delimiter without a closing one is an error.
pub fn split_front_matter(text: &str) -> Result<Option<FrontMatter>, SyntaxError> {
    let text_start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let rest = &text[text_start..];
    let (delim, format) = if is_delimiter_line(rest, "---") {
        ("---", FrontMatterFormat::Yaml)
    } else if is_delimiter_line(rest, "+++") {
        ("+++", FrontMatterFormat::Toml)
    } else {
        return Ok(None);
    };
    let first_end = text_start + rest.find('\n').map(|i| i + 1).unwrap_or(rest.len());
    let mut offset = first_end;
    while offset < text.len() {
        let line_end = text[offset..]
            .find('\n')
            .map(|i| offset + i + 1)
            .unwrap_or(text.len());
        let line = text[offset..line_end].trim_end_matches(['\n', '\r']);
        let closes = line.trim_end() == delim
            || (format == FrontMatterFormat::Yaml && line.trim_end() == "...");
        if closes {
            return Ok(Some(FrontMatter {
                format,
                content: first_end..offset,
                end: line_end,
            }));
        }
        offset = line_end;
    }
    Err(SyntaxError {
        message: format!("the front matter opened here with `{delim}` is never closed"),
        span: text_start..text_start + 3,
    })
}

fn is_delimiter_line(text: &str, delim: &str) -> bool {
    let line = text.split('\n').next().unwrap_or("");
    line.trim_end() == delim
}

/// Where a chapter file's body starts: the byte after its front matter
/// (0 without one, or with one that does not parse, whose fault is the
/// loader's to report).
pub fn body_start(text: &str) -> usize {
    split_front_matter(text)
        .ok()
        .flatten()
        .map(|fm| fm.end)
        .unwrap_or(0)
}

/// The words of a chapter file, its front matter left out: the one count
/// of `status`, the dashboard and `contributors` (which gives each line's
/// words to whoever changed it last), so that they always agree.
pub fn markdown_words(text: &str) -> usize {
    text[body_start(text)..]
        .lines()
        .map(crate::model::line_words)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_and_toml_front_matter() {
        let t = "---\ntitle: x\n---\n# Body\n";
        let fm = split_front_matter(t).unwrap().unwrap();
        assert_eq!(&t[fm.content.clone()], "title: x\n");
        assert_eq!(&t[fm.end..], "# Body\n");
        let t = "+++\r\ntitle = \"x\"\r\n+++\r\nBody";
        let fm = split_front_matter(t).unwrap().unwrap();
        assert_eq!(fm.format, FrontMatterFormat::Toml);
        assert_eq!(&t[fm.end..], "Body");
    }

    #[test]
    fn no_front_matter_and_unclosed() {
        assert_eq!(split_front_matter("# Title\n---\n").unwrap(), None);
        assert!(split_front_matter("---\ntitle: x\n").is_err());
    }
}
