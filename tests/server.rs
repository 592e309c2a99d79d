//! `jiban serve` end to end: the real server binary on a temp socket, boards and clients
//! connected to it, the CLI and `jiban watch` through `--connect`, stale versions, and the server
//! killed and restarted under connected clients.

mod board_support;
mod server_support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;

use board_support::keys::keys;
use board_support::{drive, reject_actions};
use jiban::board::action::Action;
use jiban::board::app::Mode;
use jiban::board::i18n::Lang;
use jiban::board::{App, Settings};
use jiban::domain::case::{CaseId, Stage};
use jiban::domain::command::Command as Act;
use jiban::engine::EngineError;
use jiban::service::{Link, Service, Update};
use server_support::*;

fn board(session: Arc<dyn Service>) -> App {
    App::over(session, Settings::plain("default", Lang::En)).expect("board")
}

fn stage_on_board(app: &App, id: &str) -> Option<(Stage, u64)> {
    let row = app.model().row(app.model().find(id)?);
    Some((row.stage, row.version))
}

#[test]
fn a_command_from_one_client_shows_on_every_other_board() {
    let mut site = Site::new(Some("trainer"));
    site.start();
    let trainer = site.client(None, false);
    let ids = take_in(&trainer, 2);
    // Two boards: the district dispatcher's and the trainer's, both live.
    let mut dispatch = board(Arc::new(site.client(Some("ls_dispatch"), true)));
    let mut watcher = board(Arc::new(site.client(None, true)));
    assert_eq!(dispatch.operator().login, "ls_dispatch");
    assert_eq!(
        stage_on_board(&watcher, ids[0].as_str()).unwrap().0,
        Stage::Triage
    );

    // The CLI (another process) accepts one case; both boards see it without a key pressed.
    let out = site.cli(&[
        "--as",
        "ls_dispatch",
        "act",
        ids[0].as_str(),
        "accept",
        "--category",
        "livelihood",
    ]);
    assert!(out.status.success(), "{out:?}");
    for app in [&mut dispatch, &mut watcher] {
        eventually("the accept on the board", || {
            app.pump();
            stage_on_board(app, ids[0].as_str()).filter(|(_, v)| *v == 2)
        });
    }
    // The dispatcher's board acts by keys; the trainer's board follows.
    keys(&mut dispatch, &format!(":{}⏎", ids[1]));
    keys(&mut dispatch, ":accept --category livelihood⏎");
    assert!(
        dispatch.status().is_some_and(|(_, ok)| ok),
        "{:?}",
        dispatch.status()
    );
    eventually("the board's accept on the other board", || {
        watcher.pump();
        stage_on_board(&watcher, ids[1].as_str()).filter(|(_, v)| *v == 2)
    });
    // Every command the server acknowledged is in the store, attributed to the right login.
    let view = trainer.show(ids[1].as_str()).unwrap();
    assert_eq!(view.history.last().unwrap().by, "ls_dispatch");
}

#[test]
fn a_stale_version_is_refused_with_what_changed_and_the_board_keeps_the_form() {
    let mut site = Site::new(Some("trainer"));
    site.start();
    let trainer = site.client(None, false);
    let id = take_in(&trainer, 1).remove(0);
    let mut app = board(Arc::new(site.client(Some("ls_dispatch"), true)));
    app.handle(Action::Run(id.to_string()));
    assert_eq!(stage_on_board(&app, id.as_str()), Some((Stage::Triage, 1)));

    // The board's dispatcher fills in a rejection and reaches its confirmation, made against
    // version 1.
    drive(
        &mut app,
        &reject_actions(id.as_str(), "7", "不属于本区管辖"),
    );
    assert!(matches!(app.mode, Mode::Confirm(_)), "{:?}", app.status());

    // Meanwhile another dispatcher accepts it; their next command made on version 1 is stale.
    let other = site.client(Some("ls_dispatch"), false);
    other.execute(&id, &accept(), Some(1)).unwrap();
    let err = other.execute(&id, &Act::Sign, Some(1)).unwrap_err();
    assert!(
        matches!(
            err,
            EngineError::Conflict {
                expected: 1,
                found: 2,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("this case changed: accept by ls_dispatch"),
        "{err}"
    );

    // The board's confirmation goes to the server with version 1: refused, with what changed.
    app.handle(Action::Confirm);
    let (msg, ok) = app.status().expect("a status");
    assert!(
        !ok && msg.contains("this case changed: accept by ls_dispatch"),
        "{msg}"
    );
    // The form is back as typed, and the case on the board is the case as it stands now.
    let Mode::Form(form) = &app.mode else {
        panic!("the form should be back: {:?}", app.mode);
    };
    assert!(format!("{form:?}").contains("不属于本区管辖"), "{form:?}");
    assert_eq!(form.version, 2);
    assert_eq!(stage_on_board(&app, id.as_str()), Some((Stage::Triage, 2)));
    // Sent again, it is judged against the case as it is now: no second conflict, but the
    // lifecycle's own answer (an accepted case is not rejected).
    app.handle(Action::Submit);
    app.handle(Action::Confirm);
    let (msg, ok) = app.status().expect("a status");
    assert!(
        !ok && !msg.contains("changed") && msg.contains("already accepted"),
        "{msg}"
    );
    assert_eq!(trainer.show(id.as_str()).unwrap().case.version, 2);
}

/// The lines of a stream, forwarded from a thread of their own.
fn lines_of(r: impl std::io::Read + Send + 'static) -> std::sync::mpsc::Receiver<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(r).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

#[test]
fn watch_prints_one_json_line_per_committed_change_and_reconnects() {
    let mut site = Site::new(Some("trainer"));
    site.start();
    let mut watch = Command::new(env!("CARGO_BIN_EXE_jiban"))
        .args([
            "--connect",
            site.socket().to_str().unwrap(),
            "watch",
            "--json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn watch");
    // Each stream is read on a thread of its own, so a watch that stops talking fails the test
    // after a timeout instead of hanging it.
    let lines = lines_of(watch.stdout.take().unwrap());
    let said = lines_of(watch.stderr.take().unwrap());
    let next = |rx: &std::sync::mpsc::Receiver<String>, what: &str| {
        rx.recv_timeout(std::time::Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("no {what} from watch"))
    };
    // It says who it watches as once it is connected; only then can nothing be missed.
    let hello = next(&said, "hello");
    assert!(hello.contains("watching as trainer"), "{hello}");
    let trainer = site.client(None, false);
    let id = take_in(&trainer, 1).remove(0);
    trainer.execute(&id, &accept(), None).unwrap();
    let mut got = Vec::new();
    for _ in 0..2 {
        let line = next(&lines, "change");
        got.push(serde_json::from_str::<serde_json::Value>(&line).expect("JSON line"));
    }
    // The server is killed and comes back: watch says so, reconnects by itself, and prints
    // the changes made after.
    site.stop_with(libc::SIGKILL);
    assert!(next(&said, "the drop").contains("reconnecting"));
    site.start();
    assert!(next(&said, "the reconnect").contains("reconnected"));
    let trainer = site.client(None, false);
    trainer
        .execute(
            &id,
            &Act::Dispatch {
                to: jiban::domain::org::UnitId::new("laoshan.jinjialing.haidamaidao"),
            },
            None,
        )
        .unwrap();
    let after: serde_json::Value =
        serde_json::from_str(&next(&lines, "the change after the restart")).expect("JSON");
    assert_eq!(
        (after["action"].as_str(), after["seq"].as_u64()),
        (Some("dispatch"), Some(3))
    );
    let _ = watch.kill();
    let _ = watch.wait();
    assert_eq!(got[0]["case"], id.as_str());
    assert_eq!(got[0]["action"], "intake");
    assert_eq!(got[1]["action"], "accept");
    assert_eq!(got[1]["seq"], 2);
    assert_eq!(got[1]["by"], "trainer");
    assert!(
        got[1]["at"].as_str().unwrap().ends_with("+08:00"),
        "{}",
        got[1]
    );
    assert_eq!(got[1]["stage"], "triage");
    assert_eq!(got[1]["holder"], "laoshan");
}

#[test]
fn killed_and_restarted_the_server_loses_no_acknowledged_command_and_clients_reconnect() {
    let mut site = Site::new(Some("trainer"));
    site.start();
    let writer = site.client(Some("ls_dispatch"), true);
    let mut feed = writer.subscribe();
    let mut app = board(Arc::new(site.client(None, true)));
    let ids = take_in(&site.client(None, false), 230);
    let mut acked = Vec::new();
    for id in &ids[..20] {
        acked.push(writer.execute(id, &accept(), None).unwrap());
    }
    // Eight more writers keep committing while the server is killed under them: whatever was
    // acknowledged before the kill must be there afterwards.
    let (tx, rx) = std::sync::mpsc::channel();
    let loaders: Vec<_> = (0..8)
        .map(|w| {
            let client = site.client(Some("ls_dispatch"), false);
            let mine: Vec<_> = ids[30 + w * 25..30 + (w + 1) * 25].to_vec();
            let tx = tx.clone();
            std::thread::spawn(move || {
                for id in mine {
                    match client.execute(&id, &accept(), None) {
                        Ok(entry) => tx.send(entry).unwrap(),
                        Err(_) => return,
                    }
                }
            })
        })
        .collect();
    drop(tx);
    let mut under_load = Vec::new();
    while under_load.len() < 40 {
        under_load.push(rx.recv_timeout(PATIENCE).expect("commands under load"));
    }
    let (code, _) = site.stop_with(libc::SIGKILL);
    assert_eq!(code, None, "killed by the signal");
    for l in loaders {
        l.join().unwrap();
    }
    under_load.extend(rx.iter());
    acked.extend(under_load);

    // Both sides see the link go down; a command now fails at once, saying so.
    wait_update(&mut feed, "the link down", |u| {
        matches!(u, Update::Link(Link::Down(_)))
    });
    eventually("the board's banner", || {
        app.pump();
        matches!(app.link(), Link::Down(_)).then_some(())
    });
    let screen = board_support::screen(&mut app, 120, 30);
    assert!(screen.contains("disconnected — reconnecting"), "{screen}");
    let err = writer.execute(&ids[25], &accept(), None).unwrap_err();
    assert!(matches!(err, EngineError::Disconnected(_)), "{err}");

    site.start();
    wait_update(&mut feed, "the link up", |u| {
        matches!(u, Update::Link(Link::Up))
    });
    eventually("the board to reconnect", || {
        app.pump();
        (app.link() == Link::Up).then_some(())
    });
    assert!(!board_support::screen(&mut app, 120, 30).contains("disconnected"));
    // Every acknowledged command survived the kill.
    assert!(acked.len() >= 60, "{} acknowledged", acked.len());
    for entry in &acked {
        let view = writer.show(entry.case.as_str()).unwrap();
        assert!(view.history.contains(entry), "lost {entry:?}");
        assert_eq!(
            stage_on_board(&app, entry.case.as_str()),
            Some((Stage::Triage, 2))
        );
    }
    // And the same session goes on working.
    writer.execute(&ids[25], &accept(), None).unwrap();
    eventually("the new command on the board", || {
        app.pump();
        stage_on_board(&app, ids[25].as_str()).filter(|(_, v)| *v == 2)
    });
}

#[test]
fn sigterm_finishes_cleanly_tells_clients_and_removes_the_socket() {
    let mut site = Site::new(Some("trainer"));
    site.start();
    let client = site.client(None, true);
    let mut feed = client.subscribe();
    let id = take_in(&client, 1).remove(0);
    client.execute(&id, &accept(), None).unwrap();
    let (code, _) = site.stop_with(libc::SIGTERM);
    assert_eq!(code, Some(0));
    let down = wait_update(&mut feed, "the link down", |u| {
        matches!(u, Update::Link(Link::Down(_)))
    });
    assert!(format!("{down:?}").contains("stopping"), "{down:?}");
    assert!(!site.socket().exists(), "the socket is removed");
    assert!(site.server_log().contains("the store is flushed"));
    // The store opens embedded afterwards with the command in it.
    let out = jiban(&[
        "--data",
        site.store().to_str().unwrap(),
        "--now",
        server_support::NOW,
        "show",
        id.as_str(),
        "--json",
    ]);
    assert!(out.status.success(), "{out:?}");
    let view: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(view["version"], 2);
}

#[test]
fn a_calendar_added_through_the_server_moves_deadlines_on_a_connected_board_without_a_key() {
    let mut site = Site::new(Some("trainer"));
    site.start();
    let trainer = site.client(None, false);
    let id = take_in(&trainer, 1).remove(0);
    let mut app = board(Arc::new(site.client(Some("ls_dispatch"), true)));
    let due_on_board = |app: &App| {
        let row = app.model().row(app.model().find(id.as_str())?);
        row.clocks.first().map(|c| c.due_at)
    };
    let before = due_on_board(&app).expect("a triage clock");
    // A corrected 2026 notice: Tuesday 24 November becomes a day off.
    let text = format!(
        "{}\n[[holiday]]\nname = \"调整\"\noff = \"2026-11-24\"\nworkdays = []\n",
        include_str!("../fixtures/calendar/cn-2026.toml")
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("cn-2026.toml");
    std::fs::write(&file, &text).expect("write");
    // A district dispatcher may not; the city's may (here the trainer, through the CLI).
    let district = site.client(Some("ls_dispatch"), false);
    let refused = district.add_calendar("cn-2026.toml", &text).unwrap_err();
    assert!(refused.to_string().contains("may not"), "{refused}");
    let out = site.cli(&["calendar", "add", file.to_str().expect("utf-8")]);
    assert!(out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("2026 v1") && said.contains(id.as_str()),
        "{said}"
    );
    // The board follows: the new deadline, a day later, and the new calendar for its countdowns.
    let after = eventually("the recomputed deadline on the board", || {
        app.pump();
        due_on_board(&app).filter(|d| *d != before)
    });
    assert_eq!(after - before, chrono::Duration::days(1));
    let off = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("date");
    assert!(!app.model().config().calendar.is_working_day(off));
    let list = site.cli(&["calendar", "list"]);
    assert!(
        String::from_utf8_lossy(&list.stdout).contains("2026  v1"),
        "{list:?}"
    );
}

#[test]
fn a_trainer_switches_login_in_place_through_the_server_and_a_dispatcher_may_not() {
    let mut site = Site::new(Some("trainer"));
    site.start();
    let trainer = site.client(None, false);
    let ids = take_in(&trainer, 1);
    let mut app = board(Arc::new(site.client(None, true)));
    app.handle(Action::Run(ids[0].to_string()));
    assert_eq!(app.selected_case(), Some(ids[0].as_str()));
    // The trainer takes the district dispatcher's login: a new connection judged by the server;
    // the selected case stays, and the commands offered are the dispatcher's.
    app.handle(Action::Run("as ls_dispatch".into()));
    assert_eq!(app.operator().login, "ls_dispatch", "{:?}", app.status());
    assert_eq!(app.selected_case(), Some(ids[0].as_str()));
    assert!(app.offered_commands().contains(&"accept"));
    // What it does now is recorded as the dispatcher's.
    app.handle(Action::Run("accept --category livelihood".into()));
    let view = trainer.show(ids[0].as_str()).unwrap();
    assert_eq!(view.history.last().unwrap().by, "ls_dispatch");
    // A dispatcher's own board may not take another login: the server refuses by the OS user.
    let mut site = Site::new(Some("ls_dispatch"));
    site.start();
    let mut other = board(Arc::new(site.client(None, true)));
    other.handle(Action::Run("as ls_market".into()));
    assert_eq!(other.operator().login, "ls_dispatch");
    let (msg, ok) = other.status().expect("a status");
    assert!(!ok && msg.contains("trainers only"), "{msg}");
}

#[test]
fn sigterm_with_commands_in_flight_keeps_every_acknowledged_one() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let mut site = Site::new(Some("trainer"));
    site.start();
    let ids = take_in(&site.client(None, false), 400);
    let acked_count = Arc::new(AtomicUsize::new(0));
    // Four clients accept their quarter of the cases as fast as they can, until refused.
    let workers: Vec<_> = ids
        .chunks(100)
        .map(|chunk| {
            let client = site.client(None, false);
            let chunk = chunk.to_vec();
            let count = acked_count.clone();
            std::thread::spawn(move || {
                let mut acked = Vec::new();
                for id in chunk {
                    match client.execute(&id, &accept(), None) {
                        Ok(_) => {
                            acked.push(id);
                            count.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(_) => break,
                    }
                }
                acked
            })
        })
        .collect();
    eventually("commands in flight", || {
        (acked_count.load(Ordering::SeqCst) >= 40).then_some(())
    });
    let (code, _) = site.stop_with(libc::SIGTERM);
    assert_eq!(code, Some(0), "{}", site.server_log());
    let acked: Vec<CaseId> = workers
        .into_iter()
        .flat_map(|w| w.join().expect("worker"))
        .collect();
    assert!(acked.len() >= 40);
    // Every acknowledged accept is in the store, opened embedded after the server is gone.
    let clock = Arc::new(jiban::domain::clock::SimulatedClock::fixed(
        chrono::Utc::now(),
    ));
    let engine = jiban::engine::Engine::open(&site.store(), clock).expect("open");
    for id in &acked {
        let case = engine.show(id.as_str()).unwrap().case;
        assert!(
            case.accepted_at.is_some(),
            "{id} was acknowledged but is not stored"
        );
    }
}

#[test]
fn reports_and_warnings_are_read_through_the_server_as_the_engine_allows() {
    let mut site = Site::new(Some("trainer"));
    site.start();
    let trainer = site.client(None, false);
    take_in(&trainer, 3);
    let city = trainer
        .report(jiban::domain::period::PeriodKind::Month, None, None)
        .expect("the trainer's report: the city");
    assert_eq!(city.scope.id.as_str(), "city");
    assert_eq!(city.measures.counters.received, 3);
    assert_eq!(city.kinds.iter().map(|k| k.taken).sum::<i64>(), 3);
    // A unit handler is refused a district's report and any warnings, by the server.
    let unit = site.client(Some("ls_haidamaidao"), false);
    let laoshan = jiban::domain::org::UnitId::new("laoshan");
    let refused = unit
        .report(
            jiban::domain::period::PeriodKind::Month,
            None,
            Some(&laoshan),
        )
        .unwrap_err();
    assert!(refused.to_string().contains("may not"), "{refused}");
    assert!(unit.warnings().unwrap_err().to_string().contains("may not"));
    assert!(
        trainer.warnings().expect("warnings").is_empty(),
        "three cases warn of nothing"
    );
    let out = site.cli(&["report", "--format", "json"]);
    assert!(out.status.success(), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["measures"]["counters"]["received"], 3);
}
