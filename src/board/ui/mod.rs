//! Drawing the board: a layout that adapts to the terminal, and small widgets for each part.
//! Only the visible rows of the tree and queue are built.

mod detail;
mod header;
mod overlay;
mod panel;
mod queue;
mod reports;
mod tree;
mod wrap;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::Frame;

use super::app::{App, Areas, Mode, PromptKind};
use crate::text::{truncate, width};

pub use detail::DetailPane;
pub use header::Header;
pub use overlay::{ActConfirmBox, ConfirmBox, HelpBox, MenuBox};
pub use panel::FormBox;
pub use queue::QueuePane;
pub use reports::ReportsPane;
pub use tree::TreePane;

/// The smallest terminal the board lays out in.
pub const MIN_SIZE: (u16, u16) = (80, 23);

/// Where each part goes.
#[derive(Debug, Clone, Copy)]
pub struct BoardLayout {
    /// Two header lines.
    pub header: Rect,
    /// The tree pane.
    pub tree: Rect,
    /// The queue pane.
    pub queue: Rect,
    /// The detail pane (right, or below the queue when compact).
    pub detail: Rect,
    /// The bottom line.
    pub footer: Rect,
    /// Narrower than 150 columns: the detail goes below the queue.
    pub compact: bool,
}

impl BoardLayout {
    /// Lays out an area, or `None` when it is smaller than [`MIN_SIZE`].
    pub fn new(area: Rect) -> Option<BoardLayout> {
        if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
            return None;
        }
        let [header, body, footer] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Min(0),
            Constraint::Length(1),
        ])
        .areas(area);
        let compact = area.width < 150;
        let (tree, queue, detail) = if compact {
            let tree_w = if area.width < 100 { 26 } else { 30 };
            let [tree, right] =
                Layout::horizontal([Constraint::Length(tree_w), Constraint::Min(0)]).areas(body);
            let [queue, detail] =
                Layout::vertical([Constraint::Percentage(55), Constraint::Min(0)]).areas(right);
            (tree, queue, detail)
        } else {
            let tree_w = (area.width / 5).clamp(30, 40);
            let detail_w = (area.width * 3 / 10).clamp(44, 70);
            let [tree, queue, detail] = Layout::horizontal([
                Constraint::Length(tree_w),
                Constraint::Min(0),
                Constraint::Length(detail_w),
            ])
            .areas(body);
            (tree, queue, detail)
        };
        Some(BoardLayout {
            header,
            tree,
            queue,
            detail,
            footer,
            compact,
        })
    }
}

/// An earlier round in brief, shown beside the new work: who handled it and the rating it got.
fn previous_round(app: &App, prev: &crate::domain::case::RoundRecord) -> String {
    let lang = app.settings().lang;
    format!(
        "{} · {} / {}",
        prev.handled_by
            .as_ref()
            .map(|u| app.unit_name(u))
            .unwrap_or_default(),
        lang.satisfaction(prev.evaluation.satisfaction),
        lang.resolution(prev.evaluation.resolution)
    )
}

fn inner(r: Rect) -> Rect {
    Rect::new(
        r.x + 1,
        r.y + 1,
        r.width.saturating_sub(2),
        r.height.saturating_sub(2),
    )
}

fn keep_visible(offset: &mut usize, selected: usize, height: usize, len: usize) {
    if height == 0 {
        return;
    }
    if selected < *offset {
        *offset = selected;
    } else if selected >= *offset + height {
        *offset = selected + 1 - height;
    }
    *offset = (*offset).min(len.saturating_sub(height));
}

/// Draws the whole board into a frame.
pub fn render(frame: &mut Frame, app: &mut App) {
    let area = frame.area();
    if let Some(c) = render_into(frame.buffer_mut(), area, app) {
        frame.set_cursor_position(c);
    }
}

/// A pane's box: the focused pane has a thick border as well as its focus colours, so it stands
/// out in the mono theme too.
pub(super) fn pane_block(
    theme: &crate::board::theme::Theme,
    focused: bool,
) -> ratatui::widgets::Block<'static> {
    use ratatui::widgets::{Block, BorderType, Borders};
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(theme.border(focused))
}

/// Draws the whole board into a buffer; returns where the cursor goes (a prompt or form is open),
/// or `None` to hide it.
pub fn render_into(buf: &mut Buffer, area: Rect, app: &mut App) -> Option<Position> {
    app.size = (area.width, area.height);
    app.refresh();
    let Some(l) = BoardLayout::new(area) else {
        too_small(buf, area, app);
        return None;
    };
    let tree_rows = inner(l.tree);
    let q = inner(l.queue);
    let queue_rows = Rect::new(q.x, q.y + 1, q.width, q.height.saturating_sub(1));
    app.areas = Areas {
        tree: tree_rows,
        queue: queue_rows,
        detail: inner(l.detail),
    };
    let visible = app.visible_nodes().len();
    keep_visible(
        &mut app.tree_offset,
        app.tree_sel,
        usize::from(tree_rows.height),
        visible,
    );
    let detail_rows = DetailPane { app: &*app }.height(app.areas.detail.width);
    let max_scroll = detail_rows.saturating_sub(usize::from(app.areas.detail.height));
    app.detail_scroll = app.detail_scroll.min(max_scroll as u16);
    let queue_len = app.queue().len();
    keep_visible(
        &mut app.queue_offset,
        app.queue_sel,
        usize::from(queue_rows.height),
        queue_len,
    );
    let app = &*app;
    buf.set_style(area, app.settings.theme.base());
    Header { app }.render_into(l.header, buf);
    TreePane { app }.render_into(l.tree, buf);
    if app.view == super::app::View::Reports {
        ReportsPane { app }.render_into(l.queue.union(l.detail), buf);
    } else {
        QueuePane { app }.render_into(l.queue, buf);
        DetailPane { app }.render_into(l.detail, buf);
    }
    let cursor = footer(app, l.footer, buf);
    match &app.mode {
        Mode::Help(scroll) => {
            HelpBox {
                app,
                scroll: *scroll,
            }
            .render_into(area, buf);
            None
        }
        Mode::Form(f) => FormBox { app, form: f }.render_into(area, buf),
        Mode::ConfirmQuit(_) => {
            ConfirmBox { app }.render_into(area, buf);
            None
        }
        Mode::Confirm(c) => {
            ActConfirmBox { app, confirm: c }.render_into(area, buf);
            None
        }
        Mode::Menu(m) => {
            MenuBox { app, menu: m }.render_into(area, buf);
            None
        }
        _ => cursor,
    }
}

fn too_small(buf: &mut Buffer, area: Rect, app: &App) {
    let theme = &app.settings.theme;
    buf.set_style(area, theme.base());
    let t = app.settings.lang.text();
    let lines = [
        t.enlarge.to_string(),
        format!("{}×{}", area.width, area.height),
    ];
    let top = area.y + area.height.saturating_sub(lines.len() as u16) / 2;
    for (i, text) in lines.iter().enumerate() {
        let y = top + i as u16;
        if y >= area.bottom() {
            break;
        }
        let s = truncate(text, usize::from(area.width));
        let x = area.x + (area.width.saturating_sub(width(&s) as u16)) / 2;
        let style = if i == 0 {
            theme.status(false)
        } else {
            theme.muted()
        };
        buf.set_string(x, y, s, style);
    }
}

/// The bottom line: the open prompt, a status message, or the key hint. Returns where the
/// cursor goes when a prompt is open.
fn footer(app: &App, area: Rect, buf: &mut Buffer) -> Option<Position> {
    let theme = &app.settings.theme;
    let t = app.settings.lang.text();
    let w = usize::from(area.width);
    buf.set_style(area, theme.base());
    if let Mode::Prompt(p) = &app.mode {
        let label = match p.kind {
            PromptKind::Filter => t.prompt_filter,
            PromptKind::Command => t.prompt_command,
            PromptKind::Unit => t.prompt_unit,
            PromptKind::Search => t.prompt_search,
        };
        let lead = match p.kind {
            PromptKind::Filter => "/",
            PromptKind::Command => ":",
            _ => "",
        };
        let prefix = format!("{label} {lead}");
        let mut right = String::new();
        if p.kind == PromptKind::Unit && !p.input.value().is_empty() {
            right = format!(
                "  {}/{} {}",
                (p.choice + 1).min(p.matches.len()),
                p.matches.len(),
                t.matches
            );
        }
        if p.kind == PromptKind::Command && !p.completions.is_empty() {
            let current = p.completing.as_ref().map(|(_, i)| *i);
            let list: Vec<String> = p
                .completions
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if Some(i) == current {
                        format!("[{c}]")
                    } else {
                        c.clone()
                    }
                })
                .collect();
            right = truncate(&format!("  Tab {}", list.join(" ")), w / 2);
        }
        let room = w.saturating_sub(width(&prefix) + width(&right) + 1).max(1);
        let scroll = p.input.visual_scroll(room);
        let shown: String = skip_columns(p.input.value(), scroll);
        let shown = truncate(&shown, room);
        let line = Line::from(vec![
            Span::styled(prefix.clone(), theme.key()),
            Span::styled(shown, theme.text()),
            Span::styled(right, theme.muted()),
        ]);
        buf.set_line(area.x, area.y, &line, area.width);
        let cx = width(&prefix) + p.input.visual_cursor() - scroll;
        return Some(Position::new(
            area.x + (cx as u16).min(area.width.saturating_sub(1)),
            area.y,
        ));
    }
    if let Some((msg, ok)) = app.status() {
        let s = truncate(msg, w);
        buf.set_string(area.x, area.y, s, theme.status(ok));
        return None;
    }
    let hint = truncate(t.footer_hint, w);
    buf.set_string(area.x, area.y, hint, theme.muted());
    None
}

/// The text after its first `cols` columns.
fn skip_columns(s: &str, cols: usize) -> String {
    let mut used = 0;
    s.chars()
        .skip_while(|c| {
            let w = unicode_width::UnicodeWidthChar::width(*c).unwrap_or(0);
            if used >= cols {
                return false;
            }
            used += w;
            true
        })
        .collect()
}

/// Writes `s` cut to `cols` columns (ending in `…` when cut) and padded with spaces, so a
/// double-width character never straddles a column boundary.
pub(crate) fn put(buf: &mut Buffer, x: u16, y: u16, s: &str, cols: usize, style: Style) {
    let text = crate::text::pad(s, cols);
    buf.set_stringn(x, y, text, cols, style);
}

/// Writes `s` right-aligned in `cols` columns.
pub(crate) fn put_right(buf: &mut Buffer, x: u16, y: u16, s: &str, cols: usize, style: Style) {
    let t = truncate(s, cols);
    let pad = cols - width(&t);
    buf.set_stringn(x + pad as u16, y, t, cols, style);
}

/// Cuts a run of spans to `cols` columns; the cut ends in `…` at a character boundary.
pub(crate) fn fit_spans(spans: Vec<Span<'_>>, cols: usize) -> Line<'_> {
    let total: usize = spans.iter().map(|s| width(&s.content)).sum();
    if total <= cols {
        return Line::from(spans);
    }
    let limit = cols.saturating_sub(1);
    let mut out = Vec::new();
    let mut used = 0;
    for s in spans {
        let w = width(&s.content);
        if used + w <= limit {
            used += w;
            out.push(s);
            continue;
        }
        let mut cut = String::new();
        for c in s.content.chars() {
            let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            if used + cw > limit {
                break;
            }
            used += cw;
            cut.push(c);
        }
        cut.push('…');
        out.push(Span::styled(cut, s.style));
        break;
    }
    Line::from(out)
}

/// The foreground and modifiers of a style, to lay over whatever background is under it.
pub(crate) fn fg_only(s: Style) -> Style {
    Style {
        fg: s.fg,
        add_modifier: s.add_modifier,
        ..Style::default()
    }
}

/// The background and modifiers of a style (the selection), to lay over a coloured cell.
pub(crate) fn bg_only(s: Style) -> Style {
    Style {
        bg: s.bg,
        add_modifier: s.add_modifier,
        ..Style::default()
    }
}
