//! Driving the board by key events, as a terminal would deliver them.

use jiban::board::App;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// One key event through the board's own key handling (mode, keymap, text editing).
pub fn press(app: &mut App, code: KeyCode, modifiers: KeyModifiers) {
    let ev = KeyEvent::new(code, modifiers);
    if let Some(action) = app.key_action(&ev) {
        app.handle(action);
    }
}

/// Keys written as text: each character is a key press; `⏎` Enter, `⎋` Esc, `⇥` Tab, `⇤`
/// Shift-Tab, `⌫` Backspace, `←` `→` `↑` `↓` the arrows, `✔` Ctrl-S (submit a form). Chinese characters arrive as typed
/// characters, as an input method delivers them.
pub fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        let (code, m) = match c {
            '⏎' => (KeyCode::Enter, KeyModifiers::NONE),
            '✔' => (KeyCode::Char('s'), KeyModifiers::CONTROL),
            '⎋' => (KeyCode::Esc, KeyModifiers::NONE),
            '⇥' => (KeyCode::Tab, KeyModifiers::NONE),
            '⇤' => (KeyCode::BackTab, KeyModifiers::SHIFT),
            '⌫' => (KeyCode::Backspace, KeyModifiers::NONE),
            '←' => (KeyCode::Left, KeyModifiers::NONE),
            '→' => (KeyCode::Right, KeyModifiers::NONE),
            '↑' => (KeyCode::Up, KeyModifiers::NONE),
            '↓' => (KeyCode::Down, KeyModifiers::NONE),
            c if c.is_ascii_uppercase() => (KeyCode::Char(c), KeyModifiers::SHIFT),
            c => (KeyCode::Char(c), KeyModifiers::NONE),
        };
        press(app, code, m);
    }
}
