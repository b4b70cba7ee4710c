"""Process behaviour: configuration errors, graceful shutdown."""

import asyncio
import os
import signal
import socket
import subprocess
import time

import pytest
from stigg_sidecar_sdk import BooleanEntitlementFallback, BooleanEntitlementOptions, GetBooleanEntitlementRequest

from conftest import Sidecar, _bin, http_get


def run_with_env(extra: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SERVER_API_KEY", "OFFLINE", "PORT", "HEALTH_PORT")}
    env.update({"HOST": "127.0.0.1"})
    env.update(extra)
    return subprocess.run([_bin("STIGG_SIDECAR_BIN", "stigg-sidecar")], env=env, capture_output=True,
                          text=True, timeout=30, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("env,var", [
    ({}, "SERVER_API_KEY"),
    ({"SERVER_API_KEY": "k", "PORT": "http"}, "PORT"),
    ({"SERVER_API_KEY": "k", "API_URL": "not a url"}, "API_URL"),
    ({"SERVER_API_KEY": "k", "ENTITLEMENTS_FALLBACK": "{oops"}, "ENTITLEMENTS_FALLBACK"),
    ({"SERVER_API_KEY": "k", "EDGE_ENABLED": "perhaps"}, "EDGE_ENABLED"),
    ({"SERVER_API_KEY": "k", "REDIS_KEYS_TTL_IN_SECS": "0"}, "REDIS_KEYS_TTL_IN_SECS"),
    ({"OFFLINE": "true", "LOG_LEVEL": "chatty"}, "LOG_LEVEL"),
])
def test_bad_configuration_exits_non_zero_naming_the_variable(env, var):
    r = run_with_env(env)
    assert r.returncode != 0
    assert var in r.stderr, r.stderr


async def test_sigterm_drains_in_flight_calls(tmp_path):
    # "Stigg" accepts connections and never answers, so an uncached read takes ENTITLEMENTS_TIMEOUT_MS
    # before it falls back: SIGTERM arrives while it is in flight, and the call still completes.
    blackhole = socket.socket()
    blackhole.bind(("127.0.0.1", 0))
    blackhole.listen(64)
    url = "http://127.0.0.1:%d" % blackhole.getsockname()[1]
    sc = Sidecar(tmp_path, {
        "SERVER_API_KEY": "k",
        "API_URL": url,
        "EDGE_API_URL": url,
        "WS_ENABLED": "false",
        "ENTITLEMENTS_TIMEOUT_MS": "1500",
    }, wait_ready=False)
    client = sc.client()
    started = time.monotonic()
    try:
        call = asyncio.ensure_future(client.get_boolean_entitlement(GetBooleanEntitlementRequest(
            customer_id="slow", feature_id="f",
            options=BooleanEntitlementOptions(fallback=BooleanEntitlementFallback(has_access=True)))))
        # Wait until the request is being handled (its histogram has no sample yet, so watch the miss).
        for _ in range(200):
            if sc.metrics().get("sidecar_cache_misses_total", 0) >= 1:
                break
            await asyncio.sleep(0.01)
        sc.proc.p.send_signal(signal.SIGTERM)
        # While the call drains, readiness says DOWN (the health port still answers).
        for _ in range(200):
            status, body = http_get(f"{sc.health}/readyz")
            if status == 503:
                break
            await asyncio.sleep(0.01)
        assert (status, body) == (503, '{"status":"DOWN"}')
        r = await asyncio.wait_for(call, timeout=20)
        assert r.is_fallback is True and r.has_access is True
        assert time.monotonic() - started >= 1.0  # it really was in flight when SIGTERM came
        code = await asyncio.get_running_loop().run_in_executor(None, sc.proc.p.wait, 20)
        assert code == 0
        assert "Sidecar stopped" in sc.proc.stderr()
    finally:
        await sc.astop(client)
        blackhole.close()
