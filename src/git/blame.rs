//! Who last changed each line of the chapters, for the whole book at once.
//!
//! libgit2's blame walks the history again for every file: on 10,000
//! commits and 100 chapters that took 30 s. Here the history that `status`
//! already walked is read once, oldest first: each new version of a chapter
//! inherits its lines' owners from the version it replaced through a line
//! diff, and the lines the diff adds belong to the commit's author. Only a
//! version that no single-parent commit produced (both sides of a merge
//! changed the file) falls back to libgit2's blame.

use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

use super::{Commit, GitError, Person, Repo};

/// A file's text in HEAD and who last changed each of its lines.
#[derive(Debug, Clone)]
pub struct LineOwners {
    /// The text (lossy UTF-8).
    pub text: String,
    /// One person per line of `text.lines()`.
    pub people: Vec<Person>,
}

/// People met in the history, each stored once.
#[derive(Default)]
struct People {
    list: Vec<Person>,
    by_email: HashMap<String, u32>,
}

impl People {
    fn intern(&mut self, person: &Person) -> u32 {
        if let Some(&i) = self.by_email.get(&person.email) {
            return i;
        }
        let i = self.list.len() as u32;
        self.list.push(person.clone());
        self.by_email.insert(person.email.clone(), i);
        i
    }
}

type Owners = Rc<[u32]>;

impl Repo {
    /// For each of `paths` (relative to the book root) that HEAD holds: its
    /// text and who last changed each line. `history` is what
    /// [`Repo::history`] returned for the folder holding those paths.
    /// A blob missing from a partial clone is an error naming it.
    /// `mailmap` maps the authors libgit2's blame finds (the history's are
    /// mapped already).
    pub fn line_owners(
        &self,
        history: &[Commit],
        paths: &[String],
        mailmap: &super::PeopleMap,
    ) -> Result<HashMap<String, LineOwners>, GitError> {
        self.line_owners_inner(history, paths, mailmap)
            .map_err(|e| self.explain(e))
    }

    fn line_owners_inner(
        &self,
        history: &[Commit],
        paths: &[String],
        mailmap: &super::PeopleMap,
    ) -> Result<HashMap<String, LineOwners>, GitError> {
        let mut people = People::default();
        let mut owners: HashMap<git2::Oid, Owners> = HashMap::new();
        for commit in history {
            let mut author = None;
            for change in &commit.changes {
                let (Some(new_path), Some(new_blob)) = (&change.new_path, change.new_blob) else {
                    continue;
                };
                if !new_path.ends_with(".md") || owners.contains_key(&new_blob) {
                    continue;
                }
                let author = *author.get_or_insert_with(|| people.intern(&commit.author));
                let new_text = self.blob_bytes(new_blob)?;
                let carried = match (change.old_blob, &change.old_path) {
                    (Some(old_blob), Some(old_path)) => {
                        let old_owners = match owners.get(&old_blob) {
                            Some(o) => Some(o.clone()),
                            None => self
                                .blame_at(old_path, commit.first_parent, &mut people, mailmap)
                                .map(Rc::from),
                        };
                        match old_owners {
                            Some(old_owners) => {
                                let old_text = self.blob_bytes(old_blob)?;
                                carry(&old_text, &old_owners, &new_text, author)?
                            }
                            None => vec![author; line_count(&new_text)],
                        }
                    }
                    _ => vec![author; line_count(&new_text)],
                };
                owners.insert(new_blob, Rc::from(carried));
            }
        }

        let tree = match self.repo.head() {
            Ok(head) => head.peel_to_tree()?,
            Err(_) => return Ok(HashMap::new()),
        };
        let mut out = HashMap::new();
        for path in paths {
            let Ok(entry) = tree.get_path(Path::new(&format!("{}{path}", self.prefix))) else {
                continue;
            };
            let line_owners = match owners.get(&entry.id()) {
                Some(o) => o.to_vec(),
                None => match self.blame_at(path, None, &mut people, mailmap) {
                    Some(o) => o,
                    None => continue,
                },
            };
            let text = String::from_utf8_lossy(&self.blob_bytes(entry.id())?).into_owned();
            out.insert(
                path.clone(),
                LineOwners {
                    text,
                    people: line_owners
                        .iter()
                        .map(|&i| people.list[i as usize].clone())
                        .collect(),
                },
            );
        }
        Ok(out)
    }

    fn blob_bytes(&self, id: git2::Oid) -> Result<Vec<u8>, GitError> {
        Ok(self.repo.find_blob(id)?.content().to_vec())
    }

    /// libgit2's blame of a book file as it is in `commit` (HEAD when none).
    fn blame_at(
        &self,
        path: &str,
        commit: Option<git2::Oid>,
        people: &mut People,
        mailmap: &super::PeopleMap,
    ) -> Option<Vec<u32>> {
        let full = format!("{}{path}", self.prefix);
        let mut options = git2::BlameOptions::new();
        if let Some(commit) = commit {
            options.newest_commit(commit);
        }
        let blame = self
            .repo
            .blame_file(Path::new(&full), Some(&mut options))
            .ok()?;
        let tree = match commit {
            Some(c) => self.repo.find_commit(c).ok()?.tree().ok()?,
            None => self.repo.head().ok()?.peel_to_tree().ok()?,
        };
        let blob = tree.get_path(Path::new(&full)).ok()?.id();
        let count = line_count(&self.blob_bytes(blob).ok()?);
        let nobody = people.intern(&Person {
            name: String::new(),
            email: String::new(),
        });
        let mut out = vec![nobody; count];
        for hunk in blame.iter() {
            let Some(sig) = hunk.final_signature() else {
                continue;
            };
            let who = people.intern(&mailmap.resolve(&Person {
                name: String::from_utf8_lossy(sig.name_bytes()).into_owned(),
                email: String::from_utf8_lossy(sig.email_bytes()).to_lowercase(),
            }));
            let start = hunk.final_start_line().saturating_sub(1);
            for slot in out.iter_mut().skip(start).take(hunk.lines_in_hunk()) {
                *slot = who;
            }
        }
        Some(out)
    }
}

/// Lines as `str::lines` counts them: a last line without a newline counts.
fn line_count(bytes: &[u8]) -> usize {
    let newlines = bytes.iter().filter(|&&b| b == b'\n').count();
    newlines + usize::from(bytes.last().is_some_and(|&b| b != b'\n'))
}

/// The owners of `new`'s lines: those of `old` for the lines a diff keeps,
/// `author` for the lines it adds.
fn carry(old: &[u8], old_owners: &[u32], new: &[u8], author: u32) -> Result<Vec<u32>, GitError> {
    let mut options = git2::DiffOptions::new();
    options.context_lines(0);
    let patch = git2::Patch::from_buffers(old, None, new, None, Some(&mut options))?;
    let mut out = Vec::with_capacity(line_count(new));
    let mut kept = 0usize; // old lines consumed so far
    for i in 0..patch.num_hunks() {
        let (hunk, _) = patch.hunk(i)?;
        // With no context, a hunk that removes nothing is placed after
        // old_start; one that removes lines starts at old_start.
        let (before, removed) = if hunk.old_lines() == 0 {
            (hunk.old_start() as usize, 0)
        } else {
            (hunk.old_start() as usize - 1, hunk.old_lines() as usize)
        };
        out.extend(old_owners.iter().take(before).skip(kept));
        out.extend(std::iter::repeat_n(author, hunk.new_lines() as usize));
        kept = before + removed;
    }
    out.extend(old_owners.iter().skip(kept));
    // A binary or oddly split file could disagree: the diff is the judge,
    // the count is the truth.
    out.resize(line_count(new), author);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{carry, line_count};

    #[test]
    fn lines_are_counted_like_str_lines() {
        for text in ["", "a", "a\n", "a\nb", "a\nb\n", "\n\n"] {
            assert_eq!(
                line_count(text.as_bytes()),
                text.lines().count(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn kept_lines_keep_their_owner_and_new_ones_go_to_the_author() {
        let old = b"un\ndeux\ntrois\nquatre\n";
        let new = b"zero\nun\ndeux bis\ntrois\nquatre\ncinq\n";
        let owners = carry(old, &[1, 2, 3, 4], new, 9).unwrap();
        assert_eq!(owners, vec![9, 1, 9, 3, 4, 9]);
        let deleted = carry(old, &[1, 2, 3, 4], b"un\nquatre\n", 9).unwrap();
        assert_eq!(deleted, vec![1, 4]);
    }
}
