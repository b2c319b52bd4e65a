//! Benchmark corpus for the review status (README "Review in git"): a complete book in a
//! fresh git repository with a long, deterministic history of chapter edits
//! and review events.
//!
//! ```text
//! cargo run --release --example gen-history -- DIR \
//!     [--chapters 100] [--commits 10000] [--contributors 30] [--seed 1]
//! ```
//!
//! DIR must not exist or be empty. It receives `book.toml` (one editor,
//! `[review] required-approvals = 1`), `contributors.toml` (`c01`…, every
//! contributor an author and a reviewer, `c01` also the editor),
//! `chapters/NNN-chapter-NNN.md` (YAML front matter with `title`, one or two
//! `authors`, two `reviewers`, then a few paragraphs of generated French) and a
//! git repository whose branch `main` holds exactly `--commits` commits:
//!
//! - the first commit adds the whole book;
//! - about 85 % are edits by one of a chapter's authors (one paragraph of one
//!   chapter, sometimes of two chapters by the same author);
//! - about 14 % are review events as README "Review in git" writes them (empty commits whose
//!   `Ouvrage-Revision` is the chapter's blob in the parent commit), each by the
//!   right person: `submitted` by an author, `approved`, `changes-requested`
//!   and `commented` by an assigned reviewer, `final` by the editor;
//! - about 1 % are review events by emails that belong to no contributor
//!   (`unverified`, `unknown_authors`);
//! - about 5 % of the chapters are never submitted (they stay drafts);
//! - a few chapters are renamed (`NNN-<slug>.md`, keeping their id through
//!   `id:` in the front matter) and one chapter is deleted.
//!
//! The same seed always gives the same commits (same ids). The history
//! itself is `examples/corpus/history.rs`, shared with `gen-corpus`, whose
//! chapters are a whole book (figures, tables, citations…) rather than these
//! few paragraphs.

#[path = "corpus/mod.rs"]
mod corpus;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use corpus::history::{Manuscript, write_history};
use corpus::rng::Rng;

#[derive(Parser)]
#[command(about = "Generate a book whose git history exercises `ouvrage status`")]
struct Args {
    /// The folder to create (must not exist, or be empty).
    dir: PathBuf,
    /// Number of chapters.
    #[arg(long, default_value_t = 100)]
    chapters: usize,
    /// Total number of commits on `main`, the initial one included.
    #[arg(long, default_value_t = 10_000)]
    commits: usize,
    /// Number of contributors (at least 5).
    #[arg(long, default_value_t = 30)]
    contributors: usize,
    /// Seed of the pseudo-random generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.chapters == 0 || args.chapters > 999 {
        eprintln!("error: --chapters must be between 1 and 999");
        return ExitCode::from(2);
    }
    if args.commits == 0 {
        eprintln!("error: --commits must be at least 1");
        return ExitCode::from(2);
    }
    if args.contributors < 5 || args.contributors > 999 {
        eprintln!("error: --contributors must be between 5 and 999");
        return ExitCode::from(2);
    }
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> corpus::history::Result<()> {
    let started = Instant::now();
    let mut book = Simple::generate(args);
    let stats = write_history(&args.dir, &mut book, args.commits, args.seed)?;
    println!(
        "{}: {} chapters ({} at HEAD), {} contributors, HEAD {}",
        args.dir.display(),
        args.chapters,
        stats.alive.iter().filter(|a| **a).count(),
        args.contributors,
        stats.head.map(|h| h.to_string()).unwrap_or_default(),
    );
    stats.print();
    println!("  {:.2} s in all", started.elapsed().as_secs_f64());
    Ok(())
}

// ---------------------------------------------------------------------------
// French-ish text.

const FIRST_NAMES: &[&str] = &[
    "Camille",
    "Julie",
    "Matei",
    "Dominique",
    "Nicole",
    "Benjamin",
    "Léa",
    "Hugo",
    "Chloé",
    "Louis",
    "Manon",
    "Gabriel",
    "Inès",
    "Arthur",
    "Sarah",
    "Jules",
    "Zoé",
    "Paul",
    "Élise",
    "Théo",
    "Margaux",
    "Nathan",
    "Clara",
    "Mathis",
    "Anaïs",
    "Raphaël",
    "Lucie",
    "Yanis",
    "Agathe",
    "Samuel",
    "Giulia",
    "Marco",
];

const LAST_NAMES: &[&str] = &[
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Rossi",
    "Ferrari",
];

const THEMES: &[(&str, &str)] = &[
    ("Les communs alimentaires", "communs-alimentaires"),
    ("Les centres de santé communautaires", "centres-de-sante"),
    ("Le réseau des fablabs", "fablabs"),
    ("Les tiers-lieux ruraux", "tiers-lieux"),
    ("La régie de quartier", "regie-de-quartier"),
    ("Les écoles comme communs", "ecoles"),
    ("Le mouvement associatif", "mouvement-associatif"),
    ("Les services publics locaux", "services-publics"),
    ("Les cantines scolaires", "cantines"),
    ("Les jardins partagés", "jardins-partages"),
    ("Les monnaies locales", "monnaies-locales"),
    ("Les habitats participatifs", "habitats-participatifs"),
    ("Les ressourceries", "ressourceries"),
    ("Les coopératives d'énergie", "energie-citoyenne"),
    ("La mobilité solidaire", "mobilite-solidaire"),
    ("Les bibliothèques d'objets", "bibliotheques-d-objets"),
];

const ASPECTS: &[&str] = &[
    "gouvernance et usages",
    "une expérience de terrain",
    "histoire et perspectives",
    "entre marché et puissance publique",
    "ce que change la gestion partagée",
    "règles, conflits et arrangements",
    "un essai de définition",
    "financer sans capturer",
];

const SUBJECTS: &[&str] = &[
    "la coopérative",
    "le quartier",
    "la commune",
    "le tiers-lieu",
    "l'association",
    "la municipalité",
    "le collectif",
    "la régie",
    "ce modèle",
    "chaque structure",
    "la communauté des usagers",
    "l'assemblée des habitants",
    "le centre de santé",
    "le fablab",
    "la cantine",
    "le réseau",
];

const VERBS: &[&str] = &[
    "organise",
    "soutient",
    "transforme",
    "interroge",
    "renforce",
    "met en commun",
    "accompagne",
    "finance",
    "gouverne",
    "protège",
    "rend visible",
    "relie",
    "documente",
    "partage",
    "redéfinit",
    "défend",
];

const OBJECTS: &[&str] = &[
    "les usagers",
    "la ressource partagée",
    "les savoir-faire",
    "l'accès aux soins",
    "la production alimentaire",
    "les règles d'usage",
    "le lien social",
    "les services de proximité",
    "les outils de fabrication",
    "la participation des habitants",
    "les droits d'usage",
    "la décision collective",
    "les bénévoles",
    "le bien commun",
    "les connaissances locales",
    "la solidarité entre générations",
];

const COMPLEMENTS: &[&str] = &[
    "à l'échelle du territoire",
    "depuis plusieurs années",
    "avec les pouvoirs publics",
    "sans logique de profit",
    "au plus près des habitants",
    "dans un cadre associatif",
    "selon des règles décidées ensemble",
    "malgré des moyens limités",
    "en lien avec les collectivités",
    "au fil des saisons",
    "dans la durée",
    "par des assemblées régulières",
    "grâce à des contributions bénévoles",
    "face aux logiques de marché",
    "dans le respect de chacun",
    "sur le temps long",
];

const CONNECTORS: &[&str] = &[
    "",
    "",
    "",
    "Ainsi, ",
    "En outre, ",
    "Pourtant, ",
    "De fait, ",
    "Dans ce contexte, ",
    "Par ailleurs, ",
    "En pratique, ",
    "Au fond, ",
    "Concrètement, ",
];

const SECTIONS: &[&str] = &[
    "Contexte",
    "Origines",
    "Une gouvernance partagée",
    "Les acteurs",
    "Des règles d'usage",
    "Difficultés rencontrées",
    "Ce que nous en retenons",
    "Perspectives",
    "Méthode",
    "Le rôle des pouvoirs publics",
];

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn sentence(rng: &mut Rng, out: &mut String) {
    let connector = *rng.pick(CONNECTORS);
    let subject = *rng.pick(SUBJECTS);
    if connector.is_empty() {
        out.push_str(&capitalize(subject));
    } else {
        out.push_str(connector);
        out.push_str(subject);
    }
    out.push(' ');
    out.push_str(rng.pick::<&str>(VERBS));
    out.push(' ');
    out.push_str(rng.pick::<&str>(OBJECTS));
    out.push(' ');
    out.push_str(rng.pick::<&str>(COMPLEMENTS));
    out.push('.');
}

fn paragraph(rng: &mut Rng) -> String {
    let mut out = String::with_capacity(600);
    for i in 0..rng.range(3, 6) {
        if i > 0 {
            out.push(' ');
        }
        sentence(rng, &mut out);
    }
    out
}

// ---------------------------------------------------------------------------
// The book in memory.

struct Person {
    id: String,
    name: String,
    email: String,
}

struct Chapter {
    id: String,
    /// File name under `chapters/`.
    file: String,
    title: String,
    authors: Vec<usize>,
    reviewers: [usize; 2],
    /// Whether the front matter says `id:` (after a rename).
    explicit_id: bool,
    /// Paragraphs of the body.
    paragraphs: Vec<String>,
    /// Section heading before paragraph `i`, when any.
    headings: BTreeMap<usize, String>,
    /// A late chapter: never submitted, so it stays a draft.
    late: bool,
}

/// The book: one editor (`c01`), every contributor an author and a reviewer.
struct Simple {
    people: Vec<Person>,
    chapters: Vec<Chapter>,
    book_toml: String,
    contributors_toml: String,
    used_slugs: Vec<String>,
}

impl Simple {
    fn generate(args: &Args) -> Simple {
        let mut rng = Rng(args.seed ^ 0x6f75_7672_6167_6521);
        let width = args.contributors.to_string().len().max(2);
        let people: Vec<Person> = (1..=args.contributors)
            .map(|n| {
                let id = format!("c{n:0width$}");
                let name = format!("{} {}", rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES));
                let email = format!("{id}@example.org");
                Person { id, name, email }
            })
            .collect();
        let chapters: Vec<Chapter> = (1..=args.chapters)
            .map(|n| {
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
                let mut others = Vec::with_capacity(2);
                while others.len() < 2 {
                    let c = rng.below(people.len());
                    if !authors.contains(&c) && !others.contains(&c) {
                        others.push(c);
                    }
                }
                let theme = rng.pick(THEMES).0;
                let title = format!("{theme} : {}", rng.pick(ASPECTS));
                let late = rng.chance(5);
                let count = rng.range(5, 9);
                let paragraphs: Vec<String> = (0..count).map(|_| paragraph(&mut rng)).collect();
                let mut headings = BTreeMap::new();
                let mut at = 0;
                while at < count {
                    headings.insert(at, rng.pick(SECTIONS).to_string());
                    at += rng.range(2, 3);
                }
                Chapter {
                    id: format!("chapter-{n:03}"),
                    file: format!("{n:03}-chapter-{n:03}.md"),
                    title,
                    authors,
                    reviewers: [others[0], others[1]],
                    explicit_id: false,
                    paragraphs,
                    headings,
                    late,
                }
            })
            .collect();
        let book_toml = format!(
            "# Generated by `cargo run --example gen-history` (seed {seed}).\n\n\
             [book]\n\
             title = \"Historique de relecture : {ch} chapitres, {co} commits\"\n\
             language = \"fr\"\n\
             editors = [\"{editor}\"]\n\n\
             [review]\n\
             required-approvals = 1\n",
            seed = args.seed,
            ch = args.chapters,
            co = args.commits,
            editor = people[0].id,
        );
        let mut contributors_toml = String::new();
        for (i, p) in people.iter().enumerate() {
            let roles = if i == 0 {
                r#"["author", "reviewer", "editor"]"#
            } else {
                r#"["author", "reviewer"]"#
            };
            contributors_toml.push_str(&format!(
                "[{}]\nname = \"{}\"\nemails = [\"{}\"]\nroles = {roles}\n\n",
                p.id, p.name, p.email
            ));
        }
        contributors_toml.pop();
        Simple {
            people,
            chapters,
            book_toml,
            contributors_toml,
            used_slugs: Vec::new(),
        }
    }
}

impl Manuscript for Simple {
    fn signature(&self, person: usize) -> (&str, &str) {
        (&self.people[person].name, &self.people[person].email)
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
        let ch = &self.chapters[c];
        let ids = |v: &[usize]| {
            v.iter()
                .map(|&i| self.people[i].id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut out = String::with_capacity(4096);
        out.push_str("---\n");
        if ch.explicit_id {
            out.push_str(&format!("id: {}\n", ch.id));
        }
        out.push_str(&format!("title: \"{}\"\n", ch.title));
        out.push_str(&format!("authors: [{}]\n", ids(&ch.authors)));
        out.push_str(&format!("reviewers: [{}]\n", ids(&ch.reviewers)));
        out.push_str("---\n");
        for (i, p) in ch.paragraphs.iter().enumerate() {
            out.push('\n');
            if let Some(h) = ch.headings.get(&i) {
                out.push_str("## ");
                out.push_str(h);
                out.push_str("\n\n");
            }
            out.push_str(p);
            out.push('\n');
        }
        out
    }

    fn edit(&mut self, c: usize, rng: &mut Rng) -> Option<usize> {
        let chapter = &mut self.chapters[c];
        let p = rng.below(chapter.paragraphs.len());
        let text = loop {
            let text = paragraph(rng);
            if text != chapter.paragraphs[p] {
                break text;
            }
        };
        chapter.paragraphs[p] = text;
        Some(p + 1)
    }

    fn rename(&mut self, c: usize) -> String {
        let chapter = &mut self.chapters[c];
        let base = THEMES
            .iter()
            .find(|t| chapter.title.starts_with(t.0))
            .map_or("chapitre", |t| t.1);
        // Distinct slugs, so that no two file names give the same id.
        let mut slug = base.to_string();
        let mut k = 1;
        while self.used_slugs.contains(&slug) {
            k += 1;
            slug = format!("{base}-{k}");
        }
        self.used_slugs.push(slug.clone());
        chapter.file = format!("{}-{slug}.md", &chapter.file[..3]);
        chapter.explicit_id = true;
        chapter.file.clone()
    }

    fn deletable(&self) -> Option<usize> {
        None
    }

    fn other_files(&self, _alive: &[bool]) -> Vec<(String, Vec<u8>)> {
        vec![
            ("book.toml".into(), self.book_toml.clone().into_bytes()),
            (
                "contributors.toml".into(),
                self.contributors_toml.clone().into_bytes(),
            ),
            (".gitignore".into(), b"_book/\n".to_vec()),
        ]
    }
}
