//! Conformance of the site and the EPUB's documents against the reference
//! tools: the Nu HTML Checker (W3C's `vnu.jar`, from the `vnu-jar` npm
//! package, run by Java) and axe-core's WCAG 2.1 A and AA rules in headless
//! Chromium (driven by playwright-core, both from `tests/browser`).
//!
//! Two books are built, the sample book and a 30-chapter book made by the
//! corpus generator (the same as `cargo run --example gen-corpus -- DIR
//! --chapters 30 --words 60000 --commits 50`). Every page of the site and
//! every XHTML document of the EPUB is checked: by vnu as written (the
//! EPUB's `epub:type` attributes, which the HTML checker does not know,
//! are the one accepted exception), and by axe in the light colour scheme
//! on a wide screen and the dark one on a phone's (where wide code blocks,
//! formulas and tables scroll), each site page with a query typed in its
//! search box and the results shown (and the keyboard checked on them:
//! arrows, Home and End move the active option, Enter opens it); the markup
//! of each site page at that moment is checked by vnu too. Any error or violation fails the test, with the page
//! and the message.
//!
//! Marked `#[ignore]`: `.ci/run` installs Java, Chromium and the npm
//! packages, then runs it. A missing tool is a failure that says what to
//! install, never a silent skip.

mod common;
#[path = "../examples/corpus/mod.rs"]
mod corpus;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use common::*;

/// One book at a time: each run starts a Java VM and a browser, and the
/// machine running the tests may have two cores.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The tools, found or the test fails saying how to install them.
struct Tools {
    browser_dir: PathBuf,
    vnu_jar: PathBuf,
    chromium: String,
}

fn tools() -> Tools {
    let browser_dir = repo_root().join("tests/browser");
    let modules = browser_dir.join("node_modules");
    for package in ["playwright-core", "axe-core", "vnu-jar"] {
        assert!(
            modules.join(package).is_dir(),
            "the npm package {package} is missing: run `npm ci --ignore-scripts --prefix tests/browser` (as .ci/run does)"
        );
    }
    let vnu_jar = modules.join("vnu-jar/build/dist/vnu.jar");
    assert!(
        vnu_jar.is_file(),
        "{} is missing: run `npm ci --ignore-scripts --prefix tests/browser` (as .ci/run does)",
        vnu_jar.display()
    );
    let java = Command::new("java").arg("-version").output();
    assert!(
        java.is_ok_and(|o| o.status.success()),
        "Java is needed by the Nu HTML Checker and could not run: apt-get install default-jre-headless (as .ci/run does)"
    );
    let node = Command::new("node").arg("--version").output();
    assert!(
        node.is_ok_and(|o| o.status.success()),
        "Node.js is needed by this test and could not run: apt-get install nodejs npm (as .ci/run does)"
    );
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).exists(),
        "Chromium is missing at {chromium}: apt-get install chromium (as .ci/run does), or set CHROMIUM"
    );
    Tools {
        browser_dir,
        vnu_jar,
        chromium,
    }
}

/// A built book: its site's pages and its EPUB's XHTML documents, unzipped.
struct Built {
    site: Vec<PathBuf>,
    epub: Vec<PathBuf>,
    /// A word the search finds.
    query: String,
}

/// Builds the site and the EPUB of the book at `book` into `out`, with
/// `options` (`--draft`).
fn build(book: &Path, out: &Path, options: &[&str]) -> Built {
    let out_arg = out.to_string_lossy().into_owned();
    let mut args = vec!["build", "--html", "--epub", "--out", &out_arg];
    args.extend(options);
    ok(book, &args);
    let html = out.join("html");
    let mut site: Vec<PathBuf> = std::fs::read_dir(&html)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    site.sort();
    assert!(site.len() > 3, "{site:?}");
    if options.contains(&"--draft") {
        assert!(site.contains(&html.join("status.html")), "{site:?}");
    }

    let epub_file = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "epub"))
        .expect("an EPUB");
    let files = out.join("epub-files");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&epub_file).unwrap()).unwrap();
    let mut epub = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        if name.ends_with('/') {
            continue;
        }
        // Every file, so that the documents show with their style and
        // images as in a reading system.
        let path = files.join(&name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        std::fs::write(&path, bytes).unwrap();
        if name.ends_with(".xhtml") {
            epub.push(path);
        }
    }
    assert!(epub.len() > 3, "{epub:?}");

    // The word of five letters or more found in the most sections, so that
    // the list has several results to move through.
    let index: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(html.join("search-index.json")).unwrap())
            .unwrap();
    let mut sections: std::collections::BTreeMap<String, usize> = Default::default();
    for doc in index["docs"].as_array().unwrap() {
        let text = doc["text"].as_str().unwrap_or("").to_lowercase();
        let words: std::collections::BTreeSet<&str> = text
            .split(|c: char| !c.is_alphabetic())
            .filter(|w| w.chars().count() >= 5)
            .collect();
        for word in words {
            *sections.entry(word.to_string()).or_default() += 1;
        }
    }
    let query = sections
        .iter()
        .max_by_key(|(word, n)| (**n, std::cmp::Reverse(word.as_str())))
        .map(|(word, _)| word.clone())
        .expect("a word in the search index");
    Built { site, epub, query }
}

/// A page's name in the messages: its path under the output folder.
fn name(out: &Path, page: &Path) -> String {
    page.strip_prefix(out)
        .unwrap_or(page)
        .to_string_lossy()
        .into_owned()
}

/// The Nu HTML Checker's errors on `files`, one line each (file:line:col:
/// message). `-Xss8m`: with the default stack, the checker crashes on
/// long pages.
fn vnu(tools: &Tools, files: &[PathBuf]) -> Vec<String> {
    let out = Command::new("java")
        .arg("-Xss8m")
        .arg("-jar")
        .arg(&tools.vnu_jar)
        .args(["--format", "json", "--exit-zero-always"])
        .args(files)
        .output()
        .unwrap_or_else(|e| {
            panic!("java could not run ({e}): apt-get install default-jre-headless")
        });
    // The report goes to stderr.
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report: serde_json::Value = serde_json::from_str(stderr.trim()).unwrap_or_else(|e| {
        panic!(
            "the Nu HTML Checker's report is not JSON ({e}):\n{stderr}\n{}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    report["messages"]
        .as_array()
        .expect("a messages array")
        .iter()
        .filter(|m| matches!(m["type"].as_str(), Some("error" | "non-document-error")))
        .filter(|m| !is_epub_type(m))
        .map(|m| {
            format!(
                "{}:{}:{}: {} [{}]",
                m["url"].as_str().unwrap_or("").trim_start_matches("file:"),
                m["lastLine"],
                m["firstColumn"],
                m["message"].as_str().unwrap_or(""),
                m["extract"]
                    .as_str()
                    .unwrap_or("")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        })
        .collect()
}

/// Whether a message is about an `epub:type` attribute of an EPUB
/// document: the HTML checker does not know EPUB's vocabulary, and says
/// "Attribute “type” not allowed" at the start tag holding it. A `type`
/// attribute of HTML's own is not excused.
fn is_epub_type(m: &serde_json::Value) -> bool {
    let message = m["message"].as_str().unwrap_or("");
    let url = m["url"].as_str().unwrap_or("");
    let extract = m["extract"].as_str().unwrap_or("");
    let start = m["hiliteStart"].as_u64().unwrap_or(0) as usize;
    let length = m["hiliteLength"].as_u64().unwrap_or(0) as usize;
    let tag: String = extract.chars().skip(start).take(length).collect();
    url.ends_with(".xhtml")
        && message.starts_with("Attribute “type” not allowed on element")
        && tag.contains(" epub:type=\"")
        && !tag.contains(" type=\"")
}

/// axe-core's violations on `pages` (name, file) in both colour schemes,
/// one line each; the markup of each page with the search open is saved in
/// `snapshots` for vnu. Also checks that the search was open on every page
/// of the site.
fn axe(
    tools: &Tools,
    work: &Path,
    query: &str,
    pages: &[(String, PathBuf)],
    snapshots: &Path,
) -> Vec<String> {
    let report_file = work.join("axe-report.json");
    let job = serde_json::json!({
        "query": query,
        "report": report_file,
        "snapshots": snapshots,
        "pages": pages
            .iter()
            .map(|(name, path)| serde_json::json!({
                "name": name,
                "url": format!("file://{}", path.display()),
            }))
            .collect::<Vec<_>>(),
    });
    let job_file = work.join("axe-job.json");
    std::fs::write(&job_file, job.to_string()).unwrap();
    let out = Command::new("node")
        .arg(tools.browser_dir.join("axe.mjs"))
        .arg(&job_file)
        .env("CHROMIUM", &tools.chromium)
        .output()
        .unwrap_or_else(|e| panic!("Node.js is needed by this test and could not run ({e})"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report: serde_json::Value = std::fs::read_to_string(&report_file)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_else(|| panic!("axe.mjs wrote no report:\n{stdout}\n{stderr}"));
    let mut problems: Vec<String> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("not checked: {}", e.as_str().unwrap_or("")))
        .collect();
    let results = report["results"].as_array().unwrap();
    assert_eq!(
        results.len() + problems.len(),
        pages.len() * 2,
        "every page in both schemes:\n{stdout}\n{stderr}"
    );
    for r in results {
        let page = r["page"].as_str().unwrap();
        let scheme = r["scheme"].as_str().unwrap();
        if page.ends_with(".html") && r["searched"] != true {
            problems.push(format!(
                "{page} ({scheme}): the search box did not show results"
            ));
        }
        for k in r["keyboard"].as_array().unwrap() {
            problems.push(format!(
                "{page} ({scheme}): keyboard: {}",
                k.as_str().unwrap_or("")
            ));
        }
        for v in r["violations"].as_array().unwrap() {
            for node in v["nodes"].as_array().unwrap() {
                problems.push(format!(
                    "{page} ({scheme}): {} ({}): {} at `{}`: {}",
                    v["id"].as_str().unwrap_or(""),
                    v["impact"].as_str().unwrap_or(""),
                    v["help"].as_str().unwrap_or(""),
                    node["target"].as_str().unwrap_or(""),
                    node["summary"].as_str().unwrap_or("").replace('\n', " ")
                ));
            }
        }
    }
    problems
}

/// Builds the book at `book` with build `options` and checks every page
/// with both tools.
fn check_book(book: &Path, options: &[&str]) {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let tools = tools();
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    let built = build(book, &out, options);
    let snapshots = work.path().join("search-open");
    std::fs::create_dir_all(&snapshots).unwrap();

    let mut pages: Vec<(String, PathBuf)> = built
        .site
        .iter()
        .chain(&built.epub)
        .map(|p| (name(&out, p), p.clone()))
        .collect();
    // The harness itself: a page with faults each tool must report, so
    // that a tool that checks nothing cannot pass the book.
    let faulty = work.path().join("faulty.html");
    std::fs::write(
        &faulty,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>x</title></head>\
         <body><main><p><input type=\"checkbox\"></p><p><img src=\"x.png\"></p>\
         <div role=\"doc-biblioentry\">x</div></main></body></html>\n",
    )
    .unwrap();
    pages.push(("faulty.html".into(), faulty.clone()));

    let mut problems = axe(&tools, work.path(), &built.query, &pages, &snapshots);
    let harness: Vec<String> = problems
        .iter()
        .filter(|p| p.starts_with("faulty.html"))
        .cloned()
        .collect();
    for (rule, scheme) in [("label", "light"), ("image-alt", "dark")] {
        assert!(
            harness
                .iter()
                .any(|p| p.contains(&format!("({scheme}): {rule} "))),
            "axe did not report `{rule}` on a faulty page in the {scheme} scheme: {harness:#?}"
        );
    }
    problems.retain(|p| !p.starts_with("faulty.html"));

    // Names of the saved pages are those of axe's job, `html/x.html`.
    let mut saved: Vec<PathBuf> = walk(&snapshots);
    saved.sort();
    assert_eq!(
        saved.len(),
        built.site.len(),
        "the markup of every site page with the search open: {saved:?}"
    );
    let mut files: Vec<PathBuf> = built.site.iter().chain(&built.epub).cloned().collect();
    files.extend(saved);
    files.push(faulty.clone());
    let mut errors = vnu(&tools, &files);
    let before = errors.len();
    errors.retain(|e| !e.contains("faulty.html"));
    assert!(
        errors.len() < before,
        "the Nu HTML Checker reported nothing on a faulty page"
    );
    let snapshot_root = snapshots.to_string_lossy().into_owned();
    let out_root = out.to_string_lossy().into_owned();
    for e in &mut errors {
        *e = e
            .replace(&snapshot_root, "[search open]")
            .replace(&out_root, "");
    }
    problems.extend(errors.into_iter().map(|e| format!("vnu: {e}")));

    assert!(
        problems.is_empty(),
        "{} problem(s) in {} pages of {}:\n{}",
        problems.len(),
        pages.len() - 1,
        book.display(),
        problems.join("\n")
    );
}

#[test]
#[ignore = "needs Java, Chromium, Node.js and tests/browser's npm packages; run by .ci/run"]
fn the_sample_book_passes_the_w3c_checker_and_axe() {
    let (_tmp, root) = sample_book();
    check_book(&root, &[]);
}

#[test]
#[ignore = "needs Java, Chromium, Node.js and tests/browser's npm packages; run by .ci/run"]
fn a_generated_30_chapter_book_passes_the_w3c_checker_and_axe() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("corpus");
    // `gen-corpus DIR --chapters 30 --words 60000 --commits 50`.
    let mut book = corpus::book::Book::generate(&corpus::book::Options {
        chapters: 30,
        words: 60_000,
        contributors: 30,
        seed: 1,
        extra_chapter: true,
    });
    corpus::history::write_history(&dir, &mut book, 50, 1).unwrap();
    // A draft, built from its history: the review dashboard and the state
    // badges are pages and markup of their own.
    check_book(&dir, &["--draft"]);
}

#[test]
#[ignore = "needs Java, Chromium, Node.js and tests/browser's npm packages; run by .ci/run"]
fn the_features_fixture_passes_the_w3c_checker_and_axe() {
    let (_tmp, root) = fixture("features");
    check_book(&root, &["--draft"]);
}
