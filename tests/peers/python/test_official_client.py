"""The official ``stigg-api-client-v2`` (PyPI) against the stigg-emulator.

Every call goes through the client's own methods, so each response is also validated by the
client's pydantic models (the shape check of the former ``emulator/tools/check_python_shapes.py``);
the assertions check the values against the example catalog (``emulator/catalog/example.yaml``).
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime

import pytest
from stigg.generated import (
    BillingPeriod,
    ConsumeCreditInput,
    ConsumeCreditsAsyncInput,
    CreditBalanceSummaryInput,
    CreditGrantInput,
    CreditGrantTypeInput,
    CursorPaging,
    EntitlementOptions,
    EstimateSubscriptionInput,
    EstimateSubscriptionUpdateInput,
    EstimateUsageCostInput,
    EstimateEventCostInput,
    FetchEntitlementQuery,
    FetchEntitlementsQuery,
    GetActiveSubscriptionsInput,
    GetCreditGrantsInput,
    GetCustomerByRefIdInput,
    GetEntitlementV2Input,
    GetPaywallInput,
    GetSubscriptionInput,
    GrantPromotionalEntitlementInput,
    GrantPromotionalEntitlementsInput,
    PreviewSubscriptionInput,
    PromotionalEntitlementPeriod,
    ProvisionCustomerInput,
    ProvisionCustomerSubscriptionInput,
    ProvisionSubscriptionInput,
    ReportUsageBaseInput,
    ReportUsageBulkInput,
    ReportUsageInput,
    RevokePromotionalEntitlementInput,
    StringFieldComparison,
    SubscriptionAddonInput,
    SubscriptionCancellationInput,
    SubscriptionCancellationTime,
    SubscriptionInput,
    SubscriptionMigrationInput,
    SubscriptionQueryFilter,
    SubscriptionUpdateScheduleCancellationInput,
    TrialOverrideConfigurationInput,
    UpdateCustomerInput,
    UpdateSubscriptionInput,
    UsageEventReportInput,
    UsageEventsReportInput,
    UsageHistoryV2Input,
    UsageUpdateBehavior,
    ApplySubscriptionInput,
    ArchiveCustomerInput,
    ImportCustomerInput,
    PreviewNextInvoiceInput,
    TransferSubscriptionToResourceInput,
    UnarchiveCustomerInput,
    VoidCreditGrantInput,
)
from stigg.generated.exceptions import GraphQLClientGraphQLMultiError

NO_TRIAL = TrialOverrideConfigurationInput(is_trial=False)


# ---------------------------------------------------------------------------------------- helpers


def provision(stigg, customer_id: str, plan: str = "plan-revvenu-pro", **sub):
    """Provision a customer subscribed to ``plan`` without a trial."""
    return stigg.provision_customer(
        ProvisionCustomerInput(
            customer_id=customer_id,
            name="Acme",
            email="billing@acme.test",
            subscription_params=ProvisionCustomerSubscriptionInput(
                plan_id=plan, trial_override_configuration=NO_TRIAL, **sub
            ),
        )
    ).provision_customer


def features_v2(state) -> dict:
    """``entitlementsV2`` feature entitlements by feature id."""
    return {
        e.feature.ref_id: e
        for e in state.entitlements_v_2
        if e.typename__ == "FeatureEntitlement"
    }


def credits_v2(state) -> dict:
    return {
        e.currency.currency_id: e
        for e in state.entitlements_v_2
        if e.typename__ == "CreditEntitlement"
    }


def state_of(client, customer_id: str, resource_id: str | None = None):
    return client.get_entitlements_state(
        FetchEntitlementsQuery(customer_id=customer_id, resource_id=resource_id)
    ).entitlements_state


def error_codes(exc: GraphQLClientGraphQLMultiError) -> list[str]:
    return [(e.extensions or {}).get("code") for e in exc.errors]


# ---------------------------------------------------------------------------------------- customers


def test_provision_customer_with_plan(stigg, customer_id):
    p = provision(
        stigg,
        customer_id,
        addons=[SubscriptionAddonInput(addon_id="addon-extra-seats", quantity=2)],
    )
    assert p.customer.ref_id == customer_id
    assert p.customer.name == "Acme"
    assert p.subscription_decision_strategy.value == "REQUESTED_PLAN"
    assert p.subscription.status.value == "ACTIVE"
    assert p.subscription.plan.ref_id == "plan-revvenu-pro"
    assert [(a.addon.ref_id, a.quantity) for a in p.subscription.addons] == [
        ("addon-extra-seats", 2)
    ]
    # $49 plan + 2 × $25 addon
    assert p.subscription.total_price.total.amount == pytest.approx(99.0)
    by_feature = {e.feature.ref_id: e for e in p.entitlements_v_2 if e.typename__ == "FeatureEntitlement"}
    assert by_feature["feature-seats"].usage_limit == 10 + 2 * 5
    assert by_feature["feature-custom-domain"].is_granted is True
    assert "feature-sso" not in by_feature
    legacy = {e.feature.ref_id: e for e in p.entitlements}
    assert legacy["feature-seats"].customer_id == customer_id


def test_provision_customer_default_trial_and_free_plan(stigg, customer_id):
    trial = stigg.provision_customer(
        ProvisionCustomerInput(
            customer_id=customer_id,
            subscription_params=ProvisionCustomerSubscriptionInput(plan_id="plan-revvenu-pro"),
        )
    ).provision_customer
    assert trial.subscription.status.value == "IN_TRIAL"  # 14-day default trial

    free_id = customer_id + "-free"
    free = stigg.provision_customer(ProvisionCustomerInput(customer_id=free_id)).provision_customer
    assert free.subscription_decision_strategy.value == "PREDEFINED_FREE_PLAN"
    assert free.subscription.plan.ref_id == "plan-revvenu-free"


def test_get_and_update_customer(stigg, customer_id):
    p = provision(stigg, customer_id)
    c = stigg.get_customer_by_id(GetCustomerByRefIdInput(customer_id=customer_id)).get_customer_by_ref_id
    assert (c.ref_id, c.name, c.email) == (customer_id, "Acme", "billing@acme.test")
    assert c.has_active_subscription is True
    assert [s.subscription_id for s in c.subscriptions] == [p.subscription.subscription_id]
    assert c.subscriptions[0].plan.ref_id == "plan-revvenu-pro"

    u = stigg.update_customer(
        UpdateCustomerInput(customer_id=customer_id, name="Acme Inc", additional_meta_data={"tier": "gold"})
    ).update_customer
    assert u.name == "Acme Inc"
    assert u.additional_meta_data == {"tier": "gold"}

    stats = stigg.get_customer_statistics(GetCustomerByRefIdInput(customer_id=customer_id))
    by_type = stats.get_customer_by_ref_id.statistics.active_subscriptions_by_pricing_type
    assert [(x.pricing_type.value, x.total_count) for x in by_type] == [("PAID", 1)]


def test_unknown_customer_is_a_graphql_error(stigg):
    with pytest.raises(GraphQLClientGraphQLMultiError) as e:
        stigg.get_customer_by_id(GetCustomerByRefIdInput(customer_id="py-does-not-exist"))
    assert error_codes(e.value) == ["CustomerNotFound"]


def test_archive_and_unarchive(stigg, customer_id):
    provision(stigg, customer_id)
    stigg.archive_customer(ArchiveCustomerInput(customer_id=customer_id))
    assert state_of(stigg, customer_id).access_denied_reason.value == "CustomerIsArchived"
    un = stigg.unarchive_customer(UnarchiveCustomerInput(customer_id=customer_id)).unarchive_customer
    assert un.ref_id == customer_id


# ------------------------------------------------------------------------------------ subscriptions


def test_provision_update_cancel_subscription(stigg, stigg_graphql, customer_id):
    stigg.provision_customer(ProvisionCustomerInput(customer_id=customer_id, subscription_params=None))
    assert state_of(stigg, customer_id).access_denied_reason.value == "NoActiveSubscription"

    ps = stigg.provision_subscription(
        ProvisionSubscriptionInput(
            customer_id=customer_id,
            plan_id="plan-revvenu-pro",
            billing_period=BillingPeriod.MONTHLY,
            trial_override_configuration=NO_TRIAL,
        )
    ).provision_subscription
    assert ps.status.value == "SUCCESS"
    sub_id = ps.subscription.subscription_id
    assert ps.subscription.status.value == "ACTIVE"
    assert {e.feature.ref_id for e in ps.entitlements_v_2 if e.typename__ == "FeatureEntitlement"} >= {
        "feature-custom-domain",
        "feature-api-calls",
    }

    # update: add 3 × 5 extra seats, seen by both read paths
    up = stigg.update_subscription(
        UpdateSubscriptionInput(
            subscription_id=sub_id,
            addons=[SubscriptionAddonInput(addon_id="addon-extra-seats", quantity=3)],
        )
    ).update_subscription
    assert [(a.addon.ref_id, a.quantity) for a in up.addons] == [("addon-extra-seats", 3)]
    for client in (stigg, stigg_graphql):
        assert features_v2(state_of(client, customer_id))["feature-seats"].usage_limit == 25

    got = stigg.get_subscription(GetSubscriptionInput(subscription_id=sub_id)).get_subscription
    assert got.plan.ref_id == "plan-revvenu-pro" and got.status.value == "ACTIVE"

    # cancel immediately: the product's downgrade plan takes over
    c = stigg.cancel_subscription(
        SubscriptionCancellationInput(
            subscription_ref_id=sub_id,
            subscription_cancellation_time=SubscriptionCancellationTime.IMMEDIATE,
        )
    ).cancel_subscription
    assert c.status.value == "CANCELED"
    active = stigg_graphql.get_active_subscriptions_list(
        GetActiveSubscriptionsInput(customer_id=customer_id)
    ).get_active_subscriptions
    assert [s.plan.plan_id for s in active] == ["plan-revvenu-free"]
    f = features_v2(state_of(stigg, customer_id))
    assert "feature-custom-domain" not in f
    assert f["feature-seats"].usage_limit == 2


def test_cancel_at_period_end_keeps_access_until_then(stigg, emulator, customer_id):
    sub_id = provision(stigg, customer_id).subscription.subscription_id
    c = stigg.cancel_subscription(
        SubscriptionCancellationInput(
            subscription_ref_id=sub_id,
            subscription_cancellation_time=SubscriptionCancellationTime.END_OF_BILLING_PERIOD,
        )
    ).cancel_subscription
    assert c.status.value == "ACTIVE"
    assert c.cancellation_date is not None
    f = features_v2(state_of(stigg, customer_id))
    assert f["feature-custom-domain"].is_granted is True
    assert f["feature-custom-domain"].valid_until is not None


def test_subscription_queries_and_estimates(stigg, customer_id):
    sub_id = provision(stigg, customer_id).subscription.subscription_id
    listed = stigg.get_subscriptions(
        filter=SubscriptionQueryFilter(customer_id=StringFieldComparison(eq=customer_id)),
        paging=CursorPaging(first=10),
    ).subscriptions
    assert [e.node.subscription_id for e in listed.edges] == [sub_id]
    assert listed.page_info.has_next_page is False

    full = stigg.get_active_subscriptions(GetActiveSubscriptionsInput(customer_id=customer_id))
    assert [s.subscription_id for s in full.get_active_subscriptions] == [sub_id]

    est = stigg.estimate_subscription(
        EstimateSubscriptionInput(
            customer_id=customer_id,
            plan_id="plan-revvenu-pro",
            addons=[SubscriptionAddonInput(addon_id="addon-api-boost", quantity=1)],
        )
    ).estimate_subscription
    assert est.total.amount == pytest.approx(49 + 15)
    upd = stigg.estimate_subscription_update(
        EstimateSubscriptionUpdateInput(
            subscription_id=sub_id,
            addons=[SubscriptionAddonInput(addon_id="addon-extra-seats", quantity=4)],
        )
    ).estimate_subscription_update
    assert upd.total.amount == pytest.approx(49 + 4 * 25)
    prev = stigg.preview_subscription(
        PreviewSubscriptionInput(customer_id=customer_id, plan_id="plan-revvenu-pro", billing_period=BillingPeriod.ANNUALLY)
    ).preview_subscription
    assert prev.immediate_invoice.total.amount == pytest.approx(490)

    mig = stigg.migrate_subscription_to_latest(SubscriptionMigrationInput(subscription_id=sub_id))
    assert mig.migrate_subscription_to_latest.subscription_id == sub_id
    sched = stigg.cancel_subscription_updates(SubscriptionUpdateScheduleCancellationInput(subscription_id=sub_id))
    assert sched.cancel_schedule == sub_id

    created = stigg.create_subscription(
        SubscriptionInput(customer_id=customer_id, plan_id="plan-ai-starter")
    ).create_subscription
    assert created.plan.ref_id == "plan-ai-starter"
    assert created.status.value == "ACTIVE"


def test_resources_apply_import_and_invoice(stigg, customer_id):
    imp = stigg.import_customer(ImportCustomerInput(customer_id=customer_id, name="Imported")).import_customer
    assert (imp.ref_id, imp.name) == (customer_id, "Imported")
    applied = stigg.apply_subscription(
        ApplySubscriptionInput(
            customer_id=customer_id,
            plan_id="plan-revvenu-pro",
            resource_id="site-1",
            skip_trial=True,
        )
    ).apply_subscription
    sub_id = applied.subscription.subscription_id
    assert applied.subscription.resource.resource_id == "site-1"
    # resource-scoped entitlements; the customer level has no subscription
    assert features_v2(state_of(stigg, customer_id, "site-1"))["feature-custom-domain"].is_granted
    assert state_of(stigg, customer_id).access_denied_reason.value == "NoActiveSubscription"

    moved = stigg.transfer_subscription_to_resource(
        TransferSubscriptionToResourceInput(subscription_id=sub_id, destination_resource_id="site-2")
    ).transfer_subscription_to_resource
    assert moved.resource.resource_id == "site-2"
    assert state_of(stigg, customer_id, "site-1").access_denied_reason.value == "NoActiveSubscription"
    assert "feature-custom-domain" in features_v2(state_of(stigg, customer_id, "site-2"))
    listed = stigg.get_active_subscriptions_list(
        GetActiveSubscriptionsInput(customer_id=customer_id, resource_id="site-2")
    ).get_active_subscriptions
    assert [s.subscription_id for s in listed] == [sub_id]

    inv = stigg.preview_next_invoice(PreviewNextInvoiceInput(subscription_id=sub_id)).preview_next_invoice
    assert inv.total.amount == pytest.approx(49)
    mock = stigg.get_mock_paywall(GetPaywallInput(product_id="product-ai-api")).mock_paywall
    assert [p.ref_id for p in mock.plans] == ["plan-ai-starter", "plan-ai-scale"]


# ------------------------------------------------------------------------------------- entitlements


def test_entitlements_state_graphql_and_edge(stigg, stigg_graphql, emulator, customer_id):
    provision(stigg, customer_id)
    edge = state_of(stigg, customer_id)  # Edge: GET /v1/c/{id}/entitlements-state.json
    gql = state_of(stigg_graphql, customer_id)  # GraphQL: GetEntitlementsState
    assert edge.access_denied_reason is None and gql.access_denied_reason is None
    assert edge.model_dump() == gql.model_dump(), "Edge and GraphQL disagree"

    f = features_v2(edge)
    assert f["feature-custom-domain"].is_granted is True  # boolean (own)
    assert f["feature-seats"].usage_limit == 10  # fluctuating, overrides base plan's 2
    assert f["feature-max-projects"].usage_limit == 25  # numeric, meter None
    assert f["feature-max-projects"].feature.meter_type.value == "None"
    calls = f["feature-api-calls"]
    assert (calls.usage_limit, calls.current_usage, calls.reset_period.value) == (100000, 0, "MONTH")
    assert calls.reset_period_configuration.monthly_according_to.value == "StartOfTheMonth"
    start = datetime.fromisoformat(str(calls.usage_period_start).replace("Z", "+00:00"))
    assert (start.day, start.hour) == (1, 0)  # StartOfTheMonth anchor
    assert f["feature-daily-exports"].has_soft_limit is True
    assert sorted(f["feature-data-region"].enum_values) == ["eu", "us"]
    assert "feature-sso" not in f

    # the Edge endpoint itself: GraphQL-shaped envelope
    status, body = emulator.edge_get(f"/v1/c/{customer_id}/entitlements-state.json")
    assert status == 200 and set(body["data"]["entitlementsState"]) >= {
        "entitlements",
        "entitlementsV2",
        "accessDeniedReason",
    }

    missing = state_of(stigg, "py-nobody-" + uuid.uuid4().hex[:6])
    assert missing.access_denied_reason.value == "CustomerNotFound"
    assert missing.entitlements_v_2 == []


def test_single_entitlement_edge_and_graphql(stigg, stigg_graphql, customer_id):
    provision(stigg, customer_id)
    for client in (stigg, stigg_graphql):
        ok = client.get_entitlement(
            FetchEntitlementQuery(
                customer_id=customer_id,
                feature_id="feature-api-calls",
                options=EntitlementOptions(requested_usage=10),
            )
        ).entitlement
        assert (ok.is_granted, ok.requested_usage) == (True, 10)
        over = client.get_entitlement(
            FetchEntitlementQuery(
                customer_id=customer_id,
                feature_id="feature-api-calls",
                options=EntitlementOptions(requested_usage=100001),
            )
        ).entitlement
        assert over.is_granted is False
        assert over.access_denied_reason.value == "RequestedUsageExceedingLimit"
        sso = client.get_entitlement(
            FetchEntitlementQuery(customer_id=customer_id, feature_id="feature-sso")
        ).entitlement
        assert sso.access_denied_reason.value == "NoFeatureEntitlementInSubscription"
        listed = client.get_entitlements(FetchEntitlementsQuery(customer_id=customer_id)).entitlements
        assert {e.feature.ref_id for e in listed} >= {"feature-seats", "feature-data-region"}

    region = stigg.get_entitlement_v_2(
        GetEntitlementV2Input(
            customer_id=customer_id,
            feature_id="feature-data-region",
            options=EntitlementOptions(requested_values=["apac"]),
        )
    ).entitlement_v_2
    assert region.typename__ == "FeatureEntitlement"
    assert region.access_denied_reason.value == "RequestedValuesMismatch"


def test_promotional_entitlements(stigg, customer_id):
    provision(stigg, customer_id)
    g = stigg.grant_promotional_entitlements(
        GrantPromotionalEntitlementsInput(
            customer_id=customer_id,
            promotional_entitlements=[
                GrantPromotionalEntitlementInput(feature_id="feature-sso", period=PromotionalEntitlementPeriod.ONE_WEEK)
            ],
        )
    ).grant_promotional_entitlements
    assert [p.feature_id for p in g] == ["feature-sso"]
    sso = features_v2(state_of(stigg, customer_id))["feature-sso"]
    assert sso.is_granted is True and sso.valid_until is not None
    stigg.revoke_promotional_entitlement(
        RevokePromotionalEntitlementInput(customer_id=customer_id, feature_id="feature-sso")
    )
    assert "feature-sso" not in features_v2(state_of(stigg, customer_id))


# ---------------------------------------------------------------------------------------- usage


def test_report_usage_changes_current_usage(stigg, stigg_graphql, customer_id):
    provision(stigg, customer_id)

    def usage(feature: str) -> float:
        return features_v2(state_of(stigg, customer_id))[feature].current_usage

    r = stigg.report_usage(ReportUsageInput(customer_id=customer_id, feature_id="feature-api-calls", value=7)).report_usage
    assert (r.feature_id, r.customer_id, r.current_usage) == ("feature-api-calls", customer_id, 7)
    assert r.usage_period_end is not None
    r = stigg.report_usage(ReportUsageInput(customer_id=customer_id, feature_id="feature-api-calls", value=5)).report_usage
    assert r.current_usage == 12
    assert usage("feature-api-calls") == 12  # Edge
    assert features_v2(state_of(stigg_graphql, customer_id))["feature-api-calls"].current_usage == 12

    # SET replaces, idempotency keys replay the first answer
    s = stigg.report_usage(
        ReportUsageInput(
            customer_id=customer_id,
            feature_id="feature-seats",
            value=4,
            update_behavior=UsageUpdateBehavior.SET,
            idempotency_key="seats-1",
        )
    ).report_usage
    assert s.current_usage == 4
    again = stigg.report_usage(
        ReportUsageInput(
            customer_id=customer_id,
            feature_id="feature-seats",
            value=9,
            update_behavior=UsageUpdateBehavior.SET,
            idempotency_key="seats-1",
        )
    ).report_usage
    assert (again.current_usage, again.id) == (4, s.id)
    assert usage("feature-seats") == 4

    bulk = stigg.report_usage_bulk(
        ReportUsageBulkInput(
            usages=[
                ReportUsageBaseInput(customer_id=customer_id, feature_id="feature-api-calls", value=1),
                ReportUsageBaseInput(customer_id=customer_id, feature_id="feature-daily-exports", value=2),
            ]
        )
    ).report_usage_bulk
    assert [u.current_usage for u in bulk] == [13, 2]

    # over the limit: denied for a requested usage that does not fit
    stigg.report_usage(ReportUsageInput(customer_id=customer_id, feature_id="feature-seats", value=10, update_behavior=UsageUpdateBehavior.SET))
    seats = stigg.get_entitlement(
        FetchEntitlementQuery(customer_id=customer_id, feature_id="feature-seats", options=EntitlementOptions(requested_usage=1))
    ).entitlement
    assert (seats.current_usage, seats.is_granted) == (10, False)

    hist = stigg.get_usage_history_v_2(
        UsageHistoryV2Input(customer_id=customer_id, feature_id="feature-api-calls", start_date="2020-01-01T00:00:00Z")
    ).usage_history_v_2
    assert [p.value for p in hist.series[0].points] == [7, 12, 13]

    with pytest.raises(GraphQLClientGraphQLMultiError) as e:
        stigg.report_usage(ReportUsageInput(customer_id=customer_id, feature_id="feature-no-such", value=1))
    assert error_codes(e.value) == ["FeatureNotFound"]


def test_report_events_through_meters(stigg, customer_id):
    provision(stigg, customer_id)
    ev = lambda name, key, **dims: UsageEventReportInput(  # noqa: E731
        customer_id=customer_id, event_name=name, idempotency_key=key, dimensions=dims or None
    )
    stigg.report_event(
        UsageEventsReportInput(
            usage_events=[
                ev("api_request", "r1"),
                ev("api_request", "r2"),
                ev("api_request", "r2"),  # duplicate idempotency key: ignored
                ev("export_finished", "x1", status="ok"),
                ev("export_finished", "x2", status="failed"),  # filtered out by the meter
                ev("unmetered_event", "u1"),
            ]
        )
    )
    f = features_v2(state_of(stigg, customer_id))
    assert f["feature-api-calls"].current_usage == 2
    assert f["feature-daily-exports"].current_usage == 1


def test_credits_grant_consume_and_events(stigg, customer_id):
    provision(stigg, customer_id, plan="plan-ai-starter")  # grants 1 000 credits
    cur = "cred-ai-tokens"
    assert credits_v2(state_of(stigg, customer_id))[cur].usage_limit == 1000

    g = stigg.grant_credits(
        CreditGrantInput(
            customer_id=customer_id,
            currency_id=cur,
            amount=500,
            display_name="Goodwill",
            grant_type=CreditGrantTypeInput.PROMOTIONAL,
        )
    ).create_credit_grant
    assert (g.amount, g.currency_id, g.status.value) == (500, cur, "ACTIVE")

    c = stigg.consume_credits(
        ConsumeCreditInput(customer_id=customer_id, currency_id=cur, amount=200, idempotency_key="c1")
    ).consume_credits
    assert c.amount == 200 and c.credit.current_usage == 200
    replay = stigg.consume_credits(
        ConsumeCreditInput(customer_id=customer_id, currency_id=cur, amount=200, idempotency_key="c1")
    ).consume_credits
    assert replay.credit.current_usage == 200  # idempotent
    stigg.consume_credits_async(
        ConsumeCreditsAsyncInput(
            consumptions=[ConsumeCreditInput(customer_id=customer_id, currency_id=cur, amount=50, idempotency_key="c2")]
        )
    )
    # 1 000 tokens reported through the `completion` meter cost 0.01 each = 10 credits
    stigg.report_event(
        UsageEventsReportInput(
            usage_events=[
                UsageEventReportInput(customer_id=customer_id, event_name="completion", idempotency_key="t1", dimensions={"tokens": 1000})
            ]
        )
    )
    bal = stigg.get_credit_balance(CreditBalanceSummaryInput(customer_id=customer_id, currency_id=cur)).credit_balance_summary
    b = bal.balances[0]
    assert (b.total_granted, b.total_consumed, b.current_balance) == (1500, 260, 1240)
    w = credits_v2(state_of(stigg, customer_id))[cur]
    assert (w.usage_limit, w.current_usage, w.is_granted) == (1500, 260, True)
    assert features_v2(state_of(stigg, customer_id))["feature-ai-tokens"].current_usage == 1000

    grants = stigg.get_credit_grants(GetCreditGrantsInput(customer_id=customer_id)).credit_grants
    assert grants.total_count == 2
    assert sorted(e.node.amount for e in grants.edges) == [500, 1000]

    cost = stigg.estimate_usage_cost(
        EstimateUsageCostInput(customer_id=customer_id, feature_id="feature-ai-tokens", value=300)
    ).estimate_usage_cost
    assert cost.estimates[0].estimated_cost == pytest.approx(3.0)
    ecost = stigg.estimate_event_cost(
        EstimateEventCostInput(customer_id=customer_id, event_name="completion", dimensions={"tokens": 50})
    ).estimate_event_cost
    assert ecost.estimates[0].estimated_cost == pytest.approx(0.5)

    voided = stigg.void_credit_grant(VoidCreditGrantInput(id=g.grant_id)).void_credit_grant
    assert voided.status.value == "VOIDED"
    w = credits_v2(state_of(stigg, customer_id))[cur]
    assert w.usage_limit == 1000


# -------------------------------------------------------------------------------------- catalog


def test_products_paywall_coupons_and_config(stigg, stigg_graphql, customer_id):
    products = stigg.get_products().products
    assert [e.node.ref_id for e in products.edges] == ["product-revvenu", "product-ai-api"]
    assert products.edges[0].node.product_settings.downgrade_plan.ref_id == "plan-revvenu-free"

    # no customer: Edge GET /v1/p/{product}/paywall.json
    pw = stigg.get_paywall(GetPaywallInput(product_id="product-revvenu")).paywall
    assert [p.ref_id for p in pw.plans] == ["plan-revvenu-free", "plan-revvenu-pro", "plan-revvenu-enterprise"]
    pro = pw.plans[1]
    assert pro.base_plan.ref_id == "plan-revvenu-free"
    assert pro.default_trial_config.duration == 14
    assert sorted((p.billing_period.value, p.price.amount) for p in pro.prices if p.feature is None) == [
        ("ANNUALLY", 490),
        ("MONTHLY", 49),
    ]
    assert {a.ref_id for a in pro.compatible_addons} == {"addon-extra-seats", "addon-api-boost"}
    via_gql = stigg_graphql.get_paywall(GetPaywallInput(product_id="product-revvenu")).paywall
    assert [p.ref_id for p in via_gql.plans] == [p.ref_id for p in pw.plans]

    # with a customer: always GraphQL, with the customer's active subscriptions
    provision(stigg, customer_id)
    cpw = stigg.get_paywall(GetPaywallInput(customer_id=customer_id, product_id="product-revvenu")).paywall
    assert cpw.customer.ref_id == customer_id
    assert [s.plan.ref_id for s in cpw.active_subscriptions] == ["plan-revvenu-pro"]

    coupons = stigg.get_coupons().coupons
    assert sorted(e.node.ref_id for e in coupons.edges) == ["coupon-launch-20", "coupon-ten-dollars"]
    assert stigg.get_sdk_configuration().sdk_configuration is not None


# ---------------------------------------------------------------------------------- async client


def test_async_client_round_trip(emulator, customer_id):
    from stigg import Stigg

    async def main():
        client = Stigg.create_async_client(
            "server-emulator-key", api_url=emulator.graphql_url, edge_api_url=emulator.edge_url
        )
        p = await client.provision_customer(
            ProvisionCustomerInput(
                customer_id=customer_id,
                subscription_params=ProvisionCustomerSubscriptionInput(
                    plan_id="plan-revvenu-enterprise", trial_override_configuration=NO_TRIAL
                ),
            )
        )
        assert p.provision_customer.subscription.plan.ref_id == "plan-revvenu-enterprise"
        r = await client.report_usage(ReportUsageInput(customer_id=customer_id, feature_id="feature-api-calls", value=3))
        assert r.report_usage.current_usage == 3
        state = (await client.get_entitlements_state(FetchEntitlementsQuery(customer_id=customer_id))).entitlements_state
        f = features_v2(state)
        assert f["feature-sso"].is_granted is True
        assert f["feature-seats"].has_unlimited_usage is True
        assert f["feature-api-calls"].current_usage == 3
        assert sorted(f["feature-data-region"].enum_values) == ["apac", "eu", "us"]
        one = await client.get_entitlement(FetchEntitlementQuery(customer_id=customer_id, feature_id="feature-sso"))
        assert one.entitlement.is_granted is True
        await client.http_client.aclose()

    asyncio.run(main())


def test_clock_advance_resets_daily_usage(stigg, emulator, customer_id):
    """Admin clock: a DAY reset period rolls over (run last: it moves the shared clock)."""
    provision(stigg, customer_id)
    stigg.report_usage(ReportUsageInput(customer_id=customer_id, feature_id="feature-daily-exports", value=3))
    before = features_v2(state_of(stigg, customer_id))["feature-daily-exports"]
    assert before.current_usage == 3
    emulator.admin("clock/advance", {"days": 1})
    try:
        after = features_v2(state_of(stigg, customer_id))["feature-daily-exports"]
        assert after.current_usage == 0
        assert after.usage_period_start == before.usage_period_end
        assert emulator.admin("clock")["offsetMs"] == 86_400_000
    finally:
        emulator.admin("clock/advance", {"days": -1})

