"""Typed shapes of dict arguments (``TypedDict``s; plain dicts work the same at run time)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Dict, List, Optional, TypedDict, Union

#: An instant: an aware (or naive = UTC) ``datetime``, an ISO-8601 string, or epoch milliseconds.
Instant = Union[datetime, date, str, int, float]
#: A duration in seconds, or a ``timedelta``.
Seconds = Union[float, int, timedelta]
#: A dimension value of a usage report or event.
DimensionValue = Union[str, int, float, bool]
Dimensions = Dict[str, DimensionValue]


class EntitlementFallback(TypedDict, total=False):
    """A feature fallback (``fallback=`` of the feature getters, ``entitlements_fallback`` values)."""

    has_access: bool
    value: Optional[float]
    is_unlimited: Optional[bool]
    usage_limit: Optional[float]
    enum_values: Optional[List[str]]


class CreditEntitlementFallback(TypedDict, total=False):
    """A credit fallback (``get_credit_entitlement``, ``credit_entitlements_fallback`` values)."""

    has_access: bool
    usage_limit: Optional[float]
    current_usage: Optional[float]
