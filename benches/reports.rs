//! Reports and early warning at a city's scale (issue #14): over a store of 1,000,000 cases
//! received over a year, 100,000 of them open (`SCALE_CASES` / `SCALE_OPEN`), prints the time of
//! a monthly and a yearly city report, a district's daily report, today's warnings and the
//! board's reports-view frame. It uses the store `benches/scale.rs` builds when there is one
//! (and then also times the one-off build of the measures' sums on a store that had none);
//! otherwise it makes one under `target/scale/reports-…` from the demo's history generator
//! (each case walked through the lifecycle in memory, written in batches), reused by later runs.
//! `REPORTS_REBUILD=1` makes the open build the sums again from every case, and times it.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use jiban::board::app::App;
use jiban::board::config::Settings;
use jiban::board::i18n::Lang;
use jiban::demo::history;
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

/// A year of `total` cases, `open` of them open, from the demo's history generator.
fn build(store: &Path, total: usize, open: usize, now: DateTime<Utc>) {
    if store.join("built").exists() {
        println!("reusing the store at {}", store.display());
        return;
    }
    let _ = std::fs::remove_dir_all(store);
    std::fs::create_dir_all(store).expect("store dir");
    let started = Instant::now();
    let clock = Arc::new(SimulatedClock::fixed(now));
    let engine = Engine::init(store, &jiban::fixtures::bundled(), clock).expect("init");
    // The demo makes about 2,040 cases a year at scale 1.
    let volume = history::Volume {
        days: 365,
        scale: total as f64 / 2_040.0,
        open_days: (open as i64 * 365 / total.max(1) as i64).max(1),
    };
    let mut written = 0usize;
    let n = history::generate(&engine, now, volume, &mut |walks| {
        written += walks.len();
        engine.import_walked(walks)?;
        if written % 100_000 < 5_000 {
            println!(
                "  {written} cases written, {:.0} s",
                started.elapsed().as_secs_f64()
            );
        }
        Ok(())
    })
    .expect("generate");
    std::fs::write(store.join("built"), n.to_string()).expect("marker");
    println!(
        "built {n} cases ({} open) in {:.0} s",
        engine.open_count(),
        started.elapsed().as_secs_f64()
    );
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
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/scale");
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339(NOW)
        .expect("time")
        .with_timezone(&Utc);
    let mut store = root.join(format!("store-{total}-{open}"));
    if !store.join("built").exists() {
        store = root.join(format!("reports-{total}-{open}"));
        build(&store, total, open, now);
    }
    // REPORTS_REBUILD=1: forget the sums' mark, so the open below builds them from every case.
    if std::env::var_os("REPORTS_REBUILD").is_some() {
        let db = sled::open(&store).expect("sled");
        db.open_tree("meta")
            .and_then(|m| m.remove("tallies"))
            .expect("meta");
        db.flush().expect("flush");
    }
    let clock = Arc::new(SimulatedClock::fixed(now));
    let mut rows: Vec<(String, String, &str)> = Vec::new();
    let t = Instant::now();
    // sled's threads may hold the store's lock a moment after the rebuild's handle is dropped:
    // poll for it (at most 10 s).
    let deadline = Instant::now() + Duration::from_secs(10);
    let engine = loop {
        match Engine::open(&store, clock.clone()) {
            Ok(e) => break Arc::new(e),
            Err(jiban::engine::EngineError::Store(jiban::store::StoreError::InUse(_)))
                if Instant::now() < deadline =>
            {
                std::thread::yield_now();
            }
            Err(e) => panic!("open: {e}"),
        }
    };
    rows.push((
        "open the store (building the sums once if it had none)".into(),
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
