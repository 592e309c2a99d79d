//! Repeat complaints (重复投诉) and merging (并案).
//!
//! At intake a case is **linked** to earlier cases of the same matter: the same requester phone,
//! or the same address and kind of matter (事项分类, from the responsibility list's keywords),
//! received within the rules file's `[repeat] window_days`.
//! The links are suggestions; the platform confirms or removes them (`link`, `unlink`) and may
//! **merge** a new duplicate into the open case (`merge --into ID`) so it is not dispatched twice:
//! the merged case ends in the `merged` stage and follows the open one, whose requesters list
//! both citizens, so both get its reply and its callback.
//!
//! A matter counts its complaints: the case and every case linked to it. When it reaches the
//! rules file's `notice_at` (3), a supervision notice (督办通知) goes automatically to the
//! platform holding the case, once, recorded by [`SYSTEM`] — the seeds' "同一事项多次投诉的，
//! 纳入督办". A merge carries a waiting repeat notice over to the open case and its holder.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::case::{Case, CaseId, Category, Requester, Stage, Supervision};
use super::chasing::SYSTEM;
use super::org::UnitId;

/// The rules of linking repeat complaints (`[repeat]` in the rules file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RepeatRules {
    /// Natural days back from receipt within which an earlier case is the same matter.
    pub window_days: u32,
    /// Complaints of one matter (the case and its links) that make a supervision notice.
    pub notice_at: u32,
}

impl Default for RepeatRules {
    fn default() -> Self {
        RepeatRules {
            window_days: 30,
            notice_at: 3,
        }
    }
}

/// The most links one case keeps (the newest earlier cases first).
pub const MAX_LINKS: usize = 10;

/// Why two cases are linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkReason {
    /// The same requester phone.
    Phone,
    /// The same address and category.
    Address,
    /// Linked by the platform by hand.
    Manual,
}

impl LinkReason {
    /// The word used in the CLI and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkReason::Phone => "phone",
            LinkReason::Address => "address",
            LinkReason::Manual => "manual",
        }
    }
}

/// A link from a case to an earlier case of the same matter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The earlier case.
    pub case: CaseId,
    /// Why they are linked.
    pub reason: LinkReason,
    /// Confirmed by the platform (a suggestion until then).
    pub confirmed: bool,
}

/// A case merged into this one (并案): its requester gets this case's reply too.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergedCase {
    /// The merged case.
    pub case: CaseId,
    /// Its requester (personal data, masked like the case's own).
    pub requester: Requester,
    /// When it was merged.
    pub at: DateTime<Utc>,
}

/// What one of a matter's keys is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatterKind {
    /// A requester phone, digits only.
    Phone = b'p' as isize,
    /// An address, without spaces and in lower case.
    Address = b'a' as isize,
}

/// The phone as the matter index keys it: its digits, without a leading `+86`.
pub fn phone_key(phone: &str) -> Option<String> {
    let p = phone.trim();
    let p = p.strip_prefix("+86").unwrap_or(p);
    let digits: String = p.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 7).then_some(digits)
}

/// The address as the matter index keys it: without whitespace and punctuation, ASCII in lower
/// case; too short an address (fewer than 4 characters) links nothing.
pub fn address_key(address: &str) -> Option<String> {
    let a: String = address
        .chars()
        .filter(|c| {
            !c.is_whitespace()
                && !c.is_control()
                && !c.is_ascii_punctuation()
                && !"，。、·（）".contains(*c)
        })
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (a.chars().count() >= 4).then_some(a)
}

/// The matter keys of a case: its phone, and its address with its kind of matter when both are
/// known. An address alone is too coarse — a community's name is the address of every case of
/// the community — so a sewer and a kindergarten at one address are not the same matter.
pub fn matter_keys(case: &Case) -> Vec<(MatterKind, String)> {
    let mut out = Vec::with_capacity(2);
    if let Some(p) = phone_key(&case.requester.phone) {
        out.push((MatterKind::Phone, p));
    }
    let address = case.address.as_deref().and_then(address_key);
    if let (Some(a), Some(m)) = (address, &case.matter) {
        out.push((MatterKind::Address, format!("{a}|{m}")));
    }
    out
}

/// An earlier case found under one of a new case's matter keys.
#[derive(Debug, Clone, PartialEq)]
pub struct Earlier {
    /// Its id.
    pub id: CaseId,
    /// Which key found it.
    pub by: MatterKind,
    /// When it was received.
    pub received_at: DateTime<Utc>,
    /// Its category (or intake's hint).
    pub category: Option<Category>,
    /// Its district.
    pub district: UnitId,
    /// Its stage.
    pub stage: Stage,
    /// It is open and carries its matter's repeat notice already.
    pub noticed: bool,
}

impl Earlier {
    /// What the matter index found: `case`, under the key of `by`.
    pub fn of(case: &Case, by: MatterKind) -> Earlier {
        Earlier {
            id: case.id.clone(),
            by,
            received_at: case.received_at,
            category: case.category,
            district: case.district.clone(),
            stage: case.stage,
            noticed: !case.stage.is_final() && case.repeat_noticed_at.is_some(),
        }
    }
}

/// The earliest receipt an earlier case may have to be the same matter as `case`.
pub fn window_start(case: &Case, rules: &RepeatRules) -> DateTime<Utc> {
    case.received_at - Duration::days(i64::from(rules.window_days))
}

/// The links intake suggests for `case` among `earlier`: a case of the same phone, or of the same
/// address and category (a case without a category matches any), received in the window and not
/// after `case`; a merged case is not linked (its open case is). Newest first, at most
/// [`MAX_LINKS`]; a phone match wins over an address match of the same case.
pub fn suggest(case: &Case, earlier: &[Earlier], rules: &RepeatRules) -> Vec<Link> {
    let since = window_start(case, rules);
    let mut found: Vec<&Earlier> = earlier
        .iter()
        .filter(|e| e.id != case.id && e.stage != Stage::Merged)
        .filter(|e| e.received_at >= since && e.received_at <= case.received_at)
        .filter(|e| match e.by {
            MatterKind::Phone => true,
            MatterKind::Address => match (e.category, case.category) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            },
        })
        .collect();
    // Newest first; of one case, the phone match before the address match.
    let phone_first = |e: &Earlier| u8::from(e.by != MatterKind::Phone);
    found.sort_by(|a, b| {
        b.received_at
            .cmp(&a.received_at)
            .then_with(|| a.id.cmp(&b.id))
            .then_with(|| phone_first(a).cmp(&phone_first(b)))
    });
    let mut links: Vec<Link> = Vec::new();
    for e in found {
        if links.len() == MAX_LINKS {
            break;
        }
        if links.iter().any(|l| l.case == e.id) {
            continue;
        }
        links.push(Link {
            case: e.id.clone(),
            reason: match e.by {
                MatterKind::Phone => LinkReason::Phone,
                MatterKind::Address => LinkReason::Address,
            },
            confirmed: false,
        });
    }
    links
}

/// The complaints of the case's matter: the case and every case linked to it.
pub fn complaints(case: &Case) -> u32 {
    1 + case.links.len() as u32
}

/// Gives the repeat notice when the matter has reached `notice_at` complaints and none was given:
/// a supervision notice to the unit holding the case (unless one is already waiting for an
/// answer), recorded by [`SYSTEM`]. Returns the notice's answer deadline when one was given now.
pub fn give_notice_if_due(
    case: &mut Case,
    now: DateTime<Utc>,
    rules: &super::rules::Rules,
    calendar: &super::calendar::WorkCalendar,
) -> Option<DateTime<Utc>> {
    let n = complaints(case);
    if n < rules.repeat.notice_at || case.repeat_noticed_at.is_some() || case.stage.is_final() {
        return None;
    }
    case.repeat_noticed_at = Some(now);
    if case
        .supervision
        .as_ref()
        .is_some_and(|s| s.answer.is_none())
    {
        return None;
    }
    let days = rules.clocks.supervision_days;
    let ids: Vec<&str> = case.links.iter().map(|l| l.case.as_str()).collect();
    case.supervision = Some(Supervision {
        unit: case.holder.clone(),
        note: format!("重复投诉 ×{n}：{}", ids.join("、")),
        by: SYSTEM.into(),
        at: now,
        days,
        answer: None,
    });
    Some(calendar.deadline(now, days).at)
}

/// Intake's step for a new case: links it to the `earlier` cases [`suggest`] finds, gives the
/// repeat notice when its matter has reached `notice_at` complaints — unless a linked case still
/// open carries the matter's notice already, so a matter under supervision is not noticed again
/// with every call — and sets its clocks again. Returns the notice's answer deadline when one
/// was given.
pub fn link_new_case(
    case: &mut Case,
    earlier: &[Earlier],
    now: DateTime<Utc>,
    rules: &super::rules::Rules,
    calendar: &super::calendar::WorkCalendar,
) -> Option<DateTime<Utc>> {
    case.links = suggest(case, earlier, &rules.repeat);
    let supervised = earlier
        .iter()
        .any(|e| e.noticed && case.links.iter().any(|l| l.case == e.id));
    if supervised {
        return None;
    }
    let notice = give_notice_if_due(case, now, rules, calendar);
    if notice.is_some() {
        super::deadlines::refresh(case, now, rules, calendar);
    }
    notice
}

/// True when the case's waiting supervision notice is the automatic repeat notice.
pub fn has_waiting_repeat_notice(case: &Case) -> bool {
    case.repeat_noticed_at.is_some()
        && case
            .supervision
            .as_ref()
            .is_some_and(|s| s.answer.is_none() && s.by == SYSTEM)
}

#[cfg(test)]
#[path = "repeat_tests.rs"]
mod repeat_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_and_addresses_key_alike_however_they_are_written() {
        assert_eq!(phone_key("+86 138-5321-2345"), phone_key("13853212345"));
        assert_eq!(phone_key("12"), None);
        assert_eq!(
            address_key("崂山区 海大麦岛社区 3号楼, 2单元"),
            address_key("崂山区海大麦岛社区3号楼2单元")
        );
        assert_eq!(address_key("A b"), None);
    }

    #[test]
    fn an_address_is_a_matter_key_only_with_its_kind_of_matter() {
        let mut case = crate::domain::testkit::new_case();
        case.address = Some("崂山区海大麦岛社区".into());
        let kinds = |c: &Case| {
            matter_keys(c)
                .into_iter()
                .map(|(k, _)| k)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            kinds(&case),
            [MatterKind::Phone],
            "a community's name alone links nothing"
        );
        case.matter = Some("noise".into());
        let mut other = case.clone();
        other.matter = Some("talent".into());
        assert_eq!(kinds(&case), [MatterKind::Phone, MatterKind::Address]);
        assert_ne!(
            matter_keys(&case)[1],
            matter_keys(&other)[1],
            "another kind, another key"
        );
    }
}
