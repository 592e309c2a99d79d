//! Reports (报表) and early warning (监测预警, issue #14) end to end through the CLI: the measures
//! of hand-made October cases in every format — text, JSON, CSV and an Excel workbook read back
//! with calamine — and who may read them.

mod common;

use calamine::{open_workbook, Data, Reader, Xlsx};
use serde_json::Value;

const HAIDAMAIDAO: &str = "laoshan.jinjialing.haidamaidao";
const NOW: &str = "2026-11-02T09:00:00+08:00";

/// Takes in a Haidamaidao case on 2026-10-`day`, accepted as noise (噪音扰民), and walks it to
/// a rating: `satisfied` or not. Returns its id.
fn rated_in_october(store: &common::Store, day: u32, satisfied: bool) -> String {
    let t = |hm: &str| format!("2026-10-{day:02}T{hm}:00+08:00");
    let id = open_in_october(store, day);
    store.act_ok(&t("09:30"), "ls_haidamaidao", &id, &["sign"]);
    store.act_ok(
        &t("09:40"),
        "ls_haidamaidao",
        &id,
        &["contact", "--note", "电话联系"],
    );
    store.act_ok(&t("10:00"), "ls_haidamaidao", &id, common::REPLY);
    store.act_ok(&t("10:30"), "ls_dispatch", &id, &["approve-reply"]);
    let s = if satisfied {
        "satisfied"
    } else {
        "unsatisfied"
    };
    store.act_ok(
        &t("11:00"),
        "ls_dispatch",
        &id,
        &["evaluate", "--satisfaction", s, "--resolution", "resolved"],
    );
    id
}

/// Takes in a case on 2026-10-`day`, accepts it as noise and sends it to Haidamaidao.
fn open_in_october(store: &common::Store, day: u32) -> String {
    let t = |hm: &str| format!("2026-10-{day:02}T{hm}:00+08:00");
    let id = store.intake_one(
        &t("09:00"),
        &common::haidamaidao_line("楼下广场舞噪音扰民", &t("09:00")),
    );
    store.act_ok(
        &t("09:10"),
        "ls_dispatch",
        &id,
        &["accept", "--category", "livelihood", "--matter", "噪音扰民"],
    );
    store.act_ok(
        &t("09:20"),
        "ls_dispatch",
        &id,
        &["dispatch", "--to", HAIDAMAIDAO],
    );
    id
}

/// Three closed satisfied, one unsatisfied (round 2, open), one left open past its deadline.
fn october() -> (common::Store, String) {
    let store = common::Store::new();
    for day in [12, 13, 14] {
        rated_in_october(&store, day, true);
    }
    let unhappy = rated_in_october(&store, 15, false);
    open_in_october(&store, 16);
    (store, unhappy)
}

fn report(store: &common::Store, login: &str, extra: &[&str]) -> common::Out {
    let mut args = vec!["--now", NOW, "--as", login, "report", "--period", "month"];
    args.extend_from_slice(&["--at", "2026-10-20"]);
    args.extend_from_slice(extra);
    store.run(&args)
}

#[test]
fn a_monthly_report_in_every_format_shows_the_same_measures() {
    let (store, unhappy) = october();
    let json: Value = serde_json::from_str(
        &report(
            &store,
            "ls_supervisor",
            &["--scope", "laoshan", "--format", "json"],
        )
        .ok()
        .stdout,
    )
    .expect("json");
    let c = &json["measures"]["counters"];
    assert_eq!(json["label"], "2026-10");
    assert_eq!(
        (c["taken"].as_i64(), c["closed"].as_i64()),
        (Some(5), Some(3))
    );
    assert_eq!(
        (c["evaluated"].as_i64(), c["satisfied"].as_i64()),
        (Some(4), Some(3))
    );
    assert_eq!(c["unsatisfied"].as_i64(), Some(1));
    // The case left open, and the unsatisfied one waiting in triage for its second round, were
    // chased by 2 November: late, in the on-time rate's denominator.
    assert_eq!(
        (c["on_time"].as_i64(), c["late"].as_i64()),
        (Some(3), Some(2))
    );
    assert_eq!(json["kinds"][0]["kind"], "noise");
    assert_eq!(json["kinds"][0]["taken"], 5);
    assert_eq!(json["unsatisfied"][0]["id"], unhappy.as_str());
    assert_eq!(json["hot_spots"][0]["unit"]["id"], "laoshan.jinjialing");
    assert_eq!(json["ranking"][0]["unit"]["id"], "laoshan.jinjialing");
    assert_eq!(json["working_days"], 18);

    let text = report(&store, "ls_supervisor", &["--scope", "laoshan"])
        .ok()
        .stdout;
    assert!(
        text.contains("崂山区 laoshan · 月报 2026-10 · 18 个工作日"),
        "{text}"
    );
    assert!(text.contains("满意率      75.00%"), "{text}");
    assert!(text.contains("按期办结率  60.00%"), "{text}");
    assert!(text.contains("办结率      60.00%"), "{text}");
    assert!(text.contains(&unhappy), "{text}");

    let csv_text = report(
        &store,
        "ls_supervisor",
        &["--scope", "laoshan", "--format", "csv"],
    )
    .ok()
    .stdout;
    let rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv_text.as_bytes())
        .records()
        .map(|r| r.expect("csv row").iter().map(String::from).collect())
        .collect();
    assert_eq!(rows[0], ["指标"]);
    assert_eq!(rows[1], ["指标", "本期", "上期", "去年同期"]);
    assert_eq!(rows[2], ["受理量", "5", "0", "0"]);
    let satisfaction = rows.iter().find(|r| r[0] == "满意率").expect("满意率 row");
    assert_eq!(satisfaction[1], "75.00%");
    assert!(rows.iter().any(|r| r == &["排名"]), "a ranking section");
}

#[test]
fn the_excel_workbook_has_a_sheet_per_table_with_chinese_headers() {
    let (store, unhappy) = october();
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("十月.xlsx");
    let path = file.to_str().expect("path");
    let out = report(
        &store,
        "qd_supervisor",
        &["--scope", "laoshan", "--format", "xlsx", "--out", path],
    )
    .ok();
    assert!(out.stdout.contains("wrote"), "{}", out.stdout);
    let mut book: Xlsx<_> = open_workbook(&file).expect("the workbook opens");
    let names = book.sheet_names();
    assert_eq!(
        names,
        [
            "指标",
            "排名",
            "事项分类",
            "热点区域",
            "趋势",
            "不满意件",
            "每日受理"
        ]
    );
    let measures = book.worksheet_range("指标").expect("指标");
    assert_eq!(
        measures.get_value((0, 0)),
        Some(&Data::String("指标".into()))
    );
    assert_eq!(
        measures.get_value((1, 0)),
        Some(&Data::String("受理量".into()))
    );
    assert_eq!(measures.get_value((1, 1)), Some(&Data::Float(5.0)));
    // Rates are numbers (a fraction formatted as a percentage), not text.
    let row = (0..measures.height() as u32)
        .find(|r| measures.get_value((*r, 0)) == Some(&Data::String("满意率".into())))
        .expect("满意率");
    assert_eq!(measures.get_value((row, 1)), Some(&Data::Float(0.75)));
    let kinds = book.worksheet_range("事项分类").expect("事项分类");
    assert_eq!(
        kinds.get_value((1, 0)),
        Some(&Data::String("噪音扰民".into()))
    );
    let list = book.worksheet_range("不满意件").expect("不满意件");
    assert_eq!(list.get_value((1, 0)), Some(&Data::String(unhappy)));
    assert_eq!(
        list.get_value((0, 3)),
        Some(&Data::String("承办单位".into()))
    );
    // The workbook carries charts (rust_xlsxwriter writes each as xl/charts/chartN.xml).
    let zip = std::fs::read(&file).expect("read");
    assert!(
        zip.windows(b"xl/charts/chart".len())
            .any(|w| w == b"xl/charts/chart"),
        "a chart in the workbook"
    );
    // Without --out, xlsx is refused with the reason.
    let refused = report(&store, "qd_supervisor", &["--format", "xlsx"]).failed(1);
    assert!(refused.stderr.contains("--out"), "{}", refused.stderr);
}

#[test]
fn reports_are_scoped_to_the_reader_and_warnings_to_platform_roles() {
    let (store, _) = october();
    // A community reads its own figures, not its district's.
    report(&store, "ls_haidamaidao", &[]).ok();
    report(&store, "ls_haidamaidao", &["--scope", "laoshan"]).refused(&["may not"]);
    report(&store, "sb_supervisor", &["--scope", "laoshan"]).refused(&["may not"]);
    report(&store, "ls_supervisor", &["--scope", "nowhere"]).refused(&["nowhere"]);
    let bad = store
        .run(&[
            "--now",
            NOW,
            "--as",
            "ls_supervisor",
            "report",
            "--at",
            "2026-13-01",
        ])
        .failed(1);
    assert!(
        bad.stderr.contains("--at: \"2026-13-01\""),
        "{}",
        bad.stderr
    );
    let warn = |login: &str| store.run(&["--now", NOW, "--as", login, "warnings", "--json"]);
    warn("ls_haidamaidao").refused(&["may not"]);
    let list: Value = serde_json::from_str(&warn("ls_supervisor").ok().stdout).expect("json");
    assert!(list.as_array().is_some(), "{list}");
}

#[test]
fn check_finds_a_sum_that_disagrees_with_the_cases() {
    let (store, _) = october();
    let clean = store.run(&["check"]).ok();
    assert!(!clean.stdout.contains("measures"), "{}", clean.stdout);
    {
        // Lose one kept sum behind the engine's back.
        let db = sled::open(store.path()).expect("sled");
        let data = db.open_tree("data").expect("data tree");
        let key = data
            .scan_prefix(b"Y")
            .keys()
            .next()
            .expect("a sum")
            .expect("key");
        data.remove(key).expect("remove");
        db.flush().expect("flush");
    }
    let out = store.run(&["check"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stdout
            .contains("measures' sum of city on 2026-10-12 differs from the cases"),
        "{out:?}"
    );
}
