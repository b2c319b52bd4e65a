//! Records the git revision the binary is built from, for `ouvrage --version`.
//!
//! It reads `.git/HEAD` and the ref it names (a loose ref file, or
//! `packed-refs`) directly: no `git` process, no libgit2 at build time.
//! `GIT_REVISION` in the environment wins (a packager building from a
//! tarball sets it); outside a checkout the revision is `unknown`.

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo::rerun-if-env-changed=GIT_REVISION");
    let revision = match std::env::var("GIT_REVISION") {
        Ok(r) if !r.trim().is_empty() => r.trim().to_string(),
        _ => {
            let manifest =
                PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
            from_checkout(&manifest).unwrap_or_else(|| "unknown".to_string())
        }
    };
    println!("cargo::rustc-env=OUVRAGE_GIT_REVISION={revision}");
}

/// The commit HEAD points to, from the files of the repository at `dir`.
fn from_checkout(dir: &Path) -> Option<String> {
    let dot_git = dir.join(".git");
    // A worktree or a submodule has a `.git` file naming its git folder.
    let git_dir = if dot_git.is_file() {
        let text = std::fs::read_to_string(&dot_git).ok()?;
        let target = PathBuf::from(text.strip_prefix("gitdir:")?.trim());
        if target.is_absolute() {
            target
        } else {
            dir.join(target)
        }
    } else if dot_git.is_dir() {
        dot_git
    } else {
        return None;
    };
    // Refs shared by the worktrees live in the common folder.
    let common = match std::fs::read_to_string(git_dir.join("commondir")) {
        Ok(text) => git_dir.join(text.trim()),
        Err(_) => git_dir.clone(),
    };
    let head_path = git_dir.join("HEAD");
    watch(&head_path);
    let head = std::fs::read_to_string(&head_path).ok()?;
    let head = head.trim();
    let Some(name) = head.strip_prefix("ref:").map(str::trim) else {
        return is_id(head).then(|| head.to_string()); // detached
    };
    for base in [&git_dir, &common] {
        let loose = base.join(name);
        if loose.is_file() {
            watch(&loose);
            let id = std::fs::read_to_string(&loose).ok()?;
            return is_id(id.trim()).then(|| id.trim().to_string());
        }
    }
    // Not loose: packed. A commit writes the loose file later, in the
    // ref's folder, so watch that folder too.
    if let Some(folder) = common.join(name).parent().filter(|f| f.is_dir()) {
        watch(folder);
    }
    let packed = common.join("packed-refs");
    watch(&packed);
    let text = std::fs::read_to_string(&packed).ok()?;
    text.lines().find_map(|line| {
        let (id, refname) = line.split_once(' ')?;
        (refname.trim() == name && is_id(id)).then(|| id.to_string())
    })
}

/// Asks cargo to run this script again when `path` changes (only paths that
/// exist: a missing one would rebuild on every run).
fn watch(path: &Path) {
    if path.exists() {
        println!("cargo::rerun-if-changed={}", path.display());
    }
}

fn is_id(text: &str) -> bool {
    (40..=64).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit())
}
