//! The slim copy of an open case that queues are made of (待办摘要): what a board row shows, sorts,
//! lights and filters by, and nothing of the citizen's full text or contact details.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::case::{Case, CaseId, Category, Stage};
use super::org::UnitId;

/// One open case as a queue holds it. The store keeps one per open case (its `open` index), so a
/// board loads its queues without reading whole cases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseSummary {
    /// Id.
    pub id: CaseId,
    /// Version (changes seen out of order are ignored).
    pub version: u64,
    /// The district platform that owns the citizen.
    pub district: UnitId,
    /// The unit that holds the case now.
    pub holder: UnitId,
    /// Joint enforcement supporting units (配合).
    pub supporting: Vec<UnitId>,
    /// Category.
    pub category: Option<Category>,
    /// Stage.
    pub stage: Stage,
    /// Round.
    pub round: u8,
    /// Short title.
    pub title: String,
    /// Address, if given (matched by the board's filter).
    pub address: Option<String>,
    /// The 12345 work-order number (matched by the board's filter).
    pub external_id: Option<String>,
    /// When it was received.
    pub received_at: DateTime<Utc>,
    /// Deadline of the current round.
    pub due_at: Option<DateTime<Utc>>,
    /// Allowed working days.
    pub limit_days: Option<u32>,
    /// A return or extension request waits for the platform.
    pub pending: bool,
    /// When it closed or was rejected (finished cases found by search).
    pub closed_at: Option<DateTime<Utc>>,
    /// The running clocks (the queue's light and countdown).
    #[serde(default)]
    pub clocks: Vec<super::deadlines::StageClock>,
    /// The queue's supervision mark (催 / 督 / 池), if any.
    #[serde(default)]
    pub mark: Option<super::chasing::Mark>,
    /// The units an open grab order offers the case to (the 可抢 queue), none when it has none.
    #[serde(default)]
    pub offered: Vec<UnitId>,
}

impl CaseSummary {
    /// The summary of a case as it stands.
    pub fn of(case: &Case) -> CaseSummary {
        CaseSummary {
            id: case.id.clone(),
            version: case.version,
            district: case.district.clone(),
            holder: case.holder.clone(),
            supporting: case.supporting.clone(),
            category: case.category,
            stage: case.stage,
            round: case.round,
            title: case.title.clone(),
            address: case.address.clone(),
            external_id: case.external_id.clone(),
            received_at: case.received_at,
            due_at: case.due_at,
            limit_days: case.limit_days,
            pending: case.pending.is_some(),
            closed_at: case.closed_at,
            clocks: case.stage_clocks.clone(),
            mark: super::chasing::Mark::of_case(case),
            offered: case
                .grab
                .as_ref()
                .filter(|g| g.is_open())
                .map(|g| g.units.clone())
                .unwrap_or_default(),
        }
    }

    /// True for a case not closed or rejected.
    pub fn is_open(&self) -> bool {
        !self.stage.is_final()
    }
}
