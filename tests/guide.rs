//! docs/guide.md cannot rot: its `sh` blocks are run in order in a fresh
//! folder, as the people the guide names. `ouvrage …` lines run the binary
//! (a trailing `# exit N` is the exit code expected, else 0; `> FILE` keeps
//! stdout in a file); `git init`, `git add` and `git commit -m` are done
//! with git2 under the identity of the last `# as Name <email>` line, set in
//! the repository's config; `cd` moves; a fenced block whose info string
//! names a file after its language (```` ```toml contributors.toml ````) is
//! appended to that file at that point. Any other command fails the test,
//! so that the guide shows nothing the test does not do.

mod common;

use std::io::BufRead;
use std::path::{Path, PathBuf};

use common::*;

/// One step of the guide, in order.
#[derive(Debug)]
enum Step {
    /// A line of an `sh` block (with its line number in the guide).
    Shell(usize, String),
    /// A block to append to a file.
    Append(PathBuf, String),
}

fn steps(guide: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut block: Option<(String, Vec<String>)> = None;
    for (n, line) in guide.lines().enumerate() {
        match &mut block {
            None => {
                if let Some(info) = line.strip_prefix("```") {
                    block = Some((info.trim().to_string(), Vec::new()));
                }
            }
            Some((info, lines)) => {
                if line.starts_with("```") {
                    let mut words = info.split_whitespace();
                    let lang = words.next().unwrap_or("");
                    if lang == "sh" {
                        steps.extend(
                            lines
                                .iter()
                                .enumerate()
                                .map(|(i, l)| Step::Shell(n - lines.len() + i + 1, l.clone())),
                        );
                    } else if let Some(file) = words.next() {
                        steps.push(Step::Append(PathBuf::from(file), lines.join("\n") + "\n"));
                    }
                    block = None;
                } else {
                    lines.push(line.to_string());
                }
            }
        }
    }
    steps
}

/// Splits a shell line into words as sh would (quotes, a trailing comment),
/// returning the words and the comment.
fn split(line: &str) -> (Vec<String>, String) {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars().peekable();
    let mut quote = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '#') if word.is_none() => return (words, chars.collect()),
            (None, ' ' | '\t') => words.extend(word.take()),
            (None, '"' | '\'') => {
                quote = Some(c);
                word.get_or_insert_default();
            }
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') => word.get_or_insert_default().extend(chars.next()),
            (_, c) => word.get_or_insert_default().push(c),
        }
    }
    assert!(quote.is_none(), "unclosed quote in `{line}`");
    words.extend(word);
    (words, String::new())
}

struct Person {
    name: String,
    email: String,
}

#[test]
fn every_command_of_the_guide_runs() {
    let guide = std::fs::read_to_string(repo_root().join("docs/guide.md")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let mut cwd = tmp.path().join("work");
    std::fs::create_dir_all(&cwd).unwrap();
    let mut person: Option<Person> = None;
    let mut ran = Vec::new();
    let expand = |word: &str| match word.strip_prefix("~/") {
        Some(rest) => home.join(rest).display().to_string(),
        None => word.to_string(),
    };
    for step in steps(&guide) {
        match step {
            Step::Append(file, text) => {
                let path = cwd.join(&file);
                let before = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("the guide adds to {}: {e}", file.display()));
                std::fs::write(&path, before + &text).unwrap();
            }
            Step::Shell(n, line) => {
                let (words, comment) = split(&line);
                let comment = comment.trim();
                if words.is_empty() {
                    if let Some(who) = comment.strip_prefix("as ") {
                        let (name, email) = who.trim_end_matches('>').split_once(" <").unwrap();
                        person = Some(Person {
                            name: name.to_string(),
                            email: email.to_string(),
                        });
                        set_identity(&cwd, person.as_ref());
                    }
                    continue;
                }
                let args: Vec<String> = words.iter().map(|w| expand(w)).collect();
                match args[0].as_str() {
                    "cd" => cwd = cwd.join(&args[1]),
                    "git" => git(&cwd, &args[1..], person.as_ref(), n),
                    "ouvrage" => {
                        set_identity(&cwd, person.as_ref());
                        run_ouvrage(&cwd, &args[1..], comment, n);
                        ran.push(args[1].clone());
                    }
                    other => panic!("guide.md:{n}: the test does not know `{other}`: {line}"),
                }
            }
        }
    }
    // The whole cycle was walked.
    for command in [
        "init",
        "new",
        "check",
        "watch",
        "submit",
        "review",
        "finalize",
        "status",
        "contributors",
        "build",
        "completions",
        "man",
    ] {
        assert!(
            ran.iter().any(|c| c == command),
            "the guide never runs `{command}`"
        );
    }
    let book = tmp.path().join("work/communs");
    assert!(book.join(".gitlab-ci.yml").is_file());
    assert!(book.join("_book/html/fablabs.html").is_file());
    assert!(
        home.join(".local/share/man/man1/ouvrage-review.1")
            .is_file()
    );
    let status = ok(&book, &["status", "--format", "json"]);
    let status: serde_json::Value = serde_json::from_str(&status).unwrap();
    let states: Vec<&str> = status["chapters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["approved", "approved", "final"]);
}

/// The identity git (and so ouvrage) records events with, in the
/// repository's own config, when there is a repository yet.
fn set_identity(cwd: &Path, person: Option<&Person>) {
    let (Some(person), Ok(repo)) = (person, git2::Repository::discover(cwd)) else {
        return;
    };
    let mut config = repo.config().unwrap();
    config.set_str("user.name", &person.name).unwrap();
    config.set_str("user.email", &person.email).unwrap();
}

fn git(cwd: &Path, args: &[String], person: Option<&Person>, n: usize) {
    match args.first().map(String::as_str) {
        Some("init") => {
            git2::Repository::init(cwd).unwrap();
            set_identity(cwd, person);
        }
        Some("add") => {} // commit_all stages everything
        Some("commit") if args.get(1).map(String::as_str) == Some("-m") => {
            let person = person.unwrap_or_else(|| panic!("guide.md:{n}: commit by nobody"));
            let repo = git2::Repository::discover(cwd).unwrap();
            commit_all(&repo, &person.name, &person.email, &args[2]);
        }
        _ => panic!(
            "guide.md:{n}: the test does not do `git {}`",
            args.join(" ")
        ),
    }
}

fn run_ouvrage(cwd: &Path, args: &[String], comment: &str, n: usize) {
    let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut stdout_to = None;
    if let Some(i) = args.iter().position(|a| *a == ">") {
        stdout_to = Some(PathBuf::from(args[i + 1]));
        args.truncate(i);
    }
    if args.first() == Some(&"watch") {
        return watch(cwd, &args, n);
    }
    let expected = comment
        .strip_prefix("exit ")
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .map(|code| code.parse::<i32>().unwrap())
        .unwrap_or(0);
    let out = ouvrage(cwd, &args);
    let (stdout, stderr) = text(&out);
    assert_eq!(
        out.status.code(),
        Some(expected),
        "guide.md:{n}: ouvrage {}\n{stdout}\n{stderr}",
        args.join(" ")
    );
    if let Some(file) = stdout_to {
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, &out.stdout).unwrap();
        assert!(!stdout.is_empty(), "guide.md:{n}: nothing written");
    }
}

/// `ouvrage watch` serves until stopped: it must print its address and
/// build once; then it is stopped.
fn watch(cwd: &Path, args: &[&str], n: usize) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ouvrage"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let second = lines.next().and_then(Result::ok).unwrap_or_default();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        first.starts_with("http://127.0.0.1:"),
        "guide.md:{n}: watch printed `{first}`"
    );
    assert!(!second.is_empty(), "guide.md:{n}: watch built nothing");
}
