//! `ouvrage check`: every validation, nothing written.

use clap::Args;

use super::{Context, DiagnosticFormat, Outcome, load_quietly};
use crate::diag::{Diagnostic, Severity};

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Text)]
    pub format: DiagnosticFormat,
    /// The gate before a print run: fail unless every chapter is approved or final.
    #[arg(long)]
    pub require_approved: bool,
    /// The printer's preflight: typeset the PDF (writing nothing) and check
    /// its fonts, PDF/A level, image resolutions and page count.
    #[arg(long)]
    pub print: bool,
}

/// Runs `check`. Whatever the format, the diagnostics are printed once, at
/// the end, so that `--format json` and `--format gitlab` print one document.
pub fn run(ctx: &Context, args: CheckArgs) -> Outcome {
    // Citations formatted as for the site and the EPUB: check renders
    // every output, in memory, as build does.
    let (root, mut book, mut diagnostics) = match load_quietly(ctx, args.format, true) {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    if args.print {
        return print_preflight(ctx, &book, diagnostics, args.format);
    }
    // Every output made and thrown away: "check passes" means "build
    // passes" (the templates rendered, the PDF typeset and exported, the
    // images decoded where they are placed), the DOCX among them.
    let everything = crate::render::plan::Plan::build(true, true, true, true, false);
    let outputs = match crate::render::plan::dry_run(&everything, &book) {
        Ok(warnings) => warnings,
        Err(errors) => errors,
    };
    for d in outputs {
        // Two outputs may say the same (the PDF and the EPUB's cover).
        if !diagnostics
            .iter()
            .any(|o| o.message == d.message && o.span == d.span)
        {
            diagnostics.push(d);
        }
    }
    let repo = crate::git::Repo::open(&root).ok();
    diagnostics.extend(crate::status::review_checks(&mut book, repo.as_ref()));
    let mut approved = None;
    if args.require_approved {
        match approval_problems(&root, &book) {
            Ok((problems, chapters)) => {
                if problems.is_empty() {
                    approved = Some(chapters);
                }
                diagnostics.extend(problems);
            }
            Err(d) => diagnostics.push(d),
        }
    }
    ctx.print_diagnostics(&book.sources, &diagnostics, args.format);
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        return Outcome::BookErrors;
    }
    if args.format == DiagnosticFormat::Text {
        ctx.info(format!(
            "{}: {} chapters, {} contributors, no errors",
            book.config.book.title,
            book.chapters.len(),
            book.contributors.list.len()
        ));
        if let Some(n) = approved {
            ctx.info(format!("all {n} chapters are approved or final"));
        }
    }
    Outcome::Success
}

fn print_preflight(
    ctx: &Context,
    book: &crate::model::Book,
    mut diagnostics: Vec<Diagnostic>,
    format: DiagnosticFormat,
) -> Outcome {
    use crate::render::typst::{PdfOptions, Session, export, preflight};
    let options = PdfOptions::default();
    let result = Session::for_book(book, &options.fonts).and_then(|mut session| {
        let compiled = session.compile_unchecked(book, &options)?;
        let pdf = export(session.world(), book, &compiled, None);
        Ok(preflight::preflight(session.world(), book, &compiled, pdf))
    });
    let report = match result {
        Ok(report) => report,
        Err(errors) => {
            diagnostics.extend(errors);
            ctx.print_diagnostics(&book.sources, &diagnostics, format);
            return Outcome::BookErrors;
        }
    };
    diagnostics.extend(report.diagnostics.iter().cloned());
    // Images without alt text, at their Markdown lines: errors under a
    // standard that requires it (Typst's own error at export says the same).
    let alt = crate::render::typst::accessibility::missing_alt(book);
    diagnostics
        .retain(|d| !(alt.iter().any(|a| a.span == d.span) && d.message.contains("alt text")));
    diagnostics.extend(alt);
    let failed = diagnostics.iter().any(|d| d.severity == Severity::Error);
    if format != DiagnosticFormat::Json {
        ctx.print_diagnostics(&book.sources, &diagnostics, format);
    }
    if format == DiagnosticFormat::Json {
        let mut json = super::diagnostics_json(&book.sources, &diagnostics);
        json["preflight"] = serde_json::json!({
            "pages": report.pages,
            "page_mm": [report.page_mm.0, report.page_mm.1],
            "blank_pages_for_signature_of_16": report.blank_for_signature,
            "fonts": report.fonts.iter().map(|f| serde_json::json!({"name": f.name, "embedded": f.embedded})).collect::<Vec<_>>(),
            "pdfa": report.pdfa,
            "raster_images": report.raster_images,
            "undrawn_glyphs": report.undrawn,
            "wrapped_code_lines": report.wrapped_lines,
            "scaled_tables": report.scaled_tables,
            "colour_pages": report.colour_pages.iter().map(|p| p.page).collect::<Vec<_>>(),
        });
        json["preflight"]["print_shop"] = print_shop_json(book, &report);
        json["preflight"]["accessibility"] = serde_json::json!({
            "level": crate::render::typst::accessibility::declared_level(book),
            "summary": crate::render::typst::accessibility::summary(book),
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&json).unwrap_or_default()
        );
    } else if format != DiagnosticFormat::Gitlab {
        let embedded = report.fonts.iter().filter(|f| f.embedded).count();
        ctx.info(format!(
            "preflight: {} pages of {:.0} × {:.0} mm; a signature of {} needs {} blank page(s) more",
            report.pages,
            report.page_mm.0,
            report.page_mm.1,
            crate::render::typst::preflight::SIGNATURE,
            report.blank_for_signature
        ));
        ctx.info(crate::render::typst::accessibility::summary(book));
        for line in print_shop_lines(book, &report) {
            ctx.info(line);
        }
        ctx.info(format!(
            "fonts: {embedded} of {} embedded",
            report.fonts.len()
        ));
        ctx.info(format!(
            "PDF/A: {}",
            report.pdfa.as_deref().unwrap_or("none declared")
        ));
        ctx.info(format!(
            "raster images: {} checked at their printed size",
            report.raster_images
        ));
        ctx.info(format!(
            "code: {} line(s) wrap at the edge of the text block; tables: {} scaled to fit",
            report.wrapped_lines, report.scaled_tables
        ));
        if book.config.pdf.colour == crate::config::PdfColour::Grey {
            let pages: Vec<String> = report
                .colour_pages
                .iter()
                .map(|p| p.page.to_string())
                .collect();
            ctx.info(format!(
                "colour: {}",
                if pages.is_empty() {
                    "none, every page is grey".to_string()
                } else {
                    format!(
                        "pages {} still hold colour (listed above)",
                        pages.join(", ")
                    )
                }
            ));
        }
        ctx.info(format!(
            "glyphs: {} undrawn{}",
            report.undrawn,
            if report.undrawn > 0 {
                " (each is an error above: it would print as an empty box)"
            } else {
                ", every character has a font"
            }
        ));
    }
    if failed {
        Outcome::BookErrors
    } else {
        Outcome::Success
    }
}

/// The sheet and the wraparound cover of a preflight's PDF, from book.toml's
/// `[pdf] bleed`, `crop-marks` and `[cover]`.
fn print_shop(
    book: &crate::model::Book,
    report: &crate::render::typst::preflight::Preflight,
) -> (
    (f64, f64),
    Result<crate::render::typst::wraparound::CoverSize, Diagnostic>,
) {
    use crate::render::typst::wraparound::{CoverSize, PrintedBook};
    let margin = book.config.pdf.print.margin_mm();
    let sheet = (
        report.page_mm.0 + 2.0 * margin,
        report.page_mm.1 + 2.0 * margin,
    );
    let printed = PrintedBook {
        pages: report.pages,
        trim_mm: report.page_mm,
    };
    (sheet, CoverSize::of(book, printed))
}

fn print_shop_lines(
    book: &crate::model::Book,
    report: &crate::render::typst::preflight::Preflight,
) -> Vec<String> {
    let print = &book.config.pdf.print;
    let (sheet, cover) = print_shop(book, report);
    let mut lines = vec![format!(
        "trim: {:.1} × {:.1} mm; bleed: {}; sheet: {:.1} × {:.1} mm{}",
        report.page_mm.0,
        report.page_mm.1,
        if print.bleed_mm > 0.0 {
            format!("{:.1} mm", print.bleed_mm)
        } else {
            "none".to_string()
        },
        sheet.0,
        sheet.1,
        if print.crop_marks {
            " with crop marks"
        } else {
            ""
        }
    )];
    lines.push(match cover {
        Ok(c) => {
            let (w, h) = c.sheet();
            format!(
                "cover (build --cover): {w:.1} × {h:.1} mm with {:.1} mm of bleed; spine {:.1} mm for {} pages",
                c.bleed, c.spine, report.pages
            )
        }
        Err(_) => "cover (build --cover): no [cover] paper-thickness or paper to size the spine".to_string(),
    });
    lines
}

fn print_shop_json(
    book: &crate::model::Book,
    report: &crate::render::typst::preflight::Preflight,
) -> serde_json::Value {
    let print = &book.config.pdf.print;
    let (sheet, cover) = print_shop(book, report);
    serde_json::json!({
        "trim_mm": [report.page_mm.0, report.page_mm.1],
        "bleed_mm": print.bleed_mm,
        "crop_marks": print.crop_marks,
        "sheet_mm": [sheet.0, sheet.1],
        "cover": cover.ok().map(|c| serde_json::json!({
            "sheet_mm": [c.sheet().0, c.sheet().1],
            "spine_mm": c.spine,
            "bleed_mm": c.bleed,
        })),
    })
}

/// The gate before print: one error per chapter that is neither approved
/// nor final, saying what it waits for; and the number of chapters.
fn approval_problems(
    root: &std::path::Path,
    book: &crate::model::Book,
) -> Result<(Vec<Diagnostic>, usize), Diagnostic> {
    use crate::review::{EventKind, State};
    let report = crate::git::Repo::open(root)
        .and_then(|repo| crate::status::compute_status(book, &repo, Default::default()))
        .map_err(|e| super::review::git_diagnostic(&e))?;
    if !report.complete_history {
        // No verdict on part of the history: an event before the boundary
        // could change any state.
        return Ok((
            vec![
                Diagnostic::error_in(
                    None,
                    "this clone is shallow: the history is cut short, so the review state \
                     cannot be judged",
                )
                .hint("run `git fetch --unshallow` (in CI, check out the whole history: fetch-depth: 0)"),
            ],
            report.chapters.len(),
        ));
    }
    let mut problems = Vec::new();
    for ch in &report.chapters {
        if book.config.review.open_comments_block && ch.open_comments > 0 {
            let s = if ch.open_comments == 1 { "" } else { "s" };
            problems.push(
                Diagnostic::error_in(
                    Some(std::path::PathBuf::from(&ch.path)),
                    format!("`{}` has {} open comment{s}", ch.id, ch.open_comments),
                )
                .hint(format!(
                    "`ouvrage comments {} --open` lists them; resolve them, or set `open-comments = \"allow\"` in book.toml's [review]",
                    ch.id
                )),
            );
        }
        if matches!(ch.state, State::Approved | State::Final) {
            continue;
        }
        let approvals = ch
            .reviews
            .iter()
            .filter(|r| r.verdict == EventKind::Approved && r.current)
            .count();
        let waits = match ch.state {
            State::Draft => "its authors to submit it (`ouvrage submit`)".to_string(),
            State::ChangesRequested => {
                "its authors to address the changes requested and submit again".to_string()
            }
            _ if !ch.blocked_by.is_empty() => format!(
                "{} to approve or withdraw their change request on this revision",
                ch.blocked_by.join(", ")
            ),
            _ if !ch.changed_since_approval.is_empty() => format!(
                "a new approval: it changed in {} commit(s) since it was approved",
                ch.changed_since_approval.len()
            ),
            _ if ch.reviewers.is_empty() => format!(
                "{} approval(s), and it has no reviewer to give them",
                report.required_approvals
            ),
            _ => format!(
                "{} more approval(s) from {}",
                report.required_approvals as usize
                    - approvals.min(report.required_approvals as usize),
                ch.reviewers.join(", ")
            ),
        };
        let mut problem = Diagnostic::error_in(
            Some(std::path::PathBuf::from(&ch.path)),
            format!("`{}` is {}: it waits for {waits}", ch.id, ch.state.name()),
        );
        if ch.reviewers.len() < report.required_approvals as usize
            && !matches!(ch.state, State::Draft | State::ChangesRequested)
        {
            problem = problem.hint(format!(
                "assign reviewers in its front matter, `reviewers: [id, …]` ({} needed: contributors with the reviewer role, other than its authors)",
                report.required_approvals
            ));
        }
        problems.push(problem);
    }
    Ok((problems, report.chapters.len()))
}
