//! Read-only questions to the lifecycle, for interfaces that show what a command would do before
//! it is done: which commands an operator may issue on a case now, why one may not, and a dry
//! run of a command against the case as stored. Nothing here writes.

use super::{Engine, EngineError, Result};
use crate::domain::case::{Case, UnitRecord};
use crate::domain::command::Command;
use crate::domain::lifecycle::{decide, route_targets, Context, Decision, Refusal};
use crate::domain::org::UnitId;
use crate::domain::permissions;
use crate::domain::users::User;

impl Engine {
    fn stored(&self, case_id: &str) -> Result<Case> {
        self.store
            .case(case_id)?
            .ok_or_else(|| EngineError::UnknownCase(case_id.to_string()))
    }

    fn record_for(&self, case: &Case) -> Result<Option<UnitRecord>> {
        match &case.assessed_unit {
            Some(unit) => Ok(Some(self.store.unit_record(unit)?)),
            None => Ok(None),
        }
    }

    fn context<'a>(&'a self, operator: &'a User, record: Option<&'a UnitRecord>) -> Context<'a> {
        Context {
            now: self.clock.now(),
            operator,
            org: &self.config.org,
            rules: &self.config.rules,
            calendar: &self.config.calendar,
            assessed_record: record,
        }
    }

    /// The command words `operator` may issue on the case now, in lifecycle order
    /// ([`permissions::available_commands`]).
    pub fn available_commands(&self, operator: &User, case_id: &str) -> Result<Vec<&'static str>> {
        let case = self.stored(case_id)?;
        let record = self.record_for(&case)?;
        Ok(permissions::available_commands(
            &case,
            &self.context(operator, record.as_ref()),
        ))
    }

    /// Why `operator` may not issue `word` on the case now, or `None` when they may.
    pub fn refusal_for(
        &self,
        operator: &User,
        case_id: &str,
        word: &str,
    ) -> Result<Option<Refusal>> {
        let case = self.stored(case_id)?;
        let record = self.record_for(&case)?;
        Ok(permissions::refusal_for(
            word,
            &case,
            &self.context(operator, record.as_ref()),
        ))
    }

    /// What `command` would do to the case now, decided exactly as [`Engine::execute`] would,
    /// without writing anything: the new state and its history event, or the refusal.
    pub fn dry_run(&self, operator: &User, case_id: &str, command: &Command) -> Result<Decision> {
        let case = self.stored(case_id)?;
        let record = self.record_for(&case)?;
        Ok(decide(
            &case,
            command,
            &self.context(operator, record.as_ref()),
        )?)
    }

    /// The units the case's platform may route it to now (`joint`: lead and supporting units).
    pub fn route_targets(&self, case_id: &str, joint: bool) -> Result<Vec<UnitId>> {
        let case = self.stored(case_id)?;
        Ok(route_targets(&case, &self.config.org, joint))
    }
}
