//! Figures for `jiban serve`: a real server (in this process, on its own tokio runtime) on a temp
//! Unix socket over a real sled store in the system temp dir (`$TMPDIR` or `/tmp`), fsynced once
//! per group commit. Every client is a real `jiban::client::Client` on the socket. This process's
//! OS user is mapped to the `trainer` login, and the writers act as `ls_dispatch`, running
//! `accept` on distinct Laoshan cases in triage (taken in beforehand, untimed), so every command
//! succeeds.
//!
//! 1. Event fan-out: 50 clients connected with `events: true`, each with a thread draining its
//!    `Feed`. One writer runs 1,000 commands one at a time; for each (command, event client) pair
//!    the time from just before `execute()` to the moment that client's feed hands over the event
//!    (matched on case id and `entry.seq`). Prints p50 / p99 / max over all pairs (goal: p99 ≤ 50
//!    ms) and the writer's own ack latency.
//! 2. Throughput: 1, 8 and 50 writers, each its own connection and thread on its own cases, for
//!    3 s each (or until their cases run out), first with the 50 event clients connected, then
//!    without. Prints commands/s, ack p50/p99, commands per flush (`Engine::flush_count`) and how
//!    many of the events reached the event clients.
//!
//! Run: `cargo bench --bench server` (a plain `main`, no criterion; about half a minute).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use jiban::client::{Client, ConnectError, ConnectOptions};
use jiban::domain::case::{CaseId, Category};
use jiban::domain::command::Command;
use jiban::domain::org::UnitId;
use jiban::engine::Engine;
use jiban::server::{serve, ServeOptions};
use jiban::service::{Feed, Service, Update};
#[path = "support/mod.rs"]
mod support;
use support::{fresh, take_in, Bench};

const EVENT_CLIENTS: usize = 50;
const WARM_UP: usize = 20;
const LATENCY_COMMANDS: usize = 1_000;
const WRITERS: [usize; 3] = [1, 8, 50];
/// How long each throughput run lasts at most.
const BUDGET: Duration = Duration::from_secs(3);
/// Cases set aside for each throughput run, shared out among its writers.
const RUN_CASES: usize = 20_000;
/// How long to wait for something that should happen before giving up on it.
const PATIENCE: Duration = Duration::from_secs(30);

/// Commands per flush: `commands` run since the store had done `before` flushes.
fn per_flush(engine: &Engine, before: u64, commands: usize) -> String {
    match engine.flush_count() - before {
        0 => "n/a".into(),
        f => format!("{:.2}", commands as f64 / f as f64),
    }
}

fn accept() -> Command {
    Command::Accept {
        province: false,
        category: Category::Development,
        kind: None,
        complex: false,
        matter: None,
    }
}

/// The bundled users.toml with this process's OS user mapped to `trainer`.
fn users_text() -> String {
    let me = jiban::server::socket::current_user().expect("this process has an OS user name");
    let text = jiban::fixtures::bundled().users;
    let marker = "login = \"trainer\"\n";
    let trainer = text.find(marker).expect("trainer in users.toml");
    let unit = "unit = \"city\"\n";
    let at = trainer + text[trainer..].find(unit).expect("trainer's unit") + unit.len();
    format!("{}os_user = \"{me}\"\n{}", &text[..at], &text[at..])
}

/// Connects (retrying while the socket is not there yet), as `act_as` when given.
fn connect(socket: &Path, act_as: Option<&str>, events: bool) -> Client {
    let until = Instant::now() + PATIENCE;
    loop {
        let options = ConnectOptions {
            role: "bench".into(),
            act_as: act_as.map(Into::into),
            events,
            reconnect: false,
        };
        match Client::connect(socket, options) {
            Ok(c) => return c,
            Err(ConnectError::Unreachable { .. }) if Instant::now() < until => {
                thread::sleep(Duration::from_millis(5));
            }
            Err(e) => panic!("connect: {e}"),
        }
    }
}

/// What the event clients' threads share.
#[derive(Default)]
struct Fanout {
    delivered: AtomicU64,
    resyncs: AtomicU64,
    recording: AtomicBool,
    stop: AtomicBool,
}

impl Fanout {
    /// Events delivered and resyncs so far.
    fn counts(&self) -> (u64, u64) {
        let delivered = self.delivered.load(Ordering::Acquire);
        (delivered, self.resyncs.load(Ordering::Relaxed))
    }
}

/// One event as one client's feed handed it over.
type Receipt = (CaseId, u64, Instant);

fn drain(_client: Client, mut feed: Feed, fanout: Arc<Fanout>, receipts: mpsc::Sender<Receipt>) {
    while !fanout.stop.load(Ordering::Relaxed) {
        match feed.next_timeout(Duration::from_millis(20)) {
            Some(Update::Committed(c)) => {
                let at = Instant::now();
                if fanout.recording.load(Ordering::Relaxed) {
                    let _ = receipts.send((c.entry.case.clone(), c.entry.seq, at));
                }
                fanout.delivered.fetch_add(1, Ordering::Release);
            }
            Some(Update::Resync) => {
                fanout.resyncs.fetch_add(1, Ordering::Relaxed);
            }
            Some(Update::Link(_)) | None => {}
        }
    }
}

/// Waits until `target` events were delivered, or none arrived for 2 s (a client was
/// resynchronised instead); returns when the count last moved.
fn settle(fanout: &Fanout, target: u64) -> Instant {
    let (mut seen, mut moved) = (fanout.delivered.load(Ordering::Acquire), Instant::now());
    while seen < target && moved.elapsed() < Duration::from_secs(2) {
        thread::sleep(Duration::from_millis(1));
        let now = fanout.delivered.load(Ordering::Acquire);
        if now != seen {
            (seen, moved) = (now, Instant::now());
        }
    }
    moved
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[Duration], q: f64) -> Duration {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn report(name: &str, mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    let p99 = percentile(&samples, 0.99);
    println!(
        "  {name:<24} n={:<6} p50 {:>9}  p99 {:>9}  max {:>9}",
        samples.len(),
        ms(percentile(&samples, 0.50)),
        ms(p99),
        ms(*samples.last().expect("samples")),
    );
    p99
}

/// Part 1: one writer, every event client timed on every command.
fn fan_out(
    engine: &Engine,
    socket: &Path,
    cases: &[CaseId],
    fanout: &Fanout,
    receipts: &mpsc::Receiver<Receipt>,
) {
    let writer = connect(socket, Some("ls_dispatch"), false);
    let accept = accept();
    let (delivered, _) = fanout.counts();
    let before = engine.flush_count();
    fanout.recording.store(true, Ordering::SeqCst);
    let mut sent: HashMap<(CaseId, u64), Instant> = HashMap::with_capacity(cases.len());
    let mut acks = Vec::with_capacity(cases.len());
    for (i, id) in cases.iter().enumerate() {
        let start = Instant::now();
        let entry = writer.execute(id, &accept, None).expect("accept");
        if i >= WARM_UP {
            acks.push(start.elapsed());
            sent.insert((entry.case, entry.seq), start);
        }
    }
    settle(fanout, delivered + (EVENT_CLIENTS * cases.len()) as u64);
    fanout.recording.store(false, Ordering::SeqCst);
    let latencies: Vec<Duration> = receipts
        .try_iter()
        .filter_map(|(case, seq, at)| sent.get(&(case, seq)).map(|s| at.duration_since(*s)))
        .collect();
    let expected = EVENT_CLIENTS * sent.len();
    println!(
        "event fan-out: {EVENT_CLIENTS} event clients, one writer, {} commands one at a time \
         (+{WARM_UP} untimed)",
        sent.len()
    );
    let p99 = report("event latency (pairs)", latencies.clone());
    report("writer ack", acks);
    println!(
        "  pairs received {}/{expected}, resyncs {}, commands per flush {}; goal p99 <= 50 ms: {}",
        latencies.len(),
        fanout.resyncs.load(Ordering::Relaxed),
        per_flush(engine, before, cases.len()),
        if p99 <= Duration::from_millis(50) && latencies.len() == expected {
            "met"
        } else {
            "NOT met"
        }
    );
}

/// Part 2: `writers` connections at once, each on its own share of `cases`; prints one row.
fn throughput(
    engine: &Engine,
    socket: &Path,
    writers: usize,
    cases: &[CaseId],
    fanout: Option<&Fanout>,
) {
    let barrier = Arc::new(Barrier::new(writers + 1));
    let handles: Vec<_> = cases
        .chunks(cases.len() / writers)
        .take(writers)
        .map(|share| {
            let client = connect(socket, Some("ls_dispatch"), false);
            let (share, barrier) = (share.to_vec(), barrier.clone());
            thread::spawn(move || {
                let accept = accept();
                barrier.wait();
                let deadline = Instant::now() + BUDGET;
                let mut acks = Vec::with_capacity(share.len());
                for id in &share {
                    if Instant::now() >= deadline {
                        break;
                    }
                    let start = Instant::now();
                    client.execute(id, &accept, None).expect("accept");
                    acks.push(start.elapsed());
                }
                (acks, Instant::now())
            })
        })
        .collect();
    let counts = fanout.map(Fanout::counts);
    let before = engine.flush_count();
    barrier.wait();
    let start = Instant::now();
    let mut acks = Vec::new();
    let mut last = start;
    for h in handles {
        let (a, done) = h.join().expect("writer thread");
        acks.extend(a);
        last = last.max(done);
    }
    let secs = last.duration_since(start).as_secs_f64();
    let flushed = per_flush(engine, before, acks.len());
    let events = fanout.zip(counts).map_or("-".into(), |(f, (d, r))| {
        let expected = (EVENT_CLIENTS * acks.len()) as u64;
        let lag = settle(f, d + expected).saturating_duration_since(last);
        let (got, resyncs) = f.counts();
        let (got, lag, resyncs) = (got - d, ms(lag), resyncs - r);
        format!("{got}/{expected}, last {lag} after the last ack, {resyncs} resyncs")
    });
    acks.sort();
    println!(
        "{writers:>7}  {:>6}  {:>8}  {secs:>5.2}  {:>10.0}  {:>9}  {:>9}  {flushed:>10}  {events}",
        if fanout.is_some() { EVENT_CLIENTS } else { 0 },
        acks.len(),
        acks.len() as f64 / secs,
        ms(percentile(&acks, 0.50)),
        ms(percentile(&acks, 0.99)),
    );
}

fn main() {
    let started = Instant::now();
    let Bench { mut engine, dir } = fresh();
    engine
        .replace_users("users.toml", &users_text())
        .expect("users.toml with this OS user as trainer");
    let total = WARM_UP + LATENCY_COMMANDS + 2 * WRITERS.len() * RUN_CASES;
    let intake = Instant::now();
    let ids = take_in(&engine, &[UnitId::new("laoshan")], total, 1000, &mut 0).0;
    let intake = intake.elapsed();
    let engine = Arc::new(engine);
    let socket: PathBuf = dir.path().join("jiban.sock");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = {
        let (engine, socket) = (engine.clone(), socket.clone());
        thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .expect("tokio runtime");
            rt.block_on(serve(engine, ServeOptions::at(socket), async {
                let _ = stopped.await;
            }))
        })
    };

    println!(
        "server bench: {} cores, sled store under {} (fsync per group commit), {total} cases \
         taken in beforehand in {:.1} s",
        thread::available_parallelism().map_or(0, |n| n.get()),
        dir.path().display(),
        intake.as_secs_f64()
    );
    let fanout = Arc::new(Fanout::default());
    let (receipts_tx, receipts) = mpsc::channel();
    let drainers: Vec<_> = (0..EVENT_CLIENTS)
        .map(|_| {
            let client = connect(&socket, None, true);
            let feed = client.subscribe();
            let (fanout, tx) = (fanout.clone(), receipts_tx.clone());
            thread::spawn(move || drain(client, feed, fanout, tx))
        })
        .collect();
    drop(receipts_tx);
    let (latency_cases, rest) = ids.split_at(WARM_UP + LATENCY_COMMANDS);
    fan_out(&engine, &socket, latency_cases, &fanout, &receipts);

    println!(
        "\nthroughput: each writer its own connection and thread, `accept` on its own cases, \
         {} s or {RUN_CASES} cases per run",
        BUDGET.as_secs()
    );
    println!(
        "writers  events  commands  secs   commands/s    ack p50    ack p99  cmds/flush  \
         events delivered"
    );
    let mut runs = rest.chunks(RUN_CASES);
    for (writers, run) in WRITERS.into_iter().zip(&mut runs) {
        throughput(&engine, &socket, writers, run, Some(&fanout));
    }
    // The event clients hang up before the runs without them.
    fanout.stop.store(true, Ordering::SeqCst);
    for d in drainers {
        d.join().expect("event client thread");
    }
    for (writers, run) in WRITERS.into_iter().zip(runs) {
        throughput(&engine, &socket, writers, run, None);
    }
    let _ = stop.send(());
    server
        .join()
        .expect("server thread")
        .expect("the server ran and stopped cleanly");
    drop(engine);
    drop(dir);
    println!("total run {:.1} s", started.elapsed().as_secs_f64());
}
