//! The organisation tree: each visible unit with its open cases and red / yellow counts.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::super::app::{App, Pane, View};
use super::super::tree::NodeKind;
use super::{inner, put};
use crate::domain::light::Light;
use crate::text::width;

/// The tree pane.
pub struct TreePane<'a> {
    /// The board.
    pub app: &'a App,
}

impl TreePane<'_> {
    /// The name a node shows.
    pub fn node_name(app: &App, node: usize) -> String {
        let lang = app.settings().lang;
        let units = app.model().units();
        let name = |i: u32| {
            let u = &units[i as usize];
            lang.pick(&u.name, &u.name_en).to_string()
        };
        match app.tree.nodes()[node].kind {
            NodeKind::Unit(u) => name(u),
            NodeKind::Departments(p) => {
                let t = lang.text();
                if units[p as usize].parent.is_none() {
                    t.city_departments.to_string()
                } else {
                    t.district_departments.to_string()
                }
            }
        }
    }

    /// Draws the pane.
    pub fn render_into(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let theme = &app.settings().theme;
        let t = app.settings().lang.text();
        let focused = app.focus == Pane::Tree;
        super::pane_block(theme, focused)
            .title(Span::styled(format!(" {} ", t.tree), theme.title(focused)))
            .render(area, buf);
        let rows = inner(area);
        let visible = app.visible_nodes();
        let departments_only = app.view == View::Department;
        let w = usize::from(rows.width);
        for (line, &node) in visible
            .iter()
            .enumerate()
            .skip(app.tree_offset)
            .take(usize::from(rows.height))
        {
            let y = rows.y + (line - app.tree_offset) as u16;
            let n = &app.tree.nodes()[node];
            let selected = line == app.tree_sel;
            let base = if selected {
                theme.text().patch(theme.selected(focused))
            } else {
                theme.text()
            };
            if selected {
                buf.set_style(Rect::new(rows.x, y, rows.width, 1), base);
            }
            let c = app.model().counts(
                n.units.clone(),
                departments_only || matches!(n.kind, NodeKind::Departments(_)),
            );
            // Right side: open, red, yellow.
            let mut right: Vec<Span> = vec![Span::styled(
                format!(" {}", c.open),
                if c.open == 0 {
                    theme.muted()
                } else {
                    theme.text()
                }
                .patch(sel(base, selected)),
            )];
            if let NodeKind::Unit(u) = n.kind {
                if app.model().referrals_of(u) > 0 {
                    right.insert(
                        0,
                        Span::styled(
                            format!(" {}", t.referral_mark),
                            theme.status(false).patch(sel(base, selected)),
                        ),
                    );
                }
            }
            // A unit's own late parts of joint cases count on its node beside what it holds.
            let parts = match n.kind {
                NodeKind::Unit(u) => app.model().unit_counts(u).parts,
                NodeKind::Departments(_) => [0; 3],
            };
            for (l, k) in [
                (Light::Red, c.red + parts[0]),
                (Light::Yellow, c.yellow + parts[1]),
            ] {
                if k > 0 {
                    right.push(Span::styled(
                        format!(" {}{k}", theme.light_symbol(l)),
                        theme.light(l).patch(sel(base, selected)),
                    ));
                }
            }
            let right_w: usize = right.iter().map(|s| width(&s.content)).sum();
            let indent = usize::from(n.depth) * if w < 28 { 1 } else { 2 };
            let marker = if n.has_children(node) {
                theme.tree_marker(app.tree.is_expanded(node))
            } else {
                " "
            };
            let lead = format!("{}{marker} ", " ".repeat(indent));
            let name_w = w.saturating_sub(width(&lead) + right_w);
            let x = rows.x;
            buf.set_string(x, y, &lead, base);
            put(
                buf,
                x + width(&lead) as u16,
                y,
                &Self::node_name(app, node),
                name_w,
                base,
            );
            let rx = rows.x + rows.width.saturating_sub(right_w as u16);
            buf.set_line(rx, y, &Line::from(right), right_w as u16);
        }
    }
}

/// The selection background (and nothing else) when the row is selected.
fn sel(base: ratatui::style::Style, selected: bool) -> ratatui::style::Style {
    if selected {
        super::bg_only(base)
    } else {
        ratatui::style::Style::default()
    }
}
