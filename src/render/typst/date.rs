//! The document date: `SOURCE_DATE_EPOCH`, else the last commit's time, else
//! the newest modification time of the book's files. Never the clock, so
//! that the same input gives a byte-identical PDF.

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
    /// The date of a Unix timestamp (days from civil, proleptic Gregorian).
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

    /// As Typst's datetime.
    pub fn to_typst(self) -> Option<typst::foundations::Datetime> {
        typst::foundations::Datetime::from_ymd_hms(
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
        )
    }

    /// As the emitter's tuple.
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
        assert_eq!(
            DocDate::from_unix(1_714_557_600).tuple(),
            (2024, 5, 1, 10, 0, 0)
        );
        assert_eq!(
            DocDate::from_unix(951_782_400).tuple(),
            (2000, 2, 29, 0, 0, 0)
        );
    }
}
