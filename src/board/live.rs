//! Following the platform: committed changes into the board's model, a rebuild when changes were
//! missed, and the link to a server going down and coming back.

use super::app::App;
use super::model::Model;

/// Pages of open cases loaded per turn of the board's loop while loading.
const LOAD_PAGES: usize = 10;
use crate::service::{Link, Update};

impl App {
    /// While open cases are still loading, loads a few more pages; true when it loaded any.
    fn load_more(&mut self) -> bool {
        if !self.loading() {
            return false;
        }
        let t = self.settings.lang.text();
        match self.model.load_more(self.service.as_ref(), LOAD_PAGES) {
            Ok(true) => self.status = Some((t.loaded.into(), true)),
            Ok(false) => {
                let msg = format!("{}… {}", t.loading, self.model.len());
                self.status = Some((msg, true));
            }
            // Paused until the link comes back and the model is rebuilt (a resync follows).
            Err(e) => {
                tracing::warn!(error = %e, "loading open cases failed; paused");
                self.load_paused = true;
            }
        }
        self.dirty = true;
        true
    }

    /// A new calendar version reached the store: fetch the configuration again (a connected
    /// board holds its own copy) so countdowns count the new holidays.
    fn calendar_changed(&mut self, year: i32, version: u32) {
        if self.calendar_seen == Some((year, version)) {
            return;
        }
        self.calendar_seen = Some((year, version));
        match self.service.reload_config() {
            Ok(config) => {
                let now = self.model.now();
                self.model.set_config(config);
                self.model.tick(now);
            }
            Err(e) => tracing::warn!(error = %e, "fetching the new calendar failed"),
        }
    }

    /// True while the board is still loading open cases (the terminal loop does not wait then).
    pub fn loading(&self) -> bool {
        self.model.is_loading() && !self.load_paused
    }

    /// Applies every change the platform has published since the last call; rebuilds the model
    /// if the board fell behind or was disconnected. Returns true when something changed.
    pub fn pump(&mut self) -> bool {
        let mut changed = self.load_more();
        let mut came_back = false;
        while let Some(update) = self.events.try_next() {
            changed = true;
            match update {
                Update::Committed(c) => {
                    if let crate::domain::event::Event::Recompute { year, version, .. } =
                        &c.entry.event
                    {
                        self.calendar_changed(*year, *version);
                    }
                    if self.model.apply(&c) && self.settings.bell {
                        self.bell = true;
                    }
                    if self.selected.as_deref() == Some(c.case.id.as_str()) {
                        self.detail = None;
                    }
                }
                Update::Resync => {
                    tracing::info!("rebuilding the board's model");
                    match Model::build(self.service.as_ref()) {
                        Ok(m) => {
                            self.model = m;
                            self.load_paused = false;
                            self.found_for = None;
                            // The case the board acted on stays shown even if it finished.
                            if let Some(p) = self.pinned.clone() {
                                self.refresh_case(&p);
                            }
                            self.detail = None;
                            self.queue_key = None;
                            if !came_back {
                                self.status =
                                    Some((self.settings.lang.text().resynced.into(), true));
                            }
                        }
                        Err(e) => tracing::warn!(error = %e, "rebuild failed"),
                    }
                }
                Update::Link(link) => {
                    tracing::info!(?link, "link");
                    if link == Link::Up {
                        came_back = true;
                        self.status = Some((self.settings.lang.text().reconnected.into(), true));
                    }
                }
            }
        }
        if changed {
            self.dirty = true;
        }
        changed
    }
}
