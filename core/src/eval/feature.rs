//! The decision rules of feature entitlements (spec §4.2) and the typed getters.
//!
//! Order of the rules, first match wins:
//! 1. invalid requested usage (NaN/±inf) → the fallback (see [`super::numbers`]);
//! 2. the state could not be obtained (`state: None`) → the fallback;
//! 3. the entitlement exists but is of another type than the getter → the fallback with
//!    `FeatureTypeMismatch` (`isFallback:true`); it wins over every rule below, even a server `Revoked`;
//! 4. a customer-level reason (`CustomerNotFound`, `CustomerIsArchived`, `NoActiveSubscription`, or a
//!    future one) denies with that reason, even next to a non-empty list (4.x behaviour);
//! 5. no entitlement for the feature → a non-fallback denied object, `NoFeatureEntitlementInSubscription`,
//!    zeros/empties, requested usage/values echoed;
//! 6. a period that ended with an unknown reset period → the fallback (metered only, see [`super::period`]);
//! 7. the entitlement's server `accessDeniedReason` denies with that reason (`isGranted` alone is not
//!    read, as in the official SDK);
//! 8. by type: BOOLEAN granted; ENUM granted iff every requested value is in `enumValues`
//!    (case-sensitive, duplicates fine, none/empty granted); NUMBER with meter `None` granted; any other
//!    NUMBER (metered, and the null/unknown-meter quirk) is decided by the metered comparison: unlimited ∨
//!    soft limit ∨ `current + requested <= limit` (null limit = 0) else `RequestedUsageExceedingLimit`.
//!    A credit-backed NUMBER feature (`creditRate`) whose wallet is in the state is decided by the wallet
//!    instead: wallet soft limit ∨ wallet `current + requested·rate <= limit` else `InsufficientCredits`
//!    (a wallet server reason wins) — inferred from the 4.x docs. A feature type this SDK does not know is
//!    decided by the server's `isGranted` (denied reason `Unknown`).
//!
//! `validUntil` never denies (see [`super::is_expired`]).

use std::sync::Arc;

use crate::model::{
    AccessDeniedReason, BooleanEntitlement, CustomerState, Entitlement, EntitlementFallback,
    EnumEntitlement, FeatureRecord, FeatureType, MeterType, MeteredEntitlement, Millis,
    NumericEntitlement, UsageData,
};

use super::{fallback, numbers, period};

/// The customer-level reason of a state, as an entitlement reason.
#[inline]
pub(crate) fn customer_reason(state: &CustomerState) -> Option<AccessDeniedReason> {
    state
        .access_denied_reason
        .as_ref()
        .map(|r| r.to_access_denied_reason())
}

/// The reason of a missing entitlement: the customer-level one, else `NoFeatureEntitlementInSubscription`.
#[inline]
pub(crate) fn missing_reason(state: &CustomerState) -> AccessDeniedReason {
    customer_reason(state).unwrap_or(AccessDeniedReason::NoFeatureEntitlementInSubscription)
}

/// The usage a read reports for `rec`: rolled over when the feature is metered.
#[inline]
pub(crate) fn usage_of(
    rec: &FeatureRecord,
    now: Millis,
) -> Result<UsageData, period::UnknownResetPeriod> {
    if rec.feature.is_metered() {
        period::roll_over(
            &rec.usage,
            rec.usage_period_anchor,
            rec.reset_period.as_ref(),
            rec.reset_period_configuration.as_ref(),
            now,
        )
    } else {
        Ok(rec.usage)
    }
}

/// Decides a found entitlement; `None` = granted. `requested` is already normalized.
pub(crate) fn decide(
    state: &CustomerState,
    rec: &FeatureRecord,
    usage: &UsageData,
    requested: f64,
    requested_values: Option<&[String]>,
) -> Option<AccessDeniedReason> {
    if let Some(r) = customer_reason(state) {
        return Some(r);
    }
    if let Some(r) = &rec.access_denied_reason {
        return Some(r.clone());
    }
    match &rec.feature.feature_type {
        FeatureType::Boolean => None,
        FeatureType::Enum => {
            let values = requested_values.unwrap_or(&[]);
            if values.iter().all(|v| rec.enum_values.contains(v)) {
                None
            } else {
                Some(AccessDeniedReason::RequestedValuesMismatch)
            }
        }
        FeatureType::Number => {
            if rec.feature.meter_type == Some(MeterType::None) {
                return None;
            }
            if let Some(rate) = &rec.credit_rate {
                if let Some(wallet) = state.credit(&rate.currency_id) {
                    if let Some(r) = &wallet.access_denied_reason {
                        return Some(r.clone());
                    }
                    let cost = numbers::requested_usage(Some(requested * rate.amount))
                        .unwrap_or(f64::INFINITY);
                    return if wallet.has_soft_limit
                        || numbers::fits(wallet.usage.current_usage, cost, wallet.usage_limit)
                    {
                        None
                    } else {
                        Some(AccessDeniedReason::InsufficientCredits)
                    };
                }
            }
            if rec.has_unlimited_usage
                || rec.has_soft_limit
                || numbers::fits(
                    usage.current_usage,
                    requested,
                    rec.usage_limit.unwrap_or(0.0),
                )
            {
                None
            } else {
                Some(AccessDeniedReason::RequestedUsageExceedingLimit)
            }
        }
        FeatureType::Other(_) => (!rec.is_granted).then_some(AccessDeniedReason::Unknown),
    }
}

pub(crate) fn boolean_result(
    rec: &FeatureRecord,
    reason: Option<AccessDeniedReason>,
) -> BooleanEntitlement {
    BooleanEntitlement {
        has_access: reason.is_none(),
        is_fallback: false,
        access_denied_reason: reason,
        feature: Some(Arc::clone(&rec.feature)),
    }
}

pub(crate) fn numeric_result(
    rec: &FeatureRecord,
    reason: Option<AccessDeniedReason>,
) -> NumericEntitlement {
    NumericEntitlement {
        has_access: reason.is_none(),
        is_fallback: false,
        access_denied_reason: reason,
        feature: Some(Arc::clone(&rec.feature)),
        value: rec.usage_limit,
        is_unlimited: rec.has_unlimited_usage,
    }
}

pub(crate) fn metered_result(
    rec: &FeatureRecord,
    usage: &UsageData,
    requested: f64,
    reason: Option<AccessDeniedReason>,
) -> MeteredEntitlement {
    MeteredEntitlement {
        has_access: reason.is_none(),
        is_fallback: false,
        access_denied_reason: reason,
        feature: Some(Arc::clone(&rec.feature)),
        usage_limit: rec.usage_limit,
        is_unlimited: rec.has_unlimited_usage,
        has_soft_limit: rec.has_soft_limit,
        current_usage: usage.current_usage,
        requested_usage: requested,
        reset_period: rec.reset_period.clone(),
        usage_period_anchor: rec.usage_period_anchor,
        usage_period_start: usage.usage_period_start,
        usage_period_end: usage.usage_period_end,
        next_reset_date: usage.usage_period_end,
    }
}

pub(crate) fn enum_result(
    rec: &FeatureRecord,
    requested_values: Option<Vec<String>>,
    reason: Option<AccessDeniedReason>,
) -> EnumEntitlement {
    EnumEntitlement {
        has_access: reason.is_none(),
        is_fallback: false,
        access_denied_reason: reason,
        feature: Some(Arc::clone(&rec.feature)),
        enum_values: Arc::clone(&rec.enum_values),
        requested_values,
    }
}

/// The typed result of a found entitlement, shaped by its feature (generic getters and lists):
/// BOOLEAN, ENUM, METERED (`Incremental`/`Fluctuating`), NUMERIC (any other NUMBER); a feature type this
/// SDK does not know is shaped BOOLEAN.
pub(crate) fn record_result(
    state: &CustomerState,
    rec: &FeatureRecord,
    usage: &UsageData,
    requested: f64,
    requested_values: Option<Vec<String>>,
) -> Entitlement {
    let reason = decide(state, rec, usage, requested, requested_values.as_deref());
    match &rec.feature.feature_type {
        FeatureType::Enum => Entitlement::Enum(enum_result(rec, requested_values, reason)),
        FeatureType::Number if rec.feature.is_metered() => {
            Entitlement::Metered(metered_result(rec, usage, requested, reason))
        }
        FeatureType::Number => Entitlement::Numeric(numeric_result(rec, reason)),
        FeatureType::Boolean | FeatureType::Other(_) => {
            Entitlement::Boolean(boolean_result(rec, reason))
        }
    }
}

/// `getBooleanEntitlement`. `fallback` is the chosen one ([`super::choose_fallback`]).
pub fn boolean(
    state: Option<&CustomerState>,
    feature_id: &str,
    fallback: Option<&EntitlementFallback>,
    _now: Millis,
) -> BooleanEntitlement {
    let Some(state) = state else {
        return fallback::boolean(fallback, AccessDeniedReason::Unknown);
    };
    match state.feature(feature_id) {
        Some(rec) if rec.feature.feature_type != FeatureType::Boolean => {
            fallback::boolean(fallback, AccessDeniedReason::FeatureTypeMismatch)
        }
        Some(rec) => {
            let reason = decide(state, rec, &rec.usage, 0.0, None);
            boolean_result(rec, reason)
        }
        None => BooleanEntitlement {
            has_access: false,
            is_fallback: false,
            access_denied_reason: Some(missing_reason(state)),
            feature: None,
        },
    }
}

/// `getNumericEntitlement` (NUMBER features whose meter is `None` or null).
pub fn numeric(
    state: Option<&CustomerState>,
    feature_id: &str,
    fallback: Option<&EntitlementFallback>,
    _now: Millis,
) -> NumericEntitlement {
    let Some(state) = state else {
        return fallback::numeric(fallback, AccessDeniedReason::Unknown);
    };
    match state.feature(feature_id) {
        Some(rec) if !rec.feature.is_numeric() => {
            fallback::numeric(fallback, AccessDeniedReason::FeatureTypeMismatch)
        }
        Some(rec) => {
            let reason = decide(state, rec, &rec.usage, 0.0, None);
            numeric_result(rec, reason)
        }
        None => NumericEntitlement {
            has_access: false,
            is_fallback: false,
            access_denied_reason: Some(missing_reason(state)),
            feature: None,
            value: None,
            is_unlimited: false,
        },
    }
}

/// `getMeteredEntitlement` (NUMBER features with an `Incremental`/`Fluctuating` meter). The hot path:
/// no allocation beyond the result (the feature is a shared `Arc`).
pub fn metered(
    state: Option<&CustomerState>,
    feature_id: &str,
    requested_usage: Option<f64>,
    fallback: Option<&EntitlementFallback>,
    now: Millis,
) -> MeteredEntitlement {
    let Ok(requested) = numbers::requested_usage(requested_usage) else {
        return fallback::metered(fallback, requested_usage, AccessDeniedReason::Unknown);
    };
    let Some(state) = state else {
        return fallback::metered(fallback, requested_usage, AccessDeniedReason::Unknown);
    };
    let Some(rec) = state.feature(feature_id) else {
        return MeteredEntitlement {
            has_access: false,
            is_fallback: false,
            access_denied_reason: Some(missing_reason(state)),
            feature: None,
            usage_limit: None,
            is_unlimited: false,
            has_soft_limit: false,
            current_usage: 0.0,
            requested_usage: requested,
            reset_period: None,
            usage_period_anchor: None,
            usage_period_start: None,
            usage_period_end: None,
            next_reset_date: None,
        };
    };
    if !rec.feature.is_metered() {
        return fallback::metered(
            fallback,
            requested_usage,
            AccessDeniedReason::FeatureTypeMismatch,
        );
    }
    let Ok(usage) = usage_of(rec, now) else {
        return fallback::metered(fallback, requested_usage, AccessDeniedReason::Unknown);
    };
    let reason = decide(state, rec, &usage, requested, None);
    metered_result(rec, &usage, requested, reason)
}

/// `getEnumEntitlement`. `requested_values` is echoed as given (`null` when none).
pub fn enumeration(
    state: Option<&CustomerState>,
    feature_id: &str,
    requested_values: Option<Vec<String>>,
    fallback: Option<&EntitlementFallback>,
    _now: Millis,
) -> EnumEntitlement {
    let Some(state) = state else {
        return fallback::enumeration(fallback, requested_values, AccessDeniedReason::Unknown);
    };
    match state.feature(feature_id) {
        Some(rec) if rec.feature.feature_type != FeatureType::Enum => fallback::enumeration(
            fallback,
            requested_values,
            AccessDeniedReason::FeatureTypeMismatch,
        ),
        Some(rec) => {
            let reason = decide(state, rec, &rec.usage, 0.0, requested_values.as_deref());
            enum_result(rec, requested_values, reason)
        }
        None => EnumEntitlement {
            has_access: false,
            is_fallback: false,
            access_denied_reason: Some(missing_reason(state)),
            feature: None,
            enum_values: Arc::new([]),
            requested_values,
        },
    }
}
