//! A holiday calendar file brought to a live store (`jiban calendar add`): checked as a whole,
//! with the line of the first error, and kept in the store as a numbered version of its year.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::{CalendarError, WorkCalendar};

/// One version of a year's calendar kept in a store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalendarVersion {
    /// The year.
    pub year: i32,
    /// 1 for the first file added to a store for that year, then 2, 3 … (0: bundled at `init`).
    pub version: u32,
    /// The file name it was added as.
    pub file: String,
    /// The notice it names (`source`).
    pub source: String,
    /// When it was added.
    pub added_at: DateTime<Utc>,
    /// The login that added it.
    pub by: String,
}

/// A calendar file that does not pass, with the line it points at.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: line {line}: {reason}")]
pub struct CalendarFileError {
    /// The file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// What is wrong (the field and why).
    pub reason: String,
}

/// Checks a calendar file: TOML, its year, every date inside that year, make-up days on
/// weekends, no day both off and worked, no holidays overlapping. Returns the year and notice.
pub fn check(file: &str, text: &str) -> Result<(i32, String), CalendarFileError> {
    WorkCalendar::check_file(file, text).map_err(|e| match e {
        CalendarError::Parse { file, line, reason } => CalendarFileError { file, line, reason },
        CalendarError::Invalid {
            file,
            field,
            reason,
        } => CalendarFileError {
            line: line_of(text, &field),
            reason: format!("{field}: {reason}"),
            file,
        },
    })
}

/// The line a field path such as `holiday[3].workdays[1]` or `year` points at: the key's line
/// inside the n-th `[[holiday]]` table (the table's own line when the key is not found).
pub fn line_of(text: &str, field: &str) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let key_at = |from: usize, to: usize, key: &str| {
        (from..to).find(|&i| {
            let l = lines[i].trim_start();
            l.starts_with(key) && l[key.len()..].trim_start().starts_with('=')
        })
    };
    let Some(rest) = field.strip_prefix("holiday[") else {
        let key = field.split(['.', '[']).next().unwrap_or(field);
        return key_at(0, lines.len(), key).map_or(1, |i| i + 1);
    };
    let n: usize = rest
        .split(']')
        .next()
        .and_then(|d| d.parse().ok())
        .unwrap_or(0);
    let tables: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].trim() == "[[holiday]]")
        .collect();
    let Some(&start) = tables.get(n) else {
        return 1;
    };
    let end = tables.get(n + 1).copied().unwrap_or(lines.len());
    let key = rest
        .split_once("].")
        .map(|(_, k)| k.split(['.', '[']).next().unwrap_or(k))
        .unwrap_or("");
    key_at(start, end, key).unwrap_or(start) + 1
}

/// The next version number of `year` among the stored versions.
pub fn next_version(versions: &[CalendarVersion], year: i32) -> u32 {
    versions
        .iter()
        .filter(|v| v.year == year)
        .map(|v| v.version)
        .max()
        .unwrap_or(0)
        + 1
}

/// From 1 December (China time) while next year's calendar is missing: that year.
pub fn missing_next_year(calendar: &WorkCalendar, now: DateTime<Utc>) -> Option<i32> {
    use chrono::Datelike;
    let today = super::calendar::cst_date(now);
    let next = today.year() + 1;
    (today.month() == 12 && !calendar.has_year(next)).then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "year = 2027\nsource = \"通知\"\n\n[[holiday]]\nname = \"元旦\"\noff = { from = \"2027-01-01\", to = \"2027-01-03\" }\nworkdays = []\n\n[[holiday]]\nname = \"春节\"\noff = { from = \"2027-02-06\", to = \"2027-02-12\" }\nworkdays = [\"2027-02-06\"]\n";

    #[test]
    fn errors_name_the_line_of_the_field() {
        // Make-up day that is also off, in the second table on line 12.
        let err = check("cn-2027.toml", GOOD).unwrap_err();
        assert_eq!(err.line, 12, "{err}");
        assert!(err.reason.contains("holiday[1].workdays[0]"), "{err}");
        let weekday = GOOD.replace("[\"2027-02-06\"]", "[\"2027-02-15\"]");
        let err = check("cn-2027.toml", &weekday).unwrap_err();
        assert_eq!(err.line, 12);
        assert!(err.reason.contains("Monday"), "{err}");
        let wrong_year = GOOD.replace("2027-01-03", "2028-01-03");
        let err = check("cn-2027.toml", &wrong_year).unwrap_err();
        assert_eq!(err.line, 6, "{err}");
        let overlap = GOOD
            .replace("2027-02-06\", to", "2027-01-02\", to")
            .replace("[\"2027-02-06\"]", "[]");
        let err = check("cn-2027.toml", &overlap).unwrap_err();
        assert!(err.reason.contains("overlap"), "{err}");
        assert_eq!(err.line, 11, "{err}");
        let broken = "year = 2027\n[[holiday]\n";
        assert_eq!(check("x.toml", broken).unwrap_err().line, 2);
        let fine = GOOD.replace("[\"2027-02-06\"]", "[\"2027-02-20\"]");
        assert_eq!(check("cn-2027.toml", &fine).map(|(y, _)| y), Ok(2027));
    }

    #[test]
    fn versions_count_per_year_and_the_notice_starts_on_1_december() {
        let v = |year, version| CalendarVersion {
            year,
            version,
            file: String::new(),
            source: String::new(),
            added_at: DateTime::<Utc>::MIN_UTC,
            by: String::new(),
        };
        assert_eq!(next_version(&[], 2027), 1);
        assert_eq!(next_version(&[v(2027, 1), v(2026, 3)], 2027), 2);
        let cal = WorkCalendar::empty();
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(missing_next_year(&cal, at("2026-11-30T15:59:00Z")), None);
        // 1 December 00:00 China time is 30 November 16:00 UTC.
        assert_eq!(
            missing_next_year(&cal, at("2026-11-30T16:00:00Z")),
            Some(2027)
        );
    }
}
