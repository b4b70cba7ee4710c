//! The Redis store against a real `redis-server`: key layout, both value formats, timestamp guards,
//! TTL, `UPDATE_IF_EXISTS`, the write lock, the read rules (usage and global-customer checks).

#[path = "redis_interop/server.rs"]
mod server;

use std::sync::Arc;
use std::time::Duration;

use redis::AsyncCommands;
use serde_json::json;
use server::RedisServer;
use stigg_core::cache::redis::{CacheUpdatePolicy, RedisOptions, RedisStore, WriteFormat};
use stigg_core::cache::{CacheKey, EntitlementStore, PatchOutcome, PutMode, PutOutcome, StoreRead};
use stigg_core::model::wire::EntitlementsState;
use stigg_core::model::{CustomerState, EntitlementKey, UsageData};
use stigg_core::SystemClock;

const TS: i64 = 1_706_745_600_000; // 2024-02-01T00:00:00Z

fn sample_state() -> CustomerState {
    let wire: EntitlementsState = serde_json::from_value(json!({
        "accessDeniedReason": null,
        "entitlementsV2": [
            {"__typename": "FeatureEntitlement", "isGranted": true, "hasUnlimitedUsage": false,
             "hasSoftLimit": false, "entitlementUpdatedAt": "2024-02-01T00:00:00.000Z",
             "feature": {"refId": "feature-sso", "featureType": "BOOLEAN", "displayName": "SSO"}},
            {"__typename": "FeatureEntitlement", "isGranted": true, "usageLimit": 10,
             "feature": {"refId": "feature-max-projects", "featureType": "NUMBER", "meterType": "None",
                         "featureUnits": "project", "featureUnitsPlural": "projects"}},
            {"__typename": "FeatureEntitlement", "isGranted": true, "usageLimit": 1000, "currentUsage": 42.5,
             "usageUpdatedAt": "2024-02-02T00:00:00.000Z", "usagePeriodAnchor": "2024-01-15T00:00:00.000Z",
             "usagePeriodStart": "2024-01-15T00:00:00.000Z", "usagePeriodEnd": "2024-02-15T00:00:00.000Z",
             "resetPeriod": "MONTH",
             "resetPeriodConfiguration": {"__typename": "MonthlyResetPeriodConfig", "monthlyAccordingTo": "SubscriptionStart"},
             "validUntil": "2030-01-01T00:00:00.000Z",
             "feature": {"refId": "feature-api-calls", "featureType": "NUMBER", "meterType": "Incremental"}},
            {"__typename": "FeatureEntitlement", "isGranted": true, "enumValues": ["us", "eu"],
             "feature": {"refId": "feature-data-region", "featureType": "ENUM"}},
            {"__typename": "FeatureEntitlement", "isGranted": false, "accessDeniedReason": "InsufficientCredits",
             "hasUnlimitedUsage": true, "currentUsage": 7, "usageUpdatedAt": "2024-02-03T00:00:00.000Z",
             "creditRate": {"amount": 0.01, "currencyId": "cred-ai-tokens"},
             "feature": {"refId": "feature-ai-tokens", "featureType": "NUMBER", "meterType": "Incremental"}},
            {"__typename": "CreditEntitlement", "isGranted": true, "usageLimit": 1000, "currentUsage": 250,
             "hasSoftLimit": false, "usageUpdatedAt": "2024-02-04T00:00:00.000Z",
             "usagePeriodEnd": "2024-03-01T00:00:00.000Z",
             "currency": {"currencyId": "cred-ai-tokens", "displayName": "AI tokens", "unitSingular": "token",
                          "unitPlural": "tokens"}}
        ]
    }))
    .expect("sample parses");
    CustomerState::from_wire(&wire)
}

fn store(redis: &RedisServer, prefix: &str) -> RedisStore {
    store_with(RedisOptions::new(prefix).url(redis.url()))
}

fn store_with(options: RedisOptions) -> RedisStore {
    RedisStore::new(&options, Duration::from_secs(5), Arc::new(SystemClock)).expect("store")
}

async fn hit(store: &RedisStore, key: &CacheKey) -> Arc<CustomerState> {
    match store.load(key, None).await.expect("load") {
        StoreRead::Hit(s) => s,
        miss => panic!("expected a hit for {key}, got {miss:?}"),
    }
}

/// The parts of a state that survive Redis (the records' own `entitlementUpdatedAt` does not: the
/// customer key's timestamp stands for it).
fn comparable(s: &CustomerState) -> CustomerState {
    let mut s = s.clone();
    for r in s.features.values_mut() {
        r.entitlement_updated_at = None;
        let f = Arc::make_mut(&mut r.feature);
        if f.display_name.is_none() {
            f.display_name = Some(f.id.clone());
        }
    }
    for r in s.credits.values_mut() {
        r.entitlement_updated_at = None;
    }
    s.fetched_at = 0;
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn current_format_round_trips_with_stiggs_key_layout() {
    require_redis!();
    let redis = RedisServer::start();
    let store = store(&redis, "env1");
    let key = CacheKey::customer("acme");
    let state = sample_state();
    let out = store
        .save(&key, Arc::new(state.clone()), PutMode::Always)
        .await
        .expect("save");
    assert_eq!(out, PutOutcome::Written);

    let mut conn = redis.conn().await;
    let mut keys: Vec<String> = conn.keys("env1*").await.expect("keys");
    keys.sort();
    assert_eq!(
        keys,
        [
            "env1:c_acme",
            "env1:c_acme#timestamp",
            "env1:c_acme:credit_cred-ai-tokens",
            "env1:c_acme:credit_cred-ai-tokens#timestamp",
            "env1:c_acme:f_feature-ai-tokens",
            "env1:c_acme:f_feature-ai-tokens#timestamp",
            "env1:c_acme:f_feature-api-calls",
            "env1:c_acme:f_feature-api-calls#timestamp",
            "env1:c_acme:metadata",
            "env1:c_acme:metadata#timestamp",
        ]
    );
    let ts: String = conn.get("env1:c_acme#timestamp").await.expect("ts");
    assert_eq!(ts, TS.to_string());
    let usage: String = conn
        .get("env1:c_acme:f_feature-api-calls")
        .await
        .expect("usage");
    assert_eq!(
        usage,
        r#"{"currentUsage":42.5,"usagePeriodStart":1705276800000,"usagePeriodEnd":1707955200000}"#
    );
    let uts: String = conn
        .get("env1:c_acme:f_feature-api-calls#timestamp")
        .await
        .expect("usage ts");
    assert_eq!(uts, "1706832000000");
    let meta: String = conn.get("env1:c_acme:metadata").await.expect("meta");
    assert_eq!(meta, r#"{"accessDeniedReason":null}"#);
    let value: serde_json::Value =
        serde_json::from_str(&conn.get::<_, String>("env1:c_acme").await.expect("value"))
            .expect("json");
    assert_eq!(
        value["feature-sso"]["calculatedEntitlement"]["type"],
        "FEATURE"
    );
    assert_eq!(
        value["feature-api-calls"]["calculatedEntitlement"]["resetPeriod"],
        "MONTH"
    );
    assert_eq!(
        value["CREDIT:cred-ai-tokens"]["calculatedEntitlement"]["currency"]["currencyId"],
        "cred-ai-tokens"
    );
    assert_eq!(
        value["feature-max-projects"]["calculatedEntitlement"]["usageLimit"],
        json!(10)
    );
    // Default TTL on every key.
    for k in &keys {
        let ttl: i64 = conn.ttl(k).await.expect("ttl");
        assert!((604_790..=604_800).contains(&ttl), "{k}: ttl {ttl}");
    }

    let back = hit(&store, &key).await;
    assert_eq!(back.timestamp, Some(TS));
    assert_eq!(comparable(&back), comparable(&state));
    assert_eq!(back.order, state.order);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v3_format_round_trips_features_and_omits_absent_fields() {
    require_redis!();
    let redis = RedisServer::start();
    let store = store_with(
        RedisOptions::new("env3")
            .url(redis.url())
            .write_format(WriteFormat::V3),
    );
    let key = CacheKey::resource("acme", "site-1");
    let state = sample_state();
    store
        .save(
            &CacheKey::customer("acme"),
            Arc::new(state.clone()),
            PutMode::Always,
        )
        .await
        .expect("save customer");
    store
        .save(&key, Arc::new(state.clone()), PutMode::Always)
        .await
        .expect("save resource");
    let mut conn = redis.conn().await;
    let raw: String = conn.get("env3:c_acme:r_site-1").await.expect("value");
    let value: serde_json::Value = serde_json::from_str(&raw).expect("json");
    let sso = &value["feature-sso"];
    assert!(sso["featureUsage"].is_object(), "{raw}");
    assert!(sso["usageData"].is_null());
    assert!(sso["calculatedEntitlement"].get("type").is_none());
    assert!(sso["calculatedEntitlement"]
        .get("accessDeniedReason")
        .is_none());
    assert_eq!(sso["calculatedEntitlement"]["resourceId"], "site-1");
    assert_eq!(
        value["feature-api-calls"]["featureUsage"]["resetPeriod"],
        "MONTH"
    );
    assert!(
        value.get("CREDIT:cred-ai-tokens").is_none(),
        "no credits in 3.x"
    );
    let credit_usage: Option<String> = conn
        .get("env3:c_acme:r_site-1:credit_cred-ai-tokens")
        .await
        .expect("get");
    assert_eq!(credit_usage, None);

    let back = hit(&store, &key).await;
    let mut expected = comparable(&state);
    expected.credits.clear();
    expected
        .order
        .retain(|k| matches!(k, EntitlementKey::Feature(_)));
    let mut back = comparable(&back);
    // 3.x carries no display name: the reader defaults it to the id.
    Arc::make_mut(
        &mut expected
            .features
            .get_mut("feature-sso")
            .expect("sso")
            .feature,
    )
    .display_name = Some("feature-sso".into());
    for r in back.features.values_mut() {
        r.is_granted = expected.features[r.feature.id.as_str()].is_granted;
    }
    assert_eq!(back, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_entries_written_by_node_sdk_3_95_and_migrates_them() {
    require_redis!();
    let redis = RedisServer::start();
    let store = store(&redis, "old");
    let mut conn = redis.conn().await;
    // As node-server-sdk 3.95 writes them: undefined fields omitted, usage keys for metered features
    // only, no metadata key.
    let value = json!({
        "feature-api-calls": {
            "calculatedEntitlement": {"feature": {"id": "feature-api-calls", "featureType": "NUMBER",
                "meterType": "Incremental", "units": "", "unitsPlural": ""}, "usageLimit": 100,
                "hasUnlimitedUsage": false, "hasSoftLimit": false, "enumValues": []},
            "featureUsage": {"resetPeriod": "MONTH", "currentUsage": 0, "usagePeriodAnchor": 1705276800000_i64,
                "usagePeriodStart": 1705276800000_i64, "usagePeriodEnd": 1707955200000_i64}},
        "feature-data-region": {
            "calculatedEntitlement": {"feature": {"id": "feature-data-region", "featureType": "ENUM",
                "units": "", "unitsPlural": ""}, "hasUnlimitedUsage": false, "hasSoftLimit": false,
                "enumValues": ["us"]},
            "featureUsage": {"currentUsage": 0}},
        "broken": {"calculatedEntitlement": {"usageLimit": 3}, "featureUsage": {}}
    });
    let _: () = conn
        .set("old:c_acme", value.to_string())
        .await
        .expect("set");
    let _: () = conn
        .set("old:c_acme#timestamp", "1706745600000")
        .await
        .expect("set");
    let _: () = conn
        .set(
            "old:c_acme:f_feature-api-calls",
            r#"{"currentUsage":3,"nextResetDate":1707955200000}"#,
        )
        .await
        .expect("set");
    // Without the usage's timestamp the usage is incomplete: a miss (Stigg's current reader rule).
    assert!(matches!(
        store.load(&CacheKey::customer("acme"), None).await,
        Ok(StoreRead::Miss {
            global_customer_missing: false
        })
    ));
    let _: () = conn
        .set("old:c_acme:f_feature-api-calls#timestamp", "1706832000000")
        .await
        .expect("set");
    let s = hit(&store, &CacheKey::customer("acme")).await;
    assert_eq!(s.order.len(), 2, "the entry without a feature is dropped");
    let calls = s.feature("feature-api-calls").expect("calls");
    assert_eq!(calls.usage.current_usage, 3.0);
    assert_eq!(calls.usage.usage_period_end, Some(1_707_955_200_000));
    assert_eq!(calls.usage.updated_at, Some(1_706_832_000_000));
    assert_eq!(calls.usage_period_anchor, Some(1_705_276_800_000));
    assert_eq!(
        calls.reset_period.as_ref().map(|p| p.as_str()),
        Some("MONTH")
    );
    assert_eq!(
        calls.feature.display_name.as_deref(),
        Some("feature-api-calls")
    );
    assert!(calls.is_granted);
    assert_eq!(s.access_denied_reason, None);
    let region = s.feature("feature-data-region").expect("region");
    assert_eq!(&*region.enum_values, ["us".to_string()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timestamp_guards_ttl_and_update_if_exists() {
    require_redis!();
    let redis = RedisServer::start();
    let store = store(&redis, "g");
    let key = CacheKey::customer("c1");
    let mut state = sample_state();

    // IfExists on nothing stored: not written.
    assert_eq!(
        store
            .save(&key, Arc::new(state.clone()), PutMode::IfExists)
            .await
            .expect("save"),
        PutOutcome::NotCached
    );
    state.timestamp = Some(2_000);
    assert_eq!(
        store
            .save(&key, Arc::new(state.clone()), PutMode::Always)
            .await
            .expect("save"),
        PutOutcome::Written
    );
    // Older: skipped; equal: written; epoch 0: always written.
    let mut older = state.clone();
    older.timestamp = Some(1_999);
    older.access_denied_reason = Some("NoActiveSubscription".parse().expect("reason"));
    assert_eq!(
        store
            .save(&key, Arc::new(older), PutMode::Always)
            .await
            .expect("save"),
        PutOutcome::Stale
    );
    assert_eq!(hit(&store, &key).await.access_denied_reason, None);
    assert_eq!(
        store
            .save(&key, Arc::new(state.clone()), PutMode::IfExists)
            .await
            .expect("save"),
        PutOutcome::Written
    );
    let mut zero = state.clone();
    zero.timestamp = None;
    zero.features.clear();
    zero.credits.clear();
    zero.order.clear();
    assert_eq!(
        store
            .save(&key, Arc::new(zero), PutMode::Always)
            .await
            .expect("save"),
        PutOutcome::Written
    );
    let mut conn = redis.conn().await;
    let ts: String = conn.get("g:c_c1#timestamp").await.expect("ts");
    assert_eq!(ts, "0");

    // Usage patches: only for a stored customer, guarded by the usage's own timestamp.
    assert_eq!(
        store
            .save(&key, Arc::new(state.clone()), PutMode::Always)
            .await
            .expect("save"),
        PutOutcome::Written
    );
    let calls = EntitlementKey::Feature("feature-api-calls".into());
    let usage = |v: f64, at: i64| UsageData {
        current_usage: v,
        usage_period_start: None,
        usage_period_end: Some(1_707_955_200_000),
        updated_at: Some(at),
    };
    assert_eq!(
        store
            .patch(&CacheKey::customer("nobody"), &calls, usage(1.0, 5))
            .await
            .expect("patch"),
        PatchOutcome::NotCached
    );
    let stored_at = 1_706_832_000_000;
    assert_eq!(
        store
            .patch(&key, &calls, usage(1.0, stored_at - 1))
            .await
            .expect("patch"),
        PatchOutcome::Stale
    );
    assert_eq!(
        store
            .patch(&key, &calls, usage(99.0, stored_at + 1))
            .await
            .expect("patch"),
        PatchOutcome::Patched
    );
    let s = hit(&store, &key).await;
    let u = s.feature("feature-api-calls").expect("calls").usage;
    assert_eq!((u.current_usage, u.updated_at), (99.0, Some(stored_at + 1)));
    assert_eq!(u.usage_period_start, None);

    // ttl -1: no expiry at all.
    let forever = store_with(RedisOptions::new("forever").url(redis.url()).ttl(-1));
    forever
        .save(&key, Arc::new(state.clone()), PutMode::Always)
        .await
        .expect("save");
    let keys: Vec<String> = conn.keys("forever*").await.expect("keys");
    assert_eq!(keys.len(), 10);
    for k in keys {
        let ttl: i64 = conn.ttl(&k).await.expect("ttl");
        assert_eq!(ttl, -1, "{k}");
    }

    // UPDATE_IF_EXISTS policy: a batch of unknown keys is skipped.
    let policy = store_with(
        RedisOptions::new("pol")
            .url(redis.url())
            .cache_update_policy(CacheUpdatePolicy::UpdateIfExists),
    );
    assert_eq!(
        policy
            .save(&key, Arc::new(state), PutMode::Always)
            .await
            .expect("save"),
        PutOutcome::NotCached
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resource_reads_need_a_customer_state_no_newer_than_theirs() {
    require_redis!();
    let redis = RedisServer::start();
    let store = store(&redis, "r");
    let resource = CacheKey::resource("acme", "site-1");
    let customer = CacheKey::customer("acme");
    // Nothing stored: a miss, and the customer is missing too.
    assert_eq!(
        store.load(&resource, None).await.expect("load"),
        StoreRead::Miss {
            global_customer_missing: true
        }
    );
    let mut state = sample_state();
    state.timestamp = Some(100);
    store
        .save(&resource, Arc::new(state.clone()), PutMode::Always)
        .await
        .expect("save");
    assert_eq!(
        store.load(&resource, None).await.expect("load"),
        StoreRead::Miss {
            global_customer_missing: true
        }
    );
    // A newer customer state makes the resource's stale.
    state.timestamp = Some(200);
    store
        .save(&customer, Arc::new(state.clone()), PutMode::Always)
        .await
        .expect("save");
    assert_eq!(
        store.load(&resource, None).await.expect("load"),
        StoreRead::Miss {
            global_customer_missing: true
        }
    );
    store
        .save(&resource, Arc::new(state.clone()), PutMode::Always)
        .await
        .expect("save");
    assert!(matches!(
        store.load(&resource, None).await,
        Ok(StoreRead::Hit(_))
    ));
    // A missing usage key: a miss (for the whole state, and for that entitlement)...
    let mut conn = redis.conn().await;
    let _: () = conn
        .del("r:c_acme:r_site-1:f_feature-api-calls")
        .await
        .expect("del");
    assert_eq!(
        store.load(&resource, None).await.expect("load"),
        StoreRead::Miss {
            global_customer_missing: false
        }
    );
    let calls = EntitlementKey::Feature("feature-api-calls".into());
    assert!(matches!(
        store.load(&resource, Some(&calls)).await,
        Ok(StoreRead::Miss { .. })
    ));
    // ...but not for an entitlement that does not depend on it.
    let sso = EntitlementKey::Feature("feature-sso".into());
    assert!(matches!(
        store.load(&resource, Some(&sso)).await,
        Ok(StoreRead::Hit(_))
    ));
    // Delete removes the state (and its timestamp): a miss again.
    store.delete(&resource).await.expect("delete");
    assert!(matches!(
        store.load(&resource, None).await,
        Ok(StoreRead::Miss { .. })
    ));
    store
        .delete_customer("acme")
        .await
        .expect("delete customer");
    let left: Vec<String> = conn.keys("r:c_acme").await.expect("keys");
    assert!(left.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_wait_for_the_customer_lock_and_release_only_their_own() {
    require_redis!();
    let redis = RedisServer::start();
    let store = store(&redis, "l");
    let mut conn = redis.conn().await;
    // Another process holds the write lock for 600 ms (as redlock does: SET NX PX).
    let taken: Option<String> = redis::cmd("SET")
        .arg("l-acme")
        .arg("someone-else")
        .arg("NX")
        .arg("PX")
        .arg(600)
        .query_async(&mut conn)
        .await
        .expect("set");
    assert_eq!(taken.as_deref(), Some("OK"));
    let key = CacheKey::customer("acme");
    let out = store
        .save(&key, Arc::new(sample_state()), PutMode::Always)
        .await
        .expect("save after the lock expired");
    assert_eq!(out, PutOutcome::Written);
    // Our write released its own lock, and nothing else.
    let lock: Option<String> = conn.get("l-acme").await.expect("get");
    assert_eq!(lock, None);

    // The lock primitive itself: exclusive, token-checked.
    let mut mgr = redis::Client::open(redis.url())
        .expect("url")
        .get_connection_manager()
        .await
        .expect("manager");
    use stigg_core::cache::redis::lock;
    let a = lock::try_acquire(&mut mgr, "l-x", Duration::from_millis(5000))
        .await
        .expect("first");
    assert!(matches!(
        lock::try_acquire(&mut mgr, "l-x", Duration::from_millis(5000)).await,
        Err(lock::LockError::Held)
    ));
    let pttl: i64 = conn.pttl("l-x").await.expect("pttl");
    assert!((1..=5000).contains(&pttl), "PX 5000, got {pttl}");
    let _: () = conn.set("l-x", "stolen").await.expect("set");
    assert!(!lock::release(&mut mgr, &a).await.expect("release"));
    let still: Option<String> = conn.get("l-x").await.expect("get");
    assert_eq!(still.as_deref(), Some("stolen"));
}
