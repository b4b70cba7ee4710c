//! Retry and backoff policies of the two transports (spec §1.3, §1.4).
//!
//! GraphQL (Apollo `RetryLink` in the Node SDK): up to 5 tries in all, delay `min(500 ms·2^n, 2 s)` with
//! full jitter; each try has its own timeout. Edge (axios-retry): up to 3 retries, delay
//! `max(2 s·2^n, Retry-After) + 0–20 %` for n = 1, 2, 3, and every try shares one timeout budget.
//!
//! What is retried differs from Node in one deliberate way: Node retries HTTP 401/403 five times; a bad
//! key does not get better, so we do not retry them (they raise `apiKeyInvalid` at once).

use std::time::Duration;

/// How one transport retries.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first try (GraphQL 4, Edge 3).
    pub max_retries: u32,
    /// Base delay: GraphQL 500 ms, Edge 2 s.
    pub base_delay: Duration,
    /// Upper bound of the computed delay (before Retry-After).
    pub max_delay: Duration,
    /// Edge style (`base·2^(n)` from n=1, + 0–20 % jitter, shared budget) instead of Apollo style
    /// (`min(base·2^(n-1), max)`, full jitter, timeout per try).
    pub edge_style: bool,
}

impl RetryPolicy {
    /// The GraphQL policy of the official SDK.
    pub fn graphql() -> Self {
        RetryPolicy {
            max_retries: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(2),
            edge_style: false,
        }
    }

    /// The Edge policy of the official SDK.
    pub fn edge() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(16),
            edge_style: true,
        }
    }

    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..Self::graphql()
        }
    }

    /// The delay before retry number `retry` (1-based), given a uniform random `unit` in [0, 1) and
    /// the server's `Retry-After`, if any.
    pub fn delay(&self, retry: u32, unit: f64, retry_after: Option<Duration>) -> Duration {
        let unit = if unit.is_finite() {
            unit.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let exp = 2u32.saturating_pow(if self.edge_style {
            retry
        } else {
            retry.saturating_sub(1)
        });
        let computed = self.base_delay.saturating_mul(exp).min(self.max_delay);
        if self.edge_style {
            let base = computed.max(retry_after.unwrap_or_default());
            base + base.mul_f64(0.2 * unit)
        } else {
            computed.mul_f64(unit).max(retry_after.unwrap_or_default())
        }
    }
}

/// Parses a `Retry-After` header: delay-seconds (HTTP dates are not used by Stigg and are ignored).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let secs: f64 = value.trim().parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(3600.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graphql_delays_grow_to_two_seconds_with_full_jitter() {
        let p = RetryPolicy::graphql();
        assert_eq!(p.delay(1, 0.999_999, None).as_millis(), 499);
        assert_eq!(p.delay(3, 0.999_999, None).as_millis(), 1999);
        assert_eq!(p.delay(4, 0.5, None), Duration::from_secs(1));
        assert_eq!(
            p.delay(2, 0.0, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
    }

    #[test]
    fn edge_delays_are_4_8_16_seconds_plus_up_to_20_percent() {
        let p = RetryPolicy::edge();
        assert_eq!(p.delay(1, 0.0, None), Duration::from_secs(4));
        assert_eq!(p.delay(2, 0.0, None), Duration::from_secs(8));
        assert_eq!(p.delay(3, 0.5, None), Duration::from_millis(17_600));
        assert_eq!(
            p.delay(1, 0.0, Some(Duration::from_secs(10))),
            Duration::from_secs(10)
        );
    }

    #[test]
    fn retry_after_parses_seconds_only() {
        assert_eq!(parse_retry_after("2"), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after(" 0.5 "), Some(Duration::from_millis(500)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }
}
