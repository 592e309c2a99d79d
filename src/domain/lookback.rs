//! Look-back sampling (回头看): each month the platform draws a share of every unit's closed
//! cases and a supervisor re-visits the requester. A case found closed on paper only (虚假办结)
//! or rated satisfied under pressure (被满意) is reopened in round 2 and counts on the unit's
//! record.
//!
//! The draw is **seeded and reproducible**: for a month, a scope and a seed, each unit's cases
//! closed that month (China time) are ordered by a hash of the seed and the case id, and the first
//! `max(min_per_unit, ⌈share × n⌉)` are drawn. Drawing again with the same seed draws the same
//! cases, and a case already drawn for the month is not drawn twice. The seed defaults to one
//! made of the month, so "October's sample" is one list, whoever draws it and for which scope.
//!
//! The monthly draw is a time-driven step: on the first day of a month, the first process to
//! open the store or run its timer (as for chasing) draws the month before for the whole city.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::case::CaseId;
use super::org::UnitId;

/// The rules of look-back sampling (`[lookback]` in the rules file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LookbackRules {
    /// The share of a unit's closed cases drawn each month (0..=1).
    pub share: f64,
    /// The fewest cases drawn per unit that closed any that month.
    pub min_per_unit: u32,
}

impl Default for LookbackRules {
    fn default() -> Self {
        LookbackRules {
            share: 0.05,
            min_per_unit: 1,
        }
    }
}

/// What the re-visit found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LookbackOutcome {
    /// The result held (办结属实).
    Held,
    /// Closed on paper only (虚假办结): the matter was not resolved.
    FalseClosure,
    /// The requester was pressed into a satisfied rating (被满意).
    Pressured,
}

impl LookbackOutcome {
    /// Every outcome, in order.
    pub const ALL: [LookbackOutcome; 3] = [
        LookbackOutcome::Held,
        LookbackOutcome::FalseClosure,
        LookbackOutcome::Pressured,
    ];

    /// The word used in the CLI and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            LookbackOutcome::Held => "held",
            LookbackOutcome::FalseClosure => "false-closure",
            LookbackOutcome::Pressured => "pressured",
        }
    }

    /// True when the outcome reopens the case.
    pub fn reopens(self) -> bool {
        self != LookbackOutcome::Held
    }
}

impl std::str::FromStr for LookbackOutcome {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        LookbackOutcome::ALL
            .into_iter()
            .find(|o| o.as_str() == s.trim())
            .ok_or_else(|| {
                format!("unknown outcome {s:?} (expected one of: held, false-closure, pressured)")
            })
    }
}

impl std::fmt::Display for LookbackOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A case's look-back: drawn for a month, then re-visited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lookback {
    /// The month drawn for (`2026-10`).
    pub month: String,
    /// Who drew it (a login).
    pub by: String,
    /// When.
    pub drawn_at: DateTime<Utc>,
    /// The unit whose closed case it is.
    pub unit: UnitId,
    /// The re-visit, once recorded.
    pub visit: Option<Visit>,
}

/// A recorded re-visit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Visit {
    /// What it found.
    pub outcome: LookbackOutcome,
    /// What the supervisor noted.
    pub note: String,
    /// Who (a login).
    pub by: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// A look-back result counted on a unit's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LookbackMark {
    /// The case.
    pub case: CaseId,
    /// When it was re-visited.
    pub at: DateTime<Utc>,
    /// What the re-visit found.
    pub outcome: LookbackOutcome,
}

/// A month, as `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    /// Its first day.
    pub first: NaiveDate,
}

impl Month {
    /// Parses `2026-10`.
    pub fn parse(s: &str) -> Result<Month, String> {
        let bad = || format!("{s:?} is not a month such as 2026-10");
        let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
        let (y, m) = (
            y.parse::<i32>().map_err(|_| bad())?,
            m.parse::<u32>().map_err(|_| bad())?,
        );
        if !(2000..=2099).contains(&y) {
            return Err(bad());
        }
        NaiveDate::from_ymd_opt(y, m, 1)
            .map(|first| Month { first })
            .ok_or_else(bad)
    }

    /// The month of `t` (China time).
    pub fn of(t: DateTime<Utc>) -> Month {
        let d = super::calendar::cst_date(t);
        Month {
            first: d.with_day(1).unwrap_or(d),
        }
    }

    /// The month before the one of `t` (China time): what the monthly draw samples.
    pub fn before(t: DateTime<Utc>) -> Month {
        let d = super::calendar::cst_date(t);
        let first = d.with_day(1).unwrap_or(d);
        let prev = first.pred_opt().unwrap_or(first);
        Month {
            first: prev.with_day(1).unwrap_or(prev),
        }
    }

    /// The month's span in UTC: from its first midnight in China to the next month's.
    pub fn span(self) -> (DateTime<Utc>, DateTime<Utc>) {
        let next = match self.first.month() {
            12 => NaiveDate::from_ymd_opt(self.first.year() + 1, 1, 1),
            m => NaiveDate::from_ymd_opt(self.first.year(), m + 1, 1),
        }
        .unwrap_or(self.first);
        let at = |d: NaiveDate| {
            super::calendar::cst()
                .from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
                .single()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_default()
        };
        (at(self.first), at(next))
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.first.format("%Y-%m"))
    }
}

/// The default seed of a draw: made of the month, so one month's sample is one list whatever
/// the scope (each unit's cases are drawn on their own: the city's draw and a district's draw of
/// the same month pick the same cases of each unit).
pub fn default_seed(month: Month) -> u64 {
    fnv(format!("jiban lookback {month}").as_bytes())
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Mixes the seed with the case id (SplitMix64's finaliser over FNV-1a).
fn rank(seed: u64, id: &CaseId) -> u64 {
    let mut z = fnv(id.as_str().as_bytes()) ^ seed;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// How many of a unit's `n` closed cases are drawn.
pub fn how_many(n: usize, rules: &LookbackRules) -> usize {
    if n == 0 {
        return 0;
    }
    let share = (rules.share.clamp(0.0, 1.0) * n as f64).ceil() as usize;
    share.max(rules.min_per_unit as usize).min(n)
}

/// Draws from one unit's closed cases: the [`how_many`] lowest by rank under `seed`, in id order.
pub fn draw(cases: &[CaseId], seed: u64, rules: &LookbackRules) -> Vec<CaseId> {
    let mut ranked: Vec<(u64, &CaseId)> = cases.iter().map(|c| (rank(seed, c), c)).collect();
    ranked.sort();
    let mut out: Vec<CaseId> = ranked
        .into_iter()
        .take(how_many(cases.len(), rules))
        .map(|(_, c)| c.clone())
        .collect();
    out.sort();
    out
}

#[cfg(test)]
#[path = "lookback_tests.rs"]
mod lookback_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<CaseId> {
        (1..=n)
            .map(|i| CaseId(format!("LS-20261015-{i:04}")))
            .collect()
    }

    #[test]
    fn a_draw_takes_the_share_at_least_one_and_is_the_same_for_the_same_seed() {
        let rules = LookbackRules::default();
        assert_eq!(how_many(0, &rules), 0);
        assert_eq!(how_many(3, &rules), 1, "at least one per unit");
        assert_eq!(how_many(100, &rules), 5);
        assert_eq!(how_many(101, &rules), 6, "a share rounds up");
        let cases = ids(200);
        let a = draw(&cases, 7, &rules);
        assert_eq!(a.len(), 10);
        assert_eq!(a, draw(&cases, 7, &rules), "reproducible");
        assert_ne!(a, draw(&cases, 8, &rules), "another seed, another sample");
        // The order the index gives does not matter.
        let mut shuffled = cases.clone();
        shuffled.reverse();
        assert_eq!(a, draw(&shuffled, 7, &rules));
    }

    #[test]
    fn a_month_spans_china_midnights_and_the_monthly_draw_samples_the_month_before() {
        let m = Month::parse("2026-10").expect("a month");
        let (from, to) = m.span();
        assert_eq!(from.to_rfc3339(), "2026-09-30T16:00:00+00:00");
        assert_eq!(to.to_rfc3339(), "2026-10-31T16:00:00+00:00");
        let dec_1_cst = Utc.with_ymd_and_hms(2026, 11, 30, 16, 30, 0).unwrap();
        assert_eq!(Month::before(dec_1_cst).to_string(), "2026-11");
        assert!(Month::parse("2026-13").is_err());
        assert!(Month::parse("October").is_err());
        assert_eq!(
            Month::parse("2026-12").unwrap().span().1.to_rfc3339(),
            "2026-12-31T16:00:00+00:00"
        );
    }
}
