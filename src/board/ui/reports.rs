//! The reports view (报表): for the selected unit, this month's measures beside last month's,
//! the daily volume of the last 30 days as a sparkline, the top kinds of matter as bars and the
//! child units ranked, under a strip of today's early warnings for platform and supervisor
//! roles. It takes the queue's and the detail's place; every figure comes from the engine's
//! report ([`crate::domain::report`]), and the rows' labels from [`crate::reporting`].

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Sparkline, Widget};

use super::super::app::App;
use super::{fit_spans, inner, pane_block, put, put_right};
use crate::domain::report::Report;
use crate::domain::users::Role;
use crate::reporting::{Cell, MEASURE_ROWS};
use crate::text::width;

/// How many of the measure rows the board shows (taken … unsatisfied).
const BOARD_MEASURES: usize = 9;
/// Columns of one measure cell: label, this period, the period before.
const LABEL: usize = 11;
const VALUE: usize = 6;
const CELL: usize = LABEL + 1 + VALUE + 1 + VALUE;

/// The reports view.
pub struct ReportsPane<'a> {
    /// The board.
    pub app: &'a App,
}

impl ReportsPane<'_> {
    /// Draws the view into `area` (the queue's and the detail's place).
    pub fn render_into(&self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let theme = &app.settings().theme;
        let lang = app.settings().lang;
        let block = pane_block(theme, false);
        let cache = app.reports();
        let title = match cache.map(|c| &c.report) {
            Some(Ok(r)) => format!(
                " {} · {} · {} {} · {} {} ",
                lang.report_word("title"),
                lang.pick(&r.scope.name, &r.scope.name_en),
                lang.period(r.period.kind),
                r.label,
                r.working_days,
                lang.report_word("working_days")
            ),
            _ => format!(" {} ", lang.report_word("title")),
        };
        let title = fit_spans(
            vec![Span::styled(
                crate::text::clean(&title).into_owned(),
                theme.title(false),
            )],
            usize::from(area.width.saturating_sub(2)),
        );
        block.title(title).render(area, buf);
        let body = inner(area);
        if body.width < 20 || body.height < 3 {
            return;
        }
        let mut y = body.y;
        if app.operator().role != Role::UnitHandler {
            self.render_warnings(body.x, y, body.width, buf);
            y += 1;
        }
        let report = match cache.map(|c| &c.report) {
            Some(Ok(r)) => r,
            Some(Err(e)) => {
                put(
                    buf,
                    body.x,
                    y,
                    e,
                    usize::from(body.width),
                    theme.status(false),
                );
                return;
            }
            None => {
                let s = lang.report_word("loading");
                put(buf, body.x, y, s, usize::from(body.width), theme.muted());
                return;
            }
        };
        let rest = Rect::new(body.x, y, body.width, body.bottom().saturating_sub(y));
        y += self.render_measures(report, rest, buf);
        let rest = Rect::new(body.x, y, body.width, body.bottom().saturating_sub(y));
        if rest.height < 2 {
            return;
        }
        // Wide: the daily line and the kinds on the left, the ranking on the right.
        if rest.width >= 80 {
            let left_w = rest.width / 2;
            let left = Rect::new(rest.x, rest.y, left_w - 1, rest.height);
            let right = Rect::new(
                rest.x + left_w + 1,
                rest.y,
                rest.width - left_w - 1,
                rest.height,
            );
            let used = self.render_daily(report, left, buf);
            self.render_kinds(report, below(left, used), buf);
            self.render_ranking(report, right, buf);
        } else {
            let used = self.render_daily(report, rest, buf);
            let rest = below(rest, used);
            let kinds_h = (rest.height / 2).min(report.kinds.len() as u16 + 1);
            let kinds = Rect::new(rest.x, rest.y, rest.width, kinds_h);
            self.render_kinds(report, kinds, buf);
            let ranking = Rect::new(rest.x, rest.y + kinds_h, rest.width, rest.height - kinds_h);
            self.render_ranking(report, ranking, buf);
        }
    }

    /// The warnings strip: each warning as kind·area and what it says.
    fn render_warnings(&self, x: u16, y: u16, w: u16, buf: &mut Buffer) {
        let app = self.app;
        let theme = &app.settings().theme;
        let lang = app.settings().lang;
        let warnings = app.reports().map_or(&[][..], |c| &c.warnings[..]);
        if warnings.is_empty() {
            put(
                buf,
                x,
                y,
                lang.report_word("no_warnings"),
                usize::from(w),
                theme.muted(),
            );
            return;
        }
        let mut spans = vec![Span::styled(
            format!("{} {} ", lang.report_word("warnings"), warnings.len()),
            theme.warning(),
        )];
        for (i, wn) in warnings.iter().enumerate() {
            if i > 0 {
                spans.push(Span::styled(" │ ", theme.muted()));
            }
            let signals: Vec<&str> = wn.signals.iter().map(|s| lang.signal(*s)).collect();
            spans.push(Span::styled(
                crate::text::clean(&format!(
                    "{}·{} ",
                    lang.pick(&wn.kind_name, &wn.kind_name_en),
                    lang.pick(&wn.area.name, &wn.area.name_en)
                ))
                .into_owned(),
                theme.text(),
            ));
            spans.push(Span::styled(
                format!("{} {}", signals.join("/"), wn.this_week),
                theme.warning(),
            ));
        }
        buf.set_line(x, y, &fit_spans(spans, usize::from(w)), w);
    }

    /// The measures in as many columns as fit; returns the rows used.
    fn render_measures(&self, r: &Report, area: Rect, buf: &mut Buffer) -> u16 {
        let app = self.app;
        let theme = &app.settings().theme;
        let lang = app.settings().lang;
        let zh = lang == super::super::i18n::Lang::Zh;
        let cols = (usize::from(area.width) + 2) / (CELL + 2);
        let cols = cols.max(1);
        let rows = BOARD_MEASURES.div_ceil(cols);
        if area.height < 2 {
            return 0;
        }
        for c in 0..cols {
            let x = area.x + (c * (CELL + 2)) as u16;
            put(buf, x, area.y, "", LABEL, theme.label());
            put_right(
                buf,
                x + LABEL as u16 + 1,
                area.y,
                lang.report_word("this"),
                VALUE,
                theme.label(),
            );
            put_right(
                buf,
                x + (LABEL + VALUE + 2) as u16,
                area.y,
                lang.report_word("previous"),
                VALUE,
                theme.label(),
            );
        }
        for (i, (label, get)) in MEASURE_ROWS.iter().take(BOARD_MEASURES).enumerate() {
            let (c, row) = (i / rows, i % rows);
            let y = area.y + 1 + row as u16;
            if y >= area.bottom() {
                continue;
            }
            let x = area.x + (c * (CELL + 2)) as u16;
            put(buf, x, y, label.get(zh), LABEL, theme.label());
            let now = get(&r.measures);
            let before = get(&r.previous);
            put_right(
                buf,
                x + LABEL as u16 + 1,
                y,
                &short(&now),
                VALUE,
                theme.text(),
            );
            put_right(
                buf,
                x + (LABEL + VALUE + 2) as u16,
                y,
                &short(&before),
                VALUE,
                theme.muted(),
            );
        }
        (rows as u16 + 1).min(area.height)
    }

    /// The daily volume line; returns the rows used.
    fn render_daily(&self, r: &Report, area: Rect, buf: &mut Buffer) -> u16 {
        if area.height < 3 || r.daily.is_empty() {
            return 0;
        }
        let app = self.app;
        let theme = &app.settings().theme;
        let lang = app.settings().lang;
        let max = r.daily.iter().map(|(_, n)| *n).max().unwrap_or(0);
        let total: i64 = r.daily.iter().map(|(_, n)| n).sum();
        let label = format!("{} {total} · max {max}", lang.report_word("daily"));
        put(
            buf,
            area.x,
            area.y,
            &label,
            usize::from(area.width),
            theme.label(),
        );
        let data: Vec<u64> = r.daily.iter().map(|(_, n)| (*n).max(0) as u64).collect();
        let w = (data.len() as u16).min(area.width);
        let skip = data.len() - usize::from(w);
        Sparkline::default()
            .data(&data[skip..])
            .max(max.max(1) as u64)
            .style(theme.chart())
            .render(Rect::new(area.x, area.y + 1, w, 2), buf);
        3
    }

    /// The top kinds of matter as bars.
    fn render_kinds(&self, r: &Report, area: Rect, buf: &mut Buffer) {
        if area.height < 2 {
            return;
        }
        let app = self.app;
        let theme = &app.settings().theme;
        let lang = app.settings().lang;
        let w = usize::from(area.width);
        put(
            buf,
            area.x,
            area.y,
            lang.report_word("kinds"),
            w,
            theme.label(),
        );
        if r.kinds.is_empty() {
            put(
                buf,
                area.x,
                area.y + 1,
                lang.report_word("none"),
                w,
                theme.muted(),
            );
            return;
        }
        let name_w = 14.min(w / 3);
        let max = r.kinds.iter().map(|k| k.taken).max().unwrap_or(1).max(1);
        let num_w = 5;
        let bar_room = w.saturating_sub(name_w + num_w + 2);
        for (i, k) in r.kinds.iter().enumerate() {
            let y = area.y + 1 + i as u16;
            if y >= area.bottom() {
                break;
            }
            put(
                buf,
                area.x,
                y,
                lang.pick(&k.name, &k.name_en),
                name_w,
                theme.text(),
            );
            let len = ((k.taken as f64 / max as f64) * bar_room as f64).round() as usize;
            let bar = "█".repeat(len.max(usize::from(k.taken > 0)));
            put(
                buf,
                area.x + name_w as u16 + 1,
                y,
                &bar,
                bar_room,
                theme.chart(),
            );
            put_right(
                buf,
                area.x + (name_w + 1 + bar_room + 1) as u16,
                y,
                &k.taken.to_string(),
                num_w.min(w.saturating_sub(name_w + bar_room + 2)),
                theme.text(),
            );
        }
    }

    /// The child units ranked: rank, name, taken, satisfaction, completion.
    fn render_ranking(&self, r: &Report, area: Rect, buf: &mut Buffer) {
        if area.height < 2 || r.ranking.is_empty() {
            return;
        }
        let app = self.app;
        let theme = &app.settings().theme;
        let lang = app.settings().lang;
        let zh = lang == super::super::i18n::Lang::Zh;
        let w = usize::from(area.width);
        let nums = 3 + 1 + 5 + 1 + VALUE + 1 + VALUE;
        let name_w = w.saturating_sub(nums + 1).max(4);
        let header = format!(
            "{} · {} / {}",
            lang.report_word("ranking"),
            lang.pick("满意率", "satisfaction"),
            lang.pick("办结率", "completion")
        );
        put(buf, area.x, area.y, &header, w, theme.label());
        for (i, u) in r.ranking.iter().enumerate() {
            let y = area.y + 1 + i as u16;
            if y >= area.bottom() {
                break;
            }
            let m = &u.measures;
            let mut x = area.x;
            put_right(buf, x, y, &u.rank.to_string(), 3, theme.muted());
            x += 4;
            put(
                buf,
                x,
                y,
                &crate::reporting::name(&u.unit, zh),
                name_w,
                theme.text(),
            );
            x += name_w as u16 + 1;
            put_right(buf, x, y, &m.counters.taken.to_string(), 5, theme.text());
            x += 6;
            let sat = short(&Cell::Percent(m.satisfaction.percent()));
            put_right(buf, x, y, &sat, VALUE, theme.text());
            x += VALUE as u16 + 1;
            let done = short(&Cell::Percent(m.completion.percent()));
            put_right(buf, x, y, &done, VALUE, theme.text());
        }
    }
}

/// What is left of `area` below its first `rows` rows.
fn below(area: Rect, rows: u16) -> Rect {
    let rows = rows.min(area.height);
    Rect::new(area.x, area.y + rows, area.width, area.height - rows)
}

/// A cell as the board shows it: percentages with one decimal, so two columns of measures fit
/// in 80 columns.
fn short(c: &Cell) -> String {
    let s = match c {
        Cell::Percent(Some(p)) => format!("{p:.1}%"),
        other => other.text(),
    };
    if width(&s) > VALUE {
        crate::text::truncate(&s, VALUE)
    } else {
        s
    }
}
