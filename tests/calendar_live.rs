//! A live store takes next year's holiday calendar: exactly the open cases whose deadlines move
//! get one history entry each, nothing else changes, a corrected version moves them again, and an
//! interrupted recomputation is finished on reopen.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use jiban::domain::case::{CaseId, Category, Kind};
use jiban::domain::clock::SimulatedClock;
use jiban::domain::command::Command;
use jiban::domain::event::Event;
use jiban::domain::intake::parse_line;
use jiban::engine::{Engine, IntakeOutcome};

/// The failpoint is process-wide: the tests of this file run one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("test time")
        .with_timezone(&Utc)
}

/// 2027 v1: New Year's Day, Friday 1 – Sunday 3 January.
pub const V1: &str = "year = 2027\nsource = \"2027 v1\"\n\n[[holiday]]\nname = \"元旦\"\noff = { from = \"2027-01-01\", to = \"2027-01-03\" }\nworkdays = []\n";
/// 2027 v2: a corrected notice adds Monday 4 January.
pub const V2: &str = "year = 2027\nsource = \"2027 v2\"\n\n[[holiday]]\nname = \"元旦\"\noff = { from = \"2027-01-01\", to = \"2027-01-04\" }\nworkdays = []\n";

fn line(n: usize) -> String {
    format!(
        r#"{{"district":"laoshan","channel":"grid","title":"案件{n}","requester":{{"name":"张伟","phone":"1385321{n:04}"}},"community":"laoshan.jinjialing.haidamaidao"}}"#
    )
}

fn intake(engine: &Engine, n: usize) -> Vec<CaseId> {
    let cases = (0..n)
        .map(|i| parse_line(i + 1, &line(i), &engine.config().org).expect("line"))
        .collect();
    engine
        .intake(&engine.administrator(), cases)
        .expect("intake")
        .into_iter()
        .map(|o| match o {
            IntakeOutcome::Created(id) => id,
            other => panic!("{other:?}"),
        })
        .collect()
}

fn accept(engine: &Engine, id: &CaseId, category: Category) {
    let op = engine.user("ls_dispatch").expect("login");
    let kind = (category == Category::Livelihood).then_some(Kind::Consultation);
    let cmd = Command::Accept {
        category,
        kind,
        complex: false,
        province: false,
        matter: None,
    };
    engine.execute(&op, id, &cmd, None).expect("accept");
}

fn versions(engine: &Engine, ids: &[CaseId]) -> Vec<u64> {
    ids.iter()
        .map(|id| engine.show(id.as_str()).expect("show").case.version)
        .collect()
}

#[test]
fn a_new_calendar_moves_exactly_the_provisional_deadlines_and_a_correction_moves_them_again() {
    let _serial = serial();
    let dir = tempfile::tempdir().expect("tempdir");
    // Monday 21 December 2026, 09:00.
    let clock = Arc::new(SimulatedClock::fixed(at("2026-12-21T09:00:00+08:00")));
    let engine =
        Engine::init(dir.path(), &jiban::fixtures::bundled(), clock.clone()).expect("init");
    let ids = intake(&engine, 4);
    // Two development cases (10 working days: into 2027), one consultation (1 working day: this
    // year), one left in triage.
    accept(&engine, &ids[0], Category::Development);
    accept(&engine, &ids[1], Category::Development);
    accept(&engine, &ids[2], Category::Livelihood);
    let list = engine.calendars().expect("list");
    assert_eq!(list.missing_next_year, Some(2027));
    assert_eq!(list.provisional, vec![ids[0].clone(), ids[1].clone()]);
    let before = versions(&engine, &ids);
    let due_before = engine.show(ids[0].as_str()).expect("show").case.due_at;
    let mut rx = engine.subscribe();

    // A district dispatcher may not; a bad file names its line.
    let district = engine.user("ls_dispatch").expect("login");
    let refused = engine
        .add_calendar(&district, "cn-2027.toml", V1)
        .unwrap_err();
    assert!(refused.to_string().contains("may not"), "{refused}");
    let city = engine.user("qd_dispatch").expect("login");
    let bad = V1.replace("2027-01-03", "2026-01-03");
    let err = engine
        .add_calendar(&city, "cn-2027.toml", &bad)
        .unwrap_err();
    assert!(err.to_string().contains("line 6"), "{err}");

    clock.set(at("2026-12-21T10:00:00+08:00"));
    let added = engine.add_calendar(&city, "cn-2027.toml", V1).expect("v1");
    assert_eq!((added.year, added.version), (2027, 1));
    assert_eq!(added.moved, vec![ids[0].clone(), ids[1].clone()]);
    let after = versions(&engine, &ids);
    assert_eq!(
        after,
        vec![before[0] + 1, before[1] + 1, before[2], before[3]],
        "exactly the moved cases changed"
    );
    let view = engine.show(ids[0].as_str()).expect("show");
    let last = view.history.last().expect("history");
    match &last.event {
        Event::Recompute {
            year,
            version,
            moved,
        } => {
            assert_eq!((*year, *version, moved.len()), (2027, 1, 1));
            assert_eq!(Some(moved[0].from), due_before);
            assert_eq!(Some(moved[0].to), view.case.due_at);
            // Friday 1 January is now a day off: one working day later.
            assert_eq!(moved[0].to - moved[0].from, chrono::Duration::days(1));
        }
        other => panic!("expected a recompute entry, got {other:?}"),
    }
    assert!(!view.clocks.iter().any(|c| c.provisional));
    // Published, so live boards redraw.
    let published: Vec<CaseId> = std::iter::from_fn(|| rx.try_recv().ok())
        .map(|c| c.case.id.clone())
        .collect();
    assert_eq!(published, added.moved);
    let list = engine.calendars().expect("list");
    assert_eq!(list.missing_next_year, None);
    assert!(list.provisional.is_empty());

    // The corrected notice: version 2 moves them again, one entry each.
    let added = engine.add_calendar(&city, "cn-2027.toml", V2).expect("v2");
    assert_eq!((added.year, added.version), (2027, 2));
    assert_eq!(added.moved.len(), 2);
    assert_eq!(
        versions(&engine, &ids),
        vec![after[0] + 1, after[1] + 1, after[2], after[3]]
    );
    // The same file again moves nothing.
    let again = engine.add_calendar(&city, "cn-2027.toml", V2).expect("v3");
    assert_eq!((again.version, again.moved.len()), (3, 0));

    // After a reopen the store holds the new calendar and every index agrees.
    drop(engine);
    let engine = Engine::open(dir.path(), clock).expect("reopen");
    let list = engine.calendars().expect("list");
    let y = list
        .years
        .iter()
        .find(|y| y.year == 2027)
        .expect("2027 held");
    assert_eq!((y.version, y.source.as_str()), (3, "2027 v2"));
    assert_eq!(list.history.len(), 3);
    let report = engine.check(&engine.administrator()).expect("check");
    assert!(report.is_clean(), "{:?}", report.problems);
}

#[test]
fn a_recomputation_cut_short_is_finished_when_the_store_opens_again() {
    let _serial = serial();
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(SimulatedClock::fixed(at("2026-12-21T09:00:00+08:00")));
    let engine =
        Engine::init(dir.path(), &jiban::fixtures::bundled(), clock.clone()).expect("init");
    let ids = intake(&engine, 1);
    accept(&engine, &ids[0], Category::Development);
    let before = engine.show(ids[0].as_str()).expect("show").case;
    let city = engine.user("qd_dispatch").expect("login");
    fail::cfg("calendar-before-recompute", "return").expect("failpoint");
    let cut = engine.add_calendar(&city, "cn-2027.toml", V1);
    fail::remove("calendar-before-recompute");
    assert!(cut.is_err(), "{cut:?}");
    // The calendar is stored; the deadline has not moved yet.
    assert_eq!(
        engine.show(ids[0].as_str()).expect("show").case.version,
        before.version
    );
    drop(engine);
    let engine = Engine::open(dir.path(), clock).expect("reopen");
    let view = engine.show(ids[0].as_str()).expect("show");
    assert_eq!(view.case.version, before.version + 1);
    match &view.history.last().expect("history").event {
        Event::Recompute {
            year,
            version,
            moved,
        } => {
            assert_eq!((*year, *version, moved.len()), (2027, 1, 1));
            assert_eq!(Some(moved[0].from), before.due_at);
        }
        other => panic!("expected a recompute entry, got {other:?}"),
    }
    assert_eq!(view.history.last().expect("history").by, "qd_dispatch");
    // Finished once: a further open moves nothing.
    drop(engine);
    let engine = Engine::open(
        dir.path(),
        Arc::new(SimulatedClock::fixed(at("2026-12-21T10:00:00+08:00"))),
    )
    .expect("reopen");
    assert_eq!(
        engine.show(ids[0].as_str()).expect("show").case.version,
        before.version + 1
    );
}
