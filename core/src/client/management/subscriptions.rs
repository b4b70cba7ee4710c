//! Subscriptions: provision, update, cancel, scheduled updates, migration, estimates and previews,
//! reads and paged listing.

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{not_found, to_wire};
use crate::api::management_documents as docs;
use crate::client::{validate, Stigg};
use crate::error::Result;
use crate::model::management::{
    CancelSubscription, CancelSubscriptionScheduledUpdates, EstimateSubscription,
    EstimateSubscriptionUpdate, GetActiveSubscriptions, GetSubscriptions,
    MigrateSubscriptionToLatest, OneOrMany, PagedList, PreviewSubscription, ProvisionSubscription,
    ProvisionSubscriptionResult, ProvisionSubscriptionStatus, Subscription, SubscriptionIdResult,
    UpdateSubscription, WireConnection, WireSubscription,
};

/// `getSubscriptions`' page size when none is given (Node's default).
pub const DEFAULT_SUBSCRIPTIONS_PAGE_SIZE: u32 = 10;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProvisionSubscriptionData {
    provision_subscription: WireProvisionSubscription,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireProvisionSubscription {
    status: ProvisionSubscriptionStatus,
    #[serde(default)]
    checkout_url: Option<String>,
    #[serde(default)]
    subscription: Option<WireSubscription>,
    #[serde(default)]
    entitlements_v2: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateSubscriptionData {
    update_subscription: WireSubscription,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CancelSubscriptionData {
    cancel_subscription: WireSubscription,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CancelScheduleData {
    cancel_schedule: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MigrateData {
    migrate_subscription_to_latest: WireMigrated,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireMigrated {
    subscription_id: String,
    #[serde(flatten)]
    refs: WireSubscription,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EstimateData {
    estimate_subscription: Value,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EstimateUpdateData {
    estimate_subscription_update: Value,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PreviewData {
    preview_subscription: Value,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetSubscriptionData {
    #[serde(default)]
    get_subscription: Option<WireSubscription>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ActiveSubscriptionsData {
    #[serde(default)]
    get_active_subscriptions: Option<Vec<WireSubscription>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubscriptionsData {
    subscriptions: WireConnection<WireSubscription>,
}

/// `{eq: v}` for one value, `{in: [..]}` for several.
fn comparison<T: serde::Serialize>(v: &OneOrMany<T>) -> Value {
    match v {
        OneOrMany::One(one) => json!({ "eq": one }),
        OneOrMany::Many(many) => json!({ "in": many }),
    }
}

/// Node's `getSubscriptions` variables: filters and `startingAfter→first+after`,
/// `endingBefore→last+before`, else `first`.
fn subscriptions_variables(input: &GetSubscriptions) -> Value {
    let mut filter = Map::new();
    if let Some(c) = &input.customer_id {
        filter.insert("customerId".into(), json!({ "eq": c }));
    }
    if let Some(r) = &input.resource_id {
        filter.insert("resourceId".into(), comparison(r));
    }
    if let Some(s) = &input.status {
        filter.insert("status".into(), comparison(s));
    }
    if let Some(p) = &input.product_id {
        filter.insert("productId".into(), comparison(p));
    }
    let pagination = input.pagination.clone().unwrap_or_default();
    let limit = pagination.limit.unwrap_or(DEFAULT_SUBSCRIPTIONS_PAGE_SIZE);
    let paging = if let Some(after) = &pagination.starting_after {
        json!({ "first": limit, "after": after })
    } else if let Some(before) = &pagination.ending_before {
        json!({ "last": limit, "before": before })
    } else {
        json!({ "first": limit })
    };
    json!({ "filter": filter, "paging": paging })
}

fn active_subscriptions_input(input: &GetActiveSubscriptions) -> Value {
    match &input.resource_id {
        Some(OneOrMany::Many(ids)) => {
            json!({ "customerId": input.customer_id, "resourceIds": ids })
        }
        Some(OneOrMany::One(id)) => json!({ "customerId": input.customer_id, "resourceId": id }),
        None => json!({ "customerId": input.customer_id }),
    }
}

fn validate_active(input: &GetActiveSubscriptions) -> Result<()> {
    validate::non_empty("customerId", &input.customer_id)?;
    match &input.resource_id {
        Some(OneOrMany::One(r)) => validate::non_empty("resourceId", r),
        Some(OneOrMany::Many(rs)) => rs
            .iter()
            .try_for_each(|r| validate::non_empty("resourceId", r)),
        None => Ok(()),
    }
}

impl Stigg {
    /// `provisionSubscription` (mutation `provisionSubscriptionV2`). Renames: `id→refId`,
    /// `metadata→additionalMetaData`.
    ///
    /// Cache: stores the returned `entitlementsV2` for the customer (and resource).
    pub async fn provision_subscription(
        &self,
        input: ProvisionSubscription,
    ) -> Result<ProvisionSubscriptionResult> {
        validate::non_empty("customerId", &input.customer_id)?;
        validate::non_empty("planId", &input.plan_id)?;
        if let Some(r) = &input.resource_id {
            validate::non_empty("resourceId", r)?;
        }
        let wire = to_wire(
            &input,
            &[("id", "refId"), ("metadata", "additionalMetaData")],
        )?;
        let data: ProvisionSubscriptionData = self
            .manage(
                docs::PROVISION_SUBSCRIPTION,
                json!({ "input": wire }),
                "Failed to provision subscription",
            )
            .await?;
        let p = data.provision_subscription;
        self.store_provisioned(
            &input.customer_id,
            input.resource_id.as_deref(),
            p.entitlements_v2,
        )
        .await;
        Ok(ProvisionSubscriptionResult {
            provision_status: p.status,
            subscription: p.subscription.map(Into::into),
            checkout_url: p.checkout_url,
        })
    }

    /// `updateSubscription` (mutation `updateOneSubscription`). Renames: `subscriptionId→refId`,
    /// `metadata→additionalMetaData`; `cancellationDate` is PATCH (absent/null/date).
    ///
    /// Cache: refetches the subscription's customer (or resource) over GraphQL.
    pub async fn update_subscription(&self, input: UpdateSubscription) -> Result<Subscription> {
        validate::non_empty("subscriptionId", &input.subscription_id)?;
        let wire = to_wire(
            &input,
            &[
                ("subscriptionId", "refId"),
                ("metadata", "additionalMetaData"),
            ],
        )?;
        let data: UpdateSubscriptionData = self
            .manage(
                docs::UPDATE_SUBSCRIPTION,
                json!({ "input": wire }),
                "Failed to update subscription",
            )
            .await?;
        let (customer, resource) = data.update_subscription.customer_and_resource();
        self.refetch_after_write(customer, resource, "updateSubscription")
            .await;
        Ok(data.update_subscription.into())
    }

    /// `cancelSubscription`. Rename: `subscriptionId→subscriptionRefId`.
    ///
    /// Cache: refetches the subscription's customer (or resource) over GraphQL.
    pub async fn cancel_subscription(&self, input: CancelSubscription) -> Result<Subscription> {
        validate::non_empty("subscriptionId", &input.subscription_id)?;
        let wire = to_wire(&input, &[("subscriptionId", "subscriptionRefId")])?;
        let data: CancelSubscriptionData = self
            .manage(
                docs::CANCEL_SUBSCRIPTION,
                json!({ "input": wire }),
                "Failed to cancel subscription",
            )
            .await?;
        let (customer, resource) = data.cancel_subscription.customer_and_resource();
        self.refetch_after_write(customer, resource, "cancelSubscription")
            .await;
        Ok(data.cancel_subscription.into())
    }

    /// `cancelSubscriptionScheduledUpdates` (mutation `cancelSchedule`): returns `{subscriptionId}`.
    pub async fn cancel_subscription_scheduled_updates(
        &self,
        input: CancelSubscriptionScheduledUpdates,
    ) -> Result<SubscriptionIdResult> {
        validate::non_empty("subscriptionId", &input.subscription_id)?;
        let wire = to_wire(&input, &[])?;
        let data: CancelScheduleData = self
            .manage(
                docs::CANCEL_SUBSCRIPTION_UPDATES,
                json!({ "input": wire }),
                "Failed to cancel subscription scheduled updates",
            )
            .await?;
        Ok(SubscriptionIdResult {
            subscription_id: data.cancel_schedule,
        })
    }

    /// `migrateSubscriptionToLatest`: returns `{subscriptionId}`.
    ///
    /// Cache: refetches the subscription's customer (or resource) over GraphQL (the official SDK
    /// does not; a migration changes entitlements as much as an update does).
    pub async fn migrate_subscription_to_latest(
        &self,
        input: MigrateSubscriptionToLatest,
    ) -> Result<SubscriptionIdResult> {
        validate::non_empty("subscriptionId", &input.subscription_id)?;
        let wire = to_wire(&input, &[])?;
        let data: MigrateData = self
            .manage(
                docs::MIGRATE_SUBSCRIPTION_TO_LATEST,
                json!({ "input": wire }),
                "Failed to migrate subscription to latest",
            )
            .await?;
        let m = data.migrate_subscription_to_latest;
        let (customer, resource) = m.refs.customer_and_resource();
        self.refetch_after_write(customer, resource, "migrateSubscriptionToLatest")
            .await;
        Ok(SubscriptionIdResult {
            subscription_id: m.subscription_id,
        })
    }

    /// `estimateSubscription`: the JSON of `SubscriptionPreview` (`subTotal`, `total`,
    /// `totalExcludingTax`, `discountAmount`, `tax`, `taxDetails`, `discount`, `billingPeriodRange`,
    /// `isPlanDowngrade`, `hasScheduledUpdates`, `credits`, `proration`, `subscription`).
    pub async fn estimate_subscription(&self, input: EstimateSubscription) -> Result<Value> {
        validate::non_empty("customerId", &input.customer_id)?;
        validate::non_empty("planId", &input.plan_id)?;
        let wire = to_wire(&input, &[])?;
        let data: EstimateData = self
            .manage(
                docs::ESTIMATE_SUBSCRIPTION,
                json!({ "input": wire }),
                "Failed to estimate subscription",
            )
            .await?;
        Ok(data.estimate_subscription)
    }

    /// `estimateSubscriptionUpdate`: the JSON of `SubscriptionPreview` (as
    /// [`estimate_subscription`](Self::estimate_subscription)).
    pub async fn estimate_subscription_update(
        &self,
        input: EstimateSubscriptionUpdate,
    ) -> Result<Value> {
        validate::non_empty("subscriptionId", &input.subscription_id)?;
        let wire = to_wire(&input, &[])?;
        let data: EstimateUpdateData = self
            .manage(
                docs::ESTIMATE_SUBSCRIPTION_UPDATE,
                json!({ "input": wire }),
                "Failed to estimate subscription",
            )
            .await?;
        Ok(data.estimate_subscription_update)
    }

    /// `previewSubscription`: the JSON of `SubscriptionPreviewV2` (`immediateInvoice`,
    /// `recurringInvoice`, `billingPeriodRange`, `isPlanDowngrade`, `hasScheduledUpdates`).
    pub async fn preview_subscription(&self, input: PreviewSubscription) -> Result<Value> {
        validate::non_empty("customerId", &input.customer_id)?;
        validate::non_empty("planId", &input.plan_id)?;
        let wire = to_wire(&input, &[])?;
        let data: PreviewData = self
            .manage(
                docs::PREVIEW_SUBSCRIPTION,
                json!({ "input": wire }),
                "Failed to preview subscription",
            )
            .await?;
        Ok(data.preview_subscription)
    }

    /// `getSubscription`. An unknown subscription is an API error (code from Stigg, or
    /// `SubscriptionNotFound` when the server answers null).
    pub async fn get_subscription(&self, subscription_id: &str) -> Result<Subscription> {
        const PREFIX: &str = "Failed to get subscription";
        validate::non_empty("subscriptionId", subscription_id)?;
        let data: GetSubscriptionData = self
            .manage(
                docs::GET_SUBSCRIPTION,
                json!({ "input": { "subscriptionId": subscription_id } }),
                PREFIX,
            )
            .await?;
        data.get_subscription
            .map(Into::into)
            .ok_or_else(|| not_found(PREFIX, "Subscription", "SubscriptionNotFound"))
    }

    /// `getActiveSubscriptions` (GraphQL). A list of resource ids is sent as `resourceIds`.
    pub async fn get_active_subscriptions(
        &self,
        input: GetActiveSubscriptions,
    ) -> Result<Vec<Subscription>> {
        const PREFIX: &str = "Failed to get active subscriptions";
        validate_active(&input)?;
        let data: ActiveSubscriptionsData = self
            .manage(
                docs::GET_ACTIVE_SUBSCRIPTIONS,
                json!({ "input": active_subscriptions_input(&input) }),
                PREFIX,
            )
            .await?;
        data.get_active_subscriptions
            .map(|l| l.into_iter().map(Into::into).collect())
            .ok_or_else(|| not_found(PREFIX, "Customer", "CustomerNotFound"))
    }

    /// `getActiveSubscriptionsList`: the slim list, from Edge (`/v1/c/{id}/subscriptions.json`,
    /// `resourceId=` or repeated `resourceIds=`) when Edge is enabled, else GraphQL.
    pub async fn get_active_subscriptions_list(
        &self,
        input: GetActiveSubscriptions,
    ) -> Result<Vec<Subscription>> {
        const PREFIX: &str = "Failed to get active subscriptions list";
        validate_active(&input)?;
        let data: ActiveSubscriptionsData = if self.inner.config.enable_edge {
            let query: Vec<(&str, &str)> = match &input.resource_id {
                Some(OneOrMany::One(r)) => vec![("resourceId", r.as_str())],
                Some(OneOrMany::Many(rs)) => {
                    rs.iter().map(|r| ("resourceIds", r.as_str())).collect()
                }
                None => Vec::new(),
            };
            self.manage_edge(
                &["v1", "c", &input.customer_id, "subscriptions.json"],
                &query,
                PREFIX,
            )
            .await?
        } else {
            self.manage(
                docs::GET_ACTIVE_SUBSCRIPTIONS_LIST,
                json!({ "input": active_subscriptions_input(&input) }),
                PREFIX,
            )
            .await?
        };
        Ok(data
            .get_active_subscriptions
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// `getSubscriptions`: one page (`limit` default 10), filtered by customer, resource(s),
    /// status(es) and product(s) (`{eq}` for one, `{in}` for several). Page with
    /// `pagination.startingAfter = pageInfo.endCursor` (or `endingBefore = pageInfo.startCursor`).
    pub async fn get_subscriptions(
        &self,
        input: GetSubscriptions,
    ) -> Result<PagedList<Subscription>> {
        if let Some(c) = &input.customer_id {
            validate::non_empty("customerId", c)?;
        }
        if input.pagination.as_ref().and_then(|p| p.limit) == Some(0) {
            return Err(crate::error::StiggError::invalid(
                "pagination.limit",
                "must be positive",
            ));
        }
        let data: SubscriptionsData = self
            .manage(
                docs::GET_SUBSCRIPTIONS,
                subscriptions_variables(&input),
                "Failed to get subscriptions",
            )
            .await?;
        Ok(data.subscriptions.into_paged(Into::into))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::management::Pagination;
    use crate::model::SubscriptionStatus;

    #[test]
    fn subscriptions_paging_follows_node() {
        let v = subscriptions_variables(&GetSubscriptions::default());
        assert_eq!(v["paging"], json!({"first": 10}));
        assert_eq!(v["filter"], json!({}));
        let v = subscriptions_variables(&GetSubscriptions {
            customer_id: Some("c".into()),
            resource_id: Some(OneOrMany::Many(vec!["r1".into(), "r2".into()])),
            status: Some(SubscriptionStatus::Active.into()),
            pagination: Some(Pagination {
                limit: Some(5),
                starting_after: Some("cur".into()),
                ending_before: Some("ignored".into()),
            }),
            ..Default::default()
        });
        assert_eq!(
            v["filter"],
            json!({"customerId": {"eq": "c"}, "resourceId": {"in": ["r1", "r2"]}, "status": {"eq": "ACTIVE"}})
        );
        assert_eq!(v["paging"], json!({"first": 5, "after": "cur"}));
        let v = subscriptions_variables(&GetSubscriptions {
            pagination: Some(Pagination {
                limit: None,
                starting_after: None,
                ending_before: Some("cur".into()),
            }),
            ..Default::default()
        });
        assert_eq!(v["paging"], json!({"last": 10, "before": "cur"}));
    }
}
