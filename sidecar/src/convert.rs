//! Translation between the gRPC messages of `stigg.sidecar.v1` and the core's types. No decisions
//! are made here (DESIGN principle 1): requests become core parameters, core results become messages.
//!
//! Mapping rules worth knowing:
//! * **Numeric `value` is `int32`** on the wire (spec §7.1). Core values are `f64`; they are truncated
//!   toward zero and saturated to `i32::MIN..=i32::MAX` (a limit of `1e10` reads `2147483647`); NaN
//!   becomes absent. Per-call `int32` fallback values widen losslessly.
//! * **Presence**: proto3 `optional` fields keep their presence both ways: `requested_usage = 0.0`
//!   reaches the core as `Some(0.0)`, and `has_soft_limit = false` is sent as present-and-false.
//!   Repeated fields cannot say "absent": an empty `requested_values`/`enum_values` is taken as
//!   not given (so a generic `GetEntitlement` without values is not typed ENUM).
//! * Feature `units`/`units_plural` are absent when Stigg has none (the core keeps `""`).
//! * Enum values the proto does not know map to `*_UNSPECIFIED`, except access-denied reasons, which
//!   map to `ACCESS_DENIED_REASON_UNKNOWN`.
//! * Timestamps are epoch milliseconds in the core and `google.protobuf.Timestamp` on the wire.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use stigg_core::eval::EntitlementOptions;
use stigg_core::model::usage::{
    DimensionValue, Dimensions, ReportEvent, ReportUsage, ReportUsageAck,
};
use stigg_core::model::{self as cm, Millis};
use stigg_core::StiggError;
use tonic::{Code, Status};

use crate::pb;

// ---------------------------------------------------------------------------------------------
// Scalars and enums
// ---------------------------------------------------------------------------------------------

/// Core `f64` → proto `int32`: truncated toward zero, saturated to the `i32` range; NaN → absent.
pub fn to_int32(v: f64) -> Option<i32> {
    if v.is_nan() {
        None
    } else {
        // `as` truncates toward zero and saturates at the bounds (and maps ±inf to them).
        Some(v as i32)
    }
}

/// Epoch milliseconds → `Timestamp`.
pub fn to_timestamp(ms: Millis) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: ms.div_euclid(1000),
        nanos: (ms.rem_euclid(1000) * 1_000_000) as i32,
    }
}

/// `Timestamp` → epoch milliseconds (sub-millisecond precision is dropped).
pub fn from_timestamp(ts: &prost_types::Timestamp) -> Millis {
    ts.seconds
        .saturating_mul(1000)
        .saturating_add(i64::from(ts.nanos.clamp(0, 999_999_999)) / 1_000_000)
}

/// Core reason → proto reason (unknown reasons → `UNKNOWN`).
pub fn access_denied_reason(r: &cm::AccessDeniedReason) -> pb::AccessDeniedReason {
    use cm::AccessDeniedReason as C;
    use pb::AccessDeniedReason as P;
    match r {
        C::Unknown => P::Unknown,
        C::CustomerIsArchived => P::CustomerIsArchived,
        C::CustomerNotFound => P::CustomerNotFound,
        C::CustomerResourceNotFound => P::CustomerResourceNotFound,
        C::FeatureNotFound => P::FeatureNotFound,
        C::NoActiveSubscription => P::NoActiveSubscription,
        C::NoFeatureEntitlementInSubscription => P::NoFeatureEntitlementInSubscription,
        C::RequestedUsageExceedingLimit => P::RequestedUsageExceedingLimit,
        C::BudgetExceeded => P::BudgetExceeded,
        C::RequestedValuesMismatch => P::RequestedValuesMismatch,
        C::FeatureTypeMismatch => P::FeatureTypeMismatch,
        C::InsufficientCredits => P::InsufficientCredits,
        C::Revoked => P::Revoked,
        C::EntitlementNotFound => P::EntitlementNotFound,
        _ => P::Unknown,
    }
}

fn reason_opt(r: &Option<cm::AccessDeniedReason>) -> Option<i32> {
    r.as_ref().map(|r| access_denied_reason(r) as i32)
}

fn state_reason_opt(r: &Option<cm::EntitlementsStateAccessDeniedReason>) -> Option<i32> {
    r.as_ref()
        .map(|r| access_denied_reason(&r.to_access_denied_reason()) as i32)
}

fn feature_type(t: &cm::FeatureType) -> pb::FeatureType {
    match t {
        cm::FeatureType::Boolean => pb::FeatureType::Boolean,
        cm::FeatureType::Number => pb::FeatureType::Number,
        cm::FeatureType::Enum => pb::FeatureType::Enum,
        _ => pb::FeatureType::Unspecified,
    }
}

fn meter_type(t: &Option<cm::MeterType>) -> pb::MeterType {
    match t {
        Some(cm::MeterType::None) => pb::MeterType::None,
        Some(cm::MeterType::Fluctuating) => pb::MeterType::Fluctuating,
        Some(cm::MeterType::Incremental) => pb::MeterType::Incremental,
        _ => pb::MeterType::Unspecified,
    }
}

fn reset_period(p: &cm::EntitlementResetPeriod) -> pb::EntitlementResetPeriod {
    use cm::EntitlementResetPeriod as C;
    use pb::EntitlementResetPeriod as P;
    match p {
        C::Day => P::Day,
        C::Hour => P::Hour,
        C::Month => P::Month,
        C::Week => P::Week,
        C::Year => P::Year,
        _ => P::Unspecified,
    }
}

fn update_behavior(v: Option<i32>) -> Option<cm::UsageUpdateBehavior> {
    match v.and_then(|v| pb::UsageUpdateBehavior::try_from(v).ok()) {
        Some(pb::UsageUpdateBehavior::Delta) => Some(cm::UsageUpdateBehavior::Delta),
        Some(pb::UsageUpdateBehavior::Set) => Some(cm::UsageUpdateBehavior::Set),
        _ => None,
    }
}

fn non_empty(v: Vec<String>) -> Option<Vec<String>> {
    if v.is_empty() {
        None
    } else {
        Some(v)
    }
}

fn non_empty_str(s: &str) -> Option<String> {
    if s.is_empty() {
        None
    } else {
        Some(s.to_owned())
    }
}

// ---------------------------------------------------------------------------------------------
// Requests → core
// ---------------------------------------------------------------------------------------------

/// `BooleanEntitlementFallback` → core fallback.
pub fn boolean_fallback(f: &pb::BooleanEntitlementFallback) -> cm::EntitlementFallback {
    cm::EntitlementFallback {
        has_access: f.has_access,
        ..Default::default()
    }
}

/// `NumericEntitlementFallback` → core fallback.
pub fn numeric_fallback(f: &pb::NumericEntitlementFallback) -> cm::EntitlementFallback {
    cm::EntitlementFallback {
        has_access: f.has_access,
        value: f.value.map(f64::from),
        is_unlimited: f.is_unlimited,
        ..Default::default()
    }
}

/// `MeteredEntitlementFallback` → core fallback.
pub fn metered_fallback(f: &pb::MeteredEntitlementFallback) -> cm::EntitlementFallback {
    cm::EntitlementFallback {
        has_access: f.has_access,
        usage_limit: f.usage_limit,
        is_unlimited: f.is_unlimited,
        ..Default::default()
    }
}

/// `EnumEntitlementFallback` → core fallback.
pub fn enum_fallback(f: &pb::EnumEntitlementFallback) -> cm::EntitlementFallback {
    cm::EntitlementFallback {
        has_access: f.has_access,
        enum_values: Some(f.enum_values.clone()),
        ..Default::default()
    }
}

/// `GetEntitlementFallback` (generic) → core feature fallback.
pub fn generic_fallback(f: &pb::GetEntitlementFallback) -> cm::EntitlementFallback {
    cm::EntitlementFallback {
        has_access: f.has_access,
        value: f.value.map(f64::from),
        is_unlimited: f.is_unlimited,
        usage_limit: f.usage_limit,
        enum_values: non_empty(f.enum_values.clone()),
    }
}

/// `GetEntitlementOptions` → core options. For a credit read (`GetEntitlementV2` with a
/// `currency_id`) the fallback's `has_access`/`usage_limit` become the credit fallback.
pub fn entitlement_options(o: Option<pb::GetEntitlementOptions>) -> EntitlementOptions {
    let Some(o) = o else {
        return EntitlementOptions::default();
    };
    let credit_fallback = o.fallback.as_ref().map(|f| cm::CreditEntitlementFallback {
        has_access: f.has_access,
        usage_limit: f.usage_limit,
        current_usage: None,
    });
    EntitlementOptions {
        requested_usage: o.requested_usage,
        requested_values: non_empty(o.requested_values),
        fallback: o.fallback.as_ref().map(generic_fallback),
        credit_fallback,
    }
}

fn dimensions(m: HashMap<String, pb::EventDimensionValue>) -> Result<Option<Dimensions>, Status> {
    if m.is_empty() {
        return Ok(None);
    }
    let mut out = BTreeMap::new();
    for (k, v) in m {
        use pb::event_dimension_value::Value;
        let v = match v.value {
            Some(Value::StringValue(s)) => DimensionValue::String(s),
            Some(Value::NumberValue(n)) => DimensionValue::Number(n),
            Some(Value::BooleanValue(b)) => DimensionValue::Bool(b),
            None => {
                return Err(Status::invalid_argument(format!(
                    "invalid argument `dimensions`: dimension `{k}` has no value"
                )))
            }
        };
        out.insert(k, v);
    }
    Ok(Some(out))
}

/// `ReportUsageRequest` → core `ReportUsage`.
pub fn report_usage(r: pb::ReportUsageRequest) -> Result<ReportUsage, Status> {
    Ok(ReportUsage {
        customer_id: r.customer_id,
        feature_id: r.feature_id,
        value: r.value,
        resource_id: r.resource_id,
        update_behavior: update_behavior(r.update_behavior),
        created_at: r.timestamp.as_ref().map(from_timestamp),
        dimensions: dimensions(r.dimensions)?,
        idempotency_key: None,
    })
}

/// `Event` → core `ReportEvent`.
pub fn report_event(e: pb::Event) -> Result<ReportEvent, Status> {
    Ok(ReportEvent {
        event_name: e.event_name,
        customer_id: e.customer_id,
        idempotency_key: e.idempotency_key,
        resource_id: e.resource_id,
        dimensions: dimensions(e.dimensions)?,
        timestamp: e.timestamp.as_ref().map(from_timestamp),
    })
}

// ---------------------------------------------------------------------------------------------
// Core results → responses
// ---------------------------------------------------------------------------------------------

fn feature(f: &Option<Arc<cm::FeatureInfo>>) -> Option<pb::EntitlementFeature> {
    f.as_deref().map(|f| pb::EntitlementFeature {
        id: f.id.clone(),
        feature_type: feature_type(&f.feature_type) as i32,
        units: non_empty_str(&f.units),
        units_plural: non_empty_str(&f.units_plural),
        meter_type: meter_type(&f.meter_type) as i32,
        is_metered: f.is_metered(),
    })
}

/// Core BOOLEAN result → `BooleanEntitlement`.
pub fn boolean_entitlement(e: &cm::BooleanEntitlement) -> pb::BooleanEntitlement {
    pb::BooleanEntitlement {
        feature: feature(&e.feature),
    }
}

/// Core NUMERIC result → `NumericEntitlement` (value saturated to `int32`).
pub fn numeric_entitlement(e: &cm::NumericEntitlement) -> pb::NumericEntitlement {
    pb::NumericEntitlement {
        feature: feature(&e.feature),
        value: e.value.and_then(to_int32),
        is_unlimited: e.is_unlimited,
    }
}

/// Core METERED result → `MeteredEntitlement` (`has_soft_limit` always present).
pub fn metered_entitlement(e: &cm::MeteredEntitlement) -> pb::MeteredEntitlement {
    #[allow(deprecated)]
    pb::MeteredEntitlement {
        feature: feature(&e.feature),
        usage_limit: e.usage_limit,
        is_unlimited: e.is_unlimited,
        current_usage: e.current_usage,
        reset_period: e.reset_period.as_ref().map(|p| reset_period(p) as i32),
        next_reset_date: e.next_reset_date.map(to_timestamp),
        usage_period_anchor: e.usage_period_anchor.map(to_timestamp),
        usage_period_start: e.usage_period_start.map(to_timestamp),
        usage_period_end: e.usage_period_end.map(to_timestamp),
        has_soft_limit: Some(e.has_soft_limit),
    }
}

/// Core ENUM result → `EnumEntitlement`.
pub fn enum_entitlement(e: &cm::EnumEntitlement) -> pb::EnumEntitlement {
    pb::EnumEntitlement {
        feature: feature(&e.feature),
        enum_values: e.enum_values.to_vec(),
    }
}

fn json_to_prost(v: &serde_json::Value) -> prost_types::Value {
    use prost_types::value::Kind;
    let kind = match v {
        serde_json::Value::Null => Kind::NullValue(0),
        serde_json::Value::Bool(b) => Kind::BoolValue(*b),
        serde_json::Value::Number(n) => Kind::NumberValue(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::String(s) => Kind::StringValue(s.clone()),
        serde_json::Value::Array(a) => Kind::ListValue(prost_types::ListValue {
            values: a.iter().map(json_to_prost).collect(),
        }),
        serde_json::Value::Object(o) => Kind::StructValue(json_object_to_struct(o)),
    };
    prost_types::Value { kind: Some(kind) }
}

fn json_object_to_struct(o: &serde_json::Map<String, serde_json::Value>) -> prost_types::Struct {
    prost_types::Struct {
        fields: o
            .iter()
            .map(|(k, v)| (k.clone(), json_to_prost(v)))
            .collect(),
    }
}

/// Core CREDIT result → `CreditEntitlement`.
pub fn credit_entitlement(e: &cm::CreditEntitlement) -> pb::CreditEntitlement {
    let c = &e.currency;
    pb::CreditEntitlement {
        currency: Some(pb::EntitlementCurrency {
            currency_id: c.currency_id.clone(),
            display_name: c.display_name.clone().unwrap_or_default(),
            description: c.description.clone(),
            unit_singular: c.unit_singular.clone(),
            unit_plural: c.unit_plural.clone(),
            additional_meta_data: match &c.metadata {
                Some(serde_json::Value::Object(o)) => Some(json_object_to_struct(o)),
                _ => None,
            },
        }),
        usage_limit: e.usage_limit,
        current_usage: e.current_usage,
        remaining: e.remaining,
        usage_period_end: e.usage_period_end.map(to_timestamp),
        has_soft_limit: e.has_soft_limit,
    }
}

/// `GetBooleanEntitlement` response.
pub fn boolean_response(e: &cm::BooleanEntitlement) -> pb::GetBooleanEntitlementResponse {
    pb::GetBooleanEntitlementResponse {
        has_access: e.has_access,
        is_fallback: e.is_fallback,
        access_denied_reason: reason_opt(&e.access_denied_reason),
        entitlement: Some(boolean_entitlement(e)),
    }
}

/// `GetNumericEntitlement` response.
pub fn numeric_response(e: &cm::NumericEntitlement) -> pb::GetNumericEntitlementResponse {
    pb::GetNumericEntitlementResponse {
        has_access: e.has_access,
        is_fallback: e.is_fallback,
        access_denied_reason: reason_opt(&e.access_denied_reason),
        entitlement: Some(numeric_entitlement(e)),
    }
}

/// `GetMeteredEntitlement` response.
pub fn metered_response(e: &cm::MeteredEntitlement) -> pb::GetMeteredEntitlementResponse {
    pb::GetMeteredEntitlementResponse {
        has_access: e.has_access,
        is_fallback: e.is_fallback,
        access_denied_reason: reason_opt(&e.access_denied_reason),
        requested_usage: e.requested_usage,
        entitlement: Some(metered_entitlement(e)),
    }
}

/// `GetEnumEntitlement` response.
pub fn enum_response(e: cm::EnumEntitlement) -> pb::GetEnumEntitlementResponse {
    pb::GetEnumEntitlementResponse {
        has_access: e.has_access,
        is_fallback: e.is_fallback,
        access_denied_reason: reason_opt(&e.access_denied_reason),
        entitlement: Some(enum_entitlement(&e)),
        requested_values: e.requested_values.unwrap_or_default(),
    }
}

/// A feature entitlement of any type → the `Entitlement` oneof message (`GetEntitlements`).
pub fn entitlement(e: &cm::Entitlement) -> pb::Entitlement {
    use pb::entitlement::Entitlement as E;
    pb::Entitlement {
        entitlement: Some(match e {
            cm::Entitlement::Boolean(x) => E::Boolean(boolean_entitlement(x)),
            cm::Entitlement::Numeric(x) => E::Numeric(numeric_entitlement(x)),
            cm::Entitlement::Metered(x) => E::Metered(metered_entitlement(x)),
            cm::Entitlement::Enum(x) => E::Enum(enum_entitlement(x)),
        }),
    }
}

fn reason_of(e: &cm::Entitlement) -> &Option<cm::AccessDeniedReason> {
    match e {
        cm::Entitlement::Boolean(x) => &x.access_denied_reason,
        cm::Entitlement::Numeric(x) => &x.access_denied_reason,
        cm::Entitlement::Metered(x) => &x.access_denied_reason,
        cm::Entitlement::Enum(x) => &x.access_denied_reason,
    }
}

/// `GetEntitlement` (generic) response.
pub fn generic_response(e: &cm::Entitlement) -> pb::GetEntitlementResponse {
    use pb::get_entitlement_response::Entitlement as E;
    pb::GetEntitlementResponse {
        has_access: e.has_access(),
        is_fallback: e.is_fallback(),
        access_denied_reason: reason_opt(reason_of(e)),
        entitlement: Some(match e {
            cm::Entitlement::Boolean(x) => E::Boolean(boolean_entitlement(x)),
            cm::Entitlement::Numeric(x) => E::Numeric(numeric_entitlement(x)),
            cm::Entitlement::Metered(x) => E::Metered(metered_entitlement(x)),
            cm::Entitlement::Enum(x) => E::Enum(enum_entitlement(x)),
        }),
    }
}

/// A feature or credit entitlement → `EntitlementV2`.
pub fn entitlement_v2(e: &cm::EntitlementV2) -> pb::EntitlementV2 {
    use pb::entitlement_v2::Entitlement as E;
    let (reason, inner) = match e {
        cm::EntitlementV2::Feature(f) => (
            reason_of(f),
            match f {
                cm::Entitlement::Boolean(x) => E::Boolean(boolean_entitlement(x)),
                cm::Entitlement::Numeric(x) => E::Numeric(numeric_entitlement(x)),
                cm::Entitlement::Metered(x) => E::Metered(metered_entitlement(x)),
                cm::Entitlement::Enum(x) => E::Enum(enum_entitlement(x)),
            },
        ),
        cm::EntitlementV2::Credit(c) => (&c.access_denied_reason, E::Credit(credit_entitlement(c))),
    };
    pb::EntitlementV2 {
        has_access: e.has_access(),
        is_fallback: e.is_fallback(),
        access_denied_reason: reason_opt(reason),
        entitlement: Some(inner),
    }
}

/// `GetEntitlementsStateV2` response.
pub fn state_v2_response(s: &cm::EntitlementsStateV2) -> pb::GetEntitlementsStateV2Response {
    pb::GetEntitlementsStateV2Response {
        entitlements: s.entitlements.iter().map(entitlement_v2).collect(),
        access_denied_reason: state_reason_opt(&s.access_denied_reason),
    }
}

/// `GetEntitlements` response: the feature entitlements of the customer's state (credit wallets
/// have no place in the legacy `Entitlement` oneof and are left out).
pub fn entitlements_response(s: &cm::EntitlementsStateV2) -> pb::GetEntitlementsResponse {
    pb::GetEntitlementsResponse {
        entitlements: s
            .entitlements
            .iter()
            .filter_map(|e| match e {
                cm::EntitlementV2::Feature(f) => Some(entitlement(f)),
                cm::EntitlementV2::Credit(_) => None,
            })
            .collect(),
        access_denied_reason: state_reason_opt(&s.access_denied_reason),
    }
}

/// Core usage acknowledgement → `ReportUsageResponse`.
pub fn report_usage_response(a: ReportUsageAck) -> pb::ReportUsageResponse {
    pb::ReportUsageResponse {
        measurement_id: a.measurement_id,
        customer_id: a.customer_id,
        resource_id: a.resource_id,
        feature_id: a.feature_id,
        current_usage: a.current_usage,
        usage_period_start: a.usage_period_start.map(to_timestamp),
        usage_period_end: a.usage_period_end.map(to_timestamp),
    }
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// Metadata key carrying Stigg's error code on a failed write.
pub const ERROR_CODE_METADATA: &str = "stigg-error-code";
/// Metadata key carrying Stigg's trace id on a failed write.
pub const TRACE_ID_METADATA: &str = "stigg-trace-id";

/// The gRPC code of a core error (write RPCs only; reads never fail):
///
/// | core error | gRPC code |
/// |---|---|
/// | `InvalidArgument`, `Config`, API codes `BadUserInput`, `InvalidArgument*`, `*Invalid*`, `GRAPHQL_VALIDATION_FAILED` | `INVALID_ARGUMENT` |
/// | API code `Unauthenticated` (bad `SERVER_API_KEY`) | `UNAUTHENTICATED` |
/// | API code `IdentityForbidden` | `PERMISSION_DENIED` |
/// | API codes ending in `NotFound` | `NOT_FOUND` |
/// | API codes `RateLimitExceeded`, `ThrottlerException` | `RESOURCE_EXHAUSTED` |
/// | API code `InvalidResponse` | `INTERNAL` |
/// | other API codes | `UNKNOWN` |
/// | `Timeout` | `DEADLINE_EXCEEDED` |
/// | `Network`, `Closed` | `UNAVAILABLE` |
pub fn status_code(e: &StiggError) -> Code {
    match e {
        StiggError::InvalidArgument { .. } | StiggError::Config(_) => Code::InvalidArgument,
        StiggError::Timeout { .. } => Code::DeadlineExceeded,
        StiggError::Network(_) | StiggError::Closed => Code::Unavailable,
        StiggError::Api { .. } => {
            let code = e.code();
            match code {
                "Unauthenticated" => Code::Unauthenticated,
                "IdentityForbidden" => Code::PermissionDenied,
                "RateLimitExceeded" | "ThrottlerException" => Code::ResourceExhausted,
                "InvalidResponse" => Code::Internal,
                "BadUserInput" | "GRAPHQL_VALIDATION_FAILED" => Code::InvalidArgument,
                c if c.ends_with("NotFound") => Code::NotFound,
                c if c.starts_with("InvalidArgument") || c.contains("Invalid") => {
                    Code::InvalidArgument
                }
                _ => Code::Unknown,
            }
        }
        _ => Code::Unknown,
    }
}

/// A core error → a gRPC status with the error's message, and Stigg's code and trace id in the
/// `stigg-error-code` / `stigg-trace-id` trailers.
pub fn status(e: &StiggError) -> Status {
    let mut s = Status::new(status_code(e), e.to_string());
    let md = s.metadata_mut();
    if let Ok(v) = e.code().parse() {
        md.insert(ERROR_CODE_METADATA, v);
    }
    if let Some(Ok(v)) = e.trace_id().map(str::parse) {
        md.insert(TRACE_ID_METADATA, v);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use cm::{AccessDeniedReason as R, FeatureInfo, FeatureType, MeterType};

    fn metered_feature() -> Arc<FeatureInfo> {
        Arc::new(FeatureInfo {
            id: "feature-api-calls".into(),
            feature_type: FeatureType::Number,
            meter_type: Some(MeterType::Incremental),
            units: "call".into(),
            units_plural: "".into(),
            display_name: None,
            description: None,
            unit_transformation: None,
        })
    }

    #[test]
    fn int32_values_truncate_and_saturate() {
        assert_eq!(to_int32(5.0), Some(5));
        assert_eq!(to_int32(5.9), Some(5));
        assert_eq!(to_int32(-5.9), Some(-5));
        assert_eq!(to_int32(1e10), Some(i32::MAX));
        assert_eq!(to_int32(-1e10), Some(i32::MIN));
        assert_eq!(to_int32(f64::INFINITY), Some(i32::MAX));
        assert_eq!(to_int32(f64::NAN), None);
        assert_eq!(to_int32(2_147_483_647.0), Some(i32::MAX));
    }

    #[test]
    fn timestamps_round_trip_including_before_1970() {
        for ms in [0, 1, 999, 1_700_000_000_123, -1, -1001] {
            let ts = to_timestamp(ms);
            assert!((0..1_000_000_000).contains(&ts.nanos));
            assert_eq!(from_timestamp(&ts), ms);
        }
        assert_eq!(
            to_timestamp(-1),
            prost_types::Timestamp {
                seconds: -1,
                nanos: 999_000_000
            }
        );
    }

    #[test]
    fn every_access_denied_reason_maps_to_its_proto_value() {
        let pairs = [
            (R::Unknown, 1),
            (R::CustomerIsArchived, 2),
            (R::CustomerNotFound, 3),
            (R::CustomerResourceNotFound, 4),
            (R::FeatureNotFound, 5),
            (R::NoActiveSubscription, 6),
            (R::NoFeatureEntitlementInSubscription, 7),
            (R::RequestedUsageExceedingLimit, 8),
            (R::BudgetExceeded, 9),
            (R::RequestedValuesMismatch, 10),
            (R::FeatureTypeMismatch, 11),
            (R::InsufficientCredits, 12),
            (R::Revoked, 13),
            (R::EntitlementNotFound, 14),
        ];
        assert_eq!(pairs.len(), R::KNOWN.len());
        for (r, n) in pairs {
            assert_eq!(access_denied_reason(&r) as i32, n, "{r:?}");
        }
        assert_eq!(
            access_denied_reason(&R::from_wire("SomethingNew")),
            pb::AccessDeniedReason::Unknown
        );
    }

    #[test]
    fn reset_periods_follow_the_proto_order() {
        use cm::EntitlementResetPeriod as P;
        assert_eq!(reset_period(&P::Day) as i32, 1);
        assert_eq!(reset_period(&P::Hour) as i32, 2);
        assert_eq!(reset_period(&P::Month) as i32, 3);
        assert_eq!(reset_period(&P::Week) as i32, 4);
        assert_eq!(reset_period(&P::Year) as i32, 5);
    }

    #[test]
    fn metered_result_keeps_presence_of_soft_limit_and_periods() {
        let e = cm::MeteredEntitlement {
            has_access: false,
            is_fallback: false,
            access_denied_reason: Some(R::RequestedUsageExceedingLimit),
            feature: Some(metered_feature()),
            usage_limit: Some(1000.0),
            is_unlimited: false,
            has_soft_limit: false,
            current_usage: 999.0,
            requested_usage: 2.0,
            reset_period: Some(cm::EntitlementResetPeriod::Month),
            usage_period_anchor: Some(1_000),
            usage_period_start: Some(2_000),
            usage_period_end: Some(3_000),
            next_reset_date: Some(3_000),
        };
        let r = metered_response(&e);
        assert!(!r.has_access);
        assert!(!r.is_fallback);
        assert_eq!(
            r.access_denied_reason,
            Some(pb::AccessDeniedReason::RequestedUsageExceedingLimit as i32)
        );
        assert_eq!(r.requested_usage, 2.0);
        let m = r.entitlement.unwrap_or_default();
        assert_eq!(m.has_soft_limit, Some(false));
        assert_eq!(m.usage_limit, Some(1000.0));
        assert_eq!(m.current_usage, 999.0);
        assert_eq!(
            m.reset_period,
            Some(pb::EntitlementResetPeriod::Month as i32)
        );
        assert_eq!(m.usage_period_start, Some(to_timestamp(2_000)));
        assert_eq!(m.usage_period_end, Some(to_timestamp(3_000)));
        assert_eq!(m.usage_period_anchor, Some(to_timestamp(1_000)));
        let f = m.feature.clone().unwrap_or_default();
        assert_eq!(f.id, "feature-api-calls");
        assert_eq!(f.feature_type, pb::FeatureType::Number as i32);
        assert_eq!(f.meter_type, pb::MeterType::Incremental as i32);
        assert!(f.is_metered);
        assert_eq!(f.units.as_deref(), Some("call"));
        assert_eq!(f.units_plural, None);

        // Encoded, a present `false` is on the wire (field 14, varint 0): 0x70 0x00.
        let bytes = prost::Message::encode_to_vec(&m);
        assert!(bytes.windows(2).any(|w| w == [0x70, 0x00]), "{bytes:?}");
    }

    #[test]
    fn numeric_value_is_saturated() {
        let e = cm::NumericEntitlement {
            has_access: true,
            is_fallback: false,
            access_denied_reason: None,
            feature: None,
            value: Some(3e9),
            is_unlimited: false,
        };
        let r = numeric_response(&e);
        assert_eq!(r.access_denied_reason, None);
        assert_eq!(r.entitlement.unwrap_or_default().value, Some(i32::MAX));
    }

    #[test]
    fn options_keep_presence_and_drop_empty_repeated_fields() {
        let o = entitlement_options(Some(pb::GetEntitlementOptions {
            fallback: Some(pb::GetEntitlementFallback {
                has_access: true,
                value: Some(7),
                is_unlimited: None,
                usage_limit: Some(10.0),
                enum_values: vec![],
            }),
            requested_usage: Some(0.0),
            requested_values: vec![],
        }));
        assert_eq!(o.requested_usage, Some(0.0));
        assert_eq!(o.requested_values, None);
        let fb = o.fallback.unwrap_or_default();
        assert!(fb.has_access);
        assert_eq!(fb.value, Some(7.0));
        assert_eq!(fb.usage_limit, Some(10.0));
        assert_eq!(fb.enum_values, None);
        let cfb = o.credit_fallback.unwrap_or_default();
        assert!(cfb.has_access);
        assert_eq!(cfb.usage_limit, Some(10.0));

        assert_eq!(entitlement_options(None), EntitlementOptions::default());
    }

    #[test]
    fn typed_fallbacks_map_their_fields() {
        let n = numeric_fallback(&pb::NumericEntitlementFallback {
            has_access: true,
            value: Some(-3),
            is_unlimited: Some(false),
        });
        assert_eq!(
            (n.has_access, n.value, n.is_unlimited),
            (true, Some(-3.0), Some(false))
        );
        let m = metered_fallback(&pb::MeteredEntitlementFallback {
            has_access: true,
            usage_limit: Some(5.0),
            is_unlimited: None,
        });
        assert_eq!((m.usage_limit, m.is_unlimited), (Some(5.0), None));
        let e = enum_fallback(&pb::EnumEntitlementFallback {
            has_access: false,
            enum_values: vec!["us".into()],
        });
        assert_eq!(e.enum_values, Some(vec![String::from("us")]));
        assert!(boolean_fallback(&pb::BooleanEntitlementFallback { has_access: true }).has_access);
    }

    #[test]
    fn report_usage_maps_every_field() {
        use pb::event_dimension_value::Value;
        let mut dims = HashMap::new();
        dims.insert(
            "region".to_string(),
            pb::EventDimensionValue {
                value: Some(Value::StringValue("eu".into())),
            },
        );
        dims.insert(
            "n".to_string(),
            pb::EventDimensionValue {
                value: Some(Value::NumberValue(2.5)),
            },
        );
        dims.insert(
            "b".to_string(),
            pb::EventDimensionValue {
                value: Some(Value::BooleanValue(true)),
            },
        );
        let u = report_usage(pb::ReportUsageRequest {
            customer_id: "c".into(),
            resource_id: Some("r".into()),
            feature_id: "f".into(),
            value: 3.0,
            update_behavior: Some(pb::UsageUpdateBehavior::Set as i32),
            dimensions: dims,
            timestamp: Some(to_timestamp(1_700_000_000_000)),
        })
        .unwrap_or_default();
        assert_eq!(u.customer_id, "c");
        assert_eq!(u.resource_id.as_deref(), Some("r"));
        assert_eq!(u.feature_id, "f");
        assert_eq!(u.value, 3.0);
        assert_eq!(u.update_behavior, Some(cm::UsageUpdateBehavior::Set));
        assert_eq!(u.created_at, Some(1_700_000_000_000));
        let d = u.dimensions.unwrap_or_default();
        assert_eq!(d.get("region"), Some(&DimensionValue::String("eu".into())));
        assert_eq!(d.get("n"), Some(&DimensionValue::Number(2.5)));
        assert_eq!(d.get("b"), Some(&DimensionValue::Bool(true)));

        // UNSPECIFIED behaviour = not given (DELTA by default in the core).
        let u = report_usage(pb::ReportUsageRequest {
            update_behavior: Some(0),
            ..Default::default()
        })
        .unwrap_or_default();
        assert_eq!(u.update_behavior, None);
        assert_eq!(u.dimensions, None);

        let mut bad = HashMap::new();
        bad.insert("x".to_string(), pb::EventDimensionValue { value: None });
        let err = report_usage(pb::ReportUsageRequest {
            dimensions: bad,
            ..Default::default()
        });
        assert_eq!(err.err().map(|s| s.code()), Some(Code::InvalidArgument));
    }

    #[test]
    fn events_map_every_field() {
        let e = report_event(pb::Event {
            event_name: "tokens".into(),
            customer_id: "c".into(),
            idempotency_key: "k".into(),
            resource_id: None,
            dimensions: HashMap::new(),
            timestamp: Some(to_timestamp(5_000)),
        })
        .unwrap_or_default();
        assert_eq!(e.event_name, "tokens");
        assert_eq!(e.idempotency_key, "k");
        assert_eq!(e.timestamp, Some(5_000));
    }

    #[test]
    fn credit_results_carry_the_currency_and_its_metadata() {
        let e = cm::CreditEntitlement {
            has_access: true,
            is_fallback: false,
            access_denied_reason: None,
            currency: Arc::new(cm::CurrencyInfo {
                currency_id: "cred".into(),
                display_name: Some("Credits".into()),
                description: None,
                unit_singular: Some("credit".into()),
                unit_plural: Some("credits".into()),
                metadata: Some(
                    serde_json::json!({"tier": "gold", "n": 1, "nested": {"a": [true, null]}}),
                ),
            }),
            usage_limit: 100.0,
            current_usage: 40.0,
            remaining: 60.0,
            usage_period_end: Some(9_000),
            has_soft_limit: false,
            requested_usage: 0.0,
        };
        let v2 = entitlement_v2(&cm::EntitlementV2::Credit(e));
        assert!(v2.has_access);
        assert_eq!(v2.access_denied_reason, None);
        let Some(pb::entitlement_v2::Entitlement::Credit(c)) = v2.entitlement else {
            panic!("not a credit entitlement");
        };
        assert_eq!(c.remaining, 60.0);
        let cur = c.currency.unwrap_or_default();
        assert_eq!(cur.currency_id, "cred");
        assert_eq!(cur.display_name, "Credits");
        let meta = cur.additional_meta_data.unwrap_or_default();
        assert_eq!(meta.fields.len(), 3);
        assert_eq!(
            meta.fields.get("tier").and_then(|v| v.kind.clone()),
            Some(prost_types::value::Kind::StringValue("gold".into()))
        );
    }

    #[test]
    fn errors_map_to_grpc_codes_with_stigg_metadata() {
        let api = |code: &str| StiggError::Api {
            message: "m".into(),
            code: Some(code.into()),
            trace_id: Some("trace-1".into()),
        };
        assert_eq!(
            status_code(&StiggError::invalid("customerId", "x")),
            Code::InvalidArgument
        );
        assert_eq!(status_code(&api("Unauthenticated")), Code::Unauthenticated);
        assert_eq!(status_code(&api("CustomerNotFound")), Code::NotFound);
        assert_eq!(status_code(&api("FeatureNotFound")), Code::NotFound);
        assert_eq!(
            status_code(&api("RateLimitExceeded")),
            Code::ResourceExhausted
        );
        assert_eq!(
            status_code(&api("IdentityForbidden")),
            Code::PermissionDenied
        );
        assert_eq!(status_code(&api("BadUserInput")), Code::InvalidArgument);
        assert_eq!(status_code(&api("Whatever")), Code::Unknown);
        assert_eq!(
            status_code(&StiggError::Timeout {
                operation: "ReportUsage".into()
            }),
            Code::DeadlineExceeded
        );
        assert_eq!(
            status_code(&StiggError::Network("refused".into())),
            Code::Unavailable
        );
        assert_eq!(status_code(&StiggError::Closed), Code::Unavailable);

        let s = status(&api("CustomerNotFound"));
        assert_eq!(
            s.metadata()
                .get(ERROR_CODE_METADATA)
                .and_then(|v| v.to_str().ok()),
            Some("CustomerNotFound")
        );
        assert_eq!(
            s.metadata()
                .get(TRACE_ID_METADATA)
                .and_then(|v| v.to_str().ok()),
            Some("trace-1")
        );
    }

    #[test]
    fn entitlements_list_leaves_credits_out_and_keeps_the_customer_reason() {
        let s = cm::EntitlementsStateV2 {
            entitlements: vec![
                cm::EntitlementV2::Feature(cm::Entitlement::Boolean(cm::BooleanEntitlement {
                    has_access: true,
                    is_fallback: false,
                    access_denied_reason: None,
                    feature: None,
                })),
                cm::EntitlementV2::Credit(cm::CreditEntitlement {
                    has_access: true,
                    is_fallback: false,
                    access_denied_reason: None,
                    currency: Arc::new(cm::CurrencyInfo::bare("c")),
                    usage_limit: 0.0,
                    current_usage: 0.0,
                    remaining: 0.0,
                    usage_period_end: None,
                    has_soft_limit: false,
                    requested_usage: 0.0,
                }),
            ],
            access_denied_reason: Some(
                cm::EntitlementsStateAccessDeniedReason::NoActiveSubscription,
            ),
        };
        let r = entitlements_response(&s);
        assert_eq!(r.entitlements.len(), 1);
        assert_eq!(
            r.access_denied_reason,
            Some(pb::AccessDeniedReason::NoActiveSubscription as i32)
        );
        assert_eq!(state_v2_response(&s).entitlements.len(), 2);
    }
}
