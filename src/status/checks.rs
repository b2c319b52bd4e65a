//! What `check` says about the review setup, beyond the files' own
//! validation: the committed `.mailmap` against the contributors, each
//! contributor's keys against `[review] signatures`, and the OpenPGP
//! certificates `keys/` must hold. Input: the book and its repository;
//! output: diagnostics at the lines concerned (the committed `.mailmap` is
//! added to the book's sources so that its lines can be quoted).

use crate::diag::{Diagnostic, Span};
use crate::git::Repo;
use crate::model::Book;
use crate::signing::SigningKey;

/// The review setup's faults; `repo` is `None` outside git (then only the
/// contributors' keys are checked).
pub fn review_checks(book: &mut Book, repo: Option<&Repo>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if book.config.review.signatures_required {
        for c in &book.contributors.list {
            if c.signing_keys.is_empty() {
                out.push(
                    Diagnostic::error(
                        c.id.span.clone(),
                        format!(
                            "[review] signatures = \"required\", but `{}` lists no signing-keys: \
                             none of their review events can count",
                            c.id.value
                        ),
                    )
                    .hint("add `signing-keys = [\"ssh-ed25519 AAAA…\"]` (their public key) to their entry"),
                );
            }
        }
    }
    let Some(repo) = repo else {
        return out;
    };
    let ids = super::identities(book, repo);
    for c in &book.contributors.list {
        for key in &c.signing_keys {
            if let SigningKey::OpenPgp(fpr) = &key.value
                && ids.certificates.get(fpr).is_none()
            {
                out.push(
                    Diagnostic::error(
                        key.span.clone(),
                        format!(
                            "the OpenPGP key {fpr} is not in the book's committed {}/ folder, so \
                             `{}`'s signatures cannot be checked",
                            super::KEYS_DIR,
                            c.id.value
                        ),
                    )
                    .hint(format!(
                        "export it and commit it: `gpg --export --armor {fpr} > {}/{}.asc`",
                        super::KEYS_DIR,
                        c.id.value
                    )),
                );
            }
        }
    }
    for (path, why) in &ids.key_problems {
        out.push(Diagnostic::warning_in(
            Some(path.into()),
            format!("{why}; the file is not used"),
        ));
    }
    if !ids.conflicts.is_empty() {
        let path = ids
            .mailmap_path
            .clone()
            .unwrap_or_else(|| ".mailmap".into());
        let file = book.sources.add(path, ids.mailmap_text.clone());
        for conflict in &ids.conflicts {
            let line = &conflict.line;
            out.push(
                Diagnostic::error(
                    Span::new(file, line.offset..line.offset + line.text.len()),
                    conflict.message(),
                )
                .hint("remove the line (as committed in HEAD: the working tree's .mailmap is never read); `status` ignores it meanwhile"),
            );
        }
    }
    out
}
