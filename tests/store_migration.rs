//! A store written by schema 1 (each case one JSON record, made by the jiban of issue #5 with
//! `init --demo` at 2026-11-20 10:00 +08:00 and packed in `fixtures/schema1/`) is migrated on
//! open, through schema 2 to schema 3: a copy is kept and named, and every list, case, history
//! and unit reads as before, except what schema 3 adds — every open case now has the running
//! clocks of its stage, which also decide its light.

mod common;

use std::path::Path;
use std::process::Command;

use serde_json::Value;

const NOW: &str = "2026-11-20T10:00:00+08:00";

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/schema1")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn unpack(dir: &Path) -> std::path::PathBuf {
    let tgz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/schema1/demo-store.tgz");
    let status = Command::new("tar")
        .arg("xzf")
        .arg(&tgz)
        .arg("-C")
        .arg(dir)
        .status()
        .expect("tar runs");
    assert!(status.success(), "unpacking {}", tgz.display());
    dir.join("s1")
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("json")
}

/// What schemas 3 and 4 add or now decide with every clock: the light and time left, the clocks,
/// the chasing ladder and its mark, and the new case fields.
const NEW: &[&str] = &[
    "light",
    "remaining_secs",
    "clock",
    "clocks",
    "stage_clocks",
    "province",
    "contacts",
    "feedback_at",
    "part_days",
    "supervision",
    "mark",
    "chase",
    "grab",
    "chases",
    "pooled",
    "unclaimed",
    "links",
    "repeat_noticed_at",
    "merged_into",
    "merged",
    "lookback",
    "repeat_notices",
    "lookbacks",
    "notices",
    "matter",
    "facts",
];

/// A case as shown before schema 4 recorded the chasing steps that fell due (and schema 5 the
/// monthly look-back draw): its `chase` and `lookback-drawn` history entries by the system
/// removed, its version set back by as many, and the intake entry without the repeat-complaint
/// links schema 5 adds. What remains must read exactly as before.
fn before_chasing(mut v: Value) -> Value {
    let Some(history) = v["history"].as_array_mut() else {
        return v;
    };
    let before = history.len();
    history.retain(|e| {
        !matches!(e["action"].as_str(), Some("chase" | "lookback-drawn")) || e["by"] != "jiban"
    });
    for e in history.iter_mut() {
        if let Value::Object(m) = e {
            m.remove("links");
            m.remove("repeat_notice");
            m.remove("matter");
        }
    }
    let chased = (before - history.len()) as u64;
    if let Some(version) = v["version"].as_u64() {
        v["version"] = Value::from(version - chased);
    }
    v
}

/// `v` without the fields of [`NEW`] (at the top level of each object).
fn before_clocks(mut v: Value) -> Value {
    match &mut v {
        Value::Array(items) => {
            for i in items {
                *i = before_clocks(std::mem::take(i));
            }
        }
        Value::Object(m) => m.retain(|k, _| !NEW.contains(&k.as_str())),
        _ => {}
    }
    v
}

#[test]
fn a_schema_1_store_is_migrated_with_a_copy_kept_and_reads_as_before() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = unpack(dir.path());
    let data = store.to_str().expect("utf-8 path");
    let first = common::jiban(&["--data", data, "--now", NOW, "cases", "--json"], None).ok();
    assert!(
        first.stderr.contains("from schema 1 to schema 2")
            && first.stderr.contains("copy")
            && first.stderr.contains("schema 3"),
        "{}",
        first.stderr
    );
    let rows = json(&first.stdout);
    let mut want = before_clocks(json(&fixture("cases.json")));
    let mut got = before_clocks(rows.clone());
    // Sorted by id: the order now follows every clock's deadline.
    for v in [&mut want, &mut got] {
        if let Value::Array(items) = v {
            items.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
        }
    }
    assert_eq!(got, want);
    // Every open case has its clocks now, and a light from them.
    for r in rows.as_array().expect("rows") {
        let open = !matches!(
            r["stage"].as_str(),
            Some("closed" | "rejected" | "assessment")
        );
        let clocks = r["clocks"].as_array().map_or(0, |c| c.len());
        assert_eq!(open, clocks > 0, "{}", r["id"]);
        assert_eq!(open, !r["light"].is_null(), "{}", r["id"]);
    }
    // The copy is where the message says, and is still a schema-1 store.
    let copies: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("s1.schema1-"))
        .collect();
    assert_eq!(copies.len(), 1, "{copies:?}");
    assert!(first.stderr.contains(&copies[0]), "{}", first.stderr);
    assert!(dir.path().join(&copies[0]).join("db").exists());
    // Migrated once: the next command says nothing of it.
    let units = common::jiban(&["--data", data, "--now", NOW, "units", "--json"], None).ok();
    assert!(!units.stderr.contains("schema"), "{}", units.stderr);
    assert_eq!(
        before_clocks(json(&units.stdout)),
        json(&fixture("units.json"))
    );
    for line in fixture("shows.jsonl").lines() {
        let want = json(line);
        let id = want["id"].as_str().expect("id").to_string();
        let id = id.as_str();
        let got = common::jiban(&["--data", data, "--now", NOW, "show", id, "--json"], None).ok();
        assert_eq!(
            before_clocks(before_chasing(json(&got.stdout))),
            before_clocks(want),
            "{id}"
        );
    }
    // The migrated store keeps its counts and takes new commands.
    let clock = std::sync::Arc::new(jiban::domain::clock::SimulatedClock::fixed(
        chrono::DateTime::parse_from_rfc3339(NOW)
            .expect("time")
            .with_timezone(&chrono::Utc),
    ));
    let engine = jiban::engine::Engine::open(&store, clock).expect("open");
    assert_eq!(
        engine.stage_counts().expect("kept"),
        engine.recount().expect("recount")
    );
    assert_eq!(engine.case_count(), 180);
    // The measures' sums, which a schema-1 store never had, are built on open.
    let sums = engine.kept_tallies().expect("sums");
    assert!(!sums.is_empty(), "sums built");
    assert_eq!(sums, engine.recount_tallies().expect("recount sums"));
    let report = engine.check(&engine.administrator()).expect("check");
    assert!(report.is_clean(), "{:?}", report.problems);
}
