//! A report as tables (指标, 排名, 事项分类, 热点区域, 趋势, 不满意件, 每日受理): the one layout
//! that the CLI's text, CSV and Excel outputs and the board's reports view all show, with every
//! header in Chinese and English. The figures come from [`crate::domain::report`]; nothing here
//! computes a measure.

use crate::domain::calendar::cst_minutes;
use crate::domain::metrics::{Measures, Rate};
use crate::domain::report::{Named, Report};

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A count.
    Int(i64),
    /// A percentage, 0–100 (none: nothing measured).
    Percent(Option<f64>),
    /// A number shown with two decimals (none: not known).
    Number(Option<f64>),
}

impl Cell {
    /// The cell as plain text (`99.01%`, `—`).
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Percent(p) => crate::domain::metrics::percent_text(*p),
            Cell::Number(n) => n.map_or_else(|| "—".into(), |n| format!("{n:.2}")),
        }
    }
}

/// A header in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Label {
    /// Chinese.
    pub zh: &'static str,
    /// English.
    pub en: &'static str,
}

impl Label {
    /// The label in one language.
    pub fn get(&self, zh: bool) -> &'static str {
        if zh {
            self.zh
        } else {
            self.en
        }
    }
}

const fn l(zh: &'static str, en: &'static str) -> Label {
    Label { zh, en }
}

/// One table of a report.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Its title (the Excel sheet's name).
    pub title: Label,
    /// Column headers.
    pub headers: Vec<Label>,
    /// Rows.
    pub rows: Vec<Vec<Cell>>,
}

/// The measures of the metric table, in order: label and how to read it from [`Measures`].
type MeasureRow = (Label, fn(&Measures) -> Cell);

fn rate(r: &Rate) -> Cell {
    Cell::Percent(r.percent())
}

/// The rows of the metric table (指标); the English labels are short enough for the board's
/// two columns at 80×24 (docs/metrics.md names each measure in full).
pub const MEASURE_ROWS: [MeasureRow; 15] = [
    (l("受理量", "Taken"), |m| Cell::Int(m.counters.taken)),
    (l("办结量", "Closed"), |m| Cell::Int(m.counters.closed)),
    (l("万人诉求比", "Per 10k"), |m| Cell::Number(m.per_10k)),
    (l("响应率", "Response"), |m| rate(&m.response)),
    (l("解决率", "Resolved"), |m| rate(&m.resolution)),
    (l("满意率", "Satisfied"), |m| rate(&m.satisfaction)),
    (l("办结率", "Completed"), |m| rate(&m.completion)),
    (l("按期办结率", "On time"), |m| rate(&m.on_time)),
    (l("不满意件", "Unsatisfied"), |m| {
        Cell::Int(m.counters.unsatisfied)
    }),
    (l("退单", "Returns"), |m| Cell::Int(m.counters.returns)),
    (l("延期", "Extensions"), |m| {
        Cell::Int(m.counters.extensions)
    }),
    (l("催办", "Chased"), |m| Cell::Int(m.counters.chased)),
    (l("督办池", "Pooled"), |m| Cell::Int(m.counters.pooled)),
    (l("问责移交", "Referred"), |m| {
        Cell::Int(m.counters.referred)
    }),
    (l("不予受理", "Rejected"), |m| {
        Cell::Int(m.counters.rejected)
    }),
];

/// Every table of a report, in the order they are shown.
pub fn tables(r: &Report, zh: bool) -> Vec<Table> {
    vec![
        measures(r, zh),
        ranking(r, zh),
        kinds(r, zh),
        hot_spots(r, zh),
        trend(r),
        unsatisfied(r, zh),
        daily(r),
    ]
}

/// A period length's report name: 月报 / monthly.
pub fn period_label(kind: crate::domain::period::PeriodKind) -> Label {
    use crate::domain::period::PeriodKind;
    match kind {
        PeriodKind::Day => l("日报", "daily"),
        PeriodKind::Week => l("周报", "weekly"),
        PeriodKind::Month => l("月报", "monthly"),
        PeriodKind::Quarter => l("季报", "quarterly"),
        PeriodKind::Year => l("年报", "yearly"),
    }
}

/// What an early warning says: 短期激增 / surge.
pub fn signal_label(s: crate::domain::warning::Signal) -> Label {
    use crate::domain::warning::Signal;
    match s {
        Signal::Surge => l("短期激增", "surge"),
        Signal::High => l("持续高位", "sustained high"),
    }
}

/// A level's name in one language (街道 / street).
pub fn level_name(level: crate::domain::org::Level, zh: bool) -> &'static str {
    use crate::domain::org::Level;
    let (z, e) = match level {
        Level::City => ("市级平台", "city"),
        Level::District => ("区（市）", "district"),
        Level::Street => ("镇街", "street"),
        Level::Community => ("村社区", "community"),
        Level::Department => ("职能部门", "department"),
    };
    if zh {
        z
    } else {
        e
    }
}

/// A unit's name in one language.
pub fn name(n: &Named, zh: bool) -> String {
    if zh {
        n.name.clone()
    } else {
        n.name_en.clone()
    }
}

/// The metric table: this period, the period before, the same period a year earlier.
pub fn measures(r: &Report, zh: bool) -> Table {
    let mut rows: Vec<Vec<Cell>> = MEASURE_ROWS
        .iter()
        .map(|(label, get)| {
            vec![
                Cell::Text(label.get(zh).to_string()),
                get(&r.measures),
                get(&r.previous),
                get(&r.last_year),
            ]
        })
        .collect();
    rows.push(vec![
        Cell::Text(l("诉求下降率", "Fall in volume").get(zh).to_string()),
        Cell::Text(String::new()),
        Cell::Percent(r.fall_previous),
        Cell::Percent(r.fall_last_year),
    ]);
    Table {
        title: l("指标", "Measures"),
        headers: vec![
            l("指标", "Measure"),
            l("本期", "This period"),
            l("上期", "Previous"),
            l("去年同期", "A year earlier"),
        ],
        rows,
    }
}

/// The ranking of child units (排名通报).
pub fn ranking(r: &Report, zh: bool) -> Table {
    let rows = r
        .ranking
        .iter()
        .map(|u| {
            let m = &u.measures;
            vec![
                Cell::Int(u.rank as i64),
                Cell::Text(name(&u.unit, zh)),
                Cell::Int(m.counters.taken),
                Cell::Number(m.per_10k),
                rate(&m.response),
                rate(&m.resolution),
                rate(&m.satisfaction),
                rate(&m.completion),
                rate(&m.on_time),
                Cell::Int(m.counters.unsatisfied),
                Cell::Int(u.previous.counters.taken),
            ]
        })
        .collect();
    Table {
        title: l("排名", "Ranking"),
        headers: vec![
            l("排名", "Rank"),
            l("单位", "Unit"),
            l("受理量", "Taken"),
            l("万人诉求比", "Per 10k"),
            l("响应率", "Response"),
            l("解决率", "Resolution"),
            l("满意率", "Satisfaction"),
            l("办结率", "Completion"),
            l("按期办结率", "On time"),
            l("不满意件", "Unsatisfied"),
            l("上期受理量", "Taken before"),
        ],
        rows,
    }
}

/// The top kinds of matter (事项分类).
pub fn kinds(r: &Report, zh: bool) -> Table {
    let rows = r
        .kinds
        .iter()
        .map(|k| {
            vec![
                Cell::Text(if zh {
                    k.name.clone()
                } else {
                    k.name_en.clone()
                }),
                Cell::Int(k.taken),
                Cell::Int(k.previous),
                Cell::Percent(crate::domain::metrics::rise(k.taken, k.previous)),
                Cell::Int(k.unsatisfied),
            ]
        })
        .collect();
    Table {
        title: l("事项分类", "Kinds of matter"),
        headers: vec![
            l("事项", "Kind"),
            l("受理量", "Taken"),
            l("上期", "Previous"),
            l("环比增幅", "Change"),
            l("不满意件", "Unsatisfied"),
        ],
        rows,
    }
}

/// The hot spots (热点区域).
pub fn hot_spots(r: &Report, zh: bool) -> Table {
    let rows = r
        .hot_spots
        .iter()
        .map(|h| {
            vec![
                Cell::Text(name(&h.unit, zh)),
                Cell::Text(level_name(h.unit.level, zh).to_string()),
                Cell::Int(h.taken),
            ]
        })
        .collect();
    Table {
        title: l("热点区域", "Hot spots"),
        headers: vec![l("区域", "Area"), l("层级", "Level"), l("受理量", "Taken")],
        rows,
    }
}

/// The trend over the last periods (趋势).
pub fn trend(r: &Report) -> Table {
    let rows = r
        .trend
        .iter()
        .map(|t| {
            vec![
                Cell::Text(t.label.clone()),
                Cell::Int(t.measures.counters.taken),
                rate(&t.measures.completion),
                rate(&t.measures.satisfaction),
            ]
        })
        .collect();
    Table {
        title: l("趋势", "Trend"),
        headers: vec![
            l("期间", "Period"),
            l("受理量", "Taken"),
            l("办结率", "Completion"),
            l("满意率", "Satisfaction"),
        ],
        rows,
    }
}

/// The unsatisfied cases (不满意件).
pub fn unsatisfied(r: &Report, zh: bool) -> Table {
    let rows = r
        .unsatisfied
        .iter()
        .map(|u| {
            vec![
                Cell::Text(u.id.to_string()),
                Cell::Text(cst_minutes(u.received_at)),
                Cell::Text(if zh {
                    u.kind_name.clone()
                } else {
                    u.kind_name_en.clone()
                }),
                Cell::Text(name(&u.unit, zh)),
                Cell::Text(u.stage.clone()),
            ]
        })
        .collect();
    Table {
        title: l("不满意件", "Unsatisfied"),
        headers: vec![
            l("诉求编号", "Case"),
            l("受理时间", "Received"),
            l("事项", "Kind"),
            l("承办单位", "Unit"),
            l("状态", "Stage"),
        ],
        rows,
    }
}

/// Cases taken per day (每日受理).
pub fn daily(r: &Report) -> Table {
    let rows = r
        .daily
        .iter()
        .map(|(d, n)| vec![Cell::Text(d.format("%Y-%m-%d").to_string()), Cell::Int(*n)])
        .collect();
    Table {
        title: l("每日受理", "Daily"),
        headers: vec![l("日期", "Date"), l("受理量", "Taken")],
        rows,
    }
}
