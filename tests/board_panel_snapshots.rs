//! Snapshots of every workflow panel, in Chinese and English, at 120×40 and 80×24: the actions
//! menu, triage (accept, reject with the seven reasons, its validation error and its
//! confirmation), routing (suggestions, the unit picker, joint with its due date and with the
//! engine's refusal), unit handling (escalate, return and its two confirmations, extension with
//! its new due date, a supporting unit's report, the reply with its validation errors and with
//! round 1 beside it), review, send back, pending requests, the 3×3 evaluation and the
//! assessment. Each is typed as keys into a board over one demo store prepared once; nothing is
//! submitted, so every picture starts from the same state. `screen` also checks that no line is
//! broken by a double-width character.

mod board_support;

use std::sync::OnceLock;

use board_support::keys::keys;
use board_support::{board, demo, screen, Demo, LONG_TRIAGE};
use jiban::board::action::Action;
use jiban::board::i18n::Lang;
use jiban::domain::case::{CaseId, Category};
use jiban::domain::command::Command;

/// The demo, with a triage case accepted for routing, an enforcement case accepted for a joint
/// assignment, and an extension waiting for the platform.
fn prepared() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    DEMO.get_or_init(|| {
        let demo = demo();
        let admin = demo.engine.administrator();
        let run = |id: &str, cmd: Command| {
            demo.engine
                .execute(&admin, &CaseId(id.into()), &cmd, None)
                .unwrap();
        };
        let accept = |category| Command::Accept {
            province: false,
            category,
            kind: None,
            complex: false,
            matter: None,
        };
        run(LONG_TRIAGE, accept(Category::Livelihood));
        run("LS-20261113-0001", accept(Category::Enforcement));
        run(
            "LS-20261105-0002",
            Command::Extend {
                days: 3,
                reason: "需联合街道夜间巡查".into(),
            },
        );
        demo
    })
}

/// (picture, login, case, keys typed after selecting the case).
const SHOTS: &[(&str, &str, &str, &str)] = &[
    ("menu", "ls_dispatch", "LS-20261104-0002", "a"),
    ("accept", "ls_dispatch", "LS-20261104-0002", "aa"),
    (
        "reject",
        "ls_dispatch",
        "LS-20261104-0002",
        "ax7⇥不属于本区管辖",
    ),
    (
        "reject_missing_reason",
        "ls_dispatch",
        "LS-20261104-0002",
        "ax✔",
    ),
    (
        "reject_confirm",
        "ls_dispatch",
        "LS-20261104-0002",
        "ax7⇥不属于本区管辖⏎",
    ),
    ("dispatch", "ls_dispatch", LONG_TRIAGE, "ad"),
    ("dispatch_picker", "ls_dispatch", LONG_TRIAGE, "ad枯桃"),
    (
        "joint",
        "ls_dispatch",
        "LS-20261113-0001",
        "ajlaoshan.enforcement⇥laoshan.transport,金家岭",
    ),
    (
        "joint_refused",
        "ls_dispatch",
        "LS-20261113-0001",
        "ajlaoshan.enforcement⇥laoshan.transport,张村社区",
    ),
    (
        "escalate",
        "ls_yangkou",
        "LS-20261107-0001",
        "ae社区无法协调清运车辆",
    ),
    (
        "return",
        "ls_yangkou",
        "LS-20261107-0001",
        "at不属于本社区职责",
    ),
    (
        "return_confirm",
        "ls_yangkou",
        "LS-20261107-0001",
        "at不属于本社区职责⏎",
    ),
    (
        "return_second",
        "ls_yangkou",
        "LS-20261107-0001",
        "at不属于本社区职责⏎y",
    ),
    (
        "extend",
        "ls_yangkou",
        "LS-20261107-0001",
        "al3⇥需协调环卫车辆",
    ),
    (
        "reply_errors",
        "ls_yangkou",
        "LS-20261107-0001",
        "ar已清运⇥⇥⇥12⏎",
    ),
    (
        "reply_round2",
        "ls_yangkou",
        "LS-20261107-0001",
        "ar已协调环卫每日清运两次⇥《城市生活垃圾管理办法》⇥吕明辉⇥0532-87291486",
    ),
    (
        "report",
        "ls_jinjialing",
        "LS-20261116-0001",
        "ap已派街道执法队员配合",
    ),
    ("review", "ls_dispatch", "LS-20261105-0003", "ay"),
    ("review_confirm", "ls_dispatch", "LS-20261105-0003", "ay⏎"),
    (
        "send_back",
        "ls_dispatch",
        "LS-20261105-0003",
        "an依据不明确，请补充",
    ),
    ("approve_extension", "ls_dispatch", "LS-20261105-0002", "ay"),
    ("approve_return", "ls_dispatch", "LS-20261103-0002", "ay"),
    ("evaluate", "ls_dispatch", "LS-20261120-0001", "av→⇥←"),
    (
        "assess",
        "sn_supervisor",
        "SN-20261103-0001",
        "am→⇥未按期整改",
    ),
];

#[test]
fn every_panel_in_both_languages_at_both_sizes() {
    let demo = prepared();
    // Every case a shot types into, at its version before the shots.
    let version = |id: &str| demo.engine.show(id).unwrap().case.version;
    let before: Vec<(&str, u64)> = SHOTS.iter().map(|s| (s.2, version(s.2))).collect();
    for (name, login, case, typed) in SHOTS {
        for (lang, tag) in [(Lang::Zh, "zh"), (Lang::En, "en")] {
            for (w, h) in [(120, 40), (80, 24)] {
                let mut app = board(demo, Some(login), "default", lang);
                app.handle(Action::Run(case.to_string()));
                assert_eq!(app.selected_case(), Some(*case), "{name}");
                keys(&mut app, typed);
                let text = screen(&mut app, w, h);
                insta::assert_snapshot!(format!("panel_{name}_{tag}_{w}x{h}"), text);
            }
        }
    }
    // Nothing was submitted: every case a shot typed into is at the version it had (the
    // confirmation shots stop at the question, the second return at its second question).
    for (id, v) in before {
        assert_eq!(version(id), v, "{id} changed");
    }
}
