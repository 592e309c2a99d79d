//! Chasing late cases (issue #13): what recording the time-driven steps costs. Builds a store of
//! `CHASE_CASES` (default 100,000) open cases received at one time, then measures, in release:
//!
//! - `advance` when nothing is due (what every command and the server's timer pay): one range
//!   read of the chasing index;
//! - `advance` when every case's chase falls due at once (a store opened after a long stop), and
//!   again for the pool moves: steps recorded per second;
//! - a command right after, which finds nothing due.
//!
//! `cargo bench --bench chasing` (CI does not run it).

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use jiban::domain::case::{Channel, Requester};
use jiban::domain::clock::SimulatedClock;
use jiban::domain::command::Command;
use jiban::domain::intake::NewCase;
use jiban::domain::org::UnitId;
use jiban::engine::{Engine, IntakeOutcome};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("time")
        .with_timezone(&Utc)
}

fn main() {
    let n: usize = std::env::var("CHASE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(SimulatedClock::fixed(at("2026-11-23T09:00:00+08:00")));
    let engine =
        Engine::init(dir.path(), &jiban::fixtures::bundled(), clock.clone()).expect("init");
    let admin = engine.administrator();
    let started = Instant::now();
    let mut ids = Vec::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
        let cases = chunk
            .iter()
            .map(|i| NewCase {
                source: None,
                district: UnitId::new("laoshan"),
                channel: Channel::Hotline,
                title: format!("路灯不亮 {i}"),
                description: "夜间路灯不亮".into(),
                requester: Requester {
                    name: "李娜".into(),
                    phone: "13853215678".into(),
                },
                address: None,
                community: None,
                category: None,
                received_at: None,
                external_id: None,
            })
            .collect();
        for o in engine.intake(&admin, cases).expect("intake") {
            if let IntakeOutcome::Created(id) = o {
                ids.push(id);
            }
        }
    }
    println!(
        "# chasing over {n} open cases (built in {:.1} s)",
        started.elapsed().as_secs_f64()
    );

    // Nothing due yet: the cost every command pays.
    let rounds = 2_000;
    let t = Instant::now();
    for _ in 0..rounds {
        assert_eq!(engine.advance().expect("advance"), 0);
    }
    let empty = t.elapsed() / rounds;

    // Wednesday 09:00: every triage clock ran out Tuesday 09:00, one working day ago.
    clock.set(at("2026-11-25T09:00:00+08:00"));
    let t = Instant::now();
    let chased = engine.advance().expect("advance");
    let chase_time = t.elapsed();
    assert_eq!(chased, n);

    // Friday 09:00: two working days after the chase, every case enters the pool.
    clock.set(at("2026-11-27T09:00:00+08:00"));
    let t = Instant::now();
    let pooled = engine.advance().expect("advance");
    let pool_time = t.elapsed();
    assert_eq!(pooled, n);

    // A command afterwards: nothing due, so it pays the empty read again.
    let dispatcher = engine.user("ls_dispatch").expect("login");
    let t = Instant::now();
    engine
        .execute(
            &dispatcher,
            &ids[0],
            &Command::Supervise {
                note: "请加快办理".into(),
                days: None,
            },
            None,
        )
        .expect("supervise");
    let command = t.elapsed();

    let rate = |k: usize, d: Duration| k as f64 / d.as_secs_f64();
    println!("\n| chasing, {n} open cases | measured |\n| --- | --- |");
    println!(
        "| `advance` with nothing due (per command) | {:.1} µs |",
        empty.as_secs_f64() * 1e6
    );
    println!(
        "| {chased} chases due at once | {:.2} s ({:.0} steps/s) |",
        chase_time.as_secs_f64(),
        rate(chased, chase_time)
    );
    println!(
        "| {pooled} pool moves due at once | {:.2} s ({:.0} steps/s) |",
        pool_time.as_secs_f64(),
        rate(pooled, pool_time)
    );
    println!(
        "| a durable command afterwards | {:.1} ms |",
        command.as_secs_f64() * 1e3
    );
}
