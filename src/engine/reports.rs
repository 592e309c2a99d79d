//! Reports and early warning over the kept sums ([`crate::store::tally`]): what a report reads
//! is a few hundred sums per unit and period, never the cases (the unsatisfied cases are listed
//! from their own index).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{Engine, Result};
use crate::domain::calendar::cst_date;
use crate::domain::lifecycle::Refusal;
use crate::domain::metrics::{self, Counters, TallyKey};
use crate::domain::org::UnitId;
use crate::domain::period::{Period, PeriodKind};
use crate::domain::permissions::{self, WarningScope};
use crate::domain::report::{self, Report, UnsatisfiedCase};
use crate::domain::users::User;
use crate::domain::warning::{self, Warning};

/// The most unsatisfied cases a report lists (the count is in its measures).
pub const UNSATISFIED_LISTED: usize = 200;
/// The most index entries read to find them (a city's month holds fewer).
const UNSATISFIED_READ: usize = 20_000;

impl Engine {
    /// Builds the measures' sums once when the store has none of this layout (a store made
    /// before them, or by an older build): reads every case. Called on open.
    pub(super) fn finish_tallies(&self) -> Result<()> {
        let store = self.store();
        if store.read_only().is_some() || store.tallies_current()? {
            return Ok(());
        }
        let _guard = self.lock();
        let started = std::time::Instant::now();
        store.rebuild_tallies(&self.config().org)?;
        tracing::info!(
            millis = started.elapsed().as_millis() as u64,
            "built the measures' sums"
        );
        Ok(())
    }

    /// The report of `scope` (the city when none) for the period of `kind` holding `at` (today
    /// when none), as `operator` may read it.
    pub fn report(
        &self,
        operator: &User,
        kind: PeriodKind,
        at: Option<NaiveDate>,
        scope: Option<&UnitId>,
    ) -> Result<Report> {
        let config = self.config();
        let org = &config.org;
        let scope = match scope {
            Some(s) => s.clone(),
            None => default_scope(operator, org),
        };
        if org.get(&scope).is_none() {
            return Err(Refusal::Invalid {
                field: "scope".into(),
                reason: format!("no unit {scope} in the organisation"),
            }
            .into());
        }
        if !permissions::may_report(operator, &scope, org) {
            return Err(Refusal::Permission(format!(
                "{} may not read the reports of {scope}",
                operator.login
            ))
            .into());
        }
        let today = cst_date(self.clock.now());
        let period = Period::containing(kind, at.unwrap_or(today));
        let store = self.store();
        let mut out = report::build(
            &*store,
            org,
            &config.responsibility,
            &config.calendar,
            &scope,
            period,
            today,
        )?;
        let ids = store.unsatisfied_between(period.start, period.end, UNSATISFIED_READ)?;
        for id in ids {
            if out.unsatisfied.len() >= UNSATISFIED_LISTED {
                break;
            }
            let Some(case) = store.case_state(&id)? else {
                continue;
            };
            let units = metrics::counted_units(&case, org);
            if !units.contains(&scope) {
                continue;
            }
            let kind = metrics::kind_of(&case).to_string();
            let (kind_name, kind_name_en) = report::kind_names(&config.responsibility, &kind);
            out.unsatisfied.push(UnsatisfiedCase {
                id: case.id.clone(),
                received_at: case.received_at,
                kind,
                kind_name,
                kind_name_en,
                unit: report::Named::of(org, metrics::answering_unit(&case)),
                stage: case.stage.as_str().to_string(),
            });
        }
        Ok(out)
    }

    /// Today's early warnings (监测预警) that `operator` sees: every area for city staff and
    /// the trainer, a district's own for its staff; refused for unit handlers.
    pub fn warnings(&self, operator: &User) -> Result<Vec<Warning>> {
        let config = self.config();
        let org = &config.org;
        let limit = match permissions::warnings_scope(operator, org) {
            WarningScope::None => {
                return Err(Refusal::Permission(format!(
                    "{} may not read early warnings (platform and supervisor roles may)",
                    operator.login
                ))
                .into())
            }
            WarningScope::All => None,
            WarningScope::Within(unit) => Some(unit),
        };
        let today = cst_date(self.clock.now());
        let store = self.store();
        let mut all = warning::scan(
            &*store,
            org,
            &config.responsibility,
            &config.rules.warning,
            today,
        )?;
        if let Some(unit) = limit {
            all.retain(|w| org.is_within(&w.area.id, &unit));
        }
        Ok(all)
    }
}

impl Engine {
    /// The measures' sums as kept ([`crate::store::tally`]).
    pub fn kept_tallies(&self) -> Result<BTreeMap<TallyKey, Counters>> {
        Ok(self.store().kept_tallies()?)
    }

    /// The same sums recounted from every case (what the kept sums must equal; for checks).
    pub fn recount_tallies(&self) -> Result<BTreeMap<TallyKey, Counters>> {
        Ok(self.store().recount_tallies(&self.config().org)?)
    }
}

/// The scope a report defaults to: the operator's own unit (the city for the trainer).
fn default_scope(operator: &User, org: &crate::domain::org::Org) -> UnitId {
    match operator.role {
        crate::domain::users::Role::Trainer => org
            .city()
            .map(|u| u.id.clone())
            .unwrap_or_else(|| operator.unit.clone()),
        _ => operator.unit.clone(),
    }
}
