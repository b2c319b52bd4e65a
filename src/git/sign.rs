//! Signing a review event as git signs a commit, with the user's own git
//! configuration: `user.signingkey` and `gpg.format` (`openpgp`, git's
//! default, or `ssh`; `x509` is refused).
//!
//! An SSH key given as the path of an unencrypted private key is used
//! in-process (`crate::signing::ssh`). A key protected by a passphrase, a
//! key held by the agent (`key::ssh-ed25519 AAAA…`, or the path of a public
//! key) and OpenPGP keys (which live in gpg's keyring, out of our reach)
//! are signed by the program git itself runs: `ssh-keygen -Y sign -n git`
//! (`gpg.ssh.program`) or `gpg --status-fd=2 -bsau KEY`
//! (`gpg.openpgp.program`, `gpg.program`), the payload on standard input,
//! the signature on standard output. Only the making of the signature is
//! left to them: every signature, however made, is verified in-process
//! before the commit is written and again by every `status`.

use std::io::Write;
use std::process::{Command, Stdio};

use super::{GitError, Repo};

/// The signature format git is configured for (`gpg.format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigningFormat {
    /// OpenPGP through gpg (git's default).
    OpenPgp,
    /// SSH through ssh-keygen, or in-process.
    Ssh,
}

/// How the user signs commits, from git's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningSetup {
    /// `gpg.format`.
    pub format: SigningFormat,
    /// `user.signingkey`, `~/` expanded for a path.
    pub key: String,
    /// The program git would run.
    pub program: String,
}

impl Repo {
    /// The user's signing setup, or `None` when git has no `user.signingkey`
    /// (events are then recorded unsigned, as git commits them).
    pub fn signing_setup(&self) -> Result<Option<SigningSetup>, GitError> {
        let config = self.repo.config()?;
        let Ok(key) = config.get_string("user.signingkey") else {
            return Ok(None);
        };
        let format = match config.get_string("gpg.format").ok().as_deref() {
            None | Some("openpgp") => SigningFormat::OpenPgp,
            Some("ssh") => SigningFormat::Ssh,
            Some(other) => {
                return Err(GitError::Other(format!(
                    "gpg.format = {other}: ouvrage signs review events with OpenPGP or SSH keys only"
                )));
            }
        };
        let program = match format {
            SigningFormat::Ssh => config
                .get_string("gpg.ssh.program")
                .unwrap_or_else(|_| "ssh-keygen".into()),
            SigningFormat::OpenPgp => config
                .get_string("gpg.openpgp.program")
                .or_else(|_| config.get_string("gpg.program"))
                .unwrap_or_else(|_| "gpg".into()),
        };
        let key = match key.strip_prefix("~/") {
            Some(rest) if format == SigningFormat::Ssh => std::env::var_os("HOME")
                .map(|home| {
                    std::path::Path::new(&home)
                        .join(rest)
                        .to_string_lossy()
                        .into_owned()
                })
                .unwrap_or(key),
            _ => key,
        };
        Ok(Some(SigningSetup {
            format,
            key,
            program,
        }))
    }
}

/// Signs `payload` (a commit buffer) with `setup`; returns the armored
/// signature for the commit's `gpgsig` header, or why it could not be made.
pub fn sign(setup: &SigningSetup, payload: &[u8]) -> Result<String, String> {
    match setup.format {
        SigningFormat::OpenPgp => {
            let (out, err) = run(
                &setup.program,
                &["--status-fd=2", "-bsau", &setup.key],
                payload,
            )?;
            // As git does: gpg says SIG_CREATED on its status channel.
            if !err.contains("[GNUPG:] SIG_CREATED ") {
                return Err(format!("{} did not sign: {}", setup.program, err.trim()));
            }
            Ok(out)
        }
        SigningFormat::Ssh => {
            let literal = setup
                .key
                .strip_prefix("key::")
                .or_else(|| setup.key.starts_with("ssh-").then_some(setup.key.as_str()));
            if let Some(public) = literal {
                // A key held by the agent: ssh-keygen finds it from its public half.
                let mut file = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
                writeln!(file, "{public}").map_err(|e| e.to_string())?;
                let path = file.path().to_string_lossy().into_owned();
                return ssh_keygen(setup, &["-U", "-f", &path], payload);
            }
            let text = std::fs::read_to_string(&setup.key)
                .map_err(|e| format!("cannot read user.signingkey {}: {e}", setup.key))?;
            match crate::signing::ssh::sign(&text, payload) {
                Ok((armored, _)) => Ok(armored),
                // Passphrase-protected, or a public key whose private half
                // the agent holds: ssh-keygen asks or asks the agent.
                Err(_) => ssh_keygen(setup, &["-f", &setup.key], payload),
            }
        }
    }
}

fn ssh_keygen(setup: &SigningSetup, key: &[&str], payload: &[u8]) -> Result<String, String> {
    let mut args = vec!["-Y", "sign", "-n", crate::signing::ssh::NAMESPACE];
    args.extend_from_slice(key);
    let (out, err) = run(&setup.program, &args, payload)?;
    if !out.contains("-----BEGIN SSH SIGNATURE-----") {
        return Err(format!("{} did not sign: {}", setup.program, err.trim()));
    }
    Ok(out)
}

/// Runs `program args`, `input` on its standard input (the terminal stays
/// its own, for a passphrase prompt); returns its standard output and error.
fn run(program: &str, args: &[&str], input: &[u8]) -> Result<(String, String), String> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(input)
            .map_err(|e| format!("{program}: {e}"))?;
    }
    let output = child
        .wait_with_output()
        .map_err(|e| format!("{program}: {e}"))?;
    let (out, err) = (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    );
    if !output.status.success() {
        return Err(format!("{program} failed: {}", err.trim()));
    }
    Ok((out, err))
}
