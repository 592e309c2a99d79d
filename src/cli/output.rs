//! Text output for the CLI: CJK-aware columns and China-time JSON.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::domain::calendar::cst;

pub use crate::text::{pad, truncate, width};

pub use crate::domain::calendar::cst_minutes;

/// A time as RFC 3339 in +08:00.
pub fn cst_rfc3339(t: DateTime<Utc>) -> String {
    t.with_timezone(&cst()).to_rfc3339()
}

/// Whether a JSON field holds a time: `at`, any `…_at`, and the few other names jiban's types
/// give their times. Only these are rewritten, so a title that looks like a time stays as typed.
pub fn is_time_field(key: &str) -> bool {
    key.ends_with("_at")
        || matches!(
            key,
            "at" | "due" | "clock_start" | "from" | "to" | "now" | "start" | "until"
        )
}

/// Rewrites the UTC RFC 3339 times in a JSON value's time fields ([`is_time_field`]) to +08:00
/// (times are stored in UTC and shown in China time).
pub fn to_china_time(v: &mut Value) {
    fn walk(v: &mut Value, time_field: bool) {
        match v {
            Value::String(s)
                if time_field
                    && s.ends_with('Z')
                    && s.len() >= 20
                    && s.as_bytes().get(10) == Some(&b'T') =>
            {
                if let Ok(t) = DateTime::parse_from_rfc3339(s) {
                    *s = cst_rfc3339(t.with_timezone(&Utc));
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| walk(i, time_field)),
            Value::Object(map) => map.iter_mut().for_each(|(k, v)| walk(v, is_time_field(k))),
            _ => {}
        }
    }
    walk(v, false)
}

/// Prints a serialisable value as one JSON document with China times.
pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    let mut v = serde_json::to_value(value)?;
    to_china_time(&mut v);
    println!(
        "{}",
        crate::text::escape_json(&serde_json::to_string_pretty(&v)?)
    );
    Ok(())
}

/// Prints one line (or block) of text with every control and bidi character of user text made
/// harmless ([`crate::text::clean_block`]). All the CLI's plain output goes through here.
pub fn say(text: &str) {
    write_out(&crate::text::clean_block(text));
}

/// Writes a line to stdout. A closed pipe ends the process quietly (SIGPIPE), as Unix tools do;
/// any other failure (a terminal that hung up) is ignored rather than a panic.
fn write_out(line: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
}

/// Prints one line of JSON with unsafe characters escaped ([`crate::text::escape_json`]).
pub fn say_json(json: &str) {
    write_out(&crate::text::escape_json(json));
}

/// `eprintln!` with user text made harmless, as [`say`] does for stdout.
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => {
        {
            use std::io::Write as _;
            let _ = writeln!(
                std::io::stderr(),
                "{}",
                $crate::text::clean_block(&format!($($arg)*))
            );
        }
    };
}

/// `println!` through [`say`].
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::output::say(&format!($($arg)*))
    };
}

pub use crate::domain::privacy::mask_phone;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_times_are_shown_in_china_time() {
        let mut v = serde_json::json!({"at": "2026-11-22T01:30:00Z", "due_at": ["2026-11-21T16:00:00Z"], "title": "2026-11-22T01:30:00Z", "x": {"closed_at": "2026-11-21T16:00:00Z", "note": "2026-11-21T16:00:00Z"}});
        to_china_time(&mut v);
        assert_eq!(v["at"], "2026-11-22T09:30:00+08:00");
        assert_eq!(v["due_at"][0], "2026-11-22T00:00:00+08:00");
        assert_eq!(v["x"]["closed_at"], "2026-11-22T00:00:00+08:00");
        // User text shaped like a time is left as typed.
        assert_eq!(v["title"], "2026-11-22T01:30:00Z");
        assert_eq!(v["x"]["note"], "2026-11-21T16:00:00Z");
    }
}
