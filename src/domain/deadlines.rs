//! The clocks of an open case (时限): one running clock for the stage it is in — triage (受理),
//! handling (办理), review (审核), callback (回访) — beside it the contact clock (联系诉求人) from
//! dispatch until the holder records first contact, the supporting units' parts of a joint case,
//! and Qingdao's "2115" clocks for enterprise cases handed down by the province. Every limit is in
//! the rules file ([`ClockRules`]); the case's light is the worst of its running clocks.
//!
//! [`refresh`] is the one place that decides which clocks run: the lifecycle calls it after every
//! command, intake after every new case, and the calendar's recomputation after a new calendar.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::WorkCalendar;
use super::case::{Arrival, Case, Stage};
use super::light::Light;
use super::org::UnitId;
use super::rules::Rules;

/// Which clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    /// 受理 / 研判: at a platform, from arrival until accepted, rejected or routed on.
    Triage,
    /// 联系诉求人: from dispatch until the holder records first contact (`contact`).
    Contact,
    /// 办理: the round's time limit from acceptance (extensions included).
    Handling,
    /// 审核: from the reply until the platform approves it or sends it back.
    Review,
    /// 回访: from the approved reply until the requester's rating is recorded.
    Callback,
    /// 2115 首次反馈: first feedback on a province enterprise case (`feedback`).
    Feedback,
    /// 配合: a supporting unit's part of a joint case, until it reports.
    Part,
    /// 督办: a supervision notice, until the unit answers it.
    Supervision,
}

impl ClockKind {
    /// The name used in the CLI and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ClockKind::Triage => "triage",
            ClockKind::Contact => "contact",
            ClockKind::Handling => "handling",
            ClockKind::Review => "review",
            ClockKind::Callback => "callback",
            ClockKind::Feedback => "feedback",
            ClockKind::Part => "part",
            ClockKind::Supervision => "supervision",
        }
    }

    /// One byte for index values.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// Every kind, in declaration order (an index byte is the position here).
    pub const ALL: [ClockKind; 8] = [
        ClockKind::Triage,
        ClockKind::Contact,
        ClockKind::Handling,
        ClockKind::Review,
        ClockKind::Callback,
        ClockKind::Feedback,
        ClockKind::Part,
        ClockKind::Supervision,
    ];

    /// The kind of an index byte.
    pub fn from_code(b: u8) -> Option<ClockKind> {
        ClockKind::ALL.get(usize::from(b)).copied()
    }
}

/// How long a clock runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Span {
    /// Official working days (24 h of working-day time each, as every limit of the rules).
    WorkingDays(u32),
    /// Clock hours, day and night, working day or not (2115's "2 hours").
    Hours(u32),
}

impl Span {
    /// The whole time allowed, the yardstick of the yellow light.
    pub fn allowed(self) -> Duration {
        match self {
            Span::WorkingDays(d) => Duration::hours(24 * i64::from(d.max(1))),
            Span::Hours(h) => Duration::hours(i64::from(h.max(1))),
        }
    }

    /// The deadline of this span from `start`, and whether it is provisional (it crosses a year
    /// with no calendar).
    pub fn deadline(self, start: DateTime<Utc>, calendar: &WorkCalendar) -> (DateTime<Utc>, bool) {
        match self {
            Span::WorkingDays(d) => {
                let dl = calendar.deadline(start, d);
                (dl.at, dl.provisional)
            }
            Span::Hours(h) => (start + Duration::hours(i64::from(h)), false),
        }
    }

    /// The time left from `now` to `due` as this span counts it (negative when overdue).
    pub fn remaining(
        self,
        due: DateTime<Utc>,
        now: DateTime<Utc>,
        calendar: &WorkCalendar,
    ) -> Duration {
        match self {
            Span::WorkingDays(_) => calendar.working_time_between(now, due).duration,
            Span::Hours(_) => due - now,
        }
    }
}

/// One running clock of an open case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageClock {
    /// Which clock.
    pub kind: ClockKind,
    /// A "2115" clock of a province enterprise case (shown as 2115).
    #[serde(default)]
    pub province: bool,
    /// The unit that must meet it: the supporting unit of a [`ClockKind::Part`], else the unit
    /// that held the case when it started (a clock restarts when the case moves to another
    /// unit, unless the case fixes its start).
    #[serde(default)]
    pub unit: Option<UnitId>,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// How long it runs.
    pub span: Span,
    /// When it runs out.
    pub due_at: DateTime<Utc>,
    /// The deadline crosses a year with no calendar: it is recomputed when that year's calendar
    /// is added.
    #[serde(default)]
    pub provisional: bool,
}

impl StageClock {
    /// The clock's light now: red once due, yellow when at most the rules' share of its allowed
    /// time is left, blue otherwise.
    pub fn light(&self, now: DateTime<Utc>, calendar: &WorkCalendar, rules: &Rules) -> Light {
        light_at(self.span, self.due_at, now, calendar, rules)
    }

    /// Time left now (negative when overdue).
    pub fn remaining(&self, now: DateTime<Utc>, calendar: &WorkCalendar) -> Duration {
        self.span.remaining(self.due_at, now, calendar)
    }

    /// True when this clock is the running clock of `kind` for `unit`.
    fn same(&self, kind: ClockKind, unit: Option<&UnitId>) -> bool {
        self.kind == kind && self.unit.as_ref() == unit
    }
}

/// The light of a clock of `span` due at `due`, now.
pub fn light_at(
    span: Span,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
    calendar: &WorkCalendar,
    rules: &Rules,
) -> Light {
    if now >= due {
        return Light::Red;
    }
    let left = span.remaining(due, now, calendar);
    let threshold = span.allowed().num_seconds() as f64 * rules.lights.yellow_remaining_fraction;
    if (left.num_seconds() as f64) <= threshold {
        Light::Yellow
    } else {
        Light::Blue
    }
}

/// The clock that decides a case's light: the worst light, then the earliest deadline.
pub fn deciding<'a>(
    clocks: &'a [StageClock],
    now: DateTime<Utc>,
    calendar: &WorkCalendar,
    rules: &Rules,
) -> Option<(&'a StageClock, Light)> {
    clocks
        .iter()
        .map(|c| (c, c.light(now, calendar, rules)))
        .min_by_key(|(c, l)| (rank(*l), c.due_at))
}

/// Red 0, yellow 1, blue 2: sorts the most urgent first.
pub fn rank(l: Light) -> u8 {
    match l {
        Light::Red => 0,
        Light::Yellow => 1,
        Light::Blue => 2,
    }
}

/// The clocks' limits from the rules file (`[clocks]` and `[province_2115]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockRules {
    /// 受理: working days from receipt (or arrival at a platform) to accept, reject or route.
    pub triage_days: u32,
    /// 联系诉求人: working days from dispatch to the holder's first contact.
    pub contact_days: u32,
    /// 审核: working days from the reply to the platform's decision.
    pub review_days: u32,
    /// 回访: working days from the approved reply to the recorded rating.
    pub callback_days: u32,
    /// 督办: working days a unit has to answer a supervision notice (`supervise --days` may set
    /// another, up to `max_supervision_days`).
    #[serde(default = "default_supervision_days")]
    pub supervision_days: u32,
    /// The most working days `supervise --days` may give.
    #[serde(default = "default_max_supervision_days")]
    pub max_supervision_days: u32,
}

fn default_supervision_days() -> u32 {
    2
}

fn default_max_supervision_days() -> u32 {
    10
}

impl Default for ClockRules {
    fn default() -> Self {
        ClockRules {
            triage_days: 1,
            contact_days: 1,
            review_days: 1,
            callback_days: 2,
            supervision_days: default_supervision_days(),
            max_supervision_days: default_max_supervision_days(),
        }
    }
}

/// Qingdao's "2115" standard for enterprise cases handed down by the province (省交办企业诉求).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvinceRules {
    /// Contact the enterprise within this many clock hours of receipt.
    pub contact_hours: u32,
    /// First feedback within this many working days of receipt.
    pub feedback_days: u32,
    /// Done within this many working days of acceptance (the handling limit).
    pub done_days: u32,
}

impl Default for ProvinceRules {
    fn default() -> Self {
        ProvinceRules {
            contact_hours: 2,
            feedback_days: 1,
            done_days: 15,
        }
    }
}

/// A clock the case needs now: kind, part unit, province, span, and where it starts when it is
/// not running yet.
struct Need {
    kind: ClockKind,
    unit: Option<UnitId>,
    province: bool,
    span: Span,
    start: DateTime<Utc>,
    /// The start is fixed by the case (receipt, acceptance), not by when the clock appeared.
    fixed: bool,
}

/// True when `unit` recorded contact with the requester in this round.
pub fn contacted(case: &Case, unit: &UnitId) -> bool {
    case.contacts
        .iter()
        .any(|c| &c.unit == unit && c.round == case.round)
}

fn needs(case: &Case, now: DateTime<Utc>, rules: &Rules) -> Vec<Need> {
    let r = &rules.clocks;
    let p = &rules.province_2115;
    let mut out = Vec::new();
    let holder = || Some(case.holder.clone());
    let mut need = |kind, unit: Option<UnitId>, province, span, start, fixed| {
        out.push(Need {
            kind,
            unit,
            province,
            span,
            start,
            fixed,
        })
    };
    let round_one = case.round == 1;
    let province = case.province && round_one;
    // The round's handling time, from acceptance (round 2: its first dispatch).
    let handling = match (case.clock_start, case.limit_days) {
        (Some(start), Some(days)) => Some((start, Span::WorkingDays(days))),
        _ => None,
    };
    match case.stage {
        Stage::Triage => match handling {
            // Accepted and waiting to be routed (again): the round's handling time runs on.
            Some((start, span)) if case.accepted_at.is_some() => {
                need(ClockKind::Handling, holder(), province, span, start, true);
            }
            // Fresh from intake: from receipt; otherwise (a second round, an escalation before
            // acceptance) from arrival at this platform.
            _ => {
                let fresh = case.accepted_at.is_none()
                    && matches!(case.arrived_by, Some(Arrival::Intake) | None);
                let start = if fresh { case.received_at } else { now };
                let span = Span::WorkingDays(r.triage_days);
                need(ClockKind::Triage, holder(), false, span, start, fresh);
            }
        },
        Stage::Assigned | Stage::Handling => {
            if let Some((start, span)) = handling {
                need(ClockKind::Handling, holder(), province, span, start, true);
            }
            if !province && !contacted(case, &case.holder) {
                need(
                    ClockKind::Contact,
                    holder(),
                    false,
                    Span::WorkingDays(r.contact_days),
                    now,
                    false,
                );
            }
            for s in &case.supporting {
                let reported = case
                    .parts
                    .iter()
                    .any(|p| &p.unit == s && p.round == case.round);
                if !reported {
                    let span = Span::WorkingDays(case.part_days.or(case.limit_days).unwrap_or(1));
                    let start = case.clock_start.unwrap_or(now);
                    need(ClockKind::Part, Some(s.clone()), false, span, start, true);
                }
            }
        }
        Stage::Review => {
            need(
                ClockKind::Review,
                holder(),
                false,
                Span::WorkingDays(r.review_days),
                now,
                false,
            );
        }
        Stage::Evaluation => {
            need(
                ClockKind::Callback,
                holder(),
                false,
                Span::WorkingDays(r.callback_days),
                now,
                false,
            );
        }
        Stage::Assessment | Stage::Closed | Stage::Rejected | Stage::Merged => {}
    }
    let open_before_reply = matches!(
        case.stage,
        Stage::Triage | Stage::Assigned | Stage::Handling
    );
    if province && open_before_reply {
        if case.contacts.iter().all(|c| c.round != 1) {
            need(
                ClockKind::Contact,
                holder(),
                true,
                Span::Hours(p.contact_hours),
                case.received_at,
                true,
            );
        }
        if case.feedback_at.is_none() {
            need(
                ClockKind::Feedback,
                holder(),
                true,
                Span::WorkingDays(p.feedback_days),
                case.received_at,
                true,
            );
        }
    }
    // 督办: an unanswered supervision notice on an open case runs until the unit answers.
    let open = !matches!(case.stage, Stage::Assessment) && !case.stage.is_final();
    if let Some(s) = case
        .supervision
        .as_ref()
        .filter(|s| s.answer.is_none() && open)
    {
        need(
            ClockKind::Supervision,
            Some(s.unit.clone()),
            false,
            Span::WorkingDays(s.days),
            s.at,
            true,
        );
    }
    out
}

/// Sets the case's running clocks for the state it is in now: a clock that already runs keeps
/// its start; a new one starts now (or at the time the case fixes: receipt for triage and the
/// 2115 clocks, the round's start for handling and parts); a stopped one is dropped. Every
/// deadline is computed with `calendar`. Returns true when any clock's deadline changed.
pub fn refresh(
    case: &mut Case,
    now: DateTime<Utc>,
    rules: &Rules,
    calendar: &WorkCalendar,
) -> bool {
    let before = std::mem::take(&mut case.stage_clocks);
    let mut after = Vec::new();
    for n in needs(case, now, rules) {
        let running = before
            .iter()
            .find(|c| c.same(n.kind, n.unit.as_ref()) && c.province == n.province);
        let start = match running {
            Some(c) if !n.fixed => c.started_at,
            _ => n.start,
        };
        let (due_at, provisional) = n.span.deadline(start, calendar);
        after.push(StageClock {
            kind: n.kind,
            province: n.province,
            unit: n.unit,
            started_at: start,
            span: n.span,
            due_at,
            provisional,
        });
    }
    let changed = after.len() != before.len()
        || after
            .iter()
            .zip(&before)
            .any(|(a, b)| a.due_at != b.due_at || a.kind != b.kind);
    case.stage_clocks = after;
    crate::domain::chasing::schedule(case, rules, calendar);
    changed
}

/// The deadlines a new calendar moves: every running clock computed again from its start with
/// `calendar`. Returns `(kind, old due, new due)` for each clock that moved; the case's handling
/// fields follow the handling clock.
pub fn recompute(
    case: &mut Case,
    calendar: &WorkCalendar,
) -> Vec<(ClockKind, DateTime<Utc>, DateTime<Utc>)> {
    let mut moved = Vec::new();
    for c in &mut case.stage_clocks {
        let (due, provisional) = c.span.deadline(c.started_at, calendar);
        c.provisional = provisional;
        if due != c.due_at {
            moved.push((c.kind, c.due_at, due));
            c.due_at = due;
        }
        if c.kind == ClockKind::Handling {
            case.due_at = Some(due);
            case.due_provisional = provisional;
        }
    }
    moved
}

/// True when any running clock of the case is provisional.
pub fn any_provisional(case: &Case) -> bool {
    case.stage_clocks.iter().any(|c| c.provisional)
}

/// One running clock as `show --json` and `cases --json` report it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClockView {
    /// Which clock.
    pub kind: ClockKind,
    /// A 2115 clock.
    #[serde(default)]
    pub province: bool,
    /// The supporting unit of a part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<UnitId>,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it runs out.
    pub due_at: DateTime<Utc>,
    /// Its light now.
    pub light: Light,
    /// Time left now, in seconds (negative when overdue).
    pub remaining_secs: i64,
    /// Computed across a year with no calendar.
    pub provisional: bool,
}

/// Every running clock of a case as of `now`, most urgent first.
pub fn views(
    clocks: &[StageClock],
    now: DateTime<Utc>,
    calendar: &WorkCalendar,
    rules: &Rules,
) -> Vec<ClockView> {
    let mut out: Vec<ClockView> = clocks
        .iter()
        .map(|c| ClockView {
            kind: c.kind,
            province: c.province,
            unit: (c.kind == ClockKind::Part)
                .then(|| c.unit.clone())
                .flatten(),
            started_at: c.started_at,
            due_at: c.due_at,
            light: c.light(now, calendar, rules),
            remaining_secs: c.remaining(now, calendar).num_seconds(),
            provisional: c.provisional,
        })
        .collect();
    out.sort_by_key(|v| (rank(v.light), v.due_at));
    out
}

#[cfg(test)]
#[path = "deadlines_tests.rs"]
mod tests;
