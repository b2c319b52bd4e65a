//! Signatures on review events, in-process: the keys contributors list in
//! contributors.toml (`signing-keys`), and the verification of a commit's
//! signature against them. A bottom module: its input is text and bytes
//! (an armored signature, the signed commit payload, keys), its output who
//! signed; it reads no file and runs no program.
//!
//! `ssh.rs` checks git's SSH signatures (`gpg.format = ssh`: an SSHSIG in
//! the namespace `git`) with the `ssh-key` crate, and makes them from an
//! unencrypted private key; `openpgp.rs` checks OpenPGP signatures with
//! `pgp` (rpgp) against the certificates the book commits in `keys/`.

pub mod openpgp;
pub mod ssh;

pub use openpgp::Certificates;

/// A key a contributor signs review events with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SigningKey {
    /// An SSH public key, as `ssh-keygen` and `authorized_keys` write it.
    Ssh(ssh_key::PublicKey),
    /// An OpenPGP key by its fingerprint (uppercase hexadecimal, no spaces);
    /// its certificate comes from the book's `keys/` folder.
    OpenPgp(String),
}

impl SigningKey {
    /// Reads a `signing-keys` entry: an SSH public key (`ssh-ed25519 AAAA…
    /// comment`) or an OpenPGP fingerprint (40 or 64 hexadecimal digits,
    /// spaces allowed). The error says what was expected.
    pub fn parse(text: &str) -> Result<SigningKey, String> {
        let text = text.trim();
        let is_ssh = ["ssh-", "ecdsa-sha2-", "sk-ssh-", "sk-ecdsa-"]
            .iter()
            .any(|p| text.starts_with(p));
        if is_ssh {
            return ssh_key::PublicKey::from_openssh(text)
                .map(SigningKey::Ssh)
                .map_err(|e| format!("this SSH public key cannot be read ({e})"));
        }
        let hex: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let hex = hex.strip_prefix("0x").unwrap_or(&hex).to_ascii_uppercase();
        if (hex.len() == 40 || hex.len() == 64) && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(SigningKey::OpenPgp(hex));
        }
        Err(
            "this is neither an SSH public key (`ssh-ed25519 AAAA… name`, as in a `.pub` file) \
             nor an OpenPGP fingerprint (40 hexadecimal digits)"
                .into(),
        )
    }

    /// How reports name the key: an SSH key's `SHA256:` fingerprint, an
    /// OpenPGP key's fingerprint.
    pub fn name(&self) -> String {
        match self {
            SigningKey::Ssh(key) => key.fingerprint(ssh_key::HashAlg::Sha256).to_string(),
            SigningKey::OpenPgp(fpr) => fpr.clone(),
        }
    }
}

/// What a signature proves about the keys it was checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Made by this key (its [`SigningKey::name`]) over exactly this payload.
    Verified(String),
    /// Not made by any of the keys, or not over this payload, and why.
    Rejected(String),
}

/// Checks `armored` (a commit's `gpgsig` header) over `payload` (the commit
/// without that header) against `keys`. SSH and OpenPGP signatures are
/// told apart by their armor; anything else (x509) is rejected.
pub fn verify(armored: &str, payload: &[u8], keys: &[SigningKey], certs: &Certificates) -> Verdict {
    let armored = armored.trim();
    if armored.starts_with("-----BEGIN SSH SIGNATURE-----") {
        ssh::verify(armored, payload, keys)
    } else if armored.starts_with("-----BEGIN PGP SIGNATURE-----") {
        openpgp::verify(armored, payload, keys, certs)
    } else {
        Verdict::Rejected(
            "a signature of a kind ouvrage does not verify (only SSH and OpenPGP signatures are)"
                .into(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_or_say_what_was_expected() {
        let (_, public) = ssh::tests::keypair(7);
        let key = SigningKey::parse(&public.to_openssh().unwrap()).unwrap();
        assert_eq!(key, SigningKey::Ssh(public));
        assert!(key.name().starts_with("SHA256:"), "{}", key.name());
        assert_eq!(
            SigningKey::parse("0x1234 5678 9abc def0 1234  5678 9ABC DEF0 1234 5678").unwrap(),
            SigningKey::OpenPgp("123456789ABCDEF0123456789ABCDEF012345678".into())
        );
        assert!(
            SigningKey::parse("ssh-ed25519 AAAAnope")
                .unwrap_err()
                .contains("cannot be read")
        );
        assert!(
            SigningKey::parse("bo@example.org")
                .unwrap_err()
                .contains("neither")
        );
    }
}
