//! Where each file of the source goes in the new book, and what each link
//! of a chapter becomes there: a link to another chapter (`other.html#x`,
//! `other.qmd`) the `.md` path of that chapter from the linking one; a
//! local file the same file, copied keeping its relative place; a link
//! that leaves the source an absolute URL when the published site's
//! address is known, else a report line.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use super::book::NewBook;
use super::markdown::{Edit, Scan};
use super::report::{Report, Topic};

/// The source's files and the new book's places for them.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The folder nothing may leave (the mdBook's, the Quarto project's,
    /// the Pandoc files' common folder).
    pub root: PathBuf,
    /// The folder whose files go under the new book's `chapters/` (an
    /// mdBook's `src/`; else `root`).
    pub chapters_base: PathBuf,
    /// Chapter sources (lexically normalised absolute paths) → index in
    /// the new book's chapters.
    pub chapters: HashMap<PathBuf, usize>,
    /// Each chapter's title anchor in the source's site (the id its `#`
    /// heading had), which the new book has no more: a link to it becomes
    /// a link to the chapter.
    pub title_anchors: HashMap<usize, Vec<String>>,
    /// The published site of the source, to make links that leave it absolute.
    pub site_url: Option<url::Url>,
    /// mdBook: `x.html` is the chapter `x.md`, `index.html` is `README.md`.
    pub html_pages: bool,
    /// The extensions of chapter sources (`md`, `qmd`).
    pub chapter_exts: &'static [&'static str],
    /// How the user named the source folder, for messages.
    pub shown_root: PathBuf,
}

/// Whether `path` is a file whose real path (symlinks followed) is inside
/// `root` (canonical): import never reads or copies a file from elsewhere.
pub fn file_inside(root: &Path, path: &Path) -> bool {
    path.is_file() && path.canonicalize().is_ok_and(|real| real.starts_with(root))
}

/// Lexical normalisation: `a/./b/../c` → `a/c` (no file system access,
/// since a link may name a file that does not exist).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The relative path from folder `from` to `to` (both relative to one
/// root), with `/` separators.
pub fn relative(from: &Path, to: &Path) -> String {
    let from: Vec<_> = from.components().collect();
    let to_parts: Vec<_> = to.components().collect();
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(
        to_parts[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

impl Layout {
    /// Where a source file goes in the new book: under `chapters/` when it
    /// is in the chapters' folder, else at its place from the root; `None`
    /// outside the root, or where the new book's own files are.
    pub fn place(&self, source: &Path) -> Option<PathBuf> {
        if let Ok(rel) = source.strip_prefix(&self.chapters_base) {
            return Some(Path::new(crate::load::CHAPTERS_DIR).join(rel));
        }
        let rel = source.strip_prefix(&self.root).ok()?;
        let first = rel
            .components()
            .next()?
            .as_os_str()
            .to_string_lossy()
            .into_owned();
        let reserved = [
            crate::load::BOOK_FILE,
            crate::load::CONTRIBUTORS_FILE,
            crate::load::CHAPTERS_DIR,
            "_book",
            "templates",
            "fonts",
        ];
        if reserved.contains(&first.as_str()) {
            return None;
        }
        Some(rel.to_path_buf())
    }

    /// The chapter a link's path names, trying mdBook's `.html` pages and
    /// Quarto's `.qmd` sources.
    fn chapter_at(&self, target: &Path) -> Option<usize> {
        if let Some(&i) = self.chapters.get(target) {
            return Some(i);
        }
        let ext = target.extension().map(|e| e.to_string_lossy().into_owned());
        let mut candidates = Vec::new();
        match ext.as_deref() {
            Some("html") if self.html_pages => {
                for e in self.chapter_exts {
                    candidates.push(target.with_extension(e));
                }
                if target.file_name().is_some_and(|n| n == "index.html") {
                    candidates.push(target.with_file_name("README.md"));
                }
            }
            Some(e) if self.chapter_exts.contains(&e) => {
                for e in self.chapter_exts {
                    candidates.push(target.with_extension(e));
                }
            }
            None if self.html_pages => {
                candidates.push(target.join("index.md"));
                candidates.push(target.join("README.md"));
            }
            _ => {}
        }
        candidates
            .iter()
            .find_map(|c| self.chapters.get(c).copied())
    }

    /// Rewrites the destinations of one chapter (`source`: its file; `index`:
    /// its place in the new book) and records the files it links to.
    /// `original` is the chapter's text before includes, for report lines.
    pub fn rewrite(
        &self,
        book: &mut NewBook,
        index: usize,
        source: &Path,
        scan: &Scan,
        original: &str,
        report: &mut Report,
    ) -> Vec<Edit> {
        let mut edits = Vec::new();
        let dest = book.chapters[index].path.clone();
        let dest_dir = dest.parent().unwrap_or(Path::new("")).to_path_buf();
        let dir = source.parent().unwrap_or(Path::new("")).to_path_buf();
        let shown = self.shown(source);
        let line_of = |url: &str| {
            original
                .find(url)
                .map(|at| original[..at].matches('\n').count() + 1)
        };
        let at = |url: &str| match line_of(url) {
            Some(line) => format!("{shown}:{line}"),
            None => shown.clone(),
        };
        for d in &scan.destinations {
            let url = d.url.trim();
            if url.is_empty() || url.starts_with('#') || crate::url::is_external(url) {
                continue;
            }
            let (path_part, fragment) = match url.split_once('#') {
                Some((p, f)) => (p, Some(f)),
                None => (url, None),
            };
            let path_part = path_part.split('?').next().unwrap_or("");
            if path_part.is_empty() {
                continue;
            }
            let decoded = crate::url::decode(path_part).unwrap_or_else(|| path_part.to_string());
            let target = if decoded.starts_with('/') {
                normalize(&self.chapters_base.join(decoded.trim_start_matches('/')))
            } else {
                normalize(&dir.join(&decoded))
            };
            if !target.starts_with(&self.chapters_base) {
                match &self.site_url {
                    Some(site) => {
                        let page = source
                            .strip_prefix(&self.chapters_base)
                            .unwrap_or(source)
                            .with_extension("html");
                        let page = page.to_string_lossy().replace('\\', "/");
                        if let Ok(absolute) = site.join(&page).and_then(|p| p.join(url)) {
                            edits.push(Edit {
                                range: d.range.clone(),
                                with: absolute.to_string(),
                            });
                        }
                    }
                    None => report.add(Topic::OutsideLink, format!("{}: {url}", at(url))),
                }
                continue;
            }
            let new_path = if let Some(chapter) = self.chapter_at(&target) {
                let to = &book.chapters[chapter].path;
                let mut link = crate::url::encode_path(&relative(&dest_dir, to));
                let names_title = |f: &str| {
                    self.title_anchors
                        .get(&chapter)
                        .is_some_and(|a| a.iter().any(|a| a == f))
                };
                if let Some(f) = fragment
                    && !names_title(f)
                {
                    link.push('#');
                    link.push_str(f);
                }
                link
            } else if target.is_file() {
                let ext = target.extension().map(|e| e.to_string_lossy().into_owned());
                if !file_inside(&self.root, &target) {
                    report.note(format!(
                        "{}: `{url}` leads out of the folder through a symbolic link: the link is left as written",
                        at(url)
                    ));
                    continue;
                }
                if ext.as_deref().is_some_and(|e| e == "md" || e == "qmd") {
                    report.note(format!(
                        "{}: `{url}` is a page that is not a chapter of the book: the link is left as written",
                        at(url)
                    ));
                    continue;
                }
                let Some(place) = self.place(&target) else {
                    report.note(format!(
                        "{}: `{url}` cannot be copied into the new book: the link is left as written",
                        at(url)
                    ));
                    continue;
                };
                book.copies.insert(place.clone(), target.clone());
                let mut link = crate::url::encode_path(&relative(&dest_dir, &place));
                if let Some(f) = fragment {
                    link.push('#');
                    link.push_str(f);
                }
                link
            } else {
                report.note(format!(
                    "{}: `{url}` names no file of the book: the link is left as written",
                    at(url)
                ));
                continue;
            };
            if new_path != url {
                edits.push(Edit {
                    range: d.range.clone(),
                    with: new_path,
                });
            }
        }
        edits
    }

    /// A source file as the user names it (the folder they gave, then the
    /// path inside).
    pub fn shown(&self, source: &Path) -> String {
        let rel = source.strip_prefix(&self.root).unwrap_or(source);
        self.shown_root.join(rel).display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_between_folders() {
        assert_eq!(
            relative(Path::new("chapters"), Path::new("chapters/a.md")),
            "a.md"
        );
        assert_eq!(
            relative(Path::new("chapters/x"), Path::new("chapters/img/a.png")),
            "../img/a.png"
        );
        assert_eq!(
            relative(Path::new("chapters"), Path::new("listings/a.rs")),
            "../listings/a.rs"
        );
        assert_eq!(normalize(Path::new("/a/b/./../c")), PathBuf::from("/a/c"));
    }
}
