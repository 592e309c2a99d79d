//! Look-back re-visits (回头看) on hand-made cases: a false closure reopens the case in round 2,
//! every result counts on the unit's record.

use crate::domain::case::{Resolution, Satisfaction, Stage};
use crate::domain::command::Command;
use crate::domain::lifecycle::mark_drawn;
use crate::domain::lookback::{LookbackOutcome, Month};
use crate::domain::org::UnitId;
use crate::domain::testkit::Walk;

const COMMUNITY: &str = "laoshan.jinjialing.haidamaidao";

/// The walk's case handled by the community, rated satisfied and closed, then drawn.
fn closed_and_drawn() -> Walk {
    let mut w = Walk::at_community();
    w.run("ls_haidamaidao", Command::Sign);
    w.run(
        "ls_haidamaidao",
        Command::Reply {
            result: "台阶已修复".into(),
            basis: "《青岛市物业管理条例》".into(),
            person: "李和超".into(),
            phone: "0532-88886666".into(),
        },
    );
    w.run("ls_dispatch", Command::ApproveReply);
    w.run(
        "ls_dispatch",
        Command::Evaluate {
            satisfaction: Satisfaction::Satisfied,
            resolution: Resolution::Resolved,
        },
    );
    assert_eq!(w.case.stage, Stage::Closed);
    let month = Month::parse("2026-11").expect("month");
    let supervisor = w.config.users.get("ls_supervisor").expect("login").clone();
    let (drawn, _) = mark_drawn(&w.case, month, 7, &supervisor, w.now).expect("drawn");
    // Drawn once per month.
    let again = mark_drawn(&drawn, month, 7, &supervisor, w.now).expect_err("drawn twice");
    assert!(again.to_string().contains("already drawn"), "{again}");
    w.case = drawn;
    w
}

fn visit(outcome: LookbackOutcome) -> Command {
    Command::Lookback {
        outcome,
        note: "回访诉求人：台阶仍未修复".into(),
    }
}

#[test]
fn a_false_closure_reopens_the_case_in_round_2_and_counts_on_the_unit() {
    let mut w = closed_and_drawn();
    let refused = w.refuse("ls_haidamaidao", visit(LookbackOutcome::FalseClosure));
    assert!(refused.starts_with("not permitted"), "{refused}");
    let refused = w.refuse("sb_supervisor", visit(LookbackOutcome::FalseClosure));
    assert!(refused.contains("supervises"), "{refused}");
    w.run("ls_supervisor", visit(LookbackOutcome::FalseClosure));
    let c = &w.case;
    assert_eq!(
        (c.stage, c.round, c.holder.as_str(), c.closed_at),
        (Stage::Triage, 2, "laoshan", None)
    );
    assert_eq!(
        c.previous_rounds.len(),
        1,
        "round 1 is kept beside the new round"
    );
    assert!(!c.stage_clocks.is_empty(), "the reopened case's clocks run");
    let record = w.records.get(&UnitId::new(COMMUNITY)).expect("a record");
    assert_eq!(record.lookbacks.len(), 1);
    assert_eq!(record.lookbacks[0].outcome, LookbackOutcome::FalseClosure);
    // Re-visited: not again.
    let again = w.refuse("ls_supervisor", visit(LookbackOutcome::Held));
    assert!(again.contains("not drawn"), "{again}");
}

#[test]
fn a_result_that_held_leaves_the_case_closed_and_counts_too() {
    let mut w = closed_and_drawn();
    w.run("ls_supervisor", visit(LookbackOutcome::Held));
    assert_eq!(w.case.stage, Stage::Closed);
    let v = w
        .case
        .lookback
        .as_ref()
        .and_then(|l| l.visit.as_ref())
        .expect("visit");
    assert_eq!(v.outcome, LookbackOutcome::Held);
    let record = w.records.get(&UnitId::new(COMMUNITY)).expect("a record");
    assert_eq!(record.lookbacks.len(), 1);
}

#[test]
fn a_closed_case_not_drawn_takes_no_look_back_and_nothing_else() {
    let mut w = closed_and_drawn();
    w.case.lookback = None;
    let why = w.refuse("ls_supervisor", visit(LookbackOutcome::Pressured));
    assert!(why.contains("not drawn"), "{why}");
    let why = w.refuse("ls_haidamaidao", Command::Sign);
    assert!(why.contains("closed"), "{why}");
}
