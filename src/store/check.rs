//! `jiban check`: reads every record of a store and says what is wrong — a record that does not
//! decode, a case without its text or history, an index entry missing or pointing at nothing, a
//! kept count that differs from a recount, a day sequence behind the ids it gave.
//!
//! It never stops at the first problem and never panics; it reads the whole store (minutes at a
//! city's scale), so it is for after a crash or a disk error, and before a restore.

use std::collections::{BTreeMap, HashSet};

use super::codec::{decode, join, CaseText};
use super::keys::{self, Kind};
use super::write::IndexKeys;
use super::{Result, Store};
use crate::domain::case::Case;
use crate::domain::event::HistoryEntry;

/// What a check found.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CheckReport {
    /// Records read.
    pub records: u64,
    /// Cases read.
    pub cases: u64,
    /// Every problem, one line each (at most [`MAX_PROBLEMS`]; `more` counts the rest).
    pub problems: Vec<String>,
    /// Problems past [`MAX_PROBLEMS`], counted but not listed.
    pub more: u64,
}

/// The most problems a report lists.
pub const MAX_PROBLEMS: usize = 200;

impl CheckReport {
    /// True when nothing is wrong.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    pub(crate) fn problem(&mut self, text: String) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(text);
        } else {
            self.more += 1;
        }
    }
}

fn id_text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

impl Store {
    /// Checks every record (see the module doc). Errors only when sled itself cannot be read.
    pub fn check(&self) -> Result<CheckReport> {
        let mut report = CheckReport::default();
        let mut recount: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
        let mut highest: BTreeMap<Vec<u8>, u32> = BTreeMap::new();
        let mut ids: HashSet<Vec<u8>> = HashSet::new();
        for kv in self.scan(Kind::State, &[]) {
            let (id, state) = kv?;
            report.cases += 1;
            let shown = id_text(&id);
            let case = match self.case_for_check(&id, &state) {
                Ok(c) => c,
                Err(why) => {
                    report.problem(format!("case {shown}: {why}"));
                    continue;
                }
            };
            ids.insert(id.clone());
            *recount
                .entry(keys::count(case.holder.as_str(), case.stage.as_str()))
                .or_default() += 1;
            self.check_history(&case, &mut report)?;
            self.check_indexes(&case, &mut report)?;
            if let Some((key, seq)) = sequence_of(&case) {
                let top = highest.entry(key).or_default();
                *top = (*top).max(seq);
            }
        }
        self.check_reverse(&ids, &mut report)?;
        let kept = super::write::lock(&self.counts).clone();
        for key in kept.keys().chain(recount.keys()).collect::<HashSet<_>>() {
            let (k, r) = (kept.get(key), recount.get(key));
            if k != r {
                report.problem(format!(
                    "count of {}: kept {} but {} cases",
                    id_text(key).replace('\0', "/"),
                    k.copied().unwrap_or(0),
                    r.copied().unwrap_or(0)
                ));
            }
        }
        for (key, seq) in highest {
            let stored = self.sequence(&key)?;
            if stored < seq {
                report.problem(format!(
                    "day sequence {}: stored {stored} but id number {seq} was given",
                    id_text(&key)
                ));
            }
        }
        report.records = self.data.len() as u64 + self.meta.len() as u64;
        Ok(report)
    }

    fn case_for_check(&self, id: &[u8], state: &[u8]) -> std::result::Result<Case, String> {
        let state = decode("state", state).map_err(|e| e.to_string())?;
        let text = self
            .get(Kind::Text, id)
            .map_err(|e| e.to_string())?
            .ok_or("its text (title, requester) is missing")?;
        let text: CaseText = decode("text", &text).map_err(|e| e.to_string())?;
        let case: Case = join(state, text);
        if case.id.as_str().as_bytes() != id {
            return Err(format!("its record names another id, {}", case.id));
        }
        Ok(case)
    }

    fn check_history(&self, case: &Case, report: &mut CheckReport) -> Result<()> {
        let mut last = None;
        for kv in self.scan(Kind::Event, &keys::history_prefix(case.id.as_str())) {
            let (key, value) = kv?;
            match decode::<HistoryEntry>("history", &value) {
                Ok(e) => last = Some(e.seq),
                Err(e) => {
                    report.problem(format!("case {}: history {}: {e}", case.id, id_text(&key)))
                }
            }
        }
        match last {
            None => report.problem(format!("case {}: no history", case.id)),
            Some(seq) if seq != case.version => report.problem(format!(
                "case {}: version {} but the last history entry is {seq}",
                case.id, case.version
            )),
            Some(_) => {}
        }
        Ok(())
    }

    fn check_indexes(&self, case: &Case, report: &mut CheckReport) -> Result<()> {
        let idx = IndexKeys::of(case);
        let id = case.id.as_str();
        let mut want: Vec<(&str, Vec<u8>)> = vec![("holder", idx.holder), ("stage", idx.stage)];
        if let Some(k) = idx.closed {
            want.push(("finished-by-date", k));
        }
        if let Some(k) = idx.chase {
            want.push(("chasing", k));
        }
        if let Some(k) = idx.handled {
            want.push(("handled-by-unit", k));
        }
        if let Some(k) = idx.unsatisfied {
            want.push(("unsatisfied", k));
        }
        if !case.stage.is_final() {
            want.push(("open", keys::of(Kind::Open, id.as_bytes())));
        }
        for k in super::write::matter_keys(case) {
            want.push(("repeat-complaint", k));
        }
        if let Some(ext) = &case.external_id {
            match self.case_by_external(ext)? {
                Some(owner) if owner == case.id => {}
                other => report.problem(format!(
                    "case {id}: work order {ext} is indexed to {other:?}"
                )),
            }
        }
        for (name, key) in want {
            if !self.data.contains_key(&key)? {
                report.problem(format!("case {id}: missing from the {name} index"));
            }
        }
        for (k, want) in idx.due {
            match self.data.get(&k)? {
                Some(v) if v.as_ref() == want.as_slice() => {}
                Some(_) => report.problem(format!("case {id}: its deadline index entry is stale")),
                None => report.problem(format!("case {id}: missing from the deadline index")),
            }
        }
        Ok(())
    }

    /// Every index entry must point at a stored case that still has it.
    fn check_reverse(&self, ids: &HashSet<Vec<u8>>, report: &mut CheckReport) -> Result<()> {
        type CaseOf = fn(&[u8]) -> Option<&str>;
        let kinds: [(Kind, &str, CaseOf); 9] = [
            (Kind::Open, "open", |k| std::str::from_utf8(k).ok()),
            (Kind::Holder, "holder", keys::case_of_holder_key),
            (Kind::Stage, "stage", keys::case_of_stage_key),
            (Kind::Due, "deadline", keys::case_of_clock_key),
            (Kind::Closed, "finished-by-date", keys::case_of_due_key),
            (Kind::Chase, "chasing", keys::case_of_due_key),
            (Kind::Handled, "handled-by-unit", keys::case_of_handled_key),
            (Kind::Unsatisfied, "unsatisfied", |k| {
                k.get(4..).and_then(|id| std::str::from_utf8(id).ok())
            }),
            (Kind::Matter, "repeat-complaint", |k| {
                keys::parts_of_matter_key(k).map(|(_, _, id)| id)
            }),
        ];
        for (kind, name, case_of) in kinds {
            for kv in self.scan(kind, &[]) {
                let (key, _) = kv?;
                let Some(id) = case_of(&key) else {
                    report.problem(format!("{name} index: an unreadable key"));
                    continue;
                };
                if !ids.contains(id.as_bytes()) {
                    report.problem(format!("{name} index: {id} is not a stored case"));
                    continue;
                }
                let Some(case) = self.case(id).ok().flatten() else {
                    continue;
                };
                let idx = IndexKeys::of(&case);
                let full = keys::of(kind, &key);
                let current = match kind {
                    Kind::Open => !case.stage.is_final(),
                    Kind::Holder => idx.holder == full,
                    Kind::Stage => idx.stage == full,
                    Kind::Due => idx.due.iter().any(|(k, _)| *k == full),
                    Kind::Chase => idx.chase.as_ref() == Some(&full),
                    Kind::Matter => super::write::matter_keys(&case).contains(&full),
                    Kind::Handled => idx.handled.as_ref() == Some(&full),
                    Kind::Unsatisfied => idx.unsatisfied.as_ref() == Some(&full),
                    _ => idx.closed.as_ref() == Some(&full),
                };
                if !current {
                    report.problem(format!("{name} index: a stale entry for {id}"));
                }
            }
        }
        for kv in self.scan(Kind::External, &[]) {
            let (key, value) = kv?;
            if !ids.contains(value.as_ref()) {
                report.problem(format!(
                    "work order {}: indexed to {}, which is not a stored case",
                    id_text(&key),
                    id_text(&value)
                ));
            }
        }
        Ok(())
    }
}

/// The day-sequence key and number an id was given (`LS-20261122-0007` → (`LS-20261122`, 7)).
fn sequence_of(case: &Case) -> Option<(Vec<u8>, u32)> {
    let (prefix, seq) = case.id.as_str().rsplit_once('-')?;
    Some((prefix.as_bytes().to_vec(), seq.parse().ok()?))
}
