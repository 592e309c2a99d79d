//! Every string the board shows, in Simplified Chinese (the default) and English, in one place.

use serde::{Deserialize, Serialize};

mod actions;
mod reports;
mod storage;
mod workflow;

pub use actions::describe;

use crate::domain::case::{Category, Channel, Kind, Resolution, Satisfaction, Stage};
use crate::domain::light::Light;
use crate::domain::org::Level;
use crate::domain::users::Role;

/// The board's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Lang {
    /// 简体中文.
    #[default]
    #[serde(rename = "zh-CN", alias = "zh")]
    Zh,
    /// English.
    #[serde(rename = "en")]
    En,
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Lang, String> {
        match s.to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh_cn" | "cn" => Ok(Lang::Zh),
            "en" | "en-us" | "en-gb" | "english" => Ok(Lang::En),
            _ => Err(format!("unknown language {s:?} (expected zh-CN or en)")),
        }
    }
}

/// The fixed strings of the board in one language.
#[derive(Debug)]
pub struct Text {
    /// The product's name.
    pub product: &'static str,
    /// Marks a simulated clock.
    pub simulated: &'static str,
    /// The open cases label.
    pub open: &'static str,
    /// Tree pane title.
    pub tree: &'static str,
    /// Queue pane title.
    pub queue: &'static str,
    /// Detail pane title.
    pub detail: &'static str,
    /// The department group of the city.
    pub city_departments: &'static str,
    /// The department group of a district.
    pub district_departments: &'static str,
    /// Column: light.
    pub col_light: &'static str,
    /// Column: countdown.
    pub col_left: &'static str,
    /// Column: id.
    pub col_id: &'static str,
    /// Column: category.
    pub col_category: &'static str,
    /// Column: title.
    pub col_title: &'static str,
    /// Column: holder.
    pub col_holder: &'static str,
    /// Column: stage.
    pub col_stage: &'static str,
    /// Column: round.
    pub col_round: &'static str,
    /// The queue's supervision-mark column header.
    pub col_mark: &'static str,
    /// The mark on a second-round case.
    pub round2_mark: &'static str,
    /// The mark on a unit with an accountability referral (问责移交).
    pub referral_mark: &'static str,
    /// An empty queue.
    pub no_cases: &'static str,
    /// No case selected.
    pub no_case_selected: &'static str,
    /// Views: by level.
    pub view_level: &'static str,
    /// Views: by department.
    pub view_department: &'static str,
    /// Views: overdue and yellow.
    pub view_night: &'static str,
    /// Views: my unit.
    pub view_mine: &'static str,
    /// Views: search.
    pub view_search: &'static str,
    /// Views: requests waiting for a decision.
    pub view_requests: &'static str,
    /// The supervision view's name.
    pub view_supervision: &'static str,
    /// The grab-order view's name.
    pub view_grab: &'static str,
    /// The reports view's name.
    pub view_reports: &'static str,
    /// Sort: by due time.
    pub sort_due: &'static str,
    /// Sort: by received time.
    pub sort_received: &'static str,
    /// Sort: by light.
    pub sort_light: &'static str,
    /// Prompt: filter.
    pub prompt_filter: &'static str,
    /// Prompt: command.
    pub prompt_command: &'static str,
    /// Prompt: unit.
    pub prompt_unit: &'static str,
    /// Prompt: search.
    pub prompt_search: &'static str,
    /// Filter indicator.
    pub filtered: &'static str,
    /// Help overlay title.
    pub help_title: &'static str,
    /// Help overlay footer.
    pub help_footer: &'static str,
    /// Help: the keys in prompts.
    pub help_prompt_keys: &'static str,
    /// The terminal is too small.
    pub enlarge: &'static str,
    /// Quit with a form open.
    pub confirm_quit: &'static str,
    /// Marks the bell as on in the queue title.
    pub bell_mark: &'static str,
    /// Bell on.
    pub bell_on: &'static str,
    /// Bell off.
    pub bell_off: &'static str,
    /// A command was done.
    pub done: &'static str,
    /// A command was refused.
    pub refused: &'static str,
    /// Not found.
    pub not_found: &'static str,
    /// No case selected for a command.
    pub select_a_case: &'static str,
    /// The read model was rebuilt after falling behind.
    pub resynced: &'static str,
    /// Status while the open cases load, before the count.
    pub loading: &'static str,
    /// Status once they have.
    pub loaded: &'static str,
    /// The banner while the server cannot be reached.
    pub disconnected: &'static str,
    /// The link to the server came back.
    pub reconnected: &'static str,
    /// Unit matches in the jump prompt.
    pub matches: &'static str,
    /// How to use `:sort`.
    pub usage_sort: &'static str,
    /// Usage of `:stage`.
    pub usage_stage: &'static str,
    /// How to use `:view`.
    pub usage_view: &'static str,
    /// Usage of `:period`.
    pub usage_period: &'static str,
    /// A `:` line with an unclosed quote.
    pub unclosed_quote: &'static str,
    /// Before the responsibility list's suggestions in a form.
    pub suggested: &'static str,
    /// The form's footer.
    pub form_footer: &'static str,
    /// Footer hint in normal mode.
    pub footer_hint: &'static str,
    /// The help overlay's heading of the selected case's actions.
    pub help_case_actions: &'static str,
    /// The actions menu's title.
    pub menu_title: &'static str,
    /// The actions menu's footer.
    pub menu_footer: &'static str,
    /// The operator may do nothing on the selected case.
    pub no_actions: &'static str,
    /// A command the operator may not issue on the case now.
    pub not_offered: &'static str,
    /// Detail labels, in display order of use.
    pub label: Labels,
}

/// Labels of the detail pane.
#[derive(Debug)]
pub struct Labels {
    /// Stage.
    pub stage: &'static str,
    /// Round.
    pub round: &'static str,
    /// Holder.
    pub holder: &'static str,
    /// Platform.
    pub district: &'static str,
    /// Channel.
    pub channel: &'static str,
    /// Category.
    pub category: &'static str,
    /// Complex.
    pub complex: &'static str,
    /// Requester.
    pub requester: &'static str,
    /// Address.
    pub address: &'static str,
    /// Work-order number.
    pub external_id: &'static str,
    /// Received.
    pub received: &'static str,
    /// Accepted.
    pub accepted: &'static str,
    /// Due.
    pub due: &'static str,
    /// Provisional deadline.
    pub provisional: &'static str,
    /// Lead unit.
    pub lead: &'static str,
    /// Supporting unit.
    pub supporting: &'static str,
    /// Waiting for a supporting unit.
    pub waiting: &'static str,
    /// A pending request.
    pub pending: &'static str,
    /// Return request.
    pub pending_return: &'static str,
    /// Extension request.
    pub pending_extension: &'static str,
    /// Reply.
    pub reply: &'static str,
    /// Basis.
    pub basis: &'static str,
    /// Responsible person.
    pub person: &'static str,
    /// Rating.
    pub evaluation: &'static str,
    /// Assessment.
    pub assessment: &'static str,
    /// Referral.
    pub referral: &'static str,
    /// Reject reason.
    pub reject_reason: &'static str,
    /// Description.
    pub description: &'static str,
    /// History.
    pub history: &'static str,
    /// Days.
    pub days: &'static str,
}

const ZH: Text = Text {
    product: "即办",
    simulated: "模拟",
    open: "在办",
    tree: "组织",
    queue: "队列",
    detail: "详情",
    city_departments: "市直部门",
    district_departments: "区直部门",
    col_light: "灯",
    col_left: "剩余",
    col_id: "编号",
    col_category: "类别",
    col_title: "标题",
    col_holder: "承办",
    col_stage: "阶段",
    col_round: "轮",
    col_mark: "督",
    round2_mark: "②",
    referral_mark: "问责",
    no_cases: "没有案件",
    no_case_selected: "未选择案件",
    view_level: "层级",
    view_department: "部门",
    view_night: "超期/黄灯",
    view_mine: "本单位",
    view_search: "搜索",
    view_requests: "待审批",
    view_supervision: "督办",
    view_grab: "可抢",
    view_reports: "报表",
    sort_due: "按期限",
    sort_received: "按收件",
    sort_light: "按灯色",
    prompt_filter: "筛选",
    prompt_command: "命令",
    prompt_unit: "跳转单位",
    prompt_search: "搜索",
    filtered: "筛选",
    help_title: "帮助：按键",
    help_footer: "按 ? 或 Esc 关闭",
    help_prompt_keys: "输入框内：Enter 确认 · Esc 取消 · ↑↓ 选择 · Tab 下一项",
    enlarge: "终端太小，请放大到至少 80×23",
    confirm_quit: "表单尚未提交，确定退出？(y/n)",
    bell_mark: "响铃",
    bell_on: "新红灯响铃：开",
    bell_off: "新红灯响铃：关",
    done: "已执行",
    refused: "未执行",
    not_found: "未找到",
    select_a_case: "请先选择案件",
    resynced: "事件积压，已重建队列",
    loading: "正在载入待办案件",
    loaded: "待办案件已载入",
    disconnected: "与服务器断开 — 正在重连… 表单内容已保留",
    reconnected: "已重新连接，队列已刷新",
    matches: "匹配",
    usage_sort: "用法：:sort due | received | light",
    usage_stage: "用法：:stage 待受理 | 待签收 | 办理中 | 待审核 | 待回访 | 待评估 | all",
    usage_view:
        "用法：:view level | department | night | mine | requests | supervision | grab | reports | search",
    usage_period: "用法：:period day | week | month | quarter | year（日报 周报 月报 季报 年报）",
    unclosed_quote: "引号未闭合",
    suggested: "建议",
    form_footer: "Tab 下一项 · Enter 提交 · Esc 取消（单位可填名称）",
    footer_hint: "? 帮助 · a 办理 · / 筛选 · : 命令 · u 单位 · 1-8 视图 · q 退出",
    help_case_actions: "本案可办理（a 或 :命令）",
    menu_title: "办理",
    menu_footer: "↑↓ 选择 · Enter 或字母 打开 · Esc 关闭",
    no_actions: "本案当前没有你可办理的事项",
    not_offered: "本案当前不可由你办理",
    label: Labels {
        stage: "阶段",
        round: "轮次",
        holder: "承办单位",
        district: "所属平台",
        channel: "渠道",
        category: "类别",
        complex: "复杂",
        requester: "诉求人",
        address: "地址",
        external_id: "工单号",
        received: "收到",
        accepted: "受理",
        due: "期限",
        provisional: "暂定",
        lead: "主责",
        supporting: "配合",
        waiting: "待反馈",
        pending: "待审批",
        pending_return: "退单申请",
        pending_extension: "延期申请",
        reply: "答复",
        basis: "依据",
        person: "责任人",
        evaluation: "评价",
        assessment: "履职评估",
        referral: "问责移交",
        reject_reason: "不受理理由",
        description: "诉求内容",
        history: "办理记录",
        days: "天",
    },
};

const EN: Text = Text {
    product: "jiban",
    simulated: "simulated",
    open: "open",
    tree: "Units",
    queue: "Queue",
    detail: "Case",
    city_departments: "City departments",
    district_departments: "Departments",
    col_light: "L",
    col_left: "Left",
    col_id: "Id",
    col_category: "Cat.",
    col_title: "Title",
    col_holder: "Holder",
    col_stage: "Stage",
    col_round: "R",
    col_mark: "S",
    round2_mark: "②",
    referral_mark: "ref.",
    no_cases: "No cases",
    no_case_selected: "No case selected",
    view_level: "Level",
    view_department: "Departments",
    view_night: "Overdue/yellow",
    view_mine: "My unit",
    view_search: "Search",
    view_requests: "Requests",
    view_supervision: "Supervision",
    view_grab: "Grab",
    view_reports: "Reports",
    sort_due: "by due",
    sort_received: "by received",
    sort_light: "by light",
    prompt_filter: "Filter",
    prompt_command: "Command",
    prompt_unit: "Go to unit",
    prompt_search: "Search",
    filtered: "filter",
    help_title: "Help: keys",
    help_footer: "? or Esc to close",
    help_prompt_keys: "In prompts: Enter confirm · Esc cancel · ↑↓ choose · Tab next field",
    enlarge: "Terminal too small: enlarge it to at least 80×23",
    confirm_quit: "A form is not submitted. Quit anyway? (y/n)",
    bell_mark: "bell",
    bell_on: "Bell on new red: on",
    bell_off: "Bell on new red: off",
    done: "Done",
    refused: "Refused",
    not_found: "Not found",
    select_a_case: "Select a case first",
    resynced: "Fell behind the events; queue rebuilt",
    loading: "Loading open cases",
    loaded: "Open cases loaded",
    disconnected: "disconnected — reconnecting… your forms are kept",
    reconnected: "Reconnected; queue refreshed",
    matches: "matches",
    usage_sort: "usage: :sort due | received | light",
    usage_stage:
        "usage: :stage triage | assigned | handling | review | evaluation | assessment | all",
    usage_view:
        "usage: :view level | department | night | mine | requests | supervision | grab | reports | search",
    usage_period: "usage: :period day | week | month | quarter | year",
    unclosed_quote: "unclosed quote",
    suggested: "suggested:",
    form_footer: "Tab next field · Enter submit · Esc cancel (units by name or id)",
    footer_hint: "? help · a act · / filter · : command · u unit · 1-8 views · q quit",
    help_case_actions: "This case: you may (a, or :command)",
    menu_title: "Act",
    menu_footer: "↑↓ choose · Enter or the letter opens · Esc closes",
    no_actions: "Nothing on this case is yours to do now",
    not_offered: "not yours to do on this case now",
    label: Labels {
        stage: "Stage",
        round: "Round",
        holder: "Holder",
        district: "Platform",
        channel: "Channel",
        category: "Category",
        complex: "complex",
        requester: "Requester",
        address: "Address",
        external_id: "Work order",
        received: "Received",
        accepted: "Accepted",
        due: "Due",
        provisional: "provisional",
        lead: "Lead",
        supporting: "Supporting",
        waiting: "waiting",
        pending: "Pending",
        pending_return: "return request",
        pending_extension: "extension request",
        reply: "Reply",
        basis: "Basis",
        person: "Person",
        evaluation: "Rating",
        assessment: "Assessment",
        referral: "Referral",
        reject_reason: "Not accepted",
        description: "Description",
        history: "History",
        days: "d",
    },
};

impl Lang {
    /// The fixed strings.
    pub fn text(self) -> &'static Text {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    /// The Chinese or the English of a pair (unit names, platform names, fixed strings).
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// A round's name: 第1轮, Round 1.
    pub fn round_name(self, n: u8) -> String {
        match self {
            Lang::Zh => format!("第{n}轮"),
            Lang::En => format!("Round {n}"),
        }
    }

    /// A light's name.
    pub fn light(self, l: Light) -> &'static str {
        match l {
            Light::Red => self.pick("红", "red"),
            Light::Yellow => self.pick("黄", "yellow"),
            Light::Blue => self.pick("蓝", "blue"),
        }
    }

    /// A stage's short name (queue column and header).
    pub fn stage(self, s: Stage) -> &'static str {
        match s {
            Stage::Triage => self.pick("待受理", "triage"),
            Stage::Assigned => self.pick("待签收", "assigned"),
            Stage::Handling => self.pick("办理中", "handling"),
            Stage::Review => self.pick("待审核", "review"),
            Stage::Evaluation => self.pick("待回访", "evaluation"),
            Stage::Assessment => self.pick("待评估", "assessment"),
            Stage::Closed => self.pick("已办结", "closed"),
            Stage::Rejected => self.pick("不受理", "rejected"),
            Stage::Merged => self.pick("已并案", "merged"),
        }
    }

    /// A category's short name.
    pub fn category(self, c: Category) -> &'static str {
        match c {
            Category::Livelihood => self.pick("民生", "livelihood"),
            Category::Development => self.pick("发展", "development"),
            Category::Enforcement => self.pick("执法", "enforcement"),
        }
    }

    /// A kind's name.
    pub fn kind(self, k: Kind) -> &'static str {
        match k {
            Kind::Consultation => self.pick("咨询", "consultation"),
            Kind::Suggestion => self.pick("建议", "suggestion"),
            Kind::Complaint => self.pick("投诉", "complaint"),
        }
    }

    /// A channel's name.
    pub fn channel(self, c: Channel) -> &'static str {
        match c {
            Channel::Wechat => self.pick("微信公众号", "WeChat"),
            Channel::Hotline => self.pick("12345热线", "12345 hotline"),
            Channel::Grid => self.pick("网格员", "grid worker"),
            Channel::Enterprise => self.pick("企业", "enterprise"),
            Channel::Unit => self.pick("单位", "unit"),
            Channel::Web => self.pick("网站/信箱", "web"),
        }
    }

    /// A role's name.
    pub fn role(self, r: Role) -> &'static str {
        match r {
            Role::CityDispatcher => self.pick("市级调度", "city dispatcher"),
            Role::DistrictDispatcher => self.pick("平台调度", "dispatcher"),
            Role::UnitHandler => self.pick("承办人", "handler"),
            Role::Supervisor => self.pick("督办", "supervisor"),
            Role::Trainer => self.pick("培训师", "trainer"),
        }
    }

    /// A level's name.
    pub fn level(self, l: Level) -> &'static str {
        match l {
            Level::City => self.pick("市级平台", "city platform"),
            Level::District => self.pick("区级平台", "district platform"),
            Level::Street => self.pick("街道", "street"),
            Level::Community => self.pick("社区", "community"),
            Level::Department => self.pick("部门", "department"),
        }
    }

    /// A satisfaction rating.
    pub fn satisfaction(self, s: Satisfaction) -> &'static str {
        match s {
            Satisfaction::Satisfied => self.pick("满意", "satisfied"),
            Satisfaction::Basic => self.pick("基本满意", "basically satisfied"),
            Satisfaction::Unsatisfied => self.pick("不满意", "unsatisfied"),
        }
    }

    /// A resolution rating.
    pub fn resolution(self, r: Resolution) -> &'static str {
        match r {
            Resolution::Resolved => self.pick("解决", "resolved"),
            Resolution::Basic => self.pick("基本解决", "basically resolved"),
            Resolution::Unresolved => self.pick("未解决", "unresolved"),
        }
    }

    /// A history action word (`accept`, `dispatch`, …) as shown in the timeline.
    pub fn event(self, action: &str) -> &'static str {
        let (zh, en) = match action {
            "intake" => ("收件", "intake"),
            "accept" => ("受理", "accept"),
            "reject" => ("不受理", "reject"),
            "dispatch" => ("转办", "dispatch"),
            "joint" => ("联合派单", "joint"),
            "sign" => ("签收", "sign"),
            "contact" => ("联系诉求人", "contact"),
            "feedback" => ("首次反馈", "first feedback"),
            "recompute" => ("期限重算", "deadline recomputed"),
            "escalate" => ("上报", "escalate"),
            "return" => ("申请退单", "return"),
            "approve-return" => ("同意退单", "approve return"),
            "deny-return" => ("驳回退单", "deny return"),
            "extend" => ("申请延期", "extend"),
            "approve-extension" => ("同意延期", "approve extension"),
            "deny-extension" => ("驳回延期", "deny extension"),
            "report" => ("配合反馈", "report"),
            "reply" => ("答复", "reply"),
            "approve-reply" => ("审核通过", "approve reply"),
            "send-back" => ("退回重办", "send back"),
            "evaluate" => ("回访评价", "evaluate"),
            "assess" => ("履职评估", "assess"),
            "supervise" => ("督办", "supervise"),
            "answer-supervision" => ("督办回复", "answer supervision"),
            "chase" => ("催办", "chase"),
            "publish" => ("发布抢单", "publish"),
            "claim" => ("抢单认领", "claim"),
            "grab-closed" => ("抢单超时", "grab window closed"),
            "link" => ("关联", "link"),
            "unlink" => ("取消关联", "unlink"),
            "merge" => ("并案", "merge"),
            "merged-in" => ("并入", "merged in"),
            "lookback-drawn" => ("回头看抽样", "drawn for look-back"),
            "lookback" => ("回头看", "look-back"),
            _ => ("", ""),
        };
        self.pick(zh, en)
    }

    /// A form field's label, by the command option's name (`to`, `result`, …).
    pub fn field(self, option: &str) -> &'static str {
        let (zh, en) = match option {
            "category" => ("类别", "category"),
            "kind" => ("类型", "kind"),
            "complex" => ("复杂", "complex"),
            "reason" => ("理由", "reason"),
            "note" => ("说明", "note"),
            "to" => ("转办单位", "to unit"),
            "lead" => ("主责单位", "lead unit"),
            "support" => ("配合单位", "supporting units"),
            "days" => ("工作日", "working days"),
            "hours" => ("小时", "hours"),
            "2115" => ("2115企业诉求", "2115 province case"),
            "part-days" => ("配合工作日", "part working days"),
            "confirm" => ("确认", "confirm"),
            "text" => ("反馈内容", "text"),
            "result" => ("办理结果", "result"),
            "basis" => ("政策依据", "policy basis"),
            "person" => ("责任人", "responsible person"),
            "phone" => ("联系电话", "contact phone"),
            "satisfaction" => ("满意度", "satisfaction"),
            "resolution" => ("解决情况", "resolution"),
            "outcome" => ("评估结果", "outcome"),
            "case" => ("关联工单", "linked case"),
            "into" => ("并入工单", "into case"),
            _ => ("", ""),
        };
        self.pick(zh, en)
    }
}
