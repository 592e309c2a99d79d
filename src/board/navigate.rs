//! Moving around the board: rows, panes, the tree, the mouse, and views.

use super::app::{App, Pane, View};
use super::model::Sort;

impl App {
    pub(super) fn set_view(&mut self, view: View) {
        if self.view != view {
            self.pinned = None;
            self.view = view;
            self.queue_sel = 0;
            self.queue_offset = 0;
            self.selected = None;
            self.tree_sel = self
                .tree_sel
                .min(self.visible_nodes().len().saturating_sub(1));
            // The reports view has no queue: the tree chooses what it reports on.
            if view == View::Reports {
                self.focus = Pane::Tree;
            }
        }
        if self.sort == Sort::Light && view != View::Night {
            self.sort = Sort::Due;
        }
    }

    pub(super) fn page(&self) -> usize {
        let h = match self.focus {
            Pane::Tree => self.areas.tree.height,
            Pane::Queue => self.areas.queue.height,
            Pane::Detail => self.areas.detail.height,
        };
        (usize::from(h) / 2).max(1)
    }

    pub(super) fn move_by(&mut self, delta: i64) {
        let step = |cur: usize, len: usize| -> usize {
            (cur as i64)
                .saturating_add(delta)
                .clamp(0, len.saturating_sub(1) as i64) as usize
        };
        match self.focus {
            Pane::Tree => {
                let len = self.visible_nodes().len();
                let next = step(self.tree_sel, len);
                if next != self.tree_sel {
                    self.tree_sel = next;
                    self.node_changed();
                }
            }
            Pane::Queue => {
                self.pinned = None;
                self.queue_sel = step(self.queue_sel, self.queue.len());
            }
            Pane::Detail => {
                let s = i64::from(self.detail_scroll)
                    .saturating_add(delta)
                    .clamp(0, 10_000);
                self.detail_scroll = s as u16;
            }
        }
    }

    pub(super) fn node_changed(&mut self) {
        self.pinned = None;
        self.queue_sel = 0;
        self.queue_offset = 0;
        self.selected = None;
    }

    pub(super) fn left(&mut self) {
        match self.focus {
            Pane::Tree => {
                let node = self.selected_node();
                if self.tree.is_expanded(node) && self.tree.nodes()[node].has_children(node) {
                    self.tree.set_expanded(node, false);
                } else if let Some(p) = self.tree.parent(node) {
                    self.select_node(p);
                }
            }
            Pane::Queue => self.focus = Pane::Tree,
            Pane::Detail => self.focus = Pane::Queue,
        }
    }

    pub(super) fn right(&mut self) {
        match self.focus {
            Pane::Tree => {
                let node = self.selected_node();
                if !self.tree.nodes()[node].has_children(node) {
                    self.focus = Pane::Queue;
                } else if !self.tree.is_expanded(node) {
                    self.tree.set_expanded(node, true);
                } else {
                    self.move_by(1);
                }
            }
            Pane::Queue => self.focus = Pane::Detail,
            Pane::Detail => {}
        }
    }

    /// Selects a tree node, expanding its ancestors.
    pub(super) fn select_node(&mut self, node: usize) {
        self.tree.reveal(node);
        let visible = self.visible_nodes();
        if let Some(i) = visible.iter().position(|n| *n == node) {
            if i != self.tree_sel || self.selected_node() != node {
                self.tree_sel = i;
                self.node_changed();
            }
        }
    }

    /// Selects a node, first leaving the department view if that view hides it (a street or a
    /// community).
    pub(super) fn go_to_node(&mut self, node: usize) {
        self.tree.reveal(node);
        if self.view == View::Department && !self.visible_nodes().contains(&node) {
            self.set_view(View::Level);
        }
        self.select_node(node);
    }

    pub(super) fn select_unit(&mut self, id: &str) {
        let unit = self.model.unit_pos(&crate::domain::org::UnitId::new(id));
        match unit.and_then(|u| self.tree.node_of_unit(u)) {
            Some(node) => {
                self.go_to_node(node);
                self.focus = Pane::Tree;
            }
            None => {
                let t = self.settings.lang.text();
                self.set_status(format!("{}: {id}", t.not_found), false);
            }
        }
    }

    pub(super) fn select_case(&mut self, id: &str) {
        self.pinned = None;
        let id = id.trim().to_uppercase();
        if self.model.find(&id).is_none() {
            // A finished case: the engine finds it by id, and the search view shows it.
            self.view = View::Search;
            self.search = id.clone();
            self.filter.clear();
            self.stage_filter = None;
            self.refresh();
        }
        let Some(pos) = self.model.find(&id) else {
            let t = self.settings.lang.text();
            self.set_status(format!("{}: {id}", t.not_found), false);
            return;
        };
        self.refresh();
        // A case asked for by id is shown whatever the stage filter (待受理 on a platform's
        // board): the filter goes, and the view stays if the case is in it.
        if !self.queue.contains(&pos) && self.stage_filter.take().is_some() {
            self.queue_key = None;
            self.refresh();
        }
        if !self.queue.contains(&pos) {
            self.view = View::Search;
            self.search = id.clone();
            self.filter.clear();
        }
        self.selected = Some(id);
        self.queue_key = None;
        self.refresh();
        self.focus = Pane::Queue;
    }

    pub(super) fn pane_at(&self, x: u16, y: u16) -> Option<Pane> {
        let p = ratatui::layout::Position::new(x, y);
        [
            (self.areas.tree, Pane::Tree),
            (self.areas.queue, Pane::Queue),
            (self.areas.detail, Pane::Detail),
        ]
        .into_iter()
        .find(|(r, _)| r.contains(p))
        .map(|(_, pane)| pane)
    }

    pub(super) fn click(&mut self, x: u16, y: u16) {
        let Some(pane) = self.pane_at(x, y) else {
            return;
        };
        self.focus = pane;
        match pane {
            Pane::Tree => {
                let i = self.tree_offset + usize::from(y - self.areas.tree.y);
                if let Some(&node) = self.visible_nodes().get(i) {
                    if i == self.tree_sel && self.tree.nodes()[node].has_children(node) {
                        let open = self.tree.is_expanded(node);
                        self.tree.set_expanded(node, !open);
                    }
                    self.select_node(node);
                }
            }
            Pane::Queue => {
                let i = self.queue_offset + usize::from(y - self.areas.queue.y);
                self.pinned = None;
                if i < self.queue.len() {
                    self.queue_sel = i;
                }
            }
            Pane::Detail => {}
        }
    }
}
