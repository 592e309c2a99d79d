//! End to end: the real binary in a pseudo-terminal (portable-pty), its output fed to a terminal
//! emulator (vt100). Opens the demo, moves through the tree, filters, opens a case, resizes, quits;
//! checks the screen text at each step, that the board never asked the terminal a question, and
//! that the terminal is back in normal mode afterwards. And a dispatcher's day in brief by
//! keystrokes: a triage, a joint assignment and a reply, checked on screen and in the store.

use std::time::{Duration, Instant};

mod pty_support;

use pty_support::*;

/// Escape sequences that ask the terminal something and wait for its answer.
const QUERIES: [&str; 9] = [
    "\x1b[6n",
    "\x1b[c",
    "\x1b[0c",
    "\x1b[>c",
    "\x1b]10;?",
    "\x1b]11;?",
    "\x1b[?u",
    "\x1b[14t",
    "\x1b[18t",
];

#[test]
fn the_demo_board_in_a_real_terminal() {
    let mut s = Session::demo(&[]);
    let term = &s.term;
    // The demo opens on the city, in the alternate screen, with the simulated clock marked.
    term.wait_for("the board", 60, |s| {
        s.alternate_screen() && s.contents().contains("2026-11-23 09:0")
    });
    let screen = term.screen();
    assert!(screen.contains("青岛市「青诉即办」"), "{screen}");
    assert!(screen.contains("模拟"), "{screen}");
    assert!(screen.contains(" 队列"), "{screen}");
    assert!(screen.contains(" 组织 "), "{screen}");

    // Into the tree, down to Laoshan, open it.
    s.send("h");
    s.send("jjjj");
    s.term.wait_text(" 崂山区 在办");
    s.send("l");
    s.term.wait_text("金家岭街道");

    // Filter the district's queue.
    s.send("\r");
    s.send("/");
    s.term.wait_text("筛选 /");
    s.send("噪");
    s.send("\r");
    // A frame can reach the emulator in more than one read: wait for the whole filtered one.
    s.term.wait_for("the filtered queue", 30, |s| {
        let text = s.contents();
        text.contains("“噪”")
            && text.contains("LS-20261120-0001")
            && !text.contains("LS-20261104-0004")
    });

    // Open the case, and scroll its detail to the description and history.
    s.send("\r");
    s.term.wait_text("工单号   QD2611200129");
    s.send("jjjjjjjjjjjj");
    s.term.wait_text("诉求内容");
    s.send("jjjjj");
    s.term.wait_text("办理记录");

    // Narrower: the detail moves below the queue.
    s.resize(80, 24);
    s.term.wait_for("the compact layout", 30, |s| {
        let queue = line_with(s, " 队列");
        let detail = line_with(s, " 详情 ");
        matches!((queue, detail), (Some((q, _)), Some((d, _))) if d > q)
            && s.rows(0, 80)
                .all(|l| unicode_width::UnicodeWidthStr::width(l.as_str()) <= 80)
    });
    // Too small: a notice; back: the board again.
    s.resize(70, 20);
    s.term.wait_text("终端太小");
    s.resize(100, 30);
    s.term.wait_for("the board again", 30, |s| {
        s.contents().contains(" 详情 ") && !s.contents().contains("终端太小")
    });

    // Help, then quit.
    s.send("?");
    s.term.wait_text("帮助：按键");
    s.send("\x1b");
    s.term
        .wait_for("help closed", 30, |s| !s.contents().contains("帮助：按键"));
    s.send("q");
    let status = s.wait_exit();
    assert!(status.success(), "{status:?}");
    // The log went to the state dir, not the screen.
    let log = std::fs::read_to_string(s.home.path().join("state/jiban/board.log")).unwrap();
    assert!(log.contains("board closed"), "{log}");
    let out = s.assert_restored();
    // It never asked the terminal anything, so it cannot hang on one that does not answer.
    for query in QUERIES {
        assert!(!out.contains(query), "the board sent the query {query:?}");
    }
}

#[cfg(unix)]
#[test]
fn sigterm_ends_the_board_and_restores_the_terminal() {
    let mut s = Session::demo(&[]);
    s.term.wait_for("the board", 60, |s| {
        s.alternate_screen() && s.contents().contains(" 队列")
    });
    let pid = s.child.process_id().expect("a pid") as libc::pid_t;
    // SAFETY: signalling our own child.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let status = s.wait_exit();
    assert!(status.success(), "{status:?}");
    s.assert_restored();
}

/// Runs the demo on a bare pseudo-terminal whose master this test alone holds, so closing it
/// hangs the terminal up for real (portable-pty's reader clones keep the master open).
#[cfg(target_os = "linux")]
#[test]
fn a_hung_up_terminal_ends_the_board_instead_of_spinning() {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::os::unix::process::CommandExt;

    let (home, tmp) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (mut master, mut slave) = (0, 0);
    let size = libc::winsize {
        ws_row: 30,
        ws_col: 100,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty writes the two descriptors it creates; we own and close them.
    let made = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(made, 0, "openpty");
    // SAFETY: fresh descriptors from openpty, each owned once.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    // The child must not inherit the master, or it would keep its own terminal open.
    // SAFETY: fcntl on a descriptor we own.
    assert_eq!(
        unsafe { libc::fcntl(master.as_raw_fd(), libc::F_SETFD, libc::FD_CLOEXEC) },
        0
    );
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_jiban"));
    cmd.args(["--now", "2026-11-23T09:00:00+08:00", "demo"])
        .env("TERM", "xterm-256color")
        .env("LANG", "C.UTF-8")
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("TMPDIR", tmp.path())
        .env_remove("JIBAN_DATA")
        .env_remove("NO_COLOR")
        .stdin(slave.try_clone().unwrap())
        .stdout(slave.try_clone().unwrap())
        .stderr(slave.try_clone().unwrap());
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            libc::ioctl(0, libc::TIOCSCTTY as _, 0);
            Ok(())
        });
    }
    let mut child = cmd.spawn().expect("spawn the board");
    drop(slave);
    let fd = master.as_raw_fd();
    let (mut seen, mut buf) = (Vec::new(), [0u8; 8192]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !String::from_utf8_lossy(&seen).contains("队列") {
        assert!(Instant::now() < deadline, "the board did not draw");
        let mut p = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one pollfd and a buffer we own.
        if unsafe { libc::poll(&mut p, 1, 100) } > 0 {
            let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
            if n > 0 {
                seen.extend_from_slice(&buf[..n as usize]);
            }
        }
    }
    // Close the only master, as a dropped SSH connection does.
    drop(master);
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            panic!("the board still runs 20 s after its terminal hung up");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    // It ends cleanly: no panic ("failed printing to stderr" once made it exit 101).
    let log =
        std::fs::read_to_string(home.path().join("state/jiban/board.log")).unwrap_or_default();
    assert_ne!(
        status.code(),
        Some(101),
        "the board panicked: {status}\n{log}"
    );
    assert!(
        status.code().is_some(),
        "the board died of a signal: {status}"
    );
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(left.is_empty(), "the demo store is removed: {left:?}");
}

#[test]
fn a_panic_restores_the_terminal_and_leaves_the_message_readable() {
    let mut s = Session::demo_with_env(&[], &[("FAILPOINTS", "board-panic-key=return(~)")]);
    s.term.wait_for("the board", 60, |s| {
        s.alternate_screen() && s.contents().contains(" 队列")
    });
    s.send("~");
    let status = s.wait_exit();
    assert!(!status.success(), "a panic exits with failure: {status:?}");
    let out = s.assert_restored();
    assert!(
        out.contains("injected panic"),
        "the panic message is printed"
    );
}

#[test]
fn arrivals_appear_without_a_key_press() {
    let mut s = Session::demo(&["--live", "1"]);
    s.term.wait_for("the board", 60, |s| {
        // 95 open: the demo's cases left open, and the look-back's false closure reopened.
        s.alternate_screen() && s.contents().contains(" 队列 · 层级 · 按期限 · 95 ")
    });
    // No key is sent: the engine's changes reach the screen on their own.
    s.term.wait_for("two arrivals", 30, |s| {
        s.contents().contains(" 队列 · 层级 · 按期限 · 97 ")
            && s.contents().contains("青岛市 在办 97")
    });
    s.send("q");
    assert!(s.wait_exit().success());
    s.assert_restored();
}

/// Keys as a terminal sends them.
const ENTER: &str = "\r";
/// Ctrl-S: submits a panel from any field (raw mode turns XON/XOFF off, so it reaches the board).
const SUBMIT: &str = "\x13";
const TAB: &str = "\t";
const DOWN: &str = "\x1b[B";
const LEFT: &str = "\x1b[D";

#[test]
fn a_triage_a_joint_assignment_and_a_reply_by_keystrokes() {
    let data = tempfile::tempdir().unwrap();
    let store = data.path().join("store");
    let mut s = Session::demo(&["--data", store.to_str().unwrap()]);
    s.term.wait_for("the board", 60, |s| {
        s.alternate_screen() && s.contents().contains(" 队列")
    });

    // Triage: accept (the panel shows the limit and due date first), then route to the
    // requester's community, the panel's suggestion, taken with ↓ and Enter.
    s.send(":LS-20261104-0002\r");
    s.term.wait_text("亚麦山城小区9号楼");
    s.send("a");
    s.term.wait_text("办理 · LS-20261104-0002");
    s.send("a");
    s.term.wait_text("将：时限 2 个工作日");
    s.send(SUBMIT);
    s.term.wait_text("已执行: 受理 LS-20261104-0002");
    s.send("ad");
    s.term.wait_text("诉求人所在社区");
    s.send(DOWN);
    s.send(ENTER);
    s.term.wait_text("laoshan.jinjialing.haidamaidao");
    s.send(ENTER);
    s.term.wait_text("已执行: 转办 LS-20261104-0002");

    // A joint assignment: accept as enforcement, then a lead and two supporting units (one by
    // name), with the due date on the working-day calendar shown before Enter.
    s.send(":LS-20261113-0001\r");
    s.term.wait_text("共享单车乱停放");
    s.send("aa");
    s.term.wait_text("将：时限 10 个工作日");
    s.send(SUBMIT);
    s.term.wait_text("已执行: 受理 LS-20261113-0001");
    s.send("aj");
    s.term.wait_text("联合派单 · LS-20261113-0001");
    s.send("laoshan.enforcement");
    s.send(TAB);
    s.send("laoshan.transport,金家岭街道");
    s.term.wait_text("将：时限 10 个工作日 · 期限");
    s.send(SUBMIT);
    s.term.wait_text("已执行: 联合派单 LS-20261113-0001");

    // A reply: the four elements, Tab between them, a pasted basis, a name corrected by moving
    // the cursor, and a phone that is refused until it is plausible.
    s.send(":LS-20261109-0001\r");
    s.term.wait_text("学区划片");
    s.send("ar");
    s.term.wait_text("答复 · LS-20261109-0001");
    s.send("已联系诉求人，告知学区划片结果");
    s.send(TAB);
    s.send("\x1b[200~《青岛市义务教育招生入学工作意见》\n第三条\x1b[201~");
    s.send(TAB);
    s.send("刘师");
    s.send(LEFT);
    s.send("老");
    s.send(TAB);
    s.send("0532-87");
    s.send(ENTER);
    s.term.wait_text("不像有效电话");
    s.send("654321");
    s.send(ENTER);
    s.term.wait_text("已执行: 答复 LS-20261109-0001");
    s.send("q");
    assert!(s.wait_exit().success());
    s.assert_restored();

    // The store holds what was typed.
    let clock = std::sync::Arc::new(jiban::domain::clock::SimulatedClock::fixed(
        chrono::Utc::now(),
    ));
    let engine = jiban::engine::Engine::open(&store, clock).unwrap();
    let c = engine.show("LS-20261104-0002").unwrap().case;
    assert_eq!(c.holder.as_str(), "laoshan.jinjialing.haidamaidao");
    let c = engine.show("LS-20261113-0001").unwrap().case;
    assert_eq!(
        c.lead.as_ref().map(|u| u.as_str()),
        Some("laoshan.enforcement")
    );
    let support: Vec<&str> = c.supporting.iter().map(|u| u.as_str()).collect();
    assert_eq!(support, ["laoshan.transport", "laoshan.jinjialing"]);
    let view = engine.show("LS-20261109-0001").unwrap();
    let reply = view.case.reply.unwrap();
    assert_eq!(reply.basis, "《青岛市义务教育招生入学工作意见》 第三条");
    assert_eq!(
        (reply.person.as_str(), reply.phone.as_str()),
        ("刘老师", "0532-87654321")
    );
    let last = view.history.last().unwrap();
    assert_eq!((last.event.action(), last.by.as_str()), ("reply", "admin"));
}

/// Ctrl-Z from a shell with job control: the board gives the terminal back and stops; `fg`
/// brings it back, redrawn whole.
#[cfg(target_os = "linux")]
#[test]
fn ctrl_z_suspends_the_board_to_the_shell_and_fg_brings_it_back() {
    let mut s = Session::spawn_program(
        "bash",
        &["--norc", "--noprofile", "-i"],
        &[("PS1", "READY$ ")],
    );
    s.term.wait_text("READY$ ");
    s.send(&format!(
        "{} --now 2026-11-23T09:00:00+08:00 demo\r",
        env!("CARGO_BIN_EXE_jiban")
    ));
    s.term.wait_for("the board", 60, |s| {
        s.alternate_screen() && s.contents().contains(" 队列")
    });
    s.send("\x1a");
    s.term
        .wait_for("the shell, with the board stopped", 30, |s| {
            !s.alternate_screen() && s.contents().contains("Stopped")
        });
    s.send("fg\r");
    s.term.wait_for("the board again", 30, |s| {
        s.alternate_screen() && s.contents().contains(" 队列") && s.contents().contains("青岛市")
    });
    s.send("q");
    s.term.wait_for("the prompt after quitting", 30, |s| {
        !s.alternate_screen() && s.contents().matches("READY$ ").count() >= 2
    });
    s.send("exit\r");
    assert!(s.wait_exit().success());
    s.assert_restored();
}

/// Started without a job-control shell (it leads its own session, as `ssh -t host jiban board`
/// does), the board cannot be resumed once stopped: Ctrl-Z leaves it running and says why.
#[test]
fn ctrl_z_without_a_job_control_shell_says_why_and_keeps_the_board() {
    let mut s = Session::demo(&[]);
    s.term.wait_for("the board", 60, |s| {
        s.alternate_screen() && s.contents().contains(" 队列")
    });
    s.send("\x1a");
    s.term.wait_text("无法挂起");
    assert!(s.term.parser.lock().unwrap().screen().alternate_screen());
    s.send("q");
    assert!(s.wait_exit().success());
    s.assert_restored();
}
