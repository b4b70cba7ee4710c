//! The real-time stream's effect on the client (spec §1.5, §5.1): events replace or patch cached
//! states and reach the listeners; the stream's liveness decides how long cached states are trusted.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};

use tokio::sync::mpsc;

use super::{Inner, Stigg, StiggEvent};
use crate::api::headers::sdk_headers;
use crate::cache::{CacheKey, PatchOutcome};
use crate::model::wire::EntitlementsState;
use crate::model::{
    CustomerState, EntitlementKey, EntitlementType, PublishMigrationType, UsageData,
};
use crate::stream::{self, StreamEvent, StreamOptions};

impl Stigg {
    /// Starts the stream (online with `realtimeUpdatesEnabled`) and the task that applies its events.
    /// The task holds the client weakly: dropping the last handle stops both.
    pub(crate) fn start_stream(&self) {
        let inner = &self.inner;
        let headers = sdk_headers(inner.config.api_key.expose(), self.instance_id())
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        let opts = StreamOptions::new(inner.config.ws_url.clone(), headers);
        let (tx, rx) = mpsc::unbounded_channel();
        let handle = stream::start(opts, tx, inner.runtime.handle());
        *inner.stream.lock().unwrap_or_else(|e| e.into_inner()) = Some(handle);
        let weak = Arc::downgrade(&self.inner);
        let task = inner.runtime.handle().spawn(apply_events(weak, rx));
        self.track(task);
    }
}

async fn apply_events(client: Weak<Inner>, mut rx: mpsc::UnboundedReceiver<StreamEvent>) {
    while let Some(event) = rx.recv().await {
        let Some(inner) = client.upgrade() else {
            return;
        };
        if inner.closed.load(Ordering::Acquire) {
            return;
        }
        apply(&Stigg { inner }, event);
    }
}

fn apply(stigg: &Stigg, event: StreamEvent) {
    let inner = &stigg.inner;
    let now = stigg.now();
    match event {
        StreamEvent::Connected { reconnect } => {
            // Events may have been missed before this connection: states fetched earlier are
            // revalidated on their next read (one fetch per customer) rather than all dropped.
            inner.revalidate_before.store(now, Ordering::Release);
            inner.stream_live.store(true, Ordering::Release);
            inner
                .listeners
                .emit(&StiggEvent::StreamConnected { reconnect });
        }
        StreamEvent::Disconnected { reason } => {
            inner.stream_live.store(false, Ordering::Release);
            inner
                .listeners
                .emit(&StiggEvent::StreamDisconnected { reason });
        }
        StreamEvent::EntitlementsUpdated(p) => {
            let key = CacheKey::new(&p.customer_id, p.resource_id.as_deref());
            let wire = EntitlementsState {
                entitlements_v2: p.entitlements,
                access_denied_reason: p.access_denied_reason,
            };
            let mut state = CustomerState::from_wire(&wire);
            if state.is_empty() {
                // An empty update without a reason purges the entry (spec §5.1); no event.
                inner.cache.purge(&key);
                return;
            }
            state.fetched_at = now;
            inner.cache.put(key, state);
            inner.listeners.emit(&StiggEvent::EntitlementsUpdated {
                customer_id: p.customer_id,
                resource_id: p.resource_id,
                access_denied_reason: wire.access_denied_reason,
                entitlements: wire.entitlements_v2.into(),
            });
        }
        StreamEvent::UsageUpdated(p) => {
            let key = CacheKey::new(&p.customer_id, p.resource_id.as_deref());
            let id: Box<str> = p.entitlement_reference.id.as_str().into();
            let entitlement = match p.entitlement_reference.entitlement_type {
                EntitlementType::Credit => EntitlementKey::Credit(id),
                _ => EntitlementKey::Feature(id),
            };
            let usage = UsageData {
                current_usage: p.usage.current_usage,
                usage_period_start: p.usage.usage_period_start,
                usage_period_end: p.usage.usage_period_end,
                updated_at: Some(p.usage.usage_updated_at.unwrap_or(now)),
            };
            // Like the official SDK, only usage of cached entitlements is kept and announced.
            if inner.cache.patch_usage(&key, &entitlement, usage) != PatchOutcome::NotCached {
                inner.listeners.emit(&StiggEvent::UsageUpdated {
                    customer_id: p.customer_id,
                    resource_id: p.resource_id,
                    entitlement_id: p.entitlement_reference.id,
                    entitlement_type: p.entitlement_reference.entitlement_type,
                    current_usage: usage.current_usage,
                    usage_period_start: usage.usage_period_start,
                    usage_period_end: usage.usage_period_end,
                });
            }
        }
        StreamEvent::PackagePublished(p) => {
            if p.migration_type == PublishMigrationType::AllCustomers {
                inner.cache.clear();
            }
            inner.listeners.emit(&StiggEvent::PackagePublished {
                package_ref_id: p.package_ref_id,
                package_type: p.package_type,
                package_version: Some(p.package_version as i64),
                migration_type: Some(p.migration_type),
            });
        }
        StreamEvent::InvalidApiKey => {
            inner.stream_live.store(false, Ordering::Release);
            inner.listeners.emit(&StiggEvent::ApiKeyInvalid);
        }
        // The client subscribes to the V2 operations only; the legacy payloads never arrive.
        StreamEvent::LegacyEntitlementsUpdated(_)
        | StreamEvent::LegacyUsageUpdated(_)
        | StreamEvent::CreditBalanceUpdated(_) => {}
    }
}
