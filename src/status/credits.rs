//! `ouvrage contributors`: who wrote what, from git history and blame.
//!
//! The front matter says who signs a chapter; the history says who typed it.
//! Both are shown: the chapters each contributor signs, the commits they made
//! to the chapters, and the lines and words of HEAD's chapters still theirs.

use std::collections::HashMap;

use serde::Serialize;

use crate::date::rfc3339;
use crate::git::{GitError, Repo};
use crate::model::Book;
use crate::review::parse_trailers;

/// Lines and words of one chapter still written by one person.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ShareReport {
    /// Chapter id.
    pub chapter: String,
    /// Non-blank lines of the chapter's body last changed by them.
    pub lines: usize,
    /// Words in those lines.
    pub words: usize,
}

/// One person's part in the book.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CreditReport {
    /// Contributor id (absent for commit authors who are no contributor).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Name.
    pub name: String,
    /// Emails (the commit email for an unknown author).
    pub emails: Vec<String>,
    /// Roles from contributors.toml.
    pub roles: Vec<String>,
    /// Chapters whose front matter names them as an author.
    pub chapters: Vec<String>,
    /// Commits reachable from HEAD that changed a chapter.
    pub commits: usize,
    /// Review events they recorded.
    pub review_events: usize,
    /// Non-blank body lines of HEAD's chapters last changed by them.
    pub lines: usize,
    /// Words in those lines.
    pub words: usize,
    /// The same, chapter by chapter (only chapters where they have lines).
    pub by_chapter: Vec<ShareReport>,
    /// Date of their latest commit to the book's history.
    pub last_activity: Option<String>,
}

/// The report of `ouvrage contributors --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct CreditsReport {
    /// Book title.
    pub book: String,
    /// HEAD's commit id.
    pub head: String,
    /// Lines of all chapters' bodies in HEAD (the denominator of shares).
    pub total_lines: usize,
    /// Words in those lines.
    pub total_words: usize,
    /// Contributors in file order, then commit authors who are no contributor.
    pub contributors: Vec<CreditReport>,
}

#[derive(Default)]
struct Tally {
    commits: usize,
    review_events: usize,
    last: Option<i64>,
    shares: Vec<ShareReport>,
}

impl Tally {
    /// Fills `who` (the person's identity) with what was counted.
    fn into_report(self, who: CreditReport) -> CreditReport {
        let mut shares = self.shares;
        shares.sort_by(|a, b| b.lines.cmp(&a.lines).then(a.chapter.cmp(&b.chapter)));
        CreditReport {
            commits: self.commits,
            review_events: self.review_events,
            lines: shares.iter().map(|s| s.lines).sum(),
            words: shares.iter().map(|s| s.words).sum(),
            by_chapter: shares,
            last_activity: self.last.map(rfc3339),
            ..who
        }
    }
}

/// Computes who wrote what in the book held by `repo`.
pub fn compute_credits(book: &Book, repo: &Repo) -> Result<CreditsReport, GitError> {
    let head = repo.head_commit()?;
    let history = repo.history(crate::load::CHAPTERS_DIR, None, false)?;
    let identities = super::identities(book, repo);
    let history = super::resolved(&history, &identities.people);

    // Keyed by email: contributors' emails map to their id so that several
    // addresses of one person add up.
    let by_email = super::ids_by_email(book);
    let key = |email: &str| -> String {
        by_email
            .get(email)
            .map(|id| format!("id:{id}"))
            .unwrap_or_else(|| format!("email:{email}"))
    };
    let mut tallies: HashMap<String, Tally> = HashMap::new();
    let mut names: HashMap<String, String> = HashMap::new();
    for commit in history.iter() {
        let k = key(&commit.author.email);
        let tally = tallies.entry(k.clone()).or_default();
        tally.last = Some(tally.last.map_or(commit.time, |t| t.max(commit.time)));
        if !commit.changes.is_empty() {
            tally.commits += 1;
        } else if commit.empty
            && (parse_trailers(&commit.message).is_some()
                || crate::review::comments::parse_comment(&commit.message).is_some())
        {
            tally.review_events += 1;
        }
        names.insert(k, commit.author.name.clone());
    }

    let mut total_lines = 0;
    let mut total_words = 0;
    let paths: Vec<String> = book.chapters.iter().map(|c| c.rel_path()).collect();
    let mut owners = repo.line_owners(&history, &paths, &identities.people)?;
    for (chapter, path) in book.chapters.iter().zip(&paths) {
        let Some(crate::git::LineOwners { text, people }) = owners.remove(path) else {
            continue;
        };
        // The front matter's lines are nobody's words (as in `status`).
        let body_start = text[..crate::load::body_start(&text)].lines().count();
        let mut counts: HashMap<String, (usize, usize)> = HashMap::new();
        for (line, person) in text.lines().zip(&people).skip(body_start) {
            // A line of `---` or `|---|` is a line someone wrote, but no word.
            if line.trim().is_empty() {
                continue;
            }
            let words = crate::model::line_words(line);
            total_lines += 1;
            total_words += words;
            let entry = counts.entry(key(&person.email)).or_default();
            entry.0 += 1;
            entry.1 += words;
            names
                .entry(key(&person.email))
                .or_insert_with(|| person.name.clone());
        }
        for (k, (lines, words)) in counts {
            tallies.entry(k).or_default().shares.push(ShareReport {
                chapter: chapter.id.clone(),
                lines,
                words,
            });
        }
    }

    let mut contributors = Vec::new();
    for c in &book.contributors.list {
        let id = &c.id.value;
        let tally = tallies.remove(&format!("id:{id}")).unwrap_or_default();
        contributors.push(
            tally.into_report(CreditReport {
                id: Some(id.clone()),
                name: c.name.clone(),
                emails: c.emails.clone(),
                roles: c.roles.iter().map(|r| r.name().to_string()).collect(),
                chapters: book
                    .chapters
                    .iter()
                    .filter(|ch| ch.config.authors.iter().any(|a| &a.value == id))
                    .map(|ch| ch.id.clone())
                    .collect(),
                ..CreditReport::default()
            }),
        );
    }
    let mut strangers: Vec<CreditReport> = tallies
        .into_iter()
        .filter_map(|(k, tally)| {
            let email = k.strip_prefix("email:")?.to_string();
            Some(tally.into_report(CreditReport {
                name: names.remove(&k).unwrap_or_default(),
                emails: vec![email],
                ..CreditReport::default()
            }))
        })
        .collect();
    strangers.sort_by(|a, b| {
        b.lines
            .cmp(&a.lines)
            .then(b.commits.cmp(&a.commits))
            .then(a.emails.cmp(&b.emails))
    });
    contributors.extend(strangers);

    Ok(CreditsReport {
        book: book.config.book.title.clone(),
        head,
        total_lines,
        total_words,
        contributors,
    })
}

/// A long name cut to fit a table cell.
fn shorten(name: &str) -> String {
    const MAX: usize = 32;
    if name.chars().count() <= MAX {
        name.to_string()
    } else {
        name.chars().take(MAX - 1).collect::<String>() + "…"
    }
}

/// Chapter ids for a table cell: three at most, then how many more.
fn chapter_list(chapters: &[String]) -> String {
    match chapters.len() {
        0 => "-".to_string(),
        1..=3 => chapters.join(", "),
        n => format!("{} (+{})", chapters[..2].join(", "), n - 2),
    }
}

/// The report as a table for the terminal.
pub fn render_credits(report: &CreditsReport) -> String {
    let share = |lines: usize| {
        if report.total_lines == 0 {
            0.0
        } else {
            lines as f64 * 100.0 / report.total_lines as f64
        }
    };
    let mut rows = vec![[
        "contributor".to_string(),
        "chapters".to_string(),
        "commits".to_string(),
        "reviews".to_string(),
        "lines".to_string(),
        "words".to_string(),
    ]];
    for c in &report.contributors {
        let who = match &c.id {
            Some(id) => format!("{} ({id})", shorten(&c.name)),
            None => format!(
                "{} <{}> (not in contributors.toml)",
                shorten(&c.name),
                c.emails[0]
            ),
        };
        rows.push([
            who,
            chapter_list(&c.chapters),
            c.commits.to_string(),
            c.review_events.to_string(),
            format!("{} ({:.0}%)", c.lines, share(c.lines)),
            c.words.to_string(),
        ]);
    }
    let widths: Vec<usize> = (0..6)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            let pad = widths[i] - cell.chars().count();
            // Text left, numbers right.
            if i < 2 {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
            line.push_str("  ");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push_str(&format!(
        "\n{} lines, {} words in HEAD's chapters; lines are counted for whoever changed them last (git blame).\n",
        report.total_lines, report.total_words
    ));
    out
}
