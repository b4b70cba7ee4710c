//! Randomness without a dependency: identifiers (offline measurement ids, SDK instance ids) and the
//! jitter of retries, reconnects and lock attempts. Not for secrets: the randomness is the process's
//! hash seed mixed with a counter and the time.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

/// A random 64-bit word (hash seed + counter + time).
pub(crate) fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.finish()
}

/// A uniform random number in `[0, 1)`, for jitter.
pub(crate) fn random_unit() -> f64 {
    (random_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// A 21-character URL-safe random id, like the nanoids of the official SDK.
pub fn new_id() -> String {
    let mut out = String::with_capacity(21);
    while out.len() < 21 {
        let mut word = random_u64();
        for _ in 0..10 {
            if out.len() == 21 {
                break;
            }
            out.push(char::from(ALPHABET[(word & 63) as usize]));
            word >>= 6;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn random_units_are_in_range_and_vary() {
        let draws: Vec<f64> = (0..100).map(|_| super::random_unit()).collect();
        assert!(draws.iter().all(|u| (0.0..1.0).contains(u)));
        assert!(draws.windows(2).any(|w| w[0] != w[1]));
    }

    #[test]
    fn ids_are_21_url_safe_chars_and_distinct() {
        let a = super::new_id();
        let b = super::new_id();
        assert_eq!(a.len(), 21);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-'));
        assert_ne!(a, b);
    }
}
