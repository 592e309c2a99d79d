//! Text shared by the CLI and the board: display widths (CJK counts two columns), truncation, and
//! making text from users safe for a terminal.
//!
//! A title, name or note is typed by a citizen or an operator and must never reach a terminal
//! with its control characters: an escape sequence could retitle the window or clear the screen,
//! and a bidi override (U+202E) could show a case id backwards. [`clean`] replaces them with
//! visible characters before anything is measured or printed; [`escape_json`] writes them as
//! `\uXXXX` in JSON, which keeps the data exact.

use std::borrow::Cow;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// True for characters that must not reach a terminal as they are: C0 and C1 controls (escape
/// sequences start with them), and the bidi embeddings, overrides, isolates and marks.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

fn replace(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\n' if keep_newlines => '\n',
                '\n' | '\r' | '\t' => ' ',
                c if is_unsafe(c) => '\u{FFFD}',
                c => c,
            })
            .collect(),
    )
}

/// One line of user text made safe: tabs and line breaks become spaces, any other control or bidi
/// character becomes `�`.
pub fn clean(s: &str) -> Cow<'_, str> {
    replace(s, false)
}

/// Like [`clean`], keeping line breaks (a description, a whole printed block).
pub fn clean_block(s: &str) -> Cow<'_, str> {
    replace(s, true)
}

/// Serialised JSON with every unsafe character (which serde_json leaves raw above U+001F) written
/// as a `\uXXXX` escape: the same JSON value, safe on a terminal.
pub fn escape_json(json: &str) -> Cow<'_, str> {
    if !json.chars().any(|c| is_unsafe(c) && c != '\n') {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if is_unsafe(c) && c != '\n' {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Display width of text in terminal columns (CJK counts two).
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cuts `s` (made safe first) to at most `max` columns, ending in `…` when cut, never splitting
/// a character.
pub fn truncate(s: &str, max: usize) -> String {
    let s = clean(s);
    if width(&s) <= max {
        return s.into_owned();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_bidi_overrides_are_made_visible_and_harmless() {
        let title = "楼道\u{1b}]0;pwned\u{7}积水\u{202E}4321-SL\u{9b}2J";
        let c = clean(title);
        assert!(!c.chars().any(is_unsafe), "{c:?}");
        assert_eq!(c, "楼道�]0;pwned�积水�4321-SL�2J");
        assert_eq!(clean("a\tb\nc"), "a b c");
        assert_eq!(clean_block("a\nb\u{1b}"), "a\nb�");
        assert!(matches!(clean("大成路47号"), Cow::Borrowed(_)));
    }

    #[test]
    fn json_keeps_the_text_exact_but_escapes_it() {
        let json =
            serde_json::to_string(&serde_json::json!({"t": "x\u{202E}y\u{85}z"})).expect("json");
        let safe = escape_json(&json);
        assert!(!safe.chars().any(is_unsafe));
        let back: serde_json::Value = serde_json::from_str(&safe).expect("still JSON");
        assert_eq!(back["t"], "x\u{202E}y\u{85}z");
    }

    #[test]
    fn truncation_counts_chinese_as_two_columns_and_ends_in_an_ellipsis() {
        assert_eq!(truncate("大成路47号楼院楼梯扶手脱落", 10), "大成路47…");
        assert_eq!(width(&truncate("大成路47号楼院楼梯扶手脱落", 10)), 9);
        assert_eq!(truncate("abc", 10), "abc");
        // An odd budget never splits a wide character.
        assert_eq!(truncate("楼梯扶手", 4), "楼…");
        assert_eq!(width(&pad("崂山区 hrss", 14)), 14);
        assert_eq!(width(&pad("标题\u{1b}[2J", 12)), 12);
    }
}

/// An error and its causes in one line, `outer: cause: …`, each cause said once: a cause whose
/// words the message before already holds (`storage error: IO error: X` over `IO error: X`) is
/// left out rather than repeated.
pub fn error_chain(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let s = cause.to_string();
        if !parts.iter().any(|p| p.contains(s.as_str())) {
            parts.push(s);
        }
    }
    parts.join(": ")
}

#[cfg(test)]
mod chain_tests {
    #[test]
    fn a_cause_already_said_is_not_repeated() {
        let io = std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "File exists (os error 17)",
        );
        let e = anyhow::Error::new(io).context("storage error: File exists (os error 17)");
        let e = e.context("opening the store at /srv/jiban");
        assert_eq!(
            super::error_chain(&e),
            "opening the store at /srv/jiban: storage error: File exists (os error 17)"
        );
    }
}
