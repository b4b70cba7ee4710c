//! Listeners (`addListener`/`removeListener`) and the events they receive (spec §2.6).
//!
//! Listeners are called on the thread that produced the event (a runtime worker, or the caller's
//! thread for cache hits/misses), one after another. A listener that panics is logged and skipped; it
//! never takes the client down. `cacheHit`/`cacheMiss` cost the read path one atomic load while no
//! listener is registered.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use crate::model::wire::EntitlementUnion;
use crate::model::{
    EntitlementType, EntitlementsStateAccessDeniedReason, Millis, PublishMigrationType,
};

/// An event of the client.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum StiggEvent {
    /// Initialization finished (`initializeSuccessfully`).
    InitializeSuccessfully,
    /// Initialization failed (`initializeFailed`).
    InitializeFailed {
        /// Why.
        message: String,
    },
    /// A customer's entitlements changed (`entitlementsUpdated`), from the stream.
    EntitlementsUpdated {
        /// Customer id.
        customer_id: String,
        /// Resource id.
        resource_id: Option<String>,
        /// Customer-level reason.
        access_denied_reason: Option<EntitlementsStateAccessDeniedReason>,
        /// The new entitlements.
        entitlements: Arc<[EntitlementUnion]>,
    },
    /// Usage of one entitlement changed (`usageUpdated`), from the stream.
    UsageUpdated {
        /// Customer id.
        customer_id: String,
        /// Resource id.
        resource_id: Option<String>,
        /// Feature or currency id.
        entitlement_id: String,
        /// FEATURE or CREDIT.
        entitlement_type: EntitlementType,
        /// The new usage.
        current_usage: f64,
        /// Start of the period.
        usage_period_start: Option<Millis>,
        /// End of the period.
        usage_period_end: Option<Millis>,
    },
    /// A package (plan, add-on) was published (`packagePublished`).
    PackagePublished {
        /// The package's id.
        package_ref_id: String,
        /// `plan`, `addon`, ...
        package_type: String,
        /// Its new version.
        package_version: Option<i64>,
        /// Whether existing customers migrate.
        migration_type: Option<PublishMigrationType>,
    },
    /// A read was answered from the cache (`cacheHit`).
    CacheHit {
        /// Customer id.
        customer_id: String,
        /// Resource id.
        resource_id: Option<String>,
    },
    /// A read had to fetch (`cacheMiss`).
    CacheMiss {
        /// Customer id.
        customer_id: String,
        /// Resource id.
        resource_id: Option<String>,
    },
    /// Stigg rejected the API key (`apiKeyInvalid`).
    ApiKeyInvalid,
    /// A request failed (`networkRequestFailed`).
    NetworkRequestFailed {
        /// The error's message.
        error_message: String,
        /// Stigg's error code.
        error_code: Option<String>,
        /// The server's trace id.
        trace_id: Option<String>,
    },
    /// The real-time stream connected (or reconnected).
    StreamConnected {
        /// True after the first connection.
        reconnect: bool,
    },
    /// The real-time stream dropped; the client reconnects by itself.
    StreamDisconnected {
        /// Why.
        reason: String,
    },
    /// The Redis store failed a command (`redisClientError`); the read or write it served became a
    /// miss or a skipped write.
    RedisClientError {
        /// The error.
        error: String,
        /// Which connection: `redis` (commands) or `subscribe` (the single-flight channel).
        client_name: &'static str,
    },
}

impl StiggEvent {
    /// The event's name as the official SDK spells it (`entitlementsUpdated`, `cacheHit`, ...;
    /// stigg-native's own: `streamConnected`, `streamDisconnected`).
    pub fn name(&self) -> &'static str {
        match self {
            StiggEvent::InitializeSuccessfully => "initializeSuccessfully",
            StiggEvent::InitializeFailed { .. } => "initializeFailed",
            StiggEvent::EntitlementsUpdated { .. } => "entitlementsUpdated",
            StiggEvent::UsageUpdated { .. } => "usageUpdated",
            StiggEvent::PackagePublished { .. } => "packagePublished",
            StiggEvent::CacheHit { .. } => "cacheHit",
            StiggEvent::CacheMiss { .. } => "cacheMiss",
            StiggEvent::ApiKeyInvalid => "apiKeyInvalid",
            StiggEvent::NetworkRequestFailed { .. } => "networkRequestFailed",
            StiggEvent::StreamConnected { .. } => "streamConnected",
            StiggEvent::StreamDisconnected { .. } => "streamDisconnected",
            StiggEvent::RedisClientError { .. } => "redisClientError",
        }
    }

    /// Every event name, in declaration order.
    pub const NAMES: &'static [&'static str] = &[
        "initializeSuccessfully",
        "initializeFailed",
        "entitlementsUpdated",
        "usageUpdated",
        "packagePublished",
        "cacheHit",
        "cacheMiss",
        "apiKeyInvalid",
        "networkRequestFailed",
        "streamConnected",
        "streamDisconnected",
        "redisClientError",
    ];
}

/// Identifies a registered listener, for [`Listeners::remove`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ListenerId(u64);

/// A listener callback.
pub type Listener = Arc<dyn Fn(&StiggEvent) + Send + Sync>;

/// The registered listeners of one client.
#[derive(Default)]
pub struct Listeners {
    list: RwLock<Arc<Vec<(ListenerId, Listener)>>>,
    any: AtomicBool,
    next: AtomicU64,
}

impl Listeners {
    /// Registers `f`; returns its id.
    pub fn add(&self, f: Listener) -> ListenerId {
        let id = ListenerId(self.next.fetch_add(1, Ordering::Relaxed));
        let mut guard = self.list.write().unwrap_or_else(|e| e.into_inner());
        let mut next = Vec::clone(&guard);
        next.push((id, f));
        *guard = Arc::new(next);
        self.any.store(true, Ordering::Release);
        id
    }

    /// Unregisters a listener; returns whether it was registered.
    pub fn remove(&self, id: ListenerId) -> bool {
        let mut guard = self.list.write().unwrap_or_else(|e| e.into_inner());
        let before = guard.len();
        let next: Vec<_> = guard.iter().filter(|(i, _)| *i != id).cloned().collect();
        let removed = next.len() != before;
        self.any.store(!next.is_empty(), Ordering::Release);
        *guard = Arc::new(next);
        removed
    }

    /// True when at least one listener is registered.
    #[inline]
    pub fn any(&self) -> bool {
        self.any.load(Ordering::Acquire)
    }

    /// Delivers `event` to every listener.
    pub fn emit(&self, event: &StiggEvent) {
        if !self.any() {
            return;
        }
        let snapshot = Arc::clone(&self.list.read().unwrap_or_else(|e| e.into_inner()));
        for (id, f) in snapshot.iter() {
            if catch_unwind(AssertUnwindSafe(|| f(event))).is_err() {
                tracing::error!(
                    listener = id.0,
                    "a Stigg event listener panicked; event skipped for it"
                );
            }
        }
    }
}
