//! Red / yellow / blue lights (红黄蓝灯) and the working-time countdown.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::WorkCalendar;
use super::case::{Case, Stage};
use super::rules::Rules;

/// A case's light.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    /// Overdue.
    Red,
    /// At most a third of the allowed working time left.
    Yellow,
    /// On time.
    Blue,
}

impl Light {
    /// Every light, most urgent first.
    pub const ALL: [Light; 3] = [Light::Red, Light::Yellow, Light::Blue];
    /// The name used in the CLI and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Light::Red => "red",
            Light::Yellow => "yellow",
            Light::Blue => "blue",
        }
    }
}

impl std::str::FromStr for Light {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Light::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| format!("unknown light {s:?} (expected red, yellow or blue)"))
    }
}

/// Working time left before the deadline (negative when overdue), for a case with a running clock.
pub fn remaining(case: &Case, now: DateTime<Utc>, calendar: &WorkCalendar) -> Option<Duration> {
    case.due_at.map(|due| remaining_until(due, now, calendar))
}

/// Working time left from `now` until `due` (negative when overdue).
pub fn remaining_until(
    due: DateTime<Utc>,
    now: DateTime<Utc>,
    calendar: &WorkCalendar,
) -> Duration {
    calendar.working_time_between(now, due).duration
}

/// True when a case in `stage` with deadline `due_at` has a light: it is being handled
/// (assigned or handling) against a deadline. Only these are on the deadline index.
pub fn has_light(stage: Stage, due_at: Option<DateTime<Utc>>) -> bool {
    matches!(stage, Stage::Assigned | Stage::Handling) && due_at.is_some()
}

/// The light of a case in `assigned` or `handling`; none in other stages.
pub fn light(
    case: &Case,
    now: DateTime<Utc>,
    calendar: &WorkCalendar,
    rules: &Rules,
) -> Option<Light> {
    light_of(
        case.stage,
        case.due_at,
        case.limit_days,
        now,
        calendar,
        rules,
    )
}

/// The light from the parts of a case that decide it (stage, deadline, allowed working days), for
/// read models that keep a slim copy of each case.
pub fn light_of(
    stage: Stage,
    due_at: Option<DateTime<Utc>>,
    limit_days: Option<u32>,
    now: DateTime<Utc>,
    calendar: &WorkCalendar,
    rules: &Rules,
) -> Option<Light> {
    if !has_light(stage, due_at) {
        return None;
    }
    let due = due_at?;
    if now >= due {
        return Some(Light::Red);
    }
    let left = calendar.working_time_between(now, due).duration;
    let allowed = Duration::hours(24 * i64::from(limit_days.unwrap_or(1)));
    let threshold = allowed.num_seconds() as f64 * rules.lights.yellow_remaining_fraction;
    if (left.num_seconds() as f64) <= threshold {
        Some(Light::Yellow)
    } else {
        Some(Light::Blue)
    }
}

/// A countdown as the board shows it: `1d 03h`, `5h 20m`, or overdue `-4h`.
pub fn format_countdown(d: Duration) -> String {
    let neg = d < Duration::zero();
    let secs = d.num_seconds().abs();
    let (days, hours, mins) = (secs / 86_400, (secs % 86_400) / 3600, (secs % 3600) / 60);
    let body = if days > 0 {
        format!("{days}d {hours:02}h")
    } else if hours > 0 {
        format!("{hours}h {mins:02}m")
    } else {
        format!("{mins}m")
    };
    if neg {
        format!("-{body}")
    } else {
        body
    }
}
