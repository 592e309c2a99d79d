//! Snapshots of the board (insta on ratatui's `TestBackend`): every view at 120×40 and 80×24, in
//! Chinese and English, in the mono theme, with long mixed-width titles, and the overlays. The
//! store is the demo at a fixed simulated time, so the pictures are stable. Every picture is also
//! checked for broken columns: each line exactly as wide as the terminal, nothing hidden under a
//! double-width character.

mod board_support;

use std::sync::OnceLock;

use board_support::{board, demo, screen, Demo, LONG_HANDLED, LONG_TRIAGE};
use jiban::board::action::Action;
use jiban::board::i18n::Lang;
use jiban::board::App;

fn shared() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    DEMO.get_or_init(demo)
}

const SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];
const VIEWS: [(&str, Action); 5] = [
    ("level", Action::ViewLevel),
    ("department", Action::ViewDepartment),
    ("night", Action::ViewNight),
    ("mine", Action::ViewMine),
    ("search", Action::Search),
];

fn lang_name(l: Lang) -> &'static str {
    match l {
        Lang::Zh => "zh",
        Lang::En => "en",
    }
}

/// The Laoshan dispatcher's board in a view (search looks for the long title's work order).
fn in_view(theme: &str, lang: Lang, view: &Action) -> App {
    let mut app = board(shared(), Some("ls_dispatch"), theme, lang);
    app.handle(view.clone());
    if *view == Action::Search {
        app.handle(Action::Type("QD2611230001".into()));
        app.handle(Action::Submit);
    }
    app
}

#[test]
fn every_view_at_both_sizes_in_both_languages() {
    for lang in [Lang::Zh, Lang::En] {
        for (w, h) in SIZES {
            for (name, view) in &VIEWS {
                let mut app = in_view("default", lang, view);
                let text = screen(&mut app, w, h);
                insta::assert_snapshot!(format!("view_{name}_{}_{w}x{h}", lang_name(lang)), text);
            }
        }
    }
}

#[test]
fn every_view_in_the_mono_theme_shows_lights_as_letters() {
    for (name, view) in &VIEWS {
        let mut app = in_view("mono", Lang::Zh, view);
        let text = screen(&mut app, 80, 24);
        insta::assert_snapshot!(format!("mono_{name}_zh_80x24"), text);
    }
    let mut app = in_view("mono", Lang::En, &Action::ViewNight);
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("│R "), "red as a letter:\n{text}");
    insta::assert_snapshot!("mono_night_en_120x40", text);
}

#[test]
fn the_city_overview_as_the_trainer() {
    let mut app = board(shared(), None, "default", Lang::Zh);
    insta::assert_snapshot!("city_zh_120x40", screen(&mut app, 120, 40));
    let mut app = board(shared(), None, "night", Lang::En);
    insta::assert_snapshot!("city_night_en_200x60", screen(&mut app, 200, 60));
}

#[test]
fn long_mixed_width_titles_are_cut_at_a_character_with_an_ellipsis() {
    for lang in [Lang::Zh, Lang::En] {
        for (w, h) in SIZES {
            let mut app = board(shared(), Some("ls_dispatch"), "default", lang);
            app.handle(Action::SelectUnit("laoshan.market".into()));
            app.handle(Action::Open);
            let text = screen(&mut app, w, h);
            assert_eq!(app.selected_case(), Some(LONG_HANDLED));
            let row = text
                .lines()
                .find(|l| l.contains(LONG_HANDLED) && l.contains("iPhone"))
                .unwrap_or_else(|| panic!("no queue row for the long title:\n{text}"));
            assert!(row.contains('…'), "{row}");
            insta::assert_snapshot!(format!("long_titles_{}_{w}x{h}", lang_name(lang)), text);
        }
    }
}

#[test]
fn the_help_overlay_lists_the_keymap() {
    for (lang, (w, h)) in [(Lang::Zh, (80, 24)), (Lang::En, (120, 40))] {
        let mut app = board(shared(), Some("ls_dispatch"), "default", lang);
        app.handle(Action::Help);
        let text = screen(&mut app, w, h);
        insta::assert_snapshot!(format!("help_{}_{w}x{h}", lang_name(lang)), text);
    }
}

#[test]
fn a_command_form_and_the_quit_question() {
    let mut app = board(shared(), Some("ls_market"), "default", Lang::Zh);
    app.handle(Action::Run(LONG_HANDLED.into()));
    app.handle(Action::Run("reply --person 王芳".into()));
    insta::assert_snapshot!("form_reply_zh_120x40", screen(&mut app, 120, 40));
    app.handle(Action::Quit);
    insta::assert_snapshot!("confirm_quit_zh_80x24", screen(&mut app, 80, 24));
    // Routing needs an accepted case: a store of its own, so the shared pictures stay put.
    let demo = demo();
    let accept = jiban::domain::command::Command::Accept {
        province: false,
        category: jiban::domain::case::Category::Livelihood,
        kind: None,
        complex: false,
        matter: None,
    };
    let id = jiban::domain::case::CaseId(LONG_TRIAGE.into());
    let admin = demo.engine.administrator();
    demo.engine.execute(&admin, &id, &accept, None).unwrap();
    let mut app = board(&demo, Some("ls_dispatch"), "default", Lang::En);
    app.handle(Action::Run(LONG_TRIAGE.into()));
    app.handle(Action::Run("dispatch".into()));
    insta::assert_snapshot!("form_dispatch_en_80x24", screen(&mut app, 80, 24));
}

#[test]
fn a_terminal_smaller_than_80x23_asks_to_be_enlarged_and_keys_do_not_reach_the_hidden_board() {
    let mut app = board(shared(), None, "default", Lang::Zh);
    let text = screen(&mut app, 79, 24);
    assert!(text.contains("80×23") && text.contains("79×24"), "{text}");
    insta::assert_snapshot!("too_small_zh_79x24", text);
    // Keys typed meanwhile are dropped: no menu, no form, no moved selection.
    let before = app.selected_case().map(String::from);
    for a in [
        Action::Down,
        Action::Actions,
        Action::Type("1".into()),
        Action::Submit,
    ] {
        app.handle(a);
    }
    assert!(
        matches!(app.mode, jiban::board::app::Mode::Normal),
        "{:?}",
        app.mode
    );
    assert_eq!(app.selected_case().map(String::from), before);
    // 80×23, a terminal under tmux's or screen's status line, is enough.
    let text = screen(&mut app, 80, 23);
    assert!(!text.contains("80×23"), "{text}");
    let mut app = board(shared(), None, "default", Lang::En);
    insta::assert_snapshot!("too_small_en_60x20", screen(&mut app, 60, 20));
}

#[test]
fn a_supervisor_sees_the_phone_masked_and_a_dispatcher_sees_it_whole() {
    for (login, phone) in [
        ("ls_supervisor", "138****5678"),
        ("ls_dispatch", "13853215678"),
    ] {
        let mut app = board(shared(), Some(login), "default", Lang::Zh);
        app.handle(Action::SelectUnit("laoshan.market".into()));
        app.handle(Action::Open);
        let text = screen(&mut app, 120, 40);
        assert!(text.contains(phone), "{login} should see {phone}:\n{text}");
    }
}

/// The detail and queue with every kind of clock: a 2115 province enterprise case (contact within
/// 2 hours, first feedback, 15 working days) and a joint case with each supporting unit's part.
#[test]
fn the_detail_lists_every_running_clock() {
    use jiban::domain::case::{CaseId, Category};
    use jiban::domain::command::Command;
    let demo = demo();
    let admin = demo.engine.administrator();
    let line = r#"{"district":"laoshan","channel":"enterprise","title":"省交办：某电子企业用电增容审批迟迟未办","requester":{"name":"刘强","phone":"13905321234"},"source":"province"}"#;
    let case = jiban::domain::intake::parse_line(1, line, &demo.engine.config().org).unwrap();
    let id = match demo.engine.intake(&admin, vec![case]).unwrap().as_slice() {
        [jiban::engine::IntakeOutcome::Created(id)] => id.clone(),
        other => panic!("{other:?}"),
    };
    let accept = Command::Accept {
        province: false,
        category: Category::Development,
        kind: None,
        complex: false,
        matter: None,
    };
    demo.engine.execute(&admin, &id, &accept, None).unwrap();
    for lang in [Lang::Zh, Lang::En] {
        let mut app = board(&demo, Some("ls_dispatch"), "default", lang);
        app.handle(Action::Run(id.to_string()));
        let text = screen(&mut app, 120, 40);
        assert!(text.contains("2115"), "{text}");
        insta::assert_snapshot!(format!("clocks_2115_{}_120x40", lang_name(lang)), text);
    }
    // A joint case: each supporting unit's part shows its own due time and light.
    let joint = CaseId("LS-20261116-0001".into());
    let mut app = board(&demo, Some("ls_enforcement"), "default", Lang::Zh);
    app.handle(Action::Run(joint.to_string()));
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("配合"), "{text}");
    insta::assert_snapshot!("clocks_joint_zh_120x40", text);
}
