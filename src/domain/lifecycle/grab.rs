//! Grab orders (抢单, Jining's 济时办): instead of dispatching an accepted case, the platform
//! publishes it to several units for a window (3 hours by default); the first unit to claim it
//! takes it and handles it at once (claiming is signing); the others are refused with who won.
//! A window that closes unclaimed is a time-driven step ([`crate::domain::chasing`]): the case
//! stays with the platform to assign (指定派发), is a supervised matter, and counts as an
//! unclaimed order on every unit it was offered to.

use super::routing::check_route;
use super::{clear_assignment, expect_stage, invalid, no_pending, set_deadline, unit};
use super::{Context, Refusal};
use crate::domain::calendar::cst_minutes as cst;
use crate::domain::case::{Case, GrabOrder, GrabOutcome, Stage};
use crate::domain::event::Event;
use crate::domain::org::UnitId;
use crate::domain::permissions::acts_for;

/// `publish --to U1,U2 [--hours N]`: by the platform holding an accepted case.
pub(super) fn publish(
    case: &mut Case,
    to: &[UnitId],
    hours: Option<u32>,
    cx: &Context,
) -> Result<Event, Refusal> {
    expect_stage(case, "publish", &[Stage::Triage])?;
    no_pending(case)?;
    if case.accepted_at.is_none() {
        return Err(Refusal::Rule(format!(
            "accept {} before publishing it",
            case.id
        )));
    }
    if let Some(g) = case.grab.as_ref().filter(|g| g.is_open()) {
        return Err(Refusal::Rule(format!(
            "{} is already published to {} until {}",
            case.id,
            names(&g.units),
            cst(g.until)
        )));
    }
    if to.is_empty() {
        return Err(invalid("to", "name at least one unit"));
    }
    for (i, u) in to.iter().enumerate() {
        if to[..i].contains(u) {
            return Err(invalid("to", format!("{u} is named twice")));
        }
        check_route(case, unit(cx.org, u)?, cx.org, false)?;
    }
    let r = &cx.rules.supervision;
    let hours = hours.unwrap_or(r.grab_hours);
    if hours == 0 || hours > r.max_grab_hours {
        return Err(invalid(
            "hours",
            format!("must be 1..={}", r.max_grab_hours),
        ));
    }
    let until = cx.now + chrono::Duration::hours(i64::from(hours));
    case.grab = Some(GrabOrder {
        units: to.to_vec(),
        by: cx.operator.login.clone(),
        at: cx.now,
        until,
        outcome: GrabOutcome::Open,
    });
    Ok(Event::Publish {
        units: to.to_vec(),
        until,
    })
}

/// `claim [--unit U]`: a unit the order was offered to takes the case, first come first served.
pub(super) fn claim(
    case: &mut Case,
    claimant: Option<&UnitId>,
    cx: &Context,
) -> Result<Event, Refusal> {
    let Some(grab) = case.grab.clone() else {
        return Err(Refusal::Rule(format!("{} was not published", case.id)));
    };
    match &grab.outcome {
        GrabOutcome::Claimed { unit, at } => {
            return Err(Refusal::Rule(format!(
                "{} was already claimed by {unit} at {}",
                case.id,
                cst(*at)
            )))
        }
        GrabOutcome::Withdrawn { at } => {
            return Err(Refusal::Rule(format!(
                "the platform assigned {} itself at {}",
                case.id,
                cst(*at)
            )))
        }
        GrabOutcome::Unclaimed => {
            return Err(Refusal::Rule(format!(
                "the grab window of {} closed unclaimed at {}; the platform assigns it",
                case.id,
                cst(grab.until)
            )))
        }
        GrabOutcome::Open if cx.now >= grab.until => {
            return Err(Refusal::Rule(format!(
                "the grab window of {} closed at {}",
                case.id,
                cst(grab.until)
            )))
        }
        GrabOutcome::Open => {}
    }
    let unit_id = claimant.unwrap_or(&cx.operator.unit).clone();
    if !grab.units.contains(&unit_id) {
        return Err(Refusal::Permission(format!(
            "{} is offered to {}, not {unit_id}",
            case.id,
            names(&grab.units)
        )));
    }
    if !acts_for(cx.operator, &unit_id) {
        return Err(Refusal::Permission(format!(
            "{} acts for {}, not {unit_id}",
            cx.operator.login, cx.operator.unit
        )));
    }
    clear_assignment(case);
    case.stage = Stage::Handling;
    case.holder = unit_id.clone();
    case.arrived_by = None;
    let due_at = set_deadline(case, cx, None).or(case.due_at);
    if let Some(g) = case.grab.as_mut() {
        g.outcome = GrabOutcome::Claimed {
            unit: unit_id.clone(),
            at: cx.now,
        };
    }
    Ok(Event::Claim {
        unit: unit_id,
        due_at,
    })
}

fn names(units: &[UnitId]) -> String {
    units
        .iter()
        .map(|u| u.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::domain::case::{GrabOutcome, Stage};
    use crate::domain::chasing::{advance, Mark};
    use crate::domain::command::Command;
    use crate::domain::event::Event;
    use crate::domain::org::UnitId;
    use crate::domain::testkit::{cst, Walk};

    const HAIDAMAIDAO: &str = "laoshan.jinjialing.haidamaidao";
    const SHILAOREN: &str = "laoshan.jinjialing.shilaoren";

    fn accepted() -> Walk {
        let mut w = Walk::new();
        w.now = cst(2026, 11, 23, 9, 30);
        w.accept_complaint();
        w
    }

    fn publish(units: &[&str], hours: Option<u32>) -> Command {
        Command::Publish {
            to: units.iter().map(|u| UnitId::new(*u)).collect(),
            hours,
        }
    }

    #[test]
    fn a_published_case_goes_to_the_first_unit_that_claims_it() {
        let mut w = Walk::new();
        // Not before it is accepted.
        assert!(w
            .refuse("ls_dispatch", publish(&[HAIDAMAIDAO], None))
            .contains("accept"));
        w = accepted();
        w.now = cst(2026, 11, 23, 9, 30);
        w.run("ls_dispatch", publish(&[HAIDAMAIDAO, SHILAOREN], None));
        let grab = w.case.grab.clone().expect("published");
        assert_eq!(grab.until, cst(2026, 11, 23, 12, 30), "3 hours by default");
        assert_eq!(w.case.stage, Stage::Triage);
        // A unit it was not offered to may not claim it.
        assert!(w
            .refuse("ls_jinjialing", Command::Claim { unit: None })
            .contains("offered to"));
        w.now = cst(2026, 11, 23, 10, 0);
        w.run("ls_shilaoren", Command::Claim { unit: None });
        assert_eq!(
            (w.case.stage, w.case.holder.as_str()),
            (Stage::Handling, SHILAOREN)
        );
        // The other unit is told who won, and when.
        let lost = w.refuse("ls_haidamaidao", Command::Claim { unit: None });
        assert!(
            lost.contains("already claimed by laoshan.jinjialing.shilaoren at 2026-11-23 10:00"),
            "{lost}"
        );
        // The window no longer closes: nothing is scheduled for it.
        assert!(w
            .case
            .chase
            .next
            .is_none_or(|n| n.step != crate::domain::chasing::StepKind::CloseGrab));
    }

    #[test]
    fn a_window_that_closes_unclaimed_leaves_the_case_supervised_and_counts_on_every_unit() {
        let mut w = accepted();
        w.now = cst(2026, 11, 23, 9, 30);
        w.run("ls_dispatch", publish(&[HAIDAMAIDAO, SHILAOREN], Some(2)));
        let mut records = BTreeMap::new();
        // Nothing before the window closes, at 11:30.
        w.now = cst(2026, 11, 23, 11, 29);
        assert!(advance(
            &mut w.case,
            &mut records,
            w.now,
            &w.config.rules,
            &w.config.calendar
        )
        .is_none());
        // A claim after the window closed is refused even before the close is recorded.
        w.now = cst(2026, 11, 23, 11, 31);
        assert!(w
            .refuse("ls_shilaoren", Command::Claim { unit: None })
            .contains("closed at 2026-11-23 11:30"));
        let step = advance(
            &mut w.case,
            &mut records,
            w.now,
            &w.config.rules,
            &w.config.calendar,
        )
        .expect("closed");
        assert_eq!(step.at, cst(2026, 11, 23, 11, 30));
        assert!(matches!(step.event, Event::GrabClosed { ref units } if units.len() == 2));
        assert_eq!(
            w.case.grab.as_ref().map(|g| g.outcome.clone()),
            Some(GrabOutcome::Unclaimed)
        );
        for unit in [HAIDAMAIDAO, SHILAOREN] {
            assert_eq!(records[&UnitId::new(unit)].unclaimed.len(), 1, "{unit}");
        }
        assert_eq!(Mark::of_case(&w.case), Some(Mark::Supervised));
        // Back with the platform, which assigns it (指定派发); the mark stays.
        assert_eq!(w.case.holder.as_str(), "laoshan");
        w.run(
            "ls_dispatch",
            Command::Dispatch {
                to: UnitId::new(HAIDAMAIDAO),
            },
        );
        assert_eq!(Mark::of_case(&w.case), Some(Mark::Supervised));
    }

    #[test]
    fn routing_the_case_withdraws_an_open_order() {
        let mut w = accepted();
        w.run("ls_dispatch", publish(&[HAIDAMAIDAO, SHILAOREN], None));
        w.run(
            "ls_dispatch",
            Command::Dispatch {
                to: UnitId::new(HAIDAMAIDAO),
            },
        );
        assert!(matches!(
            w.case.grab.as_ref().map(|g| &g.outcome),
            Some(GrabOutcome::Withdrawn { .. })
        ));
        assert!(w
            .case
            .chase
            .next
            .is_none_or(|n| n.step != crate::domain::chasing::StepKind::CloseGrab));
        assert!(w
            .refuse("ls_shilaoren", Command::Claim { unit: None })
            .contains("assigned"));
    }

    #[test]
    fn who_may_publish_where_and_for_how_long() {
        let mut w = accepted();
        // A livelihood case goes to communities first, as a dispatch would.
        assert!(w
            .refuse("ls_dispatch", publish(&["laoshan.housing"], None))
            .contains("community first"));
        assert!(w
            .refuse("ls_dispatch", publish(&[HAIDAMAIDAO, HAIDAMAIDAO], None))
            .contains("twice"));
        assert!(w
            .refuse("ls_dispatch", publish(&[HAIDAMAIDAO], Some(25)))
            .contains("1..=24"));
        assert!(w
            .refuse("ls_haidamaidao", publish(&[HAIDAMAIDAO], None))
            .contains("may not publish"));
        assert!(w
            .refuse("sb_dispatch", publish(&[HAIDAMAIDAO], None))
            .contains("laoshan"));
        w.run("ls_dispatch", publish(&[HAIDAMAIDAO], None));
        assert!(w
            .refuse("ls_dispatch", publish(&[SHILAOREN], None))
            .contains("already published"));
    }
}
