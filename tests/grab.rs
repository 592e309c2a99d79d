//! Grab orders (抢单, issue #13) end to end: published from the CLI, claimed by the first unit,
//! refused to the second with who won; a window that closes unclaimed counts on every offered
//! unit; and two unit handlers claiming at the same moment through `jiban serve`, of whom
//! exactly one wins.

mod common;
mod server_support;

use std::sync::{Arc, Barrier};

use jiban::domain::case::{CaseId, Category};
use jiban::domain::command::Command;
use jiban::domain::org::UnitId;
use jiban::service::Service;
use server_support::{take_in, Site};

const HAIDAMAIDAO: &str = "laoshan.jinjialing.haidamaidao";
const ZHANGCUN: &str = "laoshan.zhonghan.zhangcun";

#[test]
fn the_cli_publishes_the_first_claim_wins_and_a_closed_window_counts_on_every_unit() {
    let store = common::Store::new();
    let t = |hm: &str| format!("2026-11-23T{hm}:00+08:00");
    let line = common::haidamaidao_line("路灯不亮", &t("09:00"));
    let won = store.intake_one(&t("09:00"), &line);
    let lapsed = store.intake_one(&t("09:00"), &line);
    for id in [&won, &lapsed] {
        store.act_ok(
            &t("09:05"),
            "ls_dispatch",
            id,
            &["accept", "--category", "livelihood"],
        );
        store.act_ok(
            &t("09:10"),
            "ls_dispatch",
            id,
            &["publish", "--to", &format!("{HAIDAMAIDAO},{ZHANGCUN}")],
        );
    }
    store.act_ok(&t("10:00"), "ls_zhangcun", &won, &["claim"]);
    let lost = store.act(&t("10:01"), "ls_haidamaidao", &won, &["claim"]);
    assert_eq!(lost.code, 2, "{}", lost.stderr);
    assert!(
        lost.stderr
            .contains("already claimed by laoshan.zhonghan.zhangcun at 2026-11-23 10:00"),
        "{}",
        lost.stderr
    );
    let v = store.show_json_at(&t("10:02"), &won);
    assert_eq!(
        (v["stage"].as_str(), v["holder"].as_str()),
        (Some("handling"), Some(ZHANGCUN))
    );
    // The other window closed at 12:10 with no claim: seen by the next process, at 12:10.
    let v = store.show_json_at(&t("13:00"), &lapsed);
    assert_eq!(v["grab"]["outcome"]["outcome"], "unclaimed");
    let closed = common::last_event(&v);
    assert_eq!(closed["action"], "grab-closed");
    assert_eq!(closed["at"], t("12:10"));
    let rows = store.cases_json(&t("13:00"), &[]);
    let row = rows
        .iter()
        .find(|r| r["id"] == lapsed.as_str())
        .expect("row");
    assert_eq!(row["mark"], "supervised");
    for unit in [HAIDAMAIDAO, ZHANGCUN] {
        let u = store.unit_json(unit);
        assert_eq!(
            u["unclaimed"].as_array().map(Vec::len),
            Some(1),
            "{unit}: {u}"
        );
    }
}

#[test]
fn two_units_claiming_at_once_through_the_server_exactly_one_wins() {
    let mut site = Site::new(Some("trainer"));
    site.start();
    let trainer = site.client(None, false);
    let id = take_in(&trainer, 1).remove(0);
    let dispatcher = site.client(Some("ls_dispatch"), false);
    dispatcher
        .execute(
            &id,
            &Command::Accept {
                province: false,
                category: Category::Livelihood,
                kind: None,
                complex: false,
                matter: None,
            },
            None,
        )
        .expect("accept");
    dispatcher
        .execute(
            &id,
            &Command::Publish {
                to: vec![UnitId::new(HAIDAMAIDAO), UnitId::new(ZHANGCUN)],
                hours: None,
            },
            None,
        )
        .expect("publish");
    let start = Arc::new(Barrier::new(2));
    let claim = |login: &'static str| {
        let client = site.client(Some(login), false);
        let start = start.clone();
        let id: CaseId = id.clone();
        std::thread::spawn(move || {
            start.wait();
            client
                .execute(&id, &Command::Claim { unit: None }, None)
                .map_err(|e| e.to_string())
        })
    };
    let a = claim("ls_haidamaidao");
    let b = claim("ls_zhangcun");
    let results = [a.join().expect("thread"), b.join().expect("thread")];
    let won: Vec<_> = results.iter().filter(|r| r.is_ok()).collect();
    assert_eq!(won.len(), 1, "{results:?}");
    let refused = results
        .iter()
        .find_map(|r| r.as_ref().err())
        .expect("one refusal");
    assert!(refused.contains("already claimed by"), "{refused}");
    let case = trainer.show(id.as_str()).expect("show").case;
    assert!(
        [HAIDAMAIDAO, ZHANGCUN].contains(&case.holder.as_str()),
        "{}",
        case.holder
    );
    assert!(
        refused.contains(case.holder.as_str()),
        "the loser is told who won: {refused}"
    );
}
