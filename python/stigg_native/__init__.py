"""stigg-native: the Stigg server SDK on a native Rust core.

    from stigg_native import Stigg

    with Stigg(api_key="server-...") as stigg:
        e = stigg.get_metered_entitlement("customer-1", "feature-api-calls", requested_usage=1)
        if e.has_access:
            ...

Cached checks are answered in-process (no network, no GIL release); misses fetch the customer's
state once and cache it, kept fresh by Stigg's real-time stream. Every blocking method has an
``async_*`` coroutine twin for asyncio. See README.md for the whole API.
"""

from __future__ import annotations

import atexit
from typing import Union

from . import _native
from ._enums import (
    AccessDeniedReason,
    EntitlementResetPeriod,
    EntitlementsStateAccessDeniedReason,
    EntitlementType,
    EventType,
    FeatureType,
    MeterType,
    UsageUpdateBehavior,
)
from ._errors import (
    ApiError,
    ClientClosedError,
    ConfigurationError,
    InvalidArgumentError,
    NetworkError,
    StiggError,
    TimeoutError,
)
from ._native import (
    BooleanEntitlement,
    CreditEntitlement,
    Currency,
    EntitlementsStateV2,
    EnumEntitlement,
    Feature,
    FixedClock,
    MeteredEntitlement,
    NumericEntitlement,
    ReloadEntitlementsResult,
    Stigg,
    refresh_log_level,
)
from ._records import (
    ConsumeCreditsResult,
    Coupon,
    CreditCostEstimation,
    CreditEstimate,
    CreditUsage,
    Customer,
    FullCustomer,
    ProvisionedCustomer,
    ProvisionSubscriptionResult,
    Record,
    ReportUsageAck,
    StiggEvent,
    Subscription,
    SubscriptionAddon,
    SubscriptionPage,
)

from ._types import CreditEntitlementFallback, Dimensions, EntitlementFallback, Instant, Seconds

#: A feature entitlement of any type (``get_entitlement``).
Entitlement = Union[BooleanEntitlement, NumericEntitlement, MeteredEntitlement, EnumEntitlement]
#: A feature or credit entitlement (``get_entitlement_v2``, ``get_entitlements_state_v2``).
EntitlementV2 = Union[
    BooleanEntitlement, NumericEntitlement, MeteredEntitlement, EnumEntitlement, CreditEntitlement
]

__version__: str = _native.__version__

# Runtime threads must not call into Python once the interpreter is shutting down.
atexit.register(_native._stop_logging)

__all__ = [
    "AccessDeniedReason",
    "ApiError",
    "BooleanEntitlement",
    "ClientClosedError",
    "ConfigurationError",
    "ConsumeCreditsResult",
    "CreditCostEstimation",
    "Coupon",
    "CreditEntitlement",
    "CreditEntitlementFallback",
    "CreditEstimate",
    "CreditUsage",
    "Currency",
    "Customer",
    "Dimensions",
    "Entitlement",
    "EntitlementFallback",
    "EntitlementResetPeriod",
    "EntitlementV2",
    "EntitlementType",
    "EntitlementsStateAccessDeniedReason",
    "EntitlementsStateV2",
    "EnumEntitlement",
    "EventType",
    "Feature",
    "FeatureType",
    "FixedClock",
    "FullCustomer",
    "Instant",
    "InvalidArgumentError",
    "MeterType",
    "MeteredEntitlement",
    "NetworkError",
    "NumericEntitlement",
    "ProvisionSubscriptionResult",
    "ProvisionedCustomer",
    "Record",
    "ReloadEntitlementsResult",
    "ReportUsageAck",
    "Seconds",
    "Stigg",
    "StiggError",
    "StiggEvent",
    "Subscription",
    "SubscriptionAddon",
    "SubscriptionPage",
    "TimeoutError",
    "UsageUpdateBehavior",
    "__version__",
    "refresh_log_level",
]
