//! Random identifiers (offline measurement ids, SDK instance ids) without a dependency.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

/// A 21-character URL-safe random id, like the nanoids of the official SDK.
///
/// Not for secrets: the randomness is the process's hash seed mixed with a counter and the time.
pub fn new_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let seed = RandomState::new();
    let mut out = String::with_capacity(21);
    let mut word = 0u64;
    let mut bits = 0u32;
    let mut round = 0u64;
    while out.len() < 21 {
        if bits < 6 {
            let mut h = seed.build_hasher();
            h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
            h.write_u64(round);
            h.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos())
                    .unwrap_or(0),
            );
            word = h.finish();
            bits = 64;
            round += 1;
        }
        out.push(char::from(ALPHABET[(word & 63) as usize]));
        word >>= 6;
        bits -= 6;
    }
    out
}

#[cfg(test)]
mod tests {
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
