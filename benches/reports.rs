//! Reports and early warning at a city's scale (issue #14): over the store `benches/scale.rs`
//! builds (1,000,000 cases over a year, 100,000 open; `SCALE_CASES` / `SCALE_OPEN` as there),
//! prints the time of a monthly city report, a district's daily report, today's warnings and the
//! board's reports-view frame, and the one-off build of the measures' sums on a store that had
//! none. Run `cargo bench --bench scale` first to build the store, then
//! `cargo bench --bench reports`.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use jiban::board::app::App;
use jiban::board::config::Settings;
use jiban::board::i18n::Lang;
use jiban::domain::clock::SimulatedClock;
use jiban::domain::org::UnitId;
use jiban::domain::period::PeriodKind;
use jiban::engine::Engine;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const NOW: &str = "2026-11-23T09:00:00+08:00";

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// The median and the slowest of `n` runs of `f`.
fn time(n: usize, mut f: impl FnMut()) -> (Duration, Duration) {
    let mut all: Vec<Duration> = (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    all.sort();
    (all[n / 2], all[n - 1])
}

fn main() {
    let total: usize = std::env::var("SCALE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let open: usize = std::env::var("SCALE_OPEN")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(total / 10);
    let store =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("target/scale/store-{total}-{open}"));
    if !store.join("built").exists() {
        eprintln!(
            "no store at {}: run `cargo bench --bench scale` first (SCALE_CASES={total})",
            store.display()
        );
        return;
    }
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339(NOW)
        .expect("time")
        .with_timezone(&Utc);
    let clock = Arc::new(SimulatedClock::fixed(now));
    let mut rows: Vec<(String, String, &str)> = Vec::new();
    let t = Instant::now();
    let engine = Arc::new(Engine::open(&store, clock).expect("open"));
    rows.push((
        "open (builds the sums once on a store that had none)".into(),
        ms(t.elapsed()),
        "once per store",
    ));
    let admin = engine.administrator();
    let city = UnitId::new("city");
    let report = engine
        .report(&admin, PeriodKind::Month, None, Some(&city))
        .expect("report");
    println!(
        "# city {}: {} taken, {} closed, satisfaction {}, {} units ranked, {} kinds",
        report.label,
        report.measures.counters.taken,
        report.measures.counters.closed,
        report.measures.satisfaction.text(),
        report.ranking.len(),
        report.kinds.len()
    );
    let (median, worst) = time(20, || {
        engine
            .report(&admin, PeriodKind::Month, None, Some(&city))
            .expect("report");
    });
    rows.push((
        format!(
            "monthly city report ({} cases taken)",
            report.measures.counters.taken
        ),
        format!("median {}, slowest {}", ms(median), ms(worst)),
        "≤ 200 ms",
    ));
    let (median, worst) = time(20, || {
        engine
            .report(&admin, PeriodKind::Year, None, Some(&city))
            .expect("report");
    });
    rows.push((
        "yearly city report".into(),
        format!("median {}, slowest {}", ms(median), ms(worst)),
        "≤ 200 ms",
    ));
    let laoshan = UnitId::new("laoshan");
    let (median, worst) = time(20, || {
        engine
            .report(&admin, PeriodKind::Day, None, Some(&laoshan))
            .expect("report");
    });
    rows.push((
        "daily district report".into(),
        format!("median {}, slowest {}", ms(median), ms(worst)),
        "",
    ));
    let warnings = engine.warnings(&admin).expect("warnings");
    let (median, worst) = time(20, || {
        engine.warnings(&admin).expect("warnings");
    });
    rows.push((
        format!("today's warnings ({} found)", warnings.len()),
        format!("median {}, slowest {}", ms(median), ms(worst)),
        "",
    ));

    // The board's reports view: the first frame fetches; later frames draw what is held.
    let mut app = App::new(
        engine.clone(),
        admin.clone(),
        Settings::plain("default", Lang::Zh),
    )
    .expect("board");
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    app.handle(jiban::board::action::Action::ViewReports);
    let t = Instant::now();
    terminal
        .draw(|f| jiban::board::ui::render(f, &mut app))
        .expect("draw");
    rows.push((
        "board reports view, first frame (fetches the report)".into(),
        ms(t.elapsed()),
        "",
    ));
    let (median, worst) = time(200, || {
        terminal
            .draw(|f| jiban::board::ui::render(f, &mut app))
            .expect("draw");
    });
    rows.push((
        "board reports view, a frame (120×40)".into(),
        format!("median {}, slowest {}", ms(median), ms(worst)),
        "≤ 2 ms",
    ));
    println!("\n| at {total} stored cases ({open} open) | measured | goal |\n| --- | --- | --- |");
    for (what, got, goal) in rows {
        println!("| {what} | {got} | {goal} |");
    }
}
