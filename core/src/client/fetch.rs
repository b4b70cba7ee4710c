//! The read path (spec §4.1): the cache when its state is fresh, else one shared fetch per customer.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use serde::Deserialize;
use serde_json::json;
use tokio::sync::OnceCell;

use super::{Stigg, StiggEvent};
use crate::api::documents;
use crate::cache::{CacheKey, EntitlementStore, PutMode, PutOutcome, StoreError, StoreRead};
use crate::error::{Result, StiggError};
use crate::eval;
use crate::model::wire::EntitlementsState;
use crate::model::{CustomerState, Millis};

type Shared = Arc<OnceCell<Result<Arc<CustomerState>>>>;

/// Fetches under way, by cache key: concurrent reads of one customer share one request.
#[derive(Default)]
pub(crate) struct InFlight(Mutex<HashMap<CacheKey, Shared>>);

impl InFlight {
    fn join(&self, key: &CacheKey) -> Shared {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(map.entry(key.clone()).or_default())
    }

    fn finish(&self, key: &CacheKey, cell: &Shared) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.get(key).is_some_and(|c| Arc::ptr_eq(c, cell)) {
            map.remove(key);
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StateEnvelope {
    entitlements_state: Option<EntitlementsState>,
}

impl Stigg {
    /// Whether a cached state may be served now without asking Stigg.
    #[inline]
    fn is_fresh(&self, state: &CustomerState, now: Millis) -> bool {
        let inner = &self.inner;
        if inner.config.offline {
            return true;
        }
        if eval::is_expired(state, now) {
            return false;
        }
        if state.fetched_at < inner.revalidate_before.load(Ordering::Acquire) {
            return false;
        }
        inner.stream_live.load(Ordering::Acquire)
            || now.saturating_sub(state.fetched_at) < inner.serve_for_ms
    }

    /// Decides `f` on the cached state, or `None` when it must be fetched first. Offline (or closed),
    /// an uncached customer is decided on no state: the fallback.
    #[inline]
    pub(crate) fn decide_cached<R>(
        &self,
        customer_id: &str,
        resource_id: Option<&str>,
        f: impl FnOnce(Option<&crate::model::CustomerState>, Millis) -> R,
    ) -> Option<R> {
        let now = self.now();
        let mut f = Some(f);
        let hit = self
            .inner
            .cache
            .read(customer_id, resource_id, |state| match state {
                Some(s) if self.is_fresh(s, now) => f.take().map(|f| f(Some(s), now)),
                _ => None,
            });
        let listeners = &self.inner.listeners;
        match hit {
            Some(r) => {
                if listeners.any() {
                    listeners.emit(&StiggEvent::CacheHit {
                        customer_id: customer_id.to_owned(),
                        resource_id: resource_id.map(str::to_owned),
                    });
                }
                Some(r)
            }
            None if self.inner.config.offline || self.is_closed() => f.map(|f| f(None, now)),
            None => None,
        }
    }

    /// Decides `f` on the customer's state: cached and fresh, else fetched, else the last known
    /// state, else no state (the fallback).
    pub(crate) async fn decide<R>(
        &self,
        customer_id: &str,
        resource_id: Option<&str>,
        f: impl Fn(Option<&CustomerState>, Millis) -> R,
    ) -> R {
        if let Some(r) = self.decide_cached(customer_id, resource_id, &f) {
            return r;
        }
        if self.inner.listeners.any() {
            self.inner.listeners.emit(&StiggEvent::CacheMiss {
                customer_id: customer_id.to_owned(),
                resource_id: resource_id.map(str::to_owned),
            });
        }
        match self.fetch_state(customer_id, resource_id, false).await {
            Ok(state) => f(Some(&state), self.now()),
            Err(err) => {
                let key = CacheKey::new(customer_id, resource_id);
                match self.inner.cache.get_arc(&key) {
                    Some(last_known) => {
                        tracing::warn!(customer_id, error = %err, "refetch failed; using the last known state");
                        f(Some(&last_known), self.now())
                    }
                    None => {
                        tracing::warn!(customer_id, error = %err, "entitlement read fell back");
                        f(None, self.now())
                    }
                }
            }
        }
    }

    /// Fetches a customer's whole state from Stigg (Edge, or GraphQL when Edge is off or
    /// `skip_edge`), caches it, and returns it. Concurrent reads of one key share one request;
    /// `skip_edge` fetches (after writes, `reloadEntitlements`) always make their own.
    pub(crate) async fn fetch_state(
        &self,
        customer_id: &str,
        resource_id: Option<&str>,
        skip_edge: bool,
    ) -> Result<Arc<CustomerState>> {
        self.ensure_open()?;
        super::validate::non_empty("customerId", customer_id)?;
        if let Some(r) = resource_id {
            super::validate::non_empty("resourceId", r)?;
        }
        let key = CacheKey::new(customer_id, resource_id);
        if skip_edge {
            // Read-after-write and reload: a fetch that started before the write could return the
            // old state, so these never join one; they fetch on their own.
            return self.fetch_and_store(&key, skip_edge).await;
        }
        let cell = self.inner.in_flight.join(&key);
        let result = cell
            .get_or_init(|| self.fetch_and_store(&key, skip_edge))
            .await
            .clone();
        self.inner.in_flight.finish(&key, &cell);
        result
    }

    async fn fetch_and_store(&self, key: &CacheKey, skip_edge: bool) -> Result<Arc<CustomerState>> {
        if let Some(store) = self.inner.store.clone() {
            return self.fetch_through_store(&*store, key, skip_edge).await;
        }
        let state = self.fetch_from_api(key, skip_edge).await?;
        Ok(self.keep(key, state))
    }

    /// Puts a state into the in-memory cache and returns what is cached now (a newer state, from
    /// the stream, may already be there: that one is the truth).
    fn keep(&self, key: &CacheKey, state: Arc<CustomerState>) -> Arc<CustomerState> {
        match self.inner.cache.put(key.clone(), Arc::clone(&state)) {
            PutOutcome::Stale => self.inner.cache.get_arc(key).unwrap_or(state),
            _ => state,
        }
    }

    /// Redis mode (spec §4.1, §5.2): the shared store first, then one fetch across every process
    /// that misses the key at once ([`EntitlementStore::refetch`]), which writes the store. A resource
    /// whose customer-level state is missing from the store refetches the customer too. A
    /// read-after-write refetch (`skip_edge`) goes to the API directly and writes the store. Store
    /// errors are misses; what is read is kept in memory for the L1 staleness bound.
    async fn fetch_through_store(
        &self,
        store: &dyn EntitlementStore,
        key: &CacheKey,
        skip_edge: bool,
    ) -> Result<Arc<CustomerState>> {
        if skip_edge {
            let state = self.fetch_from_api(key, true).await?;
            if let Err(e) = store.save(key, Arc::clone(&state), PutMode::Always).await {
                self.store_failed(key, &e, "Redis write after refetch skipped");
            }
            return Ok(self.keep(key, state));
        }
        let mut global_missing = false;
        match store.load(key, None).await {
            Ok(StoreRead::Hit(state)) if !eval::is_expired(&state, self.now()) => {
                return Ok(self.keep(key, self.stamped(state)));
            }
            Ok(StoreRead::Hit(_)) => {}
            Ok(StoreRead::Miss {
                global_customer_missing,
            }) => global_missing = global_customer_missing,
            Err(e) => self.store_failed(key, &e, "Redis read failed: a miss"),
        }
        let refetch = self.refetch_through_store(store, key);
        if global_missing && key.resource_id().is_some() {
            let customer = Box::pin(self.fetch_state(key.customer_id(), None, false));
            let (result, customer) = futures_util::join!(refetch, customer);
            if let Err(e) = customer {
                tracing::debug!(key = %key, error = %e, "customer-level refetch failed");
            }
            result
        } else {
            refetch.await
        }
    }

    async fn refetch_through_store(
        &self,
        store: &dyn EntitlementStore,
        key: &CacheKey,
    ) -> Result<Arc<CustomerState>> {
        let failure: Mutex<Option<StiggError>> = Mutex::new(None);
        let fetch = Box::pin(async {
            self.fetch_from_api(key, false).await.map_err(|e| {
                let message = e.to_string();
                *failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                StoreError::Fetch(message)
            })
        });
        match store.refetch(key, fetch).await {
            Ok(state) => Ok(self.keep(key, self.stamped(state))),
            Err(e) => {
                let own = failure.lock().unwrap_or_else(|p| p.into_inner()).take();
                Err(own.unwrap_or_else(|| StiggError::Api {
                    message: e.to_string(),
                    code: None,
                    trace_id: None,
                }))
            }
        }
    }

    /// A failure of the shared store: logged, and announced to listeners as `redisClientError` when
    /// Redis itself failed (not, say, another process's fetch). What it served goes on as a miss or a
    /// skipped write.
    pub(crate) fn store_failed(&self, key: &CacheKey, e: &StoreError, what: &str) {
        tracing::debug!(key = %key, error = %e, "{what}");
        if matches!(
            e,
            StoreError::Unavailable(_)
                | StoreError::Timeout(_)
                | StoreError::ReadOnly(_)
                | StoreError::Backend(_)
        ) {
            self.inner.listeners.emit(&StiggEvent::RedisClientError {
                error: e.to_string(),
                client_name: "redis",
            });
        }
    }

    /// `state` marked as received now (what bounds its life in the in-memory cache).
    fn stamped(&self, state: Arc<CustomerState>) -> Arc<CustomerState> {
        let now = self.now();
        if state.fetched_at == now {
            return state;
        }
        let mut state = Arc::unwrap_or_clone(state);
        state.fetched_at = now;
        Arc::new(state)
    }

    /// One `GetEntitlementsState` from Stigg (Edge, or GraphQL when Edge is off or `skip_edge`),
    /// bounded by `entitlementsTimeout`; not cached.
    async fn fetch_from_api(&self, key: &CacheKey, skip_edge: bool) -> Result<Arc<CustomerState>> {
        let api = self.api()?;
        let timeout = self.inner.config.entitlements_timeout;
        let customer_id = key.customer_id();
        let resource_id = key.resource_id();
        let request = async {
            let envelope: StateEnvelope = if self.inner.config.enable_edge && !skip_edge {
                let query: Vec<(&str, &str)> = resource_id
                    .map(|r| vec![("resourceId", r)])
                    .unwrap_or_default();
                api.edge(
                    &["v1", "c", customer_id, "entitlements-state.json"],
                    &query,
                    timeout,
                )
                .await?
            } else {
                let query =
                    json!({ "query": { "customerId": customer_id, "resourceId": resource_id } });
                api.graphql(documents::GET_ENTITLEMENTS_STATE, query, timeout)
                    .await?
            };
            Ok::<_, StiggError>(envelope)
        };
        let envelope =
            tokio::time::timeout(timeout, request)
                .await
                .map_err(|_| StiggError::Timeout {
                    operation: String::from("GetEntitlementsState"),
                })??;
        let wire = envelope.entitlements_state.ok_or_else(|| StiggError::Api {
            message: String::from("GetEntitlementsState: the response has no entitlementsState"),
            code: Some(String::from("InvalidResponse")),
            trace_id: None,
        })?;
        let mut state = CustomerState::from_wire(&wire);
        state.fetched_at = self.now();
        Ok(Arc::new(state))
    }
}
