//! The README's reference of the file formats lists exactly the keys the
//! readers accept: book.toml, contributors.toml and a chapter's front
//! matter. A key added to a reader without its line in the README (or a
//! README line for a key that does not exist) fails here.

mod common;

use std::collections::BTreeSet;

use common::repo_root;

fn readme() -> String {
    std::fs::read_to_string(repo_root().join("README.md")).unwrap()
}

/// The first ```toml block after `marker`.
fn toml_block_after(text: &str, marker: &str) -> String {
    let at = text
        .find(marker)
        .unwrap_or_else(|| panic!("the README has no `{marker}`"));
    let start = text[at..].find("```toml\n").expect("a toml block") + at + "```toml\n".len();
    let end = text[start..].find("\n```\n").expect("the block's end") + start;
    text[start..end].to_string()
}

/// `table.key` for every key of a TOML example (`[[part]]` is `part`),
/// read line by line as a reader of the README would.
fn keys_of(block: &str, top: &str) -> BTreeSet<String> {
    let mut table = top.to_string();
    let mut keys = BTreeSet::new();
    for line in block.lines().map(str::trim) {
        if let Some(name) = line.strip_prefix("[[").and_then(|l| l.strip_suffix("]]")) {
            table = name.to_string();
        } else if let Some(name) = line.strip_prefix('[').and_then(|l| l.split(']').next()) {
            table = name.to_string();
        } else if let Some((key, _)) = line.split_once(" = ").or_else(|| line.split_once('='))
            && !line.starts_with('#')
            && !key.trim().is_empty()
        {
            keys.insert(format!("{table}.{}", key.trim()));
        }
    }
    keys
}

#[test]
fn book_toml_reference_lists_every_key() {
    let block = toml_block_after(&readme(), "`book.toml` (only `book.title` is required");
    let documented = keys_of(&block, "");
    let accepted: BTreeSet<String> = ouvrage::config::book::KEYS
        .iter()
        .flat_map(|(table, keys)| keys.iter().map(move |k| format!("{table}.{k}")))
        .collect();
    let missing: Vec<&String> = accepted.difference(&documented).collect();
    let unknown: Vec<&String> = documented.difference(&accepted).collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "the README's book.toml lacks {missing:?} and shows keys that do not exist: {unknown:?}"
    );
}

#[test]
fn contributors_reference_lists_every_key() {
    let block = toml_block_after(&readme(), "`contributors.toml`, one table per person");
    let documented: BTreeSet<String> = keys_of(&block, "")
        .into_iter()
        .map(|k| k.split_once('.').unwrap().1.to_string())
        .collect();
    let accepted: BTreeSet<String> = ouvrage::config::contributors::KEYS
        .iter()
        .map(|k| k.to_string())
        .collect();
    assert_eq!(documented, accepted);
}

#[test]
fn front_matter_reference_lists_every_key() {
    let text = readme();
    let start = text
        .find("Front matter is YAML between")
        .expect("the front matter's paragraph");
    let end = text[start..].find("\n\n").unwrap() + start;
    let paragraph = &text[start..end];
    let listed: BTreeSet<String> = paragraph
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|word| word.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
        .map(str::to_string)
        .collect();
    for key in ouvrage::config::chapter::KEYS {
        assert!(
            listed.contains(*key),
            "the README does not list `{key}`: {paragraph}"
        );
    }
}

/// The README's example book.toml is a valid one: its keys and values pass
/// the reader (with the ids and files it names made to exist).
#[test]
fn the_reference_book_toml_is_accepted() {
    let block = toml_block_after(&readme(), "`book.toml` (only `book.title` is required");
    // `paper` and `width`/`height` are alternatives the example shows together.
    let block = block.replace("paper = \"a5\"", "# paper");
    let (_tmp, book) = common::fixture("minimal");
    std::fs::write(book.join("book.toml"), block).unwrap();
    let out = common::ouvrage(&book, &["check", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let about_keys: Vec<&serde_json::Value> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["file"] == "book.toml")
        .filter(|d| {
            let m = d["message"].as_str().unwrap_or("");
            m.contains("unknown key") || m.contains("must be") || m.contains("is not")
        })
        .collect();
    assert!(about_keys.is_empty(), "{about_keys:#?}");
}

/// What the README, bench/README.md and every command's `--help` refer to
/// is in the repository: no section of a document the repository does not
/// hold, and every file they link or name by its path exists.
#[test]
fn the_manual_refers_only_to_what_the_repository_holds() {
    let root = repo_root();
    let outside = [
        "SPEC",
        "§",
        "the contract",
        "ARCHITECTURE.md",
        "NOTES-typst",
    ];
    let mut texts = vec![
        ("README.md".to_string(), readme()),
        (
            "bench/README.md".to_string(),
            std::fs::read_to_string(root.join("bench/README.md")).unwrap(),
        ),
    ];
    let help = |args: &[&str]| {
        let out = common::ouvrage(&root, args);
        assert!(out.status.success(), "ouvrage {args:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let top = help(&["--help"]);
    texts.push(("ouvrage --help".into(), top.clone()));
    let commands: Vec<String> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        // A description that wraps is indented further.
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect();
    assert!(commands.len() > 8, "{commands:?}");
    for command in &commands {
        texts.push((
            format!("ouvrage {command} --help"),
            help(&[command, "--help"]),
        ));
    }
    let path = regex_lite_paths();
    let mut missing = Vec::new();
    for (name, text) in &texts {
        for word in outside {
            if let Some(at) = text.find(word) {
                let line = text[..at].lines().count();
                missing.push(format!("{name}:{line}: refers to `{word}`"));
            }
        }
        for target in path(text) {
            let base = if name == "bench/README.md" {
                root.join("bench")
            } else {
                root.clone()
            };
            if !base.join(&target).exists() && !root.join(&target).exists() {
                missing.push(format!("{name}: `{target}` is not in the repository"));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// The relative targets of Markdown links, and the repository files named
/// in backquotes (`schemas/…`, `bench/…`, `examples/…`, `tests/…`).
fn regex_lite_paths() -> impl Fn(&str) -> Vec<String> {
    |text: &str| {
        let mut out = Vec::new();
        // Links written as examples, in code, are not the manual's own.
        let prose = outside_code(text);
        let mut rest = prose.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let end = after.find(')').unwrap_or(after.len());
            let target = after[..end].split('#').next().unwrap_or("");
            if !target.is_empty() && !target.contains("://") && !target.starts_with("mailto:") {
                out.push(target.to_string());
            }
            rest = &after[end..];
        }
        for quoted in text.split('`').skip(1).step_by(2) {
            let quoted = quoted.split_whitespace().next().unwrap_or("");
            if ["schemas/", "bench/", "examples/", "tests/"]
                .iter()
                .any(|p| quoted.starts_with(p))
                && quoted.rsplit('/').next().is_some_and(|f| f.contains('.'))
                && !quoted.contains(['*', '…', '<'])
            {
                out.push(
                    quoted
                        .trim_end_matches([',', '.', ':', ';', ')'])
                        .to_string(),
                );
            }
        }
        out
    }
}

/// `text` without its code: a code span opens with a run of backquotes and
/// closes at the next run of as many (as CommonMark reads them), and a
/// fence of three is a run like any other here.
fn outside_code(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('`') {
        out.push_str(&rest[..at]);
        let run = rest[at..].len() - rest[at..].trim_start_matches('`').len();
        let after = &rest[at + run..];
        let mut search = 0;
        let close = loop {
            let Some(found) = after[search..].find('`') else {
                break None;
            };
            let start = search + found;
            let len = after[start..].len() - after[start..].trim_start_matches('`').len();
            if len == run {
                break Some(start + len);
            }
            search = start + len;
        };
        match close {
            Some(end) => {
                out.push(' ');
                rest = &after[end..];
            }
            None => rest = after,
        }
    }
    out.push_str(rest);
    out
}
