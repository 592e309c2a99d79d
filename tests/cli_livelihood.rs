//! A livelihood case bottom-up: community → street → district platform → department → reply →
//! review → evaluation → closed, each step by the right login, checked through `show --json`.

mod common;

use common::{haidamaidao_line, history_len, last_event, Store, REPLY};
use serde_json::Value;

/// Mon 2026-11-23 09:00 + 2 working days (simple complaint).
const DUE: &str = "2026-11-25T09:00:00+08:00";

/// The keys `show --json` must carry.
const KEYS: &[&str] = &[
    "id",
    "district",
    "category",
    "kind",
    "complex",
    "stage",
    "round",
    "holder",
    "lead",
    "supporting",
    "accepted_at",
    "due_at",
    "due_provisional",
    "light",
    "history",
];

struct Walk<'a> {
    store: &'a Store,
    id: String,
    history: usize,
}

impl Walk<'_> {
    /// Runs one step as `login` at `now`, then checks the case and its newest history entry.
    fn step(
        &mut self,
        now: &str,
        login: &str,
        words: &[&str],
        expect: (&str, &str, Option<&str>, Option<&str>),
    ) -> Value {
        let (stage, holder, due, light) = expect;
        let out = self.store.act_ok(now, login, &self.id, words);
        assert!(
            out.stdout.contains(&self.id) && out.stdout.contains(holder),
            "{}",
            out.stdout
        );
        let v = self.store.show_json_at(now, &self.id);
        let ctx = format!("after {} by {login}: {v:#}", words[0]);
        assert_eq!(v["stage"], stage, "{ctx}");
        assert_eq!(v["holder"], holder, "{ctx}");
        assert_eq!(v["round"], 1, "{ctx}");
        assert_eq!(v["due_at"].as_str(), due, "{ctx}");
        assert_eq!(v["light"].as_str(), light, "{ctx}");
        assert_eq!(v["due_provisional"], false, "{ctx}");
        self.history += 1;
        assert_eq!(history_len(&v), self.history, "{ctx}");
        let e = last_event(&v);
        assert_eq!(e["at"], now, "{ctx}");
        assert_eq!(e["by"], login, "{ctx}");
        assert_eq!(e["action"], words[0], "{ctx}");
        v
    }
}

#[test]
fn a_livelihood_case_climbs_from_community_to_department_and_closes() {
    let store = Store::new();
    let id = store.intake_one(
        "2026-11-23T08:30:00+08:00",
        &haidamaidao_line(
            "海大麦岛社区12号楼顶层屋顶漏水",
            "2026-11-23T08:15:00+08:00",
        ),
    );
    let v = store.show_json_at("2026-11-23T08:30:00+08:00", &id);
    assert_eq!(v["stage"], "triage");
    assert_eq!(v["holder"], "laoshan");
    assert_eq!(v["due_at"], Value::Null);
    // The triage clock runs from receipt: one working day to accept or reject.
    assert_eq!(v["light"], "blue");
    assert_eq!(v["clock"], "triage");
    assert_eq!(v["clocks"][0]["due_at"], "2026-11-24T08:15:00+08:00");
    assert_eq!(history_len(&v), 1);
    let mut w = Walk {
        store: &store,
        id: id.clone(),
        history: 1,
    };
    let community = "laoshan.jinjialing.haidamaidao";
    let street = "laoshan.jinjialing";

    // 受理 by the Laoshan platform: a simple complaint, 2 working days from acceptance.
    let v = w.step(
        "2026-11-23T09:00:00+08:00",
        "ls_dispatch",
        &["accept", "--category", "livelihood"],
        // The handling clock runs from acceptance, at the platform too.
        ("triage", "laoshan", Some(DUE), Some("blue")),
    );
    assert_eq!(v["category"], "livelihood");
    assert_eq!(v["kind"], "complaint");
    assert_eq!(v["complex"], false);
    assert_eq!(v["accepted_at"], "2026-11-23T09:00:00+08:00");
    assert_eq!(last_event(&v)["due_at"], DUE);

    // Bottom-up: the community first.
    w.step(
        "2026-11-23T09:30:00+08:00",
        "ls_dispatch",
        &["dispatch", "--to", community],
        ("assigned", community, Some(DUE), Some("blue")),
    );
    w.step(
        "2026-11-23T10:00:00+08:00",
        "ls_haidamaidao",
        &["sign"],
        ("handling", community, Some(DUE), Some("blue")),
    );
    // The community cannot solve it: up to its street.
    let v = w.step(
        "2026-11-23T14:00:00+08:00",
        "ls_haidamaidao",
        &["escalate", "--note", "社区协调未果，上报街道"],
        ("assigned", street, Some(DUE), Some("blue")),
    );
    assert_eq!(last_event(&v)["from"], community);
    assert_eq!(last_event(&v)["to"], street);
    w.step(
        "2026-11-23T15:00:00+08:00",
        "ls_jinjialing",
        &["sign"],
        ("handling", street, Some(DUE), Some("blue")),
    );
    // The street cannot either: back to the district platform, which routes to a department.
    w.step(
        "2026-11-24T09:00:00+08:00",
        "ls_jinjialing",
        &["escalate", "--note", "需职能部门处理"],
        ("triage", "laoshan", Some(DUE), Some("blue")),
    );
    w.step(
        "2026-11-24T10:00:00+08:00",
        "ls_dispatch",
        &["dispatch", "--to", "laoshan.housing"],
        ("assigned", "laoshan.housing", Some(DUE), Some("blue")),
    );
    // 15 working hours of 48 left: at most a third, so yellow.
    w.step(
        "2026-11-24T18:00:00+08:00",
        "ls_housing",
        &["sign"],
        ("handling", "laoshan.housing", Some(DUE), Some("yellow")),
    );
    // 答复 goes to the district platform for review.
    let v = w.step(
        "2026-11-25T08:30:00+08:00",
        "ls_housing",
        REPLY,
        // The platform's review clock: one working day.
        ("review", "laoshan", Some(DUE), Some("blue")),
    );
    assert_eq!(v["reply"]["unit"], "laoshan.housing");
    assert_eq!(v["reply"]["phone"], "0532-88886666");
    assert_eq!(v["reply"]["at"], "2026-11-25T08:30:00+08:00");
    w.step(
        "2026-11-25T10:00:00+08:00",
        "ls_dispatch",
        &["approve-reply"],
        // The callback clock: two working days.
        ("evaluation", "laoshan", Some(DUE), Some("blue")),
    );
    // 回访评价: basically satisfied and resolved closes the case.
    let v = w.step(
        "2026-11-25T15:00:00+08:00",
        "ls_dispatch",
        &[
            "evaluate",
            "--satisfaction",
            "basic",
            "--resolution",
            "resolved",
        ],
        ("closed", "laoshan", Some(DUE), None),
    );
    assert_eq!(v["closed_at"], "2026-11-25T15:00:00+08:00");
    assert_eq!(v["evaluation"]["satisfaction"], "basic");
    assert_eq!(v["evaluation"]["resolution"], "resolved");

    // The whole history, oldest first.
    let actions: Vec<&str> = v["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "intake",
            "accept",
            "dispatch",
            "sign",
            "escalate",
            "sign",
            "escalate",
            "dispatch",
            "sign",
            "reply",
            "approve-reply",
            "evaluate"
        ]
    );

    // A closed case takes no more commands.
    store
        .act(
            "2026-11-26T09:00:00+08:00",
            "ls_dispatch",
            &id,
            &["approve-reply"],
        )
        .refused(&["closed"]);
}

#[test]
fn show_json_has_every_key_of_the_spec_with_china_times() {
    let store = Store::new();
    let id = store.intake_one(
        "2026-11-23T08:30:00+08:00",
        &haidamaidao_line("楼道灯不亮", "2026-11-23T01:05:00+08:00"),
    );
    store.act_ok(
        "2026-11-23T09:00:00+08:00",
        "ls_dispatch",
        &id,
        &[
            "accept",
            "--category",
            "livelihood",
            "--kind",
            "consultation",
        ],
    );
    let v = store.show_json_at("2026-11-23T09:00:00+08:00", &id);
    let obj = v.as_object().expect("show --json is an object");
    for key in KEYS {
        assert!(obj.contains_key(*key), "show --json lacks {key:?}: {v:#}");
    }
    assert_eq!(v["id"], id.as_str());
    assert_eq!(v["district"], "laoshan");
    assert_eq!(v["kind"], "consultation");
    assert_eq!(v["lead"], Value::Null);
    assert_eq!(v["supporting"], serde_json::json!([]));
    // A consultation has one working day.
    assert_eq!(v["due_at"], "2026-11-24T09:00:00+08:00");
    // Every time is shown in China time, never UTC.
    assert_eq!(v["received_at"], "2026-11-23T01:05:00+08:00");
    assert_eq!(v["accepted_at"], "2026-11-23T09:00:00+08:00");
    for e in v["history"].as_array().unwrap() {
        let at = e["at"].as_str().expect("history at");
        assert!(at.ends_with("+08:00"), "{at}");
    }
    assert!(!v.to_string().contains("Z\""), "a UTC time leaked: {v}");

    // A livelihood case goes to its community first, not straight to a department.
    store
        .act(
            "2026-11-23T09:10:00+08:00",
            "ls_dispatch",
            &id,
            &["dispatch", "--to", "laoshan.housing"],
        )
        .refused(&["community"]);
}

#[test]
fn a_province_case_gets_the_2115_clocks_from_intake_and_records_contact_and_feedback() {
    let store = Store::new();
    let now = "2026-11-23T09:00:00+08:00";
    let mut line: Value =
        serde_json::from_str(&haidamaidao_line("省交办企业诉求：厂区供电不稳", now)).expect("json");
    line["source"] = Value::from("province");
    let id = store.intake_one(now, &line.to_string());
    let v = store.show_json_at(now, &id);
    assert_eq!(v["province"], true);
    let kinds: Vec<(&str, bool, &str)> = v["clocks"]
        .as_array()
        .expect("clocks")
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap_or(""),
                c["province"].as_bool().unwrap_or(false),
                c["due_at"].as_str().unwrap_or(""),
            )
        })
        .collect();
    // Most urgent first: contact within 2 hours, then feedback and triage a working day on.
    assert_eq!(kinds[0], ("contact", true, "2026-11-23T11:00:00+08:00"));
    assert!(kinds.contains(&("feedback", true, "2026-11-24T09:00:00+08:00")));
    assert!(kinds.contains(&("triage", false, "2026-11-24T09:00:00+08:00")));
    // The platform calls the enterprise and gives the first feedback.
    let t = "2026-11-23T10:00:00+08:00";
    store.act_ok(
        t,
        "ls_dispatch",
        &id,
        &["contact", "--note", "已电话联系企业负责人"],
    );
    store.act_ok(
        t,
        "ls_dispatch",
        &id,
        &["feedback", "--text", "已受理，正协调供电公司"],
    );
    let v = store.show_json_at(t, &id);
    let left: Vec<&str> = v["clocks"]
        .as_array()
        .expect("clocks")
        .iter()
        .filter_map(|c| c["kind"].as_str())
        .collect();
    assert_eq!(left, ["triage"]);
    assert_eq!(last_event(&v)["action"], "feedback");
    // An unknown source names the field.
    line["source"] = Value::from("city");
    let out = store.intake(now, &[line.to_string()]).failed(1);
    assert!(out.stderr.contains("line 1: source"), "{}", out.stderr);
}

const MONDAY: &str = "2026-11-23T09:00:00+08:00";
const HAIDAMAIDAO: &str = "laoshan.jinjialing.haidamaidao";

/// A new store with one Haidamaidao case, accepted and sent to the community on Monday 09:00.
fn sent_to_the_community(title: &str) -> (Store, String) {
    let store = Store::new();
    let id = store.intake_one(MONDAY, &haidamaidao_line(title, MONDAY));
    let accept = ["accept", "--category", "livelihood"];
    store.act_ok(MONDAY, "ls_dispatch", &id, &accept);
    let dispatch = ["dispatch", "--to", HAIDAMAIDAO];
    store.act_ok(MONDAY, "ls_dispatch", &id, &dispatch);
    (store, id)
}

#[test]
fn a_community_handles_while_its_return_waits_and_a_denied_return_counts_on_its_record() {
    let (store, id) = sent_to_the_community("楼道堆放杂物");
    let (t, community) = (MONDAY, HAIDAMAIDAO);
    let reason = ["return", "--reason", "楼道属物业管理", "--confirm"];
    store.act_ok(t, "ls_haidamaidao", &id, &reason);
    // 先办后议: while the return waits the community still signs and contacts the requester.
    store.act_ok(t, "ls_haidamaidao", &id, &["sign"]);
    store.act_ok(
        t,
        "ls_haidamaidao",
        &id,
        &["contact", "--note", "已电话联系"],
    );
    store
        .act(t, "ls_haidamaidao", &id, REPLY)
        .refused(&["return request waits"]);
    store.act_ok(t, "ls_dispatch", &id, &["deny-return"]);
    // The denied return is on the community's record, in `units --json` and in `units`.
    let unit = store.unit_json(community);
    let denied = unit["denied_returns"].as_array().expect("denied_returns");
    assert_eq!(denied.len(), 1, "{unit}");
    assert_eq!(denied[0]["case"], id.as_str());
    let text = store.run(&["units"]).ok().stdout;
    let line = text
        .lines()
        .find(|l| l.contains(community))
        .expect("the community's line");
    assert!(line.contains("不当退单 ×1"), "{line}");
    // The case goes on: the reply is now taken.
    store.act_ok(t, "ls_haidamaidao", &id, REPLY);
}

#[test]
fn a_supervision_notice_gets_its_own_clock_until_the_unit_answers() {
    let (store, id) = sent_to_the_community("楼道灯长期不亮");
    let (t, community) = (MONDAY, HAIDAMAIDAO);
    // Another district's supervisor may not; the district's may.
    let notice = [
        "supervise",
        "--note",
        "群众反映强烈，请两日内办结",
        "--days",
        "2",
    ];
    store
        .act(t, "sb_supervisor", &id, &notice)
        .refused(&["supervises"]);
    store.act_ok(t, "ls_supervisor", &id, &notice);
    let view = store.show_json(&id);
    assert_eq!(view["supervision"]["unit"], community, "{view}");
    let clocks = view["clocks"].as_array().expect("clocks");
    let sup = clocks
        .iter()
        .find(|c| c["kind"] == "supervision")
        .expect("a supervision clock");
    // Monday 09:00 + 2 working days.
    assert_eq!(sup["due_at"], "2026-11-25T09:00:00+08:00");
    assert_eq!(last_event(&view)["action"], "supervise");
    // Only the supervised unit answers; the clock then stops.
    let answer = ["answer-supervision", "--text", "已联系供电所，明日更换"];
    store
        .act(t, "ls_market", &id, &answer)
        .refused(&[community]);
    store.act_ok(t, "ls_haidamaidao", &id, &answer);
    let view = store.show_json(&id);
    assert!(view["supervision"]["answer"]["text"].is_string(), "{view}");
    let clocks = view["clocks"].as_array().expect("clocks");
    assert!(clocks.iter().all(|c| c["kind"] != "supervision"), "{view}");
    // The history says it in words.
    let text = store.run(&["show", &id]).ok().stdout;
    assert!(
        text.contains("supervise") && text.contains("answer-supervision"),
        "{text}"
    );
}
