//! One client connection: who it is (SO_PEERCRED and `users.toml`), the handshake, its requests,
//! and the committed changes pushed to it.
//!
//! A connection that sends a malformed, oversized or half-sent frame is told why and closed;
//! nothing else is affected.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::UnixStream;
use tokio::sync::{broadcast, mpsc, oneshot, watch};

use super::commit::Job;
use super::outbox::{Full, Outbox};
use super::socket::user_name;
use crate::domain::users::User;
use crate::engine::{Engine, EngineError, Submitted};
use crate::protocol::frame::{self, FrameError};
use crate::protocol::{
    program, version_mismatch, ClientMessage, Failure, Hello, Reply, Request, ServerMessage,
    Welcome, CASES_PAGE, MAX_CLIENT_FRAME, PROTOCOL_VERSION,
};

/// One encoded frame, shared by every connection it is sent to.
pub type Frame = Arc<[u8]>;

/// What every connection shares.
pub struct Shared {
    /// The engine.
    pub engine: Arc<Engine>,
    /// Every committed change, encoded once in full and once masked ([`encode_events`]).
    pub frames: broadcast::Sender<Arc<EventFrames>>,
    /// The group committer's queue.
    pub jobs: mpsc::Sender<Job>,
    /// Becomes true when the server is stopping.
    pub closing: watch::Receiver<bool>,
    /// How long the rest of a frame may take once begun.
    pub stall: Duration,
}

/// Serves one connection until it closes, misbehaves, or the server stops.
pub async fn serve(stream: UnixStream, shared: Arc<Shared>) {
    let uid = stream.peer_cred().map(|c| c.uid()).ok();
    let (mut reader, mut writer) = stream.into_split();
    let (outbox, mut drain) = super::outbox::outbox();
    let writing = tokio::spawn(async move {
        while let Some((frame, room)) = drain.next().await {
            if writer.write_all(&frame).await.is_err() {
                drain.close();
                break;
            }
            drop(room);
        }
        let _ = writer.shutdown().await;
    });
    let session = handshake(&mut reader, uid, &shared, &outbox).await;
    if let Some((user, hello)) = session {
        let client = crate::domain::privacy::for_log(&hello.client);
        let span = tracing::info_span!("conn", login = %user.login, client = %client);
        let _enter = span.enter();
        tracing::info!("connected");
        drop(_enter);
        let forwarding = hello.events.then(|| {
            // Subscribed before the welcome went out: nothing committed after it is missed.
            tokio::spawn(forward(
                shared.frames.subscribe(),
                outbox.clone(),
                user.clone(),
            ))
        });
        requests(&mut reader, &user, &shared, &outbox).await;
        if let Some(f) = forwarding {
            f.abort();
        }
        tracing::info!(login = %user.login, "disconnected");
    }
    drop(outbox);
    let _ = writing.await;
    // Bytes the client sent that were never read would make closing reset the connection and
    // could lose the refusal just written; read and drop them for a moment first.
    let _ = tokio::time::timeout(Duration::from_millis(200), async {
        let mut sink = [0u8; 8192];
        let mut left: usize = 4 << 20;
        while left > 0 {
            match tokio::io::AsyncReadExt::read(&mut reader, &mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(n) => left = left.saturating_sub(n),
            }
        }
    })
    .await;
}

/// Tells a connection past the caps why it is refused and closes it (bounded: a client that does
/// not read is not waited for).
pub async fn turn_away(stream: UnixStream, reason: String) {
    super::log_limited(&reason);
    let (_, mut writer) = stream.into_split();
    let bytes = frame::encode(&ServerMessage::Refused { reason });
    let _ = tokio::time::timeout(Duration::from_secs(1), writer.write_all(&bytes)).await;
    let _ = writer.shutdown().await;
}

async fn send(outbox: &Outbox, message: &ServerMessage) {
    let _ = outbox.send(Frame::from(frame::encode(message))).await;
}

async fn refuse(outbox: &Outbox, reason: String) {
    super::log_limited(&reason);
    send(outbox, &ServerMessage::Refused { reason }).await;
}

async fn handshake(
    reader: &mut tokio::net::unix::OwnedReadHalf,
    uid: Option<u32>,
    shared: &Shared,
    outbox: &Outbox,
) -> Option<(User, Hello)> {
    match welcome(reader, uid, shared).await {
        Ok((welcome, hello)) => {
            let user = welcome.user.clone();
            send(outbox, &ServerMessage::Welcome(Box::new(welcome))).await;
            Some((user, hello))
        }
        Err(reason) => {
            refuse(outbox, reason).await;
            None
        }
    }
}

/// Reads the hello and decides who the connection is; the error is the refusal to send.
async fn welcome(
    reader: &mut tokio::net::unix::OwnedReadHalf,
    uid: Option<u32>,
    shared: &Shared,
) -> Result<(Welcome, Hello), String> {
    let bad = |e: &dyn std::fmt::Display| format!("bad hello: {e}");
    // A client that connects and says nothing is closed after the stall limit too.
    let body = tokio::time::timeout(
        shared.stall,
        frame::read_async(reader, MAX_CLIENT_FRAME, shared.stall),
    )
    .await
    .map_err(|_| "no hello within the time limit".to_string())?
    .map_err(|e| bad(&e))?;
    let value: serde_json::Value = frame::decode(&body).map_err(|e| bad(&e))?;
    if let Some(reason) = version_mismatch(&value) {
        return Err(reason);
    }
    let ClientMessage::Hello(hello) = serde_json::from_value(value).map_err(|e| bad(&e))? else {
        return Err("the first frame must be a hello".into());
    };
    let uid = uid.ok_or("the connecting process could not be identified")?;
    let os_user =
        user_name(uid).ok_or_else(|| format!("uid {uid} has no user name on this machine"))?;
    let user = shared
        .engine
        .config()
        .users
        .resolve(&os_user, hello.act_as.as_deref())
        .map_err(|e| e.to_string())?;
    let sources = shared
        .engine
        .sources()
        .map_err(|e| format!("server: {e}"))?;
    let clock = shared.engine.clock();
    let welcome = Welcome {
        protocol: PROTOCOL_VERSION,
        server: program("serve"),
        user,
        sources,
        now: clock.now(),
        simulated: clock.is_simulated(),
    };
    Ok((welcome, hello))
}

async fn requests(
    reader: &mut tokio::net::unix::OwnedReadHalf,
    user: &User,
    shared: &Shared,
    outbox: &Outbox,
) {
    let mut closing = shared.closing.clone();
    loop {
        if *closing.borrow() {
            break;
        }
        let body = tokio::select! {
            r = frame::read_async(reader, MAX_CLIENT_FRAME, shared.stall) => r,
            _ = closing.changed() => break,
        };
        let message = body.and_then(|b| frame::decode::<ClientMessage>(&b));
        let (id, request) = match message {
            Ok(ClientMessage::Request { id, request }) => (id, request),
            Ok(ClientMessage::Hello(_)) => {
                refuse(outbox, "a second hello on one connection".into()).await;
                return;
            }
            Err(FrameError::Closed) => return,
            Err(e) => {
                refuse(outbox, format!("closing this connection: {e}")).await;
                return;
            }
        };
        let result = answer(request, user, shared).await;
        send(outbox, &ServerMessage::Response { id, result }).await;
    }
    send(
        outbox,
        &ServerMessage::Closing {
            reason: "the server is stopping".into(),
        },
    )
    .await;
}

/// Hands every command of a batch to the committer at once (so they share flushes) and collects
/// each one's answer in order.
async fn execute_many(
    commands: Vec<crate::service::Submission>,
    user: &User,
    shared: &Shared,
) -> Result<Reply, Failure> {
    if commands.len() > crate::service::MAX_BATCH {
        return Err(Failure::Server {
            message: format!(
                "a batch holds at most {} commands, this one {}",
                crate::service::MAX_BATCH,
                commands.len()
            ),
        });
    }
    let lost = || Failure::Server {
        message: "the server stopped before the command was stored".into(),
    };
    let mut answers = Vec::with_capacity(commands.len());
    for s in commands {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            submitted: Submitted {
                operator: user.clone(),
                case: s.case,
                command: s.command,
                expected_version: s.expected_version,
            },
            reply,
        };
        shared.jobs.send(job).await.map_err(|_| lost())?;
        answers.push(answer);
    }
    let mut out = Vec::with_capacity(answers.len());
    for a in answers {
        out.push(match a.await {
            Ok(r) => r.map_err(Failure::from),
            Err(_) => Err(lost()),
        });
    }
    Ok(Reply::Entries(out))
}

async fn answer(request: Request, user: &User, shared: &Shared) -> Result<Reply, Failure> {
    if let Request::ExecuteMany { commands } = request {
        return execute_many(commands, user, shared).await;
    }
    if let Request::Execute {
        case,
        command,
        expected_version,
    } = request
    {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            submitted: Submitted {
                operator: user.clone(),
                case,
                command,
                expected_version,
            },
            reply,
        };
        let lost = || Failure::Server {
            message: "the server stopped before the command was stored".into(),
        };
        shared.jobs.send(job).await.map_err(|_| lost())?;
        return match answer.await {
            Ok(r) => r.map(Reply::Entry).map_err(Failure::from),
            Err(_) => Err(lost()),
        };
    }
    let engine = shared.engine.clone();
    let user = user.clone();
    tokio::task::spawn_blocking(move || read(&engine, &user, request))
        .await
        .unwrap_or_else(|e| {
            Err(Failure::Server {
                message: format!("request failed: {e}"),
            })
        })
}

fn read(engine: &Engine, user: &User, request: Request) -> Result<Reply, Failure> {
    let r: crate::engine::Result<Reply> = match request {
        Request::Execute { .. } | Request::ExecuteMany { .. } => {
            Err(EngineError::Remote("misrouted command".into()))
        }
        Request::Intake { cases } => engine.intake(user, cases).map(Reply::Intake),
        Request::Compact => engine.compact(user).map(Reply::Compacted),
        Request::Backup { dir } => engine.backup(user, &dir).map(Reply::BackedUp),
        Request::Check => engine.check(user).map(Reply::Checked),
        Request::AddCalendar { file, text } => engine
            .add_calendar(user, &file, &text)
            .map(Reply::CalendarAdded),
        Request::Calendars => engine.calendars().map(|l| Reply::Calendars(Box::new(l))),
        Request::Sources => engine.sources().map(|s| Reply::Sources(Box::new(s))),
        Request::List { filter } => engine.list(&filter).map(Reply::Rows),
        Request::Show { id } => engine.show(&id).map(|mut v| {
            v.redact_for(user);
            Reply::View(Box::new(v))
        }),
        Request::OpenCases { after } => engine
            .open_page(None, after.as_deref(), CASES_PAGE)
            .map(Reply::Summaries),
        Request::FindFinished { text, limit } => engine
            .find_finished(&text, limit.min(CASES_PAGE))
            .map(Reply::Summaries),
        Request::Units => engine.units().map(Reply::Units),
        Request::UnitRecord { unit } => engine.unit_record(&unit).map(Reply::Record),
        Request::AvailableCommands { case } => engine
            .available_commands(user, &case)
            .map(|w| Reply::Words(w.into_iter().map(String::from).collect())),
        Request::RefusalFor { case, word } => {
            engine.refusal_for(user, &case, &word).map(Reply::Refusal)
        }
        Request::DryRun { case, command } => engine
            .dry_run(user, &case, &command)
            .map(|d| Reply::Event(d.event)),
        Request::RouteTargets { case, joint } => {
            engine.route_targets(&case, joint).map(Reply::UnitIds)
        }
        Request::SuggestRoutes { case, joint, max } => engine
            .suggest_routes(&case, joint, max)
            .map(Reply::Suggestions),
        Request::LookbackSample { month, scope, seed } => engine
            .lookback_sample(user, &month, scope.as_ref(), seed)
            .map(|s| Reply::Sample(Box::new(s))),
        Request::Report { kind, at, scope } => engine
            .report(user, kind, at, scope.as_ref())
            .map(|r| Reply::Report(Box::new(r))),
        Request::Warnings => engine.warnings(user).map(Reply::Warnings),
        Request::ExtensionDue { case, days } => {
            engine.extension_due(&case, days).map(Reply::Deadline)
        }
    };
    r.map_err(Failure::from)
}

/// One committed change encoded for every connection to share: once in full and once with its
/// personal data masked, so each connection is sent what its login may see
/// ([`crate::domain::privacy`]) without encoding per connection. A resync has no change.
pub struct EventFrames {
    /// The change (none for a resync).
    pub committed: Option<Arc<crate::engine::Committed>>,
    /// The event in full.
    pub full: Frame,
    /// The event masked.
    pub masked: Frame,
}

impl EventFrames {
    fn resync() -> EventFrames {
        let f = Frame::from(frame::encode(&ServerMessage::Resync));
        EventFrames {
            committed: None,
            full: f.clone(),
            masked: f,
        }
    }

    /// The frame for `user`.
    fn for_user(&self, user: &User) -> &Frame {
        match &self.committed {
            Some(c) if !crate::domain::privacy::may_see_requester(user, &c.case) => &self.masked,
            _ => &self.full,
        }
    }
}

/// Encodes each committed change once (in full and masked), for every connection to share.
pub async fn encode_events(
    mut events: broadcast::Receiver<Arc<crate::engine::Committed>>,
    frames: broadcast::Sender<Arc<EventFrames>>,
) {
    loop {
        let encoded = match events.recv().await {
            Ok(c) => EventFrames {
                full: Frame::from(frame::encode(&ServerMessage::Event(Box::new((*c).clone())))),
                masked: Frame::from(frame::encode(&ServerMessage::Event(Box::new(c.masked())))),
                committed: Some(c),
            },
            Err(broadcast::error::RecvError::Lagged(n)) => {
                tracing::warn!(
                    missed = n,
                    "the event encoder fell behind; resynchronising all"
                );
                EventFrames::resync()
            }
            Err(broadcast::error::RecvError::Closed) => return,
        };
        // No connection listening is fine.
        let _ = frames.send(Arc::new(encoded));
    }
}

/// Pushes every committed change to one client, as its login may see it. Events never wait for
/// room in the outbox: a client that reads too slowly is marked behind, its events are dropped
/// (the shared buffer is never held up by it), and once room returns it is told to
/// resynchronise rather than silently missing changes.
async fn forward(mut frames: broadcast::Receiver<Arc<EventFrames>>, outbox: Outbox, user: User) {
    let resync = EventFrames::resync().full;
    let mut behind = false;
    loop {
        if behind {
            // Back once half the budget is free again (not as soon as the small resync fits,
            // which would flap between behind and not on every event).
            tokio::select! {
                ok = outbox.room(super::outbox::OUTBOX_BYTES / 2) => {
                    if !ok {
                        return;
                    }
                    match outbox.try_send(resync.clone()) {
                        Ok(()) => behind = false,
                        Err(Full::Closed) => return,
                        Err(Full::NoRoom) => {}
                    }
                }
                r = frames.recv() => {
                    if let Err(broadcast::error::RecvError::Closed) = r {
                        return;
                    }
                }
            }
            continue;
        }
        let frame = match frames.recv().await {
            Ok(f) => f.for_user(&user).clone(),
            Err(broadcast::error::RecvError::Lagged(n)) => {
                tracing::warn!(missed = n, "a client fell behind; resynchronising it");
                resync.clone()
            }
            Err(broadcast::error::RecvError::Closed) => return,
        };
        match outbox.try_send(frame) {
            Ok(()) => {}
            Err(Full::NoRoom) => {
                super::log_limited(&format!(
                    "{} reads too slowly; its events are dropped until it resynchronises",
                    user.login
                ));
                behind = true;
            }
            Err(Full::Closed) => return,
        }
    }
}
