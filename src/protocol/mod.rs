//! The wire between `jiban serve` and its clients (boards, the CLI, `jiban watch`): typed
//! messages in length-prefixed JSON frames ([`frame`]).
//!
//! A connection opens with the client's [`Hello`]; the server answers [`ServerMessage::Welcome`]
//! or [`ServerMessage::Refused`] and closes. Then the client sends [`ClientMessage::Request`]s,
//! each answered by a [`ServerMessage::Response`] with the same id, and — when the client asked
//! for them — the server pushes every committed change as [`ServerMessage::Event`].

pub mod frame;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::calendar::Deadline;
use crate::domain::case::{CaseId, UnitRecord};
use crate::domain::command::Command;
use crate::domain::config::FixtureSources;
use crate::domain::event::{Event, HistoryEntry};
use crate::domain::intake::NewCase;
use crate::domain::lifecycle::Refusal;
use crate::domain::org::UnitId;
use crate::domain::responsibility::RouteSuggestion;
use crate::domain::summary::CaseSummary;
use crate::domain::users::User;
use crate::engine::query::{CaseFilter, CaseRow, CaseView, UnitView};
use crate::engine::{Committed, EngineError, IntakeOutcome};

/// The protocol version. A client and server of different versions refuse each other with a
/// message naming both.
pub const PROTOCOL_VERSION: u32 = 2;

/// The largest frame a client may send (an intake batch of a few thousand cases fits).
pub const MAX_CLIENT_FRAME: usize = 4 << 20;

/// The largest frame a server sends (a page of cases, a long history).
pub const MAX_SERVER_FRAME: usize = 64 << 20;

/// How many cases one [`Request::OpenCases`] page holds.
pub const CASES_PAGE: usize = 500;

/// The client's first message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hello {
    /// [`PROTOCOL_VERSION`] of the client.
    pub protocol: u32,
    /// The client program and version, for the server's log (`jiban 0.1.0 board`).
    pub client: String,
    /// Act as this login instead of the one the OS user maps to (trainers only).
    pub act_as: Option<String>,
    /// Push committed changes to this connection.
    pub events: bool,
}

/// What the server tells a client it accepted.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Welcome {
    /// The server's [`PROTOCOL_VERSION`].
    pub protocol: u32,
    /// The server program and version.
    pub server: String,
    /// Who this connection acts as.
    pub user: User,
    /// The store's fixtures (organisation, users, rules, calendars, responsibility list).
    pub sources: FixtureSources,
    /// The server's time now.
    pub now: DateTime<Utc>,
    /// True when the server runs on a simulated clock (training).
    pub simulated: bool,
}

/// A message from a client.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// Opens the connection.
    Hello(Hello),
    /// A request; answered by a response with the same id.
    Request {
        /// Chosen by the client, echoed in the response.
        id: u64,
        /// What is asked.
        request: Request,
    },
}

/// What a client may ask. The operator is never part of a request: the server acts as the
/// connection's login.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "request", rename_all = "snake_case")]
pub enum Request {
    /// Run a lifecycle command.
    Execute {
        /// The case.
        case: CaseId,
        /// The command.
        command: Command,
        /// The case version the command was made against.
        expected_version: Option<u64>,
    },
    /// Run many lifecycle commands in order, group-committed (at most
    /// [`crate::service::MAX_BATCH`]).
    ExecuteMany {
        /// The commands.
        commands: Vec<crate::service::Submission>,
    },
    /// Compact the store.
    Compact,
    /// Back the store up into a new folder inside `dir` (absolute, on the server's machine).
    Backup {
        /// The folder.
        dir: std::path::PathBuf,
    },
    /// Check every record of the store.
    Check,
    /// Take in new cases.
    Intake {
        /// The cases.
        cases: Vec<NewCase>,
    },
    /// List cases.
    List {
        /// Which.
        filter: CaseFilter,
    },
    /// One case with history.
    Show {
        /// Its id.
        id: String,
    },
    /// A page of open cases' summaries, in id order, after `after`.
    OpenCases {
        /// The last id of the previous page.
        after: Option<String>,
    },
    /// Finished cases matching a search text.
    FindFinished {
        /// What was typed.
        text: String,
        /// At most this many (capped by the server at [`CASES_PAGE`]).
        limit: usize,
    },
    /// Every unit with its record.
    Units,
    /// One unit's record.
    UnitRecord {
        /// The unit.
        unit: UnitId,
    },
    /// Command words the operator may issue now.
    AvailableCommands {
        /// The case.
        case: String,
    },
    /// Why a word may not be issued now.
    RefusalFor {
        /// The case.
        case: String,
        /// The command word.
        word: String,
    },
    /// What a command would record, without writing.
    DryRun {
        /// The case.
        case: String,
        /// The command.
        command: Command,
    },
    /// Units the case may be routed to.
    RouteTargets {
        /// The case.
        case: String,
        /// Joint (lead and supporting).
        joint: bool,
    },
    /// Suggested routes.
    SuggestRoutes {
        /// The case.
        case: String,
        /// Joint.
        joint: bool,
        /// How many at most.
        max: usize,
    },
    /// Add a year's holiday calendar as a new version.
    AddCalendar {
        /// The file's name.
        file: String,
        /// Its text.
        text: String,
    },
    /// The calendars held and the provisional cases.
    Calendars,
    /// The store's fixtures again (a calendar was added).
    Sources,
    /// The deadline an extension would set.
    ExtensionDue {
        /// The case.
        case: String,
        /// Working days.
        days: u32,
    },
    /// Draw a month's look-back sample (回头看).
    LookbackSample {
        /// The month (`2026-10`).
        month: String,
        /// The scope (default: the operator's unit).
        scope: Option<UnitId>,
        /// The seed (default: made of the month and the scope).
        seed: Option<u64>,
    },
    /// A report (报表).
    Report {
        /// The period's length.
        kind: crate::domain::period::PeriodKind,
        /// A day in the period (default: today).
        at: Option<chrono::NaiveDate>,
        /// The scope (default: the operator's unit).
        scope: Option<UnitId>,
    },
    /// Today's early warnings (监测预警).
    Warnings,
}

/// A successful answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "reply", content = "value", rename_all = "snake_case")]
pub enum Reply {
    /// The history entry a command recorded.
    Entry(HistoryEntry),
    /// What a compaction did.
    Compacted(crate::store::compact::Compacted),
    /// What a backup made.
    BackedUp(crate::store::backup::BackupMade),
    /// What a check found.
    Checked(crate::store::CheckReport),
    /// Each command's own answer, in order.
    Entries(Vec<Result<HistoryEntry, Failure>>),
    /// What intake did with each case.
    Intake(Vec<IntakeOutcome>),
    /// Case rows.
    Rows(Vec<CaseRow>),
    /// One case.
    View(Box<CaseView>),
    /// Case summaries: a page of open cases (shorter than [`CASES_PAGE`] at the end), or finished
    /// cases found by a search.
    Summaries(Vec<CaseSummary>),
    /// Units.
    Units(Vec<UnitView>),
    /// A unit record.
    Record(UnitRecord),
    /// Command words.
    Words(Vec<String>),
    /// A refusal, or none.
    Refusal(Option<Refusal>),
    /// A history event (dry run).
    Event(Event),
    /// Unit ids.
    UnitIds(Vec<UnitId>),
    /// Route suggestions.
    Suggestions(Vec<RouteSuggestion>),
    /// A deadline.
    Deadline(Deadline),
    /// What `calendar add` did.
    CalendarAdded(crate::engine::calendar::CalendarAdded),
    /// The calendars held.
    Calendars(Box<crate::engine::calendar::CalendarList>),
    /// The store's fixtures.
    Sources(Box<FixtureSources>),
    /// What a look-back draw did.
    Sample(Box<crate::engine::lookback::LookbackSample>),
    /// A report.
    Report(Box<crate::domain::report::Report>),
    /// Early warnings.
    Warnings(Vec<crate::domain::warning::Warning>),
}

/// Why a request failed, as the engine said it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "failure", rename_all = "snake_case")]
pub enum Failure {
    /// The rules or the role refused.
    #[error(transparent)]
    Refused {
        /// Why.
        refusal: Refusal,
    },
    /// No such case.
    #[error("no case {id}")]
    UnknownCase {
        /// The id asked for.
        id: String,
    },
    /// The case moved on since the client saw it.
    #[error("this case changed: {what}")]
    Conflict {
        /// The version the client had.
        expected: u64,
        /// The version now.
        found: u64,
        /// What changed, by whom.
        what: String,
    },
    /// The server's store failed, as facts the client words in its own language.
    #[error("{problem}")]
    Storage {
        /// What failed, and where.
        problem: crate::store::problem::StorageProblem,
    },
    /// Anything else (a shutting-down server), as text.
    #[error("{message}")]
    Server {
        /// What went wrong.
        message: String,
    },
}

impl From<EngineError> for Failure {
    fn from(e: EngineError) -> Failure {
        match e {
            EngineError::Refused(refusal) => Failure::Refused { refusal },
            EngineError::UnknownCase(id) => Failure::UnknownCase { id },
            EngineError::Conflict {
                expected,
                found,
                what,
            } => Failure::Conflict {
                expected,
                found,
                what,
            },
            EngineError::Storage(problem) => Failure::Storage { problem },
            other => match other.storage_problem() {
                Some(problem) => Failure::Storage { problem },
                None => Failure::Server {
                    message: other.to_string(),
                },
            },
        }
    }
}

impl From<Failure> for EngineError {
    fn from(f: Failure) -> EngineError {
        match f {
            Failure::Refused { refusal } => EngineError::Refused(refusal),
            Failure::UnknownCase { id } => EngineError::UnknownCase(id),
            Failure::Conflict {
                expected,
                found,
                what,
            } => EngineError::Conflict {
                expected,
                found,
                what,
            },
            Failure::Storage { problem } => EngineError::Storage(problem),
            Failure::Server { message } => EngineError::Remote(message),
        }
    }
}

/// A message from the server.
// Messages are built, encoded and dropped one at a time; their size in memory does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// The handshake succeeded.
    Welcome(Box<Welcome>),
    /// The handshake (or the connection) was refused; the server closes it.
    Refused {
        /// Why, for the person.
        reason: String,
    },
    /// The answer to a request.
    Response {
        /// The request's id.
        id: u64,
        /// The answer.
        result: Result<Reply, Failure>,
    },
    /// A committed change.
    Event(Box<Committed>),
    /// This connection missed changes (it read too slowly): rebuild from [`Request::OpenCases`].
    Resync,
    /// The server is stopping; the connection closes next.
    Closing {
        /// Why.
        reason: String,
    },
}

/// The name a program gives itself in [`Hello::client`] and [`Welcome::server`].
pub fn program(role: &str) -> String {
    format!("jiban {} {role}", env!("CARGO_PKG_VERSION"))
}

/// The server's answer to a hello of another protocol version, or `None` when it matches.
/// Only the `protocol` field is read, so a hello from any version is understood this far.
pub fn version_mismatch(hello: &serde_json::Value) -> Option<String> {
    let theirs = hello.get("protocol").and_then(|p| p.as_u64());
    let client = hello
        .get("client")
        .and_then(|c| c.as_str())
        .unwrap_or("an unknown client");
    match theirs {
        Some(v) if v == u64::from(PROTOCOL_VERSION) => None,
        Some(v) => Some(format!(
            "protocol mismatch: {client} speaks protocol {v}, this server ({}) speaks {PROTOCOL_VERSION}; install the same jiban version on both sides",
            program("serve")
        )),
        None => Some("the first frame must be a hello with a protocol version".to_string()),
    }
}
