//! `ouvrage completions` and `ouvrage man`: shell completions and manual
//! pages generated from the same clap definitions as the parser, so that
//! a new command or option appears in them without anyone remembering to.

use std::path::PathBuf;

use clap::{Args, CommandFactory};

use super::{Cli, Context, Outcome, fail};
use crate::diag::Diagnostic;

/// Arguments of `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Arguments of `man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write one page per command (ouvrage.1, ouvrage-build.1, …) into DIR
    /// instead of the main page to stdout.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Runs `completions`: the script goes to stdout.
pub fn completions(ctx: &Context, args: CompletionsArgs) -> Outcome {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "ouvrage", &mut script);
    match std::io::Write::write_all(&mut std::io::stdout(), &script) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => fail(
            ctx,
            Diagnostic::error_in(None, format!("cannot write: {e}")),
        ),
        _ => Outcome::Success,
    }
}

/// `ouvrage-help.1`: the main page lists clap's `help` command among the
/// others, but `generate_to` writes no page for it.
fn write_help_page(dir: &std::path::Path) -> std::io::Result<()> {
    let path = dir.join("ouvrage-help.1");
    if path.exists() {
        return Ok(());
    }
    let mut cmd = Cli::command();
    cmd.build();
    let Some(help) = cmd.find_subcommand("help") else {
        return Ok(());
    };
    let page = help.clone().name("ouvrage-help").bin_name("ouvrage help");
    let mut out = Vec::new();
    clap_mangen::Man::new(page).render(&mut out)?;
    std::fs::write(path, out)
}

/// Runs `man`.
pub fn man(ctx: &Context, args: ManArgs) -> Outcome {
    let cmd = Cli::command();
    let Some(dir) = args.dir else {
        let mut out = std::io::stdout().lock();
        return match clap_mangen::Man::new(cmd).render(&mut out) {
            Ok(()) => Outcome::Success,
            // A closed pipe (`ouvrage man | head`) is no failure.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Outcome::Success,
            Err(e) => fail(
                ctx,
                Diagnostic::error_in(None, format!("cannot write: {e}")),
            ),
        };
    };
    let dir = if dir.is_absolute() {
        dir
    } else {
        ctx.cwd.join(dir)
    };
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| clap_mangen::generate_to(cmd, &dir))
        .and_then(|()| write_help_page(&dir));
    if let Err(e) = written {
        return fail(
            ctx,
            Diagnostic::error_in(Some(dir), format!("cannot write the manual pages: {e}"))
                .hint("choose a folder you can write to: `ouvrage man --dir DIR`"),
        );
    }
    ctx.info(format!(
        "wrote the manual pages into {}\nread one with `man {}/ouvrage.1`",
        dir.display(),
        dir.display()
    ));
    Outcome::Success
}
