//! The sled store: a tree per entity, big-endian ordered keys, an append-only history per case,
//! the current state of each case, and the indexes the board needs. Only the engine uses it.

pub mod keys;

use serde::{de::DeserializeOwned, Serialize};
use sled::transaction::{ConflictableTransactionError, TransactionError};
use sled::Transactional;
use std::path::{Path, PathBuf};

use crate::domain::case::{Case, CaseId, UnitRecord};
use crate::domain::config::FixtureSources;
use crate::domain::event::HistoryEntry;
use crate::domain::org::UnitId;

/// The schema this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process has the store open.
    #[error("the store at {0} is in use by another jiban process (one process owns a store; use `jiban serve` to share it)")]
    InUse(PathBuf),
    /// No store there.
    #[error("no jiban store at {0} (create one with `jiban init --data {0}`)")]
    Missing(PathBuf),
    /// A store is there already.
    #[error("a jiban store already exists at {0}")]
    Exists(PathBuf),
    /// Written by another version.
    #[error("the store at {path} has schema version {found}; this jiban reads version {expected}")]
    Schema {
        /// Where.
        path: PathBuf,
        /// Found.
        found: u32,
        /// Expected.
        expected: u32,
    },
    /// A value that does not decode.
    #[error("corrupt record in tree {tree}: {reason}")]
    Corrupt {
        /// Tree.
        tree: &'static str,
        /// Why.
        reason: String,
    },
    /// sled failed.
    #[error("storage error: {0}")]
    Sled(#[from] sled::Error),
    /// A group commit's flush failed; every command in the group reports it.
    #[error("flushing the store failed: {0}")]
    Flush(String),
}

/// The store's result type.
pub type Result<T> = std::result::Result<T, StoreError>;

/// One case's change in a commit: its state before (none for a new case) and after, and the
/// history entry that explains it.
pub struct CaseWrite<'a> {
    /// The state before.
    pub before: Option<&'a Case>,
    /// The state after.
    pub after: &'a Case,
    /// The history entry.
    pub entry: &'a HistoryEntry,
}

/// Everything one command (or one intake batch) writes, committed in one transaction.
#[derive(Default)]
pub struct Batch<'a> {
    /// Case changes.
    pub cases: Vec<CaseWrite<'a>>,
    /// Unit assessment records.
    pub units: Vec<(&'a UnitId, &'a UnitRecord)>,
    /// Per-day case counters: (key, last sequence).
    pub sequences: Vec<(Vec<u8>, u32)>,
}

/// The open store.
pub struct Store {
    path: PathBuf,
    db: sled::Db,
    meta: sled::Tree,
    cases: sled::Tree,
    history: sled::Tree,
    by_holder: sled::Tree,
    by_due: sled::Tree,
    by_external: sled::Tree,
    sequences: sled::Tree,
    units: sled::Tree,
    /// The sled data file, fsynced after every flush (see [`Store::flush`]).
    data_file: std::fs::File,
    /// Flushes done since the store was opened (group commit shares them).
    flushes: std::sync::atomic::AtomicU64,
}

fn encode<T: Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).expect("domain values always serialise")
}

fn decode<T: DeserializeOwned>(tree: &'static str, bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        tree,
        reason: e.to_string(),
    })
}

/// Removes snapshot files that a killed process left half-written (`snap.*.generating`).
///
/// sled 0.34.7 counts them as snapshots when it opens a store and then reports corruption, so a
/// SIGKILL during a snapshot would leave the store unopenable although the previous snapshot and
/// the log hold every flushed write. They are removed only while no process has the store: the
/// same `flock` that sled takes on the `db` file is taken first, and released before sled opens.
fn clear_interrupted_snapshots(path: &Path) -> Result<()> {
    let Ok(db_file) = std::fs::File::open(path.join("db")) else {
        return Ok(());
    };
    #[cfg(unix)]
    {
        use std::os::unix::io::AsRawFd;
        // SAFETY: flock on a file descriptor we own; it is released when the file is closed.
        let locked =
            unsafe { libc::flock(db_file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0;
        if !locked {
            return Err(StoreError::InUse(path.to_path_buf()));
        }
    }
    for entry in std::fs::read_dir(path).map_err(sled::Error::from)? {
        let entry = entry.map_err(sled::Error::from)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("snap.") && name.ends_with(".generating") {
            tracing::warn!(file = %name, "removing a snapshot left half-written by a killed process");
            std::fs::remove_file(entry.path()).map_err(sled::Error::from)?;
        }
    }
    drop(db_file);
    Ok(())
}

fn open_db(path: &Path) -> Result<sled::Db> {
    clear_interrupted_snapshots(path)?;
    sled::Config::new().path(path).open().map_err(|e| match &e {
        sled::Error::Io(io)
            if io.kind() == std::io::ErrorKind::WouldBlock || io.to_string().contains("lock") =>
        {
            StoreError::InUse(path.to_path_buf())
        }
        _ => StoreError::Sled(e),
    })
}

impl Store {
    fn with_db(path: &Path, db: sled::Db) -> Result<Store> {
        Ok(Store {
            path: path.to_path_buf(),
            meta: db.open_tree("meta")?,
            cases: db.open_tree("cases")?,
            history: db.open_tree("history")?,
            by_holder: db.open_tree("by_holder")?,
            by_due: db.open_tree("by_due")?,
            by_external: db.open_tree("by_external")?,
            sequences: db.open_tree("sequences")?,
            units: db.open_tree("units")?,
            data_file: std::fs::File::open(path.join("db")).map_err(sled::Error::from)?,
            flushes: Default::default(),
            db,
        })
    }

    /// Creates a new store at `path` holding the fixture texts, flushed.
    pub fn create(path: &Path, sources: &FixtureSources) -> Result<Store> {
        if path.join("db").exists() || path.join("conf").exists() {
            return Err(StoreError::Exists(path.to_path_buf()));
        }
        let store = Store::with_db(path, open_db(path)?)?;
        store
            .meta
            .insert("schema_version", &SCHEMA_VERSION.to_be_bytes())?;
        store.meta.insert("fixtures", encode(sources))?;
        store.db.flush()?;
        Ok(store)
    }

    /// Opens an existing store, checking its schema version.
    pub fn open(path: &Path) -> Result<Store> {
        if !path.join("db").exists() && !path.join("conf").exists() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        let store = Store::with_db(path, open_db(path)?)?;
        let found = store
            .meta
            .get("schema_version")?
            .and_then(|v| <[u8; 4]>::try_from(v.as_ref()).ok())
            .map(u32::from_be_bytes)
            .unwrap_or(0);
        if found != SCHEMA_VERSION {
            return Err(StoreError::Schema {
                path: path.to_path_buf(),
                found,
                expected: SCHEMA_VERSION,
            });
        }
        Ok(store)
    }

    /// Where the store lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The fixture texts the store was created with.
    pub fn fixtures(&self) -> Result<FixtureSources> {
        let bytes = self.meta.get("fixtures")?.ok_or(StoreError::Corrupt {
            tree: "meta",
            reason: "no fixtures".into(),
        })?;
        decode("meta", &bytes)
    }

    /// One case's current state.
    pub fn case(&self, id: &str) -> Result<Option<Case>> {
        self.cases
            .get(id.as_bytes())?
            .map(|b| decode("cases", &b))
            .transpose()
    }

    /// A case's history, oldest first.
    pub fn history(&self, id: &str) -> Result<Vec<HistoryEntry>> {
        self.history
            .scan_prefix(keys::history_prefix(id))
            .values()
            .map(|v| decode("history", &v?))
            .collect()
    }

    /// Every case whose id starts with `prefix` (a district code such as `LS-`), in id order.
    pub fn cases_with_prefix(&self, prefix: &str) -> impl Iterator<Item = Result<Case>> + '_ {
        self.cases
            .scan_prefix(prefix.as_bytes())
            .values()
            .map(|v| decode("cases", &v?))
    }

    /// Up to `limit` cases in id order, after the id `after` (from the first when `None`).
    pub fn cases_after(&self, after: Option<&str>, limit: usize) -> Result<Vec<Case>> {
        use std::ops::Bound;
        let start = match after {
            Some(a) => Bound::Excluded(a.as_bytes().to_vec()),
            None => Bound::Unbounded,
        };
        self.cases
            .range::<Vec<u8>, _>((start, Bound::Unbounded))
            .values()
            .take(limit)
            .map(|v| decode("cases", &v?))
            .collect()
    }

    /// Replaces the stored `users.toml` (already validated by the caller) and flushes.
    pub fn set_users(&self, text: &str) -> Result<()> {
        let mut sources = self.fixtures()?;
        sources.users = text.to_string();
        self.meta.insert("fixtures", encode(&sources))?;
        self.flush().map(|_| ())
    }

    /// The ids of the cases a unit holds, optionally in one stage.
    pub fn ids_held_by(&self, holder: &str, stage: Option<&str>) -> Result<Vec<CaseId>> {
        self.by_holder
            .scan_prefix(keys::by_holder_prefix(holder, stage))
            .keys()
            .map(|k| {
                let k = k?;
                keys::case_of_holder_key(&k)
                    .map(|s| CaseId(s.to_string()))
                    .ok_or(StoreError::Corrupt {
                        tree: "by_holder",
                        reason: "bad key".into(),
                    })
            })
            .collect()
    }

    /// Open cases with a deadline, most urgent first.
    pub fn ids_by_due(&self) -> impl Iterator<Item = Result<CaseId>> + '_ {
        self.by_due.iter().keys().map(|k| {
            let k = k?;
            keys::case_of_due_key(&k)
                .map(|s| CaseId(s.to_string()))
                .ok_or(StoreError::Corrupt {
                    tree: "by_due",
                    reason: "bad key".into(),
                })
        })
    }

    /// The case already stored under a 12345 work-order number.
    pub fn case_by_external(&self, external: &str) -> Result<Option<CaseId>> {
        Ok(self
            .by_external
            .get(external.as_bytes())?
            .map(|v| CaseId(String::from_utf8_lossy(&v).into_owned())))
    }

    /// The last sequence used for a district and day.
    pub fn sequence(&self, key: &[u8]) -> Result<u32> {
        Ok(self
            .sequences
            .get(key)?
            .and_then(|v| <[u8; 4]>::try_from(v.as_ref()).ok())
            .map(u32::from_be_bytes)
            .unwrap_or(0))
    }

    /// A unit's assessment record.
    pub fn unit_record(&self, unit: &UnitId) -> Result<UnitRecord> {
        self.units
            .get(unit.as_str().as_bytes())?
            .map(|b| decode("units", &b))
            .transpose()
            .map(Option::unwrap_or_default)
    }

    /// Every unit that has an assessment record.
    pub fn unit_records(&self) -> Result<Vec<(UnitId, UnitRecord)>> {
        self.units
            .iter()
            .map(|kv| {
                let (k, v) = kv?;
                Ok((
                    UnitId(String::from_utf8_lossy(&k).into_owned()),
                    decode("units", &v)?,
                ))
            })
            .collect()
    }

    /// Writes a batch in one transaction (state, history and indexes together). Not yet durable:
    /// call [`Store::flush`] before acknowledging.
    pub fn commit(&self, batch: &Batch) -> Result<()> {
        let trees = (
            &self.cases,
            &self.history,
            &self.by_holder,
            &self.by_due,
            &self.by_external,
            &self.sequences,
            &self.units,
        );
        let result: std::result::Result<(), TransactionError<()>> = trees.transaction(
            |(cases, history, by_holder, by_due, by_external, seqs, units)| {
                for w in &batch.cases {
                    let id = w.after.id.as_str();
                    if let Some(before) = w.before {
                        by_holder.remove(keys::by_holder(
                            before.holder.as_str(),
                            before.stage.as_str(),
                            id,
                        ))?;
                        if let Some(due) = before.due_at {
                            by_due.remove(keys::by_due(due, id))?;
                        }
                    } else if let Some(ext) = &w.after.external_id {
                        by_external.insert(ext.as_bytes(), id.as_bytes())?;
                    }
                    cases.insert(id.as_bytes(), encode(w.after))?;
                    history.insert(keys::history(id, w.entry.seq), encode(w.entry))?;
                    by_holder.insert(
                        keys::by_holder(w.after.holder.as_str(), w.after.stage.as_str(), id),
                        &[],
                    )?;
                    if let (Some(due), false) = (w.after.due_at, w.after.stage.is_final()) {
                        by_due.insert(keys::by_due(due, id), &[])?;
                    }
                }
                for (unit, record) in &batch.units {
                    units.insert(unit.as_str().as_bytes(), encode(*record))?;
                }
                for (key, seq) in &batch.sequences {
                    seqs.insert(key.as_slice(), &seq.to_be_bytes())?;
                }
                Ok::<(), ConflictableTransactionError<()>>(())
            },
        );
        result.map_err(|e| match e {
            TransactionError::Storage(e) => StoreError::Sled(e),
            TransactionError::Abort(()) => StoreError::Corrupt {
                tree: "transaction",
                reason: "aborted".into(),
            },
        })
    }

    /// How many flushes this store has done since it was opened.
    pub fn flush_count(&self) -> u64 {
        self.flushes.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Makes everything committed so far durable; returns the bytes flushed.
    ///
    /// sled 0.34's own flush writes its log with `sync_file_range` on Linux, which survives a
    /// process crash but not a power loss; the data file is therefore fsynced as well before a
    /// command is acknowledged.
    pub fn flush(&self) -> Result<usize> {
        let bytes = self.db.flush()?;
        self.data_file.sync_data().map_err(sled::Error::from)?;
        self.flushes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(bytes)
    }

    /// How many cases the store holds.
    pub fn case_count(&self) -> usize {
        self.cases.len()
    }
}
