//! The untyped reads: `getEntitlement` (deprecated), `getEntitlementV2`, `getEntitlementsStateV2`.

use crate::model::{
    AccessDeniedReason, BooleanEntitlement, CustomerState, Entitlement, EntitlementKey,
    EntitlementV2, EntitlementsStateV2, EnumEntitlement, FallbackConfig, MeteredEntitlement,
    Millis, NumericEntitlement,
};

use super::credit::{credit_result, decide_credit};
use super::fallback::{self, Kind};
use super::feature::{missing_reason, record_result, usage_of};
use super::{choose_fallback, numbers, EntitlementOptions, EntitlementTarget};

/// The fallback type chosen from the options' shape (see [`fallback::Kind`]).
fn kind_of_options(o: &EntitlementOptions) -> Kind {
    if o.requested_usage.is_some() {
        Kind::Metered
    } else if o.requested_values.is_some() {
        Kind::Enum
    } else if o.fallback.as_ref().is_some_and(|f| f.value.is_some()) {
        Kind::Numeric
    } else {
        Kind::Boolean
    }
}

/// Decides a feature read on a found entitlement; `None` when the fallback applies.
fn decide_feature(
    state: Option<&CustomerState>,
    feature_id: &str,
    options: &EntitlementOptions,
    now: Millis,
) -> Result<Option<Entitlement>, ()> {
    let requested = numbers::requested_usage(options.requested_usage).map_err(|_| ())?;
    let state = state.ok_or(())?;
    let Some(rec) = state.feature(feature_id) else {
        return Ok(None);
    };
    let usage = usage_of(rec, now).map_err(|_| ())?;
    Ok(Some(record_result(
        state,
        rec,
        &usage,
        requested,
        options.requested_values.clone(),
    )))
}

/// `getEntitlement` (deprecated generic read). Follows the observed 3.95 behaviour (spec §4.5): when the
/// state is unavailable, the request is invalid, **or the feature has no entitlement** (also for an
/// unknown customer), it returns the fallback (per call › config › default, `isFallback:true`,
/// `Unknown`), typed by the options' shape. A found entitlement is decided by the rules and shaped by its
/// feature; there is no type mismatch here.
pub fn entitlement(
    state: Option<&CustomerState>,
    feature_id: &str,
    options: &EntitlementOptions,
    config: &FallbackConfig,
    now: Millis,
) -> Entitlement {
    match decide_feature(state, feature_id, options, now) {
        Ok(Some(e)) => e,
        _ => fallback::of_kind(
            kind_of_options(options),
            choose_fallback(options.fallback.as_ref(), config, feature_id),
            options.requested_usage,
            options.requested_values.as_ref(),
            AccessDeniedReason::Unknown,
        ),
    }
}

/// The non-fallback denied object of a missing feature in `getEntitlementV2`, typed by the options.
fn missing_feature(state: &CustomerState, options: &EntitlementOptions) -> Entitlement {
    let reason = Some(missing_reason(state));
    // The request is valid here (checked before), so the echo is the normalized request.
    let requested = numbers::requested_usage(options.requested_usage).unwrap_or(0.0);
    match kind_of_options(options) {
        Kind::Boolean => Entitlement::Boolean(BooleanEntitlement {
            has_access: false,
            is_fallback: false,
            access_denied_reason: reason,
            feature: None,
        }),
        Kind::Numeric => Entitlement::Numeric(NumericEntitlement {
            has_access: false,
            is_fallback: false,
            access_denied_reason: reason,
            feature: None,
            value: None,
            is_unlimited: false,
        }),
        Kind::Metered => Entitlement::Metered(MeteredEntitlement {
            has_access: false,
            is_fallback: false,
            access_denied_reason: reason,
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
        }),
        Kind::Enum => Entitlement::Enum(EnumEntitlement {
            has_access: false,
            is_fallback: false,
            access_denied_reason: reason,
            feature: None,
            enum_values: std::sync::Arc::new([]),
            requested_values: options.requested_values.clone(),
        }),
    }
}

/// Clears the reason of a granted fallback (the `getEntitlementV2` config merge, spec §4.4).
fn clear_reason_if_granted(mut e: Entitlement) -> Entitlement {
    let (has, reason) = match &mut e {
        Entitlement::Boolean(x) => (x.has_access, &mut x.access_denied_reason),
        Entitlement::Numeric(x) => (x.has_access, &mut x.access_denied_reason),
        Entitlement::Metered(x) => (x.has_access, &mut x.access_denied_reason),
        Entitlement::Enum(x) => (x.has_access, &mut x.access_denied_reason),
    };
    if has {
        *reason = None;
    }
    e
}

/// `getEntitlementV2`: a feature or a credit entitlement.
///
/// * [`EntitlementTarget::Invalid`] (both or neither id) → the feature fallback typed by the options'
///   shape from the per-call fallback only (no config merge, as the official validation path).
/// * Feature: a found entitlement is decided and shaped by its feature (roll-over applied); a missing one
///   is a **non-fallback** denied object typed by the options' shape (customer reason, else
///   `NoFeatureEntitlementInSubscription`) — the 4.x evaluator is unpublished; we keep the typed getters'
///   rule. When the fallback applies (state unavailable, invalid request, unknown ended period): with a
///   per-call fallback, that one over the type default; otherwise `entitlementsFallback[featureId]` over
///   the type default, and the reason is cleared when the merged `hasAccess` is true.
/// * Credit: as [`super::credit`], but the fallback is the per-call `credit_fallback`, else
///   `creditEntitlementsFallback[currencyId]` (the reason stays `Unknown`: the official rebuild keeps the
///   result's reason).
pub fn entitlement_v2(
    state: Option<&CustomerState>,
    target: EntitlementTarget<'_>,
    options: &EntitlementOptions,
    config: &FallbackConfig,
    now: Millis,
) -> EntitlementV2 {
    match target {
        EntitlementTarget::Invalid => EntitlementV2::Feature(fallback::of_kind(
            kind_of_options(options),
            options.fallback.as_ref(),
            options.requested_usage,
            options.requested_values.as_ref(),
            AccessDeniedReason::Unknown,
        )),
        EntitlementTarget::Feature(feature_id) => {
            EntitlementV2::Feature(match decide_feature(state, feature_id, options, now) {
                Ok(Some(e)) => e,
                Ok(None) => match state {
                    Some(s) => missing_feature(s, options),
                    None => v2_feature_fallback(options, config, feature_id),
                },
                Err(()) => v2_feature_fallback(options, config, feature_id),
            })
        }
        EntitlementTarget::Credit(currency_id) => EntitlementV2::Credit(
            decide_credit(state, currency_id, options.requested_usage).unwrap_or_else(|| {
                let fb = options
                    .credit_fallback
                    .as_ref()
                    .or_else(|| config.credit_entitlements_fallback.get(currency_id));
                fallback::credit(
                    currency_id,
                    fb,
                    options.requested_usage,
                    AccessDeniedReason::Unknown,
                )
            }),
        ),
    }
}

/// The `getEntitlementV2` feature fallback (see [`entitlement_v2`]).
fn v2_feature_fallback(
    options: &EntitlementOptions,
    config: &FallbackConfig,
    feature_id: &str,
) -> Entitlement {
    let kind = kind_of_options(options);
    let build = |fb| {
        fallback::of_kind(
            kind,
            fb,
            options.requested_usage,
            options.requested_values.as_ref(),
            AccessDeniedReason::Unknown,
        )
    };
    match (
        &options.fallback,
        config.entitlements_fallback.get(feature_id),
    ) {
        (Some(per_call), _) => build(Some(per_call)),
        (None, Some(configured)) => clear_reason_if_granted(build(Some(configured))),
        (None, None) => build(None),
    }
}

/// `getEntitlementsStateV2`: every entitlement of the state in the order received, decided with no
/// requested usage/values (roll-over applied to metered usage), and the customer-level reason. A metered
/// item whose period ended with an unknown reset period becomes its fallback (the configured one over the
/// METERED default) with its `feature`. `state: None` → [`super::fallback_state_v2`].
pub fn entitlements_state_v2(
    state: Option<&CustomerState>,
    config: &FallbackConfig,
    now: Millis,
) -> EntitlementsStateV2 {
    let Some(state) = state else {
        return fallback::fallback_state_v2(config);
    };
    let mut entitlements = Vec::with_capacity(state.order.len());
    for key in &state.order {
        match key {
            EntitlementKey::Feature(id) => {
                let Some(rec) = state.feature(id) else {
                    continue;
                };
                let e = match usage_of(rec, now) {
                    Ok(usage) => record_result(state, rec, &usage, 0.0, None),
                    Err(_) => fallback::with_feature(
                        Entitlement::Metered(fallback::metered(
                            config.entitlements_fallback.get(&**id),
                            None,
                            AccessDeniedReason::Unknown,
                        )),
                        std::sync::Arc::clone(&rec.feature),
                    ),
                };
                entitlements.push(EntitlementV2::Feature(e));
            }
            EntitlementKey::Credit(id) => {
                if let Some(rec) = state.credit(id) {
                    entitlements.push(EntitlementV2::Credit(credit_result(state, rec, 0.0)));
                }
            }
        }
    }
    EntitlementsStateV2 {
        entitlements,
        access_denied_reason: state.access_denied_reason.clone(),
    }
}
