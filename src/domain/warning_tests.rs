//! Early warning on hand-made weekly volumes.

use super::*;
use crate::domain::metrics::Counters;
use crate::domain::report::tests::{d, Sums};
use crate::domain::testkit::config;

fn weeks(now: &[i64], year_before: &[i64]) -> Weeks {
    Weeks {
        now: now.to_vec(),
        year_before: year_before.to_vec(),
    }
}

#[test]
fn a_sharp_rise_is_a_surge_and_a_small_one_is_not() {
    let r = WarningRules::default();
    assert_eq!(judge(&weeks(&[12, 3, 4, 3, 2], &[]), &r).0, [Signal::Surge]);
    assert!(judge(&weeks(&[5, 3, 4, 3, 2], &[]), &r).0.is_empty());
    // Under the minimum, nothing warns however steep.
    assert!(judge(&weeks(&[4, 0, 0, 0, 0], &[]), &r).0.is_empty());
}

#[test]
fn a_seasonal_kind_is_judged_against_its_own_season() {
    let r = WarningRules::default();
    // Heating in November: far above October, but last November was as high.
    let heating = weeks(&[30, 28, 25, 6, 4, 3, 2], &[29, 31, 27, 26, 5, 4, 3, 2]);
    assert!(
        judge(&heating, &r).0.is_empty(),
        "{:?}",
        judge(&heating, &r)
    );
    // The same weeks with a quiet year before: high and rising.
    let new = weeks(&[30, 28, 25, 6, 4, 3, 2], &[2, 2, 3, 2, 2, 2, 2, 2]);
    let (signals, _) = judge(&new, &r);
    assert!(signals.contains(&Signal::High), "{signals:?}");
}

#[test]
fn three_weeks_above_the_season_are_sustained_high() {
    let r = WarningRules::default();
    let w = weeks(&[12, 12, 11, 10, 10, 10, 10], &[5, 5, 5, 5, 5, 5, 5, 5]);
    assert_eq!(judge(&w, &r).0, [Signal::High]);
    let short = weeks(&[12, 12, 6, 10, 10, 10, 10], &[5, 5, 5, 5, 5, 5, 5, 5]);
    assert!(judge(&short, &r).0.is_empty());
}

#[test]
fn scan_reads_rolling_weeks_per_area_and_kind() {
    let c = config();
    let mut s = Sums::default();
    let one = Counters {
        received: 1,
        taken: 1,
        ..Counters::default()
    };
    let today = d(2026, 11, 30);
    // Leaks in Laoshan: two a week for a month, then ten in the last seven days.
    for back in 0..35u64 {
        let day = today - chrono::Days::new(back);
        let n = if back < 7 || back % 7 == 0 { 2 } else { 0 };
        for _ in 0..n {
            s.put("laoshan", day, "leak", one);
        }
    }
    let list = scan(
        &s,
        &c.org,
        &c.responsibility,
        &WarningRules::default(),
        today,
    )
    .expect("scan");
    assert_eq!(list.len(), 1, "{list:?}");
    let w = &list[0];
    assert_eq!(
        (w.area.id.as_str(), w.kind.as_str(), w.this_week),
        ("laoshan", "leak", 14)
    );
    assert_eq!(w.signals, [Signal::Surge]);
    assert!((w.baseline - 2.0).abs() < 1e-9, "{}", w.baseline);
}

#[test]
fn the_rules_file_sets_the_thresholds_and_a_bad_one_is_named() {
    let text = include_str!("../../fixtures/rules.toml");
    let rules = crate::domain::rules::Rules::from_toml("rules.toml", text).expect("rules");
    assert_eq!(rules.warning, WarningRules::default());
    let bad = text.replace("surge_ratio = 2.0", "surge_ratio = 0.5");
    let e = crate::domain::rules::Rules::from_toml("rules.toml", &bad)
        .expect_err("a ratio under 1")
        .to_string();
    assert!(e.contains("warning.surge_ratio"), "{e}");
    let typo = text.replace("min_cases = 5", "min_case = 5");
    assert!(crate::domain::rules::Rules::from_toml("rules.toml", &typo).is_err());
}
