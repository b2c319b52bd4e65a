//! Typst's layout passes, one at a time.
//!
//! Typst lays a document out again until what it reads of the pass before
//! (pages, counters, located elements) stops changing. `typst::compile`
//! keeps the last document only; this runs the same loop and keeps every
//! pass, with what moved and which readings made the next pass needed. A
//! pass more is most of a whole layout again on a big book, so the tests
//! check that a book needs no more than two, and
//! `examples/layout-passes.rs` tells why one needs more.

use comemo::Track;
use typst::World;
use typst::WorldExt;
use typst::diag::{At, SourceDiagnostic, SourceResult};
use typst::engine::{Engine, Route, Sink, Traced};
use typst::foundations::StyleChain;
use typst::introspection::{EmptyIntrospector, Introspector};
use typst::utils::Protected;
use typst_layout::PagedDocument;

/// One layout pass.
pub struct Pass {
    /// What it laid out.
    pub document: PagedDocument,
    /// Whether everything it read of the pass before holds of its own
    /// layout: the last pass Typst would make.
    pub stable: bool,
    /// When not stable, what it read that changed, each as
    /// `file:line: message` (Typst's own words).
    pub unstable: Vec<String>,
}

/// Lays out the world's main file pass after pass, as `typst::compile`
/// does, up to `max` passes or until one is stable.
pub fn layout_passes(world: &dyn World, max: usize) -> SourceResult<Vec<Pass>> {
    let tracked = world.track();
    let library = world.library();
    let styles = StyleChain::new(&library.styles);
    let main = world
        .source(world.main())
        .at(typst::syntax::Span::detached())?;
    let traced = Traced::default();
    let mut sink = Sink::new();
    let content = typst_eval::eval(
        tracked,
        library,
        traced.track(),
        sink.track_mut(),
        Route::default().track(),
        &main,
    )?
    .content();
    let empty = EmptyIntrospector;
    let mut passes: Vec<Pass> = Vec::new();
    while passes.len() < max && !passes.last().is_some_and(|p| p.stable) {
        let before: &dyn Introspector = match passes.last() {
            Some(pass) => &**pass.document.introspector(),
            None => &empty,
        };
        let constraint = comemo::Constraint::new();
        let mut subsink = Sink::new();
        let mut engine = Engine {
            library,
            world: tracked,
            introspector: Protected::new(before.track_with(&constraint)),
            traced: traced.track(),
            sink: subsink.track_mut(),
            route: Route::default(),
        };
        let document = typst_layout::layout_document(&mut engine, &content, styles)?;
        let after: &dyn Introspector = &**document.introspector();
        let stable = constraint.validate(after);
        let unstable = if stable || passes.is_empty() {
            Vec::new()
        } else {
            // Typst's convergence analysis compares the last two of six
            // introspectors: the pass before and this one.
            let introspectors = [
                &empty as &dyn Introspector,
                &empty,
                &empty,
                &empty,
                before,
                after,
            ];
            typst::introspection::analyze(tracked, introspectors, subsink.introspections())
                .iter()
                .filter(|w| !w.span.is_detached())
                .map(|w| format!("{}: {}", place(world, w), w.message))
                .collect()
        };
        passes.push(Pass {
            document,
            stable,
            unstable,
        });
    }
    Ok(passes)
}

/// `file:line` of a diagnostic.
fn place(world: &dyn World, diagnostic: &SourceDiagnostic) -> String {
    let Some(id) = diagnostic.span.id() else {
        return String::new();
    };
    let line = world.range(diagnostic.span).map_or(0, |range| {
        super::diagnostics::line_of(world, id, range.start)
    });
    format!("{}:{line}", super::world::BookWorld::path_of(id))
}

/// Every labelled element of a document: its label, page and vertical
/// position (in hundredths of a point), in document order.
pub fn labelled_positions(document: &PagedDocument) -> Vec<(String, usize, i64)> {
    let introspector: &dyn Introspector = &**document.introspector();
    introspector
        .query_labelled()
        .iter()
        .filter_map(|element| {
            let label = element.label()?.resolve().to_string();
            let position = introspector.position(element.location()?)?;
            let (page, y) = match position {
                typst::introspection::DocumentPosition::Paged(p) => {
                    (p.page.get(), (p.point.y.to_pt() * 100.0).round() as i64)
                }
                _ => return None,
            };
            Some((label, page, y))
        })
        .collect()
}

/// A world of the sources `build --emit-typst DIR` wrote: `DIR/__ouvrage`
/// as the generated files, the rest of `DIR` as the book's.
pub fn emitted_world(dir: &std::path::Path) -> std::io::Result<super::world::BookWorld> {
    // Each error names its file: `DIR` may not be what `--emit-typst` wrote.
    let at = |path: &std::path::Path| {
        let path = path.display().to_string();
        move |e: std::io::Error| std::io::Error::new(e.kind(), format!("{path}: {e}"))
    };
    let mut world = super::world::BookWorld::new(dir, &Default::default()).map_err(at(dir))?;
    let mut generated = Vec::new();
    let mut dirs = vec![dir.join("__ouvrage")];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).map_err(at(&d))? {
            let path = entry.map_err(at(&d))?.path();
            if path.is_dir() {
                dirs.push(path);
            } else if let Ok(inside) = path.strip_prefix(dir) {
                let text = std::fs::read_to_string(&path).map_err(at(&path))?;
                generated.push((format!("/{}", crate::model::slash_path(inside)), text));
            }
        }
    }
    world.update(generated, None);
    Ok(world)
}
