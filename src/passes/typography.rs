//! Typography by language (README "File formats in short"): typographic quotes and apostrophes
//! from straight ones, and in French the no-break spaces before `: ; ! ?`,
//! inside `« »` and between a number and its unit. Only text is touched:
//! code, math, raw HTML and URLs are other nodes and stay as written.

use crate::lang::Lang;
use crate::model::{Block, Book, Inline, block_inlines_mut, plain_text, walk_blocks_mut};

/// U+00A0, before a colon and between a number and its unit.
const NBSP: char = '\u{a0}';
/// U+202F, before `; ! ?` and inside guillemets.
const NNBSP: char = '\u{202f}';

/// The conventions of a language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    French,
    Italian,
    English,
    /// Other languages: apostrophes only.
    Plain,
}

impl Style {
    fn of(lang: &Lang) -> Style {
        match lang.primary() {
            "fr" => Style::French,
            "it" => Style::Italian,
            "en" => Style::English,
            _ => Style::Plain,
        }
    }
}

/// `text` between the quotation marks of `lang`, as its typography sets
/// them: « with narrow no-break spaces » in French, «senza» in Italian,
/// “these” in English and the languages without rules of their own.
pub fn quoted(text: &str, lang: &Lang) -> String {
    match Style::of(lang) {
        Style::French => format!("«{NNBSP}{text}{NNBSP}»"),
        Style::Italian => format!("«{text}»"),
        Style::English | Style::Plain => format!("“{text}”"),
    }
}

/// Applies the typography of each chapter's language to its text, and the
/// book's to the contributors' bios.
pub fn apply(book: &mut Book) {
    let lang = book.lang.clone();
    for person in &mut book.people {
        typeset_blocks(&mut person.bio, &lang);
    }
    // Part titles are the book's, in its language.
    for part in &mut book.parts {
        if let Some(title) = &mut part.title {
            *title = typeset_plain(title, Style::of(&lang));
        }
    }
    // Each chapter on its own, on every core.
    use rayon::prelude::*;
    book.chapters.par_iter_mut().for_each(|chapter| {
        // A title or abstract in another language follows that language's.
        for (lang, blocks) in chapter.block_lists_with_lang_mut() {
            typeset_blocks(blocks, &lang);
        }
        // The title is the first of the block lists: its plain text follows.
        chapter.title = plain_text(chapter.title_inlines());
    });
}

/// Every text of `blocks`, nested ones included, in the language `lang`;
/// an alert without a title of its own is headed with the word of that
/// language for its kind.
fn typeset_blocks(blocks: &mut [Block], lang: &Lang) {
    let style = Style::of(lang);
    let mut fix = |inlines: &mut Vec<Inline>| typeset_inlines(inlines, style);
    walk_blocks_mut(blocks, &mut |block| {
        if let crate::model::BlockKind::Alert { kind, title, .. } = &mut block.kind {
            *title = if title.trim().is_empty() {
                lang.labels().alerts.of(kind).to_string()
            } else {
                typeset_plain(title.trim(), style)
            };
        }
        block_inlines_mut(block, &mut fix)
    });
}

/// A plain title (a part's, an alert's) with the typography of `style`.
fn typeset_plain(text: &str, style: Style) -> String {
    let mut run = [Inline::Text(text.to_string())];
    typeset_inlines(&mut run, style);
    let [Inline::Text(text)] = run else {
        unreachable!("one text stays one text")
    };
    text
}

/// One run of inlines, the character before each text carried across
/// emphasis and links so that `"*mot*"` gets both its quotes right.
fn typeset_inlines(inlines: &mut [Inline], style: Style) {
    let mut prev = None;
    let mut open = false;
    walk(inlines, style, &mut prev, &mut open);
}

fn walk(inlines: &mut [Inline], style: Style, prev: &mut Option<char>, open: &mut bool) {
    for inline in inlines {
        match inline {
            Inline::Text(text) => {
                *text = typeset(text, style, prev, open);
            }
            Inline::Emph(c)
            | Inline::Strong(c)
            | Inline::Strike(c)
            | Inline::Sup(c)
            | Inline::Sub(c)
            | Inline::SmallCaps(c)
            | Inline::Link { content: c, .. } => walk(c, style, prev, open),
            Inline::IndexTerm(m) => walk(&mut m.content, style, prev, open),
            Inline::SoftBreak | Inline::LineBreak => *prev = Some(' '),
            // Code, math, HTML, images, notes: untouched, but they are
            // something before the next text.
            _ => *prev = Some('x'),
        }
    }
}

fn is_word(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric())
}

/// Units a number keeps on its line.
const UNITS: &[&str] = &[
    "%", "‰", "€", "$", "£", "°C", "°", "km", "m", "cm", "mm", "kg", "g", "mg", "t", "ha", "h",
    "min", "s", "l", "L", "ml", "kWh", "MWh", "W", "kW", "Mo", "Go", "ko",
];

fn starts_with_unit(rest: &str) -> bool {
    UNITS.iter().any(|u| {
        rest.starts_with(u)
            && !rest[u.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric())
    })
}

/// One text node. `prev` is the character before it; `open` whether a
/// double quote is open.
fn typeset(text: &str, style: Style, prev: &mut Option<char>, open: &mut bool) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let french = style == Style::French;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let before = out.chars().next_back().or(*prev);
        match c {
            '\'' | '’' => {
                let opening = !is_word(before) && is_word(next) && style == Style::English;
                out.push(if opening { '‘' } else { '’' });
            }
            '"' => {
                let opening = !*open;
                *open = !*open;
                match (style, opening) {
                    (Style::French, true) => {
                        out.push('«');
                        out.push(NNBSP);
                        if next == Some(' ') {
                            chars.next();
                        }
                    }
                    (Style::French, false) => {
                        trim_space(&mut out);
                        out.push(NNBSP);
                        out.push('»');
                    }
                    (Style::Italian, true) => out.push('«'),
                    (Style::Italian, false) => out.push('»'),
                    (_, true) => out.push('“'),
                    (_, false) => out.push('”'),
                }
            }
            '«' if french => {
                out.push('«');
                out.push(NNBSP);
                if matches!(next, Some(' ') | Some(NBSP) | Some(NNBSP)) {
                    chars.next();
                }
            }
            '»' if french => {
                trim_space(&mut out);
                out.push(NNBSP);
                out.push('»');
            }
            ';' | '!' | '?' if french => {
                // "?!" keeps together; a space typed before becomes narrow.
                if !matches!(before, Some(';' | '!' | '?')) && before.is_some() {
                    trim_space(&mut out);
                    if !out.is_empty() || prev.is_some_and(|p| !p.is_whitespace()) {
                        out.push(NNBSP);
                    }
                }
                out.push(c);
            }
            ':' if french => {
                // Not in 10:30, nor in a URL-like `a:b`.
                let between_digits = before.is_some_and(|b| b.is_ascii_digit())
                    && next.is_some_and(|n| n.is_ascii_digit());
                let ends_word = next.is_none_or(|n| n.is_whitespace());
                if !between_digits && ends_word && before.is_some() {
                    trim_space(&mut out);
                    if !out.is_empty() || prev.is_some_and(|p| !p.is_whitespace()) {
                        out.push(NBSP);
                    }
                }
                out.push(c);
            }
            ' ' if french
                && before.is_some_and(|b| b.is_ascii_digit())
                && starts_with_unit(&text[at + 1..]) =>
            {
                out.push(NBSP);
            }
            _ => out.push(c),
        }
    }
    if let Some(last) = out.chars().last() {
        *prev = Some(last);
    }
    out
}

/// Removes one ordinary space at the end of `out`.
fn trim_space(out: &mut String) {
    if out.ends_with(' ') || out.ends_with(NBSP) || out.ends_with(NNBSP) {
        out.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::{Inline, Style, typeset, typeset_inlines};

    fn t(text: &str, style: Style) -> String {
        typeset(text, style, &mut None, &mut false)
    }

    #[test]
    fn chapter_titles_get_the_typography_of_their_language() {
        let mut sink = crate::diag::Sink::default();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("book.toml"),
            "[book]\ntitle = \"T\"\nlanguage = \"fr\"\n",
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("chapters")).unwrap();
        std::fs::write(
            dir.path().join("chapters/a.md"),
            "---\ntitle: \"L'enquête : pourquoi ?\"\n---\n\nTexte.\n",
        )
        .unwrap();
        let book = crate::pipeline::load_model(dir.path(), &mut sink);
        assert_eq!(book.chapters[0].title, "L’enquête\u{a0}: pourquoi\u{202f}?");
    }

    #[test]
    fn french() {
        let s = Style::French;
        assert_eq!(
            t("Pourquoi ? Parce que !", s),
            "Pourquoi\u{202f}? Parce que\u{202f}!"
        );
        assert_eq!(
            t("Voici: la liste; fin", s),
            "Voici\u{a0}: la liste\u{202f}; fin"
        );
        assert_eq!(t("« Bonjour »", s), "«\u{202f}Bonjour\u{202f}»");
        assert_eq!(t("«Bonjour»", s), "«\u{202f}Bonjour\u{202f}»");
        assert_eq!(
            t("il dit \"oui\" puis", s),
            "il dit «\u{202f}oui\u{202f}» puis"
        );
        assert_eq!(t("l'économie d'aujourd'hui", s), "l’économie d’aujourd’hui");
        assert_eq!(
            t("12 % et 30 km, 2024 les", s),
            "12\u{a0}% et 30\u{a0}km, 2024 les"
        );
        assert_eq!(t("à 10:30 ou ?!", s), "à 10:30 ou\u{202f}?!");
        assert_eq!(
            t("Déjà typographié\u{202f}!", s),
            "Déjà typographié\u{202f}!"
        );
    }

    #[test]
    fn italian_and_english() {
        assert_eq!(
            t("la \"scuola\" dell'arte", Style::Italian),
            "la «scuola» dell’arte"
        );
        assert_eq!(t("Oui ! a \"b\"", Style::English), "Oui ! a “b”");
        assert_eq!(t("it's 'quoted'", Style::English), "it’s ‘quoted’");
    }

    #[test]
    fn quotes_across_emphasis_and_code_untouched() {
        let mut run = vec![
            Inline::Text("Il dit \"".into()),
            Inline::Emph(vec![Inline::Text("non".into())]),
            Inline::Text("\" : ".into()),
            Inline::Code("a: \"b\" ?".into()),
        ];
        typeset_inlines(&mut run, Style::French);
        assert_eq!(run[0], Inline::Text("Il dit «\u{202f}".into()));
        assert_eq!(run[2], Inline::Text("\u{202f}»\u{a0}: ".into()));
        assert_eq!(run[3], Inline::Code("a: \"b\" ?".into()));
    }
}
