//! The live reload in a real browser: headless Chromium, driven by
//! playwright-core (tests/browser), loads a page served by `ouvrage watch`,
//! the chapter is edited on disk, and the page must reload by itself with
//! the new text at the same scroll position. Marked `#[ignore]`: `.ci/run`
//! installs Chromium and the npm package, then runs it; a missing piece is
//! a failure that says what to install.

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
