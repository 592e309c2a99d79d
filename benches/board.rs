//! Board benchmarks (`cargo bench --bench board`), printed as a table:
//!
//! - frame time at 200×60 with 1,000 and 100,000 open cases in the selected queue (a frame is the
//!   board's own draw: render, compare with the last picture, diff, encode for crossterm, one
//!   write into a counting sink), beside the one-off costs
//!   that do scale with the queue: rebuilding it (a new scope, filter or sort) and the minute tick;
//! - bytes written to the terminal (crossterm through one buffered writer) over the demo store:
//!   a full redraw, an idle minute, and the minute in which one case changes light.

use std::io::{self, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use jiban::board::action::Action;
use jiban::board::i18n::Lang;
use jiban::board::model::Model;
use jiban::board::{App, Settings};
use jiban::domain::case::{CaseId, Category, Stage};
use jiban::domain::clock::SimulatedClock;
use jiban::domain::command::Command;
use jiban::domain::intake::parse_line;
use jiban::domain::org::{Level, UnitId};
use jiban::engine::Engine;
use jiban::service::{Embedded, Service};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T09:00:00+08:00")
        .unwrap()
        .with_timezone(&Utc)
}

/// An empty store plus one case walked to `handling`, the template for synthetic ones.
fn store() -> (
    tempfile::TempDir,
    Arc<Engine>,
    Arc<SimulatedClock>,
    jiban::domain::case::Case,
) {
    let (dir, clock, engine) = store_at_now();
    let admin = engine.administrator();
    let line = r#"{"district":"laoshan","channel":"hotline","title":"金家岭 MixC 商场地下车库 B2 出口排水沟堵塞，雨天积水没过脚踝","description":"d","requester":{"name":"李娜","phone":"13853215678"},"address":"崂山区"}"#;
    let case = parse_line(1, line, &engine.config().org).unwrap();
    engine.intake(&admin, vec![case]).unwrap();
    let id = CaseId("LS-20261123-0001".into());
    for cmd in [
        Command::Accept {
            province: false,
            category: Category::Development,
            kind: None,
            complex: true,
            matter: None,
        },
        Command::Dispatch {
            to: UnitId::new("laoshan.housing"),
        },
        Command::Sign,
    ] {
        engine.execute(&admin, &id, &cmd, None).unwrap();
    }
    let template = engine.show(id.as_str()).unwrap().case;
    (dir, Arc::new(engine), clock, template)
}

/// A board whose projection holds `n` open cases spread over Laoshan's units, with deadlines
/// from 3 working days overdue to 20 ahead, so every light and countdown shape shows.
fn board_with(n: usize) -> (tempfile::TempDir, App) {
    let (dir, engine, _clock, template) = store();
    let operator = engine.user("ls_dispatch").unwrap();
    let service: Arc<dyn Service> = Arc::new(Embedded::new(engine.clone(), operator));
    let events = service.subscribe();
    let mut model = Model::new(engine.config().clone(), now());
    let units: Vec<UnitId> = engine
        .config()
        .org
        .units()
        .iter()
        .filter(|u| u.id.as_str().starts_with("laoshan.") && u.level != Level::Street)
        .map(|u| u.id.clone())
        .collect();
    for i in 0..n {
        let mut c = template.clone();
        c.id = CaseId(format!("LS-2026{:04}-{:04}", 1000 + i / 10_000, i % 10_000));
        c.holder = units[i % units.len()].clone();
        c.stage = if i % 3 == 0 {
            Stage::Assigned
        } else {
            Stage::Handling
        };
        c.title = format!("{} #{i}", template.title);
        c.received_at = now() - Duration::minutes(i as i64 % 40_000);
        c.due_at = Some(now() + Duration::minutes((i as i64 * 37) % (23 * 1440) - 3 * 1440));
        c.limit_days = Some(10);
        model.upsert(&jiban::domain::summary::CaseSummary::of(&c));
    }
    model.tick(now());
    let mut app = App::with_model(service, events, Settings::plain("default", Lang::Zh), model);
    app.handle(Action::SelectUnit("laoshan".into()));
    app.handle(Action::NextPane);
    (dir, app)
}

fn percentile(sorted: &[StdDuration], p: f64) -> StdDuration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn frames(n: usize) {
    let (_dir, mut app) = board_with(n);
    assert_eq!(app.queue().len(), n, "the selected queue holds every case");
    let area = ratatui::layout::Rect::new(0, 0, 200, 60);
    let mut terminal =
        jiban::board::terminal::BoardTerminal::fixed(Count::default(), area).unwrap();
    app.handle(Action::Resize(200, 60));
    jiban::board::terminal::draw(&mut terminal, &mut app).unwrap();
    let mut times = Vec::new();
    for i in 0..400 {
        app.handle(if i % 20 < 10 {
            Action::PageDown
        } else {
            Action::PageUp
        });
        let t = Instant::now();
        let drawn = jiban::board::terminal::draw(&mut terminal, &mut app).unwrap();
        times.push(t.elapsed());
        assert!(drawn, "step {i}: every step moves the selection");
    }
    times.sort();
    let t = Instant::now();
    app.handle(Action::CycleSort);
    let rebuild = t.elapsed();
    let t = Instant::now();
    app.handle(Action::Tick);
    let tick = t.elapsed();
    println!(
        "frame 200x60, {n:>7} open cases in the queue: p50 {:>8.3} ms  p99 {:>8.3} ms  max {:>8.3} ms | queue rebuild {:>7.2} ms | minute tick {:>7.2} ms",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99)),
        ms(*times.last().unwrap()),
        ms(rebuild),
        ms(tick),
    );
}

fn ms(d: StdDuration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A writer that counts bytes and write calls and throws them away.
#[derive(Clone, Default)]
struct Count(Arc<AtomicUsize>, Arc<AtomicUsize>);

impl Write for Count {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.fetch_add(buf.len(), Ordering::Relaxed);
        self.1.fetch_add(1, Ordering::Relaxed);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A fresh store with the bundled fixtures on a clock standing at [`now`].
fn store_at_now() -> (tempfile::TempDir, Arc<SimulatedClock>, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SimulatedClock::fixed(now()));
    let engine = Engine::init(
        &dir.path().join("s"),
        &jiban::fixtures::bundled(),
        clock.clone(),
    )
    .unwrap();
    (dir, clock, engine)
}

fn bytes() {
    let (_dir, clock, engine) = store_at_now();
    jiban::demo::seed(&engine, &clock, now()).unwrap();
    let engine = Arc::new(engine);
    let operator = engine.administrator();
    let mut app = App::new(
        engine.clone(),
        operator,
        Settings::plain("default", Lang::Zh),
    )
    .unwrap();
    let count = Count::default();
    let area = ratatui::layout::Rect::new(0, 0, 200, 60);
    let mut terminal = jiban::board::terminal::BoardTerminal::fixed(count.clone(), area).unwrap();
    // The board's own loop, minus the real terminal: size, then frames only when changed.
    terminal.terminal.resize(area).unwrap();
    app.handle(Action::Resize(200, 60));
    let taken = |c: &Count| c.0.swap(0, Ordering::Relaxed);
    let writes_before = count.1.swap(0, Ordering::Relaxed);
    let mut all_frames = 0;
    let draw = |t: &mut jiban::board::terminal::BoardTerminal<Count>, app: &mut App| {
        jiban::board::terminal::draw(t, app).unwrap()
    };
    all_frames += usize::from(draw(&mut terminal, &mut app));
    let first = taken(&count);
    app.handle(Action::Redraw);
    all_frames += usize::from(draw(&mut terminal, &mut app));
    let redraw = taken(&count);
    // An idle minute: 300 polls of 200 ms with nothing to do, then the minute tick.
    let mut frames = 0;
    for _ in 0..300 {
        app.pump();
        frames += usize::from(draw(&mut terminal, &mut app));
    }
    all_frames += frames;
    let idle_polls = taken(&count);
    clock.advance(Duration::minutes(1));
    app.handle(Action::Tick);
    let tick_frame = usize::from(draw(&mut terminal, &mut app));
    frames += tick_frame;
    all_frames += tick_frame;
    let idle = taken(&count) + idle_polls;
    // One case turns red: put the clock 30 s before the earliest future deadline, then tick.
    let due = (0..app.model().len() as u32)
        .map(|i| app.model().row(i))
        .filter(|r| r.light.is_some() && r.due_at.is_some_and(|d| d > clock_now(&clock)))
        .filter_map(|r| r.due_at)
        .min()
        .expect("an open case with a future deadline");
    clock.set(due - Duration::seconds(30));
    app.handle(Action::Tick);
    all_frames += usize::from(draw(&mut terminal, &mut app));
    taken(&count);
    let red_before = app.scope_counts().red;
    clock.advance(Duration::minutes(1));
    app.handle(Action::Tick);
    all_frames += usize::from(draw(&mut terminal, &mut app));
    let one_light = taken(&count);
    assert_eq!(
        app.scope_counts().red,
        red_before + 1,
        "exactly one case turned red"
    );
    // For comparison, the same minute when no light changes.
    clock.advance(Duration::minutes(1));
    app.handle(Action::Tick);
    all_frames += usize::from(draw(&mut terminal, &mut app));
    let plain_tick = taken(&count);
    println!("bytes to the terminal at 200x60, demo store (96 open cases, the city selected):");
    println!("  first frame            {first:>7} B");
    println!("  full redraw (Ctrl-L)   {redraw:>7} B");
    println!("  idle minute            {idle:>7} B  ({frames} frame: the minute tick; {idle_polls} B from 300 idle polls)");
    println!("  minute, no light change{plain_tick:>7} B");
    println!("  minute, one case red   {one_light:>7} B");
    let writes = count.1.load(Ordering::Relaxed);
    println!(
        "  write calls: {writes} for {all_frames} frames (and {writes_before} for the initial clear)"
    );
}

fn clock_now(c: &SimulatedClock) -> DateTime<Utc> {
    use jiban::domain::clock::Clock;
    c.now()
}

fn main() {
    // `cargo test --benches` runs bench targets with --bench absent; keep that quick.
    if !std::env::args().any(|a| a == "--bench") {
        println!("board bench: run with `cargo bench --bench board`");
        return;
    }
    frames(1_000);
    frames(100_000);
    bytes();
}
