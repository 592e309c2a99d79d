//! The workflow panels as a dispatcher or handler fills them in: previews from the engine's dry
//! run (the limit and due date for accept and joint, the new due date for an extension, the
//! outcome of an evaluation), route suggestions with the rule that matched and a unit picker,
//! the reply form's checks, Tab and Shift-Tab, a draft kept when the form is closed, and paste.

mod board_support;

use board_support::{board, demo, drive, screen, LONG_HANDLED, LONG_TRIAGE};
use jiban::board::action::Action;
use jiban::board::app::Mode;
use jiban::board::form::Form;
use jiban::board::i18n::Lang;
use jiban::board::App;
use jiban::domain::case::{Kind, PendingRequest, Stage};

fn form(app: &App) -> &Form {
    match &app.mode {
        Mode::Form(f) => f,
        other => panic!("expected a form, got {other:?} ({:?})", app.status()),
    }
}

fn preview(app: &App) -> String {
    match &form(app).preview {
        Some(Ok(p)) => p.clone(),
        other => panic!("expected a preview, got {other:?}"),
    }
}

fn value(app: &App, option: &str) -> String {
    form(app)
        .fields
        .iter()
        .find(|f| f.option == option)
        .map(|f| f.input.value().to_string())
        .unwrap_or_default()
}

#[test]
fn triage_shows_the_limit_and_due_date_then_suggests_routes_with_their_reason() {
    let demo = demo();
    let mut app = board(&demo, Some("ls_dispatch"), "default", Lang::En);
    drive(
        &mut app,
        &[Action::Run(LONG_TRIAGE.into()), Action::Actions],
    );
    drive(&mut app, &[Action::Type("a".into())]);
    assert_eq!(form(&app).word, "accept");
    // Accepted Monday 09:00: a simple livelihood complaint has 2 working days.
    assert_eq!(
        preview(&app),
        "Will: limit 2 working days · due 2026-11-25 09:00"
    );
    // Kind: consultation, 1 working day.
    drive(&mut app, &[Action::NextPane, Action::Right]);
    assert_eq!(value(&app, "kind"), "consultation");
    assert_eq!(
        preview(&app),
        "Will: limit 1 working days · due 2026-11-24 09:00"
    );
    // Development, complex: 20.
    drive(
        &mut app,
        &[
            Action::PrevPane,
            Action::Right,
            Action::NextPane,
            Action::Left,
            Action::NextPane,
            Action::Type("y".into()),
        ],
    );
    assert_eq!(value(&app, "category"), "development");
    assert!(
        preview(&app).contains("limit 20 working days"),
        "{}",
        preview(&app)
    );
    // Back to livelihood consultation, and accept: no confirmation for accept.
    drive(
        &mut app,
        &[
            Action::Type("n".into()),
            Action::PrevPane,
            Action::Right,
            Action::PrevPane,
            Action::Type("1".into()),
            Action::SubmitForm,
        ],
    );
    assert!(matches!(app.mode, Mode::Normal), "{:?}", app.status());
    let case = demo.engine.show(LONG_TRIAGE).unwrap().case;
    assert_eq!(case.kind, Some(Kind::Consultation));
    assert_eq!(case.limit_days, Some(1));

    // Routing: the community named in the address is suggested, with why.
    drive(&mut app, &[Action::Run("dispatch".into())]);
    let f = form(&app);
    assert_eq!(f.suggestions.len(), 1, "{:?}", f.suggestions);
    assert_eq!(f.suggestions[0].id, "laoshan.zhonghan.zhangcun");
    assert_eq!(f.suggestions[0].why, "named in the address or text");
    assert_eq!(f.picks, f.suggestions);
    // The picker searches the units the case may go to by English name, Chinese name or id.
    drive(&mut app, &[Action::Type("Kutao".into())]);
    let ids: Vec<&str> = form(&app).picks.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["laoshan.zhonghan.kutao"]);
    for _ in 0..5 {
        app.handle(Action::Backspace);
    }
    drive(&mut app, &[Action::Type("枯桃".into())]);
    assert_eq!(form(&app).picks[0].id, "laoshan.zhonghan.kutao");
    for _ in 0..2 {
        app.handle(Action::Backspace);
    }
    drive(&mut app, &[Action::Type("market".into())]);
    assert!(
        form(&app).picks.is_empty(),
        "a department may not take a fresh livelihood case"
    );
    for _ in 0..6 {
        app.handle(Action::Backspace);
    }
    // ↓ then Enter takes the highlighted unit; Enter again dispatches.
    drive(&mut app, &[Action::Down, Action::Submit]);
    // The field shows the unit by name, not by id; the command still goes to the id.
    assert_eq!(value(&app, "to"), "Zhangcun Community");
    assert_eq!(preview(&app), "Will: send to Zhangcun Community");
    drive(&mut app, &[Action::SubmitForm]);
    let case = demo.engine.show(LONG_TRIAGE).unwrap().case;
    assert_eq!(
        (case.stage, case.holder.as_str()),
        (Stage::Assigned, "laoshan.zhonghan.zhangcun")
    );
}

#[test]
fn joint_shows_the_due_date_on_the_working_day_calendar() {
    let demo = demo();
    let mut app = board(&demo, Some("ls_dispatch"), "default", Lang::Zh);
    let case = "LS-20261113-0001";
    drive(
        &mut app,
        &[
            Action::Run(case.into()),
            Action::Run("accept --category enforcement".into()),
        ],
    );
    // Given on the : line, the accept form is not needed.
    assert!(matches!(app.mode, Mode::Normal), "{:?}", app.mode);
    drive(&mut app, &[Action::Run("joint".into())]);
    let ids: Vec<&str> = form(&app)
        .suggestions
        .iter()
        .map(|p| p.id.as_str())
        .collect();
    assert!(ids.contains(&"laoshan.jinjialing"), "{ids:?}");
    drive(
        &mut app,
        &[
            Action::Type("综合行政执法".into()),
            Action::NextPane,
            Action::Type("laoshan.transport, 金家岭街道".into()),
        ],
    );
    // The rules' 10 working days from Monday 09:00: Monday 12-07.
    assert_eq!(
        preview(&app),
        "将：时限 10 个工作日 · 期限 2026-12-07 09:00"
    );
    drive(&mut app, &[Action::NextPane, Action::Type("3".into())]);
    assert_eq!(preview(&app), "将：时限 3 个工作日 · 期限 2026-11-26 09:00");
    // A community cannot support a joint case: the engine's reason shows before submitting.
    drive(
        &mut app,
        &[Action::PrevPane, Action::Type(", 张村社区".into())],
    );
    match &form(&app).preview {
        Some(Err(e)) => assert!(e.contains("streets or departments"), "{e}"),
        other => panic!("{other:?}"),
    }
    for _ in 0..6 {
        app.handle(Action::Backspace);
    }
    drive(&mut app, &[Action::SubmitForm]);
    let c = demo.engine.show(case).unwrap().case;
    assert_eq!(
        c.lead.as_ref().map(|u| u.as_str()),
        Some("laoshan.enforcement")
    );
    let support: Vec<&str> = c.supporting.iter().map(|u| u.as_str()).collect();
    assert_eq!(support, ["laoshan.transport", "laoshan.jinjialing"]);
    assert_eq!(c.limit_days, Some(3));
    // The detail shows each supporting unit's part: waiting.
    let text = board_support::screen(&mut app, 120, 40);
    assert!(
        text.contains("配合     崂山区交通运输局 — 待反馈"),
        "{text}"
    );
}

#[test]
fn an_extension_shows_the_new_due_date_the_approval_then_sets() {
    let demo = demo();
    let mut app = board(&demo, Some("ls_market"), "default", Lang::En);
    drive(
        &mut app,
        &[
            Action::Run(LONG_HANDLED.into()),
            Action::Run("extend".into()),
            Action::Type("3".into()),
        ],
    );
    assert_eq!(preview(&app), "Will: due if approved 2026-12-10 09:00");
    drive(
        &mut app,
        &[
            Action::NextPane,
            Action::Type("需调取商家销售记录".into()),
            Action::SubmitForm,
        ],
    );
    assert!(matches!(
        demo.engine.show(LONG_HANDLED).unwrap().case.pending,
        Some(PendingRequest::Extension { days: 3, .. })
    ));
    let mut app = board(&demo, Some("ls_dispatch"), "default", Lang::En);
    drive(
        &mut app,
        &[
            Action::Run(LONG_HANDLED.into()),
            Action::Run("approve-extension".into()),
        ],
    );
    // A decision on another unit's request asks first.
    assert!(matches!(app.mode, Mode::Confirm(_)), "{:?}", app.mode);
    drive(&mut app, &[Action::Confirm]);
    let due = demo.engine.show(LONG_HANDLED).unwrap().case.due_at.unwrap();
    assert_eq!(
        due.with_timezone(&jiban::domain::calendar::cst())
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        "2026-12-10 09:00"
    );
}

#[test]
fn evaluation_is_a_three_by_three_choice_that_says_what_will_happen() {
    let demo = demo();
    let mut app = board(&demo, Some("ls_dispatch"), "default", Lang::En);
    drive(
        &mut app,
        &[
            Action::Run("LS-20261120-0001".into()),
            Action::Run("evaluate".into()),
        ],
    );
    let grid = form(&app).grid.clone();
    assert_eq!(
        grid,
        [
            ["close", "close", "2nd round"],
            ["close", "close", "2nd round"],
            ["2nd round", "2nd round", "2nd round"],
        ]
    );
    // Nothing is chosen for the requester, so nothing is foretold yet.
    assert_eq!(form(&app).preview, None);
    drive(&mut app, &[Action::Right, Action::NextPane, Action::Right]);
    assert_eq!(preview(&app), "Will: close the case");
    drive(&mut app, &[Action::Left]);
    assert_eq!(value(&app, "resolution"), "unresolved");
    assert_eq!(
        preview(&app),
        "Will: start a second round, back to the platform to route again"
    );
}

#[test]
fn the_reply_form_checks_each_element_keeps_a_draft_and_takes_paste() {
    let demo = demo();
    let mut app = board(&demo, Some("ls_market"), "default", Lang::Zh);
    drive(
        &mut app,
        &[
            Action::Run(LONG_HANDLED.into()),
            Action::Run("reply".into()),
            Action::Type("已约谈商家，同意退货".into()),
            Action::NextPane,
            Action::NextPane,
            Action::Type("王欣怡".into()),
            Action::PrevPane,
        ],
    );
    // Shift-Tab went back to the basis; the result was left filled, the basis is still empty.
    assert_eq!(form(&app).focus, 1);
    let problems: Vec<_> = form(&app).fields.iter().map(|f| f.problem).collect();
    assert_eq!(problems, [None, Some("required"), None, Some("required")]);
    // Nothing is sent while an element is missing; every problem then shows.
    drive(&mut app, &[Action::SubmitForm]);
    assert!(form(&app).submitted);
    assert!(demo.engine.show(LONG_HANDLED).unwrap().case.reply.is_none());
    // A paste arrives as text; its line breaks become spaces.
    drive(
        &mut app,
        &[Action::Type(
            "《消费者权益保护法》第二十五条\n七日无理由退货".into(),
        )],
    );
    assert_eq!(
        value(&app, "basis"),
        "《消费者权益保护法》第二十五条 七日无理由退货"
    );
    drive(
        &mut app,
        &[
            Action::NextPane,
            Action::NextPane,
            Action::Type("0532-88".into()),
        ],
    );
    assert_eq!(form(&app).fields[3].problem, Some("bad_phone"));
    // Closed by mistake: the draft is kept and comes back.
    drive(&mut app, &[Action::Cancel]);
    assert!(matches!(app.mode, Mode::Normal));
    drive(&mut app, &[Action::Actions, Action::Type("r".into())]);
    assert_eq!(form(&app).word, "reply");
    assert_eq!(value(&app, "person"), "王欣怡");
    assert_eq!(value(&app, "phone"), "0532-88");
    assert!(app.status().is_some_and(|(m, _)| m.contains("草稿")));
    drive(
        &mut app,
        &[Action::Type("886666".into()), Action::SubmitForm],
    );
    assert!(matches!(app.mode, Mode::Normal), "{:?}", app.status());
    let case = demo.engine.show(LONG_HANDLED).unwrap().case;
    assert_eq!(case.stage, Stage::Review);
    assert_eq!(case.reply.unwrap().phone, "0532-88886666");
    // Sent: no draft is left.
    drive(&mut app, &[Action::Run(LONG_HANDLED.into())]);
    assert!(app.offered_commands().is_empty());
}

/// Runs commands as the administrator (set-up only; the board is what is under test).
fn walk(demo: &board_support::Demo, id: &str, commands: Vec<jiban::domain::command::Command>) {
    let admin = demo.engine.administrator();
    let id = jiban::domain::case::CaseId(id.into());
    for c in commands {
        demo.engine.execute(&admin, &id, &c, None).unwrap();
    }
}

#[test]
fn pending_requests_are_listed_and_decided_with_what_the_decision_does() {
    use jiban::domain::command::Command;
    let demo = demo();
    walk(
        &demo,
        LONG_HANDLED,
        vec![Command::Extend {
            days: 2,
            reason: "需调取商家销售记录".into(),
        }],
    );
    let mut app = board(&demo, Some("ls_dispatch"), "default", Lang::En);
    drive(&mut app, &[Action::ViewRequests]);
    let ids: Vec<String> = app
        .queue()
        .iter()
        .map(|&i| app.model().row(i).id.to_string())
        .collect();
    // The demo's own return request at Yangkou, and this extension.
    assert_eq!(ids, ["LS-20261103-0002", LONG_HANDLED]);
    drive(&mut app, &[Action::Down]);
    assert_eq!(app.selected_case(), Some(LONG_HANDLED));
    assert_eq!(
        app.offered_commands(),
        ["approve-extension", "deny-extension", "supervise"]
    );
    drive(&mut app, &[Action::Actions, Action::Open]);
    assert_eq!(form(&app).word, "approve-extension");
    assert_eq!(preview(&app), "Will: due if approved 2026-12-09 09:00");
    let text = board_support::screen(&mut app, 120, 40);
    assert!(text.contains("extension request"), "{text}");
    assert!(text.contains("需调取商家销售记录"), "{text}");
    drive(&mut app, &[Action::SubmitForm, Action::Confirm]);
    assert!(demo
        .engine
        .show(LONG_HANDLED)
        .unwrap()
        .case
        .pending
        .is_none());
    // Decided: it leaves the requests view.
    assert_eq!(app.queue().len(), 1);

    // A return: approving it takes the case back to the platform's triage.
    walk(
        &demo,
        LONG_HANDLED,
        vec![Command::Return {
            reason: "不属于本单位职责".into(),
            confirm: true,
        }],
    );
    app.pump();
    drive(
        &mut app,
        &[
            Action::Run(LONG_HANDLED.into()),
            Action::Actions,
            Action::Open,
        ],
    );
    assert_eq!(form(&app).word, "approve-return");
    assert_eq!(
        preview(&app),
        "Will: approve: the case goes back to Laoshan District"
    );
    drive(
        &mut app,
        &[Action::Cancel, Action::Actions, Action::Down, Action::Open],
    );
    assert_eq!(form(&app).word, "deny-return");
    assert_eq!(preview(&app), "Will: deny: the unit goes on handling it");
    drive(&mut app, &[Action::SubmitForm]);
    assert!(matches!(app.mode, Mode::Confirm(_)), "{:?}", app.mode);
    drive(&mut app, &[Action::Confirm]);
    let case = demo.engine.show(LONG_HANDLED).unwrap().case;
    assert!(case.pending.is_none());
    assert_eq!(case.holder.as_str(), "laoshan.market");
}

#[test]
fn a_city_department_reply_is_reviewed_by_the_city_platform_then_the_district() {
    use jiban::domain::case::Category;
    use jiban::domain::command::Command;
    use jiban::domain::org::UnitId;
    let demo = demo();
    let case = "LS-20261104-0002";
    walk(
        &demo,
        case,
        vec![
            Command::Accept {
                province: false,
                category: Category::Development,
                kind: None,
                complex: false,
                matter: None,
            },
            Command::Escalate { note: None },
            Command::Dispatch {
                to: UnitId::new("city.housing"),
            },
            Command::Sign,
            Command::Reply {
                result: "已督促物业修复台阶".into(),
                basis: "《青岛市物业管理条例》".into(),
                person: "刘强".into(),
                phone: "0532-85912345".into(),
            },
        ],
    );
    let mut app = board(&demo, Some("qd_dispatch"), "default", Lang::En);
    drive(&mut app, &[Action::Run(case.into()), Action::Actions]);
    assert_eq!(
        app.offered_commands(),
        ["approve-reply", "send-back", "supervise"]
    );
    drive(&mut app, &[Action::Open]);
    // The reply beside the case; approving passes it to the district platform.
    let text = board_support::screen(&mut app, 120, 40);
    assert!(text.contains("已督促物业修复台阶"), "{text}");
    assert!(text.contains("台阶"), "{text}");
    assert_eq!(preview(&app), "Will: approve, and pass to Laoshan District");
    drive(&mut app, &[Action::SubmitForm, Action::Confirm]);
    let c = demo.engine.show(case).unwrap().case;
    assert_eq!((c.stage, c.holder.as_str()), (Stage::Review, "laoshan"));
    let mut app = board(&demo, Some("ls_dispatch"), "default", Lang::En);
    drive(
        &mut app,
        &[Action::Run(case.into()), Action::Actions, Action::Open],
    );
    assert_eq!(preview(&app), "Will: approve; the callback comes next");
    drive(&mut app, &[Action::SubmitForm, Action::Confirm]);
    assert_eq!(
        demo.engine.show(case).unwrap().case.stage,
        Stage::Evaluation
    );
}

#[test]
fn a_second_failed_assessment_refers_the_unit_on_the_tree_and_in_the_header() {
    use jiban::domain::case::{Category, Resolution as R, Satisfaction as S};
    use jiban::domain::command::Command;
    use jiban::domain::org::UnitId;
    let demo = demo();
    let community = "shinan.xianggangzhonglu.yanchenglu";
    let mut app = board(&demo, Some("sn_supervisor"), "default", Lang::Zh);
    drive(
        &mut app,
        &[
            Action::Run("SN-20261103-0001".into()),
            Action::Run("assess".into()),
        ],
    );
    assert_eq!(
        form(&app).notes,
        ["连续未通过评估 0 · 问责移交 0 · 不当退单 0 · 催办 0 · 入督办池 0 · 未认领抢单 0 · 重复投诉督办 0 · 回头看 0"]
    );
    // Nothing is chosen: → pass, → fail.
    drive(
        &mut app,
        &[
            Action::Right,
            Action::Right,
            Action::SubmitForm,
            Action::Confirm,
        ],
    );
    assert_eq!(
        demo.engine
            .unit_record(&UnitId::new(community))
            .unwrap()
            .failed_assessments,
        1
    );
    // Another case of the same community fails its second round too.
    let line = format!(
        r#"{{"district":"shinan","channel":"wechat","title":"盐城路社区楼道灯不亮","description":"楼道灯坏了一个月","requester":{{"name":"周梓萱","phone":"13853211503"}},"community":"{community}"}}"#
    );
    let new = jiban::domain::intake::parse_line(1, &line, &demo.engine.config().org).unwrap();
    let admin = demo.engine.administrator();
    let id = match &demo.engine.intake(&admin, vec![new]).unwrap()[0] {
        jiban::engine::IntakeOutcome::Created(id) => id.to_string(),
        other => panic!("{other:?}"),
    };
    let reply = || Command::Reply {
        result: "已更换灯泡".into(),
        basis: "物业服务合同".into(),
        person: "林明辉".into(),
        phone: "0532-82870019".into(),
    };
    let round = |s, r| {
        vec![
            Command::Dispatch {
                to: UnitId::new(community),
            },
            Command::Sign,
            reply(),
            Command::ApproveReply,
            Command::Evaluate {
                satisfaction: s,
                resolution: r,
            },
        ]
    };
    let mut commands = vec![Command::Accept {
        province: false,
        category: Category::Livelihood,
        kind: None,
        complex: false,
        matter: None,
    }];
    commands.extend(round(S::Basic, R::Unresolved));
    commands.extend(round(S::Unsatisfied, R::Basic));
    walk(&demo, &id, commands);
    app.pump();
    drive(
        &mut app,
        &[Action::Run(id.clone()), Action::Run("assess".into())],
    );
    assert_eq!(
        form(&app).notes,
        ["连续未通过评估 1 · 问责移交 0 · 不当退单 0 · 催办 0 · 入督办池 0 · 未认领抢单 0 · 重复投诉督办 0 · 回头看 0"]
    );
    drive(&mut app, &[Action::Right, Action::Right]);
    assert_eq!(
        preview(&app),
        "将：盐城路社区 · 评估未通过，连续未通过 2 · 问责移交纪检监察和组织部门"
    );
    let before = board_support::screen(&mut app, 120, 40);
    assert!(before.contains("问责移交 1"), "{before}");
    drive(&mut app, &[Action::SubmitForm, Action::Confirm]);
    let record = demo.engine.unit_record(&UnitId::new(community)).unwrap();
    assert_eq!(record.referrals.len(), 1);
    // The referral shows on the unit in the tree and in the header's count.
    drive(&mut app, &[Action::SelectUnit(community.into())]);
    let text = board_support::screen(&mut app, 120, 40);
    let row = text
        .lines()
        .find(|l| l.contains("盐城路社区") && l.starts_with(['│', '┃']))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(row.contains("问责"), "{row}");
    drive(&mut app, &[Action::SelectUnit("shinan".into())]);
    let text = board_support::screen(&mut app, 120, 40);
    assert!(text.contains("问责移交 2"), "{text}");
}

#[test]
fn a_second_round_shows_round_one_beside_the_new_work() {
    let demo = demo();
    let mut app = board(&demo, Some("ls_yangkou"), "default", Lang::Zh);
    drive(&mut app, &[Action::Run("LS-20261107-0001".into())]);
    let text = board_support::screen(&mut app, 200, 60);
    let lines: Vec<&str> = text.lines().collect();
    let at = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle} not shown:\n{text}"))
    };
    // The queue marks the round; the detail shows round 1's unit, rating and reply.
    assert!(lines
        .iter()
        .any(|l| l.contains("LS-20261107-0001 民生 东麦窑") && l.contains('②')));
    let round1 = at("第1轮");
    assert!(lines[round1].contains("崂山区综合行政执法局 · 不满意 / 未解决"));
    let block = lines[round1 + 1..round1 + 4].join("\n");
    assert!(
        block.contains("答复") && block.contains("已联系诉求人"),
        "{block}"
    );
    // The reply form of round 2 shows round 1 above the fields.
    drive(&mut app, &[Action::Run("reply".into())]);
    let text = board_support::screen(&mut app, 120, 40);
    assert!(
        text.contains("第1轮 崂山区综合行政执法局 · 不满意 / 未解决"),
        "{text}"
    );
}

#[test]
fn the_first_down_highlights_the_first_unit_and_enter_takes_a_lone_suggestion() {
    let demo = demo();
    let mut app = board(&demo, Some("ls_dispatch"), "default", Lang::En);
    drive(
        &mut app,
        &[
            Action::Run(LONG_TRIAGE.into()),
            Action::Run("accept --category livelihood".into()),
            Action::Run("dispatch".into()),
        ],
    );
    // One suggestion, nothing typed: Enter takes it instead of answering "required".
    assert_eq!(form(&app).suggestions.len(), 1);
    drive(&mut app, &[Action::Submit]);
    assert_eq!(value(&app, "to"), "Zhangcun Community");
    assert!(matches!(app.mode, Mode::Form(_)), "not submitted yet");
    // Several picks: the first ↓ highlights the first of them, not the second.
    for _ in 0.."Zhangcun Community".len() {
        app.handle(Action::Backspace);
    }
    drive(&mut app, &[Action::Type("Community".into())]);
    let picks: Vec<String> = form(&app).picks.iter().map(|p| p.name.clone()).collect();
    assert!(picks.len() > 1, "{picks:?}");
    drive(&mut app, &[Action::Down]);
    assert_eq!((form(&app).pick, form(&app).picking), (0, true));
    drive(&mut app, &[Action::Submit]);
    assert_eq!(value(&app, "to"), picks[0]);
    // Typed again: the second ↓ moves to the second.
    for _ in 0..picks[0].len() {
        app.handle(Action::Backspace);
    }
    drive(
        &mut app,
        &[
            Action::Type("Community".into()),
            Action::Down,
            Action::Down,
            Action::Submit,
        ],
    );
    assert_eq!(value(&app, "to"), picks[1]);
}

#[test]
fn in_the_reply_form_enter_moves_on_the_person_is_the_login_and_the_result_wraps() {
    let demo = demo();
    let mut app = board(&demo, Some("ls_market"), "default", Lang::Zh);
    drive(
        &mut app,
        &[
            Action::Run(LONG_HANDLED.into()),
            Action::Run("reply".into()),
        ],
    );
    // 责任人 starts as the operator's own name.
    let me = app.operator().name.clone();
    assert!(!me.is_empty());
    assert_eq!(value(&app, "person"), me);
    // A long result: Enter moves on to 政策依据 instead of sending a half-written reply.
    let result =
        "已约谈商家负责人，核实顾客购买的羽绒服存在质量问题，商家同意全额退款并承担往返运费，\
                  诉求人表示认可，市场监管所将于下周回访商家整改情况";
    drive(&mut app, &[Action::Type(result.into()), Action::Submit]);
    assert_eq!(form(&app).focus, 1);
    assert!(!form(&app).submitted);
    assert!(demo.engine.show(LONG_HANDLED).unwrap().case.reply.is_none());
    // The whole result shows, wrapped over rows, not scrolled out of sight; the footer names
    // the submit key.
    let text = screen(&mut app, 120, 40);
    let flat: String = text.split_whitespace().collect();
    assert!(
        flat.contains("市场监管所将于下周回访商家整改情况"),
        "{text}"
    );
    assert!(flat.contains("已约谈商家负责人"), "{text}");
    assert!(text.contains("Ctrl-S 提交"), "{text}");
    // Typing in the prefilled person replaces it; Backspace on it clears it.
    drive(
        &mut app,
        &[
            Action::Type("《消费者权益保护法》第二十四条".into()),
            Action::Submit,
            Action::Type("王欣怡".into()),
        ],
    );
    assert_eq!(value(&app, "person"), "王欣怡");
    drive(
        &mut app,
        &[Action::Submit, Action::Type("0532-88886666".into())],
    );
    // Ctrl-S from the person field (not the last) submits the whole form.
    drive(&mut app, &[Action::PrevPane, Action::SubmitForm]);
    assert!(matches!(app.mode, Mode::Normal), "{:?}", app.status());
    let reply = demo.engine.show(LONG_HANDLED).unwrap().case.reply.unwrap();
    assert_eq!(reply.person, "王欣怡");
    assert_eq!(reply.result, result);
}

#[test]
fn a_supervisor_sends_a_notice_by_keys_and_the_unit_answers_it() {
    use board_support::keys::keys;
    let demo = demo();
    let mut app = board(&demo, Some("ls_supervisor"), "default", Lang::Zh);
    drive(&mut app, &[Action::Run(LONG_HANDLED.into())]);
    // `a u`: the notice's panel; a decision, so Ctrl-S asks first.
    keys(&mut app, "au请本周内办结并回复✔");
    assert!(matches!(app.mode, Mode::Confirm(_)), "{:?}", app.mode);
    keys(&mut app, "y");
    assert!(
        app.status().is_some_and(|(m, ok)| ok && m.contains("督办")),
        "{:?}",
        app.status()
    );
    let case = demo.engine.show(LONG_HANDLED).unwrap().case;
    let s = case.supervision.expect("a notice");
    assert_eq!((s.unit.as_str(), s.days), ("laoshan.market", 2));
    // The detail lists the notice's own clock.
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("督办"), "{text}");
    // The market's handler answers with `a w`.
    let mut unit = board(&demo, Some("ls_market"), "default", Lang::Zh);
    drive(&mut unit, &[Action::Run(LONG_HANDLED.into())]);
    assert!(unit.offered_commands().contains(&"answer-supervision"));
    keys(&mut unit, "aw已约谈商家，周五前退款✔");
    assert!(matches!(unit.mode, Mode::Normal), "{:?}", unit.status());
    let case = demo.engine.show(LONG_HANDLED).unwrap().case;
    assert!(case.supervision.unwrap().answer.is_some());
}
