//! `jiban report` (报表) and `jiban warnings` (监测预警): the measures of a scope over a period,
//! as text, JSON, CSV or an Excel workbook, and today's early warnings.
//!
//! CSV holds every table of the report one after another, each as a title row, a header row,
//! its rows and an empty row (what a spreadsheet opens as one sheet of sections); the Excel
//! workbook has one sheet per table, Chinese headers, columns as wide as their text, and charts
//! of the trend and of the top kinds of matter.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, Context as _};
use chrono::NaiveDate;

use super::Cli;
use crate::domain::org::UnitId;
use crate::domain::period::PeriodKind;
use crate::domain::report::Report;
use crate::reporting::{self, Table};
use crate::text::{pad, width};

/// The output of `jiban report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Tables for the terminal.
    Text,
    /// The whole report as JSON.
    Json,
    /// Every table in one CSV file.
    Csv,
    /// An Excel workbook (needs --out).
    Xlsx,
}

/// The arguments of `jiban report`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// The period's length.
    #[arg(long, value_enum, default_value = "month")]
    pub period: PeriodArg,
    /// A day in the period (YYYY-MM-DD, China time; default: today).
    #[arg(long)]
    pub at: Option<String>,
    /// The unit reported on (default: yours; the city for the trainer).
    #[arg(long)]
    pub scope: Option<String>,
    /// The output.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Write to this file instead of standard output (required for xlsx).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// A period length on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PeriodArg {
    /// 日报.
    Day,
    /// 周报 (Monday to Sunday).
    Week,
    /// 月报.
    Month,
    /// 季报.
    Quarter,
    /// 年报.
    Year,
}

impl From<PeriodArg> for PeriodKind {
    fn from(p: PeriodArg) -> PeriodKind {
        match p {
            PeriodArg::Day => PeriodKind::Day,
            PeriodArg::Week => PeriodKind::Week,
            PeriodArg::Month => PeriodKind::Month,
            PeriodArg::Quarter => PeriodKind::Quarter,
            PeriodArg::Year => PeriodKind::Year,
        }
    }
}

/// Runs `jiban report`.
pub fn run(cli: &Cli, args: &ReportArgs) -> anyhow::Result<ExitCode> {
    let at = match &args.at {
        Some(s) => Some(
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .map_err(|e| anyhow!("--at: {s:?} is not a date (YYYY-MM-DD): {e}"))?,
        ),
        None => None,
    };
    if args.format == Format::Xlsx && args.out.is_none() {
        return Err(anyhow!(
            "--format xlsx writes a workbook: name the file with --out FILE.xlsx"
        ));
    }
    let scope = args.scope.as_deref().map(|s| UnitId(s.trim().to_string()));
    let report = cli
        .session("cli", false)?
        .report(args.period.into(), at, scope.as_ref())
        .map_err(super::refusal)?;
    let bytes = match args.format {
        Format::Text => text(&report).into_bytes(),
        Format::Json => {
            let json = serde_json::to_string_pretty(&report)?;
            if args.out.is_none() {
                super::output::say_json(&json);
                return Ok(ExitCode::SUCCESS);
            }
            json.into_bytes()
        }
        Format::Csv => csv(&report)?,
        Format::Xlsx => {
            let out = args.out.as_deref().unwrap_or(Path::new("report.xlsx"));
            super::xlsx::write(&report, out)?;
            crate::outln!("wrote {}", out.display());
            return Ok(ExitCode::SUCCESS);
        }
    };
    match &args.out {
        Some(path) => {
            std::fs::write(path, &bytes).with_context(|| format!("writing {}", path.display()))?;
            crate::outln!("wrote {}", path.display());
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&bytes)?;
            stdout.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The report as text tables (Chinese headers; columns padded by display width).
pub fn text(r: &Report) -> String {
    let scope = format!("{} {}", reporting::name(&r.scope, true), r.scope.id);
    let mut out = format!(
        "{} · {} {} · {} 个工作日\n",
        crate::text::clean(&scope),
        reporting::period_label(r.period.kind).zh,
        r.label,
        r.working_days
    );
    for t in reporting::tables(r, true) {
        if t.rows.is_empty() {
            continue;
        }
        out.push('\n');
        out.push_str(&table_text(&t));
    }
    out
}

/// One table as text: a title line, then columns as wide as their widest cell (at most 30).
pub fn table_text(t: &Table) -> String {
    let cells: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|r| r.iter().map(|c| c.text()).collect())
        .collect();
    let widths: Vec<usize> = t
        .headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            cells
                .iter()
                .filter_map(|r| r.get(i))
                .map(|c| width(c))
                .chain([width(h.zh)])
                .max()
                .unwrap_or(0)
                .min(30)
        })
        .collect();
    let line = |row: Vec<&str>| {
        let parts: Vec<String> = row.iter().zip(&widths).map(|(c, w)| pad(c, *w)).collect();
        format!("{}\n", parts.join("  ").trim_end())
    };
    let mut out = format!("【{}】\n", t.title.zh);
    out.push_str(&line(t.headers.iter().map(|h| h.zh).collect()));
    for r in &cells {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
    }
    out
}

/// The report as CSV: each table as a title row, a header row, its rows and an empty row.
pub fn csv(r: &Report) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    for t in reporting::tables(r, true) {
        w.write_record([t.title.zh])?;
        w.write_record(t.headers.iter().map(|h| h.zh))?;
        for row in &t.rows {
            w.write_record(row.iter().map(|c| c.text()))?;
        }
        w.write_record([""])?;
    }
    w.into_inner().map_err(|e| anyhow!("writing CSV: {e}"))
}

/// Runs `jiban warnings`.
pub fn warnings(cli: &Cli, json: bool) -> anyhow::Result<ExitCode> {
    let list = cli
        .session("cli", false)?
        .warnings()
        .map_err(super::refusal)?;
    if json {
        super::output::say_json(&serde_json::to_string_pretty(&list)?);
        return Ok(ExitCode::SUCCESS);
    }
    if list.is_empty() {
        crate::outln!("监测预警: none today");
        return Ok(ExitCode::SUCCESS);
    }
    for w in &list {
        let signals: Vec<&str> = w
            .signals
            .iter()
            .map(|s| reporting::signal_label(*s).zh)
            .collect();
        crate::outln!(
            "{} {} {} 本周 {} · 基线 {:.1} · 去年同周 {}",
            pad(&signals.join("/"), 18),
            pad(&w.area.name, 12),
            pad(&w.kind_name, 24),
            w.this_week,
            w.baseline,
            w.year_before
        );
    }
    Ok(ExitCode::SUCCESS)
}
