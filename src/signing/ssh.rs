//! git's SSH signatures (`gpg.format = ssh`): an SSHSIG, armored, over the
//! commit without its `gpgsig` header, in the namespace `git`, as
//! `ssh-keygen -Y sign -n git` makes it. Checked and made with `ssh-key`.

use ssh_key::{HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};

use super::{SigningKey, Verdict};

/// The namespace git signs commits in.
pub const NAMESPACE: &str = "git";

/// Checks an armored SSHSIG over `payload` against the SSH keys of `keys`.
pub fn verify(armored: &str, payload: &[u8], keys: &[SigningKey]) -> Verdict {
    let sig = match SshSig::from_pem(armored) {
        Ok(sig) => sig,
        Err(e) => return Verdict::Rejected(format!("the SSH signature cannot be read ({e})")),
    };
    let signer = sig.public_key().fingerprint(HashAlg::Sha256).to_string();
    if sig.namespace() != NAMESPACE {
        return Verdict::Rejected(format!(
            "the SSH signature by {signer} is for `{}`, not for git commits",
            sig.namespace()
        ));
    }
    let listed = keys.iter().find_map(|k| match k {
        SigningKey::Ssh(key) if key.key_data() == sig.public_key() => Some(key),
        _ => None,
    });
    let Some(key) = listed else {
        return Verdict::Rejected(format!(
            "signed by {signer}, which is not one of their signing keys"
        ));
    };
    match key.verify(NAMESPACE, payload, &sig) {
        Ok(()) => Verdict::Verified(signer),
        Err(_) => Verdict::Rejected(format!(
            "the signature by {signer} does not match the commit (it was changed after signing)"
        )),
    }
}

/// Why an SSH signature could not be made in-process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignError {
    /// The private key is protected by a passphrase (ssh-keygen asks for it).
    Encrypted,
    /// The text is no private key (a public key: the agent holds the private one).
    NotAPrivateKey,
    /// Anything else, in words.
    Failed(String),
}

/// Signs `payload` for git with an unencrypted OpenSSH private key, as
/// `ssh-keygen -Y sign -n git` would (SHA-512). Returns the armored
/// signature and the public key.
pub fn sign(private_key_pem: &str, payload: &[u8]) -> Result<(String, PublicKey), SignError> {
    let key = PrivateKey::from_openssh(private_key_pem).map_err(|_| SignError::NotAPrivateKey)?;
    if key.is_encrypted() {
        return Err(SignError::Encrypted);
    }
    let sig = key
        .sign(NAMESPACE, HashAlg::Sha512, payload)
        .map_err(|e| SignError::Failed(e.to_string()))?;
    let armored = sig
        .to_pem(LineEnding::LF)
        .map_err(|e| SignError::Failed(e.to_string()))?;
    Ok((armored, key.public_key().clone()))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use ssh_key::private::{Ed25519Keypair, KeypairData};

    /// A deterministic Ed25519 key pair, as OpenSSH would write it.
    pub(crate) fn keypair(seed: u8) -> (String, PublicKey) {
        let pair = Ed25519Keypair::from_seed(&[seed; 32]);
        let key = PrivateKey::new(KeypairData::Ed25519(pair), format!("key{seed}")).unwrap();
        let pem = key.to_openssh(LineEnding::LF).unwrap().to_string();
        (pem, key.public_key().clone())
    }

    const PAYLOAD: &[u8] = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor Bo <bo@x> 1 +0000\ncommitter Bo <bo@x> 1 +0000\n\nreview(p): approved\n";

    #[test]
    fn a_signature_by_a_listed_key_verifies_and_nothing_else_does() {
        let (bo_pem, bo) = keypair(1);
        let (_, other) = keypair(2);
        let (armored, public) = sign(&bo_pem, PAYLOAD).unwrap();
        assert_eq!(public, bo);
        let fpr = bo.fingerprint(HashAlg::Sha256).to_string();
        let listed = [SigningKey::Ssh(other.clone()), SigningKey::Ssh(bo.clone())];
        assert_eq!(
            verify(&armored, PAYLOAD, &listed),
            Verdict::Verified(fpr.clone())
        );
        // Not one of the listed keys.
        match verify(&armored, PAYLOAD, &[SigningKey::Ssh(other)]) {
            Verdict::Rejected(why) => {
                assert!(why.contains("not one of their signing keys"), "{why}")
            }
            v => panic!("{v:?}"),
        }
        // The commit changed after signing (another author written in).
        let forged = String::from_utf8_lossy(PAYLOAD).replace("Bo <bo@x>", "Ed <ed@x>");
        match verify(&armored, forged.as_bytes(), &listed) {
            Verdict::Rejected(why) => assert!(why.contains("does not match"), "{why}"),
            v => panic!("{v:?}"),
        }
        // Garbage, and a signature for another namespace.
        assert!(matches!(
            verify(
                "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----",
                PAYLOAD,
                &listed
            ),
            Verdict::Rejected(_)
        ));
        let key = PrivateKey::from_openssh(&bo_pem).unwrap();
        let file_sig = key
            .sign("file", HashAlg::Sha512, PAYLOAD)
            .unwrap()
            .to_pem(LineEnding::LF)
            .unwrap();
        match verify(&file_sig, PAYLOAD, &listed) {
            Verdict::Rejected(why) => assert!(why.contains("not for git"), "{why}"),
            v => panic!("{v:?}"),
        }
    }

    #[test]
    fn a_public_key_is_no_private_key() {
        let (_, bo) = keypair(3);
        assert_eq!(
            sign(&bo.to_openssh().unwrap(), PAYLOAD).unwrap_err(),
            SignError::NotAPrivateKey
        );
    }
}
