//! Parameters of entitlement reads, shaped like the official SDK's (`{customerId, featureId, resourceId?,
//! options?{requestedUsage?, requestedValues?, fallback?}}`), borrowed so a check allocates nothing.

use crate::model::{CreditEntitlementFallback, EntitlementFallback};

/// `getBooleanEntitlement` parameters.
#[derive(Debug, Clone, Copy, Default)]
pub struct GetBooleanEntitlement<'a> {
    /// Customer id.
    pub customer_id: &'a str,
    /// Feature id.
    pub feature_id: &'a str,
    /// Resource id.
    pub resource_id: Option<&'a str>,
    /// Per-call fallback (wins over `entitlementsFallback`).
    pub fallback: Option<&'a EntitlementFallback>,
}

/// `getNumericEntitlement` parameters.
#[derive(Debug, Clone, Copy, Default)]
pub struct GetNumericEntitlement<'a> {
    /// Customer id.
    pub customer_id: &'a str,
    /// Feature id.
    pub feature_id: &'a str,
    /// Resource id.
    pub resource_id: Option<&'a str>,
    /// Per-call fallback.
    pub fallback: Option<&'a EntitlementFallback>,
}

/// `getMeteredEntitlement` parameters.
#[derive(Debug, Clone, Copy, Default)]
pub struct GetMeteredEntitlement<'a> {
    /// Customer id.
    pub customer_id: &'a str,
    /// Feature id.
    pub feature_id: &'a str,
    /// Resource id.
    pub resource_id: Option<&'a str>,
    /// The usage to check for (`options.requestedUsage`).
    pub requested_usage: Option<f64>,
    /// Per-call fallback.
    pub fallback: Option<&'a EntitlementFallback>,
}

/// `getEnumEntitlement` parameters.
#[derive(Debug, Clone, Default)]
pub struct GetEnumEntitlement<'a> {
    /// Customer id.
    pub customer_id: &'a str,
    /// Feature id.
    pub feature_id: &'a str,
    /// Resource id.
    pub resource_id: Option<&'a str>,
    /// The values to check for (`options.requestedValues`), echoed in the result.
    pub requested_values: Option<Vec<String>>,
    /// Per-call fallback.
    pub fallback: Option<&'a EntitlementFallback>,
}

/// `getCreditEntitlement` parameters.
#[derive(Debug, Clone, Copy, Default)]
pub struct GetCreditEntitlement<'a> {
    /// Customer id.
    pub customer_id: &'a str,
    /// Currency id of the wallet.
    pub currency_id: &'a str,
    /// Resource id.
    pub resource_id: Option<&'a str>,
    /// The credits to check for.
    pub requested_usage: Option<f64>,
    /// Per-call fallback (the only fallback this getter uses, as in the official SDK).
    pub fallback: Option<&'a CreditEntitlementFallback>,
}

/// `getEntitlementV2` parameters: exactly one of `feature_id` and `currency_id`.
#[derive(Debug, Clone, Default)]
pub struct GetEntitlementV2<'a> {
    /// Customer id.
    pub customer_id: &'a str,
    /// Resource id.
    pub resource_id: Option<&'a str>,
    /// Feature id (XOR `currency_id`).
    pub feature_id: Option<&'a str>,
    /// Currency id (XOR `feature_id`).
    pub currency_id: Option<&'a str>,
    /// Options: requested usage/values and fallbacks.
    pub options: crate::eval::EntitlementOptions,
}

/// `getEntitlement` (deprecated generic getter) parameters.
#[derive(Debug, Clone, Default)]
pub struct GetEntitlement<'a> {
    /// Customer id.
    pub customer_id: &'a str,
    /// Feature id.
    pub feature_id: &'a str,
    /// Resource id.
    pub resource_id: Option<&'a str>,
    /// Options: the fallback's type is chosen from which options are set (spec §6).
    pub options: crate::eval::EntitlementOptions,
}
