//! Writes and other cold-path calls: one entry point, a JSON document in and a JSON document out.
//!
//! The operation names are the official SDK's method names; inputs and outputs are the core's serde
//! shapes (Stigg's camelCase, instants as ISO strings). The table is in the header (`stigg_client_call`).

use std::ffi::c_char;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use stigg_core::model::usage::{
    ConsumeCredits, EstimateEventCost, EstimateUsageCost, ReportEvent, ReportUsage,
};
use stigg_core::{Stigg, StiggError};

use crate::client::{client_ref, out_ptr, stigg_client_t};
use crate::error::{arg_str, guard, stigg_error_t, write_owned_string, FfiResult};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CustomerRef {
    customer_id: String,
    #[serde(default)]
    resource_id: Option<String>,
}

/// One item or a list of items (`reportEvent` takes either, like the official SDK).
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany<T> {
    Many(Vec<T>),
    One(T),
}

impl<T> OneOrMany<T> {
    fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::Many(v) => v,
            OneOrMany::One(t) => vec![t],
        }
    }
}

pub(crate) fn input<T: DeserializeOwned>(v: Value) -> Result<T, StiggError> {
    serde_json::from_value(v).map_err(|e| StiggError::invalid("input_json", e.to_string()))
}

pub(crate) fn output<T: Serialize>(v: T) -> Result<Value, StiggError> {
    serde_json::to_value(v).map_err(|e| StiggError::invalid("output", e.to_string()))
}

/// Runs one operation. Unknown names are `InvalidArgument` errors.
pub async fn dispatch(stigg: &Stigg, operation: &str, v: Value) -> Result<Value, StiggError> {
    match operation {
        "reportUsage" => output(stigg.report_usage(input::<ReportUsage>(v)?).await?),
        "reportUsageBulk" => {
            let usages = input::<OneOrMany<ReportUsage>>(v)?.into_vec();
            output(stigg.report_usage_bulk(usages).await?)
        }
        "reportEvent" => {
            let events = input::<OneOrMany<ReportEvent>>(v)?.into_vec();
            stigg.report_event(events).await?;
            Ok(Value::Null)
        }
        "consumeCredits" => output(stigg.consume_credits(input::<ConsumeCredits>(v)?).await?),
        "consumeCreditsAsync" => {
            let items = input::<OneOrMany<ConsumeCredits>>(v)?.into_vec();
            stigg.consume_credits_async(items).await?;
            Ok(Value::Null)
        }
        "estimateUsageCost" => output(
            stigg
                .estimate_usage_cost(input::<EstimateUsageCost>(v)?)
                .await?,
        ),
        "estimateEventCost" => output(
            stigg
                .estimate_event_cost(input::<EstimateEventCost>(v)?)
                .await?,
        ),
        "reloadEntitlements" => {
            let r: CustomerRef = input(v)?;
            output(
                stigg
                    .reload_entitlements(&r.customer_id, r.resource_id.as_deref())
                    .await,
            )
        }
        "getEntitlementsStateV2" => {
            let r: CustomerRef = input(v)?;
            output(
                stigg
                    .get_entitlements_state_v2(&r.customer_id, r.resource_id.as_deref())
                    .await,
            )
        }
        "waitForInitialization" => {
            stigg.wait_for_initialization().await?;
            Ok(Value::Null)
        }
        other => crate::management::dispatch(stigg, other, v).await,
    }
}

/// Every operation name `stigg_client_call` accepts.
pub fn operations() -> Vec<&'static str> {
    let mut ops = vec![
        "reportUsage",
        "reportUsageBulk",
        "reportEvent",
        "consumeCredits",
        "consumeCreditsAsync",
        "estimateUsageCost",
        "estimateEventCost",
        "reloadEntitlements",
        "getEntitlementsStateV2",
        "waitForInitialization",
    ];
    ops.extend(crate::management::OPERATIONS);
    ops
}

fn run(client: &stigg_client_t, operation: &str, input_json: Option<&str>) -> FfiResult<String> {
    let value: Value = match input_json {
        Some(text) => serde_json::from_str(text)
            .map_err(|e| stigg_error_t::invalid("input_json", &e.to_string()))?,
        None => Value::Null,
    };
    let stigg = &client.stigg;
    let result = stigg.block_on(dispatch(stigg, operation, value))??;
    Ok(result.to_string())
}

/// Runs a write or management call and blocks until it finishes.
///
/// Operations (input → output; `Ack` etc. are the official SDK's shapes, camelCase, instants as ISO
/// strings; see spec §2.4–2.5):
/// - `reportUsage`: `{customerId, featureId, value, resourceId?, updateBehavior? ("DELTA"|"SET"),
///   createdAt?, dimensions?, idempotencyKey?}` → `{measurementId, featureId, customerId, resourceId,
///   currentUsage, usagePeriodStart, usagePeriodEnd, nextResetDate, timestamp, credit}`
/// - `reportUsageBulk`: a list of `reportUsage` inputs (≤ 100) → a list of acks
/// - `reportEvent`: `{customerId, eventName, idempotencyKey, resourceId?, dimensions?, timestamp?}` or a
///   list (≤ 1000) → `null`
/// - `consumeCredits`: `{customerId, currencyId, amount, resourceId?, idempotencyKey?, ...}` →
///   `{customerId, currencyId, resourceId, amount, timestamp, credit}`
/// - `consumeCreditsAsync`: a list of `consumeCredits` inputs → `null`
/// - `estimateUsageCost`: `{customerId, featureId, value, resourceId?}` → `{estimates, warnings}`
/// - `estimateEventCost`: `{customerId, eventName, dimensions?, resourceId?}` → `{estimates, warnings}`
/// - `reloadEntitlements`: `{customerId, resourceId?}` → `{entitledEntityExists}`
/// - `getEntitlementsStateV2`: `{customerId, resourceId?}` → `{entitlements: [...], accessDeniedReason}`
/// - `waitForInitialization`: `null` → `null`
/// - management (customers, subscriptions, catalog, coupons, promotions, credits, usage history): the
///   official method names (`provisionCustomer`, `getCustomer`, `provisionSubscription`, ...); inputs
///   are their parameter objects (a bare id string where the official method takes one id).
///
/// \param client the client (borrowed).
/// \param operation the operation's name (borrowed).
/// \param input_json the input document (borrowed), or NULL for `null`.
/// \param out_json receives the output document (owned; free with `stigg_string_free`).
/// \return NULL on success, else an owned error carrying Stigg's code and trace id.
#[no_mangle]
pub unsafe extern "C" fn stigg_client_call(
    client: *const stigg_client_t,
    operation: *const c_char,
    input_json: *const c_char,
    out_json: *mut *mut c_char,
) -> *mut stigg_error_t {
    guard(|| {
        out_ptr(out_json, "out_json")?;
        // SAFETY: documented contract for every pointer.
        let (c, op, text) = unsafe {
            (
                client_ref(client)?,
                arg_str(operation, "operation")?,
                crate::error::opt_str(input_json, "input_json")?,
            )
        };
        let result = run(c, op, text)?;
        // SAFETY: `out_json` checked non-NULL.
        unsafe { write_owned_string(out_json, &result) };
        Ok(())
    })
}

/// libstigg's version (`"0.1.0"`). The string is static: do not free it.
#[no_mangle]
pub extern "C" fn stigg_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}
