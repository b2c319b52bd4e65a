//! `ouvrage new`: a new chapter file with its front matter.

use clap::Args;

use super::{Context, Outcome, fail};
use crate::atomic::write_atomically;
use crate::config::read::is_valid_id;
use crate::diag::{Diagnostic, Sink};
use crate::load::{CHAPTERS_DIR, load_book};

/// Arguments of `new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The chapter id: lowercase ASCII letters, digits and `-`.
    pub id: String,
    /// The chapter's title.
    #[arg(long)]
    pub title: String,
    /// Contributor id of an author (repeat for several).
    #[arg(long = "author", required = true)]
    pub authors: Vec<String>,
    /// Contributor id of an assigned reviewer (repeat for several).
    #[arg(long = "reviewer")]
    pub reviewers: Vec<String>,
}

/// Runs `new`.
pub fn run(ctx: &Context, args: NewArgs) -> Outcome {
    let root = match ctx.root() {
        Ok(root) => root,
        Err(d) => return fail(ctx, d),
    };
    if !is_valid_id(&args.id) {
        return fail(
            ctx,
            Diagnostic::error_in(None, format!("`{}` is not a valid chapter id", args.id))
                .hint("use lowercase ASCII letters, digits and `-`, e.g. fablabs"),
        );
    }
    let mut sink = Sink::default();
    let loaded = load_book(&root, &mut sink);
    if let Some(existing) = loaded.chapters.iter().find(|c| c.id == args.id) {
        return fail(
            ctx,
            Diagnostic::error_in(
                Some(existing.path.clone()),
                format!("a chapter with the id `{}` already exists", args.id),
            ),
        );
    }
    for author in args.authors.iter().chain(&args.reviewers) {
        if loaded.contributors.get(author).is_none() {
            let known = loaded.contributors.known();
            return fail(
                ctx,
                Diagnostic::error_in(None, format!("unknown contributor `{author}`"))
                    .suggest(author, loaded.contributors.ids())
                    .hint(known)
                    .hint("add them to contributors.toml first"),
            );
        }
    }
    let next = crate::load::next_chapter_number(&loaded);
    let rel = std::path::Path::new(CHAPTERS_DIR).join(format!("{next:02}-{}.md", args.id));
    let authors = args.authors.join(", ");
    let reviewers = args.reviewers.join(", ");
    // The front matter alone: the title is printed from it, so the text
    // does not open with a section repeating it.
    let text = format!(
        "---\ntitle: {}\nauthors: [{authors}]\nreviewers: [{reviewers}]\n---\n\n",
        crate::config::quote::double_quoted(&args.title),
    );
    if let Err(d) = write_atomically(&root.join(&rel), text.as_bytes()) {
        return fail(ctx, d);
    }
    if let Err(d) = add_to_chapter_list(&root.join("book.toml"), &args.id) {
        return fail(ctx, d);
    }
    ctx.info(format!("created {}", rel.display()));
    Outcome::Success
}

/// Appends the id to `book.chapters` when book.toml lists the chapters,
/// keeping the file's comments and layout.
fn add_to_chapter_list(book_toml: &std::path::Path, id: &str) -> Result<(), Diagnostic> {
    let text = std::fs::read_to_string(book_toml).map_err(|e| {
        Diagnostic::error_in(Some(book_toml.to_path_buf()), format!("cannot read: {e}"))
    })?;
    match crate::config::edit::chapter_appended(&text, id) {
        Ok(Some(new)) => write_atomically(book_toml, new.as_bytes()),
        Ok(None) => Ok(()),
        Err(e) => Err(Diagnostic::error_in(
            Some(book_toml.to_path_buf()),
            format!("cannot parse: {e}"),
        )),
    }
}
