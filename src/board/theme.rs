//! Themes: a palette and meaning-named styles from `themes/*.toml` (embedded, so the binary works
//! anywhere) or the user's config dir. Panel code asks for meanings (`theme.light(Light::Red)`,
//! `theme.title(focused)`), never for colours.

use std::collections::BTreeMap;
use std::path::Path;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

use crate::domain::case::Stage;
use crate::domain::light::Light;

/// The themes built into the binary: (name, TOML).
pub const BUILT_IN: &[(&str, &str)] = &[
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    ("night", include_str!("../../themes/night.toml")),
    ("mono", include_str!("../../themes/mono.toml")),
];

/// How many colours the terminal shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorDepth {
    /// The 8 basic colours (the Linux console, `TERM=linux`).
    Ansi8,
    /// The 16 ANSI colours.
    Ansi16,
    /// The xterm 256 colours.
    Ansi256,
    /// 24-bit colour.
    TrueColor,
}

impl ColorDepth {
    /// Guesses from `COLORTERM` and `TERM` without asking the terminal anything.
    pub fn from_env(term: Option<&str>, colorterm: Option<&str>) -> ColorDepth {
        if matches!(colorterm, Some("truecolor" | "24bit")) {
            ColorDepth::TrueColor
        } else if term.is_some_and(|t| t.contains("256color") || t.contains("direct")) {
            ColorDepth::Ansi256
        } else if term == Some("linux") {
            ColorDepth::Ansi8
        } else {
            ColorDepth::Ansi16
        }
    }
}

/// True when the environment asks for no colour: `NO_COLOR` set, or a terminal that has none
/// (`vt100`-family, `dumb`). The Linux console has 8 colours and gets them.
pub fn wants_mono(term: Option<&str>, no_color: Option<&str>) -> bool {
    no_color.is_some_and(|v| !v.is_empty())
        || term.is_some_and(|t| t == "dumb" || t.starts_with("vt"))
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct StyleSpec {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    dim: bool,
    #[serde(default)]
    italic: bool,
    #[serde(default)]
    underlined: bool,
    #[serde(default)]
    reversed: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: String,
    #[serde(default)]
    palette: BTreeMap<String, String>,
    #[serde(default)]
    style: BTreeMap<String, StyleSpec>,
    #[serde(default)]
    symbols: BTreeMap<String, String>,
}

/// The style names a theme may set; any it leaves out fall back to `text`.
pub const STYLE_NAMES: &[&str] = &[
    "base",
    "text",
    "muted",
    "header",
    "header_strong",
    "title",
    "title_focused",
    "border",
    "border_focused",
    "selected",
    "selected_unfocused",
    "light_red",
    "light_yellow",
    "light_blue",
    "overdue",
    "round2",
    "supervision_mark",
    "simulated",
    "status_ok",
    "status_error",
    "key",
    "label",
    "stage_triage",
    "stage_assigned",
    "stage_handling",
    "stage_review",
    "stage_evaluation",
    "stage_assessment",
    "stage_closed",
    "stage_rejected",
];

/// A loaded theme.
#[derive(Debug, Clone)]
pub struct Theme {
    name: String,
    styles: BTreeMap<&'static str, Style>,
    symbols: [String; 5],
}

/// Why a theme could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    /// No such theme.
    #[error("no theme {0:?} (built in: default, light, night, mono; or a file in the config dir's themes/)")]
    Unknown(String),
    /// The file is wrong.
    #[error("theme {file}: {reason}")]
    Invalid {
        /// The file or theme name.
        file: String,
        /// Why.
        reason: String,
    },
}

fn parse_color(s: &str) -> Option<Color> {
    let s = s.trim();
    if let Ok(n) = s.parse::<u8>() {
        return Some(Color::Indexed(n));
    }
    if let Some(hex) = s.strip_prefix('#') {
        if hex.len() == 6 {
            let v = u32::from_str_radix(hex, 16).ok()?;
            return Some(Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8));
        }
        return None;
    }
    s.parse::<Color>().ok()
}

/// The RGB values of the 16 ANSI colours (xterm defaults), in index order.
const ANSI: [(u8, u8, u8); 16] = [
    (0, 0, 0),
    (205, 0, 0),
    (0, 205, 0),
    (205, 205, 0),
    (0, 0, 238),
    (205, 0, 205),
    (0, 205, 205),
    (229, 229, 229),
    (127, 127, 127),
    (255, 0, 0),
    (0, 255, 0),
    (255, 255, 0),
    (92, 92, 255),
    (255, 0, 255),
    (0, 255, 255),
    (255, 255, 255),
];

const ANSI_COLORS: [Color; 16] = [
    Color::Black,
    Color::Red,
    Color::Green,
    Color::Yellow,
    Color::Blue,
    Color::Magenta,
    Color::Cyan,
    Color::Gray,
    Color::DarkGray,
    Color::LightRed,
    Color::LightGreen,
    Color::LightYellow,
    Color::LightBlue,
    Color::LightMagenta,
    Color::LightCyan,
    Color::White,
];

fn rgb_of_index(n: u8) -> (u8, u8, u8) {
    match n {
        0..=15 => ANSI[n as usize],
        16..=231 => {
            let n = n - 16;
            let level = |v: u8| if v == 0 { 0 } else { 55 + v * 40 };
            (level(n / 36), level((n / 6) % 6), level(n % 6))
        }
        _ => {
            let g = 8 + (n - 232) * 10;
            (g, g, g)
        }
    }
}

fn nearest(rgb: (u8, u8, u8), candidates: impl Iterator<Item = (usize, (u8, u8, u8))>) -> usize {
    let d = |a: (u8, u8, u8)| {
        let dr = i32::from(a.0) - i32::from(rgb.0);
        let dg = i32::from(a.1) - i32::from(rgb.1);
        let db = i32::from(a.2) - i32::from(rgb.2);
        dr * dr * 3 + dg * dg * 4 + db * db * 2
    };
    candidates.min_by_key(|(_, c)| d(*c)).map_or(0, |(i, _)| i)
}

/// Maps a colour to what a terminal of `depth` can show.
pub fn fit_color(c: Color, depth: ColorDepth) -> Color {
    let rgb = match c {
        Color::Indexed(n) => rgb_of_index(n),
        Color::Rgb(r, g, b) => (r, g, b),
        // A bright named colour on an 8-colour console: its basic one.
        other if depth == ColorDepth::Ansi8 => {
            return ANSI_COLORS
                .iter()
                .position(|x| *x == other)
                .map_or(other, |i| ANSI_COLORS[i % 8]);
        }
        other => return other,
    };
    match (depth, c) {
        (ColorDepth::TrueColor, _) | (ColorDepth::Ansi256, Color::Indexed(_)) => c,
        (ColorDepth::Ansi256, _) => {
            Color::Indexed(nearest(rgb, (16..=255u8).map(|n| (n as usize, rgb_of_index(n)))) as u8)
        }
        (ColorDepth::Ansi8, Color::Indexed(n)) if n < 16 => ANSI_COLORS[usize::from(n % 8)],
        (ColorDepth::Ansi8, _) => {
            let grey = rgb.0.abs_diff(rgb.1) < 16 && rgb.1.abs_diff(rgb.2) < 16;
            let pool: &[usize] = if grey { &[0, 7] } else { &[1, 2, 3, 4, 5, 6] };
            ANSI_COLORS[nearest(rgb, pool.iter().map(|&i| (i, ANSI[i])))]
        }
        (ColorDepth::Ansi16, Color::Indexed(n)) if n < 16 => ANSI_COLORS[n as usize],
        (ColorDepth::Ansi16, _) => {
            // Greys go to the four greys; colours to the nearest saturated one.
            let grey = rgb.0.abs_diff(rgb.1) < 16 && rgb.1.abs_diff(rgb.2) < 16;
            let pool: &[usize] = if grey {
                &[0, 7, 8, 15]
            } else {
                &[1, 2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 14]
            };
            ANSI_COLORS[nearest(rgb, pool.iter().map(|&i| (i, ANSI[i])))]
        }
    }
}

impl Theme {
    /// Parses a theme file and fits its colours to `depth`.
    pub fn from_toml(file: &str, text: &str, depth: ColorDepth) -> Result<Theme, ThemeError> {
        let bad = |reason: String| ThemeError::Invalid {
            file: file.to_string(),
            reason,
        };
        let parsed: ThemeFile = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        let color = |name: &str| -> Result<Color, ThemeError> {
            let raw = parsed.palette.get(name).map_or(name, String::as_str);
            // "39|lightblue": this colour, and that one on a 16-colour terminal.
            let (main, ansi16) = match raw.split_once('|') {
                Some((m, a)) => (m, Some(a)),
                None => (raw, None),
            };
            let pick = match (depth, ansi16) {
                (ColorDepth::Ansi16 | ColorDepth::Ansi8, Some(a)) => a,
                _ => main,
            };
            parse_color(pick)
                .map(|c| fit_color(c, depth))
                .ok_or_else(|| bad(format!("unknown colour {name:?}")))
        };
        let mut styles = BTreeMap::new();
        for (key, spec) in &parsed.style {
            let name = STYLE_NAMES
                .iter()
                .find(|n| **n == key.as_str())
                .ok_or_else(|| bad(format!("unknown style {key:?}")))?;
            let mut style = Style::default();
            if let Some(fg) = &spec.fg {
                style = style.fg(color(fg)?);
            }
            if let Some(bg) = &spec.bg {
                style = style.bg(color(bg)?);
            }
            for (on, m) in [
                (spec.bold, Modifier::BOLD),
                (spec.dim, Modifier::DIM),
                (spec.italic, Modifier::ITALIC),
                (spec.underlined, Modifier::UNDERLINED),
                (spec.reversed, Modifier::REVERSED),
            ] {
                if on {
                    style = style.add_modifier(m);
                }
            }
            styles.insert(*name, style);
        }
        let symbol = |key: &str, default: &str| {
            parsed
                .symbols
                .get(key)
                .cloned()
                .unwrap_or_else(|| default.to_string())
        };
        let symbols = [
            symbol("light_red", "R"),
            symbol("light_yellow", "Y"),
            symbol("light_blue", "B"),
            symbol("tree_open", "-"),
            symbol("tree_closed", "+"),
        ];
        for s in &symbols {
            if crate::text::width(s) != 1 {
                return Err(bad(format!("symbol {s:?} must be one column wide")));
            }
        }
        Ok(Theme {
            name: parsed.name,
            styles,
            symbols,
        })
    }

    /// A built-in theme, or `NAME.toml` in `user_dir` (which wins), fitted to `depth`.
    pub fn load(
        name: &str,
        user_dir: Option<&Path>,
        depth: ColorDepth,
    ) -> Result<Theme, ThemeError> {
        if let Some(dir) = user_dir {
            let path = dir.join(format!("{name}.toml"));
            if let Ok(text) = std::fs::read_to_string(&path) {
                return Theme::from_toml(&path.display().to_string(), &text, depth);
            }
        }
        let (_, text) = BUILT_IN
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| ThemeError::Unknown(name.to_string()))?;
        Theme::from_toml(name, text, depth)
    }

    /// Every theme name: built in, then the user's, sorted.
    pub fn names(user_dir: Option<&Path>) -> Vec<String> {
        let mut names: Vec<String> = BUILT_IN.iter().map(|(n, _)| n.to_string()).collect();
        let mut user: Vec<String> = user_dir
            .and_then(|d| std::fs::read_dir(d).ok())
            .into_iter()
            .flatten()
            .filter_map(|e| {
                let p = e.ok()?.path();
                (p.extension()? == "toml").then(|| p.file_stem()?.to_str().map(String::from))?
            })
            .filter(|n| !names.contains(n))
            .collect();
        user.sort();
        names.extend(user);
        names
    }

    /// The theme's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn get(&self, name: &str) -> Style {
        self.styles
            .get(name)
            .or_else(|| self.styles.get("text"))
            .copied()
            .unwrap_or_default()
    }

    /// The whole screen's background and text.
    pub fn base(&self) -> Style {
        self.get("base")
    }
    /// Ordinary text.
    pub fn text(&self) -> Style {
        self.get("text")
    }
    /// Secondary text.
    pub fn muted(&self) -> Style {
        self.get("muted")
    }
    /// A detail label.
    pub fn label(&self) -> Style {
        self.get("label")
    }
    /// The header bar; `strong` for the platform name.
    pub fn header(&self, strong: bool) -> Style {
        self.get(if strong { "header_strong" } else { "header" })
    }
    /// A pane title.
    pub fn title(&self, focused: bool) -> Style {
        self.get(if focused { "title_focused" } else { "title" })
    }
    /// A pane border.
    pub fn border(&self, focused: bool) -> Style {
        self.get(if focused { "border_focused" } else { "border" })
    }
    /// The selected row, in the focused pane or not.
    pub fn selected(&self, focused: bool) -> Style {
        self.get(if focused {
            "selected"
        } else {
            "selected_unfocused"
        })
    }
    /// A light.
    pub fn light(&self, light: Light) -> Style {
        self.get(match light {
            Light::Red => "light_red",
            Light::Yellow => "light_yellow",
            Light::Blue => "light_blue",
        })
    }
    /// A light's symbol (one column; letters in mono).
    pub fn light_symbol(&self, light: Light) -> &str {
        &self.symbols[match light {
            Light::Red => 0,
            Light::Yellow => 1,
            Light::Blue => 2,
        }]
    }
    /// The tree's mark for an expanded (`open`) or collapsed unit.
    pub fn tree_marker(&self, open: bool) -> &str {
        &self.symbols[if open { 3 } else { 4 }]
    }
    /// An overdue countdown.
    pub fn overdue(&self) -> Style {
        self.get("overdue")
    }
    /// The second-round mark.
    pub fn round2(&self) -> Style {
        self.get("round2")
    }
    /// The supervision mark of a queue row (催 / 督 / 池).
    pub fn supervision_mark(&self) -> Style {
        self.get("supervision_mark")
    }
    /// An early warning (监测预警) on the reports view.
    pub fn warning(&self) -> Style {
        self.get("overdue")
    }
    /// The bars and the daily line of the reports view.
    pub fn chart(&self) -> Style {
        self.get("key")
    }
    /// The simulated-clock mark.
    pub fn simulated(&self) -> Style {
        self.get("simulated")
    }
    /// A status message: done, or refused / failed.
    pub fn status(&self, ok: bool) -> Style {
        self.get(if ok { "status_ok" } else { "status_error" })
    }
    /// The banner shown while the server cannot be reached.
    pub fn disconnected(&self) -> Style {
        self.get("status_error")
            .add_modifier(ratatui::style::Modifier::REVERSED | ratatui::style::Modifier::BOLD)
    }
    /// A key in the help overlay and footer.
    pub fn key(&self) -> Style {
        self.get("key")
    }
    /// A stage.
    pub fn stage(&self, stage: Stage) -> Style {
        self.get(match stage {
            Stage::Triage => "stage_triage",
            Stage::Assigned => "stage_assigned",
            Stage::Handling => "stage_handling",
            Stage::Review => "stage_review",
            Stage::Evaluation => "stage_evaluation",
            Stage::Assessment => "stage_assessment",
            Stage::Closed | Stage::Merged => "stage_closed",
            Stage::Rejected => "stage_rejected",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_theme_loads_at_every_depth_and_sets_every_style() {
        for (name, text) in BUILT_IN {
            for depth in [
                ColorDepth::Ansi8,
                ColorDepth::Ansi16,
                ColorDepth::Ansi256,
                ColorDepth::TrueColor,
            ] {
                let t = Theme::from_toml(name, text, depth).unwrap();
                assert_eq!(t.name(), *name);
                for s in STYLE_NAMES {
                    assert!(t.styles.contains_key(s), "{name} lacks {s}");
                }
            }
        }
    }

    #[test]
    fn mono_has_no_colour_and_letters_for_lights() {
        let t = Theme::load("mono", None, ColorDepth::TrueColor).unwrap();
        for s in t.styles.values() {
            assert_eq!((s.fg, s.bg), (None, None));
        }
        assert_eq!(t.light_symbol(Light::Red), "R");
        assert_eq!(t.light_symbol(Light::Blue), "B");
    }

    #[test]
    fn sixteen_colour_terminals_get_only_ansi_colours_and_lights_stay_apart() {
        let t = Theme::load("default", None, ColorDepth::Ansi16).unwrap();
        for s in t.styles.values() {
            for c in [s.fg, s.bg].into_iter().flatten() {
                assert!(!matches!(c, Color::Indexed(_) | Color::Rgb(..)), "{c:?}");
            }
        }
        let fg = |l| t.light(l).fg;
        assert_eq!(fg(Light::Red), Some(Color::LightRed));
        assert_eq!(fg(Light::Yellow), Some(Color::LightYellow));
        assert_eq!(fg(Light::Blue), Some(Color::LightBlue));
        let t = Theme::load("night", None, ColorDepth::Ansi16).unwrap();
        let fg = |l| t.light(l).fg;
        assert_ne!(fg(Light::Red), fg(Light::Yellow));
        assert_ne!(fg(Light::Yellow), fg(Light::Blue));
    }

    #[test]
    fn environment_picks_depth_and_mono() {
        assert_eq!(
            ColorDepth::from_env(Some("xterm-256color"), None),
            ColorDepth::Ansi256
        );
        assert_eq!(
            ColorDepth::from_env(Some("xterm"), None),
            ColorDepth::Ansi16
        );
        assert_eq!(
            ColorDepth::from_env(Some("xterm"), Some("truecolor")),
            ColorDepth::TrueColor
        );
        // The Linux console has 8 colours: colour, not mono.
        assert!(!wants_mono(Some("linux"), None));
        assert_eq!(ColorDepth::from_env(Some("linux"), None), ColorDepth::Ansi8);
        assert!(wants_mono(Some("vt100"), None));
        assert!(wants_mono(Some("xterm"), Some("1")));
        assert!(!wants_mono(Some("xterm-256color"), Some("")));
    }

    #[test]
    fn eight_colour_consoles_get_the_eight_basic_colours_with_lights_apart() {
        for (name, text) in BUILT_IN {
            let t = Theme::from_toml(name, text, ColorDepth::Ansi8).unwrap();
            for s in t.styles.values() {
                for c in [s.fg, s.bg].into_iter().flatten() {
                    assert!(
                        ANSI_COLORS[..8].contains(&c) || c == Color::Reset,
                        "{name}: {c:?}"
                    );
                }
            }
            if *name != "mono" {
                let fg = |l| t.light(l).fg;
                assert_ne!(fg(Light::Red), fg(Light::Yellow), "{name}");
                assert_ne!(fg(Light::Yellow), fg(Light::Blue), "{name}");
            }
        }
    }

    #[test]
    fn a_bad_user_theme_names_the_problem() {
        let e = Theme::from_toml(
            "x.toml",
            "name = \"x\"\n[style]\nnope = {}\n",
            ColorDepth::Ansi256,
        )
        .unwrap_err();
        assert!(e.to_string().contains("nope"), "{e}");
        let e = Theme::from_toml(
            "x.toml",
            "name = \"x\"\n[style]\ntext = { fg = \"chartreuse-ish\" }\n",
            ColorDepth::Ansi256,
        )
        .unwrap_err();
        assert!(e.to_string().contains("chartreuse"), "{e}");
    }
}
