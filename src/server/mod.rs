//! `jiban serve`: one process owns the store and every board, CLI call and `jiban watch` talks to
//! it over a Unix socket ([`crate::protocol`]).
//!
//! - Identity comes from the socket (SO_PEERCRED → OS user → `users.toml`), never from the client.
//! - Commands from all connections are group-committed ([`commit`]): one flush for all waiting.
//! - Every committed change is pushed to every connection that asked for events.
//! - SIGTERM / SIGINT: stop accepting, let in-flight commands finish and flush, tell the clients,
//!   remove the socket.

mod commit;
mod connection;
pub mod limits;
mod outbox;
pub mod socket;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use tokio::sync::{mpsc, watch};

use crate::engine::Engine;
use crate::protocol::frame::HALF_FRAME_TIMEOUT;
use connection::Shared;

/// How a server runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The socket path.
    pub socket: PathBuf,
    /// The group the socket belongs to (the command center's staff), if not the server's own.
    pub group: Option<String>,
    /// How long a whole frame may take once begun.
    pub stall: Duration,
    /// Connections allowed per OS user.
    pub per_user: usize,
    /// Connections allowed in total (kept below the descriptor limit).
    pub total: usize,
}

impl ServeOptions {
    /// Options for a socket at `socket` with the default limits.
    pub fn at(socket: PathBuf) -> ServeOptions {
        ServeOptions {
            socket,
            group: None,
            stall: HALF_FRAME_TIMEOUT,
            per_user: limits::PER_USER,
            total: limits::TOTAL,
        }
    }
}

/// How often the server records the chasing steps that fell due (催办 → 督办池) while no command
/// came in (every command records them first anyway).
pub const CHASE_EVERY: Duration = Duration::from_secs(30);

/// Records the chasing steps due, every [`CHASE_EVERY`], off the async threads.
async fn chase_when_due(engine: Arc<Engine>) {
    let mut every = tokio::time::interval(CHASE_EVERY);
    loop {
        every.tick().await;
        let engine = engine.clone();
        match tokio::task::spawn_blocking(move || engine.advance()).await {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::info!(steps = n, "recorded chasing steps"),
            Ok(Err(e)) => tracing::warn!(error = %e, "could not record the chasing steps due"),
            Err(e) => tracing::warn!(error = %e, "the chasing task failed"),
        }
    }
}

/// Serves `engine` on the socket until `stop` resolves, then shuts down cleanly: no new
/// connections or requests, queued commands committed and answered, clients told, socket
/// removed. Binding errors (a live server on the socket) are returned at once.
pub async fn serve(
    engine: Arc<Engine>,
    options: ServeOptions,
    stop: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    let fd_limit = limits::raise_fd_limit();
    let caps = limits::Caps::within(options.per_user, options.total, fd_limit);
    let census = Arc::new(limits::Census::default());
    let std_listener = socket::bind(&options.socket, options.group.as_deref())?;
    std_listener.set_nonblocking(true)?;
    let listener = tokio::net::UnixListener::from_std(std_listener)?;
    tracing::info!(
        socket = %options.socket.display(),
        store = %engine.path().display(),
        fd_limit,
        per_user = caps.per_user,
        total = caps.total,
        "serving"
    );
    let (jobs, queue) = mpsc::channel(commit::MAX_GROUP * 4);
    let committer = tokio::spawn(commit::committer(engine.clone(), queue));
    let (closing_tx, closing) = watch::channel(false);
    let (frames, _) = tokio::sync::broadcast::channel(crate::engine::EVENT_BUFFER);
    let encoder = tokio::spawn(connection::encode_events(
        engine.subscribe(),
        frames.clone(),
    ));
    let shared = Arc::new(Shared {
        engine: engine.clone(),
        frames,
        jobs,
        closing,
        stall: options.stall,
    });
    let chaser = tokio::spawn(chase_when_due(engine.clone()));
    let mut connections = tokio::task::JoinSet::new();
    let mut backoff = Duration::ZERO;
    tokio::pin!(stop);
    loop {
        if !backoff.is_zero() {
            // Out of descriptors (or another accept error): wait before trying again instead of
            // spinning and flooding the log.
            tokio::select! {
                _ = tokio::time::sleep(backoff) => {}
                _ = &mut stop => break,
            }
        }
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    backoff = Duration::ZERO;
                    let uid = stream.peer_cred().map(|c| c.uid()).unwrap_or(u32::MAX);
                    match census.admit(uid, caps) {
                        Ok(admitted) => {
                            let shared = shared.clone();
                            connections.spawn(async move {
                                connection::serve(stream, shared).await;
                                drop(admitted);
                            });
                        }
                        Err(reason) => {
                            connections.spawn(connection::turn_away(stream, reason));
                        }
                    }
                }
                Err(e) => {
                    backoff = (backoff * 2).clamp(Duration::from_millis(50), Duration::from_secs(1));
                    if let Some(suppressed) = ACCEPT_ERRORS.allow() {
                        tracing::warn!(error = %e, suppressed, open = census.total(), "accept failed; backing off");
                    }
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            _ = &mut stop => break,
        }
    }
    tracing::info!(clients = connections.len(), "stopping");
    chaser.abort();
    drop(listener);
    let _ = std::fs::remove_file(&options.socket);
    let _ = closing_tx.send(true);
    // In-flight requests finish; a client that does not read its last frames is not waited for
    // long.
    let drained = tokio::time::timeout(Duration::from_secs(10), async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!("some connections did not close in time");
        connections.abort_all();
    }
    drop(shared);
    committer.await.context("the committer failed")?;
    encoder.abort();
    engine.flush()?;
    tracing::info!("stopped; the store is flushed");
    Ok(())
}

/// Accept errors: a few lines per minute at most.
static ACCEPT_ERRORS: limits::LogLimit = limits::LogLimit::new(5, Duration::from_secs(60));

/// Refusals and malformed frames from clients: a few lines per minute at most.
static CLIENT_ERRORS: limits::LogLimit = limits::LogLimit::new(20, Duration::from_secs(60));

/// Logs something a client caused — a refusal, a malformed frame — as a short escaped prefix with
/// no phone in it ([`crate::domain::privacy::for_log`]), at most a few lines a minute.
pub(crate) fn log_limited(reason: &str) {
    if let Some(suppressed) = CLIENT_ERRORS.allow() {
        tracing::warn!(
            reason = %crate::domain::privacy::for_log(reason),
            suppressed,
            "client trouble"
        );
    }
}

/// Resolves on the first SIGTERM, SIGINT or SIGHUP.
pub async fn signals() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).ok();
    let mut int = signal(SignalKind::interrupt()).ok();
    let mut hup = signal(SignalKind::hangup()).ok();
    async fn on(s: &mut Option<tokio::signal::unix::Signal>) {
        match s {
            Some(s) => {
                s.recv().await;
            }
            None => std::future::pending().await,
        }
    }
    tokio::select! {
        _ = on(&mut term) => tracing::info!("SIGTERM"),
        _ = on(&mut int) => tracing::info!("SIGINT"),
        _ = on(&mut hup) => tracing::info!("SIGHUP"),
    }
}
