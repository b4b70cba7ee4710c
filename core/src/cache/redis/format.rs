//! Value formats of the Redis keys (spec §5.2 "Value format versions").
//!
//! **Reading** accepts both formats, entry by entry, with the migration rules of Stigg's store:
//! `featureUsage` → `usageData`; a missing `calculatedEntitlement.type` means `FEATURE` (an entry
//! without `feature` is then dropped); `usagePeriodAnchor`/`resetPeriod`/`resetPeriodConfiguration`
//! are taken from the usage part when the entitlement part lacks them; `feature.displayName` defaults to
//! `feature.id`; usage `nextResetDate` is `usagePeriodEnd` when the latter is absent. Map keys are not
//! trusted: an entry is identified by its content (`feature.id`, `currency.currencyId`). An entry that
//! cannot be read is skipped (logged), never failing the customer's other entitlements. Instants are
//! accepted as epoch-ms numbers or ISO strings.
//!
//! **Writing** the current format (default), one JSON object per customer key:
//!
//! ```json
//! {"feature-x": {"calculatedEntitlement": {"type": "FEATURE",
//!     "feature": {"id", "featureType", "meterType", "units", "unitsPlural", "displayName", "description"},
//!     "usageLimit", "hasUnlimitedUsage", "hasSoftLimit", "accessDeniedReason", "enumValues", "validUntil",
//!     "creditRate", "resetPeriod", "resetPeriodConfiguration", "usagePeriodAnchor"},
//!   "usageData": {"currentUsage", "usagePeriodStart", "usagePeriodEnd", "updatedAt"}},
//!  "CREDIT:cred-x": {"calculatedEntitlement": {"type": "CREDIT",
//!     "currency": {"currencyId", "displayName", "description", "unitSingular", "unitPlural", "additionalMetaData"},
//!     "usageLimit", "hasSoftLimit", "accessDeniedReason", "validUntil"},
//!   "usageData": {...}}}
//! ```
//!
//! Instants are epoch-ms numbers, absent values `null`, integral numbers without a fraction (as
//! JavaScript writes them). Feature entries are keyed by the feature id, so 3.x readers (which look a
//! feature up by its id) find them. Credit entries are keyed `CREDIT:{currencyId}` so that they can
//! never collide with a feature id — Stigg's own key for them lives in the unpublished
//! `@stigg/cache-core` and is **\[unverified\]**; readers here ignore map keys, so changing it later is
//! harmless ([`CREDIT_MAP_KEY_PREFIX`]).
//!
//! The **3.x format** ([`WriteFormat::V3`]) writes `{featureId: {calculatedEntitlement{feature{id,
//! featureType, meterType, units, unitsPlural}, resourceId, usageLimit, hasUnlimitedUsage, hasSoftLimit,
//! accessDeniedReason, enumValues, validUntil, creditRate}, featureUsage{resetPeriod,
//! resetPeriodConfiguration, currentUsage, usagePeriodAnchor, usagePeriodStart, usagePeriodEnd}}}`,
//! omitting absent fields as node-server-sdk 3.x does, and no credits.
//!
//! Usage keys hold `{"currentUsage", "usagePeriodStart", "usagePeriodEnd"}` (epoch ms or `null`; the 3.x
//! format omits nulls); metadata `{"accessDeniedReason": <reason>|null}`.

use std::fmt;
use std::sync::Arc;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::config::WriteFormat;
use crate::model::enums::{
    AccessDeniedReason, EntitlementResetPeriod, EntitlementsStateAccessDeniedReason, FeatureType,
    MeterType,
};
use crate::model::time::{iso_opt, Millis};
use crate::model::wire::{
    null_as_default, CreditCurrency, CreditRate, ResetPeriodConfiguration, UnitTransformation,
};
use crate::model::{
    CreditRecord, CurrencyInfo, CustomerState, EntitlementKey, FeatureInfo, FeatureRecord,
    UsageData,
};

/// The map key of a credit entry in the current format: `CREDIT:{currencyId}`.
pub const CREDIT_MAP_KEY_PREFIX: &str = "CREDIT:";

/// One usage key to write.
#[derive(Debug, Clone, PartialEq)]
pub struct EncodedUsage {
    /// Which entitlement.
    pub entitlement: EntitlementKey,
    /// The JSON value.
    pub value: String,
    /// Its `#timestamp`.
    pub timestamp: Millis,
}

/// A whole state, encoded for its keys.
#[derive(Debug, Clone, PartialEq)]
pub struct EncodedState {
    /// The customer key's JSON value.
    pub entitlements: String,
    /// The metadata key's JSON value.
    pub metadata: String,
    /// The usage keys of every usage-trackable entitlement.
    pub usages: Vec<EncodedUsage>,
}

/// Usage-trackable entitlements (their usage lives in its own key): metered features and credits.
pub fn usage_trackable(state: &CustomerState) -> Vec<EntitlementKey> {
    state
        .order
        .iter()
        .filter(|k| match k {
            EntitlementKey::Feature(id) => {
                state.feature(id).is_some_and(|r| r.feature.is_metered())
            }
            EntitlementKey::Credit(id) => state.credit(id).is_some(),
        })
        .cloned()
        .collect()
}

/// Encodes `state` for its keys. `resource_id` is written into 3.x entries; `usage_fallback_ts` is
/// the `#timestamp` of a usage whose `updatedAt` is unknown.
pub fn encode_state(
    state: &CustomerState,
    resource_id: Option<&str>,
    format: WriteFormat,
    usage_fallback_ts: Millis,
) -> Result<EncodedState, serde_json::Error> {
    let entitlements = match format {
        WriteFormat::Current => serde_json::to_string(&CurrentMap(state))?,
        WriteFormat::V3 => serde_json::to_string(&V3Map { state, resource_id })?,
    };
    let mut usages = Vec::new();
    for key in usage_trackable(state) {
        let usage = match &key {
            EntitlementKey::Feature(id) => state.feature(id).map(|r| r.usage),
            EntitlementKey::Credit(id) if format == WriteFormat::Current => {
                state.credit(id).map(|r| r.usage)
            }
            EntitlementKey::Credit(_) => None,
        };
        if let Some(u) = usage {
            usages.push(EncodedUsage {
                value: encode_usage(&u, format)?,
                timestamp: u.updated_at.unwrap_or(usage_fallback_ts),
                entitlement: key,
            });
        }
    }
    Ok(EncodedState {
        entitlements,
        metadata: encode_metadata(state.access_denied_reason.as_ref())?,
        usages,
    })
}

/// `{"accessDeniedReason": <reason>|null}`.
pub fn encode_metadata(
    reason: Option<&EntitlementsStateAccessDeniedReason>,
) -> Result<String, serde_json::Error> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Metadata<'a> {
        access_denied_reason: Option<&'a EntitlementsStateAccessDeniedReason>,
    }
    serde_json::to_string(&Metadata {
        access_denied_reason: reason,
    })
}

/// A usage key's value: `{"currentUsage", "usagePeriodStart", "usagePeriodEnd"}` (nulls omitted in
/// the 3.x format).
pub fn encode_usage(usage: &UsageData, format: WriteFormat) -> Result<String, serde_json::Error> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Usage {
        #[serde(serialize_with = "ser_js")]
        current_usage: f64,
        #[serde(skip_serializing_if = "Skip::skip")]
        usage_period_start: Skip,
        #[serde(skip_serializing_if = "Skip::skip")]
        usage_period_end: Skip,
    }
    /// An instant that is omitted when absent in the 3.x format and `null` in the current one.
    #[derive(Serialize)]
    #[serde(transparent)]
    struct Skip(Option<Millis>, #[serde(skip)] bool);
    impl Skip {
        fn skip(&self) -> bool {
            self.0.is_none() && self.1
        }
    }
    let omit = format == WriteFormat::V3;
    serde_json::to_string(&Usage {
        current_usage: usage.current_usage,
        usage_period_start: Skip(usage.usage_period_start, omit),
        usage_period_end: Skip(usage.usage_period_end, omit),
    })
}

/// A JSON number as JavaScript writes it: integral values without a fraction.
fn js_number(v: f64) -> serde_json::Value {
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    if v.fract() == 0.0 && v.abs() <= MAX_SAFE {
        serde_json::Value::from(v as i64)
    } else {
        serde_json::Number::from_f64(v)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null)
    }
}

fn ser_js_opt<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => js_number(*v).serialize(s),
        None => s.serialize_none(),
    }
}

fn ser_js<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    js_number(*v).serialize(s)
}

// ---------------------------------------------------------------------------------------------
// Writing: the current format

struct CurrentMap<'a>(&'a CustomerState);

impl Serialize for CurrentMap<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let state = self.0;
        let mut map = s.serialize_map(Some(state.order.len()))?;
        for key in &state.order {
            match key {
                EntitlementKey::Feature(id) => {
                    if let Some(r) = state.feature(id) {
                        map.serialize_entry(&**id, &CurrentFeatureEntry(r))?;
                    }
                }
                EntitlementKey::Credit(id) => {
                    if let Some(r) = state.credit(id) {
                        let k = format!("{CREDIT_MAP_KEY_PREFIX}{id}");
                        map.serialize_entry(&k, &CurrentCreditEntry(r))?;
                    }
                }
            }
        }
        map.end()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FeatureOut<'a> {
    id: &'a str,
    feature_type: &'a FeatureType,
    meter_type: Option<&'a MeterType>,
    units: &'a str,
    units_plural: &'a str,
    display_name: &'a str,
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit_transformation: Option<&'a UnitTransformation>,
}

impl<'a> FeatureOut<'a> {
    fn of(f: &'a FeatureInfo) -> Self {
        FeatureOut {
            id: &f.id,
            feature_type: &f.feature_type,
            meter_type: f.meter_type.as_ref(),
            units: &f.units,
            units_plural: &f.units_plural,
            display_name: f.display_name.as_deref().unwrap_or(&f.id),
            description: f.description.as_deref(),
            unit_transformation: f.unit_transformation.as_ref(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UsageOut {
    #[serde(serialize_with = "ser_js")]
    current_usage: f64,
    usage_period_start: Option<Millis>,
    usage_period_end: Option<Millis>,
    updated_at: Option<Millis>,
}

impl UsageOut {
    fn of(u: &UsageData) -> Self {
        UsageOut {
            current_usage: u.current_usage,
            usage_period_start: u.usage_period_start,
            usage_period_end: u.usage_period_end,
            updated_at: u.updated_at,
        }
    }
}

struct CurrentFeatureEntry<'a>(&'a FeatureRecord);

impl Serialize for CurrentFeatureEntry<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Calc<'a> {
            #[serde(rename = "type")]
            kind: &'static str,
            feature: FeatureOut<'a>,
            #[serde(serialize_with = "ser_js_opt")]
            usage_limit: Option<f64>,
            has_unlimited_usage: bool,
            has_soft_limit: bool,
            access_denied_reason: Option<&'a AccessDeniedReason>,
            enum_values: &'a [String],
            valid_until: Option<Millis>,
            credit_rate: Option<&'a CreditRate>,
            reset_period: Option<&'a EntitlementResetPeriod>,
            reset_period_configuration: Option<&'a ResetPeriodConfiguration>,
            usage_period_anchor: Option<Millis>,
        }
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Entry<'a> {
            calculated_entitlement: Calc<'a>,
            usage_data: UsageOut,
        }
        let r = self.0;
        Entry {
            calculated_entitlement: Calc {
                kind: "FEATURE",
                feature: FeatureOut::of(&r.feature),
                usage_limit: r.usage_limit,
                has_unlimited_usage: r.has_unlimited_usage,
                has_soft_limit: r.has_soft_limit,
                access_denied_reason: r.access_denied_reason.as_ref(),
                enum_values: &r.enum_values,
                valid_until: r.valid_until,
                credit_rate: r.credit_rate.as_ref(),
                reset_period: r.reset_period.as_ref(),
                reset_period_configuration: r.reset_period_configuration.as_ref(),
                usage_period_anchor: r.usage_period_anchor,
            },
            usage_data: UsageOut::of(&r.usage),
        }
        .serialize(s)
    }
}

struct CurrentCreditEntry<'a>(&'a CreditRecord);

impl Serialize for CurrentCreditEntry<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct CurrencyOut<'a> {
            currency_id: &'a str,
            display_name: Option<&'a str>,
            description: Option<&'a str>,
            unit_singular: Option<&'a str>,
            unit_plural: Option<&'a str>,
            additional_meta_data: Option<&'a serde_json::Value>,
        }
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Calc<'a> {
            #[serde(rename = "type")]
            kind: &'static str,
            currency: CurrencyOut<'a>,
            #[serde(serialize_with = "ser_js")]
            usage_limit: f64,
            has_soft_limit: bool,
            access_denied_reason: Option<&'a AccessDeniedReason>,
            valid_until: Option<Millis>,
        }
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Entry<'a> {
            calculated_entitlement: Calc<'a>,
            usage_data: UsageOut,
        }
        let r = self.0;
        let c = &r.currency;
        Entry {
            calculated_entitlement: Calc {
                kind: "CREDIT",
                currency: CurrencyOut {
                    currency_id: &c.currency_id,
                    display_name: c.display_name.as_deref(),
                    description: c.description.as_deref(),
                    unit_singular: c.unit_singular.as_deref(),
                    unit_plural: c.unit_plural.as_deref(),
                    additional_meta_data: c.metadata.as_ref(),
                },
                usage_limit: r.usage_limit,
                has_soft_limit: r.has_soft_limit,
                access_denied_reason: r.access_denied_reason.as_ref(),
                valid_until: r.valid_until,
            },
            usage_data: UsageOut::of(&r.usage),
        }
        .serialize(s)
    }
}

// ---------------------------------------------------------------------------------------------
// Writing: the 3.x format

struct V3Map<'a> {
    state: &'a CustomerState,
    resource_id: Option<&'a str>,
}

impl Serialize for V3Map<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Feature<'a> {
            id: &'a str,
            feature_type: &'a FeatureType,
            #[serde(skip_serializing_if = "Option::is_none")]
            meter_type: Option<&'a MeterType>,
            units: &'a str,
            units_plural: &'a str,
        }
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Calc<'a> {
            feature: Feature<'a>,
            #[serde(skip_serializing_if = "Option::is_none")]
            resource_id: Option<&'a str>,
            #[serde(serialize_with = "ser_js_opt")]
            usage_limit: Option<f64>,
            has_unlimited_usage: bool,
            has_soft_limit: bool,
            #[serde(skip_serializing_if = "Option::is_none")]
            access_denied_reason: Option<&'a AccessDeniedReason>,
            enum_values: &'a [String],
            #[serde(skip_serializing_if = "Option::is_none")]
            valid_until: Option<Millis>,
            #[serde(skip_serializing_if = "Option::is_none")]
            credit_rate: Option<&'a CreditRate>,
        }
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Usage<'a> {
            #[serde(skip_serializing_if = "Option::is_none")]
            reset_period: Option<&'a EntitlementResetPeriod>,
            #[serde(skip_serializing_if = "Option::is_none")]
            reset_period_configuration: Option<&'a ResetPeriodConfiguration>,
            #[serde(serialize_with = "ser_js")]
            current_usage: f64,
            #[serde(skip_serializing_if = "Option::is_none")]
            usage_period_anchor: Option<Millis>,
            #[serde(skip_serializing_if = "Option::is_none")]
            usage_period_start: Option<Millis>,
            #[serde(skip_serializing_if = "Option::is_none")]
            usage_period_end: Option<Millis>,
        }
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Entry<'a> {
            calculated_entitlement: Calc<'a>,
            feature_usage: Usage<'a>,
        }
        let state = self.state;
        let mut map = s.serialize_map(None)?;
        for key in &state.order {
            let EntitlementKey::Feature(id) = key else {
                continue;
            };
            let Some(r) = state.feature(id) else {
                continue;
            };
            let f = &r.feature;
            let entry = Entry {
                calculated_entitlement: Calc {
                    feature: Feature {
                        id: &f.id,
                        feature_type: &f.feature_type,
                        meter_type: f.meter_type.as_ref(),
                        units: &f.units,
                        units_plural: &f.units_plural,
                    },
                    resource_id: self.resource_id,
                    usage_limit: r.usage_limit,
                    has_unlimited_usage: r.has_unlimited_usage,
                    has_soft_limit: r.has_soft_limit,
                    access_denied_reason: r.access_denied_reason.as_ref(),
                    enum_values: &r.enum_values,
                    valid_until: r.valid_until,
                    credit_rate: r.credit_rate.as_ref(),
                },
                feature_usage: Usage {
                    reset_period: r.reset_period.as_ref(),
                    reset_period_configuration: r.reset_period_configuration.as_ref(),
                    current_usage: r.usage.current_usage,
                    usage_period_anchor: r.usage_period_anchor,
                    usage_period_start: r.usage.usage_period_start,
                    usage_period_end: r.usage.usage_period_end,
                },
            };
            map.serialize_entry(&**id, &entry)?;
        }
        map.end()
    }
}

// ---------------------------------------------------------------------------------------------
// Reading: both formats

/// A JSON object's entries in document order (the order of a customer's entitlements).
struct OrderedEntries(Vec<(String, serde_json::Value)>);

impl<'de> Deserialize<'de> for OrderedEntries {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OrderedEntries;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object of entitlements")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<OrderedEntries, A::Error> {
                let mut out = Vec::with_capacity(a.size_hint().unwrap_or(8));
                while let Some((k, v)) = a.next_entry::<String, serde_json::Value>()? {
                    out.push((k, v));
                }
                Ok(OrderedEntries(out))
            }
        }
        d.deserialize_map(V)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawFeature {
    #[serde(alias = "refId")]
    id: String,
    feature_type: FeatureType,
    #[serde(default)]
    meter_type: Option<MeterType>,
    #[serde(default, alias = "featureUnits")]
    units: Option<String>,
    #[serde(default, alias = "featureUnitsPlural")]
    units_plural: Option<String>,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    unit_transformation: Option<UnitTransformation>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RawCalc {
    #[serde(rename = "type")]
    kind: Option<String>,
    feature: Option<RawFeature>,
    currency: Option<CreditCurrency>,
    is_granted: Option<bool>,
    usage_limit: Option<f64>,
    #[serde(deserialize_with = "null_as_default")]
    has_unlimited_usage: bool,
    #[serde(deserialize_with = "null_as_default")]
    has_soft_limit: bool,
    access_denied_reason: Option<AccessDeniedReason>,
    enum_values: Option<Vec<String>>,
    #[serde(with = "iso_opt")]
    valid_until: Option<Millis>,
    credit_rate: Option<CreditRate>,
    reset_period: Option<EntitlementResetPeriod>,
    reset_period_configuration: Option<ResetPeriodConfiguration>,
    #[serde(with = "iso_opt")]
    usage_period_anchor: Option<Millis>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RawUsage {
    current_usage: Option<f64>,
    #[serde(with = "iso_opt")]
    usage_period_start: Option<Millis>,
    #[serde(with = "iso_opt")]
    usage_period_end: Option<Millis>,
    #[serde(with = "iso_opt")]
    next_reset_date: Option<Millis>,
    #[serde(with = "iso_opt")]
    updated_at: Option<Millis>,
    reset_period: Option<EntitlementResetPeriod>,
    reset_period_configuration: Option<ResetPeriodConfiguration>,
    #[serde(with = "iso_opt")]
    usage_period_anchor: Option<Millis>,
}

impl RawUsage {
    fn to_usage(&self) -> UsageData {
        UsageData {
            current_usage: self.current_usage.unwrap_or(0.0),
            usage_period_start: self.usage_period_start,
            usage_period_end: self.usage_period_end.or(self.next_reset_date),
            updated_at: self.updated_at,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEntry {
    #[serde(default)]
    calculated_entitlement: Option<RawCalc>,
    #[serde(default)]
    usage_data: Option<RawUsage>,
    #[serde(default)]
    feature_usage: Option<RawUsage>,
}

/// What a decoded entry became.
enum Decoded {
    Feature(FeatureRecord),
    Credit(CreditRecord),
}

fn decode_entry(value: serde_json::Value) -> Result<Option<Decoded>, serde_json::Error> {
    let entry: RawEntry = serde_json::from_value(value)?;
    let Some(calc) = entry.calculated_entitlement else {
        return Ok(None);
    };
    // `featureUsage` (3.x) is `usageData` (current).
    let usage = entry.usage_data.or(entry.feature_usage).unwrap_or_default();
    let kind = match calc.kind.as_deref() {
        Some(k) => k.to_owned(),
        // 3.x entries were all features; one without its feature cannot be used.
        None if calc.feature.is_some() => String::from("FEATURE"),
        None => return Ok(None),
    };
    let reason = calc.access_denied_reason;
    let is_granted = calc.is_granted.unwrap_or(reason.is_none());
    match kind.as_str() {
        "FEATURE" => {
            let Some(f) = calc.feature else {
                return Ok(None);
            };
            let display_name = f.display_name.unwrap_or_else(|| f.id.clone());
            Ok(Some(Decoded::Feature(FeatureRecord {
                feature: Arc::new(FeatureInfo {
                    id: f.id,
                    feature_type: f.feature_type,
                    meter_type: f.meter_type,
                    units: f.units.unwrap_or_default(),
                    units_plural: f.units_plural.unwrap_or_default(),
                    display_name: Some(display_name),
                    description: f.description,
                    unit_transformation: f.unit_transformation,
                }),
                is_granted,
                access_denied_reason: reason,
                usage_limit: calc.usage_limit,
                has_unlimited_usage: calc.has_unlimited_usage,
                has_soft_limit: calc.has_soft_limit,
                enum_values: calc.enum_values.unwrap_or_default().into(),
                // Moved from the usage part into the entitlement part in the current format.
                reset_period: calc.reset_period.or(usage.reset_period.clone()),
                reset_period_configuration: calc
                    .reset_period_configuration
                    .or(usage.reset_period_configuration.clone()),
                usage_period_anchor: calc.usage_period_anchor.or(usage.usage_period_anchor),
                valid_until: calc.valid_until,
                credit_rate: calc.credit_rate,
                entitlement_updated_at: None,
                usage: usage.to_usage(),
            })))
        }
        "CREDIT" => {
            let Some(c) = calc.currency else {
                return Ok(None);
            };
            Ok(Some(Decoded::Credit(CreditRecord {
                currency: Arc::new(CurrencyInfo {
                    currency_id: c.currency_id,
                    display_name: c.display_name,
                    description: c.description,
                    unit_singular: c.unit_singular,
                    unit_plural: c.unit_plural,
                    metadata: c.additional_meta_data,
                }),
                is_granted,
                access_denied_reason: reason,
                usage_limit: calc.usage_limit.unwrap_or(0.0),
                has_soft_limit: calc.has_soft_limit,
                valid_until: calc.valid_until,
                entitlement_updated_at: None,
                usage: usage.to_usage(),
            })))
        }
        _ => Ok(None),
    }
}

/// Decodes a customer key's value (either format) into a state without timestamp and reason.
///
/// Fails only when the value is not a JSON object; unreadable entries are skipped.
pub fn decode_entitlements(raw: &str) -> Result<CustomerState, serde_json::Error> {
    let entries: OrderedEntries = serde_json::from_str(raw)?;
    let mut state = CustomerState::default();
    for (map_key, value) in entries.0 {
        match decode_entry(value) {
            Ok(Some(Decoded::Feature(rec))) => {
                let key: Box<str> = rec.feature.id.as_str().into();
                if state.features.insert(key.clone(), rec).is_none() {
                    state.order.push(EntitlementKey::Feature(key));
                }
            }
            Ok(Some(Decoded::Credit(rec))) => {
                let key: Box<str> = rec.currency.currency_id.as_str().into();
                if state.credits.insert(key.clone(), rec).is_none() {
                    state.order.push(EntitlementKey::Credit(key));
                }
            }
            Ok(None) => {
                tracing::debug!(entry = %map_key, "skipping a cached entry without an entitlement");
            }
            Err(e) => {
                tracing::warn!(entry = %map_key, error = %e, "skipping a cached entry the SDK cannot read");
            }
        }
    }
    Ok(state)
}

/// Decodes a metadata value: the customer-level reason (`null`, `{}` and absent mean none).
pub fn decode_metadata(
    raw: &str,
) -> Result<Option<EntitlementsStateAccessDeniedReason>, serde_json::Error> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Metadata {
        #[serde(default)]
        access_denied_reason: Option<EntitlementsStateAccessDeniedReason>,
    }
    let m: Metadata = serde_json::from_str(raw)?;
    Ok(m.access_denied_reason)
}

/// Decodes a usage key's value (`nextResetDate` read as `usagePeriodEnd` when that is absent). Its
/// `updated_at` is left unset: the caller takes it from the `#timestamp` sibling.
pub fn decode_usage(raw: &str) -> Result<UsageData, serde_json::Error> {
    let u: RawUsage = serde_json::from_str(raw)?;
    Ok(UsageData {
        updated_at: None,
        ..u.to_usage()
    })
}

/// Parses a `#timestamp` value like JavaScript's `parseInt(v, 10)`: optional sign and leading
/// digits; anything else (or out of a `Date`'s range) is no timestamp.
pub fn parse_timestamp(raw: &str) -> Option<Millis> {
    let s = raw.trim_start();
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let end = digits
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(digits.len());
    let n: i64 = digits[..end].parse().ok()?;
    let n = if neg { -n } else { n };
    (n.abs() <= 8_640_000_000_000_000).then_some(n)
}
