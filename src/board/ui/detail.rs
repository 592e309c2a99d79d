//! The case detail: everything about the selected case and its history timeline. The
//! requester's phone is masked unless the operator's role may see it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::super::app::{App, Pane};
use super::super::i18n::Lang;
use crate::domain::calendar::cst;
use crate::domain::case::PendingRequest;
use crate::domain::deadlines::{self, ClockKind};
use crate::domain::event::Event;
use crate::domain::light::format_countdown;
use crate::domain::privacy::mask_phone;
use crate::domain::privacy::may_see_requester as may_see_phone;
use crate::text::pad;

/// The detail pane.
pub struct DetailPane<'a> {
    /// The board.
    pub app: &'a App,
}

fn time(t: chrono::DateTime<chrono::Utc>) -> String {
    crate::domain::calendar::cst_minutes(t)
}

fn short_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&cst()).format("%m-%d %H:%M").to_string()
}

/// A clock's time left, `(1d 03h)`, in the overdue style once negative.
fn countdown(
    v: &deadlines::ClockView,
    theme: &crate::board::theme::Theme,
    gap: &str,
) -> Span<'static> {
    let left = chrono::Duration::seconds(v.remaining_secs);
    let style = match v.remaining_secs < 0 {
        true => theme.overdue(),
        false => theme.text(),
    };
    Span::styled(format!("{gap}({})", format_countdown(left)), style)
}

impl DetailPane<'_> {
    /// What one history entry says besides its action word.
    fn event_detail(&self, e: &Event) -> String {
        let lang = self.app.settings().lang;
        let t = lang.text();
        match e {
            Event::Intake {
                channel,
                external_id,
                links,
                ..
            } => {
                let mut s = match external_id {
                    Some(x) => format!("{} {x}", lang.channel(*channel)),
                    None => lang.channel(*channel).to_string(),
                };
                if !links.is_empty() {
                    let ids: Vec<&str> = links.iter().map(|l| l.case.as_str()).collect();
                    s.push_str(&format!(" · {} {}", lang.says("linked"), ids.join(", ")));
                }
                s
            }
            Event::Accept {
                category,
                kind,
                limit_days,
                ..
            } => {
                let kind = kind
                    .map(|k| format!("/{}", lang.kind(k)))
                    .unwrap_or_default();
                format!(
                    "{}{kind} {limit_days}{}",
                    lang.category(*category),
                    t.label.days
                )
            }
            Event::Reject { reason, note } => format!("#{reason} {note}"),
            Event::Dispatch { to, .. } => format!("→ {}", self.app.unit_name(to)),
            Event::Joint { lead, support, .. } => format!(
                "{} {} · {} {}",
                t.label.lead,
                self.app.unit_name(lead),
                t.label.supporting,
                support
                    .iter()
                    .map(|u| self.app.unit_name(u))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            Event::Sign { unit } => self.app.unit_name(unit),
            Event::Contact { unit, note } => format!("{}: {note}", self.app.unit_name(unit)),
            Event::Feedback { unit, text } => format!("{}: {text}", self.app.unit_name(unit)),
            Event::Recompute {
                year,
                version,
                moved,
            } => moved
                .iter()
                .map(|m| {
                    format!(
                        "{} {} → {}",
                        lang.clock_name(m.kind),
                        short_time(m.from),
                        short_time(m.to)
                    )
                })
                .chain([format!("{year} v{version}")])
                .collect::<Vec<_>>()
                .join(" · "),
            Event::Escalate { from, to, note } => format!(
                "{} → {} {}",
                self.app.unit_name(from),
                self.app.unit_name(to),
                note.as_deref().unwrap_or("")
            ),
            Event::Return { unit, reason } => format!("{}: {reason}", self.app.unit_name(unit)),
            Event::ApproveReturn { to } => format!("→ {}", self.app.unit_name(to)),
            Event::Extend { days, reason, .. } => format!("+{days}{} {reason}", t.label.days),
            Event::ApproveExtension { days, due_at } => format!(
                "+{days}{}{}",
                t.label.days,
                due_at
                    .map(|d| format!(" → {}", short_time(d)))
                    .unwrap_or_default()
            ),
            Event::Report { unit, text } => format!("{}: {text}", self.app.unit_name(unit)),
            Event::Reply { reply, .. } => reply.result.clone(),
            Event::ApproveReply { next, .. } => format!("→ {}", self.app.unit_name(next)),
            Event::SendBack { note, to } => format!("→ {}: {note}", self.app.unit_name(to)),
            Event::Evaluate {
                satisfaction,
                resolution,
                ..
            } => format!(
                "{} / {}",
                lang.satisfaction(*satisfaction),
                lang.resolution(*resolution)
            ),
            Event::Assess {
                unit,
                outcome,
                referral,
                ..
            } => format!(
                "{} {}{}",
                self.app.unit_name(unit),
                outcome,
                if referral.is_some() {
                    format!(" · {}", t.label.referral)
                } else {
                    String::new()
                }
            ),
            Event::Supervise {
                unit, note, due_at, ..
            } => format!(
                "{}: {note} · {} {}",
                self.app.unit_name(unit),
                t.label.due,
                short_time(*due_at)
            ),
            Event::AnswerSupervision { unit, text } => {
                format!("{}: {text}", self.app.unit_name(unit))
            }
            // 催办: the unit and the clock that ran out; a pool move says so first.
            Event::Chase {
                level,
                unit,
                clock,
                late_since,
            } => format!(
                "{}{} · {} {} {}",
                match level {
                    crate::domain::chasing::ChaseLevel::Pooled => {
                        format!("{} · ", lang.chase_level(*level))
                    }
                    _ => String::new(),
                },
                self.app.unit_name(unit),
                lang.clock_name(*clock),
                t.label.due,
                short_time(*late_since)
            ),
            Event::Publish { units, until } => format!(
                "→ {} · {} {}",
                units
                    .iter()
                    .map(|u| self.app.unit_name(u))
                    .collect::<Vec<_>>()
                    .join("、"),
                t.label.due,
                short_time(*until)
            ),
            Event::Claim { unit, .. } => self.app.unit_name(unit),
            Event::GrabClosed { units } => units
                .iter()
                .map(|u| self.app.unit_name(u))
                .collect::<Vec<_>>()
                .join("、"),
            Event::Link {
                linked: case,
                reason,
                complaints,
                repeat_notice,
            } => {
                let mut s = format!(
                    "{case} · {} · {} ×{complaints}",
                    lang.link_reason(*reason),
                    lang.says("repeat")
                );
                if let Some(due) = repeat_notice {
                    s.push_str(&format!(
                        " · {} {} {}",
                        lang.event("supervise"),
                        t.label.due,
                        short_time(*due)
                    ));
                }
                s
            }
            Event::Unlink {
                linked: case,
                complaints,
            } => {
                format!("{case} · {} ×{complaints}", lang.says("repeat"))
            }
            Event::Merge { into, .. } => format!("→ {into}"),
            Event::MergedIn { merged } => format!("← {merged}"),
            Event::LookbackDrawn { month, unit, .. } => {
                format!("{month} · {}", self.app.unit_name(unit))
            }
            Event::Lookback {
                outcome,
                note,
                unit,
                reopened,
            } => {
                let again = match reopened {
                    true => format!(" · {}", lang.says("reopened")),
                    false => String::new(),
                };
                format!(
                    "{} · {}: {note}{again}",
                    lang.lookback_outcome(*outcome),
                    self.app.unit_name(unit)
                )
            }
            Event::DenyReturn | Event::DenyExtension => String::new(),
        }
    }

    /// The lines of the detail (before wrapping).
    pub fn lines(&self) -> Vec<Line<'static>> {
        let app = self.app;
        let theme = &app.settings().theme;
        let lang = app.settings().lang;
        let t = lang.text();
        let l = &t.label;
        let Some(view) = &app.detail else {
            return vec![Line::styled(t.no_case_selected.to_string(), theme.muted())];
        };
        let c = &view.case;
        let label_w = if lang == Lang::Zh { 9 } else { 11 };
        let label = |s: &str| Span::styled(pad(s, label_w), theme.label());
        let text = |s: String| Span::styled(s, theme.text());
        let mut out: Vec<Line<'static>> = Vec::new();
        let mut head = vec![Span::styled(c.id.to_string(), theme.title(true))];
        if let Some(light) = view.light {
            head.insert(
                0,
                Span::styled(
                    format!("{} ", theme.light_symbol(light)),
                    theme.light(light),
                ),
            );
        }
        out.push(Line::from(head));
        out.push(Line::styled(
            c.title.clone(),
            theme.text().patch(Style::new().bold()),
        ));
        let mut stage = vec![
            label(l.stage),
            Span::styled(lang.stage(c.stage).to_string(), theme.stage(c.stage)),
        ];
        if c.round > 1 {
            stage.push(Span::styled(
                format!("  {} {}", t.round2_mark, l.round),
                theme.round2(),
            ));
        }
        out.push(Line::from(stage));
        out.push(Line::from(vec![
            label(l.holder),
            text(self.app.unit_name(&c.holder)),
        ]));
        let platform = app.model().config().org.get(&c.district);
        let brand = platform
            .and_then(|p| match lang {
                Lang::Zh => p.platform_name.clone(),
                Lang::En => p.platform_name_en.clone(),
            })
            .map(|b| format!(" {b}"))
            .unwrap_or_default();
        out.push(Line::from(vec![
            label(l.district),
            text(format!("{}{brand}", self.app.unit_name(&c.district))),
        ]));
        out.push(Line::from(vec![
            label(l.channel),
            text(lang.channel(c.channel).to_string()),
        ]));
        if let Some(cat) = c.category {
            let kind = c
                .kind
                .map(|k| format!(" / {}", lang.kind(k)))
                .unwrap_or_default();
            let complex = if c.complex {
                format!(" / {}", l.complex)
            } else {
                String::new()
            };
            out.push(Line::from(vec![
                label(l.category),
                text(format!("{}{kind}{complex}", lang.category(cat))),
            ]));
        }
        let phone = if may_see_phone(app.operator(), c) {
            c.requester.phone.clone()
        } else {
            mask_phone(&c.requester.phone)
        };
        out.push(Line::from(vec![
            label(l.requester),
            text(format!("{} {phone}", c.requester.name)),
        ]));
        if let Some(a) = &c.address {
            out.push(Line::from(vec![label(l.address), text(a.clone())]));
        }
        if let Some(x) = &c.external_id {
            out.push(Line::from(vec![label(l.external_id), text(x.clone())]));
        }
        out.push(Line::from(vec![
            label(l.received),
            text(time(c.received_at)),
        ]));
        if let Some(a) = c.accepted_at {
            out.push(Line::from(vec![label(l.accepted), text(time(a))]));
        }
        let now = app.model().now();
        let cfg = app.model().config();
        let clocks = deadlines::views(&c.stage_clocks, now, &cfg.calendar, &cfg.rules);
        // Parts show on their supporting unit's line below.
        let own: Vec<_> = clocks
            .iter()
            .filter(|v| v.kind != ClockKind::Part)
            .collect();
        for (i, v) in own.iter().enumerate() {
            // One line per running clock, most urgent first: 受理 / 联系 / 办理 / 审核 / 回访 / 2115.
            let head = if i == 0 { l.due } else { "" };
            let name = match v.province {
                true => format!("2115·{}", lang.clock_name(v.kind)),
                false => lang.clock_name(v.kind).to_string(),
            };
            let mut spans = vec![
                label(head),
                Span::styled(
                    format!("{} ", theme.light_symbol(v.light)),
                    theme.light(v.light),
                ),
                text(format!("{name} {}", time(v.due_at))),
            ];
            spans.push(countdown(v, theme, "  "));
            if let Some(u) = &v.unit {
                spans.push(text(format!("  {}", self.app.unit_name(u))));
            }
            if v.provisional {
                spans.push(Span::styled(format!("  {}", l.provisional), theme.muted()));
            }
            out.push(Line::from(spans));
        }
        if clocks.is_empty() {
            if let Some(due) = c.due_at {
                out.push(Line::from(vec![label(l.due), text(time(due))]));
            }
        }
        if let Some(lead) = &c.lead {
            out.push(Line::from(vec![
                label(l.lead),
                text(self.app.unit_name(lead)),
            ]));
            for s in &c.supporting {
                let part = c.parts.iter().find(|p| &p.unit == s && p.round == c.round);
                let state = part.map_or_else(
                    || l.waiting.to_string(),
                    |p| format!("{} {}", short_time(p.at), p.text),
                );
                let mut spans = vec![
                    label(l.supporting),
                    text(format!("{} — {state}", self.app.unit_name(s))),
                ];
                // Its part's own due time and light, while it runs.
                let clock = clocks
                    .iter()
                    .find(|v| v.kind == ClockKind::Part && v.unit.as_ref() == Some(s));
                if let Some(v) = clock {
                    spans.push(text(format!(" · {} ", short_time(v.due_at))));
                    spans.push(Span::styled(
                        theme.light_symbol(v.light).to_string(),
                        theme.light(v.light),
                    ));
                    spans.push(countdown(v, theme, " "));
                }
                out.push(Line::from(spans));
            }
        }
        if let Some(p) = &c.pending {
            let s = match p {
                PendingRequest::Return { unit, reason, .. } => {
                    format!(
                        "{} · {}: {reason}",
                        l.pending_return,
                        self.app.unit_name(unit)
                    )
                }
                PendingRequest::Extension {
                    unit, days, reason, ..
                } => format!(
                    "{} +{days}{} · {}: {reason}",
                    l.pending_extension,
                    l.days,
                    self.app.unit_name(unit)
                ),
            };
            out.push(Line::from(vec![
                label(l.pending),
                Span::styled(s, theme.key()),
            ]));
        }
        out.extend(self.matter_lines(c, &label));
        if let Some(r) = &c.reply {
            out.push(Line::from(vec![label(l.reply), text(r.result.clone())]));
            out.push(Line::from(vec![label(l.basis), text(r.basis.clone())]));
            let phone = if may_see_phone(app.operator(), c) {
                r.phone.clone()
            } else {
                mask_phone(&r.phone)
            };
            out.push(Line::from(vec![
                label(l.person),
                text(format!("{} {phone}", r.person)),
            ]));
        }
        // Round 1 beside the new work: who handled it, its reply, and the rating it got.
        for prev in &c.previous_rounds {
            out.push(Line::from(vec![
                label(&lang.round_name(prev.round)),
                Span::styled(super::previous_round(self.app, prev), theme.round2()),
            ]));
            if let Some(r) = &prev.reply {
                let sub = |s: &str| label(&format!(" {s}"));
                out.push(Line::from(vec![sub(l.reply), text(r.result.clone())]));
                out.push(Line::from(vec![sub(l.basis), text(r.basis.clone())]));
            }
        }
        if let Some(e) = &c.evaluation {
            out.push(Line::from(vec![
                label(l.evaluation),
                text(format!(
                    "{} / {}",
                    lang.satisfaction(e.satisfaction),
                    lang.resolution(e.resolution)
                )),
            ]));
        }
        if let (Some(u), Some(o)) = (&c.assessed_unit, c.assessment) {
            out.push(Line::from(vec![
                label(l.assessment),
                text(format!("{} {o}", self.app.unit_name(u))),
            ]));
        }
        if let Some(r) = &c.referral {
            out.push(Line::from(vec![
                label(l.referral),
                Span::styled(
                    format!("{} {}", self.app.unit_name(&r.unit), time(r.at)),
                    theme.status(false),
                ),
            ]));
        }
        if let Some(code) = c.reject_reason {
            out.push(Line::from(vec![
                label(l.reject_reason),
                text(format!("#{code}")),
            ]));
        }
        out.push(Line::default());
        out.push(Line::styled(l.description.to_string(), theme.label()));
        out.push(Line::styled(c.description.clone(), theme.text()));
        out.push(Line::default());
        out.push(Line::styled(l.history.to_string(), theme.label()));
        for h in &view.history {
            let detail = self.event_detail(&h.event);
            out.push(Line::from(vec![
                Span::styled(format!("{} ", short_time(h.at)), theme.muted()),
                Span::styled(format!("{} ", lang.event(h.event.action())), theme.key()),
                Span::styled(format!("{} ", h.by), theme.muted()),
                text(detail),
            ]));
        }
        out
    }

    /// The matter's lines: `重复 ×N` with the linked cases (a suggestion marked 待确认), the case
    /// this one was merged into, and the cases merged into it with their requesters.
    fn matter_lines(
        &self,
        c: &crate::domain::case::Case,
        label: &dyn Fn(&str) -> Span<'static>,
    ) -> Vec<Line<'static>> {
        let theme = &self.app.settings().theme;
        let lang = self.app.settings().lang;
        let mut out = Vec::new();
        if !c.links.is_empty() {
            let links: Vec<String> = c
                .links
                .iter()
                .map(|k| match k.confirmed {
                    true => format!("{} {}", k.case, lang.link_reason(k.reason)),
                    false => format!(
                        "{} {} ({})",
                        k.case,
                        lang.link_reason(k.reason),
                        lang.says("unconfirmed")
                    ),
                })
                .collect();
            out.push(Line::from(vec![
                label(lang.says("repeat")),
                Span::styled(
                    format!(
                        "×{} · {}",
                        crate::domain::repeat::complaints(c),
                        links.join("；")
                    ),
                    theme.supervision_mark(),
                ),
            ]));
        }
        if let Some(lb) = &c.lookback {
            let state = match &lb.visit {
                None => lang.says("lookback_drawn").to_string(),
                Some(v) => format!("{} · {}", lang.lookback_outcome(v.outcome), v.note),
            };
            out.push(Line::from(vec![
                label(lang.says("lookbacks")),
                Span::styled(format!("{} · {state}", lb.month), theme.supervision_mark()),
            ]));
        }
        if let Some(into) = &c.merged_into {
            out.push(Line::from(vec![
                label(lang.says("merged_into")),
                Span::styled(into.to_string(), theme.key()),
            ]));
        }
        for m in &c.merged {
            let phone = match may_see_phone(self.app.operator(), c) {
                true => m.requester.phone.clone(),
                false => mask_phone(&m.requester.phone),
            };
            out.push(Line::from(vec![
                label(lang.says("merged_in")),
                Span::styled(
                    format!("{} · {} {phone}", m.case, m.requester.name),
                    theme.text(),
                ),
            ]));
        }
        out
    }

    /// How many rows the detail takes when wrapped to `cols` columns.
    pub fn height(&self, cols: u16) -> usize {
        super::wrap::wrap_lines(&self.lines(), usize::from(cols.max(1))).len()
    }

    /// Draws the pane.
    pub fn render_into(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let theme = &app.settings().theme;
        let t = app.settings().lang.text();
        let focused = app.focus == Pane::Detail;
        let block = super::pane_block(theme, focused).title(Span::styled(
            format!(" {} ", t.detail),
            theme.title(focused),
        ));
        let cols = usize::from(area.width.saturating_sub(2));
        Paragraph::new(super::wrap::wrap_lines(&self.lines(), cols))
            .scroll((app.detail_scroll, 0))
            .block(block)
            .render(area, buf);
    }
}
