"""Result records of the cold path (usage, credits, events; management calls as they are added).

A record wraps the JSON the core returns (camelCase keys) and exposes it by snake_case attribute:
``ack.current_usage`` reads ``"currentUsage"``. Instants listed in ``_dates`` are returned as aware
UTC ``datetime``s, nested records per ``_nested``; ``to_dict()`` returns the JSON unchanged. Adding a
result type is a subclass with its field annotations (for typing) and, if needed, those two maps.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, ClassVar, Dict, FrozenSet, List, Mapping, Optional, Type

from ._enums import EntitlementType, EventType, UsageUpdateBehavior  # noqa: F401

_CAMEL = re.compile(r"_([a-z0-9])")


def _camel(name: str) -> str:
    return _CAMEL.sub(lambda m: m.group(1).upper(), name)


def _parse_instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class Record:
    """A JSON-backed result with snake_case attributes."""

    _dates: ClassVar[FrozenSet[str]] = frozenset()
    _nested: ClassVar[Mapping[str, Type["Record"]]] = {}
    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_data", dict(data))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        data: Dict[str, Any] = object.__getattribute__(self, "_data")
        key = _camel(name)
        if key not in data:
            raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")
        value = data[key]
        if value is None:
            return None
        if key in self._dates and isinstance(value, str):
            return _parse_instant(value)
        nested = self._nested.get(key)
        if nested is not None:
            if isinstance(value, list):
                return [nested(v) if isinstance(v, dict) else v for v in value]
            if isinstance(value, dict):
                return nested(value)
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def to_dict(self) -> Dict[str, Any]:
        """The record's JSON (camelCase keys), as the core serialized it."""
        data: Dict[str, Any] = object.__getattribute__(self, "_data")
        return dict(data)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.to_dict()!r})"

    def __dir__(self) -> List[str]:
        keys = [re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), k) for k in self.to_dict()]
        return sorted(set(keys) | {"to_dict"})


class CreditUsage(Record):
    """The credit side of a usage acknowledgement."""

    _dates = frozenset({"usagePeriodEnd", "timestamp"})
    currency_id: str
    current_usage: Optional[float]
    usage_limit: Optional[float]
    usage_period_end: Optional[datetime]
    timestamp: Optional[datetime]
    consumed: Optional[float]


class ReportUsageAck(Record):
    """Result of ``report_usage``."""

    _dates = frozenset({"usagePeriodStart", "usagePeriodEnd", "nextResetDate", "timestamp"})
    _nested = {"credit": CreditUsage}
    measurement_id: str
    feature_id: str
    customer_id: str
    resource_id: Optional[str]
    current_usage: Optional[float]
    usage_period_start: Optional[datetime]
    usage_period_end: Optional[datetime]
    next_reset_date: Optional[datetime]
    timestamp: Optional[datetime]
    credit: Optional[CreditUsage]


class ConsumeCreditsResult(Record):
    """Result of ``consume_credits``."""

    _dates = frozenset({"timestamp"})
    _nested = {"credit": CreditUsage}
    customer_id: str
    currency_id: str
    resource_id: Optional[str]
    amount: float
    timestamp: Optional[datetime]
    credit: Optional[CreditUsage]


class CreditEstimate(Record):
    """One currency's estimate."""

    currency_id: str
    estimated_cost: float
    current_balance: float
    balance_after_estimate: float
    would_overdraft: bool
    breakdown: List[Dict[str, Any]]


class CreditCostEstimation(Record):
    """Result of ``estimate_usage_cost`` / ``estimate_event_cost``."""

    _nested = {"estimates": CreditEstimate}
    estimates: List[CreditEstimate]
    warnings: List[Any]


class SubscriptionAddon(Record):
    """An addon of a subscription."""

    addon_id: str
    quantity: float


class Subscription(Record):
    """A subscription (the official SDK's model: ids as refIds)."""

    _dates = frozenset(
        {
            "startDate",
            "endDate",
            "trialEndDate",
            "cancellationDate",
            "effectiveEndDate",
            "currentBillingPeriodEnd",
        }
    )
    _nested = {"addons": SubscriptionAddon}
    id: str
    customer_id: Optional[str]
    paying_customer_id: Optional[str]
    resource_id: Optional[str]
    plan_id: Optional[str]
    status: Optional[str]
    addons: List[SubscriptionAddon]
    metadata: Optional[Dict[str, Any]]
    billing_id: Optional[str]
    billing_link_url: Optional[str]
    billing_period: Optional[str]
    pricing_type: Optional[str]
    payment_collection: Optional[str]
    start_date: Optional[datetime]
    end_date: Optional[datetime]
    trial_end_date: Optional[datetime]
    cancellation_date: Optional[datetime]
    effective_end_date: Optional[datetime]
    current_billing_period_end: Optional[datetime]
    prices: Any
    total_price: Any
    latest_invoice: Any
    experiment_info: Any
    billing_sync_error: Optional[str]


class Coupon(Record):
    """A coupon."""

    id: str
    name: Optional[str]
    description: Optional[str]
    metadata: Optional[Dict[str, Any]]
    discount_value: Optional[float]
    percent_off: Optional[float]
    amounts_off: Any


class Customer(Record):
    """A customer (``id`` is the customer's refId)."""

    _dates = frozenset({"createdAt", "updatedAt"})
    id: str
    name: Optional[str]
    email: Optional[str]
    billing_id: Optional[str]
    created_at: Optional[datetime]
    updated_at: Optional[datetime]
    metadata: Optional[Dict[str, Any]]
    aws_marketplace_customer_id: Optional[str]


class FullCustomer(Customer):
    """``get_customer``: the customer with its subscriptions, coupon and promotions."""

    _nested = {"subscriptions": Subscription, "coupon": Coupon}
    has_payment_method: bool
    subscriptions: List[Subscription]
    coupon: Optional[Coupon]
    promotional_entitlements: List[Dict[str, Any]]
    already_trial_plans: List[Dict[str, Any]]


class ProvisionedCustomer(Record):
    """Result of ``provision_customer``."""

    _nested = {"customer": Customer, "subscription": Subscription}
    customer: Customer
    subscription_decision_strategy: str
    subscription: Optional[Subscription]


class ProvisionSubscriptionResult(Record):
    """Result of ``provision_subscription``."""

    _nested = {"subscription": Subscription}
    provision_status: str
    subscription: Optional[Subscription]
    checkout_url: Optional[str]


class SubscriptionPage(Record):
    """A page of ``get_subscriptions``."""

    _nested = {"data": Subscription}
    data: List[Subscription]
    page_info: Dict[str, Any]
    total_count: Optional[int]


class StiggEvent(Record):
    """An event delivered to listeners. ``type`` is an ``EventType``; the other attributes depend
    on it (e.g. ``customer_id``/``resource_id`` for ``cacheHit``; ``entitlements`` for
    ``entitlementsUpdated``, in Stigg's wire shape)."""

    _dates = frozenset({"usagePeriodStart", "usagePeriodEnd"})

    @property
    def type(self) -> EventType | str:
        value: str = self.to_dict()["type"]
        try:
            return EventType(value)
        except ValueError:
            return value
