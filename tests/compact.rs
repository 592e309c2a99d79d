//! `jiban compact`: a store rewritten into a fresh folder and swapped in gives back space, reads
//! the same, takes commands, and reopens; through the server, boards and clients carry on.

mod server_support;

use serde_json::Value;
use server_support::{jiban, Site, NOW};

fn out(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `extend` / `deny-extension` pairs on one case, as a batch file: updates that leave garbage.
fn churn(site: &Site, id: &str, pairs: usize) -> std::path::PathBuf {
    let mut lines = String::new();
    for _ in 0..pairs {
        lines.push_str(&format!(
            r#"{{"case":"{id}","command":"extend","options":{{"days":1,"reason":"协调"}},"as":"ls_market"}}"#
        ));
        lines.push('\n');
        lines.push_str(&format!(
            r#"{{"case":"{id}","command":"deny-extension","as":"ls_dispatch"}}"#
        ));
        lines.push('\n');
    }
    let file = site.dir.path().join("churn.jsonl");
    std::fs::write(&file, lines).expect("write");
    file
}

fn on_disk(dir: &std::path::Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    walk(dir).iter().map(|m| m.blocks() * 512).sum()
}

fn walk(dir: &std::path::Path) -> Vec<std::fs::Metadata> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("dir").flatten() {
        let m = e.metadata().expect("meta");
        if m.is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(m);
        }
    }
    out
}

/// A Laoshan case dispatched to 金家岭街道 and signed, so extensions can be asked and denied.
fn handled_case(site: &Site, data: &str) -> String {
    let id = site.intake_offline("楼道堆放杂物");
    for (login, words) in [
        ("ls_dispatch", vec!["accept", "--category", "development"]),
        ("ls_dispatch", vec!["dispatch", "--to", "laoshan.market"]),
        ("ls_market", vec!["sign"]),
    ] {
        let mut args = vec!["--data", data, "--now", NOW, "--as", login, "act", &id];
        args.extend(words);
        let o = jiban(&args);
        assert!(o.status.success(), "{}", out(&o));
    }
    id
}

#[test]
fn compacting_a_store_gives_space_back_and_keeps_every_record() {
    let site = Site::new(None);
    let store = site.store();
    let data = store.to_str().expect("path").to_string();
    let id = handled_case(&site, &data);
    let file = churn(&site, &id, 1500);
    let o = jiban(&[
        "--data",
        &data,
        "--now",
        NOW,
        "act",
        "--batch",
        file.to_str().expect("path"),
    ]);
    assert!(o.status.success(), "{}", out(&o));
    let show = |data: &str| -> Value {
        let o = jiban(&["--data", data, "--now", NOW, "show", &id, "--json"]);
        serde_json::from_slice(&o.stdout).expect("json")
    };
    let before_view = show(&data);
    assert_eq!(
        before_view["history"].as_array().map(Vec::len),
        Some(4 + 3000)
    );
    let before = on_disk(&store);
    let o = jiban(&["--data", &data, "--now", NOW, "compact"]);
    assert!(o.status.success(), "{}", out(&o));
    assert!(out(&o).contains("compacted"), "{}", out(&o));
    let after = on_disk(&store);
    assert!(after * 10 < before * 9, "{before} bytes → {after}");
    assert_eq!(
        std::fs::read_to_string(store.join("CURRENT")).expect("CURRENT"),
        "data-1"
    );
    assert!(!store.join("db").exists(), "the old files are gone");
    assert_eq!(show(&data), before_view);
    // It takes commands and compacts again into the next folder.
    let o = jiban(&[
        "--data",
        &data,
        "--now",
        NOW,
        "--as",
        "ls_market",
        "act",
        &id,
        "extend",
        "--days",
        "1",
        "--reason",
        "r",
    ]);
    assert!(o.status.success(), "{}", out(&o));
    let o = jiban(&["--data", &data, "--now", NOW, "compact"]);
    assert!(o.status.success(), "{}", out(&o));
    assert!(store.join("data-2").exists() && !store.join("data-1").exists());
    assert_eq!(show(&data)["pending"]["type"], "extension");
}

#[test]
fn compacting_through_the_server_keeps_clients_working_and_is_for_the_administrator() {
    let mut site = Site::new(Some("trainer"));
    let store = site.store();
    let data = store.to_str().expect("path").to_string();
    let id = handled_case(&site, &data);
    site.start();
    let file = churn(&site, &id, 300);
    let o = site.cli(&["act", "--batch", file.to_str().expect("path")]);
    assert!(o.status.success(), "{}", out(&o));
    let o = site.cli(&["compact"]);
    assert!(
        o.status.success(),
        "{:?} {}\n{}",
        o.status,
        out(&o),
        site.server_log()
    );
    assert!(store.join("data-1").join("db").exists());
    // A command after the swap is stored in the new folder and survives a restart.
    let o = site.cli(&[
        "--as",
        "ls_market",
        "act",
        &id,
        "extend",
        "--days",
        "2",
        "--reason",
        "r",
    ]);
    assert!(o.status.success(), "{}", out(&o));
    let o = site.cli(&["--as", "ls_dispatch", "compact"]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(out(&o).contains("may not compact"), "{}", out(&o));
    site.stop_with(libc::SIGTERM);
    site.start();
    let o = site.cli(&["show", &id, "--json"]);
    let view: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(view["pending"]["days"], 2);
    assert_eq!(view["history"].as_array().map(Vec::len), Some(4 + 600 + 1));
}
