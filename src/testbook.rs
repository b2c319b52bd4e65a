//! Book folders for unit tests: a `book.toml` and chapter files written in
//! a temporary folder, removed when the returned guard is dropped.

use std::path::PathBuf;

/// A book titled `title` whose `chapters/` holds `chapters` (file names
/// under `chapters/`, and their bytes); the guard and the book's root.
pub(crate) fn book(title: &str, chapters: &[(&str, &[u8])]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    std::fs::create_dir(root.join("chapters")).unwrap();
    std::fs::write(
        root.join("book.toml"),
        format!("[book]\ntitle = \"{title}\"\n"),
    )
    .unwrap();
    for (name, text) in chapters {
        std::fs::write(root.join("chapters").join(name), text).unwrap();
    }
    (dir, root)
}
