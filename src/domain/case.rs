//! A case (诉求) and its parts: category, stage, requester, reply, evaluation, pending requests.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

use super::org::UnitId;

macro_rules! named_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v),+ }
        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            /// The name used in the CLI and JSON.
            pub fn as_str(self) -> &'static str { match self { $($name::$v => $s),+ } }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s { $($s => Ok($name::$v),)+ _ => Err(format!(
                    "unknown value {s:?} (expected one of: {})",
                    [$($s),+].join(", ")
                )) }
            }
        }
    };
}

named_enum!(
    /// The three categories of case (三大类诉求).
    Category {
        /// 民生诉求 — bottom-up.
        Livelihood = "livelihood",
        /// 发展诉求 — from enterprises, top-down.
        Development = "development",
        /// 执法诉求 — joint enforcement, top-down.
        Enforcement = "enforcement",
    }
);

named_enum!(
    /// The kind of a livelihood case, which sets its time limit.
    Kind {
        /// 咨询.
        Consultation = "consultation",
        /// 建议.
        Suggestion = "suggestion",
        /// 投诉.
        Complaint = "complaint",
    }
);

named_enum!(
    /// Where a case came in.
    Channel {
        /// The district platform's WeChat account.
        Wechat = "wechat",
        /// The 12345 hotline.
        Hotline = "hotline",
        /// A grid worker's report (网格员).
        Grid = "grid",
        /// An enterprise.
        Enterprise = "enterprise",
        /// A street or department asking for joint enforcement.
        Unit = "unit",
        /// The web portal or mailbox.
        Web = "web",
    }
);

named_enum!(
    /// Where a case is in its lifecycle.
    Stage {
        /// At a platform: to accept, reject, route, or re-route.
        Triage = "triage",
        /// Sent to a unit that has not signed for it yet.
        Assigned = "assigned",
        /// Signed for and being handled (办理).
        Handling = "handling",
        /// A reply waits for platform review (审核).
        Review = "review",
        /// The approved reply waits for the requester's rating (回访评价).
        Evaluation = "evaluation",
        /// Round 2 failed: the handling unit is assessed (履职评估).
        Assessment = "assessment",
        /// Done (办结).
        Closed = "closed",
        /// Not accepted (不受理).
        Rejected = "rejected",
        /// Merged into an open case of the same matter (并案): it follows that case.
        Merged = "merged",
    }
);

impl Stage {
    /// True for the stages that end a case.
    pub fn is_final(self) -> bool {
        matches!(self, Stage::Closed | Stage::Rejected | Stage::Merged)
    }
}

named_enum!(
    /// Satisfaction rating (满意度).
    Satisfaction {
        /// 满意.
        Satisfied = "satisfied",
        /// 基本满意.
        Basic = "basic",
        /// 不满意.
        Unsatisfied = "unsatisfied",
    }
);

named_enum!(
    /// Resolution rating (解决情况).
    Resolution {
        /// 解决.
        Resolved = "resolved",
        /// 基本解决.
        Basic = "basic",
        /// 未解决.
        Unresolved = "unresolved",
    }
);

named_enum!(
    /// Outcome of a performance assessment.
    AssessmentOutcome {
        /// Passed.
        Pass = "pass",
        /// Failed (评估未完成).
        Fail = "fail",
    }
);

/// A case id such as `LS-20261122-0007`: district code, China date of receipt, sequence.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CaseId(pub String);

impl CaseId {
    /// Builds an id from its parts.
    pub fn compose(code: &str, date: chrono::NaiveDate, seq: u32) -> CaseId {
        CaseId(format!("{}-{}-{:04}", code, date.format("%Y%m%d"), seq))
    }
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for CaseId {
    fn from(s: &str) -> CaseId {
        CaseId(s.to_string())
    }
}

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The person who raised the case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Requester {
    /// Name.
    pub name: String,
    /// Phone number (shown masked to roles that may not see it).
    pub phone: String,
}

/// A unit's reply (答复) with its four required elements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// The requester's facts and the result (办理结果).
    pub result: String,
    /// The policy basis (政策依据).
    pub basis: String,
    /// The responsible person (办理责任人).
    pub person: String,
    /// The contact phone (联系电话).
    pub phone: String,
    /// The unit that replied.
    pub unit: UnitId,
    /// When it was written.
    pub at: DateTime<Utc>,
}

/// A supporting unit's part of a joint enforcement case, per round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    /// The supporting unit.
    pub unit: UnitId,
    /// The round it belongs to.
    pub round: u8,
    /// What the unit did.
    pub text: String,
    /// When it was reported.
    pub at: DateTime<Utc>,
}

/// The requester's rating.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Satisfaction.
    pub satisfaction: Satisfaction,
    /// Resolution.
    pub resolution: Resolution,
}

impl Evaluation {
    /// Satisfied or basically satisfied *and* resolved or basically resolved: the case closes.
    pub fn closes_case(&self) -> bool {
        self.satisfaction != Satisfaction::Unsatisfied && self.resolution != Resolution::Unresolved
    }
}

/// A request from the holding unit that waits for the platform's decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PendingRequest {
    /// 退单 — give the case back to the platform.
    Return {
        /// The unit asking.
        unit: UnitId,
        /// Why.
        reason: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// 延期 — more working days.
    Extension {
        /// The unit asking.
        unit: UnitId,
        /// Working days asked for.
        days: u32,
        /// Why.
        reason: String,
        /// When.
        at: DateTime<Utc>,
    },
}

/// What a finished round left behind, kept for the second round's detail view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundRecord {
    /// The round number.
    pub round: u8,
    /// The unit that handled it.
    pub handled_by: Option<UnitId>,
    /// The approved reply.
    pub reply: Option<Reply>,
    /// The rating.
    pub evaluation: Evaluation,
}

/// An accountability referral (问责移交) recorded on a case and its unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Referral {
    /// The unit referred.
    pub unit: UnitId,
    /// The case whose failed assessment made it.
    pub case: CaseId,
    /// When.
    pub at: DateTime<Utc>,
}

/// How the case reached the platform that holds it in triage (decides where it may go next).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Arrival {
    /// Fresh from intake.
    Intake,
    /// Escalated from a unit below (上报).
    Escalation {
        /// The unit that escalated it.
        from: UnitId,
    },
    /// Given back by a unit (退单, approved).
    Return {
        /// The unit that returned it.
        from: UnitId,
    },
    /// Round 1 was rated unresolved (二次办理).
    SecondRound,
}

/// The current state of one case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    /// Id such as `LS-20261122-0007`.
    pub id: CaseId,
    /// Bumped by every committed command (for conflict checks).
    pub version: u64,
    /// The 12345 work-order number, if any.
    pub external_id: Option<String>,
    /// The district platform that owns the citizen.
    pub district: UnitId,
    /// Where it came in.
    pub channel: Channel,
    /// Short title.
    pub title: String,
    /// Full text.
    pub description: String,
    /// Who raised it.
    pub requester: Requester,
    /// Address, if given.
    pub address: Option<String>,
    /// The requester's community, if known.
    pub community: Option<UnitId>,
    /// Category (a hint from intake until accepted).
    pub category: Option<Category>,
    /// Kind of livelihood case.
    pub kind: Option<Kind>,
    /// Complex (longer limit).
    pub complex: bool,
    /// Lifecycle stage.
    pub stage: Stage,
    /// 1, or 2 for a second round (二次办理).
    pub round: u8,
    /// The unit that holds the case now (a platform in triage, review and evaluation).
    pub holder: UnitId,
    /// How it reached the current platform (triage only).
    pub arrived_by: Option<Arrival>,
    /// Joint enforcement lead unit (主责).
    pub lead: Option<UnitId>,
    /// Joint enforcement supporting units (配合).
    pub supporting: Vec<UnitId>,
    /// Supporting units' parts, all rounds.
    pub parts: Vec<Part>,
    /// When it was received.
    pub received_at: DateTime<Utc>,
    /// When the platform accepted it (受理).
    pub accepted_at: Option<DateTime<Utc>>,
    /// When the current deadline's clock started (acceptance; round 2: its dispatch).
    pub clock_start: Option<DateTime<Utc>>,
    /// Allowed working days for the current round, extensions included.
    pub limit_days: Option<u32>,
    /// Deadline for the current round.
    pub due_at: Option<DateTime<Utc>>,
    /// The deadline crosses a year with no calendar file.
    pub due_provisional: bool,
    /// A return or extension awaiting the platform.
    pub pending: Option<PendingRequest>,
    /// The reply under review or approved.
    pub reply: Option<Reply>,
    /// The unit that handled the current round (set when it replies).
    pub handled_by: Option<UnitId>,
    /// Earlier rounds.
    pub previous_rounds: Vec<RoundRecord>,
    /// The latest rating.
    pub evaluation: Option<Evaluation>,
    /// The unit under assessment, and the outcome once assessed.
    pub assessed_unit: Option<UnitId>,
    /// Assessment outcome.
    pub assessment: Option<AssessmentOutcome>,
    /// Accountability referral made by this case's assessment.
    pub referral: Option<Referral>,
    /// Reject reason code (1..7), when rejected.
    pub reject_reason: Option<u8>,
    /// When the case closed or was rejected.
    pub closed_at: Option<DateTime<Utc>>,
    /// A "2115" enterprise case handed down by the province (省交办企业诉求): marked at intake
    /// (`"source": "province"`) or at accept (`--2115`).
    #[serde(default)]
    pub province: bool,
    /// First contacts with the requester (联系诉求人), per unit and round.
    #[serde(default)]
    pub contacts: Vec<Contact>,
    /// When the first feedback of a 2115 case was given (首次反馈).
    #[serde(default)]
    pub feedback_at: Option<DateTime<Utc>>,
    /// Working days of each supporting unit's part (`joint --part-days`); none: the case's.
    #[serde(default)]
    pub part_days: Option<u32>,
    /// The running clocks ([`crate::domain::deadlines`]), set by every command.
    #[serde(default)]
    pub stage_clocks: Vec<crate::domain::deadlines::StageClock>,
    /// The supervision notice on the case (督办), the latest one.
    #[serde(default)]
    pub supervision: Option<Supervision>,
    /// Where the case is on the chasing ladder (催办 → 督办池), and its next time-driven step.
    #[serde(default)]
    pub chase: crate::domain::chasing::Chase,
    /// The grab order the platform published the case as (抢单), the latest one.
    #[serde(default)]
    pub grab: Option<GrabOrder>,
    /// Earlier cases of the same matter (重复投诉), suggested at intake or linked by the platform.
    #[serde(default)]
    pub links: Vec<crate::domain::repeat::Link>,
    /// When the matter's repeat notice was given ([`crate::domain::repeat`]).
    #[serde(default)]
    pub repeat_noticed_at: Option<DateTime<Utc>>,
    /// The open case this one was merged into (并案).
    #[serde(default)]
    pub merged_into: Option<CaseId>,
    /// Cases merged into this one, with their requesters (who get this case's reply too).
    #[serde(default)]
    pub merged: Vec<crate::domain::repeat::MergedCase>,
    /// The look-back (回头看) the case was drawn for, the latest one.
    #[serde(default)]
    pub lookback: Option<crate::domain::lookback::Lookback>,
    /// The kind of matter (事项分类): the responsibility list's matter its words point to,
    /// suggested at intake (none when no keyword matched, and for cases stored before schema 5).
    #[serde(default)]
    pub matter: Option<String>,
    /// What the measures need that the state would lose (first contact in time, returns,
    /// extensions, late replies): [`crate::domain::metrics::CaseFacts`].
    #[serde(default)]
    pub facts: crate::domain::metrics::CaseFacts,
}

/// A grab order (抢单, Jining's 济时办): the platform offers an accepted case to several units for
/// a few hours; the first unit to claim it takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrabOrder {
    /// The units it is offered to.
    pub units: Vec<UnitId>,
    /// Who published it (a login).
    pub by: String,
    /// When.
    pub at: DateTime<Utc>,
    /// When the window closes.
    pub until: DateTime<Utc>,
    /// What became of it.
    pub outcome: GrabOutcome,
}

impl GrabOrder {
    /// True while units may still claim it.
    pub fn is_open(&self) -> bool {
        self.outcome == GrabOutcome::Open
    }
}

/// What became of a grab order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum GrabOutcome {
    /// Units may claim it.
    Open,
    /// A unit claimed it.
    Claimed {
        /// The unit.
        unit: UnitId,
        /// When.
        at: DateTime<Utc>,
    },
    /// The window closed with no claim: the platform assigns it, as a supervised matter.
    Unclaimed,
    /// The platform routed the case itself before anyone claimed it (指定派发).
    Withdrawn {
        /// When.
        at: DateTime<Utc>,
    },
}

/// A supervision notice (督办通知): a supervisor or platform tells the unit holding an open case to
/// act or explain within a deadline of its own, which the unit meets by answering.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Supervision {
    /// The unit that must answer (the holder when the notice was given).
    pub unit: UnitId,
    /// What it must do or explain.
    pub note: String,
    /// Who gave it (a login).
    pub by: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Working days to answer.
    pub days: u32,
    /// The answer, once given.
    pub answer: Option<SupervisionAnswer>,
}

/// The unit's answer to a supervision notice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupervisionAnswer {
    /// What the unit said.
    pub text: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// A recorded first contact with the requester.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    /// The unit that made it.
    pub unit: UnitId,
    /// The round.
    pub round: u8,
    /// When.
    pub at: DateTime<Utc>,
}

/// A unit's running record (kept beside the organisation, changed by `assess` and by a denied
/// return): what a monthly review (一事一考) reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct UnitRecord {
    /// Consecutive failed assessments.
    pub failed_assessments: u32,
    /// Accountability referrals made.
    pub referrals: Vec<Referral>,
    /// Returns the platform denied (不当退单): the case was the unit's to handle.
    #[serde(default)]
    pub denied_returns: Vec<CaseMark>,
    /// Cases chased while the unit held them (催办), at the time each chase fell due.
    #[serde(default)]
    pub chases: Vec<CaseMark>,
    /// Cases that entered the supervision pool while the unit held them (督办池).
    #[serde(default)]
    pub pooled: Vec<CaseMark>,
    /// Grab orders offered to the unit that nobody claimed (未认领抢单), at the window's close.
    #[serde(default)]
    pub unclaimed: Vec<CaseMark>,
    /// Repeat-complaint notices the unit received (重复投诉督办), when each was given.
    #[serde(default)]
    pub repeat_notices: Vec<CaseMark>,
    /// Look-back results (回头看) on its closed cases.
    #[serde(default)]
    pub lookbacks: Vec<crate::domain::lookback::LookbackMark>,
    /// Supervision notices it received (督办通知, by a supervisor or automatic), and when each was
    /// answered.
    #[serde(default)]
    pub notices: Vec<NoticeMark>,
}

/// A supervision notice counted on the record of the unit that received it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeMark {
    /// The case.
    pub case: CaseId,
    /// When the notice was given.
    pub at: DateTime<Utc>,
    /// When the unit answered it, once it has.
    pub answered_at: Option<DateTime<Utc>>,
}

impl UnitRecord {
    /// Counts a notice given now on `case`.
    pub fn notice_given(&mut self, case: &CaseId, at: DateTime<Utc>) {
        self.notices.push(NoticeMark {
            case: case.clone(),
            at,
            answered_at: None,
        });
    }

    /// Marks the unit's open notice on `case` answered at `at`.
    pub fn notice_answered(&mut self, case: &CaseId, at: DateTime<Utc>) {
        if let Some(n) = self
            .notices
            .iter_mut()
            .rev()
            .find(|n| &n.case == case && n.answered_at.is_none())
        {
            n.answered_at = Some(at);
        }
    }
}

/// A case counted on a unit's record, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseMark {
    /// The case.
    pub case: CaseId,
    /// When it was counted.
    pub at: DateTime<Utc>,
}
