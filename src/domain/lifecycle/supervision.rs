//! Supervision (督办): a notice to the unit holding an open case, with an answer deadline of its
//! own (a [`crate::domain::deadlines::ClockKind::Supervision`] clock), and the unit's answer.

use super::{non_empty, Context, Refusal};
use crate::domain::case::{Case, Stage, Supervision, SupervisionAnswer, UnitRecord};
use crate::domain::event::Event;
use crate::domain::org::UnitId;
use crate::domain::permissions::supervises;

/// `supervise --note T [--days N]`: by the district's supervisor or platform (the city's for any
/// district), on an open case without an unanswered notice. The notice counts on the holder's
/// record.
pub(super) fn supervise(
    case: &mut Case,
    note: &str,
    days: Option<u32>,
    cx: &Context,
) -> Result<(Event, Option<(UnitId, UnitRecord)>), Refusal> {
    if case.stage == Stage::Assessment || case.stage.is_final() {
        return Err(Refusal::Stage(format!(
            "{} is {}; supervision is for cases still being handled",
            case.id, case.stage
        )));
    }
    if !supervises(cx.operator, &case.district, cx.org) {
        return Err(Refusal::Permission(format!(
            "{} supervises {}, not {}",
            cx.operator.login, cx.operator.unit, case.district
        )));
    }
    if let Some(s) = case.supervision.as_ref().filter(|s| s.answer.is_none()) {
        return Err(Refusal::Rule(format!(
            "{} is already under supervision since {} ({} has not answered)",
            case.id,
            crate::domain::calendar::cst_minutes(s.at),
            s.unit
        )));
    }
    let note = non_empty("note", note)?;
    let max = cx.rules.clocks.max_supervision_days;
    let days = days.unwrap_or(cx.rules.clocks.supervision_days);
    if days == 0 || days > max {
        return Err(super::invalid("days", format!("must be 1..={max}")));
    }
    let due_at = cx.calendar.deadline(cx.now, days).at;
    case.supervision = Some(Supervision {
        unit: case.holder.clone(),
        note: note.clone(),
        by: cx.operator.login.clone(),
        at: cx.now,
        days,
        answer: None,
    });
    let mut record = cx.assessed_record.cloned().unwrap_or_default();
    record.notice_given(&case.id, cx.now);
    let event = Event::Supervise {
        unit: case.holder.clone(),
        note,
        days,
        due_at,
    };
    Ok((event, Some((case.holder.clone(), record))))
}

/// `answer-supervision --text T`: the supervised unit answers (its staff; checked by the caller
/// as the command's responsible unit); its record marks the notice answered.
pub(super) fn answer(
    case: &mut Case,
    text: &str,
    cx: &Context,
) -> Result<(Event, Option<(UnitId, UnitRecord)>), Refusal> {
    let text = non_empty("text", text)?;
    let Some(s) = case.supervision.as_mut().filter(|s| s.answer.is_none()) else {
        return Err(Refusal::Rule(format!(
            "{} has no supervision notice waiting for an answer",
            case.id
        )));
    };
    s.answer = Some(SupervisionAnswer {
        text: text.clone(),
        at: cx.now,
    });
    let unit = s.unit.clone();
    let mut record = cx.assessed_record.cloned().unwrap_or_default();
    record.notice_answered(&case.id, cx.now);
    Ok((
        Event::AnswerSupervision {
            unit: unit.clone(),
            text,
        },
        Some((unit, record)),
    ))
}

#[cfg(test)]
mod tests {
    use crate::domain::command::Command;
    use crate::domain::deadlines::ClockKind;
    use crate::domain::testkit::{cst, Walk};

    fn handled_at_the_community() -> Walk {
        let mut w = Walk::new();
        w.now = cst(2026, 11, 27, 15, 0);
        w.accept_complaint();
        w.run(
            "ls_dispatch",
            Command::Dispatch {
                to: crate::domain::org::UnitId::new("laoshan.jinjialing.haidamaidao"),
            },
        );
        w.run("ls_haidamaidao", Command::Sign);
        w
    }

    fn supervise(days: Option<u32>) -> Command {
        Command::Supervise {
            note: "请两日内办结并回复".into(),
            days,
        }
    }

    #[test]
    fn a_notice_runs_its_own_clock_over_the_weekend_until_the_unit_answers() {
        let mut w = handled_at_the_community();
        // Friday 15:00 + 2 working days (the rules' default) = Tuesday 15:00.
        w.now = cst(2026, 11, 27, 15, 0);
        w.run("ls_supervisor", supervise(None));
        let s = w.case.supervision.clone().expect("a notice");
        assert_eq!(
            (s.unit.as_str(), s.days, s.by.as_str()),
            ("laoshan.jinjialing.haidamaidao", 2, "ls_supervisor")
        );
        let clock = w
            .case
            .stage_clocks
            .iter()
            .find(|c| c.kind == ClockKind::Supervision)
            .expect("the supervision clock");
        assert_eq!(clock.due_at, cst(2026, 12, 1, 15, 0));
        // One notice at a time.
        assert!(w
            .refuse("ls_dispatch", supervise(Some(1)))
            .contains("already under supervision"));
        // Only the unit answers; then the clock stops and a new notice may follow.
        assert!(w
            .refuse(
                "ls_housing",
                Command::AnswerSupervision { text: "x".into() }
            )
            .contains("laoshan.jinjialing.haidamaidao"));
        w.run(
            "ls_haidamaidao",
            Command::AnswerSupervision {
                text: "已协调物业，周一前修复".into(),
            },
        );
        assert!(w
            .case
            .supervision
            .as_ref()
            .is_some_and(|s| s.answer.is_some()));
        assert!(!w
            .case
            .stage_clocks
            .iter()
            .any(|c| c.kind == ClockKind::Supervision));
        w.run("ls_dispatch", supervise(Some(1)));
        // The unit's record: both notices, the first answered when it was.
        let unit = crate::domain::org::UnitId::new("laoshan.jinjialing.haidamaidao");
        let notices = &w.records.get(&unit).expect("the unit's record").notices;
        assert_eq!(notices.len(), 2, "{notices:?}");
        assert_eq!(notices[0].at, cst(2026, 11, 27, 15, 0));
        assert!(notices[0].answered_at.is_some_and(|t| t > notices[0].at));
        assert_eq!(notices[1].answered_at, None);
    }

    #[test]
    fn who_may_supervise_and_for_how_long() {
        let mut w = handled_at_the_community();
        // Another district's supervisor, and a unit, may not.
        assert!(w
            .refuse("sb_supervisor", supervise(None))
            .contains("supervises"));
        assert!(!w.refuse("ls_haidamaidao", supervise(None)).is_empty());
        // Days within the rules file's bound.
        assert!(w
            .refuse("ls_supervisor", supervise(Some(0)))
            .contains("days"));
        assert!(w
            .refuse("ls_supervisor", supervise(Some(11)))
            .contains("1..=10"));
        // An empty note is refused.
        let empty = Command::Supervise {
            note: " ".into(),
            days: None,
        };
        assert!(w.refuse("ls_supervisor", empty).contains("note"));
        // The city's supervisor may.
        w.run("qd_supervisor", supervise(Some(3)));
    }
}
