//! Read-side queries: lists by unit / stage / light / district, one case with its history, and
//! counts per unit and light.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::{Engine, EngineError, Result};
use crate::domain::case::{Case, CaseId, Category, Stage, UnitRecord};
use crate::domain::event::HistoryEntry;
use crate::domain::light::{self, Light};
use crate::domain::org::UnitId;

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
    /// Light.
    pub light: Option<Light>,
    /// Deadline.
    pub due_at: Option<DateTime<Utc>>,
    /// Working seconds left (negative when overdue).
    pub remaining_secs: Option<i64>,
    /// Received.
    pub received_at: DateTime<Utc>,
}

/// A case with its light and whole history.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaseView {
    /// The state.
    #[serde(flatten)]
    pub case: Case,
    /// Light.
    pub light: Option<Light>,
    /// Working seconds left (negative when overdue).
    pub remaining_secs: Option<i64>,
    /// Every history entry, oldest first.
    pub history: Vec<HistoryEntry>,
}

/// Open cases per light for one unit.
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
}

impl Engine {
    /// The light of a case now.
    pub fn light_of(&self, case: &Case) -> Option<Light> {
        light::light(
            case,
            self.clock.now(),
            &self.config.calendar,
            &self.config.rules,
        )
    }

    fn row(&self, case: Case, now: DateTime<Utc>) -> CaseRow {
        let cfg = &self.config;
        let open = matches!(case.stage, Stage::Assigned | Stage::Handling);
        CaseRow {
            light: light::light(&case, now, &cfg.calendar, &cfg.rules),
            remaining_secs: open
                .then(|| light::remaining(&case, now, &cfg.calendar))
                .flatten()
                .map(|d| d.num_seconds()),
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

    fn candidates(&self, filter: &CaseFilter) -> Result<Vec<Case>> {
        if let Some(holder) = &filter.holder {
            let stage = filter.stage.map(|s| s.as_str());
            return self
                .store
                .ids_held_by(holder.as_str(), stage)?
                .iter()
                .filter_map(|id| self.store.case(id.as_str()).transpose())
                .collect::<std::result::Result<_, _>>()
                .map_err(EngineError::from);
        }
        let prefix = match &filter.district {
            Some(d) => match self.config.org.get(d).and_then(|u| u.code.clone()) {
                Some(code) => format!("{code}-"),
                None => return Ok(Vec::new()),
            },
            None => String::new(),
        };
        self.store
            .cases_with_prefix(&prefix)
            .collect::<std::result::Result<_, _>>()
            .map_err(EngineError::from)
    }

    /// Cases matching the filter, by deadline (none last), then id.
    pub fn list(&self, filter: &CaseFilter) -> Result<Vec<CaseRow>> {
        let now = self.clock.now();
        let mut rows: Vec<CaseRow> = self
            .candidates(filter)?
            .into_iter()
            .filter(|c| filter.stage.is_none_or(|s| s == c.stage))
            .filter(|c| filter.district.as_ref().is_none_or(|d| *d == c.district))
            .map(|c| self.row(c, now))
            .filter(|r| filter.light.is_none_or(|l| r.light == Some(l)))
            .collect();
        rows.sort_by(|a, b| {
            (a.due_at.is_none(), a.due_at, &a.id).cmp(&(b.due_at.is_none(), b.due_at, &b.id))
        });
        Ok(rows)
    }

    /// Every case in the store, decoded one at a time, for read models that keep their own
    /// projection (the board builds its projection from this once, then follows
    /// [`Engine::subscribe`]).
    pub fn all_cases(&self) -> impl Iterator<Item = Result<Case>> + '_ {
        self.store
            .cases_with_prefix("")
            .map(|c| c.map_err(EngineError::from))
    }

    /// Up to `limit` cases in id order after the id `after`: every case, a page at a time (how a
    /// remote board builds its projection).
    pub fn cases_page(&self, after: Option<&str>, limit: usize) -> Result<Vec<Case>> {
        Ok(self.store.cases_after(after, limit)?)
    }

    /// One case with its light and history.
    pub fn show(&self, id: &str) -> Result<CaseView> {
        let case = self
            .store
            .case(id)?
            .ok_or_else(|| EngineError::UnknownCase(id.to_string()))?;
        let now = self.clock.now();
        let row = self.row(case.clone(), now);
        Ok(CaseView {
            history: self.store.history(id)?,
            light: row.light,
            remaining_secs: row.remaining_secs,
            case,
        })
    }

    /// Open cases per holder unit and light.
    pub fn counts(&self) -> Result<BTreeMap<UnitId, LightCounts>> {
        let now = self.clock.now();
        let mut out: BTreeMap<UnitId, LightCounts> = BTreeMap::new();
        for case in self.store.cases_with_prefix("") {
            let case = case?;
            if case.stage.is_final() {
                continue;
            }
            let l = light::light(&case, now, &self.config.calendar, &self.config.rules);
            let c = out.entry(case.holder.clone()).or_default();
            c.open += 1;
            match l {
                Some(Light::Red) => c.red += 1,
                Some(Light::Yellow) => c.yellow += 1,
                Some(Light::Blue) => c.blue += 1,
                None => {}
            }
        }
        Ok(out)
    }

    /// Every unit with its assessment record.
    pub fn units(&self) -> Result<Vec<UnitView>> {
        let records: BTreeMap<UnitId, UnitRecord> =
            self.store.unit_records()?.into_iter().collect();
        Ok(self
            .config
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
                }
            })
            .collect())
    }

    /// A unit's assessment record.
    pub fn unit_record(&self, unit: &UnitId) -> Result<UnitRecord> {
        Ok(self.store.unit_record(unit)?)
    }

    /// How many cases the store holds.
    pub fn case_count(&self) -> usize {
        self.store.case_count()
    }

    /// How many flushes the store has done since it was opened: fewer than the commands run
    /// when group commit shares them.
    pub fn flush_count(&self) -> u64 {
        self.store.flush_count()
    }

    /// Makes sure everything is on disk (used after bulk seeding).
    pub fn flush(&self) -> Result<()> {
        self.store.flush()?;
        Ok(())
    }
}
