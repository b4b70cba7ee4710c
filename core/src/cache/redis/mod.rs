//! The Redis persistent cache (spec §5.2), sharing one Redis with Stigg's own persistent-cache-service
//! and Node SDKs.
//!
//! The layout is Stigg's, byte for byte ([`keys`]): `P:c_{cid}[:r_{rid}]` holds a customer's entitlement
//! map, `…:metadata` its customer-level reason, `…:f_{featureId}` / `…:credit_{currencyId}` the usage of
//! each metered feature and credit wallet, and every key has a `#timestamp` sibling (epoch ms of the
//! message that produced it). Values are JSON ([`format`](mod@format)): both the 3.x and the current formats are
//! read; the current one is written, or the 3.x one when [`WriteFormat::V3`] is chosen for fleets
//! with 3.x readers.
//!
//! **Reads** ([`RedisStore`] `load`): one `MGET` of the customer key, its metadata, its timestamp (and
//! for a resource the customer's own timestamp), then one `MGET` of the usage keys and their
//! timestamps. A hit needs the map and its timestamp, a resource no older than its customer (else a
//! miss with `globalCustomerMissing`, and both are refetched), and every usage with its timestamp.
//!
//! **Writes** (`save`, `patch`): under the customer's lock `P-{cid}[:{rid}]` (`SET NX PX 5000`, a
//! token-checked release), one `MGET` of the `#timestamp`s, then one `MULTI` of `SET key value EX ttl`
//! and `SET key#timestamp ms EX ttl` for each key whose stored timestamp is not newer (equal writes,
//! epoch 0 always writes). `ttl` defaults to 604 800 s; a negative `ttl` writes without expiry.
//! `UPDATE_IF_EXISTS` skips a batch when none of its keys is stored. A usage patch applies only when
//! the customer's `#timestamp` exists.
//!
//! **Misses** go through [`single_flight`]: one process per key fetches from the API while the others
//! wait for its pub/sub notification, then read Redis.
//!
//! **Failures never fail a check**: a Redis error, a timeout (`commandTimeout`, at most
//! `entitlementsTimeout`) or a disconnected Redis is a miss (then the API, then the fallback) or a
//! skipped write; connections are re-made in the background.
//!
//! **L1**: the client keeps its in-process cache in front of Redis; a state read from Redis is served
//! from there for at most `l1MaxStaleness` (default 1 s), so most checks stay in-process. Writes of
//! this process (usage reports) update both. Other processes' writes become visible here within that
//! bound. No WebSocket is opened in Redis mode (as Stigg): Redis is kept fresh by the
//! persistent-cache-service and by cache-miss fetches.
//!
//! Configuration: [`RedisOptions`] (the `redis` option of the client builder). See `README.md` in this
//! folder for a user-facing summary.

pub mod config;
pub mod format;
pub mod keys;
pub mod lock;
pub mod single_flight;
mod store;

pub use config::{
    CacheUpdatePolicy, DistributedEntitlementsFetching, RedisOptions, WriteFormat,
    DEFAULT_COMMAND_TIMEOUT, DEFAULT_L1_MAX_STALENESS, DEFAULT_NOTIFICATION_BUFFER,
    DEFAULT_TTL_SECS,
};
pub use keys::RedisKeys;
pub use store::RedisStore;
