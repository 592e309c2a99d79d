//! A storage failure as facts a person can be told in their own language: which store, what
//! happened, what to do. The engine's callers (the CLI, the board, a client across the socket)
//! get these instead of sled's or the OS's text, and the board words them in Chinese or English.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{reading::WhyReadOnly, StoreError};

/// What went wrong with the store, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StorageProblem {
    /// The disk is full or nearly: the write was refused, nothing of it stored.
    DiskFull {
        /// The store's folder.
        path: PathBuf,
        /// KiB free.
        free_kib: u64,
        /// KiB kept in reserve.
        reserve_kib: u64,
    },
    /// The store's files may not be written (a read-only mount, permissions).
    NotWritable {
        /// The store.
        path: PathBuf,
        /// The OS error.
        reason: String,
    },
    /// The store is read through a copy: commands are refused.
    ReadOnly {
        /// The store.
        path: PathBuf,
        /// Because its disk is full (else because it may not be written).
        disk_full: bool,
    },
    /// Another process owns the store.
    InUse {
        /// The store.
        path: PathBuf,
    },
    /// The store's files are damaged.
    Damaged {
        /// The store.
        path: PathBuf,
        /// What failed.
        reason: String,
    },
    /// A flush failed earlier: writes are refused until the store is reopened.
    Unwritable {
        /// The first failure.
        reason: String,
    },
    /// Anything else, as text.
    Other {
        /// The store, when known.
        path: Option<PathBuf>,
        /// What failed.
        message: String,
    },
}

impl StoreError {
    /// The failure as facts, for a person.
    pub fn problem(&self) -> StorageProblem {
        match self {
            StoreError::DiskFull { dir, free, reserve } => StorageProblem::DiskFull {
                path: dir.clone(),
                free_kib: free >> 10,
                reserve_kib: reserve >> 10,
            },
            StoreError::NotWritable { path, reason } => StorageProblem::NotWritable {
                path: path.clone(),
                reason: reason.clone(),
            },
            StoreError::ReadOnly { path, why } => StorageProblem::ReadOnly {
                path: path.clone(),
                disk_full: *why == WhyReadOnly::DiskFull,
            },
            StoreError::InUse(p) => StorageProblem::InUse { path: p.clone() },
            StoreError::Damaged { path, reason } => StorageProblem::Damaged {
                path: path.clone(),
                reason: reason.clone(),
            },
            StoreError::Unwritable(reason) => StorageProblem::Unwritable {
                reason: reason.clone(),
            },
            other => StorageProblem::Other {
                path: None,
                message: other.to_string(),
            },
        }
    }
}

impl std::fmt::Display for StorageProblem {
    /// The English sentence (the CLI's language); the board words it in its own.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StorageProblem::DiskFull { path, free_kib, reserve_kib } => write!(
                f,
                "the disk holding {} is full or nearly full ({free_kib} KiB free, {reserve_kib} KiB kept in reserve): nothing was written; free some space and try again",
                path.display()
            ),
            StorageProblem::NotWritable { path, reason } => write!(
                f,
                "the store at {} cannot be written ({reason}): remount it read-write or give this user write access",
                path.display()
            ),
            StorageProblem::ReadOnly { path, disk_full } => write!(
                f,
                "the store at {} is open for reading only because {}: commands are refused and nothing was written; {}",
                path.display(),
                if *disk_full { "the disk holding it is full" } else { "it cannot be written" },
                if *disk_full {
                    "free some space on that disk, then start jiban again"
                } else {
                    "remount it read-write or give this user write access, then start jiban again"
                }
            ),
            StorageProblem::InUse { path } => write!(
                f,
                "the store at {} is in use by another jiban process (use `jiban serve` to share it)",
                path.display()
            ),
            StorageProblem::Damaged { path, reason } => write!(
                f,
                "the store at {} cannot be opened: {reason}; run `jiban --data {} check`",
                path.display(),
                path.display()
            ),
            StorageProblem::Unwritable { reason } => write!(
                f,
                "the store refuses writes since a flush failed ({reason}); restart jiban to reopen it"
            ),
            StorageProblem::Other { path: Some(p), message } => {
                write!(f, "storage error at {}: {message}", p.display())
            }
            StorageProblem::Other { path: None, message } => write!(f, "storage error: {message}"),
        }
    }
}
