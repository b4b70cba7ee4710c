"""The Python API on an offline client: results, enums, errors, lifecycle, records."""

from __future__ import annotations

import math
import pickle
from datetime import datetime, timedelta, timezone

import pytest

import stigg_native as sn
from stigg_native import (
    AccessDeniedReason,
    ClientClosedError,
    ConfigurationError,
    EntitlementResetPeriod,
    FeatureType,
    FixedClock,
    InvalidArgumentError,
    MeterType,
    Stigg,
    StiggError,
)

from conftest import NOW, STATE


def test_metered_result_attributes(offline: Stigg) -> None:
    e = offline.get_metered_entitlement("customer-1", "feature-api-calls", requested_usage=5)
    assert isinstance(e, sn.MeteredEntitlement)
    assert e.type == "METERED"
    assert e.has_access and bool(e) and not e.is_fallback
    assert e.access_denied_reason is None
    assert (e.usage_limit, e.current_usage, e.requested_usage) == (10, 3, 5)
    assert e.is_unlimited is False and e.has_soft_limit is False
    assert e.reset_period is EntitlementResetPeriod.MONTH
    assert e.usage_period_start == datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert e.usage_period_end == datetime(2024, 2, 1, tzinfo=timezone.utc)
    assert e.next_reset_date == e.usage_period_end
    f = e.feature
    assert f is not None
    assert (f.id, f.units, f.units_plural, f.is_metered) == ("feature-api-calls", "call", "calls", True)
    assert f.feature_type is FeatureType.NUMBER and f.meter_type is MeterType.INCREMENTAL
    assert f.display_name == "API calls"
    d = e.to_dict()
    assert d["usagePeriodEnd"] == "2024-02-01T00:00:00.000Z" and d["type"] == "METERED"
    assert e == offline.get_metered_entitlement(
        "customer-1", "feature-api-calls", requested_usage=5
    )
    assert "MeteredEntitlement(" in repr(e)


def test_denied_and_enum_values_are_str(offline: Stigg) -> None:
    e = offline.get_metered_entitlement("customer-1", "feature-api-calls", requested_usage=8)
    assert not e.has_access
    assert e.access_denied_reason == "RequestedUsageExceedingLimit"
    assert e.access_denied_reason is AccessDeniedReason.REQUESTED_USAGE_EXCEEDING_LIMIT
    assert isinstance(e.access_denied_reason, str)


def test_fallbacks_per_call_and_configured() -> None:
    with Stigg(
        offline=True,
        read_env=False,
        entitlements_fallback={"feature-x": {"has_access": True, "usage_limit": 7}},
    ) as stigg:
        e = stigg.get_metered_entitlement("c", "feature-x")
        assert e.is_fallback and e.has_access and e.usage_limit == 7
        e = stigg.get_metered_entitlement("c", "feature-x", fallback={"has_access": False})
        assert e.is_fallback and not e.has_access
        b = stigg.get_boolean_entitlement("c", "feature-other")
        assert b.is_fallback and not b.has_access
        assert b.access_denied_reason is AccessDeniedReason.UNKNOWN
        # camelCase keys (as in Stigg's docs) are accepted too
        n = stigg.get_numeric_entitlement("c", "f", fallback={"hasAccess": True, "value": 3})
        assert n.value == 3 and n.has_access


def test_other_getters(offline: Stigg) -> None:
    assert offline.get_boolean_entitlement("customer-1", "feature-sso").has_access
    mismatch = offline.get_numeric_entitlement("customer-1", "feature-sso")
    assert mismatch.access_denied_reason is AccessDeniedReason.FEATURE_TYPE_MISMATCH
    enum = offline.get_enum_entitlement("customer-1", "feature-none", requested_values=["a"])
    assert enum.access_denied_reason is AccessDeniedReason.NO_FEATURE_ENTITLEMENT_IN_SUBSCRIPTION
    assert enum.requested_values == ["a"] and enum.enum_values == []
    credit = offline.get_credit_entitlement("customer-1", "credits", requested_usage=1)
    assert credit.type == "CREDIT" and credit.currency.currency_id == "credits"
    generic = offline.get_entitlement("customer-1", "feature-api-calls", requested_usage=1)
    assert isinstance(generic, sn.MeteredEntitlement) and generic.has_access
    v2 = offline.get_entitlement_v2("customer-1", feature_id="feature-sso")
    assert isinstance(v2, sn.BooleanEntitlement)
    state = offline.get_entitlements_state_v2("customer-1")
    assert [type(x).__name__ for x in state.entitlements] == [
        "MeteredEntitlement",
        "BooleanEntitlement",
    ]
    assert state.access_denied_reason is None
    assert offline.reload_entitlements("customer-1").entitled_entity_exists is True


def test_fixed_clock_moves_periods() -> None:
    clock = FixedClock(NOW)
    with Stigg(offline=True, read_env=False, clock=clock) as stigg:
        stigg.set_entitlements_state("customer-1", STATE)
        clock.set(datetime(2024, 2, 10, tzinfo=timezone.utc))
        e = stigg.get_metered_entitlement("customer-1", "feature-api-calls")
        assert e.current_usage == 0  # rolled over into February
        assert e.usage_period_start == datetime(2024, 2, 1, tzinfo=timezone.utc)
        clock.set(1_705_320_000_000)  # epoch ms
        assert clock.now_ms == 1_705_320_000_000


def test_wrong_argument_types_name_the_argument(offline: Stigg) -> None:
    with pytest.raises(TypeError, match="customer_id"):
        offline.get_metered_entitlement(1, "f")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="requested_usage"):
        offline.get_metered_entitlement("c", "f", requested_usage="3")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="requested_values"):
        offline.get_enum_entitlement("c", "f", requested_values="a")
    with pytest.raises(ValueError, match="fallback"):
        offline.get_boolean_entitlement("c", "f", fallback={"nope": True})  # type: ignore[typeddict-unknown-key]
    with pytest.raises(TypeError, match="has_access"):
        offline.get_boolean_entitlement("c", "f", fallback={"has_access": "yes"})  # type: ignore[typeddict-item]
    with pytest.raises(TypeError, match="feature_id"):
        offline.report_usage("c", None, 1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="created_at"):
        offline.report_usage("c", "f", 1, created_at=object())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="timeout"):
        Stigg(offline=True, timeout="soon")  # type: ignore[arg-type]


def test_invalid_arguments_raise_stigg_errors(offline: Stigg) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        offline.report_usage("", "feature-api-calls", 1)
    assert info.value.code == "InvalidArgument"
    assert info.value.argument == "customer_id"
    assert isinstance(info.value, ValueError) and isinstance(info.value, StiggError)
    with pytest.raises(InvalidArgumentError):
        offline.report_usage("c", "feature-api-calls", math.nan)
    with pytest.raises(InvalidArgumentError):
        offline.set_entitlements_state("", STATE)


def test_configuration_errors() -> None:
    with pytest.raises(ConfigurationError) as info:
        Stigg(read_env=False)
    assert info.value.argument == "api_key" and info.value.code == "InvalidConfiguration"
    with pytest.raises(ConfigurationError, match="base_uri"):
        Stigg("k", base_uri="ftp://x", read_env=False)
    with pytest.raises(ConfigurationError, match="entitlements_timeout"):
        Stigg(offline=True, entitlements_timeout=timedelta(0))
    with pytest.raises(TypeError, match="entitlements_fallback"):
        Stigg(offline=True, entitlements_fallback=[1])  # type: ignore[arg-type]


def test_offline_writes_are_local() -> None:
    with Stigg(offline=True, read_env=False, clock=FixedClock(NOW)) as stigg:
        ack = stigg.report_usage(
            "c",
            "f",
            2,
            update_behavior=sn.UsageUpdateBehavior.SET,
            created_at=datetime(2024, 1, 1),
            dimensions={"region": "eu", "weight": 2, "ok": True},
            idempotency_key="k1",
        )
        assert isinstance(ack, sn.ReportUsageAck)
        assert (ack.customer_id, ack.feature_id, ack.current_usage) == ("c", "f", None)
        assert ack.measurement_id
        acks = stigg.report_usage_bulk([{"customer_id": "c", "feature_id": "f", "value": 1}])
        assert len(acks) == 1 and acks[0].customer_id == "c"
        stigg.report_event({"event_name": "e", "customer_id": "c", "idempotency_key": "i"})
        r = stigg.consume_credits("c", "credits", 3, "idem")
        assert r.amount == 3 and r.timestamp == datetime(2024, 1, 15, 12, tzinfo=timezone.utc)
        stigg.consume_credits_async(
            [{"customer_id": "c", "currency_id": "credits", "amount": 1, "idempotency_key": "x"}]
        )
        est = stigg.estimate_usage_cost("c", "f", 1)
        assert est.estimates == [] and est.to_dict() == {"estimates": [], "warnings": []}
        assert stigg.estimate_event_cost("c", "e").warnings == []
        with pytest.raises(ValueError, match="usages"):
            stigg.report_usage_bulk([{"customer_id": "c"}])


def test_close_and_context_manager() -> None:
    stigg = Stigg(offline=True, read_env=False)
    with stigg as s:
        assert s is stigg
        s.wait_for_initialization()
    assert stigg.is_closed
    stigg.close()  # idempotent
    with pytest.raises(ClientClosedError) as info:
        stigg.report_usage("c", "f", 1)
    assert info.value.code == "ClientClosed"
    # reads still answer (fallbacks)
    assert stigg.get_boolean_entitlement("c", "f").is_fallback


def test_errors_pickle_and_subclass_builtins() -> None:
    err = sn.ApiError("boom", code="CustomerNotFound", trace_id="t-1")
    back = pickle.loads(pickle.dumps(err))
    assert (type(back), str(back), back.code, back.trace_id) == (sn.ApiError, "boom", "CustomerNotFound", "t-1")
    assert issubclass(sn.TimeoutError, TimeoutError)
    assert issubclass(sn.NetworkError, ConnectionError)
    t = sn.TimeoutError("slow", code="RequestTimeout")
    assert t.code == "RequestTimeout" and str(t) == "slow"


def test_module_surface() -> None:
    assert sn.__version__
    for name in sn.__all__:
        assert hasattr(sn, name), name
    assert sn.EventType("cacheHit") is sn.EventType.CACHE_HIT
