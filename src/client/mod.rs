//! A session on `jiban serve`: the [`Service`] a board or CLI call uses with `--connect`.
//!
//! Requests are written by the caller's thread and answered through a reader thread, which also
//! delivers pushed changes to every [`Feed`]. When the server goes away the reader marks the link
//! down, fails waiting requests at once, and keeps reconnecting in the background; on success the
//! feeds are told the link is up and to resynchronise. A one-shot CLI call does not reconnect.

mod link;

use std::collections::HashMap;
use std::io::Write;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use crate::domain::calendar::Deadline;
use crate::domain::case::{CaseId, UnitRecord};
use crate::domain::clock::{Clock, OffsetClock};
use crate::domain::command::{Command, COMMAND_WORDS};
use crate::domain::config::Config;
use crate::domain::event::{Event, HistoryEntry};
use crate::domain::intake::NewCase;
use crate::domain::lifecycle::Refusal;
use crate::domain::org::UnitId;
use crate::domain::responsibility::RouteSuggestion;
use crate::domain::summary::CaseSummary;
use crate::domain::users::User;
use crate::engine::query::{CaseFilter, CaseRow, CaseView, UnitView};
use crate::engine::{EngineError, IntakeOutcome, Result};
use crate::protocol::{ClientMessage, Failure, Hello, Reply, Request, PROTOCOL_VERSION};
use crate::service::{Feed, Link, Service, Submission, Update};

/// How long a request waits for its answer before the client gives up on it.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Why connecting failed.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The socket could not be reached.
    #[error("cannot reach the jiban server at {path} (is `jiban serve` running?)")]
    Unreachable {
        /// The socket.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The server refused the handshake.
    #[error("the jiban server refused this connection: {0}")]
    Refused(String),
    /// The conversation went wrong.
    #[error("talking to the jiban server: {0}")]
    Protocol(String),
    /// The fixtures the server sent do not parse.
    #[error(transparent)]
    Fixture(#[from] crate::domain::FixtureError),
}

/// What to say in the hello.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// Which program this is (`board`, `cli`, `watch`).
    pub role: String,
    /// Act as this login (trainers only).
    pub act_as: Option<String>,
    /// Receive pushed changes.
    pub events: bool,
    /// Reconnect in the background when the server goes away.
    pub reconnect: bool,
}

type Pending = HashMap<u64, mpsc::Sender<std::result::Result<Reply, Failure>>>;

struct Inner {
    path: PathBuf,
    hello: Hello,
    reconnect: bool,
    writer: Mutex<Option<UnixStream>>,
    pending: Mutex<Pending>,
    next_id: AtomicU64,
    feeds: Mutex<Vec<mpsc::Sender<Update>>>,
    link: Mutex<Link>,
    closed: AtomicBool,
}

/// A connected session.
pub struct Client {
    inner: Arc<Inner>,
    /// What the hello said (`:as` connects again with another login).
    options: ConnectOptions,
    operator: User,
    config: Mutex<Arc<Config>>,
    clock: Arc<dyn Clock>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Client {
    /// Connects to the server at `path` and completes the handshake.
    pub fn connect(
        path: &Path,
        options: ConnectOptions,
    ) -> std::result::Result<Client, ConnectError> {
        let hello = Hello {
            protocol: PROTOCOL_VERSION,
            client: crate::protocol::program(&options.role),
            act_as: options.act_as.clone(),
            events: options.events,
        };
        let (stream, welcome) = link::open(path, &hello)?;
        let config = Arc::new(Config::from_sources(&welcome.sources)?);
        let clock: Arc<dyn Clock> = Arc::new(OffsetClock::to(welcome.now, welcome.simulated));
        let inner = Arc::new(Inner {
            path: path.to_path_buf(),
            hello,
            reconnect: options.reconnect,
            writer: Mutex::new(Some(
                stream
                    .try_clone()
                    .map_err(|e| ConnectError::Protocol(e.to_string()))?,
            )),
            pending: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            feeds: Mutex::new(Vec::new()),
            link: Mutex::new(Link::Up),
            closed: AtomicBool::new(false),
        });
        let reader = inner.clone();
        std::thread::Builder::new()
            .name("jiban-client".into())
            .spawn(move || link::read_loop(reader, stream))
            .map_err(|e| ConnectError::Protocol(e.to_string()))?;
        Ok(Client {
            inner,
            options,
            operator: welcome.user,
            config: Mutex::new(config),
            clock,
        })
    }

    fn request(&self, request: Request) -> Result<Reply> {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel();
        let frame = crate::protocol::frame::encode(&ClientMessage::Request { id, request });
        {
            let mut writer = lock(&self.inner.writer);
            let Some(stream) = writer.as_mut() else {
                return Err(self.down());
            };
            lock(&self.inner.pending).insert(id, tx);
            if let Err(e) = link::send_all(stream, &frame).and_then(|_| stream.flush()) {
                lock(&self.inner.pending).remove(&id);
                return Err(EngineError::Disconnected(e.to_string()));
            }
        }
        match rx.recv_timeout(REQUEST_TIMEOUT) {
            Ok(r) => r.map_err(EngineError::from),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                lock(&self.inner.pending).remove(&id);
                Err(EngineError::Remote(format!(
                    "no answer within {} s",
                    REQUEST_TIMEOUT.as_secs()
                )))
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(self.down()),
        }
    }

    fn down(&self) -> EngineError {
        match &*lock(&self.inner.link) {
            Link::Down(why) => EngineError::Disconnected(why.clone()),
            Link::Up => EngineError::Disconnected("the connection closed".into()),
        }
    }

    /// The socket this client talks to.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        self.inner.closed.store(true, Ordering::SeqCst);
        if let Some(s) = lock(&self.inner.writer).take() {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
    }
}

fn unexpected(reply: Reply) -> EngineError {
    EngineError::Remote(format!("unexpected reply {reply:?}"))
}

macro_rules! expect {
    ($self:ident, $request:expr, $variant:path) => {
        match $self.request($request)? {
            $variant(v) => Ok(v),
            other => Err(unexpected(other)),
        }
    };
}

impl Service for Client {
    fn operator(&self) -> &User {
        &self.operator
    }
    fn act_as(&self, login: &str) -> Result<Arc<dyn Service>> {
        // A new connection: the server judges the login against the OS user that connects.
        let options = ConnectOptions {
            act_as: Some(login.to_string()),
            ..self.options.clone()
        };
        Client::connect(&self.inner.path, options)
            .map(|c| Arc::new(c) as Arc<dyn Service>)
            .map_err(|e| EngineError::Remote(e.to_string()))
    }
    fn config(&self) -> Arc<Config> {
        lock(&self.config).clone()
    }
    fn reload_config(&self) -> Result<Arc<Config>> {
        let sources = expect!(self, Request::Sources, Reply::Sources)?;
        let config = Arc::new(Config::from_sources(&sources)?);
        *lock(&self.config) = config.clone();
        Ok(config)
    }
    fn add_calendar(
        &self,
        file: &str,
        text: &str,
    ) -> Result<crate::engine::calendar::CalendarAdded> {
        let request = Request::AddCalendar {
            file: file.to_string(),
            text: text.to_string(),
        };
        expect!(self, request, Reply::CalendarAdded)
    }
    fn calendars(&self) -> Result<crate::engine::calendar::CalendarList> {
        expect!(self, Request::Calendars, Reply::Calendars).map(|b| *b)
    }
    fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }
    fn subscribe(&self) -> Feed {
        let (tx, rx) = mpsc::channel();
        lock(&self.inner.feeds).push(tx);
        Feed::remote(rx)
    }
    fn link(&self) -> Link {
        lock(&self.inner.link).clone()
    }
    fn execute(
        &self,
        case: &CaseId,
        command: &Command,
        expected_version: Option<u64>,
    ) -> Result<HistoryEntry> {
        let request = Request::Execute {
            case: case.clone(),
            command: command.clone(),
            expected_version,
        };
        expect!(self, request, Reply::Entry)
    }
    fn execute_many(&self, commands: Vec<Submission>) -> Vec<Result<HistoryEntry>> {
        let n = commands.len();
        match self.request(Request::ExecuteMany { commands }) {
            Ok(Reply::Entries(results)) => results
                .into_iter()
                .map(|r| r.map_err(EngineError::from))
                .collect(),
            Ok(other) => {
                let e = unexpected(other).to_string();
                (0..n)
                    .map(|_| Err(EngineError::Remote(e.clone())))
                    .collect()
            }
            Err(e) => {
                let e = e.to_string();
                (0..n)
                    .map(|_| Err(EngineError::Remote(e.clone())))
                    .collect()
            }
        }
    }
    fn compact(&self) -> Result<crate::store::compact::Compacted> {
        expect!(self, Request::Compact, Reply::Compacted)
    }
    fn backup(&self, dir: &std::path::Path) -> Result<crate::store::backup::BackupMade> {
        let dir = dir.to_path_buf();
        expect!(self, Request::Backup { dir }, Reply::BackedUp)
    }
    fn check(&self) -> Result<crate::store::CheckReport> {
        expect!(self, Request::Check, Reply::Checked)
    }
    fn intake(&self, cases: Vec<NewCase>) -> Result<Vec<IntakeOutcome>> {
        expect!(self, Request::Intake { cases }, Reply::Intake)
    }
    fn list(&self, filter: &CaseFilter) -> Result<Vec<CaseRow>> {
        let request = Request::List {
            filter: filter.clone(),
        };
        expect!(self, request, Reply::Rows)
    }
    fn show(&self, id: &str) -> Result<CaseView> {
        let request = Request::Show { id: id.into() };
        expect!(self, request, Reply::View).map(|v| *v)
    }
    fn open_cases(&self, after: Option<&str>) -> Result<Vec<CaseSummary>> {
        let after = after.map(str::to_string);
        expect!(self, Request::OpenCases { after }, Reply::Summaries)
    }
    fn find_finished(&self, text: &str, limit: usize) -> Result<Vec<CaseSummary>> {
        let request = Request::FindFinished {
            text: text.into(),
            limit,
        };
        expect!(self, request, Reply::Summaries)
    }
    fn units(&self) -> Result<Vec<UnitView>> {
        expect!(self, Request::Units, Reply::Units)
    }
    fn unit_record(&self, unit: &UnitId) -> Result<UnitRecord> {
        let request = Request::UnitRecord { unit: unit.clone() };
        expect!(self, request, Reply::Record)
    }
    fn available_commands(&self, case: &str) -> Result<Vec<&'static str>> {
        let request = Request::AvailableCommands { case: case.into() };
        let words = expect!(self, request, Reply::Words)?;
        Ok(words
            .iter()
            .filter_map(|w| COMMAND_WORDS.iter().find(|k| **k == w.as_str()).copied())
            .collect())
    }
    fn refusal_for(&self, case: &str, word: &str) -> Result<Option<Refusal>> {
        let request = Request::RefusalFor {
            case: case.into(),
            word: word.into(),
        };
        expect!(self, request, Reply::Refusal)
    }
    fn dry_run(&self, case: &str, command: &Command) -> Result<Event> {
        let request = Request::DryRun {
            case: case.into(),
            command: command.clone(),
        };
        expect!(self, request, Reply::Event)
    }
    fn route_targets(&self, case: &str, joint: bool) -> Result<Vec<UnitId>> {
        let request = Request::RouteTargets {
            case: case.into(),
            joint,
        };
        expect!(self, request, Reply::UnitIds)
    }
    fn suggest_routes(&self, case: &str, joint: bool, max: usize) -> Result<Vec<RouteSuggestion>> {
        let request = Request::SuggestRoutes {
            case: case.into(),
            joint,
            max,
        };
        expect!(self, request, Reply::Suggestions)
    }
    fn extension_due(&self, case: &str, days: u32) -> Result<Deadline> {
        let request = Request::ExtensionDue {
            case: case.into(),
            days,
        };
        expect!(self, request, Reply::Deadline)
    }
    fn lookback_sample(
        &self,
        month: &str,
        scope: Option<&UnitId>,
        seed: Option<u64>,
    ) -> Result<crate::engine::lookback::LookbackSample> {
        let request = Request::LookbackSample {
            month: month.into(),
            scope: scope.cloned(),
            seed,
        };
        expect!(self, request, Reply::Sample).map(|s| *s)
    }
    fn report(
        &self,
        kind: crate::domain::period::PeriodKind,
        at: Option<chrono::NaiveDate>,
        scope: Option<&UnitId>,
    ) -> Result<crate::domain::report::Report> {
        let request = Request::Report {
            kind,
            at,
            scope: scope.cloned(),
        };
        expect!(self, request, Reply::Report).map(|r| *r)
    }
    fn warnings(&self) -> Result<Vec<crate::domain::warning::Warning>> {
        expect!(self, Request::Warnings, Reply::Warnings)
    }
}
