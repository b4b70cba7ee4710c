//! The management API against the in-process emulator over real sockets: every method at least
//! once, round trips, Node's renames (observed in what the emulator stored), error codes and trace
//! ids, paging, the cache side effects of provisioning and of subscription writes, and the offline
//! and closed errors.

use std::time::Duration;

use serde_json::{json, Value};
use stigg_core::api::retry::RetryPolicy;
use stigg_core::client::{GetBooleanEntitlement, GetMeteredEntitlement};
use stigg_core::model::management::*;
use stigg_core::model::usage::ReportUsage;
use stigg_core::model::SubscriptionStatus;
use stigg_core::{Stigg, StiggConfig, StiggError};
use stigg_emulator::{Emulator, RunningEmulator, DEFAULT_API_KEY};

async fn emulator() -> RunningEmulator {
    Emulator::builder()
        .port(0)
        .edge_port(0)
        .start()
        .await
        .expect("emulator starts")
}

/// A client of `emu` without the stream (so cache contents change only by this client's calls).
fn client(emu: &RunningEmulator, edge: bool) -> Stigg {
    let config = StiggConfig::builder()
        .api_key(DEFAULT_API_KEY)
        .read_env(false)
        .base_uri(emu.base_url())
        .base_edge_uri(emu.edge_url())
        .ws_url(emu.ws_url())
        .realtime_updates_enabled(false)
        .enable_edge(edge)
        .refresh_interval(Duration::from_secs(3600))
        .graphql_retry(RetryPolicy {
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(40),
            ..RetryPolicy::graphql()
        })
        .build()
        .expect("config");
    Stigg::new(config).expect("client")
}

fn api_code(e: &StiggError) -> Option<&str> {
    match e {
        StiggError::Api { code, .. } => code.as_deref(),
        _ => None,
    }
}

fn invalid_field(e: &StiggError) -> Option<&'static str> {
    match e {
        StiggError::InvalidArgument { field, .. } => Some(field),
        _ => None,
    }
}

fn boolean<'a>(customer_id: &'a str, feature_id: &'a str) -> GetBooleanEntitlement<'a> {
    GetBooleanEntitlement {
        customer_id,
        feature_id,
        ..Default::default()
    }
}

fn metered<'a>(customer_id: &'a str, feature_id: &'a str) -> GetMeteredEntitlement<'a> {
    GetMeteredEntitlement {
        customer_id,
        feature_id,
        ..Default::default()
    }
}

/// A customer without a subscription.
async fn bare_customer(stigg: &Stigg, id: &str) {
    let p = stigg
        .provision_customer(ProvisionCustomer {
            customer_id: Some(id.into()),
            subscription_params: Some(None),
            ..Default::default()
        })
        .await
        .expect("provision");
    assert_eq!(
        p.subscription_decision_strategy,
        SubscriptionDecisionStrategy::SkippedSubscriptionCreation
    );
    assert!(p.subscription.is_none());
}

fn stored_customer(emu: &RunningEmulator, id: &str) -> Value {
    emu.engine().snapshot()["customers"][id].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_round_trip_with_renames_and_provisioned_cache() {
    let emu = emulator().await;
    let stigg = client(&emu, true);

    let p = stigg
        .provision_customer(ProvisionCustomer {
            customer_id: Some("m-cust-1".into()),
            name: Some("Ada".into()),
            email: Some("ada@example.com".into()),
            metadata: Some(json!({"tier": "gold"})),
            coupon_id: Some("coupon-launch-20".into()),
            billing_id: Some("cus_123".into()),
            subscription_params: Some(Some(ProvisionCustomerSubscription {
                plan_id: "plan-revvenu-pro".into(),
                billing_period: Some(BillingPeriod::Monthly),
                metadata: Some(json!({"source": "test"})),
                unit_quantity: Some(3.0),
                ..Default::default()
            })),
            ..Default::default()
        })
        .await
        .expect("provision customer");
    assert_eq!(p.customer.id, "m-cust-1");
    assert_eq!(p.customer.name.as_deref(), Some("Ada"));
    assert_eq!(p.customer.metadata, Some(json!({"tier": "gold"})));
    assert_eq!(p.customer.billing_id.as_deref(), Some("cus_123"));
    assert!(p.customer.created_at.is_some());
    assert_eq!(
        p.subscription_decision_strategy,
        SubscriptionDecisionStrategy::RequestedPlan
    );
    let sub = p.subscription.expect("first subscription");
    assert_eq!(sub.plan_id.as_deref(), Some("plan-revvenu-pro"));
    assert_eq!(sub.customer_id.as_deref(), Some("m-cust-1"));
    assert_eq!(sub.metadata, Some(json!({"source": "test"})));

    // Renames reached the server: couponId→couponRefId, metadata→additionalMetaData.
    let stored = stored_customer(&emu, "m-cust-1");
    assert_eq!(stored["coupon"], "coupon-launch-20", "{stored}");

    // Cache side effect: the returned entitlementsV2 answer a check with no fetch.
    let cached = stigg
        .get_boolean_entitlement_cached(&boolean("m-cust-1", "feature-custom-domain"))
        .expect("provisioned entitlements are cached");
    assert!(cached.has_access && !cached.is_fallback, "{cached:?}");

    let full = stigg.get_customer("m-cust-1").await.expect("get customer");
    assert_eq!(full.customer.id, "m-cust-1");
    assert_eq!(full.customer.email.as_deref(), Some("ada@example.com"));
    assert_eq!(full.subscriptions.len(), 1);
    assert_eq!(
        full.subscriptions[0].plan_id.as_deref(),
        Some("plan-revvenu-pro")
    );
    assert_eq!(
        full.coupon.as_ref().map(|c| c.id.as_str()),
        Some("coupon-launch-20")
    );

    let updated = stigg
        .update_customer(UpdateCustomer {
            customer_id: "m-cust-1".into(),
            name: Some("Ada Lovelace".into()),
            metadata: Some(json!({"tier": "platinum"})),
            coupon_id: Some("coupon-ten-dollars".into()),
            ..Default::default()
        })
        .await
        .expect("update customer");
    assert_eq!(updated.id, "m-cust-1");
    assert_eq!(updated.name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(updated.metadata, Some(json!({"tier": "platinum"})));
    assert_eq!(
        stored_customer(&emu, "m-cust-1")["coupon"],
        "coupon-ten-dollars"
    );

    let archived = stigg
        .archive_customer("m-cust-1")
        .await
        .expect("archive customer");
    assert_eq!(archived, "m-cust-1");
    let unarchived = stigg
        .unarchive_customer("m-cust-1")
        .await
        .expect("unarchive customer");
    assert_eq!(unarchived.id, "m-cust-1");
    assert_eq!(unarchived.name.as_deref(), Some("Ada Lovelace"));

    // Without subscriptionParams Stigg decides (the emulator: the product's free plan).
    let p = stigg
        .provision_customer(ProvisionCustomer {
            customer_id: Some("m-cust-default".into()),
            ..Default::default()
        })
        .await
        .expect("provision with default plan");
    assert_eq!(
        p.subscription_decision_strategy,
        SubscriptionDecisionStrategy::PredefinedFreePlan
    );
    assert_eq!(
        p.subscription.and_then(|s| s.plan_id).as_deref(),
        Some("plan-revvenu-free")
    );
    // With `subscriptionParams: null` none is created.
    bare_customer(&stigg, "m-cust-bare").await;

    stigg.close().await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_carry_codes_trace_ids_and_node_prefixes() {
    let emu = emulator().await;
    let stigg = client(&emu, true);

    let err = stigg.get_customer("nobody").await.expect_err("unknown");
    assert_eq!(err.code(), "CustomerNotFound", "{err:?}");
    assert!(err.trace_id().is_some(), "{err:?}");
    assert!(
        err.to_string().starts_with("Failed to get customer: "),
        "{err}"
    );

    let err = stigg
        .update_subscription(UpdateSubscription {
            subscription_id: "no-such-subscription".into(),
            ..Default::default()
        })
        .await
        .expect_err("unknown subscription");
    assert!(api_code(&err).is_some(), "{err:?}");
    assert!(err.trace_id().is_some());
    assert!(err
        .to_string()
        .starts_with("Failed to update subscription: "));

    bare_customer(&stigg, "m-err").await;
    let err = stigg
        .provision_subscription(ProvisionSubscription {
            customer_id: "m-err".into(),
            plan_id: "plan-nope".into(),
            ..Default::default()
        })
        .await
        .expect_err("unknown plan");
    assert_eq!(err.code(), "PlanNotFound");

    // Validation happens before any request and names the field.
    let err = stigg
        .update_customer(UpdateCustomer::default())
        .await
        .expect_err("no id");
    assert_eq!(invalid_field(&err), Some("customerId"));
    let err = stigg
        .provision_subscription(ProvisionSubscription {
            customer_id: "m-err".into(),
            ..Default::default()
        })
        .await
        .expect_err("no plan");
    assert_eq!(invalid_field(&err), Some("planId"));
    let err = stigg
        .cancel_subscription(CancelSubscription::default())
        .await
        .expect_err("no subscription id");
    assert_eq!(invalid_field(&err), Some("subscriptionId"));
    let err = stigg.get_customer(" ").await.expect_err("blank id");
    assert_eq!(invalid_field(&err), Some("customerId"));
    let err = stigg
        .get_usage_history_v2(GetUsageHistoryV2 {
            customer_id: "m-err".into(),
            feature_id: "feature-api-calls".into(),
            ..Default::default()
        })
        .await
        .expect_err("no start date");
    assert_eq!(invalid_field(&err), Some("startDate"));
    let err = stigg
        .void_credit_grant(VoidCreditGrant::default())
        .await
        .expect_err("no grant id");
    assert_eq!(invalid_field(&err), Some("id"));

    stigg.close().await;
    let err = stigg.get_coupons().await.expect_err("closed");
    assert_eq!(err, StiggError::Closed);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_management_calls_fail_clearly() {
    let stigg = Stigg::new(
        StiggConfig::builder()
            .api_key("offline-key")
            .read_env(false)
            .offline(true)
            .build()
            .expect("config"),
    )
    .expect("client");
    let err = stigg
        .provision_customer(ProvisionCustomer {
            customer_id: Some("c".into()),
            ..Default::default()
        })
        .await
        .expect_err("offline");
    assert_eq!(invalid_field(&err), Some("offline"), "{err:?}");
    assert!(err.to_string().contains("offline"));
    let err = stigg.get_products().await.expect_err("offline");
    assert_eq!(invalid_field(&err), Some("offline"));
    stigg.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscription_lifecycle_with_read_after_write() {
    let emu = emulator().await;
    let stigg = client(&emu, true);
    bare_customer(&stigg, "m-sub").await;

    let r = stigg
        .provision_subscription(ProvisionSubscription {
            customer_id: "m-sub".into(),
            plan_id: "plan-revvenu-pro".into(),
            id: Some("m-sub-pro".into()),
            skip_trial: Some(true),
            metadata: Some(json!({"k": "v"})),
            ..Default::default()
        })
        .await
        .expect("provision subscription");
    assert_eq!(r.provision_status, ProvisionSubscriptionStatus::Success);
    assert!(r.checkout_url.is_none());
    let sub = r.subscription.expect("subscription");
    assert_eq!(sub.id, "m-sub-pro", "id→refId");
    assert_eq!(sub.status, Some(SubscriptionStatus::Active));
    assert_eq!(sub.metadata, Some(json!({"k": "v"})));

    // Provisioned entitlements are cached: no fetch needed.
    let seats = stigg
        .get_metered_entitlement_cached(&metered("m-sub", "feature-seats"))
        .expect("cached after provision_subscription");
    assert!(seats.has_access);
    assert_eq!(seats.usage_limit, Some(10.0));

    let got = stigg
        .get_subscription("m-sub-pro")
        .await
        .expect("get subscription");
    assert_eq!(got.plan_id.as_deref(), Some("plan-revvenu-pro"));
    assert_eq!(got.customer_id.as_deref(), Some("m-sub"));
    assert!(got.start_date.is_some());

    let active = stigg
        .get_active_subscriptions(GetActiveSubscriptions {
            customer_id: "m-sub".into(),
            resource_id: None,
        })
        .await
        .expect("active subscriptions");
    assert_eq!(active.len(), 1);
    assert_eq!(active[0].id, "m-sub-pro");
    for edge in [true, false] {
        let list = client(&emu, edge)
            .get_active_subscriptions_list(GetActiveSubscriptions {
                customer_id: "m-sub".into(),
                resource_id: None,
            })
            .await
            .expect("active subscriptions list");
        assert_eq!(list.len(), 1, "edge={edge}");
        assert_eq!(list[0].id, "m-sub-pro", "edge={edge}");
        assert_eq!(
            list[0].plan_id.as_deref(),
            Some("plan-revvenu-pro"),
            "edge={edge}"
        );
    }

    // update: two addons of 5 seats; the cache is refetched (GraphQL) without a read.
    let updated = stigg
        .update_subscription(UpdateSubscription {
            subscription_id: "m-sub-pro".into(),
            addons: Some(vec![SubscriptionAddon {
                addon_id: "addon-extra-seats".into(),
                quantity: Some(2),
            }]),
            metadata: Some(json!({"k": "w"})),
            ..Default::default()
        })
        .await
        .expect("update subscription");
    assert_eq!(updated.addons.len(), 1);
    assert_eq!(updated.addons[0].addon_id, "addon-extra-seats");
    assert_eq!(updated.metadata, Some(json!({"k": "w"})));
    let seats = stigg
        .get_metered_entitlement_cached(&metered("m-sub", "feature-seats"))
        .expect("still cached");
    assert_eq!(seats.usage_limit, Some(20.0), "refetched after update");

    // PATCH semantics of cancellationDate: a date schedules, null clears.
    let in_a_week = chrono::Utc::now().timestamp_millis() + 7 * 86_400_000;
    let s = stigg
        .update_subscription(UpdateSubscription {
            subscription_id: "m-sub-pro".into(),
            cancellation_date: Some(Some(in_a_week)),
            ..Default::default()
        })
        .await
        .expect("schedule cancellation");
    assert!(s.cancellation_date.is_some());
    let s = stigg
        .update_subscription(UpdateSubscription {
            subscription_id: "m-sub-pro".into(),
            cancellation_date: Some(None),
            ..Default::default()
        })
        .await
        .expect("clear cancellation");
    assert_eq!(s.cancellation_date, None);

    // A scheduled update, then cancel the schedule.
    stigg
        .update_subscription(UpdateSubscription {
            subscription_id: "m-sub-pro".into(),
            billing_period: Some(BillingPeriod::Annually),
            schedule_strategy: Some(ScheduleStrategy::EndOfBillingPeriod),
            ..Default::default()
        })
        .await
        .expect("scheduled update");
    let c = stigg
        .cancel_subscription_scheduled_updates(CancelSubscriptionScheduledUpdates {
            subscription_id: "m-sub-pro".into(),
            status: Some(SubscriptionScheduleStatus::Scheduled),
        })
        .await
        .expect("cancel schedule");
    assert_eq!(c.subscription_id, "m-sub-pro");
    let m = stigg
        .migrate_subscription_to_latest(MigrateSubscriptionToLatest {
            subscription_id: "m-sub-pro".into(),
            subscription_migration_time: Some(SubscriptionMigrationTime::Immediate),
        })
        .await
        .expect("migrate");
    assert_eq!(m.subscription_id, "m-sub-pro");

    // Estimates and previews (JSON).
    let e = stigg
        .estimate_subscription(EstimateSubscription {
            customer_id: "m-sub".into(),
            plan_id: "plan-revvenu-pro".into(),
            billing_period: Some(BillingPeriod::Monthly),
            ..Default::default()
        })
        .await
        .expect("estimate");
    assert_eq!(e["total"]["amount"], json!(49.0), "{e}");
    let e = stigg
        .estimate_subscription_update(EstimateSubscriptionUpdate {
            subscription_id: "m-sub-pro".into(),
            addons: Some(vec![SubscriptionAddon {
                addon_id: "addon-api-boost".into(),
                quantity: Some(1),
            }]),
            ..Default::default()
        })
        .await
        .expect("estimate update");
    assert!(e["total"]["amount"].as_f64().is_some(), "{e}");
    let p = stigg
        .preview_subscription(PreviewSubscription {
            customer_id: "m-sub".into(),
            plan_id: "plan-revvenu-pro".into(),
            ..Default::default()
        })
        .await
        .expect("preview");
    assert!(p["immediateInvoice"]["total"]["amount"].is_number(), "{p}");
    assert!(p["billingPeriodRange"]["start"].is_string(), "{p}");

    // cancel: entitlements go away, and the cache learns it by the GraphQL refetch.
    let canceled = stigg
        .cancel_subscription(CancelSubscription {
            subscription_id: "m-sub-pro".into(),
            subscription_cancellation_time: Some(SubscriptionCancellationTime::Immediate),
            ..Default::default()
        })
        .await
        .expect("cancel");
    assert_eq!(canceled.id, "m-sub-pro");
    assert!(canceled.cancellation_date.is_some());
    let domain = stigg
        .get_boolean_entitlement_cached(&boolean("m-sub", "feature-custom-domain"))
        .expect("refetched state is cached");
    assert!(!domain.has_access, "{domain:?}");

    let err = stigg
        .cancel_subscription(CancelSubscription {
            subscription_id: "m-sub-pro".into(),
            ..Default::default()
        })
        .await
        .expect_err("already canceled");
    assert_eq!(err.code(), "SubscriptionAlreadyCanceledOrExpired");

    stigg.close().await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_subscriptions_filters_and_pages() {
    let emu = emulator().await;
    let stigg = client(&emu, true);
    bare_customer(&stigg, "m-page").await;
    bare_customer(&stigg, "m-page-other").await;
    // Each new plan of the product replaces the previous subscription (which is then CANCELED).
    for (i, plan) in [
        "plan-revvenu-free",
        "plan-revvenu-pro",
        "plan-revvenu-enterprise",
    ]
    .iter()
    .enumerate()
    {
        stigg
            .provision_subscription(ProvisionSubscription {
                customer_id: "m-page".into(),
                plan_id: (*plan).into(),
                id: Some(format!("m-page-{i}")),
                skip_trial: Some(true),
                ..Default::default()
            })
            .await
            .expect("provision");
    }
    stigg
        .provision_subscription(ProvisionSubscription {
            customer_id: "m-page-other".into(),
            plan_id: "plan-ai-starter".into(),
            ..Default::default()
        })
        .await
        .expect("provision other");

    let all = stigg
        .get_subscriptions(GetSubscriptions {
            customer_id: Some("m-page".into()),
            ..Default::default()
        })
        .await
        .expect("list");
    assert_eq!(all.total_count, Some(3));
    assert_eq!(all.data.len(), 3);
    assert!(all
        .data
        .iter()
        .all(|s| s.customer_id.as_deref() == Some("m-page")));

    let active = stigg
        .get_subscriptions(GetSubscriptions {
            customer_id: Some("m-page".into()),
            status: Some(SubscriptionStatus::Active.into()),
            ..Default::default()
        })
        .await
        .expect("active");
    assert_eq!(active.data.len(), 1);
    assert_eq!(
        active.data[0].plan_id.as_deref(),
        Some("plan-revvenu-enterprise")
    );
    let both = stigg
        .get_subscriptions(GetSubscriptions {
            customer_id: Some("m-page".into()),
            status: Some(OneOrMany::Many(vec![
                SubscriptionStatus::Active,
                SubscriptionStatus::Canceled,
            ])),
            ..Default::default()
        })
        .await
        .expect("in");
    assert_eq!(both.data.len(), 3);
    let by_product = stigg
        .get_subscriptions(GetSubscriptions {
            product_id: Some("product-ai-api".into()),
            ..Default::default()
        })
        .await
        .expect("by product");
    assert_eq!(by_product.data.len(), 1);
    assert_eq!(
        by_product.data[0].customer_id.as_deref(),
        Some("m-page-other")
    );

    // Pages of 2: first, next (startingAfter), previous (endingBefore).
    let page = |pagination: Pagination| GetSubscriptions {
        customer_id: Some("m-page".into()),
        pagination: Some(pagination),
        ..Default::default()
    };
    let first = stigg
        .get_subscriptions(page(Pagination {
            limit: Some(2),
            ..Default::default()
        }))
        .await
        .expect("first page");
    assert_eq!(first.data.len(), 2);
    assert!(first.page_info.has_next_page && !first.page_info.has_previous_page);
    let second = stigg
        .get_subscriptions(page(Pagination {
            limit: Some(2),
            starting_after: first.page_info.end_cursor.clone(),
            ..Default::default()
        }))
        .await
        .expect("second page");
    assert_eq!(second.data.len(), 1);
    assert!(!second.page_info.has_next_page && second.page_info.has_previous_page);
    assert!(first.data.iter().all(|a| a.id != second.data[0].id));
    let back = stigg
        .get_subscriptions(page(Pagination {
            limit: Some(2),
            ending_before: second.page_info.start_cursor.clone(),
            ..Default::default()
        }))
        .await
        .expect("previous page");
    assert_eq!(
        back.data.iter().map(|s| &s.id).collect::<Vec<_>>(),
        first.data.iter().map(|s| &s.id).collect::<Vec<_>>()
    );

    stigg.close().await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalog_paywall_coupons_products() {
    let emu = emulator().await;
    let stigg = client(&emu, true);

    let coupons = stigg.get_coupons().await.expect("coupons");
    let mut ids: Vec<&str> = coupons.iter().map(|c| c.id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        ["coupon-launch-20", "coupon-ten-dollars"],
        "ACTIVE only"
    );
    let launch = coupons
        .iter()
        .find(|c| c.id == "coupon-launch-20")
        .expect("launch coupon");
    assert_eq!(launch.percent_off, Some(20.0));

    let products = stigg.get_products().await.expect("products");
    assert_eq!(products.len(), 2);
    assert!(products.iter().any(|p| p["refId"] == "product-revvenu"));

    // Edge (no customer): all plans, then one product's.
    let paywall = stigg
        .get_paywall(GetPaywall::default())
        .await
        .expect("edge paywall");
    let plans = paywall["plans"].as_array().expect("plans");
    assert!(plans.len() >= 4, "{paywall}");
    let paywall = stigg
        .get_paywall(GetPaywall {
            product_id: Some("product-ai-api".into()),
            ..Default::default()
        })
        .await
        .expect("edge product paywall");
    let plans = paywall["plans"].as_array().expect("plans");
    assert!(!plans.is_empty());
    assert!(plans
        .iter()
        .all(|p| p["product"]["refId"] == "product-ai-api"));

    // GraphQL (with a customer, or with Edge disabled).
    let c = stigg
        .provision_customer(ProvisionCustomer {
            customer_id: Some("m-paywall".into()),
            ..Default::default()
        })
        .await
        .expect("customer");
    assert!(c.subscription.is_some());
    let paywall = stigg
        .get_paywall(GetPaywall {
            customer_id: Some("m-paywall".into()),
            product_id: Some("product-revvenu".into()),
            ..Default::default()
        })
        .await
        .expect("graphql paywall");
    assert_eq!(paywall["customer"]["refId"], "m-paywall", "{paywall}");
    assert_eq!(
        paywall["activeSubscriptions"].as_array().map(Vec::len),
        Some(1)
    );
    assert!(paywall["plans"][0]["entitlements"].is_array(), "{paywall}");
    let paywall = client(&emu, false)
        .get_paywall(GetPaywall::default())
        .await
        .expect("graphql paywall without edge");
    assert!(paywall["plans"].as_array().is_some_and(|p| p.len() >= 4));

    stigg.close().await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn promotional_entitlements_grant_and_revoke() {
    let emu = emulator().await;
    let stigg = client(&emu, true);
    stigg
        .provision_customer(ProvisionCustomer {
            customer_id: Some("m-promo".into()),
            ..Default::default()
        })
        .await
        .expect("customer");

    let granted = stigg
        .grant_promotional_entitlements(GrantPromotionalEntitlements {
            customer_id: "m-promo".into(),
            promotional_entitlements: vec![
                GrantPromotionalEntitlement {
                    feature_id: "feature-sso".into(),
                    period: PromotionalEntitlementPeriod::OneMonth,
                    ..Default::default()
                },
                GrantPromotionalEntitlement {
                    feature_id: "feature-api-calls".into(),
                    usage_limit: Some(5000.0),
                    reset_period: Some(stigg_core::model::EntitlementResetPeriod::Month),
                    ..Default::default()
                },
            ],
        })
        .await
        .expect("grant");
    assert_eq!(granted.len(), 2);
    assert_eq!(granted[0]["featureId"], "feature-sso", "{granted:?}");
    assert!(granted[0]["endDate"].is_string());
    let full = stigg.get_customer("m-promo").await.expect("customer");
    assert_eq!(full.promotional_entitlements.len(), 2);

    let revoked = stigg
        .revoke_promotional_entitlements(RevokePromotionalEntitlements {
            customer_id: "m-promo".into(),
            feature_id: "feature-sso".into(),
        })
        .await
        .expect("revoke");
    assert!(revoked.get("id").is_some(), "{revoked}");
    let full = stigg.get_customer("m-promo").await.expect("customer");
    assert_eq!(full.promotional_entitlements.len(), 1);

    let err = stigg
        .grant_promotional_entitlements(GrantPromotionalEntitlements {
            customer_id: "m-promo".into(),
            promotional_entitlements: vec![GrantPromotionalEntitlement {
                feature_id: "feature-nope".into(),
                ..Default::default()
            }],
        })
        .await
        .expect_err("unknown feature");
    assert_eq!(err.code(), "FeatureNotFound");

    stigg.close().await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credits_grant_list_balance_void() {
    let emu = emulator().await;
    let stigg = client(&emu, true);
    // No plan: the emulator's plan-included grants cannot be listed yet (their `grantType` is
    // outside Stigg's `CreditGrantType`; reported).
    bare_customer(&stigg, "m-credits").await;

    let grant = stigg
        .grant_credits(GrantCredits {
            customer_id: "m-credits".into(),
            currency_id: "cred-ai-tokens".into(),
            amount: 500.0,
            display_name: "Welcome bonus".into(),
            grant_type: CreditGrantType::Promotional,
            resource_id: None,
            effective_at: None,
            expire_at: None,
            priority: None,
            comment: Some("test".into()),
            additional_meta_data: Some(json!({"campaign": "launch"})),
            extra: Default::default(),
        })
        .await
        .expect("grant credits");
    let grant_id = grant["grantId"].as_str().expect("grantId").to_owned();
    assert_eq!(grant["amount"], json!(500.0));
    assert_eq!(grant["displayName"], "Welcome bonus");

    let grants = stigg
        .get_credit_grants(GetCreditGrants {
            customer_id: "m-credits".into(),
            currency_id: Some("cred-ai-tokens".into()),
            ..Default::default()
        })
        .await
        .expect("grants");
    assert_eq!(grants.total_count, Some(1));
    assert_eq!(grants.data.len(), 1);
    assert_eq!(grants.data[0]["grantId"], grant_id.as_str());

    let balance = stigg
        .get_credit_balance(GetCreditBalance {
            customer_id: "m-credits".into(),
            ..Default::default()
        })
        .await
        .expect("balance");
    assert_eq!(
        balance["balances"][0]["currentBalance"],
        json!(500.0),
        "{balance}"
    );

    let voided = stigg
        .void_credit_grant(VoidCreditGrant {
            id: grant_id.clone(),
        })
        .await
        .expect("void");
    assert_eq!(voided["grantId"], grant_id.as_str());
    assert!(voided["voidedAt"].is_string(), "{voided}");
    let balance = stigg
        .get_credit_balance(GetCreditBalance {
            customer_id: "m-credits".into(),
            currency_id: Some("cred-ai-tokens".into()),
            ..Default::default()
        })
        .await
        .expect("balance after void");
    assert_eq!(
        balance["balances"][0]["currentBalance"]
            .as_f64()
            .unwrap_or(0.0),
        0.0,
        "{balance}"
    );

    let err = stigg
        .grant_credits(GrantCredits {
            customer_id: "m-credits".into(),
            currency_id: "cred-nope".into(),
            amount: 1.0,
            display_name: "x".into(),
            grant_type: CreditGrantType::Paid,
            resource_id: None,
            effective_at: None,
            expire_at: None,
            priority: None,
            comment: None,
            additional_meta_data: None,
            extra: Default::default(),
        })
        .await
        .expect_err("unknown currency");
    assert_eq!(err.code(), "CustomCurrencyNotFound");
    let err = stigg
        .void_credit_grant(VoidCreditGrant {
            id: "no-such-grant".into(),
        })
        .await
        .expect_err("unknown grant");
    assert_eq!(err.code(), "CreditGrantNotFound");

    stigg.close().await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_history_v2_lists_reported_points() {
    let emu = emulator().await;
    let stigg = client(&emu, true);
    stigg
        .provision_customer(ProvisionCustomer {
            customer_id: Some("m-history".into()),
            ..Default::default()
        })
        .await
        .expect("customer on the free plan");
    let start = chrono::Utc::now().timestamp_millis() - 60_000;
    for value in [3.0, 4.0] {
        stigg
            .report_usage(ReportUsage {
                customer_id: "m-history".into(),
                feature_id: "feature-api-calls".into(),
                value,
                ..Default::default()
            })
            .await
            .expect("report usage");
    }
    let history = stigg
        .get_usage_history_v2(GetUsageHistoryV2 {
            customer_id: "m-history".into(),
            feature_id: "feature-api-calls".into(),
            start_date: Some(start),
            ..Default::default()
        })
        .await
        .expect("history");
    let points = history["series"][0]["points"].as_array().expect("points");
    assert_eq!(points.len(), 2, "{history}");
    assert!(history["markers"].is_array());

    stigg.close().await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resource_scoped_subscriptions_one_or_many_resource_ids() {
    let emu = emulator().await;
    let stigg = client(&emu, true);
    bare_customer(&stigg, "m-res").await;
    for site in ["site-1", "site-2"] {
        let r = stigg
            .provision_subscription(ProvisionSubscription {
                customer_id: "m-res".into(),
                plan_id: "plan-revvenu-pro".into(),
                resource_id: Some(site.into()),
                skip_trial: Some(true),
                ..Default::default()
            })
            .await
            .expect("provision on a resource");
        let sub = r.subscription.expect("subscription");
        assert_eq!(sub.resource_id.as_deref(), Some(site));
    }
    let one = stigg
        .get_active_subscriptions(GetActiveSubscriptions {
            customer_id: "m-res".into(),
            resource_id: Some("site-1".into()),
        })
        .await
        .expect("one resource");
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].resource_id.as_deref(), Some("site-1"));
    for edge in [true, false] {
        let c = client(&emu, edge);
        let both = c
            .get_active_subscriptions_list(GetActiveSubscriptions {
                customer_id: "m-res".into(),
                resource_id: Some(vec!["site-1".to_owned(), "site-2".to_owned()].into()),
            })
            .await
            .expect("resourceIds");
        assert_eq!(both.len(), 2, "edge={edge}");
        let second = c
            .get_active_subscriptions_list(GetActiveSubscriptions {
                customer_id: "m-res".into(),
                resource_id: Some("site-2".into()),
            })
            .await
            .expect("resourceId");
        assert_eq!(second.len(), 1, "edge={edge}");
        assert_eq!(
            second[0].resource_id.as_deref(),
            Some("site-2"),
            "edge={edge}"
        );
        c.close().await;
    }
    let filtered = stigg
        .get_subscriptions(GetSubscriptions {
            customer_id: Some("m-res".into()),
            resource_id: Some(vec!["site-2".to_owned()].into()),
            ..Default::default()
        })
        .await
        .expect("filter by resourceId in");
    assert_eq!(filtered.data.len(), 1);
    assert_eq!(filtered.data[0].resource_id.as_deref(), Some("site-2"));

    stigg.close().await;
    emu.shutdown().await;
}

async fn add_fault(emu: &RunningEmulator, rule: Value) {
    let status = reqwest::Client::new()
        .post(format!("{}/_emulator/faults", emu.base_url()))
        .json(&rule)
        .send()
        .await
        .expect("fault hook")
        .status();
    assert!(status.is_success(), "{status}");
}

async fn clear_faults(emu: &RunningEmulator) {
    reqwest::Client::new()
        .delete(format!("{}/_emulator/faults", emu.base_url()))
        .send()
        .await
        .expect("fault hook");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_faults_give_typed_errors_and_a_failed_refetch_is_not_an_error() {
    let emu = emulator().await;
    let stigg = client(&emu, true);
    bare_customer(&stigg, "m-fault").await;
    stigg
        .provision_subscription(ProvisionSubscription {
            customer_id: "m-fault".into(),
            plan_id: "plan-revvenu-pro".into(),
            id: Some("m-fault-sub".into()),
            skip_trial: Some(true),
            ..Default::default()
        })
        .await
        .expect("provision");

    // The write succeeds even though its read-after-write refetch fails (logged only).
    add_fault(
        &emu,
        json!({"type": "status", "status": 500, "operation": "GetEntitlementsState"}),
    )
    .await;
    let s = stigg
        .update_subscription(UpdateSubscription {
            subscription_id: "m-fault-sub".into(),
            metadata: Some(json!({"after": "fault"})),
            ..Default::default()
        })
        .await
        .expect("update succeeds despite the failed refetch");
    assert_eq!(s.metadata, Some(json!({"after": "fault"})));
    clear_faults(&emu).await;

    // A failing management call is an error (no fallback), with the HTTP-derived code.
    add_fault(
        &emu,
        json!({"type": "status", "status": 429, "operation": "GetCoupons"}),
    )
    .await;
    let err = stigg.get_coupons().await.expect_err("rate limited");
    assert_eq!(err.code(), "RateLimitExceeded", "{err:?}");
    clear_faults(&emu).await;

    let impatient = Stigg::new(
        StiggConfig::builder()
            .api_key(DEFAULT_API_KEY)
            .read_env(false)
            .base_uri(emu.base_url())
            .base_edge_uri(emu.edge_url())
            .realtime_updates_enabled(false)
            .timeout(Duration::from_millis(300))
            .build()
            .expect("config"),
    )
    .expect("client");
    add_fault(&emu, json!({"type": "hang", "operation": "GetProducts"})).await;
    let err = impatient.get_products().await.expect_err("timeout");
    assert_eq!(err.code(), "RequestTimeout", "{err:?}");
    clear_faults(&emu).await;

    impatient.close().await;
    stigg.close().await;
    emu.shutdown().await;
}
