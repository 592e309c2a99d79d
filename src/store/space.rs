//! Disk space and a store that could not be written: writes are refused clearly **before** sled
//! meets a full disk, and after a failed flush the store refuses writes instead of guessing.
//!
//! sled 0.34 does not survive `ENOSPC` well: its flush can wait forever for a log buffer that
//! never becomes stable, and an open store keeps a batch in memory that never reached the disk.
//! jiban therefore keeps a reserve: before each write it asks the file system how much is free
//! (`statvfs`, a few microseconds) and refuses the write while less than
//! [`StoreOptions::reserve_bytes`](super::StoreOptions) is left. Nothing of a refused write is
//! applied, reads go on, and writes resume by themselves once space is freed.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use super::{Result, StoreError};

/// The default reserve: 64 MiB, far more than one command or intake batch writes (a few hundred
/// KiB) plus a sled log segment and a snapshot of a city-year's page table.
pub const DEFAULT_RESERVE_BYTES: u64 = 64 << 20;

/// How long a flush may take before the store is declared unwritable (a healthy fsync takes
/// milliseconds; sled's flush can hang on a full or failing disk).
pub const FLUSH_TIMEOUT: Duration = Duration::from_secs(30);

/// Bytes free for an unprivileged writer on the file system holding `dir`.
pub fn free_bytes(dir: &Path) -> std::io::Result<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    // SAFETY: statvfs fills the zeroed struct we own from a NUL-terminated path.
    let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c.as_ptr(), &mut s) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok((s.f_bavail as u64).saturating_mul(s.f_frsize as u64))
}

/// Whether an I/O error means the disk is full (or over quota).
/// sled hands back a copy of its first I/O error that keeps only the kind, hence both checks.
pub fn is_disk_full(e: &std::io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::ENOSPC) | Some(libc::EDQUOT))
        || matches!(
            e.kind(),
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
        )
}

/// Whether a sled error is a full disk.
pub fn sled_disk_full(e: &sled::Error) -> bool {
    matches!(e, sled::Error::Io(io) if is_disk_full(io))
}

/// The store's health for writing: a flush that failed or hung leaves it unwritable until it is
/// reopened, because sled may hold in memory a write that never reached the disk.
#[derive(Default)]
pub struct Health {
    broken: AtomicBool,
    why: Mutex<String>,
}

impl Health {
    /// Refuses when a flush has failed.
    pub fn check(&self) -> Result<()> {
        if !self.broken.load(Ordering::Acquire) {
            return Ok(());
        }
        let why = self.why.lock().unwrap_or_else(|e| e.into_inner()).clone();
        Err(StoreError::Unwritable(why))
    }

    /// Marks the store unwritable.
    pub fn fail(&self, why: &str) {
        *self.why.lock().unwrap_or_else(|e| e.into_inner()) = why.to_string();
        self.broken.store(true, Ordering::Release);
        tracing::error!(
            reason = why,
            "the store refuses writes until it is reopened"
        );
    }
}

/// Makes a store folder readable by its owner only: the folder and every folder in it 0700,
/// every file 0600 (a store made by an older jiban, or copied in, may be 0755/0644). Files that
/// belong to someone else are left alone with a warning.
pub fn make_private(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    fn walk(dir: &Path, depth: usize) {
        let _ = set(dir, 0o700);
        if depth == 0 {
            return;
        }
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            match e.file_type() {
                Ok(t) if t.is_dir() => walk(&e.path(), depth - 1),
                Ok(t) if t.is_file() => {
                    let _ = set(&e.path(), 0o600);
                }
                _ => {}
            }
        }
    }
    fn set(path: &Path, mode: u32) -> std::io::Result<()> {
        let meta = std::fs::metadata(path)?;
        if meta.permissions().mode() & 0o777 == mode {
            return Ok(());
        }
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).inspect_err(|e| {
            tracing::warn!(file = %path.display(), error = %e, "could not make a store file private")
        })
    }
    walk(dir, 3);
}

/// Refuses a write when the file system holding `dir` has less than `reserve` bytes free.
pub fn check_reserve(dir: &Path, reserve: u64) -> Result<()> {
    if reserve == 0 {
        return Ok(());
    }
    let free = free_bytes(dir).map_err(sled::Error::from)?;
    if free < reserve {
        return Err(StoreError::DiskFull {
            dir: dir.to_path_buf(),
            free,
            reserve,
        });
    }
    Ok(())
}

/// Runs `flush` on a helper thread and waits at most `timeout` for it. A flush that does not
/// return in time is reported as failed (its thread is left behind: sled gives no way to cancel
/// it, and the store is marked unwritable by the caller).
pub fn flush_within<F>(timeout: Duration, flush: F) -> Result<usize>
where
    F: FnOnce() -> Result<usize> + Send + 'static,
{
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("jiban-flush".into())
        .spawn(move || {
            let _ = tx.send(flush());
        })
        .map_err(sled::Error::from)?;
    match rx.recv_timeout(timeout) {
        Ok(result) => result,
        Err(_) => Err(StoreError::Flush(format!(
            "the disk did not confirm the write within {} s (full or failing?)",
            timeout.as_secs()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reserve_refuses_when_less_is_free() {
        let dir = tempfile::tempdir().expect("tempdir");
        let free = free_bytes(dir.path()).expect("statvfs");
        assert!(free > 0);
        assert!(check_reserve(dir.path(), 1).is_ok());
        match check_reserve(dir.path(), u64::MAX) {
            Err(StoreError::DiskFull { reserve, .. }) => assert_eq!(reserve, u64::MAX),
            other => panic!("expected DiskFull, got {other:?}"),
        }
    }

    #[test]
    fn a_hung_flush_is_reported_not_waited_for() {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let result = flush_within(Duration::from_millis(50), move || {
            let _ = rx.recv();
            Ok(0)
        });
        drop(tx);
        assert!(matches!(result, Err(StoreError::Flush(_))), "{result:?}");
        assert!(flush_within(Duration::from_secs(5), || Ok(7)).is_ok_and(|n| n == 7));
    }

    #[test]
    fn health_refuses_after_a_failure() {
        let h = Health::default();
        assert!(h.check().is_ok());
        h.fail("disk on fire");
        match h.check() {
            Err(StoreError::Unwritable(why)) => assert_eq!(why, "disk on fire"),
            other => panic!("{other:?}"),
        }
    }
}
