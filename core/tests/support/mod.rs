//! Shared pieces of the integration tests: an in-process emulator, raw GraphQL and admin calls, and
//! waiting for client events with a deadline (no blind sleeps).
#![allow(dead_code)]

use std::time::Duration;

use serde_json::{json, Value};
use stigg_core::api::retry::RetryPolicy;
use stigg_core::client::StiggEvent;
use stigg_core::{Stigg, StiggConfig, StiggConfigBuilder};
use stigg_emulator::{Emulator, RunningEmulator};
use tokio::sync::mpsc;

/// The emulator's default API key.
pub const KEY: &str = "server-emulator-key";

/// Starts an emulator on ephemeral ports with the example catalog.
pub async fn emulator() -> RunningEmulator {
    // RUST_LOG=stigg_core=debug shows what the client and the stream did.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    Emulator::builder()
        .port(0)
        .edge_port(0)
        .start()
        .await
        .expect("emulator starts")
}

/// A config builder pointed at `emu`, with short retries so fault tests stay fast.
pub fn config(emu: &RunningEmulator) -> StiggConfigBuilder {
    StiggConfig::builder()
        .api_key(KEY)
        .read_env(false)
        .base_uri(emu.base_url())
        .base_edge_uri(emu.edge_url())
        .ws_url(emu.ws_url())
        .graphql_retry(RetryPolicy {
            base_delay: Duration::from_millis(20),
            ..RetryPolicy::graphql()
        })
        .edge_retry(RetryPolicy {
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(200),
            ..RetryPolicy::edge()
        })
}

/// Collects a client's events into a channel.
pub struct Events(pub mpsc::UnboundedReceiver<StiggEvent>);

impl Events {
    pub fn attach(stigg: &Stigg) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        stigg.add_listener(move |e| {
            let _ = tx.send(e.clone());
        });
        Events(rx)
    }

    /// Waits (at most `secs`) for the first event that `pred` accepts; panics on timeout.
    pub async fn wait(
        &mut self,
        secs: u64,
        what: &str,
        pred: impl Fn(&StiggEvent) -> bool,
    ) -> StiggEvent {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        let mut skipped = Vec::new();
        loop {
            match tokio::time::timeout_at(deadline, self.0.recv()).await {
                Ok(Some(e)) if pred(&e) => return e,
                Ok(Some(e)) => skipped.push(e),
                Ok(None) => {
                    panic!("event channel closed while waiting for {what}; saw {skipped:?}")
                }
                Err(_) => panic!("timed out after {secs}s waiting for {what}; saw {skipped:?}"),
            }
        }
    }
}

/// POSTs a GraphQL document to the emulator with the default key; returns `data` (panics on errors).
pub async fn graphql(emu: &RunningEmulator, query: &str, variables: Value) -> Value {
    let body: Value = reqwest::Client::new()
        .post(format!("{}/graphql", emu.base_url()))
        .header("X-API-KEY", KEY)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("emulator answers")
        .json()
        .await
        .expect("json");
    assert!(
        body.get("errors").is_none_or(|e| e.is_null()),
        "GraphQL errors: {body}"
    );
    body["data"].clone()
}

/// Provisions `customer_id` on `plan_id` through the emulator's GraphQL.
pub async fn provision(emu: &RunningEmulator, customer_id: &str, plan_id: &str) {
    graphql(
        emu,
        "mutation P($input: ProvisionCustomerInput!) { provisionCustomer(input: $input) { customer { refId } } }",
        json!({ "input": { "customerId": customer_id, "name": customer_id,
                           "subscriptionParams": { "planId": plan_id } } }),
    )
    .await;
}

/// Calls an admin endpoint of the emulator.
pub async fn admin(
    emu: &RunningEmulator,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> Value {
    let resp = reqwest::Client::new()
        .request(method, format!("{}{}", emu.base_url(), path))
        .json(&body)
        .send()
        .await
        .expect("admin answers");
    assert!(
        resp.status().is_success(),
        "admin {path}: {}",
        resp.status()
    );
    resp.json().await.unwrap_or(Value::Null)
}

/// Moves `customer_id` to `plan_id` with `provisionSubscriptionV2` through the emulator's GraphQL.
pub async fn change_plan(emu: &RunningEmulator, customer_id: &str, plan_id: &str) {
    graphql(
        emu,
        "mutation S($input: ProvisionSubscriptionInput!) { provisionSubscriptionV2(input: $input) { status } }",
        json!({ "input": { "customerId": customer_id, "planId": plan_id } }),
    )
    .await;
}
