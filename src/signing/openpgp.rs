//! OpenPGP signatures (git's default `gpg.format`): a detached signature
//! over the commit without its `gpgsig` header. A contributor lists their
//! key's fingerprint; the key itself (the certificate) is committed in the
//! book's `keys/` folder, since a fingerprint alone cannot check anything.
//! The fingerprint pins the certificate: a file that is not the key it
//! names is simply not used. Checked with `pgp` (rpgp).

use pgp::composed::{Deserializable, DetachedSignature, SignedPublicKey};
use pgp::types::KeyDetails;

use super::{SigningKey, Verdict};

/// The OpenPGP certificates the book holds, by primary fingerprint.
#[derive(Debug, Clone, Default)]
pub struct Certificates {
    certs: Vec<(String, SignedPublicKey)>,
}

impl Certificates {
    /// Reads every certificate of each file (armored or binary); returns
    /// them and, for each file that holds none, the file and why.
    pub fn read(files: &[(String, Vec<u8>)]) -> (Certificates, Vec<(String, String)>) {
        let mut certs = Vec::new();
        let mut problems = Vec::new();
        for (name, bytes) in files {
            let parsed: Vec<SignedPublicKey> = match SignedPublicKey::from_armor_many(&bytes[..]) {
                Ok((keys, _)) => keys.filter_map(Result::ok).collect(),
                Err(_) => SignedPublicKey::from_bytes_many(&bytes[..])
                    .map(|keys| keys.filter_map(Result::ok).collect())
                    .unwrap_or_default(),
            };
            if parsed.is_empty() {
                problems.push((
                    name.clone(),
                    "no OpenPGP public key can be read from it".into(),
                ));
            }
            for cert in parsed {
                certs.push((fingerprint(&cert), cert));
            }
        }
        (Certificates { certs }, problems)
    }

    /// The certificate whose primary key has this fingerprint.
    pub fn get(&self, fingerprint: &str) -> Option<&SignedPublicKey> {
        self.certs
            .iter()
            .find(|(f, _)| f == fingerprint)
            .map(|(_, c)| c)
    }

    /// The fingerprints held, for messages.
    pub fn fingerprints(&self) -> impl Iterator<Item = &str> {
        self.certs.iter().map(|(f, _)| f.as_str())
    }
}

/// A certificate's primary fingerprint, uppercase hexadecimal.
pub fn fingerprint(cert: &SignedPublicKey) -> String {
    format!("{:X}", cert.fingerprint())
}

/// Checks an armored OpenPGP signature over `payload` against the OpenPGP
/// keys of `keys` (their primary key or a subkey bound to it).
pub fn verify(armored: &str, payload: &[u8], keys: &[SigningKey], certs: &Certificates) -> Verdict {
    let sig = match DetachedSignature::from_armor_single(armored.as_bytes()) {
        Ok((sig, _)) => sig,
        Err(e) => return Verdict::Rejected(format!("the OpenPGP signature cannot be read ({e})")),
    };
    let mut missing = Vec::new();
    for key in keys {
        let SigningKey::OpenPgp(fpr) = key else {
            continue;
        };
        let Some(cert) = certs.get(fpr) else {
            missing.push(fpr.as_str());
            continue;
        };
        if cert.verify_bindings().is_err() {
            continue;
        }
        if sig.verify(cert, payload).is_ok() {
            return Verdict::Verified(fpr.clone());
        }
        for sub in &cert.public_subkeys {
            if sub.verify_bindings(&cert.primary_key).is_ok() && sig.verify(sub, payload).is_ok() {
                return Verdict::Verified(fpr.clone());
            }
        }
    }
    let issuer: Vec<String> = sig
        .signature
        .issuer_fingerprint()
        .iter()
        .map(|f| format!("{f:X}"))
        .chain(sig.signature.issuer_key_id().iter().map(|k| {
            k.as_ref()
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect::<String>()
        }))
        .collect();
    let by = issuer
        .first()
        .map(|i| format!(" by {i}"))
        .unwrap_or_default();
    if !missing.is_empty() {
        return Verdict::Rejected(format!(
            "signed{by}; the OpenPGP key {} is not in the book's keys/ folder, so it cannot be checked",
            missing.join(", ")
        ));
    }
    Verdict::Rejected(format!(
        "the OpenPGP signature{by} is not by one of their signing keys, or does not match the commit"
    ))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use pgp::composed::{KeyType, SecretKeyParamsBuilder, SignedSecretKey};
    use pgp::crypto::hash::HashAlgorithm;
    use pgp::types::Password;
    use rand_chacha::ChaCha8Rng;
    use rand_chacha::rand_core::SeedableRng;

    /// A deterministic Ed25519 OpenPGP key.
    pub(crate) fn secret_key(seed: u64, who: &str) -> SignedSecretKey {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        SecretKeyParamsBuilder::default()
            .key_type(KeyType::Ed25519)
            .can_certify(true)
            .can_sign(true)
            .primary_user_id(format!("{who} <{who}@example.org>"))
            .build()
            .unwrap()
            .generate(&mut rng)
            .unwrap()
    }

    /// `key`'s detached signature over `payload`, armored as gpg writes it.
    pub(crate) fn sign(key: &SignedSecretKey, payload: &[u8]) -> String {
        let rng = ChaCha8Rng::seed_from_u64(9);
        DetachedSignature::sign_binary_data(
            rng,
            &key.primary_key,
            &Password::empty(),
            HashAlgorithm::Sha256,
            payload,
        )
        .unwrap()
        .to_armored_string(Default::default())
        .unwrap()
    }

    /// `key`'s certificate, armored as `gpg --export --armor` writes it.
    pub(crate) fn certificate(key: &SignedSecretKey) -> Vec<u8> {
        key.to_public_key()
            .to_armored_bytes(Default::default())
            .unwrap()
    }

    #[test]
    fn a_signature_by_a_listed_certificate_verifies() {
        let bo = secret_key(1, "bo");
        let other = secret_key(2, "mallory");
        let (certs, problems) = Certificates::read(&[
            ("keys/bo.asc".into(), certificate(&bo)),
            ("keys/mallory.asc".into(), certificate(&other)),
            ("keys/broken.asc".into(), b"not a key".to_vec()),
        ]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        let bo_fpr = fingerprint(&bo.to_public_key());
        let listed = [SigningKey::OpenPgp(bo_fpr.clone())];
        let payload = b"tree 1\n\nreview(p): approved\n";
        let good = sign(&bo, payload);
        assert_eq!(
            verify(&good, payload, &listed, &certs),
            Verdict::Verified(bo_fpr.clone())
        );
        // Another key's signature, a changed payload, a key not committed.
        let bad = sign(&other, payload);
        assert!(matches!(
            verify(&bad, payload, &listed, &certs),
            Verdict::Rejected(_)
        ));
        assert!(matches!(
            verify(&good, b"tree 2\n", &listed, &certs),
            Verdict::Rejected(_)
        ));
        match verify(&good, payload, &listed, &Certificates::default()) {
            Verdict::Rejected(why) => assert!(why.contains("keys/ folder"), "{why}"),
            v => panic!("{v:?}"),
        }
    }
}
