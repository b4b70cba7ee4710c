"""Redis mode (REDIS_ENVIRONMENT_PREFIX): the core's Redis store in Stigg's layout behind the sidecar.
A second sidecar with an empty memory answers from Redis alone while the API is down.
Skipped when redis-server is not installed (CI installs it)."""

import shutil
import socket
import subprocess
import time

import pytest
from stigg_sidecar_sdk import GetMeteredEntitlementRequest

from conftest import Emulator, Sidecar, new_id, online_env, provision

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def redis_port(tmp_path):
    port = _free_port()
    p = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                          "--appendonly", "no", "--dir", str(tmp_path)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while not _ping(port):
        if p.poll() is not None or time.monotonic() > deadline:
            p.kill()
            pytest.fail("redis-server did not start")
        time.sleep(0.05)
    yield port
    p.terminate()
    p.wait(timeout=10)


def _keys(port: int, pattern: str):
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        cmd = f"*2\r\n$4\r\nKEYS\r\n${len(pattern)}\r\n{pattern}\r\n".encode()
        s.sendall(cmd)
        data = b""
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            data += s.recv(65536)
            if data.startswith(b"*0") or data.count(b"\r\n") >= 1 + 2 * int(data[1:data.index(b"\r\n")]):
                break
    lines = data.split(b"\r\n")
    return [lines[i].decode() for i in range(2, len(lines), 2) if lines[i]]


async def test_redis_mode_shares_state_between_sidecars_and_survives_api_outage(tmp_path, redis_port):
    prefix = new_id("sidecar-test")
    emu = Emulator(tmp_path)
    redis_env = {"REDIS_ENVIRONMENT_PREFIX": prefix, "REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(redis_port)}
    first = Sidecar(tmp_path, online_env(emu, **redis_env))
    client = first.client(f"{emu.base_url}/graphql")
    cid = new_id()
    try:
        await provision(client, cid, "plan-revvenu-pro")
        r = await client.get_metered_entitlement(GetMeteredEntitlementRequest(customer_id=cid, feature_id="feature-api-calls"))
        assert r.is_fallback is False and r.entitlement.usage_limit == 100000.0
        keys = _keys(redis_port, f"{prefix}*")
        assert any(cid in k for k in keys), keys
    finally:
        await first.astop(client)

    emu.stop()  # the API is gone; only Redis knows the customer now
    second = Sidecar(tmp_path, online_env(emu, ENTITLEMENTS_TIMEOUT_MS="1000", **redis_env))
    client = second.client()
    try:
        r = await client.get_metered_entitlement(GetMeteredEntitlementRequest(customer_id=cid, feature_id="feature-api-calls"))
        assert r.is_fallback is False
        assert r.entitlement.usage_limit == 100000.0
    finally:
        await second.astop(client)
