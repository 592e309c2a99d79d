//! The client's connection: the handshake, the reader thread, and reconnecting.

use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use super::{lock, ConnectError, Inner};
use crate::protocol::frame::{self, FrameError};
use crate::protocol::{ClientMessage, Hello, ServerMessage, Welcome, MAX_SERVER_FRAME};
use crate::service::{Link, Update};

/// Longest wait between reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// Writes all of `bytes` without raising SIGPIPE when the server has gone (the error comes back
/// as `EPIPE` instead, and the board keeps running).
pub(super) fn send_all(stream: &mut UnixStream, mut bytes: &[u8]) -> std::io::Result<()> {
    let fd = stream.as_raw_fd();
    while !bytes.is_empty() {
        // SAFETY: `bytes` is valid for its length; fd is an open socket owned by `stream`.
        let n = unsafe { libc::send(fd, bytes.as_ptr().cast(), bytes.len(), libc::MSG_NOSIGNAL) };
        if n < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        bytes = &bytes[n as usize..];
    }
    Ok(())
}

/// Connects and says hello; returns the stream and the server's welcome.
pub(super) fn open(path: &Path, hello: &Hello) -> Result<(UnixStream, Welcome), ConnectError> {
    let mut stream = UnixStream::connect(path).map_err(|source| ConnectError::Unreachable {
        path: path.to_path_buf(),
        source,
    })?;
    let protocol = |e: &dyn std::fmt::Display| ConnectError::Protocol(e.to_string());
    send_all(
        &mut stream,
        &frame::encode(&ClientMessage::Hello(hello.clone())),
    )
    .map_err(|e| protocol(&e))?;
    let body = frame::read_blocking(&mut stream, MAX_SERVER_FRAME).map_err(|e| protocol(&e))?;
    match frame::decode::<ServerMessage>(&body).map_err(|e| protocol(&e))? {
        ServerMessage::Welcome(w) => Ok((stream, *w)),
        ServerMessage::Refused { reason } => Err(ConnectError::Refused(reason)),
        other => Err(ConnectError::Protocol(format!(
            "expected a welcome, got {other:?}"
        ))),
    }
}

fn notify(inner: &Inner, update: Update) {
    lock(&inner.feeds).retain(|f| f.send(update.clone()).is_ok());
}

/// Reads the server's frames until the connection ends; then, if asked to, reconnects and goes on.
pub(super) fn read_loop(inner: Arc<Inner>, mut stream: UnixStream) {
    loop {
        let why = read_until_closed(&inner, &mut stream);
        if inner.closed.load(Ordering::SeqCst) {
            return;
        }
        tracing::warn!(%why, "lost the server");
        *lock(&inner.writer) = None;
        *lock(&inner.link) = Link::Down(why.clone());
        // Waiting requests fail now rather than at their timeout.
        lock(&inner.pending).clear();
        notify(&inner, Update::Link(Link::Down(why)));
        if !inner.reconnect {
            return;
        }
        match reconnect(&inner) {
            Some(s) => stream = s,
            None => return,
        }
    }
}

fn read_until_closed(inner: &Inner, stream: &mut UnixStream) -> String {
    let mut closing: Option<String> = None;
    loop {
        let body = match frame::read_blocking(stream, MAX_SERVER_FRAME) {
            Ok(b) => b,
            Err(FrameError::Closed) => {
                return closing.unwrap_or_else(|| "the server closed the connection".into())
            }
            Err(e) => return e.to_string(),
        };
        let message = match frame::decode::<ServerMessage>(&body) {
            Ok(m) => m,
            Err(e) => return format!("unreadable message from the server: {e}"),
        };
        match message {
            ServerMessage::Response { id, result } => {
                if let Some(tx) = lock(&inner.pending).remove(&id) {
                    let _ = tx.send(result);
                }
            }
            ServerMessage::Event(c) => notify(inner, Update::Committed(Arc::new(*c))),
            ServerMessage::Resync => notify(inner, Update::Resync),
            ServerMessage::Closing { reason } => closing = Some(reason),
            ServerMessage::Refused { reason } => return reason,
            ServerMessage::Welcome(_) => return "a second welcome from the server".into(),
        }
    }
}

fn reconnect(inner: &Arc<Inner>) -> Option<UnixStream> {
    let mut wait = Duration::from_millis(100);
    loop {
        if inner.closed.load(Ordering::SeqCst) {
            return None;
        }
        std::thread::sleep(wait);
        match open(&inner.path, &inner.hello) {
            Ok((stream, welcome)) => {
                let Ok(writer) = stream.try_clone() else {
                    continue;
                };
                tracing::info!(login = %welcome.user.login, "reconnected");
                *lock(&inner.writer) = Some(writer);
                *lock(&inner.link) = Link::Up;
                notify(inner, Update::Link(Link::Up));
                // Whatever was committed while the link was down is fetched again.
                notify(inner, Update::Resync);
                return Some(stream);
            }
            Err(e) => {
                let why = e.to_string();
                tracing::debug!(%why, "reconnect failed");
                *lock(&inner.link) = Link::Down(why.clone());
                wait = (wait * 2).min(MAX_BACKOFF);
            }
        }
    }
}
