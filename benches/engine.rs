//! Criterion benchmarks of the engine on a temporary sled store (in the system temp dir, so
//! `$TMPDIR` or `/tmp`):
//!
//! - `durable/accept`: one `Engine::execute` of `accept` on a fresh case in triage (validate,
//!   one sled transaction, flush). The cases are taken in beforehand, outside the timing.
//! - `durable/bare_fsync`: append 256 bytes to a file in the same temp dir and `sync_data()`,
//!   the floor for anything that waits for the disk.
//! - `intake/{1,100,1000}`: one `Engine::intake` batch (one transaction, one flush), as cases/s.
//! - `read_10k/*`: the board's queries on a store of 10,000 cases spread over the ten districts,
//!   500 of Shinan's accepted and dispatched to one department: `list` by holder for the Shinan
//!   platform (~500 rows in triage) and for that department (500 rows with lights), and `counts`.
//!
//! Run: `cargo bench --bench engine`, or for a short run
//! `cargo bench --bench engine -- --warm-up-time 1 --measurement-time 3`.
//! Percentiles of the durable path are printed by `cargo bench --bench durability`.

use std::fs::OpenOptions;
use std::io::Write;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use jiban::domain::case::Category;
use jiban::domain::command::Command;
use jiban::domain::org::{Level, UnitId};
use jiban::domain::users::User;
use jiban::engine::query::CaseFilter;
#[path = "support/mod.rs"]
mod support;
use support::{district_ids, fresh, new_case, take_in};

fn accept() -> Command {
    Command::Accept {
        province: false,
        category: Category::Development,
        kind: None,
        complex: false,
        matter: None,
    }
}

fn durable(c: &mut Criterion) {
    let b = fresh();
    let engine = &b.engine;
    let shinan = [UnitId::new("shinan")];
    let dispatcher: User = engine.user("sn_dispatch").expect("sn_dispatch login");
    let accept = accept();
    let mut next = 0;
    let mut g = c.benchmark_group("durable");
    g.bench_function("accept", |bench| {
        bench.iter_custom(|iters| {
            let ids = take_in(engine, &shinan, iters as usize, 1000, &mut next).0;
            let start = Instant::now();
            for id in &ids {
                engine
                    .execute(&dispatcher, id, &accept, None)
                    .expect("accept");
            }
            start.elapsed()
        })
    });
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(b.dir.path().join("fsync.bin"))
        .expect("open fsync file");
    let record = [0x5a_u8; 256];
    g.bench_function("bare_fsync", |bench| {
        bench.iter(|| {
            file.write_all(&record).expect("write");
            file.sync_data().expect("sync_data");
        })
    });
    g.finish();
}

fn intake(c: &mut Criterion) {
    let mut g = c.benchmark_group("intake");
    for size in [1_usize, 100, 1000] {
        let b = fresh();
        let districts = district_ids(&b.engine);
        let admin = b.engine.administrator();
        let mut next = 0_u64;
        g.throughput(Throughput::Elements(size as u64));
        g.bench_with_input(BenchmarkId::from_parameter(size), &size, |bench, &size| {
            bench.iter_batched(
                || {
                    (0..size)
                        .map(|i| {
                            next += 1;
                            new_case(&districts[i % districts.len()], next)
                        })
                        .collect::<Vec<_>>()
                },
                |batch| b.engine.intake(&admin, batch).expect("intake"),
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();
}

fn read_10k(c: &mut Criterion) {
    let b = fresh();
    let engine = &b.engine;
    let org = &engine.config().org;
    let districts = district_ids(engine);
    let shinan = UnitId::new("shinan");
    let department = org
        .children(&shinan)
        .find(|u| u.level == Level::Department)
        .map(|u| u.id.clone())
        .expect("a Shinan department");
    let mut next = 0;
    let ids = take_in(engine, &districts, 10_000, 1000, &mut next).0;
    let dispatcher = engine.user("sn_dispatch").expect("sn_dispatch login");
    let (accept, dispatch) = (
        accept(),
        Command::Dispatch {
            to: department.clone(),
        },
    );
    let code = org.get(&shinan).and_then(|u| u.code.clone()).expect("code");
    let prefix = format!("{code}-");
    for id in ids
        .iter()
        .filter(|id| id.as_str().starts_with(&prefix))
        .take(500)
    {
        engine
            .execute(&dispatcher, id, &accept, None)
            .expect("accept");
        engine
            .execute(&dispatcher, id, &dispatch, None)
            .expect("dispatch");
    }
    assert_eq!(engine.case_count(), 10_000);
    let mut g = c.benchmark_group("read_10k");
    for (name, holder) in [("platform", &shinan), ("department", &department)] {
        let filter = CaseFilter {
            holder: Some(holder.clone()),
            ..CaseFilter::default()
        };
        let rows = engine.list(&filter).expect("list").len();
        assert!(rows >= 400, "{name} holds only {rows} cases");
        g.bench_function(BenchmarkId::new("list_holder", name), |bench| {
            bench.iter(|| engine.list(&filter).expect("list"))
        });
    }
    g.bench_function("counts", |bench| {
        bench.iter(|| engine.counts().expect("counts"))
    });
    g.finish();
}

criterion_group!(benches, durable, intake, read_10k);
criterion_main!(benches);
