//! Reconnect delays: randomised exponential backoff like graphql-ws 5.x (`1 s·2^n` + random 0.3–3 s),
//! with the exponential part capped so an outage never stretches retries beyond about half a minute.

use std::time::Duration;

/// The reconnect policy: `delay(n) = min(base·2^n, max) + uniform(jitter_min..=jitter_max)`.
///
/// The jitter is added after the cap, so clients that lost the same server keep spreading their
/// reconnects even once every one of them is at the cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Exponential base of the first retry (graphql-ws: 1 s).
    pub base: Duration,
    /// Cap of the exponential part (30 s).
    pub max: Duration,
    /// Smallest random addition (graphql-ws: 300 ms).
    pub jitter_min: Duration,
    /// Largest random addition (graphql-ws: 3 s).
    pub jitter_max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base: Duration::from_secs(1),
            max: Duration::from_secs(30),
            jitter_min: Duration::from_millis(300),
            jitter_max: Duration::from_secs(3),
        }
    }
}

impl Backoff {
    /// A policy with no jitter and a fixed delay (tests).
    pub fn fixed(delay: Duration) -> Self {
        Backoff {
            base: delay,
            max: delay,
            jitter_min: Duration::ZERO,
            jitter_max: Duration::ZERO,
        }
    }

    /// The wait before retry number `attempt` (0 = the first retry after a loss).
    pub fn delay(&self, attempt: u32) -> Duration {
        self.delay_with(attempt, crate::ids::random_unit())
    }

    /// [`Backoff::delay`] with the random draw `unit` in `[0, 1]` given (deterministic tests).
    pub fn delay_with(&self, attempt: u32, unit: f64) -> Duration {
        let factor = 1u32 << attempt.min(20);
        let exp = self.base.saturating_mul(factor).min(self.max);
        let (lo, hi) = if self.jitter_min <= self.jitter_max {
            (self.jitter_min, self.jitter_max)
        } else {
            (self.jitter_max, self.jitter_min)
        };
        let unit = if unit.is_finite() {
            unit.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let jitter = lo + (hi - lo).mul_f64(unit);
        exp.saturating_add(jitter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_exponentially_then_cap_with_jitter_on_top() {
        let b = Backoff::default();
        assert_eq!(b.delay_with(0, 0.0), Duration::from_millis(1_300));
        assert_eq!(b.delay_with(0, 1.0), Duration::from_millis(4_000));
        assert_eq!(b.delay_with(1, 0.0), Duration::from_millis(2_300));
        assert_eq!(b.delay_with(3, 0.5), Duration::from_millis(8_000 + 1_650));
        assert_eq!(b.delay_with(5, 0.0), Duration::from_millis(30_300));
        assert_eq!(b.delay_with(u32::MAX, 1.0), Duration::from_secs(33));
        assert_eq!(b.delay_with(2, f64::NAN), Duration::from_millis(4_300));
    }

    #[test]
    fn random_delays_stay_in_bounds_and_vary() {
        let b = Backoff::default();
        let draws: Vec<Duration> = (0..200).map(|_| b.delay(0)).collect();
        assert!(draws
            .iter()
            .all(|d| *d >= Duration::from_millis(1_300) && *d <= Duration::from_secs(4)));
        let distinct: std::collections::BTreeSet<_> = draws.iter().collect();
        assert!(
            distinct.len() > 100,
            "jitter should vary: {}",
            distinct.len()
        );
    }

    #[test]
    fn fixed_policy_is_constant() {
        let b = Backoff::fixed(Duration::from_millis(50));
        assert_eq!(b.delay(0), Duration::from_millis(50));
        assert_eq!(b.delay(10), Duration::from_millis(50));
    }
}
