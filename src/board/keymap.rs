//! Keys to actions: built-in defaults, and overrides from `keys.toml` in the config dir (only the
//! actions you change). An override names an action and its keys:
//!
//! ```toml
//! quit = "ctrl-q"              # replaces q and ctrl-c
//! down = ["j", "down", "ctrl-n"]
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;

/// One key with its modifiers, as written in `keys.toml` (`ctrl-d`, `G`, `enter`, `shift-tab`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    code: KeyCode,
    ctrl: bool,
    alt: bool,
}

fn code_order(c: &KeyCode) -> (u8, u32) {
    match c {
        KeyCode::Char(ch) => (0, u32::from(*ch)),
        KeyCode::F(n) => (2, u32::from(*n)),
        other => (1, format!("{other:?}").bytes().map(u32::from).sum()),
    }
}

impl Key {
    /// A key from a terminal key event (shift folds into the character).
    pub fn from_event(ev: &KeyEvent) -> Key {
        let code = match ev.code {
            KeyCode::Tab if ev.modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
            c => c,
        };
        Key {
            code,
            ctrl: ev.modifiers.contains(KeyModifiers::CONTROL),
            alt: ev.modifiers.contains(KeyModifiers::ALT),
        }
    }

    /// Parses `ctrl-d`, `alt-x`, `G`, `enter`, `esc`, `tab`, `shift-tab`, `up`, `pagedown`,
    /// `space`, `f1`, or any single character.
    pub fn parse(s: &str) -> Result<Key, String> {
        let mut ctrl = false;
        let mut alt = false;
        let mut shift = false;
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.chars().count() > 1 && lower.starts_with("ctrl-") {
                ctrl = true;
                rest = &rest[5..];
            } else if rest.chars().count() > 1 && lower.starts_with("alt-") {
                alt = true;
                rest = &rest[4..];
            } else if rest.chars().count() > 1 && lower.starts_with("shift-") {
                shift = true;
                rest = &rest[6..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(if shift { c.to_ascii_uppercase() } else { c }),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" if shift => KeyCode::BackTab,
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "backspace" => KeyCode::Backspace,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "pageup" | "pgup" => KeyCode::PageUp,
                "pagedown" | "pgdn" => KeyCode::PageDown,
                "space" => KeyCode::Char(' '),
                "delete" | "del" => KeyCode::Delete,
                f if f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                    KeyCode::F(f[1..].parse().unwrap_or(1))
                }
                _ => return Err(format!("unknown key {s:?}")),
            },
        };
        let code = match code {
            KeyCode::Char(c) if ctrl => KeyCode::Char(c.to_ascii_lowercase()),
            c => c,
        };
        Ok(Key { code, ctrl, alt })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.alt {
            f.write_str("Alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// The built-in bindings: (action, keys).
const DEFAULTS: &[(Action, &[&str])] = &[
    (Action::Up, &["k", "up"]),
    (Action::Down, &["j", "down"]),
    (Action::Left, &["h", "left"]),
    (Action::Right, &["l", "right"]),
    (Action::Top, &["g", "home"]),
    (Action::Bottom, &["G", "end"]),
    (Action::PageDown, &["ctrl-d", "pagedown"]),
    (Action::PageUp, &["ctrl-u", "pageup"]),
    (Action::NextPane, &["tab"]),
    (Action::PrevPane, &["shift-tab"]),
    (Action::Open, &["enter"]),
    (Action::Back, &["esc"]),
    (Action::Filter, &["/"]),
    (Action::Command, &[":"]),
    (Action::JumpUnit, &["u"]),
    (Action::Search, &["S"]),
    (Action::Actions, &["a"]),
    (Action::ViewLevel, &["1"]),
    (Action::ViewDepartment, &["2"]),
    (Action::ViewNight, &["3"]),
    (Action::ViewMine, &["4"]),
    (Action::ViewRequests, &["5"]),
    (Action::ViewSupervision, &["6"]),
    (Action::ViewGrab, &["7"]),
    (Action::ViewReports, &["8"]),
    (Action::CycleSort, &["s"]),
    (Action::ToggleBell, &["b"]),
    (Action::NextTheme, &["t"]),
    (Action::ToggleLang, &["L"]),
    (Action::Redraw, &["ctrl-l"]),
    (Action::Help, &["?", "f1"]),
    (Action::Quit, &["q", "ctrl-c"]),
];

/// The board's key bindings.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: HashMap<Key, Action>,
}

impl Default for Keymap {
    fn default() -> Self {
        let mut bindings = HashMap::new();
        for (action, keys) in DEFAULTS {
            for k in *keys {
                bindings.insert(Key::parse(k).expect("built-in keys parse"), action.clone());
            }
        }
        Keymap { bindings }
    }
}

impl Keymap {
    /// The defaults with the overrides of a `keys.toml` text applied: each action named there gets
    /// exactly the keys given, and those keys leave whatever action had them.
    pub fn with_overrides(text: &str) -> Result<Keymap, String> {
        let table: BTreeMap<String, toml::Value> =
            toml::from_str(text).map_err(|e| format!("keys.toml: {e}"))?;
        let mut map = Keymap::default();
        for (name, value) in table {
            let action = Action::from_name(&name)
                .ok_or_else(|| format!("keys.toml: unknown action {name:?}"))?;
            let keys: Vec<String> = match value {
                toml::Value::String(s) => vec![s],
                toml::Value::Array(a) => a
                    .into_iter()
                    .map(|v| match v {
                        toml::Value::String(s) => Ok(s),
                        other => Err(format!("keys.toml: {name}: {other} is not a key")),
                    })
                    .collect::<Result<_, _>>()?,
                other => return Err(format!("keys.toml: {name}: {other} is not a key")),
            };
            map.bindings.retain(|_, a| *a != action);
            for k in keys {
                let key = Key::parse(&k).map_err(|e| format!("keys.toml: {name}: {e}"))?;
                map.bindings.insert(key, action.clone());
            }
        }
        Ok(map)
    }

    /// Loads `keys.toml` from `dir` if there is one.
    pub fn load(dir: Option<&std::path::Path>) -> Result<Keymap, String> {
        match dir.map(|d| d.join("keys.toml")) {
            Some(path) if path.exists() => {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                Keymap::with_overrides(&text).map_err(|e| format!("{}: {e}", path.display()))
            }
            _ => Ok(Keymap::default()),
        }
    }

    /// The action bound to a key event.
    pub fn action(&self, ev: &KeyEvent) -> Option<Action> {
        self.bindings.get(&Key::from_event(ev)).cloned()
    }

    /// The keys bound to an action, in a stable order (letters first).
    pub fn keys_for(&self, action: &Action) -> Vec<Key> {
        let mut keys: Vec<Key> = self
            .bindings
            .iter()
            .filter(|(_, a)| *a == action)
            .map(|(k, _)| *k)
            .collect();
        keys.sort_by_key(|k| (code_order(&k.code), k.ctrl, k.alt));
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, m)
    }

    #[test]
    fn defaults_cover_arrows_vim_keys_and_control_keys() {
        let m = Keymap::default();
        let none = KeyModifiers::NONE;
        assert_eq!(m.action(&ev(KeyCode::Char('j'), none)), Some(Action::Down));
        assert_eq!(m.action(&ev(KeyCode::Down, none)), Some(Action::Down));
        assert_eq!(
            m.action(&ev(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
        assert_eq!(
            m.action(&ev(KeyCode::Char('d'), KeyModifiers::CONTROL)),
            Some(Action::PageDown)
        );
        assert_eq!(
            m.action(&ev(KeyCode::Tab, KeyModifiers::SHIFT)),
            Some(Action::PrevPane)
        );
        assert_eq!(m.action(&ev(KeyCode::Char('x'), none)), None);
        for a in Action::BINDABLE {
            assert!(!m.keys_for(a).is_empty(), "{a:?} has no default key");
        }
    }

    #[test]
    fn overrides_replace_only_the_actions_named_and_steal_their_keys() {
        let m = Keymap::with_overrides("quit = \"ctrl-q\"\ndown = [\"j\", \"n\"]\nhelp = \"q\"\n")
            .unwrap();
        let none = KeyModifiers::NONE;
        assert_eq!(
            m.action(&ev(KeyCode::Char('q'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        assert_eq!(m.action(&ev(KeyCode::Char('q'), none)), Some(Action::Help));
        assert_eq!(
            m.action(&ev(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            None
        );
        assert_eq!(m.action(&ev(KeyCode::Char('n'), none)), Some(Action::Down));
        assert_eq!(m.action(&ev(KeyCode::Down, none)), None);
        assert_eq!(m.action(&ev(KeyCode::Char('k'), none)), Some(Action::Up));
    }

    #[test]
    fn bad_overrides_say_what_is_wrong() {
        let e = Keymap::with_overrides("fly = \"f\"").unwrap_err();
        assert!(e.contains("fly"), "{e}");
        let e = Keymap::with_overrides("down = \"hyper-j\"").unwrap_err();
        assert!(e.contains("hyper-j"), "{e}");
    }

    #[test]
    fn keys_print_as_the_help_shows_them() {
        let m = Keymap::default();
        let shown: Vec<String> = m
            .keys_for(&Action::PageDown)
            .iter()
            .map(|k| k.to_string())
            .collect();
        assert_eq!(shown, ["Ctrl-d", "PgDn"]);
    }
}
