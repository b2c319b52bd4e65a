//! Links and images.
//!
//! A link to another chapter's file (`03-fablabs.md#id`) becomes a link to
//! that chapter and anchor in every output; `#id` points into the same
//! chapter. Unknown files and anchors are errors at the link. Images and
//! linked files must be files inside the book root: they become assets that
//! the outputs copy. No path may leave the book, through `..` or a symlink.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::Hash;
use std::path::{Component, Path, PathBuf};

use crate::diag::{Diagnostic, Sink, Span};
use crate::model::{
    Asset, Block, BlockKind, Chapter, Image, Inline, LinkTarget, Person, block_inlines_mut,
    slash_path, walk_blocks_mut, walk_inlines_mut,
};
use crate::url::{decode, is_external};

/// What a link into a chapter may name: its anchors, and the ids its
/// headings had before they followed GitHub's rule (each with its id now).
#[derive(Debug, Clone, Default, Hash, PartialEq)]
pub struct LinkTargets {
    anchors: BTreeSet<String>,
    renamed: BTreeMap<String, String>,
}

/// A chapter's [`LinkTargets`], once its ids and labels are set.
pub fn link_targets(blocks: &mut [Block]) -> LinkTargets {
    LinkTargets {
        anchors: chapter_anchors(blocks),
        renamed: former_ids(blocks),
    }
}

/// Every anchor a chapter page has: heading ids, figure and table labels,
/// and the anchors of raw HTML (`<a id>`).
pub fn chapter_anchors(blocks: &mut [Block]) -> BTreeSet<String> {
    let mut anchors = BTreeSet::new();
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
fn former_ids(blocks: &mut [Block]) -> BTreeMap<String, String> {
    let mut former = BTreeMap::new();
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
#[derive(Debug, Clone, PartialEq)]
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

/// The book as its links see it: where each chapter file is, and what a
/// link into each chapter may name.
pub struct Directory<'a> {
    /// The book's root, canonical: every local path is checked against it.
    root: PathBuf,
    /// Each chapter's id by its file (relative to the root, `/` separators).
    by_path: HashMap<String, String>,
    /// Each chapter's targets by its id.
    targets: HashMap<String, &'a LinkTargets>,
    /// The chapter files, in reading order.
    chapter_files: Vec<String>,
    /// Each chapter's id and targets, in reading order.
    order: Vec<(String, &'a LinkTargets)>,
}

impl<'a> Directory<'a> {
    /// The directory of the book at `root` whose chapters are `chapters`
    /// (each one's file, id and targets, in reading order).
    pub fn new<'c>(
        root: &Path,
        chapters: impl IntoIterator<Item = (&'c Path, &'c str, &'a LinkTargets)>,
    ) -> Directory<'a> {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let mut directory = Directory {
            root,
            by_path: HashMap::new(),
            targets: HashMap::new(),
            chapter_files: Vec::new(),
            order: Vec::new(),
        };
        for (path, id, targets) in chapters {
            let file = slash_path(path);
            directory.by_path.insert(file.clone(), id.to_string());
            directory.chapter_files.push(file);
            directory.targets.insert(id.to_string(), targets);
            directory.order.push((id.to_string(), targets));
        }
        directory
    }
}

/// All a chapter's links are resolved against but the files on disk
/// ([`Files::still_found`] checks those).
impl Hash for Directory<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (&self.root, &self.chapter_files, &self.order).hash(state);
    }
}

/// Resolves every link and image of a chapter: the files it names are
/// returned (and what it found of each, for [`Files::still_found`]).
pub fn resolve_chapter(chapter: &mut Chapter, directory: &Directory, sink: &mut Sink) -> Files {
    let dir = chapter
        .path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let id = chapter.id.clone();
    let ctx = Ctx {
        directory,
        dir: &dir,
        chapter_id: &id,
    };
    let mut files = Files::default();
    for blocks in chapter.block_lists_mut() {
        ctx.resolve_blocks(blocks, sink, &mut files);
    }
    files
}

/// Resolves the links and images of the contributors' bios. They are
/// written in contributors.toml, at the root, and have no anchors of their own.
pub fn resolve_bios(people: &mut [Person], directory: &Directory, sink: &mut Sink) -> Files {
    let ctx = Ctx {
        directory,
        dir: Path::new(""),
        chapter_id: "",
    };
    let mut files = Files::default();
    for person in people {
        ctx.resolve_blocks(&mut person.bio, sink, &mut files);
    }
    files
}

/// The files a book's text reads, as the book keeps them (its assets, and
/// the files named that do not exist): those of each chapter and of the
/// bios ([`resolve_chapter`], [`resolve_bios`]).
pub fn gather<'a>(found: impl IntoIterator<Item = &'a Files>) -> (Vec<Asset>, Vec<String>) {
    let mut assets = BTreeSet::new();
    let mut missing = BTreeSet::new();
    for files in found {
        assets.extend(files.assets.iter().cloned());
        missing.extend(files.missing.iter().cloned());
    }
    let assets = assets.into_iter().map(|path| Asset { path }).collect();
    (assets, missing.into_iter().collect())
}

/// The files the text reads: those found, and those it names that do not exist.
#[derive(Debug, Clone, Default)]
pub struct Files {
    assets: BTreeSet<String>,
    missing: BTreeSet<String>,
    /// Each local path the text names (as written) and what it was found
    /// to be.
    looked_up: BTreeMap<String, Local>,
}

impl Files {
    /// Whether every path the chapter at `path` names would be found as it
    /// was: what a kept resolution of its links needs besides the
    /// [`Directory`] (a file may have come or gone since).
    pub fn still_found(&self, directory: &Directory, path: &Path) -> bool {
        let dir = path.parent().unwrap_or(Path::new(""));
        self.looked_up
            .iter()
            .all(|(raw, found)| resolve_local(&directory.root, dir, raw) == *found)
    }
}

struct Ctx<'a> {
    directory: &'a Directory<'a>,
    dir: &'a Path,
    chapter_id: &'a str,
}

impl Ctx<'_> {
    /// Where the local path `raw` of the text points, kept in `files`.
    fn look_up(&self, raw: &str, files: &mut Files) -> Local {
        let found = resolve_local(&self.directory.root, self.dir, raw);
        files.looked_up.insert(raw.to_string(), found.clone());
        found
    }

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
        let Some(targets) = self.directory.targets.get(chapter) else {
            return;
        };
        let known = &targets.anchors;
        if !known.contains(anchor) {
            let error = Diagnostic::error(
                span.clone(),
                format!("chapter `{chapter}` has no anchor `#{anchor}`"),
            );
            let error = match targets.renamed.get(anchor) {
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
        let local = match self.look_up(path, files) {
            Local::Missing(rel) => match self.html_chapter(path, span, sink, files) {
                Some(found) => found,
                None => Local::Missing(rel),
            },
            found => found,
        };
        match local {
            Local::File(rel) => {
                if let Some(id) = self.directory.by_path.get(&rel) {
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
                let names: Vec<&str> = self
                    .directory
                    .chapter_files
                    .iter()
                    .map(String::as_str)
                    .collect();
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
    fn html_chapter(
        &self,
        path: &str,
        span: &Span,
        sink: &mut Sink,
        files: &mut Files,
    ) -> Option<Local> {
        let stem = path.strip_suffix(".html")?;
        let md = format!("{stem}.md");
        let Local::File(rel) = self.look_up(&md, files) else {
            return None;
        };
        self.directory.by_path.get(&rel)?;
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
        match self.look_up(&image.url, files) {
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
