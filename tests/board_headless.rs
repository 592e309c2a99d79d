//! The board driven headless by actions, as a dispatcher would drive it by keys: select a unit,
//! filter, open a case, run commands and forms; and live: changes published by the engine appear
//! without a key press, lights move on the tick, a new red case rings the bell, and a board that
//! falls behind the engine rebuilds its projection.

mod board_support;

use board_support::{board, demo, drive, now, reject_actions, LONG_HANDLED, LONG_TRIAGE};
use chrono::Duration;
use jiban::board::action::Action;
use jiban::board::app::{Mode, Pane, View};
use jiban::board::i18n::Lang;
use jiban::board::model::Sort;
use jiban::board::App;
use jiban::domain::case::{CaseId, Stage};
use jiban::domain::command::Command;
use jiban::domain::intake::parse_line;
use jiban::domain::light::Light;
use jiban::domain::org::UnitId;
use jiban::engine::query::CaseFilter;

/// The ids in the board's queue, in order.
fn queue_ids(app: &jiban::board::App) -> Vec<String> {
    app.queue()
        .iter()
        .map(|&i| app.model().row(i).id.to_string())
        .collect()
}

#[test]
fn select_a_unit_filter_and_open_a_case() {
    let demo = demo();
    let mut app = board(&demo, Some("ls_dispatch"), "default", Lang::Zh);
    // The dispatcher starts on their own platform, its whole district in the queue.
    let district: Vec<_> = demo
        .engine
        .list(&CaseFilter {
            district: Some(UnitId::new("laoshan")),
            ..CaseFilter::default()
        })
        .unwrap()
        .into_iter()
        .filter(|r| !r.stage.is_final())
        .map(|r| r.id.to_string())
        .collect();
    let mut shown = queue_ids(&app);
    shown.sort();
    let mut expected = district.clone();
    expected.sort();
    assert_eq!(shown, expected);

    // Jump to a street by typing part of its name, then filter its queue.
    drive(
        &mut app,
        &[
            Action::JumpUnit,
            Action::Type("王哥庄".into()),
            Action::Submit,
        ],
    );
    assert_eq!(app.focus, Pane::Tree);
    let street = app.query().units;
    assert!(queue_ids(&app).len() >= 2, "{:?}", queue_ids(&app));
    for &i in app.queue() {
        assert!(street.contains(&app.model().row(i).holder));
    }
    drive(
        &mut app,
        &[Action::Open, Action::Filter, Action::Type("垃圾".into())],
    );
    // The filter narrows as it is typed.
    let ids = queue_ids(&app);
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert!(matches!(app.mode, Mode::Prompt(_)));
    drive(&mut app, &[Action::Submit, Action::Open]);
    assert_eq!(app.filter, "垃圾");
    assert_eq!(app.focus, Pane::Detail);
    assert_eq!(app.selected_case(), Some(ids[0].as_str()));
    let detail = app.detail().expect("the case is open");
    assert_eq!(detail.case.id.as_str(), ids[0]);
    assert!(detail.case.title.contains("垃圾"));
    assert!(detail.history.len() > 2);
    // Esc walks back out: the detail, then the filter.
    drive(&mut app, &[Action::Back, Action::Back]);
    assert_eq!((app.focus, app.filter.as_str()), (Pane::Queue, ""));
}

#[test]
fn keys_move_through_the_tree_and_the_queue() {
    let demo = demo();
    let mut app = board(&demo, None, "default", Lang::En);
    // The trainer starts at the city, everything open in the queue.
    assert_eq!(app.query().units.len(), app.model().units().len());
    drive(
        &mut app,
        &[
            Action::Left,
            Action::Down,
            Action::Down,
            Action::Down,
            Action::Down,
        ],
    );
    assert_eq!(app.focus, Pane::Tree);
    let node = app.selected_node();
    let name = jiban::board::ui::TreePane::node_name(&app, node);
    assert_eq!(name, "Laoshan District");
    drive(&mut app, &[Action::Right, Action::Right]);
    assert_eq!(
        jiban::board::ui::TreePane::node_name(&app, app.selected_node()),
        "Jinjialing Subdistrict"
    );
    drive(&mut app, &[Action::Left, Action::Left]);
    assert_eq!(
        jiban::board::ui::TreePane::node_name(&app, app.selected_node()),
        "Laoshan District"
    );
    drive(&mut app, &[Action::Left]);
    assert_eq!(
        app.visible_nodes().len(),
        12,
        "the city, ten districts, city departments"
    );
    // g G Ctrl-d Ctrl-u in the queue.
    drive(&mut app, &[Action::NextPane, Action::Bottom]);
    let len = app.queue().len();
    assert_eq!(app.selected_case(), Some(queue_ids(&app)[len - 1].as_str()));
    drive(&mut app, &[Action::Top, Action::PageDown]);
    assert_ne!(app.selected_case(), Some(queue_ids(&app)[0].as_str()));
    drive(&mut app, &[Action::PageUp]);
    assert_eq!(app.selected_case(), Some(queue_ids(&app)[0].as_str()));
}

#[test]
fn views_sort_and_search() {
    let demo = demo();
    let mut app = board(&demo, Some("ls_dispatch"), "default", Lang::Zh);
    // Night view: only red and yellow, most urgent first.
    drive(&mut app, &[Action::ViewNight]);
    assert_eq!((app.view, app.sort), (View::Night, Sort::Light));
    let lights: Vec<_> = app
        .queue()
        .iter()
        .map(|&i| app.model().row(i).light)
        .collect();
    assert!(!lights.is_empty());
    assert!(lights
        .iter()
        .all(|l| matches!(l, Some(Light::Red | Light::Yellow))));
    let dues: Vec<_> = app
        .queue()
        .iter()
        .map(|&i| app.model().row(i).due_at)
        .collect();
    assert!(dues.windows(2).all(|w| w[0] <= w[1]), "{dues:?}");
    // Department view: only departments hold the cases.
    drive(&mut app, &[Action::ViewDepartment]);
    assert!(app.queue().iter().all(|&i| {
        let r = app.model().row(i);
        app.model().units()[r.holder as usize].level == jiban::domain::org::Level::Department
    }));
    assert!(queue_ids(&app).contains(&LONG_HANDLED.to_string()));
    // My unit: what the Laoshan platform itself holds (triage, review, evaluation).
    drive(&mut app, &[Action::ViewMine]);
    let mine = queue_ids(&app);
    assert!(mine.contains(&LONG_TRIAGE.to_string()));
    assert!(!mine.contains(&LONG_HANDLED.to_string()));
    // Sort by received: newest first.
    drive(&mut app, &[Action::ViewLevel, Action::CycleSort]);
    assert_eq!(app.sort, Sort::Received);
    let received: Vec<_> = app
        .queue()
        .iter()
        .map(|&i| app.model().row(i).received_at)
        .collect();
    assert!(received.windows(2).all(|w| w[0] >= w[1]));
    // Search covers finished cases too, by address and work-order number.
    drive(
        &mut app,
        &[Action::Search, Action::Type("MixC".into()), Action::Submit],
    );
    assert_eq!(queue_ids(&app), [LONG_HANDLED]);
    drive(&mut app, &[Action::Run("search QD2611230001".into())]);
    assert_eq!(queue_ids(&app), [LONG_HANDLED]);
    let closed = demo
        .engine
        .list(&CaseFilter {
            stage: Some(Stage::Closed),
            ..CaseFilter::default()
        })
        .unwrap()
        .remove(0);
    drive(&mut app, &[Action::Run(closed.id.to_string())]);
    assert_eq!(app.selected_case(), Some(closed.id.as_str()));
    assert_eq!(app.view, View::Search);
}

#[test]
fn commands_run_from_the_colon_line_and_forms() {
    let demo = demo();
    let mut app = board(&demo, Some("ls_dispatch"), "default", Lang::En);
    // Accept and dispatch the triage case, then a handler's command is refused for a dispatcher.
    drive(
        &mut app,
        &[
            Action::Run(LONG_TRIAGE.into()),
            Action::Run("accept --category livelihood --kind consultation".into()),
        ],
    );
    let (msg, ok) = app.status().unwrap();
    assert!(ok, "{msg}");
    assert_eq!(
        demo.engine.show(LONG_TRIAGE).unwrap().case.stage,
        Stage::Triage
    );
    assert!(demo
        .engine
        .show(LONG_TRIAGE)
        .unwrap()
        .case
        .accepted_at
        .is_some());
    // `dispatch` without --to opens its form; fill it (a unit by name) and submit.
    drive(&mut app, &[Action::Run("dispatch".into())]);
    assert!(matches!(&app.mode, Mode::Form(f) if f.word == "dispatch"));
    drive(&mut app, &[Action::Type("张村社区".into()), Action::Submit]);
    assert!(matches!(app.mode, Mode::Normal), "{:?}", app.status());
    let case = demo.engine.show(LONG_TRIAGE).unwrap().case;
    assert_eq!(
        (case.stage, case.holder.as_str()),
        (Stage::Assigned, "laoshan.zhonghan.zhangcun")
    );
    // The board saw its own change through the engine's events.
    let row = app.model().row(app.model().find(LONG_TRIAGE).unwrap());
    assert_eq!(row.stage, Stage::Assigned);
    drive(
        &mut app,
        &[Action::Run(LONG_TRIAGE.into()), Action::Run("sign".into())],
    );
    let (msg, ok) = app.status().unwrap();
    assert!(!ok && msg.contains("Refused"), "{msg}");
    // A command not offered opens no form, even one with options to fill.
    drive(&mut app, &[Action::Run("escalate".into())]);
    assert!(matches!(app.mode, Mode::Normal));
    assert!(!app.status().unwrap().1);
    // A form with text asks before quitting; no quits, yes quits.
    drive(
        &mut app,
        &[
            Action::Run("LS-20261105-0003".into()),
            Action::Run("send-back".into()),
            Action::Type("x".into()),
            Action::Quit,
        ],
    );
    assert!(matches!(app.mode, Mode::ConfirmQuit(_)));
    drive(&mut app, &[Action::Cancel]);
    assert!(matches!(app.mode, Mode::Form(_)));
    assert!(!app.should_quit());
    drive(&mut app, &[Action::Quit, Action::Confirm]);
    assert!(app.should_quit());
}

#[test]
fn engine_changes_appear_without_a_key_and_lights_move_on_the_tick() {
    let demo = demo();
    let mut app = board(&demo, Some("ls_duty"), "default", Lang::Zh);
    app.handle(Action::ToggleBell);
    let before = app.scope_counts();
    // Someone else signs and dispatches: the board only pumps the engine's events.
    let admin = demo.engine.administrator();
    let id = CaseId(LONG_TRIAGE.into());
    for cmd in [
        Command::Accept {
            province: false,
            category: jiban::domain::case::Category::Livelihood,
            kind: Some(jiban::domain::case::Kind::Consultation),
            complex: false,
            matter: None,
        },
        Command::Dispatch {
            to: UnitId::new("laoshan.zhonghan.zhangcun"),
        },
    ] {
        demo.engine.execute(&admin, &id, &cmd, None).unwrap();
    }
    assert!(app.take_dirty(), "the first frame");
    assert!(!app.take_dirty(), "nothing to draw until something changes");
    assert!(app.pump());
    assert!(app.take_dirty());
    app.refresh();
    let after = app.scope_counts();
    assert_eq!(after.open, before.open);
    // Its triage clock was blue; now its handling and contact clocks are, fresh.
    assert_eq!(after.blue, before.blue, "a fresh one-day case is blue");
    assert_eq!(after.stages[0] + 1, before.stages[0], "it left triage");
    let row = app.model().row(app.model().find(LONG_TRIAGE).unwrap());
    assert_eq!(row.light, Some(Light::Blue));
    assert!(!app.take_bell());
    // A working day and a bit later it is red; the tick finds it and rings the bell.
    demo.clock.set(now() + Duration::hours(25));
    app.handle(Action::Tick);
    let row = app.model().row(app.model().find(LONG_TRIAGE).unwrap());
    assert_eq!(row.light, Some(Light::Red));
    assert!(app.take_bell());
    let counts = app.scope_counts();
    assert!(counts.red > after.red, "{counts:?} after {after:?}");
    assert_eq!(counts.open, after.open);
}

#[test]
fn a_board_that_falls_behind_rebuilds_from_the_engine() {
    let demo = demo();
    let mut app = board(&demo, None, "default", Lang::En);
    drive(
        &mut app,
        &reject_actions(LONG_TRIAGE, "7", "不属于本区管辖"),
    );
    app.handle(Action::Confirm);
    assert_eq!(
        demo.engine.show(LONG_TRIAGE).unwrap().case.stage,
        Stage::Rejected
    );
    let before = app.model().len();
    let org = &demo.engine.config().org;
    let n = jiban::engine::EVENT_BUFFER + 10;
    let cases = (0..n)
        .map(|i| {
            let line = format!(
                r#"{{"district":"jimo","channel":"web","title":"批量测试 {i}","description":"d","requester":{{"name":"n","phone":"13800000000"}}}}"#
            );
            parse_line(i + 1, &line, org).unwrap()
        })
        .collect();
    demo.engine
        .intake(&demo.engine.administrator(), cases)
        .unwrap();
    assert!(app.pump());
    assert!(app.status().is_some_and(|(m, _)| m.contains("rebuilt")));
    // The case just rejected (finished) is still shown after the rebuild.
    assert_eq!(app.selected_case(), Some(LONG_TRIAGE));
    assert!(app.model().find(LONG_TRIAGE).is_some());
    // The rebuilt model loads its pages a few per turn of the board's loop.
    for _ in 0..100 {
        if !app.loading() {
            break;
        }
        app.pump();
    }
    assert!(!app.loading());
    assert_eq!(app.model().len(), before + n);
}

#[test]
fn mouse_clicks_select_and_the_wheel_scrolls() {
    let demo = demo();
    let mut app = board(&demo, Some("ls_dispatch"), "default", Lang::Zh);
    let text = board_support::screen(&mut app, 120, 40);
    let at = |needle: &str| -> (u16, u16) {
        let (row, line) = text
            .lines()
            .enumerate()
            .find(|(_, l)| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle} not on screen:\n{text}"));
        let col = unicode_width::UnicodeWidthStr::width(&line[..line.find(needle).unwrap()]);
        (col as u16, row as u16)
    };
    // A click on a queue row selects that case.
    let third = queue_ids(&app)[2].clone();
    let (x, y) = at(&third);
    app.handle(Action::Click(x, y));
    assert_eq!(
        (app.focus, app.selected_case()),
        (Pane::Queue, Some(third.as_str()))
    );
    // A click on a unit selects it; the wheel over the tree moves three rows.
    let (x, y) = at("王哥庄街道");
    app.handle(Action::Click(x, y));
    assert_eq!(app.focus, Pane::Tree);
    let node = app.selected_node();
    assert_eq!(
        jiban::board::ui::TreePane::node_name(&app, node),
        "王哥庄街道"
    );
    let before = app.visible_nodes().iter().position(|n| *n == node).unwrap();
    app.handle(Action::Scroll(x, y, false));
    let after = app
        .visible_nodes()
        .iter()
        .position(|n| *n == app.selected_node())
        .unwrap();
    assert_eq!(after + 3, before);
}

#[test]
fn a_unit_is_found_by_chinese_or_english_name_or_id() {
    let demo = demo();
    let mut app = board(&demo, None, "default", Lang::Zh);
    let name =
        |app: &jiban::board::App| jiban::board::ui::TreePane::node_name(app, app.selected_node());
    for (typed, unit) in [
        ("崂山区市场", "崂山区市场监督管理局"),
        ("Laoshan Administration for Market", "崂山区市场监督管理局"),
        ("laoshan.market", "崂山区市场监督管理局"),
        ("jinjialing", "金家岭街道"),
        ("崂山区", "崂山区"),
    ] {
        drive(&mut app, &[Action::SelectUnit("city".into())]);
        assert_eq!(name(&app), "青岛市");
        drive(&mut app, &[Action::JumpUnit, Action::Type(typed.into())]);
        assert_eq!(name(&app), unit, "typing {typed:?} previews the match");
        drive(&mut app, &[Action::Submit]);
        assert_eq!(name(&app), unit, "{typed:?}");
        assert!(app.query().units.contains(
            &app.model()
                .unit_pos(&UnitId::new(match unit {
                    "崂山区市场监督管理局" => "laoshan.market",
                    "金家岭街道" => "laoshan.jinjialing",
                    _ => "laoshan",
                }))
                .unwrap()
        ));
    }
    // Cancel goes back to where the jump started; `:unit` does the same as the prompt.
    drive(
        &mut app,
        &[
            Action::JumpUnit,
            Action::Type("即墨".into()),
            Action::Cancel,
        ],
    );
    assert_eq!(name(&app), "崂山区");
    drive(&mut app, &[Action::Run("unit Jimo".into())]);
    assert_eq!(name(&app), "即墨区");
    // The department view hides streets: jumping to one goes back to the view by level.
    drive(
        &mut app,
        &[
            Action::ViewDepartment,
            Action::JumpUnit,
            Action::Type("王哥庄".into()),
            Action::Submit,
        ],
    );
    assert_eq!((app.view, name(&app).as_str()), (View::Level, "王哥庄街道"));
}

#[test]
fn from_1_december_the_header_says_next_years_calendar_is_missing_with_the_provisional_cases() {
    let demo = demo();
    let mut app = board(&demo, Some("ls_dispatch"), "default", Lang::Zh);
    let notice = "2027年节假日安排未导入";
    // 30 November, 23:59 China time: not yet.
    demo.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-11-30T23:59:00+08:00")
            .unwrap()
            .with_timezone(&chrono::Utc),
    );
    app.handle(Action::Tick);
    let text = board_support::screen(&mut app, 120, 40);
    assert!(!text.contains(notice), "{text}");
    // 10 December: a complex development case accepted now is due in January 2027, provisional.
    demo.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-12-10T09:00:00+08:00")
            .unwrap()
            .with_timezone(&chrono::Utc),
    );
    let accept = Command::Accept {
        province: false,
        category: jiban::domain::case::Category::Development,
        kind: None,
        complex: true,
        matter: None,
    };
    let admin = demo.engine.administrator();
    let id = CaseId(LONG_TRIAGE.into());
    demo.engine.execute(&admin, &id, &accept, None).unwrap();
    app.pump();
    app.handle(Action::Tick);
    let text = board_support::screen(&mut app, 120, 40);
    assert!(
        text.contains("2027年节假日安排未导入 · 跨年期限暂定 1"),
        "{text}"
    );
    // In English too, and at 80 columns the notice comes first so it is not cut away.
    let mut en = board(&demo, Some("ls_dispatch"), "default", Lang::En);
    en.handle(Action::Tick);
    let text = board_support::screen(&mut en, 80, 24);
    assert!(text.contains("2027 holidays not imported"), "{text}");
}

#[test]
fn the_filter_matches_stage_and_category_words_and_the_queue_takes_a_stage() {
    let demo = demo();
    let mut app = board(&demo, Some("ls_dispatch"), "default", Lang::Zh);
    let stages = |app: &App| -> Vec<Stage> {
        app.queue()
            .iter()
            .map(|i| app.model().row(*i).stage)
            .collect()
    };
    let all = stages(&app);
    assert!(all.contains(&Stage::Triage) && all.iter().any(|s| *s != Stage::Triage));
    // `/待受理` (or `/triage`) finds the cases waiting for acceptance.
    app.handle(Action::Filter);
    app.handle(Action::Type("待受理".into()));
    app.handle(Action::Submit);
    let got = stages(&app);
    assert!(
        !got.is_empty() && got.iter().all(|s| *s == Stage::Triage),
        "{got:?}"
    );
    app.handle(Action::Run("filter triage".into()));
    assert_eq!(stages(&app), got);
    // A category word, in either language.
    for word in ["执法", "enforcement"] {
        app.handle(Action::Run(format!("filter {word}")));
        let cats: Vec<_> = app
            .queue()
            .iter()
            .map(|i| app.model().row(*i).category)
            .collect();
        let enforcement = Some(jiban::domain::case::Category::Enforcement);
        assert!(
            !cats.is_empty() && cats.iter().all(|c| *c == enforcement),
            "{word}: {cats:?}"
        );
    }
    app.handle(Action::Run("filter".into()));
    // `:stage 待审核` keeps only that stage, shown in the queue's title; `:stage all` clears it.
    app.handle(Action::Run("stage 待审核".into()));
    let got = stages(&app);
    assert!(
        !got.is_empty() && got.iter().all(|s| *s == Stage::Review),
        "{got:?}"
    );
    let text = board_support::screen(&mut app, 120, 40);
    assert!(text.contains("· 待审核 "), "{text}");
    app.handle(Action::Run("stage all".into()));
    assert_eq!(stages(&app).len(), all.len());
    app.handle(Action::Run("stage nonsense".into()));
    assert!(app
        .status()
        .is_some_and(|(m, ok)| !ok && m.contains(":stage")));
}

#[test]
fn each_role_opens_on_its_own_work() {
    let demo = demo();
    // A unit handler: 本单位.
    let mut app = board(&demo, Some("ls_market"), "default", Lang::Zh);
    app.start_on_own_work();
    assert_eq!(app.view, View::Mine);
    // A supervisor: overdue and yellow.
    let mut app = board(&demo, Some("ls_supervisor"), "default", Lang::Zh);
    app.start_on_own_work();
    assert_eq!(app.view, View::Night);
    // A platform: 待受理 of its platform.
    let mut app = board(&demo, Some("ls_dispatch"), "default", Lang::Zh);
    app.start_on_own_work();
    assert_eq!(app.view, View::Level);
    let stages: Vec<Stage> = app
        .queue()
        .iter()
        .map(|i| app.model().row(*i).stage)
        .collect();
    assert!(
        !stages.is_empty() && stages.iter().all(|s| *s == Stage::Triage),
        "{stages:?}"
    );
    // A case asked for by id is shown although it is past triage: the stage filter goes and
    // the platform's level view stays.
    app.handle(Action::Run(LONG_HANDLED.into()));
    assert_eq!(app.selected_case(), Some(LONG_HANDLED));
    assert_eq!((app.view, app.stage_filter), (View::Level, None));
    // The trainer: as before.
    let mut app = board(&demo, None, "default", Lang::Zh);
    app.start_on_own_work();
    assert_eq!((app.view, app.stage_filter), (View::Level, None));
}

#[test]
fn esc_never_moves_focus_into_the_tree_and_the_focused_pane_is_drawn_thick_in_mono() {
    let demo = demo();
    let mut app = board(&demo, Some("ls_dispatch"), "mono", Lang::Zh);
    app.focus = Pane::Detail;
    app.handle(Action::Back);
    assert_eq!(app.focus, Pane::Queue);
    app.handle(Action::Back);
    assert_eq!(
        app.focus,
        Pane::Queue,
        "Esc with nothing open keeps the queue"
    );
    // Only the focused pane has the thick border, so it shows without colour.
    let text = board_support::screen(&mut app, 120, 40);
    let thick: Vec<&str> = text.lines().filter(|l| l.contains('┏')).collect();
    assert_eq!(thick.len(), 1, "{text}");
    assert!(thick[0].contains("┏ 队列"), "{text}");
    app.focus = Pane::Tree;
    let text = board_support::screen(&mut app, 120, 40);
    assert!(text.contains("┏ 组织") && text.contains("┌ 队列"), "{text}");
}

#[test]
fn a_trainer_acts_as_another_login_in_place_keeping_the_view_and_a_handler_may_not() {
    let demo = demo();
    let mut app = board(&demo, None, "default", Lang::Zh);
    app.handle(Action::Run("unit laoshan".into()));
    app.handle(Action::Run(LONG_HANDLED.into()));
    let (view, node) = (app.view, app.selected_node());
    app.handle(Action::Run("as ls_market".into()));
    assert_eq!(app.operator().login, "ls_market", "{:?}", app.status());
    assert!(app
        .status()
        .is_some_and(|(m, ok)| ok && m.contains("ls_market")));
    // The view, the tree node and the selected case stay; the menu is the handler's.
    assert_eq!((app.view, app.selected_node()), (view, node));
    assert_eq!(app.selected_case(), Some(LONG_HANDLED));
    assert!(
        app.offered_commands().contains(&"reply"),
        "{:?}",
        app.offered_commands()
    );
    // Acting as the handler, then back: the trainer's identity is what decides.
    app.handle(Action::Run("as ls_dispatch".into()));
    assert_eq!(app.operator().login, "ls_dispatch");
    app.handle(Action::Run("as nobody".into()));
    assert_eq!(app.operator().login, "ls_dispatch");
    assert!(app
        .status()
        .is_some_and(|(m, ok)| !ok && m.contains("nobody")));
    // A handler's board may not take another login.
    let mut app = board(&demo, Some("ls_market"), "default", Lang::Zh);
    app.handle(Action::Run("as ls_dispatch".into()));
    assert_eq!(app.operator().login, "ls_market");
    assert!(app
        .status()
        .is_some_and(|(m, ok)| !ok && m.contains("trainers only")));
    // Completion offers logins to a trainer only.
    assert!(app.completions("as ls_").is_empty());
    let trainer = board(&demo, None, "default", Lang::Zh);
    assert!(trainer
        .completions("as ls_m")
        .contains(&"ls_market".to_string()));
}
