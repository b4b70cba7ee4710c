//! The management API (customers, subscriptions, catalog, promotions, credits admin, usage
//! history): cold-path calls whose inputs are keyword arguments (snake_case, Stigg's names) read
//! into the core's input types by serde, and whose results are records of `stigg_native._records`
//! (attribute access by snake_case name, `to_dict()` = the core's JSON).
//!
//! Adding a call the core gained is one line in the `management!` list below (plus its stub).

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde_json::Value;
use stigg_core::model::management::{
    CancelSubscription, CancelSubscriptionScheduledUpdates, EstimateSubscription,
    EstimateSubscriptionUpdate, GetActiveSubscriptions, GetCreditBalance, GetCreditGrants,
    GetPaywall, GetSubscriptions, GetUsageHistoryV2, GrantCredits, GrantPromotionalEntitlements,
    MigrateSubscriptionToLatest, PreviewSubscription, ProvisionCustomer, ProvisionSubscription,
    RevokePromotionalEntitlements, UpdateCustomer, UpdateSubscription, VoidCreditGrant,
};

use crate::client::Stigg;
use crate::convert::{from_py, json_to_py, CustomerId, Str};
use crate::errors::check;
use crate::results::record_of_py;

/// Keyword arguments as a core input (an absent `**kwargs` is `{}`).
fn input_of<T: serde::de::DeserializeOwned>(
    py: Python<'_>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<T> {
    match kwargs {
        Some(k) => from_py(k.as_any(), "input"),
        None => from_py(PyDict::new(py).as_any(), "input"),
    }
}

/// A core result as a record of `class` (a list of records for a JSON array).
pub fn to_record<T: serde::Serialize>(py: Python<'_>, class: &str, v: &T) -> PyResult<Py<PyAny>> {
    let json = serde_json::to_value(v).map_err(|e| {
        pyo3::exceptions::PyValueError::new_err(format!("cannot serialize the result: {e}"))
    })?;
    match json {
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in &items {
                list.append(record_of_py(py, class, json_to_py(py, item)?)?)?;
            }
            Ok(list.into_any().unbind())
        }
        Value::String(s) => Ok(pyo3::types::PyString::new(py, &s).into_any().unbind()),
        other => record_of_py(py, class, json_to_py(py, &other)?),
    }
}

/// Declares, for each core call taking one input struct, a blocking method taking keyword arguments
/// and its `async_*` coroutine twin.
macro_rules! management {
    ($( $(#[$doc:meta])* $name:ident, $async_name:ident ($input:ty) -> $class:literal; )*) => {
        #[pymethods]
        impl Stigg {
            $(
                $(#[$doc])*
                #[pyo3(signature = (**input))]
                fn $name(&self, py: Python<'_>, input: Option<&Bound<'_, PyDict>>) -> PyResult<Py<PyAny>> {
                    let input: $input = input_of(py, input)?;
                    let out = $crate::block_on!(self, py, |core| core.$name(input));
                    to_record(py, $class, &check(py, out)?)
                }

                #[doc = concat!("Coroutine form of `", stringify!($name), "`.")]
                #[pyo3(signature = (**input))]
                fn $async_name<'py>(
                    &self,
                    py: Python<'py>,
                    input: Option<&Bound<'_, PyDict>>,
                ) -> PyResult<Bound<'py, PyAny>> {
                    let input: $input = input_of(py, input)?;
                    $crate::spawn_on!(self, py, |core| core.$name(input).await, |py, out| to_record(py, $class, &out))
                }
            )*
        }
    };
}

management! {
    /// `provisionCustomer`: creates a customer and (unless `subscription_params=None`) its first
    /// subscription; caches the returned entitlements. Returns a `ProvisionedCustomer`.
    provision_customer, async_provision_customer(ProvisionCustomer) -> "ProvisionedCustomer";
    /// `updateCustomer`: returns the `Customer`.
    update_customer, async_update_customer(UpdateCustomer) -> "Customer";
    /// `provisionSubscription`: returns a `ProvisionSubscriptionResult`.
    provision_subscription, async_provision_subscription(ProvisionSubscription) -> "ProvisionSubscriptionResult";
    /// `updateSubscription`: returns the `Subscription`.
    update_subscription, async_update_subscription(UpdateSubscription) -> "Subscription";
    /// `cancelSubscription`: returns the `Subscription`.
    cancel_subscription, async_cancel_subscription(CancelSubscription) -> "Subscription";
    /// `cancelSubscriptionScheduledUpdates`: returns `{subscription_id}`.
    cancel_subscription_scheduled_updates, async_cancel_subscription_scheduled_updates(CancelSubscriptionScheduledUpdates) -> "Record";
    /// `migrateSubscriptionToLatest`: returns `{subscription_id}`.
    migrate_subscription_to_latest, async_migrate_subscription_to_latest(MigrateSubscriptionToLatest) -> "Record";
    /// `estimateSubscription`: a subscription preview.
    estimate_subscription, async_estimate_subscription(EstimateSubscription) -> "Record";
    /// `estimateSubscriptionUpdate`: a subscription preview.
    estimate_subscription_update, async_estimate_subscription_update(EstimateSubscriptionUpdate) -> "Record";
    /// `previewSubscription`: a subscription preview (V2).
    preview_subscription, async_preview_subscription(PreviewSubscription) -> "Record";
    /// `getActiveSubscriptions`: a list of `Subscription`s.
    get_active_subscriptions, async_get_active_subscriptions(GetActiveSubscriptions) -> "Subscription";
    /// `getActiveSubscriptionsList`: a slim list of `Subscription`s (Edge).
    get_active_subscriptions_list, async_get_active_subscriptions_list(GetActiveSubscriptions) -> "Subscription";
    /// `getSubscriptions`: a page `{data, page_info, total_count}` of subscriptions.
    get_subscriptions, async_get_subscriptions(GetSubscriptions) -> "SubscriptionPage";
    /// `getPaywall`: the paywall.
    get_paywall, async_get_paywall(GetPaywall) -> "Record";
    /// `grantPromotionalEntitlements`: the granted promotional entitlements.
    grant_promotional_entitlements, async_grant_promotional_entitlements(GrantPromotionalEntitlements) -> "Record";
    /// `revokePromotionalEntitlements`.
    revoke_promotional_entitlements, async_revoke_promotional_entitlements(RevokePromotionalEntitlements) -> "Record";
    /// `grantCredits` (credit grant admin).
    grant_credits, async_grant_credits(GrantCredits) -> "Record";
    /// `voidCreditGrant`.
    void_credit_grant, async_void_credit_grant(VoidCreditGrant) -> "Record";
    /// `getCreditGrants`: a page of credit grants.
    get_credit_grants, async_get_credit_grants(GetCreditGrants) -> "Record";
    /// `getCreditBalance`.
    get_credit_balance, async_get_credit_balance(GetCreditBalance) -> "Record";
    /// `getUsageHistoryV2`.
    get_usage_history_v2, async_get_usage_history_v2(GetUsageHistoryV2) -> "Record";
}

/// Calls keyed by one id.
#[pymethods]
impl Stigg {
    /// `getCustomer`: the `FullCustomer`; raises `ApiError` (`CustomerNotFound`) when unknown.
    fn get_customer(
        &self,
        py: Python<'_>,
        customer_id: Str<'_, CustomerId>,
    ) -> PyResult<Py<PyAny>> {
        let id = customer_id.0;
        let out = crate::block_on!(self, py, |core| core.get_customer(id));
        to_record(py, "FullCustomer", &check(py, out)?)
    }

    /// Coroutine form of `get_customer`.
    fn async_get_customer<'py>(
        &self,
        py: Python<'py>,
        customer_id: Str<'_, CustomerId>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let id = customer_id.owned();
        crate::spawn_on!(self, py, |core| core.get_customer(&id).await, |py, out| {
            to_record(py, "FullCustomer", &out)
        })
    }

    /// `archiveCustomer`: returns the archived customer's id.
    fn archive_customer(
        &self,
        py: Python<'_>,
        customer_id: Str<'_, CustomerId>,
    ) -> PyResult<String> {
        let id = customer_id.0;
        let out = crate::block_on!(self, py, |core| core.archive_customer(id));
        check(py, out)
    }

    /// Coroutine form of `archive_customer`.
    fn async_archive_customer<'py>(
        &self,
        py: Python<'py>,
        customer_id: Str<'_, CustomerId>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let id = customer_id.owned();
        crate::spawn_on!(
            self,
            py,
            |core| core.archive_customer(&id).await,
            |py, out: String| { Ok(pyo3::types::PyString::new(py, &out).into_any().unbind()) }
        )
    }

    /// `unarchiveCustomer`: returns the `Customer`.
    fn unarchive_customer(
        &self,
        py: Python<'_>,
        customer_id: Str<'_, CustomerId>,
    ) -> PyResult<Py<PyAny>> {
        let id = customer_id.0;
        let out = crate::block_on!(self, py, |core| core.unarchive_customer(id));
        to_record(py, "Customer", &check(py, out)?)
    }

    /// Coroutine form of `unarchive_customer`.
    fn async_unarchive_customer<'py>(
        &self,
        py: Python<'py>,
        customer_id: Str<'_, CustomerId>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let id = customer_id.owned();
        crate::spawn_on!(
            self,
            py,
            |core| core.unarchive_customer(&id).await,
            |py, out| { to_record(py, "Customer", &out) }
        )
    }

    /// `getSubscription`: the `Subscription`.
    fn get_subscription(&self, py: Python<'_>, subscription_id: String) -> PyResult<Py<PyAny>> {
        let out = crate::block_on!(self, py, |core| core.get_subscription(&subscription_id));
        to_record(py, "Subscription", &check(py, out)?)
    }

    /// Coroutine form of `get_subscription`.
    fn async_get_subscription<'py>(
        &self,
        py: Python<'py>,
        subscription_id: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::spawn_on!(
            self,
            py,
            |core| core.get_subscription(&subscription_id).await,
            |py, out| { to_record(py, "Subscription", &out) }
        )
    }

    /// `getCoupons`: the active coupons (the first 25, as the official SDK).
    fn get_coupons(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let out = crate::block_on!(self, py, |core| core.get_coupons());
        to_record(py, "Coupon", &check(py, out)?)
    }

    /// Coroutine form of `get_coupons`.
    fn async_get_coupons<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::spawn_on!(self, py, |core| core.get_coupons().await, |py, out| {
            to_record(py, "Coupon", &out)
        })
    }

    /// `getProducts`: the products (the first 20, as the official SDK).
    fn get_products(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let out = crate::block_on!(self, py, |core| core.get_products());
        to_record(py, "Record", &check(py, out)?)
    }

    /// Coroutine form of `get_products`.
    fn async_get_products<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::spawn_on!(self, py, |core| core.get_products().await, |py, out| {
            to_record(py, "Record", &out)
        })
    }
}
