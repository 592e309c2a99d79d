//! Every check of intake and of command options runs in the domain, whichever door a request
//! comes through (issue #10, item 7): a raw frame on the socket gets no further than an intake
//! line would.

mod server_support;

use jiban::domain::case::{Channel, Requester};
use jiban::domain::intake::NewCase;
use jiban::domain::org::UnitId;
use jiban::service::Service;
use server_support::{take_in, Site};

fn case(title: &str, phone: &str, community: Option<&str>) -> NewCase {
    NewCase {
        source: None,
        district: UnitId::new("laoshan"),
        channel: Channel::Hotline,
        title: title.into(),
        description: "d".into(),
        requester: Requester {
            name: "李娜".into(),
            phone: phone.into(),
        },
        address: None,
        community: community.map(UnitId::new),
        category: None,
        received_at: None,
        external_id: None,
    }
}

#[test]
fn a_raw_intake_frame_is_checked_like_an_intake_line() {
    let mut site = Site::new(Some("trainer"));
    site.start();
    let client = site.client(None, false);
    let refused = [
        (case("", "13853215678", None), "title"),
        (case(&"长".repeat(1_000_000), "13853215678", None), "title"),
        (case("路灯不亮", "not a phone", None), "requester.phone"),
        (
            case("路灯不亮", "13853215678", Some("shibei.taidong.buxingjie")),
            "community",
        ),
    ];
    for (c, field) in refused {
        let e = client.intake(vec![c]).expect_err("refused");
        assert!(e.to_string().contains(field), "{field}: {e}");
    }
    let stored = client
        .list(&jiban::engine::query::CaseFilter::default())
        .expect("list");
    assert!(stored.is_empty(), "nothing stored: {stored:?}");
}

#[test]
fn an_absurd_extension_preview_is_refused_not_overflowed() {
    let mut site = Site::new(Some("trainer"));
    site.start();
    let client = site.client(None, false);
    let id = take_in(&client, 1).remove(0);
    let e = client
        .extension_due(id.as_str(), u32::MAX)
        .expect_err("refused");
    assert!(e.to_string().contains("days"), "{e}");
}

#[test]
fn what_a_client_sends_reaches_the_log_short_escaped_and_without_phones() {
    use std::io::Write as _;
    let mut site = Site::new(Some("trainer"));
    site.start();
    let socket = site.socket();
    // A hello with a 3 MB client name holding a phone and an escape sequence.
    let name = format!("13853215678\u{1b}[2J{}", "x".repeat(3 << 20));
    let hello = jiban::protocol::ClientMessage::Hello(jiban::protocol::Hello {
        protocol: jiban::protocol::PROTOCOL_VERSION,
        client: name,
        act_as: None,
        events: false,
    });
    let mut s = std::os::unix::net::UnixStream::connect(&socket).expect("connect");
    s.write_all(&jiban::protocol::frame::encode(&hello))
        .expect("hello");
    // A malformed frame carrying a phone.
    let mut t = std::os::unix::net::UnixStream::connect(&socket).expect("connect");
    let junk = br#"{"hello":{"phone":"13853215678","x":"#;
    t.write_all(&(junk.len() as u32).to_be_bytes())
        .expect("prefix");
    t.write_all(junk).expect("junk");
    // Both are answered (the first welcomed, the second refused) before the log is read.
    let mut buf = [0u8; 64];
    for mut conn in [s, t] {
        conn.set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .expect("timeout");
        let _ = std::io::Read::read(&mut conn, &mut buf);
    }
    let _ = site.cli(&["cases", "--limit", "1"]);
    let (_, _) = site.stop_with(libc::SIGTERM);
    let log = site.server_log();
    assert!(log.len() < 64 << 10, "the log took {} bytes", log.len());
    assert!(!log.contains("13853215678"), "a phone reached the log");
    assert!(!log.contains('\u{1b}'), "an escape reached the log");
}

#[test]
fn the_loser_of_two_concurrent_commands_is_told_the_case_changed() {
    let mut site = Site::new(Some("trainer"));
    site.start();
    let client = site.client(None, false);
    let id = take_in(&client, 1).remove(0);
    let socket = site.socket();
    // The first `act` reads the case, then waits (a failpoint) while the second one acts.
    let marker = site.dir.path().join("read");
    let slow = std::process::Command::new(env!("CARGO_BIN_EXE_jiban"))
        .args(["--connect", socket.to_str().expect("path")])
        .args(["act", id.as_str(), "accept", "--category", "livelihood"])
        .env(
            "FAILPOINTS",
            format!("cli-act-after-read=return({})", marker.display()),
        )
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !marker.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the slow act never read the case"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let fast = site.cli(&["act", id.as_str(), "accept", "--category", "livelihood"]);
    assert!(fast.status.success(), "{fast:?}");
    let out = slow.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("this case changed"), "{err}");
}
