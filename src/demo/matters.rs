//! The demo's supervision of matters: a duplicate merged into the open case of its matter (并案),
//! and a look-back (回头看) drawn with one false closure reopened and one result that held.

use anyhow::Context as _;
use chrono::{DateTime, Duration, Utc};

use super::Seeder;
use crate::domain::case::{CaseId, Stage};
use crate::domain::command::Command;
use crate::domain::lookback::{LookbackOutcome, Month};
use crate::domain::users::Role;

impl Seeder<'_> {
    /// Merges the first new case still in triage that intake linked to an open case of its
    /// district into that case, as the district's dispatcher, 20 minutes before now.
    pub(super) fn merge_duplicate(&self, ids: &[CaseId], now: DateTime<Utc>) -> anyhow::Result<()> {
        for id in ids {
            let case = self.case(id)?;
            if case.stage != Stage::Triage || case.accepted_at.is_some() {
                continue;
            }
            for link in &case.links {
                let other = self.case(&link.case)?;
                if !other.stage.is_final() && other.district == case.district {
                    let merge = Command::Merge {
                        into: other.id.clone(),
                    };
                    let at = now - Duration::minutes(20);
                    self.act(id, at, &[Role::DistrictDispatcher], &case.district, merge)?;
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// Draws the look-back of this month and the month before for the city as its supervisor
    /// (the monthly step then finds the month before drawn), then re-visits two drawn cases: a
    /// false closure, which reopens its case, and a result that held.
    pub(super) fn look_back(&self, ids: &[CaseId], now: DateTime<Utc>) -> anyhow::Result<()> {
        let engine = self.engine;
        let city = engine
            .config()
            .org
            .city()
            .map(|u| u.id.clone())
            .context("the fixtures have no city")?;
        self.clock.set(now - Duration::minutes(18));
        let supervisor = engine.user(&self.login(&city, &[Role::Supervisor])?)?;
        for month in [Month::before(now), Month::of(now)] {
            engine.lookback_sample(&supervisor, &month.to_string(), None, None)?;
        }
        let mut visits = [
            (
                LookbackOutcome::FalseClosure,
                "回访诉求人：问题并未解决，虚假办结",
                15,
            ),
            (
                LookbackOutcome::Held,
                "回访诉求人：问题已解决，对办理结果满意",
                10,
            ),
        ]
        .into_iter();
        for id in ids {
            let case = self.case(id)?;
            if case.lookback.as_ref().is_none_or(|l| l.visit.is_some()) {
                continue;
            }
            let Some((outcome, note, minutes)) = visits.next() else {
                break;
            };
            let visit = Command::Lookback {
                outcome,
                note: note.into(),
            };
            let at = now - Duration::minutes(minutes);
            self.act(id, at, &[Role::Supervisor], &case.district, visit)?;
        }
        Ok(())
    }
}
