//! Shared set-up for the board tests: the demo store on a fixed simulated clock (Monday
//! 2026-11-23 09:00 China time), two cases with long mixed Chinese/ASCII titles, and a board over
//! it rendered to plain text.
#![allow(dead_code)]

pub mod keys;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use jiban::board::action::Action;
use jiban::board::i18n::Lang;
use jiban::board::{App, Settings};
use jiban::domain::case::{CaseId, Category};
use jiban::domain::clock::SimulatedClock;
use jiban::domain::command::Command;
use jiban::domain::intake::parse_line;
use jiban::domain::org::UnitId;
use jiban::engine::Engine;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;
use unicode_width::UnicodeWidthStr;

/// The demo's "now".
pub const NOW: &str = "2026-11-23T09:00:00+08:00";

/// The long-titled case that is being handled (it has a light and a countdown).
pub const LONG_HANDLED: &str = "LS-20261123-0001";
/// The long-titled case still in triage.
pub const LONG_TRIAGE: &str = "LS-20261123-0002";

/// The demo's "now" as a time.
pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(NOW)
        .unwrap()
        .with_timezone(&Utc)
}

/// A demo store in a temp dir.
pub struct Demo {
    /// Keeps the folder alive.
    pub dir: tempfile::TempDir,
    /// The engine.
    pub engine: Arc<Engine>,
    /// Its clock (fixed until moved).
    pub clock: Arc<SimulatedClock>,
}

const LONG_CASES: &str = r#"{"district":"laoshan","channel":"hotline","title":"iPhone 15 Pro Max 退款纠纷：商家拒绝“七天无理由”退货，消费者三次协商无果，要求 12315 与区市场监管局介入","description":"消费者在崂山区 MixC 万象城 L3 的 Apple 授权经销商购买 iPhone 15 Pro Max，未拆封即申请七天无理由退货，商家以“激活即视为使用”为由拒绝。","requester":{"name":"Li Na 李娜","phone":"13853215678"},"address":"崂山区 MixC 万象城 L3-021 Apple Authorized Reseller","received_at":"2026-11-23T08:10:00+08:00","external_id":"QD2611230001"}
{"district":"laoshan","channel":"wechat","title":"Wi-Fi 6 / 5G base station 建在幼儿园旁边，家长担心辐射 radiation，请求公开第三方检测报告 report","description":"张村社区幼儿园围墙外新建一座 5G 基站，家长请求公开电磁辐射检测报告并说明选址依据。","requester":{"name":"王芳","phone":"13953245678"},"address":"崂山区中韩街道张村社区 Building 7","received_at":"2026-11-23T08:20:00+08:00"}"#;

/// Builds the demo store as `init --demo` does at [`NOW`], plus the two long-titled cases: the
/// first accepted as a development case and signed for by 崂山区市场监督管理局.
pub fn demo() -> Demo {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SimulatedClock::fixed(now()));
    let engine = Engine::init(
        &dir.path().join("store"),
        &jiban::fixtures::bundled(),
        clock.clone(),
    )
    .unwrap();
    jiban::demo::seed(&engine, &clock, now()).unwrap();
    let admin = engine.administrator();
    let cases = LONG_CASES
        .lines()
        .enumerate()
        .map(|(i, l)| parse_line(i + 1, l, &engine.config().org).unwrap())
        .collect();
    engine.intake(&admin, cases).unwrap();
    let id = CaseId(LONG_HANDLED.into());
    for cmd in [
        Command::Accept {
            province: false,
            category: Category::Development,
            kind: None,
            complex: false,
            matter: None,
        },
        Command::Dispatch {
            to: UnitId::new("laoshan.market"),
        },
        Command::Sign,
    ] {
        engine.execute(&admin, &id, &cmd, None).unwrap();
    }
    Demo {
        dir,
        engine: Arc::new(engine),
        clock,
    }
}

/// Hands the board each action in turn, as the keymap would.
pub fn drive(app: &mut App, actions: &[Action]) {
    for a in actions {
        app.handle(a.clone());
    }
}

/// Opens `case`, fills in a rejection with the published reason number and a note, and submits
/// it (the confirmation comes next).
pub fn reject_actions(case: &str, reason: &str, note: &str) -> Vec<Action> {
    vec![
        Action::Run(case.into()),
        Action::Run("reject".into()),
        Action::Type(reason.into()),
        Action::NextPane,
        Action::Type(note.into()),
        Action::Submit,
    ]
}

/// A board over the demo as `login` (the administrator when none), with a theme and language.
pub fn board(demo: &Demo, login: Option<&str>, theme: &str, lang: Lang) -> App {
    let operator = match login {
        Some(l) => demo.engine.user(l).unwrap(),
        None => demo.engine.administrator(),
    };
    App::new(demo.engine.clone(), operator, Settings::plain(theme, lang)).unwrap()
}

/// The board drawn at `w`×`h`, as plain text lines. Panics if a double-width character hides
/// anything, or a line is not exactly `w` columns wide (a broken border or column).
pub fn screen(app: &mut App, w: u16, h: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    // The frame as drawn, before ratatui's diff: the diff leaves out a cell under a wide
    // character, so the backend's copy would hide exactly what a terminal loses.
    let frame = terminal.draw(|f| jiban::board::ui::render(f, app)).unwrap();
    text_of(frame.buffer)
}

/// A buffer as plain text, checked as [`screen`] says.
pub fn text_of(buf: &Buffer) -> String {
    let w = usize::from(buf.area.width);
    let mut out = String::new();
    for (y, cells) in buf.content.chunks(w).enumerate() {
        let mut line = String::new();
        let mut skip = 0usize;
        for (x, c) in cells.iter().enumerate() {
            if skip > 0 {
                assert!(
                    c.symbol().trim().is_empty(),
                    "line {y} column {x}: {:?} is hidden under a double-width character",
                    c.symbol()
                );
                skip -= 1;
                continue;
            }
            line.push_str(c.symbol());
            skip = c.symbol().width().saturating_sub(1);
        }
        assert_eq!(line.width(), w, "line {y} is not {w} columns: {line:?}");
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
