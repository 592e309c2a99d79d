//! `jiban calendar add FILE` and `jiban calendar list`: the holiday calendars of a store,
//! embedded or through the server.

use std::path::Path;
use std::process::ExitCode;

use anyhow::anyhow;

use super::output::cst_minutes;
use super::Cli;
use super::{cst_rfc3339, parse_time};
use crate::engine::EngineError;

/// `jiban calendar add FILE`: checks the file, stores it as the year's next version and
/// recomputes the open deadlines it moves.
pub fn add(cli: &Cli, file: &Path, json: bool) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(file).map_err(|e| anyhow!("{}: {e}", file.display()))?;
    let name = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let added = cli
        .session("cli", false)?
        .add_calendar(&name, &text)
        .map_err(super::refusal)?;
    if json {
        let mut v = serde_json::to_value(&added)?;
        super::output::to_china_time(&mut v);
        super::output::say_json(&serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    crate::outln!(
        "calendar {} v{} stored; {} open cases had their deadlines recomputed",
        added.year,
        added.version,
        added.moved.len()
    );
    for id in added.moved.iter().take(50) {
        crate::outln!("  {id}");
    }
    if added.moved.len() > 50 {
        crate::outln!("  … and {} more", added.moved.len() - 50);
    }
    Ok(ExitCode::SUCCESS)
}

/// `jiban calendar list [--json]`.
pub fn list(cli: &Cli, json: bool) -> anyhow::Result<ExitCode> {
    let list = cli
        .session("cli", false)?
        .calendars()
        .map_err(super::refusal)?;
    if json {
        let mut v = serde_json::to_value(&list)?;
        super::output::to_china_time(&mut v);
        super::output::say_json(&serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    for y in &list.years {
        let added = match (&y.added_at, &y.by) {
            (Some(at), Some(by)) => format!("added {} by {by}", cst_minutes(*at)),
            _ => "bundled".to_string(),
        };
        crate::outln!("{}  v{}  {}  ({added})", y.year, y.version, y.source);
    }
    if let Some(next) = list.missing_next_year {
        crate::outln!(
            "{next}年节假日安排未导入 · the {next} calendar is missing: deadlines crossing into {next} are provisional"
        );
    }
    crate::outln!(
        "{} open cases have a provisional deadline",
        list.provisional.len()
    );
    for id in &list.provisional {
        crate::outln!("  {id}");
    }
    Ok(ExitCode::SUCCESS)
}

/// `jiban due --from TIME --days N`: the deadline by the store's calendars (the server's with
/// `--connect`), or the bundled ones when there is no store.
pub fn due(cli: &Cli, from: &str, days: u32, json: bool) -> anyhow::Result<ExitCode> {
    let from = parse_time(from, "--from")?;
    // The store's calendars (the server's with --connect): the ones its deadlines use.
    // Without a store, the bundled ones.
    let session = match cli.session("cli", false) {
        Ok(s) => Some(s),
        Err(e)
            if matches!(
                e.downcast_ref::<EngineError>(),
                Some(EngineError::Store(crate::store::StoreError::Missing(_)))
            ) =>
        {
            None
        }
        Err(e) => return Err(e),
    };
    let bundled;
    let calendar = match &session {
        Some(s) => &s.config().calendar,
        None => {
            bundled = crate::domain::calendar::WorkCalendar::from_sources(
                &crate::fixtures::bundled()
                    .calendars
                    .iter()
                    .map(|(n, t)| (n.as_str(), t.as_str()))
                    .collect::<Vec<_>>(),
            )?;
            &bundled
        }
    };
    let d = calendar.deadline(from, days);
    for y in &d.missing_years {
        crate::errln!("warning: no calendar for {y}; counting Monday–Friday there (provisional)");
    }
    if json {
        let v = serde_json::json!({
            "due": cst_rfc3339(d.at),
            "provisional": d.provisional,
            "missing_years": d.missing_years,
        });
        super::output::say_json(&serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    crate::outln!("{}", cst_rfc3339(d.at));
    Ok(ExitCode::SUCCESS)
}
