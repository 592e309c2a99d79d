//! The workflow panels' phrases (confirmations, previews, validation), in Chinese and English.

use super::Lang;
use crate::domain::chasing::{ChaseLevel, Mark};
use crate::domain::deadlines::{ClockKind, StageClock};

impl Lang {
    /// A clock's short name for the queue's countdown column and the detail: 受理 联系 办理 审核
    /// 回访 反馈 配合, or 2115 for a province case's clocks.
    pub fn clock(self, c: &StageClock) -> &'static str {
        if c.province {
            return "2115";
        }
        self.clock_kind(c.kind)
    }

    /// The header's notice from 1 December while next year's holiday calendar is missing.
    pub fn calendar_missing(self, year: i32, provisional: u32) -> String {
        match self {
            Lang::Zh => format!("{year}年节假日安排未导入 · 跨年期限暂定 {provisional}"),
            Lang::En => {
                format!("{year} holidays not imported · provisional deadlines {provisional}")
            }
        }
    }

    /// A clock kind's name for the detail: 受理 … in Chinese, whole words in English.
    pub fn clock_name(self, k: ClockKind) -> &'static str {
        match self {
            Lang::Zh => self.clock_kind(k),
            Lang::En => match k {
                ClockKind::Triage => "triage",
                ClockKind::Contact => "contact",
                ClockKind::Handling => "handling",
                ClockKind::Review => "review",
                ClockKind::Callback => "callback",
                ClockKind::Feedback => "feedback",
                ClockKind::Part => "part",
                ClockKind::Supervision => "supervision",
            },
        }
    }

    /// A clock kind's short name (the queue's countdown column).
    pub fn clock_kind(self, k: ClockKind) -> &'static str {
        let (zh, en) = match k {
            ClockKind::Triage => ("受理", "TRI"),
            ClockKind::Contact => ("联系", "CON"),
            ClockKind::Handling => ("办理", "HDL"),
            ClockKind::Review => ("审核", "REV"),
            ClockKind::Callback => ("回访", "CBK"),
            ClockKind::Feedback => ("反馈", "FBK"),
            ClockKind::Part => ("配合", "PRT"),
            ClockKind::Supervision => ("督办", "SUP"),
        };
        self.pick(zh, en)
    }

    /// A chasing level's name for the history: 催办, 入督办池.
    pub fn chase_level(self, level: ChaseLevel) -> &'static str {
        let (zh, en) = match level {
            ChaseLevel::None => ("", ""),
            ChaseLevel::Chased => ("催办", "chased"),
            ChaseLevel::Pooled => ("入督办池", "into the supervision pool"),
        };
        self.pick(zh, en)
    }

    /// A queue's one-character mark (催 / 督 / 池; C / S / P in English).
    pub fn mark(self, mark: Mark) -> &'static str {
        let (zh, en) = crate::vocabulary::mark_words(mark);
        self.pick(zh, en)
    }

    /// Why two cases are linked, for the detail: 同一电话 / 同一地址 / 人工关联.
    pub fn link_reason(self, r: crate::domain::repeat::LinkReason) -> &'static str {
        use crate::domain::repeat::LinkReason;
        self.says(match r {
            LinkReason::Phone => "link_phone",
            LinkReason::Address => "link_address",
            LinkReason::Manual => "link_manual",
        })
    }

    /// A look-back's finding: 办结属实 / 虚假办结 / 被满意.
    pub fn lookback_outcome(self, o: crate::domain::lookback::LookbackOutcome) -> &'static str {
        use crate::domain::lookback::LookbackOutcome;
        let (zh, en) = match o {
            LookbackOutcome::Held => ("办结属实", "held"),
            LookbackOutcome::FalseClosure => ("虚假办结", "false closure"),
            LookbackOutcome::Pressured => ("被满意", "pressed into satisfied"),
        };
        self.pick(zh, en)
    }

    /// The queue's mark of a case open to claim (抢; G in English).
    pub fn grab_mark(self) -> &'static str {
        self.pick("抢", "G")
    }

    /// A workflow phrase by key; the key itself when unknown (a test catches that).
    pub fn says(self, key: &str) -> &'static str {
        let (zh, en) = match key {
            "confirm_footer" => ("y 确认 · n 或 Esc 返回", "y confirm · n or Esc go back"),
            "confirm_step" => ("确认", "confirmation"),
            "return_first" => (
                "退单：案件交回平台，由平台同意后重新派单。",
                "Return: the case goes back to the platform, which decides and routes it again.",
            ),
            "return_second" => (
                "再次确认：首接负责，原则上不得退单；确属非本单位职责，再按 y 申请退单。",
                "Second confirmation: the first receiver handles in principle; press y again only \
                 if the case is truly not yours.",
            ),
            "will" => ("将：", "Will: "),
            "will_close" => ("办结", "close the case"),
            "will_second_round" => (
                "进入二次办理，回到平台重新派单",
                "start a second round, back to the platform to route again",
            ),
            "will_assess" => ("对承办单位履职评估", "assess the handling unit"),
            "will_reject" => ("不受理", "not accept"),
            "will_return" => (
                "申请退单，等待平台审批",
                "ask to return, for the platform to decide",
            ),
            "will_forward" => ("审核通过，转", "approve, and pass to"),
            "will_evaluate" => ("审核通过，进入回访评价", "approve; the callback comes next"),
            "will_pass" => (
                "评估通过，连续未通过次数清零",
                "pass; the run of failures ends",
            ),
            "will_fail" => ("评估未通过，连续未通过", "fail; failures in a row:"),
            "will_refer" => (
                "问责移交纪检监察和组织部门",
                "refer for accountability (问责移交)",
            ),
            "limit" => ("时限", "limit"),
            "due" => ("期限", "due"),
            "due_if_approved" => ("批准后期限", "due if approved"),
            "days" => ("个工作日", "working days"),
            "provisional" => ("（暂定）", " (provisional)"),
            "because_keyword" => ("关键词", "keyword"),
            "because_community" => (
                "诉求人所在社区（民生诉求先到社区）",
                "the requester's community (livelihood goes there first)",
            ),
            "because_locality" => ("属地街道", "the locality's street"),
            "because_named" => ("地址或诉求中提到", "named in the address or text"),
            "draft_kept" => (
                "已保留草稿，再次打开即恢复",
                "draft kept; opening the form again restores it",
            ),
            "draft_restored" => ("已恢复草稿", "draft restored"),
            "no_job_control" => (
                "无法挂起：本看板不是由支持作业控制的 shell 启动的（先进入 shell 再运行 jiban board）",
                "cannot suspend: no shell with job control started this board (run jiban board from a shell)",
            ),
            "denied_returns" => ("不当退单", "denied returns"),
            "chases" => ("催办", "chased"),
            "pooled" => ("入督办池", "pooled"),
            "unclaimed" => ("未认领抢单", "unclaimed grab orders"),
            "repeat_notices" => ("重复投诉督办", "repeat-complaint notices"),
            "linked" => ("关联", "linked"),
            "repeat" => ("重复", "repeat"),
            "unconfirmed" => ("待确认", "to confirm"),
            "merged_into" => ("已并入", "merged into"),
            "merged_in" => ("并案", "merged in"),
            "link_phone" => ("同一电话", "same phone"),
            "link_address" => ("同一地址", "same address"),
            "link_manual" => ("人工关联", "by hand"),
            "lookbacks" => ("回头看", "look-backs"),
            "lookback_drawn" => ("回头看待回访", "look-back: to re-visit"),
            "reopened" => ("重新办理", "reopened"),
            "will_supervise" => ("督办通知发往", "supervision notice to"),
            "acting_as" => ("现以此身份操作：", "now acting as"),
            "usage_sample" => (
                ":sample 2026-10 [单位] — 抽取该月回头看样本（默认本单位）",
                ":sample 2026-10 [UNIT] — draw the month's look-back sample (default: your unit)",
            ),
            "sampled" => ("回头看抽样", "look-back drawn"),
            "sampled_before" => ("此前已抽", "drawn before"),
            "usage_as" => (
                ":as 登录名 — 培训师切换操作身份（保留当前视图）",
                ":as LOGIN — a trainer acts as another login (the view stays)",
            ),
            "outcome_closed" => ("办结", "close"),
            "outcome_second" => ("二次办理", "2nd round"),
            "outcome_assess" => ("履职评估", "assessment"),
            "required" => ("必填", "required"),
            "bad_phone" => (
                "不像有效电话：7-12 位数字，如 13853212345 或 0532-88886666",
                "not a plausible phone: 7 to 12 digits, e.g. 13853212345 or 0532-88886666",
            ),
            "bad_days" => ("须为正整数（工作日）", "a whole number of working days"),
            "panel_footer" => (
                "Tab/Enter 下一项 · ←→ 选择 · Ctrl-S 提交 · Esc 关闭（保留草稿）",
                "Tab/Enter next · ←→ choose · Ctrl-S submit · Esc close (draft kept)",
            ),
            "picks_title" => (
                "可选单位 · ↑↓ 选择 · Enter 选定",
                "Units · ↑↓ choose · Enter takes it",
            ),
            "suggested_title" => (
                "建议（责任清单与所在社区）· ↑↓ 选择 · Enter 选定",
                "Suggested (responsibility list, community) · ↑↓ choose · Enter takes it",
            ),
            "no_picks" => ("没有可派往的匹配单位", "no unit the case may go to matches"),
            "reasons_title" => (
                "不受理理由（七类，←→ 或数字选择）",
                "The seven reasons for not accepting (←→ or a digit)",
            ),
            "grid_title" => (
                "满意度 × 解决情况 → 结果",
                "satisfaction × resolution → outcome",
            ),
            "pass" => ("通过", "pass"),
            "fail" => ("未通过", "fail"),
            "yes" => ("是", "yes"),
            "no" => ("否", "no"),
            "none" => ("—", "—"),
            "failures_in_a_row" => ("连续未通过评估", "failed assessments in a row"),
            "referrals" => ("问责移交", "referrals"),
            "round_reply" => ("答复", "reply"),
            "waiting" => ("待反馈", "waiting"),
            "reported" => ("已反馈", "reported"),
            "will_send" => ("转办", "send to"),
            "will_escalate" => ("上报", "pass up to"),
            "will_take_back" => ("同意退单，案件回到", "approve: the case goes back to"),
            "will_deny" => (
                "驳回申请，原单位继续办理",
                "deny: the unit goes on handling it",
            ),
            "will_review" => ("提交审核：", "send for review to"),
            "will_send_back" => ("退回重办：", "send back to"),
            "pending_days" => ("申请延期", "asks for"),
            "view_requests" => ("待审批", "Requests"),
            "days_default" => ("留空按规则时限", "empty: the rules' limit"),
            _ => return "",
        };
        self.pick(zh, en)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_phrase_is_in_both_languages() {
        for key in [
            "confirm_footer",
            "confirm_step",
            "return_first",
            "return_second",
            "will",
            "will_close",
            "will_second_round",
            "will_assess",
            "will_reject",
            "will_return",
            "will_forward",
            "will_evaluate",
            "will_pass",
            "will_fail",
            "will_refer",
            "limit",
            "due",
            "due_if_approved",
            "days",
            "provisional",
            "will_send",
            "will_escalate",
            "will_take_back",
            "will_deny",
            "will_review",
            "will_send_back",
            "pending_days",
            "view_requests",
            "days_default",
            "because_keyword",
            "because_community",
            "because_locality",
            "because_named",
            "draft_kept",
            "draft_restored",
            "acting_as",
            "will_supervise",
            "denied_returns",
            "chases",
            "pooled",
            "unclaimed",
            "repeat_notices",
            "linked",
            "repeat",
            "unconfirmed",
            "merged_into",
            "merged_in",
            "link_phone",
            "link_address",
            "link_manual",
            "lookbacks",
            "lookback_drawn",
            "reopened",
            "no_job_control",
            "usage_as",
            "usage_sample",
            "sampled",
            "sampled_before",
            "outcome_closed",
            "outcome_second",
            "outcome_assess",
            "required",
            "bad_phone",
            "bad_days",
            "panel_footer",
            "picks_title",
            "suggested_title",
            "no_picks",
            "reasons_title",
            "grid_title",
            "pass",
            "fail",
            "yes",
            "no",
            "none",
            "failures_in_a_row",
            "referrals",
            "round_reply",
            "waiting",
            "reported",
        ] {
            assert!(!Lang::Zh.says(key).is_empty(), "{key}");
            assert!(!Lang::En.says(key).is_empty(), "{key}");
        }
    }
}
