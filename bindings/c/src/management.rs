//! Management calls (customers, subscriptions, catalog, promotions, credits, usage history) by the
//! official SDK's method names, JSON in and out. Pure translation: each arm parses the core's input
//! type and serializes the core's result.

use serde::Deserialize;
use serde_json::Value;
use stigg_core::model::management::*;
use stigg_core::{Stigg, StiggError};

use crate::calls::{input, output};

/// The names `dispatch` knows.
pub const OPERATIONS: [&str; 27] = [
    "provisionCustomer",
    "updateCustomer",
    "getCustomer",
    "archiveCustomer",
    "unarchiveCustomer",
    "provisionSubscription",
    "updateSubscription",
    "cancelSubscription",
    "cancelSubscriptionScheduledUpdates",
    "migrateSubscriptionToLatest",
    "estimateSubscription",
    "estimateSubscriptionUpdate",
    "previewSubscription",
    "getSubscription",
    "getActiveSubscriptions",
    "getActiveSubscriptionsList",
    "getSubscriptions",
    "getPaywall",
    "getCoupons",
    "getProducts",
    "grantPromotionalEntitlements",
    "revokePromotionalEntitlements",
    "grantCredits",
    "voidCreditGrant",
    "getCreditGrants",
    "getCreditBalance",
    "getUsageHistoryV2",
];

/// An id given bare (`"c-1"`) or as an object (`{"customerId": "c-1"}` / `{"subscriptionId": ...}`).
#[derive(Deserialize)]
#[serde(untagged)]
enum IdArg {
    Bare(String),
    Object {
        #[serde(alias = "customerId", alias = "subscriptionId")]
        id: String,
    },
}

fn id(v: Value) -> Result<String, StiggError> {
    Ok(match input::<IdArg>(v)? {
        IdArg::Bare(s) | IdArg::Object { id: s } => s,
    })
}

/// Runs one management operation.
pub async fn dispatch(stigg: &Stigg, operation: &str, v: Value) -> Result<Value, StiggError> {
    match operation {
        "provisionCustomer" => output(stigg.provision_customer(input(v)?).await?),
        "updateCustomer" => output(stigg.update_customer(input(v)?).await?),
        "getCustomer" => output(stigg.get_customer(&id(v)?).await?),
        "archiveCustomer" => output(stigg.archive_customer(&id(v)?).await?),
        "unarchiveCustomer" => output(stigg.unarchive_customer(&id(v)?).await?),
        "provisionSubscription" => output(stigg.provision_subscription(input(v)?).await?),
        "updateSubscription" => output(stigg.update_subscription(input(v)?).await?),
        "cancelSubscription" => output(stigg.cancel_subscription(input(v)?).await?),
        "cancelSubscriptionScheduledUpdates" => output(
            stigg
                .cancel_subscription_scheduled_updates(input(v)?)
                .await?,
        ),
        "migrateSubscriptionToLatest" => {
            output(stigg.migrate_subscription_to_latest(input(v)?).await?)
        }
        "estimateSubscription" => output(stigg.estimate_subscription(input(v)?).await?),
        "estimateSubscriptionUpdate" => {
            output(stigg.estimate_subscription_update(input(v)?).await?)
        }
        "previewSubscription" => output(stigg.preview_subscription(input(v)?).await?),
        "getSubscription" => output(stigg.get_subscription(&id(v)?).await?),
        "getActiveSubscriptions" => output(stigg.get_active_subscriptions(input(v)?).await?),
        "getActiveSubscriptionsList" => {
            output(stigg.get_active_subscriptions_list(input(v)?).await?)
        }
        "getSubscriptions" => output(stigg.get_subscriptions(input(v)?).await?),
        "getPaywall" => {
            let p: GetPaywall = if v.is_null() {
                GetPaywall::default()
            } else {
                input(v)?
            };
            output(stigg.get_paywall(p).await?)
        }
        "getCoupons" => output(stigg.get_coupons().await?),
        "getProducts" => output(stigg.get_products().await?),
        "grantPromotionalEntitlements" => {
            output(stigg.grant_promotional_entitlements(input(v)?).await?)
        }
        "revokePromotionalEntitlements" => {
            output(stigg.revoke_promotional_entitlements(input(v)?).await?)
        }
        "grantCredits" => output(stigg.grant_credits(input(v)?).await?),
        "voidCreditGrant" => output(stigg.void_credit_grant(input(v)?).await?),
        "getCreditGrants" => output(stigg.get_credit_grants(input(v)?).await?),
        "getCreditBalance" => output(stigg.get_credit_balance(input(v)?).await?),
        "getUsageHistoryV2" => output(stigg.get_usage_history_v2(input(v)?).await?),
        other => Err(StiggError::invalid(
            "operation",
            format!("unknown operation `{other}`"),
        )),
    }
}
