//! A city's year in one store (issue #9): builds a store of `SCALE_CASES` cases (default
//! 1,000,000) of which `SCALE_OPEN` (default 100,000) are open, then measures the release binary
//! as a command centre uses it and prints each figure beside its goal.
//!
//! `cargo bench --bench scale` (CI does not run it). The built store is kept under
//! `target/scale/` and reused by later runs of the same size; `SCALE_BOARDS` (default 50) boards
//! connect to one server for its memory; `SCALE_INTAKE` (default `SCALE_CASES`) lines go through
//! one `jiban intake` into a fresh store.

#[path = "../tests/pty_support/mod.rs"]
mod pty_support;
mod support;

use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use jiban::domain::case::{CaseId, Category, Kind, Resolution, Satisfaction};
use jiban::domain::clock::SimulatedClock;
use jiban::domain::command::Command as Act;
use jiban::domain::intake::NewCase;
use jiban::domain::org::UnitId;
use jiban::engine::{Engine, IntakeOutcome, Submitted};

const BIN: &str = env!("CARGO_BIN_EXE_jiban");
const NOW: &str = "2026-11-23T09:00:00+08:00";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(NOW)
        .expect("time")
        .with_timezone(&Utc)
}

fn mb(kb: u64) -> String {
    format!("{:.0} MB", kb as f64 / 1024.0)
}

fn ms(d: Duration) -> String {
    if d >= Duration::from_secs(1) {
        format!("{:.2} s", d.as_secs_f64())
    } else {
        format!("{:.1} ms", d.as_secs_f64() * 1000.0)
    }
}

/// VmRSS and VmHWM of a live process, in KiB.
fn rss(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Runs the binary to the end: wall time, peak RSS (KiB, from wait4) and stdout.
fn run(args: &[&str], stdin: Option<&Path>) -> (Duration, u64, String) {
    let start = Instant::now();
    let mut child = Command::new(BIN)
        .args(args)
        .env_remove("JIBAN_CONNECT")
        .stdin(match stdin {
            Some(p) => Stdio::from(std::fs::File::open(p).expect("stdin file")),
            None => Stdio::null(),
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn jiban");
    let mut out = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let mut status = 0;
    // SAFETY: rusage is a plain struct that wait4 fills.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child.
    unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    let took = start.elapsed();
    // Already reaped by wait4; this only settles the handle.
    let _ = child.wait();
    let stdout = reader.join().unwrap_or_default();
    (took, usage.ru_maxrss as u64, stdout)
}

/// The benches' plausible case, received at `received`.
fn case(district: &UnitId, n: u64, received: DateTime<Utc>) -> NewCase {
    NewCase {
        received_at: Some(received),
        ..support::new_case(district, n)
    }
}

/// The commands that take a case from triage to `steps` further (closed after all six).
fn walk(to: &UnitId, steps: usize, evaluation: usize) -> Vec<Act> {
    let all = vec![
        Act::Accept {
            province: false,
            category: Category::Livelihood,
            kind: Some(Kind::Complaint),
            complex: false,
            matter: None,
        },
        Act::Dispatch { to: to.clone() },
        Act::Sign,
        Act::Reply {
            result: "已维修".into(),
            basis: "《城市照明管理规定》".into(),
            person: "李工".into(),
            phone: "0532-88886666".into(),
        },
        Act::ApproveReply,
        Act::Evaluate {
            satisfaction: [Satisfaction::Satisfied, Satisfaction::Basic][evaluation % 2],
            resolution: [Resolution::Resolved, Resolution::Basic][evaluation / 2 % 2],
        },
    ];
    all.into_iter().take(steps).collect()
}

/// Builds (or reuses) the store: `total` cases received over the year before [`NOW`], all but
/// `open` of them walked to closed, the open ones spread over triage … evaluation.
fn build_store(path: &Path, total: usize, open: usize) -> Duration {
    let marker = path.join("built");
    if marker.exists() {
        println!("reusing the store at {}", path.display());
        return Duration::ZERO;
    }
    let _ = std::fs::remove_dir_all(path);
    let start = Instant::now();
    let clock = Arc::new(SimulatedClock::fixed(now()));
    let engine = Engine::init(path, &jiban::fixtures::bundled(), clock.clone()).expect("init");
    let admin = engine.administrator();
    let districts: Vec<UnitId> = engine
        .config()
        .org
        .districts()
        .map(|u| u.id.clone())
        .collect();
    let year = chrono::Duration::days(365);
    // Where each district's livelihood cases go first: asked of one probe case per district,
    // which is then rejected (ten cases beyond the count).
    let probes: Vec<NewCase> = districts
        .iter()
        .enumerate()
        .map(|(i, d)| case(d, 9_000_000_000 + i as u64, now() - year))
        .collect();
    let mut targets: std::collections::HashMap<UnitId, UnitId> = Default::default();
    for (o, d) in engine
        .intake(&admin, probes)
        .expect("probes")
        .into_iter()
        .zip(&districts)
    {
        let IntakeOutcome::Created(id) = o else {
            panic!("probe not created")
        };
        engine
            .execute(&admin, &id, &walk(d, 1, 0)[0], None)
            .expect("accept probe");
        let t = engine.route_targets(id.as_str(), false).expect("targets");
        targets.insert(d.clone(), t.into_iter().next().expect("a target"));
        let reject = Act::Reject {
            reason: 7,
            note: "probe".into(),
        };
        let _ = engine.execute(&admin, &id, &reject, None);
    }
    let mut done = 0usize;
    // Small enough that the open cases arrive over at least 20 batches (20 days).
    let batch = (open / 20).clamp(1, 1000);
    let (mut intake_time, mut walk_time) = (Duration::ZERO, Duration::ZERO);
    while done < total {
        let n = batch.min(total - done);
        // Finished cases first (received over the year), then the open ones (the last 20 days).
        let cases: Vec<NewCase> = (done..done + n)
            .map(|i| {
                let received = if i < total - open {
                    now() - year + year * (i as i32) / (total as i32)
                } else {
                    now() - chrono::Duration::minutes(((total - i) as i64 * 28_800) / open as i64)
                };
                case(&districts[i % districts.len()], i as u64, received)
            })
            .collect();
        // The platform works the batch an hour after its last case arrived.
        let last = cases
            .iter()
            .filter_map(|c| c.received_at)
            .max()
            .unwrap_or_else(now);
        clock.set(last + chrono::Duration::hours(1));
        let t0 = Instant::now();
        let ids: Vec<(CaseId, UnitId)> = engine
            .intake(&admin, cases)
            .expect("intake")
            .into_iter()
            .zip(done..)
            .map(|(o, i)| match o {
                IntakeOutcome::Created(id) => (id, districts[i % districts.len()].clone()),
                IntakeOutcome::Duplicate(id) => panic!("duplicate {id}"),
            })
            .collect();
        let mut commands: Vec<Vec<Submitted>> = vec![Vec::new(); 6];
        for (k, (id, district)) in ids.iter().enumerate() {
            let i = done + k;
            let to = targets[district].clone();
            let steps = if i < total - open { 6 } else { (i % 6).min(5) };
            for (s, cmd) in walk(&to, steps, i).into_iter().enumerate() {
                commands[s].push(Submitted {
                    operator: admin.clone(),
                    case: id.clone(),
                    command: cmd,
                    expected_version: None,
                });
            }
        }
        intake_time += t0.elapsed();
        let t0 = Instant::now();
        for step in commands {
            for group in step.chunks(512) {
                for r in engine.execute_many(group) {
                    r.expect("walk");
                }
            }
        }
        walk_time += t0.elapsed();
        done += n;
        if done.is_multiple_of(50_000) || done == total {
            println!(
                "  built {done} cases in {:.0} s (intake {:.0} s, commands {:.0} s)",
                start.elapsed().as_secs_f64(),
                intake_time.as_secs_f64(),
                walk_time.as_secs_f64()
            );
        }
    }
    clock.set(now());
    engine.flush().expect("flush");
    drop(engine);
    std::fs::write(&marker, b"").expect("marker");
    start.elapsed()
}

/// The bytes of every key and value in the store (what it would take written once, packed).
fn logical_bytes(path: &Path) -> u64 {
    let live = jiban::store::compact::live_dir(path).expect("the live folder");
    let db = sled::Config::new()
        .path(live)
        .cache_capacity(32 << 20)
        .open()
        .expect("open sled");
    let mut total = 0u64;
    for name in db.tree_names() {
        let tree = db.open_tree(&name).expect("tree");
        for kv in tree.iter() {
            let (k, v) = kv.expect("kv");
            total += (k.len() + v.len()) as u64;
        }
    }
    total
}

fn disk_bytes(path: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let Ok(m) = e.metadata() else { continue };
            if m.is_dir() {
                stack.push(e.path());
            } else {
                use std::os::unix::fs::MetadataExt;
                total += m.blocks() * 512;
            }
        }
    }
    total
}

fn users_file(dir: &Path) -> PathBuf {
    let me = jiban::server::socket::current_user().expect("a user name");
    let text = jiban::fixtures::bundled().users;
    let marker = "login = \"trainer\"\n";
    let at = text.find(marker).expect("trainer login") + marker.len();
    let file = dir.join("users.toml");
    std::fs::write(
        &file,
        format!("{}os_user = \"{me}\"\n{}", &text[..at], &text[at..]),
    )
    .expect("users");
    file
}

/// Opens a board in a pseudo-terminal and waits for its first frame with case rows.
fn board_first_frame(args: &[&str]) -> (pty_support::Session, Duration) {
    let start = Instant::now();
    let s = pty_support::Session::spawn(args, &[]);
    s.term.wait_for("a frame with case rows", 300, |screen| {
        screen.contents().contains("-2026")
    });
    (s, start.elapsed())
}

/// Ends a board and waits until it has exited (it holds the store while it runs).
fn stop(mut s: pty_support::Session) {
    let _ = s.child.kill();
    let _ = s.child.wait();
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let total = env_usize("SCALE_CASES", 1_000_000);
    let open = env_usize("SCALE_OPEN", total / 10);
    let boards = env_usize("SCALE_BOARDS", 50);
    let intake_lines = env_usize("SCALE_INTAKE", total);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/scale");
    std::fs::create_dir_all(&root).expect("target/scale");
    let store = root.join(format!("store-{total}-{open}"));
    let data = store.to_str().expect("path").to_string();
    println!("# jiban at {total} stored cases, {open} open");
    let built = build_store(&store, total, open);
    if built > Duration::ZERO {
        println!("built in {:.0} s", built.as_secs_f64());
    }
    let mut rows: Vec<(String, String, &str)> = Vec::new();

    // The board, embedded.
    let (session, took) = board_first_frame(&["--data", &data, "--now", NOW, "board"]);
    let pid = session.child.process_id().expect("pid");
    std::thread::sleep(Duration::from_millis(500));
    let (now_kb, peak_kb) = rss(pid);
    rows.push((
        "`jiban board` to the first frame with case rows".into(),
        format!("{}, RSS {} (peak {})", ms(took), mb(now_kb), mb(peak_kb)),
        "≤ 1 s, ≤ 50 MB",
    ));
    stop(session);

    // Any CLI command, and the red list.
    let red = [
        "--data", &data, "--now", NOW, "cases", "--json", "--light", "red", "--limit", "1000",
    ];
    let (took, peak, out) = run(&red, None);
    let n = serde_json::from_str::<Vec<serde_json::Value>>(&out)
        .map(|v| v.len())
        .unwrap_or(0);
    rows.push((
        format!("`cases --json --light red --limit 1000` ({n} rows)"),
        format!("{}, peak RSS {}", ms(took), mb(peak)),
        "≤ 100 ms for 1,000 rows",
    ));
    let some_id = serde_json::from_str::<Vec<serde_json::Value>>(&out)
        .ok()
        .and_then(|v| v.first().and_then(|c| c["id"].as_str().map(str::to_string)))
        .unwrap_or_default();
    let (took, peak, _) = run(&["--data", &data, "--now", NOW, "show", &some_id], None);
    rows.push((
        "any CLI command (`show`, store open)".into(),
        format!("{}, peak RSS {}", ms(took), mb(peak)),
        "≤ 30 ms, ≤ 30 MB",
    ));
    // Embedded `act`: extensions asked and denied on one red case, one process each.
    let acts_n: u32 = 10;
    let start = Instant::now();
    for i in 0..acts_n {
        let args: Vec<&str> = if i.is_multiple_of(2) {
            vec![
                "--data", &data, "--now", NOW, "act", &some_id, "extend", "--days", "1",
                "--reason", "协调",
            ]
        } else {
            vec![
                "--data",
                &data,
                "--now",
                NOW,
                "act",
                &some_id,
                "deny-extension",
            ]
        };
        run(&args, None);
    }
    rows.push((
        "embedded `act`, one process per command".into(),
        format!(
            "{:.1} per second",
            f64::from(acts_n) / start.elapsed().as_secs_f64()
        ),
        "(each ≤ 30 ms)",
    ));

    // Durable command latency against a bare fsync, in process.
    {
        let clock = Arc::new(SimulatedClock::fixed(now()));
        let engine = Engine::open(&store, clock).expect("open");
        let admin = engine.administrator();
        let id = CaseId(some_id.clone());
        let mut lat = Vec::new();
        for i in 0..1000u32 {
            let cmd = if i.is_multiple_of(2) {
                Act::Extend {
                    days: 1,
                    reason: "协调".into(),
                }
            } else {
                Act::DenyExtension
            };
            let t = Instant::now();
            engine.execute(&admin, &id, &cmd, None).expect("command");
            lat.push(t.elapsed());
        }
        let mut fsync = Vec::new();
        let mut f = std::fs::File::create(store.join("fsync-probe")).expect("probe");
        for _ in 0..1000 {
            let t = Instant::now();
            f.write_all(&[0u8; 128]).expect("write");
            f.sync_data().expect("fsync");
            fsync.push(t.elapsed());
        }
        let _ = std::fs::remove_file(store.join("fsync-probe"));
        // Searching finished cases, and the header's counts, in process.
        for text in ["第12345号", "QD0000123456", "LS-2026"] {
            let t = Instant::now();
            let found = engine.find_finished(text, 200).expect("search").len();
            rows.push((
                format!("search finished cases for {text:?} ({found} found)"),
                ms(t.elapsed()),
                "a page, from an index",
            ));
        }
        let t = Instant::now();
        let counts = engine.counts().expect("counts");
        rows.push((
            format!(
                "`counts()` for the tree and header ({} units)",
                counts.len()
            ),
            ms(t.elapsed()),
            "kept by the engine, no scan",
        ));
        lat.sort();
        fsync.sort();
        rows.push((
            "durable command latency vs bare fsync (p50 / p99)".into(),
            format!(
                "{} / {} vs {} / {}: p99 {:.1}×",
                ms(percentile(&lat, 0.5)),
                ms(percentile(&lat, 0.99)),
                ms(percentile(&fsync, 0.5)),
                ms(percentile(&fsync, 0.99)),
                percentile(&lat, 0.99).as_secs_f64() / percentile(&fsync, 0.99).as_secs_f64()
            ),
            "≤ 3×",
        ));
    }

    // Disk against what the store holds.
    let logical = logical_bytes(&store);
    let disk = disk_bytes(&store);
    rows.push((
        format!(
            "disk after building ({:.1} M commands)",
            (total as f64 * 6.0 - open as f64 * 3.5) / 1e6
        ),
        format!(
            "{:.0} MB on disk, {:.0} MB logical: {:.1}×",
            disk as f64 / 1e6,
            logical as f64 / 1e6,
            disk as f64 / logical as f64
        ),
        "≤ 3×",
    ));

    // The server with boards connected.
    let work = tempfile::tempdir().expect("tempdir");
    let socket = work.path().join("jiban.sock");
    let users = users_file(work.path());
    let mut server = Command::new(BIN)
        .args(["--data", &data, "--now", NOW, "serve", "--socket"])
        .arg(&socket)
        .arg("--users")
        .arg(&users)
        .arg("--log")
        .arg(work.path().join("server.log"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve");
    let err = server.stderr.take().expect("stderr");
    std::thread::spawn(move || for _ in std::io::BufReader::new(err).lines() {});
    let deadline = Instant::now() + Duration::from_secs(120);
    while std::os::unix::net::UnixStream::connect(&socket).is_err() {
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let (server_start_kb, _) = rss(server.id());
    let sock = socket.to_str().expect("path").to_string();
    let mut sessions = Vec::new();
    let (first, took) = board_first_frame(&["--connect", &sock, "board"]);
    let (board_kb, _) = rss(first.child.process_id().expect("pid"));
    sessions.push(first);
    rows.push((
        "`jiban board --connect` to the first frame".into(),
        format!("{}, board RSS {}", ms(took), mb(board_kb)),
        "≤ 1 s",
    ));
    let start = Instant::now();
    for _ in 1..boards {
        sessions.push(board_first_frame(&["--connect", &sock, "board"]).0);
    }
    let all_took = start.elapsed();
    std::thread::sleep(Duration::from_millis(500));
    let (server_kb, server_peak) = rss(server.id());
    rows.push((
        format!("server with {boards} boards connected"),
        format!(
            "{} → {} (peak {}); {} more boards drawn in {}",
            mb(server_start_kb),
            mb(server_kb),
            mb(server_peak),
            boards - 1,
            ms(all_took)
        ),
        "≤ 200 MB with 50 boards",
    ));
    for s in sessions {
        stop(s);
    }
    // SAFETY: signals our own child.
    unsafe { libc::kill(server.id() as i32, libc::SIGTERM) };
    let _ = server.wait();

    // One intake file of SCALE_INTAKE lines into a fresh store.
    let fresh = work.path().join("fresh");
    let fresh_data = fresh.to_str().expect("path").to_string();
    run(&["--data", &fresh_data, "--now", NOW, "init"], None);
    let file = work.path().join("intake.jsonl");
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&file).expect("file"));
        let districts = [
            "shinan",
            "shibei",
            "licang",
            "laoshan",
            "huangdao",
            "chengyang",
            "jimo",
            "jiaozhou",
            "pingdu",
            "laixi",
        ];
        for i in 0..intake_lines {
            let received = now() - chrono::Duration::seconds((intake_lines - i) as i64 * 20);
            writeln!(
                w,
                r#"{{"district":"{}","channel":"hotline","title":"小区路灯损坏夜间无照明（第{i}号）","description":"小区内多盏路灯损坏，夜间出行不便，请尽快维修。","requester":{{"name":"王女士","phone":"139{:08}"}},"received_at":"{}","external_id":"QD{i:010}"}}"#,
                districts[i % districts.len()],
                i % 100_000_000,
                received.to_rfc3339()
            )
            .expect("write");
        }
    }
    let (took, peak, out) = run(
        &["--data", &fresh_data, "--now", NOW, "intake", "-"],
        Some(&file),
    );
    let stored = out.lines().count();
    rows.push((
        format!("`intake` of one {intake_lines}-line file with work-order numbers"),
        format!(
            "{} ({:.0} cases/s, {stored} stored), peak RSS {}",
            ms(took),
            stored as f64 / took.as_secs_f64(),
            mb(peak)
        ),
        "≥ 20,000 cases/s, RSS ≤ 300 MB",
    ));

    println!("\n| at {total} stored cases ({open} open) | measured | goal |\n| --- | --- | --- |");
    for (what, got, goal) in rows {
        println!("| {what} | {got} | {goal} |");
    }
}
