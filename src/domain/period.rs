//! Report periods (日报, 周报, 月报, 季报, 年报): calendar days in China time, weeks from Monday.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::calendar::WorkCalendar;

/// How long a report period is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    /// One day (日报).
    Day,
    /// Monday to Sunday (周报).
    Week,
    /// A calendar month (月报).
    Month,
    /// A calendar quarter (季报).
    Quarter,
    /// A calendar year (年报).
    Year,
}

impl PeriodKind {
    /// Every kind, shortest first.
    pub const ALL: [PeriodKind; 5] = [
        PeriodKind::Day,
        PeriodKind::Week,
        PeriodKind::Month,
        PeriodKind::Quarter,
        PeriodKind::Year,
    ];

    /// The word used in the CLI and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodKind::Day => "day",
            PeriodKind::Week => "week",
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Year => "year",
        }
    }

    /// Parses [`PeriodKind::as_str`].
    pub fn parse(s: &str) -> Option<PeriodKind> {
        PeriodKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A report period: `start` up to (not including) `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    /// How long.
    pub kind: PeriodKind,
    /// The first day.
    pub start: NaiveDate,
    /// The day after the last.
    pub end: NaiveDate,
}

impl Period {
    /// The period of `kind` holding `date`.
    pub fn containing(kind: PeriodKind, date: NaiveDate) -> Period {
        let start = match kind {
            PeriodKind::Day => date,
            PeriodKind::Week => date - Days::new(u64::from(date.weekday().num_days_from_monday())),
            PeriodKind::Month => date.with_day(1).unwrap_or(date),
            PeriodKind::Quarter => {
                let m = (date.month0() / 3) * 3 + 1;
                NaiveDate::from_ymd_opt(date.year(), m, 1).unwrap_or(date)
            }
            PeriodKind::Year => NaiveDate::from_ymd_opt(date.year(), 1, 1).unwrap_or(date),
        };
        Period {
            kind,
            start,
            end: Period::after(kind, start),
        }
    }

    fn after(kind: PeriodKind, start: NaiveDate) -> NaiveDate {
        let next = match kind {
            PeriodKind::Day => start.checked_add_days(Days::new(1)),
            PeriodKind::Week => start.checked_add_days(Days::new(7)),
            PeriodKind::Month => start.checked_add_months(Months::new(1)),
            PeriodKind::Quarter => start.checked_add_months(Months::new(3)),
            PeriodKind::Year => start.checked_add_months(Months::new(12)),
        };
        next.unwrap_or(start)
    }

    /// The period of the same kind just before.
    pub fn previous(&self) -> Period {
        let day_before = self.start.pred_opt().unwrap_or(self.start);
        Period::containing(self.kind, day_before)
    }

    /// The same period a year earlier (for a week: the week holding the same date a year
    /// earlier; for a day: the same date, or 28 February for the 29th).
    pub fn year_before(&self) -> Period {
        let date = self
            .start
            .checked_sub_months(Months::new(12))
            .unwrap_or(self.start);
        Period::containing(self.kind, date)
    }

    /// The `n` periods ending with this one, oldest first.
    pub fn trail(&self, n: usize) -> Vec<Period> {
        let mut out = vec![*self];
        while out.len() < n {
            let p = out[out.len() - 1].previous();
            out.push(p);
        }
        out.reverse();
        out
    }

    /// Every day of the period.
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.start.iter_days().take_while(|d| *d < self.end)
    }

    /// The number of calendar days.
    pub fn day_count(&self) -> i64 {
        (self.end - self.start).num_days()
    }

    /// Working days in the period, by the official calendar (调休 and holidays counted).
    pub fn working_days(&self, calendar: &WorkCalendar) -> usize {
        self.days().filter(|d| calendar.is_working_day(*d)).count()
    }

    /// A short label: `2026-11-30`, `2026-W48`, `2026-11`, `2026-Q4`, `2026`.
    pub fn label(&self) -> String {
        let s = self.start;
        match self.kind {
            PeriodKind::Day => s.format("%Y-%m-%d").to_string(),
            PeriodKind::Week => {
                let w = s.iso_week();
                format!("{}-W{:02}", w.year(), w.week())
            }
            PeriodKind::Month => s.format("%Y-%m").to_string(),
            PeriodKind::Quarter => format!("{}-Q{}", s.year(), s.month0() / 3 + 1),
            PeriodKind::Year => s.year().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn periods_hold_their_date_and_chain_back() {
        let at = d(2026, 11, 30);
        let week = Period::containing(PeriodKind::Week, at);
        assert_eq!((week.start, week.end), (d(2026, 11, 30), d(2026, 12, 7)));
        assert_eq!(week.previous().start, d(2026, 11, 23));
        assert_eq!(week.label(), "2026-W49");
        let month = Period::containing(PeriodKind::Month, at);
        assert_eq!((month.start, month.end), (d(2026, 11, 1), d(2026, 12, 1)));
        assert_eq!(month.previous().start, d(2026, 10, 1));
        assert_eq!(month.year_before().start, d(2025, 11, 1));
        let q = Period::containing(PeriodKind::Quarter, at);
        assert_eq!(
            (q.start, q.end, q.label()),
            (d(2026, 10, 1), d(2027, 1, 1), "2026-Q4".into())
        );
        let y = Period::containing(PeriodKind::Year, d(2024, 2, 29));
        assert_eq!(y.day_count(), 366);
        let leap = Period::containing(PeriodKind::Day, d(2024, 2, 29)).year_before();
        assert_eq!(leap.start, d(2023, 2, 28));
        let trail = month.trail(3);
        assert_eq!(
            trail.iter().map(|p| p.label()).collect::<Vec<_>>(),
            ["2026-09", "2026-10", "2026-11"]
        );
        assert_eq!(PeriodKind::parse("quarter"), Some(PeriodKind::Quarter));
        assert_eq!(PeriodKind::parse("fortnight"), None);
    }
}
