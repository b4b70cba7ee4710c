//! Tests of the in-memory cache and its store face.

use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use super::test_support::state;
use super::*;
use crate::model::{CustomerState, EntitlementKey, UsageData};

fn feature_key(i: usize) -> EntitlementKey {
    EntitlementKey::Feature(format!("feature-{i}").into())
}

fn usage_of(cache: &MemoryCache, c: &str, r: Option<&str>, f: &str) -> Option<f64> {
    cache.read(c, r, |s| {
        s.and_then(|s| s.feature(f)).map(|r| r.usage.current_usage)
    })
}

fn stamp(cache: &MemoryCache, key: &CacheKey) -> Option<Option<i64>> {
    cache.get_arc(key).map(|s| s.timestamp)
}

/// Polls a future that must be ready at once (the memory store's are).
fn ready<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("memory store future was not ready"),
    }
}

#[test]
fn put_then_read_by_borrowed_key() {
    let cache = MemoryCache::new(1 << 20);
    assert_eq!(usage_of(&cache, "acme", None, "feature-1"), None);
    assert_eq!(
        cache.put(CacheKey::customer("acme"), state(3, Some(10))),
        PutOutcome::Written
    );
    assert_eq!(usage_of(&cache, "acme", None, "feature-1"), Some(1.0));
    assert_eq!(usage_of(&cache, "acme", Some("r1"), "feature-1"), None);
    assert_eq!(usage_of(&cache, "acm", None, "feature-1"), None);
    assert_eq!(cache.len(), 1);
    assert!(cache.weighted_size() > 0);
}

#[test]
fn put_is_timestamp_guarded() {
    let cache = MemoryCache::new(1 << 20);
    let key = CacheKey::customer("acme");
    cache.put(key.clone(), state(1, Some(100)));
    // Older: skipped.
    assert_eq!(
        cache.put(key.clone(), state(1, Some(99))),
        PutOutcome::Stale
    );
    assert_eq!(stamp(&cache, &key), Some(Some(100)));
    // Equal: written.
    let mut equal = state(2, Some(100));
    equal.access_denied_reason = None;
    assert_eq!(cache.put(key.clone(), equal), PutOutcome::Written);
    assert_eq!(cache.get_arc(&key).map(|s| s.features.len()), Some(2));
    // Newer: written.
    assert_eq!(
        cache.put(key.clone(), state(1, Some(101))),
        PutOutcome::Written
    );
    // Unstamped and epoch 0: always written.
    assert_eq!(cache.put(key.clone(), state(1, None)), PutOutcome::Written);
    assert_eq!(stamp(&cache, &key), Some(None));
    // Anything overwrites an unstamped state.
    assert_eq!(
        cache.put(key.clone(), state(1, Some(5))),
        PutOutcome::Written
    );
    assert_eq!(
        cache.put(key.clone(), state(1, Some(0))),
        PutOutcome::Written
    );
    assert_eq!(stamp(&cache, &key), Some(Some(0)));
    cache.assert_consistent();
}

#[test]
fn put_if_exists_needs_an_entry() {
    let cache = MemoryCache::new(1 << 20);
    let key = CacheKey::customer("acme");
    assert_eq!(
        cache.put_if_exists(key.clone(), state(1, None)),
        PutOutcome::NotCached
    );
    assert!(!cache.contains(&key));
    cache.put(key.clone(), state(1, Some(1)));
    assert_eq!(
        cache.put_if_exists(key.clone(), state(2, Some(2))),
        PutOutcome::Written
    );
    assert_eq!(cache.get_arc(&key).map(|s| s.features.len()), Some(2));
}

#[test]
fn patch_usage_is_copy_on_write_and_guarded() {
    let cache = MemoryCache::new(1 << 20);
    let key = CacheKey::customer("acme");
    let usage = |v: f64, at: Option<i64>| UsageData {
        current_usage: v,
        usage_period_start: Some(1),
        usage_period_end: Some(2),
        updated_at: at,
    };
    // Not cached: nothing happens.
    assert_eq!(
        cache.patch_usage(&key, &feature_key(0), usage(7.0, Some(2_000))),
        PatchOutcome::NotCached
    );
    assert!(!cache.contains(&key));

    cache.put(key.clone(), state(3, Some(10)));
    let before = cache.get_arc(&key);
    assert_eq!(
        cache.patch_usage(&key, &feature_key(1), usage(7.0, Some(2_000))),
        PatchOutcome::Patched
    );
    assert_eq!(usage_of(&cache, "acme", None, "feature-1"), Some(7.0));
    assert_eq!(usage_of(&cache, "acme", None, "feature-0"), Some(1.0));
    // The previous snapshot is untouched (copy-on-write).
    assert_eq!(
        before
            .as_ref()
            .and_then(|s| s.feature("feature-1"))
            .map(|r| r.usage.current_usage),
        Some(1.0)
    );
    // Older usage: skipped; equal: written; unstamped: written.
    assert_eq!(
        cache.patch_usage(&key, &feature_key(1), usage(3.0, Some(1_999))),
        PatchOutcome::Stale
    );
    assert_eq!(usage_of(&cache, "acme", None, "feature-1"), Some(7.0));
    assert_eq!(
        cache.patch_usage(&key, &feature_key(1), usage(8.0, Some(2_000))),
        PatchOutcome::Patched
    );
    assert_eq!(
        cache.patch_usage(&key, &feature_key(1), usage(9.0, None)),
        PatchOutcome::Patched
    );
    assert_eq!(usage_of(&cache, "acme", None, "feature-1"), Some(9.0));
    // Unknown entitlement: nothing happens.
    assert_eq!(
        cache.patch_usage(&key, &feature_key(42), usage(1.0, None)),
        PatchOutcome::NotCached
    );
    // Credit wallets.
    let usd = EntitlementKey::Credit("usd".into());
    assert_eq!(
        cache.patch_usage(&key, &usd, usage(12.0, Some(3_000))),
        PatchOutcome::Patched
    );
    assert_eq!(
        cache.read("acme", None, |s| s
            .and_then(|s| s.credit("usd"))
            .map(|c| c.usage.current_usage)),
        Some(12.0)
    );
    // The patch kept the state's timestamp.
    assert_eq!(stamp(&cache, &key), Some(Some(10)));
    cache.assert_consistent();
}

#[test]
fn purge_customer_removes_its_resources_only() {
    let cache = MemoryCache::new(1 << 20);
    for k in [
        CacheKey::customer("a"),
        CacheKey::resource("a", "r1"),
        CacheKey::resource("a", "r2"),
        CacheKey::customer("ab"),
        CacheKey::resource("ab", "r1"),
        CacheKey::resource("b", "a"),
    ] {
        cache.put(k, state(1, None));
    }
    assert_eq!(cache.len(), 6);
    cache.purge(&CacheKey::resource("a", "r2"));
    assert_eq!(cache.len(), 5);
    assert!(cache.contains(&CacheKey::customer("a")));

    cache.purge_customer("a");
    assert_eq!(cache.len(), 3);
    assert!(!cache.contains(&CacheKey::customer("a")));
    assert!(!cache.contains(&CacheKey::resource("a", "r1")));
    assert!(cache.contains(&CacheKey::customer("ab")));
    assert!(cache.contains(&CacheKey::resource("ab", "r1")));
    assert!(cache.contains(&CacheKey::resource("b", "a")));
    cache.assert_consistent();
}

#[test]
fn clear_removes_everything() {
    let cache = MemoryCache::new(1 << 20);
    for i in 0..50 {
        cache.put(CacheKey::customer(&format!("c{i}")), state(2, None));
    }
    assert_eq!(cache.len(), 50);
    cache.clear();
    assert_eq!(cache.len(), 0);
    assert!(cache.is_empty());
    assert_eq!(cache.weighted_size(), 0);
    assert_eq!(usage_of(&cache, "c1", None, "feature-0"), None);
    // Usable afterwards.
    cache.put(CacheKey::customer("c1"), state(2, None));
    assert_eq!(usage_of(&cache, "c1", None, "feature-0"), Some(1.0));
    cache.assert_consistent();
}

#[test]
fn get_valid_honours_valid_until() {
    let cache = MemoryCache::new(1 << 20);
    let key = CacheKey::customer("acme");
    let mut s = state(2, None);
    if let Some(r) = s.features.get_mut("feature-1") {
        r.valid_until = Some(5_000);
    }
    cache.put(key.clone(), s);
    assert_eq!(cache.valid_until(&key), Some(Some(5_000)));
    assert!(cache.get_valid(&key, 4_999).is_some());
    assert!(cache.get_valid(&key, 5_000).is_none());
    assert!(cache.get_arc(&key).is_some());
}

#[test]
fn eviction_keeps_index_and_budget_in_step() {
    let one = size::entry_weight(&CacheKey::customer("c0000"), &state(5, None)) as u64;
    let budget = one * 20;
    let cache = MemoryCache::with_config(MemoryCacheConfig {
        max_size_bytes: budget,
        touch_one_in: 1,
    });
    for i in 0..500 {
        cache.put(CacheKey::customer(&format!("c{i:04}")), state(5, None));
        assert!(cache.weighted_size() <= budget, "over budget after put {i}");
    }
    cache.assert_consistent();
    assert!(cache.len() <= 20, "{} entries", cache.len());
    assert!(!cache.is_empty());
    // Whatever the index still has is readable; whatever it lost reads as a miss.
    let present = (0..500)
        .filter(|i| usage_of(&cache, &format!("c{i:04}"), None, "feature-0").is_some())
        .count();
    assert_eq!(present, cache.len());
}

#[test]
fn a_state_heavier_than_the_budget_is_not_kept() {
    let cache = MemoryCache::new(100);
    cache.put(CacheKey::customer("big"), state(10, None));
    cache.assert_consistent();
    assert!(!cache.contains(&CacheKey::customer("big")));
}

#[test]
fn hot_customer_survives_a_flood_of_one_offs() {
    let one = size::entry_weight(&CacheKey::customer("c0000"), &state(5, None)) as u64;
    for touch_one_in in [1, MemoryCacheConfig::DEFAULT_TOUCH_ONE_IN] {
        let cache = MemoryCache::with_config(MemoryCacheConfig {
            max_size_bytes: one * 50,
            touch_one_in,
        });
        cache.put(CacheKey::customer("hot"), state(5, None));
        for round in 0..20 {
            for _ in 0..200 {
                assert_eq!(usage_of(&cache, "hot", None, "feature-0"), Some(1.0));
            }
            for i in 0..100 {
                let id = format!("flood-{round}-{i}");
                cache.put(CacheKey::customer(&id), state(5, None));
            }
        }
        cache.assert_consistent();
        assert!(
            cache.contains(&CacheKey::customer("hot")),
            "hot entry evicted (touch_one_in = {touch_one_in})"
        );
        assert!(cache.weighted_size() <= one * 50);
    }
}

#[test]
fn store_trait_over_memory() {
    let cache = Arc::new(MemoryCache::new(1 << 20));
    let store: Arc<dyn EntitlementStore> = cache.clone();
    let key = CacheKey::resource("acme", "site");
    assert_eq!(
        ready(store.load(&key, None)),
        Ok(StoreRead::Miss {
            global_customer_missing: true
        })
    );
    assert_eq!(
        ready(store.save(&key, Arc::new(state(2, Some(5))), PutMode::Always)),
        Ok(PutOutcome::Written)
    );
    assert_eq!(
        ready(store.save(&key, Arc::new(state(2, Some(4))), PutMode::Always)),
        Ok(PutOutcome::Stale)
    );
    let hit = ready(store.load(&key, Some(&feature_key(0))))
        .ok()
        .and_then(StoreRead::hit);
    assert_eq!(hit.map(|s| s.timestamp), Some(Some(5)));
    let usage = UsageData {
        current_usage: 4.0,
        ..Default::default()
    };
    assert_eq!(
        ready(store.patch(&key, &feature_key(0), usage)),
        Ok(PatchOutcome::Patched)
    );
    assert_eq!(
        usage_of(&cache, "acme", Some("site"), "feature-0"),
        Some(4.0)
    );
    cache.put(CacheKey::customer("acme"), CustomerState::default());
    assert_eq!(ready(store.delete(&key)), Ok(()));
    assert_eq!(
        ready(store.load(&key, None)),
        Ok(StoreRead::Miss {
            global_customer_missing: false
        })
    );
    assert_eq!(ready(store.delete_customer("acme")), Ok(()));
    assert!(cache.is_empty());
}

#[test]
fn refetch_saves_what_it_fetched() {
    let cache = MemoryCache::new(1 << 20);
    let store: &dyn EntitlementStore = &cache;
    let key = CacheKey::customer("acme");
    let fetched = ready(store.refetch(&key, Box::pin(async { Ok(Arc::new(state(2, Some(7)))) })));
    assert_eq!(fetched.map(|s| s.timestamp), Ok(Some(7)));
    assert_eq!(stamp(&cache, &key), Some(Some(7)));
    let failed = ready(store.refetch(
        &CacheKey::customer("other"),
        Box::pin(async { Err(StoreError::Fetch("503".into())) }),
    ));
    assert_eq!(failed, Err(StoreError::Fetch("503".into())));
    assert_eq!(cache.len(), 1);
}

#[test]
fn memory_cache_is_send_and_sync() {
    fn check<T: Send + Sync + 'static>() {}
    check::<MemoryCache>();
    check::<Arc<dyn EntitlementStore>>();
}

#[test]
fn concurrent_smoke() {
    let one = size::entry_weight(&CacheKey::customer("c00"), &state(3, None)) as u64;
    let cache = Arc::new(MemoryCache::with_config(MemoryCacheConfig {
        max_size_bytes: one * 40,
        touch_one_in: 4,
    }));
    let threads: Vec<_> = (0..4u64)
        .map(|t| {
            let cache = Arc::clone(&cache);
            std::thread::spawn(move || {
                let mut x = 0x2545_F491_4F6C_DD1D_u64 ^ (t + 1);
                let mut next = move || {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x
                };
                for n in 0..20_000u64 {
                    let r = next();
                    let c = format!("c{:02}", r % 60);
                    let res = ((r >> 8) % 3 == 0).then(|| format!("r{}", (r >> 16) % 3));
                    let key = CacheKey::new(&c, res.as_deref());
                    match (r >> 24) % 100 {
                        0..=69 => {
                            cache.read(&c, res.as_deref(), |s| {
                                if let Some(s) = s {
                                    assert!(s.feature("feature-0").is_some());
                                }
                            });
                        }
                        70..=84 => {
                            cache.put(key, state(3, Some((n % 50) as i64)));
                        }
                        85..=94 => {
                            let u = UsageData {
                                current_usage: n as f64,
                                updated_at: Some(n as i64),
                                ..Default::default()
                            };
                            cache.patch_usage(&key, &feature_key(0), u);
                        }
                        95..=97 => cache.purge(&key),
                        98 => cache.purge_customer(&c),
                        _ => {
                            if n % 1_000 == 0 {
                                cache.clear();
                            }
                        }
                    }
                }
            })
        })
        .collect();
    for t in threads {
        assert!(t.join().is_ok(), "a worker panicked");
    }
    cache.assert_consistent();
    assert!(cache.weighted_size() <= one * 40);
}
