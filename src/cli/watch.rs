//! `ouvrage watch`: build a draft, serve it on 127.0.0.1, rebuild and reload
//! on every change.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use super::{Context, DiagnosticFormat, Outcome, fail};
use crate::diag::{Diagnostic, Severity};
use crate::watch::builder::{Builder, Report};
use crate::watch::live::{Held, Live};
use crate::watch::typesetter::{self, Report as TypesetReport, Typesetter};
use crate::watch::watcher::{Change, Relevance, Watch, next_burst};
use crate::watch::{bind, output_folder, start_server};

/// Arguments of `watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Port on 127.0.0.1 (default: 3000 or the next free one; 0: any free port).
    #[arg(long)]
    pub port: Option<u16>,
    /// Open the site in the browser.
    #[arg(long)]
    pub open: bool,
    /// Do not typeset the PDF (the site alone rebuilds faster).
    #[arg(long)]
    pub no_pdf: bool,
    /// Number the lines of the preview and of the draft PDF, as `build
    /// --draft` does (Typst's line numbering doubles the memory of a typeset).
    #[arg(long, conflicts_with = "no_pdf")]
    pub line_numbers: bool,
}

/// Runs `watch` until interrupted.
pub fn run(ctx: &Context, args: WatchArgs) -> Outcome {
    let root = match ctx.root().and_then(|r| {
        r.canonicalize()
            .map_err(|e| Diagnostic::error_in(Some(r.clone()), e.to_string()))
    }) {
        Ok(root) => root,
        Err(d) => return fail(ctx, d),
    };
    let out = match output_folder(&root) {
        Ok(out) => out,
        Err(d) => return fail(ctx, d),
    };
    // What a killed `watch` or `build --draft` left there goes first.
    crate::atomic::remove_stale(&out, true);
    let listener = match bind(args.port) {
        Ok(listener) => listener,
        Err(d) => return fail(ctx, d),
    };
    let live = Arc::new(Live::default());
    let address = match start_server(listener, out.clone(), live.clone()) {
        Ok(address) => address,
        Err(d) => return fail(ctx, d),
    };
    let url = format!("http://{address}/");
    // The address on its own line, first, for people and for scripts.
    println!("{url}");
    let _ = std::io::stdout().flush();
    if !args.no_pdf {
        ctx.info(format!("typeset preview: {url}preview.html"));
    }

    let (tx, rx) = std::sync::mpsc::channel::<Change>();
    let relevance = Relevance::new(&root, &out, crate::git::git_dir(&root), &[]);
    let mut watch = match Watch::start(relevance, tx) {
        Ok(watch) => watch,
        Err(e) => {
            return fail(
                ctx,
                Diagnostic::error_in(None, format!("cannot watch the book's files: {e}")),
            );
        }
    };
    // Watch before the first build, so that nothing saved meanwhile is missed.
    let default_folders: Vec<PathBuf> = [crate::load::CHAPTERS_DIR, crate::templates::DIR, "fonts"]
        .iter()
        .map(|d| root.join(d))
        .collect();
    watch.update(&default_folders, &[]);

    let typesetter = if args.no_pdf {
        None
    } else {
        let printer = ctx.clone();
        let started = Typesetter::start(
            out.clone(),
            live.clone(),
            args.line_numbers,
            typesetter::hook_from_env(),
            Box::new(move |report| print_typeset(&printer, &report)),
        );
        match started {
            Ok(typesetter) => Some(typesetter),
            Err(e) => {
                return fail(
                    ctx,
                    Diagnostic::error_in(None, format!("cannot start the typesetter: {e}")),
                );
            }
        }
    };
    let mut builder = Builder::new(&root, &out, !args.no_pdf);
    let mut session = Session {
        ctx,
        printed: Vec::new(),
        builder: &mut builder,
        live: &live,
        watch: &mut watch,
        typesetter: typesetter.as_ref(),
    };
    session.rebuild("first build");
    if args.open
        && let Err(e) = opener::open(&url)
    {
        ctx.info(format!("cannot open the browser ({e}); open {url}"));
    }
    while let Some(paths) = next_burst(&rx) {
        let what = describe(&root, &paths);
        live.with(|s| {
            s.heard.extend(paths.iter().map(|p| {
                p.strip_prefix(&root)
                    .map(crate::model::slash_path)
                    .unwrap_or_else(|_| p.display().to_string())
            }));
            let over = s.heard.len().saturating_sub(crate::watch::live::HEARD);
            s.heard.drain(..over);
        });
        session.rebuild(&what);
    }
    Outcome::Success
}

/// What one rebuild works with.
struct Session<'a> {
    ctx: &'a Context,
    /// The diagnostics last printed: the same again are not reprinted
    /// (an imported book's thousand warnings would fill the terminal at
    /// every save).
    printed: Vec<Diagnostic>,
    builder: &'a mut Builder,
    live: &'a Live,
    watch: &'a mut Watch,
    typesetter: Option<&'a Typesetter>,
}

impl Session<'_> {
    /// One rebuild of the site, whatever happens in it: a panic is reported
    /// and the server goes on. The finished model goes to the typesetter.
    fn rebuild(&mut self, what: &str) {
        // Folders deleted and made again are watched again before the files
        // are read.
        self.watch.rearm();
        let builder = &mut *self.builder;
        let live = self.live;
        let typesetter = self.typesetter;
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            builder.rebuild(live, typesetter)
        }));
        match outcome {
            Ok(report) => {
                let mut folders = report.watch.clone();
                folders.sort();
                self.watch.update(&folders, &report.root_files);
                let again = !report.diagnostics.is_empty() && report.diagnostics == self.printed;
                if !again {
                    self.ctx.print_diagnostics(
                        &report.sources,
                        &report.diagnostics,
                        DiagnosticFormat::Text,
                    );
                }
                // A clean save in between, and the same warnings come back
                // printed: "as printed before" means the save before.
                self.printed = report.diagnostics.clone();
                let mut line = summary(what, &report);
                if again {
                    line.push_str(&format!(
                        " (the same {} as printed before)",
                        diagnostics_count(report.diagnostics.len())
                    ));
                }
                self.ctx.info(line);
                self.builder.prepare_next();
            }
            Err(panic) => {
                self.builder.reset();
                let why = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown".into());
                let message = format!(
                    "internal error while rebuilding ({why}); this is a bug in ouvrage, please report it. The server goes on."
                );
                eprintln!("error: {message}");
                self.live.change_status(|s| {
                    s.site_problems = vec![typesetter::internal_problem(&message)];
                    s.held = Held::Everything;
                    s.builds += 1;
                });
            }
        }
    }
}

/// "1 diagnostic", "983 diagnostics".
fn diagnostics_count(n: usize) -> String {
    format!("{n} diagnostic{}", if n == 1 { "" } else { "s" })
}

/// The line printed after each typeset, and its diagnostics.
fn print_typeset(ctx: &Context, report: &TypesetReport) {
    if let Some(book) = &report.book {
        ctx.print_diagnostics(&book.sources, &report.diagnostics, DiagnosticFormat::Text);
    }
    if let Some(message) = &report.panic {
        eprintln!("error: {message}");
        return;
    }
    let ms = |d: Duration| d.as_millis();
    let save = report.generation;
    if report.superseded {
        ctx.info(format!(
            "typeset of save {save}: dropped (a newer save came, or its site could not be built)"
        ));
        return;
    }
    let mut parts = Vec::new();
    if let Some((changed, took)) = &report.quick {
        parts.push(format!(
            "edited chapter alone {} ms ({} shown)",
            ms(*took),
            pages_count(changed.len())
        ));
    }
    if let Some((changed, count, took)) = &report.pdf {
        parts.push(format!(
            "pdf {} ms{} ({} of {count} pages changed)",
            ms(*took),
            if report.cold { ", cold" } else { "" },
            changed.len()
        ));
    }
    if let Some(took) = report.export {
        parts.push(format!("pdf file {} ms", ms(took)));
    }
    if let Some((Some(resident), _)) = report.memory {
        parts.push(format!("{} MB resident", resident / (1024 * 1024)));
    }
    let errors = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let status = if errors == 0 {
        "ok".to_string()
    } else {
        format!(
            "{errors} error{}: the PDF and the preview show the last good typeset",
            if errors == 1 { "" } else { "s" }
        )
    };
    ctx.info(format!(
        "typeset of save {save}: {}; {status}",
        parts.join(", ")
    ));
}

/// What changed, in a few words.
fn describe(root: &std::path::Path, paths: &[PathBuf]) -> String {
    let names: Vec<String> = paths
        .iter()
        .map(|p| {
            p.strip_prefix(root)
                .map(crate::model::slash_path)
                .unwrap_or_else(|_| p.display().to_string())
        })
        .collect();
    match names.len() {
        0 => "nothing".into(),
        1..=3 => names.join(", "),
        n => format!("{}, {} and {} more", names[0], names[1], n - 2),
    }
}

/// The line printed after each rebuild.
fn summary(what: &str, report: &Report) -> String {
    let ms = |d: Duration| d.as_millis();
    let mut parts = vec![format!("model {} ms", ms(report.model))];
    if !report.reparsed.is_empty() {
        parts[0].push_str(&format!(" ({} reparsed)", report.reparsed.len()));
    }
    if !report.review.is_zero() {
        parts.push(format!("review {} ms", ms(report.review)));
    }
    if let Some(took) = report.page {
        parts.push(format!("page out at {} ms", ms(took)));
    }
    if let Some((pages, took)) = &report.html {
        parts.push(format!(
            "html {} ms ({} rewritten)",
            ms(*took),
            pages_count(pages.len())
        ));
    }
    if report.typeset.is_some() {
        parts.push("typesetting".to_string());
    }
    let errors = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let status = match (&report.held, errors) {
        (_, 0) => "ok".to_string(),
        (Held::Chapters { kept, left_out }, _) => format!(
            "{errors} error{} in {}: the other chapters are up to date",
            if errors == 1 { "" } else { "s" },
            kept.iter()
                .chain(left_out)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => format!(
            "{errors} error{}: the browser shows {} over the last good build",
            if errors == 1 { "" } else { "s" },
            if errors == 1 { "it" } else { "them" }
        ),
    };
    format!("{what}: {}; {status}", parts.join(", "))
}

/// `1 page`, `3 pages`.
fn pages_count(n: usize) -> String {
    format!("{n} page{}", if n == 1 { "" } else { "s" })
}
