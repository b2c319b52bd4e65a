//! What the server shows between rebuilds: the problems of the last build,
//! the typeset pages for the preview, and the events sent to browsers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use typst_layout::PagedDocument;

use crate::diag::{Diagnostic, Severity};
use crate::source::Sources;

/// One diagnostic as the browser shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Problem {
    /// `error` or `warning`.
    pub severity: String,
    /// `file:line:col`, or the file, or empty.
    pub location: String,
    /// What is wrong.
    pub message: String,
    /// The source line the diagnostic points at.
    pub source_line: Option<String>,
    /// What to do.
    pub hints: Vec<String>,
}

impl Problem {
    /// A diagnostic with its location resolved against `sources`.
    pub fn from_diagnostic(d: &Diagnostic, sources: &Sources) -> Problem {
        let source_line = d.span.as_ref().and_then(|span| {
            let file = sources.get(span.file);
            let line = file.line_index(span.range.start);
            file.line_range(line).map(|r| file.text[r].to_string())
        });
        Problem {
            severity: match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Note => "note",
            }
            .to_string(),
            location: d
                .location(sources)
                .map(|l| l.to_string())
                .unwrap_or_default(),
            message: d.message.clone(),
            source_line,
            hints: d.hints.clone(),
        }
    }
}

/// An event for the browsers.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Event {
    /// Site pages were rewritten (paths inside the site), or everything
    /// (`all`: the stylesheet, a script or an image changed). Within one
    /// save, a page is in one reload event at most.
    Reload {
        /// The save (build number).
        generation: u64,
        /// Pages rewritten.
        pages: Vec<String>,
        /// Whether every page should reload.
        all: bool,
    },
    /// The typeset pages changed.
    Preview {
        /// The save the pages come from.
        generation: u64,
        /// Each page's content hash, in order.
        pages: Vec<String>,
        /// Pages (0-based) that differ from the previous build.
        changed: Vec<usize>,
    },
    /// What the outputs show changed: the problems, what is behind the
    /// last save, the typesetter's state. Pages update their overlay in
    /// place (no reload); the preview its header.
    Status(Status),
    /// The comments of these chapters changed (a comment, reply, resolve or
    /// reopen landed, or the text moved them): review panels list them again.
    Comments {
        /// Chapter ids.
        chapters: Vec<String>,
    },
}

/// Where the outputs stand, for the overlay and the preview's header.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Status {
    /// The last save built into the site.
    pub site: u64,
    /// The typesetter: `off`, `waiting`, `typesetting`, `done` or `failed`.
    pub typeset: String,
    /// The save the typesetter works on (`typesetting`) or last finished.
    pub typeset_generation: u64,
    /// Errors shown.
    pub errors: usize,
    /// What is behind the last save, in sentences.
    pub behind: Vec<String>,
}

impl Event {
    /// The SSE event name.
    pub fn name(&self) -> &'static str {
        match self {
            Event::Reload { .. } => "reload",
            Event::Preview { .. } => "preview",
            Event::Status(_) => "status",
            Event::Comments { .. } => "comments",
        }
    }
}

/// What the site shows in place of the last save.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Held {
    /// The last save, whole.
    #[default]
    Nothing,
    /// Chapters with errors, at their last good text (paths), and those
    /// shown empty because they never had one.
    Chapters {
        /// Kept at their last good text.
        kept: Vec<String>,
        /// Never built: an empty chapter stands in their place.
        left_out: Vec<String>,
    },
    /// The last good build, whole: the book could not be built.
    Everything,
}

/// The typesetter's state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Typeset {
    /// `--no-pdf`.
    #[default]
    Off,
    /// Nothing to typeset yet.
    Waiting,
    /// Typesetting this save.
    Running(u64),
    /// This save typeset and written.
    Done(u64),
    /// This save could not be typeset: the PDF is an earlier one.
    Failed(u64),
}

/// The state the server reads.
#[derive(Default)]
pub struct LiveState {
    /// Number of saves (rebuilds) started.
    pub generation: u64,
    /// Each chapter's comments, as the review panel lists them
    /// ([`crate::commenting::chapters_json`]), from the last site build.
    pub comments: std::collections::BTreeMap<String, serde_json::Value>,
    /// Number of site builds finished.
    pub builds: u64,
    /// The save the site shows.
    pub site: u64,
    /// Problems of the last site build (the model, the site).
    pub site_problems: Vec<Problem>,
    /// What the site holds back from the last save.
    pub held: Held,
    /// Problems of the last typeset.
    pub pdf_problems: Vec<Problem>,
    /// The typesetter.
    pub typeset: Typeset,
    /// The typeset document of the last good PDF build.
    pub document: Option<Arc<PagedDocument>>,
    /// Each page's content hash.
    pub page_hashes: Vec<String>,
    /// Pages already drawn as SVG, by content hash.
    svg: HashMap<String, Arc<String>>,
    /// The PDF's file name in the output folder, once written.
    pub pdf_name: Option<String>,
    /// Typesets finished, dropped as superseded, and restarts after a panic.
    pub typesets: TypesetCounts,
    /// The changed paths that made each rebuild (relative to the root),
    /// the last [`HEARD`] of them.
    pub heard: Vec<String>,
}

/// How many changed paths [`LiveState::heard`] keeps.
pub const HEARD: usize = 10_000;

/// What the typesetter did, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TypesetCounts {
    /// Typesets finished and announced.
    pub done: u64,
    /// Typesets dropped because a newer save came.
    pub superseded: u64,
    /// Panics caught (the typesetter started again).
    pub restarts: u64,
    /// Whole-book compiles started from an empty cache.
    pub cold: u64,
}

impl LiveState {
    /// Every problem shown: the site's, then the typeset's.
    pub fn problems(&self) -> Vec<Problem> {
        let mut all = self.site_problems.clone();
        all.extend(self.pdf_problems.iter().cloned());
        all
    }

    /// The status as the browsers get it.
    pub fn status(&self) -> Status {
        let (typeset, typeset_generation) = match self.typeset {
            Typeset::Off => ("off", 0),
            Typeset::Waiting => ("waiting", 0),
            Typeset::Running(g) => ("typesetting", g),
            Typeset::Done(g) => ("done", g),
            Typeset::Failed(g) => ("failed", g),
        };
        Status {
            site: self.site,
            typeset: typeset.to_string(),
            typeset_generation,
            errors: self.site_problems.len() + self.pdf_problems.len(),
            behind: behind(&self.held, self.typeset, !self.pdf_problems.is_empty()),
        }
    }
}

/// What is behind the last save, in sentences the overlay and the preview
/// print: exactly the outputs that do not show it, and why.
pub fn behind(held: &Held, typeset: Typeset, pdf_failed: bool) -> Vec<String> {
    let mut out = Vec::new();
    let pdf = typeset != Typeset::Off;
    let (outputs, show) = if pdf {
        ("the site and the PDF", "show")
    } else {
        ("the site", "shows")
    };
    match held {
        Held::Nothing => {}
        Held::Everything => out.push(format!(
            "The book cannot be built: {outputs} {show} the last good build. Fix the errors below and they update by themselves."
        )),
        Held::Chapters { kept, left_out } => {
            for path in kept {
                out.push(format!(
                    "{path} has errors: {outputs} {show} its last good text until it is fixed; every other chapter is up to date."
                ));
            }
            for path in left_out {
                out.push(format!(
                    "{path} has errors and was never built: {outputs} {show} it empty until it is fixed."
                ));
            }
        }
    }
    if pdf_failed {
        let site = if *held == Held::Nothing {
            "; the site is up to date"
        } else {
            ""
        };
        out.push(format!(
            "The PDF could not be typeset: the PDF and the typeset preview show the last good typeset{site}."
        ));
    }
    if let Typeset::Running(g) = typeset {
        out.push(format!(
            "The PDF and the typeset preview are being typeset (save {g}); until then they show an earlier save."
        ));
    }
    out
}

/// A hash of what a page draws. Typst's own hash of a page also covers the
/// source spans of its glyphs and elements, which shift when an unrelated
/// source changes (the book's metadata, say): the preview would then see
/// every page as changed.
pub fn look(page: &typst_layout::Page) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = crate::fingerprint::hasher();
    page.fill.hash(&mut hasher);
    page.bleed.hash(&mut hasher);
    hash_frame(&page.frame, &mut hasher);
    hasher.finish()
}

fn hash_frame(frame: &typst::layout::Frame, h: &mut impl std::hash::Hasher) {
    use std::hash::Hash;
    use typst::layout::FrameItem;
    frame.size().hash(h);
    for (position, item) in frame.items() {
        // Tags are invisible (introspection marks): a counter update at the
        // top of a page must not make it look changed.
        if matches!(item, FrameItem::Tag(_)) {
            continue;
        }
        position.hash(h);
        match item {
            FrameItem::Group(group) => {
                1u8.hash(h);
                group.transform.hash(h);
                group.clip.hash(h);
                hash_frame(&group.frame, h);
            }
            FrameItem::Text(text) => {
                2u8.hash(h);
                text.font.hash(h);
                text.size.hash(h);
                text.fill.hash(h);
                text.stroke.hash(h);
                text.text.hash(h);
                for glyph in &text.glyphs {
                    (glyph.id, glyph.x_advance, glyph.x_offset).hash(h);
                    (glyph.y_advance, glyph.y_offset).hash(h);
                }
            }
            FrameItem::Shape(shape, _) => {
                3u8.hash(h);
                shape.hash(h);
            }
            FrameItem::Image(image, size, _) => {
                4u8.hash(h);
                image.hash(h);
                size.hash(h);
            }
            FrameItem::Link(_, size) => {
                5u8.hash(h);
                size.hash(h);
            }
            FrameItem::Tag(_) => {}
        }
    }
}

/// State and event channel shared by the builder and the server.
pub struct Live {
    state: Mutex<LiveState>,
    events: tokio::sync::broadcast::Sender<Event>,
}

impl Default for Live {
    fn default() -> Self {
        Live {
            state: Mutex::new(LiveState::default()),
            events: tokio::sync::broadcast::channel(64).0,
        }
    }
}

impl Live {
    /// Runs `f` on the state.
    pub fn with<T>(&self, f: impl FnOnce(&mut LiveState) -> T) -> T {
        let mut guard = self.state.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut guard)
    }

    /// Changes the state with `f` and, when what the browsers are shown of
    /// it changed (the problems, what is behind, the typesetter's state),
    /// tells them, in the order the changes were made.
    pub fn change_status<T>(&self, f: impl FnOnce(&mut LiveState) -> T) -> T {
        self.with(|s| {
            let before = (s.status(), s.problems());
            let out = f(s);
            let after = (s.status(), s.problems());
            if before != after {
                let _ = self.events.send(Event::Status(after.0));
            }
            out
        })
    }

    /// Sends an event to every connected browser.
    pub fn send(&self, event: Event) {
        // No browser connected is not an error.
        let _ = self.events.send(event);
    }

    /// A new listener.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    /// Replaces the typeset document; returns the pages that changed.
    pub fn set_document(&self, document: PagedDocument) -> (Vec<String>, Vec<usize>) {
        // Each page on its own, on every core: a long book's pages take
        // a few hundred milliseconds to hash one by one.
        let hashes: Vec<String> = {
            use rayon::prelude::*;
            document
                .pages()
                .par_iter()
                .map(|page| format!("{:016x}", look(page)))
                .collect()
        };
        let (hashes, changed, previous) = self.with(|state| {
            let changed = hashes
                .iter()
                .enumerate()
                .filter(|(i, h)| state.page_hashes.get(*i) != Some(*h))
                .map(|(i, _)| i)
                .collect();
            // Drawn pages that no longer exist are dropped.
            let live: std::collections::HashSet<&String> = hashes.iter().collect();
            state.svg.retain(|hash, _| live.contains(hash));
            state.page_hashes = hashes.clone();
            let previous = state.document.replace(Arc::new(document));
            (hashes, changed, previous)
        });
        // A long book's pages take a while to free: not before the
        // preview is announced.
        std::thread::spawn(move || drop(previous));
        (hashes, changed)
    }

    /// Page `index` as SVG, drawn at the first request (outside the lock)
    /// and kept while the page stays the same.
    pub fn page_svg(&self, index: usize) -> Option<Arc<String>> {
        let found = self.with(|state| {
            let hash = state.page_hashes.get(index)?.clone();
            Some(match state.svg.get(&hash) {
                Some(svg) => Err(svg.clone()),
                None => Ok((state.document.clone()?, hash)),
            })
        })?;
        let (document, hash) = match found {
            Err(drawn) => return Some(drawn),
            Ok(todo) => todo,
        };
        let page = document.pages().get(index)?;
        let svg = Arc::new(typst_svg::svg(page, &typst_svg::SvgOptions::default()));
        self.with(|state| state.svg.insert(hash, svg.clone()));
        Some(svg)
    }
}
