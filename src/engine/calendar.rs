//! Calendars on a live store: `calendar add` stores a year's holiday file as a new version and
//! recomputes every open clock it moves (期限重算), writing one history entry on each moved case
//! and publishing it, so live boards redraw; `calendar list` shows the years and versions held
//! and the cases whose deadlines are still provisional.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Committed, Engine, Result};
use crate::domain::calendar::{cst, WorkCalendar};
use crate::domain::calendar_file::{self, CalendarVersion};
use crate::domain::case::CaseId;
use crate::domain::config::Config;
use crate::domain::deadlines;
use crate::domain::event::{Event, HistoryEntry, MovedClock};
use crate::domain::lifecycle::Refusal;
use crate::domain::users::User;
use crate::store::{Batch, CaseWrite};

/// Cases rewritten per batch while recomputing.
const RECOMPUTE_CHUNK: usize = 1000;

/// What `calendar add` did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalendarAdded {
    /// The year.
    pub year: i32,
    /// Its new version in the store.
    pub version: u32,
    /// The open cases whose deadlines moved (each got one history entry).
    pub moved: Vec<CaseId>,
}

/// One year's calendar as the store holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalendarYear {
    /// The year.
    pub year: i32,
    /// Its version (0: the one the store was created with).
    pub version: u32,
    /// The notice it names.
    pub source: String,
    /// When it was added (none for the one the store was created with).
    pub added_at: Option<DateTime<Utc>>,
    /// Who added it.
    pub by: Option<String>,
}

/// What `calendar list` shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalendarList {
    /// Every year held, with its current version, ascending.
    pub years: Vec<CalendarYear>,
    /// Every version ever added, oldest first.
    pub history: Vec<CalendarVersion>,
    /// From 1 December while next year's calendar is missing: that year.
    pub missing_next_year: Option<i32>,
    /// Open cases with a provisional deadline (one crossing a year with no calendar).
    pub provisional: Vec<CaseId>,
}

/// The year a stored calendar file is for (stored files passed every check when added).
fn year_of(file: &str, text: &str) -> Option<i32> {
    WorkCalendar::check_file(file, text).ok().map(|(y, _)| y)
}

impl Engine {
    /// Adds a year's holiday calendar to the store as its next version, then recomputes every
    /// open clock it moves. The trainer and the city dispatcher only. Commands wait meanwhile.
    pub fn add_calendar(&self, operator: &User, file: &str, text: &str) -> Result<CalendarAdded> {
        if !crate::domain::permissions::may_set_calendar(operator) {
            return Err(Refusal::Permission(format!(
                "{} may not change the holiday calendar (the city dispatcher and the trainer may)",
                operator.login
            ))
            .into());
        }
        let (year, source) = calendar_file::check(file, text).map_err(|e| Refusal::Invalid {
            field: "calendar".into(),
            reason: e.to_string(),
        })?;
        let (added, committed, order) = {
            let _guard = self.lock();
            let store = self.store();
            let mut sources = store.fixtures()?;
            sources
                .calendars
                .retain(|(n, t)| year_of(n, t) != Some(year));
            sources
                .calendars
                .push((format!("cn-{year}.toml"), text.to_string()));
            sources.calendars.sort();
            let config = Config::from_sources(&sources)?;
            let version = calendar_file::next_version(&store.calendar_versions()?, year);
            let record = CalendarVersion {
                year,
                version,
                file: file.to_string(),
                source,
                added_at: self.clock.now(),
                by: operator.login.clone(),
            };
            store.add_calendar(&sources, &record)?;
            self.set_config(config);
            // Fault injection: the process dies between storing the calendar and recomputing.
            fail::fail_point!("calendar-before-recompute", |_| Err(
                crate::engine::EngineError::Remote("failpoint: stopped before recomputing".into())
            ));
            let committed = self.recompute(year, version, &operator.login)?;
            let moved = committed.iter().map(|c| c.case.id.clone()).collect();
            tracing::info!(year, version, moved = committed.len(), by = %operator.login, "calendar added");
            let added = CalendarAdded {
                year,
                version,
                moved,
            };
            (added, committed, self.publish_order())
        };
        self.publish(committed);
        drop(order);
        Ok(added)
    }

    /// Recomputes the open clocks a new calendar of `year` may move (those due on or after 1
    /// January of that year, from the clock index), writing a `recompute` entry on each case that
    /// moved, a batch at a time, each flushed; then clears the store's mark. The caller holds the
    /// write lock. Running it again moves nothing more.
    pub(super) fn recompute(&self, year: i32, version: u32, by: &str) -> Result<Vec<Committed>> {
        let store = self.store();
        let config = self.config();
        let from = NaiveDate::from_ymd_opt(year, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .and_then(|t| t.and_local_timezone(cst()).single())
            .map(|t| t.with_timezone(&Utc));
        let mut ids: Vec<CaseId> = Vec::new();
        for e in store.due_between(from, None) {
            ids.push(e?.case);
        }
        ids.sort();
        ids.dedup();
        let now = self.clock.now();
        let mut out = Vec::new();
        for chunk in ids.chunks(RECOMPUTE_CHUNK) {
            let mut changed = Vec::new();
            for id in chunk {
                let Some(before) = store.case(id.as_str())? else {
                    continue;
                };
                let mut after = before.clone();
                let moved = deadlines::recompute(&mut after, &config.calendar);
                if moved.is_empty() {
                    continue;
                }
                crate::domain::chasing::schedule(&mut after, &config.rules, &config.calendar);
                after.version += 1;
                let entry = HistoryEntry {
                    case: after.id.clone(),
                    seq: after.version,
                    at: now,
                    by: by.to_string(),
                    event: Event::Recompute {
                        year,
                        version,
                        moved: moved
                            .into_iter()
                            .map(|(kind, from, to)| MovedClock { kind, from, to })
                            .collect(),
                    },
                };
                changed.push((before, after, entry));
            }
            if changed.is_empty() {
                continue;
            }
            let mut batch = Batch::default();
            for (before, after, entry) in &changed {
                batch.cases.push(CaseWrite {
                    before: Some(before),
                    after,
                    entry: Some(entry),
                });
            }
            store.commit(&batch)?;
            store.flush()?;
            out.extend(
                changed
                    .into_iter()
                    .map(|(_, case, entry)| Committed { entry, case }),
            );
        }
        store.recompute_done()?;
        Ok(out)
    }

    /// Finishes a recomputation that a crash interrupted (on open).
    pub(super) fn finish_recompute(&self) -> Result<()> {
        let store = self.store();
        let Some((year, version)) = store.recompute_pending()? else {
            return Ok(());
        };
        let by = store
            .calendar_versions()?
            .into_iter()
            .rev()
            .find(|v| v.year == year && v.version == version)
            .map_or_else(|| "admin".to_string(), |v| v.by);
        let _guard = self.lock();
        let moved = self.recompute(year, version, &by)?;
        tracing::warn!(
            year,
            version,
            moved = moved.len(),
            "finished an interrupted recomputation"
        );
        Ok(())
    }

    /// The calendars the store holds, their versions, and the open cases whose deadlines are
    /// provisional (from the clock index, without reading a case).
    pub fn calendars(&self) -> Result<CalendarList> {
        let store = self.store();
        let history = store.calendar_versions()?;
        let mut years: Vec<CalendarYear> = Vec::new();
        for (name, text) in store.fixtures()?.calendars {
            let Ok((year, source)) = WorkCalendar::check_file(&name, &text) else {
                continue;
            };
            let last = history.iter().rev().find(|v| v.year == year);
            years.push(CalendarYear {
                year,
                version: last.map_or(0, |v| v.version),
                source,
                added_at: last.map(|v| v.added_at),
                by: last.map(|v| v.by.clone()),
            });
        }
        years.sort_by_key(|y| y.year);
        let mut provisional: Vec<CaseId> = Vec::new();
        for e in store.due_between(None, None) {
            let e = e?;
            if e.provisional {
                provisional.push(e.case);
            }
        }
        provisional.sort();
        provisional.dedup();
        Ok(CalendarList {
            years,
            history,
            missing_next_year: calendar_file::missing_next_year(
                &self.config().calendar,
                self.clock.now(),
            ),
            provisional,
        })
    }
}
