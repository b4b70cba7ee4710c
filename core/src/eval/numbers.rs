//! The one number policy of every getter (documented in `tests/conformance/README.md`, "Numbers").
//!
//! * A requested usage that is NaN or ±Infinity is **invalid input**: the getter returns its fallback
//!   (the reason is the chosen fallback's, `Unknown`), checked before the state is looked at — like the
//!   official `getEntitlementV2` parameter validation, which answers with the fallback before any fetch.
//! * A negative requested usage (and `-0`) counts as `0`: a check cannot free usage. The result echoes the
//!   value the decision used (`0`).
//! * Huge finite values are compared normally (`1e308 + 1` overflows to `+inf` and is denied).
//! * `current + requested <= limit` is compared with a relative tolerance of `1e-9 · max(1, |limit|)` so
//!   that decimal fractions (`0.1 + 0.2` against `0.3`) are granted. A null limit is `0`; a negative limit
//!   denies every request.

/// The requested usage was NaN or infinite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidNumber;

/// Normalizes a requested usage: `None` → `0`, negative → `0`, NaN/±inf → [`InvalidNumber`].
#[inline]
pub fn requested_usage(raw: Option<f64>) -> Result<f64, InvalidNumber> {
    match raw {
        None => Ok(0.0),
        Some(r) if !r.is_finite() => Err(InvalidNumber),
        // `r <= 0.0` also maps -0.0 to +0.0, which serializes as `0.0`, not `-0.0`.
        Some(r) if r <= 0.0 => Ok(0.0),
        Some(r) => Ok(r),
    }
}

/// The relative tolerance of limit comparisons.
pub const RELATIVE_TOLERANCE: f64 = 1e-9;

/// True when `current + requested` fits within `limit` (tolerance as documented above). NaN never fits.
#[inline]
pub fn fits(current: f64, requested: f64, limit: f64) -> bool {
    let total = current + requested;
    let tolerance = RELATIVE_TOLERANCE * limit.abs().max(1.0);
    // A negative limit denies everything, even a request of 0 on no usage.
    limit >= 0.0 && total <= limit + tolerance
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requested_usage_policy() {
        assert_eq!(requested_usage(None), Ok(0.0));
        assert_eq!(requested_usage(Some(-5.0)), Ok(0.0));
        assert!(requested_usage(Some(-0.0)).is_ok_and(|v| v.is_sign_positive()));
        assert_eq!(requested_usage(Some(f64::NAN)), Err(InvalidNumber));
        assert_eq!(requested_usage(Some(f64::INFINITY)), Err(InvalidNumber));
        assert_eq!(requested_usage(Some(f64::NEG_INFINITY)), Err(InvalidNumber));
        assert_eq!(requested_usage(Some(1e308)), Ok(1e308));
    }

    #[test]
    fn fits_policy() {
        assert!(fits(0.1, 0.2, 0.3));
        assert!(fits(10.0, 0.0, 10.0));
        assert!(!fits(10.0, 1.0, 10.0));
        assert!(!fits(0.0, 0.0, -1.0));
        assert!(!fits(1e308, 1e308, 1e308));
        assert!(!fits(f64::NAN, 0.0, 10.0));
        assert!(fits(0.0, 1e308, 1e308));
    }
}
