//! A command's panel over the board: the case as the command needs it (as received for triage,
//! the reply for review and evaluation, the parts of a joint case, round 1 beside round 2), the
//! fields with their problems, the list that goes with the focused field (the seven reasons,
//! units to pick, the 3×3 evaluation), and what the command will do.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::super::app::App;
use super::super::form::{Field, Form};
use super::super::i18n::Lang;
use super::overlay::{centered, frame};
use super::{fit_spans, put};
use crate::domain::case::{
    AssessmentOutcome, Case, Category, Kind, PendingRequest, Resolution, Satisfaction,
};
use crate::domain::privacy::mask_phone;
use crate::domain::privacy::may_see_requester as may_see_phone;
use crate::text::width;

/// A command form over the board.
pub struct FormBox<'a> {
    /// The board.
    pub app: &'a App,
    /// The form.
    pub form: &'a Form,
}

/// Cuts `s` into pieces at most `cols` columns wide, at character boundaries.
fn wrap(s: &str, cols: usize) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut used = 0;
    for c in s.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > cols.max(2) {
            out.push(String::new());
            used = 0;
        }
        used += w;
        if let Some(last) = out.last_mut() {
            last.push(c);
        }
    }
    out
}

/// How many rows a long free-text field (办理结果) shows at most.
const LONG_ROWS: usize = 3;

/// A long field's text wrapped into rows `cols` wide, and the row and column of the cursor
/// (a character index). The cursor after the last character of a full row goes to the next row,
/// so it is always inside the field.
fn wrap_at_cursor(s: &str, cursor: usize, cols: usize) -> (Vec<String>, (usize, usize)) {
    let cols = cols.max(2);
    let mut rows = vec![String::new()];
    let (mut used, mut at) = (0, (0, 0));
    for (i, c) in s.chars().enumerate() {
        if i == cursor {
            at = (rows.len() - 1, used);
        }
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > cols {
            rows.push(String::new());
            used = 0;
            if i == cursor {
                at = (rows.len() - 1, 0);
            }
        }
        used += w;
        if let Some(last) = rows.last_mut() {
            last.push(c);
        }
    }
    if cursor >= s.chars().count() {
        if used >= cols {
            rows.push(String::new());
            used = 0;
        }
        at = (rows.len() - 1, used);
    }
    (rows, at)
}

/// The rows a field takes in the panel (a long field up to [`LONG_ROWS`]).
fn field_rows(field: &Field, cols: usize) -> usize {
    if !field.is_long() || field.input.value().is_empty() {
        return 1;
    }
    let (rows, _) = wrap_at_cursor(
        field.input.value(),
        field.input.cursor(),
        cols.saturating_sub(1),
    );
    rows.len().clamp(1, LONG_ROWS)
}

fn time(t: chrono::DateTime<chrono::Utc>) -> String {
    crate::domain::calendar::cst_minutes(t)
}

impl FormBox<'_> {
    fn lang(&self) -> Lang {
        self.app.settings().lang
    }

    fn case(&self) -> Option<&Case> {
        self.app
            .detail()
            .map(|d| &d.case)
            .filter(|c| c.id == self.form.case)
    }

    /// The label of a choice field's value.
    fn choice_label(&self, f: &Field) -> String {
        let lang = self.lang();
        let v = f.input.value();
        if f.flag {
            return format!(
                "[{}] {}",
                if f.is_on() { "x" } else { " " },
                lang.says(if f.is_on() { "yes" } else { "no" })
            );
        }
        let label = match f.option.as_str() {
            "category" => v.parse::<Category>().map(|c| lang.category(c).to_string()),
            "kind" => v.parse::<Kind>().map(|k| lang.kind(k).to_string()),
            "satisfaction" => v
                .parse::<Satisfaction>()
                .map(|s| lang.satisfaction(s).to_string()),
            "resolution" => v
                .parse::<Resolution>()
                .map(|r| lang.resolution(r).to_string()),
            "outcome" if self.form.word == "lookback" => v
                .parse::<crate::domain::lookback::LookbackOutcome>()
                .map(|o| lang.lookback_outcome(o).to_string()),
            "outcome" => v.parse::<AssessmentOutcome>().map(|o| {
                lang.says(match o {
                    AssessmentOutcome::Pass => "pass",
                    AssessmentOutcome::Fail => "fail",
                })
                .to_string()
            }),
            "reason" => Ok(format!("#{v}")),
            _ => Ok(v.to_string()),
        };
        let label = match label {
            Ok(l) if !v.is_empty() => l,
            _ => lang.says("none").to_string(),
        };
        format!("◂ {label} ▸")
    }

    /// What an empty field takes: the working days the rules file allows, else the field's own
    /// hint.
    fn hint(&self, field: &Field) -> String {
        let limits = &self.app.model().config().rules.limits;
        let lang = self.lang();
        match (self.form.word.as_str(), field.option.as_str()) {
            ("joint", "days") => format!(
                "1–{} · {}",
                limits.max_joint_days,
                lang.says("days_default")
            ),
            ("extend", "days") => format!("1–{}", limits.max_extension_days),
            ("supervise", "days") => {
                let c = &self.app.model().config().rules.clocks;
                format!(
                    "1–{} · {} {}",
                    c.max_supervision_days,
                    lang.says("days_default"),
                    c.supervision_days
                )
            }
            _ => field.hint().to_string(),
        }
    }

    /// What the panel says about the case before the fields.
    fn context(&self, cols: usize) -> Vec<Line<'static>> {
        let app = self.app;
        let theme = &app.settings().theme;
        let lang = self.lang();
        let t = lang.text();
        let l = &t.label;
        let Some(c) = self.case() else {
            return Vec::new();
        };
        let text = |s: String| Line::from(Span::styled(s, theme.text()));
        let pair = |k: &str, v: String| {
            Line::from(vec![
                Span::styled(format!("{k} "), theme.label()),
                Span::styled(v, theme.text()),
            ])
        };
        let phone = |p: &str| {
            if may_see_phone(app.operator(), c) {
                p.to_string()
            } else {
                mask_phone(p)
            }
        };
        let mut out = vec![Line::from(Span::styled(
            c.title.clone(),
            theme.text().patch(Style::new().bold()),
        ))];
        if c.round > 1 {
            out[0].spans.insert(
                0,
                Span::styled(format!("{} ", t.round2_mark), theme.round2()),
            );
        }
        match self.form.word.as_str() {
            "accept" | "reject" | "dispatch" | "joint" => {
                let mut who = format!(
                    "{} · {} {} · {}",
                    lang.channel(c.channel),
                    c.requester.name,
                    phone(&c.requester.phone),
                    time(c.received_at)
                );
                if let Some(x) = &c.external_id {
                    who.push_str(&format!(" · {x}"));
                }
                out.push(text(who));
                let place = match (&c.community, &c.address) {
                    (Some(u), Some(a)) => format!("{} · {a}", self.app.unit_name(u)),
                    (Some(u), None) => self.app.unit_name(u),
                    (None, Some(a)) => a.clone(),
                    (None, None) => String::new(),
                };
                if !place.is_empty() {
                    out.push(pair(l.address, place));
                }
                for piece in wrap(&c.description, cols).into_iter().take(3) {
                    out.push(Line::from(Span::styled(piece, theme.muted())));
                }
            }
            "approve-reply" | "send-back" | "evaluate" => {
                // The citizen's demand beside the reply that answers it.
                if let Some(first) = wrap(&c.description, cols).into_iter().next() {
                    out.push(Line::from(Span::styled(first, theme.muted())));
                }
                if let Some(r) = &c.reply {
                    out.push(pair(l.reply, r.result.clone()));
                    out.push(pair(l.basis, r.basis.clone()));
                    out.push(pair(
                        l.person,
                        format!(
                            "{} {} · {}",
                            r.person,
                            phone(&r.phone),
                            self.app.unit_name(&r.unit)
                        ),
                    ));
                }
            }
            "approve-return" | "deny-return" | "approve-extension" | "deny-extension" => {
                let mut due = format!("{} {}", lang.stage(c.stage), self.app.unit_name(&c.holder));
                if let Some(d) = c.due_at {
                    due.push_str(&format!(" · {} {}", l.due, time(d)));
                }
                out.push(text(due));
                let why = match &c.pending {
                    Some(PendingRequest::Return { unit, reason, at }) => {
                        out.push(pair(
                            l.pending_return,
                            format!("{} · {}", self.app.unit_name(unit), time(*at)),
                        ));
                        reason
                    }
                    Some(PendingRequest::Extension {
                        unit,
                        days,
                        reason,
                        at,
                    }) => {
                        out.push(pair(
                            l.pending_extension,
                            format!(
                                "{} · +{days}{} · {}",
                                self.app.unit_name(unit),
                                l.days,
                                time(*at)
                            ),
                        ));
                        reason
                    }
                    None => "",
                };
                out.push(pair(lang.field("reason"), why.to_string()));
            }
            _ => {
                let mut due = format!("{} {}", lang.stage(c.stage), self.app.unit_name(&c.holder));
                if let Some(d) = c.due_at {
                    due.push_str(&format!(" · {} {}", l.due, time(d)));
                }
                out.push(text(due));
            }
        }
        if let Some(lead) = &c.lead {
            out.push(pair(l.lead, self.app.unit_name(lead)));
            for s in &c.supporting {
                let part = c.parts.iter().find(|p| &p.unit == s && p.round == c.round);
                let state = match part {
                    Some(p) => format!("{}: {}", lang.says("reported"), p.text),
                    None => lang.says("waiting").to_string(),
                };
                out.push(pair(
                    l.supporting,
                    format!("{} — {state}", self.app.unit_name(s)),
                ));
            }
        }
        for prev in &c.previous_rounds {
            let reply = prev
                .reply
                .as_ref()
                .map(|r| r.result.clone())
                .unwrap_or_default();
            out.push(pair(
                &lang.round_name(prev.round),
                format!("{} · {reply}", super::previous_round(self.app, prev)),
            ));
        }
        for n in &self.form.notes {
            out.push(Line::from(Span::styled(n.clone(), theme.key())));
        }
        out
    }

    /// The list that goes with the form: the seven reasons, units to pick, or the 3×3 grid.
    fn list(&self, cols: usize) -> Vec<Line<'static>> {
        let app = self.app;
        let theme = &app.settings().theme;
        let lang = self.lang();
        let f = self.form;
        let mut out = Vec::new();
        let focused = f.focused();
        if f.word == "reject" {
            let chosen = f
                .fields
                .iter()
                .find(|x| x.option == "reason")
                .map(|x| x.input.value().to_string())
                .unwrap_or_default();
            out.push(Line::from(Span::styled(
                lang.says("reasons_title").to_string(),
                theme.label(),
            )));
            for r in &app.model().config().rules.reject_reason {
                let text = match lang {
                    Lang::Zh => &r.zh,
                    Lang::En => &r.en,
                };
                let on = chosen == r.code.to_string();
                let style = if on {
                    theme.text().patch(theme.selected(true))
                } else {
                    theme.text()
                };
                let mark = if on { "▸" } else { " " };
                for (i, piece) in wrap(text, cols.saturating_sub(4)).into_iter().enumerate() {
                    let head = if i == 0 {
                        format!("{mark}{} ", r.code)
                    } else {
                        "   ".to_string()
                    };
                    out.push(Line::from(Span::styled(format!("{head}{piece}"), style)));
                }
            }
        } else if focused.is_some_and(|x| Form::is_unit_field(&x.option)) {
            let title = if f.token().is_empty() && !f.suggestions.is_empty() {
                "suggested_title"
            } else {
                "picks_title"
            };
            out.push(Line::from(Span::styled(
                lang.says(title).to_string(),
                theme.label(),
            )));
            if f.picks.is_empty() {
                out.push(Line::from(Span::styled(
                    lang.says("no_picks").to_string(),
                    theme.muted(),
                )));
            }
            for (i, p) in f.picks.iter().enumerate() {
                let style = if i == f.pick && f.picking {
                    theme.text().patch(theme.selected(true))
                } else {
                    theme.text()
                };
                out.push(Line::from(vec![
                    Span::styled(format!(" {} {}  ", p.name, p.id), style),
                    Span::styled(p.why.clone(), theme.muted()),
                ]));
            }
        } else if f.word == "evaluate" && f.grid.len() == 3 {
            out.push(Line::from(Span::styled(
                lang.says("grid_title").to_string(),
                theme.label(),
            )));
            let value = |o: &str| {
                f.fields
                    .iter()
                    .find(|x| x.option == o)
                    .map_or(0, |x| x.chosen())
            };
            let (sel_s, sel_r) = (value("satisfaction"), value("resolution"));
            let cell = (cols / 4).min(if lang == Lang::Zh { 10 } else { 20 });
            // Each cell keeps a space after its text, so neighbours never run together.
            let pad = |s: &str| format!("{} ", crate::text::pad(s, cell.saturating_sub(1)));
            let mut head = vec![Span::raw(pad(""))];
            for r in Resolution::ALL {
                head.push(Span::styled(pad(lang.resolution(*r)), theme.label()));
            }
            out.push(Line::from(head));
            for (i, s) in Satisfaction::ALL.iter().enumerate() {
                let mut row = vec![Span::styled(pad(lang.satisfaction(*s)), theme.label())];
                for (j, o) in f.grid[i].iter().enumerate() {
                    let style = if (i, j) == (sel_s, sel_r) {
                        theme.text().patch(theme.selected(true))
                    } else {
                        theme.text()
                    };
                    row.push(Span::styled(pad(o), style));
                }
                out.push(Line::from(row));
            }
        }
        out
    }

    /// Draws the box; returns where the cursor goes.
    pub fn render_into(self, area: Rect, buf: &mut Buffer) -> Option<Position> {
        let app = self.app;
        let theme = &app.settings().theme;
        let lang = self.lang();
        let f = self.form;
        let w = area.width.saturating_sub(4).min(100);
        let cols = usize::from(w.saturating_sub(4));
        let context = self.context(cols);
        let list = self.list(cols);
        let shows_problem = |x: &Field| (x.touched || f.submitted) && x.problem.is_some();
        let label_w = f
            .fields
            .iter()
            .map(|x| width(x.label(lang)))
            .max()
            .unwrap_or(6)
            + 2;
        let field_w = cols.saturating_sub(label_w);
        let field_rows: usize = f
            .fields
            .iter()
            .map(|x| field_rows(x, field_w) + usize::from(shows_problem(x)))
            .sum();
        let message = match (&f.error, &f.preview) {
            (Some(e), _) => Some((e.clone(), false)),
            (None, Some(Err(e))) if f.fields.iter().all(|x| x.problem.is_none()) => {
                Some((e.clone(), false))
            }
            (None, Some(Ok(p))) => Some((p.clone(), true)),
            _ => None,
        };
        let message_rows = message
            .as_ref()
            .map_or(0, |(m, _)| width(m).div_ceil(cols.max(1)).min(3));
        let fixed = field_rows + message_rows + 1 + 2;
        let most = usize::from(area.height.saturating_sub(2)).saturating_sub(2);
        let room = most.saturating_sub(fixed);
        let list_rows = list.len().min(room.saturating_sub(context.len().min(2)));
        let context_rows = context.len().min(room - list_rows);
        let h = (context_rows + list_rows + fixed + 2).min(usize::from(area.height)) as u16;
        let rect = centered(area, w, h);
        let title = format!("{} · {}", lang.event(&f.word), f.case);
        let inner = frame(app, rect, buf, &title);
        let x = inner.x + 1;
        let mut y = inner.y;
        for line in context.into_iter().take(context_rows) {
            buf.set_line(x, y, &fit_spans(line.spans, cols), cols as u16);
            y += 1;
        }
        y += 1;
        let mut cursor = None;
        for (i, field) in f.fields.iter().enumerate() {
            if y >= inner.bottom() {
                break;
            }
            let focused = i == f.focus;
            let mark = if field.required { "*" } else { " " };
            let label = format!("{mark}{}", field.label(lang));
            put(buf, x, y, &label, label_w, theme.label());
            let fx = x + label_w as u16;
            let style = theme.selected(focused);
            if field.is_choice() {
                put(buf, fx, y, &self.choice_label(field), field_w, style);
            } else if field.is_long() && !field.input.value().is_empty() {
                // A sentence wraps over up to LONG_ROWS rows; the rows shown follow the cursor.
                let (rows, (row, col)) = wrap_at_cursor(
                    field.input.value(),
                    field.input.cursor(),
                    field_w.saturating_sub(1),
                );
                let shown = rows.len().clamp(1, LONG_ROWS);
                let first = if focused {
                    (row + 1).saturating_sub(shown)
                } else {
                    0
                };
                for (k, piece) in rows.iter().skip(first).take(shown).enumerate() {
                    if y + (k as u16) < inner.bottom() {
                        put(buf, fx, y + k as u16, piece, field_w, style);
                    }
                }
                if focused {
                    let cy = y + (row - first) as u16;
                    cursor = Some(Position::new(fx + col as u16, cy));
                }
                y += shown as u16 - 1;
            } else {
                let value = field.input.value();
                let scroll = field.input.visual_scroll(field_w.saturating_sub(1));
                if value.is_empty() {
                    let s = theme.muted().patch(super::bg_only(style));
                    put(buf, fx, y, &self.hint(field), field_w, s);
                } else {
                    put(
                        buf,
                        fx,
                        y,
                        &super::skip_columns(value, scroll),
                        field_w,
                        style,
                    );
                }
                if focused {
                    let cx = field.input.visual_cursor() - scroll;
                    cursor = Some(Position::new(fx + cx as u16, y));
                }
            }
            y += 1;
            if shows_problem(field) {
                if let Some(p) = field.problem {
                    let text = format!("↳ {}", lang.says(p));
                    put(buf, fx, y, &text, field_w, theme.status(false));
                    y += 1;
                }
            }
        }
        y += 1;
        for line in list.into_iter().take(list_rows) {
            buf.set_line(x, y, &fit_spans(line.spans, cols), cols as u16);
            y += 1;
        }
        if let Some((m, ok)) = message {
            for piece in wrap(&m, cols).into_iter().take(message_rows) {
                if y >= inner.bottom().saturating_sub(1) {
                    break;
                }
                let style = if ok { theme.key() } else { theme.status(false) };
                put(buf, x, y, &piece, cols, style);
                y += 1;
            }
        }
        let foot_y = inner.bottom().saturating_sub(1);
        put(
            buf,
            x,
            foot_y,
            lang.says("panel_footer"),
            cols,
            theme.muted(),
        );
        cursor
    }
}
