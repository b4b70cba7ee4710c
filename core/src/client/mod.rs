//! The `Stigg` client handle: cache-first entitlement reads, usage writes, offline mode.
//!
//! A [`Stigg`] is cheap to clone (one `Arc`) and safe to share between threads. Reads never fail: when
//! no state can be had, they return the fallback (per call › `entitlementsFallback` › default deny),
//! marked `isFallback`. Writes validate their input and return [`StiggError`]s.
//!
//! Offline mode (spec §6): reads return fallbacks and writes return local acknowledgements, without any
//! network. Beyond the official SDK, an offline client can be given fixture states
//! ([`Stigg::set_entitlements_state`]); reads of those customers are then decided by the same rules as
//! online reads. This is how every binding runs the shared conformance vectors.

mod requests;
pub mod validate;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

pub use requests::*;

use crate::cache::{CacheKey, MemoryCache};
use crate::config::StiggConfig;
use crate::error::{Result, StiggError};
use crate::eval::{self, EntitlementTarget};
use crate::ids::new_id;
use crate::model::usage::{
    ConsumeCredits, ConsumeCreditsResult, CreditCostEstimation, ReportEvent, ReportUsage,
    ReportUsageAck,
};
use crate::model::wire::EntitlementsState;
use crate::model::{
    BooleanEntitlement, CreditEntitlement, CustomerState, Entitlement, EntitlementV2,
    EntitlementsStateV2, EnumEntitlement, MeteredEntitlement, Millis, NumericEntitlement,
    ReloadEntitlementsResult,
};

/// The Stigg client. Create it with [`Stigg::new`] from a [`StiggConfig`].
#[derive(Clone)]
pub struct Stigg {
    inner: Arc<Inner>,
}

struct Inner {
    config: StiggConfig,
    cache: MemoryCache,
    instance_id: String,
    closed: AtomicBool,
}

impl std::fmt::Debug for Stigg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stigg")
            .field("instance_id", &self.inner.instance_id)
            .field("offline", &self.inner.config.offline)
            .finish_non_exhaustive()
    }
}

impl Stigg {
    /// Creates a client (the official SDK's `Stigg.initialize`).
    pub fn new(config: StiggConfig) -> Result<Self> {
        let cache = MemoryCache::new(config.cache_max_size_bytes);
        Ok(Stigg {
            inner: Arc::new(Inner {
                config,
                cache,
                instance_id: new_id(),
                closed: AtomicBool::new(false),
            }),
        })
    }

    /// The configuration this client was built with.
    pub fn config(&self) -> &StiggConfig {
        &self.inner.config
    }

    /// This client's instance id (the `X-SDK-INSTANCE-ID` header).
    pub fn instance_id(&self) -> &str {
        &self.inner.instance_id
    }

    /// Resolves when the client is ready (`waitForInitialization`). Offline, it is ready at once.
    pub async fn wait_for_initialization(&self) -> Result<()> {
        self.ensure_open()
    }

    /// Closes the client (`close`): idempotent; later calls of writes fail with [`StiggError::Closed`],
    /// reads return fallbacks.
    pub async fn close(&self) {
        if !self.inner.closed.swap(true, Ordering::AcqRel) {
            self.inner.cache.clear();
        }
    }

    /// True once [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::Acquire)
    }

    fn ensure_open(&self) -> Result<()> {
        if self.is_closed() {
            return Err(StiggError::Closed);
        }
        Ok(())
    }

    fn now(&self) -> Millis {
        self.inner.config.clock.now_millis()
    }

    /// Stores a customer's (or customer+resource's) entitlement state in the cache, as if fetched.
    ///
    /// Offline, this gives the client fixtures to decide on; online, a later fetch or stream event
    /// replaces it as usual.
    pub fn set_entitlements_state(
        &self,
        customer_id: &str,
        resource_id: Option<&str>,
        state: &EntitlementsState,
    ) -> Result<()> {
        validate::non_empty("customerId", customer_id)?;
        if let Some(r) = resource_id {
            validate::non_empty("resourceId", r)?;
        }
        let key = CacheKey::new(customer_id, resource_id);
        self.inner.cache.put(key, CustomerState::from_wire(state));
        Ok(())
    }

    /// Decides `f` on the cached state, or `None` when the state is not cached (or expired) and must be
    /// fetched. Offline, an uncached customer is decided on no state (the fallback).
    #[inline]
    fn decide_cached<R>(
        &self,
        customer_id: &str,
        resource_id: Option<&str>,
        f: impl FnOnce(Option<&CustomerState>, Millis) -> R,
    ) -> Option<R> {
        let now = self.now();
        let offline = self.inner.config.offline;
        let mut f = Some(f);
        let hit = self
            .inner
            .cache
            .read(customer_id, resource_id, |state| match state {
                Some(s) if !eval::is_expired(s, now) => f.take().map(|f| f(Some(s), now)),
                _ => None,
            });
        match hit {
            Some(r) => Some(r),
            None if offline || self.is_closed() => f.map(|f| f(None, now)),
            None => None,
        }
    }

    /// Decides `f` on the customer's state: cached, else fetched, else (on failure) on no state.
    async fn decide<R>(
        &self,
        customer_id: &str,
        resource_id: Option<&str>,
        f: impl Fn(Option<&CustomerState>, Millis) -> R,
    ) -> R {
        if let Some(r) = self.decide_cached(customer_id, resource_id, &f) {
            return r;
        }
        match self.fetch_state(customer_id, resource_id).await {
            Ok(state) => f(Some(&state), self.now()),
            Err(err) => {
                tracing::warn!(customer_id, error = %err, "entitlement read fell back");
                f(None, self.now())
            }
        }
    }

    /// Fetches a customer's state from Stigg and caches it.
    async fn fetch_state(
        &self,
        customer_id: &str,
        resource_id: Option<&str>,
    ) -> Result<Arc<CustomerState>> {
        self.ensure_open()?;
        validate::non_empty("customerId", customer_id)?;
        let _ = resource_id;
        Err(StiggError::Network(String::from(
            "this build has no API transport; use offline mode with fixture states",
        )))
    }

    /// `getBooleanEntitlement`, from the cache only: `None` when the state must be fetched first.
    pub fn get_boolean_entitlement_cached(
        &self,
        p: &GetBooleanEntitlement<'_>,
    ) -> Option<BooleanEntitlement> {
        let fb = eval::choose_fallback(p.fallback, &self.inner.config.fallbacks, p.feature_id);
        self.decide_cached(p.customer_id, p.resource_id, |s, now| {
            eval::boolean(s, p.feature_id, fb, now)
        })
    }

    /// `getBooleanEntitlement`: never fails.
    pub async fn get_boolean_entitlement(
        &self,
        p: &GetBooleanEntitlement<'_>,
    ) -> BooleanEntitlement {
        let fb = eval::choose_fallback(p.fallback, &self.inner.config.fallbacks, p.feature_id);
        self.decide(p.customer_id, p.resource_id, |s, now| {
            eval::boolean(s, p.feature_id, fb, now)
        })
        .await
    }

    /// `getNumericEntitlement`, from the cache only.
    pub fn get_numeric_entitlement_cached(
        &self,
        p: &GetNumericEntitlement<'_>,
    ) -> Option<NumericEntitlement> {
        let fb = eval::choose_fallback(p.fallback, &self.inner.config.fallbacks, p.feature_id);
        self.decide_cached(p.customer_id, p.resource_id, |s, now| {
            eval::numeric(s, p.feature_id, fb, now)
        })
    }

    /// `getNumericEntitlement`: never fails.
    pub async fn get_numeric_entitlement(
        &self,
        p: &GetNumericEntitlement<'_>,
    ) -> NumericEntitlement {
        let fb = eval::choose_fallback(p.fallback, &self.inner.config.fallbacks, p.feature_id);
        self.decide(p.customer_id, p.resource_id, |s, now| {
            eval::numeric(s, p.feature_id, fb, now)
        })
        .await
    }

    /// `getMeteredEntitlement`, from the cache only.
    #[inline]
    pub fn get_metered_entitlement_cached(
        &self,
        p: &GetMeteredEntitlement<'_>,
    ) -> Option<MeteredEntitlement> {
        let fb = eval::choose_fallback(p.fallback, &self.inner.config.fallbacks, p.feature_id);
        self.decide_cached(p.customer_id, p.resource_id, |s, now| {
            eval::metered(s, p.feature_id, p.requested_usage, fb, now)
        })
    }

    /// `getMeteredEntitlement`: never fails.
    pub async fn get_metered_entitlement(
        &self,
        p: &GetMeteredEntitlement<'_>,
    ) -> MeteredEntitlement {
        let fb = eval::choose_fallback(p.fallback, &self.inner.config.fallbacks, p.feature_id);
        self.decide(p.customer_id, p.resource_id, |s, now| {
            eval::metered(s, p.feature_id, p.requested_usage, fb, now)
        })
        .await
    }

    /// `getEnumEntitlement`, from the cache only.
    pub fn get_enum_entitlement_cached(
        &self,
        p: &GetEnumEntitlement<'_>,
    ) -> Option<EnumEntitlement> {
        let fb = eval::choose_fallback(p.fallback, &self.inner.config.fallbacks, p.feature_id);
        self.decide_cached(p.customer_id, p.resource_id, |s, now| {
            eval::enumeration(s, p.feature_id, p.requested_values.clone(), fb, now)
        })
    }

    /// `getEnumEntitlement`: never fails.
    pub async fn get_enum_entitlement(&self, p: &GetEnumEntitlement<'_>) -> EnumEntitlement {
        let fb = eval::choose_fallback(p.fallback, &self.inner.config.fallbacks, p.feature_id);
        self.decide(p.customer_id, p.resource_id, |s, now| {
            eval::enumeration(s, p.feature_id, p.requested_values.clone(), fb, now)
        })
        .await
    }

    /// `getCreditEntitlement`, from the cache only.
    pub fn get_credit_entitlement_cached(
        &self,
        p: &GetCreditEntitlement<'_>,
    ) -> Option<CreditEntitlement> {
        self.decide_cached(p.customer_id, p.resource_id, |s, now| {
            eval::credit(s, p.currency_id, p.requested_usage, p.fallback, now)
        })
    }

    /// `getCreditEntitlement`: never fails. Uses only the per-call fallback, as the official SDK does.
    pub async fn get_credit_entitlement(&self, p: &GetCreditEntitlement<'_>) -> CreditEntitlement {
        self.decide(p.customer_id, p.resource_id, |s, now| {
            eval::credit(s, p.currency_id, p.requested_usage, p.fallback, now)
        })
        .await
    }

    /// `getEntitlement` (deprecated generic getter): never fails.
    pub async fn get_entitlement(&self, p: &GetEntitlement<'_>) -> Entitlement {
        let config = &self.inner.config.fallbacks;
        self.decide(p.customer_id, p.resource_id, |s, now| {
            eval::entitlement(s, p.feature_id, &p.options, config, now)
        })
        .await
    }

    /// `getEntitlementV2`, from the cache only.
    pub fn get_entitlement_v2_cached(&self, p: &GetEntitlementV2<'_>) -> Option<EntitlementV2> {
        let config = &self.inner.config.fallbacks;
        let target = target_of(p);
        self.decide_cached(p.customer_id, p.resource_id, |s, now| {
            eval::entitlement_v2(s, target, &p.options, config, now)
        })
    }

    /// `getEntitlementV2`: a feature or credit entitlement; never fails (both or neither of
    /// `featureId`/`currencyId` gives the fallback, as in the official SDK).
    pub async fn get_entitlement_v2(&self, p: &GetEntitlementV2<'_>) -> EntitlementV2 {
        let config = &self.inner.config.fallbacks;
        let target = target_of(p);
        if matches!(target, EntitlementTarget::Invalid) {
            return eval::entitlement_v2(None, target, &p.options, config, self.now());
        }
        self.decide(p.customer_id, p.resource_id, |s, now| {
            eval::entitlement_v2(s, target, &p.options, config, now)
        })
        .await
    }

    /// `getEntitlementsStateV2`: every entitlement of the customer; never fails (offline or on failure,
    /// the list built from the configured fallbacks).
    pub async fn get_entitlements_state_v2(
        &self,
        customer_id: &str,
        resource_id: Option<&str>,
    ) -> EntitlementsStateV2 {
        let config = &self.inner.config.fallbacks;
        self.decide(customer_id, resource_id, |s, now| match s {
            Some(s) => eval::entitlements_state_v2(Some(s), config, now),
            None => eval::fallback_state_v2(config),
        })
        .await
    }

    /// `reloadEntitlements`: refetches the customer's state; `entitledEntityExists` is false on error.
    pub async fn reload_entitlements(
        &self,
        customer_id: &str,
        resource_id: Option<&str>,
    ) -> ReloadEntitlementsResult {
        if self.inner.config.offline {
            return ReloadEntitlementsResult {
                entitled_entity_exists: true,
            };
        }
        let exists = match self.fetch_state(customer_id, resource_id).await {
            Ok(state) => matches!(
                state.access_denied_reason,
                None | Some(
                    crate::model::EntitlementsStateAccessDeniedReason::NoActiveSubscription
                )
            ),
            Err(_) => false,
        };
        ReloadEntitlementsResult {
            entitled_entity_exists: exists,
        }
    }

    /// `reportUsage`. Offline: a local acknowledgement without usage fields.
    pub async fn report_usage(&self, usage: ReportUsage) -> Result<ReportUsageAck> {
        self.ensure_open()?;
        validate::report_usage(&usage)?;
        if self.inner.config.offline {
            return Ok(offline_ack(usage));
        }
        Err(self.no_transport("reportUsage"))
    }

    /// `reportUsageBulk` (at most 100 usages).
    pub async fn report_usage_bulk(&self, usages: Vec<ReportUsage>) -> Result<Vec<ReportUsageAck>> {
        self.ensure_open()?;
        validate::report_usage_bulk(&usages)?;
        if self.inner.config.offline {
            return Ok(usages.into_iter().map(offline_ack).collect());
        }
        Err(self.no_transport("reportUsageBulk"))
    }

    /// `reportEvent` (at most 1,000 events).
    pub async fn report_event(&self, events: Vec<ReportEvent>) -> Result<()> {
        self.ensure_open()?;
        validate::report_events(&events)?;
        if self.inner.config.offline {
            return Ok(());
        }
        Err(self.no_transport("reportEvent"))
    }

    /// `consumeCredits`. Offline: `{customerId, currencyId, resourceId, amount, timestamp: now}`.
    pub async fn consume_credits(&self, c: ConsumeCredits) -> Result<ConsumeCreditsResult> {
        self.ensure_open()?;
        validate::consume_credits(&c)?;
        if self.inner.config.offline {
            return Ok(ConsumeCreditsResult {
                customer_id: c.customer_id,
                currency_id: c.currency_id,
                resource_id: c.resource_id,
                amount: c.amount,
                timestamp: Some(self.now()),
                credit: None,
            });
        }
        Err(self.no_transport("consumeCredits"))
    }

    /// `consumeCreditsAsync` (at most 1,000 consumptions).
    pub async fn consume_credits_async(&self, items: Vec<ConsumeCredits>) -> Result<()> {
        self.ensure_open()?;
        validate::consume_credits_async(&items)?;
        if self.inner.config.offline {
            return Ok(());
        }
        Err(self.no_transport("consumeCreditsAsync"))
    }

    /// `estimateUsageCost`. Offline: `{estimates: [], warnings: []}`.
    pub async fn estimate_usage_cost(
        &self,
        input: serde_json::Value,
    ) -> Result<CreditCostEstimation> {
        self.ensure_open()?;
        let _ = input;
        if self.inner.config.offline {
            return Ok(CreditCostEstimation::default());
        }
        Err(self.no_transport("estimateUsageCost"))
    }

    /// `estimateEventCost`. Offline: `{estimates: [], warnings: []}`.
    pub async fn estimate_event_cost(
        &self,
        input: serde_json::Value,
    ) -> Result<CreditCostEstimation> {
        self.ensure_open()?;
        let _ = input;
        if self.inner.config.offline {
            return Ok(CreditCostEstimation::default());
        }
        Err(self.no_transport("estimateEventCost"))
    }

    fn no_transport(&self, operation: &str) -> StiggError {
        StiggError::Network(format!("{operation}: this build has no API transport"))
    }
}

fn target_of<'a>(p: &GetEntitlementV2<'a>) -> EntitlementTarget<'a> {
    match (p.feature_id, p.currency_id) {
        (Some(f), None) => EntitlementTarget::Feature(f),
        (None, Some(c)) => EntitlementTarget::Credit(c),
        _ => EntitlementTarget::Invalid,
    }
}

fn offline_ack(u: ReportUsage) -> ReportUsageAck {
    ReportUsageAck {
        measurement_id: new_id(),
        feature_id: u.feature_id,
        customer_id: u.customer_id,
        resource_id: u.resource_id,
        ..Default::default()
    }
}
