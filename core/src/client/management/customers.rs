//! Customers: provision, update, get, archive, unarchive.

use serde::Deserialize;
use serde_json::{json, Value};

use super::{not_found, rename, to_wire};
use crate::api::management_documents as docs;
use crate::client::{validate, Stigg};
use crate::error::Result;
use crate::model::management::{
    Customer, FullCustomer, ProvisionCustomer, ProvisionedCustomer, SubscriptionDecisionStrategy,
    UpdateCustomer, WireCustomer, WireSubscription,
};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProvisionCustomerData {
    provision_customer: WireProvisionedCustomer,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireProvisionedCustomer {
    customer: WireCustomer,
    subscription_decision_strategy: SubscriptionDecisionStrategy,
    #[serde(default)]
    subscription: Option<WireSubscription>,
    #[serde(default)]
    entitlements_v2: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateCustomerData {
    update_customer: WireCustomer,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetCustomerData {
    #[serde(default)]
    get_customer_by_ref_id: Option<WireCustomer>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ArchiveCustomerData {
    #[serde(default)]
    archive_customer: Option<ArchivedCustomer>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ArchivedCustomer {
    customer_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UnarchiveCustomerData {
    #[serde(default)]
    unarchive_customer: Option<WireCustomer>,
}

impl Stigg {
    /// `provisionCustomer`: creates (or updates) a customer and, unless told otherwise, its first
    /// subscription. Renames: `customerId→refId`, `billingInfo→billingInformation`,
    /// `metadata→additionalMetaData`, `couponId→couponRefId`; in `subscriptionParams`,
    /// `metadata→additionalMetaData`, `unitQuantity→priceUnitAmount`.
    ///
    /// Cache: stores the returned `entitlementsV2` for the customer (and the subscription's
    /// resource), so the next check needs no fetch.
    pub async fn provision_customer(
        &self,
        input: ProvisionCustomer,
    ) -> Result<ProvisionedCustomer> {
        const PREFIX: &str = "Failed to provision customer";
        if let Some(id) = &input.customer_id {
            validate::non_empty("customerId", id)?;
        }
        let resource_id = match &input.subscription_params {
            Some(Some(p)) => {
                validate::non_empty("subscriptionParams.planId", &p.plan_id)?;
                if let Some(r) = &p.resource_id {
                    validate::non_empty("subscriptionParams.resourceId", r)?;
                }
                p.resource_id.clone()
            }
            _ => None,
        };
        let mut wire = to_wire(
            &input,
            &[
                ("customerId", "refId"),
                ("billingInfo", "billingInformation"),
                ("metadata", "additionalMetaData"),
                ("couponId", "couponRefId"),
            ],
        )?;
        if let Some(Value::Object(params)) = wire.get_mut("subscriptionParams") {
            rename(
                params,
                &[
                    ("metadata", "additionalMetaData"),
                    ("unitQuantity", "priceUnitAmount"),
                ],
            );
        }
        let data: ProvisionCustomerData = self
            .manage(docs::PROVISION_CUSTOMER, json!({ "input": wire }), PREFIX)
            .await?;
        let p = data.provision_customer;
        let cached_id = p
            .customer
            .id()
            .map(str::to_owned)
            .or(input.customer_id)
            .unwrap_or_default();
        self.store_provisioned(&cached_id, resource_id.as_deref(), p.entitlements_v2)
            .await;
        Ok(ProvisionedCustomer {
            customer: p.customer.into(),
            subscription_decision_strategy: p.subscription_decision_strategy,
            subscription: p.subscription.map(Into::into),
        })
    }

    /// `updateCustomer`. Renames: `customerId→refId`, `couponId→couponRefId`,
    /// `billingInfo→billingInformation`, `metadata→additionalMetaData`. No cache effect.
    pub async fn update_customer(&self, input: UpdateCustomer) -> Result<Customer> {
        validate::non_empty("customerId", &input.customer_id)?;
        let wire = to_wire(
            &input,
            &[
                ("customerId", "refId"),
                ("couponId", "couponRefId"),
                ("billingInfo", "billingInformation"),
                ("metadata", "additionalMetaData"),
            ],
        )?;
        let data: UpdateCustomerData = self
            .manage(
                docs::UPDATE_CUSTOMER,
                json!({ "input": wire }),
                "Failed to update customer",
            )
            .await?;
        Ok(data.update_customer.into())
    }

    /// `getCustomer`: the customer with its subscriptions, coupon and promotional entitlements.
    /// An unknown customer is an error with code `CustomerNotFound`.
    pub async fn get_customer(&self, customer_id: &str) -> Result<FullCustomer> {
        const PREFIX: &str = "Failed to get customer";
        validate::non_empty("customerId", customer_id)?;
        let data: GetCustomerData = self
            .manage(
                docs::GET_CUSTOMER_BY_ID,
                json!({ "input": { "customerId": customer_id } }),
                PREFIX,
            )
            .await?;
        data.get_customer_by_ref_id
            .map(Into::into)
            .ok_or_else(|| not_found(PREFIX, "Customer", "CustomerNotFound"))
    }

    /// `archiveCustomer`: returns the archived customer's id.
    pub async fn archive_customer(&self, customer_id: &str) -> Result<String> {
        const PREFIX: &str = "Failed to archive customer";
        validate::non_empty("customerId", customer_id)?;
        let data: ArchiveCustomerData = self
            .manage(
                docs::ARCHIVE_CUSTOMER,
                json!({ "input": { "customerId": customer_id } }),
                PREFIX,
            )
            .await?;
        data.archive_customer
            .map(|c| c.customer_id)
            .ok_or_else(|| not_found(PREFIX, "Customer", "CustomerNotFound"))
    }

    /// `unarchiveCustomer`.
    pub async fn unarchive_customer(&self, customer_id: &str) -> Result<Customer> {
        const PREFIX: &str = "Failed to unarchive customer";
        validate::non_empty("customerId", customer_id)?;
        let data: UnarchiveCustomerData = self
            .manage(
                docs::UNARCHIVE_CUSTOMER,
                json!({ "input": { "customerId": customer_id } }),
                PREFIX,
            )
            .await?;
        data.unarchive_customer
            .map(Into::into)
            .ok_or_else(|| not_found(PREFIX, "Customer", "CustomerNotFound"))
    }
}
