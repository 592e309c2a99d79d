//! The reports view on the board (报表, issue #14): this month's measures beside last month's,
//! the daily line, the top kinds and the ranking of child units for the selected tree node, and
//! the warnings strip for platform and supervisor roles; live as cases move; right in both
//! languages, at 120×40 and 80×24, and in the mono theme.

mod board_support;

use std::time::Duration;

use board_support::keys::keys;
use board_support::{board, demo, screen};
use jiban::board::app::View;
use jiban::board::i18n::Lang;

#[test]
fn the_reports_view_shows_a_units_month_and_the_citys_warnings() {
    let demo = demo();
    for (lang, theme, (w, h), name) in [
        (Lang::Zh, "default", (120, 40), "reports_zh_120x40"),
        (Lang::En, "default", (120, 40), "reports_en_120x40"),
        (Lang::Zh, "mono", (80, 24), "reports_zh_80x24_mono"),
        (Lang::En, "default", (80, 24), "reports_en_80x24"),
    ] {
        let mut app = board(&demo, Some("qd_supervisor"), theme, lang);
        keys(&mut app, "8");
        assert_eq!(app.view, View::Reports);
        let text = screen(&mut app, w, h);
        let cache = app.reports().expect("fetched");
        let report = cache.report.as_ref().expect("a report");
        assert_eq!(report.scope.id.as_str(), "city");
        assert!(report.measures.counters.taken > 0, "the demo's November");
        assert!(
            cache
                .warnings
                .iter()
                .any(|w| w.kind == "elevator" && w.area.id.as_str() == "shinan"),
            "{:?}",
            cache.warnings
        );
        let (warning, kind) = match lang {
            Lang::Zh => ("短期激增", "电梯安全"),
            Lang::En => ("surge", "Lift safety"),
        };
        assert!(text.contains(warning), "{text}");
        assert!(text.contains(kind), "{text}");
        insta::assert_snapshot!(name, text);
    }
}

#[test]
fn the_view_follows_the_tree_and_cases_as_they_move_and_a_unit_sees_no_warnings() {
    let demo = demo();
    let mut app = board(&demo, Some("qd_supervisor"), "default", Lang::Zh);
    app.set_reports_every(Duration::ZERO);
    keys(&mut app, "8");
    screen(&mut app, 120, 40);
    let city = app
        .reports()
        .and_then(|c| c.report.clone().ok())
        .expect("city");
    // Down the tree: the report follows the selected unit.
    keys(&mut app, "j");
    screen(&mut app, 120, 40);
    let next = app
        .reports()
        .and_then(|c| c.report.clone().ok())
        .expect("next");
    assert_ne!(next.scope.id, city.scope.id);
    keys(&mut app, "k");
    // A new case taken in now shows in the month's count on the next frame.
    let before = city.measures.counters.received;
    jiban::demo::arrival(&demo.engine, 3).expect("arrival");
    let mut after = before;
    for _ in 0..50 {
        app.pump();
        screen(&mut app, 120, 40);
        after = app
            .reports()
            .and_then(|c| c.report.as_ref().ok())
            .map_or(before, |r| r.measures.counters.received);
        if after > before {
            break;
        }
    }
    assert_eq!(after, before + 1);
    // `:period 周报` reports the week instead (and `:period` with no period says how).
    keys(&mut app, ":period 周报⏎");
    let text = screen(&mut app, 120, 40);
    let week = app
        .reports()
        .and_then(|c| c.report.clone().ok())
        .expect("week");
    assert_eq!(week.period.kind, jiban::domain::period::PeriodKind::Week);
    assert!(text.contains("周报 2026-W48"), "{text}");
    keys(&mut app, ":period fortnight⏎");
    let (msg, ok) = app.status().expect("usage");
    assert!(!ok && msg.contains(":period"), "{msg}");
    // A unit handler reads its own unit's report, without the warnings strip.
    let mut unit = board(&demo, Some("ls_haidamaidao"), "default", Lang::Zh);
    keys(&mut unit, "8");
    let text = screen(&mut unit, 120, 40);
    let cache = unit.reports().expect("fetched");
    assert!(cache.warnings.is_empty());
    assert!(!text.contains("预警"), "{text}");
    assert!(cache.report.is_ok(), "{:?}", cache.report);
}
