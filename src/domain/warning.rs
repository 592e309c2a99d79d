//! Early warning (监测预警, 未诉先办): kinds of matter that stay high (持续高位) or rise sharply
//! (短期激增) in an area, judged against the weeks before and against the same weeks a year
//! earlier, so a seasonal kind (heating in winter, flooding in summer: "冬病夏治") is judged
//! against its own season.
//!
//! Weeks are rolling: week 0 is the seven days ending today (China time), week 1 the seven
//! before, and so on; a year earlier is 52 weeks (364 days) back, so weekdays line up.
//!
//! - **短期激增** (surge): week 0 has at least `min_cases` and at least `surge_ratio` × the
//!   baseline, the larger of the mean of weeks 1..=`recent_weeks` and the seasonal mean (weeks
//!   −1, 0 and 1 a year earlier, when that year has any case of the kind).
//! - **持续高位** (sustained high): each of weeks 0..`high_weeks` has at least `min_cases` and at
//!   least `high_ratio` × its own seasonal mean (or, with no case a year earlier, the mean of the
//!   `recent_weeks` weeks before them).

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::org::{Level, Org};
use super::report::{kind_names, Named, TallyReader};
use super::responsibility::ResponsibilityList;

/// The thresholds (`[warning]` in the rules file; every key optional).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WarningRules {
    /// Weeks before this one that make the recent baseline.
    pub recent_weeks: u32,
    /// A surge: this week at least this many times the baseline.
    pub surge_ratio: f64,
    /// Sustained high: each week at least this many times its seasonal baseline.
    pub high_ratio: f64,
    /// Sustained high: for this many weeks in a row, this one included.
    pub high_weeks: u32,
    /// Fewer cases than this in a week never warn.
    pub min_cases: u32,
}

impl Default for WarningRules {
    fn default() -> Self {
        WarningRules {
            recent_weeks: 4,
            surge_ratio: 2.0,
            high_ratio: 1.5,
            high_weeks: 3,
            min_cases: 5,
        }
    }
}

/// What a warning says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// 短期激增.
    Surge,
    /// 持续高位.
    High,
}

impl Signal {
    /// The word used in the CLI and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::Surge => "surge",
            Signal::High => "high",
        }
    }
}

/// The weekly volumes one warning is judged on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Weeks {
    /// This year: index 0 is this week, 1 the week before, …
    pub now: Vec<i64>,
    /// A year earlier: index `i + 1` is week `i` a year earlier; index 0 the week after week 0.
    pub year_before: Vec<i64>,
}

impl Weeks {
    fn at(v: &[i64], i: usize) -> i64 {
        v.get(i).copied().unwrap_or(0)
    }

    /// The mean of week `i`'s season a year earlier (weeks i−1, i, i+1), or none when that
    /// year has no case.
    fn season(&self, i: usize) -> Option<f64> {
        if self.year_before.iter().all(|n| *n == 0) {
            return None;
        }
        let sum: i64 = (i..i + 3).map(|j| Weeks::at(&self.year_before, j)).sum();
        Some(sum as f64 / 3.0)
    }

    fn mean(&self, from: usize, n: u32) -> f64 {
        let n = n.max(1) as usize;
        let sum: i64 = (from..from + n).map(|j| Weeks::at(&self.now, j)).sum();
        sum as f64 / n as f64
    }
}

/// The signals of one kind in one area (empty: no warning), with the baseline week 0 was judged
/// against.
pub fn judge(w: &Weeks, rules: &WarningRules) -> (Vec<Signal>, f64) {
    let min = i64::from(rules.min_cases);
    let this = Weeks::at(&w.now, 0);
    let baseline = w
        .mean(1, rules.recent_weeks)
        .max(w.season(0).unwrap_or(0.0));
    let mut out = Vec::new();
    if this >= min && this as f64 >= rules.surge_ratio * baseline {
        out.push(Signal::Surge);
    }
    let high = (0..rules.high_weeks.max(1) as usize).all(|i| {
        let n = Weeks::at(&w.now, i);
        let base = w
            .season(i)
            .unwrap_or_else(|| w.mean(i + 1, rules.recent_weeks));
        n >= min && n as f64 >= rules.high_ratio * base
    });
    if high {
        out.push(Signal::High);
    }
    (out, baseline)
}

/// One warning: a kind of matter in an area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    /// The area (a district, or the city).
    pub area: Named,
    /// The kind of matter.
    pub kind: String,
    /// Its Chinese name.
    pub kind_name: String,
    /// Its English name.
    pub kind_name_en: String,
    /// What it says.
    pub signals: Vec<Signal>,
    /// Cases in the last seven days.
    pub this_week: i64,
    /// What this week was judged against.
    pub baseline: f64,
    /// The same seven days a year earlier.
    pub year_before: i64,
}

/// How many weeks of history a judgement reads.
fn weeks_needed(rules: &WarningRules) -> u32 {
    rules.high_weeks.max(1) + rules.recent_weeks.max(1)
}

/// The warnings of `today` for the city and each district, strongest first (both signals, then
/// the largest week over its baseline).
pub fn scan<R: TallyReader>(
    reader: &R,
    org: &Org,
    list: &ResponsibilityList,
    rules: &WarningRules,
    today: NaiveDate,
) -> Result<Vec<Warning>, R::Error> {
    let n = weeks_needed(rules) as u64;
    let end = today.succ_opt().unwrap_or(today);
    let start = end.checked_sub_days(Days::new(7 * n)).unwrap_or(end);
    let ago = |d: NaiveDate| d.checked_sub_days(Days::new(364)).unwrap_or(d);
    // A year earlier: from week n−1 to the week after week 0.
    let (ly_start, ly_end) = (ago(start), ago(end) + Days::new(7));
    let week_of = |d: NaiveDate, end: NaiveDate| ((end - d).num_days() - 1).div_euclid(7);
    let areas = org
        .units()
        .iter()
        .filter(|u| matches!(u.level, Level::City | Level::District));
    let mut out = Vec::new();
    for area in areas {
        let mut weeks: BTreeMap<String, Weeks> = BTreeMap::new();
        for (d, kind, c) in reader.daily_kinds(&area.id, start, end)? {
            let w = weeks.entry(kind).or_default();
            let i = week_of(d, end) as usize;
            if w.now.len() <= i {
                w.now.resize(i + 1, 0);
            }
            w.now[i] += c.taken;
        }
        for (d, kind, c) in reader.daily_kinds(&area.id, ly_start, ly_end)? {
            let w = weeks.entry(kind).or_default();
            let i = (week_of(d, ago(end)) + 1).max(0) as usize;
            if w.year_before.len() <= i {
                w.year_before.resize(i + 1, 0);
            }
            w.year_before[i] += c.taken;
        }
        for (kind, w) in weeks {
            let (signals, baseline) = judge(&w, rules);
            if signals.is_empty() {
                continue;
            }
            let (kind_name, kind_name_en) = kind_names(list, &kind);
            out.push(Warning {
                area: Named::of(org, &area.id),
                kind,
                kind_name,
                kind_name_en,
                signals,
                this_week: Weeks::at(&w.now, 0),
                baseline,
                year_before: Weeks::at(&w.year_before, 1),
            });
        }
    }
    out.sort_by(|a, b| {
        let over = |w: &Warning| w.this_week as f64 - w.baseline;
        b.signals
            .len()
            .cmp(&a.signals.len())
            .then_with(|| {
                over(b)
                    .partial_cmp(&over(a))
                    .unwrap_or(std::cmp::Ordering::Equal)
            })
            .then_with(|| a.area.id.cmp(&b.area.id))
            .then_with(|| a.kind.cmp(&b.kind))
    });
    Ok(out)
}

#[cfg(test)]
#[path = "warning_tests.rs"]
mod tests;
