//! Client configuration, with Stigg's option names (spec §2.1) and a builder.
//!
//! `STIGG_API_KEY` and `STIGG_BASE_URI` supply the key and the API address when the builder is not given
//! them. The Edge and WebSocket addresses derive from `base_uri` the way the official Node SDK derives
//! them (spec §1.1): WebSocket swaps `http→ws`/`https→wss`; Edge prefixes the host with `edge.`, except on
//! `localhost`/`127.0.0.1`, where the port becomes 3060.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use url::Url;

use crate::api::retry::RetryPolicy;
use crate::cache::redis::RedisOptions;
use crate::clock::{Clock, SystemClock};
use crate::error::ConfigError;
use crate::model::{CreditEntitlementFallback, EntitlementFallback, FallbackConfig};

/// The production GraphQL API origin.
pub const DEFAULT_BASE_URI: &str = "https://api.stigg.io";
/// Default timeout of API calls (`timeout`, 60 s).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default timeout of entitlement fetches (`entitlementsTimeout`, 10 s).
pub const DEFAULT_ENTITLEMENTS_TIMEOUT: Duration = Duration::from_secs(10);
/// Default byte budget of the in-memory cache (`cacheMaxSizeBytes`, 256 MiB).
///
/// The Node SDK defaults to 75 % of the V8 heap; a native process has no such figure, so we pick a fixed,
/// documented budget instead.
pub const DEFAULT_CACHE_MAX_SIZE_BYTES: u64 = 256 * 1024 * 1024;
/// Default bound of how stale a cached state may be served while no stream confirms it (30 s).
///
/// The official SDK refetches on every read while its stream is not live; we serve the cache for this
/// long instead, then refetch (single-flight per customer).
pub const DEFAULT_REFRESH_INTERVAL: Duration = Duration::from_secs(30);
/// Environment variable that supplies `api_key`.
pub const ENV_API_KEY: &str = "STIGG_API_KEY";
/// Environment variable that supplies `base_uri`.
pub const ENV_BASE_URI: &str = "STIGG_BASE_URI";

/// The API key, kept out of `Debug` output and logs.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// The key itself, for request headers only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when no key was configured.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("ApiKey(<unset>)")
        } else {
            f.write_str("ApiKey(<redacted>)")
        }
    }
}

/// A validated client configuration. Build one with [`StiggConfig::builder`].
#[derive(Clone)]
pub struct StiggConfig {
    /// Server API key (`apiKey`).
    pub api_key: ApiKey,
    /// GraphQL API origin (`baseUri`), without trailing slash.
    pub base_uri: String,
    /// Edge API origin (`baseEdgeUri`), derived from `base_uri` unless set.
    pub base_edge_uri: String,
    /// WebSocket origin (`wsUrl`), derived from `base_uri` unless set.
    pub ws_url: String,
    /// Open the real-time update stream (`realtimeUpdatesEnabled`).
    pub realtime_updates_enabled: bool,
    /// Read entitlements through Edge (`enableEdge`).
    pub enable_edge: bool,
    /// Fallbacks by feature id and by currency id.
    pub fallbacks: FallbackConfig,
    /// Byte budget of the in-memory cache (`cacheMaxSizeBytes`).
    pub cache_max_size_bytes: u64,
    /// Timeout of API calls (`timeout`).
    pub timeout: Duration,
    /// Timeout of entitlement fetches (`entitlementsTimeout`).
    pub entitlements_timeout: Duration,
    /// Offline mode (`offline`): no network for entitlement reads and usage writes (spec §6).
    pub offline: bool,
    /// How long a cached state is served while no live stream confirms it (`refreshInterval`).
    pub refresh_interval: Duration,
    /// Retries of GraphQL calls (default: the official SDK's).
    pub graphql_retry: RetryPolicy,
    /// Retries of Edge calls (default: the official SDK's).
    pub edge_retry: RetryPolicy,
    /// The clock every decision reads `now` from.
    pub clock: Arc<dyn Clock>,
    /// `redis`: when set, the Redis persistent cache (spec §5.2) is used behind the in-memory cache,
    /// and no WebSocket is opened.
    pub redis: Option<RedisOptions>,
}

impl fmt::Debug for StiggConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StiggConfig")
            .field("api_key", &self.api_key)
            .field("base_uri", &self.base_uri)
            .field("base_edge_uri", &self.base_edge_uri)
            .field("ws_url", &self.ws_url)
            .field("realtime_updates_enabled", &self.realtime_updates_enabled)
            .field("enable_edge", &self.enable_edge)
            .field("fallbacks", &self.fallbacks)
            .field("cache_max_size_bytes", &self.cache_max_size_bytes)
            .field("timeout", &self.timeout)
            .field("entitlements_timeout", &self.entitlements_timeout)
            .field("offline", &self.offline)
            .field("refresh_interval", &self.refresh_interval)
            .field("redis", &self.redis)
            .finish_non_exhaustive()
    }
}

impl StiggConfig {
    /// A builder with Stigg's defaults.
    pub fn builder() -> StiggConfigBuilder {
        StiggConfigBuilder::default()
    }
}

/// Builds a [`StiggConfig`]; every setter is named after Stigg's option.
#[derive(Default, Clone)]
pub struct StiggConfigBuilder {
    api_key: Option<String>,
    base_uri: Option<String>,
    base_edge_uri: Option<String>,
    ws_url: Option<String>,
    realtime_updates_enabled: Option<bool>,
    enable_edge: Option<bool>,
    fallbacks: FallbackConfig,
    cache_max_size_bytes: Option<u64>,
    timeout: Option<Duration>,
    entitlements_timeout: Option<Duration>,
    offline: bool,
    refresh_interval: Option<Duration>,
    graphql_retry: Option<RetryPolicy>,
    edge_retry: Option<RetryPolicy>,
    clock: Option<Arc<dyn Clock>>,
    read_env: Option<bool>,
    redis: Option<RedisOptions>,
}

impl StiggConfigBuilder {
    /// `apiKey`: the server key (default: `$STIGG_API_KEY`).
    pub fn api_key(mut self, v: impl Into<String>) -> Self {
        self.api_key = Some(v.into());
        self
    }
    /// `baseUri`: the API origin (default: `$STIGG_BASE_URI`, else `https://api.stigg.io`).
    pub fn base_uri(mut self, v: impl Into<String>) -> Self {
        self.base_uri = Some(v.into());
        self
    }
    /// `baseEdgeUri`: the Edge origin (default: derived from `base_uri`).
    pub fn base_edge_uri(mut self, v: impl Into<String>) -> Self {
        self.base_edge_uri = Some(v.into());
        self
    }
    /// `wsUrl`: the WebSocket origin (default: derived from `base_uri`).
    pub fn ws_url(mut self, v: impl Into<String>) -> Self {
        self.ws_url = Some(v.into());
        self
    }
    /// `realtimeUpdatesEnabled` (default true).
    pub fn realtime_updates_enabled(mut self, v: bool) -> Self {
        self.realtime_updates_enabled = Some(v);
        self
    }
    /// `enableEdge` (default true).
    pub fn enable_edge(mut self, v: bool) -> Self {
        self.enable_edge = Some(v);
        self
    }
    /// `entitlementsFallback`: replaces the per-feature fallbacks.
    pub fn entitlements_fallback(mut self, v: HashMap<String, EntitlementFallback>) -> Self {
        self.fallbacks.entitlements_fallback = v;
        self
    }
    /// Adds one entry to `entitlementsFallback`.
    pub fn entitlement_fallback(
        mut self,
        feature_id: impl Into<String>,
        v: EntitlementFallback,
    ) -> Self {
        self.fallbacks
            .entitlements_fallback
            .insert(feature_id.into(), v);
        self
    }
    /// `creditEntitlementsFallback`: replaces the per-currency fallbacks.
    pub fn credit_entitlements_fallback(
        mut self,
        v: HashMap<String, CreditEntitlementFallback>,
    ) -> Self {
        self.fallbacks.credit_entitlements_fallback = v;
        self
    }
    /// `cacheMaxSizeBytes` (Node: `memoryCacheMaxSizeBytes`; default 256 MiB).
    pub fn cache_max_size_bytes(mut self, v: u64) -> Self {
        self.cache_max_size_bytes = Some(v);
        self
    }
    /// `timeout` of API calls (default 60 s).
    pub fn timeout(mut self, v: Duration) -> Self {
        self.timeout = Some(v);
        self
    }
    /// `entitlementsTimeout` of entitlement fetches (default 10 s).
    pub fn entitlements_timeout(mut self, v: Duration) -> Self {
        self.entitlements_timeout = Some(v);
        self
    }
    /// `offline` (default false).
    pub fn offline(mut self, v: bool) -> Self {
        self.offline = v;
        self
    }
    /// `refreshInterval`: how long a cached state is served while no live stream confirms it
    /// (default 30 s). Bounds staleness when `realtimeUpdatesEnabled` is off or the stream is down.
    pub fn refresh_interval(mut self, v: Duration) -> Self {
        self.refresh_interval = Some(v);
        self
    }
    /// Retry policy of GraphQL calls (default [`RetryPolicy::graphql`]).
    pub fn graphql_retry(mut self, v: RetryPolicy) -> Self {
        self.graphql_retry = Some(v);
        self
    }
    /// Retry policy of Edge calls (default [`RetryPolicy::edge`]).
    pub fn edge_retry(mut self, v: RetryPolicy) -> Self {
        self.edge_retry = Some(v);
        self
    }
    /// The clock decisions read `now` from (default: the system clock). Tests fix it.
    pub fn clock(mut self, v: Arc<dyn Clock>) -> Self {
        self.clock = Some(v);
        self
    }
    /// `redis`: use the Redis persistent cache (Stigg's layout, shared with Stigg's own
    /// persistent-cache-service and SDKs) behind the in-memory cache; see
    /// [`RedisOptions`]. In Redis mode no WebSocket is opened.
    pub fn redis(mut self, v: RedisOptions) -> Self {
        self.redis = Some(v);
        self
    }
    /// Whether unset `api_key`/`base_uri` are read from `STIGG_API_KEY`/`STIGG_BASE_URI` (default true).
    pub fn read_env(mut self, v: bool) -> Self {
        self.read_env = Some(v);
        self
    }

    /// Validates and builds the configuration.
    ///
    /// Errors name the option: a missing `apiKey` (except offline, which needs none), a URL that does
    /// not parse or is not http(s)/ws(s), a zero timeout.
    pub fn build(self) -> Result<StiggConfig, ConfigError> {
        let read_env = self.read_env.unwrap_or(true);
        let env = |name: &str| {
            if read_env {
                std::env::var(name).ok().filter(|v| !v.is_empty())
            } else {
                None
            }
        };
        let api_key = self
            .api_key
            .or_else(|| env(ENV_API_KEY))
            .unwrap_or_default();
        if api_key.trim().is_empty() && !self.offline {
            return Err(ConfigError::new(
                "apiKey",
                format!("You must configure the client with an API key (or set {ENV_API_KEY})"),
            ));
        }
        let base_uri = self
            .base_uri
            .or_else(|| env(ENV_BASE_URI))
            .unwrap_or_else(|| DEFAULT_BASE_URI.to_owned());
        let base = parse_url("baseUri", &base_uri, &["http", "https"])?;
        let ws_url = match self.ws_url {
            Some(u) => origin_string(&parse_url("wsUrl", &u, &["ws", "wss", "http", "https"])?),
            None => derive_ws_url(&base),
        };
        let base_edge_uri = match self.base_edge_uri {
            Some(u) => origin_string(&parse_url("baseEdgeUri", &u, &["http", "https"])?),
            None => derive_edge_url(&base),
        };
        let timeout = self.timeout.unwrap_or(DEFAULT_TIMEOUT);
        if timeout.is_zero() {
            return Err(ConfigError::new("timeout", "must be greater than zero"));
        }
        let entitlements_timeout = self
            .entitlements_timeout
            .unwrap_or(DEFAULT_ENTITLEMENTS_TIMEOUT);
        if entitlements_timeout.is_zero() {
            return Err(ConfigError::new(
                "entitlementsTimeout",
                "must be greater than zero",
            ));
        }
        if let Some(r) = &self.redis {
            r.validate()?;
        }
        for (id, fb) in &self.fallbacks.entitlements_fallback {
            validate_fallback_numbers(id, [fb.value, fb.usage_limit])?;
        }
        for (id, fb) in &self.fallbacks.credit_entitlements_fallback {
            validate_fallback_numbers(id, [fb.usage_limit, fb.current_usage])?;
        }
        Ok(StiggConfig {
            api_key: ApiKey(api_key),
            base_uri: origin_string(&base),
            base_edge_uri,
            ws_url,
            realtime_updates_enabled: self.realtime_updates_enabled.unwrap_or(true),
            enable_edge: self.enable_edge.unwrap_or(true),
            fallbacks: self.fallbacks,
            cache_max_size_bytes: self
                .cache_max_size_bytes
                .unwrap_or(DEFAULT_CACHE_MAX_SIZE_BYTES),
            timeout,
            entitlements_timeout,
            offline: self.offline,
            refresh_interval: self.refresh_interval.unwrap_or(DEFAULT_REFRESH_INTERVAL),
            graphql_retry: self.graphql_retry.unwrap_or_else(RetryPolicy::graphql),
            edge_retry: self.edge_retry.unwrap_or_else(RetryPolicy::edge),
            clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
            redis: self.redis,
        })
    }
}

fn validate_fallback_numbers<const N: usize>(
    id: &str,
    values: [Option<f64>; N],
) -> Result<(), ConfigError> {
    if values.iter().flatten().any(|v| v.is_nan()) {
        return Err(ConfigError::new(
            "entitlementsFallback",
            format!("the fallback of `{id}` has a NaN number"),
        ));
    }
    Ok(())
}

fn parse_url(option: &'static str, raw: &str, schemes: &[&str]) -> Result<Url, ConfigError> {
    let url = Url::parse(raw.trim())
        .map_err(|e| ConfigError::new(option, format!("`{raw}` is not a URL: {e}")))?;
    if !schemes.contains(&url.scheme()) {
        return Err(ConfigError::new(
            option,
            format!("`{raw}` must use one of the schemes {}", schemes.join(", ")),
        ));
    }
    if url.host_str().is_none() {
        return Err(ConfigError::new(option, format!("`{raw}` has no host")));
    }
    Ok(url)
}

/// The URL as a string without a trailing slash (the path, if any, is kept).
fn origin_string(url: &Url) -> String {
    url.as_str().trim_end_matches('/').to_owned()
}

/// `wsUrl` from `baseUri`: `http→ws`, `https→wss`, same host and port.
fn derive_ws_url(base: &Url) -> String {
    let mut url = base.clone();
    let scheme = match base.scheme() {
        "http" => "ws",
        _ => "wss",
    };
    // Changing between special schemes of the same kind always succeeds; keep the base if it did not.
    if url.set_scheme(scheme).is_err() {
        return origin_string(base);
    }
    origin_string(&url)
}

/// `baseEdgeUri` from `baseUri`: `edge.` + host, or port 3060 on `localhost`/`127.0.0.1`.
///
/// The Node SDK also lists `::1`, which never matches (its `URL.hostname` is `[::1]`); for `[::1]` it
/// fails to set the `edge.` host and keeps the API origin — we do the same.
fn derive_edge_url(base: &Url) -> String {
    let mut url = base.clone();
    match base.host_str() {
        Some("localhost") | Some("127.0.0.1") => {
            if url.set_port(Some(3060)).is_err() {
                return origin_string(base);
            }
        }
        Some(host) if host.starts_with('[') => return origin_string(base),
        Some(host) => {
            let edge_host = format!("edge.{host}");
            if url.set_host(Some(&edge_host)).is_err() {
                return origin_string(base);
            }
        }
        None => return origin_string(base),
    }
    origin_string(&url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(base: &str) -> StiggConfig {
        match StiggConfig::builder()
            .api_key("server-k")
            .base_uri(base)
            .read_env(false)
            .build()
        {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn derives_urls_like_the_node_sdk() {
        let c = cfg("https://api.stigg.io");
        assert_eq!(c.base_uri, "https://api.stigg.io");
        assert_eq!(c.ws_url, "wss://api.stigg.io");
        assert_eq!(c.base_edge_uri, "https://edge.api.stigg.io");
        let c = cfg("http://localhost:4000");
        assert_eq!(c.ws_url, "ws://localhost:4000");
        assert_eq!(c.base_edge_uri, "http://localhost:3060");
        let c = cfg("http://127.0.0.1:9999/");
        assert_eq!(c.base_edge_uri, "http://127.0.0.1:3060");
        let c = cfg("http://[::1]:4000");
        assert_eq!(c.base_edge_uri, "http://[::1]:4000");
    }

    #[test]
    fn errors_name_the_option() {
        let e = StiggConfig::builder().read_env(false).build().err();
        assert_eq!(e.map(|e| e.option), Some("apiKey"));
        let e = StiggConfig::builder()
            .api_key("k")
            .base_uri("ftp://x")
            .read_env(false)
            .build()
            .err();
        assert_eq!(e.map(|e| e.option), Some("baseUri"));
        let e = StiggConfig::builder()
            .api_key("k")
            .timeout(Duration::ZERO)
            .read_env(false)
            .build()
            .err();
        assert_eq!(e.map(|e| e.option), Some("timeout"));
        assert!(StiggConfig::builder()
            .offline(true)
            .read_env(false)
            .build()
            .is_ok());
    }

    #[test]
    fn debug_never_prints_the_key() {
        let c = cfg("https://api.stigg.io");
        assert!(!format!("{c:?}").contains("server-k"));
    }
}
