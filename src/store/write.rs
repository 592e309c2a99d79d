//! Writes: every commit writes a case's state, its history entry, every index and the kept counts
//! in one atomic sled batch, so an index or a count never disagrees with the cases.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use super::codec::{encode, encode_state, CaseText};
use super::keys::{self, Kind};
use super::{Result, Store, StoreError};
use crate::domain::case::{Case, Stage, UnitRecord};
use crate::domain::deadlines::{ClockKind, Span, StageClock};
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
    /// The history entry (none for an upgrade that changes no fact of the case).
    pub entry: Option<&'a HistoryEntry>,
}

/// Everything one command (or one intake batch) writes, committed as one atomic batch.
#[derive(Default)]
pub struct Batch<'a> {
    /// Case changes.
    pub cases: Vec<CaseWrite<'a>>,
    /// Unit assessment records.
    pub units: Vec<(&'a UnitId, &'a UnitRecord)>,
    /// Per-day case counters: (key, last sequence).
    pub sequences: Vec<(Vec<u8>, u32)>,
    /// More history entries of the batch's cases, beside each write's own (a case imported
    /// with its whole history: [`crate::engine::import`]).
    pub history: Vec<&'a HistoryEntry>,
}

/// The `by_clock` value of one running clock: kind, province flag, span (tag and number),
/// provisional flag, then the holder's id and, for a supporting unit's part, `0 ‖ unit`, so lights
/// per unit are counted from the index alone.
pub(crate) fn clock_value(case: &Case, c: &StageClock) -> Vec<u8> {
    let (tag, n) = match c.span {
        Span::WorkingDays(d) => (0u8, d),
        Span::Hours(h) => (1u8, h),
    };
    let mut v = vec![c.kind.code(), u8::from(c.province), tag];
    v.extend_from_slice(&n.to_be_bytes());
    v.push(u8::from(c.provisional));
    v.extend_from_slice(case.holder.as_str().as_bytes());
    if c.kind == ClockKind::Part {
        v.push(keys::SEP);
        v.extend_from_slice(c.unit.as_ref().map_or("", |u| u.as_str()).as_bytes());
    }
    v
}

/// The `by_clock` entries (key, value) of a case as it stands: one per running clock.
pub(crate) fn clock_entries(case: &Case) -> Vec<(Vec<u8>, Vec<u8>)> {
    if case.stage.is_final() {
        return Vec::new();
    }
    case.stage_clocks
        .iter()
        .map(|c| {
            let part =
                (c.kind == ClockKind::Part).then(|| c.unit.as_ref().map_or("", |u| u.as_str()));
            let key = keys::by_clock(c.due_at, case.id.as_str(), c.kind.code(), part);
            (keys::of(Kind::Due, &key), clock_value(case, c))
        })
        .collect()
}

/// The index keys one state of a case has (everything but its own record and history).
pub(super) struct IndexKeys {
    pub(super) holder: Vec<u8>,
    pub(super) stage: Vec<u8>,
    pub(super) due: Vec<(Vec<u8>, Vec<u8>)>,
    pub(super) closed: Option<Vec<u8>>,
    pub(super) chase: Option<Vec<u8>>,
    pub(super) handled: Option<Vec<u8>>,
    pub(super) unsatisfied: Option<Vec<u8>>,
    pub(super) count: Vec<u8>,
}

impl IndexKeys {
    pub(super) fn of(case: &Case) -> IndexKeys {
        let id = case.id.as_str();
        IndexKeys {
            holder: keys::of(
                Kind::Holder,
                &keys::by_holder(case.holder.as_str(), case.stage.as_str(), id),
            ),
            stage: keys::of(Kind::Stage, &keys::by_stage(case.stage.as_str(), id)),
            due: clock_entries(case),
            closed: case.stage.is_final().then(|| {
                let at = case.closed_at.unwrap_or(case.received_at);
                keys::of(Kind::Closed, &keys::closed(at, id))
            }),
            chase: chase_key(case),
            handled: handled_key(case),
            unsatisfied: super::tally::unsatisfied_key(case),
            count: keys::count(case.holder.as_str(), case.stage.as_str()),
        }
    }
}

/// The `chase` index key of a case: when its next chasing step falls due (none when closed or
/// nothing is scheduled).
pub(crate) fn chase_key(case: &Case) -> Option<Vec<u8>> {
    let next = case.chase.next.filter(|_| !case.stage.is_final())?;
    Some(keys::of(
        Kind::Chase,
        &keys::by_due(next.at, case.id.as_str()),
    ))
}

/// The `matter` index keys of a case: one per matter key of [`crate::domain::repeat::matter_keys`]
/// (its phone, its address). They never change, so they are written once, with the new case.
pub(crate) fn matter_keys(case: &Case) -> Vec<Vec<u8>> {
    crate::domain::repeat::matter_keys(case)
        .into_iter()
        .map(|(kind, value)| {
            let key = keys::matter(kind as u8, &value, case.received_at, case.id.as_str());
            keys::of(Kind::Matter, &key)
        })
        .collect()
}

/// The `handled` index key of a closed case: the unit that handled its last round and when it
/// closed (none while open, or when no unit handled it).
pub(crate) fn handled_key(case: &Case) -> Option<Vec<u8>> {
    if case.stage != Stage::Closed {
        return None;
    }
    let unit = case.handled_by.as_ref()?;
    let at = case.closed_at.unwrap_or(case.received_at);
    Some(keys::of(
        Kind::Handled,
        &keys::handled(unit.as_str(), at, case.id.as_str()),
    ))
}

/// Locks a mutex, taking it over from a thread that panicked holding it.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Reads the kept counts (`N` keys) when the store opens.
pub(crate) fn load_counts(data: &sled::Tree) -> Result<BTreeMap<Vec<u8>, u64>> {
    let mut out = BTreeMap::new();
    for kv in data.scan_prefix([Kind::Count as u8]) {
        let (k, v) = kv?;
        let n = <[u8; 8]>::try_from(v.as_ref()).map_err(|_| StoreError::Corrupt {
            tree: "counts",
            reason: "a count is not 8 bytes".into(),
        })?;
        out.insert(k[1..].to_vec(), u64::from_be_bytes(n));
    }
    Ok(out)
}

impl Store {
    /// Writes a batch as one atomic sled batch on the `data` tree (state, history, indexes and
    /// counts together: after a crash all of it is there or none). Not yet durable: call
    /// [`Store::flush`] before acknowledging. The caller writes one batch at a time (the engine's
    /// write lock).
    pub fn commit(&self, batch: &Batch) -> Result<()> {
        self.check_writable()?;
        let mut counts = lock(&self.counts);
        let mut next: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
        let mut out = sled::Batch::default();
        let bump = |key: &[u8], delta: i64, next: &mut BTreeMap<Vec<u8>, u64>| {
            let now = next
                .get(key)
                .or_else(|| counts.get(key))
                .copied()
                .unwrap_or(0);
            next.insert(key.to_vec(), now.saturating_add_signed(delta));
        };
        for w in &batch.cases {
            let id = w.after.id.as_str().as_bytes();
            let after = IndexKeys::of(w.after);
            let before = w.before.map(IndexKeys::of);
            // Only what changed is written: a command that keeps the holder, stage and
            // deadline rewrites the state, the summary and its history entry, nothing more.
            let pairs = [
                (before.as_ref().map(|b| &b.holder), Some(&after.holder)),
                (before.as_ref().map(|b| &b.stage), Some(&after.stage)),
                (
                    before.as_ref().and_then(|b| b.closed.as_ref()),
                    after.closed.as_ref(),
                ),
                (
                    before.as_ref().and_then(|b| b.chase.as_ref()),
                    after.chase.as_ref(),
                ),
                (
                    before.as_ref().and_then(|b| b.handled.as_ref()),
                    after.handled.as_ref(),
                ),
                (
                    before.as_ref().and_then(|b| b.unsatisfied.as_ref()),
                    after.unsatisfied.as_ref(),
                ),
            ];
            for (old, new) in pairs {
                if old == new {
                    continue;
                }
                if let Some(k) = old {
                    out.remove(k.as_slice());
                }
                if let Some(k) = new {
                    out.insert(k.as_slice(), Vec::new());
                }
            }
            let old_clocks = before.as_ref().map_or(&[][..], |b| &b.due[..]);
            for (k, _) in old_clocks {
                if !after.due.iter().any(|(n, _)| n == k) {
                    out.remove(k.as_slice());
                }
            }
            for (k, v) in &after.due {
                if !old_clocks.contains(&(k.clone(), v.clone())) {
                    out.insert(k.as_slice(), v.as_slice());
                }
            }
            match &before {
                Some(b) if b.count == after.count => {}
                Some(b) => {
                    bump(&b.count, -1, &mut next);
                    bump(&after.count, 1, &mut next);
                }
                None => bump(&after.count, 1, &mut next),
            }
            if w.before.is_none() {
                if let Some(e) = &w.after.external_id {
                    out.insert(keys::of(Kind::External, e.as_bytes()), id);
                }
                for k in matter_keys(w.after) {
                    out.insert(k, Vec::new());
                }
            }
            out.insert(keys::of(Kind::State, id), encode_state(w.after));
            let text_changed = w.before.is_none_or(|b| !CaseText::of(b).same_as(w.after));
            if text_changed {
                out.insert(keys::of(Kind::Text, id), encode(&CaseText::of(w.after)));
            }
            if let Some(entry) = w.entry {
                let event = keys::history(w.after.id.as_str(), entry.seq);
                out.insert(keys::of(Kind::Event, &event), encode(entry));
            }
            match w.after.stage.is_final() {
                false => out.insert(keys::of(Kind::Open, id), encode(&CaseSummary::of(w.after))),
                true => out.remove(keys::of(Kind::Open, id)),
            }
        }
        for entry in &batch.history {
            let event = keys::history(entry.case.as_str(), entry.seq);
            out.insert(keys::of(Kind::Event, &event), encode(*entry));
        }
        self.tally_batch(&batch.cases, &mut out)?;
        for (key, n) in &next {
            match n {
                0 => out.remove(keys::of(Kind::Count, key)),
                n => out.insert(keys::of(Kind::Count, key), &n.to_be_bytes()),
            }
        }
        for (unit, record) in &batch.units {
            out.insert(
                keys::of(Kind::UnitRecord, unit.as_str().as_bytes()),
                encode(*record),
            );
        }
        for (key, seq) in &batch.sequences {
            out.insert(keys::of(Kind::Sequence, key), &seq.to_be_bytes());
        }
        let writes = self.writes.load(std::sync::atomic::Ordering::Acquire) + 1;
        out.insert(keys::of(Kind::Writes, &[]), &writes.to_be_bytes());
        // Fault injection: the batch reaches the store 300 ms after the caller goes on to
        // acknowledge it (the crash tests must catch an acknowledgement that comes too early).
        let mut pending = Some(out);
        fail::fail_point!("store-write-late", |_| {
            let (data, late) = (self.data.clone(), pending.take());
            std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(300));
                if let Some(out) = late {
                    let _ = data.apply_batch(out);
                }
            });
            Ok(())
        });
        let Some(out) = pending else {
            return Ok(());
        };
        if let Err(e) = self.data.apply_batch(out) {
            // sled may have applied part of it in memory: nothing more is written until reopen.
            let e = StoreError::from_sled(e, &self.dir);
            self.health.fail(&e.to_string());
            return Err(e);
        }
        self.writes
            .store(writes, std::sync::atomic::Ordering::Release);
        for (key, n) in next {
            match n {
                0 => counts.remove(&key),
                n => counts.insert(key, n),
            };
        }
        Ok(())
    }

    /// Counts every stored case per holder and stage by reading them all: what the kept counts
    /// must equal (for checks and tests; never on a hot path).
    pub fn recount(&self) -> Result<BTreeMap<(UnitId, Stage), u64>> {
        let mut out = BTreeMap::new();
        for kv in self.scan(Kind::State, &[]) {
            let case: Case = super::codec::decode("state", &kv?.1)?;
            *out.entry((case.holder, case.stage)).or_default() += 1;
        }
        Ok(out)
    }
}
