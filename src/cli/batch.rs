//! `jiban act --batch FILE|-`: JSON lines of `{"case", "command", "options", "as", "version"}`,
//! run in group-committed batches, each line answered on stdout as one JSON object, for
//! migrations and scripts. A refused or malformed line does not stop the others.

use std::collections::HashMap;
use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::stream::{Line, Lines};
use super::Cli;
use crate::domain::case::CaseId;
use crate::domain::command::Command;
use crate::engine::{Engine, EngineError};
use crate::service::{Embedded, Service, Submission, MAX_BATCH};

/// One input line.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchLine {
    /// The case id.
    case: String,
    /// The command word, as `jiban act` takes it (`dispatch`, `approve-reply`…).
    command: String,
    /// The command's options by name (`{"to": "laoshan.hrss"}`).
    #[serde(default)]
    options: Map<String, Value>,
    /// The login to act as (default: the CLI's own `--as`, or the store's administrator).
    #[serde(rename = "as", default)]
    login: Option<String>,
    /// The case version the line was written against: refused as stale if it moved on.
    #[serde(default)]
    version: Option<u64>,
}

/// Parses one line into the login it acts as and its submission; errors name the field.
fn parse(n: usize, text: &str) -> Result<(Option<String>, Submission), String> {
    let value = crate::domain::json::parse_strict(text).map_err(|e| format!("line {n}: {e}"))?;
    let line: BatchLine = serde_json::from_value(value).map_err(|e| format!("line {n}: {e}"))?;
    let mut fields = line.options;
    if fields.contains_key("command") {
        return Err(format!("line {n}: options: \"command\" is not an option"));
    }
    fields.insert("command".into(), Value::String(line.command.clone()));
    let command: Command = serde_json::from_value(Value::Object(fields))
        .map_err(|e| format!("line {n}: options of {}: {e}", line.command))?;
    Ok((
        line.login,
        Submission {
            case: CaseId(line.case),
            command,
            expected_version: line.version,
        },
    ))
}

/// Sessions by login: the store opened once (or one connection per login through a server,
/// where the server checks who may act as whom).
struct Sessions<'a> {
    cli: &'a Cli,
    engine: Option<Arc<Engine>>,
    open: HashMap<Option<String>, Arc<dyn Service>>,
}

impl Sessions<'_> {
    fn get(&mut self, login: &Option<String>) -> anyhow::Result<Arc<dyn Service>> {
        let login = login.clone().or_else(|| self.cli.login.clone());
        if let Some(s) = self.open.get(&login) {
            return Ok(s.clone());
        }
        let session: Arc<dyn Service> = match &self.cli.connect {
            Some(_) => self.cli.session_as("cli", login.clone())?,
            None => {
                if self.engine.is_none() {
                    self.engine = Some(Arc::new(self.cli.engine()?));
                }
                let engine = self.engine.clone().expect("opened above");
                let user = match &login {
                    Some(l) => engine.user(l)?,
                    None => engine.administrator(),
                };
                Arc::new(Embedded::new(engine, user))
            }
        };
        self.open.insert(login, session.clone());
        Ok(session)
    }
}

/// Runs the batch; exits 0 when every line was done, 2 when any was refused, 1 when any line
/// could not be read (and none refused).
pub fn run(cli: &Cli, file: &str) -> anyhow::Result<ExitCode> {
    let mut lines = Lines::open(file)?;
    let mut sessions = Sessions {
        cli,
        engine: None,
        open: HashMap::new(),
    };
    let (mut bad, mut refused) = (0usize, 0usize);
    // A run: consecutive lines acting as the same login, sent as one group.
    let mut run: Vec<(usize, Submission)> = Vec::new();
    let mut run_login: Option<String> = None;
    let flush = |run: &mut Vec<(usize, Submission)>,
                 login: &Option<String>,
                 sessions: &mut Sessions,
                 refused: &mut usize|
     -> anyhow::Result<()> {
        if run.is_empty() {
            return Ok(());
        }
        let (numbers, subs): (Vec<usize>, Vec<Submission>) =
            std::mem::take(run).into_iter().unzip();
        let cases: Vec<CaseId> = subs.iter().map(|s| s.case.clone()).collect();
        let results = match sessions.get(login) {
            Ok(session) => session.execute_many(subs),
            // No session for that login (unknown, or this user may not act as it): every line
            // of the run is refused with the reason.
            Err(e) => {
                let why = format!("as {}: {e:#}", login.as_deref().unwrap_or("-"));
                let refusal = crate::domain::lifecycle::Refusal::Permission(why);
                subs.iter()
                    .map(|_| Err(EngineError::Refused(refusal.clone())))
                    .collect()
            }
        };
        let mut out = std::io::stdout().lock();
        for ((n, case), r) in numbers.iter().zip(cases).zip(results) {
            let answer = match r {
                Ok(e) => {
                    json!({"line": n, "case": case, "ok": true, "action": e.event.action(), "seq": e.seq, "by": e.by})
                }
                Err(e) => {
                    if matches!(
                        e,
                        EngineError::Refused(_)
                            | EngineError::Conflict { .. }
                            | EngineError::UnknownCase(_)
                    ) {
                        *refused += 1;
                    } else {
                        return Err(e.into());
                    }
                    json!({"line": n, "case": case, "ok": false, "error": e.to_string()})
                }
            };
            writeln!(out, "{}", crate::text::escape_json(&answer.to_string()))?;
        }
        out.flush()?;
        Ok(())
    };
    while let Some((n, line)) = lines.next_line()? {
        let parsed = match line {
            Line::Text(text) => parse(n, &text),
            Line::Bad(why) => Err(why),
        };
        let (login, sub) = match parsed {
            Ok(p) => p,
            Err(e) => {
                // Answers stay in line order: what waits is run first.
                flush(&mut run, &run_login, &mut sessions, &mut refused)?;
                bad += 1;
                super::output::say_json(&json!({"line": n, "ok": false, "error": e}).to_string());
                continue;
            }
        };
        if login != run_login || run.len() >= MAX_BATCH {
            flush(&mut run, &run_login, &mut sessions, &mut refused)?;
            run_login = login;
        }
        run.push((n, sub));
    }
    flush(&mut run, &run_login, &mut sessions, &mut refused)?;
    lines.progress().finish_and_clear();
    Ok(if refused > 0 {
        ExitCode::from(2)
    } else if bad > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
