"""Benchmark: a cached ``get_metered_entitlement`` from Python, and side by side in the same run the
official ``stigg-api-client-v2`` doing the same check (``get_entitlement`` over Edge, one HTTP call
per check, as that client has no cache) against the same stigg-emulator.

    python bench/bench_cached_check.py            # builds nothing; finds target/*/stigg-emulator
    STIGG_EMULATOR_BIN=/path/to/stigg-emulator python bench/bench_cached_check.py

Method (its own harness, ``time.perf_counter_ns``): the native check runs in batches of BATCH calls
(one timer read per batch, so the timer's own ~50 ns does not count per call); a batch's time / BATCH
is one sample; we report the median (p50) and p99 of the samples. The official client is timed
call by call. Both share one emulator process on loopback.
"""

from __future__ import annotations

import gc
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Callable, List, Optional

from stigg_native import Stigg

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "server-emulator-key"
BATCH = 100
NATIVE_SAMPLES = int(os.environ.get("BENCH_NATIVE_SAMPLES", "3000"))
OFFICIAL_CALLS = int(os.environ.get("BENCH_OFFICIAL_CALLS", "300"))
WARMUP = 200


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def emulator_binary() -> str:
    explicit = os.environ.get("STIGG_EMULATOR_BIN")
    if explicit:
        return explicit
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    for profile in ("release", "debug"):
        p = target / profile / "stigg-emulator"
        if p.is_file():
            return str(p)
    sys.exit("stigg-emulator not found: cargo build -p stigg-emulator (or set STIGG_EMULATOR_BIN)")


def percentile(samples: List[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, int(q * len(s)))]


def fmt_ns(ns: float) -> str:
    return f"{ns / 1e6:.3f} ms" if ns >= 1e6 else (f"{ns / 1e3:.2f} µs" if ns >= 1e4 else f"{ns:.0f} ns")


def bench_native(stigg: Stigg, customer_id: str) -> List[float]:
    """The call is written out in the loop (no wrapper function), as an application would."""
    get = stigg.get_metered_entitlement
    feature = "feature-api-calls"
    for _ in range(WARMUP):
        get(customer_id, feature, requested_usage=1)
    gc.disable()
    try:
        samples = []
        clock = time.perf_counter_ns
        for _ in range(NATIVE_SAMPLES):
            t0 = clock()
            for _ in range(BATCH):
                get(customer_id, feature, requested_usage=1)
            samples.append((clock() - t0) / BATCH)
        return samples
    finally:
        gc.enable()


def bench_official(check: Callable[[], object]) -> List[float]:
    for _ in range(20):
        check()
    samples = []
    clock = time.perf_counter_ns
    for _ in range(OFFICIAL_CALLS):
        t0 = clock()
        check()
        samples.append(float(clock() - t0))
    return samples


def main() -> None:
    port, edge_port = free_port(), free_port()
    proc = subprocess.Popen(
        [emulator_binary(), "--port", str(port), "--edge-port", str(edge_port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "RUST_LOG": "error"},
    )
    try:
        base, edge = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{edge_port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/_emulator/health", timeout=1).read()
                break
            except OSError:
                time.sleep(0.05)
        customer_id = f"bench-{uuid.uuid4().hex[:8]}"
        with Stigg(API_KEY, base_uri=base, base_edge_uri=edge, read_env=False) as stigg:
            stigg.wait_for_initialization(timeout=10)
            stigg.provision_customer(
                customer_id=customer_id,
                subscription_params={
                    "plan_id": "plan-revvenu-pro",
                    "trial_override_configuration": {"is_trial": False},
                },
            )
            first = stigg.get_metered_entitlement(customer_id, "feature-api-calls", requested_usage=1)
            assert first.has_access and not first.is_fallback, first

            native_kw = bench_native(stigg, customer_id)

        official: Optional[List[float]] = None
        official_error = ""
        try:
            from stigg import Stigg as Official
            from stigg.generated import EntitlementOptions, FetchEntitlementQuery

            client = Official.create_client(API_KEY, api_url=base + "/graphql", edge_api_url=edge)
            query = FetchEntitlementQuery(
                customer_id=customer_id,
                feature_id="feature-api-calls",
                options=EntitlementOptions(requested_usage=1),
            )
            ent = client.get_entitlement(query).entitlement
            assert ent.is_granted, ent
            official = bench_official(lambda: client.get_entitlement(query))
        except ImportError as e:
            official_error = f"stigg-api-client-v2 not installed ({e})"

        native_p50 = statistics.median(native_kw)
        print(f"python {sys.version.split()[0]}, stigg-native cached check, batches of {BATCH}")
        print(
            f"stigg-native   get_metered_entitlement (cached):      p50 {fmt_ns(native_p50)}  "
            f"p99 {fmt_ns(percentile(native_kw, 0.99))}  ({NATIVE_SAMPLES * BATCH} calls)"
        )
        if official is None:
            print(f"official client: skipped: {official_error}")
            return
        official_p50 = statistics.median(official)
        print(
            f"stigg-api-client-v2 get_entitlement (Edge, HTTP):   p50 {fmt_ns(official_p50)}  "
            f"p99 {fmt_ns(percentile(official, 0.99))}  ({OFFICIAL_CALLS} calls)"
        )
        print(f"ratio (official p50 / native p50): {official_p50 / native_p50:,.0f}x")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
