//! Read-side queries: lists by unit / stage / light / district, one case with its history, and
//! counts per unit and light.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::{Engine, EngineError, Result};
use crate::domain::case::{Case, CaseId, Category, Stage, UnitRecord};
use crate::domain::deadlines::{self, ClockKind, ClockView};
use crate::domain::event::HistoryEntry;
use crate::domain::light::{self, Light};
use crate::domain::org::UnitId;
use crate::domain::summary::CaseSummary;
use crate::domain::users::User;

/// How many of the most recently finished cases a text search reads (see
/// [`Engine::find_finished`]).
pub const SEARCH_RECENT: usize = 5000;

/// Which cases to list. Every field narrows the list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CaseFilter {
    /// Only this stage.
    pub stage: Option<Stage>,
    /// Only cases this unit holds.
    pub holder: Option<UnitId>,
    /// Only this light (cases in assigned or handling).
    pub light: Option<Light>,
    /// Only this district's cases.
    pub district: Option<UnitId>,
    /// At most this many rows (the most urgent first); none: every match.
    #[serde(default)]
    pub limit: Option<usize>,
}

/// One row of a case list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseRow {
    /// Id.
    pub id: CaseId,
    /// District platform.
    pub district: UnitId,
    /// Category.
    pub category: Option<Category>,
    /// Stage.
    pub stage: Stage,
    /// Round.
    pub round: u8,
    /// Holder.
    pub holder: UnitId,
    /// Title.
    pub title: String,
    /// Light: the worst of the running clocks.
    pub light: Option<Light>,
    /// The clock that decides the light.
    pub clock: Option<ClockKind>,
    /// The handling deadline of the current round.
    pub due_at: Option<DateTime<Utc>>,
    /// Time left on the deciding clock, in seconds (negative when overdue).
    pub remaining_secs: Option<i64>,
    /// Received.
    pub received_at: DateTime<Utc>,
    /// Every running clock, most urgent first.
    pub clocks: Vec<ClockView>,
    /// The supervision mark (催 chased / 督 supervised / 池 pooled), if any.
    #[serde(default)]
    pub mark: Option<crate::domain::chasing::Mark>,
}

/// A case with its light and whole history.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaseView {
    /// The state.
    #[serde(flatten)]
    pub case: Case,
    /// Light: the worst of the running clocks.
    pub light: Option<Light>,
    /// The clock that decides the light.
    pub clock: Option<ClockKind>,
    /// Time left on the deciding clock, in seconds (negative when overdue).
    pub remaining_secs: Option<i64>,
    /// Every running clock, most urgent first.
    pub clocks: Vec<ClockView>,
    /// Every history entry, oldest first.
    pub history: Vec<HistoryEntry>,
}

impl CaseView {
    /// Masks what `user` may not see ([`crate::domain::privacy`]): every door calls this before
    /// a case leaves for a client.
    pub fn redact_for(&mut self, user: &User) {
        if crate::domain::privacy::redact_case(user, &mut self.case) {
            self.history
                .iter_mut()
                .for_each(crate::domain::privacy::mask_entry);
        }
    }
}

/// Open cases per light for one unit: the cases it holds, by their light (the worst of their
/// clocks), and the parts of joint cases it supports, by the part's own light.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LightCounts {
    /// Overdue.
    pub red: usize,
    /// Close to due.
    pub yellow: usize,
    /// On time.
    pub blue: usize,
    /// Open cases held, in any stage.
    pub open: usize,
}

/// A unit with its assessment record, as `jiban units` prints it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnitView {
    /// Id.
    pub id: UnitId,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Level.
    pub level: String,
    /// Parent.
    pub parent: Option<UnitId>,
    /// Platform name (platforms only).
    pub platform_name: Option<String>,
    /// Population (platforms only).
    pub population: Option<u64>,
    /// Consecutive failed assessments.
    pub failed_assessments: u32,
    /// Accountability referrals (问责移交).
    pub referrals: Vec<crate::domain::case::Referral>,
    /// Returns the platform denied (不当退单).
    pub denied_returns: Vec<crate::domain::case::CaseMark>,
    /// Cases chased while it held them (催办).
    pub chases: Vec<crate::domain::case::CaseMark>,
    /// Cases that entered the supervision pool while it held them (督办池).
    pub pooled: Vec<crate::domain::case::CaseMark>,
    /// Grab orders offered to it that nobody claimed (未认领抢单).
    pub unclaimed: Vec<crate::domain::case::CaseMark>,
    /// Repeat-complaint notices it received (重复投诉督办).
    pub repeat_notices: Vec<crate::domain::case::CaseMark>,
    /// Look-back results on its closed cases (回头看).
    pub lookbacks: Vec<crate::domain::lookback::LookbackMark>,
    /// Supervision notices it received and when each was answered (督办通知).
    pub notices: Vec<crate::domain::case::NoticeMark>,
}

impl Engine {
    /// The light of a case now.
    pub fn light_of(&self, case: &Case) -> Option<Light> {
        light::light(
            case,
            self.clock.now(),
            &self.config().calendar,
            &self.config().rules,
        )
    }

    fn row(&self, case: Case, now: DateTime<Utc>) -> CaseRow {
        let cfg = self.config();
        let clocks = deadlines::views(&case.stage_clocks, now, &cfg.calendar, &cfg.rules);
        let first = clocks.first();
        CaseRow {
            mark: crate::domain::chasing::Mark::of_case(&case),
            light: first.map(|c| c.light),
            clock: first.map(|c| c.kind),
            remaining_secs: first.map(|c| c.remaining_secs),
            clocks,
            id: case.id,
            district: case.district,
            category: case.category,
            stage: case.stage,
            round: case.round,
            holder: case.holder,
            title: case.title,
            due_at: case.due_at,
            received_at: case.received_at,
        }
    }

    /// The cases a filter selects, read through the narrowest index it names: the deadline
    /// index for a light, then holder (and stage), stage, district. Each candidate is read once;
    /// only a filter with none of these reads every case.
    fn candidates(&self, filter: &CaseFilter, now: DateTime<Utc>) -> Result<Vec<Case>> {
        let read = |ids: Vec<CaseId>| -> Result<Vec<Case>> {
            ids.iter()
                .filter_map(|id| self.store().case(id.as_str()).transpose())
                .collect::<std::result::Result<_, _>>()
                .map_err(EngineError::from)
        };
        if let Some(l) = filter.light {
            // The index is in the list's order: with nothing else to narrow, stop at the limit.
            let max = match (filter.stage, &filter.district) {
                (None, None) => filter.limit,
                _ => None,
            };
            return read(self.ids_with_light(l, now, filter.holder.as_ref(), max)?);
        }
        if let Some(holder) = &filter.holder {
            let stage = filter.stage.map(|s| s.as_str());
            return read(self.store().ids_held_by(holder.as_str(), stage)?);
        }
        if let Some(stage) = filter.stage {
            let prefix = match &filter.district {
                Some(d) => self.district_prefix(d),
                None => Some(String::new()),
            };
            let Some(prefix) = prefix else {
                return Ok(Vec::new());
            };
            let ids = self
                .store()
                .ids_in_stage(stage)
                .filter(|id| id.as_ref().map_or(true, |id| id.0.starts_with(&prefix)))
                .collect::<std::result::Result<_, _>>()?;
            return read(ids);
        }
        let prefix = match &filter.district {
            Some(d) => match self.district_prefix(d) {
                Some(p) => p,
                None => return Ok(Vec::new()),
            },
            None => String::new(),
        };
        self.store()
            .cases_with_prefix(&prefix)
            .collect::<std::result::Result<_, _>>()
            .map_err(EngineError::from)
    }

    /// `LS-` for Laoshan: a district's case ids start with its code.
    fn district_prefix(&self, district: &UnitId) -> Option<String> {
        self.config()
            .org
            .get(district)
            .and_then(|u| u.code.clone())
            .map(|code| format!("{code}-"))
    }

    /// The cases whose light is `l` now (the worst of their running clocks), from the clock
    /// index alone, earliest deadline first, optionally held by one unit. Red is the index up to
    /// now; a yellow or blue case is judged from its clocks' entries without reading it.
    fn ids_with_light(
        &self,
        l: Light,
        now: DateTime<Utc>,
        holder: Option<&UnitId>,
        max: Option<usize>,
    ) -> Result<Vec<CaseId>> {
        let soon = now + chrono::Duration::milliseconds(1);
        let mut red: Vec<CaseId> = Vec::new();
        let mut seen: std::collections::HashSet<CaseId> = std::collections::HashSet::new();
        for e in self.store().due_between(None, Some(soon)) {
            let e = e?;
            if holder.is_some_and(|h| *h != e.holder) || !seen.insert(e.case.clone()) {
                continue;
            }
            if l == Light::Red && max.is_some_and(|m| red.len() >= m) {
                break;
            }
            red.push(e.case);
        }
        if l == Light::Red {
            return Ok(red);
        }
        // Yellow or blue: the worst clock of each case not already red.
        let mut worst: Vec<(CaseId, Light)> = Vec::new();
        let mut at: std::collections::HashMap<CaseId, usize> = std::collections::HashMap::new();
        for e in self.store().due_between(Some(soon), None) {
            let e = e?;
            if holder.is_some_and(|h| *h != e.holder) || seen.contains(&e.case) {
                continue;
            }
            let light = self.due_light(&e, now);
            match at.get(&e.case) {
                Some(i) => {
                    if deadlines::rank(light) < deadlines::rank(worst[*i].1) {
                        worst[*i].1 = light;
                    }
                }
                None => {
                    at.insert(e.case.clone(), worst.len());
                    worst.push((e.case, light));
                }
            }
        }
        let mut out: Vec<CaseId> = worst
            .into_iter()
            .filter(|(_, w)| *w == l)
            .map(|(c, _)| c)
            .collect();
        if let Some(m) = max {
            out.truncate(m);
        }
        Ok(out)
    }

    /// The light of one clock in the index now.
    fn due_light(&self, e: &crate::store::DueEntry, now: DateTime<Utc>) -> Light {
        let cfg = self.config();
        deadlines::light_at(e.span, e.due, now, &cfg.calendar, &cfg.rules)
    }

    /// Cases matching the filter, by deadline (none last), then id; at most `filter.limit`.
    pub fn list(&self, filter: &CaseFilter) -> Result<Vec<CaseRow>> {
        let now = self.clock.now();
        let mut rows: Vec<CaseRow> = self
            .candidates(filter, now)?
            .into_iter()
            .filter(|c| filter.stage.is_none_or(|s| s == c.stage))
            .filter(|c| filter.district.as_ref().is_none_or(|d| *d == c.district))
            .filter(|c| filter.holder.as_ref().is_none_or(|h| *h == c.holder))
            .map(|c| self.row(c, now))
            .filter(|r| filter.light.is_none_or(|l| r.light == Some(l)))
            .collect();
        let first_due = |r: &CaseRow| r.clocks.iter().map(|c| c.due_at).min();
        rows.sort_by(|a, b| {
            let (da, db) = (first_due(a), first_due(b));
            (da.is_none(), da, &a.id).cmp(&(db.is_none(), db, &b.id))
        });
        if let Some(n) = filter.limit {
            rows.truncate(n);
        }
        Ok(rows)
    }

    /// Up to `limit` open cases' summaries in id order after the id `after`, of one district
    /// (`None`: every district): how a board loads its queues, a page at a time, from the store's
    /// index of open cases.
    pub fn open_page(
        &self,
        district: Option<&UnitId>,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<CaseSummary>> {
        let prefix = match district {
            Some(d) => match self.district_prefix(d) {
                Some(p) => p,
                None => return Ok(Vec::new()),
            },
            None => String::new(),
        };
        Ok(self.store().open_after(&prefix, after, limit)?)
    }

    /// Finished (closed or rejected) cases matching `text`, at most `limit`, newest first: the
    /// case with that id or 12345 work-order number, cases whose id starts with it, then those
    /// among the [`SEARCH_RECENT`] most recently finished whose title, address or work-order
    /// number contain it. Older finished cases are found by id or work-order number.
    pub fn find_finished(&self, text: &str, limit: usize) -> Result<Vec<CaseSummary>> {
        let needle = text.trim().to_lowercase();
        let mut out: Vec<CaseSummary> = Vec::new();
        if needle.is_empty() || limit == 0 {
            return Ok(out);
        }
        let push = |c: Case, out: &mut Vec<CaseSummary>| {
            if c.stage.is_final() && !out.iter().any(|s| s.id == c.id) && out.len() < limit {
                out.push(CaseSummary::of(&c));
            }
        };
        let upper = text.trim().to_uppercase();
        if let Some(id) = self.store().case_by_external(text.trim())? {
            if let Some(c) = self.store().case(id.as_str())? {
                push(c, &mut out);
            }
        }
        if upper.len() >= 3 && upper.contains('-') {
            for c in self.store().cases_with_prefix(&upper).take(limit * 4) {
                push(c?, &mut out);
            }
        }
        let far = DateTime::<Utc>::MAX_UTC;
        let early = DateTime::<Utc>::MIN_UTC;
        for id in self.store().closed_between(early, far).take(SEARCH_RECENT) {
            if out.len() >= limit {
                break;
            }
            let id = id?;
            let Some(c) = self.store().case(id.as_str())? else {
                continue;
            };
            let hay = format!(
                "{}\n{}\n{}\n{}",
                c.id,
                c.title,
                c.address.as_deref().unwrap_or(""),
                c.external_id.as_deref().unwrap_or("")
            )
            .to_lowercase();
            if hay.contains(&needle) {
                push(c, &mut out);
            }
        }
        Ok(out)
    }

    /// One case with its light and history.
    pub fn show(&self, id: &str) -> Result<CaseView> {
        let case = self
            .store()
            .case(id)?
            .ok_or_else(|| EngineError::UnknownCase(id.to_string()))?;
        let now = self.clock.now();
        let row = self.row(case.clone(), now);
        Ok(CaseView {
            history: self.store().history(id)?,
            light: row.light,
            clock: row.clock,
            remaining_secs: row.remaining_secs,
            clocks: row.clocks,
            case,
        })
    }

    /// Open cases per holder unit and light: the engine's kept counts for the open cases, the
    /// deadline index for the lights. Reads no case.
    pub fn counts(&self) -> Result<BTreeMap<UnitId, LightCounts>> {
        let now = self.clock.now();
        let mut out: BTreeMap<UnitId, LightCounts> = BTreeMap::new();
        for ((holder, stage), n) in self.store().counts()? {
            if !stage.is_final() {
                out.entry(holder).or_default().open += n as usize;
            }
        }
        // The case's light (the worst of all its clocks) counts at its holder; a supporting
        // unit's part counts at that unit with the part's own light.
        let mut case_light: std::collections::HashMap<CaseId, (UnitId, Light)> =
            std::collections::HashMap::new();
        let mut part_light: std::collections::HashMap<(CaseId, UnitId), Light> =
            std::collections::HashMap::new();
        let worse = |a: Light, b: Light| {
            if deadlines::rank(b) < deadlines::rank(a) {
                b
            } else {
                a
            }
        };
        for e in self.store().due_between(None, None) {
            let e = e?;
            let l = self.due_light(&e, now);
            case_light
                .entry(e.case.clone())
                .and_modify(|(_, w)| *w = worse(*w, l))
                .or_insert((e.holder.clone(), l));
            if let Some(u) = e.part_unit {
                part_light
                    .entry((e.case, u))
                    .and_modify(|w| *w = worse(*w, l))
                    .or_insert(l);
            }
        }
        let lit = case_light
            .into_values()
            .chain(part_light.into_iter().map(|((_, u), l)| (u, l)));
        for (unit, l) in lit {
            let c = out.entry(unit).or_default();
            match l {
                Light::Red => c.red += 1,
                Light::Yellow => c.yellow += 1,
                Light::Blue => c.blue += 1,
            }
        }
        Ok(out)
    }

    /// The kept counts: cases per holder and stage, open and finished, as the engine updates them
    /// in each command's transaction.
    pub fn stage_counts(&self) -> Result<BTreeMap<(UnitId, Stage), u64>> {
        Ok(self.store().counts()?)
    }

    /// The same counts made by reading every case (what the kept counts must equal; for checks).
    pub fn recount(&self) -> Result<BTreeMap<(UnitId, Stage), u64>> {
        Ok(self.store().recount()?)
    }

    /// How many open cases the store holds.
    pub fn open_count(&self) -> usize {
        self.store().open_count()
    }

    /// Every unit with its assessment record.
    pub fn units(&self) -> Result<Vec<UnitView>> {
        let records: BTreeMap<UnitId, UnitRecord> =
            self.store().unit_records()?.into_iter().collect();
        Ok(self
            .config()
            .org
            .units()
            .iter()
            .map(|u| {
                let r = records.get(&u.id).cloned().unwrap_or_default();
                UnitView {
                    id: u.id.clone(),
                    name: u.name.clone(),
                    name_en: u.name_en.clone(),
                    level: u.level.as_str().to_string(),
                    parent: u.parent.clone(),
                    platform_name: u.platform_name.clone(),
                    population: u.population,
                    failed_assessments: r.failed_assessments,
                    referrals: r.referrals,
                    denied_returns: r.denied_returns,
                    chases: r.chases,
                    pooled: r.pooled,
                    unclaimed: r.unclaimed,
                    repeat_notices: r.repeat_notices,
                    lookbacks: r.lookbacks,
                    notices: r.notices,
                }
            })
            .collect())
    }

    /// A unit's assessment record.
    pub fn unit_record(&self, unit: &UnitId) -> Result<UnitRecord> {
        Ok(self.store().unit_record(unit)?)
    }

    /// How many cases the store holds.
    pub fn case_count(&self) -> usize {
        self.store().case_count()
    }

    /// How many flushes the store has done since it was opened: fewer than the commands run
    /// when group commit shares them.
    pub fn flush_count(&self) -> u64 {
        self.store().flush_count()
    }

    /// Makes sure everything is on disk (used after bulk seeding).
    pub fn flush(&self) -> Result<()> {
        self.store().flush()?;
        Ok(())
    }
}
