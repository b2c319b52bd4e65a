//! Review state against the real programs (ignored: they need `git` and
//! `ssh-keygen`, from Debian's git and openssh-client, which `.ci/run`
//! installs): keys made by `ssh-keygen`, commits signed by `git commit -S`,
//! an event signed through `ssh-agent`, shallow and partial clones made by
//! `git clone`, and trailers as `git interpret-trailers` reads them. Each
//! fails with a clear message when a program is missing.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

fn need(program: &str) {
    let found = Command::new(program)
        .arg("--version")
        .output()
        .or_else(|_| Command::new(program).arg("-?").output())
        .is_ok();
    assert!(
        found,
        "`{program}` is not installed: this conformance test needs it (apt-get install {})",
        if program == "git" {
            "git"
        } else {
            "openssh-client"
        }
    );
}

/// Runs `git args` in `dir` as `who`; panics with its output on failure.
fn git(dir: &Path, who: &str, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", &format!("user.name={who}")])
        .args(["-c", &format!("user.email={who}@example.org")])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "protocol.file.allow=always",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .unwrap();
    let (o, e) = text(&out);
    assert!(out.status.success(), "git {args:?}: {o}{e}");
    o
}

/// A bare remote in a temporary folder seeded with the `features` fixture,
/// `prepare` applied to the seed first.
fn remote(prepare: impl FnOnce(&Path)) -> (tempfile::TempDir, PathBuf) {
    need("git");
    let tmp = tempfile::tempdir().unwrap();
    let seed = tmp.path().join("seed");
    copy_dir(&repo_root().join("tests/fixtures/features"), &seed);
    std::fs::write(seed.join(".gitignore"), "_book/\n").unwrap();
    prepare(&seed);
    git(&seed, "ed", &["init", "-q"]);
    git(&seed, "ed", &["add", "-A"]);
    git(&seed, "ed", &["commit", "-qm", "initial manuscript"]);
    let bare = tmp.path().join("remote.git");
    git(
        tmp.path(),
        "ed",
        &["clone", "-q", "--bare", "seed", "remote.git"],
    );
    git(&bare, "ed", &["config", "uploadpack.allowFilter", "true"]);
    (tmp, bare)
}

/// `git clone [extra] file://bare dir`, with `who` as the clone's identity.
fn clone(bare: &Path, dir: &Path, who: &str, extra: &[&str]) {
    let url = format!("file://{}", bare.display());
    let mut args = vec!["clone", "-q"];
    args.extend_from_slice(extra);
    args.push(&url);
    let target = dir.to_string_lossy().into_owned();
    args.push(&target);
    git(bare.parent().unwrap(), who, &args);
    git(dir, who, &["config", "user.name", who]);
    git(
        dir,
        who,
        &["config", "user.email", &format!("{who}@example.org")],
    );
}

/// `status --format json`, read from stdout alone: warnings (a reviewer
/// without the role, a signature that does not verify) go to stderr.
fn status(dir: &Path) -> serde_json::Value {
    let out = ouvrage(dir, &["status", "--format", "json"]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"))
}

fn chapter(dir: &Path, id: &str) -> serde_json::Value {
    status(dir)["chapters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .cloned()
        .unwrap()
}

fn ssh_keygen(path: &Path) -> String {
    need("ssh-keygen");
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "test", "-f"])
        .arg(path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    std::fs::read_to_string(path.with_extension("pub"))
        .unwrap()
        .trim()
        .to_string()
}

fn add_to_contributor(root: &Path, id: &str, line: &str) {
    let path = root.join("contributors.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let header = format!("[{id}]\n");
    std::fs::write(
        &path,
        text.replacen(&header, &format!("{header}{line}\n"), 1),
    )
    .unwrap();
}

#[test]
#[ignore = "needs git and ssh-keygen (.ci/run installs them)"]
fn keys_from_ssh_keygen_and_commits_signed_by_git_verify() {
    need("git");
    let keys = tempfile::tempdir().unwrap();
    let bo_public = ssh_keygen(&keys.path().join("bo"));
    let mallory_public = ssh_keygen(&keys.path().join("mallory"));
    let (tmp, bare) = remote(|seed| {
        add_to_contributor(seed, "bo", &format!("signing-keys = [\"{bo_public}\"]"));
    });
    let ana = tmp.path().join("ana");
    clone(&bare, &ana, "ana", &[]);
    ok(&ana, &["submit", "premier"]);
    git(&ana, "ana", &["push", "-q", "origin", "main"]);
    let revision = chapter(&ana, "premier")["revision"]
        .as_str()
        .unwrap()
        .to_string();
    let message = format!(
        "review(premier): approved\n\nOuvrage-Chapter: premier\nOuvrage-Event: approved\nOuvrage-Revision: {revision}\n"
    );

    // Bo signs with `git commit -S` (git runs ssh-keygen): it counts.
    let bo = tmp.path().join("bo");
    clone(&bare, &bo, "bo", &[]);
    let key = keys.path().join("bo").to_string_lossy().into_owned();
    git(&bo, "bo", &["config", "gpg.format", "ssh"]);
    git(&bo, "bo", &["config", "user.signingkey", &key]);
    git(
        &bo,
        "bo",
        &["commit", "-q", "--allow-empty", "-S", "-m", &message],
    );
    let premier = chapter(&bo, "premier");
    assert_eq!(premier["state"], "approved", "{premier:#}");
    assert_eq!(premier["reviews"][0]["signature"], "verified");

    // Mallory signs Bo's approval with her own key: it does not.
    let mallory = tmp.path().join("mallory");
    clone(&bare, &mallory, "bo", &[]);
    let key = keys.path().join("mallory").to_string_lossy().into_owned();
    git(&mallory, "bo", &["config", "gpg.format", "ssh"]);
    git(&mallory, "bo", &["config", "user.signingkey", &key]);
    git(
        &mallory,
        "bo",
        &["commit", "-q", "--allow-empty", "-S", "-m", &message],
    );
    let premier = chapter(&mallory, "premier");
    assert_eq!(premier["state"], "in-review", "{premier:#}");
    let why = premier["unverified"][0]["why"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(why.contains("not one of bo's signing keys"), "{why}");
    let _ = mallory_public;

    // ouvrage signs through the agent (a `key::` literal), as git would.
    need("ssh-agent");
    let socket = keys.path().join("agent.sock");
    let agent = Command::new("ssh-agent")
        .arg("-a")
        .arg(&socket)
        .output()
        .unwrap();
    let agent_out = String::from_utf8_lossy(&agent.stdout).into_owned();
    let pid: String = agent_out
        .split("SSH_AGENT_PID=")
        .nth(1)
        .and_then(|r| r.split(';').next())
        .unwrap_or_default()
        .to_string();
    let added = Command::new("ssh-add")
        .arg("-q")
        .arg(keys.path().join("bo"))
        .env("SSH_AUTH_SOCK", &socket)
        .output()
        .unwrap();
    assert!(added.status.success(), "{:?}", text(&added));
    let agent_user = tmp.path().join("bo2");
    clone(&bare, &agent_user, "bo", &[]);
    git(&agent_user, "bo", &["config", "gpg.format", "ssh"]);
    git(
        &agent_user,
        "bo",
        &["config", "user.signingkey", &format!("key::{bo_public}")],
    );
    let out = Command::new(env!("CARGO_BIN_EXE_ouvrage"))
        .args(["review", "premier", "--approve"])
        .current_dir(&agent_user)
        .env("SSH_AUTH_SOCK", &socket)
        .output()
        .unwrap();
    if !pid.is_empty() {
        let _ = Command::new("kill").arg(&pid).status();
    }
    let (o, e) = text(&out);
    assert!(out.status.success(), "{o}{e}");
    assert!(
        e.contains("signed with SHA256:") || o.contains("signed with SHA256:"),
        "{o}{e}"
    );
    let premier = chapter(&agent_user, "premier");
    assert_eq!(premier["state"], "approved", "{premier:#}");
    // And git itself accepts ouvrage's signature.
    let allowed = keys.path().join("allowed");
    std::fs::write(&allowed, format!("bo@example.org {bo_public}\n")).unwrap();
    git(
        &agent_user,
        "bo",
        &[
            "-c",
            &format!("gpg.ssh.allowedSignersFile={}", allowed.display()),
            "verify-commit",
            "HEAD",
        ],
    );
}

#[test]
#[ignore = "needs git (.ci/run installs it)"]
fn a_real_shallow_clone_then_unshallowed() {
    let (tmp, bare) = remote(|_| {});
    let ana = tmp.path().join("ana");
    clone(&bare, &ana, "ana", &[]);
    ok(&ana, &["submit", "premier"]);
    git(&ana, "ana", &["push", "-q", "origin", "main"]);
    let bo = tmp.path().join("bo");
    clone(&bare, &bo, "bo", &[]);
    ok(&bo, &["review", "premier", "--approve"]);
    std::fs::write(
        bo.join("chapters/02-second.md"),
        std::fs::read_to_string(bo.join("chapters/02-second.md")).unwrap() + "\nAjout.\n",
    )
    .unwrap();
    git(&bo, "bo", &["commit", "-qam", "second"]);
    git(&bo, "bo", &["push", "-q", "origin", "main"]);

    let ci = tmp.path().join("ci");
    clone(&bare, &ci, "ed", &["--depth", "1"]);
    let shallow = status(&ci);
    assert_eq!(shallow["complete_history"], false);
    assert_eq!(shallow["warnings"][0]["kind"], "shallow-history");
    let out = ouvrage(&ci, &["check", "--require-approved"]);
    let (o, e) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!((o.clone() + &e).contains("git fetch --unshallow"), "{o}{e}");
    git(&ci, "ed", &["fetch", "-q", "--unshallow"]);
    let full = status(&ci);
    assert_eq!(full["complete_history"], true);
    assert_eq!(chapter(&ci, "premier")["state"], "approved");
    // The gate judges again: premier passes, the chapters never submitted do not.
    let out = ouvrage(&ci, &["check", "--require-approved"]);
    let (o, e) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        !e.contains("shallow") && !e.contains("`premier`") && e.contains("`second` is draft"),
        "{o}{e}"
    );
}

#[test]
#[ignore = "needs git (.ci/run installs it)"]
fn partial_clones_name_the_missing_object_and_the_fix() {
    let (tmp, bare) = remote(|_| {});
    let ana = tmp.path().join("ana");
    clone(&bare, &ana, "ana", &[]);
    for n in 0..2 {
        let path = ana.join("chapters/01-premier.md");
        std::fs::write(
            &path,
            std::fs::read_to_string(&path).unwrap() + &format!("\nAjout {n}.\n"),
        )
        .unwrap();
        git(&ana, "ana", &["commit", "-qam", "premier"]);
    }
    git(&ana, "ana", &["push", "-q", "origin", "main"]);
    for (filter, args) in [
        ("blob:none", &["contributors"][..]),
        ("tree:0", &["status"][..]),
    ] {
        let dir = tmp.path().join(filter.replace(':', "-"));
        clone(&bare, &dir, "ed", &[&format!("--filter={filter}")]);
        let out = ouvrage(&dir, args);
        let (o, e) = text(&out);
        assert_eq!(out.status.code(), Some(1), "{filter}: {o}{e}");
        assert!(
            e.contains("is missing: this is a partial clone"),
            "{filter}: {e}"
        );
        assert!(e.contains("git fetch --refetch origin"), "{filter}: {e}");
        // The fix works.
        git(
            &dir,
            "ed",
            &["config", "--unset", "remote.origin.partialclonefilter"],
        );
        git(&dir, "ed", &["fetch", "-q", "--refetch", "origin"]);
        ok(&dir, args);
    }
}

#[test]
#[ignore = "needs git (.ci/run installs it)"]
fn trailers_are_read_as_git_interpret_trailers_reads_them() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    need("git");
    let tmp = tempfile::tempdir().unwrap();
    let token = prop_oneof![
        Just("Ouvrage-Event".to_string()),
        Just("Signed-off-by".to_string()),
        "[A-Z][a-z]{0,5}(-[a-z]{1,4})?",
    ];
    let line = prop_oneof![
        3 => (token.clone(), "[a-z0-9]{1,8}").prop_map(|(k, v)| format!("{k}: {v}")),
        1 => (token.clone(), "[a-z0-9]{1,8}").prop_map(|(k, v)| format!("    {k}: {v}")),
        1 => (token.clone(), "[a-z0-9]{1,8}").prop_map(|(k, v)| format!("> {k}: {v}")),
        1 => (token, "[a-z0-9]{1,8}").prop_map(|(k, v)| format!("{k} : {v}")),
        1 => "  [a-z]{1,8}",
        2 => "[A-Za-z][a-z]{0,8}( [a-z]{1,8}){0,3}",
    ];
    let message = (
        "[A-Z][a-z]{1,8}",
        prop::collection::vec(prop::collection::vec(line, 1..5), 0..4),
    )
        .prop_map(|(title, paragraphs)| {
            let mut m = title + "\n";
            for p in paragraphs {
                m.push('\n');
                for l in p {
                    m.push_str(&l);
                    m.push('\n');
                }
            }
            m
        });
    let mut runner = TestRunner::new(Config {
        cases: 150,
        ..Config::default()
    });
    runner
        .run(&message, |message| {
            let file = tmp.path().join("message");
            std::fs::write(&file, &message).unwrap();
            let out = Command::new("git")
                .args(["interpret-trailers", "--parse", "--no-divider"])
                .arg(&file)
                .output()
                .unwrap();
            let theirs: Vec<String> = String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(str::to_string)
                .collect();
            let ours: Vec<String> = ouvrage::review::trailers::trailers(&message)
                .into_iter()
                .map(|t| format!("{}: {}", t.key, t.value))
                .collect();
            prop_assert_eq!(ours, theirs, "{:?}", message);
            Ok(())
        })
        .unwrap();
}

#[test]
#[ignore = "needs git and gpg (.ci/run installs them)"]
fn openpgp_signatures_made_by_gpg_verify_in_process() {
    need("git");
    need("gpg");
    let home = tempfile::tempdir().unwrap();
    let gnupg = home.path().join("gnupg");
    std::fs::create_dir_all(&gnupg).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&gnupg, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let gpg = |args: &[&str]| {
        let out = Command::new("gpg")
            .args(["--batch", "--pinentry-mode", "loopback", "--passphrase", ""])
            .args(args)
            .env("GNUPGHOME", &gnupg)
            .output()
            .unwrap();
        assert!(out.status.success(), "gpg {args:?}: {:?}", text(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    gpg(&[
        "--quick-gen-key",
        "Bo <bo@example.org>",
        "ed25519",
        "sign",
        "never",
    ]);
    let fingerprint = gpg(&["--with-colons", "--list-keys", "bo@example.org"])
        .lines()
        .find_map(|l| {
            l.strip_prefix("fpr:")
                .map(|r| r.trim_matches(':').to_string())
        })
        .unwrap();
    let certificate = gpg(&["--export", "--armor", "bo@example.org"]);
    let (tmp, bare) = remote(|seed| {
        add_to_contributor(seed, "bo", &format!("signing-keys = [\"{fingerprint}\"]"));
        std::fs::create_dir_all(seed.join("keys")).unwrap();
        std::fs::write(seed.join("keys/bo.asc"), &certificate).unwrap();
    });
    let ana = tmp.path().join("ana");
    clone(&bare, &ana, "ana", &[]);
    ok(&ana, &["check"]);
    ok(&ana, &["submit", "premier"]);
    git(&ana, "ana", &["push", "-q", "origin", "main"]);
    // ouvrage asks gpg for the signature, as git would, and checks it itself.
    let bo = tmp.path().join("bo");
    clone(&bare, &bo, "bo", &[]);
    git(&bo, "bo", &["config", "user.signingkey", &fingerprint]);
    let out = Command::new(env!("CARGO_BIN_EXE_ouvrage"))
        .args(["review", "premier", "--approve"])
        .current_dir(&bo)
        .env("GNUPGHOME", &gnupg)
        .output()
        .unwrap();
    let (o, e) = text(&out);
    assert!(out.status.success(), "{o}{e}");
    assert!(
        (o.clone() + &e).contains(&format!("signed with {fingerprint}")),
        "{o}{e}"
    );
    let premier = chapter(&bo, "premier");
    assert_eq!(premier["state"], "approved", "{premier:#}");
    assert_eq!(premier["reviews"][0]["signer_key"], fingerprint.as_str());
    // Ana's hand-written approval in Bo's name, unsigned, counts for nothing.
    let revision = premier["revision"].as_str().unwrap().to_string();
    let message = format!(
        "review(premier): approved\n\nOuvrage-Chapter: premier\nOuvrage-Event: approved\nOuvrage-Revision: {revision}\n"
    );
    git(
        &ana,
        "bo",
        &["commit", "-q", "--allow-empty", "-m", &message],
    );
    let forged = chapter(&ana, "premier");
    assert_eq!(forged["state"], "in-review", "{forged:#}");
    assert_eq!(
        forged["unverified"][0]["why"],
        "unsigned, and bo lists signing keys"
    );
}
