//! Noticing lost writes. sled 0.34 recovers a store by replaying its log up to the first record
//! that does not check out, and silently drops everything after it: one flipped byte in the
//! middle of the log would make a store open with days of cases missing, and no error.
//!
//! So every commit batch also counts itself (`W` in the `data` tree), and after each flush the
//! count it made durable is written to `ACKNOWLEDGED`, a 16-byte file beside sled's. On open, a
//! store whose log holds fewer batches than were acknowledged refuses to open, saying so and
//! pointing at the latest backup ([`super::backup::advice`]). The file is written after the
//! flush and not itself fsynced (it may lag, never lead); it costs one small write per flush.

use std::io::Write as _;
use std::path::Path;

use super::keys::{self, Kind};
use super::{Result, StoreError};

/// The file beside sled's that holds the last acknowledged batch count.
pub const ACKNOWLEDGED: &str = "ACKNOWLEDGED";

/// Mixed into the check half of the file, so a torn or foreign file is recognised.
const CHECK: u64 = 0x6a69_6261_6e5f_6163;

/// The batch count stored in the `data` tree.
pub(super) fn stored_writes(data: &sled::Tree) -> Result<u64> {
    Ok(data
        .get(keys::of(Kind::Writes, &[]))?
        .and_then(|v| <[u8; 8]>::try_from(v.as_ref()).ok())
        .map(u64::from_be_bytes)
        .unwrap_or(0))
}

/// The acknowledged count recorded for the store at `path`, if the file is there and whole.
pub fn acknowledged(path: &Path) -> Option<u64> {
    let bytes = std::fs::read(path.join(ACKNOWLEDGED)).ok()?;
    let n = u64::from_be_bytes(bytes.get(..8)?.try_into().ok()?);
    let check = u64::from_be_bytes(bytes.get(8..16)?.try_into().ok()?);
    if check != n ^ CHECK {
        tracing::warn!(store = %path.display(), "ACKNOWLEDGED is torn or foreign; ignored");
        return None;
    }
    Some(n)
}

/// Records that `writes` batches are durable (after a flush). Errors are logged: the record is a
/// safety net and may lag.
pub(super) fn record_acknowledged(path: &Path, writes: u64) {
    if writes == 0 {
        return;
    }
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&writes.to_be_bytes());
    bytes[8..].copy_from_slice(&(writes ^ CHECK).to_be_bytes());
    let result = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(false)
        .open(path.join(ACKNOWLEDGED))
        .and_then(|mut f| f.write_all(&bytes));
    if let Err(e) = result {
        tracing::warn!(store = %path.display(), error = %e, "could not record the acknowledged writes");
    }
}

/// Refuses a store whose log holds fewer batches than were acknowledged.
pub(super) fn check_acknowledged(path: &Path, stored: u64) -> Result<()> {
    match acknowledged(path) {
        Some(acked) if acked > stored => Err(StoreError::Damaged {
            path: path.to_path_buf(),
            reason: format!(
                "its log ends after write {stored}, but write {acked} was acknowledged: part of the log is damaged and sled dropped everything after it"
            ),
        }),
        _ => Ok(()),
    }
}
