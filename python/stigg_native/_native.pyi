# Type stubs of the native extension (python/src/*.rs). Keep in step with the Rust signatures.
from __future__ import annotations

import builtins
from datetime import datetime
from types import TracebackType
from typing import Any, Awaitable, Callable, Iterable, List, Literal, Mapping, Optional, Sequence, Type, Union

from ._enums import (
    AccessDeniedReason,
    EntitlementResetPeriod,
    EntitlementsStateAccessDeniedReason,
    EventType,
    FeatureType,
    MeterType,
    UsageUpdateBehavior,
)
from ._records import (
    ConsumeCreditsResult,
    Coupon,
    CreditCostEstimation,
    Customer,
    FullCustomer,
    ProvisionedCustomer,
    ProvisionSubscriptionResult,
    Record,
    ReportUsageAck,
    StiggEvent,
    Subscription,
    SubscriptionPage,
)
from ._types import CreditEntitlementFallback, Dimensions, EntitlementFallback, Instant, Seconds

__version__: str
CORE_VERSION: str

def refresh_log_level() -> None:
    """Re-read the effective level of the ``stigg_native`` logger (call after changing it)."""

def _stop_logging() -> None: ...

class FixedClock:
    """A clock that stands still until set: decisions read ``now`` from it (tests, vectors)."""

    def __init__(self, now: Instant) -> None: ...
    def set(self, now: Instant) -> None: ...
    @property
    def now_ms(self) -> int: ...

class Feature:
    @property
    def id(self) -> str: ...
    @property
    def feature_type(self) -> Union[FeatureType, str]: ...
    @property
    def meter_type(self) -> Union[MeterType, str, None]: ...
    @property
    def units(self) -> str: ...
    @property
    def units_plural(self) -> str: ...
    @property
    def is_metered(self) -> bool: ...
    @property
    def display_name(self) -> Optional[str]: ...
    @property
    def description(self) -> Optional[str]: ...
    def to_dict(self) -> dict[str, Any]: ...

class Currency:
    @property
    def currency_id(self) -> str: ...
    @property
    def display_name(self) -> Optional[str]: ...
    @property
    def description(self) -> Optional[str]: ...
    @property
    def unit_singular(self) -> Optional[str]: ...
    @property
    def unit_plural(self) -> Optional[str]: ...
    @property
    def metadata(self) -> Any: ...
    def to_dict(self) -> dict[str, Any]: ...

class _EntitlementBase:
    @property
    def has_access(self) -> bool: ...
    @property
    def is_fallback(self) -> bool: ...
    @property
    def access_denied_reason(self) -> Union[AccessDeniedReason, str, None]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __bool__(self) -> bool: ...

class BooleanEntitlement(_EntitlementBase):
    @property
    def type(self) -> Literal["BOOLEAN"]: ...
    @property
    def feature(self) -> Optional[Feature]: ...

class NumericEntitlement(_EntitlementBase):
    @property
    def type(self) -> Literal["NUMERIC"]: ...
    @property
    def feature(self) -> Optional[Feature]: ...
    @property
    def value(self) -> Optional[float]: ...
    @property
    def is_unlimited(self) -> bool: ...

class MeteredEntitlement(_EntitlementBase):
    @property
    def type(self) -> Literal["METERED"]: ...
    @property
    def feature(self) -> Optional[Feature]: ...
    @property
    def usage_limit(self) -> Optional[float]: ...
    @property
    def is_unlimited(self) -> bool: ...
    @property
    def has_soft_limit(self) -> bool: ...
    @property
    def current_usage(self) -> float: ...
    @property
    def requested_usage(self) -> float: ...
    @property
    def reset_period(self) -> Union[EntitlementResetPeriod, str, None]: ...
    @property
    def usage_period_anchor(self) -> Optional[datetime]: ...
    @property
    def usage_period_start(self) -> Optional[datetime]: ...
    @property
    def usage_period_end(self) -> Optional[datetime]: ...
    @property
    def next_reset_date(self) -> Optional[datetime]: ...

class EnumEntitlement(_EntitlementBase):
    @property
    def type(self) -> Literal["ENUM"]: ...
    @property
    def feature(self) -> Optional[Feature]: ...
    @property
    def enum_values(self) -> List[str]: ...
    @property
    def requested_values(self) -> Optional[List[str]]: ...

class CreditEntitlement(_EntitlementBase):
    @property
    def type(self) -> Literal["CREDIT"]: ...
    @property
    def currency(self) -> Currency: ...
    @property
    def usage_limit(self) -> float: ...
    @property
    def current_usage(self) -> float: ...
    @property
    def remaining(self) -> float: ...
    @property
    def usage_period_end(self) -> Optional[datetime]: ...
    @property
    def has_soft_limit(self) -> bool: ...
    @property
    def requested_usage(self) -> float: ...

Entitlement = Union[BooleanEntitlement, NumericEntitlement, MeteredEntitlement, EnumEntitlement]
EntitlementV2 = Union[
    BooleanEntitlement, NumericEntitlement, MeteredEntitlement, EnumEntitlement, CreditEntitlement
]

class EntitlementsStateV2:
    @property
    def entitlements(self) -> List[EntitlementV2]: ...
    @property
    def access_denied_reason(self) -> Union[EntitlementsStateAccessDeniedReason, str, None]: ...
    def to_dict(self) -> dict[str, Any]: ...

class ReloadEntitlementsResult:
    @property
    def entitled_entity_exists(self) -> bool: ...
    def to_dict(self) -> dict[str, Any]: ...

_Events = Union[EventType, str, Iterable[Union[EventType, str]]]
_UpdateBehavior = Union[UsageUpdateBehavior, Literal["DELTA", "SET"]]

class Stigg:
    """The Stigg client. Blocking methods detach from Python while they wait; each has an
    ``async_*`` coroutine twin for asyncio. Reads never raise for lack of data: they return the
    fallback (``is_fallback=True``)."""

    def __init__(
        self,
        api_key: Optional[str] = None,
        *,
        base_uri: Optional[str] = None,
        base_edge_uri: Optional[str] = None,
        ws_url: Optional[str] = None,
        realtime_updates_enabled: Optional[bool] = None,
        enable_edge: Optional[bool] = None,
        entitlements_fallback: Optional[Mapping[str, EntitlementFallback]] = None,
        credit_entitlements_fallback: Optional[Mapping[str, CreditEntitlementFallback]] = None,
        cache_max_size_bytes: Optional[int] = None,
        timeout: Optional[Seconds] = None,
        entitlements_timeout: Optional[Seconds] = None,
        offline: bool = False,
        refresh_interval: Optional[Seconds] = None,
        redis: Optional[Mapping[str, Any]] = None,
        clock: Optional[FixedClock] = None,
        read_env: bool = True,
    ) -> None: ...
    @property
    def instance_id(self) -> str: ...
    @property
    def is_closed(self) -> bool: ...
    @property
    def offline(self) -> bool: ...

    # lifecycle
    def wait_for_initialization(self, timeout: Optional[Seconds] = None) -> None: ...
    def async_wait_for_initialization(self) -> Awaitable[None]: ...
    def close(self) -> None: ...
    def async_close(self) -> Awaitable[None]: ...
    def __enter__(self) -> Stigg: ...
    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> bool: ...
    def __aenter__(self) -> Awaitable[Stigg]: ...
    def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> Awaitable[bool]: ...

    # listeners
    def add_listener(
        self, callback: Callable[[StiggEvent], object], events: Optional[_Events] = None
    ) -> int: ...
    def remove_listener(self, listener_id: int) -> bool: ...

    # entitlement reads
    def get_boolean_entitlement(
        self,
        customer_id: str,
        feature_id: str,
        *,
        resource_id: Optional[str] = None,
        fallback: Optional[EntitlementFallback] = None,
    ) -> BooleanEntitlement: ...
    def async_get_boolean_entitlement(
        self,
        customer_id: str,
        feature_id: str,
        *,
        resource_id: Optional[str] = None,
        fallback: Optional[EntitlementFallback] = None,
    ) -> Awaitable[BooleanEntitlement]: ...
    def get_numeric_entitlement(
        self,
        customer_id: str,
        feature_id: str,
        *,
        resource_id: Optional[str] = None,
        fallback: Optional[EntitlementFallback] = None,
    ) -> NumericEntitlement: ...
    def async_get_numeric_entitlement(
        self,
        customer_id: str,
        feature_id: str,
        *,
        resource_id: Optional[str] = None,
        fallback: Optional[EntitlementFallback] = None,
    ) -> Awaitable[NumericEntitlement]: ...
    def get_metered_entitlement(
        self,
        customer_id: str,
        feature_id: str,
        *,
        requested_usage: Optional[float] = None,
        resource_id: Optional[str] = None,
        fallback: Optional[EntitlementFallback] = None,
    ) -> MeteredEntitlement: ...
    def async_get_metered_entitlement(
        self,
        customer_id: str,
        feature_id: str,
        *,
        requested_usage: Optional[float] = None,
        resource_id: Optional[str] = None,
        fallback: Optional[EntitlementFallback] = None,
    ) -> Awaitable[MeteredEntitlement]: ...
    def get_enum_entitlement(
        self,
        customer_id: str,
        feature_id: str,
        *,
        requested_values: Optional[Sequence[str]] = None,
        resource_id: Optional[str] = None,
        fallback: Optional[EntitlementFallback] = None,
    ) -> EnumEntitlement: ...
    def async_get_enum_entitlement(
        self,
        customer_id: str,
        feature_id: str,
        *,
        requested_values: Optional[Sequence[str]] = None,
        resource_id: Optional[str] = None,
        fallback: Optional[EntitlementFallback] = None,
    ) -> Awaitable[EnumEntitlement]: ...
    def get_credit_entitlement(
        self,
        customer_id: str,
        currency_id: str,
        *,
        requested_usage: Optional[float] = None,
        resource_id: Optional[str] = None,
        fallback: Optional[CreditEntitlementFallback] = None,
    ) -> CreditEntitlement: ...
    def async_get_credit_entitlement(
        self,
        customer_id: str,
        currency_id: str,
        *,
        requested_usage: Optional[float] = None,
        resource_id: Optional[str] = None,
        fallback: Optional[CreditEntitlementFallback] = None,
    ) -> Awaitable[CreditEntitlement]: ...
    def get_entitlement(
        self,
        customer_id: str,
        feature_id: str,
        *,
        requested_usage: Optional[float] = None,
        requested_values: Optional[Sequence[str]] = None,
        resource_id: Optional[str] = None,
        fallback: Optional[EntitlementFallback] = None,
    ) -> Entitlement: ...
    def async_get_entitlement(
        self,
        customer_id: str,
        feature_id: str,
        *,
        requested_usage: Optional[float] = None,
        requested_values: Optional[Sequence[str]] = None,
        resource_id: Optional[str] = None,
        fallback: Optional[EntitlementFallback] = None,
    ) -> Awaitable[Entitlement]: ...
    def get_entitlement_v2(
        self,
        customer_id: str,
        *,
        feature_id: Optional[str] = None,
        currency_id: Optional[str] = None,
        requested_usage: Optional[float] = None,
        requested_values: Optional[Sequence[str]] = None,
        resource_id: Optional[str] = None,
        fallback: Union[EntitlementFallback, CreditEntitlementFallback, None] = None,
    ) -> EntitlementV2: ...
    def async_get_entitlement_v2(
        self,
        customer_id: str,
        *,
        feature_id: Optional[str] = None,
        currency_id: Optional[str] = None,
        requested_usage: Optional[float] = None,
        requested_values: Optional[Sequence[str]] = None,
        resource_id: Optional[str] = None,
        fallback: Union[EntitlementFallback, CreditEntitlementFallback, None] = None,
    ) -> Awaitable[EntitlementV2]: ...
    def get_entitlements_state_v2(
        self, customer_id: str, *, resource_id: Optional[str] = None
    ) -> EntitlementsStateV2: ...
    def async_get_entitlements_state_v2(
        self, customer_id: str, *, resource_id: Optional[str] = None
    ) -> Awaitable[EntitlementsStateV2]: ...
    def reload_entitlements(
        self, customer_id: str, *, resource_id: Optional[str] = None
    ) -> ReloadEntitlementsResult: ...
    def async_reload_entitlements(
        self, customer_id: str, *, resource_id: Optional[str] = None
    ) -> Awaitable[ReloadEntitlementsResult]: ...
    def set_entitlements_state(
        self, customer_id: str, state: Mapping[str, Any], *, resource_id: Optional[str] = None
    ) -> None: ...

    # usage, events, credits
    def report_usage(
        self,
        customer_id: str,
        feature_id: str,
        value: float,
        *,
        resource_id: Optional[str] = None,
        update_behavior: Optional[_UpdateBehavior] = None,
        created_at: Optional[Instant] = None,
        dimensions: Optional[Dimensions] = None,
        idempotency_key: Optional[str] = None,
    ) -> ReportUsageAck: ...
    def async_report_usage(
        self,
        customer_id: str,
        feature_id: str,
        value: float,
        *,
        resource_id: Optional[str] = None,
        update_behavior: Optional[_UpdateBehavior] = None,
        created_at: Optional[Instant] = None,
        dimensions: Optional[Dimensions] = None,
        idempotency_key: Optional[str] = None,
    ) -> Awaitable[ReportUsageAck]: ...
    def report_usage_bulk(self, usages: Sequence[Mapping[str, Any]]) -> List[ReportUsageAck]: ...
    def async_report_usage_bulk(
        self, usages: Sequence[Mapping[str, Any]]
    ) -> Awaitable[List[ReportUsageAck]]: ...
    def report_event(
        self, events: Union[Mapping[str, Any], Sequence[Mapping[str, Any]]]
    ) -> None: ...
    def async_report_event(
        self, events: Union[Mapping[str, Any], Sequence[Mapping[str, Any]]]
    ) -> Awaitable[None]: ...
    def consume_credits(
        self,
        customer_id: str,
        currency_id: str,
        amount: float,
        idempotency_key: str,
        *,
        resource_id: Optional[str] = None,
        created_at: Optional[Instant] = None,
        dimensions: Optional[Dimensions] = None,
    ) -> ConsumeCreditsResult: ...
    def async_consume_credits(
        self,
        customer_id: str,
        currency_id: str,
        amount: float,
        idempotency_key: str,
        *,
        resource_id: Optional[str] = None,
        created_at: Optional[Instant] = None,
        dimensions: Optional[Dimensions] = None,
    ) -> Awaitable[ConsumeCreditsResult]: ...
    def consume_credits_async(self, consumptions: Sequence[Mapping[str, Any]]) -> None: ...
    def async_consume_credits_async(
        self, consumptions: Sequence[Mapping[str, Any]]
    ) -> Awaitable[None]: ...
    def estimate_usage_cost(
        self,
        customer_id: str,
        feature_id: str,
        value: float,
        *,
        resource_id: Optional[str] = None,
        update_behavior: Optional[_UpdateBehavior] = None,
        dimensions: Optional[Dimensions] = None,
    ) -> CreditCostEstimation: ...
    def async_estimate_usage_cost(
        self,
        customer_id: str,
        feature_id: str,
        value: float,
        *,
        resource_id: Optional[str] = None,
        update_behavior: Optional[_UpdateBehavior] = None,
        dimensions: Optional[Dimensions] = None,
    ) -> Awaitable[CreditCostEstimation]: ...
    def estimate_event_cost(
        self,
        customer_id: str,
        event_name: str,
        *,
        resource_id: Optional[str] = None,
        dimensions: Optional[Dimensions] = None,
    ) -> CreditCostEstimation: ...
    def async_estimate_event_cost(
        self,
        customer_id: str,
        event_name: str,
        *,
        resource_id: Optional[str] = None,
        dimensions: Optional[Dimensions] = None,
    ) -> Awaitable[CreditCostEstimation]: ...

    # management (keyword arguments with Stigg's names in snake_case)
    def provision_customer(self, **input: Any) -> ProvisionedCustomer: ...
    def async_provision_customer(self, **input: Any) -> Awaitable[ProvisionedCustomer]: ...
    def update_customer(self, **input: Any) -> Customer: ...
    def async_update_customer(self, **input: Any) -> Awaitable[Customer]: ...
    def get_customer(self, customer_id: str) -> FullCustomer: ...
    def async_get_customer(self, customer_id: str) -> Awaitable[FullCustomer]: ...
    def archive_customer(self, customer_id: str) -> str: ...
    def async_archive_customer(self, customer_id: str) -> Awaitable[str]: ...
    def unarchive_customer(self, customer_id: str) -> Customer: ...
    def async_unarchive_customer(self, customer_id: str) -> Awaitable[Customer]: ...
    def provision_subscription(self, **input: Any) -> ProvisionSubscriptionResult: ...
    def async_provision_subscription(self, **input: Any) -> Awaitable[ProvisionSubscriptionResult]: ...
    def update_subscription(self, **input: Any) -> Subscription: ...
    def async_update_subscription(self, **input: Any) -> Awaitable[Subscription]: ...
    def cancel_subscription(self, **input: Any) -> Subscription: ...
    def async_cancel_subscription(self, **input: Any) -> Awaitable[Subscription]: ...
    def cancel_subscription_scheduled_updates(self, **input: Any) -> Record: ...
    def async_cancel_subscription_scheduled_updates(self, **input: Any) -> Awaitable[Record]: ...
    def migrate_subscription_to_latest(self, **input: Any) -> Record: ...
    def async_migrate_subscription_to_latest(self, **input: Any) -> Awaitable[Record]: ...
    def estimate_subscription(self, **input: Any) -> Record: ...
    def async_estimate_subscription(self, **input: Any) -> Awaitable[Record]: ...
    def estimate_subscription_update(self, **input: Any) -> Record: ...
    def async_estimate_subscription_update(self, **input: Any) -> Awaitable[Record]: ...
    def preview_subscription(self, **input: Any) -> Record: ...
    def async_preview_subscription(self, **input: Any) -> Awaitable[Record]: ...
    def get_subscription(self, subscription_id: str) -> Subscription: ...
    def async_get_subscription(self, subscription_id: str) -> Awaitable[Subscription]: ...
    def get_active_subscriptions(self, **input: Any) -> List[Subscription]: ...
    def async_get_active_subscriptions(self, **input: Any) -> Awaitable[List[Subscription]]: ...
    def get_active_subscriptions_list(self, **input: Any) -> List[Subscription]: ...
    def async_get_active_subscriptions_list(self, **input: Any) -> Awaitable[List[Subscription]]: ...
    def get_subscriptions(self, **input: Any) -> SubscriptionPage: ...
    def async_get_subscriptions(self, **input: Any) -> Awaitable[SubscriptionPage]: ...
    def get_paywall(self, **input: Any) -> Record: ...
    def async_get_paywall(self, **input: Any) -> Awaitable[Record]: ...
    def get_coupons(self) -> List[Coupon]: ...
    def async_get_coupons(self) -> Awaitable[List[Coupon]]: ...
    def get_products(self) -> List[Record]: ...
    def async_get_products(self) -> Awaitable[List[Record]]: ...
    def grant_promotional_entitlements(self, **input: Any) -> List[Record]: ...
    def async_grant_promotional_entitlements(self, **input: Any) -> Awaitable[List[Record]]: ...
    def revoke_promotional_entitlements(self, **input: Any) -> Record: ...
    def async_revoke_promotional_entitlements(self, **input: Any) -> Awaitable[Record]: ...
    def grant_credits(self, **input: Any) -> Record: ...
    def async_grant_credits(self, **input: Any) -> Awaitable[Record]: ...
    def void_credit_grant(self, **input: Any) -> Record: ...
    def async_void_credit_grant(self, **input: Any) -> Awaitable[Record]: ...
    def get_credit_grants(self, **input: Any) -> Record: ...
    def async_get_credit_grants(self, **input: Any) -> Awaitable[Record]: ...
    def get_credit_balance(self, **input: Any) -> Record: ...
    def async_get_credit_balance(self, **input: Any) -> Awaitable[Record]: ...
    def get_usage_history_v2(self, **input: Any) -> Record: ...
    def async_get_usage_history_v2(self, **input: Any) -> Awaitable[Record]: ...
