//! The examples of the CommonMark specification (`tests/fixtures/commonmark/`),
//! read for `tests/commonmark.rs` and `tests/fuzz.rs`.

/// One example of the spec: where it is, its Markdown and expected HTML.
pub struct Example {
    pub number: usize,
    pub section: String,
    pub markdown: String,
    pub html: String,
}

/// The examples of `spec.txt`, read as the spec's own test runner reads
/// them: between a fence of 32 backticks with `example` and a bare fence,
/// the Markdown, a line holding `.`, then the HTML; `→` stands for a tab.
pub fn examples(spec: &str) -> Vec<Example> {
    let fence = "`".repeat(32);
    let open = format!("{fence} example");
    let mut examples = Vec::new();
    let mut section = String::new();
    let mut lines = spec.lines();
    while let Some(line) = lines.next() {
        if let Some(title) = line.strip_prefix("## ").or_else(|| line.strip_prefix("# ")) {
            section = title.trim().to_string();
            continue;
        }
        if line != open {
            continue;
        }
        let mut markdown = String::new();
        for line in lines.by_ref() {
            if line == "." {
                break;
            }
            markdown.push_str(line);
            markdown.push('\n');
        }
        let mut html = String::new();
        for line in lines.by_ref() {
            if line == fence {
                break;
            }
            html.push_str(line);
            html.push('\n');
        }
        examples.push(Example {
            number: examples.len() + 1,
            section: section.clone(),
            markdown: markdown.replace('→', "\t"),
            html: html.replace('→', "\t"),
        });
    }
    examples
}

/// The text of the spec.
pub fn spec() -> String {
    std::fs::read_to_string(super::repo_root().join("tests/fixtures/commonmark/spec.txt")).unwrap()
}

/// The examples whose expected HTML has no link or image (their targets,
/// `/url` or `foo.jpg`, are files no book has).
pub fn without_links(all: &[Example]) -> Vec<&Example> {
    all.iter()
        .filter(|e| !e.html.contains("<a ") && !e.html.contains("<img"))
        .collect()
}
