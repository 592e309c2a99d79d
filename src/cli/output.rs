//! Text output for the CLI: CJK-aware columns and China-time JSON.

use chrono::{DateTime, Utc};
use serde_json::Value;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::domain::calendar::cst;

/// Display width of text in terminal columns (CJK counts two).
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cuts `s` to at most `max` columns, ending in `…` when cut, never splitting a character.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// Pads (or truncates) `s` to exactly `cols` columns.
pub fn pad(s: &str, cols: usize) -> String {
    let t = truncate(s, cols);
    let w = width(&t);
    format!("{t}{}", " ".repeat(cols.saturating_sub(w)))
}

/// A time as China Standard Time, `2026-11-22 09:30`.
pub fn cst_minutes(t: DateTime<Utc>) -> String {
    t.with_timezone(&cst()).format("%Y-%m-%d %H:%M").to_string()
}

/// A time as RFC 3339 in +08:00.
pub fn cst_rfc3339(t: DateTime<Utc>) -> String {
    t.with_timezone(&cst()).to_rfc3339()
}

/// Rewrites every UTC RFC 3339 time in a JSON value to +08:00 (times are stored in UTC and
/// shown in China time).
pub fn to_china_time(v: &mut Value) {
    match v {
        Value::String(s)
            if s.ends_with('Z') && s.len() >= 20 && s.as_bytes().get(10) == Some(&b'T') =>
        {
            if let Ok(t) = DateTime::parse_from_rfc3339(s) {
                *s = cst_rfc3339(t.with_timezone(&Utc));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(to_china_time),
        Value::Object(map) => map.values_mut().for_each(to_china_time),
        _ => {}
    }
}

/// Prints a serialisable value as one JSON document with China times.
pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    let mut v = serde_json::to_value(value)?;
    to_china_time(&mut v);
    println!("{}", serde_json::to_string_pretty(&v)?);
    Ok(())
}

/// Masks a phone number for roles that may not see it: `138****5678`.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_counts_chinese_as_two_columns_and_ends_in_an_ellipsis() {
        assert_eq!(truncate("大成路47号楼院楼梯扶手脱落", 10), "大成路47…");
        assert_eq!(width(&truncate("大成路47号楼院楼梯扶手脱落", 10)), 9);
        assert_eq!(truncate("abc", 10), "abc");
        // An odd budget never splits a wide character.
        assert_eq!(truncate("楼梯扶手", 4), "楼…");
    }

    #[test]
    fn padding_lines_up_mixed_width_text() {
        assert_eq!(width(&pad("崂山区 hrss", 14)), 14);
        assert_eq!(width(&pad("iPhone 15 退款纠纷超长标题文字", 12)), 12);
    }

    #[test]
    fn json_times_are_shown_in_china_time() {
        let mut v = serde_json::json!({"at": "2026-11-22T01:30:00Z", "n": ["2026-11-21T16:00:00Z"], "title": "Z"});
        to_china_time(&mut v);
        assert_eq!(v["at"], "2026-11-22T09:30:00+08:00");
        assert_eq!(v["n"][0], "2026-11-22T00:00:00+08:00");
        assert_eq!(v["title"], "Z");
    }

    #[test]
    fn phones_are_masked_in_the_middle() {
        assert_eq!(mask_phone("13853215678"), "138****5678");
    }
}
