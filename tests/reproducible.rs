//! Reproducible outputs: the same commit gives the same bytes in every
//! format, whatever the folder, the time of the build or where the binary
//! lives; `SOURCE_DATE_EPOCH` gives the date when it is set.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;

/// The commit time of the test repository (2024-05-01 10:00 UTC).
const COMMIT_TIME: i64 = 1_714_557_600;

/// The sample book committed in a new repository at a fixed time.
fn committed_sample() -> (tempfile::TempDir, PathBuf) {
    let (tmp, book) = sample_book();
    let repo = git2::Repository::init(&book).unwrap();
    let mut index = repo.index().unwrap();
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = git2::Signature::new(
        "Coordination",
        "coordination@example.org",
        &git2::Time::new(COMMIT_TIME, 0),
    )
    .unwrap();
    repo.commit(Some("HEAD"), &sig, &sig, "Manuscrit", &tree, &[])
        .unwrap();
    (tmp, book)
}

/// Every file of a folder, by relative path, with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walk(dir)
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read(&p).unwrap())
        })
        .collect()
}

/// Runs a copy of the binary placed in `bin_dir` to build every format.
fn build_with(bin_dir: &Path, book: &Path, epoch: Option<&str>) -> BTreeMap<String, Vec<u8>> {
    std::fs::create_dir_all(bin_dir).unwrap();
    let bin = bin_dir.join("ouvrage");
    std::fs::copy(env!("CARGO_BIN_EXE_ouvrage"), &bin).unwrap();
    let mut cmd = std::process::Command::new(&bin);
    cmd.arg("build").current_dir(book).env("NO_COLOR", "1");
    match epoch {
        Some(e) => cmd.env("SOURCE_DATE_EPOCH", e),
        None => cmd.env_remove("SOURCE_DATE_EPOCH"),
    };
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    tree(&book.join("_book"))
}

fn assert_same(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>, what: &str) {
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "{what}: not the same files"
    );
    for (name, bytes) in a {
        assert!(bytes == &b[name], "{what}: {name} differs");
    }
}

#[test]
fn one_commit_gives_the_same_pdf_epub_and_site_wherever_and_whenever_it_is_built() {
    let (tmp, book) = committed_sample();
    let first = build_with(&tmp.path().join("bin-a"), &book, None);
    for kind in [".pdf", ".epub", "html/index.html", "html/introduction.html"] {
        assert!(
            first.keys().any(|k| k.ends_with(kind)),
            "no {kind} among {:?}",
            first.keys().collect::<Vec<_>>()
        );
    }

    // Another clone of the same commit, elsewhere, later, with fresh file
    // times and the binary in another folder.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let other = tempfile::tempdir().unwrap();
    let clone = other.path().join("ailleurs").join("livre");
    git2::Repository::clone(book.to_str().unwrap(), &clone).unwrap();
    let second = build_with(&other.path().join("bin-b"), &clone, None);
    assert_same(&first, &second, "a second clone");

    // SOURCE_DATE_EPOCH set to the commit's time changes nothing; set to
    // another time, it is the document date.
    let third = build_with(
        &other.path().join("bin-b"),
        &clone,
        Some(&COMMIT_TIME.to_string()),
    );
    assert_same(&first, &third, "SOURCE_DATE_EPOCH = the commit time");
    let later = build_with(&other.path().join("bin-b"), &clone, Some("1893456000"));
    let pdf = |t: &BTreeMap<String, Vec<u8>>| {
        t.iter()
            .find(|(k, _)| k.ends_with(".pdf"))
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert!(
        pdf(&later) != pdf(&first),
        "the PDF's date follows SOURCE_DATE_EPOCH"
    );
    let doc = lopdf::Document::load_mem(&pdf(&later)).unwrap();
    let info = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
    let created = doc
        .get_object(info)
        .unwrap()
        .as_dict()
        .unwrap()
        .get(b"CreationDate")
        .unwrap()
        .as_str()
        .unwrap()
        .to_vec();
    assert!(
        String::from_utf8_lossy(&created).contains("20300101"),
        "{}",
        String::from_utf8_lossy(&created)
    );
}
