"""Offline mode: no network, no API key. Checks answer from configured fallbacks, or from fixture
states given with ``set_entitlements_state`` (decided by the same rules as online checks) — handy
in unit tests of an application.

    python examples/offline.py
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict

from stigg_native import AccessDeniedReason, FixedClock, Stigg

STATE: Dict[str, Any] = {
    "entitlementsV2": [
        {
            "__typename": "FeatureEntitlement",
            "usageLimit": 10,
            "currentUsage": 3,
            "hasUnlimitedUsage": False,
            "hasSoftLimit": False,
            "usagePeriodAnchor": "2024-01-01T00:00:00.000Z",
            "usagePeriodEnd": "2024-02-01T00:00:00.000Z",
            "resetPeriod": "MONTH",
            "feature": {
                "__typename": "EntitlementFeature",
                "refId": "feature-api-calls",
                "featureType": "NUMBER",
                "meterType": "Incremental",
            },
        }
    ],
    "accessDeniedReason": None,
}


def main() -> None:
    clock = FixedClock(datetime(2024, 1, 15, 12, tzinfo=timezone.utc))
    with Stigg(
        offline=True,
        clock=clock,
        entitlements_fallback={"feature-seats": {"has_access": True, "usage_limit": 5}},
    ) as stigg:
        seats = stigg.get_metered_entitlement("any-customer", "feature-seats", requested_usage=2)
        print(f"fallback: has_access={seats.has_access} is_fallback={seats.is_fallback}")

        stigg.set_entitlements_state("customer-1", STATE)
        ok = stigg.get_metered_entitlement("customer-1", "feature-api-calls", requested_usage=7)
        over = stigg.get_metered_entitlement("customer-1", "feature-api-calls", requested_usage=8)
        assert ok.has_access and not over.has_access
        assert over.access_denied_reason is AccessDeniedReason.REQUESTED_USAGE_EXCEEDING_LIMIT
        print(f"fixture: 7 -> {ok.has_access}, 8 -> {over.has_access} ({over.access_denied_reason})")

        clock.set(datetime(2024, 2, 2, tzinfo=timezone.utc))  # a new period: usage rolls over
        rolled = stigg.get_metered_entitlement("customer-1", "feature-api-calls")
        print(f"after roll-over: current_usage={rolled.current_usage} since {rolled.usage_period_start}")

        ack = stigg.report_usage("customer-1", "feature-api-calls", 1)  # a local acknowledgement
        print(f"offline ack: {ack.measurement_id}")


if __name__ == "__main__":
    main()
