//! The domain: every rule of 接诉即办, free of storage and terminal. Nothing here imports sled,
//! tokio or ratatui; the current time is always an argument.

pub mod calendar;
pub mod calendar_file;
pub mod case;
pub mod chasing;
pub mod clock;
pub mod command;
pub mod config;
pub mod deadlines;
pub mod event;
pub mod intake;
pub mod json;
pub mod lifecycle;
pub mod light;
pub mod lookback;
pub mod metrics;
pub mod org;
pub mod period;
pub mod permissions;
pub mod privacy;
pub mod repeat;
pub mod report;
pub mod responsibility;
pub mod rules;
pub mod summary;
#[cfg(test)]
pub mod testkit;
pub mod users;
pub mod warning;

/// A fixture file that cannot be used, naming the file, where in it, and why.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    /// Not valid TOML, or a field of the wrong type.
    #[error("{file}: {message}")]
    Parse {
        /// The file.
        file: String,
        /// The parser's message, with line and column.
        message: String,
    },
    /// Parsed, but breaks a rule.
    #[error("{file}: {at}: {reason}")]
    Invalid {
        /// The file.
        file: String,
        /// Where in the file (entry and field).
        at: String,
        /// Why.
        reason: String,
    },
    /// A calendar file is wrong.
    #[error(transparent)]
    Calendar(#[from] calendar::CalendarError),
}

impl FixtureError {
    /// Wraps a TOML parse error for `file`.
    pub fn parse(file: &str, e: toml::de::Error) -> Self {
        FixtureError::Parse {
            file: file.to_string(),
            message: e.to_string().trim_end().to_string(),
        }
    }
}

/// The 1-based line of `text` a TOML parse error points at (1 when it points nowhere).
pub fn toml_error_line(text: &str, e: &toml::de::Error) -> usize {
    let at = e.span().map_or(0, |s| s.start.min(text.len()));
    text.as_bytes()[..at]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}
