//! Look-back sampling (回头看): the engine's draw over the index of closed cases by handling
//! unit ([`crate::store::keys::handled`]), one range read per unit of the scope, and its writes.

use super::{Committed, Engine, EngineError, Result};
use crate::domain::case::CaseId;
use crate::domain::event::HistoryEntry;
use crate::domain::lifecycle::{mark_drawn, Refusal};
use crate::domain::lookback::{self, Month};
use crate::domain::org::UnitId;
use crate::domain::users::User;
use crate::store::{Batch, CaseWrite};

/// Cases written per transaction while drawing.
const CHUNK: usize = 1000;

/// What a draw did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LookbackSample {
    /// The month sampled (`2026-10`).
    pub month: String,
    /// The scope (a unit; every unit within it is sampled).
    pub scope: UnitId,
    /// The seed (the same seed draws the same cases).
    pub seed: u64,
    /// Per unit that closed cases that month: how many it closed and the cases drawn.
    pub units: Vec<UnitSample>,
    /// Cases of the draw already drawn for this month (by an earlier run): not drawn again.
    pub already: usize,
}

/// One unit's part of a draw.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UnitSample {
    /// The unit.
    pub unit: UnitId,
    /// Cases it closed that month.
    pub closed: usize,
    /// The cases drawn.
    pub drawn: Vec<CaseId>,
}

impl Engine {
    /// The monthly draw (a time-driven step): when the month before now has not been drawn for
    /// the city, draws it, by [`crate::domain::chasing::SYSTEM`], and records it as drawn. Cheap
    /// when it has been: one read of the store's meta. Returns the draw when it made one.
    pub fn draw_monthly(&self) -> Result<Option<LookbackSample>> {
        let month = Month::before(self.clock.now());
        let store = self.store();
        if store.read_only().is_some() {
            return Ok(None);
        }
        if store
            .lookback_month()?
            .is_some_and(|m| m >= month.to_string())
        {
            return Ok(None);
        }
        let config = self.config();
        let Some(city) = config.org.city().map(|u| u.id.clone()) else {
            return Ok(None);
        };
        let system = User {
            login: crate::domain::chasing::SYSTEM.into(),
            name: crate::domain::chasing::SYSTEM.into(),
            role: crate::domain::users::Role::Trainer,
            unit: city.clone(),
            os_user: None,
        };
        let sample = self.lookback_sample(&system, &month.to_string(), Some(&city), None)?;
        self.store().set_lookback_month(&month.to_string())?;
        Ok(Some(sample))
    }

    /// Draws `month`'s look-back sample of every unit within `scope` (default: the operator's
    /// unit), seeded by `seed` (default: [`lookback::default_seed`]), marks each drawn case, and
    /// flushes before it answers. Drawing again draws the same cases and writes nothing new.
    pub fn lookback_sample(
        &self,
        operator: &User,
        month: &str,
        scope: Option<&UnitId>,
        seed: Option<u64>,
    ) -> Result<LookbackSample> {
        let month = Month::parse(month).map_err(|reason| Refusal::Invalid {
            field: "month".into(),
            reason,
        })?;
        let config = self.config();
        let org = &config.org;
        let scope = scope.cloned().unwrap_or_else(|| operator.unit.clone());
        if org.get(&scope).is_none() {
            return Err(Refusal::Invalid {
                field: "scope".into(),
                reason: format!("unknown unit {scope}"),
            }
            .into());
        }
        if !crate::domain::permissions::may_sample(operator, &scope, org) {
            return Err(Refusal::Permission(format!(
                "{} may not draw a look-back of {scope}",
                operator.login
            ))
            .into());
        }
        let seed = seed.unwrap_or_else(|| lookback::default_seed(month));
        let (from, to) = month.span();
        let now = self.clock.now();
        let (sample, committed, order) = {
            let _guard = self.lock();
            let store = self.store();
            let mut out = LookbackSample {
                month: month.to_string(),
                scope: scope.clone(),
                seed,
                units: Vec::new(),
                already: 0,
            };
            let mut writes = Vec::new();
            for unit in org.units().iter().filter(|u| org.is_within(&u.id, &scope)) {
                let closed = store.handled_between(&unit.id, from, to)?;
                if closed.is_empty() {
                    continue;
                }
                let drawn = lookback::draw(&closed, seed, &config.rules.lookback);
                for id in &drawn {
                    let case = store
                        .case(id.as_str())?
                        .ok_or_else(|| EngineError::UnknownCase(id.to_string()))?;
                    match mark_drawn(&case, month, seed, operator, now) {
                        Ok((after, event)) => writes.push((case, after, event)),
                        // The domain refuses a case drawn for this month already, or drawn for
                        // an earlier month and not yet re-visited: it is left as it is.
                        Err(_) => out.already += 1,
                    }
                }
                out.units.push(UnitSample {
                    unit: unit.id.clone(),
                    closed: closed.len(),
                    drawn,
                });
            }
            let mut committed = Vec::with_capacity(writes.len());
            for chunk in writes.chunks(CHUNK) {
                let entries: Vec<HistoryEntry> = chunk
                    .iter()
                    .map(|(_, after, event)| HistoryEntry {
                        case: after.id.clone(),
                        seq: after.version,
                        at: now,
                        by: operator.login.clone(),
                        event: event.clone(),
                    })
                    .collect();
                let mut batch = Batch::default();
                for ((before, after, _), entry) in chunk.iter().zip(&entries) {
                    batch.cases.push(CaseWrite {
                        before: Some(before),
                        after,
                        entry: Some(entry),
                    });
                }
                store.commit(&batch)?;
                for ((_, after, _), entry) in chunk.iter().zip(entries) {
                    committed.push(Committed {
                        entry,
                        case: after.clone(),
                    });
                }
            }
            (out, committed, self.publish_order())
        };
        if !committed.is_empty() {
            self.store().flush()?;
        }
        self.publish(committed);
        drop(order);
        Ok(sample)
    }
}
