//! Fallback values (spec §4.4): what a read returns when it cannot decide on real data.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// A feature fallback, per call (`options.fallback`) or per feature in the configuration
/// (`entitlementsFallback[featureId]`). One shape serves every type; each typed getter reads the
/// fields of its type (`value`/`isUnlimited` numeric, `usageLimit`/`isUnlimited` metered, `enumValues` enum).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntitlementFallback {
    /// Whether the fallback grants access.
    #[serde(default)]
    pub has_access: bool,
    /// Numeric value.
    #[serde(default)]
    pub value: Option<f64>,
    /// Unlimited (numeric or metered).
    #[serde(default)]
    pub is_unlimited: Option<bool>,
    /// Usage limit (metered).
    #[serde(default)]
    pub usage_limit: Option<f64>,
    /// Allowed values (enum).
    #[serde(default)]
    pub enum_values: Option<Vec<String>>,
}

/// A credit fallback, per call or per currency (`creditEntitlementsFallback[currencyId]`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditEntitlementFallback {
    /// Whether the fallback grants access.
    #[serde(default)]
    pub has_access: bool,
    /// Credits granted.
    #[serde(default)]
    pub usage_limit: Option<f64>,
    /// Credits consumed.
    #[serde(default)]
    pub current_usage: Option<f64>,
}

/// The configured fallbacks of a client.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FallbackConfig {
    /// `entitlementsFallback`: by feature id.
    #[serde(default)]
    pub entitlements_fallback: HashMap<String, EntitlementFallback>,
    /// `creditEntitlementsFallback`: by currency id.
    #[serde(default)]
    pub credit_entitlements_fallback: HashMap<String, CreditEntitlementFallback>,
}
