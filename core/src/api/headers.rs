//! The identification headers of every request (spec §1.2).
//!
//! `X-SDK-OS-PROCESS-TIMESTAMP` is taken when this module is first used (the Node SDK takes it when the
//! SDK module is loaded), and the fingerprint is the md5 of `hostname + pid + timestamp`, as in Node.

use std::sync::OnceLock;

use md5::{Digest, Md5};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::error::{ConfigError, Result};

/// The `source` header value. Stigg's `SourceType` enum has `NODE_SERVER_SDK`; this SDK names itself.
pub const SDK_SOURCE: &str = "STIGG_NATIVE_SDK";
/// The client name sent as `apollographql-client-name`.
pub const SDK_NAME: &str = "stigg-native";
/// This SDK's version.
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

struct ProcessInfo {
    hostname: String,
    pid: u32,
    timestamp: i64,
    fingerprint: String,
}

fn process_info() -> &'static ProcessInfo {
    static INFO: OnceLock<ProcessInfo> = OnceLock::new();
    INFO.get_or_init(|| {
        let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| String::from("unknown"));
        let pid = std::process::id();
        let timestamp = crate::clock::Clock::now_millis(&crate::clock::SystemClock);
        let digest = Md5::digest(format!("{hostname}{pid}{timestamp}").as_bytes());
        let fingerprint = digest.iter().map(|b| format!("{b:02x}")).collect();
        ProcessInfo {
            hostname,
            pid,
            timestamp,
            fingerprint,
        }
    })
}

/// The headers shared by GraphQL, Edge and WebSocket (`connection_init`) requests.
pub fn sdk_headers(api_key: &str, instance_id: &str) -> Vec<(&'static str, String)> {
    let p = process_info();
    vec![
        ("X-API-KEY", api_key.to_owned()),
        ("source", SDK_SOURCE.to_owned()),
        ("X-SDK-INSTANCE-ID", instance_id.to_owned()),
        ("X-SDK-OS-PROCESS-HOSTNAME", p.hostname.clone()),
        ("X-SDK-OS-PROCESS-ID", p.pid.to_string()),
        ("X-SDK-OS-PROCESS-TIMESTAMP", p.timestamp.to_string()),
        ("X-SDK-OS-PROCESS-FINGERPRINT", p.fingerprint.clone()),
        ("apollographql-client-name", SDK_NAME.to_owned()),
        ("apollographql-client-version", SDK_VERSION.to_owned()),
    ]
}

/// [`sdk_headers`] as a reqwest header map; fails when the API key is not a valid header value.
pub fn header_map(api_key: &str, instance_id: &str) -> Result<HeaderMap> {
    let mut map = HeaderMap::new();
    for (name, value) in sdk_headers(api_key, instance_id) {
        let mut value = HeaderValue::from_str(&value).map_err(|_| {
            ConfigError::new(
                "apiKey",
                "contains characters that cannot be sent in a header",
            )
        })?;
        if name == "X-API-KEY" {
            value.set_sensitive(true);
        }
        map.insert(HeaderName::from_static(lower(name)), value);
    }
    Ok(map)
}

fn lower(name: &'static str) -> &'static str {
    match name {
        "X-API-KEY" => "x-api-key",
        "X-SDK-INSTANCE-ID" => "x-sdk-instance-id",
        "X-SDK-OS-PROCESS-HOSTNAME" => "x-sdk-os-process-hostname",
        "X-SDK-OS-PROCESS-ID" => "x-sdk-os-process-id",
        "X-SDK-OS-PROCESS-TIMESTAMP" => "x-sdk-os-process-timestamp",
        "X-SDK-OS-PROCESS-FINGERPRINT" => "x-sdk-os-process-fingerprint",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_md5_hex_of_the_parts() {
        let p = process_info();
        assert_eq!(p.fingerprint.len(), 32);
        let again = Md5::digest(format!("{}{}{}", p.hostname, p.pid, p.timestamp).as_bytes());
        let hex: String = again.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, p.fingerprint);
    }

    #[test]
    fn header_map_has_every_header_and_hides_the_key() {
        let map = match header_map("server-secret", "iid") {
            Ok(m) => m,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(map.len(), 9);
        assert_eq!(
            map.get("source").and_then(|v| v.to_str().ok()),
            Some(SDK_SOURCE)
        );
        assert!(map.get("x-api-key").is_some_and(|v| v.is_sensitive()));
        assert!(header_map("bad\nkey", "iid").is_err());
    }
}
