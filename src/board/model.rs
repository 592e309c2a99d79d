//! The board's read model: an in-memory projection of every case (a slim row each) with the open
//! ones counted per unit and light. Built once from the engine, then kept current by applying the
//! engine's published [`Committed`] changes; lights move on the minute tick. Nothing here reads
//! the store per frame or per key.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::domain::case::{Case, CaseId, Category, Stage};
use crate::domain::config::Config;
use crate::domain::light::{self, Light};
use crate::domain::org::{Level, UnitId};
use crate::engine::Committed;
use crate::service::Service;

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

/// Open cases per stage (triage … assessment) and light.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Open cases.
    pub open: u32,
    /// Red lights.
    pub red: u32,
    /// Yellow lights.
    pub yellow: u32,
    /// Blue lights.
    pub blue: u32,
    /// Open cases per stage, in [`OPEN_STAGES`] order.
    pub stages: [u32; 6],
}

/// The stages of an open case, in lifecycle order.
pub const OPEN_STAGES: [Stage; 6] = [
    Stage::Triage,
    Stage::Assigned,
    Stage::Handling,
    Stage::Review,
    Stage::Evaluation,
    Stage::Assessment,
];

impl Counts {
    fn apply(&mut self, row: &Row, sign: i32) {
        let Some(stage) = OPEN_STAGES.iter().position(|s| *s == row.stage) else {
            return;
        };
        let add = |v: &mut u32| *v = v.wrapping_add_signed(sign);
        add(&mut self.open);
        add(&mut self.stages[stage]);
        match row.light {
            Some(Light::Red) => add(&mut self.red),
            Some(Light::Yellow) => add(&mut self.yellow),
            Some(Light::Blue) => add(&mut self.blue),
            None => {}
        }
    }

    /// Adds another count.
    pub fn add(&mut self, o: &Counts) {
        self.open += o.open;
        self.red += o.red;
        self.yellow += o.yellow;
        self.blue += o.blue;
        for (a, b) in self.stages.iter_mut().zip(o.stages) {
            *a += b;
        }
    }
}

/// One case as the board keeps it.
#[derive(Debug, Clone)]
pub struct Row {
    /// Id.
    pub id: CaseId,
    /// Version (changes seen out of order are ignored).
    pub version: u64,
    /// Holder's position.
    pub holder: u32,
    /// Supporting units' positions (joint cases).
    pub supporting: Vec<u32>,
    /// Category.
    pub category: Option<Category>,
    /// Stage.
    pub stage: Stage,
    /// Round.
    pub round: u8,
    /// Title.
    pub title: String,
    /// Received.
    pub received_at: DateTime<Utc>,
    /// Deadline.
    pub due_at: Option<DateTime<Utc>>,
    /// Allowed working days.
    pub limit_days: Option<u32>,
    /// Light as of the model's last tick.
    pub light: Option<Light>,
    /// A return or extension request waits for the platform.
    pub pending: bool,
    /// Lower-case id, title, address, work-order number and holder names, for filter and search.
    haystack: String,
}

impl Row {
    /// True for a case not closed or rejected.
    pub fn is_open(&self) -> bool {
        !self.stage.is_final()
    }
    /// True when the lower-cased `needle` occurs in the id, title, address, work-order number or
    /// holder's name.
    pub fn matches(&self, needle: &str) -> bool {
        needle.is_empty() || self.haystack.contains(needle)
    }
}

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
            now,
            generation: 0,
        }
    }

    /// Builds the projection from every case the engine holds.
    pub fn build(service: &dyn Service) -> crate::engine::Result<Model> {
        let mut model = Model::new(service.config().clone(), service.clock().now());
        for u in service.units()? {
            if let Some(i) = model.unit_pos(&u.id) {
                model.referrals[i as usize] = u.referrals.len() as u32;
            }
        }
        for case in service.all_cases()? {
            model.upsert(&case);
        }
        Ok(model)
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
        self.upsert(&change.case)
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
    pub fn upsert(&mut self, case: &Case) -> bool {
        let unit = |id: &UnitId| self.unit_index.get(id).copied().unwrap_or(0);
        let holder = unit(&case.holder);
        let mut haystack = format!(
            "{}\n{}\n{}\n{}",
            case.id,
            case.title,
            case.address.as_deref().unwrap_or(""),
            case.external_id.as_deref().unwrap_or("")
        );
        if let Some(u) = self.units.get(holder as usize) {
            haystack.push('\n');
            haystack.push_str(&u.name);
            haystack.push('\n');
            haystack.push_str(&u.name_en);
        }
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
            due_at: case.due_at,
            limit_days: case.limit_days,
            light: light::light_of(
                case.stage,
                case.due_at,
                case.limit_days,
                self.now,
                &cfg.calendar,
                &cfg.rules,
            ),
            pending: case.pending.is_some(),
            haystack: haystack.to_lowercase(),
        };
        let newly_red = row.light == Some(Light::Red);
        self.generation += 1;
        match self.by_id.get(&case.id).copied() {
            Some(i) => {
                let old = &self.rows[i as usize];
                if old.version > row.version {
                    return false;
                }
                let was_red = old.light == Some(Light::Red);
                self.own[old.holder as usize].apply(old, -1);
                self.own[row.holder as usize].apply(&row, 1);
                self.rows[i as usize] = row;
                newly_red && !was_red
            }
            None => {
                self.own[row.holder as usize].apply(&row, 1);
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
                let l = light::light_of(
                    row.stage,
                    row.due_at,
                    row.limit_days,
                    now,
                    &cfg.calendar,
                    &cfg.rules,
                );
                if l != row.light {
                    changed = true;
                    if l == Some(Light::Red) {
                        turned_red += 1;
                    }
                    row.light = l;
                }
                self.own[row.holder as usize].apply(row, 1);
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

    /// How many cases the model holds (open and finished).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when the model holds no case.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
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

    /// Working time left on a case now (negative when overdue), for the visible rows.
    pub fn remaining(&self, row: &Row) -> Option<Duration> {
        if !matches!(row.stage, Stage::Assigned | Stage::Handling) {
            return None;
        }
        row.due_at
            .map(|due| light::remaining_until(due, self.now, &self.config.calendar))
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
        let mut out: Vec<u32> = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                (q.all_stages || r.is_open())
                    && (!q.pending_only || r.pending)
                    && (!q.urgent || matches!(r.light, Some(Light::Red | Light::Yellow)))
                    && in_scope(r)
                    && r.matches(&q.text)
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
