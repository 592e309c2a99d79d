//! The `:` line completes, by Tab and Shift-Tab, the command words the operator may issue on the
//! selected case, the command's options and their values, and unit ids the case may go to (typed
//! as part of an id or a name); the completed line runs as `jiban act` would.

mod board_support;

use board_support::keys::keys;
use board_support::{board, demo, LONG_TRIAGE};
use jiban::board::app::{Mode, PromptKind};
use jiban::board::i18n::Lang;
use jiban::board::App;
use jiban::domain::case::{CaseId, Category, Stage};
use jiban::domain::command::Command;

fn line(app: &App) -> String {
    match &app.mode {
        Mode::Prompt(p) if p.kind == PromptKind::Command => p.input.value().to_string(),
        other => panic!("expected the : line, got {other:?}"),
    }
}

fn accepted(demo: &board_support::Demo, id: &str, category: Category) {
    let admin = demo.engine.administrator();
    let accept = Command::Accept {
        province: false,
        category,
        kind: None,
        complex: false,
        matter: None,
    };
    demo.engine
        .execute(&admin, &CaseId(id.into()), &accept, None)
        .unwrap();
}

#[test]
fn command_words_options_values_and_units_complete_with_tab() {
    let demo = demo();
    accepted(&demo, LONG_TRIAGE, Category::Livelihood);
    let mut app = board(&demo, Some("ls_dispatch"), "default", Lang::En);
    app.handle(jiban::board::action::Action::Run(LONG_TRIAGE.into()));
    // Everything this dispatcher may do on the case, then the board's words.
    keys(&mut app, ":");
    match &app.mode {
        Mode::Prompt(p) => assert_eq!(
            p.completions[..4],
            ["dispatch", "joint", "publish", "escalate"]
        ),
        other => panic!("{other:?}"),
    }
    // Tab cycles; Shift-Tab goes back.
    keys(&mut app, "⇥");
    assert_eq!(line(&app), "dispatch");
    keys(&mut app, "⇥⇥⇥");
    assert_eq!(line(&app), "escalate");
    keys(&mut app, "⇤⇤");
    assert_eq!(line(&app), "joint");
    // A word this dispatcher may not issue is not offered: `s` gives supervise (a dispatcher's
    // notice to the holder), then board words, never sign.
    keys(&mut app, "⎋:s⇥");
    assert_eq!(line(&app), "supervise");
    match &app.mode {
        Mode::Prompt(p) => assert!(
            !p.completions.iter().any(|w| w == "sign"),
            "{:?}",
            p.completions
        ),
        other => panic!("{other:?}"),
    }
    keys(&mut app, "⇥");
    assert_eq!(line(&app), "sort");
    keys(&mut app, "⇥");
    assert_eq!(line(&app), "stage");
    keys(&mut app, "⇥");
    assert_eq!(line(&app), "search");
    // Options, then a unit by part of its name: only units the case may go to.
    keys(&mut app, "⎋:d⇥ --⇥");
    assert_eq!(line(&app), "dispatch --to");
    keys(&mut app, " 张村⇥");
    assert_eq!(line(&app), "dispatch --to laoshan.zhonghan.zhangcun");
    keys(&mut app, "⏎");
    assert!(matches!(app.mode, Mode::Normal), "{:?}", app.status());
    let case = demo.engine.show(LONG_TRIAGE).unwrap().case;
    assert_eq!(
        (case.stage, case.holder.as_str()),
        (Stage::Assigned, "laoshan.zhonghan.zhangcun")
    );
}

#[test]
fn joint_units_complete_one_after_another_and_values_complete_too() {
    let demo = demo();
    let id = "LS-20261113-0001";
    accepted(&demo, id, Category::Enforcement);
    let mut app = board(&demo, Some("ls_dispatch"), "default", Lang::Zh);
    app.handle(jiban::board::action::Action::Run(id.into()));
    keys(&mut app, ":j⇥ --l⇥ laoshan.enf⇥ --s⇥ Transport⇥");
    assert_eq!(
        line(&app),
        "joint --lead laoshan.enforcement --support laoshan.transport"
    );
    keys(&mut app, ",金家岭⇥");
    assert_eq!(
        line(&app),
        "joint --lead laoshan.enforcement --support laoshan.transport,laoshan.jinjialing"
    );
    // A community may not support a joint case: it is not offered.
    keys(&mut app, ",张村⇥");
    assert!(line(&app).ends_with(",张村"), "{}", line(&app));
    for _ in 0..3 {
        keys(&mut app, "⌫");
    }
    keys(&mut app, " --days 5⏎");
    let case = demo.engine.show(id).unwrap().case;
    assert_eq!(case.stage, Stage::Assigned);
    assert_eq!(case.supporting.len(), 2);
    assert_eq!(case.limit_days, Some(5));
    // Option values: `:view r` completes to requests.
    keys(&mut app, ":view r⇥");
    assert_eq!(line(&app), "view requests");
}

#[test]
fn units_typed_by_name_on_the_line_prefer_those_the_case_may_go_to() {
    let demo = demo();
    let id = "LS-20261113-0001";
    accepted(&demo, id, Category::Enforcement);
    let mut app = board(&demo, Some("ls_dispatch"), "default", Lang::Zh);
    app.handle(jiban::board::action::Action::Run(id.into()));
    // 综合行政执法 is in every district's name; the Laoshan one is the case's.
    keys(
        &mut app,
        ":joint --lead 综合行政执法 --support 交通运输，金家岭⏎",
    );
    assert!(matches!(app.mode, Mode::Normal), "{:?}", app.status());
    let case = demo.engine.show(id).unwrap().case;
    assert_eq!(
        case.lead.as_ref().map(|u| u.as_str()),
        Some("laoshan.enforcement"),
        "{:?}",
        app.status()
    );
    let support: Vec<&str> = case.supporting.iter().map(|u| u.as_str()).collect();
    assert_eq!(support, ["laoshan.transport", "laoshan.jinjialing"]);
}
