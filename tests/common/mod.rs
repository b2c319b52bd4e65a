//! Helpers shared by the integration tests: fixture books copied to a
//! temporary folder, the binary run on them, and HTML read with scraper.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Output;

use scraper::{Html, Selector};

pub mod commonmark;
pub mod epub;
pub mod live;

/// The repository root (the sample book).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies a folder recursively, skipping build outputs and git data.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "_book" || name == "target" || name == ".git" {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(&name));
        } else {
            std::fs::copy(&path, to.join(&name)).unwrap();
        }
    }
}

/// A fixture book (`tests/fixtures/<name>`) copied into a fresh temporary folder.
pub fn fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join(name);
    copy_dir(&repo_root().join("tests/fixtures").join(name), &dest);
    (tmp, dest)
}

/// The sample manuscript at the repository root, copied (book files only).
pub fn sample_book() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("sample");
    let root = repo_root();
    std::fs::create_dir_all(&dest).unwrap();
    for f in ["book.toml", "contributors.toml", "references.bib"] {
        if root.join(f).exists() {
            std::fs::copy(root.join(f), dest.join(f)).unwrap();
        }
    }
    for d in ["chapters", "templates"] {
        if root.join(d).exists() {
            copy_dir(&root.join(d), &dest.join(d));
        }
    }
    (tmp, dest)
}

/// An empty book folder holding one small SVG (`chapters/images/a.svg`),
/// for tests that write their own book.toml and chapters case by case.
pub fn scratch_book_with_image() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("book");
    std::fs::create_dir_all(root.join("chapters/images")).unwrap();
    std::fs::write(
        root.join("chapters/images/a.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><rect width=\"10\" height=\"10\"/></svg>\n",
    )
    .unwrap();
    (tmp, root)
}

/// Replaces the one occurrence of `from` in the file at `path` by `to`.
/// Panics, naming the file and the pattern, unless `from` occurs exactly
/// once: an edit of a book that silently changes nothing (or changes a
/// second place by chance) leaves the test testing something else than
/// its name says.
#[track_caller]
pub fn edit(path: impl AsRef<Path>, from: &str, to: &str) {
    edit_n(path, from, to, 1);
}

/// Replaces every occurrence of `from` in the file at `path` by `to`;
/// `from` must occur exactly `n` times (`n` > 0).
#[track_caller]
pub fn edit_n(path: impl AsRef<Path>, from: &str, to: &str, n: usize) {
    assert!(n > 0, "an edit expects at least one occurrence");
    let path = path.as_ref();
    let text = read_for_edit(path);
    let found = text.matches(from).count();
    if found != n {
        panic!(
            "{}: `{from}` occurs {found} times, not {n}; the edit to `{to}` would not do what the test means. The file:\n{}",
            path.display(),
            excerpt(&text)
        );
    }
    std::fs::write(path, text.replace(from, to))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Replaces every occurrence of `from` in the file at `path` by `to`, for
/// files where how many there are is not the test's business (a cache);
/// panics when there is none. Returns how many were replaced.
#[track_caller]
pub fn edit_all(path: impl AsRef<Path>, from: &str, to: &str) -> usize {
    let path = path.as_ref();
    let text = read_for_edit(path);
    let found = text.matches(from).count();
    if found == 0 {
        panic!(
            "{}: `{from}` does not occur; the edit to `{to}` would change nothing. The file:\n{}",
            path.display(),
            excerpt(&text)
        );
    }
    std::fs::write(path, text.replace(from, to))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    found
}

#[track_caller]
fn read_for_edit(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The start of a file, for a message.
fn excerpt(text: &str) -> String {
    const MAX: usize = 1500;
    match text.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// Runs `ouvrage` with `args` in `dir`, colours off.
pub fn ouvrage(dir: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_ouvrage"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// stdout and stderr of a run, as text.
pub fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Runs and asserts success.
pub fn ok(dir: &Path, args: &[&str]) -> String {
    let out = ouvrage(dir, args);
    let (stdout, stderr) = text(&out);
    assert!(
        out.status.success(),
        "ouvrage {args:?} failed:\n{stdout}\n{stderr}"
    );
    stdout + &stderr
}

/// Parses an HTML file.
pub fn page(path: &Path) -> Html {
    Html::parse_document(
        &std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
}

/// Every element matching `selector`, as its text.
pub fn texts(html: &Html, selector: &str) -> Vec<String> {
    let sel = Selector::parse(selector).unwrap();
    html.select(&sel)
        .map(|e| e.text().collect::<String>())
        .collect()
}

/// The values of `attr` on the elements matching `selector`.
pub fn attrs(html: &Html, selector: &str, attr: &str) -> Vec<String> {
    let sel = Selector::parse(selector).unwrap();
    html.select(&sel)
        .filter_map(|e| e.value().attr(attr).map(str::to_string))
        .collect()
}

/// Every id in a page.
pub fn ids(html: &Html) -> HashSet<String> {
    attrs(html, "[id]", "id").into_iter().collect()
}

/// Checks that every internal `href` and `src` of every page of a site
/// resolves to a file, and every `#fragment` to an id in its page; and that
/// nothing is loaded from another host. Returns the number of links checked.
pub fn check_site_links(site: &Path) -> usize {
    let mut pages: BTreeMap<PathBuf, Html> = BTreeMap::new();
    for entry in walk(site) {
        if entry.extension().is_some_and(|e| e == "html") {
            pages.insert(entry.clone(), page(&entry));
        }
    }
    assert!(!pages.is_empty(), "no page in {}", site.display());
    let mut checked = 0;
    let mut problems = Vec::new();
    for (path, html) in &pages {
        for (selector, attr) in [
            ("a[href]", "href"),
            ("img[src]", "src"),
            ("link[href]", "href"),
            ("script[src]", "src"),
        ] {
            for url in attrs(html, selector, attr) {
                if url.starts_with("http://")
                    || url.starts_with("https://")
                    || url.starts_with("//")
                {
                    if selector != "a[href]" {
                        problems.push(format!("{}: loads {url} from another host", path.display()));
                    }
                    continue;
                }
                if url.starts_with("mailto:") || url == "data:," {
                    continue;
                }
                checked += 1;
                let (file, fragment) = match url.split_once('#') {
                    Some((f, frag)) => (f, Some(frag)),
                    None => (url.as_str(), None),
                };
                let target = if file.is_empty() {
                    path.clone()
                } else {
                    path.parent().unwrap().join(file)
                };
                if !target.is_file() {
                    problems.push(format!("{}: {url} → missing file", path.display()));
                    continue;
                }
                if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
                    let target_page = pages.get(&target).map(ids).unwrap_or_default();
                    if !target_page.contains(fragment) {
                        problems.push(format!("{}: {url} → no id `{fragment}`", path.display()));
                    }
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "broken links:\n{}",
        problems.join("\n")
    );
    checked
}

/// Every file under `dir`.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The whole text of a book compiled in-process with `options` (runs
/// separated by spaces); the book must load without errors.
pub fn compiled_text(book: &Path, options: &ouvrage::render::typst::PdfOptions) -> String {
    let mut sink = ouvrage::diag::Sink::default();
    let model = ouvrage::pipeline::load_model(book, &mut sink);
    assert!(!sink.has_errors(), "{:?}", sink.diagnostics());
    model_text(&model, options)
}

/// The whole text of a model (a draft, say) compiled in-process.
pub fn model_text(
    model: &ouvrage::model::Book,
    options: &ouvrage::render::typst::PdfOptions,
) -> String {
    let mut session =
        ouvrage::render::typst::Session::for_book(model, &Default::default()).unwrap();
    let compiled = session
        .compile(model, options)
        .unwrap_or_else(|e| panic!("{e:?}"));
    ouvrage::render::typst::text::page_texts(&compiled.document).join(" ")
}

/// Stages every file of `repo`'s working tree and commits it on HEAD as
/// `name <email>` (the tests' own git use, through libgit2).
pub fn commit_all(repo: &git2::Repository, name: &str, email: &str, message: &str) -> String {
    let mut index = repo.index().unwrap();
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    index.update_all(["*"], None).unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = git2::Signature::now(name, email).unwrap();
    let parents: Vec<git2::Commit> = repo
        .head()
        .ok()
        .and_then(|h| h.peel_to_commit().ok())
        .into_iter()
        .collect();
    let parents: Vec<&git2::Commit> = parents.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
        .unwrap()
        .to_string()
}

/// The features fixture broken in every file: wrong types, a bad ISBN and
/// an unknown chapter in book.toml, a duplicate chapter id, a non-UTF-8
/// chapter, an unknown anchor and an unknown front matter key.
pub fn broken_features() -> (tempfile::TempDir, PathBuf) {
    let (tmp, book) = fixture("features");
    let toml = book.join("book.toml");
    edit(
        &toml,
        "year = 2026",
        "year = \"2026\"\nisbn = \"978-2-07-036822-9\"",
    );
    edit(&toml, "\"second\", \"scuola\"]", "\"secnod\", \"scuola\"]");
    let w = |rel: &str, text: &[u8]| std::fs::write(book.join(rel), text).unwrap();
    w(
        "chapters/04-copie.md",
        b"---\ntitle: Copie\nid: premier\n---\n\nTexte.\n",
    );
    w("chapters/05-latin1.md", b"---\ntitle: x\n---\n\nCaf\xe9\n");
    w(
        "chapters/06-ancre.md",
        b"---\ntitle: Ancre\nautors: [ana]\n---\n\nVoir [ici](01-premier.md#sec:methdoe).\n",
    );
    (tmp, book)
}

/// The text of the entry `name` (its path in the archive, e.g.
/// `EPUB/text/premier.xhtml`) of an EPUB.
pub fn epub_entry(epub: &Path, name: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(epub).unwrap()).unwrap();
    let mut file = zip
        .by_name(name)
        .unwrap_or_else(|e| panic!("{name} in {}: {e}", epub.display()));
    let mut text = String::new();
    file.read_to_string(&mut text).unwrap();
    text
}

/// The one EPUB below `dir`.
pub fn epub_in(dir: &Path) -> PathBuf {
    walk(dir)
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "epub"))
        .unwrap_or_else(|| panic!("no EPUB in {}", dir.display()))
}
