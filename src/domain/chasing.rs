//! Chasing late cases (催办 → 督办池): the time-driven half of supervision.
//!
//! A case whose earliest running clock ([`crate::domain::deadlines`]) ran out is **chased** (催办)
//! once `chase_after_days` working days have passed since; if a clock is still out
//! `pool_after_days` working days after the chase, the case moves to the **supervision pool**
//! (督办池), where it stays until it closes. The seeds' words: "对于未在规定时间内响应办理的事项,
//! 及时盯办督办,督办后仍不见效果的,全部纳入政务平台'督办池'".
//!
//! Each case carries its next step and the time it falls due ([`Chase::next`], computed by
//! [`schedule`] whenever its clocks are set). The store indexes that time, and whichever process
//! first sees a step due records it once ([`advance`]) with the time it fell due, not the time it
//! was noticed, so a chase looks the same whether a server was running or not.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::WorkCalendar;
use super::case::{Case, CaseMark, GrabOutcome, UnitRecord};
use super::deadlines::ClockKind;
use super::event::Event;
use super::org::UnitId;
use super::rules::Rules;

/// The login recorded on the history entries of time-driven steps.
pub const SYSTEM: &str = "jiban";

/// How far a late case has been chased.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ChaseLevel {
    /// Not chased.
    #[default]
    None,
    /// 催办: chased once its clock ran out and the grace period passed.
    Chased,
    /// 督办池: still late after the second period; supervised until it closes.
    Pooled,
}

impl ChaseLevel {
    /// The word used in the CLI, JSON and history.
    pub fn as_str(self) -> &'static str {
        match self {
            ChaseLevel::None => "none",
            ChaseLevel::Chased => "chased",
            ChaseLevel::Pooled => "pooled",
        }
    }
}

/// A case's place on the chasing ladder.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chase {
    /// Where it is.
    pub level: ChaseLevel,
    /// When it was chased (the time the chase fell due).
    pub chased_at: Option<DateTime<Utc>>,
    /// When it entered the pool.
    pub pooled_at: Option<DateTime<Utc>>,
    /// The next time-driven step and when it falls due (none when nothing is scheduled).
    pub next: Option<NextStep>,
}

/// A time-driven step of a case and when it falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextStep {
    /// When it falls due.
    pub at: DateTime<Utc>,
    /// What happens then.
    pub step: StepKind,
}

/// What a time-driven step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// 催办: the case is chased.
    Chase,
    /// 入督办池: the case enters the supervision pool.
    Pool,
    /// 抢单超时: the grab order's window closes unclaimed; the case stays with the platform.
    CloseGrab,
}

impl NextStep {
    fn new(at: DateTime<Utc>, step: StepKind) -> NextStep {
        NextStep { at, step }
    }
}

impl StepKind {
    /// The word used in the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Chase => "chase",
            StepKind::Pool => "pool",
            StepKind::CloseGrab => "close-grab",
        }
    }
}

/// The rules of chasing (`[supervision]` in the rules file; both keys optional).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChaseRules {
    /// Working days after a clock runs out before the case is chased (0: at once).
    #[serde(default = "default_chase_after_days")]
    pub chase_after_days: u32,
    /// Working days after the chase before a case still late enters the pool (0: at once).
    #[serde(default = "default_pool_after_days")]
    pub pool_after_days: u32,
    /// Hours a grab order stays open (`publish --hours` may set another; 抢单 3 小时).
    #[serde(default = "default_grab_hours")]
    pub grab_hours: u32,
    /// The most hours `publish --hours` may give.
    #[serde(default = "default_max_grab_hours")]
    pub max_grab_hours: u32,
}

fn default_grab_hours() -> u32 {
    3
}

fn default_max_grab_hours() -> u32 {
    24
}

fn default_chase_after_days() -> u32 {
    1
}

fn default_pool_after_days() -> u32 {
    2
}

impl Default for ChaseRules {
    fn default() -> Self {
        ChaseRules {
            chase_after_days: default_chase_after_days(),
            pool_after_days: default_pool_after_days(),
            grab_hours: default_grab_hours(),
            max_grab_hours: default_max_grab_hours(),
        }
    }
}

/// Sets [`Chase::next`] from the case's running clocks and its open grab order: called whenever
/// they are set. The earliest step wins; the others are scheduled again after it.
pub fn schedule(case: &mut Case, rules: &Rules, calendar: &WorkCalendar) {
    let r = &rules.supervision;
    let earliest = case.stage_clocks.iter().map(|c| c.due_at).min();
    let chase = match (case.stage.is_final(), case.chase.level, earliest) {
        (true, _, _) | (_, ChaseLevel::Pooled, _) | (_, _, None) => None,
        (false, ChaseLevel::None, Some(due)) => Some(NextStep::new(
            calendar.deadline(due, r.chase_after_days).at,
            StepKind::Chase,
        )),
        (false, ChaseLevel::Chased, Some(due)) => {
            let chased = case.chase.chased_at.unwrap_or(due);
            let after = calendar.deadline(chased, r.pool_after_days).at;
            Some(NextStep::new(after.max(due), StepKind::Pool))
        }
    };
    let grab = case
        .grab
        .as_ref()
        .filter(|g| g.is_open() && !case.stage.is_final())
        .map(|g| NextStep::new(g.until, StepKind::CloseGrab));
    case.chase.next = match (chase, grab) {
        (Some(c), Some(g)) => Some(if g.at <= c.at { g } else { c }),
        (c, g) => c.or(g),
    };
}

/// The units whose records the next step of `case` may change: the holder (a chase or a pool
/// move) and every unit a grab order was offered to (an unclaimed order). The engine reads these
/// records before [`advance`].
pub fn units_counted(case: &Case) -> Vec<UnitId> {
    let mut out = vec![case.holder.clone()];
    if let Some(g) = &case.grab {
        out.extend(g.units.iter().cloned());
    }
    out.dedup();
    out
}

/// A time-driven step recorded by [`advance`].
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The history event.
    pub event: Event,
    /// When it fell due (the history entry's time).
    pub at: DateTime<Utc>,
}

/// Records the step of `case` due by `now`, if any, and schedules the next one: a chase or a pool
/// move raises the level and counts on the holder's record; a grab window closing unclaimed
/// counts on every offered unit's record. `records` holds the records of [`units_counted`] (a
/// missing one starts empty). Returns `None` when nothing is due (already recorded by another
/// process, or the clocks moved).
pub fn advance(
    case: &mut Case,
    records: &mut BTreeMap<UnitId, UnitRecord>,
    now: DateTime<Utc>,
    rules: &Rules,
    calendar: &WorkCalendar,
) -> Option<Step> {
    let NextStep { at, step } = case.chase.next.filter(|n| n.at <= now)?;
    let mark = CaseMark {
        case: case.id.clone(),
        at,
    };
    if step == StepKind::CloseGrab {
        let grab = case.grab.as_mut().filter(|g| g.is_open())?;
        grab.outcome = GrabOutcome::Unclaimed;
        for unit in &grab.units {
            records
                .entry(unit.clone())
                .or_default()
                .unclaimed
                .push(mark.clone());
        }
        let event = Event::GrabClosed {
            units: grab.units.clone(),
        };
        case.version += 1;
        schedule(case, rules, calendar);
        return Some(Step { event, at });
    }
    let level = match step {
        StepKind::Chase => ChaseLevel::Chased,
        _ => ChaseLevel::Pooled,
    };
    let record = records.entry(case.holder.clone()).or_default();
    let clock = case
        .stage_clocks
        .iter()
        .filter(|c| c.due_at <= at)
        .min_by_key(|c| c.due_at)
        .map(|c| (c.kind, c.due_at));
    let (kind, late_since) = clock.unwrap_or((ClockKind::Handling, at));
    if level == ChaseLevel::Chased {
        case.chase.chased_at = Some(at);
        record.chases.push(mark);
    } else {
        case.chase.pooled_at = Some(at);
        record.pooled.push(mark);
    }
    case.chase.level = level;
    case.version += 1;
    schedule(case, rules, calendar);
    Some(Step {
        event: Event::Chase {
            level,
            unit: case.holder.clone(),
            clock: kind,
            late_since,
        },
        at,
    })
}

/// The mark a queue shows for a case (催 / 督 / 池): the pool first, then an unanswered notice,
/// then a chase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    /// 催: chased.
    Chased,
    /// 督: a supervision notice waits for the unit's answer.
    Supervised,
    /// 池: in the supervision pool.
    Pooled,
}

impl Mark {
    /// The mark of a case at `level` with (or without) an unanswered notice.
    pub fn of(level: ChaseLevel, notice_waiting: bool) -> Option<Mark> {
        match (level, notice_waiting) {
            (ChaseLevel::Pooled, _) => Some(Mark::Pooled),
            (_, true) => Some(Mark::Supervised),
            (ChaseLevel::Chased, false) => Some(Mark::Chased),
            (ChaseLevel::None, false) => None,
        }
    }

    /// The mark of a case as it stands: a grab order nobody claimed makes the case a supervised
    /// matter (视为督办事项) until it closes. A finished case has none: it has left the pool (its
    /// history keeps the chases).
    pub fn of_case(case: &Case) -> Option<Mark> {
        if case.stage.is_final() {
            return None;
        }
        let waiting = case
            .supervision
            .as_ref()
            .is_some_and(|s| s.answer.is_none())
            || case
                .grab
                .as_ref()
                .is_some_and(|g| g.outcome == GrabOutcome::Unclaimed);
        Mark::of(case.chase.level, waiting)
    }

    /// The word used in the CLI's JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Mark::Chased => "chased",
            Mark::Supervised => "supervised",
            Mark::Pooled => "pooled",
        }
    }
}

#[cfg(test)]
#[path = "chasing_tests.rs"]
mod tests;
