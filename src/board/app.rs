//! The board's state and [`App::handle`]: focus between panes, the selected unit and case, the
//! views, sorting, the filter, prompts and forms. Reads come from the [`Model`]; acts go through
//! the engine. Everything is driven by [`Action`]s, so tests run it headless.

use std::sync::Arc;

use ratatui::layout::Rect;
use tui_input::Input;

use super::action::Action;
use super::config::Settings;
use super::confirm::Confirm;
use super::form::Form;
use super::model::{Counts, Model, Query, Sort};
use super::tree::{NodeKind, OrgTree};
use super::workflow::Menu;
use crate::domain::users::User;
use crate::engine::query::CaseView;
use crate::engine::Engine;
use crate::service::{Embedded, Feed, Link, Service};

/// How many finished cases one search shows at most.
pub const FOUND_LIMIT: usize = 200;

/// The three panes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    /// The organisation tree.
    Tree,
    /// The queue of cases.
    Queue,
    /// The selected case.
    Detail,
}

/// What the queue shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// The selected unit and everything below it.
    Level,
    /// Cases held by departments under the selected unit.
    Department,
    /// Red and yellow cases under the selected unit, most urgent first.
    Night,
    /// The operator's unit: cases it holds or supports.
    Mine,
    /// Return and extension requests waiting for a platform's decision, under the selected unit.
    Requests,
    /// 督办: cases chased (催), under a supervision notice (督) or in the supervision pool (池),
    /// under the selected unit.
    Supervision,
    /// 可抢: published grab orders — those offered to the operator's unit, or (a platform) every
    /// open order under the selected unit.
    Grab,
    /// Every case, finished ones too, matching the search text.
    Search,
    /// 报表: the selected unit's measures this month beside last month, its daily volume, top
    /// kinds of matter and child units ranked, with today's early warnings.
    Reports,
}

/// Which prompt is open on the bottom line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    /// `/`: narrows the queue as you type.
    Filter,
    /// `:`: a case id or a command.
    Command,
    /// Jump to a unit by name or id.
    Unit,
    /// Search every case.
    Search,
}

/// An open prompt.
#[derive(Debug, Clone)]
pub struct Prompt {
    /// Which.
    pub kind: PromptKind,
    /// What is typed.
    pub input: Input,
    /// The value before the prompt opened (restored on cancel).
    pub(super) before: String,
    /// The tree node before a unit jump (restored on cancel).
    pub(super) before_node: usize,
    /// Unit matches (tree nodes) and the chosen one.
    pub matches: Vec<usize>,
    /// The chosen match.
    pub choice: usize,
    /// `:` line completions of the last word, as whole replacements of that word.
    pub completions: Vec<String>,
    /// While Tab cycles: the line before completing, and the completion shown.
    pub completing: Option<(String, usize)>,
}

/// The input mode.
#[derive(Debug, Clone)]
pub enum Mode {
    /// Keys are actions.
    Normal,
    /// A prompt on the bottom line.
    Prompt(Prompt),
    /// A command form.
    Form(Form),
    /// The help overlay (scroll offset).
    Help(u16),
    /// "Quit with a form open?"; the mode to go back to.
    ConfirmQuit(Box<Mode>),
    /// The actions the operator may take on the selected case (`a`).
    Menu(Menu),
    /// A command waiting for the operator's yes.
    Confirm(Confirm),
}

/// Where the panes were last drawn (for the mouse and page sizes).
#[derive(Debug, Clone, Copy, Default)]
pub struct Areas {
    /// Tree rows.
    pub tree: Rect,
    /// Queue rows (without the column header).
    pub queue: Rect,
    /// Detail text.
    pub detail: Rect,
}

/// The board.
pub struct App {
    pub(super) service: Arc<dyn Service>,
    pub(super) operator: User,
    pub(super) model: Model,
    pub(super) tree: OrgTree,
    pub(super) settings: Settings,
    pub(super) events: Feed,
    /// Focused pane.
    pub focus: Pane,
    /// Current view.
    pub view: View,
    /// Queue order.
    pub sort: Sort,
    /// The queue shows only this stage (`:stage 待受理`; `:stage all` clears it).
    pub stage_filter: Option<crate::domain::case::Stage>,
    /// The queue filter (`/`).
    pub filter: String,
    /// The search text.
    pub search: String,
    /// Input mode.
    pub mode: Mode,
    pub(super) tree_sel: usize,
    pub(super) tree_offset: usize,
    pub(super) queue: Vec<u32>,
    pub(super) queue_key: Option<(u64, Query)>,
    pub(super) queue_sel: usize,
    pub(super) queue_offset: usize,
    pub(super) selected: Option<String>,
    /// A case just acted on that has left the queue (closed, rejected, moved elsewhere): its
    /// detail stays in view, so the action shows in its history, until the operator moves.
    pub(super) pinned: Option<String>,
    pub(super) detail: Option<CaseView>,
    pub(super) offered: Vec<&'static str>,
    pub(super) drafts: std::collections::HashMap<(String, String), Form>,
    /// The same drafts on disk, for this login (they outlive the board).
    pub(super) kept: super::drafts::Drafts,
    pub(super) detail_scroll: u16,
    pub(super) status: Option<(String, bool)>,
    pub(super) areas: Areas,
    /// The terminal size.
    pub size: (u16, u16),
    /// The search text whose finished cases the model holds (none outside the search view).
    pub(super) found_for: Option<String>,
    /// Loading open cases failed (the link is down); resumes with the rebuild that follows.
    pub(super) load_paused: bool,
    /// The last calendar (year, version) a recomputation announced: the configuration is
    /// fetched again once per new one.
    pub(super) calendar_seen: Option<(i32, u32)>,
    /// When the board last asked the engine to record the chasing steps due.
    pub(super) chased_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The reports view's report and warnings, as last fetched ([`super::reports`]).
    pub(super) reports: Option<super::reports::ReportsCache>,
    /// The reports view's period (`:period week`; a month by default).
    pub(super) report_period: crate::domain::period::PeriodKind,
    /// How long the reports view waits before fetching its report again while cases move.
    pub(super) reports_every: std::time::Duration,
    pub(super) dirty: bool,
    pub(super) redraw_all: bool,
    pub(super) bell: bool,
    pub(super) quit: bool,
}

impl App {
    /// A board over an engine in this process, acting as `operator`. Builds the read model once.
    pub fn new(
        engine: Arc<Engine>,
        operator: User,
        settings: Settings,
    ) -> crate::engine::Result<App> {
        App::over(Arc::new(Embedded::new(engine, operator)), settings)
    }

    /// A board over any session, embedded or connected to `jiban serve`: the board does not know
    /// which. Builds the read model once.
    pub fn over(service: Arc<dyn Service>, settings: Settings) -> crate::engine::Result<App> {
        let events = service.subscribe();
        let model = Model::build(service.as_ref())?;
        Ok(App::with_model(service, events, settings, model))
    }

    /// Opens the board on the operator's own work, as `jiban board` does: a unit handler on
    /// 本单位 (the mine view), a supervisor on the overdue/yellow view, a platform dispatcher on
    /// 待受理 (the level view of its platform, triage only); the trainer as it was.
    pub fn start_on_own_work(&mut self) {
        use crate::domain::users::Role;
        match self.operator.role {
            Role::UnitHandler => self.change_view(View::Mine),
            Role::Supervisor => self.change_view(View::Night),
            Role::DistrictDispatcher | Role::CityDispatcher => {
                self.stage_filter = Some(crate::domain::case::Stage::Triage);
            }
            Role::Trainer => {}
        }
        self.refresh();
    }

    /// A board over a projection built elsewhere (benches fill one with synthetic cases);
    /// `events` should be subscribed before the projection was built.
    pub fn with_model(
        service: Arc<dyn Service>,
        events: Feed,
        settings: Settings,
        model: Model,
    ) -> App {
        let operator = service.operator().clone();
        let mut tree = OrgTree::new(&model);
        let mut tree_sel = 0;
        if let Some(node) = model
            .config()
            .org
            .platform_of(&operator.unit)
            .and_then(|p| model.unit_pos(&p.id))
            .and_then(|u| tree.node_of_unit(u))
        {
            tree.reveal(node);
            tree.set_expanded(node, true);
            tree_sel = tree
                .visible(false)
                .iter()
                .position(|n| *n == node)
                .unwrap_or(0);
        }
        let kept = super::drafts::Drafts::open(settings.drafts_dir.as_deref(), &operator.login);
        let mut app = App {
            service,
            operator,
            model,
            tree,
            settings,
            events,
            focus: Pane::Queue,
            view: View::Level,
            sort: Sort::Due,
            stage_filter: None,
            filter: String::new(),
            search: String::new(),
            mode: Mode::Normal,
            tree_sel,
            tree_offset: 0,
            queue: Vec::new(),
            queue_key: None,
            queue_sel: 0,
            queue_offset: 0,
            selected: None,
            pinned: None,
            detail: None,
            offered: Vec::new(),
            drafts: Default::default(),
            kept,
            detail_scroll: 0,
            status: None,
            areas: Areas::default(),
            size: (0, 0),
            found_for: None,
            load_paused: false,
            calendar_seen: None,
            chased_at: None,
            reports: None,
            report_period: crate::domain::period::PeriodKind::Month,
            reports_every: super::reports::REFETCH,
            dirty: true,
            redraw_all: false,
            bell: false,
            quit: false,
        };
        app.refresh();
        app
    }

    /// The read model.
    pub fn model(&self) -> &Model {
        &self.model
    }
    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }
    /// A unit's name in the board's language (its id when the organisation lacks it).
    pub fn unit_name(&self, id: &crate::domain::org::UnitId) -> String {
        match self.model.config().org.get(id) {
            Some(u) => self.settings.lang.pick(&u.name, &u.name_en).to_string(),
            None => id.to_string(),
        }
    }
    /// The operator.
    pub fn operator(&self) -> &User {
        &self.operator
    }
    /// The session the board acts through.
    pub fn service(&self) -> &Arc<dyn Service> {
        &self.service
    }
    /// Whether the platform is reachable now (a remote board shows a banner while it is not).
    pub fn link(&self) -> Link {
        self.service.link()
    }
    /// True once the board should close.
    pub fn should_quit(&self) -> bool {
        self.quit
    }
    /// True when something changed since the last frame (and clears the mark).
    pub fn take_dirty(&mut self) -> bool {
        std::mem::take(&mut self.dirty)
    }
    /// Marks the board as changed, so the next frame is drawn.
    pub fn mark_dirty(&mut self) {
        self.dirty = true;
    }
    /// True when the whole screen must be repainted (and clears the mark).
    pub fn take_redraw_all(&mut self) -> bool {
        std::mem::take(&mut self.redraw_all)
    }
    /// True when the bell should ring (and clears the mark).
    pub fn take_bell(&mut self) -> bool {
        std::mem::take(&mut self.bell)
    }
    /// The status line message and whether it reports success.
    pub fn status(&self) -> Option<(&str, bool)> {
        self.status.as_ref().map(|(s, ok)| (s.as_str(), *ok))
    }

    // ----- selection -------------------------------------------------------------------------

    /// The tree nodes shown.
    pub fn visible_nodes(&self) -> Vec<usize> {
        self.tree.visible(self.view == View::Department)
    }

    /// The selected tree node.
    pub fn selected_node(&self) -> usize {
        let v = self.visible_nodes();
        v.get(self.tree_sel.min(v.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    }

    /// The query the current view, node, filter and sort make.
    pub fn query(&self) -> Query {
        let node = &self.tree.nodes()[self.selected_node()];
        let mut q = Query {
            units: node.units.clone(),
            departments_only: self.view == View::Department
                || matches!(node.kind, NodeKind::Departments(_)),
            mine: None,
            urgent: self.view == View::Night,
            all_stages: false,
            pending_only: self.view == View::Requests,
            supervised_only: self.view == View::Supervision,
            grab: None,
            stage: self.stage_filter,
            text: self.filter.to_lowercase(),
            sort: self.sort,
        };
        match self.view {
            View::Mine => q.mine = self.model.unit_pos(&self.operator.unit),
            // A unit sees what is offered to it, wherever the tree is; a platform sees every
            // order it published under the selected node.
            View::Grab => {
                let unit = self.model.config().org.get(&self.operator.unit);
                if unit.is_some_and(|u| !u.level.is_platform()) {
                    q.units = 0..self.model.units().len() as u32;
                    q.departments_only = false;
                    let own = self.model.unit_pos(&self.operator.unit);
                    q.grab = Some(Some(own.unwrap_or(u32::MAX)));
                } else {
                    q.grab = Some(None);
                }
            }
            View::Search => {
                q.units = 0..self.model.units().len() as u32;
                q.departments_only = false;
                q.all_stages = true;
                q.text = self.search.to_lowercase();
            }
            _ => {}
        }
        q
    }

    /// The counts of the header's scope.
    pub fn scope_counts(&self) -> Counts {
        let q = self.query();
        match q.mine {
            Some(u) => self.model.counts(u..u + 1, false),
            None => self.model.counts(q.units, q.departments_only),
        }
    }

    /// Rebuilds the queue if the model or the query changed, keeping the selected case, and
    /// reloads the detail when the selected case changed. Cheap when nothing did.
    pub fn refresh(&mut self) {
        self.refresh_found();
        self.refresh_reports();
        self.model.pin(self.pinned.as_deref());
        let key = (self.model.generation(), self.query());
        if self.queue_key.as_ref() != Some(&key) {
            self.queue = self.model.queue(&key.1);
            self.queue_key = Some(key);
            if let Some(id) = &self.selected {
                if let Some(pos) = self.model.find(id) {
                    if let Some(i) = self.queue.iter().position(|r| *r == pos) {
                        self.queue_sel = i;
                    }
                }
            }
        }
        self.queue_sel = self.queue_sel.min(self.queue.len().saturating_sub(1));
        let pinned = self
            .pinned
            .as_deref()
            .and_then(|p| self.model.find(p))
            .filter(|pos| !self.queue.contains(pos));
        if pinned.is_none() {
            self.pinned = None;
        }
        let now_selected = pinned
            .or_else(|| self.queue.get(self.queue_sel).copied())
            .map(|r| self.model.row(r));
        let id = now_selected.map(|r| r.id.to_string());
        let stale = match (&self.detail, now_selected) {
            (Some(d), Some(r)) => d.case.id != r.id || d.case.version != r.version,
            (None, Some(_)) => true,
            (_, None) => false,
        };
        if id != self.selected {
            self.detail_scroll = 0;
        }
        if now_selected.is_none() {
            self.detail = None;
            self.offered.clear();
        }
        self.selected = id;
        if stale {
            if let Some(id) = &self.selected {
                self.detail = self.service.show(id).ok();
                self.offered = self.service.available_commands(id).unwrap_or_default();
            }
        }
    }

    /// In the search view, asks the engine for the finished cases matching the search text (once
    /// per text); elsewhere lets the projection drop them again.
    fn refresh_found(&mut self) {
        let wanted = (self.view == View::Search && !self.search.trim().is_empty())
            .then(|| self.search.trim().to_string());
        if wanted == self.found_for {
            return;
        }
        let found = match &wanted {
            Some(text) => self
                .service
                .find_finished(text, FOUND_LIMIT)
                .unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "search of finished cases failed");
                    Vec::new()
                }),
            None => Vec::new(),
        };
        self.model.set_found(&found);
        self.found_for = wanted;
    }

    /// The queue (positions into the model), as of the last [`App::refresh`].
    pub fn queue(&self) -> &[u32] {
        &self.queue
    }

    /// The selected case as last loaded from the engine.
    pub fn detail(&self) -> Option<&CaseView> {
        self.detail.as_ref()
    }

    /// The id of the selected case.
    pub fn selected_case(&self) -> Option<&str> {
        self.selected.as_deref()
    }

    pub(super) fn set_status(&mut self, msg: impl Into<String>, ok: bool) {
        self.status = Some((msg.into(), ok));
    }

    // ----- actions ---------------------------------------------------------------------------

    /// Does one action.
    pub fn handle(&mut self, action: Action) {
        self.dirty = true;
        // While the "enlarge the terminal" notice shows, nothing reaches a hidden form or queue:
        // only quitting, the clock and the terminal's own events go through.
        if self.too_small()
            && !matches!(
                action,
                Action::Quit | Action::Tick | Action::Resize(..) | Action::Redraw
            )
        {
            return;
        }
        self.refresh();
        let mode = std::mem::replace(&mut self.mode, Mode::Normal);
        match mode {
            Mode::Normal => self.normal(action),
            Mode::Prompt(p) => self.prompt(p, action),
            Mode::Form(f) => self.form(f, action),
            Mode::Help(scroll) => match action {
                Action::Help | Action::Back | Action::Cancel | Action::Quit => {}
                Action::Down => self.mode = Mode::Help(scroll.saturating_add(1)),
                Action::Up => self.mode = Mode::Help(scroll.saturating_sub(1)),
                Action::Resize(w, h) => {
                    self.size = (w, h);
                    self.mode = Mode::Help(scroll);
                }
                other => {
                    self.mode = Mode::Help(scroll);
                    self.background(other);
                }
            },
            Mode::Menu(m) => self.menu(m, action),
            Mode::Confirm(c) => self.confirm(c, action),
            Mode::ConfirmQuit(back) => match action {
                Action::Confirm | Action::Quit => self.quit = true,
                Action::Cancel | Action::Back => self.mode = *back,
                other => {
                    self.mode = Mode::ConfirmQuit(back);
                    self.background(other);
                }
            },
        }
        self.refresh();
    }

    /// True when the last known terminal size is below [`super::ui::MIN_SIZE`] (the board shows
    /// only the notice to enlarge it). Unknown (no frame drawn yet) is not too small.
    pub fn too_small(&self) -> bool {
        let (w, h) = self.size;
        let (min_w, min_h) = super::ui::MIN_SIZE;
        w > 0 && h > 0 && (w < min_w || h < min_h)
    }

    /// Actions that work whatever the mode (the clock, the terminal, the mouse wheel).
    pub(super) fn background(&mut self, action: Action) {
        match action {
            Action::Tick => self.tick(),
            Action::Resize(w, h) => self.size = (w, h),
            Action::Redraw => self.redraw_all = true,
            _ => {}
        }
    }

    pub(super) fn tick(&mut self) {
        let now = self.service.clock().now();
        // An embedded board records the chasing steps that fall due while it is open, at most
        // once per simulated or real minute (a server's clients leave that to the server).
        if self
            .chased_at
            .is_none_or(|t| now - t >= chrono::Duration::seconds(60))
        {
            self.chased_at = Some(now);
            if let Err(e) = self.service.advance() {
                tracing::warn!(error = %e, "could not record the chasing steps due");
            }
        }
        if self.model.tick(now) > 0 && self.settings.bell {
            self.bell = true;
        }
    }

    fn normal(&mut self, action: Action) {
        self.status = match action {
            Action::Tick | Action::Resize(..) | Action::Redraw => self.status.take(),
            _ => None,
        };
        match action {
            Action::Quit => self.quit = true,
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::PageUp => self.move_by(-(self.page() as i64)),
            Action::PageDown => self.move_by(self.page() as i64),
            Action::Top => self.move_by(i64::MIN / 2),
            Action::Bottom => self.move_by(i64::MAX / 2),
            Action::Left => self.left(),
            Action::Right => self.right(),
            Action::NextPane => self.focus = next_pane(self.focus, true),
            Action::PrevPane => self.focus = next_pane(self.focus, false),
            Action::Open => match self.focus {
                Pane::Tree => {
                    let node = self.selected_node();
                    self.tree.set_expanded(node, true);
                    self.focus = Pane::Queue;
                }
                Pane::Queue => self.focus = Pane::Detail,
                Pane::Detail => {}
            },
            Action::Back => {
                if !self.filter.is_empty() {
                    self.filter.clear();
                } else if self.view == View::Search {
                    self.view = View::Level;
                } else if self.stage_filter.is_some() {
                    self.stage_filter = None;
                } else {
                    // Back to the queue, never into the tree: j/k keep moving the rows that `a`
                    // acts on.
                    self.focus = Pane::Queue;
                }
            }
            Action::Filter => {
                let f = self.filter.clone();
                self.open_prompt(PromptKind::Filter, &f);
            }
            Action::Command => self.open_prompt(PromptKind::Command, ""),
            Action::JumpUnit => self.open_prompt(PromptKind::Unit, ""),
            Action::Search => {
                self.view = View::Search;
                let s = self.search.clone();
                self.open_prompt(PromptKind::Search, &s);
            }
            Action::Help => self.mode = Mode::Help(0),
            Action::Actions => self.open_menu(),
            Action::ViewLevel => self.set_view(View::Level),
            Action::ViewDepartment => self.set_view(View::Department),
            Action::ViewNight => {
                self.set_view(View::Night);
                self.sort = Sort::Light;
            }
            Action::ViewMine => self.set_view(View::Mine),
            Action::ViewRequests => self.set_view(View::Requests),
            Action::ViewSupervision => self.set_view(View::Supervision),
            Action::ViewGrab => self.set_view(View::Grab),
            Action::ViewReports => self.set_view(View::Reports),
            Action::CycleSort => self.sort = self.sort.next(),
            Action::ToggleBell => {
                self.settings.bell = !self.settings.bell;
                let t = self.settings.lang.text();
                let msg = if self.settings.bell {
                    t.bell_on
                } else {
                    t.bell_off
                };
                self.set_status(msg, true);
            }
            Action::NextTheme => {
                let name = self.settings.next_theme_name();
                if let Err(e) = self.settings.set_theme(&name) {
                    self.set_status(e, false);
                }
            }
            Action::ToggleLang => {
                self.settings.lang = match self.settings.lang {
                    super::i18n::Lang::Zh => super::i18n::Lang::En,
                    super::i18n::Lang::En => super::i18n::Lang::Zh,
                };
            }
            Action::SelectUnit(id) => self.select_unit(&id),
            Action::SelectCase(id) => self.select_case(&id),
            Action::Run(line) => self.run(&line),
            Action::Click(x, y) => self.click(x, y),
            Action::Scroll(x, y, down) => {
                if let Some(pane) = self.pane_at(x, y) {
                    self.focus = pane;
                    self.move_by(if down { 3 } else { -3 });
                }
            }
            other => self.background(other),
        }
    }
}

fn next_pane(p: Pane, forward: bool) -> Pane {
    match (p, forward) {
        (Pane::Tree, true) | (Pane::Detail, false) => Pane::Queue,
        (Pane::Queue, true) | (Pane::Tree, false) => Pane::Detail,
        (Pane::Detail, true) | (Pane::Queue, false) => Pane::Tree,
    }
}
