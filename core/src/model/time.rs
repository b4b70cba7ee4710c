//! Timestamps on the wire.
//!
//! Stigg sends `DateTime` fields as ISO-8601 strings, but some legacy fields (`Entitlement.validUntil`,
//! `UsageMeasurementUpdated` periods) as epoch-millisecond floats. Internally every instant is epoch
//! milliseconds (`i64`, UTC). Parsers accept either form; serializers write the form of the field.

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use serde::{Deserialize, Deserializer, Serializer};

/// Epoch milliseconds, UTC.
pub type Millis = i64;

/// Parses an ISO-8601 / RFC 3339 instant into epoch milliseconds.
pub fn parse_iso(s: &str) -> Option<Millis> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.timestamp_millis());
    }
    // A naive date-time without offset is taken as UTC.
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc().timestamp_millis())
}

/// Formats epoch milliseconds like JavaScript's `Date.prototype.toISOString` (`2024-01-31T00:00:00.000Z`).
pub fn format_iso(ms: Millis) -> String {
    match Utc.timestamp_millis_opt(ms).single() {
        Some(dt) => dt.to_rfc3339_opts(SecondsFormat::Millis, true),
        None => String::from("Invalid Date"),
    }
}

/// A lenient instant as found on the wire: an ISO string, or an epoch-ms number.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawInstant {
    Text(String),
    Number(f64),
    Other(serde::de::IgnoredAny),
}

impl RawInstant {
    fn to_millis(&self) -> Option<Millis> {
        match self {
            RawInstant::Text(s) => {
                parse_iso(s).or_else(|| s.parse::<f64>().ok().and_then(float_millis))
            }
            RawInstant::Number(n) => float_millis(*n),
            RawInstant::Other(_) => None,
        }
    }
}

fn float_millis(n: f64) -> Option<Millis> {
    // ±8.64e15 ms is the range of a JavaScript Date.
    (n.is_finite() && n.abs() <= 8.64e15).then_some(n as Millis)
}

/// Serde helpers for optional instants written as ISO strings (`DateTime` fields).
pub mod iso_opt {
    use super::*;

    /// Deserializes an ISO string or epoch-ms number; `null`, absent or unparsable values become `None`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Millis>, D::Error> {
        let raw: Option<RawInstant> = Option::deserialize(d)?;
        Ok(raw.and_then(|r| r.to_millis()))
    }

    /// Serializes as an ISO string, or `null`.
    pub fn serialize<S: Serializer>(v: &Option<Millis>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(ms) => s.serialize_str(&format_iso(*ms)),
            None => s.serialize_none(),
        }
    }
}

/// Serde helpers for optional instants written as epoch-ms numbers (legacy `Float` fields).
pub mod epoch_opt {
    use super::*;

    /// Deserializes an ISO string or epoch-ms number; `null`, absent or unparsable values become `None`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Millis>, D::Error> {
        iso_opt::deserialize(d)
    }

    /// Serializes as an epoch-ms number, or `null`.
    pub fn serialize<S: Serializer>(v: &Option<Millis>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(ms) => s.serialize_i64(*ms),
            None => s.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_round_trip_matches_javascript() {
        let ms = parse_iso("2024-02-29T12:00:00Z");
        assert_eq!(ms, Some(1_709_208_000_000));
        assert_eq!(format_iso(1_709_208_000_000), "2024-02-29T12:00:00.000Z");
        assert_eq!(parse_iso("2024-02-29T12:00:00.000+00:00"), ms);
        assert_eq!(parse_iso("not a date"), None);
    }
}
