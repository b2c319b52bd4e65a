//! `ouvrage init`: a new book that builds as it is; with `--ci` the forge's
//! workflow (GitHub Actions, GitLab CI, Forgejo Actions), whose templates
//! are `templates/ci/` of this repository; with `--templates` a copy of
//! every built-in template of the registry ([`crate::templates`]) in the
//! book's `templates/`, to restyle it.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::{Context, Outcome, fail};
use crate::atomic::write_atomically;
use crate::diag::Diagnostic;
use crate::templates;

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
    /// Also write the CI workflow of this forge (in an existing book: only
    /// the workflow).
    #[arg(long, value_enum, value_name = "FORGE")]
    pub ci: Option<Forge>,
    /// The git repository the workflow installs ouvrage from (it is pinned
    /// at the revision this ouvrage was built from).
    #[arg(long, value_name = "URL", requires = "ci")]
    pub ouvrage_git: Option<String>,
    /// Also copy every built-in template into the book's templates/, to
    /// restyle the book (in an existing book: only the templates; a file
    /// already there is kept).
    #[arg(long)]
    pub templates: bool,
}

/// A forge whose CI `init --ci` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Forge {
    /// Forgejo or Gitea Actions: .forgejo/workflows/ouvrage.yml.
    Forgejo,
    /// GitLab CI: .gitlab-ci.yml.
    Gitlab,
    /// GitHub Actions: .github/workflows/ouvrage.yml.
    Github,
}

impl Forge {
    /// Every forge, for the tests.
    pub const ALL: [Forge; 3] = [Forge::Forgejo, Forge::Gitlab, Forge::Github];

    /// Where the workflow goes, from the repository's top.
    pub fn workflow_path(self) -> &'static str {
        match self {
            Forge::Forgejo => ".forgejo/workflows/ouvrage.yml",
            Forge::Gitlab => ".gitlab-ci.yml",
            Forge::Github => ".github/workflows/ouvrage.yml",
        }
    }

    /// The workflow's template (`templates/ci/` of this repository, the one
    /// source of truth).
    pub fn template(self) -> &'static str {
        match self {
            Forge::Forgejo => include_str!("../../templates/ci/forgejo.yml"),
            Forge::Gitlab => include_str!("../../templates/ci/gitlab-ci.yml"),
            Forge::Github => include_str!("../../templates/ci/github.yml"),
        }
    }

    /// The workflow with ouvrage's source filled in: `git` if given, and
    /// the revision this binary was built from (else its version's tag).
    pub fn workflow(self, git: Option<&str>) -> String {
        let revision = match env!("OUVRAGE_GIT_REVISION") {
            "unknown" => concat!("v", env!("CARGO_PKG_VERSION")),
            rev => rev,
        };
        let mut text = self.template().replace(
            "\"__OUVRAGE_REV__\"",
            &crate::config::quote::double_quoted(revision),
        );
        if let Some(git) = git {
            text = text.replace(
                "\"__OUVRAGE_GIT__\"",
                &crate::config::quote::double_quoted(git),
            );
        }
        text
    }
}

/// The files of a new book, by path, in one language.
type Skeleton = &'static [(&'static str, &'static str)];

/// A new book's files, written in each language the typography tables know
/// (the same paths and ids in each, so that the guide's commands work
/// whatever the language).
macro_rules! skeleton {
    ($lang:literal) => {
        &[
            (
                "book.toml",
                include_str!(concat!("skeleton/", $lang, "/book.toml")),
            ),
            (
                "contributors.toml",
                include_str!(concat!("skeleton/", $lang, "/contributors.toml")),
            ),
            (
                "chapters/00-introduction.md",
                include_str!(concat!("skeleton/", $lang, "/chapters/00-introduction.md")),
            ),
            (
                "chapters/01-first-chapter.md",
                include_str!(concat!("skeleton/", $lang, "/chapters/01-first-chapter.md")),
            ),
            (".gitignore", "_book/\n"),
        ]
    };
}

/// The languages `init` has sample text in, and their files.
const SKELETONS: &[(&str, Skeleton)] = &[
    ("en", skeleton!("en")),
    ("fr", skeleton!("fr")),
    ("it", skeleton!("it")),
];

/// The sample text for `lang`, and whether it is in that language (else
/// English).
fn skeleton(lang: &crate::lang::Lang) -> (Skeleton, bool) {
    match SKELETONS.iter().find(|(l, _)| *l == lang.primary()) {
        Some((_, files)) => (files, true),
        None => (SKELETONS[0].1, false),
    }
}

/// Runs `init`.
pub fn run(ctx: &Context, args: InitArgs) -> Outcome {
    let dir = match &args.dir {
        Some(d) if d.is_absolute() => d.clone(),
        Some(d) => ctx.cwd.join(d),
        None => ctx.cwd.clone(),
    };
    let exists = dir.join("book.toml").exists();
    if exists && (args.templates || args.ci.is_some()) {
        return add_to_book(ctx, &dir, &args);
    }
    if exists {
        return fail(
            ctx,
            Diagnostic::error_in(Some(dir.join("book.toml")), "a book already exists here")
                .hint("choose another folder: `ouvrage init DIR`"),
        );
    }
    if !crate::lang::is_language_tag(&args.language) {
        return fail(
            ctx,
            Diagnostic::error_in(
                None,
                format!("`{}` is not a BCP 47 language tag", args.language),
            )
            .hint("use a tag such as fr, it or en"),
        );
    }
    let lang = crate::lang::Lang::parse(&args.language);
    let (files, translated) = skeleton(&lang);
    let mut skipped = Vec::new();
    for (name, contents) in files {
        let path = dir.join(name);
        if path.symlink_metadata().is_ok() {
            skipped.push(*name); // never overwrite a file of the user's
            continue;
        }
        let contents = contents
            .replace("{title}", &crate::config::quote::escaped(&args.title))
            .replace("{language}", lang.tag());
        if let Err(d) = write_atomically(&path, contents.as_bytes()) {
            return fail(ctx, d);
        }
    }
    ctx.info(format!("created a book in {}", dir.display()));
    if !translated {
        let known: Vec<&str> = SKELETONS.iter().map(|(l, _)| *l).collect();
        ctx.info(format!(
            "the example chapters are in English: ouvrage has sample text in {} only; \
             replace them with your own",
            known.join(", ")
        ));
    }
    if !skipped.is_empty() {
        let warning = Diagnostic::warning_in(
            Some(dir.clone()),
            format!(
                "kept {} file(s) already in the folder, not overwritten: {}",
                skipped.len(),
                skipped.join(", ")
            ),
        )
        .hint("the book may not build until they agree with the new book.toml: `ouvrage check` says where");
        ctx.print_diagnostics(
            &crate::source::Sources::default(),
            &[warning],
            super::DiagnosticFormat::Text,
        );
    }
    ctx.info("next: cd into it, then `ouvrage build` and open _book/html/index.html");
    add_to_book(ctx, &dir, &args)
}

/// Writes what `--templates` and `--ci` ask for into the book at `dir`.
fn add_to_book(ctx: &Context, dir: &Path, args: &InitArgs) -> Outcome {
    if args.templates
        && let Outcome::BookErrors = write_templates(ctx, dir)
    {
        return Outcome::BookErrors;
    }
    match args.ci {
        Some(forge) => write_workflow(ctx, dir, forge, args.ouvrage_git.as_deref()),
        None => Outcome::Success,
    }
}

/// Copies every template of the registry into the book's `templates/`,
/// keeping any file already there (the user's own design, or an earlier
/// copy they edited), and says which were written and which kept.
fn write_templates(ctx: &Context, dir: &Path) -> Outcome {
    let folder = dir.join(templates::DIR);
    let (mut written, mut kept) = (Vec::new(), Vec::new());
    for template in templates::ALL {
        let path = folder.join(template.name);
        // `symlink_metadata`: a dangling link is a file of the user's too.
        if path.symlink_metadata().is_ok() {
            kept.push(template.name);
            continue;
        }
        if let Err(d) = write_atomically(&path, template.builtin.as_bytes()) {
            return fail(ctx, d);
        }
        written.push(template.name);
    }
    if !written.is_empty() {
        ctx.info(format!(
            "wrote {} template(s) into {}/: {}",
            written.len(),
            templates::DIR,
            written.join(", ")
        ));
    }
    if !kept.is_empty() {
        ctx.info(format!(
            "kept {} file(s) already there, not overwritten: {}",
            kept.len(),
            kept.join(", ")
        ));
    }
    if !written.is_empty() {
        // The copies are the built-in templates as they are: the book
        // builds the same until one is edited.
        ctx.info(
            "next: edit them, then `ouvrage build`; delete one to go back to its built-in version",
        );
    }
    Outcome::Success
}

/// Writes the forge's workflow into the book's folder (never over a file).
fn write_workflow(ctx: &Context, dir: &Path, forge: Forge, git: Option<&str>) -> Outcome {
    let path = dir.join(forge.workflow_path());
    if path.exists() {
        return fail(
            ctx,
            Diagnostic::error_in(Some(path), "a workflow already exists here")
                .hint("ouvrage never overwrites a file: move it aside, run this again and compare"),
        );
    }
    if let Err(d) = write_atomically(&path, forge.workflow(git).as_bytes()) {
        return fail(ctx, d);
    }
    ctx.info(format!("wrote {}", forge.workflow_path()));
    if git.is_none() {
        ctx.info(format!(
            "next: set OUVRAGE_GIT in {} to the git repository ouvrage is installed from \
             (or pass --ouvrage-git URL), then commit it",
            forge.workflow_path()
        ));
    }
    Outcome::Success
}
