//! Writing cases walked through the lifecycle elsewhere: the demo's year of history
//! ([`crate::demo`]) is decided by [`crate::domain::lifecycle::decide`] in memory, step by step,
//! and written here in large batches, each case as it ended with every history entry it went
//! through. Indexes, kept counts and the measures' sums are functions of a case's state, so they
//! come out as if each command had been run one by one.

use std::collections::HashMap;

use super::{Engine, Result};
use crate::domain::calendar::cst_date;
use crate::domain::case::{Case, CaseId};
use crate::domain::event::HistoryEntry;
use crate::store::{keys, Batch, CaseWrite};

/// Cases written per batch.
const CHUNK: usize = 250;

/// One case as it went: its states in order, each with the history entry that made it (the
/// first is its intake). Its id is given when written.
pub type Walked = Vec<(Case, HistoryEntry)>;

impl Engine {
    /// Writes walked cases with ids of their own district and receipt date (after any taken),
    /// in batches, flushed once at the end; returns their ids. Nothing is published to
    /// subscribers (a store being prepared has none).
    pub fn import_walked(&self, walks: Vec<Walked>) -> Result<Vec<CaseId>> {
        let _guard = self.lock();
        let config = self.config();
        let store = self.store();
        let mut ids = Vec::with_capacity(walks.len());
        let mut sequences: HashMap<Vec<u8>, u32> = HashMap::new();
        let mut walks = walks;
        for chunk in walks.chunks_mut(CHUNK) {
            for walk in chunk.iter_mut() {
                let Some((first, _)) = walk.first() else {
                    continue;
                };
                let code = config
                    .org
                    .get(&first.district)
                    .and_then(|u| u.code.clone())
                    .unwrap_or_else(|| "XX".into());
                let date = cst_date(first.received_at);
                let id = self.next_id(&mut sequences, keys::sequence(&code, date), &code, date)?;
                for (case, entry) in walk.iter_mut() {
                    case.id = id.clone();
                    entry.case = id.clone();
                }
                ids.push(id);
            }
            let mut batch = Batch {
                sequences: sequences.iter().map(|(k, v)| (k.clone(), *v)).collect(),
                ..Batch::default()
            };
            // Each case is written as it ended, with every entry of its history: indexes, counts
            // and sums follow the last state alone, so the states between need not be written.
            for walk in chunk.iter() {
                let Some((last, last_entry)) = walk.last() else {
                    continue;
                };
                batch.cases.push(CaseWrite {
                    before: None,
                    after: last,
                    entry: Some(last_entry),
                });
                let earlier = walk.len() - 1;
                batch.history.extend(walk[..earlier].iter().map(|(_, e)| e));
            }
            store.commit(&batch)?;
        }
        store.flush()?;
        Ok(ids)
    }
}
