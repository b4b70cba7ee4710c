//! `@stigg/native`: the Stigg server SDK for Node.js on the stigg-native core (napi-rs).
//!
//! The class [`Stigg`] has the official `@stigg/node-server-sdk` API: `Stigg.initialize(config)`,
//! `waitForInitialization()`, `close()`, the entitlement getters, usage and credit writes, the
//! management calls and `addListener`/`removeListener`. It only translates: arguments into the
//! core's requests, the core's results into JS objects, [`stigg_core::StiggError`] into JS errors,
//! core events into listener calls. Every decision is the core's.
//!
//! Layout: `dto` (typed objects of the entitlement paths, whose TypeScript interfaces napi-rs
//! writes into `index.d.ts`), `hot` (the cached-check fast path over a shared `Float64Array`),
//! `task` (promises settled from the core's runtime), `events`, `errors`, `management`
//! (the JSON-document calls). `index.js` loads this addon, builds hot-path results in JS and maps
//! errors to classes.

#![deny(clippy::unwrap_used, clippy::expect_used)]

mod dto;
mod errors;
mod events;
mod hot;
mod management;
mod task;

use std::sync::Arc;
use std::time::Duration;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde::de::DeserializeOwned;
use serde_json::Value;
use stigg_core::client::{
    GetBooleanEntitlement, GetCreditEntitlement, GetEntitlement, GetEntitlementV2,
    GetEnumEntitlement, GetMeteredEntitlement, GetNumericEntitlement,
};
use stigg_core::eval::EntitlementOptions as CoreOptions;
use stigg_core::model::usage::{
    ConsumeCredits, EstimateEventCost, EstimateUsageCost, ReportEvent, ReportUsage,
};
use stigg_core::model::wire::EntitlementsState;
use stigg_core::model::{
    AccessDeniedReason, CreditEntitlementFallback as CoreCreditFallback,
    EntitlementFallback as CoreFallback, EntitlementResetPeriod,
};
use stigg_core::{FixedClock, StiggConfig, StiggError};

use dto::*;

/// A Stigg client. Create it with `Stigg.initialize(config)`.
#[napi]
pub struct Stigg {
    core: stigg_core::Stigg,
    clock: Option<Arc<FixedClock>>,
    /// This client's slot in the fast path's registry, once registered.
    hot_slot: Option<u32>,
    listeners: Vec<events::JsListener>,
}

/// Enum spellings behind the fast path's codes (`index.js` reads them once).
#[napi(object)]
pub struct Codes {
    /// `AccessDeniedReason` values, by code.
    pub reasons: Vec<String>,
    /// `EntitlementResetPeriod` values, by code.
    pub reset_periods: Vec<String>,
    /// Length of the shared buffer.
    pub buffer_length: u32,
}

/// The unknown enum strings of the last fast-path answer that used code -2.
#[napi(object)]
pub struct LastStrings {
    /// The access-denied reason.
    pub reason: String,
    /// The reset period.
    pub reset_period: String,
}

fn millis(
    option: &'static str,
    v: Option<f64>,
) -> std::result::Result<Option<Duration>, StiggError> {
    match v {
        None => Ok(None),
        Some(ms) if ms.is_finite() && ms > 0.0 => Ok(Some(Duration::from_secs_f64(ms / 1000.0))),
        Some(ms) => Err(StiggError::Config(stigg_core::ConfigError::new(
            option,
            format!("must be a positive number of milliseconds, got {ms}"),
        ))),
    }
}

fn build_config(
    c: ClientConfiguration,
) -> std::result::Result<(StiggConfig, Option<Arc<FixedClock>>), StiggError> {
    let mut b = StiggConfig::builder();
    if let Some(v) = c.api_key {
        b = b.api_key(v);
    }
    if let Some(v) = c.base_uri {
        b = b.base_uri(v);
    }
    if let Some(v) = c.base_edge_uri {
        b = b.base_edge_uri(v);
    }
    if let Some(v) = c.ws_url {
        b = b.ws_url(v);
    }
    if let Some(v) = c.realtime_updates_enabled {
        b = b.realtime_updates_enabled(v);
    }
    if let Some(v) = c.enable_edge {
        b = b.enable_edge(v);
    }
    if let Some(v) = c.entitlements_fallback {
        b = b.entitlements_fallback(v.into_iter().map(|(k, f)| (k, f.into())).collect());
    }
    if let Some(v) = c.credit_entitlements_fallback {
        b = b.credit_entitlements_fallback(v.into_iter().map(|(k, f)| (k, f.into())).collect());
    }
    if let Some(v) = c.memory_cache_max_size_bytes {
        if !(v.is_finite() && v >= 0.0) {
            return Err(StiggError::Config(stigg_core::ConfigError::new(
                "memoryCacheMaxSizeBytes",
                "must be a non-negative number",
            )));
        }
        b = b.cache_max_size_bytes(v as u64);
    }
    if let Some(v) = millis("timeout", c.timeout)? {
        b = b.timeout(v);
    }
    if let Some(v) = millis("entitlementsTimeout", c.entitlements_timeout)? {
        b = b.entitlements_timeout(v);
    }
    if let Some(v) = millis("refreshInterval", c.refresh_interval)? {
        b = b.refresh_interval(v);
    }
    if let Some(v) = c.offline {
        b = b.offline(v);
    }
    if let Some(v) = c.redis.filter(|v| !v.is_null()) {
        b = b.redis(stigg_core::cache::redis::RedisOptions::from_json(&v)?);
    }
    let clock = match c.test_clock {
        Some(ms) if ms.is_finite() => Some(Arc::new(FixedClock::new(ms as i64))),
        Some(_) => {
            return Err(StiggError::Config(stigg_core::ConfigError::new(
                "testClock",
                "must be a finite number of epoch milliseconds",
            )))
        }
        None => None,
    };
    if let Some(clock) = &clock {
        b = b.clock(Arc::clone(clock) as Arc<dyn stigg_core::Clock>);
    }
    Ok((b.build()?, clock))
}

fn fallback(f: Option<EntitlementFallback>) -> Option<CoreFallback> {
    f.map(Into::into)
}

/// Reads a JSON document into a core input type; a mismatch is an `InvalidArgument` error.
pub(crate) fn from_json<T: DeserializeOwned>(
    field: &'static str,
    v: Value,
) -> std::result::Result<T, StiggError> {
    serde_json::from_value(v).map_err(|e| errors::invalid(field, e))
}

/// A core output as a JSON document (instants as ISO strings; `index.js` turns them into `Date`s).
pub(crate) fn to_json<T: serde::Serialize>(v: T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// The core options of a generic getter; the fallback is a credit fallback for a credit target.
fn generic_options(
    o: Option<GenericEntitlementOptions>,
    credit: bool,
) -> std::result::Result<CoreOptions, StiggError> {
    let o = o.unwrap_or_default();
    let raw = o.fallback.filter(|v| !v.is_null());
    let (fallback, credit_fallback) = match raw {
        None => (None, None),
        Some(v) if credit => (
            None,
            Some(from_json::<CoreCreditFallback>("options.fallback", v)?),
        ),
        Some(v) => (
            Some(from_json::<CoreFallback>("options.fallback", v)?),
            None,
        ),
    };
    Ok(CoreOptions {
        requested_usage: o.requested_usage,
        requested_values: o.requested_values,
        fallback,
        credit_fallback,
    })
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.is_empty())
}

#[napi]
impl Stigg {
    /// Creates a client (synchronous, like the official SDK). Online, it starts checking the API key
    /// and opening the real-time stream in the background; await `waitForInitialization()`.
    /// Throws a `StiggConfigurationError` for an invalid configuration.
    #[napi(factory)]
    pub fn initialize(env: Env, config: ClientConfiguration) -> Result<Self> {
        let (config, clock) = build_config(config).map_err(|e| errors::to_js(&env, &e))?;
        let core = stigg_core::Stigg::new(config).map_err(|e| errors::to_js(&env, &e))?;
        Ok(Stigg {
            core,
            clock,
            hot_slot: None,
            listeners: Vec::new(),
        })
    }

    /// Resolves when the client is ready (offline: at once; online: after Stigg accepted the API
    /// key); rejects with the initialization error. `index.js` resolves it to the client itself.
    #[napi(ts_return_type = "Promise<Stigg>")]
    pub fn wait_for_initialization<'e>(&self, env: &'e Env) -> Result<Object<'e>> {
        let core = self.core.clone();
        let rt = core.runtime_handle().clone();
        task::spawn(
            env,
            &rt,
            async move { core.wait_for_initialization().await },
            |()| (),
        )
    }

    /// Closes the client: stops the stream and background work, clears the cache, removes every
    /// listener. Idempotent. Afterwards writes fail with `StiggClientClosedError`, reads return
    /// fallbacks, and nothing of the client keeps the process alive.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn close<'e>(&mut self, env: &'e Env) -> Result<Object<'e>> {
        for l in self.listeners.drain(..) {
            self.core.remove_listener(l.core_id);
        }
        let core = self.core.clone();
        let rt = core.runtime_handle().clone();
        task::spawn(
            env,
            &rt,
            async move {
                core.close().await;
                Ok(())
            },
            |()| (),
        )
    }

    /// Registers `listener` for `event` (`entitlementsUpdated`, `usageUpdated`, `packagePublished`,
    /// `cacheHit`, `cacheMiss`, `apiKeyInvalid`, `networkRequestFailed`, `initializeSuccessfully`,
    /// `initializeFailed`, and stigg-native's `streamConnected` / `streamDisconnected`). Listeners are
    /// called on the JS thread, asynchronously, and do not keep the process alive.
    #[napi]
    pub fn add_listener(
        &mut self,
        event: String,
        #[napi(ts_arg_type = "(payload?: any) => void")] listener: Function<
            'static,
            Unknown<'static>,
            Unknown<'static>,
        >,
    ) -> Result<()> {
        let Some(name) = events::known_event(&event) else {
            return Err(Error::new(
                Status::InvalidArg,
                format!(
                    "unknown event `{event}`; known: {}",
                    events::EVENT_NAMES.join(", ")
                ),
            ));
        };
        let tsfn: events::Tsfn = listener
            .build_threadsafe_function::<events::Payload>()
            .callee_handled::<false>()
            .weak::<true>()
            .build_callback(|ctx| Ok(ctx.value))?;
        let callback = listener.create_ref()?;
        let core_id = self.core.add_listener(events::forwarder(name, tsfn));
        self.listeners.push(events::JsListener {
            event: name,
            callback,
            core_id,
        });
        Ok(())
    }

    /// Unregisters a listener added with `addListener` (the same function); returns whether it was
    /// registered.
    #[napi]
    pub fn remove_listener(
        &mut self,
        env: &Env,
        event: String,
        #[napi(ts_arg_type = "(payload?: any) => void")] listener: Unknown<'_>,
    ) -> Result<bool> {
        let mut found = None;
        for (i, l) in self.listeners.iter().enumerate() {
            if l.event != event {
                continue;
            }
            let f = l.callback.borrow_back(env)?;
            if env.strict_equals(f, listener)? {
                found = Some(i);
                break;
            }
        }
        Ok(match found {
            Some(i) => {
                let l = self.listeners.remove(i);
                self.core.remove_listener(l.core_id)
            }
            None => false,
        })
    }

    /// `getBooleanEntitlement`: never rejects (failures give the fallback, `isFallback: true`).
    #[napi(ts_return_type = "Promise<BooleanEntitlement>")]
    pub fn get_boolean_entitlement<'e>(
        &self,
        env: &'e Env,
        params: GetEntitlementParams,
    ) -> Result<Object<'e>> {
        let core = self.core.clone();
        let rt = core.runtime_handle().clone();
        let fb = fallback(params.options.and_then(|o| o.fallback));
        task::spawn(
            env,
            &rt,
            async move {
                Ok(core
                    .get_boolean_entitlement(&GetBooleanEntitlement {
                        customer_id: &params.customer_id,
                        feature_id: &params.feature_id,
                        resource_id: params.resource_id.as_deref(),
                        fallback: fb.as_ref(),
                    })
                    .await)
            },
            |r| BooleanEntitlement::from(&r),
        )
    }

    /// `getBooleanEntitlement` from the cache, synchronously: the result, or `undefined` when the
    /// customer's state is not cached (call the async form, which fetches it). Offline it always
    /// answers.
    #[napi]
    pub fn get_boolean_entitlement_sync(
        &self,
        params: GetEntitlementParams,
    ) -> Either<BooleanEntitlement, ()> {
        let fb = fallback(params.options.and_then(|o| o.fallback));
        match self
            .core
            .get_boolean_entitlement_cached(&GetBooleanEntitlement {
                customer_id: &params.customer_id,
                feature_id: &params.feature_id,
                resource_id: params.resource_id.as_deref(),
                fallback: fb.as_ref(),
            }) {
            Some(r) => Either::A((&r).into()),
            None => Either::B(()),
        }
    }

    /// `getNumericEntitlement`: never rejects.
    #[napi(ts_return_type = "Promise<NumericEntitlement>")]
    pub fn get_numeric_entitlement<'e>(
        &self,
        env: &'e Env,
        params: GetEntitlementParams,
    ) -> Result<Object<'e>> {
        let core = self.core.clone();
        let rt = core.runtime_handle().clone();
        let fb = fallback(params.options.and_then(|o| o.fallback));
        task::spawn(
            env,
            &rt,
            async move {
                Ok(core
                    .get_numeric_entitlement(&GetNumericEntitlement {
                        customer_id: &params.customer_id,
                        feature_id: &params.feature_id,
                        resource_id: params.resource_id.as_deref(),
                        fallback: fb.as_ref(),
                    })
                    .await)
            },
            |r| NumericEntitlement::from(&r),
        )
    }

    /// `getNumericEntitlement` from the cache: the result, or `undefined` when not cached.
    #[napi]
    pub fn get_numeric_entitlement_sync(
        &self,
        params: GetEntitlementParams,
    ) -> Either<NumericEntitlement, ()> {
        let fb = fallback(params.options.and_then(|o| o.fallback));
        match self
            .core
            .get_numeric_entitlement_cached(&GetNumericEntitlement {
                customer_id: &params.customer_id,
                feature_id: &params.feature_id,
                resource_id: params.resource_id.as_deref(),
                fallback: fb.as_ref(),
            }) {
            Some(r) => Either::A((&r).into()),
            None => Either::B(()),
        }
    }

    /// `getMeteredEntitlement`: never rejects. `options.requestedUsage` is the usage to check for.
    #[napi(ts_return_type = "Promise<MeteredEntitlement>")]
    pub fn get_metered_entitlement<'e>(
        &self,
        env: &'e Env,
        params: GetMeteredEntitlementParams,
    ) -> Result<Object<'e>> {
        let core = self.core.clone();
        let rt = core.runtime_handle().clone();
        let (requested_usage, fb) = match params.options {
            Some(o) => (o.requested_usage, fallback(o.fallback)),
            None => (None, None),
        };
        task::spawn(
            env,
            &rt,
            async move {
                Ok(core
                    .get_metered_entitlement(&GetMeteredEntitlement {
                        customer_id: &params.customer_id,
                        feature_id: &params.feature_id,
                        resource_id: params.resource_id.as_deref(),
                        requested_usage,
                        fallback: fb.as_ref(),
                    })
                    .await)
            },
            |r| MeteredEntitlement::from(&r),
        )
    }

    /// `getMeteredEntitlement` from the cache: the result, or `undefined` when not cached.
    #[napi]
    pub fn get_metered_entitlement_sync(
        &self,
        params: GetMeteredEntitlementParams,
    ) -> Either<MeteredEntitlement, ()> {
        let (requested_usage, fb) = match params.options {
            Some(o) => (o.requested_usage, fallback(o.fallback)),
            None => (None, None),
        };
        match self
            .core
            .get_metered_entitlement_cached(&GetMeteredEntitlement {
                customer_id: &params.customer_id,
                feature_id: &params.feature_id,
                resource_id: params.resource_id.as_deref(),
                requested_usage,
                fallback: fb.as_ref(),
            }) {
            Some(r) => Either::A((&r).into()),
            None => Either::B(()),
        }
    }

    /// `getEnumEntitlement`: never rejects. `options.requestedValues` are the values to check for.
    #[napi(ts_return_type = "Promise<EnumEntitlement>")]
    pub fn get_enum_entitlement<'e>(
        &self,
        env: &'e Env,
        params: GetEnumEntitlementParams,
    ) -> Result<Object<'e>> {
        let core = self.core.clone();
        let rt = core.runtime_handle().clone();
        let (requested_values, fb) = match params.options {
            Some(o) => (o.requested_values, fallback(o.fallback)),
            None => (None, None),
        };
        task::spawn(
            env,
            &rt,
            async move {
                Ok(core
                    .get_enum_entitlement(&GetEnumEntitlement {
                        customer_id: &params.customer_id,
                        feature_id: &params.feature_id,
                        resource_id: params.resource_id.as_deref(),
                        requested_values,
                        fallback: fb.as_ref(),
                    })
                    .await)
            },
            |r| EnumEntitlement::from(&r),
        )
    }

    /// `getEnumEntitlement` from the cache: the result, or `undefined` when not cached.
    #[napi]
    pub fn get_enum_entitlement_sync(
        &self,
        params: GetEnumEntitlementParams,
    ) -> Either<EnumEntitlement, ()> {
        let (requested_values, fb) = match params.options {
            Some(o) => (o.requested_values, fallback(o.fallback)),
            None => (None, None),
        };
        match self.core.get_enum_entitlement_cached(&GetEnumEntitlement {
            customer_id: &params.customer_id,
            feature_id: &params.feature_id,
            resource_id: params.resource_id.as_deref(),
            requested_values,
            fallback: fb.as_ref(),
        }) {
            Some(r) => Either::A((&r).into()),
            None => Either::B(()),
        }
    }

    /// `getCreditEntitlement`: never rejects. Uses only the per-call fallback, as the official SDK.
    #[napi(ts_return_type = "Promise<CreditEntitlement>")]
    pub fn get_credit_entitlement<'e>(
        &self,
        env: &'e Env,
        params: GetCreditEntitlementParams,
    ) -> Result<Object<'e>> {
        let core = self.core.clone();
        let rt = core.runtime_handle().clone();
        let (requested_usage, fb) = match params.options {
            Some(o) => (o.requested_usage, o.fallback.map(CoreCreditFallback::from)),
            None => (None, None),
        };
        task::spawn(
            env,
            &rt,
            async move {
                Ok(core
                    .get_credit_entitlement(&GetCreditEntitlement {
                        customer_id: &params.customer_id,
                        currency_id: &params.currency_id,
                        resource_id: params.resource_id.as_deref(),
                        requested_usage,
                        fallback: fb.as_ref(),
                    })
                    .await)
            },
            |r| CreditEntitlement::from(&r),
        )
    }

    /// `getCreditEntitlement` from the cache: the result, or `undefined` when not cached.
    #[napi]
    pub fn get_credit_entitlement_sync(
        &self,
        params: GetCreditEntitlementParams,
    ) -> Either<CreditEntitlement, ()> {
        let (requested_usage, fb) = match params.options {
            Some(o) => (o.requested_usage, o.fallback.map(CoreCreditFallback::from)),
            None => (None, None),
        };
        match self
            .core
            .get_credit_entitlement_cached(&GetCreditEntitlement {
                customer_id: &params.customer_id,
                currency_id: &params.currency_id,
                resource_id: params.resource_id.as_deref(),
                requested_usage,
                fallback: fb.as_ref(),
            }) {
            Some(r) => Either::A((&r).into()),
            None => Either::B(()),
        }
    }

    /// `getEntitlement` (deprecated in the official SDK): a feature entitlement of any type.
    #[napi(
        ts_return_type = "Promise<BooleanEntitlement | NumericEntitlement | MeteredEntitlement | EnumEntitlement>"
    )]
    pub fn get_entitlement<'e>(
        &self,
        env: &'e Env,
        params: GetGenericEntitlementParams,
    ) -> Result<Object<'e>> {
        let options = generic_options(params.options, false).map_err(|e| errors::to_js(env, &e))?;
        let core = self.core.clone();
        let rt = core.runtime_handle().clone();
        task::spawn(
            env,
            &rt,
            async move {
                Ok(core
                    .get_entitlement(&GetEntitlement {
                        customer_id: &params.customer_id,
                        feature_id: &params.feature_id,
                        resource_id: params.resource_id.as_deref(),
                        options,
                    })
                    .await)
            },
            |r| entitlement(&r),
        )
    }

    /// `getEntitlementV2`: a feature (`featureId`) or credit (`currencyId`) entitlement; never
    /// rejects (both or neither id gives the fallback, as in the official SDK).
    #[napi(
        ts_return_type = "Promise<BooleanEntitlement | NumericEntitlement | MeteredEntitlement | EnumEntitlement | CreditEntitlement>"
    )]
    pub fn get_entitlement_v2<'e>(
        &self,
        env: &'e Env,
        params: GetEntitlementV2Params,
    ) -> Result<Object<'e>> {
        let credit =
            non_empty(&params.currency_id).is_some() && non_empty(&params.feature_id).is_none();
        let options =
            generic_options(params.options, credit).map_err(|e| errors::to_js(env, &e))?;
        let core = self.core.clone();
        let rt = core.runtime_handle().clone();
        task::spawn(
            env,
            &rt,
            async move {
                Ok(core
                    .get_entitlement_v2(&GetEntitlementV2 {
                        customer_id: &params.customer_id,
                        resource_id: params.resource_id.as_deref(),
                        feature_id: non_empty(&params.feature_id),
                        currency_id: non_empty(&params.currency_id),
                        options,
                    })
                    .await)
            },
            |r| entitlement_v2(&r),
        )
    }

    /// `getEntitlementsStateV2`: every entitlement of the customer (offline or on failure, the list
    /// built from the configured fallbacks).
    #[napi(ts_return_type = "Promise<EntitlementsStateV2>")]
    pub fn get_entitlements_state_v2<'e>(
        &self,
        env: &'e Env,
        customer_id: String,
        resource_id: Option<String>,
    ) -> Result<Object<'e>> {
        let core = self.core.clone();
        let rt = core.runtime_handle().clone();
        task::spawn(
            env,
            &rt,
            async move {
                Ok(core
                    .get_entitlements_state_v2(&customer_id, resource_id.as_deref())
                    .await)
            },
            |r| EntitlementsStateV2::from(&r),
        )
    }

    /// `reloadEntitlements`: refetches the customer's state (GraphQL, not Edge).
    #[napi(ts_return_type = "Promise<ReloadEntitlementsResult>")]
    pub fn reload_entitlements<'e>(
        &self,
        env: &'e Env,
        customer_id: String,
        resource_id: Option<String>,
    ) -> Result<Object<'e>> {
        let core = self.core.clone();
        let rt = core.runtime_handle().clone();
        task::spawn(
            env,
            &rt,
            async move {
                Ok(core
                    .reload_entitlements(&customer_id, resource_id.as_deref())
                    .await)
            },
            |r| ReloadEntitlementsResult {
                entitled_entity_exists: r.entitled_entity_exists,
            },
        )
    }

    /// `reportUsage`: reports usage of a metered feature; resolves to the server's acknowledgement
    /// (with the usage after the report). Offline: a local acknowledgement.
    #[napi(ts_return_type = "Promise<ReportUsageAck>")]
    pub fn report_usage<'e>(
        &self,
        env: &'e Env,
        #[napi(ts_arg_type = "ReportUsage")] input: Value,
    ) -> Result<Object<'e>> {
        let usage: ReportUsage = from_json("input", input).map_err(|e| errors::to_js(env, &e))?;
        let core = self.core.clone();
        let rt = core.runtime_handle().clone();
        task::spawn(
            env,
            &rt,
            async move { core.report_usage(usage).await },
            to_json,
        )
    }

    /// `reportUsageBulk({usages})`: at most 100 reports in one request.
    #[napi(ts_return_type = "Promise<ReportUsageAck[]>")]
    pub fn report_usage_bulk<'e>(
        &self,
        env: &'e Env,
        #[napi(ts_arg_type = "{ usages: ReportUsage[] }")] input: Value,
    ) -> Result<Object<'e>> {
        let usages: Vec<ReportUsage> = from_json(
            "usages",
            input.get("usages").cloned().unwrap_or(Value::Null),
        )
        .map_err(|e| errors::to_js(env, &e))?;
        let core = self.core.clone();
        let rt = core.runtime_handle().clone();
        task::spawn(
            env,
            &rt,
            async move { core.report_usage_bulk(usages).await },
            to_json,
        )
    }

    /// `reportEvent`: one raw event or a list (at most 1,000); usage derived from them arrives later.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn report_event<'e>(
        &self,
        env: &'e Env,
        #[napi(ts_arg_type = "ReportEvent | ReportEvent[]")] input: Value,
    ) -> Result<Object<'e>> {
        let events: Vec<ReportEvent> = if input.is_array() {
            from_json("events", input)
        } else {
            from_json::<ReportEvent>("event", input).map(|e| vec![e])
        }
        .map_err(|e| errors::to_js(env, &e))?;
        let core = self.core.clone();
        let rt = core.runtime_handle().clone();
        task::spawn(
            env,
            &rt,
            async move { core.report_event(events).await },
            |()| (),
        )
    }

    /// `consumeCredits`: consumes credits now; resolves to the balance after it.
    #[napi(ts_return_type = "Promise<ConsumeCreditsResult>")]
    pub fn consume_credits<'e>(
        &self,
        env: &'e Env,
        #[napi(ts_arg_type = "ConsumeCredits")] input: Value,
    ) -> Result<Object<'e>> {
        let c: ConsumeCredits = from_json("input", input).map_err(|e| errors::to_js(env, &e))?;
        let core = self.core.clone();
        let rt = core.runtime_handle().clone();
        task::spawn(
            env,
            &rt,
            async move { core.consume_credits(c).await },
            to_json,
        )
    }

    /// `consumeCreditsAsync({consumptions})`: queues consumptions (at most 1,000).
    #[napi(ts_return_type = "Promise<void>")]
    pub fn consume_credits_async<'e>(
        &self,
        env: &'e Env,
        #[napi(ts_arg_type = "{ consumptions: ConsumeCredits[] }")] input: Value,
    ) -> Result<Object<'e>> {
        let items: Vec<ConsumeCredits> = from_json(
            "consumptions",
            input.get("consumptions").cloned().unwrap_or(Value::Null),
        )
        .map_err(|e| errors::to_js(env, &e))?;
        let core = self.core.clone();
        let rt = core.runtime_handle().clone();
        task::spawn(
            env,
            &rt,
            async move { core.consume_credits_async(items).await },
            |()| (),
        )
    }

    /// `estimateUsageCost`: the credit cost of reporting usage. Offline: no estimates.
    #[napi(ts_return_type = "Promise<CreditCostEstimation>")]
    pub fn estimate_usage_cost<'e>(
        &self,
        env: &'e Env,
        #[napi(ts_arg_type = "EstimateUsageCost")] input: Value,
    ) -> Result<Object<'e>> {
        let i: EstimateUsageCost = from_json("input", input).map_err(|e| errors::to_js(env, &e))?;
        let core = self.core.clone();
        let rt = core.runtime_handle().clone();
        task::spawn(
            env,
            &rt,
            async move { core.estimate_usage_cost(i).await },
            to_json,
        )
    }

    /// `estimateEventCost`: the credit cost of reporting an event. Offline: no estimates.
    #[napi(ts_return_type = "Promise<CreditCostEstimation>")]
    pub fn estimate_event_cost<'e>(
        &self,
        env: &'e Env,
        #[napi(ts_arg_type = "EstimateEventCost")] input: Value,
    ) -> Result<Object<'e>> {
        let i: EstimateEventCost = from_json("input", input).map_err(|e| errors::to_js(env, &e))?;
        let core = self.core.clone();
        let rt = core.runtime_handle().clone();
        task::spawn(
            env,
            &rt,
            async move { core.estimate_event_cost(i).await },
            to_json,
        )
    }

    /// stigg-native: stores a customer's (or customer+resource's) entitlement state in the cache, as
    /// if fetched (the wire `{entitlementsV2, accessDeniedReason}` shape). Offline, reads of that
    /// customer are then decided by the same rules as online reads: fixtures for tests.
    #[napi]
    pub fn set_entitlements_state(
        &self,
        env: &Env,
        customer_id: String,
        #[napi(ts_arg_type = "{ entitlementsV2: unknown[]; accessDeniedReason?: string | null }")]
        state: Value,
        resource_id: Option<String>,
    ) -> Result<()> {
        let state: EntitlementsState =
            from_json("state", state).map_err(|e| errors::to_js(env, &e))?;
        self.core
            .set_entitlements_state(&customer_id, resource_id.as_deref(), &state)
            .map_err(|e| errors::to_js(env, &e))
    }

    /// Test support: moves the fixed clock of a client created with `testClock` (epoch ms).
    #[napi]
    pub fn set_test_clock(&self, env: &Env, now_ms: f64) -> Result<()> {
        match &self.clock {
            Some(clock) if now_ms.is_finite() => {
                clock.set(now_ms as i64);
                Ok(())
            }
            _ => Err(errors::to_js(
                env,
                &errors::invalid(
                    "testClock",
                    "the client was not created with `testClock`, or the instant is not finite",
                ),
            )),
        }
    }

    /// Internal: registers the factory of the package's error objects (`index.js`, once).
    #[napi(js_name = "_setErrorFactory")]
    pub fn set_error_factory(
        env: Env,
        #[napi(
            ts_arg_type = "(kind: string, message: string, code: string, traceId: string | null) => Error"
        )]
        factory: errors::FactoryFn<'_>,
    ) -> Result<()> {
        errors::register(&env, factory)
    }

    /// Internal (fast path): the enum tables behind the codes.
    #[napi(js_name = "_codes")]
    pub fn codes() -> Codes {
        Codes {
            reasons: AccessDeniedReason::KNOWN
                .iter()
                .map(|r| r.as_str().to_owned())
                .collect(),
            reset_periods: EntitlementResetPeriod::KNOWN
                .iter()
                .map(|r| r.as_str().to_owned())
                .collect(),
            buffer_length: hot::LEN as u32,
        }
    }

    /// Internal (fast path): registers this client in the thread's fast-path registry; returns its
    /// slot (freed when the client is garbage-collected).
    #[napi(js_name = "_hotRegister")]
    pub fn hot_register(&mut self) -> i32 {
        if let Some(slot) = self.hot_slot {
            return slot as i32;
        }
        let core = self.core.clone();
        match hot::with(|h| h.register(core)) {
            Some(slot) => {
                self.hot_slot = Some(slot);
                slot as i32
            }
            None => -1,
        }
    }
}

impl Drop for Stigg {
    fn drop(&mut self) {
        if let Some(slot) = self.hot_slot.take() {
            hot::with(|h| h.unregister(slot));
        }
    }
}

/// Internal (fast path): keeps the thread's shared buffer; false when it is too short.
#[napi(js_name = "_hotBind")]
pub fn hot_bind(buf: Float64Array) -> bool {
    hot::with(|h| h.bind(buf)).unwrap_or(false)
}

/// Internal (fast path): interns an id string.
#[napi(js_name = "_intern")]
pub fn intern(s: String) -> u32 {
    hot::with(|h| h.intern(s)).unwrap_or(u32::MAX)
}

/// Internal (fast path): forgets the interned strings.
#[napi(js_name = "_resetInterned")]
pub fn reset_interned() {
    hot::with(|h| h.reset_interned());
}

/// Internal (fast path): the feature object behind a handle.
#[napi(js_name = "_feature")]
pub fn feature(handle: u32) -> Option<Feature> {
    hot::with(|h| h.feature(handle).map(|f| Feature::from(&**f))).flatten()
}

/// Internal (fast path): the unknown enum strings of the last answer.
#[napi(js_name = "_lastStrings")]
pub fn last_strings() -> LastStrings {
    hot::with(|h| LastStrings {
        reason: h.last_reason.clone(),
        reset_period: h.last_period.clone(),
    })
    .unwrap_or(LastStrings {
        reason: String::new(),
        reset_period: String::new(),
    })
}

/// Internal (fast path): cached `getBooleanEntitlement` of the request in the buffer; 1 when
/// answered (the result is in the buffer), 0 when the state must be fetched.
#[napi(js_name = "_hotBoolean")]
pub fn hot_boolean() -> u32 {
    hot::with(|h| {
        h.with_request(|req, out, t| {
            match req
                .client
                .get_boolean_entitlement_cached(&GetBooleanEntitlement {
                    customer_id: req.customer_id,
                    feature_id: req.feature_id,
                    resource_id: req.resource_id,
                    fallback: None,
                }) {
                Some(r) => {
                    t.boolean(out, &r);
                    1
                }
                None => 0,
            }
        })
    })
    .flatten()
    .unwrap_or(0)
}

/// Internal (fast path): cached `getNumericEntitlement`, as `_hotBoolean`.
#[napi(js_name = "_hotNumeric")]
pub fn hot_numeric() -> u32 {
    hot::with(|h| {
        h.with_request(|req, out, t| {
            match req
                .client
                .get_numeric_entitlement_cached(&GetNumericEntitlement {
                    customer_id: req.customer_id,
                    feature_id: req.feature_id,
                    resource_id: req.resource_id,
                    fallback: None,
                }) {
                Some(r) => {
                    t.numeric(out, &r);
                    1
                }
                None => 0,
            }
        })
    })
    .flatten()
    .unwrap_or(0)
}

/// Internal (fast path): cached `getMeteredEntitlement`, as `_hotBoolean`.
#[napi(js_name = "_hotMetered")]
pub fn hot_metered() -> u32 {
    hot::with(|h| {
        h.with_request(|req, out, t| {
            match req
                .client
                .get_metered_entitlement_cached(&GetMeteredEntitlement {
                    customer_id: req.customer_id,
                    feature_id: req.feature_id,
                    resource_id: req.resource_id,
                    requested_usage: req.requested_usage,
                    fallback: None,
                }) {
                Some(r) => {
                    t.metered(out, &r);
                    1
                }
                None => 0,
            }
        })
    })
    .flatten()
    .unwrap_or(0)
}
