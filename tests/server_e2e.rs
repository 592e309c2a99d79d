//! End to end over the socket: the real `jiban board --connect` in a pseudo-terminal beside the
//! real `jiban serve`. A command from the CLI appears on the board with no key pressed; the
//! server is killed and the board shows the banner and keeps the form being typed; the server
//! comes back and the board reconnects by itself, and the form is sent.

mod pty_support;
mod server_support;

use pty_support::Session;
use server_support::*;

#[test]
fn a_board_over_the_socket_follows_changes_and_survives_a_server_restart() {
    let mut site = Site::new(Some("trainer"));
    let id = site.intake_offline("沙子口路灯不亮");
    site.start();
    let socket = site.socket().to_string_lossy().into_owned();
    let mut board = Session::spawn(
        &[
            "--connect",
            &socket,
            "--as",
            "ls_dispatch",
            "board",
            "--lang",
            "en",
        ],
        &[],
    );
    board.term.wait_text("Lao Xian Ban");
    board.send(&format!(":{id}\r"));
    board.term.wait_text("沙子口路灯不亮");

    // The CLI, another process, accepts it: the board shows it without a key pressed.
    let out = site.cli(&[
        "--as",
        "ls_dispatch",
        "act",
        &id,
        "accept",
        "--category",
        "livelihood",
    ]);
    assert!(out.status.success(), "{out:?}");
    board.term.wait_text("Accepted   2026-11-23");

    // The server dies while the dispatcher has the dispatch form open.
    board.send(":dispatch\r");
    board.term.wait_text("dispatch · ");
    board.send("\x1b[B");
    site.stop_with(libc::SIGKILL);
    board.term.wait_text("disconnected — reconnecting");

    // It comes back: the banner goes, the board is live again.
    site.start();
    board.term.wait_for("the banner to go", 20, |s| {
        !s.contents().contains("disconnected")
    });
    board.term.wait_text("Reconnected");
    assert!(
        board.term.screen().contains("dispatch · "),
        "the form is kept"
    );
    // The kept form is sent: Enter takes the highlighted unit, Enter again dispatches, through
    // the new connection.
    board.send("\r");
    board.term.wait_text("laoshan.");
    board.send("\r");
    board
        .term
        .wait_for("the dispatch after the restart", 20, |s| {
            s.contents().contains("assigned")
        });
    let out = site.cli(&["show", "--json", &id]);
    assert!(out.status.success(), "{out:?}");
    let view: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(view["stage"], "assigned", "{view}");
    let last = view["history"]
        .as_array()
        .and_then(|h| h.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (last["action"].as_str(), last["by"].as_str()),
        (Some("dispatch"), Some("ls_dispatch")),
        "{last}"
    );
    board.send("q");
    let status = board.wait_exit();
    assert!(status.success(), "{status:?}");
}
