//! A Redis-backed entitlement check, with and without the in-process L1, against a real
//! `redis-server` (started here on a free port) and the in-process emulator:
//! - `redis, no L1`: `l1MaxStaleness = 0`, every check reads Redis (two `MGET` round trips: the
//!   customer key, metadata and timestamp; then the usage keys and their timestamps) and decides;
//! - `redis + L1 (async)`: the default 1 s L1; the async getter, answered in-process;
//! - `redis + L1 (cached)`: the same, through the synchronous `_cached` getter the bindings use.
//!
//! `cargo bench -p stigg-core --bench redis_check` prints p50/p99. Under `cargo test --benches` it
//! runs a few iterations only. Skipped (loudly) when `redis-server` is not installed.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use stigg_core::cache::redis::RedisOptions;
use stigg_core::client::GetMeteredEntitlement;
use stigg_core::{Stigg, StiggConfig};
use stigg_emulator::Emulator;

const KEY: &str = "server-emulator-key";

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{name:<26} n={:<6} p50={:>9.3?} p99={:>9.3?} max={:>9.3?}",
        samples.len(),
        percentile(&samples, 0.50),
        percentile(&samples, 0.99),
        samples[samples.len() - 1]
    );
}

struct Redis(Child, u16);

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_redis() -> Option<Redis> {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .ok()?;
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let redis = Redis(child, port);
    for _ in 0..500 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(redis);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    None
}

fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let iterations = if quick { 20 } else { 20_000 };
    let Some(redis) = start_redis() else {
        eprintln!(
            "!!!!!!!! SKIPPED: redis-server is not installed; the Redis benchmark did not run"
        );
        return;
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (no_l1, with_l1, emu) = rt.block_on(async {
        let emu = Emulator::builder()
            .port(0)
            .edge_port(0)
            .start()
            .await
            .expect("emulator");
        let base = emu.base_url();
        let http = reqwest::Client::new();
        for query in [
            json!({"query": "mutation P($input: ProvisionCustomerInput!) { provisionCustomer(input: $input) { customer { refId } } }",
                   "variables": {"input": {"customerId": "bench-redis", "subscriptionParams": {"planId": "plan-revvenu-pro"}}}}),
            json!({"query": "mutation R($input: ReportUsageInput!) { reportUsage(input: $input) { id } }",
                   "variables": {"input": {"customerId": "bench-redis", "featureId": "feature-api-calls", "value": 3}}}),
        ] {
            http.post(format!("{base}/graphql"))
                .header("X-API-KEY", KEY)
                .json(&query)
                .send()
                .await
                .expect("emulator answers");
        }
        let client = |l1: Duration| {
            Stigg::new(
                StiggConfig::builder()
                    .api_key(KEY)
                    .read_env(false)
                    .base_uri(&base)
                    .base_edge_uri(emu.edge_url())
                    .redis(
                        RedisOptions::new("bench")
                            .url(format!("redis://127.0.0.1:{}", redis.1))
                            .l1_max_staleness(l1),
                    )
                    .build()
                    .expect("config"),
            )
            .expect("client")
        };
        let no_l1 = client(Duration::ZERO);
        let with_l1 = client(Duration::from_secs(3600));
        (no_l1, with_l1, emu)
    });
    let check = GetMeteredEntitlement {
        customer_id: "bench-redis",
        feature_id: "feature-api-calls",
        requested_usage: Some(1.0),
        ..Default::default()
    };
    // Warm up: the first read fetches from the API and writes Redis.
    rt.block_on(async {
        let r = no_l1.get_metered_entitlement(&check).await;
        assert!(r.has_access && !r.is_fallback, "{r:?}");
        let r = with_l1.get_metered_entitlement(&check).await;
        assert!(r.has_access && !r.is_fallback, "{r:?}");
    });

    let mut samples = Vec::with_capacity(iterations);
    rt.block_on(async {
        for _ in 0..iterations {
            let t = Instant::now();
            let r = no_l1.get_metered_entitlement(&check).await;
            samples.push(t.elapsed());
            assert!(!r.is_fallback);
        }
    });
    report("redis, no L1", samples);

    let mut samples = Vec::with_capacity(iterations);
    rt.block_on(async {
        for _ in 0..iterations {
            let t = Instant::now();
            let r = with_l1.get_metered_entitlement(&check).await;
            samples.push(t.elapsed());
            assert!(!r.is_fallback);
        }
    });
    report("redis + L1 (async)", samples);

    let mut samples = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let t = Instant::now();
        let r = with_l1.get_metered_entitlement_cached(&check);
        samples.push(t.elapsed());
        assert!(r.is_some_and(|r| !r.is_fallback));
    }
    report("redis + L1 (cached)", samples);
    rt.block_on(async {
        no_l1.close().await;
        with_l1.close().await;
        emu.shutdown().await;
    });
    drop(redis);
}
