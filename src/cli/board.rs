//! `jiban demo` and `jiban board`: open the live board on a fresh demo store or an existing one.

use std::process::ExitCode;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, Context as _};
use chrono::Utc;

use super::{parse_time, Cli};
use crate::domain::clock::{Clock, SimulatedClock, SystemClock};
use crate::engine::Engine;
use crate::service::{Embedded, Service};

/// The board's look: theme and language (the config file's values unless given).
#[derive(Debug, Clone, clap::Args)]
pub struct BoardArgs {
    /// Theme: default, light, night, mono, or a file in the config dir's themes/.
    #[arg(long)]
    pub theme: Option<String>,
    /// Language: zh-CN (default) or en.
    #[arg(long)]
    pub lang: Option<crate::board::i18n::Lang>,
}

/// `jiban board`: the server at `--connect` (or `JIBAN_CONNECT`), else the store at `--data` on
/// the system clock (or a running simulated one from `--now`).
/// The board draws on a terminal: say so plainly when there is none (`ssh host jiban board`
/// without `-t`), before anything is opened or created.
fn require_terminal() -> anyhow::Result<()> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        return Ok(());
    }
    Err(anyhow!(
        "the board needs a terminal, and this session has none: over SSH, ask for one with `ssh -t HOST jiban board` (the other commands work without)"
    ))
}

pub fn board(cli: &Cli, look: &BoardArgs) -> anyhow::Result<ExitCode> {
    require_terminal()?;
    if cli.connect.is_some() {
        let _log = crate::board::config::init_logging(&crate::board::config::state_dir());
        return open_session(cli.session("board", true)?, look);
    }
    let clock: Arc<dyn Clock> = match &cli.now {
        Some(t) => Arc::new(SimulatedClock::running_from(parse_time(t, "--now")?)),
        None => Arc::new(SystemClock),
    };
    let engine = super::open_reading(&cli.data_dir(), clock)
        .with_context(|| format!("opening the store at {}", cli.data_dir().display()))?;
    open_board(cli, Arc::new(engine), look)
}

/// `jiban demo`: a fresh demo store, seeded as `init --demo`, on a simulated clock that starts at
/// `--now` (or now) and runs; then the board. With `live`, a new citizen case arrives every
/// that many seconds while the board is open.
pub fn demo(cli: &Cli, look: &BoardArgs, live: Option<u64>) -> anyhow::Result<ExitCode> {
    // No store is made for a board that cannot be shown.
    require_terminal()?;
    let (dir, _temp) = match &cli.data {
        Some(d) => (d.clone(), None),
        None => {
            let t = tempfile::Builder::new().prefix("jiban-demo-").tempdir()?;
            (t.path().join("store"), Some(t))
        }
    };
    if dir.join("db").exists() || dir.join("conf").exists() {
        return Err(anyhow!(
            "{} already holds a store; open it with `jiban board --data {}`",
            dir.display(),
            dir.display()
        ));
    }
    let now = match &cli.now {
        Some(t) => parse_time(t, "--now")?,
        None => Utc::now(),
    };
    let clock = Arc::new(SimulatedClock::running_from(now));
    let engine = Engine::init(&dir, &crate::fixtures::bundled(), clock.clone())?;
    let summary = crate::demo::seed(&engine, &clock, now)?;
    tracing::info!(%summary, dir = %dir.display(), "demo store");
    let engine = Arc::new(engine);
    let Some(secs) = live else {
        return open_board(cli, engine, look);
    };
    // Citizens keep calling: one more case every `secs` seconds, through the engine, until the
    // board closes (dropping the sender wakes the thread at once).
    let (stop, wait) = mpsc::channel::<()>();
    let traffic = {
        let engine = engine.clone();
        std::thread::spawn(move || {
            for n in 0.. {
                match wait.recv_timeout(Duration::from_secs(secs.max(1))) {
                    Err(mpsc::RecvTimeoutError::Timeout) => {}
                    _ => break,
                }
                match crate::demo::arrival(&engine, n) {
                    Ok(id) => tracing::info!(%id, "demo arrival"),
                    Err(e) => tracing::warn!(error = %e, "demo arrival failed"),
                }
            }
        })
    };
    let result = open_board(cli, engine, look);
    drop(stop);
    let _ = traffic.join();
    result
}

fn open_board(cli: &Cli, engine: Arc<Engine>, look: &BoardArgs) -> anyhow::Result<ExitCode> {
    let _log = crate::board::config::init_logging(&crate::board::config::state_dir());
    let operator = cli.operator(&engine)?;
    open_session(Arc::new(Embedded::new(engine, operator)), look)
}

fn open_session(session: Arc<dyn Service>, look: &BoardArgs) -> anyhow::Result<ExitCode> {
    let settings = crate::board::Settings::resolve(
        &crate::board::Options {
            theme: look.theme.clone(),
            lang: look.lang,
            config_dir: None,
            state_dir: None,
        },
        &crate::board::TermEnv::from_process(),
    )?;
    let mut app = crate::board::App::over(session, settings)?;
    app.start_on_own_work();
    crate::board::terminal::run(app)?;
    Ok(ExitCode::SUCCESS)
}
