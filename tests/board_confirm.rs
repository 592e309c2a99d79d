//! Steps that are hard to undo ask first: reject, return (twice), approve a reply, evaluation and
//! assessment say what will happen and wait for a yes; "no" goes back to the form as typed, and
//! a refusal by the engine (here: someone else moved the case) keeps the form's input.

mod board_support;

use board_support::{board, demo, drive, reject_actions, LONG_HANDLED, LONG_TRIAGE};
use jiban::board::action::Action;
use jiban::board::app::Mode;
use jiban::board::i18n::Lang;
use jiban::board::App;
use jiban::domain::case::{CaseId, Category, PendingRequest, Stage};
use jiban::domain::command::Command;

fn confirm_text(app: &App) -> String {
    match &app.mode {
        Mode::Confirm(c) => c.outcome.clone(),
        other => panic!(
            "expected a confirmation, got {other:?} ({:?})",
            app.status()
        ),
    }
}

fn form_values(app: &App) -> Vec<String> {
    match &app.mode {
        Mode::Form(f) => f
            .fields
            .iter()
            .map(|x| x.input.value().to_string())
            .collect(),
        other => panic!("expected a form, got {other:?}"),
    }
}

#[test]
fn reject_asks_first_with_the_reason_in_full_and_no_keeps_the_form() {
    let demo = demo();
    let mut app = board(&demo, Some("ls_dispatch"), "default", Lang::Zh);
    drive(
        &mut app,
        &reject_actions(LONG_TRIAGE, "7", "不属于本区管辖"),
    );
    let text = confirm_text(&app);
    assert!(
        text.contains("不受理 #7") && text.contains("管辖"),
        "{text}"
    );
    // No: back to the form, as typed; nothing happened.
    drive(&mut app, &[Action::Cancel]);
    assert_eq!(form_values(&app), ["7", "不属于本区管辖"]);
    assert_eq!(
        demo.engine.show(LONG_TRIAGE).unwrap().case.stage,
        Stage::Triage
    );
    drive(&mut app, &[Action::Submit, Action::Confirm]);
    assert!(matches!(app.mode, Mode::Normal), "{:?}", app.status());
    let view = demo.engine.show(LONG_TRIAGE).unwrap();
    assert_eq!(
        (view.case.stage, view.case.reject_reason),
        (Stage::Rejected, Some(7))
    );
    // Confirmed in the history at once, with the operator.
    let last = view.history.last().unwrap();
    assert_eq!(
        (last.event.action(), last.by.as_str()),
        ("reject", "ls_dispatch")
    );
    let detail = app.detail().expect("the case is shown");
    assert_eq!(detail.history.last().unwrap().seq, last.seq);
}

#[test]
fn a_return_takes_two_explicit_yeses() {
    let demo = demo();
    let mut app = board(&demo, Some("ls_market"), "default", Lang::En);
    drive(
        &mut app,
        &[
            Action::Run(LONG_HANDLED.into()),
            Action::Run("return --reason \"not a market matter\"".into()),
        ],
    );
    assert!(confirm_text(&app).contains("ask to return"));
    drive(&mut app, &[Action::Confirm]);
    match &app.mode {
        Mode::Confirm(c) => assert_eq!((c.step, c.steps), (2, 2)),
        other => panic!("{other:?}"),
    }
    assert!(demo
        .engine
        .show(LONG_HANDLED)
        .unwrap()
        .case
        .pending
        .is_none());
    // No at the second step: nothing is asked of the platform.
    drive(&mut app, &[Action::Cancel]);
    assert!(matches!(app.mode, Mode::Normal));
    assert!(demo
        .engine
        .show(LONG_HANDLED)
        .unwrap()
        .case
        .pending
        .is_none());
    // From the panel: the reason, then yes and yes.
    drive(
        &mut app,
        &[
            Action::Run("return".into()),
            Action::Type("不属于本单位职责".into()),
            Action::Submit,
            Action::Confirm,
            Action::Confirm,
        ],
    );
    assert!(matches!(app.mode, Mode::Normal), "{:?}", app.status());
    assert!(matches!(
        demo.engine.show(LONG_HANDLED).unwrap().case.pending,
        Some(PendingRequest::Return { ref reason, .. }) if reason == "不属于本单位职责"
    ));
}

#[test]
fn approving_a_reply_evaluating_and_assessing_say_what_will_happen() {
    let demo = demo();
    let mut app = board(&demo, Some("ls_dispatch"), "default", Lang::En);
    drive(
        &mut app,
        &[
            Action::Run("LS-20261105-0003".into()),
            Action::Run("approve-reply".into()),
        ],
    );
    assert!(confirm_text(&app).contains("the callback comes next"));
    drive(&mut app, &[Action::Confirm]);
    let case = demo.engine.show("LS-20261105-0003").unwrap().case;
    assert_eq!(case.stage, Stage::Evaluation);

    drive(
        &mut app,
        &[
            Action::Run("LS-20261120-0001".into()),
            Action::Run("evaluate --satisfaction basic --resolution unresolved".into()),
        ],
    );
    assert!(
        confirm_text(&app).contains("second round"),
        "{}",
        confirm_text(&app)
    );
    drive(&mut app, &[Action::Cancel]);
    drive(
        &mut app,
        &[Action::Run(
            "evaluate --satisfaction satisfied --resolution basic".into(),
        )],
    );
    assert!(confirm_text(&app).contains("close the case"));
    drive(&mut app, &[Action::Confirm]);
    assert_eq!(
        demo.engine.show("LS-20261120-0001").unwrap().case.stage,
        Stage::Closed
    );

    let mut app = board(&demo, Some("sn_supervisor"), "default", Lang::Zh);
    drive(
        &mut app,
        &[
            Action::Run("SN-20261103-0001".into()),
            Action::Run("assess --outcome fail --note 未按期整改".into()),
        ],
    );
    let text = confirm_text(&app);
    assert!(text.contains("评估未通过，连续未通过 1"), "{text}");
    drive(&mut app, &[Action::Confirm]);
    let case = demo.engine.show("SN-20261103-0001").unwrap().case;
    assert_eq!(case.stage, Stage::Closed);
}

#[test]
fn a_refusal_after_yes_keeps_the_form_as_typed() {
    let demo = demo();
    let mut app = board(&demo, Some("ls_dispatch"), "default", Lang::En);
    drive(&mut app, &reject_actions(LONG_TRIAGE, "5", "请拨打 110"));
    confirm_text(&app);
    // Meanwhile the other dispatcher accepts the case.
    let other = demo.engine.user("ls_duty").unwrap();
    let accept = Command::Accept {
        province: false,
        category: Category::Livelihood,
        kind: None,
        complex: false,
        matter: None,
    };
    demo.engine
        .execute(&other, &CaseId(LONG_TRIAGE.into()), &accept, None)
        .unwrap();
    drive(&mut app, &[Action::Confirm]);
    assert_eq!(form_values(&app), ["5", "请拨打 110"]);
    let Mode::Form(f) = &app.mode else {
        unreachable!()
    };
    let e = f.error.as_deref().unwrap_or("");
    assert!(e.contains("changed") && e.contains("ls_duty"), "{e}");
    assert_eq!(
        demo.engine.show(LONG_TRIAGE).unwrap().case.stage,
        Stage::Triage
    );
}
