//! Shared set-up for the server tests: a store in a temp folder, the real `jiban serve` binary on
//! a temp socket with this test process's OS user mapped to a chosen login, clients connected to
//! it, and polling helpers (never a bare sleep).
#![allow(dead_code)]

use std::io::Read;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use jiban::client::{Client, ConnectOptions};
use jiban::domain::case::{CaseId, Category};
use jiban::domain::command::Command as Act;
use jiban::service::{Feed, Service, Update};

/// The time the store and the server run at (Monday 2026-11-23, 09:00 China time).
pub const NOW: &str = "2026-11-23T09:00:00+08:00";

/// How long any wait in these tests may take before it fails.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// Polls `check` until it returns `Some`, failing after [`PATIENCE`] with `what`.
pub fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let until = Instant::now() + PATIENCE;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(Instant::now() < until, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// This process's OS user name.
pub fn me() -> String {
    jiban::server::socket::current_user().expect("this process has a user name")
}

/// The bundled users.toml with this process's OS user mapped to `login` (no mapping when
/// `None`).
pub fn users_mapping(login: Option<&str>) -> String {
    let text = jiban::fixtures::bundled().users;
    let Some(login) = login else {
        return text;
    };
    let marker = format!("login = \"{login}\"\n");
    let at = text.find(&marker).expect("the login is in users.toml") + marker.len();
    format!("{}os_user = \"{}\"\n{}", &text[..at], me(), &text[at..])
}

/// A store, a socket and (while running) a server process.
pub struct Site {
    /// Keeps the folder alive.
    pub dir: tempfile::TempDir,
    /// The server, while it runs.
    pub server: Option<Child>,
    /// Extra environment for the server.
    pub env: Vec<(String, String)>,
    /// Extra arguments for `serve`.
    pub args: Vec<String>,
}

impl Site {
    /// A fresh empty store created at [`NOW`] whose users map this OS user to `login`.
    pub fn new(login: Option<&str>) -> Site {
        Site::new_with(login, &[], |_| {})
    }

    /// Like [`Site::new`], with `prepare` run on the (empty) store folder before `init` (a test
    /// mounts a small file system there) and `env` given to `init` and to the server.
    pub fn new_with(
        login: Option<&str>,
        env: &[(&str, &str)],
        prepare: impl FnOnce(&Path),
    ) -> Site {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = dir.path().join("store");
        std::fs::create_dir_all(&store).expect("the store folder");
        prepare(&store);
        let out = jiban_env(&["--data", path(&store), "--now", NOW, "init"], env);
        assert!(out.status.success(), "init: {out:?}");
        std::fs::write(dir.path().join("users.toml"), users_mapping(login)).expect("users");
        Site {
            dir,
            server: None,
            args: Vec::new(),
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    /// The store folder.
    pub fn store(&self) -> PathBuf {
        self.dir.path().join("store")
    }

    /// The socket.
    pub fn socket(&self) -> PathBuf {
        self.dir.path().join("run").join("jiban.sock")
    }

    /// Takes in one Laoshan case titled `title` through the store folder (before the server
    /// owns it), as of [`NOW`]; returns its id.
    pub fn intake_offline(&self, title: &str) -> String {
        let file = self.dir.path().join("offline.jsonl");
        let line = format!(
            r#"{{"district":"laoshan","channel":"hotline","title":"{title}","description":"d","requester":{{"name":"李娜","phone":"13853215678"}}}}"#
        );
        std::fs::write(&file, line).expect("write the intake file");
        let store = self.store();
        let out = jiban(&["--data", path(&store), "--now", NOW, "intake", path(&file)]);
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout)
            .expect("utf-8")
            .trim()
            .to_string()
    }

    /// The server's arguments for this site.
    pub fn serve_args(&self) -> Vec<String> {
        let p = |x: PathBuf| x.to_string_lossy().into_owned();
        vec![
            "--data".into(),
            p(self.store()),
            "--now".into(),
            NOW.into(),
            "serve".into(),
            "--socket".into(),
            p(self.socket()),
            "--users".into(),
            p(self.dir.path().join("users.toml")),
            "--log".into(),
            p(self.dir.path().join("server.log")),
        ]
    }

    /// Starts the server and waits until it answers on the socket.
    pub fn start(&mut self) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_jiban"));
        cmd.args(self.serve_args())
            .args(&self.args)
            .env_remove("JIBAN_CONNECT")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        self.server = Some(cmd.spawn().expect("spawn jiban serve"));
        let socket = self.socket();
        eventually("the server to listen", || {
            if let Some(status) = self
                .server
                .as_mut()
                .and_then(|s| s.try_wait().ok().flatten())
            {
                panic!("the server exited early: {status}; {}", self.server_log());
            }
            UnixStream::connect(&socket).ok()
        });
    }

    /// Sends `signal` to the server and waits for it to exit; returns its exit code (`None`
    /// when killed by the signal) and what it wrote to stderr.
    pub fn stop_with(&mut self, signal: i32) -> (Option<i32>, String) {
        let mut child = self.server.take().expect("a running server");
        // SAFETY: sending a signal to our own child process.
        unsafe { libc::kill(child.id() as i32, signal) };
        let status = eventually("the server to exit", || child.try_wait().ok().flatten());
        let mut err = String::new();
        if let Some(mut e) = child.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        (status.code(), err)
    }

    /// The server's log file.
    pub fn server_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// A client session as this OS user's login (or `act_as`).
    pub fn client(&self, act_as: Option<&str>, live: bool) -> Client {
        self.try_client(act_as, live).expect("connect")
    }

    /// Connecting, which may be refused.
    pub fn try_client(
        &self,
        act_as: Option<&str>,
        live: bool,
    ) -> Result<Client, jiban::client::ConnectError> {
        Client::connect(
            &self.socket(),
            ConnectOptions {
                role: "test".into(),
                act_as: act_as.map(String::from),
                events: live,
                reconnect: live,
            },
        )
    }

    /// Runs the CLI against this server: `jiban --connect SOCKET args…`.
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        let socket = self.socket();
        let mut all = vec!["--connect", path(&socket)];
        all.extend_from_slice(args);
        jiban(&all)
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        if let Some(mut s) = self.server.take() {
            let _ = s.kill();
            let _ = s.wait();
        }
    }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

/// Runs the binary and collects its output.
pub fn jiban(args: &[&str]) -> std::process::Output {
    jiban_env(args, &[])
}

/// Runs the binary with extra environment and collects its output.
pub fn jiban_env(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_jiban"))
        .args(args)
        .env_remove("JIBAN_CONNECT")
        .env_remove("JIBAN_DATA")
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("run jiban")
}

/// Takes in `n` livelihood cases at Laoshan through `session`; returns their ids.
pub fn take_in(session: &dyn Service, n: usize) -> Vec<CaseId> {
    let org = &session.config().org;
    let cases = (0..n)
        .map(|i| {
            let line = format!(
                r#"{{"district":"laoshan","channel":"hotline","title":"小区噪音扰民 {i}","description":"夜间施工","requester":{{"name":"李娜","phone":"13853215678"}}}}"#
            );
            jiban::domain::intake::parse_line(i + 1, &line, org).expect("intake line")
        })
        .collect();
    session
        .intake(cases)
        .expect("intake")
        .into_iter()
        .map(|o| match o {
            jiban::engine::IntakeOutcome::Created(id) => id,
            other => panic!("not created: {other:?}"),
        })
        .collect()
}

/// The accept command for a livelihood case.
pub fn accept() -> Act {
    Act::Accept {
        province: false,
        category: Category::Livelihood,
        kind: None,
        complex: false,
        matter: None,
    }
}

/// Waits on `feed` for the committed change of `case` at `seq`.
pub fn wait_for(feed: &mut Feed, case: &CaseId, seq: u64) -> Arc<jiban::engine::Committed> {
    let until = Instant::now() + PATIENCE;
    loop {
        let left = until.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "no event for {case} seq {seq}");
        if let Some(Update::Committed(c)) = feed.next_timeout(left) {
            if &c.entry.case == case && c.entry.seq == seq {
                return c;
            }
        }
    }
}

/// Waits on `feed` for an update matching `pred`.
pub fn wait_update(feed: &mut Feed, what: &str, pred: impl Fn(&Update) -> bool) -> Update {
    let until = Instant::now() + PATIENCE;
    loop {
        let left = until.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "timed out waiting for {what}");
        if let Some(u) = feed.next_timeout(left) {
            if pred(&u) {
                return u;
            }
        }
    }
}
