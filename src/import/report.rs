//! What an import tells its user beside the diagnostics: what the new book
//! holds, what it could not carry over (preprocessors, themes, backends,
//! keys ouvrage has no place for), the links that leave the book, and
//! notes on what it changed (a draft chapter skipped, a callout mapped).

/// The kinds of report lines, printed in this order under their heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Topic {
    /// Something of the source the new book does not have.
    NotCarried,
    /// A link that leaves the book and was left as written.
    OutsideLink,
    /// A change made on the way, or a choice to check.
    Note,
}

impl Topic {
    fn heading(self) -> &'static str {
        match self {
            Topic::NotCarried => "not carried over:",
            Topic::OutsideLink => {
                "links that leave the book, left as written (`ouvrage check` reports them; \
                 import again with --site-url URL to make them absolute):"
            }
            Topic::Note => "notes:",
        }
    }
}

/// `file:line` at the start of a report line, if it has one.
fn place(line: &str) -> Option<(&str, usize)> {
    let (file, rest) = line.split_once(':')?;
    let digits: &str = &rest[..rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len())];
    Some((file, digits.parse().ok()?))
}

/// The report of one import.
#[derive(Debug, Clone, Default)]
pub struct Report {
    entries: Vec<(Topic, String)>,
}

impl Report {
    /// Adds a line.
    pub fn add(&mut self, topic: Topic, line: impl Into<String>) {
        let line = line.into();
        if !self.entries.iter().any(|(t, l)| *t == topic && *l == line) {
            self.entries.push((topic, line));
        }
    }

    /// Something not carried over.
    pub fn not_carried(&mut self, line: impl Into<String>) {
        self.add(Topic::NotCarried, line);
    }

    /// A note.
    pub fn note(&mut self, line: impl Into<String>) {
        self.add(Topic::Note, line);
    }

    /// The lines of one topic, those that name a place in a file in the
    /// order of the file (then of its lines), the others first.
    pub fn lines(&self, topic: Topic) -> Vec<&str> {
        let mut lines: Vec<&str> = self
            .entries
            .iter()
            .filter(|(t, _)| *t == topic)
            .map(|(_, l)| l.as_str())
            .collect();
        lines.sort_by_key(|l| place(l));
        lines
    }

    /// The report as printed: each topic's heading and its lines.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for topic in [Topic::NotCarried, Topic::OutsideLink, Topic::Note] {
            let lines = self.lines(topic);
            if lines.is_empty() {
                continue;
            }
            out.push_str(topic.heading());
            out.push('\n');
            for line in lines {
                out.push_str("  - ");
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_follow_their_files() {
        let mut r = Report::default();
        r.not_carried("b.toml:11: x");
        r.not_carried("b.toml:9: y");
        r.not_carried("a theme");
        r.not_carried("a.toml:20: z");
        r.not_carried("b.toml:9: y");
        assert_eq!(
            r.lines(Topic::NotCarried),
            ["a theme", "a.toml:20: z", "b.toml:9: y", "b.toml:11: x"]
        );
        assert_eq!(
            r.render(),
            "not carried over:\n  - a theme\n  - a.toml:20: z\n  - b.toml:9: y\n  - b.toml:11: x\n"
        );
    }
}
