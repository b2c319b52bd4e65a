//! `ouvrage build`: the outputs, each replaced atomically.

use std::path::PathBuf;

use clap::Args;

use super::{Context, DiagnosticFormat, Outcome, load_quietly};
use crate::diag::Diagnostic;
use crate::render::plan::Plan;
use crate::render::render_atomically;
use crate::render::typst::PdfOptions;

/// Arguments of `build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Build the HTML site (_book/html).
    #[arg(long)]
    pub html: bool,
    /// Build the print PDF (_book/<book-id>.pdf).
    #[arg(long)]
    pub pdf: bool,
    /// Build the EPUB 3 (_book/<book-id>.epub).
    #[arg(long)]
    pub epub: bool,
    /// Build the DOCX (_book/<book-id>.docx), for copy-editors and presses
    /// working in Word; with --offprints, one per chapter too.
    #[arg(long)]
    pub docx: bool,
    /// The publishing feeds, into _book/metadata/: a Crossref deposit and
    /// an ONIX 3.0 record (with the PDF, whose pages they give).
    #[arg(long)]
    pub metadata: bool,
    /// A draft for reviewers, into _book/draft/: review state and revision in the footers, line numbers.
    #[arg(long)]
    pub draft: bool,
    /// Also cut each chapter from the book PDF into _book/offprints/<chapter-id>.pdf.
    #[arg(long)]
    pub offprints: bool,
    /// Also write the wraparound cover (back, spine, front, with bleed)
    /// into _book/<book-id>-cover.pdf; builds the PDF, whose page count
    /// sets the spine.
    #[arg(long)]
    pub cover: bool,
    /// Also write the generated Typst sources into DIR, for debugging
    /// (`typst compile --root DIR DIR/__ouvrage/main.typ` typesets the same book).
    #[arg(long, value_name = "DIR")]
    pub emit_typst: Option<PathBuf>,
    /// Output folder (default: _book in the book root; _book/draft with --draft).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Text)]
    pub format: DiagnosticFormat,
}

/// Runs `build`.
pub fn run(ctx: &Context, args: BuildArgs) -> Outcome {
    let started = std::time::Instant::now();
    // People get each output's warnings as it is written; a machine format
    // gets one document at the end (one JSON object, one GitLab report).
    let for_people = matches!(
        args.format,
        DiagnosticFormat::Text | DiagnosticFormat::Github
    );
    // `--metadata` alone makes the feeds and the PDF they take pages from.
    let only_metadata = args.metadata
        && !(args.html || args.pdf || args.epub || args.docx || args.offprints || args.cover);
    let mut plan = if only_metadata {
        Plan::build(false, true, false, false, false)
    } else {
        Plan::build(
            args.html,
            args.pdf || args.cover,
            args.epub,
            args.docx,
            args.offprints,
        )
    }
    .with_metadata(args.metadata);
    plan.cover = args.cover;
    if args.emit_typst.is_some() && !plan.pdf {
        return super::usage(
            ctx,
            Diagnostic::error_in(
                None,
                "--emit-typst writes the PDF's sources, and this build makes no PDF",
            )
            .hint("add --pdf, or name no format to build them all"),
        );
    }
    // Citations are formatted only for the outputs that print them (Typst
    // formats the PDF's own).
    let (root, mut book, mut kept) = match load_quietly(ctx, args.format, plan.formats_citations())
    {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    if for_people {
        ctx.print_diagnostics(&book.sources, &kept, args.format);
        kept.clear();
    }
    let out_dir = match args.out {
        Some(dir) if dir.is_absolute() => dir,
        Some(dir) => ctx.cwd.join(dir),
        // A draft never replaces the print outputs.
        None if args.draft => root.join(crate::watch::DRAFT_DIR),
        None => root.join("_book"),
    };
    // What a killed build (or watch) left in the output folder goes first:
    // its staging folders and files, and a previous output it had moved
    // aside (put back when its output is missing).
    crate::atomic::remove_stale(&out_dir, true);
    // A draft shows each chapter's review state (outside git, every
    // chapter is a draft and the dashboard says so).
    if args.draft {
        let repo = crate::git::Repo::open(&root);
        let report = repo
            .as_ref()
            .map_err(|e| e.clone())
            .and_then(|repo| crate::status::compute_status(&book, repo, Default::default()))
            .unwrap_or_else(|_| crate::status::offline_report(&book));
        crate::pipeline::attach_review(&mut book, report);
        // What changed since the approval of whoever makes the draft.
        if let Ok(repo) = &repo {
            crate::textdiff::attach_since_approval(&mut book, repo);
        }
    }
    let pdf_options = PdfOptions {
        emit_dir: args.emit_typst.map(|dir| {
            if dir.is_absolute() {
                dir
            } else {
                ctx.cwd.join(dir)
            }
        }),
        ..Default::default()
    };
    let renderers = plan.renderers(&book, &out_dir, pdf_options);
    let mut written = Vec::new();
    // Two outputs can find the same fault (an image without alt text in
    // the PDF and the EPUB): it is said once.
    let mut said: Vec<crate::diag::Diagnostic> = Vec::new();
    for renderer in renderers {
        let t = std::time::Instant::now();
        let name = renderer.output_name(&book);
        let bar = progress(ctx, &name);
        let result = render_atomically(renderer.as_ref(), &book, &out_dir);
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        match result {
            Ok((path, mut warnings)) => {
                warnings.retain(|w| !said.contains(w));
                said.extend(warnings.iter().cloned());
                let shown = path
                    .strip_prefix(&ctx.cwd)
                    .unwrap_or(&path)
                    .display()
                    .to_string();
                let ms = t.elapsed().as_millis();
                if for_people {
                    ctx.print_diagnostics(&book.sources, &warnings, args.format);
                    ctx.info(format!("wrote {shown} ({ms} ms)"));
                } else {
                    kept.extend(warnings);
                }
                written.push(serde_json::json!({"path": shown, "ms": ms as u64}));
            }
            Err(mut diagnostics) => {
                diagnostics.sort_by_key(|d| d.span.as_ref().map(|s| (s.file, s.range.start)));
                kept.extend(diagnostics);
                print_machine(ctx, &book, &kept, args.format, &written);
                if for_people {
                    ctx.print_diagnostics(&book.sources, &kept, args.format);
                }
                return Outcome::BookErrors;
            }
        }
    }
    print_machine(ctx, &book, &kept, args.format, &written);
    if ctx.verbose > 0 {
        ctx.info(format!("built in {} ms", started.elapsed().as_millis()));
    }
    Outcome::Success
}

/// The one document of `--format json` (diagnostics and the outputs
/// written) or `--format gitlab`; nothing for the formats for people.
fn print_machine(
    ctx: &Context,
    book: &crate::model::Book,
    diagnostics: &[crate::diag::Diagnostic],
    format: DiagnosticFormat,
    written: &[serde_json::Value],
) {
    match format {
        DiagnosticFormat::Json => {
            let mut doc = super::diagnostics_json(&book.sources, diagnostics);
            doc["outputs"] = serde_json::Value::Array(written.to_vec());
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        DiagnosticFormat::Gitlab => ctx.print_diagnostics(&book.sources, diagnostics, format),
        DiagnosticFormat::Text | DiagnosticFormat::Github => {}
    }
}

/// A spinner on stderr while one output is made (the PDF takes seconds):
/// none with `-q`, and indicatif draws nothing when stderr is no terminal.
fn progress(ctx: &Context, output: &str) -> Option<indicatif::ProgressBar> {
    if ctx.quiet {
        return None;
    }
    let what = if output.ends_with(".pdf") {
        format!("typesetting {output}…")
    } else if output.ends_with(".epub") {
        format!("making {output}…")
    } else {
        format!("writing {output}…")
    };
    let bar = indicatif::ProgressBar::new_spinner().with_message(what);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(100));
    Some(bar)
}
