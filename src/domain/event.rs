//! What happened to a case: one history entry per committed command (append-only).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::case::{
    AssessmentOutcome, CaseId, Category, Channel, Kind, Referral, Reply, Resolution, Satisfaction,
};
use super::org::UnitId;

/// Where an evaluation sent the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvaluationOutcome {
    /// 办结.
    Closed,
    /// 二次办理.
    SecondRound,
    /// 履职评估.
    Assessment,
}

/// One fact in a case's history. Serialised with an `action` tag named after the command word.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum Event {
    /// The case came in.
    Intake {
        /// Channel.
        channel: Channel,
        /// 12345 work-order number.
        external_id: Option<String>,
        /// Earlier cases of the same matter, suggested (重复投诉).
        #[serde(default)]
        links: Vec<super::repeat::Link>,
        /// The answer deadline of the repeat notice this case's matter made, if it made one.
        #[serde(default)]
        repeat_notice: Option<DateTime<Utc>>,
    },
    /// 受理.
    Accept {
        /// Category.
        category: Category,
        /// Kind.
        kind: Option<Kind>,
        /// Complex.
        complex: bool,
        /// Working days allowed.
        limit_days: u32,
        /// Deadline.
        due_at: DateTime<Utc>,
        /// The kind of matter set at acceptance (事项分类; none when it was left as suggested).
        #[serde(default)]
        matter: Option<String>,
    },
    /// 不受理.
    Reject {
        /// Reason code.
        reason: u8,
        /// Note.
        note: String,
    },
    /// 转办.
    Dispatch {
        /// From which platform.
        from: UnitId,
        /// To which unit.
        to: UnitId,
        /// Deadline (set anew on a round-2 dispatch).
        due_at: Option<DateTime<Utc>>,
    },
    /// Joint enforcement assignment.
    Joint {
        /// Lead.
        lead: UnitId,
        /// Supporting units.
        support: Vec<UnitId>,
        /// Working days allowed.
        limit_days: u32,
        /// Deadline.
        due_at: Option<DateTime<Utc>>,
    },
    /// 签收.
    Sign {
        /// The unit that signed.
        unit: UnitId,
    },
    /// 联系诉求人: first contact recorded.
    Contact {
        /// The unit.
        unit: UnitId,
        /// Note.
        note: String,
    },
    /// 2115 首次反馈.
    Feedback {
        /// The unit.
        unit: UnitId,
        /// Text.
        text: String,
    },
    /// 期限重算: a new calendar version moved the case's deadlines.
    Recompute {
        /// The calendar year.
        year: i32,
        /// Its version in the store.
        version: u32,
        /// Each clock that moved.
        moved: Vec<MovedClock>,
    },
    /// 上报.
    Escalate {
        /// From.
        from: UnitId,
        /// To.
        to: UnitId,
        /// Note.
        note: Option<String>,
    },
    /// 退单 requested.
    Return {
        /// The unit.
        unit: UnitId,
        /// Reason.
        reason: String,
    },
    /// Return approved: back to triage.
    ApproveReturn {
        /// The platform that takes it back.
        to: UnitId,
    },
    /// Return denied.
    DenyReturn,
    /// 延期 requested.
    Extend {
        /// The unit.
        unit: UnitId,
        /// Working days.
        days: u32,
        /// Reason.
        reason: String,
    },
    /// Extension approved.
    ApproveExtension {
        /// Days added.
        days: u32,
        /// New deadline.
        due_at: Option<DateTime<Utc>>,
    },
    /// Extension denied.
    DenyExtension,
    /// A supporting unit's part.
    Report {
        /// The unit.
        unit: UnitId,
        /// Text.
        text: String,
    },
    /// 答复.
    Reply {
        /// The reply.
        reply: Reply,
        /// The platform that reviews it.
        reviewer: UnitId,
    },
    /// 审核通过.
    ApproveReply {
        /// The platform that approved.
        platform: UnitId,
        /// Where the case went (the district platform's review, or evaluation).
        next: UnitId,
    },
    /// Reply sent back.
    SendBack {
        /// Note.
        note: String,
        /// The unit it went back to.
        to: UnitId,
    },
    /// 回访评价.
    Evaluate {
        /// Satisfaction.
        satisfaction: Satisfaction,
        /// Resolution.
        resolution: Resolution,
        /// What it led to.
        outcome: EvaluationOutcome,
    },
    /// 履职评估.
    Assess {
        /// The unit.
        unit: UnitId,
        /// Outcome.
        outcome: AssessmentOutcome,
        /// Note.
        note: Option<String>,
        /// Consecutive failures after this one.
        failed_in_a_row: u32,
        /// The referral made, if any (问责移交).
        referral: Option<Referral>,
    },
    /// 督办: a supervision notice to the unit holding the case.
    Supervise {
        /// The unit that must answer.
        unit: UnitId,
        /// What it must do or explain.
        note: String,
        /// Working days to answer.
        days: u32,
        /// The answer's deadline.
        due_at: DateTime<Utc>,
    },
    /// 督办回复: the unit's answer to the supervision notice.
    AnswerSupervision {
        /// The unit.
        unit: UnitId,
        /// The answer.
        text: String,
    },
    /// 抢单发布: the platform offers the case to units for a window.
    Publish {
        /// The units.
        units: Vec<UnitId>,
        /// When the window closes.
        until: DateTime<Utc>,
    },
    /// 抢单认领: a unit claims a published case, which it now handles.
    Claim {
        /// The unit.
        unit: UnitId,
        /// The handling deadline.
        due_at: Option<DateTime<Utc>>,
    },
    /// 抢单超时: the window closed with no claim; the platform assigns the case (督办事项).
    GrabClosed {
        /// The units it was offered to.
        units: Vec<UnitId>,
    },
    /// 催办 / 入督办池: a time-driven step, recorded at the time it fell due.
    Chase {
        /// The level reached.
        level: super::chasing::ChaseLevel,
        /// The unit holding the case.
        unit: UnitId,
        /// The clock that ran out.
        clock: super::deadlines::ClockKind,
        /// When that clock ran out.
        late_since: DateTime<Utc>,
    },
    /// 关联: a link to an earlier case of the same matter, confirmed or made by hand.
    Link {
        /// The earlier case.
        linked: CaseId,
        /// Why (a confirmed suggestion keeps its reason; `manual` otherwise).
        reason: super::repeat::LinkReason,
        /// The matter's complaints now.
        complaints: u32,
        /// The answer deadline of the repeat notice this link made, if it made one.
        #[serde(default)]
        repeat_notice: Option<DateTime<Utc>>,
    },
    /// 取消关联: a link removed.
    Unlink {
        /// The case no longer linked.
        linked: CaseId,
        /// The matter's complaints now.
        complaints: u32,
    },
    /// 并案: this case was merged into an open one.
    Merge {
        /// The open case.
        into: CaseId,
        /// The waiting repeat notice moved with it to the open case.
        #[serde(default)]
        notice_moved: bool,
    },
    /// 并案: a case was merged into this one; its requester gets this case's reply.
    MergedIn {
        /// The merged case.
        merged: CaseId,
    },
    /// 回头看抽样: the closed case was drawn for a month's look-back.
    LookbackDrawn {
        /// The month (`2026-10`).
        month: String,
        /// The unit whose case it is.
        unit: UnitId,
        /// The draw's seed (the same seed draws the same cases).
        seed: u64,
    },
    /// 回头看: the re-visit's result; a false closure or a pressed rating reopens the case.
    Lookback {
        /// What it found.
        outcome: super::lookback::LookbackOutcome,
        /// The supervisor's note.
        note: String,
        /// The unit whose case it is.
        unit: UnitId,
        /// The case was reopened in round 2.
        reopened: bool,
    },
}

impl Event {
    /// The action word, as in the history's `action` field.
    pub fn action(&self) -> &'static str {
        match self {
            Event::Intake { .. } => "intake",
            Event::Accept { .. } => "accept",
            Event::Reject { .. } => "reject",
            Event::Dispatch { .. } => "dispatch",
            Event::Joint { .. } => "joint",
            Event::Sign { .. } => "sign",
            Event::Contact { .. } => "contact",
            Event::Feedback { .. } => "feedback",
            Event::Recompute { .. } => "recompute",
            Event::Escalate { .. } => "escalate",
            Event::Return { .. } => "return",
            Event::ApproveReturn { .. } => "approve-return",
            Event::DenyReturn => "deny-return",
            Event::Extend { .. } => "extend",
            Event::ApproveExtension { .. } => "approve-extension",
            Event::DenyExtension => "deny-extension",
            Event::Report { .. } => "report",
            Event::Reply { .. } => "reply",
            Event::ApproveReply { .. } => "approve-reply",
            Event::SendBack { .. } => "send-back",
            Event::Evaluate { .. } => "evaluate",
            Event::Assess { .. } => "assess",
            Event::Supervise { .. } => "supervise",
            Event::AnswerSupervision { .. } => "answer-supervision",
            Event::Chase { .. } => "chase",
            Event::Publish { .. } => "publish",
            Event::Claim { .. } => "claim",
            Event::GrabClosed { .. } => "grab-closed",
            Event::Link { .. } => "link",
            Event::Unlink { .. } => "unlink",
            Event::Merge { .. } => "merge",
            Event::MergedIn { .. } => "merged-in",
            Event::LookbackDrawn { .. } => "lookback-drawn",
            Event::Lookback { .. } => "lookback",
        }
    }
}

/// One clock whose deadline a new calendar moved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MovedClock {
    /// Which clock.
    pub kind: super::deadlines::ClockKind,
    /// The deadline before.
    pub from: DateTime<Utc>,
    /// The deadline now.
    pub to: DateTime<Utc>,
}

/// One entry of a case's history: who did what, when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The case.
    pub case: CaseId,
    /// Position in the case's history: 1 for intake, +1 per command; the case version after it.
    pub seq: u64,
    /// When (UTC).
    pub at: DateTime<Utc>,
    /// The operator's login.
    pub by: String,
    /// What happened.
    #[serde(flatten)]
    pub event: Event,
}
