#![allow(clippy::unwrap_used, clippy::expect_used)]
//! GraphQL operations over a real socket.

mod common;
use common::*;
use serde_json::{json, Value};

#[tokio::test]
async fn unauthenticated_requests_get_401_with_graphql_error() {
    let emu = start().await;
    let (status, body) = gql_raw(
        &emu,
        "wrong-key",
        "{ sdkConfiguration { sentryDsn } }",
        json!({}),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(body["errors"][0]["extensions"]["code"], "Unauthenticated");
    emu.shutdown().await;
}

#[tokio::test]
async fn provision_get_and_entitlements_with_aliases_fragments_typename() {
    let emu = start().await;
    let p = provision(&emu, "cust-1", "plan-revvenu-pro").await;
    assert_eq!(p["provisionCustomer"]["customer"]["refId"], "cust-1");
    assert_eq!(p["provisionCustomer"]["subscription"]["status"], "ACTIVE");
    let d = gql(
        &emu,
        "query G($input: GetCustomerByRefIdInput!) { c: getCustomerByRefId(input: $input) { __typename ...F subscriptions { plan { refId basePlan { refId } } } } } fragment F on Customer { refId name email }",
        json!({"input": {"customerId": "cust-1"}}),
    )
    .await;
    assert_eq!(d["c"]["__typename"], "Customer");
    assert_eq!(d["c"]["name"], "Acme");
    assert_eq!(
        d["c"]["subscriptions"][0]["plan"]["basePlan"]["refId"],
        "plan-revvenu-free"
    );
    let s = gql(&emu, STATE_DOC, json!({"query": {"customerId": "cust-1"}})).await;
    assert_eq!(s["entitlementsState"]["accessDeniedReason"], Value::Null);
    // inherited from the free base plan, overridden by pro
    assert_eq!(feature(&s, "feature-seats")["usageLimit"], 10.0);
    assert_eq!(feature(&s, "feature-custom-domain")["isGranted"], true);
    assert_eq!(
        feature(&s, "feature-data-region")["enumValues"],
        json!(["us", "eu"])
    );
    // errors carry a Stigg code and a trace id
    let (status, body) = gql_raw(
        &emu,
        KEY,
        "query { getCustomerByRefId(input: {customerId: \"nobody\"}) { refId } }",
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["errors"][0]["extensions"]["code"], "CustomerNotFound");
    assert!(body["errors"][0]["extensions"]["traceId"].is_string());
    emu.shutdown().await;
}

#[tokio::test]
async fn customer_level_access_denied_reasons() {
    let emu = start().await;
    let s = gql(&emu, STATE_DOC, json!({"query": {"customerId": "ghost"}})).await;
    assert_eq!(
        s["entitlementsState"]["accessDeniedReason"],
        "CustomerNotFound"
    );
    gql(&emu, "mutation { provisionCustomer(input: {customerId: \"bare\", subscriptionParams: null}) { customer { refId } } }", json!({})).await;
    let s = gql(&emu, STATE_DOC, json!({"query": {"customerId": "bare"}})).await;
    assert_eq!(
        s["entitlementsState"]["accessDeniedReason"],
        "NoActiveSubscription"
    );
    gql(
        &emu,
        "mutation { archiveCustomer(input: {customerId: \"bare\"}) { customerId } }",
        json!({}),
    )
    .await;
    let s = gql(&emu, STATE_DOC, json!({"query": {"customerId": "bare"}})).await;
    assert_eq!(
        s["entitlementsState"]["accessDeniedReason"],
        "CustomerIsArchived"
    );
    gql(
        &emu,
        "mutation { unarchiveCustomer(input: {customerId: \"bare\"}) { refId } }",
        json!({}),
    )
    .await;
    let s = gql(&emu, STATE_DOC, json!({"query": {"customerId": "bare"}})).await;
    assert_eq!(
        s["entitlementsState"]["accessDeniedReason"],
        "NoActiveSubscription"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn usage_delta_set_idempotency_requested_usage_and_reset() {
    let emu = start().await;
    provision(&emu, "u1", "plan-revvenu-free").await;
    let report = "mutation R($input: ReportUsageInput!) { reportUsage(input: $input) { id currentUsage usagePeriodStart usagePeriodEnd nextResetDate } }";
    let r = gql(
        &emu,
        report,
        json!({"input": {"customerId": "u1", "featureId": "feature-api-calls", "value": 400}}),
    )
    .await;
    assert_eq!(r["reportUsage"]["currentUsage"], 400.0);
    let r = gql(&emu, report, json!({"input": {"customerId": "u1", "featureId": "feature-api-calls", "value": 500, "idempotencyKey": "k1"}})).await;
    assert_eq!(r["reportUsage"]["currentUsage"], 900.0);
    let r = gql(&emu, report, json!({"input": {"customerId": "u1", "featureId": "feature-api-calls", "value": 500, "idempotencyKey": "k1"}})).await;
    assert_eq!(r["reportUsage"]["currentUsage"], 900.0, "idempotent replay");
    let r = gql(&emu, report, json!({"input": {"customerId": "u1", "featureId": "feature-seats", "value": 2, "updateBehavior": "SET"}})).await;
    assert_eq!(r["reportUsage"]["currentUsage"], 2.0);
    let one = "query E($query: FetchEntitlementQuery!) { entitlement(query: $query) { isGranted accessDeniedReason currentUsage requestedUsage usageLimit } }";
    let e = gql(&emu, one, json!({"query": {"customerId": "u1", "featureId": "feature-api-calls", "options": {"requestedUsage": 200}}})).await;
    assert_eq!(e["entitlement"]["isGranted"], false);
    assert_eq!(
        e["entitlement"]["accessDeniedReason"],
        "RequestedUsageExceedingLimit"
    );
    let e = gql(&emu, one, json!({"query": {"customerId": "u1", "featureId": "feature-api-calls", "options": {"requestedUsage": 100}}})).await;
    assert_eq!(e["entitlement"]["isGranted"], true);
    let v2 = gql(&emu, "query V($query: GetEntitlementV2Input!) { entitlementV2(query: $query) { __typename ... on FeatureEntitlement { isGranted accessDeniedReason } } }",
        json!({"query": {"customerId": "u1", "featureId": "feature-sso"}})).await;
    assert_eq!(
        v2["entitlementV2"]["accessDeniedReason"],
        "NoFeatureEntitlementInSubscription"
    );
    // a month later the incremental counter has reset, the fluctuating one has not
    admin(&emu, "/_emulator/clock/advance", json!({"days": 32})).await;
    let s = gql(&emu, STATE_DOC, json!({"query": {"customerId": "u1"}})).await;
    assert_eq!(feature(&s, "feature-api-calls")["currentUsage"], 0.0);
    assert_eq!(feature(&s, "feature-seats")["currentUsage"], 2.0);
    let bulk = gql(&emu, "mutation B($input: ReportUsageBulkInput!) { reportUsageBulk(input: $input) { featureId currentUsage } }",
        json!({"input": {"usages": [{"customerId": "u1", "featureId": "feature-api-calls", "value": 1}, {"customerId": "u1", "featureId": "feature-api-calls", "value": 2}]}})).await;
    assert_eq!(bulk["reportUsageBulk"][1]["currentUsage"], 3.0);
    let h = gql(&emu, "query H($input: UsageHistoryV2Input!) { usageHistoryV2(input: $input) { series { points { value } } } }",
        json!({"input": {"customerId": "u1", "featureId": "feature-api-calls", "startDate": "2000-01-01T00:00:00Z"}})).await;
    assert!(
        h["usageHistoryV2"]["series"][0]["points"]
            .as_array()
            .map(|a| a.len())
            .unwrap_or(0)
            >= 4
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn events_through_meters_and_credits() {
    let emu = start().await;
    provision(&emu, "ai", "plan-ai-starter").await;
    gql(&emu, "mutation E($input: UsageEventsReportInput!) { reportEvent(events: $input) }",
        json!({"input": {"usageEvents": [
            {"customerId": "ai", "eventName": "completion", "idempotencyKey": "e1", "dimensions": {"tokens": 300}},
            {"customerId": "ai", "eventName": "completion", "idempotencyKey": "e1", "dimensions": {"tokens": 300}},
            {"customerId": "ai", "eventName": "completion", "idempotencyKey": "e2", "dimensions": {"tokens": 200}}]}})).await;
    let s = gql(&emu, STATE_DOC, json!({"query": {"customerId": "ai"}})).await;
    assert_eq!(feature(&s, "feature-ai-tokens")["currentUsage"], 500.0);
    let bal = "query B($input: CreditBalanceSummaryInput!) { creditBalanceSummary(input: $input) { balances { currentBalance totalGranted totalConsumed currency { currencyId } } } }";
    let b = gql(&emu, bal, json!({"input": {"customerId": "ai"}})).await;
    assert_eq!(
        b["creditBalanceSummary"]["balances"][0]["totalGranted"],
        1000.0
    );
    assert_eq!(
        b["creditBalanceSummary"]["balances"][0]["currentBalance"],
        995.0
    );
    let g = gql(&emu, "mutation G($input: CreditGrantInput!) { createCreditGrant(input: $input) { grantId amount status } }",
        json!({"input": {"customerId": "ai", "currencyId": "cred-ai-tokens", "amount": 50, "displayName": "Bonus", "grantType": "PROMOTIONAL"}})).await;
    let gid = g["createCreditGrant"]["grantId"]
        .as_str()
        .unwrap()
        .to_string();
    let c = gql(&emu, "mutation C($input: ConsumeCreditInput!) { consumeCredits(input: $input) { amount credit { currentUsage usageLimit } } }",
        json!({"input": {"customerId": "ai", "currencyId": "cred-ai-tokens", "amount": 45, "idempotencyKey": "c1"}})).await;
    assert_eq!(c["consumeCredits"]["credit"]["currentUsage"], 50.0);
    gql(&emu, "mutation C($input: ConsumeCreditInput!) { consumeCredits(input: $input) { amount } }",
        json!({"input": {"customerId": "ai", "currencyId": "cred-ai-tokens", "amount": 45, "idempotencyKey": "c1"}})).await;
    gql(
        &emu,
        "mutation V($input: VoidCreditGrantInput!) { voidCreditGrant(input: $input) { status } }",
        json!({"input": {"id": gid}}),
    )
    .await;
    let b = gql(&emu, bal, json!({"input": {"customerId": "ai"}})).await;
    assert_eq!(
        b["creditBalanceSummary"]["balances"][0]["totalGranted"],
        1000.0
    );
    let grants = gql(&emu, "query Q($input: GetCreditGrantsInput!) { creditGrants(input: $input) { totalCount edges { node { grantId status } } } }", json!({"input": {"customerId": "ai"}})).await;
    assert_eq!(grants["creditGrants"]["totalCount"], 2);
    let est = gql(&emu, "query Q($input: EstimateEventCostInput!) { estimateEventCost(input: $input) { estimates { currencyId estimatedCost wouldOverdraft } } }",
        json!({"input": {"customerId": "ai", "eventName": "completion", "dimensions": {"tokens": 1000}}})).await;
    assert_eq!(
        est["estimateEventCost"]["estimates"][0]["estimatedCost"],
        10.0
    );
    let v2 = gql(&emu, "query V($query: GetEntitlementV2Input!) { entitlementV2(query: $query) { __typename ... on CreditEntitlement { isGranted usageLimit } } }",
        json!({"query": {"customerId": "ai", "currencyId": "cred-ai-tokens"}})).await;
    assert_eq!(v2["entitlementV2"]["__typename"], "CreditEntitlement");
    emu.shutdown().await;
}

#[tokio::test]
async fn subscriptions_lifecycle_paging_and_estimates() {
    let emu = start().await;
    provision(&emu, "s1", "plan-revvenu-free").await;
    let p = gql(&emu, "mutation P($input: ProvisionSubscriptionInput!) { provisionSubscription: provisionSubscriptionV2(input: $input) { status subscription { subscriptionId status trialEndDate addons { quantity addon { refId } } } } }",
        json!({"input": {"customerId": "s1", "planId": "plan-revvenu-pro", "addons": [{"addonId": "addon-extra-seats", "quantity": 2}]}})).await;
    let sub = &p["provisionSubscription"]["subscription"];
    assert_eq!(sub["status"], "IN_TRIAL");
    let sid = sub["subscriptionId"].as_str().unwrap().to_string();
    let s = gql(&emu, STATE_DOC, json!({"query": {"customerId": "s1"}})).await;
    assert_eq!(
        feature(&s, "feature-seats")["usageLimit"],
        20.0,
        "10 + 2 × 5 extra seats"
    );
    // promotional entitlement
    gql(&emu, "mutation G($input: GrantPromotionalEntitlementsInput!) { grantPromotionalEntitlements(input: $input) { featureId status } }",
        json!({"input": {"customerId": "s1", "promotionalEntitlements": [{"featureId": "feature-sso", "period": "ONE_MONTH"}]}})).await;
    let s = gql(&emu, STATE_DOC, json!({"query": {"customerId": "s1"}})).await;
    assert_eq!(feature(&s, "feature-sso")["isGranted"], true);
    gql(&emu, "mutation R($input: RevokePromotionalEntitlementInput!) { revokePromotionalEntitlement(input: $input) { id } }", json!({"input": {"customerId": "s1", "featureId": "feature-sso"}})).await;
    let s = gql(&emu, STATE_DOC, json!({"query": {"customerId": "s1"}})).await;
    assert_eq!(feature(&s, "feature-sso"), &Value::Null);
    // trial ends after 14 days
    admin(&emu, "/_emulator/clock/advance", json!({"days": 15})).await;
    let g = gql(
        &emu,
        "query G($input: GetSubscriptionInput!) { getSubscription(input: $input) { status } }",
        json!({"input": {"subscriptionId": sid}}),
    )
    .await;
    assert_eq!(g["getSubscription"]["status"], "ACTIVE");
    // scheduled update and its cancellation
    let u = gql(&emu, "mutation U($input: UpdateSubscriptionInput!) { updateSubscription: updateOneSubscription(input: $input) { scheduledUpdates { scheduledExecutionTime } } }",
        json!({"input": {"subscriptionId": sid, "billingPeriod": "ANNUALLY", "scheduleStrategy": "END_OF_BILLING_PERIOD"}})).await;
    assert_eq!(
        u["updateSubscription"]["scheduledUpdates"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    gql(&emu, "mutation C($input: SubscriptionUpdateScheduleCancellationInput!) { cancelSchedule(input: $input) }", json!({"input": {"subscriptionId": sid}})).await;
    // estimates
    let e = gql(&emu, "mutation E($input: EstimateSubscriptionInput!) { estimateSubscription(input: $input) { total { amount currency } subTotal { amount } } }",
        json!({"input": {"customerId": "s1", "planId": "plan-revvenu-pro", "billingPeriod": "MONTHLY", "addons": [{"addonId": "addon-extra-seats", "quantity": 2}], "appliedCoupon": {"couponId": "coupon-launch-20"}}})).await;
    assert_eq!(e["estimateSubscription"]["subTotal"]["amount"], 99.0);
    assert_eq!(e["estimateSubscription"]["total"]["amount"], 79.2);
    // paging
    for i in 0..3 {
        provision(&emu, &format!("pg{i}"), "plan-revvenu-free").await;
    }
    let q = "query S($filter: SubscriptionQueryFilter, $paging: CursorPaging) { subscriptions(filter: $filter, paging: $paging) { totalCount pageInfo { hasNextPage endCursor } edges { node { subscriptionId status } } } }";
    let page = gql(
        &emu,
        q,
        json!({"filter": {"status": {"in": ["ACTIVE", "IN_TRIAL"]}}, "paging": {"first": 2}}),
    )
    .await;
    assert_eq!(
        page["subscriptions"]["edges"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(page["subscriptions"]["pageInfo"]["hasNextPage"], true);
    let after = page["subscriptions"]["pageInfo"]["endCursor"].clone();
    let page2 = gql(&emu, q, json!({"filter": {"status": {"in": ["ACTIVE", "IN_TRIAL"]}}, "paging": {"first": 10, "after": after}})).await;
    let total = page["subscriptions"]["totalCount"].as_u64().unwrap();
    assert_eq!(
        page2["subscriptions"]["edges"]
            .as_array()
            .map(Vec::len)
            .unwrap() as u64,
        total - 2
    );
    // cancel at end of period keeps access until then, then downgrades to the free plan
    let c = gql(&emu, "mutation C($input: SubscriptionCancellationInput!) { cancelSubscription(input: $input) { status cancellationDate customer { refId } } }",
        json!({"input": {"subscriptionRefId": sid, "subscriptionCancellationTime": "END_OF_BILLING_PERIOD"}})).await;
    assert_eq!(c["cancelSubscription"]["status"], "ACTIVE");
    assert_eq!(c["cancelSubscription"]["customer"]["refId"], "s1");
    admin(&emu, "/_emulator/clock/advance", json!({"days": 32})).await;
    let a = gql(&emu, "query A($input: GetActiveSubscriptionsInput!) { getActiveSubscriptions(input: $input) { status plan { refId } } }", json!({"input": {"customerId": "s1"}})).await;
    assert_eq!(
        a["getActiveSubscriptions"][0]["plan"]["refId"],
        "plan-revvenu-free"
    );
    // immediate cancellation of the free plan: no active subscription
    let a = gql(&emu, "query A($input: GetActiveSubscriptionsInput!) { getActiveSubscriptions(input: $input) { subscriptionId } }", json!({"input": {"customerId": "pg0"}})).await;
    let id0 = a["getActiveSubscriptions"][0]["subscriptionId"].clone();
    gql(&emu, "mutation C($input: SubscriptionCancellationInput!) { cancelSubscription(input: $input) { status } }", json!({"input": {"subscriptionRefId": id0, "subscriptionCancellationTime": "IMMEDIATE"}})).await;
    let s = gql(&emu, STATE_DOC, json!({"query": {"customerId": "pg0"}})).await;
    assert_eq!(
        s["entitlementsState"]["accessDeniedReason"],
        "NoActiveSubscription"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn catalog_queries_products_paywall_coupons() {
    let emu = start().await;
    let d = gql(&emu, "query { products(paging: {first: 20}) { edges { node { refId displayName productSettings { downgradePlan { refId } } } } } coupons(filter: {status: {eq: ACTIVE}}, paging: {first: 25}) { edges { node { refId percentOff amountsOff { amount } } } } sdkConfiguration { sentryDsn isWidgetWatermarkEnabled } }", json!({})).await;
    assert_eq!(d["products"]["edges"].as_array().map(Vec::len), Some(2));
    assert_eq!(d["coupons"]["edges"].as_array().map(Vec::len), Some(2));
    let p = gql(&emu, "query P($input: GetPaywallInput!) { paywall(input: $input) { currency { code } plans { refId pricingType prices { billingPeriod price { amount currency } } basePlan { refId } compatibleAddons { refId } defaultTrialConfig { duration units } product { refId productSettings { downgradePlan { refId } } } } } }",
        json!({"input": {"productId": "product-revvenu"}})).await;
    assert_eq!(p["paywall"]["plans"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        p["paywall"]["plans"][1]["defaultTrialConfig"]["duration"],
        14.0
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn named_fragments_on_unions_resolve_member_fields() {
    let emu = start().await;
    provision(&emu, "frag", "plan-revvenu-pro").await;
    let d = gql(
        &emu,
        "query GetEntitlementsState($query: FetchEntitlementsQuery!) { entitlementsState(query: $query) { __typename entitlementsV2 { __typename ...EntitlementUnionFragment } } }
         fragment EntitlementUnionFragment on EntitlementUnion { ... on FeatureEntitlement { ...FeatureEntitlementFragment } ... on CreditEntitlement { __typename isGranted } }
         fragment FeatureEntitlementFragment on FeatureEntitlement { __typename isGranted hasUnlimitedUsage resetPeriodConfiguration { ...ResetPeriodConfigurationFragment } feature { refId } }
         fragment ResetPeriodConfigurationFragment on ResetPeriodConfiguration { __typename ... on MonthlyResetPeriodConfig { monthlyAccordingTo } }",
        json!({"query": {"customerId": "frag"}}),
    )
    .await;
    let list = d["entitlementsState"]["entitlementsV2"].as_array().unwrap();
    assert!(
        list.iter()
            .all(|e| e["isGranted"].is_boolean() && e["feature"]["refId"].is_string()),
        "{d}"
    );
    let calls = list
        .iter()
        .find(|e| e["feature"]["refId"] == "feature-api-calls")
        .unwrap();
    assert_eq!(
        calls["resetPeriodConfiguration"]["monthlyAccordingTo"],
        "StartOfTheMonth"
    );
    emu.shutdown().await;
}
