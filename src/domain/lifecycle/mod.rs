//! The case lifecycle: `decide` checks a command against the case, the rules and the operator, and
//! returns the new state and the history event. Pure: the caller passes the time and the records.

use chrono::{DateTime, Utc};

mod contact;
mod grab;
mod lookback;
mod matter;
#[cfg(test)]
mod preview_tests;
mod routing;
mod supervision;
#[cfg(test)]
mod tests;
mod verdict;

use crate::domain::calendar::{Deadline, WorkCalendar};
use crate::domain::case::{
    Arrival, Case, Category, Kind, PendingRequest, Reply, Stage, UnitRecord,
};
use crate::domain::command::Command;
use crate::domain::event::Event;
use crate::domain::org::{Org, Unit, UnitId};
use crate::domain::permissions::{acts_for, responsible_unit, role_may};
use crate::domain::rules::Rules;
use crate::domain::users::User;
pub use lookback::mark_drawn;
pub use matter::other_case;
pub use routing::route_targets;
use routing::{check_route, escalate, report};

/// Why a command was refused. The message is shown to the operator as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum Refusal {
    /// The operator's role or unit may not do this.
    #[error("not permitted: {0}")]
    Permission(String),
    /// The case is not in a stage where this command applies.
    #[error("wrong stage: {0}")]
    Stage(String),
    /// An option is missing or malformed.
    #[error("{field}: {reason}")]
    Invalid {
        /// The option.
        field: std::borrow::Cow<'static, str>,
        /// Why.
        reason: String,
    },
    /// A lifecycle rule forbids it.
    #[error("{0}")]
    Rule(String),
}

pub(super) fn invalid(field: &'static str, reason: impl Into<String>) -> Refusal {
    Refusal::Invalid {
        field: field.into(),
        reason: reason.into(),
    }
}

/// Everything `decide` needs besides the case and the command.
pub struct Context<'a> {
    /// The current time.
    pub now: DateTime<Utc>,
    /// Who issues the command.
    pub operator: &'a User,
    /// The organisation.
    pub org: &'a Org,
    /// The rules file.
    pub rules: &'a Rules,
    /// The working-day calendar.
    pub calendar: &'a WorkCalendar,
    /// The responsibility list (its kinds of matter, 事项分类).
    pub matters: &'a crate::domain::responsibility::ResponsibilityList,
    /// The record of the unit the command judges ([`judged_unit`]): the unit under assessment
    /// for `assess`, the returning unit for `deny-return`.
    pub assessed_record: Option<&'a UnitRecord>,
    /// The other case a command names ([`other_case`]): the earlier case of `link`, the open
    /// case of `merge`.
    pub other: Option<&'a Case>,
}

impl<'a> Context<'a> {
    /// The context of `operator` at `now` under `config`, judging no unit record and naming no
    /// other case (what most commands need).
    pub fn of(
        config: &'a crate::domain::config::Config,
        operator: &'a User,
        now: DateTime<Utc>,
    ) -> Context<'a> {
        Context {
            now,
            operator,
            org: &config.org,
            rules: &config.rules,
            calendar: &config.calendar,
            matters: &config.responsibility,
            assessed_record: None,
            other: None,
        }
    }
}

/// The unit whose record a command changes, if any: the unit under assessment (`assess`), the
/// unit whose return is denied (`deny-return`, 不当退单). The caller reads that unit's record
/// into [`Context::assessed_record`].
pub fn judged_unit(case: &Case, command: &Command) -> Option<UnitId> {
    match (command, &case.pending) {
        (Command::Assess { .. }, _) => case.assessed_unit.clone(),
        (Command::DenyReturn, Some(PendingRequest::Return { unit, .. })) => Some(unit.clone()),
        (Command::Lookback { .. }, _) => case.lookback.as_ref().map(|l| l.unit.clone()),
        // A notice counts on the record of the unit that receives it, its answer there too.
        (Command::Supervise { .. }, _) => Some(case.holder.clone()),
        (Command::AnswerSupervision { .. }, _) => case.supervision.as_ref().map(|s| s.unit.clone()),
        // A link may make a repeat notice, counted on the holder's record.
        (Command::Link { .. }, _) => Some(case.holder.clone()),
        _ => None,
    }
}

/// The outcome of an accepted command.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The case after the command.
    pub case: Case,
    /// What happened, for the history.
    pub event: Event,
    /// A unit's assessment record to store (for `assess`).
    pub unit_record: Option<(UnitId, UnitRecord)>,
    /// The other case the command changed, and its history event (the open case of `merge`).
    pub other: Option<(Case, Event)>,
}

/// Checks `command` against `case` and returns the new state, or why it is refused.
pub fn decide(case: &Case, command: &Command, cx: &Context) -> Result<Decision, Refusal> {
    let word = command.name();
    if !role_may(cx.operator.role, word) {
        return Err(Refusal::Permission(format!(
            "a {} may not {word}",
            cx.operator.role.as_str()
        )));
    }
    // A look-back re-visits a closed case.
    if case.stage.is_final() && !matches!(command, Command::Lookback { .. }) {
        return Err(Refusal::Stage(format!(
            "case {} is {}",
            case.id, case.stage
        )));
    }
    if let Some(unit) = responsible_unit(case, word, cx.org) {
        if !matches!(word, "assess" | "supervise" | "lookback") && !acts_for(cx.operator, &unit) {
            return Err(Refusal::Permission(format!(
                "{word} on {} is for {unit}; {} acts for {}",
                case.id, cx.operator.login, cx.operator.unit
            )));
        }
    }
    let mut next = case.clone();
    next.version += 1;
    let (event, unit_record) = apply(&mut next, command, cx)?;
    // A case routed away from the platform while its grab order is open withdraws the order.
    if next.holder != case.holder {
        if let Some(g) = next.grab.as_mut().filter(|g| g.is_open()) {
            g.outcome = crate::domain::case::GrabOutcome::Withdrawn { at: cx.now };
        }
    }
    crate::domain::deadlines::refresh(&mut next, cx.now, cx.rules, cx.calendar);
    let other = match (&event, cx.other) {
        (Event::Merge { notice_moved, .. }, Some(other)) => {
            Some(matter::merged_in(other, case, *notice_moved, cx))
        }
        _ => None,
    };
    Ok(Decision {
        case: next,
        event,
        unit_record,
        other,
    })
}

fn expect_stage(case: &Case, word: &str, stages: &[Stage]) -> Result<(), Refusal> {
    if stages.contains(&case.stage) {
        return Ok(());
    }
    let list: Vec<&str> = stages.iter().map(|s| s.as_str()).collect();
    Err(Refusal::Stage(format!(
        "{word} needs the case in {}; {} is in {}",
        list.join(" or "),
        case.id,
        case.stage
    )))
}

/// First-receiver responsibility (首接负责, "先办后议"): while its return request waits, the unit
/// still signs, contacts the requester, gives 2115 feedback and reports its part — the work goes
/// on; only another request, and the reply, wait for the platform's decision.
pub(super) fn no_pending_return_blocks(case: &Case) -> Result<(), Refusal> {
    match &case.pending {
        Some(PendingRequest::Extension { .. }) => no_pending(case),
        _ => Ok(()),
    }
}

fn no_pending(case: &Case) -> Result<(), Refusal> {
    match &case.pending {
        None => Ok(()),
        Some(PendingRequest::Return { .. }) => Err(Refusal::Rule(
            "a return request waits for the platform's decision (meanwhile the unit still signs, contacts the requester and handles the case: 先办后议)".into(),
        )),
        Some(PendingRequest::Extension { .. }) => Err(Refusal::Rule(
            "an extension request waits for the platform's decision".into(),
        )),
    }
}

/// The most characters of any text a command carries (a note, a reason, a reply's result).
pub const MAX_COMMAND_TEXT: usize = 5_000;

fn non_empty(field: &'static str, text: &str) -> Result<String, Refusal> {
    let t = text.trim();
    if t.is_empty() {
        Err(invalid(field, "must not be empty"))
    } else if t.chars().count() > MAX_COMMAND_TEXT {
        Err(invalid(
            field,
            format!("longer than {MAX_COMMAND_TEXT} characters"),
        ))
    } else {
        Ok(t.to_string())
    }
}

/// The days one extension may add: 1 to the rules file's `max_extension_days`. The preview of an
/// extension is checked by the same rule as the request.
pub fn check_extension_days(days: u32, rules: &Rules) -> Result<(), Refusal> {
    let max = rules.limits.max_extension_days;
    if days == 0 || days > max {
        return Err(invalid("days", format!("must be 1..={max}")));
    }
    Ok(())
}

/// A plausible Chinese phone number: 7 to 12 digits once `-`, spaces and a leading `+86` are
/// removed, e.g. `13853212345` or `0532-88886666`.
pub fn is_plausible_phone(phone: &str) -> bool {
    let p = phone.trim();
    let p = p.strip_prefix("+86").unwrap_or(p);
    let digits: String = p.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    (7..=12).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit())
}

fn unit<'a>(org: &'a Org, id: &UnitId) -> Result<&'a Unit, Refusal> {
    org.get(id)
        .ok_or_else(|| invalid("unit", format!("unknown unit {id}")))
}

fn holder_is_platform(case: &Case, org: &Org) -> bool {
    org.get(&case.holder).is_some_and(|u| u.level.is_platform())
}

/// Sets the round's deadline. With `days`, the limit becomes `days` counted from the round's clock
/// start; without, only a clock that is not running yet (round 2's first dispatch) starts, now,
/// with the rules' limit. Returns the deadline when it was set.
fn set_deadline(case: &mut Case, cx: &Context, days: Option<u32>) -> Option<DateTime<Utc>> {
    let category = case.category?;
    if days.is_none() && case.clock_start.is_some() {
        return None;
    }
    let start = case.clock_start.unwrap_or(cx.now);
    let limit = days.unwrap_or_else(|| cx.rules.limit_days(category, case.kind, case.complex));
    let deadline = round_deadline(case, cx.now, cx.calendar, limit);
    case.clock_start = Some(start);
    case.limit_days = Some(limit);
    case.due_at = Some(deadline.at);
    case.due_provisional = deadline.provisional;
    Some(deadline.at)
}

/// The deadline of `limit` working days counted from the round's clock start (now, when the
/// round's clock has not started).
fn round_deadline(
    case: &Case,
    now: DateTime<Utc>,
    calendar: &WorkCalendar,
    limit: u32,
) -> Deadline {
    calendar.deadline(case.clock_start.unwrap_or(now), limit)
}

/// The deadline an approved extension of `days` more working days would set: the round's limit
/// plus `days`, from the round's clock start. `approve-extension` sets exactly this.
pub fn extended_deadline(
    case: &Case,
    days: u32,
    now: DateTime<Utc>,
    calendar: &WorkCalendar,
) -> Deadline {
    round_deadline(
        case,
        now,
        calendar,
        case.limit_days.unwrap_or_default().saturating_add(days),
    )
}

fn clear_assignment(case: &mut Case) {
    case.lead = None;
    case.supporting.clear();
    case.part_days = None;
    case.pending = None;
}

fn apply(
    case: &mut Case,
    command: &Command,
    cx: &Context,
) -> Result<(Event, Option<(UnitId, UnitRecord)>), Refusal> {
    let word = command.name();
    let now = cx.now;
    let event = match command {
        Command::Accept {
            category,
            kind,
            complex,
            province,
            matter,
        } => {
            expect_stage(case, word, &[Stage::Triage])?;
            if case.accepted_at.is_some() {
                return Err(Refusal::Rule(format!("{} is already accepted", case.id)));
            }
            let matter = matter::kind_of_matter(matter.as_deref(), cx)?;
            if matter.is_some() {
                case.matter = matter.clone();
            }
            let kind = match category {
                Category::Livelihood => Some(kind.unwrap_or(Kind::Complaint)),
                _ => *kind,
            };
            case.province |= *province;
            let limit = match case.province {
                true => cx.rules.province_2115.done_days,
                false => cx.rules.limit_days(*category, kind, *complex),
            };
            let deadline = cx.calendar.deadline(now, limit);
            case.category = Some(*category);
            case.kind = kind;
            case.complex = *complex;
            case.accepted_at = Some(now);
            case.clock_start = Some(now);
            case.limit_days = Some(limit);
            case.due_at = Some(deadline.at);
            case.due_provisional = deadline.provisional;
            Event::Accept {
                category: *category,
                kind,
                complex: *complex,
                limit_days: limit,
                due_at: deadline.at,
                matter,
            }
        }
        Command::Reject { reason, note } => {
            expect_stage(case, word, &[Stage::Triage])?;
            if case.accepted_at.is_some() {
                return Err(Refusal::Rule(format!(
                    "{} is already accepted; an accepted case is not rejected",
                    case.id
                )));
            }
            if cx.rules.reject_reason(*reason).is_none() {
                return Err(invalid(
                    "reason",
                    format!("{reason} is not a reason code 1..7"),
                ));
            }
            let note = non_empty("note", note)?;
            case.stage = Stage::Rejected;
            case.reject_reason = Some(*reason);
            case.closed_at = Some(now);
            Event::Reject {
                reason: *reason,
                note,
            }
        }
        Command::Dispatch { to } | Command::Joint { lead: to, .. } => {
            expect_stage(case, word, &[Stage::Triage])?;
            if case.accepted_at.is_none() {
                return Err(Refusal::Rule(format!(
                    "accept {} before routing it",
                    case.id
                )));
            }
            let target = unit(cx.org, to)?;
            if let Command::Joint {
                support,
                days,
                part_days,
                ..
            } = command
            {
                check_route(case, target, cx.org, true)?;
                if support.is_empty() {
                    return Err(invalid("support", "name at least one supporting unit"));
                }
                for (i, s) in support.iter().enumerate() {
                    if s == to || support[..i].contains(s) {
                        return Err(invalid("support", format!("{s} is named twice")));
                    }
                    check_route(case, unit(cx.org, s)?, cx.org, true)?;
                }
                let max = cx.rules.limits.max_joint_days;
                if days.is_some_and(|d| d == 0 || d > max) {
                    return Err(invalid("days", format!("must be 1..={max}")));
                }
                contact::check_part_days(case, *days, *part_days, cx)?;
            } else {
                check_route(case, target, cx.org, false)?;
            }
            let from = case.holder.clone();
            clear_assignment(case);
            case.stage = Stage::Assigned;
            case.holder = to.clone();
            case.arrived_by = None;
            if let Command::Joint {
                support,
                days,
                part_days,
                ..
            } = command
            {
                case.lead = Some(to.clone());
                case.supporting = support.clone();
                case.part_days = *part_days;
                let due_at = set_deadline(case, cx, *days).or(case.due_at);
                Event::Joint {
                    lead: to.clone(),
                    support: support.clone(),
                    limit_days: case.limit_days.unwrap_or_default(),
                    due_at,
                }
            } else {
                let due_at = set_deadline(case, cx, None);
                Event::Dispatch {
                    from,
                    to: to.clone(),
                    due_at,
                }
            }
        }
        Command::Sign => {
            expect_stage(case, word, &[Stage::Assigned])?;
            no_pending_return_blocks(case)?;
            case.stage = Stage::Handling;
            Event::Sign {
                unit: case.holder.clone(),
            }
        }
        Command::Escalate { note } => escalate(case, note, cx)?,
        Command::Contact { note } => contact::contact(case, note, cx)?,
        Command::Feedback { text } => contact::feedback(case, text, cx)?,
        Command::Return { reason, confirm } => {
            expect_stage(case, word, &[Stage::Assigned, Stage::Handling])?;
            no_pending(case)?;
            let reason = non_empty("reason", reason)?;
            if !confirm {
                return Err(Refusal::Rule(
                    "a return (退单) needs a second, explicit confirmation: add --confirm".into(),
                ));
            }
            case.facts.returns += 1;
            case.pending = Some(PendingRequest::Return {
                unit: case.holder.clone(),
                reason: reason.clone(),
                at: now,
            });
            Event::Return {
                unit: case.holder.clone(),
                reason,
            }
        }
        Command::ApproveReturn | Command::DenyReturn => {
            let Some(PendingRequest::Return { unit: from, .. }) = case.pending.clone() else {
                return Err(Refusal::Rule(format!("{} has no return request", case.id)));
            };
            case.pending = None;
            if matches!(command, Command::DenyReturn) {
                // 不当退单: the return counts on the unit's record.
                let mut record = cx.assessed_record.cloned().unwrap_or_default();
                record.denied_returns.push(crate::domain::case::CaseMark {
                    case: case.id.clone(),
                    at: now,
                });
                return Ok((Event::DenyReturn, Some((from, record))));
            } else {
                let platform = cx
                    .org
                    .platform_of(&from)
                    .map(|u| u.id.clone())
                    .unwrap_or_else(|| case.district.clone());
                clear_assignment(case);
                case.stage = Stage::Triage;
                case.holder = platform.clone();
                case.arrived_by = Some(Arrival::Return { from });
                Event::ApproveReturn { to: platform }
            }
        }
        Command::Extend { days, reason } => {
            expect_stage(case, word, &[Stage::Assigned, Stage::Handling])?;
            no_pending(case)?;
            check_extension_days(*days, cx.rules)?;
            let reason = non_empty("reason", reason)?;
            case.pending = Some(PendingRequest::Extension {
                unit: case.holder.clone(),
                days: *days,
                reason: reason.clone(),
                at: now,
            });
            Event::Extend {
                unit: case.holder.clone(),
                days: *days,
                reason,
            }
        }
        Command::ApproveExtension | Command::DenyExtension => {
            let Some(PendingRequest::Extension { days, .. }) = case.pending.clone() else {
                return Err(Refusal::Rule(format!(
                    "{} has no extension request",
                    case.id
                )));
            };
            case.pending = None;
            if matches!(command, Command::DenyExtension) {
                Event::DenyExtension
            } else {
                case.facts.extensions += 1;
                let limit = case.limit_days.unwrap_or_default() + days;
                let due_at = set_deadline(case, cx, Some(limit));
                Event::ApproveExtension { days, due_at }
            }
        }
        Command::Report { text } => report(case, text, cx)?,
        Command::Reply {
            result,
            basis,
            person,
            phone,
        } => {
            expect_stage(case, word, &[Stage::Handling]).map_err(|e| match case.stage {
                Stage::Assigned => Refusal::Stage(format!("sign for {} before replying", case.id)),
                _ => e,
            })?;
            no_pending(case)?;
            if holder_is_platform(case, cx.org) {
                return Err(Refusal::Rule(
                    "a platform does not reply; it reviews".into(),
                ));
            }
            let round = case.round;
            let missing: Vec<&str> = case
                .supporting
                .iter()
                .filter(|s| !case.parts.iter().any(|p| &p.unit == *s && p.round == round))
                .map(|s| s.as_str())
                .collect();
            if !missing.is_empty() {
                return Err(Refusal::Rule(format!(
                    "the lead replies after every supporting unit has reported; waiting for {}",
                    missing.join(", ")
                )));
            }
            let phone = non_empty("phone", phone)?;
            if !is_plausible_phone(&phone) {
                return Err(invalid(
                    "phone",
                    format!("{phone:?} is not a plausible phone number"),
                ));
            }
            if case.due_at.is_some_and(|due| due < now) {
                case.facts.late_replies += 1;
            }
            let reply = Reply {
                result: non_empty("result", result)?,
                basis: non_empty("basis", basis)?,
                person: non_empty("person", person)?,
                phone,
                unit: case.holder.clone(),
                at: now,
            };
            let reviewer = cx
                .org
                .platform_of(&case.holder)
                .map(|u| u.id.clone())
                .unwrap_or_else(|| case.district.clone());
            case.handled_by = Some(case.holder.clone());
            case.reply = Some(reply.clone());
            case.stage = Stage::Review;
            case.holder = reviewer.clone();
            Event::Reply { reply, reviewer }
        }
        Command::ApproveReply => {
            expect_stage(case, word, &[Stage::Review])?;
            let platform = case.holder.clone();
            if platform != case.district {
                case.holder = case.district.clone();
            } else {
                case.stage = Stage::Evaluation;
            }
            Event::ApproveReply {
                platform,
                next: case.holder.clone(),
            }
        }
        Command::SendBack { note } => {
            expect_stage(case, word, &[Stage::Review])?;
            let note = non_empty("note", note)?;
            let to = case
                .handled_by
                .clone()
                .ok_or_else(|| Refusal::Rule("no unit replied".into()))?;
            case.stage = Stage::Handling;
            case.holder = to.clone();
            case.reply = None;
            Event::SendBack { note, to }
        }
        Command::Evaluate {
            satisfaction,
            resolution,
        } => verdict::evaluate(case, *satisfaction, *resolution, cx)?,
        Command::Assess { outcome, note } => {
            return verdict::assess(case, *outcome, note.as_deref(), cx);
        }
        Command::Supervise { note, days } => {
            return supervision::supervise(case, note, *days, cx);
        }
        Command::AnswerSupervision { text } => return supervision::answer(case, text, cx),
        Command::Publish { to, hours } => grab::publish(case, to, *hours, cx)?,
        Command::Claim { unit } => grab::claim(case, unit.as_ref(), cx)?,
        Command::Link { case: id } => return matter::link(case, id, cx),
        Command::Unlink { case: id } => matter::unlink(case, id)?,
        Command::Merge { into } => matter::merge(case, into, cx)?,
        Command::Lookback { outcome, note } => return lookback::visit(case, *outcome, note, cx),
    };
    Ok((event, None))
}
