//! Reads: one case, its history, and the index ranges the engine's queries walk. Each costs what
//! it returns: nothing here scans every stored case except [`Store::cases_with_prefix`] asked
//! for every district.

use std::collections::BTreeMap;
use std::ops::Bound;

use chrono::{DateTime, Utc};

use super::codec::{decode, join};
use super::keys::{self, Kind};
use super::{Result, Store, StoreError};
use crate::domain::case::{Case, CaseId, Stage, UnitRecord};
use crate::domain::deadlines::{ClockKind, Span};
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

/// One running clock in the by-clock index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueEntry {
    /// The deadline.
    pub due: DateTime<Utc>,
    /// The case.
    pub case: CaseId,
    /// Which clock.
    pub kind: ClockKind,
    /// A 2115 clock.
    pub province: bool,
    /// How long it runs (the light's yardstick).
    pub span: Span,
    /// Computed across a year with no calendar.
    pub provisional: bool,
    /// The unit that holds the case.
    pub holder: UnitId,
    /// The supporting unit of a part clock.
    pub part_unit: Option<UnitId>,
}

impl DueEntry {
    fn decode(key: &[u8], v: &[u8]) -> Option<DueEntry> {
        let case = CaseId(keys::case_of_clock_key(key)?.to_string());
        let due = keys::time_of(key)?;
        let kind = ClockKind::from_code(*v.first()?)?;
        let province = *v.get(1)? == 1;
        let n = u32::from_be_bytes(<[u8; 4]>::try_from(v.get(3..7)?).ok()?);
        let span = match v.get(2)? {
            0 => Span::WorkingDays(n),
            _ => Span::Hours(n),
        };
        let provisional = *v.get(7)? == 1;
        let rest = v.get(8..)?;
        let (holder, part) = match rest.iter().position(|b| *b == keys::SEP) {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        let unit = |b: &[u8]| UnitId(String::from_utf8_lossy(b).into_owned());
        Some(DueEntry {
            due,
            case,
            kind,
            province,
            span,
            provisional,
            holder: unit(holder),
            part_unit: part.map(unit),
        })
    }
}

/// A key of some kind without its kind byte, and its value.
type Entry = (Vec<u8>, sled::IVec);

impl Store {
    pub(crate) fn get(&self, kind: Kind, key: &[u8]) -> Result<Option<sled::IVec>> {
        Ok(self.data.get(keys::of(kind, key))?)
    }

    /// Every entry of `kind` whose key starts with `prefix`, keys without the kind byte.
    pub(crate) fn scan(
        &self,
        kind: Kind,
        prefix: &[u8],
    ) -> impl DoubleEndedIterator<Item = Result<Entry>> + '_ {
        self.data
            .scan_prefix(keys::of(kind, prefix))
            .map(|kv| kv.map(|(k, v)| (k[1..].to_vec(), v)).map_err(Into::into))
    }

    /// Entries of `kind` with keys (without the kind byte) in `[from, to)`.
    pub(crate) fn range(
        &self,
        kind: Kind,
        from: Option<&[u8]>,
        to: Option<&[u8]>,
    ) -> impl DoubleEndedIterator<Item = Result<Entry>> + '_ {
        let lo = Bound::Included(keys::of(kind, from.unwrap_or(&[])));
        let hi = match to {
            Some(t) => Bound::Excluded(keys::of(kind, t)),
            None => Bound::Excluded(keys::after(kind)),
        };
        self.data
            .range::<Vec<u8>, _>((lo, hi))
            .map(|kv| kv.map(|(k, v)| (k[1..].to_vec(), v)).map_err(Into::into))
    }

    /// One case's current state.
    pub fn case(&self, id: &str) -> Result<Option<Case>> {
        let Some(state) = self.get(Kind::State, id.as_bytes())? else {
            return Ok(None);
        };
        let text = self
            .get(Kind::Text, id.as_bytes())?
            .ok_or_else(|| StoreError::Corrupt {
                tree: "text",
                reason: format!("no text for case {id}"),
            })?;
        Ok(Some(join(decode("state", &state)?, decode("text", &text)?)))
    }

    /// One case's state without its text (title, description, requester and address empty): one
    /// key read, for a step that needs the case's stage and dates only (linking a repeat).
    pub fn case_state(&self, id: &str) -> Result<Option<Case>> {
        match self.get(Kind::State, id.as_bytes())? {
            Some(state) => Ok(Some(decode("state", &state)?)),
            None => Ok(None),
        }
    }

    /// Whether a case with this id is stored (one key lookup, nothing decoded).
    pub fn has_case(&self, id: &str) -> Result<bool> {
        Ok(self.get(Kind::State, id.as_bytes())?.is_some())
    }

    /// A case's history, oldest first.
    pub fn history(&self, id: &str) -> Result<Vec<HistoryEntry>> {
        self.scan(Kind::Event, &keys::history_prefix(id))
            .map(|kv| decode("events", &kv?.1))
            .collect()
    }

    /// A case's last history entry.
    pub fn last_entry(&self, id: &str) -> Result<Option<HistoryEntry>> {
        self.scan(Kind::Event, &keys::history_prefix(id))
            .next_back()
            .transpose()?
            .map(|(_, v)| decode("events", &v))
            .transpose()
    }

    /// Every case whose id starts with `prefix` (a district code such as `LS-`), in id order.
    pub fn cases_with_prefix(&self, prefix: &str) -> impl Iterator<Item = Result<Case>> + '_ {
        self.scan(Kind::State, prefix.as_bytes()).map(move |kv| {
            let (k, _) = kv?;
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
            Some(a) if a.as_bytes() >= prefix.as_bytes() => {
                Bound::Excluded(keys::of(Kind::Open, a.as_bytes()))
            }
            _ => Bound::Included(keys::of(Kind::Open, prefix.as_bytes())),
        };
        let want = keys::of(Kind::Open, prefix.as_bytes());
        self.data
            .range::<Vec<u8>, _>((start, Bound::Unbounded))
            .take_while(|kv| match kv {
                Ok((k, _)) => k.starts_with(&want),
                Err(_) => true,
            })
            .take(limit)
            .map(|kv| decode("open", &kv?.1))
            .collect()
    }

    /// The ids of the cases a unit holds, optionally in one stage.
    pub fn ids_held_by(&self, holder: &str, stage: Option<&str>) -> Result<Vec<CaseId>> {
        self.scan(Kind::Holder, &keys::by_holder_prefix(holder, stage))
            .map(|kv| id_from("by_holder", keys::case_of_holder_key(&kv?.0)))
            .collect()
    }

    /// The ids of the cases in a stage, in id order.
    pub fn ids_in_stage(&self, stage: Stage) -> impl Iterator<Item = Result<CaseId>> + '_ {
        self.scan(Kind::Stage, &keys::by_stage_prefix(stage.as_str()))
            .map(|kv| id_from("by_stage", keys::case_of_stage_key(&kv?.0)))
    }

    /// Running clocks whose deadline falls in `[from, to)`, earliest first (`None`: open end).
    pub fn due_between(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> impl Iterator<Item = Result<DueEntry>> + '_ {
        let (from, to) = (from.map(keys::time), to.map(keys::time));
        self.range(
            Kind::Due,
            from.as_ref().map(|t| &t[..]),
            to.as_ref().map(|t| &t[..]),
        )
        .map(|kv| {
            let (k, v) = kv?;
            DueEntry::decode(&k, &v).ok_or_else(|| bad_key("by_clock"))
        })
    }

    /// Cases whose next chasing step falls due at or before `upto`, earliest first, at most
    /// `limit` ([`crate::domain::chasing`]): read from the chasing index, nothing else.
    pub fn chases_due(&self, upto: DateTime<Utc>, limit: usize) -> Result<Vec<CaseId>> {
        let to = keys::time(upto + chrono::Duration::milliseconds(1));
        self.range(Kind::Chase, None, Some(&to))
            .take(limit)
            .map(|kv| id_from("chasing", keys::case_of_due_key(&kv?.0)))
            .collect()
    }

    /// Cases stored under one matter key (a phone or an address, [`crate::domain::repeat`])
    /// received at or after `since`, newest first, at most `limit`, with their receipt times:
    /// one range read of the matter index.
    pub fn matter_cases(
        &self,
        kind: crate::domain::repeat::MatterKind,
        value: &str,
        since: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<(CaseId, DateTime<Utc>)>> {
        let prefix = keys::matter_prefix(kind as u8, value);
        let mut from = prefix.clone();
        from.extend_from_slice(&keys::time(since));
        let mut to = prefix;
        to.extend_from_slice(&[0xFF; 9]);
        self.range(Kind::Matter, Some(&from), Some(&to))
            .rev()
            .take(limit)
            .map(|kv| {
                let (k, _) = kv?;
                let (_, at, id) = keys::parts_of_matter_key(&k).ok_or_else(|| bad_key("matter"))?;
                Ok((CaseId(id.to_string()), at))
            })
            .collect()
    }

    /// Closed cases `unit` handled, closed in `[from, to)`, oldest first: one range read of the
    /// handled index, keys only.
    pub fn handled_between(
        &self,
        unit: &UnitId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CaseId>> {
        let prefix = keys::by_holder_prefix(unit.as_str(), None);
        let (mut lo, mut hi) = (prefix.clone(), prefix);
        lo.extend_from_slice(&keys::time(from));
        hi.extend_from_slice(&keys::time(to));
        self.range(Kind::Handled, Some(&lo), Some(&hi))
            .map(|kv| id_from("handled", keys::case_of_handled_key(&kv?.0)))
            .collect()
    }

    /// Finished cases closed in `[from, to)`, newest first.
    pub fn closed_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Iterator<Item = Result<CaseId>> + '_ {
        let (from, to) = (keys::time(from), keys::time(to));
        self.range(Kind::Closed, Some(&from), Some(&to))
            .rev()
            .map(|kv| id_from("closed", keys::case_of_due_key(&kv?.0)))
    }

    /// The kept counts: cases per holder and stage, open and finished.
    pub fn counts(&self) -> Result<BTreeMap<(UnitId, Stage), u64>> {
        let mut out = BTreeMap::new();
        for (k, n) in super::write::lock(&self.counts).iter() {
            let (holder, stage) = keys::parts_of_count_key(k).ok_or_else(|| bad_key("counts"))?;
            let stage: Stage = stage.parse().map_err(|_| bad_key("counts"))?;
            out.insert((UnitId(holder.to_string()), stage), *n);
        }
        Ok(out)
    }

    /// How many open cases the store holds (from the kept counts).
    pub fn open_count(&self) -> usize {
        self.counts()
            .map(|c| {
                c.iter()
                    .filter(|((_, s), _)| !s.is_final())
                    .map(|(_, n)| *n as usize)
                    .sum()
            })
            .unwrap_or(0)
    }

    /// The case already stored under a 12345 work-order number.
    pub fn case_by_external(&self, external: &str) -> Result<Option<CaseId>> {
        Ok(self
            .get(Kind::External, external.as_bytes())?
            .map(|v| CaseId(String::from_utf8_lossy(&v).into_owned())))
    }

    /// The last sequence used for a district and day.
    pub fn sequence(&self, key: &[u8]) -> Result<u32> {
        Ok(self
            .get(Kind::Sequence, key)?
            .and_then(|v| <[u8; 4]>::try_from(v.as_ref()).ok())
            .map(u32::from_be_bytes)
            .unwrap_or(0))
    }

    /// A unit's assessment record.
    pub fn unit_record(&self, unit: &UnitId) -> Result<UnitRecord> {
        self.get(Kind::UnitRecord, unit.as_str().as_bytes())?
            .map(|b| decode("unit_records", &b))
            .transpose()
            .map(Option::unwrap_or_default)
    }

    /// Every unit that has an assessment record.
    pub fn unit_records(&self) -> Result<Vec<(UnitId, UnitRecord)>> {
        self.scan(Kind::UnitRecord, &[])
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

/// The meta key of the last month the monthly look-back draw sampled.
const LOOKBACK_MONTH: &str = "lookback_month";

impl Store {
    /// The last month the monthly look-back draw sampled (`2026-10`), if any.
    pub fn lookback_month(&self) -> Result<Option<String>> {
        match self.meta.get(LOOKBACK_MONTH)? {
            Some(b) => decode("meta", &b).map(Some),
            None => Ok(None),
        }
    }

    /// Records the month the monthly draw sampled, flushed.
    pub fn set_lookback_month(&self, month: &str) -> Result<()> {
        self.check_writable()?;
        self.meta
            .insert(LOOKBACK_MONTH, super::codec::encode(&month.to_string()))?;
        self.flush()?;
        Ok(())
    }
}
