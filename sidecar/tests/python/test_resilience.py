"""Stigg unreachable: the sidecar keeps serving (cache, then fallbacks), writes fail with gRPC errors,
health stays UP, and it recovers when Stigg returns. The emulator is stopped mid-test and restarted
on the same port with the same data file."""

import json
import time

import pytest
from grpclib.const import Status
from grpclib.exceptions import GRPCError
from stigg_sidecar_sdk import (
    AccessDeniedReason,
    BooleanEntitlementFallback,
    BooleanEntitlementOptions,
    GetBooleanEntitlementRequest,
    GetEntitlementsStateV2Request,
    GetMeteredEntitlementRequest,
    MeteredEntitlementFallback,
    MeteredEntitlementOptions,
    ReportUsageRequest,
)

from conftest import Emulator, Sidecar, http_get, new_id, online_env, provision

FALLBACKS = {"feature-sso": {"hasAccess": True}, "feature-api-calls": {"hasAccess": True, "usageLimit": 42}}


@pytest.fixture
def outage(tmp_path):
    data = tmp_path / "emulator.sqlite"
    emu = Emulator(tmp_path, data=data)
    sc = Sidecar(tmp_path, online_env(emu, ENTITLEMENTS_FALLBACK=json.dumps(FALLBACKS)))
    state = {"emu": emu, "sc": sc, "data": data, "tmp": tmp_path}
    yield state
    sc.stop()
    state["emu"].stop()


async def test_serves_cache_and_fallbacks_while_stigg_is_down_then_recovers(outage):
    emu, sc = outage["emu"], outage["sc"]
    api_url = f"{emu.base_url}/graphql"
    client = sc.client(api_url)
    try:
        cached = new_id()
        await provision(client, cached, "plan-revvenu-pro")
        r = await client.get_metered_entitlement(GetMeteredEntitlementRequest(
            customer_id=cached, feature_id="feature-api-calls"))
        assert r.is_fallback is False and r.entitlement.usage_limit == 100000.0

        # --- Stigg goes away.
        assert emu.stop() is not None  # waits for the process to exit: its port is closed

        # A cached customer is still answered from the cache, not a fallback.
        r = await client.get_metered_entitlement(GetMeteredEntitlementRequest(
            customer_id=cached, feature_id="feature-api-calls"))
        assert r.is_fallback is False
        assert r.entitlement.usage_limit == 100000.0

        unknown = new_id("uncached")
        # Per-call fallback wins.
        r = await client.get_boolean_entitlement(GetBooleanEntitlementRequest(
            customer_id=unknown, feature_id="feature-custom-domain",
            options=BooleanEntitlementOptions(fallback=BooleanEntitlementFallback(has_access=True))))
        assert r.is_fallback is True
        assert r.has_access is True
        # Then ENTITLEMENTS_FALLBACK.
        r = await client.get_boolean_entitlement(GetBooleanEntitlementRequest(customer_id=unknown, feature_id="feature-sso"))
        assert r.is_fallback is True and r.has_access is True
        r = await client.get_metered_entitlement(GetMeteredEntitlementRequest(customer_id=unknown, feature_id="feature-api-calls"))
        assert r.is_fallback is True and r.has_access is True and r.entitlement.usage_limit == 42.0
        # Then the default deny.
        r = await client.get_boolean_entitlement(GetBooleanEntitlementRequest(customer_id=unknown, feature_id="feature-custom-domain"))
        assert r.is_fallback is True and r.has_access is False
        assert r.access_denied_reason == AccessDeniedReason.ACCESS_DENIED_REASON_UNKNOWN
        r = await client.get_metered_entitlement(GetMeteredEntitlementRequest(
            customer_id=unknown, feature_id="feature-daily-exports",
            options=MeteredEntitlementOptions(requested_usage=3.0,
                                              fallback=MeteredEntitlementFallback(has_access=True, usage_limit=9.0))))
        assert r.is_fallback is True and r.entitlement.usage_limit == 9.0 and r.requested_usage == 3.0
        r = await client.get_entitlements_state_v2(GetEntitlementsStateV2Request(customer_id=unknown))
        assert len(r.entitlements) == 2 and all(e.is_fallback for e in r.entitlements)

        # Writes fail with a gRPC error, not a fallback.
        with pytest.raises(GRPCError) as e:
            await client.report_usage(ReportUsageRequest(customer_id=cached, feature_id="feature-api-calls", value=1),
                                      timeout=30)
        assert e.value.status in (Status.UNAVAILABLE, Status.DEADLINE_EXCEEDED)

        assert http_get(f"{sc.health}/livez")[0] == 200
        assert http_get(f"{sc.health}/readyz")[0] == 200
        assert sc.metrics()["sidecar_network_request_errors_total"] >= 1

        # --- Stigg comes back on the same port with the same data.
        outage["emu"] = emu = Emulator(outage["tmp"], port=emu.port, data=outage["data"])
        fresh = new_id("after")
        await provision(client, fresh, "plan-revvenu-enterprise")
        deadline = time.monotonic() + 30
        while True:
            r = await client.get_boolean_entitlement(GetBooleanEntitlementRequest(customer_id=fresh, feature_id="feature-sso"))
            if not r.is_fallback or time.monotonic() > deadline:
                break
        assert r.is_fallback is False
        assert r.has_access is True
        r = await client.report_usage(ReportUsageRequest(customer_id=cached, feature_id="feature-api-calls", value=2))
        assert r.current_usage == 2.0
    finally:
        await outage["sc"].astop(client)


async def test_starts_and_serves_fallbacks_when_stigg_is_unreachable(tmp_path):
    # Nothing listens on port 9 (discard) on loopback: every request to "Stigg" fails.
    sc = Sidecar(tmp_path, {
        "SERVER_API_KEY": "server-emulator-key",
        "API_URL": "http://127.0.0.1:9",
        "EDGE_API_URL": "http://127.0.0.1:9",
        "ENTITLEMENTS_TIMEOUT_MS": "500",
        "ENTITLEMENTS_FALLBACK": json.dumps(FALLBACKS),
    })
    client = sc.client()
    try:
        # /readyz waited for the failed initialization; it was counted.
        assert sc.metrics()["sidecar_initialization_errors_total"] == 1
        r = await client.get_boolean_entitlement(GetBooleanEntitlementRequest(customer_id="c", feature_id="feature-sso"))
        assert r.is_fallback is True and r.has_access is True
    finally:
        await sc.astop(client)


async def test_invalid_api_key_is_counted_and_reads_fall_back(tmp_path, emulator):
    sc = Sidecar(tmp_path, online_env(emulator, SERVER_API_KEY="not-the-key"))
    client = sc.client()
    try:
        m = sc.metrics()
        assert m["sidecar_invalid_api_key_errors_total"] >= 1
        assert m["sidecar_initialization_errors_total"] == 1
        r = await client.get_boolean_entitlement(GetBooleanEntitlementRequest(customer_id="c", feature_id="feature-sso"))
        assert r.is_fallback is True and r.has_access is False
        with pytest.raises(GRPCError) as e:
            await client.report_usage(ReportUsageRequest(customer_id="c", feature_id="feature-api-calls", value=1))
        assert e.value.status == Status.UNAUTHENTICATED
    finally:
        await sc.astop(client)
