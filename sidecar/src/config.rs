//! Sidecar configuration from environment variables (spec §7.2).
//!
//! Every variable is read through a lookup function, so tests pass a map instead of the process
//! environment. An empty value counts as unset. Errors name the variable.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `SERVER_API_KEY` | — (required unless `OFFLINE`) | server API key the sidecar authenticates to Stigg with |
//! | `API_URL` | `https://api.stigg.io` | GraphQL API origin |
//! | `EDGE_ENABLED` | `true` | read entitlements through Edge |
//! | `EDGE_API_URL` | derived from `API_URL` | Edge origin |
//! | `WS_ENABLED` | `true` | real-time updates over WebSocket |
//! | `WS_URL` | derived from `API_URL` | WebSocket origin |
//! | `REDIS_ENVIRONMENT_PREFIX` | unset | enables Redis mode: the core's Redis store in Stigg's layout (no WebSocket then) |
//! | `REDIS_HOST`, `REDIS_PORT`, `REDIS_DB`, `REDIS_USERNAME`, `REDIS_PASSWORD`, `REDIS_TLS` | `localhost`, `6379`, `0`, —, —, `false` | Redis connection |
//! | `REDIS_KEYS_TTL_IN_SECS` | `604800` | TTL of Redis keys; `-1` = no expiry |
//! | `ENTITLEMENTS_FALLBACK` | `{}` | JSON map featureId → `{hasAccess, usageLimit?, isUnlimited?, value?, enumValues?}` |
//! | `CACHE_MAX_SIZE_BYTES` | 256 MiB | byte budget of the in-memory cache |
//! | `PORT` | `80` | gRPC port (cleartext HTTP/2); `0` = ephemeral |
//! | `HEALTH_PORT` | `8080` | HTTP port of `/livez`, `/readyz`, `/metrics`; `0` = ephemeral (not in Stigg's docs) |
//! | `HOST` | `0.0.0.0` | address both servers bind to (not in Stigg's docs) |
//! | `OFFLINE` | `false` | fallbacks only, writes are no-ops, no network |
//! | `LOG_LEVEL` | `info` | `error`, `warn`, `info`, `debug` (or `trace`) |
//! | `LOG_FORMAT` | `text` | `text` or `json` (not in Stigg's docs) |
//! | `ENTITLEMENTS_TIMEOUT_MS` | `10000` | budget of one entitlement fetch, retries included (not in Stigg's docs) |
//! | `WORKER_THREADS` | number of CPUs | threads of the sidecar's runtime (not in Stigg's docs) |

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use stigg_core::cache::redis::RedisOptions;
use stigg_core::model::EntitlementFallback;
use stigg_core::{ConfigError as CoreConfigError, StiggConfig};

/// Default gRPC port, as Stigg's image and SDKs use.
pub const DEFAULT_PORT: u16 = 80;
/// Default port of the HTTP health and metrics endpoints.
pub const DEFAULT_HEALTH_PORT: u16 = 8080;
/// Default TTL of Redis keys (7 days).
pub const DEFAULT_REDIS_KEYS_TTL_SECS: i64 = 604_800;

/// A configuration error, naming the environment variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid configuration: {var}: {reason}")]
pub struct ConfigError {
    /// The environment variable.
    pub var: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

impl ConfigError {
    fn new(var: &'static str, reason: impl Into<String>) -> Self {
        ConfigError {
            var,
            reason: reason.into(),
        }
    }
}

/// Log verbosity (`LOG_LEVEL`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    /// Errors only.
    Error,
    /// Warnings and errors.
    Warn,
    /// Informational messages (default).
    Info,
    /// Debugging detail.
    Debug,
    /// Everything.
    Trace,
}

impl LogLevel {
    /// The `tracing` filter directive.
    pub fn as_str(&self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }
}

/// Log line format (`LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines (default).
    Text,
    /// One JSON object per line.
    Json,
}

/// Redis settings (`REDIS_*`), handed to the core as its `redis` option.
#[derive(Clone, PartialEq, Eq)]
pub struct RedisSettings {
    /// `REDIS_ENVIRONMENT_PREFIX`: the key prefix; its presence enables Redis mode.
    pub environment_prefix: String,
    /// `REDIS_HOST`.
    pub host: String,
    /// `REDIS_PORT`.
    pub port: u16,
    /// `REDIS_DB`.
    pub db: u32,
    /// `REDIS_USERNAME`.
    pub username: Option<String>,
    /// `REDIS_PASSWORD` (never printed).
    pub password: Option<String>,
    /// `REDIS_TLS`.
    pub tls: bool,
    /// `REDIS_KEYS_TTL_IN_SECS`; `None` = no expiry (`-1`).
    pub keys_ttl: Option<Duration>,
}

impl RedisSettings {
    /// The core's `redis` option for these settings.
    pub fn to_options(&self) -> RedisOptions {
        let mut o = RedisOptions::new(self.environment_prefix.clone())
            .host(self.host.clone())
            .port(self.port)
            .db(i64::from(self.db))
            .tls(self.tls)
            .ttl(match self.keys_ttl {
                Some(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                None => -1,
            });
        if let Some(u) = &self.username {
            o = o.username(u.clone());
        }
        if let Some(p) = &self.password {
            o = o.password(p.clone());
        }
        o
    }
}

impl fmt::Debug for RedisSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisSettings")
            .field("environment_prefix", &self.environment_prefix)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("db", &self.db)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("tls", &self.tls)
            .field("keys_ttl", &self.keys_ttl)
            .finish()
    }
}

/// The sidecar's configuration.
#[derive(Debug, Clone)]
pub struct SidecarConfig {
    /// The core client's configuration.
    pub stigg: StiggConfig,
    /// Address both servers bind to (`HOST`).
    pub host: IpAddr,
    /// gRPC port (`PORT`).
    pub port: u16,
    /// Health and metrics port (`HEALTH_PORT`).
    pub health_port: u16,
    /// Redis settings, when `REDIS_ENVIRONMENT_PREFIX` is set.
    pub redis: Option<RedisSettings>,
    /// `LOG_LEVEL`.
    pub log_level: LogLevel,
    /// `LOG_FORMAT`.
    pub log_format: LogFormat,
    /// `WORKER_THREADS`: runtime threads (`None`: one per CPU).
    pub worker_threads: Option<usize>,
}

impl SidecarConfig {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup` (variable name → value).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());

        let offline = parse_bool(&get, "OFFLINE")?.unwrap_or(false);
        let api_key = get("SERVER_API_KEY");
        if api_key.is_none() && !offline {
            return Err(ConfigError::new(
                "SERVER_API_KEY",
                "is required (set OFFLINE=true to run without Stigg)",
            ));
        }

        let mut b = StiggConfig::builder().read_env(false).offline(offline);
        if let Some(k) = api_key {
            b = b.api_key(k.trim());
        }
        if let Some(u) = get("API_URL") {
            b = b.base_uri(u);
        }
        if let Some(v) = parse_bool(&get, "EDGE_ENABLED")? {
            b = b.enable_edge(v);
        }
        if let Some(u) = get("EDGE_API_URL") {
            b = b.base_edge_uri(u);
        }
        if let Some(v) = parse_bool(&get, "WS_ENABLED")? {
            b = b.realtime_updates_enabled(v);
        }
        if let Some(u) = get("WS_URL") {
            b = b.ws_url(u);
        }
        if let Some(raw) = get("ENTITLEMENTS_FALLBACK") {
            b = b.entitlements_fallback(parse_fallbacks(&raw)?);
        }
        if let Some(n) = parse_num::<u64>(&get, "CACHE_MAX_SIZE_BYTES")? {
            if n == 0 {
                return Err(ConfigError::new(
                    "CACHE_MAX_SIZE_BYTES",
                    "must be greater than zero",
                ));
            }
            b = b.cache_max_size_bytes(n);
        }
        if let Some(ms) = parse_num::<u64>(&get, "ENTITLEMENTS_TIMEOUT_MS")? {
            if ms == 0 {
                return Err(ConfigError::new(
                    "ENTITLEMENTS_TIMEOUT_MS",
                    "must be greater than zero",
                ));
            }
            b = b.entitlements_timeout(Duration::from_millis(ms));
        }
        let redis = parse_redis(&get)?;
        if let Some(r) = &redis {
            b = b.redis(r.to_options());
        }
        let stigg = b.build().map_err(from_core)?;

        let host = match get("HOST") {
            Some(h) => h
                .trim()
                .parse::<IpAddr>()
                .map_err(|_| ConfigError::new("HOST", format!("`{h}` is not an IP address")))?,
            None => IpAddr::from([0, 0, 0, 0]),
        };
        let port = parse_num::<u16>(&get, "PORT")?.unwrap_or(DEFAULT_PORT);
        let health_port = parse_num::<u16>(&get, "HEALTH_PORT")?.unwrap_or(DEFAULT_HEALTH_PORT);
        if port != 0 && port == health_port {
            return Err(ConfigError::new(
                "HEALTH_PORT",
                format!("must differ from PORT ({port})"),
            ));
        }

        let log_level = match get("LOG_LEVEL").map(|v| v.trim().to_ascii_lowercase()) {
            None => LogLevel::Info,
            Some(v) => match v.as_str() {
                "error" => LogLevel::Error,
                "warn" | "warning" => LogLevel::Warn,
                "info" => LogLevel::Info,
                "debug" => LogLevel::Debug,
                "trace" => LogLevel::Trace,
                _ => {
                    return Err(ConfigError::new(
                        "LOG_LEVEL",
                        format!("`{v}` is not one of error, warn, info, debug, trace"),
                    ))
                }
            },
        };
        let log_format = match get("LOG_FORMAT").map(|v| v.trim().to_ascii_lowercase()) {
            None => LogFormat::Text,
            Some(v) if v == "text" => LogFormat::Text,
            Some(v) if v == "json" => LogFormat::Json,
            Some(v) => {
                return Err(ConfigError::new(
                    "LOG_FORMAT",
                    format!("`{v}` is not one of text, json"),
                ))
            }
        };

        let worker_threads = match parse_num::<usize>(&get, "WORKER_THREADS")? {
            Some(0) => return Err(ConfigError::new("WORKER_THREADS", "must be at least 1")),
            n => n,
        };

        Ok(SidecarConfig {
            stigg,
            worker_threads,
            host,
            port,
            health_port,
            redis,
            log_level,
            log_format,
        })
    }
}

/// Maps a core configuration error (named after Stigg's option) to the environment variable.
fn from_core(e: CoreConfigError) -> ConfigError {
    let var = match e.option {
        "apiKey" => "SERVER_API_KEY",
        "baseUri" => "API_URL",
        "baseEdgeUri" => "EDGE_API_URL",
        "wsUrl" => "WS_URL",
        "entitlementsFallback" => "ENTITLEMENTS_FALLBACK",
        "cacheMaxSizeBytes" => "CACHE_MAX_SIZE_BYTES",
        "entitlementsTimeout" => "ENTITLEMENTS_TIMEOUT_MS",
        "redis.environmentPrefix" => "REDIS_ENVIRONMENT_PREFIX",
        "redis.ttl" => "REDIS_KEYS_TTL_IN_SECS",
        "redis.host" | "redis.url" => "REDIS_HOST",
        "redis.port" => "REDIS_PORT",
        "redis.db" => "REDIS_DB",
        "redis.username" => "REDIS_USERNAME",
        "redis.password" => "REDIS_PASSWORD",
        "redis.tls" => "REDIS_TLS",
        o if o.starts_with("redis") => "REDIS_*",
        _ => "configuration",
    };
    ConfigError::new(var, e.reason)
}

fn parse_bool(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
) -> Result<Option<bool>, ConfigError> {
    let Some(raw) = get(var) else {
        return Ok(None);
    };
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(Some(true)),
        "false" | "0" | "no" | "off" => Ok(Some(false)),
        _ => Err(ConfigError::new(
            var,
            format!("`{raw}` is not a boolean (true/false, 1/0)"),
        )),
    }
}

fn parse_num<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
) -> Result<Option<T>, ConfigError> {
    let Some(raw) = get(var) else {
        return Ok(None);
    };
    raw.trim().parse::<T>().map(Some).map_err(|_| {
        ConfigError::new(
            var,
            format!(
                "`{raw}` is not a valid {}",
                std::any::type_name::<T>()
                    .rsplit("::")
                    .next()
                    .unwrap_or("number")
            ),
        )
    })
}

/// Parses `ENTITLEMENTS_FALLBACK`: a JSON object, featureId → fallback.
pub fn parse_fallbacks(raw: &str) -> Result<HashMap<String, EntitlementFallback>, ConfigError> {
    serde_json::from_str::<HashMap<String, EntitlementFallback>>(raw).map_err(|e| {
        ConfigError::new(
            "ENTITLEMENTS_FALLBACK",
            format!(
                "must be a JSON object of featureId → {{hasAccess, usageLimit?, isUnlimited?, value?, enumValues?}}: {e}"
            ),
        )
    })
}

fn parse_redis(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<Option<RedisSettings>, ConfigError> {
    // Validate every REDIS_* variable that is set, even without a prefix, so mistakes show early.
    let host = get("REDIS_HOST").unwrap_or_else(|| String::from("localhost"));
    let port = parse_num::<u16>(get, "REDIS_PORT")?.unwrap_or(6379);
    if port == 0 {
        return Err(ConfigError::new(
            "REDIS_PORT",
            "must be between 1 and 65535",
        ));
    }
    let db = parse_num::<u32>(get, "REDIS_DB")?.unwrap_or(0);
    let tls = parse_bool(get, "REDIS_TLS")?.unwrap_or(false);
    let ttl =
        parse_num::<i64>(get, "REDIS_KEYS_TTL_IN_SECS")?.unwrap_or(DEFAULT_REDIS_KEYS_TTL_SECS);
    let keys_ttl = match ttl {
        -1 => None,
        n if n > 0 => Some(Duration::from_secs(n.unsigned_abs())),
        n => {
            return Err(ConfigError::new(
                "REDIS_KEYS_TTL_IN_SECS",
                format!("must be a positive number of seconds or -1 (no expiry), got {n}"),
            ))
        }
    };
    let Some(environment_prefix) = get("REDIS_ENVIRONMENT_PREFIX") else {
        return Ok(None);
    };
    Ok(Some(RedisSettings {
        environment_prefix,
        host,
        port,
        db,
        username: get("REDIS_USERNAME"),
        password: get("REDIS_PASSWORD"),
        tls,
        keys_ttl,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(vars: &[(&str, &str)]) -> Result<SidecarConfig, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        SidecarConfig::from_lookup(|k| map.get(k).cloned())
    }

    fn err_var(vars: &[(&str, &str)]) -> &'static str {
        match cfg(vars) {
            Err(e) => e.var,
            Ok(_) => "<none>",
        }
    }

    #[test]
    fn defaults_with_only_an_api_key() {
        let c = cfg(&[("SERVER_API_KEY", "k")]).unwrap();
        assert_eq!(c.port, 80);
        assert_eq!(c.health_port, 8080);
        assert_eq!(c.host, IpAddr::from([0, 0, 0, 0]));
        assert_eq!(c.stigg.api_key.expose(), "k");
        assert_eq!(c.stigg.base_uri, "https://api.stigg.io");
        assert_eq!(c.stigg.base_edge_uri, "https://edge.api.stigg.io");
        assert_eq!(c.stigg.ws_url, "wss://api.stigg.io");
        assert!(c.stigg.enable_edge);
        assert!(c.stigg.realtime_updates_enabled);
        assert!(!c.stigg.offline);
        assert!(c.redis.is_none());
        assert_eq!(c.log_level, LogLevel::Info);
        assert_eq!(c.log_format, LogFormat::Text);
    }

    #[test]
    fn api_key_is_required_unless_offline() {
        assert_eq!(err_var(&[]), "SERVER_API_KEY");
        assert_eq!(err_var(&[("SERVER_API_KEY", "  ")]), "SERVER_API_KEY");
        let c = cfg(&[("OFFLINE", "true")]).unwrap();
        assert!(c.stigg.offline);
    }

    #[test]
    fn every_variable_is_read() {
        let c = cfg(&[
            ("SERVER_API_KEY", "server-key"),
            ("API_URL", "http://127.0.0.1:4000"),
            ("EDGE_ENABLED", "false"),
            ("EDGE_API_URL", "http://127.0.0.1:4001"),
            ("WS_ENABLED", "0"),
            ("WS_URL", "ws://127.0.0.1:4002"),
            ("ENTITLEMENTS_FALLBACK", r#"{"f1":{"hasAccess":true,"usageLimit":5},"f2":{"hasAccess":false,"enumValues":["a"]}}"#),
            ("CACHE_MAX_SIZE_BYTES", "1048576"),
            ("PORT", "50051"),
            ("HEALTH_PORT", "0"),
            ("HOST", "127.0.0.1"),
            ("LOG_LEVEL", "DEBUG"),
            ("LOG_FORMAT", "json"),
            ("ENTITLEMENTS_TIMEOUT_MS", "1500"),
            ("WORKER_THREADS", "3"),
        ])
        .unwrap();
        assert_eq!(c.stigg.base_uri, "http://127.0.0.1:4000");
        assert!(!c.stigg.enable_edge);
        assert_eq!(c.stigg.base_edge_uri, "http://127.0.0.1:4001");
        assert!(!c.stigg.realtime_updates_enabled);
        assert_eq!(c.stigg.ws_url, "ws://127.0.0.1:4002");
        let fb = &c.stigg.fallbacks.entitlements_fallback;
        assert_eq!(fb.len(), 2);
        assert!(fb["f1"].has_access);
        assert_eq!(fb["f1"].usage_limit, Some(5.0));
        assert_eq!(fb["f2"].enum_values, Some(vec![String::from("a")]));
        assert_eq!(c.stigg.cache_max_size_bytes, 1_048_576);
        assert_eq!(c.port, 50051);
        assert_eq!(c.health_port, 0);
        assert_eq!(c.host, IpAddr::from([127, 0, 0, 1]));
        assert_eq!(c.log_level, LogLevel::Debug);
        assert_eq!(c.log_format, LogFormat::Json);
        assert_eq!(c.stigg.entitlements_timeout, Duration::from_millis(1500));
        assert_eq!(c.worker_threads, Some(3));
    }

    #[test]
    fn derived_edge_and_ws_urls_follow_api_url() {
        let c = cfg(&[
            ("SERVER_API_KEY", "k"),
            ("API_URL", "https://api.example.com"),
        ])
        .unwrap();
        assert_eq!(c.stigg.base_edge_uri, "https://edge.api.example.com");
        assert_eq!(c.stigg.ws_url, "wss://api.example.com");
    }

    #[test]
    fn bad_values_name_their_variable() {
        let k = ("SERVER_API_KEY", "k");
        assert_eq!(err_var(&[k, ("API_URL", "not a url")]), "API_URL");
        assert_eq!(err_var(&[k, ("API_URL", "ftp://x")]), "API_URL");
        assert_eq!(err_var(&[k, ("EDGE_API_URL", "::")]), "EDGE_API_URL");
        assert_eq!(err_var(&[k, ("WS_URL", "nope")]), "WS_URL");
        assert_eq!(err_var(&[k, ("EDGE_ENABLED", "maybe")]), "EDGE_ENABLED");
        assert_eq!(err_var(&[k, ("WS_ENABLED", "2")]), "WS_ENABLED");
        assert_eq!(err_var(&[k, ("OFFLINE", "sure")]), "OFFLINE");
        assert_eq!(err_var(&[k, ("PORT", "70000")]), "PORT");
        assert_eq!(err_var(&[k, ("PORT", "-1")]), "PORT");
        assert_eq!(err_var(&[k, ("HEALTH_PORT", "http")]), "HEALTH_PORT");
        assert_eq!(
            err_var(&[k, ("PORT", "9000"), ("HEALTH_PORT", "9000")]),
            "HEALTH_PORT"
        );
        assert_eq!(err_var(&[k, ("HOST", "localhost:80")]), "HOST");
        assert_eq!(
            err_var(&[k, ("CACHE_MAX_SIZE_BYTES", "lots")]),
            "CACHE_MAX_SIZE_BYTES"
        );
        assert_eq!(
            err_var(&[k, ("CACHE_MAX_SIZE_BYTES", "0")]),
            "CACHE_MAX_SIZE_BYTES"
        );
        assert_eq!(
            err_var(&[k, ("ENTITLEMENTS_FALLBACK", "[1,2]")]),
            "ENTITLEMENTS_FALLBACK"
        );
        assert_eq!(
            err_var(&[k, ("ENTITLEMENTS_FALLBACK", r#"{"f":{"hasAccess":"yes"}}"#)]),
            "ENTITLEMENTS_FALLBACK"
        );
        assert_eq!(err_var(&[k, ("LOG_LEVEL", "loud")]), "LOG_LEVEL");
        assert_eq!(err_var(&[k, ("LOG_FORMAT", "xml")]), "LOG_FORMAT");
        assert_eq!(
            err_var(&[k, ("ENTITLEMENTS_TIMEOUT_MS", "0")]),
            "ENTITLEMENTS_TIMEOUT_MS"
        );
        assert_eq!(err_var(&[k, ("WORKER_THREADS", "0")]), "WORKER_THREADS");
    }

    #[test]
    fn error_message_names_the_variable() {
        let e = cfg(&[("SERVER_API_KEY", "k"), ("PORT", "x")])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("PORT"), "{e}");
    }

    #[test]
    fn redis_variables_are_validated() {
        let k = ("SERVER_API_KEY", "k");
        assert_eq!(err_var(&[k, ("REDIS_PORT", "x")]), "REDIS_PORT");
        assert_eq!(err_var(&[k, ("REDIS_PORT", "0")]), "REDIS_PORT");
        assert_eq!(err_var(&[k, ("REDIS_DB", "-1")]), "REDIS_DB");
        assert_eq!(err_var(&[k, ("REDIS_TLS", "tls")]), "REDIS_TLS");
        assert_eq!(
            err_var(&[k, ("REDIS_KEYS_TTL_IN_SECS", "0")]),
            "REDIS_KEYS_TTL_IN_SECS"
        );
        assert_eq!(
            err_var(&[k, ("REDIS_KEYS_TTL_IN_SECS", "-2")]),
            "REDIS_KEYS_TTL_IN_SECS"
        );

        assert!(cfg(&[k]).unwrap().stigg.redis.is_none());
        let c = cfg(&[k, ("REDIS_ENVIRONMENT_PREFIX", "prod")]).unwrap();
        let o = c.stigg.redis.clone().unwrap();
        assert_eq!(o.ttl, 604_800);
        assert_eq!(o.host.as_deref(), Some("localhost"));
        let r = c.redis.unwrap();
        assert_eq!(r.host, "localhost");
        assert_eq!(r.port, 6379);
        assert_eq!(r.db, 0);
        assert!(!r.tls);
        assert_eq!(r.keys_ttl, Some(Duration::from_secs(604_800)));

        let c = cfg(&[
            k,
            ("REDIS_ENVIRONMENT_PREFIX", "prod"),
            ("REDIS_HOST", "redis.internal"),
            ("REDIS_PORT", "6380"),
            ("REDIS_DB", "3"),
            ("REDIS_USERNAME", "u"),
            ("REDIS_PASSWORD", "secret"),
            ("REDIS_TLS", "1"),
            ("REDIS_KEYS_TTL_IN_SECS", "-1"),
        ])
        .unwrap();
        let o = c.stigg.redis.clone().unwrap();
        assert_eq!(o.environment_prefix, "prod");
        assert_eq!(o.host.as_deref(), Some("redis.internal"));
        assert_eq!(o.port, Some(6380));
        assert_eq!(o.db, Some(3));
        assert_eq!(o.username.as_deref(), Some("u"));
        assert_eq!(o.password.as_deref(), Some("secret"));
        assert!(o.tls);
        assert_eq!(o.ttl, -1);
        let r = c.redis.unwrap();
        assert_eq!(r.host, "redis.internal");
        assert_eq!(r.port, 6380);
        assert_eq!(r.db, 3);
        assert!(r.tls);
        assert_eq!(r.keys_ttl, None);
        let dbg = format!("{r:?}");
        assert!(!dbg.contains("secret"), "{dbg}");
    }

    #[test]
    fn api_key_never_reaches_debug_output() {
        let c = cfg(&[("SERVER_API_KEY", "very-secret-key")]).unwrap();
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("very-secret-key"), "{dbg}");
    }
}
