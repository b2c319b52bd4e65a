//! `ouvrage check`: every validation, nothing written.

use clap::Args;

use super::{Context, DiagnosticFormat, Outcome, load_checked, load_quietly};

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

/// Runs `check`.
pub fn run(ctx: &Context, args: CheckArgs) -> Outcome {
    if args.print {
        return match load_quietly(ctx, args.format) {
            Ok((_, book, warnings)) => print_preflight(ctx, &book, warnings, args.format),
            Err(outcome) => outcome,
        };
    }
    let (root, book) = match load_checked(ctx, args.format) {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    if args.require_approved {
        return require_approved(ctx, &root, &book, args.format);
    }
    if args.format == DiagnosticFormat::Text {
        ctx.info(format!(
            "{}: {} chapters, {} contributors, no errors",
            book.config.book.title,
            book.chapters.len(),
            book.contributors.list.len()
        ));
    }
    Outcome::Success
}

fn print_preflight(
    ctx: &Context,
    book: &crate::model::Book,
    mut diagnostics: Vec<crate::diag::Diagnostic>,
    format: DiagnosticFormat,
) -> Outcome {
    use crate::render::typst::{PdfOptions, Session, export, preflight};
    let options = PdfOptions::default();
    let result = Session::for_book(book, &options.fonts).and_then(|mut session| {
        let compiled = session.compile(book, &options)?;
        let pdf = export(book, &compiled, None)?;
        Ok(preflight::preflight(session.world(), book, &compiled, &pdf))
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
    let failed = diagnostics
        .iter()
        .any(|d| d.severity == crate::diag::Severity::Error);
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
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&json).unwrap_or_default()
        );
    } else {
        let embedded = report.fonts.iter().filter(|f| f.embedded).count();
        ctx.info(format!(
            "preflight: {} pages of {:.0} × {:.0} mm; a signature of {} needs {} blank page(s) more",
            report.pages,
            report.page_mm.0,
            report.page_mm.1,
            crate::render::typst::preflight::SIGNATURE,
            report.blank_for_signature
        ));
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
    }
    if failed {
        Outcome::BookErrors
    } else {
        Outcome::Success
    }
}

/// Every chapter approved or final, or one error per chapter saying what it waits for.
fn require_approved(
    ctx: &Context,
    root: &std::path::Path,
    book: &crate::model::Book,
    format: DiagnosticFormat,
) -> Outcome {
    use crate::review::{EventKind, State};
    let report = crate::git::Repo::open(root)
        .and_then(|repo| crate::status::compute_status(book, &repo, Default::default()));
    let report = match report {
        Ok(r) => r,
        Err(e) => return super::fail(ctx, super::review::git_diagnostic(&e)),
    };
    let mut problems = Vec::new();
    for ch in &report.chapters {
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
            _ if !ch.changed_since_approval.is_empty() => format!(
                "a new approval: it changed in {} commit(s) since it was approved",
                ch.changed_since_approval.len()
            ),
            _ => format!(
                "{} more approval(s) from {}",
                report.required_approvals as usize
                    - approvals.min(report.required_approvals as usize),
                ch.reviewers.join(", ")
            ),
        };
        problems.push(crate::diag::Diagnostic::error_in(
            Some(std::path::PathBuf::from(&ch.path)),
            format!("`{}` is {}: it waits for {waits}", ch.id, ch.state.name()),
        ));
    }
    ctx.print_diagnostics(&book.sources, &problems, format);
    if problems.is_empty() {
        ctx.info(format!(
            "all {} chapters are approved or final",
            report.chapters.len()
        ));
        Outcome::Success
    } else {
        Outcome::BookErrors
    }
}
