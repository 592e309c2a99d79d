//! Writes: every commit writes a case's state, its history entry, every index and the kept counts
//! in one sled transaction, so an index or a count never disagrees with the cases.

use std::collections::BTreeMap;

use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};
use sled::Transactional;

use super::codec::{encode, encode_state, CaseText};
use super::{keys, Result, Store, StoreError};
use crate::domain::case::{Case, Stage, UnitRecord};
use crate::domain::event::HistoryEntry;
use crate::domain::org::UnitId;
use crate::domain::summary::CaseSummary;

/// One case's change in a commit: its state before (none for a new case) and after, and the
/// history entry that explains it.
pub struct CaseWrite<'a> {
    /// The state before.
    pub before: Option<&'a Case>,
    /// The state after.
    pub after: &'a Case,
    /// The history entry.
    pub entry: &'a HistoryEntry,
}

/// Everything one command (or one intake batch) writes, committed in one transaction.
#[derive(Default)]
pub struct Batch<'a> {
    /// Case changes.
    pub cases: Vec<CaseWrite<'a>>,
    /// Unit assessment records.
    pub units: Vec<(&'a UnitId, &'a UnitRecord)>,
    /// Per-day case counters: (key, last sequence).
    pub sequences: Vec<(Vec<u8>, u32)>,
}

/// True when a case in this state has a light, and so a place in the `by_due` index.
pub(crate) fn has_light(case: &Case) -> bool {
    matches!(case.stage, Stage::Assigned | Stage::Handling) && case.due_at.is_some()
}

/// The `by_due` value: the allowed working days (`u32::MAX` for none), then the holder's id, so
/// lights per unit are counted from the index alone.
pub(crate) fn due_value(case: &Case) -> Vec<u8> {
    let mut v = case.limit_days.unwrap_or(u32::MAX).to_be_bytes().to_vec();
    v.extend_from_slice(case.holder.as_str().as_bytes());
    v
}

/// The index keys one state of a case has (everything but its own record and history).
struct IndexKeys {
    holder: Vec<u8>,
    stage: Vec<u8>,
    due: Option<Vec<u8>>,
    closed: Option<Vec<u8>>,
    count: Vec<u8>,
}

impl IndexKeys {
    fn of(case: &Case) -> IndexKeys {
        let id = case.id.as_str();
        IndexKeys {
            holder: keys::by_holder(case.holder.as_str(), case.stage.as_str(), id),
            stage: keys::by_stage(case.stage.as_str(), id),
            due: has_light(case).then(|| keys::by_due(case.due_at.unwrap_or_default(), id)),
            closed: case
                .stage
                .is_final()
                .then(|| keys::closed(case.closed_at.unwrap_or(case.received_at), id)),
            count: keys::count(case.holder.as_str(), case.stage.as_str()),
        }
    }
}

type Abort = ConflictableTransactionError<()>;

fn add_count(counts: &TransactionalTree, key: &[u8], delta: i64) -> std::result::Result<(), Abort> {
    let now = counts
        .get(key)?
        .and_then(|v| <[u8; 8]>::try_from(v.as_ref()).ok())
        .map(u64::from_be_bytes)
        .unwrap_or(0);
    let next = now.saturating_add_signed(delta);
    if next == 0 {
        counts.remove(key)?;
    } else {
        counts.insert(key, &next.to_be_bytes())?;
    }
    Ok(())
}

impl Store {
    /// Writes a batch in one transaction (state, history, indexes and counts together). Not yet
    /// durable: call [`Store::flush`] before acknowledging.
    pub fn commit(&self, batch: &Batch) -> Result<()> {
        let t = &self.trees;
        // Counts change per (holder, stage); summed first so a batch touches each key once.
        let mut deltas: BTreeMap<Vec<u8>, i64> = BTreeMap::new();
        let mut prepared = Vec::with_capacity(batch.cases.len());
        for w in &batch.cases {
            let before = w.before.map(IndexKeys::of);
            let after = IndexKeys::of(w.after);
            if let Some(b) = &before {
                *deltas.entry(b.count.clone()).or_default() -= 1;
            }
            *deltas.entry(after.count.clone()).or_default() += 1;
            let text = match w.before {
                Some(b) if CaseText::of(b).same_as(w.after) => None,
                _ => Some(encode(&CaseText::of(w.after))),
            };
            let open = (!w.after.stage.is_final()).then(|| encode(&CaseSummary::of(w.after)));
            prepared.push((w, before, after, encode_state(w.after), text, open));
        }
        deltas.retain(|_, d| *d != 0);
        let trees = (
            &t.state,
            &t.text,
            &t.events,
            &t.open,
            &t.by_holder,
            &t.by_stage,
            &t.by_due,
            &t.closed,
            &t.by_external,
            &t.counts,
            &t.sequences,
            &t.unit_records,
        );
        let result: std::result::Result<(), TransactionError<()>> = trees.transaction(
            |(
                state,
                text,
                events,
                open,
                by_holder,
                by_stage,
                by_due,
                closed,
                ext,
                counts,
                seqs,
                units,
            )| {
                for (w, before, after, state_bytes, text_bytes, open_bytes) in &prepared {
                    let id = w.after.id.as_str().as_bytes();
                    if let Some(b) = before {
                        by_holder.remove(b.holder.as_slice())?;
                        by_stage.remove(b.stage.as_slice())?;
                        if let Some(k) = &b.due {
                            by_due.remove(k.as_slice())?;
                        }
                        if let Some(k) = &b.closed {
                            closed.remove(k.as_slice())?;
                        }
                    } else if let Some(e) = &w.after.external_id {
                        ext.insert(e.as_bytes(), id)?;
                    }
                    state.insert(id, state_bytes.as_slice())?;
                    if let Some(t) = text_bytes {
                        text.insert(id, t.as_slice())?;
                    }
                    events.insert(
                        keys::history(w.after.id.as_str(), w.entry.seq),
                        encode(w.entry),
                    )?;
                    by_holder.insert(after.holder.as_slice(), &[])?;
                    by_stage.insert(after.stage.as_slice(), &[])?;
                    if let Some(k) = &after.due {
                        by_due.insert(k.as_slice(), due_value(w.after))?;
                    }
                    if let Some(k) = &after.closed {
                        closed.insert(k.as_slice(), &[])?;
                    }
                    match open_bytes {
                        Some(s) => open.insert(id, s.as_slice())?,
                        None => open.remove(id)?,
                    };
                }
                for (key, delta) in &deltas {
                    add_count(counts, key, *delta)?;
                }
                for (unit, record) in &batch.units {
                    units.insert(unit.as_str().as_bytes(), encode(*record))?;
                }
                for (key, seq) in &batch.sequences {
                    seqs.insert(key.as_slice(), &seq.to_be_bytes())?;
                }
                Ok::<(), Abort>(())
            },
        );
        result.map_err(|e| match e {
            TransactionError::Storage(e) => StoreError::Sled(e),
            TransactionError::Abort(()) => StoreError::Corrupt {
                tree: "transaction",
                reason: "aborted".into(),
            },
        })
    }

    /// Counts every stored case per holder and stage by reading them all: what the kept counts
    /// must equal (for checks and tests; never on a hot path).
    pub fn recount(&self) -> Result<BTreeMap<(UnitId, Stage), u64>> {
        let mut out = BTreeMap::new();
        for kv in self.trees.state.iter() {
            let (_, v) = kv?;
            let case: Case = super::codec::decode("state", &v)?;
            *out.entry((case.holder, case.stage)).or_default() += 1;
        }
        Ok(out)
    }
}
