//! The store trait: what the client needs from a cache layer, memory (L1) or shared (Redis).
//!
//! The client puts the in-process [`MemoryCache`](super::MemoryCache) in front of an optional shared
//! store and talks to both through [`EntitlementStore`], so one code path serves "memory only",
//! "Redis only" and "memory in front of Redis".
//!
//! Methods return boxed `Send` futures, so a network store can be async without `stigg-core` committing
//! to an executor here (the Redis store brings its own client; the memory store's futures are ready
//! immediately: the work is done when the method is called).
//!
//! **Errors are not failures of a check.** A store reports trouble as [`StoreError`]; the client treats
//! an error on [`load`](EntitlementStore::load) as a miss (then the API, then the fallback) and an error
//! on a write as a skipped write, logging it — the same contract as Stigg's Redis store (spec §5.2:
//! "Redis errors are logged and swallowed"). An entitlement read never fails because a store did.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::model::{CustomerState, EntitlementKey, Millis, UsageData};

use super::key::CacheKey;

/// The future a store method returns.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// Why a store could not serve a request. The client turns every one of these into a miss or a
/// skipped write (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The store is not connected (Redis status other than `connect`/`ready`).
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The store did not answer in time.
    #[error("store timed out after {0} ms")]
    Timeout(u64),
    /// The store refuses writes (e.g. `You can't write against a read only replica`).
    #[error("store is read-only: {0}")]
    ReadOnly(String),
    /// A stored value could not be decoded.
    #[error("stored value for {key} is invalid: {message}")]
    Decode {
        /// The key, in Stigg's string form.
        key: String,
        /// What was wrong.
        message: String,
    },
    /// Another process's fetch of this key failed (a shared store's single-flight, spec §5.2:
    /// `A remote execution encountered error: <msg>`); the caller should use the fallback.
    #[error("A remote execution encountered error: {0}")]
    Remote(String),
    /// The fetch given to [`EntitlementStore::refetch`] failed, with its message.
    #[error("fetch failed: {0}")]
    Fetch(String),
    /// Any other backend error, with the backend's message.
    #[error("store error: {0}")]
    Backend(String),
}

/// What [`EntitlementStore::load`] found.
#[derive(Debug, Clone, PartialEq)]
pub enum StoreRead {
    /// The state is stored (complete for the requested entitlement).
    Hit(Arc<CustomerState>),
    /// Nothing usable is stored.
    Miss {
        /// For a resource key: the customer's own (resource-less) state is missing or older than the
        /// resource's, so the client should refetch both (spec §4.1 step 3, §5.2 `globalCustomerMissing`).
        /// Always `false` for a customer key.
        global_customer_missing: bool,
    },
}

impl StoreRead {
    /// The state, if hit.
    pub fn hit(self) -> Option<Arc<CustomerState>> {
        match self {
            StoreRead::Hit(s) => Some(s),
            StoreRead::Miss { .. } => None,
        }
    }
}

/// When a write of a whole state applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PutMode {
    /// Write whenever the timestamp guard allows.
    #[default]
    Always,
    /// Write only when the key is already stored (`setEntitlementsIfExists`, Redis `UPDATE_IF_EXISTS`).
    IfExists,
}

/// What a write of a whole state did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    /// The state was written.
    Written,
    /// The stored state is newer; nothing was written.
    Stale,
    /// [`PutMode::IfExists`] and nothing was stored; nothing was written.
    NotCached,
}

/// What a usage patch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchOutcome {
    /// The usage was written.
    Patched,
    /// The stored usage is newer; nothing was written.
    Stale,
    /// The customer, or that entitlement of the customer, is not cached; nothing was written.
    NotCached,
}

/// The timestamp guard of every write (spec §5.1, §5.2): does a write stamped `incoming` replace a value
/// stamped `stored`?
///
/// An older timestamp does not overwrite; an equal one does; an unstamped (`None`) or epoch-0 write
/// always does; an unstamped stored value is always overwritten.
#[inline]
pub fn guard_allows(stored: Option<Millis>, incoming: Option<Millis>) -> bool {
    match (stored, incoming) {
        (_, None) | (_, Some(0)) | (None, _) => true,
        (Some(s), Some(i)) => i >= s,
    }
}

/// A cache layer the client can read and write: the in-memory cache, or a shared store such as Redis.
///
/// Implementations must be cheap to share (`Send + Sync`, used behind an `Arc`) and must never panic.
/// See the module documentation for how errors are treated.
pub trait EntitlementStore: Send + Sync {
    /// Reads the state stored under `key`.
    ///
    /// `entitlement` narrows what must be complete for a hit: a store that keeps usage apart from the
    /// state (Redis: one usage key per metered feature or wallet) then checks only that entitlement's
    /// usage and its dependencies; `None` asks for the whole state. Stores that keep the state whole
    /// ignore it.
    fn load<'a>(
        &'a self,
        key: &'a CacheKey,
        entitlement: Option<&'a EntitlementKey>,
    ) -> StoreFuture<'a, StoreRead>;

    /// Replaces the state stored under `key`, guarded by [`CustomerState::timestamp`]
    /// (see [`guard_allows`]) and by `mode`.
    fn save<'a>(
        &'a self,
        key: &'a CacheKey,
        state: Arc<CustomerState>,
        mode: PutMode,
    ) -> StoreFuture<'a, PutOutcome>;

    /// Replaces the usage of one entitlement of the state under `key`, guarded by
    /// [`UsageData::updated_at`]; applies only when that state and entitlement are stored.
    fn patch<'a>(
        &'a self,
        key: &'a CacheKey,
        entitlement: &'a EntitlementKey,
        usage: UsageData,
    ) -> StoreFuture<'a, PatchOutcome>;

    /// Deletes the state stored under `key` (not the customer's other resources).
    fn delete<'a>(&'a self, key: &'a CacheKey) -> StoreFuture<'a, ()>;

    /// Deletes the customer's own state and the states of all its resources.
    fn delete_customer<'a>(&'a self, customer_id: &'a str) -> StoreFuture<'a, ()>;

    /// Fetches the state of a key that missed through `fetch` (the client's API call, not yet
    /// polled), stores it, and returns it.
    ///
    /// A shared store may make this happen once across every process that misses the same key at the
    /// same time (Redis: the lock + pub/sub single-flight of spec §5.2): it may then return the state
    /// another process fetched, read back from the store, without polling `fetch`, or
    /// [`StoreError::Remote`] when that process's fetch failed. The default polls `fetch` and saves
    /// the result; a failed save is logged and does not fail the refetch.
    fn refetch<'a>(
        &'a self,
        key: &'a CacheKey,
        fetch: StoreFuture<'a, Arc<CustomerState>>,
    ) -> StoreFuture<'a, Arc<CustomerState>> {
        Box::pin(async move {
            let state = fetch.await?;
            if let Err(e) = self.save(key, Arc::clone(&state), PutMode::Always).await {
                tracing::debug!(key = %key, error = %e, "store write after refetch skipped");
            }
            Ok(state)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_rules() {
        // Older does not overwrite, equal and newer do.
        assert!(!guard_allows(Some(10), Some(9)));
        assert!(guard_allows(Some(10), Some(10)));
        assert!(guard_allows(Some(10), Some(11)));
        // Unstamped or epoch-0 writes always apply; unstamped stored values are always replaced.
        assert!(guard_allows(Some(10), None));
        assert!(guard_allows(Some(10), Some(0)));
        assert!(guard_allows(None, Some(1)));
        assert!(guard_allows(None, None));
    }
}
