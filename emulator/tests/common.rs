#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]
//! Shared helpers for the emulator integration tests.

use serde_json::{json, Value};
use stigg_emulator::{Emulator, RunningEmulator, DEFAULT_API_KEY};

pub const KEY: &str = DEFAULT_API_KEY;

pub async fn start() -> RunningEmulator {
    Emulator::builder()
        .port(0)
        .edge_port(0)
        .start()
        .await
        .expect("emulator starts")
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(20))
        .build()
        .unwrap()
}

/// POST a GraphQL document; returns (status, body).
pub async fn gql_raw(emu: &RunningEmulator, key: &str, query: &str, vars: Value) -> (u16, Value) {
    let r = client()
        .post(format!("{}/graphql", emu.base_url()))
        .header("X-API-KEY", key)
        .json(&json!({"query": query, "variables": vars}))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// POST a GraphQL document with the default key and return `data`, asserting no errors.
pub async fn gql(emu: &RunningEmulator, query: &str, vars: Value) -> Value {
    let (status, body) = gql_raw(emu, KEY, query, vars).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "unexpected errors: {body}");
    body["data"].clone()
}

pub async fn provision(emu: &RunningEmulator, customer: &str, plan: &str) -> Value {
    gql(
        emu,
        "mutation P($input: ProvisionCustomerInput!) { provisionCustomer(input: $input) { customer { refId } subscription { subscriptionId status } entitlementsV2 { __typename ... on FeatureEntitlement { isGranted feature { refId } } } } }",
        json!({"input": {"customerId": customer, "name": "Acme", "email": "a@acme.test", "subscriptionParams": {"planId": plan, "trialOverrideConfiguration": {"isTrial": false}}}}),
    )
    .await
}

pub async fn admin(emu: &RunningEmulator, path: &str, body: Value) -> Value {
    client()
        .post(format!("{}{path}", emu.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

pub async fn edge_get(emu: &RunningEmulator, path: &str) -> (u16, Value) {
    let r = client()
        .get(format!("{}{path}", emu.edge_url()))
        .header("X-API-KEY", KEY)
        .header("X-API-VERSION", "1")
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

pub const STATE_DOC: &str = "query S($query: FetchEntitlementsQuery!) { entitlementsState(query: $query) { accessDeniedReason entitlementsV2 { __typename ... on FeatureEntitlement { isGranted accessDeniedReason usageLimit currentUsage hasUnlimitedUsage enumValues usagePeriodEnd feature { refId featureType meterType } } ... on CreditEntitlement { isGranted usageLimit currentUsage currency { currencyId } } } } }";

pub fn feature<'a>(state: &'a Value, id: &str) -> &'a Value {
    state["entitlementsState"]["entitlementsV2"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["feature"]["refId"] == id))
        .unwrap_or(&Value::Null)
}
