//! The management API (customers, subscriptions, catalog, credits, promotions, usage history): cold
//! calls whose inputs and results cross as JSON documents with the official SDK's field names.
//! `index.js` turns `Date`s in inputs into ISO strings and known instant fields of results back
//! into `Date`s. Each method is one line of [`management!`]: its name (the core's method), how its
//! argument is read, and its TypeScript types.
//!
//! Argument forms: `input` (the parameter object, read into the core's input type, which the call
//! infers), `id` (a plain string argument, `getCustomer(customerId)`), `field "name"` (a string taken
//! from the parameter object, `getSubscription({subscriptionId})`), nothing (an optional parameter
//! object, `{}` when absent). Calls without arguments are written out below the macro.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

use crate::{errors, from_json, task, to_json, Stigg};

macro_rules! management {
    // One `#[napi] impl` block per method: `#[napi]` reads its block before macros expand.
    ($( $name:ident ($($form:tt)*) : $ts_in:tt -> $ts_out:tt, $doc:literal; )*) => {
        $( management!(@method $name ($($form)*) $ts_in, $ts_out, $doc); )*
    };
    // A required argument: the parameter object, a plain id, or an id field of the object.
    (@method $name:ident ($($form:tt)+) $ts_in:tt, $ts_out:tt, $doc:literal) => {
        #[napi]
        impl Stigg {
        #[doc = $doc]
        #[napi(ts_return_type = $ts_out)]
        pub fn $name<'e>(
            &self,
            env: &'e Env,
            #[napi(ts_arg_type = $ts_in)] input: Value,
        ) -> Result<Object<'e>> {
            let core = self.core.clone();
            let rt = core.runtime_handle().clone();
            management!(@call env, rt, core, $name, input, $($form)+)
        }
        }
    };
    // An optional parameter object (`{}` when absent).
    (@method $name:ident () $ts_in:tt, $ts_out:tt, $doc:literal) => {
        #[napi]
        impl Stigg {
        #[doc = $doc]
        #[napi(ts_return_type = $ts_out)]
        pub fn $name<'e>(
            &self,
            env: &'e Env,
            #[napi(ts_arg_type = $ts_in)] input: Option<Value>,
        ) -> Result<Object<'e>> {
            let core = self.core.clone();
            let rt = core.runtime_handle().clone();
            let input = input
                .filter(|v| !v.is_null())
                .unwrap_or_else(|| Value::Object(Default::default()));
            management!(@call env, rt, core, $name, input, input)
        }
        }
    };
    (@call $env:ident, $rt:ident, $core:ident, $name:ident, $input:ident, input) => {{
        let input = from_json("input", $input).map_err(|e| errors::to_js($env, &e))?;
        task::spawn($env, &$rt, async move { $core.$name(input).await }, to_json)
    }};
    (@call $env:ident, $rt:ident, $core:ident, $name:ident, $input:ident, id) => {{
        let id: String = from_json("id", $input).map_err(|e| errors::to_js($env, &e))?;
        task::spawn($env, &$rt, async move { $core.$name(&id).await }, to_json)
    }};
    (@call $env:ident, $rt:ident, $core:ident, $name:ident, $input:ident, field $field:literal) => {{
        let id: String = from_json($field, $input.get($field).cloned().unwrap_or(Value::Null))
            .map_err(|e| errors::to_js($env, &e))?;
        task::spawn($env, &$rt, async move { $core.$name(&id).await }, to_json)
    }};
}

/// Methods without arguments.
#[napi]
impl Stigg {
    /// `getCoupons()`: the active coupons (the official SDK's first 25).
    #[napi(ts_return_type = "Promise<any[]>")]
    pub fn get_coupons<'e>(&self, env: &'e Env) -> Result<Object<'e>> {
        let core = self.core.clone();
        let rt = core.runtime_handle().clone();
        task::spawn(env, &rt, async move { core.get_coupons().await }, to_json)
    }

    /// `getProducts()`: the products (the official SDK's first 20).
    #[napi(ts_return_type = "Promise<any[]>")]
    pub fn get_products<'e>(&self, env: &'e Env) -> Result<Object<'e>> {
        let core = self.core.clone();
        let rt = core.runtime_handle().clone();
        task::spawn(env, &rt, async move { core.get_products().await }, to_json)
    }
}

management! {
    provision_customer(input): "ProvisionCustomer" -> "Promise<any>", "`provisionCustomer`: creates or updates a customer, optionally with a subscription; caches the returned entitlements.";
    update_customer(input): "UpdateCustomer" -> "Promise<any>", "`updateCustomer`.";
    get_customer(id): "string" -> "Promise<any>", "`getCustomer(customerId)`.";
    archive_customer(id): "string" -> "Promise<string>", "`archiveCustomer(customerId)`: resolves to the customer id.";
    unarchive_customer(id): "string" -> "Promise<any>", "`unarchiveCustomer(customerId)`.";
    provision_subscription(input): "ProvisionSubscription" -> "Promise<any>", "`provisionSubscription`: caches the returned entitlements.";
    update_subscription(input): "Record<string, unknown>" -> "Promise<any>", "`updateSubscription`: refetches the customer's entitlements afterwards.";
    cancel_subscription(input): "Record<string, unknown>" -> "Promise<any>", "`cancelSubscription`: refetches the customer's entitlements afterwards.";
    cancel_subscription_scheduled_updates(input): "Record<string, unknown>" -> "Promise<{ subscriptionId: string }>", "`cancelSubscriptionScheduledUpdates({subscriptionId, status?})`.";
    migrate_subscription_to_latest(input): "Record<string, unknown>" -> "Promise<{ subscriptionId: string }>", "`migrateSubscriptionToLatest({subscriptionId, subscriptionMigrationTime?})`.";
    estimate_subscription(input): "Record<string, unknown>" -> "Promise<any>", "`estimateSubscription`.";
    estimate_subscription_update(input): "Record<string, unknown>" -> "Promise<any>", "`estimateSubscriptionUpdate`.";
    preview_subscription(input): "Record<string, unknown>" -> "Promise<any>", "`previewSubscription`.";
    get_subscription(field "subscriptionId"): "{ subscriptionId: string }" -> "Promise<any>", "`getSubscription({subscriptionId})`.";
    get_active_subscriptions(input): "{ customerId: string; resourceId?: string | string[] }" -> "Promise<any[]>", "`getActiveSubscriptions({customerId, resourceId?})`.";
    get_active_subscriptions_list(input): "{ customerId: string; resourceId?: string | string[] }" -> "Promise<any[]>", "`getActiveSubscriptionsList({customerId, resourceId?})` (Edge).";
    get_subscriptions(): "Record<string, unknown> | undefined" -> "Promise<{ data: any[]; pageInfo: any; totalCount?: number }>", "`getSubscriptions({customerId?, resourceId?, status?, productId?, pagination?})`.";
    get_paywall(): "Record<string, unknown> | undefined" -> "Promise<any>", "`getPaywall({productId?, customerId?, resourceId?, billingCountryCode?, ...})`.";
    grant_credits(input): "Record<string, unknown>" -> "Promise<any>", "`grantCredits`.";
    void_credit_grant(input): "Record<string, unknown>" -> "Promise<any>", "`voidCreditGrant`.";
    get_credit_grants(input): "Record<string, unknown>" -> "Promise<any>", "`getCreditGrants`.";
    get_credit_balance(input): "Record<string, unknown>" -> "Promise<any>", "`getCreditBalance`.";
    grant_promotional_entitlements(input): "Record<string, unknown>" -> "Promise<any[]>", "`grantPromotionalEntitlements`.";
    revoke_promotional_entitlements(input): "Record<string, unknown>" -> "Promise<any>", "`revokePromotionalEntitlements`.";
    get_usage_history_v2(input): "Record<string, unknown>" -> "Promise<any>", "`getUsageHistoryV2`.";
}
