//! The queue: one row per case of the selected view, only the visible rows built. Columns line
//! up with Chinese text; what does not fit ends in `…`.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::Widget;

use super::super::app::{App, Pane, View};
use super::super::i18n::Lang;
use super::super::model::Sort;
use super::{fit_spans, inner, put, put_right};
use crate::domain::light::format_countdown;

/// The queue pane.
pub struct QueuePane<'a> {
    /// The board.
    pub app: &'a App,
}

/// Column widths for a row of `w` columns.
#[derive(Debug, Clone, Copy)]
struct Columns {
    left: usize,
    /// The countdown says which clock it is (受理, 联系, 2115 …); dropped when the row is narrow,
    /// where the stage column still tells most of it.
    clock_label: bool,
    id: usize,
    category: usize,
    title: usize,
    holder: usize,
    stage: usize,
    /// The supervision mark (催 / 督 / 池) has a column of its own; when the row is too narrow
    /// it shares the round column, where it wins over ②.
    mark: bool,
}

impl Columns {
    /// The title keeps at least this many columns before optional columns are added.
    const TITLE_MIN: usize = 24;

    fn new(w: usize, lang: Lang) -> Columns {
        let stage = if lang == Lang::Zh { 6 } else { 10 };
        let id = 16;
        // Light, countdown, id, title, stage and round mark, with a space after all but the
        // last; the supervision mark's column (3) when the title keeps 12 columns besides.
        let fixed = |left: usize| 3 + (left + 1) + (id + 1) + 1 + (stage + 1) + 2;
        let clock_label = w.saturating_sub(fixed(13) + 3) >= 12;
        let left = if clock_label { 13 } else { 8 };
        let mark = w.saturating_sub(fixed(left) + 3) >= 12;
        let fixed = fixed(left) + if mark { 3 } else { 0 };
        let mut c = Columns {
            left,
            clock_label,
            id,
            category: 0,
            title: w.saturating_sub(fixed).max(4),
            holder: 0,
            stage,
            mark,
        };
        let category = if lang == Lang::Zh { 4 } else { 11 };
        if c.title > Self::TITLE_MIN + category {
            c.category = category;
            c.title -= category + 1;
        }
        let holder = (c.title.saturating_sub(Self::TITLE_MIN + 1)).min(20);
        if holder >= 10 {
            c.holder = holder;
            c.title -= holder + 1;
        }
        c
    }
}

impl QueuePane<'_> {
    fn title(&self) -> Vec<Span<'static>> {
        let app = self.app;
        let theme = &app.settings().theme;
        let t = app.settings().lang.text();
        let focused = app.focus == Pane::Queue;
        let view = match app.view {
            View::Level => t.view_level,
            View::Department => t.view_department,
            View::Night => t.view_night,
            View::Mine => t.view_mine,
            View::Search => t.view_search,
            View::Requests => t.view_requests,
            View::Supervision => t.view_supervision,
            View::Grab => t.view_grab,
            View::Reports => t.view_reports,
        };
        let sort = match app.sort {
            Sort::Due => t.sort_due,
            Sort::Received => t.sort_received,
            Sort::Light => t.sort_light,
        };
        let mut spans = vec![
            Span::styled(format!(" {} ", t.queue), theme.title(focused)),
            Span::styled(
                format!("· {view} · {sort} · {} ", app.queue().len()),
                theme.title(false),
            ),
        ];
        if let Some(stage) = app.stage_filter {
            spans.push(Span::styled(
                format!("· {} ", app.settings().lang.stage(stage)),
                theme.key(),
            ));
        }
        let text = if app.view == View::Search {
            &app.search
        } else {
            &app.filter
        };
        if !text.is_empty() {
            spans.push(Span::styled(
                format!("· {} “{}” ", t.filtered, text),
                theme.key(),
            ));
        }
        if app.settings().bell {
            spans.push(Span::styled(format!("· {} ", t.bell_mark), theme.muted()));
        }
        spans
    }

    /// Draws the pane.
    pub fn render_into(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let theme = &app.settings().theme;
        let lang = app.settings().lang;
        let t = lang.text();
        let focused = app.focus == Pane::Queue;
        let title = fit_spans(self.title(), usize::from(area.width.saturating_sub(4)));
        super::pane_block(theme, focused)
            .title(title)
            .render(area, buf);
        let rows = inner(area);
        if rows.height == 0 {
            return;
        }
        let w = usize::from(rows.width);
        let cols = Columns::new(w, lang);
        // Column header.
        let muted = theme.muted();
        let mut x = rows.x;
        let mut cell = |buf: &mut Buffer, s: &str, n: usize, right: bool, style: Style| {
            if n == 0 {
                return;
            }
            if right {
                put_right(buf, x, rows.y, s, n, style);
            } else {
                put(buf, x, rows.y, s, n, style);
            }
            x += n as u16 + 1;
        };
        cell(buf, t.col_light, 2, false, muted);
        cell(buf, t.col_left, cols.left, true, muted);
        cell(buf, t.col_id, cols.id, false, muted);
        cell(buf, t.col_category, cols.category, false, muted);
        cell(buf, t.col_title, cols.title, false, muted);
        cell(buf, t.col_holder, cols.holder, false, muted);
        cell(buf, t.col_stage, cols.stage, false, muted);
        if cols.mark {
            cell(buf, t.col_mark, 2, false, muted);
        }
        cell(buf, t.col_round, 2, false, muted);
        let queue = app.queue();
        if queue.is_empty() {
            if rows.height > 1 {
                put(
                    buf,
                    rows.x + 1,
                    rows.y + 1,
                    t.no_cases,
                    w.saturating_sub(1),
                    muted,
                );
            }
            return;
        }
        let model = app.model();
        let units = model.units();
        let body = Rect::new(rows.x, rows.y + 1, rows.width, rows.height - 1);
        for (i, &pos) in queue
            .iter()
            .enumerate()
            .skip(app.queue_offset)
            .take(usize::from(body.height))
        {
            let y = body.y + (i - app.queue_offset) as u16;
            let r = model.row(pos);
            let selected = i == app.queue_sel;
            let base = if selected {
                theme.text().patch(theme.selected(focused))
            } else {
                theme.text()
            };
            if selected {
                buf.set_style(Rect::new(body.x, y, body.width, 1), base);
            }
            let over = |s: Style| {
                if selected {
                    s.patch(super::bg_only(theme.selected(focused)))
                } else {
                    s
                }
            };
            let mut x = body.x;
            let mut cell = |buf: &mut Buffer, s: &str, n: usize, right: bool, style: Style| {
                if n == 0 {
                    return;
                }
                if right {
                    put_right(buf, x, y, s, n, style);
                } else {
                    put(buf, x, y, s, n, style);
                }
                x += n as u16 + 1;
            };
            match r.light {
                Some(l) => cell(buf, theme.light_symbol(l), 2, false, over(theme.light(l))),
                None => cell(buf, " ", 2, false, base),
            }
            let left = model.remaining(r);
            let left_style = match left {
                Some((_, d)) if d < chrono::Duration::zero() => over(theme.overdue()),
                _ => base,
            };
            // Which clock decides, then its countdown: `办理 1d 03h`, `受理 -4h`.
            let left = left
                .map(|(c, d)| match cols.clock_label {
                    true => format!("{} {}", lang.clock(c), format_countdown(d)),
                    false => format_countdown(d),
                })
                .unwrap_or_default();
            cell(buf, &left, cols.left, true, left_style);
            cell(buf, r.id.as_str(), cols.id, false, base);
            let category = r.category.map(|c| lang.category(c)).unwrap_or("");
            cell(buf, category, cols.category, false, base);
            cell(buf, &r.title, cols.title, false, base);
            if cols.holder > 0 {
                let u = &units[r.holder as usize];
                let name = match lang {
                    Lang::Zh => &u.name,
                    Lang::En => &u.name_en,
                };
                cell(buf, name, cols.holder, false, base);
            }
            cell(
                buf,
                lang.stage(r.stage),
                cols.stage,
                false,
                over(theme.stage(r.stage)),
            );
            // A published case still open to claim shows 抢 when it has no supervision mark.
            let sup = r
                .mark
                .map(|m| lang.mark(m))
                .or_else(|| (!r.offered.is_empty()).then(|| lang.grab_mark()));
            if cols.mark {
                cell(
                    buf,
                    sup.unwrap_or(""),
                    2,
                    false,
                    over(theme.supervision_mark()),
                );
            }
            match sup.filter(|_| !cols.mark) {
                Some(s) => cell(buf, s, 2, false, over(theme.supervision_mark())),
                None => {
                    let round = if r.round > 1 { t.round2_mark } else { "" };
                    cell(buf, round, 2, false, over(theme.round2()));
                }
            }
        }
    }
}
