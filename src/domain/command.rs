//! Lifecycle commands: the same words in the CLI (`jiban act`), on the board and on the wire.

use serde::{Deserialize, Serialize};

use super::case::{AssessmentOutcome, CaseId, Category, Kind, Resolution, Satisfaction};
use super::org::UnitId;

/// One lifecycle command on one case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "kebab-case")]
pub enum Command {
    /// 受理: classify and accept.
    Accept {
        /// Category.
        category: Category,
        /// Kind (livelihood).
        kind: Option<Kind>,
        /// Complex case (longer limit).
        #[serde(default)]
        complex: bool,
        /// A 2115 enterprise case handed down by the province (Qingdao's three clocks).
        #[serde(default)]
        province: bool,
        /// The kind of matter (事项分类), confirming or changing the one suggested at intake
        /// (none: keep it).
        #[serde(default)]
        matter: Option<String>,
    },
    /// 不受理: reject with one of the seven reasons.
    Reject {
        /// Reason 1..7.
        reason: u8,
        /// Note.
        note: String,
    },
    /// 转办: send to a unit.
    Dispatch {
        /// Target unit.
        to: UnitId,
    },
    /// Joint enforcement: a lead unit and supporting units.
    Joint {
        /// Lead unit (主责).
        lead: UnitId,
        /// Supporting units (配合).
        support: Vec<UnitId>,
        /// Working days, instead of the rules' limit.
        days: Option<u32>,
        /// Working days of each supporting unit's part (default: the case's).
        #[serde(default)]
        part_days: Option<u32>,
    },
    /// 签收: the holder signs for the case.
    Sign,
    /// 联系诉求人: the holder records its first contact with the requester (核实).
    Contact {
        /// What was said or agreed.
        note: String,
    },
    /// 2115 首次反馈: first feedback on a province enterprise case.
    Feedback {
        /// The feedback (初步办理情况).
        text: String,
    },
    /// 上报: pass one level up.
    Escalate {
        /// Note.
        note: Option<String>,
    },
    /// 退单: ask the platform to take the case back (needs explicit confirmation).
    Return {
        /// Reason.
        reason: String,
        /// The second, explicit confirmation.
        #[serde(default)]
        confirm: bool,
    },
    /// Platform approves a return.
    ApproveReturn,
    /// Platform denies a return.
    DenyReturn,
    /// 延期申请: ask for more working days.
    Extend {
        /// Working days.
        days: u32,
        /// Reason.
        reason: String,
    },
    /// Platform approves an extension.
    ApproveExtension,
    /// Platform denies an extension.
    DenyExtension,
    /// A supporting unit reports its part.
    Report {
        /// What it did.
        text: String,
    },
    /// 答复: the holder (lead) writes the reply.
    Reply {
        /// Result and the requester's facts.
        result: String,
        /// Policy basis.
        basis: String,
        /// Responsible person.
        person: String,
        /// Contact phone.
        phone: String,
    },
    /// 审核通过: approve the reply.
    ApproveReply,
    /// 退回: send the reply back to the unit.
    SendBack {
        /// Note.
        note: String,
    },
    /// 回访评价: record the requester's rating.
    Evaluate {
        /// Satisfaction.
        satisfaction: Satisfaction,
        /// Resolution.
        resolution: Resolution,
    },
    /// 履职评估: assess the unit after a failed round 2.
    Assess {
        /// Pass or fail.
        outcome: AssessmentOutcome,
        /// Note.
        note: Option<String>,
    },
    /// 督办: a supervision notice to the unit holding an open case, with its own answer deadline.
    Supervise {
        /// What the unit must do or explain.
        note: String,
        /// Working days to answer (default: the rules file's `supervision_days`).
        days: Option<u32>,
    },
    /// 督办回复: the holder answers the supervision notice.
    AnswerSupervision {
        /// The answer (what was done, by when the case will be finished).
        text: String,
    },
    /// 抢单发布: offer an accepted case to units for a window instead of dispatching it.
    Publish {
        /// The units it is offered to.
        to: Vec<UnitId>,
        /// Hours the window stays open (default: the rules file's `grab_hours`).
        hours: Option<u32>,
    },
    /// 抢单认领: claim a published case for the operator's unit (or `unit`, for a trainer).
    Claim {
        /// The unit claiming (default: the operator's).
        unit: Option<UnitId>,
    },
    /// 关联: confirm a suggested link to an earlier case of the same matter, or link one by hand.
    Link {
        /// The earlier case.
        case: CaseId,
    },
    /// 取消关联: remove a link that is not the same matter.
    Unlink {
        /// The linked case.
        case: CaseId,
    },
    /// 并案: merge this new duplicate into an open case of the same matter.
    Merge {
        /// The open case.
        into: CaseId,
    },
    /// 回头看: the re-visit of a closed case drawn for a look-back.
    Lookback {
        /// What the re-visit found.
        outcome: crate::domain::lookback::LookbackOutcome,
        /// What the supervisor noted.
        note: String,
    },
}

/// The command words that are **decisions** (决定): they end a case at intake, decide on a
/// request another unit made, release or refuse another unit's reply, or judge — the citizen's
/// rating, a unit's assessment, a supervision notice — and a return, which hands a case back (and by the rules needs an
/// explicit second confirmation). Everything else is a step of one's own work. The board asks
/// before every decision, and only before a decision; the CLI takes the command as the decision.
pub const DECISIONS: &[&str] = &[
    "reject",
    "return",
    "approve-return",
    "deny-return",
    "approve-extension",
    "deny-extension",
    "approve-reply",
    "send-back",
    "evaluate",
    "assess",
    "supervise",
    "merge",
    "lookback",
];

impl Command {
    /// The command word (`accept`, `approve-reply`, …).
    pub fn name(&self) -> &'static str {
        match self {
            Command::Accept { .. } => "accept",
            Command::Reject { .. } => "reject",
            Command::Dispatch { .. } => "dispatch",
            Command::Joint { .. } => "joint",
            Command::Sign => "sign",
            Command::Contact { .. } => "contact",
            Command::Feedback { .. } => "feedback",
            Command::Escalate { .. } => "escalate",
            Command::Return { .. } => "return",
            Command::ApproveReturn => "approve-return",
            Command::DenyReturn => "deny-return",
            Command::Extend { .. } => "extend",
            Command::ApproveExtension => "approve-extension",
            Command::DenyExtension => "deny-extension",
            Command::Report { .. } => "report",
            Command::Reply { .. } => "reply",
            Command::ApproveReply => "approve-reply",
            Command::SendBack { .. } => "send-back",
            Command::Evaluate { .. } => "evaluate",
            Command::Assess { .. } => "assess",
            Command::Supervise { .. } => "supervise",
            Command::AnswerSupervision { .. } => "answer-supervision",
            Command::Publish { .. } => "publish",
            Command::Claim { .. } => "claim",
            Command::Link { .. } => "link",
            Command::Unlink { .. } => "unlink",
            Command::Merge { .. } => "merge",
            Command::Lookback { .. } => "lookback",
        }
    }
}

/// Every command word, in lifecycle order (for help and completion).
pub const COMMAND_WORDS: &[&str] = &[
    "accept",
    "reject",
    "link",
    "unlink",
    "merge",
    "dispatch",
    "joint",
    "publish",
    "claim",
    "sign",
    "escalate",
    "return",
    "approve-return",
    "deny-return",
    "extend",
    "approve-extension",
    "deny-extension",
    "report",
    "reply",
    "contact",
    "feedback",
    "approve-reply",
    "send-back",
    "evaluate",
    "assess",
    "supervise",
    "answer-supervision",
    "lookback",
];
