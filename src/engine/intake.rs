//! Intake: new cases into triage at their district platforms, a batch per transaction and flush.
//! Work-order numbers are checked through the `by_external` index and, within a batch, a hash set.

use std::collections::HashMap;

use super::{Committed, Engine, IntakeOutcome, Result};
use crate::domain::calendar::cst_date;
use crate::domain::case::{Case, CaseId, CaseMark, UnitRecord};
use crate::domain::event::{Event, HistoryEntry};
use crate::domain::intake::NewCase;
use crate::domain::lifecycle::Refusal;
use crate::domain::org::UnitId;
use crate::domain::repeat::{self, Earlier, MatterKind};
use crate::domain::users::User;
use crate::store::{keys, Batch, CaseWrite};

/// The most cases one intake call commits in one transaction; a longer list is committed (and
/// flushed) in several, in order. Callers that stream a file send batches of this size.
pub const INTAKE_BATCH: usize = 1000;

impl Engine {
    /// Stores new cases in triage at their district platforms, one transaction and one flush per
    /// [`INTAKE_BATCH`] cases. A case whose 12345 work-order number is already stored is not
    /// added again. Every permission is checked before anything is written.
    pub fn intake(&self, operator: &User, cases: Vec<NewCase>) -> Result<Vec<IntakeOutcome>> {
        let latest = self.clock.now() + chrono::Duration::days(1);
        for (i, c) in cases.iter().enumerate() {
            // The domain's checks run here too: a raw frame on the socket is not an intake line.
            let invalid = |field: &str, reason: String| -> super::EngineError {
                Refusal::Invalid {
                    field: format!("case {}: {field}", i + 1).into(),
                    reason,
                }
                .into()
            };
            c.check(&self.config().org)
                .map_err(|(field, reason)| invalid(field, reason))?;
            if c.received_at.is_some_and(|t| t > latest) {
                return Err(invalid("received_at", "is in the future".into()));
            }
            if !crate::domain::permissions::may_intake(operator, &c.district) {
                return Err(Refusal::Permission(format!(
                    "{} may not take in cases for {}",
                    operator.login, c.district
                ))
                .into());
            }
        }
        let mut outcomes = Vec::with_capacity(cases.len());
        let mut rest = cases.into_iter().peekable();
        while rest.peek().is_some() {
            let batch: Vec<NewCase> = rest.by_ref().take(INTAKE_BATCH).collect();
            outcomes.extend(self.intake_batch(operator, batch)?);
        }
        Ok(outcomes)
    }

    /// The next free id for a district and day. The stored sequence says where to start; an id
    /// that is somehow taken already (a sequence lost to a damaged store) is skipped, never
    /// reused, so intake can never overwrite a case.
    pub(super) fn next_id(
        &self,
        sequences: &mut HashMap<Vec<u8>, u32>,
        key: Vec<u8>,
        code: &str,
        date: chrono::NaiveDate,
    ) -> Result<CaseId> {
        let store = self.store();
        let mut seq = match sequences.get(&key) {
            Some(s) => *s,
            None => store.sequence(&key)?,
        };
        loop {
            seq = seq.checked_add(1).ok_or_else(|| {
                Refusal::Rule(format!("no case number left for {code} on {date}"))
            })?;
            let id = CaseId::compose(code, date, seq);
            if !store.has_case(id.as_str())? {
                sequences.insert(key, seq);
                return Ok(id);
            }
            tracing::warn!(case = %id, "an id past the stored sequence is taken; skipping it");
        }
    }

    /// The cases found under a new case's matter keys (its phone, its address) received within
    /// the repeat window: stored ones through the matter index, and the batch's own before it.
    fn earlier_cases(
        &self,
        case: &Case,
        batch: &[(Case, HistoryEntry)],
        in_batch: &HashMap<(MatterKind, String), Vec<usize>>,
    ) -> Result<Vec<Earlier>> {
        let config = self.config();
        let since = repeat::window_start(case, &config.rules.repeat);
        let store = self.store();
        let mut out = Vec::new();
        for (kind, value) in repeat::matter_keys(case) {
            let earlier = |c: &Case| Earlier::of(c, kind);
            for (id, _) in store.matter_cases(kind, &value, since, repeat::MAX_LINKS)? {
                if let Some(c) = store.case_state(id.as_str())? {
                    out.push(earlier(&c));
                }
            }
            let found = in_batch.get(&(kind, value.clone())).map_or(&[][..], |v| v);
            for i in found.iter().rev().take(repeat::MAX_LINKS) {
                if let Some((c, _)) = batch.get(*i) {
                    out.push(earlier(c));
                }
            }
        }
        Ok(out)
    }

    fn intake_batch(&self, operator: &User, cases: Vec<NewCase>) -> Result<Vec<IntakeOutcome>> {
        let now = self.clock.now();
        let (outcomes, committed, order) = {
            let _guard = self.lock();
            let mut outcomes = Vec::with_capacity(cases.len());
            let mut new_cases: Vec<(Case, HistoryEntry)> = Vec::with_capacity(cases.len());
            let mut in_batch: HashMap<String, CaseId> = HashMap::new();
            let mut sequences: HashMap<Vec<u8>, u32> = HashMap::new();
            let mut records: HashMap<UnitId, UnitRecord> = HashMap::new();
            let mut matters: HashMap<(MatterKind, String), Vec<usize>> = HashMap::new();
            for c in cases {
                if let Some(ext) = &c.external_id {
                    if let Some(id) = in_batch.get(ext) {
                        outcomes.push(IntakeOutcome::Duplicate(id.clone()));
                        continue;
                    }
                    if let Some(id) = self.store().case_by_external(ext)? {
                        outcomes.push(IntakeOutcome::Duplicate(id));
                        continue;
                    }
                }
                let code = self
                    .config()
                    .org
                    .get(&c.district)
                    .and_then(|u| u.code.clone())
                    .unwrap_or_else(|| "XX".into());
                let received = c.received_at.unwrap_or(now);
                let date = cst_date(received);
                let key = keys::sequence(&code, date);
                let id = self.next_id(&mut sequences, key, &code, date)?;
                if let Some(ext) = &c.external_id {
                    in_batch.insert(ext.clone(), id.clone());
                }
                let (channel, external_id) = (c.channel, c.external_id.clone());
                outcomes.push(IntakeOutcome::Created(id.clone()));
                let config = self.config();
                let mut case = c.into_case(id.clone(), now, &config.rules, &config.calendar);
                let text = format!("{} {}", case.title, case.description);
                case.matter = config.responsibility.matter_of(&text).map(|m| m.id.clone());
                let earlier = self.earlier_cases(&case, &new_cases, &matters)?;
                for key in repeat::matter_keys(&case) {
                    matters.entry(key).or_default().push(new_cases.len());
                }
                let repeat_notice = repeat::link_new_case(
                    &mut case,
                    &earlier,
                    now,
                    &config.rules,
                    &config.calendar,
                );
                if repeat_notice.is_some() {
                    let unit = case.holder.clone();
                    let record = match records.remove(&unit) {
                        Some(r) => r,
                        None => self.store().unit_record(&unit)?,
                    };
                    let mut record = record;
                    record.repeat_notices.push(CaseMark {
                        case: id.clone(),
                        at: now,
                    });
                    record.notice_given(&id, now);
                    records.insert(unit, record);
                }
                let entry = HistoryEntry {
                    case: id,
                    seq: 1,
                    at: now,
                    by: operator.login.clone(),
                    event: Event::Intake {
                        channel,
                        external_id,
                        links: case.links.clone(),
                        repeat_notice,
                    },
                };
                new_cases.push((case, entry));
            }
            let mut batch = Batch {
                sequences: sequences.into_iter().collect(),
                ..Batch::default()
            };
            for (case, entry) in &new_cases {
                batch.cases.push(CaseWrite {
                    before: None,
                    after: case,
                    entry: Some(entry),
                });
            }
            batch.units = records.iter().collect();
            self.store().commit(&batch)?;
            let committed: Vec<Committed> = new_cases
                .into_iter()
                .map(|(case, entry)| Committed { entry, case })
                .collect();
            (outcomes, committed, self.publish_order())
        };
        self.store().flush()?;
        self.publish(committed);
        drop(order);
        Ok(outcomes)
    }
}
