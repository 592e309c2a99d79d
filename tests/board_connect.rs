//! The board loads open cases only, a page at a time, the same whether the engine is in the
//! process or behind `jiban serve`: every unit's counts and every view's queue agree, and agree
//! with the engine's kept counts.

mod board_support;
mod server_support;

use std::sync::Arc;

use jiban::board::action::Action;
use jiban::board::i18n::Lang;
use jiban::board::{App, Settings};
use jiban::domain::clock::SimulatedClock;
use jiban::engine::Engine;
use jiban::service::Service;
use server_support::{Site, NOW};

/// Every unit's counts, then each view's queue (case ids) from the Laoshan dispatcher's board.
fn picture(app: &mut App) -> (Vec<String>, Vec<Vec<String>>) {
    let model = app.model();
    let counts = (0..model.units().len() as u32)
        .map(|i| format!("{:?}", model.counts(i..i + 1, false)))
        .collect();
    let mut queues = Vec::new();
    for view in [
        Action::ViewLevel,
        Action::ViewDepartment,
        Action::ViewNight,
        Action::ViewMine,
        Action::ViewRequests,
    ] {
        app.handle(view);
        queues.push(
            app.queue()
                .iter()
                .map(|&i| app.model().row(i).id.to_string())
                .collect(),
        );
    }
    (counts, queues)
}

#[test]
fn the_board_shows_the_same_over_the_socket_as_embedded_and_as_the_kept_counts() {
    let mut site = Site::new(Some("ls_dispatch"));
    let store = site.store();
    std::fs::remove_dir_all(&store).expect("remove the empty store");
    let init = server_support::jiban(&[
        "--data",
        store.to_str().expect("path"),
        "--now",
        NOW,
        "init",
        "--demo",
    ]);
    assert!(init.status.success(), "{init:?}");
    let clock = Arc::new(SimulatedClock::fixed(board_support::now()));
    let (embedded, kept) = {
        let engine = Arc::new(Engine::open(&store, clock).expect("open"));
        let kept = engine.counts().expect("kept counts");
        let op = engine.user("ls_dispatch").expect("login");
        let mut app = App::new(engine, op, Settings::plain("default", Lang::En)).expect("board");
        (picture(&mut app), kept)
    };
    // Only open cases are held, and per unit they are what the engine counts.
    let open: usize = kept.values().map(|c| c.open).sum();
    site.start();
    let session: Arc<dyn Service> = Arc::new(site.client(None, true));
    let mut app = App::over(session, Settings::plain("default", Lang::En)).expect("board");
    assert_eq!(app.model().len(), open);
    for (unit, c) in &kept {
        let i = app.model().unit_pos(unit).expect("unit");
        // The engine counts a unit's own work: the cases it holds and the parts it supports.
        let m = app.model().counts(i..i + 1, false);
        assert_eq!(
            (
                m.open as usize,
                (m.red + m.parts[0]) as usize,
                (m.yellow + m.parts[1]) as usize,
                (m.blue + m.parts[2]) as usize
            ),
            (c.open, c.red, c.yellow, c.blue),
            "{unit}"
        );
    }
    let remote = picture(&mut app);
    assert_eq!(remote.0, embedded.0);
    assert_eq!(remote.1, embedded.1);
    assert!(embedded.1.iter().any(|q| !q.is_empty()));
}

/// 1,200 open cases load 500 to a page, each case once, and loading ends at the last page.
#[test]
fn open_cases_load_a_page_at_a_time() {
    let mut site = Site::new(Some("trainer"));
    site.start();
    let client = site.client(None, false);
    let ids = server_support::take_in(&client, 1200);
    let session: Arc<dyn Service> = Arc::new(client);
    let mut model = jiban::board::model::Model::start_loading(session.as_ref()).expect("model");
    assert_eq!((model.len(), model.is_loading()), (0, true));
    model.load_more(session.as_ref(), 1).expect("page");
    assert_eq!((model.len(), model.is_loading()), (500, true));
    model.load_more(session.as_ref(), 1).expect("page");
    assert_eq!(model.len(), 1000);
    assert!(model.load_more(session.as_ref(), 5).expect("pages"));
    assert_eq!((model.len(), model.is_loading()), (1200, false));
    assert!(ids.iter().all(|id| model.find(id.as_str()).is_some()));
}
