//! Rendering of domain objects into the JSON shapes of Stigg's GraphQL types.
//!
//! Keys are GraphQL field names; `__typename` is set where the field type is abstract. Fields
//! not rendered resolve to null (or to a zero value when the schema says non-null).

use serde_json::{json, Map, Value};

use crate::catalog::{
    Addon, Catalog, EntitlementSpec, Feature, FeatureType, Plan, PriceSpec, Product,
};
use crate::clock::{iso, Millis};
use crate::state::{
    CreditEnt, CreditGrant, Customer, EntState, FeatureEnt, Promotion, State, Subscription,
};

fn opt_iso(t: Option<Millis>) -> Value {
    t.map(|t| Value::String(iso(t))).unwrap_or(Value::Null)
}

/// `EntitlementFeature` of a feature id.
pub fn entitlement_feature(catalog: &Catalog, id: &str) -> Value {
    match catalog.feature(id) {
        Some(f) => json!({
            "__typename": "EntitlementFeature",
            "refId": f.id,
            "displayName": f.display_name,
            "description": f.description.clone().unwrap_or_default(),
            "featureType": f.feature_type.wire(),
            "meterType": f.meter_type.wire(),
            "featureUnits": f.units,
            "featureUnitsPlural": f.units_plural,
            "additionalMetaData": f.metadata,
            "unitTransformation": Value::Null,
        }),
        None => {
            json!({"__typename": "EntitlementFeature", "refId": id, "displayName": id, "featureType": "BOOLEAN"})
        }
    }
}

/// Catalog `Feature` object.
pub fn feature(f: &Feature) -> Value {
    json!({
        "__typename": "Feature",
        "id": f.id, "refId": f.id, "displayName": f.display_name, "description": f.description,
        "featureType": f.feature_type.wire(), "meterType": f.meter_type.wire(),
        "featureUnits": f.units, "featureUnitsPlural": f.units_plural,
        "additionalMetaData": f.metadata, "featureStatus": "ACTIVE", "enumConfiguration": Value::Null,
    })
}

/// The server-side decision for a feature entitlement.
pub fn decide(
    catalog: &Catalog,
    e: &FeatureEnt,
    requested_usage: Option<f64>,
    requested_values: Option<&[String]>,
) -> Option<&'static str> {
    if let Some(d) = e.denied {
        return Some(d);
    }
    let Some(f) = catalog.feature(&e.feature_id) else {
        return Some("FeatureNotFound");
    };
    match f.feature_type {
        FeatureType::Boolean => None,
        FeatureType::Enum => {
            let granted = e.enum_values.clone().unwrap_or_default();
            match requested_values {
                Some(req) if !req.iter().all(|r| granted.contains(r)) => {
                    Some("RequestedValuesMismatch")
                }
                _ => None,
            }
        }
        FeatureType::Number if !f.is_metered() => None,
        FeatureType::Number => {
            if e.unlimited || e.soft_limit {
                return None;
            }
            let req = requested_usage.unwrap_or(0.0);
            if e.current_usage + req <= e.usage_limit.unwrap_or(0.0) {
                None
            } else {
                Some("RequestedUsageExceedingLimit")
            }
        }
    }
}

fn reset_config(e: &FeatureEnt) -> Value {
    match (e.reset_period, e.monthly_according_to) {
        (Some(crate::catalog::ResetPeriod::Month), m) => json!({
            "__typename": "MonthlyResetPeriodConfig",
            "monthlyAccordingTo": match m { Some(crate::catalog::MonthlyAccordingTo::StartOfTheMonth) => "StartOfTheMonth", _ => "SubscriptionStart" },
        }),
        (Some(crate::catalog::ResetPeriod::Week), _) => {
            json!({"__typename": "WeeklyResetPeriodConfig", "weeklyAccordingTo": "SubscriptionStart"})
        }
        (Some(crate::catalog::ResetPeriod::Year), _) => {
            json!({"__typename": "YearlyResetPeriodConfig", "yearlyAccordingTo": "SubscriptionStart"})
        }
        _ => Value::Null,
    }
}

fn common_feature_fields(
    catalog: &Catalog,
    e: &FeatureEnt,
    reason: Option<&'static str>,
) -> Map<String, Value> {
    let f = catalog.feature(&e.feature_id);
    let metered = f.is_some_and(|f| f.is_metered());
    let mut m = Map::new();
    m.insert("isGranted".into(), json!(reason.is_none()));
    m.insert("accessDeniedReason".into(), json!(reason));
    m.insert(
        "usageLimit".into(),
        json!(if e.unlimited { None } else { e.usage_limit }),
    );
    m.insert("hasUnlimitedUsage".into(), json!(e.unlimited));
    m.insert("hasSoftLimit".into(), json!(e.soft_limit));
    m.insert(
        "currentUsage".into(),
        if metered {
            json!(e.current_usage)
        } else {
            Value::Null
        },
    );
    m.insert("enumValues".into(), json!(e.enum_values));
    m.insert("entitlementUpdatedAt".into(), json!(iso(e.updated_at)));
    m.insert("usageUpdatedAt".into(), opt_iso(e.usage_updated_at));
    m.insert("usagePeriodAnchor".into(), opt_iso(e.anchor));
    m.insert("usagePeriodStart".into(), opt_iso(e.period.map(|p| p.0)));
    m.insert("usagePeriodEnd".into(), opt_iso(e.period.map(|p| p.1)));
    m.insert(
        "resetPeriod".into(),
        json!(e.reset_period.map(|r| r.wire())),
    );
    m.insert("resetPeriodConfiguration".into(), reset_config(e));
    m.insert(
        "feature".into(),
        entitlement_feature(catalog, &e.feature_id),
    );
    m.insert(
        "creditRate".into(),
        match &e.credit_rate {
            Some((a, c)) => json!({"amount": a, "currencyId": c}),
            None => Value::Null,
        },
    );
    m
}

/// `FeatureEntitlement` (member of `EntitlementUnion`).
pub fn feature_entitlement(
    catalog: &Catalog,
    e: &FeatureEnt,
    req_usage: Option<f64>,
    req_values: Option<&[String]>,
) -> Value {
    let reason = decide(catalog, e, req_usage, req_values);
    let mut m = common_feature_fields(catalog, e, reason);
    m.insert("__typename".into(), json!("FeatureEntitlement"));
    m.insert("validUntil".into(), opt_iso(e.valid_until));
    Value::Object(m)
}

/// Legacy `Entitlement` (`validUntil` as epoch-ms float, `nextResetDate`).
pub fn legacy_entitlement(
    catalog: &Catalog,
    e: &FeatureEnt,
    customer: &str,
    resource: Option<&str>,
    req_usage: Option<f64>,
    req_values: Option<&[String]>,
) -> Value {
    let reason = decide(catalog, e, req_usage, req_values);
    let mut m = common_feature_fields(catalog, e, reason);
    m.insert("__typename".into(), json!("Entitlement"));
    m.insert("customerId".into(), json!(customer));
    m.insert("resourceId".into(), json!(resource));
    m.insert("requestedUsage".into(), json!(req_usage));
    m.insert("requestedValues".into(), json!(req_values));
    m.insert("nextResetDate".into(), opt_iso(e.period.map(|p| p.1)));
    m.insert("validUntil".into(), json!(e.valid_until.map(|v| v as f64)));
    Value::Object(m)
}

/// `CreditEntitlement` of a wallet.
pub fn credit_entitlement(catalog: &Catalog, w: &CreditEnt, req: Option<f64>) -> Value {
    let remaining = w.granted - w.consumed;
    let granted = remaining > 0.0 && remaining >= req.unwrap_or(0.0);
    let c = catalog.currency(&w.currency_id);
    json!({
        "__typename": "CreditEntitlement",
        "isGranted": granted,
        "accessDeniedReason": if granted { Value::Null } else { json!("InsufficientCredits") },
        "currency": {
            "currencyId": w.currency_id,
            "displayName": c.map(|c| c.display_name.clone()).unwrap_or_else(|| w.currency_id.clone()),
            "description": c.and_then(|c| c.description.clone()),
            "unitSingular": c.and_then(|c| c.unit_singular.clone()),
            "unitPlural": c.and_then(|c| c.unit_plural.clone()),
            "additionalMetaData": Value::Null,
        },
        "usageLimit": w.granted,
        "currentUsage": w.consumed,
        "hasSoftLimit": false,
        "usageUpdatedAt": iso(w.updated_at),
        "entitlementUpdatedAt": iso(w.updated_at),
        "usagePeriodEnd": opt_iso(w.period_end),
        "validUntil": Value::Null,
    })
}

/// `entitlementsV2` list.
pub fn entitlements_v2(catalog: &Catalog, st: &EntState) -> Value {
    let mut v: Vec<Value> = st
        .features
        .iter()
        .map(|e| feature_entitlement(catalog, e, None, None))
        .collect();
    v.extend(
        st.credits
            .iter()
            .map(|w| credit_entitlement(catalog, w, None)),
    );
    Value::Array(v)
}

/// Legacy `entitlements` list.
pub fn entitlements_v1(
    catalog: &Catalog,
    st: &EntState,
    customer: &str,
    resource: Option<&str>,
) -> Value {
    Value::Array(
        st.features
            .iter()
            .map(|e| legacy_entitlement(catalog, e, customer, resource, None, None))
            .collect(),
    )
}

/// `Money`.
pub fn money(amount: f64, currency: &str) -> Value {
    json!({"amount": amount, "currency": currency})
}

/// `Price` of a plan or addon.
pub fn price(catalog: &Catalog, p: &PriceSpec, owner: &str, idx: usize) -> Value {
    json!({
        "__typename": "Price",
        "id": format!("price-{owner}-{idx}"),
        "billingPeriod": p.billing_period,
        "billingModel": if p.feature.is_some() { "PER_UNIT" } else { "FLAT_FEE" },
        "billingCadence": "RECURRING",
        "price": money(p.amount, &p.currency),
        "feature": p.feature.as_deref().and_then(|f| catalog.feature(f)).map(feature),
        "tiers": Value::Null,
    })
}

fn package_entitlement(catalog: &Catalog, e: &EntitlementSpec) -> Value {
    let f = catalog.feature(&e.feature);
    json!({
        "__typename": "PackageEntitlement",
        "featureId": e.feature,
        "usageLimit": e.usage_limit,
        "hasUnlimitedUsage": e.unlimited,
        "hasSoftLimit": e.soft_limit,
        "resetPeriod": e.reset_period.map(|r| r.wire()),
        "enumValues": e.enum_values,
        "isGranted": true,
        "isCustom": false,
        "hiddenFromWidgets": [],
        "feature": f.map(feature),
    })
}

fn package_feature_entitlement(catalog: &Catalog, e: &EntitlementSpec) -> Value {
    let mut v = package_entitlement(catalog, e);
    if let Some(o) = v.as_object_mut() {
        o.insert("__typename".into(), json!("PackageFeatureEntitlement"));
        o.insert("id".into(), json!(format!("pe-{}", e.feature)));
        o.insert("behavior".into(), json!("Increment"));
    }
    v
}

/// `Product`.
pub fn product(catalog: &Catalog, p: &Product) -> Value {
    let dp = p.downgrade_plan.as_deref().and_then(|d| catalog.plan(d));
    let dpv = dp.map(|d| json!({"refId": d.id, "displayName": d.display_name}));
    json!({
        "__typename": "Product",
        "id": p.id, "refId": p.id, "displayName": p.display_name, "description": p.description,
        "additionalMetaData": p.metadata, "awsMarketplaceProductId": Value::Null,
        "productSettings": {"downgradePlan": dpv, "subscriptionEndSetup": "DOWNGRADE_TO_FREE", "subscriptionCancellationTime": "END_OF_BILLING_PERIOD"},
        "downgradePlan": dpv,
        "multipleSubscriptions": p.multiple_subscriptions,
    })
}

/// `Addon`.
pub fn addon(catalog: &Catalog, a: &Addon) -> Value {
    json!({
        "__typename": "Addon",
        "id": a.id, "refId": a.id, "displayName": a.display_name, "description": a.description,
        "billingId": Value::Null, "additionalMetaData": Value::Null, "hiddenFromWidgets": [],
        "pricingType": if a.prices.iter().any(|p| p.amount > 0.0) { "PAID" } else { "FREE" },
        "maxQuantity": a.max_quantity,
        "prices": a.prices.iter().enumerate().map(|(i, p)| price(catalog, p, &a.id, i)).collect::<Vec<_>>(),
        "entitlements": a.entitlements.iter().map(|e| package_entitlement(catalog, e)).collect::<Vec<_>>(),
        "packageEntitlements": a.entitlements.iter().map(|e| package_feature_entitlement(catalog, e)).collect::<Vec<_>>(),
        "overagePrices": [],
        "dependencies": [],
        "versionNumber": 1,
        "status": "PUBLISHED",
        "isLatest": true,
        "product": catalog.product(&a.product).map(|p| product(catalog, p)),
    })
}

/// `Plan` (with base plan, product, compatible addons, inherited entitlements).
pub fn plan(catalog: &Catalog, p: &Plan) -> Value {
    let own: Vec<Value> = p
        .entitlements
        .iter()
        .map(|e| package_entitlement(catalog, e))
        .collect();
    let inherited_specs = catalog.inherited_entitlements(p);
    let inherited: Vec<Value> = inherited_specs
        .iter()
        .filter(|e| !p.entitlements.iter().any(|o| o.feature == e.feature))
        .map(|e| package_entitlement(catalog, e))
        .collect();
    let base = p.base_plan.as_deref().and_then(|b| catalog.plan(b));
    json!({
        "__typename": "Plan",
        "id": p.id, "refId": p.id, "displayName": p.display_name, "description": p.description,
        "billingId": Value::Null, "versionNumber": p.version, "additionalMetaData": p.metadata,
        "hiddenFromWidgets": [], "awsMarketplacePlanDimension": Value::Null,
        "status": "PUBLISHED", "isLatest": true,
        "product": catalog.product(&p.product).map(|x| product(catalog, x)),
        "basePlan": base.map(|b| json!({"__typename": "Plan", "id": b.id, "refId": b.id, "displayName": b.display_name})),
        "entitlements": own,
        "inheritedEntitlements": inherited,
        "packageEntitlements": p.entitlements.iter().map(|e| package_feature_entitlement(catalog, e)).collect::<Vec<_>>(),
        "inheritedPackageEntitlements": inherited_specs.iter().map(|e| package_feature_entitlement(catalog, e)).collect::<Vec<_>>(),
        "compatibleAddons": catalog.compatible_addons(p).into_iter().map(|a| addon(catalog, a)).collect::<Vec<_>>(),
        "compatiblePackageGroups": [],
        "prices": p.prices.iter().enumerate().map(|(i, x)| price(catalog, x, &p.id, i)).collect::<Vec<_>>(),
        "overagePrices": [],
        "pricingType": catalog.pricing_type(p),
        "defaultTrialConfig": p.default_trial.as_ref().map(|t| json!({"duration": t.duration, "units": t.units, "trialEndBehavior": "CONVERT_TO_PAID", "budget": Value::Null})),
    })
}

/// Slim `Customer`.
pub fn customer(
    state: &State,
    catalog: &Catalog,
    c: &Customer,
    now: Millis,
    with_subscriptions: bool,
) -> Value {
    let subs: Vec<&Subscription> = state
        .subscriptions
        .iter()
        .filter(|s| s.customer_id == c.ref_id)
        .collect();
    let promos: Vec<Value> = state
        .promotions
        .iter()
        .filter(|p| p.customer_id == c.ref_id && !p.revoked)
        .map(|p| promotion(catalog, p, now))
        .collect();
    let mut by_type: Vec<Value> = Vec::new();
    for t in ["FREE", "PAID", "CUSTOM"] {
        let n = subs
            .iter()
            .filter(|s| {
                s.status.is_active()
                    && catalog.plan(&s.plan_id).map(|p| catalog.pricing_type(p)) == Some(t)
            })
            .count();
        if n > 0 {
            by_type.push(json!({"pricingType": t, "totalCount": n}));
        }
    }
    let mut v = json!({
        "__typename": "Customer",
        "id": c.id, "refId": c.ref_id, "customerId": c.ref_id, "name": c.name, "email": c.email,
        "createdAt": iso(c.created_at), "updatedAt": iso(c.updated_at),
        "billingId": c.billing_id, "additionalMetaData": c.metadata,
        "awsMarketplaceCustomerId": c.aws_marketplace_customer_id,
        "hasPaymentMethod": false, "hasActiveSubscription": subs.iter().any(|s| s.status.is_active()),
        "defaultPaymentMethodType": Value::Null,
        "trialedPlans": c.trialed_plans.iter().map(|p| json!({"planRefId": p, "planId": p, "productRefId": catalog.plan(p).map(|x| x.product.clone()), "productId": catalog.plan(p).map(|x| x.product.clone())})).collect::<Vec<_>>(),
        "coupon": c.coupon.as_deref().and_then(|x| catalog.coupon(x)).map(|x| coupon(x, now)),
        "eligibleForTrial": catalog.products.iter().map(|p| json!({"productRefId": p.id, "productId": p.id, "eligible": !c.trialed_plans.iter().any(|t| catalog.plan(t).map(|x| x.product == p.id).unwrap_or(false))})).collect::<Vec<_>>(),
        "promotionalEntitlements": promos,
        "statistics": {"activeSubscriptionsByPricingType": by_type},
        "experimentInfo": Value::Null,
        "archivedAt": Value::Null,
    });
    if with_subscriptions {
        if let Some(o) = v.as_object_mut() {
            o.insert(
                "subscriptions".into(),
                Value::Array(
                    subs.iter()
                        .map(|s| subscription(state, catalog, s, now))
                        .collect(),
                ),
            );
        }
    }
    v
}

/// `Coupon`.
pub fn coupon(c: &crate::catalog::Coupon, now: Millis) -> Value {
    json!({
        "__typename": "Coupon",
        "id": c.id, "refId": c.id, "name": c.name, "description": c.description,
        "type": if c.percent_off.is_some() { "PERCENTAGE" } else { "FIXED" },
        "discountValue": c.percent_off.or(c.amount_off).unwrap_or(0.0),
        "percentOff": c.percent_off,
        "amountsOff": c.amount_off.map(|a| vec![money(a, &c.currency)]),
        "status": c.status, "billingId": Value::Null, "billingLinkUrl": Value::Null,
        "additionalMetaData": Value::Null, "syncStates": [],
        "createdAt": iso(now), "updatedAt": iso(now),
    })
}

/// Simple pricing model: plan price for the billing period + addon prices × quantity + per-unit
/// prices × billable quantity; coupons take a percentage or a fixed amount off; no tax, no proration.
pub fn subscription_total(
    catalog: &Catalog,
    plan_id: &str,
    billing_period: &str,
    addons: &[(String, i64)],
    billable: &[(String, f64)],
    coupon_id: Option<&str>,
) -> (f64, f64, f64, String) {
    let mut currency = "USD".to_string();
    let mut sub = 0.0;
    let mut addons_total = 0.0;
    if let Some(p) = catalog.plan(plan_id) {
        for pr in p
            .prices
            .iter()
            .filter(|x| x.billing_period == billing_period)
        {
            currency = pr.currency.clone();
            match &pr.feature {
                None => sub += pr.amount,
                Some(f) => {
                    let q = billable
                        .iter()
                        .find(|(id, _)| id == f)
                        .map(|x| x.1)
                        .unwrap_or(0.0);
                    sub += pr.amount * q;
                }
            }
        }
    }
    for (a, q) in addons {
        if let Some(ad) = catalog.addon(a) {
            for pr in ad
                .prices
                .iter()
                .filter(|x| x.billing_period == billing_period)
            {
                addons_total += pr.amount * *q as f64;
            }
        }
    }
    let gross = sub + addons_total;
    let discount = match coupon_id.and_then(|c| catalog.coupon(c)) {
        Some(c) => match (c.percent_off, c.amount_off) {
            (Some(p), _) => gross * p / 100.0,
            (None, Some(a)) => a.min(gross),
            _ => 0.0,
        },
        None => 0.0,
    };
    (gross, addons_total, gross - discount, currency)
}

/// `CustomerSubscription`.
pub fn subscription(state: &State, catalog: &Catalog, s: &Subscription, now: Millis) -> Value {
    let plan_v = catalog
        .plan(&s.plan_id)
        .map(|p| plan(catalog, p))
        .unwrap_or_else(|| json!({"refId": s.plan_id, "id": s.plan_id, "displayName": s.plan_id}));
    let (bp_start, bp_end) = s.billing_period_range(now);
    let (gross, addons_total, total, currency) = subscription_total(
        catalog,
        &s.plan_id,
        &s.billing_period,
        &s.addons,
        &s.billable_features,
        s.coupon.as_deref(),
    );
    let cust = state.customers.get(&s.customer_id);
    let slim_customer = |id: &str| {
        let c = state.customers.get(id);
        json!({"__typename": "Customer", "id": c.map(|c| c.id.clone()).unwrap_or_default(), "refId": id, "customerId": id,
               "name": c.and_then(|c| c.name.clone()), "email": c.and_then(|c| c.email.clone()),
               "createdAt": c.map(|c| iso(c.created_at)), "updatedAt": c.map(|c| iso(c.updated_at)).unwrap_or_else(|| iso(now)),
               "hasPaymentMethod": false, "hasActiveSubscription": true, "promotionalEntitlements": []})
    };
    let prices: Vec<Value> = catalog
        .plan(&s.plan_id)
        .map(|p| {
            p.prices
                .iter()
                .enumerate()
                .filter(|(_, x)| x.billing_period == s.billing_period)
                .map(|(i, x)| json!({"usageLimit": x.feature.as_ref().and_then(|f| s.billable_features.iter().find(|b| &b.0 == f).map(|b| b.1)), "billingModel": if x.feature.is_some() {"PER_UNIT"} else {"FLAT_FEE"}, "price": price(catalog, x, &p.id, i)}))
                .collect()
        })
        .unwrap_or_default();
    let pricing_type = catalog
        .plan(&s.plan_id)
        .map(|p| catalog.pricing_type(p))
        .unwrap_or("FREE");
    json!({
        "__typename": "CustomerSubscription",
        "id": s.id, "subscriptionId": s.ref_id, "refId": s.ref_id,
        "status": s.status.wire(),
        "additionalMetaData": s.metadata,
        "billingId": Value::Null, "billingLinkUrl": Value::Null,
        "effectiveEndDate": opt_iso(s.end_date.or(s.cancellation_date)),
        "cancellationDate": opt_iso(s.cancellation_date),
        "endDate": opt_iso(s.end_date),
        "startDate": iso(s.start_date),
        "trialEndDate": opt_iso(s.trial_end_date),
        "currentBillingPeriodStart": iso(bp_start),
        "currentBillingPeriodEnd": iso(bp_end),
        "billingPeriod": s.billing_period,
        "pricingType": pricing_type,
        "paymentCollection": "NOT_REQUIRED",
        "paymentCollectionMethod": "NONE",
        "latestInvoice": Value::Null,
        "billingSyncError": Value::Null,
        "experimentInfo": Value::Null,
        "resource": s.resource_id.as_ref().map(|r| json!({"resourceId": r})),
        "plan": plan_v,
        "addons": s.addons.iter().map(|(a, q)| json!({
            "id": format!("{}-{a}", s.id),
            "quantity": q,
            "addon": catalog.addon(a).map(|x| addon(catalog, x)).unwrap_or_else(|| json!({"id": a, "refId": a, "displayName": a})),
        })).collect::<Vec<_>>(),
        "prices": prices,
        "totalPrice": {"subTotal": money(gross, &currency), "total": money(total, &currency), "addonsTotal": money(addons_total, &currency)},
        "customer": cust.map(|c| slim_customer(&c.ref_id)).unwrap_or_else(|| slim_customer(&s.customer_id)),
        "payingCustomer": s.paying_customer_id.as_deref().map(slim_customer),
        "trialConfiguration": s.trial_end_date.map(|_| json!({"trialEndBehavior": "CONVERT_TO_PAID"})),
        "scheduledUpdates": s.scheduled.iter().map(|u| json!({
            "scheduledExecutionTime": iso(u.at),
            "subscriptionScheduleType": if u.plan_id.is_some() { "Downgrade" } else if u.billing_period.is_some() { "BillingPeriod" } else { "Addon" },
            "scheduleStatus": "Scheduled",
            "scheduleVariables": Value::Null,
            "targetPackage": u.plan_id.as_ref().map(|p| json!({"refId": p, "id": p, "displayName": catalog.plan(p).map(|x| x.display_name.clone()).unwrap_or_default(), "pricingType": "PAID"})),
        })).collect::<Vec<_>>(),
        "futureUpdates": [],
    })
}

/// `PromotionalEntitlement`.
pub fn promotion(catalog: &Catalog, p: &Promotion, now: Millis) -> Value {
    let expired = p.end_date.is_some_and(|e| e <= now);
    json!({
        "__typename": "PromotionalEntitlement",
        "id": p.id,
        "featureId": p.spec.feature,
        "usageLimit": p.spec.usage_limit,
        "hasUnlimitedUsage": p.spec.unlimited,
        "hasSoftLimit": p.spec.soft_limit,
        "resetPeriod": p.spec.reset_period.map(|r| r.wire()),
        "enumValues": p.spec.enum_values,
        "endDate": opt_iso(p.end_date),
        "startDate": iso(p.start_date),
        "period": p.period,
        "isVisible": true,
        "status": if p.revoked { "Paused" } else if expired { "Expired" } else { "Active" },
        "feature": catalog.feature(&p.spec.feature).map(feature),
        "createdAt": iso(p.created_at),
        "updatedAt": iso(p.created_at),
    })
}

/// `CreditGrant`.
pub fn credit_grant(g: &CreditGrant, now: Millis) -> Value {
    let status = if g.voided_at.is_some() {
        "VOIDED"
    } else if g.expire_at.is_some_and(|e| e <= now) {
        "EXPIRED"
    } else if g.effective_at > now {
        "SCHEDULED"
    } else {
        "ACTIVE"
    };
    json!({
        "__typename": "CreditGrant",
        "grantId": g.id, "id": g.id,
        "customerId": g.customer_id, "resourceId": g.resource_id,
        "currencyId": g.currency_id, "amount": g.amount, "consumedAmount": g.consumed,
        "displayName": g.display_name, "grantType": g.grant_type, "priority": g.priority,
        "effectiveAt": iso(g.effective_at), "expireAt": opt_iso(g.expire_at), "voidedAt": opt_iso(g.voided_at),
        "comment": g.comment, "additionalMetaData": g.metadata,
        "cost": money(0.0, "USD"), "paymentCollection": "NOT_REQUIRED",
        "status": status,
        "createdAt": iso(g.created_at), "updatedAt": iso(g.updated_at),
        "invoiceId": Value::Null, "latestInvoice": Value::Null,
    })
}
