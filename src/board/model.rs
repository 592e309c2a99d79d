//! The board's read model: an in-memory projection of the **open** cases (a slim row each, loaded
//! a page at a time from the engine's index of open cases) counted per unit and light, plus the
//! finished cases the current search found. Kept current by applying the engine's published
//! [`Committed`] changes: a case that closes leaves the projection. Lights move on the minute
//! tick. Nothing here reads the store per frame or per key.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::domain::case::{CaseId, Stage};
use crate::domain::config::Config;
use crate::domain::deadlines::StageClock;
use crate::domain::light::Light;
use crate::domain::org::{Level, UnitId};
use crate::domain::summary::CaseSummary;
use crate::engine::Committed;
use crate::service::Service;

use super::row::{contains_folded, judge};
pub use super::row::{Counts, Row, OPEN_STAGES};

/// A unit of the organisation in tree order (depth first, departments after the other children),
/// so that a unit's subtree, and its departments, are each one contiguous range of positions.
#[derive(Debug, Clone)]
pub struct UnitSlot {
    /// Id.
    pub id: UnitId,
    /// Level.
    pub level: Level,
    /// Position of the parent.
    pub parent: Option<u32>,
    /// Depth below the city (0 for the city).
    pub depth: u16,
    /// One past the last position of the subtree.
    pub end: u32,
    /// Position of the first department child (departments run to `end`); `end` when none.
    pub departments: u32,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
}

/// How long [`Model::build`] loads before the board draws its first frame.
pub const BUILD_BUDGET: std::time::Duration = std::time::Duration::from_millis(150);

/// How a queue is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Earliest deadline first; cases without one last (the default).
    #[default]
    Due,
    /// Newest first.
    Received,
    /// Red, yellow, blue, none; then by deadline.
    Light,
}

impl Sort {
    /// The next key in the cycle.
    pub fn next(self) -> Sort {
        match self {
            Sort::Due => Sort::Received,
            Sort::Received => Sort::Light,
            Sort::Light => Sort::Due,
        }
    }
}

/// Which cases a queue holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// Holders in this range of unit positions.
    pub units: Range<u32>,
    /// Only holders that are departments.
    pub departments_only: bool,
    /// Only cases this unit holds or supports (ignores `units`).
    pub mine: Option<u32>,
    /// Only red and yellow.
    pub urgent: bool,
    /// Closed and rejected cases too (search).
    pub all_stages: bool,
    /// Only cases with a return or extension request waiting.
    pub pending_only: bool,
    /// Only cases with a supervision mark (催 / 督 / 池).
    pub supervised_only: bool,
    /// Only cases an open grab order offers (可抢): to this unit when given, else to any unit.
    pub grab: Option<Option<u32>>,
    /// Only cases in this stage (`:stage 待受理`).
    pub stage: Option<Stage>,
    /// Lower-case text to match (empty: all).
    pub text: String,
    /// Order.
    pub sort: Sort,
}

/// The projection.
pub struct Model {
    config: Arc<Config>,
    units: Vec<UnitSlot>,
    unit_index: HashMap<UnitId, u32>,
    rows: Vec<Row>,
    by_id: HashMap<CaseId, u32>,
    own: Vec<Counts>,
    referrals: Vec<u32>,
    /// Finished cases shown because the current search found them.
    found: Vec<CaseId>,
    /// The case the board keeps showing after acting on it, finished or not.
    pinned: Option<CaseId>,
    /// While open cases are still loading: the last id loaded (`None` before the first page).
    loading: Option<Option<CaseId>>,
    /// Cases that finished while loading, so a page read before that does not bring them back.
    gone: std::collections::HashSet<CaseId>,
    now: DateTime<Utc>,
    generation: u64,
}

fn light_rank(l: Option<Light>) -> u8 {
    match l {
        Some(Light::Red) => 0,
        Some(Light::Yellow) => 1,
        Some(Light::Blue) => 2,
        None => 3,
    }
}

impl Model {
    /// An empty model over the configuration's organisation, as of `now`.
    pub fn new(config: Arc<Config>, now: DateTime<Utc>) -> Model {
        let org = &config.org;
        let mut units: Vec<UnitSlot> = Vec::with_capacity(org.units().len());
        fn visit(
            org: &crate::domain::org::Org,
            id: &UnitId,
            parent: Option<u32>,
            depth: u16,
            out: &mut Vec<UnitSlot>,
        ) {
            let Some(u) = org.get(id) else { return };
            let me = out.len() as u32;
            out.push(UnitSlot {
                id: u.id.clone(),
                level: u.level,
                parent,
                depth,
                end: me + 1,
                departments: me + 1,
                name: u.name.clone(),
                name_en: u.name_en.clone(),
            });
            let (depts, others): (Vec<_>, Vec<_>) =
                org.children(id).partition(|c| c.level == Level::Department);
            for c in &others {
                visit(org, &c.id, Some(me), depth + 1, out);
            }
            out[me as usize].departments = out.len() as u32;
            for c in &depts {
                visit(org, &c.id, Some(me), depth + 1, out);
            }
            out[me as usize].end = out.len() as u32;
        }
        if let Some(city) = org.city() {
            visit(org, &city.id, None, 0, &mut units);
        }
        let unit_index = units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.id.clone(), i as u32))
            .collect();
        let own = vec![Counts::default(); units.len()];
        let referrals = vec![0; units.len()];
        Model {
            config,
            units,
            unit_index,
            rows: Vec::new(),
            by_id: HashMap::new(),
            own,
            referrals,
            found: Vec::new(),
            pinned: None,
            loading: None,
            gone: Default::default(),
            now,
            generation: 0,
        }
    }

    /// Builds the projection from the open cases the engine holds, a page at a time, for up to
    /// [`BUILD_BUDGET`]; the rest load through [`Model::load_more`] while the board is already
    /// drawn.
    pub fn build(service: &dyn Service) -> crate::engine::Result<Model> {
        let mut model = Model::start_loading(service)?;
        let start = std::time::Instant::now();
        while model.is_loading() && start.elapsed() < BUILD_BUDGET {
            model.load_more(service, 1)?;
        }
        Ok(model)
    }

    /// An empty projection with the units' referrals, ready to load open cases with
    /// [`Model::load_more`].
    pub fn start_loading(service: &dyn Service) -> crate::engine::Result<Model> {
        let mut model = Model::new(service.config().clone(), service.clock().now());
        for u in service.units()? {
            if let Some(i) = model.unit_pos(&u.id) {
                model.referrals[i as usize] = u.referrals.len() as u32;
            }
        }
        model.loading = Some(None);
        Ok(model)
    }

    /// True while open cases are still loading.
    pub fn is_loading(&self) -> bool {
        self.loading.is_some()
    }

    /// Loads up to `pages` more pages of open cases; returns true once every one is loaded.
    pub fn load_more(
        &mut self,
        service: &dyn Service,
        pages: usize,
    ) -> crate::engine::Result<bool> {
        for _ in 0..pages {
            let Some(after) = self.loading.clone() else {
                return Ok(true);
            };
            let page = service.open_cases(after.as_ref().map(|a| a.as_str()))?;
            let last = page.len() < crate::protocol::CASES_PAGE;
            for case in &page {
                if !self.gone.contains(&case.id) {
                    self.upsert(case);
                }
            }
            self.loading = match page.last() {
                Some(c) if !last => Some(Some(c.id.clone())),
                _ => None,
            };
            if self.loading.is_none() {
                self.gone.clear();
            }
        }
        Ok(self.loading.is_none())
    }

    /// Applies one published change; returns true when it made a case newly red.
    pub fn apply(&mut self, change: &Committed) -> bool {
        if let crate::domain::event::Event::Assess {
            referral: Some(r), ..
        } = &change.entry.event
        {
            if let Some(i) = self.unit_pos(&r.unit) {
                self.referrals[i as usize] += 1;
            }
        }
        let summary = CaseSummary::of(&change.case);
        if summary.stage.is_final() && !self.shown_finished(&summary.id) {
            self.remove(&summary.id);
            return false;
        }
        self.upsert(&summary)
    }

    fn shown_finished(&self, id: &CaseId) -> bool {
        self.found.contains(id) || self.pinned.as_ref() == Some(id)
    }

    /// Drops a finished case that nothing shows any more.
    fn drop_if_unshown(&mut self, id: &CaseId) {
        if !self.shown_finished(id)
            && self
                .find(id.as_str())
                .is_some_and(|i| !self.row(i).is_open())
        {
            self.remove(id);
        }
    }

    /// Keeps showing one case after the board acted on it, even once it is finished (`None`:
    /// none); the case pinned before leaves if it is finished.
    pub fn pin(&mut self, id: Option<&str>) {
        let next = id.map(|s| CaseId(s.to_string()));
        if next == self.pinned {
            return;
        }
        if let Some(old) = std::mem::replace(&mut self.pinned, next) {
            self.drop_if_unshown(&old);
        }
    }

    /// Drops a case from the projection (it finished, or a search no longer shows it).
    fn remove(&mut self, id: &CaseId) {
        if self.is_loading() {
            self.gone.insert(id.clone());
        }
        let Some(i) = self.by_id.remove(id) else {
            return;
        };
        let old = self.rows.swap_remove(i as usize);
        Self::count(&mut self.own, &old, -1);
        if let Some(moved) = self.rows.get(i as usize) {
            self.by_id.insert(moved.id.clone(), i);
        }
        self.generation += 1;
    }

    /// Shows these finished cases (a search's results) beside the open ones, in place of the
    /// previous search's.
    pub fn set_found(&mut self, found: &[CaseSummary]) {
        for id in std::mem::take(&mut self.found) {
            self.drop_if_unshown(&id);
        }
        for c in found.iter().filter(|c| !c.is_open()) {
            self.found.push(c.id.clone());
            self.upsert(c);
        }
    }

    /// Accountability referrals (问责移交) recorded on the unit at position `i`.
    pub fn referrals_of(&self, i: u32) -> u32 {
        self.referrals.get(i as usize).copied().unwrap_or(0)
    }

    /// Accountability referrals recorded on the units in a range of positions.
    pub fn referrals_in(&self, units: Range<u32>) -> u32 {
        units.map(|i| self.referrals_of(i)).sum()
    }

    /// Inserts or replaces a case; returns true when it is newly red.
    pub fn upsert(&mut self, case: &CaseSummary) -> bool {
        let unit = |id: &UnitId| self.unit_index.get(id).copied().unwrap_or(0);
        let holder = unit(&case.holder);
        let extra = format!(
            "{}\n{}",
            case.address.as_deref().unwrap_or(""),
            case.external_id.as_deref().unwrap_or("")
        )
        .into_boxed_str();
        let cfg = &self.config;
        let row = Row {
            id: case.id.clone(),
            version: case.version,
            holder,
            supporting: case.supporting.iter().map(unit).collect(),
            category: case.category,
            stage: case.stage,
            round: case.round,
            title: case.title.clone(),
            received_at: case.received_at,
            due_at: case.clocks.iter().map(|c| c.due_at).min(),
            clocks: case.clocks.clone().into_boxed_slice(),
            light: None,
            deciding: None,
            parts: Box::default(),
            pending: case.pending,
            mark: case.mark,
            offered: case.offered.iter().map(unit).collect(),
            extra,
        };
        let mut row = row;
        judge(&mut row, self.now, cfg, &self.unit_index);
        let newly_red = row.light == Some(Light::Red);
        self.generation += 1;
        match self.by_id.get(&case.id).copied() {
            Some(i) => {
                let old = &self.rows[i as usize];
                if old.version > row.version {
                    return false;
                }
                let was_red = old.light == Some(Light::Red);
                Self::count(&mut self.own, old, -1);
                Self::count(&mut self.own, &row, 1);
                self.rows[i as usize] = row;
                newly_red && !was_red
            }
            None => {
                Self::count(&mut self.own, &row, 1);
                self.by_id.insert(case.id.clone(), self.rows.len() as u32);
                self.rows.push(row);
                newly_red
            }
        }
    }

    /// Moves the model to `now`: every open case's light is worked out again. Returns how many
    /// cases turned red.
    pub fn tick(&mut self, now: DateTime<Utc>) -> usize {
        self.now = now;
        let cfg = self.config.clone();
        let mut turned_red = 0;
        let mut changed = false;
        for u in &mut self.own {
            *u = Counts::default();
        }
        for row in &mut self.rows {
            if row.is_open() {
                let before = row.light;
                judge(row, now, &cfg, &self.unit_index);
                if row.light != before {
                    changed = true;
                    if row.light == Some(Light::Red) {
                        turned_red += 1;
                    }
                }
                Self::count(&mut self.own, row, 1);
            }
        }
        if changed {
            self.generation += 1;
        }
        turned_red
    }

    /// Bumped by every change to rows or lights; queues built at an older generation are stale.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The time of the last tick.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Replaces the configuration (a new calendar); lights follow on the next tick.
    pub fn set_config(&mut self, config: Arc<Config>) {
        self.config = config;
    }

    /// The configuration (organisation, calendar, rules).
    pub fn config(&self) -> &Arc<Config> {
        &self.config
    }

    /// Every unit in tree order.
    pub fn units(&self) -> &[UnitSlot] {
        &self.units
    }

    /// A unit's position.
    pub fn unit_pos(&self, id: &UnitId) -> Option<u32> {
        self.unit_index.get(id).copied()
    }

    /// A row by position.
    pub fn row(&self, i: u32) -> &Row {
        &self.rows[i as usize]
    }

    /// A case's position.
    pub fn find(&self, id: &str) -> Option<u32> {
        self.by_id.get(&CaseId(id.to_string())).copied()
    }

    /// How many cases the model holds (the open ones, and finished ones a search found).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when the model holds no case.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// One unit's own counts: the cases it holds and the parts it supports.
    pub fn unit_counts(&self, unit: u32) -> Counts {
        self.own.get(unit as usize).copied().unwrap_or_default()
    }

    /// Open cases held in a range of unit positions, optionally by departments only.
    pub fn counts(&self, units: Range<u32>, departments_only: bool) -> Counts {
        let mut c = Counts::default();
        for i in units {
            if !departments_only || self.units[i as usize].level == Level::Department {
                c.add(&self.own[i as usize]);
            }
        }
        c
    }

    /// The clock that decides a row's light and the time left on it now (negative when
    /// overdue), for the visible rows.
    pub fn remaining<'r>(&self, row: &'r Row) -> Option<(&'r StageClock, Duration)> {
        let c = row.clocks.get(usize::from(row.deciding?))?;
        Some((c, c.remaining(self.now, &self.config.calendar)))
    }

    /// Adds (`sign` 1) or takes away (-1) a row's counts: the case at its holder, each
    /// supporting unit's part light at that unit.
    fn count(own: &mut [Counts], row: &Row, sign: i32) {
        if !row.is_open() {
            return;
        }
        own[row.holder as usize].apply(row, sign);
        for (unit, l) in row.parts.iter() {
            own[*unit as usize].part(*l, sign);
        }
    }

    /// The positions of the cases a query selects, in its order.
    pub fn queue(&self, q: &Query) -> Vec<u32> {
        let in_scope = |r: &Row| match q.mine {
            Some(u) => r.holder == u || r.supporting.contains(&u),
            None => {
                q.units.contains(&r.holder)
                    && (!q.departments_only
                        || self.units[r.holder as usize].level == Level::Department)
            }
        };
        // Units whose name matches the text: their cases match too.
        let named: Vec<bool> = self
            .units
            .iter()
            .map(|u| {
                !q.text.is_empty()
                    && (contains_folded(&u.name, &q.text) || contains_folded(&u.name_en, &q.text))
            })
            .collect();
        let mut out: Vec<u32> = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                (q.all_stages || r.is_open())
                    && (!q.pending_only || r.pending)
                    && (!q.supervised_only || r.mark.is_some())
                    && q.grab.is_none_or(|to| {
                        !r.offered.is_empty() && to.is_none_or(|u| r.offered.contains(&u))
                    })
                    && q.stage.is_none_or(|s| s == r.stage)
                    && (!q.urgent || matches!(r.light, Some(Light::Red | Light::Yellow)))
                    && in_scope(r)
                    && (named[r.holder as usize] || r.matches(&q.text))
            })
            .map(|(i, _)| i as u32)
            .collect();
        let rows = &self.rows;
        let far = DateTime::<Utc>::MAX_UTC;
        match q.sort {
            Sort::Due => out.sort_unstable_by(|a, b| {
                let (a, b) = (&rows[*a as usize], &rows[*b as usize]);
                (a.due_at.unwrap_or(far), &a.id).cmp(&(b.due_at.unwrap_or(far), &b.id))
            }),
            Sort::Received => out.sort_unstable_by(|a, b| {
                let (a, b) = (&rows[*a as usize], &rows[*b as usize]);
                (b.received_at, &b.id).cmp(&(a.received_at, &a.id))
            }),
            Sort::Light => out.sort_unstable_by(|a, b| {
                let (a, b) = (&rows[*a as usize], &rows[*b as usize]);
                (light_rank(a.light), a.due_at.unwrap_or(far), &a.id).cmp(&(
                    light_rank(b.light),
                    b.due_at.unwrap_or(far),
                    &b.id,
                ))
            }),
        }
        out
    }
}
