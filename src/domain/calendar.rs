//! Working-day calendar for official deadlines (工作日).
//!
//! Day boundaries are China Standard Time (UTC+08:00, no DST). A day is a
//! working day if it is a listed make-up working day (调休上班), or if it is
//! Monday–Friday and not a listed holiday day off. Years without a loaded
//! calendar file fall back to plain Monday–Friday, and every result computed
//! across such a year is marked provisional and names the missing years.
//!
//! All computations walk whole days (with bitmaps and closed-form weekday
//! counts), never minutes.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};

const DAY_SECS: i64 = 86_400;
const CST_OFFSET_SECS: i32 = 8 * 3600;
/// `num_days_from_ce` of 1970-01-01; day numbers below count days since then.
const EPOCH_CE_DAYS: i64 = 719_163;

/// China Standard Time, UTC+08:00.
pub fn cst() -> FixedOffset {
    FixedOffset::east_opt(CST_OFFSET_SECS).expect("UTC+8 is a valid offset")
}

/// A time as China Standard Time to the minute, `2026-11-22 09:30` (refusals, history, lists).
pub fn cst_minutes(t: DateTime<Utc>) -> String {
    t.with_timezone(&cst()).format("%Y-%m-%d %H:%M").to_string()
}

/// The calendar date (in China Standard Time) of the instant `t`.
pub fn cst_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&cst()).date_naive()
}

/// A deadline computed by [`WorkCalendar::deadline`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Deadline {
    /// The moment the deadline falls due.
    pub at: DateTime<Utc>,
    /// True if the computation crossed a year with no calendar file loaded.
    pub provisional: bool,
    /// The years crossed that have no calendar file (empty unless provisional).
    pub missing_years: BTreeSet<i32>,
}

/// Working-day time between two moments, from [`WorkCalendar::working_time_between`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingSpan {
    /// Signed working time: negative when the end precedes the start.
    pub duration: Duration,
    /// True if the span crossed a year with no calendar file loaded.
    pub provisional: bool,
    /// The years crossed that have no calendar file (empty unless provisional).
    pub missing_years: BTreeSet<i32>,
}

/// An error loading a calendar file; the message names the file, the line or
/// field, and the reason.
#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    /// The file is not valid TOML or does not have the expected shape.
    #[error("{file}: line {line}: {reason}")]
    Parse {
        /// Name of the calendar file.
        file: String,
        /// 1-based line of the problem.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// A field holds a value the calendar rules reject.
    #[error("{file}: {field}: {reason}")]
    Invalid {
        /// Name of the calendar file.
        file: String,
        /// Path of the offending field, e.g. `holiday[3].workdays[0]` (0-based).
        field: String,
        /// What is wrong.
        reason: String,
    },
}

/// Per-year sets of holiday days off and make-up working days, with a
/// fallback to Monday–Friday for years not loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "CalendarData", into = "CalendarData")]
pub struct WorkCalendar {
    years: BTreeMap<i32, YearCalendar>,
}

/// Serialized form of [`WorkCalendar`]: a list, so any serde format works.
#[derive(Serialize, Deserialize)]
struct CalendarData {
    years: Vec<YearData>,
}

/// Serialized form of one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct YearData {
    year: i32,
    file: String,
    source: String,
    off: BTreeSet<NaiveDate>,
    workdays: BTreeSet<NaiveDate>,
}

/// One loaded year plus its derived working-day bitmap.
#[derive(Debug, Clone, PartialEq, Eq)]
struct YearCalendar {
    data: YearData,
    /// Day number of 1 January.
    first_day: i64,
    /// 365 or 366.
    len: u32,
    /// Bit `i` set iff the day with `ordinal0 == i` is a working day.
    bits: [u64; 6],
}

impl From<YearData> for YearCalendar {
    fn from(data: YearData) -> Self {
        let jan1 = NaiveDate::from_ymd_opt(data.year, 1, 1).unwrap_or(NaiveDate::MIN);
        let len = 365 + u32::from(jan1.leap_year());
        let mut bits = [0u64; 6];
        for (i, date) in jan1.iter_days().take(len as usize).enumerate() {
            let weekday = date.weekday().num_days_from_monday() < 5;
            if data.workdays.contains(&date) || (weekday && !data.off.contains(&date)) {
                bits[i / 64] |= 1 << (i % 64);
            }
        }
        YearCalendar {
            first_day: day_number(jan1),
            len,
            bits,
            data,
        }
    }
}

impl YearCalendar {
    fn bit(&self, ordinal0: u32) -> bool {
        self.bits[(ordinal0 / 64) as usize] >> (ordinal0 % 64) & 1 == 1
    }

    /// Number of working days with ordinal0 in `[s, e)`.
    fn count(&self, s: u32, e: u32) -> i64 {
        let mut n = 0;
        for (w, word) in self.bits.iter().enumerate() {
            let lo = w as u32 * 64;
            let (a, b) = (s.max(lo), e.min(lo + 64));
            if a < b {
                let mask = (u64::MAX >> (64 - (b - a))) << (a - lo);
                n += i64::from((word & mask).count_ones());
            }
        }
        n
    }

    fn end_day(&self) -> i64 {
        self.first_day + i64::from(self.len)
    }
}

impl From<CalendarData> for WorkCalendar {
    fn from(data: CalendarData) -> Self {
        let years = data
            .years
            .into_iter()
            .map(|y| (y.year, YearCalendar::from(y)))
            .collect();
        WorkCalendar { years }
    }
}

impl From<WorkCalendar> for CalendarData {
    fn from(cal: WorkCalendar) -> Self {
        CalendarData {
            years: cal.years.into_values().map(|y| y.data).collect(),
        }
    }
}

// ---- day numbers: days since 1970-01-01 in CST ------------------------------

fn day_number(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) - EPOCH_CE_DAYS
}

fn day_of(t: DateTime<Utc>) -> i64 {
    (t.timestamp() + i64::from(CST_OFFSET_SECS)).div_euclid(DAY_SECS)
}

/// 00:00 CST of `day`, saturating at the ends of chrono's range.
fn day_start(day: i64) -> DateTime<Utc> {
    let secs = day
        .saturating_mul(DAY_SECS)
        .saturating_sub(i64::from(CST_OFFSET_SECS));
    DateTime::from_timestamp(secs, 0).unwrap_or(if day < 0 {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    })
}

fn date_of(day: i64) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(i32::try_from(day + EPOCH_CE_DAYS).ok()?)
}

fn year_of(day: i64) -> i32 {
    match date_of(day) {
        Some(d) => d.year(),
        None if day < 0 => NaiveDate::MIN.year(),
        None => NaiveDate::MAX.year(),
    }
}

/// 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
fn weekday_index(day: i64) -> i64 {
    (day + 3).rem_euclid(7)
}

/// Number of Monday–Friday days in `[a, b)`.
fn weekdays_between(a: i64, b: i64) -> i64 {
    if b <= a {
        return 0;
    }
    let (n, w) = (b - a, weekday_index(a));
    (n / 7) * 5 + (0..n % 7).filter(|i| (w + i) % 7 < 5).count() as i64
}

/// The `k`-th (0-based) Monday–Friday day on or after `from`.
fn nth_weekday(from: i64, k: i64) -> i64 {
    let w = weekday_index(from);
    let (first, w0) = if w >= 5 { (from + 7 - w, 0) } else { (from, w) };
    let (d, r) = (first + (k / 5) * 7, k % 5);
    if w0 + r >= 5 {
        d + r + 2
    } else {
        d + r
    }
}

impl WorkCalendar {
    /// A calendar with no years loaded: every date falls back to Monday–Friday.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Builds a calendar from `(file name, TOML text)` pairs, one year per file.
    pub fn from_sources(files: &[(&str, &str)]) -> Result<Self, CalendarError> {
        let mut cal = Self::empty();
        for (name, text) in files {
            cal.add_year_toml(name, text)?;
        }
        Ok(cal)
    }

    /// Parses, validates and adds one year's TOML file; on error the calendar
    /// is left unchanged.
    pub fn add_year_toml(&mut self, file_name: &str, text: &str) -> Result<(), CalendarError> {
        let data = parse_year(file_name, text)?;
        if let Some(prev) = self.years.get(&data.year) {
            let reason = format!("{} is already loaded from {}", data.year, prev.data.file);
            return Err(invalid(file_name, "year", reason));
        }
        self.years.insert(data.year, YearCalendar::from(data));
        Ok(())
    }

    /// The year a calendar file is for and the notice it names, once every check passes (the
    /// file alone; see [`crate::domain::calendar_file`] for where in it an error is).
    pub fn check_file(file_name: &str, text: &str) -> Result<(i32, String), CalendarError> {
        parse_year(file_name, text).map(|d| (d.year, d.source))
    }

    /// The loaded years, ascending.
    pub fn years(&self) -> Vec<i32> {
        self.years.keys().copied().collect()
    }

    /// Whether a calendar file for `year` is loaded.
    pub fn has_year(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    /// Whether `date` is a working day (Monday–Friday fallback for unknown years).
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.years.get(&date.year()) {
            Some(y) => y.bit(date.ordinal0()),
            None => date.weekday().num_days_from_monday() < 5,
        }
    }

    /// The earliest moment at which `working_days` × 24 h of working-day time
    /// have elapsed since `start`. A start on a non-working day counts from
    /// 00:00 CST of the next working day; zero days gives `start` itself.
    pub fn deadline(&self, start: DateTime<Utc>, working_days: u32) -> Deadline {
        if working_days == 0 {
            return Deadline {
                at: start,
                provisional: false,
                missing_years: BTreeSet::new(),
            };
        }
        let n = u64::from(working_days);
        let d0 = day_of(start);
        let into_day = start - day_start(d0);
        let (last, at) = if into_day > Duration::zero() && self.is_working(d0) {
            // Same time of day on the n-th working day after d0.
            let last = self.nth_working(d0, n);
            let at = day_start(last).checked_add_signed(into_day);
            (last, at.unwrap_or(DateTime::<Utc>::MAX_UTC))
        } else {
            // Whole working days from 00:00: due at the end (24:00) of the n-th.
            let last = self.nth_working(d0, n - 1);
            (last, day_start(last + 1))
        };
        let missing_years = self.missing_years(year_of(d0), year_of(last));
        Deadline {
            at,
            provisional: !missing_years.is_empty(),
            missing_years,
        }
    }

    /// Signed working-day time in `[from, to)`; if `to < from`, minus the
    /// working-day time in `[to, from)`.
    pub fn working_time_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> WorkingSpan {
        let (lo, hi) = if from <= to { (from, to) } else { (to, from) };
        if lo == hi {
            let missing_years = BTreeSet::new();
            return WorkingSpan {
                duration: Duration::zero(),
                provisional: false,
                missing_years,
            };
        }
        let d0 = day_of(lo);
        let d1 = day_of(hi);
        // Last day with a non-empty intersection with [lo, hi).
        let dl = if day_start(d1) == hi { d1 - 1 } else { d1 };
        let duration = if d0 == dl {
            if self.is_working(d0) {
                hi - lo
            } else {
                Duration::zero()
            }
        } else {
            let mut total = Duration::days(self.count_working(d0 + 1, dl));
            if self.is_working(d0) {
                total += day_start(d0 + 1) - lo;
            }
            if self.is_working(dl) {
                total += hi - day_start(dl);
            }
            total
        };
        let duration = if from <= to { duration } else { -duration };
        let missing_years = self.missing_years(year_of(d0), year_of(dl));
        WorkingSpan {
            duration,
            provisional: !missing_years.is_empty(),
            missing_years,
        }
    }

    fn is_working(&self, day: i64) -> bool {
        match date_of(day) {
            Some(date) => self.is_working_day(date),
            None => weekday_index(day) < 5,
        }
    }

    /// Number of working days in the day range `[a, b)`.
    fn count_working(&self, a: i64, b: i64) -> i64 {
        if b <= a {
            return 0;
        }
        let (mut total, mut cur) = (0, a);
        for (_, y) in self.years.range(year_of(a)..=year_of(b - 1)) {
            let (s, e) = (cur.max(y.first_day), b.min(y.end_day()));
            total += weekdays_between(cur, s);
            total += y.count((s - y.first_day) as u32, (e - y.first_day) as u32);
            cur = e;
        }
        total + weekdays_between(cur, b)
    }

    /// The working day `d >= from` with exactly `k` working days in `[from, d)`.
    fn nth_working(&self, from: i64, mut k: u64) -> i64 {
        let mut cur = from;
        loop {
            let year = year_of(cur);
            if let Some(y) = self.years.get(&year) {
                let (s, len) = ((cur - y.first_day) as u32, y.len);
                let avail = y.count(s, len) as u64;
                if k < avail {
                    for ord in s..len {
                        if y.bit(ord) {
                            if k == 0 {
                                return y.first_day + i64::from(ord);
                            }
                            k -= 1;
                        }
                    }
                }
                k -= avail;
                cur = y.end_day();
            } else {
                let d = nth_weekday(cur, k as i64);
                match self.years.range(year + 1..).next() {
                    Some((_, next)) if d >= next.first_day => {
                        k -= weekdays_between(cur, next.first_day) as u64;
                        cur = next.first_day;
                    }
                    _ => return d,
                }
            }
        }
    }

    fn missing_years(&self, first: i32, last: i32) -> BTreeSet<i32> {
        (first..=last).filter(|y| !self.has_year(*y)).collect()
    }
}

// ---- parsing and validation -------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    year: i64,
    #[serde(default)]
    source: String,
    #[serde(default)]
    holiday: Vec<RawHoliday>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // `name` and `name_en` are checked for presence and type only.
struct RawHoliday {
    name: String,
    #[serde(default)]
    name_en: Option<String>,
    off: toml::Value,
    #[serde(default)]
    workdays: Vec<toml::Value>,
}

fn invalid(file: &str, field: impl Into<String>, reason: impl Into<String>) -> CalendarError {
    let (file, field, reason) = (file.to_string(), field.into(), reason.into());
    CalendarError::Invalid {
        file,
        field,
        reason,
    }
}

struct Ctx<'a> {
    file: &'a str,
    year: i32,
}

impl Ctx<'_> {
    /// A single date, which must fall in the file's year.
    fn date(&self, v: &toml::Value, field: &str) -> Result<NaiveDate, CalendarError> {
        let date = match v {
            toml::Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                invalid(
                    self.file,
                    field,
                    format!("{v} is not a valid date (expected YYYY-MM-DD)"),
                )
            })?,
            toml::Value::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
                (Some(d), None, None) => {
                    NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into())
                        .ok_or_else(|| {
                            invalid(self.file, field, format!("{v} is not a valid date"))
                        })?
                }
                _ => {
                    return Err(invalid(
                        self.file,
                        field,
                        format!("{dt} is not a plain date"),
                    ))
                }
            },
            _ => {
                let reason = format!("expected a date like \"{}-01-01\", found {v}", self.year);
                return Err(invalid(self.file, field, reason));
            }
        };
        if date.year() != self.year {
            return Err(invalid(
                self.file,
                field,
                format!("{date} is not in year {}", self.year),
            ));
        }
        Ok(date)
    }

    /// A date or an inclusive `{ from, to }` range, appended to `out`.
    fn range(
        &self,
        v: &toml::Value,
        field: &str,
        out: &mut Vec<(NaiveDate, String)>,
    ) -> Result<(), CalendarError> {
        let toml::Value::Table(t) = v else {
            out.push((self.date(v, field)?, field.to_string()));
            return Ok(());
        };
        if let Some(key) = t.keys().find(|k| *k != "from" && *k != "to") {
            let reason = format!("unknown key `{key}` (expected `from` and `to`)");
            return Err(invalid(self.file, field, reason));
        }
        let end = |key: &str| match t.get(key) {
            Some(v) => self.date(v, &format!("{field}.{key}")),
            None => Err(invalid(self.file, field, format!("missing `{key}`"))),
        };
        let (from, to) = (end("from")?, end("to")?);
        if from > to {
            return Err(invalid(
                self.file,
                field,
                format!("from {from} is after to {to}"),
            ));
        }
        out.extend(
            from.iter_days()
                .take_while(|d| *d <= to)
                .map(|d| (d, field.to_string())),
        );
        Ok(())
    }
}

fn parse_year(file: &str, text: &str) -> Result<YearData, CalendarError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let line = super::toml_error_line(text, &e);
        let (file, reason) = (file.to_string(), e.message().to_string());
        CalendarError::Parse { file, line, reason }
    })?;
    let year = match i32::try_from(raw.year) {
        Ok(y) if (1900..=9999).contains(&y) => y,
        _ => {
            return Err(invalid(
                file,
                "year",
                format!("{} is outside 1900–9999", raw.year),
            ))
        }
    };
    let ctx = Ctx { file, year };
    let mut off: Vec<(NaiveDate, String)> = Vec::new();
    for (i, h) in raw.holiday.iter().enumerate() {
        let field = format!("holiday[{i}].off");
        match &h.off {
            toml::Value::Array(items) => {
                for (j, item) in items.iter().enumerate() {
                    ctx.range(item, &format!("{field}[{j}]"), &mut off)?;
                }
            }
            v => ctx.range(v, &field, &mut off)?,
        }
    }
    let mut seen: BTreeMap<NaiveDate, &str> = BTreeMap::new();
    for (date, field) in &off {
        if let Some(first) = seen.insert(*date, field) {
            let reason = format!("{date} is already a day off in {first}: holidays overlap");
            return Err(invalid(file, field.clone(), reason));
        }
    }
    let off_fields: BTreeMap<NaiveDate, String> = off.into_iter().collect();
    let mut workdays = BTreeSet::new();
    for (i, h) in raw.holiday.iter().enumerate() {
        for (j, v) in h.workdays.iter().enumerate() {
            let field = format!("holiday[{i}].workdays[{j}]");
            let date = ctx.date(v, &field)?;
            if let Some(off_field) = off_fields.get(&date) {
                let reason =
                    format!("{date} is both a make-up working day and a day off ({off_field})");
                return Err(invalid(file, field, reason));
            }
            if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
                let reason = format!(
                    "{date} is a {}; a make-up working day must be a Saturday or Sunday",
                    date.format("%A")
                );
                return Err(invalid(file, field, reason));
            }
            if !workdays.insert(date) {
                let reason = format!("{date} is listed twice as a make-up working day");
                return Err(invalid(file, field, reason));
            }
        }
    }
    let off = off_fields.into_keys().collect();
    Ok(YearData {
        year,
        file: file.to_string(),
        source: raw.source,
        off,
        workdays,
    })
}

#[cfg(test)]
#[path = "calendar_tests.rs"]
mod tests;
