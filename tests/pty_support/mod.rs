//! The real binary in a pseudo-terminal (portable-pty), its output fed to a terminal emulator
//! (vt100), for the end-to-end tests of the board.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{native_pty_system, CommandBuilder, PtySize};

pub struct Term {
    pub parser: Arc<Mutex<vt100::Parser>>,
    pub raw: Arc<Mutex<Vec<u8>>>,
}

impl Term {
    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Polls the emulated screen until `ok` holds, or fails after `secs` with the screen.
    pub fn wait_for(&self, what: &str, secs: u64, ok: impl Fn(&vt100::Screen) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if ok(self.parser.lock().unwrap().screen()) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; the screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn wait_text(&self, text: &str) {
        self.wait_for(text, 30, |s| s.contents().contains(text));
    }
}

pub fn size(cols: u16, rows: u16) -> PtySize {
    PtySize {
        rows,
        cols,
        pixel_width: 0,
        pixel_height: 0,
    }
}

/// The line of the screen that contains `needle`, and its row.
pub fn line_with(screen: &vt100::Screen, needle: &str) -> Option<(u16, String)> {
    let (_, cols) = screen.size();
    screen
        .rows(0, cols)
        .enumerate()
        .find(|(_, l)| l.contains(needle))
        .map(|(i, l)| (i as u16, l))
}

/// The board running in a pseudo-terminal.
pub struct Session {
    pub term: Term,
    pub child: Box<dyn portable_pty::Child + Send + Sync>,
    pub master: Box<dyn portable_pty::MasterPty + Send>,
    pub keys: Box<dyn Write + Send>,
    pub pump: std::thread::JoinHandle<()>,
    pub home: tempfile::TempDir,
    pub tmp: tempfile::TempDir,
}

impl Session {
    /// `jiban --now … demo [extra]` in a fresh home, 100×30, TERM=xterm-256color.
    pub fn demo(extra: &[&str]) -> Session {
        Session::demo_with_env(extra, &[])
    }

    /// `jiban --now … demo [extra]` with extra environment.
    pub fn demo_with_env(extra: &[&str], env: &[(&str, &str)]) -> Session {
        let mut args = vec!["--now", "2026-11-23T09:00:00+08:00", "demo"];
        args.extend_from_slice(extra);
        Session::spawn(&args, env)
    }

    /// `jiban args…` in a fresh home, 100×30, TERM=xterm-256color.
    pub fn spawn(args: &[&str], env: &[(&str, &str)]) -> Session {
        Session::spawn_program(env!("CARGO_BIN_EXE_jiban"), args, env)
    }

    /// `program args…` (a shell, say) in a fresh home, 100×30, TERM=xterm-256color.
    pub fn spawn_program(program: &str, args: &[&str], env: &[(&str, &str)]) -> Session {
        let home = tempfile::tempdir().unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let pty = native_pty_system();
        let pair = pty.openpty(size(100, 30)).unwrap();
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env("LANG", "C.UTF-8");
        cmd.env("HOME", home.path());
        cmd.env("XDG_CONFIG_HOME", home.path().join("config"));
        cmd.env("XDG_STATE_HOME", home.path().join("state"));
        cmd.env("TMPDIR", tmp.path());
        cmd.env_remove("JIBAN_DATA");
        cmd.env_remove("JIBAN_CONNECT");
        cmd.env_remove("NO_COLOR");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);

        let term = Term {
            parser: Arc::new(Mutex::new(vt100::Parser::new(30, 100, 0))),
            raw: Arc::new(Mutex::new(Vec::new())),
        };
        let mut reader = pair.master.try_clone_reader().unwrap();
        let (parser, raw) = (term.parser.clone(), term.raw.clone());
        let pump = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                parser.lock().unwrap().process(&buf[..n]);
                raw.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        let keys = pair.master.take_writer().unwrap();
        Session {
            term,
            child,
            master: pair.master,
            keys,
            pump,
            home,
            tmp,
        }
    }

    pub fn send(&mut self, bytes: &str) {
        self.keys.write_all(bytes.as_bytes()).unwrap();
        self.keys.flush().unwrap();
    }

    pub fn resize(&self, cols: u16, rows: u16) {
        self.master.resize(size(cols, rows)).unwrap();
        self.term
            .parser
            .lock()
            .unwrap()
            .screen_mut()
            .set_size(rows, cols);
    }

    /// Waits for the board to exit; returns its status.
    pub fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            assert!(Instant::now() < deadline, "the board did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Checks the terminal is back in normal mode: main screen, cursor shown, no mouse
    /// reporting, canonical mode with echo; and that the demo store was removed.
    pub fn assert_restored(self) -> String {
        self.term
            .wait_for("the main screen", 30, |s| !s.alternate_screen());
        {
            let s = self.term.parser.lock().unwrap();
            assert!(!s.screen().hide_cursor());
            assert_eq!(
                s.screen().mouse_protocol_mode(),
                vt100::MouseProtocolMode::None
            );
        }
        #[cfg(unix)]
        {
            let fd = self.master.as_raw_fd().expect("a unix pty");
            // SAFETY: tcgetattr only writes the termios struct we own.
            let mut t: libc::termios = unsafe { std::mem::zeroed() };
            assert_eq!(unsafe { libc::tcgetattr(fd, &mut t) }, 0);
            assert_ne!(t.c_lflag & libc::ICANON, 0, "canonical mode restored");
            assert_ne!(t.c_lflag & libc::ECHO, 0, "echo restored");
        }
        drop(self.master);
        drop(self.keys);
        let _ = self.pump.join();
        let left: Vec<_> = std::fs::read_dir(self.tmp.path()).unwrap().collect();
        assert!(left.is_empty(), "the demo store is removed: {left:?}");
        let raw = self.term.raw.lock().unwrap();
        let out = String::from_utf8_lossy(&raw).into_owned();
        drop(raw);
        out
    }
}
