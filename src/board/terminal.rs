//! The terminal: raw mode and the alternate screen, restored by a guard on drop and by a panic
//! hook; one buffered writer flushed once per frame; a frame only when something changed; and
//! never a question to the terminal that waits for an answer.

use std::io::{self, BufWriter, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Once};
use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event, KeyEventKind, MouseButton, MouseEventKind,
};
use ratatui::crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::crossterm::{cursor, execute};
use ratatui::layout::{Position, Rect};
use ratatui::{Terminal, TerminalOptions, Viewport};

use super::action::Action;
use super::app::{App, Mode};
use super::backend::WideBackend;

/// Puts the terminal back: leaves the alternate screen, shows the cursor, stops mouse capture
/// and bracketed paste, and leaves raw mode. Safe to call more than once.
pub fn restore() {
    let mut out = io::stdout();
    let _ = execute!(
        out,
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = disable_raw_mode();
    let _ = out.flush();
}

/// Restores the terminal when dropped (on quit and on error).
pub struct TerminalGuard(());

impl TerminalGuard {
    /// Enters raw mode and the alternate screen, with mouse capture and bracketed paste (a
    /// paste arrives as one piece of text, not as keys); installs the panic hook.
    pub fn enter() -> io::Result<TerminalGuard> {
        install_panic_hook();
        install_signal_handlers();
        enable_raw_mode()?;
        let guard = TerminalGuard(());
        enter_screen()?;
        Ok(guard)
    }
}

/// The alternate screen, with mouse capture and bracketed paste, cursor hidden (raw mode is
/// already on).
fn enter_screen() -> io::Result<()> {
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste,
        cursor::Hide
    )
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Set by SIGTERM or SIGHUP: the loop ends and the terminal is restored as on quit.
static STOP: AtomicBool = AtomicBool::new(false);

#[cfg(unix)]
extern "C" fn on_stop_signal(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

/// Makes SIGTERM and SIGHUP end the board cleanly (in raw mode Ctrl-C is a key, not a signal).
fn install_signal_handlers() {
    #[cfg(unix)]
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        let handler = on_stop_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        libc::signal(libc::SIGTERM, handler);
        libc::signal(libc::SIGHUP, handler);
    }
}

/// Restores the terminal before the panic message is printed, so it is readable.
pub fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            tracing::error!(%info, backtrace = %std::backtrace::Backtrace::force_capture(), "board panicked");
            previous(info);
        }));
    });
}

/// The terminal's output: one buffer, written out once per frame. The backend flushes on its own
/// after it hides, shows or moves the cursor; while a frame is drawn those flushes are held, so
/// the frame leaves in one write when [`draw`] flushes at its end.
pub struct FrameWriter<W: Write> {
    inner: BufWriter<W>,
    hold: Arc<AtomicBool>,
}

impl<W: Write> FrameWriter<W> {
    /// A 64 KiB buffer over `w`, and the switch that holds its flushes.
    pub fn new(w: W) -> (Self, Arc<AtomicBool>) {
        let hold = Arc::new(AtomicBool::new(false));
        let writer = FrameWriter {
            inner: BufWriter::with_capacity(1 << 16, w),
            hold: hold.clone(),
        };
        (writer, hold)
    }
}

impl<W: Write> Write for FrameWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        if self.hold.load(Ordering::Relaxed) {
            return Ok(());
        }
        self.inner.flush()
    }
}

/// The board's terminal: crossterm over a [`FrameWriter`], with its hold switch and the last
/// picture sent.
pub struct BoardTerminal<W: Write> {
    /// The terminal.
    pub terminal: Terminal<WideBackend<FrameWriter<W>>>,
    hold: Arc<AtomicBool>,
    last: Option<(Buffer, Option<Position>)>,
}

impl<W: Write> BoardTerminal<W> {
    /// A terminal writing to `w`, as big as the terminal says it is.
    pub fn new(w: W) -> io::Result<Self> {
        Self::with_viewport(w, Viewport::Fullscreen)
    }

    /// A terminal of a fixed size writing to `w` (benches count the bytes of a known size).
    pub fn fixed(w: W, area: Rect) -> io::Result<Self> {
        Self::with_viewport(w, Viewport::Fixed(area))
    }

    fn with_viewport(w: W, viewport: Viewport) -> io::Result<Self> {
        let (writer, hold) = FrameWriter::new(w);
        Ok(BoardTerminal {
            terminal: Terminal::with_options(
                WideBackend::new(writer),
                TerminalOptions { viewport },
            )?,
            hold,
            last: None,
        })
    }
}

/// Draws a frame if the board changed (a full repaint when asked, `Ctrl-L`), writes it out in
/// one go, and rings the bell when a case turned red. A change that leaves the picture as it was
/// (a key at the end of a list) sends nothing. Asks the terminal nothing. Returns true when a
/// frame was drawn.
pub fn draw<W: Write>(t: &mut BoardTerminal<W>, app: &mut App) -> io::Result<bool> {
    t.hold.store(true, Ordering::Relaxed);
    let drawn = draw_frame(t, app);
    t.hold.store(false, Ordering::Relaxed);
    let drawn = drawn?;
    let backend = t.terminal.backend_mut();
    if app.take_bell() {
        backend.write_all(b"\x07")?;
    }
    Write::flush(backend)?;
    Ok(drawn)
}

fn draw_frame<W: Write>(t: &mut BoardTerminal<W>, app: &mut App) -> io::Result<bool> {
    let terminal = &mut t.terminal;
    if app.take_redraw_all() {
        terminal.autoresize()?;
        let area = terminal.get_frame().area();
        // `resize` clears and forgets the previous frame; `clear` would ask where the cursor is.
        terminal.resize(area)?;
        app.handle(Action::Resize(area.width, area.height));
        t.last = None;
    }
    if !app.take_dirty() {
        return Ok(false);
    }
    terminal.autoresize()?;
    let area = terminal.get_frame().area();
    let mut picture = Buffer::empty(area);
    let cursor = super::ui::render_into(&mut picture, area, app);
    if t.last
        .as_ref()
        .is_some_and(|(b, c)| *b == picture && *c == cursor)
    {
        return Ok(false);
    }
    let mut same_size = true;
    terminal.draw(|f| {
        if f.area() != area {
            // Resized between the two looks at the size: draw for the new one.
            same_size = false;
            return super::ui::render(f, app);
        }
        f.buffer_mut().clone_from(&picture);
        if let Some(c) = cursor {
            f.set_cursor_position(c);
        }
    })?;
    t.last = same_size.then_some((picture, cursor));
    Ok(true)
}

/// The terminal event as a board action, if it is one (key presses go through the mode and the
/// keymap; typing in a prompt edits the prompt directly).
pub fn translate(app: &mut App, ev: Event) -> Option<Action> {
    match ev {
        Event::Key(k) if matches!(k.kind, KeyEventKind::Press | KeyEventKind::Repeat) => {
            app.key_action(&k)
        }
        Event::Mouse(m) => match m.kind {
            MouseEventKind::Down(MouseButton::Left) => Some(Action::Click(m.column, m.row)),
            MouseEventKind::ScrollDown => Some(Action::Scroll(m.column, m.row, true)),
            MouseEventKind::ScrollUp => Some(Action::Scroll(m.column, m.row, false)),
            _ => None,
        },
        Event::Resize(w, h) => Some(Action::Resize(w, h)),
        // Pasted text types into an open prompt or form, line breaks as spaces.
        Event::Paste(text) if matches!(app.mode, Mode::Prompt(_) | Mode::Form(_)) => Some(
            Action::Type(text.replace("\r\n", " ").replace(['\r', '\n', '\t'], " ")),
        ),
        _ => None,
    }
}

/// How long to wait for input before looking at the engine's changes again.
pub const POLL: Duration = Duration::from_millis(200);

/// What the terminal's input side says after a wait.
enum TerminalInput {
    /// Bytes to read.
    Ready,
    /// Nothing within the wait.
    Quiet,
    /// The terminal is gone (an SSH connection dropped, a window closed).
    HungUp,
}

/// Waits up to `wait` for input on stdin, telling a hung-up terminal apart.
///
/// crossterm 0.29 reads a hung-up terminal in a loop that never returns (each read gives 0 bytes),
/// so a board whose SSH connection dropped would spin forever. The terminal is therefore polled
/// here first, and crossterm is asked for events only when the terminal has not hung up.
fn terminal_input(wait: Duration) -> TerminalInput {
    let mut fd = libc::pollfd {
        fd: libc::STDIN_FILENO,
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = libc::c_int::try_from(wait.as_millis()).unwrap_or(libc::c_int::MAX);
    // SAFETY: one pollfd we own, for the duration of the call.
    let n = unsafe { libc::poll(&mut fd, 1, ms) };
    if n < 0 {
        // Interrupted by a signal (SIGWINCH, SIGTERM): look again on the next turn.
        return TerminalInput::Quiet;
    }
    if fd.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
        TerminalInput::HungUp
    } else if fd.revents & libc::POLLIN != 0 {
        TerminalInput::Ready
    } else {
        TerminalInput::Quiet
    }
}

/// Fault injection for the end-to-end test of the panic path: the failpoint `board-panic-key`
/// (`FAILPOINTS=board-panic-key=return(~)`) names a key that makes the board panic. Failpoints
/// exist only in test builds (the `failpoints` feature); release builds have none.
fn injected_panic_key() -> Option<char> {
    fail::fail_point!("board-panic-key", |key: Option<String>| key
        .and_then(|k| k.chars().next()));
    None
}

/// True for Ctrl-Z, which suspends the board in any mode (in raw mode it is a key, not SIGTSTP).
fn is_suspend(ev: &Event) -> bool {
    matches!(ev, Event::Key(k) if k.kind == KeyEventKind::Press
        && k.modifiers.contains(event::KeyModifiers::CONTROL)
        && matches!(k.code, event::KeyCode::Char('z' | 'Z')))
}

/// Ctrl-Z: gives the terminal back to the shell and stops, as any Unix program does; `fg` brings
/// the board back, redrawn whole (the size may have changed meanwhile). A board that no shell
/// with job control started (`ssh -t host jiban board`, where it leads its own session) could
/// never be resumed, so it stays and says why. An open form stays open; its draft is on disk.
fn suspend(app: &mut App) -> io::Result<()> {
    // SAFETY: getpgrp and getsid only read the process's ids.
    let (group, session) = unsafe { (libc::getpgrp(), libc::getsid(0)) };
    if group == session {
        let msg = app.settings().lang.says("no_job_control");
        app.set_status(msg, false);
        app.mark_dirty();
        return Ok(());
    }
    tracing::info!("suspended (Ctrl-Z)");
    restore();
    // SAFETY: SIGTSTP keeps its default action (stop); raise returns once SIGCONT resumes us.
    unsafe {
        libc::raise(libc::SIGTSTP);
    }
    tracing::info!("resumed");
    enable_raw_mode()?;
    enter_screen()?;
    app.handle(Action::Redraw);
    Ok(())
}

/// Runs the board in the terminal until it quits.
pub fn run(mut app: App) -> anyhow::Result<()> {
    let panic_key = injected_panic_key();
    let _guard = TerminalGuard::enter()?;
    let mut terminal = BoardTerminal::new(io::stdout())?;
    let size = terminal.terminal.size()?;
    app.handle(Action::Resize(size.width, size.height));
    let clock = app.service().clock().clone();
    let mut minute = clock.now().timestamp().div_euclid(60);
    loop {
        draw(&mut terminal, &mut app)?;
        if app.should_quit() || STOP.load(Ordering::SeqCst) {
            break;
        }
        let now = clock.now();
        let to_tick = 60_000 - now.timestamp_millis().rem_euclid(60_000);
        let wait = match app.loading() {
            true => Duration::ZERO,
            false => POLL.min(Duration::from_millis(to_tick as u64 + 5)),
        };
        let ready = match terminal_input(wait) {
            TerminalInput::HungUp => {
                tracing::info!("the terminal hung up");
                break;
            }
            // Resizes reach crossterm through its own signal pipe, not stdin: look every turn.
            TerminalInput::Ready | TerminalInput::Quiet => event::poll(Duration::ZERO)?,
        };
        if ready {
            while {
                let ev = event::read()?;
                if let (Event::Key(k), Some(c)) = (&ev, panic_key) {
                    if k.code == event::KeyCode::Char(c) {
                        panic!("injected panic (failpoint board-panic-key)");
                    }
                }
                if is_suspend(&ev) {
                    suspend(&mut app)?;
                } else if let Some(a) = translate(&mut app, ev) {
                    app.handle(a);
                }
                !app.should_quit() && event::poll(Duration::ZERO)?
            } {}
        }
        app.pump();
        let m = clock.now().timestamp().div_euclid(60);
        if m != minute {
            minute = m;
            app.handle(Action::Tick);
        }
    }
    tracing::info!("board closed");
    Ok(())
}
