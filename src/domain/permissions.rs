//! Roles and units: who may issue which command on which case.

use super::case::{Case, PendingRequest};
use super::command::{Command, COMMAND_WORDS};
use super::lifecycle::{decide, route_targets, Context, Refusal};
use super::org::{Org, UnitId};
use super::users::{Role, User};

/// The roles that may issue a command word at all (the trainer may do everything).
pub fn roles_for(command: &str) -> &'static [Role] {
    use Role::*;
    match command {
        "accept" | "reject" | "link" | "unlink" | "merge" | "dispatch" | "joint" | "publish"
        | "approve-return" | "deny-return" | "approve-extension" | "deny-extension"
        | "approve-reply" | "send-back" => &[CityDispatcher, DistrictDispatcher, Trainer],
        "escalate" => &[CityDispatcher, DistrictDispatcher, UnitHandler, Trainer],
        "sign" | "claim" | "return" | "extend" | "report" | "reply" => &[UnitHandler, Trainer],
        "contact" | "feedback" => &[UnitHandler, CityDispatcher, DistrictDispatcher, Trainer],
        "evaluate" => &[DistrictDispatcher, Trainer],
        "assess" | "lookback" => &[Supervisor, Trainer],
        "supervise" => &[Supervisor, CityDispatcher, DistrictDispatcher, Trainer],
        "answer-supervision" => &[UnitHandler, CityDispatcher, DistrictDispatcher, Trainer],
        _ => &[Trainer],
    }
}

/// True when `role` may issue `command` somewhere.
pub fn role_may(role: Role, command: &str) -> bool {
    roles_for(command).contains(&role)
}

/// True when the operator acts for `unit` (the trainer acts for every unit).
pub fn acts_for(user: &User, unit: &UnitId) -> bool {
    user.role == Role::Trainer || &user.unit == unit
}

/// The unit whose staff must issue `command` on `case` as it stands, if the case names one.
pub fn responsible_unit(case: &Case, command: &str, org: &Org) -> Option<UnitId> {
    match command {
        "approve-return" | "deny-return" | "approve-extension" | "deny-extension" => {
            let unit = match case.pending.as_ref()? {
                PendingRequest::Return { unit, .. } | PendingRequest::Extension { unit, .. } => {
                    unit
                }
            };
            org.platform_of(unit).map(|u| u.id.clone())
        }
        "evaluate" => Some(case.district.clone()),
        "report" | "supervise" | "claim" | "lookback" => None,
        "answer-supervision" => case.supervision.as_ref().map(|s| s.unit.clone()),
        _ => Some(case.holder.clone()),
    }
}

/// True when a supervisor of `user.unit` may assess cases of `district` (the city's may assess all).
pub fn supervises(user: &User, district: &UnitId, org: &Org) -> bool {
    user.role == Role::Trainer
        || &user.unit == district
        || org
            .get(&user.unit)
            .is_some_and(|u| u.level == super::org::Level::City)
}

/// Whether `user` may draw a look-back sample (回头看) of `scope`: the trainer, a city supervisor
/// or dispatcher anywhere, a district's supervisor or dispatcher within its district.
pub fn may_sample(user: &User, scope: &UnitId, org: &Org) -> bool {
    match user.role {
        Role::Trainer => true,
        Role::Supervisor | Role::CityDispatcher | Role::DistrictDispatcher => {
            org.get(&user.unit)
                .is_some_and(|u| u.level == super::org::Level::City)
                || org.is_within(scope, &user.unit)
        }
        Role::UnitHandler => false,
    }
}

/// Whether `user` may read the reports and measures (报表, 一比三率) of `scope`: the trainer and
/// city staff anywhere, district staff within their district, a unit's handler within its own
/// unit (a department sees its own figures, not its neighbours').
pub fn may_report(user: &User, scope: &UnitId, org: &Org) -> bool {
    user.role == Role::Trainer
        || (user.role != Role::UnitHandler
            && org
                .get(&user.unit)
                .is_some_and(|u| u.level == super::org::Level::City))
        || org.is_within(scope, &user.unit)
}

/// Whether `user` sees early warnings (监测预警) and of which areas: platform and supervisor
/// roles and the trainer; a district's staff see their district's only.
pub fn warnings_scope(user: &User, org: &Org) -> WarningScope {
    match user.role {
        Role::UnitHandler => WarningScope::None,
        Role::Trainer => WarningScope::All,
        _ if org
            .get(&user.unit)
            .is_some_and(|u| u.level == super::org::Level::City) =>
        {
            WarningScope::All
        }
        _ => WarningScope::Within(user.unit.clone()),
    }
}

/// Which early warnings a login sees ([`warnings_scope`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WarningScope {
    /// None (unit handlers).
    None,
    /// Every area.
    All,
    /// Areas within this unit.
    Within(UnitId),
}

/// Whether `user` may keep the store — compact, back up, check (`jiban compact|backup|check`):
/// the administrator's trainer role only, since commands wait while these run.
pub fn may_maintain(user: &User) -> bool {
    user.role == Role::Trainer
}

/// Whether `user` may add a holiday calendar to a live store (`jiban calendar add`): the city
/// dispatcher and the trainer, since every district's deadlines move with it.
pub fn may_set_calendar(user: &User) -> bool {
    matches!(user.role, Role::Trainer | Role::CityDispatcher)
}

/// True when the operator may take in cases for a district platform (its dispatcher, or the
/// trainer).
pub fn may_intake(user: &User, district: &UnitId) -> bool {
    match user.role {
        Role::Trainer => true,
        Role::DistrictDispatcher => &user.unit == district,
        _ => false,
    }
}

/// A command of this word with options that pass every check of their own, so that trying it
/// tests only whether the word applies to the case now (stage, role, unit, pending requests, the
/// routing rules). For `dispatch` and `joint` the first units the routing rules allow.
fn sample(word: &str, case: &Case, org: &Org) -> Option<Command> {
    use super::case::{AssessmentOutcome, Category, Resolution, Satisfaction};
    let text = || "-".to_string();
    Some(match word {
        "accept" => Command::Accept {
            category: case.category.unwrap_or(Category::Livelihood),
            kind: None,
            complex: false,
            province: false,
            matter: None,
        },
        "reject" => Command::Reject {
            reason: 1,
            note: text(),
        },
        "dispatch" => Command::Dispatch {
            to: route_targets(case, org, false)
                .into_iter()
                .next()
                .unwrap_or_else(|| case.holder.clone()),
        },
        "joint" => {
            let mut units = route_targets(case, org, true).into_iter();
            let lead = units.next().unwrap_or_else(|| case.holder.clone());
            let support = units.next().unwrap_or_else(|| case.holder.clone());
            Command::Joint {
                lead,
                support: vec![support],
                days: None,
                part_days: None,
            }
        }
        "sign" => Command::Sign,
        "contact" => Command::Contact { note: text() },
        "feedback" => Command::Feedback { text: text() },
        "escalate" => Command::Escalate { note: None },
        "return" => Command::Return {
            reason: text(),
            confirm: true,
        },
        "approve-return" => Command::ApproveReturn,
        "deny-return" => Command::DenyReturn,
        "extend" => Command::Extend {
            days: 1,
            reason: text(),
        },
        "approve-extension" => Command::ApproveExtension,
        "deny-extension" => Command::DenyExtension,
        "report" => Command::Report { text: text() },
        "reply" => Command::Reply {
            result: text(),
            basis: text(),
            person: text(),
            phone: "13800000000".into(),
        },
        "approve-reply" => Command::ApproveReply,
        "send-back" => Command::SendBack { note: text() },
        "evaluate" => Command::Evaluate {
            satisfaction: Satisfaction::Satisfied,
            resolution: Resolution::Resolved,
        },
        "assess" => Command::Assess {
            outcome: AssessmentOutcome::Pass,
            note: None,
        },
        "supervise" => Command::Supervise {
            note: text(),
            days: None,
        },
        "answer-supervision" => Command::AnswerSupervision { text: text() },
        "publish" => Command::Publish {
            to: route_targets(case, org, false)
                .into_iter()
                .take(1)
                .collect(),
            hours: None,
        },
        "claim" => Command::Claim { unit: None },
        "lookback" => Command::Lookback {
            outcome: crate::domain::lookback::LookbackOutcome::Held,
            note: text(),
        },
        // Offered while a suggestion waits for confirmation.
        "link" => Command::Link {
            case: case.links.iter().find(|l| !l.confirmed)?.case.clone(),
        },
        "unlink" => Command::Unlink {
            case: case.links.first()?.case.clone(),
        },
        // Offered on a linked case: the form names the open case (a linked one by default).
        "merge" => Command::Merge {
            into: case.links.first()?.case.clone(),
        },
        _ => return None,
    })
}

/// Why the operator in `cx` may not issue `word` on `case` now, or `None` when they may. The
/// answer is the lifecycle's own: the command is tried through [`decide`] with options that pass
/// their own checks, so no rule is written here a second time.
pub fn refusal_for(word: &str, case: &Case, cx: &Context) -> Option<Refusal> {
    let Some(command) = sample(word, case, cx.org) else {
        return Some(match word {
            "link" => Refusal::Rule(format!("{} has no suggested link to confirm", case.id)),
            "unlink" | "merge" => Refusal::Rule(format!("{} is linked to no case", case.id)),
            _ => Refusal::Invalid {
                field: "command".into(),
                reason: format!("unknown command {word:?}"),
            },
        });
    };
    // The other case a command names is checked when the command is issued; here a stand-in
    // (open, of the same district) tests only the case's own state.
    let stand_in = super::lifecycle::other_case(&command)
        .filter(|_| cx.other.is_none())
        .map(|id| {
            let mut other = case.clone();
            other.id = id.clone();
            other.stage = super::case::Stage::Handling;
            other.merged_into = None;
            other
        });
    match &stand_in {
        Some(other) => {
            let cx = Context {
                other: Some(other),
                ..*cx
            };
            decide(case, &command, &cx).err()
        }
        None => decide(case, &command, cx).err(),
    }
}

/// The command words the operator in `cx` may issue on `case` now, in lifecycle order: what the
/// operator's role allows ([`roles_for`]), for the unit that must act ([`responsible_unit`]), in
/// the case's stage and state.
pub fn available_commands(case: &Case, cx: &Context) -> Vec<&'static str> {
    COMMAND_WORDS
        .iter()
        .copied()
        .filter(|w| role_may(cx.operator.role, w))
        .filter(|w| refusal_for(w, case, cx).is_none())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::case::{
        AssessmentOutcome, Category, Kind, Resolution as R, Satisfaction as S, Stage,
    };
    use crate::domain::testkit::Walk;

    const COMMUNITY: &str = "laoshan.jinjialing.haidamaidao";
    const EVERYONE: &[&str] = &[
        "trainer",
        "qd_dispatch",
        "qd_supervisor",
        "ls_dispatch",
        "ls_supervisor",
        "sb_dispatch",
        "sb_supervisor",
        "ls_haidamaidao",
        "ls_jinjialing",
        "ls_hrss",
        "ls_enforcement",
        "ls_housing",
        "qd_hrss",
    ];

    fn offered(w: &Walk, login: &str) -> Vec<&'static str> {
        let operator = w.config.users.get(login).expect("known login");
        let cx = Context::of(&w.config, operator, w.now);
        available_commands(&w.case, &cx)
    }

    /// The logins that may supervise a Laoshan case (督办): its platform and supervisor, the
    /// city's, and the trainer.
    const SUPERVISE_LAOSHAN: &[&str] = &[
        "trainer",
        "qd_dispatch",
        "qd_supervisor",
        "ls_dispatch",
        "ls_supervisor",
    ];

    /// Every login sees exactly the listed words; everyone not listed sees nothing. Besides,
    /// on an open case without an unanswered notice, exactly [`SUPERVISE_LAOSHAN`] see
    /// `supervise` (last in lifecycle order), which the lists leave out.
    fn expect(w: &Walk, who: &[(&str, &[&str])]) {
        let open = !matches!(
            w.case.stage,
            Stage::Assessment | Stage::Closed | Stage::Rejected
        ) && w
            .case
            .supervision
            .as_ref()
            .is_none_or(|s| s.answer.is_some());
        for login in EVERYONE {
            let want: &[&str] = who
                .iter()
                .find(|(l, _)| l == login)
                .map_or(&[], |(_, words)| words);
            let mut got = offered(w, login);
            let supervises = got.last() == Some(&"supervise");
            if supervises {
                got.pop();
            }
            let context = format!("{login} on {} in {}", w.case.id, w.case.stage);
            assert_eq!(got, want, "{context}");
            assert_eq!(
                supervises,
                open && SUPERVISE_LAOSHAN.contains(login),
                "supervise: {context}"
            );
        }
    }

    fn accept(category: Category) -> Command {
        Command::Accept {
            province: false,
            category,
            kind: Some(Kind::Complaint),
            complex: false,
            matter: None,
        }
    }

    fn reply() -> Command {
        Command::Reply {
            result: "已修复".into(),
            basis: "《条例》".into(),
            person: "李和超".into(),
            phone: "0532-88886666".into(),
        }
    }

    #[test]
    fn a_livelihood_case_offers_each_role_only_its_next_steps() {
        let mut w = Walk::new();
        let triage: &[&str] = &["accept", "reject"];
        expect(&w, &[("trainer", triage), ("ls_dispatch", triage)]);
        w.run("ls_dispatch", accept(Category::Livelihood));
        let route: &[&str] = &["dispatch", "joint", "publish", "escalate"];
        expect(&w, &[("trainer", route), ("ls_dispatch", route)]);
        w.run(
            "ls_dispatch",
            Command::Dispatch {
                to: UnitId::new(COMMUNITY),
            },
        );
        let assigned: &[&str] = &["sign", "escalate", "return", "extend", "contact"];
        expect(&w, &[("trainer", assigned), ("ls_haidamaidao", assigned)]);
        w.run("ls_haidamaidao", Command::Sign);
        let handling: &[&str] = &["escalate", "return", "extend", "reply", "contact"];
        expect(&w, &[("trainer", handling), ("ls_haidamaidao", handling)]);
        // Once the holder has recorded its contact with the requester, it is not offered again.
        w.run(
            "ls_haidamaidao",
            Command::Contact {
                note: "已电话联系张先生".into(),
            },
        );
        let handling: &[&str] = &["escalate", "return", "extend", "reply"];
        expect(&w, &[("trainer", handling), ("ls_haidamaidao", handling)]);
        w.run(
            "ls_haidamaidao",
            Command::Extend {
                days: 2,
                reason: "需现场勘查".into(),
            },
        );
        let decide: &[&str] = &["approve-extension", "deny-extension"];
        expect(&w, &[("trainer", decide), ("ls_dispatch", decide)]);
        w.run("ls_dispatch", Command::ApproveExtension);
        w.run("ls_haidamaidao", reply());
        let review: &[&str] = &["approve-reply", "send-back"];
        expect(&w, &[("trainer", review), ("ls_dispatch", review)]);
        w.run("ls_dispatch", Command::ApproveReply);
        expect(
            &w,
            &[("trainer", &["evaluate"]), ("ls_dispatch", &["evaluate"])],
        );
        w.run(
            "ls_dispatch",
            Command::Evaluate {
                satisfaction: S::Unsatisfied,
                resolution: R::Unresolved,
            },
        );
        // Round 2 starts at the platform, already accepted: route it again.
        expect(&w, &[("trainer", route), ("ls_dispatch", route)]);
        w.run(
            "ls_dispatch",
            Command::Dispatch {
                to: UnitId::new("laoshan.housing"),
            },
        );
        w.run("ls_housing", Command::Sign);
        w.run("ls_housing", reply());
        w.run("ls_dispatch", Command::ApproveReply);
        w.run(
            "ls_dispatch",
            Command::Evaluate {
                satisfaction: S::Basic,
                resolution: R::Unresolved,
            },
        );
        // The district's supervisor and the city's assess; the other district's does not.
        expect(
            &w,
            &[
                ("trainer", &["assess"]),
                ("ls_supervisor", &["assess"]),
                ("qd_supervisor", &["assess"]),
            ],
        );
        w.run(
            "ls_supervisor",
            Command::Assess {
                outcome: AssessmentOutcome::Fail,
                note: None,
            },
        );
        expect(&w, &[]);
    }

    #[test]
    fn a_joint_case_offers_the_lead_its_handling_and_a_supporting_unit_its_report() {
        let mut w = Walk::new();
        w.run("ls_dispatch", accept(Category::Enforcement));
        // Enforcement is assigned jointly: no plain dispatch.
        let route: &[&str] = &["joint", "escalate"];
        expect(&w, &[("trainer", route), ("ls_dispatch", route)]);
        w.run(
            "ls_dispatch",
            Command::Joint {
                part_days: None,
                lead: UnitId::new("laoshan.enforcement"),
                support: vec![UnitId::new("laoshan.housing"), UnitId::new("laoshan.hrss")],
                days: None,
            },
        );
        // A joint case is returned, not escalated.
        let lead: &[&str] = &["sign", "return", "extend", "contact"];
        expect(
            &w,
            &[
                (
                    "trainer",
                    &["sign", "return", "extend", "report", "contact"],
                ),
                ("ls_enforcement", lead),
                ("ls_housing", &["report"]),
                ("ls_hrss", &["report"]),
            ],
        );
        w.run("ls_enforcement", Command::Sign);
        w.run(
            "ls_housing",
            Command::Report {
                text: "已配合拆除".into(),
            },
        );
        // The lead replies only once every part is in.
        expect(
            &w,
            &[
                ("trainer", &["return", "extend", "report", "contact"]),
                ("ls_enforcement", &["return", "extend", "contact"]),
                ("ls_hrss", &["report"]),
            ],
        );
        w.run(
            "ls_hrss",
            Command::Report {
                text: "已核查用工".into(),
            },
        );
        expect(
            &w,
            &[
                ("trainer", &["return", "extend", "reply", "contact"]),
                ("ls_enforcement", &["return", "extend", "reply", "contact"]),
            ],
        );
    }

    #[test]
    fn a_return_request_is_decided_by_the_platform_while_the_holder_works_on() {
        let mut w = Walk::new();
        w.run("ls_dispatch", accept(Category::Development));
        w.run(
            "ls_dispatch",
            Command::Dispatch {
                to: UnitId::new("laoshan.hrss"),
            },
        );
        // A department does not escalate.
        expect(
            &w,
            &[
                ("trainer", &["sign", "return", "extend", "contact"]),
                ("ls_hrss", &["sign", "return", "extend", "contact"]),
            ],
        );
        w.run(
            "ls_hrss",
            Command::Return {
                reason: "不属于本单位职责".into(),
                confirm: true,
            },
        );
        // The platform decides; the department goes on working meanwhile (先办后议), but may
        // not reply or ask again until the decision.
        let work: &[&str] = &["sign", "contact"];
        expect(
            &w,
            &[
                (
                    "trainer",
                    &["sign", "approve-return", "deny-return", "contact"],
                ),
                ("ls_dispatch", &["approve-return", "deny-return"]),
                ("ls_hrss", work),
            ],
        );
        let why = refusal_for(
            "extend",
            &w.case,
            &Context {
                now: w.now,
                operator: w.config.users.get("ls_hrss").unwrap(),
                org: &w.config.org,
                rules: &w.config.rules,
                calendar: &w.config.calendar,
                matters: &w.config.responsibility,
                assessed_record: None,
                other: None,
            },
        );
        assert!(
            why.is_some_and(|r| r.to_string().contains("return request waits")),
            "the holder is told why"
        );
    }

    #[test]
    fn route_targets_follow_the_routing_rules() {
        let mut w = Walk::new();
        assert!(route_targets(&w.case, &w.config.org, false).contains(&UnitId::new(COMMUNITY)));
        w.run("ls_dispatch", accept(Category::Livelihood));
        let plain = route_targets(&w.case, &w.config.org, false);
        assert_eq!(
            plain,
            [
                UnitId::new(COMMUNITY),
                UnitId::new("laoshan.jinjialing.shilaoren")
            ],
            "a livelihood case: the district's communities"
        );
        let joint = route_targets(&w.case, &w.config.org, true);
        assert!(joint.contains(&UnitId::new("laoshan.jinjialing")));
        assert!(joint.contains(&UnitId::new("laoshan.hrss")));
        assert!(!joint.contains(&UnitId::new(COMMUNITY)));
        assert!(!joint.contains(&UnitId::new("shibei.hrss")));
    }
}
