"""Every RPC of stigg.sidecar.v1.SidecarService through the official Python sidecar SDK, against our
sidecar backed by the emulator (catalog: emulator/catalog/example.yaml)."""

import betterproto
import pytest
from grpclib.const import Status
from grpclib.exceptions import GRPCError
from stigg_sidecar_sdk import (
    AccessDeniedReason,
    BooleanEntitlementFallback,
    BooleanEntitlementOptions,
    EntitlementResetPeriod,
    EnumEntitlementOptions,
    Event,
    EventDimensionValue,
    FeatureType,
    GetBooleanEntitlementRequest,
    GetEntitlementOptions,
    GetEntitlementRequest,
    GetEntitlementsRequest,
    GetEntitlementsStateV2Request,
    GetEntitlementV2Request,
    GetEnumEntitlementRequest,
    GetMeteredEntitlementRequest,
    GetNumericEntitlementRequest,
    MeteredEntitlementOptions,
    MeterType,
    ReloadEntitlementsRequest,
    ReportEventsRequest,
    ReportUsageBulkRequest,
    ReportUsageRequest,
    UsageUpdateBehavior,
)

from conftest import http_get, new_id, provision


async def test_boolean_entitlement_granted_and_denied(client):
    cid = new_id()
    await provision(client, cid, "plan-revvenu-pro")
    r = await client.get_boolean_entitlement(
        GetBooleanEntitlementRequest(customer_id=cid, feature_id="feature-custom-domain"))
    assert r.has_access is True
    assert r.is_fallback is False
    assert r.access_denied_reason is None
    assert r.entitlement.feature.id == "feature-custom-domain"
    assert r.entitlement.feature.feature_type == FeatureType.FEATURE_TYPE_BOOLEAN
    assert r.entitlement.feature.is_metered is False

    r = await client.get_boolean_entitlement(
        GetBooleanEntitlementRequest(customer_id=cid, feature_id="feature-sso"))
    assert r.has_access is False
    assert r.is_fallback is False
    assert r.access_denied_reason == AccessDeniedReason.ACCESS_DENIED_REASON_NO_FEATURE_ENTITLEMENT_IN_SUBSCRIPTION


async def test_numeric_entitlement(client):
    cid = new_id()
    await provision(client, cid, "plan-revvenu-pro")
    r = await client.get_numeric_entitlement(
        GetNumericEntitlementRequest(customer_id=cid, feature_id="feature-max-projects"))
    assert r.has_access is True
    assert r.is_fallback is False
    assert r.entitlement.value == 25
    assert r.entitlement.is_unlimited is False
    assert r.entitlement.feature.meter_type == MeterType.METER_TYPE_NONE
    assert r.entitlement.feature.units == "project"
    assert r.entitlement.feature.units_plural == "projects"


async def test_metered_entitlement_presence_and_periods(client):
    cid = new_id()
    await provision(client, cid, "plan-revvenu-pro")
    # requested_usage = 0.0 is *set* (proto3 optional) and echoed.
    r = await client.get_metered_entitlement(GetMeteredEntitlementRequest(
        customer_id=cid, feature_id="feature-api-calls",
        options=MeteredEntitlementOptions(requested_usage=0.0)))
    assert r.has_access is True
    assert r.is_fallback is False
    assert r.requested_usage == 0.0
    m = r.entitlement
    assert m.usage_limit == 100000.0
    assert m.current_usage == 0.0
    assert m.is_unlimited is False
    # has_soft_limit = false comes back present-and-false, not absent.
    assert m.has_soft_limit is False
    assert m.reset_period == EntitlementResetPeriod.ENTITLEMENT_RESET_PERIOD_MONTH
    assert m.usage_period_start is not None and m.usage_period_end is not None
    assert m.usage_period_start < m.usage_period_end
    assert m.feature.is_metered is True
    assert m.feature.meter_type == MeterType.METER_TYPE_INCREMENTAL

    r = await client.get_metered_entitlement(GetMeteredEntitlementRequest(
        customer_id=cid, feature_id="feature-daily-exports"))
    assert r.entitlement.has_soft_limit is True
    assert r.entitlement.reset_period == EntitlementResetPeriod.ENTITLEMENT_RESET_PERIOD_DAY

    r = await client.get_metered_entitlement(GetMeteredEntitlementRequest(
        customer_id=cid, feature_id="feature-api-calls",
        options=MeteredEntitlementOptions(requested_usage=100001.0)))
    assert r.has_access is False
    assert r.is_fallback is False
    assert r.requested_usage == 100001.0
    assert r.access_denied_reason == AccessDeniedReason.ACCESS_DENIED_REASON_REQUESTED_USAGE_EXCEEDING_LIMIT


async def test_enum_entitlement(client):
    cid = new_id()
    await provision(client, cid, "plan-revvenu-pro")
    r = await client.get_enum_entitlement(GetEnumEntitlementRequest(
        customer_id=cid, feature_id="feature-data-region",
        options=EnumEntitlementOptions(requested_values=["eu"])))
    assert r.has_access is True
    assert sorted(r.entitlement.enum_values) == ["eu", "us"]
    assert r.requested_values == ["eu"]
    assert r.entitlement.feature.feature_type == FeatureType.FEATURE_TYPE_ENUM

    r = await client.get_enum_entitlement(GetEnumEntitlementRequest(
        customer_id=cid, feature_id="feature-data-region",
        options=EnumEntitlementOptions(requested_values=["apac"])))
    assert r.has_access is False
    assert r.access_denied_reason == AccessDeniedReason.ACCESS_DENIED_REASON_REQUESTED_VALUES_MISMATCH
    assert r.requested_values == ["apac"]


async def test_generic_get_entitlement_picks_the_type(client):
    cid = new_id()
    await provision(client, cid, "plan-revvenu-pro")
    r = await client.get_entitlement(GetEntitlementRequest(
        customer_id=cid, feature_id="feature-api-calls",
        options=GetEntitlementOptions(requested_usage=10.0)))
    assert r.has_access is True
    assert r.is_fallback is False
    assert r.metered.usage_limit == 100000.0

    r = await client.get_entitlement(GetEntitlementRequest(customer_id=cid, feature_id="feature-custom-domain"))
    assert r.has_access is True
    assert r.boolean.feature.id == "feature-custom-domain"


async def test_get_entitlements_lists_every_feature(client):
    cid = new_id()
    await provision(client, cid, "plan-revvenu-pro")
    r = await client.get_entitlements(GetEntitlementsRequest(customer_id=cid))
    assert r.access_denied_reason is None
    ids = set()
    kinds = set()
    for e in r.entitlements:
        kind, sub = betterproto.which_one_of(e, "entitlement")
        ids.add(sub.feature.id)
        kinds.add(kind)
    assert {"feature-custom-domain", "feature-seats", "feature-max-projects", "feature-api-calls",
            "feature-daily-exports", "feature-data-region"} <= ids
    assert kinds == {"boolean", "numeric", "metered", "enum"}


async def test_get_entitlement_v2_feature_and_credit(client):
    cid = new_id()
    await provision(client, cid, "plan-ai-starter")
    r = await client.get_entitlement_v2(GetEntitlementV2Request(customer_id=cid, feature_id="feature-ai-tokens"))
    e = r.entitlement
    assert e.has_access is True
    assert e.is_fallback is False
    assert betterproto.which_one_of(e, "entitlement")[0] == "metered"
    assert e.metered.is_unlimited is True

    r = await client.get_entitlement_v2(GetEntitlementV2Request(customer_id=cid, currency_id="cred-ai-tokens"))
    e = r.entitlement
    assert betterproto.which_one_of(e, "entitlement")[0] == "credit"
    assert e.has_access is True
    assert e.credit.currency.currency_id == "cred-ai-tokens"
    assert e.credit.usage_limit == 1000.0
    assert e.credit.remaining == e.credit.usage_limit - e.credit.current_usage

    # Neither feature nor currency: the fallback, never an error.
    r = await client.get_entitlement_v2(GetEntitlementV2Request(customer_id=cid))
    assert r.entitlement.is_fallback is True
    assert r.entitlement.has_access is False


async def test_get_entitlements_state_v2(client):
    cid = new_id()
    await provision(client, cid, "plan-ai-starter")
    r = await client.get_entitlements_state_v2(GetEntitlementsStateV2Request(customer_id=cid))
    assert r.access_denied_reason is None
    kinds = {betterproto.which_one_of(e, "entitlement")[0] for e in r.entitlements}
    assert "credit" in kinds and "metered" in kinds
    assert all(not e.is_fallback for e in r.entitlements)


async def test_report_usage_returns_server_usage_and_updates_reads(client):
    cid = new_id()
    await provision(client, cid, "plan-revvenu-pro")
    # Cache the customer first, so the write's server-computed usage lands in the cache.
    await client.get_metered_entitlement(GetMeteredEntitlementRequest(customer_id=cid, feature_id="feature-api-calls"))
    r = await client.report_usage(ReportUsageRequest(
        customer_id=cid, feature_id="feature-api-calls", value=7,
        dimensions={"region": EventDimensionValue(string_value="eu")}))
    assert r.customer_id == cid
    assert r.feature_id == "feature-api-calls"
    assert r.measurement_id
    assert r.current_usage == 7.0
    assert r.usage_period_start is not None and r.usage_period_end is not None

    r = await client.report_usage(ReportUsageRequest(
        customer_id=cid, feature_id="feature-api-calls", value=3,
        update_behavior=UsageUpdateBehavior.USAGE_UPDATE_BEHAVIOR_SET))
    assert r.current_usage == 3.0

    m = await client.get_metered_entitlement(GetMeteredEntitlementRequest(customer_id=cid, feature_id="feature-api-calls"))
    assert m.entitlement.current_usage == 3.0


async def test_report_usage_bulk(client):
    cid = new_id()
    await provision(client, cid, "plan-revvenu-pro")
    r = await client.report_usage_bulk(ReportUsageBulkRequest(usages=[
        ReportUsageRequest(customer_id=cid, feature_id="feature-api-calls", value=2),
        ReportUsageRequest(customer_id=cid, feature_id="feature-seats", value=4),
    ]))
    assert len(r.usages) == 2
    by_feature = {u.feature_id: u for u in r.usages}
    assert by_feature["feature-api-calls"].current_usage == 2.0
    assert by_feature["feature-seats"].current_usage == 4.0


async def test_report_events(client):
    cid = new_id()
    await provision(client, cid, "plan-revvenu-pro")
    r = await client.report_events(ReportEventsRequest(events=[
        Event(event_name="api_request", customer_id=cid, idempotency_key=new_id("idem")),
        Event(event_name="export_finished", customer_id=cid, idempotency_key=new_id("idem"),
              dimensions={"status": EventDimensionValue(string_value="ok")}),
    ]))
    assert r is not None  # google.protobuf.Empty


async def test_reload_entitlements(client):
    cid = new_id()
    await provision(client, cid, "plan-revvenu-pro")
    r = await client.reload_entitlements(ReloadEntitlementsRequest(customer_id=cid))
    assert r.entitled_entity_exists is True
    r = await client.reload_entitlements(ReloadEntitlementsRequest(customer_id=new_id("nobody")))
    assert r.entitled_entity_exists is False


async def test_unknown_customer_is_a_non_fallback_denial(client):
    r = await client.get_boolean_entitlement(GetBooleanEntitlementRequest(
        customer_id=new_id("nobody"), feature_id="feature-sso",
        options=BooleanEntitlementOptions(fallback=BooleanEntitlementFallback(has_access=True))))
    assert r.has_access is False
    assert r.is_fallback is False
    assert r.access_denied_reason == AccessDeniedReason.ACCESS_DENIED_REASON_CUSTOMER_NOT_FOUND


async def test_write_errors_are_grpc_errors(client):
    with pytest.raises(GRPCError) as e:
        await client.report_usage(ReportUsageRequest(customer_id="", feature_id="feature-api-calls", value=1))
    assert e.value.status == Status.INVALID_ARGUMENT
    assert "customerId" in (e.value.message or "")

    with pytest.raises(GRPCError) as e:
        await client.report_usage(ReportUsageRequest(customer_id=new_id("nobody"), feature_id="feature-api-calls", value=1))
    assert e.value.status != Status.OK

    with pytest.raises(GRPCError) as e:
        await client.report_events(ReportEventsRequest(events=[Event(event_name="x", customer_id="c", idempotency_key="")]))
    assert e.value.status == Status.INVALID_ARGUMENT


async def test_health_and_metrics(client, sidecar):
    cid = new_id()
    await provision(client, cid, "plan-revvenu-pro")
    for _ in range(3):
        await client.get_metered_entitlement(GetMeteredEntitlementRequest(customer_id=cid, feature_id="feature-api-calls"))
    assert http_get(f"{sidecar.health}/livez") == (200, '{"status":"UP"}')
    assert http_get(f"{sidecar.health}/readyz") == (200, '{"status":"UP"}')
    m = sidecar.metrics()
    for name in ("sidecar_initialization_errors_total", "sidecar_invalid_api_key_errors_total",
                 "sidecar_network_request_errors_total", "sidecar_redis_client_errors_total",
                 "sidecar_cache_hits_total", "sidecar_cache_misses_total"):
        assert name in m, name
    assert m["sidecar_cache_hits_total"] >= 2
    assert m["sidecar_cache_misses_total"] >= 1
    assert m["sidecar_initialization_errors_total"] == 0
    assert m['sidecar_grpc_request_duration_seconds_count{method="GetMeteredEntitlement"}'] >= 3
    assert m['sidecar_grpc_request_duration_seconds_bucket{method="GetMeteredEntitlement",le="+Inf"}'] >= 3
