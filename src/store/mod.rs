//! The sled store: a tree per entity, big-endian ordered keys, an append-only history per case,
//! the current state of each case apart from the citizen's words, and an index for every query
//! the engine answers. Only the engine uses it.
//!
//! Everything but the store's metadata lives in one tree, `data`, each record's kind named by its
//! key's first byte ([`keys::Kind`]), so that all a command writes is one atomic sled batch:
//!
//! | kind | key after the kind byte | value |
//! | --- | --- | --- |
//! | `S` state | case id | the case without its text ([`codec::encode_state`]) |
//! | `T` text | case id | the citizen's words, written once ([`codec::CaseText`]) |
//! | `E` event | case id ‖ 0 ‖ seq | one history entry |
//! | `O` open | case id | [`crate::domain::summary::CaseSummary`] of each open case |
//! | `H` by holder | holder ‖ 0 ‖ stage ‖ 0 ‖ case id | — |
//! | `G` by stage | stage ‖ 0 ‖ case id | — |
//! | `D` by clock | due ‖ case id ‖ 0 ‖ clock kind ‖ part unit | kind, span, provisional, holder ‖ 0 ‖ part unit (every running clock of an open case) |
//! | `C` closed | closed at ‖ case id | — (finished cases by date) |
//! | `X` work order | work-order number | case id |
//! | `N` count | holder ‖ 0 ‖ stage | number of cases (kept in each commit's batch) |
//! | `Q` sequence | district code ‖ date | last sequence |
//! | `U` unit record | unit id | assessment record |
//! | `Y` sums | unit ‖ 0 ‖ day | the measures' [`crate::domain::metrics::Counters`] ([`tally`]) |
//! | `Z` sums by kind | unit ‖ 0 ‖ day ‖ kind of matter | the same, per kind of matter |
//! | `V` unsatisfied | day ‖ case id | — (cases rated unsatisfied in some round) |

pub mod backup;
mod calendars;
mod check;
pub mod codec;
pub mod compact;
pub mod durable;
pub mod keys;
pub mod migrate;
pub mod problem;
mod read;
pub mod reading;
pub mod space;
pub mod tally;
mod write;

use std::path::{Path, PathBuf};

use crate::domain::config::FixtureSources;
use codec::{decode, encode};

pub use check::CheckReport;
pub use read::DueEntry;
pub use write::Batch;
pub use write::CaseWrite;

/// The schema this build reads and writes. Version 1 kept each case as one JSON record; version 2
/// keeps the citizen's words apart from the state, in MessagePack, with open/closed/stage indexes
/// and kept counts; version 3 gives every open case the running clocks of its stage, indexed one
/// entry per clock; version 4 gives every open case its next chasing step (催办 → 督办池), indexed by
/// the time it falls due. Older stores are migrated on open ([`migrate`]).
pub const SCHEMA_VERSION: u32 = 5;

/// How a store is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreOptions {
    /// sled's page cache, in bytes. A short CLI process needs little; a server more.
    pub cache_bytes: u64,
    /// Writes are refused while the file system has less than this free ([`space`]); 0 turns the
    /// check off.
    pub reserve_bytes: u64,
}

impl Default for StoreOptions {
    /// 16 MiB: a CLI command or a board reads a page of an index and single cases, then goes; far
    /// below sled's 1 GiB default.
    fn default() -> Self {
        StoreOptions {
            cache_bytes: 16 << 20,
            reserve_bytes: space::DEFAULT_RESERVE_BYTES,
        }
    }
}

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
    /// sled or the file system failed on a known store folder.
    #[error("the store at {} could not be used ({}): {}", path.display(), io_text(cause), advice_for(path))]
    At {
        /// The store's folder as given.
        path: PathBuf,
        /// What failed (its text is in the message, so it is not a separate cause).
        cause: sled::Error,
    },
    /// A group commit's flush failed; every command in the group reports it.
    #[error("flushing the store failed: {0}")]
    Flush(String),
    /// Too little disk left: the write was refused before anything of it was applied.
    #[error("the disk holding {} is full or nearly full ({} KiB free, {} KiB kept in reserve): nothing was written; free some space and try again", dir.display(), free >> 10, reserve >> 10)]
    DiskFull {
        /// The store's folder.
        dir: PathBuf,
        /// Bytes free.
        free: u64,
        /// The reserve.
        reserve: u64,
    },
    /// The store's files are damaged: sled cannot open them, or what it opens is not a store.
    #[error("the store at {} cannot be opened: {reason}. Run `jiban --data {} check` for details; {}", path.display(), path.display(), backup::advice(path))]
    Damaged {
        /// The store.
        path: PathBuf,
        /// What failed.
        reason: String,
    },
    /// The store's files may not be written (a read-only mount, no write permission).
    #[error("the store at {} cannot be written ({reason}): commands that only read (cases, show, units, the board) read a copy of it; to act, remount it read-write or give this user write access", path.display())]
    NotWritable {
        /// The store.
        path: PathBuf,
        /// The OS error.
        reason: String,
    },
    /// A write to a store read through a copy ([`reading`]).
    #[error("the store at {} is open for reading only because {why}: commands are refused and nothing was written; {}", path.display(), match why { reading::WhyReadOnly::DiskFull => "free some space on that disk, then start jiban again", reading::WhyReadOnly::NotWritable(_) => "remount it read-write or give this user write access, then start jiban again" })]
    ReadOnly {
        /// The store.
        path: PathBuf,
        /// Why.
        why: reading::WhyReadOnly,
    },
    /// A store that cannot be written, and no room for a copy to read.
    #[error("the store at {} cannot be opened because {why}, and no copy to read could be made in {} ({reason}): free some space, or set TMPDIR to a disk with room", path.display(), tmp.display())]
    NoReadCopy {
        /// The store.
        path: PathBuf,
        /// Why it cannot be opened in place.
        why: reading::WhyReadOnly,
        /// Where the copy was to go.
        tmp: PathBuf,
        /// Why the copy failed.
        reason: String,
    },
    /// A flush failed or hung earlier: sled may hold a write in memory that never reached the
    /// disk, so nothing more is written until the store is reopened.
    #[error("the store refuses writes since a flush failed ({0}); restart jiban (or `jiban serve`) to reopen it from what is on disk")]
    Unwritable(String),
}

impl StoreError {
    /// The error with the store's folder named, when it is a bare sled or I/O error.
    pub fn at(self, path: &Path) -> StoreError {
        match self {
            StoreError::Sled(e) => StoreError::from_sled(e, path),
            other => other,
        }
    }

    /// A sled error, named as a full disk when it is one.
    pub fn from_sled(e: sled::Error, dir: &Path) -> StoreError {
        if space::sled_disk_full(&e) {
            let free = space::free_bytes(dir).unwrap_or(0);
            return StoreError::DiskFull {
                dir: dir.to_path_buf(),
                free,
                reserve: 0,
            };
        }
        if let sled::Error::Io(io) = &e {
            if reading::is_not_writable(io) {
                return StoreError::NotWritable {
                    path: store_folder(dir).to_path_buf(),
                    reason: io.to_string(),
                };
            }
        }
        StoreError::At {
            path: store_folder(dir).to_path_buf(),
            cause: e,
        }
    }
}

/// An I/O error's text without sled's `IO error: ` prefix.
fn io_text(e: &sled::Error) -> String {
    match e {
        sled::Error::Io(io) => io.to_string(),
        other => other.to_string(),
    }
}

/// What to do about a folder that could not be used.
fn advice_for(path: &Path) -> String {
    if path.exists() && !path.is_dir() {
        "it is a file, not a folder: give --data a folder (or set JIBAN_DATA)".into()
    } else if path.ancestors().skip(1).any(|a| a.exists() && !a.is_dir()) {
        "part of the path is a file, not a folder: give --data a folder".into()
    } else {
        "check that the folder exists, is a jiban store and that this user may read and write it"
            .into()
    }
}

/// The store's result type.
pub type Result<T> = std::result::Result<T, StoreError>;

/// The open store.
pub struct Store {
    path: PathBuf,
    /// The folder sled's files are in: the store folder, or the `data-N` folder in it that
    /// `CURRENT` names after a compaction.
    dir: PathBuf,
    options: StoreOptions,
    db: sled::Db,
    meta: sled::Tree,
    data: sled::Tree,
    /// The kept counts by `N` key, loaded on open and updated with each commit (the engine's
    /// write lock makes commits one at a time; this lock guards the map itself).
    counts: std::sync::Mutex<std::collections::BTreeMap<Vec<u8>, u64>>,
    /// The sled data file, fsynced after every flush (see [`Store::flush`]).
    data_file: std::sync::Arc<std::fs::File>,
    /// Set when a flush failed: writes are refused from then on ([`space::Health`]).
    health: space::Health,
    /// Batches committed so far ([`durable`]).
    writes: std::sync::atomic::AtomicU64,
    /// Flushes done since the store was opened (group commit shares them).
    flushes: std::sync::atomic::AtomicU64,
    /// Set when this is a copy read because the store cannot be written ([`reading`]).
    read_only: Option<reading::ReadOnly>,
    /// The organisation the measures' sums are kept with ([`tally`]); none until the engine
    /// hands it over.
    tally_org: std::sync::Mutex<Option<std::sync::Arc<crate::domain::org::Org>>>,
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

fn open_db(path: &Path, options: StoreOptions) -> Result<sled::Db> {
    clear_interrupted_snapshots(path)?;
    if std::fs::metadata(path.join("db")).is_ok_and(|m| m.len() == 0) {
        return Err(damaged(path, "its data file `db` is empty".into()));
    }
    // sled 0.34 panics on some damaged files (a flipped byte in a snapshot); that must be an
    // error naming the store, never a crash.
    let opened = quiet_panics(|| {
        let config = sled::Config::new()
            .path(path)
            .cache_capacity(options.cache_bytes);
        // Fault injection: no background flush by sled's own timer, so a test that drops
        // jiban's sync sees exactly the syncs jiban makes.
        fail::fail_point!("store-no-background-flush", |_| config
            .clone()
            .flush_every_ms(None)
            .open());
        config.open()
    });
    match opened {
        Ok(Ok(db)) => Ok(db),
        Ok(Err(e)) => Err(match &e {
            sled::Error::Io(io)
                if io.kind() == std::io::ErrorKind::WouldBlock
                    || io.to_string().contains("lock") =>
            {
                StoreError::InUse(path.to_path_buf())
            }
            sled::Error::Corruption { .. } => damaged(path, format!("sled reports {e}")),
            _ => StoreError::from_sled(e, path),
        }),
        Err(panic) => Err(damaged(path, format!("sled failed reading it ({panic})"))),
    }
}

/// The store folder (not the `data-N` folder inside it) for a sled folder.
fn store_folder(dir: &Path) -> &Path {
    match dir.file_name().and_then(|n| n.to_str()) {
        Some(n) if n.starts_with("data-") => dir.parent().unwrap_or(dir),
        _ => dir,
    }
}

fn damaged(dir: &Path, reason: String) -> StoreError {
    StoreError::Damaged {
        path: store_folder(dir).to_path_buf(),
        reason,
    }
}

thread_local! {
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, turning a panic on this thread into `Err(message)` without printing it (other
/// threads' panics are reported as before).
fn quiet_panics<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(|q| q.get()) {
                previous(info);
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    result.map_err(|p| {
        p.downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".into())
    })
}

fn schema_of(meta: &sled::Tree) -> Result<u32> {
    Ok(meta
        .get("schema_version")?
        .and_then(|v| <[u8; 4]>::try_from(v.as_ref()).ok())
        .map(u32::from_be_bytes)
        .unwrap_or(0))
}

impl Store {
    fn with_db(path: &Path, dir: &Path, db: sled::Db, options: StoreOptions) -> Result<Store> {
        let data = db.open_tree("data")?;
        let writes = durable::stored_writes(&data)?;
        durable::check_acknowledged(path, writes)?;
        let counts = write::load_counts(&data)?;
        Ok(Store {
            path: path.to_path_buf(),
            dir: dir.to_path_buf(),
            options,
            meta: db.open_tree("meta")?,
            data,
            counts: std::sync::Mutex::new(counts),
            tally_org: std::sync::Mutex::new(None),
            data_file: std::sync::Arc::new(
                std::fs::File::open(dir.join("db")).map_err(sled::Error::from)?,
            ),
            health: space::Health::default(),
            writes: std::sync::atomic::AtomicU64::new(writes),
            flushes: Default::default(),
            read_only: None,
            db,
        })
    }

    /// Creates a new store at `path` holding the fixture texts, flushed; a failure names it.
    pub fn create(path: &Path, sources: &FixtureSources, options: StoreOptions) -> Result<Store> {
        Store::create_unnamed(path, sources, options).map_err(|e| e.at(path))
    }

    fn create_unnamed(
        path: &Path,
        sources: &FixtureSources,
        options: StoreOptions,
    ) -> Result<Store> {
        if path.join("db").exists()
            || path.join("conf").exists()
            || path.join(compact::CURRENT).exists()
        {
            return Err(StoreError::Exists(path.to_path_buf()));
        }
        let store = Store::with_db(path, path, open_db(path, options)?, options)?;
        space::make_private(path);
        store
            .meta
            .insert("schema_version", &SCHEMA_VERSION.to_be_bytes())?;
        store.meta.insert("fixtures", encode(sources))?;
        store.mark_tallies_current()?;
        store.flush()?;
        Ok(store)
    }

    /// Opens an existing store, checking its schema version. A schema-1 store is migrated first,
    /// after a copy of it is kept beside it (the message on stderr names the copy). A failure
    /// names the store's folder.
    pub fn open(path: &Path, options: StoreOptions) -> Result<Store> {
        Store::open_unnamed(path, options).map_err(|e| e.at(path))
    }

    fn open_unnamed(path: &Path, options: StoreOptions) -> Result<Store> {
        let dir = compact::live_dir(path)?;
        if !dir.join("db").exists() && !dir.join("conf").exists() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        let db = open_db(&dir, options)?;
        let found = schema_of(&db.open_tree("meta")?)?;
        if found == 1 {
            drop(db);
            migrate::from_schema_1(path, options)?;
            return Store::open(path, options);
        }
        if found == 0 {
            return Err(damaged(
                path,
                "it has no schema record (sled opened it empty: its files are damaged, or this is not a jiban store)".into(),
            ));
        }
        let store = Store::with_db(path, &dir, db, options)?;
        compact::remove_stale(path, &dir);
        space::make_private(path);
        if (2..SCHEMA_VERSION).contains(&found) {
            // Each step is safe to rerun; the schema mark is written once all of them are done.
            if found == 2 {
                // Schema 2's migration sets the clocks and with them the chasing steps (schema 4).
                migrate::from_schema_2(&store)?;
            }
            if found == 3 {
                migrate::from_schema_3(&store)?;
            }
            migrate::from_schema_4(&store)?;
            migrate::mark_current(&store)?;
            return Ok(store);
        }
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

    /// Replaces the stored `users.toml` (already validated by the caller) and flushes.
    pub fn set_users(&self, text: &str) -> Result<()> {
        self.check_writable()?;
        let mut sources = self.fixtures()?;
        sources.users = text.to_string();
        self.meta.insert("fixtures", encode(&sources))?;
        self.flush().map(|_| ())
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
    ///
    /// The flush runs on a helper thread and is given [`space::FLUSH_TIMEOUT`]: on a full or failing
    /// disk sled's flush can wait forever, and a command must fail instead of hanging. A flush
    /// that fails or times out marks the store unwritable ([`StoreError::Unwritable`]).
    pub fn flush(&self) -> Result<usize> {
        self.health.check()?;
        let upto = self.writes.load(std::sync::atomic::Ordering::Acquire);
        let db = self.db.clone();
        let file = self.data_file.clone();
        let dir = self.dir.clone();
        let result = space::flush_within(space::FLUSH_TIMEOUT, move || {
            // Fault injection: acknowledge without flushing (the durability tests must catch it).
            fail::fail_point!("store-skip-sync", |_| Ok(0));
            let bytes = db.flush().map_err(|e| StoreError::from_sled(e, &dir))?;
            file.sync_data()
                .map_err(|e| StoreError::from_sled(e.into(), &dir))?;
            Ok(bytes)
        });
        match result {
            Ok(bytes) => {
                self.flushes
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                durable::record_acknowledged(&self.path, upto);
                Ok(bytes)
            }
            Err(e) => {
                self.health.fail(&e.to_string());
                Err(e)
            }
        }
    }

    /// Refuses a write when a flush failed earlier or the disk is nearly full; nothing is applied.
    pub fn check_writable(&self) -> Result<()> {
        self.check_not_read_only()?;
        self.health.check()?;
        space::check_reserve(&self.dir, self.options.reserve_bytes)
    }

    /// How many cases the store holds (from the kept counts).
    pub fn case_count(&self) -> usize {
        write::lock(&self.counts).values().sum::<u64>() as usize
    }
}
