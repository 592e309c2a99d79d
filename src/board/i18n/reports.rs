//! The reports view's phrases (报表), in Chinese and English. The tables' own headers are in
//! [`crate::reporting`], shared with the CLI's reports.

use super::Lang;
use crate::domain::period::PeriodKind;
use crate::domain::warning::Signal;

impl Lang {
    /// A period length's report name: 月报 / monthly ([`crate::reporting::period_label`]).
    pub fn period(self, kind: PeriodKind) -> &'static str {
        crate::reporting::period_label(kind).get(self == Lang::Zh)
    }

    /// What an early warning says: 短期激增 / surge ([`crate::reporting::signal_label`]).
    pub fn signal(self, s: Signal) -> &'static str {
        crate::reporting::signal_label(s).get(self == Lang::Zh)
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
