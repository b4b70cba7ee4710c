//! The distributed single-flight of a cache miss (spec §5.2), compatible with Stigg's Node packages.
//!
//! Every process that misses `K` subscribes to `P:refetchEntityEntitlementsAfterCacheMiss:{cid}[:{rid}]`,
//! then tries the lock `P:refetchEntityEntitlementsAfterCacheMiss-{cid}[:{rid}]` once (5 000 ms,
//! extended while the fetch runs). The winner stops listening, fetches from the API, writes Redis,
//! releases the lock and publishes `{}` — or `{"error": message}` when the fetch failed. The others wait
//! up to `entitlementsTimeout + notificationBufferMs` for that message: `{}` → read Redis; an `error` →
//! [`StoreError::Remote`] (the caller uses its fallback, as Stigg does); no message in time → fetch
//! themselves.
//!
//! Where we differ from node-server-sdk 3.95, on purpose:
//! - a waiter woken by `{}` that still finds nothing in Redis (the winner's write was skipped or lost)
//!   fetches itself instead of answering `CustomerNotFound`;
//! - when Redis cannot be used (down, timing out, read-only), the process fetches from the API directly
//!   instead of failing the read;
//! - a subscriber connection that drops wakes its waiters at once (they fetch themselves) rather than
//!   leaving them to time out.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use futures_util::StreamExt;
use redis::aio::PubSubSink;
use tokio::sync::oneshot;

use super::keys::RedisKeys;
use super::lock::{self, LockError, LOCK_DURATION};
use super::store::{map_err, RedisStore};
use crate::cache::store::{EntitlementStore, PutMode, StoreError, StoreFuture, StoreRead};
use crate::cache::CacheKey;
use crate::model::CustomerState;

/// What a waiter learned.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Notice {
    /// The winner fetched and wrote Redis (`{}`).
    Done,
    /// The winner's fetch failed (`{"error": message}`).
    Error(String),
    /// The subscriber connection dropped.
    Lost,
    /// Nothing arrived in time.
    TimedOut,
}

type Waiters = Mutex<HashMap<String, Vec<(u64, oneshot::Sender<Notice>)>>>;

/// A live subscriber connection.
struct SubConn {
    sink: PubSubSink,
    alive: Arc<AtomicBool>,
    /// Dropped with the connection's owner (the store, or a replaced connection): stops the reader
    /// task, which closes the connection.
    _stop: oneshot::Sender<()>,
}

/// The pub/sub side of the single-flight: one subscriber connection per store (made on first use,
/// re-made after it drops), and the local waiters of each channel.
pub(super) struct SingleFlight {
    client: redis::Client,
    pub(super) notification_timeout: Duration,
    command_timeout: Duration,
    sub: tokio::sync::Mutex<Option<SubConn>>,
    waiters: Arc<Waiters>,
    next_id: AtomicU64,
}

/// One local waiter of a channel; removed from the channel's list when dropped.
struct Waiter {
    channel: String,
    id: u64,
    rx: Option<oneshot::Receiver<Notice>>,
    waiters: Weak<Waiters>,
    sink: Option<PubSubSink>,
}

impl SingleFlight {
    pub(super) fn new(
        client: redis::Client,
        notification_timeout: Duration,
        command_timeout: Duration,
    ) -> Self {
        SingleFlight {
            client,
            notification_timeout,
            command_timeout,
            sub: tokio::sync::Mutex::new(None),
            waiters: Arc::new(Mutex::new(HashMap::new())),
            next_id: AtomicU64::new(1),
        }
    }

    /// The live subscriber connection's sink, connecting first if needed.
    async fn sink(&self) -> Result<PubSubSink, StoreError> {
        let mut sub = self.sub.lock().await;
        if let Some(s) = sub.as_ref() {
            if s.alive.load(Ordering::Acquire) {
                return Ok(s.sink.clone());
            }
        }
        let pubsub = tokio::time::timeout(self.command_timeout, self.client.get_async_pubsub())
            .await
            .map_err(|_| StoreError::Timeout(self.command_timeout.as_millis() as u64))?
            .map_err(map_err)?;
        let (sink, mut stream) = pubsub.split();
        let alive = Arc::new(AtomicBool::new(true));
        let reader_alive = Arc::clone(&alive);
        let waiters = Arc::downgrade(&self.waiters);
        let reader_sink = sink.clone();
        let (stop, mut stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            loop {
                let msg = tokio::select! {
                    m = stream.next() => m,
                    _ = &mut stopped => return,
                };
                let Some(msg) = msg else {
                    break;
                };
                let channel = msg.get_channel_name().to_owned();
                let payload: String = msg.get_payload().unwrap_or_default();
                let notice = parse_payload(&payload);
                let Some(waiters) = waiters.upgrade() else {
                    return;
                };
                let list = waiters
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&channel)
                    .unwrap_or_default();
                for (_, tx) in list {
                    let _ = tx.send(notice.clone());
                }
                let mut s = reader_sink.clone();
                tokio::spawn(async move {
                    let _ = s.unsubscribe(&channel).await;
                });
            }
            // The connection is gone: wake every waiter, they fetch themselves.
            reader_alive.store(false, Ordering::Release);
            if let Some(waiters) = waiters.upgrade() {
                let all = std::mem::take(&mut *waiters.lock().unwrap_or_else(|e| e.into_inner()));
                for (_, tx) in all.into_values().flatten() {
                    let _ = tx.send(Notice::Lost);
                }
            }
        });
        *sub = Some(SubConn {
            sink: sink.clone(),
            alive,
            _stop: stop,
        });
        Ok(sink)
    }

    /// Registers a waiter of `channel` and subscribes to it (before the lock is tried, so the
    /// winner's message cannot be missed).
    async fn subscribe(&self, channel: &str) -> Result<Waiter, StoreError> {
        let (tx, rx) = oneshot::channel();
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.waiters
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(channel.to_owned())
            .or_default()
            .push((id, tx));
        let mut waiter = Waiter {
            channel: channel.to_owned(),
            id,
            rx: Some(rx),
            waiters: Arc::downgrade(&self.waiters),
            sink: None,
        };
        let mut sink = self.sink().await?;
        waiter.sink = Some(sink.clone());
        match tokio::time::timeout(self.command_timeout, sink.subscribe(channel)).await {
            Ok(Ok(())) => Ok(waiter),
            Ok(Err(e)) => Err(map_err(e)),
            Err(_) => Err(StoreError::Timeout(self.command_timeout.as_millis() as u64)),
        }
    }
}

impl Waiter {
    async fn wait(mut self, timeout: Duration) -> Notice {
        let Some(rx) = self.rx.take() else {
            return Notice::Lost;
        };
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(n)) => n,
            Ok(Err(_)) => Notice::Lost,
            Err(_) => Notice::TimedOut,
        }
    }
}

impl Drop for Waiter {
    fn drop(&mut self) {
        let Some(waiters) = self.waiters.upgrade() else {
            return;
        };
        let now_empty = {
            let mut map = waiters.lock().unwrap_or_else(|e| e.into_inner());
            match map.get_mut(&self.channel) {
                Some(list) => {
                    list.retain(|(id, _)| *id != self.id);
                    let empty = list.is_empty();
                    if empty {
                        map.remove(&self.channel);
                    }
                    empty
                }
                None => false,
            }
        };
        // Nobody here listens any more: stop receiving the channel (best effort).
        if let (true, Some(mut sink)) = (now_empty, self.sink.take()) {
            if let Ok(handle) = tokio::runtime::Handle::try_current() {
                let channel = std::mem::take(&mut self.channel);
                handle.spawn(async move {
                    let _ = sink.unsubscribe(&channel).await;
                });
            }
        }
    }
}

/// `{}` → done; `{"error": "..."}` with a non-empty message → error (anything unreadable: done, so
/// the waiter reads Redis and fetches itself if it finds nothing).
fn parse_payload(payload: &str) -> Notice {
    let v: serde_json::Value = serde_json::from_str(payload).unwrap_or(serde_json::Value::Null);
    match v.get("error") {
        Some(serde_json::Value::String(s)) if !s.is_empty() => Notice::Error(s.clone()),
        Some(serde_json::Value::Null) | None => Notice::Done,
        Some(serde_json::Value::Bool(false)) => Notice::Done,
        Some(other) => Notice::Error(other.to_string()),
    }
}

/// The payload the winner publishes.
fn payload(error: Option<&str>) -> String {
    match error {
        None => String::from("{}"),
        Some(msg) => serde_json::json!({ "error": msg }).to_string(),
    }
}

/// Fetches without coordination, then writes Redis (a failed write is logged, not returned).
async fn fetch_and_save(
    store: &RedisStore,
    key: &CacheKey,
    fetch: StoreFuture<'_, Arc<CustomerState>>,
) -> Result<Arc<CustomerState>, StoreError> {
    let state = fetch.await?;
    if let Err(e) = store.save(key, Arc::clone(&state), PutMode::Always).await {
        tracing::debug!(key = %key, error = %e, "Redis write after fetch skipped");
    }
    Ok(state)
}

/// [`EntitlementStore::refetch`] of the Redis store: see the module documentation.
pub(super) async fn refetch<'a>(
    store: &'a RedisStore,
    key: &'a CacheKey,
    fetch: StoreFuture<'a, Arc<CustomerState>>,
) -> Result<Arc<CustomerState>, StoreError> {
    let Some(flight) = store.shared.flight.as_ref() else {
        return fetch_and_save(store, key, fetch).await;
    };
    let keys: &RedisKeys = &store.shared.keys;
    let channel = keys.refetch_channel(key);
    let waiter = match flight.subscribe(&channel).await {
        Ok(w) => w,
        Err(e) => {
            tracing::debug!(key = %key, error = %e, "Redis pub/sub unavailable; fetching without single-flight");
            return fetch_and_save(store, key, fetch).await;
        }
    };
    let lock_key = keys.refetch_lock(key);
    let mut conn = store.conn();
    let attempt = tokio::time::timeout(
        store.shared.command_timeout,
        lock::try_acquire(&mut conn, &lock_key, LOCK_DURATION),
    )
    .await;
    match attempt {
        Ok(Ok(held)) => {
            // This process fetches; it no longer needs to listen.
            drop(waiter);
            let result = with_extension(store, &held, fetch).await;
            let result = match result {
                Ok(state) => {
                    if let Err(e) = store.save(key, Arc::clone(&state), PutMode::Always).await {
                        tracing::debug!(key = %key, error = %e, "Redis write after fetch skipped");
                    }
                    Ok(state)
                }
                Err(e) => Err(e),
            };
            let mut conn = store.conn();
            let message = match &result {
                Ok(_) => payload(None),
                Err(StoreError::Fetch(m)) => payload(Some(m)),
                Err(e) => payload(Some(&e.to_string())),
            };
            let cleanup = async {
                let _ = lock::release(&mut conn, &held).await;
                let _: Result<i64, _> = redis::cmd("PUBLISH")
                    .arg(&channel)
                    .arg(&message)
                    .query_async(&mut conn)
                    .await;
            };
            if tokio::time::timeout(store.shared.command_timeout * 2, cleanup)
                .await
                .is_err()
            {
                tracing::debug!(key = %key, "single-flight release/notify timed out");
            }
            result
        }
        Ok(Err(LockError::Held)) => match waiter.wait(flight.notification_timeout).await {
            Notice::Done => match store.load(key, None).await {
                Ok(StoreRead::Hit(state)) => Ok(state),
                Ok(StoreRead::Miss { .. }) | Err(_) => {
                    tracing::debug!(key = %key, "notified, but Redis has no usable state; fetching");
                    fetch_and_save(store, key, fetch).await
                }
            },
            Notice::Error(message) => Err(StoreError::Remote(message)),
            Notice::Lost | Notice::TimedOut => {
                tracing::debug!(key = %key, "no notification from the fetching process; fetching");
                fetch_and_save(store, key, fetch).await
            }
        },
        Ok(Err(LockError::Redis(e))) => {
            drop(waiter);
            tracing::debug!(key = %key, error = %e, "single-flight lock unavailable; fetching");
            fetch_and_save(store, key, fetch).await
        }
        Err(_) => {
            drop(waiter);
            tracing::debug!(key = %key, "single-flight lock timed out; fetching");
            fetch_and_save(store, key, fetch).await
        }
    }
}

/// Polls `fetch`, extending `held` every 4 s so it outlives a fetch longer than its 5 s.
async fn with_extension<'a>(
    store: &RedisStore,
    held: &lock::Lock,
    fetch: StoreFuture<'a, Arc<CustomerState>>,
) -> Result<Arc<CustomerState>, StoreError> {
    let period = LOCK_DURATION - Duration::from_millis(1000);
    let mut fetch = fetch;
    let mut conn = store.conn();
    loop {
        tokio::select! {
            out = &mut fetch => return out,
            _ = tokio::time::sleep(period) => {
                let _ = tokio::time::timeout(
                    store.shared.command_timeout,
                    lock::extend(&mut conn, held, LOCK_DURATION),
                ).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_match_stigg() {
        assert_eq!(payload(None), "{}");
        assert_eq!(payload(Some("boom")), r#"{"error":"boom"}"#);
        assert_eq!(parse_payload("{}"), Notice::Done);
        assert_eq!(parse_payload(r#"{"error":"x"}"#), Notice::Error("x".into()));
        assert_eq!(parse_payload("garbage"), Notice::Done);
    }
}
