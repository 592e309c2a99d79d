//! Hostile and broken clients against a real `jiban serve` (issue #10, items 4–6 and 8): each
//! must cost the server only a bounded amount of memory, and a well-behaved client must keep
//! getting answers.
//!
//! - pipelining requests and never reading the replies;
//! - subscribing to events and never reading them;
//! - a frame sent one byte at a time (slow-loris);
//! - 2,000 connections at once from one OS user.

mod server_support;

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

use jiban::protocol::frame;
use jiban::protocol::{ClientMessage, Hello, Request, PROTOCOL_VERSION};
use server_support::Site;

/// The server's resident memory in bytes.
fn rss(site: &Site) -> u64 {
    let pid = site.server.as_ref().expect("a running server").id();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS");
    kb * 1024
}

/// A raw connection that has said hello (and read nothing yet).
fn raw(site: &Site, events: bool) -> UnixStream {
    let mut s = UnixStream::connect(site.socket()).expect("connect");
    let hello = ClientMessage::Hello(Hello {
        protocol: PROTOCOL_VERSION,
        client: "hostile test".into(),
        act_as: None,
        events,
    });
    s.write_all(&frame::encode(&hello)).expect("hello");
    s
}

/// A site with `n` open Laoshan cases with long titles and descriptions (big replies and events).
fn site_with_cases(n: usize, env: &[(&str, &str)]) -> Site {
    let mut site = Site::new_with(Some("trainer"), env, |_| {});
    site.start();
    take_in_big(&site, n, "积压");
    site
}

fn take_in_big(site: &Site, n: usize, tag: &str) {
    let file = site.dir.path().join(format!("{tag}.jsonl"));
    let title: String = "楼".repeat(190);
    let description: String = "夜间施工噪音扰民，".repeat(1000);
    let text: String = (0..n)
        .map(|i| {
            format!(
                "{{\"district\":\"laoshan\",\"channel\":\"hotline\",\"title\":\"{tag}{i}{title}\",\"description\":\"{description}\",\"requester\":{{\"name\":\"李娜\",\"phone\":\"13853215678\"}}}}\n"
            )
        })
        .collect();
    std::fs::write(&file, text).expect("intake file");
    let out = site.cli(&["intake", file.to_str().expect("path")]);
    assert!(out.status.success(), "{out:?}");
}

/// A well-behaved client still gets an answer, promptly.
fn still_served(site: &Site) {
    let started = Instant::now();
    let out = site.cli(&["cases", "--stage", "triage", "--limit", "3"]);
    assert!(out.status.success(), "{out:?}");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "a well-behaved client waited {:?}",
        started.elapsed()
    );
}

const MIB: u64 = 1 << 20;

#[test]
fn a_client_that_pipelines_and_never_reads_costs_a_bounded_amount() {
    let site = site_with_cases(600, &[("JIBAN_CACHE_MB", "4")]);
    still_served(&site);
    let before = rss(&site);
    let mut hostile = raw(&site, false);
    hostile
        .set_write_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    // Each reply is a page of 500 summaries with 190-character titles (~400 KB): 1,024 of them
    // waiting would be hundreds of MB.
    let request = |id| {
        frame::encode(&ClientMessage::Request {
            id,
            request: Request::OpenCases { after: None },
        })
    };
    let mut sent = 0u64;
    for id in 0..2000 {
        // The server stops reading once its budget of replies waits: our writes then block.
        if hostile.write_all(&request(id)).is_err() {
            break;
        }
        sent += 1;
    }
    still_served(&site);
    let grew = rss(&site).saturating_sub(before);
    eprintln!(
        "pipelining without reading: {sent} requests sent, the server grew {} MiB",
        grew / MIB
    );
    assert!(
        grew < 64 * MIB,
        "the server grew {} MiB for one client that never reads ({sent} requests sent)",
        grew / MIB
    );
    drop(hostile);
}

/// `act --batch` through the server: `pairs` extension requests and denials on each case, each
/// event carrying its whole ~30 KB case while the store writes only a small state.
fn extend_and_deny(site: &Site, ids: &[String], pairs: usize, tag: &str) {
    let mut lines = String::new();
    for _ in 0..pairs {
        for id in ids {
            lines.push_str(&format!(
                "{{\"case\":\"{id}\",\"command\":\"extend\",\"options\":{{\"days\":1,\"reason\":\"{tag}\"}}}}\n{{\"case\":\"{id}\",\"command\":\"deny-extension\",\"options\":{{}}}}\n"
            ));
        }
    }
    let file = site.dir.path().join(format!("{tag}.batch"));
    std::fs::write(&file, lines).expect("batch file");
    let out = site.cli(&["act", "--batch", file.to_str().expect("path")]);
    assert!(out.status.success(), "{out:?}");
}

/// How much a server grows over 4,000 commands on big cases, with or without a subscriber that
/// never reads.
fn growth_with(idle_subscriber: bool) -> u64 {
    let site = site_with_cases(10, &[("JIBAN_CACHE_MB", "4")]);
    let ids: Vec<String> = {
        let out = site.cli(&["cases", "--stage", "triage", "--json"]);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        v.as_array()
            .expect("rows")
            .iter()
            .map(|r| r["id"].as_str().expect("id").to_string())
            .collect()
    };
    let mut lines = String::new();
    for id in &ids {
        lines.push_str(&format!(
            "{{\"case\":\"{id}\",\"command\":\"accept\",\"options\":{{\"category\":\"livelihood\"}}}}\n{{\"case\":\"{id}\",\"command\":\"dispatch\",\"options\":{{\"to\":\"laoshan.zhonghan.zhangcun\"}}}}\n"
        ));
    }
    let file = site.dir.path().join("route.batch");
    std::fs::write(&file, lines).expect("batch file");
    assert!(site
        .cli(&["act", "--batch", file.to_str().expect("path")])
        .status
        .success());
    extend_and_deny(&site, &ids, 20, "warm");
    let before = rss(&site);
    let _idle = idle_subscriber.then(|| raw(&site, true));
    // 4,000 events of ~30 KB each: the old shared event buffer alone pinned 4,096 of them
    // (~120 MB) for one subscriber that never reads, on top of its queue of 1,024 frames.
    extend_and_deny(&site, &ids, 200, "run");
    still_served(&site);
    rss(&site).saturating_sub(before)
}

#[test]
fn a_subscriber_that_never_reads_costs_a_bounded_amount() {
    // sled's own memory grows with the commands; the subscriber must add little to it.
    let alone = growth_with(false);
    let with_idle = growth_with(true);
    eprintln!(
        "4,000 commands: the server grew {} MiB alone, {} MiB with a never-reading subscriber",
        alone / MIB,
        with_idle / MIB
    );
    assert!(
        with_idle < alone + 32 * MIB,
        "a subscriber that never reads cost the server {} MiB more",
        with_idle.saturating_sub(alone) / MIB
    );
}

#[test]
fn a_frame_trickled_a_byte_at_a_time_is_cut_off_by_its_deadline() {
    let mut site = Site::new_with(
        Some("trainer"),
        &[("JIBAN_FRAME_TIMEOUT_MS", "1500")],
        |_| {},
    );
    site.start();
    let mut s = raw(&site, false);
    // The welcome first.
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let welcome = frame::read_blocking(&mut s, 64 << 20).expect("welcome");
    assert!(!welcome.is_empty());
    s.write_all(&[0, 0, 0, 100]).expect("prefix");
    let started = Instant::now();
    let mut closed = false;
    while started.elapsed() < Duration::from_secs(12) {
        // One byte every 400 ms: every read is far within the 1.5 s limit, the frame is not.
        if s.write_all(b" ").is_err() {
            closed = true;
            break;
        }
        s.set_read_timeout(Some(Duration::from_millis(400)))
            .expect("timeout");
        let mut buf = [0u8; 4096];
        match s.read(&mut buf) {
            Ok(0) => {
                closed = true;
                break;
            }
            Ok(_) => {
                // The refusal; the close follows.
                let text = String::from_utf8_lossy(&buf);
                assert!(text.contains("half-sent frame"), "{text}");
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => {
                closed = true;
                break;
            }
        }
    }
    assert!(closed, "a trickled frame held its connection open for 12 s");
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
    still_served(&site);
}

/// users.toml with this OS user as the trainer and `nobody` as the city dispatcher.
fn users_with_nobody() -> String {
    let text = server_support::users_mapping(Some("trainer"));
    let marker = "login = \"qd_dispatch\"\n";
    let at = text.find(marker).expect("qd_dispatch") + marker.len();
    format!("{}os_user = \"nobody\"\n{}", &text[..at], &text[at..])
}

fn open_to_nobody(p: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

#[test]
fn two_thousand_connections_from_one_user_lock_nobody_else_out() {
    let mut site = Site::new_with(Some("trainer"), &[], |_| {});
    std::fs::write(site.dir.path().join("users.toml"), users_with_nobody()).expect("users");
    open_to_nobody(site.dir.path());
    std::fs::create_dir_all(site.dir.path().join("run")).expect("run dir");
    open_to_nobody(&site.dir.path().join("run"));
    site.args = vec!["--group".into(), "nogroup".into()];
    site.start();
    let before = rss(&site);
    let mut held = Vec::new();
    let mut refused = 0;
    for _ in 0..2000 {
        match UnixStream::connect(site.socket()) {
            Ok(s) => held.push(s),
            Err(_) => refused += 1,
        }
    }
    // Another OS user gets in and is answered.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jiban"))
        .args(["--connect", site.socket().to_str().expect("path")])
        .args(["cases", "--stage", "triage", "--limit", "1"])
        .uid(65534)
        .gid(65534)
        .env_remove("JIBAN_DATA")
        .env("HOME", "/tmp")
        .output()
        .expect("run as nobody");
    assert!(out.status.success(), "nobody was locked out: {out:?}");
    // This user's connections past the cap were told why.
    let mut s = UnixStream::connect(site.socket()).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let body = frame::read_blocking(&mut s, 1 << 20).expect("a refusal");
    let text = String::from_utf8_lossy(&body);
    assert!(text.contains("connections open"), "{text}");
    let grew = rss(&site).saturating_sub(before);
    eprintln!(
        "2,000 connections ({refused} failed to connect): the server grew {} MiB",
        grew / MIB
    );
    assert!(
        grew < 128 * MIB,
        "2,000 connections cost {} MiB",
        grew / MIB
    );
    drop(held);
    // The log is not flooded.
    let refusals = site.server_log().matches("client trouble").count();
    assert!(
        refusals <= 25,
        "{refusals} refusal lines in the log ({refused} connects failed)"
    );
}

use std::os::unix::process::CommandExt;
