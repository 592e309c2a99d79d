//! The `:` line: a case id, a board command, or a lifecycle command on the selected case.

use super::app::{App, View};
use super::form::{self, Parsed};
use super::i18n::Lang;
use super::model::Sort;

/// True when `s` has the shape of a case id (`LS-20261122-0007`).
pub fn looks_like_case_id(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 3
        && parts[0].len() == 2
        && parts[0].chars().all(|c| c.is_ascii_alphabetic())
        && parts[1].len() == 8
        && parts[2].len() >= 4
        && parts[1..]
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_digit()))
}

/// Runs one `:` line on the board.
pub(super) fn run(app: &mut App, line: &str) {
    let t = app.settings.lang.text();
    let words = match form::split_words(line) {
        Ok(w) => w,
        Err(_) => return app.status_msg(t.unclosed_quote.to_string(), false),
    };
    let Some(first) = words.first() else { return };
    let rest = words[1..].join(" ");
    let arg = words.get(1).map(String::as_str).unwrap_or("");
    match first.as_str() {
        "q" | "quit" | "exit" => app.quit_now(),
        "theme" => {
            if let Err(e) = app.settings.set_theme(arg) {
                app.status_msg(e, false);
            }
        }
        "lang" => match arg.parse::<Lang>() {
            Ok(l) => app.settings.lang = l,
            Err(e) => app.status_msg(e, false),
        },
        "period" => {
            if !app.set_report_period(arg) {
                app.status_msg(t.usage_period.to_string(), false);
            }
        }
        "sort" => match arg {
            "due" => app.sort = Sort::Due,
            "received" => app.sort = Sort::Received,
            "light" => app.sort = Sort::Light,
            _ => app.status_msg(t.usage_sort.to_string(), false),
        },
        "stage" => match arg {
            "" | "all" | "全部" => app.stage_filter = None,
            word => match crate::domain::case::Stage::ALL.iter().find(|s| {
                s.as_str() == word || Lang::Zh.stage(**s) == word || Lang::En.stage(**s) == word
            }) {
                Some(s) => app.stage_filter = Some(*s),
                None => app.status_msg(t.usage_stage.to_string(), false),
            },
        },
        "bell" => app.settings.bell = matches!(arg, "on" | "yes" | "1" | "true"),
        "view" => match arg {
            "level" => app.change_view(View::Level),
            "department" | "departments" => app.change_view(View::Department),
            "night" | "urgent" => app.change_view(View::Night),
            "mine" => app.change_view(View::Mine),
            "search" => app.change_view(View::Search),
            "requests" | "pending" => app.change_view(View::Requests),
            "supervision" | "pool" => app.change_view(View::Supervision),
            "grab" => app.change_view(View::Grab),
            "reports" | "report" => app.change_view(View::Reports),
            _ => app.status_msg(t.usage_view.to_string(), false),
        },
        "unit" | "u" => app.jump_unit(&rest),
        "as" => app.act_as(&rest),
        "sample" => app.lookback_sample(&rest),
        "search" => app.set_search(&rest),
        "filter" => app.set_filter(&rest),
        w if looks_like_case_id(&w.to_uppercase()) => app.goto_case(w),
        w if form::is_command_word(w) => {
            let Some((case, version)) = app.selected_version() else {
                return app.status_msg(t.select_a_case.to_string(), false);
            };
            if !app.offered_commands().contains(&w) {
                return app.not_offered(&case, w);
            }
            // Units may be typed by name: `dispatch --to 崂山区市场`, preferring units the case
            // may be routed to.
            let targets: Vec<String> = app
                .service()
                .route_targets(case.as_str(), w == "joint")
                .unwrap_or_default()
                .iter()
                .map(|u| u.to_string())
                .collect();
            let mut words = words.clone();
            for i in 1..words.len() {
                let option = words[i - 1].trim_start_matches("--");
                if words[i - 1].starts_with("--") && form::Form::is_unit_field(option) {
                    let resolved: Option<Vec<String>> = words[i]
                        .split([',', '，', '、'])
                        .map(|u| app.resolve_among(&targets, u.trim()))
                        .collect();
                    if let Some(ids) = resolved {
                        words[i] = ids.join(",");
                    }
                }
            }
            match form::parse(&words, &case, version) {
                Parsed::Command(cmd) => app.submit(case, version, cmd, None),
                Parsed::NeedsForm(f) => app.open_form(f),
                Parsed::Error(e) => app.status_msg(e, false),
            }
        }
        w => {
            app.status_msg(format!("{}: {w}", t.not_found), false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_ids_are_recognised_by_shape() {
        assert!(looks_like_case_id("LS-20261122-0007"));
        assert!(!looks_like_case_id("laoshan.hrss"));
        assert!(!looks_like_case_id("LS-2026-0007"));
    }
}
