//! Command panels: opening a command's form (prefilled from the case, or from the draft kept
//! when it was closed), its keys, and what it shows while it is filled in: each field's
//! problem, the units to pick, and what the command will do as the engine's dry run decides it.

use super::action::Action;
use super::app::{App, Mode};
use super::form::{Form, Pick};
use super::i18n::Lang;
use crate::domain::calendar::cst;
use crate::domain::case::{Resolution, Satisfaction};
use crate::domain::command::Command;
use crate::domain::event::{EvaluationOutcome, Event};
use crate::domain::responsibility::Because;

/// How many units a unit field lists at most.
const MAX_PICKS: usize = 6;

impl App {
    fn pick_of(&self, id: &str, why: String) -> Pick {
        let org = &self.model.config().org;
        let name = org.get_str(id).map_or_else(String::new, |u| {
            self.settings.lang.pick(&u.name, &u.name_en).to_string()
        });
        Pick {
            id: id.to_string(),
            name,
            why,
        }
    }

    fn because(&self, b: &Because) -> String {
        let lang = self.settings.lang;
        match b {
            Because::Keyword {
                matter,
                matter_en,
                keyword,
            } => {
                let m = if lang == Lang::Zh { matter } else { matter_en };
                format!("{}「{keyword}」→ {m}", lang.says("because_keyword"))
            }
            Because::Community => lang.says("because_community").to_string(),
            Because::Locality => lang.says("because_locality").to_string(),
            Because::Named => lang.says("because_named").to_string(),
        }
    }

    /// Opens a command's form: the draft kept for this case and command if there is one (and
    /// the `:` line gave no values), else the form prefilled from the case; unit fields get the
    /// suggested routes and the units the case may go to.
    pub(super) fn open_form(&mut self, mut form: Form) {
        let key = (form.case.to_string(), form.word.clone());
        if !form.edited {
            if let Some(mut draft) = self.drafts.remove(&key) {
                draft.version = form.version;
                draft.error = None;
                form = draft;
                self.set_status(self.settings.lang.says("draft_restored"), true);
            } else if let Some(draft) = self.kept.load(&key.0, &key.1) {
                // A draft from an earlier session (a dropped connection, a quit): offered back
                // with the time it was written.
                draft.fill(&mut form);
                let at = draft.saved_at.with_timezone(&cst()).format("%m-%d %H:%M");
                let lang = self.settings.lang;
                self.set_status(format!("{}（{at}）", lang.says("draft_restored")), true);
            }
        }
        let case = self
            .detail
            .as_ref()
            .filter(|d| d.case.id == form.case)
            .map(|d| d.case.clone());
        if form.word == "accept" && !form.edited {
            let hint = case.as_ref().and_then(|c| c.category);
            if let (Some(hint), Some(f)) = (
                hint,
                form.fields.iter_mut().find(|f| f.option == "category"),
            ) {
                f.input = tui_input::Input::new(hint.as_str().to_string());
            }
            // The kind of matter suggested at intake, to confirm or change (事项分类).
            let matter = case.as_ref().and_then(|c| c.matter.clone());
            if let (Some(m), Some(f)) = (
                matter,
                form.fields.iter_mut().find(|f| f.option == "matter"),
            ) {
                f.input = tui_input::Input::new(m);
            }
        }
        if form.fields.iter().any(|f| Form::is_unit_field(&f.option)) {
            let joint = form.word == "joint";
            let id = form.case.to_string();
            form.targets = self
                .service
                .route_targets(&id, joint)
                .unwrap_or_default()
                .iter()
                .map(|u| self.pick_of(u.as_str(), String::new()))
                .collect();
            form.suggestions = self
                .service
                .suggest_routes(&id, joint, 3)
                .unwrap_or_default()
                .iter()
                .map(|s| self.pick_of(s.unit.as_str(), self.because(&s.because)))
                .collect();
        }
        // The linked case a link, an unlink or a merge names, unless the operator types another.
        if !form.edited {
            let linked = case.as_ref().and_then(|c| match form.word.as_str() {
                "link" => c.links.iter().find(|l| !l.confirmed),
                "unlink" | "merge" => c.links.first(),
                _ => None,
            });
            let option = if form.word == "merge" { "into" } else { "case" };
            if let Some(l) = linked {
                let id = l.case.to_string();
                form.prefill(option, &id);
            }
        }
        // 责任人 is the operator answering, unless they type another name.
        if form.word == "reply" && !form.edited {
            let name = self.operator.name.clone();
            form.prefill("person", &name);
        }
        if form.word == "evaluate" {
            form.grid = self.outcome_grid(&form);
        }
        if form.word == "assess" {
            let unit = case.as_ref().and_then(|c| c.assessed_unit.clone());
            if let Some(r) = unit.and_then(|u| self.service.unit_record(&u).ok()) {
                let lang = self.settings.lang;
                form.notes = vec![format!(
                    "{} {} · {} {} · {} {} · {} {} · {} {} · {} {} · {} {} · {} {}",
                    lang.says("failures_in_a_row"),
                    r.failed_assessments,
                    lang.says("referrals"),
                    r.referrals.len(),
                    lang.says("denied_returns"),
                    r.denied_returns.len(),
                    lang.says("chases"),
                    r.chases.len(),
                    lang.says("pooled"),
                    r.pooled.len(),
                    lang.says("unclaimed"),
                    r.unclaimed.len(),
                    lang.says("repeat_notices"),
                    r.repeat_notices.len(),
                    lang.says("lookbacks"),
                    r.lookbacks.len()
                )];
            }
        }
        self.update_form(&mut form);
        self.mode = Mode::Form(form);
    }

    /// The outcome of each satisfaction × resolution, from the engine's dry runs.
    fn outcome_grid(&self, form: &Form) -> Vec<Vec<String>> {
        let lang = self.settings.lang;
        Satisfaction::ALL
            .iter()
            .map(|s| {
                Resolution::ALL
                    .iter()
                    .map(|r| {
                        let cmd = Command::Evaluate {
                            satisfaction: *s,
                            resolution: *r,
                        };
                        match self.service.dry_run(form.case.as_str(), &cmd) {
                            Ok(d) => match d {
                                Event::Evaluate { outcome, .. } => lang
                                    .says(match outcome {
                                        EvaluationOutcome::Closed => "outcome_closed",
                                        EvaluationOutcome::SecondRound => "outcome_second",
                                        EvaluationOutcome::Assessment => "outcome_assess",
                                    })
                                    .to_string(),
                                _ => String::new(),
                            },
                            Err(_) => lang.says("none").to_string(),
                        }
                    })
                    .collect()
            })
            .collect()
    }

    /// How a picked unit is written into its field: by name, in the board's language, when that
    /// name finds the same unit again (so fields show 张村社区, not laoshan.zhonghan.zhangcun);
    /// by id when the name is ambiguous.
    fn pick_label(&self, targets: &[String], p: &Pick) -> String {
        if !p.name.is_empty()
            && self.resolve_among(targets, &p.name).as_deref() == Some(p.id.as_str())
        {
            p.name.clone()
        } else {
            p.id.clone()
        }
    }

    /// The unit id a unit field's typed text names: an id as is, else a unit the case may go
    /// to by name, else any unit by name.
    pub(super) fn resolve_unit(&self, f: &Form, typed: &str) -> Option<String> {
        self.resolve_among(&f.target_ids(), typed)
    }

    /// The unit id typed text names: an id as is, else one of `targets` by Chinese or English
    /// name (whole, then part), else any unit by name.
    pub(super) fn resolve_among(&self, targets: &[String], typed: &str) -> Option<String> {
        let org = &self.model.config().org;
        if org.get_str(typed).is_some() {
            return Some(typed.to_string());
        }
        let needle = typed.to_lowercase();
        let named = |exact: bool| {
            targets.iter().find(|id| {
                org.get_str(id).is_some_and(|u| {
                    if exact {
                        u.name == typed || u.name_en.to_lowercase() == needle
                    } else {
                        u.name.contains(typed) || u.name_en.to_lowercase().contains(&needle)
                    }
                })
            })
        };
        named(true)
            .or_else(|| named(false))
            .cloned()
            .or_else(|| self.unit_id(typed))
    }

    /// Works out what the form shows as it stands: field problems, the units to pick in the
    /// focused unit field, and the preview (the engine's dry run of the command).
    pub(super) fn update_form(&self, f: &mut Form) {
        f.check();
        if f.in_unit_field() {
            let token = f.token().to_lowercase();
            let org = &self.model.config().org;
            f.picks = if token.is_empty() && !f.suggestions.is_empty() {
                f.suggestions.clone()
            } else {
                f.targets
                    .iter()
                    .filter(|p| {
                        p.id.contains(&token)
                            || org.get_str(&p.id).is_some_and(|u| {
                                u.name.contains(&token) || u.name_en.to_lowercase().contains(&token)
                            })
                    })
                    .take(MAX_PICKS)
                    .cloned()
                    .collect()
            };
            f.pick = f.pick.min(f.picks.len().saturating_sub(1));
        } else {
            f.picks.clear();
        }
        let days = f
            .fields
            .iter()
            .find(|x| x.option == "days")
            .and_then(|x| x.input.value().trim().parse::<u32>().ok());
        f.preview = match f.command_resolved(&|s| self.resolve_unit(f, s)) {
            // An extension shows its new deadline as soon as the days are typed.
            Err(_) if f.word == "extend" && days.is_some() => Some(Ok(self.preview_of(
                f,
                &Event::Extend {
                    unit: crate::domain::org::UnitId::new(""),
                    days: days.unwrap_or_default(),
                    reason: String::new(),
                },
            ))),
            Ok(cmd) => {
                let mut command: Command = cmd.into();
                if let Command::Return { confirm, .. } = &mut command {
                    *confirm = true;
                }
                match self.service.dry_run(f.case.as_str(), &command) {
                    Ok(d) => Some(Ok(self.preview_of(f, &d))),
                    Err(e) => Some(Err(e.to_string())),
                }
            }
            Err(_) => None,
        };
    }

    fn preview_of(&self, f: &Form, event: &Event) -> String {
        let lang = self.settings.lang;
        match event {
            Event::Extend { days, .. } => {
                match self.service.extension_due(f.case.as_str(), *days) {
                    Ok(d) => format!(
                        "{}{} {}{}",
                        lang.says("will"),
                        lang.says("due_if_approved"),
                        d.at.with_timezone(&cst()).format("%Y-%m-%d %H:%M"),
                        if d.provisional {
                            lang.says("provisional")
                        } else {
                            ""
                        }
                    ),
                    Err(e) => e.to_string(),
                }
            }
            other => self.describe(other),
        }
    }

    pub(super) fn form(&mut self, mut f: Form, action: Action) {
        let choice = f.focused().is_some_and(|x| x.is_choice());
        let picking = f.in_unit_field() && !f.picks.is_empty();
        match action {
            Action::Type(text) => f.type_text(&text),
            Action::Backspace => f.backspace(),
            Action::Left | Action::Right if choice => f.cycle(action == Action::Right),
            Action::Up | Action::Down if picking => f.move_pick(action == Action::Down),
            Action::NextPane | Action::Down => f.move_focus(true),
            Action::PrevPane | Action::Up => f.move_focus(false),
            Action::Submit | Action::Open if f.picking && f.in_unit_field() => {
                let targets = f.target_ids();
                f.take_pick(&|p| self.pick_label(&targets, p))
            }
            // Taking a pick is never a submit, not even by Ctrl-S: Enter then sends it.
            Action::SubmitForm if f.picking && f.in_unit_field() => {
                let targets = f.target_ids();
                f.take_pick(&|p| self.pick_label(&targets, p))
            }
            // Enter in an empty unit field takes the pick shown first (a single suggestion, say)
            // instead of answering "required".
            Action::Submit | Action::Open
                if picking
                    && f.focused()
                        .is_some_and(|x| x.input.value().trim().is_empty()) =>
            {
                let targets = f.target_ids();
                f.take_pick(&|p| self.pick_label(&targets, p))
            }
            // Enter moves on to the next field; on the last one it submits. Ctrl-S submits from
            // anywhere, so a sentence typed in 办理结果 is never sent by a reflexive Enter.
            Action::Submit | Action::Open if !f.on_last_field() => f.move_focus(true),
            Action::Submit | Action::SubmitForm | Action::Open => {
                f.submitted = true;
                if f.check() {
                    match f.command_resolved(&|typed| self.resolve_unit(&f, typed)) {
                        Ok(cmd) => {
                            let (case, version) = (f.case.clone(), f.version);
                            return self.submit(case, version, cmd, Some(f));
                        }
                        Err(e) => f.error = Some(e),
                    }
                }
            }
            Action::Cancel | Action::Back => {
                if f.edited {
                    self.keep_draft(&f);
                    self.set_status(self.settings.lang.says("draft_kept"), true);
                    self.drafts.insert((f.case.to_string(), f.word.clone()), f);
                }
                return;
            }
            Action::Quit => {
                self.mode = Mode::ConfirmQuit(Box::new(Mode::Form(f)));
                return;
            }
            other => self.background(other),
        }
        self.update_form(&mut f);
        self.keep_draft(&f);
        self.mode = Mode::Form(f);
    }

    /// Writes the form's draft to disk once something was typed or chosen, so a dropped
    /// connection loses nothing (a failure is logged: the form itself goes on working).
    pub(super) fn keep_draft(&self, f: &Form) {
        if !f.edited {
            return;
        }
        let draft = super::drafts::Draft::of(f, self.service.clock().now());
        if let Err(e) = self.kept.save(&draft) {
            tracing::warn!(error = %e, case = %f.case, word = %f.word, "draft not kept on disk");
        }
    }
}
