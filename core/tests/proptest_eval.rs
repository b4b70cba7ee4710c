//! Random states, requests and instants into every evaluation function: never panics, and a few
//! invariants hold (decided results grant iff they carry no reason; periods contain `now`).

use std::sync::Arc;

use proptest::prelude::*;
use stigg_core::eval::{self, period, EntitlementOptions, EntitlementTarget};
use stigg_core::model::wire::{
    CreditCurrency, CreditEntitlement, CreditRate, EntitlementFeature, EntitlementUnion,
    EntitlementsState, FeatureEntitlement,
};
use stigg_core::model::{
    AccessDeniedReason, CreditEntitlementFallback, CustomerState, EntitlementFallback,
    EntitlementResetPeriod, EntitlementV2, EntitlementsStateAccessDeniedReason, FallbackConfig,
    FeatureType, MeterType, Millis,
};

const IDS: &[&str] = &["f0", "f1", "f2", "f3", "c0", "c1", ""];

fn id() -> impl Strategy<Value = String> {
    prop::sample::select(IDS).prop_map(str::to_owned)
}

fn num() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -20.0..20.0f64,
        1 => any::<f64>(),
        1 => prop::sample::select(vec![0.0, -0.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e308, -1e308, f64::MIN_POSITIVE, 0.1, 0.3]),
    ]
}

fn instant() -> impl Strategy<Value = Millis> {
    prop_oneof![
        4 => 1_500_000_000_000i64..1_900_000_000_000i64,
        1 => any::<i64>(),
        1 => prop::sample::select(vec![i64::MIN, i64::MAX, 0, -1, 8_640_000_000_000_000, -8_640_000_000_000_000]),
    ]
}

fn feature_type() -> impl Strategy<Value = FeatureType> {
    prop::sample::select(vec!["BOOLEAN", "NUMBER", "ENUM", "STRING"])
        .prop_map(FeatureType::from_wire)
}

fn meter() -> impl Strategy<Value = Option<MeterType>> {
    prop::option::of(
        prop::sample::select(vec!["None", "Incremental", "Fluctuating", "Quantum"])
            .prop_map(MeterType::from_wire),
    )
}

fn reason() -> impl Strategy<Value = Option<AccessDeniedReason>> {
    prop::option::weighted(
        0.3,
        prop::sample::select(vec![
            "Revoked",
            "BudgetExceeded",
            "InsufficientCredits",
            "QuotaFrozen",
        ])
        .prop_map(AccessDeniedReason::from_wire),
    )
}

fn reset_period() -> impl Strategy<Value = Option<EntitlementResetPeriod>> {
    prop::option::of(
        prop::sample::select(vec!["HOUR", "DAY", "WEEK", "MONTH", "YEAR", "FORTNIGHT"])
            .prop_map(EntitlementResetPeriod::from_wire),
    )
}

prop_compose! {
    fn feature_entitlement()(
        fid in id(), ft in feature_type(), mt in meter(), r in reason(), granted in any::<bool>(),
        limit in prop::option::of(num()), unlimited in any::<bool>(), soft in any::<bool>(),
        usage in prop::option::of(num()),
        values in prop::option::of(prop::collection::vec(prop::sample::select(vec!["a", "b", "A", ""]).prop_map(str::to_owned), 0..4)),
        anchor in prop::option::of(instant()), start in prop::option::of(instant()), end in prop::option::of(instant()),
        rp in reset_period(), valid in prop::option::of(instant()),
        rate in prop::option::of((num(), id())), has_feature in prop::bool::weighted(0.95),
    ) -> EntitlementUnion {
        EntitlementUnion::FeatureEntitlement(FeatureEntitlement {
            is_granted: granted, access_denied_reason: r, usage_limit: limit, has_unlimited_usage: unlimited,
            has_soft_limit: soft, current_usage: usage, enum_values: values, usage_period_anchor: anchor,
            usage_period_start: start, usage_period_end: end, reset_period: rp, valid_until: valid,
            credit_rate: rate.map(|(amount, currency_id)| CreditRate { amount, currency_id }),
            feature: has_feature.then_some(EntitlementFeature {
                ref_id: fid, feature_type: ft, meter_type: mt, feature_units: None, feature_units_plural: None,
                description: None, display_name: None, unit_transformation: None,
            }),
            ..Default::default()
        })
    }
}

prop_compose! {
    fn credit_entitlement()(
        cid in id(), r in reason(), limit in prop::option::of(num()), usage in prop::option::of(num()),
        soft in any::<bool>(), end in prop::option::of(instant()), valid in prop::option::of(instant()),
    ) -> EntitlementUnion {
        EntitlementUnion::CreditEntitlement(CreditEntitlement {
            is_granted: true, access_denied_reason: r, usage_limit: limit, current_usage: usage, has_soft_limit: soft,
            usage_period_end: end, valid_until: valid,
            currency: CreditCurrency { currency_id: cid, ..Default::default() }, ..Default::default()
        })
    }
}

prop_compose! {
    fn customer_state()(
        ents in prop::collection::vec(prop_oneof![3 => feature_entitlement(), 1 => credit_entitlement()], 0..8),
        r in prop::option::weighted(0.2, prop::sample::select(vec!["CustomerNotFound", "NoActiveSubscription", "CustomerSuspended"])
            .prop_map(EntitlementsStateAccessDeniedReason::from_wire)),
    ) -> CustomerState {
        CustomerState::from_wire(&EntitlementsState { entitlements_v2: ents, access_denied_reason: r })
    }
}

prop_compose! {
    fn fallback()(has in any::<bool>(), value in prop::option::of(num()), unl in prop::option::of(any::<bool>()),
                  limit in prop::option::of(num()), values in prop::option::of(prop::collection::vec("[ab]", 0..3)))
        -> EntitlementFallback {
        EntitlementFallback { has_access: has, value, is_unlimited: unl, usage_limit: limit, enum_values: values }
    }
}

prop_compose! {
    fn credit_fallback()(has in any::<bool>(), limit in prop::option::of(num()), usage in prop::option::of(num()))
        -> CreditEntitlementFallback {
        CreditEntitlementFallback { has_access: has, usage_limit: limit, current_usage: usage }
    }
}

prop_compose! {
    fn config()(fs in prop::collection::hash_map(id(), fallback(), 0..3), cs in prop::collection::hash_map(id(), credit_fallback(), 0..3))
        -> FallbackConfig {
        FallbackConfig { entitlements_fallback: fs, credit_entitlements_fallback: cs }
    }
}

fn check_v2(e: &EntitlementV2) {
    if !e.is_fallback() {
        let reason_none = match e {
            EntitlementV2::Credit(c) => c.access_denied_reason.is_none(),
            EntitlementV2::Feature(f) => {
                serde_json::to_value(f).is_ok_and(|v| v["accessDeniedReason"].is_null())
            }
        };
        assert_eq!(
            e.has_access(),
            reason_none,
            "decided results grant iff no reason: {e:?}"
        );
    }
    assert!(serde_json::to_string(e).is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(768))]

    #[test]
    fn every_eval_function_is_total(
        state in prop::option::weighted(0.85, customer_state()),
        fid in id(), cid in id(), req in prop::option::of(num()),
        values in prop::option::of(prop::collection::vec("[abA]{0,2}", 0..3)),
        per_call in prop::option::of(fallback()), per_call_credit in prop::option::of(credit_fallback()),
        cfg in config(), now in instant(), target_kind in 0u8..4,
    ) {
        let s = state.as_ref();
        let fb = eval::choose_fallback(per_call.as_ref(), &cfg, &fid);
        let b = eval::boolean(s, &fid, fb, now);
        prop_assert!(b.is_fallback || b.has_access == b.access_denied_reason.is_none());
        let n = eval::numeric(s, &fid, fb, now);
        prop_assert!(n.is_fallback || n.has_access == n.access_denied_reason.is_none());
        let m = eval::metered(s, &fid, req, fb, now);
        prop_assert!(m.is_fallback || m.has_access == m.access_denied_reason.is_none());
        prop_assert!(m.requested_usage.is_finite() && m.requested_usage >= 0.0);
        if let (false, Some(start), Some(end)) = (m.is_fallback, m.usage_period_start, m.usage_period_end) {
            let rolled = s.and_then(|s| s.feature(&fid)).is_some_and(|r| r.usage.usage_period_end.is_some_and(|e| e < now));
            if rolled { prop_assert!(start <= now && now < end); }
        }
        prop_assert!(serde_json::to_string(&m).is_ok());
        let e = eval::enumeration(s, &fid, values.clone(), fb, now);
        prop_assert!(e.is_fallback || e.has_access == e.access_denied_reason.is_none());
        let c = eval::credit(s, &cid, req, per_call_credit.as_ref(), now);
        prop_assert!(c.is_fallback || c.has_access == c.access_denied_reason.is_none());
        let options = EntitlementOptions { requested_usage: req, requested_values: values, fallback: per_call, credit_fallback: per_call_credit };
        let g = eval::entitlement(s, &fid, &options, &cfg, now);
        check_v2(&EntitlementV2::Feature(g));
        let target = match target_kind {
            0 => EntitlementTarget::Feature(&fid),
            1 => EntitlementTarget::Credit(&cid),
            2 => EntitlementTarget::Invalid,
            _ => EntitlementTarget::from_ids(Some(&fid), Some(&cid)),
        };
        check_v2(&eval::entitlement_v2(s, target, &options, &cfg, now));
        let list = eval::entitlements_state_v2(s, &cfg, now);
        for item in &list.entitlements { check_v2(item); }
        if let Some(st) = s {
            prop_assert_eq!(list.entitlements.len(), st.order.len());
            let _ = eval::is_expired(st, now);
        }
        let _ = eval::fallback_state_v2(&cfg);
    }

    #[test]
    fn periods_contain_now(anchor in -7_000_000_000_000_000i64..7_000_000_000_000_000i64,
                           offset in -1_000_000_000_000_000i64..1_000_000_000_000_000i64,
                           p in prop::sample::select(vec!["HOUR", "DAY", "WEEK", "MONTH", "YEAR"])) {
        let now = anchor.saturating_add(offset);
        let p = EntitlementResetPeriod::from_wire(p);
        if let Some((start, end)) = period::current_period(anchor, &p, None, now) {
            prop_assert!(start <= now && now < end, "{start} <= {now} < {end}");
            let len = end - start;
            let day = 86_400_000i64;
            let ok = match p {
                EntitlementResetPeriod::Hour => len == 3_600_000,
                EntitlementResetPeriod::Day => len == day,
                EntitlementResetPeriod::Week => len == 7 * day,
                EntitlementResetPeriod::Month => (28 * day - day..=31 * day + day).contains(&len),
                _ => (365 * day - 3 * day..=366 * day + 3 * day).contains(&len),
            };
            prop_assert!(ok, "period length {len} for {p}");
        } else {
            // Every instant here is within chrono's range: a known period always exists.
            prop_assert!(false, "no period for anchor {anchor}, now {now}, {p}");
        }
    }
}

#[test]
fn results_share_the_feature_arc() {
    let state = CustomerState::from_wire(&EntitlementsState {
        entitlements_v2: vec![EntitlementUnion::FeatureEntitlement(FeatureEntitlement {
            usage_limit: Some(10.0),
            feature: Some(EntitlementFeature {
                ref_id: "f".into(),
                feature_type: FeatureType::Number,
                meter_type: Some(MeterType::Incremental),
                feature_units: None,
                feature_units_plural: None,
                description: None,
                display_name: None,
                unit_transformation: None,
            }),
            ..Default::default()
        })],
        access_denied_reason: None,
    });
    let m = eval::metered(Some(&state), "f", Some(1.0), None, 0);
    let rec = state.feature("f").map(|r| &r.feature);
    assert!(m.has_access);
    assert!(matches!((m.feature.as_ref(), rec), (Some(a), Some(b)) if Arc::ptr_eq(a, b)));
}
