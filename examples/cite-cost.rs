//! The smallest reproduction of what a citation costs inside hayagriva
//! (issue 21, point 2; bench/README.md, "Citations on a cold cache"),
//! with nothing of ouvrage in it: a generated BibLaTeX library, scopes of
//! distinct citations as a chapter makes them, formatted by hayagriva's
//! `BibliographyDriver` with a reference list, for a few styles of its
//! archive.
//!
//! ```text
//! cargo run --release --example cite-cost [-- ROUNDS]
//! ```
//!
//! It prints, for each style and scope size, the time per citation (the
//! median of ROUNDS runs, 5 by default), the scope citing distinct entries
//! (each one also a line of the reference list, to sort and disambiguate)
//! or one entry throughout (one line, nothing to disambiguate). A cost
//! that grows with the scope is the list's sort and disambiguation; one
//! that stays high with one entry is the style's rendering of a citation.

use std::time::{Duration, Instant};

use hayagriva::archive::{ArchivedStyle, locales};
use hayagriva::citationberg::{LocaleCode, Style};
use hayagriva::{BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, Library};

/// Entries of the generated library: as many as the corpus of bench/README.md.
const ENTRIES: usize = 300;

/// A library of `ENTRIES` works, a third each articles, books and chapters
/// in a collection, with a few shared surnames so that styles disambiguate.
fn library() -> Library {
    let surnames = ["Ostrom", "Hess", "Bollier", "Coriat", "Dardot", "Laval"];
    let mut bib = String::new();
    for i in 0..ENTRIES {
        let author = format!("{}, Anne{i}", surnames[i % surnames.len()]);
        let year = 1990 + i % 30;
        let entry = match i % 3 {
            0 => format!(
                "@article{{k{i}, author = {{{author}}}, title = {{Titre de l'article {i}}}, \
                 journaltitle = {{Revue des communs}}, volume = {{{v}}}, number = {{2}}, \
                 pages = {{10--30}}, date = {{{year}}}, doi = {{10.1000/x{i}}}}}\n",
                v = i % 12 + 1
            ),
            1 => format!(
                "@book{{k{i}, author = {{{author}}}, title = {{Titre du livre {i}}}, \
                 publisher = {{Éditions du commun}}, location = {{Lyon}}, date = {{{year}}}}}\n"
            ),
            _ => format!(
                "@incollection{{k{i}, author = {{{author}}}, title = {{Chapitre {i}}}, \
                 booktitle = {{Un ouvrage collectif}}, editor = {{Durand, Paul}}, \
                 publisher = {{Presses du commun}}, location = {{Paris}}, pages = {{45--67}}, \
                 date = {{{year}}}}}\n"
            ),
        };
        bib.push_str(&entry);
    }
    hayagriva::io::from_biblatex_str(&bib).expect("the generated library is valid BibLaTeX")
}

/// The time to format one scope of `cited` citations with its reference
/// list: of as many distinct entries when `distinct`, else all of the first
/// entry (one line in the list, and nothing to disambiguate).
fn scope(
    library: &Library,
    style: &hayagriva::citationberg::IndependentStyle,
    locales: &[hayagriva::citationberg::Locale],
    cited: usize,
    distinct: bool,
) -> Duration {
    let locale = LocaleCode("fr-FR".into());
    let entries: Vec<_> = match distinct {
        true => library
            .iter()
            .step_by(ENTRIES / cited)
            .take(cited)
            .collect(),
        false => library
            .iter()
            .take(1)
            .flat_map(|e| vec![e; cited])
            .collect(),
    };
    let started = Instant::now();
    let mut driver = BibliographyDriver::new();
    for entry in entries {
        let item = CitationItem::with_entry(entry);
        driver.citation(CitationRequest::from_items(vec![item], style, locales));
    }
    let rendered = driver.finish(BibliographyRequest {
        style,
        locale: Some(locale),
        locale_files: locales,
    });
    let elapsed = started.elapsed();
    assert_eq!(rendered.citations.len(), cited);
    elapsed
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let library = library();
    let locales = locales();
    println!("hayagriva: {ENTRIES} entries, median of {rounds} runs, µs per citation");
    println!(
        "{:<22} {:>6} {:>16} {:>16}",
        "style", "cited", "distinct entries", "one entry"
    );
    for name in ["chicago-author-date", "apa", "ieee", "iso-690-author-date"] {
        let Some(Style::Independent(style)) = ArchivedStyle::by_name(name).map(|s| s.get()) else {
            println!("{name:<22} (not in this hayagriva's archive)");
            continue;
        };
        for cited in [10, 30, 100] {
            let per = |distinct| {
                let times = (0..rounds)
                    .map(|_| scope(&library, &style, &locales, cited, distinct))
                    .collect();
                median(times).as_secs_f64() * 1e6 / cited as f64
            };
            println!(
                "{name:<22} {cited:>6} {:>16.0} {:>16.0}",
                per(true),
                per(false)
            );
        }
    }
}
