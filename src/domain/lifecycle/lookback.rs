//! Look-back (回头看) on a closed case: drawn by the platform's sample, re-visited by a
//! supervisor. The rules of the draw are in [`crate::domain::lookback`].

use super::{non_empty, Context, Refusal};
use crate::domain::case::{Case, Stage, UnitRecord};
use crate::domain::event::Event;
use crate::domain::lookback::{Lookback, LookbackMark, LookbackOutcome, Month, Visit};
use crate::domain::org::UnitId;
use crate::domain::permissions::supervises;
use crate::domain::users::User;

/// Marks a closed case as drawn for `month`'s look-back (the engine's sample, not a typed
/// command): the case must be closed with a unit that handled it, and not drawn already.
pub fn mark_drawn(
    case: &Case,
    month: Month,
    seed: u64,
    operator: &User,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(Case, Event), Refusal> {
    if case.stage != Stage::Closed {
        return Err(Refusal::Stage(format!(
            "{} is {}; a look-back samples closed cases",
            case.id, case.stage
        )));
    }
    let Some(unit) = case.handled_by.clone() else {
        return Err(Refusal::Rule(format!("no unit handled {}", case.id)));
    };
    if case
        .lookback
        .as_ref()
        .is_some_and(|l| l.visit.is_none() || l.month == month.to_string())
    {
        return Err(Refusal::Rule(format!(
            "{} is already drawn for a look-back",
            case.id
        )));
    }
    let mut next = case.clone();
    next.version += 1;
    next.lookback = Some(Lookback {
        month: month.to_string(),
        by: operator.login.clone(),
        drawn_at: now,
        unit: unit.clone(),
        visit: None,
    });
    let event = Event::LookbackDrawn {
        month: month.to_string(),
        unit,
        seed,
    };
    Ok((next, event))
}

/// `lookback --outcome O --note T`: a supervisor of the case's district records the re-visit of
/// a drawn case. Every result counts on the unit's record; a false closure or a pressed rating
/// reopens the case in round 2 at its district platform (a case that was already in round 2 does
/// round 2 again).
pub(super) fn visit(
    case: &mut Case,
    outcome: LookbackOutcome,
    note: &str,
    cx: &Context,
) -> Result<(Event, Option<(UnitId, UnitRecord)>), Refusal> {
    if !supervises(cx.operator, &case.district, cx.org) {
        return Err(Refusal::Permission(format!(
            "{} supervises {}, not {}",
            cx.operator.login, cx.operator.unit, case.district
        )));
    }
    let Some(lookback) = case.lookback.as_mut().filter(|l| l.visit.is_none()) else {
        return Err(Refusal::Rule(format!(
            "{} is not drawn for a look-back",
            case.id
        )));
    };
    let note = non_empty("note", note)?;
    lookback.visit = Some(Visit {
        outcome,
        note: note.clone(),
        by: cx.operator.login.clone(),
        at: cx.now,
    });
    let unit = lookback.unit.clone();
    let mut record = cx.assessed_record.cloned().unwrap_or_default();
    record.lookbacks.push(LookbackMark {
        case: case.id.clone(),
        at: cx.now,
        outcome,
    });
    if outcome.reopens() {
        super::verdict::start_round_2(case);
        case.closed_at = None;
        case.chase = Default::default();
    }
    let event = Event::Lookback {
        outcome,
        note,
        unit: unit.clone(),
        reopened: outcome.reopens(),
    };
    Ok((event, Some((unit, record))))
}
