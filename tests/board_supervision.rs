//! Supervision on the board by keys (issue #13): a supervisor works the 督办 view (chased,
//! supervised and pooled cases) and reads a pooled case's chases in its history; a platform
//! publishes a grab order and a unit claims it from its 可抢 queue.

mod board_support;

use board_support::keys::keys;
use board_support::{board, demo, drive, screen};
use jiban::board::action::Action;
use jiban::board::app::{Mode, View};
use jiban::board::i18n::Lang;
use jiban::domain::case::Stage;
use jiban::domain::chasing::Mark;

#[test]
fn a_supervisor_works_the_supervision_view_and_reads_the_chases_of_a_pooled_case() {
    let demo = demo();
    for (lang, (w, h), name) in [
        (Lang::Zh, (120, 40), "supervision_zh_120x40"),
        (Lang::En, (80, 24), "supervision_en_80x24"),
    ] {
        let mut app = board(&demo, Some("ls_supervisor"), "default", lang);
        keys(&mut app, "6");
        assert_eq!(app.view, View::Supervision);
        let queue = app.queue().to_vec();
        assert!(!queue.is_empty(), "the demo has late Laoshan cases");
        let marks: Vec<Option<Mark>> = queue.iter().map(|&i| app.model().row(i).mark).collect();
        assert!(marks.iter().all(Option::is_some), "{marks:?}");
        assert!(marks.contains(&Some(Mark::Pooled)), "{marks:?}");
        insta::assert_snapshot!(name, screen(&mut app, w, h));
    }
    // The first pooled case's history says when it was chased and pooled, by the system.
    let mut app = board(&demo, Some("ls_supervisor"), "default", Lang::Zh);
    keys(&mut app, "6");
    let first_pooled = app
        .queue()
        .iter()
        .position(|&i| app.model().row(i).mark == Some(Mark::Pooled))
        .expect("a pooled case");
    for _ in 0..first_pooled {
        keys(&mut app, "j");
    }
    let id = app.selected_case().expect("a selected case").to_string();
    let text = screen(&mut app, 160, 50);
    assert!(
        text.contains("催办 jiban") && text.contains("入督办池"),
        "{id}:\n{text}"
    );
    // A notice on a pooled case: `a u`, asked first; the case stays in the pool.
    keys(&mut app, "au请三日内办结✔");
    assert!(matches!(app.mode, Mode::Confirm(_)), "{:?}", app.mode);
    keys(&mut app, "y");
    let view = demo.engine.show(&id).unwrap();
    assert!(view.case.supervision.is_some(), "{:?}", app.status());
    assert_eq!(Mark::of_case(&view.case), Some(Mark::Pooled));
}

#[test]
fn a_platform_publishes_by_keys_and_a_unit_claims_it_from_its_grab_queue() {
    let demo = demo();
    let id = "LS-20261117-0001";
    let mut platform = board(&demo, Some("ls_dispatch"), "default", Lang::Zh);
    drive(&mut platform, &[Action::Run(id.into())]);
    // Accept (the category is offered from the case), then `a g`: the units, then submit.
    keys(&mut platform, "aa✔");
    assert!(
        demo.engine.show(id).unwrap().case.accepted_at.is_some(),
        "{:?}",
        platform.status()
    );
    assert!(platform.offered_commands().contains(&"publish"));
    keys(
        &mut platform,
        "aglaoshan.zhonghan.zhangcun, laoshan.jinjialing.haidamaidao✔",
    );
    let case = demo.engine.show(id).unwrap().case;
    let grab = case.grab.expect("published");
    assert_eq!(grab.units.len(), 2, "{:?}", platform.status());
    // The platform's own 可抢 view lists what it published under the selected unit.
    keys(&mut platform, "7");
    assert!(platform
        .queue()
        .iter()
        .any(|&i| platform.model().row(i).id.as_str() == id));
    // 张村社区's handler: `7`, the order is there (and only offered ones are); `a k` claims it.
    let mut unit = board(&demo, Some("ls_zhangcun"), "default", Lang::Zh);
    keys(&mut unit, "7");
    assert_eq!(unit.view, View::Grab);
    let offered: Vec<String> = unit
        .queue()
        .iter()
        .map(|&i| unit.model().row(i).id.to_string())
        .collect();
    assert_eq!(offered, [id], "only what is offered to 张村社区");
    insta::assert_snapshot!("grab_zh_120x40", screen(&mut unit, 120, 40));
    assert_eq!(unit.selected_case(), Some(id));
    assert!(
        unit.offered_commands().contains(&"claim"),
        "{:?}",
        unit.offered_commands()
    );
    keys(&mut unit, "ak");
    let case = demo.engine.show(id).unwrap().case;
    assert_eq!(
        (case.stage, case.holder.as_str()),
        (Stage::Handling, "laoshan.zhonghan.zhangcun"),
        "{:?}",
        unit.status()
    );
    // 海大麦岛社区 comes second: its queue is empty now.
    let mut other = board(&demo, Some("ls_haidamaidao"), "default", Lang::Zh);
    keys(&mut other, "7");
    assert!(other.queue().is_empty());
}
