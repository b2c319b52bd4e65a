//! The command line as a person's habits expect it: completions and manual
//! pages for every command, the version with its git revision, colours
//! only when wanted, silence with -q, one JSON document with --format json.

mod common;

use std::process::Command;

use clap::CommandFactory;
use common::*;

/// Every command's name, from the clap definitions themselves, so that a
/// new command cannot be forgotten by these tests.
fn command_names() -> Vec<String> {
    let names: Vec<String> = ouvrage::cli::Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    assert!(names.len() >= 12, "{names:?}");
    names
}

fn run_raw(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ouvrage"));
    cmd.args(args).current_dir(dir).env_remove("NO_COLOR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[test]
fn completions_for_each_shell_name_every_command() {
    let tmp = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = ok(tmp.path(), &["completions", shell]);
        for name in command_names() {
            assert!(script.contains(&name), "{shell} completions lack `{name}`");
        }
        // Options of commands too, and their values where the shell
        // completes values.
        let words: &[&str] = if matches!(shell, "bash" | "zsh" | "fish") {
            &["require-approved", "all-branches", "markdown", "gitlab"]
        } else {
            &["require-approved", "all-branches"]
        };
        for word in words {
            assert!(script.contains(word), "{shell} completions lack `{word}`");
        }
    }
    assert_eq!(
        ouvrage(tmp.path(), &["completions", "tcsh"]).status.code(),
        Some(2)
    );
}

#[test]
fn the_manual_names_every_command_and_has_a_page_for_each() {
    let tmp = tempfile::tempdir().unwrap();
    let page = ok(tmp.path(), &["man"]);
    assert!(
        page.starts_with(".ie") || page.contains(".TH ouvrage 1"),
        "{page}"
    );
    for name in command_names() {
        assert!(
            page.contains(&format!("ouvrage\\-{name}")) || page.contains(&name),
            "the page lacks `{name}`"
        );
    }
    ok(tmp.path(), &["man", "--dir", "man1"]);
    for name in command_names() {
        let file = tmp.path().join(format!("man1/ouvrage-{name}.1"));
        let text =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(text.contains(&format!(".TH ouvrage-{name} 1")), "{text}");
    }
    assert!(tmp.path().join("man1/ouvrage.1").is_file());
    // Every page a page refers to is there (`ouvrage man` listed
    // `ouvrage-help(1)`, which `--dir` did not write).
    let pages = std::fs::read_dir(tmp.path().join("man1"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap());
    for text in pages.chain([page.clone()]) {
        for (i, _) in text.match_indices("ouvrage\\-") {
            let name: String = text[i + "ouvrage\\-".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            if text[i..].contains(&format!("ouvrage\\-{name}(1)")) {
                let file = tmp.path().join(format!("man1/ouvrage-{name}.1"));
                assert!(
                    file.is_file(),
                    "a page refers to {} which is not written",
                    file.display()
                );
            }
        }
    }
}

#[test]
fn global_options_have_their_own_heading_in_help() {
    let tmp = tempfile::tempdir().unwrap();
    let help = ok(tmp.path(), &["build", "--help"]);
    let heading = help
        .find("Global options:")
        .expect("a heading for the global options");
    for option in ["--book", "--quiet", "--verbose", "--color"] {
        let at = help
            .find(option)
            .unwrap_or_else(|| panic!("{option} in {help}"));
        assert!(
            at > heading,
            "{option} is listed before the global heading:\n{help}"
        );
    }
    // The command's own options come first, under their own heading.
    assert!(help.find("--html").unwrap() < heading, "{help}");
}

#[test]
fn version_names_the_git_revision() {
    let tmp = tempfile::tempdir().unwrap();
    let out = ok(tmp.path(), &["--version"]);
    let version = out.trim();
    assert!(
        version.starts_with(&format!("ouvrage {} (git ", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );
    let revision = version
        .rsplit_once("(git ")
        .unwrap()
        .1
        .trim_end_matches(')');
    match std::env::var("GIT_REVISION") {
        Ok(set) if !set.trim().is_empty() => assert_eq!(revision, set.trim()),
        _ => {
            // Built from this checkout: its HEAD, read by build.rs without git.
            let repo = git2::Repository::discover(repo_root()).unwrap();
            let head = repo.head().unwrap().peel_to_commit().unwrap().id();
            assert_eq!(revision, head.to_string());
        }
    }
    // Every command says it too.
    assert_eq!(
        ok(tmp.path(), &["build", "--version"]).trim(),
        version.replacen("ouvrage", "ouvrage-build", 1)
    );
}

const ESC: &str = "\u{1b}[";

#[test]
fn colours_only_when_wanted() {
    let (_tmp, book) = fixture("broken");
    let always = run_raw(&book, &["--color", "always", "check"], &[]);
    assert!(text(&always).1.contains(ESC), "colours asked for");
    for (args, env) in [
        (&["--color", "never", "check"][..], &[][..]),
        (&["check"][..], &[("NO_COLOR", "1")][..]),
        (&["check"][..], &[][..]), // stderr is no terminal here
    ] {
        let out = run_raw(&book, args, env);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr.contains("book.toml:4:1"), "{stderr}");
        assert!(
            !stdout.contains(ESC) && !stderr.contains(ESC),
            "{args:?} {env:?}:\n{stderr}"
        );
    }
}

/// On a terminal (util-linux's `script` gives the command one), `auto`
/// colours, and NO_COLOR turns that off.
#[test]
fn no_color_is_honoured_on_a_terminal() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: no `script` to give the command a terminal");
        return;
    }
    let (_tmp, book) = fixture("broken");
    let on_terminal = |no_color: bool| {
        let mut cmd = Command::new("script");
        cmd.args([
            "-qec",
            &format!("{} check", env!("CARGO_BIN_EXE_ouvrage")),
            "/dev/null",
        ])
        .current_dir(&book)
        .env_remove("NO_COLOR")
        .env("TERM", "xterm");
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        String::from_utf8_lossy(&cmd.output().unwrap().stdout).into_owned()
    };
    let coloured = on_terminal(false);
    assert!(coloured.contains("book.toml:4:1"), "{coloured}");
    assert!(
        coloured.contains(ESC),
        "auto colours a terminal:\n{coloured}"
    );
    let plain = on_terminal(true);
    assert!(plain.contains("book.toml:4:1"), "{plain}");
    assert!(!plain.contains(ESC), "NO_COLOR:\n{plain}");
}

#[test]
fn quiet_prints_nothing_on_success() {
    let tmp = tempfile::tempdir().unwrap();
    let silent = |dir: &std::path::Path, args: &[&str]| {
        let out = ouvrage(dir, args);
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{args:?}: {stderr}");
        assert_eq!((stdout.as_str(), stderr.as_str()), ("", ""), "{args:?}");
    };
    silent(tmp.path(), &["-q", "init", "b", "--ci", "gitlab"]);
    let book = tmp.path().join("b");
    silent(&book, &["-q", "check"]);
    silent(
        &book,
        &[
            "new", "-q", "fablabs", "--title", "Fablabs", "--author", "author",
        ],
    );
    silent(&book, &["-q", "build", "--html"]);
    silent(&book, &["-q", "man", "--dir", "man"]);
    // Without -q the same commands say what they did.
    assert!(ok(&book, &["check"]).contains("no errors"));
}

/// `--format json` gives exactly one JSON document on stdout.
fn one_json(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let out = ouvrage(dir, args);
    let (stdout, stderr) = text(&out);
    let doc = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{args:?}: not one JSON document ({e}):\n{stdout}\n{stderr}"));
    (out.status.code(), doc)
}

#[test]
fn every_reporting_command_speaks_json() {
    let (_tmp, book) = fixture("features");
    let repo = git2::Repository::init(&book).unwrap();
    std::fs::write(book.join(".gitignore"), "_book/\n").unwrap();
    commit_all(&repo, "Ana", "ana@example.org", "the manuscript");

    let (code, check) = one_json(&book, &["check", "--format", "json"]);
    assert_eq!((code, &check["errors"]), (Some(0), &0.into()));
    // The gate adds its errors to the same document.
    let (code, gate) = one_json(&book, &["check", "--format", "json", "--require-approved"]);
    assert_eq!(code, Some(1));
    assert_eq!(gate["errors"], 4, "{gate:#}");
    // (The fixture's raw HTML is a warning under `escape`: look among all.)
    assert!(
        gate["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["message"].as_str().unwrap().contains("waits for"))
    );
    let (code, build) = one_json(&book, &["build", "--html", "--epub", "--format", "json"]);
    assert_eq!(code, Some(0));
    let outputs: Vec<&str> = build["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        outputs,
        ["_book/livre-d-essai.epub", "_book/html"],
        "{build:#}"
    );
    let (_, status) = one_json(&book, &["status", "--format", "json"]);
    assert_eq!(status["chapters"].as_array().unwrap().len(), 4);
    let (_, credits) = one_json(&book, &["contributors", "--format", "json"]);
    assert!(credits.is_object() || credits.is_array());
}

#[test]
fn errors_say_what_to_do_next() {
    let tmp = tempfile::tempdir().unwrap();
    // No book here.
    let out = ouvrage(tmp.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).1.contains("ouvrage init"), "{}", text(&out).1);
    // A book outside git, asked for its review status.
    ok(tmp.path(), &["init", "b"]);
    let out = ouvrage(&tmp.path().join("b"), &["status"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).1.contains("git init"), "{}", text(&out).1);
    // A mistyped command is a usage error with a suggestion.
    let out = ouvrage(tmp.path(), &["stauts"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("status"), "{}", text(&out).1);
}
