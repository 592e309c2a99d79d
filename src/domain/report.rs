//! Reports (日报 … 年报, the monthly 通报): the measures of a scope over a period beside the
//! period before and the same period a year earlier, its child units ranked, its top kinds of
//! matter, its hot spots and its trend. Built from the kept sums through [`TallyReader`], so a
//! report reads sums per unit and day, never the cases.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::calendar::WorkCalendar;
use super::case::CaseId;
use super::metrics::{fall, Counters, Measures};
use super::org::{Level, Org, UnitId};
use super::period::Period;
use super::responsibility::ResponsibilityList;

/// Reads the kept sums ([`super::metrics::contribution`]) of one unit over days `from..to`.
pub trait TallyReader {
    /// A storage failure.
    type Error;
    /// The sum over every kind, per day that has any.
    fn daily(
        &self,
        unit: &UnitId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, Counters)>, Self::Error>;
    /// The sums per kind of matter, per day that has any.
    fn daily_kinds(
        &self,
        unit: &UnitId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, String, Counters)>, Self::Error>;

    /// The sum over a whole period.
    fn total(&self, unit: &UnitId, period: &Period) -> Result<Counters, Self::Error> {
        let mut sum = Counters::default();
        for (_, c) in self.daily(unit, period.start, period.end)? {
            sum.add(&c);
        }
        Ok(sum)
    }
}

/// How many top kinds, hot spots and trend periods a report lists.
pub const TOP: usize = 10;
/// Periods in a report's trend, this one included.
pub const TREND: usize = 6;
/// Days in the daily volume line (the board's sparkline).
pub const DAILY: u64 = 30;

/// A unit as a report names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Named {
    /// Its id.
    pub id: UnitId,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Its level.
    pub level: Level,
}

impl Named {
    /// Names `id` from the organisation (its id when unknown).
    pub fn of(org: &Org, id: &UnitId) -> Named {
        match org.get(id) {
            Some(u) => Named {
                id: u.id.clone(),
                name: u.name.clone(),
                name_en: u.name_en.clone(),
                level: u.level,
            },
            None => Named {
                id: id.clone(),
                name: id.to_string(),
                name_en: id.to_string(),
                level: Level::Department,
            },
        }
    }
}

/// A child unit in the ranking (排名).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranked {
    /// 1 for the best.
    pub rank: usize,
    /// The unit.
    pub unit: Named,
    /// Its measures this period.
    pub measures: Measures,
    /// And the period before.
    pub previous: Measures,
}

/// A kind of matter's volume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KindVolume {
    /// The kind's id (`""` for unclassified).
    pub kind: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Cases taken this period.
    pub taken: i64,
    /// The period before.
    pub previous: i64,
    /// Unsatisfied cases this period.
    pub unsatisfied: i64,
}

/// An area with many cases (热点区域).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HotSpot {
    /// The street or community.
    pub unit: Named,
    /// Cases taken this period.
    pub taken: i64,
}

/// One period of the trend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// Its label.
    pub label: String,
    /// Its measures.
    pub measures: Measures,
}

/// An unsatisfied case listed in a report (不满意件), filled in by the engine from its index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnsatisfiedCase {
    /// The case.
    pub id: CaseId,
    /// When it was received.
    pub received_at: chrono::DateTime<chrono::Utc>,
    /// Its kind of matter.
    pub kind: String,
    /// The kind's Chinese name.
    pub kind_name: String,
    /// The kind's English name.
    pub kind_name_en: String,
    /// The unit answering it.
    pub unit: Named,
    /// Its stage now.
    pub stage: String,
}

/// A whole report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The scope.
    pub scope: Named,
    /// The period.
    pub period: Period,
    /// Its label.
    pub label: String,
    /// Working days in it.
    pub working_days: usize,
    /// The scope's measures.
    pub measures: Measures,
    /// The period before.
    pub previous: Measures,
    /// The same period a year earlier.
    pub last_year: Measures,
    /// 诉求下降率 against the period before (negative: a rise).
    pub fall_previous: Option<f64>,
    /// 诉求下降率 against the same period a year earlier.
    pub fall_last_year: Option<f64>,
    /// The child units, best first.
    pub ranking: Vec<Ranked>,
    /// The top kinds of matter.
    pub kinds: Vec<KindVolume>,
    /// The streets and communities with the most cases.
    pub hot_spots: Vec<HotSpot>,
    /// The last [`TREND`] periods, oldest first.
    pub trend: Vec<TrendPoint>,
    /// Cases taken per day over the [`DAILY`] days to the period's end (or today).
    pub daily: Vec<(NaiveDate, i64)>,
    /// Unsatisfied cases of the period (the first ones; the count is in the measures).
    pub unsatisfied: Vec<UnsatisfiedCase>,
}

/// Builds the report of `scope` for `period`, as of `today` (the daily line stops there).
pub fn build<R: TallyReader>(
    reader: &R,
    org: &Org,
    list: &ResponsibilityList,
    calendar: &WorkCalendar,
    scope: &UnitId,
    period: Period,
    today: NaiveDate,
) -> Result<Report, R::Error> {
    let population = |id: &UnitId| org.get(id).and_then(|u| u.population);
    let measures = |id: &UnitId, p: &Period| -> Result<Measures, R::Error> {
        Ok(Measures::of(reader.total(id, p)?, population(id)))
    };
    let previous = period.previous();
    let here = measures(scope, &period)?;
    let before = measures(scope, &previous)?;
    let last_year = measures(scope, &period.year_before())?;
    let mut ranking: Vec<Ranked> = Vec::new();
    for child in org.children(scope) {
        ranking.push(Ranked {
            rank: 0,
            unit: Named::of(org, &child.id),
            measures: measures(&child.id, &period)?,
            previous: measures(&child.id, &previous)?,
        });
    }
    rank(&mut ranking);
    let mut trend = Vec::new();
    for p in period.trail(TREND) {
        trend.push(TrendPoint {
            label: p.label(),
            measures: measures(scope, &p)?,
        });
    }
    let last = period.end.min(today.succ_opt().unwrap_or(today));
    let first = last.checked_sub_days(Days::new(DAILY)).unwrap_or(last);
    let mut per_day: BTreeMap<NaiveDate, i64> = first
        .iter_days()
        .take_while(|d| *d < last)
        .map(|d| (d, 0))
        .collect();
    for (d, c) in reader.daily(scope, first, last)? {
        per_day.insert(d, c.taken);
    }
    Ok(Report {
        scope: Named::of(org, scope),
        period,
        label: period.label(),
        working_days: period.working_days(calendar),
        fall_previous: fall(here.counters.taken, before.counters.taken),
        fall_last_year: fall(here.counters.taken, last_year.counters.taken),
        measures: here,
        previous: before,
        last_year,
        ranking,
        kinds: top_kinds(reader, list, scope, &period)?,
        hot_spots: hot_spots(reader, org, scope, &period)?,
        trend,
        daily: per_day.into_iter().collect(),
        unsatisfied: Vec::new(),
    })
}

/// Ranks units by [`Measures::score`], best first; units with no case taken go last.
pub fn rank(units: &mut [Ranked]) {
    units.sort_by(|a, b| {
        let key = |r: &Ranked| {
            (
                r.measures.counters.taken == 0,
                -r.measures.score(),
                r.measures.per_10k.unwrap_or(0.0),
                -r.measures.counters.closed,
            )
        };
        let (ka, kb) = (key(a), key(b));
        ka.partial_cmp(&kb)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.unit.id.cmp(&b.unit.id))
    });
    for (i, r) in units.iter_mut().enumerate() {
        r.rank = i + 1;
    }
}

/// Names a kind of matter from the responsibility list (`""`: unclassified, 未分类).
pub fn kind_names(list: &ResponsibilityList, kind: &str) -> (String, String) {
    match list.matters.iter().find(|m| m.id == kind) {
        Some(m) => (m.name.clone(), m.name_en.clone()),
        None if kind.is_empty() => ("未分类".into(), "unclassified".into()),
        None => (kind.to_string(), kind.to_string()),
    }
}

fn top_kinds<R: TallyReader>(
    reader: &R,
    list: &ResponsibilityList,
    scope: &UnitId,
    period: &Period,
) -> Result<Vec<KindVolume>, R::Error> {
    let sum = |p: &Period| -> Result<BTreeMap<String, Counters>, R::Error> {
        let mut out: BTreeMap<String, Counters> = BTreeMap::new();
        for (_, kind, c) in reader.daily_kinds(scope, p.start, p.end)? {
            out.entry(kind).or_default().add(&c);
        }
        Ok(out)
    };
    let now = sum(period)?;
    let before = sum(&period.previous())?;
    let mut out: Vec<KindVolume> = now
        .iter()
        .filter(|(_, c)| c.taken > 0)
        .map(|(kind, c)| {
            let (name, name_en) = kind_names(list, kind);
            KindVolume {
                kind: kind.clone(),
                name,
                name_en,
                taken: c.taken,
                previous: before.get(kind).map_or(0, |b| b.taken),
                unsatisfied: c.unsatisfied,
            }
        })
        .collect();
    out.sort_by(|a, b| b.taken.cmp(&a.taken).then_with(|| a.kind.cmp(&b.kind)));
    out.truncate(TOP);
    Ok(out)
}

fn hot_spots<R: TallyReader>(
    reader: &R,
    org: &Org,
    scope: &UnitId,
    period: &Period,
) -> Result<Vec<HotSpot>, R::Error> {
    let mut areas = Vec::new();
    let mut stack = vec![scope.clone()];
    while let Some(id) = stack.pop() {
        for c in org.children(&id) {
            if matches!(c.level, Level::Street | Level::Community | Level::District) {
                stack.push(c.id.clone());
            }
            if matches!(c.level, Level::Street | Level::Community) {
                areas.push(c.id.clone());
            }
        }
    }
    let mut out = Vec::new();
    for id in areas {
        let taken = reader.total(&id, period)?.taken;
        if taken > 0 {
            out.push(HotSpot {
                unit: Named::of(org, &id),
                taken,
            });
        }
    }
    out.sort_by(|a, b| {
        b.taken
            .cmp(&a.taken)
            .then_with(|| a.unit.id.cmp(&b.unit.id))
    });
    out.truncate(TOP);
    Ok(out)
}

#[cfg(test)]
#[path = "report_tests.rs"]
pub(crate) mod tests;
