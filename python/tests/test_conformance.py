"""Every shared conformance vector (tests/conformance/*.json) through the Python binding: an
offline client with a fixed clock at the case's `now`, the case's configured fallbacks, and its
`state` as a fixture; `to_dict()` must equal `expected` (numbers compared by value)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

from stigg_native import FixedClock, Stigg

from conftest import ROOT

VECTORS = ROOT / "tests" / "conformance"
MIN_CASES = 150


def _cases() -> List[Tuple[str, Dict[str, Any]]]:
    out = []
    for path in sorted(VECTORS.glob("*.json")):
        if path.name.endswith(".schema.json"):
            continue
        doc = json.loads(path.read_text())
        assert doc["schemaVersion"] == 1, path.name
        for case in doc["cases"]:
            out.append((case["id"], case))
    return out


CASES = _cases()


def _number(v: Any) -> Optional[float]:
    if v is None:
        return None
    if isinstance(v, str):
        return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[v]
    return float(v)


def _diff(path: str, expected: Any, actual: Any, out: List[str]) -> None:
    if isinstance(expected, bool) or isinstance(actual, bool):
        if expected is not actual:
            out.append(f"{path}: expected {expected!r}, got {actual!r}")
    elif isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        if float(expected) != float(actual):
            out.append(f"{path}: expected {expected!r}, got {actual!r}")
    elif isinstance(expected, dict) and isinstance(actual, dict):
        for k in expected:
            if k not in actual:
                out.append(f"{path}.{k}: missing")
            else:
                _diff(f"{path}.{k}", expected[k], actual[k], out)
        for k in actual:
            if k not in expected:
                out.append(f"{path}.{k}: unexpected {actual[k]!r}")
    elif isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            out.append(f"{path}: expected {len(expected)} items, got {len(actual)}")
        else:
            for i, (a, b) in enumerate(zip(expected, actual)):
                _diff(f"{path}[{i}]", a, b, out)
    elif expected != actual:
        out.append(f"{path}: expected {expected!r}, got {actual!r}")


def run_case(case: Dict[str, Any]) -> Dict[str, Any]:
    config = case.get("config") or {}
    stigg = Stigg(
        offline=True,
        read_env=False,
        clock=FixedClock(case["now"]),
        entitlements_fallback=config.get("entitlementsFallback"),
        credit_entitlements_fallback=config.get("creditEntitlementsFallback"),
    )
    try:
        req = case["request"]
        customer_id = req.get("customerId", "customer-1")
        if case["state"] is not None:
            stigg.set_entitlements_state(customer_id, case["state"])
        opts = req.get("options") or {}
        usage = _number(opts.get("requestedUsage"))
        values = opts.get("requestedValues")
        fallback = opts.get("fallback")
        method = req["method"]
        fid = req.get("featureId")
        if method == "getBooleanEntitlement":
            r: Any = stigg.get_boolean_entitlement(customer_id, fid, fallback=fallback)
        elif method == "getNumericEntitlement":
            r = stigg.get_numeric_entitlement(customer_id, fid, fallback=fallback)
        elif method == "getMeteredEntitlement":
            r = stigg.get_metered_entitlement(
                customer_id, fid, requested_usage=usage, fallback=fallback
            )
        elif method == "getEnumEntitlement":
            r = stigg.get_enum_entitlement(
                customer_id, fid, requested_values=values, fallback=fallback
            )
        elif method == "getCreditEntitlement":
            r = stigg.get_credit_entitlement(
                customer_id, req["currencyId"], requested_usage=usage, fallback=fallback
            )
        elif method == "getEntitlement":
            r = stigg.get_entitlement(
                customer_id,
                fid,
                requested_usage=usage,
                requested_values=values,
                fallback=fallback,
            )
        elif method == "getEntitlementV2":
            r = stigg.get_entitlement_v2(
                customer_id,
                feature_id=fid,
                currency_id=req.get("currencyId"),
                requested_usage=usage,
                requested_values=values,
                fallback=fallback,
            )
        elif method == "getEntitlementsStateV2":
            r = stigg.get_entitlements_state_v2(customer_id)
        else:
            raise AssertionError(f"unknown method {method}")
        result: Dict[str, Any] = r.to_dict()
        return result
    finally:
        stigg.close()


def test_enough_vectors() -> None:
    assert len(CASES) >= MIN_CASES
    assert len({cid for cid, _ in CASES}) == len(CASES), "duplicate ids"


@pytest.mark.parametrize("case", [c for _, c in CASES], ids=[cid for cid, _ in CASES])
def test_vector(case: Dict[str, Any]) -> None:
    actual = run_case(case)
    problems: List[str] = []
    _diff("$", case["expected"], actual, problems)
    assert not problems, "\n".join(problems) + f"\nactual: {json.dumps(actual)}"
