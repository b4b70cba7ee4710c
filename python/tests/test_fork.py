"""Fork safety: a client created before fork() is rebuilt in the child on first use (new runtime,
empty cache, same configuration and listeners); the parent's client is unaffected."""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest

from stigg_native import FixedClock, Stigg

from conftest import NOW, STATE, Emulator, provision

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def _run_in_child(body) -> int:  # type: ignore[no-untyped-def]
    """Forks; the child runs `body()` and exits 0 on success; the parent waits at most 30 s (a
    deadlocked child is killed and counts as a failure)."""
    pid = os.fork()
    if pid == 0:  # child
        code = 1
        try:
            code = 0 if body() else 2
        except BaseException as e:  # noqa: BLE001
            print(f"child failed: {e!r}", file=sys.stderr)
        os._exit(code)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else status >> 8
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return -1


def test_offline_client_is_rebuilt_in_child() -> None:
    stigg = Stigg(
        offline=True,
        read_env=False,
        clock=FixedClock(NOW),
        entitlements_fallback={"feature-x": {"has_access": True}},
    )
    stigg.set_entitlements_state("customer-1", STATE)
    parent_id = stigg.instance_id
    assert stigg.get_boolean_entitlement("customer-1", "feature-sso").has_access

    def child() -> bool:
        # rebuilt: new instance, empty cache (fixtures do not cross the fork), same config
        rebuilt = stigg.instance_id != parent_id
        fb = stigg.get_boolean_entitlement("customer-1", "feature-sso")
        configured = stigg.get_boolean_entitlement("customer-1", "feature-x")
        stigg.set_entitlements_state("customer-1", STATE)
        again = stigg.get_boolean_entitlement("customer-1", "feature-sso")
        stigg.report_usage("c", "f", 1)  # uses the new runtime
        stigg.close()
        return rebuilt and fb.is_fallback and configured.has_access and again.has_access

    assert _run_in_child(child) == 0
    # the parent is untouched
    assert stigg.instance_id == parent_id
    assert stigg.get_boolean_entitlement("customer-1", "feature-sso").has_access
    stigg.report_usage("c", "f", 1)
    stigg.close()


def test_online_client_works_in_child(online: Stigg, emulator: Emulator, customer_id: str) -> None:
    provision(online, customer_id)
    assert online.get_boolean_entitlement(customer_id, "feature-custom-domain").has_access
    events = []
    online.add_listener(events.append, events="initializeSuccessfully")

    def child() -> bool:
        # network calls go through the child's own runtime: no deadlock on the parent's
        b = online.get_boolean_entitlement(customer_id, "feature-custom-domain")
        ack = online.report_usage(customer_id, "feature-api-calls", 1)
        online.wait_for_initialization(timeout=10)
        online.close()
        return b.has_access and not b.is_fallback and ack.current_usage is not None

    assert _run_in_child(child) == 0
    assert online.report_usage(customer_id, "feature-api-calls", 1).current_usage is not None


def test_closed_client_stays_closed_in_child() -> None:
    stigg = Stigg(offline=True, read_env=False)
    stigg.close()

    def child() -> bool:
        from stigg_native import ClientClosedError

        try:
            stigg.report_usage("c", "f", 1)
        except ClientClosedError:
            return True
        return False

    assert _run_in_child(child) == 0
