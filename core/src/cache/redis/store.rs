//! [`RedisStore`]: the [`EntitlementStore`] over Stigg's Redis layout (spec §5.2).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::RedisError;

use super::config::{CacheUpdatePolicy, RedisOptions, WriteFormat};
use super::format::{self, parse_timestamp, usage_trackable};
use super::keys::RedisKeys;
use super::lock::{self, LockError, LOCK_DURATION};
use super::single_flight::SingleFlight;
use crate::cache::store::{
    guard_allows, EntitlementStore, PatchOutcome, PutMode, PutOutcome, StoreError, StoreFuture,
    StoreRead,
};
use crate::cache::CacheKey;
use crate::clock::Clock;
use crate::error::ConfigError;
use crate::model::{
    CustomerState, EntitlementKey, EntitlementsStateAccessDeniedReason, Millis, UsageData,
};

/// One value to write, with the timestamp that guards it.
struct Item {
    key: String,
    value: String,
    timestamp: Millis,
}

/// The Redis persistent cache: Stigg's keys and values, readable and writable by Stigg's own
/// persistent-cache-service and Node SDKs (see the [module documentation](super)).
///
/// Cheap to clone (one `Arc`); must be created inside a tokio runtime. Connections are made lazily and
/// re-made after a failure; while Redis is unreachable every operation fails fast with
/// [`StoreError::Unavailable`] or [`StoreError::Timeout`], which the client treats as a miss or a
/// skipped write.
#[derive(Clone)]
pub struct RedisStore {
    pub(super) shared: Arc<Shared>,
}

pub(super) struct Shared {
    pub(super) keys: RedisKeys,
    pub(super) conn: ConnectionManager,
    ttl: i64,
    policy: CacheUpdatePolicy,
    format: WriteFormat,
    pub(super) command_timeout: Duration,
    /// Budget of a whole write (it may wait for the customer's write lock).
    write_timeout: Duration,
    clock: Arc<dyn Clock>,
    pub(super) flight: Option<SingleFlight>,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.shared.keys.prefix())
            .field("ttl", &self.shared.ttl)
            .field("format", &self.shared.format)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// A store for `options`. `entitlements_timeout` is the client's `entitlementsTimeout`: it bounds
    /// Redis commands (with `commandTimeout`), whole writes, and, plus `notificationBufferMs`, how long
    /// a process waits for another's fetch. `clock` stamps writes that carry no time of their own.
    ///
    /// Connects lazily: creating a store never fails because Redis is down. Must be called inside a
    /// tokio runtime.
    pub fn new(
        options: &RedisOptions,
        entitlements_timeout: Duration,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, ConfigError> {
        options.validate()?;
        let info = options.connection_info()?;
        let client = redis::Client::open(info)
            .map_err(|e| ConfigError::new("redis", format!("cannot use these settings: {e}")))?;
        let command_timeout = options.command_timeout.min(entitlements_timeout);
        let manager_config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(command_timeout))
            .set_response_timeout(Some(command_timeout))
            .set_number_of_retries(1)
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(Duration::from_millis(500));
        let conn = ConnectionManager::new_lazy_with_config(client.clone(), manager_config)
            .map_err(|e| ConfigError::new("redis", format!("cannot use these settings: {e}")))?;
        let dist = options.distributed_entitlements_fetching;
        let flight = (!dist.disabled).then(|| {
            SingleFlight::new(
                client,
                entitlements_timeout + dist.notification_buffer,
                command_timeout,
            )
        });
        Ok(RedisStore {
            shared: Arc::new(Shared {
                keys: RedisKeys::new(&options.environment_prefix),
                conn,
                ttl: options.ttl,
                policy: options.cache_update_policy,
                format: options.write_format,
                command_timeout,
                write_timeout: entitlements_timeout.max(command_timeout * 3),
                clock,
                flight,
            }),
        })
    }

    /// The key names of this store.
    pub fn keys(&self) -> &RedisKeys {
        &self.shared.keys
    }

    pub(super) fn now(&self) -> Millis {
        self.shared.clock.now_millis()
    }

    pub(super) fn conn(&self) -> ConnectionManager {
        self.shared.conn.clone()
    }

    /// Runs `f` bounded by `budget`, mapping Redis errors and the timeout to [`StoreError`]s.
    pub(super) async fn bounded<T>(
        &self,
        budget: Duration,
        f: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        match tokio::time::timeout(budget, f).await {
            Ok(r) => r,
            Err(_) => Err(StoreError::Timeout(budget.as_millis() as u64)),
        }
    }

    async fn read(
        &self,
        key: &CacheKey,
        only: Option<&EntitlementKey>,
    ) -> Result<StoreRead, StoreError> {
        let mut conn = self.conn();
        let customer_key = self.shared.keys.customer(key);
        let metadata_key = RedisKeys::metadata(&customer_key);
        let mut keys = vec![
            customer_key.clone(),
            metadata_key.clone(),
            RedisKeys::timestamp(&customer_key),
        ];
        if key.resource_id().is_some() {
            let global = self.shared.keys.customer(&key.customer_key());
            keys.push(RedisKeys::timestamp(&global));
        }
        let values: Vec<Option<String>> = redis::cmd("MGET")
            .arg(&keys)
            .query_async(&mut conn)
            .await
            .map_err(map_err)?;
        let raw = values.first().cloned().flatten().filter(|s| !s.is_empty());
        let ts = values
            .get(2)
            .cloned()
            .flatten()
            .and_then(|v| parse_timestamp(&v));
        let global_ts = values
            .get(3)
            .cloned()
            .flatten()
            .and_then(|v| parse_timestamp(&v));
        let global_customer_missing = match key.resource_id() {
            None => false,
            // No entitlements: a miss anyway; refetch the customer too only if it is missing.
            Some(_) if raw.is_none() => global_ts.is_none(),
            // The resource's state must not predate the customer's.
            Some(_) => !matches!((ts, global_ts), (Some(t), Some(g)) if t >= g),
        };
        let (Some(raw), Some(ts)) = (raw, ts) else {
            return Ok(StoreRead::Miss {
                global_customer_missing,
            });
        };
        if global_customer_missing {
            return Ok(StoreRead::Miss {
                global_customer_missing,
            });
        }
        let mut state = format::decode_entitlements(&raw).map_err(|e| StoreError::Decode {
            key: customer_key.clone(),
            message: e.to_string(),
        })?;
        match values.get(1).cloned().flatten().filter(|s| !s.is_empty()) {
            Some(meta) => {
                state.access_denied_reason =
                    format::decode_metadata(&meta).map_err(|e| StoreError::Decode {
                        key: metadata_key,
                        message: e.to_string(),
                    })?;
            }
            // Written by a 3.x SDK (no metadata key): there an empty map means "customer not
            // found", as 3.x decides it.
            None if state.features.is_empty() && state.credits.is_empty() => {
                state.access_denied_reason =
                    Some(EntitlementsStateAccessDeniedReason::CustomerNotFound);
            }
            None => {}
        }
        state.timestamp = Some(ts);
        // Usage lives in its own keys: every usage-trackable entitlement (or only the requested one
        // and the wallet it depends on) must have its usage and the usage's timestamp.
        let mut trackable = usage_trackable(&state);
        if let Some(only) = only {
            let wallet = match only {
                EntitlementKey::Feature(id) => state
                    .feature(id)
                    .and_then(|r| r.credit_rate.as_ref())
                    .map(|c| EntitlementKey::Credit(c.currency_id.as_str().into())),
                EntitlementKey::Credit(_) => None,
            };
            trackable.retain(|k| k == only || Some(k) == wallet.as_ref());
        }
        if trackable.is_empty() {
            return Ok(StoreRead::Hit(Arc::new(state)));
        }
        let usage_keys: Vec<String> = trackable
            .iter()
            .map(|e| RedisKeys::usage(&customer_key, e))
            .collect();
        let mut all = usage_keys.clone();
        all.extend(usage_keys.iter().map(|k| RedisKeys::timestamp(k)));
        let values: Vec<Option<String>> = redis::cmd("MGET")
            .arg(&all)
            .query_async(&mut conn)
            .await
            .map_err(map_err)?;
        let n = usage_keys.len();
        for (i, entitlement) in trackable.iter().enumerate() {
            let value = values.get(i).cloned().flatten();
            let ts = values
                .get(n + i)
                .cloned()
                .flatten()
                .and_then(|v| parse_timestamp(&v));
            let (Some(value), Some(ts)) = (value, ts) else {
                tracing::debug!(key = %usage_keys[i], "usage missing in Redis: a miss");
                return Ok(StoreRead::Miss {
                    global_customer_missing: false,
                });
            };
            let usage = format::decode_usage(&value).map_err(|e| StoreError::Decode {
                key: usage_keys[i].clone(),
                message: e.to_string(),
            })?;
            let usage = UsageData {
                updated_at: Some(ts),
                ..usage
            };
            match entitlement {
                EntitlementKey::Feature(id) => {
                    if let Some(r) = state.features.get_mut(&**id) {
                        r.usage = usage;
                    }
                }
                EntitlementKey::Credit(id) => {
                    if let Some(r) = state.credits.get_mut(&**id) {
                        r.usage = usage;
                    }
                }
            }
        }
        Ok(StoreRead::Hit(Arc::new(state)))
    }

    /// Writes `items` guarded by their `#timestamp`s: one `MGET` of the timestamps, then one
    /// `MULTI` of `SET key value [EX ttl]` + `SET key#timestamp ms [EX ttl]` for every item whose
    /// stored timestamp is not newer. `if_exists`: skip everything when none of the keys is stored.
    async fn write_items(
        &self,
        conn: &mut ConnectionManager,
        items: &[Item],
        if_exists: bool,
    ) -> Result<Option<Vec<bool>>, StoreError> {
        if items.is_empty() {
            return Ok(Some(Vec::new()));
        }
        let ts_keys: Vec<String> = items.iter().map(|i| RedisKeys::timestamp(&i.key)).collect();
        let stored: Vec<Option<String>> = redis::cmd("MGET")
            .arg(&ts_keys)
            .query_async(conn)
            .await
            .map_err(map_err)?;
        let stored: Vec<Option<Millis>> = stored
            .into_iter()
            .map(|v| v.and_then(|v| parse_timestamp(&v)))
            .collect();
        if (if_exists || self.shared.policy == CacheUpdatePolicy::UpdateIfExists)
            && stored.iter().all(Option::is_none)
        {
            return Ok(None);
        }
        let mut pipe = redis::pipe();
        pipe.atomic();
        let mut written = Vec::with_capacity(items.len());
        for (item, (ts_key, stored)) in items.iter().zip(ts_keys.iter().zip(stored)) {
            let ok = guard_allows(stored, Some(item.timestamp));
            written.push(ok);
            if !ok {
                tracing::debug!(key = %item.key, "stored value is newer; key not written");
                continue;
            }
            for (k, v) in [
                (item.key.as_str(), item.value.clone()),
                (ts_key.as_str(), item.timestamp.to_string()),
            ] {
                let mut set = redis::cmd("SET");
                set.arg(k).arg(v);
                if self.shared.ttl >= 0 {
                    set.arg("EX").arg(self.shared.ttl);
                }
                pipe.add_command(set).ignore();
            }
        }
        if written.iter().any(|w| *w) {
            pipe.exec_async(conn).await.map_err(map_err)?;
        }
        Ok(Some(written))
    }

    async fn write_state(
        &self,
        key: &CacheKey,
        state: &CustomerState,
        mode: PutMode,
    ) -> Result<PutOutcome, StoreError> {
        let now = self.now();
        let empty = state.features.is_empty() && state.credits.is_empty();
        // The state's timestamp (first valid entitlementUpdatedAt); an empty list is epoch 0 (always
        // written), a list without any valid time is "now" — as Stigg's SDKs stamp it.
        let ts = state.timestamp.unwrap_or(if empty { 0 } else { now });
        let encoded = format::encode_state(
            state,
            key.resource_id(),
            self.shared.format,
            state.timestamp.unwrap_or(now),
        )
        .map_err(|e| StoreError::Backend(format!("cannot encode the state: {e}")))?;
        let customer_key = self.shared.keys.customer(key);
        let mut items = vec![
            Item {
                key: customer_key.clone(),
                value: encoded.entitlements,
                timestamp: ts,
            },
            Item {
                key: RedisKeys::metadata(&customer_key),
                value: encoded.metadata,
                timestamp: ts,
            },
        ];
        items.extend(encoded.usages.into_iter().map(|u| Item {
            key: RedisKeys::usage(&customer_key, &u.entitlement),
            value: u.value,
            timestamp: u.timestamp,
        }));
        let mut conn = self.conn();
        let lock_key = self.shared.keys.write_lock(key);
        let lock = match lock::try_acquire(&mut conn, &lock_key, LOCK_DURATION).await {
            Ok(l) => l,
            Err(LockError::Held) => lock::acquire_waiting(&mut conn, &lock_key, LOCK_DURATION)
                .await
                .map_err(|e| lock_error(e, &lock_key))?,
            Err(e) => return Err(lock_error(e, &lock_key)),
        };
        let result = self
            .write_items(&mut conn, &items, mode == PutMode::IfExists)
            .await;
        if let Err(e) = lock::release(&mut conn, &lock).await {
            tracing::debug!(key = %lock_key, error = %e, "lock release failed (it expires by itself)");
        }
        Ok(match result? {
            None => PutOutcome::NotCached,
            Some(w) if w.first().copied().unwrap_or(false) => PutOutcome::Written,
            Some(_) => PutOutcome::Stale,
        })
    }

    async fn write_usage(
        &self,
        key: &CacheKey,
        entitlement: &EntitlementKey,
        usage: UsageData,
    ) -> Result<PatchOutcome, StoreError> {
        let mut conn = self.conn();
        let customer_key = self.shared.keys.customer(key);
        // Only for a customer whose entitlements are cached (Stigg: `customerKey#timestamp` exists).
        let exists: i64 = redis::cmd("EXISTS")
            .arg(RedisKeys::timestamp(&customer_key))
            .query_async(&mut conn)
            .await
            .map_err(map_err)?;
        if exists == 0 {
            return Ok(PatchOutcome::NotCached);
        }
        let item = Item {
            key: RedisKeys::usage(&customer_key, entitlement),
            value: format::encode_usage(&usage, self.shared.format)
                .map_err(|e| StoreError::Backend(e.to_string()))?,
            timestamp: usage.updated_at.unwrap_or_else(|| self.now()),
        };
        Ok(
            match self
                .write_items(&mut conn, std::slice::from_ref(&item), false)
                .await?
            {
                Some(w) if w.first().copied().unwrap_or(false) => PatchOutcome::Patched,
                Some(_) => PatchOutcome::Stale,
                None => PatchOutcome::NotCached,
            },
        )
    }

    async fn delete_keys(&self, key: &CacheKey) -> Result<(), StoreError> {
        let customer_key = self.shared.keys.customer(key);
        let metadata_key = RedisKeys::metadata(&customer_key);
        let keys = [
            RedisKeys::timestamp(&customer_key),
            RedisKeys::timestamp(&metadata_key),
            customer_key,
            metadata_key,
        ];
        let mut conn = self.conn();
        redis::cmd("DEL")
            .arg(&keys)
            .exec_async(&mut conn)
            .await
            .map_err(map_err)
    }

    async fn delete_all_of(&self, customer_id: &str) -> Result<(), StoreError> {
        self.delete_keys(&CacheKey::customer(customer_id)).await?;
        let pattern = format!(
            "{}:r_*",
            glob_escape(&self.shared.keys.customer(&CacheKey::customer(customer_id)))
        );
        let mut conn = self.conn();
        let mut cursor: u64 = 0;
        loop {
            let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(1000)
                .query_async(&mut conn)
                .await
                .map_err(map_err)?;
            for chunk in keys.chunks(1000) {
                redis::cmd("DEL")
                    .arg(chunk)
                    .exec_async(&mut conn)
                    .await
                    .map_err(map_err)?;
            }
            if next == 0 {
                return Ok(());
            }
            cursor = next;
        }
    }

    /// Budget of a read: two round trips.
    pub(super) fn read_budget(&self) -> Duration {
        self.shared.command_timeout * 2
    }
}

fn glob_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn lock_error(e: LockError, key: &str) -> StoreError {
    match e {
        LockError::Held => StoreError::Backend(format!("the lock {key} is held elsewhere")),
        LockError::Redis(e) if lock::is_read_only(&e) => StoreError::ReadOnly(String::from(
            "Redis is read-only. Cannot acquire distributed lock",
        )),
        LockError::Redis(e) => map_err(e),
    }
}

/// Maps a Redis error to the store's error kinds.
pub(super) fn map_err(e: RedisError) -> StoreError {
    if e.is_timeout() {
        StoreError::Timeout(0)
    } else if lock::is_read_only(&e) {
        StoreError::ReadOnly(e.to_string())
    } else if e.is_io_error() || e.is_connection_dropped() || e.is_connection_refusal() {
        StoreError::Unavailable(e.to_string())
    } else {
        StoreError::Backend(e.to_string())
    }
}

impl EntitlementStore for RedisStore {
    fn load<'a>(
        &'a self,
        key: &'a CacheKey,
        entitlement: Option<&'a EntitlementKey>,
    ) -> StoreFuture<'a, StoreRead> {
        Box::pin(self.bounded(self.read_budget(), self.read(key, entitlement)))
    }

    fn save<'a>(
        &'a self,
        key: &'a CacheKey,
        state: Arc<CustomerState>,
        mode: PutMode,
    ) -> StoreFuture<'a, PutOutcome> {
        Box::pin(async move {
            self.bounded(
                self.shared.write_timeout,
                self.write_state(key, &state, mode),
            )
            .await
        })
    }

    fn patch<'a>(
        &'a self,
        key: &'a CacheKey,
        entitlement: &'a EntitlementKey,
        usage: UsageData,
    ) -> StoreFuture<'a, PatchOutcome> {
        Box::pin(self.bounded(
            self.shared.write_timeout,
            self.write_usage(key, entitlement, usage),
        ))
    }

    fn delete<'a>(&'a self, key: &'a CacheKey) -> StoreFuture<'a, ()> {
        Box::pin(self.bounded(self.shared.write_timeout, self.delete_keys(key)))
    }

    fn delete_customer<'a>(&'a self, customer_id: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(self.bounded(self.shared.write_timeout, self.delete_all_of(customer_id)))
    }

    fn refetch<'a>(
        &'a self,
        key: &'a CacheKey,
        fetch: StoreFuture<'a, Arc<CustomerState>>,
    ) -> StoreFuture<'a, Arc<CustomerState>> {
        Box::pin(super::single_flight::refetch(self, key, fetch))
    }
}
