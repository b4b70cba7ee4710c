//! The objects that cross the boundary on the entitlement paths: parameters, options, configuration
//! and results, with the official Node SDK's names. `#[napi(object)]` makes napi-rs convert them and
//! write their TypeScript interfaces into `index.d.ts`. Field names and order follow the core's
//! result types (`stigg_core::model::result`), so every binding shows the same keys; `None` crosses as
//! `null` (never a missing key), instants as `Date`.

use std::collections::HashMap;

use chrono::{DateTime, TimeZone, Utc};
use napi_derive::napi;
use stigg_core::model::{
    self as core, CreditEntitlementFallback as CoreCreditFallback,
    EntitlementFallback as CoreFallback, FeatureInfo, Millis,
};

/// An instant as a JS `Date` (napi-rs converts `DateTime<Utc>`).
pub(crate) fn date(ms: Option<Millis>) -> Option<DateTime<Utc>> {
    ms.and_then(|ms| Utc.timestamp_millis_opt(ms).single())
}

/// `options.fallback` / `entitlementsFallback[featureId]`: what a read returns when it cannot decide.
#[napi(object)]
#[derive(Clone, Default)]
pub struct EntitlementFallback {
    /// Whether the fallback grants access (default false).
    pub has_access: Option<bool>,
    /// Numeric value (numeric features).
    pub value: Option<f64>,
    /// Unlimited (numeric and metered features).
    pub is_unlimited: Option<bool>,
    /// Usage limit (metered features).
    pub usage_limit: Option<f64>,
    /// Allowed values (enum features).
    pub enum_values: Option<Vec<String>>,
}

impl From<EntitlementFallback> for CoreFallback {
    fn from(f: EntitlementFallback) -> Self {
        CoreFallback {
            has_access: f.has_access.unwrap_or(false),
            value: f.value,
            is_unlimited: f.is_unlimited,
            usage_limit: f.usage_limit,
            enum_values: f.enum_values,
        }
    }
}

/// `creditEntitlementsFallback[currencyId]` / a credit read's `options.fallback`.
#[napi(object)]
#[derive(Clone, Default)]
pub struct CreditEntitlementFallback {
    /// Whether the fallback grants access (default false).
    pub has_access: Option<bool>,
    /// Credits granted.
    pub usage_limit: Option<f64>,
    /// Credits consumed.
    pub current_usage: Option<f64>,
}

impl From<CreditEntitlementFallback> for CoreCreditFallback {
    fn from(f: CreditEntitlementFallback) -> Self {
        CoreCreditFallback {
            has_access: f.has_access.unwrap_or(false),
            usage_limit: f.usage_limit,
            current_usage: f.current_usage,
        }
    }
}

/// `Stigg.initialize` options: the official `ClientConfiguration` names. Options of the official SDK
/// that have no meaning here (`logConfiguration`, `clientName`, `clientVersion`, `enableRemoteConfig`)
/// are accepted and ignored.
#[napi(object)]
#[derive(Default)]
pub struct ClientConfiguration {
    /// Server API key (`server-...`); optional offline. Default: `$STIGG_API_KEY`.
    pub api_key: Option<String>,
    /// API origin (default `https://api.stigg.io`, or `$STIGG_BASE_URI`).
    pub base_uri: Option<String>,
    /// Edge origin (default: derived from `baseUri`; `localhost` → port 3060).
    pub base_edge_uri: Option<String>,
    /// WebSocket origin (default: derived from `baseUri`).
    pub ws_url: Option<String>,
    /// Keep the cache fresh through the real-time stream (default true).
    pub realtime_updates_enabled: Option<bool>,
    /// Read entitlements through Edge (default true).
    pub enable_edge: Option<bool>,
    /// Fallbacks by feature id.
    pub entitlements_fallback: Option<HashMap<String, EntitlementFallback>>,
    /// Fallbacks by currency id (`getEntitlementV2`, `getEntitlementsStateV2`).
    pub credit_entitlements_fallback: Option<HashMap<String, CreditEntitlementFallback>>,
    /// Byte budget of the in-memory cache (default 256 MiB).
    pub memory_cache_max_size_bytes: Option<f64>,
    /// Timeout of API calls, ms (default 60000).
    pub timeout: Option<f64>,
    /// Timeout of entitlement fetches, ms (default 10000).
    pub entitlements_timeout: Option<f64>,
    /// Offline mode: fallbacks for reads, local acknowledgements for writes, no network.
    pub offline: Option<bool>,
    /// stigg-native: how long (ms) a cached state is served while no live stream confirms it
    /// (default 30000). The official SDK refetches on every read then.
    pub refresh_interval: Option<f64>,
    /// Redis persistent cache: the official `redis` options (`environmentPrefix` required, `host`,
    /// `port`, `db`, `username`, `password`, `tls`, `url`, `ttl`, `distributedEntitlementsFetching`,
    /// `cacheUpdatePolicy`; ours: `commandTimeout`, `l1MaxStaleness` (ms), `writeFormat`). No stream
    /// is opened in Redis mode, as in the official SDK.
    #[napi(ts_type = "RedisOptions")]
    pub redis: Option<serde_json::Value>,
    /// Test support: fix the clock every decision reads at this instant (epoch ms); move it with
    /// `setTestClock`. Never set it in production.
    pub test_clock: Option<f64>,
    /// Accepted for compatibility with `@stigg/node-server-sdk`; logs go through `tracing`.
    #[napi(ts_type = "unknown")]
    pub log_configuration: Option<serde_json::Value>,
    /// Accepted for compatibility; ignored.
    pub client_name: Option<String>,
    /// Accepted for compatibility; ignored.
    pub client_version: Option<String>,
    /// Accepted for compatibility; the API key is always checked at initialization online.
    pub enable_remote_config: Option<bool>,
}

/// `options` of `getBooleanEntitlement` / `getNumericEntitlement`.
#[napi(object)]
#[derive(Default)]
pub struct EntitlementOptions {
    /// Per-call fallback (wins over `entitlementsFallback`).
    pub fallback: Option<EntitlementFallback>,
    /// Deprecated in the official SDK; ignored.
    pub should_track: Option<bool>,
}

/// `options` of `getMeteredEntitlement`.
#[napi(object)]
#[derive(Default)]
pub struct MeteredEntitlementOptions {
    /// The usage to check for (default 0).
    pub requested_usage: Option<f64>,
    /// Per-call fallback.
    pub fallback: Option<EntitlementFallback>,
    /// Deprecated in the official SDK; ignored.
    pub should_track: Option<bool>,
}

/// `options` of `getEnumEntitlement`.
#[napi(object)]
#[derive(Default)]
pub struct EnumEntitlementOptions {
    /// The values to check for.
    pub requested_values: Option<Vec<String>>,
    /// Per-call fallback.
    pub fallback: Option<EntitlementFallback>,
    /// Deprecated in the official SDK; ignored.
    pub should_track: Option<bool>,
}

/// `options` of `getCreditEntitlement`.
#[napi(object)]
#[derive(Default)]
pub struct CreditEntitlementOptions {
    /// The credits to check for (default 0).
    pub requested_usage: Option<f64>,
    /// Per-call credit fallback (the only fallback this getter uses, as in the official SDK).
    pub fallback: Option<CreditEntitlementFallback>,
}

/// `options` of the generic getters (`getEntitlement`, `getEntitlementV2`).
#[napi(object)]
#[derive(Default)]
pub struct GenericEntitlementOptions {
    /// The usage to check for.
    pub requested_usage: Option<f64>,
    /// The values to check for.
    pub requested_values: Option<Vec<String>>,
    /// Per-call fallback: a feature fallback, or a credit fallback when `currencyId` is given.
    #[napi(ts_type = "EntitlementFallback | CreditEntitlementFallback")]
    pub fallback: Option<serde_json::Value>,
}

/// Parameters of `getBooleanEntitlement` and `getNumericEntitlement`.
#[napi(object)]
pub struct GetEntitlementParams {
    /// Customer id.
    pub customer_id: String,
    /// Feature id.
    pub feature_id: String,
    /// Resource id.
    pub resource_id: Option<String>,
    /// Options.
    pub options: Option<EntitlementOptions>,
}

/// Parameters of `getMeteredEntitlement`.
#[napi(object)]
pub struct GetMeteredEntitlementParams {
    /// Customer id.
    pub customer_id: String,
    /// Feature id.
    pub feature_id: String,
    /// Resource id.
    pub resource_id: Option<String>,
    /// Options.
    pub options: Option<MeteredEntitlementOptions>,
}

/// Parameters of `getEnumEntitlement`.
#[napi(object)]
pub struct GetEnumEntitlementParams {
    /// Customer id.
    pub customer_id: String,
    /// Feature id.
    pub feature_id: String,
    /// Resource id.
    pub resource_id: Option<String>,
    /// Options.
    pub options: Option<EnumEntitlementOptions>,
}

/// Parameters of `getCreditEntitlement`.
#[napi(object)]
pub struct GetCreditEntitlementParams {
    /// Customer id.
    pub customer_id: String,
    /// Currency id of the wallet.
    pub currency_id: String,
    /// Resource id.
    pub resource_id: Option<String>,
    /// Options.
    pub options: Option<CreditEntitlementOptions>,
}

/// Parameters of `getEntitlement` (deprecated generic getter).
#[napi(object)]
pub struct GetGenericEntitlementParams {
    /// Customer id.
    pub customer_id: String,
    /// Feature id.
    pub feature_id: String,
    /// Resource id.
    pub resource_id: Option<String>,
    /// Options; the fallback's type follows their shape.
    pub options: Option<GenericEntitlementOptions>,
}

/// Parameters of `getEntitlementV2`: exactly one of `featureId` and `currencyId`.
#[napi(object)]
pub struct GetEntitlementV2Params {
    /// Customer id.
    pub customer_id: String,
    /// Resource id.
    pub resource_id: Option<String>,
    /// Feature id (XOR `currencyId`).
    pub feature_id: Option<String>,
    /// Currency id (XOR `featureId`).
    pub currency_id: Option<String>,
    /// Options.
    pub options: Option<GenericEntitlementOptions>,
}

/// The feature a result is about.
#[napi(object, use_nullable = true)]
pub struct Feature {
    /// Feature id.
    pub id: String,
    /// `BOOLEAN`, `NUMBER` or `ENUM`.
    pub feature_type: String,
    /// `None`, `Incremental`, `Fluctuating`, or null.
    pub meter_type: Option<String>,
    /// Unit, singular (`""` when unset).
    pub units: String,
    /// Unit, plural (`""` when unset).
    pub units_plural: String,
    /// True for metered features.
    pub is_metered: bool,
    /// Display name.
    pub display_name: Option<String>,
    /// Description.
    pub description: Option<String>,
}

impl From<&FeatureInfo> for Feature {
    fn from(f: &FeatureInfo) -> Self {
        Feature {
            id: f.id.clone(),
            feature_type: f.feature_type.as_str().to_owned(),
            meter_type: f.meter_type.as_ref().map(|m| m.as_str().to_owned()),
            units: f.units.clone(),
            units_plural: f.units_plural.clone(),
            is_metered: f.is_metered(),
            display_name: f.display_name.clone(),
            description: f.description.clone(),
        }
    }
}

/// The currency of a credit result.
#[napi(object, use_nullable = true)]
pub struct Currency {
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
    #[napi(ts_type = "Record<string, unknown>")]
    pub metadata: Option<serde_json::Value>,
}

fn reason(r: &Option<core::AccessDeniedReason>) -> Option<String> {
    r.as_ref().map(|r| r.as_str().to_owned())
}

fn feature(f: &Option<std::sync::Arc<FeatureInfo>>) -> Option<Feature> {
    f.as_deref().map(Feature::from)
}

/// Result of `getBooleanEntitlement`.
#[napi(object, use_nullable = true)]
pub struct BooleanEntitlement {
    /// `'BOOLEAN'`.
    #[napi(js_name = "type", ts_type = "'BOOLEAN'")]
    pub kind: String,
    /// Whether access is granted.
    pub has_access: bool,
    /// True when this is a fallback value, not a decision on real data.
    pub is_fallback: bool,
    /// Why access was denied (or the fallback's reason).
    pub access_denied_reason: Option<String>,
    /// The feature, when known.
    pub feature: Option<Feature>,
}

impl From<&core::BooleanEntitlement> for BooleanEntitlement {
    fn from(e: &core::BooleanEntitlement) -> Self {
        BooleanEntitlement {
            kind: "BOOLEAN".into(),
            has_access: e.has_access,
            is_fallback: e.is_fallback,
            access_denied_reason: reason(&e.access_denied_reason),
            feature: feature(&e.feature),
        }
    }
}

/// Result of `getNumericEntitlement`.
#[napi(object, use_nullable = true)]
pub struct NumericEntitlement {
    /// `'NUMERIC'`.
    #[napi(js_name = "type", ts_type = "'NUMERIC'")]
    pub kind: String,
    /// Whether access is granted.
    pub has_access: bool,
    /// True when this is a fallback value.
    pub is_fallback: bool,
    /// Why access was denied.
    pub access_denied_reason: Option<String>,
    /// The feature, when known.
    pub feature: Option<Feature>,
    /// The configured value.
    pub value: Option<f64>,
    /// Unlimited value.
    pub is_unlimited: bool,
}

impl From<&core::NumericEntitlement> for NumericEntitlement {
    fn from(e: &core::NumericEntitlement) -> Self {
        NumericEntitlement {
            kind: "NUMERIC".into(),
            has_access: e.has_access,
            is_fallback: e.is_fallback,
            access_denied_reason: reason(&e.access_denied_reason),
            feature: feature(&e.feature),
            value: e.value,
            is_unlimited: e.is_unlimited,
        }
    }
}

/// Result of `getMeteredEntitlement`.
#[napi(object, use_nullable = true)]
pub struct MeteredEntitlement {
    /// `'METERED'`.
    #[napi(js_name = "type", ts_type = "'METERED'")]
    pub kind: String,
    /// Whether access is granted.
    pub has_access: bool,
    /// True when this is a fallback value.
    pub is_fallback: bool,
    /// Why access was denied.
    pub access_denied_reason: Option<String>,
    /// The feature, when known.
    pub feature: Option<Feature>,
    /// The usage limit.
    pub usage_limit: Option<f64>,
    /// Unlimited usage.
    pub is_unlimited: bool,
    /// Soft limit: usage past the limit is allowed.
    pub has_soft_limit: bool,
    /// Usage in the current period.
    pub current_usage: f64,
    /// The usage the check asked about.
    pub requested_usage: f64,
    /// `HOUR`, `DAY`, `WEEK`, `MONTH` or `YEAR`.
    pub reset_period: Option<String>,
    /// Anchor of the usage periods.
    pub usage_period_anchor: Option<DateTime<Utc>>,
    /// Start of the current period.
    pub usage_period_start: Option<DateTime<Utc>>,
    /// End of the current period.
    pub usage_period_end: Option<DateTime<Utc>>,
    /// Deprecated alias of `usagePeriodEnd`.
    pub next_reset_date: Option<DateTime<Utc>>,
}

impl From<&core::MeteredEntitlement> for MeteredEntitlement {
    fn from(e: &core::MeteredEntitlement) -> Self {
        MeteredEntitlement {
            kind: "METERED".into(),
            has_access: e.has_access,
            is_fallback: e.is_fallback,
            access_denied_reason: reason(&e.access_denied_reason),
            feature: feature(&e.feature),
            usage_limit: e.usage_limit,
            is_unlimited: e.is_unlimited,
            has_soft_limit: e.has_soft_limit,
            current_usage: e.current_usage,
            requested_usage: e.requested_usage,
            reset_period: e.reset_period.as_ref().map(|p| p.as_str().to_owned()),
            usage_period_anchor: date(e.usage_period_anchor),
            usage_period_start: date(e.usage_period_start),
            usage_period_end: date(e.usage_period_end),
            next_reset_date: date(e.next_reset_date),
        }
    }
}

/// Result of `getEnumEntitlement`.
#[napi(object, use_nullable = true)]
pub struct EnumEntitlement {
    /// `'ENUM'`.
    #[napi(js_name = "type", ts_type = "'ENUM'")]
    pub kind: String,
    /// Whether access is granted.
    pub has_access: bool,
    /// True when this is a fallback value.
    pub is_fallback: bool,
    /// Why access was denied.
    pub access_denied_reason: Option<String>,
    /// The feature, when known.
    pub feature: Option<Feature>,
    /// Allowed values.
    pub enum_values: Vec<String>,
    /// The values the check asked about (`null` when none were passed).
    pub requested_values: Option<Vec<String>>,
}

impl From<&core::EnumEntitlement> for EnumEntitlement {
    fn from(e: &core::EnumEntitlement) -> Self {
        EnumEntitlement {
            kind: "ENUM".into(),
            has_access: e.has_access,
            is_fallback: e.is_fallback,
            access_denied_reason: reason(&e.access_denied_reason),
            feature: feature(&e.feature),
            enum_values: e.enum_values.to_vec(),
            requested_values: e.requested_values.clone(),
        }
    }
}

/// Result of `getCreditEntitlement` (and the credit member of `getEntitlementV2`).
#[napi(object, use_nullable = true)]
pub struct CreditEntitlement {
    /// `'CREDIT'`.
    #[napi(js_name = "type", ts_type = "'CREDIT'")]
    pub kind: String,
    /// Whether access is granted.
    pub has_access: bool,
    /// True when this is a fallback value.
    pub is_fallback: bool,
    /// Why access was denied.
    pub access_denied_reason: Option<String>,
    /// The wallet's currency.
    pub currency: Currency,
    /// Credits granted in the period.
    pub usage_limit: f64,
    /// Credits consumed in the period.
    pub current_usage: f64,
    /// `usageLimit − currentUsage`.
    pub remaining: f64,
    /// End of the current period.
    pub usage_period_end: Option<DateTime<Utc>>,
    /// Soft limit: consumption past the balance is allowed.
    pub has_soft_limit: bool,
    /// The amount the check asked about.
    pub requested_usage: f64,
}

impl From<&core::CreditEntitlement> for CreditEntitlement {
    fn from(e: &core::CreditEntitlement) -> Self {
        let c = &e.currency;
        CreditEntitlement {
            kind: "CREDIT".into(),
            has_access: e.has_access,
            is_fallback: e.is_fallback,
            access_denied_reason: reason(&e.access_denied_reason),
            currency: Currency {
                currency_id: c.currency_id.clone(),
                display_name: c.display_name.clone(),
                description: c.description.clone(),
                unit_singular: c.unit_singular.clone(),
                unit_plural: c.unit_plural.clone(),
                metadata: c.metadata.clone(),
            },
            usage_limit: e.usage_limit,
            current_usage: e.current_usage,
            remaining: e.remaining,
            usage_period_end: date(e.usage_period_end),
            has_soft_limit: e.has_soft_limit,
            requested_usage: e.requested_usage,
        }
    }
}

/// A feature entitlement of any type.
pub type Entitlement = napi::bindgen_prelude::Either4<
    BooleanEntitlement,
    NumericEntitlement,
    MeteredEntitlement,
    EnumEntitlement,
>;

/// A feature or credit entitlement.
pub type EntitlementV2 = napi::bindgen_prelude::Either5<
    BooleanEntitlement,
    NumericEntitlement,
    MeteredEntitlement,
    EnumEntitlement,
    CreditEntitlement,
>;

/// Converts the core's feature union.
pub(crate) fn entitlement(e: &core::Entitlement) -> Entitlement {
    use napi::bindgen_prelude::Either4::*;
    match e {
        core::Entitlement::Boolean(e) => A(e.into()),
        core::Entitlement::Numeric(e) => B(e.into()),
        core::Entitlement::Metered(e) => C(e.into()),
        core::Entitlement::Enum(e) => D(e.into()),
    }
}

/// Converts the core's feature-or-credit union.
pub(crate) fn entitlement_v2(e: &core::EntitlementV2) -> EntitlementV2 {
    use napi::bindgen_prelude::Either5::*;
    match e {
        core::EntitlementV2::Feature(core::Entitlement::Boolean(e)) => A(e.into()),
        core::EntitlementV2::Feature(core::Entitlement::Numeric(e)) => B(e.into()),
        core::EntitlementV2::Feature(core::Entitlement::Metered(e)) => C(e.into()),
        core::EntitlementV2::Feature(core::Entitlement::Enum(e)) => D(e.into()),
        core::EntitlementV2::Credit(e) => E(e.into()),
    }
}

/// Result of `getEntitlementsStateV2`.
#[napi(object, use_nullable = true)]
pub struct EntitlementsStateV2 {
    /// Every entitlement of the customer.
    #[napi(
        ts_type = "Array<BooleanEntitlement | NumericEntitlement | MeteredEntitlement | EnumEntitlement | CreditEntitlement>"
    )]
    pub entitlements: Vec<EntitlementV2>,
    /// Customer-level reason (`CustomerNotFound`, `CustomerIsArchived`, `NoActiveSubscription`).
    pub access_denied_reason: Option<String>,
}

impl From<&core::EntitlementsStateV2> for EntitlementsStateV2 {
    fn from(s: &core::EntitlementsStateV2) -> Self {
        EntitlementsStateV2 {
            entitlements: s.entitlements.iter().map(entitlement_v2).collect(),
            access_denied_reason: s
                .access_denied_reason
                .as_ref()
                .map(|r| r.as_str().to_owned()),
        }
    }
}

/// Result of `reloadEntitlements`.
#[napi(object)]
pub struct ReloadEntitlementsResult {
    /// True when the customer (or resource) exists.
    pub entitled_entity_exists: bool,
}
