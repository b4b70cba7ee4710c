//! Credit wallets (spec §4.2 "Credits", 4.x).
//!
//! Rules, first match wins: invalid requested amount (NaN/±inf) → the fallback; state unavailable → the
//! fallback; customer-level reason; no wallet for the currency → non-fallback denied
//! `NoFeatureEntitlementInSubscription` (one rule with features; `currency{currencyId}`, zeros); the
//! wallet's server reason; soft limit ∨ `currentUsage + requested <= usageLimit` (i.e. `remaining >=
//! requested`, tolerance per [`super::numbers`]; requested defaults to 0) else `InsufficientCredits`.
//! `remaining = usageLimit − currentUsage` (may be negative). Wallets are not rolled over (the wire gives
//! them no anchor or reset period); `usagePeriodEnd` is reported as cached.

use std::sync::Arc;

use crate::model::{
    AccessDeniedReason, CreditEntitlement, CreditEntitlementFallback, CreditRecord, CurrencyInfo,
    CustomerState, Millis,
};

use super::feature::{customer_reason, missing_reason};
use super::{fallback, numbers};

pub(crate) fn credit_result(
    state: &CustomerState,
    rec: &CreditRecord,
    requested: f64,
) -> CreditEntitlement {
    let reason = customer_reason(state)
        .or_else(|| rec.access_denied_reason.clone())
        .or_else(|| {
            (!(rec.has_soft_limit
                || numbers::fits(rec.usage.current_usage, requested, rec.usage_limit)))
            .then_some(AccessDeniedReason::InsufficientCredits)
        });
    CreditEntitlement {
        has_access: reason.is_none(),
        is_fallback: false,
        access_denied_reason: reason,
        currency: Arc::clone(&rec.currency),
        usage_limit: rec.usage_limit,
        current_usage: rec.usage.current_usage,
        remaining: rec.usage_limit - rec.usage.current_usage,
        usage_period_end: rec.usage.usage_period_end,
        has_soft_limit: rec.has_soft_limit,
        requested_usage: requested,
    }
}

/// Decides a credit read on a state; `Err` when the fallback applies (invalid amount or no state).
pub(crate) fn decide_credit(
    state: Option<&CustomerState>,
    currency_id: &str,
    requested_usage: Option<f64>,
) -> Option<CreditEntitlement> {
    let requested = numbers::requested_usage(requested_usage).ok()?;
    let state = state?;
    Some(match state.credit(currency_id) {
        Some(rec) => credit_result(state, rec, requested),
        None => CreditEntitlement {
            has_access: false,
            is_fallback: false,
            access_denied_reason: Some(missing_reason(state)),
            currency: Arc::new(CurrencyInfo::bare(currency_id)),
            usage_limit: 0.0,
            current_usage: 0.0,
            remaining: 0.0,
            usage_period_end: None,
            has_soft_limit: false,
            requested_usage: requested,
        },
    })
}

/// `getCreditEntitlement`. Uses only its per-call fallback (spec §4.4), never the configured one.
pub fn credit(
    state: Option<&CustomerState>,
    currency_id: &str,
    requested_usage: Option<f64>,
    fallback: Option<&CreditEntitlementFallback>,
    _now: Millis,
) -> CreditEntitlement {
    decide_credit(state, currency_id, requested_usage).unwrap_or_else(|| {
        fallback::credit(
            currency_id,
            fallback,
            requested_usage,
            AccessDeniedReason::Unknown,
        )
    })
}
