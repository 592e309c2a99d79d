//! Moving a store written by an earlier jiban to this schema. The old store is copied beside
//! itself first, so a migration that goes wrong loses nothing; the copy's path is printed.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::codec::encode;
use super::keys::{self, Kind};
use super::{open_db, Batch, CaseWrite, Result, Store, StoreError, StoreOptions};
use crate::domain::case::{Case, UnitRecord};
use crate::domain::config::FixtureSources;
use crate::domain::event::HistoryEntry;

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
pub(super) fn copy_dir(from: &Path, to: &Path) -> Result<()> {
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
    let _ = writeln!(
        std::io::stderr(),
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
    let old_external = db.open_tree("by_external")?;
    let old_sequences = db.open_tree("sequences")?;
    // Schema 2 lives in `data`; an interrupted migration starts it again from the old trees.
    db.open_tree("data")?.clear()?;
    let store = Store::with_db(path, path, db, options)?;
    let mut chunk: Vec<(Case, HistoryEntry)> = Vec::with_capacity(CHUNK);
    let write = |chunk: &mut Vec<(Case, HistoryEntry)>| -> Result<()> {
        let mut batch = Batch::default();
        for (case, entry) in chunk.iter() {
            batch.cases.push(CaseWrite {
                before: None,
                after: case,
                entry: Some(entry),
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
    // History, unit records, work-order numbers and sequences, re-keyed, 10,000 to a batch.
    let mut rest = sled::Batch::default();
    let mut pending = 0usize;
    let mut put = |key: Vec<u8>, value: Vec<u8>| -> Result<()> {
        rest.insert(key, value);
        pending += 1;
        if pending == 10_000 {
            store.data.apply_batch(std::mem::take(&mut rest))?;
            pending = 0;
        }
        Ok(())
    };
    for kv in old_history.iter() {
        let (k, v) = kv?;
        let entry: HistoryEntry = json("history", &v)?;
        put(keys::of(Kind::Event, &k), encode(&entry))?;
    }
    for kv in old_units.iter() {
        let (k, v) = kv?;
        let record: UnitRecord = json("units", &v)?;
        put(keys::of(Kind::UnitRecord, &k), encode(&record))?;
    }
    for (tree, kind) in [
        (&old_external, Kind::External),
        (&old_sequences, Kind::Sequence),
    ] {
        for kv in tree.iter() {
            let (k, v) = kv?;
            put(keys::of(kind, &k), v.to_vec())?;
        }
    }

    store.data.apply_batch(rest)?;
    let fixtures: FixtureSources = json(
        "meta",
        &meta.get("fixtures")?.ok_or_else(|| StoreError::Corrupt {
            tree: "meta",
            reason: "no fixtures".into(),
        })?,
    )?;
    // Both at once: a rerun after a crash must find the old JSON fixtures with schema 1.
    let mut done = sled::Batch::default();
    done.insert("fixtures", encode(&fixtures));
    done.insert("schema_version", &2u32.to_be_bytes());
    meta.apply_batch(done)?;
    store.flush()?;
    for old in [
        "cases",
        "history",
        "units",
        "by_external",
        "sequences",
        "by_holder",
        "by_due",
    ] {
        store.db.drop_tree(old)?;
    }
    store.flush()?;
    let _ = writeln!(
        std::io::stderr(),
        "jiban: migrated {} cases to schema 2",
        store.case_count()
    );
    Ok(())
}

/// The configuration stored in the store (the rules and calendar a migration computes with).
fn stored_config(store: &Store) -> Result<crate::domain::config::Config> {
    crate::domain::config::Config::from_sources(&store.fixtures()?).map_err(|e| {
        StoreError::Corrupt {
            tree: "meta",
            reason: format!("the stored fixtures do not parse: {e}"),
        }
    })
}

/// Rewrites every open case as `change` makes it from its stored state (with the id), in
/// chunks of [`CHUNK`] (indexes and counts follow, no history entry), then writes the schema
/// mark and flushes. `change` returns the state to write as coming from (`before`) and the new
/// state, or `None` to leave the case. Returns how many cases were rewritten.
fn rewrite_open_cases(
    store: &Store,
    mut change: impl FnMut(&str, Case) -> Result<Option<(Case, Case)>>,
) -> Result<usize> {
    let ids: Vec<String> = store
        .scan(Kind::Open, &[])
        .map(|kv| kv.map(|(k, _)| String::from_utf8_lossy(&k).into_owned()))
        .collect::<Result<_>>()?;
    let mut migrated = 0usize;
    for chunk in ids.chunks(CHUNK) {
        let mut pairs: Vec<(Case, Case)> = Vec::with_capacity(chunk.len());
        for id in chunk {
            if let Some(case) = store.case(id)? {
                pairs.extend(change(id, case)?);
            }
        }
        let mut batch = Batch::default();
        for (before, after) in &pairs {
            batch.cases.push(CaseWrite {
                before: Some(before),
                after,
                entry: None,
            });
        }
        store.commit(&batch)?;
        migrated += pairs.len();
    }
    store.flush()?;
    Ok(migrated)
}

/// Writes the current schema mark, last, once every migration step is flushed.
pub(super) fn mark_current(store: &Store) -> Result<()> {
    store
        .meta
        .insert("schema_version", &super::SCHEMA_VERSION.to_be_bytes())?;
    store.flush()?;
    Ok(())
}

/// Migrates a schema-4 store to schema 5 in place: every stored case, open or finished, gets its
/// entries in the matter index (its phone, its address), so intake links a repeat complaint to
/// earlier cases ([`crate::domain::repeat`]), and every closed case its entry in the index of
/// closed cases by handling unit, which a look-back samples ([`crate::domain::lookback`]).
/// Rerunning after a crash writes the same keys.
pub fn from_schema_4(store: &Store) -> Result<()> {
    let _ = writeln!(
        std::io::stderr(),
        "jiban: migrating the store at {} to schema 5 (repeat complaints, look-back)",
        store.path().display()
    );
    tracing::warn!(store = %store.path().display(), "migrating schema 4 to 5");
    let mut batch = sled::Batch::default();
    let (mut pending, mut cases) = (0usize, 0usize);
    for kv in store.scan(Kind::State, &[]) {
        let id = String::from_utf8_lossy(&kv?.0).into_owned();
        let Some(case) = store.case(&id)? else {
            continue;
        };
        for k in super::write::matter_keys(&case)
            .into_iter()
            .chain(super::write::handled_key(&case))
        {
            batch.insert(k, Vec::new());
            pending += 1;
        }
        cases += 1;
        if pending >= 4 * CHUNK {
            store.data.apply_batch(std::mem::take(&mut batch))?;
            pending = 0;
        }
    }
    store.data.apply_batch(batch)?;
    store.flush()?;
    let _ = writeln!(
        std::io::stderr(),
        "jiban: {cases} cases are now in the repeat-complaint index (schema 5)"
    );
    Ok(())
}

/// Migrates a schema-2 store to schema 3 in place: every open case gets the running clocks of
/// its stage ([`crate::domain::deadlines`]) and the deadline index becomes one entry per clock.
/// A clock that did not exist before starts at the case's last change (its triage clock at
/// receipt). The clocks set the chasing steps too, so the store is at schema 4 after it.
/// Rerunning after a crash gives the same result; the schema mark is written last.
pub fn from_schema_2(store: &Store) -> Result<()> {
    let _ = writeln!(
        std::io::stderr(),
        "jiban: migrating the store at {} from schema 2 to schema 3 (a clock for every stage)",
        store.path().display()
    );
    tracing::warn!(store = %store.path().display(), "migrating schema 2 to 3");
    let config = stored_config(store)?;
    let mut clear = sled::Batch::default();
    for kv in store.scan(Kind::Due, &[]) {
        clear.remove(keys::of(Kind::Due, &kv?.0));
    }
    store.data.apply_batch(clear)?;
    let migrated = rewrite_open_cases(store, |id, before| {
        let since = store.last_entry(id)?.map_or(before.received_at, |e| e.at);
        let mut after = before.clone();
        crate::domain::deadlines::refresh(&mut after, since, &config.rules, &config.calendar);
        Ok(Some((before, after)))
    })?;
    let _ = writeln!(
        std::io::stderr(),
        "jiban: {migrated} open cases now have their clocks (schema 3)"
    );
    Ok(())
}

/// Migrates a schema-3 store to schema 4 in place: every open case gets its next chasing step
/// ([`crate::domain::chasing`]) and the chasing index its entry. Nothing of a case's history
/// changes; a step already due is recorded by the engine right after the store opens. Rerunning
/// after a crash gives the same result; the schema mark is written last.
pub fn from_schema_3(store: &Store) -> Result<()> {
    let _ = writeln!(
        std::io::stderr(),
        "jiban: migrating the store at {} from schema 3 to schema 4 (chasing late cases)",
        store.path().display()
    );
    tracing::warn!(store = %store.path().display(), "migrating schema 3 to 4");
    let config = stored_config(store)?;
    let migrated = rewrite_open_cases(store, |_, mut before| {
        // A schema-3 case has no chasing state and no chasing index entry: written as coming
        // from none, so the index entry is written whatever the state read says.
        before.chase = Default::default();
        let mut after = before.clone();
        crate::domain::chasing::schedule(&mut after, &config.rules, &config.calendar);
        Ok(after.chase.next.is_some().then_some((before, after)))
    })?;
    let _ = writeln!(
        std::io::stderr(),
        "jiban: {migrated} open cases are now chased when late (schema 4)"
    );
    Ok(())
}
