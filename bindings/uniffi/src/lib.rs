//! # stigg-uniffi
//!
//! The UniFFI interface of stigg-native: one `StiggClient` object over the core, typed records for
//! entitlement results, one error type carrying Stigg's code and trace id, and a callback interface for
//! events. The Ruby gem (`bindings/ruby`) is generated from it with `uniffi-bindgen` and wrapped in an
//! idiomatic layer. Pure translation: configuration, writes and events reuse the C ABI crate's JSON
//! forms, so every face accepts the same documents.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![warn(missing_docs)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use stigg_core::client::{
    GetBooleanEntitlement, GetCreditEntitlement, GetEntitlement, GetEntitlementV2,
    GetEnumEntitlement, GetMeteredEntitlement, GetNumericEntitlement, ListenerId,
};
use stigg_core::eval::{EntitlementOptions, EntitlementTarget};
use stigg_core::model::wire::EntitlementsState;
use stigg_core::model::{
    self, CreditEntitlementFallback, Entitlement, EntitlementFallback, EntitlementV2,
};
use stigg_core::{Stigg, StiggError};

uniffi::setup_scaffolding!();

/// The one error of this interface: Stigg's error code (`CustomerNotFound`, `InvalidArgument`, ...),
/// a message and the server's trace id.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum StiggFailure {
    /// A failed call.
    #[error("{detail}")]
    Failure {
        /// Stigg's error code.
        code: String,
        /// A readable message.
        detail: String,
        /// The server's trace id, when there is one.
        trace_id: Option<String>,
    },
}

impl From<StiggError> for StiggFailure {
    fn from(e: StiggError) -> Self {
        StiggFailure::Failure {
            code: e.code().to_owned(),
            detail: e.to_string(),
            trace_id: e.trace_id().map(str::to_owned),
        }
    }
}

impl From<stigg_ffi::error::stigg_error_t> for StiggFailure {
    fn from(e: stigg_ffi::error::stigg_error_t) -> Self {
        StiggFailure::Failure {
            code: e.code().to_owned(),
            detail: e.message().to_owned(),
            trace_id: e.trace_id().map(str::to_owned),
        }
    }
}

fn invalid(field: &'static str, reason: String) -> StiggFailure {
    StiggError::invalid(field, reason).into()
}

/// A per-call fallback: one shape for every type; each check reads the fields of its type.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct Fallback {
    /// Whether the fallback grants access.
    #[uniffi(default = false)]
    pub has_access: bool,
    /// NUMERIC value.
    #[uniffi(default = None)]
    pub value: Option<f64>,
    /// NUMERIC/METERED unlimited.
    #[uniffi(default = None)]
    pub is_unlimited: Option<bool>,
    /// METERED/CREDIT usage limit.
    #[uniffi(default = None)]
    pub usage_limit: Option<f64>,
    /// CREDIT credits consumed.
    #[uniffi(default = None)]
    pub current_usage: Option<f64>,
    /// ENUM allowed values.
    #[uniffi(default = None)]
    pub enum_values: Option<Vec<String>>,
}

impl Fallback {
    fn feature(&self) -> EntitlementFallback {
        EntitlementFallback {
            has_access: self.has_access,
            value: self.value,
            is_unlimited: self.is_unlimited,
            usage_limit: self.usage_limit,
            enum_values: self.enum_values.clone(),
        }
    }

    fn credit(&self) -> CreditEntitlementFallback {
        CreditEntitlementFallback {
            has_access: self.has_access,
            usage_limit: self.usage_limit,
            current_usage: self.current_usage,
        }
    }
}

/// A feature as a result describes it.
#[derive(Debug, Clone, uniffi::Record)]
pub struct FeatureInfo {
    /// Feature id.
    pub id: String,
    /// `BOOLEAN`, `NUMBER`, `ENUM`.
    pub feature_type: String,
    /// `None`, `Fluctuating`, `Incremental`, or absent.
    pub meter_type: Option<String>,
    /// Unit, singular (`""` when unset).
    pub units: String,
    /// Unit, plural (`""` when unset).
    pub units_plural: String,
    /// NUMBER with an Incremental/Fluctuating meter.
    pub is_metered: bool,
    /// Display name.
    pub display_name: Option<String>,
    /// Description.
    pub description: Option<String>,
}

/// A credit currency as a result describes it.
#[derive(Debug, Clone, uniffi::Record)]
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
    /// Metadata as a JSON document.
    pub metadata_json: Option<String>,
}

/// `getBooleanEntitlement` result.
#[derive(Debug, Clone, uniffi::Record)]
pub struct BooleanResult {
    /// Whether access is granted.
    pub has_access: bool,
    /// A fallback value, not a decision on real data.
    pub is_fallback: bool,
    /// Why access was denied (wire value).
    pub access_denied_reason: Option<String>,
    /// The feature.
    pub feature: Option<FeatureInfo>,
}

/// `getNumericEntitlement` result.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NumericResult {
    /// Whether access is granted.
    pub has_access: bool,
    /// A fallback value.
    pub is_fallback: bool,
    /// Why access was denied.
    pub access_denied_reason: Option<String>,
    /// The feature.
    pub feature: Option<FeatureInfo>,
    /// The configured value.
    pub value: Option<f64>,
    /// Unlimited.
    pub is_unlimited: bool,
}

/// `getMeteredEntitlement` result. Instants are epoch milliseconds (UTC).
#[derive(Debug, Clone, uniffi::Record)]
pub struct MeteredResult {
    /// Whether access is granted.
    pub has_access: bool,
    /// A fallback value.
    pub is_fallback: bool,
    /// Why access was denied.
    pub access_denied_reason: Option<String>,
    /// The feature.
    pub feature: Option<FeatureInfo>,
    /// The usage limit.
    pub usage_limit: Option<f64>,
    /// Unlimited usage.
    pub is_unlimited: bool,
    /// Soft limit.
    pub has_soft_limit: bool,
    /// Usage in the current period.
    pub current_usage: f64,
    /// The usage the check asked about.
    pub requested_usage: f64,
    /// Reset period (wire value).
    pub reset_period: Option<String>,
    /// Anchor of the usage periods.
    pub usage_period_anchor_ms: Option<i64>,
    /// Start of the current period.
    pub usage_period_start_ms: Option<i64>,
    /// End of the current period (= `nextResetDate`).
    pub usage_period_end_ms: Option<i64>,
}

/// `getEnumEntitlement` result.
#[derive(Debug, Clone, uniffi::Record)]
pub struct EnumResult {
    /// Whether access is granted.
    pub has_access: bool,
    /// A fallback value.
    pub is_fallback: bool,
    /// Why access was denied.
    pub access_denied_reason: Option<String>,
    /// The feature.
    pub feature: Option<FeatureInfo>,
    /// Allowed values.
    pub enum_values: Vec<String>,
    /// The values asked about (echoed), absent when none were passed.
    pub requested_values: Option<Vec<String>>,
}

/// `getCreditEntitlement` result.
#[derive(Debug, Clone, uniffi::Record)]
pub struct CreditResult {
    /// Whether access is granted.
    pub has_access: bool,
    /// A fallback value.
    pub is_fallback: bool,
    /// Why access was denied.
    pub access_denied_reason: Option<String>,
    /// The currency.
    pub currency: CurrencyInfo,
    /// Credits granted.
    pub usage_limit: f64,
    /// Credits consumed.
    pub current_usage: f64,
    /// `usage_limit - current_usage`.
    pub remaining: f64,
    /// End of the period.
    pub usage_period_end_ms: Option<i64>,
    /// Soft limit.
    pub has_soft_limit: bool,
    /// The amount asked about.
    pub requested_usage: f64,
}

/// A result of any type (`getEntitlement`, `getEntitlementV2`, list items).
#[derive(Debug, Clone, uniffi::Enum)]
pub enum EntitlementResult {
    /// BOOLEAN.
    Boolean {
        /// The result.
        result: BooleanResult,
    },
    /// NUMERIC.
    Numeric {
        /// The result.
        result: NumericResult,
    },
    /// METERED.
    Metered {
        /// The result.
        result: MeteredResult,
    },
    /// ENUM.
    Enumeration {
        /// The result.
        result: EnumResult,
    },
    /// CREDIT.
    Credit {
        /// The result.
        result: CreditResult,
    },
}

/// `getEntitlementsStateV2` result.
#[derive(Debug, Clone, uniffi::Record)]
pub struct EntitlementsStateResult {
    /// Every entitlement.
    pub entitlements: Vec<EntitlementResult>,
    /// Customer-level reason.
    pub access_denied_reason: Option<String>,
}

/// Receives the client's events as JSON documents (`{"type": "usageUpdated", ...}`), on the thread
/// that produced them.
#[uniffi::export(callback_interface)]
pub trait EventListener: Send + Sync {
    /// One event.
    fn on_event(&self, event_json: String);
}

fn feature(f: &Option<Arc<model::FeatureInfo>>) -> Option<FeatureInfo> {
    f.as_deref().map(|f| FeatureInfo {
        id: f.id.clone(),
        feature_type: f.feature_type.as_str().to_owned(),
        meter_type: f.meter_type.as_ref().map(|m| m.as_str().to_owned()),
        units: f.units.clone(),
        units_plural: f.units_plural.clone(),
        is_metered: f.is_metered(),
        display_name: f.display_name.clone(),
        description: f.description.clone(),
    })
}

fn reason(r: &Option<model::AccessDeniedReason>) -> Option<String> {
    r.as_ref().map(|r| r.as_str().to_owned())
}

fn boolean(r: model::BooleanEntitlement) -> BooleanResult {
    BooleanResult {
        has_access: r.has_access,
        is_fallback: r.is_fallback,
        access_denied_reason: reason(&r.access_denied_reason),
        feature: feature(&r.feature),
    }
}

fn numeric(r: model::NumericEntitlement) -> NumericResult {
    NumericResult {
        has_access: r.has_access,
        is_fallback: r.is_fallback,
        access_denied_reason: reason(&r.access_denied_reason),
        feature: feature(&r.feature),
        value: r.value,
        is_unlimited: r.is_unlimited,
    }
}

fn metered(r: model::MeteredEntitlement) -> MeteredResult {
    MeteredResult {
        has_access: r.has_access,
        is_fallback: r.is_fallback,
        access_denied_reason: reason(&r.access_denied_reason),
        feature: feature(&r.feature),
        usage_limit: r.usage_limit,
        is_unlimited: r.is_unlimited,
        has_soft_limit: r.has_soft_limit,
        current_usage: r.current_usage,
        requested_usage: r.requested_usage,
        reset_period: r.reset_period.as_ref().map(|p| p.as_str().to_owned()),
        usage_period_anchor_ms: r.usage_period_anchor,
        usage_period_start_ms: r.usage_period_start,
        usage_period_end_ms: r.usage_period_end,
    }
}

fn enumeration(r: model::EnumEntitlement) -> EnumResult {
    EnumResult {
        has_access: r.has_access,
        is_fallback: r.is_fallback,
        access_denied_reason: reason(&r.access_denied_reason),
        feature: feature(&r.feature),
        enum_values: r.enum_values.to_vec(),
        requested_values: r.requested_values,
    }
}

fn credit(r: model::CreditEntitlement) -> CreditResult {
    let c = &r.currency;
    CreditResult {
        has_access: r.has_access,
        is_fallback: r.is_fallback,
        access_denied_reason: reason(&r.access_denied_reason),
        currency: CurrencyInfo {
            currency_id: c.currency_id.clone(),
            display_name: c.display_name.clone(),
            description: c.description.clone(),
            unit_singular: c.unit_singular.clone(),
            unit_plural: c.unit_plural.clone(),
            metadata_json: c.metadata.as_ref().map(|m| m.to_string()),
        },
        usage_limit: r.usage_limit,
        current_usage: r.current_usage,
        remaining: r.remaining,
        usage_period_end_ms: r.usage_period_end,
        has_soft_limit: r.has_soft_limit,
        requested_usage: r.requested_usage,
    }
}

fn entitlement(e: Entitlement) -> EntitlementResult {
    match e {
        Entitlement::Boolean(r) => EntitlementResult::Boolean { result: boolean(r) },
        Entitlement::Numeric(r) => EntitlementResult::Numeric { result: numeric(r) },
        Entitlement::Metered(r) => EntitlementResult::Metered { result: metered(r) },
        Entitlement::Enum(r) => EntitlementResult::Enumeration {
            result: enumeration(r),
        },
    }
}

fn entitlement_v2(e: EntitlementV2) -> EntitlementResult {
    match e {
        EntitlementV2::Feature(f) => entitlement(f),
        EntitlementV2::Credit(c) => EntitlementResult::Credit { result: credit(c) },
    }
}

/// A Stigg client. Thread-safe; every method may be called from any thread.
#[derive(uniffi::Object)]
pub struct StiggClient {
    stigg: Stigg,
    /// A `stigg_client_t *` over the same client: the Ruby gem's cached checks call the C ABI (exported
    /// by this library too) with it, because UniFFI's generated Ruby costs ~20 µs per call.
    c_handle: usize,
    listeners: Mutex<HashMap<u64, ListenerId>>,
    next: std::sync::atomic::AtomicU64,
}

impl Drop for StiggClient {
    fn drop(&mut self) {
        // SAFETY: `c_handle` came from `stigg_client_t::into_raw` and is freed once, here.
        unsafe { stigg_ffi::client::stigg_client_free(self.c_handle as *mut _) };
    }
}

#[uniffi::export]
impl StiggClient {
    /// Creates a client from a JSON configuration with Stigg's option names (`apiKey`, `baseUri`,
    /// `offline`, `entitlementsFallback`, `fixedNowMs`, ... as `stigg_client_new_json`).
    #[uniffi::constructor]
    pub fn new(config_json: String) -> Result<Arc<Self>, StiggFailure> {
        let config = stigg_ffi::config::JsonConfig::parse(&config_json)?.build()?;
        let stigg = Stigg::new(config)?;
        Ok(Arc::new(StiggClient {
            c_handle: stigg_ffi::client::stigg_client_t::into_raw(stigg.clone()) as usize,
            stigg,
            listeners: Mutex::new(HashMap::new()),
            next: std::sync::atomic::AtomicU64::new(1),
        }))
    }

    /// The address of a `stigg_client_t` sharing this client (valid while this object lives), for hot
    /// paths that call the C ABI directly.
    pub fn c_handle(&self) -> u64 {
        self.c_handle as u64
    }

    /// `waitForInitialization`.
    pub fn wait_for_initialization(&self) -> Result<(), StiggFailure> {
        self.stigg
            .block_on(self.stigg.wait_for_initialization())??;
        Ok(())
    }

    /// `close`: idempotent.
    pub fn close(&self) -> Result<(), StiggFailure> {
        self.stigg.block_on(self.stigg.close())?;
        Ok(())
    }

    /// Stores a fixture state for a customer (offline tests).
    pub fn set_entitlements_state(
        &self,
        customer_id: String,
        resource_id: Option<String>,
        state_json: String,
    ) -> Result<(), StiggFailure> {
        let state: EntitlementsState =
            serde_json::from_str(&state_json).map_err(|e| invalid("stateJson", e.to_string()))?;
        self.stigg
            .set_entitlements_state(&customer_id, resource_id.as_deref(), &state)?;
        Ok(())
    }

    /// `getBooleanEntitlement`.
    pub fn get_boolean_entitlement(
        &self,
        customer_id: String,
        feature_id: String,
        resource_id: Option<String>,
        fallback: Option<Fallback>,
    ) -> Result<BooleanResult, StiggFailure> {
        let fb = fallback.map(|f| f.feature());
        let p = GetBooleanEntitlement {
            customer_id: &customer_id,
            feature_id: &feature_id,
            resource_id: resource_id.as_deref(),
            fallback: fb.as_ref(),
        };
        let r = match self.stigg.get_boolean_entitlement_cached(&p) {
            Some(r) => r,
            None => self
                .stigg
                .block_on(self.stigg.get_boolean_entitlement(&p))?,
        };
        Ok(boolean(r))
    }

    /// `getNumericEntitlement`.
    pub fn get_numeric_entitlement(
        &self,
        customer_id: String,
        feature_id: String,
        resource_id: Option<String>,
        fallback: Option<Fallback>,
    ) -> Result<NumericResult, StiggFailure> {
        let fb = fallback.map(|f| f.feature());
        let p = GetNumericEntitlement {
            customer_id: &customer_id,
            feature_id: &feature_id,
            resource_id: resource_id.as_deref(),
            fallback: fb.as_ref(),
        };
        let r = match self.stigg.get_numeric_entitlement_cached(&p) {
            Some(r) => r,
            None => self
                .stigg
                .block_on(self.stigg.get_numeric_entitlement(&p))?,
        };
        Ok(numeric(r))
    }

    /// `getMeteredEntitlement`.
    pub fn get_metered_entitlement(
        &self,
        customer_id: String,
        feature_id: String,
        resource_id: Option<String>,
        requested_usage: Option<f64>,
        fallback: Option<Fallback>,
    ) -> Result<MeteredResult, StiggFailure> {
        let fb = fallback.map(|f| f.feature());
        let p = GetMeteredEntitlement {
            customer_id: &customer_id,
            feature_id: &feature_id,
            resource_id: resource_id.as_deref(),
            requested_usage,
            fallback: fb.as_ref(),
        };
        let r = match self.stigg.get_metered_entitlement_cached(&p) {
            Some(r) => r,
            None => self
                .stigg
                .block_on(self.stigg.get_metered_entitlement(&p))?,
        };
        Ok(metered(r))
    }

    /// `getEnumEntitlement`.
    pub fn get_enum_entitlement(
        &self,
        customer_id: String,
        feature_id: String,
        resource_id: Option<String>,
        requested_values: Option<Vec<String>>,
        fallback: Option<Fallback>,
    ) -> Result<EnumResult, StiggFailure> {
        let fb = fallback.map(|f| f.feature());
        let p = GetEnumEntitlement {
            customer_id: &customer_id,
            feature_id: &feature_id,
            resource_id: resource_id.as_deref(),
            requested_values,
            fallback: fb.as_ref(),
        };
        let r = match self.stigg.get_enum_entitlement_cached(&p) {
            Some(r) => r,
            None => self.stigg.block_on(self.stigg.get_enum_entitlement(&p))?,
        };
        Ok(enumeration(r))
    }

    /// `getCreditEntitlement` (only the per-call fallback applies).
    pub fn get_credit_entitlement(
        &self,
        customer_id: String,
        currency_id: String,
        resource_id: Option<String>,
        requested_usage: Option<f64>,
        fallback: Option<Fallback>,
    ) -> Result<CreditResult, StiggFailure> {
        let fb = fallback.map(|f| f.credit());
        let p = GetCreditEntitlement {
            customer_id: &customer_id,
            currency_id: &currency_id,
            resource_id: resource_id.as_deref(),
            requested_usage,
            fallback: fb.as_ref(),
        };
        let r = match self.stigg.get_credit_entitlement_cached(&p) {
            Some(r) => r,
            None => self.stigg.block_on(self.stigg.get_credit_entitlement(&p))?,
        };
        Ok(credit(r))
    }

    /// `getEntitlement` (deprecated generic getter).
    pub fn get_entitlement(
        &self,
        customer_id: String,
        feature_id: String,
        resource_id: Option<String>,
        requested_usage: Option<f64>,
        requested_values: Option<Vec<String>>,
        fallback: Option<Fallback>,
    ) -> Result<EntitlementResult, StiggFailure> {
        let p = GetEntitlement {
            customer_id: &customer_id,
            feature_id: &feature_id,
            resource_id: resource_id.as_deref(),
            options: EntitlementOptions {
                requested_usage,
                requested_values,
                fallback: fallback.map(|f| f.feature()),
                credit_fallback: None,
            },
        };
        Ok(entitlement(
            self.stigg.block_on(self.stigg.get_entitlement(&p))?,
        ))
    }

    /// `getEntitlementV2`: a feature or a credit wallet (exactly one of the ids).
    #[allow(clippy::too_many_arguments)]
    pub fn get_entitlement_v2(
        &self,
        customer_id: String,
        feature_id: Option<String>,
        currency_id: Option<String>,
        resource_id: Option<String>,
        requested_usage: Option<f64>,
        requested_values: Option<Vec<String>>,
        fallback: Option<Fallback>,
    ) -> Result<EntitlementResult, StiggFailure> {
        let is_credit = matches!(
            EntitlementTarget::from_ids(feature_id.as_deref(), currency_id.as_deref()),
            EntitlementTarget::Credit(_)
        );
        let p = GetEntitlementV2 {
            customer_id: &customer_id,
            resource_id: resource_id.as_deref(),
            feature_id: feature_id.as_deref(),
            currency_id: currency_id.as_deref(),
            options: EntitlementOptions {
                requested_usage,
                requested_values,
                fallback: fallback
                    .as_ref()
                    .filter(|_| !is_credit)
                    .map(Fallback::feature),
                credit_fallback: fallback
                    .as_ref()
                    .filter(|_| is_credit)
                    .map(Fallback::credit),
            },
        };
        let r = match self.stigg.get_entitlement_v2_cached(&p) {
            Some(r) => r,
            None => self.stigg.block_on(self.stigg.get_entitlement_v2(&p))?,
        };
        Ok(entitlement_v2(r))
    }

    /// `getEntitlementsStateV2`.
    pub fn get_entitlements_state_v2(
        &self,
        customer_id: String,
        resource_id: Option<String>,
    ) -> Result<EntitlementsStateResult, StiggFailure> {
        let s = self.stigg.block_on(
            self.stigg
                .get_entitlements_state_v2(&customer_id, resource_id.as_deref()),
        )?;
        Ok(EntitlementsStateResult {
            entitlements: s.entitlements.into_iter().map(entitlement_v2).collect(),
            access_denied_reason: s.access_denied_reason.map(|r| r.as_str().to_owned()),
        })
    }

    /// A write or management call by the official method name: JSON in, JSON out (the operations of
    /// `stigg_client_call`).
    pub fn call(
        &self,
        operation: String,
        input_json: Option<String>,
    ) -> Result<String, StiggFailure> {
        let input = match input_json {
            Some(text) => {
                serde_json::from_str(&text).map_err(|e| invalid("inputJson", e.to_string()))?
            }
            None => serde_json::Value::Null,
        };
        let out =
            self.stigg
                .block_on(stigg_ffi::calls::dispatch(&self.stigg, &operation, input))??;
        Ok(out.to_string())
    }

    /// Registers a listener; returns its id.
    ///
    /// Events reach the listener on a dispatcher thread of its own, in order: a host whose calls hold a
    /// global lock (Ruby's GVL) while they wait for the core must never be waited on by the core's
    /// runtime, or a blocking call and an event could deadlock.
    pub fn add_listener(&self, listener: Box<dyn EventListener>) -> u64 {
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        let spawned = std::thread::Builder::new()
            .name("stigg-listener".into())
            .spawn(move || {
                for event in rx {
                    listener.on_event(event);
                }
            });
        let tx = Mutex::new(tx);
        let id = self.stigg.add_listener(move |event| {
            let json = stigg_ffi::events::event_json(event);
            let _ = tx.lock().unwrap_or_else(|e| e.into_inner()).send(json);
        });
        if spawned.is_err() {
            self.stigg.remove_listener(id);
        }
        let ours = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.listeners
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(ours, id);
        ours
    }

    /// Unregisters a listener; returns whether it was registered.
    pub fn remove_listener(&self, id: u64) -> bool {
        let removed = self
            .listeners
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id);
        removed.is_some_and(|id| self.stigg.remove_listener(id))
    }
}
