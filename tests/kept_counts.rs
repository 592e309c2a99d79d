//! The engine keeps per-holder, per-stage counts in each command's transaction. After any
//! sequence of commands (accepted or refused) the kept counts equal a full recount, the same
//! after the store is closed and reopened, and the index-driven queries agree with a scan.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use jiban::domain::case::{AssessmentOutcome, CaseId, Category, Kind, Resolution, Satisfaction};
use jiban::domain::clock::SimulatedClock;
use jiban::domain::command::Command;
use jiban::domain::deadlines::ClockKind;
use jiban::domain::light::Light;
use jiban::domain::users::User;
use jiban::engine::query::CaseFilter;
use jiban::engine::Engine;
use proptest::prelude::*;

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T09:00:00+08:00")
        .expect("time")
        .with_timezone(&Utc)
}

/// A command for `word`, its options picked by `pick`.
fn command(engine: &Engine, case: &str, word: &str, pick: u8) -> Option<Command> {
    let targets = |joint| engine.route_targets(case, joint).unwrap_or_default();
    Some(match word {
        "accept" => Command::Accept {
            province: false,
            category: [
                Category::Livelihood,
                Category::Development,
                Category::Enforcement,
            ][pick as usize % 3],
            kind: Some(Kind::Complaint),
            complex: pick.is_multiple_of(2),
            matter: None,
        },
        "reject" => Command::Reject {
            reason: 7,
            note: "不属于本区管辖".into(),
        },
        "dispatch" => {
            let t = targets(false);
            Command::Dispatch {
                to: t.get(pick as usize % t.len().max(1))?.clone(),
            }
        }
        "joint" => {
            let t = targets(true);
            Command::Joint {
                part_days: None,
                lead: t.first()?.clone(),
                support: t.get(1).cloned().into_iter().collect(),
                days: None,
            }
        }
        "sign" => Command::Sign,
        "escalate" => Command::Escalate { note: None },
        "return" => Command::Return {
            reason: "不属于本单位职责".into(),
            confirm: true,
        },
        "approve-return" => Command::ApproveReturn,
        "deny-return" => Command::DenyReturn,
        "extend" => Command::Extend {
            days: 2,
            reason: "需要协调".into(),
        },
        "approve-extension" => Command::ApproveExtension,
        "deny-extension" => Command::DenyExtension,
        "report" => Command::Report {
            text: "已配合".into(),
        },
        "reply" => Command::Reply {
            result: "已处理".into(),
            basis: "相关规定".into(),
            person: "王工".into(),
            phone: "0532-88888888".into(),
        },
        "approve-reply" => Command::ApproveReply,
        "send-back" => Command::SendBack {
            note: "补充材料".into(),
        },
        "evaluate" => Command::Evaluate {
            satisfaction: [Satisfaction::Satisfied, Satisfaction::Unsatisfied][pick as usize % 2],
            resolution: [Resolution::Resolved, Resolution::Unresolved][pick as usize / 2 % 2],
        },
        "assess" => Command::Assess {
            outcome: [AssessmentOutcome::Pass, AssessmentOutcome::Fail][pick as usize % 2],
            note: None,
        },
        _ => return None,
    })
}

/// Every open case's id, from the open index.
fn open_ids(engine: &Engine) -> Vec<CaseId> {
    let mut out = Vec::new();
    let mut after: Option<CaseId> = None;
    loop {
        let page = engine
            .open_page(None, after.as_ref().map(|a| a.as_str()), 500)
            .expect("page");
        let last = page.len() < 500;
        after = page.last().map(|c| c.id.clone());
        out.extend(page.into_iter().map(|c| c.id));
        if last {
            return out;
        }
    }
}

/// One step: the case at `case`, an operator of its holder (or `who` among all logins), the
/// `word` among what that operator may do now.
fn step(engine: &Engine, users: &[User], case: usize, who: usize, word: usize, pick: u8) -> bool {
    let open = open_ids(engine);
    if open.is_empty() {
        return false;
    }
    let id = &open[case % open.len()];
    let holder = engine.show(id.as_str()).expect("show").case.holder;
    let mine: Vec<&User> = users.iter().filter(|u| u.unit == holder).collect();
    let op = match mine.get(who % mine.len().max(1)) {
        Some(u) if !who.is_multiple_of(4) => (*u).clone(),
        _ => users[who % users.len()].clone(),
    };
    let words = engine
        .available_commands(&op, id.as_str())
        .unwrap_or_default();
    let Some(w) = words.get(word % words.len().max(1)) else {
        return false;
    };
    // Refusals are part of the sequence: they must change nothing.
    command(engine, id.as_str(), w, pick)
        .is_some_and(|cmd| engine.execute(&op, id, &cmd, None).is_ok())
}

fn assert_counts_agree(engine: &Engine, when: &str) {
    let kept = engine.stage_counts().expect("kept");
    let recount = engine.recount().expect("recount");
    assert_eq!(kept, recount, "kept counts differ from a recount {when}");
    // The measures' sums per unit, day and kind too.
    let sums = engine.kept_tallies().expect("sums");
    assert!(!sums.is_empty(), "the demo has sums {when}");
    assert_eq!(
        sums,
        engine.recount_tallies().expect("recount sums"),
        "measures' sums {when}"
    );
    let open: u64 = kept
        .iter()
        .filter(|((_, s), _)| !s.is_final())
        .map(|(_, n)| n)
        .sum();
    assert_eq!(open as usize, engine.open_count(), "open index {when}");
    assert_eq!(open as usize, open_ids(engine).len(), "open pages {when}");
    // Lights from the deadline index equal lights judged case by case.
    let all = engine.list(&CaseFilter::default()).expect("all");
    for l in Light::ALL {
        let by_index: Vec<_> = engine
            .list(&CaseFilter {
                light: Some(l),
                ..CaseFilter::default()
            })
            .expect("light")
            .into_iter()
            .map(|r| r.id)
            .collect();
        let by_scan: Vec<_> = all
            .iter()
            .filter(|r| r.light == Some(l))
            .map(|r| r.id.clone())
            .collect();
        assert_eq!(by_index, by_scan, "{l:?} {when}");
    }
    let counts = engine.counts().expect("counts");
    for (unit, c) in &counts {
        let held: Vec<_> = all
            .iter()
            .filter(|r| r.holder == *unit && !r.stage.is_final())
            .collect();
        assert_eq!(c.open, held.len(), "{unit} open {when}");
        // The cases it holds by their light, and the parts it supports by the part's light.
        let parts = all
            .iter()
            .filter(|r| {
                r.holder != *unit
                    && r.clocks.iter().any(|k| {
                        k.kind == ClockKind::Part
                            && k.unit.as_ref() == Some(unit)
                            && k.light == Light::Red
                    })
            })
            .count();
        let red = held.iter().filter(|r| r.light == Some(Light::Red)).count();
        assert_eq!(c.red, red + parts, "{unit} red {when}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, .. ProptestConfig::default() })]
    #[test]
    fn kept_counts_equal_a_recount_after_any_commands_and_a_reopen(
        steps in proptest::collection::vec((any::<usize>(), any::<usize>(), any::<usize>(), any::<u8>(), 0u8..3), 20..80)
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("store");
        let clock = Arc::new(SimulatedClock::fixed(start()));
        {
            let engine = Engine::init(&path, &jiban::fixtures::bundled(), clock.clone()).expect("init");
            jiban::demo::seed(&engine, &clock, start()).expect("seed");
            let users: Vec<User> = engine.config().users.all().to_vec();
            let mut done = 0;
            for (case, who, word, pick, hours) in steps {
                clock.advance(Duration::hours(i64::from(hours) * 5));
                done += usize::from(step(&engine, &users, case, who, word, pick));
            }
            prop_assert!(done > 0, "the sequence changed nothing");
            assert_counts_agree(&engine, "after the commands");
        }
        let engine = Engine::open(&path, clock).expect("reopen");
        assert_counts_agree(&engine, "after reopening");
    }
}

/// Each index-driven filter returns what filtering every case would.
#[test]
fn every_filter_reads_an_index_and_agrees_with_a_scan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(SimulatedClock::fixed(start()));
    let engine = Engine::init(
        &dir.path().join("s"),
        &jiban::fixtures::bundled(),
        clock.clone(),
    )
    .expect("init");
    jiban::demo::seed(&engine, &clock, start()).expect("seed");
    let all = engine.list(&CaseFilter::default()).expect("all");
    let some_holder = all[3].holder.clone();
    let filters = [
        CaseFilter {
            holder: Some(some_holder.clone()),
            ..Default::default()
        },
        CaseFilter {
            stage: Some(jiban::domain::case::Stage::Closed),
            ..Default::default()
        },
        CaseFilter {
            stage: Some(jiban::domain::case::Stage::Handling),
            district: Some(jiban::domain::org::UnitId::new("laoshan")),
            ..Default::default()
        },
        CaseFilter {
            district: Some(jiban::domain::org::UnitId::new("shibei")),
            ..Default::default()
        },
        CaseFilter {
            light: Some(Light::Red),
            district: Some(jiban::domain::org::UnitId::new("laoshan")),
            ..Default::default()
        },
    ];
    for f in filters {
        let got: Vec<_> = engine
            .list(&f)
            .expect("list")
            .into_iter()
            .map(|r| r.id)
            .collect();
        let want: Vec<_> = all
            .iter()
            .filter(|r| f.holder.as_ref().is_none_or(|h| *h == r.holder))
            .filter(|r| f.stage.is_none_or(|s| s == r.stage))
            .filter(|r| f.district.as_ref().is_none_or(|d| *d == r.district))
            .filter(|r| f.light.is_none_or(|l| r.light == Some(l)))
            .map(|r| r.id.clone())
            .collect();
        assert!(!want.is_empty(), "{f:?} selects something in the demo");
        assert_eq!(got, want, "{f:?}");
    }
    let limited = engine
        .list(&CaseFilter {
            limit: Some(3),
            ..Default::default()
        })
        .expect("limit");
    assert_eq!(limited.len(), 3);
    assert_eq!(limited[0].id, all[0].id);
}
