//! Events as JSON documents for listeners (cold path): `{"type": "<officialEventName>", ...camelCase}`.

use serde_json::{json, Value};
use stigg_core::client::StiggEvent;
use stigg_core::model::time::format_iso;

fn iso(ms: Option<i64>) -> Value {
    ms.map_or(Value::Null, |m| Value::String(format_iso(m)))
}

/// Serializes one event.
pub fn event_json(event: &StiggEvent) -> String {
    let v = match event {
        StiggEvent::InitializeSuccessfully => json!({"type": "initializeSuccessfully"}),
        StiggEvent::InitializeFailed { message } => {
            json!({"type": "initializeFailed", "message": message})
        }
        StiggEvent::EntitlementsUpdated {
            customer_id,
            resource_id,
            access_denied_reason,
            entitlements,
        } => json!({
            "type": "entitlementsUpdated",
            "customerId": customer_id,
            "resourceId": resource_id,
            "accessDeniedReason": access_denied_reason,
            "entitlements": &**entitlements,
        }),
        StiggEvent::UsageUpdated {
            customer_id,
            resource_id,
            entitlement_id,
            entitlement_type,
            current_usage,
            usage_period_start,
            usage_period_end,
        } => json!({
            "type": "usageUpdated",
            "customerId": customer_id,
            "resourceId": resource_id,
            "entitlementId": entitlement_id,
            "entitlementType": entitlement_type,
            "currentUsage": current_usage,
            "usagePeriodStart": iso(*usage_period_start),
            "usagePeriodEnd": iso(*usage_period_end),
        }),
        StiggEvent::PackagePublished {
            package_ref_id,
            package_type,
            package_version,
            migration_type,
        } => json!({
            "type": "packagePublished",
            "packageRefId": package_ref_id,
            "packageType": package_type,
            "packageVersion": package_version,
            "migrationType": migration_type,
        }),
        StiggEvent::CacheHit {
            customer_id,
            resource_id,
        } => json!({"type": "cacheHit", "customerId": customer_id, "resourceId": resource_id}),
        StiggEvent::CacheMiss {
            customer_id,
            resource_id,
        } => json!({"type": "cacheMiss", "customerId": customer_id, "resourceId": resource_id}),
        StiggEvent::ApiKeyInvalid => json!({"type": "apiKeyInvalid"}),
        StiggEvent::NetworkRequestFailed {
            error_message,
            error_code,
            trace_id,
        } => json!({
            "type": "networkRequestFailed",
            "errorMessage": error_message,
            "errorCode": error_code,
            "traceId": trace_id,
        }),
        StiggEvent::StreamConnected { reconnect } => {
            json!({"type": "streamConnected", "reconnect": reconnect})
        }
        StiggEvent::StreamDisconnected { reason } => {
            json!({"type": "streamDisconnected", "reason": reason})
        }
        StiggEvent::RedisClientError { error, client_name } => {
            json!({"type": "redisClientError", "error": error, "clientName": client_name})
        }
        other => json!({"type": "other", "debug": format!("{other:?}")}),
    };
    v.to_string()
}
