//! A Quarto book made into an ouvrage book: `_quarto.yml`'s `book:`
//! gives the title, subtitle, authors, date and the chapters in reading
//! order (file names, and `part:` entries with their own `chapters:`;
//! `appendices:` make a last part), the top level (or `book:`) the
//! `bibliography`, `csl` and `lang`. Each `.qmd` (or `.md`) file becomes a
//! `.md` chapter with its metadata carried as Pandoc's; Quarto's own
//! syntax is mapped where ouvrage has the same thing: callouts
//! (`::: {.callout-note}`) become GitHub alerts (`> [!NOTE]`),
//! cross-references `@fig-x`, `@tbl-x`, `@sec-x` and their `{#fig-x}`
//! labels become `@fig:x` and `{#fig:x}`, a `{.unnumbered}` title an
//! unnumbered chapter, executable cells (```` ```{r} ````) code blocks
//! that are shown, not run, and `{{< include file >}}` the file's text.
//!
//! Input: the project's folder. Output: [`Imported`], or diagnostics: a
//! `_quarto.yml` that does not parse or lists a chapter that does not
//! exist, an include that cannot be read, at its `file:line:col`.

use std::collections::HashMap;
use std::path::Path;

use super::book::{NewBook, NewPart};
use super::links::{Layout, normalize};
use super::markdown::{Edit, apply, prose_runs, scan};
use super::metadata;
use super::pandoc::{
    ChapterFile, add_chapter, bibliography, file_metadata, read_file, settle_languages,
};
use super::report::Report;
use super::{Finish, Imported, Run, finish_chapter, lookup, note_title_anchors, text_of};
use crate::config::value::{Node, Value, parse_yaml};
use crate::diag::{Diagnostic, Span};
use crate::source::FileId;

/// GitHub's alert kinds, which are Quarto's callout kinds too.
const CALLOUTS: &[&str] = &["note", "tip", "important", "warning", "caution"];

/// One chapter of `_quarto.yml`: its file, part and where it was named.
struct Listed {
    file: String,
    part: Option<usize>,
    span: std::ops::Range<usize>,
}

/// Reads `book.chapters` (and `book.appendices`) into listed files and
/// part titles; an entry of another shape is an error at its place.
fn read_chapters(run: &mut Run, file: FileId, book: &Node, parts: &mut Vec<String>) -> Vec<Listed> {
    let mut listed = Vec::new();
    let entry = |run: &mut Run, node: &Node, part: Option<usize>, listed: &mut Vec<Listed>| {
        match &node.value {
        Value::Str(s) => listed.push(Listed {
            file: s.clone(),
            part,
            span: node.span.clone(),
        }),
        _ => run.sink.push(
            Diagnostic::error(Span::new(file, node.span.clone()), format!("a chapter must be a file name, not {}", node.value.kind()))
                .hint("list chapters as `- intro.qmd`, and parts as `- part: \"Title\"` with their own `chapters:`"),
        ),
    }
    };
    if let Some(chapters) = lookup(book, &["chapters"]) {
        let Value::Array(items) = &chapters.value else {
            run.sink.push(Diagnostic::error(
                Span::new(file, chapters.span.clone()),
                format!("`chapters` must be a list, not {}", chapters.value.kind()),
            ));
            return listed;
        };
        for item in items {
            let part = match &item.value {
                Value::Table(_) => lookup(item, &["part"]),
                _ => None,
            };
            match part {
                Some(part) => {
                    let title = text_of(part).unwrap_or_default();
                    let index = parts.len();
                    // A part given as a file: the file opens the part.
                    if title.ends_with(".qmd") || title.ends_with(".md") {
                        listed.push(Listed {
                            file: title.clone(),
                            part: Some(index),
                            span: part.span.clone(),
                        });
                    }
                    parts.push(title);
                    match lookup(item, &["chapters"]).map(|c| &c.value) {
                        Some(Value::Array(inner)) => {
                            for c in inner {
                                entry(run, c, Some(index), &mut listed);
                            }
                        }
                        _ => run.sink.push(
                            Diagnostic::error(Span::new(file, item.span.clone()), "a part must list its `chapters:`")
                                .hint("write `- part: \"Title\"` then `chapters:` with the part's files, indented under it"),
                        ),
                    }
                }
                None => entry(run, item, None, &mut listed),
            }
        }
    } else {
        run.sink.push(
            Diagnostic::error(
                Span::new(file, book.span.clone()),
                "`book:` lists no `chapters:`",
            )
            .hint("a Quarto book lists its files under `book:` → `chapters:`"),
        );
    }
    if let Some(Value::Array(items)) = lookup(book, &["appendices"]).map(|a| &a.value) {
        let index = parts.len();
        parts.push("Appendices".into());
        for item in items {
            entry(run, item, Some(index), &mut listed);
        }
    }
    listed
}

/// The part title a `part: file.qmd` entry gets: the file's title.
fn part_title(f: &ChapterFile) -> Option<String> {
    f.meta
        .title
        .clone()
        .or_else(|| scan(&f.body).title.map(|t| t.text))
}

/// Quarto's syntax mapped to ouvrage's in a chapter's text; what is left
/// as written goes to the report.
fn map_quarto(text: &str, shown: &str, report: &mut Report) -> String {
    let text = callouts(text, shown, report);
    let found = scan(&text);
    let mut edits = Vec::new();
    for run in prose_runs(&text, &found) {
        let prose = &text[run.clone()];
        for (i, _) in prose.match_indices(['@', '#']) {
            let at = run.start + i;
            let before = text[..at].chars().next_back();
            // `a@fig-x` is an address; `file.qmd#sec-x` is a link's anchor.
            if text[at..].starts_with('@') && before.is_some_and(|c| c.is_alphanumeric()) {
                continue;
            }
            let rest = &text[at + 1..];
            for kind in ["fig", "tbl", "sec", "Fig", "Tbl", "Sec"] {
                if rest.starts_with(kind) && rest[kind.len()..].starts_with('-') {
                    let dash = at + 1 + kind.len();
                    edits.push(Edit {
                        range: dash..dash + 1,
                        with: ":".into(),
                    });
                }
            }
            for kind in ["eq-", "lst-", "thm-", "lem-", "def-", "exm-", "exr-"] {
                if text[at..].starts_with('@') && rest.starts_with(kind) {
                    let line = text[..at].matches('\n').count() + 1;
                    report.not_carried(format!(
                        "{shown}: line {line} of the chapter: the cross-reference `@{kind}…` (ouvrage numbers figures, tables and sections only)"
                    ));
                }
            }
        }
        if prose.contains("{{<") {
            report.not_carried(format!(
                "{shown}: a Quarto shortcode `{{{{< … >}}}}`, left as written"
            ));
        }
    }
    apply(&text, edits)
}

/// Callout divs made GitHub alerts; other `:::` divs are left as written
/// (with a note).
fn callouts(text: &str, shown: &str, report: &mut Report) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut fence: Option<&str> = None;
    let is_div_open = |l: &str| {
        let t = l.trim();
        t.starts_with(":::") && !t.trim_start_matches(':').trim().is_empty()
    };
    let is_div_close = |l: &str| {
        let t = l.trim();
        t.len() >= 3 && t.chars().all(|c| c == ':')
    };
    while i < lines.len() {
        let line = lines[i];
        let t = line.trim_start();
        if let Some(f) = fence {
            if t.starts_with(f) {
                fence = None;
            }
            out.push_str(line);
            i += 1;
            continue;
        }
        if t.starts_with("```") || t.starts_with("~~~") {
            fence = Some(&t[..3]);
            out.push_str(line);
            i += 1;
            continue;
        }
        let kind = is_div_open(line)
            .then(|| {
                let attrs = line.trim().trim_start_matches(':').trim();
                CALLOUTS
                    .iter()
                    .find(|k| attrs.contains(&format!("callout-{k}")))
            })
            .flatten();
        let Some(kind) = kind else {
            if is_div_open(line) {
                report.note(format!(
                    "{shown}: the fenced div `{}` is left as written",
                    line.trim()
                ));
            }
            out.push_str(line);
            i += 1;
            continue;
        };
        // The div's end: the `:::` that closes it, past nested divs.
        let mut depth = 1;
        let mut end = i + 1;
        while end < lines.len() {
            if is_div_open(lines[end]) {
                depth += 1;
            } else if is_div_close(lines[end]) {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            end += 1;
        }
        let attrs = line.trim().trim_start_matches(':').trim();
        let mut title = attrs
            .find("title=\"")
            .and_then(|at| attrs[at + 7..].split('"').next())
            .map(str::to_string);
        let mut body: Vec<&str> = lines[i + 1..end.min(lines.len())].to_vec();
        if title.is_none()
            && let Some(first) = body.iter().position(|l| !l.trim().is_empty())
            && body[first].trim_start().starts_with("## ")
        {
            title = Some(
                body[first]
                    .trim()
                    .trim_start_matches('#')
                    .trim()
                    .to_string(),
            );
            body.remove(first);
        }
        out.push_str(&format!("> [!{}]", kind.to_uppercase()));
        if let Some(t) = title {
            out.push(' ');
            out.push_str(&t);
        }
        out.push('\n');
        for l in body {
            let content = l.trim_end_matches(['\n', '\r']);
            if content.trim().is_empty() {
                out.push_str(">\n");
            } else {
                out.push_str("> ");
                out.push_str(content);
                out.push('\n');
            }
        }
        i = end + 1;
    }
    out
}

/// Quarto's `{{< include file >}}` shortcodes replaced by the file they
/// name (relative to the file that holds them, inside the project; an
/// included file's own includes resolved too). `text` is registered file
/// `file`'s text from byte `start`; a file that cannot be read, or leaves
/// the project, is an error at the shortcode.
fn includes(
    run: &mut Run,
    root: &Path,
    file: FileId,
    path: &Path,
    text: &str,
    start: usize,
    depth: usize,
) -> String {
    const OPEN: &str = "{{< include ";
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while let Some(found) = text[at..].find(OPEN) {
        let begin = at + found;
        let Some(len) = text[begin..].find(">}}") else {
            break;
        };
        let end = begin + len + 3;
        out.push_str(&text[at..begin]);
        at = end;
        let name = text[begin + OPEN.len()..begin + len].trim();
        let span = Span::new(file, start + begin..start + end);
        let dir = path.parent().unwrap_or(Path::new(""));
        let included = normalize(&dir.join(name));
        if depth >= 10 {
            run.sink.push(Diagnostic::error(
                span,
                format!("`{name}` includes itself, through the files it includes"),
            ));
            continue;
        }
        if !included.starts_with(root) || !super::links::file_inside(root, &included) {
            run.sink.push(
                Diagnostic::error(span, format!("cannot include `{name}`: no such file in the project"))
                    .hint("an include names a file relative to the one that includes it, inside the project's folder"),
            );
            continue;
        }
        let rel = included
            .strip_prefix(root)
            .unwrap_or(&included)
            .to_path_buf();
        let shown = run.sources.get(file).path.clone();
        let shown_root = shown
            .ancestors()
            .nth(
                path.strip_prefix(root)
                    .map(|p| p.components().count())
                    .unwrap_or(1),
            )
            .unwrap_or(Path::new(""))
            .to_path_buf();
        let Some(inner) = run.read(&included, shown_root.join(&rel)) else {
            continue;
        };
        let inner_text = run.sources.get(inner).text.clone();
        out.push_str(&includes(
            run,
            root,
            inner,
            &included,
            &inner_text,
            0,
            depth + 1,
        ));
    }
    out.push_str(&text[at..]);
    out
}

/// Imports the Quarto book at `dir`.
pub fn import_quarto(dir: &Path, run: &mut Run) -> Option<Imported> {
    let mut report = Report::default();
    let root = match dir.canonicalize() {
        Ok(r) if r.is_dir() => r,
        _ => {
            run.sink.push(Diagnostic::error_in(
                Some(dir.to_path_buf()),
                "no such folder",
            ));
            return None;
        }
    };
    let config_shown = dir.join("_quarto.yml");
    if !super::links::file_inside(&root, &root.join("_quarto.yml")) {
        run.sink.push(
            Diagnostic::error_in(Some(config_shown), "there is no _quarto.yml here")
                .hint("give the folder of a Quarto book project"),
        );
        return None;
    }
    let config_file = run.read(&root.join("_quarto.yml"), config_shown.clone())?;
    let text = run.sources.get(config_file).text.clone();
    let config = match parse_yaml(&text, 0) {
        Ok(node) => node,
        Err(e) => {
            run.sink.push(
                Diagnostic::error(
                    Span::new(config_file, e.span),
                    format!("_quarto.yml: {}", e.message),
                )
                .hint("_quarto.yml is YAML: fix it here, as Quarto would refuse it too"),
            );
            return None;
        }
    };
    let Some(book_node) = lookup(&config, &["book"]) else {
        run.sink.push(
            Diagnostic::error(
                Span::new(config_file, config.span.clone()),
                "_quarto.yml has no `book:`",
            )
            .hint("import reads Quarto book projects (`project: type: book`)"),
        );
        return None;
    };
    let config_source = run.sources.get(config_file).clone();
    let line = |at: usize| config_source.line_col(at).0;
    let mut meta = metadata::read(book_node, &["chapters", "appendices", "date"]);
    meta.year = metadata::read(book_node, &[]).year;
    let top = metadata::read(
        &config,
        &["project", "book", "format", "execute", "editor", "crossref"],
    );
    if let Value::Table(entries) = &config.value {
        for (k, _) in entries {
            if matches!(
                k.name.as_str(),
                "format" | "execute" | "editor" | "crossref"
            ) {
                report.not_carried(format!(
                    "{}:{}: `{}`",
                    config_shown.display(),
                    line(k.span.start),
                    k.name
                ));
            }
        }
    }
    for (k, at) in meta.other.iter().chain(&top.other) {
        report.not_carried(format!("{}:{}: `{k}`", config_shown.display(), line(*at)));
    }
    let mut parts = Vec::new();
    let listed = read_chapters(run, config_file, book_node, &mut parts);

    let mut book = NewBook {
        title: meta.title.clone().or(top.title.clone()).unwrap_or_else(|| {
            dir.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        }),
        subtitle: meta.subtitle.clone(),
        year: meta.year,
        language: top.lang.clone().or(meta.lang.clone()),
        ..Default::default()
    };
    let mut layout = Layout {
        root: root.clone(),
        chapters_base: root.clone(),
        chapters: HashMap::new(),
        title_anchors: HashMap::new(),
        site_url: None,
        html_pages: true,
        chapter_exts: &["qmd", "md"],
        shown_root: dir.to_path_buf(),
    };
    let book_authors: Vec<String> = meta
        .authors
        .iter()
        .chain(&top.authors)
        .map(|p| book.person(p.clone()))
        .collect();
    let mut read = Vec::new();
    let mut part_of = Vec::new();
    let mut part_titles: HashMap<usize, String> = HashMap::new();
    for l in &listed {
        let source = normalize(&root.join(&l.file));
        if !source.starts_with(&root) || !super::links::file_inside(&root, &source) {
            run.sink.push(
                Diagnostic::error(
                    Span::new(config_file, l.span.clone()),
                    format!("`{}` does not exist", l.file),
                )
                .hint("a chapter is a file of the project, relative to _quarto.yml"),
            );
            continue;
        }
        if layout.chapters.contains_key(&source) {
            report.note(format!(
                "{}:{}: `{}` is listed again; the book has it once",
                config_shown.display(),
                line(l.span.start),
                l.file
            ));
            continue;
        }
        let rel = source.strip_prefix(&root).unwrap_or(&source).to_path_buf();
        let Some(f) = read_file(run, &source, dir.join(&rel)) else {
            continue;
        };
        if let Some(p) = l.part
            && parts[p] == l.file
            && let Some(t) = part_title(&f)
        {
            part_titles.insert(p, t);
        }
        // A part's own file is its opening page, not a numbered chapter.
        let opens_part = l.part.is_some_and(|p| parts[p] == l.file);
        let Some(index) = add_chapter(&mut book, &mut layout, &f, !opens_part) else {
            continue;
        };
        if book.chapters[index].authors.is_empty() {
            book.chapters[index].authors = book_authors.clone();
        }
        part_of.push(l.part);
        read.push(f);
    }
    for (p, title) in part_titles {
        parts[p] = title;
    }
    for (p, title) in parts.iter().enumerate() {
        let chapters: Vec<usize> = (0..book.chapters.len())
            .filter(|&i| part_of[i] == Some(p))
            .collect();
        if !chapters.is_empty() {
            book.parts.push(NewPart {
                title: title.clone(),
                chapters,
            });
        }
    }
    bibliography(run, &mut book, &layout, &root, &meta, config_file);
    bibliography(run, &mut book, &layout, &root, &top, config_file);
    if run.sink.has_errors() {
        return None;
    }
    book.assign_ids();
    for f in &read {
        file_metadata(run, &mut book, &layout, &mut report, f);
    }
    settle_languages(&mut book, &mut report);
    let mut cells = false;
    let mut bodies: Vec<String> = Vec::new();
    for f in &read {
        let start = run.sources.get(f.file).text.len() - f.body.len();
        let body = includes(run, &root, f.file, &f.source, &f.body, start, 0);
        let shown = run.sources.get(f.file).path.display().to_string();
        bodies.push(map_quarto(&body, &shown, &mut report));
    }
    let texts: Vec<&str> = bodies.iter().map(String::as_str).collect();
    note_title_anchors(&mut layout, &book, &texts);
    for (i, (f, body)) in read.iter().zip(bodies.iter()).enumerate() {
        let original = run.sources.get(f.file).text.clone();
        cells |= scan(body)
            .fences
            .iter()
            .any(|x| x.info.starts_with('{') && !x.info.starts_with("{="));
        let unnumbered = scan(body).title.is_some_and(|t| t.unnumbered);
        finish_chapter(
            &layout,
            &mut book,
            i,
            &f.source,
            body,
            &original,
            Finish::default(),
            &mut report,
        );
        if unnumbered {
            book.chapters[i].numbered = false;
        }
        if book.chapters[i].title.is_none() {
            let stem = f
                .source
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            book.chapters[i].title = Some(stem);
        }
    }
    if cells {
        report.note("executable cells (```{r}, ```{python}) are code blocks in the new book: shown, not run");
    }
    if run.sink.has_errors() {
        return None;
    }
    super::settle_fonts(&mut book, &mut report);
    Some(Imported { book, report })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callouts_become_alerts_and_references_ours() {
        let mut report = Report::default();
        let text = "::: {.callout-tip}\n## Remember\nText with @fig-map, [a link](x.qmd#fig-map).\n\n::: {.aside}\nInner\n:::\n:::\n\n![A map](map.png){#fig-map}\n\n`@fig-code` stays, a@fig-no too.\n";
        let out = map_quarto(text, "x.qmd", &mut report);
        assert_eq!(
            out,
            "> [!TIP] Remember\n> Text with @fig:map, [a link](x.qmd#fig:map).\n>\n> ::: {.aside}\n> Inner\n> :::\n\n![A map](map.png){#fig:map}\n\n`@fig-code` stays, a@fig-no too.\n"
        );
    }
}
