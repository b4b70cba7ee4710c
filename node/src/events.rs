//! `addListener` / `removeListener`: the core's events delivered to JS listeners.
//!
//! Each JS listener gets a core listener and a *weak* (unref'd) thread-safe function: events raised
//! on the runtime's threads (or on the JS thread, for cache hits) are queued to the JS thread, and
//! the listener never keeps the process alive by itself. `close()` removes them all.

use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use serde_json::{json, Value};
use stigg_core::client::{ListenerId, StiggEvent};

use crate::dto::date;

/// What a listener receives: nothing, a payload object, or an error (`initializeFailed`).
pub(crate) type Payload = Either3<(), Value, Error>;

/// The thread-safe function of one listener.
pub(crate) type Tsfn = ThreadsafeFunction<Payload, Unknown<'static>, Payload, Status, false, true>;

/// The event names of the official SDK, plus stigg-native's stream events.
pub(crate) const EVENT_NAMES: &[&str] = &[
    "initializeSuccessfully",
    "initializeFailed",
    "entitlementsUpdated",
    "usageUpdated",
    "packagePublished",
    "cacheHit",
    "cacheMiss",
    "apiKeyInvalid",
    "networkRequestFailed",
    "streamConnected",
    "streamDisconnected",
];

/// One registered JS listener.
pub(crate) struct JsListener {
    pub(crate) event: &'static str,
    pub(crate) callback: FunctionRef<Unknown<'static>, Unknown<'static>>,
    pub(crate) core_id: ListenerId,
}

/// The name of an event known to this package, or `None`.
pub(crate) fn known_event(name: &str) -> Option<&'static str> {
    EVENT_NAMES.iter().copied().find(|n| *n == name)
}

fn iso(ms: Option<i64>) -> Value {
    match date(ms) {
        Some(d) => Value::String(d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        None => Value::Null,
    }
}

/// The JS event name and payload of a core event.
pub(crate) fn convert(e: &StiggEvent) -> Option<(&'static str, Payload)> {
    let none = || Either3::A(());
    Some(match e {
        StiggEvent::InitializeSuccessfully => ("initializeSuccessfully", none()),
        StiggEvent::InitializeFailed { message } => (
            "initializeFailed",
            Either3::C(Error::new(Status::GenericFailure, message.clone())),
        ),
        StiggEvent::EntitlementsUpdated {
            customer_id,
            resource_id,
            access_denied_reason,
            entitlements,
        } => (
            "entitlementsUpdated",
            Either3::B(json!({
                "customerId": customer_id,
                "resourceId": resource_id,
                "accessDeniedReason": access_denied_reason,
                "entitlements": serde_json::to_value(&**entitlements).unwrap_or(Value::Null),
            })),
        ),
        StiggEvent::UsageUpdated {
            customer_id,
            resource_id,
            entitlement_id,
            entitlement_type,
            current_usage,
            usage_period_start,
            usage_period_end,
        } => {
            let id_key = if entitlement_type.as_str() == "CREDIT" {
                "currencyId"
            } else {
                "featureId"
            };
            (
                "usageUpdated",
                Either3::B(json!({
                    "usage": {
                        "customerId": customer_id,
                        "resourceId": resource_id,
                        id_key: entitlement_id,
                        "currentUsage": current_usage,
                        "usagePeriodStart": iso(*usage_period_start),
                        "usagePeriodEnd": iso(*usage_period_end),
                    },
                    "entitlementType": entitlement_type,
                })),
            )
        }
        StiggEvent::PackagePublished {
            package_ref_id,
            package_type,
            package_version,
            migration_type,
        } => (
            "packagePublished",
            Either3::B(json!({
                "packageRefId": package_ref_id,
                "packageType": package_type,
                "packageVersion": package_version,
                "migrationType": migration_type,
            })),
        ),
        StiggEvent::CacheHit {
            customer_id,
            resource_id,
        } => (
            "cacheHit",
            Either3::B(json!({ "customerId": customer_id, "resourceId": resource_id })),
        ),
        StiggEvent::CacheMiss {
            customer_id,
            resource_id,
        } => (
            "cacheMiss",
            Either3::B(json!({ "customerId": customer_id, "resourceId": resource_id })),
        ),
        StiggEvent::ApiKeyInvalid => ("apiKeyInvalid", none()),
        StiggEvent::NetworkRequestFailed {
            error_message,
            error_code,
            trace_id,
        } => (
            "networkRequestFailed",
            Either3::B(json!({
                "errorMessage": error_message,
                "errorCode": error_code,
                "traceId": trace_id,
            })),
        ),
        StiggEvent::StreamConnected { reconnect } => (
            "streamConnected",
            Either3::B(json!({ "reconnect": reconnect })),
        ),
        StiggEvent::StreamDisconnected { reason } => (
            "streamDisconnected",
            Either3::B(json!({ "reason": reason })),
        ),
        StiggEvent::RedisClientError { error, client_name } => (
            "redisClientError",
            Either3::B(json!({ "error": error, "clientName": client_name })),
        ),
        _ => return None,
    })
}

/// The JS name of a core event (cheap: no payload is built).
fn name_of(e: &StiggEvent) -> Option<&'static str> {
    Some(e.name())
}

/// The core listener that forwards `event` to `tsfn`.
pub(crate) fn forwarder(
    event: &'static str,
    tsfn: Tsfn,
) -> impl Fn(&StiggEvent) + Send + Sync + 'static {
    move |e: &StiggEvent| {
        if name_of(e) != Some(event) {
            return;
        }
        if let Some((_, payload)) = convert(e) {
            // Fails only while the environment shuts down: nobody listens any more.
            let _ = tsfn.call(payload, ThreadsafeFunctionCallMode::NonBlocking);
        }
    }
}
