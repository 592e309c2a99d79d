//! Reading a store that cannot be written: a read-only mount, files the user may not write, or a
//! full disk. sled 0.34 always opens its files for writing (and writes while opening), so such a
//! store cannot be opened in place; a command that only reads (`cases`, `show`, `units`, the
//! board) opens a private copy in the temp dir instead, says so once on stderr, and refuses every
//! command with the reason. The copy is as big as the store and is removed when the process ends;
//! on a full disk it needs `TMPDIR` on another file system (the message says so).

use std::path::{Path, PathBuf};

use super::{Result, Store, StoreError, StoreOptions};

/// The name every copy's folder starts with.
const PREFIX: &str = "jiban-read-";
/// The file in a copy's folder naming the process that reads it.
const OWNER: &str = "owner.pid";

/// Removes the copies whose process is gone (killed, or ended by a closed pipe before it could
/// remove its own): each names its process in [`OWNER`].
fn remove_abandoned_copies(tmp: &Path) {
    for entry in std::fs::read_dir(tmp).into_iter().flatten().flatten() {
        if !entry.file_name().to_string_lossy().starts_with(PREFIX) {
            continue;
        }
        let owner = std::fs::read_to_string(entry.path().join(OWNER))
            .ok()
            .and_then(|s| s.trim().parse::<libc::pid_t>().ok());
        // SAFETY: kill with signal 0 only asks whether the process exists.
        let gone = owner.is_some_and(|pid| {
            let asked = unsafe { libc::kill(pid, 0) };
            asked != 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH)
        });
        if gone {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Why a store is read through a copy.
#[derive(Debug)]
pub struct ReadOnly {
    /// The store as the user named it.
    pub path: PathBuf,
    /// Why it cannot be written.
    pub why: WhyReadOnly,
    /// The copy, removed when the store is dropped.
    _copy: tempfile::TempDir,
}

/// Why a store cannot be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WhyReadOnly {
    /// A read-only file system, or no write permission (the OS error's text).
    NotWritable(String),
    /// The disk holding it is full.
    DiskFull,
}

/// Whether an I/O error means the store may not be written (a read-only mount, permissions).
pub fn is_not_writable(e: &std::io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EROFS) | Some(libc::EACCES) | Some(libc::EPERM)
    ) || matches!(
        e.kind(),
        std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied
    )
}

impl StoreError {
    /// Why opening failed, when it failed only because the store cannot be written.
    fn blocks_writing(&self) -> Option<WhyReadOnly> {
        match self {
            StoreError::DiskFull { .. } => Some(WhyReadOnly::DiskFull),
            StoreError::NotWritable { reason, .. } => {
                Some(WhyReadOnly::NotWritable(reason.clone()))
            }
            _ => None,
        }
    }
}

impl Store {
    /// Opens a store for a command that only reads: in place when it can be written, else a
    /// private copy of it (see the module's notes), which refuses every write with the reason.
    pub fn open_reading(path: &Path, options: StoreOptions) -> Result<Store> {
        let why = match Store::open(path, options) {
            Err(e) => match e.blocks_writing() {
                Some(why) => why,
                None => return Err(e),
            },
            ok => return ok,
        };
        remove_abandoned_copies(&std::env::temp_dir());
        let made = tempfile::Builder::new()
            .prefix(PREFIX)
            .tempdir()
            .and_then(|t| {
                std::fs::write(t.path().join(OWNER), std::process::id().to_string())?;
                super::migrate::copy_dir(path, &t.path().join("store"))
                    .map_err(|e| std::io::Error::other(e.to_string()))?;
                Ok(t)
            });
        let copy = made.map_err(|e| StoreError::NoReadCopy {
            path: path.to_path_buf(),
            why: why.clone(),
            tmp: std::env::temp_dir(),
            reason: e.to_string(),
        })?;
        let options = StoreOptions {
            reserve_bytes: 0,
            ..options
        };
        let mut store = Store::open(&copy.path().join("store"), options)?;
        tracing::warn!(store = %path.display(), ?why, "reading a copy of a store that cannot be written");
        store.read_only = Some(ReadOnly {
            path: path.to_path_buf(),
            why,
            _copy: copy,
        });
        Ok(store)
    }

    /// Why the store is read through a copy, when it is.
    pub fn read_only(&self) -> Option<&ReadOnly> {
        self.read_only.as_ref()
    }

    /// The refusal of a write to a store read through a copy.
    pub(super) fn check_not_read_only(&self) -> Result<()> {
        match &self.read_only {
            Some(r) => Err(StoreError::ReadOnly {
                path: r.path.clone(),
                why: r.why.clone(),
            }),
            None => Ok(()),
        }
    }
}

impl std::fmt::Display for WhyReadOnly {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WhyReadOnly::NotWritable(e) => write!(f, "it cannot be written ({e})"),
            WhyReadOnly::DiskFull => write!(f, "the disk holding it is full"),
        }
    }
}
