//! Markdown written for a forge builds as it is (issue 16): heading ids as
//! GitHub, Forgejo, GitLab and mdBook make them, empty `<a id>`/`<a name>`
//! anchors under every raw-HTML policy, and links to `NAME.html` that reach
//! the chapter `NAME.md`, in the site, the EPUB and the PDF.

mod common;

use common::*;

/// The ids GitHub gives the fixture's headings, and its raw anchors.
const IDS: [&str; 9] = [
    "concatenating-with--or-format",
    "shared-access-to-mutext",
    "les-communs-de-proximité",
    "exemple",
    "exemple-1",
    "exemple-2",
    "a-soi",
    "ancien-nom",
    "plus-ancien",
];

fn epub_xhtml(book: &std::path::Path, name: &str) -> String {
    epub_entry(&epub_in(&book.join("_book")), &format!("EPUB/text/{name}"))
}

#[test]
fn forge_markdown_checks_and_builds_with_githubs_ids_and_anchors() {
    for policy in ["escape", "sanitize", "allow"] {
        let (_tmp, book) = fixture("forge");
        let toml = book.join("book.toml");
        let text = std::fs::read_to_string(&toml).unwrap();
        std::fs::write(&toml, format!("{text}\n[html]\nraw-html = \"{policy}\"\n")).unwrap();

        let out = ok(&book, &["check"]);
        assert!(
            out.contains("0 errors, 0 warnings, 3 notes"),
            "{policy}: {out}"
        );
        // The `.html` links are notes suggesting the `.md` form, at their line.
        assert!(
            out.contains("`ch01-intro.html` is the chapter `ch01-intro.md`"),
            "{out}"
        );
        assert!(out.contains("chapters/ch02-suite.md:7:"), "{out}");

        // Every format: the PDF fails to compile on a link to a missing label.
        ok(&book, &["build"]);
        let site = book.join("_book/html");
        let first = page(&site.join("ch01-intro.html"));
        let ids = ids(&first);
        for id in IDS {
            assert!(
                ids.contains(id),
                "{policy}: no id `{id}` in the site: {ids:?}"
            );
        }
        check_site_links(&site);
        let second = page(&site.join("ch02-suite.html"));
        let hrefs = attrs(&second, "main a", "href");
        for href in [
            "ch01-intro.html",
            "ch01-intro.html#shared-access-to-mutext",
            "ch01-intro.html#ancien-nom",
            "ch01-intro.html#plus-ancien",
            "ch01-intro.html#exemple-2",
        ] {
            assert!(hrefs.iter().any(|h| h == href), "{href} in {hrefs:?}");
        }
        // The raw anchors are ids, never literal text.
        assert!(
            !first.html().contains("&lt;a"),
            "{policy}: an anchor printed as text"
        );

        let xhtml = epub_xhtml(&book, "ch01-intro.xhtml");
        for id in IDS {
            assert!(
                xhtml.contains(&format!("id=\"{id}\"")),
                "{policy}: no id `{id}` in the EPUB"
            );
        }
        let xhtml = epub_xhtml(&book, "ch02-suite.xhtml");
        assert!(
            xhtml.contains("href=\"ch01-intro.xhtml#ancien-nom\""),
            "{xhtml}"
        );
    }
}

/// A link written against an id of the former rule (ASCII, accents folded,
/// punctuation a dash) is an error whose "did you mean" is the new id.
#[test]
fn a_link_to_a_former_id_is_told_the_new_one() {
    let (_tmp, book) = fixture("forge");
    let chapter = book.join("chapters/ch02-suite.md");
    let before = std::fs::read_to_string(&chapter).unwrap();
    std::fs::write(
        &chapter,
        format!(
            "{before}\nEt [l'ancien](ch01-intro.md#shared-access-to-mutex-t), [l'autre](ch01-intro.md#les-communs-de-proximite).\n"
        ),
    )
    .unwrap();
    let out = ouvrage(&book, &["check"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr
            .contains("did you mean `#shared-access-to-mutext`? heading ids follow GitHub's rule"),
        "{stderr}"
    );
    assert!(
        stderr.contains("did you mean `#les-communs-de-proximité`?"),
        "{stderr}"
    );
    assert!(stderr.contains("chapters/ch02-suite.md:11:"), "{stderr}");
}
