//! The printed pages in the EPUB and the site (issue 20): the PDF's layout
//! gives where each page begins; the EPUB gets a page list and page-break
//! marks (and declares pageNavigation), the site discreet page markers with
//! `[html] page-markers = true`, none by default. epubcheck runs on it in
//! `tests/epub_conformance.rs`.

mod common;

use common::*;
use ouvrage::diag::Sink;
use ouvrage::render::typst::{PdfOptions, Session, text};

/// The page list's entries: (document, fragment, page number).
fn page_list(nav: &str) -> Vec<(String, String, String)> {
    let doc = common::epub::xml(nav);
    let list = doc
        .descendants()
        .find(|n| {
            n.has_tag_name("nav")
                && n.attributes()
                    .any(|a| a.name() == "type" && a.value() == "page-list")
        })
        .expect("a page-list nav");
    list.descendants()
        .filter(|n| n.has_tag_name("a"))
        .map(|a| {
            let href = a.attribute("href").unwrap();
            let (file, fragment) = href.split_once('#').unwrap();
            (
                file.to_string(),
                fragment.to_string(),
                a.text().unwrap().to_string(),
            )
        })
        .collect()
}

/// Letters only, lowercase: page texts and XHTML compared whatever the
/// hyphenation, spaces and typography.
fn letters(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect()
}

#[test]
fn the_epub_lists_the_printed_pages_where_they_begin() {
    let (_tmp, book) = sample_book();
    ok(&book, &["build", "--pdf", "--epub"]);
    let epub = epub_in(&book.join("_book"));
    let entries = page_list(&epub_entry(&epub, "EPUB/nav.xhtml"));
    assert!(entries.len() > 20, "{entries:?}");
    // In page order, each page once.
    let numbers: Vec<usize> = entries.iter().map(|e| e.2.parse().unwrap()).collect();
    assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{numbers:?}");

    // Each page begins in the block its mark stands before: that block's
    // first words are on the page, or on the page before when the block
    // runs over the break.
    let mut sink = Sink::default();
    let model = ouvrage::pipeline::load_model(&book, &mut sink);
    let mut session = Session::for_book(&model, &Default::default()).unwrap();
    let compiled = session.compile(&model, &PdfOptions::default()).unwrap();
    let pages: Vec<String> = text::page_texts(&compiled.document)
        .iter()
        .map(|p| letters(p))
        .collect();
    let mut checked = 0;
    for (file, fragment, number) in &entries {
        let xhtml = epub_entry(&epub, &format!("EPUB/{file}"));
        let doc = common::epub::xml(&xhtml);
        let mark = doc
            .descendants()
            .find(|n| n.attribute("id") == Some(fragment.as_str()))
            .unwrap_or_else(|| panic!("no #{fragment} in {file}"));
        assert_eq!(
            mark.attributes()
                .find(|a| a.name() == "type")
                .map(|a| a.value()),
            Some("pagebreak")
        );
        assert_eq!(mark.attribute("aria-label"), Some(number.as_str()));
        let block = mark
            .next_siblings()
            .find(|n| {
                n.is_element()
                    && n.attribute("id") != mark.attribute("id")
                    && n.attributes()
                        .all(|a| a.name() != "type" || a.value() != "pagebreak")
            })
            .unwrap_or_else(|| panic!("nothing after #{fragment}"));
        let words: String = letters(
            &block
                .descendants()
                .filter(|n| n.is_text())
                .map(|n| n.text().unwrap_or(""))
                .collect::<Vec<_>>()
                .join(" "),
        )
        .chars()
        .take(12)
        .collect();
        // Text blocks only: a formula's or a table's text is not the PDF's.
        let text_block = ["p", "ul", "ol", "blockquote", "h2", "h3", "h4"]
            .iter()
            .any(|t| block.has_tag_name(*t));
        if words.len() < 6 || !text_block {
            continue;
        }
        let n: usize = number.parse().unwrap();
        let on = |i: usize| {
            pages
                .get(i.wrapping_sub(1))
                .is_some_and(|p| p.contains(&words))
        };
        assert!(
            on(n) || on(n - 1),
            "page {n} ({file}#{fragment}) begins in a block starting \"{words}\", found on neither page {n} nor {}",
            n - 1
        );
        checked += 1;
    }
    assert!(
        checked * 3 > entries.len() * 2,
        "{checked} of {} checked",
        entries.len()
    );

    let opf = epub_entry(&epub, "EPUB/package.opf");
    for expected in [
        "<meta property=\"schema:accessibilityFeature\">pageNavigation</meta>",
        "<meta property=\"schema:accessibilityFeature\">pageBreakMarkers</meta>",
        "<meta refines=\"#pagination-source\" property=\"source-of\">pagination</meta>",
    ] {
        assert!(opf.contains(expected), "{expected} in {opf}");
    }

    // An EPUB built without the PDF has no page list, and says so.
    let (_tmp, alone) = sample_book();
    ok(&alone, &["build", "--epub"]);
    let epub = epub_in(&alone.join("_book"));
    assert!(!epub_entry(&epub, "EPUB/nav.xhtml").contains("page-list"));
    assert!(!epub_entry(&epub, "EPUB/package.opf").contains("pageNavigation"));
}

#[test]
fn the_site_marks_the_printed_pages_only_when_asked() {
    let (_tmp, book) = sample_book();
    ok(&book, &["build", "--pdf", "--html", "--epub"]);
    let site = book.join("_book/html");
    let marked = |site: &std::path::Path| -> usize {
        walk(site)
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "html"))
            .map(|p| {
                std::fs::read_to_string(p)
                    .unwrap()
                    .matches("class=\"page-break\"")
                    .count()
            })
            .sum()
    };
    assert_eq!(marked(&site), 0, "off by default");

    edit(
        book.join("book.toml"),
        "[html]\n",
        "[html]\npage-markers = true\n",
    );
    ok(&book, &["build", "--pdf", "--html", "--epub"]);
    let epub = epub_in(&book.join("_book"));
    let entries = page_list(&epub_entry(&epub, "EPUB/nav.xhtml"));
    // The same pages as the EPUB's list, each at the same place.
    assert_eq!(marked(&site), entries.len());
    for (file, fragment, number) in &entries {
        let id = file.trim_start_matches("text/").trim_end_matches(".xhtml");
        let html = std::fs::read_to_string(site.join(format!("{id}.html"))).unwrap();
        let page = ouvrage_page(&html);
        let ids = attrs(&page, ".page-break", "id");
        assert!(ids.contains(fragment), "{fragment} in {id}.html");
        // "page 12", or the chapter's word ("pagina 12").
        assert!(
            html.contains(&format!(
                "id=\"{fragment}\" aria-label=\"page {number}\">{number}</span>"
            )) || html.contains(&format!(
                "id=\"{fragment}\" aria-label=\"pagina {number}\">{number}</span>"
            )),
            "{fragment} in {id}.html"
        );
    }
    assert!(check_site_links(&site) > 0);
}

fn ouvrage_page(html: &str) -> scraper::Html {
    scraper::Html::parse_document(html)
}
