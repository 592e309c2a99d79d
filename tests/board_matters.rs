//! Repeat complaints, merging and look-backs on the board by keys (issue #13): a supervisor
//! opens a closed case drawn for a look-back and records a false closure, which sends it back to
//! its platform in round 2; a dispatcher confirms a suggested link and merges a duplicate.

mod board_support;

use board_support::keys::keys;
use board_support::{board, demo, drive, screen};
use jiban::board::action::Action;
use jiban::board::app::Mode;
use jiban::board::i18n::Lang;
use jiban::domain::case::Stage;
use jiban::engine::query::CaseFilter;

#[test]
fn a_supervisor_records_a_false_closure_by_keys_and_the_case_goes_back_to_its_platform() {
    let demo = demo();
    let closed = demo
        .engine
        .list(&CaseFilter {
            stage: Some(Stage::Closed),
            district: Some(jiban::domain::org::UnitId::new("laoshan")),
            ..Default::default()
        })
        .expect("list");
    let drawn = closed
        .iter()
        .map(|r| demo.engine.show(r.id.as_str()).expect("show").case)
        .find(|c| c.lookback.as_ref().is_some_and(|l| l.visit.is_none()))
        .expect("the demo draws a Laoshan case for its look-back");
    let id = drawn.id.to_string();
    // A unit handler is not offered the look-back, and may not draw one.
    let mut unit = board(&demo, Some("ls_haidamaidao"), "default", Lang::Zh);
    drive(&mut unit, &[Action::Run(id.clone())]);
    assert!(!unit.offered_commands().contains(&"lookback"));
    keys(&mut unit, ":sample 2026-11⏎");
    let (msg, ok) = unit.status().expect("a message");
    assert!(!ok && msg.contains("may not draw"), "{msg}");
    // The district's supervisor draws November again from the board: the demo drew it, so the
    // same cases come back and none is drawn twice.
    let mut sup = board(&demo, Some("ls_supervisor"), "default", Lang::Zh);
    keys(&mut sup, ":sample 2026-11⏎");
    let (msg, ok) = sup.status().expect("a message");
    assert!(ok && msg.starts_with("回头看抽样 2026-11"), "{msg}");
    let drawn_now: usize = msg
        .split(" · ")
        .nth(1)
        .and_then(|n| n.trim().parse().ok())
        .expect("a count");
    assert!(msg.contains(&format!("此前已抽 {drawn_now}")), "{msg}");
    let mut app = board(&demo, Some("ls_supervisor"), "default", Lang::Zh);
    drive(&mut app, &[Action::Run(id.clone())]);
    assert_eq!(app.selected_case(), Some(id.as_str()));
    assert_eq!(app.offered_commands(), ["lookback"]);
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("回头看待回访"), "{text}");
    // `a h`: nothing chosen; → held, → false closure; the note; submit; it asks first.
    keys(&mut app, "ah→→⇥回访：问题仍未解决✔");
    assert!(matches!(app.mode, Mode::Confirm(_)), "{:?}", app.mode);
    keys(&mut app, "y");
    let case = demo.engine.show(&id).expect("show").case;
    assert_eq!(
        (case.stage, case.round, case.holder.as_str()),
        (Stage::Triage, 2, "laoshan"),
        "{:?}",
        app.status()
    );
    let unit_id = drawn.handled_by.expect("handled");
    let record = demo.engine.unit_record(&unit_id).expect("record");
    assert!(record.lookbacks.iter().any(|l| l.case.as_str() == id));
    // The platform's dispatcher sees it back in its triage queue, round 2.
    let mut platform = board(&demo, Some("ls_dispatch"), "default", Lang::Zh);
    drive(&mut platform, &[Action::Run(id.clone())]);
    assert!(
        platform.offered_commands().contains(&"dispatch"),
        "{:?}",
        platform.offered_commands()
    );
}

#[test]
fn a_dispatcher_merges_a_duplicate_by_keys_and_both_requesters_show_on_the_open_case() {
    let demo = demo();
    // A new case from the requester of an open Laoshan case, taken in now.
    let open = demo
        .engine
        .list(&CaseFilter {
            stage: Some(Stage::Handling),
            district: Some(jiban::domain::org::UnitId::new("laoshan")),
            ..Default::default()
        })
        .expect("list")
        .first()
        .expect("a Laoshan case in handling")
        .id
        .clone();
    let open_case = demo.engine.show(open.as_str()).expect("show").case;
    let line = serde_json::json!({
        "district": "laoshan",
        "channel": "hotline",
        "title": "再次反映：问题还没解决",
        "requester": {"name": "赵敏", "phone": open_case.requester.phone},
    })
    .to_string();
    let new = jiban::domain::intake::parse_line(1, &line, &demo.engine.config().org).unwrap();
    let admin = demo.engine.administrator();
    let id = match &demo.engine.intake(&admin, vec![new]).unwrap()[0] {
        jiban::engine::IntakeOutcome::Created(id) => id.to_string(),
        other => panic!("{other:?}"),
    };
    let mut app = board(&demo, Some("ls_dispatch"), "default", Lang::Zh);
    drive(&mut app, &[Action::Run(id.clone())]);
    let offered = app.offered_commands().to_vec();
    for word in ["link", "unlink", "merge"] {
        assert!(offered.contains(&word), "{offered:?}");
    }
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("重复") && text.contains("待确认"), "{text}");
    // `a i`: the suggested case is filled in; submit confirms the link.
    keys(&mut app, "ai✔");
    let case = demo.engine.show(&id).expect("show").case;
    assert!(case.links[0].confirmed, "{:?}", app.status());
    // `a b`: merge into the linked case (filled in), asked first.
    keys(&mut app, "ab✔");
    assert!(matches!(app.mode, Mode::Confirm(_)), "{:?}", app.mode);
    keys(&mut app, "y");
    let case = demo.engine.show(&id).expect("show").case;
    assert_eq!(case.stage, Stage::Merged, "{:?}", app.status());
    let target = demo.engine.show(open.as_str()).expect("show").case;
    assert_eq!(
        target.merged.last().map(|m| m.case.as_str()),
        Some(id.as_str())
    );
    // The open case's detail lists the merged requester, masked for its supervisor.
    let mut sup = board(&demo, Some("ls_supervisor"), "default", Lang::Zh);
    drive(&mut sup, &[Action::Run(open.to_string())]);
    let text = screen(&mut sup, 160, 50);
    assert!(text.contains("并案") && text.contains(&id), "{text}");
    assert!(!text.contains(&open_case.requester.phone), "{text}");
}
