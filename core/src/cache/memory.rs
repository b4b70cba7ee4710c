//! The in-memory cache: a lock-free index for reads, moka deciding what stays.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use moka::notification::RemovalCause;
use papaya::{Compute, Operation};
use rustc_hash::FxBuildHasher;

use crate::model::{CustomerState, EntitlementKey, Millis, UsageData};

use super::key::{CacheKey, CacheKeyRef};
use super::size::entry_weight;
use super::store::{
    guard_allows, EntitlementStore, PatchOutcome, PutMode, PutOutcome, StoreFuture, StoreRead,
};

/// Settings of a [`MemoryCache`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryCacheConfig {
    /// The byte budget (`cacheMaxSizeBytes` / `memoryCacheMaxSizeBytes`), as estimated by
    /// [`entry_weight`](super::size::entry_weight).
    pub max_size_bytes: u64,
    /// On average one read in this many (rounded up to a power of two) is reported to the eviction
    /// policy, so frequently read customers stay. `1` reports every read, `0` none.
    pub touch_one_in: u32,
}

impl MemoryCacheConfig {
    /// Default byte budget: 256 MiB.
    pub const DEFAULT_MAX_SIZE_BYTES: u64 = 256 * 1024 * 1024;
    /// Default read sampling: one read in 16.
    pub const DEFAULT_TOUCH_ONE_IN: u32 = 16;
}

impl Default for MemoryCacheConfig {
    fn default() -> Self {
        MemoryCacheConfig {
            max_size_bytes: Self::DEFAULT_MAX_SIZE_BYTES,
            touch_one_in: Self::DEFAULT_TOUCH_ONE_IN,
        }
    }
}

/// An index entry: the state, the generation of the write that put it there, and its earliest
/// `validUntil` (computed once per write).
struct Slot {
    state: Arc<CustomerState>,
    generation: u64,
    valid_until: Option<Millis>,
}

/// The eviction policy's value: which write it accounts for, and its weight.
#[derive(Clone, Copy)]
struct Ticket {
    generation: u64,
    weight: u32,
}

type Index = papaya::HashMap<CacheKey, Slot, FxBuildHasher>;

/// Number of writer stripes (a power of two).
const STRIPES: usize = 64;

thread_local! {
    /// Per-thread xorshift state for read sampling: no shared cache line on the read path.
    static SAMPLER: Cell<u32> = const { Cell::new(0x9E37_79B9) };
}

#[inline]
fn sampled(mask: u32) -> bool {
    SAMPLER.with(|c| {
        let mut x = c.get();
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        c.set(x);
        x & mask == 0
    })
}

/// The in-memory entitlement cache (spec §5.1): one entry per customer and per customer+resource,
/// holding that key's whole [`CustomerState`], bounded by a byte budget. See the
/// [module documentation](super) for the design.
///
/// `Send + Sync`; share it behind an `Arc`.
pub struct MemoryCache {
    index: Arc<Index>,
    policy: moka::sync::Cache<CacheKey, Ticket>,
    stripes: [Mutex<()>; STRIPES],
    next_generation: AtomicU64,
    touch_mask: Option<u32>,
    max_size_bytes: u64,
}

impl std::fmt::Debug for MemoryCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryCache")
            .field("len", &self.len())
            .field("weighted_size", &self.weighted_size())
            .field("max_size_bytes", &self.max_size_bytes)
            .finish_non_exhaustive()
    }
}

impl Default for MemoryCache {
    fn default() -> Self {
        MemoryCache::with_config(MemoryCacheConfig::default())
    }
}

impl MemoryCache {
    /// A cache bounded by `max_size_bytes`, with default read sampling.
    pub fn new(max_size_bytes: u64) -> Self {
        MemoryCache::with_config(MemoryCacheConfig {
            max_size_bytes,
            ..MemoryCacheConfig::default()
        })
    }

    /// A cache with explicit settings.
    pub fn with_config(config: MemoryCacheConfig) -> Self {
        let index: Arc<Index> = Arc::new(papaya::HashMap::with_hasher(FxBuildHasher));
        let evict_from = Arc::clone(&index);
        let policy = moka::sync::Cache::builder()
            .max_capacity(config.max_size_bytes)
            .weigher(|_key: &CacheKey, t: &Ticket| t.weight)
            .eviction_listener(move |key: Arc<CacheKey>, t: Ticket, cause: RemovalCause| {
                // Explicit removals and replacements are done (or superseded) by the writer itself.
                // Evictions remove the index entry, but only the write this ticket accounts for: a
                // newer write of the same key carries a newer generation and stays.
                if cause.was_evicted() {
                    let index = evict_from.pin();
                    let _ = index.remove_if(&*key, |_, slot| slot.generation == t.generation);
                }
            })
            .build();
        let touch_mask = match config.touch_one_in {
            0 => None,
            n => Some(n.checked_next_power_of_two().unwrap_or(1 << 31) - 1),
        };
        MemoryCache {
            index,
            policy,
            stripes: std::array::from_fn(|_| Mutex::new(())),
            next_generation: AtomicU64::new(1),
            touch_mask,
            max_size_bytes: config.max_size_bytes,
        }
    }

    /// The byte budget.
    pub fn max_size_bytes(&self) -> u64 {
        self.max_size_bytes
    }

    /// Runs `f` on the state of `customer_id` (and `resource_id`), or on `None` when it is not cached.
    ///
    /// The hot path of a check: no allocation, no reference count, no lock; on average one call in
    /// [`touch_one_in`](MemoryCacheConfig::touch_one_in) also tells the eviction policy about the read.
    /// The state stays valid for the duration of `f` even if it is replaced or evicted meanwhile; keep
    /// `f` short (it delays the reclamation of replaced states).
    #[inline]
    pub fn read<R>(
        &self,
        customer_id: &str,
        resource_id: Option<&str>,
        f: impl FnOnce(Option<&CustomerState>) -> R,
    ) -> R {
        let lookup = CacheKeyRef::new(customer_id, resource_id);
        let index = self.index.pin();
        let slot = index.get(&lookup);
        let out = f(slot.map(|s| &*s.state));
        if let Some(mask) = self.touch_mask {
            if sampled(mask) {
                self.touch(&lookup);
            }
        }
        out
    }

    /// Reports a read to the eviction policy (also for misses: a key that is asked for often gains
    /// the frequency it needs to be admitted when the budget is full).
    #[cold]
    #[inline(never)]
    fn touch(&self, key: &CacheKeyRef<'_>) {
        let _ = self.policy.get(key);
    }

    /// The state stored under `key`, shared (cold paths; a check should use [`read`](Self::read)).
    /// Does not look at `validUntil`; see [`get_valid`](Self::get_valid).
    pub fn get_arc(&self, key: &CacheKey) -> Option<Arc<CustomerState>> {
        let index = self.index.pin();
        index.get(key).map(|s| Arc::clone(&s.state))
    }

    /// Like [`get_arc`](Self::get_arc), but `None` once any entitlement of the state has expired
    /// (`validUntil <= now`, spec §4.1 step 2): the caller should refetch.
    pub fn get_valid(&self, key: &CacheKey, now: Millis) -> Option<Arc<CustomerState>> {
        let index = self.index.pin();
        index
            .get(key)
            .filter(|s| s.valid_until.is_none_or(|v| v > now))
            .map(|s| Arc::clone(&s.state))
    }

    /// The earliest `validUntil` of the state stored under `key` (`Some(None)`: cached, never expires).
    pub fn valid_until(&self, key: &CacheKey) -> Option<Option<Millis>> {
        let index = self.index.pin();
        index.get(key).map(|s| s.valid_until)
    }

    /// True when a state is stored under `key`.
    pub fn contains(&self, key: &CacheKey) -> bool {
        self.index.pin().contains_key(key)
    }

    /// Replaces the state of `key` unless the stored state is newer (see
    /// [`guard_allows`](super::guard_allows) on [`CustomerState::timestamp`]).
    ///
    /// Whether an empty state (no entitlements, no reason) should purge instead is the caller's
    /// decision (spec §5.1); this stores whatever it is given. When the budget is full, the eviction
    /// policy may decline a new key whose read frequency is below that of the entries it would evict
    /// (TinyLFU admission): the state is then not kept, and later reads miss until the key is asked for
    /// often enough.
    pub fn put(&self, key: CacheKey, state: impl Into<Arc<CustomerState>>) -> PutOutcome {
        self.put_with(key, state.into(), PutMode::Always)
    }

    /// Like [`put`](Self::put), but only when `key` is already cached (`setEntitlementsIfExists`).
    pub fn put_if_exists(&self, key: CacheKey, state: impl Into<Arc<CustomerState>>) -> PutOutcome {
        self.put_with(key, state.into(), PutMode::IfExists)
    }

    /// [`put`](Self::put) with an explicit [`PutMode`].
    pub fn put_with(&self, key: CacheKey, state: Arc<CustomerState>, mode: PutMode) -> PutOutcome {
        let weight = entry_weight(&key, &state);
        let valid_until = state.valid_until();
        let outcome = {
            let _writer = self.lock(key.customer_id());
            let index = self.index.pin();
            match index.get(&key) {
                Some(slot) if !guard_allows(slot.state.timestamp, state.timestamp) => {
                    PutOutcome::Stale
                }
                None if mode == PutMode::IfExists => PutOutcome::NotCached,
                _ => {
                    let generation = self.next_generation.fetch_add(1, Ordering::Relaxed);
                    let slot = Slot {
                        state,
                        generation,
                        valid_until,
                    };
                    index.insert(key.clone(), slot);
                    self.policy.insert(key, Ticket { generation, weight });
                    PutOutcome::Written
                }
            }
        };
        if outcome == PutOutcome::Written {
            // Apply the write to the policy now, so the budget holds when `put` returns.
            self.policy.run_pending_tasks();
        }
        outcome
    }

    /// Replaces the usage of one entitlement of the state of `key` (copy-on-write of the state), when
    /// that state and entitlement are cached and the stored usage is not newer (guard on
    /// [`UsageData::updated_at`]; pass `now` there when the event carries no time, spec §5.1).
    pub fn patch_usage(
        &self,
        key: &CacheKey,
        entitlement: &EntitlementKey,
        usage: UsageData,
    ) -> PatchOutcome {
        let _writer = self.lock(key.customer_id());
        let index = self.index.pin();
        let Some(slot) = index.get(key) else {
            return PatchOutcome::NotCached;
        };
        let stored = match entitlement {
            EntitlementKey::Feature(id) => slot.state.feature(id).map(|r| r.usage),
            EntitlementKey::Credit(id) => slot.state.credit(id).map(|r| r.usage),
        };
        let Some(stored) = stored else {
            return PatchOutcome::NotCached;
        };
        if !guard_allows(stored.updated_at, usage.updated_at) {
            return PatchOutcome::Stale;
        }
        let mut next = CustomerState::clone(&slot.state);
        match entitlement {
            EntitlementKey::Feature(id) => {
                if let Some(r) = next.features.get_mut(&**id) {
                    r.usage = usage;
                }
            }
            EntitlementKey::Credit(id) => {
                if let Some(r) = next.credits.get_mut(&**id) {
                    r.usage = usage;
                }
            }
        }
        let next = Arc::new(next);
        let (generation, valid_until) = (slot.generation, slot.valid_until);
        // Replace only the write we read: the eviction listener may have removed it meanwhile, and a
        // removed entry must not come back untracked by the policy.
        let result = index.compute(key.clone(), |current| match current {
            Some((_, s)) if s.generation == generation => Operation::Insert(Slot {
                state: Arc::clone(&next),
                generation,
                valid_until,
            }),
            _ => Operation::Abort(()),
        });
        match result {
            Compute::Updated { .. } | Compute::Inserted(..) => PatchOutcome::Patched,
            Compute::Removed(..) | Compute::Aborted(()) => PatchOutcome::NotCached,
        }
    }

    /// Removes the state of `key` (not the customer's other resources).
    pub fn purge(&self, key: &CacheKey) {
        let _writer = self.lock(key.customer_id());
        self.index.pin().remove(key);
        self.policy.invalidate(key);
    }

    /// Removes the customer's own state and the states of all its resources.
    ///
    /// Scans the index (O(entries)): meant for rare events (a customer deleted), not per check.
    pub fn purge_customer(&self, customer_id: &str) {
        let _writer = self.lock(customer_id);
        let index = self.index.pin();
        let keys: Vec<CacheKey> = index
            .iter()
            .filter(|(k, _)| k.customer_id() == customer_id)
            .map(|(k, _)| k.clone())
            .collect();
        for key in &keys {
            index.remove(key);
            self.policy.invalidate(key);
        }
    }

    /// Removes every state (WS (re)connect, `packagePublished` for all customers, spec §5.1).
    pub fn clear(&self) {
        {
            // Every writer stripe, in order: no write is half-done (index written, policy not yet).
            let _writers: Vec<MutexGuard<'_, ()>> = self
                .stripes
                .iter()
                .map(|m| m.lock().unwrap_or_else(|e| e.into_inner()))
                .collect();
            self.index.pin().clear();
            for (key, _) in self.policy.iter() {
                self.policy.invalidate(&*key);
            }
        }
        self.policy.run_pending_tasks();
    }

    /// Number of cached states (customers and customer+resource pairs).
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Estimated bytes of the cached states, as the eviction policy last accounted them (writes are
    /// applied when [`put`](Self::put) returns; evictions caused by concurrent writes may lag a little).
    pub fn weighted_size(&self) -> u64 {
        self.policy.weighted_size()
    }

    /// Applies the eviction policy's pending bookkeeping now (sampled reads, invalidations).
    /// Never needed for correctness; useful in tests and before reading [`weighted_size`](Self::weighted_size).
    pub fn run_pending_tasks(&self) {
        self.policy.run_pending_tasks();
    }

    /// The writer lock of a customer: serializes the writes of one customer (all its resources), so
    /// the index and the policy see them in the same order.
    fn lock(&self, customer_id: &str) -> MutexGuard<'_, ()> {
        use std::hash::BuildHasher;
        let stripe = FxBuildHasher.hash_one(customer_id) as usize & (STRIPES - 1);
        let m = &self.stripes[stripe];
        // A poisoned stripe only means a writer panicked while holding it; the data it guards is `()`.
        m.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What [`EntitlementStore::load`] answers for `key`.
    pub fn lookup(&self, key: &CacheKey) -> StoreRead {
        match self.get_arc(key) {
            Some(state) => StoreRead::Hit(state),
            None => StoreRead::Miss {
                global_customer_missing: key.resource_id().is_some()
                    && !self.contains(&key.customer_key()),
            },
        }
    }

    /// Checks that the index and the policy agree: every index entry is accounted by a ticket of the
    /// same generation. Test helper.
    #[cfg(test)]
    pub(crate) fn assert_consistent(&self) {
        self.policy.run_pending_tasks();
        let index = self.index.pin();
        for (k, slot) in index.iter() {
            let t = self.policy.get(k);
            assert_eq!(
                t.map(|t| t.generation),
                Some(slot.generation),
                "index entry {k} not accounted by the policy"
            );
        }
        assert_eq!(index.len() as u64, self.policy.entry_count());
    }
}

/// The memory cache as a store: every future is ready at once (the work is done by the call).
impl EntitlementStore for MemoryCache {
    fn load<'a>(
        &'a self,
        key: &'a CacheKey,
        _entitlement: Option<&'a EntitlementKey>,
    ) -> StoreFuture<'a, StoreRead> {
        Box::pin(std::future::ready(Ok(self.lookup(key))))
    }

    fn save<'a>(
        &'a self,
        key: &'a CacheKey,
        state: Arc<CustomerState>,
        mode: PutMode,
    ) -> StoreFuture<'a, PutOutcome> {
        Box::pin(std::future::ready(Ok(self.put_with(
            key.clone(),
            state,
            mode,
        ))))
    }

    fn patch<'a>(
        &'a self,
        key: &'a CacheKey,
        entitlement: &'a EntitlementKey,
        usage: UsageData,
    ) -> StoreFuture<'a, PatchOutcome> {
        Box::pin(std::future::ready(Ok(self.patch_usage(
            key,
            entitlement,
            usage,
        ))))
    }

    fn delete<'a>(&'a self, key: &'a CacheKey) -> StoreFuture<'a, ()> {
        self.purge(key);
        Box::pin(std::future::ready(Ok(())))
    }

    fn delete_customer<'a>(&'a self, customer_id: &'a str) -> StoreFuture<'a, ()> {
        self.purge_customer(customer_id);
        Box::pin(std::future::ready(Ok(())))
    }
}
