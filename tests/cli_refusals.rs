//! Refused commands exit 2 with a reason and change nothing; an unknown login is an error (1);
//! and `cases` filters by holder, stage and light.

mod common;

use common::{case_line, haidamaidao_line, history_len, Store, REPLY};
use serde_json::{json, Value};

const T0: &str = "2026-11-23T09:00:00+08:00";
const T1: &str = "2026-11-23T10:00:00+08:00";

fn laoshan_case(store: &Store) -> String {
    store.intake_one(
        "2026-11-23T08:30:00+08:00",
        &haidamaidao_line("海大麦岛社区路灯不亮", "2026-11-23T08:10:00+08:00"),
    )
}

fn accepted(store: &Store) -> String {
    let id = laoshan_case(store);
    store.act_ok(
        T0,
        "ls_dispatch",
        &id,
        &["accept", "--category", "livelihood"],
    );
    id
}

/// Runs a command that must be refused and checks that the case did not change.
fn refused(store: &Store, login: &str, id: &str, words: &[&str], reason: &[&str]) {
    let before = store.show_json(id);
    let out = store.act(T1, login, id, words).refused(reason);
    assert!(out.stderr.contains("refused"), "{}", out.stderr);
    assert_eq!(out.stdout, "", "a refusal prints nothing on stdout");
    let after = store.show_json(id);
    assert_eq!(after["version"], before["version"], "refusal changed {id}");
    assert_eq!(history_len(&after), history_len(&before));
    assert_eq!(after["stage"], before["stage"]);
    assert_eq!(after["holder"], before["holder"]);
}

#[test]
fn a_unit_handler_may_not_accept() {
    let store = Store::new();
    let id = laoshan_case(&store);
    refused(
        &store,
        "ls_haidamaidao",
        &id,
        &["accept", "--category", "livelihood"],
        &["not permitted", "accept"],
    );
    assert_eq!(store.show_json(&id)["accepted_at"], Value::Null);
}

#[test]
fn a_dispatcher_of_another_district_may_not_act_on_the_case() {
    let store = Store::new();
    let id = laoshan_case(&store);
    refused(
        &store,
        "cy_dispatch",
        &id,
        &["accept", "--category", "livelihood"],
        &["not permitted", "laoshan", "cy_dispatch"],
    );
    let id = accepted(&store);
    refused(
        &store,
        "cy_dispatch",
        &id,
        &["dispatch", "--to", "laoshan.jinjialing.haidamaidao"],
        &["not permitted", "laoshan"],
    );
}

#[test]
fn sign_on_a_case_in_triage_is_the_wrong_stage() {
    let store = Store::new();
    let id = accepted(&store);
    // The trainer may sign for any unit, so only the stage stands in the way.
    refused(
        &store,
        "trainer",
        &id,
        &["sign"],
        &["wrong stage", "triage", "assigned"],
    );
}

#[test]
fn the_lead_may_not_reply_before_the_supporting_units_have_reported() {
    let store = Store::new();
    let mut line = case_line(
        "laoshan",
        "enforcement",
        "沙子口街道请求联合查处违规搭建",
        "2026-11-23T08:10:00+08:00",
    );
    line["channel"] = json!("unit");
    let id = store.intake_one("2026-11-23T08:30:00+08:00", &line.to_string());
    store.act_ok(
        T0,
        "ls_dispatch",
        &id,
        &["accept", "--category", "enforcement"],
    );
    store.act_ok(
        T0,
        "ls_dispatch",
        &id,
        &[
            "joint",
            "--lead",
            "laoshan.enforcement",
            "--support",
            "laoshan.housing,laoshan.shazikou",
        ],
    );
    store.act_ok(T0, "ls_enforcement", &id, &["sign"]);
    refused(
        &store,
        "ls_enforcement",
        &id,
        REPLY,
        &["laoshan.housing", "laoshan.shazikou"],
    );
    store.act_ok(T0, "ls_housing", &id, &["report", "--text", "已配合拆除"]);
    // Still one to go; the message names only the one still missing.
    let out = store
        .act(T1, "ls_enforcement", &id, REPLY)
        .refused(&["laoshan.shazikou"]);
    assert!(!out.stderr.contains("laoshan.housing"), "{}", out.stderr);
    // Units that do not support have nothing to report; a supporting unit reports once.
    refused(
        &store,
        "ls_market",
        &id,
        &["report", "--text", "x"],
        &["not a supporting unit"],
    );
    refused(
        &store,
        "ls_housing",
        &id,
        &["report", "--text", "x"],
        &["already reported"],
    );
    store.act_ok(
        T1,
        "ls_shazikou",
        &id,
        &["report", "--text", "已配合现场执法"],
    );
    store.act_ok(T1, "ls_enforcement", &id, REPLY);
    assert_eq!(store.show_json(&id)["stage"], "review");
}

#[test]
fn return_needs_the_explicit_confirmation() {
    let store = Store::new();
    let id = accepted(&store);
    let community = "laoshan.jinjialing.haidamaidao";
    store.act_ok(T0, "ls_dispatch", &id, &["dispatch", "--to", community]);
    store.act_ok(T0, "ls_haidamaidao", &id, &["sign"]);
    refused(
        &store,
        "ls_haidamaidao",
        &id,
        &["return", "--reason", "不属于本社区"],
        &["--confirm"],
    );
    assert_eq!(store.show_json(&id)["pending"], Value::Null);
    store.act_ok(
        T1,
        "ls_haidamaidao",
        &id,
        &["return", "--reason", "不属于本社区", "--confirm"],
    );
    let v = store.show_json(&id);
    assert_eq!(v["pending"]["type"], "return");
    assert_eq!(v["pending"]["unit"], community);
}

#[test]
fn an_unknown_case_is_refused_with_exit_code_2() {
    let store = Store::new();
    accepted(&store);
    let out = store
        .act(T1, "ls_dispatch", "LS-20261123-0099", &["approve-reply"])
        .failed(2);
    assert!(out.stderr.contains("LS-20261123-0099"), "{}", out.stderr);
}

#[test]
fn an_unknown_login_is_an_error_not_a_refusal() {
    let store = Store::new();
    let id = laoshan_case(&store);
    let out = store
        .act(T1, "nobody", &id, &["accept", "--category", "livelihood"])
        .failed(1);
    assert!(out.stderr.contains("nobody"), "{}", out.stderr);
    assert_eq!(store.show_json(&id)["version"], 1);
}

#[test]
fn cases_filter_by_holder_stage_and_light() {
    let store = Store::new();
    let community = "laoshan.jinjialing.haidamaidao";
    let intake = |title: &str| {
        store.intake_one(
            "2026-11-23T08:30:00+08:00",
            &haidamaidao_line(title, "2026-11-23T08:10:00+08:00"),
        )
    };
    let [assigned_red, handling_red, other_holder, assigned_blue] =
        ["路灯不亮", "垃圾未清运", "台阶破损", "楼道漏水"].map(intake);
    // Due Wed 2026-11-25 09:00 (2 working days).
    for id in [&assigned_red, &handling_red, &other_holder] {
        store.act_ok(
            T0,
            "ls_dispatch",
            id,
            &["accept", "--category", "livelihood"],
        );
    }
    store.act_ok(
        T0,
        "ls_dispatch",
        &assigned_red,
        &["dispatch", "--to", community],
    );
    store.act_ok(
        T0,
        "ls_dispatch",
        &handling_red,
        &["dispatch", "--to", community],
    );
    store.act_ok(T1, "ls_haidamaidao", &handling_red, &["sign"]);
    store.act_ok(
        T0,
        "ls_dispatch",
        &other_holder,
        &["dispatch", "--to", "laoshan.jinjialing.shilaoren"],
    );
    // Accepted Thu 2026-11-26 as complex: 5 working days, due Thu 2026-12-03.
    let thu = "2026-11-26T09:00:00+08:00";
    store.act_ok(
        thu,
        "ls_dispatch",
        &assigned_blue,
        &["accept", "--category", "livelihood", "--complex"],
    );
    store.act_ok(
        thu,
        "ls_dispatch",
        &assigned_blue,
        &["dispatch", "--to", community],
    );
    // Its holder calls the requester at once, so its contact clock stops before it runs out.
    store.act_ok(
        thu,
        "ls_haidamaidao",
        &assigned_blue,
        &["contact", "--note", "已电话联系"],
    );

    // Friday: the first three are overdue.
    let late = "2026-11-27T09:00:00+08:00";
    let ids = |f: &[&str]| store.case_ids(late, f);
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(
        ids(&["--holder", community, "--stage", "assigned", "--light", "red"]),
        [assigned_red.as_str()]
    );
    assert_eq!(
        ids(&["--holder", community, "--stage", "handling", "--light", "red"]),
        [handling_red.as_str()]
    );
    assert_eq!(
        ids(&["--holder", community, "--stage", "assigned", "--light", "blue"]),
        [assigned_blue.as_str()]
    );
    assert_eq!(
        ids(&["--holder", community, "--light", "red"]),
        sorted(vec![assigned_red.clone(), handling_red.clone()])
    );
    assert_eq!(
        ids(&["--light", "red"]),
        sorted(vec![
            assigned_red.clone(),
            handling_red.clone(),
            other_holder.clone()
        ])
    );
    assert_eq!(
        ids(&["--holder", community]),
        sorted(vec![
            assigned_red.clone(),
            handling_red.clone(),
            assigned_blue.clone()
        ])
    );
    assert!(ids(&["--holder", community, "--light", "yellow"]).is_empty());
    for row in store.cases_json(late, &["--holder", community, "--light", "red"]) {
        assert_eq!(row["light"], "red");
        assert!(row["remaining_secs"].as_i64().unwrap() < 0, "{row}");
        assert_eq!(row["due_at"], "2026-11-25T09:00:00+08:00");
    }
    // Before the deadlines (contact within a working day, handling within two) nothing is red.
    assert!(store
        .case_ids("2026-11-24T08:59:00+08:00", &["--light", "red"])
        .is_empty());
    // An unknown holder is an error, not an empty list.
    let out = store
        .run(&["cases", "--holder", "laoshan.nowhere"])
        .failed(1);
    assert!(out.stderr.contains("laoshan.nowhere"), "{}", out.stderr);
}

#[test]
fn the_cli_takes_the_boards_stage_and_light_words_and_shows_history_in_words() {
    let store = Store::new();
    let id = laoshan_case(&store);
    store.act_ok(
        T0,
        "ls_dispatch",
        &id,
        &["accept", "--category", "livelihood"],
    );
    let now = "2026-11-23T10:00:00+08:00";
    for (zh, en) in [("待受理", "triage"), ("办理中", "handling")] {
        assert_eq!(
            store.case_ids(now, &["--stage", zh]),
            store.case_ids(now, &["--stage", en]),
            "{zh}"
        );
    }
    assert_eq!(
        store.case_ids(now, &["--light", "蓝灯"]),
        store.case_ids(now, &["--light", "blue"])
    );
    assert_eq!(store.case_ids(now, &["--light", "蓝"]), [id.as_str()]);
    let out = store.run(&["cases", "--light", "绿"]).failed(2);
    assert!(out.stderr.contains("绿"), "{}", out.stderr);
    // `show` in text mode: each history entry in words, not raw JSON.
    let out = store.run(&["--now", now, "show", &id]).ok();
    let accept = out
        .stdout
        .lines()
        .find(|l| l.contains(" accept "))
        .expect("the accept entry");
    assert!(accept.contains("category livelihood"), "{accept}");
    assert!(!accept.contains('{') && !accept.contains('"'), "{accept}");
}

#[test]
fn help_is_help_and_demo_refuses_a_server() {
    let store = Store::new();
    let out = store.run(&["help", "--help"]).ok();
    assert!(out.stdout.contains("Help on jiban"), "{}", out.stdout);
    let out = store.run(&["help", "act"]).ok();
    assert!(out.stdout.contains("lifecycle command"), "{}", out.stdout);
    let out = store.run(&["help", "nope"]).failed(1);
    assert!(out.stderr.contains("nope"), "{}", out.stderr);
    let out = store.run(&["--help"]).ok();
    assert!(
        out.stdout.contains("$XDG_DATA_HOME/jiban"),
        "{}",
        out.stdout
    );
    let out = store
        .run(&["--connect", "/nonexistent/jiban.sock", "demo"])
        .failed(1);
    assert!(out.stderr.contains("--connect"), "{}", out.stderr);
}

#[test]
fn reasons_and_due_print_json_too() {
    let store = Store::new();
    let out = store.run(&["reasons", "--json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let codes: Vec<u64> = v
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|r| r["code"].as_u64())
        .collect();
    assert_eq!(codes, [1, 2, 3, 4, 5, 6, 7]);
    // Into 2027, which the store has no calendar for: provisional, and the year is named.
    let out = store
        .run(&[
            "due",
            "--from",
            "2026-12-30T09:00:00+08:00",
            "--days",
            "3",
            "--json",
        ])
        .ok();
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(v["due"], "2027-01-04T09:00:00+08:00");
    assert_eq!(v["provisional"], true);
    assert_eq!(v["missing_years"], serde_json::json!([2027]));
}

#[test]
fn the_board_without_a_terminal_says_so_and_demo_makes_no_store() {
    let store = Store::new();
    let out = store.run(&["board"]).failed(1);
    assert!(out.stderr.contains("ssh -t"), "{}", out.stderr);
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = dir.path().join("demo");
    let out = common::jiban(&["--data", demo.to_str().expect("utf-8"), "demo"], None).failed(1);
    assert!(out.stderr.contains("needs a terminal"), "{}", out.stderr);
    assert!(!demo.exists(), "demo made a store it could not show");
}

#[test]
fn act_prints_json_too() {
    let store = Store::new();
    let id = laoshan_case(&store);
    let out = store
        .run(&[
            "--now",
            T0,
            "act",
            "--json",
            &id,
            "accept",
            "--category",
            "livelihood",
        ])
        .ok();
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(v["case"], id.as_str());
    assert_eq!(v["action"], "accept");
    assert_eq!(
        (v["stage"].as_str(), v["version"].as_u64()),
        (Some("triage"), Some(2))
    );
    assert_eq!(v["at"], T0);
}

#[test]
fn intake_answers_each_line_as_json_in_order() {
    let store = Store::new();
    let good = common::haidamaidao_line("楼道灯不亮", "2026-11-23T08:00:00+08:00");
    let mut with_order: serde_json::Value = serde_json::from_str(&good).expect("json");
    with_order["external_id"] = serde_json::Value::from("QD2611230099");
    let lines = [
        with_order.to_string(),
        "not json".to_string(),
        with_order.to_string(),
        good.clone(),
    ];
    let file = store.path().join("in.jsonl");
    std::fs::write(&file, lines.join("\n") + "\n").expect("write");
    let out = store
        .run(&[
            "--now",
            T0,
            "intake",
            "--json",
            file.to_str().expect("utf-8"),
        ])
        .failed(1);
    let answers: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let got: Vec<(u64, bool)> = answers
        .iter()
        .map(|a| {
            (
                a["line"].as_u64().unwrap_or(0),
                a["ok"].as_bool().unwrap_or(true),
            )
        })
        .collect();
    assert_eq!(
        got,
        [(1, true), (2, false), (3, false), (4, true)],
        "{}",
        out.stdout
    );
    assert_eq!(answers[2]["duplicate_of"], answers[0]["id"]);
    assert!(answers[1]["error"]
        .as_str()
        .is_some_and(|e| e.contains("line 2")));
}

#[test]
fn completions_for_bash_zsh_and_fish_name_the_commands_and_their_options() {
    for (shell, mark) in [
        ("bash", "complete -F _jiban"),
        ("zsh", "#compdef jiban"),
        ("fish", "complete -c jiban"),
    ] {
        let out = common::jiban(&["completions", shell], None).ok();
        assert!(out.stdout.contains(mark), "{shell}: {}", out.stdout);
        for word in ["intake", "cases", "calendar", "light", "stage"] {
            assert!(out.stdout.contains(word), "{shell} lacks {word}");
        }
    }
    let out = common::jiban(&["completions", "tcsh"], None).failed(2);
    assert!(out.stderr.contains("tcsh"), "{}", out.stderr);
}

#[test]
fn a_data_path_that_is_a_file_says_so_once_with_the_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, "x").expect("file");
    let path = file.to_str().expect("path");
    for args in [vec!["--data", path, "init"], vec!["--data", path, "cases"]] {
        let out = common::jiban(&args, None).failed(1);
        assert!(
            out.stderr.contains(path) && out.stderr.contains("not a folder"),
            "{}",
            out.stderr
        );
        // One sentence: the OS error appears once, not repeated as a cause.
        assert_eq!(out.stderr.matches("os error").count(), 1, "{}", out.stderr);
    }
}

#[test]
fn the_maintenance_commands_print_json_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("store");
    let data = data.to_str().expect("path");
    let json = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["--data", data];
        all.extend_from_slice(args);
        let out = common::jiban(&all, None).ok();
        serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {}", out.stdout))
    };
    let init = json(&["--now", T0, "init", "--demo", "--json"]);
    assert!(init["cases"].as_u64().is_some_and(|n| n > 50), "{init}");
    assert!(init["demo"].is_string(), "{init}");
    let calendar = dir.path().join("cn-2027.toml");
    std::fs::write(
        &calendar,
        "year = 2027\nsource = \"2027 v1\"\n\n[[holiday]]\nname = \"元旦\"\noff = { from = \"2027-01-01\", to = \"2027-01-03\" }\nworkdays = []\n",
    )
    .expect("calendar");
    let added = json(&[
        "calendar",
        "add",
        "--json",
        calendar.to_str().expect("path"),
    ]);
    assert_eq!(
        (added["year"].as_u64(), added["version"].as_u64()),
        (Some(2027), Some(1))
    );
    let backups = dir.path().join("backups");
    let made = json(&["backup", "--json", backups.to_str().expect("path")]);
    assert_eq!(made["cases"], init["cases"], "{made}");
    let compacted = json(&["compact", "--json"]);
    assert!(compacted["after"].as_u64().is_some(), "{compacted}");
    let backup = made["dir"].as_str().expect("the backup's folder");
    let restored = json(&["restore", "--json", backup]);
    assert!(restored["kept"].is_string(), "{restored}");
}
