//! The management API (spec §2.5): customers, subscriptions, catalog, coupons, promotional
//! entitlements, credits administration and usage history. Method names are the official Node SDK's,
//! in snake_case; inputs and results are in [`crate::model::management`].
//!
//! Every method needs the Stigg API: offline (or closed) it returns an error at once. (The official
//! SDK does not guard these calls offline and lets them reach the API; with no server to reach, a
//! clear error is the honest answer.) Failures are [`StiggError::Api`]s carrying Stigg's error code
//! and trace id, with Node's message prefix (`Failed to provision customer: ...`).
//!
//! Cache side effects (spec §2.5, §10.12): `provision_customer` and `provision_subscription` store
//! the returned `entitlementsV2` for that customer/resource; `update_subscription`,
//! `cancel_subscription` and `migrate_subscription_to_latest` refetch the subscription's customer
//! (or resource) state over GraphQL, skipping Edge, whose copy may lag; a failed refetch is logged,
//! not returned. Promotional entitlement changes arrive by the real-time stream.

mod catalog;
mod credits;
mod customers;
mod promotions;
mod subscriptions;
mod usage_history;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use super::Stigg;
use crate::api::Operation;
use crate::cache::CacheKey;
use crate::error::{Result, StiggError};
use crate::model::wire::EntitlementsState;
use crate::model::CustomerState;

/// Serializes an input into a JSON object and applies Node's field renames (`from → to`).
fn to_wire<T: Serialize>(input: &T, renames: &[(&str, &str)]) -> Result<Map<String, Value>> {
    let value = serde_json::to_value(input)
        .map_err(|e| StiggError::invalid("input", format!("cannot be serialized: {e}")))?;
    let Value::Object(mut map) = value else {
        return Err(StiggError::invalid("input", "must be an object"));
    };
    rename(&mut map, renames);
    Ok(map)
}

/// Renames keys of a JSON object (`from → to`), keeping their values.
fn rename(map: &mut Map<String, Value>, renames: &[(&str, &str)]) {
    for (from, to) in renames {
        if let Some(v) = map.remove(*from) {
            map.insert((*to).to_owned(), v);
        }
    }
}

/// Prefixes an API error's message as Node's error handler does (`"<prefix>: <message>"`).
fn with_prefix(prefix: &'static str) -> impl Fn(StiggError) -> StiggError {
    move |e| match e {
        StiggError::Api {
            message,
            code,
            trace_id,
        } => StiggError::Api {
            message: format!("{prefix}: {message}"),
            code,
            trace_id,
        },
        other => other,
    }
}

/// An API error for a missing entity (Node throws `Customer not found` and the like).
fn not_found(prefix: &'static str, what: &str, code: &str) -> StiggError {
    StiggError::Api {
        message: format!("{prefix}: {what} not found"),
        code: Some(code.to_owned()),
        trace_id: None,
    }
}

impl Stigg {
    /// Runs one management operation with the configured `timeout`.
    async fn manage<T: DeserializeOwned>(
        &self,
        op: Operation,
        variables: Value,
        prefix: &'static str,
    ) -> Result<T> {
        self.ensure_open()?;
        self.api()?
            .graphql(op, variables, self.inner.config.timeout)
            .await
            .map_err(with_prefix(prefix))
    }

    /// Reads an Edge path (management reads served by Edge) with the configured `timeout`.
    async fn manage_edge<T: DeserializeOwned>(
        &self,
        path: &[&str],
        query: &[(&str, &str)],
        prefix: &'static str,
    ) -> Result<T> {
        self.ensure_open()?;
        self.api()?
            .edge(path, query, self.inner.config.timeout)
            .await
            .map_err(with_prefix(prefix))
    }

    /// Stores entitlements returned by a provisioning call (customer-level reason null), as
    /// Node's `setEntitlementsIfExists` does: nothing when the server returned none.
    async fn store_provisioned(
        &self,
        customer_id: &str,
        resource_id: Option<&str>,
        entitlements_v2: Option<Value>,
    ) {
        let Some(list) = entitlements_v2.filter(|v| !v.is_null()) else {
            return;
        };
        if customer_id.trim().is_empty() {
            return;
        }
        let state: EntitlementsState =
            match serde_json::from_value(serde_json::json!({ "entitlementsV2": list })) {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(customer_id, error = %e, "provisioned entitlements not cached");
                    return;
                }
            };
        let mut state = CustomerState::from_wire(&state);
        state.fetched_at = self.now();
        let key = CacheKey::new(customer_id, resource_id);
        let state = std::sync::Arc::new(state);
        // Redis mode: the shared store gets the provisioned state too, as the official SDK writes it.
        if let Some(store) = &self.inner.store {
            if let Err(e) = store
                .save(
                    &key,
                    std::sync::Arc::clone(&state),
                    crate::cache::PutMode::Always,
                )
                .await
            {
                self.store_failed(&key, &e, "Redis write of provisioned entitlements skipped");
            }
        }
        self.inner.cache.put(key, state);
    }

    /// Read-after-write: refetches a customer's (or resource's) state over GraphQL. Errors are
    /// logged, not returned (the write itself succeeded).
    async fn refetch_after_write(
        &self,
        customer_id: Option<String>,
        resource_id: Option<String>,
        triggered_by: &'static str,
    ) {
        let Some(customer_id) = customer_id.filter(|c| !c.trim().is_empty()) else {
            return;
        };
        let resource_id = resource_id.filter(|r| !r.trim().is_empty());
        if let Err(e) = self
            .fetch_state(&customer_id, resource_id.as_deref(), true)
            .await
        {
            tracing::warn!(
                customer_id,
                resource_id,
                triggered_by,
                error = %e,
                "refetch after write failed"
            );
        }
    }
}
