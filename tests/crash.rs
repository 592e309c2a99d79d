//! Crash test: a command is acknowledged only after sled has flushed it, so everything the CLI
//! acknowledged must survive a SIGKILL. A `sh` loop runs the real binary once per command (intake,
//! then the lifecycle up to closing); the test SIGKILLs its whole process group at a random moment,
//! reopens the store, checks every acknowledged case and history entry, and resumes the interrupted
//! case from what the store holds. `JIBAN_CRASH_CYCLES` (default 20) cycles on one store;
//! `JIBAN_CRASH_SEED` replays a run. Linux only: the test makes itself the subreaper of the killed
//! processes, so it knows when every one of them (and its file lock) is gone.
#![cfg(target_os = "linux")]

mod rng;

use rng::Rng;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

const BIN: &str = env!("CARGO_BIN_EXE_jiban");
const LINE: &str = r#"{"district":"laoshan","channel":"wechat","title":"崩溃测试","description":"d","requester":{"name":"张三","phone":"13800000000"}}"#;
const REPLY: &str = "reply --result r --basis b --person p --phone 13800000000";
/// The lifecycle after intake (history seq 1): `STEPS[i]` writes seq `i + 2`.
const STEPS: [&str; 10] = [
    "accept --category development",
    "dispatch --to laoshan.hrss",
    "sign",
    "extend --days 3 --reason survey",
    "approve-extension",
    REPLY,
    "send-back --note incomplete",
    REPLY,
    "approve-reply",
    "evaluate --satisfaction satisfied --resolution resolved",
];
const LAST_SEQ: u64 = STEPS.len() as u64 + 1;

/// The action the child's script writes at a history position.
fn expected_action(seq: u64) -> &'static str {
    match seq {
        1 => "intake",
        n => STEPS[n as usize - 2].split(' ').next().unwrap_or(""),
    }
}

/// An acknowledgement as printed: the action and, for `act`, its minute in China time; a case's
/// acknowledgements by history seq; the case the child works on, and the seq its next command writes.
type Ack = (String, Option<String>);
type Acks = BTreeMap<u64, Ack>;
type Cur = Option<(String, u64)>;

fn jiban(data: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.arg("--data").arg(data).args(args);
    cmd.output().expect("run jiban")
}

/// The child: `sh -c SCRIPT sh BIN DATA ID NEXT_SEQ LINE`; an empty ID starts with an intake.
/// Every acknowledgement reaches our stdout as jiban writes it (the intake's through `tee`).
fn script() -> String {
    let arms: String = (STEPS.iter().enumerate())
        .map(|(i, s)| format!("    {}) \"$b\" --data \"$d\" act \"$id\" {s} ;;\n", i + 2))
        .collect();
    format!(
        r#"b=$1 d=$2 id=$3 n=$4 line=$5
while :; do
  if [ -z "$id" ]; then
    printf '%s\n' "$line" | "$b" --data "$d" intake - | tee "$d.id"
    id=$(cat "$d.id") && [ -n "$id" ] || exit 3
    n=2
  fi
  while [ "$n" -le {LAST_SEQ} ]; do
    case $n in
{arms}    esac || exit 4
    n=$((n + 1))
  done
  id=
done"#
    )
}

/// Pins the calling thread to the first CPU we may use: pinned to one CPU with the child, the
/// reader woken by an acknowledgement preempts the child before it can exit.
fn pin() -> std::io::Result<()> {
    // SAFETY: plain syscalls on a zeroed, correctly sized cpu_set_t.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::sched_getaffinity(0, std::mem::size_of_val(&set), &mut set);
        let cpu = (0..libc::CPU_SETSIZE as usize).find(|c| libc::CPU_ISSET(*c, &set));
        libc::CPU_ZERO(&mut set);
        libc::CPU_SET(cpu.unwrap_or(0), &mut set);
        libc::sched_setaffinity(0, std::mem::size_of_val(&set), &set);
    }
    Ok(())
}

/// Sends each complete line of `r` as it arrives (a last line without its newline is dropped),
/// and SIGKILLs the group the moment line `kill_at` arrives (0: never).
fn line_reader(r: impl Read + Send + 'static, pgid: i32, kill_at: u64) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        if kill_at > 0 {
            let _ = pin();
        }
        let (mut r, mut buf, mut n) = (BufReader::new(r), Vec::new(), 0);
        while matches!(r.read_until(b'\n', &mut buf), Ok(k) if k > 0 && buf.ends_with(b"\n")) {
            n += 1;
            if n == kill_at {
                // SAFETY: the leader stays unreaped until the main thread has killed it too.
                unsafe { libc::kill(-pgid, libc::SIGKILL) };
            }
            let _ = tx.send(String::from_utf8_lossy(&buf[..buf.len() - 1]).into_owned());
            buf.clear();
        }
    });
    rx
}

/// Reaps every process of the group (orphans come to us, the subreaper) and returns the wait
/// status of its leader. Once the group is empty, no killed process holds the store's lock.
fn reap_group(pgid: i32) -> Option<i32> {
    let (deadline, mut leader) = (Instant::now() + Duration::from_secs(30), None);
    loop {
        let mut status = 0;
        // SAFETY: waitpid with a valid pointer to a local.
        let pid = unsafe { libc::waitpid(-pgid, &mut status, libc::WNOHANG) };
        if pid == pgid {
            leader = Some(status);
        } else if pid == 0 {
            assert!(Instant::now() < deadline, "group {pgid} outlives SIGKILL");
            thread::sleep(Duration::from_millis(1));
        } else if pid < 0 {
            let err = std::io::Error::last_os_error();
            assert_eq!(err.raw_os_error(), Some(libc::ECHILD), "waitpid: {err}");
            return leader;
        }
    }
}

/// Runs the child from `resume` and SIGKILLs its process group after a random delay, at once on
/// a random acknowledgement, or 0–3 ms after it. Returns the complete lines printed before that.
fn run_child(data: &Path, resume: &Cur, rng: &mut Rng) -> Result<Vec<String>, String> {
    let (id, next) = resume.clone().unwrap_or_default();
    let (mode, k) = (rng.range(0, 2), rng.range(1, 4));
    let mut cmd = Command::new("sh");
    cmd.args(["-c", &script(), "sh", BIN]).arg(data);
    cmd.args([&id, &next.to_string(), LINE]).process_group(0);
    cmd.stdin(Stdio::null()).stdout(Stdio::piped());
    cmd.stderr(Stdio::piped());
    if mode == 1 {
        // SAFETY: sched_setaffinity is async-signal-safe.
        unsafe { cmd.pre_exec(pin) };
    }
    #[allow(clippy::zombie_processes)] // reap_group reaps it
    let mut child = cmd.spawn().expect("spawn sh");
    let pgid = child.id() as i32;
    let kill_at = if mode == 1 { k } else { 0 };
    let rx = line_reader(child.stdout.take().unwrap(), pgid, kill_at);
    let err = child.stderr.take().unwrap();
    let err = thread::spawn(move || std::io::read_to_string(err).unwrap_or_default());
    let (mut lines, mut stuck) = (Vec::new(), false);
    if mode == 0 {
        thread::sleep(Duration::from_millis(rng.range(5, 300)));
    } else {
        for _ in 0..k {
            match rx.recv_timeout(Duration::from_secs(30)) {
                Ok(line) => lines.push(line),
                Err(e) => {
                    stuck = e == RecvTimeoutError::Timeout;
                    break;
                }
            }
        }
        if mode == 2 {
            thread::sleep(Duration::from_micros(rng.range(0, 3000)));
        }
    }
    // SAFETY: the group leader is our unreaped child, so the group id is still ours.
    unsafe { libc::kill(-pgid, libc::SIGKILL) };
    let status = reap_group(pgid);
    lines.extend(rx.iter());
    let err = err.join().unwrap();
    let err = err.trim();
    match status {
        _ if stuck => Err(format!("no acknowledgement for 30 s: {err}")),
        Some(s) if libc::WIFSIGNALED(s) => Ok(lines),
        _ => Err(format!("child ended by itself ({status:?}): {err}")),
    }
}

/// Checks one case against its acknowledgements; returns its history length and the number of
/// acknowledgements checked.
fn check_case(data: &Path, id: &str, acks: &Acks, fails: &mut Vec<String>) -> (u64, usize) {
    let out = jiban(data, &["show", id, "--json"]);
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        fails.push(format!("{id}: acknowledged case unreadable: {err}"));
        return (0, 0);
    }
    let view: serde_json::Value = serde_json::from_slice(&out.stdout).expect("show --json");
    let history = view["history"].as_array().cloned().unwrap_or_default();
    for (i, h) in history.iter().enumerate() {
        let (seq, want) = (i as u64 + 1, expected_action(i as u64 + 1));
        if h["seq"] != seq || h["action"] != want {
            fails.push(format!("{id}: history[{i}] {h}, want {seq} {want}"));
        }
    }
    for (seq, (action, at)) in acks {
        let Some(h) = history.get(*seq as usize - 1) else {
            fails.push(format!("{id}: acknowledged {action} (seq {seq}) lost"));
            continue;
        };
        let minute = h["at"].as_str().and_then(|s| s.get(..16));
        let minute = minute.map(|s| s.replace('T', " "));
        if h["action"] != action.as_str() || h["by"] != "admin" || at.is_some() && *at != minute {
            fails.push(format!("{id}: acknowledged {action} at {at:?}, stored {h}"));
        }
    }
    (history.len() as u64, acks.len())
}

#[test]
fn acknowledged_commands_survive_sigkill() {
    let var = |name: &str| std::env::var(name).ok().map(|v| v.parse().expect(name));
    let cycles = var("JIBAN_CRASH_CYCLES").unwrap_or(20);
    let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH);
    let seed = var("JIBAN_CRASH_SEED").unwrap_or(now.unwrap().as_nanos() as u64 | 1);
    // SAFETY: a plain prctl; orphaned grandchildren become ours to reap (PID 1 may not reap).
    let subreaper = unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) };
    assert_eq!(subreaper, 0, "prctl(PR_SET_CHILD_SUBREAPER)");
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("store");
    let init = jiban(&data, &["init"]);
    let err = String::from_utf8_lossy(&init.stderr);
    assert!(init.status.success(), "init: {err}");
    eprintln!("crash: seed {seed}, {cycles} cycles, {}", data.display());

    let (started, mut rng) = (Instant::now(), Rng(seed));
    let mut acks: BTreeMap<String, Acks> = BTreeMap::new();
    let (mut fails, mut ran, mut acked, mut checks, mut unacked) = (Vec::new(), 0, 0, 0, 0);
    let mut resume: Cur = None;
    for cycle in 1..=cycles {
        ran = cycle;
        let lines = run_child(&data, &resume, &mut rng).unwrap_or_else(|e| {
            fails.push(format!("cycle {cycle}: {e}"));
            Vec::new()
        });
        let mut cur = resume.clone();
        let mut touched: BTreeSet<String> = cur.iter().map(|(id, _)| id.clone()).collect();
        for line in lines {
            let (id, seq, ack) = match line.split_once(": ") {
                None => {
                    cur = Some((line.clone(), 2));
                    (line, 1, ("intake".to_string(), None))
                }
                Some((id, rest)) => {
                    let w: Vec<&str> = rest.split(' ').collect();
                    let cur = cur.as_mut().filter(|(c, _)| c == id && w.len() > 5);
                    let Some((id, next)) = cur else {
                        fails.push(format!("cycle {cycle}: unexpected line {line:?}"));
                        continue;
                    };
                    *next += 1;
                    let ack = (w[0].to_string(), Some(w[4..6].join(" ")));
                    (id.clone(), *next - 1, ack)
                }
            };
            acked += 1;
            touched.insert(id.clone());
            acks.entry(id).or_default().insert(seq, ack);
        }

        // The store must reopen at once: no killed process holds its lock.
        let listing = jiban(&data, &["cases", "--json"]);
        let err = String::from_utf8_lossy(&listing.stderr);
        if !listing.status.success() {
            fails.push(format!("cycle {cycle}: store does not reopen: {err}"));
            break;
        }
        let rows: Vec<serde_json::Value> = serde_json::from_slice(&listing.stdout).unwrap();
        let stored: BTreeSet<&str> = rows.iter().filter_map(|r| r["id"].as_str()).collect();
        for id in acks.keys().filter(|id| !stored.contains(id.as_str())) {
            fails.push(format!("cycle {cycle}: acknowledged case {id} not listed"));
        }
        unacked = stored.len().saturating_sub(acks.len());
        for id in &touched {
            let (len, n) = check_case(&data, id, &acks[id], &mut fails);
            checks += n;
            if cur.as_ref().is_some_and(|(c, _)| c == id) {
                resume = (len > 0 && len < LAST_SEQ).then(|| (id.clone(), len + 1));
            }
        }
    }
    // Finally every acknowledgement again, unless something failed already.
    let all = fails.is_empty();
    for (id, a) in acks.iter().filter(|_| all) {
        checks += check_case(&data, id, a, &mut fails).1;
    }
    println!(
        "crash summary: cycles={ran}/{cycles} acknowledged={acked} checks={checks} failures={} cases={} unacknowledged_cases={unacked} seed={seed} time={:.1}s",
        fails.len(),
        acks.len(),
        started.elapsed().as_secs_f64()
    );
    if !fails.is_empty() {
        let (n, kept) = (fails.len(), dir.keep());
        fails.truncate(20);
        let kept = kept.display();
        panic!("{n} failures (store kept at {kept}):\n{fails:#?}");
    }
}

/// Runs `jiban --data DATA ARGS` with `input` on stdin in its own process group and SIGKILLs it
/// the moment output line `kill_at` arrives (or after `delay_ms` when `kill_at` is 0). Returns
/// the complete lines printed before.
fn run_killed(
    data: &Path,
    args: &[&str],
    input: &Path,
    kill_at: u64,
    delay_ms: u64,
) -> Vec<String> {
    let mut cmd = Command::new(BIN);
    cmd.arg("--data").arg(data).args(args).process_group(0);
    cmd.stdin(std::fs::File::open(input).expect("input"));
    cmd.stdout(Stdio::piped()).stderr(Stdio::null());
    #[allow(clippy::zombie_processes)] // reap_group reaps it
    let mut child = cmd.spawn().expect("spawn jiban");
    let pgid = child.id() as i32;
    let rx = line_reader(child.stdout.take().expect("stdout"), pgid, kill_at);
    let mut lines = Vec::new();
    if kill_at == 0 {
        thread::sleep(Duration::from_millis(delay_ms));
    } else {
        // The reader kills the group at line `kill_at`; fewer lines: the run ends by itself.
        while let Ok(line) = rx.recv_timeout(Duration::from_secs(60)) {
            lines.push(line);
            if lines.len() as u64 >= kill_at {
                break;
            }
        }
    }
    // SAFETY: the group leader is our unreaped child.
    unsafe { libc::kill(-pgid, libc::SIGKILL) };
    reap_group(pgid);
    lines.extend(rx.iter());
    lines
}

/// A streaming intake and an `act --batch` run, each SIGKILLed at a random acknowledgement or
/// moment: every id intake printed is stored, and every line `act --batch` answered `ok` is in
/// its case's history.
#[test]
fn acknowledged_batches_survive_sigkill() {
    let var = |name: &str| std::env::var(name).ok().map(|v| v.parse().expect(name));
    let cycles: u64 = var("JIBAN_CRASH_CYCLES").map_or(6, |c: u64| c.div_ceil(3));
    let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH);
    let seed = var("JIBAN_CRASH_SEED").unwrap_or(now.unwrap().as_nanos() as u64 | 1);
    // SAFETY: a plain prctl (see acknowledged_commands_survive_sigkill).
    assert_eq!(
        unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) },
        0
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("store");
    assert!(jiban(&data, &["init"]).status.success());
    eprintln!(
        "crash (batches): seed {seed}, {cycles} cycles, {}",
        data.display()
    );
    let mut rng = Rng(seed);
    let (mut acked_ids, mut acked_acts) = (BTreeSet::new(), 0usize);
    let mut fails = Vec::new();
    for cycle in 1..=cycles {
        // Intake: 2,500 lines, three batches.
        let file = dir.path().join("intake.jsonl");
        std::fs::write(&file, format!("{LINE}\n").repeat(2500)).expect("write");
        let (kill_at, delay) = match rng.range(0, 1) {
            0 => (rng.range(1, 2500), 0),
            _ => (0, rng.range(5, 400)),
        };
        let lines = run_killed(&data, &["intake", "-"], &file, kill_at, delay);
        acked_ids.extend(lines);
        // act --batch: accept every case still in triage.
        let listing = jiban(&data, &["cases", "--json", "--stage", "triage"]);
        let rows: Vec<serde_json::Value> = serde_json::from_slice(&listing.stdout).expect("json");
        let batch: String = rows
            .iter()
            .filter_map(|r| r["id"].as_str())
            .map(|id| {
                format!(
                    r#"{{"case":"{id}","command":"accept","options":{{"category":"development"}}}}"#
                ) + "\n"
            })
            .collect();
        let file = dir.path().join("acts.jsonl");
        std::fs::write(&file, &batch).expect("write");
        let total = rows.len() as u64;
        let (kill_at, delay) = match rng.range(0, 1) {
            0 if total > 0 => (rng.range(1, total), 0),
            _ => (0, rng.range(5, 400)),
        };
        for line in run_killed(&data, &["act", "--batch", "-"], &file, kill_at, delay) {
            let answer: serde_json::Value = serde_json::from_str(&line).expect("answer");
            if answer["ok"] != true {
                continue;
            }
            acked_acts += 1;
            let id = answer["case"].as_str().expect("case");
            let view = jiban(&data, &["show", id, "--json"]);
            let view: serde_json::Value = serde_json::from_slice(&view.stdout).expect("show");
            if view["history"][1]["action"] != "accept" {
                fails.push(format!("cycle {cycle}: acknowledged accept of {id} lost"));
            }
        }
        let listing = jiban(&data, &["cases", "--json"]);
        let rows: Vec<serde_json::Value> = serde_json::from_slice(&listing.stdout).expect("json");
        let stored: BTreeSet<&str> = rows.iter().filter_map(|r| r["id"].as_str()).collect();
        for id in acked_ids.iter().filter(|id| !stored.contains(id.as_str())) {
            fails.push(format!("cycle {cycle}: acknowledged intake {id} lost"));
        }
        // The counts kept in each batch still equal a recount after the kill.
        let clock = std::sync::Arc::new(jiban::domain::clock::SystemClock);
        let engine = jiban::engine::Engine::open(&data, clock).expect("reopen");
        if engine.stage_counts().ok() != engine.recount().ok() {
            fails.push(format!("cycle {cycle}: kept counts differ from a recount"));
        }
        if engine.kept_tallies().ok() != engine.recount_tallies().ok() {
            fails.push(format!(
                "cycle {cycle}: the measures' sums differ from a recount"
            ));
        }
    }
    println!(
        "crash (batches) summary: cycles={cycles} intake_acks={} act_acks={acked_acts} failures={} seed={seed}",
        acked_ids.len(),
        fails.len()
    );
    assert!(fails.is_empty(), "seed {seed}: {fails:#?}");
}
