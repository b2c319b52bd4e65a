//! `contributors.toml`: the people of the book (README "File formats in short").

use super::read::{Reader, is_valid_id};
use super::value::{Node, Value};
use crate::diag::{Diagnostic, Sink, Spanned};
use crate::source::FileId;

/// What a contributor does in the book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Writes chapters.
    Author,
    /// Reviews chapters assigned to them.
    Reviewer,
    /// Edits the book; may finalize chapters.
    Editor,
}

impl Role {
    fn parse(s: &str) -> Option<Role> {
        match s {
            "author" => Some(Role::Author),
            "reviewer" => Some(Role::Reviewer),
            "editor" => Some(Role::Editor),
            _ => None,
        }
    }

    /// The role as written in contributors.toml.
    pub fn name(self) -> &'static str {
        match self {
            Role::Author => "author",
            Role::Reviewer => "reviewer",
            Role::Editor => "editor",
        }
    }
}

/// One person (or collective) of contributors.toml.
#[derive(Debug, Clone)]
pub struct Contributor {
    /// The id used everywhere else.
    pub id: Spanned<String>,
    /// Display name.
    pub name: String,
    /// Git author emails that are this person.
    pub emails: Vec<String>,
    /// Affiliation, if given.
    pub affiliation: Option<String>,
    /// Roles.
    pub roles: Vec<Role>,
    /// Biography, in Markdown, with the span of its value.
    pub bio: Option<Spanned<String>>,
    /// ORCID iD, checksum validated.
    pub orcid: Option<String>,
    /// `signing-keys`: when any, every review event in this person's name
    /// counts only if signed by one of them.
    pub signing_keys: Vec<Spanned<crate::signing::SigningKey>>,
}

/// All contributors, in file order.
#[derive(Debug, Clone, Default)]
pub struct Contributors {
    /// The list.
    pub list: Vec<Contributor>,
}

impl Contributors {
    /// The contributor with this id.
    pub fn get(&self, id: &str) -> Option<&Contributor> {
        self.list.iter().find(|c| c.id.value == id)
    }

    /// All ids, for suggestions.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.list.iter().map(|c| c.id.value.as_str())
    }

    /// Who is declared, for a message about an unknown id: "the
    /// contributors are: a, b", or that there is nobody yet.
    pub fn known(&self) -> String {
        let ids: Vec<&str> = self.ids().collect();
        if ids.is_empty() {
            "contributors.toml declares nobody yet".to_string()
        } else {
            format!("the contributors are: {}", ids.join(", "))
        }
    }

    /// Records an error unless `id` names a contributor.
    pub fn check_id(&self, id: &Spanned<String>, what: &str, sink: &mut Sink) -> bool {
        if self.get(&id.value).is_some() {
            return true;
        }
        sink.push(
            Diagnostic::error(
                id.span.clone(),
                format!("unknown contributor `{}` in {what}", id.value),
            )
            .suggest(&id.value, self.ids())
            .hint("contributors are declared in contributors.toml"),
        );
        false
    }
}

/// Every key this file accepts (the README lists them; a test compares).
pub const KEYS: &[&str] = &[
    "name",
    "emails",
    "affiliation",
    "roles",
    "bio",
    "orcid",
    "signing-keys",
];

/// Validates contributors.toml's tree; every fault goes to `sink`.
pub fn read_contributors(file: FileId, root: &Node, sink: &mut Sink) -> Contributors {
    let mut r = Reader { file, sink };
    let mut list = Vec::new();
    let Some(top) = r.table("contributors.toml", root) else {
        return Contributors::default();
    };
    for (key, node) in top {
        if !is_valid_id(&key.name) {
            r.sink.push(
                Diagnostic::error(
                    r.span(&key.span),
                    format!("`{}` is not a valid contributor id", key.name),
                )
                .hint("ids are lowercase ASCII letters, digits and `-`, e.g. [lequin]"),
            );
        }
        let Value::Table(entries) = &node.value else {
            r.error(
                &key.span,
                format!("`{}` must be a table: write it as [{}]", key.name, key.name),
            );
            continue;
        };
        let section = format!("[{}]", key.name);
        r.check_keys(entries, KEYS, &section);
        let name = r.string(entries, "name");
        if name.is_none() {
            r.sink.push(
                Diagnostic::error(r.span(&key.span), format!("{section} has no `name`"))
                    .hint("add `name = \"…\"`"),
            );
        }
        let mut roles = Vec::new();
        for role in r.strings(entries, "roles").unwrap_or_default() {
            match Role::parse(&role.value) {
                Some(found) => roles.push(found),
                None => r.sink.push(
                    Diagnostic::error(role.span.clone(), format!("unknown role `{}`", role.value))
                        .suggest(&role.value, ["author", "reviewer", "editor"])
                        .hint("roles are \"author\", \"reviewer\" and \"editor\""),
                ),
            }
        }
        let orcid = r.string(entries, "orcid");
        if let Some(o) = &orcid
            && !orcid_is_valid(o)
        {
            r.sink.push(
                Diagnostic::error(
                    o.span.clone(),
                    format!("`{}` is not a valid ORCID iD", o.value),
                )
                .hint("an ORCID iD looks like 0000-0002-1825-0097; its last digit is a checksum"),
            );
        }
        let emails = r.strings(entries, "emails").unwrap_or_default();
        for email in &emails {
            if !email.value.contains('@') {
                r.sink.push(Diagnostic::error(
                    email.span.clone(),
                    format!("`{}` is not an email address", email.value),
                ));
            }
        }
        let mut signing_keys = Vec::new();
        for text in r.strings(entries, "signing-keys").unwrap_or_default() {
            match crate::signing::SigningKey::parse(&text.value) {
                Ok(k) => signing_keys.push(Spanned::new(k, text.span)),
                Err(why) => r.sink.push(
                    Diagnostic::error(text.span.clone(), why)
                        .hint("copy the line of your key's `.pub` file (`ssh-ed25519 AAAA… you@example.org`), or `gpg --fingerprint` without spaces"),
                ),
            }
        }
        if list.iter().any(|c: &Contributor| c.id.value == key.name) {
            r.error(
                &key.span,
                format!("contributor `{}` is declared twice", key.name),
            );
            continue;
        }
        list.push(Contributor {
            id: Spanned::new(key.name.clone(), r.span(&key.span)),
            name: name.map(|n| n.value).unwrap_or_else(|| key.name.clone()),
            emails: emails.into_iter().map(|e| e.value.to_lowercase()).collect(),
            affiliation: r.string(entries, "affiliation").map(|s| s.value),
            roles,
            bio: r.string(entries, "bio"),
            // Outputs print the check character as the registry does: `X`.
            orcid: orcid.map(|s| match s.value.strip_suffix('x') {
                Some(rest) => format!("{rest}X"),
                None => s.value,
            }),
            signing_keys,
        });
    }
    Contributors { list }
}

/// Validates an ORCID iD (ISO 7064 MOD 11-2 check character).
pub fn orcid_is_valid(orcid: &str) -> bool {
    let orcid = orcid.strip_prefix("https://orcid.org/").unwrap_or(orcid);
    let chars: Vec<char> = orcid.chars().filter(|c| *c != '-').collect();
    if chars.len() != 16 || orcid.len() != 19 {
        return false;
    }
    let mut total = 0u32;
    for c in &chars[..15] {
        let Some(d) = c.to_digit(10) else {
            return false;
        };
        total = (total + d) * 2;
    }
    let check = (12 - total % 11) % 11;
    let expected = if check == 10 {
        'X'
    } else {
        char::from_digit(check, 10).unwrap_or('?')
    };
    // ISO 7064 writes the check character 10 as `X`; `x` is the same.
    chars[15].to_ascii_uppercase() == expected
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::value::parse_toml;
    use crate::source::Sources;

    #[test]
    fn contributors_read_and_faults_are_reported() {
        let text = "[lequin]\nname = \"Julie Lequin\"\nemails = [\"J@x.org\"]\nroles = [\"author\", \"reviwer\"]\n\
                    [Bad]\nname = \"B\"\nbio = \"x\"\norcid = \"0000-0002-1825-0098\"\n";
        let mut sources = Sources::default();
        let file = sources.add("contributors.toml", text.into());
        let (root, _) = parse_toml(text, 0);
        let mut sink = Sink::default();
        let c = read_contributors(file, &root, &mut sink);
        assert_eq!(c.list.len(), 2);
        assert_eq!(c.get("lequin").unwrap().emails, ["j@x.org"]);
        let diags = sink.into_sorted();
        assert_eq!(diags.len(), 3, "{diags:?}");
        assert!(diags[0].hints.iter().any(|h| h.contains("`reviewer`")));
    }

    #[test]
    fn signing_keys_are_read_and_bad_ones_reported_at_their_line() {
        let (_, public) = crate::signing::ssh::tests::keypair(5);
        let text = format!(
            "[bo]\nname = \"Bo\"\nsigning-keys = [\n  \"{}\",\n  \"ABCD 1234 ABCD 1234 ABCD 1234 ABCD 1234 ABCD 1234\",\n  \"ssh-rsa AAAAoops\",\n]\n",
            public.to_openssh().unwrap()
        );
        let mut sources = Sources::default();
        let file = sources.add("contributors.toml", text.clone());
        let (root, _) = parse_toml(&text, 0);
        let mut sink = Sink::default();
        let c = read_contributors(file, &root, &mut sink);
        let keys = &c.get("bo").unwrap().signing_keys;
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[0].value, crate::signing::SigningKey::Ssh(public));
        let diags = sink.into_sorted();
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(
            diags[0].location(&sources).unwrap().to_string(),
            "contributors.toml:6:3"
        );
    }

    #[test]
    fn orcid_checksum() {
        assert!(orcid_is_valid("0000-0002-1825-0097"));
        assert!(orcid_is_valid("0000-0002-1694-233X"));
        assert!(orcid_is_valid("0000-0002-1694-233x"));
        assert!(!orcid_is_valid("0000-0002-1825-0098"));
        assert!(!orcid_is_valid("0000-0002-1825"));
    }
}
