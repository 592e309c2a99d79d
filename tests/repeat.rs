//! Repeat complaints and merging (重复投诉、并案, issue #13) end to end through the CLI: intake links
//! a case to earlier cases of the same phone or address, the third complaint makes a supervision
//! notice counted on the platform, the dispatcher confirms, unlinks and merges, and the open case
//! lists both requesters (masked for a supervisor). The store's own check stays clean.

mod common;

use serde_json::{json, Value};

const HAIDAMAIDAO: &str = "laoshan.jinjialing.haidamaidao";

fn t(hm: &str) -> String {
    format!("2026-11-23T{hm}:00+08:00")
}

/// A Haidamaidao case of `phone` at `address`.
fn line(title: &str, phone: &str, address: &str, at: &str) -> String {
    let mut v: Value = serde_json::from_str(&common::haidamaidao_line(title, at)).expect("json");
    v["requester"] = json!({"name": "刘芳", "phone": phone});
    v["address"] = json!(address);
    v.to_string()
}

fn links(v: &Value) -> Vec<(String, String, bool)> {
    v["links"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|l| {
                    (
                        l["case"].as_str().unwrap_or("").to_string(),
                        l["reason"].as_str().unwrap_or("").to_string(),
                        l["confirmed"].as_bool().unwrap_or(true),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_third_complaint_makes_a_notice_and_a_merge_lets_the_duplicate_follow_the_open_case() {
    let store = common::Store::new();
    let first = store.intake_one(
        &t("09:00"),
        &line(
            "楼道灯坏了",
            "13700001111",
            "崂山区海大麦岛社区3号楼",
            &t("09:00"),
        ),
    );
    // Same address and category, another phone: linked by address.
    let second = store.intake_one(
        &t("09:30"),
        &line(
            "楼道灯还是不亮",
            "13700002222",
            "崂山区 海大麦岛社区 3号楼",
            &t("09:30"),
        ),
    );
    let v = store.show_json_at(&t("09:31"), &second);
    assert_eq!(links(&v), [(first.clone(), "address".into(), false)]);
    assert!(v["supervision"].is_null(), "two complaints make no notice");
    // A third, the first requester's phone again: linked to both; the notice goes to the platform.
    let third = store.intake_one(
        &t("10:00"),
        &line(
            "第三次反映楼道灯",
            "137-0000-1111",
            "崂山区松岭路",
            &t("10:00"),
        ),
    );
    let v = store.show_json_at(&t("10:01"), &third);
    let got: Vec<(String, String)> = links(&v).into_iter().map(|(c, r, _)| (c, r)).collect();
    assert_eq!(got, [(first.clone(), "phone".to_string())]);
    // The address does not match the second case; confirm the suggestion and link it by hand.
    store.act_ok(
        &t("10:05"),
        "ls_dispatch",
        &third,
        &["link", "--case", &first],
    );
    store.act_ok(
        &t("10:06"),
        "ls_dispatch",
        &third,
        &["link", "--case", &second],
    );
    let v = store.show_json_at(&t("10:07"), &third);
    assert_eq!(v["supervision"]["by"], "jiban");
    assert_eq!(v["supervision"]["unit"], "laoshan");
    assert_eq!(common::last_event(&v)["action"], "link");
    assert_eq!(common::last_event(&v)["complaints"], 3);
    let shown = store.run(&["--now", &t("10:07"), "show", &third]).ok();
    assert!(shown.stdout.contains("重复 ×3"), "{}", shown.stdout);
    let units = store.run(&["units"]).ok();
    assert!(
        units
            .stdout
            .lines()
            .any(|l| l.contains(" laoshan ") && l.contains("重复投诉督办 ×1")),
        "{}",
        units.stdout
    );
    let platform = store.unit_json("laoshan");
    assert_eq!(platform["repeat_notices"][0]["case"], third.as_str());
    assert_eq!(platform["notices"][0]["case"], third.as_str());
    assert!(platform["notices"][0]["answered_at"].is_null());
    // A unit may not link; a wrong link is removed.
    store
        .act(
            &t("10:08"),
            "ls_haidamaidao",
            &second,
            &["unlink", "--case", &first],
        )
        .refused(&["not permitted"]);
    store.act_ok(
        &t("10:09"),
        "ls_dispatch",
        &second,
        &["unlink", "--case", &first],
    );
    assert!(links(&store.show_json_at(&t("10:10"), &second)).is_empty());

    // The first case is being handled; the third merges into it and takes the notice along.
    store.act_ok(
        &t("10:10"),
        "ls_dispatch",
        &first,
        &["accept", "--category", "livelihood"],
    );
    store.act_ok(
        &t("10:11"),
        "ls_dispatch",
        &first,
        &["dispatch", "--to", HAIDAMAIDAO],
    );
    store.act_ok(
        &t("10:12"),
        "ls_dispatch",
        &third,
        &["merge", "--into", &first],
    );
    let merged = store.show_json_at(&t("10:13"), &third);
    assert_eq!(merged["stage"], "merged");
    assert_eq!(merged["merged_into"], first.as_str());
    let open = store.show_json_at(&t("10:13"), &first);
    assert_eq!(open["merged"][0]["case"], third.as_str());
    assert_eq!(open["merged"][0]["requester"]["phone"], "137-0000-1111");
    assert_eq!(open["supervision"]["unit"], HAIDAMAIDAO);
    assert_eq!(common::last_event(&open)["action"], "merged-in");
    // The supervisor sees both requesters masked.
    let masked = store
        .run(&[
            "--now",
            &t("10:13"),
            "--as",
            "ls_supervisor",
            "show",
            &first,
            "--json",
        ])
        .ok();
    let masked: Value = serde_json::from_str(&masked.stdout).expect("json");
    let phone = masked["merged"][0]["requester"]["phone"]
        .as_str()
        .unwrap_or("");
    assert!(phone.contains("****"), "{phone}");
    // Merging into a finished case, or again, is refused.
    store
        .act(
            &t("10:14"),
            "ls_dispatch",
            &second,
            &["merge", "--into", &third],
        )
        .refused(&["merged", "open case"]);
    // The unit answers the notice it inherited.
    store.act_ok(
        &t("10:20"),
        "ls_haidamaidao",
        &first,
        &["answer-supervision", "--text", "已安排电工今日更换"],
    );
    store.run(&["check"]).ok();
}
