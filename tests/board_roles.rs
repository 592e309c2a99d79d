//! Each role sees exactly its actions: on cases in every stage of the demo, the board offers each
//! login the lifecycle commands its role and unit allow now, and nothing else, in the help
//! overlay, the actions menu, and the `:` line's completion and refusals. A supervision notice
//! (督办) is offered on every case still being handled to its district's platform and supervisor,
//! the city's, and the trainer.

mod board_support;

use board_support::{board, demo, screen, LONG_HANDLED, LONG_TRIAGE};
use jiban::board::action::Action;
use jiban::board::app::Mode;
use jiban::board::i18n::Lang;
use jiban::domain::command::COMMAND_WORDS;

/// (case, login (None: the administrator, a trainer), the words offered).
const EXPECTED: &[(&str, Option<&str>, &[&str])] = &[
    // Fresh in triage at the Laoshan platform.
    (
        LONG_TRIAGE,
        Some("ls_dispatch"),
        &["accept", "reject", "supervise"],
    ),
    (
        LONG_TRIAGE,
        Some("ls_duty"),
        &["accept", "reject", "supervise"],
    ),
    (LONG_TRIAGE, None, &["accept", "reject", "supervise"]),
    (LONG_TRIAGE, Some("ls_supervisor"), &["supervise"]),
    (LONG_TRIAGE, Some("qd_dispatch"), &["supervise"]),
    (LONG_TRIAGE, Some("sn_dispatch"), &[]),
    (LONG_TRIAGE, Some("ls_market"), &[]),
    // A development case a department is handling: departments do not escalate.
    // Nobody has called the requester yet: contact (联系诉求人) is offered to the holder.
    (
        LONG_HANDLED,
        Some("ls_market"),
        &["return", "extend", "reply", "contact"],
    ),
    (LONG_HANDLED, Some("ls_dispatch"), &["supervise"]),
    (LONG_HANDLED, Some("ls_hrss"), &[]),
    (
        LONG_HANDLED,
        None,
        &["return", "extend", "reply", "contact", "supervise"],
    ),
    // A joint enforcement case: the lead waits for both parts; each supporting unit reports.
    (
        "LS-20261116-0001",
        Some("ls_enforcement"),
        &["return", "extend"],
    ),
    ("LS-20261116-0001", Some("ls_jinjialing"), &["report"]),
    ("LS-20261116-0001", Some("ls_hrss"), &["report"]),
    ("LS-20261116-0001", Some("ls_dispatch"), &["supervise"]),
    (
        "LS-20261116-0001",
        None,
        &["return", "extend", "report", "supervise"],
    ),
    // Round 2 at a community, which has not called the requester in this round.
    (
        "LS-20261107-0001",
        Some("ls_yangkou"),
        &["escalate", "return", "extend", "reply", "contact"],
    ),
    ("LS-20261107-0001", Some("ls_wanggezhuang"), &[]),
    // A reply under review, a case waiting for the callback.
    (
        "LS-20261105-0003",
        Some("ls_dispatch"),
        &["approve-reply", "send-back", "supervise"],
    ),
    ("LS-20261105-0003", Some("ls_liuqinghe"), &[]),
    ("LS-20261105-0003", Some("ls_supervisor"), &["supervise"]),
    (
        "LS-20261120-0001",
        Some("ls_dispatch"),
        &["evaluate", "supervise"],
    ),
    ("LS-20261120-0001", Some("ls_supervisor"), &["supervise"]),
    // A failed round 2 waiting for the district's (or the city's) supervisor: too late for a
    // supervision notice.
    ("SN-20261103-0001", Some("sn_supervisor"), &["assess"]),
    ("SN-20261103-0001", Some("qd_supervisor"), &["assess"]),
    ("SN-20261103-0001", Some("ls_supervisor"), &[]),
    ("SN-20261103-0001", Some("sn_dispatch"), &[]),
    // A grab order open to claim (可抢): the platform may still route it itself (which withdraws
    // the order); the unit it is offered to may claim it, and only that unit.
    (
        "LS-20261120-0003",
        Some("ls_dispatch"),
        &["dispatch", "joint", "escalate", "supervise"],
    ),
    ("LS-20261120-0003", Some("ls_xiaowang"), &["claim"]),
    ("LS-20261120-0003", Some("ls_haidamaidao"), &[]),
    // A closed case drawn for the month's look-back (回头看): its district's and the city's
    // supervisors record the re-visit; nobody else acts on a closed case.
    ("LS-20261102-0001", Some("ls_supervisor"), &["lookback"]),
    ("LS-20261102-0001", Some("qd_supervisor"), &["lookback"]),
    ("LS-20261102-0001", None, &["lookback"]),
    ("LS-20261102-0001", Some("sn_supervisor"), &[]),
    ("LS-20261102-0001", Some("ls_dispatch"), &[]),
    // A duplicate merged into the open case of its matter (并案) follows that case: nothing is
    // done on it any more.
    ("LS-20261104-0006", Some("ls_dispatch"), &[]),
    ("LS-20261104-0006", None, &[]),
];

#[test]
fn each_role_sees_exactly_its_actions() {
    let demo = demo();
    for (case, login, want) in EXPECTED {
        let who = login.unwrap_or("admin");
        let mut app = board(&demo, *login, "default", Lang::En);
        app.handle(Action::Run(case.to_string()));
        assert_eq!(app.selected_case(), Some(*case), "{who}");
        assert_eq!(app.offered_commands(), *want, "{who} on {case}");

        // The `:` line completes exactly these command words (then the board's own).
        let words: Vec<String> = app
            .completions("")
            .into_iter()
            .filter(|w| COMMAND_WORDS.contains(&w.as_str()))
            .collect();
        assert_eq!(words, *want, "{who} on {case}: completion");

        // The help overlay lists exactly these under the case's heading (at 40 rows the list
        // may need a scroll; 50 shows it whole).
        app.handle(Action::Help);
        let help = screen(&mut app, 120, 50);
        for word in COMMAND_WORDS {
            let listed = help.contains(&format!(":{word} "));
            assert_eq!(
                listed,
                want.contains(word),
                "{who} on {case}: :{word} in the help\n{help}"
            );
        }
        assert_eq!(
            help.contains("This case: you may"),
            !want.is_empty(),
            "{help}"
        );
        app.handle(Action::Back);

        // The actions menu offers the same words, or says there is nothing to do.
        app.handle(Action::Actions);
        match &app.mode {
            Mode::Menu(m) => assert_eq!(m.items, *want, "{who} on {case}"),
            Mode::Normal => {
                assert!(want.is_empty(), "{who} on {case}: no menu");
                let (msg, ok) = app.status().expect("a message");
                assert!(!ok && msg.contains("Nothing on this case"), "{msg}");
            }
            other => panic!("{other:?}"),
        }
        app.handle(Action::Back);

        // A word not offered is refused on the `:` line with the lifecycle's reason, and opens
        // no form. (A finished case is shown by the search view, which the last Esc left when
        // there was no menu to close: it is asked for again.)
        app.handle(Action::Run(case.to_string()));
        assert_eq!(app.selected_case(), Some(*case), "{who}");
        if let Some(word) = COMMAND_WORDS.iter().find(|w| !want.contains(w)) {
            app.handle(Action::Run(word.to_string()));
            assert!(
                matches!(app.mode, Mode::Normal),
                "{who}: {word} opened a form"
            );
            let (msg, ok) = app.status().expect("a message");
            assert!(!ok && msg.contains(word), "{who} on {case}: {msg}");
        }
    }
}

#[test]
fn the_actions_menu_opens_a_panel_or_runs_a_command_without_options() {
    let demo = demo();
    let mut app = board(&demo, Some("ls_market"), "default", Lang::Zh);
    app.handle(Action::Run(LONG_HANDLED.into()));
    app.handle(Action::Actions);
    // Reply by its own letter (r, in every stage) opens the reply panel; a digit does nothing.
    app.handle(Action::Type("3".into()));
    assert!(matches!(&app.mode, Mode::Menu(_)), "{:?}", app.mode);
    app.handle(Action::Type("r".into()));
    assert!(
        matches!(&app.mode, Mode::Form(f) if f.word == "reply"),
        "{:?}",
        app.mode
    );
    app.handle(Action::Cancel);
    // A dispatcher's review: approve-reply has no options.
    let mut app = board(&demo, Some("ls_dispatch"), "default", Lang::Zh);
    app.handle(Action::Run("LS-20261105-0003".into()));
    app.handle(Action::Actions);
    app.handle(Action::Down);
    app.handle(Action::Open);
    assert!(matches!(&app.mode, Mode::Form(f) if f.word == "send-back"));
}

#[test]
fn menu_letters_never_meet_twice_in_one_menu_on_any_demo_case_for_any_login() {
    let demo = demo();
    let rows = demo
        .engine
        .list(&jiban::engine::query::CaseFilter::default())
        .unwrap();
    let mut users = demo.engine.config().users.all().to_vec();
    users.push(demo.engine.administrator());
    let mut menus = 0;
    for u in &users {
        for r in &rows {
            let words = demo.engine.available_commands(u, r.id.as_str()).unwrap();
            let mut keys: Vec<char> = words
                .iter()
                .map(|w| jiban::vocabulary::menu_key(w).expect("a key"))
                .collect();
            keys.sort_unstable();
            let n = keys.len();
            keys.dedup();
            assert_eq!(keys.len(), n, "{} as {}: {words:?}", r.id, u.login);
            menus += usize::from(n > 1);
        }
    }
    assert!(menus > 20, "too few menus looked at: {menus}");
}
