//! Proof that an acknowledgement is preceded by a sync, made able to fail (issue #10, item 14).
//!
//! A SIGKILL leaves the kernel's page cache intact, so a crash test alone stays green with the
//! fsync removed. These tests therefore look from outside and inject faults:
//!
//! - **syscall order**: `strace -f` on a real `intake` and `act --batch`; every acknowledgement
//!   written to stdout must come after an `fdatasync` of the store's data file that follows the
//!   last write to it. With the failpoint `store-skip-sync` (acknowledge without flushing) the
//!   same check must report the violation.
//! - **a server killed between its group flush and its replies**: four writers take in cases
//!   through `jiban serve`; the server is SIGKILLed the moment a reply arrives (other replies of
//!   the same group still in flight); every acknowledged case must be there after a restart.
//!   With the failpoint `store-write-late` (the store is written 300 ms after the acknowledgement)
//!   the same harness must find lost acknowledgements. (Dropping only the sync cannot be caught
//!   by a kill, since the page cache survives it: that is what the syscall check is for.)
//!
//! Failpoints act only in test builds (the `failpoints` feature, on through the dev-dependency).
//! `strace` comes with Debian (`apt-get install strace`); without it the test fails saying so.
#![cfg(target_os = "linux")]

mod rng;
mod server_support;

use rng::Rng;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use jiban::service::Service;
use server_support::{Site, NOW};

const LINE: &str = r#"{"district":"laoshan","channel":"hotline","title":"杀进程测试","description":"d","requester":{"name":"李娜","phone":"13853215678"}}"#;

/// What `strace` saw, in order: (fd written or synced, kind).
#[derive(Debug, PartialEq)]
enum Call {
    /// `pwrite64`/`write` to sled's data file.
    StoreWrite,
    /// `fdatasync` of the data file (any descriptor of it): the store's own flush.
    Sync,
    /// A line written to stdout: an acknowledgement.
    Ack(String),
}

/// Runs `jiban args…` under `strace -f` with `env`; returns the calls that matter, in order.
fn traced(args: &[&str], env: &[(&str, &str)]) -> Vec<Call> {
    let dir = tempfile::tempdir().expect("tempdir");
    let trace = dir.path().join("trace");
    let out = Command::new("strace")
        .args([
            "-f",
            "-qq",
            "-s",
            "64",
            "-e",
            "trace=openat,pwrite64,write,fdatasync,fsync",
        ])
        .arg("-o")
        .arg(&trace)
        .arg(env!("CARGO_BIN_EXE_jiban"))
        .args(args)
        .envs(env.iter().copied())
        .env_remove("JIBAN_CONNECT")
        .output();
    let out = match out {
        Ok(o) => o,
        Err(e) => panic!(
            "this test observes syscalls with strace, which is not installed ({e}); on Debian: apt-get install strace"
        ),
    };
    assert!(out.status.success(), "{out:?}");
    let text = std::fs::read_to_string(&trace).expect("trace");
    parse(&text)
}

/// Joins the calls strace splits when another thread runs meanwhile
/// (`PID fdatasync(5 <unfinished ...>` … `PID <... fdatasync resumed>) = 0`) into one line per
/// call, placed where the call completed.
fn whole_calls(text: &str) -> Vec<String> {
    let mut pending: std::collections::HashMap<String, String> = Default::default();
    let mut out = Vec::new();
    for line in text.lines() {
        let Some((pid, rest)) = line.split_once(' ') else {
            continue;
        };
        let rest = rest.trim_start();
        if let Some(head) = rest.strip_suffix("<unfinished ...>") {
            pending.insert(pid.to_string(), head.trim_end().to_string());
        } else if let Some((_, tail)) = rest.split_once(" resumed>") {
            let head = pending.remove(pid).unwrap_or_default();
            out.push(format!("{pid} {head}{tail}"));
        } else {
            out.push(line.to_string());
        }
    }
    out
}

/// Parses strace lines (`PID call(args) = result`).
fn parse(text: &str) -> Vec<Call> {
    let mut data_fds: BTreeSet<String> = BTreeSet::new();
    let mut calls = Vec::new();
    for line in whole_calls(text) {
        let Some((_, rest)) = line.split_once(' ') else {
            continue;
        };
        let rest = rest.trim_start();
        let result = rest.rsplit_once("= ").map(|(_, r)| r.trim());
        let ok = result.is_some_and(|r| !r.starts_with('-'));
        let fd = rest
            .split_once('(')
            .and_then(|(_, a)| a.split([',', ')']).next())
            .unwrap_or("")
            .to_string();
        if rest.starts_with("openat(") && rest.contains("/db\"") && ok {
            if let Some(r) = result {
                data_fds.insert(r.to_string());
            }
        } else if (rest.starts_with("pwrite64(") || rest.starts_with("write("))
            && data_fds.contains(&fd)
        {
            calls.push(Call::StoreWrite);
        } else if rest.starts_with("fdatasync(") && data_fds.contains(&fd) && ok {
            // Only jiban's own `sync_data` counts: sled `fsync`s the file when it opens it,
            // which says nothing of what the command wrote afterwards (with the sync dropped
            // and nothing yet written, that earlier fsync made the check pass).
            calls.push(Call::Sync);
        } else if rest.starts_with("write(1,") && ok {
            calls.push(Call::Ack(rest.to_string()));
        }
    }
    calls
}

/// Every acknowledgement must follow a sync that follows the last store write before it.
fn violations(calls: &[Call]) -> Vec<String> {
    let mut synced = true;
    let mut wrote = false;
    let mut out = Vec::new();
    for c in calls {
        match c {
            Call::StoreWrite => {
                synced = false;
                wrote = true;
            }
            Call::Sync => synced = true,
            Call::Ack(line) if !(synced && wrote) => {
                out.push(format!("acknowledged before a sync: {line}"))
            }
            Call::Ack(_) => {}
        }
    }
    out
}

fn store_with_case() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("s");
    let d = data.to_str().expect("path").to_string();
    let out = server_support::jiban(&["--data", &d, "--now", NOW, "init"]);
    assert!(out.status.success(), "{out:?}");
    (dir, d)
}

fn intake_file(dir: &Path, n: usize) -> String {
    let file = dir.join("in.jsonl");
    let line = r#"{"district":"laoshan","channel":"hotline","title":"同步测试","description":"d","requester":{"name":"李娜","phone":"13853215678"}}"#;
    std::fs::write(&file, format!("{line}\n").repeat(n)).expect("write");
    file.to_str().expect("path").to_string()
}

#[test]
fn calls_strace_split_between_threads_are_joined_where_they_complete() {
    let text = "7 openat(AT_FDCWD, \"/s/db\", O_RDWR|O_CREAT <unfinished ...>\n\
                8 write(1, \"x\", 1) = 1\n\
                7 <... openat resumed>) = 5\n\
                7 pwrite64(5, \"d\", 1, 0) = 1\n\
                9 fdatasync(5 <unfinished ...>\n\
                7 write(1, \"early\", 5) = 5\n\
                9 <... fdatasync resumed>) = 0\n\
                7 write(1, \"late\", 4) = 4\n";
    let calls = parse(text);
    assert_eq!(
        calls,
        [
            Call::Ack("write(1, \"x\", 1) = 1".into()),
            Call::StoreWrite,
            Call::Ack("write(1, \"early\", 5) = 5".into()),
            Call::Sync,
            Call::Ack("write(1, \"late\", 4) = 4".into()),
        ]
    );
    // The acknowledgement written while the sync was still running is caught; the one after
    // is not.
    assert_eq!(violations(&calls).len(), 2);
    assert!(violations(&calls)[1].contains("early"));
}

#[test]
fn every_acknowledgement_follows_a_sync_of_the_store_seen_by_strace() {
    let (dir, data) = store_with_case();
    let file = intake_file(dir.path(), 5);
    let calls = traced(&["--data", &data, "--now", NOW, "intake", &file], &[]);
    let acks = calls.iter().filter(|c| matches!(c, Call::Ack(_))).count();
    assert_eq!(acks, 5, "{calls:?}");
    assert_eq!(violations(&calls), Vec::<String>::new());
    // `act --batch`: each answered line too.
    let id = String::from("LS-20261123-0001");
    let batch = dir.path().join("b.jsonl");
    std::fs::write(
        &batch,
        format!("{{\"case\":\"{id}\",\"command\":\"accept\",\"options\":{{\"category\":\"livelihood\"}}}}\n"),
    )
    .expect("write");
    let calls = traced(
        &[
            "--data",
            &data,
            "--now",
            NOW,
            "act",
            "--batch",
            batch.to_str().expect("path"),
        ],
        &[],
    );
    assert!(calls.iter().any(|c| matches!(c, Call::Ack(_))), "{calls:?}");
    assert_eq!(violations(&calls), Vec::<String>::new());
}

#[test]
fn the_syscall_check_catches_an_acknowledgement_without_a_sync() {
    let (dir, data) = store_with_case();
    let file = intake_file(dir.path(), 3);
    let calls = traced(
        &["--data", &data, "--now", NOW, "intake", &file],
        // sled's own timer would sometimes flush between the write and the answer and hide
        // the missing sync: it is stopped too.
        &[(
            "FAILPOINTS",
            "store-skip-sync=return;store-no-background-flush=return",
        )],
    );
    assert!(
        !violations(&calls).is_empty(),
        "with the sync dropped the check must fail: {calls:?}"
    );
}

/// An acknowledgement: the case, the history seq acknowledged, and (for an intake) its title.
type Ack = (String, u64, String);

/// One writer's work: take in a case, then accept, dispatch and extension requests and denials
/// on it (commands go through the server's group commit), then the next case. Every
/// acknowledgement is sent as (case, history seq) until the server dies.
fn writer(client: jiban::client::Client, tx: mpsc::Sender<Ack>, commands: bool) {
    use jiban::domain::case::{CaseId, Category};
    use jiban::domain::command::Command;
    let to = jiban::domain::org::UnitId::new("laoshan.zhonghan.zhangcun");
    loop {
        static TITLES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = TITLES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let title = format!("杀进程测试 {n}");
        let line = LINE.replace("杀进程测试", &title);
        let case =
            jiban::domain::intake::parse_line(1, &line, &client.config().org).expect("intake line");
        let Ok(outcomes) = client.intake(vec![case]) else {
            return; // the server was killed
        };
        let Some(jiban::engine::IntakeOutcome::Created(id)) = outcomes.into_iter().next() else {
            return;
        };
        if tx.send((id.to_string(), 1, title)).is_err() {
            return;
        }
        if !commands {
            continue;
        }
        let mut commands = vec![
            Command::Accept {
                province: false,
                category: Category::Livelihood,
                kind: None,
                complex: false,
                matter: None,
            },
            Command::Dispatch { to: to.clone() },
        ];
        for _ in 0..3 {
            commands.push(Command::Extend {
                days: 1,
                reason: "核实".into(),
            });
            commands.push(Command::DenyExtension);
        }
        for c in commands {
            match client.execute(&CaseId(id.to_string()), &c, None) {
                Ok(entry) => {
                    if tx.send((id.to_string(), entry.seq, String::new())).is_err() {
                        return;
                    }
                }
                Err(_) => return,
            }
        }
    }
}

/// Cycles of: four writers through the server; a SIGKILL the moment the `kill_after`-th reply
/// arrives (the rest of its group's replies still in flight); a restart; every acknowledgement
/// looked up. Returns (acknowledged, lost).
fn server_kill_cycles(
    cycles: usize,
    env: &[(&str, &str)],
    seed: u64,
    commands: bool,
) -> (usize, Vec<String>) {
    let mut rng = Rng(seed);
    let mut site = Site::new_with(Some("trainer"), env, |_| {});
    // Per case: the highest seq acknowledged, and every title acknowledged under its id (two
    // titles under one id means an id was given twice).
    let mut acked: BTreeMap<String, (u64, Vec<String>)> = BTreeMap::new();
    let mut count = 0;
    for _ in 0..cycles {
        site.start();
        let kill_after = rng.range(3, 60) as usize;
        let (tx, rx) = mpsc::channel::<Ack>();
        let writers: Vec<_> = (0..4)
            .map(|_| {
                let (client, tx) = (site.client(None, false), tx.clone());
                std::thread::spawn(move || writer(client, tx, commands))
            })
            .collect();
        drop(tx);
        let mut note = |(id, seq, title): Ack| {
            count += 1;
            let (top, titles) = acked.entry(id).or_default();
            *top = (*top).max(seq);
            if !title.is_empty() {
                titles.push(title);
            }
        };
        let mut got = 0;
        let deadline = Instant::now() + Duration::from_secs(60);
        while got < kill_after && Instant::now() < deadline {
            match rx.recv_timeout(Duration::from_secs(10)) {
                Ok(ack) => {
                    note(ack);
                    got += 1;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
        }
        site.stop_with(libc::SIGKILL);
        for w in writers {
            let _ = w.join();
        }
        rx.try_iter().for_each(&mut note);
    }
    site.start();
    let client = site.client(None, false);
    let mut lost = Vec::new();
    for (id, (seq, titles)) in &acked {
        match client.show(id) {
            Ok(view) if view.case.version < *seq => lost.push(format!(
                "{id}: seq {seq} acknowledged, version {}",
                view.case.version
            )),
            Ok(view) => {
                for t in titles.iter().filter(|t| **t != view.case.title) {
                    lost.push(format!(
                        "{id}: {t:?} acknowledged, {:?} stored",
                        view.case.title
                    ));
                }
            }
            Err(e) => lost.push(format!("{id}: {e}")),
        }
    }
    (count, lost)
}

/// Cycles from `JIBAN_SERVER_CRASH_CYCLES` (default `default`; `scripts/crash-soak.sh` runs 1,000).
fn cycles(default: usize) -> usize {
    std::env::var("JIBAN_SERVER_CRASH_CYCLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn seed() -> u64 {
    std::env::var("JIBAN_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64 | 1)
        })
}

#[test]
fn a_server_killed_between_its_flush_and_its_replies_loses_nothing_acknowledged() {
    let seed = seed();
    eprintln!("server crash: seed {seed} (JIBAN_CRASH_SEED replays it)");
    let n = cycles(8);
    let (acked, lost) = server_kill_cycles(n, &[], seed, true);
    eprintln!(
        "server crash summary: cycles={n} writers=4 acknowledged={acked} lost={} seed={seed}",
        lost.len()
    );
    assert!(acked > 0);
    assert!(
        lost.is_empty(),
        "seed {seed}: acknowledged but lost: {lost:?}"
    );
}

#[test]
fn the_server_crash_test_goes_red_when_acknowledgements_come_early() {
    let seed = seed();
    // Intake only: a command on a case written late would find no case.
    let failpoint = [("FAILPOINTS", "store-write-late=return")];
    let (acked, lost) = server_kill_cycles(4, &failpoint, seed, false);
    eprintln!(
        "server crash, early acks: acknowledged={acked} lost={} seed={seed}: {:?}",
        lost.len(),
        lost.iter().take(4).collect::<Vec<_>>()
    );
    assert!(
        !lost.is_empty(),
        "seed {seed}: with acknowledgements before the write, {acked} all survived; the harness cannot fail"
    );
}

#[test]
fn sleds_own_fsync_at_open_does_not_count_as_the_commands_sync() {
    // What CI saw with the sync dropped: sled wrote and fsynced the file as it opened it, and
    // the command's own writes were still in sled's buffers when the answers went out.
    let text = "7 openat(AT_FDCWD, \"/s/db\", O_RDWR|O_CREAT, 0666) = 4\n\
                7 pwrite64(4, \"z\", 1, 0) = 1\n\
                7 fsync(4) = 0\n\
                7 write(1, \"LS-1\\n\", 5) = 5\n\
                8 pwrite64(4, \"d\", 1, 1) = 1\n\
                7 fsync(4) = 0\n";
    let calls = parse(text);
    assert_eq!(violations(&calls).len(), 1, "{calls:?}");
}
