//! The bundled calendars for 2020–2026 agree, day by day, with an independent
//! reading of the State Council General Office notices (国务院办公厅关于20XX年
//! 部分节假日安排的通知). The tables below are written out by hand, not read from
//! the TOML files: per year, every day off that falls on a Monday–Friday, and
//! every make-up working day (调休上班, always a Saturday or Sunday).

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};
use jiban::domain::calendar::WorkCalendar;

/// (year, Monday–Friday days off, make-up working days).
#[rustfmt::skip]
const YEARS: &[(i32, &[&str], &[&str])] = &[
    (
        2020,
        // 2020 Spring Festival as extended by 国办发明电〔2020〕1号 (to 2 February).
        &[
            "2020-01-01", // 元旦
            "2020-01-24", "2020-01-27", "2020-01-28", "2020-01-29", "2020-01-30",
            "2020-01-31", // 春节
            "2020-04-06", // 清明节
            "2020-05-01", "2020-05-04", "2020-05-05", // 劳动节
            "2020-06-25", "2020-06-26", // 端午节
            "2020-10-01", "2020-10-02", "2020-10-05", "2020-10-06", "2020-10-07",
            "2020-10-08", // 国庆节、中秋节
        ],
        &[
            "2020-01-19", "2020-04-26", "2020-05-09", "2020-06-28", "2020-09-27",
            "2020-10-10",
        ],
    ),
    (
        2021,
        &[
            "2021-01-01", // 元旦
            "2021-02-11", "2021-02-12", "2021-02-15", "2021-02-16", "2021-02-17", // 春节
            "2021-04-05", // 清明节
            "2021-05-03", "2021-05-04", "2021-05-05", // 劳动节
            "2021-06-14", // 端午节
            "2021-09-20", "2021-09-21", // 中秋节
            "2021-10-01", "2021-10-04", "2021-10-05", "2021-10-06", "2021-10-07", // 国庆节
        ],
        &[
            "2021-02-07", "2021-02-20", "2021-04-25", "2021-05-08", "2021-09-18",
            "2021-09-26", "2021-10-09",
        ],
    ),
    (
        2022,
        &[
            "2022-01-03", // 元旦
            "2022-01-31", "2022-02-01", "2022-02-02", "2022-02-03", "2022-02-04", // 春节
            "2022-04-04", "2022-04-05", // 清明节
            "2022-05-02", "2022-05-03", "2022-05-04", // 劳动节
            "2022-06-03", // 端午节
            "2022-09-12", // 中秋节
            "2022-10-03", "2022-10-04", "2022-10-05", "2022-10-06", "2022-10-07", // 国庆节
        ],
        &[
            "2022-01-29", "2022-01-30", "2022-04-02", "2022-04-24", "2022-05-07",
            "2022-10-08", "2022-10-09",
        ],
    ),
    (
        2023,
        &[
            "2023-01-02", // 元旦
            "2023-01-23", "2023-01-24", "2023-01-25", "2023-01-26", "2023-01-27", // 春节
            "2023-04-05", // 清明节
            "2023-05-01", "2023-05-02", "2023-05-03", // 劳动节
            "2023-06-22", "2023-06-23", // 端午节
            "2023-09-29", "2023-10-02", "2023-10-03", "2023-10-04", "2023-10-05",
            "2023-10-06", // 中秋节、国庆节
        ],
        &[
            "2023-01-28", "2023-01-29", "2023-04-23", "2023-05-06", "2023-06-25",
            "2023-10-07", "2023-10-08",
        ],
    ),
    (
        2024,
        &[
            "2024-01-01", // 元旦
            "2024-02-12", "2024-02-13", "2024-02-14", "2024-02-15", "2024-02-16", // 春节
            "2024-04-04", "2024-04-05", // 清明节
            "2024-05-01", "2024-05-02", "2024-05-03", // 劳动节
            "2024-06-10", // 端午节
            "2024-09-16", "2024-09-17", // 中秋节
            "2024-10-01", "2024-10-02", "2024-10-03", "2024-10-04", "2024-10-07", // 国庆节
        ],
        &[
            "2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11",
            "2024-09-14", "2024-09-29", "2024-10-12",
        ],
    ),
    (
        2025,
        &[
            "2025-01-01", // 元旦
            "2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31", "2025-02-03",
            "2025-02-04", // 春节
            "2025-04-04", // 清明节
            "2025-05-01", "2025-05-02", "2025-05-05", // 劳动节
            "2025-06-02", // 端午节
            "2025-10-01", "2025-10-02", "2025-10-03", "2025-10-06", "2025-10-07",
            "2025-10-08", // 国庆节、中秋节
        ],
        &[
            "2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11",
        ],
    ),
    (
        2026,
        &[
            "2026-01-01", "2026-01-02", // 元旦
            "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20",
            "2026-02-23", // 春节
            "2026-04-06", // 清明节
            "2026-05-01", "2026-05-04", "2026-05-05", // 劳动节
            "2026-06-19", // 端午节
            "2026-09-25", // 中秋节
            "2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07", // 国庆节
        ],
        &[
            "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20",
            "2026-10-10",
        ],
    ),
];

fn bundled_calendar() -> WorkCalendar {
    let sources = jiban::fixtures::bundled();
    let files: Vec<(&str, &str)> = sources
        .calendars
        .iter()
        .map(|(name, text)| (name.as_str(), text.as_str()))
        .collect();
    WorkCalendar::from_sources(&files).expect("bundled calendar files parse")
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("table dates are YYYY-MM-DD")
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The tables themselves are well formed: each date is in its row's year, each
/// day off is a Monday–Friday, each make-up day a Saturday or Sunday, no
/// duplicates.
#[test]
fn the_independent_tables_are_well_formed() {
    for (year, off, work) in YEARS {
        let mut seen = BTreeSet::new();
        for s in off.iter() {
            let d = date(s);
            assert_eq!(d.year(), *year, "day off {s} is listed under {year}");
            assert!(
                !is_weekend(d),
                "day off {s} is listed as a weekday but is a {}",
                d.weekday()
            );
            assert!(seen.insert(d), "{s} is listed twice for {year}");
        }
        for s in work.iter() {
            let d = date(s);
            assert_eq!(d.year(), *year, "make-up day {s} is listed under {year}");
            assert!(
                is_weekend(d),
                "make-up day {s} should be a weekend day but is a {}",
                d.weekday()
            );
            assert!(seen.insert(d), "{s} is listed twice for {year}");
        }
    }
}

#[test]
fn the_bundled_calendar_loads_every_year_from_2020_to_2026() {
    let years = bundled_calendar().years();
    for year in 2020..=2026 {
        assert!(
            years.contains(&year),
            "no calendar loaded for {year}; loaded: {years:?}"
        );
    }
}

#[test]
fn every_day_from_2020_to_2026_matches_the_official_notices() {
    let cal = bundled_calendar();
    let mut failures = Vec::new();
    for year in 2020..=2026 {
        let (_, off, work) = YEARS
            .iter()
            .find(|(y, _, _)| *y == year)
            .expect("every year 2020..=2026 has a table row");
        let off: BTreeSet<NaiveDate> = off.iter().map(|s| date(s)).collect();
        let work: BTreeSet<NaiveDate> = work.iter().map(|s| date(s)).collect();
        let jan1 = NaiveDate::from_ymd_opt(year, 1, 1).expect("1 January is a valid date");
        for d in jan1.iter_days().take_while(|d| d.year() == year) {
            let expected = work.contains(&d) || (!is_weekend(d) && !off.contains(&d));
            let actual = cal.is_working_day(d);
            if actual != expected {
                let why = if work.contains(&d) {
                    "a make-up working day (调休上班)"
                } else if off.contains(&d) {
                    "a holiday day off"
                } else if is_weekend(d) {
                    "an ordinary weekend day"
                } else {
                    "an ordinary working day"
                };
                failures.push(format!(
                    "{d} ({}): expected {} ({why}), calendar says {}",
                    d.weekday(),
                    if expected { "working day" } else { "day off" },
                    if actual { "working day" } else { "day off" },
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} day(s) disagree with the notices:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
