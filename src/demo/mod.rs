//! The demo store: the bundled demo cases, moved by whole weeks so the newest arrived just before
//! now, and a realistic share of them walked through the stages by the right logins so every
//! queue, stage and light has something in it. Every step goes through the engine.

use anyhow::{anyhow, Context as _};
use chrono::{DateTime, Duration, Utc};

use crate::domain::case::{
    AssessmentOutcome, Case, CaseId, Category, Kind, Resolution, Satisfaction, Stage,
};
use crate::domain::clock::SimulatedClock;
use crate::domain::command::Command;
use crate::domain::intake::{parse_line, NewCase};
use crate::domain::org::{Level, UnitId};
use crate::domain::users::Role;
use crate::engine::{Engine, IntakeOutcome};

pub mod history;
mod matters;

/// How far a demo case is walked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Goal {
    New,
    Accepted,
    Assigned,
    Handling,
    Extension,
    ReturnAsked,
    Review,
    Evaluation,
    Closed,
    SecondRound,
    Assessment,
    Assessed,
}

fn goal_for(index: usize) -> Goal {
    use Goal::*;
    match index % 30 {
        0 | 10 | 20 => New,
        1 | 11 => Accepted,
        2 | 3 | 12 | 13 | 22 => Assigned,
        4 | 5 | 15 | 23 | 25 => Handling,
        14 => Extension,
        24 => ReturnAsked,
        6 | 16 | 26 => Review,
        7 | 17 | 27 => Evaluation,
        8 | 18 | 28 | 21 => Closed,
        9 => SecondRound,
        19 => Assessment,
        _ => Assessed,
    }
}

/// Demo titles that a platform would not accept, with the published reason code.
const REJECT_HINTS: &[(&str, u8)] = &[
    ("起诉", 1),
    ("信访", 1),
    ("部队", 4),
    ("派警察", 5),
    ("未提出具体诉求", 6),
    ("烟台", 7),
];

struct Seeder<'a> {
    engine: &'a Engine,
    clock: &'a SimulatedClock,
}

impl Seeder<'_> {
    fn login(&self, unit: &UnitId, roles: &[Role]) -> anyhow::Result<String> {
        self.engine
            .config()
            .users
            .all()
            .iter()
            .find(|u| &u.unit == unit && roles.contains(&u.role))
            .map(|u| u.login.clone())
            .ok_or_else(|| anyhow!("the fixtures have no {roles:?} login for {unit}"))
    }

    fn case(&self, id: &CaseId) -> anyhow::Result<Case> {
        Ok(self.engine.show(id.as_str())?.case)
    }

    /// Runs `command` as the right login for the unit at time `at`.
    fn act(
        &self,
        id: &CaseId,
        at: DateTime<Utc>,
        roles: &[Role],
        unit: &UnitId,
        command: Command,
    ) -> anyhow::Result<Case> {
        self.clock.set(at);
        let operator = self.engine.user(&self.login(unit, roles)?)?;
        self.engine
            .execute(&operator, id, &command, None)
            .with_context(|| format!("demo: {} on {id}", command.name()))?;
        self.case(id)
    }

    /// The newest accepted case still at its platform is published half an hour before now, so
    /// a unit's 可抢 queue has an order open to claim.
    fn publish_newest(&self, ids: &[CaseId], now: DateTime<Utc>) -> anyhow::Result<()> {
        for id in ids.iter().rev() {
            let case = self.case(id)?;
            let ready = case.stage == Stage::Triage
                && case.grab.is_none()
                && matches!(case.category, None | Some(Category::Livelihood));
            if ready {
                let platforms = &[Role::DistrictDispatcher, Role::CityDispatcher];
                let case = match case.accepted_at {
                    Some(_) => case,
                    None => {
                        let accept = Command::Accept {
                            category: Category::Livelihood,
                            kind: Some(Kind::Complaint),
                            complex: false,
                            province: false,
                            matter: None,
                        };
                        let at = now - Duration::minutes(40);
                        self.act(id, at, platforms, &case.holder, accept)?
                    }
                };
                let (target, _) = self.route(&case, 0);
                let publish = Command::Publish {
                    to: vec![target],
                    hours: None,
                };
                let at = now - Duration::minutes(30);
                self.act(id, at, platforms, &case.holder, publish)?;
                return Ok(());
            }
        }
        Ok(())
    }

    /// Where a platform sends an accepted case: (target, supporting units for joint).
    fn route(&self, case: &Case, index: usize) -> (UnitId, Vec<UnitId>) {
        let org = &self.engine.config().org;
        let text = format!("{} {}", case.title, case.description);
        let suggested = self
            .engine
            .config()
            .responsibility
            .suggest(org, &case.holder, &text, 3);
        let departments: Vec<UnitId> = org
            .children(&case.holder)
            .filter(|u| u.level == Level::Department)
            .map(|u| u.id.clone())
            .collect();
        let dept = suggested
            .first()
            .map(|s| s.unit.clone())
            .or_else(|| departments.get(index % departments.len().max(1)).cloned())
            .unwrap_or_else(|| case.holder.clone());
        match case.category {
            Some(Category::Livelihood) if case.holder.as_str() != "city" => {
                let community = case.community.clone().or_else(|| {
                    let communities: Vec<UnitId> = org
                        .units()
                        .iter()
                        .filter(|u| {
                            u.level == Level::Community && org.is_within(&u.id, &case.holder)
                        })
                        .map(|u| u.id.clone())
                        .collect();
                    communities.get(index % communities.len().max(1)).cloned()
                });
                (community.unwrap_or(dept), Vec::new())
            }
            Some(Category::Enforcement) => {
                let street = org
                    .children(&case.holder)
                    .find(|u| u.level == Level::Street)
                    .map(|u| u.id.clone());
                let other = departments.iter().find(|d| **d != dept).cloned();
                (dept, street.into_iter().chain(other).take(2).collect())
            }
            _ => (dept, Vec::new()),
        }
    }

    fn walk(
        &self,
        id: &CaseId,
        index: usize,
        goal: Goal,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        use Role::*;
        const PLATFORM: &[Role] = &[DistrictDispatcher, CityDispatcher];
        const HANDLER: &[Role] = &[UnitHandler];
        let mut case = self.case(id)?;
        let age = now - case.received_at;
        // Most older cases are finished by now; a few stay open and overdue (red).
        let open = matches!(
            goal,
            Goal::New | Goal::Accepted | Goal::Assigned | Goal::Handling | Goal::Extension
        );
        let goal = if open && age > Duration::days(4) && !index.is_multiple_of(5) {
            Goal::Closed
        } else {
            goal
        };
        let step = (age / 14).clamp(Duration::minutes(2), Duration::hours(3));
        let mut t = case.received_at;
        let mut next = || {
            t += step;
            t.min(now)
        };
        if let Some((_, reason)) = REJECT_HINTS.iter().find(|(k, _)| case.title.contains(k)) {
            let note = "经研判不属于受理范围，已向诉求人解释说明".to_string();
            self.act(
                id,
                next(),
                PLATFORM,
                &case.district,
                Command::Reject {
                    reason: *reason,
                    note,
                },
            )?;
            return Ok(());
        }
        if goal == Goal::New {
            return Ok(());
        }
        let category = case.category.unwrap_or(Category::Livelihood);
        let kind = (category == Category::Livelihood).then(|| {
            if case.title.contains("咨询") {
                Kind::Consultation
            } else if case.title.contains("建议") {
                Kind::Suggestion
            } else {
                Kind::Complaint
            }
        });
        let accept = Command::Accept {
            category,
            kind,
            complex: index % 7 == 3,
            province: false,
            matter: None,
        };
        case = self.act(id, next(), PLATFORM, &case.district, accept)?;
        if goal == Goal::Accepted {
            // Some are published as grab orders (抢单) for a day: the newest are still open to
            // claim, the older ones closed unclaimed and are supervised matters now.
            if index % 30 == 11 && case.category != Some(Category::Enforcement) {
                let (target, _) = self.route(&case, index);
                let publish = Command::Publish {
                    to: vec![target],
                    hours: Some(24),
                };
                self.act(id, next(), PLATFORM, &case.district, publish)?;
            }
            return Ok(());
        }
        // Some assigned cases were grab orders, claimed by the unit at once.
        if goal == Goal::Assigned
            && index % 30 == 22
            && case.category != Some(Category::Enforcement)
        {
            let (target, _) = self.route(&case, index);
            let publish = Command::Publish {
                to: vec![target.clone()],
                hours: Some(6),
            };
            self.act(id, next(), PLATFORM, &case.district, publish)?;
            self.act(id, next(), HANDLER, &target, Command::Claim { unit: None })?;
            return Ok(());
        }
        for round in 1..=2u8 {
            let (target, support) = self.route(&case, index);
            let holder = case.holder.clone();
            let route = if support.is_empty() {
                Command::Dispatch { to: target.clone() }
            } else {
                Command::Joint {
                    lead: target.clone(),
                    support: support.clone(),
                    days: None,
                    part_days: None,
                }
            };
            self.act(id, next(), PLATFORM, &holder, route)?;
            if goal == Goal::Assigned {
                return Ok(());
            }
            case = self.act(id, next(), HANDLER, &target, Command::Sign)?;
            // Some livelihood cases climb: community → street → platform → department.
            if case.category == Some(Category::Livelihood) && index % 4 == 1 && round == 1 {
                let street = self.act(
                    id,
                    next(),
                    HANDLER,
                    &target,
                    Command::Escalate {
                        note: Some("社区协调未果，上报街道".into()),
                    },
                )?;
                let s = street.holder.clone();
                self.act(id, next(), HANDLER, &s, Command::Sign)?;
                case = self.act(
                    id,
                    next(),
                    HANDLER,
                    &s,
                    Command::Escalate {
                        note: Some("需职能部门处理".into()),
                    },
                )?;
                let mut dept_case = case.clone();
                dept_case.category = Some(Category::Development);
                let (dept, _) = self.route(&dept_case, index);
                let holder = case.holder.clone();
                self.act(
                    id,
                    next(),
                    PLATFORM,
                    &holder,
                    Command::Dispatch { to: dept.clone() },
                )?;
                case = self.act(id, next(), HANDLER, &dept, Command::Sign)?;
            }
            let holder = case.holder.clone();
            // Most units call the requester soon after signing (联系诉求人); some are late.
            if index % 5 != 2 {
                let note = "已电话联系诉求人，约定上门核实".to_string();
                case = self.act(id, next(), HANDLER, &holder, Command::Contact { note })?;
            }
            match goal {
                Goal::Handling => {
                    // Some get a supervision notice (督办); some of those are answered.
                    if index % 30 == 15 || index % 30 == 25 {
                        let notice = Command::Supervise {
                            note: "请加快办理，两个工作日内反馈进展".into(),
                            days: None,
                        };
                        self.act(id, next(), &[Supervisor], &case.district, notice)?;
                    }
                    if index % 30 == 25 {
                        let answer = Command::AnswerSupervision {
                            text: "已约谈物业，本周内完成整改".into(),
                        };
                        self.act(id, next(), HANDLER, &holder, answer)?;
                    }
                    return Ok(());
                }
                Goal::Extension => {
                    self.act(
                        id,
                        next(),
                        HANDLER,
                        &holder,
                        Command::Extend {
                            days: 3,
                            reason: "需协调多个部门现场勘查".into(),
                        },
                    )?;
                    return Ok(());
                }
                Goal::ReturnAsked => {
                    let cmd = Command::Return {
                        reason: "经核实不属于本单位职责范围".into(),
                        confirm: true,
                    };
                    self.act(id, next(), HANDLER, &holder, cmd)?;
                    return Ok(());
                }
                _ => {}
            }
            for s in &support {
                self.act(
                    id,
                    next(),
                    HANDLER,
                    s,
                    Command::Report {
                        text: "已派员配合现场处置".into(),
                    },
                )?;
            }
            let person = self
                .engine
                .config()
                .users
                .get(&self.login(&holder, HANDLER)?)
                .map(|u| u.name.clone())
                .unwrap_or_default();
            let reply = Command::Reply {
                result: format!("已联系诉求人核实情况，{}问题已处理完毕。", case.title),
                basis: "依据《青岛市“青诉即办”诉求解决平台工作规范》及相关职责清单".into(),
                person: if person.is_empty() {
                    "值班人员".into()
                } else {
                    person
                },
                phone: format!("0532-8{:07}", 1_000_000 + index),
            };
            case = self.act(id, next(), HANDLER, &holder, reply)?;
            if goal == Goal::Review {
                return Ok(());
            }
            while case.stage == Stage::Review {
                let reviewer = case.holder.clone();
                case = self.act(id, next(), PLATFORM, &reviewer, Command::ApproveReply)?;
            }
            if goal == Goal::Evaluation {
                return Ok(());
            }
            let (satisfaction, resolution) = match (goal, round) {
                (Goal::Closed, _) => (Satisfaction::Satisfied, Resolution::Resolved),
                _ => (Satisfaction::Unsatisfied, Resolution::Unresolved),
            };
            let district = case.district.clone();
            let cmd = Command::Evaluate {
                satisfaction,
                resolution,
            };
            case = self.act(id, next(), &[DistrictDispatcher], &district, cmd)?;
            if goal == Goal::Closed || (goal == Goal::SecondRound && round == 1) {
                if goal == Goal::SecondRound {
                    let (target, _) = self.route(&case, index + 1);
                    let mut c2 = case.clone();
                    c2.community = None;
                    let target = if case.category == Some(Category::Livelihood) {
                        self.route(&c2, index + 1).0
                    } else {
                        target
                    };
                    let d = case.district.clone();
                    self.act(
                        id,
                        next(),
                        PLATFORM,
                        &d,
                        Command::Dispatch { to: target.clone() },
                    )?;
                    self.act(id, next(), HANDLER, &target, Command::Sign)?;
                }
                return Ok(());
            }
        }
        if goal == Goal::Assessed {
            let unit = case
                .assessed_unit
                .clone()
                .unwrap_or_else(|| case.holder.clone());
            let district = case.district.clone();
            let cmd = Command::Assess {
                outcome: AssessmentOutcome::Fail,
                note: Some(format!("{unit} 二次办理仍未解决")),
            };
            self.act(id, next(), &[Supervisor], &district, cmd)?;
        }
        Ok(())
    }
}

/// Loads the demo cases and walks them; returns a one-line summary. The engine must run on
/// `clock`, which is left at `now`.
pub fn seed(engine: &Engine, clock: &SimulatedClock, now: DateTime<Utc>) -> anyhow::Result<String> {
    let org = &engine.config().org;
    let mut cases: Vec<NewCase> = Vec::new();
    for (i, line) in crate::fixtures::DEMO_CASES.lines().enumerate() {
        if !line.trim().is_empty() {
            cases.push(parse_line(i + 1, line, org).map_err(|e| anyhow!("demo cases: {e}"))?);
        }
    }
    let newest = cases
        .iter()
        .filter_map(|c| c.received_at)
        .max()
        .unwrap_or(now);
    let weeks = (now - newest).num_days().div_euclid(7);
    let shift = Duration::weeks(weeks);
    for c in &mut cases {
        c.received_at = c.received_at.map(|t| t + shift);
    }
    let admin = engine.administrator();
    let mut ids = Vec::new();
    for c in cases {
        clock.set(c.received_at.unwrap_or(now));
        for outcome in engine.intake(&admin, vec![c])? {
            if let IntakeOutcome::Created(id) = outcome {
                ids.push(id);
            }
        }
    }
    let seeder = Seeder { engine, clock };
    let mut history = 0;
    engine.hold_chasing(true);
    let walked = ids
        .iter()
        .enumerate()
        .try_for_each(|(index, id)| seeder.walk(id, index, goal_for(index), now));
    let walked = walked
        .and_then(|()| seeder.publish_newest(&ids, now))
        .and_then(|()| seeder.merge_duplicate(&ids, now))
        // The year of history is in before the look-back draws, so the demo's draws hold it.
        .and_then(|()| history::seed(engine, now))
        .and_then(|n| {
            history = n;
            seeder.look_back(&ids, now)
        });
    engine.hold_chasing(false);
    walked?;
    clock.set(now);
    // The chases and pool moves of the cases left late, each at the time it fell due.
    engine.advance()?;
    let counts = engine.counts()?;
    let (red, yellow, blue) = counts.values().fold((0, 0, 0), |a, c| {
        (a.0 + c.red, a.1 + c.yellow, a.2 + c.blue)
    });
    Ok(format!(
        "demo: {} cases (shifted {weeks} weeks) and {history} closed cases of history; open lights red {red}, yellow {yellow}, blue {blue}",
        ids.len()
    ))
}

/// One more citizen case for a live demo: the `n`-th demo case again, received now and taken in
/// by its district's dispatcher (without its work-order number, so it is never a duplicate).
pub fn arrival(engine: &Engine, n: usize) -> anyhow::Result<CaseId> {
    let lines: Vec<&str> = crate::fixtures::DEMO_CASES
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    let line = lines
        .get(n % lines.len().max(1))
        .ok_or_else(|| anyhow!("no demo cases"))?;
    let mut case =
        parse_line(n + 1, line, &engine.config().org).map_err(|e| anyhow!("demo cases: {e}"))?;
    case.received_at = None;
    case.external_id = None;
    let dispatcher = engine
        .config()
        .users
        .all()
        .iter()
        .find(|u| u.unit == case.district && u.role == Role::DistrictDispatcher)
        .cloned()
        .unwrap_or_else(|| engine.administrator());
    match engine.intake(&dispatcher, vec![case])?.pop() {
        Some(IntakeOutcome::Created(id)) => Ok(id),
        other => Err(anyhow!("demo arrival not stored: {other:?}")),
    }
}
