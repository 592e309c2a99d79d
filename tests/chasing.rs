//! Chasing late cases through the engine (issue #13): each step recorded exactly once, at the
//! time it fell due, whichever process sees it first; counted on the unit's record; found through
//! the chasing index; kept across a reopen; visible in the CLI.

mod common;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use jiban::domain::case::{CaseId, Category};
use jiban::domain::chasing::{ChaseLevel, Mark};
use jiban::domain::clock::SimulatedClock;
use jiban::domain::command::Command;
use jiban::domain::event::Event;
use jiban::domain::intake::parse_line;
use jiban::domain::org::UnitId;
use jiban::engine::{Engine, IntakeOutcome};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("test time")
        .with_timezone(&Utc)
}

const LINE: &str = r#"{"district":"laoshan","channel":"grid","title":"亚麦山城小区9号楼楼下台阶破损","description":"台阶破损","requester":{"name":"张伟","phone":"13853212345"},"community":"laoshan.jinjialing.haidamaidao"}"#;

fn intake_one(engine: &Engine) -> CaseId {
    let case = parse_line(1, LINE, &engine.config().org).expect("line parses");
    match engine
        .intake(&engine.administrator(), vec![case])
        .expect("intake")
        .as_slice()
    {
        [IntakeOutcome::Created(id)] => id.clone(),
        other => panic!("unexpected {other:?}"),
    }
}

/// A case received Monday 23 November 09:00 and dispatched at once to the community, which
/// never contacts the requester: its contact clock runs out Tuesday 09:00, it is chased
/// Wednesday 09:00 and pooled Friday 09:00.
fn late_at_the_community(dir: &std::path::Path) -> (Engine, Arc<SimulatedClock>, CaseId) {
    let clock = Arc::new(SimulatedClock::fixed(at("2026-11-23T09:00:00+08:00")));
    let engine = Engine::init(dir, &jiban::fixtures::bundled(), clock.clone()).expect("init");
    let id = intake_one(&engine);
    let dispatcher = engine.user("ls_dispatch").expect("login");
    for c in [
        Command::Accept {
            province: false,
            category: Category::Livelihood,
            kind: None,
            complex: false,
            matter: None,
        },
        Command::Dispatch {
            to: UnitId::new("laoshan.jinjialing.haidamaidao"),
        },
    ] {
        engine.execute(&dispatcher, &id, &c, None).expect("command");
    }
    (engine, clock, id)
}

fn chases(engine: &Engine, id: &CaseId) -> Vec<(DateTime<Utc>, ChaseLevel, String)> {
    engine
        .show(id.as_str())
        .expect("show")
        .history
        .into_iter()
        .filter_map(|e| match e.event {
            Event::Chase { level, .. } => Some((e.at, level, e.by)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_late_case_is_chased_and_pooled_once_each_at_the_time_it_fell_due() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (engine, clock, id) = late_at_the_community(dir.path());
    let mut rx = engine.subscribe();
    clock.set(at("2026-11-25T08:59:00+08:00"));
    assert_eq!(engine.advance().expect("advance"), 0);
    // Noticed late on Wednesday: written with the time it fell due, and published.
    clock.set(at("2026-11-25T17:00:00+08:00"));
    assert_eq!(engine.advance().expect("advance"), 1);
    assert_eq!(engine.advance().expect("advance"), 0, "exactly once");
    let published = rx.try_recv().expect("the chase is published");
    assert_eq!(published.entry.event.action(), "chase");
    assert_eq!(
        chases(&engine, &id),
        [(
            at("2026-11-25T09:00:00+08:00"),
            ChaseLevel::Chased,
            "jiban".to_string()
        )]
    );
    let summary = engine
        .open_page(None, None, 100)
        .expect("open")
        .into_iter()
        .find(|s| s.id == id)
        .expect("open case");
    assert_eq!(summary.mark, Some(Mark::Chased));
    // The pool move is recorded by the next command, before it is applied.
    clock.set(at("2026-11-30T10:00:00+08:00"));
    let unit = engine.user("ls_haidamaidao").expect("login");
    engine
        .execute(&unit, &id, &Command::Sign, None)
        .expect("sign");
    let steps = chases(&engine, &id);
    assert_eq!(steps.len(), 2, "{steps:?}");
    assert_eq!(
        (steps[1].0, steps[1].1),
        (at("2026-11-27T09:00:00+08:00"), ChaseLevel::Pooled)
    );
    let view = engine.show(id.as_str()).expect("show");
    let actions: Vec<&str> = view.history.iter().map(|e| e.event.action()).collect();
    assert_eq!(
        actions,
        ["intake", "accept", "dispatch", "chase", "chase", "sign"]
    );
    // The unit's record counts both, and the store's own check agrees with its indexes.
    let record = engine
        .unit_record(&UnitId::new("laoshan.jinjialing.haidamaidao"))
        .expect("record");
    assert_eq!((record.chases.len(), record.pooled.len()), (1, 1));
    let report = engine.check(&engine.administrator()).expect("check");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

#[test]
fn a_step_that_fell_due_while_no_process_ran_is_recorded_when_the_store_opens() {
    let dir = tempfile::tempdir().expect("tempdir");
    let id = {
        let (_engine, _, id) = late_at_the_community(dir.path());
        id
    };
    let clock = Arc::new(SimulatedClock::fixed(at("2026-12-07T09:00:00+08:00")));
    let engine = Engine::open(dir.path(), clock.clone()).expect("open");
    let steps = chases(&engine, &id);
    assert_eq!(
        steps.iter().map(|s| (s.0, s.1)).collect::<Vec<_>>(),
        [
            (at("2026-11-25T09:00:00+08:00"), ChaseLevel::Chased),
            (at("2026-11-27T09:00:00+08:00"), ChaseLevel::Pooled),
        ]
    );
    drop(engine);
    // Opening again (any process, any later time) records nothing more.
    let engine = Engine::open(dir.path(), clock).expect("reopen");
    assert_eq!(chases(&engine, &id).len(), 2);
}

#[test]
fn the_cli_shows_the_mark_and_the_ladder_and_units_counts_the_chases() {
    let store = common::Store::new();
    let line = common::haidamaidao_line("路灯不亮", "2026-11-23T09:00:00+08:00");
    let id = store.intake_one("2026-11-23T09:00:00+08:00", &line);
    store.act_ok(
        "2026-11-23T09:05:00+08:00",
        "ls_dispatch",
        &id,
        &["accept", "--category", "livelihood"],
    );
    store.act_ok(
        "2026-11-23T09:10:00+08:00",
        "ls_dispatch",
        &id,
        &["dispatch", "--to", "laoshan.jinjialing.haidamaidao"],
    );
    let rows = store.cases_json("2026-11-26T09:00:00+08:00", &[]);
    let row = rows.iter().find(|r| r["id"] == id.as_str()).expect("row");
    assert_eq!(row["mark"], "chased");
    let table = store
        .run(&["--now", "2026-11-26T09:00:00+08:00", "cases"])
        .ok();
    assert!(table.stdout.contains("[催] 路灯不亮"), "{}", table.stdout);
    let show = store
        .run(&["--now", "2026-11-30T09:00:00+08:00", "show", &id])
        .ok();
    assert!(
        show.stdout.contains("chased 2026-11-25 09:10")
            && show.stdout.contains("pooled 2026-11-27 09:10"),
        "{}",
        show.stdout
    );
    let table = store
        .run(&["--now", "2026-11-30T09:00:00+08:00", "cases"])
        .ok();
    assert!(table.stdout.contains("[池] 路灯不亮"), "{}", table.stdout);
    let units = store.run(&["units"]).ok();
    let line = units
        .stdout
        .lines()
        .find(|l| l.contains("laoshan.jinjialing.haidamaidao "))
        .expect("the community's line");
    assert!(
        line.contains("催办 ×1") && line.contains("督办池 ×1"),
        "{line}"
    );
}

#[test]
fn a_schema_3_store_gets_its_chasing_index_on_open_and_checks_clean() {
    let dir = tempfile::tempdir().expect("tempdir");
    let id = {
        let (_engine, _, id) = late_at_the_community(dir.path());
        id
    };
    // What schema 3 had: no chasing index and the schema mark 3.
    {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let db = loop {
            match sled::open(dir.path()) {
                Err(_) if std::time::Instant::now() < deadline => std::thread::yield_now(),
                other => break other.expect("raw open"),
            }
        };
        let data = db.open_tree("data").expect("data");
        let keys: Vec<_> = data
            .scan_prefix([b'A'])
            .map(|kv| kv.expect("key").0)
            .collect();
        assert_eq!(keys.len(), 1, "one open case, one chasing entry");
        for k in keys {
            data.remove(k).expect("remove");
        }
        db.open_tree("meta")
            .expect("meta")
            .insert("schema_version", &3u32.to_be_bytes())
            .expect("write");
        db.flush().expect("flush");
    }
    // Opened on Friday: the index is back, and the chase and pool move are recorded at their
    // times, exactly as if the store had always had it.
    let clock = Arc::new(SimulatedClock::fixed(at("2026-11-27T10:00:00+08:00")));
    let engine = Engine::open(dir.path(), clock).expect("open migrates");
    let steps = chases(&engine, &id);
    assert_eq!(
        steps.iter().map(|s| (s.0, s.1)).collect::<Vec<_>>(),
        [
            (at("2026-11-25T09:00:00+08:00"), ChaseLevel::Chased),
            (at("2026-11-27T09:00:00+08:00"), ChaseLevel::Pooled),
        ]
    );
    let report = engine.check(&engine.administrator()).expect("check");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}
