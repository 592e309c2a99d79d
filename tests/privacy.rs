//! Citizens' names and phones are masked by the engine and the server from the operator's role
//! and unit (issue #10, item 9): in `show --json` embedded and through `--connect`, in raw
//! `Show` replies, and in every event pushed to a subscriber. The display is never trusted.

mod common;
mod server_support;

use std::time::Duration;

use common::{case_line, Store};
use jiban::service::{Service, Update};
use server_support::{take_in, Site};

const NOW: &str = "2026-11-23T09:00:00+08:00";
const PHONE: &str = "13853215678";

/// A Laoshan case sent to the community 张村 (held by `ls_zhangcun`).
fn dispatched_case(store: &Store) -> String {
    let mut line = case_line("laoshan", "livelihood", "路灯不亮", NOW);
    line["requester"]["phone"] = serde_json::json!(PHONE);
    let id = store.intake_one(NOW, &line.to_string());
    store.act_ok(
        NOW,
        "ls_dispatch",
        &id,
        &["accept", "--category", "livelihood"],
    );
    store.act_ok(
        NOW,
        "ls_dispatch",
        &id,
        &["dispatch", "--to", "laoshan.zhonghan.zhangcun"],
    );
    id
}

#[test]
fn show_json_masks_the_requester_for_logins_that_may_not_see_it() {
    let store = Store::new();
    let id = dispatched_case(&store);
    let phone_for = |login: &str| {
        let out = store
            .run(&["--now", NOW, "--as", login, "show", &id, "--json"])
            .ok();
        let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
        assert!(!out.stdout.contains(PHONE) || v["requester"]["phone"] == PHONE);
        (
            v["requester"]["phone"].as_str().expect("phone").to_string(),
            v["requester"]["name"].as_str().expect("name").to_string(),
        )
    };
    for login in [
        "ls_supervisor",
        "qd_supervisor",
        "sb_hrss",
        "ls_kutao",
        "sb_dispatch",
    ] {
        let (phone, name) = phone_for(login);
        assert_eq!(phone, "138****5678", "{login} saw the phone");
        assert!(name.ends_with('*'), "{login} saw the name {name}");
    }
    for login in ["ls_zhangcun", "ls_dispatch", "trainer", "qd_dispatch"] {
        assert_eq!(phone_for(login).0, PHONE, "{login} may see the phone");
    }
}

#[test]
fn replies_and_events_from_the_server_are_masked_per_login() {
    let mut site = Site::new(Some("trainer"));
    site.start();
    let trainer = site.client(None, true);
    let supervisor = site.client(Some("ls_supervisor"), true);
    let mut trainer_feed = trainer.subscribe();
    let mut supervisor_feed = supervisor.subscribe();
    let ids = take_in(&trainer, 1);
    let id = ids[0].clone();
    // The raw Show reply.
    let seen = supervisor.show(id.as_str()).expect("show");
    assert_eq!(seen.case.requester.phone, "138****5678");
    assert_eq!(seen.case.requester.name, "李*");
    assert_eq!(
        trainer
            .show(id.as_str())
            .expect("show")
            .case
            .requester
            .phone,
        PHONE
    );
    // Each subscriber is pushed the event as its login may see it.
    let pushed = |feed: &mut jiban::service::Feed| loop {
        match feed.next_timeout(Duration::from_secs(30)) {
            Some(Update::Committed(c)) if c.case.id == id => return c,
            Some(_) => continue,
            None => panic!("no event for {id}"),
        }
    };
    assert_eq!(
        pushed(&mut supervisor_feed).case.requester.phone,
        "138****5678"
    );
    assert_eq!(pushed(&mut trainer_feed).case.requester.phone, PHONE);
    // Through the CLI as well.
    let out = site.cli(&["--as", "ls_supervisor", "show", id.as_str(), "--json"]);
    assert!(out.status.success(), "{out:?}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains(PHONE));
    // The log never holds a phone.
    assert!(!site.server_log().contains(PHONE));
}
