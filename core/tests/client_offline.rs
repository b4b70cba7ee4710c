//! The `Stigg` client in offline mode (spec §6): fallbacks, local acknowledgements, argument errors,
//! and fixture states decided by the same rules as online reads.

use std::sync::Arc;

use serde_json::json;
use stigg_core::client::{
    GetBooleanEntitlement, GetCreditEntitlement, GetEntitlementV2, GetEnumEntitlement,
    GetMeteredEntitlement, GetNumericEntitlement,
};
use stigg_core::model::usage::{ConsumeCredits, ReportEvent, ReportUsage};
use stigg_core::model::wire::EntitlementsState;
use stigg_core::model::{AccessDeniedReason, CreditEntitlementFallback, EntitlementFallback};
use stigg_core::{FixedClock, Stigg, StiggConfig, StiggError};

const NOW: i64 = 1_705_320_000_000; // 2024-01-15T12:00:00Z

fn offline_client() -> Stigg {
    let config = StiggConfig::builder()
        .offline(true)
        .read_env(false)
        .clock(Arc::new(FixedClock::new(NOW)))
        .entitlement_fallback(
            "feature-seats",
            EntitlementFallback {
                has_access: true,
                usage_limit: Some(5.0),
                ..Default::default()
            },
        )
        .build()
        .expect("offline config needs no key");
    Stigg::new(config).expect("client")
}

#[tokio::test]
async fn offline_reads_return_fallbacks_by_precedence() {
    let stigg = offline_client();
    stigg
        .wait_for_initialization()
        .await
        .expect("ready at once offline");

    // Config fallback.
    let m = stigg
        .get_metered_entitlement(&GetMeteredEntitlement {
            customer_id: "c1",
            feature_id: "feature-seats",
            requested_usage: Some(2.0),
            ..Default::default()
        })
        .await;
    assert!(m.has_access && m.is_fallback);
    assert_eq!(m.usage_limit, Some(5.0));
    assert_eq!(m.access_denied_reason, Some(AccessDeniedReason::Unknown));

    // Per-call fallback wins over config.
    let per_call = EntitlementFallback {
        has_access: false,
        ..Default::default()
    };
    let m = stigg
        .get_metered_entitlement(&GetMeteredEntitlement {
            customer_id: "c1",
            feature_id: "feature-seats",
            fallback: Some(&per_call),
            ..Default::default()
        })
        .await;
    assert!(!m.has_access && m.is_fallback);
    assert_eq!(m.usage_limit, None);

    // Default deny.
    let b = stigg
        .get_boolean_entitlement(&GetBooleanEntitlement {
            customer_id: "c1",
            feature_id: "feature-other",
            ..Default::default()
        })
        .await;
    assert!(!b.has_access && b.is_fallback);
    assert_eq!(b.access_denied_reason, Some(AccessDeniedReason::Unknown));

    let n = stigg
        .get_numeric_entitlement(&GetNumericEntitlement {
            customer_id: "c1",
            feature_id: "feature-x",
            ..Default::default()
        })
        .await;
    assert!(n.is_fallback && !n.is_unlimited);

    let e = stigg
        .get_enum_entitlement(&GetEnumEntitlement {
            customer_id: "c1",
            feature_id: "feature-region",
            requested_values: Some(vec!["eu".into()]),
            ..Default::default()
        })
        .await;
    assert!(e.is_fallback && e.enum_values.is_empty());

    let credit_fb = CreditEntitlementFallback {
        has_access: true,
        usage_limit: Some(10.0),
        ..Default::default()
    };
    let c = stigg
        .get_credit_entitlement(&GetCreditEntitlement {
            customer_id: "c1",
            currency_id: "credits",
            fallback: Some(&credit_fb),
            ..Default::default()
        })
        .await;
    assert!(c.is_fallback && c.has_access);
    assert_eq!(c.currency.currency_id, "credits");

    let state = stigg.get_entitlements_state_v2("c1", None).await;
    assert_eq!(
        state.entitlements.len(),
        1,
        "one configured feature fallback"
    );
    assert!(state.access_denied_reason.is_none());
    assert!(
        stigg
            .reload_entitlements("c1", None)
            .await
            .entitled_entity_exists
    );
}

#[tokio::test]
async fn offline_writes_acknowledge_locally() {
    let stigg = offline_client();
    let ack = stigg
        .report_usage(ReportUsage {
            customer_id: "c1".into(),
            feature_id: "feature-seats".into(),
            value: 3.0,
            ..Default::default()
        })
        .await
        .expect("offline ack");
    assert_eq!(ack.measurement_id.len(), 21);
    assert_eq!(
        (ack.customer_id.as_str(), ack.feature_id.as_str()),
        ("c1", "feature-seats")
    );
    assert_eq!(
        ack.current_usage, None,
        "offline acks carry no usage fields"
    );

    let bulk = stigg
        .report_usage_bulk(vec![
            ReportUsage {
                customer_id: "c1".into(),
                feature_id: "a".into(),
                value: 1.0,
                ..Default::default()
            },
            ReportUsage {
                customer_id: "c2".into(),
                feature_id: "b".into(),
                value: 2.0,
                ..Default::default()
            },
        ])
        .await
        .expect("bulk");
    assert_eq!(bulk.len(), 2);

    stigg
        .report_event(vec![ReportEvent {
            event_name: "api_call".into(),
            customer_id: "c1".into(),
            idempotency_key: "k1".into(),
            ..Default::default()
        }])
        .await
        .expect("events");

    let consumed = stigg
        .consume_credits(ConsumeCredits {
            customer_id: "c1".into(),
            currency_id: "credits".into(),
            amount: 4.0,
            idempotency_key: "k2".into(),
            ..Default::default()
        })
        .await
        .expect("consume");
    assert_eq!(consumed.timestamp, Some(NOW));
    assert_eq!(consumed.amount, 4.0);

    let est = stigg
        .estimate_usage_cost(stigg_core::model::usage::EstimateUsageCost {
            customer_id: "c1".into(),
            feature_id: "f".into(),
            value: 1.0,
            ..Default::default()
        })
        .await
        .expect("estimate");
    assert!(est.estimates.is_empty() && est.warnings.is_empty());
}

#[tokio::test]
async fn bad_write_arguments_name_the_field() {
    let stigg = offline_client();
    let err = stigg
        .report_usage(ReportUsage {
            customer_id: "".into(),
            feature_id: "f".into(),
            value: 1.0,
            ..Default::default()
        })
        .await
        .expect_err("empty customer id");
    assert!(
        matches!(
            err,
            StiggError::InvalidArgument {
                field: "customerId",
                ..
            }
        ),
        "{err}"
    );
    let err = stigg
        .report_usage(ReportUsage {
            customer_id: "c".into(),
            feature_id: "f".into(),
            value: f64::NAN,
            ..Default::default()
        })
        .await
        .expect_err("NaN value");
    assert!(
        matches!(err, StiggError::InvalidArgument { field: "value", .. }),
        "{err}"
    );
    let too_many = (0..101)
        .map(|i| ReportUsage {
            customer_id: "c".into(),
            feature_id: format!("f{i}"),
            value: 1.0,
            ..Default::default()
        })
        .collect();
    let err = stigg
        .report_usage_bulk(too_many)
        .await
        .expect_err("bulk limit");
    assert_eq!(err.code(), "InvalidArgument");
    let err = stigg
        .consume_credits(ConsumeCredits {
            customer_id: "c".into(),
            currency_id: "x".into(),
            amount: -1.0,
            idempotency_key: "k".into(),
            ..Default::default()
        })
        .await
        .expect_err("negative amount");
    assert!(
        matches!(
            err,
            StiggError::InvalidArgument {
                field: "amount",
                ..
            }
        ),
        "{err}"
    );
    assert!(stigg
        .set_entitlements_state(" ", None, &EntitlementsState::default())
        .is_err());
}

#[tokio::test]
async fn fixture_states_are_decided_by_the_rules_and_close_stops_writes() {
    let stigg = offline_client();
    let state: EntitlementsState = serde_json::from_value(json!({
        "accessDeniedReason": null,
        "entitlementsV2": [{
            "__typename": "FeatureEntitlement", "isGranted": true, "usageLimit": 10,
            "hasUnlimitedUsage": false, "hasSoftLimit": false, "currentUsage": 8,
            "feature": {"refId": "feature-seats", "featureType": "NUMBER", "meterType": "Fluctuating"}
        }]
    }))
    .expect("state");
    stigg
        .set_entitlements_state("c1", None, &state)
        .expect("seed");
    let check = |requested| GetMeteredEntitlement {
        customer_id: "c1",
        feature_id: "feature-seats",
        requested_usage: Some(requested),
        ..Default::default()
    };
    let ok = stigg.get_metered_entitlement(&check(2.0)).await;
    assert!(ok.has_access && !ok.is_fallback);
    let denied = stigg.get_metered_entitlement(&check(3.0)).await;
    assert!(!denied.has_access && !denied.is_fallback);
    assert_eq!(
        denied.access_denied_reason,
        Some(AccessDeniedReason::RequestedUsageExceedingLimit)
    );
    // The sync cached variant sees the same state.
    let cached = stigg
        .get_metered_entitlement_cached(&check(2.0))
        .expect("cached offline always answers");
    assert_eq!(cached, ok);
    // Missing feature on a known customer is a non-fallback denial.
    let v2 = stigg
        .get_entitlement_v2(&GetEntitlementV2 {
            customer_id: "c1",
            feature_id: Some("feature-nope"),
            ..Default::default()
        })
        .await;
    assert!(!v2.has_access() && !v2.is_fallback());

    stigg.close().await;
    stigg.close().await; // idempotent
    let err = stigg
        .report_usage(ReportUsage {
            customer_id: "c1".into(),
            feature_id: "f".into(),
            value: 1.0,
            ..Default::default()
        })
        .await
        .expect_err("closed");
    assert_eq!(err, StiggError::Closed);
    let after = stigg.get_metered_entitlement(&check(1.0)).await;
    assert!(
        after.is_fallback,
        "a closed client still answers reads, with fallbacks"
    );
}
