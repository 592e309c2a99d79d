//! The reports view's phrases (报表), in Chinese and English. The tables' own headers are in
//! [`crate::reporting`], shared with the CLI's reports.

use super::Lang;
use crate::domain::period::PeriodKind;
use crate::domain::warning::Signal;

impl Lang {
    /// A period length's report name: 月报 / monthly.
    pub fn period(self, kind: PeriodKind) -> &'static str {
        let (zh, en) = match kind {
            PeriodKind::Day => ("日报", "daily"),
            PeriodKind::Week => ("周报", "weekly"),
            PeriodKind::Month => ("月报", "monthly"),
            PeriodKind::Quarter => ("季报", "quarterly"),
            PeriodKind::Year => ("年报", "yearly"),
        };
        self.pick(zh, en)
    }

    /// What an early warning says: 短期激增 / surge.
    pub fn signal(self, s: Signal) -> &'static str {
        match s {
            Signal::Surge => self.pick("短期激增", "surge"),
            Signal::High => self.pick("持续高位", "sustained high"),
        }
    }

    /// The reports view's words.
    pub fn report_word(self, key: &str) -> &'static str {
        let (zh, en) = match key {
            "title" => ("报表", "Reports"),
            "working_days" => ("个工作日", "working days"),
            "this" => ("本期", "now"),
            "previous" => ("上期", "before"),
            "daily" => ("近30日受理", "taken, last 30 days"),
            "kinds" => ("事项分类", "top kinds"),
            "ranking" => ("下级排名", "units ranked"),
            "warnings" => ("预警", "warnings"),
            "no_warnings" => ("预警：无", "warnings: none"),
            "loading" => ("读取中…", "loading…"),
            "none" => ("本期无诉求", "no cases this period"),
            _ => ("", ""),
        };
        self.pick(zh, en)
    }
}
