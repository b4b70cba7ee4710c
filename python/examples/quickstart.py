"""Quick start against a Stigg API (or the local stigg-emulator).

    cargo run -p stigg-emulator -- --port 4000 --edge-port 3060 &
    STIGG_BASE_URI=http://127.0.0.1:4000 python examples/quickstart.py

Environment: STIGG_API_KEY (default: the emulator's key), STIGG_BASE_URI (default: the emulator on
127.0.0.1:4000), STIGG_EDGE_URI (default: derived, :3060 on localhost).
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid

from stigg_native import EventType, Stigg, StiggError, StiggEvent


def on_event(event: StiggEvent) -> None:
    print(f"  event: {event.type} {event.to_dict().get('customerId')}")


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    api_key = os.environ.get("STIGG_API_KEY", "server-emulator-key")
    base_uri = os.environ.get("STIGG_BASE_URI", "http://127.0.0.1:4000")
    edge_uri = os.environ.get("STIGG_EDGE_URI")
    customer_id = f"quickstart-{uuid.uuid4().hex[:8]}"

    with Stigg(
        api_key,
        base_uri=base_uri,
        base_edge_uri=edge_uri,
        entitlements_fallback={"feature-api-calls": {"has_access": True, "usage_limit": 100}},
    ) as stigg:
        stigg.wait_for_initialization(timeout=10)
        stigg.add_listener(on_event, events=[EventType.ENTITLEMENTS_UPDATED, EventType.USAGE_UPDATED])

        # Management call: a customer on the Pro plan.
        provisioned = stigg.provision_customer(
            customer_id=customer_id,
            name="Acme",
            email="billing@acme.test",
            subscription_params={
                "plan_id": "plan-revvenu-pro",
                "trial_override_configuration": {"is_trial": False},
            },
        )
        subscription = provisioned.subscription
        print(f"provisioned {provisioned.customer.id} on {subscription.plan_id if subscription else None}")

        # Entitlement checks: answered from the in-process cache.
        calls = stigg.get_metered_entitlement(customer_id, "feature-api-calls", requested_usage=10)
        print(f"api calls: has_access={calls.has_access} {calls.current_usage}/{calls.usage_limit}")
        sso = stigg.get_boolean_entitlement(customer_id, "feature-sso")
        print(f"sso: has_access={sso.has_access} reason={sso.access_denied_reason}")

        # Usage: the server's new total lands in the cache.
        try:
            ack = stigg.report_usage(customer_id, "feature-api-calls", 10)
            print(f"reported: current_usage={ack.current_usage} until {ack.usage_period_end}")
        except StiggError as e:
            print(f"report failed: {e} (code={e.code}, trace_id={e.trace_id})")

        # The same check from asyncio.
        async def check() -> float:
            e = await stigg.async_get_metered_entitlement(customer_id, "feature-api-calls")
            return e.current_usage

        print(f"async check: current_usage={asyncio.run(check())}")


if __name__ == "__main__":
    main()
