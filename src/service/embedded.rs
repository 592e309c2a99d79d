//! The engine in this process, as one operator's session.

use std::sync::Arc;

use super::{Feed, Service, Submission};
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
use crate::engine::{Engine, IntakeOutcome, Result, Submitted};

/// An engine opened by this process, acting as one operator.
pub struct Embedded {
    engine: Arc<Engine>,
    operator: User,
    /// Who opened the session (the identity `:as` is judged by).
    opened_as: User,
}

impl Embedded {
    /// A session on `engine` acting as `operator`.
    pub fn new(engine: Arc<Engine>, operator: User) -> Embedded {
        Embedded {
            engine,
            opened_as: operator.clone(),
            operator,
        }
    }

    /// The engine underneath.
    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }
}

impl Service for Embedded {
    fn operator(&self) -> &User {
        &self.operator
    }
    fn read_only(&self) -> Option<crate::store::problem::StorageProblem> {
        self.engine.read_only_problem()
    }
    fn advance(&self) -> Result<usize> {
        self.engine.advance()
    }
    fn act_as(&self, login: &str) -> Result<Arc<dyn Service>> {
        let operator = self.engine.config().users.take(&self.opened_as, login)?;
        Ok(Arc::new(Embedded {
            engine: self.engine.clone(),
            operator,
            opened_as: self.opened_as.clone(),
        }))
    }
    fn config(&self) -> Arc<Config> {
        self.engine.config()
    }
    fn reload_config(&self) -> Result<Arc<Config>> {
        Ok(self.engine.config())
    }
    fn add_calendar(
        &self,
        file: &str,
        text: &str,
    ) -> Result<crate::engine::calendar::CalendarAdded> {
        self.engine.add_calendar(&self.operator, file, text)
    }
    fn calendars(&self) -> Result<crate::engine::calendar::CalendarList> {
        self.engine.calendars()
    }
    fn clock(&self) -> &Arc<dyn Clock> {
        self.engine.clock()
    }
    fn subscribe(&self) -> Feed {
        Feed::local(self.engine.subscribe(), self.operator.clone())
    }
    fn execute(
        &self,
        case: &CaseId,
        command: &Command,
        expected_version: Option<u64>,
    ) -> Result<HistoryEntry> {
        self.engine
            .execute(&self.operator, case, command, expected_version)
    }
    fn execute_many(&self, commands: Vec<Submission>) -> Vec<Result<HistoryEntry>> {
        let submitted: Vec<Submitted> = commands
            .into_iter()
            .take(super::MAX_BATCH)
            .map(|s| Submitted {
                operator: self.operator.clone(),
                case: s.case,
                command: s.command,
                expected_version: s.expected_version,
            })
            .collect();
        self.engine.execute_many(&submitted)
    }
    fn compact(&self) -> Result<crate::store::compact::Compacted> {
        self.engine.compact(&self.operator)
    }
    fn backup(&self, dir: &std::path::Path) -> Result<crate::store::backup::BackupMade> {
        self.engine.backup(&self.operator, dir)
    }
    fn check(&self) -> Result<crate::store::CheckReport> {
        self.engine.check(&self.operator)
    }
    fn intake(&self, cases: Vec<NewCase>) -> Result<Vec<IntakeOutcome>> {
        self.engine.intake(&self.operator, cases)
    }
    fn list(&self, filter: &CaseFilter) -> Result<Vec<CaseRow>> {
        self.engine.list(filter)
    }
    fn show(&self, id: &str) -> Result<CaseView> {
        let mut view = self.engine.show(id)?;
        view.redact_for(&self.operator);
        Ok(view)
    }
    fn open_cases(&self, after: Option<&str>) -> Result<Vec<CaseSummary>> {
        self.engine
            .open_page(None, after, crate::protocol::CASES_PAGE)
    }
    fn find_finished(&self, text: &str, limit: usize) -> Result<Vec<CaseSummary>> {
        self.engine.find_finished(text, limit)
    }
    fn units(&self) -> Result<Vec<UnitView>> {
        self.engine.units()
    }
    fn unit_record(&self, unit: &UnitId) -> Result<UnitRecord> {
        self.engine.unit_record(unit)
    }
    fn available_commands(&self, case: &str) -> Result<Vec<&'static str>> {
        self.engine.available_commands(&self.operator, case)
    }
    fn refusal_for(&self, case: &str, word: &str) -> Result<Option<Refusal>> {
        self.engine.refusal_for(&self.operator, case, word)
    }
    fn dry_run(&self, case: &str, command: &Command) -> Result<Event> {
        Ok(self.engine.dry_run(&self.operator, case, command)?.event)
    }
    fn route_targets(&self, case: &str, joint: bool) -> Result<Vec<UnitId>> {
        self.engine.route_targets(case, joint)
    }
    fn suggest_routes(&self, case: &str, joint: bool, max: usize) -> Result<Vec<RouteSuggestion>> {
        self.engine.suggest_routes(case, joint, max)
    }
    fn extension_due(&self, case: &str, days: u32) -> Result<Deadline> {
        self.engine.extension_due(case, days)
    }
    fn lookback_sample(
        &self,
        month: &str,
        scope: Option<&UnitId>,
        seed: Option<u64>,
    ) -> Result<crate::engine::lookback::LookbackSample> {
        self.engine
            .lookback_sample(&self.operator, month, scope, seed)
    }
    fn report(
        &self,
        kind: crate::domain::period::PeriodKind,
        at: Option<chrono::NaiveDate>,
        scope: Option<&UnitId>,
    ) -> Result<crate::domain::report::Report> {
        self.engine.report(&self.operator, kind, at, scope)
    }
    fn warnings(&self) -> Result<Vec<crate::domain::warning::Warning>> {
        self.engine.warnings(&self.operator)
    }
}
