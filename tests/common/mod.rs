//! Shared helpers for the CLI integration tests: a fresh store per test, the built binary run with
//! `--data`, and JSON views of cases and units.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

/// The time the stores are created at (Monday 2026-11-23, 08:00 China time).
pub const INIT_AT: &str = "2026-11-23T08:00:00+08:00";

/// What one run of the binary left behind.
#[derive(Debug, Clone)]
pub struct Out {
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Out {
    /// Panics with the whole output unless the run exited 0.
    pub fn ok(self) -> Out {
        assert_eq!(self.code, 0, "expected success\n{self:#?}");
        self
    }

    /// Panics unless the run exited with `code` and said something on stderr.
    pub fn failed(self, code: i32) -> Out {
        assert_eq!(self.code, code, "expected exit code {code}\n{self:#?}");
        assert!(
            !self.stderr.trim().is_empty(),
            "no reason on stderr\n{self:#?}"
        );
        self
    }

    /// Panics unless the run was refused (exit code 2) with every `words` on stderr.
    pub fn refused(self, words: &[&str]) -> Out {
        let out = self.failed(2);
        for w in words {
            assert!(out.stderr.contains(w), "stderr lacks {w:?}\n{out:#?}");
        }
        out
    }
}

/// Runs the built binary with `args`, feeding `stdin` when given.
pub fn jiban(args: &[&str], stdin: Option<&str>) -> Out {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jiban"));
    cmd.args(args)
        .env_remove("JIBAN_DATA")
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn jiban");
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().expect("stdin pipe");
        pipe.write_all(text.as_bytes()).expect("write stdin");
    }
    let out = child.wait_with_output().expect("wait for jiban");
    Out {
        code: out.status.code().expect("exit code (not a signal)"),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

/// A fresh store in its own temporary folder, removed when dropped.
pub struct Store {
    dir: tempfile::TempDir,
}

/// A copy of the bundled fixtures folder (`org.toml`, `users.toml`, `rules.toml`,
/// `responsibility.toml`, `calendar/`) with `text` appended to or replacing parts of files:
/// each edit is (file, old, new), and an empty `old` appends `new`.
pub fn fixtures_with(edits: &[(&str, &str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    std::fs::create_dir_all(dir.path().join("calendar")).expect("calendar dir");
    let mut names: Vec<String> = [
        "org.toml",
        "users.toml",
        "rules.toml",
        "responsibility.toml",
    ]
    .map(String::from)
    .to_vec();
    for e in std::fs::read_dir(src.join("calendar")).expect("calendar") {
        let name = e.expect("entry").file_name().to_string_lossy().into_owned();
        names.push(format!("calendar/{name}"));
    }
    for name in names {
        let mut text = std::fs::read_to_string(src.join(&name)).expect("fixture");
        for (file, old, new) in edits {
            if *file == name {
                if old.is_empty() {
                    text.push_str(new);
                } else {
                    assert!(text.contains(old), "{file} lacks {old:?}");
                    text = text.replacen(old, new, 1);
                }
            }
        }
        std::fs::write(dir.path().join(&name), text).expect("write fixture");
    }
    dir
}

impl Store {
    /// Creates a store with the bundled fixtures.
    pub fn new() -> Store {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store { dir };
        store.run(&["--now", INIT_AT, "init"]).ok();
        store
    }

    /// Creates a store with the fixtures in `fixtures` (`init --fixtures`).
    pub fn with_fixtures(fixtures: &Path) -> Store {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store { dir };
        let fixtures = fixtures.to_str().expect("utf-8 path");
        store
            .run(&["--now", INIT_AT, "init", "--fixtures", fixtures])
            .ok();
        store
    }

    /// The store folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    fn args<'a>(&'a self, args: &[&'a str]) -> Vec<&'a str> {
        let data = self.path().to_str().expect("utf-8 temp path");
        let mut all = vec!["--data", data];
        all.extend_from_slice(args);
        all
    }

    /// Runs `jiban --data STORE args…`.
    pub fn run(&self, args: &[&str]) -> Out {
        jiban(&self.args(args), None)
    }

    /// Runs `jiban --data STORE args…` with `stdin` as standard input.
    pub fn run_stdin(&self, args: &[&str], stdin: &str) -> Out {
        jiban(&self.args(args), Some(stdin))
    }

    /// Runs `jiban --now NOW --as LOGIN act ID words…`.
    pub fn act(&self, now: &str, login: &str, id: &str, words: &[&str]) -> Out {
        let mut args = vec!["--now", now, "--as", login, "act", id];
        args.extend_from_slice(words);
        self.run(&args)
    }

    /// Like [`Store::act`] but the command must succeed.
    pub fn act_ok(&self, now: &str, login: &str, id: &str, words: &[&str]) -> Out {
        self.act(now, login, id, words).ok()
    }

    /// Writes `lines` to a file in the store folder and takes them in as of `now`.
    pub fn intake(&self, now: &str, lines: &[String]) -> Out {
        let file = self.path().join("intake.jsonl");
        std::fs::write(&file, lines.join("\n") + "\n").expect("write intake file");
        self.run(&["--now", now, "intake", file.to_str().expect("utf-8 path")])
    }

    /// Takes in one line that must succeed and returns the new case id.
    pub fn intake_one(&self, now: &str, line: &str) -> String {
        let out = self.intake(now, &[line.to_string()]).ok();
        let ids: Vec<&str> = out.stdout.lines().collect();
        assert_eq!(ids.len(), 1, "one id expected\n{out:#?}");
        ids[0].to_string()
    }

    /// `show ID --json` as of `now`.
    pub fn show_json_at(&self, now: &str, id: &str) -> Value {
        let out = self.run(&["--now", now, "show", id, "--json"]).ok();
        serde_json::from_str(&out.stdout).expect("show --json is JSON")
    }

    /// `show ID --json` as of the store's creation time.
    pub fn show_json(&self, id: &str) -> Value {
        self.show_json_at(INIT_AT, id)
    }

    /// `cases --json` with extra filter options, as of `now`.
    pub fn cases_json(&self, now: &str, filters: &[&str]) -> Vec<Value> {
        let mut args = vec!["--now", now, "cases", "--json"];
        args.extend_from_slice(filters);
        let out = self.run(&args).ok();
        match serde_json::from_str(&out.stdout).expect("cases --json is JSON") {
            Value::Array(rows) => rows,
            other => panic!("cases --json is not an array: {other}"),
        }
    }

    /// Ids of `cases --json` with extra filter options, sorted.
    pub fn case_ids(&self, now: &str, filters: &[&str]) -> Vec<String> {
        let mut ids: Vec<String> = self
            .cases_json(now, filters)
            .iter()
            .map(|r| r["id"].as_str().expect("row id").to_string())
            .collect();
        ids.sort();
        ids
    }

    /// One unit of `units --json`.
    pub fn unit_json(&self, id: &str) -> Value {
        let out = self.run(&["units", "--json"]).ok();
        let units: Value = serde_json::from_str(&out.stdout).expect("units --json is JSON");
        units
            .as_array()
            .expect("units array")
            .iter()
            .find(|u| u["id"] == id)
            .unwrap_or_else(|| panic!("unit {id} not in units --json"))
            .clone()
    }
}

/// A new requester's number for each line: the tests' cases come from different citizens, so
/// none of them is linked as a repeat complaint (重复投诉) unless a test says so.
fn next_citizen() -> u32 {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// One intake line for `district` (a JSON object on one line), from a citizen of its own.
pub fn case_line(district: &str, category: &str, title: &str, received_at: &str) -> Value {
    let n = next_citizen();
    json!({
        "district": district,
        "channel": "hotline",
        "title": title,
        "description": format!("{title}，请尽快处理。"),
        "requester": {"name": "张伟", "phone": format!("1385321{:04}", n % 10_000)},
        "category": category,
        "received_at": received_at,
    })
}

/// A livelihood case of Laoshan's Haidamaidao community, at an address of its own.
pub fn haidamaidao_line(title: &str, received_at: &str) -> String {
    let mut v = case_line("laoshan", "livelihood", title, received_at);
    v["community"] = json!("laoshan.jinjialing.haidamaidao");
    v["address"] = json!(format!("崂山区海大麦岛社区{}号楼", next_citizen()));
    v.to_string()
}

/// The four elements of a reply, as `act … reply` options.
pub const REPLY: &[&str] = &[
    "reply",
    "--result",
    "已联系诉求人并现场处理完毕",
    "--basis",
    "《青岛市“青诉即办”诉求解决平台工作规范》",
    "--person",
    "王建国",
    "--phone",
    "0532-88886666",
];

/// The last history entry of a `show --json` view.
pub fn last_event(view: &Value) -> &Value {
    view["history"]
        .as_array()
        .and_then(|h| h.last())
        .expect("a non-empty history")
}

/// The history length of a `show --json` view.
pub fn history_len(view: &Value) -> usize {
    view["history"].as_array().map_or(0, Vec::len)
}
