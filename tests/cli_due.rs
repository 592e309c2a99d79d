//! `jiban due`: deadlines in official working days, and the warning for a year without a calendar.

mod common;

use common::jiban;

fn due(from: &str, days: &str) -> common::Out {
    jiban(&["due", "--from", from, "--days", days], None)
}

#[test]
fn one_working_day_from_the_eve_of_national_day_is_thursday_october_8() {
    // Wed Sep 30 is a working day; Oct 1–7 are off; Thu Oct 8 is the next working day.
    let out = due("2026-09-30T10:00:00+08:00", "1").ok();
    assert_eq!(out.stdout.trim(), "2026-10-08T10:00:00+08:00");
    assert_eq!(out.stderr, "", "2026 has a calendar: no warning");
}

#[test]
fn make_up_working_days_count_and_holidays_do_not() {
    // Thu Oct 8, Fri Oct 9, then Sat Oct 10 is a make-up working day (调休上班).
    let out = due("2026-09-30T10:00:00+08:00", "3").ok();
    assert_eq!(out.stdout.trim(), "2026-10-10T10:00:00+08:00");
    // Sun Oct 11 is off again: the fourth day is Mon Oct 12.
    let out = due("2026-09-30T10:00:00+08:00", "4").ok();
    assert_eq!(out.stdout.trim(), "2026-10-12T10:00:00+08:00");
    // A start inside the holiday counts whole days from Thu Oct 8 00:00.
    let out = due("2026-10-03T15:00:00+08:00", "1").ok();
    assert_eq!(out.stdout.trim(), "2026-10-09T00:00:00+08:00");
    // The answer is in China time whatever the start's offset.
    let out = due("2026-09-30T02:00:00Z", "1").ok();
    assert_eq!(out.stdout.trim(), "2026-10-08T10:00:00+08:00");
}

#[test]
fn a_start_in_2027_warns_that_there_is_no_calendar_for_2027() {
    let out = due("2027-03-01T10:00:00+08:00", "1").ok();
    // Monday–Friday counting: Mon Mar 1 → Tue Mar 2.
    assert_eq!(out.stdout.trim(), "2027-03-02T10:00:00+08:00");
    assert!(out.stderr.contains("warning"), "{}", out.stderr);
    assert!(out.stderr.contains("2027"), "{}", out.stderr);
    // A 2026 deadline that reaches into 2027 warns too.
    let out = due("2026-12-30T10:00:00+08:00", "3").ok();
    assert!(out.stderr.contains("2027"), "{}", out.stderr);
}

#[test]
fn a_bad_start_time_is_an_error() {
    let out = due("2026-09-30 10:00", "1").failed(1);
    assert!(out.stderr.contains("--from"), "{}", out.stderr);
    assert_eq!(out.stdout, "");
}

#[test]
fn due_counts_with_the_stores_calendar_not_the_bundled_one() {
    // A city whose store has one more day off (Tue 2026-11-24) than the bundled calendar.
    let extra = "\n[[holiday]]\nname = \"测试\"\nname_en = \"Test day\"\noff = { from = \"2026-11-24\", to = \"2026-11-24\" }\nworkdays = []\n";
    let fixtures = common::fixtures_with(&[("calendar/cn-2026.toml", "", extra)]);
    let store = common::Store::with_fixtures(fixtures.path());
    let data = store.path().to_str().expect("path");
    let out = jiban(
        &[
            "--data",
            data,
            "due",
            "--from",
            "2026-11-23T10:00:00+08:00",
            "--days",
            "1",
        ],
        None,
    )
    .ok();
    assert_eq!(out.stdout.trim(), "2026-11-25T10:00:00+08:00");
    // Without a store, the bundled calendar: Tuesday.
    let out = due("2026-11-23T10:00:00+08:00", "1").ok();
    assert_eq!(out.stdout.trim(), "2026-11-24T10:00:00+08:00");
}
