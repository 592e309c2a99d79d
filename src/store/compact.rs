//! Compaction (`jiban compact`): the store is copied, key by key, into a fresh sled folder
//! `data-N` inside the store folder, which then becomes the live one by an atomic rewrite of the
//! `CURRENT` file; the old folder's files are removed once nothing has them open. sled never gives
//! space back by itself, so this is how a store that has seen millions of updates shrinks.
//!
//! A crash at any point leaves a whole store: before `CURRENT` is replaced the old folder is live
//! and the half-written `data-N` is removed on the next open; after it, the new one is.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{open_db, Result, Store, StoreError};

/// The file that names the live sled folder (absent: the store folder itself).
pub const CURRENT: &str = "CURRENT";

/// What a compaction did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Compacted {
    /// Bytes on disk before.
    pub before: u64,
    /// Bytes on disk after.
    pub after: u64,
    /// The live folder now.
    pub dir: PathBuf,
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Sled(e.into())
}

/// `data-N` → N.
fn number_of(name: &str) -> Option<u64> {
    name.strip_prefix("data-")?.parse().ok()
}

/// The folder sled's files are in: the one `CURRENT` names, else the store folder itself.
pub fn live_dir(path: &Path) -> Result<PathBuf> {
    match std::fs::read_to_string(path.join(CURRENT)) {
        Ok(name) => {
            let name = name.trim();
            if number_of(name).is_none() {
                return Err(StoreError::Corrupt {
                    tree: "CURRENT",
                    reason: format!("{name:?} is not a data folder name"),
                });
            }
            Ok(path.join(name))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(path.to_path_buf()),
        Err(e) => Err(io(e)),
    }
}

/// Bytes the files directly in `dir` (and its `blobs`) take on disk.
pub(super) fn disk_bytes(dir: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let mut total = 0;
    for sub in [dir.to_path_buf(), dir.join("blobs")] {
        for e in std::fs::read_dir(&sub).into_iter().flatten().flatten() {
            if let Ok(m) = e.metadata() {
                if m.is_file() {
                    total += m.blocks() * 512;
                }
            }
        }
    }
    total
}

/// True once no process has the sled folder `dir` open (its `db` file's lock is free).
pub(super) fn released(dir: &Path) -> bool {
    use std::os::unix::io::AsRawFd;
    let Ok(f) = std::fs::File::open(dir.join("db")) else {
        return true;
    };
    // SAFETY: flock on a descriptor we own; released when `f` closes.
    unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) == 0 }
}

/// Removes a sled folder that is no longer live: a `data-N` folder whole, or, for the store
/// folder itself, only sled's own files in it.
fn remove_sled_files(path: &Path, dir: &Path) {
    let result = if dir == path {
        std::fs::read_dir(dir).map(|entries| {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                let ours = name == "db" || name == "conf" || name.starts_with("snap.");
                if ours {
                    let _ = std::fs::remove_file(e.path());
                } else if name == "blobs" {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        })
    } else {
        std::fs::remove_dir_all(dir)
    };
    if let Err(e) = result {
        tracing::warn!(dir = %dir.display(), error = %e, "could not remove an old store folder");
    }
}

/// Removes sled folders that are not live and that nothing has open: what a compaction
/// interrupted by a crash, or one whose old folder was still in use, left behind.
pub fn remove_stale(path: &Path, live: &Path) {
    // Never the folder `CURRENT` names on disk, whatever the caller believes is live.
    let named = live_dir(path).ok();
    let mut stale: Vec<PathBuf> = std::fs::read_dir(path)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| number_of(&e.file_name().to_string_lossy()).is_some())
        .map(|e| e.path())
        .filter(|p| p != live && Some(p) != named.as_ref())
        .collect();
    let legacy_live = live == path || named.as_deref() == Some(path);
    if !legacy_live && path.join("db").exists() {
        stale.push(path.to_path_buf());
    }
    for dir in stale {
        if released(&dir) {
            remove_sled_files(path, &dir);
        }
    }
}

/// Fsyncs a folder, so that the names in it are durable.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir).and_then(|d| d.sync_all())
}

/// Writes `bytes` to `path`: a temporary file, fsynced, renamed over, folder fsynced. Once the
/// rename is done the new content is what a reader sees, so a failing folder fsync after it is
/// logged, not returned: the caller must go on as if it had succeeded.
pub(super) fn replace_file(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write as _;
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::File::create(&tmp).map_err(io)?;
    f.write_all(bytes).map_err(io)?;
    f.sync_all().map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)?;
    if let Some(Err(e)) = path.parent().map(sync_dir) {
        tracing::error!(file = %path.display(), error = %e, "the folder could not be synced after the rename");
    }
    Ok(())
}

impl Store {
    /// Copies every record into a fresh sled folder `dest`, flushed and synced; returns it open.
    pub(super) fn copy_into(&self, dest: &Path) -> Result<sled::Db> {
        std::fs::create_dir_all(dest).map_err(io)?;
        let db = open_db(dest, self.options)?;
        for (name, from) in [("meta", &self.meta), ("data", &self.data)] {
            let to = db.open_tree(name)?;
            let mut batch = sled::Batch::default();
            let mut n = 0usize;
            for kv in from.iter() {
                let (k, v) = kv?;
                batch.insert(k, v);
                n += 1;
                if n.is_multiple_of(10_000) {
                    // The copy stops (and is removed by the caller) before the disk fills.
                    super::space::check_reserve(dest, self.options.reserve_bytes)?;
                    to.apply_batch(std::mem::take(&mut batch))?;
                }
            }
            to.apply_batch(batch)?;
        }
        db.flush()?;
        std::fs::File::open(dest.join("db"))
            .and_then(|f| f.sync_all())
            .map_err(io)?;
        // The new folder's names must be durable before `CURRENT` points at it.
        sync_dir(&dest.join("blobs")).map_err(io)?;
        sync_dir(dest).map_err(io)?;
        sync_dir(&self.path).map_err(io)?;
        Ok(db)
    }

    /// Compacts this store: copies it into a new `data-N` folder, opens that, and makes it live.
    /// The caller must keep writes out until it returns (the engine holds its write lock) and
    /// then use the returned store; this one stays readable until dropped, after which
    /// [`Compacted`]'s old folder is removed by [`finish`].
    pub fn compact(&self) -> Result<(Store, Compacted)> {
        remove_stale(&self.path, &self.dir);
        let next = std::fs::read_dir(&self.path)
            .map_err(io)?
            .flatten()
            .filter_map(|e| number_of(&e.file_name().to_string_lossy()))
            .max()
            .map_or(1, |n| n + 1);
        let name = format!("data-{next}");
        let dest = self.path.join(&name);
        let before = disk_bytes(&self.dir);
        self.check_writable()?;
        let db = match self.copy_into(&dest) {
            Ok(db) => db,
            Err(e) => {
                // Nothing points at the half copy: give its space back now.
                let _ = std::fs::remove_dir_all(&dest);
                return Err(e);
            }
        };
        let store = Store::with_db(&self.path, &dest, db, self.options)?;
        replace_file(&self.path.join(CURRENT), name.as_bytes())?;
        let after = disk_bytes(&dest);
        Ok((
            store,
            Compacted {
                before,
                after,
                dir: dest,
            },
        ))
    }

    /// The sled folder in use.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// After a compaction, removes the old sled folder once nothing has it open: waits up to
/// `wait` here, then keeps trying in the background for up to ten minutes (a reader may still
/// hold the old store). Whatever is left is removed by the next open or compaction.
pub fn finish(path: &Path, old: &Path, wait: Duration) {
    fn try_until(path: &Path, old: &Path, deadline: Instant) -> bool {
        loop {
            if released(old) {
                remove_sled_files(path, old);
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    if !try_until(path, old, Instant::now() + wait) {
        let (path, old) = (path.to_path_buf(), old.to_path_buf());
        std::thread::spawn(move || {
            try_until(&path, &old, Instant::now() + Duration::from_secs(600))
        });
    }
}
