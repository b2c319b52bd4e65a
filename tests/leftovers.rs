//! Issue 22, point 3: what a killed process leaves. A `build` killed while
//! an output waits in its staging folder (`kill -9`) keeps the previous
//! outputs whole, and the next build removes the staging folder; an
//! `import` interrupted by Ctrl-C leaves its staging folder, which the
//! next import beside it removes. The runs stop at a known moment through
//! the test hook `OUVRAGE_BUILD_HOLD`, never by timing.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use common::*;

/// Every hidden entry below `dir` (staging names all start with a dot).
fn hidden(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                found.push(path.clone());
            }
            if path.is_dir() {
                folders.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Starts `ouvrage ARGS` in `dir` with the hook folder `hooks`.
fn start_held(dir: &Path, args: &[&str], hooks: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_ouvrage"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env(ouvrage::atomic::HOLD_VARIABLE, hooks)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Waits for the process to reach the hold `what` (it writes `held-what`).
fn wait_held(child: &mut Child, hooks: &Path, what: &str) {
    let held = hooks.join(format!("held-{what}"));
    while !held.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the process ended ({status}) before holding at {what}");
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

#[test]
fn a_build_killed_mid_way_keeps_the_outputs_and_the_next_build_leaves_nothing_behind() {
    let (tmp, book) = fixture("features");
    ok(&book, &["build"]);
    let out = book.join("_book");
    let pdf_name = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with(".pdf"))
        .unwrap();
    let pdf_before = std::fs::read(out.join(&pdf_name)).unwrap();
    let index_before = std::fs::read(out.join("html/index.html")).unwrap();
    assert_eq!(hidden(&out), Vec::<PathBuf>::new());

    // An edit, then a build killed once its new PDF waits in the staging
    // folder, before it replaces the previous one.
    common::edit(
        book.join("chapters/01-premier.md"),
        "title: \"Le premier chapitre\"",
        "title: \"Le premier chapitre, revu\"",
    );
    let hooks = tmp.path().join("hooks");
    std::fs::create_dir(&hooks).unwrap();
    std::fs::write(hooks.join(format!("hold-{pdf_name}")), "").unwrap();
    let mut build = start_held(&book, &["build"], &hooks);
    wait_held(&mut build, &hooks, &pdf_name);
    let pid = build.id();
    build.kill().unwrap(); // SIGKILL: nothing of the process runs after it.
    build.wait().unwrap();

    // Left behind: the staging folder named for the killed process, with
    // the new PDF in it. The outputs are the previous ones, whole.
    let staging = out.join(format!(".{pdf_name}.new-{pid}-0"));
    assert_eq!(hidden(&out), std::slice::from_ref(&staging));
    assert!(staging.join(&pdf_name).is_file());
    assert!(std::fs::read(out.join(&pdf_name)).unwrap() == pdf_before);
    assert!(std::fs::read(out.join("html/index.html")).unwrap() == index_before);

    // The next build removes it, and leaves nothing of its own.
    ok(&book, &["build"]);
    assert_eq!(hidden(&out), Vec::<PathBuf>::new());
    assert!(std::fs::read(out.join(&pdf_name)).unwrap() != pdf_before);
    let index = std::fs::read_to_string(out.join("html/index.html")).unwrap();
    assert!(index.contains("Le premier chapitre, revu"), "{index}");
}

#[test]
fn a_build_leaves_the_staging_of_a_running_build_alone() {
    let (tmp, book) = fixture("minimal");
    ok(&book, &["build", "--html"]);
    // A build holding its site in the staging folder, and a second build
    // meanwhile: the second removes nothing of the first, which then
    // finishes its site.
    let hooks = tmp.path().join("hooks");
    std::fs::create_dir(&hooks).unwrap();
    std::fs::write(hooks.join("hold-html"), "").unwrap();
    let mut first = start_held(&book, &["build", "--html"], &hooks);
    wait_held(&mut first, &hooks, "html");
    let staging = hidden(&book.join("_book"));
    assert_eq!(staging.len(), 1, "{staging:?}");
    ok(&book, &["build", "--pdf"]);
    assert!(
        staging[0].is_dir(),
        "the running build's staging folder stays"
    );
    std::fs::remove_file(hooks.join("hold-html")).unwrap();
    assert!(first.wait().unwrap().success());
    assert_eq!(hidden(&book.join("_book")), Vec::<PathBuf>::new());
}

#[cfg(unix)]
#[test]
fn an_import_interrupted_by_ctrl_c_leaves_nothing_after_the_next_import() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    std::fs::create_dir(&work).unwrap();
    std::fs::write(
        work.join("intro.md"),
        "---\ntitle: Introduction\nlang: fr\n---\n\nUn texte.\n",
    )
    .unwrap();
    let hooks = tmp.path().join("hooks");
    std::fs::create_dir(&hooks).unwrap();
    std::fs::write(hooks.join("hold-import"), "").unwrap();
    let mut import = start_held(
        &work,
        &["import", "pandoc", "intro.md", "--into", "livre"],
        &hooks,
    );
    wait_held(&mut import, &hooks, "import");
    let pid = import.id();
    // Ctrl-C: SIGINT to the process, which has no handler for it.
    // SAFETY: kill(2) on a child of ours.
    assert_eq!(unsafe { libc::kill(pid as libc::pid_t, libc::SIGINT) }, 0);
    let status = import.wait().unwrap();
    assert!(!status.success());
    assert!(!work.join("livre").exists(), "nothing imported");
    let left = hidden(&work);
    assert_eq!(
        left.iter()
            .map(|p| p.strip_prefix(&work).unwrap().display().to_string())
            .filter(|p| !p.contains('/'))
            .collect::<Vec<_>>(),
        [format!(".livre.new-{pid}-0")]
    );

    // The next import beside it removes it.
    ok(&work, &["import", "pandoc", "intro.md", "--into", "livre2"]);
    let beside: Vec<PathBuf> = hidden(&work)
        .into_iter()
        .filter(|p| p.parent() == Some(work.as_path()))
        .collect();
    assert_eq!(beside, Vec::<PathBuf>::new());
    assert!(work.join("livre2/book.toml").is_file());
}
