//! Our client in Redis mode against the emulator and a real `redis-server`: the cross-process
//! single-flight, Redis killed / frozen / restarted, resource reads, usage writes, the waiter's
//! fallbacks. API requests are counted at the emulator (a latency fault rule with a large `count`
//! decrements once per matching request).

#[path = "redis_interop/server.rs"]
mod server;
mod support;

use std::time::Duration;

use redis::AsyncCommands;
use reqwest::Method;
use serde_json::json;
use server::RedisServer;
use stigg_core::cache::redis::RedisOptions;
use stigg_core::client::{GetBooleanEntitlement, GetMeteredEntitlement, StiggEvent};
use stigg_core::model::usage::ReportUsage;
use stigg_core::Stigg;
use stigg_emulator::RunningEmulator;
use support::{admin, config, emulator, provision};

const COUNTER: u64 = 100_000;

/// Starts counting Edge entitlement-state fetches (each is delayed by `ms`).
async fn count_fetches(emu: &RunningEmulator, ms: u64) {
    admin(emu, Method::DELETE, "/_emulator/faults", json!({})).await;
    admin(
        emu,
        Method::POST,
        "/_emulator/faults",
        json!({"type": "latency", "ms": ms, "count": COUNTER, "operation": "edge:entitlements-state"}),
    )
    .await;
}

/// Edge entitlement-state fetches since [`count_fetches`].
async fn fetches(emu: &RunningEmulator) -> u64 {
    let v = admin(emu, Method::GET, "/_emulator/faults", json!({})).await;
    let left = v["faults"]
        .as_array()
        .and_then(|a| a.first())
        .and_then(|f| f["count"].as_u64())
        .unwrap_or(0);
    COUNTER - left
}

fn client(emu: &RunningEmulator, options: RedisOptions, entitlements_timeout: Duration) -> Stigg {
    Stigg::new(
        config(emu)
            .entitlements_timeout(entitlements_timeout)
            .redis(options)
            .build()
            .expect("config"),
    )
    .expect("client")
}

fn check(customer: &str) -> GetBooleanEntitlement<'_> {
    GetBooleanEntitlement {
        customer_id: customer,
        feature_id: "feature-custom-domain",
        ..Default::default()
    }
}

/// Fails the test instead of hanging: every read must finish well within its timeouts.
async fn bounded<F: std::future::Future>(what: &str, f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(20), f)
        .await
        .unwrap_or_else(|_| panic!("{what} hung"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clients_sharing_redis_fetch_a_missed_customer_once() {
    require_redis!();
    let redis = RedisServer::start();
    let emu = emulator().await;
    provision(&emu, "cust-sf", "plan-revvenu-pro").await;
    count_fetches(&emu, 400).await;
    let opts = || RedisOptions::new("sf").url(redis.url());
    let a = client(&emu, opts(), Duration::from_secs(5));
    let b = client(&emu, opts(), Duration::from_secs(5));
    let mut events = support::Events::attach(&a);

    let q = check("cust-sf");
    let reads = futures_util::future::join_all(
        (0..4)
            .map(|_| a.get_boolean_entitlement(&q))
            .chain((0..4).map(|_| b.get_boolean_entitlement(&q))),
    );
    let results = bounded("concurrent reads", reads).await;
    for r in &results {
        assert!(r.has_access && !r.is_fallback, "{r:?}");
    }
    assert_eq!(fetches(&emu).await, 1, "one API fetch for both clients");

    // A third client finds it in Redis: no fetch at all.
    let c = client(&emu, opts(), Duration::from_secs(5));
    let r = bounded("read", c.get_boolean_entitlement(&check("cust-sf"))).await;
    assert!(r.has_access && !r.is_fallback);
    assert_eq!(fetches(&emu).await, 1);
    let mut conn = redis.conn().await;
    let keys: Vec<String> = conn.keys("sf:c_cust-sf*").await.expect("keys");
    assert!(
        keys.contains(&"sf:c_cust-sf#timestamp".to_string()),
        "{keys:?}"
    );
    // No WebSocket in Redis mode.
    while let Ok(e) = events.0.try_recv() {
        assert!(
            !matches!(e, StiggEvent::StreamConnected { .. }),
            "Redis mode opened a stream"
        );
    }
    for s in [a, b, c] {
        s.close().await;
    }
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_killed_frozen_and_restarted_degrades_to_the_api_and_recovers() {
    require_redis!();
    let mut redis = RedisServer::start();
    let emu = emulator().await;
    provision(&emu, "cust-kill", "plan-revvenu-pro").await;
    count_fetches(&emu, 0).await;
    // No L1: every read goes to Redis, so Redis trouble shows on every read.
    let stigg = client(
        &emu,
        RedisOptions::new("kill")
            .url(redis.url())
            .l1_max_staleness(Duration::ZERO)
            .command_timeout(Duration::from_millis(300)),
        Duration::from_secs(3),
    );
    let read = || async {
        let r = bounded("read", stigg.get_boolean_entitlement(&check("cust-kill"))).await;
        assert!(r.has_access && !r.is_fallback, "{r:?}");
    };
    read().await;
    read().await;
    assert_eq!(fetches(&emu).await, 1, "the second read came from Redis");

    // Killed: every read goes to the API and still answers, and listeners hear `redisClientError`.
    let mut events = support::Events::attach(&stigg);
    redis.kill();
    for _ in 0..3 {
        read().await;
    }
    assert_eq!(fetches(&emu).await, 4);
    events
        .wait(5, "redisClientError", |e| {
            matches!(
                e,
                stigg_core::client::StiggEvent::RedisClientError {
                    client_name: "redis",
                    ..
                }
            )
        })
        .await;

    // Back (empty): the next read fetches and writes Redis again, then reads hit Redis.
    redis.restart();
    let mut recovered = false;
    for _ in 0..50 {
        let before = fetches(&emu).await;
        read().await;
        if fetches(&emu).await == before {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(recovered, "reads never came from Redis again");

    // Frozen (SIGSTOP): commands time out after commandTimeout; reads go to the API.
    redis.pause();
    let before = fetches(&emu).await;
    read().await;
    read().await;
    assert!(fetches(&emu).await > before);
    redis.resume();
    stigg.close().await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resource_reads_fetch_the_missing_customer_too_and_usage_reports_reach_redis() {
    require_redis!();
    let redis = RedisServer::start();
    let emu = emulator().await;
    provision(&emu, "cust-res", "plan-revvenu-pro").await;
    count_fetches(&emu, 0).await;
    let opts = || RedisOptions::new("res").url(redis.url());
    let stigg = client(&emu, opts(), Duration::from_secs(5));
    let r = bounded(
        "resource read",
        stigg.get_boolean_entitlement(&GetBooleanEntitlement {
            resource_id: Some("site-1"),
            ..check("cust-res")
        }),
    )
    .await;
    assert!(!r.is_fallback, "{r:?}");
    assert_eq!(fetches(&emu).await, 2, "resource and customer");
    let mut conn = redis.conn().await;
    let ts: Vec<Option<String>> = conn
        .mget(&[
            "res:c_cust-res#timestamp",
            "res:c_cust-res:r_site-1#timestamp",
        ])
        .await
        .expect("mget");
    assert!(ts.iter().all(Option::is_some), "{ts:?}");

    // Usage: the server-computed usage goes to Redis; another client reads it from there.
    let metered = GetMeteredEntitlement {
        customer_id: "cust-res",
        feature_id: "feature-api-calls",
        ..Default::default()
    };
    let before = stigg.get_metered_entitlement(&metered).await;
    stigg
        .report_usage(ReportUsage {
            customer_id: "cust-res".into(),
            feature_id: "feature-api-calls".into(),
            value: 5.0,
            ..Default::default()
        })
        .await
        .expect("report");
    let raw: String = conn
        .get("res:c_cust-res:f_feature-api-calls")
        .await
        .expect("usage key");
    let v: serde_json::Value = serde_json::from_str(&raw).expect("json");
    assert_eq!(v["currentUsage"].as_f64(), Some(before.current_usage + 5.0));
    let fetched = fetches(&emu).await;
    let other = client(&emu, opts(), Duration::from_secs(5));
    let m = bounded("metered read", other.get_metered_entitlement(&metered)).await;
    assert_eq!(m.current_usage, before.current_usage + 5.0);
    assert_eq!(fetches(&emu).await, fetched, "read from Redis");
    stigg.close().await;
    other.close().await;
    emu.shutdown().await;
}

/// Takes the single-flight lock of `customer` as another process would.
async fn take_lock(redis: &RedisServer, prefix: &str, customer: &str) {
    let mut conn = redis.conn().await;
    let lock = format!("{prefix}:refetchEntityEntitlementsAfterCacheMiss-{customer}");
    let ok: Option<String> = redis::cmd("SET")
        .arg(&lock)
        .arg("other-process")
        .arg("NX")
        .arg("PX")
        .arg(5000)
        .query_async(&mut conn)
        .await
        .expect("set");
    assert_eq!(ok.as_deref(), Some("OK"));
}

/// Waits until our client listens on the channel, then publishes `payload` as the winner would
/// (without writing Redis) and releases the lock.
async fn notify(redis: &RedisServer, prefix: &str, customer: &str, payload: &str) {
    let mut conn = redis.conn().await;
    let channel = format!("{prefix}:refetchEntityEntitlementsAfterCacheMiss:{customer}");
    for _ in 0..500 {
        let (_, n): (String, i64) = redis::cmd("PUBSUB")
            .arg("NUMSUB")
            .arg(&channel)
            .query_async(&mut conn)
            .await
            .expect("numsub");
        if n > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let _: i64 = conn
        .del(format!(
            "{prefix}:refetchEntityEntitlementsAfterCacheMiss-{customer}"
        ))
        .await
        .expect("del");
    let _: i64 = conn.publish(&channel, payload).await.expect("publish");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_process_refetches_when_redis_is_still_empty_and_falls_back_on_a_remote_error() {
    require_redis!();
    let redis = RedisServer::start();
    let emu = emulator().await;
    provision(&emu, "cust-w1", "plan-revvenu-pro").await;
    provision(&emu, "cust-w2", "plan-revvenu-pro").await;
    count_fetches(&emu, 0).await;
    let stigg = client(
        &emu,
        RedisOptions::new("w").url(redis.url()),
        Duration::from_secs(5),
    );

    // `{}` but nothing in Redis: 3.95 would answer CustomerNotFound; we fetch.
    let q1 = check("cust-w1");
    take_lock(&redis, "w", "cust-w1").await;
    let (r, ()) = tokio::join!(
        bounded("read", stigg.get_boolean_entitlement(&q1)),
        notify(&redis, "w", "cust-w1", "{}")
    );
    assert!(r.has_access && !r.is_fallback, "{r:?}");
    assert_eq!(fetches(&emu).await, 1);

    // `{"error": ...}`: the other process's fetch failed; as Stigg, no fetch here, the fallback.
    let q2 = check("cust-w2");
    take_lock(&redis, "w", "cust-w2").await;
    let (r, ()) = tokio::join!(
        bounded("read", stigg.get_boolean_entitlement(&q2)),
        notify(&redis, "w", "cust-w2", r#"{"error":"boom"}"#)
    );
    assert!(r.is_fallback, "{r:?}");
    assert_eq!(fetches(&emu).await, 1);
    stigg.close().await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_process_fetches_itself_when_no_notification_comes() {
    require_redis!();
    let redis = RedisServer::start();
    let emu = emulator().await;
    provision(&emu, "cust-silent", "plan-revvenu-pro").await;
    count_fetches(&emu, 0).await;
    // entitlementsTimeout 600 ms + notificationBufferMs 500: the waiter gives up after 1.1 s.
    let stigg = client(
        &emu,
        RedisOptions::new("s").url(redis.url()),
        Duration::from_millis(600),
    );
    let mut conn = redis.conn().await;
    let _: () = redis::cmd("SET")
        .arg("s:refetchEntityEntitlementsAfterCacheMiss-cust-silent")
        .arg("a-process-that-died")
        .arg("PX")
        .arg(5000)
        .query_async(&mut conn)
        .await
        .expect("set");
    let r = bounded("read", stigg.get_boolean_entitlement(&check("cust-silent"))).await;
    assert!(r.has_access && !r.is_fallback, "{r:?}");
    assert_eq!(fetches(&emu).await, 1);
    let ts: Option<String> = conn.get("s:c_cust-silent#timestamp").await.expect("get");
    assert!(ts.is_some(), "the fetched state was written to Redis");
    stigg.close().await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_clients_closes_their_redis_connections() {
    require_redis!();
    let redis = RedisServer::start();
    let emu = emulator().await;
    provision(&emu, "cust-drop", "plan-revvenu-pro").await;
    let stigg = client(
        &emu,
        RedisOptions::new("d").url(redis.url()),
        Duration::from_secs(5),
    );
    let r = bounded("read", stigg.get_boolean_entitlement(&check("cust-drop"))).await;
    assert!(!r.is_fallback);
    let mut conn = redis.conn().await;
    let clients = |list: String| list.lines().count();
    let list: String = redis::cmd("CLIENT")
        .arg("LIST")
        .query_async(&mut conn)
        .await
        .expect("client list");
    assert!(clients(list) >= 3, "command + subscriber + this one");
    stigg.close().await;
    drop(stigg);
    let mut left = usize::MAX;
    for _ in 0..200 {
        let list: String = redis::cmd("CLIENT")
            .arg("LIST")
            .query_async(&mut conn)
            .await
            .expect("client list");
        left = clients(list);
        if left == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(left, 1, "only the test's own connection is left");
    emu.shutdown().await;
}
