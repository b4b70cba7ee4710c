"""Many threads checking at once, and asyncio usage (cached fast path and fetches)."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import List

import pytest

import stigg_native as sn
from stigg_native import Stigg

from conftest import STATE, Emulator, provision

THREADS = 16
CHECKS = 2_000


def test_many_threads_check_concurrently(offline: Stigg) -> None:
    customers = [f"customer-{i}" for i in range(50)]
    for c in customers:
        offline.set_entitlements_state(c, STATE)
    errors: List[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def worker(n: int) -> int:
        barrier.wait()
        granted = 0
        for i in range(CHECKS):
            c = customers[(n + i) % len(customers)]
            usage = float(i % 12)
            e = offline.get_metered_entitlement(c, "feature-api-calls", requested_usage=usage)
            if e.has_access != (3 + usage <= 10):
                errors.append(AssertionError(f"{c} {usage}: {e}"))
            granted += e.has_access
            if i % 100 == 0:
                # writers interleave: replacing a state while others read it
                offline.set_entitlements_state(c, STATE)
        return granted

    with ThreadPoolExecutor(THREADS) as pool:
        totals = list(pool.map(worker, range(THREADS)))
    assert not errors, errors[:3]
    assert all(t > 0 for t in totals)


def test_threads_share_one_fetch(online: Stigg, customer_id: str) -> None:
    provision(online, customer_id)
    online.reload_entitlements(customer_id)
    with ThreadPoolExecutor(8) as pool:
        results = list(
            pool.map(
                lambda _: online.get_boolean_entitlement(customer_id, "feature-custom-domain"),
                range(64),
            )
        )
    assert all(r.has_access and not r.is_fallback for r in results)


def test_asyncio_cached_path(offline: Stigg) -> None:
    async def main() -> List[sn.MeteredEntitlement]:
        return await asyncio.gather(
            *[
                offline.async_get_metered_entitlement(
                    "customer-1", "feature-api-calls", requested_usage=float(i)
                )
                for i in range(20)
            ]
        )

    results = asyncio.run(main())
    assert [r.has_access for r in results] == [3 + i <= 10 for i in range(20)]


def test_asyncio_all_methods_offline(offline: Stigg) -> None:
    async def main() -> None:
        await offline.async_wait_for_initialization()
        b = await offline.async_get_boolean_entitlement("customer-1", "feature-sso")
        assert b.has_access
        n = await offline.async_get_numeric_entitlement("customer-1", "feature-sso")
        assert n.is_fallback
        e = await offline.async_get_enum_entitlement("customer-1", "x", requested_values=["a"])
        assert not e.has_access
        c = await offline.async_get_credit_entitlement("customer-1", "credits")
        assert c.type == "CREDIT"
        g = await offline.async_get_entitlement("customer-1", "feature-sso")
        assert g.has_access
        v2 = await offline.async_get_entitlement_v2("customer-1", currency_id="credits")
        assert isinstance(v2, sn.CreditEntitlement)
        s = await offline.async_get_entitlements_state_v2("customer-1")
        assert len(s.entitlements) == 2
        assert (await offline.async_reload_entitlements("customer-1")).entitled_entity_exists
        ack = await offline.async_report_usage("c", "f", 1)
        assert ack.customer_id == "c"
        await offline.async_report_event([{"event_name": "e", "customer_id": "c", "idempotency_key": "k"}])
        with pytest.raises(sn.InvalidArgumentError):
            await offline.async_report_usage("", "f", 1)

    asyncio.run(main())


def test_asyncio_against_emulator(online: Stigg, emulator: Emulator, customer_id: str) -> None:
    async def main() -> None:
        await online.async_provision_customer(
            customer_id=customer_id,
            subscription_params={
                "plan_id": "plan-revvenu-pro",
                "trial_override_configuration": {"is_trial": False},
            },
        )
        other = customer_id + "-b"
        await online.async_provision_customer(customer_id=other, subscription_params=None)
        # a fresh client has nothing cached: these go to the network through the runtime
        fresh = Stigg(
            emulator.api_key,
            base_uri=emulator.base_uri,
            base_edge_uri=emulator.edge_uri,
            realtime_updates_enabled=False,
            read_env=False,
        )
        async with fresh:
            results = await asyncio.gather(
                *[
                    fresh.async_get_metered_entitlement(
                        customer_id, "feature-api-calls", requested_usage=1
                    )
                    for _ in range(10)
                ]
            )
            assert all(r.has_access and not r.is_fallback for r in results)
            ack = await fresh.async_report_usage(customer_id, "feature-api-calls", 4)
            assert ack.current_usage == 4
            with pytest.raises(sn.ApiError) as info:
                await fresh.async_get_customer("nobody-" + customer_id)
            assert info.value.code == "CustomerNotFound" and info.value.trace_id
        assert fresh.is_closed

    asyncio.run(main())


def test_asyncio_cancellation(emulator: Emulator, customer_id: str) -> None:
    from conftest import admin

    admin(emulator, "faults", {"type": "latency", "ms": 3000, "operation": "edge:entitlements-state"})
    try:
        stigg = Stigg(
            emulator.api_key,
            base_uri=emulator.base_uri,
            base_edge_uri=emulator.edge_uri,
            realtime_updates_enabled=False,
            read_env=False,
        )

        async def main() -> None:
            task = asyncio.ensure_future(
                stigg.async_get_boolean_entitlement(customer_id, "feature-sso")
            )
            await asyncio.sleep(0.1)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            # the loop stays healthy afterwards
            await asyncio.sleep(0.05)

        asyncio.run(main())
        stigg.close()
    finally:
        urllib_delete(emulator.base_uri + "/_emulator/faults")


def urllib_delete(url: str) -> None:
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(url, method="DELETE"), timeout=10).read()


def test_async_without_running_loop_raises(offline: Stigg) -> None:
    with pytest.raises(RuntimeError):
        offline.async_get_boolean_entitlement("customer-1", "feature-sso")
