//! Inputs and results of usage, event and credit writes (spec §2.4, §3), serde in Stigg's camelCase.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::enums::UsageUpdateBehavior;
use super::time::{iso_opt, Millis};

/// A dimension value of a usage report or event: string, number or boolean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DimensionValue {
    /// A string.
    String(String),
    /// A number.
    Number(f64),
    /// A boolean.
    Bool(bool),
}

/// Dimensions by name.
pub type Dimensions = BTreeMap<String, DimensionValue>;

/// `reportUsage` input (`ReportUsageInput`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportUsage {
    /// Customer id.
    pub customer_id: String,
    /// Metered feature id.
    pub feature_id: String,
    /// The amount (DELTA) or the new total (SET).
    pub value: f64,
    /// Resource id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    /// DELTA (default) or SET.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_behavior: Option<UsageUpdateBehavior>,
    /// When the usage happened.
    #[serde(default, with = "iso_opt", skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Millis>,
    /// Dimensions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<Dimensions>,
    /// Deduplicates retries of the same report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
}

/// The credit side of a usage acknowledgement (4.45+).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditUsage {
    /// Wallet currency.
    pub currency_id: String,
    /// Credits consumed in the period.
    #[serde(default)]
    pub current_usage: Option<f64>,
    /// Credits granted in the period.
    #[serde(default)]
    pub usage_limit: Option<f64>,
    /// End of the period.
    #[serde(default, with = "iso_opt")]
    pub usage_period_end: Option<Millis>,
    /// When this balance was measured.
    #[serde(default, with = "iso_opt")]
    pub timestamp: Option<Millis>,
    /// Credits consumed by this report.
    #[serde(default)]
    pub consumed: Option<f64>,
}

/// `reportUsage` result (`ReportUsageAck`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportUsageAck {
    /// The measurement's id.
    pub measurement_id: String,
    /// Feature id.
    pub feature_id: String,
    /// Customer id.
    pub customer_id: String,
    /// Resource id.
    #[serde(default)]
    pub resource_id: Option<String>,
    /// Usage after this report, as computed by the server.
    #[serde(default)]
    pub current_usage: Option<f64>,
    /// Start of the period.
    #[serde(default, with = "iso_opt")]
    pub usage_period_start: Option<Millis>,
    /// End of the period.
    #[serde(default, with = "iso_opt")]
    pub usage_period_end: Option<Millis>,
    /// Deprecated alias of `usagePeriodEnd`.
    #[serde(default, with = "iso_opt")]
    pub next_reset_date: Option<Millis>,
    /// When the server measured it.
    #[serde(default, with = "iso_opt")]
    pub timestamp: Option<Millis>,
    /// Credit consumption caused by this report.
    #[serde(default)]
    pub credit: Option<CreditUsage>,
}

/// One event of `reportEvent` (`UsageEventReportInput`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportEvent {
    /// Event name, matched by the catalog's meters.
    pub event_name: String,
    /// Customer id.
    pub customer_id: String,
    /// Deduplicates retries of the same event (required).
    pub idempotency_key: String,
    /// Resource id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    /// Dimensions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<Dimensions>,
    /// When the event happened.
    #[serde(default, with = "iso_opt", skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<Millis>,
}

/// `consumeCredits` input (`ConsumeCreditInput`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsumeCredits {
    /// Customer id.
    pub customer_id: String,
    /// Wallet currency.
    pub currency_id: String,
    /// Credits to consume.
    pub amount: f64,
    /// Deduplicates retries (required).
    pub idempotency_key: String,
    /// Resource id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    /// When the consumption happened.
    #[serde(default, with = "iso_opt", skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Millis>,
    /// Dimensions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<Dimensions>,
}

/// `consumeCredits` result.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsumeCreditsResult {
    /// Customer id.
    pub customer_id: String,
    /// Wallet currency.
    pub currency_id: String,
    /// Resource id.
    #[serde(default)]
    pub resource_id: Option<String>,
    /// Credits consumed.
    pub amount: f64,
    /// When it was recorded.
    #[serde(default, with = "iso_opt")]
    pub timestamp: Option<Millis>,
    /// The wallet after consumption.
    #[serde(default)]
    pub credit: Option<CreditUsage>,
}

/// One currency's estimate in a [`CreditCostEstimation`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditEstimate {
    /// Wallet currency.
    pub currency_id: String,
    /// Estimated cost.
    pub estimated_cost: f64,
    /// Balance now.
    pub current_balance: f64,
    /// Balance after the estimated consumption.
    pub balance_after_estimate: f64,
    /// True when the balance would go negative.
    pub would_overdraft: bool,
    /// Cost by feature.
    #[serde(default)]
    pub breakdown: Vec<serde_json::Value>,
}

/// `estimateUsageCost` / `estimateEventCost` result.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditCostEstimation {
    /// Estimates by currency.
    #[serde(default)]
    pub estimates: Vec<CreditEstimate>,
    /// Warnings.
    #[serde(default)]
    pub warnings: Vec<serde_json::Value>,
}

/// `estimateUsageCost` input (`EstimateUsageCostInput`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EstimateUsageCost {
    /// Customer id.
    pub customer_id: String,
    /// Feature id.
    pub feature_id: String,
    /// The usage to price.
    pub value: f64,
    /// Resource id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    /// DELTA (default) or SET.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_behavior: Option<UsageUpdateBehavior>,
    /// Dimensions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<Dimensions>,
}

/// `estimateEventCost` input (`EstimateEventCostInput`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EstimateEventCost {
    /// Customer id.
    pub customer_id: String,
    /// Event name.
    pub event_name: String,
    /// Resource id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    /// Dimensions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<Dimensions>,
}

/// One measurement as the server returns it (`ReportUsageFragment on UsageMeasurementWithCurrentUsage`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageMeasurement {
    /// Measurement id.
    pub id: String,
    /// Feature id.
    pub feature_id: String,
    /// Customer id.
    pub customer_id: String,
    /// Resource id.
    #[serde(default)]
    pub resource_id: Option<String>,
    /// Usage after the report.
    #[serde(default)]
    pub current_usage: Option<f64>,
    /// Credit consumption.
    #[serde(default)]
    pub credit: Option<CreditUsage>,
    /// Start of the period.
    #[serde(default, with = "iso_opt")]
    pub usage_period_start: Option<Millis>,
    /// End of the period.
    #[serde(default, with = "iso_opt")]
    pub usage_period_end: Option<Millis>,
    /// Deprecated alias of the period end.
    #[serde(default, with = "iso_opt")]
    pub next_reset_date: Option<Millis>,
    /// When the server measured it.
    #[serde(default, with = "iso_opt")]
    pub timestamp: Option<Millis>,
}

impl From<UsageMeasurement> for ReportUsageAck {
    fn from(m: UsageMeasurement) -> Self {
        ReportUsageAck {
            measurement_id: m.id,
            feature_id: m.feature_id,
            customer_id: m.customer_id,
            resource_id: m.resource_id,
            current_usage: m.current_usage,
            usage_period_start: m.usage_period_start,
            usage_period_end: m.usage_period_end.or(m.next_reset_date),
            next_reset_date: m.usage_period_end.or(m.next_reset_date),
            timestamp: m.timestamp,
            credit: m.credit,
        }
    }
}
