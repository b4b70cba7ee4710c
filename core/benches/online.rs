//! Online latencies against the in-process emulator on loopback, with percentiles:
//! - a cache-miss check (Edge fetch of the customer's whole state, then the decision);
//! - update propagation: a usage report made through another connection, until this client's
//!   `usageUpdated` listener runs (an upper bound of server change → listener, since it includes the
//!   report's own round trip).
//!
//! `cargo bench -p stigg-core --bench online` prints p50/p99. Under `cargo test --benches` it runs a
//! few iterations only, so CI exercises it cheaply.

use std::time::{Duration, Instant};

use serde_json::json;
use stigg_core::client::{GetMeteredEntitlement, StiggEvent};
use stigg_core::{Stigg, StiggConfig};
use stigg_emulator::Emulator;
use tokio::sync::mpsc;

const KEY: &str = "server-emulator-key";

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{name:<28} n={:<5} p50={:>9.3?} p99={:>9.3?} max={:>9.3?}",
        samples.len(),
        percentile(&samples, 0.50),
        percentile(&samples, 0.99),
        samples[samples.len() - 1]
    );
}

async fn graphql(http: &reqwest::Client, base: &str, query: &str, variables: serde_json::Value) {
    let resp = http
        .post(format!("{base}/graphql"))
        .header("X-API-KEY", KEY)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("emulator answers");
    assert!(resp.status().is_success());
}

fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let (customers, updates) = if quick { (5, 5) } else { (2_000, 1_000) };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let emu = Emulator::builder().port(0).edge_port(0).start().await.expect("emulator");
        let base = emu.base_url();
        let http = reqwest::Client::new();
        for i in 0..customers {
            graphql(
                &http,
                &base,
                "mutation P($input: ProvisionCustomerInput!) { provisionCustomer(input: $input) { customer { refId } } }",
                json!({ "input": { "customerId": format!("bench-{i}"), "subscriptionParams": { "planId": "plan-revvenu-pro" } } }),
            )
            .await;
        }
        let config = StiggConfig::builder()
            .api_key(KEY)
            .read_env(false)
            .base_uri(&base)
            .base_edge_uri(emu.edge_url())
            .ws_url(emu.ws_url())
            .build()
            .expect("config");
        let stigg = Stigg::new(config).expect("client");
        let (tx, mut rx) = mpsc::unbounded_channel();
        stigg.add_listener(move |e| {
            if let StiggEvent::StreamConnected { .. } | StiggEvent::UsageUpdated { .. } = e {
                let _ = tx.send(Instant::now());
            }
        });
        stigg.wait_for_initialization().await.expect("init");
        tokio::time::timeout(Duration::from_secs(10), rx.recv()).await.expect("stream connects");

        let mut misses = Vec::with_capacity(customers);
        for i in 0..customers {
            let id = format!("bench-{i}");
            let t0 = Instant::now();
            let r = stigg
                .get_metered_entitlement(&GetMeteredEntitlement {
                    customer_id: &id,
                    feature_id: "feature-api-calls",
                    requested_usage: Some(1.0),
                    ..Default::default()
                })
                .await;
            misses.push(t0.elapsed());
            assert!(r.has_access && !r.is_fallback, "{r:?}");
        }
        report("cache-miss check (Edge)", misses);

        let mut propagation = Vec::with_capacity(updates);
        for _ in 0..updates {
            let t0 = Instant::now();
            graphql(
                &http,
                &base,
                "mutation R($input: ReportUsageInput!) { reportUsage(input: $input) { id } }",
                json!({ "input": { "customerId": "bench-0", "featureId": "feature-api-calls", "value": 1 } }),
            )
            .await;
            let seen = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await.expect("usageUpdated").expect("open");
            propagation.push(seen.duration_since(t0));
        }
        report("update propagation", propagation);
        stigg.close().await;
        emu.shutdown().await;
    });
}
