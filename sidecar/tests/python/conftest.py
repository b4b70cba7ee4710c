"""Fixtures for the sidecar tests: real processes on ephemeral loopback ports.

The emulator (`stigg-emulator`) and the sidecar (`stigg-sidecar`) are started as subprocesses; each
prints one line with its addresses on stdout, which is parsed (no fixed ports, no blind sleeps).
The client is the official `stigg-sidecar-sdk` from PyPI.

Binaries: $STIGG_EMULATOR_BIN / $STIGG_SIDECAR_BIN, else $CARGO_TARGET_DIR/debug/..., else
<repo>/target/debug/...
"""

import asyncio
import os
import queue
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from stigg.generated import ProvisionCustomerInput, ProvisionCustomerSubscriptionInput
from stigg_sidecar_sdk import ApiConfig, Stigg

REPO = Path(__file__).resolve().parents[3]
API_KEY = "server-emulator-key"
START_TIMEOUT = 60.0


def _bin(env_var: str, name: str) -> str:
    if os.environ.get(env_var):
        return os.environ[env_var]
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    path = target / "debug" / name
    if not path.exists():
        pytest.fail(f"{name} not built at {path}; run cargo build or set {env_var}")
    return str(path)


class Proc:
    """A subprocess whose stdout lines are collected by a thread; stderr goes to a log file."""

    def __init__(self, args, env, log_path: Path):
        self.log_path = log_path
        self.log = open(log_path, "ab")
        self.p = subprocess.Popen(
            args,
            env=env,
            stdout=subprocess.PIPE,
            stderr=self.log,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        self.lines: "queue.Queue[str]" = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for line in self.p.stdout:
            self.lines.put(line)

    def wait_line(self, pattern: str, timeout: float = START_TIMEOUT):
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        while time.monotonic() < deadline:
            if self.p.poll() is not None and self.lines.empty():
                raise RuntimeError(f"{self.p.args[0]} exited with {self.p.returncode}: {self.stderr()}")
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            m = rx.search(line)
            if m:
                return m
        raise TimeoutError(f"no line matching {pattern!r} from {self.p.args[0]}: {self.stderr()}")

    def stderr(self) -> str:
        self.log.flush()
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self, sig=signal.SIGTERM, timeout: float = 15.0) -> int:
        if self.p.poll() is None:
            self.p.send_signal(sig)
            try:
                self.p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.log.close()
        return self.p.returncode


def http_get(url: str, timeout: float = 5.0):
    """(status, body) of a GET; never raises for HTTP errors."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def wait_until(predicate, timeout: float = START_TIMEOUT, interval: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(interval)
    raise TimeoutError(f"timed out waiting for {what}")


class Emulator:
    """A running stigg-emulator."""

    def __init__(self, tmp: Path, port: int = 0, data: Path = None):
        args = [_bin("STIGG_EMULATOR_BIN", "stigg-emulator"), "--port", str(port), "--edge-port", "0",
                "--api-key", API_KEY]
        if data is not None:
            args += ["--data", str(data)]
        env = dict(os.environ, RUST_LOG=os.environ.get("EMULATOR_LOG", "warn"))
        self.proc = Proc(args, env, tmp / f"emulator-{uuid.uuid4().hex[:6]}.log")
        m = self.proc.wait_line(r"GraphQL (http://[0-9.]+:(\d+))/graphql")
        self.base_url = m.group(1)
        self.port = int(m.group(2))
        wait_until(lambda: http_get(f"{self.base_url}/_emulator/health")[0] == 200, what="emulator health")

    def stop(self):
        # The emulator stops cleanly on SIGINT (ctrl-c).
        return self.proc.stop(signal.SIGINT)


class Sidecar:
    """A running stigg-sidecar."""

    def __init__(self, tmp: Path, env_overrides: dict, wait_ready: bool = True):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("SERVER_API_KEY", "API_URL", "EDGE_", "WS_", "REDIS_", "OFFLINE",
                                    "ENTITLEMENTS_", "CACHE_MAX", "PORT", "HEALTH_PORT", "LOG_"))}
        env.update({"PORT": "0", "HEALTH_PORT": "0", "HOST": "127.0.0.1", "LOG_LEVEL": "info"})
        env.update(env_overrides)
        self.proc = Proc([_bin("STIGG_SIDECAR_BIN", "stigg-sidecar")], env,
                         tmp / f"sidecar-{uuid.uuid4().hex[:6]}.log")
        m = self.proc.wait_line(r"grpc=[0-9.]+:(\d+) health=([0-9.]+:\d+)")
        self.port = int(m.group(1))
        self.health = f"http://{m.group(2)}"
        if wait_ready:
            wait_until(lambda: http_get(f"{self.health}/readyz")[0] == 200, what="sidecar /readyz")

    def metrics(self) -> dict:
        """Unlabelled sample values of /metrics, plus labelled ones under their full name."""
        status, body = http_get(f"{self.health}/metrics")
        assert status == 200
        out = {}
        for line in body.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            name, value = line.rsplit(" ", 1)
            out[name] = float(value)
        return out

    def client(self, api_url: str = "http://127.0.0.1:9/graphql") -> Stigg:
        return Stigg(ApiConfig(api_key=API_KEY, api_url=api_url, edge_enabled=False),
                     remote_sidecar_host="127.0.0.1", remote_sidecar_port=self.port)

    def stop(self, sig=signal.SIGTERM):
        return self.proc.stop(sig)

    async def astop(self, client=None):
        """Closes `client`, then stops the sidecar without blocking the event loop (the client's
        socket is closed by the loop; a blocked loop would keep the connection open)."""
        if client is not None:
            client.close()
        return await asyncio.get_running_loop().run_in_executor(None, self.stop)


def online_env(emu: Emulator, **extra) -> dict:
    env = {
        "SERVER_API_KEY": API_KEY,
        "API_URL": emu.base_url,
        "EDGE_API_URL": emu.base_url,
        "ENTITLEMENTS_TIMEOUT_MS": "1500",
    }
    env.update(extra)
    return env


def new_id(prefix: str = "customer") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def provision(client: Stigg, customer_id: str, plan_id: str):
    await client.api.provision_customer(input=ProvisionCustomerInput(
        customer_id=customer_id,
        name="Acme",
        email="ops@acme.test",
        subscription_params=ProvisionCustomerSubscriptionInput(plan_id=plan_id),
    ))


@pytest.fixture(scope="session")
def tmp_session(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("sidecar")


@pytest.fixture(scope="session")
def emulator(tmp_session):
    emu = Emulator(tmp_session)
    yield emu
    emu.stop()


@pytest.fixture(scope="session")
def sidecar(emulator, tmp_session):
    sc = Sidecar(tmp_session, online_env(emulator))
    yield sc
    sc.stop()


@pytest.fixture
async def client(sidecar, emulator):
    c = sidecar.client(f"{emulator.base_url}/graphql")
    yield c
    c.close()
