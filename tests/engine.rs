//! Engine tests: publishing after the flush, version conflicts, store locking and schema checks,
//! and the demo seeding.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use jiban::domain::case::{CaseId, Category, Stage};
use jiban::domain::clock::SimulatedClock;
use jiban::domain::command::Command;
use jiban::domain::intake::parse_line;
use jiban::domain::light::Light;
use jiban::engine::query::CaseFilter;
use jiban::engine::{Engine, EngineError, IntakeOutcome};
use jiban::store::StoreError;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("test time")
        .with_timezone(&Utc)
}

fn engine_at(dir: &std::path::Path, now: &str) -> (Engine, Arc<SimulatedClock>) {
    let clock = Arc::new(SimulatedClock::fixed(at(now)));
    let engine = Engine::init(dir, &jiban::fixtures::bundled(), clock.clone()).expect("init");
    (engine, clock)
}

const LINE: &str = r#"{"district":"laoshan","channel":"grid","title":"亚麦山城小区9号楼楼下台阶破损","description":"台阶破损","requester":{"name":"张伟","phone":"13853212345"},"community":"laoshan.jinjialing.haidamaidao","external_id":"QD2611230001"}"#;

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

#[test]
fn committed_commands_are_published_to_subscribers_with_the_new_state() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (engine, _) = engine_at(dir.path(), "2026-11-23T09:00:00+08:00");
    let mut rx = engine.subscribe();
    let id = intake_one(&engine);
    let got = rx.try_recv().expect("intake published");
    assert_eq!(
        (got.entry.case.clone(), got.entry.event.action()),
        (id.clone(), "intake")
    );
    let op = engine.user("ls_dispatch").expect("login");
    let accept = Command::Accept {
        province: false,
        category: Category::Livelihood,
        kind: None,
        complex: false,
        matter: None,
    };
    engine.execute(&op, &id, &accept, None).expect("accept");
    let got = rx.try_recv().expect("accept published");
    assert_eq!(got.entry.by, "ls_dispatch");
    assert!(got.case.accepted_at.is_some());
    assert_eq!(got.case.version, 2);
    // A refused command publishes nothing.
    assert!(engine.execute(&op, &id, &Command::Sign, None).is_err());
    assert!(rx.try_recv().is_err());
}

#[test]
fn a_stale_version_is_refused_with_what_changed_and_by_whom() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (engine, _) = engine_at(dir.path(), "2026-11-23T09:00:00+08:00");
    let id = intake_one(&engine);
    let op = engine.user("ls_dispatch").expect("login");
    let accept = Command::Accept {
        province: false,
        category: Category::Livelihood,
        kind: None,
        complex: false,
        matter: None,
    };
    engine
        .execute(&op, &id, &accept, Some(1))
        .expect("current version accepted");
    let dispatch = Command::Dispatch {
        to: jiban::domain::org::UnitId::new("laoshan.jinjialing.haidamaidao"),
    };
    match engine.execute(&op, &id, &dispatch, Some(1)) {
        Err(e @ EngineError::Conflict { .. }) => {
            let msg = e.to_string();
            assert!(
                msg.contains("this case changed: accept by ls_dispatch"),
                "{msg}"
            );
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(
        engine.show(id.as_str()).expect("show").case.stage,
        Stage::Triage
    );
}

#[test]
fn reopening_keeps_every_case_and_a_second_opener_gets_a_clear_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let id = {
        let (engine, _) = engine_at(dir.path(), "2026-11-23T09:00:00+08:00");
        let id = intake_one(&engine);
        // While it is open, another process is told the store is in use, by name.
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_jiban"))
            .args(["--data"])
            .arg(dir.path())
            .arg("cases")
            .output()
            .expect("run jiban");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(err.contains("in use by another jiban process"), "{err}");
        assert!(err.contains(&dir.path().display().to_string()), "{err}");
        id
    };
    let clock = Arc::new(SimulatedClock::fixed(at("2026-11-23T10:00:00+08:00")));
    let engine = open_when_free(dir.path(), clock).expect("reopen");
    let view = engine.show(id.as_str()).expect("case survives");
    assert_eq!(view.history.len(), 1);
    // The same 12345 work order is not stored twice, across restarts.
    let case = parse_line(1, LINE, &engine.config().org).expect("line");
    let again = engine
        .intake(&engine.administrator(), vec![case])
        .expect("intake");
    assert_eq!(again, vec![IntakeOutcome::Duplicate(id)]);
    assert_eq!(engine.case_count(), 1);
}

#[test]
fn a_store_of_another_schema_version_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    drop(engine_at(dir.path(), "2026-11-23T09:00:00+08:00"));
    {
        let deadline = Instant::now() + Duration::from_secs(10);
        let db = loop {
            match sled::open(dir.path()) {
                Err(_) if Instant::now() < deadline => std::thread::yield_now(),
                other => break other.expect("raw open"),
            }
        };
        db.open_tree("meta")
            .expect("meta")
            .insert("schema_version", &99u32.to_be_bytes())
            .expect("write");
        db.flush().expect("flush");
    }
    let clock = Arc::new(SimulatedClock::fixed(at("2026-11-23T09:00:00+08:00")));
    match open_when_free(dir.path(), clock) {
        Err(EngineError::Store(e @ StoreError::Schema { .. })) => {
            assert!(e.to_string().contains("schema version 99"), "{e}");
        }
        Err(other) => panic!("expected a schema error, got {other}"),
        Ok(_) => panic!("expected a schema error, the store opened"),
    }
    let missing = Engine::open(
        &dir.path().join("nothing"),
        Arc::new(SimulatedClock::fixed(Utc::now())),
    );
    assert!(matches!(
        missing,
        Err(EngineError::Store(StoreError::Missing(_)))
    ));
}

#[test]
fn case_ids_carry_the_district_code_the_china_date_and_a_daily_sequence() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 23:30 UTC on the 22nd is 07:30 on the 23rd in China.
    let (engine, _) = engine_at(dir.path(), "2026-11-22T23:30:00Z");
    let org = &engine.config().org;
    let lines: Vec<_> = (0..3)
        .map(|i| {
            let l = LINE
                .replace("QD2611230001", &format!("QD261123000{i}"))
                .replace("13853212345", &format!("1385321000{i}"));
            parse_line(i + 1, &l, org).expect("line")
        })
        .collect();
    let ids = engine
        .intake(&engine.administrator(), lines)
        .expect("intake");
    let expected: Vec<IntakeOutcome> = (1..=3)
        .map(|n| IntakeOutcome::Created(CaseId(format!("LS-20261123-{n:04}"))))
        .collect();
    assert_eq!(ids, expected);
}

#[test]
fn the_demo_store_has_cases_in_every_stage_and_every_light() {
    let dir = tempfile::tempdir().expect("tempdir");
    let now = at("2026-11-22T10:00:00+08:00");
    let (engine, clock) = engine_at(dir.path(), "2026-11-22T10:00:00+08:00");
    jiban::demo::seed(&engine, &clock, now).expect("seed");
    assert!(engine.case_count() >= 150);
    for stage in Stage::ALL {
        let n = engine
            .list(&CaseFilter {
                stage: Some(*stage),
                ..Default::default()
            })
            .expect("list")
            .len();
        assert!(n > 0, "no demo case in {stage}");
    }
    for light in Light::ALL {
        let n = engine
            .list(&CaseFilter {
                light: Some(light),
                ..Default::default()
            })
            .expect("list")
            .len();
        assert!(n > 0, "no demo case with light {}", light.as_str());
    }
    let round_two = engine
        .list(&CaseFilter::default())
        .expect("list")
        .iter()
        .filter(|r| r.round == 2)
        .count();
    assert!(round_two > 0, "no second-round case");
    let referred = engine
        .units()
        .expect("units")
        .iter()
        .filter(|u| !u.referrals.is_empty() || u.failed_assessments > 0)
        .count();
    assert!(referred > 0, "no unit with an assessment record");
}

#[test]
fn a_snapshot_left_half_written_by_a_killed_process_does_not_stop_the_store_opening() {
    let dir = tempfile::tempdir().expect("tempdir");
    let id = {
        let (engine, _) = engine_at(dir.path(), "2026-11-23T09:00:00+08:00");
        intake_one(&engine)
    };
    // What sled 0.34 leaves when killed while writing a snapshot: an empty `.generating` file
    // that sorts after every real snapshot.
    std::fs::write(dir.path().join("snap.FFFFFFFFFFFFFFFF.generating"), b"").expect("plant");
    let clock = Arc::new(SimulatedClock::fixed(at("2026-11-23T10:00:00+08:00")));
    let engine = open_when_free(dir.path(), clock).expect("the store opens");
    assert_eq!(engine.show(id.as_str()).expect("case").history.len(), 1);
}

/// Opens a store that an engine of this process just dropped. sled's background threads let go
/// of its file a moment after the drop, so this polls while the store reads as in use, for a
/// bounded time.
fn open_when_free(
    path: &std::path::Path,
    clock: Arc<SimulatedClock>,
) -> Result<Engine, EngineError> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match Engine::open(path, clock.clone()) {
            Err(EngineError::Store(StoreError::InUse(_))) if Instant::now() < deadline => {
                std::thread::yield_now()
            }
            other => return other,
        }
    }
}
