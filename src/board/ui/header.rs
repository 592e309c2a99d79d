//! The header: platform, operator and role, the China-time clock (marked when simulated), and
//! the selected scope's open cases by light and by stage.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::super::app::{App, View};
use super::super::model::OPEN_STAGES;
use super::super::tree::NodeKind;
use crate::domain::calendar::cst;
use crate::domain::calendar_file::missing_next_year;
use crate::domain::light::Light;
use crate::text::{truncate, width};

/// The two header lines.
pub struct Header<'a> {
    /// The board.
    pub app: &'a App,
}

impl Header<'_> {
    /// The platform the operator works for, with its brand: 崂山区「崂先办」.
    pub fn platform_name(&self) -> String {
        let app = self.app;
        let org = &app.model().config().org;
        let Some(p) = org.platform_of(&app.operator().unit) else {
            return String::new();
        };
        match app.settings().lang {
            super::super::i18n::Lang::Zh => match &p.platform_name {
                Some(brand) => format!("{}「{brand}」", p.name),
                None => p.name.clone(),
            },
            super::super::i18n::Lang::En => match &p.platform_name_en {
                Some(brand) => format!("{} · {brand}", p.name_en),
                None => p.name_en.clone(),
            },
        }
    }

    /// The name of the scope the counts are for.
    pub fn scope_name(&self) -> String {
        let app = self.app;
        let lang = app.settings().lang;
        let t = lang.text();
        let units = app.model().units();
        let unit_name = |i: u32| {
            let u = &units[i as usize];
            lang.pick(&u.name, &u.name_en).to_string()
        };
        match app.view {
            View::Mine => app
                .model()
                .unit_pos(&app.operator().unit)
                .map(unit_name)
                .unwrap_or_default(),
            View::Search => t.view_search.to_string(),
            _ => match app.tree.nodes()[app.selected_node()].kind {
                NodeKind::Unit(u) => unit_name(u),
                NodeKind::Departments(p) => {
                    let group = if units[p as usize].parent.is_none() {
                        t.city_departments
                    } else {
                        t.district_departments
                    };
                    format!("{} {group}", unit_name(p))
                }
            },
        }
    }

    /// Draws the header.
    pub fn render_into(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let theme = &app.settings().theme;
        let lang = app.settings().lang;
        let t = lang.text();
        let w = usize::from(area.width);
        buf.set_style(area, theme.header(false));
        // Line 1: product, platform, operator, clock.
        let op = app.operator();
        let now = app.model().now().with_timezone(&cst());
        let clock = format!("{} CST", now.format("%Y-%m-%d %H:%M"));
        let simulated = app.service().clock().is_simulated();
        let mut right = vec![Span::styled(clock.clone(), theme.header(true))];
        let mut right_w = width(&clock);
        if simulated {
            let mark = format!(" {} ", t.simulated);
            right_w += width(&mark) + 1;
            right.insert(0, Span::styled(" ", theme.header(false)));
            right.insert(0, Span::styled(mark, theme.simulated()));
        }
        let who = format!("{} · {}", op.name, lang.role(op.role));
        let left = format!(" {} │ {} │ {who}", t.product, self.platform_name());
        let left = truncate(&left, w.saturating_sub(right_w + 2));
        buf.set_string(area.x, area.y, &left, theme.header(true));
        let line = Line::from(right);
        let x = area.x + area.width.saturating_sub(right_w as u16 + 1);
        buf.set_line(x, area.y, &line, right_w as u16);
        // Line 2: scope counts, or the banner while the server is away.
        if area.height < 2 {
            return;
        }
        if let crate::service::Link::Down(why) = app.link() {
            let text = format!(" ⚠ {}  ({why})", t.disconnected);
            let line = Rect::new(area.x, area.y + 1, area.width, 1);
            buf.set_style(line, theme.disconnected());
            buf.set_string(area.x, area.y + 1, truncate(&text, w), theme.disconnected());
            return;
        }
        let c = app.scope_counts();
        let mut spans = Vec::new();
        let model = app.model();
        if let Some(year) = missing_next_year(&model.config().calendar, model.now()) {
            // First, so that a narrow terminal keeps it: deadlines into next year are guesses.
            spans.push(Span::styled(
                format!(" ⚠ {} ", lang.calendar_missing(year, c.provisional)),
                theme.status(false),
            ));
        }
        if app.service().read_only().is_some() {
            spans.push(Span::styled(
                format!(" ⚠ {} ", lang.read_only_banner()),
                theme.status(false),
            ));
        }
        spans.extend([
            Span::styled(format!(" {} ", self.scope_name()), theme.header(true)),
            Span::styled(format!("{} {}  ", t.open, c.open), theme.header(false)),
        ]);
        let referred = app.model().referrals_in(app.query().units);
        if referred > 0 {
            spans.push(Span::styled(
                format!("{} {referred}", t.label.referral),
                theme
                    .status(false)
                    .patch(super::bg_only(theme.header(false))),
            ));
            spans.push(Span::styled("  ", theme.header(false)));
        }
        for (l, n) in [
            (Light::Red, c.red),
            (Light::Yellow, c.yellow),
            (Light::Blue, c.blue),
        ] {
            spans.push(Span::styled(
                theme.light_symbol(l).to_string(),
                theme
                    .light(l)
                    .patch(theme.header(false))
                    .patch(super::fg_only(theme.light(l))),
            ));
            spans.push(Span::styled(
                format!(" {} {n}  ", lang.light(l)),
                theme.header(false),
            ));
        }
        spans.push(Span::styled("│ ", theme.header(false)));
        for (s, n) in OPEN_STAGES.iter().zip(c.stages) {
            spans.push(Span::styled(
                format!("{} {n}  ", lang.stage(*s)),
                theme.header(false),
            ));
        }
        let line = super::fit_spans(spans, w);
        buf.set_line(area.x, area.y + 1, &line, area.width);
    }
}
