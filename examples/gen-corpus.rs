//! The benchmark corpus of README "Speed" and issue 7: a complete book, in French
//! with some Italian chapters, that `ouvrage check` passes, the same chapters
//! as an mdBook beside it, and optionally a git history of review work.
//!
//! ```text
//! cargo run --release --example gen-corpus -- DIR \
//!     [--chapters 100] [--words 400000] [--commits 10000] [--seed 1]
//! ```
//!
//! DIR (missing or empty) receives `book.toml` (parts, bibliography, two
//! editors, `[review] required-approvals = 1`), `contributors.toml` (30
//! fictitious people with ids, names, `example.org` emails, affiliations,
//! roles, some bios), `references.bib` (a few hundred fictitious BibTeX
//! entries), `chapters/images/` (SVG charts and diagrams, PNGs) and
//! `chapters/NNN-<id>.md`: a foreword, then chapters in parts with `##` and
//! `###` headings (some `{#sec:…}`), footnotes, tables captioned by
//! `Table: … {#tbl:…}`, figures with `{#fig:…}`, Pandoc citations,
//! `@fig:`/`@tbl:`/`@sec:` cross-references within and across chapters,
//! fenced code, lists, quotes, `$…$` and `$$…$$` math, and French
//! typography to apply (« », `:`, `;`, `?`, `!`, apostrophes, units).
//!
//! `DIR-mdbook/` receives the same chapters for `mdbook build`: `book.toml`,
//! `src/SUMMARY.md` and each chapter without front matter, its title as
//! `# Title`, with the images.
//!
//! With `--commits N` (N ≥ 1), DIR is also a git repository whose `main`
//! holds N commits by those contributors: edits of paragraphs, review events
//! as `ouvrage` writes them, a few renames, and the deletion of one extra
//! chapter (so that HEAD has `--chapters` chapters). See
//! `examples/corpus/history.rs`. The same arguments always give the same
//! files and commit ids.

#[path = "corpus/mod.rs"]
mod corpus;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use corpus::book::{Book, Options};

#[derive(Parser)]
#[command(about = "Generate the benchmark book (and its mdBook twin, and a git history)")]
struct Args {
    /// The folder to create (must not exist, or be empty).
    dir: PathBuf,
    /// Number of chapters.
    #[arg(long, default_value_t = 100)]
    chapters: usize,
    /// Number of words in all.
    #[arg(long, default_value_t = 400_000)]
    words: usize,
    /// Commits of the git history (0: no repository).
    #[arg(long, default_value_t = 0)]
    commits: usize,
    /// Number of contributors (at least 5).
    #[arg(long, default_value_t = 30)]
    contributors: usize,
    /// Seed of the pseudo-random generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.chapters == 0 || args.chapters > 999 {
        eprintln!("error: --chapters must be between 1 and 999");
        return ExitCode::from(2);
    }
    if args.contributors < 5 || args.contributors > 999 {
        eprintln!("error: --contributors must be between 5 and 999");
        return ExitCode::from(2);
    }
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> corpus::history::Result<()> {
    let started = Instant::now();
    let mdbook_dir = corpus::mdbook::sibling(&args.dir);
    for dir in [&args.dir, &mdbook_dir] {
        if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
            return Err(format!("{} exists and is not empty", dir.display()).into());
        }
    }
    let mut book = Book::generate(&Options {
        chapters: args.chapters,
        words: args.words,
        contributors: args.contributors,
        seed: args.seed,
        extra_chapter: args.commits >= 20 && args.chapters >= 2,
    });
    let history = if args.commits > 0 {
        Some(corpus::history::write_history(
            &args.dir,
            &mut book,
            args.commits,
            args.seed,
        )?)
    } else {
        std::fs::create_dir_all(&args.dir)?;
        book.write(&args.dir)?;
        None
    };
    let alive = history
        .as_ref()
        .map_or_else(|| vec![true; book.chapters.len()], |h| h.alive.clone());
    corpus::mdbook::write(&book, &alive, &mdbook_dir)?;

    let s = &book.stats;
    println!(
        "{}: {} chapters, {} words, {} contributors, {} references",
        args.dir.display(),
        alive.iter().filter(|a| **a).count(),
        s.words,
        book.people.len(),
        s.entries
    );
    println!(
        "  {} sections, {} figures, {} tables, {} footnotes, {} citations, {} cross-references, {} code blocks, {} formulas",
        s.sections,
        s.figures,
        s.tables,
        s.footnotes,
        s.citations,
        s.crossrefs,
        s.code_blocks,
        s.formulas
    );
    if let Some(h) = &history {
        h.print();
    }
    println!("{}: the same chapters as an mdBook", mdbook_dir.display());
    println!("  {:.2} s", started.elapsed().as_secs_f64());
    Ok(())
}
