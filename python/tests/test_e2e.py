"""End to end against the stigg-emulator: provisioning, checks, usage, streaming, errors."""

from __future__ import annotations

import time
import uuid

import pytest

import stigg_native as sn
from stigg_native import AccessDeniedReason, Stigg

from conftest import Emulator, admin, provision


def test_check_report_and_recheck(online: Stigg, customer_id: str) -> None:
    provision(online, customer_id)
    e = online.get_metered_entitlement(customer_id, "feature-api-calls", requested_usage=10)
    assert e.has_access and not e.is_fallback and e.usage_limit == 100000
    ack = online.report_usage(customer_id, "feature-api-calls", 99_995, idempotency_key=uuid.uuid4().hex)
    assert ack.current_usage == 99_995 and ack.usage_period_end is not None
    # the server-computed usage is in the cache right after the write
    e = online.get_metered_entitlement(customer_id, "feature-api-calls", requested_usage=10)
    assert not e.has_access
    assert e.access_denied_reason is AccessDeniedReason.REQUESTED_USAGE_EXCEEDING_LIMIT
    assert e.current_usage == 99_995
    sso = online.get_boolean_entitlement(customer_id, "feature-sso")
    assert sso.access_denied_reason is AccessDeniedReason.NO_FEATURE_ENTITLEMENT_IN_SUBSCRIPTION
    region = online.get_enum_entitlement(customer_id, "feature-data-region", requested_values=["apac"])
    assert region.access_denied_reason is AccessDeniedReason.REQUESTED_VALUES_MISMATCH
    state = online.get_entitlements_state_v2(customer_id)
    assert {x.feature.id for x in state.entitlements if x.type != "CREDIT" and x.feature} >= {
        "feature-api-calls",
        "feature-seats",
    }


def test_fresh_client_fetches_through_edge_and_graphql(emulator: Emulator, online: Stigg, customer_id: str) -> None:
    provision(online, customer_id)
    for enable_edge in (True, False):
        with Stigg(
            emulator.api_key,
            base_uri=emulator.base_uri,
            base_edge_uri=emulator.edge_uri,
            enable_edge=enable_edge,
            realtime_updates_enabled=False,
            read_env=False,
        ) as fresh:
            b = fresh.get_boolean_entitlement(customer_id, "feature-custom-domain")
            assert b.has_access and not b.is_fallback
            assert fresh.reload_entitlements(customer_id).entitled_entity_exists
    with Stigg(emulator.api_key, base_uri=emulator.base_uri, base_edge_uri=emulator.edge_uri,
               realtime_updates_enabled=False, read_env=False) as fresh:
        missing = fresh.get_boolean_entitlement("nobody-" + customer_id, "feature-sso")
        assert missing.access_denied_reason is AccessDeniedReason.CUSTOMER_NOT_FOUND


def test_stream_pushes_plan_change(online: Stigg, customer_id: str) -> None:
    provision(online, customer_id, plan="plan-revvenu-pro")
    assert not online.get_boolean_entitlement(customer_id, "feature-sso").has_access
    assert online.get_active_subscriptions(customer_id=customer_id)[0].plan_id == "plan-revvenu-pro"
    # another client changes the plan: the update reaches this one through the stream
    r = other_client(online).provision_subscription(
        customer_id=customer_id,
        plan_id="plan-revvenu-enterprise",
        trial_override_configuration={"is_trial": False},
    )
    assert r.subscription is not None and r.subscription.plan_id == "plan-revvenu-enterprise"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if online.get_boolean_entitlement(customer_id, "feature-sso").has_access:
            break
        time.sleep(0.05)
    assert online.get_boolean_entitlement(customer_id, "feature-sso").has_access


_OTHER: dict = {}


def other_client(online: Stigg) -> Stigg:
    """A second client of the same emulator (its writes do not touch `online`'s cache)."""
    emu = _OTHER["emulator"]
    return Stigg(emu.api_key, base_uri=emu.base_uri, base_edge_uri=emu.edge_uri,
                 realtime_updates_enabled=False, read_env=False)


@pytest.fixture(autouse=True)
def _remember_emulator(emulator: Emulator) -> None:
    _OTHER["emulator"] = emulator


def test_management_records(online: Stigg, customer_id: str) -> None:
    provision(online, customer_id)
    c = online.get_customer(customer_id)
    assert isinstance(c, sn.FullCustomer) and c.id == customer_id and c.email == "billing@acme.test"
    assert c.subscriptions[0].plan_id == "plan-revvenu-pro" and c.subscriptions[0].start_date
    page = online.get_subscriptions(customer_id=customer_id)
    assert page.data[0].customer_id == customer_id
    updated = online.update_customer(customer_id=customer_id, name="Acme 2")
    assert updated.name == "Acme 2"
    assert online.archive_customer(customer_id) == customer_id
    assert online.unarchive_customer(customer_id).id == customer_id
    assert isinstance(online.get_coupons(), list)
    assert online.get_products()
    paywall = online.get_paywall()
    assert paywall.to_dict()


def test_api_errors_carry_code_and_trace_id(online: Stigg) -> None:
    with pytest.raises(sn.ApiError) as info:
        online.get_customer("nobody-" + uuid.uuid4().hex)
    assert info.value.code == "CustomerNotFound"
    assert info.value.trace_id
    with pytest.raises(sn.ApiError):
        online.report_usage("nobody-" + uuid.uuid4().hex, "feature-api-calls", 1)


def test_wrong_key_and_network_errors(emulator: Emulator) -> None:
    with Stigg("server-wrong", base_uri=emulator.base_uri, base_edge_uri=emulator.edge_uri,
               realtime_updates_enabled=False, read_env=False) as bad:
        with pytest.raises(sn.StiggError):
            bad.wait_for_initialization(timeout=10)
        # reads still answer with fallbacks
        assert bad.get_boolean_entitlement("c", "f").is_fallback
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with Stigg("server-k", base_uri=f"http://127.0.0.1:{port}", realtime_updates_enabled=False,
               timeout=2, read_env=False) as down:
        with pytest.raises((sn.NetworkError, sn.TimeoutError)):
            down.report_usage("c", "f", 1)


def test_timeouts(emulator: Emulator, customer_id: str) -> None:
    admin(emulator, "faults", {"type": "hang", "operation": "ReportUsage"})
    try:
        with Stigg(emulator.api_key, base_uri=emulator.base_uri, base_edge_uri=emulator.edge_uri,
                   realtime_updates_enabled=False, timeout=1, read_env=False) as stigg:
            with pytest.raises(sn.TimeoutError) as info:
                stigg.report_usage(customer_id, "feature-api-calls", 1)
            assert info.value.code == "RequestTimeout"
    finally:
        import urllib.request

        urllib.request.urlopen(
            urllib.request.Request(emulator.base_uri + "/_emulator/faults", method="DELETE"),
            timeout=10,
        ).read()
