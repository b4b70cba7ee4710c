//! The `redis` option (spec §2.1 `StiggRedisOptions`), with Stigg's names where Stigg has one.

use std::fmt;
use std::time::Duration;

use redis::{ConnectionAddr, ConnectionInfo, IntoConnectionInfo, RedisConnectionInfo};

use crate::error::ConfigError;

/// Default time-to-live of every key, in seconds (`ttl`: 7 days, as Stigg).
pub const DEFAULT_TTL_SECS: i64 = 7 * 24 * 60 * 60;
/// Default extra wait of a process that lost the single-flight race, on top of `entitlementsTimeout`
/// (`distributedEntitlementsFetching.notificationBufferMs`, 500 ms as Stigg).
pub const DEFAULT_NOTIFICATION_BUFFER: Duration = Duration::from_millis(500);
/// Default bound of one Redis round trip (`commandTimeout`; ours, see [`RedisOptions::command_timeout`]).
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_millis(1000);
/// Default staleness bound of the in-process L1 in front of Redis (`l1MaxStaleness`, 1 s).
pub const DEFAULT_L1_MAX_STALENESS: Duration = Duration::from_secs(1);
/// Default Redis port.
pub const DEFAULT_PORT: u16 = 6379;

/// Which value format the store writes (it always reads both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WriteFormat {
    /// The current polymorphic format (persistent-cache-service ≥ 3.0.0, node-server-sdk ≥ 4.12.1):
    /// `calculatedEntitlement.type` FEATURE/CREDIT, `usageData`, credits, reset periods.
    #[default]
    Current,
    /// The 3.x format (`featureUsage`, features only) for fleets that still run node-server-sdk 3.x
    /// readers, which lose reset-period data and credits when reading the current format. Credits are
    /// not written in this format (3.x has none); the customer-level reason still goes to `:metadata`.
    V3,
}

/// How cache writes apply (`cacheUpdatePolicy` of Stigg's store).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CacheUpdatePolicy {
    /// Write whenever the timestamp guard allows (`UPSERT`, the default).
    #[default]
    Upsert,
    /// Skip a whole batch when none of its keys is stored yet (`UPDATE_IF_EXISTS`).
    UpdateIfExists,
}

/// `distributedEntitlementsFetching`: the cross-process single-flight of a cache miss (spec §5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DistributedEntitlementsFetching {
    /// `disabled`: every process that misses fetches from the API itself (default false).
    pub disabled: bool,
    /// `notificationBufferMs`: how much longer than `entitlementsTimeout` a process waits for the
    /// winner's notification (default 500 ms).
    pub notification_buffer: Duration,
}

impl Default for DistributedEntitlementsFetching {
    fn default() -> Self {
        DistributedEntitlementsFetching {
            disabled: false,
            notification_buffer: DEFAULT_NOTIFICATION_BUFFER,
        }
    }
}

/// The `redis` option: where Redis is, and how the store uses it.
///
/// Either a `url` (`redis://[user:password@]host[:port][/db]`, `rediss://` for TLS) or the discrete
/// `host`/`port`/`db`/`username`/`password`/`tls` fields (these override the URL's parts when both
/// are given). `environment_prefix` is required: it namespaces every key, as in Stigg.
#[derive(Clone, PartialEq)]
pub struct RedisOptions {
    /// `environmentPrefix` (required): the first part of every key, e.g. `production`.
    pub environment_prefix: String,
    /// A connection URL; when unset, `host` (default `127.0.0.1`) and `port` (default 6379) are used.
    pub url: Option<String>,
    /// `host`.
    pub host: Option<String>,
    /// `port`.
    pub port: Option<u16>,
    /// `db` (default 0).
    pub db: Option<i64>,
    /// `username` (Redis 6 ACL).
    pub username: Option<String>,
    /// `password`.
    pub password: Option<String>,
    /// `tls`: connect over TLS (rustls, webpki roots). A `rediss://` URL implies it.
    pub tls: bool,
    /// `ttl` in seconds of every written key (default 604800 = 7 days); negative = no expiry.
    pub ttl: i64,
    /// `distributedEntitlementsFetching`.
    pub distributed_entitlements_fetching: DistributedEntitlementsFetching,
    /// `cacheUpdatePolicy` (default `UPSERT`).
    pub cache_update_policy: CacheUpdatePolicy,
    /// The value format written (default: the current one).
    pub write_format: WriteFormat,
    /// `commandTimeout`: bound of one Redis round trip (default 1 s, and never more than
    /// `entitlementsTimeout`). A Redis that does not answer in time is a cache miss, never a hang.
    pub command_timeout: Duration,
    /// `l1MaxStaleness` (ours): how long a state read from Redis is served from the in-process cache
    /// before Redis is asked again (default 1 s). Zero turns the L1 off: every check reads Redis.
    pub l1_max_staleness: Duration,
}

impl fmt::Debug for RedisOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the password, nor a URL that may carry one.
        f.debug_struct("RedisOptions")
            .field("environment_prefix", &self.environment_prefix)
            .field("url", &self.url.as_ref().map(|_| "<redacted>"))
            .field("host", &self.host)
            .field("port", &self.port)
            .field("db", &self.db)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("tls", &self.tls)
            .field("ttl", &self.ttl)
            .field(
                "distributed_entitlements_fetching",
                &self.distributed_entitlements_fetching,
            )
            .field("cache_update_policy", &self.cache_update_policy)
            .field("write_format", &self.write_format)
            .field("command_timeout", &self.command_timeout)
            .field("l1_max_staleness", &self.l1_max_staleness)
            .finish()
    }
}

impl RedisOptions {
    /// Options for `environment_prefix` with every other setting at its default (Redis at
    /// `127.0.0.1:6379`).
    pub fn new(environment_prefix: impl Into<String>) -> Self {
        RedisOptions {
            environment_prefix: environment_prefix.into(),
            url: None,
            host: None,
            port: None,
            db: None,
            username: None,
            password: None,
            tls: false,
            ttl: DEFAULT_TTL_SECS,
            distributed_entitlements_fetching: DistributedEntitlementsFetching::default(),
            cache_update_policy: CacheUpdatePolicy::default(),
            write_format: WriteFormat::default(),
            command_timeout: DEFAULT_COMMAND_TIMEOUT,
            l1_max_staleness: DEFAULT_L1_MAX_STALENESS,
        }
    }

    /// Sets `url`.
    pub fn url(mut self, v: impl Into<String>) -> Self {
        self.url = Some(v.into());
        self
    }
    /// Sets `host`.
    pub fn host(mut self, v: impl Into<String>) -> Self {
        self.host = Some(v.into());
        self
    }
    /// Sets `port`.
    pub fn port(mut self, v: u16) -> Self {
        self.port = Some(v);
        self
    }
    /// Sets `db`.
    pub fn db(mut self, v: i64) -> Self {
        self.db = Some(v);
        self
    }
    /// Sets `username`.
    pub fn username(mut self, v: impl Into<String>) -> Self {
        self.username = Some(v.into());
        self
    }
    /// Sets `password`.
    pub fn password(mut self, v: impl Into<String>) -> Self {
        self.password = Some(v.into());
        self
    }
    /// Sets `tls`.
    pub fn tls(mut self, v: bool) -> Self {
        self.tls = v;
        self
    }
    /// Sets `ttl` (seconds; negative = no expiry).
    pub fn ttl(mut self, v: i64) -> Self {
        self.ttl = v;
        self
    }
    /// Sets `distributedEntitlementsFetching`.
    pub fn distributed_entitlements_fetching(mut self, v: DistributedEntitlementsFetching) -> Self {
        self.distributed_entitlements_fetching = v;
        self
    }
    /// Sets `cacheUpdatePolicy`.
    pub fn cache_update_policy(mut self, v: CacheUpdatePolicy) -> Self {
        self.cache_update_policy = v;
        self
    }
    /// Sets the written value format.
    pub fn write_format(mut self, v: WriteFormat) -> Self {
        self.write_format = v;
        self
    }
    /// Sets `commandTimeout`.
    pub fn command_timeout(mut self, v: Duration) -> Self {
        self.command_timeout = v;
        self
    }
    /// Sets `l1MaxStaleness` (zero = no L1).
    pub fn l1_max_staleness(mut self, v: Duration) -> Self {
        self.l1_max_staleness = v;
        self
    }

    /// Checks the options; errors name the option as Stigg spells it.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.environment_prefix.trim().is_empty() {
            return Err(ConfigError::new(
                "redis.environmentPrefix",
                "is required in Redis mode",
            ));
        }
        if self.ttl == 0 {
            return Err(ConfigError::new(
                "redis.ttl",
                "must not be 0 (seconds; negative = no expiry)",
            ));
        }
        if self.command_timeout.is_zero() {
            return Err(ConfigError::new(
                "redis.commandTimeout",
                "must be greater than zero",
            ));
        }
        self.connection_info().map(|_| ())
    }

    /// The `redis` crate's connection settings for these options.
    pub fn connection_info(&self) -> Result<ConnectionInfo, ConfigError> {
        let base = match &self.url {
            Some(url) => url.as_str().into_connection_info().map_err(|e| {
                ConfigError::new("redis.url", format!("is not a Redis URL ({:?})", e.kind()))
            })?,
            None => ConnectionAddr::Tcp(String::from("127.0.0.1"), DEFAULT_PORT)
                .into_connection_info()
                .map_err(|e| ConfigError::new("redis.host", e.to_string()))?,
        };
        let (mut host, mut port, mut tls) = match base.addr() {
            ConnectionAddr::Tcp(h, p) => (h.clone(), *p, false),
            ConnectionAddr::TcpTls { host, port, .. } => (host.clone(), *port, true),
            _ => {
                return Err(ConfigError::new(
                    "redis.url",
                    "only redis:// and rediss:// addresses are supported",
                ))
            }
        };
        if let Some(h) = &self.host {
            host = h.clone();
        }
        if let Some(p) = self.port {
            port = p;
        }
        tls |= self.tls;
        let addr = if tls {
            ConnectionAddr::TcpTls {
                host,
                port,
                insecure: false,
                tls_params: None,
            }
        } else {
            ConnectionAddr::Tcp(host, port)
        };
        let current = base.redis_settings();
        let mut settings = RedisConnectionInfo::default().set_db(self.db.unwrap_or(current.db()));
        if let Some(u) = self.username.as_deref().or(current.username()) {
            settings = settings.set_username(u);
        }
        if let Some(p) = self.password.as_deref().or(current.password()) {
            settings = settings.set_password(p);
        }
        Ok(base.set_addr(addr).set_redis_settings(settings))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_is_required_and_urls_parse() {
        assert_eq!(
            RedisOptions::new(" ").validate().err().map(|e| e.option),
            Some("redis.environmentPrefix")
        );
        assert!(RedisOptions::new("p").validate().is_ok());
        let info = RedisOptions::new("p")
            .url("rediss://u:secret@cache.example:6380/3")
            .connection_info();
        let info = match info {
            Ok(i) => i,
            Err(e) => panic!("{e}"),
        };
        assert!(matches!(
            info.addr(),
            ConnectionAddr::TcpTls { port: 6380, .. }
        ));
        assert_eq!(info.redis_settings().db(), 3);
        assert_eq!(info.redis_settings().username(), Some("u"));
        let info = RedisOptions::new("p")
            .host("h")
            .port(7000)
            .db(2)
            .password("pw")
            .connection_info();
        match info.as_ref().map(|i| i.addr()) {
            Ok(ConnectionAddr::Tcp(h, 7000)) => assert_eq!(h, "h"),
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(
            RedisOptions::new("p")
                .url("not a url")
                .validate()
                .err()
                .map(|e| e.option),
            Some("redis.url")
        );
    }

    #[test]
    fn debug_hides_secrets() {
        let o = RedisOptions::new("p")
            .url("redis://:hunter2@h")
            .password("hunter2");
        assert!(!format!("{o:?}").contains("hunter2"));
    }
}

/// The `redis` option as a JSON document with Stigg's names, as the language packages pass it:
/// `{"environmentPrefix": "...", "url"?, "host"?, "port"?, "db"?, "username"?, "password"?, "tls"?,
/// "ttl"?, "distributedEntitlementsFetching"?: {"disabled"?, "notificationBufferMs"?},
/// "cacheUpdatePolicy"?: "UPSERT" | "UPDATE_IF_EXISTS", "commandTimeout"? (ms), "l1MaxStaleness"? (ms),
/// "writeFormat"?: "current" | "v3"}`. Unknown keys are errors, so a typo is not silently ignored.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RedisOptionsDocument {
    environment_prefix: String,
    url: Option<String>,
    host: Option<String>,
    port: Option<u16>,
    db: Option<i64>,
    username: Option<String>,
    password: Option<String>,
    tls: Option<bool>,
    ttl: Option<i64>,
    distributed_entitlements_fetching: Option<DistributedDocument>,
    cache_update_policy: Option<String>,
    command_timeout: Option<u64>,
    l1_max_staleness: Option<u64>,
    write_format: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DistributedDocument {
    disabled: Option<bool>,
    notification_buffer_ms: Option<u64>,
}

impl RedisOptions {
    /// Parses the `redis` option from a JSON document with Stigg's option names (see
    /// `RedisOptionsDocument` in the source for the keys); errors name the option and the key.
    pub fn from_json(value: &serde_json::Value) -> Result<Self, ConfigError> {
        let d = RedisOptionsDocument::deserialize_from(value)?;
        let mut o = RedisOptions::new(d.environment_prefix);
        if let Some(v) = d.url {
            o = o.url(v);
        }
        if let Some(v) = d.host {
            o = o.host(v);
        }
        if let Some(v) = d.port {
            o = o.port(v);
        }
        if let Some(v) = d.db {
            o = o.db(v);
        }
        if let Some(v) = d.username {
            o = o.username(v);
        }
        if let Some(v) = d.password {
            o = o.password(v);
        }
        if let Some(v) = d.tls {
            o = o.tls(v);
        }
        if let Some(v) = d.ttl {
            o = o.ttl(v);
        }
        if let Some(v) = d.distributed_entitlements_fetching {
            let mut dist = DistributedEntitlementsFetching::default();
            if let Some(x) = v.disabled {
                dist.disabled = x;
            }
            if let Some(ms) = v.notification_buffer_ms {
                dist.notification_buffer = Duration::from_millis(ms);
            }
            o = o.distributed_entitlements_fetching(dist);
        }
        if let Some(v) = d.cache_update_policy {
            o = o.cache_update_policy(match v.as_str() {
                "UPSERT" => CacheUpdatePolicy::Upsert,
                "UPDATE_IF_EXISTS" => CacheUpdatePolicy::UpdateIfExists,
                other => {
                    return Err(ConfigError::new(
                        "redis",
                        format!(
                            "cacheUpdatePolicy must be UPSERT or UPDATE_IF_EXISTS, got `{other}`"
                        ),
                    ))
                }
            });
        }
        if let Some(ms) = d.command_timeout {
            o = o.command_timeout(Duration::from_millis(ms));
        }
        if let Some(ms) = d.l1_max_staleness {
            o = o.l1_max_staleness(Duration::from_millis(ms));
        }
        if let Some(v) = d.write_format {
            o = o.write_format(match v.to_ascii_lowercase().as_str() {
                "current" => WriteFormat::Current,
                "v3" => WriteFormat::V3,
                other => {
                    return Err(ConfigError::new(
                        "redis",
                        format!("writeFormat must be `current` or `v3`, got `{other}`"),
                    ))
                }
            });
        }
        o.validate()?;
        Ok(o)
    }
}

impl RedisOptionsDocument {
    fn deserialize_from(value: &serde_json::Value) -> Result<Self, ConfigError> {
        serde::Deserialize::deserialize(value)
            .map_err(|e: serde_json::Error| ConfigError::new("redis", e.to_string()))
    }
}

#[cfg(test)]
mod json_tests {
    use super::*;

    #[test]
    fn parses_stiggs_names_and_rejects_typos() {
        let o = RedisOptions::from_json(&serde_json::json!({
            "environmentPrefix": "prod", "host": "cache", "port": 6380, "ttl": -1,
            "distributedEntitlementsFetching": {"notificationBufferMs": 250},
            "cacheUpdatePolicy": "UPDATE_IF_EXISTS", "writeFormat": "v3", "l1MaxStaleness": 0
        }));
        let o = match o {
            Ok(o) => o,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(o.environment_prefix, "prod");
        assert_eq!(o.ttl, -1);
        assert_eq!(o.write_format, WriteFormat::V3);
        assert_eq!(o.cache_update_policy, CacheUpdatePolicy::UpdateIfExists);
        assert_eq!(
            o.distributed_entitlements_fetching.notification_buffer,
            Duration::from_millis(250)
        );
        let typo =
            RedisOptions::from_json(&serde_json::json!({"environmentPrefix": "p", "hots": "x"}));
        assert!(typo.is_err_and(|e| e.option == "redis" && e.reason.contains("hots")));
        assert!(RedisOptions::from_json(&serde_json::json!({"host": "x"})).is_err());
    }
}
