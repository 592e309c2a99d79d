//! Completion on the `:` line, with Tab and Shift-Tab: the command words the operator may issue
//! on the selected case (then the board's own commands), a command's options, their fixed
//! values, and unit ids the case may be routed to (by id or by Chinese or English name).

use super::app::{App, Prompt};
use super::form::{self, Form};

/// The board's own `:` commands, completed after the lifecycle words.
const BOARD_WORDS: &[&str] = &[
    "view", "sort", "stage", "theme", "lang", "bell", "unit", "search", "filter", "as", "sample",
    "quit",
];

/// How many completions are offered at most.
const MAX: usize = 12;

fn starting<'a>(list: impl IntoIterator<Item = &'a str>, prefix: &str) -> Vec<String> {
    list.into_iter()
        .filter(|w| w.starts_with(prefix))
        .map(String::from)
        .collect()
}

impl App {
    /// Completions of the last word of a `:` line, each a whole replacement of that word.
    pub fn completions(&self, line: &str) -> Vec<String> {
        let words: Vec<&str> = line.split(' ').collect();
        let last = words.last().copied().unwrap_or("");
        let mut out = if words.len() <= 1 {
            let mut out = starting(self.offered.iter().copied(), last);
            out.extend(starting(BOARD_WORDS.iter().copied(), last));
            out
        } else {
            self.complete_argument(&words, last)
        };
        out.truncate(MAX);
        out
    }

    fn complete_argument(&self, words: &[&str], last: &str) -> Vec<String> {
        let first = words[0];
        let prev = words[words.len() - 2];
        if !form::is_command_word(first) {
            let list: Vec<String> = match first {
                "view" => ["level", "department", "night", "mine", "requests", "search"]
                    .map(String::from)
                    .to_vec(),
                "sort" => ["due", "received", "light"].map(String::from).to_vec(),
                "stage" => [
                    "triage",
                    "assigned",
                    "handling",
                    "review",
                    "evaluation",
                    "assessment",
                    "all",
                ]
                .map(String::from)
                .to_vec(),
                "lang" => ["zh-CN", "en"].map(String::from).to_vec(),
                "bell" => ["on", "off"].map(String::from).to_vec(),
                "theme" => self.settings.theme_names(),
                // Logins, for a trainer only: nobody else may take one.
                "as" if self.operator.role == crate::domain::users::Role::Trainer => self
                    .model
                    .config()
                    .users
                    .all()
                    .iter()
                    .map(|u| u.login.clone())
                    .collect(),
                _ => Vec::new(),
            };
            return starting(list.iter().map(String::as_str), last);
        }
        match prev.strip_prefix("--") {
            Some(option) if Form::is_unit_field(option) => self.complete_units(first, last),
            Some(option) => {
                let choices = form::choices_for(first, option);
                starting(choices.iter().map(String::as_str), last)
            }
            None => {
                let used: Vec<&str> = words.iter().filter_map(|w| w.strip_prefix("--")).collect();
                let options: Vec<String> = form::options_of(first)
                    .into_iter()
                    .filter(|o| !used.contains(&o.as_str()))
                    .map(|o| format!("--{o}"))
                    .collect();
                starting(options.iter().map(String::as_str), last)
            }
        }
    }

    /// Unit ids for a unit option: the units the selected case may be routed to (all units when
    /// it is not being routed), matched by id prefix or by name; for a list, the last unit.
    fn complete_units(&self, word: &str, last: &str) -> Vec<String> {
        let (head, token) = match last.rfind(',') {
            Some(i) => (&last[..=i], &last[i + 1..]),
            None => ("", last),
        };
        let org = &self.model.config().org;
        let targets: Vec<String> = self
            .selected
            .as_deref()
            .and_then(|id| self.service.route_targets(id, word == "joint").ok())
            .filter(|t| !t.is_empty())
            .map(|t| t.into_iter().map(|u| u.to_string()).collect())
            .unwrap_or_else(|| org.units().iter().map(|u| u.id.to_string()).collect());
        let needle = token.to_lowercase();
        let by_id = targets.iter().filter(|id| id.starts_with(token));
        let by_name = targets.iter().filter(|id| {
            !id.starts_with(token)
                && !needle.is_empty()
                && org.get_str(id).is_some_and(|u| {
                    u.name.contains(token) || u.name_en.to_lowercase().contains(&needle)
                })
        });
        by_id
            .chain(by_name)
            .map(|id| format!("{head}{id}"))
            .collect()
    }

    /// Tab: puts the next completion (Shift-Tab: the previous) in place of the last word.
    pub(super) fn complete(&self, p: &mut Prompt, forward: bool) {
        let (base, next) = match &p.completing {
            Some((base, i)) => {
                let n = p.completions.len().max(1);
                let i = if forward {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                (base.clone(), i)
            }
            None => {
                let base = p.input.value().to_string();
                p.completions = self.completions(&base);
                let start = if forward {
                    0
                } else {
                    p.completions.len().saturating_sub(1)
                };
                (base, start)
            }
        };
        let Some(word) = p.completions.get(next) else {
            return;
        };
        let head = match base.rfind(' ') {
            Some(i) => &base[..=i],
            None => "",
        };
        p.input = tui_input::Input::new(format!("{head}{word}"));
        p.completing = Some((base, next));
    }
}
