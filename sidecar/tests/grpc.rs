//! The sidecar in-process, called through the generated tonic client: cached checks backed by the
//! emulator, writes and their errors, offline fallbacks, health endpoints, graceful shutdown.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use stigg_emulator::{Emulator, RunningEmulator, DEFAULT_API_KEY};
use stigg_sidecar::pb::sidecar_service_client::SidecarServiceClient;
use stigg_sidecar::pb::{self, AccessDeniedReason};
use stigg_sidecar::{RunningSidecar, SidecarConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tonic::transport::Channel;

fn config(vars: &[(&str, &str)]) -> SidecarConfig {
    let mut map: HashMap<String, String> =
        [("PORT", "0"), ("HEALTH_PORT", "0"), ("HOST", "127.0.0.1")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
    for (k, v) in vars {
        map.insert(k.to_string(), v.to_string());
    }
    SidecarConfig::from_lookup(|k| map.get(k).cloned()).unwrap()
}

async fn emulator() -> RunningEmulator {
    Emulator::builder()
        .port(0)
        .edge_port(0)
        .start()
        .await
        .unwrap()
}

async fn online(emu: &RunningEmulator) -> RunningSidecar {
    let base = emu.base_url();
    stigg_sidecar::start(config(&[
        ("SERVER_API_KEY", DEFAULT_API_KEY),
        ("API_URL", &base),
        ("EDGE_API_URL", &base),
        ("WS_ENABLED", "false"),
    ]))
    .await
    .unwrap()
}

async fn client(sc: &RunningSidecar) -> SidecarServiceClient<Channel> {
    SidecarServiceClient::connect(format!("http://{}", sc.grpc_addr()))
        .await
        .unwrap()
}

async fn http_get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    out
}

async fn provision(sc: &RunningSidecar, customer: &str, plan: &str) {
    let input = serde_json::from_value(serde_json::json!({
        "customerId": customer,
        "subscriptionParams": {"planId": plan},
    }))
    .unwrap();
    sc.stigg().provision_customer(input).await.unwrap();
}

fn metered(
    customer: &str,
    feature: &str,
    requested: Option<f64>,
) -> pb::GetMeteredEntitlementRequest {
    pb::GetMeteredEntitlementRequest {
        customer_id: customer.into(),
        feature_id: feature.into(),
        resource_id: None,
        options: Some(pb::MeteredEntitlementOptions {
            requested_usage: requested,
            fallback: None,
        }),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cached_checks_and_writes_against_the_emulator() {
    let emu = emulator().await;
    let sc = online(&emu).await;
    provision(&sc, "rust-c1", "plan-revvenu-pro").await;
    let mut c = client(&sc).await;

    let r = c
        .get_metered_entitlement(metered("rust-c1", "feature-api-calls", Some(0.0)))
        .await
        .unwrap()
        .into_inner();
    assert!(r.has_access);
    assert!(!r.is_fallback);
    assert_eq!(r.requested_usage, 0.0);
    let m = r.entitlement.unwrap();
    assert_eq!(m.usage_limit, Some(100_000.0));
    assert_eq!(m.has_soft_limit, Some(false));
    assert_eq!(
        m.reset_period,
        Some(pb::EntitlementResetPeriod::Month as i32)
    );

    let n = c
        .get_numeric_entitlement(pb::GetNumericEntitlementRequest {
            customer_id: "rust-c1".into(),
            feature_id: "feature-max-projects".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(n.entitlement.unwrap().value, Some(25));

    let ack = c
        .report_usage(pb::ReportUsageRequest {
            customer_id: "rust-c1".into(),
            feature_id: "feature-api-calls".into(),
            value: 4.0,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ack.current_usage, Some(4.0));
    let r = c
        .get_metered_entitlement(metered("rust-c1", "feature-api-calls", None))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.entitlement.unwrap().current_usage, 4.0);

    let err = c
        .report_usage(pb::ReportUsageRequest {
            customer_id: String::new(),
            feature_id: "feature-api-calls".into(),
            value: 1.0,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument);
    assert_eq!(
        err.metadata()
            .get("stigg-error-code")
            .and_then(|v| v.to_str().ok()),
        Some("InvalidArgument")
    );

    let r = c
        .get_boolean_entitlement(pb::GetBooleanEntitlementRequest {
            customer_id: "rust-nobody".into(),
            feature_id: "feature-sso".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(!r.is_fallback);
    assert_eq!(
        r.access_denied_reason,
        Some(AccessDeniedReason::CustomerNotFound as i32)
    );

    let metrics = http_get(sc.health_addr(), "/metrics").await;
    assert!(metrics.contains("sidecar_cache_hits_total"), "{metrics}");
    assert!(metrics.contains(
        "sidecar_grpc_request_duration_seconds_count{method=\"GetMeteredEntitlement\"} 2"
    ));
    assert!(metrics.contains("sidecar_grpc_request_errors_total{method=\"ReportUsage\"} 1"));

    drop(c);
    sc.shutdown().await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_answers_fallbacks_and_health_is_up() {
    let sc = stigg_sidecar::start(config(&[
        ("OFFLINE", "true"),
        (
            "ENTITLEMENTS_FALLBACK",
            r#"{"feature-sso":{"hasAccess":true}}"#,
        ),
    ]))
    .await
    .unwrap();
    assert!(sc.is_ready());
    let mut c = client(&sc).await;
    let r = c
        .get_boolean_entitlement(pb::GetBooleanEntitlementRequest {
            customer_id: "c".into(),
            feature_id: "feature-sso".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(r.has_access && r.is_fallback);
    let r = c
        .get_boolean_entitlement(pb::GetBooleanEntitlementRequest {
            customer_id: "c".into(),
            feature_id: "other".into(),
            resource_id: None,
            options: Some(pb::BooleanEntitlementOptions {
                fallback: Some(pb::BooleanEntitlementFallback { has_access: true }),
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(r.has_access && r.is_fallback);
    assert_eq!(
        r.access_denied_reason,
        Some(AccessDeniedReason::Unknown as i32)
    );

    let ack = c
        .report_usage(pb::ReportUsageRequest {
            customer_id: "c".into(),
            feature_id: "f".into(),
            value: 1.0,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(!ack.measurement_id.is_empty());
    assert_eq!(ack.current_usage, None);

    let live = http_get(sc.health_addr(), "/livez").await;
    assert!(
        live.starts_with("HTTP/1.1 200") && live.ends_with(r#"{"status":"UP"}"#),
        "{live}"
    );
    let ready = http_get(sc.health_addr(), "/readyz").await;
    assert!(ready.ends_with(r#"{"status":"UP"}"#), "{ready}");

    drop(c);
    let grpc = sc.grpc_addr();
    sc.shutdown().await;
    // The listener is closed after shutdown.
    assert!(tokio::net::TcpStream::connect(grpc).await.is_err());
}
