//! Look-back sampling (回头看, issue #13) end to end through the CLI: a month's draw per unit,
//! seeded and reproducible, drawn once; a supervisor's re-visit that finds a false closure
//! reopens the case in round 2 and counts on the unit's record; the store's check stays clean.

mod common;

use serde_json::Value;

const HAIDAMAIDAO: &str = "laoshan.jinjialing.haidamaidao";

/// Takes in a Haidamaidao case on 2026-10-`day` and walks it to closed the same day.
fn closed_in_october(store: &common::Store, day: u32) -> String {
    let t = |hm: &str| format!("2026-10-{day:02}T{hm}:00+08:00");
    let id = store.intake_one(
        &t("09:00"),
        &common::haidamaidao_line("楼道灯不亮", &t("09:00")),
    );
    store.act_ok(
        &t("09:10"),
        "ls_dispatch",
        &id,
        &["accept", "--category", "livelihood"],
    );
    store.act_ok(
        &t("09:20"),
        "ls_dispatch",
        &id,
        &["dispatch", "--to", HAIDAMAIDAO],
    );
    store.act_ok(&t("09:30"), "ls_haidamaidao", &id, &["sign"]);
    store.act_ok(&t("10:00"), "ls_haidamaidao", &id, common::REPLY);
    store.act_ok(&t("10:30"), "ls_dispatch", &id, &["approve-reply"]);
    store.act_ok(
        &t("11:00"),
        "ls_dispatch",
        &id,
        &[
            "evaluate",
            "--satisfaction",
            "satisfied",
            "--resolution",
            "resolved",
        ],
    );
    id
}

fn sample(store: &common::Store, login: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "--now",
        "2026-11-02T09:00:00+08:00",
        "--as",
        login,
        "lookback",
        "sample",
        "--month",
        "2026-10",
        "--json",
    ];
    args.extend_from_slice(extra);
    let out = store.run(&args).ok();
    serde_json::from_str(&out.stdout).expect("sample --json is JSON")
}

fn drawn(v: &Value) -> Vec<String> {
    v["units"]
        .as_array()
        .expect("units")
        .iter()
        .flat_map(|u| u["drawn"].as_array().cloned().unwrap_or_default())
        .map(|c| c.as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn a_month_is_sampled_once_per_seed_and_a_false_closure_reopens_the_case() {
    let store = common::Store::new();
    let closed: Vec<String> = (12..=14).map(|d| closed_in_october(&store, d)).collect();
    // A unit may not draw; a district's supervisor draws within its district.
    store
        .run(&[
            "--now",
            "2026-11-02T08:00:00+08:00",
            "--as",
            "ls_haidamaidao",
            "lookback",
            "sample",
            "--month",
            "2026-10",
        ])
        .refused(&["may not draw"]);
    store
        .run(&[
            "--now",
            "2026-11-02T08:00:00+08:00",
            "--as",
            "ls_supervisor",
            "lookback",
            "sample",
            "--month",
            "2026-10",
            "--scope",
            "shibei",
        ])
        .refused(&["may not draw"]);
    // The first process to open the store in November drew October for the city (the monthly
    // step, by jiban); the supervisor's draw of Laoshan picks the same case with the month's seed.
    let first = sample(&store, "ls_supervisor", &[]);
    assert_eq!(first["already"], 1, "{first}");
    assert_eq!(first["scope"], "laoshan");
    let units = first["units"].as_array().expect("units");
    assert_eq!(units.len(), 1, "{first}");
    assert_eq!(units[0]["unit"], HAIDAMAIDAO);
    assert_eq!(units[0]["closed"], 3);
    let ids = drawn(&first);
    assert_eq!(ids.len(), 1, "5 % of 3 rounds up to one");
    assert!(closed.contains(&ids[0]));
    // Again with the same seed: the same case, not drawn twice.
    let again = sample(&store, "ls_supervisor", &[]);
    assert_eq!(drawn(&again), ids);
    assert_eq!(again["already"], 1);
    // Some seed draws another case of the three.
    let other = (1..50u64).find_map(|s| {
        let v = sample(&store, "ls_supervisor", &["--seed", &s.to_string()]);
        let d = drawn(&v);
        (d != ids).then_some(d)
    });
    assert!(other.is_some(), "no seed drew another case");
    let id = &ids[0];
    let v = store.show_json_at("2026-11-02T09:05:00+08:00", id);
    assert_eq!(v["lookback"]["month"], "2026-10");
    assert_eq!(common::last_event(&v)["action"], "lookback-drawn");
    assert_eq!(common::last_event(&v)["by"], "jiban");
    // The re-visit finds the light still broken: round 2 at the district platform.
    store
        .act(
            "2026-11-03T10:00:00+08:00",
            "ls_haidamaidao",
            id,
            &[
                "lookback",
                "--outcome",
                "false-closure",
                "--note",
                "灯仍不亮",
            ],
        )
        .refused(&["not permitted"]);
    store.act_ok(
        "2026-11-03T10:00:00+08:00",
        "ls_supervisor",
        id,
        &[
            "lookback",
            "--outcome",
            "false-closure",
            "--note",
            "回访：楼道灯仍不亮",
        ],
    );
    let v = store.show_json_at("2026-11-03T10:01:00+08:00", id);
    assert_eq!(
        (
            v["stage"].as_str(),
            v["round"].as_u64(),
            v["holder"].as_str()
        ),
        (Some("triage"), Some(2), Some("laoshan"))
    );
    let record = store.unit_json(HAIDAMAIDAO);
    assert_eq!(record["lookbacks"][0]["outcome"], "false-closure");
    assert_eq!(record["lookbacks"][0]["case"], id.as_str());
    let units = store.run(&["units"]).ok();
    assert!(
        units.stdout.contains("回头看 ×1 (重新办理 ×1)"),
        "{}",
        units.stdout
    );
    // The reopened case is in the platform's queue again.
    let open = store.case_ids("2026-11-03T10:02:00+08:00", &["--stage", "triage"]);
    assert!(open.contains(id), "{open:?}");
    store.run(&["check"]).ok();
}

#[test]
fn a_schema_4_store_gets_its_repeat_and_look_back_indexes_on_open_and_checks_clean() {
    let store = common::Store::new();
    let closed: Vec<String> = (12..=14).map(|d| closed_in_october(&store, d)).collect();
    let phone = store.show_json_at("2026-10-20T09:00:00+08:00", &closed[0])["requester"]["phone"]
        .as_str()
        .expect("phone")
        .to_string();
    // What schema 4 had: neither index, and the schema mark 4.
    {
        let db = sled::open(store.path()).expect("raw open");
        let data = db.open_tree("data").expect("data");
        let mut removed = 0;
        for prefix in [b'M', b'B'] {
            let keys: Vec<_> = data
                .scan_prefix([prefix])
                .map(|kv| kv.expect("key").0)
                .collect();
            assert!(!keys.is_empty(), "the store has {} keys", prefix as char);
            for k in keys {
                data.remove(k).expect("remove");
                removed += 1;
            }
        }
        assert!(removed >= 3 + 3 + 3, "{removed}");
        db.open_tree("meta")
            .expect("meta")
            .insert("schema_version", &4u32.to_be_bytes())
            .expect("write");
        db.flush().expect("flush");
    }
    // Opened again: both indexes are back, so the check is clean, the look-back finds the
    // three closed cases and a new call from the first requester is linked to its case.
    let out = store
        .run(&["--now", "2026-10-20T09:00:00+08:00", "check"])
        .ok();
    assert!(out.stderr.contains("schema 5"), "{}", out.stderr);
    let v = sample(&store, "ls_supervisor", &[]);
    assert_eq!(v["units"][0]["closed"], 3, "{v}");
    let mut line: Value = serde_json::from_str(&common::haidamaidao_line(
        "又坏了",
        "2026-10-20T10:00:00+08:00",
    ))
    .expect("json");
    line["requester"]["phone"] = Value::from(phone);
    let id = store.intake_one("2026-10-20T10:00:00+08:00", &line.to_string());
    let v = store.show_json_at("2026-10-20T10:01:00+08:00", &id);
    assert_eq!(v["links"][0]["case"], closed[0].as_str(), "{v}");
}
