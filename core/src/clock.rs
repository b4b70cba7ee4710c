//! Where `now` comes from. Evaluation never reads the wall clock itself; the client asks its [`Clock`].

use std::sync::atomic::{AtomicI64, Ordering};

use crate::model::Millis;

/// A source of the current instant, in epoch milliseconds (UTC).
pub trait Clock: Send + Sync + 'static {
    /// The current instant.
    fn now_millis(&self) -> Millis;
}

/// The system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_millis(&self) -> Millis {
        let now = std::time::SystemTime::now();
        match now.duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
            Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
        }
    }
}

/// A clock that stands still until it is set: for tests and conformance vectors.
#[derive(Debug, Default)]
pub struct FixedClock(AtomicI64);

impl FixedClock {
    /// A clock fixed at `now`.
    pub fn new(now: Millis) -> Self {
        FixedClock(AtomicI64::new(now))
    }

    /// Moves the clock to `now`.
    pub fn set(&self, now: Millis) {
        self.0.store(now, Ordering::Relaxed);
    }
}

impl Clock for FixedClock {
    fn now_millis(&self) -> Millis {
        self.0.load(Ordering::Relaxed)
    }
}
