//! What one client, one OS user, or a flood of them may cost the server: open file descriptors,
//! connections per OS user and in total, and lines in the log.
//!
//! The server raises its soft file-descriptor limit to the hard one at start, keeps a margin of
//! descriptors for the store and its own work, and refuses connections past the caps with a
//! clear reason instead of failing in odd places (an exhausted descriptor table once made
//! `getpwuid` fail and every user was told "uid 0 has no user name").

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Descriptors kept for the store, the log and the runtime, never given to connections.
pub const FD_MARGIN: u64 = 64;

/// Default cap on connections from one OS user (a dispatcher's boards, CLI calls and watches).
pub const PER_USER: usize = 64;

/// Default cap on all connections.
pub const TOTAL: usize = 4096;

/// Raises the soft limit on open files to the hard limit (at most 1,048,576); returns the soft
/// limit in force.
pub fn raise_fd_limit() -> u64 {
    // SAFETY: getrlimit/setrlimit on a struct we own.
    unsafe {
        let mut r: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut r) != 0 {
            return 1024;
        }
        let want = r.rlim_max.min(1 << 20);
        if r.rlim_cur < want {
            let raised = libc::rlimit {
                rlim_cur: want,
                rlim_max: r.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                return want as u64;
            }
        }
        r.rlim_cur as u64
    }
}

/// The connection caps in force.
#[derive(Debug, Clone, Copy)]
pub struct Caps {
    /// Per OS user.
    pub per_user: usize,
    /// In total.
    pub total: usize,
}

impl Caps {
    /// The configured caps, the total kept below the descriptor limit less [`FD_MARGIN`].
    pub fn within(per_user: usize, total: usize, fd_limit: u64) -> Caps {
        let room = fd_limit.saturating_sub(FD_MARGIN).max(1) as usize;
        Caps {
            per_user: per_user.max(1),
            total: total.clamp(1, room),
        }
    }
}

/// Open connections, per OS uid and in total.
#[derive(Default)]
pub struct Census {
    open: Mutex<(usize, HashMap<u32, usize>)>,
}

/// Held by a connection while it is open; counts it out when dropped.
pub struct Admitted {
    census: Arc<Census>,
    uid: u32,
}

impl Census {
    /// Counts a connection from `uid` in, or says why it is refused.
    pub fn admit(self: &Arc<Self>, uid: u32, caps: Caps) -> Result<Admitted, String> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if open.0 >= caps.total {
            return Err(format!(
                "the server has {} connections open, its limit; try again shortly",
                open.0
            ));
        }
        let mine = open.1.entry(uid).or_default();
        if *mine >= caps.per_user {
            return Err(format!(
                "your OS user has {mine} connections open to this server, the limit per user; close some boards or scripts"
            ));
        }
        *mine += 1;
        open.0 += 1;
        Ok(Admitted {
            census: self.clone(),
            uid,
        })
    }

    /// Connections open now.
    pub fn total(&self) -> usize {
        self.open.lock().unwrap_or_else(|e| e.into_inner()).0
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut open = self.census.open.lock().unwrap_or_else(|e| e.into_inner());
        open.0 = open.0.saturating_sub(1);
        if let Some(n) = open.1.get_mut(&self.uid) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.1.remove(&self.uid);
            }
        }
    }
}

/// At most `per_window` lines of one kind per window; the rest are counted and summed up in the
/// next line that gets through.
pub struct LogLimit {
    /// The current window's start and lines so far, and lines suppressed since the last one.
    state: Mutex<(Option<Instant>, u32, u64)>,
    per_window: u32,
    window: Duration,
}

impl LogLimit {
    /// A limit of `per_window` lines per `window`.
    pub const fn new(per_window: u32, window: Duration) -> LogLimit {
        LogLimit {
            state: Mutex::new((None, 0, 0)),
            per_window,
            window,
        }
    }

    /// Whether to log now; when yes, how many lines were suppressed since the last one.
    pub fn allow(&self) -> Option<u64> {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if s.0
            .is_none_or(|start| now.duration_since(start) >= self.window)
        {
            s.0 = Some(now);
            s.1 = 0;
        }
        if s.1 < self.per_window {
            s.1 += 1;
            Some(std::mem::take(&mut s.2))
        } else {
            s.2 += 1;
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_refuse_past_the_limits_and_count_out_on_drop() {
        let census = Arc::new(Census::default());
        let caps = Caps {
            per_user: 2,
            total: 3,
        };
        let a = census.admit(1000, caps).expect("first");
        let _b = census.admit(1000, caps).expect("second");
        let refused = census.admit(1000, caps).err().expect("third refused");
        assert!(refused.contains("limit per user"), "{refused}");
        let _c = census.admit(1001, caps).expect("another user");
        assert!(census
            .admit(1002, caps)
            .err()
            .expect("total")
            .contains("its limit"));
        drop(a);
        assert_eq!(census.total(), 2);
        assert!(census.admit(1000, caps).is_ok());
    }

    #[test]
    fn caps_stay_below_the_descriptor_limit() {
        assert_eq!(
            Caps::within(64, 4096, 1024).total,
            1024 - FD_MARGIN as usize
        );
        assert_eq!(Caps::within(64, 100, 1 << 20).total, 100);
    }

    #[test]
    fn repeated_lines_are_limited_and_counted() {
        let limit = LogLimit::new(2, Duration::from_secs(3600));
        assert_eq!(limit.allow(), Some(0));
        assert_eq!(limit.allow(), Some(0));
        assert_eq!(limit.allow(), None);
        assert_eq!(limit.allow(), None);
    }
}
