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

    /// The lines of one topic.
    pub fn lines(&self, topic: Topic) -> Vec<&str> {
        self.entries
            .iter()
            .filter(|(t, _)| *t == topic)
            .map(|(_, l)| l.as_str())
            .collect()
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
