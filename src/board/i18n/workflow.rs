//! The workflow panels' phrases (confirmations, previews, validation), in Chinese and English.

use super::Lang;

impl Lang {
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
        ] {
            assert!(!Lang::Zh.says(key).is_empty(), "{key}");
            assert!(!Lang::En.says(key).is_empty(), "{key}");
        }
    }
}
