//! The command line: arguments (clap derive, doc comments as help), one
//! file per command, and the printing of diagnostics.

mod build;
mod check;
mod comment;
mod contributors;
mod diff;
mod import;
mod init;
mod new;
mod review;
mod shell;
mod status;
mod watch;

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use codespan_reporting::term::termcolor::{BufferedStandardStream, ColorChoice, WriteColor};

use crate::diag::{Diagnostic, Severity, emit_text};
use crate::source::Sources;

/// The version and the git revision the binary was built from (build.rs).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (git ",
    env!("OUVRAGE_GIT_REVISION"),
    ")"
);

/// Collective books in Markdown and git: assemble, review, typeset.
#[derive(Debug, Parser)]
#[command(name = "ouvrage", version = VERSION, propagate_version = true)]
#[command(
    after_help = "Examples:\n  ouvrage init mon-livre\n  ouvrage check\n  ouvrage build --html"
)]
pub struct Cli {
    /// The book's folder (default: the nearest folder upwards holding a book.toml).
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        help_heading = "Global options"
    )]
    pub book: Option<PathBuf>,
    /// Print errors only.
    #[arg(
        short,
        long,
        global = true,
        conflicts_with = "verbose",
        help_heading = "Global options"
    )]
    pub quiet: bool,
    /// Print more about what is done.
    #[arg(short, long, global = true, action = clap::ArgAction::Count, help_heading = "Global options")]
    pub verbose: u8,
    /// When to use colours (NO_COLOR is honoured with `auto`).
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto, help_heading = "Global options")]
    pub color: Color,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Colour choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// Colours on a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new book that builds as it is.
    #[command(
        after_help = "Example:\n  ouvrage init mon-livre --title \"Les communs\" --language fr"
    )]
    Init(init::InitArgs),
    /// Add a chapter from the template.
    #[command(
        after_help = "Example:\n  ouvrage new fablabs --title \"L'expérience des fablabs\" --author author --reviewer editor"
    )]
    New(new::NewArgs),
    /// Build the book's outputs into _book/.
    #[command(
        after_help = "Examples:\n  ouvrage build            every format\n  ouvrage build --html     the site alone, in _book/html\n  ouvrage build --epub     the EPUB alone, _book/<book-id>.epub\n  ouvrage build --out /tmp/site"
    )]
    Build(build::BuildArgs),
    /// An author: this revision of the chapter is ready for review.
    #[command(after_help = "Example:\n  ouvrage submit fablabs -m \"Prêt pour relecture\"")]
    Submit(review::SubmitArgs),
    /// A reviewer: approve, ask for changes or comment on the chapter's current revision.
    #[command(
        after_help = "Examples:\n  ouvrage review fablabs --approve\n  ouvrage review fablabs --request-changes -m \"Voir la section 2\""
    )]
    Review(review::ReviewArgs),
    /// An editor: this approved revision is final.
    #[command(after_help = "Example:\n  ouvrage finalize fablabs")]
    Finalize(review::FinalizeArgs),
    /// Comment on a passage of a chapter (optionally suggesting an edit), or
    /// reply to, resolve or reopen a comment.
    #[command(
        after_help = "Examples:\n  ouvrage comment fablabs --on \"des ateliers ouverts\" -m \"Une source ?\"\n  ouvrage comment fablabs --on \"coopérative\" -m \"Le mot juste\" --suggest \"société coopérative\" --line 12\n  ouvrage comment reply 1f3c2a -m \"Ajoutée.\"\n  ouvrage comment resolve 1f3c2a"
    )]
    Comment(comment::CommentArgs),
    /// List the comments, each found again in the chapter's current text.
    #[command(
        after_help = "Examples:\n  ouvrage comments\n  ouvrage comments fablabs --open\n  ouvrage comments --format json"
    )]
    Comments(comment::CommentsArgs),
    /// Apply a comment's suggested edit to the chapter's file, for you to commit.
    #[command(after_help = "Example:\n  ouvrage suggestion apply 1f3c2a")]
    Suggestion(comment::SuggestionArgs),
    /// What changed in a chapter's text since your approval (or a revision), word by word.
    #[command(
        after_help = "Examples:\n  ouvrage diff fablabs\n  ouvrage diff fablabs --reviewer bo\n  ouvrage diff fablabs --since HEAD~3"
    )]
    Diff(diff::DiffArgs),
    /// The review state of each chapter and contributor, from git history.
    #[command(
        after_help = "Examples:\n  ouvrage status\n  ouvrage status --by contributor\n  ouvrage status --format json\n  ouvrage status --format markdown >> \"$GITHUB_STEP_SUMMARY\""
    )]
    Status(status::StatusArgs),
    /// Who wrote what: chapters signed, commits, and lines and words still theirs (git blame).
    #[command(
        after_help = "Examples:\n  ouvrage contributors\n  ouvrage contributors --format json"
    )]
    Contributors(contributors::ContributorsArgs),
    /// Build a draft, serve it on 127.0.0.1, rebuild and reload the browser on every change.
    #[command(
        after_help = "Examples:\n  ouvrage watch              http://127.0.0.1:3000/ (or the next free port)\n  ouvrage watch --open --no-pdf\n  ouvrage watch --port 0     any free port"
    )]
    Watch(watch::WatchArgs),
    /// Validate everything and write nothing.
    #[command(
        after_help = "Examples:\n  ouvrage check\n  ouvrage check --format json\n  ouvrage check --format github   (annotations in GitHub/Forgejo Actions)"
    )]
    Check(check::CheckArgs),
    /// Make an mdBook, Pandoc files or a Quarto book into a new ouvrage book, or a DOCX into a chapter.
    #[command(
        after_help = "Examples:\n  ouvrage import mdbook book --into trpl --site-url https://doc.rust-lang.org/book/\n  ouvrage import pandoc intro.md methods.md --into livre\n  ouvrage import quarto my-quarto-book --into livre\n  ouvrage import docx fablabs.docx --id fablabs --author lequin"
    )]
    Import(import::ImportArgs),
    /// Print a shell's completion script for ouvrage.
    #[command(
        after_help = "Examples:\n  ouvrage completions bash > ~/.local/share/bash-completion/completions/ouvrage\n  ouvrage completions zsh > ~/.zfunc/_ouvrage\n  ouvrage completions fish > ~/.config/fish/completions/ouvrage.fish"
    )]
    Completions(shell::CompletionsArgs),
    /// Print the manual page, or write one page per command with --dir.
    #[command(
        after_help = "Examples:\n  ouvrage man | man -l -\n  ouvrage man --dir ~/.local/share/man/man1"
    )]
    Man(shell::ManArgs),
}

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum DiagnosticFormat {
    /// For people: file:line:col, the source line and a caret.
    #[default]
    Text,
    /// One JSON object with every diagnostic.
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…::`), which
    /// Forgejo and Gitea Actions understand too.
    Github,
    /// GitLab's Code Quality report: a JSON array, for `artifacts:reports:codequality`.
    Gitlab,
}

/// Shared state of one invocation.
#[derive(Clone)]
pub struct Context {
    /// The current directory.
    pub cwd: PathBuf,
    /// `--book`.
    pub book: Option<PathBuf>,
    /// `-q`.
    pub quiet: bool,
    /// `-v`.
    pub verbose: u8,
    color: ColorChoice,
}

impl Context {
    /// The book root, or a diagnostic saying why there is none.
    pub fn root(&self) -> Result<PathBuf, Diagnostic> {
        crate::load::find_root(&self.cwd, self.book.as_deref())
    }

    /// Whether stdout gets colours (same rules as diagnostics, for stdout).
    pub fn color_stdout(&self) -> bool {
        match self.color {
            ColorChoice::Always | ColorChoice::AlwaysAnsi => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => std::io::IsTerminal::is_terminal(&std::io::stdout()),
        }
    }

    /// Prints a line of progress unless `-q`.
    pub fn info(&self, message: impl AsRef<str>) {
        if !self.quiet {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{}", message.as_ref());
        }
    }

    /// Prints diagnostics to stderr in the given format. Warnings are hidden by `-q`.
    pub fn print_diagnostics(
        &self,
        sources: &Sources,
        diagnostics: &[Diagnostic],
        format: DiagnosticFormat,
    ) {
        let shown: Vec<Diagnostic> = diagnostics
            .iter()
            .filter(|d| !(self.quiet && d.severity != Severity::Error))
            .cloned()
            .collect();
        match format {
            DiagnosticFormat::Text => {
                // Buffered: the report is written in a few system calls,
                // not one per piece of a line (a thousand warnings took a
                // third of a second to print unbuffered).
                let mut err = BufferedStandardStream::stderr(self.color);
                let _ = emit_text(&mut err, sources, &shown);
                let count = |severity| shown.iter().filter(|d| d.severity == severity).count();
                if !shown.is_empty() {
                    let _ = err.reset();
                    let _ = writeln!(
                        err,
                        "{}",
                        summary(
                            count(Severity::Error),
                            count(Severity::Warning),
                            count(Severity::Note)
                        )
                    );
                }
                let _ = err.flush();
            }
            DiagnosticFormat::Json => {
                let doc = diagnostics_json(sources, &shown);
                println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
            }
            DiagnosticFormat::Github => {
                let prefix = self.forge_prefix();
                for d in &shown {
                    println!("{}", github_annotation(d, sources, &prefix));
                }
            }
            DiagnosticFormat::Gitlab => {
                let doc = gitlab_code_quality(sources, &shown, &self.forge_prefix());
                println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
            }
        }
    }

    /// The book root's path from the top of its git repository (`""` when
    /// the book is the repository, or outside git), with a trailing `/`:
    /// forges name files from the repository's top.
    fn forge_prefix(&self) -> String {
        let Ok(root) = self.root().and_then(|r| {
            r.canonicalize()
                .map_err(|e| Diagnostic::error_in(None, e.to_string()))
        }) else {
            return String::new();
        };
        crate::git::work_dir(&root)
            .and_then(|top| {
                root.strip_prefix(&top)
                    .ok()
                    .map(|p| p.to_string_lossy().replace('\\', "/"))
            })
            .filter(|p| !p.is_empty())
            .map(|p| format!("{p}/"))
            .unwrap_or_default()
    }
}

/// The file a diagnostic names, as a forge names it: relative to the
/// repository's top (`prefix` is the book's folder there).
fn forge_path(file: &std::path::Path, prefix: &str) -> String {
    let file = file.to_string_lossy().replace('\\', "/");
    if std::path::Path::new(&file).is_absolute() {
        file
    } else {
        format!("{prefix}{file}")
    }
}

/// Diagnostics as GitLab's Code Quality report (a subset of Code Climate's
/// format): `description`, `check_name`, `fingerprint`, `severity` and
/// `location.path`/`location.lines.begin` for each. A diagnostic that names
/// no file is placed on book.toml's first line, since GitLab needs a path.
pub fn gitlab_code_quality(
    sources: &Sources,
    diagnostics: &[Diagnostic],
    prefix: &str,
) -> serde_json::Value {
    let items: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|d| {
            let loc = d.location(sources);
            let path = loc.as_ref().map_or_else(
                || format!("{prefix}{}", crate::load::BOOK_FILE),
                |l| forge_path(&l.file, prefix),
            );
            let line = loc.as_ref().and_then(|l| l.line).unwrap_or(1);
            let mut description = d.message.clone();
            for h in &d.hints {
                description.push_str(&format!(" ({h})"));
            }
            // Stable across runs while the fault stays where it is, and
            // different for two faults on one line.
            let fingerprint =
                crate::git::blob_id(format!("{path}\0{line}\0{}", d.message).as_bytes());
            serde_json::json!({
                "description": description,
                "check_name": "ouvrage",
                "fingerprint": fingerprint,
                "severity": match d.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                    Severity::Note => "info",
                },
                "location": {"path": path, "lines": {"begin": line}},
            })
        })
        .collect();
    serde_json::Value::Array(items)
}

/// Diagnostics as one JSON object: counts and the list, each with its location.
pub fn diagnostics_json(sources: &Sources, diagnostics: &[Diagnostic]) -> serde_json::Value {
    let items: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|d| {
            let loc = d.location(sources);
            serde_json::json!({
                "severity": d.severity,
                "message": d.message,
                "file": loc.as_ref().map(|l| l.file.display().to_string()),
                "line": loc.as_ref().and_then(|l| l.line),
                "column": loc.as_ref().and_then(|l| l.column),
                "hints": d.hints,
            })
        })
        .collect();
    let count = |severity| {
        diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    };
    serde_json::json!({
        "errors": count(Severity::Error),
        "warnings": count(Severity::Warning),
        "notes": count(Severity::Note),
        "diagnostics": items
    })
}

fn summary(errors: usize, warnings: usize, notes: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut line = format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    );
    if notes > 0 {
        line.push_str(&format!(", {}", plural(notes, "note")));
    }
    line
}

/// One GitHub Actions annotation line (`prefix`: the book's folder in its
/// repository, see [`Context::print_diagnostics`]).
pub fn github_annotation(d: &Diagnostic, sources: &Sources, prefix: &str) -> String {
    let level = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    };
    // Workflow commands end at a newline; % and newlines are escaped.
    let esc = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let esc_prop = |s: &str| esc(s).replace(':', "%3A").replace(',', "%2C");
    let mut props = Vec::new();
    if let Some(loc) = d.location(sources) {
        props.push(format!("file={}", esc_prop(&forge_path(&loc.file, prefix))));
        if let Some(line) = loc.line {
            props.push(format!("line={line}"));
        }
        if let Some(col) = loc.column {
            props.push(format!("col={col}"));
        }
    }
    let mut message = d.message.clone();
    for h in &d.hints {
        message.push_str(&format!("\n{h}"));
    }
    if props.is_empty() {
        format!("::{level}::{}", esc(&message))
    } else {
        format!("::{level} {}::{}", props.join(","), esc(&message))
    }
}

/// What a command ends with.
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: the book has errors (already printed).
    BookErrors,
    /// Exit 2: the command line asks for something that cannot be done
    /// (already printed), as clap's own usage errors.
    Usage,
}

/// Runs the parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    let color = match cli.color {
        Color::Always => ColorChoice::Always,
        Color::Never => ColorChoice::Never,
        Color::Auto if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) => {
            ColorChoice::Never
        }
        Color::Auto if std::io::IsTerminal::is_terminal(&std::io::stderr()) => ColorChoice::Auto,
        Color::Auto => ColorChoice::Never,
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let ctx = Context {
        cwd,
        book: cli.book.clone(),
        quiet: cli.quiet,
        verbose: cli.verbose,
        color,
    };
    let outcome = match cli.command {
        Command::Init(args) => init::run(&ctx, args),
        Command::New(args) => new::run(&ctx, args),
        Command::Build(args) => build::run(&ctx, args),
        Command::Check(args) => check::run(&ctx, args),
        Command::Watch(args) => watch::run(&ctx, args),
        Command::Submit(args) => review::submit(&ctx, args),
        Command::Review(args) => review::review(&ctx, args),
        Command::Finalize(args) => review::finalize(&ctx, args),
        Command::Comment(args) => comment::comment(&ctx, args),
        Command::Comments(args) => comment::list(&ctx, args),
        Command::Diff(args) => diff::run(&ctx, args),
        Command::Suggestion(args) => comment::suggestion(&ctx, args),
        Command::Status(args) => status::run(&ctx, args),
        Command::Contributors(args) => contributors::run(&ctx, args),
        Command::Import(args) => import::run(&ctx, args),
        Command::Completions(args) => shell::completions(&ctx, args),
        Command::Man(args) => shell::man(&ctx, args),
    };
    crate::git::finish_writes();
    match outcome {
        Outcome::Success => 0,
        Outcome::BookErrors => 1,
        Outcome::Usage => 2,
    }
}

/// Prints a usage error that clap's rules cannot express, and exits 2.
pub fn usage(ctx: &Context, diagnostic: Diagnostic) -> Outcome {
    fail(ctx, diagnostic);
    Outcome::Usage
}

/// Prints one diagnostic that has no source (no book found, a write failed).
pub fn fail(ctx: &Context, diagnostic: Diagnostic) -> Outcome {
    ctx.print_diagnostics(&Sources::default(), &[diagnostic], DiagnosticFormat::Text);
    Outcome::BookErrors
}

/// Finds the book, loads and checks it, and prints every diagnostic.
/// `Err` when the book has errors: the caller stops with that outcome.
pub fn load_checked(
    ctx: &Context,
    format: DiagnosticFormat,
) -> Result<(PathBuf, crate::model::Book), Outcome> {
    let (root, book, warnings) = load_quietly(ctx, format, true)?;
    ctx.print_diagnostics(&book.sources, &warnings, format);
    Ok((root, book))
}

/// Loads the book for commands that read git rather than render (see
/// [`crate::pipeline::load_outline`]): the diagnostics of loading, parsing
/// and people are printed, and the command goes on unless book.toml itself
/// is unusable (a broken chapter does not stop a review).
pub fn load_lenient(ctx: &Context) -> Result<(PathBuf, crate::model::Book), Outcome> {
    let root = ctx.root().map_err(|d| fail(ctx, d))?;
    let mut sink = crate::diag::Sink::default();
    let book = crate::pipeline::load_outline(&root, &mut sink);
    ctx.print_diagnostics(&book.sources, &sink.into_sorted(), DiagnosticFormat::Text);
    if book.config.book.title.is_empty() {
        return Err(Outcome::BookErrors);
    }
    Ok((root, book))
}

/// Like [`load_checked`], but hands the warnings back instead of printing
/// them (errors are printed, and end the command). `formatted`: whether the
/// site or the EPUB will be rendered (see [`crate::passes::Prepare`]).
pub fn load_quietly(
    ctx: &Context,
    format: DiagnosticFormat,
    formatted: bool,
) -> Result<(PathBuf, crate::model::Book, Vec<Diagnostic>), Outcome> {
    let root = ctx.root().map_err(|d| fail(ctx, d))?;
    let mut sink = crate::diag::Sink::default();
    let book = if formatted {
        crate::pipeline::load_model(&root, &mut sink)
    } else {
        crate::pipeline::load_model_unformatted(&root, &mut sink)
    };
    let failed = sink.has_errors();
    let diagnostics = sink.into_sorted();
    if failed {
        ctx.print_diagnostics(&book.sources, &diagnostics, format);
        return Err(Outcome::BookErrors);
    }
    Ok((root, book, diagnostics))
}

/// Common arguments of commands that read the book.
#[derive(Debug, Args, Default)]
pub struct FormatArg {
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Text)]
    pub format: DiagnosticFormat,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_annotations_escape_as_github_specifies() {
        let mut sources = Sources::default();
        let file = sources.add(
            PathBuf::from("chapters/a:b,c%.md"),
            "one\ntwo\n".to_string(),
        );
        let d = Diagnostic::error(crate::diag::Span::new(file, 4..7), "50% done\r\nnext: a, b")
            .hint("a hint");
        assert_eq!(
            github_annotation(&d, &sources, "book/"),
            "::error file=book/chapters/a%3Ab%2Cc%25.md,line=2,col=1::50%25 done%0D%0Anext: a, b%0Aa hint"
        );
        // A diagnostic about no file still makes one well-formed command.
        let d = Diagnostic::error_in(None, "no book");
        assert_eq!(github_annotation(&d, &sources, ""), "::error::no book");
        let mut w = Diagnostic::error_in(Some(PathBuf::from("book.toml")), "old key");
        w.severity = Severity::Warning;
        assert_eq!(
            github_annotation(&w, &sources, ""),
            "::warning file=book.toml::old key"
        );
    }
}
