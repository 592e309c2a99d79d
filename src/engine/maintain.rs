//! Keeping the store: compaction, backups and checks. Each holds the write lock while it runs, so
//! what it reads is one consistent state; reads go on meanwhile.

use std::path::Path;
use std::sync::Arc;

use super::{Engine, Result};
use crate::domain::lifecycle::Refusal;
use crate::domain::users::User;
use crate::store::backup::BackupMade;
use crate::store::compact::Compacted;
use crate::store::CheckReport;

fn refuse(operator: &User, what: &str) -> super::EngineError {
    Refusal::Permission(format!(
        "{} may not {what} (the administrator's trainer role may)",
        operator.login
    ))
    .into()
}

impl Engine {
    /// Rewrites the store into a fresh folder and swaps it in, returning the space sled never gives
    /// back (see [`crate::store::compact`]). Commands wait until it is done; reads go on against
    /// the old copy, which is identical. Refused unless `operator` may compact.
    pub fn compact(&self, operator: &User) -> Result<Compacted> {
        let report;
        if !crate::domain::permissions::may_maintain(operator) {
            return Err(refuse(operator, "compact the store"));
        }
        let old_dir = {
            let _guard = self.lock();
            let old = self.store();
            let (new, report_) = old.compact()?;
            report = report_;
            new.keep_tallies(Arc::new(self.config().org.clone()));
            *self.store.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(new);
            old.dir().to_path_buf()
        };
        crate::store::compact::finish(&self.path, &old_dir, std::time::Duration::from_secs(5));
        tracing::info!(
            before = report.before,
            after = report.after,
            "store compacted"
        );
        Ok(report)
    }

    /// Copies the store into a new backup folder inside `into` (a folder on the machine that runs
    /// the engine; an absolute path through a server). Commands wait until it is done.
    pub fn backup(&self, operator: &User, into: &Path) -> Result<BackupMade> {
        if !crate::domain::permissions::may_maintain(operator) {
            return Err(refuse(operator, "back up the store"));
        }
        if !into.is_absolute() {
            return Err(Refusal::Invalid {
                field: "dir".into(),
                reason: format!("{} is not an absolute path", into.display()),
            }
            .into());
        }
        let made = {
            let _guard = self.lock();
            self.store().backup(into, self.clock.now())?
        };
        tracing::info!(dir = %made.dir.display(), cases = made.cases, by = %operator.login, "backup made");
        Ok(made)
    }

    /// Reads every record and reports what is wrong ([`crate::store::CheckReport`]). Commands
    /// wait until it is done.
    pub fn check(&self, operator: &User) -> Result<CheckReport> {
        if !crate::domain::permissions::may_maintain(operator) {
            return Err(refuse(operator, "check the store"));
        }
        let _guard = self.lock();
        let store: Arc<crate::store::Store> = self.store();
        let mut report = store.check()?;
        store.check_tallies(&self.config().org, &mut report)?;
        Ok(report)
    }
}
