//! The same chapters as an mdBook, for `mdbook build`: `book.toml`,
//! `src/SUMMARY.md` (the foreword as a prefix chapter, then each part as a
//! part title over its chapters), each chapter without its front matter and
//! with its title as `# Title`, and the images.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::book::Book;

/// The mdBook folder that goes with a corpus at `dir`: `DIR-mdbook`.
pub fn sibling(dir: &Path) -> PathBuf {
    let name = dir
        .file_name()
        .map_or_else(|| "corpus".into(), |n| n.to_string_lossy().into_owned());
    dir.with_file_name(format!("{name}-mdbook"))
}

/// `src/SUMMARY.md` for the chapters still in the book.
pub fn summary(book: &Book, alive: &[bool]) -> String {
    let mut s = String::from("# Summary\n\n");
    let in_part: Vec<usize> = book.parts.iter().flat_map(|(_, m)| m.clone()).collect();
    let live = |c: usize| alive.get(c).copied().unwrap_or(true);
    let entry = |s: &mut String, c: usize| {
        let ch = &book.chapters[c];
        if ch.numbered {
            let _ = writeln!(s, "- [{}]({})", ch.title, ch.file);
        } else {
            let _ = writeln!(s, "[{}]({})", ch.title, ch.file);
        }
    };
    // Chapters before the first part (the foreword), then the parts, then
    // any chapter in no part (they follow path order, as in ouvrage).
    let first_in_part = in_part.iter().min().copied().unwrap_or(usize::MAX);
    let mut done = vec![false; book.chapters.len()];
    for (c, done) in done.iter_mut().enumerate().take(first_in_part) {
        if live(c) && !in_part.contains(&c) && !book.chapters[c].numbered {
            entry(&mut s, c);
            *done = true;
        }
    }
    if book.parts.is_empty() {
        for (c, done) in done.iter_mut().enumerate() {
            if live(c) && !*done {
                entry(&mut s, c);
                *done = true;
            }
        }
    }
    for (title, members) in &book.parts {
        let _ = write!(s, "\n# {title}\n\n");
        for &c in members {
            if live(c) {
                entry(&mut s, c);
                done[c] = true;
            }
        }
    }
    let rest: Vec<usize> = (0..book.chapters.len())
        .filter(|&c| live(c) && !done[c])
        .collect();
    if !rest.is_empty() {
        s.push_str("\n---\n\n");
        for c in rest {
            entry(&mut s, c);
        }
    }
    s
}

/// Writes the mdBook into `dir` (created).
pub fn write(book: &Book, alive: &[bool], dir: &Path) -> std::io::Result<()> {
    let src = dir.join("src");
    std::fs::create_dir_all(src.join("images"))?;
    let authors: Vec<String> = book
        .people
        .iter()
        .filter(|p| p.editor)
        .map(|p| format!("\"{}\"", p.name))
        .collect();
    std::fs::write(
        dir.join("book.toml"),
        format!(
            "# The chapters of the ouvrage corpus beside this folder, for `mdbook build`.\n\
             [book]\ntitle = \"{}\"\nauthors = [{}]\nlanguage = \"fr\"\nsrc = \"src\"\n\n\
             [output.html.search]\nenable = true\n",
            book.title,
            authors.join(", ")
        ),
    )?;
    std::fs::write(src.join("SUMMARY.md"), summary(book, alive))?;
    for (c, ch) in book.chapters.iter().enumerate() {
        if alive.get(c).copied().unwrap_or(true) {
            let text = format!("# {}\n{}", ch.title, book.chapter_body(c));
            std::fs::write(src.join(&ch.file), text)?;
        }
    }
    for (path, bytes) in &book.images {
        std::fs::write(src.join(path), bytes)?;
    }
    Ok(())
}
