//! Backups (`jiban backup DIR`), `jiban restore`, and the record of the latest backup that a store
//! which cannot open points to.
//!
//! A backup is a complete store folder, `DIR/jiban-backup-<UTC time>`, copied record by record while
//! writes wait (the engine's write lock), so it is consistent; it opens like any store
//! (`jiban --data BACKUP cases`). Its `BACKUP.toml` says when and from where it was made. The
//! store keeps the path of its latest backup in `LAST_BACKUP`, a plain file beside sled's, so the
//! path can be read even when sled cannot open the store.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::{space, Result, Store, StoreError};

/// The file in a store folder naming its latest backup: the path, then the time (RFC 3339).
pub const LAST_BACKUP: &str = "LAST_BACKUP";

/// The manifest in a backup folder.
pub const MANIFEST: &str = "BACKUP.toml";

/// What a backup made.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BackupMade {
    /// The backup's folder.
    pub dir: PathBuf,
    /// Cases in it.
    pub cases: u64,
    /// Bytes on disk.
    pub bytes: u64,
    /// When it was made.
    pub at: DateTime<Utc>,
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Sled(e.into())
}

/// The latest backup recorded for the store at `path`, with the time it was made.
pub fn latest(path: &Path) -> Option<(PathBuf, String)> {
    let text = std::fs::read_to_string(path.join(LAST_BACKUP)).ok()?;
    let mut lines = text.lines();
    let dir = PathBuf::from(lines.next()?.trim());
    let at = lines.next().unwrap_or("").trim().to_string();
    dir.is_dir().then_some((dir, at))
}

/// The sentence a refusal to open adds: where the latest backup is and how to restore it.
pub fn advice(path: &Path) -> String {
    match latest(path) {
        Some((dir, at)) => format!(
            "the latest backup is {} (made {at}); restore it with `jiban --data {} restore {}`",
            dir.display(),
            path.display(),
            dir.display()
        ),
        None => "no backup of it is recorded (make them with `jiban backup DIR`)".into(),
    }
}

impl Store {
    /// Copies the store into a new folder in `into`. The caller keeps writes out meanwhile (the
    /// engine holds its write lock). Stops, removing the half copy, before `into`'s disk fills.
    pub fn backup(&self, into: &Path, now: DateTime<Utc>) -> Result<BackupMade> {
        std::fs::create_dir_all(into).map_err(io)?;
        let into = into.canonicalize().map_err(io)?;
        let dir = into.join(format!("jiban-backup-{}", now.format("%Y%m%dT%H%M%SZ")));
        if dir.exists() {
            return Err(StoreError::Exists(dir));
        }
        space::check_reserve(&into, self.options.reserve_bytes)?;
        let made = self.copy_into(&dir).and_then(|db| {
            drop(db);
            let manifest = format!(
                "made_at = \"{}\"\nfrom = {:?}\ncases = {}\nschema = {}\n",
                now.to_rfc3339(),
                self.path.display().to_string(),
                self.case_count(),
                super::SCHEMA_VERSION
            );
            super::compact::replace_file(&dir.join(MANIFEST), manifest.as_bytes())
        });
        if let Err(e) = made {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(e);
        }
        space::make_private(&dir);
        let record = format!("{}\n{}\n", dir.display(), now.to_rfc3339());
        super::compact::replace_file(&self.path.join(LAST_BACKUP), record.as_bytes())?;
        Ok(BackupMade {
            bytes: super::compact::disk_bytes(&dir),
            cases: self.case_count() as u64,
            dir,
            at: now,
        })
    }
}

/// Replaces the store at `store` (which no process may have open) with a copy of the backup at
/// `backup`, which must open and check clean. The store being replaced, if any, is kept beside it
/// as `STORE.before-restore-<time>`; returns that path.
pub fn restore(backup: &Path, store: &Path, now: DateTime<Utc>) -> Result<Option<PathBuf>> {
    {
        let b = Store::open(backup, super::StoreOptions::default())?;
        let report = b.check()?;
        if !report.is_clean() {
            return Err(StoreError::Corrupt {
                tree: "backup",
                reason: format!(
                    "{} does not check clean: {}",
                    backup.display(),
                    report.problems.first().cloned().unwrap_or_default()
                ),
            });
        }
    }
    if super::compact::live_dir(store).is_ok_and(|d| !super::compact::released(&d)) {
        return Err(StoreError::InUse(store.to_path_buf()));
    }
    let name = store
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "store".into());
    let stamp = now.format("%Y%m%dT%H%M%SZ");
    let parent = store.parent().unwrap_or(Path::new("."));
    let staging = parent.join(format!("{name}.restoring-{stamp}"));
    copy_tree(backup, &staging).inspect_err(|_| {
        let _ = std::fs::remove_dir_all(&staging);
    })?;
    let _ = std::fs::remove_file(staging.join(MANIFEST));
    let record = format!("{}\n{}\n", backup.display(), now.to_rfc3339());
    std::fs::write(staging.join(LAST_BACKUP), record).map_err(io)?;
    let kept = store
        .exists()
        .then(|| parent.join(format!("{name}.before-restore-{stamp}")));
    if let Some(k) = &kept {
        std::fs::rename(store, k).map_err(io)?;
    }
    std::fs::rename(&staging, store).map_err(io)?;
    let _ = std::fs::File::open(parent).and_then(|d| d.sync_all());
    Ok(kept)
}

/// Copies a folder and everything in it, fsyncing each file.
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).map_err(io)?;
    for e in std::fs::read_dir(from).map_err(io)? {
        let e = e.map_err(io)?;
        let target = to.join(e.file_name());
        if e.file_type().map_err(io)?.is_dir() {
            copy_tree(&e.path(), &target)?;
        } else {
            std::fs::copy(e.path(), &target).map_err(io)?;
            std::fs::File::open(&target)
                .and_then(|f| f.sync_all())
                .map_err(io)?;
        }
    }
    std::fs::File::open(to)
        .and_then(|d| d.sync_all())
        .map_err(io)
}
