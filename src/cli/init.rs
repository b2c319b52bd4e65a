//! `ouvrage init`: a new book that builds as it is.

use std::path::PathBuf;

use clap::Args;

use super::{Context, Outcome, fail, write_atomically};
use crate::diag::Diagnostic;

/// Arguments of `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder of the new book (default: the current folder).
    pub dir: Option<PathBuf>,
    /// The book's title.
    #[arg(long, default_value = "A new book")]
    pub title: String,
    /// The book's language, a BCP 47 tag.
    #[arg(long, default_value = "en")]
    pub language: String,
}

const FILES: &[(&str, &str)] = &[
    ("book.toml", include_str!("skeleton/book.toml")),
    (
        "contributors.toml",
        include_str!("skeleton/contributors.toml"),
    ),
    (
        "chapters/00-introduction.md",
        include_str!("skeleton/chapters/00-introduction.md"),
    ),
    (
        "chapters/01-first-chapter.md",
        include_str!("skeleton/chapters/01-first-chapter.md"),
    ),
    (".gitignore", "_book/\n"),
];

/// Runs `init`.
pub fn run(ctx: &Context, args: InitArgs) -> Outcome {
    let dir = match &args.dir {
        Some(d) if d.is_absolute() => d.clone(),
        Some(d) => ctx.cwd.join(d),
        None => ctx.cwd.clone(),
    };
    if dir.join("book.toml").exists() {
        return fail(
            ctx,
            Diagnostic::error_in(Some(dir.join("book.toml")), "a book already exists here")
                .hint("choose another folder: `ouvrage init DIR`"),
        );
    }
    if !crate::config::book::is_language_tag(&args.language) {
        return fail(
            ctx,
            Diagnostic::error_in(
                None,
                format!("`{}` is not a BCP 47 language tag", args.language),
            )
            .hint("use a tag such as fr, it or en"),
        );
    }
    for (name, contents) in FILES {
        let path = dir.join(name);
        if path.exists() {
            continue; // never overwrite a file of the user's
        }
        let contents = contents
            .replace("{title}", &toml_escape(&args.title))
            .replace("{language}", &args.language);
        if let Err(d) = write_atomically(&path, contents.as_bytes()) {
            return fail(ctx, d);
        }
    }
    ctx.info(format!(
        "created a book in {}\nnext: cd into it, then `ouvrage build` and open _book/html/index.html",
        dir.display()
    ));
    Outcome::Success
}

/// Escapes text for a TOML basic string.
pub fn toml_escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}
