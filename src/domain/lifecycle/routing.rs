//! Where a case may go: routing from a platform, escalation one level up, and supporting units'
//! parts of a joint case.

use super::{expect_stage, no_pending, non_empty, unit, Context, Refusal};
use crate::domain::case::{Arrival, Case, Category, Part, Stage};
use crate::domain::event::Event;
use crate::domain::org::{Level, Org, Unit, UnitId};
use crate::domain::users::Role;

/// Where a platform may send an accepted case.
pub(super) fn check_route(
    case: &Case,
    target: &Unit,
    org: &Org,
    joint: bool,
) -> Result<(), Refusal> {
    let platform = &case.holder;
    let platform_level = org.get(platform).map(|u| u.level);
    if platform_level == Some(Level::City) {
        let ok = target.level == Level::Department && target.parent.as_ref() == Some(platform);
        return ok.then_some(()).ok_or_else(|| {
            Refusal::Rule(format!(
                "the city platform sends cases to city departments; {} is not one",
                target.id
            ))
        });
    }
    if target.level.is_platform() || !org.is_within(&target.id, platform) {
        return Err(Refusal::Rule(format!(
            "{} is not a unit of {platform}; escalate to the city platform for city departments",
            target.id
        )));
    }
    if joint {
        return match target.level {
            Level::Department | Level::Street => Ok(()),
            _ => Err(Refusal::Rule(format!(
                "joint enforcement units are streets or departments; {} is a {}",
                target.id,
                target.level.as_str()
            ))),
        };
    }
    match case.category {
        Some(Category::Livelihood) => {
            let from_below = matches!(
                case.arrived_by,
                Some(Arrival::Escalation { .. } | Arrival::Return { .. } | Arrival::SecondRound)
            );
            match target.level {
                Level::Community => Ok(()),
                Level::Department | Level::Street if from_below => Ok(()),
                _ => Err(Refusal::Rule(format!(
                    "a livelihood case goes to its community first (bottom-up); {} is a {} \
                     and takes it only after escalation, a return or in round 2",
                    target.id,
                    target.level.as_str()
                ))),
            }
        }
        Some(Category::Development) if target.level != Level::Department => {
            Err(Refusal::Rule(format!(
                "a development case goes from the platform to a department; {} is a {}",
                target.id,
                target.level.as_str()
            )))
        }
        Some(Category::Enforcement) => Err(Refusal::Rule(
            "an enforcement case is assigned with `joint --lead UNIT --support U1,U2`".into(),
        )),
        _ => Ok(()),
    }
}

pub(super) fn escalate(
    case: &mut Case,
    note: &Option<String>,
    cx: &Context,
) -> Result<Event, Refusal> {
    no_pending(case)?;
    let from = case.holder.clone();
    let here = unit(cx.org, &from)?;
    let note = note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(String::from);
    let (stage, to) = match (case.stage, here.level) {
        (Stage::Triage, Level::District) => {
            if case.accepted_at.is_none() {
                return Err(Refusal::Rule(format!(
                    "accept {} before escalating it",
                    case.id
                )));
            }
            (Stage::Triage, cx.org.city().map(|u| u.id.clone()))
        }
        (Stage::Triage, Level::City) => {
            return Err(Refusal::Rule("the city platform is the top level".into()))
        }
        (Stage::Assigned | Stage::Handling, Level::Community) => {
            (Stage::Assigned, here.parent.clone())
        }
        (Stage::Assigned | Stage::Handling, Level::Street) => (Stage::Triage, here.parent.clone()),
        (Stage::Assigned | Stage::Handling, Level::Department) => {
            return Err(Refusal::Rule(
                "a department does not escalate; request a return (退单) instead".into(),
            ))
        }
        _ => {
            return Err(Refusal::Stage(format!(
                "escalate needs the case in triage, assigned or handling; {} is in {}",
                case.id, case.stage
            )))
        }
    };
    if case.lead.is_some() {
        return Err(Refusal::Rule(
            "a joint enforcement case is not escalated; the lead requests a return".into(),
        ));
    }
    let to = to.ok_or_else(|| Refusal::Rule(format!("{from} has no level above it")))?;
    case.stage = stage;
    case.holder = to.clone();
    case.arrived_by = (stage == Stage::Triage).then(|| Arrival::Escalation { from: from.clone() });
    Ok(Event::Escalate { from, to, note })
}

pub(super) fn report(case: &mut Case, text: &str, cx: &Context) -> Result<Event, Refusal> {
    expect_stage(case, "report", &[Stage::Assigned, Stage::Handling])?;
    if case.supporting.is_empty() {
        return Err(Refusal::Rule(format!(
            "{} has no supporting units",
            case.id
        )));
    }
    let round = case.round;
    let reported = |u: &UnitId| case.parts.iter().any(|p| &p.unit == u && p.round == round);
    let unit = if cx.operator.role == Role::Trainer {
        case.supporting.iter().find(|u| !reported(u)).cloned()
    } else {
        case.supporting
            .iter()
            .find(|u| **u == cx.operator.unit)
            .cloned()
    };
    let Some(unit) = unit else {
        return Err(Refusal::Permission(format!(
            "{} is not a supporting unit of {} with a part still to report",
            cx.operator.unit, case.id
        )));
    };
    if reported(&unit) {
        return Err(Refusal::Rule(format!(
            "{unit} has already reported its part for round {round}"
        )));
    }
    let text = non_empty("text", text)?;
    case.parts.push(Part {
        unit: unit.clone(),
        round,
        text: text.clone(),
        at: cx.now,
    });
    Ok(Event::Report { unit, text })
}

/// The units a platform may route `case` to as it stands: with `joint`, the units that may lead
/// or support a joint assignment; otherwise the units `dispatch` may name. Empty when the holder
/// is not a platform that routes (the stage is checked by `decide`).
pub fn route_targets(case: &Case, org: &Org, joint: bool) -> Vec<UnitId> {
    if !org.get(&case.holder).is_some_and(|u| u.level.is_platform()) {
        return Vec::new();
    }
    org.units()
        .iter()
        .filter(|u| check_route(case, u, org, joint).is_ok())
        .map(|u| u.id.clone())
        .collect()
}
