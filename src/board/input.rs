//! Prompts, forms and the `:` line: typing, live filter and unit jump, and lifecycle commands
//! executed through the engine.

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_input::backend::crossterm::to_input_request;
use tui_input::{Input, InputRequest};

use super::action::Action;
use super::app::{App, Mode, Pane, Prompt, PromptKind, View};
use super::model::Sort;

impl App {
    /// The action a key press means in the current mode. In a prompt or form, printable keys
    /// type and editing keys (arrows, Home, Ctrl-W, …) edit the text directly.
    pub fn key_action(&mut self, k: &KeyEvent) -> Option<Action> {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        let alt = k.modifiers.contains(KeyModifiers::ALT);
        let ctrl_c = ctrl && matches!(k.code, KeyCode::Char('c'));
        let choice =
            matches!(&self.mode, Mode::Form(f) if f.focused().is_some_and(|x| x.is_choice()));
        match &mut self.mode {
            Mode::Normal => {
                if ctrl_c {
                    Some(Action::Quit)
                } else {
                    self.settings.keymap.action(k)
                }
            }
            Mode::Help(_) => match k.code {
                KeyCode::Esc => Some(Action::Back),
                _ => self.settings.keymap.action(k),
            },
            Mode::Menu(m) => match k.code {
                KeyCode::Esc => Some(Action::Back),
                KeyCode::Enter => Some(Action::Open),
                // A command's own letter, the same in every stage (other keys move and close).
                KeyCode::Char(c)
                    if !ctrl
                        && !alt
                        && m.items
                            .iter()
                            .any(|w| crate::vocabulary::menu_key(w) == Some(c)) =>
                {
                    Some(Action::Type(c.to_string()))
                }
                _ if ctrl_c => Some(Action::Quit),
                _ => self.settings.keymap.action(k),
            },
            Mode::ConfirmQuit(_) | Mode::Confirm(_) => match k.code {
                KeyCode::Char('y' | 'Y') if !ctrl => Some(Action::Confirm),
                KeyCode::Char('n' | 'N') | KeyCode::Esc => Some(Action::Cancel),
                _ if ctrl_c => Some(Action::Quit),
                _ => None,
            },
            Mode::Prompt(_) | Mode::Form(_) => {
                if ctrl_c {
                    return Some(Action::Quit);
                }
                if choice {
                    match k.code {
                        KeyCode::Left => return Some(Action::Left),
                        KeyCode::Right | KeyCode::Char(' ') => return Some(Action::Right),
                        _ => {}
                    }
                }
                match k.code {
                    // Ctrl-S (and Alt-Enter, for terminals that keep Ctrl-S for flow control)
                    // submits a form from any field; raw mode turns XON/XOFF off.
                    KeyCode::Char('s') if ctrl => return Some(Action::SubmitForm),
                    KeyCode::Enter if alt => return Some(Action::SubmitForm),
                    KeyCode::Enter => return Some(Action::Submit),
                    KeyCode::Esc => return Some(Action::Cancel),
                    KeyCode::Tab => return Some(Action::NextPane),
                    KeyCode::BackTab => return Some(Action::PrevPane),
                    KeyCode::Up => return Some(Action::Up),
                    KeyCode::Down => return Some(Action::Down),
                    KeyCode::Backspace if !ctrl && !alt => return Some(Action::Backspace),
                    KeyCode::Char(c) if !ctrl && !alt => return Some(Action::Type(c.to_string())),
                    _ => {}
                }
                let req = to_input_request(&Event::Key(*k))?;
                self.mark_dirty();
                match std::mem::replace(&mut self.mode, Mode::Normal) {
                    Mode::Prompt(mut p) => {
                        p.input.handle(req);
                        self.prompt_changed(&mut p);
                    }
                    Mode::Form(mut f) => {
                        if let Some(field) = f.fields.get_mut(f.focus).filter(|x| !x.is_choice()) {
                            // Moving into a prefilled value keeps it for editing.
                            field.prefilled = false;
                            field.input.handle(req);
                            f.edited = true;
                        }
                        self.update_form(&mut f);
                        self.keep_draft(&f);
                        self.mode = Mode::Form(f);
                    }
                    other => self.mode = other,
                }
                self.refresh();
                None
            }
        }
    }

    // ----- prompts, commands and forms --------------------------------------------------------

    pub(super) fn open_prompt(&mut self, kind: PromptKind, value: &str) {
        self.mode = Mode::Prompt(Prompt {
            kind,
            input: Input::new(value.to_string()),
            before: value.to_string(),
            before_node: self.selected_node(),
            matches: Vec::new(),
            choice: 0,
            completions: Vec::new(),
            completing: None,
        });
        if kind == PromptKind::Command {
            let words = self.completions("");
            if let Mode::Prompt(p) = &mut self.mode {
                p.completions = words;
            }
        }
    }

    pub(super) fn prompt(&mut self, mut p: Prompt, action: Action) {
        match action {
            Action::Type(text) => {
                for c in text.chars() {
                    p.input.handle(InputRequest::InsertChar(c));
                }
                self.prompt_changed(&mut p);
            }
            Action::Backspace => {
                p.input.handle(InputRequest::DeletePrevChar);
                self.prompt_changed(&mut p);
            }
            Action::Up | Action::Down | Action::NextPane | Action::PrevPane
                if p.kind == PromptKind::Unit =>
            {
                let n = p.matches.len().max(1);
                let fwd = matches!(action, Action::Down | Action::NextPane);
                p.choice = if fwd {
                    (p.choice + 1) % n
                } else {
                    (p.choice + n - 1) % n
                };
                if let Some(&node) = p.matches.get(p.choice) {
                    self.go_to_node(node);
                }
            }
            Action::NextPane | Action::PrevPane if p.kind == PromptKind::Command => {
                self.complete(&mut p, action == Action::NextPane);
                self.mode = Mode::Prompt(p);
            }
            Action::Submit | Action::SubmitForm | Action::Open => {
                let value = p.input.value().to_string();
                match p.kind {
                    PromptKind::Filter => self.filter = value,
                    PromptKind::Search => self.search = value,
                    PromptKind::Unit => {
                        if let Some(&node) = p.matches.get(p.choice) {
                            self.go_to_node(node);
                            self.focus = Pane::Tree;
                        }
                    }
                    PromptKind::Command => self.run(&value),
                }
            }
            Action::Cancel | Action::Back => match p.kind {
                PromptKind::Filter => self.filter = p.before,
                PromptKind::Search => self.search = p.before,
                PromptKind::Unit => self.select_node(p.before_node),
                PromptKind::Command => {}
            },
            Action::Quit if p.kind == PromptKind::Command && !p.input.value().is_empty() => {
                self.mode = Mode::ConfirmQuit(Box::new(Mode::Prompt(p)));
            }
            Action::Quit => self.quit = true,
            other => {
                self.mode = Mode::Prompt(p);
                self.background(other);
            }
        }
    }

    /// Applies a prompt's text as it is typed: the filter and search narrow live, and the unit
    /// jump previews the first match.
    pub(super) fn prompt_changed(&mut self, p: &mut Prompt) {
        let value = p.input.value().to_string();
        match p.kind {
            PromptKind::Filter => self.filter = value,
            PromptKind::Search => self.search = value,
            PromptKind::Unit => {
                p.matches = self.unit_matches(&value);
                p.choice = 0;
                if let Some(&node) = p.matches.first() {
                    self.go_to_node(node);
                }
            }
            PromptKind::Command => {
                p.completing = None;
                p.completions = self.completions(&value);
            }
        }
        self.mode = Mode::Prompt(p.clone());
    }

    /// The id of the unit `typed` names: an id as is, else the best name match.
    pub fn unit_id(&self, typed: &str) -> Option<String> {
        let model = &self.model;
        if model
            .unit_pos(&crate::domain::org::UnitId::new(typed))
            .is_some()
        {
            return Some(typed.to_string());
        }
        self.unit_matches(typed)
            .into_iter()
            .find_map(|node| match self.tree.nodes()[node].kind {
                super::tree::NodeKind::Unit(u) => Some(model.units()[u as usize].id.to_string()),
                super::tree::NodeKind::Departments(_) => None,
            })
    }

    /// Tree nodes of units whose Chinese or English name or id contains `text`.
    pub fn unit_matches(&self, text: &str) -> Vec<usize> {
        let needle = text.trim().to_lowercase();
        if needle.is_empty() {
            return Vec::new();
        }
        let units = self.model.units();
        let mut hits: Vec<(usize, usize)> = units
            .iter()
            .enumerate()
            .filter(|(_, u)| {
                u.name.contains(&needle)
                    || u.name_en.to_lowercase().contains(&needle)
                    || u.id.as_str().contains(&needle)
            })
            .filter_map(|(i, u)| {
                let exact = u.name == needle || u.id.as_str() == needle;
                let node = self.tree.node_of_unit(i as u32)?;
                Some((usize::from(!exact) * 1000 + usize::from(u.depth), node))
            })
            .collect();
        hits.sort();
        hits.into_iter().map(|(_, n)| n).collect()
    }

    /// Runs a `:` line: a case id, a board command (`theme night`, `lang en`, `sort light`,
    /// `bell on`, `view night`, `unit 崂山`, `search 噪音`, `filter x`, `quit`), or a lifecycle
    /// command on the selected case (`sign`, `dispatch --to laoshan.hrss`); a lifecycle command
    /// that lacks options opens its form.
    pub fn run(&mut self, line: &str) {
        super::command::run(self, line);
    }

    /// Executes a lifecycle command on a case at the version the board saw. Returns true when
    /// the engine did it.
    pub(super) fn execute(
        &mut self,
        case: &crate::domain::case::CaseId,
        version: u64,
        cmd: crate::vocabulary::ActCommand,
    ) -> bool {
        let t = self.settings.lang.text();
        let command: crate::domain::command::Command = cmd.into();
        match self.service.execute(case, &command, Some(version)) {
            Ok(entry) => {
                self.pinned = Some(case.to_string());
                self.model.pin(self.pinned.as_deref());
                let what = self.settings.lang.event(entry.event.action());
                self.set_status(format!("{}: {what} {case}", t.done), true);
                self.pump();
                true
            }
            Err(e) => {
                tracing::info!(%case, error = %e, "command refused");
                let why = self.error_text(&e);
                self.set_status(format!("{}: {why}", t.refused), false);
                if matches!(e, crate::engine::EngineError::Conflict { .. }) {
                    self.refresh_case(case.as_str());
                }
                false
            }
        }
    }

    /// An engine error in the board's language: a storage failure as one sentence with the
    /// store's path and what to do; the rest as the engine says it.
    pub(super) fn error_text(&self, e: &crate::engine::EngineError) -> String {
        match e.storage_problem() {
            Some(p) => self.settings.lang.storage(&p),
            None => e.to_string(),
        }
    }

    /// Fetches one case again (someone else changed it) into the queue and the detail.
    pub(super) fn refresh_case(&mut self, id: &str) {
        if let Ok(view) = self.service.show(id) {
            self.model
                .upsert(&crate::domain::summary::CaseSummary::of(&view.case));
            self.queue_key = None;
            if self.selected.as_deref() == Some(id) || self.pinned.as_deref() == Some(id) {
                self.offered = self.service.available_commands(id).unwrap_or_default();
                self.detail = Some(view);
            }
            self.dirty = true;
        }
    }

    /// The version of a case in the board's projection.
    pub(super) fn version_of(&self, id: &str) -> Option<u64> {
        self.model.find(id).map(|i| self.model.row(i).version)
    }

    pub(super) fn quit_now(&mut self) {
        self.quit = true;
    }

    pub(super) fn status_msg(&mut self, msg: String, ok: bool) {
        self.set_status(msg, ok);
    }

    pub(super) fn set_filter(&mut self, text: &str) {
        self.filter = text.to_string();
    }

    pub(super) fn set_search(&mut self, text: &str) {
        self.view = View::Search;
        self.search = text.to_string();
    }

    pub(super) fn jump_unit(&mut self, text: &str) {
        match self.unit_matches(text).first() {
            Some(&node) => {
                self.go_to_node(node);
                self.focus = Pane::Tree;
            }
            None => {
                let t = self.settings.lang.text();
                self.set_status(format!("{}: {text}", t.not_found), false);
            }
        }
    }

    pub(super) fn change_view(&mut self, view: View) {
        self.set_view(view);
        if view == View::Night {
            self.sort = Sort::Light;
        }
    }

    pub(super) fn goto_case(&mut self, id: &str) {
        self.select_case(id);
    }

    pub(super) fn selected_version(&self) -> Option<(crate::domain::case::CaseId, u64)> {
        let r = self.model.row(self.model.find(self.selected.as_deref()?)?);
        Some((r.id.clone(), r.version))
    }
}
