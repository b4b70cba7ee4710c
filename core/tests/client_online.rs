//! The client against the emulator over real sockets: the read path (Edge and GraphQL), writes that
//! update the cache with server-computed usage, the real-time stream (updates, reconnect, bad key),
//! and injected faults (fallbacks on reads, typed errors on writes).

mod support;

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use stigg_core::client::{
    GetBooleanEntitlement, GetEnumEntitlement, GetMeteredEntitlement, StiggEvent,
};
use stigg_core::model::usage::ReportUsage;
use stigg_core::model::AccessDeniedReason;
use stigg_core::{Stigg, StiggError};
use support::*;

fn metered<'a>(
    customer_id: &'a str,
    feature_id: &'a str,
    requested: f64,
) -> GetMeteredEntitlement<'a> {
    GetMeteredEntitlement {
        customer_id,
        feature_id,
        requested_usage: Some(requested),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_fetch_once_then_hit_the_cache_via_edge_and_graphql() {
    let emu = emulator().await;
    provision(&emu, "cust-read", "plan-revvenu-pro").await;
    for edge in [true, false] {
        let stigg = Stigg::new(
            config(&emu)
                .realtime_updates_enabled(false)
                .enable_edge(edge)
                .build()
                .unwrap(),
        )
        .unwrap();
        stigg.wait_for_initialization().await.expect("key accepted");
        let mut events = Events::attach(&stigg);

        let domain = stigg
            .get_boolean_entitlement(&GetBooleanEntitlement {
                customer_id: "cust-read",
                feature_id: "feature-custom-domain",
                ..Default::default()
            })
            .await;
        assert!(
            domain.has_access && !domain.is_fallback,
            "edge={edge}: {domain:?}"
        );
        events
            .wait(5, "cacheMiss", |e| {
                matches!(e, StiggEvent::CacheMiss { .. })
            })
            .await;

        let sso = stigg
            .get_boolean_entitlement(&GetBooleanEntitlement {
                customer_id: "cust-read",
                feature_id: "feature-sso",
                ..Default::default()
            })
            .await;
        assert!(!sso.has_access && !sso.is_fallback);
        assert_eq!(
            sso.access_denied_reason,
            Some(AccessDeniedReason::NoFeatureEntitlementInSubscription)
        );
        events
            .wait(5, "cacheHit", |e| matches!(e, StiggEvent::CacheHit { .. }))
            .await;

        let seats = stigg
            .get_metered_entitlement_cached(&metered("cust-read", "feature-seats", 10.0))
            .expect("cached");
        assert!(seats.has_access);
        assert_eq!(seats.usage_limit, Some(10.0));
        let too_many = stigg
            .get_metered_entitlement_cached(&metered("cust-read", "feature-seats", 11.0))
            .expect("cached");
        assert_eq!(
            too_many.access_denied_reason,
            Some(AccessDeniedReason::RequestedUsageExceedingLimit)
        );

        let region = stigg
            .get_enum_entitlement(&GetEnumEntitlement {
                customer_id: "cust-read",
                feature_id: "feature-data-region",
                requested_values: Some(vec!["eu".into()]),
                ..Default::default()
            })
            .await;
        assert!(region.has_access, "{region:?}");

        let unknown = stigg
            .get_boolean_entitlement(&GetBooleanEntitlement {
                customer_id: "nobody",
                feature_id: "feature-sso",
                ..Default::default()
            })
            .await;
        assert!(
            !unknown.is_fallback,
            "an unknown customer is a decision, not a fallback"
        );
        assert_eq!(
            unknown.access_denied_reason,
            Some(AccessDeniedReason::CustomerNotFound)
        );
        stigg.close().await;
    }
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_usage_stores_the_server_computed_usage() {
    let emu = emulator().await;
    provision(&emu, "cust-usage", "plan-revvenu-pro").await;
    let stigg = Stigg::new(
        config(&emu)
            .realtime_updates_enabled(false)
            .build()
            .unwrap(),
    )
    .unwrap();
    let before = stigg
        .get_metered_entitlement(&metered("cust-usage", "feature-api-calls", 1.0))
        .await;
    assert_eq!(before.current_usage, 0.0);
    for _ in 0..2 {
        let ack = stigg
            .report_usage(ReportUsage {
                customer_id: "cust-usage".into(),
                feature_id: "feature-api-calls".into(),
                value: 7.0,
                ..Default::default()
            })
            .await
            .expect("reportUsage");
        assert!(!ack.measurement_id.is_empty());
    }
    let after = stigg
        .get_metered_entitlement_cached(&metered("cust-usage", "feature-api-calls", 1.0))
        .expect("still cached");
    assert_eq!(
        after.current_usage, 14.0,
        "the server's currentUsage, written into the cache"
    );
    assert!(after.usage_period_end.is_some());

    let err = stigg
        .report_usage(ReportUsage {
            customer_id: "cust-usage".into(),
            feature_id: "feature-nope".into(),
            value: 1.0,
            ..Default::default()
        })
        .await
        .expect_err("unknown feature");
    assert!(matches!(err, StiggError::Api { .. }), "{err:?}");
    assert!(
        err.code() != "Unknown",
        "carries Stigg's error code: {err:?}"
    );
    stigg.close().await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_updates_reach_the_cache_and_listeners_and_survive_a_reconnect() {
    let emu = emulator().await;
    provision(&emu, "cust-stream", "plan-revvenu-free").await;
    let stigg = Stigg::new(config(&emu).build().unwrap()).unwrap();
    let mut events = Events::attach(&stigg);
    events
        .wait(10, "stream connected", |e| {
            matches!(e, StiggEvent::StreamConnected { .. })
        })
        .await;

    let sso = || GetBooleanEntitlement {
        customer_id: "cust-stream",
        feature_id: "feature-sso",
        ..Default::default()
    };
    assert!(!stigg.get_boolean_entitlement(&sso()).await.has_access);

    // A change made by another client reaches this one through the stream.
    change_plan(&emu, "cust-stream", "plan-revvenu-enterprise").await;
    events
        .wait(10, "entitlementsUpdated for cust-stream", |e| {
            matches!(e, StiggEvent::EntitlementsUpdated { customer_id, .. } if customer_id == "cust-stream")
        })
        .await;
    let now = stigg
        .get_boolean_entitlement_cached(&sso())
        .expect("the event filled the cache");
    assert!(now.has_access, "{now:?}");

    // Usage reported elsewhere arrives as usageUpdated.
    graphql(
        &emu,
        "mutation R($input: ReportUsageInput!) { reportUsage(input: $input) { id } }",
        json!({ "input": { "customerId": "cust-stream", "featureId": "feature-api-calls", "value": 3 } }),
    )
    .await;
    events
        .wait(10, "usageUpdated", |e| matches!(e, StiggEvent::UsageUpdated { entitlement_id, .. } if entitlement_id == "feature-api-calls"))
        .await;
    let projects = stigg
        .get_metered_entitlement_cached(&metered("cust-stream", "feature-api-calls", 0.0))
        .expect("cached");
    assert_eq!(projects.current_usage, 3.0);

    // The emulator drops every socket: the client reconnects and revalidates instead of serving stale data.
    admin(&emu, Method::POST, "/_emulator/ws/drop", json!({})).await;
    events
        .wait(15, "reconnect", |e| {
            matches!(e, StiggEvent::StreamConnected { reconnect: true })
        })
        .await;
    assert!(
        stigg.get_boolean_entitlement_cached(&sso()).is_none(),
        "a state fetched before the reconnect is revalidated before it is served"
    );
    assert!(stigg.get_boolean_entitlement(&sso()).await.has_access);
    assert!(stigg.get_boolean_entitlement_cached(&sso()).is_some());
    stigg.close().await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_key_fails_initialization_and_raises_api_key_invalid() {
    let emu = emulator().await;
    let stigg = Stigg::new(config(&emu).api_key("server-wrong").build().unwrap()).unwrap();
    let err = stigg.wait_for_initialization().await.expect_err("bad key");
    assert_eq!(err.code(), "Unauthenticated", "{err:?}");
    // Listeners added after start may miss the first apiKeyInvalid; a read raises it again.
    let mut events = Events::attach(&stigg);
    let read = stigg
        .get_boolean_entitlement(&GetBooleanEntitlement {
            customer_id: "c",
            feature_id: "f",
            ..Default::default()
        })
        .await;
    events
        .wait(10, "apiKeyInvalid", |e| {
            matches!(e, StiggEvent::ApiKeyInvalid)
        })
        .await;
    assert!(read.is_fallback);
    stigg.close().await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_faults_give_fallbacks_on_reads_and_typed_errors_on_writes() {
    let emu = emulator().await;
    provision(&emu, "cust-fault", "plan-revvenu-pro").await;
    let stigg = Stigg::new(
        config(&emu)
            .realtime_updates_enabled(false)
            .entitlements_timeout(Duration::from_millis(800))
            .timeout(Duration::from_millis(800))
            .build()
            .unwrap(),
    )
    .unwrap();
    let check = || GetBooleanEntitlement {
        customer_id: "cust-fault",
        feature_id: "feature-custom-domain",
        ..Default::default()
    };

    // HTTP 500 on every request: reads fall back, writes fail with a typed error.
    admin(
        &emu,
        Method::POST,
        "/_emulator/faults",
        json!({ "type": "status", "status": 500 }),
    )
    .await;
    let r = stigg.get_boolean_entitlement(&check()).await;
    assert!(r.is_fallback && !r.has_access);
    let err = stigg
        .report_usage(ReportUsage {
            customer_id: "cust-fault".into(),
            feature_id: "feature-api-calls".into(),
            value: 1.0,
            ..Default::default()
        })
        .await
        .expect_err("500");
    assert!(matches!(err, StiggError::Api { .. }), "{err:?}");
    admin(&emu, Method::DELETE, "/_emulator/faults", json!({})).await;

    // Two 429s with Retry-After 0, then success: retried, and the read decides on real data.
    admin(
        &emu,
        Method::POST,
        "/_emulator/faults",
        json!({ "type": "status", "status": 429, "retryAfter": 0, "count": 2 }),
    )
    .await;
    let r = stigg.get_boolean_entitlement(&check()).await;
    assert!(r.has_access && !r.is_fallback, "{r:?}");

    // A hung server: the entitlements timeout bounds the read, which falls back.
    admin(
        &emu,
        Method::POST,
        "/_emulator/faults",
        json!({ "type": "hang" }),
    )
    .await;
    let started = std::time::Instant::now();
    let r = stigg
        .get_boolean_entitlement(&GetBooleanEntitlement {
            customer_id: "cust-other",
            feature_id: "feature-sso",
            ..Default::default()
        })
        .await;
    assert!(r.is_fallback);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "bounded by the timeout, took {:?}",
        started.elapsed()
    );
    let err = stigg
        .report_usage(ReportUsage {
            customer_id: "cust-fault".into(),
            feature_id: "feature-api-calls".into(),
            value: 1.0,
            ..Default::default()
        })
        .await
        .expect_err("timeout");
    assert_eq!(err.code(), "RequestTimeout", "{err:?}");
    admin(&emu, Method::DELETE, "/_emulator/faults", json!({})).await;
    stigg.close().await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credits_events_bulk_estimates_and_the_generic_reads() {
    use stigg_core::client::{
        GetCreditEntitlement, GetEntitlement, GetEntitlementV2, GetNumericEntitlement,
    };
    use stigg_core::model::usage::{
        ConsumeCredits, EstimateEventCost, EstimateUsageCost, ReportEvent,
    };
    use stigg_core::model::{Entitlement, EntitlementV2};

    let emu = emulator().await;
    provision(&emu, "cust-ai", "plan-ai-starter").await;
    provision(&emu, "cust-rev", "plan-revvenu-pro").await;
    let stigg = Stigg::new(
        config(&emu)
            .realtime_updates_enabled(false)
            .build()
            .unwrap(),
    )
    .unwrap();
    let mut events = Events::attach(&stigg);

    // Credits: the plan grants 1,000 credits; consuming 150 is visible in the cached wallet.
    let wallet = || GetCreditEntitlement {
        customer_id: "cust-ai",
        currency_id: "cred-ai-tokens",
        requested_usage: Some(10.0),
        ..Default::default()
    };
    let before = stigg.get_credit_entitlement(&wallet()).await;
    assert!(before.has_access && !before.is_fallback, "{before:?}");
    assert_eq!((before.usage_limit, before.current_usage), (1000.0, 0.0));
    let consumed = stigg
        .consume_credits(ConsumeCredits {
            customer_id: "cust-ai".into(),
            currency_id: "cred-ai-tokens".into(),
            amount: 150.0,
            idempotency_key: "consume-1".into(),
            ..Default::default()
        })
        .await
        .expect("consumeCredits");
    assert_eq!(consumed.amount, 150.0);
    let after = stigg
        .get_credit_entitlement_cached(&wallet())
        .expect("cached");
    assert_eq!(after.current_usage, 150.0, "{after:?}");
    assert_eq!(after.remaining, 850.0);
    stigg
        .consume_credits_async(vec![ConsumeCredits {
            customer_id: "cust-ai".into(),
            currency_id: "cred-ai-tokens".into(),
            amount: 1.0,
            idempotency_key: "consume-2".into(),
            ..Default::default()
        }])
        .await
        .expect("consumeCreditsAsync");
    let estimate = stigg
        .estimate_usage_cost(EstimateUsageCost {
            customer_id: "cust-ai".into(),
            feature_id: "feature-ai-tokens".into(),
            value: 1000.0,
            ..Default::default()
        })
        .await
        .expect("estimateUsageCost");
    assert_eq!(estimate.estimates.len(), 1, "{estimate:?}");
    assert!(
        (estimate.estimates[0].estimated_cost - 10.0).abs() < 1e-9,
        "1000 × 0.01: {estimate:?}"
    );
    stigg
        .estimate_event_cost(EstimateEventCost {
            customer_id: "cust-ai".into(),
            event_name: "completion".into(),
            ..Default::default()
        })
        .await
        .expect("estimateEventCost");

    // V2 of a credit and of a feature; the generic getter; the whole state.
    let v2 = stigg
        .get_entitlement_v2(&GetEntitlementV2 {
            customer_id: "cust-ai",
            currency_id: Some("cred-ai-tokens"),
            ..Default::default()
        })
        .await;
    assert!(
        matches!(v2, EntitlementV2::Credit(ref c) if c.has_access && !c.is_fallback),
        "{v2:?}"
    );
    let v2 = stigg
        .get_entitlement_v2(&GetEntitlementV2 {
            customer_id: "cust-rev",
            feature_id: Some("feature-seats"),
            ..Default::default()
        })
        .await;
    assert!(
        matches!(v2, EntitlementV2::Feature(Entitlement::Metered(ref m)) if m.usage_limit == Some(10.0)),
        "{v2:?}"
    );
    let generic = stigg
        .get_entitlement(&GetEntitlement {
            customer_id: "cust-rev",
            feature_id: "feature-custom-domain",
            ..Default::default()
        })
        .await;
    assert!(
        matches!(generic, Entitlement::Boolean(ref b) if b.has_access),
        "{generic:?}"
    );
    let projects = stigg
        .get_numeric_entitlement(&GetNumericEntitlement {
            customer_id: "cust-rev",
            feature_id: "feature-max-projects",
            ..Default::default()
        })
        .await;
    assert_eq!(projects.value, Some(25.0));
    let state = stigg.get_entitlements_state_v2("cust-rev", None).await;
    assert!(state.access_denied_reason.is_none());
    assert!(
        state.entitlements.len() >= 6,
        "{} entitlements",
        state.entitlements.len()
    );
    assert!(state.entitlements.iter().all(|e| !e.is_fallback()));

    // Events feed a meter; bulk reports answer per usage.
    stigg
        .report_event(vec![ReportEvent {
            event_name: "api_request".into(),
            customer_id: "cust-rev".into(),
            idempotency_key: "evt-1".into(),
            ..Default::default()
        }])
        .await
        .expect("reportEvent");
    let acks = stigg
        .report_usage_bulk(vec![
            ReportUsage {
                customer_id: "cust-rev".into(),
                feature_id: "feature-seats".into(),
                value: 2.0,
                ..Default::default()
            },
            ReportUsage {
                customer_id: "cust-rev".into(),
                feature_id: "feature-daily-exports".into(),
                value: 1.0,
                ..Default::default()
            },
        ])
        .await
        .expect("reportUsageBulk");
    assert_eq!(acks.len(), 2);
    assert_eq!(acks[0].current_usage, Some(2.0));

    // reloadEntitlements refetches through GraphQL: the event's usage is there.
    assert!(
        stigg
            .reload_entitlements("cust-rev", None)
            .await
            .entitled_entity_exists
    );
    let calls = stigg
        .get_metered_entitlement_cached(&metered("cust-rev", "feature-api-calls", 0.0))
        .expect("reloaded");
    assert_eq!(calls.current_usage, 1.0, "one api_request event counted");
    assert!(
        !stigg
            .reload_entitlements("nobody-at-all", None)
            .await
            .entitled_entity_exists
    );
    events
        .wait(5, "a cache miss was reported", |e| {
            matches!(e, StiggEvent::CacheMiss { .. })
        })
        .await;
    stigg.close().await;
    emu.shutdown().await;
}
