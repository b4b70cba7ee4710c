//! Pure decision rules of entitlement checks (spec §4.2, §4.4, §4.5).
//!
//! No I/O and no clock: `now` (epoch ms, UTC) is always an argument. `state: None` means "the state
//! could not be obtained" (network failure, offline) and yields the fallback; `state: Some` is decided by
//! the rules, documented per module and in `tests/conformance/README.md`:
//! [`numbers`] (the one number policy), [`period`] (roll-over), `feature` (rule order and typed getters),
//! `credit` (wallets), `fallback` (choice and shapes), `generic` (`getEntitlement`, V2, lists).
//!
//! Every function here is total: no panics, whatever the inputs.

mod credit;
mod fallback;
mod feature;
mod generic;
pub mod numbers;
pub mod period;

use crate::model::{CreditEntitlementFallback, CustomerState, EntitlementFallback, Millis};

pub use credit::credit;
pub use fallback::{choose_fallback, fallback_state_v2};
pub use feature::{boolean, enumeration, metered, numeric};
pub use generic::{entitlement, entitlement_v2, entitlements_state_v2};

/// Options of the generic reads (`getEntitlement`, `getEntitlementV2`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EntitlementOptions {
    /// Usage the check asks about (metered features, credits).
    pub requested_usage: Option<f64>,
    /// Values the check asks about (enum features).
    pub requested_values: Option<Vec<String>>,
    /// Per-call feature fallback.
    pub fallback: Option<EntitlementFallback>,
    /// Per-call credit fallback (`getEntitlementV2` with a `currencyId`).
    pub credit_fallback: Option<CreditEntitlementFallback>,
}

/// What `getEntitlementV2` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntitlementTarget<'a> {
    /// A feature, by feature id.
    Feature(&'a str),
    /// A credit wallet, by currency id.
    Credit(&'a str),
    /// Both or neither of `featureId`/`currencyId` were given.
    Invalid,
}

impl<'a> EntitlementTarget<'a> {
    /// The target of `getEntitlementV2` params; an empty id counts as absent (as the official SDK).
    pub fn from_ids(feature_id: Option<&'a str>, currency_id: Option<&'a str>) -> Self {
        match (
            feature_id.filter(|s| !s.is_empty()),
            currency_id.filter(|s| !s.is_empty()),
        ) {
            (Some(f), None) => EntitlementTarget::Feature(f),
            (None, Some(c)) => EntitlementTarget::Credit(c),
            _ => EntitlementTarget::Invalid,
        }
    }
}

/// True when any entitlement of the state has `validUntil <= now`: the state must be refetched.
/// Expiry never denies access by itself.
#[inline]
pub fn is_expired(state: &CustomerState, now: Millis) -> bool {
    state.valid_until().is_some_and(|v| v <= now)
}
