//! The board's settings: `config.toml` in the config dir (theme, lang, bell), `--theme` and
//! `--lang`, the terminal's colours from the environment, the keymap, and where logs go.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::i18n::Lang;
use super::keymap::Keymap;
use super::theme::{wants_mono, ColorDepth, Theme};

/// `~/.config/jiban/config.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Theme name.
    pub theme: Option<String>,
    /// Language: `zh-CN` or `en`.
    pub lang: Option<Lang>,
    /// Ring the bell on a new red case.
    pub bell: Option<bool>,
}

/// The config dir: `$XDG_CONFIG_HOME/jiban` (usually `~/.config/jiban`).
pub fn config_dir() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("jiban"))
}

/// Where the board writes its log: `$XDG_STATE_HOME/jiban`, else the data dir's `jiban`.
pub fn state_dir() -> PathBuf {
    dirs::state_dir()
        .or_else(dirs::data_dir)
        .unwrap_or_else(std::env::temp_dir)
        .join("jiban")
}

/// What the command line asked for.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--theme`.
    pub theme: Option<String>,
    /// `--lang`.
    pub lang: Option<Lang>,
    /// The config dir (default [`config_dir`]).
    pub config_dir: Option<PathBuf>,
    /// The state dir, for drafts (default [`state_dir`]).
    pub state_dir: Option<PathBuf>,
}

/// The terminal as the environment describes it.
#[derive(Debug, Clone, Default)]
pub struct TermEnv {
    /// `TERM`.
    pub term: Option<String>,
    /// `COLORTERM`.
    pub colorterm: Option<String>,
    /// `NO_COLOR`.
    pub no_color: Option<String>,
}

impl TermEnv {
    /// Reads the process environment.
    pub fn from_process() -> TermEnv {
        let var = |k: &str| std::env::var(k).ok();
        TermEnv {
            term: var("TERM"),
            colorterm: var("COLORTERM"),
            no_color: var("NO_COLOR"),
        }
    }
}

/// Everything the board was configured with.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Language.
    pub lang: Lang,
    /// Theme.
    pub theme: Theme,
    /// Every theme name, for cycling.
    pub theme_names: Vec<String>,
    /// User themes live here.
    pub theme_dir: Option<PathBuf>,
    /// Colour depth.
    pub depth: ColorDepth,
    /// Ring the bell on a new red case.
    pub bell: bool,
    /// Keys.
    pub keymap: Keymap,
    /// Where panels' drafts are kept (`<state dir>/drafts`); none keeps them in memory only.
    pub drafts_dir: Option<PathBuf>,
}

impl Settings {
    /// Fixed settings for tests and benches: a theme by name, a language, no user files.
    pub fn plain(theme: &str, lang: Lang) -> Settings {
        let depth = ColorDepth::Ansi256;
        Settings {
            lang,
            theme: Theme::load(theme, None, depth).expect("built-in theme"),
            theme_names: Theme::names(None),
            theme_dir: None,
            depth,
            bell: false,
            keymap: Keymap::default(),
            drafts_dir: None,
        }
    }

    /// Resolves the settings: the flag, then the config file, then the environment (mono under
    /// `NO_COLOR` or a colourless `TERM`), then the defaults.
    pub fn resolve(opts: &Options, env: &TermEnv) -> anyhow::Result<Settings> {
        let dir = opts.config_dir.clone().or_else(config_dir);
        let file = match dir.as_deref().map(|d| d.join("config.toml")) {
            Some(path) if path.exists() => {
                let text = std::fs::read_to_string(&path)?;
                toml::from_str::<ConfigFile>(&text)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
            }
            _ => ConfigFile::default(),
        };
        let depth = ColorDepth::from_env(env.term.as_deref(), env.colorterm.as_deref());
        let theme_dir = dir.as_deref().map(|d| d.join("themes"));
        let name = opts.theme.clone().or(file.theme).unwrap_or_else(|| {
            if wants_mono(env.term.as_deref(), env.no_color.as_deref()) {
                "mono".into()
            } else {
                "default".into()
            }
        });
        let theme = Theme::load(&name, theme_dir.as_deref(), depth)?;
        let keymap = Keymap::load(dir.as_deref()).map_err(|e| anyhow::anyhow!(e))?;
        Ok(Settings {
            lang: opts.lang.or(file.lang).unwrap_or_default(),
            theme_names: Theme::names(theme_dir.as_deref()),
            theme,
            theme_dir,
            depth,
            bell: file.bell.unwrap_or(false),
            keymap,
            drafts_dir: Some(
                opts.state_dir
                    .clone()
                    .unwrap_or_else(state_dir)
                    .join("drafts"),
            ),
        })
    }

    /// Switches to a theme by name.
    pub fn set_theme(&mut self, name: &str) -> Result<(), String> {
        self.theme =
            Theme::load(name, self.theme_dir.as_deref(), self.depth).map_err(|e| e.to_string())?;
        Ok(())
    }

    /// The themes that can be chosen, bundled ones first.
    pub fn theme_names(&self) -> Vec<String> {
        self.theme_names.clone()
    }

    /// The theme after the current one.
    pub fn next_theme_name(&self) -> String {
        let i = self
            .theme_names
            .iter()
            .position(|n| n == self.theme.name())
            .map_or(0, |i| (i + 1) % self.theme_names.len().max(1));
        self.theme_names
            .get(i)
            .cloned()
            .unwrap_or_else(|| "default".into())
    }
}

/// Sends `tracing` output to `board.log` in `dir` (never to the screen). Returns the guard that
/// flushes the log when dropped.
pub fn init_logging(dir: &Path) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    std::fs::create_dir_all(dir).ok()?;
    let appender = tracing_appender::rolling::never(dir, "board.log");
    // An older board's log may be world-readable; it names logins and cases.
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(
            dir.join("board.log"),
            std::fs::Permissions::from_mode(0o600),
        );
    }
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = tracing_subscriber::EnvFilter::try_from_env("JIBAN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(term: &str, no_color: Option<&str>) -> TermEnv {
        TermEnv {
            term: Some(term.into()),
            colorterm: None,
            no_color: no_color.map(String::from),
        }
    }

    #[test]
    fn the_flag_beats_the_config_file_which_beats_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let opts = |theme: Option<&str>| Options {
            theme: theme.map(String::from),
            lang: None,
            config_dir: Some(dir.path().to_path_buf()),
            state_dir: Some(dir.path().join("state")),
        };
        let s = Settings::resolve(&opts(None), &env("xterm-256color", Some("1"))).unwrap();
        assert_eq!(s.theme.name(), "mono");
        assert_eq!(s.lang, Lang::Zh);
        assert!(!s.bell);
        std::fs::write(
            dir.path().join("config.toml"),
            "theme = \"night\"\nlang = \"en\"\nbell = true\n",
        )
        .unwrap();
        let s = Settings::resolve(&opts(None), &env("linux", None)).unwrap();
        assert_eq!((s.theme.name(), s.lang, s.bell), ("night", Lang::En, true));
        let s = Settings::resolve(&opts(Some("light")), &env("xterm", None)).unwrap();
        assert_eq!(s.theme.name(), "light");
    }

    #[test]
    fn user_themes_in_the_config_dir_are_found_and_cycled() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("themes")).unwrap();
        std::fs::write(
            dir.path().join("themes/paper.toml"),
            "name = \"paper\"\n[style]\ntext = { fg = \"black\" }\n",
        )
        .unwrap();
        let opts = Options {
            theme: Some("paper".into()),
            lang: None,
            config_dir: Some(dir.path().to_path_buf()),
            state_dir: Some(dir.path().join("state")),
        };
        let mut s = Settings::resolve(&opts, &env("xterm-256color", None)).unwrap();
        assert_eq!(s.theme.name(), "paper");
        assert_eq!(s.next_theme_name(), "default");
        s.set_theme("mono").unwrap();
        assert_eq!(s.next_theme_name(), "paper");
        assert!(s.set_theme("nope").is_err());
    }

    #[test]
    fn keys_toml_is_read_from_the_config_dir_and_a_bad_one_names_itself() {
        use crate::board::action::Action;
        use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("keys.toml"),
            "quit = \"ctrl-q\"\ndown = [\"n\", \"down\"]\n",
        )
        .unwrap();
        let opts = Options {
            config_dir: Some(dir.path().to_path_buf()),
            ..Options::default()
        };
        let s = Settings::resolve(&opts, &env("xterm", None)).unwrap();
        let key = |c, m| s.keymap.action(&KeyEvent::new(KeyCode::Char(c), m));
        assert_eq!(key('q', KeyModifiers::CONTROL), Some(Action::Quit));
        assert_eq!(key('n', KeyModifiers::NONE), Some(Action::Down));
        std::fs::write(dir.path().join("keys.toml"), "fly = \"f\"\n").unwrap();
        let e = Settings::resolve(&opts, &env("xterm", None)).unwrap_err();
        assert!(
            e.to_string().contains("keys.toml") && e.to_string().contains("fly"),
            "{e}"
        );
    }

    #[test]
    fn a_wrong_config_file_names_itself() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.toml"), "colour = 1\n").unwrap();
        let opts = Options {
            config_dir: Some(dir.path().to_path_buf()),
            ..Options::default()
        };
        let e = Settings::resolve(&opts, &env("xterm", None)).unwrap_err();
        assert!(e.to_string().contains("config.toml"), "{e}");
    }
}
