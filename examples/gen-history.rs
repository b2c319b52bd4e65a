//! Benchmark corpus for the review status (SPEC §6): a complete book in a
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
//! - about 14 % are review events as SPEC §6 writes them (empty commits whose
//!   `Ouvrage-Revision` is the chapter's blob in the parent commit), each by the
//!   right person: `submitted` by an author, `approved`, `changes-requested`
//!   and `commented` by an assigned reviewer, `final` by the editor;
//! - about 1 % are review events by emails that belong to no contributor
//!   (`unverified`, `unknown_authors`);
//! - about 5 % of the chapters are never submitted (they stay drafts);
//! - a few chapters are renamed (`NNN-<slug>.md`, keeping their id through
//!   `id:` in the front matter) and one chapter is deleted.
//!
//! The same seed always gives the same commits (same ids): dates start at
//! 2025-01-01T00:00:00+01:00 and grow by 5 to 15 minutes a commit; author and
//! committer are the same signature. Objects are written with libgit2 (`git2`)
//! into an in-memory object database, trees with `TreeBuilder`, and stored at
//! the end as one pack; the working tree is checked out once, at the end.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use git2::{Commit, Oid, Repository, RepositoryInitOptions, Signature, Time, TreeBuilder};

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

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

// ---------------------------------------------------------------------------
// Pseudo-random numbers: splitmix64, deterministic for a seed.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (((self.next() >> 32) * n as u64) >> 32) as usize
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True `percent` times out of 100.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
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

const EDIT_MESSAGES: &[&str] = &[
    "reprise du paragraphe",
    "relecture du paragraphe",
    "précisions dans le paragraphe",
    "réécriture du paragraphe",
    "corrections dans le paragraphe",
];

const REVIEW_NOTES: &[&str] = &[
    "La section 2 mériterait une source.",
    "Relu attentivement, merci.",
    "Quelques coquilles signalées en marge.",
    "La conclusion est à resserrer.",
    "Bon pour moi.",
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

#[derive(Default)]
struct Review {
    /// Revision of the last `submitted` event.
    submitted: Option<Oid>,
    /// A reviewer requested changes since the last submission.
    needs_resubmit: bool,
    /// Revision that has at least one approval.
    approved: Option<Oid>,
    /// Revision named by the last `final` event.
    finalized: Option<Oid>,
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
    blob: Oid,
    alive: bool,
    /// A late chapter: never submitted, so it stays a draft.
    late: bool,
    review: Review,
}

impl Chapter {
    fn render(&self, people: &[Person]) -> String {
        let ids = |v: &[usize]| {
            v.iter()
                .map(|&i| people[i].id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut out = String::with_capacity(4096);
        out.push_str("---\n");
        if self.explicit_id {
            out.push_str(&format!("id: {}\n", self.id));
        }
        out.push_str(&format!("title: \"{}\"\n", self.title));
        out.push_str(&format!("authors: [{}]\n", ids(&self.authors)));
        out.push_str(&format!("reviewers: [{}]\n", ids(&self.reviewers)));
        out.push_str("---\n");
        for (i, p) in self.paragraphs.iter().enumerate() {
            out.push('\n');
            if let Some(h) = self.headings.get(&i) {
                out.push_str("## ");
                out.push_str(h);
                out.push_str("\n\n");
            }
            out.push_str(p);
            out.push('\n');
        }
        out
    }
}

#[derive(Default)]
struct Stats {
    commits: usize,
    edits: usize,
    two_chapter_edits: usize,
    renames: usize,
    deletions: usize,
    events: BTreeMap<&'static str, usize>,
    unknown: usize,
}

const EVENTS: &[&str] = &[
    "submitted",
    "approved",
    "changes-requested",
    "commented",
    "final",
];

/// Structural commits placed at fixed positions of the history.
enum Special {
    Rename(usize),
    Delete(usize),
}

struct Writer<'r> {
    repo: &'r Repository,
    chapters_tree: TreeBuilder<'r>,
    root_tree: TreeBuilder<'r>,
    root: Oid,
    parent: Option<Commit<'r>>,
    time: i64,
    rng: Rng,
}

const EPOCH: i64 = 1_735_686_000; // 2025-01-01T00:00:00+01:00
const OFFSET_MINUTES: i32 = 60;
const FILE: i32 = 0o100644;
const DIR: i32 = 0o040000;

impl<'r> Writer<'r> {
    fn commit(&mut self, name: &str, email: &str, message: &str) -> Result<()> {
        self.time += 300 + self.rng.below(601) as i64;
        let sig = Signature::new(name, email, &Time::new(self.time, OFFSET_MINUTES))?;
        let tree = self.repo.find_tree(self.root)?;
        let parents: Vec<&Commit> = self.parent.iter().collect();
        let id = self
            .repo
            .commit(None, &sig, &sig, message, &tree, &parents)?;
        self.parent = Some(self.repo.find_commit(id)?);
        Ok(())
    }

    /// Writes the `chapters` tree and the root tree after a change of files.
    fn write_trees(&mut self) -> Result<()> {
        let chapters = self.chapters_tree.write()?;
        self.root_tree.insert("chapters", chapters, DIR)?;
        self.root = self.root_tree.write()?;
        Ok(())
    }

    fn store(&mut self, chapter: &mut Chapter, people: &[Person]) -> Result<()> {
        chapter.blob = self.repo.blob(chapter.render(people).as_bytes())?;
        self.chapters_tree
            .insert(&chapter.file, chapter.blob, FILE)?;
        Ok(())
    }
}

fn run(args: &Args) -> Result<()> {
    let started = Instant::now();
    let dir = &args.dir;
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        return Err(format!("{} exists and is not empty", dir.display()).into());
    }
    let repo = Repository::init_opts(
        dir,
        RepositoryInitOptions::new()
            .initial_head("main")
            .mkdir(true),
    )?;
    let odb = repo.odb()?;
    // Every object goes to memory first; one pack is written at the end.
    let mempack = odb.add_new_mempack_backend(1000)?;

    let (head, stats, chapters) = generate(&repo, args)?;
    let generated = started.elapsed();

    let mut pack = git2::Buf::new();
    mempack.dump(&repo, &mut pack)?;
    let mut writer = odb.packwriter()?;
    writer.write_all(&pack)?;
    writer.commit()?;
    drop(writer);
    let pack_len = pack.len();
    drop(pack);
    mempack.reset()?;
    odb.refresh()?;

    repo.reference("refs/heads/main", head, true, "gen-history")?;
    repo.set_head("refs/heads/main")?;
    repo.checkout_head(Some(git2::build::CheckoutBuilder::new().force()))?;

    let elapsed = started.elapsed();
    let events: usize = stats.events.values().sum();
    println!(
        "{}: {} chapters ({} at HEAD), {} contributors, {} commits on main, HEAD {}",
        dir.display(),
        args.chapters,
        chapters,
        args.contributors,
        stats.commits,
        head
    );
    println!(
        "  {} edits ({} touching two chapters), {} renames, {} deletion, 1 initial commit",
        stats.edits, stats.two_chapter_edits, stats.renames, stats.deletions
    );
    let detail = EVENTS
        .iter()
        .map(|e| format!("{} {e}", stats.events.get(e).copied().unwrap_or(0)))
        .collect::<Vec<_>>()
        .join(", ");
    println!(
        "  {events} review events ({detail}), of which {} by unknown emails",
        stats.unknown
    );
    println!(
        "  pack {:.1} MiB; {:.2} s in all ({:.2} s writing commits, {:.2} s packing and checking out)",
        pack_len as f64 / (1024.0 * 1024.0),
        elapsed.as_secs_f64(),
        generated.as_secs_f64(),
        (elapsed - generated).as_secs_f64()
    );
    Ok(())
}

fn generate(repo: &Repository, args: &Args) -> Result<(Oid, Stats, usize)> {
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
    let editor = 0usize;
    let strangers = [
        ("Visiteur de passage", "visiteur@example.net"),
        ("Relecteur anonyme", "anonyme@example.com"),
        ("Claude Inconnu", "claude.inconnu@example.net"),
    ];

    // Chapters.
    let mut chapters: Vec<Chapter> = (1..=args.chapters)
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
                blob: Oid::ZERO_SHA1,
                alive: true,
                late,
                review: Review::default(),
            }
        })
        .collect();

    // Renames and the deletion, at fixed positions in the history.
    let mut specials: BTreeMap<usize, Special> = BTreeMap::new();
    if args.commits >= 20 && chapters.len() >= 2 {
        let renames = (chapters.len() / 25).clamp(1, 8).min(chapters.len() - 1);
        let mut chosen: Vec<usize> = Vec::new();
        while chosen.len() < renames + 1 {
            let c = rng.below(chapters.len());
            if !chosen.contains(&c) {
                chosen.push(c);
            }
        }
        let lo = args.commits / 10;
        let hi = args.commits * 9 / 10;
        for (k, &c) in chosen.iter().enumerate() {
            let mut at = rng.range(lo.max(1), hi.max(lo + 1));
            while specials.contains_key(&at) {
                at += 1;
            }
            let special = if k == renames {
                Special::Delete(c)
            } else {
                Special::Rename(c)
            };
            specials.insert(at, special);
        }
    }

    let mut w = Writer {
        repo,
        chapters_tree: repo.treebuilder(None)?,
        root_tree: repo.treebuilder(None)?,
        root: Oid::ZERO_SHA1,
        parent: None,
        time: EPOCH,
        rng: Rng(rng.next()),
    };
    let mut stats = Stats::default();

    // Commit 1: the whole book.
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
        editor = people[editor].id,
    );
    let mut contributors_toml = String::new();
    for (i, p) in people.iter().enumerate() {
        let roles = if i == editor {
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
    w.root_tree
        .insert("book.toml", repo.blob(book_toml.as_bytes())?, FILE)?;
    w.root_tree.insert(
        "contributors.toml",
        repo.blob(contributors_toml.as_bytes())?,
        FILE,
    )?;
    w.root_tree
        .insert(".gitignore", repo.blob(b"_book/\n")?, FILE)?;
    for chapter in chapters.iter_mut() {
        w.store(chapter, &people)?;
    }
    w.write_trees()?;
    let editor_person = &people[editor];
    w.commit(
        &editor_person.name,
        &editor_person.email,
        "Plan de l'ouvrage et premiers jets des chapitres\n",
    )?;
    stats.commits += 1;

    let mut rng = Rng(rng.next());
    let mut used_slugs: Vec<String> = Vec::new();
    for n in 1..args.commits {
        if let Some(special) = specials.remove(&n) {
            match special {
                Special::Rename(c) => {
                    let chapter = &mut chapters[c];
                    let old = chapter.file.clone();
                    let base = THEMES
                        .iter()
                        .find(|t| chapter.title.starts_with(t.0))
                        .map_or("chapitre", |t| t.1);
                    // Distinct slugs, so that no two file names give the same id.
                    let mut slug = base.to_string();
                    let mut k = 1;
                    while used_slugs.contains(&slug) {
                        k += 1;
                        slug = format!("{base}-{k}");
                    }
                    used_slugs.push(slug.clone());
                    chapter.file = format!("{}-{slug}.md", &old[..3]);
                    chapter.explicit_id = true;
                    w.chapters_tree.remove(&old)?;
                    w.store(chapter, &people)?;
                    w.write_trees()?;
                    let author = &people[chapter.authors[0]];
                    let message = format!("{} : renommé en {}\n", chapter.id, chapter.file);
                    w.commit(&author.name, &author.email, &message)?;
                    stats.renames += 1;
                }
                Special::Delete(c) => {
                    let chapter = &mut chapters[c];
                    chapter.alive = false;
                    w.chapters_tree.remove(&chapter.file)?;
                    w.write_trees()?;
                    let message = format!("{} : chapitre retiré de l'ouvrage\n", chapter.id);
                    w.commit(&editor_person.name, &editor_person.email, &message)?;
                    stats.deletions += 1;
                }
            }
            stats.commits += 1;
            continue;
        }

        let alive: Vec<usize> = (0..chapters.len()).filter(|&c| chapters[c].alive).collect();
        let roll = rng.below(100);
        if roll < 85 {
            // An edit: finished chapters are touched less often.
            let mut c = *rng.pick(&alive);
            // Final chapters are hardly touched again, approved ones and
            // those under review less often than drafts.
            let settled = |ch: &Chapter| {
                let r = &ch.review;
                if r.finalized == Some(ch.blob) {
                    97
                } else if r.approved == Some(ch.blob) {
                    85
                } else if r.submitted == Some(ch.blob) && !r.needs_resubmit {
                    60
                } else {
                    0
                }
            };
            for _ in 0..4 {
                if !rng.chance(settled(&chapters[c])) {
                    break;
                }
                c = *rng.pick(&alive);
            }
            let author = *rng.pick(&chapters[c].authors);
            let mut touched = vec![c];
            if rng.chance(10) {
                let mine: Vec<usize> = alive
                    .iter()
                    .copied()
                    .filter(|&o| o != c && chapters[o].authors.contains(&author))
                    .collect();
                if !mine.is_empty() {
                    touched.push(*rng.pick(&mine));
                    stats.two_chapter_edits += 1;
                }
            }
            let mut parts = Vec::new();
            for &t in &touched {
                let chapter = &mut chapters[t];
                let p = rng.below(chapter.paragraphs.len());
                let text = loop {
                    let text = paragraph(&mut rng);
                    if text != chapter.paragraphs[p] {
                        break text;
                    }
                };
                chapter.paragraphs[p] = text;
                w.store(chapter, &people)?;
                parts.push((chapter.id.clone(), p + 1));
            }
            w.write_trees()?;
            let message = match parts.as_slice() {
                [(id, p)] => format!("{id} : {} {p}\n", rng.pick(EDIT_MESSAGES)),
                _ => format!(
                    "{} : relecture croisée\n\n{}\n",
                    parts
                        .iter()
                        .map(|(id, _)| id.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    parts
                        .iter()
                        .map(|(id, p)| format!("- {id} : paragraphe {p}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                ),
            };
            let person = &people[author];
            w.commit(&person.name, &person.email, &message)?;
            stats.edits += 1;
        } else {
            // A review event on a chapter of the current tree.
            let open: Vec<usize> = alive
                .iter()
                .copied()
                .filter(|&c| !chapters[c].late)
                .collect();
            let c = if roll == 99 || open.is_empty() {
                *rng.pick(&alive)
            } else {
                *rng.pick(&open)
            };
            let chapter = &mut chapters[c];
            let current = chapter.blob;
            let (event, name, email) = if roll == 99 {
                let (name, email) = *rng.pick(&strangers);
                stats.unknown += 1;
                (*rng.pick(EVENTS), name, email)
            } else {
                let r = &mut chapter.review;
                let (event, who) = if r.submitted.is_none()
                    || r.needs_resubmit
                    || (r.submitted != Some(current) && rng.chance(40))
                {
                    r.submitted = Some(current);
                    r.needs_resubmit = false;
                    ("submitted", *rng.pick(&chapter.authors))
                } else if r.approved == Some(current)
                    && r.finalized != Some(current)
                    && rng.chance(50)
                {
                    r.finalized = Some(current);
                    ("final", editor)
                } else {
                    let reviewer = *rng.pick(&chapter.reviewers);
                    let v = rng.below(100);
                    if v < 55 {
                        r.approved = Some(current);
                        ("approved", reviewer)
                    } else if v < 75 {
                        r.needs_resubmit = true;
                        ("changes-requested", reviewer)
                    } else {
                        ("commented", reviewer)
                    }
                };
                (event, people[who].name.as_str(), people[who].email.as_str())
            };
            let note = if rng.chance(30) {
                format!("{}\n\n", rng.pick(REVIEW_NOTES))
            } else {
                String::new()
            };
            let message = format!(
                "review({id}): {event}\n\n{note}Ouvrage-Chapter: {id}\nOuvrage-Event: {event}\nOuvrage-Revision: {current}\n",
                id = chapter.id
            );
            w.commit(name, email, &message)?;
            *stats.events.entry(event).or_default() += 1;
        }
        stats.commits += 1;
    }

    let head = w
        .parent
        .as_ref()
        .map(|c| c.id())
        .ok_or("no commit written")?;
    let remaining = chapters.iter().filter(|c| c.alive).count();
    Ok((head, stats, remaining))
}
