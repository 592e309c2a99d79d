//! Repeat complaints and merging: the domain's rules, on hand-made cases.

use crate::domain::case::{Case, Category, Stage};
use crate::domain::chasing::SYSTEM;
use crate::domain::command::Command;
use crate::domain::org::UnitId;
use crate::domain::repeat::{self, Earlier, LinkReason, MatterKind};
use crate::domain::testkit::{cst, earlier_case, Walk};

const PHONE: &str = "13853212345";

fn found_by(c: &Case, by: MatterKind) -> Earlier {
    Earlier::of(c, by)
}

/// The walk's case taken in with `earlier` as what the matter index found.
fn taken_in(earlier: &[Case]) -> Walk {
    let mut w = Walk::new();
    let found: Vec<Earlier> = earlier
        .iter()
        .map(|c| found_by(c, MatterKind::Phone))
        .collect();
    let (rules, cal) = (&w.config.rules, &w.config.calendar);
    repeat::link_new_case(&mut w.case, &found, w.now, rules, cal);
    for c in earlier {
        w.others.insert(c.id.clone(), c.clone());
    }
    w
}

#[test]
fn the_third_complaint_of_a_phone_makes_a_supervision_notice_to_the_platform() {
    // One earlier case: linked, no notice yet.
    let w = taken_in(&[earlier_case(2, 3, PHONE)]);
    assert_eq!(repeat::complaints(&w.case), 2);
    assert!(w.case.supervision.is_none());
    assert!(!w.case.links[0].confirmed);
    // Two earlier cases (the third complaint): the notice goes to the platform holding it, with
    // its own clock, given by the system.
    let w = taken_in(&[earlier_case(2, 3, PHONE), earlier_case(3, 10, PHONE)]);
    assert_eq!(repeat::complaints(&w.case), 3);
    let s = w.case.supervision.clone().expect("a repeat notice");
    assert_eq!((s.unit.as_str(), s.by.as_str()), ("laoshan", SYSTEM));
    assert!(s.note.contains("重复投诉 ×3"), "{}", s.note);
    assert!(w
        .case
        .stage_clocks
        .iter()
        .any(|c| c.kind == crate::domain::deadlines::ClockKind::Supervision));
    // Newest first.
    assert_eq!(w.case.links[0].case.as_str(), "LS-20261123-0002");
}

#[test]
fn a_matter_already_under_a_repeat_notice_is_not_noticed_again() {
    let w = taken_in(&[earlier_case(2, 3, PHONE), earlier_case(3, 10, PHONE)]);
    let mut third = w.case.clone();
    assert!(third.repeat_noticed_at.is_some());
    third.id = "LS-20261123-0004".into();
    third.received_at -= chrono::Duration::hours(1);
    // The fourth call links the third, which is open with its notice: no second notice.
    let w = taken_in(&[
        third.clone(),
        earlier_case(2, 3, PHONE),
        earlier_case(3, 10, PHONE),
    ]);
    assert_eq!(repeat::complaints(&w.case), 4);
    assert!(
        w.case.supervision.is_none(),
        "the matter is supervised already"
    );
    // Once that case is finished, the matter's next complaints are noticed again.
    let mut closed = third;
    closed.stage = Stage::Closed;
    let w = taken_in(&[
        closed,
        earlier_case(2, 3, PHONE),
        earlier_case(3, 10, PHONE),
    ]);
    assert!(w.case.supervision.is_some());
}

#[test]
fn cases_outside_the_window_or_of_another_category_at_the_address_are_not_linked() {
    let mut w = Walk::new();
    w.case.category = Some(Category::Livelihood);
    let old = earlier_case(2, 31, PHONE);
    let mut other_kind = earlier_case(3, 2, "13900000000");
    other_kind.category = Some(Category::Enforcement);
    let mut same_kind = earlier_case(4, 2, "13900000001");
    same_kind.category = Some(Category::Livelihood);
    let mut merged = earlier_case(5, 1, PHONE);
    merged.stage = Stage::Merged;
    let found = [
        found_by(&old, MatterKind::Phone),
        found_by(&other_kind, MatterKind::Address),
        found_by(&same_kind, MatterKind::Address),
        found_by(&merged, MatterKind::Phone),
    ];
    let links = repeat::suggest(&w.case, &found, &w.config.rules.repeat);
    let ids: Vec<(&str, LinkReason)> = links.iter().map(|l| (l.case.as_str(), l.reason)).collect();
    assert_eq!(ids, [("LS-20261123-0004", LinkReason::Address)]);
    w.config.rules.repeat.window_days = 40;
    let links = repeat::suggest(&w.case, &found, &w.config.rules.repeat);
    assert_eq!(links.len(), 2, "a wider window reaches the old case");
    // A case found by both keys is linked once, by its phone.
    let both = [
        found_by(&same_kind, MatterKind::Address),
        found_by(&same_kind, MatterKind::Phone),
    ];
    let links = repeat::suggest(&w.case, &both, &w.config.rules.repeat);
    assert_eq!(
        links.iter().map(|l| l.reason).collect::<Vec<_>>(),
        [LinkReason::Phone]
    );
}

#[test]
fn confirming_and_linking_by_hand_reach_the_notice_and_count_on_the_platform() {
    let mut w = taken_in(&[earlier_case(2, 3, PHONE)]);
    w.run(
        "ls_dispatch",
        Command::Link {
            case: "LS-20261123-0002".into(),
        },
    );
    assert!(w.case.links[0].confirmed);
    assert!(w.case.supervision.is_none());
    // Confirming twice is refused; a case of another matter is linked by hand.
    let again = w.refuse(
        "ls_dispatch",
        Command::Link {
            case: "LS-20261123-0002".into(),
        },
    );
    assert!(again.contains("already linked"), "{again}");
    let third = earlier_case(7, 5, "13911112222");
    w.others.insert(third.id.clone(), third);
    w.run(
        "ls_dispatch",
        Command::Link {
            case: "LS-20261123-0007".into(),
        },
    );
    assert_eq!(w.case.links[1].reason, LinkReason::Manual);
    let s = w
        .case
        .supervision
        .clone()
        .expect("the third complaint's notice");
    assert_eq!(s.by, SYSTEM);
    let record = w
        .records
        .get(&UnitId::new("laoshan"))
        .expect("the platform's record");
    assert_eq!(record.repeat_notices.len(), 1);
    // A unit may not link; unlinking keeps the notice that was given.
    let refused = w.refuse(
        "ls_haidamaidao",
        Command::Unlink {
            case: "LS-20261123-0007".into(),
        },
    );
    assert!(refused.starts_with("not permitted"), "{refused}");
    w.run(
        "ls_dispatch",
        Command::Unlink {
            case: "LS-20261123-0007".into(),
        },
    );
    assert_eq!(repeat::complaints(&w.case), 2);
    assert!(w.case.supervision.is_some());
}

#[test]
fn a_merge_ends_the_duplicate_and_the_open_case_lists_both_requesters_and_takes_the_notice() {
    let mut open = earlier_case(2, 3, "13800001111");
    open.stage = Stage::Handling;
    open.holder = UnitId::new("laoshan.jinjialing.haidamaidao");
    let mut w = taken_in(&[open.clone(), earlier_case(3, 10, PHONE)]);
    w.others.insert(open.id.clone(), open.clone());
    assert!(
        w.case.supervision.is_some(),
        "the third complaint made a notice"
    );
    w.now = cst(2026, 11, 23, 10, 0);
    w.run(
        "ls_dispatch",
        Command::Merge {
            into: open.id.clone(),
        },
    );
    assert_eq!(w.case.stage, Stage::Merged);
    assert_eq!(w.case.merged_into.as_ref(), Some(&open.id));
    assert!(w.case.stage_clocks.is_empty() || w.case.stage.is_final());
    let target = w.others.get(&open.id).expect("the open case changed");
    assert_eq!(target.version, open.version + 1);
    assert_eq!(target.merged.len(), 1);
    assert_eq!(target.merged[0].requester.phone, PHONE);
    // The notice moved to the open case and its holder.
    let s = target.supervision.clone().expect("the notice moved");
    assert_eq!(s.unit.as_str(), "laoshan.jinjialing.haidamaidao");
    // Finished: nothing more is done on the merged case.
    let after = w.refuse(
        "ls_dispatch",
        Command::Unlink {
            case: open.id.clone(),
        },
    );
    assert!(after.contains("merged"), "{after}");
}

#[test]
fn a_merge_needs_an_open_case_of_the_same_district() {
    let mut closed = earlier_case(2, 3, PHONE);
    closed.stage = Stage::Closed;
    let mut elsewhere = earlier_case(3, 3, PHONE);
    elsewhere.district = UnitId::new("shibei");
    let w = taken_in(&[closed.clone(), elsewhere.clone()]);
    let why = w.refuse("ls_dispatch", Command::Merge { into: closed.id });
    assert!(why.contains("open case"), "{why}");
    let why = w.refuse("ls_dispatch", Command::Merge { into: elsewhere.id });
    assert!(why.contains("belongs to shibei"), "{why}");
    let why = w.refuse(
        "ls_dispatch",
        Command::Merge {
            into: w.case.id.clone(),
        },
    );
    assert!(why.contains("itself"), "{why}");
}
