//! An mdBook made into an ouvrage book: `src/SUMMARY.md` gives the
//! chapters in reading order (prefix and suffix chapters unnumbered,
//! nested chapters flattened, `# Part` lines the parts, draft chapters
//! `[x]()` left out with a note); book.toml gives the title, authors,
//! language, the source folder and whether `$` is math; every chapter has
//! its includes resolved, its first `#` heading made its title, the
//! hidden lines of its Rust code left out and its links rewritten.
//!
//! Input: the mdBook's folder. Output: [`Imported`], or diagnostics in the
//! run's sink: a SUMMARY.md line that is not a chapter link, a part title
//! or a separator, a chapter that does not exist, a book.toml that does not
//! parse, an include that cannot be read, each at its `file:line:col`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::book::{NewBook, NewChapter, NewPart};
use super::include::Includes;
use super::links::{Layout, normalize};
use super::report::Report;
use super::{
    Finish, Imported, Run, finish_chapter, lookup, note_title_anchors, strings_of, text_of,
};
use crate::config::value::{Value, parse_toml};
use crate::diag::{Diagnostic, Span};
use crate::source::FileId;

/// Where a SUMMARY.md entry sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Prefix,
    Numbered,
    Suffix,
}

/// One chapter link of SUMMARY.md.
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    title: String,
    /// `None` for a draft chapter (`[Title]()`).
    path: Option<String>,
    place: Place,
    part: Option<usize>,
    /// The link's bytes in SUMMARY.md.
    span: std::ops::Range<usize>,
}

/// SUMMARY.md read.
#[derive(Debug, Default)]
struct Summary {
    title: Option<String>,
    parts: Vec<String>,
    entries: Vec<Entry>,
}

/// Reads a link `[title](dest)` at the start of `line`; the error says
/// what is missing and at which byte of the line.
fn link(line: &str) -> Result<(String, String, usize), (String, usize)> {
    let bytes = line.as_bytes();
    if bytes.first() != Some(&b'[') {
        return Err(("expected a link to a chapter, `[Title](file.md)`".into(), 0));
    }
    let mut depth = 0usize;
    let mut i = 0;
    let mut close = None;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'[' => depth += 1,
            b']' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(i);
                    break;
                }
            }
            _ => {}
        }
        i += 1;
    }
    let Some(close) = close else {
        return Err(("this `[` is never closed by a `]`".into(), 0));
    };
    let title = line[1..close]
        .trim()
        .replace("\\[", "[")
        .replace("\\]", "]");
    let rest = &line[close + 1..];
    let Some(rest) = rest.strip_prefix('(') else {
        return Err((
            "a chapter's title must be followed by its file in parentheses, `[Title](file.md)`"
                .into(),
            close + 1,
        ));
    };
    let (dest, after) = if let Some(inner) = rest.strip_prefix('<') {
        let Some(end) = inner.find('>') else {
            return Err(("this `<` is never closed by a `>`".into(), close + 2));
        };
        (inner[..end].to_string(), &inner[end + 1..])
    } else {
        let Some(end) = rest.find(')') else {
            return Err(("this `(` is never closed by a `)`".into(), close + 1));
        };
        (rest[..end].trim().to_string(), &rest[end..])
    };
    let Some(after) = after.trim_start().strip_prefix(')') else {
        return Err(("this `(` is never closed by a `)`".into(), close + 1));
    };
    let consumed = line.len() - after.len();
    if !after.trim().is_empty() {
        return Err((
            "nothing may follow a chapter's link on its line".into(),
            consumed,
        ));
    }
    Ok((title, dest, consumed))
}

/// Reads SUMMARY.md (registered as `file`), pushing one error per line it
/// cannot read.
fn read_summary(run: &mut Run, file: FileId) -> Summary {
    let text = run.sources.get(file).text.clone();
    let mut summary = Summary::default();
    let mut place = Place::Prefix;
    let mut in_comment = false;
    let mut offset = 0;
    let mut fence: Option<String> = None;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let mut content = line.trim_start();
        let indent = line.len() - content.len();
        // HTML comments, possibly over several lines.
        if in_comment {
            match content.find("-->") {
                Some(end) => {
                    in_comment = false;
                    content = content[end + 3..].trim_start();
                }
                None => continue,
            }
        }
        let mut content_owned = content.to_string();
        while let Some(open) = content_owned.find("<!--") {
            match content_owned[open..].find("-->") {
                Some(end) => content_owned.replace_range(open..open + end + 3, ""),
                None => {
                    content_owned.truncate(open);
                    in_comment = true;
                }
            }
        }
        let content = content_owned.trim_end();
        if let Some(f) = &fence {
            if content.starts_with(f.as_str()) {
                fence = None;
            }
            continue;
        }
        if content.is_empty() {
            continue;
        }
        // Positions on the line as read (a comment taken out of it may
        // have moved them): kept on the line and on character boundaries.
        let at = |col: usize, len: usize| {
            let boundary = |mut i: usize| {
                i = i.min(start + line.len());
                while !text.is_char_boundary(i) {
                    i -= 1;
                }
                i
            };
            let s = boundary(start + indent + col);
            Span::new(file, s..boundary(s + len).max(s))
        };
        if content.starts_with("```") || content.starts_with("~~~") {
            fence = Some(content[..3].to_string());
            continue;
        }
        if content.starts_with('#') {
            let level = content.chars().take_while(|c| *c == '#').count();
            let title = content[level..]
                .trim()
                .trim_end_matches('#')
                .trim()
                .to_string();
            if level == 1 && !title.is_empty() {
                if summary.title.is_none() && summary.entries.is_empty() && summary.parts.is_empty()
                {
                    summary.title = Some(title);
                } else {
                    summary.parts.push(title);
                    place = Place::Numbered;
                }
                continue;
            }
            run.sink.push(
                Diagnostic::error(
                    at(0, content.len()),
                    "only `# Part title` headings may be written in SUMMARY.md",
                )
                .hint("write a part's title as `# Title`; a chapter as `- [Title](file.md)`"),
            );
            continue;
        }
        if content.chars().all(|c| matches!(c, '-' | '*' | '_' | ' ')) && content.len() >= 3 {
            continue; // a separator
        }
        let (item, marker) = match content.strip_prefix(['-', '*', '+']) {
            Some(rest) if rest.starts_with([' ', '\t']) => {
                (rest.trim_start(), content.len() - rest.trim_start().len())
            }
            _ => {
                let digits = content.chars().take_while(|c| c.is_ascii_digit()).count();
                match content[digits..].strip_prefix(['.', ')']) {
                    Some(rest) if digits > 0 && rest.starts_with(' ') => {
                        (rest.trim_start(), content.len() - rest.trim_start().len())
                    }
                    _ => (content, 0),
                }
            }
        };
        let listed = marker > 0;
        match link(item) {
            Ok((title, dest, len)) => {
                let this_place = if listed {
                    place = Place::Numbered;
                    Place::Numbered
                } else if place == Place::Prefix {
                    Place::Prefix
                } else {
                    place = Place::Suffix;
                    Place::Suffix
                };
                summary.entries.push(Entry {
                    title,
                    path: (!dest.is_empty()).then_some(dest),
                    place: this_place,
                    part: if this_place == Place::Numbered && !summary.parts.is_empty() {
                        Some(summary.parts.len() - 1)
                    } else {
                        None
                    },
                    span: at(marker, len).range,
                });
            }
            Err((message, col)) => run.sink.push(
                Diagnostic::error(at(marker + col, item.len() - col), message)
                    .hint("each line of SUMMARY.md is a chapter, `[Title](file.md)` or `- [Title](file.md)`, a `# Part title` or a `---` separator"),
            ),
        }
    }
    summary
}

/// What book.toml says that import carries over.
#[derive(Debug, Default)]
struct MdbookConfig {
    title: Option<String>,
    authors: Vec<String>,
    language: Option<String>,
    src: Option<String>,
    math: bool,
}

/// Reads the mdBook's book.toml (registered as `file`): its values, and a
/// report line for each thing ouvrage has no place for.
fn read_config(run: &mut Run, file: FileId, report: &mut Report) -> MdbookConfig {
    let text = run.sources.get(file).text.clone();
    let shown = run.sources.get(file).path.display().to_string();
    let (root, errors) = parse_toml(&text, 0);
    for e in errors {
        run.sink.push(
            Diagnostic::error(Span::new(file, e.span), format!("book.toml: {}", e.message))
                .hint("mdBook's book.toml is TOML: fix it here, as mdBook would refuse it too"),
        );
    }
    let line = |range: &std::ops::Range<usize>| run.sources.get(file).line_col(range.start).0;
    let mut config = MdbookConfig::default();
    let get = |keys: &[&str]| lookup(&root, keys);
    config.title = get(&["book", "title"]).and_then(text_of);
    config.authors = get(&["book", "authors"])
        .map(strings_of)
        .unwrap_or_default();
    config.language = get(&["book", "language"]).and_then(text_of);
    config.src = get(&["book", "src"]).and_then(text_of);
    config.math =
        get(&["output", "html", "mathjax-support"]).is_some_and(|n| n.value == Value::Bool(true));
    if let Some(node) = get(&["book", "description"]) {
        report.not_carried(format!(
            "{shown}:{}: [book] description (ouvrage's book.toml has no such key; a chapter's `abstract` is the nearest)",
            line(&node.span)
        ));
    }
    let Value::Table(top) = &root.value else {
        return config;
    };
    for (key, node) in top {
        let Value::Table(entries) = &node.value else {
            continue;
        };
        match key.name.as_str() {
            "book" => {
                for (k, _) in entries {
                    if !matches!(
                        k.name.as_str(),
                        "title" | "authors" | "language" | "src" | "description"
                    ) {
                        report.not_carried(format!("{shown}:{}: [book] {}", line(&k.span), k.name));
                    }
                }
            }
            "preprocessor" => {
                for (k, _) in entries {
                    if !matches!(k.name.as_str(), "links" | "index") {
                        report.not_carried(format!(
                            "{shown}:{}: the preprocessor `{}` (what it adds to the chapters is not in the new book)",
                            line(&k.span),
                            k.name
                        ));
                    }
                }
            }
            "output" => {
                for (k, v) in entries {
                    if k.name != "html" {
                        report.not_carried(format!(
                            "{shown}:{}: the output backend `{}` (ouvrage makes a PDF, a site and an EPUB)",
                            line(&k.span),
                            k.name
                        ));
                        continue;
                    }
                    let Value::Table(html) = &v.value else {
                        continue;
                    };
                    for (hk, _) in html {
                        if hk.name == "mathjax-support" {
                            continue;
                        }
                        report.not_carried(format!(
                            "{shown}:{}: [output.html] {} (the site's design is ouvrage's templates: `ouvrage init --templates`)",
                            line(&hk.span),
                            hk.name
                        ));
                    }
                }
            }
            other => report.not_carried(format!("{shown}:{}: [{other}]", line(&key.span))),
        }
    }
    config
}

/// Imports the mdBook at `dir` (as the user named it; `site_url`: where
/// its site is published, to make links that leave it absolute).
pub fn import_mdbook(dir: &Path, site_url: Option<url::Url>, run: &mut Run) -> Option<Imported> {
    let mut report = Report::default();
    let root = match dir.canonicalize() {
        Ok(r) if r.is_dir() => r,
        _ => {
            run.sink.push(
                Diagnostic::error_in(Some(dir.to_path_buf()), "no such folder")
                    .hint("give the mdBook's folder, the one that holds book.toml and src/"),
            );
            return None;
        }
    };
    let mut config = MdbookConfig::default();
    let toml_path = root.join("book.toml");
    if super::links::file_inside(&root, &toml_path) {
        if let Some(file) = run.read(&toml_path, dir.join("book.toml")) {
            config = read_config(run, file, &mut report);
        }
    } else {
        report.note(format!(
            "{}: no book.toml; mdBook's defaults are used",
            dir.display()
        ));
    }
    let src_name = config.src.clone().unwrap_or_else(|| "src".into());
    let src = normalize(&root.join(&src_name));
    if !src.starts_with(&root) {
        run.sink.push(Diagnostic::error_in(
            Some(dir.join("book.toml")),
            format!("[book] src = \"{src_name}\" is outside the mdBook's folder"),
        ));
        return None;
    }
    let summary_shown = dir.join(&src_name).join("SUMMARY.md");
    if !super::links::file_inside(&root, &src.join("SUMMARY.md")) {
        run.sink.push(
            Diagnostic::error_in(Some(summary_shown), "there is no SUMMARY.md here")
                .hint("give the folder of an mdBook: its chapters are listed in src/SUMMARY.md"),
        );
        return None;
    }
    let summary_file = run.read(&src.join("SUMMARY.md"), summary_shown.clone())?;
    let summary = read_summary(run, summary_file);
    if root.join("theme").is_dir() {
        report.not_carried(format!(
            "{}: the mdBook theme (the site's design is ouvrage's templates: `ouvrage init --templates`)",
            dir.join("theme").display()
        ));
    }

    let mut book = NewBook {
        title: config
            .title
            .clone()
            .or_else(|| summary.title.clone().filter(|t| t != "Summary"))
            .unwrap_or_else(|| {
                dir.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "Imported book".into())
            }),
        math_none: !config.math,
        ..Default::default()
    };
    if config.title.is_none() {
        report.note(format!(
            "the book's title is « {} »: change it in book.toml",
            book.title
        ));
    }
    if let Some(lang) = &config.language {
        if crate::lang::is_language_tag(lang) {
            book.language = Some(lang.clone());
        } else {
            report.not_carried(format!(
                "[book] language = \"{lang}\", which is not a BCP 47 tag"
            ));
        }
    }
    let authors: Vec<String> = config
        .authors
        .iter()
        .map(|a| book.person(super::book::NewPerson::named(a)))
        .collect();

    // The chapters, in reading order.
    let mut layout = Layout {
        root: root.clone(),
        chapters_base: src.clone(),
        chapters: HashMap::new(),
        title_anchors: HashMap::new(),
        site_url,
        html_pages: true,
        chapter_exts: &["md"],
        shown_root: dir.to_path_buf(),
    };
    let mut sources_of: Vec<(PathBuf, FileId)> = Vec::new();
    let mut part_of: Vec<Option<usize>> = Vec::new();
    // Each chapter's title in SUMMARY.md, for one with no `#` heading.
    let mut summary_titles: Vec<String> = Vec::new();
    for entry in &summary.entries {
        let span = Span::new(summary_file, entry.span.clone());
        let Some(path) = &entry.path else {
            let (line, _) = run.sources.get(summary_file).line_col(entry.span.start);
            report.note(format!(
                "{}:{line}: the draft chapter « {} » (no file yet) is left out",
                summary_shown.display(),
                entry.title
            ));
            continue;
        };
        if crate::url::is_external(path) {
            let (line, _) = run.sources.get(summary_file).line_col(entry.span.start);
            report.not_carried(format!(
                "{}:{line}: « {} », a link to {path} in the table of contents",
                summary_shown.display(),
                entry.title
            ));
            continue;
        }
        let decoded = crate::url::decode(path).unwrap_or_else(|| path.clone());
        let source = normalize(&src.join(&decoded));
        if !source.starts_with(&src) {
            run.sink.push(Diagnostic::error(
                span,
                format!("`{path}` is outside the book's src folder"),
            ));
            continue;
        }
        if layout.chapters.contains_key(&source) {
            let (line, _) = run.sources.get(summary_file).line_col(entry.span.start);
            report.note(format!(
                "{}:{line}: `{path}` is listed again; the book has it once, at its first place",
                summary_shown.display()
            ));
            continue;
        }
        if !source.is_file() {
            run.sink.push(
                Diagnostic::error(span, format!("`{path}` does not exist"))
                    .hint("mdBook would create it empty: create it, or remove the line"),
            );
            continue;
        }
        if !super::links::file_inside(&root, &source) {
            run.sink.push(Diagnostic::error(
                span,
                format!("`{path}` is a symbolic link to a file outside the mdBook's folder"),
            ));
            continue;
        }
        let rel = source.strip_prefix(&root).unwrap_or(&source).to_path_buf();
        let Some(file) = run.read(&source, dir.join(&rel)) else {
            continue;
        };
        let Some(place) = layout.place(&source) else {
            continue;
        };
        layout.chapters.insert(source.clone(), book.chapters.len());
        book.chapters.push(NewChapter {
            path: place,
            authors: authors.clone(),
            numbered: entry.place == Place::Numbered,
            ..Default::default()
        });
        sources_of.push((source, file));
        part_of.push(entry.part);
        summary_titles.push(entry.title.clone());
    }
    for (p, title) in summary.parts.iter().enumerate() {
        let chapters: Vec<usize> = (0..book.chapters.len())
            .filter(|&i| part_of[i] == Some(p))
            .collect();
        if chapters.is_empty() {
            report.note(format!(
                "the part « {title} » has no chapter and is left out"
            ));
            continue;
        }
        book.parts.push(NewPart {
            title: title.clone(),
            chapters,
        });
    }
    book.assign_ids();

    // Includes first, so that titles and links are read in the text as
    // mdBook renders it.
    let mut texts = Vec::new();
    let mut dropped = Vec::new();
    {
        let mut includes = Includes {
            root: &root,
            shown_root: dir,
            sources: &mut run.sources,
            sink: &mut run.sink,
            dropped: Vec::new(),
        };
        for (source, file) in &sources_of {
            texts.push(includes.resolve(*file, source));
        }
        dropped.append(&mut includes.dropped);
    }
    for d in dropped {
        report.not_carried(d);
    }
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    note_title_anchors(&mut layout, &book, &refs);
    for (i, ((source, file), text)) in sources_of.iter().zip(&texts).enumerate() {
        let original = run.sources.get(*file).text.clone();
        finish_chapter(
            &layout,
            &mut book,
            i,
            source,
            text,
            &original,
            Finish {
                hide_rust_lines: true,
                escape_citations: true,
            },
            &mut report,
        );
        if book.chapters[i].title.is_none() {
            // No `#` heading: the title SUMMARY.md gives it.
            book.chapters[i].title = summary_titles
                .get(i)
                .map(|t| super::markdown::escape_citations_in_line(t));
        }
    }
    if run.sink.has_errors() {
        return None;
    }
    if book.chapters.is_empty() {
        run.sink.push(Diagnostic::error_in(
            Some(summary_shown),
            "SUMMARY.md lists no chapter that has a file",
        ));
        return None;
    }
    super::settle_fonts(&mut book, &mut report);
    Some(Imported { book, report })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_links() {
        assert_eq!(
            link("[Using `Box<T>`](ch15-01-box.md)").unwrap(),
            ("Using `Box<T>`".into(), "ch15-01-box.md".into(), 32)
        );
        assert_eq!(link("[Draft]()").unwrap().1, "");
        assert_eq!(link("[A \\[b\\]](<a b.md>)").unwrap().1, "a b.md");
        assert!(link("[Open(x.md)").is_err());
        assert_eq!(link("[T] (x.md)").unwrap_err().1, 3);
        assert!(link("[T](x.md").is_err());
        assert!(link("Plain text").is_err());
    }

    #[test]
    fn summary_structure() {
        let mut run = Run::default();
        let text = "# Summary\n\n[Preface](preface.md)\n\n# Part one\n\n- [A](a.md)\n  - [B](b/b.md)\n  - [Draft]()\n\n# Part two\n\n* [C](c.md)\n\n---\n\n[Appendix](app.md)\n<!-- - [Old](old.md)\n-->\n";
        let file = run.sources.add("SUMMARY.md", text.to_string());
        let s = read_summary(&mut run, file);
        assert!(!run.sink.has_errors(), "{:?}", run.sink.diagnostics());
        assert_eq!(s.title.as_deref(), Some("Summary"));
        assert_eq!(s.parts, ["Part one", "Part two"]);
        let got: Vec<(Option<&str>, Place, Option<usize>)> = s
            .entries
            .iter()
            .map(|e| (e.path.as_deref(), e.place, e.part))
            .collect();
        assert_eq!(
            got,
            [
                (Some("preface.md"), Place::Prefix, None),
                (Some("a.md"), Place::Numbered, Some(0)),
                (Some("b/b.md"), Place::Numbered, Some(0)),
                (None, Place::Numbered, Some(0)),
                (Some("c.md"), Place::Numbered, Some(1)),
                (Some("app.md"), Place::Suffix, None),
            ]
        );
    }

    proptest::proptest! {
        /// Whatever SUMMARY.md holds, reading it never panics and every
        /// diagnostic points inside the file.
        #[test]
        fn any_summary_is_read_without_panic(text in "(\\PC|\n|[\\[\\]()#*<>!-]){0,200}") {
            let mut run = Run::default();
            let file = run.sources.add("SUMMARY.md", text.clone());
            read_summary(&mut run, file);
            for d in run.sink.diagnostics() {
                let range = d.span.as_ref().unwrap().range.clone();
                proptest::prop_assert!(text.get(range).is_some());
            }
        }
    }

    #[test]
    fn summary_faults_are_placed() {
        let mut run = Run::default();
        let text = "# Summary\n\n- [A](a.md)\n- Just text\n  - [B(b.md)\n## Sub\n";
        let file = run.sources.add("SUMMARY.md", text.to_string());
        read_summary(&mut run, file);
        let places: Vec<(usize, usize)> = run
            .sink
            .diagnostics()
            .iter()
            .map(|d| {
                run.sources
                    .get(file)
                    .line_col(d.span.as_ref().unwrap().range.start)
            })
            .collect();
        assert_eq!(places, [(4, 3), (5, 5), (6, 1)]);
    }
}
