//! Every clock of a case across the 2026 holidays (Spring Festival, Labour Day, National Day with
//! their make-up working days), and 2115 clocks for a case received on a Friday evening.

use super::*;
use crate::domain::case::{Category, Kind, Resolution, Satisfaction};
use crate::domain::command::Command;
use crate::domain::testkit::{cst, Walk};

const COMMUNITY: &str = "laoshan.jinjialing.haidamaidao";
const HANDLER: &str = "ls_haidamaidao";

/// A walk whose case was received at `at` (and the walk's clock set there).
fn received(at: DateTime<Utc>, province: bool) -> Walk {
    let mut w = Walk::new();
    w.case.received_at = at;
    w.case.province = province;
    w.case.stage_clocks.clear();
    refresh(&mut w.case, at, &w.config.rules, &w.config.calendar);
    w.now = at;
    w
}

fn accept(province: bool) -> Command {
    Command::Accept {
        category: Category::Livelihood,
        kind: Some(Kind::Complaint),
        complex: false,
        province,
        matter: None,
    }
}

fn dispatch() -> Command {
    Command::Dispatch {
        to: UnitId::new(COMMUNITY),
    }
}

/// The running clocks as (kind, province, due).
fn clocks(w: &Walk) -> Vec<(ClockKind, bool, DateTime<Utc>)> {
    let mut v: Vec<_> = w
        .case
        .stage_clocks
        .iter()
        .map(|c| (c.kind, c.province, c.due_at))
        .collect();
    v.sort();
    v
}

#[test]
fn triage_runs_from_receipt_across_labour_day() {
    // Thursday 30 April 18:00; 1 May – 5 May are off: one working day ends Wednesday 6 May 18:00.
    let w = received(cst(2026, 4, 30, 18, 0), false);
    assert_eq!(
        clocks(&w),
        vec![(ClockKind::Triage, false, cst(2026, 5, 6, 18, 0))]
    );
    let l = |at| light(&w, at);
    assert_eq!(l(cst(2026, 4, 30, 19, 0)), Light::Blue);
    // The last third of the working day is yellow; holidays do not count.
    assert_eq!(l(cst(2026, 5, 3, 12, 0)), Light::Blue);
    assert_eq!(l(cst(2026, 5, 6, 11, 0)), Light::Yellow);
    assert_eq!(l(cst(2026, 5, 6, 18, 0)), Light::Red);
}

fn light(w: &Walk, at: DateTime<Utc>) -> Light {
    crate::domain::light::light(&w.case, at, &w.config.calendar, &w.config.rules)
        .expect("a running clock")
}

#[test]
fn each_stage_has_its_clock_and_contact_runs_beside_handling() {
    // Accepted Monday 28 September 10:00, the last working week before National Day.
    let mut w = received(cst(2026, 9, 28, 9, 0), false);
    w.now = cst(2026, 9, 28, 10, 0);
    w.run("ls_dispatch", accept(false));
    // Accepted, not yet routed: the handling time runs from acceptance (2 working days).
    assert_eq!(
        clocks(&w),
        vec![(ClockKind::Handling, false, cst(2026, 9, 30, 10, 0))]
    );
    w.run("ls_dispatch", dispatch());
    // Dispatched at 10:10: contact within 1 working day, beside handling.
    assert_eq!(
        clocks(&w),
        vec![
            (ClockKind::Contact, false, cst(2026, 9, 29, 10, 10)),
            (ClockKind::Handling, false, cst(2026, 9, 30, 10, 0)),
        ]
    );
    w.run(HANDLER, Command::Sign);
    // Signing keeps the contact clock's start.
    assert_eq!(
        clocks(&w)[0],
        (ClockKind::Contact, false, cst(2026, 9, 29, 10, 10))
    );
    w.run(
        HANDLER,
        Command::Contact {
            note: "已联系".into(),
        },
    );
    assert_eq!(
        clocks(&w),
        vec![(ClockKind::Handling, false, cst(2026, 9, 30, 10, 0))]
    );
    let refused = w.refuse(
        HANDLER,
        Command::Contact {
            note: "再次".into(),
        },
    );
    assert!(refused.contains("already recorded"), "{refused}");
    // Replied Wednesday 30 September 09:00: review within 1 working day, after the holiday.
    w.now = cst(2026, 9, 30, 9, 0);
    w.run(
        HANDLER,
        Command::Reply {
            result: "已修复".into(),
            basis: "《条例》".into(),
            person: "李和超".into(),
            phone: "0532-88886666".into(),
        },
    );
    assert_eq!(
        clocks(&w),
        vec![(ClockKind::Review, false, cst(2026, 10, 8, 9, 0))]
    );
    // Approved Friday 9 October 10:00: callback within 2 working days; Saturday 10 October is
    // a make-up working day, so it ends Monday 12 October 10:00.
    w.now = cst(2026, 10, 9, 10, 0);
    w.run("ls_dispatch", Command::ApproveReply);
    assert_eq!(
        clocks(&w),
        vec![(ClockKind::Callback, false, cst(2026, 10, 12, 10, 0))]
    );
    // Unresolved: round 2 starts at the platform with a routing clock from arrival.
    w.now = cst(2026, 10, 12, 9, 0);
    w.run(
        "ls_dispatch",
        Command::Evaluate {
            satisfaction: Satisfaction::Unsatisfied,
            resolution: Resolution::Unresolved,
        },
    );
    assert_eq!(
        clocks(&w),
        vec![(ClockKind::Triage, false, cst(2026, 10, 13, 9, 0))]
    );
}

#[test]
fn a_2115_case_received_friday_evening_before_spring_festival() {
    // Friday 13 February 2026 20:00; Saturday 14 February is a make-up working day, 15–23 off.
    let mut w = received(cst(2026, 2, 13, 20, 0), true);
    let mut want = vec![
        (ClockKind::Triage, false, cst(2026, 2, 14, 20, 0)),
        // 2 clock hours, day or night.
        (ClockKind::Contact, true, cst(2026, 2, 13, 22, 0)),
        // 1 working day: the make-up Saturday.
        (ClockKind::Feedback, true, cst(2026, 2, 14, 20, 0)),
    ];
    want.sort();
    assert_eq!(clocks(&w), want);
    // At 21:30 the contact clock is in its last third: the case is yellow, decided by 2115.
    let (c, l) = deciding(
        &w.case.stage_clocks,
        cst(2026, 2, 13, 21, 30),
        &w.config.calendar,
        &w.config.rules,
    )
    .expect("clocks run");
    assert_eq!(
        (c.kind, c.province, l),
        (ClockKind::Contact, true, Light::Yellow)
    );
    assert_eq!(light(&w, cst(2026, 2, 13, 22, 0)), Light::Red);
    // The platform calls the enterprise at 21:00, accepts at 21:10: done within 15 working
    // days of acceptance, counted past the festival.
    w.now = cst(2026, 2, 13, 21, 0);
    w.run(
        "ls_dispatch",
        Command::Contact {
            note: "已联系企业".into(),
        },
    );
    w.run("ls_dispatch", accept(false));
    let mut want = vec![
        (ClockKind::Feedback, true, cst(2026, 2, 14, 20, 0)),
        // 14 Feb, 24–27 Feb, 28 Feb (make-up), 2–6 Mar, 9–12 Mar: the 15th ends 12 Mar 21:10.
        (ClockKind::Handling, true, cst(2026, 3, 12, 21, 10)),
    ];
    want.sort();
    assert_eq!(clocks(&w), want);
    w.run(
        "ls_dispatch",
        Command::Feedback {
            text: "已受理，正在核实".into(),
        },
    );
    assert_eq!(
        clocks(&w),
        vec![(ClockKind::Handling, true, cst(2026, 3, 12, 21, 10))]
    );
    // After dispatch the 2115 contact is already made: no ordinary contact clock.
    w.run("ls_dispatch", dispatch());
    assert_eq!(clocks(&w).len(), 1);
}

#[test]
fn accept_with_2115_marks_the_case_and_feedback_is_for_2115_only() {
    let mut w = received(cst(2026, 11, 23, 9, 0), false);
    let refused = w.refuse("ls_dispatch", Command::Feedback { text: "x".into() });
    assert!(refused.contains("2115"), "{refused}");
    w.run("ls_dispatch", accept(true));
    assert!(w.case.province);
    assert_eq!(
        w.case.limit_days,
        Some(w.config.rules.province_2115.done_days)
    );
    let kinds: Vec<_> = clocks(&w).into_iter().map(|(k, p, _)| (k, p)).collect();
    assert_eq!(
        kinds,
        vec![
            (ClockKind::Contact, true),
            (ClockKind::Handling, true),
            (ClockKind::Feedback, true)
        ]
    );
}

#[test]
fn joint_parts_have_their_own_due_time() {
    let mut w = received(cst(2026, 11, 23, 9, 0), false);
    w.run(
        "ls_dispatch",
        Command::Accept {
            category: Category::Enforcement,
            kind: None,
            complex: false,
            province: false,
            matter: None,
        },
    );
    let joint = |part_days| Command::Joint {
        lead: UnitId::new("laoshan.enforcement"),
        support: vec![UnitId::new("laoshan.housing"), UnitId::new("laoshan.hrss")],
        days: None,
        part_days,
    };
    let refused = w.refuse("ls_dispatch", joint(Some(11)));
    assert!(refused.contains("part-days"), "{refused}");
    w.run("ls_dispatch", joint(Some(3)));
    let parts: Vec<_> = w
        .case
        .stage_clocks
        .iter()
        .filter(|c| c.kind == ClockKind::Part)
        .map(|c| (c.unit.clone(), c.due_at))
        .collect();
    // Accepted Monday 09:00: three working days end Thursday 09:00.
    let due = cst(2026, 11, 26, 9, 0);
    assert_eq!(
        parts,
        vec![
            (Some(UnitId::new("laoshan.housing")), due),
            (Some(UnitId::new("laoshan.hrss")), due)
        ]
    );
    w.run(
        "ls_housing",
        Command::Report {
            text: "已配合".into(),
        },
    );
    let left: Vec<_> = w
        .case
        .stage_clocks
        .iter()
        .filter(|c| c.kind == ClockKind::Part)
        .map(|c| c.unit.clone())
        .collect();
    assert_eq!(left, vec![Some(UnitId::new("laoshan.hrss"))]);
}

#[test]
fn a_new_calendar_moves_provisional_deadlines() {
    // Accepted Wednesday 30 December 2026: 10 working days reach into 2027, which has no
    // calendar yet: provisional, counted Monday–Friday.
    let mut w = received(cst(2026, 12, 30, 9, 0), false);
    w.now = cst(2026, 12, 30, 10, 0);
    w.run(
        "ls_dispatch",
        Command::Accept {
            category: Category::Development,
            kind: None,
            complex: false,
            province: false,
            matter: None,
        },
    );
    let handling = w.case.stage_clocks[0].clone();
    assert!(handling.provisional && w.case.due_provisional);
    // 2027 with 1–3 January off and Monday 4 January off too.
    let cal2027 = "year = 2027\n[[holiday]]\nname = \"元旦\"\noff = { from = \"2027-01-01\", to = \"2027-01-04\" }\n";
    let mut cal = w.config.calendar.clone();
    cal.add_year_toml("cn-2027.toml", cal2027).expect("valid");
    let moved = recompute(&mut w.case, &cal);
    assert_eq!(moved.len(), 1);
    assert_eq!(moved[0].1, handling.due_at);
    // Friday 1 and Monday 4 January are off: two working days later.
    assert_eq!(moved[0].2, handling.due_at + Duration::days(2));
    assert!(!w.case.stage_clocks[0].provisional);
    assert_eq!(w.case.due_at, Some(moved[0].2));
    // The same calendar again moves nothing.
    assert!(recompute(&mut w.case, &cal).is_empty());
}
