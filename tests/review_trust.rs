//! Review state that cannot be forged or lost (issue 25), scripted as a
//! group would work: a bare remote in a temporary folder and one clone per
//! person, through libgit2. Signed events (SSH keys made with the ssh-key
//! crate, OpenPGP keys with pgp: no external program), the committed
//! .mailmap, trailers in squash messages, amended events, the history
//! cache across a deepened shallow clone, partial and empty repositories,
//! roles, blocking change requests and withdrawals.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use git2::{Repository, Signature};

fn email(who: &str) -> String {
    format!("{who}@example.org")
}

/// A bare remote seeded with the `features` fixture (committed by `ed`).
struct Remote {
    tmp: tempfile::TempDir,
    bare: PathBuf,
}

impl Remote {
    fn new() -> Remote {
        Remote::with(|_| {})
    }

    /// The same, after `prepare` changed the seed's files.
    fn with(prepare: impl FnOnce(&Path)) -> Remote {
        let tmp = tempfile::tempdir().unwrap();
        let seed = tmp.path().join("seed");
        copy_dir(&repo_root().join("tests/fixtures/features"), &seed);
        std::fs::write(seed.join(".gitignore"), "_book/\n").unwrap();
        prepare(&seed);
        let repo = Repository::init(&seed).unwrap();
        commit_all(&repo, "ed", &email("ed"), "initial manuscript");
        let bare = tmp.path().join("remote.git");
        Repository::init_bare(&bare).unwrap();
        let branch = repo.head().unwrap().name().unwrap().to_string();
        let mut remote = repo.remote("origin", bare.to_str().unwrap()).unwrap();
        remote
            .push(&[format!("{branch}:refs/heads/main")], None)
            .unwrap();
        let bare_repo = Repository::open_bare(&bare).unwrap();
        bare_repo.set_head("refs/heads/main").unwrap();
        Remote { tmp, bare }
    }

    /// A clone of the remote for `who`, with their git identity.
    fn clone(&self, who: &str) -> Person {
        let root = self.tmp.path().join(who);
        let repo = Repository::clone(self.bare.to_str().unwrap(), &root).unwrap();
        let mut config = repo.config().unwrap();
        config.set_str("user.name", who).unwrap();
        config.set_str("user.email", &email(who)).unwrap();
        Person {
            who: who.to_string(),
            root,
            repo,
        }
    }
}

/// One person's clone.
struct Person {
    who: String,
    root: PathBuf,
    repo: Repository,
}

impl Person {
    fn run(&self, args: &[&str]) -> std::process::Output {
        ouvrage(&self.root, args)
    }

    fn ok(&self, args: &[&str]) -> String {
        ok(&self.root, args)
    }

    /// Exit code and everything printed.
    fn fails(&self, args: &[&str]) -> (Option<i32>, String) {
        let out = self.run(args);
        let (o, e) = text(&out);
        (out.status.code(), o + &e)
    }

    fn status(&self) -> serde_json::Value {
        let out = self.run(&["status", "--format", "json"]);
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{stderr}");
        let status: serde_json::Value =
            serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
        let schema: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(repo_root().join("schemas/status.schema.json")).unwrap(),
        )
        .unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&status)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}\n{status:#}");
        status
    }

    fn chapter(&self, id: &str) -> serde_json::Value {
        self.status()["chapters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .cloned()
            .unwrap()
    }

    fn state(&self, id: &str) -> String {
        self.chapter(id)["state"].as_str().unwrap().to_string()
    }

    fn commit_all(&self, message: &str) -> String {
        commit_all(&self.repo, &self.who, &email(&self.who), message)
    }

    fn head(&self) -> git2::Commit<'_> {
        self.repo.head().unwrap().peel_to_commit().unwrap()
    }

    /// An empty commit written by hand (`git commit --allow-empty`).
    fn empty_commit(&self, author_email: &str, message: &str) -> git2::Oid {
        let head = self.head();
        let sig = Signature::now("Someone", author_email).unwrap();
        self.repo
            .commit(
                Some("HEAD"),
                &sig,
                &sig,
                message,
                &head.tree().unwrap(),
                &[&head],
            )
            .unwrap()
    }

    fn push(&self) {
        let mut remote = self.repo.find_remote("origin").unwrap();
        remote
            .push(&["refs/heads/main:refs/heads/main"], None)
            .unwrap();
    }

    /// `git pull --ff-only`.
    fn pull(&self) {
        let mut remote = self.repo.find_remote("origin").unwrap();
        remote.fetch(&["main"], None, None).unwrap();
        let theirs = self
            .repo
            .find_reference("refs/remotes/origin/main")
            .unwrap()
            .target()
            .unwrap();
        self.repo
            .reference("refs/heads/main", theirs, true, "pull")
            .unwrap();
        self.repo
            .checkout_head(Some(git2::build::CheckoutBuilder::new().force()))
            .unwrap();
    }

    fn revision(&self, id: &str) -> String {
        self.chapter(id)["revision"].as_str().unwrap().to_string()
    }

    /// An SSH key for this person, written as an unencrypted OpenSSH private
    /// key file and set as their `user.signingkey` (`gpg.format = ssh`).
    /// Returns the public key line for contributors.toml.
    fn ssh_key(&self, seed: u8) -> String {
        let (pem, public) = ssh_pair(seed);
        let path = self.root.join(format!("../{}-key-{seed}", self.who));
        std::fs::write(&path, pem).unwrap();
        let mut config = self.repo.config().unwrap();
        config.set_str("gpg.format", "ssh").unwrap();
        config
            .set_str("user.signingkey", path.to_str().unwrap())
            .unwrap();
        public
    }
}

fn ssh_pair(seed: u8) -> (String, String) {
    use ssh_key::private::{Ed25519Keypair, KeypairData};
    let key = ssh_key::PrivateKey::new(
        KeypairData::Ed25519(Ed25519Keypair::from_seed(&[seed; 32])),
        format!("key{seed}"),
    )
    .unwrap();
    (
        key.to_openssh(ssh_key::LineEnding::LF).unwrap().to_string(),
        key.public_key().to_openssh().unwrap(),
    )
}

/// Adds `line` to a contributor's table in contributors.toml.
fn add_to_contributor(root: &Path, id: &str, line: &str) {
    let path = root.join("contributors.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let header = format!("[{id}]\n");
    assert!(text.contains(&header));
    std::fs::write(
        &path,
        text.replacen(&header, &format!("{header}{line}\n"), 1),
    )
    .unwrap();
}

const PREMIER: &str = "chapters/01-premier.md";

/// Appends `text` to a file.
fn append(path: impl AsRef<Path>, text: &str) {
    let path = path.as_ref();
    let old = std::fs::read_to_string(path).unwrap();
    std::fs::write(path, old + text).unwrap();
}

fn forged_message(chapter: &str, event: &str, revision: &str) -> String {
    format!(
        "review({chapter}): {event}\n\nOuvrage-Chapter: {chapter}\nOuvrage-Event: {event}\nOuvrage-Revision: {revision}\n"
    )
}

#[test]
fn a_signed_approval_counts_and_a_forged_or_wrongly_signed_one_does_not() {
    // Bo lists his SSH key; everyone else signs nothing.
    let (_, bo_public) = ssh_pair(1);
    let remote = Remote::with(|seed| {
        add_to_contributor(seed, "bo", &format!("signing-keys = [\"{bo_public}\"]"));
    });
    let ana = remote.clone("ana");
    ana.ok(&["submit", "premier"]);
    ana.push();
    let revision = ana.revision("premier");

    // Ana forges Bo's approval: his name and email on a plain commit, and
    // `git -c user.email=bo@… ouvrage review` (refused: no key of Bo's).
    ana.empty_commit(
        &email("bo"),
        &forged_message("premier", "approved", &revision),
    );
    let mut config = ana.repo.config().unwrap();
    config.set_str("user.email", &email("bo")).unwrap();
    let (code, out) = ana.fails(&["review", "premier", "--approve"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("bo lists signing-keys, but git has no user.signingkey"),
        "{out}"
    );
    // With a key of her own in Bo's name: the signature would not count.
    ana.ssh_key(9);
    let (code, out) = ana.fails(&["review", "premier", "--approve"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("would not count") && out.contains("not one of your signing-keys"),
        "{out}"
    );
    ana.ok(&["review", "premier", "--approve", "--force"]);
    let premier = ana.chapter("premier");
    assert_eq!(premier["state"], "in-review", "{premier:#}");
    let whys: Vec<&str> = premier["unverified"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["why"].as_str().unwrap())
        .collect();
    assert_eq!(whys.len(), 2, "{whys:?}");
    assert_eq!(whys[0], "unsigned, and bo lists signing keys");
    assert!(
        whys[1].contains("which is not one of bo's signing keys"),
        "{whys:?}"
    );
    assert_eq!(premier["unverified"][1]["signature"], "unverified");
    ana.push();

    // Bo, in his own clone, with his key: the approval counts, signed.
    let bo = remote.clone("bo");
    bo.ssh_key(1);
    let out = bo.ok(&["review", "premier", "--approve"]);
    assert!(out.contains("signed with SHA256:"), "{out}");
    bo.push();
    let ed = remote.clone("ed");
    let premier = ed.chapter("premier");
    assert_eq!(premier["state"], "approved", "{premier:#}");
    let review = &premier["reviews"][0];
    assert_eq!(review["signature"], "verified");
    assert!(
        review["signer_key"]
            .as_str()
            .unwrap()
            .starts_with("SHA256:")
    );
    assert_eq!(review["committer"]["email"], "bo@example.org");
    let submitted = &premier["events"][0];
    assert_eq!(submitted["event"], "submitted");
    assert_eq!(submitted["signature"], "unsigned");
    assert!(ed.ok(&["status"]).contains("bo ✓ (signed)"));

    // The signed commit, changed after signing (rewritten with another
    // message but the same signature), counts for nothing.
    let signed = ed.head();
    let (sig, payload) = ed.repo.extract_signature(&signed.id(), None).unwrap();
    let tampered = String::from_utf8_lossy(&payload).replace(
        "review(premier): approved\n",
        "review(premier): approved\n\nEt aussi le second.\n",
    );
    let id = ed
        .repo
        .commit_signed(&tampered, sig.as_str().unwrap(), Some("gpgsig"))
        .unwrap();
    ed.repo
        .reference("refs/heads/main", id, true, "tamper")
        .unwrap();
    let premier = ed.chapter("premier");
    assert_eq!(premier["state"], "in-review", "{premier:#}");
    let last = premier["unverified"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert!(
        last["why"]
            .as_str()
            .unwrap()
            .contains("does not match the commit"),
        "{last:#}"
    );
}

#[test]
fn required_signatures_leave_keyless_contributors_without_a_voice() {
    let (_, bo_public) = ssh_pair(2);
    let remote = Remote::with(|seed| {
        add_to_contributor(seed, "bo", &format!("signing-keys = [\"{bo_public}\"]"));
        let toml = seed.join("book.toml");
        let text =
            std::fs::read_to_string(&toml).unwrap() + "\n[review]\nsignatures = \"required\"\n";
        std::fs::write(toml, text).unwrap();
    });
    let ana = remote.clone("ana");
    // check says so at each keyless contributor's entry.
    let (code, out) = ana.fails(&["check", "--color", "never"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("contributors.toml:1:2") && out.contains("`ed` lists no signing-keys"),
        "{out}"
    );
    assert!(out.contains("`ana` lists no signing-keys"), "{out}");
    assert!(!out.contains("`bo` lists no"), "{out}");
    // Ana cannot submit in a way that counts; forced, it counts for nothing.
    let (code, out) = ana.fails(&["submit", "premier", "--color", "never"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("signatures are required") && out.contains("contributors.toml:7:2"),
        "{out}"
    );
    ana.ok(&["submit", "premier", "--force"]);
    let premier = ana.chapter("premier");
    assert_eq!(premier["state"], "draft");
    assert_eq!(
        premier["unverified"][0]["why"],
        "unsigned, and signatures are required"
    );
}

#[test]
fn an_openpgp_signature_counts_with_the_committed_certificate() {
    use pgp::composed::{
        ArmorOptions, Deserializable, DetachedSignature, KeyType, SecretKeyParamsBuilder,
    };
    use pgp::types::{KeyDetails, Password};
    use rand_chacha::rand_core::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let key = SecretKeyParamsBuilder::default()
        .key_type(KeyType::Ed25519)
        .can_certify(true)
        .can_sign(true)
        .primary_user_id("Bo <bo@example.org>".into())
        .build()
        .unwrap()
        .generate(&mut rng)
        .unwrap();
    let public = key.to_public_key();
    let fingerprint = format!("{:X}", public.fingerprint());
    let armored = public.to_armored_string(ArmorOptions::default()).unwrap();
    let remote = Remote::with(|seed| {
        add_to_contributor(seed, "bo", &format!("signing-keys = [\"{fingerprint}\"]"));
    });
    let ana = remote.clone("ana");
    ana.ok(&["submit", "premier"]);
    // The certificate is not committed yet: check says where it must be.
    let (code, out) = ana.fails(&["check", "--color", "never"]);
    assert_eq!(code, Some(1));
    assert!(
        out.contains("is not in the book's committed keys/ folder"),
        "{out}"
    );
    std::fs::create_dir_all(ana.root.join("keys")).unwrap();
    std::fs::write(ana.root.join("keys/bo.asc"), &armored).unwrap();
    ana.commit_all("keys: Bo's certificate");
    ana.ok(&["check"]);
    // Bo's approval, signed as `git commit -S` with gpg would sign it.
    let revision = ana.revision("premier");
    let head = ana.head();
    let sig = Signature::now("bo", &email("bo")).unwrap();
    let buffer = ana
        .repo
        .commit_create_buffer(
            &sig,
            &sig,
            &forged_message("premier", "approved", &revision),
            &head.tree().unwrap(),
            &[&head],
        )
        .unwrap();
    let detached = DetachedSignature::sign_binary_data(
        rand_chacha::ChaCha8Rng::seed_from_u64(4),
        &key.primary_key,
        &Password::empty(),
        pgp::crypto::hash::HashAlgorithm::Sha256,
        &buffer[..],
    )
    .unwrap()
    .to_armored_string(ArmorOptions::default())
    .unwrap();
    let id = ana
        .repo
        .commit_signed(buffer.as_str().unwrap(), &detached, Some("gpgsig"))
        .unwrap();
    ana.repo
        .reference("refs/heads/main", id, true, "signed")
        .unwrap();
    let premier = ana.chapter("premier");
    assert_eq!(premier["state"], "approved", "{premier:#}");
    assert_eq!(premier["reviews"][0]["signer_key"], fingerprint.as_str());
    let _ = DetachedSignature::from_armor_single(detached.as_bytes()).unwrap();
}

#[test]
fn the_mailmap_is_the_committed_one_and_cannot_turn_an_author_into_a_reviewer() {
    let remote = Remote::new();
    let ana = remote.clone("ana");
    ana.ok(&["submit", "premier"]);
    let revision = ana.revision("premier");
    // Ana approves her own chapter, with a .mailmap that says she is Bo.
    let mapping = "Bo Auteur <bo@example.org> <ana@example.org>\n";
    std::fs::write(ana.root.join(".mailmap"), mapping).unwrap();
    ana.empty_commit(
        &email("ana"),
        &forged_message("premier", "approved", &revision),
    );
    // Untracked: never read.
    assert_eq!(ana.state("premier"), "in-review");
    // Committed: the line is refused, in check at its line, in status as a warning.
    ana.commit_all("mailmap");
    let premier = ana.chapter("premier");
    assert_eq!(premier["state"], "in-review", "{premier:#}");
    assert_eq!(premier["unverified"][0]["email"], "ana@example.org");
    let status = ana.status();
    let warning = status["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["kind"] == "mailmap-conflict")
        .unwrap_or_else(|| panic!("{status:#}"))
        .clone();
    assert_eq!(warning["line"], 1);
    let (code, out) = ana.fails(&["check", "--color", "never"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains(".mailmap:1:1") && out.contains("resolve to bo"),
        "{out}"
    );
    assert!(
        out.contains("Bo Auteur <bo@example.org> <ana@example.org>"),
        "{out}"
    );
    // A harmless mapping (another address of Ana's) is honoured.
    std::fs::write(
        ana.root.join(".mailmap"),
        "Ana Autrice <ana@example.org> <ana@old.example>\n",
    )
    .unwrap();
    ana.commit_all("mailmap, fixed");
    ana.empty_commit(
        "ana@old.example",
        &forged_message("premier", "submitted", &revision),
    );
    let premier = ana.chapter("premier");
    assert_eq!(
        premier["events"].as_array().unwrap().len(),
        2,
        "{premier:#}"
    );
    ana.ok(&["check"]);
    // Two clones at the same HEAD agree, whatever their working trees hold.
    ana.push();
    let bo = remote.clone("bo");
    std::fs::write(bo.root.join(".mailmap"), mapping).unwrap();
    assert_eq!(
        bo.chapter("premier")["events"],
        ana.chapter("premier")["events"]
    );
}

/// A review branch holding Bo's approval alone, squashed onto main by Ed
/// (`git merge --squash`, `git commit --allow-empty --no-edit`).
#[test]
fn squashing_a_review_only_branch_hands_no_verdict_to_the_squasher() {
    let remote = Remote::new();
    let ana = remote.clone("ana");
    ana.ok(&["submit", "premier"]);
    ana.push();
    let bo = remote.clone("bo");
    let base = bo.head().id();
    bo.ok(&["review", "premier", "--approve"]);
    let approval = bo.head();
    let mut message = String::from("Squashed commit of the following:\n");
    message.push_str(&format!(
        "\ncommit {}\nAuthor: {}\n\n",
        approval.id(),
        approval.author()
    ));
    for line in approval.message().unwrap().lines() {
        message.push_str(&format!("    {line}\n").replace("    \n", "\n"));
    }
    // Ed squashes it onto main: an empty commit of his, the message quoting Bo's.
    let ed = remote.clone("ed");
    let head = ed.head();
    assert_eq!(head.id(), base);
    let sig = Signature::now("ed", &email("ed")).unwrap();
    let squash = ed
        .repo
        .commit(
            Some("HEAD"),
            &sig,
            &sig,
            &message,
            &head.tree().unwrap(),
            &[&head],
        )
        .unwrap();
    let status = ed.status();
    let premier = status["chapters"][1].clone();
    assert_eq!(premier["id"], "premier");
    assert_eq!(premier["state"], "in-review", "{premier:#}");
    assert_eq!(premier["reviews"], serde_json::json!([]));
    let warnings = status["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert_eq!(warnings[0]["kind"], "squashed-review-events");
    assert_eq!(warnings[0]["commit"], squash.to_string().as_str());
    // Recorded again after it, by Bo himself: the warning is gone.
    ed.push();
    bo.pull();
    bo.ok(&["review", "premier", "--approve"]);
    let status = bo.status();
    assert_eq!(status["warnings"], serde_json::json!([]), "{status:#}");
    assert_eq!(bo.state("premier"), "approved");
}

#[test]
fn an_amended_event_is_no_squash() {
    let remote = Remote::new();
    let ana = remote.clone("ana");
    ana.ok(&["submit", "premier"]);
    // `git commit -a --amend`: the submission now carries an edit.
    let event = ana.head();
    std::fs::write(
        ana.root.join(PREMIER),
        std::fs::read_to_string(ana.root.join(PREMIER)).unwrap() + "\nOubli.\n",
    )
    .unwrap();
    let mut index = ana.repo.index().unwrap();
    index.add_path(Path::new(PREMIER)).unwrap();
    index.write().unwrap();
    let tree = ana.repo.find_tree(index.write_tree().unwrap()).unwrap();
    let amended = event
        .amend(Some("HEAD"), None, None, None, None, Some(&tree))
        .unwrap();
    let status = ana.status();
    let warnings = status["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert_eq!(warnings[0]["kind"], "amended-review-event");
    assert_eq!(warnings[0]["commit"], amended.to_string().as_str());
    let message = warnings[0]["message"].as_str().unwrap();
    assert!(
        message.contains("also changes files") && !message.contains("squash"),
        "{message}"
    );
    assert_eq!(ana.state("premier"), "draft");
    ana.ok(&["submit", "premier"]);
    assert_eq!(ana.status()["warnings"], serde_json::json!([]));
}

#[test]
fn roles_are_checked_when_recording_and_when_counting() {
    let remote = Remote::with(|seed| {
        // Ana reviews her own chapter on paper; Ed reviews without the role.
        edit(
            seed.join(PREMIER),
            "reviewers: [bo]",
            "reviewers: [bo, ana, ed]",
        );
    });
    let ana = remote.clone("ana");
    ana.ok(&["submit", "premier"]);
    let (code, out) = ana.fails(&["review", "premier", "--approve"]);
    assert_eq!(code, Some(1));
    assert!(
        out.contains("an author cannot review their own chapter"),
        "{out}"
    );
    ana.push();
    let ed = remote.clone("ed");
    let (code, out) = ed.fails(&["review", "premier", "--approve", "--color", "never"]);
    assert_eq!(code, Some(1));
    assert!(
        out.contains("ed has not the reviewer role") && out.contains("contributors.toml:1:2"),
        "{out}"
    );
    // Written by hand, both count for nothing.
    let revision = ed.revision("premier");
    ed.empty_commit(
        &email("ed"),
        &forged_message("premier", "approved", &revision),
    );
    ed.empty_commit(
        &email("ana"),
        &forged_message("premier", "approved", &revision),
    );
    let premier = ed.chapter("premier");
    assert_eq!(premier["state"], "in-review");
    let whys: Vec<&str> = premier["unverified"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["why"].as_str().unwrap())
        .collect();
    assert_eq!(
        whys,
        [
            "has not the reviewer role in contributors.toml",
            "an author cannot review their own chapter"
        ]
    );
}

#[test]
fn a_change_request_blocks_another_reviewers_approval_until_withdrawn() {
    let remote = Remote::with(|seed| {
        edit(seed.join(PREMIER), "reviewers: [bo]", "reviewers: [bo, cy]");
        let contributors = seed.join("contributors.toml");
        let text = std::fs::read_to_string(&contributors).unwrap()
            + "\n[cy]\nname = \"Cy Relecteur\"\nemails = [\"cy@example.org\"]\nroles = [\"reviewer\"]\n";
        std::fs::write(contributors, text).unwrap();
    });
    let ana = remote.clone("ana");
    ana.ok(&["submit", "premier"]);
    ana.push();
    let bo = remote.clone("bo");
    bo.ok(&[
        "review",
        "premier",
        "--request-changes",
        "-m",
        "La section 2",
    ]);
    bo.push();
    let cy = remote.clone("cy");
    cy.ok(&["review", "premier", "--approve"]);
    cy.push();
    let premier = cy.chapter("premier");
    assert_eq!(premier["state"], "changes-requested", "{premier:#}");
    assert_eq!(premier["blocked_by"], serde_json::json!(["bo"]));
    let (code, out) = cy.fails(&["check", "--require-approved"]);
    assert_eq!(code, Some(1));
    assert!(out.contains("changes-requested"), "{out}");
    // Ana resubmits the same text: still held back, and the gate says by whom.
    ana.pull();
    ana.ok(&["submit", "premier"]);
    let (code, out) = ana.fails(&["check", "--require-approved"]);
    assert_eq!(code, Some(1));
    assert!(
        out.contains("waits for bo to approve or withdraw their change request"),
        "{out}"
    );
    ana.push();
    // Nothing to withdraw for Cy beyond his approval; Bo withdraws his request.
    bo.pull();
    bo.ok(&["review", "premier", "--withdraw"]);
    assert_eq!(bo.state("premier"), "approved");
    let (code, out) = bo.fails(&["review", "premier", "--withdraw"]);
    assert_eq!(code, Some(1));
    assert!(
        out.contains("no approval or change request on `premier` to withdraw"),
        "{out}"
    );
    // Withdrawing an approval takes it back.
    bo.push();
    cy.pull();
    cy.ok(&["review", "premier", "--withdraw"]);
    assert_eq!(cy.state("premier"), "in-review");
    let reviewed = cy.status()["contributors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "cy")
        .unwrap()["to_review"]
        .clone();
    assert_eq!(reviewed, serde_json::json!(["premier"]));
}

#[test]
fn advisory_change_requests_keep_the_old_rule() {
    let remote = Remote::with(|seed| {
        edit(
            seed.join(PREMIER),
            "reviewers: [bo]",
            "reviewers: [bo, ana2]",
        );
        let toml = seed.join("book.toml");
        let text = std::fs::read_to_string(&toml).unwrap()
            + "\n[review]\nchange-requests = \"advisory\"\n";
        std::fs::write(toml, text).unwrap();
        let contributors = seed.join("contributors.toml");
        let text = std::fs::read_to_string(&contributors).unwrap()
            + "\n[ana2]\nname = \"Ana Deux\"\nemails = [\"ana2@example.org\"]\nroles = [\"reviewer\"]\n";
        std::fs::write(contributors, text).unwrap();
    });
    let ana = remote.clone("ana");
    ana.ok(&["submit", "premier"]);
    ana.push();
    let bo = remote.clone("bo");
    bo.ok(&["review", "premier", "--request-changes"]);
    bo.push();
    let other = remote.clone("ana2");
    other.ok(&["review", "premier", "--approve"]);
    let premier = other.chapter("premier");
    assert_eq!(premier["state"], "approved", "{premier:#}");
    assert!(premier.get("blocked_by").is_none());
}

/// Makes `person`'s clone shallow at `boundary` as `git clone --depth`
/// leaves it: `.git/shallow` names the boundary commit, whose parents git
/// and libgit2 then ignore.
fn make_shallow(person: &Person, boundary: git2::Oid) {
    std::fs::write(person.repo.path().join("shallow"), format!("{boundary}\n")).unwrap();
}

#[test]
fn a_shallow_clone_warns_the_gate_refuses_and_unshallowing_restores_everything() {
    let remote = Remote::new();
    let ana = remote.clone("ana");
    ana.ok(&["submit", "premier"]);
    ana.push();
    let bo = remote.clone("bo");
    bo.ok(&["review", "premier", "--approve"]);
    // A later commit on another chapter: the boundary of a depth-1 clone.
    append(bo.root.join("chapters/02-second.md"), "\nAjout.\n");
    bo.commit_all("second");
    bo.push();
    let ci = remote.clone("ed");
    assert_eq!(ci.state("premier"), "approved");
    make_shallow(&ci, ci.head().id());
    let status = ci.status();
    assert_eq!(status["complete_history"], false);
    assert_eq!(status["warnings"][0]["kind"], "shallow-history");
    assert!(
        status["warnings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("git fetch --unshallow")
    );
    let table = ci.ok(&["status"]);
    assert!(table.contains("warning: this clone is shallow"), "{table}");
    let (code, out) = ci.fails(&["check", "--require-approved"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("shallow") && out.contains("git fetch --unshallow"),
        "{out}"
    );
    assert!(!out.contains("waits for its authors"), "{out}");
    // `git fetch --unshallow`: the file goes, and the cache kept during the
    // shallow runs is not trusted: the full state at once.
    std::fs::remove_file(ci.repo.path().join("shallow")).unwrap();
    let status = ci.status();
    assert_eq!(status["complete_history"], true);
    assert_eq!(status["warnings"], serde_json::json!([]));
    assert_eq!(ci.state("premier"), "approved");
    // The gate judges again: premier passes, the chapters never submitted do not.
    let (code, out) = ci.fails(&["check", "--require-approved"]);
    assert_eq!(code, Some(1));
    assert!(
        !out.contains("shallow") && !out.contains("`premier`"),
        "{out}"
    );
    assert!(out.contains("`second` is draft"), "{out}");
}

#[test]
fn a_replace_ref_or_graft_invalidates_the_history_cache() {
    let remote = Remote::new();
    let ana = remote.clone("ana");
    ana.ok(&["submit", "premier"]);
    append(ana.root.join("chapters/02-second.md"), "\nAjout.\n");
    let edit_commit = ana.commit_all("second");
    assert_eq!(ana.state("premier"), "in-review");
    // A graft that cuts the history below the edit hides the submission.
    std::fs::create_dir_all(ana.repo.path().join("info")).unwrap();
    std::fs::write(
        ana.repo.path().join("info/grafts"),
        format!("{edit_commit}\n"),
    )
    .unwrap();
    // libgit2 honours grafts as git does: the submission is cut off…
    assert_eq!(ana.state("premier"), "draft");
    // …and the cache written meanwhile (the edit with no parent) is not
    // used once the graft goes.
    std::fs::remove_file(ana.repo.path().join("info/grafts")).unwrap();
    assert_eq!(
        ana.state("premier"),
        "in-review",
        "back to the full history at once"
    );
    // A replace ref changes the key too: the cache file is written anew.
    let cache = ana.repo.path().join("ouvrage/history-chapters.bin");
    let before = std::fs::read(&cache).unwrap();
    let first = ana.head().parent(0).unwrap().id();
    ana.repo
        .reference(&format!("refs/replace/{first}"), first, true, "replace")
        .unwrap();
    assert_eq!(ana.state("premier"), "in-review");
    assert_ne!(
        std::fs::read(&cache).unwrap(),
        before,
        "rewritten under the new key"
    );
}

#[test]
fn an_empty_repository_lists_every_chapter_as_a_draft() {
    let (_tmp, root) = fixture("features");
    Repository::init(&root).unwrap();
    let out = ouvrage(&root, &["status", "--format", "json"]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let status: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(status["head"], serde_json::Value::Null);
    let states: Vec<&str> = status["chapters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["draft"; 4]);
    let table = ok(&root, &["status"]);
    assert!(
        table.contains("premier") && table.contains("draft"),
        "{table}"
    );
    let markdown = ok(&root, &["status", "--format", "markdown"]);
    assert!(
        markdown.contains("0 of 4 chapters approved or final"),
        "{markdown}"
    );
}

/// Deletes a loose object, as a partial clone (`git clone --filter`) leaves
/// it missing, and marks the remote a promisor as git does.
fn lose_object(person: &Person, id: git2::Oid) {
    let hex = id.to_string();
    let path = person
        .repo
        .path()
        .join("objects")
        .join(&hex[..2])
        .join(&hex[2..]);
    assert!(path.is_file(), "{} is not loose", path.display());
    std::fs::remove_file(path).unwrap();
    let mut config = person.repo.config().unwrap();
    config.set_bool("remote.origin.promisor", true).unwrap();
    config
        .set_str("remote.origin.partialclonefilter", "tree:0")
        .unwrap();
}

#[test]
fn a_partial_clone_missing_objects_is_an_error_naming_the_object_and_the_fix() {
    let remote = Remote::new();
    let ana = remote.clone("ana");
    // Made locally, so its objects are loose.
    append(ana.root.join(PREMIER), "\nAjout.\n");
    ana.commit_all("premier");
    append(ana.root.join(PREMIER), "\nEncore.\n");
    ana.commit_all("premier encore");
    let older = ana.head().parent(0).unwrap();
    let chapters = older.tree().unwrap().get_name("chapters").unwrap().id();
    lose_object(&ana, chapters);
    for args in [&["status"][..], &["contributors"][..]] {
        let (code, out) = ana.fails(args);
        assert_eq!(code, Some(1), "{args:?}: {out}");
        assert!(
            out.contains(&format!("object {chapters} is missing")),
            "{out}"
        );
        assert!(out.contains("partial clone"), "{out}");
        assert!(
            out.contains(
                "git config --unset remote.origin.partialclonefilter && git fetch --refetch origin"
            ),
            "{out}"
        );
    }
}
