"""Shared fixtures: the repository root and the emulator (`stigg-emulator`, started per session)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator, Optional

import pytest

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


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    binary = _emulator_binary()
    if binary is None:
        pytest.skip(
            "stigg-emulator binary not built (cargo build -p stigg-emulator, or set STIGG_EMULATOR_BIN)"
        )
    port, edge_port = _free_port(), _free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--edge-port", str(edge_port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    emu = Emulator(proc, port, edge_port)
    deadline = time.monotonic() + 30
    while True:
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"stigg-emulator exited early: {err}")
        try:
            urllib.request.urlopen(emu.base_uri + "/", timeout=1)
            break
        except urllib.error.HTTPError:
            break  # it answers
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
