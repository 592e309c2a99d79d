use super::*;
use chrono::NaiveDateTime;
use proptest::prelude::*;
use std::sync::OnceLock;

const CN_2026: &str = include_str!("../../fixtures/calendar/cn-2026.toml");

fn cal() -> &'static WorkCalendar {
    static CAL: OnceLock<WorkCalendar> = OnceLock::new();
    CAL.get_or_init(|| WorkCalendar::from_sources(&[("cn-2026.toml", CN_2026)]).unwrap())
}

/// "YYYY-MM-DD HH:MM" in CST.
fn t(s: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    naive.and_local_timezone(cst()).unwrap().with_timezone(&Utc)
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn midnight(date: NaiveDate) -> DateTime<Utc> {
    date.and_hms_opt(0, 0, 0)
        .unwrap()
        .and_local_timezone(cst())
        .unwrap()
        .with_timezone(&Utc)
}

fn years(ys: &[i32]) -> BTreeSet<i32> {
    ys.iter().copied().collect()
}

/// Asserts a non-provisional deadline against the 2026 calendar.
fn assert_due(start: &str, n: u32, expected: &str) {
    let got = cal().deadline(t(start), n);
    let want = Deadline {
        at: t(expected),
        provisional: false,
        missing_years: BTreeSet::new(),
    };
    assert_eq!(got, want, "{start} + {n} working days");
}

fn span(from: &str, to: &str) -> WorkingSpan {
    cal().working_time_between(t(from), t(to))
}

fn load_err(text: &str) -> String {
    WorkCalendar::from_sources(&[("cn-2026.toml", text)])
        .unwrap_err()
        .to_string()
}

fn replaced(from: &str, to: &str) -> String {
    assert!(CN_2026.contains(from), "fixture lacks {from}");
    CN_2026.replacen(from, to, 1)
}

// ---- helpers and calendar contents ------------------------------------------

#[test]
fn cst_helpers_use_utc_plus_8() {
    assert_eq!(cst().local_minus_utc(), 8 * 3600);
    let utc = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
    assert_eq!(cst_date(utc("2026-11-22T15:59:59Z")), d("2026-11-22"));
    assert_eq!(cst_date(utc("2026-11-22T16:00:00Z")), d("2026-11-23"));
}

#[test]
fn fixture_matches_the_official_table() {
    let off = [
        ("2026-01-01", "2026-01-03"),
        ("2026-02-15", "2026-02-23"),
        ("2026-04-04", "2026-04-06"),
        ("2026-05-01", "2026-05-05"),
        ("2026-06-19", "2026-06-21"),
        ("2026-09-25", "2026-09-27"),
        ("2026-10-01", "2026-10-07"),
    ];
    let makeup = [
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-05-09",
        "2026-09-20",
        "2026-10-10",
    ];
    let mut working = 0;
    for date in d("2026-01-01").iter_days().take_while(|x| x.year() == 2026) {
        let is_off = off.iter().any(|(a, b)| d(a) <= date && date <= d(b));
        let is_makeup = makeup.contains(&date.to_string().as_str());
        let weekday = date.weekday().num_days_from_monday() < 5;
        let expected = is_makeup || (weekday && !is_off);
        assert_eq!(cal().is_working_day(date), expected, "{date}");
        working += usize::from(expected);
    }
    assert_eq!(working, 248);
    assert_eq!(cal().years(), vec![2026]);
    assert!(cal().has_year(2026) && !cal().has_year(2027));
}

#[test]
fn unknown_years_fall_back_to_monday_to_friday() {
    assert!(cal().is_working_day(d("2027-01-01"))); // a Friday; its holiday is unknown
    assert!(!cal().is_working_day(d("2027-01-02")));
    assert!(WorkCalendar::empty().is_working_day(d("2026-10-01")));
    assert!(!WorkCalendar::empty().is_working_day(d("2026-02-14")));
}

// ---- deadline ----------------------------------------------------------------

#[test]
fn deadline_across_an_ordinary_weekend() {
    assert_due("2026-11-20 15:00", 1, "2026-11-23 15:00");
    assert_due("2026-11-18 09:30", 5, "2026-11-25 09:30");
}

#[test]
fn deadline_uses_cst_day_boundaries() {
    // Sunday 17:00 UTC is Monday 01:00 CST, a working day.
    let start = DateTime::parse_from_rfc3339("2026-11-22T17:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    assert_eq!(cal().deadline(start, 1).at, t("2026-11-24 01:00"));
}

#[test]
fn deadline_across_spring_festival() {
    assert_due("2026-02-13 10:00", 1, "2026-02-14 10:00"); // Sat Feb 14 is a make-up day
    assert_due("2026-02-14 18:00", 1, "2026-02-24 18:00"); // Feb 15–23 off
    assert_due("2026-02-14 00:00", 1, "2026-02-15 00:00"); // due as the holiday begins
    assert_due("2026-02-13 10:00", 3, "2026-02-25 10:00");
    assert_due("2026-02-17 11:00", 1, "2026-02-25 00:00"); // start on the holiday
    assert_due("2026-02-26 09:00", 2, "2026-02-28 09:00"); // Sat Feb 28 is a make-up day
    assert_due("2026-02-27 16:00", 1, "2026-02-28 16:00");
    assert_due("2026-02-28 16:00", 1, "2026-03-02 16:00"); // Sun Mar 1 is off
}

#[test]
fn deadline_across_labour_day() {
    assert_due("2026-04-30 09:00", 2, "2026-05-07 09:00");
    assert_due("2026-04-30 00:00", 1, "2026-05-01 00:00");
    assert_due("2026-05-03 12:00", 1, "2026-05-07 00:00"); // start on the holiday
    assert_due("2026-05-08 10:00", 1, "2026-05-09 10:00"); // Sat May 9 is a make-up day
    assert_due("2026-05-09 10:00", 1, "2026-05-11 10:00");
    assert_due("2026-05-10 08:00", 1, "2026-05-12 00:00"); // start on a Sunday
}

#[test]
fn deadline_across_national_day() {
    assert_due("2026-09-18 14:00", 1, "2026-09-20 14:00"); // Sun Sep 20 is a make-up day
    assert_due("2026-09-19 10:00", 1, "2026-09-21 00:00"); // Saturday start counts from Sep 20
    assert_due("2026-09-20 09:00", 5, "2026-09-28 09:00"); // Sep 25–27 off
    assert_due("2026-09-24 00:00", 1, "2026-09-25 00:00"); // the 00:00 boundary
    assert_due("2026-09-24 00:00", 2, "2026-09-29 00:00");
    assert_due("2026-09-30 15:00", 1, "2026-10-08 15:00"); // Oct 1–7 off
    assert_due("2026-10-04 15:00", 2, "2026-10-10 00:00"); // holiday start, Sat Oct 10 works
    assert_due("2026-10-09 10:00", 1, "2026-10-10 10:00");
    assert_due("2026-10-10 10:00", 1, "2026-10-12 10:00");
}

#[test]
fn deadline_around_new_year() {
    assert_due("2026-01-03 10:00", 1, "2026-01-05 00:00"); // Sun Jan 4 is a make-up day
    assert_due("2026-01-04 10:00", 1, "2026-01-05 10:00");
}

#[test]
fn zero_days_is_the_start_itself() {
    for start in [
        "2026-11-21 13:00",
        "2026-10-03 08:15",
        "2026-11-23 09:00",
        "2027-03-06 10:00",
    ] {
        let want = Deadline {
            at: t(start),
            provisional: false,
            missing_years: BTreeSet::new(),
        };
        assert_eq!(cal().deadline(t(start), 0), want);
    }
}

#[test]
fn unknown_years_make_deadlines_provisional() {
    let got = cal().deadline(t("2027-03-05 10:00"), 1);
    let want = Deadline {
        at: t("2027-03-08 10:00"),
        provisional: true,
        missing_years: years(&[2027]),
    };
    assert_eq!(got, want);
    let got = WorkCalendar::empty().deadline(t("2026-01-01 10:00"), 1);
    let want = Deadline {
        at: t("2026-01-02 10:00"),
        provisional: true,
        missing_years: years(&[2026]),
    };
    assert_eq!(got, want);
}

#[test]
fn deadline_running_into_2027_is_provisional() {
    let got = cal().deadline(t("2026-12-30 10:00"), 3);
    let want = Deadline {
        at: t("2027-01-04 10:00"),
        provisional: true,
        missing_years: years(&[2027]),
    };
    assert_eq!(got, want);
    // Due exactly at 2027-01-01 00:00: no 2027 day was needed.
    assert_due("2026-12-31 00:00", 1, "2027-01-01 00:00");
    // Spans of several missing years name them all.
    let got = WorkCalendar::empty().deadline(t("2025-12-31 10:00"), 2);
    assert_eq!(got.missing_years, years(&[2025, 2026]));
}

#[test]
fn deadline_with_a_gap_between_loaded_years() {
    let y2028 = "year = 2028\n[[holiday]]\nname = \"元旦\"\noff = { from = \"2028-01-01\", to = \"2028-01-03\" }\n";
    let cal = WorkCalendar::from_sources(&[("a", CN_2026), ("b", y2028)]).unwrap();
    // 2027 has 261 weekdays (fallback); 2028-01-01..03 (Sat–Mon) are off.
    let got = cal.deadline(t("2026-12-31 12:00"), 262);
    assert_eq!(got.at, t("2028-01-04 12:00"));
    assert_eq!(got.missing_years, years(&[2027]));
    let span = cal.working_time_between(t("2026-12-31 12:00"), got.at);
    assert_eq!(span.duration, Duration::hours(24 * 262));
}

#[test]
fn huge_deadlines_saturate_instead_of_hanging() {
    let got = cal().deadline(t("2026-01-05 10:00"), u32::MAX);
    assert_eq!(got.at, DateTime::<Utc>::MAX_UTC);
    assert!(got.provisional);
}

// ---- working_time_between --------------------------------------------------

#[test]
fn working_time_on_the_same_day() {
    let got = span("2026-11-23 09:00", "2026-11-23 17:30");
    let want = WorkingSpan {
        duration: Duration::minutes(510),
        provisional: false,
        missing_years: BTreeSet::new(),
    };
    assert_eq!(got, want);
    assert_eq!(
        span("2026-11-21 09:00", "2026-11-21 17:30").duration,
        Duration::zero()
    );
    assert_eq!(
        span("2026-11-23 09:00", "2026-11-23 09:00").duration,
        Duration::zero()
    );
}

#[test]
fn working_time_across_a_weekend() {
    assert_eq!(
        span("2026-11-20 15:00", "2026-11-23 10:00").duration,
        Duration::hours(19)
    );
    assert_eq!(
        span("2026-11-21 00:00", "2026-11-23 00:00").duration,
        Duration::zero()
    );
}

#[test]
fn working_time_across_holidays() {
    assert_eq!(
        span("2026-09-30 12:00", "2026-10-08 12:00").duration,
        Duration::hours(24)
    );
    assert_eq!(
        span("2026-10-09 00:00", "2026-10-12 00:00").duration,
        Duration::hours(48)
    );
    assert_eq!(
        span("2026-02-13 10:00", "2026-02-24 10:00").duration,
        Duration::hours(48)
    );
    assert_eq!(
        span("2026-02-16 10:00", "2026-02-20 10:00").duration,
        Duration::zero()
    );
    assert_eq!(
        span("2026-01-01 00:00", "2027-01-01 00:00").duration,
        Duration::hours(24 * 248)
    );
}

#[test]
fn working_time_is_negative_when_overdue() {
    assert_eq!(
        span("2026-11-23 10:00", "2026-11-20 15:00").duration,
        Duration::hours(-19)
    );
    assert_eq!(
        span("2026-11-23 14:00", "2026-11-23 10:00").duration,
        Duration::hours(-4)
    );
}

#[test]
fn working_time_into_an_unknown_year_is_provisional() {
    let got = span("2026-12-31 12:00", "2027-01-04 12:00");
    let want = WorkingSpan {
        duration: Duration::hours(48),
        provisional: true,
        missing_years: years(&[2027]),
    };
    assert_eq!(got, want);
    assert!(!span("2026-12-31 12:00", "2027-01-01 00:00").provisional);
    assert_eq!(
        span("2027-01-04 12:00", "2026-12-31 12:00").missing_years,
        years(&[2027])
    );
}

// ---- loading and errors ----------------------------------------------------

#[test]
fn error_for_a_date_outside_the_year() {
    let text = replaced("from = \"2026-05-01\"", "from = \"2025-05-01\"");
    assert_eq!(
        load_err(&text),
        "cn-2026.toml: holiday[3].off.from: 2025-05-01 is not in year 2026"
    );
    let text = replaced("\"2026-10-10\"", "\"2027-10-10\"");
    assert_eq!(
        load_err(&text),
        "cn-2026.toml: holiday[6].workdays[1]: 2027-10-10 is not in year 2026"
    );
}

#[test]
fn error_for_a_make_up_day_on_a_weekday() {
    let text = replaced("\"2026-05-09\"", "\"2026-05-11\"");
    let want = "cn-2026.toml: holiday[3].workdays[0]: 2026-05-11 is a Monday; \
                a make-up working day must be a Saturday or Sunday";
    assert_eq!(load_err(&text), want);
}

#[test]
fn error_for_a_day_both_off_and_working() {
    let text = replaced(
        "workdays = [\"2026-01-04\"]",
        "workdays = [\"2026-01-04\", \"2026-10-03\"]",
    );
    let want = "cn-2026.toml: holiday[0].workdays[1]: 2026-10-03 is both a make-up working day \
                and a day off (holiday[6].off)";
    assert_eq!(load_err(&text), want);
}

#[test]
fn error_for_a_duplicate_year() {
    let err = WorkCalendar::from_sources(&[("cn-2026.toml", CN_2026), ("copy.toml", CN_2026)])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "copy.toml: year: 2026 is already loaded from cn-2026.toml"
    );
}

#[test]
fn errors_for_bad_dates_and_ranges() {
    let text = replaced("to = \"2026-02-23\"", "to = \"2026-02-30\"");
    let want =
        "cn-2026.toml: holiday[1].off.to: \"2026-02-30\" is not a valid date (expected YYYY-MM-DD)";
    assert_eq!(load_err(&text), want);
    let text = replaced("to = \"2026-04-06\"", "to = \"2026-04-03\"");
    assert_eq!(
        load_err(&text),
        "cn-2026.toml: holiday[2].off: from 2026-04-04 is after to 2026-04-03"
    );
    let text = replaced("to = \"2026-04-06\"", "until = \"2026-04-06\"");
    let want = "cn-2026.toml: holiday[2].off: unknown key `until` (expected `from` and `to`)";
    assert_eq!(load_err(&text), want);
    let text = replaced(
        "off = { from = \"2026-01-01\", to = \"2026-01-03\" }",
        "off = [\"2026-01-01\", 7]",
    );
    let want = "cn-2026.toml: holiday[0].off[1]: expected a date like \"2026-01-01\", found 7";
    assert_eq!(load_err(&text), want);
}

#[test]
fn errors_for_bad_toml_name_the_line() {
    let err = load_err("year = 2026\nsource = \"x\"\n[[holiday]\nname = \"a\"\n");
    assert!(err.starts_with("cn-2026.toml: line 3: "), "{err}");
    let text = replaced("workdays = []", "workday = []");
    let err = load_err(&text);
    assert!(
        err.starts_with("cn-2026.toml: line 23: ") && err.contains("workday"),
        "{err}"
    );
    let err = load_err("source = \"x\"\n");
    assert!(err.contains("missing field `year`"), "{err}");
    assert_eq!(
        load_err("year = 20226\n"),
        "cn-2026.toml: year: 20226 is outside 1900–9999"
    );
}

#[test]
fn alternative_off_forms_and_native_dates_are_accepted() {
    let text = "year = 2026\n[[holiday]]\nname = \"x\"\n\
                off = [2026-01-01, { from = 2026-01-02, to = \"2026-01-03\" }]\nworkdays = [2026-01-04]\n";
    let a = WorkCalendar::from_sources(&[("x.toml", text)]).unwrap();
    for day in ["2026-01-01", "2026-01-02", "2026-01-04", "2026-01-05"] {
        assert_eq!(
            a.is_working_day(d(day)),
            cal().is_working_day(d(day)),
            "{day}"
        );
    }
    let text = "year = 2026\n[[holiday]]\nname = \"x\"\noff = 2026-01-01T10:00:00\n";
    assert_eq!(
        load_err(text),
        "cn-2026.toml: holiday[0].off: 2026-01-01T10:00:00 is not a plain date"
    );
}

#[test]
fn a_failed_load_leaves_the_calendar_unchanged() {
    let mut c = cal().clone();
    let bad = replaced("\"2026-05-09\"", "\"2026-05-11\"").replace("2026", "2028");
    assert!(c.add_year_toml("cn-2028.toml", &bad).is_err());
    assert_eq!(&c, cal());
    assert_eq!(c.years(), vec![2026]);
}

#[test]
fn serde_round_trip_keeps_behaviour() {
    fn traits<
        T: Clone + std::fmt::Debug + Send + Sync + Serialize + serde::de::DeserializeOwned,
    >() {
    }
    traits::<WorkCalendar>();
    let text = toml::to_string(cal()).unwrap();
    let back: WorkCalendar = toml::from_str(&text).unwrap();
    assert_eq!(&back, cal());
    assert!(!back.is_working_day(d("2026-10-05")) && back.is_working_day(d("2026-10-10")));
}

// ---- properties --------------------------------------------------------------

/// Start times from 2026-01-01 through mid-2027, biased towards midnights.
fn start_time() -> impl Strategy<Value = DateTime<Utc>> {
    let base = t("2026-01-01 00:00");
    let days = 365 + 181_i64;
    prop_oneof![
        (0..days * DAY_SECS).prop_map(move |s| base + Duration::seconds(s)),
        (0..days).prop_map(move |n| base + Duration::days(n)),
        (0..days, 0..24_i64).prop_map(move |(n, h)| base + Duration::days(n) + Duration::hours(h)),
    ]
}

/// Where counting starts: `t`, or 00:00 of the next working day.
fn counting_start(t: DateTime<Utc>) -> DateTime<Utc> {
    let mut date = cst_date(t);
    if cal().is_working_day(date) {
        return t;
    }
    while !cal().is_working_day(date) {
        date = date.succ_opt().unwrap();
    }
    midnight(date)
}

/// Day-by-day reference for `working_time_between`.
fn reference_between(a: DateTime<Utc>, b: DateTime<Utc>) -> (Duration, BTreeSet<i32>) {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let (mut total, mut missing) = (Duration::zero(), BTreeSet::new());
    let mut date = cst_date(lo);
    while midnight(date) < hi {
        let next = date.succ_opt().unwrap();
        let (s, e) = (lo.max(midnight(date)), hi.min(midnight(next)));
        if cal().is_working_day(date) {
            total += e - s;
        }
        if s < e && !cal().has_year(date.year()) {
            missing.insert(date.year());
        }
        date = next;
    }
    (if a <= b { total } else { -total }, missing)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn deadline_is_never_inside_a_non_working_day(start in start_time(), n in 1..=30_u32) {
        let at = cal().deadline(start, n).at;
        let date = cst_date(at);
        prop_assert!(cal().is_working_day(date) || at == midnight(date), "{start} + {n} -> {at}");
    }

    #[test]
    fn deadline_is_monotonic_in_n(start in start_time()) {
        let due: Vec<_> = (0..=30).map(|n| cal().deadline(start, n).at).collect();
        prop_assert!(due[0] <= due[1]);
        for n in 1..30 {
            prop_assert!(due[n] < due[n + 1], "{start}: N={n} {} vs {}", due[n], due[n + 1]);
        }
    }

    #[test]
    fn deadline_is_exactly_n_working_days_after_the_counting_start(
        start in start_time(), n in 0..=30_u32,
    ) {
        let dl = cal().deadline(start, n);
        let from = counting_start(start);
        let want = Duration::hours(24 * i64::from(n));
        prop_assert_eq!(cal().working_time_between(from, dl.at).duration, want);
        if n > 0 {
            // Earliest such moment: one nanosecond before, the time is short.
            let before = dl.at - Duration::nanoseconds(1);
            prop_assert!(cal().working_time_between(from, before).duration < want);
        }
        let (_, missing) = reference_between(start, dl.at);
        prop_assert_eq!(&dl.missing_years, &missing);
        prop_assert_eq!(dl.provisional, !missing.is_empty());
    }

    #[test]
    fn working_time_matches_the_day_by_day_reference(a in start_time(), b in start_time()) {
        let got = cal().working_time_between(a, b);
        let (duration, missing) = reference_between(a, b);
        prop_assert_eq!(got.duration, duration);
        prop_assert_eq!(got.provisional, !missing.is_empty());
        prop_assert_eq!(got.missing_years, missing);
    }
}
