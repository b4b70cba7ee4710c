"""Fixtures for the Python peer suite: one stigg-emulator process per session, driven by the
official ``stigg-api-client-v2`` (sync and async clients).

The emulator binary is ``$STIGG_EMULATOR_BIN`` when set, otherwise it is built with
``cargo build -p stigg-emulator`` and taken from ``$CARGO_TARGET_DIR/debug`` (default: the
workspace's ``target/``). It listens on two free loopback ports (main + Edge) and is stopped by pid.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
API_KEY = "server-emulator-key"


@dataclass
class Emulator:
    """A running emulator: its URLs and admin helpers."""

    base_url: str
    edge_url: str
    proc: subprocess.Popen

    @property
    def graphql_url(self) -> str:
        return f"{self.base_url}/graphql"

    def admin(self, path: str, body: object | None = None) -> dict:
        """POST (or GET without body) to an admin hook under ``/_emulator``."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"{self.base_url}/_emulator/{path}",
            data=data,
            method="GET" if body is None else "POST",
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.load(r)

    def raw_graphql(self, query: str, variables: dict | None = None) -> dict:
        """Execute a document without the official client (for documents it does not send)."""
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        req = urllib.request.Request(
            self.graphql_url,
            data=body,
            headers={"X-API-KEY": API_KEY, "content-type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.load(r)

    def edge_get(self, path: str) -> tuple[int, dict]:
        req = urllib.request.Request(
            f"{self.edge_url}{path}", headers={"X-API-KEY": API_KEY, "X-API-VERSION": "1"}
        )
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.load(r)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _emulator_binary() -> Path:
    explicit = os.environ.get("STIGG_EMULATOR_BIN")
    if explicit:
        return Path(explicit)
    subprocess.run(
        ["cargo", "build", "-q", "-p", "stigg-emulator", "--bin", "stigg-emulator"],
        cwd=ROOT,
        check=True,
    )
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / "debug" / "stigg-emulator"


def _wait_healthy(url: str, proc: subprocess.Popen, deadline_s: float = 30.0) -> None:
    deadline = time.monotonic() + deadline_s
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"stigg-emulator exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_emulator/health", timeout=1) as r:
                if json.load(r).get("status") == "UP":
                    return
        except Exception as e:  # not listening yet
            last = e
        time.sleep(0.05)
    raise TimeoutError(f"stigg-emulator not healthy within {deadline_s}s: {last}")


@pytest.fixture(scope="session")
def emulator():
    binary = _emulator_binary()
    last_error: Exception | None = None
    for _ in range(3):  # a free port can be taken between probing and binding: retry
        port, edge_port = _free_port(), _free_port()
        proc = subprocess.Popen(
            [str(binary), "--port", str(port), "--edge-port", str(edge_port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ, "RUST_LOG": "warn"},
        )
        try:
            _wait_healthy(f"http://127.0.0.1:{port}", proc)
        except Exception as e:
            last_error = e
            proc.kill()
            proc.wait(timeout=10)
            continue
        try:
            yield Emulator(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{edge_port}", proc)
        finally:
            proc.terminate()  # by pid: this process only
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        return
    raise RuntimeError(f"could not start stigg-emulator: {last_error}")


@pytest.fixture(scope="session")
def stigg(emulator):
    """The official sync client, Edge enabled (reads go to the Edge port)."""
    from stigg import Stigg

    return Stigg.create_client(
        API_KEY, api_url=emulator.graphql_url, edge_api_url=emulator.edge_url
    )


@pytest.fixture(scope="session")
def stigg_graphql(emulator):
    """The official sync client with Edge disabled (reads go through GraphQL)."""
    from stigg import Stigg

    return Stigg.create_client(API_KEY, api_url=emulator.graphql_url, enable_edge=False)


@pytest.fixture
def customer_id() -> str:
    """A fresh customer id per test, so tests never share state."""
    return f"py-{uuid.uuid4().hex[:12]}"
