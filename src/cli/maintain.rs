//! Keeping the store from the shell: `compact`, `backup`, `check` (embedded or through the server)
//! and `restore` (a stopped store only).

use std::path::Path;
use std::process::ExitCode;

use anyhow::anyhow;

use super::Cli;

/// `jiban compact`.
pub fn compact(cli: &Cli, json: bool) -> anyhow::Result<ExitCode> {
    let report = cli
        .session("cli", false)?
        .compact()
        .map_err(super::refusal)?;
    if json {
        super::output::say_json(&serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    crate::outln!(
        "compacted: {:.1} MB → {:.1} MB on disk ({})",
        report.before as f64 / 1e6,
        report.after as f64 / 1e6,
        report.dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `jiban backup DIR`: a relative DIR is made absolute here, since a server has its own folder.
pub fn backup(cli: &Cli, dir: &Path, json: bool) -> anyhow::Result<ExitCode> {
    let dir = std::path::absolute(dir).map_err(|e| anyhow!("{}: {e}", dir.display()))?;
    let made = cli
        .session("cli", false)?
        .backup(&dir)
        .map_err(super::refusal)?;
    if json {
        let mut v = serde_json::to_value(&made)?;
        super::output::to_china_time(&mut v);
        super::output::say_json(&serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    crate::outln!(
        "backup: {} cases, {:.1} MB in {}",
        made.cases,
        made.bytes as f64 / 1e6,
        made.dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `jiban check`: exit 0 when clean, 1 with every problem listed otherwise. A store that cannot
/// open at all is reported with what failed and where its latest backup is.
pub fn check(cli: &Cli, json: bool) -> anyhow::Result<ExitCode> {
    let report = cli.session("cli", false)?.check().map_err(super::refusal)?;
    if json {
        super::output::say_json(&serde_json::to_string_pretty(&report)?);
    } else {
        for p in &report.problems {
            crate::outln!("{}", crate::text::clean(p));
        }
        if report.more > 0 {
            crate::outln!("… and {} more problems", report.more);
        }
        crate::outln!(
            "{} records, {} cases: {}",
            report.records,
            report.cases,
            match report.problems.len() as u64 + report.more {
                0 => "no problems".to_string(),
                n => format!("{n} problems"),
            }
        );
    }
    Ok(match report.is_clean() {
        true => ExitCode::SUCCESS,
        false => ExitCode::from(1),
    })
}

/// `jiban restore BACKUP`: the store (`--data`) must be stopped; it is kept beside as
/// `STORE.before-restore-<time>`.
pub fn restore(cli: &Cli, backup: &Path, json: bool) -> anyhow::Result<ExitCode> {
    cli.embedded_only("restore")?;
    let store = cli.data_dir();
    let now = cli.clock()?.now();
    let kept = crate::store::backup::restore(backup, &store, now)?;
    if json {
        let v = serde_json::json!({"store": store, "from": backup, "kept": kept});
        super::output::say_json(&serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    crate::outln!("restored {} from {}", store.display(), backup.display());
    if let Some(k) = kept {
        crate::outln!("the store it replaced is kept at {}", k.display());
    }
    Ok(ExitCode::SUCCESS)
}
