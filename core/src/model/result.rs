//! Results of entitlement checks (spec §2.7), shaped like the official Node SDK's result objects.
//!
//! Every field is always serialized (`None` as `null`) so that each binding produces the same keys.
//! Instants serialize as ISO strings. Each typed result carries its `type` discriminator.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::enums::{
    AccessDeniedReason, EntitlementResetPeriod, EntitlementsStateAccessDeniedReason,
};
use super::state::{CurrencyInfo, FeatureInfo};
use super::time::{iso_opt, Millis};

/// The result of `getBooleanEntitlement`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename = "BOOLEAN", rename_all = "camelCase")]
pub struct BooleanEntitlement {
    /// Whether access is granted.
    pub has_access: bool,
    /// True when this is a fallback value, not a decision on real data.
    pub is_fallback: bool,
    /// Why access was denied (or the fallback's reason).
    pub access_denied_reason: Option<AccessDeniedReason>,
    /// The feature, when known.
    pub feature: Option<Arc<FeatureInfo>>,
}

/// The result of `getNumericEntitlement`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename = "NUMERIC", rename_all = "camelCase")]
pub struct NumericEntitlement {
    /// Whether access is granted.
    pub has_access: bool,
    /// True when this is a fallback value.
    pub is_fallback: bool,
    /// Why access was denied.
    pub access_denied_reason: Option<AccessDeniedReason>,
    /// The feature, when known.
    pub feature: Option<Arc<FeatureInfo>>,
    /// The configured value (`usageLimit`); absent when unlimited or unset.
    pub value: Option<f64>,
    /// Unlimited value.
    pub is_unlimited: bool,
}

/// The result of `getMeteredEntitlement`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename = "METERED", rename_all = "camelCase")]
pub struct MeteredEntitlement {
    /// Whether access is granted.
    pub has_access: bool,
    /// True when this is a fallback value.
    pub is_fallback: bool,
    /// Why access was denied.
    pub access_denied_reason: Option<AccessDeniedReason>,
    /// The feature, when known.
    pub feature: Option<Arc<FeatureInfo>>,
    /// The usage limit; absent when unlimited or unset.
    pub usage_limit: Option<f64>,
    /// Unlimited usage.
    pub is_unlimited: bool,
    /// Soft limit: usage past the limit is allowed.
    pub has_soft_limit: bool,
    /// Usage in the current period (after any period roll-over).
    pub current_usage: f64,
    /// The usage the check asked about (echoed).
    pub requested_usage: f64,
    /// Reset period.
    pub reset_period: Option<EntitlementResetPeriod>,
    /// Anchor of the usage periods.
    #[serde(with = "iso_opt")]
    pub usage_period_anchor: Option<Millis>,
    /// Start of the current period.
    #[serde(with = "iso_opt")]
    pub usage_period_start: Option<Millis>,
    /// End of the current period.
    #[serde(with = "iso_opt")]
    pub usage_period_end: Option<Millis>,
    /// Deprecated alias of `usagePeriodEnd`.
    #[serde(with = "iso_opt")]
    pub next_reset_date: Option<Millis>,
}

/// The result of `getEnumEntitlement`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename = "ENUM", rename_all = "camelCase")]
pub struct EnumEntitlement {
    /// Whether access is granted.
    pub has_access: bool,
    /// True when this is a fallback value.
    pub is_fallback: bool,
    /// Why access was denied.
    pub access_denied_reason: Option<AccessDeniedReason>,
    /// The feature, when known.
    pub feature: Option<Arc<FeatureInfo>>,
    /// Allowed values.
    pub enum_values: Arc<[String]>,
    /// The values the check asked about (echoed); `null` when none were passed.
    pub requested_values: Option<Vec<String>>,
}

/// The result of `getCreditEntitlement` (and the credit member of [`EntitlementV2`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename = "CREDIT", rename_all = "camelCase")]
pub struct CreditEntitlement {
    /// Whether access is granted.
    pub has_access: bool,
    /// True when this is a fallback value.
    pub is_fallback: bool,
    /// Why access was denied.
    pub access_denied_reason: Option<AccessDeniedReason>,
    /// The wallet's currency.
    pub currency: Arc<CurrencyInfo>,
    /// Credits granted in the period.
    pub usage_limit: f64,
    /// Credits consumed in the period.
    pub current_usage: f64,
    /// `usageLimit − currentUsage`.
    pub remaining: f64,
    /// End of the current period.
    #[serde(with = "iso_opt")]
    pub usage_period_end: Option<Millis>,
    /// Soft limit: consumption past the balance is allowed.
    pub has_soft_limit: bool,
    /// The amount the check asked about (echoed).
    pub requested_usage: f64,
}

/// A feature entitlement of any type (the deprecated `getEntitlement`, and list results).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Entitlement {
    /// BOOLEAN.
    Boolean(BooleanEntitlement),
    /// NUMERIC.
    Numeric(NumericEntitlement),
    /// METERED.
    Metered(MeteredEntitlement),
    /// ENUM.
    Enum(EnumEntitlement),
}

impl Entitlement {
    /// Whether access is granted.
    pub fn has_access(&self) -> bool {
        match self {
            Entitlement::Boolean(e) => e.has_access,
            Entitlement::Numeric(e) => e.has_access,
            Entitlement::Metered(e) => e.has_access,
            Entitlement::Enum(e) => e.has_access,
        }
    }

    /// True when this is a fallback value.
    pub fn is_fallback(&self) -> bool {
        match self {
            Entitlement::Boolean(e) => e.is_fallback,
            Entitlement::Numeric(e) => e.is_fallback,
            Entitlement::Metered(e) => e.is_fallback,
            Entitlement::Enum(e) => e.is_fallback,
        }
    }
}

/// A feature or credit entitlement (`getEntitlementV2`, `getEntitlementsStateV2`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum EntitlementV2 {
    /// A feature entitlement.
    Feature(Entitlement),
    /// A credit entitlement.
    Credit(CreditEntitlement),
}

impl EntitlementV2 {
    /// Whether access is granted.
    pub fn has_access(&self) -> bool {
        match self {
            EntitlementV2::Feature(e) => e.has_access(),
            EntitlementV2::Credit(c) => c.has_access,
        }
    }

    /// True when this is a fallback value.
    pub fn is_fallback(&self) -> bool {
        match self {
            EntitlementV2::Feature(e) => e.is_fallback(),
            EntitlementV2::Credit(c) => c.is_fallback,
        }
    }
}

/// The result of `getEntitlementsStateV2`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntitlementsStateV2 {
    /// Every entitlement of the customer.
    pub entitlements: Vec<EntitlementV2>,
    /// Customer-level reason.
    pub access_denied_reason: Option<EntitlementsStateAccessDeniedReason>,
}

/// The result of `reloadEntitlements`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReloadEntitlementsResult {
    /// True when the customer (or resource) exists.
    pub entitled_entity_exists: bool,
}
