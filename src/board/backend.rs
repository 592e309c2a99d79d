//! The crossterm backend, taught that Chinese characters are two columns wide. ratatui's own
//! moves the cursor again after every double-width character, because it expects the next cell
//! one column on; over SSH those moves were a third of a full frame of Chinese text. This one
//! moves only when the next cell is not where the terminal's cursor already is. Everything else
//! is crossterm's.

use std::io::{self, Write};

use ratatui::backend::{Backend, ClearType, CrosstermBackend, IntoCrossterm, WindowSize};
use ratatui::buffer::Cell;
use ratatui::crossterm::cursor::MoveTo;
use ratatui::crossterm::queue;
use ratatui::crossterm::style::{
    Attribute, Color as CColor, Colors, Print, SetAttribute, SetBackgroundColor, SetColors,
    SetForegroundColor, SetUnderlineColor,
};
use ratatui::layout::{Position, Size};
use ratatui::style::{Color, Modifier};
use unicode_width::UnicodeWidthStr;

/// Crossterm over a writer, drawing double-width characters without extra cursor moves.
pub struct WideBackend<W: Write> {
    inner: CrosstermBackend<W>,
}

impl<W: Write> WideBackend<W> {
    /// A backend writing to `w`.
    pub fn new(w: W) -> Self {
        WideBackend {
            inner: CrosstermBackend::new(w),
        }
    }
}

impl<W: Write> Write for WideBackend<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Write::flush(&mut self.inner)
    }
}

/// A cell's symbol without control or bidi characters ([`crate::text::is_unsafe`]); a cell left
/// empty by that prints a space, so columns stay where ratatui put them.
fn safe_symbol(symbol: &str) -> std::borrow::Cow<'_, str> {
    if !symbol.chars().any(crate::text::is_unsafe) {
        return std::borrow::Cow::Borrowed(symbol);
    }
    let kept: String = symbol
        .chars()
        .filter(|c| !crate::text::is_unsafe(*c))
        .collect();
    std::borrow::Cow::Owned(if kept.is_empty() { " ".into() } else { kept })
}

fn queue_modifiers<W: Write>(w: &mut W, from: Modifier, to: Modifier) -> io::Result<()> {
    let removed = from - to;
    let added = to - from;
    if removed.contains(Modifier::REVERSED) {
        queue!(w, SetAttribute(Attribute::NoReverse))?;
    }
    let reset_intensity = removed.intersects(Modifier::BOLD | Modifier::DIM);
    if reset_intensity {
        queue!(w, SetAttribute(Attribute::NormalIntensity))?;
        if to.contains(Modifier::DIM) {
            queue!(w, SetAttribute(Attribute::Dim))?;
        }
        if to.contains(Modifier::BOLD) {
            queue!(w, SetAttribute(Attribute::Bold))?;
        }
    }
    for (m, off) in [
        (Modifier::ITALIC, Attribute::NoItalic),
        (Modifier::UNDERLINED, Attribute::NoUnderline),
        (Modifier::CROSSED_OUT, Attribute::NotCrossedOut),
        (Modifier::HIDDEN, Attribute::NoHidden),
    ] {
        if removed.contains(m) {
            queue!(w, SetAttribute(off))?;
        }
    }
    if removed.intersects(Modifier::SLOW_BLINK | Modifier::RAPID_BLINK) {
        queue!(w, SetAttribute(Attribute::NoBlink))?;
    }
    for (m, on) in [
        (Modifier::REVERSED, Attribute::Reverse),
        (Modifier::ITALIC, Attribute::Italic),
        (Modifier::UNDERLINED, Attribute::Underlined),
        (Modifier::CROSSED_OUT, Attribute::CrossedOut),
        (Modifier::HIDDEN, Attribute::Hidden),
        (Modifier::SLOW_BLINK, Attribute::SlowBlink),
        (Modifier::RAPID_BLINK, Attribute::RapidBlink),
    ] {
        if added.contains(m) {
            queue!(w, SetAttribute(on))?;
        }
    }
    if !reset_intensity {
        if added.contains(Modifier::BOLD) {
            queue!(w, SetAttribute(Attribute::Bold))?;
        }
        if added.contains(Modifier::DIM) {
            queue!(w, SetAttribute(Attribute::Dim))?;
        }
    }
    Ok(())
}

/// The basic SGR code of a named colour or the default (`31`, `91`, `39`; `+10` for a
/// background); none for an indexed or RGB colour.
fn basic_sgr(c: Color, background: bool) -> Option<u8> {
    let code = match c {
        Color::Reset => 39,
        Color::Black => 30,
        Color::Red => 31,
        Color::Green => 32,
        Color::Yellow => 33,
        Color::Blue => 34,
        Color::Magenta => 35,
        Color::Cyan => 36,
        Color::Gray => 37,
        Color::DarkGray => 90,
        Color::LightRed => 91,
        Color::LightGreen => 92,
        Color::LightYellow => 93,
        Color::LightBlue => 94,
        Color::LightMagenta => 95,
        Color::LightCyan => 96,
        Color::White => 97,
        Color::Indexed(_) | Color::Rgb(..) => return None,
    };
    Some(if background { code + 10 } else { code })
}

impl<W: Write> Backend for WideBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let w = &mut self.inner;
        let (mut fg, mut bg, mut ul) = (Color::Reset, Color::Reset, Color::Reset);
        let mut modifier = Modifier::empty();
        // Where the terminal's cursor is after the last character printed.
        let mut cursor: Option<(u16, u16)> = None;
        for (x, y, cell) in content {
            if cursor != Some((x, y)) {
                queue!(w, MoveTo(x, y))?;
            }
            // The last line of defence for user text: no control or bidi character is printed,
            // whichever widget put it in the cell.
            let symbol = safe_symbol(cell.symbol());
            let symbol = symbol.as_ref();
            cursor = Some((x.saturating_add(symbol.width() as u16), y));
            if cell.modifier != modifier {
                queue_modifiers(w, modifier, cell.modifier)?;
                modifier = cell.modifier;
            }
            if cell.fg != fg || cell.bg != bg {
                match (basic_sgr(cell.fg, false), basic_sgr(cell.bg, true)) {
                    // The 16 named colours as the basic codes (31, 91, 44 …) every terminal
                    // knows; crossterm would send 256-colour codes (38;5;9) for them.
                    (Some(f), Some(b)) => write!(w, "\x1b[{f};{b}m")?,
                    _ => queue!(
                        w,
                        SetColors(Colors::new(
                            cell.fg.into_crossterm(),
                            cell.bg.into_crossterm()
                        ))
                    )?,
                }
                (fg, bg) = (cell.fg, cell.bg);
            }
            if cell.underline_color != ul {
                queue!(w, SetUnderlineColor(cell.underline_color.into_crossterm()))?;
                ul = cell.underline_color;
            }
            queue!(w, Print(symbol))?;
        }
        queue!(
            w,
            SetForegroundColor(CColor::Reset),
            SetBackgroundColor(CColor::Reset),
            SetUnderlineColor(CColor::Reset),
            SetAttribute(Attribute::Reset),
        )
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        self.inner.hide_cursor()
    }
    /// Never fails: ratatui shows the cursor when its terminal is dropped and prints to stderr
    /// if that fails, which panics once an SSH session has dropped (stderr is gone too). The
    /// terminal guard restores the cursor on a live terminal anyway.
    fn show_cursor(&mut self) -> io::Result<()> {
        if let Err(e) = self.inner.show_cursor() {
            tracing::debug!(error = %e, "could not show the cursor (terminal gone?)");
        }
        Ok(())
    }
    fn get_cursor_position(&mut self) -> io::Result<Position> {
        self.inner.get_cursor_position()
    }
    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        self.inner.set_cursor_position(position)
    }
    fn clear(&mut self) -> io::Result<()> {
        self.inner.clear()
    }
    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.inner.clear_region(clear_type)
    }
    fn size(&self) -> io::Result<Size> {
        self.inner.size()
    }
    fn window_size(&mut self) -> io::Result<WindowSize> {
        self.inner.window_size()
    }
    fn flush(&mut self) -> io::Result<()> {
        Backend::flush(&mut self.inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    use ratatui::style::{Color, Style};
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Vec<u8>>>);
    impl Write for Capture {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn drawn(buf: &Buffer) -> String {
        let out = Capture::default();
        let mut b = WideBackend::new(out.clone());
        let empty = Buffer::empty(buf.area);
        b.draw(empty.diff(buf).into_iter()).unwrap();
        let bytes = out.0.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn named_colours_use_the_basic_codes_not_256_colour_ones() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 8, 1));
        buf.set_string(0, 0, "红", Style::default().fg(Color::LightRed));
        buf.set_string(
            2,
            0,
            "蓝",
            Style::default().fg(Color::Blue).bg(Color::Black),
        );
        buf.set_string(4, 0, "x", Style::default().fg(Color::Indexed(196)));
        let out = drawn(&buf);
        assert!(out.contains("\x1b[91;49m红"), "{out:?}");
        assert!(out.contains("\x1b[34;40m蓝"), "{out:?}");
        assert!(
            !out.contains("38;5;9") && !out.contains("38;5;12"),
            "{out:?}"
        );
        // An indexed colour still goes as one.
        assert!(out.contains("38;5;196"), "{out:?}");
    }

    #[test]
    fn chinese_text_is_drawn_with_one_cursor_move_per_run() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 20, 2));
        buf.set_string(1, 0, "崂山区·hrss·崂先办", Style::default());
        buf.set_string(3, 1, "办理中", Style::default());
        let out = drawn(&buf);
        assert_eq!(out.matches("\x1b[1;2H").count(), 1, "{out:?}");
        assert_eq!(out.matches("\x1b[2;4H").count(), 1, "{out:?}");
        assert_eq!(out.matches('H').count(), 2, "no other moves: {out:?}");
        assert!(out.contains("崂山区·hrss·崂先办"), "{out:?}");
        assert!(out.contains("办理中"), "{out:?}");
    }

    #[test]
    fn no_control_or_bidi_character_of_a_cell_reaches_the_terminal() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 12, 1));
        buf.set_string(0, 0, "楼道积水", Style::default());
        // A widget that writes cells directly bypasses ratatui's own filtering.
        buf[(8, 0)].set_symbol("a\u{202E}");
        buf[(9, 0)].set_symbol("\u{1b}]0;x\u{7}");
        buf[(10, 0)].set_symbol("\u{9b}");
        let out = drawn(&buf);
        assert!(!out.contains('\u{202E}'), "{out:?}");
        assert!(!out.contains('\u{9b}'), "{out:?}");
        assert!(
            !out.contains("\u{1b}]"),
            "an OSC sequence was printed: {out:?}"
        );
        assert!(!out.contains('\u{7}'), "{out:?}");
        assert!(out.contains("楼道积水a]0;x"), "{out:?}");
    }
}
