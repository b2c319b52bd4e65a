//! A complete book in memory: `book.toml` with parts, `contributors.toml`,
//! `references.bib`, generated images, and chapters in French (and some in
//! Italian, `lang: it`) with sections (some with `{#sec:…}` ids), footnotes,
//! tables with `Table: … {#tbl:…}` captions, figures with `{#fig:…}`,
//! Pandoc citations (`[@k]`, `[@k, p. 12]`, `@k`, `[@a; @b]`, `[-@k]`),
//! cross-references within and across chapters, fenced code, lists, quotes
//! and `$…$` math. Everything is drawn from the seed.

use std::fmt::Write as _;
use std::path::Path;

use super::images;
use super::rng::Rng;
use super::text::{Lang, Lexicon, ascii, capitalize, count_words, person_name};

/// What to generate.
#[derive(Clone, Debug)]
pub struct Options {
    /// Chapters of the finished book.
    pub chapters: usize,
    /// Words in all (the pseudo-text's words; markup is not counted).
    pub words: usize,
    /// Contributors (at least 5).
    pub contributors: usize,
    /// Seed of the generator.
    pub seed: u64,
    /// One more chapter, at the end and referenced by no other, that a
    /// history may delete (so that the book at HEAD has `chapters`).
    pub extra_chapter: bool,
}

/// A contributor.
pub struct Person {
    pub id: String,
    pub name: String,
    pub email: String,
    pub affiliation: String,
    pub editor: bool,
    pub bio: Option<String>,
}

/// One block of a chapter's body, as Markdown.
pub struct Block {
    pub text: String,
    /// A paragraph that a history may rewrite (no footnote, no label in it).
    pub editable: bool,
}

/// A chapter.
pub struct Chapter {
    pub id: String,
    /// File name under `chapters/`.
    pub file: String,
    pub title: String,
    pub lang: Lang,
    pub authors: Vec<usize>,
    pub reviewers: [usize; 2],
    pub numbered: bool,
    pub abstract_: Option<String>,
    pub keywords: Vec<String>,
    pub blocks: Vec<Block>,
    /// Footnote definitions, `[^k]: …` for k = 1, 2, …
    pub notes: Vec<String>,
    /// The front matter names the id (after a rename).
    pub explicit_id: bool,
    /// The labels it defines (`fig:…`, `tbl:…`, `sec:…`).
    pub labels: Vec<String>,
    /// Never submitted for review in a history.
    pub late: bool,
}

/// Counts of what the book holds.
#[derive(Default, Debug, Clone)]
pub struct Stats {
    pub words: usize,
    pub sections: usize,
    pub figures: usize,
    pub tables: usize,
    pub footnotes: usize,
    pub citations: usize,
    pub crossrefs: usize,
    pub code_blocks: usize,
    pub formulas: usize,
    pub entries: usize,
}

/// The whole book.
pub struct Book {
    pub options: Options,
    pub title: String,
    pub people: Vec<Person>,
    pub chapters: Vec<Chapter>,
    /// Part titles and the chapters (indices) in each.
    pub parts: Vec<(String, Vec<usize>)>,
    pub bib: String,
    pub bib_keys: Vec<String>,
    /// Images, by path under `chapters/`.
    pub images: Vec<(String, Vec<u8>)>,
    /// The chapter a history may delete.
    pub extra: Option<usize>,
    pub stats: Stats,
    lexicons: [Lexicon; 2],
    /// Labels of every chapter but the extra one.
    global_labels: Vec<String>,
}

/// What a paragraph may draw on.
struct Ctx<'a> {
    lex: &'a Lexicon,
    keys: &'a [String],
    own: &'a [String],
    others: &'a [String],
    /// Footnote labels are `[^<prefix><k>]`: unique in the book, so that the
    /// chapters can be concatenated (for pandoc).
    notes_prefix: &'a str,
}

/// The footnote label prefix of chapter `c` (from 0).
fn notes_prefix(c: usize) -> String {
    format!("n{:03}-", c + 1)
}

const FORMULAS: &[&str] = &[
    r"p = L / T",
    r"a^2 + b^2 = c^2",
    r"\frac{a}{b}",
    r"x_i",
    r"\sum_{k=1}^{n} x_k",
    r"\alpha + \beta",
    r"R_p",
    r"P_1, \dots, P_n",
    r"\bar{x}",
    r"\sqrt{2}",
];

const DISPLAY_FORMULAS: &[&str] = &[
    r"\tau = \frac{R_p}{D} \times 100",
    r"s = \frac{1}{R} \sum_{k=1}^{n} P_k",
    r"\bar{x} = \frac{1}{n} \sum_{i=1}^n x_i",
    r"\sigma^2 = \frac{1}{n} \sum_{i=1}^{n} (x_i - \bar{x})^2",
];

/// Puts `insert` before the sentence's final punctuation.
fn before_end(sentence: &mut String, insert: &str) {
    let cut = if sentence.ends_with(" ?") || sentence.ends_with(" !") {
        sentence.len() - 2
    } else if sentence.ends_with(['.', '?', '!']) {
        sentence.len() - 1
    } else {
        sentence.len()
    };
    sentence.insert_str(cut, insert);
}

fn citation(ctx: &Ctx, rng: &mut Rng) -> String {
    let k = rng.skewed(ctx.keys);
    let page = rng.range(2, 380);
    let fr = ctx.lex.lang == Lang::Fr;
    match rng.below(7) {
        0 | 1 => format!(" [@{k}]"),
        2 => format!(" [@{k}, p. {page}]"),
        3 => {
            let other = loop {
                let o = rng.pick(ctx.keys);
                if o != k || ctx.keys.len() == 1 {
                    break o;
                }
            };
            format!(" [@{k}; @{other}]")
        }
        4 => {
            if fr {
                format!(" [voir @{k}, p. {page}-{}]", page + rng.range(1, 9))
            } else {
                format!(" [cfr. @{k}, p. {page}]")
            }
        }
        5 => format!(" [-@{k}]"),
        _ => {
            if fr {
                format!(", comme l'écrit @{k} [p. {page}]")
            } else {
                format!(", come scrive @{k}")
            }
        }
    }
}

fn crossref(ctx: &Ctx, rng: &mut Rng) -> Option<String> {
    let pool = if !ctx.others.is_empty() && (ctx.own.is_empty() || rng.chance(20)) {
        ctx.others
    } else {
        ctx.own
    };
    if pool.is_empty() {
        return None;
    }
    let label = rng.pick(pool);
    let fr = ctx.lex.lang == Lang::Fr;
    Some(match (label.split(':').next(), fr) {
        (Some("fig"), true) => format!(", comme le montre la @{label}"),
        (Some("fig"), false) => format!(", come mostra la @{label}"),
        (Some("tbl"), true) => format!(" (voir le @{label})"),
        (Some("tbl"), false) => format!(" (si veda la @{label})"),
        (_, true) => format!(", comme on le verra dans la @{label}"),
        (_, false) => format!(", come si vedrà nella @{label}"),
    })
}

/// Wraps a word of the sentence (not the first) in `*…*` or `**…**`.
fn emphasise(sentence: &mut String, rng: &mut Rng, mark: &str) {
    if sentence.contains(['$', '`', '[']) {
        return;
    }
    let words: Vec<&str> = sentence.split(' ').collect();
    if words.len() < 4 {
        return;
    }
    let i = rng.range(1, words.len() - 2);
    if !words[i].chars().all(|c| c.is_alphabetic() || c == '\'') {
        return;
    }
    let mut out = String::with_capacity(sentence.len() + 4);
    for (j, w) in words.iter().enumerate() {
        if j > 0 {
            out.push(' ');
        }
        if j == i {
            out.push_str(mark);
            out.push_str(w);
            out.push_str(mark);
        } else {
            out.push_str(w);
        }
    }
    *sentence = out;
}

/// A paragraph of about `target` words. With `notes`, it may call footnotes,
/// whose definitions are pushed there.
fn paragraph(
    ctx: &Ctx,
    rng: &mut Rng,
    target: usize,
    mut notes: Option<&mut Vec<String>>,
    stats: &mut Stats,
) -> String {
    let mut sentences: Vec<String> = Vec::new();
    let mut words = 0;
    while words < target {
        let mut s = ctx.lex.sentence(rng);
        if rng.chance(12) {
            stats.citations += 1;
            let c = citation(ctx, rng);
            before_end(&mut s, &c);
        } else if rng.chance(5) {
            if let Some(r) = crossref(ctx, rng) {
                stats.crossrefs += 1;
                before_end(&mut s, &r);
            }
        } else if rng.chance(3) {
            stats.formulas += 1;
            let f = format!(
                "{} ${}$",
                if ctx.lex.lang == Lang::Fr {
                    ", soit"
                } else {
                    ", cioè"
                },
                rng.pick(FORMULAS)
            );
            before_end(&mut s, &f);
        } else if rng.chance(2) {
            let noun = ascii(&ctx.lex.noun(rng).word);
            let code = if ctx.lex.lang == Lang::Fr {
                format!(" dans le fichier `{noun}.toml`")
            } else {
                format!(" nel file `{noun}.toml`")
            };
            before_end(&mut s, &code);
        } else if rng.chance(2) {
            let noun = ascii(&ctx.lex.noun(rng).word);
            let link = format!(" ([en ligne](https://example.org/{noun}))");
            before_end(&mut s, &link);
        }
        if rng.chance(8) {
            emphasise(&mut s, rng, "*");
        } else if rng.chance(2) {
            emphasise(&mut s, rng, "**");
        }
        if let Some(notes) = notes.as_deref_mut()
            && rng.chance(4)
        {
            let mut note = ctx.lex.sentence(rng);
            if rng.chance(50) {
                stats.citations += 1;
                let c = citation(ctx, rng);
                before_end(&mut note, &c);
            }
            if rng.chance(40) {
                note.push(' ');
                note.push_str(&ctx.lex.sentence(rng));
            }
            notes.push(note);
            stats.footnotes += 1;
            let mark = format!("[^{}{}]", ctx.notes_prefix, notes.len());
            before_end(&mut s, &mark);
        }
        words += count_words(&s);
        sentences.push(s);
    }
    sentences.join(" ")
}

/// Lines of at most about 78 characters, never starting with a character
/// that would open a block (list, heading, quote, table), and never broken
/// inside brackets (citations, link texts), before a locator or inside math.
pub fn wrap(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 70);
    let mut line = 0;
    let mut depth = 0i32;
    let mut dollars = 0usize;
    for (i, word) in text.split(' ').enumerate() {
        let risky = word.starts_with(['-', '+', '*', '#', '>', '=', '|', '`', '$', '['])
            || word.starts_with(|c: char| c.is_ascii_digit());
        if i > 0 {
            let inside = depth > 0 || dollars % 2 == 1;
            if line + 1 + word.chars().count() > 78 && !risky && !inside {
                out.push('\n');
                line = 0;
            } else {
                out.push(' ');
                line += 1;
            }
        }
        out.push_str(word);
        line += word.chars().count();
        for ch in word.chars() {
            match ch {
                '[' => depth += 1,
                ']' => depth -= 1,
                '$' => dollars += 1,
                _ => {}
            }
        }
    }
    out
}

fn table(ctx: &Ctx, rng: &mut Rng, caption: &str, label: &str) -> String {
    let cols = rng.range(3, 5);
    let rows = rng.range(3, 7);
    let mut s = format!("Table: {caption} {{#{label}}}\n\n|");
    for _ in 0..cols {
        let head = capitalize(&ctx.lex.noun(rng).word);
        let _ = write!(s, " {head} |");
    }
    s.push_str("\n|");
    for c in 0..cols {
        s.push_str(if c == 0 { " :--- |" } else { " ---: |" });
    }
    for _ in 0..rows {
        s.push_str("\n|");
        for c in 0..cols {
            let cell = match c {
                0 => ctx.lex.phrase(rng),
                1 => format!("{}", rng.range(1, 9999)),
                _ => format!("{},{} %", rng.range(0, 99), rng.below(10)),
            };
            let _ = write!(s, " {cell} |");
        }
    }
    s
}

fn code_block(ctx: &Ctx, rng: &mut Rng) -> String {
    let a = ascii(&ctx.lex.noun(rng).word);
    let b = ascii(&ctx.lex.noun(rng).word);
    let c = ascii(&ctx.lex.noun(rng).word);
    match rng.below(4) {
        0 => format!(
            "```toml\n[{a}]\n{b} = \"{c}\"\nseuil = {}\nactif = true\n```",
            rng.range(1, 99)
        ),
        1 => format!(
            "```python\ndef {a}({b}, {c}=2):\n    \"\"\"Calcule la part de {b}.\"\"\"\n    total = sum({b})\n    return [x / total for x in {b}][:{c}]\n```"
        ),
        2 => format!(
            "```sh\ngit switch -c {a}\nouvrage submit {b} -m \"Prêt pour relecture\"\nouvrage status --by contributor\n```"
        ),
        _ => format!(
            "```json\n{{\n  \"{a}\": {},\n  \"{b}\": [\"{c}\", \"{a}\"],\n  \"actif\": false\n}}\n```",
            rng.range(1, 500)
        ),
    }
}

fn list(ctx: &Ctx, rng: &mut Rng) -> String {
    let n = rng.range(3, 5);
    let numbered = rng.chance(30);
    let mut s = String::new();
    for i in 0..n {
        if i > 0 {
            s.push('\n');
        }
        let item = if numbered {
            format!("{}. {}", i + 1, ctx.lex.sentence(rng))
        } else {
            let end = if i + 1 == n {
                "."
            } else if ctx.lex.lang == Lang::Fr {
                " ;"
            } else {
                ";"
            };
            format!("- {}{end}", ctx.lex.phrase(rng))
        };
        s.push_str(&item);
    }
    s
}

/// The plan of a chapter, made before any text so that cross-references
/// can name labels of chapters not written yet.
struct Plan {
    budget: usize,
    sections: usize,
    section_labels: Vec<Option<String>>,
    figures: Vec<String>,
    tables: Vec<String>,
}

impl Book {
    /// Generates the book.
    pub fn generate(options: &Options) -> Book {
        assert!(options.chapters >= 1, "at least one chapter");
        assert!(options.contributors >= 5, "at least five contributors");
        let mut root = Rng(options.seed ^ 0x6f75_7672_6167_6521);
        let mut lex_rng = root.fork();
        let lexicons = [
            Lexicon::new(Lang::Fr, &mut lex_rng),
            Lexicon::new(Lang::It, &mut lex_rng),
        ];
        let mut stats = Stats::default();

        // People.
        let mut rng = root.fork();
        let mut people: Vec<Person> = Vec::new();
        const PLACES: &[&str] = &[
            "Université de Montclarin",
            "Université de Valbrune",
            "Institut des communs de Sorelle",
            "Università di Castelvento",
            "Istituto di studi di Rocca Alta",
            "Coopérative d'études de Lunel-Haut",
            "Laboratoire imaginaire des usages",
        ];
        while people.len() < options.contributors {
            let (first, last) = person_name(&mut rng);
            let mut id = ascii(&last);
            let mut k = 2;
            while people.iter().any(|p| p.id == id) {
                id = format!("{}{k}", ascii(&last));
                k += 1;
            }
            let editor = people.len() < 2;
            let name = format!("{first} {last}");
            let bio = rng.chance(60).then(|| {
                format!("{name} est une personne fictive, générée pour le corpus de mesure.")
            });
            people.push(Person {
                email: format!("{}.{}@example.org", ascii(&first), id),
                id,
                name,
                affiliation: rng.pick(PLACES).to_string(),
                editor,
                bio,
            });
        }

        // Bibliography.
        let mut rng = root.fork();
        let entries = (options.chapters * 3).clamp(30, 400);
        let (bib, bib_keys) = bibliography(&lexicons, &mut rng, entries);
        stats.entries = bib_keys.len();

        // Plans.
        let mut rng = root.fork();
        let total = options.chapters + usize::from(options.extra_chapter);
        let weights: Vec<usize> = (0..options.chapters).map(|_| rng.range(70, 130)).collect();
        let sum: usize = weights.iter().sum();
        let mut plans: Vec<Plan> = Vec::new();
        for n in 0..total {
            // The section loops overshoot by about half a paragraph: 3 %.
            let budget = if let Some(weight) = weights.get(n) {
                (options.words * 97 / 100 * weight / sum).max(50)
            } else {
                (options.words / options.chapters / 2).max(50)
            };
            let sections = (budget / 550).clamp(1, 12);
            let section_labels = (0..sections)
                .map(|s| {
                    rng.chance(60)
                        .then(|| format!("sec:c{:03}-{}", n + 1, s + 1))
                })
                .collect();
            let figures = (0..1 + budget / 2500)
                .map(|k| format!("fig:c{:03}-{}", n + 1, k + 1))
                .collect();
            let tables = (0..1 + budget / 3500)
                .map(|k| format!("tbl:c{:03}-{}", n + 1, k + 1))
                .collect();
            plans.push(Plan {
                budget,
                sections,
                section_labels,
                figures,
                tables,
            });
        }
        let labels_of = |p: &Plan| -> Vec<String> {
            p.section_labels
                .iter()
                .flatten()
                .chain(&p.figures)
                .chain(&p.tables)
                .cloned()
                .collect()
        };
        let global_labels: Vec<String> = plans[..options.chapters]
            .iter()
            .flat_map(labels_of)
            .collect();

        // Chapters.
        let editors: Vec<usize> = (0..people.len()).filter(|&i| people[i].editor).collect();
        let mut chapters = Vec::new();
        let mut images = Vec::new();
        for (n, plan) in plans.iter().enumerate() {
            let mut rng = root.fork();
            let foreword = n == 0 && options.chapters > 1;
            let extra = n >= options.chapters;
            let lang = if !foreword && rng.chance(15) {
                Lang::It
            } else {
                Lang::Fr
            };
            let lex = &lexicons[usize::from(lang == Lang::It)];
            let authors = if foreword {
                editors.clone()
            } else {
                let first = rng.below(people.len());
                let mut authors = vec![first];
                if rng.chance(25) {
                    let second = loop {
                        let c = rng.below(people.len());
                        if c != first {
                            break c;
                        }
                    };
                    authors.push(second);
                }
                authors
            };
            let mut others = Vec::with_capacity(2);
            while others.len() < 2 {
                let c = rng.below(people.len());
                if !authors.contains(&c) && !others.contains(&c) {
                    others.push(c);
                }
            }
            let (title, slug) = if foreword {
                ("Avant-propos".to_string(), "avant-propos".to_string())
            } else if extra {
                (
                    "Annexe provisoire".to_string(),
                    "annexe-provisoire".to_string(),
                )
            } else {
                let head = lex.label(&mut rng);
                let tail = lex.phrase(&mut rng);
                let sep = if lang == Lang::Fr { " : " } else { ": " };
                let slug = ascii(head.split(' ').next().unwrap_or("chapitre"));
                (format!("{head}{sep}{tail}"), slug)
            };
            let id = format!("{slug}-{:03}", n + 1);
            let own = labels_of(plan);
            let prefix = notes_prefix(n);
            let ctx = Ctx {
                lex,
                keys: &bib_keys,
                own: &own,
                others: &global_labels,
                notes_prefix: &prefix,
            };
            let abstract_ = (!foreword && rng.chance(40))
                .then(|| format!("{} {}", lex.sentence(&mut rng), lex.sentence(&mut rng)));
            let keywords = if rng.chance(50) {
                (0..rng.range(3, 5))
                    .map(|_| lex.noun(&mut rng).word)
                    .collect()
            } else {
                Vec::new()
            };

            // Where figures, tables, code, lists, quotes and formulas go.
            let at_section = |rng: &mut Rng, count: usize| -> Vec<usize> {
                (0..count).map(|_| rng.below(plan.sections)).collect()
            };
            let figure_at = at_section(&mut rng, plan.figures.len());
            let table_at = at_section(&mut rng, plan.tables.len());
            let code_count = plan.budget / 4000 + usize::from(rng.chance(50));
            let code_at = at_section(&mut rng, code_count);

            let mut blocks: Vec<Block> = Vec::new();
            let mut notes: Vec<String> = Vec::new();
            let mut words = 0usize;
            let per_section = plan.budget / plan.sections;
            for s in 0..plan.sections {
                let heading = lex.label(&mut rng);
                words += count_words(&heading);
                stats.sections += 1;
                let text = match &plan.section_labels[s] {
                    Some(label) => format!("## {heading} {{#{label}}}"),
                    None => format!("## {heading}"),
                };
                blocks.push(Block {
                    text,
                    editable: false,
                });
                let section_end = (per_section * (s + 1)).min(plan.budget);
                let mut first = true;
                let mut sub = per_section > 500 && rng.chance(60);
                while words < section_end || first {
                    let target = rng
                        .range(50, 120)
                        .min(section_end.saturating_sub(words).max(20));
                    let with_notes = rng.chance(50);
                    let before = notes.len();
                    let p = paragraph(
                        &ctx,
                        &mut rng,
                        target,
                        with_notes.then_some(&mut notes),
                        &mut stats,
                    );
                    words += count_words(&p);
                    blocks.push(Block {
                        editable: notes.len() == before,
                        text: wrap(&p),
                    });
                    if first {
                        first = false;
                        for (k, _) in figure_at.iter().enumerate().filter(|(_, at)| **at == s) {
                            let caption = lex.label(&mut rng);
                            words += count_words(&caption);
                            let label = &plan.figures[k];
                            let name = label.trim_start_matches("fig:");
                            let file = if rng.chance(25) {
                                let file = format!("images/{name}.png");
                                images.push((file.clone(), images::png(&mut rng, 240, 150)));
                                file
                            } else {
                                let file = format!("images/{name}.svg");
                                images.push((file.clone(), images::svg(&mut rng, &caption)));
                                file
                            };
                            stats.figures += 1;
                            blocks.push(Block {
                                text: format!("![{caption}]({file}){{#{label}}}"),
                                editable: false,
                            });
                        }
                        for (k, _) in table_at.iter().enumerate().filter(|(_, at)| **at == s) {
                            let caption = lex.label(&mut rng);
                            words += count_words(&caption);
                            stats.tables += 1;
                            blocks.push(Block {
                                text: table(&ctx, &mut rng, &caption, &plan.tables[k]),
                                editable: false,
                            });
                        }
                        for _ in code_at.iter().filter(|at| **at == s) {
                            stats.code_blocks += 1;
                            blocks.push(Block {
                                text: code_block(&ctx, &mut rng),
                                editable: false,
                            });
                        }
                    } else if sub && words * 2 > section_end + (section_end - per_section) {
                        sub = false;
                        let heading = lex.label(&mut rng);
                        words += count_words(&heading);
                        blocks.push(Block {
                            text: format!("### {heading}"),
                            editable: false,
                        });
                    } else if rng.chance(8) {
                        let l = list(&ctx, &mut rng);
                        words += count_words(&l);
                        blocks.push(Block {
                            text: l,
                            editable: false,
                        });
                    } else if rng.chance(5) {
                        let mut q =
                            format!("{} {}", lex.sentence(&mut rng), lex.sentence(&mut rng));
                        stats.citations += 1;
                        let c = citation(&ctx, &mut rng);
                        before_end(&mut q, &c);
                        words += count_words(&q);
                        blocks.push(Block {
                            text: wrap(&q)
                                .lines()
                                .map(|l| format!("> {l}"))
                                .collect::<Vec<_>>()
                                .join("\n"),
                            editable: false,
                        });
                    } else if rng.chance(3) {
                        stats.formulas += 1;
                        blocks.push(Block {
                            text: format!("$${}$$", rng.pick(DISPLAY_FORMULAS)),
                            editable: false,
                        });
                    }
                }
            }
            if !extra {
                stats.words += words
                    + abstract_.as_deref().map_or(0, count_words)
                    + notes.iter().map(|n| count_words(n)).sum::<usize>();
            }
            chapters.push(Chapter {
                file: format!("{:03}-{id}.md", n + 1),
                id,
                title,
                lang,
                authors,
                reviewers: [others[0], others[1]],
                numbered: !foreword,
                abstract_,
                keywords,
                blocks,
                notes,
                explicit_id: false,
                labels: own,
                late: rng.chance(5),
            });
        }
        // Parts: the foreword stands alone, then runs of about a dozen.
        let mut rng = root.fork();
        let mut parts = Vec::new();
        if options.chapters > 2 {
            let body: Vec<usize> = (1..options.chapters).collect();
            let count = (body.len() / 12).max(1);
            let size = body.len().div_ceil(count);
            for (k, run) in body.chunks(size).enumerate() {
                let title = format!(
                    "{} {}",
                    [
                        "I.", "II.", "III.", "IV.", "V.", "VI.", "VII.", "VIII.", "IX.", "X."
                    ]
                    .get(k)
                    .copied()
                    .unwrap_or("—"),
                    lexicons[0].label(&mut rng)
                );
                parts.push((title, run.to_vec()));
            }
        }

        Book {
            title: "Communs imaginaires : un corpus de mesure".to_string(),
            options: options.clone(),
            people,
            extra: options.extra_chapter.then(|| chapters.len() - 1),
            chapters,
            parts,
            bib,
            bib_keys,
            images,
            stats,
            lexicons,
            global_labels,
        }
    }

    /// The chapter's body: blocks, then footnote definitions.
    pub fn chapter_body(&self, c: usize) -> String {
        let ch = &self.chapters[c];
        let mut out = String::with_capacity(32 * 1024);
        for b in &ch.blocks {
            out.push('\n');
            out.push_str(&b.text);
            out.push('\n');
        }
        let prefix = notes_prefix(c);
        for (k, note) in ch.notes.iter().enumerate() {
            out.push('\n');
            out.push_str(&wrap(&format!("[^{prefix}{}]: {note}", k + 1)).replace('\n', "\n    "));
            out.push('\n');
        }
        out
    }

    /// The chapter's file: YAML front matter and body.
    pub fn chapter_text(&self, c: usize) -> String {
        let ch = &self.chapters[c];
        let ids = |v: &[usize]| {
            v.iter()
                .map(|&i| self.people[i].id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut out = String::from("---\n");
        if ch.explicit_id {
            let _ = writeln!(out, "id: {}", ch.id);
        }
        let _ = writeln!(out, "title: \"{}\"", ch.title.replace('"', "\\\""));
        let _ = writeln!(out, "authors: [{}]", ids(&ch.authors));
        let _ = writeln!(out, "reviewers: [{}]", ids(&ch.reviewers));
        if ch.lang != Lang::Fr {
            let _ = writeln!(out, "lang: {}", ch.lang.tag());
        }
        if !ch.numbered {
            out.push_str("numbered: false\n");
        }
        if let Some(a) = &ch.abstract_ {
            let _ = writeln!(
                out,
                "abstract: \"{}\"",
                a.replace('\\', "\\\\").replace('"', "\\\"")
            );
        }
        if !ch.keywords.is_empty() {
            let _ = writeln!(out, "keywords: [{}]", ch.keywords.join(", "));
        }
        out.push_str("---\n");
        out.push_str(&self.chapter_body(c));
        out
    }

    /// `book.toml`, listing in parts only the chapters still in the book.
    pub fn book_toml(&self, alive: &[bool]) -> String {
        let editors: Vec<String> = self
            .people
            .iter()
            .filter(|p| p.editor)
            .map(|p| format!("\"{}\"", p.id))
            .collect();
        let mut s = format!(
            "# Generated by `cargo run --example gen-corpus` (seed {seed}): fictitious\n\
             # people, pseudo-text and references, for measuring ouvrage.\n\n\
             [book]\n\
             title = \"{title}\"\n\
             subtitle = \"{chapters} chapitres, environ {words} mots\"\n\
             language = \"fr\"\n\
             editors = [{editors}]\n\
             publisher = \"Éditions du Banc d'essai\"\n\
             year = 2026\n\
             license = \"CC BY-SA 4.0\"\n",
            seed = self.options.seed,
            title = self.title,
            chapters = self.options.chapters,
            words = self.options.words,
            editors = editors.join(", "),
        );
        for (title, members) in &self.parts {
            let ids: Vec<String> = members
                .iter()
                .filter(|&&c| alive.get(c).copied().unwrap_or(true))
                .map(|&c| format!("\"{}\"", self.chapters[c].id))
                .collect();
            if ids.is_empty() {
                continue;
            }
            let _ = write!(
                s,
                "\n[[part]]\ntitle = \"{title}\"\nchapters = [{}]\n",
                ids.join(", ")
            );
        }
        s.push_str(
            "\n[bibliography]\nfiles = [\"references.bib\"]\nstyle = \"chicago-author-date\"\n\n\
             [pdf]\npaper = \"a5\"\nrecto-chapters = true\n\n\
             [html]\nsearch = true\n\n\
             [review]\nrequired-approvals = 1\n",
        );
        s
    }

    /// `contributors.toml`.
    pub fn contributors_toml(&self) -> String {
        let mut s = String::from("# Fictitious people generated for the benchmark corpus.\n");
        for p in &self.people {
            let roles = if p.editor {
                r#"["editor", "author", "reviewer"]"#
            } else {
                r#"["author", "reviewer"]"#
            };
            let _ = write!(
                s,
                "\n[{}]\nname = \"{}\"\nemails = [\"{}\"]\naffiliation = \"{}\"\nroles = {roles}\n",
                p.id, p.name, p.email, p.affiliation
            );
            if let Some(bio) = &p.bio {
                let _ = writeln!(s, "bio = \"{bio}\"");
            }
        }
        s
    }

    /// Every file of the book but the chapters' Markdown, by path from the
    /// root (`alive` tells which chapters are still in the book).
    pub fn other_files(&self, alive: &[bool]) -> Vec<(String, Vec<u8>)> {
        let mut files = vec![
            (".gitignore".to_string(), b"_book/\n".to_vec()),
            ("book.toml".to_string(), self.book_toml(alive).into_bytes()),
            (
                "contributors.toml".to_string(),
                self.contributors_toml().into_bytes(),
            ),
            ("references.bib".to_string(), self.bib.clone().into_bytes()),
        ];
        for (path, bytes) in &self.images {
            files.push((format!("chapters/{path}"), bytes.clone()));
        }
        files
    }

    /// Writes the book (without history) into `dir`, which must exist.
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        let alive = vec![true; self.chapters.len()];
        for (path, bytes) in self.other_files(&alive) {
            let to = dir.join(path);
            std::fs::create_dir_all(to.parent().expect("a file in a folder"))?;
            std::fs::write(to, bytes)?;
        }
        for c in 0..self.chapters.len() {
            std::fs::write(
                dir.join("chapters").join(&self.chapters[c].file),
                self.chapter_text(c),
            )?;
        }
        Ok(())
    }

    /// Rewrites one paragraph of chapter `c` that carries no footnote or
    /// label; returns its position among the chapter's blocks (from 1), or
    /// None when it has none.
    pub fn edit(&mut self, c: usize, rng: &mut Rng) -> Option<usize> {
        let editable: Vec<usize> = (0..self.chapters[c].blocks.len())
            .filter(|&b| self.chapters[c].blocks[b].editable)
            .collect();
        if editable.is_empty() {
            return None;
        }
        let b = *rng.pick(&editable);
        let ch = &self.chapters[c];
        let ctx = Ctx {
            lex: &self.lexicons[usize::from(ch.lang == Lang::It)],
            keys: &self.bib_keys,
            own: &ch.labels,
            others: &self.global_labels,
            notes_prefix: "",
        };
        let target = count_words(&ch.blocks[b].text).max(30);
        let old = ch.blocks[b].text.clone();
        let text = loop {
            let p = wrap(&paragraph(&ctx, rng, target, None, &mut Stats::default()));
            if p != old {
                break p;
            }
        };
        self.chapters[c].blocks[b].text = text;
        Some(b + 1)
    }

    /// Renames chapter `c`'s file (its id stays, written in the front
    /// matter); returns the new file name.
    pub fn rename(&mut self, c: usize) -> String {
        let ch = &mut self.chapters[c];
        let stem = ch.file.trim_end_matches(".md");
        ch.file = format!("{stem}-v2.md");
        ch.explicit_id = true;
        ch.file.clone()
    }
}

/// `references.bib`: `count` fictitious but well-formed entries of several
/// types; returns the file and the keys.
fn bibliography(lexicons: &[Lexicon; 2], rng: &mut Rng, count: usize) -> (String, Vec<String>) {
    let mut s = String::from(
        "% Fictitious references generated for the benchmark corpus: no such\n\
         % works or people exist.\n",
    );
    let mut keys: Vec<String> = Vec::new();
    const CITIES: &[&str] = &[
        "Paris",
        "Lyon",
        "Montclarin",
        "Milano",
        "Torino",
        "Valbrune",
    ];
    const PUBLISHERS: &[&str] = &[
        "Éditions du Banc d'essai",
        "Presses de Montclarin",
        "Éditions Sorelle",
        "Edizioni Castelvento",
        "Publications imaginaires",
    ];
    const JOURNALS: &[&str] = &[
        "Revue des communs imaginaires",
        "Cahiers de l'économie fictive",
        "Rivista di studi inventati",
        "Annales des usages",
    ];
    while keys.len() < count {
        let italian = rng.chance(20);
        let lex = &lexicons[usize::from(italian)];
        let authors: Vec<(String, String)> =
            (0..rng.range(1, 3)).map(|_| person_name(rng)).collect();
        let year = rng.range(1960, 2025);
        let base = format!("{}{year}", ascii(&authors[0].1));
        let mut key = base.clone();
        let mut suffix = b'a';
        while keys.contains(&key) {
            key = format!("{base}{}", suffix as char);
            suffix += 1;
        }
        let names = authors
            .iter()
            .map(|(f, l)| format!("{l}, {f}"))
            .collect::<Vec<_>>()
            .join(" and ");
        let title = format!(
            "{}{}{}",
            lex.label(rng),
            if italian { ": " } else { " : " },
            lex.phrase(rng)
        );
        let langid = if italian { "italian" } else { "french" };
        let pages = rng.range(3, 300);
        let kind = rng.below(7);
        let entry = match kind {
            0 | 1 => format!(
                "@book{{{key},\n  author    = {{{names}}},\n  title     = {{{title}}},\n  publisher = {{{}}},\n  address   = {{{}}},\n  year      = {{{year}}},\n  langid    = {{{langid}}},\n}}\n",
                rng.pick(PUBLISHERS),
                rng.pick(CITIES)
            ),
            2 | 3 => format!(
                "@article{{{key},\n  author  = {{{names}}},\n  title   = {{{title}}},\n  journal = {{{}}},\n  volume  = {{{}}},\n  number  = {{{}}},\n  pages   = {{{pages}--{}}},\n  year    = {{{year}}},\n  langid  = {{{langid}}},\n}}\n",
                rng.pick(JOURNALS),
                rng.range(1, 60),
                rng.range(1, 4),
                pages + rng.range(5, 30)
            ),
            4 => {
                let (ef, el) = person_name(rng);
                format!(
                    "@incollection{{{key},\n  author    = {{{names}}},\n  title     = {{{title}}},\n  editor    = {{{el}, {ef}}},\n  booktitle = {{{}}},\n  publisher = {{{}}},\n  address   = {{{}}},\n  pages     = {{{pages}--{}}},\n  year      = {{{year}}},\n  langid    = {{{langid}}},\n}}\n",
                    lex.label(rng),
                    rng.pick(PUBLISHERS),
                    rng.pick(CITIES),
                    pages + rng.range(5, 30)
                )
            }
            5 => format!(
                "@techreport{{{key},\n  author      = {{{names}}},\n  title       = {{{title}}},\n  institution = {{Observatoire imaginaire des communs}},\n  number      = {{{}}},\n  year        = {{{year}}},\n  langid      = {{{langid}}},\n}}\n",
                rng.range(1, 99)
            ),
            _ => format!(
                "@online{{{key},\n  author  = {{{names}}},\n  title   = {{{title}}},\n  url     = {{https://example.org/{key}}},\n  urldate = {{2025-0{}-1{}}},\n  year    = {{{year}}},\n  langid  = {{{langid}}},\n}}\n",
                rng.range(1, 9),
                rng.range(0, 9)
            ),
        };
        s.push('\n');
        s.push_str(&entry);
        keys.push(key);
    }
    (s, keys)
}

impl super::history::Manuscript for Book {
    fn signature(&self, person: usize) -> (&str, &str) {
        let p = &self.people[person];
        (&p.name, &p.email)
    }

    fn editor(&self) -> usize {
        0
    }

    fn chapter_count(&self) -> usize {
        self.chapters.len()
    }

    fn id(&self, c: usize) -> &str {
        &self.chapters[c].id
    }

    fn file(&self, c: usize) -> &str {
        &self.chapters[c].file
    }

    fn authors(&self, c: usize) -> &[usize] {
        &self.chapters[c].authors
    }

    fn reviewers(&self, c: usize) -> [usize; 2] {
        self.chapters[c].reviewers
    }

    fn late(&self, c: usize) -> bool {
        self.chapters[c].late
    }

    fn text(&self, c: usize) -> String {
        self.chapter_text(c)
    }

    fn edit(&mut self, c: usize, rng: &mut Rng) -> Option<usize> {
        Book::edit(self, c, rng)
    }

    fn rename(&mut self, c: usize) -> String {
        Book::rename(self, c)
    }

    fn deletable(&self) -> Option<usize> {
        self.extra
    }

    fn other_files(&self, alive: &[bool]) -> Vec<(String, Vec<u8>)> {
        Book::other_files(self, alive)
    }
}
