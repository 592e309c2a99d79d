//! How the CLI prints cases: the table of `cases`, the page of `show`, and the warning for a
//! provisional deadline. All user text goes through [`crate::outln!`], which makes it safe for a
//! terminal.

use chrono::{DateTime, Utc};

use super::output::{self, cst_minutes, pad, truncate};
use crate::domain::config::Config;
use crate::domain::light::{format_countdown, Light};
use crate::domain::org::UnitId;
use crate::domain::users::User;

/// Warns that a deadline reaches beyond the loaded calendars.
pub(super) fn warn_provisional(config: &Config, due: Option<DateTime<Utc>>) {
    if let Some(due) = due {
        let years = config.calendar.years();
        crate::errln!(
            "warning: the deadline {} reaches beyond the loaded calendars ({}); it counts Monday–Friday there and is provisional",
            cst_minutes(due),
            years.iter().map(|y| y.to_string()).collect::<Vec<_>>().join(", ")
        );
    }
}

/// The `cases` table: light, time left, id, stage, holder, category, title.
pub(super) fn print_case_table(config: &Config, rows: &[crate::engine::query::CaseRow]) {
    let org = &config.org;
    crate::outln!(
        "{} {} {} {} {} {} title",
        pad("灯", 4),
        pad("时限 剩余", 18),
        pad("id", 17),
        pad("stage", 10),
        pad("holder", 18),
        pad("category", 11)
    );
    for r in rows {
        let light = match r.light {
            Some(Light::Red) => "红 R",
            Some(Light::Yellow) => "黄 Y",
            Some(Light::Blue) => "蓝 B",
            None => "",
        };
        // The deciding clock and the time left on it: `handling 1d 03h`, `triage -4h`.
        let left = r
            .clocks
            .first()
            .map(|c| {
                let name = if c.province { "2115" } else { c.kind.as_str() };
                let left = format_countdown(chrono::Duration::seconds(c.remaining_secs));
                format!("{name} {left}")
            })
            .unwrap_or_default();
        let holder = org
            .get(&r.holder)
            .map_or(r.holder.as_str(), |u| u.name.as_str());
        let round = if r.round > 1 { "②" } else { "" };
        let mark = r.mark.map_or(String::new(), |m| {
            format!("[{}] ", crate::vocabulary::mark_words(m).0)
        });
        crate::outln!(
            "{} {} {} {} {} {} {round}{mark}{}",
            pad(light, 4),
            pad(&left, 18),
            pad(r.id.as_str(), 17),
            pad(r.stage.as_str(), 10),
            pad(holder, 18),
            pad(r.category.map_or("", |c| c.as_str()), 11),
            truncate(&r.title, 60)
        );
    }
    crate::outln!("{} cases", rows.len());
}

/// The `show` page: the case and its whole history.
pub(super) fn print_case(config: &Config, operator: &User, view: &crate::engine::query::CaseView) {
    let c = &view.case;
    let org = &config.org;
    let name = |u: &UnitId| {
        org.get(u)
            .map_or(u.to_string(), |x| format!("{} ({u})", x.name))
    };
    let phone = if crate::domain::privacy::may_see_requester(operator, c) {
        c.requester.phone.clone()
    } else {
        output::mask_phone(&c.requester.phone)
    };
    let label = |l: &str| pad(l, 12);
    let name_of = |u: &UnitId| org.get(u).map_or(u.to_string(), |x| x.name.clone());
    crate::outln!("{}{}  {}", label("id"), c.id, c.title);
    crate::outln!("{}{}  round {}", label("stage"), c.stage, c.round);
    crate::outln!("{}{}", label("holder"), name(&c.holder));
    crate::outln!("{}{}  {}", label("district"), name(&c.district), c.channel);
    if let Some(cat) = c.category {
        let kind = c.kind.map_or(String::new(), |k| format!(" / {k}"));
        let complex = if c.complex { " / complex" } else { "" };
        crate::outln!("{}{cat}{kind}{complex}", label("category"));
    }
    crate::outln!("{}{} {}", label("requester"), c.requester.name, phone);
    if let Some(a) = &c.address {
        crate::outln!("{}{a}", label("address"));
    }
    crate::outln!("{}{}", label("received"), cst_minutes(c.received_at));
    if c.province {
        crate::outln!("{}2115 (省交办企业诉求)", label("source"));
    }
    if let Some(due) = c.due_at {
        let prov = if c.due_provisional {
            "  provisional"
        } else {
            ""
        };
        crate::outln!("{}{}{prov}", label("due"), cst_minutes(due));
    }
    // Every running clock, most urgent first, with its light and the time left.
    for v in &view.clocks {
        let name = match v.province {
            true => format!("2115 {}", v.kind.as_str()),
            false => v.kind.as_str().to_string(),
        };
        let unit = v
            .unit
            .as_ref()
            .map_or(String::new(), |u| format!("  {}", name_of(u)));
        let prov = if v.provisional { "  provisional" } else { "" };
        crate::outln!(
            "{}{} {}  ({})  {}{unit}{prov}",
            label("clock"),
            pad(&name, 14),
            cst_minutes(v.due_at),
            format_countdown(chrono::Duration::seconds(v.remaining_secs)),
            v.light.as_str()
        );
    }
    // The chasing ladder: when the case was chased and pooled, and its next step.
    let ladder: Vec<String> = [
        c.chase
            .chased_at
            .map(|t| format!("chased {}", cst_minutes(t))),
        c.chase
            .pooled_at
            .map(|t| format!("pooled {}", cst_minutes(t))),
        c.chase
            .next
            .map(|n| format!("next: {} at {}", n.step.as_str(), cst_minutes(n.at))),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !ladder.is_empty() {
        crate::outln!("{}{}", label("chase"), ladder.join("  ·  "));
    }
    // The matter: 重复 ×N with its linked cases, and merges either way.
    if !c.links.is_empty() {
        let links: Vec<String> = c
            .links
            .iter()
            .map(|l| {
                let state = if l.confirmed { "" } else { ", suggested" };
                format!("{} ({}{state})", l.case, l.reason.as_str())
            })
            .collect();
        crate::outln!(
            "{}重复 ×{}  {}",
            label("repeat"),
            crate::domain::repeat::complaints(c),
            links.join("  ")
        );
    }
    if let Some(into) = &c.merged_into {
        crate::outln!("{}{into}", label("merged into"));
    }
    for m in &c.merged {
        crate::outln!(
            "{}{}  {} {}",
            label("merged in"),
            m.case,
            m.requester.name,
            m.requester.phone
        );
    }
    if let Some(lead) = &c.lead {
        crate::outln!("{}{}", label("lead"), name(lead));
        for s in &c.supporting {
            let part = c.parts.iter().find(|p| &p.unit == s && p.round == c.round);
            let state = part.map_or("waiting".to_string(), |p| format!("reported: {}", p.text));
            crate::outln!("{}{} — {state}", label("supporting"), name(s));
        }
    }
    if let Some(r) = &c.referral {
        crate::outln!(
            "{}问责移交 {} ({})",
            label("referral"),
            r.unit,
            cst_minutes(r.at)
        );
    }
    crate::outln!("{}{}", label("description"), c.description);
    crate::outln!("history:");
    for h in &view.history {
        let detail = serde_json::to_value(&h.event)
            .ok()
            .map(|mut v| {
                output::to_china_time(&mut v);
                event_words(&v)
            })
            .unwrap_or_default();
        let by = pad(&h.by, 16);
        crate::outln!(
            "  {} {} {} {}",
            cst_minutes(h.at),
            by,
            pad(h.event.action(), 18),
            detail
        );
    }
}

/// A history event's fields as words for a person: `category development · limit_days 10 ·
/// due_at 2026-12-07T09:00:00+08:00`; empty ones are left out.
fn event_words(v: &serde_json::Value) -> String {
    use serde_json::Value;
    let Some(m) = v.as_object() else {
        return String::new();
    };
    m.iter()
        .filter(|(k, v)| k.as_str() != "action" && !v.is_null())
        .filter(|(_, v)| !matches!(v, Value::Array(a) if a.is_empty()))
        .map(|(k, v)| format!("{k} {}", value_words(v)))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// One value as words: text as it is, a list joined by `; `, an object as `(key value, …)`.
fn value_words(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(value_words).collect::<Vec<_>>().join("; "),
        Value::Object(m) => {
            let inner: Vec<String> = m
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| format!("{k} {}", value_words(v)))
                .collect();
            format!("({})", inner.join(", "))
        }
        other => other.to_string(),
    }
}

/// `units`: each unit on a line with its record — what a monthly review (一事一考) reads.
pub(super) fn print_units(units: &[crate::engine::query::UnitView]) {
    for u in units {
        let mut marks = String::new();
        if !u.referrals.is_empty() {
            marks.push_str(&format!("  问责移交 ×{}", u.referrals.len()));
        }
        for (word, list) in [
            ("不当退单", &u.denied_returns),
            ("催办", &u.chases),
            ("督办池", &u.pooled),
            ("未认领抢单", &u.unclaimed),
            ("重复投诉督办", &u.repeat_notices),
        ] {
            if !list.is_empty() {
                marks.push_str(&format!("  {word} ×{}", list.len()));
            }
        }
        if !u.notices.is_empty() {
            let open = u.notices.iter().filter(|n| n.answered_at.is_none()).count();
            marks.push_str(&format!("  督办通知 ×{} (未回复 ×{open})", u.notices.len()));
        }
        if !u.lookbacks.is_empty() {
            let reopened = u.lookbacks.iter().filter(|l| l.outcome.reopens()).count();
            marks.push_str(&format!(
                "  回头看 ×{} (重新办理 ×{reopened})",
                u.lookbacks.len()
            ));
        }
        crate::outln!(
            "{} {} {} ({}){marks}",
            pad(&u.level, 10),
            pad(u.id.as_str(), 36),
            u.name,
            u.name_en
        );
    }
}
