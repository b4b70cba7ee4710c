"""Shared fixtures: the repository root and the emulator (`stigg-emulator`, started per session)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Optional

import pytest

if TYPE_CHECKING:
    from stigg_native import Stigg

ROOT = Path(__file__).resolve().parents[2]
EMULATOR_KEY = "server-emulator-key"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _emulator_binary() -> Optional[str]:
    explicit = os.environ.get("STIGG_EMULATOR_BIN")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    for profile in ("debug", "release"):
        p = target / profile / "stigg-emulator"
        if p.is_file():
            return str(p)
    return shutil.which("stigg-emulator")


class Emulator:
    """A running emulator: `base_uri` for the client, `admin` helpers over HTTP."""

    def __init__(self, proc: "subprocess.Popen[bytes]", port: int, edge_port: int) -> None:
        self.proc = proc
        self.port = port
        self.edge_port = edge_port
        self.base_uri = f"http://127.0.0.1:{port}"
        self.edge_uri = f"http://127.0.0.1:{edge_port}"
        self.api_key = EMULATOR_KEY


NOW = "2024-01-15T12:00:00.000Z"

#: A wire EntitlementsState with one metered feature (limit 10, usage 3) and one boolean feature.
STATE = {
    "entitlementsV2": [
        {
            "__typename": "FeatureEntitlement",
            "isGranted": True,
            "usageLimit": 10,
            "hasUnlimitedUsage": False,
            "hasSoftLimit": False,
            "currentUsage": 3,
            "usagePeriodAnchor": "2024-01-01T00:00:00.000Z",
            "usagePeriodStart": "2024-01-01T00:00:00.000Z",
            "usagePeriodEnd": "2024-02-01T00:00:00.000Z",
            "resetPeriod": "MONTH",
            "feature": {
                "__typename": "EntitlementFeature",
                "refId": "feature-api-calls",
                "featureType": "NUMBER",
                "meterType": "Incremental",
                "featureUnits": "call",
                "featureUnitsPlural": "calls",
                "displayName": "API calls",
            },
        },
        {
            "__typename": "FeatureEntitlement",
            "isGranted": True,
            "feature": {
                "__typename": "EntitlementFeature",
                "refId": "feature-sso",
                "featureType": "BOOLEAN",
            },
        },
    ],
    "accessDeniedReason": None,
}


@pytest.fixture
def offline() -> Iterator["Stigg"]:
    """An offline client at NOW with STATE for customer-1."""
    from stigg_native import FixedClock, Stigg

    stigg = Stigg(offline=True, read_env=False, clock=FixedClock(NOW))
    stigg.set_entitlements_state("customer-1", STATE)
    yield stigg
    stigg.close()


def admin(emu: "Emulator", path: str, body: object = None) -> object:
    """Calls an emulator admin hook (`/_emulator/...`)."""
    import json

    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(
        f"{emu.base_uri}/_emulator/{path}",
        data=data,
        method="GET" if body is None else "POST",
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    binary = _emulator_binary()
    if binary is None:
        pytest.skip(
            "stigg-emulator binary not built (cargo build -p stigg-emulator, or set STIGG_EMULATOR_BIN)"
        )
    port, edge_port = _free_port(), _free_port()
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--edge-port", str(edge_port)],
        stdout=subprocess.DEVNULL,
        stderr=log,
        env={**os.environ, "RUST_LOG": "warn"},
    )
    emu = Emulator(proc, port, edge_port)
    deadline = time.monotonic() + 30
    while True:
        if proc.poll() is not None:
            log.seek(0)
            err = log.read().decode(errors="replace")
            raise RuntimeError(f"stigg-emulator exited early: {err}")
        try:
            urllib.request.urlopen(emu.base_uri + "/_emulator/health", timeout=1)
            break
        except (urllib.error.URLError, OSError):
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("stigg-emulator did not answer within 30 s")
            time.sleep(0.1)
    yield emu
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def online(emulator: Emulator) -> Iterator["Stigg"]:
    """A client of the emulator (Edge on its second port, real-time stream on)."""
    from stigg_native import Stigg

    stigg = Stigg(
        emulator.api_key,
        base_uri=emulator.base_uri,
        base_edge_uri=emulator.edge_uri,
        read_env=False,
    )
    stigg.wait_for_initialization(timeout=10)
    yield stigg
    stigg.close()


@pytest.fixture
def customer_id() -> str:
    import uuid

    return f"py-{uuid.uuid4().hex[:12]}"


def provision(stigg: "Stigg", customer_id: str, plan: str = "plan-revvenu-pro") -> None:
    """Provisions a customer on `plan` without a trial (through the binding's management API)."""
    stigg.provision_customer(
        customer_id=customer_id,
        name="Acme",
        email="billing@acme.test",
        subscription_params={"plan_id": plan, "trial_override_configuration": {"is_trial": False}},
    )
