//! Latency percentiles of the durable path, which criterion does not report.
//!
//! On a temporary sled store (in the system temp dir, so `$TMPDIR` or `/tmp`) it takes in 2,000
//! cases at the Shinan platform (untimed), then times, interleaved one by one so both see the
//! same disk and the same background load:
//!
//! - 2,000 durable commands: `Engine::execute` of `accept` on a fresh case in triage (validate,
//!   one sled transaction, flush before returning);
//! - 2,000 bare fsyncs: append 256 bytes to a file in the same temp dir and `sync_data()`.
//!
//! It prints p50, p90, p99 and max of each, then bulk intake of 10,000 cases in batches of 1,000
//! (one transaction and one flush per batch) on a fresh store, as cases/s.
//!
//! Run: `cargo bench --bench durability` (a plain `main`, no criterion; well under a minute).

use std::fs::OpenOptions;
use std::io::Write;
use std::time::{Duration, Instant};

use jiban::domain::case::Category;
use jiban::domain::command::Command;
use jiban::domain::org::UnitId;
#[path = "support/mod.rs"]
mod support;
use support::{district_ids, fresh, take_in};

const COMMANDS: usize = 2_000;
const INTAKE_CASES: usize = 10_000;
const INTAKE_BATCH: usize = 1_000;

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[Duration], q: f64) -> Duration {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{name:<20} n={:<5} p50 {:>10}  p90 {:>10}  p99 {:>10}  max {:>10}",
        samples.len(),
        ms(percentile(&samples, 0.50)),
        ms(percentile(&samples, 0.90)),
        ms(percentile(&samples, 0.99)),
        ms(*samples.last().expect("samples")),
    );
}

fn main() {
    let started = Instant::now();
    let b = fresh();
    let engine = &b.engine;
    let (ids, _) = take_in(
        engine,
        &[UnitId::new("shinan")],
        COMMANDS,
        INTAKE_BATCH,
        &mut 0,
    );
    let dispatcher = engine.user("sn_dispatch").expect("sn_dispatch login");
    let accept = Command::Accept {
        province: false,
        category: Category::Development,
        kind: None,
        complex: false,
        matter: None,
    };
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(b.dir.path().join("fsync.bin"))
        .expect("open fsync file");
    let record = [0x5a_u8; 256];
    let mut commands = Vec::with_capacity(COMMANDS);
    let mut fsyncs = Vec::with_capacity(COMMANDS);
    for id in &ids {
        let start = Instant::now();
        engine
            .execute(&dispatcher, id, &accept, None)
            .expect("accept");
        commands.push(start.elapsed());
        let start = Instant::now();
        file.write_all(&record).expect("write");
        file.sync_data().expect("sync_data");
        fsyncs.push(start.elapsed());
    }
    println!("durability: temp store under {}", b.dir.path().display());
    report("durable command", commands);
    report("bare fsync", fsyncs);
    drop(b);

    let b = fresh();
    let districts = district_ids(&b.engine);
    let (ids, spent) = take_in(&b.engine, &districts, INTAKE_CASES, INTAKE_BATCH, &mut 0);
    assert_eq!(ids.len(), INTAKE_CASES);
    println!(
        "bulk intake          {INTAKE_CASES} cases in batches of {INTAKE_BATCH}: {:.3} s, {:.0} cases/s",
        spent.as_secs_f64(),
        INTAKE_CASES as f64 / spent.as_secs_f64()
    );
    println!("total run {:.1} s", started.elapsed().as_secs_f64());
}
