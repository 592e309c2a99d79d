//! The `:` line's lifecycle commands and the form that opens when one lacks options. Both parse
//! with the CLI's own [`ActCommand`], so the board and `jiban act` accept the same words.

use clap::{CommandFactory, Parser};
use tui_input::{Input, InputRequest};

use super::i18n::Lang;
use crate::domain::case::CaseId;
use crate::vocabulary::ActCommand;

#[derive(Debug, Parser)]
#[command(no_binary_name = true, disable_help_subcommand = true)]
struct ActLine {
    #[command(subcommand)]
    command: ActCommand,
}

/// Splits a command line into words; `"…"` and `'…'` keep spaces.
pub fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if quote.is_some() {
        return Err("unclosed quote".into());
    }
    if any || !cur.is_empty() {
        words.push(cur);
    }
    Ok(words)
}

/// What a command line turned out to be.
#[derive(Debug)]
pub enum Parsed {
    /// A complete command.
    Command(ActCommand),
    /// A known command word that lacks required options: open its form.
    NeedsForm(Form),
    /// Not a lifecycle command, or wrong options (clap's first line).
    Error(String),
}

/// Parses lifecycle words for a case (`dispatch --to laoshan.hrss`).
pub fn parse(words: &[String], case: &CaseId, version: u64) -> Parsed {
    match ActLine::try_parse_from(words) {
        Ok(line) => Parsed::Command(line.command),
        Err(e) if e.kind() == clap::error::ErrorKind::MissingRequiredArgument => {
            match Form::new(&words[0], case, version, &words[1..]) {
                Some(form) => Parsed::NeedsForm(form),
                None => Parsed::Error(first_line(&e.to_string())),
            }
        }
        Err(e) => Parsed::Error(first_line(&e.to_string())),
    }
}

fn first_line(s: &str) -> String {
    s.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim_start_matches("error: ")
        .to_string()
}

/// True when `word` is a lifecycle command word.
pub fn is_command_word(word: &str) -> bool {
    ActLine::command().find_subcommand(word).is_some()
}

/// One field of a form.
#[derive(Debug, Clone)]
pub struct Field {
    /// The option's long name (`to`, `result`).
    pub option: String,
    /// A flag (yes/no) rather than a value.
    pub flag: bool,
    /// Must be filled.
    pub required: bool,
    /// What is typed (for a choice: the chosen value).
    pub input: Input,
    /// The values of a fixed-choice option (`""` first when it may be left out); empty for
    /// free text.
    pub choices: Vec<String>,
    /// What is wrong with the value (an i18n key), shown under the field once it matters.
    pub problem: Option<&'static str>,
    /// The operator has been in this field and left it: its problem is shown from then on.
    pub touched: bool,
    /// Filled in by the board (责任人 from the login), not typed: the first key typed replaces
    /// it, as a selected value would be; moving the cursor keeps it for editing.
    pub prefilled: bool,
}

/// True for an option of `word` that the board's forms show: not clap's help, not a return's
/// `--confirm` (given by the board's second confirmation, not typed), not a claim's `--unit` (a
/// trainer names the claiming unit on the command line; the board claims for the login's own
/// unit, `:as` to claim as another).
fn shown(word: &str, a: &clap::Arg) -> bool {
    let id = a.get_id().as_str();
    id != "help" && id != "confirm" && !(word == "claim" && id == "unit")
}

/// The long options of a command word (`to`, `support`) that its form shows ([`shown`]).
pub fn options_of(word: &str) -> Vec<String> {
    let cmd = ActLine::command();
    cmd.find_subcommand(word)
        .map(|sub| {
            sub.get_arguments()
                .filter(|a| shown(word, a))
                .filter_map(|a| a.get_long().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// The fixed values of an option of a command word, when it has them.
pub fn choices_for(word: &str, option: &str) -> Vec<String> {
    let list: &[&str] = match (word, option) {
        (_, "category") => &["livelihood", "development", "enforcement"],
        (_, "kind") => &["", "consultation", "suggestion", "complaint"],
        ("reject", "reason") => &["1", "2", "3", "4", "5", "6", "7"],
        (_, "satisfaction") => &["satisfied", "basic", "unsatisfied"],
        (_, "resolution") => &["resolved", "basic", "unresolved"],
        ("lookback", "outcome") => &["held", "false-closure", "pressured"],
        (_, "outcome") => &["pass", "fail"],
        _ => &[],
    };
    list.iter().map(|s| s.to_string()).collect()
}

/// A unit offered in a unit field: its id, its name, and why it is offered.
#[derive(Debug, Clone, PartialEq)]
pub struct Pick {
    /// Unit id.
    pub id: String,
    /// Name in the board's language.
    pub name: String,
    /// The keyword or rule that suggested it (empty for a search match).
    pub why: String,
}

impl Field {
    /// The label in the board's language, falling back to the option name.
    pub fn label(&self, lang: Lang) -> &str {
        match lang.field(&self.option) {
            "" => &self.option,
            l => l,
        }
    }
    /// What the field takes, shown while it is empty.
    pub fn hint(&self) -> &'static str {
        match self.option.as_str() {
            "support" => "unit, unit",
            _ => "",
        }
    }
    /// True for a free-text field that takes sentences (办理结果, 政策依据, notes and reasons):
    /// the panel shows it wrapped over several rows instead of one row that scrolls.
    pub fn is_long(&self) -> bool {
        !self.is_choice()
            && matches!(
                self.option.as_str(),
                "result" | "basis" | "note" | "text" | "reason" | "description"
            )
    }
    /// True for a fixed-choice field or a flag (chosen with ← →, not typed).
    pub fn is_choice(&self) -> bool {
        self.flag || !self.choices.is_empty()
    }
    /// The position of the chosen value among the choices.
    pub fn chosen(&self) -> usize {
        self.choices
            .iter()
            .position(|c| c == self.input.value())
            .unwrap_or(0)
    }
    /// Chooses the value at `i` (a flag: 0 no, 1 yes).
    pub fn choose(&mut self, i: usize) {
        if self.flag {
            self.input = Input::new(if i == 1 { "y".into() } else { String::new() });
        } else if let Some(v) = self.choices.get(i) {
            self.input = Input::new(v.clone());
        }
    }
    /// The next (or previous) value; a flag toggles.
    pub fn cycle(&mut self, forward: bool) {
        if self.flag {
            let on = self.is_on();
            return self.choose(usize::from(!on));
        }
        let n = self.choices.len().max(1);
        if !self.choices.iter().any(|c| c == self.input.value()) {
            return self.choose(if forward { 0 } else { n - 1 });
        }
        let i = self.chosen();
        self.choose(if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        });
    }
    /// True for a flag that is set.
    pub fn is_on(&self) -> bool {
        matches!(
            self.input.value().trim().to_lowercase().as_str(),
            "y" | "yes" | "1" | "true" | "是" | "确认"
        )
    }
    /// Works out what is wrong with the value, if anything.
    pub fn check(&mut self) {
        let v = self.input.value().trim();
        self.problem = if self.flag {
            None
        } else if v.is_empty() {
            self.required.then_some("required")
        } else if self.option == "phone" && !crate::domain::lifecycle::is_plausible_phone(v) {
            Some("bad_phone")
        } else if self.option == "days" && !v.parse::<u32>().is_ok_and(|d| d > 0) {
            Some("bad_days")
        } else {
            None
        };
    }
}

/// A form for one lifecycle command on one case.
#[derive(Debug, Clone)]
pub struct Form {
    /// The command word.
    pub word: String,
    /// The case it acts on.
    pub case: CaseId,
    /// The case version it was opened on (a later change is reported as a conflict).
    pub version: u64,
    /// The fields.
    pub fields: Vec<Field>,
    /// The field being typed in.
    pub focus: usize,
    /// Why the last submit failed.
    pub error: Option<String>,
    /// Units suggested for this case (the responsibility list and the case's community), each
    /// with the keyword or rule that matched; shown in unit fields.
    pub suggestions: Vec<Pick>,
    /// The units the case may be routed to now; unit fields search only these.
    pub targets: Vec<Pick>,
    /// For the focused unit field: the units to pick from, and the highlighted one.
    pub picks: Vec<Pick>,
    /// The highlighted pick.
    pub pick: usize,
    /// The operator moved the highlight: Enter takes the pick instead of submitting.
    pub picking: bool,
    /// What the command will do (the engine's dry run), or why the engine would refuse it.
    pub preview: Option<Result<String, String>>,
    /// An evaluation's outcomes, satisfaction × resolution (3×3), from the engine's dry runs.
    pub grid: Vec<Vec<String>>,
    /// A submit was tried: every field's problem is shown.
    pub submitted: bool,
    /// Typed in or chosen since it opened (or given on the `:` line).
    pub edited: bool,
    /// Facts about the case the panel shows above the fields (e.g. a unit's failures in a row).
    pub notes: Vec<String>,
}

impl Form {
    /// The form of a command word, prefilled from words already typed (`--to x`).
    pub fn new(word: &str, case: &CaseId, version: u64, given: &[String]) -> Option<Form> {
        let cmd = ActLine::command();
        let sub = cmd.find_subcommand(word)?;
        let mut fields: Vec<Field> = sub
            .get_arguments()
            .filter(|a| shown(word, a))
            .filter_map(|a| {
                let option = a.get_long()?.to_string();
                let choices = choices_for(word, &option);
                let required = a.is_required_set();
                // A required choice starts on its first value, except a judgement — a reject
                // reason, the requester's rating, an assessment's or a look-back's outcome: those
                // are chosen on purpose, never left to a default nobody gave (Enter, Enter, y
                // must not close a case as 满意 / 解决, nor a look-back as 办结属实).
                let judgement = matches!(
                    (word, option.as_str()),
                    ("reject", "reason")
                        | ("evaluate", "satisfaction" | "resolution")
                        | ("assess" | "lookback", "outcome")
                );
                let value = if required && !judgement {
                    choices.first().cloned().unwrap_or_default()
                } else {
                    String::new()
                };
                Some(Field {
                    flag: !a.get_action().takes_values(),
                    required,
                    input: Input::new(value),
                    choices,
                    option,
                    problem: None,
                    touched: false,
                    prefilled: false,
                })
            })
            .collect();
        let mut i = 0;
        let mut edited = false;
        while i < given.len() {
            if let Some(name) = given[i].strip_prefix("--") {
                if let Some(f) = fields.iter_mut().find(|f| f.option == name) {
                    if f.flag {
                        f.input = Input::new("y".into());
                        edited = true;
                    } else if let Some(v) = given.get(i + 1) {
                        f.input = Input::new(v.clone());
                        edited = true;
                        i += 1;
                    }
                }
            }
            i += 1;
        }
        let focus = fields
            .iter()
            .position(|f| f.required && f.input.value().is_empty())
            .unwrap_or(0);
        Some(Form {
            word: word.to_string(),
            case: case.clone(),
            version,
            fields,
            focus,
            error: None,
            suggestions: Vec::new(),
            targets: Vec::new(),
            picks: Vec::new(),
            pick: 0,
            picking: false,
            preview: None,
            grid: Vec::new(),
            submitted: false,
            edited,
            notes: Vec::new(),
        })
    }

    /// Fills an empty field with a value the board knows (责任人 from the login); typing
    /// replaces it.
    pub fn prefill(&mut self, option: &str, value: &str) {
        if let Some(f) = self
            .fields
            .iter_mut()
            .find(|f| f.option == option && f.input.value().is_empty())
        {
            f.input = Input::new(value.to_string());
            f.prefilled = true;
        }
    }

    /// True when the focus is on the last field (or the form has none): Enter submits there.
    pub fn on_last_field(&self) -> bool {
        self.focus + 1 >= self.fields.len()
    }

    /// The ids of the units the case may be routed to now.
    pub fn target_ids(&self) -> Vec<String> {
        self.targets.iter().map(|p| p.id.clone()).collect()
    }

    /// The focused field.
    pub fn focused(&self) -> Option<&Field> {
        self.fields.get(self.focus)
    }

    /// True when the focused field names units.
    pub fn in_unit_field(&self) -> bool {
        self.focused()
            .is_some_and(|f| Self::is_unit_field(&f.option))
    }

    /// The focused unit field's unit being typed: the text after the last separator.
    pub fn token(&self) -> &str {
        let v = self.focused().map_or("", |f| f.input.value());
        v.rsplit([',', '，', '、']).next().unwrap_or("").trim()
    }

    /// Puts the highlighted pick in place of the unit being typed, as `label` writes it (the
    /// board writes the unit's name when the name finds the same unit again, else its id).
    pub fn take_pick(&mut self, label: &dyn Fn(&Pick) -> String) {
        let Some(id) = self.picks.get(self.pick).map(label) else {
            return;
        };
        if let Some(f) = self.fields.get_mut(self.focus) {
            let v = f.input.value();
            let cut = v
                .char_indices()
                .filter(|(_, c)| matches!(c, ',' | '，' | '、'))
                .map(|(i, c)| i + c.len_utf8())
                .next_back()
                .unwrap_or(0);
            let head = v[..cut].trim_end();
            let sep = if head.is_empty() { "" } else { " " };
            f.input = Input::new(format!("{head}{sep}{id}"));
            self.edited = true;
        }
        self.picking = false;
    }

    /// Moves the pick highlight. The first move highlights the first pick (the top suggestion)
    /// rather than skipping it.
    pub fn move_pick(&mut self, forward: bool) {
        if !self.picking {
            self.pick = 0;
            self.picking = true;
            return;
        }
        let n = self.picks.len().max(1);
        self.pick = if forward {
            (self.pick + 1) % n
        } else {
            (self.pick + n - 1) % n
        };
        self.picking = true;
    }

    /// Works out every field's problem; true when there is none.
    pub fn check(&mut self) -> bool {
        for f in &mut self.fields {
            f.check();
        }
        self.fields.iter().all(|f| f.problem.is_none())
    }

    /// Chooses the next (or previous) value of the focused choice field.
    pub fn cycle(&mut self, forward: bool) {
        if let Some(f) = self.fields.get_mut(self.focus).filter(|f| f.is_choice()) {
            f.cycle(forward);
            self.edited = true;
        }
    }

    /// True for a field that names units (`to`, `lead`, `support`).
    pub fn is_unit_field(option: &str) -> bool {
        matches!(option, "to" | "lead" | "support")
    }

    /// True when something has been typed.
    pub fn is_edited(&self) -> bool {
        self.fields.iter().any(|f| !f.input.value().is_empty())
    }

    /// Types text into the focused field: a choice takes the digit of a value (1 for the
    /// first) or a value typed whole, a flag takes y or n; pasted line breaks become spaces.
    pub fn type_text(&mut self, text: &str) {
        let Some(f) = self.fields.get_mut(self.focus) else {
            return;
        };
        self.edited = true;
        self.picking = false;
        if std::mem::take(&mut f.prefilled) {
            f.input = Input::default();
        }
        if f.flag {
            match text.trim() {
                "y" | "Y" | "1" | "是" => f.choose(1),
                "n" | "N" | "0" | "否" => f.choose(0),
                " " => f.cycle(true),
                _ => {}
            }
        } else if f.is_choice() {
            let skip = usize::from(f.choices.first().is_some_and(|c| c.is_empty()));
            let t = text.trim();
            if let Some(i) = f.choices.iter().position(|c| !c.is_empty() && c == t) {
                f.choose(i);
            } else if let Some(d) = t.parse::<usize>().ok().filter(|d| *d >= 1) {
                f.choose(d - 1 + skip);
            }
        } else {
            for c in text.chars() {
                let c = if c == '\n' || c == '\r' || c == '\t' {
                    ' '
                } else {
                    c
                };
                f.input.handle(InputRequest::InsertChar(c));
            }
        }
    }

    /// Deletes the character before the cursor (a choice goes back to its first value).
    pub fn backspace(&mut self) {
        if let Some(f) = self.fields.get_mut(self.focus) {
            if std::mem::take(&mut f.prefilled) {
                f.input = Input::default();
                self.edited = true;
            } else if !f.is_choice() {
                f.input.handle(InputRequest::DeletePrevChar);
                self.edited = true;
            }
        }
    }

    /// Moves to the next (or previous) field; the field left counts as touched.
    pub fn move_focus(&mut self, forward: bool) {
        if let Some(f) = self.fields.get_mut(self.focus) {
            f.touched = true;
        }
        self.picking = false;
        self.pick = 0;
        let n = self.fields.len().max(1);
        self.focus = if forward {
            (self.focus + 1) % n
        } else {
            (self.focus + n - 1) % n
        };
    }

    /// The command the form describes, or why it is not complete.
    pub fn command(&self) -> Result<ActCommand, String> {
        self.command_resolved(&|s| Some(s.to_string()))
    }

    /// The command, with unit fields typed as names (`崂山区市场`) turned into unit ids by
    /// `resolve`.
    pub fn command_resolved(
        &self,
        resolve: &dyn Fn(&str) -> Option<String>,
    ) -> Result<ActCommand, String> {
        let mut argv = vec![self.word.clone()];
        for f in &self.fields {
            let v = f.input.value().trim();
            if f.flag {
                if f.is_on() {
                    argv.push(format!("--{}", f.option));
                }
            } else if !v.is_empty() {
                let v = if Self::is_unit_field(&f.option) {
                    v.split([',', '，', '、'])
                        .map(str::trim)
                        .filter(|u| !u.is_empty())
                        .map(|u| resolve(u).ok_or_else(|| u.to_string()))
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(|u| format!("{}: {u}?", f.option))?
                        .join(",")
                } else {
                    v.to_string()
                };
                argv.push(format!("--{}", f.option));
                argv.push(v);
            }
        }
        ActLine::try_parse_from(&argv)
            .map(|l| l.command)
            .map_err(|e| first_line(&e.to_string()))
    }
}

#[cfg(test)]
#[path = "form_tests.rs"]
mod tests;
