use std::collections::BTreeMap;

use super::{advance, ChaseLevel, Mark, NextStep, StepKind};
use crate::domain::case::UnitRecord;
use crate::domain::command::Command;
use crate::domain::deadlines::ClockKind;
use crate::domain::event::Event;
use crate::domain::org::UnitId;
use crate::domain::testkit::{cst, Walk};

/// A case received Wednesday 30 September 2026 09:00, the day before National Day (1–7 October
/// off, Saturday 10 October a make-up working day): its triage clock runs out Thursday 8 October.
fn before_national_day() -> Walk {
    let mut w = Walk::new();
    let received = cst(2026, 9, 30, 9, 0);
    w.case.received_at = received;
    w.now = received;
    crate::domain::deadlines::refresh(&mut w.case, received, &w.config.rules, &w.config.calendar);
    w
}

/// One unit's record, as the engine keeps it per unit.
type Records = BTreeMap<UnitId, UnitRecord>;

fn step(w: &mut Walk, records: &mut Records) -> Option<super::Step> {
    advance(
        &mut w.case,
        records,
        w.now,
        &w.config.rules,
        &w.config.calendar,
    )
}

fn held_by(records: &Records, unit: &str) -> UnitRecord {
    records.get(&UnitId::new(unit)).cloned().unwrap_or_default()
}

#[test]
fn a_late_case_is_chased_then_pooled_across_national_day_each_step_once() {
    let mut w = before_national_day();
    let triage = w.case.stage_clocks[0].clone();
    assert_eq!(
        (triage.kind, triage.due_at),
        (ClockKind::Triage, cst(2026, 10, 8, 9, 0))
    );
    // One working day of grace: Friday 9 October.
    assert_eq!(
        w.case.chase.next,
        Some(NextStep {
            at: cst(2026, 10, 9, 9, 0),
            step: StepKind::Chase
        })
    );
    let mut record = Records::new();
    w.now = cst(2026, 10, 9, 8, 59);
    assert_eq!(step(&mut w, &mut record), None);
    // Noticed on Sunday: recorded at the time it fell due.
    w.now = cst(2026, 10, 11, 20, 0);
    let version = w.case.version;
    let chased = step(&mut w, &mut record).expect("chased");
    assert_eq!(chased.at, cst(2026, 10, 9, 9, 0));
    assert_eq!(
        chased.event,
        Event::Chase {
            level: ChaseLevel::Chased,
            unit: UnitId::new("laoshan"),
            clock: ClockKind::Triage,
            late_since: cst(2026, 10, 8, 9, 0),
        }
    );
    assert_eq!(w.case.version, version + 1);
    assert_eq!(w.case.chase.level, ChaseLevel::Chased);
    assert_eq!(held_by(&record, "laoshan").chases.len(), 1);
    // Two working days after the chase, counting the make-up Saturday: Monday 12 October.
    assert_eq!(
        w.case.chase.next,
        Some(NextStep {
            at: cst(2026, 10, 12, 9, 0),
            step: StepKind::Pool
        })
    );
    // Exactly once: the same time again records nothing.
    assert_eq!(step(&mut w, &mut record), None);
    w.now = cst(2026, 10, 20, 9, 0);
    let pooled = step(&mut w, &mut record).expect("pooled");
    assert_eq!(pooled.at, cst(2026, 10, 12, 9, 0));
    assert_eq!(w.case.chase.level, ChaseLevel::Pooled);
    assert_eq!(w.case.chase.pooled_at, Some(cst(2026, 10, 12, 9, 0)));
    assert_eq!(held_by(&record, "laoshan").pooled.len(), 1);
    assert_eq!(w.case.chase.next, None);
    assert_eq!(step(&mut w, &mut record), None);
    assert_eq!(Mark::of_case(&w.case), Some(Mark::Pooled));
    // Rejected (finished): out of the pool, the ladder kept.
    w.run(
        "ls_dispatch",
        crate::domain::command::Command::Reject {
            reason: 1,
            note: "不属于受理范围".into(),
        },
    );
    assert_eq!(Mark::of_case(&w.case), None);
    assert_eq!(w.case.chase.level, ChaseLevel::Pooled);
}

#[test]
fn a_chased_case_that_is_no_longer_late_waits_for_its_next_clock() {
    let mut w = before_national_day();
    let mut record = Records::new();
    w.now = cst(2026, 10, 9, 9, 0);
    step(&mut w, &mut record).expect("chased");
    // The platform and the community act at once: no clock is out any more.
    w.now = cst(2026, 10, 9, 10, 0);
    w.accept_complaint();
    w.run(
        "ls_dispatch",
        Command::Dispatch {
            to: UnitId::new("laoshan.jinjialing.haidamaidao"),
        },
    );
    w.run("ls_haidamaidao", Command::Sign);
    w.run(
        "ls_haidamaidao",
        Command::Contact {
            note: "已电话联系".into(),
        },
    );
    let handling = w
        .case
        .stage_clocks
        .iter()
        .map(|c| c.due_at)
        .min()
        .expect("a clock");
    assert!(handling > cst(2026, 10, 12, 9, 0), "{handling}");
    // Not pooled on Monday: only when the handling clock runs out too.
    assert_eq!(
        w.case.chase.next,
        Some(NextStep {
            at: handling,
            step: StepKind::Pool
        })
    );
    w.now = cst(2026, 10, 12, 9, 0);
    assert_eq!(step(&mut w, &mut record), None);
    w.now = handling;
    let pooled = step(&mut w, &mut record).expect("pooled");
    match pooled.event {
        Event::Chase { unit, clock, .. } => {
            assert_eq!(unit, UnitId::new("laoshan.jinjialing.haidamaidao"));
            assert_eq!(clock, ClockKind::Handling);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_grace_periods_come_from_the_rules_file() {
    let mut w = before_national_day();
    w.config.rules.supervision.chase_after_days = 0;
    w.config.rules.supervision.pool_after_days = 1;
    crate::domain::chasing::schedule(&mut w.case, &w.config.rules, &w.config.calendar);
    assert_eq!(
        w.case.chase.next,
        Some(NextStep {
            at: cst(2026, 10, 8, 9, 0),
            step: StepKind::Chase
        })
    );
    let mut record = Records::new();
    w.now = cst(2026, 10, 8, 9, 0);
    step(&mut w, &mut record).expect("chased");
    assert_eq!(
        w.case.chase.next,
        Some(NextStep {
            at: cst(2026, 10, 9, 9, 0),
            step: StepKind::Pool
        })
    );
}

#[test]
fn a_finished_case_has_no_step() {
    let mut w = before_national_day();
    w.run(
        "ls_dispatch",
        Command::Reject {
            reason: 1,
            note: "不属于受理范围".into(),
        },
    );
    assert_eq!(w.case.chase.next, None);
}

#[test]
fn the_queue_mark_shows_the_pool_first_then_a_waiting_notice_then_a_chase() {
    assert_eq!(Mark::of(ChaseLevel::None, false), None);
    assert_eq!(Mark::of(ChaseLevel::Chased, false), Some(Mark::Chased));
    assert_eq!(Mark::of(ChaseLevel::Chased, true), Some(Mark::Supervised));
    assert_eq!(Mark::of(ChaseLevel::None, true), Some(Mark::Supervised));
    assert_eq!(Mark::of(ChaseLevel::Pooled, true), Some(Mark::Pooled));
}
