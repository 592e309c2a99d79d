//! What the board and the CLI ask of the platform, whether the engine runs in this process
//! ([`Embedded`]) or behind `jiban serve` ([`crate::client::Client`]). A [`Service`] is a session:
//! it is bound to one operator, and every method acts as that operator. Over the socket the
//! operator is never sent by the client; the server knows who is connected.

mod embedded;

use std::sync::Arc;

use crate::domain::calendar::Deadline;
use crate::domain::case::{CaseId, UnitRecord};
use crate::domain::clock::Clock;
use crate::domain::command::Command;
use crate::domain::config::Config;
use crate::domain::event::{Event, HistoryEntry};
use crate::domain::intake::NewCase;
use crate::domain::lifecycle::Refusal;
use crate::domain::org::UnitId;
use crate::domain::responsibility::RouteSuggestion;
use crate::domain::summary::CaseSummary;
use crate::domain::users::User;
use crate::engine::query::{CaseFilter, CaseRow, CaseView, UnitView};
use crate::engine::{Committed, IntakeOutcome, Result};

pub use embedded::Embedded;

/// The platform as one operator's session sees it.
pub trait Service: Send + Sync {
    /// Who this session acts as.
    fn operator(&self) -> &User;
    /// The store's configuration (organisation, users, rules, calendar, responsibility list).
    fn config(&self) -> Arc<Config>;
    /// The configuration fetched again (after a calendar was added to a live store).
    fn reload_config(&self) -> Result<Arc<Config>>;
    /// Adds a year's holiday calendar as a new version and recomputes the deadlines it moves
    /// (the city dispatcher and the trainer only).
    fn add_calendar(
        &self,
        file: &str,
        text: &str,
    ) -> Result<crate::engine::calendar::CalendarAdded>;
    /// The calendars held, their versions, and the cases with provisional deadlines.
    fn calendars(&self) -> Result<crate::engine::calendar::CalendarList>;
    /// The platform's clock (simulated in training).
    fn clock(&self) -> &Arc<dyn Clock>;
    /// Every committed change from now on, plus notices when the feed must be rebuilt.
    fn subscribe(&self) -> Feed;
    /// A session of the same person acting as another login (`:as` on the board): a trainer
    /// showing a role to new staff. Who may is decided by [`crate::domain::users::Users::take`]
    /// against the identity the session was opened with, never the login it acts as now.
    fn act_as(&self, login: &str) -> Result<Arc<dyn Service>>;
    /// Records the chasing steps due by now ([`Engine::advance`](crate::engine::Engine::advance))
    /// and returns how many; a client of a server leaves that to the server (0).
    fn advance(&self) -> Result<usize> {
        Ok(0)
    }

    /// Why commands are refused on this store, when it is read through a copy (a read-only
    /// store, a full disk); a server's store never is.
    fn read_only(&self) -> Option<crate::store::problem::StorageProblem> {
        None
    }
    /// Whether the session can reach the platform now (always true when embedded).
    fn link(&self) -> Link {
        Link::Up
    }

    /// Runs one lifecycle command; refused as stale when `expected_version` is given and the case
    /// has moved on. Returns once the change is on disk.
    fn execute(
        &self,
        case: &CaseId,
        command: &Command,
        expected_version: Option<u64>,
    ) -> Result<HistoryEntry>;
    /// Runs many commands as this operator in order, each decided against the state the ones
    /// before it left, sharing flushes (group commit); each gets its own answer, and a refused
    /// one does not stop the others. At most [`MAX_BATCH`] per call.
    fn execute_many(&self, commands: Vec<Submission>) -> Vec<Result<HistoryEntry>>;
    /// Compacts the store (the administrator's trainer role only); commands wait meanwhile.
    fn compact(&self) -> Result<crate::store::compact::Compacted>;
    /// Backs the store up into a new folder inside `dir` (absolute; on the server's machine
    /// through a server); the administrator's trainer role only; commands wait meanwhile.
    fn backup(&self, dir: &std::path::Path) -> Result<crate::store::backup::BackupMade>;
    /// Checks every record of the store and reports what is wrong; trainer role only.
    fn check(&self) -> Result<crate::store::CheckReport>;
    /// Stores new cases in triage, with one flush for the batch.
    fn intake(&self, cases: Vec<NewCase>) -> Result<Vec<IntakeOutcome>>;

    /// Cases matching the filter, by deadline.
    fn list(&self, filter: &CaseFilter) -> Result<Vec<CaseRow>>;
    /// One case with its light and history.
    fn show(&self, id: &str) -> Result<CaseView>;
    /// A page of open cases' summaries in id order after `after` (at most
    /// [`crate::protocol::CASES_PAGE`]; a shorter page is the last): read models load their
    /// projection from these, a page at a time.
    fn open_cases(&self, after: Option<&str>) -> Result<Vec<CaseSummary>>;
    /// Finished cases matching a search text, at most `limit`, newest first.
    fn find_finished(&self, text: &str, limit: usize) -> Result<Vec<CaseSummary>>;
    /// Every unit with its assessment record.
    fn units(&self) -> Result<Vec<UnitView>>;
    /// One unit's assessment record.
    fn unit_record(&self, unit: &UnitId) -> Result<UnitRecord>;

    /// The command words the operator may issue on the case now.
    fn available_commands(&self, case: &str) -> Result<Vec<&'static str>>;
    /// Why the operator may not issue `word` on the case now, or `None` when they may.
    fn refusal_for(&self, case: &str, word: &str) -> Result<Option<Refusal>>;
    /// The history event `command` would record now, or its refusal; nothing is written.
    fn dry_run(&self, case: &str, command: &Command) -> Result<Event>;
    /// The units the case may be routed to now (`joint`: lead and supporting units).
    fn route_targets(&self, case: &str, joint: bool) -> Result<Vec<UnitId>>;
    /// Up to `max` suggested units to route the case to, each with its reason.
    fn suggest_routes(&self, case: &str, joint: bool, max: usize) -> Result<Vec<RouteSuggestion>>;
    /// The deadline an extension of `days` working days would set if approved now.
    fn extension_due(&self, case: &str, days: u32) -> Result<Deadline>;
    /// Draws a month's look-back sample of a scope (回头看, [`crate::domain::lookback`]).
    fn lookback_sample(
        &self,
        month: &str,
        scope: Option<&UnitId>,
        seed: Option<u64>,
    ) -> Result<crate::engine::lookback::LookbackSample>;
    /// The report of a scope (the operator's unit when none) for the period of `kind` holding
    /// `at` (today when none) ([`crate::domain::report`]).
    fn report(
        &self,
        kind: crate::domain::period::PeriodKind,
        at: Option<chrono::NaiveDate>,
        scope: Option<&UnitId>,
    ) -> Result<crate::domain::report::Report>;
    /// Today's early warnings the operator sees ([`crate::domain::warning`]).
    fn warnings(&self) -> Result<Vec<crate::domain::warning::Warning>>;
}

/// The most commands one [`Service::execute_many`] call takes.
pub const MAX_BATCH: usize = 512;

/// One command of a batch: the case, the command, and the case version it was made against.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Submission {
    /// The case.
    pub case: CaseId,
    /// The command.
    pub command: Command,
    /// The case version the command was made against, if any.
    pub expected_version: Option<u64>,
}

/// Whether a remote session reaches its server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// Connected.
    Up,
    /// Disconnected; reconnecting in the background. The text says why.
    Down(String),
}

/// One thing a [`Feed`] delivers.
#[derive(Debug, Clone)]
pub enum Update {
    /// A committed change.
    Committed(Arc<Committed>),
    /// Changes were missed (the reader fell behind, or the link was down): rebuild from
    /// [`Service::open_cases`].
    Resync,
    /// The link went down or came back.
    Link(Link),
}

/// The stream of committed changes a session receives.
pub struct Feed {
    source: FeedSource,
}

enum FeedSource {
    /// The engine's broadcast, masked for the session's login.
    Local(tokio::sync::broadcast::Receiver<Arc<Committed>>, User),
    Remote(std::sync::mpsc::Receiver<Update>),
}

impl Feed {
    /// A feed from the engine's own broadcast (embedded), each change masked for `operator`
    /// ([`Committed::for_user`]).
    pub fn local(rx: tokio::sync::broadcast::Receiver<Arc<Committed>>, operator: User) -> Feed {
        Feed {
            source: FeedSource::Local(rx, operator),
        }
    }

    /// A feed filled by a client's reader thread.
    pub fn remote(rx: std::sync::mpsc::Receiver<Update>) -> Feed {
        Feed {
            source: FeedSource::Remote(rx),
        }
    }

    /// The next update if one is waiting.
    pub fn try_next(&mut self) -> Option<Update> {
        use tokio::sync::broadcast::error::TryRecvError;
        match &mut self.source {
            FeedSource::Local(rx, user) => match rx.try_recv() {
                Ok(c) => Some(Update::Committed(c.for_user(user))),
                Err(TryRecvError::Lagged(n)) => {
                    tracing::warn!(missed = n, "feed fell behind the engine");
                    Some(Update::Resync)
                }
                Err(TryRecvError::Empty | TryRecvError::Closed) => None,
            },
            FeedSource::Remote(rx) => rx.try_recv().ok(),
        }
    }

    /// Waits up to `timeout` for the next update (`None` on timeout or when the source is gone).
    /// An embedded feed does not wait: nothing else writes to a store this process holds.
    pub fn next_timeout(&mut self, timeout: std::time::Duration) -> Option<Update> {
        match &mut self.source {
            FeedSource::Local(..) => self.try_next(),
            FeedSource::Remote(rx) => rx.recv_timeout(timeout).ok(),
        }
    }
}
