//! Links and images.
//!
//! A link to another chapter's file (`03-fablabs.md#id`) becomes a link to
//! that chapter and anchor in every output; `#id` points into the same
//! chapter. Unknown files and anchors are errors at the link. Images and
//! linked files must be files inside the book root: they become assets that
//! the outputs copy. No path may leave the book, through `..` or a symlink.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use crate::diag::{Diagnostic, Sink, Span};
use crate::model::{
    Asset, Block, BlockKind, Book, Image, Inline, LinkTarget, block_inlines_mut, slash_path,
    walk_blocks_mut, walk_inlines_mut,
};
use crate::url::{decode, is_external};
use rayon::prelude::*;

/// Each chapter's anchors, by chapter id.
type Anchors = HashMap<String, HashSet<String>>;
/// Each chapter's former heading ids and what they are now, by chapter id.
type Renamed = HashMap<String, HashMap<String, String>>;

/// Every anchor a chapter page has: heading ids, figure and table labels,
/// and the anchors of raw HTML (`<a id>`).
pub fn chapter_anchors(blocks: &mut [Block]) -> HashSet<String> {
    let mut anchors = HashSet::new();
    walk_blocks_mut(blocks, &mut |b| {
        block_inlines_mut(b, &mut |inlines| {
            walk_inlines_mut(inlines, &mut |i| {
                if let Inline::Anchor(id) = i {
                    anchors.insert(id.clone());
                }
            })
        })
    });
    walk_blocks_mut(blocks, &mut |b| match &b.kind {
        BlockKind::Heading(h) => {
            anchors.insert(h.id.clone());
        }
        BlockKind::Figure(f) => {
            if let Some(l) = &f.label {
                anchors.insert(l.clone());
            }
        }
        BlockKind::Table(t) => {
            if let Some(l) = &t.label {
                anchors.insert(l.clone());
            }
        }
        _ => {}
    });
    anchors
}

/// The ids headings had before they followed GitHub's rule (ASCII slugs,
/// accents folded, punctuation a dash), by chapter: a link written against
/// one is told the heading's id now.
fn former_ids(blocks: &mut [Block]) -> HashMap<String, String> {
    let mut former = HashMap::new();
    walk_blocks_mut(blocks, &mut |b| {
        if let BlockKind::Heading(h) = &b.kind
            && !h.explicit_id
        {
            let old = crate::model::slug(&crate::model::plain_text(&h.content), "section");
            if old != h.id {
                former.entry(old).or_insert_with(|| h.id.clone());
            }
        }
    });
    former
}

/// Lexically normalises `base/rel`; `None` if it climbs above the root.
fn join_inside(base: &Path, rel: &str) -> Option<PathBuf> {
    let mut out: Vec<String> = base
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    if rel.starts_with('/') || rel.starts_with('\\') || Path::new(rel).is_absolute() {
        return None;
    }
    for part in rel.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            p => out.push(p.to_string()),
        }
    }
    Some(out.iter().collect())
}

/// Where a relative path of a chapter points, checked to stay in the book.
enum Local {
    /// A file inside the book (relative to the root, `/` separators).
    File(String),
    /// Escapes the book root.
    Outside,
    /// Does not exist.
    Missing(String),
}

fn resolve_local(root: &Path, chapter_dir: &Path, raw: &str) -> Local {
    // A path that does not decode to UTF-8 is looked for as written.
    let decoded = decode(raw).unwrap_or_else(|| raw.to_string());
    let Some(rel) = join_inside(chapter_dir, &decoded) else {
        return Local::Outside;
    };
    let full = root.join(&rel);
    let rel_str = slash_path(&rel);
    match full.canonicalize() {
        Ok(real) => {
            if !real.starts_with(root) {
                Local::Outside
            } else if real.is_file() {
                Local::File(rel_str)
            } else {
                Local::Missing(rel_str)
            }
        }
        Err(_) => Local::Missing(rel_str),
    }
}

/// Resolves every link and image of the book.
pub fn resolve_links(book: &mut Book, sink: &mut Sink) {
    // Canonical once: every local path is checked against it.
    let root = book
        .root
        .canonicalize()
        .unwrap_or_else(|_| book.root.clone());
    let by_path: HashMap<String, String> = book
        .chapters
        .iter()
        .map(|c| (slash_path(&c.path), c.id.clone()))
        .collect();
    // Each chapter walked on every core: three walks of a long book stand
    // between a save and its page in `watch`.
    let (anchors, renamed): (Anchors, Renamed) = book
        .chapters
        .par_iter_mut()
        .map(|c| {
            (
                (c.id.clone(), chapter_anchors(&mut c.blocks)),
                (c.id.clone(), former_ids(&mut c.blocks)),
            )
        })
        .unzip();
    let chapter_files: Vec<String> = by_path.keys().cloned().collect();

    let found: Vec<(Sink, Files)> = book
        .chapters
        .par_iter_mut()
        .map(|chapter| {
            let dir = chapter
                .path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default();
            let id = chapter.id.clone();
            let ctx = Ctx {
                root: &root,
                dir: &dir,
                chapter_id: &id,
                by_path: &by_path,
                anchors: &anchors,
                renamed: &renamed,
                chapter_files: &chapter_files,
            };
            let mut own = (Sink::default(), Files::default());
            for blocks in chapter.block_lists_mut() {
                ctx.resolve_blocks(blocks, &mut own.0, &mut own.1);
            }
            own
        })
        .collect();
    // The diagnostics in reading order, as one walk would give them.
    let mut files = Files::default();
    for (own, found) in found {
        sink.extend(own.into_diagnostics());
        files.assets.extend(found.assets);
        files.missing.extend(found.missing);
    }
    // Bios are written in contributors.toml, at the root; they have no
    // anchors of their own.
    let ctx = Ctx {
        root: &root,
        dir: Path::new(""),
        chapter_id: "",
        by_path: &by_path,
        anchors: &anchors,
        renamed: &renamed,
        chapter_files: &chapter_files,
    };
    for person in &mut book.people {
        ctx.resolve_blocks(&mut person.bio, sink, &mut files);
    }
    book.assets = files
        .assets
        .into_iter()
        .map(|path| Asset { path })
        .collect();
    book.missing = files.missing.into_iter().collect();
}

/// The files the text reads: those found, and those it names that do not exist.
#[derive(Default)]
struct Files {
    assets: BTreeSet<String>,
    missing: BTreeSet<String>,
}

struct Ctx<'a> {
    root: &'a Path,
    dir: &'a Path,
    chapter_id: &'a str,
    by_path: &'a HashMap<String, String>,
    anchors: &'a Anchors,
    /// Former heading ids and what they are now, by chapter.
    renamed: &'a Renamed,
    chapter_files: &'a [String],
}

impl Ctx<'_> {
    /// Resolves every link and image of `blocks`, nested ones included.
    fn resolve_blocks(&self, blocks: &mut [Block], sink: &mut Sink, files: &mut Files) {
        walk_blocks_mut(blocks, &mut |block| {
            let block_span = block.span.clone();
            if let BlockKind::Figure(f) = &mut block.kind {
                self.image(&mut f.image, &block_span, sink, files);
            }
            block_inlines_mut(block, &mut |inlines| {
                walk_inlines_mut(inlines, &mut |inline| match inline {
                    Inline::Link {
                        url, target, span, ..
                    } => {
                        *target = self.link(url, span, sink, files);
                    }
                    Inline::Image(img) => self.image(img, &block_span, sink, files),
                    _ => {}
                });
            });
        });
    }

    fn check_anchor(&self, chapter: &str, anchor: &str, span: &Span, sink: &mut Sink) {
        let Some(known) = self.anchors.get(chapter) else {
            return;
        };
        if !known.contains(anchor) {
            let error = Diagnostic::error(
                span.clone(),
                format!("chapter `{chapter}` has no anchor `#{anchor}`"),
            );
            let error = match self.renamed.get(chapter).and_then(|r| r.get(anchor)) {
                Some(now) => error.hint(format!("did you mean `#{now}`? heading ids follow GitHub's rule now (`#{anchor}` was the former id of that heading)")),
                None => error.suggest(anchor, known.iter().map(String::as_str)),
            };
            sink.push(error.hint(
                "anchors are heading ids ({#id}, or the heading's text as GitHub makes ids), fig:/tbl: labels and `<a id=\"…\">`",
            ));
        }
    }

    fn link(&self, url: &str, span: &Span, sink: &mut Sink, files: &mut Files) -> LinkTarget {
        if is_external(url) || url.is_empty() {
            return LinkTarget::External;
        }
        let (path, anchor) = match url.split_once('#') {
            Some((p, a)) => (p, Some(a.to_string()).filter(|a| !a.is_empty())),
            None => (url, None),
        };
        let path = path.split('?').next().unwrap_or("");
        if path.is_empty() {
            if let Some(a) = &anchor {
                self.check_anchor(self.chapter_id, a, span, sink);
            }
            return LinkTarget::Chapter {
                chapter: self.chapter_id.to_string(),
                anchor,
            };
        }
        let local = match resolve_local(self.root, self.dir, path) {
            Local::Missing(rel) => match self.html_chapter(path, span, sink) {
                Some(found) => found,
                None => Local::Missing(rel),
            },
            found => found,
        };
        match local {
            Local::File(rel) => {
                if let Some(id) = self.by_path.get(&rel) {
                    if let Some(a) = &anchor {
                        self.check_anchor(id, a, span, sink);
                    }
                    LinkTarget::Chapter {
                        chapter: id.clone(),
                        anchor,
                    }
                } else {
                    files.assets.insert(rel.clone());
                    LinkTarget::Asset(rel)
                }
            }
            Local::Outside => {
                sink.push(
                    Diagnostic::error(
                        span.clone(),
                        format!("the link `{url}` points outside the book"),
                    )
                    .hint("link only to files inside the book folder"),
                );
                LinkTarget::External
            }
            Local::Missing(rel) => {
                files.missing.insert(rel.clone());
                let names: Vec<&str> = self.chapter_files.iter().map(String::as_str).collect();
                let rel_from_dir = |f: &str| {
                    f.strip_prefix(&format!("{}/", slash_path(self.dir)))
                        .unwrap_or(f)
                        .to_string()
                };
                let mut d = Diagnostic::error(
                    span.clone(),
                    format!("the link `{url}` points to `{rel}`, which does not exist"),
                );
                if let Some(best) = crate::diag::closest(&rel, names.iter().copied()) {
                    d = d.hint(format!("did you mean `{}`?", rel_from_dir(best)));
                }
                sink.push(d.hint(
                    "links to other chapters use their file name, e.g. [text](03-fablabs.md#id)",
                ));
                LinkTarget::External
            }
        }
    }

    /// `NAME.html` as mdBook and Pandoc's sites write a link to a chapter:
    /// the chapter `NAME.md`, when there is one beside it (with a note: the
    /// `.md` form is what a reader on the forge can follow).
    fn html_chapter(&self, path: &str, span: &Span, sink: &mut Sink) -> Option<Local> {
        let stem = path.strip_suffix(".html")?;
        let md = format!("{stem}.md");
        let Local::File(rel) = resolve_local(self.root, self.dir, &md) else {
            return None;
        };
        self.by_path.get(&rel)?;
        sink.push(
            Diagnostic::note(span.clone(), format!("`{path}` is the chapter `{md}`")).hint(
                format!("write the link to `{md}`: it then works on the forge too"),
            ),
        );
        Some(Local::File(rel))
    }

    fn image(&self, image: &mut Image, span: &Span, sink: &mut Sink, files: &mut Files) {
        if is_external(&image.url) {
            if image.url.starts_with("data:image/") {
                return;
            }
            sink.push(
                Diagnostic::error(span.clone(), format!("the image `{}` is not a file of the book", image.url))
                    .hint("download the image into the book (e.g. chapters/images/) and link to it: the outputs load nothing from another host"),
            );
            return;
        }
        match resolve_local(self.root, self.dir, &image.url) {
            Local::File(rel) => {
                files.assets.insert(rel.clone());
                image.asset = Some(rel);
            }
            Local::Outside => sink.push(
                Diagnostic::error(
                    span.clone(),
                    format!("the image `{}` is outside the book", image.url),
                )
                .hint("copy the image inside the book folder"),
            ),
            Local::Missing(rel) => {
                sink.push(
                    Diagnostic::error(
                        span.clone(),
                        format!(
                            "the image `{}` does not exist (looked for {rel})",
                            image.url
                        ),
                    )
                    .hint("image paths are relative to the chapter file"),
                );
                files.missing.insert(rel);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside() {
        assert_eq!(
            join_inside(Path::new("chapters"), "../x.md"),
            Some(PathBuf::from("x.md"))
        );
        assert_eq!(join_inside(Path::new("chapters"), "../../x.md"), None);
        assert_eq!(join_inside(Path::new("chapters"), "/etc/passwd"), None);
    }
}
