//! Property test: raw HTML meant to run a script, placed in every container
//! a chapter, its front matter or a bio can hold, never reaches the site or
//! the EPUB as active content, under every `[html] raw-html` policy.
//!
//! Each case is a book written from hostile fragments (a script, event
//! handlers, frames and plugins, `javascript:`/`vbscript:`/`data:text/html`
//! URLs in every spelling, markup that closes its container or mutates when
//! parsed again), each placed in a paragraph, a heading, a table's header,
//! cell or caption, a list item, a nested or task item, a block quote, an
//! alert, a footnote, a figure's caption, emphasis, a link's text, an HTML
//! block, a raw `{=html}` block, the chapter's title or abstract, or a
//! contributor's bio, some of them inside quotes, lists and alerts. The
//! book is built in-process (the model, the site in memory, the EPUB's
//! documents in memory) once per policy, and every page and document is
//! parsed with html5ever (scraper), as a browser reads it. Nothing may
//! hold a `script`, `iframe`, `object` or `embed` element or an `on…`
//! attribute that our templates do not write on the same page of a clean
//! book, nor a `javascript:`, `vbscript:` or `data:text/html` URL in any
//! attribute. 48 cases with a fixed seed (three builds each).

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use ouvrage::diag::Sink;
use ouvrage::render::epub::{EpubOptions, EpubRenderer};
use ouvrage::render::html::{HtmlOptions, HtmlRenderer};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestRunner};
use scraper::{Html, Node};

/// Fragments that would run code if they reached a page as written (all on
/// one line; remote images, since a local `<img>` becomes a book image).
const FRAGMENTS: &[&str] = &[
    "<script>alert(1)</script>",
    "<img src=\"https://x.invalid/a.png\" onerror=\"alert(2)\">",
    "<img src=https://x.invalid/a.png onerror=alert(3)//",
    "<iframe src=\"javascript:alert(4)\"></iframe>",
    "<iframe srcdoc=\"&lt;script&gt;alert(5)&lt;/script&gt;\"></iframe>",
    "<object data=\"javascript:alert(6)\"></object>",
    "<object data=\"data:text/html,&lt;script&gt;alert(7)&lt;/script&gt;\"></object>",
    "<embed src=\"javascript:alert(8)\">",
    "<a href=\"javascript:alert(9)\">x</a>",
    "<a href=\" JaVaScRiPt:alert(10)\">x</a>",
    "<a href=\"&#106;avascript:alert(11)\">x</a>",
    "<a href=\"java&#x09;script:alert(12)\">x</a>",
    "<a href=\"vbscript:msgbox(13)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxNCk8L3NjcmlwdD4=\">x</a>",
    "<a href=\"#\" onclick=\"alert(15)\">x</a>",
    "<img src=\"javascript:alert(16)\">",
    "<svg onload=\"alert(17)\"><a xlink:href=\"javascript:alert(17)\"><text>x</text></a></svg>",
    "<svg><animate attributeName=\"href\" to=\"javascript:alert(18)\"/><set attributeName=\"onclick\" to=\"alert(18)\"/></svg>",
    "<svg><style><img src=\"https://x.invalid/a.png\" onerror=\"alert(19)\"></style></svg>",
    "<math><mtext><table><mglyph><style><img src=\"https://x.invalid/a.png\" onerror=\"alert(20)\">",
    "<div onclick=\"alert(21)\">x</div>",
    "<span onmouseover=\"alert(22)\" style=\"color: red\">x</span>",
    "<x-widget onclick=\"alert(23)\">x</x-widget>",
    "<form action=\"javascript:alert(24)\"><button formaction=\"javascript:alert(24)\">x</button></form>",
    "<details open ontoggle=\"alert(25)\">x</details>",
    "<video><source onerror=\"alert(26)\"></video>",
    "<input onfocus=\"alert(27)\" autofocus>",
    "<body onload=\"alert(28)\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(29)\">",
    "<base href=\"javascript:alert(30)//\">",
    "<link rel=\"stylesheet\" href=\"javascript:alert(31)\">",
    "<style>@import \"javascript:alert(32)\";</style>",
    "<div style=\"background:url(javascript:alert(33))\">x</div>",
    "<noscript><p title=\"</noscript><img src=https://x.invalid/a.png onerror=alert(34)>\"></noscript>",
    "<template><script>alert(35)</script></template>",
    "<scr<script>ipt>alert(36)</script>",
    "<<script>script>alert(37)<</script>/script>",
    "</td></tr></table><script>alert(38)</script>",
    "</p></div></li></ul><img src=\"https://x.invalid/a.png\" onerror=\"alert(39)\">",
    "<!--><script>alert(40)</script>-->",
    "<isindex action=\"javascript:alert(41)\" type=\"image\">",
    "[lien](javascript:alert(42)) et [autre](JaVaScRiPt:alert(42))",
    "<a href=\"data:text/html,alert(43)\">x</a>",
];

/// Where a fragment is written.
#[derive(Debug, Clone, Copy)]
enum Place {
    Paragraph,
    Heading,
    TableHeader,
    TableCell,
    TableCaption,
    ListItem,
    NestedItem,
    TaskItem,
    Quote,
    Alert,
    Footnote,
    FigureCaption,
    Emphasis,
    LinkText,
    HtmlBlock,
    RawHtmlBlock,
    Title,
    Abstract,
    Bio,
}

const PLACES: &[Place] = &[
    Place::Paragraph,
    Place::Heading,
    Place::TableHeader,
    Place::TableCell,
    Place::TableCaption,
    Place::ListItem,
    Place::NestedItem,
    Place::TaskItem,
    Place::Quote,
    Place::Alert,
    Place::Footnote,
    Place::FigureCaption,
    Place::Emphasis,
    Place::LinkText,
    Place::HtmlBlock,
    Place::RawHtmlBlock,
    Place::Title,
    Place::Abstract,
    Place::Bio,
];

/// A container a body block may be nested in.
#[derive(Debug, Clone, Copy)]
enum Wrapper {
    Quote,
    Item,
    Alert,
}

/// One fragment in one place, inside some containers.
#[derive(Debug, Clone)]
struct Piece {
    place: Place,
    fragment: &'static str,
    wrappers: Vec<Wrapper>,
}

fn piece() -> impl Strategy<Value = Piece> {
    (
        prop::sample::select(PLACES),
        prop::sample::select(FRAGMENTS),
        prop::collection::vec(
            prop::sample::select(&[Wrapper::Quote, Wrapper::Item, Wrapper::Alert][..]),
            0..3,
        ),
    )
        .prop_map(|(place, fragment, wrappers)| Piece {
            place,
            fragment,
            wrappers,
        })
}

/// A YAML or TOML double-quoted string (JSON's escapes are both's).
fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

/// The book's files for these pieces (`fragment` replaced by `plain` when
/// given: the clean book whose pages show what our templates write).
struct Written {
    chapter: String,
    contributors: String,
}

fn write_book(pieces: &[Piece], plain: Option<&str>) -> Written {
    let mut title = "Chapitre".to_string();
    let mut abstract_ = None;
    let mut bio = "Une bio.".to_string();
    let mut body = String::new();
    let mut notes = String::new();
    for (n, piece) in pieces.iter().enumerate() {
        let f = plain.unwrap_or(piece.fragment);
        let cell = f.replace('|', "\\|");
        let block = match piece.place {
            Place::Title => {
                title = format!("Titre {f}");
                continue;
            }
            Place::Abstract => {
                abstract_ = Some(format!("Résumé {f} fin."));
                continue;
            }
            Place::Bio => {
                bio = format!("Bio {f} fin.");
                continue;
            }
            Place::Footnote => {
                notes.push_str(&format!("[^n{n}]: Note {f} fin.\n\n"));
                format!("Appel[^n{n}] ici.")
            }
            Place::Paragraph => format!("Texte {f} fin."),
            Place::Heading => format!("## Section {f}"),
            Place::TableHeader => format!("| a {cell} | b |\n|---|---|\n| c | d |"),
            Place::TableCell => format!("| a | b |\n|---|---|\n| c | {cell} |"),
            Place::TableCaption => {
                format!("| a | b |\n|---|---|\n| c | d |\n\nTable: Légende {f}")
            }
            Place::ListItem => format!("- un {f}\n- deux"),
            Place::NestedItem => format!("1. un\n   - sous {f}"),
            Place::TaskItem => format!("- [ ] tâche {f}\n- [x] faite"),
            Place::Quote => format!("> cité {f}"),
            Place::Alert => format!("> [!WARNING]\n> alerte {f}"),
            Place::FigureCaption => format!("![légende {f}](images/a.svg)"),
            Place::Emphasis => format!("*emph {f}* et **fort {f}** et ~~barré {f}~~"),
            Place::LinkText => format!("[lien {f}](https://example.org/)"),
            Place::HtmlBlock => format!("<div class=\"b\">\n{f}\n</div>\n\n{f}"),
            Place::RawHtmlBlock => format!("```{{=html}}\n{f}\n```"),
        };
        let mut block = block;
        for wrapper in &piece.wrappers {
            let (first, rest) = match wrapper {
                Wrapper::Quote => ("> ", "> "),
                Wrapper::Item => ("- ", "  "),
                Wrapper::Alert => ("> ", "> "),
            };
            let mut out = String::new();
            if matches!(wrapper, Wrapper::Alert) {
                out.push_str("> [!NOTE]\n");
            }
            for (i, line) in block.lines().enumerate() {
                out.push_str(if i == 0 && !matches!(wrapper, Wrapper::Alert) {
                    first
                } else {
                    rest
                });
                out.push_str(line);
                out.push('\n');
            }
            block = out;
        }
        body.push_str(&block);
        body.push_str("\n\n");
    }
    let mut front = format!("---\ntitle: {}\nauthors: [ana]\n", quoted(&title));
    if let Some(a) = abstract_ {
        front.push_str(&format!("abstract: {}\n", quoted(&a)));
    }
    front.push_str("---\n\n");
    Written {
        chapter: format!("{front}{body}{notes}"),
        contributors: format!(
            "[ana]\nname = \"Ana\"\nemails = [\"ana@example.org\"]\nroles = [\"author\", \"editor\"]\nbio = {}\n",
            quoted(&bio)
        ),
    }
}

/// The book's root, its Typst session (the EPUB's cover) kept between
/// cases.
struct Bench {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    epub: EpubRenderer,
}

impl Bench {
    fn new() -> Self {
        let (tmp, root) = common::scratch_book_with_image();
        Bench {
            _tmp: tmp,
            root,
            epub: EpubRenderer {
                options: EpubOptions::default(),
                session: Default::default(),
            },
        }
    }

    /// Writes the book and returns every page of the site and every XHTML
    /// document of the EPUB, by name.
    fn build(&self, written: &Written, policy: &str) -> BTreeMap<String, String> {
        let w = |rel: &str, text: &str| std::fs::write(self.root.join(rel), text).unwrap();
        w(
            "book.toml",
            &format!(
                "[book]\ntitle = \"Livre\"\nlanguage = \"fr\"\neditors = [\"ana\"]\n\n[html]\nraw-html = \"{policy}\"\n"
            ),
        );
        w("contributors.toml", &written.contributors);
        w("chapters/a.md", &written.chapter);
        let mut sink = Sink::default();
        let book = ouvrage::pipeline::load_model(&self.root, &mut sink);
        let errors: Vec<String> = sink
            .diagnostics()
            .iter()
            .filter(|d| d.severity == ouvrage::diag::Severity::Error)
            .map(|d| format!("{} at {:?}", d.message, d.span))
            .collect();
        assert!(
            errors.is_empty(),
            "{policy}: the book has errors: {errors:#?}\n{}",
            written.chapter
        );
        let mut pages = BTreeMap::new();
        let site = HtmlRenderer {
            options: HtmlOptions::default(),
        }
        .site(&book)
        .unwrap_or_else(|e| panic!("{policy}: the site failed: {e:?}"));
        for (name, bytes) in site.files {
            if name.ends_with(".html") {
                pages.insert(format!("site/{name}"), String::from_utf8(bytes).unwrap());
            }
        }
        let epub = self
            .epub
            .files(&book)
            .unwrap_or_else(|e| panic!("{policy}: the EPUB failed: {e:?}"));
        for (name, bytes) in epub.files {
            if name.ends_with(".xhtml") {
                pages.insert(format!("epub/{name}"), String::from_utf8(bytes).unwrap());
            }
        }
        pages
    }
}

/// Whether a value, once the characters browsers ignore in a scheme are
/// gone, holds a URL with a scheme that runs code or makes a document:
/// at its start, or after a character that can start a URL inside a value
/// (`url(…)`, a list, `0;url=…`, quotes).
fn dangerous_url(value: &str) -> Option<&'static str> {
    let squeezed: String = value
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .flat_map(char::to_lowercase)
        .collect();
    ["javascript:", "vbscript:", "data:text/html"]
        .into_iter()
        .find(|scheme| {
            squeezed.match_indices(scheme).any(|(at, _)| {
                at == 0
                    || squeezed[..at]
                        .chars()
                        .next_back()
                        .is_some_and(|c| "(,;='\"".contains(c))
            })
        })
}

/// What a page holds that could run code: active elements and `on…`
/// attributes (described, to compare with the clean page), and the
/// attributes holding a dangerous URL.
fn active_content(page: &str) -> (Vec<String>, Vec<String>) {
    let doc = Html::parse_document(page);
    let (mut active, mut urls) = (Vec::new(), Vec::new());
    for node in doc.tree.nodes() {
        let Node::Element(element) = node.value() else {
            continue;
        };
        let name = element.name.local.to_ascii_lowercase();
        if ["script", "iframe", "object", "embed"].contains(&name.as_str()) {
            let text: String = node
                .descendants()
                .filter_map(|n| n.value().as_text().map(|t| t.to_string()))
                .collect();
            active.push(format!("<{name} {:?}>{text}", element.attrs));
        }
        for (attr, value) in element.attrs() {
            if attr.to_ascii_lowercase().starts_with("on") {
                active.push(format!("<{name} {attr}={value:?}>"));
            }
            if let Some(scheme) = dangerous_url(value) {
                urls.push(format!("<{name} {attr}={value:?}> ({scheme})"));
            }
        }
    }
    active.sort();
    (active, urls)
}

fn check(pieces: &[Piece], bench: &Bench) -> Result<(), TestCaseError> {
    let hostile = write_book(pieces, None);
    let clean = write_book(pieces, Some("texte"));
    for policy in ["escape", "sanitize", "allow"] {
        let baseline: BTreeMap<String, Vec<String>> = bench
            .build(&clean, policy)
            .into_iter()
            .map(|(name, page)| (name, active_content(&page).0))
            .collect();
        let pages = bench.build(&hostile, policy);
        prop_assert!(
            pages.len() >= 6,
            "{policy}: too few pages: {:?}",
            pages.keys()
        );
        for (name, page) in &pages {
            let (active, urls) = active_content(page);
            let own = baseline.get(name).cloned().unwrap_or_default();
            prop_assert_eq!(
                &active,
                &own,
                "{}: {} holds active content our templates do not write\n{}\n{}",
                policy,
                name,
                hostile.chapter,
                page
            );
            prop_assert!(
                urls.is_empty(),
                "{}: {} holds dangerous URLs: {:?}\n{}\n{}",
                policy,
                name,
                urls,
                hostile.chapter,
                page
            );
        }
    }
    Ok(())
}

#[test]
fn no_hostile_html_runs_in_any_container_under_any_policy() {
    let bench = Bench::new();
    let config = Config {
        cases: 48,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(22),
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    runner
        .run(&prop::collection::vec(piece(), 1..8), |pieces| {
            check(&pieces, &bench)
        })
        .unwrap();
}

/// Every fragment in every place, once: the property test samples these,
/// this walks them all (the regression of issue 22: raw HTML in a table
/// cell or a heading reached the site unsanitised).
#[test]
fn every_fragment_in_every_place_is_inert() {
    let bench = Bench::new();
    for &place in PLACES {
        let pieces: Vec<Piece> = FRAGMENTS
            .iter()
            .map(|&fragment| Piece {
                place,
                fragment,
                wrappers: Vec::new(),
            })
            .collect();
        // The title, the abstract and the bio hold one fragment each.
        let chunks: Vec<Vec<Piece>> =
            if matches!(place, Place::Title | Place::Abstract | Place::Bio) {
                pieces.into_iter().map(|p| vec![p]).collect()
            } else {
                vec![pieces]
            };
        for chunk in chunks {
            check(&chunk, &bench).unwrap();
        }
    }
}
