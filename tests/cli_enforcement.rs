//! Joint enforcement: a lead and two supporting units, an unresolved first round, a failed second
//! round, performance assessment (履职评估), and the accountability referral (问责移交) after two
//! failed assessments of the same unit in a row.

mod common;

use common::{case_line, history_len, last_event, Store, REPLY};
use serde_json::{json, Value};

const LEAD: &str = "laoshan.enforcement";
const SUPPORT: [&str; 2] = ["laoshan.housing", "laoshan.shazikou"];
const SUPPORT_LOGINS: [&str; 2] = ["ls_housing", "ls_shazikou"];

fn enforcement_case(store: &Store, title: &str) -> String {
    let mut line = case_line("laoshan", "enforcement", title, "2026-11-23T08:10:00+08:00");
    line["channel"] = json!("unit");
    store.intake_one("2026-11-23T08:30:00+08:00", &line.to_string())
}

/// Joint assignment, signing, both reports and the lead's reply, approved by the platform, at
/// times starting from `day` (a date such as `2026-11-23`). Checks the parts of `round`.
fn handle_round(store: &Store, id: &str, day: &str, joint: &[&str], round: u64) -> Value {
    let t = |hm: &str| format!("{day}T{hm}:00+08:00");
    let mut words = vec![
        "joint",
        "--lead",
        LEAD,
        "--support",
        "laoshan.housing,laoshan.shazikou",
    ];
    words.extend_from_slice(joint);
    store.act_ok(&t("09:30"), "ls_dispatch", id, &words);
    let v = store.show_json_at(&t("09:30"), id);
    assert_eq!(v["stage"], "assigned");
    assert_eq!(v["holder"], LEAD);
    assert_eq!(v["lead"], LEAD);
    assert_eq!(v["supporting"], json!(SUPPORT));
    assert_eq!(v["round"], round);
    assert_eq!(v["light"], "blue");

    store.act_ok(&t("10:00"), "ls_enforcement", id, &["sign"]);
    for (i, login) in SUPPORT_LOGINS.iter().enumerate() {
        let now = t(&format!("1{}:00", i + 1));
        store.act_ok(&now, login, id, &["report", "--text", "已派员配合现场处置"]);
        let v = store.show_json_at(&now, id);
        let e = last_event(&v);
        assert_eq!((&e["action"], &e["by"]), (&json!("report"), &json!(login)));
        assert_eq!(e["unit"], SUPPORT[i]);
        let parts: Vec<&Value> = v["parts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["round"] == round)
            .collect();
        assert_eq!(parts.len(), i + 1, "{v:#}");
        // A report leaves the case with the lead.
        assert_eq!(v["holder"], LEAD);
        assert_eq!(v["stage"], "handling");
    }
    store.act_ok(&t("14:00"), "ls_enforcement", id, REPLY);
    let v = store.show_json_at(&t("14:00"), id);
    assert_eq!(v["stage"], "review");
    assert_eq!(v["holder"], "laoshan");
    assert_eq!(v["reply"]["unit"], LEAD);
    store.act_ok(&t("15:00"), "ls_dispatch", id, &["approve-reply"]);
    let v = store.show_json_at(&t("15:00"), id);
    assert_eq!(v["stage"], "evaluation");
    v
}

fn evaluate(store: &Store, now: &str, id: &str, satisfaction: &str) -> Value {
    store.act_ok(
        now,
        "ls_dispatch",
        id,
        &[
            "evaluate",
            "--satisfaction",
            satisfaction,
            "--resolution",
            "unresolved",
        ],
    );
    store.show_json_at(now, id)
}

/// Both rounds of a joint case, ending in assessment of the lead unit.
fn two_failed_rounds(store: &Store, id: &str) {
    store.act_ok(
        "2026-11-23T09:00:00+08:00",
        "ls_dispatch",
        id,
        &["accept", "--category", "enforcement"],
    );
    handle_round(store, id, "2026-11-24", &[], 1);
    evaluate(store, "2026-11-25T09:00:00+08:00", id, "basic");
    handle_round(store, id, "2026-11-26", &[], 2);
    let v = evaluate(store, "2026-11-27T09:00:00+08:00", id, "unsatisfied");
    assert_eq!(v["stage"], "assessment");
}

#[test]
fn a_joint_case_goes_through_two_rounds_to_assessment() {
    let store = Store::new();
    let id = enforcement_case(&store, "沙子口街道请求联合查处海边违规搭建民宿");

    store.act_ok(
        "2026-11-23T09:00:00+08:00",
        "ls_dispatch",
        &id,
        &["accept", "--category", "enforcement"],
    );
    let v = store.show_json_at("2026-11-23T09:00:00+08:00", &id);
    assert_eq!(v["category"], "enforcement");
    assert_eq!(v["kind"], Value::Null);
    // 10 working days from Mon 2026-11-23 09:00.
    assert_eq!(v["due_at"], "2026-12-07T09:00:00+08:00");

    // --days 15 counts from acceptance: 15 working days later.
    let v = handle_round(&store, &id, "2026-11-24", &["--days", "15"], 1);
    assert_eq!(v["due_at"], "2026-12-14T09:00:00+08:00");
    assert_eq!(v["handled_by"], LEAD);
    let joint = v["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "joint")
        .expect("joint in history")
        .clone();
    assert_eq!(joint["by"], "ls_dispatch");
    assert_eq!(joint["lead"], LEAD);
    assert_eq!(joint["support"], json!(SUPPORT));
    assert_eq!(joint["due_at"], "2026-12-14T09:00:00+08:00");

    // "Unresolved": back to the platform for a second round, with no deadline until dispatch.
    let before = history_len(&v);
    let v = evaluate(&store, "2026-11-25T09:00:00+08:00", &id, "basic");
    assert_eq!(history_len(&v), before + 1);
    assert_eq!(last_event(&v)["by"], "ls_dispatch");
    assert_eq!(v["stage"], "triage");
    assert_eq!(v["round"], 2);
    assert_eq!(v["holder"], "laoshan");
    assert_eq!(v["due_at"], Value::Null);
    // Only the platform's routing clock runs until the round-2 dispatch.
    assert_eq!(v["light"], "blue");
    assert_eq!(v["clock"], "triage");
    assert_eq!(v["clocks"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["lead"], Value::Null);
    assert_eq!(v["supporting"], json!([]));
    assert_eq!(v["reply"], Value::Null);
    assert_eq!(v["previous_rounds"][0]["round"], 1);
    assert_eq!(v["previous_rounds"][0]["handled_by"], LEAD);

    // Round 2: a new deadline from its dispatch, with the rules' 10 days.
    let v = handle_round(&store, &id, "2026-11-26", &[], 2);
    assert_eq!(v["due_at"], "2026-12-10T09:30:00+08:00");
    assert_eq!(v["accepted_at"], "2026-11-23T09:00:00+08:00");

    // Round 2 unsatisfied: the lead that handled it is assessed.
    let v = evaluate(&store, "2026-11-27T09:00:00+08:00", &id, "unsatisfied");
    assert_eq!(v["stage"], "assessment");
    assert_eq!(v["round"], 2);
    assert_eq!(v["holder"], LEAD);
    assert_eq!(v["assessed_unit"], LEAD);
    assert_eq!(v["light"], Value::Null);

    // Another district's supervisor may not assess a Laoshan case.
    store
        .act(
            "2026-11-27T10:00:00+08:00",
            "cy_supervisor",
            &id,
            &["assess", "--outcome", "fail"],
        )
        .refused(&["not permitted"]);
    // A dispatcher may not assess at all.
    store
        .act(
            "2026-11-27T10:00:00+08:00",
            "ls_dispatch",
            &id,
            &["assess", "--outcome", "fail"],
        )
        .refused(&["not permitted"]);

    store.act_ok(
        "2026-11-27T10:00:00+08:00",
        "ls_supervisor",
        &id,
        &["assess", "--outcome", "fail", "--note", "二次办理仍未解决"],
    );
    let v = store.show_json_at("2026-11-27T10:00:00+08:00", &id);
    assert_eq!(v["stage"], "closed");
    assert_eq!(v["assessment"], "fail");
    assert_eq!(v["referral"], Value::Null, "one failure is no referral yet");
    let e = last_event(&v);
    assert_eq!(e["action"], "assess");
    assert_eq!(e["by"], "ls_supervisor");
    assert_eq!(e["at"], "2026-11-27T10:00:00+08:00");
    assert_eq!(e["unit"], LEAD);
    assert_eq!(e["failed_in_a_row"], 1);

    let unit = store.unit_json(LEAD);
    assert_eq!(unit["failed_assessments"], 1);
    assert_eq!(unit["referrals"], json!([]));
    // The supporting units are not assessed.
    assert_eq!(store.unit_json("laoshan.housing")["failed_assessments"], 0);
}

#[test]
fn a_second_failed_assessment_of_the_same_unit_is_referred_for_accountability() {
    let store = Store::new();
    let first = enforcement_case(&store, "流动摊贩售卖三无食品联合查处");
    let second = enforcement_case(&store, "沿河私挖乱采联合查处");

    two_failed_rounds(&store, &first);
    store.act_ok(
        "2026-11-27T10:00:00+08:00",
        "ls_supervisor",
        &first,
        &["assess", "--outcome", "fail"],
    );
    assert_eq!(store.unit_json(LEAD)["failed_assessments"], 1);
    assert_eq!(store.show_json(&first)["referral"], Value::Null);

    two_failed_rounds(&store, &second);
    store.act_ok(
        "2026-11-30T10:00:00+08:00",
        "ls_supervisor",
        &second,
        &["assess", "--outcome", "fail"],
    );

    // The referral is on the second case …
    let v = store.show_json(&second);
    assert_eq!(v["stage"], "closed");
    assert_eq!(v["assessment"], "fail");
    assert_eq!(v["referral"]["unit"], LEAD);
    assert_eq!(v["referral"]["case"], second.as_str());
    assert_eq!(v["referral"]["at"], "2026-11-30T10:00:00+08:00");
    let e = last_event(&v);
    assert_eq!(e["failed_in_a_row"], 2);
    assert_eq!(e["referral"]["unit"], LEAD);
    // … not on the first …
    assert_eq!(store.show_json(&first)["referral"], Value::Null);
    // … and in the unit's record, whose count starts again.
    let unit = store.unit_json(LEAD);
    let referrals = unit["referrals"].as_array().expect("referrals");
    assert_eq!(referrals.len(), 1, "{unit:#}");
    assert_eq!(referrals[0]["case"], second.as_str());
    assert_eq!(referrals[0]["unit"], LEAD);
    assert_eq!(referrals[0]["at"], "2026-11-30T10:00:00+08:00");
    assert_eq!(unit["failed_assessments"], 0);

    let text = store.run(&["units"]).ok().stdout;
    let line = text.lines().find(|l| l.contains(LEAD)).expect("unit line");
    assert!(line.contains("问责移交 ×1"), "{line}");
}

#[test]
fn a_pass_between_two_failures_means_no_referral() {
    let store = Store::new();
    let ids: Vec<String> = [
        "违规养殖场联合清理",
        "圈占绿地违建联合查处",
        "餐饮油烟联合查处",
    ]
    .iter()
    .map(|t| enforcement_case(&store, t))
    .collect();
    let outcomes = ["fail", "pass", "fail"];
    for (id, outcome) in ids.iter().zip(outcomes) {
        two_failed_rounds(&store, id);
        store.act_ok(
            "2026-11-30T10:00:00+08:00",
            "ls_supervisor",
            id,
            &["assess", "--outcome", outcome],
        );
        assert_eq!(store.show_json(id)["referral"], Value::Null);
    }
    let unit = store.unit_json(LEAD);
    assert_eq!(unit["failed_assessments"], 1, "{unit:#}");
    assert_eq!(unit["referrals"], json!([]));
}
