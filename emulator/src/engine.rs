//! The engine: catalog + state + clock, the root operations of the GraphQL API, and the
//! change events pushed to WebSocket subscribers.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use serde_json::{json, Value};
use tokio::sync::broadcast;

use crate::catalog::{Catalog, EntitlementSpec, MonthlyAccordingTo, ResetPeriod};
use crate::clock::{iso, parse_json_time, Clock, Millis};
use crate::error::{ApiError, ApiResult};
use crate::persist::Store;
use crate::render;
use crate::state::{
    CreditGrant, Customer, Promotion, ScheduledUpdate, State, Subscription, SubscriptionStatus,
    UsageAck,
};

/// An event for WebSocket subscribers: the subscription root field and its payload.
#[derive(Debug, Clone)]
pub struct StreamEvent {
    /// Subscription field name (`entitlementsUpdatedV2`, `usageUpdated`, ...).
    pub field: String,
    /// Payload object (the field's value).
    pub payload: Value,
}

enum Change {
    Entitlements(String),
    Usage(UsageAck),
    Credit(String, Option<String>, String),
}

/// Shared emulator engine.
pub struct Engine {
    catalog: RwLock<Arc<Catalog>>,
    state: Mutex<State>,
    /// The emulator clock.
    pub clock: Clock,
    events: broadcast::Sender<StreamEvent>,
    store: Option<Mutex<Store>>,
    /// Bumped on every state change (mutation, due transition, catalog reload, reset, clock move):
    /// responses rendered at an older generation are stale.
    generation: AtomicU64,
}

fn s<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}
fn f(v: &Value, k: &str) -> Option<f64> {
    v.get(k).and_then(Value::as_f64)
}
fn b(v: &Value, k: &str) -> Option<bool> {
    v.get(k).and_then(Value::as_bool)
}
fn req_str<'a>(v: &'a Value, k: &str) -> ApiResult<&'a str> {
    s(v, k).ok_or_else(|| ApiError::bad_input(format!("missing {k}")))
}
fn t(v: &Value, k: &str) -> Option<Millis> {
    v.get(k).and_then(parse_json_time)
}

fn addons_of(v: &Value) -> Option<Vec<(String, i64)>> {
    v.get("addons").and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(|x| {
                Some((
                    s(x, "addonId")?.to_string(),
                    x.get("quantity").and_then(Value::as_i64).unwrap_or(1),
                ))
            })
            .collect()
    })
}
fn billables_of(v: &Value) -> Option<Vec<(String, f64)>> {
    let mut out: Vec<(String, f64)> = v
        .get("billableFeatures")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| Some((s(x, "featureId")?.to_string(), f(x, "quantity")?)))
                .collect()
        })
        .unwrap_or_default();
    if let Some(q) = f(v, "unitQuantity").or(f(v, "priceUnitAmount")) {
        out.push(("__unit".to_string(), q));
    }
    (!out.is_empty()).then_some(out)
}

impl Engine {
    /// A new engine over a catalog, optionally persisted.
    pub fn new(
        catalog: Catalog,
        store: Option<Store>,
    ) -> Result<Self, crate::persist::PersistError> {
        let state = match &store {
            Some(st) => st.load()?.unwrap_or_default(),
            None => State::default(),
        };
        let clock = Clock::new();
        if let Some(st) = &store {
            clock.advance(st.load_clock_offset()?);
        }
        let (events, _) = broadcast::channel(4096);
        Ok(Self {
            catalog: RwLock::new(Arc::new(catalog)),
            state: Mutex::new(state),
            clock,
            events,
            store: store.map(Mutex::new),
            generation: AtomicU64::new(0),
        })
    }

    /// Current catalog.
    pub fn catalog(&self) -> Arc<Catalog> {
        match self.catalog.read() {
            Ok(c) => c.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        match self.state.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// Subscribe to stream events.
    pub fn subscribe(&self) -> broadcast::Receiver<StreamEvent> {
        self.events.subscribe()
    }

    /// Publish an arbitrary event (admin hook).
    pub fn publish(&self, field: &str, payload: Value) {
        let _ = self.events.send(StreamEvent {
            field: field.to_string(),
            payload,
        });
    }

    /// Replace the catalog and emit `packagePublished` for every plan and addon.
    pub fn reload_catalog(&self, catalog: Catalog) {
        let mut st = self.lock();
        st.catalog_version += 1;
        let version = st.catalog_version;
        let customers: Vec<String> = st.customers.keys().cloned().collect();
        match self.catalog.write() {
            Ok(mut c) => *c = Arc::new(catalog),
            Err(p) => *p.into_inner() = Arc::new(catalog),
        }
        let cat = self.catalog();
        for (kind, id) in cat
            .plans
            .iter()
            .map(|p| ("plan", p.id.clone()))
            .chain(cat.addons.iter().map(|a| ("addon", a.id.clone())))
        {
            self.publish(
                "packagePublished",
                json!({"accountId": cat.account_id, "environmentId": cat.environment_id, "packageType": kind,
                       "packageRefId": id, "packageVersion": version, "migrationType": "ALL_CUSTOMERS"}),
            );
        }
        let changes = customers.into_iter().map(Change::Entitlements).collect();
        self.finish(&st, &cat, changes, true);
    }

    /// Wipe all state.
    pub fn reset(&self) {
        let mut st = self.lock();
        *st = State::default();
        let cat = self.catalog();
        self.finish(&st, &cat, Vec::new(), true);
    }

    /// Advance the clock and process due transitions.
    pub fn advance_clock(&self, ms: Millis) {
        {
            let _st = self.lock();
            self.clock.advance(ms);
            self.generation.fetch_add(1, Ordering::SeqCst);
            if let Some(store) = &self.store {
                let store = match store.lock() {
                    Ok(g) => g,
                    Err(p) => p.into_inner(),
                };
                if let Err(e) = store.save_clock_offset(self.clock.offset()) {
                    tracing::error!("persisting the clock offset failed: {e}");
                }
            }
        }
        let _ = self.execute("__tick", &Value::Null);
    }

    /// The state generation: it changes whenever anything a response could show changes
    /// (every mutation, due transition, catalog reload, reset and clock move).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// For caching a rendering of a customer's entitlements: the current generation and the
    /// instant until which that rendering stays right if nothing changes (`None` = no time
    /// boundary): the earliest usage-period end, entitlement/grant/promotion start or end, or due
    /// subscription transition after now. Both are read under one lock.
    pub fn entitlements_validity(
        &self,
        customer: &str,
        resource: Option<&str>,
    ) -> (u64, Option<Millis>) {
        let cat = self.catalog();
        let st = self.lock();
        let generation = self.generation();
        let now = self.clock.now();
        let mut until: Option<Millis> = None;
        let mut see = |t: Option<Millis>| {
            if let Some(t) = t.filter(|t| *t > now) {
                until = Some(until.map_or(t, |u| u.min(t)));
            }
        };
        see(st.next_due());
        let es = st.entitlements(&cat, customer, resource, now);
        for e in &es.features {
            see(e.period.map(|p| p.1));
            see(e.valid_until);
        }
        for w in &es.credits {
            see(w.period_end);
        }
        for p in st.promotions.iter().filter(|p| p.customer_id == customer) {
            see(Some(p.start_date));
            see(p.end_date);
        }
        for g in st
            .credit_grants
            .iter()
            .filter(|g| g.customer_id == customer)
        {
            see(Some(g.effective_at));
            see(g.expire_at);
        }
        (generation, until)
    }

    /// A snapshot of the state as JSON (admin).
    pub fn snapshot(&self) -> Value {
        serde_json::to_value(&*self.lock()).unwrap_or(Value::Null)
    }

    fn persist(&self, st: &State) {
        if let Some(store) = &self.store {
            let r = match store.lock() {
                Ok(g) => g.save(st),
                Err(p) => p.into_inner().save(st),
            };
            if let Err(e) = r {
                tracing::error!("persisting state failed: {e}");
            }
        }
    }

    fn finish(&self, st: &State, cat: &Catalog, changes: Vec<Change>, mutated: bool) {
        if mutated {
            // still under the state lock: readers never see new state with an old generation
            self.generation.fetch_add(1, Ordering::SeqCst);
            self.persist(st);
        }
        if self.events.receiver_count() == 0 {
            return;
        }
        let now = self.clock.now();
        let mut seen: Vec<String> = Vec::new();
        for ch in &changes {
            let cust = match ch {
                Change::Entitlements(c) => c.clone(),
                Change::Usage(a) => a.customer_id.clone(),
                Change::Credit(c, _, _) => c.clone(),
            };
            if let Change::Usage(a) = ch {
                self.emit_usage(st, cat, a, now);
            }
            if let Change::Credit(c, r, cur) = ch {
                self.emit_credit(st, cat, c, r.as_deref(), cur, now);
            }
            if seen.contains(&cust) {
                continue;
            }
            seen.push(cust.clone());
            if matches!(ch, Change::Usage(_)) {
                continue;
            }
            for res in st.resources_of(&cust) {
                let es = st.entitlements(cat, &cust, res.as_deref(), now);
                self.publish(
                    "entitlementsUpdatedV2",
                    json!({"customerId": cust, "resourceId": res, "accessDeniedReason": es.reason,
                           "entitlements": render::entitlements_v2(cat, &es)}),
                );
                self.publish(
                    "entitlementsUpdated",
                    json!({"customerId": cust, "resourceId": res, "accessDeniedReason": es.reason,
                           "entitlements": render::entitlements_v1(cat, &es, &cust, res.as_deref())}),
                );
            }
        }
    }

    fn emit_usage(&self, st: &State, cat: &Catalog, a: &UsageAck, now: Millis) {
        let es = st.entitlements(cat, &a.customer_id, a.resource_id.as_deref(), now);
        self.publish(
            "usageUpdatedV2",
            json!({"customerId": a.customer_id, "resourceId": a.resource_id,
                   "entitlementReference": {"id": a.feature_id, "type": "FEATURE"},
                   "usage": {"currentUsage": a.current_usage, "usageUpdatedAt": iso(a.timestamp),
                             "usagePeriodStart": a.period.map(|p| iso(p.0)), "usagePeriodEnd": a.period.map(|p| iso(p.1))}}),
        );
        if let Some(e) = es.features.iter().find(|e| e.feature_id == a.feature_id) {
            self.publish(
                "usageUpdated",
                json!({"usage": {"customerId": a.customer_id, "resourceId": a.resource_id, "featureId": a.feature_id,
                                 "currentUsage": a.current_usage,
                                 "usagePeriodStart": a.period.map(|p| p.0 as f64), "usagePeriodEnd": a.period.map(|p| p.1 as f64),
                                 "nextResetDate": a.period.map(|p| p.1 as f64)},
                       "entitlement": render::legacy_entitlement(cat, e, &a.customer_id, a.resource_id.as_deref(), None, None)}),
            );
        }
        if let Some((cur, _, _)) = &a.credit {
            self.emit_credit(st, cat, &a.customer_id, a.resource_id.as_deref(), cur, now);
        }
    }

    fn emit_credit(
        &self,
        st: &State,
        cat: &Catalog,
        customer: &str,
        resource: Option<&str>,
        currency: &str,
        now: Millis,
    ) {
        let w = st.credit_wallets(cat, customer, resource, now);
        let w = w.iter().find(|w| w.currency_id == currency);
        let (granted, consumed, end) = w
            .map(|w| (w.granted, w.consumed, w.period_end))
            .unwrap_or((0.0, 0.0, None));
        let c = cat.currency(currency);
        self.publish(
            "creditBalanceUpdated",
            json!({"currency": {"currencyId": currency, "displayName": c.map(|c| c.display_name.clone()).unwrap_or_default(),
                                "symbol": c.and_then(|c| c.symbol.clone()),
                                "units": {"singular": c.and_then(|c| c.unit_singular.clone()).unwrap_or_default(),
                                          "plural": c.and_then(|c| c.unit_plural.clone()).unwrap_or_default()}},
                   "currencyId": currency, "currentBalance": granted - consumed, "customerId": customer,
                   "validUntil": end.map(iso), "resourceId": resource, "totalConsumed": consumed, "totalGranted": granted}),
        );
        self.publish(
            "usageUpdatedV2",
            json!({"customerId": customer, "resourceId": resource,
                   "entitlementReference": {"id": currency, "type": "CREDIT"},
                   "usage": {"currentUsage": consumed, "usageUpdatedAt": iso(now), "usagePeriodStart": Value::Null,
                             "usagePeriodEnd": end.map(iso)}}),
        );
    }

    /// Execute a root field of Query or Mutation with its arguments (JSON object).
    pub fn execute(&self, field: &str, args: &Value) -> ApiResult<Value> {
        let cat = self.catalog();
        let mut st = self.lock();
        let now = self.clock.now();
        let mut changes: Vec<Change> = Vec::new();
        let mut mutated = false;
        if st.next_due().is_some_and(|d| d <= now) {
            for c in st.advance(&cat, now) {
                changes.push(Change::Entitlements(c));
            }
            mutated = true;
        }
        let out = self.dispatch(&cat, &mut st, now, field, args, &mut changes, &mut mutated);
        self.finish(&st, &cat, changes, mutated);
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn dispatch(
        &self,
        cat: &Catalog,
        st: &mut State,
        now: Millis,
        field: &str,
        args: &Value,
        changes: &mut Vec<Change>,
        mutated: &mut bool,
    ) -> ApiResult<Value> {
        let input = args.get("input").cloned().unwrap_or(Value::Null);
        let query = args.get("query").cloned().unwrap_or(Value::Null);
        match field {
            "__tick" => Ok(Value::Null),
            "sdkConfiguration" => Ok(
                json!({"sentryDsn": Value::Null, "isWidgetWatermarkEnabled": false, "showWatermark": false}),
            ),
            // ---------------------------------------------------------------- customers
            "provisionCustomer" | "importOneCustomer" => {
                *mutated = true;
                let id = s(&input, "customerId")
                    .or(s(&input, "refId"))
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("customer-{}", st.next_id + 1));
                let internal = st.new_id();
                let c = st.customers.entry(id.clone()).or_insert_with(|| Customer {
                    id: internal,
                    ref_id: id.clone(),
                    name: None,
                    email: None,
                    metadata: None,
                    billing_id: None,
                    aws_marketplace_customer_id: None,
                    coupon: None,
                    archived: false,
                    created_at: now,
                    updated_at: now,
                    trialed_plans: Vec::new(),
                });
                apply_customer_fields(c, &input, now);
                changes.push(Change::Entitlements(id.clone()));
                let mut strategy = "SKIPPED_SUBSCRIPTION_CREATION";
                let mut sub_json = Value::Null;
                if field == "provisionCustomer" {
                    if let Some(sp) = input.get("subscriptionParams").filter(|v| !v.is_null()) {
                        let mut sp = sp.clone();
                        if let Some(o) = sp.as_object_mut() {
                            o.insert("customerId".into(), json!(id));
                        }
                        let sub = create_subscription(cat, st, &sp, now)?;
                        strategy = "REQUESTED_PLAN";
                        sub_json = render::subscription(st, cat, &sub, now);
                    } else if input.get("subscriptionParams").is_none() {
                        // no params at all: subscribe to the first product's downgrade (free) plan
                        if let Some(dp) = cat.products.iter().find_map(|p| p.downgrade_plan.clone())
                        {
                            if st.active_subscriptions(&id, None).next().is_none() {
                                let sub = create_subscription(
                                    cat,
                                    st,
                                    &json!({"customerId": id, "planId": dp}),
                                    now,
                                )?;
                                strategy = "PREDEFINED_FREE_PLAN";
                                sub_json = render::subscription(st, cat, &sub, now);
                            }
                        }
                    }
                }
                let c = st.customer(&id)?.clone();
                if field == "importOneCustomer" {
                    // `importOneCustomer` returns the `Customer` itself
                    return Ok(render::customer(st, cat, &c, now, false));
                }
                let es = st.entitlements(cat, &id, None, now);
                Ok(json!({
                    "customer": render::customer(st, cat, &c, now, false),
                    "subscriptionDecisionStrategy": strategy,
                    "subscription": sub_json,
                    "entitlements": render::entitlements_v1(cat, &es, &id, None),
                    "entitlementsV2": render::entitlements_v2(cat, &es),
                }))
            }
            "updateOneCustomer" => {
                *mutated = true;
                let id = s(&input, "customerId")
                    .or(s(&input, "refId"))
                    .ok_or_else(|| ApiError::bad_input("customerId is required"))?
                    .to_string();
                let c = st
                    .customers
                    .get_mut(&id)
                    .ok_or_else(|| ApiError::customer_not_found(&id))?;
                apply_customer_fields(c, &input, now);
                let c = c.clone();
                changes.push(Change::Entitlements(id));
                Ok(render::customer(st, cat, &c, now, false))
            }
            "getCustomerByRefId" => {
                let id = s(&input, "customerId")
                    .or(s(&input, "refId"))
                    .unwrap_or_default();
                match st.customers.get(id) {
                    Some(c) => Ok(render::customer(st, cat, c, now, true)),
                    None => Err(ApiError::customer_not_found(id)),
                }
            }
            "archiveCustomer" | "unarchiveCustomer" => {
                *mutated = true;
                let id = s(&input, "customerId")
                    .or(s(&input, "refId"))
                    .unwrap_or_default()
                    .to_string();
                let c = st
                    .customers
                    .get_mut(&id)
                    .ok_or_else(|| ApiError::customer_not_found(&id))?;
                c.archived = field == "archiveCustomer";
                c.updated_at = now;
                let c = c.clone();
                if c.archived {
                    for sub in st
                        .subscriptions
                        .iter_mut()
                        .filter(|x| x.customer_id == id && x.status.is_active())
                    {
                        sub.status = SubscriptionStatus::Canceled;
                        sub.end_date = Some(now);
                    }
                }
                changes.push(Change::Entitlements(id));
                Ok(render::customer(st, cat, &c, now, false))
            }
            // ------------------------------------------------------------ subscriptions
            "provisionSubscriptionV2" | "createSubscription" | "applySubscription" => {
                *mutated = true;
                let inp = if field == "createSubscription" {
                    args.get("subscription").cloned().unwrap_or(Value::Null)
                } else {
                    input
                };
                let sub = create_subscription(cat, st, &inp, now)?;
                changes.push(Change::Entitlements(sub.customer_id.clone()));
                let sj = render::subscription(st, cat, &sub, now);
                if field == "createSubscription" {
                    return Ok(sj);
                }
                let es = st.entitlements(cat, &sub.customer_id, sub.resource_id.as_deref(), now);
                Ok(json!({
                    "status": "SUCCESS", "checkoutUrl": Value::Null, "checkoutBillingId": Value::Null,
                    "subscription": sj,
                    "entitlements": render::entitlements_v1(cat, &es, &sub.customer_id, sub.resource_id.as_deref()),
                    "entitlementsV2": render::entitlements_v2(cat, &es),
                }))
            }
            "updateOneSubscription" => {
                *mutated = true;
                let id = s(&input, "subscriptionId")
                    .or(s(&input, "refId"))
                    .ok_or_else(|| ApiError::bad_input("subscriptionId is required"))?
                    .to_string();
                let sub = st.subscription_mut(&id)?;
                let scheduled = matches!(
                    s(&input, "scheduleStrategy"),
                    Some("END_OF_BILLING_PERIOD") | Some("END_OF_BILLING_MONTH")
                );
                let addons = addons_of(&input);
                let billables = billables_of(&input);
                let period = s(&input, "billingPeriod").map(str::to_string);
                if scheduled {
                    let (_, end) = sub.billing_period_range(now);
                    sub.scheduled.push(ScheduledUpdate {
                        at: end,
                        plan_id: None,
                        billing_period: period,
                        addons,
                        billable_features: billables,
                        created_at: now,
                    });
                } else {
                    if let Some(a) = addons {
                        sub.addons = a;
                    }
                    if let Some(b) = billables {
                        sub.billable_features = b;
                    }
                    if let Some(p) = period {
                        sub.billing_period = p;
                    }
                }
                if let Some(m) = input.get("additionalMetaData").filter(|v| !v.is_null()) {
                    sub.metadata = Some(m.clone());
                }
                if let Some(te) = t(&input, "trialEndDate") {
                    sub.trial_end_date = Some(te);
                    if sub.status == SubscriptionStatus::InTrial && te <= now {
                        sub.status = SubscriptionStatus::Active;
                    }
                }
                match input.get("cancellationDate") {
                    Some(Value::Null) => sub.cancellation_date = None,
                    Some(v) => sub.cancellation_date = parse_json_time(v),
                    None => {}
                }
                if let Some(c) = input.get("appliedCoupon").and_then(|c| s(c, "couponId")) {
                    sub.coupon = Some(c.to_string());
                }
                let sub = sub.clone();
                changes.push(Change::Entitlements(sub.customer_id.clone()));
                Ok(render::subscription(st, cat, &sub, now))
            }
            "cancelSubscription" => {
                *mutated = true;
                let id = req_str(&input, "subscriptionRefId")?.to_string();
                let sub = st.subscription_mut(&id)?;
                if !sub.status.is_active() && sub.status != SubscriptionStatus::NotStarted {
                    return Err(ApiError::new(
                        "SubscriptionAlreadyCanceledOrExpired",
                        format!("Subscription {id} is not active"),
                    ));
                }
                let when = match s(&input, "subscriptionCancellationTime") {
                    Some("END_OF_BILLING_PERIOD") => sub.billing_period_range(now).1,
                    Some("SPECIFIC_DATE") => t(&input, "endDate").unwrap_or(now),
                    _ => t(&input, "endDate").unwrap_or(now),
                };
                sub.cancellation_date = Some(when);
                let sub = sub.clone();
                for c in st.advance(cat, now) {
                    changes.push(Change::Entitlements(c));
                }
                changes.push(Change::Entitlements(sub.customer_id.clone()));
                let sub = st.subscription(&id)?.clone();
                Ok(render::subscription(st, cat, &sub, now))
            }
            "cancelSchedule" => {
                *mutated = true;
                let id = req_str(&input, "subscriptionId")?.to_string();
                let sub = st.subscription_mut(&id)?;
                sub.scheduled.clear();
                Ok(json!(id))
            }
            "migrateSubscriptionToLatest" => {
                *mutated = true;
                let id = req_str(&input, "subscriptionId")?.to_string();
                let sub = st.subscription_mut(&id)?;
                if let Some(p) = cat.plan(&sub.plan_id) {
                    sub.plan_version = p.version;
                }
                let sub = sub.clone();
                changes.push(Change::Entitlements(sub.customer_id.clone()));
                Ok(render::subscription(st, cat, &sub, now))
            }
            "transferSubscriptionToResource" | "transferSubscription" => {
                *mutated = true;
                let id = req_str(&input, "subscriptionId")?.to_string();
                let dest = s(&input, "destinationResourceId").map(str::to_string);
                let sub = st.subscription_mut(&id)?;
                sub.resource_id = dest;
                let sub = sub.clone();
                changes.push(Change::Entitlements(sub.customer_id.clone()));
                Ok(render::subscription(st, cat, &sub, now))
            }
            "getSubscription" => {
                let id = req_str(&input, "subscriptionId")?;
                let sub = st.subscription(id)?.clone();
                Ok(render::subscription(st, cat, &sub, now))
            }
            "getActiveSubscriptions" => {
                let cust = req_str(&input, "customerId")?;
                st.customer(cust)?;
                let mut resources: Vec<Option<String>> = Vec::new();
                if let Some(r) = s(&input, "resourceId") {
                    resources.push(Some(r.to_string()));
                }
                if let Some(rs) = input.get("resourceIds").and_then(Value::as_array) {
                    resources.extend(
                        rs.iter()
                            .filter_map(|x| x.as_str().map(|x| Some(x.to_string()))),
                    );
                }
                let list: Vec<Value> = st
                    .subscriptions
                    .iter()
                    .filter(|x| x.customer_id == cust && x.status.is_active())
                    .filter(|x| resources.is_empty() || resources.contains(&x.resource_id))
                    .map(|x| render::subscription(st, cat, x, now))
                    .collect();
                Ok(Value::Array(list))
            }
            "subscriptions" => Ok(list_subscriptions(st, cat, args, now)),
            "estimateSubscription"
            | "estimateSubscriptionUpdate"
            | "previewSubscription"
            | "previewNextInvoice" => estimate(cat, st, field, &input, now),
            // -------------------------------------------------------------- entitlements
            "entitlementsState" => {
                let cust = req_str(&query, "customerId")?;
                let res = s(&query, "resourceId");
                let es = st.entitlements(cat, cust, res, now);
                Ok(json!({
                    "accessDeniedReason": es.reason,
                    "entitlements": render::entitlements_v1(cat, &es, cust, res),
                    "entitlementsV2": render::entitlements_v2(cat, &es),
                }))
            }
            "cachedEntitlements" => {
                let cust = req_str(&query, "customerId")?;
                let res = s(&query, "resourceId");
                let es = st.entitlements(cat, cust, res, now);
                Ok(render::entitlements_v1(cat, &es, cust, res))
            }
            "entitlement" => {
                let cust = req_str(&query, "customerId")?;
                let feat = req_str(&query, "featureId")?;
                let res = s(&query, "resourceId");
                let opts = query.get("options").cloned().unwrap_or(Value::Null);
                let ru = f(&opts, "requestedUsage");
                let rv: Option<Vec<String>> = opts
                    .get("requestedValues")
                    .and_then(|v| serde_json::from_value(v.clone()).ok());
                let es = st.entitlements(cat, cust, res, now);
                Ok(single_legacy(cat, &es, cust, res, feat, ru, rv.as_deref()))
            }
            "entitlementV2" => {
                let cust = req_str(&query, "customerId")?;
                let res = s(&query, "resourceId");
                let opts = query.get("options").cloned().unwrap_or(Value::Null);
                let ru = f(&opts, "requestedUsage");
                let rv: Option<Vec<String>> = opts
                    .get("requestedValues")
                    .and_then(|v| serde_json::from_value(v.clone()).ok());
                let es = st.entitlements(cat, cust, res, now);
                if let Some(cur) = s(&query, "currencyId") {
                    let w = es
                        .credits
                        .iter()
                        .find(|w| w.currency_id == cur)
                        .cloned()
                        .unwrap_or(crate::state::CreditEnt {
                            currency_id: cur.to_string(),
                            granted: 0.0,
                            consumed: 0.0,
                            period_end: None,
                            updated_at: now,
                        });
                    let mut v = render::credit_entitlement(cat, &w, ru);
                    if let Some(r) = es.reason {
                        v["isGranted"] = json!(false);
                        v["accessDeniedReason"] = json!(r);
                    }
                    return Ok(v);
                }
                let feat = req_str(&query, "featureId")?;
                match es.features.iter().find(|e| e.feature_id == feat) {
                    Some(e) if es.reason.is_none() => {
                        Ok(render::feature_entitlement(cat, e, ru, rv.as_deref()))
                    }
                    _ => {
                        let reason = es.reason.unwrap_or(if cat.feature(feat).is_some() {
                            "NoFeatureEntitlementInSubscription"
                        } else {
                            "FeatureNotFound"
                        });
                        Ok(
                            json!({"__typename": "FeatureEntitlement", "isGranted": false, "accessDeniedReason": reason,
                                  "hasUnlimitedUsage": false, "hasSoftLimit": false, "currentUsage": 0.0,
                                  "feature": cat.feature(feat).map(|_| render::entitlement_feature(cat, feat))}),
                        )
                    }
                }
            }
            // -------------------------------------------------------------------- usage
            "reportUsage" => {
                *mutated = true;
                let ack = report_one(cat, st, &input, now)?;
                let v = ack_json(&ack);
                changes.push(Change::Usage(ack));
                Ok(v)
            }
            "reportUsageBulk" => {
                *mutated = true;
                let usages = input
                    .get("usages")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                if usages.len() > 100 {
                    return Err(ApiError::bad_input(
                        "reportUsageBulk accepts at most 100 usages",
                    ));
                }
                let mut out = Vec::new();
                for u in usages {
                    let ack = report_one(cat, st, &u, now)?;
                    out.push(ack_json(&ack));
                    changes.push(Change::Usage(ack));
                }
                Ok(Value::Array(out))
            }
            "reportEvent" => {
                *mutated = true;
                let events = args
                    .get("events")
                    .and_then(|e| e.get("usageEvents"))
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                if events.len() > 1000 {
                    return Err(ApiError::bad_input(
                        "reportEvent accepts at most 1000 events",
                    ));
                }
                for e in events {
                    for ack in apply_event(cat, st, &e, now)? {
                        changes.push(Change::Usage(ack));
                    }
                }
                Ok(Value::Null)
            }
            "usageHistoryV2" => {
                let cust = req_str(&input, "customerId")?;
                let feat = req_str(&input, "featureId")?;
                let start = t(&input, "startDate").unwrap_or(0);
                let end = t(&input, "endDate").unwrap_or(now);
                let rec = st.usage.get(&crate::state::usage_key(
                    cust,
                    s(&input, "resourceId"),
                    feat,
                ));
                let points: Vec<Value> = rec
                    .map(|r| r.history.iter().filter(|(ts, _)| *ts >= start && *ts <= end).map(|(ts, v)| json!({"timestamp": iso(*ts), "value": v, "isResetPoint": false})).collect())
                    .unwrap_or_default();
                Ok(json!({"markers": [], "series": [{"tags": [], "points": points}]}))
            }
            // ------------------------------------------------------------------ credits
            "createCreditGrant" => {
                *mutated = true;
                let cust = req_str(&input, "customerId")?.to_string();
                st.customer(&cust)?;
                let cur = req_str(&input, "currencyId")?.to_string();
                if cat.currency(&cur).is_none() {
                    return Err(ApiError::new(
                        "CustomCurrencyNotFound",
                        format!("Currency not found: {cur}"),
                    ));
                }
                let id = st.new_id();
                let g = CreditGrant {
                    id,
                    customer_id: cust.clone(),
                    resource_id: s(&input, "resourceId").map(str::to_string),
                    currency_id: cur.clone(),
                    amount: f(&input, "amount").unwrap_or(0.0),
                    consumed: 0.0,
                    display_name: s(&input, "displayName")
                        .unwrap_or("Credit grant")
                        .to_string(),
                    grant_type: s(&input, "grantType").unwrap_or("PROMOTIONAL").to_string(),
                    priority: f(&input, "priority").map(|p| p as i64).unwrap_or(0),
                    effective_at: t(&input, "effectiveAt").unwrap_or(now),
                    expire_at: t(&input, "expireAt"),
                    voided_at: None,
                    comment: s(&input, "comment").map(str::to_string),
                    metadata: input
                        .get("additionalMetaData")
                        .cloned()
                        .filter(|v| !v.is_null()),
                    created_at: now,
                    updated_at: now,
                };
                let v = render::credit_grant(&g, now);
                changes.push(Change::Credit(cust.clone(), g.resource_id.clone(), cur));
                changes.push(Change::Entitlements(cust));
                st.credit_grants.push(g);
                Ok(v)
            }
            "voidCreditGrant" => {
                *mutated = true;
                let id = req_str(&input, "id")?;
                let g = st
                    .credit_grants
                    .iter_mut()
                    .find(|g| g.id == id)
                    .ok_or_else(|| {
                        ApiError::new(
                            "CreditGrantNotFound",
                            format!("Credit grant not found: {id}"),
                        )
                    })?;
                g.voided_at = Some(now);
                g.updated_at = now;
                let g = g.clone();
                changes.push(Change::Credit(
                    g.customer_id.clone(),
                    g.resource_id.clone(),
                    g.currency_id.clone(),
                ));
                changes.push(Change::Entitlements(g.customer_id.clone()));
                Ok(render::credit_grant(&g, now))
            }
            "consumeCredits" => {
                *mutated = true;
                let v = consume_one(cat, st, &input, now, changes)?;
                Ok(v)
            }
            "consumeCreditsAsync" => {
                *mutated = true;
                let list = input
                    .get("consumptions")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                for c in list {
                    consume_one(cat, st, &c, now, changes)?;
                }
                Ok(Value::Null)
            }
            "creditGrants" => {
                let cust = req_str(&input, "customerId")?;
                let cur = s(&input, "currencyId");
                let res = s(&input, "resourceId");
                let list: Vec<Value> = st
                    .credit_grants
                    .iter()
                    .filter(|g| {
                        g.customer_id == cust
                            && cur.is_none_or(|c| c == g.currency_id)
                            && res.is_none_or(|r| g.resource_id.as_deref() == Some(r))
                    })
                    .map(|g| json!({"node": render::credit_grant(g, now), "cursor": g.id}))
                    .collect();
                let n = list.len();
                Ok(
                    json!({"edges": list, "totalCount": n, "pageInfo": {"hasNextPage": false, "hasPreviousPage": false, "startCursor": Value::Null, "endCursor": Value::Null}}),
                )
            }
            "creditBalanceSummary" => {
                let cust = req_str(&input, "customerId")?;
                let res = s(&input, "resourceId");
                let cur = s(&input, "currencyId");
                let balances: Vec<Value> = st
                    .credit_wallets(cat, cust, res, now)
                    .iter()
                    .filter(|w| cur.is_none_or(|c| c == w.currency_id))
                    .map(|w| {
                        let c = cat.currency(&w.currency_id);
                        json!({"customerId": cust, "resourceId": res, "currentBalance": w.granted - w.consumed,
                               "totalConsumed": w.consumed, "totalGranted": w.granted, "validUntil": w.period_end.map(|x| x as f64),
                               "currency": {"currencyId": w.currency_id, "displayName": c.map(|c| c.display_name.clone()).unwrap_or_default(),
                                            "symbol": c.and_then(|c| c.symbol.clone()), "description": c.and_then(|c| c.description.clone()),
                                            "units": {"singular": c.and_then(|c| c.unit_singular.clone()).unwrap_or_default(), "plural": c.and_then(|c| c.unit_plural.clone()).unwrap_or_default()}}})
                    })
                    .collect();
                Ok(json!({"customerId": cust, "balances": balances}))
            }
            "estimateUsageCost" | "estimateEventCost" => {
                let cust = req_str(&input, "customerId")?;
                let res = s(&input, "resourceId");
                let mut costs: Vec<(String, String, f64)> = Vec::new(); // currency, feature, cost
                if field == "estimateUsageCost" {
                    let feat = req_str(&input, "featureId")?;
                    if let Some(r) = cat.credit_rate(feat) {
                        costs.push((
                            r.currency.clone(),
                            feat.to_string(),
                            f(&input, "value").unwrap_or(0.0) * r.amount,
                        ));
                    }
                } else {
                    for (feat, amount) in meter_matches(cat, &input) {
                        if let Some(r) = cat.credit_rate(&feat) {
                            costs.push((r.currency.clone(), feat, amount * r.amount));
                        }
                    }
                }
                let wallets = st.credit_wallets(cat, cust, res, now);
                let mut estimates: Vec<Value> = Vec::new();
                for (cur, feat, cost) in costs {
                    let bal = wallets
                        .iter()
                        .find(|w| w.currency_id == cur)
                        .map(|w| w.granted - w.consumed)
                        .unwrap_or(0.0);
                    estimates.push(json!({"currencyId": cur, "estimatedCost": cost, "currentBalance": bal, "balanceAfterEstimate": bal - cost,
                                          "wouldOverdraft": bal - cost < 0.0, "breakdown": [{"featureId": feat, "cost": cost, "warningCode": Value::Null}]}));
                }
                Ok(json!({"estimates": estimates, "warnings": []}))
            }
            // ------------------------------------------------------------- promotions
            "grantPromotionalEntitlements" => {
                *mutated = true;
                let cust = req_str(&input, "customerId")?.to_string();
                st.customer(&cust)?;
                let mut out = Vec::new();
                for p in input
                    .get("promotionalEntitlements")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
                {
                    let feat = req_str(&p, "featureId")?.to_string();
                    if cat.feature(&feat).is_none() {
                        return Err(ApiError::new(
                            "FeatureNotFound",
                            format!("Feature not found: {feat}"),
                        ));
                    }
                    let period = s(&p, "period").unwrap_or("LIFETIME").to_string();
                    let day = 86_400_000i64;
                    let end = match period.as_str() {
                        "ONE_WEEK" => Some(now + 7 * day),
                        "ONE_MONTH" => Some(now + 30 * day),
                        "SIX_MONTH" => Some(now + 182 * day),
                        "ONE_YEAR" => Some(now + 365 * day),
                        "CUSTOM" => t(&p, "customEndDate"),
                        _ => None,
                    };
                    let spec = EntitlementSpec {
                        feature: feat.clone(),
                        usage_limit: f(&p, "usageLimit"),
                        unlimited: b(&p, "hasUnlimitedUsage").unwrap_or(false),
                        soft_limit: b(&p, "hasSoftLimit").unwrap_or(false),
                        reset_period: s(&p, "resetPeriod")
                            .and_then(|r| serde_json::from_value::<ResetPeriod>(json!(r)).ok()),
                        monthly_according_to: p
                            .get("monthlyResetPeriodConfiguration")
                            .and_then(|m| s(m, "accordingTo"))
                            .and_then(|m| {
                                serde_json::from_value::<MonthlyAccordingTo>(json!(m)).ok()
                            }),
                        enum_values: p
                            .get("enumValues")
                            .and_then(|v| serde_json::from_value(v.clone()).ok()),
                    };
                    st.promotions
                        .retain(|x| !(x.customer_id == cust && x.spec.feature == feat));
                    let id = st.new_id();
                    let promo = Promotion {
                        id,
                        customer_id: cust.clone(),
                        spec,
                        period,
                        start_date: now,
                        end_date: end,
                        revoked: false,
                        created_at: now,
                    };
                    out.push(render::promotion(cat, &promo, now));
                    st.promotions.push(promo);
                }
                changes.push(Change::Entitlements(cust));
                Ok(Value::Array(out))
            }
            "revokePromotionalEntitlement" => {
                *mutated = true;
                let cust = req_str(&input, "customerId")?.to_string();
                let feat = req_str(&input, "featureId")?;
                let p = st
                    .promotions
                    .iter_mut()
                    .find(|p| p.customer_id == cust && p.spec.feature == feat && !p.revoked)
                    .ok_or_else(|| {
                        ApiError::new(
                            "PromotionalEntitlementNotFoundError",
                            format!("No promotional entitlement for {feat}"),
                        )
                    })?;
                p.revoked = true;
                let v = render::promotion(cat, p, now);
                changes.push(Change::Entitlements(cust));
                Ok(v)
            }
            // ---------------------------------------------------------------- catalog
            "products" => {
                let first = args
                    .get("paging")
                    .and_then(|p| p.get("first"))
                    .and_then(Value::as_u64)
                    .unwrap_or(1000) as usize;
                let edges: Vec<Value> = cat
                    .products
                    .iter()
                    .take(first)
                    .map(|p| json!({"node": render::product(cat, p), "cursor": p.id}))
                    .collect();
                Ok(
                    json!({"edges": edges, "pageInfo": {"hasNextPage": cat.products.len() > first, "hasPreviousPage": false}, "totalCount": cat.products.len()}),
                )
            }
            "coupons" => {
                let first = args
                    .get("paging")
                    .and_then(|p| p.get("first"))
                    .and_then(Value::as_u64)
                    .unwrap_or(1000) as usize;
                let status = args
                    .get("filter")
                    .and_then(|f| f.get("status"))
                    .and_then(|x| s(x, "eq"));
                let edges: Vec<Value> = cat
                    .coupons
                    .iter()
                    .filter(|c| status.is_none_or(|st| st == c.status))
                    .take(first)
                    .map(|c| json!({"node": render::coupon(c, now), "cursor": c.id}))
                    .collect();
                Ok(
                    json!({"edges": edges, "pageInfo": {"hasNextPage": false, "hasPreviousPage": false}, "totalCount": edges.len()}),
                )
            }
            "paywall" | "mockPaywall" => {
                let product = s(&input, "productId");
                let hidden = b(&input, "includeHiddenPlans").unwrap_or(false);
                let plans: Vec<Value> = cat
                    .plans
                    .iter()
                    .filter(|p| product.is_none_or(|x| x == p.product) && (hidden || !p.hidden))
                    .map(|p| render::plan(cat, p))
                    .collect();
                let customer = s(&input, "customerId")
                    .and_then(|c| st.customers.get(c))
                    .map(|c| render::customer(st, cat, c, now, false));
                let active: Vec<Value> = s(&input, "customerId")
                    .map(|c| {
                        st.subscriptions
                            .iter()
                            .filter(|x| x.customer_id == c && x.status.is_active())
                            .map(|x| render::subscription(st, cat, x, now))
                            .collect()
                    })
                    .unwrap_or_default();
                Ok(
                    json!({"plans": plans, "currency": {"code": "USD", "symbol": "$"}, "customer": customer,
                          "activeSubscriptions": active, "configuration": Value::Null, "resource": Value::Null,
                          "paywallCalculatedPricePoints": []}),
                )
            }
            other => Err(ApiError::new(
                "Unsupported",
                format!("The emulator does not implement {other}"),
            )),
        }
    }
}

fn apply_customer_fields(c: &mut Customer, input: &Value, now: Millis) {
    if let Some(n) = s(input, "name") {
        c.name = Some(n.to_string());
    }
    if let Some(e) = s(input, "email") {
        c.email = Some(e.to_string());
    }
    if let Some(m) = input.get("additionalMetaData").filter(|v| !v.is_null()) {
        c.metadata = Some(m.clone());
    }
    if let Some(bid) = s(input, "billingId") {
        c.billing_id = Some(bid.to_string());
    }
    if let Some(a) = s(input, "awsMarketplaceCustomerId") {
        c.aws_marketplace_customer_id = Some(a.to_string());
    }
    if let Some(cp) = s(input, "couponRefId") {
        c.coupon = Some(cp.to_string());
    }
    c.updated_at = now;
}

/// Create a subscription from a `ProvisionSubscriptionInput`/`SubscriptionInput`-shaped object.
fn create_subscription(
    cat: &Catalog,
    st: &mut State,
    input: &Value,
    now: Millis,
) -> ApiResult<Subscription> {
    let cust = req_str(input, "customerId")?.to_string();
    let c = st.customer(&cust)?;
    if c.archived {
        return Err(ApiError::new(
            "CustomerIsArchived",
            format!("Customer {cust} is archived"),
        ));
    }
    let plan_id = req_str(input, "planId")?.to_string();
    let plan = cat
        .plan(&plan_id)
        .ok_or_else(|| ApiError::new("PlanNotFound", format!("Plan not found: {plan_id}")))?;
    let addons = addons_of(input).unwrap_or_default();
    for (a, q) in &addons {
        let addon = cat
            .addon(a)
            .ok_or_else(|| ApiError::new("AddonNotFound", format!("Addon not found: {a}")))?;
        if addon.max_quantity.is_some_and(|m| *q > m) {
            return Err(ApiError::new(
                "AddonQuantityExceedsLimitError",
                format!(
                    "Quantity of {a} exceeds {}",
                    addon.max_quantity.unwrap_or(0)
                ),
            ));
        }
    }
    let resource = s(input, "resourceId").map(str::to_string);
    let start = t(input, "startDate").unwrap_or(now);
    let trial_cfg = input.get("trialOverrideConfiguration");
    let skip_trial = b(input, "skipTrial").unwrap_or(false)
        || trial_cfg.and_then(|x| b(x, "isTrial")) == Some(false)
        || (b(input, "isOverridingTrialConfig") == Some(true)
            && b(input, "isTrial") == Some(false));
    let trialed = c.trialed_plans.iter().any(|p| {
        cat.plan(p)
            .map(|x| x.product == plan.product)
            .unwrap_or(false)
    });
    let trial_end = if skip_trial || trialed {
        None
    } else if let Some(te) = trial_cfg.and_then(|x| t(x, "trialEndDate")) {
        Some(te)
    } else {
        plan.default_trial.as_ref().map(|tr| {
            let day = 86_400_000i64;
            match tr.units.as_str() {
                "MONTH" => start + tr.duration * 30 * day,
                _ => start + tr.duration * day,
            }
        })
    };
    let status = if start > now {
        SubscriptionStatus::NotStarted
    } else if trial_end.is_some() {
        SubscriptionStatus::InTrial
    } else {
        SubscriptionStatus::Active
    };
    if trial_end.is_some() {
        if let Some(c) = st.customers.get_mut(&cust) {
            c.trialed_plans.push(plan_id.clone());
        }
    }
    let multiple = cat
        .product(&plan.product)
        .is_some_and(|p| p.multiple_subscriptions);
    if !multiple {
        // one active subscription per product (per resource): the new one replaces the old
        for old in st.subscriptions.iter_mut().filter(|x| {
            x.customer_id == cust
                && x.resource_id == resource
                && (x.status.is_active() || x.status == SubscriptionStatus::NotStarted)
                && cat.plan(&x.plan_id).map(|p| p.product.as_str()) == Some(plan.product.as_str())
        }) {
            old.status = SubscriptionStatus::Canceled;
            old.end_date = Some(now);
        }
    }
    let id = st.new_id();
    let ref_id = s(input, "subscriptionId")
        .or(s(input, "refId"))
        .map(str::to_string)
        .unwrap_or_else(|| format!("subscription-{plan_id}-{}", st.next_id));
    if st.subscriptions.iter().any(|x| x.ref_id == ref_id) {
        return Err(ApiError::new(
            "DuplicatedEntityNotAllowed",
            format!("Subscription {ref_id} already exists"),
        ));
    }
    let sub = Subscription {
        id,
        ref_id,
        customer_id: cust,
        paying_customer_id: s(input, "payingCustomerId").map(str::to_string),
        resource_id: resource,
        plan_id,
        plan_version: plan.version,
        billing_period: s(input, "billingPeriod").unwrap_or("MONTHLY").to_string(),
        status,
        addons,
        billable_features: billables_of(input).unwrap_or_default(),
        start_date: start,
        trial_end_date: trial_end,
        cancellation_date: t(input, "cancellationDate"),
        end_date: None,
        metadata: input
            .get("additionalMetaData")
            .cloned()
            .filter(|v| !v.is_null()),
        coupon: input
            .get("appliedCoupon")
            .and_then(|c| s(c, "couponId"))
            .map(str::to_string),
        scheduled: Vec::new(),
        created_at: now,
    };
    for credit in &plan.credits {
        let gid = st.new_id();
        st.credit_grants.push(CreditGrant {
            id: gid,
            customer_id: sub.customer_id.clone(),
            resource_id: sub.resource_id.clone(),
            currency_id: credit.currency.clone(),
            amount: credit.amount,
            consumed: 0.0,
            display_name: format!("{} credits", plan.display_name),
            grant_type: "RECURRING".to_string(), // `CreditGrantType` has no SUBSCRIPTION value
            priority: 0,
            effective_at: start,
            expire_at: None,
            voided_at: None,
            comment: None,
            metadata: None,
            created_at: now,
            updated_at: now,
        });
    }
    st.subscriptions.push(sub.clone());
    Ok(sub)
}

fn report_one(cat: &Catalog, st: &mut State, u: &Value, now: Millis) -> ApiResult<UsageAck> {
    let cust = req_str(u, "customerId")?;
    let feat = req_str(u, "featureId")?;
    let res = s(u, "resourceId");
    let value = f(u, "value").unwrap_or(0.0);
    let set = s(u, "updateBehavior") == Some("SET");
    let at = t(u, "createdAt").unwrap_or(now);
    if let Some(key) = s(u, "idempotencyKey") {
        let k = format!("usage|{cust}|{key}");
        if let Some(prev) = st.idempotency.get(&k) {
            return ack_from_json(prev);
        }
        let ack = st.report_usage(cat, cust, res, feat, value, set, at, now)?;
        st.idempotency.insert(k, ack_store(&ack));
        return Ok(ack);
    }
    st.report_usage(cat, cust, res, feat, value, set, at, now)
}

fn ack_store(a: &UsageAck) -> Value {
    json!({"id": a.id, "customerId": a.customer_id, "resourceId": a.resource_id, "featureId": a.feature_id,
           "currentUsage": a.current_usage, "period": a.period, "timestamp": a.timestamp, "credit": a.credit})
}

fn ack_from_json(v: &Value) -> ApiResult<UsageAck> {
    Ok(UsageAck {
        id: s(v, "id").unwrap_or_default().to_string(),
        customer_id: s(v, "customerId").unwrap_or_default().to_string(),
        resource_id: s(v, "resourceId").map(str::to_string),
        feature_id: s(v, "featureId").unwrap_or_default().to_string(),
        current_usage: f(v, "currentUsage").unwrap_or(0.0),
        period: v
            .get("period")
            .and_then(|p| serde_json::from_value(p.clone()).ok()),
        timestamp: v.get("timestamp").and_then(Value::as_i64).unwrap_or(0),
        credit: v
            .get("credit")
            .and_then(|p| serde_json::from_value(p.clone()).ok()),
    })
}

fn ack_json(a: &UsageAck) -> Value {
    json!({
        "id": a.id, "customerId": a.customer_id, "resourceId": a.resource_id, "featureId": a.feature_id,
        "currentUsage": a.current_usage, "timestamp": iso(a.timestamp),
        "usagePeriodStart": a.period.map(|p| iso(p.0)), "usagePeriodEnd": a.period.map(|p| iso(p.1)),
        "nextResetDate": a.period.map(|p| iso(p.1)),
        "credit": a.credit.as_ref().map(|(cur, consumed, bal)| json!({"currencyId": cur, "consumed": consumed, "currentUsage": bal, "timestamp": iso(a.timestamp), "usagePeriodEnd": Value::Null})),
    })
}

/// Meters matching an event: `(featureId, amount)`.
fn meter_matches(cat: &Catalog, e: &Value) -> Vec<(String, f64)> {
    let name = s(e, "eventName").unwrap_or_default();
    let dims = e.get("dimensions").cloned().unwrap_or(Value::Null);
    let as_text = |v: &Value| match v {
        Value::String(x) => x.clone(),
        other => other.to_string(),
    };
    cat.meters
        .iter()
        .filter(|m| m.event_name == name)
        .filter(|m| {
            m.filter
                .iter()
                .all(|(k, want)| dims.get(k).map(as_text) == Some(as_text(want)))
        })
        .filter_map(|m| {
            let amount = match m.aggregation {
                crate::catalog::Aggregation::Count => 1.0,
                crate::catalog::Aggregation::Sum => {
                    let d = dims.get(m.dimension.as_deref().unwrap_or_default())?;
                    d.as_f64()
                        .or_else(|| d.as_str().and_then(|x| x.parse().ok()))?
                }
            };
            Some((m.feature.clone(), amount))
        })
        .collect()
}

fn apply_event(cat: &Catalog, st: &mut State, e: &Value, now: Millis) -> ApiResult<Vec<UsageAck>> {
    let cust = req_str(e, "customerId")?.to_string();
    let key = format!("event|{cust}|{}", req_str(e, "idempotencyKey")?);
    if st.idempotency.contains_key(&key) {
        return Ok(Vec::new());
    }
    st.idempotency.insert(key, Value::Bool(true));
    if !st.customers.contains_key(&cust) {
        // Stigg accepts events for unknown customers asynchronously; nothing to meter here.
        return Ok(Vec::new());
    }
    let at = t(e, "timestamp").unwrap_or(now);
    let mut out = Vec::new();
    for (feat, amount) in meter_matches(cat, e) {
        if let Ok(ack) = st.report_usage(
            cat,
            &cust,
            s(e, "resourceId"),
            &feat,
            amount,
            false,
            at,
            now,
        ) {
            out.push(ack);
        }
    }
    Ok(out)
}

fn consume_one(
    cat: &Catalog,
    st: &mut State,
    c: &Value,
    now: Millis,
    changes: &mut Vec<Change>,
) -> ApiResult<Value> {
    let cust = req_str(c, "customerId")?.to_string();
    st.customer(&cust)?;
    let cur = req_str(c, "currencyId")?.to_string();
    let key = format!("consume|{cust}|{}", req_str(c, "idempotencyKey")?);
    if let Some(prev) = st.idempotency.get(&key) {
        return Ok(prev.clone());
    }
    let res = s(c, "resourceId").map(str::to_string);
    let amount = f(c, "amount").unwrap_or(0.0);
    let balance = st.consume(cat, &cust, res.as_deref(), &cur, amount, now);
    let w = st.credit_wallets(cat, &cust, res.as_deref(), now);
    let w = w.iter().find(|w| w.currency_id == cur);
    let v = json!({
        "customerId": cust, "currencyId": cur, "resourceId": res, "amount": amount,
        "timestamp": iso(t(c, "createdAt").unwrap_or(now)),
        "credit": {"currencyId": cur, "currentUsage": w.map(|w| w.consumed).unwrap_or(0.0),
                   "usageLimit": w.map(|w| w.granted).unwrap_or(0.0), "usagePeriodEnd": w.and_then(|w| w.period_end).map(iso),
                   "timestamp": iso(now), "balance": balance},
    });
    st.idempotency.insert(key, v.clone());
    changes.push(Change::Credit(cust.clone(), res, cur));
    changes.push(Change::Entitlements(cust));
    Ok(v)
}

fn single_legacy(
    cat: &Catalog,
    es: &crate::state::EntState,
    cust: &str,
    res: Option<&str>,
    feat: &str,
    ru: Option<f64>,
    rv: Option<&[String]>,
) -> Value {
    match es.features.iter().find(|e| e.feature_id == feat) {
        Some(e) if es.reason.is_none() => render::legacy_entitlement(cat, e, cust, res, ru, rv),
        _ => {
            let reason = es.reason.unwrap_or(if cat.feature(feat).is_some() {
                "NoFeatureEntitlementInSubscription"
            } else {
                "FeatureNotFound"
            });
            json!({"__typename": "Entitlement", "isGranted": false, "accessDeniedReason": reason, "customerId": cust,
                   "resourceId": res, "hasUnlimitedUsage": false, "hasSoftLimit": false, "currentUsage": 0.0,
                   "requestedUsage": ru, "requestedValues": rv,
                   "feature": cat.feature(feat).map(|_| render::entitlement_feature(cat, feat))})
        }
    }
}

fn matches_cmp(cmp: Option<&Value>, value: Option<&str>) -> bool {
    let Some(cmp) = cmp.filter(|c| !c.is_null()) else {
        return true;
    };
    if let Some(eq) = s(cmp, "eq") {
        return value == Some(eq);
    }
    if let Some(list) = cmp.get("in").and_then(Value::as_array) {
        return list.iter().any(|x| x.as_str() == value);
    }
    if let Some(neq) = s(cmp, "neq") {
        return value != Some(neq);
    }
    true
}

fn list_subscriptions(st: &State, cat: &Catalog, args: &Value, now: Millis) -> Value {
    let filter = args.get("filter").cloned().unwrap_or(Value::Null);
    let all: Vec<&Subscription> = st
        .subscriptions
        .iter()
        .filter(|x| {
            let product = cat.plan(&x.plan_id).map(|p| p.product.as_str());
            let cust_ok = matches_cmp(filter.get("customerId"), Some(&x.customer_id))
                && matches_cmp(
                    filter.get("customer").and_then(|c| c.get("refId")),
                    Some(&x.customer_id),
                );
            cust_ok
                && matches_cmp(filter.get("status"), Some(x.status.wire()))
                && matches_cmp(filter.get("resourceId"), x.resource_id.as_deref())
                && matches_cmp(
                    filter.get("resource").and_then(|c| c.get("resourceId")),
                    x.resource_id.as_deref(),
                )
                && matches_cmp(filter.get("productId"), product)
                && matches_cmp(filter.get("subscriptionId"), Some(&x.ref_id))
        })
        .collect();
    let paging = args.get("paging").cloned().unwrap_or(Value::Null);
    let pos = |cursor: &str| all.iter().position(|x| x.id == cursor);
    let mut start = 0usize;
    let mut end = all.len();
    if let Some(a) = s(&paging, "after").and_then(pos) {
        start = a + 1;
    }
    if let Some(bf) = s(&paging, "before").and_then(pos) {
        end = bf;
    }
    let start = start.min(end);
    if let Some(n) = paging.get("first").and_then(Value::as_u64) {
        end = end.min(start + n as usize);
    }
    let start = match paging.get("last").and_then(Value::as_u64) {
        Some(n) => start.max(end.saturating_sub(n as usize)),
        None => start,
    };
    let page = &all[start..end];
    let edges: Vec<Value> = page
        .iter()
        .map(|x| json!({"cursor": x.id, "node": render::subscription(st, cat, x, now)}))
        .collect();
    json!({
        "edges": edges,
        "totalCount": all.len(),
        "pageInfo": {"hasNextPage": end < all.len(), "hasPreviousPage": start > 0,
                     "startCursor": page.first().map(|x| x.id.clone()), "endCursor": page.last().map(|x| x.id.clone())},
    })
}

fn estimate(
    cat: &Catalog,
    st: &State,
    field: &str,
    input: &Value,
    now: Millis,
) -> ApiResult<Value> {
    let (plan_id, period, addons, billables, coupon) =
        if field == "estimateSubscriptionUpdate" || field == "previewNextInvoice" {
            let sub = st.subscription(req_str(input, "subscriptionId")?)?;
            (
                sub.plan_id.clone(),
                sub.billing_period.clone(),
                addons_of(input).unwrap_or_else(|| sub.addons.clone()),
                billables_of(input).unwrap_or_else(|| sub.billable_features.clone()),
                input
                    .get("appliedCoupon")
                    .and_then(|c| s(c, "couponId"))
                    .map(str::to_string)
                    .or(sub.coupon.clone()),
            )
        } else {
            let plan = req_str(input, "planId")?.to_string();
            if cat.plan(&plan).is_none() {
                return Err(ApiError::new(
                    "PlanNotFound",
                    format!("Plan not found: {plan}"),
                ));
            }
            (
                plan,
                s(input, "billingPeriod").unwrap_or("MONTHLY").to_string(),
                addons_of(input).unwrap_or_default(),
                billables_of(input).unwrap_or_default(),
                input
                    .get("appliedCoupon")
                    .and_then(|c| s(c, "couponId"))
                    .map(str::to_string),
            )
        };
    let (gross, _addons, total, cur) = render::subscription_total(
        cat,
        &plan_id,
        &period,
        &addons,
        &billables,
        coupon.as_deref(),
    );
    let (ps, pe) =
        crate::period::billing_period(now, period == "ANNUALLY", now).unwrap_or((now, now));
    let m = |a: f64| render::money(a, &cur);
    let invoice = json!({"total": m(total), "subTotal": m(gross), "totalExcludingTax": m(total), "tax": m(0.0),
                         "discount": m(gross - total), "amountDue": m(total), "subTotalExcludingTax": m(gross), "lines": []});
    let range = json!({"start": iso(ps), "end": iso(pe)});
    Ok(match field {
        "previewSubscription" => {
            json!({"immediateInvoice": invoice, "recurringInvoice": invoice, "billingPeriodRange": range,
                                         "isPlanDowngrade": false, "hasScheduledUpdates": false})
        }
        "previewNextInvoice" => invoice,
        _ => {
            json!({"subTotal": m(gross), "total": m(total), "totalExcludingTax": m(total), "tax": m(0.0),
                    "discountAmount": m(gross - total), "billingPeriodRange": range, "isPlanDowngrade": false,
                    "hasScheduledUpdates": false, "proration": Value::Null, "credits": Value::Null})
        }
    })
}
