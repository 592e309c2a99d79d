//! What each board action does, for the help overlay, in both languages.

use super::Lang;
use crate::board::action::Action;

/// What an action does, for the help overlay.
pub fn describe(lang: Lang, action: &Action) -> &'static str {
    use Action::*;
    let (zh, en) = match action {
        Quit => (
            "退出（有未提交表单时先确认）",
            "quit (asks first if a form is open)",
        ),
        Up => ("上移一行", "move up"),
        Down => ("下移一行", "move down"),
        Left => (
            "收起单位 / 回到上级 / 左侧窗格",
            "collapse / parent / pane on the left",
        ),
        Right => (
            "展开单位 / 下级 / 打开详情",
            "expand / child / open the case",
        ),
        Top => ("到第一行", "first row"),
        Bottom => ("到最后一行", "last row"),
        PageDown => ("下翻半页", "half a page down"),
        PageUp => ("上翻半页", "half a page up"),
        NextPane => ("下一个窗格", "next pane"),
        PrevPane => ("上一个窗格", "previous pane"),
        Open => (
            "打开：单位的队列 / 案件详情",
            "open: a unit's queue / a case",
        ),
        Back => ("返回：关闭弹窗、清除筛选", "back: close, clear the filter"),
        Filter => ("按文字筛选队列", "filter the queue by text"),
        Command => ("跳转案件编号或执行命令", "go to a case id or run a command"),
        JumpUnit => ("按名称或编号跳转单位", "go to a unit by name or id"),
        Search => (
            "搜索全部案件：标题、地址、编号、工单号",
            "search all cases: title, address, id, work order",
        ),
        Help => ("显示/关闭帮助", "show or hide this help"),
        Actions => (
            "办理：本案你可执行的操作",
            "act: what you may do on this case",
        ),
        ViewLevel => ("视图：按层级", "view: by level"),
        ViewDepartment => ("视图：按部门", "view: by department"),
        ViewNight => (
            "视图：超期和黄灯（夜班）",
            "view: overdue and yellow (night shift)",
        ),
        ViewMine => ("视图：本单位队列", "view: my unit's queue"),
        ViewRequests => (
            "视图：待审批的退单和延期申请",
            "view: return and extension requests to decide",
        ),
        ViewGrab => ("视图：可抢工单", "view: grab orders open to claim"),
        ViewReports => (
            "视图：报表（一比三率、趋势、事项、排名、预警）",
            "view: reports (rates, trend, kinds, ranking, warnings)",
        ),
        ViewSupervision => (
            "视图：督办（催办 催 · 督办通知 督 · 督办池 池）",
            "view: supervision (C chased · S notice · P pool)",
        ),
        CycleSort => (
            "切换排序：期限 / 收件 / 灯色",
            "sort: due / received / light",
        ),
        ToggleBell => ("新红灯响铃 开/关", "bell on a new red case on/off"),
        NextTheme => ("切换主题", "next theme"),
        ToggleLang => ("切换中文/英文", "switch Chinese/English"),
        Redraw => ("重绘屏幕", "redraw the screen"),
        Confirm => ("确认", "confirm"),
        Submit => ("下一项 / 提交", "next field / submit"),
        SubmitForm => ("提交表单", "submit the form"),
        Cancel => ("取消", "cancel"),
        Type(_) => ("输入文字", "type text"),
        Backspace => ("删除前一个字", "delete the character before the cursor"),
        SelectUnit(_) => ("选择单位", "select a unit"),
        SelectCase(_) => ("选择案件", "select a case"),
        Run(_) => ("执行命令行", "run a command line"),
        Resize(..) => ("终端尺寸变化", "the terminal was resized"),
        Tick => ("时钟走一分钟", "the minute tick"),
        Click(..) => ("鼠标点击", "mouse click"),
        Scroll(..) => ("鼠标滚轮", "mouse wheel"),
    };
    lang.pick(zh, en)
}
