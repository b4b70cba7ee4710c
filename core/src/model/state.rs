//! The cached form of one customer's (or customer+resource's) entitlements: what a check reads.
//!
//! Built once per fetch or stream event from the wire [`EntitlementsState`]; read many times. Lookups of
//! one feature or one currency are O(1) hash lookups by borrowed `&str`, and everything a result shares
//! with the state (feature and currency descriptions, enum values) is behind an `Arc`, so a check never
//! clones the state.

use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::{Serialize, Serializer};

use super::enums::{
    AccessDeniedReason, EntitlementResetPeriod, EntitlementsStateAccessDeniedReason, FeatureType,
    MeterType,
};
use super::time::Millis;
use super::wire::{
    CreditEntitlement, CreditRate, EntitlementUnion, EntitlementsState, FeatureEntitlement,
    ResetPeriodConfiguration, UnitTransformation,
};

/// What a result says about its feature (`feature{id featureType meterType units unitsPlural isMetered ...}`).
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureInfo {
    /// Feature id (`refId`).
    pub id: String,
    /// BOOLEAN / NUMBER / ENUM.
    pub feature_type: FeatureType,
    /// Meter type; `None` when the wire had null.
    pub meter_type: Option<MeterType>,
    /// Unit, singular (`""` when the wire had null, as the official SDK does).
    pub units: String,
    /// Unit, plural (`""` when null).
    pub units_plural: String,
    /// Display name.
    pub display_name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Display transformation of usage.
    pub unit_transformation: Option<UnitTransformation>,
}

impl FeatureInfo {
    /// A feature known only by its id (fallback lists).
    pub fn bare(id: &str, feature_type: FeatureType) -> Self {
        FeatureInfo {
            id: id.to_owned(),
            feature_type,
            meter_type: None,
            units: String::new(),
            units_plural: String::new(),
            display_name: None,
            description: None,
            unit_transformation: None,
        }
    }

    /// True for a NUMBER feature with an `Incremental` or `Fluctuating` meter.
    pub fn is_metered(&self) -> bool {
        self.feature_type == FeatureType::Number
            && matches!(
                self.meter_type,
                Some(MeterType::Incremental) | Some(MeterType::Fluctuating)
            )
    }

    /// True for a NUMBER feature whose meter is `None` or null (a configuration value).
    pub fn is_numeric(&self) -> bool {
        self.feature_type == FeatureType::Number
            && matches!(self.meter_type, None | Some(MeterType::None))
    }
}

impl Serialize for FeatureInfo {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Feature", 8)?;
        st.serialize_field("id", &self.id)?;
        st.serialize_field("featureType", &self.feature_type)?;
        st.serialize_field("meterType", &self.meter_type)?;
        st.serialize_field("units", &self.units)?;
        st.serialize_field("unitsPlural", &self.units_plural)?;
        st.serialize_field("isMetered", &self.is_metered())?;
        st.serialize_field("displayName", &self.display_name)?;
        st.serialize_field("description", &self.description)?;
        st.end()
    }
}

/// What a credit result says about its currency.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyInfo {
    /// Currency id.
    pub currency_id: String,
    /// Display name.
    pub display_name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Unit, singular.
    pub unit_singular: Option<String>,
    /// Unit, plural.
    pub unit_plural: Option<String>,
    /// Free-form metadata.
    pub metadata: Option<serde_json::Value>,
}

impl CurrencyInfo {
    /// A currency known only by its id (fallbacks).
    pub fn bare(currency_id: &str) -> Self {
        CurrencyInfo {
            currency_id: currency_id.to_owned(),
            display_name: None,
            description: None,
            unit_singular: None,
            unit_plural: None,
            metadata: None,
        }
    }
}

/// Usage of one metered feature or one credit wallet in its current period.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct UsageData {
    /// Current usage (0 when the wire had null).
    pub current_usage: f64,
    /// Start of the current period.
    pub usage_period_start: Option<Millis>,
    /// End of the current period.
    pub usage_period_end: Option<Millis>,
    /// When this usage was measured (guards out-of-order updates).
    pub updated_at: Option<Millis>,
}

/// One cached feature entitlement.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureRecord {
    /// The feature, shared with every result built from this record.
    pub feature: Arc<FeatureInfo>,
    /// The server's `isGranted`.
    pub is_granted: bool,
    /// The server's reason, which wins over local rules.
    pub access_denied_reason: Option<AccessDeniedReason>,
    /// Limit (metered) or value (numeric).
    pub usage_limit: Option<f64>,
    /// Unlimited usage.
    pub has_unlimited_usage: bool,
    /// Soft limit.
    pub has_soft_limit: bool,
    /// Allowed enum values (`[]` when the wire had null).
    pub enum_values: Arc<[String]>,
    /// Reset period.
    pub reset_period: Option<EntitlementResetPeriod>,
    /// Reset anchoring.
    pub reset_period_configuration: Option<ResetPeriodConfiguration>,
    /// Anchor of the usage periods.
    pub usage_period_anchor: Option<Millis>,
    /// Refetch after this instant.
    pub valid_until: Option<Millis>,
    /// Credit rate of a credit-backed feature.
    pub credit_rate: Option<CreditRate>,
    /// When the entitlement last changed.
    pub entitlement_updated_at: Option<Millis>,
    /// Usage in the current period.
    pub usage: UsageData,
}

impl FeatureRecord {
    /// Builds the record of a wire entitlement; `None` when it lacks its feature.
    pub fn from_wire(e: &FeatureEntitlement) -> Option<Self> {
        let f = e.feature.as_ref()?;
        Some(FeatureRecord {
            feature: Arc::new(FeatureInfo {
                id: f.ref_id.clone(),
                feature_type: f.feature_type.clone(),
                meter_type: f.meter_type.clone(),
                units: f.feature_units.clone().unwrap_or_default(),
                units_plural: f.feature_units_plural.clone().unwrap_or_default(),
                display_name: f.display_name.clone(),
                description: f.description.clone(),
                unit_transformation: f.unit_transformation.clone(),
            }),
            is_granted: e.is_granted,
            access_denied_reason: e.access_denied_reason.clone(),
            usage_limit: e.usage_limit,
            has_unlimited_usage: e.has_unlimited_usage,
            has_soft_limit: e.has_soft_limit,
            enum_values: e.enum_values.clone().unwrap_or_default().into(),
            reset_period: e.reset_period.clone(),
            reset_period_configuration: e.reset_period_configuration.clone(),
            usage_period_anchor: e.usage_period_anchor,
            valid_until: e.valid_until,
            credit_rate: e.credit_rate.clone(),
            entitlement_updated_at: e.entitlement_updated_at,
            usage: UsageData {
                current_usage: e.current_usage.unwrap_or(0.0),
                usage_period_start: e.usage_period_start,
                usage_period_end: e.usage_period_end,
                updated_at: e.usage_updated_at,
            },
        })
    }
}

/// One cached credit wallet.
#[derive(Debug, Clone, PartialEq)]
pub struct CreditRecord {
    /// The currency, shared with every result built from this record.
    pub currency: Arc<CurrencyInfo>,
    /// The server's `isGranted`.
    pub is_granted: bool,
    /// The server's reason, which wins over local rules.
    pub access_denied_reason: Option<AccessDeniedReason>,
    /// Credits granted in the period (0 when null).
    pub usage_limit: f64,
    /// Soft limit.
    pub has_soft_limit: bool,
    /// Refetch after this instant.
    pub valid_until: Option<Millis>,
    /// When the wallet last changed.
    pub entitlement_updated_at: Option<Millis>,
    /// Consumption in the current period.
    pub usage: UsageData,
}

impl CreditRecord {
    /// Builds the record of a wire credit entitlement.
    pub fn from_wire(e: &CreditEntitlement) -> Self {
        let c = &e.currency;
        CreditRecord {
            currency: Arc::new(CurrencyInfo {
                currency_id: c.currency_id.clone(),
                display_name: c.display_name.clone(),
                description: c.description.clone(),
                unit_singular: c.unit_singular.clone(),
                unit_plural: c.unit_plural.clone(),
                metadata: c.additional_meta_data.clone(),
            }),
            is_granted: e.is_granted,
            access_denied_reason: e.access_denied_reason.clone(),
            usage_limit: e.usage_limit.unwrap_or(0.0),
            has_soft_limit: e.has_soft_limit,
            valid_until: e.valid_until,
            entitlement_updated_at: e.entitlement_updated_at,
            usage: UsageData {
                current_usage: e.current_usage.unwrap_or(0.0),
                usage_period_start: None,
                usage_period_end: e.usage_period_end,
                updated_at: e.usage_updated_at,
            },
        }
    }
}

/// One customer's (or customer+resource's) whole entitlement state, as cached.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CustomerState {
    /// Customer-level reason; when set it decides every check.
    pub access_denied_reason: Option<EntitlementsStateAccessDeniedReason>,
    /// Feature entitlements by feature id. Duplicates on the wire: the last wins.
    pub features: FxHashMap<Box<str>, FeatureRecord>,
    /// Credit wallets by currency id.
    pub credits: FxHashMap<Box<str>, CreditRecord>,
    /// Order of entitlements as received (feature ids and currency ids), for list results.
    pub order: Vec<EntitlementKey>,
    /// The state's timestamp: the first valid `entitlementUpdatedAt` (spec §5.1), or `None`.
    pub timestamp: Option<Millis>,
    /// When this client received the state (0 when unknown): bounds staleness while no stream
    /// confirms it, and tells which entries predate a stream reconnect.
    pub fetched_at: Millis,
}

/// Identifies one entitlement within a customer's state.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EntitlementKey {
    /// A feature entitlement, by feature id.
    Feature(Box<str>),
    /// A credit wallet, by currency id.
    Credit(Box<str>),
}

impl CustomerState {
    /// Builds the cached state from a fetched wire state.
    pub fn from_wire(state: &EntitlementsState) -> Self {
        let mut out = CustomerState {
            access_denied_reason: state.access_denied_reason.clone(),
            ..Default::default()
        };
        for e in &state.entitlements_v2 {
            match e {
                EntitlementUnion::FeatureEntitlement(f) => {
                    if out.timestamp.is_none() {
                        out.timestamp = f.entitlement_updated_at;
                    }
                    if let Some(rec) = FeatureRecord::from_wire(f) {
                        let key: Box<str> = rec.feature.id.as_str().into();
                        if out.features.insert(key.clone(), rec).is_none() {
                            out.order.push(EntitlementKey::Feature(key));
                        }
                    }
                }
                EntitlementUnion::CreditEntitlement(c) => {
                    if out.timestamp.is_none() {
                        out.timestamp = c.entitlement_updated_at;
                    }
                    let rec = CreditRecord::from_wire(c);
                    let key: Box<str> = rec.currency.currency_id.as_str().into();
                    if out.credits.insert(key.clone(), rec).is_none() {
                        out.order.push(EntitlementKey::Credit(key));
                    }
                }
            }
        }
        out
    }

    /// The feature entitlement for `feature_id`.
    #[inline]
    pub fn feature(&self, feature_id: &str) -> Option<&FeatureRecord> {
        self.features.get(feature_id)
    }

    /// The credit wallet for `currency_id`.
    #[inline]
    pub fn credit(&self, currency_id: &str) -> Option<&CreditRecord> {
        self.credits.get(currency_id)
    }

    /// True when the state has no entitlements and no customer-level reason (an update that purges).
    pub fn is_empty(&self) -> bool {
        self.features.is_empty() && self.credits.is_empty() && self.access_denied_reason.is_none()
    }

    /// The earliest `validUntil` of any entitlement: after it the state must be refetched.
    pub fn valid_until(&self) -> Option<Millis> {
        let f = self.features.values().filter_map(|r| r.valid_until);
        let c = self.credits.values().filter_map(|r| r.valid_until);
        f.chain(c).min()
    }
}
