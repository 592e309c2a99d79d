//! The server's door: who may connect and as whom, what a misbehaving connection gets (only it
//! is closed), the protocol version check, and a second server refused.

mod server_support;

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use jiban::engine::EngineError;
use jiban::protocol::frame::{decode, encode, read_blocking};
use jiban::protocol::{ServerMessage, PROTOCOL_VERSION};
use jiban::service::Service;
use server_support::*;

/// A raw connection that has said hello as this OS user's login.
fn raw(site: &Site, extra: serde_json::Value) -> UnixStream {
    let mut s = UnixStream::connect(site.socket()).unwrap();
    s.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut hello = serde_json::json!({
        "type": "hello", "protocol": PROTOCOL_VERSION, "client": "raw test", "act_as": null,
        "events": false
    });
    if let (Some(h), Some(e)) = (hello.as_object_mut(), extra.as_object()) {
        h.extend(e.clone());
    }
    s.write_all(&encode(&hello)).unwrap();
    s
}

fn next(s: &mut UnixStream) -> ServerMessage {
    decode(&read_blocking(s, 64 << 20).expect("a frame")).expect("a server message")
}

/// Reads until the server closes the connection; returns the last refusal it gave.
fn closed_with(s: &mut UnixStream) -> String {
    let mut reason = String::new();
    loop {
        match read_blocking(s, 64 << 20) {
            Ok(body) => {
                if let Ok(ServerMessage::Refused { reason: r }) = decode(&body) {
                    reason = r;
                }
            }
            Err(jiban::protocol::frame::FrameError::Closed) => return reason,
            Err(e) => panic!("expected a clean close, got {e}"),
        }
    }
}

#[test]
fn an_os_user_not_in_users_toml_is_refused() {
    let mut site = Site::new(None);
    site.start();
    let err = site.try_client(None, false).err().expect("refused");
    let text = err.to_string();
    assert!(
        text.contains(&format!("OS user {:?} has no jiban login", me())),
        "{text}"
    );
    let out = site.cli(&["cases"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no jiban login"));
    // The socket is for the command center's group only.
    let mode = std::fs::metadata(site.socket())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o660);
}

#[test]
fn a_handler_acts_only_for_its_unit_whatever_it_sends() {
    let mut site = Site::new(Some("ls_haidamaidao"));
    // A case in triage at the Laoshan platform, taken in before the server owns the store.
    let id = site.intake_offline("路灯不亮");
    site.start();

    // --as is for trainers.
    let err = site
        .try_client(Some("ls_dispatch"), false)
        .err()
        .expect("refused");
    assert!(
        err.to_string().contains("--as is for trainers only"),
        "{err}"
    );
    let out = site.cli(&["--as", "trainer", "cases"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("trainers only"));

    // Through the client: the platform's work is refused for a community handler.
    let handler = site.client(None, false);
    assert_eq!(handler.operator().login, "ls_haidamaidao");
    let err = handler
        .execute(&jiban::domain::case::CaseId(id.clone()), &accept(), None)
        .unwrap_err();
    assert!(matches!(err, EngineError::Refused(_)), "{err}");

    // A raw frame naming another operator in every way it can changes nothing.
    let mut s = raw(
        &site,
        serde_json::json!({"operator": "trainer", "login": "trainer"}),
    );
    let ServerMessage::Welcome(w) = next(&mut s) else {
        panic!("a welcome expected")
    };
    assert_eq!(w.user.login, "ls_haidamaidao");
    let request = serde_json::json!({
        "type": "request", "id": 7, "operator": "trainer", "by": "trainer",
        "request": {"request": "execute", "case": id, "expected_version": null,
                    "operator": "trainer",
                    "command": {"command": "accept", "category": "livelihood", "kind": null,
                                "complex": false}}
    });
    s.write_all(&encode(&request)).unwrap();
    match next(&mut s) {
        ServerMessage::Response {
            id: 7,
            result: Err(f),
        } => {
            assert!(f.to_string().contains("not permitted"), "{f}")
        }
        other => panic!("a refusal expected: {other:?}"),
    }
    let out = site.cli(&["act", &id, "accept", "--category", "livelihood"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not permitted"));
    assert_eq!(handler.show(&id).unwrap().case.version, 1);
}

#[test]
fn a_malformed_or_oversized_frame_closes_only_that_connection() {
    let mut site = Site::new(Some("trainer"));
    site.start();
    let good = site.client(None, false);
    let id = take_in(&good, 1).remove(0);

    // Garbage after a good hello.
    let mut bad = raw(&site, serde_json::json!({}));
    assert!(matches!(next(&mut bad), ServerMessage::Welcome(_)));
    bad.write_all(&[0, 0, 0, 5, b'{', b'x', b'!', b'}', b']'])
        .unwrap();
    assert!(closed_with(&mut bad).contains("malformed"));

    // A frame announcing 1 GiB is refused before its body is read.
    let mut huge = raw(&site, serde_json::json!({}));
    assert!(matches!(next(&mut huge), ServerMessage::Welcome(_)));
    huge.write_all(&(1u32 << 30).to_be_bytes()).unwrap();
    let reason = closed_with(&mut huge);
    assert!(
        reason.contains("over the") && reason.contains("limit"),
        "{reason}"
    );

    // A hello that is not JSON at all.
    let mut junk = UnixStream::connect(site.socket()).unwrap();
    junk.set_read_timeout(Some(PATIENCE)).unwrap();
    junk.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    let _ = closed_with(&mut junk);

    // The server and the other client carry on.
    good.execute(&id, &accept(), None).unwrap();
    assert_eq!(good.show(id.as_str()).unwrap().case.version, 2);
}

#[test]
fn a_half_sent_frame_times_out_and_an_idle_one_does_not() {
    let mut site = Site::new(Some("trainer"));
    site.env
        .push(("JIBAN_FRAME_TIMEOUT_MS".into(), "300".into()));
    site.start();
    let idle = site.client(None, false);
    let mut half = raw(&site, serde_json::json!({}));
    assert!(matches!(next(&mut half), ServerMessage::Welcome(_)));
    let began = Instant::now();
    half.write_all(&[0, 0, 0, 40, b'{']).unwrap();
    let reason = closed_with(&mut half);
    assert!(reason.contains("half-sent frame"), "{reason}");
    assert!(began.elapsed() >= Duration::from_millis(300));
    // The idle client, which said nothing all along, still works.
    assert!(idle.list(&Default::default()).unwrap().is_empty());
}

#[test]
fn a_client_of_another_protocol_version_is_told_both_versions() {
    let mut site = Site::new(Some("trainer"));
    site.start();
    let mut s = raw(
        &site,
        serde_json::json!({"protocol": 999, "client": "jiban 9.9.9 board"}),
    );
    let reason = closed_with(&mut s);
    // Both versions: the client's, and the server's own with its program version.
    let server = format!(
        "this server (jiban {} serve) speaks {}",
        env!("CARGO_PKG_VERSION"),
        jiban::protocol::PROTOCOL_VERSION
    );
    assert!(
        reason.contains("protocol mismatch")
            && reason.contains("jiban 9.9.9 board speaks protocol 999")
            && reason.contains(&server),
        "{reason}"
    );
    let mut rest = Vec::new();
    let _ = s.read_to_end(&mut rest);
}

#[test]
fn a_second_server_on_the_same_store_or_socket_is_refused() {
    let mut site = Site::new(Some("trainer"));
    site.start();
    let began = Instant::now();
    let out = jiban(
        &site
            .serve_args()
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("in use by another jiban process"),
        "{out:?}"
    );
    // Another store, the same socket.
    let other = Site::new(Some("trainer"));
    let mut args = other.serve_args();
    let at = args.iter().position(|a| a == "--socket").unwrap() + 1;
    args[at] = site.socket().to_string_lossy().into_owned();
    let out = jiban(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("already listening"),
        "{out:?}"
    );
    eprintln!("two refusals took {:?}", began.elapsed());
    // The first server is unharmed.
    site.client(None, false);
}

#[test]
fn a_client_that_reads_too_slowly_is_told_to_resynchronise() {
    let mut site = Site::new(Some("trainer"));
    site.start();
    // A live connection that reads nothing while a burst is committed.
    let mut slow = raw(&site, serde_json::json!({"events": true}));
    assert!(matches!(next(&mut slow), ServerMessage::Welcome(_)));
    let writer = site.client(None, false);
    let burst = jiban::engine::EVENT_BUFFER * 2;
    assert_eq!(take_in(&writer, burst).len(), burst);
    // Then it reads: some changes, then the notice to rebuild (nothing was dropped silently).
    let mut events = 0;
    loop {
        match next(&mut slow) {
            ServerMessage::Event(_) => events += 1,
            ServerMessage::Resync => break,
            other => panic!("unexpected {other:?}"),
        }
        assert!(
            events < burst,
            "every change arrived and no resync was needed"
        );
    }
    // The connection is still good afterwards.
    let id = take_in(&writer, 1).remove(0);
    loop {
        if let ServerMessage::Event(c) = next(&mut slow) {
            if c.entry.case == id {
                break;
            }
        }
    }
}
