//! Unit tests of every lifecycle rule, on the small test organisation.

use crate::domain::case::{
    AssessmentOutcome as A, Category, Kind, Resolution as R, Satisfaction as S, Stage,
};
use crate::domain::command::Command;
use crate::domain::light::{light, Light};
use crate::domain::org::UnitId;
use crate::domain::testkit::{cst, Walk};

const COMMUNITY: &str = "laoshan.jinjialing.haidamaidao";
const STREET: &str = "laoshan.jinjialing";

fn u(id: &str) -> UnitId {
    UnitId::new(id)
}
fn accept(category: Category, kind: Option<Kind>, complex: bool) -> Command {
    Command::Accept {
        province: false,
        category,
        kind,
        complex,
        matter: None,
    }
}
fn dispatch(to: &str) -> Command {
    Command::Dispatch { to: u(to) }
}
fn joint(lead: &str, support: &[&str], days: Option<u32>) -> Command {
    Command::Joint {
        part_days: None,
        lead: u(lead),
        support: support.iter().map(|s| u(s)).collect(),
        days,
    }
}
fn escalate() -> Command {
    Command::Escalate { note: None }
}
fn reply() -> Command {
    Command::Reply {
        result: "已现场核实并修复台阶".into(),
        basis: "《青岛市物业管理条例》".into(),
        person: "李和超".into(),
        phone: "0532-88886666".into(),
    }
}
fn evaluate(s: S, r: R) -> Command {
    Command::Evaluate {
        satisfaction: s,
        resolution: r,
    }
}

/// Accepted as a simple livelihood complaint and sent to its community.
fn at_community() -> Walk {
    let mut w = Walk::new();
    w.run(
        "ls_dispatch",
        accept(Category::Livelihood, Some(Kind::Complaint), false),
    );
    w.run("ls_dispatch", dispatch(COMMUNITY));
    w
}

#[test]
fn acceptance_sets_the_limit_from_the_rules_file_and_the_deadline_in_working_days() {
    let cases = [
        (Category::Livelihood, Some(Kind::Consultation), false, 1),
        (Category::Livelihood, Some(Kind::Suggestion), false, 1),
        (Category::Livelihood, Some(Kind::Complaint), false, 2),
        (Category::Livelihood, Some(Kind::Complaint), true, 5),
        (Category::Livelihood, None, false, 2),
        (Category::Development, None, false, 10),
        (Category::Development, None, true, 20),
        (Category::Enforcement, None, false, 10),
        (Category::Enforcement, None, true, 20),
    ];
    for (category, kind, complex, days) in cases {
        let mut w = Walk::new();
        // Friday 2026-11-27 15:00: one working day later is Monday 15:00.
        w.now = cst(2026, 11, 27, 15, 0);
        let case = w
            .run("ls_dispatch", accept(category, kind, complex))
            .clone();
        assert_eq!(case.limit_days, Some(days), "{category} {kind:?} {complex}");
        let expected = w
            .config
            .calendar
            .deadline(cst(2026, 11, 27, 15, 0), days)
            .at;
        assert_eq!(case.due_at, Some(expected));
        assert_eq!(case.stage, Stage::Triage);
    }
    let mut w = Walk::new();
    w.now = cst(2026, 11, 27, 15, 0);
    let case = w.run(
        "ls_dispatch",
        accept(Category::Livelihood, Some(Kind::Consultation), false),
    );
    assert_eq!(case.due_at, Some(cst(2026, 11, 30, 15, 0)));
}

#[test]
fn reject_needs_one_of_the_seven_reasons_and_a_note_and_only_before_acceptance() {
    let w = Walk::new();
    let bad = w.refuse(
        "ls_dispatch",
        Command::Reject {
            reason: 8,
            note: "x".into(),
        },
    );
    assert!(bad.contains("reason"), "{bad}");
    let no_note = w.refuse(
        "ls_dispatch",
        Command::Reject {
            reason: 5,
            note: " ".into(),
        },
    );
    assert!(no_note.contains("note"), "{no_note}");
    let mut ok = Walk::new();
    let case = ok.run(
        "ls_dispatch",
        Command::Reject {
            reason: 5,
            note: "请拨打110".into(),
        },
    );
    assert_eq!((case.stage, case.reject_reason), (Stage::Rejected, Some(5)));
    assert!(ok
        .refuse("ls_dispatch", dispatch(COMMUNITY))
        .contains("rejected"));
    let accepted = at_community();
    let late = accepted.refuse(
        "ls_dispatch",
        Command::Reject {
            reason: 2,
            note: "n".into(),
        },
    );
    assert!(
        late.contains("not permitted"),
        "the community holds it: {late}"
    );
}

#[test]
fn livelihood_goes_bottom_up_community_street_platform_department() {
    let mut w = Walk::new();
    w.run("ls_dispatch", accept(Category::Livelihood, None, false));
    let first = w.refuse("ls_dispatch", dispatch("laoshan.housing"));
    assert!(first.contains("community first"), "{first}");
    assert!(w
        .refuse("ls_dispatch", dispatch(STREET))
        .contains("community first"));
    assert!(w
        .refuse("ls_dispatch", dispatch("shibei.hrss"))
        .contains("not a unit of laoshan"));
    w.run("ls_dispatch", dispatch(COMMUNITY));
    assert_eq!(
        (w.case.stage, w.case.holder.as_str()),
        (Stage::Assigned, COMMUNITY)
    );
    // The street cannot sign for a case its community holds.
    assert!(w
        .refuse("ls_jinjialing", Command::Sign)
        .contains("not permitted"));
    w.run("ls_haidamaidao", Command::Sign);
    w.run("ls_haidamaidao", escalate());
    assert_eq!(
        (w.case.stage, w.case.holder.as_str()),
        (Stage::Assigned, STREET)
    );
    w.run("ls_jinjialing", Command::Sign);
    w.run("ls_jinjialing", escalate());
    assert_eq!(
        (w.case.stage, w.case.holder.as_str()),
        (Stage::Triage, "laoshan")
    );
    w.run("ls_dispatch", dispatch("laoshan.housing"));
    assert_eq!(w.case.holder.as_str(), "laoshan.housing");
}

#[test]
fn escalation_stops_at_departments_and_the_city_platform() {
    let mut w = Walk::new();
    w.run("ls_dispatch", accept(Category::Development, None, false));
    w.run("ls_dispatch", dispatch("laoshan.hrss"));
    assert!(w.refuse("ls_hrss", escalate()).contains("return"));
    let mut up = Walk::new();
    up.run("ls_dispatch", accept(Category::Development, None, false));
    up.run("ls_dispatch", escalate());
    assert_eq!(
        (up.case.stage, up.case.holder.as_str()),
        (Stage::Triage, "city")
    );
    assert!(up.refuse("qd_dispatch", escalate()).contains("top level"));
    assert!(up
        .refuse("qd_dispatch", dispatch("laoshan.hrss"))
        .contains("city departments"));
    up.run("qd_dispatch", dispatch("city.hrss"));
    assert_eq!(up.case.holder.as_str(), "city.hrss");
}

#[test]
fn development_goes_to_departments_and_enforcement_needs_joint() {
    let mut w = Walk::new();
    w.run("ls_dispatch", accept(Category::Development, None, false));
    assert!(w
        .refuse("ls_dispatch", dispatch(COMMUNITY))
        .contains("department"));
    let mut e = Walk::new();
    e.run("ls_dispatch", accept(Category::Enforcement, None, false));
    assert!(e
        .refuse("ls_dispatch", dispatch("laoshan.enforcement"))
        .contains("joint"));
    let none = e.refuse("ls_dispatch", joint("laoshan.enforcement", &[], None));
    assert!(none.contains("support"), "{none}");
    let twice = e.refuse(
        "ls_dispatch",
        joint("laoshan.enforcement", &[STREET, STREET], None),
    );
    assert!(twice.contains("twice"), "{twice}");
    let outside = e.refuse(
        "ls_dispatch",
        joint("laoshan.enforcement", &["shibei.hrss"], None),
    );
    assert!(outside.contains("not a unit of laoshan"), "{outside}");
    let too_long = e.refuse(
        "ls_dispatch",
        joint("laoshan.enforcement", &[STREET], Some(21)),
    );
    assert!(too_long.contains("days"), "{too_long}");
}

#[test]
fn joint_days_set_the_limit_and_the_lead_replies_only_after_every_part() {
    let mut w = Walk::new();
    w.run("ls_dispatch", accept(Category::Enforcement, None, false));
    let accepted_at = w.case.accepted_at.expect("accepted");
    w.run(
        "ls_dispatch",
        joint(
            "laoshan.enforcement",
            &[STREET, "laoshan.housing"],
            Some(15),
        ),
    );
    assert_eq!(w.case.limit_days, Some(15));
    assert_eq!(
        w.case.due_at,
        Some(w.config.calendar.deadline(accepted_at, 15).at)
    );
    w.run("ls_enforcement", Command::Sign);
    let early = w.refuse("ls_enforcement", reply());
    assert!(
        early.contains(STREET) && early.contains("laoshan.housing"),
        "{early}"
    );
    w.run(
        "ls_jinjialing",
        Command::Report {
            text: "已配合现场查看".into(),
        },
    );
    let again = w.refuse("ls_jinjialing", Command::Report { text: "x".into() });
    assert!(again.contains("already reported"), "{again}");
    assert!(w
        .refuse("ls_hrss", Command::Report { text: "x".into() })
        .contains("not a supporting unit"));
    assert!(w
        .refuse("ls_enforcement", reply())
        .contains("laoshan.housing"));
    w.run(
        "ls_housing",
        Command::Report {
            text: "已出具意见".into(),
        },
    );
    w.run("ls_enforcement", reply());
    assert_eq!(
        (w.case.stage, w.case.holder.as_str()),
        (Stage::Review, "laoshan")
    );
}

#[test]
fn a_reply_needs_signing_four_elements_and_a_plausible_phone() {
    let mut w = at_community();
    assert!(w.refuse("ls_haidamaidao", reply()).contains("sign for"));
    w.run("ls_haidamaidao", Command::Sign);
    let mut missing = reply();
    if let Command::Reply { basis, .. } = &mut missing {
        basis.clear();
    }
    assert!(w.refuse("ls_haidamaidao", missing).starts_with("basis"));
    let mut phone = reply();
    if let Command::Reply { phone: p, .. } = &mut phone {
        *p = "call me".into();
    }
    assert!(w.refuse("ls_haidamaidao", phone).starts_with("phone"));
}

#[test]
fn review_approval_moves_to_evaluation_and_send_back_returns_to_the_unit() {
    let mut w = at_community();
    w.run("ls_haidamaidao", Command::Sign);
    w.run("ls_haidamaidao", reply());
    assert!(w
        .refuse("ls_haidamaidao", Command::ApproveReply)
        .contains("not permitted"));
    assert!(w
        .refuse("sb_dispatch", Command::ApproveReply)
        .contains("not permitted"));
    w.run(
        "ls_dispatch",
        Command::SendBack {
            note: "缺少政策依据".into(),
        },
    );
    assert_eq!(
        (w.case.stage, w.case.holder.as_str()),
        (Stage::Handling, COMMUNITY)
    );
    w.run("ls_haidamaidao", reply());
    w.run("ls_dispatch", Command::ApproveReply);
    assert_eq!(
        (w.case.stage, w.case.holder.as_str()),
        (Stage::Evaluation, "laoshan")
    );
}

#[test]
fn a_city_department_reply_is_reviewed_by_the_city_platform_then_the_district() {
    let mut w = Walk::new();
    w.run("ls_dispatch", accept(Category::Development, None, false));
    w.run("ls_dispatch", escalate());
    w.run("qd_dispatch", dispatch("city.hrss"));
    w.run("qd_hrss", Command::Sign);
    w.run("qd_hrss", reply());
    assert_eq!(
        (w.case.stage, w.case.holder.as_str()),
        (Stage::Review, "city")
    );
    assert!(w
        .refuse("ls_dispatch", Command::ApproveReply)
        .contains("not permitted"));
    w.run("qd_dispatch", Command::ApproveReply);
    assert_eq!(
        (w.case.stage, w.case.holder.as_str()),
        (Stage::Review, "laoshan")
    );
    w.run("ls_dispatch", Command::ApproveReply);
    assert_eq!(w.case.stage, Stage::Evaluation);
}

#[test]
fn a_return_needs_confirmation_and_the_platforms_approval() {
    let mut w = at_community();
    let unconfirmed = w.refuse(
        "ls_haidamaidao",
        Command::Return {
            reason: "不属于本社区".into(),
            confirm: false,
        },
    );
    assert!(unconfirmed.contains("--confirm"), "{unconfirmed}");
    w.run(
        "ls_haidamaidao",
        Command::Return {
            reason: "不属于本社区".into(),
            confirm: true,
        },
    );
    assert_eq!(
        w.case.stage,
        Stage::Assigned,
        "not back in triage before approval"
    );
    // First-receiver responsibility (先办后议): the work goes on while the return waits; only the
    // reply and another request wait for the platform.
    w.run("ls_haidamaidao", Command::Sign);
    w.run(
        "ls_haidamaidao",
        Command::Contact {
            note: "已电话联系诉求人".into(),
        },
    );
    let refused = w.refuse("ls_haidamaidao", reply());
    assert!(
        refused.contains("return request waits") && refused.contains("先办后议"),
        "{refused}"
    );
    assert!(w
        .refuse(
            "ls_haidamaidao",
            Command::Extend {
                days: 2,
                reason: "x".into()
            }
        )
        .contains("return request waits"));
    // Denied: an improper return (不当退单) counts on the unit's record.
    w.run("ls_dispatch", Command::DenyReturn);
    assert!(w.case.pending.is_none());
    let record = &w.records[&UnitId::new(COMMUNITY)];
    assert_eq!(record.denied_returns.len(), 1);
    assert_eq!(record.denied_returns[0].case, w.case.id);
    w.run(
        "ls_haidamaidao",
        Command::Return {
            reason: "不属于本社区".into(),
            confirm: true,
        },
    );
    w.run("ls_dispatch", Command::ApproveReturn);
    assert_eq!(
        (w.case.stage, w.case.holder.as_str()),
        (Stage::Triage, "laoshan")
    );
    // After a return the platform may route to a department directly.
    w.run("ls_dispatch", dispatch("laoshan.housing"));
}

#[test]
fn an_approved_extension_adds_its_working_days_to_the_deadline() {
    let mut w = at_community();
    let start = w.case.clock_start.expect("clock");
    assert!(w
        .refuse(
            "ls_haidamaidao",
            Command::Extend {
                days: 11,
                reason: "r".into()
            }
        )
        .contains("days"));
    w.run(
        "ls_haidamaidao",
        Command::Extend {
            days: 3,
            reason: "需协调施工方".into(),
        },
    );
    assert!(w
        .refuse(
            "ls_haidamaidao",
            Command::Extend {
                days: 1,
                reason: "r".into()
            }
        )
        .contains("waits"));
    w.run("ls_dispatch", Command::ApproveExtension);
    assert_eq!(w.case.limit_days, Some(5));
    assert_eq!(w.case.due_at, Some(w.config.calendar.deadline(start, 5).at));
    w.run(
        "ls_haidamaidao",
        Command::Extend {
            days: 2,
            reason: "again".into(),
        },
    );
    w.run("ls_dispatch", Command::DenyExtension);
    assert_eq!(w.case.limit_days, Some(5));
}

fn to_evaluation(w: &mut Walk, unit_login: &str) {
    w.run(unit_login, Command::Sign);
    w.run(unit_login, reply());
    w.run("ls_dispatch", Command::ApproveReply);
}

#[test]
fn evaluation_closes_or_starts_round_two_or_assessment() {
    for (s, r, closes) in [
        (S::Satisfied, R::Resolved, true),
        (S::Basic, R::Basic, true),
        (S::Satisfied, R::Unresolved, false),
        (S::Unsatisfied, R::Resolved, false),
    ] {
        let mut w = at_community();
        to_evaluation(&mut w, "ls_haidamaidao");
        w.run("ls_dispatch", evaluate(s, r));
        let expected = if closes { Stage::Closed } else { Stage::Triage };
        assert_eq!(w.case.stage, expected, "{s} {r}");
    }
    let mut w = at_community();
    to_evaluation(&mut w, "ls_haidamaidao");
    w.run("ls_dispatch", evaluate(S::Unsatisfied, R::Unresolved));
    assert_eq!(
        (w.case.round, w.case.due_at, w.case.holder.as_str()),
        (2, None, "laoshan")
    );
    assert_eq!(w.case.previous_rounds.len(), 1);
    // Round 2: the platform may go straight to a department; the deadline starts at dispatch.
    w.now = cst(2026, 11, 27, 16, 0);
    w.run("ls_dispatch", dispatch("laoshan.housing"));
    assert_eq!(w.case.due_at, Some(cst(2026, 12, 1, 16, 0)));
    to_evaluation(&mut w, "ls_housing");
    w.run("ls_dispatch", evaluate(S::Basic, R::Unresolved));
    assert_eq!(
        (w.case.stage, w.case.holder.as_str()),
        (Stage::Assessment, "laoshan.housing")
    );
    assert_eq!(w.case.assessed_unit, Some(u("laoshan.housing")));
}

fn failed_round_two(w: &mut Walk) {
    w.run("ls_dispatch", accept(Category::Livelihood, None, false));
    w.run("ls_dispatch", dispatch(COMMUNITY));
    to_evaluation(w, "ls_haidamaidao");
    w.run("ls_dispatch", evaluate(S::Unsatisfied, R::Unresolved));
    w.run("ls_dispatch", dispatch("laoshan.housing"));
    to_evaluation(w, "ls_housing");
    w.run("ls_dispatch", evaluate(S::Unsatisfied, R::Unresolved));
}

#[test]
fn two_failed_assessments_in_a_row_make_a_referral_and_a_pass_resets_the_count() {
    let mut w = Walk::new();
    failed_round_two(&mut w);
    assert!(w
        .refuse(
            "ls_dispatch",
            Command::Assess {
                outcome: A::Fail,
                note: None
            }
        )
        .contains("not permitted"));
    assert!(w
        .refuse(
            "sb_supervisor",
            Command::Assess {
                outcome: A::Fail,
                note: None
            }
        )
        .contains("supervises"));
    w.run(
        "ls_supervisor",
        Command::Assess {
            outcome: A::Fail,
            note: None,
        },
    );
    assert_eq!(w.case.stage, Stage::Closed);
    assert!(w.case.referral.is_none());
    assert_eq!(w.records[&u("laoshan.housing")].failed_assessments, 1);

    let records = w.records.clone();
    let mut second = Walk::new();
    second.records = records.clone();
    failed_round_two(&mut second);
    second.run(
        "qd_supervisor",
        Command::Assess {
            outcome: A::Fail,
            note: Some("推诿".into()),
        },
    );
    let referral = second
        .case
        .referral
        .clone()
        .expect("a referral on the case");
    assert_eq!(referral.unit, u("laoshan.housing"));
    assert_eq!(second.records[&u("laoshan.housing")].referrals.len(), 1);

    let mut passed = Walk::new();
    passed.records = records;
    failed_round_two(&mut passed);
    passed.run(
        "ls_supervisor",
        Command::Assess {
            outcome: A::Pass,
            note: None,
        },
    );
    assert!(passed.case.referral.is_none());
    assert_eq!(passed.records[&u("laoshan.housing")].failed_assessments, 0);
}

#[test]
fn each_role_is_refused_the_commands_of_other_roles() {
    let w = Walk::new();
    let acc = accept(Category::Livelihood, None, false);
    for login in ["ls_haidamaidao", "ls_supervisor", "ls_hrss"] {
        assert!(
            w.refuse(login, acc.clone()).contains("not permitted"),
            "{login}"
        );
    }
    assert!(
        w.refuse("sb_dispatch", acc.clone())
            .contains("not permitted"),
        "other district"
    );
    assert!(
        w.refuse("qd_dispatch", acc.clone())
            .contains("not permitted"),
        "city takes no citizen case"
    );
    let at = at_community();
    assert!(at
        .refuse("ls_dispatch", Command::Sign)
        .contains("not permitted"));
    assert!(at
        .refuse("ls_supervisor", Command::Sign)
        .contains("not permitted"));
    // The trainer may do everything.
    let mut t = Walk::new();
    t.run("trainer", acc);
    t.run("trainer", dispatch(COMMUNITY));
    t.run("trainer", Command::Sign);
}

#[test]
fn lights_are_blue_then_yellow_in_the_last_third_then_red_when_overdue() {
    let mut w = Walk::new();
    w.now = cst(2026, 11, 23, 9, 0);
    w.run(
        "ls_dispatch",
        accept(Category::Livelihood, Some(Kind::Complaint), false),
    );
    w.run("ls_dispatch", dispatch(COMMUNITY));
    // With the contact made, only the handling clock runs.
    w.run(
        "ls_haidamaidao",
        Command::Contact {
            note: "已联系".into(),
        },
    );
    let (cal, rules) = (&w.config.calendar, &w.config.rules);
    // Due Wednesday 09:00; 48 working hours, a third is 16 hours.
    assert_eq!(w.case.due_at, Some(cst(2026, 11, 25, 9, 0)));
    assert_eq!(
        light(&w.case, cst(2026, 11, 24, 9, 0), cal, rules),
        Some(Light::Blue)
    );
    assert_eq!(
        light(&w.case, cst(2026, 11, 24, 17, 1), cal, rules),
        Some(Light::Yellow)
    );
    assert_eq!(
        light(&w.case, cst(2026, 11, 25, 9, 0), cal, rules),
        Some(Light::Red)
    );
    // A case in assessment has no clock and no light.
    let mut done = w.case.clone();
    done.stage = crate::domain::case::Stage::Assessment;
    crate::domain::deadlines::refresh(&mut done, w.now, rules, cal);
    assert_eq!(light(&done, cst(2026, 12, 25, 9, 0), cal, rules), None);
}

#[test]
fn the_version_rises_with_every_command() {
    let w = at_community();
    assert_eq!(w.case.version, 3);
}
