//! Entitlement reads (spec §2.3). Each getter has an async form that never fails, and a `_cached`
//! form that answers synchronously from the cache, or `None` when the state must be fetched first
//! (offline it always answers). Bindings use the `_cached` forms on their hot path.

use super::requests::*;
use super::Stigg;
use crate::eval::{self, EntitlementTarget};
use crate::model::{
    BooleanEntitlement, CreditEntitlement, Entitlement, EntitlementV2,
    EntitlementsStateAccessDeniedReason, EntitlementsStateV2, EnumEntitlement, MeteredEntitlement,
    NumericEntitlement, ReloadEntitlementsResult,
};

impl Stigg {
    /// `getBooleanEntitlement`, from the cache only.
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

    /// `getEntitlementsStateV2`: every entitlement of the customer; never fails (offline or on
    /// failure, the list built from the configured fallbacks).
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

    /// `reloadEntitlements`: refetches the customer's state through GraphQL (not Edge);
    /// `entitledEntityExists` is true when the customer-level reason is none or
    /// `NoActiveSubscription`, false otherwise and on error. Offline: true.
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
        let exists = match self.fetch_state(customer_id, resource_id, true).await {
            Ok(state) => matches!(
                state.access_denied_reason,
                None | Some(EntitlementsStateAccessDeniedReason::NoActiveSubscription)
            ),
            Err(_) => false,
        };
        ReloadEntitlementsResult {
            entitled_entity_exists: exists,
        }
    }
}

fn target_of<'a>(p: &GetEntitlementV2<'a>) -> EntitlementTarget<'a> {
    EntitlementTarget::from_ids(p.feature_id, p.currency_id)
}
