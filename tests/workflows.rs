//! The CI workflows of `templates/ci/` (what `ouvrage init --ci` writes):
//! valid YAML that the forges' published JSON schemas accept (vendored in
//! tests/data/schemas), and every `ouvrage` command they run, run in order
//! on a throwaway book in a git repository, so that a workflow cannot call
//! a command or an option that does not exist.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use ouvrage::config::value::{Node, Value, parse_yaml};

/// A forge: `init --ci` name, template, where init writes it, its schema.
struct Forge {
    name: &'static str,
    template: &'static str,
    path: &'static str,
    schema: &'static str,
}

const FORGES: [Forge; 3] = [
    Forge {
        name: "forgejo",
        template: "forgejo.yml",
        path: ".forgejo/workflows/ouvrage.yml",
        // Forgejo Actions read GitHub's workflow syntax.
        schema: "github-workflow.json",
    },
    Forge {
        name: "gitlab",
        template: "gitlab-ci.yml",
        path: ".gitlab-ci.yml",
        schema: "gitlab-ci.json",
    },
    Forge {
        name: "github",
        template: "github.yml",
        path: ".github/workflows/ouvrage.yml",
        schema: "github-workflow.json",
    },
];

const GIT_URL: &str = "https://git.example.org/coop/ouvrage.git";

fn template(forge: &Forge) -> String {
    std::fs::read_to_string(repo_root().join("templates/ci").join(forge.template)).unwrap()
}

/// YAML (through the saphyr parser ouvrage reads front matter with) as JSON.
fn yaml_to_json(text: &str) -> serde_json::Value {
    fn convert(node: &Node) -> serde_json::Value {
        match &node.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => (*b).into(),
            Value::Int(i) => (*i).into(),
            Value::Float(f) => (*f).into(),
            Value::Str(s) | Value::Datetime(s) => s.clone().into(),
            Value::Array(items) => items.iter().map(convert).collect(),
            Value::Table(entries) => {
                let mut map = serde_json::Map::new();
                for (key, value) in entries {
                    assert!(
                        map.insert(key.name.clone(), convert(value)).is_none(),
                        "duplicate key {}",
                        key.name
                    );
                }
                serde_json::Value::Object(map)
            }
        }
    }
    let node = parse_yaml(text, 0).unwrap_or_else(|e| panic!("invalid YAML: {}", e.message));
    convert(&node)
}

fn validator(forge: &Forge) -> jsonschema::Validator {
    let path = repo_root().join("tests/data/schemas").join(forge.schema);
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn schema_errors(validator: &jsonschema::Validator, doc: &serde_json::Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// A throwaway book in a fresh git repository: the minimal fixture with an
/// author and a reviewer, its chapter submitted and approved, so that every
/// command of a workflow, the gate of release tags included, succeeds.
fn approved_book() -> (tempfile::TempDir, PathBuf, git2::Repository) {
    let (tmp, root) = fixture("minimal");
    std::fs::write(
        root.join("contributors.toml"),
        "[au]\nname = \"Ana\"\nemails = [\"au@example.org\"]\nroles = [\"author\"]\n\n\
         [re]\nname = \"Rémi\"\nemails = [\"re@example.org\"]\nroles = [\"reviewer\"]\n",
    )
    .unwrap();
    std::fs::write(
        root.join("chapters/seul.md"),
        "---\ntitle: Seul\nauthors: [au]\nreviewers: [re]\n---\n\nUn chapitre.\n",
    )
    .unwrap();
    std::fs::write(root.join(".gitignore"), "_book/\n").unwrap();
    let repo = git2::Repository::init(&root).unwrap();
    commit_all(&repo, "Ana", "au@example.org", "the manuscript");
    for (who, args) in [
        ("au", &["submit", "seul"][..]),
        ("re", &["review", "seul", "--approve"][..]),
    ] {
        let mut config = repo.config().unwrap();
        config.set_str("user.name", who).unwrap();
        config
            .set_str("user.email", &format!("{who}@example.org"))
            .unwrap();
        ok(&root, args);
    }
    (tmp, root, repo)
}

/// The shell lines of a workflow, in the order the forge runs them: each
/// job's steps' `run:` (GitHub, Forgejo) or each job's `script:` (GitLab),
/// jobs in file order (which is stage order in our GitLab file).
fn shell_lines(doc: &serde_json::Value) -> Vec<String> {
    let mut scripts: Vec<&str> = Vec::new();
    if let Some(jobs) = doc.get("jobs").and_then(|j| j.as_object()) {
        for job in jobs.values() {
            for step in job["steps"].as_array().into_iter().flatten() {
                if let Some(run) = step.get("run").and_then(|r| r.as_str()) {
                    scripts.push(run);
                }
            }
        }
    } else {
        for (name, job) in doc.as_object().unwrap() {
            const GLOBAL: &[&str] = &[
                "variables",
                "workflow",
                "stages",
                "default",
                "include",
                "image",
                "services",
                "cache",
                "before_script",
                "after_script",
            ];
            if GLOBAL.contains(&name.as_str()) || name.starts_with('.') {
                continue;
            }
            match &job["script"] {
                serde_json::Value::String(s) => scripts.push(s),
                serde_json::Value::Array(items) => {
                    scripts.extend(items.iter().filter_map(|i| i.as_str()))
                }
                _ => {}
            }
        }
    }
    scripts
        .iter()
        .flat_map(|s| s.lines())
        .map(|l| l.trim().to_string())
        .collect()
}

#[test]
fn workflows_follow_the_forges_schemas() {
    let tmp = tempfile::tempdir().unwrap();
    for forge in &FORGES {
        let validator = validator(forge);
        // The template as it is in the repository, and as init writes it.
        let book = tmp.path().join(forge.name);
        ok(
            tmp.path(),
            &[
                "init",
                forge.name,
                "--ci",
                forge.name,
                "--ouvrage-git",
                GIT_URL,
            ],
        );
        let written = std::fs::read_to_string(book.join(forge.path)).unwrap();
        let template = template(forge);
        for text in [&template, &written] {
            let doc = yaml_to_json(text);
            let errors = schema_errors(&validator, &doc);
            assert!(
                errors.is_empty(),
                "{} does not follow {}:\n{}",
                forge.template,
                forge.schema,
                errors.join("\n")
            );
        }
        // init writes the template, with ouvrage's source filled in.
        let doc = yaml_to_json(&written);
        let env = if forge.name == "gitlab" {
            &doc["variables"]
        } else {
            &doc["env"]
        };
        assert_eq!(env["OUVRAGE_GIT"], GIT_URL, "{}", forge.name);
        let rev = env["OUVRAGE_REV"].as_str().unwrap();
        assert!(
            rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit()) || rev.starts_with('v'),
            "{rev}"
        );
        let unfilled = written
            .replace(&format!("\"{GIT_URL}\""), "\"__OUVRAGE_GIT__\"")
            .replace(&format!("\"{rev}\""), "\"__OUVRAGE_REV__\"");
        assert_eq!(
            unfilled, template,
            "{} differs from its template",
            forge.path
        );
        // ouvrage's caches (history walk, formatted citations) are kept
        // from one run to the next, so that CI builds are not cold.
        let cached: Vec<&serde_json::Value> = if forge.name == "gitlab" {
            doc["default"]["cache"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|c| c["paths"].as_array().unwrap())
                .collect()
        } else {
            doc["jobs"]["book"]["steps"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| {
                    s["uses"]
                        .as_str()
                        .is_some_and(|u| u.starts_with("actions/cache"))
                })
                .map(|s| &s["with"]["path"])
                .collect()
        };
        assert!(
            cached.iter().any(|p| p
                .as_str()
                .is_some_and(|p| p.trim_end_matches('/') == ".git/ouvrage")),
            "{}: {cached:?}",
            forge.name
        );
    }
}

#[test]
fn the_schemas_do_reject_a_broken_workflow() {
    // So that the test above cannot pass by validating nothing.
    let github = validator(&FORGES[2]);
    let broken =
        yaml_to_json("on: push\njobs:\n  book:\n    runs-on: ubuntu-latest\n    stepz: []\n");
    assert!(!schema_errors(&github, &broken).is_empty());
    let gitlab = validator(&FORGES[1]);
    let broken =
        yaml_to_json("check:\n  stage: check\n  script: 3\n  artifacts:\n    reportz: {}\n");
    assert!(!schema_errors(&gitlab, &broken).is_empty());
}

#[test]
fn init_ci_adds_a_workflow_to_a_book_and_never_overwrites_it() {
    let tmp = tempfile::tempdir().unwrap();
    ok(tmp.path(), &["init", "b"]);
    let book = tmp.path().join("b");
    let out = ok(&book, &["init", "--ci", "github"]);
    assert!(out.contains("OUVRAGE_GIT"), "says what to do next: {out}");
    let written = std::fs::read_to_string(book.join(".github/workflows/ouvrage.yml")).unwrap();
    assert!(
        written.contains("\"__OUVRAGE_GIT__\""),
        "left for the user to fill"
    );
    // The book itself is left as it was, and a second run refuses.
    ok(&book, &["check"]);
    let again = ouvrage(&book, &["init", "--ci", "github"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again).1.contains("already exists"));
    // A forge that does not exist is a usage error.
    assert_eq!(
        ouvrage(&book, &["init", "--ci", "bitbucket"]).status.code(),
        Some(2)
    );
}

#[test]
fn every_command_of_each_workflow_runs_on_a_book() {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_ouvrage")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for forge in &FORGES {
        let (_tmp, book, _repo) = approved_book();
        let doc = yaml_to_json(&template(forge));
        let commands: Vec<String> = shell_lines(&doc)
            .into_iter()
            .filter(|l| l.split_whitespace().next() == Some("ouvrage"))
            .collect();
        // What each workflow must do, whatever else it does.
        for needed in [
            "ouvrage check",
            "ouvrage status --format markdown",
            "ouvrage build",
            "ouvrage check --require-approved",
        ] {
            assert!(
                commands.iter().any(|c| c.starts_with(needed)),
                "{} never runs `{needed}`: {commands:#?}",
                forge.template
            );
        }
        let summary = book.join("step-summary.md");
        for command in &commands {
            let out = std::process::Command::new("bash")
                .args(["-c", command])
                .current_dir(&book)
                .env("PATH", &path)
                .env("GITHUB_STEP_SUMMARY", &summary)
                .env("NO_COLOR", "1")
                .output()
                .unwrap();
            let (stdout, stderr) = text(&out);
            assert!(
                out.status.success(),
                "{}: `{command}` failed ({:?}):\n{stdout}\n{stderr}",
                forge.template,
                out.status.code()
            );
        }
        assert!(book.join("_book/html/index.html").is_file());
        if forge.name == "gitlab" {
            let report: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(book.join("gl-code-quality-report.json")).unwrap(),
            )
            .unwrap();
            assert_eq!(report, serde_json::json!([]), "no fault, an empty report");
            let status = std::fs::read_to_string(book.join("review-status.md")).unwrap();
            assert!(status.contains("| Seul | approved |"), "{status}");
        } else {
            let status = std::fs::read_to_string(&summary).unwrap();
            assert!(status.contains("| Seul | approved |"), "{status}");
        }
    }
}
