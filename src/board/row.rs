//! The board's slim copy of one open case ([`Row`]), how its light is judged from its clocks, and
//! the counts per unit, stage and light the tree and header show ([`Counts`]).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::domain::case::{CaseId, Category, Stage};
use crate::domain::config::Config;
use crate::domain::deadlines::{self, ClockKind, StageClock};
use crate::domain::light::Light;
use crate::domain::org::UnitId;

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
    /// Open cases with a provisional deadline (one crossing a year with no calendar).
    pub provisional: u32,
    /// Parts of joint cases this unit supports, by the part's light (red, yellow, blue): the
    /// unit's own work beside the cases it holds, counted on its own tree node only.
    pub parts: [u32; 3],
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
    fn light(&mut self, l: Option<Light>, sign: i32) {
        let add = |v: &mut u32| *v = v.wrapping_add_signed(sign);
        match l {
            Some(Light::Red) => add(&mut self.red),
            Some(Light::Yellow) => add(&mut self.yellow),
            Some(Light::Blue) => add(&mut self.blue),
            None => {}
        }
    }

    pub(super) fn apply(&mut self, row: &Row, sign: i32) {
        let Some(stage) = OPEN_STAGES.iter().position(|s| *s == row.stage) else {
            return;
        };
        let add = |v: &mut u32| *v = v.wrapping_add_signed(sign);
        add(&mut self.open);
        add(&mut self.stages[stage]);
        if row.clocks.iter().any(|c| c.provisional) {
            add(&mut self.provisional);
        }
        self.light(row.light, sign);
    }

    pub(super) fn part(&mut self, l: Light, sign: i32) {
        let i = usize::from(deadlines::rank(l));
        self.parts[i] = self.parts[i].wrapping_add_signed(sign);
    }

    /// Adds another count.
    pub fn add(&mut self, o: &Counts) {
        for (a, b) in self.parts.iter_mut().zip(o.parts) {
            *a += b;
        }
        self.open += o.open;
        self.red += o.red;
        self.yellow += o.yellow;
        self.blue += o.blue;
        self.provisional += o.provisional;
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
    /// The earliest deadline of the running clocks (the queue's order).
    pub due_at: Option<DateTime<Utc>>,
    /// The running clocks.
    pub clocks: Box<[StageClock]>,
    /// Light as of the model's last tick: the worst of the clocks.
    pub light: Option<Light>,
    /// The clock that decides the light (its position in `clocks`).
    pub deciding: Option<u8>,
    /// Each supporting unit's position and its part's light, as of the last tick.
    pub parts: Box<[(u32, Light)]>,
    /// A return or extension request waits for the platform.
    pub pending: bool,
    /// The supervision mark (催 / 督 / 池).
    pub mark: Option<crate::domain::chasing::Mark>,
    /// The positions of the units an open grab order offers the case to (可抢).
    pub offered: Box<[u32]>,
    /// Address and work-order number, one per line (matched by the filter, never shown).
    pub(super) extra: Box<str>,
}

impl Row {
    /// True for a case not closed or rejected.
    pub fn is_open(&self) -> bool {
        !self.stage.is_final()
    }
    /// True when the lower-cased `needle` occurs in the id, title, address or work-order number
    /// (ignoring case), or names the row's stage or category in either language.
    pub fn matches(&self, needle: &str) -> bool {
        needle.is_empty()
            || contains_folded(self.id.as_str(), needle)
            || contains_folded(&self.title, needle)
            || contains_folded(&self.extra, needle)
            || self.words_match(needle)
    }

    /// True when the needle names the row's stage or category, in Chinese or English (`待受理`,
    /// `triage`, `民生`, `livelihood`).
    fn words_match(&self, needle: &str) -> bool {
        use crate::board::i18n::Lang;
        [Lang::Zh, Lang::En].into_iter().any(|l| {
            contains_folded(l.stage(self.stage), needle)
                || self
                    .category
                    .is_some_and(|c| contains_folded(l.category(c), needle))
        })
    }
}

/// True when `hay` contains the lower-case `needle`, comparing `hay` lower-cased character by
/// character (no allocation: the filter runs over every open row on each key).
pub(super) fn contains_folded(hay: &str, needle: &str) -> bool {
    let mut starts = hay.char_indices().map(|(i, _)| i);
    starts.any(|i| {
        let mut h = hay[i..].chars().flat_map(char::to_lowercase);
        needle.chars().all(|n| h.next() == Some(n))
    })
}

/// Works out a row's light, deciding clock and part lights as of `now`.
pub(super) fn judge(row: &mut Row, now: DateTime<Utc>, cfg: &Config, units: &HashMap<UnitId, u32>) {
    let decided = deadlines::deciding(&row.clocks, now, &cfg.calendar, &cfg.rules);
    row.light = decided.map(|(_, l)| l);
    row.deciding = decided.and_then(|(c, _)| {
        row.clocks
            .iter()
            .position(|x| std::ptr::eq(x, c))
            .and_then(|i| u8::try_from(i).ok())
    });
    let mut parts: Vec<(u32, Light)> = Vec::new();
    for c in row.clocks.iter().filter(|c| c.kind == ClockKind::Part) {
        let Some(pos) = c.unit.as_ref().and_then(|u| units.get(u)) else {
            continue;
        };
        let l = c.light(now, &cfg.calendar, &cfg.rules);
        match parts.iter_mut().find(|(u, _)| u == pos) {
            Some((_, w)) if deadlines::rank(l) < deadlines::rank(*w) => *w = l,
            Some(_) => {}
            None => parts.push((*pos, l)),
        }
    }
    row.parts = parts.into_boxed_slice();
}
