//! The emulator clock: real time plus an adjustable offset, used for every timestamp.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{TimeZone, Utc};

/// Milliseconds since the Unix epoch (UTC).
pub type Millis = i64;

/// Real time plus an offset that tests can advance (`POST /_emulator/clock/advance`).
#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    /// A clock with no offset.
    pub fn new() -> Self {
        Self::default()
    }

    /// Current emulator time.
    pub fn now(&self) -> Millis {
        Utc::now().timestamp_millis() + self.offset_ms.load(Ordering::SeqCst)
    }

    /// Current offset from real time.
    pub fn offset(&self) -> Millis {
        self.offset_ms.load(Ordering::SeqCst)
    }

    /// Move the clock forward (or backward, with a negative value).
    pub fn advance(&self, ms: Millis) {
        self.offset_ms.fetch_add(ms, Ordering::SeqCst);
    }

    /// Set the clock so that `now()` returns `to` (approximately, real time keeps running).
    pub fn set(&self, to: Millis) {
        self.offset_ms
            .store(to - Utc::now().timestamp_millis(), Ordering::SeqCst);
    }
}

/// ISO-8601 UTC text of a timestamp (`2024-01-31T10:00:00.000Z`).
pub fn iso(ms: Millis) -> String {
    match Utc.timestamp_millis_opt(ms).single() {
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        None => "1970-01-01T00:00:00.000Z".to_string(),
    }
}

/// Parse an ISO-8601 date-time (or an epoch-ms number given as text).
pub fn parse_iso(s: &str) -> Option<Millis> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(t.and_utc().timestamp_millis());
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc().timestamp_millis());
    }
    s.parse::<i64>().ok()
}

/// Parse a JSON date value: ISO string or epoch-ms number.
pub fn parse_json_time(v: &serde_json::Value) -> Option<Millis> {
    match v {
        serde_json::Value::String(s) => parse_iso(s),
        serde_json::Value::Number(n) => n.as_f64().map(|f| f as i64),
        _ => None,
    }
}
