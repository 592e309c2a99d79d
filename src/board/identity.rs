//! Acting as another login in place (`:as LOGIN`): a trainer shows new staff what a unit handler,
//! a supervisor or a platform sees and may do, without quitting. The board reopens over a session
//! of the new login (its own scope, menus and drafts) and keeps the view, the tree node, the
//! sort, the filters and the selected case. Who may is the domain's rule
//! ([`crate::domain::users::Users::take`]), judged by the service against the identity the board
//! was opened with: a trainer may take any login and come back; anyone else only their own.

use super::app::{App, Mode};

impl App {
    /// Switches the acting login to `login`, keeping what the board shows.
    pub(super) fn act_as(&mut self, login: &str) {
        let lang = self.settings.lang;
        let login = login.trim();
        if login.is_empty() {
            return self.set_status(lang.says("usage_as"), false);
        }
        let t = lang.text();
        let service = match self.service.act_as(login) {
            Ok(s) => s,
            Err(e) => return self.set_status(format!("{}: {e}", t.refused), false),
        };
        let mut next = match App::over(service, self.settings.clone()) {
            Ok(app) => app,
            Err(e) => return self.set_status(format!("{}: {e}", t.refused), false),
        };
        let node = self.selected_node();
        next.size = self.size;
        next.sort = self.sort;
        next.view = self.view;
        next.filter = self.filter.clone();
        next.search = self.search.clone();
        next.stage_filter = self.stage_filter;
        next.go_to_node(node);
        next.focus = self.focus;
        next.selected = self.selected.clone();
        next.queue_key = None;
        next.mode = Mode::Normal;
        next.refresh();
        let who = next.operator.clone();
        *self = next;
        self.set_status(
            format!(
                "{} {}（{} · {}）",
                lang.says("acting_as"),
                who.name,
                who.login,
                lang.role(who.role)
            ),
            true,
        );
    }
}
