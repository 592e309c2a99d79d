//! End to end: the real binary in a pseudo-terminal (portable-pty), its output fed to a terminal
//! emulator (vt100). Opens the demo, moves through the tree, filters, opens a case, resizes, quits;
//! checks the screen text at each step, that the board never asked the terminal a question, and
//! that the terminal is back in normal mode afterwards.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{native_pty_system, CommandBuilder, PtySize};

struct Term {
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
}

impl Term {
    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Polls the emulated screen until `ok` holds, or fails after `secs` with the screen.
    fn wait_for(&self, what: &str, secs: u64, ok: impl Fn(&vt100::Screen) -> bool) {
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

    fn wait_text(&self, text: &str) {
        self.wait_for(text, 30, |s| s.contents().contains(text));
    }
}

fn size(cols: u16, rows: u16) -> PtySize {
    PtySize {
        rows,
        cols,
        pixel_width: 0,
        pixel_height: 0,
    }
}

/// The line of the screen that contains `needle`, and its row.
fn line_with(screen: &vt100::Screen, needle: &str) -> Option<(u16, String)> {
    let (_, cols) = screen.size();
    screen
        .rows(0, cols)
        .enumerate()
        .find(|(_, l)| l.contains(needle))
        .map(|(i, l)| (i as u16, l))
}

#[test]
fn the_demo_board_in_a_real_terminal() {
    let home = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let pty = native_pty_system();
    let pair = pty.openpty(size(100, 30)).unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_jiban"));
    cmd.args(["--now", "2026-11-23T09:00:00+08:00", "demo"]);
    cmd.env("TERM", "xterm-256color");
    cmd.env("LANG", "C.UTF-8");
    cmd.env("HOME", home.path());
    cmd.env("XDG_CONFIG_HOME", home.path().join("config"));
    cmd.env("XDG_STATE_HOME", home.path().join("state"));
    cmd.env("TMPDIR", tmp.path());
    cmd.env_remove("JIBAN_DATA");
    cmd.env_remove("NO_COLOR");
    let mut child = pair.slave.spawn_command(cmd).unwrap();
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
    let mut keys = pair.master.take_writer().unwrap();
    let mut send = |bytes: &str| {
        keys.write_all(bytes.as_bytes()).unwrap();
        keys.flush().unwrap();
    };

    // The demo opens on the city, in the alternate screen, with the simulated clock marked.
    term.wait_for("the board", 60, |s| {
        s.alternate_screen() && s.contents().contains("2026-11-23 09:0")
    });
    let screen = term.screen();
    assert!(screen.contains("青岛市「青诉即办」"), "{screen}");
    assert!(screen.contains("模拟"), "{screen}");
    assert!(screen.contains("┌ 队列"), "{screen}");
    assert!(screen.contains("┌ 组织"), "{screen}");

    // Into the tree, down to Laoshan, open it.
    send("h");
    send("jjjj");
    term.wait_text(" 崂山区 在办");
    send("l");
    term.wait_text("金家岭街道");

    // Filter the district's queue.
    send("\r");
    send("/");
    term.wait_text("筛选 /");
    send("噪");
    send("\r");
    term.wait_text("“噪”");
    let screen = term.screen();
    assert!(screen.contains("LS-20261120-0001"), "{screen}");
    assert!(
        !screen.contains("LS-20261104-0004"),
        "filtered out:\n{screen}"
    );

    // Open the case, and scroll its detail to the description and history.
    send("\r");
    term.wait_text("工单号   QD2611200129");
    send("jjjjjjjjjjjj");
    term.wait_text("诉求内容");
    send("jjjjj");
    term.wait_text("办理记录");

    // Narrower: the detail moves below the queue.
    pair.master.resize(size(80, 24)).unwrap();
    term.parser.lock().unwrap().screen_mut().set_size(24, 80);
    term.wait_for("the compact layout", 30, |s| {
        let queue = line_with(s, "┌ 队列");
        let detail = line_with(s, "┌ 详情");
        matches!((queue, detail), (Some((q, _)), Some((d, _))) if d > q)
            && s.rows(0, 80)
                .all(|l| unicode_width::UnicodeWidthStr::width(l.as_str()) <= 80)
    });
    // Too small: a notice; back: the board again.
    pair.master.resize(size(70, 20)).unwrap();
    term.parser.lock().unwrap().screen_mut().set_size(20, 70);
    term.wait_text("终端太小");
    pair.master.resize(size(100, 30)).unwrap();
    term.parser.lock().unwrap().screen_mut().set_size(30, 100);
    term.wait_for("the wide layout again", 30, |s| {
        s.contents().contains("┌ 详情") && !s.contents().contains("终端太小")
    });

    // Help, then quit.
    send("?");
    term.wait_text("帮助：按键");
    send("\x1b");
    term.wait_for("help closed", 30, |s| !s.contents().contains("帮助：按键"));
    send("q");
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "the board did not quit");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");

    // The terminal is back: main screen, cursor shown, no mouse reporting, cooked mode.
    term.wait_for("the main screen", 30, |s| !s.alternate_screen());
    let s = term.parser.lock().unwrap();
    assert!(!s.screen().hide_cursor());
    assert_eq!(
        s.screen().mouse_protocol_mode(),
        vt100::MouseProtocolMode::None
    );
    drop(s);
    #[cfg(unix)]
    {
        let fd = pair.master.as_raw_fd().expect("a unix pty");
        // SAFETY: tcgetattr only writes the termios struct we own.
        let mut t: libc::termios = unsafe { std::mem::zeroed() };
        assert_eq!(unsafe { libc::tcgetattr(fd, &mut t) }, 0);
        assert_ne!(t.c_lflag & libc::ICANON, 0, "canonical mode restored");
        assert_ne!(t.c_lflag & libc::ECHO, 0, "echo restored");
    }
    drop(pair.master);
    drop(keys);
    let _ = pump.join();

    // It never asked the terminal anything (cursor position, device attributes, colours, keyboard
    // protocol), so it cannot hang on a terminal that does not answer.
    let raw = term.raw.lock().unwrap();
    let out = String::from_utf8_lossy(&raw);
    for query in [
        "\x1b[6n",
        "\x1b[c",
        "\x1b[0c",
        "\x1b[>c",
        "\x1b]10;?",
        "\x1b]11;?",
        "\x1b[?u",
        "\x1b[14t",
        "\x1b[18t",
    ] {
        assert!(!out.contains(query), "the board sent the query {query:?}");
    }
    // The demo store in the temp dir is gone; the log went to the state dir.
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
    let log = std::fs::read_to_string(home.path().join("state/jiban/board.log")).unwrap();
    assert!(log.contains("board closed"), "{log}");
}
