//! Workflow on the board: the actions the operator may take on the selected case (worked out by
//! the engine from the lifecycle's own rules), the actions menu, and starting a command's panel.

use super::action::Action;
use super::app::{App, Mode};
use super::form::{self, Form, Parsed};
use crate::domain::case::CaseId;

/// The actions menu (`a`): the command words the operator may issue on one case.
#[derive(Debug, Clone)]
pub struct Menu {
    /// The case.
    pub case: CaseId,
    /// The command words, in lifecycle order.
    pub items: Vec<&'static str>,
    /// The highlighted item.
    pub sel: usize,
}

/// Decisions without options that still open a panel from the menu, to show the reply or the
/// request being decided and what the decision will do.
const DECISION_PANELS: &[&str] = &[
    "approve-reply",
    "approve-return",
    "deny-return",
    "approve-extension",
    "deny-extension",
];

impl App {
    /// The command words the operator may issue on the selected case now, in lifecycle order.
    /// The help overlay, the actions menu and the `:` line's completion offer exactly these.
    pub fn offered_commands(&self) -> &[&'static str] {
        &self.offered
    }

    pub(super) fn open_menu(&mut self) {
        let t = self.settings.lang.text();
        let Some((case, _)) = self.selected_version() else {
            return self.set_status(t.select_a_case, false);
        };
        if self.offered.is_empty() {
            return self.set_status(format!("{}: {case}", t.no_actions), false);
        }
        self.mode = Mode::Menu(Menu {
            case,
            items: self.offered.clone(),
            sel: 0,
        });
    }

    pub(super) fn menu(&mut self, mut m: Menu, action: Action) {
        let n = m.items.len().max(1);
        match action {
            Action::Up => m.sel = (m.sel + n - 1) % n,
            Action::Down | Action::NextPane => m.sel = (m.sel + 1) % n,
            Action::PrevPane => m.sel = (m.sel + n - 1) % n,
            Action::Type(key) => {
                let pick = m.items.iter().find(|w| {
                    crate::vocabulary::menu_key(w).map(String::from).as_deref() == Some(&key)
                });
                if let Some(word) = pick {
                    return self.start(word);
                }
            }
            Action::Open | Action::Submit | Action::Right => {
                if let Some(word) = m.items.get(m.sel) {
                    return self.start(word);
                }
            }
            Action::Back | Action::Cancel | Action::Actions | Action::Left => return,
            Action::Quit => {
                self.quit = true;
                return;
            }
            other => self.background(other),
        }
        self.mode = Mode::Menu(m);
    }

    /// Starts a command on the selected case: its panel when it has options, else the command
    /// itself. A word the operator may not issue is refused here with the lifecycle's reason.
    pub(super) fn start(&mut self, word: &str) {
        let t = self.settings.lang.text();
        let Some((case, version)) = self.selected_version() else {
            return self.set_status(t.select_a_case, false);
        };
        if !self.offered.contains(&word) {
            return self.not_offered(&case, word);
        }
        match Form::new(word, &case, version, &[]) {
            Some(f) if !f.fields.is_empty() || DECISION_PANELS.contains(&word) => self.open_form(f),
            _ => match form::parse(&[word.to_string()], &case, version) {
                Parsed::Command(cmd) => self.submit(case, version, cmd, None),
                Parsed::NeedsForm(f) => self.open_form(f),
                Parsed::Error(e) => self.set_status(e, false),
            },
        }
    }

    /// Reports that `word` is not offered on `case`, with the lifecycle's reason.
    pub(super) fn not_offered(&mut self, case: &CaseId, word: &str) {
        let t = self.settings.lang.text();
        let why = match self.service.refusal_for(case.as_str(), word) {
            Ok(Some(r)) => r.to_string(),
            Ok(None) => t.not_offered.to_string(),
            Err(e) => e.to_string(),
        };
        self.set_status(format!("{}: {word}: {why}", t.refused), false);
    }

    /// `:sample 2026-10 [UNIT]`: draws the month's look-back sample (回头看) of the operator's
    /// unit, or of UNIT, as `jiban lookback sample` does, and names the first cases drawn (a
    /// drawn case is opened by its id).
    pub(super) fn lookback_sample(&mut self, args: &str) {
        let lang = self.settings.lang;
        let mut words = args.split_whitespace();
        let Some(month) = words.next() else {
            return self.set_status(lang.says("usage_sample"), false);
        };
        let scope = words.next().map(crate::domain::org::UnitId::new);
        let t = lang.text();
        match self.service.lookback_sample(month, scope.as_ref(), None) {
            Ok(s) => {
                let drawn: Vec<&str> = s
                    .units
                    .iter()
                    .flat_map(|u| u.drawn.iter().map(|c| c.as_str()))
                    .collect();
                let first: Vec<&str> = drawn.iter().take(5).copied().collect();
                let more = if drawn.len() > first.len() {
                    " …"
                } else {
                    ""
                };
                self.set_status(
                    format!(
                        "{} {} · {} · {} {} · {}{more}",
                        lang.says("sampled"),
                        s.month,
                        drawn.len(),
                        lang.says("sampled_before"),
                        s.already,
                        first.join(" ")
                    ),
                    true,
                );
            }
            Err(e) => self.set_status(format!("{}: {e}", t.refused), false),
        }
    }
}
