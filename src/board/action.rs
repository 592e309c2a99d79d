//! Everything the board can do, as one list. Keys map to actions ([`super::keymap`]), the help
//! overlay lists them, and the tests drive the board headless from a stream of them.

use serde::{Deserialize, Serialize};

use super::i18n::Lang;

/// One thing the board can be asked to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Quit (asks first when a form is open).
    Quit,
    /// Move up one row.
    Up,
    /// Move down one row.
    Down,
    /// Collapse the unit, or go to its parent; in the queue and detail, go to the pane on the left.
    Left,
    /// Expand the unit, or go to its first child; in the queue, open the detail.
    Right,
    /// Go to the first row.
    Top,
    /// Go to the last row.
    Bottom,
    /// Half a page down.
    PageDown,
    /// Half a page up.
    PageUp,
    /// Focus the next pane.
    NextPane,
    /// Focus the previous pane.
    PrevPane,
    /// Open: expand a unit and show its queue, or show a case's detail.
    Open,
    /// Back: close the overlay, clear the filter, or return to the queue.
    Back,
    /// Filter the queue by text (`/`).
    Filter,
    /// Jump to a case id or run a command (`:`).
    Command,
    /// Jump to a unit by part of its name or id.
    JumpUnit,
    /// Search all cases by title, address, id and work-order number.
    Search,
    /// Show or hide the help overlay.
    Help,
    /// The actions the operator may take on the selected case.
    Actions,
    /// The view by level: a unit and everything below it.
    ViewLevel,
    /// The view by department: cases held by functional departments.
    ViewDepartment,
    /// The night-shift view: overdue and yellow cases, most urgent first.
    ViewNight,
    /// The queue of the operator's own unit.
    ViewMine,
    /// Return and extension requests waiting for a decision.
    ViewRequests,
    /// Chased, supervised and pooled cases (催 / 督 / 池).
    ViewSupervision,
    /// Grab orders open to claim (可抢).
    ViewGrab,
    /// The reports view (报表).
    ViewReports,
    /// Sort by the next key: due time, received time, light.
    CycleSort,
    /// Ring the terminal bell on a new red case, or stop.
    ToggleBell,
    /// Switch to the next theme.
    NextTheme,
    /// Switch between Chinese and English.
    ToggleLang,
    /// Redraw the whole screen.
    Redraw,
    /// Confirm the question asked (yes).
    Confirm,
    /// Submit the open prompt; in a form, Enter: the next field, or submit on the last one.
    Submit,
    /// Submit the open form from whichever field has the focus (Ctrl-S).
    SubmitForm,
    /// Close the open prompt, form or question without acting.
    Cancel,
    /// Type text into the open prompt or form field.
    Type(String),
    /// Delete the character before the cursor in the open prompt or form field.
    Backspace,
    /// Select a unit in the tree by id.
    SelectUnit(String),
    /// Select a case by id and show its detail.
    SelectCase(String),
    /// Run a `:` line (a case id, a lifecycle command, or a board command).
    Run(String),
    /// The terminal is now this size.
    Resize(u16, u16),
    /// The minute tick: lights and countdowns move on.
    Tick,
    /// A mouse click at a column and row.
    Click(u16, u16),
    /// The mouse wheel at a column and row; down when true.
    Scroll(u16, u16, bool),
}

impl Action {
    /// The actions a key can be bound to, in the order the help overlay lists them.
    pub const BINDABLE: &'static [Action] = &[
        Action::Up,
        Action::Down,
        Action::Left,
        Action::Right,
        Action::Top,
        Action::Bottom,
        Action::PageDown,
        Action::PageUp,
        Action::NextPane,
        Action::PrevPane,
        Action::Open,
        Action::Back,
        Action::Filter,
        Action::Command,
        Action::JumpUnit,
        Action::Search,
        Action::Actions,
        Action::ViewLevel,
        Action::ViewDepartment,
        Action::ViewNight,
        Action::ViewMine,
        Action::ViewRequests,
        Action::ViewSupervision,
        Action::ViewGrab,
        Action::ViewReports,
        Action::CycleSort,
        Action::ToggleBell,
        Action::NextTheme,
        Action::ToggleLang,
        Action::Redraw,
        Action::Help,
        Action::Quit,
    ];

    /// What the action does, in the board's language.
    pub fn description(&self, lang: Lang) -> &'static str {
        super::i18n::describe(lang, self)
    }

    /// The action's name in `keys.toml` (`move_down` style), for bindable actions.
    pub fn name(&self) -> Option<String> {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(s)) => Some(s),
            _ => None,
        }
    }

    /// The bindable action with this `keys.toml` name.
    pub fn from_name(name: &str) -> Option<Action> {
        serde_json::from_value::<Action>(serde_json::Value::String(name.to_string()))
            .ok()
            .filter(|a| Action::BINDABLE.contains(a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bindable_action_has_a_name_and_a_description_in_both_languages() {
        for a in Action::BINDABLE {
            let name = a.name().expect("unit variants have names");
            assert_eq!(Action::from_name(&name).as_ref(), Some(a));
            for lang in [Lang::Zh, Lang::En] {
                assert!(!a.description(lang).is_empty(), "{name} in {lang:?}");
            }
        }
        assert_eq!(Action::from_name("type"), None);
    }

    #[test]
    fn actions_read_from_json_lines_for_headless_runs() {
        let a: Action = serde_json::from_str(r#"{"select_unit":"laoshan"}"#).unwrap();
        assert_eq!(a, Action::SelectUnit("laoshan".into()));
        let a: Action = serde_json::from_str(r#""page_down""#).unwrap();
        assert_eq!(a, Action::PageDown);
    }
}
