"""Listeners (GIL held, filtered, exceptions logged and never fatal) and the logging bridge."""

from __future__ import annotations

import logging
import time
from typing import List

import pytest

import stigg_native as sn
from stigg_native import EventType, Stigg, StiggEvent

from conftest import Emulator, admin, provision


def test_listener_receives_cache_hits(offline: Stigg) -> None:
    seen: List[StiggEvent] = []
    lid = offline.add_listener(seen.append)
    offline.get_boolean_entitlement("customer-1", "feature-sso")
    assert [e.type for e in seen] == [EventType.CACHE_HIT]
    assert seen[0].customer_id == "customer-1" and seen[0].resource_id is None
    assert seen[0].to_dict() == {"type": "cacheHit", "customerId": "customer-1", "resourceId": None}
    assert offline.remove_listener(lid) is True
    assert offline.remove_listener(lid) is False
    offline.get_boolean_entitlement("customer-1", "feature-sso")
    assert len(seen) == 1


def test_listener_filter(offline: Stigg) -> None:
    hits: List[StiggEvent] = []
    misses: List[StiggEvent] = []
    offline.add_listener(hits.append, events=EventType.CACHE_HIT)
    offline.add_listener(misses.append, events=["cacheMiss", EventType.ENTITLEMENTS_UPDATED])
    offline.get_boolean_entitlement("customer-1", "feature-sso")
    assert len(hits) == 1 and misses == []
    with pytest.raises(ValueError, match="unknown event"):
        offline.add_listener(hits.append, events=["nope"])
    with pytest.raises(TypeError, match="callable"):
        offline.add_listener(42)  # type: ignore[arg-type]


def test_listener_exception_is_logged_not_raised(
    offline: Stigg, caplog: pytest.LogCaptureFixture
) -> None:
    def bad(event: StiggEvent) -> None:
        raise ValueError("listener bug")

    good: List[StiggEvent] = []
    offline.add_listener(bad)
    offline.add_listener(good.append)
    with caplog.at_level(logging.ERROR, logger="stigg_native"):
        r = offline.get_boolean_entitlement("customer-1", "feature-sso")
    assert r.has_access
    assert len(good) == 1
    records = [r for r in caplog.records if r.name == "stigg_native"]
    assert records and "listener" in records[0].getMessage()
    assert records[0].exc_info is not None and "listener bug" in str(records[0].exc_info[1])


def test_core_warnings_reach_python_logging(caplog: pytest.LogCaptureFixture) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    with caplog.at_level(logging.WARNING, logger="stigg_native"):
        sn.refresh_log_level()
        with Stigg(
            "server-k",
            base_uri=f"http://127.0.0.1:{port}",
            realtime_updates_enabled=False,
            entitlements_timeout=2,
            read_env=False,
        ) as stigg:
            r = stigg.get_boolean_entitlement("c1", "feature-x")
    assert r.is_fallback
    messages = [rec.getMessage() for rec in caplog.records if rec.name == "stigg_native"]
    assert any("fell back" in m for m in messages), messages


def test_stream_events_from_emulator(online: Stigg, emulator: Emulator, customer_id: str) -> None:
    updated: List[StiggEvent] = []
    online.add_listener(updated.append, events=[EventType.ENTITLEMENTS_UPDATED, EventType.USAGE_UPDATED])
    provision(online, customer_id)
    online.report_usage(customer_id, "feature-api-calls", 3)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        kinds = {(e.type, e.customer_id) for e in updated}
        if (EventType.ENTITLEMENTS_UPDATED, customer_id) in kinds and (
            EventType.USAGE_UPDATED,
            customer_id,
        ) in kinds:
            break
        time.sleep(0.05)
    kinds = {(e.type, e.customer_id) for e in updated}
    assert (EventType.ENTITLEMENTS_UPDATED, customer_id) in kinds
    assert (EventType.USAGE_UPDATED, customer_id) in kinds
    usage = [e for e in updated if e.type == EventType.USAGE_UPDATED and e.customer_id == customer_id]
    assert usage[-1].current_usage == 3 and usage[-1].entitlement_id == "feature-api-calls"
