//! The emulator's mutable state: customers, subscriptions, usage, credits, promotions.
//!
//! Everything is plain serde data so the whole state can be persisted as one JSON document.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::catalog::{Catalog, EntitlementSpec, MonthlyAccordingTo, ResetPeriod};
use crate::clock::Millis;
use crate::error::{ApiError, ApiResult};
use crate::period::{billing_period, start_of_month, usage_period};

/// A customer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    /// Internal id (UUID-like).
    pub id: String,
    /// Customer ref id (the `customerId` callers use).
    pub ref_id: String,
    /// Name.
    pub name: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// `additionalMetaData`.
    pub metadata: Option<Value>,
    /// Billing id.
    pub billing_id: Option<String>,
    /// AWS marketplace id.
    pub aws_marketplace_customer_id: Option<String>,
    /// Applied coupon ref id.
    pub coupon: Option<String>,
    /// Archived customers keep their data but lose access.
    pub archived: bool,
    /// Created at.
    pub created_at: Millis,
    /// Updated at.
    pub updated_at: Millis,
    /// Plans this customer has trialed.
    pub trialed_plans: Vec<String>,
}

/// Subscription status (`SubscriptionStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SubscriptionStatus {
    /// Active.
    Active,
    /// In trial.
    InTrial,
    /// Canceled.
    Canceled,
    /// Expired.
    Expired,
    /// Starts in the future.
    NotStarted,
    /// Waiting for payment.
    PaymentPending,
}

impl SubscriptionStatus {
    /// Wire value.
    pub fn wire(self) -> &'static str {
        match self {
            Self::Active => "ACTIVE",
            Self::InTrial => "IN_TRIAL",
            Self::Canceled => "CANCELED",
            Self::Expired => "EXPIRED",
            Self::NotStarted => "NOT_STARTED",
            Self::PaymentPending => "PAYMENT_PENDING",
        }
    }
    /// Grants entitlements.
    pub fn is_active(self) -> bool {
        matches!(self, Self::Active | Self::InTrial)
    }
}

/// A change scheduled for a later time (`scheduledUpdates`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduledUpdate {
    /// When it applies.
    pub at: Millis,
    /// New plan.
    pub plan_id: Option<String>,
    /// New billing period.
    pub billing_period: Option<String>,
    /// New addons (replaces the list).
    pub addons: Option<Vec<(String, i64)>>,
    /// New billable-feature quantities.
    pub billable_features: Option<Vec<(String, f64)>>,
    /// Created at.
    pub created_at: Millis,
}

/// A subscription.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    /// Internal id.
    pub id: String,
    /// Subscription ref id (`subscriptionId`).
    pub ref_id: String,
    /// Customer ref id.
    pub customer_id: String,
    /// Paying customer ref id.
    pub paying_customer_id: Option<String>,
    /// Resource id.
    pub resource_id: Option<String>,
    /// Plan id.
    pub plan_id: String,
    /// Plan version at subscription time.
    pub plan_version: i64,
    /// `MONTHLY` or `ANNUALLY`.
    pub billing_period: String,
    /// Status.
    pub status: SubscriptionStatus,
    /// Addons and quantities.
    pub addons: Vec<(String, i64)>,
    /// Billable feature quantities (per-unit prices).
    pub billable_features: Vec<(String, f64)>,
    /// Start.
    pub start_date: Millis,
    /// Trial end.
    pub trial_end_date: Option<Millis>,
    /// When a cancellation takes effect.
    pub cancellation_date: Option<Millis>,
    /// End date once ended.
    pub end_date: Option<Millis>,
    /// `additionalMetaData`.
    pub metadata: Option<Value>,
    /// Applied coupon.
    pub coupon: Option<String>,
    /// Scheduled changes.
    pub scheduled: Vec<ScheduledUpdate>,
    /// Created at.
    pub created_at: Millis,
}

impl Subscription {
    /// The current billing period `[start, end)`.
    pub fn billing_period_range(&self, now: Millis) -> (Millis, Millis) {
        let at = now.max(self.start_date);
        billing_period(self.start_date, self.billing_period == "ANNUALLY", at)
            .unwrap_or((self.start_date, self.start_date))
    }
}

/// One usage counter (per customer, resource and feature).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageRecord {
    /// Value in the period `period_start`.
    pub value: f64,
    /// Last update.
    pub updated_at: Millis,
    /// Start of the usage period the value belongs to.
    pub period_start: Option<Millis>,
    /// History of `(timestamp, value after the change)`, newest last (bounded).
    pub history: Vec<(Millis, f64)>,
}

/// A promotional entitlement.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Promotion {
    /// Internal id.
    pub id: String,
    /// Customer ref id.
    pub customer_id: String,
    /// The grant.
    pub spec: EntitlementSpec,
    /// `PromotionalEntitlementPeriod`.
    pub period: String,
    /// Start.
    pub start_date: Millis,
    /// End (none = lifetime).
    pub end_date: Option<Millis>,
    /// Revoked.
    pub revoked: bool,
    /// Created at.
    pub created_at: Millis,
}

/// A credit grant.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditGrant {
    /// Grant id.
    pub id: String,
    /// Customer ref id.
    pub customer_id: String,
    /// Resource id.
    pub resource_id: Option<String>,
    /// Currency id.
    pub currency_id: String,
    /// Granted amount.
    pub amount: f64,
    /// Consumed amount.
    pub consumed: f64,
    /// Display name.
    pub display_name: String,
    /// `CreditGrantType` (`PROMOTIONAL`, `PAID`, ...).
    pub grant_type: String,
    /// Priority (lower consumed first).
    pub priority: i64,
    /// Effective from.
    pub effective_at: Millis,
    /// Expires at.
    pub expire_at: Option<Millis>,
    /// Voided at.
    pub voided_at: Option<Millis>,
    /// Comment.
    pub comment: Option<String>,
    /// Metadata.
    pub metadata: Option<Value>,
    /// Created at.
    pub created_at: Millis,
    /// Updated at.
    pub updated_at: Millis,
}

impl CreditGrant {
    /// Usable at `now`.
    pub fn is_active(&self, now: Millis) -> bool {
        self.voided_at.is_none()
            && self.effective_at <= now
            && self.expire_at.is_none_or(|e| e > now)
    }
}

/// The whole mutable state.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct State {
    /// Customers by ref id.
    pub customers: BTreeMap<String, Customer>,
    /// Subscriptions in creation order.
    pub subscriptions: Vec<Subscription>,
    /// Usage by `customer|resource|feature`.
    pub usage: HashMap<String, UsageRecord>,
    /// Promotional entitlements.
    pub promotions: Vec<Promotion>,
    /// Credit grants.
    pub credit_grants: Vec<CreditGrant>,
    /// Responses of idempotent writes by `kind|customer|key`.
    pub idempotency: HashMap<String, Value>,
    /// Id counter.
    pub next_id: u64,
    /// Version of the catalog packages (bumped on reload).
    pub catalog_version: i64,
}

/// Key of a usage counter.
pub fn usage_key(customer: &str, resource: Option<&str>, feature: &str) -> String {
    format!("{customer}|{}|{feature}", resource.unwrap_or(""))
}

/// A computed feature entitlement.
#[derive(Debug, Clone)]
pub struct FeatureEnt {
    /// Feature id.
    pub feature_id: String,
    /// Limit.
    pub usage_limit: Option<f64>,
    /// Unlimited.
    pub unlimited: bool,
    /// Soft limit.
    pub soft_limit: bool,
    /// Reset period.
    pub reset_period: Option<ResetPeriod>,
    /// Monthly anchor rule.
    pub monthly_according_to: Option<MonthlyAccordingTo>,
    /// Granted enum values.
    pub enum_values: Option<Vec<String>>,
    /// Usage period anchor.
    pub anchor: Option<Millis>,
    /// Current usage period.
    pub period: Option<(Millis, Millis)>,
    /// Current usage in that period.
    pub current_usage: f64,
    /// Last usage update.
    pub usage_updated_at: Option<Millis>,
    /// When the entitlement last changed.
    pub updated_at: Millis,
    /// Server-side denial (e.g. `InsufficientCredits`).
    pub denied: Option<&'static str>,
    /// Credit rate `(amount, currency)`.
    pub credit_rate: Option<(f64, String)>,
    /// End of validity (promotions / canceling subscriptions).
    pub valid_until: Option<Millis>,
}

/// A computed credit entitlement (wallet).
#[derive(Debug, Clone)]
pub struct CreditEnt {
    /// Currency id.
    pub currency_id: String,
    /// Total granted (active grants).
    pub granted: f64,
    /// Consumed from active grants.
    pub consumed: f64,
    /// Earliest expiry of an active grant.
    pub period_end: Option<Millis>,
    /// Last change.
    pub updated_at: Millis,
}

/// Entitlements of a customer (and optional resource).
#[derive(Debug, Clone, Default)]
pub struct EntState {
    /// `EntitlementsStateAccessDeniedReason`.
    pub reason: Option<&'static str>,
    /// Feature entitlements.
    pub features: Vec<FeatureEnt>,
    /// Credit wallets.
    pub credits: Vec<CreditEnt>,
}

/// Result of a usage report.
#[derive(Debug, Clone)]
pub struct UsageAck {
    /// Measurement id.
    pub id: String,
    /// Customer.
    pub customer_id: String,
    /// Resource.
    pub resource_id: Option<String>,
    /// Feature.
    pub feature_id: String,
    /// Usage after the report.
    pub current_usage: f64,
    /// Period.
    pub period: Option<(Millis, Millis)>,
    /// Timestamp.
    pub timestamp: Millis,
    /// Credits consumed by the report `(currency, consumed, balance)`.
    pub credit: Option<(String, f64, f64)>,
}

impl State {
    /// A fresh id (UUID-shaped).
    pub fn new_id(&mut self) -> String {
        self.next_id += 1;
        format!("00000000-0000-4000-8000-{:012x}", self.next_id)
    }

    /// Find a customer.
    pub fn customer(&self, id: &str) -> ApiResult<&Customer> {
        self.customers
            .get(id)
            .ok_or_else(|| ApiError::customer_not_found(id))
    }

    /// Find a subscription by ref id.
    pub fn subscription(&self, id: &str) -> ApiResult<&Subscription> {
        self.subscriptions
            .iter()
            .find(|s| s.ref_id == id || s.id == id)
            .ok_or_else(|| ApiError::subscription_not_found(id))
    }

    /// Mutable subscription by ref id.
    pub fn subscription_mut(&mut self, id: &str) -> ApiResult<&mut Subscription> {
        self.subscriptions
            .iter_mut()
            .find(|s| s.ref_id == id || s.id == id)
            .ok_or_else(|| ApiError::subscription_not_found(id))
    }

    /// Active subscriptions of a customer for a resource (`None` = customer-level).
    pub fn active_subscriptions<'a>(
        &'a self,
        customer: &'a str,
        resource: Option<&'a str>,
    ) -> impl Iterator<Item = &'a Subscription> + 'a {
        self.subscriptions.iter().filter(move |s| {
            s.customer_id == customer
                && s.status.is_active()
                && s.resource_id.as_deref() == resource
        })
    }

    /// Resource ids a customer has subscriptions for.
    pub fn resources_of(&self, customer: &str) -> Vec<Option<String>> {
        let mut out: Vec<Option<String>> = vec![None];
        for s in &self.subscriptions {
            if s.customer_id == customer && !out.contains(&s.resource_id) {
                out.push(s.resource_id.clone());
            }
        }
        out
    }

    /// Compute the entitlements of a customer at `now`.
    pub fn entitlements(
        &self,
        catalog: &Catalog,
        customer_id: &str,
        resource: Option<&str>,
        now: Millis,
    ) -> EntState {
        let Some(customer) = self.customers.get(customer_id) else {
            return EntState {
                reason: Some("CustomerNotFound"),
                ..Default::default()
            };
        };
        if customer.archived {
            return EntState {
                reason: Some("CustomerIsArchived"),
                ..Default::default()
            };
        }
        let mut merged: Vec<FeatureEnt> = Vec::new();
        let subs: Vec<&Subscription> = self.active_subscriptions(customer_id, resource).collect();
        for sub in &subs {
            let Some(plan) = catalog.plan(&sub.plan_id) else {
                continue;
            };
            let mut own: Vec<FeatureEnt> = Vec::new();
            for spec in catalog.plan_entitlements(plan) {
                own.push(self.make_ent(
                    catalog,
                    &spec,
                    1,
                    sub.start_date,
                    sub.created_at,
                    customer_id,
                    resource,
                    now,
                ));
            }
            for (addon_id, qty) in &sub.addons {
                let Some(addon) = catalog.addon(addon_id) else {
                    continue;
                };
                for spec in &addon.entitlements {
                    let e = self.make_ent(
                        catalog,
                        spec,
                        *qty,
                        sub.start_date,
                        sub.created_at,
                        customer_id,
                        resource,
                        now,
                    );
                    match own.iter_mut().find(|x| x.feature_id == e.feature_id) {
                        Some(x) => {
                            x.unlimited |= e.unlimited;
                            x.soft_limit |= e.soft_limit;
                            x.usage_limit = match (x.usage_limit, e.usage_limit) {
                                (Some(a), Some(b)) => Some(a + b),
                                (a, b) => a.or(b),
                            };
                        }
                        None => own.push(e),
                    }
                }
            }
            if let Some(c) = sub.cancellation_date {
                for e in &mut own {
                    e.valid_until = Some(c);
                }
            }
            for e in own {
                merge_ent(&mut merged, e);
            }
        }
        for p in &self.promotions {
            if p.customer_id != customer_id || p.revoked || p.start_date > now {
                continue;
            }
            if p.end_date.is_some_and(|e| e <= now) {
                continue;
            }
            let mut e = self.make_ent(
                catalog,
                &p.spec,
                1,
                p.start_date,
                p.created_at,
                customer_id,
                resource,
                now,
            );
            e.valid_until = p.end_date;
            merge_ent(&mut merged, e);
        }
        let credits = self.credit_wallets(catalog, customer_id, resource, now);
        // credit-backed features are denied when the wallet is empty
        for e in &mut merged {
            if let Some((_, cur)) = &e.credit_rate {
                let remaining = credits
                    .iter()
                    .find(|c| &c.currency_id == cur)
                    .map(|c| c.granted - c.consumed)
                    .unwrap_or(0.0);
                if remaining <= 0.0 {
                    e.denied = Some("InsufficientCredits");
                }
            }
        }
        let reason = if subs.is_empty() && merged.is_empty() && credits.is_empty() {
            Some("NoActiveSubscription")
        } else {
            None
        };
        EntState {
            reason,
            features: merged,
            credits,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn make_ent(
        &self,
        catalog: &Catalog,
        spec: &EntitlementSpec,
        qty: i64,
        start: Millis,
        updated_at: Millis,
        customer: &str,
        resource: Option<&str>,
        now: Millis,
    ) -> FeatureEnt {
        let feature = catalog.feature(&spec.feature);
        let metered = feature.is_some_and(|f| f.is_metered());
        let anchor = match (spec.reset_period, spec.monthly_according_to) {
            (Some(ResetPeriod::Month), Some(MonthlyAccordingTo::StartOfTheMonth)) => {
                Some(start_of_month(start))
            }
            (Some(_), _) => Some(start),
            (None, _) => None,
        };
        let period = match (anchor, spec.reset_period) {
            (Some(a), Some(p)) if metered => usage_period(a, p, now),
            _ => None,
        };
        let (current_usage, usage_updated_at) = if metered {
            match self
                .usage
                .get(&usage_key(customer, resource, &spec.feature))
            {
                Some(r) if period.is_none() || r.period_start == period.map(|p| p.0) => {
                    (r.value, Some(r.updated_at))
                }
                Some(r) => (0.0, Some(r.updated_at)),
                None => (0.0, None),
            }
        } else {
            (0.0, None)
        };
        FeatureEnt {
            feature_id: spec.feature.clone(),
            usage_limit: spec.usage_limit.map(|l| l * qty as f64),
            unlimited: spec.unlimited,
            soft_limit: spec.soft_limit,
            reset_period: if metered { spec.reset_period } else { None },
            monthly_according_to: spec.monthly_according_to,
            enum_values: spec.enum_values.clone(),
            anchor: if metered { anchor } else { None },
            period,
            current_usage,
            usage_updated_at,
            updated_at,
            denied: None,
            credit_rate: catalog
                .credit_rate(&spec.feature)
                .map(|r| (r.amount, r.currency.clone())),
            valid_until: None,
        }
    }

    /// Credit wallets of a customer (grants without resource count for every resource).
    pub fn credit_wallets(
        &self,
        catalog: &Catalog,
        customer: &str,
        resource: Option<&str>,
        now: Millis,
    ) -> Vec<CreditEnt> {
        let mut out: Vec<CreditEnt> = Vec::new();
        for g in &self.credit_grants {
            if g.customer_id != customer || !g.is_active(now) {
                continue;
            }
            if g.resource_id.is_some() && g.resource_id.as_deref() != resource {
                continue;
            }
            if catalog.currency(&g.currency_id).is_none() {
                continue;
            }
            let w = match out.iter_mut().position(|w| w.currency_id == g.currency_id) {
                Some(i) => &mut out[i],
                None => {
                    out.push(CreditEnt {
                        currency_id: g.currency_id.clone(),
                        granted: 0.0,
                        consumed: 0.0,
                        period_end: None,
                        updated_at: g.updated_at,
                    });
                    let last = out.len() - 1;
                    &mut out[last]
                }
            };
            w.granted += g.amount;
            w.consumed += g.consumed;
            w.updated_at = w.updated_at.max(g.updated_at);
            if let Some(e) = g.expire_at {
                w.period_end = Some(w.period_end.map_or(e, |p: Millis| p.min(e)));
            }
        }
        out
    }

    /// Apply a usage report.
    #[allow(clippy::too_many_arguments)]
    pub fn report_usage(
        &mut self,
        catalog: &Catalog,
        customer: &str,
        resource: Option<&str>,
        feature: &str,
        value: f64,
        set: bool,
        at: Millis,
        now: Millis,
    ) -> ApiResult<UsageAck> {
        let c = self.customer(customer)?;
        if c.archived {
            return Err(ApiError::new(
                "CustomerIsArchived",
                format!("Customer {customer} is archived"),
            ));
        }
        let f = catalog.feature(feature).ok_or_else(|| {
            ApiError::new("FeatureNotFound", format!("Feature not found: {feature}"))
        })?;
        if !f.is_metered() {
            return Err(ApiError::new(
                "FeatureTypeMismatch",
                format!("Feature {feature} is not metered"),
            ));
        }
        let state = self.entitlements(catalog, customer, resource, now);
        let ent = state.features.iter().find(|e| e.feature_id == feature);
        let period = ent.and_then(|e| e.period);
        let key = usage_key(customer, resource, feature);
        let rec = self.usage.entry(key).or_default();
        if period.is_some() && rec.period_start != period.map(|p| p.0) {
            rec.value = 0.0;
        }
        rec.period_start = period.map(|p| p.0);
        let before = rec.value;
        rec.value = if set { value } else { rec.value + value };
        rec.updated_at = at.max(rec.updated_at);
        rec.history.push((at, rec.value));
        if rec.history.len() > 2000 {
            rec.history.drain(..1000);
        }
        let current = rec.value;
        let delta = current - before;
        let mut credit = None;
        if let Some(rate) = catalog.credit_rate(feature) {
            let cost = delta * rate.amount;
            if cost > 0.0 {
                let currency = rate.currency.clone();
                let balance = self.consume(catalog, customer, resource, &currency, cost, now);
                credit = Some((currency, cost, balance));
            }
        }
        let id = self.new_id();
        Ok(UsageAck {
            id,
            customer_id: customer.to_string(),
            resource_id: resource.map(str::to_string),
            feature_id: feature.to_string(),
            current_usage: current,
            period,
            timestamp: at,
            credit,
        })
    }

    /// Consume credits from active grants (earliest expiry, then priority, first); returns the
    /// remaining balance. Over-consumption is recorded on the last grant (negative balance).
    pub fn consume(
        &mut self,
        catalog: &Catalog,
        customer: &str,
        resource: Option<&str>,
        currency: &str,
        amount: f64,
        now: Millis,
    ) -> f64 {
        let mut idx: Vec<usize> = self
            .credit_grants
            .iter()
            .enumerate()
            .filter(|(_, g)| {
                g.customer_id == customer
                    && g.currency_id == currency
                    && g.is_active(now)
                    && (g.resource_id.is_none() || g.resource_id.as_deref() == resource)
            })
            .map(|(i, _)| i)
            .collect();
        idx.sort_by_key(|i| {
            let g = &self.credit_grants[*i];
            (g.expire_at.unwrap_or(i64::MAX), g.priority, g.created_at)
        });
        let mut left = amount;
        for (n, i) in idx.iter().enumerate() {
            let g = &mut self.credit_grants[*i];
            let avail = (g.amount - g.consumed).max(0.0);
            let take = if n + 1 == idx.len() {
                left
            } else {
                left.min(avail)
            };
            g.consumed += take;
            g.updated_at = now;
            left -= take;
            if left <= 0.0 {
                break;
            }
        }
        self.credit_wallets(catalog, customer, resource, now)
            .iter()
            .find(|w| w.currency_id == currency)
            .map(|w| w.granted - w.consumed)
            .unwrap_or(-left)
    }

    /// Apply due time-based transitions (trial ends, cancellations, scheduled updates).
    /// Returns the customers whose entitlements changed.
    pub fn advance(&mut self, catalog: &Catalog, now: Millis) -> Vec<String> {
        let mut changed = Vec::new();
        let mut downgrades: Vec<(String, Option<String>, String, Millis)> = Vec::new();
        for s in &mut self.subscriptions {
            if s.status == SubscriptionStatus::NotStarted && s.start_date <= now {
                s.status = if s.trial_end_date.is_some_and(|t| t > now) {
                    SubscriptionStatus::InTrial
                } else {
                    SubscriptionStatus::Active
                };
                changed.push(s.customer_id.clone());
            }
            if s.status == SubscriptionStatus::InTrial && s.trial_end_date.is_some_and(|t| t <= now)
            {
                s.status = SubscriptionStatus::Active;
                changed.push(s.customer_id.clone());
            }
            if s.status.is_active() {
                if let Some(c) = s.cancellation_date.filter(|c| *c <= now) {
                    s.status = SubscriptionStatus::Canceled;
                    s.end_date = Some(c);
                    changed.push(s.customer_id.clone());
                    if let Some(plan) = catalog.plan(&s.plan_id) {
                        if let Some(dp) = catalog
                            .product(&plan.product)
                            .and_then(|p| p.downgrade_plan.clone())
                        {
                            if dp != s.plan_id {
                                downgrades.push((
                                    s.customer_id.clone(),
                                    s.resource_id.clone(),
                                    dp,
                                    c,
                                ));
                            }
                        }
                    }
                }
            }
            let due: Vec<ScheduledUpdate> = s
                .scheduled
                .iter()
                .filter(|u| u.at <= now)
                .cloned()
                .collect();
            if !due.is_empty() && s.status.is_active() {
                s.scheduled.retain(|u| u.at > now);
                for u in due {
                    if let Some(p) = u.plan_id {
                        s.plan_id = p;
                    }
                    if let Some(b) = u.billing_period {
                        s.billing_period = b;
                    }
                    if let Some(a) = u.addons {
                        s.addons = a;
                    }
                    if let Some(b) = u.billable_features {
                        s.billable_features = b;
                    }
                }
                changed.push(s.customer_id.clone());
            }
        }
        for (customer, resource, plan, at) in downgrades {
            let has_active = self
                .active_subscriptions(&customer, resource.as_deref())
                .next()
                .is_some();
            if !has_active {
                let id = self.new_id();
                let version = catalog.plan(&plan).map(|p| p.version).unwrap_or(1);
                let ref_id = format!("subscription-{plan}-{}", self.next_id);
                self.subscriptions.push(Subscription {
                    id,
                    ref_id,
                    customer_id: customer,
                    paying_customer_id: None,
                    resource_id: resource,
                    plan_id: plan,
                    plan_version: version,
                    billing_period: "MONTHLY".to_string(),
                    status: SubscriptionStatus::Active,
                    addons: Vec::new(),
                    billable_features: Vec::new(),
                    start_date: at,
                    trial_end_date: None,
                    cancellation_date: None,
                    end_date: None,
                    metadata: None,
                    coupon: None,
                    scheduled: Vec::new(),
                    created_at: at,
                });
            }
        }
        changed.sort();
        changed.dedup();
        changed
    }

    /// Earliest pending time-based transition.
    pub fn next_due(&self) -> Option<Millis> {
        let mut best: Option<Millis> = None;
        let mut see = |t: Millis| best = Some(best.map_or(t, |b: Millis| b.min(t)));
        for s in &self.subscriptions {
            if s.status == SubscriptionStatus::NotStarted {
                see(s.start_date);
            }
            if s.status == SubscriptionStatus::InTrial {
                if let Some(t) = s.trial_end_date {
                    see(t);
                }
            }
            if s.status.is_active() {
                if let Some(c) = s.cancellation_date {
                    see(c);
                }
                for u in &s.scheduled {
                    see(u.at);
                }
            }
        }
        best
    }
}

fn merge_ent(merged: &mut Vec<FeatureEnt>, e: FeatureEnt) {
    match merged.iter_mut().find(|x| x.feature_id == e.feature_id) {
        None => merged.push(e),
        Some(x) => {
            // the more generous grant wins; enum values are united
            let better = !x.unlimited
                && (e.unlimited || e.usage_limit.unwrap_or(0.0) > x.usage_limit.unwrap_or(0.0));
            if better {
                x.usage_limit = e.usage_limit;
                x.unlimited = e.unlimited;
            }
            x.soft_limit |= e.soft_limit;
            if let Some(v) = e.enum_values {
                let cur = x.enum_values.get_or_insert_with(Vec::new);
                for s in v {
                    if !cur.contains(&s) {
                        cur.push(s);
                    }
                }
            }
            x.updated_at = x.updated_at.max(e.updated_at);
            x.valid_until = match (x.valid_until, e.valid_until) {
                (Some(a), Some(b)) => Some(a.max(b)),
                _ => None,
            };
        }
    }
}
