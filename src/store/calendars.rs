//! The calendars a store holds: the current text of each year (in the stored fixtures, which the
//! configuration is built from), every version added to a live store, and the mark of a
//! recomputation that has not finished (run again on open).

use super::codec::{decode, encode};
use super::{Result, Store};
use crate::domain::calendar_file::CalendarVersion;
use crate::domain::config::FixtureSources;

const VERSIONS: &str = "calendar_versions";
const PENDING: &str = "recompute_pending";

impl Store {
    /// Every calendar version added to this store, oldest first.
    pub fn calendar_versions(&self) -> Result<Vec<CalendarVersion>> {
        match self.meta.get(VERSIONS)? {
            Some(b) => decode("meta", &b),
            None => Ok(Vec::new()),
        }
    }

    /// Stores a new calendar version: the fixtures with the year's text replaced, the version
    /// appended to the list, and the mark that open clocks must be recomputed with it, in one
    /// batch, flushed. [`Store::recompute_done`] clears the mark.
    pub fn add_calendar(&self, sources: &FixtureSources, version: &CalendarVersion) -> Result<()> {
        self.check_writable()?;
        let mut versions = self.calendar_versions()?;
        versions.push(version.clone());
        let mut b = sled::Batch::default();
        b.insert("fixtures", encode(sources));
        b.insert(VERSIONS, encode(&versions));
        b.insert(PENDING, encode(&(version.year, version.version)));
        self.meta.apply_batch(b)?;
        self.flush().map(|_| ())
    }

    /// The calendar (year, version) whose recomputation has not finished, if any.
    pub fn recompute_pending(&self) -> Result<Option<(i32, u32)>> {
        match self.meta.get(PENDING)? {
            Some(b) => decode("meta", &b).map(Some),
            None => Ok(None),
        }
    }

    /// Clears the recomputation mark, flushed.
    pub fn recompute_done(&self) -> Result<()> {
        self.meta.remove(PENDING)?;
        self.flush().map(|_| ())
    }
}
