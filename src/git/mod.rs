//! The only user of git2 (libgit2): plain values out, no git2 type leaks.

use std::path::Path;

/// The commit time (seconds since the Unix epoch) of HEAD in the repository
/// that holds `dir`, if there is one.
pub fn head_commit_time(dir: &Path) -> Option<i64> {
    let repo = git2::Repository::discover(dir).ok()?;
    let commit = repo.head().ok()?.peel_to_commit().ok()?;
    Some(commit.time().seconds())
}

/// Git's blob id of `bytes` (what `git hash-object` prints), without a repository.
pub fn blob_id(bytes: &[u8]) -> String {
    git2::Oid::hash_object(git2::ObjectType::Blob, bytes)
        .map(|oid| oid.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn blob_ids_match_git() {
        // `printf 'hello\n' | git hash-object --stdin`
        assert_eq!(
            super::blob_id(b"hello\n"),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
    }
}
