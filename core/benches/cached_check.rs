//! A cached entitlement check: cache read + evaluation, as the client's hot path does it.
//!
//! * `cache_read/*`: the bare cache read (look up the customer, then the feature).
//! * `cached_check/*`: cache read + `eval::metered` / `eval::boolean`.
//! * `*_hot`: one customer and feature, over and over (everything in CPU cache).
//! * `*_random`: uniformly random over 10,000 customers × 20 features (DRAM misses dominate).
//! * `cache_write/*`: replacing a customer's state, patching one usage (cold paths, for scale).
//!
//! Short by design (1 s warm-up, 3 s measurement, 50 samples), so CI can run it (`--quick` / `--test`).

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use stigg_core::cache::{CacheKey, MemoryCache, MemoryCacheConfig};
use stigg_core::eval;
use stigg_core::model::{
    CustomerState, EntitlementKey, FeatureInfo, FeatureRecord, FeatureType, MeterType, UsageData,
};

const CUSTOMERS: usize = 10_000;
const FEATURES: usize = 20;
/// 2024-06-15T00:00:00Z.
const NOW: i64 = 1_718_409_600_000;

/// Even features are metered (limit 1000, usage 10), odd ones boolean.
fn record(i: usize) -> FeatureRecord {
    let metered = i % 2 == 0;
    let id = format!("feature-{i:02}");
    let feature = if metered {
        FeatureInfo {
            meter_type: Some(MeterType::Incremental),
            units: "call".into(),
            units_plural: "calls".into(),
            display_name: Some(format!("Feature {i}")),
            ..FeatureInfo::bare(&id, FeatureType::Number)
        }
    } else {
        FeatureInfo {
            display_name: Some(format!("Feature {i}")),
            ..FeatureInfo::bare(&id, FeatureType::Boolean)
        }
    };
    FeatureRecord {
        feature: Arc::new(feature),
        is_granted: true,
        access_denied_reason: None,
        usage_limit: metered.then_some(1_000.0),
        has_unlimited_usage: false,
        has_soft_limit: false,
        enum_values: Arc::from(Vec::new()),
        reset_period: None,
        reset_period_configuration: None,
        usage_period_anchor: None,
        valid_until: None,
        credit_rate: None,
        entitlement_updated_at: Some(NOW - 86_400_000),
        usage: UsageData {
            current_usage: if metered { 10.0 } else { 0.0 },
            usage_period_start: None,
            usage_period_end: None,
            updated_at: Some(NOW - 60_000),
        },
    }
}

fn customer_state() -> CustomerState {
    let mut s = CustomerState {
        timestamp: Some(NOW - 86_400_000),
        ..Default::default()
    };
    for i in 0..FEATURES {
        let r = record(i);
        let id: Box<str> = r.feature.id.as_str().into();
        s.order.push(EntitlementKey::Feature(id.clone()));
        s.features.insert(id, r);
    }
    s
}

fn customer_id(i: usize) -> String {
    format!("customer-{i:05}")
}

fn feature_id(i: usize) -> String {
    format!("feature-{i:02}")
}

/// A cache holding 10,000 customers of 20 features each, with a budget that fits them all.
fn filled_cache() -> MemoryCache {
    let cache = MemoryCache::with_config(MemoryCacheConfig {
        max_size_bytes: 1 << 30,
        ..MemoryCacheConfig::default()
    });
    for c in 0..CUSTOMERS {
        cache.put(CacheKey::customer(&customer_id(c)), customer_state());
    }
    cache
}

/// Random (customer, metered feature) and (customer, boolean feature) requests, precomputed.
struct Requests {
    metered: Vec<(String, String)>,
    boolean: Vec<(String, String)>,
}

fn requests(n: usize) -> Requests {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x as usize
    };
    let mut pick = |parity: usize| {
        let c = next() % CUSTOMERS;
        let f = (next() % (FEATURES / 2)) * 2 + parity;
        (customer_id(c), feature_id(f))
    };
    Requests {
        metered: (0..n).map(|_| pick(0)).collect(),
        boolean: (0..n).map(|_| pick(1)).collect(),
    }
}

fn bench(c: &mut Criterion) {
    let cache = filled_cache();
    assert_eq!(
        cache.len(),
        CUSTOMERS,
        "the budget must hold every customer"
    );
    let hot_customer = customer_id(4_242);
    let (hot_metered, hot_boolean) = (feature_id(6), feature_id(7));
    let reqs = requests(1 << 16);

    // Sanity: the checks decide on cached data.
    let m = cache.read(&hot_customer, None, |s| {
        eval::metered(s, &hot_metered, Some(1.0), None, NOW)
    });
    assert!(m.has_access && !m.is_fallback && m.current_usage == 10.0);
    let b = cache.read(&hot_customer, None, |s| {
        eval::boolean(s, &hot_boolean, None, NOW)
    });
    assert!(b.has_access && !b.is_fallback);

    let mut g = c.benchmark_group("cache_read");
    g.bench_function("hot", |b| {
        b.iter(|| {
            cache.read(black_box(&hot_customer), None, |s| {
                s.and_then(|s| s.feature(black_box(&hot_metered)))
                    .map(|r| r.usage.current_usage)
            })
        })
    });
    g.bench_function("random", |b| {
        let mut i = 0usize;
        b.iter(|| {
            let (cid, fid) = &reqs.metered[i & ((1 << 16) - 1)];
            i = i.wrapping_add(1);
            cache.read(cid, None, |s| {
                s.and_then(|s| s.feature(fid))
                    .map(|r| r.usage.current_usage)
            })
        })
    });
    g.finish();

    let mut g = c.benchmark_group("cached_check");
    g.bench_function("metered_hot", |b| {
        b.iter(|| {
            cache.read(black_box(&hot_customer), None, |s| {
                eval::metered(s, black_box(&hot_metered), Some(1.0), None, NOW)
            })
        })
    });
    g.bench_function("boolean_hot", |b| {
        b.iter(|| {
            cache.read(black_box(&hot_customer), None, |s| {
                eval::boolean(s, black_box(&hot_boolean), None, NOW)
            })
        })
    });
    g.bench_function("metered_random", |b| {
        let mut i = 0usize;
        b.iter(|| {
            let (cid, fid) = &reqs.metered[i & ((1 << 16) - 1)];
            i = i.wrapping_add(1);
            cache.read(cid, None, |s| eval::metered(s, fid, Some(1.0), None, NOW))
        })
    });
    g.bench_function("boolean_random", |b| {
        let mut i = 0usize;
        b.iter(|| {
            let (cid, fid) = &reqs.boolean[i & ((1 << 16) - 1)];
            i = i.wrapping_add(1);
            cache.read(cid, None, |s| eval::boolean(s, fid, None, NOW))
        })
    });
    g.finish();

    // Writes (cold path: once per refetch or stream event), for scale.
    let mut g = c.benchmark_group("cache_write");
    let key = CacheKey::customer(&hot_customer);
    let state = Arc::new(customer_state());
    g.bench_function("put_replace", |b| {
        b.iter(|| cache.put(key.clone(), Arc::clone(&state)))
    });
    let feature = EntitlementKey::Feature(hot_metered.as_str().into());
    let mut n = 0i64;
    g.bench_function("patch_usage", |b| {
        b.iter(|| {
            n += 1;
            let usage = UsageData {
                current_usage: n as f64,
                updated_at: Some(NOW + n),
                ..Default::default()
            };
            cache.patch_usage(&key, &feature, usage)
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50);
    targets = bench
}
criterion_main!(benches);
