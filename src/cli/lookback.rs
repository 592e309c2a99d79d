//! `jiban lookback sample --month M [--scope U] [--seed N]`: draw a month's look-back sample
//! (回头看), embedded or through the server. The re-visit itself is a lifecycle command:
//! `jiban act ID lookback --outcome … --note …`.

use std::process::ExitCode;

use super::Cli;
use crate::domain::org::UnitId;

/// `jiban lookback …`.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum LookbackAction {
    /// Draw a month's sample of every unit's closed cases within the scope (the share and the
    /// minimum per unit are in the rules file's [lookback]); the same month, scope and seed draw
    /// the same cases, and a case is drawn once per month.
    Sample {
        /// The month, such as 2026-10 (China time).
        #[arg(long)]
        month: String,
        /// The unit whose units are sampled (default: yours).
        #[arg(long)]
        scope: Option<String>,
        /// The seed (default: one made of the month and the scope).
        #[arg(long)]
        seed: Option<u64>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

/// Runs `jiban lookback …`.
pub fn run(cli: &Cli, action: &LookbackAction) -> anyhow::Result<ExitCode> {
    let LookbackAction::Sample {
        month,
        scope,
        seed,
        json,
    } = action;
    let scope = scope.as_deref().map(|s| UnitId(s.trim().to_string()));
    let sample = cli
        .session("cli", false)?
        .lookback_sample(month, scope.as_ref(), *seed)
        .map_err(super::refusal)?;
    if *json {
        super::output::say_json(&serde_json::to_string_pretty(&sample)?);
        return Ok(ExitCode::SUCCESS);
    }
    let drawn: usize = sample.units.iter().map(|u| u.drawn.len()).sum();
    crate::outln!(
        "回头看 {} · {} · seed {} · {drawn} cases drawn from {} units{}",
        sample.month,
        sample.scope,
        sample.seed,
        sample.units.len(),
        match sample.already {
            0 => String::new(),
            n => format!(" ({n} drawn before)"),
        }
    );
    for u in &sample.units {
        let ids: Vec<&str> = u.drawn.iter().map(|c| c.as_str()).collect();
        crate::outln!(
            "  {} {}/{}  {}",
            super::output::pad(u.unit.as_str(), 36),
            u.drawn.len(),
            u.closed,
            ids.join(" ")
        );
    }
    Ok(ExitCode::SUCCESS)
}
