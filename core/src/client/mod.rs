//! The `Stigg` client handle: cache-first entitlement reads, usage writes, offline mode.
//!
//! A [`Stigg`] is cheap to clone (one `Arc`) and safe to share between threads. Reads never fail: when
//! no state can be had, they return the fallback (per call › `entitlementsFallback` › default deny),
//! marked `isFallback`. Writes validate their input and return [`StiggError`]s.
//!
//! Freshness (where we deliberately differ from the official SDK, which refetches on every read while
//! its stream is not live and clears its cache on every reconnect):
//! - while the real-time stream is live, a cached state is served until an event replaces it or its
//!   `validUntil` passes;
//! - while it is not (disabled, connecting, or down), a cached state is served for at most
//!   `refresh_interval` after it was fetched, then refetched;
//! - after a reconnect, states fetched before it are revalidated on their next read (single-flight per
//!   customer, so there is no herd) instead of the whole cache being dropped; until revalidated they are
//!   not served;
//! - when a refetch fails, the last known state is used rather than the fallback.
//!
//! Offline mode (spec §6): reads return fallbacks and writes return local acknowledgements, without any
//! network. Beyond the official SDK, an offline client can be given fixture states
//! ([`Stigg::set_entitlements_state`]); reads of those customers are then decided by the same rules as
//! online reads. This is how every binding runs the shared conformance vectors.

mod events;
mod fetch;
mod management;
mod reads;
mod requests;
mod runtime;
mod streaming;
pub mod validate;
mod writes;

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

pub use events::{Listener, ListenerId, Listeners, StiggEvent};
pub use requests::*;

use crate::api::{documents, ApiClient, ApiEvent, ApiSettings};
use crate::cache::redis::RedisStore;
use crate::cache::{CacheKey, EntitlementStore, MemoryCache};
use crate::config::StiggConfig;
use crate::error::{Result, StiggError};
use crate::ids::new_id;
use crate::model::wire::EntitlementsState;
use crate::model::{CustomerState, Millis};
use fetch::InFlight;
use runtime::ClientRuntime;

/// The Stigg client. Create it with [`Stigg::new`] from a [`StiggConfig`].
#[derive(Clone)]
pub struct Stigg {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) config: StiggConfig,
    pub(crate) cache: MemoryCache,
    /// The shared store behind `cache` (Redis mode), consulted on a miss of `cache` before the API.
    pub(crate) store: Option<Arc<dyn EntitlementStore>>,
    /// How long a cached state is served while no live stream confirms it: `refresh_interval`, or in
    /// Redis mode the L1 staleness bound (`redis.l1_max_staleness`).
    pub(crate) serve_for_ms: i64,
    pub(crate) api: Option<ApiClient>,
    pub(crate) listeners: Arc<Listeners>,
    pub(crate) in_flight: InFlight,
    /// True while the real-time stream is connected and subscribed.
    pub(crate) stream_live: AtomicBool,
    /// States fetched before this instant must be revalidated before they are served (set on stream
    /// (re)connect, since events may have been missed).
    pub(crate) revalidate_before: AtomicI64,
    instance_id: String,
    pub(crate) closed: AtomicBool,
    stream: Mutex<Option<crate::stream::StreamHandle>>,
    init: tokio::sync::OnceCell<Result<()>>,
    background: Mutex<Vec<tokio::task::JoinHandle<()>>>,
    runtime: ClientRuntime,
}

impl std::fmt::Debug for Stigg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stigg")
            .field("instance_id", &self.inner.instance_id)
            .field("offline", &self.inner.config.offline)
            .finish_non_exhaustive()
    }
}

impl Stigg {
    /// Creates a client (the official SDK's `Stigg.initialize`). Online, it starts initializing in the
    /// background (API key check, then the real-time stream when enabled); await
    /// [`wait_for_initialization`](Self::wait_for_initialization) to know how that went.
    pub fn new(config: StiggConfig) -> Result<Self> {
        Self::build(config, None)
    }

    /// Like [`new`](Self::new), with `listener` registered before any background work starts, so
    /// that it sees every event from the first one (initialization, the stream's first connection).
    pub fn new_with_listener(
        config: StiggConfig,
        listener: impl Fn(&StiggEvent) + Send + Sync + 'static,
    ) -> Result<Self> {
        Self::build(config, Some(Arc::new(listener)))
    }

    fn build(config: StiggConfig, listener: Option<Listener>) -> Result<Self> {
        let runtime = ClientRuntime::current_or_new()?;
        let listeners = Arc::new(Listeners::default());
        if let Some(listener) = listener {
            listeners.add(listener);
        }
        let instance_id = new_id();
        let api = if config.offline {
            None
        } else {
            let sink_listeners = Arc::clone(&listeners);
            let sink: crate::api::ApiEventSink = Arc::new(move |event| {
                sink_listeners.emit(&match event {
                    ApiEvent::ApiKeyInvalid => StiggEvent::ApiKeyInvalid,
                    ApiEvent::NetworkRequestFailed {
                        error_message,
                        error_code,
                        trace_id,
                    } => StiggEvent::NetworkRequestFailed {
                        error_message,
                        error_code,
                        trace_id,
                    },
                })
            });
            Some(ApiClient::new(
                ApiSettings {
                    base_uri: config.base_uri.clone(),
                    base_edge_uri: config.base_edge_uri.clone(),
                    api_key: config.api_key.expose().to_owned(),
                    instance_id: instance_id.clone(),
                    graphql_retry: config.graphql_retry.clone(),
                    edge_retry: config.edge_retry.clone(),
                },
                Some(sink),
            )?)
        };
        let cache = MemoryCache::new(config.cache_max_size_bytes);
        // Redis mode (spec §5.2): the Redis store behind the in-memory cache, which then serves a
        // state for at most the L1 staleness bound; no WebSocket.
        let store: Option<Arc<dyn EntitlementStore>> = match &config.redis {
            Some(options) if !config.offline => {
                let _in_runtime = runtime.handle().enter();
                Some(Arc::new(RedisStore::new(
                    options,
                    config.entitlements_timeout,
                    Arc::clone(&config.clock),
                )?))
            }
            _ => None,
        };
        let serve_for = match (&store, &config.redis) {
            (Some(_), Some(options)) => options.l1_max_staleness,
            _ => config.refresh_interval,
        };
        let stigg = Stigg {
            inner: Arc::new(Inner {
                config,
                cache,
                store,
                serve_for_ms: i64::try_from(serve_for.as_millis()).unwrap_or(i64::MAX),
                api,
                listeners,
                in_flight: InFlight::default(),
                stream_live: AtomicBool::new(false),
                revalidate_before: AtomicI64::new(i64::MIN),
                instance_id,
                closed: AtomicBool::new(false),
                init: tokio::sync::OnceCell::new(),
                stream: Mutex::new(None),
                background: Mutex::new(Vec::new()),
                runtime,
            }),
        };
        if !stigg.inner.config.offline {
            if stigg.inner.config.realtime_updates_enabled && stigg.inner.store.is_none() {
                stigg.start_stream();
            }
            let this = stigg.clone();
            let task = stigg.inner.runtime.handle().spawn(async move {
                let _ = this.wait_for_initialization().await;
            });
            stigg.track(task);
        }
        Ok(stigg)
    }

    fn track(&self, task: tokio::task::JoinHandle<()>) {
        self.inner
            .background
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(task);
    }

    /// The configuration this client was built with.
    pub fn config(&self) -> &StiggConfig {
        &self.inner.config
    }

    /// This client's instance id (the `X-SDK-INSTANCE-ID` header).
    pub fn instance_id(&self) -> &str {
        &self.inner.instance_id
    }

    /// Registers a listener for [`StiggEvent`]s (`addListener`).
    pub fn add_listener(&self, f: impl Fn(&StiggEvent) + Send + Sync + 'static) -> ListenerId {
        self.inner.listeners.add(Arc::new(f))
    }

    /// Unregisters a listener (`removeListener`); returns whether it was registered.
    pub fn remove_listener(&self, id: ListenerId) -> bool {
        self.inner.listeners.remove(id)
    }

    /// Resolves when the client is ready (`waitForInitialization`): offline at once; online after
    /// Stigg accepted the API key (`GetSdkConfiguration`). Memoised: every caller sees one outcome.
    pub async fn wait_for_initialization(&self) -> Result<()> {
        self.ensure_open()?;
        self.inner
            .init
            .get_or_init(|| self.initialize())
            .await
            .clone()
    }

    async fn initialize(&self) -> Result<()> {
        let Some(api) = &self.inner.api else {
            self.inner
                .listeners
                .emit(&StiggEvent::InitializeSuccessfully);
            return Ok(());
        };
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct SdkConfiguration {
            #[allow(dead_code)]
            sdk_configuration: Option<serde_json::Value>,
        }
        let timeout = self.inner.config.entitlements_timeout;
        let result: Result<SdkConfiguration> = if self.inner.config.enable_edge {
            api.edge(
                &["v1", "config", "server-sdk-configuration.json"],
                &[],
                timeout,
            )
            .await
        } else {
            api.graphql(
                documents::GET_SDK_CONFIGURATION,
                serde_json::json!({}),
                timeout,
            )
            .await
        };
        match result {
            Ok(_) => {
                self.inner
                    .listeners
                    .emit(&StiggEvent::InitializeSuccessfully);
                Ok(())
            }
            Err(e) => {
                self.inner.listeners.emit(&StiggEvent::InitializeFailed {
                    message: e.to_string(),
                });
                Err(e)
            }
        }
    }

    /// Closes the client (`close`): idempotent; stops background work and the stream, clears the
    /// cache. Later writes fail with [`StiggError::Closed`]; reads return fallbacks.
    pub async fn close(&self) {
        if self.inner.closed.swap(true, Ordering::AcqRel) {
            return;
        }
        self.inner.stream_live.store(false, Ordering::Release);
        let stream = self
            .inner
            .stream
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(stream) = stream {
            stream.shutdown().await;
        }
        let tasks = std::mem::take(
            &mut *self
                .inner
                .background
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
        );
        for t in tasks {
            t.abort();
        }
        self.inner.cache.clear();
    }

    /// True once [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::Acquire)
    }

    /// Runs a future of this client to completion from a thread outside any async runtime: the
    /// blocking face the language bindings use. Fails when called from inside a runtime.
    pub fn block_on<F: std::future::Future>(&self, f: F) -> Result<F::Output> {
        self.inner.runtime.block_on(f)
    }

    pub(crate) fn ensure_open(&self) -> Result<()> {
        if self.is_closed() {
            return Err(StiggError::Closed);
        }
        Ok(())
    }

    pub(crate) fn now(&self) -> Millis {
        self.inner.config.clock.now_millis()
    }

    pub(crate) fn api(&self) -> Result<&ApiClient> {
        self.inner.api.as_ref().ok_or_else(|| {
            StiggError::invalid(
                "offline",
                "this call needs the Stigg API, and the client is offline",
            )
        })
    }

    /// Stores a customer's (or customer+resource's) entitlement state in the cache, as if fetched.
    ///
    /// Offline, this gives the client fixtures to decide on; online, a later fetch or stream event
    /// replaces it as usual.
    pub fn set_entitlements_state(
        &self,
        customer_id: &str,
        resource_id: Option<&str>,
        state: &EntitlementsState,
    ) -> Result<()> {
        validate::non_empty("customerId", customer_id)?;
        if let Some(r) = resource_id {
            validate::non_empty("resourceId", r)?;
        }
        let key = CacheKey::new(customer_id, resource_id);
        let mut state = CustomerState::from_wire(state);
        state.fetched_at = self.now();
        self.inner.cache.put(key, state);
        Ok(())
    }
}
