//! Inputs and results of the management API (spec §2.5): customers, subscriptions, catalog, coupons,
//! promotional entitlements, credits administration and usage history.
//!
//! **Inputs** are shaped like the official Node SDK's (`customerId`, `metadata`, `billingInfo`,
//! `couponId`, `subscriptionId`, ...), serde in camelCase. The client renames them to Stigg's GraphQL
//! input fields on the way out, exactly as Node does (`customerId→refId`, `metadata→additionalMetaData`,
//! ...; each method documents its renames). Most inputs also carry `extra`: further fields of Stigg's
//! GraphQL input type (e.g. `charges`, `priceOverrides`, `checkoutOptions`), sent verbatim and
//! unchecked, so a field Stigg adds is usable without a new SDK.
//!
//! **Results** are typed where the shape is small and used often ([`Customer`], [`Subscription`],
//! [`ProvisionedCustomer`], [`ProvisionSubscriptionResult`], [`Coupon`], [`PagedList`]), shaped like
//! Node's mapped models (`id` is the customer's/subscription's own id, `metadata` is
//! `additionalMetaData`). Large, rarely used shapes (paywall, products, estimates and previews, usage
//! history, credit grants and balances, promotional entitlements) are returned as the
//! `serde_json::Value` of the GraphQL selection the client sends (see `api::management_documents`),
//! which is what the language bindings pass on anyway.
//!
//! Instants are epoch milliseconds here and ISO-8601 strings on the wire and in serialized results.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::enums::{EntitlementResetPeriod, SubscriptionStatus};
use super::time::{iso_opt, Millis};
use super::wire_enum::wire_enum;

/// Further GraphQL input fields, sent verbatim.
pub type ExtraFields = Map<String, Value>;

// ------------------------------------------------------------------------------------------ enums

wire_enum! {
    /// How Stigg chose the first subscription of a provisioned customer.
    pub enum SubscriptionDecisionStrategy {
        /// The product's free plan.
        PredefinedFreePlan = "PREDEFINED_FREE_PLAN",
        /// The product's trial plan.
        PredefinedTrialPlan = "PREDEFINED_TRIAL_PLAN",
        /// The plan in `subscriptionParams`.
        RequestedPlan = "REQUESTED_PLAN",
        /// No subscription was created.
        SkippedSubscriptionCreation = "SKIPPED_SUBSCRIPTION_CREATION",
    }
}

wire_enum! {
    /// Outcome of `provisionSubscription`.
    pub enum ProvisionSubscriptionStatus {
        /// The customer must pay first (see `checkoutUrl`).
        PaymentRequired = "PAYMENT_REQUIRED",
        /// The subscription was created.
        Success = "SUCCESS",
    }
}

wire_enum! {
    /// A plan's pricing type.
    pub enum PricingType {
        /// Custom (sales-led).
        Custom = "CUSTOM",
        /// Free.
        Free = "FREE",
        /// Paid.
        Paid = "PAID",
    }
}

wire_enum! {
    /// Billing period.
    pub enum BillingPeriod {
        /// Yearly.
        Annually = "ANNUALLY",
        /// Monthly.
        Monthly = "MONTHLY",
    }
}

wire_enum! {
    /// When a cancellation takes effect.
    pub enum SubscriptionCancellationTime {
        /// At the end of the billing period.
        EndOfBillingPeriod = "END_OF_BILLING_PERIOD",
        /// Now.
        Immediate = "IMMEDIATE",
        /// At `endDate`.
        SpecificDate = "SPECIFIC_DATE",
    }
}

wire_enum! {
    /// What a cancellation does to entitlements.
    pub enum SubscriptionCancellationAction {
        /// Stigg's default (downgrade to the free plan when there is one).
        Default = "DEFAULT",
        /// Revoke the entitlements.
        RevokeEntitlements = "REVOKE_ENTITLEMENTS",
    }
}

wire_enum! {
    /// When a subscription update applies.
    pub enum ScheduleStrategy {
        /// At the end of the billing month.
        EndOfBillingMonth = "END_OF_BILLING_MONTH",
        /// At the end of the billing period.
        EndOfBillingPeriod = "END_OF_BILLING_PERIOD",
        /// Now.
        Immediate = "IMMEDIATE",
    }
}

wire_enum! {
    /// When a subscription migrates to the latest plan version.
    pub enum SubscriptionMigrationTime {
        /// At the end of the billing period.
        EndOfBillingPeriod = "END_OF_BILLING_PERIOD",
        /// Now.
        Immediate = "IMMEDIATE",
    }
}

wire_enum! {
    /// Status of a scheduled subscription update.
    pub enum SubscriptionScheduleStatus {
        /// Canceled.
        Canceled = "Canceled",
        /// Applied.
        Done = "Done",
        /// Failed.
        Failed = "Failed",
        /// Waiting for payment.
        PendingPayment = "PendingPayment",
        /// Scheduled.
        Scheduled = "Scheduled",
    }
}

wire_enum! {
    /// How long a promotional entitlement lasts.
    pub enum PromotionalEntitlementPeriod {
        /// Until `customEndDate`.
        Custom = "CUSTOM",
        /// Forever.
        Lifetime = "LIFETIME",
        /// One month.
        OneMonth = "ONE_MONTH",
        /// One week.
        OneWeek = "ONE_WEEK",
        /// One year.
        OneYear = "ONE_YEAR",
        /// Six months.
        SixMonth = "SIX_MONTH",
    }
}

wire_enum! {
    /// Payment state of a subscription.
    pub enum PaymentCollection {
        /// The customer must act (e.g. 3-D Secure).
        ActionRequired = "ACTION_REQUIRED",
        /// The payment failed.
        Failed = "FAILED",
        /// Nothing to collect.
        NotRequired = "NOT_REQUIRED",
        /// Being collected.
        Processing = "PROCESSING",
    }
}

wire_enum! {
    /// Kind of credit grant.
    pub enum CreditGrantType {
        /// Paid credits.
        Paid = "PAID",
        /// Free credits.
        Promotional = "PROMOTIONAL",
    }
}

// ------------------------------------------------------------------------------- small helpers

/// One value or a list of them (Node accepts both for `resourceId`, `status`, `productId`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    /// One value.
    One(T),
    /// Several values.
    Many(Vec<T>),
}

impl<T> From<T> for OneOrMany<T> {
    fn from(v: T) -> Self {
        OneOrMany::One(v)
    }
}

impl From<&str> for OneOrMany<String> {
    fn from(v: &str) -> Self {
        OneOrMany::One(v.to_owned())
    }
}

impl<T> From<Vec<T>> for OneOrMany<T> {
    fn from(v: Vec<T>) -> Self {
        OneOrMany::Many(v)
    }
}

/// A PATCH field: absent (leave unchanged), `null` (clear) or a value. Serde: `None` is skipped,
/// `Some(None)` is written as `null`; a JSON `null` deserializes to `Some(None)`.
pub type Patch<T> = Option<Option<T>>;

/// Serde helpers for a [`Patch`] of an instant (ISO string on the wire).
pub mod patch_iso {
    use super::*;

    /// `null` → `Some(None)`, a value → `Some(Some(ms))`. Use with `#[serde(default)]` so that an
    /// absent field is `None`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Patch<Millis>, D::Error> {
        iso_opt::deserialize(d).map(Some)
    }

    /// Writes `null` or the ISO string (skip `None` with `skip_serializing_if`).
    pub fn serialize<S: Serializer>(v: &Patch<Millis>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(inner) => iso_opt::serialize(inner, s),
            None => s.serialize_none(),
        }
    }
}

/// Serde helper for a [`Patch`] of any value: a JSON `null` becomes `Some(None)`.
pub mod patch {
    use super::*;

    /// `null` → `Some(None)`, a value → `Some(Some(v))`; use with `#[serde(default)]`.
    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        d: D,
    ) -> Result<Patch<T>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

/// An amount of money.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Money {
    /// The amount.
    #[serde(default)]
    pub amount: f64,
    /// ISO currency code, lower case as Stigg sends it (`usd`).
    #[serde(default)]
    pub currency: String,
}

/// An addon and its quantity (`SubscriptionAddonInput`, and the mapped `addons` of a subscription).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionAddon {
    /// Addon id.
    pub addon_id: String,
    /// Quantity (Stigg's default: 1; an `Int` on the wire).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<u32>,
}

/// A billable feature and its quantity (`BillableFeatureInput`, e.g. seats).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillableFeature {
    /// Feature id.
    pub feature_id: String,
    /// Quantity.
    pub quantity: f64,
}

/// A coupon applied to a subscription (`SubscriptionCouponInput`); further fields of that input
/// (`discount`, `configuration`, `billingCouponId`) go in `extra`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppliedCoupon {
    /// Coupon id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_id: Option<String>,
    /// A promotion code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promotion_code: Option<String>,
    /// Further `SubscriptionCouponInput` fields.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

// ------------------------------------------------------------------------------------ customers

/// `provisionCustomer` input. Sent as `ProvisionCustomerInput` with Node's renames:
/// `customerId→refId`, `billingInfo→billingInformation`, `metadata→additionalMetaData`,
/// `couponId→couponRefId`; in `subscriptionParams`, `metadata→additionalMetaData` and
/// `unitQuantity→priceUnitAmount`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisionCustomer {
    /// The customer's id; Stigg generates one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    /// Email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Billing information (`CustomerBillingInfo`: address, currency, tax ids, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_info: Option<Value>,
    /// Free-form metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// A coupon for the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_id: Option<String>,
    /// The first subscription. Absent: Stigg decides (e.g. the product's free plan); `null`
    /// (`Some(None)`): skip creating one.
    #[serde(
        default,
        deserialize_with = "patch::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub subscription_params: Patch<ProvisionCustomerSubscription>,
    /// Keep the customer out of a running experiment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude_from_experiment: Option<bool>,
    /// The customer's id in the billing system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_id: Option<String>,
    /// Salesforce id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salesforce_id: Option<String>,
    /// AWS Marketplace customer id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_marketplace_customer_id: Option<String>,
    /// Further `ProvisionCustomerInput` fields.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// `provisionCustomer`'s `subscriptionParams` (`ProvisionCustomerSubscriptionInput`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisionCustomerSubscription {
    /// Plan id.
    pub plan_id: String,
    /// Billing period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_period: Option<BillingPeriod>,
    /// Addons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addons: Option<Vec<SubscriptionAddon>>,
    /// Billable features (per-unit quantities).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billable_features: Option<Vec<BillableFeature>>,
    /// Unit quantity (sent as `priceUnitAmount`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_quantity: Option<f64>,
    /// Metadata (sent as `additionalMetaData`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// Resource id (multi-resource products).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    /// Start date.
    #[serde(default, with = "iso_opt", skip_serializing_if = "Option::is_none")]
    pub start_date: Option<Millis>,
    /// A coupon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_coupon: Option<AppliedCoupon>,
    /// Further `ProvisionCustomerSubscriptionInput` fields (`trialOverrideConfiguration`,
    /// `billingInformation`, `charges`, ...).
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// `updateCustomer` input. Renames: `customerId→refId`, `couponId→couponRefId`,
/// `billingInfo→billingInformation`, `metadata→additionalMetaData`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateCustomer {
    /// The customer's id (required).
    pub customer_id: String,
    /// Email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Billing system id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_id: Option<String>,
    /// Billing information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_info: Option<Value>,
    /// Metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// Coupon id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_id: Option<String>,
    /// Wait for the billing system sync before answering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub should_wait_sync: Option<bool>,
    /// Salesforce id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salesforce_id: Option<String>,
    /// AWS Marketplace customer id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_marketplace_customer_id: Option<String>,
    /// Further `UpdateCustomerInput` fields.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// A customer (Node's mapped `Customer`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    /// The customer's id (Stigg's `refId`/`customerId`).
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Billing system id.
    #[serde(default)]
    pub billing_id: Option<String>,
    /// Created at.
    #[serde(default, with = "iso_opt")]
    pub created_at: Option<Millis>,
    /// Updated at.
    #[serde(default, with = "iso_opt")]
    pub updated_at: Option<Millis>,
    /// Metadata (`additionalMetaData`).
    #[serde(default)]
    pub metadata: Option<Value>,
    /// AWS Marketplace customer id.
    #[serde(default)]
    pub aws_marketplace_customer_id: Option<String>,
}

/// A plan the customer already trialed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrialedPlan {
    /// Plan id.
    #[serde(default)]
    pub plan_id: Option<String>,
    /// Product id.
    #[serde(default)]
    pub product_id: Option<String>,
}

/// `getCustomer`'s result: the customer with its subscriptions, coupon and promotional entitlements.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FullCustomer {
    /// The customer.
    #[serde(flatten)]
    pub customer: Customer,
    /// Whether a payment method is on file.
    #[serde(default)]
    pub has_payment_method: bool,
    /// The customer's subscriptions.
    #[serde(default)]
    pub subscriptions: Vec<Subscription>,
    /// The customer's coupon.
    #[serde(default)]
    pub coupon: Option<Coupon>,
    /// Promotional entitlements (the JSON of `PromotionalEntitlement`).
    #[serde(default)]
    pub promotional_entitlements: Vec<Value>,
    /// Plans already trialed (Node: `alreadyTrialPlans`).
    #[serde(default)]
    pub already_trial_plans: Vec<TrialedPlan>,
}

/// `provisionCustomer`'s result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisionedCustomer {
    /// The customer.
    pub customer: Customer,
    /// How the first subscription was chosen.
    pub subscription_decision_strategy: SubscriptionDecisionStrategy,
    /// The first subscription, when one was created.
    #[serde(default)]
    pub subscription: Option<Subscription>,
}

// -------------------------------------------------------------------------------- subscriptions

/// `provisionSubscription` input, sent as `ProvisionSubscriptionInput` with Node's renames
/// `id→refId`, `metadata→additionalMetaData` (`unitQuantity` is sent as is, as Node does here).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisionSubscription {
    /// Customer id (required).
    pub customer_id: String,
    /// Plan id (required).
    pub plan_id: String,
    /// The new subscription's id (sent as `refId`); Stigg generates one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The paying customer, when another customer pays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paying_customer_id: Option<String>,
    /// Resource id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    /// Billing period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_period: Option<BillingPeriod>,
    /// Addons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addons: Option<Vec<SubscriptionAddon>>,
    /// Billable features.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billable_features: Option<Vec<BillableFeature>>,
    /// Unit quantity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_quantity: Option<f64>,
    /// Metadata (sent as `additionalMetaData`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// Start date.
    #[serde(default, with = "iso_opt", skip_serializing_if = "Option::is_none")]
    pub start_date: Option<Millis>,
    /// Skip the plan's trial.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_trial: Option<bool>,
    /// Wait for the payment before answering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub await_payment_confirmation: Option<bool>,
    /// Billing system id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_id: Option<String>,
    /// Billing country (price localization).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_country_code: Option<String>,
    /// Promotion code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promotion_code: Option<String>,
    /// A coupon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_coupon: Option<AppliedCoupon>,
    /// When an update applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_strategy: Option<ScheduleStrategy>,
    /// Cancellation date, scheduled at creation.
    #[serde(default, with = "iso_opt", skip_serializing_if = "Option::is_none")]
    pub cancellation_date: Option<Millis>,
    /// Further `ProvisionSubscriptionInput` fields (`checkoutOptions`, `trialOverrideConfiguration`,
    /// `billingInformation`, `charges`, `entitlements`, `priceOverrides`, ...).
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// `provisionSubscription`'s result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisionSubscriptionResult {
    /// `SUCCESS`, or `PAYMENT_REQUIRED` (then see `checkoutUrl`).
    pub provision_status: ProvisionSubscriptionStatus,
    /// The subscription, when created.
    #[serde(default)]
    pub subscription: Option<Subscription>,
    /// The checkout page, when a payment is required.
    #[serde(default)]
    pub checkout_url: Option<String>,
}

/// `updateSubscription` input. Renames: `subscriptionId→refId`, `metadata→additionalMetaData`;
/// `cancellationDate` has PATCH semantics (absent: unchanged, `null`: clear, a date: schedule).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateSubscription {
    /// Subscription id (required).
    pub subscription_id: String,
    /// Unit quantity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_quantity: Option<f64>,
    /// Billable features.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billable_features: Option<Vec<BillableFeature>>,
    /// Addons (the full new list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addons: Option<Vec<SubscriptionAddon>>,
    /// Metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// Billing period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_period: Option<BillingPeriod>,
    /// Wait for the payment before answering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub await_payment_confirmation: Option<bool>,
    /// New trial end.
    #[serde(default, with = "iso_opt", skip_serializing_if = "Option::is_none")]
    pub trial_end_date: Option<Millis>,
    /// When the update applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_strategy: Option<ScheduleStrategy>,
    /// A coupon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_coupon: Option<AppliedCoupon>,
    /// PATCH: `None` leaves it, `Some(None)` clears it, `Some(Some(t))` schedules a cancellation.
    #[serde(default, with = "patch_iso", skip_serializing_if = "Option::is_none")]
    pub cancellation_date: Patch<Millis>,
    /// Further `UpdateSubscriptionInput` fields (`charges`, `billingInformation`,
    /// `billingCycleAnchor`, `subscriptionEntitlements`, `entitlements`, `priceOverrides`, ...).
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// `cancelSubscription` input. Rename: `subscriptionId→subscriptionRefId`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelSubscription {
    /// Subscription id (required).
    pub subscription_id: String,
    /// End date (with `SPECIFIC_DATE`).
    #[serde(default, with = "iso_opt", skip_serializing_if = "Option::is_none")]
    pub end_date: Option<Millis>,
    /// When the cancellation takes effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_cancellation_time: Option<SubscriptionCancellationTime>,
    /// What happens to entitlements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_cancellation_action: Option<SubscriptionCancellationAction>,
    /// Prorate the refund.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prorate: Option<bool>,
}

/// `cancelSubscriptionScheduledUpdates` input (`SubscriptionUpdateScheduleCancellationInput`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelSubscriptionScheduledUpdates {
    /// Subscription id (required).
    pub subscription_id: String,
    /// Only cancel updates in this status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<SubscriptionScheduleStatus>,
}

/// `migrateSubscriptionToLatest` input (`SubscriptionMigrationInput`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MigrateSubscriptionToLatest {
    /// Subscription id (required).
    pub subscription_id: String,
    /// When to migrate (Stigg's default: now).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_migration_time: Option<SubscriptionMigrationTime>,
}

/// `{subscriptionId}`: the result of `cancelSubscriptionScheduledUpdates` and
/// `migrateSubscriptionToLatest`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionIdResult {
    /// The subscription's id.
    pub subscription_id: String,
}

/// `estimateSubscription` input (`EstimateSubscriptionInput`, fields as Node sends them).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EstimateSubscription {
    /// Customer id (required).
    pub customer_id: String,
    /// Plan id (required).
    pub plan_id: String,
    /// Paying customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paying_customer_id: Option<String>,
    /// Resource id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    /// Start date.
    #[serde(default, with = "iso_opt", skip_serializing_if = "Option::is_none")]
    pub start_date: Option<Millis>,
    /// Addons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addons: Option<Vec<SubscriptionAddon>>,
    /// Billing period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_period: Option<BillingPeriod>,
    /// Billing country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_country_code: Option<String>,
    /// Unit quantity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_quantity: Option<f64>,
    /// Billable features.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billable_features: Option<Vec<BillableFeature>>,
    /// Promotion code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promotion_code: Option<String>,
    /// Skip the trial.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_trial: Option<bool>,
    /// A coupon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_coupon: Option<AppliedCoupon>,
    /// Further `EstimateSubscriptionInput` fields (`charges`, `billingInformation`, ...).
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// `estimateSubscriptionUpdate` input (`EstimateSubscriptionUpdateInput`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EstimateSubscriptionUpdate {
    /// Subscription id (required).
    pub subscription_id: String,
    /// Unit quantity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_quantity: Option<f64>,
    /// Addons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addons: Option<Vec<SubscriptionAddon>>,
    /// Promotion code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promotion_code: Option<String>,
    /// Billable features.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billable_features: Option<Vec<BillableFeature>>,
    /// A coupon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_coupon: Option<AppliedCoupon>,
    /// Further `EstimateSubscriptionUpdateInput` fields (`charges`).
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// `previewSubscription` input (`PreviewSubscriptionInput`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewSubscription {
    /// Customer id (required).
    pub customer_id: String,
    /// Plan id (required).
    pub plan_id: String,
    /// Paying customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paying_customer_id: Option<String>,
    /// Resource id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    /// Start date.
    #[serde(default, with = "iso_opt", skip_serializing_if = "Option::is_none")]
    pub start_date: Option<Millis>,
    /// Addons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addons: Option<Vec<SubscriptionAddon>>,
    /// Billing period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_period: Option<BillingPeriod>,
    /// Billable features.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billable_features: Option<Vec<BillableFeature>>,
    /// Unit quantity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_quantity: Option<f64>,
    /// Promotion code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promotion_code: Option<String>,
    /// Billing country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_country_code: Option<String>,
    /// When the change applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_strategy: Option<ScheduleStrategy>,
    /// A coupon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_coupon: Option<AppliedCoupon>,
    /// Further `PreviewSubscriptionInput` fields (`charges`, `billingInformation`,
    /// `billingCycleAnchor`, ...).
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// `getActiveSubscriptions` / `getActiveSubscriptionsList` input. A list of resource ids is sent
/// as `resourceIds`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetActiveSubscriptions {
    /// Customer id (required).
    pub customer_id: String,
    /// One resource id or several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<OneOrMany<String>>,
}

/// Cursor pagination of `getSubscriptions`: `limit` (default 10) from the start, or after
/// `startingAfter`, or before `endingBefore` (cursors are `pageInfo.endCursor`/`startCursor`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    /// Page size (default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// The page after this cursor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starting_after: Option<String>,
    /// The page before this cursor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ending_before: Option<String>,
}

/// `getSubscriptions` input: filters (one value → `{eq}`, several → `{in}`) and pagination.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetSubscriptions {
    /// Customer id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    /// Resource id(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<OneOrMany<String>>,
    /// Status(es).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OneOrMany<SubscriptionStatus>>,
    /// Product id(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<OneOrMany<String>>,
    /// Pagination (default: the first 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagination: Option<Pagination>,
}

/// A subscription (Node's mapped slim `Subscription`, with the dates of the full one when the
/// operation selects them).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    /// The subscription's id (Stigg's `refId`/`subscriptionId`).
    pub id: String,
    /// The customer's id.
    #[serde(default)]
    pub customer_id: Option<String>,
    /// The paying customer's id, when another customer pays.
    #[serde(default)]
    pub paying_customer_id: Option<String>,
    /// The resource's id.
    #[serde(default)]
    pub resource_id: Option<String>,
    /// The plan's id.
    #[serde(default)]
    pub plan_id: Option<String>,
    /// Status.
    #[serde(default)]
    pub status: Option<SubscriptionStatus>,
    /// Addons.
    #[serde(default)]
    pub addons: Vec<SubscriptionAddon>,
    /// Metadata (`additionalMetaData`).
    #[serde(default)]
    pub metadata: Option<Value>,
    /// Billing system id.
    #[serde(default)]
    pub billing_id: Option<String>,
    /// Link to the subscription in the billing system.
    #[serde(default)]
    pub billing_link_url: Option<String>,
    /// Billing period.
    #[serde(default)]
    pub billing_period: Option<BillingPeriod>,
    /// Pricing type.
    #[serde(default)]
    pub pricing_type: Option<PricingType>,
    /// Payment state.
    #[serde(default)]
    pub payment_collection: Option<PaymentCollection>,
    /// Start date.
    #[serde(default, with = "iso_opt")]
    pub start_date: Option<Millis>,
    /// End date.
    #[serde(default, with = "iso_opt")]
    pub end_date: Option<Millis>,
    /// Trial end.
    #[serde(default, with = "iso_opt")]
    pub trial_end_date: Option<Millis>,
    /// Scheduled cancellation.
    #[serde(default, with = "iso_opt")]
    pub cancellation_date: Option<Millis>,
    /// When the subscription effectively ends.
    #[serde(default, with = "iso_opt")]
    pub effective_end_date: Option<Millis>,
    /// End of the current billing period.
    #[serde(default, with = "iso_opt")]
    pub current_billing_period_end: Option<Millis>,
    /// Prices (the JSON of `prices{usageLimit price{...}}`).
    #[serde(default)]
    pub prices: Option<Value>,
    /// Total price (`{subTotal, total}` of [`Money`] JSON).
    #[serde(default)]
    pub total_price: Option<Value>,
    /// Latest invoice (JSON).
    #[serde(default)]
    pub latest_invoice: Option<Value>,
    /// Experiment info (JSON).
    #[serde(default)]
    pub experiment_info: Option<Value>,
    /// Last billing sync error.
    #[serde(default)]
    pub billing_sync_error: Option<String>,
}

/// Cursor page info.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    /// Cursor of the first item.
    #[serde(default)]
    pub start_cursor: Option<String>,
    /// Cursor of the last item (pass as `startingAfter` for the next page).
    #[serde(default)]
    pub end_cursor: Option<String>,
    /// More items after this page.
    #[serde(default, deserialize_with = "null_false")]
    pub has_next_page: bool,
    /// Items before this page.
    #[serde(default, deserialize_with = "null_false")]
    pub has_previous_page: bool,
}

fn null_false<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(Option::<bool>::deserialize(d)?.unwrap_or(false))
}

/// A page of a list: `{data, pageInfo, totalCount?}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PagedList<T> {
    /// The items.
    pub data: Vec<T>,
    /// Cursors.
    #[serde(default)]
    pub page_info: PageInfo,
    /// The total number of items, when Stigg reports it.
    #[serde(default)]
    pub total_count: Option<u64>,
}

// -------------------------------------------------------------------------- catalog, promotions

/// A coupon (Node's mapped `Coupon`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Coupon {
    /// The coupon's id (`refId`).
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Metadata (`additionalMetaData`).
    #[serde(default)]
    pub metadata: Option<Value>,
    /// The discount value (percent or amount).
    #[serde(default)]
    pub discount_value: Option<f64>,
    /// Percent off.
    #[serde(default)]
    pub percent_off: Option<f64>,
    /// Amounts off, per currency.
    #[serde(default)]
    pub amounts_off: Option<Vec<Money>>,
}

/// `getPaywall` input. Without `customerId` the paywall is read from Edge (`paywall.json`), as
/// Node does; with one, from GraphQL.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetPaywall {
    /// Only this product's plans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
    /// The customer (adds its active subscriptions; forces GraphQL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    /// The resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    /// Localized prices for this country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_country_code: Option<String>,
    /// Prices of every country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetch_all_countries_prices: Option<bool>,
    /// Include plans hidden from widgets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_hidden_plans: Option<bool>,
}

/// One promotional entitlement to grant (`GrantPromotionalEntitlementInput`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantPromotionalEntitlement {
    /// Feature id (required).
    pub feature_id: String,
    /// Duration (required by Stigg; `LIFETIME` when absent here).
    #[serde(default = "lifetime")]
    pub period: PromotionalEntitlementPeriod,
    /// End date with `CUSTOM`.
    #[serde(default, with = "iso_opt", skip_serializing_if = "Option::is_none")]
    pub custom_end_date: Option<Millis>,
    /// Usage limit (metered/numeric features).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_limit: Option<f64>,
    /// Unlimited usage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_unlimited_usage: Option<bool>,
    /// Soft limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_soft_limit: Option<bool>,
    /// Usage reset period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset_period: Option<EntitlementResetPeriod>,
    /// Enum values (enum features).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enum_values: Option<Vec<String>>,
    /// Visible in widgets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_visible: Option<bool>,
    /// Further fields (`monthlyResetPeriodConfiguration`, `weeklyResetPeriodConfiguration`, ...).
    #[serde(flatten)]
    pub extra: ExtraFields,
}

fn lifetime() -> PromotionalEntitlementPeriod {
    PromotionalEntitlementPeriod::Lifetime
}

impl Default for PromotionalEntitlementPeriod {
    /// `LIFETIME`.
    fn default() -> Self {
        PromotionalEntitlementPeriod::Lifetime
    }
}

/// `grantPromotionalEntitlements` input.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantPromotionalEntitlements {
    /// Customer id (required).
    pub customer_id: String,
    /// What to grant.
    pub promotional_entitlements: Vec<GrantPromotionalEntitlement>,
}

/// `revokePromotionalEntitlements` input (one feature; `RevokePromotionalEntitlementInput`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevokePromotionalEntitlements {
    /// Customer id (required).
    pub customer_id: String,
    /// Feature id (required).
    pub feature_id: String,
}

// ---------------------------------------------------------------------------------- credits

/// `grantCredits` input (`CreditGrantInput`, passed through as Node does).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantCredits {
    /// Customer id (required).
    pub customer_id: String,
    /// Credit currency id (required).
    pub currency_id: String,
    /// Amount (required, positive).
    pub amount: f64,
    /// Display name (required by Stigg).
    pub display_name: String,
    /// `PAID` or `PROMOTIONAL` (required by Stigg).
    pub grant_type: CreditGrantType,
    /// Resource id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    /// When the credits become usable.
    #[serde(default, with = "iso_opt", skip_serializing_if = "Option::is_none")]
    pub effective_at: Option<Millis>,
    /// When they expire.
    #[serde(default, with = "iso_opt", skip_serializing_if = "Option::is_none")]
    pub expire_at: Option<Millis>,
    /// Consumption priority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<f64>,
    /// Comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Metadata (Stigg's field name, as Node passes this input through).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_meta_data: Option<Value>,
    /// Further `CreditGrantInput` fields (`cost`, `billingInformation`,
    /// `awaitPaymentConfirmation`, `paymentCollectionMethod`).
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// `voidCreditGrant` input.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VoidCreditGrant {
    /// The grant's id (`grantId` of a grant).
    pub id: String,
}

/// `getCreditGrants` input (`GetCreditGrantsInput`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetCreditGrants {
    /// Customer id (required).
    pub customer_id: String,
    /// Only this currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_id: Option<String>,
    /// Only this resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    /// Cursor paging (`{first, after, last, before}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paging: Option<Value>,
}

/// `getCreditBalance` input (`CreditBalanceSummaryInput`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetCreditBalance {
    /// Customer id (required).
    pub customer_id: String,
    /// Only this currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_id: Option<String>,
    /// Only this resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
}

// ----------------------------------------------------------------------------- usage history

/// `getUsageHistoryV2` input (`UsageHistoryV2Input`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetUsageHistoryV2 {
    /// Customer id (required).
    pub customer_id: String,
    /// Feature id (required).
    pub feature_id: String,
    /// Resource id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    /// Start of the range (required).
    #[serde(default, with = "iso_opt", skip_serializing_if = "Option::is_none")]
    pub start_date: Option<Millis>,
    /// End of the range (Stigg's default: now).
    #[serde(default, with = "iso_opt", skip_serializing_if = "Option::is_none")]
    pub end_date: Option<Millis>,
    /// Dimensions to split the series by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_by: Option<Vec<String>>,
    /// Further `UsageHistoryV2Input` fields (`includeInactiveSubscriptions`, `paging`).
    #[serde(flatten)]
    pub extra: ExtraFields,
}

// ------------------------------------------------------------------------- wire (GraphQL) shapes

/// A `{refId}`-like reference as the documents select it (`refId`, or an alias such as `planId`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct WireRef {
    ref_id: Option<String>,
    customer_id: Option<String>,
    plan_id: Option<String>,
    addon_id: Option<String>,
}

impl WireRef {
    fn id(self) -> Option<String> {
        self.ref_id
            .or(self.customer_id)
            .or(self.plan_id)
            .or(self.addon_id)
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct WireResource {
    resource_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct WireSubscriptionAddon {
    quantity: Option<f64>,
    addon: Option<WireRef>,
}

/// `CustomerSubscription` (any of the subscription selections, and `SubscriptionQuery` nodes).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct WireSubscription {
    ref_id: Option<String>,
    subscription_id: Option<String>,
    status: Option<SubscriptionStatus>,
    additional_meta_data: Option<Value>,
    billing_id: Option<String>,
    billing_link_url: Option<String>,
    billing_period: Option<BillingPeriod>,
    pricing_type: Option<PricingType>,
    payment_collection: Option<PaymentCollection>,
    #[serde(with = "iso_opt")]
    start_date: Option<Millis>,
    #[serde(with = "iso_opt")]
    end_date: Option<Millis>,
    #[serde(with = "iso_opt")]
    trial_end_date: Option<Millis>,
    #[serde(with = "iso_opt")]
    cancellation_date: Option<Millis>,
    #[serde(with = "iso_opt")]
    effective_end_date: Option<Millis>,
    #[serde(with = "iso_opt")]
    current_billing_period_end: Option<Millis>,
    resource: Option<WireResource>,
    plan: Option<WireRef>,
    customer: Option<WireRef>,
    paying_customer: Option<WireRef>,
    addons: Option<Vec<WireSubscriptionAddon>>,
    prices: Option<Value>,
    total_price: Option<Value>,
    latest_invoice: Option<Value>,
    experiment_info: Option<Value>,
    billing_sync_error: Option<String>,
}

impl WireSubscription {
    /// The customer's id and resource id, for read-after-write refetches.
    pub(crate) fn customer_and_resource(&self) -> (Option<String>, Option<String>) {
        (
            self.customer.clone().and_then(WireRef::id),
            self.resource.as_ref().and_then(|r| r.resource_id.clone()),
        )
    }
}

impl From<WireSubscription> for Subscription {
    fn from(w: WireSubscription) -> Self {
        Subscription {
            id: w.ref_id.or(w.subscription_id).unwrap_or_default(),
            customer_id: w.customer.and_then(WireRef::id),
            paying_customer_id: w.paying_customer.and_then(WireRef::id),
            resource_id: w.resource.and_then(|r| r.resource_id),
            plan_id: w.plan.and_then(WireRef::id),
            status: w.status,
            addons: w
                .addons
                .unwrap_or_default()
                .into_iter()
                .filter_map(|a| {
                    Some(SubscriptionAddon {
                        addon_id: a.addon.and_then(WireRef::id)?,
                        quantity: a
                            .quantity
                            .filter(|q| q.is_finite() && *q >= 0.0)
                            .map(|q| q.round() as u32),
                    })
                })
                .collect(),
            metadata: w.additional_meta_data,
            billing_id: w.billing_id,
            billing_link_url: w.billing_link_url,
            billing_period: w.billing_period,
            pricing_type: w.pricing_type,
            payment_collection: w.payment_collection,
            start_date: w.start_date,
            end_date: w.end_date,
            trial_end_date: w.trial_end_date,
            cancellation_date: w.cancellation_date,
            effective_end_date: w.effective_end_date,
            current_billing_period_end: w.current_billing_period_end,
            prices: w.prices,
            total_price: w.total_price,
            latest_invoice: w.latest_invoice,
            experiment_info: w.experiment_info,
            billing_sync_error: w.billing_sync_error,
        }
    }
}

/// `Customer` (slim selection, plus the full one's extras when selected).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct WireCustomer {
    ref_id: Option<String>,
    customer_id: Option<String>,
    name: Option<String>,
    email: Option<String>,
    billing_id: Option<String>,
    #[serde(with = "iso_opt")]
    created_at: Option<Millis>,
    #[serde(with = "iso_opt")]
    updated_at: Option<Millis>,
    additional_meta_data: Option<Value>,
    aws_marketplace_customer_id: Option<String>,
    has_payment_method: Option<bool>,
    subscriptions: Option<Vec<WireSubscription>>,
    coupon: Option<WireCoupon>,
    promotional_entitlements: Option<Vec<Value>>,
    trialed_plans: Option<Vec<WireTrialedPlan>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct WireTrialedPlan {
    plan_ref_id: Option<String>,
    product_ref_id: Option<String>,
}

impl WireCustomer {
    /// The customer's id as Stigg keys it (`customerId`, else `refId`).
    pub(crate) fn id(&self) -> Option<&str> {
        self.customer_id.as_deref().or(self.ref_id.as_deref())
    }
}

impl From<WireCustomer> for Customer {
    fn from(w: WireCustomer) -> Self {
        Customer {
            id: w.ref_id.or(w.customer_id).unwrap_or_default(),
            name: w.name,
            email: w.email,
            billing_id: w.billing_id,
            created_at: w.created_at,
            updated_at: w.updated_at,
            metadata: w.additional_meta_data,
            aws_marketplace_customer_id: w.aws_marketplace_customer_id,
        }
    }
}

impl From<WireCustomer> for FullCustomer {
    fn from(mut w: WireCustomer) -> Self {
        let has_payment_method = w.has_payment_method.unwrap_or(false);
        let subscriptions = w
            .subscriptions
            .take()
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect();
        let coupon = w.coupon.take().map(Into::into);
        let promotional_entitlements = w.promotional_entitlements.take().unwrap_or_default();
        let already_trial_plans = w
            .trialed_plans
            .take()
            .unwrap_or_default()
            .into_iter()
            .map(|t| TrialedPlan {
                plan_id: t.plan_ref_id,
                product_id: t.product_ref_id,
            })
            .collect();
        FullCustomer {
            customer: w.into(),
            has_payment_method,
            subscriptions,
            coupon,
            promotional_entitlements,
            already_trial_plans,
        }
    }
}

/// `Coupon`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct WireCoupon {
    ref_id: Option<String>,
    name: Option<String>,
    description: Option<String>,
    additional_meta_data: Option<Value>,
    discount_value: Option<f64>,
    percent_off: Option<f64>,
    amounts_off: Option<Vec<Money>>,
}

impl From<WireCoupon> for Coupon {
    fn from(w: WireCoupon) -> Self {
        Coupon {
            id: w.ref_id.unwrap_or_default(),
            name: w.name,
            description: w.description,
            metadata: w.additional_meta_data,
            discount_value: w.discount_value,
            percent_off: w.percent_off,
            amounts_off: w.amounts_off,
        }
    }
}

/// A `{edges{node} pageInfo totalCount}` connection.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireConnection<T> {
    #[serde(default = "Vec::new")]
    pub(crate) edges: Vec<WireEdge<T>>,
    #[serde(default)]
    pub(crate) page_info: Option<PageInfo>,
    #[serde(default)]
    pub(crate) total_count: Option<u64>,
}

/// One edge of a connection.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct WireEdge<T> {
    pub(crate) node: T,
}

impl<T> WireConnection<T> {
    /// Maps the connection into Node's `{data, pageInfo, totalCount}`.
    pub(crate) fn into_paged<U>(self, f: impl FnMut(T) -> U) -> PagedList<U> {
        PagedList {
            data: self.edges.into_iter().map(|e| e.node).map(f).collect(),
            page_info: self.page_info.unwrap_or_default(),
            total_count: self.total_count,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_fields_distinguish_absent_null_and_value() {
        let absent: UpdateSubscription = serde_json::from_str(r#"{"subscriptionId":"s"}"#).unwrap();
        assert_eq!(absent.cancellation_date, None);
        let cleared: UpdateSubscription =
            serde_json::from_str(r#"{"subscriptionId":"s","cancellationDate":null}"#).unwrap();
        assert_eq!(cleared.cancellation_date, Some(None));
        let set: UpdateSubscription = serde_json::from_str(
            r#"{"subscriptionId":"s","cancellationDate":"2024-01-01T00:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(set.cancellation_date, Some(Some(1_704_067_200_000)));
        let out = serde_json::to_value(&cleared).unwrap();
        assert_eq!(out.get("cancellationDate"), Some(&Value::Null));
        let out = serde_json::to_value(&absent).unwrap();
        assert!(out.get("cancellationDate").is_none());
        let out = serde_json::to_value(&set).unwrap();
        assert_eq!(
            out.get("cancellationDate"),
            Some(&Value::from("2024-01-01T00:00:00.000Z"))
        );
    }

    #[test]
    fn skip_subscription_params_is_sent_as_null() {
        let p: ProvisionCustomer =
            serde_json::from_str(r#"{"customerId":"c","subscriptionParams":null}"#).unwrap();
        assert_eq!(p.subscription_params, Some(None));
        let out = serde_json::to_value(&p).unwrap();
        assert_eq!(out.get("subscriptionParams"), Some(&Value::Null));
    }

    #[test]
    fn extra_fields_pass_through() {
        let p: ProvisionSubscription = serde_json::from_str(
            r#"{"customerId":"c","planId":"p","checkoutOptions":{"successUrl":"u"}}"#,
        )
        .unwrap();
        assert!(p.extra.contains_key("checkoutOptions"));
        let out = serde_json::to_value(&p).unwrap();
        assert_eq!(out["checkoutOptions"]["successUrl"], "u");
    }

    #[test]
    fn subscription_maps_refs_and_aliases() {
        let w: WireSubscription = serde_json::from_value(serde_json::json!({
            "subscriptionId": "sub-1", "status": "ACTIVE",
            "plan": {"planId": "plan-a"}, "customer": {"customerId": "c-1"},
            "addons": [{"quantity": 2, "addon": {"addonId": "a-1"}}],
            "resource": null, "startDate": "2024-01-01T00:00:00.000Z"
        }))
        .unwrap();
        let s: Subscription = w.into();
        assert_eq!(s.id, "sub-1");
        assert_eq!(s.plan_id.as_deref(), Some("plan-a"));
        assert_eq!(s.customer_id.as_deref(), Some("c-1"));
        assert_eq!(s.addons[0].addon_id, "a-1");
        assert_eq!(s.status, Some(SubscriptionStatus::Active));
        assert_eq!(s.start_date, Some(1_704_067_200_000));
    }
}
