//! Listeners: Python callables registered with `Stigg.add_listener`, called with the GIL held on the
//! thread that produced the event (a runtime worker, or the caller's thread for `cacheHit` and
//! `cacheMiss`). An exception in a callback is logged on the `stigg_native` logger and never
//! reaches the client. The event-type filter is applied before the GIL is taken, so a listener of
//! `entitlementsUpdated` costs a `cacheHit` nothing but the core's own bookkeeping.

use pyo3::prelude::*;
use serde_json::{json, Value};
use stigg_core::client::StiggEvent;
use stigg_core::model::time::format_iso;
use stigg_core::model::Millis;

use crate::convert::json_to_py;
use crate::logging::{logger, python_available};
use crate::results::record_of_py;

/// The wire name of an event (`EventType` values), as the core names it.
pub fn event_name(e: &StiggEvent) -> &'static str {
    e.name()
}

/// Every event name, for validating filters.
pub const EVENT_NAMES: &[&str] = StiggEvent::NAMES;

fn iso(ms: Option<Millis>) -> Value {
    ms.map(|m| Value::String(format_iso(m)))
        .unwrap_or(Value::Null)
}

/// The event's payload as JSON (camelCase keys, `type` = its name).
pub fn event_json(e: &StiggEvent) -> Value {
    let mut v = match e {
        StiggEvent::InitializeFailed { message } => json!({ "message": message }),
        StiggEvent::EntitlementsUpdated {
            customer_id,
            resource_id,
            access_denied_reason,
            entitlements,
        } => json!({
            "customerId": customer_id,
            "resourceId": resource_id,
            "accessDeniedReason": access_denied_reason,
            "entitlements": serde_json::to_value(&**entitlements).unwrap_or(Value::Null),
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
            "packageRefId": package_ref_id,
            "packageType": package_type,
            "packageVersion": package_version,
            "migrationType": migration_type,
        }),
        StiggEvent::CacheHit {
            customer_id,
            resource_id,
        }
        | StiggEvent::CacheMiss {
            customer_id,
            resource_id,
        } => json!({ "customerId": customer_id, "resourceId": resource_id }),
        StiggEvent::NetworkRequestFailed {
            error_message,
            error_code,
            trace_id,
        } => json!({
            "errorMessage": error_message,
            "errorCode": error_code,
            "traceId": trace_id,
        }),
        StiggEvent::StreamConnected { reconnect } => json!({ "reconnect": reconnect }),
        StiggEvent::StreamDisconnected { reason } => json!({ "reason": reason }),
        StiggEvent::RedisClientError { error, client_name } => {
            json!({ "error": error, "clientName": client_name })
        }
        _ => json!({}),
    };
    if let Value::Object(map) = &mut v {
        map.insert("type".into(), Value::String(event_name(e).into()));
    }
    v
}

/// One registered Python listener.
pub struct PyListener {
    /// The callable.
    pub callback: Py<PyAny>,
    /// Event names it wants; None = all.
    pub filter: Option<Vec<&'static str>>,
}

impl PyListener {
    /// Delivers `event` if the filter wants it.
    pub fn deliver(&self, event: &StiggEvent) {
        let name = event_name(event);
        if let Some(f) = &self.filter {
            if !f.contains(&name) {
                return;
            }
        }
        if !python_available() {
            return;
        }
        let payload = event_json(event);
        Python::attach(|py| {
            let result = json_to_py(py, &payload)
                .and_then(|d| record_of_py(py, "StiggEvent", d))
                .and_then(|ev| self.callback.call1(py, (ev,)));
            if let Err(err) = result {
                if let Ok(logger) = logger(py) {
                    let kwargs = pyo3::types::PyDict::new(py);
                    let _ = kwargs.set_item("exc_info", err.value(py));
                    let _ = logger.call_method(
                        "error",
                        ("Stigg event listener %r raised on %s", &self.callback, name),
                        Some(&kwargs),
                    );
                }
            }
        });
    }
}
