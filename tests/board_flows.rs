//! Whole cases worked on the board by key events only, each operator at their own board over the
//! one engine, and the engine's state checked after each step: a livelihood case from triage
//! through community → street → department → reply → review → evaluation → closed, and an
//! enforcement case with a lead and two supporting units through an "unresolved" evaluation, a
//! second round, a failed round 2 and an assessment.

mod board_support;

use std::collections::HashMap;

use board_support::keys::keys;
use board_support::{board, demo, Demo};
use jiban::board::app::Mode;
use jiban::board::i18n::Lang;
use jiban::board::App;
use jiban::domain::case::{Arrival, AssessmentOutcome, Case, Kind, Stage};
use jiban::domain::org::UnitId;

/// The boards of the operators taking part, each live on the engine.
struct Desks<'a> {
    demo: &'a Demo,
    boards: HashMap<&'static str, App>,
}

impl<'a> Desks<'a> {
    fn new(demo: &'a Demo) -> Self {
        Desks {
            demo,
            boards: HashMap::new(),
        }
    }

    /// `login` types `text` at their board (which has followed the engine meanwhile).
    fn at(&mut self, login: &'static str, text: &str) -> &mut App {
        let demo = self.demo;
        let app = self
            .boards
            .entry(login)
            .or_insert_with(|| board(demo, Some(login), "default", Lang::Zh));
        app.pump();
        keys(app, text);
        assert!(
            matches!(app.mode, Mode::Normal),
            "{login} typed {text:?} and left {:?} open; status {:?}",
            app.mode,
            app.status()
        );
        app
    }

    fn case(&self, id: &str) -> Case {
        self.demo.engine.show(id).unwrap().case
    }

    /// The last history entry: its action and operator.
    fn last(&self, id: &str) -> (String, String) {
        let view = self.demo.engine.show(id).unwrap();
        let e = view.history.last().unwrap();
        (e.event.action().to_string(), e.by.clone())
    }
}

fn holder(c: &Case) -> &str {
    c.holder.as_str()
}

#[test]
fn a_livelihood_case_from_triage_to_closed_by_keys() {
    let demo = demo();
    let mut d = Desks::new(&demo);
    let id = "LS-20261104-0002";
    let go = format!(":{id}⏎");

    // Triage: accept as a livelihood complaint (the intake's category), 2 working days.
    let app = d.at("ls_dispatch", &format!("{go}aa✔"));
    assert!(app.status().unwrap().1, "{:?}", app.status());
    let c = d.case(id);
    assert_eq!(
        (c.stage, c.kind, c.limit_days),
        (Stage::Triage, Some(Kind::Complaint), Some(2))
    );
    assert_eq!(d.last(id), ("accept".into(), "ls_dispatch".into()));

    // Route to the requester's community, the panel's first suggestion.
    d.at("ls_dispatch", "ad↓⏎⏎");
    let c = d.case(id);
    assert_eq!(
        (c.stage, holder(&c)),
        (Stage::Assigned, "laoshan.jinjialing.haidamaidao")
    );

    // The community signs, then escalates with a note.
    d.at("ls_haidamaidao", &format!("{go}as"));
    assert_eq!(d.case(id).stage, Stage::Handling);
    d.at("ls_haidamaidao", "ae社区无法协调维修资金✔");
    let c = d.case(id);
    assert_eq!(
        (c.stage, holder(&c)),
        (Stage::Assigned, "laoshan.jinjialing")
    );
    assert_eq!(d.last(id), ("escalate".into(), "ls_haidamaidao".into()));

    // The street signs and escalates to the district platform.
    d.at("ls_jinjialing", &format!("{go}asae需住建部门处理✔"));
    let c = d.case(id);
    assert_eq!((c.stage, holder(&c)), (Stage::Triage, "laoshan"));
    assert!(matches!(c.arrived_by, Some(Arrival::Escalation { .. })));

    // The platform routes it to a department, picked by part of its name.
    d.at("ls_dispatch", "ad住房↓⏎⏎");
    let c = d.case(id);
    assert_eq!((c.stage, holder(&c)), (Stage::Assigned, "laoshan.housing"));

    // The department signs and replies with the four elements.
    d.at("ls_housing", &format!("{go}as"));
    assert_eq!(d.case(id).stage, Stage::Handling);
    d.at(
        "ls_housing",
        "ar已督促物业修复9号楼台阶⇥《青岛市物业管理条例》第四十条⇥刘强⇥0532-85912345⏎",
    );
    let c = d.case(id);
    assert_eq!((c.stage, holder(&c)), (Stage::Review, "laoshan"));
    assert_eq!(c.reply.as_ref().unwrap().person, "刘强");

    // Review: approve (asks first).
    d.at("ls_dispatch", "ay⏎y");
    assert_eq!(d.case(id).stage, Stage::Evaluation);

    // Callback: satisfied and resolved closes the case (asks first). Nothing is chosen for
    // the requester: → picks the first value of each.
    d.at("ls_dispatch", "av→⇥→⏎y");
    let c = d.case(id);
    assert_eq!(c.stage, Stage::Closed);
    assert_eq!(d.last(id), ("evaluate".into(), "ls_dispatch".into()));
    // Every step is in the history, each by the operator who did it.
    let by: Vec<(String, String)> = demo
        .engine
        .show(id)
        .unwrap()
        .history
        .iter()
        .skip(1)
        .map(|e| (e.event.action().to_string(), e.by.clone()))
        .collect();
    let expected = [
        // The demo case waited in triage past its clock: chased, then pooled, by the system
        // when the store opened, before the dispatcher took it.
        ("chase", "jiban"),
        ("chase", "jiban"),
        ("accept", "ls_dispatch"),
        ("dispatch", "ls_dispatch"),
        ("sign", "ls_haidamaidao"),
        ("escalate", "ls_haidamaidao"),
        ("sign", "ls_jinjialing"),
        ("escalate", "ls_jinjialing"),
        ("dispatch", "ls_dispatch"),
        ("sign", "ls_housing"),
        ("reply", "ls_housing"),
        ("approve-reply", "ls_dispatch"),
        ("evaluate", "ls_dispatch"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(by, expected);
    // The dispatcher's board shows the closed case with its last action on top of the history.
    let app = d.at("ls_dispatch", "");
    assert_eq!(app.selected_case(), Some(id));
    let detail = app.detail().unwrap();
    assert_eq!(detail.case.stage, Stage::Closed);
}

#[test]
fn an_enforcement_case_through_a_second_round_to_a_failed_assessment_by_keys() {
    let demo = demo();
    let mut d = Desks::new(&demo);
    let id = "LS-20261113-0001";
    let go = format!(":{id}⏎");
    let support = ["laoshan.transport", "laoshan.jinjialing"];

    // Accept as enforcement (the intake's category): 10 working days.
    d.at("ls_dispatch", &format!("{go}aa✔"));
    assert_eq!(d.case(id).limit_days, Some(10));

    let round = |d: &mut Desks, n: u8| {
        // Joint assignment: a lead and two supporting units.
        d.at(
            "ls_dispatch",
            &format!("{go}ajlaoshan.enforcement⇥laoshan.transport,laoshan.jinjialing✔"),
        );
        let c = d.case(id);
        assert_eq!(
            (c.round, c.stage, holder(&c)),
            (n, Stage::Assigned, "laoshan.enforcement")
        );
        assert_eq!(c.lead, Some(UnitId::new("laoshan.enforcement")));
        let s: Vec<&str> = c.supporting.iter().map(|u| u.as_str()).collect();
        assert_eq!(s, support);
        // The lead signs; each supporting unit reports its part.
        d.at("ls_enforcement", &format!("{go}as"));
        d.at("ls_transport", &format!("{go}ap清理共享单车并划定停放区✔"));
        d.at("ls_jinjialing", &format!("{go}ap街道巡查员每日巡查✔"));
        let c = d.case(id);
        let parts: Vec<&str> = c
            .parts
            .iter()
            .filter(|p| p.round == n)
            .map(|p| p.unit.as_str())
            .collect();
        assert_eq!(parts, support);
        // Now the lead may reply (third in its menu: return, extend, reply).
        d.at(
            "ls_enforcement",
            "ar联合整治金家岭地铁站周边共享单车⇥《青岛市市容和环境卫生管理条例》⇥袁建军⇥0532-88997766⏎",
        );
        assert_eq!(d.case(id).stage, Stage::Review);
        d.at("ls_dispatch", "ay⏎y");
        assert_eq!(d.case(id).stage, Stage::Evaluation);
    };

    round(&mut d, 1);
    // Basically satisfied but unresolved: a second round, back at the platform's triage.
    d.at("ls_dispatch", "av→→⇥←⏎y");
    let c = d.case(id);
    assert_eq!(
        (c.round, c.stage, holder(&c)),
        (2, Stage::Triage, "laoshan")
    );
    assert_eq!(c.previous_rounds.len(), 1);

    round(&mut d, 2);
    // Round 2 unsatisfied and unresolved: the lead unit is assessed.
    d.at("ls_dispatch", "av→→→⇥←⏎y");
    let c = d.case(id);
    assert_eq!(
        (c.stage, holder(&c)),
        (Stage::Assessment, "laoshan.enforcement")
    );
    assert_eq!(c.assessed_unit, Some(UnitId::new("laoshan.enforcement")));

    // The district's supervisor fails the unit, with a note (asks first).
    d.at("ls_supervisor", &format!("{go}am→→⇥联合整治后仍反复出现✔y"));
    let c = d.case(id);
    assert_eq!(
        (c.stage, c.assessment),
        (Stage::Closed, Some(AssessmentOutcome::Fail))
    );
    let record = demo
        .engine
        .unit_record(&UnitId::new("laoshan.enforcement"))
        .unwrap();
    assert_eq!(record.failed_assessments, 1);
    assert_eq!(d.last(id), ("assess".into(), "ls_supervisor".into()));
}
