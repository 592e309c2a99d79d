//! The engine: the one door. Every interface (CLI, board, server) goes through
//! [`Engine::execute`], [`Engine::intake`] and the queries in [`query`]. A command is validated by
//! the domain, written with its history and indexes in one sled transaction, **flushed**, and only
//! then published to subscribers and acknowledged.

pub mod calendar;
mod chasing;
pub mod import;
mod intake;
pub use intake::INTAKE_BATCH;
pub mod lookback;
mod maintain;
mod preview;
pub mod query;
pub mod reports;

use std::path::Path;
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;

use crate::domain::case::{Case, CaseId};
use crate::domain::clock::Clock;
use crate::domain::command::Command;
use crate::domain::config::{Config, FixtureSources};
use crate::domain::event::HistoryEntry;
use crate::domain::lifecycle::{decide, Context, Refusal};
use crate::domain::org::UnitId;
use crate::domain::users::{Role, User};
use crate::domain::FixtureError;
use crate::store::{Batch, CaseWrite, Store, StoreError, StoreOptions};

/// Why the engine did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The rules or the operator's role refused the command.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// No such case.
    #[error("no case {0}")]
    UnknownCase(String),
    /// No such login.
    #[error("no login {0:?} in this store's users")]
    UnknownLogin(String),
    /// The case changed since the client saw it.
    #[error("this case changed: {what} (version {found}, you had {expected})")]
    Conflict {
        /// The version the client had.
        expected: u64,
        /// The version now.
        found: u64,
        /// What changed, by whom.
        what: String,
    },
    /// The fixtures stored in the store do not parse.
    #[error(transparent)]
    Fixture(#[from] FixtureError),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The operator may not take this login (`:as` on the board).
    #[error(transparent)]
    Identity(#[from] crate::domain::users::IdentityError),
    /// The server's store failed (a full disk, a read-only store), as facts.
    #[error("server: {0}")]
    Storage(crate::store::problem::StorageProblem),
    /// The server reported a failure of its own (storage, shutting down).
    #[error("server: {0}")]
    Remote(String),
    /// The server cannot be reached now; the client is reconnecting.
    #[error("disconnected from the server: {0}")]
    Disconnected(String),
}

impl EngineError {
    /// A storage failure as facts (a full disk, a read-only store), wherever it happened.
    pub fn storage_problem(&self) -> Option<crate::store::problem::StorageProblem> {
        match self {
            EngineError::Store(e) => Some(e.problem()),
            EngineError::Storage(p) => Some(p.clone()),
            _ => None,
        }
    }
}

/// The engine's result type.
pub type Result<T> = std::result::Result<T, EngineError>;

/// A committed change, as published to subscribers.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Committed {
    /// The history entry.
    pub entry: HistoryEntry,
    /// The case after it.
    pub case: Case,
}

impl Committed {
    /// This change as `user` may see it: personal data masked unless the privacy rules
    /// ([`crate::domain::privacy`]) let `user` see it.
    pub fn for_user(self: &Arc<Self>, user: &User) -> Arc<Committed> {
        match crate::domain::privacy::may_see_requester(user, &self.case) {
            true => self.clone(),
            false => Arc::new(self.masked()),
        }
    }

    /// This change with its personal data masked.
    pub fn masked(&self) -> Committed {
        let mut c = self.clone();
        crate::domain::privacy::mask_case(&mut c.case);
        crate::domain::privacy::mask_entry(&mut c.entry);
        c
    }
}

/// One command waiting for a group commit ([`Engine::execute_many`]).
#[derive(Debug, Clone)]
pub struct Submitted {
    /// Who issues it.
    pub operator: User,
    /// The case.
    pub case: CaseId,
    /// The command.
    pub command: Command,
    /// The case version it was made against, if any.
    pub expected_version: Option<u64>,
}

/// What intake did with one case.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum IntakeOutcome {
    /// Stored under a new id.
    Created(CaseId),
    /// Its 12345 work-order number was already stored; nothing added.
    Duplicate(CaseId),
}

/// The engine over one store.
pub struct Engine {
    /// The open store; replaced whole by [`Engine::compact`] (readers keep the one they took).
    store: std::sync::RwLock<Arc<Store>>,
    /// The store's folder.
    path: std::path::PathBuf,
    /// Replaced whole by [`Engine::add_calendar`] (readers keep the one they took).
    config: std::sync::RwLock<Arc<Config>>,
    clock: Arc<dyn Clock>,
    events: broadcast::Sender<Arc<Committed>>,
    write: Mutex<()>,
    /// See [`Engine::publish_order`].
    publishing: Mutex<()>,
    /// Chasing steps are held back (while the demo is seeded with a clock that jumps back and
    /// forth between cases): see [`Engine::hold_chasing`].
    chasing_held: std::sync::atomic::AtomicBool,
}

/// Capacity of the event channel; a subscriber further behind than this must resynchronise.
pub const EVENT_BUFFER: usize = 4096;

impl Engine {
    /// Creates a new store at `path` with the given fixtures and opens it.
    pub fn init(path: &Path, sources: &FixtureSources, clock: Arc<dyn Clock>) -> Result<Engine> {
        Engine::init_with(path, sources, clock, StoreOptions::default())
    }

    /// Creates a new store at `path` with the given fixtures and store options, and opens it.
    pub fn init_with(
        path: &Path,
        sources: &FixtureSources,
        clock: Arc<dyn Clock>,
        options: StoreOptions,
    ) -> Result<Engine> {
        let config = Config::from_sources(sources)?;
        std::fs::create_dir_all(path).map_err(|e| StoreError::from_sled(e.into(), path))?;
        let store = Store::create(path, sources, options)?;
        Ok(Engine::with(store, config, clock))
    }

    /// Opens an existing store with the default options.
    pub fn open(path: &Path, clock: Arc<dyn Clock>) -> Result<Engine> {
        Engine::open_with(path, clock, StoreOptions::default())
    }

    /// Opens an existing store (migrating an older schema first).
    pub fn open_with(path: &Path, clock: Arc<dyn Clock>, options: StoreOptions) -> Result<Engine> {
        let store = Store::open(path, options)?;
        let config = Config::from_sources(&store.fixtures()?)?;
        let engine = Engine::with(store, config, clock);
        engine.finish_recompute()?;
        engine.finish_tallies()?;
        engine.advance()?;
        Ok(engine)
    }

    /// Opens a store for commands that only read: in place when it can be written, else a
    /// private copy (a read-only mount or a full disk, see [`crate::store::reading`]) on which
    /// every command is refused with the reason.
    pub fn open_reading(
        path: &Path,
        clock: Arc<dyn Clock>,
        options: StoreOptions,
    ) -> Result<Engine> {
        let store = Store::open_reading(path, options)?;
        let config = Config::from_sources(&store.fixtures()?)?;
        let copy = store.read_only().is_some();
        let engine = Engine::with(store, config, clock);
        // A copy shows the store as it is on disk: a recompute left pending waits for the store.
        if !copy {
            engine.finish_recompute()?;
            engine.finish_tallies()?;
            engine.advance()?;
        }
        Ok(engine)
    }

    /// Why commands are refused on this store (read through a copy), if they are.
    pub fn read_only(&self) -> Option<String> {
        self.read_only_problem().map(|p| p.to_string())
    }

    /// The same, as facts.
    pub fn read_only_problem(&self) -> Option<crate::store::problem::StorageProblem> {
        let store = self.store();
        store.read_only().map(|r| {
            crate::store::StoreError::ReadOnly {
                path: r.path.clone(),
                why: r.why.clone(),
            }
            .problem()
        })
    }

    fn with(store: Store, config: Config, clock: Arc<dyn Clock>) -> Engine {
        store.keep_tallies(Arc::new(config.org.clone()));
        Engine {
            path: store.path().to_path_buf(),
            store: std::sync::RwLock::new(Arc::new(store)),
            config: std::sync::RwLock::new(Arc::new(config)),
            clock,
            events: broadcast::channel(EVENT_BUFFER).0,
            write: Mutex::new(()),
            publishing: Mutex::new(()),
            chasing_held: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Replaces the store's logins with `users.toml` text (a shared server reads its users file on
    /// start). The text is checked against the organisation first; on error nothing changes and
    /// the message names the entry, field and reason.
    pub fn replace_users(&mut self, file: &str, text: &str) -> Result<()> {
        let users = crate::domain::users::Users::from_toml(file, text, &self.config().org)?;
        self.store().set_users(text)?;
        let mut config = (*self.config()).clone();
        config.users = users;
        self.set_config(config);
        Ok(())
    }

    /// The store's fixtures as text (what a client rebuilds the configuration from).
    pub fn sources(&self) -> Result<FixtureSources> {
        Ok(self.store().fixtures()?)
    }

    /// The store's configuration (organisation, users, rules, calendar, responsibility list).
    pub fn config(&self) -> Arc<Config> {
        self.config
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces the configuration (a new calendar, new logins).
    pub(crate) fn set_config(&self, config: Config) {
        *self.config.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(config);
    }

    /// The clock the engine runs on.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Where the store lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Receives every committed change from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Committed>> {
        self.events.subscribe()
    }

    /// A login, by name.
    pub fn user(&self, login: &str) -> Result<User> {
        self.config()
            .users
            .get(login)
            .cloned()
            .ok_or_else(|| EngineError::UnknownLogin(login.to_string()))
    }

    /// The store's administrator: acts with the trainer role (the embedded CLI without `--as`).
    pub fn administrator(&self) -> User {
        User {
            login: "admin".into(),
            name: "administrator".into(),
            role: Role::Trainer,
            unit: self
                .config()
                .org
                .city()
                .map(|u| u.id.clone())
                .unwrap_or_else(|| UnitId::new("city")),
            os_user: None,
        }
    }

    /// The store as it is now (a compaction swaps in a new one; this one stays readable).
    pub(crate) fn store(&self) -> Arc<Store> {
        self.store.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.write.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Taken while the write lock is still held and kept until the changes are published, so
    /// subscribers see changes in the order they were committed (a board never sees a case's
    /// intake after a later command on it).
    fn publish_order(&self) -> std::sync::MutexGuard<'_, ()> {
        self.publishing.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn publish(&self, committed: Vec<Committed>) {
        for c in committed {
            // No subscriber is fine: the change is already durable.
            let _ = self.events.send(Arc::new(c));
        }
    }

    /// Runs one lifecycle command as `operator`. When `expected_version` is given and the case has
    /// moved on, the command is refused with what changed. Returns the history entry once it is
    /// flushed to disk.
    pub fn execute(
        &self,
        operator: &User,
        case_id: &CaseId,
        command: &Command,
        expected_version: Option<u64>,
    ) -> Result<HistoryEntry> {
        let (mut committed, result, order) = {
            let _guard = self.lock();
            let chased = self.advance_locked(self.clock.now())?;
            let result = self.apply(operator, case_id, command, expected_version);
            (chased, result, self.publish_order())
        };
        // Chasing steps recorded first are kept (and published) even when the command is refused.
        let entry = match result {
            Ok(c) => {
                let entry = c[0].entry.clone();
                committed.extend(c);
                Ok(entry)
            }
            Err(e) => Err(e),
        };
        if !committed.is_empty() {
            self.store().flush()?;
        }
        self.publish(committed);
        drop(order);
        entry
    }

    /// Group commit: runs many commands one after another, each decided against the state the
    /// ones before it left, then flushes **once** for all of them and publishes them in order.
    /// Each result is that command's own; a refused command does not stop the others. When the
    /// flush fails, every command that was applied reports the failure.
    pub fn execute_many(&self, commands: &[Submitted]) -> Vec<Result<HistoryEntry>> {
        let (results, chased, order): (Vec<Result<Vec<Committed>>>, _, _) = {
            let _guard = self.lock();
            let chased = match self.advance_locked(self.clock.now()) {
                Ok(c) => c,
                Err(e) => {
                    let why = e.to_string();
                    return commands
                        .iter()
                        .map(|_| Err(EngineError::Remote(why.clone())))
                        .collect();
                }
            };
            let results = commands
                .iter()
                .map(|c| self.apply(&c.operator, &c.case, &c.command, c.expected_version))
                .collect();
            (results, chased, self.publish_order())
        };
        let flushed = match results.iter().any(|r| r.is_ok()) || !chased.is_empty() {
            true => self.store().flush().map(|_| ()).map_err(|e| e.to_string()),
            false => Ok(()),
        };
        let mut published = match &flushed {
            Ok(()) => chased,
            Err(_) => Vec::new(),
        };
        let out = results
            .into_iter()
            .map(|r| match (r, &flushed) {
                (Err(e), _) => Err(e),
                (Ok(_), Err(why)) => Err(StoreError::Flush(why.clone()).into()),
                (Ok(c), Ok(())) => {
                    let entry = c[0].entry.clone();
                    published.extend(c);
                    Ok(entry)
                }
            })
            .collect();
        self.publish(published);
        drop(order);
        out
    }

    /// Decides and writes one command (not flushed); the command's own change first, then the
    /// other case it changed (the open case of a merge). The caller holds the write lock.
    fn apply(
        &self,
        operator: &User,
        case_id: &CaseId,
        command: &Command,
        expected_version: Option<u64>,
    ) -> Result<Vec<Committed>> {
        let case = self
            .store()
            .case(case_id.as_str())?
            .ok_or_else(|| EngineError::UnknownCase(case_id.to_string()))?;
        if let Some(expected) = expected_version.filter(|v| *v != case.version) {
            let last = self.store().last_entry(case_id.as_str())?;
            let what = last.map_or_else(
                || "unknown change".to_string(),
                |e| {
                    format!(
                        "{} by {} at {}",
                        e.event.action(),
                        e.by,
                        crate::domain::calendar::cst_minutes(e.at)
                    )
                },
            );
            return Err(EngineError::Conflict {
                expected,
                found: case.version,
                what,
            });
        }
        let record = match crate::domain::lifecycle::judged_unit(&case, command) {
            Some(unit) => Some(self.store().unit_record(&unit)?),
            None => None,
        };
        let other = match crate::domain::lifecycle::other_case(command) {
            Some(id) => Some(
                self.store()
                    .case(id.as_str())?
                    .ok_or_else(|| EngineError::UnknownCase(id.to_string()))?,
            ),
            None => None,
        };
        let config = self.config();
        let cx = Context {
            now: self.clock.now(),
            operator,
            org: &config.org,
            rules: &config.rules,
            calendar: &config.calendar,
            matters: &config.responsibility,
            assessed_record: record.as_ref(),
            other: other.as_ref(),
        };
        let decision = decide(&case, command, &cx)?;
        let entry = HistoryEntry {
            case: case.id.clone(),
            seq: decision.case.version,
            at: cx.now,
            by: operator.login.clone(),
            event: decision.event,
        };
        let mut batch = Batch::default();
        batch.cases.push(CaseWrite {
            before: Some(&case),
            after: &decision.case,
            entry: Some(&entry),
        });
        if let Some((unit, record)) = &decision.unit_record {
            batch.units.push((unit, record));
        }
        let other_entry = decision.other.as_ref().map(|(c, event)| HistoryEntry {
            case: c.id.clone(),
            seq: c.version,
            at: cx.now,
            by: operator.login.clone(),
            event: event.clone(),
        });
        if let (Some((after, _)), Some(entry), Some(before)) =
            (&decision.other, &other_entry, &other)
        {
            batch.cases.push(CaseWrite {
                before: Some(before),
                after,
                entry: Some(entry),
            });
        }
        self.store().commit(&batch)?;
        let mut out = vec![Committed {
            entry,
            case: decision.case,
        }];
        if let (Some((case, _)), Some(entry)) = (decision.other, other_entry) {
            out.push(Committed { entry, case });
        }
        Ok(out)
    }
}
