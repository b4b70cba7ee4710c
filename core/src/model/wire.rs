//! GraphQL wire types of the entitlement read path (spec §3 fragments), with serde matching Stigg's JSON.
//!
//! Parsing is lenient in the ways a newer server could surprise an older SDK: unknown fields are ignored,
//! unknown enum values are kept (`Other`), `null` and absent are the same, and an unknown member of the
//! `EntitlementUnion` is skipped rather than failing the whole state.

use serde::{Deserialize, Deserializer, Serialize};

use super::enums::{
    AccessDeniedReason, EntitlementResetPeriod, EntitlementsStateAccessDeniedReason, FeatureType,
    MeterType, MonthlyAccordingTo, WeeklyAccordingTo, YearlyAccordingTo,
};
use super::time::{epoch_opt, iso_opt, Millis};

/// Deserializes `null` as the type's default (GraphQL nullable scalars that the SDK treats as `false`/`0`).
pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// How a feature's raw usage is shown to users (`unitTransformation{divide round}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnitTransformation {
    /// Divide raw usage by this number for display.
    #[serde(default, deserialize_with = "null_as_default")]
    pub divide: f64,
    /// Rounding mode name (`UP`/`DOWN`), kept verbatim.
    #[serde(default)]
    pub round: Option<String>,
}

/// `FeatureFragment on EntitlementFeature`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntitlementFeature {
    /// The feature's id (`refId` on the wire).
    pub ref_id: String,
    /// BOOLEAN / NUMBER / ENUM.
    pub feature_type: FeatureType,
    /// None / Fluctuating / Incremental; null for boolean and enum features.
    #[serde(default)]
    pub meter_type: Option<MeterType>,
    /// Unit name, singular.
    #[serde(default)]
    pub feature_units: Option<String>,
    /// Unit name, plural.
    #[serde(default)]
    pub feature_units_plural: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Display transformation of usage.
    #[serde(default)]
    pub unit_transformation: Option<UnitTransformation>,
}

/// `ResetPeriodConfigurationFragment`: a union of yearly, monthly and weekly configurations.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResetPeriodConfiguration {
    /// `YearlyResetPeriodConfig`, `MonthlyResetPeriodConfig` or `WeeklyResetPeriodConfig`.
    #[serde(
        rename = "__typename",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub typename: Option<String>,
    /// Set on a yearly configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yearly_according_to: Option<YearlyAccordingTo>,
    /// Set on a monthly configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_according_to: Option<MonthlyAccordingTo>,
    /// Set on a weekly configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekly_according_to: Option<WeeklyAccordingTo>,
}

/// `creditRate{amount currencyId}`: a feature whose usage consumes credits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditRate {
    /// Credits consumed per unit of usage.
    #[serde(default, deserialize_with = "null_as_default")]
    pub amount: f64,
    /// The wallet's currency id.
    pub currency_id: String,
}

/// `FeatureEntitlementFragment` (a member of `EntitlementUnion`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeatureEntitlement {
    /// Whether the server grants the entitlement.
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_granted: bool,
    /// The server's reason when not granted.
    #[serde(default)]
    pub access_denied_reason: Option<AccessDeniedReason>,
    /// Usage limit (metered) or configured value (numeric).
    #[serde(default)]
    pub usage_limit: Option<f64>,
    /// Unlimited usage.
    #[serde(default, deserialize_with = "null_as_default")]
    pub has_unlimited_usage: bool,
    /// Soft limit: usage past the limit is allowed.
    #[serde(default, deserialize_with = "null_as_default")]
    pub has_soft_limit: bool,
    /// Current usage in the current period.
    #[serde(default)]
    pub current_usage: Option<f64>,
    /// Allowed values of an enum feature.
    #[serde(default)]
    pub enum_values: Option<Vec<String>>,
    /// When the entitlement last changed.
    #[serde(default, with = "iso_opt")]
    pub entitlement_updated_at: Option<Millis>,
    /// When usage last changed.
    #[serde(default, with = "iso_opt")]
    pub usage_updated_at: Option<Millis>,
    /// Anchor of the usage periods.
    #[serde(default, with = "iso_opt")]
    pub usage_period_anchor: Option<Millis>,
    /// Start of the current usage period.
    #[serde(default, with = "iso_opt")]
    pub usage_period_start: Option<Millis>,
    /// End of the current usage period (the next reset).
    #[serde(default, with = "iso_opt")]
    pub usage_period_end: Option<Millis>,
    /// Reset period of metered usage.
    #[serde(default)]
    pub reset_period: Option<EntitlementResetPeriod>,
    /// How the reset period is anchored.
    #[serde(default)]
    pub reset_period_configuration: Option<ResetPeriodConfiguration>,
    /// The feature.
    #[serde(default)]
    pub feature: Option<EntitlementFeature>,
    /// Credits consumed per unit, for credit-backed features.
    #[serde(default)]
    pub credit_rate: Option<CreditRate>,
    /// After this instant the cached entitlement must be refetched.
    #[serde(default, with = "iso_opt")]
    pub valid_until: Option<Millis>,
}

/// `currency{...}` of a credit entitlement.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditCurrency {
    /// Currency id.
    pub currency_id: String,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Unit name, singular.
    #[serde(default)]
    pub unit_singular: Option<String>,
    /// Unit name, plural.
    #[serde(default)]
    pub unit_plural: Option<String>,
    /// Free-form metadata.
    #[serde(default)]
    pub additional_meta_data: Option<serde_json::Value>,
}

/// `CreditEntitlementFragment` (a member of `EntitlementUnion`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditEntitlement {
    /// Whether the server grants the entitlement.
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_granted: bool,
    /// The server's reason when not granted.
    #[serde(default)]
    pub access_denied_reason: Option<AccessDeniedReason>,
    /// The wallet's currency.
    pub currency: CreditCurrency,
    /// Credits granted in the period.
    #[serde(default)]
    pub usage_limit: Option<f64>,
    /// Credits consumed in the period.
    #[serde(default)]
    pub current_usage: Option<f64>,
    /// Soft limit: consumption past the balance is allowed.
    #[serde(default, deserialize_with = "null_as_default")]
    pub has_soft_limit: bool,
    /// When consumption last changed.
    #[serde(default, with = "iso_opt")]
    pub usage_updated_at: Option<Millis>,
    /// When the wallet last changed.
    #[serde(default, with = "iso_opt")]
    pub entitlement_updated_at: Option<Millis>,
    /// End of the current period.
    #[serde(default, with = "iso_opt")]
    pub usage_period_end: Option<Millis>,
    /// After this instant the cached entitlement must be refetched.
    #[serde(default, with = "iso_opt")]
    pub valid_until: Option<Millis>,
}

/// `EntitlementUnion`, discriminated by `__typename`.
// Parsed once per fetch and converted into the cached records at once; boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "__typename")]
pub enum EntitlementUnion {
    /// `FeatureEntitlement`.
    FeatureEntitlement(FeatureEntitlement),
    /// `CreditEntitlement`.
    CreditEntitlement(CreditEntitlement),
}

impl<'de> Deserialize<'de> for EntitlementUnion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Cold path (a state fetch): decide the member by `__typename`, or by shape when it is absent.
        let value = serde_json::Value::deserialize(d)?;
        let typename = value.get("__typename").and_then(|t| t.as_str());
        let is_credit = match typename {
            Some("CreditEntitlement") => true,
            Some("FeatureEntitlement") => false,
            Some(other) => {
                return Err(serde::de::Error::custom(format!(
                    "unknown EntitlementUnion member `{other}`"
                )))
            }
            None => value.get("currency").is_some_and(|c| !c.is_null()),
        };
        if is_credit {
            CreditEntitlement::deserialize(value)
                .map(EntitlementUnion::CreditEntitlement)
                .map_err(serde::de::Error::custom)
        } else {
            FeatureEntitlement::deserialize(value)
                .map(EntitlementUnion::FeatureEntitlement)
                .map_err(serde::de::Error::custom)
        }
    }
}

/// Deserializes a list of union members, skipping members that are unknown or malformed
/// (one odd entitlement must not hide the customer's other entitlements).
fn lenient_union_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<EntitlementUnion>, D::Error> {
    let raw: Option<Vec<serde_json::Value>> = Option::deserialize(d)?;
    Ok(raw
        .unwrap_or_default()
        .into_iter()
        .filter_map(|v| match EntitlementUnion::deserialize(v) {
            Ok(e) => Some(e),
            Err(err) => {
                tracing::warn!(error = %err, "skipping an entitlement the SDK cannot read");
                None
            }
        })
        .collect())
}

/// `entitlementsState{entitlementsV2 accessDeniedReason}`: one customer's (or resource's) whole state.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntitlementsState {
    /// Feature and credit entitlements.
    #[serde(default, deserialize_with = "lenient_union_list")]
    pub entitlements_v2: Vec<EntitlementUnion>,
    /// Customer-level reason (customer missing, archived, no active subscription).
    #[serde(default)]
    pub access_denied_reason: Option<EntitlementsStateAccessDeniedReason>,
}

/// Legacy `EntitlementFragment on Entitlement` (3.x SDKs, legacy stream events, `GetEntitlements`).
/// Its `validUntil` is an epoch-ms float.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LegacyEntitlement {
    /// Whether the server grants the entitlement.
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_granted: bool,
    /// The server's reason when not granted.
    #[serde(default)]
    pub access_denied_reason: Option<AccessDeniedReason>,
    /// Customer id.
    #[serde(default)]
    pub customer_id: Option<String>,
    /// Resource id.
    #[serde(default)]
    pub resource_id: Option<String>,
    /// Usage limit or configured value.
    #[serde(default)]
    pub usage_limit: Option<f64>,
    /// Unlimited usage.
    #[serde(default, deserialize_with = "null_as_default")]
    pub has_unlimited_usage: bool,
    /// Soft limit.
    #[serde(default, deserialize_with = "null_as_default")]
    pub has_soft_limit: bool,
    /// Current usage.
    #[serde(default)]
    pub current_usage: Option<f64>,
    /// Requested usage echoed by the server.
    #[serde(default)]
    pub requested_usage: Option<f64>,
    /// Requested enum values echoed by the server.
    #[serde(default)]
    pub requested_values: Option<Vec<String>>,
    /// Allowed enum values.
    #[serde(default)]
    pub enum_values: Option<Vec<String>>,
    /// When the entitlement last changed.
    #[serde(default, with = "iso_opt")]
    pub entitlement_updated_at: Option<Millis>,
    /// When usage last changed.
    #[serde(default, with = "iso_opt")]
    pub usage_updated_at: Option<Millis>,
    /// Anchor of the usage periods.
    #[serde(default, with = "iso_opt")]
    pub usage_period_anchor: Option<Millis>,
    /// Start of the current period.
    #[serde(default, with = "iso_opt")]
    pub usage_period_start: Option<Millis>,
    /// End of the current period.
    #[serde(default, with = "iso_opt")]
    pub usage_period_end: Option<Millis>,
    /// Deprecated alias of `usagePeriodEnd`.
    #[serde(default, with = "iso_opt")]
    pub next_reset_date: Option<Millis>,
    /// Reset period.
    #[serde(default)]
    pub reset_period: Option<EntitlementResetPeriod>,
    /// Reset anchoring.
    #[serde(default)]
    pub reset_period_configuration: Option<ResetPeriodConfiguration>,
    /// The feature.
    #[serde(default)]
    pub feature: Option<EntitlementFeature>,
    /// Credit rate.
    #[serde(default)]
    pub credit_rate: Option<CreditRate>,
    /// Expiry, epoch ms.
    #[serde(default, with = "epoch_opt")]
    pub valid_until: Option<Millis>,
}

impl From<LegacyEntitlement> for FeatureEntitlement {
    fn from(e: LegacyEntitlement) -> Self {
        FeatureEntitlement {
            is_granted: e.is_granted,
            access_denied_reason: e.access_denied_reason,
            usage_limit: e.usage_limit,
            has_unlimited_usage: e.has_unlimited_usage,
            has_soft_limit: e.has_soft_limit,
            current_usage: e.current_usage,
            enum_values: e.enum_values,
            entitlement_updated_at: e.entitlement_updated_at,
            usage_updated_at: e.usage_updated_at,
            usage_period_anchor: e.usage_period_anchor,
            usage_period_start: e.usage_period_start,
            usage_period_end: e.usage_period_end.or(e.next_reset_date),
            reset_period: e.reset_period,
            reset_period_configuration: e.reset_period_configuration,
            feature: e.feature,
            credit_rate: e.credit_rate,
            valid_until: e.valid_until,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_state_with_both_members_and_skips_unknown_ones() {
        let json = r#"{"entitlementsV2":[
            {"__typename":"FeatureEntitlement","isGranted":true,"usageLimit":10,"hasUnlimitedUsage":false,
             "hasSoftLimit":null,"currentUsage":3,"enumValues":null,"usagePeriodEnd":"2024-02-01T00:00:00.000Z",
             "resetPeriod":"MONTH","feature":{"__typename":"EntitlementFeature","refId":"feature-api-calls",
             "featureType":"NUMBER","meterType":"Incremental","featureUnits":"call","featureUnitsPlural":"calls"}},
            {"__typename":"CreditEntitlement","isGranted":true,"currency":{"currencyId":"credits"},
             "usageLimit":100,"currentUsage":20,"hasSoftLimit":false},
            {"__typename":"SomethingNew","foo":1}
          ],"accessDeniedReason":null}"#;
        let state: EntitlementsState = match serde_json::from_str(json) {
            Ok(s) => s,
            Err(e) => panic!("parse failed: {e}"),
        };
        assert_eq!(state.entitlements_v2.len(), 2);
        match &state.entitlements_v2[0] {
            EntitlementUnion::FeatureEntitlement(f) => {
                assert_eq!(f.usage_limit, Some(10.0));
                assert!(!f.has_soft_limit);
                assert_eq!(f.usage_period_end, Some(1_706_745_600_000));
                assert_eq!(
                    f.feature.as_ref().map(|x| x.ref_id.as_str()),
                    Some("feature-api-calls")
                );
            }
            other => panic!("expected a feature entitlement, got {other:?}"),
        }
    }
}
