//! The injectable clock: real time, or a simulated one for tests and training.

use chrono::{DateTime, Utc};
use std::sync::Mutex;
use std::time::Instant;

/// Where the current time comes from.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
    /// True when the time is simulated (the board marks it).
    fn is_simulated(&self) -> bool;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
    fn is_simulated(&self) -> bool {
        false
    }
}

/// A simulated clock that starts at a chosen time and then runs with real time (for training), or
/// stands still until moved (for tests).
#[derive(Debug)]
pub struct SimulatedClock {
    state: Mutex<(DateTime<Utc>, Option<Instant>)>,
}

impl SimulatedClock {
    /// A clock that stands at `at` until set or advanced.
    pub fn fixed(at: DateTime<Utc>) -> Self {
        SimulatedClock {
            state: Mutex::new((at, None)),
        }
    }
    /// A clock that starts at `at` and runs with real time.
    pub fn running_from(at: DateTime<Utc>) -> Self {
        SimulatedClock {
            state: Mutex::new((at, Some(Instant::now()))),
        }
    }
    /// Moves the clock to `at`.
    pub fn set(&self, at: DateTime<Utc>) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.0 = at;
        if s.1.is_some() {
            s.1 = Some(Instant::now());
        }
    }
    /// Moves the clock forward.
    pub fn advance(&self, by: chrono::Duration) {
        let now = self.now();
        self.set(now + by);
    }
}

impl Clock for SimulatedClock {
    fn now(&self) -> DateTime<Utc> {
        let s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match s.1 {
            Some(started) => {
                s.0 + chrono::Duration::from_std(started.elapsed())
                    .unwrap_or_else(|_| chrono::Duration::zero())
            }
            None => s.0,
        }
    }
    fn is_simulated(&self) -> bool {
        true
    }
}

/// Another process's clock, seen from here: that clock's time at one moment, running on with
/// this machine's time. A board connected to a server shows the server's (perhaps simulated)
/// time this way.
#[derive(Debug, Clone, Copy)]
pub struct OffsetClock {
    offset: chrono::Duration,
    simulated: bool,
}

impl OffsetClock {
    /// A clock that reads `then` now and runs on from there.
    pub fn to(then: DateTime<Utc>, simulated: bool) -> Self {
        OffsetClock {
            offset: then - Utc::now(),
            simulated,
        }
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset
    }
    fn is_simulated(&self) -> bool {
        self.simulated
    }
}
