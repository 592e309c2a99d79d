//! The measures on hand-made cases walked through the lifecycle.

use std::collections::BTreeMap;

use super::*;
use crate::domain::case::{Resolution as R, Satisfaction as S};
use crate::domain::chasing;
use crate::domain::command::Command;
use crate::domain::period::{Period, PeriodKind};
use crate::domain::testkit::{cst, Walk};

const COMMUNITY: &str = "laoshan.jinjialing.haidamaidao";

fn accepted() -> Walk {
    Walk::at_community()
}

fn reply() -> Command {
    Command::Reply {
        result: "已修复".into(),
        basis: "条例".into(),
        person: "李和超".into(),
        phone: "0532-88886666".into(),
    }
}

fn contact() -> Command {
    Command::Contact {
        note: "电话联系".into(),
    }
}

/// Signed, contacted, replied, approved and rated.
fn closed(w: &mut Walk, s: S, r: R) {
    w.run("ls_haidamaidao", Command::Sign);
    w.run("ls_haidamaidao", contact());
    w.run("ls_haidamaidao", reply());
    w.run("ls_dispatch", Command::ApproveReply);
    w.run(
        "ls_dispatch",
        Command::Evaluate {
            satisfaction: s,
            resolution: r,
        },
    );
}

#[test]
fn the_seeds_figures_come_out_as_published() {
    // Laoshan: 23,831 taken, 23,596 closed: 99.01 % (the article's 诉求解决率, jiban's 办结率).
    let c = Counters {
        taken: 23_831,
        closed: 23_596,
        ..Counters::default()
    };
    let m = Measures::of(c, Some(500_000));
    assert_eq!(m.completion.text(), "99.01%");
    assert_eq!(m.per_10k.map(|p| format!("{p:.2}")), Some("476.62".into()));
    // Chengyang: resolution 97.92 %, satisfaction 99.10 % among rated cases.
    let c = Counters {
        evaluated: 10_000,
        resolved: 9_792,
        satisfied: 9_910,
        ..Counters::default()
    };
    let m = Measures::of(c, None);
    assert_eq!(
        (m.resolution.text(), m.satisfaction.text()),
        ("97.92%".into(), "99.10%".into())
    );
    assert_eq!(m.per_10k, None);
    assert_eq!(
        Measures::of(Counters::default(), Some(0)).on_time.text(),
        "—"
    );
    assert_eq!(fall(90, 100), Some(10.0));
    assert_eq!(fall(120, 100), Some(-20.0));
    assert_eq!(fall(5, 0), None);
    assert_eq!(rise(4, 4).map(|r| format!("{r:.2}")), Some("0.00".into()));
    assert_eq!(rise(6, 4), Some(50.0));
}

#[test]
fn a_case_closed_in_time_counts_in_every_rate() {
    let mut w = accepted();
    closed(&mut w, S::Satisfied, R::Resolved);
    let c = counters_of(&w.case);
    assert_eq!(
        (c.taken, c.closed, c.open, c.contact_due, c.responded),
        (1, 1, 0, 1, 1)
    );
    assert_eq!(
        (c.evaluated, c.satisfied, c.resolved, c.unsatisfied),
        (1, 1, 1, 0)
    );
    assert_eq!((c.on_time, c.late, c.chased), (1, 0, 0));
}

#[test]
fn an_unsatisfied_first_round_stays_counted_after_a_satisfied_second() {
    let mut w = accepted();
    closed(&mut w, S::Unsatisfied, R::Unresolved);
    let c = counters_of(&w.case);
    assert_eq!(
        (c.evaluated, c.satisfied, c.unsatisfied, c.closed, c.open),
        (1, 0, 1, 0, 1)
    );
    w.run(
        "ls_dispatch",
        Command::Dispatch {
            to: UnitId::new(COMMUNITY),
        },
    );
    closed(&mut w, S::Satisfied, R::Resolved);
    let c = counters_of(&w.case);
    // The latest rating stands for satisfaction; the first still makes it an unsatisfied case.
    assert_eq!(
        (c.evaluated, c.satisfied, c.unsatisfied, c.closed),
        (1, 1, 1, 1)
    );
}

#[test]
fn an_open_overdue_case_counts_as_late_not_as_missing() {
    let config = crate::domain::testkit::config();
    let mut late = accepted();
    // Accepted Monday 2026-11-23; two working days, chased a working day after: by Friday.
    late.now = cst(2026, 11, 27, 12, 0);
    let mut records = BTreeMap::new();
    let step = chasing::advance(
        &mut late.case,
        &mut records,
        late.now,
        &config.rules,
        &config.calendar,
    );
    assert!(step.is_some(), "the case is chased");
    let open_late = counters_of(&late.case);
    assert_eq!(
        (
            open_late.open,
            open_late.late,
            open_late.on_time,
            open_late.chased
        ),
        (1, 1, 0, 1)
    );
    let mut fine = accepted();
    closed(&mut fine, S::Satisfied, R::Resolved);
    let mut sum = counters_of(&fine.case);
    sum.add(&open_late);
    let m = Measures::of(sum, None);
    assert_eq!(
        m.on_time,
        Rate::new(1, 2),
        "one closed on time, one open and late"
    );
    assert_eq!(m.on_time.text(), "50.00%");
    assert_eq!(m.completion.text(), "50.00%");
    // Still within its time: neither on time nor late yet.
    let open = counters_of(&accepted().case);
    assert_eq!((open.on_time, open.late), (0, 0));
}

#[test]
fn a_reply_after_its_deadline_is_late_and_a_late_contact_is_no_response() {
    let mut w = accepted();
    w.run("ls_haidamaidao", Command::Sign);
    w.now = cst(2026, 12, 2, 9, 0);
    w.run("ls_haidamaidao", contact());
    w.run("ls_haidamaidao", reply());
    assert_eq!(w.case.facts.first_contact_in_time, Some(false));
    assert_eq!(w.case.facts.late_replies, 1);
    w.run("ls_dispatch", Command::ApproveReply);
    w.run(
        "ls_dispatch",
        Command::Evaluate {
            satisfaction: S::Satisfied,
            resolution: R::Resolved,
        },
    );
    let c = counters_of(&w.case);
    assert_eq!(
        (c.closed, c.on_time, c.late, c.responded, c.contact_due),
        (1, 0, 1, 0, 1)
    );
}

#[test]
fn a_deadline_across_a_holiday_is_met_after_it() {
    // Accepted Wednesday 30 September 2026, two working days: National Day (1–7 October) is
    // off, so the deadline is Friday 9 October, and a reply on the 9th is on time.
    let mut w = Walk::new();
    w.now = cst(2026, 9, 30, 10, 0);
    w.case.received_at = cst(2026, 9, 30, 9, 0);
    w.accept_complaint();
    w.run(
        "ls_dispatch",
        Command::Dispatch {
            to: UnitId::new(COMMUNITY),
        },
    );
    w.now = cst(2026, 10, 9, 9, 0);
    closed(&mut w, S::Satisfied, R::Resolved);
    let c = counters_of(&w.case);
    assert_eq!((c.on_time, c.late), (1, 0));
    // The month it counts in: October has 18 working days (five holiday weekdays off, Saturday
    // the 10th worked).
    let oct = Period::containing(
        PeriodKind::Month,
        chrono::NaiveDate::from_ymd_opt(2026, 10, 20).expect("date"),
    );
    assert_eq!(oct.working_days(&w.config.calendar), 18);
    assert_eq!(
        day_of(&w.case),
        chrono::NaiveDate::from_ymd_opt(2026, 9, 30).expect("date")
    );
}

#[test]
fn returns_extensions_rejections_and_merges_are_counted_apart() {
    let mut w = accepted();
    w.run("ls_haidamaidao", Command::Sign);
    w.run(
        "ls_haidamaidao",
        Command::Extend {
            days: 2,
            reason: "施工".into(),
        },
    );
    w.run("ls_dispatch", Command::ApproveExtension);
    w.run(
        "ls_haidamaidao",
        Command::Return {
            reason: "不属本社区".into(),
            confirm: true,
        },
    );
    let c = counters_of(&w.case);
    assert_eq!((c.returns, c.extensions, c.taken), (1, 1, 1));
    let mut rejected = Walk::new();
    rejected.run(
        "ls_dispatch",
        Command::Reject {
            reason: 6,
            note: "骚扰".into(),
        },
    );
    let c = counters_of(&rejected.case);
    assert_eq!((c.received, c.taken, c.rejected), (1, 0, 1));
    assert_eq!(Measures::of(c, None).completion.den, 0);
}

#[test]
fn a_case_counts_for_its_area_and_its_answering_unit_and_their_parents() {
    let mut w = accepted();
    let units = |w: &Walk| {
        let mut v: Vec<String> = counted_units(&w.case, &w.config.org)
            .into_iter()
            .map(|u| u.0)
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        units(&w),
        ["city", "laoshan", "laoshan.jinjialing", COMMUNITY]
    );
    w.case.holder = UnitId::new("laoshan.housing");
    w.case.lead = None;
    assert_eq!(
        units(&w),
        [
            "city",
            "laoshan",
            "laoshan.housing",
            "laoshan.jinjialing",
            COMMUNITY
        ]
    );
    // Two sums per unit: every kind, and its own kind.
    w.case.matter = Some("noise".into());
    let parts = contribution(&w.case, &w.config.org);
    assert_eq!(parts.len(), 10);
    assert!(parts
        .iter()
        .any(|(k, _)| k.kind.as_deref() == Some("noise")));
}

#[test]
fn changes_add_up_to_the_contribution_of_the_last_state() {
    let org = crate::domain::testkit::config().org;
    let mut w = accepted();
    let mut kept: BTreeMap<TallyKey, Counters> = BTreeMap::new();
    tally_changes(None, &Walk::new().case, &org, &mut kept);
    let before = w.case.clone();
    tally_changes(Some(&Walk::new().case), &before, &org, &mut kept);
    closed(&mut w, S::Basic, R::Basic);
    tally_changes(Some(&before), &w.case, &org, &mut kept);
    kept.retain(|_, c| !c.is_zero());
    let mut expected: BTreeMap<TallyKey, Counters> = BTreeMap::new();
    tally_changes(None, &w.case, &org, &mut expected);
    assert_eq!(kept, expected);
}

#[test]
fn acceptance_confirms_or_changes_the_kind_of_matter_and_refuses_an_unknown_one() {
    let accept = |matter: Option<&str>| Command::Accept {
        category: crate::domain::case::Category::Livelihood,
        kind: None,
        complex: false,
        province: false,
        matter: matter.map(String::from),
    };
    let mut w = Walk::new();
    w.case.matter = Some("noise".into());
    let kept = w.run("ls_dispatch", accept(None)).matter.clone();
    assert_eq!(kept.as_deref(), Some("noise"), "none keeps the suggestion");
    let mut w = Walk::new();
    w.case.matter = Some("noise".into());
    let m = w.run("ls_dispatch", accept(Some("talent"))).matter.clone();
    assert_eq!(m.as_deref(), Some("talent"));
    assert_eq!(kind_of(&w.case), "talent");
    let w = Walk::new();
    let refusal = w.refuse("ls_dispatch", accept(Some("飞碟")));
    assert!(
        refusal.contains("matter") && refusal.contains("飞碟"),
        "{refusal}"
    );
}
