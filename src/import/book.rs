//! The book an import makes, in memory until it is written whole: its
//! book.toml, contributors.toml, chapters with their front matter, and the
//! files copied from the source; written into a staging folder beside the
//! target and renamed into place, so that an import never leaves half a
//! book and never writes over a file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::atomic::StagingDir;
use crate::config::quote::double_quoted;
use crate::diag::Diagnostic;

/// A person of the new book's contributors.toml.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPerson {
    /// The id (lowercase ASCII letters, digits, `-`).
    pub id: String,
    /// The name as the source wrote it.
    pub name: String,
    /// An affiliation, when the source gives one.
    pub affiliation: Option<String>,
    /// An email address (Pandoc's and Quarto's `email`).
    pub email: Option<String>,
    /// An ORCID iD with a valid checksum.
    pub orcid: Option<String>,
}

impl NewPerson {
    /// A person known by name only.
    pub fn named(name: &str) -> Self {
        NewPerson {
            id: String::new(),
            name: name.trim().to_string(),
            affiliation: None,
            email: None,
            orcid: None,
        }
    }
}

/// A chapter of the new book.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewChapter {
    /// Its path from the new book's root (`chapters/…`).
    pub path: PathBuf,
    /// Its id (set by [`NewBook::assign_ids`]).
    pub id: String,
    /// Whether the id must be written in front matter (the file name gives
    /// another one).
    pub explicit_id: bool,
    /// The title, inline Markdown.
    pub title: Option<String>,
    /// Contributor ids.
    pub authors: Vec<String>,
    /// A language other than the book's.
    pub lang: Option<String>,
    /// The abstract, Markdown.
    pub abstract_: Option<String>,
    /// Keywords.
    pub keywords: Vec<String>,
    /// False for a foreword or an appendix left unnumbered.
    pub numbered: bool,
    /// The text after the front matter.
    pub body: String,
}

/// A `[[part]]`: a title and the chapters (indices into
/// [`NewBook::chapters`]), consecutive in reading order.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPart {
    /// The part's title.
    pub title: String,
    /// Its chapters.
    pub chapters: Vec<usize>,
}

/// The whole new book.
#[derive(Debug, Clone, Default)]
pub struct NewBook {
    /// `[book] title`.
    pub title: String,
    /// `[book] subtitle`.
    pub subtitle: Option<String>,
    /// `[book] language`.
    pub language: Option<String>,
    /// `[book] year`.
    pub year: Option<i64>,
    /// contributors.toml.
    pub people: Vec<NewPerson>,
    /// The chapters in reading order.
    pub chapters: Vec<NewChapter>,
    /// The parts.
    pub parts: Vec<NewPart>,
    /// `[markdown] math = "none"`: `$` is text (mdBook without MathJax).
    pub math_none: bool,
    /// `[bibliography] files`, paths in the new book.
    pub bibliography: Vec<String>,
    /// `[bibliography] style`: a style name or a `.csl` file of the book.
    pub style: Option<String>,
    /// Files copied as they are: path in the new book → source file.
    pub copies: BTreeMap<PathBuf, PathBuf>,
    /// `[pdf] fallback-fonts`, from the system's fonts (`system-fonts =
    /// true`): for the characters Typst's own fonts do not draw.
    pub fallback_fonts: Vec<String>,
}

impl NewBook {
    /// Gives every chapter a unique valid id: the one its file name gives
    /// when it is valid and free, else a cleaned or numbered one, written
    /// in its front matter.
    pub fn assign_ids(&mut self) {
        let mut taken = std::collections::HashSet::new();
        for chapter in &mut self.chapters {
            let natural = crate::load::id_from_path(&chapter.path);
            let base = clean_id(&natural, "chapter");
            let mut id = base.clone();
            let mut n = 2;
            while !taken.insert(id.clone()) {
                id = format!("{base}-{n}");
                n += 1;
            }
            chapter.explicit_id = id != natural;
            chapter.id = id;
        }
    }

    /// A person's id for `name`, added to the book unless a person of that
    /// name is there already.
    pub fn person(&mut self, who: NewPerson) -> String {
        let name = who.name.trim().to_string();
        let name = name.as_str();
        if let Some(p) = self.people.iter_mut().find(|p| p.name == name) {
            // What one file says of a person and another does not adds up.
            p.affiliation = p.affiliation.take().or(who.affiliation);
            p.email = p.email.take().or(who.email);
            p.orcid = p.orcid.take().or(who.orcid);
            return p.id.clone();
        }
        let words: Vec<String> = ascii_words(name);
        let mut candidates = Vec::new();
        if let Some(last) = words.last() {
            candidates.push(last.clone());
        }
        if words.len() > 1 {
            candidates.push(words.join("-"));
        }
        if words.is_empty() {
            candidates.push("author".to_string());
        }
        let taken = |id: &str, people: &[NewPerson]| people.iter().any(|p| p.id == id);
        let id = candidates
            .into_iter()
            .find(|c| crate::config::read::is_valid_id(c) && !taken(c, &self.people))
            .unwrap_or_else(|| {
                let base = words.last().cloned().unwrap_or_else(|| "author".into());
                let mut n = 2;
                loop {
                    let id = format!("{base}-{n}");
                    if !taken(&id, &self.people) {
                        break id;
                    }
                    n += 1;
                }
            });
        self.people.push(NewPerson {
            id: id.clone(),
            name: name.to_string(),
            orcid: who
                .orcid
                .filter(|o| crate::config::contributors::orcid_is_valid(o)),
            ..who
        });
        id
    }

    /// book.toml's text.
    pub fn book_toml(&self) -> String {
        let mut out = String::from(
            "# Imported by `ouvrage import`; see README \"File formats in short\".\n[book]\n",
        );
        out.push_str(&format!("title = {}\n", double_quoted(&self.title)));
        if let Some(s) = &self.subtitle {
            out.push_str(&format!("subtitle = {}\n", double_quoted(s)));
        }
        if let Some(l) = &self.language {
            out.push_str(&format!("language = {}\n", double_quoted(l)));
        }
        if let Some(y) = self.year {
            out.push_str(&format!("year = {y}\n"));
        }
        out.push_str("chapters = [\n");
        for c in &self.chapters {
            out.push_str(&format!("  {},\n", double_quoted(&c.id)));
        }
        out.push_str("]\n");
        for part in &self.parts {
            out.push_str(&format!(
                "\n[[part]]\ntitle = {}\nchapters = [",
                double_quoted(&part.title)
            ));
            let ids: Vec<String> = part
                .chapters
                .iter()
                .map(|&i| double_quoted(&self.chapters[i].id))
                .collect();
            out.push_str(&ids.join(", "));
            out.push_str("]\n");
        }
        if !self.bibliography.is_empty() || self.style.is_some() {
            out.push_str("\n[bibliography]\n");
            if !self.bibliography.is_empty() {
                let files: Vec<String> =
                    self.bibliography.iter().map(|f| double_quoted(f)).collect();
                out.push_str(&format!("files = [{}]\n", files.join(", ")));
            }
            if let Some(style) = &self.style {
                out.push_str(&format!("style = {}\n", double_quoted(style)));
            }
        }
        if !self.fallback_fonts.is_empty() {
            let fonts: Vec<String> = self
                .fallback_fonts
                .iter()
                .map(|f| double_quoted(f))
                .collect();
            out.push_str(&format!(
                "\n[pdf]\n# For the characters Typst's own fonts do not draw; copy the fonts' files into\n# fonts/ and remove `system-fonts` to make the PDF the same on every machine.\nsystem-fonts = true\nfallback-fonts = [{}]\n",
                fonts.join(", ")
            ));
        }
        if self.math_none {
            out.push_str("\n[markdown]\n# `$` is a dollar sign, as in the book this was imported from.\nmath = \"none\"\n");
        }
        out
    }

    /// contributors.toml's text.
    pub fn contributors_toml(&self) -> String {
        let mut out = String::new();
        for p in &self.people {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&format!("[{}]\nname = {}\n", p.id, double_quoted(&p.name)));
            if let Some(e) = &p.email {
                out.push_str(&format!("emails = [{}]\n", double_quoted(e)));
            }
            if let Some(a) = &p.affiliation {
                out.push_str(&format!("affiliation = {}\n", double_quoted(a)));
            }
            if let Some(o) = &p.orcid {
                out.push_str(&format!("orcid = {}\n", double_quoted(o)));
            }
            out.push_str("roles = [\"author\"]\n");
        }
        out
    }

    /// Every file of the new book but the copies: path → text.
    pub fn files(&self) -> Vec<(PathBuf, String)> {
        let mut files = vec![
            (PathBuf::from(crate::load::BOOK_FILE), self.book_toml()),
            (PathBuf::from(".gitignore"), "_book/\n".to_string()),
        ];
        if !self.people.is_empty() {
            files.push((
                PathBuf::from(crate::load::CONTRIBUTORS_FILE),
                self.contributors_toml(),
            ));
        }
        for c in &self.chapters {
            files.push((c.path.clone(), chapter_text(c)));
        }
        files
    }
}

/// A chapter's file: YAML front matter, then its text.
pub fn chapter_text(c: &NewChapter) -> String {
    let mut fm = String::new();
    if c.explicit_id {
        fm.push_str(&format!("id: {}\n", c.id));
    }
    if let Some(t) = &c.title {
        fm.push_str(&format!("title: {}\n", double_quoted(t)));
    }
    if !c.authors.is_empty() {
        fm.push_str(&format!("authors: [{}]\n", c.authors.join(", ")));
    }
    if let Some(l) = &c.lang {
        fm.push_str(&format!("lang: {}\n", double_quoted(l)));
    }
    if let Some(a) = &c.abstract_ {
        fm.push_str(&format!("abstract: {}\n", double_quoted(a)));
    }
    if !c.keywords.is_empty() {
        let k: Vec<String> = c.keywords.iter().map(|k| double_quoted(k)).collect();
        fm.push_str(&format!("keywords: [{}]\n", k.join(", ")));
    }
    if !c.numbered {
        fm.push_str("numbered: false\n");
    }
    let body = c.body.trim_start_matches(['\n', '\r']);
    if fm.is_empty() {
        body.to_string()
    } else {
        format!("---\n{fm}---\n\n{body}")
    }
}

/// The ASCII words of a name, lowercased, accents dropped (`Émile Zola` →
/// `emile`, `zola`).
fn ascii_words(name: &str) -> Vec<String> {
    use unicode_normalization::UnicodeNormalization;
    let folded: String = name.nfd().filter(|c| c.is_ascii()).collect();
    folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_ascii_lowercase())
        .collect()
}

/// `text` made into a valid id: ASCII words joined by `-` (`fallback` when
/// none is left).
pub fn clean_id(text: &str, fallback: &str) -> String {
    let words = ascii_words(text);
    let id = words.join("-");
    if crate::config::read::is_valid_id(&id) {
        id
    } else {
        fallback.to_string()
    }
}

/// Whether `target` can receive a new book: absent, or an empty folder.
/// The error says why not; it is checked before anything is read or
/// written.
pub fn check_target(target: &Path) -> Result<(), Diagnostic> {
    match std::fs::symlink_metadata(target) {
        Err(_) => Ok(()),
        Ok(meta) if meta.is_dir() => {
            let empty = std::fs::read_dir(target)
                .map(|mut entries| entries.next().is_none())
                .unwrap_or(false);
            if empty {
                Ok(())
            } else {
                Err(Diagnostic::error_in(
                    Some(target.to_path_buf()),
                    "this folder is not empty: import writes a new book and never overwrites a file",
                )
                .hint("choose a new folder with `--into NEW`"))
            }
        }
        Ok(_) => Err(Diagnostic::error_in(
            Some(target.to_path_buf()),
            "a file of this name exists: import writes a new book into a new folder",
        )
        .hint("choose a new folder with `--into NEW`")),
    }
}

/// Writes the book into a staging folder beside `target`, then renames it
/// into place: either the whole book is there, or nothing.
pub fn write_book(book: &NewBook, target: &Path) -> Result<(), Diagnostic> {
    check_target(target)?;
    let cannot = |path: &Path, what: &str, e: std::io::Error| {
        Diagnostic::error_in(Some(path.to_path_buf()), format!("cannot {what}: {e}"))
    };
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| cannot(&parent, "create the folder", e))?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "book".into());
    // The staging folders an interrupted import left here (Ctrl-C, a
    // killed process) go first.
    crate::atomic::remove_stale(&parent, false);
    let staging = StagingDir::new_in(&parent, &name)?;
    let root = staging.path();
    for (rel, text) in book.files() {
        let path = root.join(&rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| cannot(dir, "create the folder", e))?;
        }
        std::fs::write(&path, text).map_err(|e| cannot(&target.join(&rel), "write", e))?;
    }
    for (rel, source) in &book.copies {
        let path = root.join(rel);
        if path.exists() {
            continue; // a chapter or a file of ours has this name
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| cannot(dir, "create the folder", e))?;
        }
        std::fs::copy(source, &path).map_err(|e| cannot(source, "copy", e))?;
    }
    crate::atomic::hold("import");
    // An empty folder the user made for the book gives way to it; a file
    // that appeared meanwhile is never replaced.
    check_target(target)?;
    if target.is_dir() {
        std::fs::remove_dir(target).map_err(|e| cannot(target, "replace the empty folder", e))?;
    }
    std::fs::rename(root, target).map_err(|e| cannot(target, "write", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_valid_unique_and_written_when_the_name_differs() {
        let mut book = NewBook::default();
        for p in [
            "chapters/intro.md",
            "chapters/a/README.md",
            "chapters/b/README.md",
            "chapters/01-x.md",
        ] {
            book.chapters.push(NewChapter {
                path: p.into(),
                ..Default::default()
            });
        }
        book.assign_ids();
        let ids: Vec<(&str, bool)> = book
            .chapters
            .iter()
            .map(|c| (c.id.as_str(), c.explicit_id))
            .collect();
        assert_eq!(
            ids,
            [
                ("intro", false),
                ("readme", true),
                ("readme-2", true),
                ("x", false)
            ]
        );
    }

    #[test]
    fn people_get_ids_from_their_names() {
        let mut book = NewBook::default();
        let named = NewPerson::named;
        assert_eq!(book.person(named("Émile Zola")), "zola");
        assert_eq!(book.person(named("Anne Zola")), "anne-zola");
        let again = NewPerson {
            orcid: Some("0000-0002-1825-0097".into()),
            ..named("Émile Zola ")
        };
        assert_eq!(book.person(again), "zola");
        assert_eq!(book.person(named("李")), "author");
        assert_eq!(book.person(named("王")), "author-2");
        // An ORCID iD whose checksum fails is left out.
        let bad = NewPerson {
            orcid: Some("0000-0002-1825-0098".into()),
            ..named("Nana")
        };
        book.person(bad);
        let toml = book.contributors_toml();
        assert!(
            toml.starts_with(
                "[zola]\nname = \"Émile Zola\"\norcid = \"0000-0002-1825-0097\"\nroles"
            ),
            "{toml}"
        );
        assert!(toml.contains("[nana]\nname = \"Nana\"\nroles"), "{toml}");
    }

    #[test]
    fn front_matter_quotes_what_it_writes() {
        let c = NewChapter {
            path: "chapters/x.md".into(),
            id: "x".into(),
            title: Some("Using `Box<T>`: \"a\"".into()),
            authors: vec!["a".into()],
            numbered: false,
            body: "\n\nText\n".into(),
            ..Default::default()
        };
        assert_eq!(
            chapter_text(&c),
            "---\ntitle: \"Using `Box<T>`: \\\"a\\\"\"\nauthors: [a]\nnumbered: false\n---\n\nText\n"
        );
    }
}
