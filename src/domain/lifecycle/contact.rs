//! The requester-facing steps beside handling: first contact (联系诉求人 / 核实), the 2115 first
//! feedback (首次反馈), and the supporting units' part limits of a joint case.

use super::{expect_stage, no_pending_return_blocks, non_empty, Context, Refusal};
use crate::domain::case::{Case, Contact, Stage};
use crate::domain::deadlines::contacted;
use crate::domain::event::Event;

/// The stages in which a case is still before its reply: contact and feedback apply.
const BEFORE_REPLY: &[Stage] = &[Stage::Triage, Stage::Assigned, Stage::Handling];

/// `contact --note T`: the holder records its first contact with the requester in this round.
pub(super) fn contact(case: &mut Case, note: &str, cx: &Context) -> Result<Event, Refusal> {
    expect_stage(case, "contact", BEFORE_REPLY)?;
    if case.stage == Stage::Triage && !case.province {
        return Err(Refusal::Stage(format!(
            "contact is recorded by the unit the case is sent to; in triage only for a 2115 case, and {} is not one",
            case.id
        )));
    }
    no_pending_return_blocks(case)?;
    let note = non_empty("note", note)?;
    if contacted(case, &case.holder) {
        return Err(Refusal::Rule(format!(
            "{} already recorded its contact with the requester of {} in round {}",
            case.holder, case.id, case.round
        )));
    }
    if case.facts.first_contact_in_time.is_none() {
        // 响应: in time when no contact clock of the holder had run out.
        let late = case.stage_clocks.iter().any(|c| {
            c.kind == crate::domain::deadlines::ClockKind::Contact
                && c.unit.as_ref().is_none_or(|u| u == &case.holder)
                && c.due_at < cx.now
        });
        case.facts.first_contact_in_time = Some(!late);
    }
    case.contacts.push(Contact {
        unit: case.holder.clone(),
        round: case.round,
        at: cx.now,
    });
    Ok(Event::Contact {
        unit: case.holder.clone(),
        note,
    })
}

/// `feedback --text T`: the first feedback of a 2115 province enterprise case.
pub(super) fn feedback(case: &mut Case, text: &str, cx: &Context) -> Result<Event, Refusal> {
    expect_stage(case, "feedback", BEFORE_REPLY)?;
    if !case.province {
        return Err(Refusal::Rule(format!(
            "first feedback (首次反馈) is for 2115 province enterprise cases; {} is not one",
            case.id
        )));
    }
    if let Some(at) = case.feedback_at {
        return Err(Refusal::Rule(format!(
            "the first feedback of {} was given at {}",
            case.id,
            crate::domain::calendar::cst_minutes(at)
        )));
    }
    let text = non_empty("text", text)?;
    case.feedback_at = Some(cx.now);
    Ok(Event::Feedback {
        unit: case.holder.clone(),
        text,
    })
}

/// `joint --part-days N`: 1 up to the case's own limit (a part must be in before the lead can
/// reply in time).
pub(super) fn check_part_days(
    case: &Case,
    days: Option<u32>,
    part_days: Option<u32>,
    cx: &Context,
) -> Result<(), Refusal> {
    let Some(p) = part_days else {
        return Ok(());
    };
    let limit = days.or(case.limit_days).unwrap_or_else(|| {
        case.category
            .map(|c| cx.rules.limit_days(c, case.kind, case.complex))
            .unwrap_or(1)
    });
    if p == 0 || p > limit {
        return Err(Refusal::Invalid {
            field: "part-days".into(),
            reason: format!("must be 1..={limit} (the case's own limit)"),
        });
    }
    Ok(())
}
