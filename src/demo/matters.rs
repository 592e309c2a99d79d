//! The demo's supervision of matters: a duplicate merged into the open case of its matter (并案),
//! and a look-back (回头看) drawn with one false closure reopened and one result that held.

use anyhow::Context as _;
use chrono::{DateTime, Duration, Utc};

use super::Seeder;
use crate::domain::case::{CaseId, Channel, Stage};
use crate::domain::command::Command;
use crate::domain::intake::NewCase;
use crate::domain::lookback::{LookbackOutcome, Month};
use crate::domain::users::Role;
use crate::engine::IntakeOutcome;

impl Seeder<'_> {
    /// The requester of the first Laoshan case in handling calls again about it a day after it
    /// came in (an hour before now at the latest); intake links the new case by the phone, and
    /// the district's dispatcher merges it into the open case 20 minutes before now. (Received
    /// on an earlier day, its id takes that day's next number: the ids of today's cases stay.)
    pub(super) fn merge_duplicate(&self, ids: &[CaseId], now: DateTime<Utc>) -> anyhow::Result<()> {
        let mut open = None;
        for id in ids {
            let case = self.case(id)?;
            if case.stage == Stage::Handling && case.district.as_str() == "laoshan" {
                open = Some(case);
                break;
            }
        }
        let Some(open) = open else {
            return Ok(());
        };
        let called = (open.received_at + Duration::days(1)).min(now - Duration::hours(1));
        let again = NewCase {
            district: open.district.clone(),
            channel: Channel::Hotline,
            title: format!("再次反映：{}", open.title),
            description: format!("诉求人来电称此前反映的问题仍未解决。{}", open.description),
            requester: open.requester.clone(),
            address: open.address.clone(),
            community: open.community.clone(),
            category: open.category,
            received_at: Some(called),
            external_id: None,
            source: None,
        };
        self.clock.set(called);
        let dispatcher = self
            .engine
            .user(&self.login(&open.district, &[Role::DistrictDispatcher])?)?;
        let Some(IntakeOutcome::Created(id)) = self.engine.intake(&dispatcher, vec![again])?.pop()
        else {
            return Ok(());
        };
        let merge = Command::Merge {
            into: open.id.clone(),
        };
        let at = now - Duration::minutes(20);
        self.act(&id, at, &[Role::DistrictDispatcher], &open.district, merge)?;
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
