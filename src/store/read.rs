//! Reads: one case, its history, and the index ranges the engine's queries walk. Each costs what
//! it returns: nothing here scans every stored case.

use std::collections::BTreeMap;
use std::ops::Bound;

use chrono::{DateTime, Utc};

use super::codec::{decode, join};
use super::{keys, Result, Store, StoreError};
use crate::domain::case::{Case, CaseId, Stage, UnitRecord};
use crate::domain::event::HistoryEntry;
use crate::domain::org::UnitId;
use crate::domain::summary::CaseSummary;

fn bad_key(tree: &'static str) -> StoreError {
    StoreError::Corrupt {
        tree,
        reason: "bad key".into(),
    }
}

fn id_from(tree: &'static str, id: Option<&str>) -> Result<CaseId> {
    id.map(|s| CaseId(s.to_string()))
        .ok_or_else(|| bad_key(tree))
}

/// One deadline in the `by_due` index: a case that has a light.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueEntry {
    /// The deadline.
    pub due: DateTime<Utc>,
    /// The case.
    pub case: CaseId,
    /// Its allowed working days (the light's yardstick).
    pub limit_days: Option<u32>,
    /// The unit that holds it.
    pub holder: UnitId,
}

impl Store {
    /// One case's current state.
    pub fn case(&self, id: &str) -> Result<Option<Case>> {
        let Some(state) = self.trees.state.get(id.as_bytes())? else {
            return Ok(None);
        };
        let text = self
            .trees
            .text
            .get(id.as_bytes())?
            .ok_or_else(|| StoreError::Corrupt {
                tree: "text",
                reason: format!("no text for case {id}"),
            })?;
        Ok(Some(join(decode("state", &state)?, decode("text", &text)?)))
    }

    /// A case's history, oldest first.
    pub fn history(&self, id: &str) -> Result<Vec<HistoryEntry>> {
        self.trees
            .events
            .scan_prefix(keys::history_prefix(id))
            .values()
            .map(|v| decode("events", &v?))
            .collect()
    }

    /// A case's last history entry.
    pub fn last_entry(&self, id: &str) -> Result<Option<HistoryEntry>> {
        self.trees
            .events
            .scan_prefix(keys::history_prefix(id))
            .values()
            .next_back()
            .transpose()?
            .map(|v| decode("events", &v))
            .transpose()
    }

    /// Every case whose id starts with `prefix` (a district code such as `LS-`), in id order.
    pub fn cases_with_prefix(&self, prefix: &str) -> impl Iterator<Item = Result<Case>> + '_ {
        self.trees
            .state
            .scan_prefix(prefix.as_bytes())
            .keys()
            .map(move |k| {
                let k = k?;
                let id = std::str::from_utf8(&k).map_err(|_| bad_key("state"))?;
                self.case(id)?.ok_or_else(|| bad_key("state"))
            })
    }

    /// Up to `limit` open cases' summaries in id order, after the id `after`, whose ids start with
    /// `prefix` (empty: every district).
    pub fn open_after(
        &self,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<CaseSummary>> {
        let start = match after {
            Some(a) if a.as_bytes() >= prefix.as_bytes() => Bound::Excluded(a.as_bytes().to_vec()),
            _ => Bound::Included(prefix.as_bytes().to_vec()),
        };
        self.trees
            .open
            .range::<Vec<u8>, _>((start, Bound::Unbounded))
            .take_while(|kv| match kv {
                Ok((k, _)) => k.starts_with(prefix.as_bytes()),
                Err(_) => true,
            })
            .take(limit)
            .map(|kv| decode("open", &kv?.1))
            .collect()
    }

    /// How many open cases the store holds.
    pub fn open_count(&self) -> usize {
        self.trees.open.len()
    }

    /// The ids of the cases a unit holds, optionally in one stage.
    pub fn ids_held_by(&self, holder: &str, stage: Option<&str>) -> Result<Vec<CaseId>> {
        self.trees
            .by_holder
            .scan_prefix(keys::by_holder_prefix(holder, stage))
            .keys()
            .map(|k| id_from("by_holder", keys::case_of_holder_key(&k?)))
            .collect()
    }

    /// The ids of the cases in a stage, in id order.
    pub fn ids_in_stage(&self, stage: Stage) -> impl Iterator<Item = Result<CaseId>> + '_ {
        self.trees
            .by_stage
            .scan_prefix(keys::by_stage_prefix(stage.as_str()))
            .keys()
            .map(|k| id_from("by_stage", keys::case_of_stage_key(&k?)))
    }

    /// Cases with a light whose deadline falls in `[from, to)`, earliest first (`None`: open end).
    pub fn due_between(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> impl Iterator<Item = Result<DueEntry>> + '_ {
        let lo = from.map_or(Bound::Unbounded, |t| {
            Bound::Included(keys::time(t).to_vec())
        });
        let hi = to.map_or(Bound::Unbounded, |t| {
            Bound::Excluded(keys::time(t).to_vec())
        });
        self.trees.by_due.range::<Vec<u8>, _>((lo, hi)).map(|kv| {
            let (k, v) = kv?;
            let case = id_from("by_due", keys::case_of_due_key(&k))?;
            let millis = <[u8; 8]>::try_from(&k[..8]).map_err(|_| bad_key("by_due"))?;
            let millis = (u64::from_be_bytes(millis) ^ (1 << 63)) as i64;
            let due =
                DateTime::<Utc>::from_timestamp_millis(millis).ok_or_else(|| bad_key("by_due"))?;
            let limit_days = v
                .get(..4)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map(u32::from_be_bytes)
                .filter(|d| *d != u32::MAX);
            let holder = UnitId(String::from_utf8_lossy(v.get(4..).unwrap_or(&[])).into_owned());
            Ok(DueEntry {
                due,
                case,
                limit_days,
                holder,
            })
        })
    }

    /// Finished cases closed in `[from, to)`, newest first.
    pub fn closed_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Iterator<Item = Result<CaseId>> + '_ {
        self.trees
            .closed
            .range(keys::time(from).to_vec()..keys::time(to).to_vec())
            .keys()
            .rev()
            .map(|k| id_from("closed", keys::case_of_due_key(&k?)))
    }

    /// The kept counts: cases per holder and stage, open and finished.
    pub fn counts(&self) -> Result<BTreeMap<(UnitId, Stage), u64>> {
        let mut out = BTreeMap::new();
        for kv in self.trees.counts.iter() {
            let (k, v) = kv?;
            let (holder, stage) = keys::parts_of_count_key(&k).ok_or_else(|| bad_key("counts"))?;
            let stage: Stage = stage.parse().map_err(|_| bad_key("counts"))?;
            let n = <[u8; 8]>::try_from(v.as_ref()).map_err(|_| bad_key("counts"))?;
            out.insert((UnitId(holder.to_string()), stage), u64::from_be_bytes(n));
        }
        Ok(out)
    }

    /// The case already stored under a 12345 work-order number.
    pub fn case_by_external(&self, external: &str) -> Result<Option<CaseId>> {
        Ok(self
            .trees
            .by_external
            .get(external.as_bytes())?
            .map(|v| CaseId(String::from_utf8_lossy(&v).into_owned())))
    }

    /// The last sequence used for a district and day.
    pub fn sequence(&self, key: &[u8]) -> Result<u32> {
        Ok(self
            .trees
            .sequences
            .get(key)?
            .and_then(|v| <[u8; 4]>::try_from(v.as_ref()).ok())
            .map(u32::from_be_bytes)
            .unwrap_or(0))
    }

    /// A unit's assessment record.
    pub fn unit_record(&self, unit: &UnitId) -> Result<UnitRecord> {
        self.trees
            .unit_records
            .get(unit.as_str().as_bytes())?
            .map(|b| decode("unit_records", &b))
            .transpose()
            .map(Option::unwrap_or_default)
    }

    /// Every unit that has an assessment record.
    pub fn unit_records(&self) -> Result<Vec<(UnitId, UnitRecord)>> {
        self.trees
            .unit_records
            .iter()
            .map(|kv| {
                let (k, v) = kv?;
                Ok((
                    UnitId(String::from_utf8_lossy(&k).into_owned()),
                    decode("unit_records", &v)?,
                ))
            })
            .collect()
    }
}
