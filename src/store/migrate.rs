//! Moving a store written by an earlier jiban to this schema. The old store is copied beside
//! itself first, so a migration that goes wrong loses nothing; the copy's path is printed.

use std::path::{Path, PathBuf};

use super::codec::encode;
use super::{open_db, Batch, CaseWrite, Result, Store, StoreError, StoreOptions, Trees};
use crate::domain::case::{Case, UnitRecord};
use crate::domain::config::FixtureSources;
use crate::domain::event::HistoryEntry;
use crate::domain::org::UnitId;

/// Cases written per transaction while migrating.
const CHUNK: usize = 1000;

fn io(e: std::io::Error) -> StoreError {
    StoreError::Sled(e.into())
}

fn json<T: serde::de::DeserializeOwned>(tree: &'static str, bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        tree,
        reason: e.to_string(),
    })
}

/// Copies every file of the store (not following links) into `to`.
fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).map_err(io)?;
    for entry in std::fs::read_dir(from).map_err(io)? {
        let entry = entry.map_err(io)?;
        let kind = entry.file_type().map_err(io)?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target).map_err(io)?;
        }
    }
    Ok(())
}

/// Where the copy of a schema-1 store is kept: beside it, named with the time of the migration.
pub fn backup_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "store".into());
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    path.with_file_name(format!("{name}.schema1-{stamp}"))
}

/// Migrates the schema-1 store at `path` (each case one JSON record) to schema 2, in place,
/// after copying it. An interrupted migration starts again from the old trees, which are removed
/// only once schema 2 is written and flushed.
pub fn from_schema_1(path: &Path, options: StoreOptions) -> Result<()> {
    let copy = backup_path(path);
    copy_dir(path, &copy)?;
    eprintln!(
        "jiban: migrating the store at {} from schema 1 to schema 2; a copy of the schema-1 store is kept at {}",
        path.display(),
        copy.display()
    );
    tracing::warn!(store = %path.display(), copy = %copy.display(), "migrating schema 1 to 2");
    let db = open_db(path, options)?;
    let meta = db.open_tree("meta")?;
    let old_cases = db.open_tree("cases")?;
    let old_history = db.open_tree("history")?;
    let old_units = db.open_tree("units")?;
    let trees = Trees::open(&db)?;
    for t in [
        &trees.state,
        &trees.text,
        &trees.events,
        &trees.open,
        &trees.by_holder,
        &trees.by_stage,
        &trees.by_due,
        &trees.closed,
        &trees.counts,
        &trees.unit_records,
    ] {
        t.clear()?;
    }
    let store = Store::with_db(path, db)?;
    let mut chunk: Vec<(Case, HistoryEntry)> = Vec::with_capacity(CHUNK);
    let write = |chunk: &mut Vec<(Case, HistoryEntry)>| -> Result<()> {
        let mut batch = Batch::default();
        for (case, entry) in chunk.iter() {
            batch.cases.push(CaseWrite {
                before: None,
                after: case,
                entry,
            });
        }
        store.commit(&batch)?;
        chunk.clear();
        Ok(())
    };
    for kv in old_cases.iter() {
        let (_, v) = kv?;
        let case: Case = json("cases", &v)?;
        let first = old_history
            .scan_prefix(super::keys::history_prefix(case.id.as_str()))
            .values()
            .next()
            .transpose()?
            .ok_or_else(|| StoreError::Corrupt {
                tree: "history",
                reason: format!("case {} has no history", case.id),
            })?;
        chunk.push((case, json("history", &first)?));
        if chunk.len() == CHUNK {
            write(&mut chunk)?;
        }
    }
    write(&mut chunk)?;
    for kv in old_history.iter() {
        let (k, v) = kv?;
        let entry: HistoryEntry = json("history", &v)?;
        store.trees.events.insert(k, encode(&entry))?;
    }
    for kv in old_units.iter() {
        let (k, v) = kv?;
        let record: UnitRecord = json("units", &v)?;
        let unit = UnitId(String::from_utf8_lossy(&k).into_owned());
        store
            .trees
            .unit_records
            .insert(unit.as_str().as_bytes(), encode(&record))?;
    }
    let fixtures: FixtureSources = json(
        "meta",
        &meta.get("fixtures")?.ok_or_else(|| StoreError::Corrupt {
            tree: "meta",
            reason: "no fixtures".into(),
        })?,
    )?;
    meta.insert("fixtures", encode(&fixtures))?;
    meta.insert("schema_version", &super::SCHEMA_VERSION.to_be_bytes())?;
    store.flush()?;
    for old in ["cases", "history", "units"] {
        store.db.drop_tree(old)?;
    }
    store.flush()?;
    eprintln!("jiban: migrated {} cases to schema 2", store.case_count());
    Ok(())
}
