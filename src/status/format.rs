//! The status report for people: a terminal table (states in colour) and
//! Markdown (a CI job summary).

use super::{ChapterReport, StatusReport};
use crate::date::relative;
use crate::review::{EventKind, State};

/// The marks shown next to each reviewer.
fn reviewer_marks(ch: &ChapterReport) -> Vec<String> {
    ch.reviewers
        .iter()
        .map(|r| {
            let latest = ch
                .reviews
                .iter()
                .rfind(|x| &x.reviewer == r && x.verdict != EventKind::Commented);
            let mark = match latest {
                Some(x) if x.verdict == EventKind::Approved && x.current => "✓",
                Some(x) if x.verdict == EventKind::Approved => "stale",
                Some(x) if x.verdict == EventKind::ChangesRequested => "✗",
                _ => "pending",
            };
            // Whether the verdict shown is signed by one of their keys.
            let signed = match latest {
                Some(x)
                    if x.verdict != EventKind::Withdrawn && x.signed.signature == "verified" =>
                {
                    " (signed)"
                }
                _ => "",
            };
            format!("{r} {mark}{signed}")
        })
        .collect()
}

fn colour(state: State) -> &'static str {
    match state {
        State::Draft => "\x1b[2m",
        State::InReview => "\x1b[33m",
        State::ChangesRequested => "\x1b[31m",
        State::Approved => "\x1b[32m",
        State::Final => "\x1b[1;32m",
    }
}

/// A plain-text table, by chapter or by contributor; `color` adds ANSI colours.
pub fn render_table(report: &StatusReport, by_contributor: bool, color: bool, now: i64) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    if by_contributor {
        rows.push(
            [
                "contributor",
                "authored",
                "to review",
                "reviewed",
                "commits",
                "last activity",
            ]
            .map(String::from)
            .to_vec(),
        );
        for c in &report.contributors {
            rows.push(vec![
                c.id.clone(),
                c.authored
                    .iter()
                    .map(|a| format!("{} ({})", a.chapter, a.state.name()))
                    .collect::<Vec<_>>()
                    .join(", "),
                c.to_review.join(", "),
                c.reviewed
                    .iter()
                    .map(|r| {
                        format!(
                            "{} {}{}",
                            r.chapter,
                            r.verdict.name(),
                            if r.current { "" } else { " (stale)" }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                c.commits.to_string(),
                c.last_activity.clone().unwrap_or_else(|| "—".into()),
            ]);
        }
    } else {
        rows.push(
            [
                "chapter",
                "state",
                "authors",
                "reviewers",
                "words",
                "last change",
            ]
            .map(String::from)
            .to_vec(),
        );
        for ch in &report.chapters {
            let last = ch
                .last_change
                .as_ref()
                .map(|c| format!("{} by {}", relative(c.time, now), c.author))
                .unwrap_or_else(|| "not committed".into());
            rows.push(vec![
                ch.id.clone(),
                ch.state.name().to_string(),
                ch.authors.join(", "),
                reviewer_marks(ch).join(", "),
                ch.words.to_string(),
                last,
            ]);
        }
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|col| {
            rows.iter()
                .map(|r| r[col].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for (n, row) in rows.iter().enumerate() {
        let mut line = String::new();
        for (col, cell) in row.iter().enumerate() {
            let pad = widths[col] - cell.chars().count();
            let painted = if color && !by_contributor && col == 1 && n > 0 {
                let state = report.chapters[n - 1].state;
                format!("{}{cell}\x1b[0m", colour(state))
            } else {
                cell.clone()
            };
            line.push_str(&painted);
            if col + 1 < row.len() {
                line.push_str(&" ".repeat(pad + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if by_contributor {
        for c in report.contributors.iter().filter(|c| c.open_comments > 0) {
            out.push_str(&format!(
                "  {}: wrote {} (`ouvrage comments --open`)\n",
                c.id,
                open_comments(c.open_comments)
            ));
        }
    } else {
        for ch in &report.chapters {
            if ch.open_comments > 0 {
                out.push_str(&format!(
                    "  {}: {} (`ouvrage comments {} --open`)\n",
                    ch.id,
                    open_comments(ch.open_comments),
                    ch.id
                ));
            }
            for c in &ch.changed_since_approval {
                out.push_str(&format!(
                    "  {}: changed since its approval by {} in {}\n",
                    ch.id,
                    c.author,
                    &c.commit[..c.commit.len().min(10)]
                ));
            }
            for reviewer in &ch.blocked_by {
                out.push_str(&format!(
                    "  {}: {reviewer}'s change request is open on this revision: no approval counts until {reviewer} approves or withdraws it\n",
                    ch.id
                ));
            }
            for u in &ch.unverified {
                out.push_str(&format!(
                    "  {}: unverified {} by {} ({}) in {}\n",
                    ch.id,
                    u.event.name(),
                    u.email,
                    u.why,
                    &u.commit[..u.commit.len().min(10)]
                ));
            }
            for m in &ch.unmerged {
                out.push_str(&format!(
                    "  {}: changed on {} by {} in {}\n",
                    ch.id,
                    m.branch,
                    m.author,
                    &m.commit[..m.commit.len().min(10)]
                ));
            }
        }
    }
    for u in &report.unknown_authors {
        out.push_str(&format!(
            "unknown author: {} <{}>, {} commit(s): add the email to contributors.toml\n",
            u.name, u.email, u.commits
        ));
    }
    for w in &report.warnings {
        out.push_str(&format!("warning: {}\n", w.message));
    }
    out
}

/// `1 open comment`, `2 open comments`.
fn open_comments(n: usize) -> String {
    format!("{n} open comment{}", if n == 1 { "" } else { "s" })
}

fn md_escape(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// A Markdown summary: a table of chapters and the notes under it.
pub fn render_markdown(report: &StatusReport) -> String {
    let mut out = format!(
        "## Review status of *{}*\n\n{} approval(s) required · HEAD `{}`\n\n| Chapter | State | Authors | Reviewers | Words |\n|---|---|---|---|---:|\n",
        md_escape(&report.book),
        report.required_approvals,
        if report.head.is_empty() {
            "(no commit yet)"
        } else {
            &report.head[..report.head.len().min(10)]
        }
    );
    for ch in &report.chapters {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            md_escape(&ch.title),
            ch.state.name(),
            md_escape(&ch.authors.join(", ")),
            md_escape(&reviewer_marks(ch).join(", ")),
            ch.words
        ));
    }
    let ready = report
        .chapters
        .iter()
        .filter(|c| matches!(c.state, State::Approved | State::Final))
        .count();
    out.push_str(&format!(
        "\n{ready} of {} chapters approved or final.\n",
        report.chapters.len()
    ));
    for ch in &report.chapters {
        if ch.open_comments > 0 {
            out.push_str(&format!(
                "- `{}`: {}\n",
                ch.id,
                open_comments(ch.open_comments)
            ));
        }
        if !ch.changed_since_approval.is_empty() {
            out.push_str(&format!(
                "- `{}` changed since its approval ({} commit(s))\n",
                ch.id,
                ch.changed_since_approval.len()
            ));
        }
        for reviewer in &ch.blocked_by {
            out.push_str(&format!(
                "- `{}`: {reviewer}'s change request is open on this revision: no approval counts until {reviewer} approves or withdraws it\n",
                ch.id
            ));
        }
        for u in &ch.unverified {
            out.push_str(&format!(
                "- `{}`: unverified {} by {} ({})\n",
                ch.id,
                u.event.name(),
                md_escape(&u.email),
                u.why
            ));
        }
    }
    let writers: Vec<String> = report
        .contributors
        .iter()
        .filter(|c| c.open_comments > 0)
        .map(|c| format!("{} ({})", md_escape(&c.id), c.open_comments))
        .collect();
    if !writers.is_empty() {
        out.push_str(&format!("- open comments by: {}\n", writers.join(", ")));
    }
    for w in &report.warnings {
        out.push_str(&format!("\n> **Warning**: {}\n", md_escape(&w.message)));
    }
    out
}
