//! Red / yellow / blue lights (红黄蓝灯) and the working-time countdown.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::WorkCalendar;
use super::case::Case;
use super::deadlines::deciding;
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

/// Time left on the clock that decides the case's light (negative when overdue); none when no
/// clock runs.
pub fn remaining(
    case: &Case,
    now: DateTime<Utc>,
    calendar: &WorkCalendar,
    rules: &Rules,
) -> Option<Duration> {
    deciding(&case.stage_clocks, now, calendar, rules).map(|(c, _)| c.remaining(now, calendar))
}

/// Working time left from `now` until `due` (negative when overdue).
pub fn remaining_until(
    due: DateTime<Utc>,
    now: DateTime<Utc>,
    calendar: &WorkCalendar,
) -> Duration {
    calendar.working_time_between(now, due).duration
}

/// A case's light: the worst of its running clocks ([`crate::domain::deadlines`]); none when no
/// clock runs (assessment, finished).
pub fn light(
    case: &Case,
    now: DateTime<Utc>,
    calendar: &WorkCalendar,
    rules: &Rules,
) -> Option<Light> {
    deciding(&case.stage_clocks, now, calendar, rules).map(|(_, l)| l)
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
