"""OFFLINE=true: no SERVER_API_KEY needed, reads answer fallbacks, writes are local no-ops."""

import json

import betterproto
import pytest
from stigg_sidecar_sdk import (
    AccessDeniedReason,
    Event,
    GetBooleanEntitlementRequest,
    GetEntitlementRequest,
    GetEntitlementsRequest,
    GetEntitlementsStateV2Request,
    GetEntitlementV2Request,
    GetEnumEntitlementRequest,
    GetMeteredEntitlementRequest,
    GetNumericEntitlementRequest,
    MeteredEntitlementOptions,
    NumericEntitlementFallback,
    NumericEntitlementOptions,
    ReloadEntitlementsRequest,
    ReportEventsRequest,
    ReportUsageBulkRequest,
    ReportUsageRequest,
)

from conftest import Sidecar, http_get

FALLBACKS = {
    "feature-sso": {"hasAccess": True},
    "feature-api-calls": {"hasAccess": True, "usageLimit": 100},
    "feature-data-region": {"hasAccess": True, "enumValues": ["us", "eu"]},
}


@pytest.fixture(scope="module")
def offline_sidecar(tmp_path_factory):
    sc = Sidecar(tmp_path_factory.mktemp("offline"),
                 {"OFFLINE": "true", "ENTITLEMENTS_FALLBACK": json.dumps(FALLBACKS)})
    yield sc
    sc.stop()


@pytest.fixture
async def offline(offline_sidecar):
    c = offline_sidecar.client()
    yield c
    c.close()


async def test_reads_answer_configured_fallbacks(offline):
    r = await offline.get_boolean_entitlement(GetBooleanEntitlementRequest(customer_id="c", feature_id="feature-sso"))
    assert (r.has_access, r.is_fallback) == (True, True)
    assert r.access_denied_reason == AccessDeniedReason.ACCESS_DENIED_REASON_UNKNOWN

    r = await offline.get_metered_entitlement(GetMeteredEntitlementRequest(
        customer_id="c", feature_id="feature-api-calls", options=MeteredEntitlementOptions(requested_usage=5)))
    assert (r.has_access, r.is_fallback) == (True, True)
    assert r.entitlement.usage_limit == 100.0
    assert r.requested_usage == 5.0

    r = await offline.get_enum_entitlement(GetEnumEntitlementRequest(customer_id="c", feature_id="feature-data-region"))
    assert r.is_fallback is True and sorted(r.entitlement.enum_values) == ["eu", "us"]

    r = await offline.get_boolean_entitlement(GetBooleanEntitlementRequest(customer_id="c", feature_id="feature-unknown"))
    assert (r.has_access, r.is_fallback) == (False, True)


async def test_per_call_fallback_and_int32_value(offline):
    r = await offline.get_numeric_entitlement(GetNumericEntitlementRequest(
        customer_id="c", feature_id="feature-max-projects",
        options=NumericEntitlementOptions(fallback=NumericEntitlementFallback(has_access=True, value=2147483647))))
    assert (r.has_access, r.is_fallback) == (True, True)
    assert r.entitlement.value == 2147483647


async def test_generic_and_v2_reads(offline):
    r = await offline.get_entitlement(GetEntitlementRequest(customer_id="c", feature_id="feature-sso"))
    assert r.is_fallback is True and r.has_access is True
    r = await offline.get_entitlement_v2(GetEntitlementV2Request(customer_id="c", feature_id="feature-api-calls"))
    assert r.entitlement.is_fallback is True
    r = await offline.get_entitlements_state_v2(GetEntitlementsStateV2Request(customer_id="c"))
    ids = sorted(betterproto.which_one_of(e, "entitlement")[1].feature.id for e in r.entitlements)
    assert ids == sorted(FALLBACKS)
    r = await offline.get_entitlements(GetEntitlementsRequest(customer_id="c"))
    assert len(r.entitlements) == 3


async def test_writes_are_no_ops(offline):
    r = await offline.report_usage(ReportUsageRequest(customer_id="c", feature_id="feature-api-calls", value=3))
    assert r.customer_id == "c" and r.feature_id == "feature-api-calls" and r.measurement_id
    assert r.current_usage is None
    r = await offline.report_usage_bulk(ReportUsageBulkRequest(usages=[
        ReportUsageRequest(customer_id="c", feature_id="feature-api-calls", value=1)]))
    assert len(r.usages) == 1
    await offline.report_events(ReportEventsRequest(events=[Event(event_name="e", customer_id="c", idempotency_key="k")]))
    r = await offline.reload_entitlements(ReloadEntitlementsRequest(customer_id="c"))
    assert r.entitled_entity_exists is True


def test_offline_is_ready_at_once(offline_sidecar):
    assert http_get(f"{offline_sidecar.health}/readyz") == (200, '{"status":"UP"}')
