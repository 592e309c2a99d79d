//! Read-only questions to the lifecycle, for interfaces that show what a command would do before
//! it is done: which commands an operator may issue on a case now, why one may not, and a dry
//! run of a command against the case as stored. Nothing here writes.

use super::{Engine, EngineError, Result};
use crate::domain::calendar::Deadline;
use crate::domain::case::{Case, UnitRecord};
use crate::domain::command::Command;
use crate::domain::config::Config;
use crate::domain::lifecycle::{
    decide, extended_deadline, route_targets, Context, Decision, Refusal,
};
use crate::domain::org::UnitId;
use crate::domain::permissions;
use crate::domain::responsibility::RouteSuggestion;
use crate::domain::users::User;

impl Engine {
    fn stored(&self, case_id: &str) -> Result<Case> {
        self.store()
            .case(case_id)?
            .ok_or_else(|| EngineError::UnknownCase(case_id.to_string()))
    }

    fn record_for(&self, case: &Case) -> Result<Option<UnitRecord>> {
        match &case.assessed_unit {
            Some(unit) => Ok(Some(self.store().unit_record(unit)?)),
            None => Ok(None),
        }
    }

    fn context<'a>(
        &'a self,
        config: &'a Config,
        operator: &'a User,
        record: Option<&'a UnitRecord>,
    ) -> Context<'a> {
        Context {
            now: self.clock.now(),
            operator,
            org: &config.org,
            rules: &config.rules,
            calendar: &config.calendar,
            matters: &config.responsibility,
            assessed_record: record,
            other: None,
        }
    }

    /// The command words `operator` may issue on the case now, in lifecycle order
    /// ([`permissions::available_commands`]).
    pub fn available_commands(&self, operator: &User, case_id: &str) -> Result<Vec<&'static str>> {
        let case = self.stored(case_id)?;
        let record = self.record_for(&case)?;
        Ok(permissions::available_commands(
            &case,
            &self.context(&self.config(), operator, record.as_ref()),
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
            &self.context(&self.config(), operator, record.as_ref()),
        ))
    }

    /// What `command` would do to the case now, decided exactly as [`Engine::execute`] would,
    /// without writing anything: the new state and its history event, or the refusal.
    pub fn dry_run(&self, operator: &User, case_id: &str, command: &Command) -> Result<Decision> {
        let case = self.stored(case_id)?;
        let record = match crate::domain::lifecycle::judged_unit(&case, command) {
            Some(unit) => Some(self.store().unit_record(&unit)?),
            None => None,
        };
        // The other case a command names (a link's, a merge's), read as the command would.
        let other = match crate::domain::lifecycle::other_case(command) {
            Some(id) => Some(self.stored(id.as_str())?),
            None => None,
        };
        let config = self.config();
        let cx = Context {
            other: other.as_ref(),
            ..self.context(&config, operator, record.as_ref())
        };
        Ok(decide(&case, command, &cx)?)
    }

    /// The units the case's platform may route it to now (`joint`: lead and supporting units).
    pub fn route_targets(&self, case_id: &str, joint: bool) -> Result<Vec<UnitId>> {
        let case = self.stored(case_id)?;
        Ok(route_targets(&case, &self.config().org, joint))
    }

    /// Up to `max` units to route the case to, each with the keyword or rule that suggested it
    /// (the responsibility list, the requester's community and its street), keeping only those
    /// the routing rules allow now (`joint`: as lead or supporting unit).
    pub fn suggest_routes(
        &self,
        case_id: &str,
        joint: bool,
        max: usize,
    ) -> Result<Vec<RouteSuggestion>> {
        let case = self.stored(case_id)?;
        let targets = route_targets(&case, &self.config().org, joint);
        let mut out: Vec<RouteSuggestion> = Vec::new();
        for s in
            self.config()
                .responsibility
                .route_suggestions(&self.config().org, &case.holder, &case)
        {
            if targets.contains(&s.unit) && out.iter().all(|o| o.unit != s.unit) {
                out.push(s);
            }
        }
        out.truncate(max);
        Ok(out)
    }

    /// The deadline the case would get if an extension of `days` working days were approved
    /// now.
    pub fn extension_due(&self, case_id: &str, days: u32) -> Result<Deadline> {
        crate::domain::lifecycle::check_extension_days(days, &self.config().rules)?;
        let case = self.stored(case_id)?;
        Ok(extended_deadline(
            &case,
            days,
            self.clock.now(),
            &self.config().calendar,
        ))
    }
}
