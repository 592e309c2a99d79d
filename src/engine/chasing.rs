//! Recording the time-driven chasing steps (催办 → 督办池, [`crate::domain::chasing`]) exactly once.
//!
//! Whichever process first sees a step due records it: the engine does so when it opens a store
//! it may write, before every command and intake batch (under the same write lock, so the
//! command sees the case as chased), and whenever [`Engine::advance`] is called (the server and
//! an embedded board call it on a timer). Each step reads the chasing index up to now and costs
//! what it returns; it is written with the time it fell due, by [`SYSTEM`].

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::{Committed, Engine, Result};
use crate::domain::case::{Case, UnitRecord};
use crate::domain::chasing::{self, SYSTEM};
use crate::domain::event::HistoryEntry;
use crate::domain::org::UnitId;
use crate::store::{Batch, CaseWrite};

/// Cases advanced per commit (each commit rewrites the records of the units it counts on once).
const CHUNK: usize = 2048;

impl Engine {
    /// Records every chasing step due by now, flushes, and publishes them. Returns how many
    /// steps were recorded (0 on a store read through a copy, where nothing is written).
    pub fn advance(&self) -> Result<usize> {
        let (committed, order) = {
            let _guard = self.lock();
            let committed = self.advance_locked(self.clock.now())?;
            (committed, self.publish_order())
        };
        let n = committed.len();
        if n > 0 {
            self.store().flush()?;
            self.publish(committed);
        }
        drop(order);
        // The month's look-back draw, once the month before it has ended.
        if !self.chasing_held.load(std::sync::atomic::Ordering::Relaxed) {
            self.draw_monthly()?;
        }
        Ok(n)
    }

    /// Holds chasing steps back (`true`) or lets them be recorded again (`false`). The demo
    /// seeder walks each case with a clock that goes back to the case's own times, so a step of
    /// one case would be recorded in the middle of another's walk; it holds them and calls
    /// [`Engine::advance`] at the end, when the clock is at now.
    pub fn hold_chasing(&self, held: bool) {
        self.chasing_held
            .store(held, std::sync::atomic::Ordering::Relaxed);
    }

    /// Writes the steps due by `now` (not flushed). The caller holds the write lock.
    pub(super) fn advance_locked(&self, now: DateTime<Utc>) -> Result<Vec<Committed>> {
        let store = self.store();
        if store.read_only().is_some()
            || self.chasing_held.load(std::sync::atomic::Ordering::Relaxed)
        {
            return Ok(Vec::new());
        }
        let config = self.config();
        let mut out = Vec::new();
        loop {
            let ids = store.chases_due(now, CHUNK)?;
            let mut records: BTreeMap<UnitId, UnitRecord> = BTreeMap::new();
            let mut steps: Vec<(Case, Case, HistoryEntry)> = Vec::new();
            // Only the records a step counted on are written back.
            let mut counted: std::collections::BTreeSet<UnitId> = Default::default();
            for id in ids {
                let Some(before) = store.case(id.as_str())? else {
                    continue;
                };
                for unit in chasing::units_counted(&before) {
                    if let std::collections::btree_map::Entry::Vacant(e) = records.entry(unit) {
                        let record = store.unit_record(e.key())?;
                        e.insert(record);
                    }
                }
                let mut after = before.clone();
                let Some(step) = chasing::advance(
                    &mut after,
                    &mut records,
                    now,
                    &config.rules,
                    &config.calendar,
                ) else {
                    continue;
                };
                counted.extend(chasing::units_counted(&before));
                let entry = HistoryEntry {
                    case: after.id.clone(),
                    seq: after.version,
                    at: step.at,
                    by: SYSTEM.to_string(),
                    event: step.event,
                };
                steps.push((before, after, entry));
            }
            if steps.is_empty() {
                return Ok(out);
            }
            let mut batch = Batch::default();
            for (before, after, entry) in &steps {
                batch.cases.push(CaseWrite {
                    before: Some(before),
                    after,
                    entry: Some(entry),
                });
            }
            for (unit, record) in records.iter().filter(|(u, _)| counted.contains(*u)) {
                batch.units.push((unit, record));
            }
            store.commit(&batch)?;
            out.extend(
                steps
                    .into_iter()
                    .map(|(_, case, entry)| Committed { entry, case }),
            );
        }
    }
}
