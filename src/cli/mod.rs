//! The scriptable command line: `jiban [--data DIR] [--now TIME] [--as LOGIN] <command>`.
//! Every command goes through the engine; nothing here knows a rule.

pub use crate::vocabulary as act;
mod batch;
pub mod board;
mod calendar;
mod lookback;
mod maintain;
pub mod output;
mod print;
pub mod report;
pub mod serve;
mod stream;
mod xlsx;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{anyhow, Context as _};
use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};

use crate::client::{Client, ConnectOptions};
use crate::domain::case::{CaseId, Stage};
use crate::domain::clock::{Clock, SimulatedClock, SystemClock};
use crate::domain::intake::parse_line;
use crate::domain::light::Light;
use crate::domain::org::UnitId;
use crate::domain::users::User;
use crate::engine::query::CaseFilter;
use crate::engine::{Engine, EngineError, IntakeOutcome};
use crate::service::{Embedded, Service};
use crate::store::StoreOptions;
pub use board::BoardArgs;
use output::{cst_minutes, cst_rfc3339, pad, print_json};

/// jiban (即办): a dispatch board for citizen-demand platforms (接诉即办).
#[derive(Debug, Parser)]
#[command(name = "jiban", version, about, disable_help_subcommand = true)]
pub struct Cli {
    /// The store folder (default: $JIBAN_DATA, else $XDG_DATA_HOME/jiban, i.e.
    /// ~/.local/share/jiban).
    #[arg(long, global = true, env = "JIBAN_DATA")]
    pub data: Option<PathBuf>,
    /// Run as of a simulated time (RFC 3339), e.g. 2026-11-23T09:00:00+08:00.
    #[arg(long, global = true)]
    pub now: Option<String>,
    /// Act as this login (default: the store's administrator, trainer role; with --connect, the
    /// login your OS user maps to, and only a trainer may name another).
    #[arg(long = "as", global = true)]
    pub login: Option<String>,
    /// Talk to `jiban serve` on this socket instead of opening the store.
    #[arg(long, global = true, env = "JIBAN_CONNECT", value_name = "SOCKET")]
    pub connect: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: CliCommand,
}

/// `jiban calendar …`.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum CalendarAction {
    /// Add a year's calendar file (the State Council notice, in the format of
    /// fixtures/calendar/cn-2026.toml) as that year's next version; every open deadline it moves
    /// is recomputed, with a history entry on each case (the trainer and the city dispatcher).
    Add {
        /// The TOML file.
        file: PathBuf,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// The years held with their versions, and the cases whose deadlines are provisional.
    List {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

/// The CLI's commands.
#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Create a new store with the bundled fixtures.
    Init {
        /// Also load the demo cases and walk a share of them through the stages.
        #[arg(long)]
        demo: bool,
        /// Use fixtures from this folder instead of the bundled ones.
        #[arg(long)]
        fixtures: Option<PathBuf>,
        /// `{"store", "cases", "demo"}` on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Take in cases: JSON lines from FILE or - (stdin), one case each.
    Intake {
        /// A file, or - for standard input.
        file: String,
        /// One JSON object per input line on stdout, in order: `{"line", "ok": true, "id"}`,
        /// `{"line", "ok": false, "duplicate_of"}` or `{"line", "ok": false, "error"}`.
        #[arg(long)]
        json: bool,
    },
    /// List cases.
    Cases {
        /// JSON output.
        #[arg(long)]
        json: bool,
        /// Only this stage (`triage`, or the board's word: 待受理).
        #[arg(long, value_parser = crate::vocabulary::parse_stage)]
        stage: Option<Stage>,
        /// Only cases this unit holds.
        #[arg(long)]
        holder: Option<String>,
        /// Only this light (`red`, or 红 / 红灯).
        #[arg(long, value_parser = crate::vocabulary::parse_light)]
        light: Option<Light>,
        /// Only this district.
        #[arg(long)]
        district: Option<String>,
        /// At most N rows, the most urgent first.
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
    },
    /// One case with its whole history.
    Show {
        /// Case id.
        id: String,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Run one lifecycle command on a case.
    #[command(args_conflicts_with_subcommands = false)]
    Act {
        /// Case id.
        #[arg(required_unless_present = "batch")]
        id: Option<String>,
        /// JSON lines from FILE or - (stdin): {"case", "command", "options", "as", "version"},
        /// group-committed, each line answered on stdout.
        #[arg(long, value_name = "FILE", conflicts_with = "id")]
        batch: Option<String>,
        /// Print the recorded history entry, with the case's stage and holder after it, as JSON
        /// (`jiban act --json ID COMMAND …`).
        #[arg(long)]
        json: bool,
        /// The command and its options.
        #[command(subcommand)]
        command: Option<act::ActCommand>,
    },
    /// The organisation with assessment records.
    Units {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// The logins.
    Users {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// The deadline N working days from a time.
    Due {
        /// Start (RFC 3339).
        #[arg(long)]
        from: String,
        /// Working days.
        #[arg(long)]
        days: u32,
        /// JSON output: {"due", "provisional", "missing_years"}.
        #[arg(long)]
        json: bool,
    },
    /// Rewrite the store into a fresh copy and swap it in, giving back the space that updates
    /// left behind (the server's store with --connect; commands wait while it runs).
    Compact {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Copy the store, consistently, into a new folder inside DIR (the server's store with
    /// --connect, DIR on the server's machine; commands wait while it runs).
    Backup {
        /// The folder backups go in (each backup is a folder jiban-backup-<UTC time> in it).
        dir: PathBuf,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Read every record of the store and say what is wrong (exit 1 if anything is).
    Check {
        /// The report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Replace a stopped store (--data) with a backup; the store replaced is kept beside it.
    Restore {
        /// The backup folder (a jiban-backup-<time> folder made by `jiban backup`).
        backup: PathBuf,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// The holiday calendars (节假日安排) of the store (the server's with --connect).
    Calendar {
        /// What to do.
        #[command(subcommand)]
        action: CalendarAction,
    },
    /// Look-back sampling (回头看): draw a month's sample of closed cases for re-visits.
    Lookback {
        /// What to do.
        #[command(subcommand)]
        action: lookback::LookbackAction,
    },
    /// A report (报表: 日报 … 年报): the measures (一比三率) of a unit over a period beside the
    /// period before and a year earlier, its child units ranked, the top kinds of matter, hot
    /// spots, the trend and the unsatisfied cases.
    Report(report::ReportArgs),
    /// Today's early warnings (监测预警): kinds of matter that stay high or rise sharply.
    Warnings {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// The seven published reasons for not accepting a case (不受理).
    Reasons {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Shell completions on stdout: `jiban completions bash > ~/.local/share/bash-completion/completions/jiban`
    /// (zsh: a file `_jiban` on $fpath; fish: ~/.config/fish/completions/jiban.fish).
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Help on jiban or on one of its commands (`jiban help act`).
    Help {
        /// The command (and subcommand) to explain.
        command: Vec<String>,
    },
    /// Create a fresh demo store (in a temp dir unless --data is given) and open the board on it
    /// (never through a server).
    Demo {
        /// How the board looks.
        #[command(flatten)]
        look: BoardArgs,
        /// New citizen cases keep arriving, one every SECS seconds (default 20).
        #[arg(long, value_name = "SECS", num_args = 0..=1, default_missing_value = "20")]
        live: Option<u64>,
    },
    /// Open the live board on an existing store, or on a server with --connect.
    Board {
        /// How the board looks.
        #[command(flatten)]
        look: BoardArgs,
    },
    /// Own the store and serve boards and CLI calls on a Unix socket.
    Serve(serve::ServeArgs),
    /// Print committed changes as they happen (needs --connect or JIBAN_CONNECT).
    Watch {
        /// One JSON object per line: case, seq, action, by, at (+08:00), stage, holder.
        #[arg(long)]
        json: bool,
    },
}

/// How this process opens a store: sled's cache from `JIBAN_CACHE_MB` (default
/// [`StoreOptions::default`], 16 MiB) and the free-disk reserve below which writes are refused
/// from `JIBAN_DISK_RESERVE_MB` (default 64 MiB; 0 turns the check off).
pub fn store_options() -> anyhow::Result<StoreOptions> {
    let mut options = StoreOptions::default();
    if let Some(mb) = env_mib("JIBAN_CACHE_MB", 1)? {
        options.cache_bytes = mb << 20;
    }
    if let Some(mb) = env_mib("JIBAN_DISK_RESERVE_MB", 0)? {
        options.reserve_bytes = mb << 20;
    }
    Ok(options)
}

/// A size in MiB from an environment variable, from `min` to 65536.
fn env_mib(name: &str, min: u64) -> anyhow::Result<Option<u64>> {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .ok()
            .filter(|mb| (min..=65_536).contains(mb))
            .map(Some)
            .ok_or_else(|| anyhow!("{name}: {v:?} is not a size in MiB from {min} to 65536")),
        Err(_) => Ok(None),
    }
}

/// An error that carries its own exit code (refusals exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Exit {
    /// The message.
    pub message: String,
    /// The exit code.
    pub code: u8,
}

pub(crate) fn parse_time(s: &str, what: &str) -> anyhow::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .with_context(|| {
            format!("{what}: {s:?} is not an RFC 3339 time (e.g. 2026-11-23T09:00:00+08:00)")
        })
}

/// The default store folder: the XDG data dir's `jiban`.
pub fn default_data_dir() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("jiban")
}

impl Cli {
    pub(crate) fn clock(&self) -> anyhow::Result<Arc<dyn Clock>> {
        Ok(match &self.now {
            Some(t) => Arc::new(SimulatedClock::fixed(parse_time(t, "--now")?)),
            None => Arc::new(SystemClock),
        })
    }

    pub(crate) fn data_dir(&self) -> PathBuf {
        self.data.clone().unwrap_or_else(default_data_dir)
    }

    pub(crate) fn engine(&self) -> anyhow::Result<Engine> {
        if self.command.reads_only() {
            return open_reading(&self.data_dir(), self.clock()?);
        }
        Ok(Engine::open_with(
            &self.data_dir(),
            self.clock()?,
            store_options()?,
        )?)
    }

    /// A connection to the server at `--connect` acting as `login` (the server decides whether
    /// this OS user may).
    pub(crate) fn session_as(
        &self,
        role: &str,
        login: Option<String>,
    ) -> anyhow::Result<Arc<dyn Service>> {
        let socket = self
            .connect
            .as_ref()
            .ok_or_else(|| anyhow!("no --connect socket"))?;
        let options = ConnectOptions {
            role: role.into(),
            act_as: login,
            events: false,
            reconnect: false,
        };
        Ok(Arc::new(Client::connect(socket, options)?))
    }

    /// The session a command acts through: the server at `--connect`, or the store opened here.
    /// The commands below do not know which they have.
    pub(crate) fn session(&self, role: &str, live: bool) -> anyhow::Result<Arc<dyn Service>> {
        let Some(socket) = &self.connect else {
            let engine = Arc::new(self.engine()?);
            let operator = self.operator(&engine)?;
            return Ok(Arc::new(Embedded::new(engine, operator)));
        };
        if self.now.is_some() {
            return Err(anyhow!(
                "--now: a connected session runs on the server's clock (start the server with --now)"
            ));
        }
        let options = ConnectOptions {
            role: role.into(),
            act_as: self.login.clone(),
            events: live,
            reconnect: live,
        };
        Ok(Arc::new(Client::connect(socket, options)?))
    }

    fn embedded_only(&self, what: &str) -> anyhow::Result<()> {
        match &self.connect {
            Some(s) => Err(anyhow!(
                "{what} works on a store folder, not through a server (drop --connect {} / JIBAN_CONNECT)",
                s.display()
            )),
            None => Ok(()),
        }
    }

    pub(crate) fn operator(&self, engine: &Engine) -> anyhow::Result<User> {
        match &self.login {
            Some(login) => Ok(engine.user(login)?),
            None => Ok(engine.administrator()),
        }
    }
}

/// Opens the store for a command that only reads: a store that cannot be written (a read-only
/// mount, a full disk) is read from a copy, and stderr says so once.
pub(crate) fn open_reading(dir: &std::path::Path, clock: Arc<dyn Clock>) -> anyhow::Result<Engine> {
    let engine = Engine::open_reading(dir, clock, store_options()?)?;
    if let Some(why) = engine.read_only() {
        crate::errln!("jiban: note: {why}");
    }
    Ok(engine)
}

impl CliCommand {
    /// True for the commands that only read the store: they work on a store that cannot be
    /// written (read through a copy, see [`crate::store::reading`]).
    pub fn reads_only(&self) -> bool {
        matches!(
            self,
            CliCommand::Cases { .. }
                | CliCommand::Show { .. }
                | CliCommand::Units { .. }
                | CliCommand::Users { .. }
                | CliCommand::Due { .. }
                | CliCommand::Calendar {
                    action: CalendarAction::List { .. }
                }
                | CliCommand::Check { .. }
                | CliCommand::Backup { .. }
                | CliCommand::Board { .. }
                | CliCommand::Watch { .. }
                | CliCommand::Report(..)
                | CliCommand::Warnings { .. }
        )
    }
}

/// Runs the CLI and returns the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        CliCommand::Init {
            demo,
            fixtures,
            json,
        } => {
            cli.embedded_only("init")?;
            let sources = match fixtures {
                Some(dir) => crate::fixtures::from_dir(dir)?,
                None => crate::fixtures::bundled(),
            };
            let dir = cli.data_dir();
            let now = cli.clock()?.now();
            let clock = Arc::new(SimulatedClock::fixed(now));
            let engine = Engine::init_with(&dir, &sources, clock.clone(), store_options()?)?;
            let summary = match demo {
                true => Some(crate::demo::seed(&engine, &clock, now)?),
                false => None,
            };
            if *json {
                let v = serde_json::json!({
                    "store": dir,
                    "cases": engine.store().case_count(),
                    "demo": summary,
                });
                output::say_json(&serde_json::to_string_pretty(&v)?);
                return Ok(ExitCode::SUCCESS);
            }
            if let Some(summary) = summary {
                crate::outln!("{summary}");
            }
            crate::outln!("store created at {}", dir.display());
            Ok(ExitCode::SUCCESS)
        }
        CliCommand::Intake { file, json } => intake(&cli, file, *json),
        // The demo always runs on its own fresh store, whatever JIBAN_CONNECT says.
        CliCommand::Demo { look, live } => {
            // The demo makes a store of its own: a server's store is never the demo's.
            cli.embedded_only("demo")?;
            board::demo(&cli, look, *live)
        }
        CliCommand::Board { look } => board::board(&cli, look),
        CliCommand::Serve(args) => {
            cli.embedded_only("serve")?;
            serve::serve(&cli, args)
        }
        CliCommand::Watch { json } => serve::watch(&cli, *json),
        CliCommand::Cases {
            json,
            stage,
            holder,
            light,
            district,
            limit,
        } => {
            let session = cli.session("cli", false)?;
            let filter = CaseFilter {
                stage: *stage,
                holder: holder.clone().map(UnitId),
                light: *light,
                district: district.clone().map(UnitId),
                limit: *limit,
            };
            for (what, id) in [("--holder", holder), ("--district", district)] {
                if let Some(id) = id {
                    if session.config().org.get_str(id).is_none() {
                        return Err(anyhow!("{what}: unknown unit {id:?}"));
                    }
                }
            }
            let rows = session.list(&filter)?;
            if *json {
                print_json(&rows)?;
            } else {
                print::print_case_table(&session.config(), &rows);
            }
            Ok(ExitCode::SUCCESS)
        }
        CliCommand::Show { id, json } => {
            let session = cli.session("cli", false)?;
            let view = session.show(id)?;
            if *json {
                print_json(&view)?;
            } else {
                print::print_case(&session.config(), session.operator(), &view);
            }
            Ok(ExitCode::SUCCESS)
        }
        CliCommand::Act {
            batch: Some(file), ..
        } => batch::run(&cli, file),
        CliCommand::Act {
            id, command, json, ..
        } => act_one(&cli, id.as_deref(), command.as_ref(), *json),
        CliCommand::Units { json } => {
            let units = cli.session("cli", false)?.units()?;
            if *json {
                print_json(&units)?;
            } else {
                print::print_units(&units);
            }
            Ok(ExitCode::SUCCESS)
        }
        CliCommand::Users { json } => {
            let session = cli.session("cli", false)?;
            let config = session.config();
            let users = config.users.all();
            if *json {
                print_json(&users)?;
            } else {
                for u in users {
                    crate::outln!(
                        "{} {} {} {}",
                        pad(&u.login, 28),
                        pad(u.role.as_str(), 20),
                        pad(u.unit.as_str(), 36),
                        u.name
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        CliCommand::Due { from, days, json } => calendar::due(&cli, from, *days, *json),
        CliCommand::Lookback { action } => lookback::run(&cli, action),
        CliCommand::Report(args) => report::run(&cli, args),
        CliCommand::Warnings { json } => report::warnings(&cli, *json),
        CliCommand::Calendar { action } => match action {
            CalendarAction::Add { file, json } => calendar::add(&cli, file, *json),
            CalendarAction::List { json } => calendar::list(&cli, *json),
        },
        CliCommand::Help { command } => {
            use clap::CommandFactory;
            let mut cmd = Cli::command();
            let mut at = &mut cmd;
            for word in command {
                at = at
                    .find_subcommand_mut(word)
                    .ok_or_else(|| anyhow!("no command {word:?}; `jiban help` lists them"))?;
            }
            crate::outln!("{}", at.render_long_help());
            Ok(ExitCode::SUCCESS)
        }
        CliCommand::Completions { shell } => {
            use clap::CommandFactory;
            let mut out = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "jiban", &mut out);
            crate::outln!("{}", String::from_utf8_lossy(&out).trim_end());
            Ok(ExitCode::SUCCESS)
        }
        CliCommand::Compact { json } => maintain::compact(&cli, *json),
        CliCommand::Backup { dir, json } => maintain::backup(&cli, dir, *json),
        CliCommand::Check { json } => maintain::check(&cli, *json),
        CliCommand::Restore { backup, json } => maintain::restore(&cli, backup, *json),
        CliCommand::Reasons { json } => {
            let rules = crate::domain::rules::Rules::from_toml(
                "rules.toml",
                &crate::fixtures::bundled().rules,
            )?;
            if *json {
                output::say_json(&serde_json::to_string_pretty(&rules.reject_reason)?);
                return Ok(ExitCode::SUCCESS);
            }
            for r in &rules.reject_reason {
                crate::outln!("{}  {}\n   {}", r.code, r.zh, r.en);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Streams an intake file: [`crate::engine::INTAKE_BATCH`] lines (or [`stream::MAX_BATCH_BYTES`])
/// at a time are parsed, stored and
/// acknowledged (their ids printed) before the next are read, so memory stays bounded and a
/// failure loses at most the batch in hand. Bad lines are reported by number and skipped.
fn intake(cli: &Cli, file: &str, json: bool) -> anyhow::Result<ExitCode> {
    let mut lines = stream::Lines::open(file)?;
    let session = cli.session("cli", false)?;
    let mut bad = 0usize;
    let mut stored = 0usize;
    let mut batch = Vec::with_capacity(crate::engine::INTAKE_BATCH);
    // The input line of each case in the batch, for `--json` answers.
    let mut numbers: Vec<usize> = Vec::with_capacity(crate::engine::INTAKE_BATCH);
    let answer =
        |v: serde_json::Value| crate::outln!("{}", crate::text::escape_json(&v.to_string()));
    let mut send = |batch: &mut Vec<crate::domain::intake::NewCase>,
                    numbers: &mut Vec<usize>,
                    lines: &stream::Lines|
     -> anyhow::Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let outcomes = session.intake(std::mem::take(batch))?;
        let numbers = std::mem::take(numbers);
        let mut out = std::io::stdout().lock();
        for (o, n) in outcomes.iter().zip(numbers) {
            match (o, json) {
                (IntakeOutcome::Created(id), false) => {
                    stored += 1;
                    writeln!(out, "{id}")?;
                }
                (IntakeOutcome::Created(id), true) => {
                    stored += 1;
                    let v = serde_json::json!({"line": n, "ok": true, "id": id});
                    writeln!(out, "{}", crate::text::escape_json(&v.to_string()))?;
                }
                (IntakeOutcome::Duplicate(id), true) => {
                    let v = serde_json::json!({"line": n, "ok": false, "duplicate_of": id});
                    writeln!(out, "{}", crate::text::escape_json(&v.to_string()))?;
                }
                (IntakeOutcome::Duplicate(id), false) => lines
                    .progress()
                    .suspend(|| crate::errln!("duplicate work order: already stored as {id}")),
            }
        }
        out.flush()?;
        lines.progress().set_message(format!("{stored} stored"));
        Ok(())
    };
    let mut bytes = 0usize;
    while let Some((n, line)) = lines.next_line()? {
        let parsed = match line {
            stream::Line::Text(text) => {
                bytes += text.len();
                parse_line(n, &text, &session.config().org).map_err(|e| e.to_string())
            }
            stream::Line::Bad(why) => Err(why),
        };
        match parsed {
            Ok(c) => {
                batch.push(c);
                numbers.push(n);
            }
            Err(e) => {
                bad += 1;
                if json {
                    // In order: what came before this line is answered first.
                    send(&mut batch, &mut numbers, &lines)?;
                    bytes = 0;
                }
                match json {
                    true => answer(serde_json::json!({"line": n, "ok": false, "error": e})),
                    false => lines.progress().suspend(|| crate::errln!("{e}")),
                }
            }
        }
        if batch.len() >= crate::engine::INTAKE_BATCH || bytes >= stream::MAX_BATCH_BYTES {
            send(&mut batch, &mut numbers, &lines)?;
            bytes = 0;
        }
    }
    send(&mut batch, &mut numbers, &lines)?;
    lines.progress().finish_and_clear();
    if json && bad > 0 {
        crate::errln!("{bad} lines could not be taken in (their answers say why)");
    }
    Ok(if bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Fault injection for the concurrency test of `act` (test builds only): the failpoint
/// `cli-act-after-read=return(MARKER)` writes the file MARKER once the case is read, then waits
/// 1.5 s before acting, so another command can land in between.
fn act_after_read() {
    fail::fail_point!("cli-act-after-read", |marker: Option<String>| {
        if let Some(m) = marker {
            let _ = std::fs::write(m, b"read");
        }
        std::thread::sleep(std::time::Duration::from_millis(1500));
    });
}

/// `jiban act ID COMMAND …`: one lifecycle command, against the version of the case read just
/// before; a refusal exits 2 with its reason.
fn act_one(
    cli: &Cli,
    id: Option<&str>,
    command: Option<&act::ActCommand>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let (Some(id), Some(command)) = (id, command) else {
        return Err(anyhow!(
            "act: give a case id and a command (see `jiban act --help`), or --batch FILE"
        ));
    };
    let session = cli.session("cli", false)?;
    let command = command.clone().into();
    // Act against the version read now: when another command lands in between (two
    // dispatchers at once), the loser is told "this case changed: …" with what changed,
    // not a refusal decided against a state it never saw.
    let read = match session.show(id) {
        Ok(view) => Some(view.case.version),
        Err(EngineError::UnknownCase(_)) => None,
        Err(e) => return Err(e.into()),
    };
    act_after_read();
    match session.execute(&CaseId(id.to_string()), &command, read) {
        Ok(entry) => {
            let case = session.show(id)?.case;
            if json {
                let mut v = serde_json::to_value(&entry)?;
                v["stage"] = serde_json::Value::from(case.stage.as_str());
                v["holder"] = serde_json::Value::from(case.holder.as_str());
                v["version"] = serde_json::Value::from(case.version);
                print_json(&v)?;
                return Ok(ExitCode::SUCCESS);
            }
            crate::outln!(
                "{id}: {} by {} at {} → {} at {}",
                entry.event.action(),
                entry.by,
                cst_minutes(entry.at),
                case.stage,
                case.holder
            );
            if case.due_provisional {
                print::warn_provisional(&session.config(), case.due_at);
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Err(refusal(e)),
    }
}

/// A refusal (the rules, a changed case, an unknown case) exits 2 with its reason; anything else
/// is an error.
pub(crate) fn refusal(e: EngineError) -> anyhow::Error {
    match e {
        e @ (EngineError::Refused(_)
        | EngineError::Conflict { .. }
        | EngineError::UnknownCase(_)) => Exit {
            message: format!("refused: {e}"),
            code: 2,
        }
        .into(),
        e => e.into(),
    }
}
