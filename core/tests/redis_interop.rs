//! Interop with the official `@stigg/node-server-sdk@3.95.0` in Redis mode, through one real
//! `redis-server`: entries written by our client are read by the Node SDK, and the reverse, without
//! either side calling the API; both agree on every entitlement of the example catalog.
//!
//! Needs `node` and `npm ci` in `core/tests/redis_interop/` (CI does it, `.ci/steps/20-redis.sh`);
//! skipped loudly without them, failing instead when `STIGG_REQUIRE_REDIS` is set.

#[path = "redis_interop/server.rs"]
mod server;
mod support;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use server::RedisServer;
use stigg_core::cache::redis::{RedisOptions, WriteFormat};
use stigg_core::client::{
    GetBooleanEntitlement, GetEnumEntitlement, GetMeteredEntitlement, GetNumericEntitlement,
};
use stigg_core::Stigg;
use stigg_emulator::RunningEmulator;
use support::{admin, config, emulator, provision, KEY};

const COUNTER: u64 = 100_000;

/// Every feature of the example catalog, with the getter that fits it.
const FEATURES: &[(&str, &str)] = &[
    ("feature-sso", "BOOLEAN"),
    ("feature-custom-domain", "BOOLEAN"),
    ("feature-max-projects", "NUMERIC"),
    ("feature-seats", "METERED"),
    ("feature-api-calls", "METERED"),
    ("feature-daily-exports", "METERED"),
    ("feature-ai-tokens", "METERED"),
    ("feature-data-region", "ENUM"),
];

/// Customers on every plan of the example catalog, plus one that does not exist.
const CUSTOMERS: &[(&str, Option<&str>)] = &[
    ("cust-free", Some("plan-revvenu-free")),
    ("cust-pro", Some("plan-revvenu-pro")),
    ("cust-ent", Some("plan-revvenu-enterprise")),
    ("cust-ai", Some("plan-ai-starter")),
    ("cust-ai-scale", Some("plan-ai-scale")),
    ("nobody", None),
];

fn interop_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/redis_interop")
}

fn node_ready() -> bool {
    let ok = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
        && interop_dir()
            .join("node_modules/@stigg/node-server-sdk/package.json")
            .exists();
    if !ok {
        if std::env::var_os("STIGG_REQUIRE_REDIS").is_some() {
            panic!("node or core/tests/redis_interop/node_modules is missing (run npm ci there)");
        }
        eprintln!(
            "\n!!!!!!!! SKIPPED: the Node interop needs node and `npm ci` in core/tests/redis_interop \
             !!!!!!!!\n"
        );
    }
    ok
}

/// Runs the official SDK over `checks`; returns its results.
fn node_read(emu: &RunningEmulator, redis: &RedisServer, prefix: &str) -> Vec<Value> {
    let checks: Vec<Value> = checks()
        .into_iter()
        .map(|(c, f, t)| json!([c, f, t]))
        .collect();
    let out = Command::new("node")
        .arg(interop_dir().join("interop.js"))
        .env("STIGG_API_KEY", KEY)
        .env("STIGG_BASE_URI", emu.base_url())
        .env("STIGG_EDGE_URI", emu.edge_url())
        .env("REDIS_PORT", redis.port.to_string())
        .env("REDIS_PREFIX", prefix)
        .env("CHECKS", Value::Array(checks).to_string())
        .env("NODE_ENV", "test")
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("node prints JSON")
}

fn checks() -> Vec<(&'static str, &'static str, &'static str)> {
    CUSTOMERS
        .iter()
        .flat_map(|(c, _)| FEATURES.iter().map(move |(f, t)| (*c, *f, *t)))
        .collect()
}

/// Our client's results in the shape `interop.js` prints.
async fn ours(stigg: &Stigg) -> Vec<Value> {
    let mut out = Vec::new();
    for (c, f, t) in checks() {
        let r = match t {
            "BOOLEAN" => serde_json::to_value(
                stigg
                    .get_boolean_entitlement(&GetBooleanEntitlement {
                        customer_id: c,
                        feature_id: f,
                        ..Default::default()
                    })
                    .await,
            ),
            "NUMERIC" => serde_json::to_value(
                stigg
                    .get_numeric_entitlement(&GetNumericEntitlement {
                        customer_id: c,
                        feature_id: f,
                        ..Default::default()
                    })
                    .await,
            ),
            "METERED" => serde_json::to_value(
                stigg
                    .get_metered_entitlement(&GetMeteredEntitlement {
                        customer_id: c,
                        feature_id: f,
                        ..Default::default()
                    })
                    .await,
            ),
            _ => serde_json::to_value(
                stigg
                    .get_enum_entitlement(&GetEnumEntitlement {
                        customer_id: c,
                        feature_id: f,
                        ..Default::default()
                    })
                    .await,
            ),
        }
        .expect("result serializes");
        let field = |k: &str| r.get(k).cloned().unwrap_or(Value::Null);
        out.push(json!({
            "customerId": c, "featureId": f, "type": t,
            "hasAccess": field("hasAccess"), "isFallback": field("isFallback"),
            "accessDeniedReason": field("accessDeniedReason"), "value": field("value"),
            "usageLimit": field("usageLimit"), "currentUsage": field("currentUsage"),
            "isUnlimited": field("isUnlimited"), "hasSoftLimit": field("hasSoftLimit"),
            "enumValues": field("enumValues"),
        }));
    }
    out
}

/// The parts both SDKs must agree on. Customer-level reasons are one class: 3.x infers
/// `CustomerNotFound` from an empty entitlement map where Stigg's API says `NoActiveSubscription`.
fn normalized(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(r) = v["accessDeniedReason"].as_str() {
        if matches!(
            r,
            "CustomerNotFound" | "NoActiveSubscription" | "CustomerIsArchived"
        ) {
            v["accessDeniedReason"] = json!("<customer-level>");
        }
    }
    // Numbers as f64 (JS has one number type).
    for k in ["value", "usageLimit", "currentUsage"] {
        if let Some(n) = v[k].as_f64() {
            v[k] = json!(n);
        }
    }
    v
}

fn assert_agree(what: &str, ours: &[Value], theirs: &[Value]) {
    assert_eq!(ours.len(), theirs.len());
    let mut differences = Vec::new();
    for (a, b) in ours.iter().zip(theirs) {
        if normalized(a) != normalized(b) {
            differences.push(format!("  ours   {a}\n  theirs {b}"));
        }
    }
    assert!(
        differences.is_empty(),
        "{what}: {} of {} entitlements differ:\n{}",
        differences.len(),
        ours.len(),
        differences.join("\n")
    );
    assert!(
        ours.iter().any(|r| r["hasAccess"] == json!(true)),
        "{what}: nothing granted at all, the comparison is vacuous"
    );
    assert!(
        ours.iter().all(|r| r["isFallback"] == json!(false)),
        "{what}: a fallback means a read failed"
    );
    assert!(
        ours.iter()
            .any(|r| r["type"] == "METERED" && r["currentUsage"].as_f64() == Some(3.0)),
        "{what}: no usage read back"
    );
}

/// Counts entitlement fetches at the emulator: Edge (both SDKs) and GraphQL.
async fn count_fetches(emu: &RunningEmulator) {
    admin(emu, Method::DELETE, "/_emulator/faults", json!({})).await;
    admin(
        emu,
        Method::POST,
        "/_emulator/faults",
        json!({"type": "latency", "ms": 0, "count": COUNTER, "path": "/v1/c/"}),
    )
    .await;
}

async fn fetches(emu: &RunningEmulator) -> u64 {
    let v = admin(emu, Method::GET, "/_emulator/faults", json!({})).await;
    COUNTER
        - v["faults"]
            .as_array()
            .and_then(|a| a.first())
            .and_then(|f| f["count"].as_u64())
            .unwrap_or(0)
}

async fn report(emu: &RunningEmulator, customer: &str, feature: &str, value: f64) {
    // Raw GraphQL; features a plan does not grant answer with an error, which is fine here.
    let _ = reqwest::Client::new()
        .post(format!("{}/graphql", emu.base_url()))
        .header("X-API-KEY", KEY)
        .json(&json!({
            "query": "mutation R($input: ReportUsageInput!) { reportUsage(input: $input) { id } }",
            "variables": {"input": {"customerId": customer, "featureId": feature, "value": value}}
        }))
        .send()
        .await;
}

async fn setup() -> RunningEmulator {
    let emu = emulator().await;
    for (c, plan) in CUSTOMERS {
        if let Some(plan) = plan {
            provision(&emu, c, plan).await;
        }
    }
    // Usage on every metered feature, so that usage records (and 3.95's usage keys) exist.
    for (c, _) in CUSTOMERS {
        for (f, t) in FEATURES {
            if *t == "METERED" {
                report(&emu, c, f, 3.0).await;
            }
        }
    }
    emu
}

fn our_client(emu: &RunningEmulator, options: RedisOptions) -> Stigg {
    Stigg::new(
        config(emu)
            .entitlements_timeout(Duration::from_secs(10))
            .redis(options)
            .build()
            .expect("config"),
    )
    .expect("client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn written_by_us_read_by_node_sdk_3_95_in_both_formats() {
    require_redis!();
    if !node_ready() {
        return;
    }
    let redis = RedisServer::start();
    let emu = setup().await;
    for (prefix, format) in [("cur", WriteFormat::Current), ("v3", WriteFormat::V3)] {
        let stigg = our_client(
            &emu,
            RedisOptions::new(prefix)
                .url(redis.url())
                .write_format(format),
        );
        count_fetches(&emu).await;
        let ours = ours(&stigg).await;
        stigg.close().await;
        // The counter works: we fetched each customer once (and wrote Redis).
        assert_eq!(fetches(&emu).await, CUSTOMERS.len() as u64);
        count_fetches(&emu).await;
        let theirs = tokio::task::block_in_place(|| node_read(&emu, &redis, prefix));
        assert_eq!(
            fetches(&emu).await,
            0,
            "{format:?}: the Node SDK fetched from the API instead of reading Redis"
        );
        assert_agree(&format!("{format:?} written by us"), &ours, &theirs);
        println!(
            "interop {format:?}: {} entitlements written by stigg-native, read by node-server-sdk 3.95.0 from Redis: all agree",
            ours.len()
        );
    }
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn written_by_node_sdk_3_95_read_by_us() {
    require_redis!();
    if !node_ready() {
        return;
    }
    let redis = RedisServer::start();
    let emu = setup().await;
    // The Node SDK misses, fetches from the emulator and writes Redis (3.x format).
    let theirs = tokio::task::block_in_place(|| node_read(&emu, &redis, "node"));
    count_fetches(&emu).await;
    let stigg = our_client(&emu, RedisOptions::new("node").url(redis.url()));
    let ours = ours(&stigg).await;
    assert_eq!(
        fetches(&emu).await,
        0,
        "we fetched from the API instead of reading what the Node SDK wrote"
    );
    assert_agree("written by node-server-sdk 3.95.0", &ours, &theirs);
    println!(
        "interop: {} entitlements written by node-server-sdk 3.95.0, read by stigg-native from Redis: all agree",
        ours.len()
    );
    stigg.close().await;
    emu.shutdown().await;
}
