//! The reports view's data: the selected unit's monthly report and today's early warnings,
//! fetched through the service (so the engine decides what the operator may read) when the
//! scope changes, and again at most once a second while cases move.

use std::time::{Duration, Instant};

use super::app::{App, View};
use super::tree::NodeKind;
use crate::domain::org::UnitId;
use crate::domain::period::PeriodKind;
use crate::domain::report::Report;
use crate::domain::users::Role;
use crate::domain::warning::Warning;

/// How often a moving board fetches its report again at most (a busy city commits several
/// cases a second; the report is read at most once a second).
pub const REFETCH: Duration = Duration::from_secs(1);

/// The last report and warnings fetched for the reports view.
#[derive(Debug, Clone)]
pub struct ReportsCache {
    /// The unit reported on.
    pub scope: UnitId,
    /// The period's length.
    pub period: PeriodKind,
    /// The model's generation when fetched.
    pub generation: u64,
    /// When fetched.
    pub fetched: Instant,
    /// The report, or why there is none (a refusal, a lost link).
    pub report: Result<Report, String>,
    /// Today's warnings the operator sees (empty for roles that see none).
    pub warnings: Vec<Warning>,
}

impl App {
    /// The unit the reports view reports on: the selected tree node's unit (a departments node:
    /// its platform); a unit handler's own unit when the node is outside it (a unit reads its
    /// own figures only).
    pub fn report_scope(&self) -> UnitId {
        let units = self.model.units();
        let pos = match self.tree.nodes()[self.selected_node()].kind {
            NodeKind::Unit(u) | NodeKind::Departments(u) => u,
        };
        let own = &self.operator.unit;
        let node = units.get(pos as usize).map(|u| u.id.clone());
        match node {
            Some(id)
                if self.operator.role != Role::UnitHandler
                    || self.model.config().org.is_within(&id, own) =>
            {
                id
            }
            _ => own.clone(),
        }
    }

    /// Sets how long the reports view waits before fetching again while cases move (tests and
    /// a trainer's demo use zero: every change shows at once).
    pub fn set_reports_every(&mut self, every: Duration) {
        self.reports_every = every;
    }

    /// Sets the reports view's period (`:period day|week|month|quarter|year`, or 日报 … 年报) and
    /// shows the view; false when the word names no period.
    pub fn set_report_period(&mut self, word: &str) -> bool {
        let kind = PeriodKind::parse(word).or_else(|| {
            PeriodKind::ALL.into_iter().find(|k| {
                super::i18n::Lang::Zh.period(*k) == word || super::i18n::Lang::En.period(*k) == word
            })
        });
        match kind {
            Some(k) => {
                self.report_period = k;
                self.set_view(View::Reports);
                true
            }
            None => false,
        }
    }

    /// The report and warnings the view shows, as last fetched.
    pub fn reports(&self) -> Option<&ReportsCache> {
        self.reports.as_ref()
    }

    /// Fetches the report when the view shows it and the scope changed, or cases moved and the
    /// last fetch is a second old.
    pub(super) fn refresh_reports(&mut self) {
        if self.view != View::Reports {
            self.reports = None;
            return;
        }
        let scope = self.report_scope();
        let generation = self.model.generation();
        let period = self.report_period;
        let fresh = self.reports.as_ref().is_some_and(|c| {
            c.scope == scope
                && c.period == period
                && (c.generation == generation || c.fetched.elapsed() < self.reports_every)
        });
        if fresh {
            return;
        }
        let report = self
            .service
            .report(period, None, Some(&scope))
            .map_err(|e| e.to_string());
        let warnings = self.service.warnings().unwrap_or_default();
        self.reports = Some(ReportsCache {
            scope,
            period,
            generation,
            fetched: Instant::now(),
            report,
            warnings,
        });
    }
}
