//! The kept sums of the measures ([`crate::domain::metrics`]): per unit and day (`Y`), per unit,
//! day and kind of matter (`Z`), and the unsatisfied cases by day (`V`). [`Store::commit`] adds
//! each case's change (after − before) in the same batch as the case, so a report reads sums,
//! never cases, and the sums never disagree with the cases.
//!
//! | kind | key after the kind byte | value |
//! | --- | --- | --- |
//! | `Y` | unit ‖ 0 ‖ day | [`Counters`] over every kind |
//! | `Z` | unit ‖ 0 ‖ day ‖ kind | [`Counters`] of one kind of matter |
//! | `V` | day ‖ case id | — (taken cases rated unsatisfied in some round) |
//!
//! `day` is the date received (China time) as 4 big-endian bytes of its day number. Which units a
//! case counts for depends on the organisation, which the engine hands the store when it opens it
//! ([`Store::keep_tallies`]); a store built before the sums existed has them built once
//! ([`Store::rebuild_tallies`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};

use super::codec::{decode, encode};
use super::keys::{self, Kind, SEP};
use super::{Result, Store};
use crate::domain::case::Case;
use crate::domain::metrics::{self, Counters, TallyKey};
use crate::domain::org::{Org, UnitId};
use crate::domain::report::TallyReader;

/// The most sums a rebuild holds in memory before writing them (about 250 MB).
const REBUILD_HELD: usize = 1_000_000;

/// The version of the sums' layout; a store whose mark differs has them rebuilt on open.
pub const TALLY_VERSION: u32 = 1;
const TALLY_META: &str = "tallies";

/// A day as 4 ordered bytes.
pub fn day_bytes(day: NaiveDate) -> [u8; 4] {
    (day.num_days_from_ce() as u32).to_be_bytes()
}

fn day_of_bytes(b: &[u8]) -> Option<NaiveDate> {
    let n = u32::from_be_bytes(<[u8; 4]>::try_from(b.get(..4)?).ok()?);
    NaiveDate::from_num_days_from_ce_opt(n as i32)
}

fn unit_prefix(unit: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(unit.len() + 40);
    k.extend_from_slice(unit.as_bytes());
    k.push(SEP);
    k
}

/// The full key (kind byte included) of a kept sum.
pub fn tally_key(k: &TallyKey) -> Vec<u8> {
    let mut rest = unit_prefix(k.unit.as_str());
    rest.extend_from_slice(&day_bytes(k.day));
    match &k.kind {
        None => keys::of(Kind::Tally, &rest),
        Some(kind) => {
            rest.extend_from_slice(kind.as_bytes());
            keys::of(Kind::KindTally, &rest)
        }
    }
}

/// The `V` key of a case rated unsatisfied (none when it was not).
pub(crate) fn unsatisfied_key(case: &Case) -> Option<Vec<u8>> {
    if metrics::counters_of(case).unsatisfied == 0 {
        return None;
    }
    let mut rest = day_bytes(metrics::day_of(case)).to_vec();
    rest.extend_from_slice(case.id.as_str().as_bytes());
    Some(keys::of(Kind::Unsatisfied, &rest))
}

impl Store {
    /// Hands the store the organisation that decides which units a case counts for: from then
    /// on every commit keeps the sums.
    pub fn keep_tallies(&self, org: Arc<Org>) {
        *super::write::lock(&self.tally_org) = Some(org);
    }

    /// The organisation the sums are kept with, if the engine gave one.
    pub(crate) fn tally_org(&self) -> Option<Arc<Org>> {
        super::write::lock(&self.tally_org).clone()
    }

    /// Adds the changes of a batch's cases to `out`, reading each sum it changes once.
    pub(crate) fn tally_batch(
        &self,
        cases: &[super::CaseWrite],
        out: &mut sled::Batch,
    ) -> Result<()> {
        let Some(org) = self.tally_org() else {
            return Ok(());
        };
        let mut changes: BTreeMap<TallyKey, Counters> = BTreeMap::new();
        for w in cases {
            metrics::tally_changes(w.before, w.after, &org, &mut changes);
        }
        for (k, change) in changes {
            if change.is_zero() {
                continue;
            }
            let key = tally_key(&k);
            let mut sum: Counters = match self.data.get(&key)? {
                Some(v) => decode("tallies", &v)?,
                None => Counters::default(),
            };
            sum.add(&change);
            match sum.is_zero() {
                true => out.remove(key),
                false => out.insert(key, encode(&sum)),
            }
        }
        Ok(())
    }

    /// Whether the sums are built to this layout.
    pub fn tallies_current(&self) -> Result<bool> {
        Ok(match self.meta.get(TALLY_META)? {
            Some(b) => decode::<u32>("meta", &b)? == TALLY_VERSION,
            None => false,
        })
    }

    /// Marks the sums built (a new, empty store has them all).
    pub(crate) fn mark_tallies_current(&self) -> Result<()> {
        self.meta.insert(TALLY_META, encode(&TALLY_VERSION))?;
        Ok(())
    }

    /// Builds every sum from the cases, replacing what is there, then marks them built and
    /// flushes. Reads every case once (a store of a million cases: about a minute); run when the
    /// store opens and nothing else writes.
    pub fn rebuild_tallies(&self, org: &Org) -> Result<()> {
        self.check_writable()?;
        for kind in [Kind::Tally, Kind::KindTally, Kind::Unsatisfied] {
            let mut batch = sled::Batch::default();
            let mut n = 0;
            for kv in self.data.scan_prefix([kind as u8]) {
                batch.remove(kv?.0);
                n += 1;
                if n % 50_000 == 0 {
                    self.data.apply_batch(std::mem::take(&mut batch))?;
                }
            }
            self.data.apply_batch(batch)?;
        }
        // The sums are gathered in memory and written once (a city's year holds about half a
        // million); only past REBUILD_HELD keys are they merged with what was written before,
        // which reads each one back (random reads through a small cache: slow).
        let mut sums: BTreeMap<TallyKey, Counters> = BTreeMap::new();
        let mut batch = sled::Batch::default();
        let mut written = false;
        for kv in self.scan(Kind::State, &[]) {
            let case: Case = decode("state", &kv?.1)?;
            metrics::tally_changes(None, &case, org, &mut sums);
            if let Some(k) = unsatisfied_key(&case) {
                batch.insert(k, Vec::new());
            }
            if sums.len() >= REBUILD_HELD {
                self.merge_sums(std::mem::take(&mut sums), written)?;
                self.data.apply_batch(std::mem::take(&mut batch))?;
                written = true;
            }
        }
        self.merge_sums(sums, written)?;
        self.data.apply_batch(batch)?;
        self.mark_tallies_current()?;
        self.flush()?;
        Ok(())
    }

    /// Writes gathered sums, adding them to what is stored when `merge` (else the keys are new).
    fn merge_sums(&self, sums: BTreeMap<TallyKey, Counters>, merge: bool) -> Result<()> {
        let mut batch = sled::Batch::default();
        let mut n = 0;
        for (k, c) in sums {
            let key = tally_key(&k);
            let stored = match merge {
                true => self.data.get(&key)?,
                false => None,
            };
            let mut sum: Counters = match stored {
                Some(v) => decode("tallies", &v)?,
                None => Counters::default(),
            };
            n += 1;
            if n % 100_000 == 0 {
                self.data.apply_batch(std::mem::take(&mut batch))?;
            }
            sum.add(&c);
            if !sum.is_zero() {
                batch.insert(key, encode(&sum));
            }
        }
        self.data.apply_batch(batch)?;
        Ok(())
    }

    /// Every kept sum (for checks and tests: what [`Store::recount_tallies`] must equal).
    pub fn kept_tallies(&self) -> Result<BTreeMap<TallyKey, Counters>> {
        let mut out = BTreeMap::new();
        for kind in [Kind::Tally, Kind::KindTally] {
            for kv in self.scan(kind, &[]) {
                let (k, v) = kv?;
                let key = parse_tally_key(kind, &k).ok_or_else(|| super::StoreError::Corrupt {
                    tree: "tallies",
                    reason: "a sum's key does not parse".into(),
                })?;
                out.insert(key, decode("tallies", &v)?);
            }
        }
        Ok(out)
    }

    /// The sums recounted from every case (never on a hot path).
    pub fn recount_tallies(&self, org: &Org) -> Result<BTreeMap<TallyKey, Counters>> {
        let mut sums = BTreeMap::new();
        for kv in self.scan(Kind::State, &[]) {
            let case: Case = decode("state", &kv?.1)?;
            metrics::tally_changes(None, &case, org, &mut sums);
        }
        sums.retain(|_, c: &mut Counters| !c.is_zero());
        Ok(sums)
    }

    /// Adds to `report` every kept sum that differs from a recount of the cases (at most the
    /// report's limit are listed); nothing when the sums are not built yet.
    pub fn check_tallies(&self, org: &Org, report: &mut super::CheckReport) -> Result<()> {
        if !self.tallies_current()? {
            return Ok(());
        }
        let kept = self.kept_tallies()?;
        let recount = self.recount_tallies(org)?;
        let keys: std::collections::BTreeSet<&TallyKey> =
            kept.keys().chain(recount.keys()).collect();
        for k in keys {
            let (a, b) = (kept.get(k), recount.get(k));
            if a != b {
                report.problem(format!(
                    "measures' sum of {} on {}{} differs from the cases (taken: kept {}, the cases say {})",
                    k.unit,
                    k.day,
                    k.kind.as_deref().map_or(String::new(), |s| format!(" ({s})")),
                    a.map_or(0, |c| c.taken),
                    b.map_or(0, |c| c.taken),
                ));
            }
        }
        Ok(())
    }

    /// The ids of taken cases received on days `from..to` that were rated unsatisfied in some
    /// round, oldest first, at most `limit`.
    pub fn unsatisfied_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        limit: usize,
    ) -> Result<Vec<String>> {
        let (lo, hi) = (day_bytes(from), day_bytes(to));
        self.range(Kind::Unsatisfied, Some(&lo), Some(&hi))
            .take(limit)
            .map(|kv| Ok(String::from_utf8_lossy(&kv?.0[4..]).into_owned()))
            .collect()
    }

    fn tally_range(
        &self,
        kind: Kind,
        unit: &UnitId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> impl Iterator<Item = Result<(Vec<u8>, sled::IVec)>> + '_ {
        let mut lo = unit_prefix(unit.as_str());
        let mut hi = lo.clone();
        lo.extend_from_slice(&day_bytes(from));
        hi.extend_from_slice(&day_bytes(to));
        self.range(kind, Some(&lo), Some(&hi))
    }
}

fn parse_tally_key(kind: Kind, k: &[u8]) -> Option<TallyKey> {
    let sep = k.iter().position(|b| *b == SEP)?;
    let unit = UnitId(std::str::from_utf8(&k[..sep]).ok()?.to_string());
    let rest = &k[sep + 1..];
    let day = day_of_bytes(rest)?;
    let kind = match kind {
        Kind::KindTally => Some(std::str::from_utf8(&rest[4..]).ok()?.to_string()),
        _ => None,
    };
    Some(TallyKey { unit, day, kind })
}

impl TallyReader for Store {
    type Error = super::StoreError;

    fn daily(
        &self,
        unit: &UnitId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, Counters)>> {
        self.tally_range(Kind::Tally, unit, from, to)
            .map(|kv| {
                let (k, v) = kv?;
                let key = parse_tally_key(Kind::Tally, &k).ok_or(super::StoreError::Corrupt {
                    tree: "tallies",
                    reason: "a sum's key does not parse".into(),
                })?;
                Ok((key.day, decode("tallies", &v)?))
            })
            .collect()
    }

    fn daily_kinds(
        &self,
        unit: &UnitId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, String, Counters)>> {
        self.tally_range(Kind::KindTally, unit, from, to)
            .map(|kv| {
                let (k, v) = kv?;
                let key =
                    parse_tally_key(Kind::KindTally, &k).ok_or(super::StoreError::Corrupt {
                        tree: "tallies",
                        reason: "a sum's key does not parse".into(),
                    })?;
                Ok((
                    key.day,
                    key.kind.unwrap_or_default(),
                    decode("tallies", &v)?,
                ))
            })
            .collect()
    }
}
