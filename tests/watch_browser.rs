//! The live reload in a real browser: headless Chromium, driven by
//! playwright-core (tests/browser), loads a page served by `ouvrage watch`,
//! the chapter is edited on disk, and the page must reload by itself with
//! the new text at the same scroll position. Marked `#[ignore]`: `.ci/run`
//! installs Chromium and the npm package, then runs it; a missing piece is
//! a failure that says what to install. The review panel is driven the
//! same way: select, comment, reply, resolve, and the events are in git.

mod common;

use std::process::Command;

use common::live::start;
use common::{fixture, repo_root};

#[test]
#[ignore = "needs Chromium, Node.js and tests/browser's npm package; run by .ci/run"]
fn the_page_reloads_itself_and_keeps_its_scroll_position() {
    let browser_dir = repo_root().join("tests/browser");
    assert!(
        browser_dir.join("node_modules/playwright-core").is_dir(),
        "playwright-core is missing: run `npm ci --prefix tests/browser` (as .ci/run does)"
    );
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        std::path::Path::new(&chromium).exists(),
        "Chromium is missing at {chromium}: apt-get install chromium (as .ci/run does), or set CHROMIUM"
    );

    let (_tmp, root) = fixture("minimal");
    // A chapter long enough to scroll.
    let mut text = String::from("---\ntitle: Seul\n---\n\n");
    for i in 1..=80 {
        text.push_str(&format!(
            "Paragraphe {i} : un texte de remplissage pour que la page défile, marqué comme tel.\n\n"
        ));
    }
    let chapter = root.join("chapters/seul.md");
    std::fs::write(&chapter, text).unwrap();

    let watch = start(&root, &["--no-pdf"]);
    watch.wait_first_build();
    let url = format!("http://{}/html/seul.html", watch.address);
    let out = Command::new("node")
        .arg(browser_dir.join("reload.mjs"))
        .arg(&url)
        .arg(&chapter)
        .env("CHROMIUM", &chromium)
        .output()
        .unwrap_or_else(|e| panic!("Node.js is needed by this test and could not run ({e})"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let result: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(result["reloaded"], true);
    assert!(result["before"].as_f64().unwrap() > 1000.0, "{result}");
}

#[test]
#[ignore = "needs Chromium, Node.js and tests/browser's npm package; run by .ci/run"]
fn a_reviewer_comments_replies_and_resolves_in_the_page() {
    let browser_dir = repo_root().join("tests/browser");
    assert!(
        browser_dir.join("node_modules/playwright-core").is_dir(),
        "playwright-core is missing: run `npm ci --prefix tests/browser` (as .ci/run does)"
    );
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        std::path::Path::new(&chromium).exists(),
        "Chromium is missing at {chromium}: apt-get install chromium (as .ci/run does), or set CHROMIUM"
    );
    let (_tmp, root) = fixture("features");
    let repo = git2::Repository::init(&root).unwrap();
    std::fs::write(root.join(".gitignore"), "_book/\n").unwrap();
    common::commit_all(&repo, "ed", "ed@example.org", "initial manuscript");
    let mut config = repo.config().unwrap();
    config.set_str("user.name", "Bo").unwrap();
    config.set_str("user.email", "bo@example.org").unwrap();

    let watch = start(&root, &["--no-pdf"]);
    watch.wait_first_build();
    let url = format!("http://{}/html/second.html", watch.address);
    let hostile = "<script>alert(1)</script> \"><img src=x onerror=alert(2)> Une source ?";
    let out = Command::new("node")
        .arg(browser_dir.join("review.mjs"))
        .arg(&url)
        .arg("Une citation.")
        .arg(hostile)
        .arg(format!("http://{}/html/premier.html", watch.address))
        .arg("Un paragraphe avec")
        .arg("et une seconde")
        .env("CHROMIUM", &chromium)
        .output()
        .unwrap_or_else(|e| panic!("Node.js is needed by this test and could not run ({e})"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let shown: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    // The hostile body shown as the text it is, nothing run or loaded.
    assert_eq!(shown["commented"]["body"], hostile, "{shown}");
    assert_eq!(shown["commented"]["images"], 0, "{shown}");
    assert_eq!(shown["commented"]["scripts"], 0, "{shown}");
    assert_eq!(shown["dialogs"], serde_json::json!([]), "{shown}");
    assert_eq!(shown["commented"]["marked"], "Une citation", "{shown}");
    assert_eq!(shown["commented"]["title"], "Comments (1 open)");
    assert_eq!(shown["replied"], "Merci, corrigé.");
    assert_eq!(
        shown["resolved"]["marks"], 0,
        "a resolved comment is not highlighted"
    );
    assert_eq!(shown["resolved"]["title"], "Comments (0 open)");
    // Across the call of a note (the page's "1"): the source's `[^une]`.
    assert_eq!(
        shown["across"]["marked"], "Un paragraphe avec une note|et une seconde",
        "{shown}"
    );

    // In git, as `ouvrage comment` records them, by Bo.
    let listed = common::ouvrage(&root, &["comments", "--format", "json"]);
    assert!(listed.status.success());
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let comments = listed["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 2, "{listed}");
    let across = comments.iter().find(|c| c["chapter"] == "premier").unwrap();
    assert_eq!(
        across["quote"]["exact"],
        "Un paragraphe avec une note[^une] et une seconde"
    );
    assert_eq!(across["body"], "Et la note ?");
    let c = comments.iter().find(|c| c["chapter"] == "second").unwrap();
    assert_eq!(c["chapter"], "second");
    assert_eq!(c["author"], "bo");
    assert_eq!(c["body"], hostile);
    assert_eq!(c["quote"]["exact"], "Une citation");
    assert_eq!(c["suggestion"]["text"], "Une autre citation.");
    assert_eq!(c["open"], false);
    let kinds: Vec<&str> = c["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["reply", "resolve"]);
    assert_eq!(c["events"][0]["body"], "Merci, corrigé.");
}
