//! Languages: a BCP 47 tag parsed once, and everything that depends on it.
//!
//! Input: the tag as book.toml or a chapter's front matter writes it (`fr`,
//! `FR`, `en-gb`). Output: a [`Lang`] in BCP 47's canonical case, which
//! every stage asks for its words ([`Labels`]), its typography, its CSL
//! locale and Typst's `lang`/`region`. Nothing else in the crate splits a
//! language tag.

pub mod labels;

pub use labels::Labels;

/// A BCP 47 language tag, parsed once.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Lang {
    /// The tag in canonical case: language lowercase, script titlecase,
    /// region uppercase (`fr`, `en-GB`, `sr-Latn-RS`).
    tag: String,
    /// Length of the primary language subtag in `tag`.
    primary_len: usize,
    /// The region subtag, uppercase, when there is one.
    region: Option<String>,
}

impl Lang {
    /// Parses a tag. Never fails: a tag that book.toml's checks refused is
    /// still given a language (its first subtag), so that a book with
    /// errors can be drawn in a preview.
    pub fn parse(tag: &str) -> Lang {
        let mut canonical = Vec::new();
        let mut region = None;
        for (i, subtag) in tag.trim().split(['-', '_']).enumerate() {
            let cased = if i == 0 {
                subtag.to_ascii_lowercase()
            } else if subtag.len() == 4 && subtag.bytes().all(|b| b.is_ascii_alphabetic()) {
                // A script: `Latn`.
                let mut s = subtag.to_ascii_lowercase();
                s[..1].make_ascii_uppercase();
                s
            } else if region.is_none()
                && ((subtag.len() == 2 && subtag.bytes().all(|b| b.is_ascii_alphabetic()))
                    || (subtag.len() == 3 && subtag.bytes().all(|b| b.is_ascii_digit())))
            {
                let r = subtag.to_ascii_uppercase();
                region = Some(r.clone());
                r
            } else {
                subtag.to_ascii_lowercase()
            };
            canonical.push(cased);
        }
        let primary_len = canonical.first().map_or(0, String::len);
        Lang {
            tag: canonical.join("-"),
            primary_len,
            region,
        }
    }

    /// The tag in canonical case, as outputs write it (`lang="fr"`).
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// The primary language subtag, lowercase (`fr` of `fr-CA`).
    pub fn primary(&self) -> &str {
        &self.tag[..self.primary_len]
    }

    /// The region, uppercase (`GB` of `en-GB`), when the tag has one.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// Whether this is French, whose typography and words differ most.
    pub fn is_french(&self) -> bool {
        self.primary() == "fr"
    }

    /// The words the outputs print around the text: French, Italian, else English.
    pub fn labels(&self) -> &'static Labels {
        Labels::for_primary(self.primary())
    }

    /// The CSL locale hayagriva formats with, as Typst forms it from the
    /// text's language and region (`fr`, `en-GB`).
    pub fn csl_locale(&self) -> String {
        match self.region() {
            Some(r) => format!("{}-{r}", self.primary()),
            None => self.primary().to_string(),
        }
    }

    /// Typst's `lang` and `region` (both lowercase, as Typst writes them).
    pub fn typst(&self) -> (String, Option<String>) {
        (
            self.primary().to_string(),
            self.region().map(str::to_ascii_lowercase),
        )
    }

    /// BibLaTeX's `langid` (`french`), for the BibTeX of "how to cite".
    pub fn biblatex_langid(&self) -> &'static str {
        match self.primary() {
            "fr" => "french",
            "it" => "italian",
            "de" => "german",
            "es" => "spanish",
            "pt" => "portuguese",
            _ => "english",
        }
    }
}

impl Default for Lang {
    fn default() -> Self {
        Lang::parse("en")
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.tag)
    }
}

impl serde::Serialize for Lang {
    /// Templates see the tag.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.tag)
    }
}

/// A loose check of a BCP 47 tag as written in book.toml or front matter:
/// alphanumeric subtags of 1 to 8 characters, the first of 2 or 3 letters.
pub fn is_language_tag(tag: &str) -> bool {
    let mut subtags = tag.split('-');
    let first = subtags.next().unwrap_or("");
    (2..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_alphabetic())
        && subtags
            .all(|s| (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_parsed_once_into_canonical_case() {
        let fr = Lang::parse("FR");
        assert_eq!(fr.tag(), "fr");
        assert!(fr.is_french());
        assert_eq!(fr.csl_locale(), "fr");
        assert_eq!(fr.labels().contents, "Table des matières");
        let gb = Lang::parse("en-gb");
        assert_eq!(gb.tag(), "en-GB");
        assert_eq!(gb.primary(), "en");
        assert_eq!(gb.region(), Some("GB"));
        assert_eq!(gb.csl_locale(), "en-GB");
        assert_eq!(gb.typst(), ("en".to_string(), Some("gb".to_string())));
        let serbian = Lang::parse("SR-latn-rs");
        assert_eq!(serbian.tag(), "sr-Latn-RS");
        assert_eq!(serbian.region(), Some("RS"));
        assert_eq!(Lang::parse("es-419").region(), Some("419"));
        assert_eq!(Lang::parse("it").biblatex_langid(), "italian");
        assert_eq!(
            Lang::parse("IT").labels().contents,
            Lang::parse("it").labels().contents
        );
    }
}
