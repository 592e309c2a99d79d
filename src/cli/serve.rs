//! `jiban serve` and `jiban watch`.
//!
//! The server reads `server.toml` (from `--config`, else `$XDG_CONFIG_HOME/jiban/server.toml`,
//! else `/etc/jiban/server.toml`, when present); flags beat the file:
//!
//! ```toml
//! data = "/var/lib/jiban"          # the store
//! socket = "/run/jiban/jiban.sock"
//! group = "jiban"                  # the socket's group: everyone who may open a board
//! users = "/etc/jiban/users.toml"  # logins, read on every start (os_user → login)
//! log = "/var/log/jiban/server.log"
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, Context as _};
use serde::Deserialize;

use super::output::cst_rfc3339;
use super::Cli;
use crate::engine::Engine;
use crate::server::{socket, ServeOptions};
use crate::service::{Link, Update};

/// The server's default sled cache in MiB: it serves every board and CLI call, so it keeps more of
/// the indexes warm than a short CLI process (16 MiB) does.
pub const SERVER_CACHE_MB: u64 = 64;

/// `jiban serve`'s options.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// The socket [default: the config's, else $XDG_RUNTIME_DIR/jiban/jiban.sock].
    #[arg(long)]
    pub socket: Option<PathBuf>,
    /// The socket's group (mode 0660): the OS group of everyone who may connect.
    #[arg(long)]
    pub group: Option<String>,
    /// A users.toml to load on start, replacing the store's logins (checked first).
    #[arg(long)]
    pub users: Option<PathBuf>,
    /// The server's config file.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The log file [default: the config's, else $XDG_STATE_HOME/jiban/server.log].
    #[arg(long)]
    pub log: Option<PathBuf>,
}

/// `server.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerFile {
    /// The store.
    pub data: Option<PathBuf>,
    /// The socket.
    pub socket: Option<PathBuf>,
    /// The socket's group.
    pub group: Option<String>,
    /// The users file.
    pub users: Option<PathBuf>,
    /// The log file.
    pub log: Option<PathBuf>,
    /// sled's page cache in MiB [default 64; `JIBAN_CACHE_MB` overrides].
    pub cache_mb: Option<u64>,
    /// Connections allowed from one OS user [default 64].
    pub max_connections_per_user: Option<usize>,
    /// Connections allowed in total [default 4096, kept below the open-files limit].
    pub max_connections: Option<usize>,
    /// Writes are refused while less than this many MiB are free on the store's disk [default
    /// 64; `JIBAN_DISK_RESERVE_MB` overrides].
    pub disk_reserve_mb: Option<u64>,
}

impl ServerFile {
    /// Reads the file named by `--config`, or the first default that exists, or nothing.
    pub fn load(explicit: Option<&Path>) -> anyhow::Result<ServerFile> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => {
                let user = dirs::config_dir().map(|d| d.join("jiban").join("server.toml"));
                match user
                    .into_iter()
                    .chain([PathBuf::from("/etc/jiban/server.toml")])
                    .find(|p| p.exists())
                {
                    Some(p) => p,
                    None => return Ok(ServerFile::default()),
                }
            }
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        toml::from_str(&text).map_err(|e| {
            let line = crate::domain::toml_error_line(&text, &e);
            anyhow!("{}: line {line}: {}", path.display(), e.message())
        })
    }
}

/// Logs go to `file` and to stderr (the journal), each through a non-blocking writer: a stderr
/// nobody reads (a full pipe) or a slow disk drops log lines instead of stalling the server.
fn init_logging(file: &Path) -> anyhow::Result<[tracing_appender::non_blocking::WorkerGuard; 2]> {
    use tracing_subscriber::prelude::*;
    let dir = file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let name = file
        .file_name()
        .ok_or_else(|| anyhow!("--log: {} is not a file name", file.display()))?;
    let (writer, guard) =
        tracing_appender::non_blocking(tracing_appender::rolling::never(dir, name));
    // A log written by an older jiban may be world-readable; it names logins and cases.
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600));
    }
    let (err_writer, err_guard) = tracing_appender::non_blocking(std::io::stderr());
    let filter = || {
        tracing_subscriber::EnvFilter::try_from_env("JIBAN_LOG")
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"))
    };
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(writer)
                .with_ansi(false)
                .with_filter(filter()),
        )
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(err_writer)
                .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
                .with_filter(filter()),
        )
        .try_init()
        .ok();
    Ok([guard, err_guard])
}

/// Runs the server in the foreground until SIGTERM, SIGINT or SIGHUP.
pub fn serve(cli: &Cli, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let file = ServerFile::load(args.config.as_deref())?;
    let log = args
        .log
        .clone()
        .or(file.log.clone())
        .unwrap_or_else(|| crate::board::config::state_dir().join("server.log"));
    let _guard = init_logging(&log)?;
    // A client that hangs up must not kill the server: writes then fail with EPIPE instead.
    // SAFETY: changing the disposition of SIGPIPE before the runtime's threads start.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
    let data = cli
        .data
        .clone()
        .or(file.data.clone())
        .unwrap_or_else(super::default_data_dir);
    // `--now` starts a simulated clock that runs on from there (training), as the board's does.
    let clock: Arc<dyn crate::domain::clock::Clock> = match &cli.now {
        Some(t) => Arc::new(crate::domain::clock::SimulatedClock::running_from(
            super::parse_time(t, "--now")?,
        )),
        None => Arc::new(crate::domain::clock::SystemClock),
    };
    let mut store = super::store_options()?;
    if let (Some(mb), Err(_)) = (file.cache_mb, std::env::var("JIBAN_CACHE_MB")) {
        if !(1..=65_536).contains(&mb) {
            return Err(anyhow::anyhow!(
                "server.toml: cache_mb: {mb} is not a size in MiB from 1 to 65536"
            ));
        }
        store.cache_bytes = mb << 20;
    } else if std::env::var("JIBAN_CACHE_MB").is_err() {
        store.cache_bytes = SERVER_CACHE_MB << 20;
    }
    if let (Some(mb), Err(_)) = (file.disk_reserve_mb, std::env::var("JIBAN_DISK_RESERVE_MB")) {
        if mb > 65_536 {
            return Err(anyhow::anyhow!(
                "server.toml: disk_reserve_mb: {mb} is not a size in MiB from 0 to 65536"
            ));
        }
        store.reserve_bytes = mb << 20;
    }
    let mut engine = Engine::open_with(&data, clock, store)
        .with_context(|| format!("opening the store at {}", data.display()))?;
    if let Some(users) = args.users.as_ref().or(file.users.as_ref()) {
        let text = std::fs::read_to_string(users)
            .with_context(|| format!("reading {}", users.display()))?;
        engine.replace_users(&users.display().to_string(), &text)?;
        tracing::info!(file = %users.display(), logins = engine.config().users.all().len(), "users loaded");
    }
    let mut options = ServeOptions::at(
        args.socket
            .clone()
            .or(file.socket.clone())
            .unwrap_or_else(socket::default_socket),
    );
    options.group = args.group.clone().or(file.group.clone());
    if let Some(n) = file.max_connections_per_user {
        options.per_user = n;
    }
    if let Some(n) = file.max_connections {
        options.total = n;
    }
    if let Ok(ms) = std::env::var("JIBAN_FRAME_TIMEOUT_MS") {
        let ms: u64 = ms.parse().map_err(|_| {
            anyhow!("JIBAN_FRAME_TIMEOUT_MS: {ms:?} is not a number of milliseconds")
        })?;
        options.stall = Duration::from_millis(ms);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("jiban-serve")
        .build()?;
    let engine = Arc::new(engine);
    runtime.block_on(crate::server::serve(
        engine,
        options,
        crate::server::signals(),
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// One committed change as `jiban watch --json` prints it.
#[derive(Debug, serde::Serialize)]
struct WatchLine<'a> {
    case: &'a str,
    seq: u64,
    action: &'a str,
    by: &'a str,
    at: String,
    stage: &'a str,
    holder: &'a str,
}

/// Prints committed changes until interrupted; reconnects when the server restarts.
pub fn watch(cli: &Cli, json: bool) -> anyhow::Result<ExitCode> {
    if cli.connect.is_none() {
        return Err(anyhow!(
            "watch follows a server: give --connect SOCKET or set JIBAN_CONNECT"
        ));
    }
    let session = cli.session("watch", true)?;
    let mut feed = session.subscribe();
    crate::errln!(
        "watching as {} ({}); Ctrl-C stops",
        session.operator().login,
        session.operator().role.as_str()
    );
    loop {
        let Some(update) = feed.next_timeout(Duration::from_secs(3600)) else {
            continue;
        };
        match update {
            Update::Committed(c) => {
                let e = &c.entry;
                let line = WatchLine {
                    case: e.case.as_str(),
                    seq: e.seq,
                    action: e.event.action(),
                    by: &e.by,
                    at: cst_rfc3339(e.at),
                    stage: c.case.stage.as_str(),
                    holder: c.case.holder.as_str(),
                };
                if json {
                    super::output::say_json(&serde_json::to_string(&line)?);
                } else {
                    crate::outln!(
                        "{} {} {} by {} → {} @ {}",
                        super::output::cst_minutes(e.at),
                        line.case,
                        line.action,
                        line.by,
                        line.stage,
                        line.holder
                    );
                }
            }
            Update::Resync => {
                crate::errln!("watch: some changes may have been missed (resynchronised)")
            }
            Update::Link(Link::Down(why)) => {
                crate::errln!("watch: disconnected — reconnecting ({why})")
            }
            Update::Link(Link::Up) => crate::errln!("watch: reconnected"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_server_toml_names_its_line_and_an_unknown_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("server.toml");
        std::fs::write(&file, "data = \"/var/lib/jiban\"\n\nsocket = 5\n").unwrap();
        let err = ServerFile::load(Some(&file)).unwrap_err().to_string();
        assert!(err.contains("server.toml: line 3:"), "{err}");
        std::fs::write(&file, "data = \"/x\"\ngroupe = \"jiban\"\n").unwrap();
        let err = ServerFile::load(Some(&file)).unwrap_err().to_string();
        assert!(err.contains("line 2") && err.contains("groupe"), "{err}");
        std::fs::write(&file, "group = \"jiban\"\n").unwrap();
        let ok = ServerFile::load(Some(&file)).unwrap();
        assert_eq!(ok.group.as_deref(), Some("jiban"));
    }
}
