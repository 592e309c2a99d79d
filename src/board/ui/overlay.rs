//! Boxes drawn over the board: the help (generated from the action list and the keymap), a
//! command form, and the quit question.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Widget};

use super::super::action::Action;
use super::super::app::App;
use super::super::confirm::Confirm;
use super::super::workflow::Menu;
use super::put;
use crate::text::width;

pub(super) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// Blanks any double-width character that starts just left of `area` and would reach into it: a
/// terminal draws such a character over the cell beside it, so an overlay's left border there
/// would never show (黄岛区 in the tree behind a form, for example).
pub(super) fn free_left_edge(area: Rect, buf: &mut Buffer) {
    if area.x == 0 {
        return;
    }
    for y in area.top()..area.bottom() {
        if let Some(cell) = buf.cell_mut((area.x - 1, y)) {
            if width(cell.symbol()) > 1 {
                cell.set_symbol(" ");
            }
        }
    }
}

pub(super) fn frame(app: &App, area: Rect, buf: &mut Buffer, title: &str) -> Rect {
    let theme = &app.settings().theme;
    free_left_edge(area, buf);
    Clear.render(area, buf);
    buf.set_style(area, theme.base());
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(format!(" {title} "), theme.title(true)));
    let inner = block.inner(area);
    block.render(area, buf);
    inner
}

/// The help overlay: every bindable action with its keys.
pub struct HelpBox<'a> {
    /// The board.
    pub app: &'a App,
    /// First line shown.
    pub scroll: u16,
}

impl HelpBox<'_> {
    /// One line per action: keys, then what it does; then the selected case's commands that the
    /// operator may issue, under their own heading.
    pub fn entries(app: &App) -> Vec<(String, &'static str)> {
        let lang = app.settings().lang;
        let mut out: Vec<(String, &'static str)> = Action::BINDABLE
            .iter()
            .map(|a| {
                let keys: Vec<String> = app
                    .settings()
                    .keymap
                    .keys_for(a)
                    .iter()
                    .map(|k| k.to_string())
                    .collect();
                (keys.join(" "), a.description(lang))
            })
            .collect();
        let words = app.offered_commands();
        if !words.is_empty() {
            out.push((String::new(), lang.text().help_case_actions));
            out.extend(words.iter().map(|w| (format!(":{w}"), lang.event(w))));
        }
        out
    }

    /// Draws the box.
    pub fn render_into(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let theme = &app.settings().theme;
        let t = app.settings().lang.text();
        let entries = Self::entries(app);
        let key_w = entries
            .iter()
            .map(|(k, _)| width(k))
            .max()
            .unwrap_or(8)
            .min(16);
        let desc_w = entries.iter().map(|(_, d)| width(d)).max().unwrap_or(20);
        let col_w = key_w + 2 + desc_w;
        let two = area.width as usize >= 2 * col_w + 7;
        let per_col = if two {
            entries.len().div_ceil(2)
        } else {
            entries.len()
        };
        let box_w = if two {
            2 * col_w + 7
        } else {
            (col_w + 4).min(area.width as usize)
        };
        let box_h = (per_col + 5).min(area.height as usize);
        let rect = centered(area, box_w as u16, box_h as u16);
        let inner = frame(app, rect, buf, t.help_title);
        let list_h = usize::from(inner.height.saturating_sub(2));
        let scroll = usize::from(self.scroll).min(per_col.saturating_sub(list_h));
        let cols = if two { 2 } else { 1 };
        let cw = if two {
            col_w
        } else {
            usize::from(inner.width.saturating_sub(2))
        };
        for c in 0..cols {
            for row in 0..list_h {
                let i = c * per_col + scroll + row;
                if i >= (c + 1) * per_col || i >= entries.len() {
                    break;
                }
                let (keys, desc) = &entries[i];
                let x = inner.x + 1 + (c * (col_w + 3)) as u16;
                let y = inner.y + row as u16;
                put(buf, x, y, keys, key_w, theme.key());
                let dw = cw.saturating_sub(key_w + 2);
                put(buf, x + key_w as u16 + 2, y, desc, dw, theme.text());
            }
        }
        let foot = format!("{} · {}", t.help_prompt_keys, t.help_footer);
        let y = inner.bottom().saturating_sub(1);
        put(
            buf,
            inner.x + 1,
            y,
            &foot,
            usize::from(inner.width.saturating_sub(2)),
            theme.muted(),
        );
    }
}

/// "Quit with a form open?"
pub struct ConfirmBox<'a> {
    /// The board.
    pub app: &'a App,
}

impl ConfirmBox<'_> {
    /// Draws the box.
    pub fn render_into(self, area: Rect, buf: &mut Buffer) {
        let t = self.app.settings().lang.text();
        let w = (width(t.confirm_quit) + 6).min(usize::from(area.width)) as u16;
        let rect = centered(area, w, 3);
        let inner = frame(self.app, rect, buf, t.product);
        let theme = &self.app.settings().theme;
        put(
            buf,
            inner.x + 1,
            inner.y,
            t.confirm_quit,
            usize::from(inner.width.saturating_sub(2)),
            theme.status(false),
        );
    }
}

/// The actions menu: the command words the operator may issue on the case, each with its own
/// letter (the same in every stage).
pub struct MenuBox<'a> {
    /// The board.
    pub app: &'a App,
    /// The menu.
    pub menu: &'a Menu,
}

impl MenuBox<'_> {
    /// Draws the box.
    pub fn render_into(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let theme = &app.settings().theme;
        let lang = app.settings().lang;
        let t = lang.text();
        let m = self.menu;
        let lines: Vec<(String, &str)> = m
            .items
            .iter()
            .map(|w| {
                let key = crate::vocabulary::menu_key(w).unwrap_or(' ');
                (format!("{key} {}", lang.event(w)), *w)
            })
            .collect();
        let inner_w = lines
            .iter()
            .map(|(l, w)| width(l) + width(w) + 4)
            .chain([width(t.menu_footer) + 2])
            .max()
            .unwrap_or(20);
        let rect = centered(area, inner_w as u16 + 2, lines.len() as u16 + 4);
        let title = format!("{} · {}", t.menu_title, m.case);
        let inner = frame(app, rect, buf, &title);
        let w = usize::from(inner.width.saturating_sub(2));
        for (i, (label, word)) in lines.iter().enumerate() {
            let y = inner.y + i as u16;
            if y >= inner.bottom().saturating_sub(2) {
                break;
            }
            let style = if i == m.sel {
                theme.text().patch(theme.selected(true))
            } else {
                theme.text()
            };
            let text = format!("{label}  {word}");
            put(buf, inner.x + 1, y, &text, w, style);
        }
        let y = inner.bottom().saturating_sub(1);
        put(buf, inner.x + 1, y, t.menu_footer, w, theme.muted());
    }
}

/// A command waiting for a yes: what it will do, and for a return the second, explicit step.
pub struct ActConfirmBox<'a> {
    /// The board.
    pub app: &'a App,
    /// The command.
    pub confirm: &'a Confirm,
}

impl ActConfirmBox<'_> {
    /// The box's lines, before wrapping.
    pub fn lines(&self) -> Vec<(String, bool)> {
        let lang = self.app.settings().lang;
        let c = self.confirm;
        let mut out = vec![(c.outcome.clone(), false)];
        if c.word == "return" {
            let key = if c.step == 1 {
                "return_first"
            } else {
                "return_second"
            };
            out.push((lang.says(key).to_string(), c.step > 1));
        }
        out
    }

    /// Draws the box.
    pub fn render_into(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let theme = &app.settings().theme;
        let lang = app.settings().lang;
        let c = self.confirm;
        let w = area.width.saturating_sub(8).min(72);
        let text_w = usize::from(w.saturating_sub(4)).max(1);
        let lines = self.lines();
        let rows: usize = lines
            .iter()
            .map(|(l, _)| width(l).div_ceil(text_w).max(1))
            .sum();
        let h = (rows + 4).min(usize::from(area.height)) as u16;
        let rect = centered(area, w, h);
        let mut title = format!("{} · {}", lang.event(c.word), c.case);
        if c.steps > 1 {
            title.push_str(&format!(
                " · {} {}/{}",
                lang.says("confirm_step"),
                c.step,
                c.steps
            ));
        }
        let inner = frame(app, rect, buf, &title);
        let body = Rect::new(
            inner.x + 1,
            inner.y,
            inner.width.saturating_sub(2),
            inner.height.saturating_sub(1),
        );
        let text: Vec<Line> = lines
            .into_iter()
            .map(|(l, warn)| {
                let style = if warn {
                    theme.status(false)
                } else {
                    theme.text()
                };
                Line::from(Span::styled(l, style))
            })
            .collect();
        ratatui::widgets::Paragraph::new(text)
            .wrap(ratatui::widgets::Wrap { trim: false })
            .render(body, buf);
        let y = inner.bottom().saturating_sub(1);
        put(
            buf,
            inner.x + 1,
            y,
            lang.says("confirm_footer"),
            usize::from(inner.width.saturating_sub(2)),
            theme.key(),
        );
    }
}
