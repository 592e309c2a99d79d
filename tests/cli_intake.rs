//! `jiban intake`: good and bad lines in one file, ids, duplicates by 12345 work-order number, and
//! standard input.

mod common;

use common::{case_line, haidamaidao_line, Store, INIT_AT};
use serde_json::json;

const NOW: &str = "2026-11-23T09:00:00+08:00";

/// A file of good and bad lines. Line numbers are 1-based and count the blank line.
fn mixed_file() -> Vec<String> {
    let good_ls = |title: &str, at: &str, ext: &str| {
        let mut v: serde_json::Value = serde_json::from_str(&haidamaidao_line(title, at)).unwrap();
        v["external_id"] = json!(ext);
        v.to_string()
    };
    let mut missing_title = case_line("laoshan", "livelihood", "x", NOW);
    missing_title.as_object_mut().unwrap().remove("title");
    let unknown_district = case_line("atlantis", "livelihood", "路灯不亮", NOW);
    let mut bad_channel = case_line("laoshan", "livelihood", "路灯不亮", NOW);
    bad_channel["channel"] = json!("fax");
    let mut foreign_community = case_line("laoshan", "livelihood", "路灯不亮", NOW);
    foreign_community["community"] = json!("shibei.taidong.buxingjie");
    let bad_time = case_line("laoshan", "livelihood", "路灯不亮", "yesterday at noon");
    let mut unknown_field = case_line("laoshan", "livelihood", "路灯不亮", NOW);
    unknown_field["colour"] = json!("red");
    let mut unknown_requester_field = case_line("laoshan", "livelihood", "路灯不亮", NOW);
    unknown_requester_field["requester"]["age"] = json!(70);
    vec![
        // 1: 01:00 China time is still Nov 22 in UTC; the id takes the China date.
        good_ls(
            "海大麦岛社区12号楼屋顶漏水",
            "2026-11-23T01:00:00+08:00",
            "QD2611230001",
        ),
        // 2
        "this is not json".to_string(),
        // 3
        missing_title.to_string(),
        // 4
        String::new(),
        // 5
        unknown_district.to_string(),
        // 6
        good_ls(
            "海大麦岛社区路灯不亮",
            "2026-11-23T07:40:00+08:00",
            "QD2611230002",
        ),
        // 7
        bad_channel.to_string(),
        // 8
        foreign_community.to_string(),
        // 9
        bad_time.to_string(),
        // 10
        case_line(
            "shibei",
            "development",
            "企业稳岗返还咨询",
            "2026-11-22T23:59:00+08:00",
        )
        .to_string(),
        // 11: a field the format does not have is refused, not ignored (a typo must not lose
        // what was meant).
        unknown_field.to_string(),
        // 12
        unknown_requester_field.to_string(),
    ]
}

fn is_case_id(id: &str) -> bool {
    let parts: Vec<&str> = id.split('-').collect();
    parts.len() == 3
        && parts[0].len() == 2
        && parts[0].chars().all(|c| c.is_ascii_uppercase())
        && parts[1].len() == 8
        && parts[2].len() == 4
        && parts[1..]
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_digit()))
}

#[test]
fn bad_lines_are_named_on_stderr_and_good_lines_are_stored_with_exit_code_1() {
    let store = Store::new();
    let out = store.intake(NOW, &mixed_file());
    assert_eq!(out.code, 1, "any bad line makes exit code 1\n{out:#?}");

    let expected = [
        ("line 2: json:", "JSON"),
        ("line 3: title:", "missing"),
        ("line 5: district:", "atlantis"),
        ("line 7: channel:", "fax"),
        ("line 8: community:", "shibei.taidong.buxingjie"),
        ("line 9: received_at:", "RFC 3339"),
        ("line 11: colour:", "unknown field"),
        ("line 12: requester.age:", "unknown field"),
    ];
    let err_lines: Vec<&str> = out.stderr.lines().collect();
    for (prefix, reason) in expected {
        let line = err_lines
            .iter()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix:?} on stderr\n{}", out.stderr));
        assert!(line.contains(reason), "{line:?} should mention {reason:?}");
    }
    assert_eq!(
        err_lines.iter().filter(|l| l.starts_with("line ")).count(),
        expected.len(),
        "one stderr line per bad line, none for good or blank lines\n{}",
        out.stderr
    );

    // One new id per good line, in file order, with district code, China date and sequence.
    let ids: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        ids,
        ["LS-20261123-0001", "LS-20261123-0002", "SB-20261122-0001"],
        "stdout: {}",
        out.stdout
    );
    assert!(ids.iter().all(|id| is_case_id(id)));

    // The good cases are stored, in triage at their district platform.
    let rows = store.cases_json(NOW, &[]);
    let mut stored: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    stored.sort();
    assert_eq!(
        stored,
        ["LS-20261123-0001", "LS-20261123-0002", "SB-20261122-0001"]
    );
    for r in &rows {
        assert_eq!(r["stage"], "triage", "{r}");
        assert_eq!(r["holder"], r["district"], "{r}");
        assert_eq!(r["round"], 1, "{r}");
    }
    let view = store.show_json("LS-20261123-0001");
    assert_eq!(view["received_at"], "2026-11-23T01:00:00+08:00");
    assert_eq!(view["community"], "laoshan.jinjialing.haidamaidao");
    assert_eq!(view["external_id"], "QD2611230001");
    assert_eq!(view["history"][0]["action"], "intake");
    assert_eq!(view["history"][0]["at"], NOW);
    let sb = store.show_json("SB-20261122-0001");
    assert_eq!(sb["district"], "shibei");
    assert_eq!(sb["category"], "development");
}

#[test]
fn a_file_of_good_lines_exits_0_and_sequences_continue_per_district_and_date() {
    let store = Store::new();
    let first = store.intake(
        NOW,
        &[haidamaidao_line("楼道灯不亮", "2026-11-23T08:10:00+08:00")],
    );
    assert_eq!(first.ok().stdout.trim(), "LS-20261123-0001");
    let lines = [
        haidamaidao_line("小区垃圾未清运", "2026-11-23T08:20:00+08:00"),
        haidamaidao_line("楼下台阶破损", "2026-11-24T08:20:00+08:00"),
        case_line(
            "chengyang",
            "livelihood",
            "暖气不热",
            "2026-11-23T08:30:00+08:00",
        )
        .to_string(),
    ];
    let out = store.intake(NOW, &lines).ok();
    assert!(
        out.stderr.trim().is_empty(),
        "no complaints: {}",
        out.stderr
    );
    let ids: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        ids,
        ["LS-20261123-0002", "LS-20261124-0001", "CY-20261123-0001"]
    );
}

#[test]
fn a_line_with_a_stored_work_order_number_adds_nothing() {
    let store = Store::new();
    let out = store.intake(NOW, &mixed_file());
    assert_eq!(out.code, 1);
    let before = store.case_ids(NOW, &[]);
    assert_eq!(before.len(), 3);

    // The same 12345 work order again, even with a changed title, is a duplicate.
    let mut again: serde_json::Value = serde_json::from_str(&mixed_file()[0]).unwrap();
    again["title"] = json!("海大麦岛社区12号楼屋顶漏水（再次来电）");
    let out = store
        .intake("2026-11-23T10:00:00+08:00", &[again.to_string()])
        .ok();
    assert_eq!(out.stdout.trim(), "", "no new id: {}", out.stdout);
    assert!(
        out.stderr.contains("LS-20261123-0001"),
        "stderr names the stored case: {}",
        out.stderr
    );
    assert_eq!(store.case_ids(NOW, &[]), before);
    let view = store.show_json("LS-20261123-0001");
    assert_eq!(view["title"], "海大麦岛社区12号楼屋顶漏水");
    assert_eq!(common::history_len(&view), 1);

    // Twice in one batch: the second is the first's duplicate.
    let mut twin = case_line(
        "shinan",
        "livelihood",
        "预付卡退款",
        "2026-11-23T08:00:00+08:00",
    );
    twin["external_id"] = json!("QD2611239999");
    let out = store
        .intake(NOW, &[twin.to_string(), twin.to_string()])
        .ok();
    assert_eq!(out.stdout.lines().collect::<Vec<_>>(), ["SN-20261123-0001"]);
    assert!(out.stderr.contains("SN-20261123-0001"), "{}", out.stderr);
    assert_eq!(store.case_ids(NOW, &[]).len(), 4);
}

#[test]
fn intake_reads_standard_input_from_dash() {
    let store = Store::new();
    let input = format!(
        "{}\n{}\n",
        haidamaidao_line("楼道灯不亮", "2026-11-23T08:10:00+08:00"),
        case_line("laoshan", "livelihood", "x", "not a time")
    );
    let out = store.run_stdin(&["--now", NOW, "intake", "-"], &input);
    assert_eq!(out.code, 1, "{out:#?}");
    assert_eq!(out.stdout.trim(), "LS-20261123-0001");
    assert!(
        out.stderr
            .lines()
            .any(|l| l.starts_with("line 2: received_at:")),
        "{}",
        out.stderr
    );
    assert_eq!(store.case_ids(NOW, &[]), ["LS-20261123-0001"]);
    let view = store.show_json_at(INIT_AT, "LS-20261123-0001");
    assert_eq!(view["title"], "楼道灯不亮");
    assert_eq!(view["stage"], "triage");
}
