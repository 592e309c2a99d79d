//! The verdicts that end a round: the requester's rating (回访评价) and the supervisor's
//! performance assessment (履职评估) after a failed second round.

use chrono::{DateTime, Utc};

use super::{clear_assignment, expect_stage, Context, Refusal};
use crate::domain::case::{
    Arrival, AssessmentOutcome, Case, Evaluation, Referral, Resolution, RoundRecord, Satisfaction,
    Stage, UnitRecord,
};
use crate::domain::event::{EvaluationOutcome, Event};
use crate::domain::org::UnitId;
use crate::domain::permissions::supervises;

/// `evaluate`: closes the case, starts round 2, or sends round 2's unit to assessment.
pub(super) fn evaluate(
    case: &mut Case,
    satisfaction: Satisfaction,
    resolution: Resolution,
    cx: &Context,
) -> Result<Event, Refusal> {
    let now: DateTime<Utc> = cx.now;
    expect_stage(case, "evaluate", &[Stage::Evaluation])?;
    let evaluation = Evaluation {
        satisfaction,
        resolution,
    };
    case.evaluation = Some(evaluation);
    case.previous_rounds.push(RoundRecord {
        round: case.round,
        handled_by: case.handled_by.clone(),
        reply: case.reply.clone(),
        evaluation,
    });
    let outcome = if evaluation.closes_case() {
        case.stage = Stage::Closed;
        case.closed_at = Some(now);
        EvaluationOutcome::Closed
    } else if case.round == 1 {
        start_round_2(case);
        EvaluationOutcome::SecondRound
    } else {
        let unit = case
            .handled_by
            .clone()
            .ok_or_else(|| Refusal::Rule("no unit handled round 2".into()))?;
        case.stage = Stage::Assessment;
        case.assessed_unit = Some(unit.clone());
        case.holder = unit;
        EvaluationOutcome::Assessment
    };
    Ok(Event::Evaluate {
        satisfaction,
        resolution,
        outcome,
    })
}

/// Sends the case back to its district platform for round 2 (二次办理): unassigned, with no reply,
/// its round clock to start at the next dispatch. The rating's `unresolved` and a look-back's
/// false closure both come here.
pub(super) fn start_round_2(case: &mut Case) {
    clear_assignment(case);
    case.round = 2;
    case.stage = Stage::Triage;
    case.holder = case.district.clone();
    case.arrived_by = Some(Arrival::SecondRound);
    case.reply = None;
    case.handled_by = None;
    case.clock_start = None;
    case.limit_days = None;
    case.due_at = None;
    case.due_provisional = false;
}

/// `assess`: the unit's assessment record moves on; a run of failures makes a referral.
pub(super) fn assess(
    case: &mut Case,
    outcome: AssessmentOutcome,
    note: Option<&str>,
    cx: &Context,
) -> Result<(Event, Option<(UnitId, UnitRecord)>), Refusal> {
    let now: DateTime<Utc> = cx.now;
    expect_stage(case, "assess", &[Stage::Assessment])?;
    if !supervises(cx.operator, &case.district, cx.org) {
        return Err(Refusal::Permission(format!(
            "{} supervises {}, not {}",
            cx.operator.login, cx.operator.unit, case.district
        )));
    }
    let unit = case
        .assessed_unit
        .clone()
        .ok_or_else(|| Refusal::Rule("no unit under assessment".into()))?;
    let mut record = cx.assessed_record.cloned().unwrap_or_default();
    let mut referral = None;
    match outcome {
        AssessmentOutcome::Pass => record.failed_assessments = 0,
        AssessmentOutcome::Fail => {
            record.failed_assessments += 1;
            if record.failed_assessments >= cx.rules.assessment.failures_for_referral {
                let r = Referral {
                    unit: unit.clone(),
                    case: case.id.clone(),
                    at: now,
                };
                record.referrals.push(r.clone());
                record.failed_assessments = 0;
                referral = Some(r);
            }
        }
    }
    case.assessment = Some(outcome);
    case.referral = referral.clone();
    case.stage = Stage::Closed;
    case.closed_at = Some(now);
    let failed_in_a_row = match (&referral, outcome) {
        (Some(_), _) => cx.rules.assessment.failures_for_referral,
        _ => record.failed_assessments,
    };
    let event = Event::Assess {
        unit: unit.clone(),
        outcome,
        note: note
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(String::from),
        failed_in_a_row,
        referral,
    };
    Ok((event, Some((unit, record))))
}
