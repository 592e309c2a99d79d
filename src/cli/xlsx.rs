//! A report as an Excel workbook (rust_xlsxwriter): one sheet per table with Chinese headers,
//! percentages as numbers formatted `0.00%`, columns as wide as their text (CJK counts two), and
//! charts: the trend's volume as columns, the top kinds of matter as bars.

use std::path::Path;

use anyhow::Context as _;
use rust_xlsxwriter::{Chart, ChartType, Format, Workbook, Worksheet};

use crate::domain::report::Report;
use crate::reporting::{self, Cell, Table};
use crate::text::width;

/// Writes `report` to `path` as an .xlsx workbook.
pub fn write(report: &Report, path: &Path) -> anyhow::Result<()> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format("0.00%");
    let number = Format::new().set_num_format("0.00");
    for t in reporting::tables(report, true) {
        let sheet = book.add_worksheet();
        fill(sheet, &t, &bold, &percent, &number)?;
        let rows = t.rows.len() as u32;
        if rows == 0 {
            continue;
        }
        let name = t.title.zh;
        let chart = match t.title.en {
            "Trend" => Some(chart(ChartType::Column, name, "受理量", rows, 1)),
            "Kinds of matter" => Some(chart(ChartType::Bar, name, "受理量", rows, 1)),
            "Daily" => Some(chart(ChartType::Line, name, "受理量", rows, 1)),
            _ => None,
        };
        if let Some(chart) = chart {
            sheet.insert_chart(1, t.headers.len() as u16 + 1, &chart)?;
        }
    }
    book.save(path)
        .with_context(|| format!("writing the workbook {}", path.display()))?;
    Ok(())
}

fn fill(
    sheet: &mut Worksheet,
    t: &Table,
    bold: &Format,
    percent: &Format,
    number: &Format,
) -> anyhow::Result<()> {
    sheet.set_name(t.title.zh)?;
    let mut widths: Vec<usize> = t.headers.iter().map(|h| width(h.zh)).collect();
    for (c, h) in t.headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, h.zh, bold)?;
    }
    for (r, row) in t.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let col = c as u16;
            match cell {
                Cell::Text(s) => {
                    sheet.write_string(r, col, crate::text::clean(s).as_ref())?;
                }
                Cell::Int(n) => {
                    sheet.write_number(r, col, *n as f64)?;
                }
                Cell::Percent(Some(p)) => {
                    sheet.write_number_with_format(r, col, p / 100.0, percent)?;
                }
                Cell::Number(Some(n)) => {
                    sheet.write_number_with_format(r, col, *n, number)?;
                }
                Cell::Percent(None) | Cell::Number(None) => {
                    sheet.write_string(r, col, "—")?;
                }
            }
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(width(&cell.text()));
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, (*w as f64 + 2.0).clamp(8.0, 50.0))?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// A chart of column `col` of a sheet's `rows` rows against its first column.
fn chart(kind: ChartType, sheet: &str, series: &str, rows: u32, col: u16) -> Chart {
    let mut chart = Chart::new(kind);
    chart
        .add_series()
        .set_name(series)
        .set_categories((sheet, 1, 0, rows, 0))
        .set_values((sheet, 1, col, rows, col));
    chart.title().set_name(sheet);
    chart
}
