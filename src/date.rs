//! Dates from Unix timestamps, without a clock or a time zone database:
//! UTC calendar dates for documents and reports.
//!
//! The document date of a book: `SOURCE_DATE_EPOCH`, else the last commit's
//! time, else the newest modification time of the book's files. Never the
//! clock, so that the same input gives byte-identical outputs.

use std::path::Path;

/// A UTC date and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocDate {
    /// Year.
    pub year: i32,
    /// Month, 1–12.
    pub month: u8,
    /// Day, 1–31.
    pub day: u8,
    /// Hour.
    pub hour: u8,
    /// Minute.
    pub minute: u8,
    /// Second.
    pub second: u8,
}

impl DocDate {
    /// The date of a Unix timestamp (proleptic Gregorian, UTC).
    pub fn from_unix(secs: i64) -> DocDate {
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        DocDate {
            year,
            month,
            day,
            hour: (rem / 3600) as u8,
            minute: (rem % 3600 / 60) as u8,
            second: (rem % 60) as u8,
        }
    }

    /// As a tuple (year, month, day, hour, minute, second).
    pub fn tuple(self) -> (i32, u8, u8, u8, u8, u8) {
        (
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
        )
    }

    /// RFC 3339 in UTC: `2026-05-01T10:00:00Z`.
    pub fn rfc3339(self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

/// RFC 3339 of a Unix timestamp.
pub fn rfc3339(secs: i64) -> String {
    DocDate::from_unix(secs).rfc3339()
}

/// "3 days ago", for people reading a table.
pub fn relative(secs: i64, now: i64) -> String {
    let d = (now - secs).max(0);
    let (n, unit) = match d {
        0..60 => return "just now".into(),
        60..3_600 => (d / 60, "minute"),
        3_600..86_400 => (d / 3_600, "hour"),
        86_400..2_592_000 => (d / 86_400, "day"),
        2_592_000..31_536_000 => (d / 2_592_000, "month"),
        _ => (d / 31_536_000, "year"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

/// The document date of the book at `root`, whose files are `files`.
pub fn document_date(
    root: &Path,
    files: impl IntoIterator<Item = std::path::PathBuf>,
) -> Option<DocDate> {
    if let Some(secs) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
    {
        return Some(DocDate::from_unix(secs));
    }
    if let Some(secs) = crate::git::head_commit_time(root) {
        return Some(DocDate::from_unix(secs));
    }
    files
        .into_iter()
        .filter_map(|f| std::fs::metadata(root.join(f)).ok()?.modified().ok())
        .filter_map(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64)
        .max()
        .map(DocDate::from_unix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_dates() {
        assert_eq!(DocDate::from_unix(0).tuple(), (1970, 1, 1, 0, 0, 0));
        assert_eq!(rfc3339(1_714_557_600), "2024-05-01T10:00:00Z");
        assert_eq!(
            DocDate::from_unix(951_782_400).tuple(),
            (2000, 2, 29, 0, 0, 0)
        );
        assert_eq!(relative(0, 3 * 86_400 + 5), "3 days ago");
        assert_eq!(relative(0, 30), "just now");
    }
}
