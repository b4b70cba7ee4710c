"""Redis mode through the binding: the `redis` option (Stigg's names) reaches the core, reads go
through a real redis-server in Stigg's key layout, and a bad option is a ConfigurationError."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from typing import Iterator

import pytest

from conftest import Emulator, _free_port, provision


def _resp(port: int, *args: str) -> bytes:
    """Sends one Redis command (RESP) and returns the raw reply."""
    payload = f"*{len(args)}\r\n" + "".join(f"${len(a.encode())}\r\n{a}\r\n" for a in args)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(payload.encode())
        return s.recv(65536)


@pytest.fixture
def redis_port() -> Iterator[int]:
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("STIGG_REQUIRE_REDIS"):
            pytest.fail("redis-server is required (STIGG_REQUIRE_REDIS is set)")
        pytest.skip("redis-server is not installed")
    port = _free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            if _resp(port, "PING").startswith(b"+PONG"):
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("redis-server did not answer")
        time.sleep(0.05)
    yield port
    proc.terminate()
    proc.wait(timeout=10)


def test_reads_go_through_redis_in_stiggs_layout(
    emulator: Emulator, redis_port: int, online: object, customer_id: str
) -> None:
    from stigg_native import Stigg

    provision(online, customer_id)  # type: ignore[arg-type]
    with Stigg(
        emulator.api_key,
        base_uri=emulator.base_uri,
        base_edge_uri=emulator.edge_uri,
        read_env=False,
        redis={"environment_prefix": "pytest", "host": "127.0.0.1", "port": redis_port, "ttl": -1},
    ) as stigg:
        domain = stigg.get_boolean_entitlement(customer_id=customer_id, feature_id="feature-custom-domain")
        assert domain.has_access and not domain.is_fallback
    key = f"pytest:c_{customer_id}"
    assert _resp(redis_port, "EXISTS", key) == b":1\r\n"
    assert _resp(redis_port, "EXISTS", key + "#timestamp") == b":1\r\n"
    assert _resp(redis_port, "TTL", key) == b":-1\r\n", "ttl -1 means no expiry"


def test_a_bad_redis_option_is_a_configuration_error() -> None:
    from stigg_native import ConfigurationError, Stigg

    with pytest.raises(ConfigurationError, match="hots"):
        Stigg("server-x", read_env=False, redis={"environment_prefix": "p", "hots": "x"})
    with pytest.raises(ConfigurationError):
        Stigg("server-x", read_env=False, redis={"host": "x"})
