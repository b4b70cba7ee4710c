//! The stream client against the real emulator (`stigg-emulator`) over real sockets: GraphQL mutations
//! and admin hooks on one side, `stigg_core::stream` events on the other. Every wait has a deadline.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{json, Value};
use stigg_core::model::wire::EntitlementUnion;
use stigg_core::model::EntitlementType;
use stigg_core::stream::{self, Backoff, StreamEvent, StreamHandle, StreamOptions, Subscriptions};
use stigg_emulator::{Emulator, RunningEmulator, DEFAULT_API_KEY};
use tokio::sync::mpsc::{self, UnboundedReceiver};
use tokio::time::{timeout, Instant};

const DEADLINE: Duration = Duration::from_secs(10);

async fn emulator() -> RunningEmulator {
    Emulator::builder()
        .port(0)
        .edge_port(0)
        .start()
        .await
        .expect("emulator starts")
}

fn options(emu: &RunningEmulator, key: &str, subs: Subscriptions) -> StreamOptions {
    // The origin, as `StiggConfig::ws_url` gives it; the stream appends `/graphql`.
    let mut o = StreamOptions::new(
        format!("ws://{}", emu.addr()),
        vec![
            ("X-API-KEY".into(), key.into()),
            ("source".into(), "NODE_SERVER_SDK".into()),
        ],
    );
    o.subscriptions = subs;
    // Fast but still jittered reconnects.
    o.backoff = Backoff {
        base: Duration::from_millis(50),
        max: Duration::from_millis(200),
        jitter_min: Duration::from_millis(10),
        jitter_max: Duration::from_millis(50),
    };
    o
}

fn start(
    emu: &RunningEmulator,
    key: &str,
    subs: Subscriptions,
) -> (StreamHandle, UnboundedReceiver<StreamEvent>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let h = stream::start(
        options(emu, key, subs),
        tx,
        &tokio::runtime::Handle::current(),
    );
    (h, rx)
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(DEADLINE)
        .build()
        .expect("http client")
}

async fn gql(emu: &RunningEmulator, query: &str, variables: Value) -> Value {
    let body: Value = http()
        .post(format!("{}/graphql", emu.base_url()))
        .header("X-API-KEY", DEFAULT_API_KEY)
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await
        .expect("graphql request")
        .json()
        .await
        .expect("graphql json");
    assert!(body.get("errors").is_none(), "graphql errors: {body}");
    body["data"].clone()
}

async fn admin(emu: &RunningEmulator, path: &str, body: Value) -> Value {
    http()
        .post(format!("{}{path}", emu.base_url()))
        .json(&body)
        .send()
        .await
        .expect("admin request")
        .json()
        .await
        .expect("admin json")
}

async fn provision(emu: &RunningEmulator, customer: &str, plan: &str) {
    gql(
        emu,
        "mutation ProvisionCustomer($input: ProvisionCustomerInput!) { provisionCustomer(input: $input) { customer { refId } } }",
        json!({"input": {"customerId": customer, "name": "Acme", "subscriptionParams": {"planId": plan}}}),
    )
    .await;
}

async fn report_usage(emu: &RunningEmulator, customer: &str, feature: &str, value: f64) {
    gql(
        emu,
        "mutation ReportUsage($input: ReportUsageInput!) { reportUsage(input: $input) { currentUsage } }",
        json!({"input": {"customerId": customer, "featureId": feature, "value": value}}),
    )
    .await;
}

/// The next event, within the deadline.
async fn next(rx: &mut UnboundedReceiver<StreamEvent>) -> StreamEvent {
    timeout(DEADLINE, rx.recv())
        .await
        .expect("no stream event before the deadline")
        .expect("the stream ended")
}

/// Skips events until one matches, within the deadline.
async fn until<T>(
    rx: &mut UnboundedReceiver<StreamEvent>,
    mut pick: impl FnMut(StreamEvent) -> Option<T>,
) -> T {
    let end = Instant::now() + DEADLINE;
    loop {
        let left = end.saturating_duration_since(Instant::now());
        let ev = timeout(left, rx.recv())
            .await
            .expect("the expected event did not arrive before the deadline")
            .expect("the stream ended");
        if let Some(t) = pick(ev) {
            return t;
        }
    }
}

/// Waits until the stream task has ended (the event channel closes), skipping events.
async fn ended(rx: &mut UnboundedReceiver<StreamEvent>) -> Vec<StreamEvent> {
    let mut seen = Vec::new();
    loop {
        match timeout(DEADLINE, rx.recv())
            .await
            .expect("the stream did not end")
        {
            Some(e) => seen.push(e),
            None => return seen,
        }
    }
}

/// Waits (polling, with a deadline) until the handle reports its task ended. The event channel closes
/// a moment before the task is marked finished.
async fn finished(handle: &StreamHandle) {
    let end = Instant::now() + DEADLINE;
    while !handle.is_finished() {
        assert!(Instant::now() < end, "the stream task did not end");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

const PROBE: &str = "probe-customer";

fn probe(field: &str) -> Value {
    match field {
        "entitlementsUpdatedV2" | "entitlementsUpdated" => {
            json!({"customerId": PROBE, "resourceId": null, "accessDeniedReason": null, "entitlements": []})
        }
        "usageUpdatedV2" => json!({"customerId": PROBE, "resourceId": null,
            "entitlementReference": {"id": "probe-feature", "type": "FEATURE"},
            "usage": {"currentUsage": 0, "usageUpdatedAt": "2024-01-01T00:00:00.000Z"}}),
        "packagePublished" => {
            json!({"accountId": PROBE, "environmentId": "e", "packageType": "plan",
            "packageRefId": "probe-plan", "packageVersion": 1, "migrationType": "NEW_CUSTOMERS"})
        }
        "usageUpdated" => {
            json!({"usage": {"customerId": PROBE, "resourceId": null, "featureId": "probe-feature",
                "currentUsage": 0},
            "entitlement": {"isGranted": true, "hasUnlimitedUsage": true, "customerId": PROBE}})
        }
        "creditBalanceUpdated" => {
            json!({"currencyId": "probe", "currentBalance": 0, "customerId": PROBE,
            "totalConsumed": 0, "totalGranted": 0})
        }
        other => panic!("no probe for {other}"),
    }
}

/// Which subscription field a probe event came back on.
fn probe_field(ev: &StreamEvent) -> Option<&'static str> {
    match ev {
        StreamEvent::EntitlementsUpdated(p) if p.customer_id == PROBE => {
            Some("entitlementsUpdatedV2")
        }
        StreamEvent::UsageUpdated(p) if p.customer_id == PROBE => Some("usageUpdatedV2"),
        StreamEvent::PackagePublished(p) if p.account_id == PROBE => Some("packagePublished"),
        StreamEvent::LegacyEntitlementsUpdated(p) if p.customer_id == PROBE => {
            Some("entitlementsUpdated")
        }
        StreamEvent::LegacyUsageUpdated(p) if p.usage.customer_id == PROBE => Some("usageUpdated"),
        StreamEvent::CreditBalanceUpdated(p) if p.customer_id == PROBE => {
            Some("creditBalanceUpdated")
        }
        _ => None,
    }
}

/// graphql-transport-ws has no "subscribed" acknowledgement, and the emulator starts each subscription
/// asynchronously. Pushes a probe per subscription through the admin hook until every one has come
/// back, so that a later change cannot race the subscriptions.
async fn wait_subscribed(
    emu: &RunningEmulator,
    rx: &mut UnboundedReceiver<StreamEvent>,
    subs: Subscriptions,
) {
    let mut missing: BTreeSet<&str> = subs.operations().iter().map(|o| o.field).collect();
    let end = Instant::now() + DEADLINE;
    while !missing.is_empty() {
        assert!(
            Instant::now() < end,
            "subscriptions never became live: {missing:?}"
        );
        for field in &missing {
            admin(
                emu,
                "/_emulator/events",
                json!({"field": field, "payload": probe(field)}),
            )
            .await;
        }
        // Collect what came back during a short window, then push again for what is still missing.
        let window = Instant::now() + Duration::from_millis(100);
        while let Ok(Some(ev)) = tokio::time::timeout_at(window, rx.recv()).await {
            if let Some(f) = probe_field(&ev) {
                missing.remove(f);
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provision_customer_reaches_the_stream_as_entitlements_updated() {
    let emu = emulator().await;
    let (handle, mut rx) = start(&emu, DEFAULT_API_KEY, Subscriptions::V2);
    assert_eq!(
        next(&mut rx).await,
        StreamEvent::Connected { reconnect: false }
    );
    wait_subscribed(&emu, &mut rx, Subscriptions::V2).await;

    provision(&emu, "cust-stream-1", "plan-revvenu-free").await;
    let update = until(&mut rx, |e| match e {
        StreamEvent::EntitlementsUpdated(p) if p.customer_id == "cust-stream-1" => Some(p),
        _ => None,
    })
    .await;
    assert_eq!(update.access_denied_reason, None);
    // The whole FeatureEntitlementFragment came through the emulator's schema and our parser.
    let api_calls = update
        .entitlements
        .iter()
        .find_map(|e| match e {
            EntitlementUnion::FeatureEntitlement(f)
                if f.feature.as_ref().map(|x| x.ref_id.as_str()) == Some("feature-api-calls") =>
            {
                Some(f)
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("feature-api-calls in the update: {update:#?}"));
    // Every member came with its fields (none is an empty shell).
    assert!(update.entitlements.len() >= 5, "{update:#?}");
    assert!(update.entitlements.iter().all(|e| match e {
        EntitlementUnion::FeatureEntitlement(f) => f.feature.is_some() && f.is_granted,
        EntitlementUnion::CreditEntitlement(c) => !c.currency.currency_id.is_empty(),
    }));
    assert!(api_calls.is_granted);
    assert_eq!(api_calls.usage_limit, Some(1000.0));
    assert_eq!(
        api_calls
            .feature
            .as_ref()
            .and_then(|f| f.display_name.as_deref()),
        Some("API calls")
    );
    assert_eq!(
        api_calls
            .reset_period_configuration
            .as_ref()
            .and_then(|c| c.monthly_according_to.as_ref())
            .map(|m| m.as_str()),
        Some("SubscriptionStart")
    );
    assert!(api_calls.usage_period_end.is_some());
    assert!(api_calls.reset_period.is_some());
    handle.shutdown().await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_usage_reaches_the_stream_as_usage_updated() {
    let emu = emulator().await;
    provision(&emu, "cust-usage", "plan-revvenu-free").await;
    let (handle, mut rx) = start(&emu, DEFAULT_API_KEY, Subscriptions::V2);
    assert_eq!(
        next(&mut rx).await,
        StreamEvent::Connected { reconnect: false }
    );
    wait_subscribed(&emu, &mut rx, Subscriptions::V2).await;

    report_usage(&emu, "cust-usage", "feature-api-calls", 5.0).await;
    let u = until(&mut rx, |e| match e {
        StreamEvent::UsageUpdated(u) if u.customer_id == "cust-usage" => Some(u),
        _ => None,
    })
    .await;
    assert_eq!(u.entitlement_reference.id, "feature-api-calls");
    assert_eq!(
        u.entitlement_reference.entitlement_type,
        EntitlementType::Feature
    );
    assert_eq!(u.usage.current_usage, 5.0);
    assert!(u.usage.usage_updated_at.is_some());
    assert!(u.usage.usage_period_end.is_some());
    handle.shutdown().await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn package_published_pushed_by_the_admin_hook_reaches_the_stream() {
    let emu = emulator().await;
    let (handle, mut rx) = start(&emu, DEFAULT_API_KEY, Subscriptions::V2);
    assert_eq!(
        next(&mut rx).await,
        StreamEvent::Connected { reconnect: false }
    );
    wait_subscribed(&emu, &mut rx, Subscriptions::V2).await;
    admin(
        &emu,
        "/_emulator/events",
        json!({"field": "packagePublished", "payload": {"accountId": "acc", "environmentId": "env",
            "packageType": "plan", "packageRefId": "plan-revvenu-pro", "packageVersion": 7,
            "migrationType": "ALL_CUSTOMERS"}}),
    )
    .await;
    let p = until(&mut rx, |e| match e {
        StreamEvent::PackagePublished(p) if p.account_id == "acc" => Some(p),
        _ => None,
    })
    .await;
    assert_eq!(p.package_ref_id, "plan-revvenu-pro");
    assert_eq!(p.package_version, 7.0);
    assert_eq!(
        p.migration_type,
        stigg_core::model::PublishMigrationType::AllCustomers
    );
    handle.shutdown().await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnects_after_the_emulator_drops_every_websocket() {
    let emu = emulator().await;
    let (handle, mut rx) = start(&emu, DEFAULT_API_KEY, Subscriptions::V2);
    assert_eq!(
        next(&mut rx).await,
        StreamEvent::Connected { reconnect: false }
    );
    wait_subscribed(&emu, &mut rx, Subscriptions::V2).await;

    let dropped = admin(&emu, "/_emulator/ws/drop", json!({})).await;
    assert!(dropped["dropped"].as_u64().unwrap_or(0) >= 1, "{dropped}");
    let reason = until(&mut rx, |e| match e {
        StreamEvent::Disconnected { reason } => Some(reason),
        _ => None,
    })
    .await;
    assert!(reason.contains("1012"), "{reason}");
    assert_eq!(
        next(&mut rx).await,
        StreamEvent::Connected { reconnect: true }
    );

    // The new connection carries updates again.
    wait_subscribed(&emu, &mut rx, Subscriptions::V2).await;
    provision(&emu, "cust-after-drop", "plan-revvenu-free").await;
    until(&mut rx, |e| match e {
        StreamEvent::EntitlementsUpdated(p) if p.customer_id == "cust-after-drop" => Some(()),
        _ => None,
    })
    .await;

    // A second drop with another code: again.
    admin(
        &emu,
        "/_emulator/ws/drop",
        json!({"code": 1001, "reason": "going away"}),
    )
    .await;
    let reconnect = until(&mut rx, |e| match e {
        StreamEvent::Connected { reconnect } => Some(reconnect),
        _ => None,
    })
    .await;
    assert!(reconnect);
    handle.shutdown().await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_api_key_is_fatal_and_the_stream_does_not_reconnect() {
    let emu = emulator().await;
    let (handle, mut rx) = start(&emu, "server-not-a-key", Subscriptions::V2);
    assert_eq!(next(&mut rx).await, StreamEvent::InvalidApiKey);
    // The task ended on its own: no reconnect, no further events, the channel closed.
    assert_eq!(ended(&mut rx).await, vec![]);
    finished(&handle).await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_api_key_pushed_on_a_live_connection_is_fatal() {
    let emu = emulator().await;
    let (handle, mut rx) = start(&emu, DEFAULT_API_KEY, Subscriptions::V2);
    assert_eq!(
        next(&mut rx).await,
        StreamEvent::Connected { reconnect: false }
    );
    // A key revoked while connected: the server closes with a non-4401 code but the fatal reason.
    admin(
        &emu,
        "/_emulator/ws/drop",
        json!({"code": 4500, "reason": "Invalid API key"}),
    )
    .await;
    assert_eq!(
        until(&mut rx, |e| matches!(e, StreamEvent::InvalidApiKey)
            .then_some(()))
        .await,
        ()
    );
    assert_eq!(ended(&mut rx).await, vec![]);
    finished(&handle).await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_ends_the_task_and_closes_the_socket() {
    let emu = emulator().await;
    let (handle, mut rx) = start(&emu, DEFAULT_API_KEY, Subscriptions::V2);
    assert_eq!(
        next(&mut rx).await,
        StreamEvent::Connected { reconnect: false }
    );
    handle.stop();
    // Nothing but the end of the channel follows a stop (no Disconnected, no reconnect).
    assert_eq!(ended(&mut rx).await, vec![]);
    finished(&handle).await;
    // The emulator's session for it ends too (it notices the close a moment later): polled.
    let end = Instant::now() + DEADLINE;
    loop {
        let dropped = admin(&emu, "/_emulator/ws/drop", json!({})).await;
        if dropped["dropped"] == 0 {
            break;
        }
        assert!(Instant::now() < end, "the emulator still holds a WebSocket");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_subscriptions_work_against_the_emulator() {
    let emu = emulator().await;
    provision(&emu, "cust-legacy", "plan-revvenu-free").await;
    let (handle, mut rx) = start(&emu, DEFAULT_API_KEY, Subscriptions::Legacy);
    assert_eq!(
        next(&mut rx).await,
        StreamEvent::Connected { reconnect: false }
    );
    wait_subscribed(&emu, &mut rx, Subscriptions::Legacy).await;

    report_usage(&emu, "cust-legacy", "feature-api-calls", 3.0).await;
    let u = until(&mut rx, |e| match e {
        StreamEvent::LegacyUsageUpdated(u) if u.usage.customer_id == "cust-legacy" => Some(u),
        _ => None,
    })
    .await;
    assert_eq!(u.usage.feature_id, "feature-api-calls");
    assert_eq!(u.usage.current_usage, 3.0);
    assert!(u.usage.usage_period_end.is_some());

    provision(&emu, "cust-legacy-2", "plan-revvenu-free").await;
    let e = until(&mut rx, |e| match e {
        StreamEvent::LegacyEntitlementsUpdated(p) if p.customer_id == "cust-legacy-2" => Some(p),
        _ => None,
    })
    .await;
    assert!(e
        .entitlements
        .iter()
        .any(|x| x.feature.as_ref().map(|f| f.ref_id.as_str()) == Some("feature-api-calls")));
    handle.shutdown().await;
    emu.shutdown().await;
}
