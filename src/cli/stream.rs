//! Reading a large input a line at a time (intake files, `act --batch`): bounded memory whatever
//! the file's size, a line that is not UTF-8 reported by number, and a progress bar on a
//! terminal.

use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal, Read};

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};

/// The longest line read whole; a longer one is reported and skipped (1 MiB: far beyond any
/// case, and well inside one frame to the server).
pub const MAX_LINE: usize = 1 << 20;

/// The most input bytes one batch carries to the engine (a frame to the server holds 4 MiB).
pub const MAX_BATCH_BYTES: usize = 2 << 20;

/// One input line.
pub enum Line {
    /// Its text.
    Text(String),
    /// Why it cannot be read.
    Bad(String),
}

/// A file or standard input, read a line at a time.
pub struct Lines {
    reader: Box<dyn BufRead>,
    number: usize,
    progress: ProgressBar,
    buf: Vec<u8>,
}

impl Lines {
    /// Opens `FILE` or `-` (standard input). A progress bar is drawn on stderr when it is a
    /// terminal: by bytes for a file, a spinner for standard input.
    pub fn open(file: &str) -> anyhow::Result<Lines> {
        let (reader, len): (Box<dyn Read>, Option<u64>) = if file == "-" {
            (Box::new(std::io::stdin()), None)
        } else {
            let f = File::open(file).with_context(|| format!("reading {file}"))?;
            let len = f.metadata().ok().map(|m| m.len());
            (Box::new(f), len)
        };
        let progress = if std::io::stderr().is_terminal() {
            match len {
                Some(n) => ProgressBar::new(n).with_style(
                    ProgressStyle::with_template(
                        "{bar:30} {bytes}/{total_bytes} {bytes_per_sec} eta {eta} {msg}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
                ),
                None => ProgressBar::new_spinner(),
            }
        } else {
            ProgressBar::hidden()
        };
        Ok(Lines {
            reader: Box::new(BufReader::with_capacity(1 << 20, reader)),
            number: 0,
            progress,
            buf: Vec::new(),
        })
    }

    /// The progress bar (to print a message above it, or to finish it).
    pub fn progress(&self) -> &ProgressBar {
        &self.progress
    }

    /// The next non-blank line and its number (from 1), or `None` at the end.
    pub fn next_line(&mut self) -> anyhow::Result<Option<(usize, Line)>> {
        loop {
            self.buf.clear();
            let n = (&mut self.reader)
                .take(MAX_LINE as u64 + 1)
                .read_until(b'\n', &mut self.buf)
                .context("reading the input")?;
            if n == 0 {
                return Ok(None);
            }
            self.number += 1;
            self.progress.inc(n as u64);
            if self.buf.len() > MAX_LINE {
                // Skip the rest of the over-long line.
                while !self.buf.ends_with(b"\n") {
                    self.buf.clear();
                    let m = (&mut self.reader)
                        .take(MAX_LINE as u64)
                        .read_until(b'\n', &mut self.buf)?;
                    self.progress.inc(m as u64);
                    if m == 0 {
                        break;
                    }
                }
                let why = format!("line {}: longer than {MAX_LINE} bytes", self.number);
                return Ok(Some((self.number, Line::Bad(why))));
            }
            let text = match std::str::from_utf8(&self.buf) {
                Ok(t) => t.trim_end_matches(['\n', '\r']),
                Err(e) => {
                    let why = format!(
                        "line {}: not UTF-8 text (invalid byte at column {})",
                        self.number,
                        e.valid_up_to() + 1
                    );
                    return Ok(Some((self.number, Line::Bad(why))));
                }
            };
            if text.trim().is_empty() {
                continue;
            }
            return Ok(Some((self.number, Line::Text(text.to_string()))));
        }
    }
}
