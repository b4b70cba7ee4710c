//! `stigg_config_t` (a struct of C strings and flags; all-zero = every default) and the JSON config.

use std::collections::HashMap;
use std::ffi::c_char;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use stigg_core::model::{CreditEntitlementFallback, EntitlementFallback, FallbackConfig};
use stigg_core::{FixedClock, StiggConfig};

use crate::error::{opt_str, stigg_error_t, FfiResult};

/// Client configuration. Zero-initialize it (`stigg_config_t cfg = {0};`) and set what you need:
/// every zero/NULL field takes Stigg's default. Strings are borrowed for the duration of
/// `stigg_client_new` only.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct stigg_config_t {
    /// `apiKey`: the server key (NULL: `$STIGG_API_KEY`; not needed offline).
    pub api_key: *const c_char,
    /// `baseUri`: the API origin (NULL: `$STIGG_BASE_URI`, else `https://api.stigg.io`).
    pub base_uri: *const c_char,
    /// `baseEdgeUri` (NULL: derived from `base_uri`).
    pub base_edge_uri: *const c_char,
    /// `wsUrl` (NULL: derived from `base_uri`).
    pub ws_url: *const c_char,
    /// `offline`: no network; reads return fallbacks (or fixture states), writes acknowledge locally.
    pub offline: bool,
    /// Turns off `realtimeUpdatesEnabled` (default on).
    pub disable_realtime_updates: bool,
    /// Turns off `enableEdge` (default on).
    pub disable_edge: bool,
    /// Ignore `$STIGG_API_KEY` / `$STIGG_BASE_URI`.
    pub ignore_env: bool,
    /// `entitlementsFallback` and `creditEntitlementsFallback` as one JSON object
    /// `{"entitlementsFallback": {"<featureId>": {"hasAccess": true, ...}},
    ///   "creditEntitlementsFallback": {"<currencyId>": {...}}}` (NULL: none).
    pub fallbacks_json: *const c_char,
    /// `cacheMaxSizeBytes` (0: 256 MiB).
    pub cache_max_size_bytes: u64,
    /// `timeout` of API calls in milliseconds (0: 60 000).
    pub timeout_ms: u64,
    /// `entitlementsTimeout` in milliseconds (0: 10 000).
    pub entitlements_timeout_ms: u64,
    /// `refreshInterval` in milliseconds (0: 30 000).
    pub refresh_interval_ms: u64,
    /// Test support: when true, the client's clock stands still at `fixed_now_ms`.
    pub use_fixed_clock: bool,
    /// Test support: the fixed instant, epoch milliseconds (UTC).
    pub fixed_now_ms: i64,
}

/// The JSON form of the configuration (`stigg_client_new_json`), with Stigg's option names.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JsonConfig {
    api_key: Option<String>,
    base_uri: Option<String>,
    base_edge_uri: Option<String>,
    ws_url: Option<String>,
    #[serde(default)]
    offline: bool,
    realtime_updates_enabled: Option<bool>,
    enable_edge: Option<bool>,
    read_env: Option<bool>,
    #[serde(default)]
    entitlements_fallback: HashMap<String, EntitlementFallback>,
    #[serde(default)]
    credit_entitlements_fallback: HashMap<String, CreditEntitlementFallback>,
    cache_max_size_bytes: Option<u64>,
    timeout_ms: Option<u64>,
    entitlements_timeout_ms: Option<u64>,
    refresh_interval_ms: Option<u64>,
    fixed_now_ms: Option<i64>,
    /// Stigg's `redis` option (the Redis persistent cache), parsed by the core.
    redis: Option<serde_json::Value>,
}

impl JsonConfig {
    /// Parses the JSON configuration.
    pub fn parse(text: &str) -> FfiResult<Self> {
        serde_json::from_str(text)
            .map_err(|e| stigg_error_t::invalid("config_json", &e.to_string()))
    }

    /// Builds the core configuration.
    pub fn build(self) -> FfiResult<StiggConfig> {
        let mut b = StiggConfig::builder()
            .offline(self.offline)
            .entitlements_fallback(self.entitlements_fallback)
            .credit_entitlements_fallback(self.credit_entitlements_fallback);
        if let Some(v) = self.api_key {
            b = b.api_key(v);
        }
        if let Some(v) = self.base_uri {
            b = b.base_uri(v);
        }
        if let Some(v) = self.base_edge_uri {
            b = b.base_edge_uri(v);
        }
        if let Some(v) = self.ws_url {
            b = b.ws_url(v);
        }
        if let Some(v) = self.realtime_updates_enabled {
            b = b.realtime_updates_enabled(v);
        }
        if let Some(v) = self.enable_edge {
            b = b.enable_edge(v);
        }
        if let Some(v) = self.read_env {
            b = b.read_env(v);
        }
        if let Some(v) = self.cache_max_size_bytes {
            b = b.cache_max_size_bytes(v);
        }
        if let Some(v) = self.timeout_ms {
            b = b.timeout(Duration::from_millis(v));
        }
        if let Some(v) = self.entitlements_timeout_ms {
            b = b.entitlements_timeout(Duration::from_millis(v));
        }
        if let Some(v) = self.refresh_interval_ms {
            b = b.refresh_interval(Duration::from_millis(v));
        }
        if let Some(v) = self.fixed_now_ms {
            b = b.clock(Arc::new(FixedClock::new(v)));
        }
        if let Some(v) = self.redis.filter(|v| !v.is_null()) {
            let options = stigg_core::cache::redis::RedisOptions::from_json(&v)
                .map_err(stigg_core::StiggError::from)?;
            b = b.redis(options);
        }
        b.build()
            .map_err(|e| stigg_core::StiggError::from(e).into())
    }
}

/// Reads a `stigg_config_t` into the JSON form (one path builds the core configuration).
///
/// # Safety
/// `c` points to a valid `stigg_config_t` whose strings are NULL or NUL-terminated.
pub(crate) unsafe fn from_c(c: &stigg_config_t) -> FfiResult<JsonConfig> {
    let own = |s: Option<&str>| s.map(str::to_owned);
    // SAFETY: forwarded contract for each string field.
    let (api_key, base_uri, base_edge_uri, ws_url, fallbacks) = unsafe {
        (
            own(opt_str(c.api_key, "api_key")?),
            own(opt_str(c.base_uri, "base_uri")?),
            own(opt_str(c.base_edge_uri, "base_edge_uri")?),
            own(opt_str(c.ws_url, "ws_url")?),
            opt_str(c.fallbacks_json, "fallbacks_json")?,
        )
    };
    let fallbacks: FallbackConfig = match fallbacks {
        Some(text) => serde_json::from_str(text)
            .map_err(|e| stigg_error_t::invalid("fallbacks_json", &e.to_string()))?,
        None => FallbackConfig::default(),
    };
    let nonzero = |v: u64| (v != 0).then_some(v);
    Ok(JsonConfig {
        api_key,
        base_uri,
        base_edge_uri,
        ws_url,
        offline: c.offline,
        realtime_updates_enabled: c.disable_realtime_updates.then_some(false),
        enable_edge: c.disable_edge.then_some(false),
        read_env: c.ignore_env.then_some(false),
        entitlements_fallback: fallbacks.entitlements_fallback,
        credit_entitlements_fallback: fallbacks.credit_entitlements_fallback,
        cache_max_size_bytes: nonzero(c.cache_max_size_bytes),
        timeout_ms: nonzero(c.timeout_ms),
        entitlements_timeout_ms: nonzero(c.entitlements_timeout_ms),
        refresh_interval_ms: nonzero(c.refresh_interval_ms),
        fixed_now_ms: c.use_fixed_clock.then_some(c.fixed_now_ms),
        redis: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_config_carries_the_redis_option() {
        let cfg = JsonConfig::parse(
            r#"{"offline": true, "readEnv": false, "redis": {"environmentPrefix": "c", "port": 6390}}"#,
        )
        .and_then(JsonConfig::build);
        let redis = cfg.ok().and_then(|c| c.redis);
        assert_eq!(
            redis.map(|r| (r.environment_prefix, r.port)),
            Some(("c".to_owned(), Some(6390)))
        );
        let typo = JsonConfig::parse(r#"{"redis": {"environmentPrefix": "c", "prot": 1}}"#)
            .and_then(JsonConfig::build);
        assert!(typo.is_err());
    }
}
