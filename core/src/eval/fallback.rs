//! Fallback results (spec §4.4): what a read returns when it cannot decide on real data.
//!
//! * One fallback is chosen, never merged: per call › `entitlementsFallback[featureId]` › the type
//!   default ([`choose_fallback`]). Like the official SDK the choice is by presence: a per-call fallback
//!   `{}` masks the configured one.
//! * The chosen fallback is laid shallowly over the type default (`hasAccess:false`,
//!   `accessDeniedReason:Unknown`, `isFallback:true`). A fallback cannot carry a reason, so a fallback with
//!   `hasAccess:true` still says `Unknown` in the typed getters, as the official SDK does
//!   (`getEntitlementV2` alone clears it, see [`super::entitlement_v2`]).
//! * Fields of the fallback that do not belong to the result's type are ignored (`value` in a METERED
//!   result, ...). Typed fallbacks carry no `feature` (the official objects have none).
//! * `requestedUsage` of a METERED fallback echoes the request (after the number policy, negative → 0);
//!   with no request (or an invalid one) it is `1`, the official default constant. A CREDIT fallback
//!   echoes the request too, `0` when none. `requestedValues` of an ENUM fallback echoes the request
//!   (`null` when none).

use std::sync::Arc;

use crate::model::{
    AccessDeniedReason, BooleanEntitlement, CreditEntitlement, CreditEntitlementFallback,
    CurrencyInfo, Entitlement, EntitlementFallback, EntitlementV2, EntitlementsStateV2,
    EnumEntitlement, FallbackConfig, FeatureInfo, FeatureType, MeteredEntitlement,
    NumericEntitlement,
};

use super::numbers;

/// Picks the fallback of a feature read: the per-call one, else the configured one, else none (the type
/// default applies). Never merges the two.
#[inline]
pub fn choose_fallback<'a>(
    per_call: Option<&'a EntitlementFallback>,
    config: &'a FallbackConfig,
    feature_id: &str,
) -> Option<&'a EntitlementFallback> {
    per_call.or_else(|| config.entitlements_fallback.get(feature_id))
}

/// The `requestedUsage` a METERED fallback reports: the normalized request, or `1` when none or invalid.
#[inline]
pub(crate) fn metered_echo(raw: Option<f64>) -> f64 {
    match raw {
        Some(_) => numbers::requested_usage(raw).unwrap_or(1.0),
        None => 1.0,
    }
}

/// The `requestedUsage` a CREDIT fallback reports: the normalized request, or `0`.
#[inline]
pub(crate) fn credit_echo(raw: Option<f64>) -> f64 {
    numbers::requested_usage(raw).unwrap_or(0.0)
}

/// BOOLEAN fallback.
pub(crate) fn boolean(
    fb: Option<&EntitlementFallback>,
    reason: AccessDeniedReason,
) -> BooleanEntitlement {
    BooleanEntitlement {
        has_access: fb.is_some_and(|f| f.has_access),
        is_fallback: true,
        access_denied_reason: Some(reason),
        feature: None,
    }
}

/// NUMERIC fallback.
pub(crate) fn numeric(
    fb: Option<&EntitlementFallback>,
    reason: AccessDeniedReason,
) -> NumericEntitlement {
    NumericEntitlement {
        has_access: fb.is_some_and(|f| f.has_access),
        is_fallback: true,
        access_denied_reason: Some(reason),
        feature: None,
        value: fb.and_then(|f| f.value),
        is_unlimited: fb.and_then(|f| f.is_unlimited).unwrap_or(false),
    }
}

/// METERED fallback; `requested` is the raw request (see [`metered_echo`]).
pub(crate) fn metered(
    fb: Option<&EntitlementFallback>,
    requested: Option<f64>,
    reason: AccessDeniedReason,
) -> MeteredEntitlement {
    MeteredEntitlement {
        has_access: fb.is_some_and(|f| f.has_access),
        is_fallback: true,
        access_denied_reason: Some(reason),
        feature: None,
        usage_limit: fb.and_then(|f| f.usage_limit),
        is_unlimited: fb.and_then(|f| f.is_unlimited).unwrap_or(false),
        has_soft_limit: false,
        current_usage: 0.0,
        requested_usage: metered_echo(requested),
        reset_period: None,
        usage_period_anchor: None,
        usage_period_start: None,
        usage_period_end: None,
        next_reset_date: None,
    }
}

/// ENUM fallback.
pub(crate) fn enumeration(
    fb: Option<&EntitlementFallback>,
    requested_values: Option<Vec<String>>,
    reason: AccessDeniedReason,
) -> EnumEntitlement {
    let values: Arc<[String]> = match fb.and_then(|f| f.enum_values.as_ref()) {
        Some(v) => v.as_slice().into(),
        None => Arc::new([]),
    };
    EnumEntitlement {
        has_access: fb.is_some_and(|f| f.has_access),
        is_fallback: true,
        access_denied_reason: Some(reason),
        feature: None,
        enum_values: values,
        requested_values,
    }
}

/// CREDIT fallback: the default (`hasAccess:false`, `Unknown`, zeros) + `currency{currencyId}` + the
/// fallback's `hasAccess`, `usageLimit`, `currentUsage`; `remaining = usageLimit − currentUsage`.
pub(crate) fn credit(
    currency_id: &str,
    fb: Option<&CreditEntitlementFallback>,
    requested: Option<f64>,
    reason: AccessDeniedReason,
) -> CreditEntitlement {
    let usage_limit = fb.and_then(|f| f.usage_limit).unwrap_or(0.0);
    let current_usage = fb.and_then(|f| f.current_usage).unwrap_or(0.0);
    CreditEntitlement {
        has_access: fb.is_some_and(|f| f.has_access),
        is_fallback: true,
        access_denied_reason: Some(reason),
        currency: Arc::new(CurrencyInfo::bare(currency_id)),
        usage_limit,
        current_usage,
        remaining: usage_limit - current_usage,
        usage_period_end: None,
        has_soft_limit: false,
        requested_usage: credit_echo(requested),
    }
}

/// The type of a generic (`getEntitlement`/`getEntitlementV2`) fallback, chosen from the options' shape
/// like the official SDK: `requestedUsage` given → METERED, else `requestedValues` → ENUM, else a per-call
/// fallback with `value` → NUMERIC, else BOOLEAN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Boolean,
    Numeric,
    Metered,
    Enum,
}

/// Builds a generic feature fallback of `kind`.
pub(crate) fn of_kind(
    kind: Kind,
    fb: Option<&EntitlementFallback>,
    requested_usage: Option<f64>,
    requested_values: Option<&Vec<String>>,
    reason: AccessDeniedReason,
) -> Entitlement {
    match kind {
        Kind::Boolean => Entitlement::Boolean(boolean(fb, reason)),
        Kind::Numeric => Entitlement::Numeric(numeric(fb, reason)),
        Kind::Metered => Entitlement::Metered(metered(fb, requested_usage, reason)),
        Kind::Enum => Entitlement::Enum(enumeration(fb, requested_values.cloned(), reason)),
    }
}

/// The type of a configured fallback in the offline/failure list, from its fields: `enumValues` → ENUM,
/// else `usageLimit` → METERED, else `value` → NUMERIC, else `isUnlimited` → METERED, else BOOLEAN.
pub(crate) fn kind_of_config(fb: &EntitlementFallback) -> Kind {
    if fb.enum_values.is_some() {
        Kind::Enum
    } else if fb.usage_limit.is_some() {
        Kind::Metered
    } else if fb.value.is_some() {
        Kind::Numeric
    } else if fb.is_unlimited.is_some() {
        Kind::Metered
    } else {
        Kind::Boolean
    }
}

/// Sets `feature` on a generic fallback.
pub(crate) fn with_feature(mut e: Entitlement, feature: Arc<FeatureInfo>) -> Entitlement {
    let slot = match &mut e {
        Entitlement::Boolean(x) => &mut x.feature,
        Entitlement::Numeric(x) => &mut x.feature,
        Entitlement::Metered(x) => &mut x.feature,
        Entitlement::Enum(x) => &mut x.feature,
    };
    *slot = Some(feature);
    e
}

/// The list `getEntitlementsStateV2` returns offline or when the state cannot be obtained (spec §4.4):
/// one item per `entitlementsFallback` entry (`isFallback:true`, `Unknown`, `feature{id}`, typed by
/// the fields the entry sets: `enumValues` ENUM, else `usageLimit` METERED, else `value` NUMERIC, else
/// `isUnlimited` METERED, else BOOLEAN) sorted by feature id, then one CREDIT fallback per
/// `creditEntitlementsFallback` entry sorted by currency id (the configuration is a map: sorting makes the
/// order the same in every language); `accessDeniedReason: null`.
pub fn fallback_state_v2(config: &FallbackConfig) -> EntitlementsStateV2 {
    let mut features: Vec<(&String, &EntitlementFallback)> =
        config.entitlements_fallback.iter().collect();
    features.sort_by(|a, b| a.0.cmp(b.0));
    let mut credits: Vec<(&String, &CreditEntitlementFallback)> =
        config.credit_entitlements_fallback.iter().collect();
    credits.sort_by(|a, b| a.0.cmp(b.0));

    let mut entitlements = Vec::with_capacity(features.len() + credits.len());
    for (id, fb) in features {
        let kind = kind_of_config(fb);
        let feature_type = match kind {
            Kind::Boolean => FeatureType::Boolean,
            Kind::Enum => FeatureType::Enum,
            Kind::Numeric | Kind::Metered => FeatureType::Number,
        };
        let e = of_kind(kind, Some(fb), None, None, AccessDeniedReason::Unknown);
        let feature = Arc::new(FeatureInfo::bare(id, feature_type));
        entitlements.push(EntitlementV2::Feature(with_feature(e, feature)));
    }
    for (id, fb) in credits {
        entitlements.push(EntitlementV2::Credit(credit(
            id,
            Some(fb),
            None,
            AccessDeniedReason::Unknown,
        )));
    }
    EntitlementsStateV2 {
        entitlements,
        access_denied_reason: None,
    }
}
