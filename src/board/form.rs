//! The `:` line's lifecycle commands and the form that opens when one lacks options. Both parse
//! with the CLI's own [`ActCommand`], so the board and `jiban act` accept the same words.

use clap::{CommandFactory, Parser};
use tui_input::{Input, InputRequest};

use super::i18n::Lang;
use crate::cli::act::ActCommand;
use crate::domain::case::CaseId;

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
    /// What is typed.
    pub input: Input,
}

impl Field {
    /// The label in the board's language, falling back to the option name.
    pub fn label(&self, lang: Lang) -> &str {
        match lang.field(&self.option) {
            "" => &self.option,
            l => l,
        }
    }
    /// The values the option takes, when they are a fixed list.
    pub fn hint(&self) -> &'static str {
        match self.option.as_str() {
            "category" => "livelihood | development | enforcement",
            "kind" => "consultation | suggestion | complaint",
            "satisfaction" => "satisfied | basic | unsatisfied",
            "resolution" => "resolved | basic | unresolved",
            "outcome" => "pass | fail",
            "reason" => "",
            "support" => "unit,unit",
            _ if self.flag => "y / n",
            _ => "",
        }
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
    /// Units the responsibility list suggests for this case (`id name`), shown in unit fields.
    pub suggestions: Vec<String>,
}

impl Form {
    /// The form of a command word, prefilled from words already typed (`--to x`).
    pub fn new(word: &str, case: &CaseId, version: u64, given: &[String]) -> Option<Form> {
        let cmd = ActLine::command();
        let sub = cmd.find_subcommand(word)?;
        let mut fields: Vec<Field> = sub
            .get_arguments()
            // A return's `--confirm` is given by the board's second confirmation, not typed.
            .filter(|a| a.get_id() != "help" && a.get_id() != "confirm")
            .filter_map(|a| {
                Some(Field {
                    option: a.get_long()?.to_string(),
                    flag: !a.get_action().takes_values(),
                    required: a.is_required_set(),
                    input: Input::default(),
                })
            })
            .collect();
        let mut i = 0;
        while i < given.len() {
            if let Some(name) = given[i].strip_prefix("--") {
                if let Some(f) = fields.iter_mut().find(|f| f.option == name) {
                    if f.flag {
                        f.input = Input::new("y".into());
                    } else if let Some(v) = given.get(i + 1) {
                        f.input = Input::new(v.clone());
                        i += 1;
                    }
                }
            }
            i += 1;
        }
        let focus = fields
            .iter()
            .position(|f| f.input.value().is_empty())
            .unwrap_or(0);
        Some(Form {
            word: word.to_string(),
            case: case.clone(),
            version,
            fields,
            focus,
            error: None,
            suggestions: Vec::new(),
        })
    }

    /// True for a field that names units (`to`, `lead`, `support`).
    pub fn is_unit_field(option: &str) -> bool {
        matches!(option, "to" | "lead" | "support")
    }

    /// True when something has been typed.
    pub fn is_edited(&self) -> bool {
        self.fields.iter().any(|f| !f.input.value().is_empty())
    }

    /// Types text into the focused field.
    pub fn type_text(&mut self, text: &str) {
        if let Some(f) = self.fields.get_mut(self.focus) {
            for c in text.chars() {
                f.input.handle(InputRequest::InsertChar(c));
            }
        }
    }

    /// Moves to the next (or previous) field.
    pub fn move_focus(&mut self, forward: bool) {
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
                if matches!(
                    v.to_lowercase().as_str(),
                    "y" | "yes" | "1" | "true" | "是" | "确认"
                ) {
                    argv.push(format!("--{}", f.option));
                }
            } else if !v.is_empty() {
                let v = if Self::is_unit_field(&f.option) {
                    v.split([',', '，', '、'])
                        .map(|u| resolve(u.trim()).ok_or_else(|| u.trim().to_string()))
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
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        split_words(s).unwrap()
    }

    #[test]
    fn words_split_on_spaces_and_keep_quoted_text() {
        assert_eq!(
            words(r#"reply --result "已修复 楼道灯" --person '王 芳'"#),
            ["reply", "--result", "已修复 楼道灯", "--person", "王 芳"]
        );
        assert_eq!(words("  sign  "), ["sign"]);
        assert_eq!(words(r#"note --note """#), ["note", "--note", ""]);
        assert!(split_words("reply --result \"open").is_err());
    }

    #[test]
    fn a_complete_line_parses_and_a_missing_option_opens_the_form_prefilled() {
        let id = CaseId("LS-20261123-0001".into());
        assert!(matches!(
            parse(&words("dispatch --to laoshan.hrss"), &id, 3),
            Parsed::Command(ActCommand::Dispatch { .. })
        ));
        let Parsed::NeedsForm(form) = parse(&words("reply --person 王芳"), &id, 3) else {
            panic!("expected a form");
        };
        let names: Vec<&str> = form.fields.iter().map(|f| f.option.as_str()).collect();
        assert_eq!(names, ["result", "basis", "person", "phone"]);
        assert_eq!(form.fields[2].input.value(), "王芳");
        assert_eq!(form.focus, 0);
        assert!(matches!(parse(&words("fly"), &id, 3), Parsed::Error(_)));
    }

    #[test]
    fn a_filled_form_gives_the_command_and_flags_read_yes() {
        let id = CaseId("LS-20261123-0001".into());
        let mut form = Form::new("accept", &id, 1, &[]).unwrap();
        assert!(form.command().is_err());
        form.type_text("enforcement");
        form.move_focus(true);
        form.move_focus(true);
        form.type_text("y");
        assert_eq!(
            form.command().unwrap(),
            ActCommand::Accept {
                category: crate::domain::case::Category::Enforcement,
                kind: None,
                complex: true
            }
        );
    }

    #[test]
    fn a_return_form_has_no_confirm_field_the_confirmation_gives_it() {
        let id = CaseId("LS-20261123-0001".into());
        let mut form = Form::new("return", &id, 1, &[]).unwrap();
        let names: Vec<&str> = form.fields.iter().map(|f| f.option.as_str()).collect();
        assert_eq!(names, ["reason"]);
        form.type_text("不属于本单位职责");
        assert_eq!(
            form.command().unwrap(),
            ActCommand::Return {
                reason: "不属于本单位职责".into(),
                confirm: false
            }
        );
    }

    #[test]
    fn unit_fields_take_names_resolved_to_ids() {
        let id = CaseId("LS-20261123-0001".into());
        let mut form = Form::new("joint", &id, 1, &[]).unwrap();
        form.type_text("市场");
        form.move_focus(true);
        form.type_text("执法，金家岭");
        let resolve = |s: &str| match s {
            "市场" => Some("laoshan.market".to_string()),
            "执法" => Some("laoshan.enforcement".to_string()),
            "金家岭" => Some("laoshan.jinjialing".to_string()),
            _ => None,
        };
        assert_eq!(
            form.command_resolved(&resolve).unwrap(),
            ActCommand::Joint {
                lead: "laoshan.market".into(),
                support: vec!["laoshan.enforcement".into(), "laoshan.jinjialing".into()],
                days: None
            }
        );
        form.type_text("、月球");
        let e = form.command_resolved(&resolve).unwrap_err();
        assert!(e.contains("月球"), "{e}");
    }
}
