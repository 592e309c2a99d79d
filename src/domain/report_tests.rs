//! Reports built over hand-made sums.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::*;
use crate::domain::metrics::{Counters, TallyKey};
use crate::domain::period::PeriodKind;
use crate::domain::testkit::config;

/// Sums in memory, as the store keeps them.
#[derive(Default)]
pub(crate) struct Sums(pub BTreeMap<TallyKey, Counters>);

impl Sums {
    /// Adds `taken` cases (of which `closed` closed, `satisfied` rated satisfied of `rated`) of
    /// `kind` for `unit` on `day`.
    pub(crate) fn put(&mut self, unit: &str, day: NaiveDate, kind: &str, c: Counters) {
        for k in [None, Some(kind.to_string())] {
            let key = TallyKey {
                unit: UnitId::new(unit),
                day,
                kind: k,
            };
            self.0.entry(key).or_default().add(&c);
        }
    }
}

impl TallyReader for Sums {
    type Error = std::convert::Infallible;
    fn daily(
        &self,
        unit: &UnitId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, Counters)>, Self::Error> {
        Ok(self
            .0
            .iter()
            .filter(|(k, _)| &k.unit == unit && k.kind.is_none() && k.day >= from && k.day < to)
            .map(|(k, c)| (k.day, *c))
            .collect())
    }
    fn daily_kinds(
        &self,
        unit: &UnitId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, String, Counters)>, Self::Error> {
        Ok(self
            .0
            .iter()
            .filter(|(k, _)| &k.unit == unit && k.day >= from && k.day < to)
            .filter_map(|(k, c)| Some((k.day, k.kind.clone()?, *c)))
            .collect())
    }
}

pub(crate) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

fn taken(n: i64, closed: i64, rated: i64, satisfied: i64) -> Counters {
    Counters {
        received: n,
        taken: n,
        closed,
        evaluated: rated,
        satisfied,
        resolved: satisfied,
        contact_due: closed,
        responded: closed,
        ..Counters::default()
    }
}

#[test]
fn a_monthly_report_ranks_children_and_compares_periods() {
    let c = config();
    let mut s = Sums::default();
    // November: the city has 30 cases, 20 in Laoshan (all rated satisfied), 10 in Shibei (half).
    s.put("city", d(2026, 11, 3), "noise", taken(12, 12, 12, 12));
    s.put("city", d(2026, 11, 4), "heating", taken(18, 14, 14, 9));
    s.put("laoshan", d(2026, 11, 3), "noise", taken(12, 12, 12, 12));
    s.put("laoshan", d(2026, 11, 4), "heating", taken(8, 8, 8, 8));
    s.put("shibei", d(2026, 11, 4), "heating", taken(10, 6, 6, 1));
    s.put(
        "laoshan.jinjialing",
        d(2026, 11, 4),
        "heating",
        taken(8, 8, 8, 8),
    );
    // October: 40 in the city; November 2025: 25.
    s.put("city", d(2026, 10, 9), "noise", taken(40, 40, 40, 40));
    s.put("city", d(2025, 11, 9), "noise", taken(25, 25, 25, 25));
    let period = Period::containing(PeriodKind::Month, d(2026, 11, 15));
    let r = build(
        &s,
        &c.org,
        &c.responsibility,
        &c.calendar,
        &UnitId::new("city"),
        period,
        d(2026, 11, 30),
    )
    .expect("report");
    assert_eq!(r.label, "2026-11");
    assert_eq!(r.measures.counters.taken, 30);
    assert_eq!(r.previous.counters.taken, 40);
    assert_eq!(r.last_year.counters.taken, 25);
    assert_eq!(r.fall_previous, Some(25.0));
    assert_eq!(r.fall_last_year.map(|f| f.round()), Some(-20.0));
    let ranked: Vec<&str> = r.ranking.iter().map(|u| u.unit.id.as_str()).collect();
    assert_eq!(
        &ranked[..2],
        ["laoshan", "shibei"],
        "the better rates rank first"
    );
    assert_eq!(r.ranking[0].rank, 1);
    assert!(r.ranking[2..]
        .iter()
        .all(|u| u.measures.counters.taken == 0));
    let kinds: Vec<(&str, i64)> = r.kinds.iter().map(|k| (k.kind.as_str(), k.taken)).collect();
    assert_eq!(kinds, [("heating", 18), ("noise", 12)]);
    assert_eq!(r.kinds[1].previous, 40);
    assert_eq!(r.hot_spots.len(), 1);
    assert_eq!(
        (r.hot_spots[0].unit.id.as_str(), r.hot_spots[0].taken),
        ("laoshan.jinjialing", 8)
    );
    assert_eq!(r.trend.len(), TREND);
    assert_eq!(r.trend[4].measures.counters.taken, 40);
    assert_eq!(r.daily.len(), 30);
    assert_eq!(r.daily[0].0, d(2026, 11, 1), "30 days to the 30th");
    assert_eq!(
        r.daily.iter().map(|(_, n)| n).sum::<i64>(),
        30,
        "October left out"
    );
    assert_eq!(r.working_days, 21);
}
