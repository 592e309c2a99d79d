//! A whole shift on the real board in a pseudo-terminal, one login after another on one store:
//! the platform triages and dispatches by the panel's suggestion, the community signs and starts
//! its reply, the terminal hangs up in the middle of the reply, the reopened board offers the
//! draft back and the reply goes out, then the platform approves it and records the callback.

mod pty_support;

use pty_support::*;

const NOW: &str = "2026-11-23T09:00:00+08:00";
const CASE: &str = "LS-20261104-0002";
const ENTER: &str = "\r";
const TAB: &str = "\t";
const DOWN: &str = "\x1b[B";
const RIGHT: &str = "\x1b[C";
/// Ctrl-S: submits a panel from any field.
const SUBMIT: &str = "\x13";

/// The board of `login` on `store`, with drafts under `state`.
fn board(store: &str, state: &str, login: &str) -> Session {
    let s = Session::spawn(
        &["--now", NOW, "--data", store, "--as", login, "board"],
        &[("XDG_STATE_HOME", state)],
    );
    s.term.wait_for("the board", 60, |s| {
        s.alternate_screen() && s.contents().contains(" 队列")
    });
    s
}

fn quit(mut s: Session) {
    s.send("q");
    assert!(s.wait_exit().success());
}

fn stage_of(store: &str) -> serde_json::Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jiban"))
        .args(["--data", store, "--now", NOW, "show", "--json", CASE])
        .env_remove("JIBAN_DATA")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_shift_from_triage_to_callback_survives_a_hang_up_in_the_middle_of_the_reply() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let state = dir.path().join("state");
    let (store, state) = (store.to_str().unwrap(), state.to_str().unwrap());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jiban"))
        .args(["--data", store, "--now", NOW, "init", "--demo"])
        .env_remove("JIBAN_DATA")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");

    // The platform: accept (Ctrl-S from the first field), then dispatch to the suggested unit.
    let mut s = board(store, state, "ls_dispatch");
    s.send(&format!(":{CASE}\r"));
    s.term.wait_text("亚麦山城小区9号楼");
    s.send(":accept\r");
    s.term.wait_text("将：时限 2 个工作日");
    s.send(SUBMIT);
    s.term.wait_text(&format!("已执行: 受理 {CASE}"));
    s.send(":dispatch\r");
    s.term.wait_text("诉求人所在社区");
    s.send(DOWN);
    s.send(ENTER);
    s.term.wait_text("laoshan.jinjialing.haidamaidao");
    s.send(ENTER);
    s.term.wait_text(&format!("已执行: 转办 {CASE}"));
    quit(s);

    // The community signs, and starts its reply; Enter moves on instead of sending it.
    let mut s = board(store, state, "ls_haidamaidao");
    s.send(&format!(":{CASE}\r"));
    s.term.wait_text("亚麦山城小区9号楼");
    s.send(":sign\r");
    s.term.wait_text(&format!("已执行: 签收 {CASE}"));
    s.send(":reply\r");
    s.term.wait_text(&format!("答复 · {CASE}"));
    s.send("已联系物业公司，台阶本周内修复");
    s.send(ENTER);
    s.send("《青岛市物业管理条例》");
    s.term.wait_text("《青岛市物业管理条例》");
    // The line drops: the board gets SIGHUP, as from a closed SSH session.
    let pid = s.child.process_id().expect("a pid") as libc::pid_t;
    // SAFETY: a signal to the child this test spawned.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGHUP) }, 0);
    let status = s.wait_exit();
    assert!(
        status.success(),
        "a hang-up ends the board cleanly: {status:?}"
    );
    assert!(stage_of(store)["reply"].is_null(), "nothing sent");

    // Reopened: the draft is offered back with both fields as typed.
    let mut s = board(store, state, "ls_haidamaidao");
    s.send(&format!(":{CASE}\r"));
    s.term.wait_text("亚麦山城小区9号楼");
    s.send(":reply\r");
    s.term.wait_text("已恢复草稿");
    s.term.wait_text("已联系物业公司，台阶本周内修复");
    s.term.wait_text("《青岛市物业管理条例》");
    // The focus came back to the basis; the person is the login's own name; the phone last.
    s.send("第四十条");
    s.send(TAB);
    s.send(TAB);
    s.send("0532-85912345");
    s.send(SUBMIT);
    s.term.wait_text(&format!("已执行: 答复 {CASE}"));
    quit(s);
    let view = stage_of(store);
    assert_eq!(view["reply"]["basis"], "《青岛市物业管理条例》第四十条");
    assert_eq!(view["reply"]["result"], "已联系物业公司，台阶本周内修复");
    // Sent: the draft is gone from disk.
    let left: Vec<_> = walk(std::path::Path::new(state));
    assert!(left.is_empty(), "drafts left: {left:?}");

    // The platform approves the reply (it asks first) and records the callback.
    let mut s = board(store, state, "ls_dispatch");
    s.send(&format!(":{CASE}\r"));
    s.term.wait_text("亚麦山城小区9号楼");
    s.send(":approve-reply\r");
    s.term.wait_text("y 确认");
    s.send("y");
    s.term.wait_text(&format!("已执行: 审核通过 {CASE}"));
    s.send(":evaluate\r");
    s.term.wait_text(&format!("回访评价 · {CASE}"));
    s.send(RIGHT);
    s.send(TAB);
    s.send(RIGHT);
    s.send(SUBMIT);
    s.term.wait_text("y 确认");
    s.send("y");
    s.term.wait_text(&format!("已执行: 回访评价 {CASE}"));
    quit(s);
    let view = stage_of(store);
    assert_eq!(view["stage"], "closed", "{view}");
}

/// Every draft file under `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.to_string_lossy().contains("drafts") {
            out.push(p);
        }
    }
    out
}
