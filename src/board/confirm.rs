//! Submitting a lifecycle command: one rule — every decision (a rejection, a return, a decision on
//! a request or a reply, an evaluation, an assessment: the domain's `DECISIONS`) asks first,
//! saying what will happen as the engine's dry run decides it, and a return asks twice; the steps
//! of one's own work do not. A command the engine refuses leaves its form as it was typed.

use super::action::Action;
use super::app::{App, Mode};
use super::form::Form;
use crate::domain::calendar::cst;
use crate::domain::case::{AssessmentOutcome, CaseId};
use crate::domain::command::Command;
use crate::domain::event::{EvaluationOutcome, Event};
use crate::vocabulary::ActCommand;

/// The command words that ask for confirmation before they are done: the domain's decisions
/// ([`crate::domain::command::DECISIONS`]); the steps of one's own work are sent by the panel's
/// submit key with their outcome already in view.
pub const NEEDS_CONFIRMATION: &[&str] = crate::domain::command::DECISIONS;

/// A command waiting for the operator's yes.
#[derive(Debug, Clone)]
pub struct Confirm {
    /// The case.
    pub case: CaseId,
    /// The case version the command was prepared on.
    pub version: u64,
    /// The command.
    pub command: ActCommand,
    /// The command word.
    pub word: &'static str,
    /// This step (1-based).
    pub step: u8,
    /// How many yeses it takes (a return takes two).
    pub steps: u8,
    /// What will happen, as the engine's dry run decided it.
    pub outcome: String,
    /// The form to go back to on "no" or a refusal.
    pub form: Option<Form>,
}

impl App {
    /// Submits a command prepared by a form (kept for a refusal) or the `:` line: asks first
    /// when the step is hard to undo, else does it.
    pub(super) fn submit(
        &mut self,
        case: CaseId,
        version: u64,
        command: ActCommand,
        form: Option<Form>,
    ) {
        let word = Command::from(command.clone()).name();
        if !NEEDS_CONFIRMATION.contains(&word) {
            return self.execute_or_back(&case, version, command, form);
        }
        // A return's explicit confirmation is the second yes below, not a typed flag.
        let command = match command {
            ActCommand::Return { reason, .. } => ActCommand::Return {
                reason,
                confirm: true,
            },
            c => c,
        };
        let dry = self.service.dry_run(case.as_str(), &command.clone().into());
        match dry {
            Ok(decision) => {
                let outcome = self.describe(&decision);
                self.mode = Mode::Confirm(Confirm {
                    case,
                    version,
                    command,
                    word,
                    step: 1,
                    steps: if word == "return" { 2 } else { 1 },
                    outcome,
                    form,
                });
            }
            Err(e) => {
                let t = self.settings.lang.text();
                let why = self.error_text(&e);
                self.set_status(format!("{}: {why}", t.refused), false);
                self.back_to(form);
            }
        }
    }

    fn back_to(&mut self, form: Option<Form>) {
        if let Some(mut f) = form {
            f.error = self.status.as_ref().map(|(s, _)| s.clone());
            self.mode = Mode::Form(f);
        }
    }

    /// Executes; on a refusal the form comes back with the reason and its input intact.
    pub(super) fn execute_or_back(
        &mut self,
        case: &CaseId,
        version: u64,
        command: ActCommand,
        form: Option<Form>,
    ) {
        let key = form.as_ref().map(|f| (f.case.to_string(), f.word.clone()));
        if self.execute(case, version, command) {
            if let Some(k) = key {
                self.kept.remove(&k.0, &k.1);
                self.drafts.remove(&k);
            }
        } else {
            // After a conflict the case was fetched again: the form keeps what was typed and is
            // now made against the case as it stands, so sending it again is a decision taken
            // with the change in view.
            let form = form.map(|mut f| {
                if let Some(v) = self.version_of(f.case.as_str()) {
                    f.version = v;
                }
                f
            });
            self.back_to(form);
        }
    }

    pub(super) fn confirm(&mut self, mut c: Confirm, action: Action) {
        match action {
            Action::Confirm if c.step < c.steps => {
                c.step += 1;
                self.mode = Mode::Confirm(c);
            }
            Action::Confirm => self.execute_or_back(&c.case.clone(), c.version, c.command, c.form),
            Action::Cancel | Action::Back => {
                if let Some(f) = c.form {
                    self.mode = Mode::Form(f);
                }
            }
            Action::Quit => self.mode = Mode::ConfirmQuit(Box::new(Mode::Confirm(c))),
            other => {
                self.mode = Mode::Confirm(c);
                self.background(other);
            }
        }
    }

    /// What a command will do, from the event the engine's dry run produced.
    pub fn describe(&self, event: &Event) -> String {
        let lang = self.settings.lang;
        let s = |k| lang.says(k);
        let due = |at: chrono::DateTime<chrono::Utc>| {
            at.with_timezone(&cst())
                .format("%Y-%m-%d %H:%M")
                .to_string()
        };
        let what = match event {
            Event::Accept {
                limit_days, due_at, ..
            } => format!(
                "{} {limit_days} {} · {} {}",
                s("limit"),
                s("days"),
                s("due"),
                due(*due_at)
            ),
            Event::Joint {
                limit_days, due_at, ..
            } => {
                let at = due_at.map(due).unwrap_or_default();
                format!(
                    "{} {limit_days} {} · {} {at}",
                    s("limit"),
                    s("days"),
                    s("due")
                )
            }
            Event::Reject { reason, note } => {
                let rules = &self.model.config().rules;
                let text = rules.reject_reason(*reason).map_or("", |r| match lang {
                    super::i18n::Lang::Zh => r.zh.as_str(),
                    super::i18n::Lang::En => r.en.as_str(),
                });
                format!("{} #{reason} {text} · {note}", s("will_reject"))
            }
            Event::Return { reason, .. } => format!("{} · {reason}", s("will_return")),
            Event::ApproveReply { platform, next } if platform != next => {
                format!("{} {}", s("will_forward"), self.unit_name(next))
            }
            Event::ApproveReply { .. } => s("will_evaluate").to_string(),
            Event::Evaluate { outcome, .. } => match outcome {
                EvaluationOutcome::Closed => s("will_close"),
                EvaluationOutcome::SecondRound => s("will_second_round"),
                EvaluationOutcome::Assessment => s("will_assess"),
            }
            .to_string(),
            Event::Assess {
                unit,
                outcome,
                failed_in_a_row,
                referral,
                ..
            } => {
                let mut out = format!("{} · ", self.unit_name(unit));
                match outcome {
                    AssessmentOutcome::Pass => out.push_str(s("will_pass")),
                    AssessmentOutcome::Fail => {
                        out.push_str(&format!("{} {failed_in_a_row}", s("will_fail")))
                    }
                }
                if referral.is_some() {
                    out.push_str(&format!(" · {}", s("will_refer")));
                }
                out
            }
            Event::Dispatch { to, due_at, .. } => {
                let mut out = format!("{} {}", s("will_send"), self.unit_name(to));
                if let Some(at) = due_at {
                    out.push_str(&format!(" · {} {}", s("due"), due(*at)));
                }
                out
            }
            Event::Escalate { to, .. } => format!("{} {}", s("will_escalate"), self.unit_name(to)),
            Event::ApproveReturn { to } => {
                format!("{} {}", s("will_take_back"), self.unit_name(to))
            }
            Event::ApproveExtension { due_at, .. } => {
                let at = due_at.map(due).unwrap_or_default();
                format!("{} {at}", s("due_if_approved"))
            }
            Event::DenyReturn | Event::DenyExtension => s("will_deny").to_string(),
            Event::Reply { reviewer, .. } => {
                format!("{} {}", s("will_review"), self.unit_name(reviewer))
            }
            Event::SendBack { to, .. } => format!("{} {}", s("will_send_back"), self.unit_name(to)),
            Event::Supervise { unit, due_at, .. } => format!(
                "{} {} · {} {}",
                s("will_supervise"),
                self.unit_name(unit),
                s("due"),
                due(*due_at)
            ),
            other => lang.event(other.action()).to_string(),
        };
        format!("{}{what}", s("will"))
    }
}
