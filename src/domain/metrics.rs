//! Measures (一比三率 and friends): what the platform counts about its cases, each defined once,
//! with its formula written out in `docs/metrics.md`.
//!
//! Every case contributes one [`Counters`] to each unit it counts for ([`counted_units`]: its
//! area — community, street, district, city — and the unit answering it, with that unit's
//! parents), on the day it was received (China time), under its kind of matter (事项分类). A
//! report for a period reads the **cohort** of cases received in it and what has become of them
//! so far, as monthly 通报 do ("本月受理诉求中…"). The contribution is a function of the case's
//! state alone ([`contribution`]), so the engine keeps the sums by adding the difference between a
//! case's state before and after each command ([`tally_changes`]), in the same batch.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::calendar::cst_date;
use super::case::{Case, Resolution, Satisfaction, Stage};
use super::chasing::ChaseLevel;
use super::org::{Org, UnitId};

/// Facts about a case that its state would otherwise lose, recorded by the lifecycle as they
/// happen and read only by the measures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFacts {
    /// Whether the first contact with the requester (联系诉求人) came within its contact clock;
    /// none until a contact is recorded.
    pub first_contact_in_time: Option<bool>,
    /// Return requests made (退单).
    pub returns: u32,
    /// Extensions granted (延期).
    pub extensions: u32,
    /// Replies given after the handling deadline, over all rounds.
    pub late_replies: u32,
}

/// Sums over a group of cases: the numbers every measure is computed from. Signed, so a change
/// (after − before) is a `Counters` too; a stored sum is never negative.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    /// Received (接收), every case.
    pub received: i64,
    /// Taken (受理): received, not rejected (不予受理) and not merged into another case (并案).
    pub taken: i64,
    /// Rejected at triage.
    pub rejected: i64,
    /// Merged into another case as a repeat.
    pub merged: i64,
    /// Taken and closed (办结).
    pub closed: i64,
    /// Taken and still open.
    pub open: i64,
    /// Taken cases whose requester was contacted, or which closed without a recorded contact:
    /// the response rate's denominator.
    pub contact_due: i64,
    /// Of those, contacted within the contact clock (响应).
    pub responded: i64,
    /// Taken cases with a rating from the requester.
    pub evaluated: i64,
    /// Of those, rated satisfied or basically satisfied in their latest rating.
    pub satisfied: i64,
    /// Of those, rated resolved or basically resolved in their latest rating.
    pub resolved: i64,
    /// Taken cases rated unsatisfied or unresolved in any round (不满意件).
    pub unsatisfied: i64,
    /// Closed with every reply by its deadline and never chased.
    pub on_time: i64,
    /// Late: closed after a late reply or a chase, or open and already chased or replied late.
    pub late: i64,
    /// Return requests (退单).
    pub returns: i64,
    /// Extensions granted (延期).
    pub extensions: i64,
    /// Chased at least once (催办).
    pub chased: i64,
    /// Put in the supervision pool (督办池).
    pub pooled: i64,
    /// Referred for accountability (问责移交).
    pub referred: i64,
}

impl Counters {
    /// Adds `other` field by field.
    pub fn add(&mut self, other: &Counters) {
        self.zip(other, |a, b| a + b);
    }

    /// Subtracts `other` field by field.
    pub fn sub(&mut self, other: &Counters) {
        self.zip(other, |a, b| a - b);
    }

    /// True when every field is zero (a change that changes nothing; a sum that can be dropped).
    pub fn is_zero(&self) -> bool {
        *self == Counters::default()
    }

    fn zip(&mut self, o: &Counters, f: impl Fn(i64, i64) -> i64) {
        let a = self;
        a.received = f(a.received, o.received);
        a.taken = f(a.taken, o.taken);
        a.rejected = f(a.rejected, o.rejected);
        a.merged = f(a.merged, o.merged);
        a.closed = f(a.closed, o.closed);
        a.open = f(a.open, o.open);
        a.contact_due = f(a.contact_due, o.contact_due);
        a.responded = f(a.responded, o.responded);
        a.evaluated = f(a.evaluated, o.evaluated);
        a.satisfied = f(a.satisfied, o.satisfied);
        a.resolved = f(a.resolved, o.resolved);
        a.unsatisfied = f(a.unsatisfied, o.unsatisfied);
        a.on_time = f(a.on_time, o.on_time);
        a.late = f(a.late, o.late);
        a.returns = f(a.returns, o.returns);
        a.extensions = f(a.extensions, o.extensions);
        a.chased = f(a.chased, o.chased);
        a.pooled = f(a.pooled, o.pooled);
        a.referred = f(a.referred, o.referred);
    }
}

/// What one case contributes, wherever it counts.
pub fn counters_of(case: &Case) -> Counters {
    let b = |x: bool| i64::from(x);
    let mut c = Counters {
        received: 1,
        ..Counters::default()
    };
    match case.stage {
        Stage::Rejected => {
            c.rejected = 1;
            return c;
        }
        Stage::Merged => {
            c.merged = 1;
            return c;
        }
        _ => {}
    }
    let closed = case.stage == Stage::Closed;
    c.taken = 1;
    c.closed = b(closed);
    c.open = b(!case.stage.is_final());
    let contacted = case.facts.first_contact_in_time;
    c.contact_due = b(contacted.is_some() || closed);
    c.responded = b(contacted == Some(true));
    let latest = case
        .evaluation
        .as_ref()
        .or(case.previous_rounds.last().map(|r| &r.evaluation));
    if let Some(e) = latest {
        c.evaluated = 1;
        c.satisfied = b(e.satisfaction != Satisfaction::Unsatisfied);
        c.resolved = b(e.resolution != Resolution::Unresolved);
    }
    let unhappy = |e: &super::case::Evaluation| !e.closes_case();
    c.unsatisfied = b(case.evaluation.as_ref().is_some_and(unhappy)
        || case.previous_rounds.iter().any(|r| unhappy(&r.evaluation)));
    let chased = case.chase.level >= ChaseLevel::Chased || case.chase.chased_at.is_some();
    let late = chased || case.facts.late_replies > 0;
    c.on_time = b(closed && !late);
    c.late = b(late);
    c.returns = i64::from(case.facts.returns);
    c.extensions = i64::from(case.facts.extensions);
    c.chased = b(chased);
    c.pooled = b(case.chase.level == ChaseLevel::Pooled || case.chase.pooled_at.is_some());
    c.referred = b(case.referral.is_some());
    c
}

/// The unit answering a case for the measures: the unit that handled its last round once
/// closed, else its lead unit, else its holder.
pub fn answering_unit(case: &Case) -> &UnitId {
    case.handled_by
        .as_ref()
        .filter(|_| case.stage == Stage::Closed)
        .or(case.lead.as_ref())
        .unwrap_or(&case.holder)
}

/// Every unit a case counts for, each once: its community and the units above it, its district
/// and the city, and the unit answering it ([`answering_unit`]) with the units above that. A
/// case counts once in every scope that holds it; summed over the children of a unit, a case
/// that both lies in a street and is answered by a department counts in both.
pub fn counted_units(case: &Case, org: &Org) -> Vec<UnitId> {
    let mut out: Vec<UnitId> = Vec::new();
    let mut climb = |start: &UnitId| {
        let mut at = org.get(start).map(|u| u.id.clone());
        while let Some(id) = at {
            if out.contains(&id) {
                break;
            }
            at = org.parent(&id).map(|p| p.id.clone());
            out.push(id);
        }
    };
    if let Some(c) = &case.community {
        climb(c);
    }
    climb(&case.district);
    climb(answering_unit(case));
    out
}

/// The day a case counts on: the date (China time) it was received.
pub fn day_of(case: &Case) -> NaiveDate {
    cst_date(case.received_at)
}

/// The kind of matter a case counts under: its [`Case::matter`], or `""` (unclassified).
pub fn kind_of(case: &Case) -> &str {
    case.matter.as_deref().unwrap_or("")
}

/// Where a contribution is kept: a unit, a day and (for the per-kind sums) a kind of matter.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TallyKey {
    /// The unit.
    pub unit: UnitId,
    /// The day the cases were received.
    pub day: NaiveDate,
    /// The kind of matter (`Some("")` for unclassified); none for the sum over every kind.
    pub kind: Option<String>,
}

/// Everything one case contributes: per counted unit, one sum over every kind and one under its
/// kind of matter.
pub fn contribution(case: &Case, org: &Org) -> Vec<(TallyKey, Counters)> {
    let counters = counters_of(case);
    let day = day_of(case);
    let kind = kind_of(case).to_string();
    counted_units(case, org)
        .into_iter()
        .flat_map(|unit| {
            [
                TallyKey {
                    unit: unit.clone(),
                    day,
                    kind: None,
                },
                TallyKey {
                    unit,
                    day,
                    kind: Some(kind.clone()),
                },
            ]
        })
        .map(|k| (k, counters))
        .collect()
}

/// How the kept sums change when a case goes from `before` (none for a new case) to `after`:
/// added into `into`, so a batch of cases sums its changes per key. Changes that cancel out are
/// left as zeros for the caller to skip.
pub fn tally_changes(
    before: Option<&Case>,
    after: &Case,
    org: &Org,
    into: &mut BTreeMap<TallyKey, Counters>,
) {
    if let Some(b) = before {
        for (k, c) in contribution(b, org) {
            into.entry(k).or_default().sub(&c);
        }
    }
    for (k, c) in contribution(after, org) {
        into.entry(k).or_default().add(&c);
    }
}

/// A rate: a numerator over a denominator, shown as a percentage with two decimals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    /// Cases that meet the measure.
    pub num: i64,
    /// Cases it is measured among.
    pub den: i64,
}

impl Rate {
    /// `num / den` (none when nothing was measured).
    pub fn new(num: i64, den: i64) -> Rate {
        Rate { num, den }
    }

    /// The percentage, 0–100 (none when the denominator is 0).
    pub fn percent(&self) -> Option<f64> {
        (self.den > 0).then(|| self.num as f64 * 100.0 / self.den as f64)
    }

    /// `99.01%`, or `—` when there is nothing to measure.
    pub fn text(&self) -> String {
        percent_text(self.percent())
    }
}

/// A percentage as shown (`99.01%`, `—` for none).
pub fn percent_text(p: Option<f64>) -> String {
    p.map_or_else(|| "—".to_string(), |p| format!("{p:.2}%"))
}

/// The measures of one scope over one period, each computed once here.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Measures {
    /// The sums they are computed from.
    pub counters: Counters,
    /// Residents of the scope (platforms only).
    pub population: Option<u64>,
    /// 万人诉求比: cases taken per 10,000 residents.
    pub per_10k: Option<f64>,
    /// 响应率: contacted within the contact clock, among cases contacted or closed.
    pub response: Rate,
    /// 解决率: rated resolved or basically resolved, among rated cases.
    pub resolution: Rate,
    /// 满意率: rated satisfied or basically satisfied, among rated cases.
    pub satisfaction: Rate,
    /// 办结率: closed, among cases taken.
    pub completion: Rate,
    /// 按期办结率: closed on time, among cases closed plus open cases already late.
    pub on_time: Rate,
}

impl Measures {
    /// The measures of `counters` for a scope of `population` residents.
    pub fn of(counters: Counters, population: Option<u64>) -> Measures {
        let c = counters;
        Measures {
            counters,
            population,
            per_10k: population
                .filter(|p| *p > 0)
                .map(|p| c.taken as f64 * 10_000.0 / p as f64),
            response: Rate::new(c.responded, c.contact_due),
            resolution: Rate::new(c.resolved, c.evaluated),
            satisfaction: Rate::new(c.satisfied, c.evaluated),
            completion: Rate::new(c.closed, c.taken),
            on_time: Rate::new(c.on_time, c.on_time + c.late),
        }
    }

    /// The score child units are ranked by in a 通报: the mean of the response, resolution and
    /// satisfaction rates (一比三率's three rates; a rate with nothing measured counts 0), higher
    /// first; ties go to the unit with fewer cases per 10,000 residents, then more cases closed.
    pub fn score(&self) -> f64 {
        let r = |r: &Rate| r.percent().unwrap_or(0.0);
        (r(&self.response) + r(&self.resolution) + r(&self.satisfaction)) / 3.0
    }
}

/// 诉求下降率: how much the volume fell from `before` to `now`, in percent (negative for a rise;
/// none when there was nothing before).
pub fn fall(now: i64, before: i64) -> Option<f64> {
    (before > 0).then(|| (before - now) as f64 * 100.0 / before as f64)
}

/// 环比/同比增幅: how much the volume rose from `before` to `now`, in percent (negative for a
/// fall; none when there was nothing before).
pub fn rise(now: i64, before: i64) -> Option<f64> {
    (before > 0).then(|| (now - before) as f64 * 100.0 / before as f64)
}

#[cfg(test)]
#[path = "metrics_tests.rs"]
mod tests;
