//! Builders of cached states for the cache's tests.

use std::sync::Arc;

use crate::model::{
    CreditRecord, CurrencyInfo, CustomerState, EntitlementKey, FeatureInfo, FeatureRecord,
    FeatureType, MeterType, Millis, UsageData,
};

/// A metered feature record `feature-{i}` with limit 100 and usage stamped `usage_at`.
pub fn feature(i: usize, usage_at: Option<Millis>) -> FeatureRecord {
    FeatureRecord {
        feature: Arc::new(FeatureInfo {
            meter_type: Some(MeterType::Incremental),
            units: "call".into(),
            units_plural: "calls".into(),
            ..FeatureInfo::bare(&format!("feature-{i}"), FeatureType::Number)
        }),
        is_granted: true,
        access_denied_reason: None,
        usage_limit: Some(100.0),
        has_unlimited_usage: false,
        has_soft_limit: false,
        enum_values: Arc::from(Vec::new()),
        reset_period: None,
        reset_period_configuration: None,
        usage_period_anchor: None,
        valid_until: None,
        credit_rate: None,
        entitlement_updated_at: None,
        usage: UsageData {
            current_usage: 1.0,
            usage_period_start: None,
            usage_period_end: None,
            updated_at: usage_at,
        },
    }
}

/// A state with `n` metered features and one credit wallet `usd`, stamped `timestamp`.
pub fn state(n: usize, timestamp: Option<Millis>) -> CustomerState {
    let mut s = CustomerState {
        timestamp,
        ..Default::default()
    };
    for i in 0..n {
        let r = feature(i, Some(1_000));
        let id: Box<str> = r.feature.id.as_str().into();
        s.order.push(EntitlementKey::Feature(id.clone()));
        s.features.insert(id, r);
    }
    s.credits.insert(
        "usd".into(),
        CreditRecord {
            currency: Arc::new(CurrencyInfo::bare("usd")),
            is_granted: true,
            access_denied_reason: None,
            usage_limit: 50.0,
            has_soft_limit: false,
            valid_until: None,
            entitlement_updated_at: None,
            usage: UsageData {
                current_usage: 5.0,
                updated_at: Some(1_000),
                ..Default::default()
            },
        },
    );
    s.order.push(EntitlementKey::Credit("usd".into()));
    s
}
