//! Linking repeat complaints and merging duplicates (重复投诉、并案), the platform's steps in
//! triage: `link`, `unlink`, `merge --into`. The rules of a matter are in [`crate::domain::repeat`].
//!
//! All three are the triage desk's work: the case must be at its platform in triage, where a
//! dispatcher decides where it goes. Once a case is routed, its links stay as they are.

use super::{expect_stage, Context, Refusal};
use crate::domain::case::{Case, CaseId, CaseMark, GrabOutcome, Stage, UnitRecord};
use crate::domain::event::Event;
use crate::domain::org::UnitId;
use crate::domain::repeat::{self, Link, LinkReason, MergedCase, MAX_LINKS};

/// The kind of matter (事项分类) an `accept --matter` names — the responsibility list's id or
/// Chinese name — as its id; none when none is named (the one suggested at intake stays).
pub(super) fn kind_of_matter(named: Option<&str>, cx: &Context) -> Result<Option<String>, Refusal> {
    let Some(m) = named.map(str::trim).filter(|m| !m.is_empty()) else {
        return Ok(None);
    };
    match cx.matters.matters.iter().find(|x| x.id == m || x.name == m) {
        Some(found) => Ok(Some(found.id.clone())),
        None => Err(super::invalid(
            "matter",
            format!("{m:?} is not a kind of matter in the responsibility list"),
        )),
    }
}

/// The other case a command names, which the caller reads into [`Context::other`].
pub fn other_case(command: &crate::domain::command::Command) -> Option<&CaseId> {
    use crate::domain::command::Command;
    match command {
        Command::Link { case } => Some(case),
        Command::Merge { into } => Some(into),
        _ => None,
    }
}

fn not_itself(case: &Case, other: &CaseId, word: &str) -> Result<(), Refusal> {
    if &case.id == other {
        return Err(super::invalid(
            "case",
            format!("a case does not {word} itself"),
        ));
    }
    Ok(())
}

/// `link --case ID`: confirms a suggestion, or links an earlier case by hand (the engine reads
/// it into [`Context::other`]). A matter that reaches the rules' `notice_at` complaints gets its
/// repeat notice, counted on the record of the unit holding the case.
pub(super) fn link(
    case: &mut Case,
    id: &CaseId,
    cx: &Context,
) -> Result<(Event, Option<(UnitId, UnitRecord)>), Refusal> {
    expect_stage(case, "link", &[Stage::Triage])?;
    not_itself(case, id, "link")?;
    let reason = match case.links.iter_mut().find(|l| &l.case == id) {
        Some(l) if l.confirmed => {
            return Err(Refusal::Rule(format!(
                "{} is already linked to {id}",
                case.id
            )))
        }
        Some(l) => {
            l.confirmed = true;
            l.reason
        }
        None => {
            let Some(other) = cx.other.filter(|o| &o.id == id) else {
                return Err(super::invalid("case", format!("no case {id}")));
            };
            if other.stage == Stage::Merged {
                let into = other.merged_into.as_ref().map_or("?", |c| c.as_str());
                return Err(Refusal::Rule(format!(
                    "{id} was merged into {into}; link that case"
                )));
            }
            if case.links.len() >= MAX_LINKS {
                return Err(Refusal::Rule(format!(
                    "{} has {MAX_LINKS} links already; unlink one first",
                    case.id
                )));
            }
            case.links.push(Link {
                case: id.clone(),
                reason: LinkReason::Manual,
                confirmed: true,
            });
            LinkReason::Manual
        }
    };
    let notice = repeat::give_notice_if_due(case, cx.now, cx.rules, cx.calendar);
    let record = notice.map(|_| {
        let mut r = cx.assessed_record.cloned().unwrap_or_default();
        r.repeat_notices.push(CaseMark {
            case: case.id.clone(),
            at: cx.now,
        });
        r.notice_given(&case.id, cx.now);
        (case.holder.clone(), r)
    });
    Ok((
        Event::Link {
            linked: id.clone(),
            reason,
            complaints: repeat::complaints(case),
            repeat_notice: notice,
        },
        record,
    ))
}

/// `unlink --case ID`: the linked case is not the same matter. A notice already given stays.
pub(super) fn unlink(case: &mut Case, id: &CaseId) -> Result<Event, Refusal> {
    expect_stage(case, "unlink", &[Stage::Triage])?;
    let before = case.links.len();
    case.links.retain(|l| &l.case != id);
    if case.links.len() == before {
        return Err(Refusal::Rule(format!("{} is not linked to {id}", case.id)));
    }
    Ok(Event::Unlink {
        linked: id.clone(),
        complaints: repeat::complaints(case),
    })
}

/// `merge --into ID`: the case in triage ends in the `merged` stage and follows the open case
/// `ID` of the same district, which lists its requester. A waiting repeat notice moves with it
/// to the open case and its holder (unless that case has a notice waiting already).
pub(super) fn merge(case: &mut Case, into: &CaseId, cx: &Context) -> Result<Event, Refusal> {
    expect_stage(case, "merge", &[Stage::Triage])?;
    not_itself(case, into, "merge into")?;
    let Some(other) = cx.other.filter(|o| &o.id == into) else {
        return Err(super::invalid("into", format!("no case {into}")));
    };
    if other.stage.is_final() {
        return Err(Refusal::Rule(format!(
            "{into} is {}; a case is merged into an open case",
            other.stage
        )));
    }
    if other.district != case.district {
        return Err(Refusal::Rule(format!(
            "{into} belongs to {}, not {}",
            other.district, case.district
        )));
    }
    let notice_moved = repeat::has_waiting_repeat_notice(case)
        && other
            .supervision
            .as_ref()
            .is_none_or(|s| s.answer.is_some());
    match case.links.iter_mut().find(|l| &l.case == into) {
        Some(l) => l.confirmed = true,
        None => case.links.insert(
            0,
            Link {
                case: into.clone(),
                reason: LinkReason::Manual,
                confirmed: true,
            },
        ),
    }
    if case.links.len() > MAX_LINKS {
        case.links.truncate(MAX_LINKS);
    }
    if let Some(g) = case.grab.as_mut().filter(|g| g.is_open()) {
        g.outcome = GrabOutcome::Withdrawn { at: cx.now };
    }
    case.stage = Stage::Merged;
    case.closed_at = Some(cx.now);
    case.merged_into = Some(into.clone());
    Ok(Event::Merge {
        into: into.clone(),
        notice_moved,
    })
}

/// The open case after `merged` (as it was before the merge) was merged into it: one more
/// requester, and the repeat notice when it moves.
pub(super) fn merged_in(
    other: &Case,
    merged: &Case,
    notice_moved: bool,
    cx: &Context,
) -> (Case, Event) {
    let mut next = other.clone();
    next.version += 1;
    next.merged.push(MergedCase {
        case: merged.id.clone(),
        requester: merged.requester.clone(),
        at: cx.now,
    });
    if notice_moved {
        if let Some(mut s) = merged.supervision.clone() {
            s.unit = next.holder.clone();
            next.supervision = Some(s);
            next.repeat_noticed_at = merged.repeat_noticed_at;
        }
    }
    crate::domain::deadlines::refresh(&mut next, cx.now, cx.rules, cx.calendar);
    let event = Event::MergedIn {
        merged: merged.id.clone(),
    };
    (next, event)
}
